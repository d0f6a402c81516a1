"""Disclosure control for published aggregates (pure: no Django, no Typer).

``protect`` applies primary suppression, percent coding and complementary suppression and records
the rule applied to every cell; ``audit`` re-derives what a reader could recover from a published
export. See docs/disclosure.md.
"""

from backbone.disclosure.cells import Cell, Partition, PublishedCell
from backbone.disclosure.complementary import CannotProtect
from backbone.disclosure.markers import MARKERS
from backbone.disclosure.policy import Policy
from backbone.disclosure.suppression import protect

__all__ = ["MARKERS", "CannotProtect", "Cell", "Partition", "Policy", "PublishedCell", "protect"]
