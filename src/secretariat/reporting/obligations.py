"""Article 13 reporting obligations and their deadlines: pure functions, no database queries.

For a State Party with a known entry into force (EIF):
- the initial report (Art. 13(1)) opens on the EIF and is due on the first anniversary of the
  EIF minus `initial_due_days_before_anniversary` days (the Secretariat's example: EIF
  24 Dec 2014 -> due 23 Dec 2015);
- an annual report (Art. 13(3)) on each calendar year from EIF.year + `first_annual_year_offset`
  opens on 1 January of the following year and is due on `annual_due_month`/`annual_due_day` of
  that year (31 May);
- each deadline is followed by `grace_days` of grace.

The rule is a `ReportingRule` row (or anything with the same attributes, see `RuleTerms`).
Given several rules, each obligation follows the rule in force on the day it opens, so a rule
change never moves the deadline of an obligation that had already arisen.

Extension point for submissions: `status_on(obligation, day, submitted_on)` and
`ObligationSet.rows()` take the submission date of each obligation from a mapping
`{(kind, year): date}` (`Submissions`). Nothing is submitted online yet, so the selectors pass an
empty mapping; the report module will fill it from its Report rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from secretariat.states.models import State


class ObligationKind(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    ANNUAL = "annual", _("Annual report")


class ObligationStatus(models.TextChoices):
    NOT_YET_DUE = "not_yet_due", _("Not yet due")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    SUBMITTED_ON_TIME = "submitted_on_time", _("Submitted on time")
    SUBMITTED_IN_GRACE = "submitted_in_grace", _("Submitted in the grace period")
    SUBMITTED_LATE = "submitted_late", _("Submitted late")


class RuleTerms(Protocol):
    """What the arithmetic needs from a rule (a `models.ReportingRule` has all of it)."""

    name: str
    effective_from: dt.date
    initial_due_days_before_anniversary: int
    annual_due_month: int
    annual_due_day: int
    first_annual_year_offset: int
    grace_days: int


# (kind, year) -> the day the report was received; year is None for the initial report.
ObligationKey = tuple[str, int | None]
Submissions = Mapping[ObligationKey, dt.date]


@dataclass(frozen=True)
class Obligation:
    state_id: int | None
    kind: str  # ObligationKind
    year: int | None  # the calendar year covered (annual); None for the initial report
    opens_on: dt.date
    due_on: dt.date
    grace_ends_on: dt.date

    @property
    def key(self) -> ObligationKey:
        return (self.kind, self.year)

    @property
    def kind_label(self) -> str:
        return str(ObligationKind(self.kind).label)


@dataclass(frozen=True)
class ObligationRow:
    obligation: Obligation
    status: ObligationStatus
    submitted_on: dt.date | None = None


@dataclass(frozen=True)
class ObligationSet:
    """A State's obligations up to `until`, or the reason they cannot be computed."""

    state_id: int | None
    until: dt.date
    computable: bool
    reason: str = ""
    obligations: tuple[Obligation, ...] = ()
    rule: RuleTerms | None = None  # the rule in force on `until`
    submissions: Submissions = field(default_factory=dict)

    def rows(self, day: dt.date | None = None) -> list[ObligationRow]:
        """Each obligation with its status on `day` (default: `until`)."""
        day = day or self.until
        rows = []
        for obligation in self.obligations:
            submitted_on = self.submissions.get(obligation.key)
            rows.append(ObligationRow(obligation, status_on(obligation, day, submitted_on), submitted_on))
        return rows


# ---------------------------------------------------------------------------- the arithmetic


def rule_for(rules: RuleTerms | Sequence[RuleTerms], day: dt.date) -> RuleTerms:
    """The rule in force on `day`: the latest `effective_from` on or before it. Before the first
    rule, the first rule applies (nothing is due before the Treaty's own entry into force)."""
    if not isinstance(rules, Sequence):
        return rules
    if not rules:
        raise ValueError("at least one reporting rule is needed")
    ordered = sorted(rules, key=lambda rule: rule.effective_from)
    in_force = ordered[0]
    for rule in ordered:
        if rule.effective_from <= day:
            in_force = rule
    return in_force


