"""The Treaty's rules on entry into force and status (Art. 21-24), as properties and examples."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from secretariat.states.models import (
    TREATY_ENTRY_INTO_FORCE,
    RecordedStatus,
    State,
    TreatyStatus,
    entry_into_force_for_deposit,
)

OPENED = dt.date(2013, 6, 3)
days = st.dates(min_value=OPENED, max_value=dt.date(2040, 12, 31))


def state(**fields):
    """An unsaved State: the rules are pure functions of its fields."""
    return State(iso3="XAA", iso2="XA", iso_numeric="900", name_en="Testland", **fields)


@pytest.mark.parametrize(
    ("deposit", "expected"),
    [
        (dt.date(2014, 3, 19), dt.date(2014, 12, 24)),  # Albania, before the Treaty entered into force
        (dt.date(2014, 12, 23), dt.date(2014, 12, 24)),
        (dt.date(2020, 7, 29), dt.date(2020, 10, 27)),  # Afghanistan, UNTC date of effect
        (dt.date(2018, 10, 19), dt.date(2019, 1, 17)),  # Suriname, UN Statement of Treaties Oct 2018
        (dt.date(2022, 12, 2), dt.date(2023, 3, 2)),  # Andorra
    ],
)
def test_entry_into_force_examples(deposit, expected):
    assert entry_into_force_for_deposit(deposit) == expected


@given(days)
def test_entry_into_force_is_never_before_the_treaty_and_at_most_90_days_after_deposit(deposit):
    eif = entry_into_force_for_deposit(deposit)
    assert eif >= TREATY_ENTRY_INTO_FORCE
    assert eif >= deposit
    assert (eif - deposit).days <= 90 or deposit < TREATY_ENTRY_INTO_FORCE


@given(days, days)
def test_entry_into_force_never_goes_backwards(first, second):
    earlier, later = sorted((first, second))
    assert entry_into_force_for_deposit(earlier) <= entry_into_force_for_deposit(later)


@given(signature=days, gap=st.integers(0, 3000), probe=days)
def test_status_follows_signature_then_entry_into_force(signature, gap, probe):
    deposit = signature + dt.timedelta(days=gap)
    subject = state(signature_date=signature, deposit_date=deposit, instrument="ratification")
    eif = subject.entry_into_force
    status = subject.status_on(probe).status
    if probe < signature:
        assert status == TreatyStatus.NOT_JOINED
    elif probe < eif:
        assert status == TreatyStatus.SIGNATORY
    else:
        assert status == TreatyStatus.PARTY


@given(deposit=days, probe=days)
def test_an_acceding_state_is_not_joined_until_entry_into_force(deposit, probe):
    subject = state(deposit_date=deposit, instrument="accession")
    expected = TreatyStatus.PARTY if probe >= subject.entry_into_force else TreatyStatus.NOT_JOINED
    assert subject.status_on(probe).status == expected


@given(deposit=days, notice_after=st.integers(0, 2000), probe=days)
def test_withdrawal_takes_effect_90_days_after_notice(deposit, notice_after, probe):
    subject = state(deposit_date=deposit, instrument="accession")
    notice = subject.entry_into_force + dt.timedelta(days=notice_after)
    subject.withdrawal_notified_on = notice
    effective = notice + dt.timedelta(days=90)
    status = subject.status_on(probe).status
    if probe >= effective:
        assert status == TreatyStatus.NOT_JOINED
    elif probe >= subject.entry_into_force:
        assert status == TreatyStatus.PARTY


def test_a_later_withdrawal_date_in_the_notice_is_honoured():
    subject = state(
        deposit_date=dt.date(2015, 1, 1),
        withdrawal_notified_on=dt.date(2020, 1, 1),
        withdrawal_effective_on=dt.date(2021, 1, 1),
    )
    assert subject.status_on(dt.date(2020, 6, 1)).status == TreatyStatus.PARTY
    assert subject.status_on(dt.date(2021, 1, 1)).status == TreatyStatus.NOT_JOINED


@given(year=st.integers(2014, 2030), month=st.integers(1, 12), probe=days)
def test_a_month_only_deposit_is_never_guessed(year, month, probe):
    partial = f"{year}-{month:02d}"
    subject = state(deposit_date_partial=partial, instrument="accession")
    first_day = dt.date(year, month, 1)
    if year == 2014 and month < 12:
        # Every day of the month is before 24 Dec 2014: the answer is the same for all of them.
        assert subject.entry_into_force == TREATY_ENTRY_INTO_FORCE
        return
    assert subject.entry_into_force is None
    assert partial in subject.entry_into_force_unknown_reason
    status = subject.status_on(probe).status
    if probe < entry_into_force_for_deposit(first_day):
        assert status == TreatyStatus.NOT_JOINED
    else:
        assert status == TreatyStatus.UNKNOWN


def test_a_party_with_no_deposit_date_is_a_party_only_from_the_day_the_source_recorded_it():
    subject = state(
        instrument="accession", recorded_status=RecordedStatus.PARTY, recorded_status_as_of=dt.date(2026, 11, 1)
    )
    assert subject.entry_into_force is None
    assert subject.status_on(dt.date(2014, 6, 1)).status == TreatyStatus.NOT_JOINED
    assert subject.status_on(dt.date(2026, 6, 1)).status == TreatyStatus.UNKNOWN
    answer = subject.status_on(dt.date(2026, 11, 2))
    assert answer.status == TreatyStatus.PARTY
    assert "1 November 2026" in answer.reason


def test_a_month_only_signature_is_unknown_within_that_month():
    subject = state(signature_date_partial="2014-12", recorded_status=RecordedStatus.SIGNATORY)
    assert subject.status_on(dt.date(2014, 11, 30)).status == TreatyStatus.NOT_JOINED
    assert subject.status_on(dt.date(2014, 12, 10)).status == TreatyStatus.UNKNOWN
    assert subject.status_on(dt.date(2015, 1, 1)).status == TreatyStatus.SIGNATORY


def test_a_repudiated_signature_ends_signatory_status():
    subject = state(signature_date=dt.date(2013, 9, 25), signature_repudiated_on=dt.date(2019, 7, 18))
    assert subject.status_on(dt.date(2019, 7, 17)).status == TreatyStatus.SIGNATORY
    assert subject.status_on(dt.date(2019, 7, 18)).status == TreatyStatus.NOT_JOINED


def test_treaty_events_are_in_date_order():
    subject = state(
        signature_date=dt.date(2013, 6, 3),
        deposit_date=dt.date(2014, 6, 3),
        instrument="ratification",
        art23_declaration="yes",
        art23_date=dt.date(2014, 6, 3),
    )
    events = subject.treaty_events()
    assert [event.date for event in events] == ["2013-06-03", "2014-06-03", "2014-06-03", "2014-12-24"]
    assert "ratification" in events[2].label or "ratification" in events[1].label


@pytest.mark.django_db
def test_the_database_refuses_a_date_and_a_partial_date_for_the_same_event(state_a):
    state_a.deposit_date = dt.date(2015, 1, 1)
    state_a.deposit_date_partial = "2015-01"
    with pytest.raises(IntegrityError), transaction.atomic():
        state_a.save()


@pytest.mark.django_db
def test_the_database_refuses_a_malformed_partial_date(state_a):
    State.objects.filter(pk=state_a.pk).update(deposit_date=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        State.objects.filter(pk=state_a.pk).update(deposit_date_partial="2015-13")
