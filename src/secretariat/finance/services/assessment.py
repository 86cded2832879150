"""Assessed contributions: each cost pool shared among its assessed States in proportion to their UN
scale rates, rescaled to 100%, optionally with a floor and a ceiling, rounded to the cent so that
every pool sums exactly to its amount.

The arithmetic is exact (`fractions.Fraction`): a share is rate / Σ rates with no rounding at all;
only the amounts are rounded, to the cent, by the largest-remainder method. `compute_assessment` is
pure (no database access: it is given the States, their rates and the States in attendance);
`assessment_prepare` reads those through the selectors, and `assessment_run_create` saves the result
as a draft run for staff approval.

Who is assessed (DOMAIN.md §3.2 marks the rules unverified, so they come from the rule set):
- Secretariat costs: the States Parties on the assessment date, i.e. `State.status_on(date)` is
  PARTY. A State the registry records as a Party although its entry into force is not known
  (`entry_into_force is None`, status PARTY from the recorded status) IS assessed, and listed as a
  warning. A State that deposited an instrument but whose status on the date cannot be determined
  (status UNKNOWN) is NOT assessed, and listed as a warning, so staff complete the registry and run
  the assessment again. Neither is ever silently included or dropped.
- Conference costs: the States in attendance entered for the year (`ConferenceAttendance`), or the
  States Parties, per the rule set.
- A State without a UN rate for the scale year (not a UN member: Holy See, State of Palestine,
  Niue, Cook Islands …) cannot be assessed by the scale: it is left out of the pool and listed.
- A pool with an amount but no State to share it is not assessed, and listed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.states.models import State, TreatyStatus

from ..models import (
    AssessmentLine,
    AssessmentRuleSet,
    AssessmentRun,
    Budget,
    BudgetStatus,
    ConferenceAttendance,
    CostPool,
    FundCode,
    RunStatus,
)
from ..models.common import CENT, MONEY_DIGITS
from ..selectors import assessment as selectors
from ..selectors.budgets import budget_pool_amounts

SHARE_PLACES = 14  # AssessmentLine.share has 14 decimal places
POOLS = (CostPool.SECRETARIAT, CostPool.CONFERENCE)
MAX_AMOUNT = Decimal(10 ** (MONEY_DIGITS - 2)) - CENT


# ---------------------------------------------------------------------------- exact arithmetic


def bounded_shares(
    weights: Mapping[str, Fraction], *, floor: Fraction | None = None, ceiling: Fraction | None = None
) -> dict[str, Fraction]:
    """Shares proportional to `weights` that sum exactly to 1, each kept between `floor` and
    `ceiling` (fractions of the pool, None for no bound).

    The bounds redistribute exactly: a share outside them is clamped and what is left is shared
    among the others in proportion to their weights, until nothing moves. The result of that
    repetition is share = clip(λ·weight, floor, ceiling) with the one λ that makes the shares sum
    to 1; λ is found exactly on the piecewise-linear sum (its corners are floor/weight and
    ceiling/weight). Raises ValidationError when the bounds cannot be met (floor × n > 100% or
    ceiling × n < 100%) or when there is no weight to share by.
    """
    keys = list(weights)
    count = len(keys)
    if count == 0:
        return {}
    if floor is not None and floor * count > 1:
        raise ValidationError(
            _(
                "A minimum share of %(floor)s%% for each of %(count)s States would take more than 100%% of "
                "the pool; lower the minimum in the rule set."
            ),
            code="floor_too_high",
            params={"floor": _percent(floor), "count": count},
        )
    if ceiling is not None and ceiling * count < 1:
        raise ValidationError(
            _(
                "A maximum share of %(ceiling)s%% for each of %(count)s States cannot make up 100%% of the "
                "pool; raise the maximum in the rule set."
            ),
            code="ceiling_too_low",
            params={"ceiling": _percent(ceiling), "count": count},
        )
    low = floor if floor is not None else Fraction(0)

    def clip(key: str, scale: Fraction) -> Fraction:
        value = scale * weights[key]
        if value < low:
            return low
        if ceiling is not None and value > ceiling:
            return ceiling
        return value

    def mass(scale: Fraction) -> Fraction:
        return sum((clip(key, scale) for key in keys), Fraction(0))

    if mass(Fraction(0)) >= 1:  # floor × n is exactly 100%: everyone pays the floor
        return dict.fromkeys(keys, low)
    corners = sorted(
        {low / weights[key] for key in keys if weights[key] > 0}
        | ({ceiling / weights[key] for key in keys if weights[key] > 0} if ceiling is not None else set())
    )
    before = Fraction(0)
    after: Fraction | None = None
    for corner in corners:
        if mass(corner) >= 1:
            after = corner
            break
        before = corner
    # Between `before` and `after` the sum is linear in λ: fixed shares plus λ × the free weights.
    inside = before + 1 if after is None else (before + after) / 2
    free = [
        key
        for key in keys
        if weights[key] > 0 and low < inside * weights[key] and (ceiling is None or inside * weights[key] < ceiling)
    ]
    free_weight = sum((weights[key] for key in free), Fraction(0))
    if free_weight == 0:
        raise ValidationError(
            _("The pool cannot be shared: the assessed States' UN rates are all zero."), code="no_weight"
        )
    fixed = sum((clip(key, inside) for key in keys if key not in free), Fraction(0))
    scale = (1 - fixed) / free_weight
    shares = {key: clip(key, scale) for key in keys}
    if sum(shares.values()) != 1:  # pragma: no cover - the construction guarantees it
        raise AssertionError("bounded shares do not sum to 1")
    return shares


def largest_remainder(amount: Decimal, shares: Mapping[str, Fraction]) -> dict[str, Decimal]:
    """`amount` split by `shares` (which sum to 1) into cents that sum exactly to `amount`.

    Everyone gets the cents below their exact share; the cents left over go one each to the
    largest remainders. Ties go to the larger share, then to the key (the ISO3 code) in
    alphabetical order, so the result never depends on the order of the input.
    """
    if not shares:
        return {}
    if sum(shares.values()) != 1:
        raise ValueError("shares must sum to 1")
    total_cents = int(amount / CENT)
    if Decimal(total_cents) * CENT != amount:
        raise ValueError("amount must be whole cents")
    exact = {key: share * total_cents for key, share in shares.items()}
    cents = {key: math.floor(value) for key, value in exact.items()}
    left = total_cents - sum(cents.values())
    ranked = sorted(shares, key=lambda key: (-(exact[key] - cents[key]), -shares[key], key))
    for key in ranked[:left]:
        cents[key] += 1
    return {key: Decimal(value) * CENT for key, value in cents.items()}


def fraction_to_decimal(value: Fraction, places: int = SHARE_PLACES) -> Decimal:
    """`value` rounded half-to-even to `places` decimals."""
    scaled = round(value * 10**places)
    return Decimal(scaled).scaleb(-places)


def _percent(fraction: Fraction) -> str:
    return f"{fraction_to_decimal(fraction * 100, 5).normalize():f}"


def percent_to_fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value) / 100


def clean_amount(value: Any, *, label: str | None = None) -> Decimal:
    """A positive amount to the cent; anything else raises ValidationError with a clear message."""
    what = label or _("The amount")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(
            _("%(what)s must be a number, not %(value)s."), code="amount", params={"what": what, "value": value}
        ) from error
    if not amount.is_finite():
        raise ValidationError(_("%(what)s must be a number."), code="amount", params={"what": what})
    if amount <= 0:
        raise ValidationError(_("%(what)s must be more than zero."), code="amount", params={"what": what})
    if amount != amount.quantize(CENT):
        raise ValidationError(_("%(what)s must be given to the cent."), code="amount", params={"what": what})
    if amount > MAX_AMOUNT:
        raise ValidationError(_("%(what)s is too large."), code="amount", params={"what": what})
    return amount.quantize(CENT)


# ---------------------------------------------------------------------------- the computation


@dataclass(frozen=True)
class ComputedLine:
    pool: str
    state_id: int
    iso3: str
    name: str
    un_rate: Decimal
    share: Fraction  # of the pool
    amount: Decimal

    @property
    def share_decimal(self) -> Decimal:
        return fraction_to_decimal(self.share)


@dataclass(frozen=True)
class StateTotal:
    state_id: int
    iso3: str
    name: str
    un_rate: Decimal
    amount: Decimal
    share: Fraction  # of the run: Σ (exact pool share × pool amount) / run total

    @property
    def share_decimal(self) -> Decimal:
        return fraction_to_decimal(self.share)


@dataclass
class Computation:
    year: int
    assessment_date: dt.date
    scale_year: int
    rules: dict[str, Any]
    pools: dict[str, Decimal]  # the amounts asked for, per pool
    lines: list[ComputedLine] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def pool_total(self, pool: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.pool == pool), Decimal("0.00"))

    def state_totals(self) -> list[StateTotal]:
        """One row per assessed State (all pools together), in ISO3 order."""
        total = self.total
        rows: dict[str, dict[str, Any]] = {}
        for line in self.lines:
            row = rows.setdefault(
                line.iso3,
                {"line": line, "amount": Decimal("0.00"), "exact": Fraction(0)},
            )
            row["amount"] += line.amount
            row["exact"] += line.share * Fraction(self.pools[line.pool])
        return [
            StateTotal(
                state_id=row["line"].state_id,
                iso3=iso3,
                name=row["line"].name,
                un_rate=row["line"].un_rate,
                amount=row["amount"],
                share=row["exact"] / Fraction(total),
            )
            for iso3, row in sorted(rows.items())
        ]

    def warning_messages(self) -> list[str]:
        return [warning_message(warning) for warning in self.warnings]


def rules_snapshot(rule_set: AssessmentRuleSet) -> dict[str, Any]:
    """What a run records of the rules it used (the rule set may change later)."""
    return {
        "id": rule_set.pk,
        "name": rule_set.name,
        "secretariat_states": rule_set.secretariat_states,
        "conference_states": rule_set.conference_states,
        "scale_year_offset": rule_set.scale_year_offset,
        "floor_percent": None if rule_set.floor_percent is None else str(rule_set.floor_percent),
        "ceiling_percent": None if rule_set.ceiling_percent is None else str(rule_set.ceiling_percent),
        "notes": rule_set.notes,
        "updated_at": rule_set.updated_at.isoformat() if rule_set.updated_at else None,
    }


def _pool_label(pool: str) -> str:
    return str(CostPool(pool).label)


def warning_message(warning: Mapping[str, Any]) -> str:
    """A stored warning (a dict with a `code`) as a sentence in the reader's language."""
    code = warning.get("code")
    params = {key: value for key, value in warning.items() if key != "code"}
    if "pool" in params:
        params["pool"] = _pool_label(params["pool"])
    if code == "party_eif_unknown":
        return (
            _(
                "%(name)s (%(iso3)s) is assessed as a State Party although its entry into force is not known "
                "(%(detail)s). Check the registry."
            )
            % params
        )
    if code == "status_unknown":
        return (
            _(
                "%(name)s (%(iso3)s) is NOT assessed: its status on the assessment date cannot be determined "
                "(%(detail)s). Complete the registry and make a new run if it was a State Party."
            )
            % params
        )
    if code == "no_rate":
        return (
            _("%(name)s (%(iso3)s) is NOT assessed for %(pool)s: it has no UN scale rate for %(scale_year)s.") % params
        )
    if code == "empty_pool":
        return _("%(pool)s (%(amount)s) are NOT assessed: %(why)s") % {
            **params,
            "why": _("no State in attendance is entered for %(year)s.") % params
            if params.get("why") == "no_attendance"
            else _("none of the States to share them has a UN scale rate."),
        }
    if code == "bounds":
        return (
            _(
                "%(pool)s: %(raised)s States pay the minimum share and %(lowered)s the maximum share of the rule "
                "set; the rest of the pool is shared among the others in proportion to their UN rates."
            )
            % params
        )
    return str(warning)


