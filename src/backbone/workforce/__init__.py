"""Workforce partnerships: sector partnerships, employer commitments as numbers, the teeth check."""
