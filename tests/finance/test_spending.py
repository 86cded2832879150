"""Spending against budget lines: commitments and expenditures with the overrun policy (warn with a
confirmation step, stop), their ledger postings, budget versus actual, and the staff ledger pages
(trial balance, general ledger)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format

from secretariat.finance import ledger
from secretariat.finance.ledger import EntrySpec, Line
from secretariat.finance.models import (
    AccountCode,
    Budget,
    Commitment,
    EntryKind,
    Expenditure,
    JournalEntry,
    JournalLine,
)
from secretariat.finance.selectors import ledger_views
from secretariat.finance.selectors import spending as selectors
from secretariat.finance.services import spending as services
from secretariat.finance.services.spending import OverrunNotConfirmed
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.finance.factories import BudgetFactory, BudgetLineFactory, adopted_budget, fund

pytestmark = pytest.mark.django_db

D = Decimal
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def officer():
    return UserFactory(email="finance.officer@example.org")


@pytest.fixture
def budget():
    return adopted_budget()  # General Budget 2026: SEC 2,000,000.00 and CSP 500,000.00


@pytest.fixture
def line(budget):
    return BudgetLineFactory(budget=budget, code="TRV", title="Travel", amount=D("1000.00"))


def stop(budget: Budget) -> Budget:
    Budget.objects.filter(pk=budget.pk).update(overrun_policy="stop")
    budget.refresh_from_db()
    return budget


def spend(line, amount, *, user, **kwargs):
    kwargs.setdefault("spent_on", DAY)
    kwargs.setdefault("description", "Flights")
    return services.expenditure_record(line=line, amount=D(amount), user=user, **kwargs)


def commit(line, amount, *, user, **kwargs):
    kwargs.setdefault("committed_on", DAY)
    kwargs.setdefault("description", "Travel agency contract")
    return services.commitment_record(line=line, amount=D(amount), user=user, **kwargs)


def written() -> tuple[int, int, int, int]:
    return (
        Commitment.objects.count(),
        Expenditure.objects.count(),
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
    )


# ---------------------------------------------------------------------------- postings


def test_an_expenditure_posts_dr_5100_on_its_line_and_cr_bank_in_one_entry(line, officer):
    expenditure = spend(line, "250.00", user=officer).record

    entry = expenditure.entry
    assert (entry.kind, entry.date, entry.total, entry.posted_by) == (EntryKind.EXPENDITURE, DAY, D("250.00"), officer)
    lines = sorted(entry.lines.values_list("account__code", "debit", "credit", "budget_line_id"))
    assert lines == [("1100", D("0.00"), D("250.00"), None), ("5100", D("250.00"), D("0.00"), line.pk)]


def test_balances_per_account_after_a_sequence_of_spending(budget, line, officer):
    sec = budget.lines.get(code="SEC")
    commitment = commit(line, "400.00", user=officer).record
    spend(line, "150.00", user=officer, commitment=commitment)
    spend(line, "100.00", user=officer)
    wrong = spend(sec, "75.50", user=officer).record
    ledger.reverse(wrong.entry, on=DAY, user=officer)
    spend(sec, "1200.25", user=officer)

    balances = ledger.account_balances(fund())
    assert balances[AccountCode.EXPENDITURE] == (D("1525.75"), D("75.50"))
    assert balances[AccountCode.BANK] == (D("75.50"), D("1525.75"))
    assert ledger.invariant_problems(fund()) == []
    travel, secretariat = selectors.line_position(line), selectors.line_position(sec)
    # The commitment still holds 400 - 150; spending is read from the ledger, the reversal included.
    assert (travel.committed, travel.spent, travel.available) == (D("250.00"), D("250.00"), D("500.00"))
    assert (secretariat.committed, secretariat.spent) == (D("0.00"), D("1200.25"))


def test_a_commitment_writes_no_ledger_entry(line, officer):
    commit(line, "400.00", user=officer, supplier="Agency")
    assert JournalEntry.objects.count() == 0
    assert selectors.line_position(line).committed == D("400.00")


# ---------------------------------------------------------------------------- overrun: stop


def test_stop_refuses_an_expenditure_over_the_line_naming_it_and_writes_nothing(budget, line, officer):
    stop(budget)
    commit(line, "300.00", user=officer)
    spend(line, "300.00", user=officer)
    before = written()

    with pytest.raises(ValidationError) as refused:
        spend(line, "400.01", user=officer)

    message = refused.value.messages[0]
    assert "TRV" in message
    assert "Travel" in message
    assert "1,000.00" in message  # the line's amount
    assert "400.00" in message  # what is left
    assert "0.01" in message  # by how much
    assert written() == before


def test_stop_allows_spending_up_to_the_cent(budget, line, officer):
    stop(budget)
    spend(line, "999.99", user=officer)
    spend(line, "0.01", user=officer)
    assert selectors.line_position(line).available == D("0.00")
    with pytest.raises(ValidationError, match="Refused"):
        commit(line, "0.01", user=officer)


def test_stop_also_applies_to_commitments(budget, line, officer):
    stop(budget)
    before = written()
    with pytest.raises(ValidationError, match="1,000.00"):
        commit(line, "1000.01", user=officer)
    assert written() == before


def test_an_expenditure_against_its_commitment_uses_the_commitment_first(budget, line, officer):
    stop(budget)
    commitment = commit(line, "800.00", user=officer).record
    spend(line, "800.00", user=officer, commitment=commitment)  # within the commitment: nothing added
    assert selectors.line_position(line).used == D("800.00")

    commitment_2 = commit(line, "150.00", user=officer).record
    # 150 held by the commitment + 60 beyond it: 800 + 150 + 60 > 1,000 → refused ...
    with pytest.raises(ValidationError, match="Refused"):
        spend(line, "210.00", user=officer, commitment=commitment_2)
    # ... but 200 (150 + 50 beyond) fits exactly.
    spend(line, "200.00", user=officer, commitment=commitment_2)
    position = selectors.line_position(line)
    assert (position.committed, position.spent, position.available) == (D("0.00"), D("1000.00"), D("0.00"))


# ---------------------------------------------------------------------------- overrun: warn


def test_warn_asks_for_a_confirmation_and_writes_nothing_until_given(line, officer):
    spend(line, "900.00", user=officer)
    before = written()

    with pytest.raises(OverrunNotConfirmed) as asked:
        spend(line, "150.00", user=officer)
    assert "I know this exceeds the line" in asked.value.messages[0]
    assert "TRV" in asked.value.messages[0]
    assert written() == before

    recorded = spend(line, "150.00", user=officer, overrun_confirmed=True)
    assert recorded.record.pk is not None
    assert "exceeded by 50.00" in recorded.warning
    assert selectors.line_position(line).available == D("-50.00")


def test_warn_within_the_line_gives_no_warning(line, officer):
    assert spend(line, "1000.00", user=officer).warning is None


def test_closing_a_commitment_releases_what_it_held(budget, line, officer):
    stop(budget)
    commitment = commit(line, "900.00", user=officer).record
    with pytest.raises(ValidationError, match="Refused"):
        spend(line, "200.00", user=officer)
    services.commitment_close(commitment=commitment, user=officer)
    commitment.refresh_from_db()
    assert (commitment.closed, commitment.closed_by) == (True, officer)
    assert commitment.closed_at is not None
    spend(line, "200.00", user=officer)
    with pytest.raises(ValidationError, match="already closed"):
        services.commitment_close(commitment=commitment, user=officer)
    with pytest.raises(ValidationError, match="closed"):
        spend(line, "10.00", user=officer, commitment=commitment)


def test_an_expenditure_may_close_its_commitment(line, officer):
    commitment = commit(line, "500.00", user=officer).record
    spend(line, "420.00", user=officer, commitment=commitment, close_commitment=True)
    commitment.refresh_from_db()
    assert (commitment.closed, commitment.closed_by) == (True, officer)
    assert commitment.closed_at is not None
    assert selectors.line_position(line).committed == D("0.00")


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": D("0")}, "more than zero"),
        ({"amount": D("-5.00")}, "more than zero"),
        ({"amount": D("1.005")}, "to the cent"),
        ({"spent_on": None}, "Give the date"),
        ({"description": "  "}, "Give a description"),
        ({"spent_on": dt.date(2025, 12, 31)}, "within the budget's period"),
    ],
)
def test_bad_expenditures_are_refused_and_nothing_is_written(line, officer, changes, message):
    kwargs = {"line": line, "spent_on": DAY, "description": "Flights", "amount": D("10.00"), "user": officer}
    kwargs.update(changes)
    with pytest.raises(ValidationError, match=message):
        services.expenditure_record(**kwargs)
    assert written() == (0, 0, 0, 0)


def test_a_date_in_the_future_is_refused(officer):
    today = timezone.localdate()
    budget = adopted_budget(year=today.year + 1)
    future_line = budget.lines.get(code="SEC")
    with pytest.raises(ValidationError, match="future"):
        spend(future_line, "10.00", user=officer, spent_on=today + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="future"):
        commit(future_line, "10.00", user=officer, committed_on=today + dt.timedelta(days=1))
    assert written() == (0, 0, 0, 0)


def test_only_lines_of_the_adopted_budget_take_spending(officer):
    estimate = BudgetFactory(year=2026, status="estimate")
    estimate_line = BudgetLineFactory(budget=estimate, code="SEC", amount=D("100.00"))
    with pytest.raises(ValidationError, match="adopted budget only"):
        spend(estimate_line, "10.00", user=officer)
    with pytest.raises(ValidationError, match="adopted budget only"):
        commit(estimate_line, "10.00", user=officer)
    assert written() == (0, 0, 0, 0)


def test_a_commitment_of_another_line_is_refused(budget, line, officer):
    other = commit(budget.lines.get(code="SEC"), "100.00", user=officer).record
    with pytest.raises(ValidationError, match="not on budget line TRV"):
        spend(line, "10.00", user=officer, commitment=other)
    assert Expenditure.objects.count() == 0


# ---------------------------------------------------------------------------- concurrency (PostgreSQL)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_expenditures_cannot_both_pass_a_stop_check():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")
    from importlib import import_module

    from django.apps import apps

    import_module("secretariat.finance.migrations.0002_funds_accounts_rules_triggers").create_reference(apps, None)
    officer = UserFactory(email="concurrent.officer@example.org")
    line = BudgetLineFactory(budget=stop(adopted_budget()), code="TRV", amount=D("1000.00"))
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            spend(line, "600.00", user=officer)
            outcomes.append("recorded")
        except ValidationError as error:
            outcomes.append(error.messages[0][:8])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Refused:", "recorded"]
    assert Expenditure.objects.count() == 1
    assert selectors.line_position(line).spent == D("600.00")


# ---------------------------------------------------------------------------- budget versus actual


def test_budget_vs_actual_per_line_and_totals(budget, line, officer):
    sec = budget.lines.get(code="SEC")
    commit(sec, "300000.00", user=officer)
    spend(sec, "450000.00", user=officer)
    commitment = commit(line, "600.00", user=officer).record
    spend(line, "250.00", user=officer, commitment=commitment)

    report = selectors.budget_vs_actual(fund(), 2026)

    rows = {row.line.code: row for row in report.rows}
    assert [row.line.code for row in report.rows] == ["CSP", "SEC", "TRV"]
    assert (rows["SEC"].budgeted, rows["SEC"].committed, rows["SEC"].spent) == (
        D("2000000.00"),
        D("300000.00"),
        D("450000.00"),
    )
    assert (rows["SEC"].available, rows["SEC"].used_percent) == (D("1250000.00"), D("37.5"))
    assert (rows["TRV"].committed, rows["TRV"].spent, rows["TRV"].available) == (D("350.00"), D("250.00"), D("400.00"))
    assert rows["TRV"].used_percent == D("60.0")
    assert (rows["CSP"].spent, rows["CSP"].used_percent) == (D("0.00"), D("0.0"))
    assert (report.budgeted, report.committed, report.spent) == (D("2501000.00"), D("300350.00"), D("450250.00"))
    assert report.available == D("1750400.00")
    assert selectors.budget_vs_actual(fund(), 2027) is None


def test_spending_on_an_earlier_version_counts_against_the_revised_line(budget, officer):
    spend(budget.lines.get(code="SEC"), "1000.00", user=officer)
    Budget.objects.filter(pk=budget.pk).update(status="superseded")
    revised = BudgetFactory(
        year=2026, version=2, revises=budget, status="adopted", adopted_on=DAY, decision_reference="ATT/CSP/REV"
    )
    BudgetLineFactory(budget=revised, code="SEC", title="Secretariat costs", amount=D("1500.00"))

    report = selectors.budget_vs_actual(fund(), 2026)

    assert report.budget == revised
    assert [(row.line.code, row.spent, row.available) for row in report.rows] == [("SEC", D("1000.00"), D("500.00"))]
    with pytest.raises(ValidationError, match="adopted budget only"):
        spend(budget.lines.get(code="SEC"), "1.00", user=officer)


# ---------------------------------------------------------------------------- pages


@pytest.fixture
def finance_client(client, make_persona):
    return sign_in(client, make_persona("staff_finance"))


def test_the_expenditure_form_asks_to_confirm_an_overrun_before_saving(finance_client, line, officer):
    spend(line, "900.00", user=officer)
    url = f"/finance/spending/lines/{line.pk}/expenditures/new/"
    data = {"spent_on": "2026-03-05", "description": "Extra flight", "amount": "150.00"}

    page = finance_client.get(url)
    assert page.status_code == 200
    assert "I know this exceeds the line" not in page.content.decode()

    first = finance_client.post(url, data)
    assert first.status_code == 200
    assert "Nothing was saved yet" in first.content.decode()
    assert 'name="overrun_confirmed"' in first.content.decode()
    assert Expenditure.objects.count() == 1

    second = finance_client.post(url, {**data, "overrun_confirmed": "on"}, follow=True)
    assert second.redirect_chain[-1][0] == f"/finance/spending/lines/{line.pk}/"
    assert "exceeded by 50.00" in second.content.decode()
    assert Expenditure.objects.count() == 2
    assert Expenditure.objects.filter(
        description="Extra flight", created_by__email="staff-finance@example.org"
    ).exists()


def test_the_expenditure_form_shows_a_stop_refusal_and_saves_nothing(finance_client, budget, line):
    stop(budget)
    url = f"/finance/spending/lines/{line.pk}/expenditures/new/"
    response = finance_client.post(
        url, {"spent_on": "2026-03-05", "description": "Too much", "amount": "1000.01", "overrun_confirmed": "on"}
    )
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert "Refused" in response.content.decode()
    assert written() == (0, 0, 0, 0)


def test_the_commitment_form_records_and_the_line_page_lists_it(finance_client, line):
    response = finance_client.post(
        f"/finance/spending/lines/{line.pk}/commitments/new/",
        {"committed_on": "2026-02-01", "supplier": "Agency", "description": "Framework contract", "amount": "300"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/finance/spending/lines/{line.pk}/"
    page = response.content.decode()
    assert "Framework contract" in page
    assert "The commitment was recorded." in page
    commitment = Commitment.objects.get()
    assert (commitment.supplier, commitment.amount, commitment.budget_line) == ("Agency", D("300.00"), line)

    closed = finance_client.post(f"/finance/spending/commitments/{commitment.pk}/close/", follow=True)
    assert "what it still held is available again" in closed.content.decode()
    commitment.refresh_from_db()
    assert commitment.closed
    assert commitment.closed_by is not None
    closed_on = date_format(timezone.localtime(commitment.closed_at), "DATE_FORMAT")
    assert f"Closed {closed_on}, {commitment.closed_by}" in closed.content.decode()


def test_the_management_committee_reads_budget_vs_actual_and_its_csv_but_records_nothing(
    client, make_persona, budget, line, officer
):
    spend(line, "250.00", user=officer)
    sign_in(client, make_persona("management_committee"))

    page = client.get("/finance/spending/?fund=general&year=2026")
    assert page.status_code == 200
    assert "Record a commitment" not in page.content.decode()
    assert "250.00" in page.content.decode()

    download = client.get("/finance/spending/budget-vs-actual.csv?fund=general&year=2026")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["code", "title", "budgeted", "committed", "spent", "available", "used_percent"]
    assert rows[3] == ["TRV", "Travel", "1000.00", "0.00", "250.00", "750.00", "25.0"]
    assert rows[-1][:6] == ["TOTAL", "", "2501000.00", "0.00", "250.00", "2500750.00"]

    assert client.get(f"/finance/spending/lines/{line.pk}/expenditures/new/").status_code == 403
    assert client.get("/finance/spending/budget-vs-actual.csv?fund=vtf&year=2026").status_code == 404


def test_the_trial_balance_page_has_equal_totals(client, make_persona, budget, line, officer):
    spend(line, "250.00", user=officer)
    spend(budget.lines.get(code="SEC"), "1000.10", user=officer, spent_on=dt.date(2026, 4, 1))
    sign_in(client, make_persona("management_committee"))

    page = client.get("/finance/ledger/general/?on=2026-03-31")
    assert page.status_code == 200
    balance = page.context["balance"]
    assert balance.balanced
    assert (balance.debit, balance.credit) == (D("250.00"), D("250.00"))  # the April entry is after the date
    rows = {row.account.code: row for row in balance.rows}
    assert (rows["5100"].debit_balance, rows["1100"].credit_balance) == (D("250.00"), D("250.00"))
    assert len(balance.rows) == 9  # every account of the chart, even those without entries

    later = ledger_views.trial_balance(fund(), end=dt.date(2026, 12, 31))
    assert (later.debit, later.credit, later.debit_balance, later.credit_balance) == (
        D("1250.10"),
        D("1250.10"),
        D("1250.10"),
        D("1250.10"),
    )


def test_the_general_ledger_filters_and_pages(client, make_persona, line, officer):
    entries = [
        EntrySpec(
            date=dt.date(2026, 1, 1) + dt.timedelta(days=n),
            kind=EntryKind.OPENING,
            memo=f"Opening {n}",
            lines=[Line(AccountCode.BANK, debit=D("1.00")), Line(AccountCode.NET_ASSETS, credit=D("1.00"))],
        )
        for n in range(55)
    ]
    ledger.post(fund(), entries, user=officer)
    spend(line, "250.00", user=officer)
    sign_in(client, make_persona("staff_finance"))

    first = client.get("/finance/ledger/general/entries/")
    assert first.context["page"].paginator.count == 56
    assert len(first.context["page"].object_list) == 50
    second = client.get("/finance/ledger/general/entries/?page=2")
    assert [entry.number for entry in second.context["page"]] == list(range(51, 57))

    by_account = client.get("/finance/ledger/general/entries/?account=5100")
    assert [entry.kind for entry in by_account.context["page"]] == ["expenditure"]
    assert "TRV Flights" in by_account.content.decode()
    by_kind = client.get("/finance/ledger/general/entries/?kind=opening&start=2026-01-10&end=2026-01-19")
    assert by_kind.context["page"].paginator.count == 10
    wrong = client.get("/finance/ledger/general/entries/?start=2026-02-01&end=2026-01-01")
    assert wrong.context["page"] is None
    assert "cannot end before it starts" in wrong.content.decode()
    assert client.get("/finance/ledger/nope/entries/").status_code == 404


@pytest.mark.parametrize("persona", ["state_a_rep", "donor_rep", "vtf_committee", "staff_reporting"])
def test_spending_and_ledger_pages_are_refused_outside_finance(client, make_persona, line, persona):
    sign_in(client, make_persona(persona))
    for url in ("/finance/spending/", f"/finance/spending/lines/{line.pk}/", "/finance/ledger/general/"):
        assert client.get(url).status_code == 403, url
