"""Words the public reads: dimension and group labels come from the one label source,
``backbone.indicators.labels`` (the staff pages use it too); ``html_id`` makes ids from them.

Downloads keep the codes (``person_demographics.race_ethnicity``, ``true``) and add the label.
"""

from __future__ import annotations

import re

from backbone.indicators.labels import Labels, dimension_label, group_label

__all__ = ["Labels", "dimension_label", "group_label", "html_id"]


def html_id(*parts: str) -> str:
    """An HTML id from free text (dimension names, slugs).

    >>> html_id("grade3_reading", "person_demographics.race_ethnicity")
    'grade3-reading-person-demographics-race-ethnicity'
    """
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
