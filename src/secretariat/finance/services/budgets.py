"""Budgets: a budget per fund and financial year, and its workflow.

estimate → reviewed by the Management Committee (`reviewed_on`) → circulated to States
(`circulated_on`) → adopted (decision reference and date). Lines change only while a version is an
estimate. "Revise" makes a new version of the adopted one (version + 1, `revises`, lines copied, a
reason), which goes through the same steps; adopting it marks the earlier version superseded in the
same transaction (the database allows one adopted version per fund and year). Every version and
every comment stays on record. A wrong transition raises ValidationError with a clear message and
writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Budget, BudgetComment, BudgetLine, BudgetStatus, Fund, OverrunPolicy
from ..models.common import CENT, MONEY_DIGITS

POOL_VALUES = ("secretariat", "conference", "none")
MAX_AMOUNT = Decimal(10 ** (MONEY_DIGITS - 2)) - CENT
FIRST_YEAR = 2015  # the first financial period after the Treaty's entry into force (24 Dec 2014)
COMMENT_LIMIT = 10_000


def _status(budget: Budget) -> str:
    return str(budget.get_status_display()).lower()


def _wrong_status(budget: Budget, message: str) -> ValidationError:
    return ValidationError(message, code="wrong_status", params={"version": budget.version, "status": _status(budget)})


def _locked(budget: Budget) -> Budget:
    return Budget.objects.select_for_update(of=("self",)).select_related("fund").get(pk=budget.pk)


def _check_day(day: dt.date | None, *, field: str, required: str) -> dt.date:
    if day is None:
        raise ValidationError({field: required})
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    return day


# ---------------------------------------------------------------------------- lines


def _clean_amount(value: Any, code: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("Line %(code)s: the amount must be a number.") % {"code": code}) from error
    if not amount.is_finite():
        raise ValidationError(_("Line %(code)s: the amount must be a number.") % {"code": code})
    if amount < 0:
        raise ValidationError(_("Line %(code)s: the amount cannot be negative.") % {"code": code})
    if amount != amount.quantize(CENT):
        raise ValidationError(_("Line %(code)s: the amount must be given to the cent.") % {"code": code})
    if amount > MAX_AMOUNT:
        raise ValidationError(_("Line %(code)s: the amount is too large.") % {"code": code})
    return amount.quantize(CENT)


def clean_lines(lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Budget lines as given by a form: each {code, title, pool, amount} (and optionally `id` of an
    existing line and `delete`). Checks every line and that codes are unique; raises one
    ValidationError listing every problem."""
    cleaned: list[dict[str, Any]] = []
    problems: list[ValidationError] = []
    seen: set[str] = set()
    for raw in lines:
        code = str(raw.get("code") or "").strip()
        title = str(raw.get("title") or "").strip()
        line = {"id": raw.get("id"), "code": code, "title": title, "pool": raw.get("pool") or "secretariat"}
        line["delete"] = bool(raw.get("delete"))
        if line["delete"]:
            cleaned.append(line)
            continue
        try:
            if not code:
                raise ValidationError(_("Every line needs a code."))
            if len(code) > 20:
                raise ValidationError(_("Line %(code)s: a code has at most 20 characters.") % {"code": code})
            if not title:
                raise ValidationError(_("Line %(code)s needs a title.") % {"code": code})
            if len(title) > 200:
                raise ValidationError(_("Line %(code)s: a title has at most 200 characters.") % {"code": code})
            if line["pool"] not in POOL_VALUES:
                raise ValidationError(_("Line %(code)s: unknown cost pool.") % {"code": code})
            if code.upper() in seen:
                raise ValidationError(_("The code %(code)s is used by two lines.") % {"code": code})
            seen.add(code.upper())
            line["amount"] = _clean_amount(raw.get("amount"), code)
        except ValidationError as error:
            problems.append(error)
            continue
        cleaned.append(line)
    if problems:
        raise ValidationError(problems)
    return cleaned


