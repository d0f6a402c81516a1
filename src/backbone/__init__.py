"""backbone: the system for the backbone organization of a cross-sector partnership."""

__version__ = "0.1.0"
