"""Access-matrix entries for the controllists pages (same format as tests/reporting/matrix_*.py).

Who opens what (controllists.selectors): t.control_list (Ghana, 2024, States Parties only) and its
file t.control_file are opened by staff, representatives of States Parties (Ghana, Mexico) and
Ghana's own; anyone else gets 404 for the file, so that it is not revealed. Recording and changing
Ghana's lists: Ghana's representatives, the admin and reporting staff (core.access.can_record_control_lists).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.reporting.matrix_common import (
    DENIED,
    EVERYONE,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    PDF,
    Write,
    expect,
)

RECORDERS = ["state_a_rep", "staff_admin", "staff_reporting"]
PARTY_ONLY_FILE_READERS = expect(anonymous=NOT_FOUND, non_staff=NOT_FOUND, staff=OK, state_a_rep=OK, state_b_rep=OK)
RECORD_PAGE = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, state_a_rep=OK, staff_admin=OK, staff_reporting=OK
)
SIGNED_IN_POST_ONLY = expect(anonymous=LOGIN, non_staff=NOT_ALLOWED, staff=NOT_ALLOWED)


def _pdf(name: str = "list.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "control-lists/": (lambda t: "/control-lists/", EVERYONE),
    "control-lists/files/<int:pk>/": (
        lambda t: f"/control-lists/files/{t.control_file.pk}/",
        PARTY_ONLY_FILE_READERS,
    ),
    "control-lists/<int:pk>/visibility/": (
        lambda t: f"/control-lists/{t.control_list.pk}/visibility/",
        SIGNED_IN_POST_ONLY,
    ),
    "control-lists/<int:pk>/files/new/": (
        lambda t: f"/control-lists/{t.control_list.pk}/files/new/",
        SIGNED_IN_POST_ONLY,
    ),
    "control-lists/<iso3:iso3>/": (lambda t: f"/control-lists/{t.state.iso3}/", EVERYONE),
    "control-lists/<iso3:iso3>/new/": (lambda t: f"/control-lists/{t.state.iso3}/new/", RECORD_PAGE),
}

WRITES: dict[str, Write] = {
    "record a control list": Write(
        "post",
        lambda t: f"/control-lists/{t.state.iso3}/new/",
        lambda t: {
            "list_date": "2023-06-01",
            "received_on": "2023-06-15",
            "visibility": "public",
            "link": "https://www.example.gh/control-list",
            "notes": "",
            "language_1": "en",
            "file_1": _pdf(),
            "language_2": "",
            "language_3": "",
        },
        RECORDERS,
    ),
    "make a control list public": Write(
        "post",
        lambda t: f"/control-lists/{t.control_list.pk}/visibility/",
        lambda t: {"visibility": "public"},
        RECORDERS,
    ),
    "add a file to a control list": Write(
        "post",
        lambda t: f"/control-lists/{t.control_list.pk}/files/new/",
        lambda t: {"language": "fr", "file": _pdf("liste.pdf")},
        RECORDERS,
    ),
}