def _candidates(states: Iterable[State], *, assessment_date: dt.date, warnings: list[dict[str, Any]]) -> list[State]:
    """The States Parties on the assessment date; the doubtful cases are listed in `warnings`."""
    parties = []
    for state in states:
        answer = state.status_on(assessment_date)
        if answer.status == TreatyStatus.PARTY:
            parties.append(state)
            if state.entry_into_force is None:
                warnings.append(
                    {
                        "code": "party_eif_unknown",
                        "iso3": state.iso3,
                        "name": state.name_en,
                        "detail": answer.reason or state.entry_into_force_unknown_reason,
                    }
                )
        elif answer.status == TreatyStatus.UNKNOWN and state.has_deposited:
            warnings.append(
                {"code": "status_unknown", "iso3": state.iso3, "name": state.name_en, "detail": answer.reason}
            )
    return parties


def compute_assessment(
    *,
    pools: Mapping[str, Decimal],
    year: int,
    assessment_date: dt.date,
    rule_set: AssessmentRuleSet,
    states: Iterable[State],
    rates: Mapping[int, Decimal],
    attendance: Collection[int],
) -> Computation:
    """The assessment of `pools` (amount per cost pool) for financial `year`: pure, reads nothing.

    `states`: every State of the registry; `rates`: UN scale rate (percent) per State id for the
    scale year (`year` + the rule set's offset); `attendance`: ids of the States in attendance.
    Raises ValidationError when nothing can be assessed or the rule set's bounds are impossible.
    """
    amounts = {pool: Decimal(pools.get(pool) or 0) for pool in POOLS}
    for pool, amount in amounts.items():
        if amount < 0 or amount != amount.quantize(CENT):
            raise ValidationError(
                _("%(pool)s must be a positive amount to the cent."), params={"pool": _pool_label(pool)}
            )
    if not any(amounts.values()):
        raise ValidationError(_("There is nothing to assess: every cost pool is zero."), code="nothing")
    scale_year = year + rule_set.scale_year_offset
    if not rates:
        raise ValidationError(
            _("There are no UN scale rates for %(year)s; import the UN scale first."),
            code="no_rates",
            params={"year": scale_year},
        )
    computation = Computation(
        year=year,
        assessment_date=assessment_date,
        scale_year=scale_year,
        rules=rules_snapshot(rule_set),
        pools={pool: amount for pool, amount in amounts.items() if amount > 0},
    )
    states = sorted(states, key=lambda state: state.iso3)
    parties: list[State] | None = None
    floor = percent_to_fraction(rule_set.floor_percent)
    ceiling = percent_to_fraction(rule_set.ceiling_percent)
    for pool in POOLS:
        amount = amounts[pool]
        if amount == 0:
            continue
        rule = rule_set.secretariat_states if pool == CostPool.SECRETARIAT else rule_set.conference_states
        if rule == "attendance":
            members = [state for state in states if state.pk in attendance]
        else:
            if parties is None:
                parties = _candidates(states, assessment_date=assessment_date, warnings=computation.warnings)
            members = parties
        rated = []
        for state in members:
            if rates.get(state.pk) is None:
                computation.warnings.append(
                    {
                        "code": "no_rate",
                        "pool": pool,
                        "iso3": state.iso3,
                        "name": state.name_en,
                        "scale_year": scale_year,
                    }
                )
            else:
                rated.append(state)
        if not rated:
            computation.pools.pop(pool)
            computation.warnings.append(
                {
                    "code": "empty_pool",
                    "pool": pool,
                    "amount": f"{amount:,.2f}",
                    "year": year,
                    "why": "no_attendance" if not members else "no_rates",
                }
            )
            continue
        weights = {state.iso3: Fraction(rates[state.pk]) for state in rated}
        try:
            shares = bounded_shares(weights, floor=floor, ceiling=ceiling)
        except ValidationError as error:
            raise ValidationError(
                _("%(pool)s: %(problem)s") % {"pool": _pool_label(pool), "problem": " ".join(error.messages)},
                code=error.error_list[0].code,
            ) from error
        at_floor = sum(1 for share in shares.values() if floor is not None and share == floor)
        at_ceiling = sum(1 for share in shares.values() if ceiling is not None and share == ceiling)
        if at_floor or at_ceiling:
            computation.warnings.append({"code": "bounds", "pool": pool, "raised": at_floor, "lowered": at_ceiling})
        split = largest_remainder(amount, shares)
        computation.lines.extend(
            ComputedLine(
                pool=pool,
                state_id=state.pk,
                iso3=state.iso3,
                name=state.name_en,
                un_rate=rates[state.pk],
                share=shares[state.iso3],
                amount=split[state.iso3],
            )
            for state in rated
        )
    if not computation.lines:
        raise ValidationError([_("Nothing can be assessed."), *computation.warning_messages()], code="nothing_assessed")
    return computation


