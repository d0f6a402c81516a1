"""Shared outcomes and indicators: declarative definitions, targets and equity measures."""