def first_anniversary(eif: dt.date) -> dt.date:
    """EIF + 1 year. An EIF on 29 February has its anniversary on 28 February (the next year is
    always a common year): the last day that is still within "the first year", so the deadline
    never slips into March."""
    try:
        return eif.replace(year=eif.year + 1)
    except ValueError:
        return dt.date(eif.year + 1, 2, 28)


def initial_obligation(state_id: int | None, eif: dt.date, rule: RuleTerms) -> Obligation:
    due_on = first_anniversary(eif) - dt.timedelta(days=rule.initial_due_days_before_anniversary)
    return Obligation(
        state_id=state_id,
        kind=ObligationKind.INITIAL,
        year=None,
        opens_on=eif,
        due_on=due_on,
        grace_ends_on=due_on + dt.timedelta(days=rule.grace_days),
    )


def annual_obligation(state_id: int | None, year: int, rule: RuleTerms) -> Obligation:
    due_on = dt.date(year + 1, rule.annual_due_month, rule.annual_due_day)
    return Obligation(
        state_id=state_id,
        kind=ObligationKind.ANNUAL,
        year=year,
        opens_on=dt.date(year + 1, 1, 1),
        due_on=due_on,
        grace_ends_on=due_on + dt.timedelta(days=rule.grace_days),
    )


def not_computable_reason(state: State, until: dt.date) -> str:
    """Why no obligation can be computed for `state` on `until`, or "" when they can."""
    eif = state.entry_into_force
    if eif is not None:
        return "" if eif <= until else str(_("Not a State Party"))
    earliest = state.earliest_possible_entry_into_force
    if state.has_deposited and earliest is not None and earliest <= until:
        return state.entry_into_force_unknown_reason or str(_("The entry into force is not known."))
    return str(_("Not a State Party"))


def obligations_for(state: State, rule: RuleTerms | Sequence[RuleTerms], *, until: dt.date) -> ObligationSet:
    """The State's reporting obligations that have arisen or arise in the year of `until`.

    `rule` is one rule, or every rule (each obligation then follows the rule in force on the day
    it opens). The annual report on the year of `until` is listed (not yet due). A withdrawal
    ends annual obligations after the year in which it takes effect.
    """
    reason = not_computable_reason(state, until)
    if reason:
        return ObligationSet(state_id=state.pk, until=until, computable=False, reason=reason)
    eif = state.entry_into_force
    assert eif is not None  # noqa: S101 - not_computable_reason() returned "" only with an EIF
    obligations = [initial_obligation(state.pk, eif, rule_for(rule, eif))]
    last_year = until.year
    withdrawn = state.withdrawal_takes_effect
    if withdrawn is not None:
        last_year = min(last_year, withdrawn.year)
    year = eif.year + rule_for(rule, eif).first_annual_year_offset
    while year <= last_year:
        obligations.append(annual_obligation(state.pk, year, rule_for(rule, dt.date(year + 1, 1, 1))))
        year += 1
    return ObligationSet(
        state_id=state.pk,
        until=until,
        computable=True,
        obligations=tuple(obligations),
        rule=rule_for(rule, until),
    )


def status_on(obligation: Obligation, day: dt.date, submitted_on: dt.date | None = None) -> ObligationStatus:
    """The obligation's status on `day`. A submission counts only from the day it was received."""
    if submitted_on is not None and submitted_on <= day:
        if submitted_on <= obligation.due_on:
            return ObligationStatus.SUBMITTED_ON_TIME
        if submitted_on <= obligation.grace_ends_on:
            return ObligationStatus.SUBMITTED_IN_GRACE
        return ObligationStatus.SUBMITTED_LATE
    if day < obligation.opens_on:
        return ObligationStatus.NOT_YET_DUE
    if day <= obligation.grace_ends_on:
        return ObligationStatus.DUE
    return ObligationStatus.OVERDUE
