"""Uploads for the control lists tests (good and bad files), and a count of the stored files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.reporting.matrix_common import PDF


def pdf(name: str = "list.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def docx(name: str = "liste.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def exe_renamed_pdf(name: str = "list.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 20, content_type="application/pdf")


def text_file(name: str = "list.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"Category I: battle tanks\n", content_type="text/plain")


def oversized_pdf(name: str = "big.pdf") -> SimpleUploadedFile:
    """A PDF that claims to be 21 MB (the limit is 20 MB) without writing 21 MB."""
    upload = pdf(name)
    upload.size = 21 * 1024 * 1024
    return upload


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