# ---------------------------------------------------------------------------- reading inputs, saving runs


def _check_date(assessment_date: dt.date) -> None:
    if assessment_date > timezone.localdate():
        raise ValidationError(
            {"assessment_date": _("The assessment date cannot be in the future.")}, code="future_date"
        )


def _assessable_budget(budget: Budget) -> Budget:
    if budget.status != BudgetStatus.ADOPTED:
        raise ValidationError(
            _("Only an adopted budget can be assessed; version %(version)s of %(budget)s is %(status)s."),
            code="not_adopted",
            params={
                "version": budget.version,
                "budget": f"{budget.fund} {budget.year}",
                "status": budget.get_status_display().lower(),
            },
        )
    if budget.fund.code != FundCode.GENERAL:
        raise ValidationError(
            _("Only the General Budget is assessed; the %(fund)s is funded by voluntary contributions."),
            code="not_general",
            params={"fund": budget.fund},
        )
    return budget


def assessment_prepare(
    *,
    rule_set: AssessmentRuleSet,
    assessment_date: dt.date,
    budget: Budget | None = None,
    year: int | None = None,
    amounts: Mapping[str, Decimal] | None = None,
) -> Computation:
    """Compute (without saving) the assessment of an adopted budget, or of explicit `amounts` per
    pool for `year` (the command's `--amount`). Raises ValidationError with a clear message."""
    _check_date(assessment_date)
    if (budget is None) == (amounts is None):
        raise ValueError("give either a budget or amounts")
    if budget is not None:
        _assessable_budget(budget)
        year = budget.year
        pools = budget_pool_amounts(budget)
    else:
        if year is None:
            raise ValueError("explicit amounts need a year")
        pools = {pool: clean_amount(value) for pool, value in amounts.items() if value is not None}
    inputs = selectors.assessment_inputs(year=year, scale_year=year + rule_set.scale_year_offset)
    return compute_assessment(
        pools=pools,
        year=year,
        assessment_date=assessment_date,
        rule_set=rule_set,
        states=inputs.states,
        rates=inputs.rates,
        attendance=inputs.attendance,
    )


