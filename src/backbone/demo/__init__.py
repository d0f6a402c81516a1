"""The demo partnership: the fictional city of Riverton and its cradle-to-career partners."""
