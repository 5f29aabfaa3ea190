"""Standalone documents: the leak report, served as a page and written to a file alike.

Both forms are `base.html` with the stylesheets inlined (`pages.render_document`): the file
opens anywhere without us, and the page's policy allows exactly that stylesheet and no script
(`security.headers.document_policy`).
"""

from __future__ import annotations

from typing import Any

from parcelguard.forensics.results import TraceDocument
from parcelguard.web.pages import render_document

STYLES = ("site.css", "report.css")


def leak_report_html(document: TraceDocument, rows: list[dict[str, Any]]) -> str:
    """Return the bilingual leak report (masked forms, ids and counts only)."""
    return render_document("forensics/report.html", {"doc": document, "rows": rows}, STYLES)
