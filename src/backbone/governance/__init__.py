"""Data governance: the tamper-evident audit log and the security settings around it."""
