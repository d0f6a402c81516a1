from tests.governance.conftest import world  # noqa: F401  (the seeded partnership, one per run)
