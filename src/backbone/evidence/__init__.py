"""Evidence of what works: participation linked to outcomes, with matched comparisons."""
