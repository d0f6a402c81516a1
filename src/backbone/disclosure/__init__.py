"""Disclosure control for published aggregates (pure: no Django, no Typer).

``protect`` applies primary suppression, percent coding and complementary suppression to one
indicator and records the rule applied to every cell; ``release.protect_release`` protects a
whole release together; ``reader`` works out what a reader of a whole release can narrow, for
that protection and for the audit of a published export (``check``). See docs/disclosure.md.
"""

from backbone.disclosure.cells import Cell, Partition, PublishedCell
from backbone.disclosure.complementary import CannotProtect
from backbone.disclosure.markers import MARKERS
from backbone.disclosure.policy import Policy
from backbone.disclosure.suppression import protect

__all__ = ["MARKERS", "CannotProtect", "Cell", "Partition", "Policy", "PublishedCell", "protect"]
