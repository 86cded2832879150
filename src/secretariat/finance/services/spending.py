"""Commitments and expenditures against the lines of an adopted budget.

Before anything is written, the line's amount is compared with what open commitments still hold,
what is already spent and the new amount (an expenditure against an open commitment uses that
commitment first, so only what goes beyond it adds to the line). When that exceeds the line, the
budget's `overrun_policy` decides: `stop` refuses, naming the line, its amount and what is left;
`warn` asks the user to confirm (`overrun_confirmed=True`) and then records it, returning the
warning. The budget line row is locked (SELECT … FOR UPDATE) for the check and the write, so two
simultaneous expenditures cannot both pass a stop check.

An expenditure posts Dr 5100 (budget line) / Cr 1100 in the same transaction as its row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .. import ledger
from ..ledger import ZERO, EntrySpec, Line
from ..models import AccountCode, BudgetLine, BudgetStatus, Commitment, EntryKind, Expenditure, OverrunPolicy
from ..models.common import CENT
from ..selectors import spending as spending_selectors

OVERRUN_UNCONFIRMED = "overrun_unconfirmed"


class OverrunNotConfirmed(ValidationError):
    """The line would be exceeded under a "warn" policy and the user has not confirmed yet."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=OVERRUN_UNCONFIRMED)


@dataclass(frozen=True)
class Recorded:
    """What a spending service wrote, and the overrun warning when the line is now exceeded."""

    record: Any  # a Commitment or an Expenditure
    warning: str | None = None


def money_text(amount: Decimal) -> str:
    """An amount for a message: 1,234,567.80 (in the reader's language)."""
    return number_format(amount, decimal_pos=2, force_grouping=True)


# ---------------------------------------------------------------------------- shared checks


def check_amount(amount: Decimal | None, *, field: str = "amount") -> Decimal:
    """More than zero and to the cent, or a ValidationError on `field`."""
    if amount is None or amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Amounts are kept to the cent.")})
    return amount


def check_not_future(day: dt.date | None, *, field: str) -> dt.date:
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    return day


def _check_line(line: BudgetLine, day: dt.date, *, field: str) -> None:
    budget = line.budget
    if budget.status != BudgetStatus.ADOPTED:
        raise ValidationError(
            _(
                "Spending is recorded against the adopted budget only; %(budget)s is “%(status)s”. "
                "Use the line of the adopted version."
            )
            % {"budget": budget, "status": budget.get_status_display()}
        )
    if not budget.period_start <= day <= budget.period_end:
        raise ValidationError(
            {
                field: _("The date must fall within the budget's period, %(start)s to %(end)s.")
                % {"start": date_format(budget.period_start), "end": date_format(budget.period_end)}
            }
        )


def _locked_line(line: BudgetLine) -> BudgetLine:
    """The line, locked until the end of the transaction (its budget and fund read with it)."""
    return BudgetLine.objects.select_for_update(of=("self",)).select_related("budget", "budget__fund").get(pk=line.pk)


def _overrun(line: BudgetLine, *, adds: Decimal, amount: Decimal, confirmed: bool) -> str | None:
    """Check the line against what it would hold after adding `adds`; refuse (stop), ask for a
    confirmation (warn, unconfirmed) or return the warning to show (warn, confirmed)."""
    position = spending_selectors.line_position(line)
    after = position.used + adds
    if after <= position.budgeted:
        return None
    currency = line.budget.fund.currency
    values = {
        "code": line.code,
        "title": line.title,
        "budgeted": money_text(position.budgeted),
        "left": money_text(position.available),
        "amount": money_text(amount),
        "over": money_text(after - position.budgeted),
        "currency": currency,
    }
    if line.budget.overrun_policy == OverrunPolicy.STOP:
        raise ValidationError(
            _(
                "Refused: budget line %(code)s “%(title)s” is %(budgeted)s %(currency)s and %(left)s %(currency)s "
                "is left after open commitments and spending; %(amount)s %(currency)s would exceed it by "
                "%(over)s %(currency)s. The budget does not allow spending over a line."
            )
            % values
        )
    if not confirmed:
        raise OverrunNotConfirmed(
            _(
                "This would exceed budget line %(code)s “%(title)s” (%(budgeted)s %(currency)s, %(left)s %(currency)s "
                "left) by %(over)s %(currency)s. Tick “I know this exceeds the line” to record it anyway."
            )
            % values
        )
    return (
        _("Recorded over the line: budget line %(code)s “%(title)s” is now exceeded by %(over)s %(currency)s.") % values
    )


