"""Continuous improvement: action networks, their charters, plans, PDSA cycles and charts."""
