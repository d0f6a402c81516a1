"""Data governance: the agreements (MOUs, data-sharing agreements, consents, destruction), the
tamper-evident audit log, roles and the security settings around them."""