@transaction.atomic
def assessment_run_compute_and_save(
    *,
    rule_set: AssessmentRuleSet,
    assessment_date: dt.date,
    created_by: Any,
    budget: Budget | None = None,
    year: int | None = None,
    amounts: Mapping[str, Decimal] | None = None,
) -> tuple[AssessmentRun, Computation]:
    """Save the assessment as a draft run (with its lines, warnings and a copy of the rules);
    returns the run and the exact computation it was made from."""
    if budget is not None:
        budget = Budget.objects.select_for_update(of=("self",)).select_related("fund").get(pk=budget.pk)
    rule_set = AssessmentRuleSet.objects.select_for_update().get(pk=rule_set.pk)
    computation = assessment_prepare(
        rule_set=rule_set, assessment_date=assessment_date, budget=budget, year=year, amounts=amounts
    )
    run = AssessmentRun.objects.create(
        year=computation.year,
        budget=budget,
        rule_set=rule_set,
        rules_used=computation.rules,
        assessment_date=assessment_date,
        scale_year=computation.scale_year,
        total=computation.total,
        warnings=computation.warnings,
        status=RunStatus.DRAFT,
        created_by=created_by,
    )
    AssessmentLine.objects.bulk_create(
        AssessmentLine(
            run=run,
            state_id=line.state_id,
            pool=line.pool,
            un_rate=line.un_rate,
            share=line.share_decimal,
            amount=line.amount,
        )
        for line in computation.lines
    )
    return run, computation