def _default_period(year: int, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    start = start or dt.date(year, 1, 1)
    end = end or dt.date(year, 12, 31)
    if end < start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    return start, end


@transaction.atomic
def budget_create(
    *,
    fund: Fund,
    year: int,
    created_by: Any,
    lines: Sequence[Mapping[str, Any]] = (),
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    overrun_policy: str = OverrunPolicy.WARN,
) -> Budget:
    """A new budget estimate (version 1) of `fund` for financial `year` (the calendar year unless a
    period is given), with its lines. Refused when the fund already has a budget for that year."""
    if not FIRST_YEAR <= year <= timezone.localdate().year + 10:
        raise ValidationError(
            {
                "year": _("Give a financial year between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": timezone.localdate().year + 10}
            }
        )
    if overrun_policy not in OverrunPolicy.values:
        raise ValidationError({"overrun_policy": _("Choose what happens when spending would exceed a line.")})
    start, end = _default_period(year, period_start, period_end)
    existing = Budget.objects.filter(fund=fund, year=year).order_by("-version").first()
    if existing is not None:
        raise ValidationError(
            _(
                "%(fund)s already has a budget for %(year)s (version %(version)s, %(status)s): open it, or "
                "revise its adopted version."
            ),
            code="exists",
            params={"fund": fund, "year": year, "version": existing.version, "status": _status(existing)},
        )
    cleaned = [line for line in clean_lines(lines) if not line["delete"]]
    try:
        with transaction.atomic():
            budget = Budget.objects.create(
                fund=fund,
                year=year,
                version=1,
                period_start=start,
                period_end=end,
                overrun_policy=overrun_policy,
                created_by=created_by,
            )
    except IntegrityError as error:  # someone created it at the same moment
        raise ValidationError(
            _("%(fund)s already has a budget for %(year)s."), code="exists", params={"fund": fund, "year": year}
        ) from error
    BudgetLine.objects.bulk_create(
        BudgetLine(budget=budget, code=line["code"], title=line["title"], pool=line["pool"], amount=line["amount"])
        for line in cleaned
    )
    return budget


@transaction.atomic
def budget_lines_update(*, budget: Budget, lines: Sequence[Mapping[str, Any]]) -> Budget:
    """Change, add and delete the lines of an estimate (each given line with an `id` is an existing
    line of this budget). Refused once the version has left the estimate stage."""
    budget = _locked(budget)
    if budget.status != BudgetStatus.ESTIMATE:
        raise _wrong_status(
            budget,
            _(
                "Lines can only be changed while the budget is an estimate; version %(version)s is %(status)s. "
                "Revise the adopted budget to change it."
            ),
        )
    cleaned = clean_lines(lines)
    existing = {line.pk: line for line in budget.lines.all()}
    for line in cleaned:
        if line["id"] is not None and line["id"] not in existing:
            raise ValidationError(_("A line does not belong to this budget; reload the page and try again."))
    deleted = [line["id"] for line in cleaned if line["delete"] and line["id"] is not None]
    kept = [line for line in cleaned if not line["delete"]]
    # Codes must be unique among the lines that remain (kept + untouched existing lines).
    touched = {line["id"] for line in cleaned if line["id"] is not None}
    codes = [line["code"].upper() for line in kept] + [
        line.code.upper() for pk, line in existing.items() if pk not in touched
    ]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValidationError(_("Each code can be used once: %(codes)s.") % {"codes": ", ".join(duplicates)})
    try:
        with transaction.atomic():
            BudgetLine.objects.filter(budget=budget, pk__in=deleted).delete()
            # Free the codes first so that two lines can swap codes.
            for line in kept:
                if line["id"] is not None:
                    BudgetLine.objects.filter(pk=line["id"]).update(code=f"~{line['id']}")
            for line in kept:
                values = {"code": line["code"], "title": line["title"], "pool": line["pool"], "amount": line["amount"]}
                if line["id"] is None:
                    BudgetLine.objects.create(budget=budget, **values)
                else:
                    BudgetLine.objects.filter(pk=line["id"]).update(**values)
    except ProtectedError as error:
        raise ValidationError(_("A line with commitments or expenditure cannot be deleted.")) from error
    return budget


# ---------------------------------------------------------------------------- workflow


@transaction.atomic
def budget_review(*, budget: Budget, reviewed_on: dt.date | None, by: Any = None) -> Budget:
    """The Management Committee has reviewed the estimate (its comments stay on the budget)."""
    budget = _locked(budget)
    if budget.status != BudgetStatus.ESTIMATE:
        raise _wrong_status(
            budget,
            _(
                "Only an estimate can be marked as reviewed by the Management Committee; version %(version)s is "
                "%(status)s."
            ),
        )
    reviewed_on = _check_day(reviewed_on, field="reviewed_on", required=_("Give the date of the review."))
    if not budget.lines.filter(amount__gt=0).exists():
        raise ValidationError(_("The estimate has no amount yet: add its lines before the review."), code="empty")
    budget.status = BudgetStatus.REVIEWED
    budget.reviewed_on = reviewed_on
    budget.review_recorded_by = by
    budget.save(update_fields=["status", "reviewed_on", "review_recorded_by"])
    return budget


@transaction.atomic
def budget_circulate(*, budget: Budget, circulated_on: dt.date | None, by: Any = None) -> Budget:
    """The reviewed estimate was circulated to States."""
    budget = _locked(budget)
    if budget.status != BudgetStatus.REVIEWED:
        raise _wrong_status(
            budget,
            _(
                "Only a budget reviewed by the Management Committee can be circulated; version %(version)s is "
                "%(status)s."
            ),
        )
    circulated_on = _check_day(
        circulated_on, field="circulated_on", required=_("Give the date the budget was circulated.")
    )
    if budget.reviewed_on and circulated_on < budget.reviewed_on:
        raise ValidationError({"circulated_on": _("The budget cannot be circulated before its review.")})
    budget.status = BudgetStatus.CIRCULATED
    budget.circulated_on = circulated_on
    budget.circulation_recorded_by = by
    budget.save(update_fields=["status", "circulated_on", "circulation_recorded_by"])
    return budget


@transaction.atomic
def budget_adopt(*, budget: Budget, decision_reference: str, adopted_on: dt.date | None, by: Any = None) -> Budget:
    """The Conference adopted the circulated budget. A revision supersedes the version it revises,
    in the same transaction."""
    budget = _locked(budget)
    if budget.status != BudgetStatus.CIRCULATED:
        raise _wrong_status(
            budget,
            _("Only a budget circulated to States can be adopted; version %(version)s is %(status)s."),
        )
    reference = (decision_reference or "").strip()
    if not reference:
        raise ValidationError({"decision_reference": _("Give the reference of the Conference's decision.")})
    if len(reference) > 200:
        raise ValidationError({"decision_reference": _("The decision reference has at most 200 characters.")})
    adopted_on = _check_day(adopted_on, field="adopted_on", required=_("Give the date of adoption."))
    if budget.circulated_on and adopted_on < budget.circulated_on:
        raise ValidationError({"adopted_on": _("The budget cannot be adopted before it was circulated.")})
    current = (
        Budget.objects.select_for_update()
        .filter(fund=budget.fund_id, year=budget.year, status=BudgetStatus.ADOPTED)
        .exclude(pk=budget.pk)
        .first()
    )
    if current is not None:
        if current.pk != budget.revises_id:
            raise ValidationError(
                _("Version %(version)s of this budget is adopted and this version does not revise it."),
                params={"version": current.version},
            )
        current.status = BudgetStatus.SUPERSEDED
        current.save(update_fields=["status"])
    budget.status = BudgetStatus.ADOPTED
    budget.decision_reference = reference
    budget.adopted_on = adopted_on
    budget.adoption_recorded_by = by
    try:
        with transaction.atomic():
            budget.save(update_fields=["status", "decision_reference", "adopted_on", "adoption_recorded_by"])
    except IntegrityError as error:
        raise ValidationError(_("Another version of this budget was adopted at the same moment.")) from error
    return budget


@transaction.atomic
def budget_revise(*, budget: Budget, reason: str, created_by: Any) -> Budget:
    """A new version of the adopted budget (an estimate with the same lines), for the same steps
    again. The adopted version stays in force until the revision is adopted."""
    budget = _locked(budget)
    if budget.status != BudgetStatus.ADOPTED:
        raise _wrong_status(budget, _("Only the adopted budget can be revised; version %(version)s is %(status)s."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the revision.")})
    pending = Budget.objects.filter(revises=budget).first()
    if pending is not None:
        raise ValidationError(
            _("Version %(version)s already revises this budget; continue with it."),
            code="already_revised",
            params={"version": pending.version},
        )
    latest = Budget.objects.filter(fund=budget.fund_id, year=budget.year).aggregate(top=Max("version"))["top"]
    revision = Budget.objects.create(
        fund=budget.fund,
        year=budget.year,
        version=latest + 1,
        period_start=budget.period_start,
        period_end=budget.period_end,
        overrun_policy=budget.overrun_policy,
        revises=budget,
        revision_reason=reason,
        created_by=created_by,
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(budget=revision, code=line.code, title=line.title, pool=line.pool, amount=line.amount)
        for line in budget.lines.order_by("code")
    )
    return revision


@transaction.atomic
def budget_comment_add(*, budget: Budget, author: Any, body: str) -> BudgetComment:
    """A comment on a budget version (the Management Committee's review, staff notes); kept forever."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the comment first.")})
    if len(body) > COMMENT_LIMIT:
        raise ValidationError(
            {"body": _("A comment has at most %(limit)s characters.") % {"limit": f"{COMMENT_LIMIT:,}"}}
        )
    return BudgetComment.objects.create(budget=budget, author=author, body=body)
