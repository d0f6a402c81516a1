"""HTML to PDF with WeasyPrint: the annual report. Pure: takes the rendered HTML."""

from __future__ import annotations

import logging


def render(html: str) -> bytes:
    """The PDF of a self-contained HTML document (inline CSS and SVG, no links to fetch).

    WeasyPrint is imported here, not at module load, so pages that never print stay light.
    """
    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter
    document = HTML(string=html, base_url=None).render()
    return bytes(document.write_pdf())
