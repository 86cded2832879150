"""Assessment: the `assess` command, the exact arithmetic (rescaling, floor and ceiling, largest
remainder), the warnings, runs and their approval, rule sets, attendance, and the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretariat.finance.models import (
    AssessmentLine,
    AssessmentRuleSet,
    AssessmentRun,
    BudgetStatus,
    ConferenceAttendance,
    FundCode,
    RunStatus,
)
from secretariat.finance.services import assessment as services
from secretariat.finance.services import budgets as budget_services
from secretariat.states.models import ScaleRate, State, TreatyStatus
from tests.conftest import sign_in
from tests.factories import StateFactory, UserFactory
from tests.finance.factories import BudgetFactory, BudgetLineFactory, adopted_budget, fund

DAY = dt.date(2025, 6, 30)


def _assess(*args: str) -> tuple[list[dict[str, str]], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("assess", *args, stdout=out, stderr=err)
    return list(csv.DictReader(io.StringIO(out.getvalue()))), err.getvalue()


def _parties_with_rates(day: dt.date, year: int) -> tuple[dict[str, Decimal], list[State]]:
    """Computed here independently of the service: the States Parties on `day` and their UN rates."""
    rates = dict(ScaleRate.objects.filter(year=year).values_list("state__iso3", "rate_percent"))
    parties = [state for state in State.objects.all() if state.status_on(day).status == TreatyStatus.PARTY]
    return {state.iso3: rates[state.iso3] for state in parties if state.iso3 in rates}, parties


def _default_rules() -> AssessmentRuleSet:
    return AssessmentRuleSet.objects.get(is_default=True)


# ---------------------------------------------------------------------------- the command


@pytest.mark.django_db
def test_the_command_csv_shares_the_amount_exactly_among_the_parties_by_their_rates():
    rows, err = _assess(
        "--year", "2026", "--amount", "2500000", "--dry-run", "--format", "csv", "--date", DAY.isoformat()
    )
    expected, parties = _parties_with_rates(DAY, 2026)
    assert list(rows[0]) == ["iso3", "name", "un_rate", "share", "amount"]
    assert {row["iso3"] for row in rows} == set(expected)
    assert len(rows) == len(expected) > 100
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal("2500000.00")
    total_rate = sum(expected.values())
    with localcontext() as context:
        context.prec = 60
        for row in rows:
            rate = expected[row["iso3"]]
            assert Decimal(row["un_rate"]) == rate
            assert len(row["share"].split(".")[1]) >= 12
            exact = rate / total_rate
            assert Decimal(row["share"]) == exact.quantize(Decimal(row["share"]))  # rate / Σ rates, to the last digit
            assert abs(Decimal(row["amount"]) - exact * Decimal("2500000")) < Decimal("0.01")
    # A State Party without a UN rate (not a UN member) is named on stderr, never silently dropped.
    unrated = [state for state in parties if state.iso3 not in expected]
    assert unrated  # the registry has some (Niue, State of Palestine)
    for state in unrated:
        assert f"{state.name_en} ({state.iso3}) is NOT assessed" in err
    for state in parties:
        if state.entry_into_force is None:
            assert f"({state.iso3}) is assessed as a State Party although its entry into force is not known" in err
    assert "2500000.00" in err
    assert not AssessmentRun.objects.exists()  # --dry-run writes nothing


@pytest.mark.django_db
def test_without_dry_run_the_command_saves_one_draft_run():
    rows, err = _assess("--year", "2026", "--amount", "1000000.01", "--format", "csv", "--date", DAY.isoformat())
    run = AssessmentRun.objects.get()
    assert f"Saved draft assessment run {run.pk}" in err
    assert (run.status, run.year, run.scale_year, run.total) == (RunStatus.DRAFT, 2026, 2026, Decimal("1000000.01"))
    assert run.budget is None
    assert run.rule_set == _default_rules()
    assert run.rules_used["name"] == _default_rules().name
    assert run.lines.count() == len(rows)
    assert sum(run.lines.values_list("amount", flat=True)) == Decimal("1000000.01")
    assert {warning["code"] for warning in run.warnings} >= {"no_rate"}
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal("1000000.01")


@pytest.mark.django_db
def test_without_an_amount_the_command_assesses_the_adopted_budget_pool_by_pool():
    adopted_budget(year=2026, secretariat="2000000.00", conference="500000.00")
    attending = ["GHA", "MEX", "CHE", "AGO", "PSE"]  # Angola signed only; Palestine has no UN rate
    for iso3 in attending:
        ConferenceAttendance.objects.create(year=2026, state=State.objects.get(iso3=iso3))
    rows, err = _assess("--year", "2026", "--dry-run", "--format", "csv", "--date", DAY.isoformat())
    amounts = {row["iso3"]: Decimal(row["amount"]) for row in rows}
    assert sum(amounts.values()) == Decimal("2500000.00")
    assert "AGO" in amounts  # in attendance, so it shares the Conference costs
    assert "State of Palestine (PSE) is NOT assessed for Conference costs" in err
    # share = the State's total / the run total, exactly (before rounding).
    expected, _parties = _parties_with_rates(DAY, 2026)
    rates = dict(ScaleRate.objects.filter(year=2026).values_list("state__iso3", "rate_percent"))
    conference = {iso3: rates[iso3] for iso3 in attending if iso3 in rates}
    for row in rows:
        exact = Fraction(0)
        if row["iso3"] in expected:
            exact += Fraction(expected[row["iso3"]]) / Fraction(sum(expected.values())) * 2000000
        if row["iso3"] in conference:
            exact += Fraction(conference[row["iso3"]]) / Fraction(sum(conference.values())) * 500000
        assert Decimal(row["share"]) == services.fraction_to_decimal(exact / 2500000)


@pytest.mark.django_db
def test_an_empty_conference_pool_is_a_warning_not_a_silent_drop():
    adopted_budget(year=2026, secretariat="2000000.00", conference="500000.00")
    rows, err = _assess("--year", "2026", "--dry-run", "--format", "table", "--date", DAY.isoformat())
    assert "Conference costs (500,000.00) are NOT assessed: no State in attendance is entered for 2026." in err
    assert "total 2000000.00" in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2026"], "no adopted General Budget for 2026"),
        (["--year", "2031", "--amount", "1000"], "no UN scale rates for 2031"),
        (["--year", "2026", "--amount", "-5"], "must be more than zero"),
        (["--year", "2026", "--amount", "0"], "must be more than zero"),
        (["--year", "2026", "--amount", "abc"], "must be a number"),
        (["--year", "2026", "--amount", "10.001"], "to the cent"),
        (["--year", "2026", "--amount", "10", "--rules", "Nope"], "no rule set named 'Nope'"),
        (["--year", "2026", "--amount", "10", "--date", "2999-01-01"], "cannot be in the future"),
        (["--year", "2026", "--amount", "10", "--date", "31/12/2025"], "YYYY-MM-DD"),
    ],
)
def test_command_errors_are_clear_and_write_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        _assess(*args, "--dry-run")
    with pytest.raises(CommandError, match=message):
        _assess(*args)
    assert not AssessmentRun.objects.exists()


@pytest.mark.django_db
def test_an_estimate_is_not_assessed():
    budget = BudgetFactory(year=2026)
    BudgetLineFactory(budget=budget)
    with pytest.raises(ValidationError, match="Only an adopted budget can be assessed"):
        services.assessment_run_create(budget=budget, assessment_date=DAY, rule_set=_default_rules(), created_by=None)
    vtf = BudgetFactory(fund=fund(FundCode.VTF), year=2026, status="adopted", adopted_on=DAY, decision_reference="D")
    BudgetLineFactory(budget=vtf)
    with pytest.raises(ValidationError, match="Only the General Budget is assessed"):
        services.assessment_run_create(budget=vtf, assessment_date=DAY, rule_set=_default_rules(), created_by=None)
    assert not AssessmentRun.objects.exists()


# ---------------------------------------------------------------------------- exact arithmetic


def test_largest_remainder_shares_awkward_amounts_exactly_with_deterministic_ties():
    third = Fraction(1, 3)
    split = services.largest_remainder(Decimal("0.05"), {"CCC": third, "AAA": third, "BBB": third})
    assert split == {"AAA": Decimal("0.02"), "BBB": Decimal("0.02"), "CCC": Decimal("0.01")}
    shares = {"CHN": Fraction(20004), "GHA": Fraction(25), "CHE": Fraction(1029)}
    total = sum(shares.values())
    split = services.largest_remainder(Decimal("1000000.01"), {k: v / total for k, v in shares.items()})
    assert sum(split.values()) == Decimal("1000000.01")
    # The worked example of DOMAIN.md 3.3: 94.995%, 0.119%, 4.887%.
    assert round(float(shares["CHN"] / total) * 100, 3) == 94.995
    assert round(float(shares["GHA"] / total) * 100, 3) == 0.119
    assert round(float(shares["CHE"] / total) * 100, 3) == 4.887


@settings(max_examples=200, deadline=None)
@given(
    rates=st.lists(st.integers(min_value=1, max_value=22000), min_size=1, max_size=40),
    cents=st.integers(min_value=1, max_value=10**13),
)
def test_largest_remainder_sums_exactly_and_each_amount_is_within_a_cent(rates, cents):
    weights = {f"S{index:03d}": Fraction(rate, 1000) for index, rate in enumerate(rates)}
    shares = services.bounded_shares(weights)
    amount = Decimal(cents) / 100
    split = services.largest_remainder(amount, shares)
    assert sum(split.values()) == amount
    for key, value in split.items():
        assert abs(Fraction(value) - shares[key] * Fraction(amount)) < Fraction(1, 100)
        assert value >= 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    rates=st.lists(st.integers(min_value=1, max_value=22000), min_size=2, max_size=30),
    floor=st.one_of(st.none(), st.integers(min_value=1, max_value=5000)),
    ceiling=st.one_of(st.none(), st.integers(min_value=1000, max_value=100000)),
)
def test_floor_and_ceiling_redistribute_exactly(rates, floor, ceiling):
    weights = {f"S{index:03d}": Fraction(rate, 1000) for index, rate in enumerate(rates)}
    low = None if floor is None else Fraction(floor, 100000)
    high = None if ceiling is None else Fraction(ceiling, 100000)
    count = len(weights)
    if (
        (low is not None and low * count > 1)
        or (high is not None and high * count < 1)
        or (low is not None and high is not None and low > high)
    ):
        with pytest.raises(ValidationError):
            services.bounded_shares(weights, floor=low, ceiling=high)
        return
    shares = services.bounded_shares(weights, floor=low, ceiling=high)
    assert sum(shares.values()) == 1
    for share in shares.values():
        assert low is None or share >= low
        assert high is None or share <= high
    # The States not held at a bound share the rest in proportion to their rates.
    free = [key for key, share in shares.items() if share != low and share != high]
    ratios = {shares[key] / weights[key] for key in free}
    assert len(ratios) <= 1
    if ratios:
        (scale,) = ratios
        for key, share in shares.items():
            if share == low and share != high:
                assert scale * weights[key] <= low  # raised to the floor: its own share was below it
            if share == high and share != low:
                assert scale * weights[key] >= high  # lowered to the ceiling: its own share was above it


def test_floor_and_ceiling_examples_and_impossible_bounds():
    weights = {"CHN": Fraction("20.004"), "GHA": Fraction("0.025"), "CHE": Fraction("1.029")}
    capped = services.bounded_shares(weights, ceiling=Fraction(1, 2))
    assert capped["CHN"] == Fraction(1, 2)
    assert capped["GHA"] == Fraction(1, 2) * Fraction("0.025") / Fraction("1.054")
    floored = services.bounded_shares(weights, floor=Fraction(1, 10))
    assert floored["GHA"] == Fraction(1, 10)
    assert floored["CHE"] == Fraction(1, 10)  # 4.9% raised to the floor as well
    assert floored["CHN"] == Fraction(8, 10)
    assert services.bounded_shares(weights, floor=Fraction(1, 3)) == dict.fromkeys(weights, Fraction(1, 3))
    with pytest.raises(ValidationError, match="more than 100% of the pool"):
        services.bounded_shares(weights, floor=Fraction(40, 100))
    with pytest.raises(ValidationError, match="cannot make up 100% of the pool"):
        services.bounded_shares(weights, ceiling=Fraction(30, 100))


@pytest.mark.django_db
def test_a_rule_set_with_bounds_is_applied_recorded_and_refused_when_impossible():
    rules = services.rule_set_save(
        data={
            "name": "Capped",
            "secretariat_states": "parties",
            "conference_states": "attendance",
            "scale_year_offset": 0,
            "floor_percent": Decimal("0.01"),
            "ceiling_percent": Decimal("15"),
        }
    )
    run = services.assessment_run_create(
        year=2026, amounts={"secretariat": Decimal("2500000.00")}, assessment_date=DAY, rule_set=rules, created_by=None
    )
    amounts = list(run.lines.values_list("amount", flat=True))
    assert sum(amounts) == Decimal("2500000.00")
    assert max(amounts) <= Decimal("375000.00")
    assert min(amounts) >= Decimal("250.00")
    assert run.rules_used["ceiling_percent"] == "15.00000"
    assert any(warning["code"] == "bounds" for warning in run.warnings)
    impossible = services.rule_set_save(
        data={
            "name": "Impossible",
            "secretariat_states": "parties",
            "conference_states": "attendance",
            "scale_year_offset": 0,
            "ceiling_percent": Decimal("0.5"),
        }
    )
    with pytest.raises(ValidationError, match="Secretariat costs: A maximum share of 0.5%"):
        services.assessment_run_create(
            year=2026,
            amounts={"secretariat": Decimal("10.00")},
            assessment_date=DAY,
            rule_set=impossible,
            created_by=None,
        )


# ---------------------------------------------------------------------------- who is assessed


@pytest.mark.django_db
def test_states_with_an_unknown_entry_into_force_are_listed_whether_assessed_or_not():
    recorded = StateFactory(
        iso3="XQA",
        iso2="XQ",
        deposit_date_partial="2024",
        recorded_status="party",
        recorded_status_as_of=dt.date(2025, 1, 1),
    )
    unknown = StateFactory(iso3="XQB", iso2="XR", deposit_date_partial="2024-05")
    for state in (recorded, unknown):
        ScaleRate.objects.create(state=state, year=2026, rate_percent=Decimal("0.010"))
    computation = services.assessment_prepare(
        rule_set=_default_rules(), assessment_date=DAY, year=2026, amounts={"secretariat": Decimal("100000.00")}
    )
    assessed = {line.iso3 for line in computation.lines}
    assert "XQA" in assessed  # recorded as a State Party: assessed, and listed
    assert "XQB" not in assessed  # status cannot be determined: not assessed, and listed
    codes = {(warning["code"], warning.get("iso3")) for warning in computation.warnings}
    assert ("party_eif_unknown", "XQA") in codes
    assert ("status_unknown", "XQB") in codes
    text = " ".join(computation.warning_messages())
    assert "XQB) is NOT assessed: its status on the assessment date cannot be determined" in text


@pytest.mark.django_db
def test_the_scale_year_offset_picks_the_rates_of_another_year():
    rules = services.rule_set_save(
        data={
            "name": "Previous scale",
            "secretariat_states": "parties",
            "conference_states": "parties",
            "scale_year_offset": -1,
        }
    )
    computation = services.assessment_prepare(
        rule_set=rules, assessment_date=DAY, year=2026, amounts={"secretariat": Decimal("1000.00")}
    )
    assert computation.scale_year == 2025
    rates = dict(ScaleRate.objects.filter(year=2025).values_list("state__iso3", "rate_percent"))
    assert all(line.un_rate == rates[line.iso3] for line in computation.lines)


# ---------------------------------------------------------------------------- runs


def _run(year: int = 2026):
    return services.assessment_run_create(
        year=year,
        amounts={"secretariat": Decimal("5000.00")},
        assessment_date=DAY,
        rule_set=_default_rules(),
        created_by=None,
    )


@pytest.mark.django_db
def test_a_draft_run_is_approved_once_and_cancelled_while_not_issued():
    user = UserFactory()
    run = services.assessment_run_approve(run=_run(), approved_by=user)
    assert (run.status, run.approved_by) == (RunStatus.APPROVED, user)
    assert run.approved_at is not None
    with pytest.raises(ValidationError, match="Only a draft run can be approved"):
        services.assessment_run_approve(run=run, approved_by=user)
    other = _run()
    with pytest.raises(ValidationError, match="is already approved"):
        services.assessment_run_approve(run=other, approved_by=user)
    canceller = UserFactory()
    services.assessment_run_cancel(run=run, cancelled_by=canceller)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert (run.cancelled_by, run.approved_by) == (canceller, user)  # who did what stays on record
    assert run.cancelled_at >= run.approved_at
    with pytest.raises(ValidationError, match="Only a draft or approved run can be cancelled"):
        services.assessment_run_cancel(run=run, cancelled_by=user)
    services.assessment_run_approve(run=other, approved_by=user)  # the earlier one is out of the way


@pytest.mark.django_db
def test_a_run_of_a_superseded_budget_cannot_be_approved():
    budget = adopted_budget(year=2026)
    run = services.assessment_run_create(budget=budget, assessment_date=DAY, rule_set=_default_rules(), created_by=None)
    revision = budget_services.budget_revise(budget=budget, reason="Revised", created_by=None)
    budget_services.budget_review(budget=revision, reviewed_on=DAY)
    budget_services.budget_circulate(budget=revision, circulated_on=DAY)
    budget_services.budget_adopt(budget=revision, decision_reference="REV", adopted_on=DAY)
    with pytest.raises(ValidationError, match="no longer the adopted version"):
        services.assessment_run_approve(run=run, approved_by=None)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert run.budget.status == BudgetStatus.SUPERSEDED


# ---------------------------------------------------------------------------- rule sets and attendance


@pytest.mark.django_db
def test_the_default_flag_moves_and_cannot_simply_be_removed():
    default = _default_rules()
    data = {
        "name": default.name,
        "secretariat_states": "parties",
        "conference_states": "attendance",
        "scale_year_offset": 0,
        "is_default": False,
    }
    with pytest.raises(ValidationError, match="One rule set must stay the default"):
        services.rule_set_save(data=data, rule_set=default)
    new = services.rule_set_save(data={**data, "name": "New default", "is_default": True})
    default.refresh_from_db()
    assert new.is_default
    assert not default.is_default
    with pytest.raises(ValidationError, match="maximum share cannot be below the minimum"):
        services.rule_set_save(
            data={**data, "name": "Bad", "floor_percent": Decimal("5"), "ceiling_percent": Decimal("1")}
        )
    with pytest.raises(ValidationError, match="already has this name"):
        services.rule_set_save(data={**data, "name": "New default"})


@pytest.mark.django_db
def test_attendance_from_pasted_codes_refuses_unknown_codes_and_skips_duplicates():
    assert services.parse_iso3_codes("gha, MEX;che\nGHA") == ["GHA", "MEX", "CHE"]
    with pytest.raises(ValidationError, match="Unknown ISO3 codes: XXX, YYY"):
        services.attendance_add(year=2026, entered_by=None, iso3_codes="GHA XXX YYY")
    assert not ConferenceAttendance.objects.exists()
    assert services.attendance_add(year=2026, entered_by=None, iso3_codes="GHA MEX") == (2, 0)
    che = State.objects.get(iso3="CHE")
    assert services.attendance_add(year=2026, entered_by=None, states=[che], iso3_codes="GHA") == (1, 1)
    assert ConferenceAttendance.objects.filter(year=2026).count() == 3


# ---------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_finance_staff_make_and_approve_a_run_on_the_pages(client, make_persona):
    budget = adopted_budget(year=2026)
    sign_in(client, make_persona("staff_finance"))
    page = client.get(f"/finance/assessment/runs/new/?budget={budget.pk}").content.decode()
    assert f'<option value="{budget.pk}" selected>' in page
    response = client.post(
        "/finance/assessment/runs/new/",
        {"budget": budget.pk, "assessment_date": DAY.isoformat(), "rule_set": _default_rules().pk},
    )
    run = AssessmentRun.objects.get()
    assert response["Location"] == f"/finance/assessment/runs/{run.pk}/"
    page = client.get(f"/finance/assessment/runs/{run.pk}/").content.decode()
    assert "no State in attendance is entered for 2026" in page  # the warnings are shown
    assert "Financial Rule 5 (as understood)" in page  # the rules used
    assert "Ghana" in page
    csv_response = client.get(f"/finance/assessment/runs/{run.pk}/export.csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert sum(Decimal(row["amount"]) for row in rows) == run.total == Decimal("2000000.00")
    client.post(f"/finance/assessment/runs/{run.pk}/approve/")
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    page = client.get(f"/finance/assessment/runs/{run.pk}/").content.decode()
    try:
        issue_url = reverse("finance:run_issue", args=[run.pk])
    except NoReverseMatch:
        issue_url = None
    if issue_url:
        assert f'action="{issue_url}"' in page
    else:
        assert "Issue the invoices" not in page
    client.post(f"/finance/assessment/runs/{run.pk}/cancel/")
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert run.cancelled_by.email == run.approved_by.email  # the same officer, on record
    page = client.get(f"/finance/assessment/runs/{run.pk}/").content.decode()
    cancelled = date_format(timezone.localtime(run.cancelled_at), "DATETIME_FORMAT")
    assert f"<dt>Cancelled</dt><dd>{cancelled}, {run.cancelled_by}</dd>" in page


@pytest.mark.django_db
def test_a_future_assessment_date_is_refused_on_the_page(client, make_persona):
    budget = adopted_budget(year=2026)
    sign_in(client, make_persona("staff_admin"))
    response = client.post(
        "/finance/assessment/runs/new/",
        {"budget": budget.pk, "assessment_date": "2999-01-01", "rule_set": _default_rules().pk},
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not AssessmentRun.objects.exists()


@pytest.mark.django_db
def test_the_management_committee_reads_runs_but_cannot_approve(client, make_persona):
    run = _run()
    sign_in(client, make_persona("management_committee"))
    page = client.get(f"/finance/assessment/runs/{run.pk}/").content.decode()
    assert "Approve the run" not in page
    assert client.post(f"/finance/assessment/runs/{run.pk}/approve/").status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert client.get("/finance/assessment/rules/").status_code == 200
    assert client.get("/finance/assessment/attendance/?year=2026").status_code == 200


@pytest.mark.django_db
def test_staff_edit_rules_and_the_attendance_list_on_the_pages(client, make_persona):
    sign_in(client, make_persona("staff_finance"))
    default = _default_rules()
    response = client.post(
        f"/finance/assessment/rules/{default.pk}/",
        {
            "name": default.name,
            "is_default": "on",
            "secretariat_states": "parties",
            "conference_states": "parties",
            "scale_year_offset": "0",
            "floor_percent": "",
            "ceiling_percent": "22",
            "notes": "Ceiling as the UN's.",
        },
    )
    assert response.status_code == 302
    default.refresh_from_db()
    assert (default.conference_states, default.ceiling_percent) == ("parties", Decimal("22"))
    response = client.post(
        "/finance/assessment/attendance/add/", {"year": "2026", "iso3_codes": "GHA ZZZ"}, follow=True
    )
    assert "Unknown ISO3 codes: ZZZ" in response.content.decode()
    assert not ConferenceAttendance.objects.exists()
    client.post("/finance/assessment/attendance/add/", {"year": "2026", "states": [State.objects.get(iso3="MEX").pk]})
    row = ConferenceAttendance.objects.get()
    assert row.state.iso3 == "MEX"
    page = client.get("/finance/assessment/attendance/?year=2026").content.decode()
    assert "Mexico" in page
    client.post(f"/finance/assessment/attendance/{row.pk}/remove/")
    assert not ConferenceAttendance.objects.exists()
    assert not AssessmentLine.objects.exists()
