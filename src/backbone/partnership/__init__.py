"""The partnership registry: partners, people, governance bodies, roles and MOUs."""
