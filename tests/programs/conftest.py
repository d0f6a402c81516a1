"""The governance tests' seeded partnership: tutoring's loaded roster has two "Homework Help"
spells starting 2024-01-08 (T-1, T-2) and one from 2025-09-08 (T-3, open); mentoring's has two
"Big Sibs" spells from 2025-09-15. The seed registers tutoring's program ``homework-help``."""

from tests.governance.conftest import world

__all__ = ["world"]
