"""Reading the text of a PDF the platform made (pypdf: pure Python, nothing to install)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """The text of every page, pages separated by a form feed."""
    reader = PdfReader(io.BytesIO(content))
    return "\f".join(page.extract_text() or "" for page in reader.pages)
