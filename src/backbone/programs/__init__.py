"""Programs: each partner's programs and practices, the outcomes they aim at, and who they reach."""
