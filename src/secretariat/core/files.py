"""Uploaded and stored documents: the checks of an upload (type, content, size) and the download
of a stored file.

A file is recognised by its first bytes, not only by its name, so a renamed executable is
refused. The stored name never comes from the user (see each model's `upload_to`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# The first bytes of each document type the platform accepts somewhere.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
# What must be inside the zip of an Office file, so that any zip renamed .docx is refused.
OFFICE_PARTS = {"docx": "word/", "xlsx": "xl/"}


def file_extension(name: str, default: str = "") -> str:
    """The lower-case extension of a file name ("List.PDF" -> "pdf"), or `default`."""
    return name.rsplit(".", 1)[-1].lower() if "." in name else default


def check_document(
    upload: UploadedFile, *, types: Iterable[str] = ("pdf", "docx", "xlsx"), max_bytes: int = DOCUMENT_MAX_BYTES
) -> str:
    """Refuse a file that is too big, of another type, or whose content does not match its name.

    Returns the extension. The message names the file so a form with several files is clear.
    """
    types = tuple(types)
    name = upload.name or ""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": name, "size": round(upload.size / 1024 / 1024, 1), "limit": max_bytes // 1024 // 1024}
        )
    if not upload.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    extension = file_extension(name)
    if extension not in types:
        raise ValidationError(
            _("%(name)s is not one of the accepted types (%(types)s).")
            % {"name": name, "types": ", ".join(t.upper() for t in types)}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES[extension]):
        raise ValidationError(
            _("The content of %(name)s is not a %(type)s file.") % {"name": name, "type": extension.upper()}
        )
    part = OFFICE_PARTS.get(extension)
    if part is not None:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as error:
            raise ValidationError(
                _("The content of %(name)s is not a %(type)s file.") % {"name": name, "type": extension.upper()}
            ) from error
        finally:
            upload.seek(0)
        if not any(entry.startswith(part) for entry in names):
            raise ValidationError(
                _("The content of %(name)s is not a %(type)s file.") % {"name": name, "type": extension.upper()}
            )
    return extension


def download_response(stored: FieldFile, *, filename: str, missing: str) -> FileResponse:
    """The stored file as a download named `filename`; 404 with the message `missing` when the
    storage no longer has it."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404(missing) from error
    return FileResponse(handle, as_attachment=True, filename=filename)