def assessment_run_create(
    *,
    rule_set: AssessmentRuleSet,
    assessment_date: dt.date,
    created_by: Any,
    budget: Budget | None = None,
    year: int | None = None,
    amounts: Mapping[str, Decimal] | None = None,
) -> AssessmentRun:
    """Save the assessment of an adopted budget (or of explicit amounts for a year) as a draft run."""
    run, _computation = assessment_run_compute_and_save(
        rule_set=rule_set,
        assessment_date=assessment_date,
        created_by=created_by,
        budget=budget,
        year=year,
        amounts=amounts,
    )
    return run


def _locked_run(run: AssessmentRun) -> AssessmentRun:
    return AssessmentRun.objects.select_for_update(of=("self",)).select_related("budget").get(pk=run.pk)


@transaction.atomic
def assessment_run_approve(*, run: AssessmentRun, approved_by: Any) -> AssessmentRun:
    """A draft run becomes approved (ready for its invoices). Refused when its budget has been
    superseded by a revision since, or when another run of the year is already approved or issued."""
    run = _locked_run(run)
    if run.status != RunStatus.DRAFT:
        raise ValidationError(
            _("Only a draft run can be approved; this run is %(status)s."),
            code="not_draft",
            params={"status": run.get_status_display().lower()},
        )
    if run.budget is not None and run.budget.status != BudgetStatus.ADOPTED:
        raise ValidationError(
            _(
                "The budget of this run is no longer the adopted version (it is %(status)s); cancel this run "
                "and assess the adopted version."
            ),
            code="budget_superseded",
            params={"status": run.budget.get_status_display().lower()},
        )
    other = (
        AssessmentRun.objects.select_for_update()
        .filter(year=run.year, status__in=[RunStatus.APPROVED, RunStatus.ISSUED])
        .exclude(pk=run.pk)
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("Run %(run)s of %(year)s is already %(status)s; cancel it first if this run replaces it."),
            code="other_approved",
            params={"run": other.pk, "year": run.year, "status": other.get_status_display().lower()},
        )
    run.status = RunStatus.APPROVED
    run.approved_by = approved_by
    run.approved_at = timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    return run


