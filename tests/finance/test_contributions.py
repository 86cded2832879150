"""The status of contributions on a date (selectors/contributions.py): the figures before and after
payments, credit notes and reversals; the ORM answer equals the hand-written SQL; a fixed number
of queries; the summary ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secretariat.finance import ledger
from secretariat.finance.ledger import EntrySpec, Line
from secretariat.finance.models import AccountCode, EntryKind, FundCode
from secretariat.finance.selectors.ageing import receivables_ageing
from secretariat.finance.selectors.contributions import (
    Amounts,
    ContributionFigures,
    contribution_status,
    contribution_status_sql,
    summary_ledger,
)
from secretariat.finance.services import invoices as invoice_services
from secretariat.finance.services import payments as payment_services
from secretariat.states.models import State
from tests.factories import UserFactory
from tests.finance.factories import fund, issued_invoices

pytestmark = pytest.mark.django_db


def amounts_of(figures: ContributionFigures) -> dict[tuple[str, int], tuple[D, D, D, D]]:
    return {
        (state.iso3, year): (a.assessed, a.credited, a.received, a.outstanding)
        for state in figures.states
        for year, a in state.years
    }


def credits_of(figures: ContributionFigures) -> dict[str, D]:
    return {state.iso3: state.credit_held for state in figures.states if state.credit_held}


def check_against_sql_and_ledger(as_of: dt.date) -> ContributionFigures:
    """The ORM figures on `as_of`, after checking that the SQL gives the same and that each
    State's outstanding equals the ledger's open balances on that date (the ageing)."""
    figures = contribution_status(as_of=as_of)
    assert figures == contribution_status_sql(as_of=as_of), as_of
    open_per_state: dict[str, D] = {}
    for aged in receivables_ageing(fund(), as_of=as_of):
        open_per_state[aged.iso3] = open_per_state.get(aged.iso3, D("0")) + aged.open_balance
    outstanding = {state.iso3: state.total.outstanding for state in figures.states if state.total.outstanding}
    assert outstanding == open_per_state, as_of
    return figures


def test_figures_before_and_after_credit_notes_payments_and_reversals():
    user = UserFactory()
    invoices = issued_invoices({"GHA": "1000.00", "MEX": "5000.00"}, issued_on=dt.date(2025, 10, 15), user=user)
    ghana, mexico = invoices["GHA"].state, invoices["MEX"].state
    invoice_services.credit_note_issue(
        invoice=invoices["GHA"], amount=D("100.00"), reason="Rate corrected", user=user, issued_on=dt.date(2025, 11, 1)
    )
    payment_services.payment_record(
        fund=fund(), state=mexico, received_on=dt.date(2026, 1, 10), amount=D("3000.00"), user=user
    )
    ghana_payment = payment_services.payment_record(
        fund=fund(), state=ghana, received_on=dt.date(2026, 2, 1), amount=D("1200.00"), user=user
    )
    payment_services.allocation_reverse(allocation=ghana_payment.allocations.get(), user=user, on=dt.date(2026, 3, 1))

    assert check_against_sql_and_ledger(dt.date(2025, 10, 14)).states == ()
    figures = check_against_sql_and_ledger(dt.date(2025, 10, 15))
    assert amounts_of(figures) == {
        ("GHA", 2026): (D("1000.00"), D("0.00"), D("0.00"), D("1000.00")),
        ("MEX", 2026): (D("5000.00"), D("0.00"), D("0.00"), D("5000.00")),
    }
    assert amounts_of(check_against_sql_and_ledger(dt.date(2025, 11, 1)))[("GHA", 2026)] == (
        D("1000.00"),
        D("100.00"),
        D("0.00"),
        D("900.00"),
    )
    figures = check_against_sql_and_ledger(dt.date(2026, 1, 10))
    assert amounts_of(figures)[("MEX", 2026)] == (D("5000.00"), D("0.00"), D("3000.00"), D("2000.00"))
    assert credits_of(figures) == {}
    # Ghana pays 1,200: 900 settles its invoice, 300 stays as its credit.
    figures = check_against_sql_and_ledger(dt.date(2026, 2, 15))
    assert amounts_of(figures)[("GHA", 2026)] == (D("1000.00"), D("100.00"), D("900.00"), D("0.00"))
    assert credits_of(figures) == {"GHA": D("300.00")}
    assert figures.total == Amounts(D("6000.00"), D("100.00"), D("3900.00"))
    assert figures.total.outstanding == D("2000.00")
    # The allocation is reversed on 1 March: from then on the money is Ghana's credit again.
    figures = check_against_sql_and_ledger(dt.date(2026, 3, 1))
    assert amounts_of(figures)[("GHA", 2026)] == (D("1000.00"), D("100.00"), D("0.00"), D("900.00"))
    assert credits_of(figures) == {"GHA": D("1200.00")}
    assert figures.credit_held == D("1200.00")
    # ...but the status on an earlier date still says what the books said then.
    assert amounts_of(contribution_status(as_of=dt.date(2026, 2, 28)))[("GHA", 2026)][2] == D("900.00")


def _varied_history(user) -> list[dt.date]:
    """Five States over three financial years: partial payments, overpayments, credit notes,
    reversed allocations and payments, and a payment from a State never invoiced. Returns the
    dates on which something happened."""
    iso3s = ["GHA", "MEX", "CRI", "CHE", "JPN"]
    amounts = {"GHA": "250.10", "MEX": "11370.55", "CRI": "630.03", "CHE": "10290.00", "JPN": "69300.99"}
    issued = {}
    for year in (2023, 2024, 2025):
        issued[year] = issued_invoices(amounts, year=year, issued_on=dt.date(year - 1, 10, 20), user=user)
    states = {state.iso3: state for state in State.objects.filter(iso3__in=[*iso3s, "TUV"])}

    def pay(iso3: str, day: dt.date, amount: str, **kwargs):
        return payment_services.payment_record(
            fund=fund(), state=states[iso3], received_on=day, amount=D(amount), user=user, **kwargs
        )

    invoice_services.credit_note_issue(
        invoice=issued[2023]["CRI"],
        amount=D("30.03"),
        reason="Scale corrected",
        user=user,
        issued_on=dt.date(2023, 2, 1),
    )
    pay("GHA", dt.date(2023, 1, 5), "250.10")  # on time, in full
    pay("MEX", dt.date(2023, 6, 30), "5000.00")  # partly, late
    pay("MEX", dt.date(2024, 3, 1), "20000.00")  # the rest of 2023, and 2024 in part
    pay("CHE", dt.date(2022, 12, 15), "30000.00")  # pays three years ahead: a credit until invoiced
    wrong = pay("JPN", dt.date(2023, 4, 1), "1000.00")
    for allocation in wrong.allocations.all():
        payment_services.allocation_reverse(allocation=allocation, user=user, on=dt.date(2023, 4, 10))
    payment_services.payment_reverse(payment=wrong, user=user, on=dt.date(2023, 4, 11))
    pay("JPN", dt.date(2024, 7, 1), "100000.00")
    pay("TUV", dt.date(2024, 8, 1), "10.00")  # never invoiced: credit only
    spare = pay("CRI", dt.date(2024, 9, 1), "700.00", allocate=False)
    payment_services.allocation_make(payment=spare, invoice=issued[2024]["CRI"], amount=D("600.00"), user=user)
    invoice_services.credit_note_issue(
        invoice=issued[2025]["GHA"], amount=D("50.00"), reason="Rounding", user=user, issued_on=dt.date(2025, 1, 31)
    )
    payment_services.allocations_oldest_first(payment=spare, user=user)
    return sorted(
        {
            dt.date(2022, 10, 19),
            dt.date(2022, 10, 20),
            dt.date(2022, 12, 15),
            dt.date(2023, 1, 5),
            dt.date(2023, 2, 1),
            dt.date(2023, 4, 1),
            dt.date(2023, 4, 10),
            dt.date(2023, 4, 11),
            dt.date(2023, 6, 30),
            dt.date(2023, 10, 20),
            dt.date(2024, 3, 1),
            dt.date(2024, 7, 1),
            dt.date(2024, 8, 1),
            dt.date(2024, 9, 1),
            dt.date(2025, 1, 31),
            dt.date(2026, 12, 31),
        }
    )


def test_the_orm_and_the_hand_written_sql_agree_on_a_varied_history():
    dates = _varied_history(UserFactory())
    assert ledger.invariant_problems(fund()) == []
    for day in dates:
        check_against_sql_and_ledger(day)
    figures = contribution_status(as_of=dt.date(2026, 12, 31))
    assert credits_of(figures)["TUV"] == D("10.00")
    tuvalu = next(state for state in figures.states if state.iso3 == "TUV")
    assert tuvalu.years == ()
    assert amounts_of(figures)[("CRI", 2023)] == (D("630.03"), D("30.03"), D("100.00"), D("500.00"))
    # Switzerland's early payment went to its oldest invoices, each on the day it was issued.
    switzerland = next(state for state in figures.states if state.iso3 == "CHE")
    assert [a.outstanding for _y, a in switzerland.years] == [D("0.00"), D("0.00"), D("870.00")]
    assert amounts_of(contribution_status(as_of=dt.date(2023, 10, 19)))[("CHE", 2023)][3] == D("0.00")
    assert credits_of(contribution_status(as_of=dt.date(2023, 10, 19)))["CHE"] == D("19710.00")
    # Japan's reversed payment counted only between its allocation and the reversal.
    assert amounts_of(contribution_status(as_of=dt.date(2023, 4, 5)))[("JPN", 2023)][2] == D("1000.00")
    assert amounts_of(contribution_status(as_of=dt.date(2023, 4, 10)))[("JPN", 2023)][2] == D("0.00")


def test_the_number_of_queries_does_not_grow_with_the_states():
    user = UserFactory()
    iso3s = list(State.objects.order_by("iso3").values_list("iso3", flat=True))
    issued_invoices(dict.fromkeys(iso3s[:2], "10.00"), year=2024, issued_on=dt.date(2023, 10, 1), user=user)
    counts = []
    for states in (2, 40):
        if states == 40:
            issued_invoices(dict.fromkeys(iso3s[2:40], "10.00"), year=2025, issued_on=dt.date(2024, 10, 1), user=user)
            for state in State.objects.filter(iso3__in=iso3s[:40]):
                payment_services.payment_record(
                    fund=fund(), state=state, received_on=dt.date(2025, 2, 1), amount=D("15.00"), user=user
                )
        with CaptureQueriesContext(connection) as queries:
            figures = contribution_status(as_of=dt.date(2025, 12, 31))
        assert len(figures.states) == states
        counts.append(len(queries))
    assert counts[0] == counts[1] == 3, counts  # the fund, the ledger, the State names


def test_the_frozen_form_reads_back_identical():
    dates = _varied_history(UserFactory())
    figures = contribution_status(as_of=dates[-1])
    assert ContributionFigures.from_json(figures.to_json()) == figures
    assert figures.to_json()["totals"]["outstanding"] == str(figures.total.outstanding)
    only_2024 = figures.for_year(2024)
    assert only_2024.financial_years == [2024]
    assert {state.iso3 for state in only_2024.states} == {"GHA", "MEX", "CRI", "CHE", "JPN"}


def test_summary_ledger_totals_by_fund_and_period():
    user = UserFactory()
    invoices = issued_invoices({"GHA": "1000.00", "MEX": "500.00"}, year=2026, issued_on=dt.date(2025, 10, 1))
    invoice_services.credit_note_issue(
        invoice=invoices["MEX"], amount=D("20.00"), reason="Corrected", user=user, issued_on=dt.date(2025, 11, 1)
    )
    payment = payment_services.payment_record(
        fund=fund(), state=invoices["GHA"].state, received_on=dt.date(2026, 1, 15), amount=D("1100.00"), user=user
    )
    vtf = fund(FundCode.VTF)
    ledger.post_one(
        vtf,
        EntrySpec(
            dt.date(2026, 2, 1),
            EntryKind.DONOR_RECEIPT,
            "Donor receipt",
            [Line(AccountCode.BANK, debit=D("70000.00")), Line(AccountCode.VOLUNTARY, credit=D("70000.00"))],
        ),
    )
    ledger.post_one(
        vtf,
        EntrySpec(
            dt.date(2026, 3, 1),
            EntryKind.EXPENDITURE,
            "Travel",
            [Line(AccountCode.EXPENDITURE, debit=D("1500.00")), Line(AccountCode.BANK, credit=D("1500.00"))],
        ),
    )
    payment_services.allocation_reverse(allocation=payment.allocations.get(), user=user, on=dt.date(2026, 4, 1))

    summary = summary_ledger(as_of=dt.date(2026, 3, 31))
    general, vtf_periods = ({f["fund"]: f for f in summary["funds"]}[code]["periods"] for code in ("general", "vtf"))
    assert [p["year"] for p in general] == [2025, 2026]
    assert general[0] == {
        "year": 2025,
        "start": "2025-01-01",
        "end": "2025-12-31",
        "assessed": "1500.00",
        "credited": "20.00",
        "received": "0.00",
        "voluntary": "0.00",
        "expenditure": "0.00",
        "bank": "0.00",
        "receivable": "1480.00",
        "credits": "0.00",
    }
    assert general[1]["end"] == "2026-03-31"
    assert (general[1]["received"], general[1]["bank"], general[1]["receivable"], general[1]["credits"]) == (
        "1000.00",
        "1100.00",
        "480.00",
        "100.00",
    )
    assert (vtf_periods[0]["voluntary"], vtf_periods[0]["expenditure"], vtf_periods[0]["bank"]) == (
        "70000.00",
        "1500.00",
        "68500.00",
    )
    # After the reversal (April), the money received is back to the State's credit.
    later = {f["fund"]: f for f in summary_ledger(as_of=dt.date(2026, 4, 30))["funds"]}["general"]["periods"][1]
    assert (later["received"], later["receivable"], later["credits"]) == ("0.00", "1480.00", "1100.00")


def test_the_orm_and_the_sql_agree_on_the_benchmark_data():
    """The benchmark's generated history (bulk payments, credit notes, reversed allocations) on a
    dozen States: the ledger's invariants hold and both computations agree on every date."""
    from benchmarks.bench_finance import build_history

    iso3s = list(State.objects.order_by("iso3").values_list("iso3", flat=True)[:12])
    written = build_history(iso3s=iso3s, years=[2023, 2024, 2025, 2026], seed=7)
    assert written["invoices"] == 48
    assert written["reversed"] >= 1
    assert ledger.invariant_problems(fund()) == []
    for day in (dt.date(2022, 10, 15), dt.date(2023, 1, 1), dt.date(2024, 6, 30), dt.date(2025, 3, 1), dt.date.today()):
        check_against_sql_and_ledger(day)
