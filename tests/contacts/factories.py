"""Helpers of the contacts tests: a valid proposal, Note Verbale uploads, the stored files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.reporting.matrix_common import PDF


def contact_data(**overrides: Any) -> dict[str, Any]:
    """The `data` of a valid new designation (Ghana's reporting contact)."""
    data: dict[str, Any] = {
        "role": "reporting",
        "name": "Kofi Boateng",
        "title": "Reporting officer",
        "ministry": "Ministry of Defence",
        "email": "reporting@mod.example.gh",
        "other_emails": "k.boateng@mod.example.gh",
        "phones": "+233302664951",
        "postal_address": "Burma Camp, Accra",
        "working_language": "en",
        "valid_from": dt.date(2024, 1, 1),
        "valid_to": None,
        "note_verbale_date": dt.date(2023, 12, 1),
        "note_verbale_reference": "NV/GHA/2023/112",
    }
    data.update(overrides)
    return data


def form_data(**overrides: Any) -> dict[str, Any]:
    """The same designation as a form posts it (dates as text, the Note Verbale attached)."""
    data = contact_data()
    data = {
        key: ("" if value is None else value.isoformat() if isinstance(value, dt.date) else value)
        for key, value in data.items()
    }
    data["note_verbale"] = nv_pdf()
    data.update(overrides)
    return data


def nv_pdf(name: str = "nv.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def nv_docx() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(
        "nv.docx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def stored_files() -> list[Path]:
    """Every file in MEDIA_ROOT (each test has its own)."""
    media = Path(settings.MEDIA_ROOT)
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []
