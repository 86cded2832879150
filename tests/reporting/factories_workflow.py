"""Test data of the reporting workflow pages: the POST payload of the online annual report form."""

from __future__ import annotations

from typing import Any

DIRECTIONS = ("exports", "imports")


def row(**overrides: Any) -> dict[str, str]:
    """One filled row of the online form (strings, as a browser sends them)."""
    values = {
        "category": "I",
        "partner": "MEX",
        "origin": "",
        "intermediate_location": "",
        "items": "3",
        "value": "",
        "currency": "",
        "basis": "actual",
        "description": "Battle tanks",
        "comments": "",
    }
    values.update({key: str(value) for key, value in overrides.items()})
    return values


def blank_row() -> dict[str, str]:
    return dict.fromkeys(row(), "")


def edit_payload(
    *,
    exports: list[dict[str, str]] | tuple = (),
    imports: list[dict[str, str]] | tuple = (),
    exports_nil: bool = False,
    imports_nil: bool = False,
    exports_visibility: str = "public",
    imports_visibility: str = "restricted",
    blank_rows: int = 2,
    initial_forms: dict[str, int] | None = None,
    **title: str,
) -> dict[str, str]:
    """The whole annual report page as posted: title page, then each form's choices and rows
    (followed by `blank_rows` untouched blank rows, as the page offers them)."""
    data = {
        "authority": "Ministry of Defence",
        "contact": "Reporting officer",
        "report_date": "2024-05-02",
        "national_definitions": "",
        **title,
    }
    specs = {
        "exports": (list(exports), exports_nil, exports_visibility),
        "imports": (list(imports), imports_nil, imports_visibility),
    }
    for direction, (rows, nil, visibility) in specs.items():
        prefix = f"{direction}-rows"
        data[f"{direction}-visibility"] = visibility
        if nil:
            data[f"{direction}-is_nil"] = "on"
        all_rows = rows + [blank_row() for _ in range(blank_rows)]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(all_rows))
        data[f"{prefix}-INITIAL_FORMS"] = str((initial_forms or {}).get(direction, 0))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "500"
        for number, values in enumerate(all_rows):
            for key, value in values.items():
                data[f"{prefix}-{number}-{key}"] = value
    return data
