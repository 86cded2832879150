"""What an annual report says, independent of how it arrived.

The online form, the spreadsheet import and the staff transcription of an emailed report all
build an `AnnualReportContents`; `services.draft_save_contents` writes it to a draft version in
one transaction. Values are already resolved (model instances, Decimals), so a contents object
that exists has passed the per-field checks of whoever built it; the database constraints are
the last word.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from secretariat.states.models import State

    from .models import Category


@dataclass(slots=True)  # an import holds thousands of them
class RowContents:
    category: Category
    partner: State
    basis: str  # Basis value: "authorised" | "actual"
    items: int | None = None
    value: Decimal | None = None
    currency: str = ""
    origin: State | None = None
    intermediate_location: str = ""
    description: str = ""
    comments: str = ""


@dataclass
class FormContents:
    """The exports or the imports form: rows, or a nil report."""

    is_nil: bool = False
    visibility: str = "restricted"  # Visibility value
    rows: list[RowContents] = field(default_factory=list)


@dataclass
class AnnualReportContents:
    authority: str = ""
    contact: str = ""
    report_date: dt.date | None = None
    withheld_commercial: bool = False
    withheld_security: bool = False
    national_definitions: str = ""
    # "exports" / "imports" -> form; a form that is absent was not included in the report.
    forms: dict[str, FormContents] = field(default_factory=dict)