@transaction.atomic
def assessment_run_cancel(*, run: AssessmentRun, cancelled_by: Any) -> AssessmentRun:
    """A draft or approved run (not yet invoiced) is cancelled; it stays on record."""
    run = _locked_run(run)
    if run.status not in (RunStatus.DRAFT, RunStatus.APPROVED):
        raise ValidationError(
            _("Only a draft or approved run can be cancelled; this run is %(status)s."),
            code="not_cancellable",
            params={"status": run.get_status_display().lower()},
        )
    run.status = RunStatus.CANCELLED
    run.cancelled_by = cancelled_by
    run.cancelled_at = timezone.now()
    run.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    return run


# ---------------------------------------------------------------------------- rule sets and attendance

RULE_FIELDS = (
    "name",
    "is_default",
    "secretariat_states",
    "conference_states",
    "scale_year_offset",
    "floor_percent",
    "ceiling_percent",
    "notes",
)


def _clean_rules(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {name: data.get(name) for name in RULE_FIELDS}
    cleaned["name"] = (cleaned["name"] or "").strip()
    cleaned["notes"] = (cleaned["notes"] or "").strip()
    cleaned["is_default"] = bool(cleaned["is_default"])
    cleaned["scale_year_offset"] = int(cleaned["scale_year_offset"] or 0)
    errors: dict[str, list[str]] = {}
    if not cleaned["name"]:
        errors.setdefault("name", []).append(_("Give the rule set a name."))
    if not -5 <= cleaned["scale_year_offset"] <= 5:
        errors.setdefault("scale_year_offset", []).append(_("The UN scale year must be within 5 years."))
    for name in ("floor_percent", "ceiling_percent"):
        value = cleaned[name]
        if value is not None and not Decimal("0") < value <= Decimal("100"):
            errors.setdefault(name, []).append(_("A share in percent must be more than 0 and at most 100."))
    floor, ceiling = cleaned["floor_percent"], cleaned["ceiling_percent"]
    if floor is not None and ceiling is not None and floor > ceiling:
        errors.setdefault("ceiling_percent", []).append(_("The maximum share cannot be below the minimum share."))
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def rule_set_save(*, data: Mapping[str, Any], rule_set: AssessmentRuleSet | None = None) -> AssessmentRuleSet:
    """Create or change a rule set. Making one the default takes the flag from the previous default
    (in the same transaction); the default cannot simply be unset — make another the default."""
    cleaned = _clean_rules(data)
    if rule_set is not None:
        rule_set = AssessmentRuleSet.objects.select_for_update().get(pk=rule_set.pk)
        if rule_set.is_default and not cleaned["is_default"]:
            raise ValidationError(
                {"is_default": _("One rule set must stay the default: make another rule set the default instead.")}
            )
    if AssessmentRuleSet.objects.filter(name=cleaned["name"]).exclude(pk=getattr(rule_set, "pk", None)).exists():
        raise ValidationError({"name": _("Another rule set already has this name.")})
    if cleaned["is_default"]:
        AssessmentRuleSet.objects.select_for_update().filter(is_default=True).exclude(
            pk=getattr(rule_set, "pk", None)
        ).update(is_default=False)
    if rule_set is None:
        rule_set = AssessmentRuleSet(**cleaned)
    else:
        for name, value in cleaned.items():
            setattr(rule_set, name, value)
    rule_set.full_clean(validate_unique=False)
    rule_set.save()
    return rule_set


def parse_iso3_codes(text: str) -> list[str]:
    """ISO3 codes pasted by staff: separated by spaces, commas, semicolons or new lines."""
    for separator in ",;\t\r\n":
        text = text.replace(separator, " ")
    codes = []
    for word in text.split():
        code = word.strip().upper()
        if code and code not in codes:
            codes.append(code)
    return codes


@transaction.atomic
def attendance_add(
    *, year: int, entered_by: Any, states: Iterable[State] = (), iso3_codes: str = "", source: str = ""
) -> tuple[int, int]:
    """Record States in attendance for `year` (from a selection and/or pasted ISO3 codes).
    Returns (added, already there). An unknown code refuses the whole list (nothing written)."""
    if not 2014 <= year <= 2200:
        raise ValidationError({"year": _("Give a financial year between 2014 and 2200.")})
    wanted = {state.pk: state for state in states}
    codes = parse_iso3_codes(iso3_codes or "")
    if codes:
        found = {state.iso3: state for state in State.objects.filter(iso3__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                {
                    "iso3_codes": _("Unknown ISO3 codes: %(codes)s. Nothing was recorded.")
                    % {"codes": ", ".join(unknown)}
                }
            )
        wanted.update({state.pk: state for state in found.values()})
    if not wanted:
        raise ValidationError(_("Choose States or paste their ISO3 codes."))
    present = set(
        ConferenceAttendance.objects.filter(year=year, state_id__in=wanted).values_list("state_id", flat=True)
    )
    new = [
        ConferenceAttendance(year=year, state=state, source=(source or "").strip()[:200], entered_by=entered_by)
        for pk, state in wanted.items()
        if pk not in present
    ]
    ConferenceAttendance.objects.bulk_create(new, ignore_conflicts=True)
    return len(new), len(present)


@transaction.atomic
def attendance_remove(*, attendance_id: int) -> None:
    deleted, _detail = ConferenceAttendance.objects.filter(pk=attendance_id).delete()
    if not deleted:
        raise ValidationError(_("This State is no longer in the list."))
