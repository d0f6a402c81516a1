"""The public community scorecard: releases of disclosure-protected results, public pages, the
static site export and the annual report PDF (docs/scorecard.md)."""