def _check_text(value: str, *, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("Give a description.")})
    return value


# ---------------------------------------------------------------------------- services


def commitment_record(
    *,
    line: BudgetLine,
    committed_on: dt.date,
    description: str,
    amount: Decimal,
    user: Any,
    supplier: str = "",
    overrun_confirmed: bool = False,
) -> Recorded:
    """Record a commitment (an order or contract) against a line of the adopted budget."""
    check_amount(amount)
    check_not_future(committed_on, field="committed_on")
    description = _check_text(description, field="description")
    with transaction.atomic():
        line = _locked_line(line)
        _check_line(line, committed_on, field="committed_on")
        warning = _overrun(line, adds=amount, amount=amount, confirmed=overrun_confirmed)
        commitment = Commitment.objects.create(
            budget_line=line,
            committed_on=committed_on,
            supplier=(supplier or "").strip()[:200],
            description=description[:300],
            amount=amount,
            created_by=user,
        )
    return Recorded(commitment, warning)


def expenditure_record(
    *,
    line: BudgetLine,
    spent_on: dt.date,
    description: str,
    amount: Decimal,
    user: Any,
    commitment: Commitment | None = None,
    close_commitment: bool = False,
    overrun_confirmed: bool = False,
) -> Recorded:
    """Record an expenditure against a line of the adopted budget (optionally against one of its
    open commitments, which may then be closed) and post it: Dr 5100 (line) / Cr 1100."""
    check_amount(amount)
    check_not_future(spent_on, field="spent_on")
    description = _check_text(description, field="description")
    with transaction.atomic():
        line = _locked_line(line)
        _check_line(line, spent_on, field="spent_on")
        relief = ZERO
        if commitment is not None:
            commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
            if commitment.budget_line_id not in spending_selectors.family_line_ids(line):
                raise ValidationError(
                    {"commitment": _("This commitment is not on budget line %(code)s.") % {"code": line.code}}
                )
            if commitment.closed:
                raise ValidationError(
                    {"commitment": _("This commitment is closed; record the expenditure without it.")}
                )
            used = sum(
                Expenditure.objects.filter(commitment=commitment, entry__reversed_by__isnull=True).values_list(
                    "amount", flat=True
                ),
                ZERO,
            )
            relief = min(amount, max(ZERO, commitment.amount - used))
        warning = _overrun(line, adds=amount - relief, amount=amount, confirmed=overrun_confirmed)
        fund = line.budget.fund
        entry = ledger.post_one(
            fund,
            EntrySpec(
                date=spent_on,
                kind=EntryKind.EXPENDITURE,
                memo=f"{line.code} {description}",
                lines=[
                    Line(AccountCode.EXPENDITURE, debit=amount, budget_line_id=line.pk),
                    Line(AccountCode.BANK, credit=amount),
                ],
            ),
            user=user,
        )
        expenditure = Expenditure.objects.create(
            budget_line=line,
            commitment=commitment,
            spent_on=spent_on,
            description=description[:300],
            amount=amount,
            entry=entry,
            created_by=user,
        )
        if commitment is not None and close_commitment:
            Commitment.objects.filter(pk=commitment.pk).update(closed=True, closed_by=user, closed_at=timezone.now())
    return Recorded(expenditure, warning)


def commitment_close(*, commitment: Commitment, user: Any) -> Commitment:
    """Close a commitment: no further spending is expected, so what it still holds is released."""
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if commitment.closed:
            raise ValidationError(_("This commitment is already closed."))
        commitment.closed = True
        commitment.closed_by = user
        commitment.closed_at = timezone.now()
        commitment.save(update_fields=["closed", "closed_by", "closed_at"])
    return commitment
