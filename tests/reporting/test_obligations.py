"""Article 13 obligations and deadlines: the Secretariat's examples, properties, the configurable rule."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from secretariat.reporting.models import ReportingRule
from secretariat.reporting.obligations import (
    ObligationKind,
    ObligationStatus,
    first_anniversary,
    obligations_for,
    rule_for,
    status_on,
)
from secretariat.reporting.selectors import rule_in_force, state_obligations
from secretariat.states.models import State

FORWARD = [ObligationStatus.NOT_YET_DUE, ObligationStatus.DUE, ObligationStatus.OVERDUE]


def rule(**overrides) -> ReportingRule:
    """An unsaved rule with the defaults (the pure functions never query)."""
    return ReportingRule(**{"name": "Test rule", "effective_from": dt.date(2014, 12, 24), **overrides})


def party(deposit: dt.date, **fields) -> State:
    return State(iso3="XAA", deposit_date=deposit, **fields)


def by_key(obligations):
    return {(o.kind, o.year): o for o in obligations.obligations}


# ---------------------------------------------------------------------------- the examples


@pytest.mark.django_db
def test_it_gives_afghanistan_its_initial_and_2021_annual_deadlines():
    afghanistan = State.objects.get(iso3="AFG")
    assert afghanistan.entry_into_force == dt.date(2020, 10, 27)

    obligations = state_obligations(state=afghanistan, day=dt.date(2025, 6, 1))

    assert obligations.computable
    assert obligations.reason == ""
    due = by_key(obligations)
    assert due[("initial", None)].due_on == dt.date(2021, 10, 26)
    assert due[("annual", 2021)].due_on == dt.date(2022, 5, 31)
    assert due[("annual", 2021)].grace_ends_on == dt.date(2022, 6, 7)
    assert ("annual", 2020) not in due  # the first annual report covers the year after EIF
    assert [o.year for o in obligations.obligations] == [None, 2021, 2022, 2023, 2024, 2025]


def test_it_follows_the_secretariats_own_example_for_the_original_parties():
    obligations = obligations_for(party(dt.date(2014, 6, 3)), rule(), until=dt.date(2016, 12, 31))

    assert by_key(obligations)[("initial", None)].opens_on == dt.date(2014, 12, 24)
    assert by_key(obligations)[("initial", None)].due_on == dt.date(2015, 12, 23)
    # First annual reports were due in 2016, on 2015.
    assert by_key(obligations)[("annual", 2015)].due_on == dt.date(2016, 5, 31)


@pytest.mark.django_db
def test_it_cannot_compute_ecuador_whose_entry_into_force_is_not_known():
    ecuador = State.objects.get(iso3="ECU")

    obligations = state_obligations(state=ecuador, day=dt.date(2026, 6, 1))

    assert not obligations.computable
    assert obligations.obligations == ()
    assert obligations.reason == ecuador.entry_into_force_unknown_reason
    assert obligations.reason


@pytest.mark.django_db
def test_it_gives_a_signatory_no_obligation(django_assert_num_queries):
    angola = State.objects.get(iso3="AGO")
    assert angola.signature.known

    with django_assert_num_queries(0):
        obligations = state_obligations(state=angola, day=dt.date(2025, 6, 1))

    assert not obligations.computable
    assert obligations.reason == "Not a State Party"
    assert obligations.obligations == ()


def test_it_has_no_obligation_before_entry_into_force():
    obligations = obligations_for(party(dt.date(2024, 11, 1)), rule(), until=dt.date(2025, 1, 15))

    assert not obligations.computable
    assert obligations.reason == "Not a State Party"


def test_it_lists_the_current_year_as_not_yet_due():
    obligations = obligations_for(party(dt.date(2020, 7, 29)), rule(), until=dt.date(2025, 3, 1))

    rows = obligations.rows()
    assert rows[-1].obligation.year == 2025
    assert rows[-1].status == ObligationStatus.NOT_YET_DUE
    assert {row.obligation.year: row.status for row in rows}[2024] == ObligationStatus.DUE
    assert {row.obligation.year: row.status for row in rows}[2023] == ObligationStatus.OVERDUE


def test_it_ends_annual_obligations_after_the_year_a_withdrawal_takes_effect():
    state = party(dt.date(2015, 3, 1), withdrawal_notified_on=dt.date(2019, 11, 1))
    assert state.withdrawal_takes_effect == dt.date(2020, 1, 30)

    obligations = obligations_for(state, rule(), until=dt.date(2025, 6, 1))

    assert obligations.computable
    assert [o.year for o in obligations.obligations if o.kind == ObligationKind.ANNUAL] == list(range(2016, 2021))


def test_it_puts_the_anniversary_of_a_29_february_on_28_february():
    assert first_anniversary(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    state = party(dt.date(2023, 12, 1))  # EIF 2024-02-29
    assert state.entry_into_force == dt.date(2024, 2, 29)

    initial = obligations_for(state, rule(), until=dt.date(2025, 6, 1)).obligations[0]

    assert initial.due_on == dt.date(2025, 2, 27)


@pytest.mark.parametrize(
    ("submitted_on", "day", "expected"),
    [
        (dt.date(2022, 5, 31), dt.date(2022, 6, 30), ObligationStatus.SUBMITTED_ON_TIME),
        (dt.date(2022, 6, 7), dt.date(2022, 6, 30), ObligationStatus.SUBMITTED_IN_GRACE),
        (dt.date(2022, 6, 8), dt.date(2022, 6, 30), ObligationStatus.SUBMITTED_LATE),
        # A submission counts only from the day it is received.
        (dt.date(2022, 6, 8), dt.date(2022, 6, 7), ObligationStatus.DUE),
        (None, dt.date(2021, 12, 31), ObligationStatus.NOT_YET_DUE),
        (None, dt.date(2022, 1, 1), ObligationStatus.DUE),
        (None, dt.date(2022, 6, 7), ObligationStatus.DUE),
        (None, dt.date(2022, 6, 8), ObligationStatus.OVERDUE),
    ],
)
def test_it_gives_each_status_at_its_boundary(submitted_on, day, expected):
    annual = by_key(obligations_for(party(dt.date(2020, 7, 29)), rule(), until=dt.date(2022, 12, 31)))[("annual", 2021)]

    assert status_on(annual, day, submitted_on) == expected


# ---------------------------------------------------------------------------- the configurable rule


def test_a_new_rule_applies_to_obligations_that_open_from_its_effective_date():
    old = rule()
    new = rule(effective_from=dt.date(2024, 1, 1), annual_due_month=6, annual_due_day=30, grace_days=0)

    obligations = obligations_for(party(dt.date(2015, 3, 1)), [new, old], until=dt.date(2024, 7, 15))

    due = by_key(obligations)
    assert due[("annual", 2022)].due_on == dt.date(2023, 5, 31)  # opened in 2023: old rule
    assert due[("annual", 2022)].grace_ends_on == dt.date(2023, 6, 7)
    assert due[("annual", 2023)].due_on == dt.date(2024, 6, 30)  # opened in 2024: new rule
    assert due[("annual", 2023)].grace_ends_on == dt.date(2024, 6, 30)
    assert obligations.rule is new
    assert rule_for([new, old], dt.date(2023, 12, 31)) is old
    assert rule_for([new, old], dt.date(2010, 1, 1)) is old  # before every rule: the first


@pytest.mark.django_db
def test_a_rule_row_added_in_the_admin_changes_deadlines_and_statuses_from_its_date():
    afghanistan = State.objects.get(iso3="AFG")
    day = dt.date(2025, 6, 5)
    before = by_key(state_obligations(state=afghanistan, day=day))
    assert state_obligations(state=afghanistan, day=day).rows()[-2].status == ObligationStatus.DUE

    ReportingRule.objects.create(name="No grace from 2025", effective_from=dt.date(2025, 1, 1), grace_days=0)

    after = state_obligations(state=afghanistan, day=day)
    assert by_key(after)[("annual", 2024)].grace_ends_on == dt.date(2025, 5, 31)
    assert after.rows()[-2].obligation.year == 2024
    assert after.rows()[-2].status == ObligationStatus.OVERDUE
    assert by_key(after)[("annual", 2023)] == before[("annual", 2023)]  # earlier deadlines do not move
    assert rule_in_force(day).name == "No grace from 2025"
    assert rule_in_force(dt.date(2024, 12, 31)).effective_from == dt.date(2014, 12, 24)


@pytest.mark.django_db
def test_a_fresh_database_has_the_default_rule_with_its_history():
    default = ReportingRule.objects.get(effective_from=dt.date(2014, 12, 24))

    assert (default.initial_due_days_before_anniversary, default.annual_due_month, default.annual_due_day) == (1, 5, 31)
    assert (default.first_annual_year_offset, default.grace_days) == (1, 7)
    assert "UNVERIFIED" in default.source
    assert default.history.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_due_date_that_is_not_a_date_every_year():
    with pytest.raises(ValidationError):
        rule(effective_from=dt.date(2030, 1, 1), annual_due_month=2, annual_due_day=29).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        ReportingRule.objects.create(
            name="x", effective_from=dt.date(2030, 1, 1), annual_due_month=4, annual_due_day=31
        )
    assert not ReportingRule.objects.filter(effective_from=dt.date(2030, 1, 1)).exists()


@pytest.mark.django_db
def test_it_refuses_a_grace_period_over_90_days():
    with transaction.atomic(), pytest.raises(IntegrityError):
        ReportingRule.objects.create(name="x", effective_from=dt.date(2030, 1, 1), grace_days=91)
    rule(effective_from=dt.date(2030, 1, 1), grace_days=90).full_clean()


@pytest.mark.django_db
def test_it_reads_the_obligations_in_two_queries(django_assert_num_queries):
    afghanistan = State.objects.get(iso3="AFG")

    with django_assert_num_queries(2):
        state_obligations(state=afghanistan, day=dt.date(2025, 6, 1)).rows()


# ---------------------------------------------------------------------------- properties

deposits = st.dates(min_value=dt.date(2013, 6, 3), max_value=dt.date(2060, 12, 31))
rules = st.builds(
    rule,
    initial_due_days_before_anniversary=st.integers(0, 90),
    annual_due_month=st.integers(1, 12),
    annual_due_day=st.integers(1, 28),
    first_annual_year_offset=st.integers(0, 2),
    grace_days=st.integers(0, 90),
)


@settings(max_examples=200, deadline=None)
@given(deposit=deposits, terms=rules, extra_years=st.integers(0, 12))
def test_deadlines_strictly_increase_and_each_annual_one_falls_in_the_next_year(deposit, terms, extra_years):
    state = party(deposit)
    eif = state.entry_into_force
    obligations = obligations_for(state, terms, until=dt.date(eif.year + extra_years, 12, 31))

    annual = [o for o in obligations.obligations if o.kind == ObligationKind.ANNUAL]
    first = eif.year + terms.first_annual_year_offset
    assert [o.year for o in annual] == list(range(first, eif.year + extra_years + 1))
    for obligation in annual:
        assert obligation.due_on.year == obligation.year + 1
        assert obligation.opens_on <= obligation.due_on <= obligation.grace_ends_on
    dues = [o.due_on for o in annual]
    assert dues == sorted(set(dues))


@settings(max_examples=200, deadline=None)
@given(deposit=deposits, terms=rules)
def test_the_initial_deadline_is_within_the_first_year(deposit, terms):
    state = party(deposit)
    eif = state.entry_into_force
    initial = obligations_for(state, terms, until=eif).obligations[0]

    assert initial.kind == ObligationKind.INITIAL
    assert initial.opens_on == eif
    assert eif < initial.due_on <= first_anniversary(eif)
    assert first_anniversary(eif) - initial.due_on == dt.timedelta(days=terms.initial_due_days_before_anniversary)


@settings(max_examples=200, deadline=None)
@given(
    deposit=deposits,
    terms=rules,
    offsets=st.lists(st.integers(-400, 3000), min_size=2, max_size=12),
)
def test_statuses_only_move_forward_in_time(deposit, terms, offsets):
    state = party(deposit)
    eif = state.entry_into_force
    obligations = obligations_for(state, terms, until=dt.date(eif.year + 3, 12, 31))
    days = sorted(eif + dt.timedelta(days=offset) for offset in offsets)

    for obligation in obligations.obligations:
        ranks = [FORWARD.index(status_on(obligation, day)) for day in days]
        assert ranks == sorted(ranks)


@settings(max_examples=200, deadline=None)
@given(deposit=deposits, terms=rules, grace=st.integers(0, 90), offset=st.integers(-400, 1000))
def test_changing_the_grace_period_only_moves_the_due_overdue_boundary(deposit, terms, grace, offset):
    state = party(deposit)
    eif = state.entry_into_force
    until = dt.date(eif.year + 2, 12, 31)
    other = rule(
        initial_due_days_before_anniversary=terms.initial_due_days_before_anniversary,
        annual_due_month=terms.annual_due_month,
        annual_due_day=terms.annual_due_day,
        first_annual_year_offset=terms.first_annual_year_offset,
        grace_days=grace,
    )
    day = eif + dt.timedelta(days=offset)

    for one, two in zip(
        obligations_for(state, terms, until=until).obligations,
        obligations_for(state, other, until=until).obligations,
        strict=True,
    ):
        assert (one.kind, one.year, one.opens_on, one.due_on) == (two.kind, two.year, two.opens_on, two.due_on)
        before, after = status_on(one, day), status_on(two, day)
        if before != after:
            assert {before, after} == {ObligationStatus.DUE, ObligationStatus.OVERDUE}
            assert day > one.due_on
