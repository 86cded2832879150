"""Receivables ageing: each invoice's open balance on a date, by how long it has been overdue.

Balances come from the ledger (receivable lines dated on or before the date), so an ageing "as of"
a past date is exactly what the books said then. One query, whatever the number of invoices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from ..ledger import ZERO, cents
from ..models import AccountCode, Fund, Invoice

BUCKETS = [
    ("not_due", _("Not yet due")),
    ("0_90", _("1–90 days overdue")),
    ("91_365", _("91–365 days overdue")),
    ("1_2y", _("1–2 years overdue")),
    ("over_2y", _("More than 2 years overdue")),
]


def bucket_for(due_on: dt.date, as_of: dt.date) -> str:
    late = (as_of - due_on).days
    if late <= 0:
        return "not_due"
    if late <= 90:
        return "0_90"
    if late <= 365:
        return "91_365"
    if late <= 730:
        return "1_2y"
    return "over_2y"


@dataclass(frozen=True)
class AgedInvoice:
    invoice_id: int
    number: str
    state_id: int
    iso3: str
    state_name_en: str
    year: int
    issued_on: dt.date
    due_on: dt.date
    amount: Decimal
    open_balance: Decimal
    bucket: str


def receivables_ageing(fund: Fund, *, as_of: dt.date, state_id: int | None = None) -> list[AgedInvoice]:
    """Every invoice of the fund issued on or before `as_of` with a balance open on that date."""
    on_or_before = Q(ledger_lines__account__code=AccountCode.RECEIVABLE, ledger_lines__entry__date__lte=as_of)
    invoices = Invoice.objects.filter(fund=fund, issued_on__lte=as_of)
    if state_id is not None:
        invoices = invoices.filter(state_id=state_id)
    rows = (
        invoices.annotate(
            debits=Sum("ledger_lines__debit", filter=on_or_before),
            credits=Sum("ledger_lines__credit", filter=on_or_before),
        )
        .values_list(
            "pk",
            "number",
            "state_id",
            "state__iso3",
            "state__name_en",
            "year",
            "issued_on",
            "due_on",
            "amount",
            "debits",
            "credits",
        )
        .order_by("state__name_en", "year", "sequence")
    )
    aged = []
    for pk, number, sid, iso3, name, year, issued_on, due_on, amount, debits, credits in rows:
        balance = cents((debits or ZERO) - (credits or ZERO))
        if balance <= 0:
            continue
        aged.append(
            AgedInvoice(
                pk, number, sid, iso3, name, year, issued_on, due_on, amount, balance, bucket_for(due_on, as_of)
            )
        )
    return aged
