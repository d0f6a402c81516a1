"""The partnership registry: partners, people, governance bodies, roles, goals and outcomes."""
