"""The symbols a reader sees in place of a withheld number, and what each one means.

Distinct, documented markers follow standards.md §4.3 item 8: the marker says why a number is
missing without revealing anything about its size.
"""

from __future__ import annotations

import re

PRIMARY = "*"
COMPLEMENTARY = "‡"
CODED = "coded"
TOP_CODED = ">=95%"
BOTTOM_CODED = "<=5%"
# How a coded percent reads back from a published display, for the audit.
CODED_PATTERN = re.compile(r"^(>=|<=|>|<)(\d+(?:\.\d+)?)%$")

MARKERS: dict[str, str] = {
    PRIMARY: (
        "Not shown to protect privacy: the group is smaller than the minimum size, or so few "
        "people (or so few not) had the outcome that the number could identify someone."
    ),
    COMPLEMENTARY: (
        "Not shown so that another hidden number cannot be worked out by subtraction from "
        "totals. The group itself may be large."
    ),
    TOP_CODED: (
        "95 percent or more. The exact figure and the group size are not shown because nearly "
        "everyone in the group had the outcome."
    ),
    BOTTOM_CODED: (
        "5 percent or less. The exact figure and the group size are not shown because nearly "
        "no one in the group had the outcome."
    ),
}


def coded_display(bound: float, top: bool) -> str:
    """The reader-facing string for a coded percent, e.g. ``">=95%"`` or ``"<=5%"``."""
    number = f"{bound:g}"
    return f">={number}%" if top else f"<={number}%"
