"""Budgets: creation, lines, the workflow estimate → reviewed → circulated → adopted → revised, the
refusals, the Management Committee's comments, and the pages as the right roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from secretariat.finance.models import Budget, BudgetComment, BudgetLine, BudgetStatus, FundCode
from secretariat.finance.services import budgets as services
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.finance.factories import BudgetFactory, BudgetLineFactory, fund

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 1)
LINES = [
    {"code": "SEC", "title": "Secretariat", "pool": "secretariat", "amount": Decimal("1800000.00")},
    {"code": "CSP", "title": "Conference", "pool": "conference", "amount": Decimal("450000.00")},
]


def _estimate(year: int = 2026) -> Budget:
    return services.budget_create(fund=fund(), year=year, created_by=UserFactory(), lines=LINES)


def _adopted(year: int = 2026) -> Budget:
    budget = _estimate(year)
    services.budget_review(budget=budget, reviewed_on=DAY)
    services.budget_circulate(budget=budget, circulated_on=DAY + dt.timedelta(days=10))
    return services.budget_adopt(
        budget=budget, decision_reference="ATT/CSP10/2024/DEC.2", adopted_on=DAY + dt.timedelta(days=30)
    )


def _snapshot() -> tuple:
    return (
        list(Budget.objects.order_by("pk").values()),
        list(BudgetLine.objects.order_by("pk").values()),
        list(BudgetComment.objects.order_by("pk").values()),
    )


# ---------------------------------------------------------------------------- creation and lines


def test_a_budget_is_created_for_the_calendar_year_with_its_lines():
    budget = _estimate(2026)
    assert (budget.version, budget.status) == (1, BudgetStatus.ESTIMATE)
    assert (budget.period_start, budget.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert sorted(budget.lines.values_list("code", "amount")) == [
        ("CSP", Decimal("450000.00")),
        ("SEC", Decimal("1800000.00")),
    ]


def test_a_second_budget_for_the_same_fund_and_year_is_refused():
    _estimate(2026)
    before = _snapshot()
    with pytest.raises(ValidationError, match="already has a budget for 2026"):
        _estimate(2026)
    assert _snapshot() == before
    # Another fund may have its budget for the same year.
    services.budget_create(fund=fund(FundCode.VTF), year=2026, created_by=None, lines=LINES)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"code": "X", "title": "T", "pool": "secretariat", "amount": "-1"}, "cannot be negative"),
        ({"code": "X", "title": "T", "pool": "secretariat", "amount": "1.001"}, "to the cent"),
        ({"code": "X", "title": "T", "pool": "secretariat", "amount": "abc"}, "must be a number"),
        ({"code": "", "title": "T", "pool": "secretariat", "amount": "1"}, "needs a code"),
        ({"code": "X", "title": "", "pool": "secretariat", "amount": "1"}, "needs a title"),
        ({"code": "X", "title": "T", "pool": "travel", "amount": "1"}, "unknown cost pool"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(line, message):
    with pytest.raises(ValidationError, match=message):
        services.budget_create(fund=fund(), year=2026, created_by=None, lines=[line])
    assert not Budget.objects.exists()


def test_duplicate_codes_are_refused():
    with pytest.raises(ValidationError, match="used by two lines"):
        services.budget_create(fund=fund(), year=2026, created_by=None, lines=[LINES[0], {**LINES[1], "code": "sec"}])


def test_lines_of_an_estimate_can_be_changed_added_deleted_and_swapped():
    budget = _estimate()
    sec, csp = budget.lines.get(code="SEC"), budget.lines.get(code="CSP")
    services.budget_lines_update(
        budget=budget,
        lines=[
            {"id": sec.pk, "code": "CSP", "title": "Secretariat", "pool": "secretariat", "amount": "1.00"},
            {"id": csp.pk, "code": "SEC", "title": "Conference", "pool": "conference", "amount": "2.00"},
            {"id": None, "code": "TRV", "title": "Travel", "pool": "none", "amount": "3.00"},
        ],
    )
    assert sorted(budget.lines.values_list("pk", "code", "amount")) == sorted(
        [(sec.pk, "CSP", Decimal("1.00")), (csp.pk, "SEC", Decimal("2.00"))]
        + [(budget.lines.get(code="TRV").pk, "TRV", Decimal("3.00"))]
    )
    services.budget_lines_update(budget=budget, lines=[{"id": sec.pk, "code": "CSP", "delete": True}])
    assert sorted(budget.lines.values_list("code", flat=True)) == ["SEC", "TRV"]


def test_a_line_of_another_budget_cannot_be_changed_through_this_one():
    budget, other = _estimate(2026), _estimate(2027)
    foreign = other.lines.first()
    before = _snapshot()
    with pytest.raises(ValidationError, match="does not belong"):
        services.budget_lines_update(
            budget=budget, lines=[{"id": foreign.pk, "code": "Z", "title": "Z", "pool": "none", "amount": "1"}]
        )
    assert _snapshot() == before


def test_lines_cannot_change_once_the_estimate_is_reviewed():
    budget = _estimate()
    services.budget_review(budget=budget, reviewed_on=DAY)
    before = _snapshot()
    with pytest.raises(ValidationError, match="only be changed while the budget is an estimate"):
        services.budget_lines_update(budget=budget, lines=[{**LINES[0], "id": None, "code": "NEW"}])
    assert _snapshot() == before


# ---------------------------------------------------------------------------- workflow


def test_each_transition_records_its_date_and_the_adoption_its_decision():
    budget = _estimate()
    services.budget_review(budget=budget, reviewed_on=DAY)
    budget.refresh_from_db()
    assert (budget.status, budget.reviewed_on) == (BudgetStatus.REVIEWED, DAY)
    services.budget_circulate(budget=budget, circulated_on=DAY + dt.timedelta(days=1))
    budget.refresh_from_db()
    assert (budget.status, budget.circulated_on) == (BudgetStatus.CIRCULATED, DAY + dt.timedelta(days=1))
    services.budget_adopt(budget=budget, decision_reference=" ATT/CSP10/DEC ", adopted_on=DAY + dt.timedelta(days=2))
    budget.refresh_from_db()
    assert (budget.status, budget.decision_reference, budget.adopted_on) == (
        BudgetStatus.ADOPTED,
        "ATT/CSP10/DEC",
        DAY + dt.timedelta(days=2),
    )


@pytest.mark.parametrize(
    ("stage", "action", "message"),
    [
        ("estimate", "circulate", "Only a budget reviewed by the Management Committee can be circulated"),
        ("estimate", "adopt", "Only a budget circulated to States can be adopted"),
        ("estimate", "revise", "Only the adopted budget can be revised"),
        ("reviewed", "review", "Only an estimate can be marked as reviewed"),
        ("reviewed", "adopt", "Only a budget circulated to States can be adopted"),
        ("circulated", "review", "Only an estimate can be marked as reviewed"),
        ("circulated", "revise", "Only the adopted budget can be revised"),
        ("adopted", "circulate", "version 1 is adopted"),
        ("adopted", "adopt", "Only a budget circulated to States can be adopted"),
    ],
)
def test_wrong_transitions_are_refused_with_a_clear_message(stage, action, message):
    budget = _estimate()
    steps = ["estimate", "reviewed", "circulated", "adopted"]
    if steps.index(stage) >= 1:
        services.budget_review(budget=budget, reviewed_on=DAY)
    if steps.index(stage) >= 2:
        services.budget_circulate(budget=budget, circulated_on=DAY)
    if steps.index(stage) >= 3:
        services.budget_adopt(budget=budget, decision_reference="DEC", adopted_on=DAY)
    before = _snapshot()
    calls = {
        "review": lambda: services.budget_review(budget=budget, reviewed_on=DAY),
        "circulate": lambda: services.budget_circulate(budget=budget, circulated_on=DAY),
        "adopt": lambda: services.budget_adopt(budget=budget, decision_reference="DEC", adopted_on=DAY),
        "revise": lambda: services.budget_revise(budget=budget, reason="Why", created_by=None),
    }
    with pytest.raises(ValidationError, match=message):
        calls[action]()
    assert _snapshot() == before


def test_adoption_needs_a_decision_reference_and_a_date_not_in_the_future():
    budget = _estimate()
    services.budget_review(budget=budget, reviewed_on=DAY)
    services.budget_circulate(budget=budget, circulated_on=DAY)
    before = _snapshot()
    with pytest.raises(ValidationError, match="reference of the Conference's decision"):
        services.budget_adopt(budget=budget, decision_reference="  ", adopted_on=DAY)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.budget_adopt(
            budget=budget, decision_reference="DEC", adopted_on=timezone.localdate() + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="before it was circulated"):
        services.budget_adopt(budget=budget, decision_reference="DEC", adopted_on=DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="Give the date of adoption"):
        services.budget_adopt(budget=budget, decision_reference="DEC", adopted_on=None)
    assert _snapshot() == before


def test_an_estimate_without_amounts_cannot_be_reviewed_nor_circulated_before_its_review():
    empty = services.budget_create(fund=fund(), year=2026, created_by=None)
    with pytest.raises(ValidationError, match="no amount yet"):
        services.budget_review(budget=empty, reviewed_on=DAY)
    budget = _estimate(2027)
    services.budget_review(budget=budget, reviewed_on=DAY)
    with pytest.raises(ValidationError, match="before its review"):
        services.budget_circulate(budget=budget, circulated_on=DAY - dt.timedelta(days=1))


def test_a_revision_copies_the_lines_and_supersedes_the_adopted_version_when_adopted():
    first = _adopted()
    revision = services.budget_revise(budget=first, reason="A longer Conference.", created_by=None)
    assert (revision.version, revision.status, revision.revises_id) == (2, BudgetStatus.ESTIMATE, first.pk)
    assert revision.revision_reason == "A longer Conference."
    assert sorted(revision.lines.values_list("code", "pool", "amount")) == sorted(
        first.lines.values_list("code", "pool", "amount")
    )
    # The adopted version stays in force while the revision goes through the steps.
    first.refresh_from_db()
    assert first.status == BudgetStatus.ADOPTED
    csp = revision.lines.get(code="CSP")
    services.budget_lines_update(
        budget=revision,
        lines=[{"id": csp.pk, "code": "CSP", "title": "Conference", "pool": "conference", "amount": "500000.00"}],
    )
    assert first.lines.get(code="CSP").amount == Decimal("450000.00")  # the earlier version is untouched
    services.budget_review(budget=revision, reviewed_on=DAY + dt.timedelta(days=60))
    services.budget_circulate(budget=revision, circulated_on=DAY + dt.timedelta(days=61))
    services.budget_adopt(budget=revision, decision_reference="ATT/CSP/REV", adopted_on=DAY + dt.timedelta(days=62))
    first.refresh_from_db()
    revision.refresh_from_db()
    assert (first.status, revision.status) == (BudgetStatus.SUPERSEDED, BudgetStatus.ADOPTED)
    assert Budget.objects.filter(fund=first.fund, year=2026, status=BudgetStatus.ADOPTED).count() == 1
    # A revision of the revision gets version 3.
    third = services.budget_revise(budget=revision, reason="Again.", created_by=None)
    assert third.version == 3


def test_a_revision_needs_a_reason_and_only_one_at_a_time():
    first = _adopted()
    with pytest.raises(ValidationError, match="reason for the revision"):
        services.budget_revise(budget=first, reason=" ", created_by=None)
    services.budget_revise(budget=first, reason="Once.", created_by=None)
    with pytest.raises(ValidationError, match="Version 2 already revises this budget"):
        services.budget_revise(budget=first, reason="Twice.", created_by=None)


def test_the_database_allows_one_adopted_version_per_fund_and_year():
    first = _adopted()
    second = BudgetFactory(fund=first.fund, year=2026, version=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=second.pk).update(status="adopted", decision_reference="X", adopted_on=DAY)


def test_comments_are_kept_on_every_version():
    budget = _estimate()
    member = UserFactory()
    services.budget_comment_add(budget=budget, author=member, body="  Please detail travel.  ")
    with pytest.raises(ValidationError, match="Write the comment first"):
        services.budget_comment_add(budget=budget, author=member, body="   ")
    services.budget_review(budget=budget, reviewed_on=DAY)
    services.budget_circulate(budget=budget, circulated_on=DAY)
    services.budget_adopt(budget=budget, decision_reference="DEC", adopted_on=DAY)
    services.budget_revise(budget=budget, reason="Why", created_by=None)
    assert list(budget.comments.values_list("body", flat=True)) == ["Please detail travel."]


# ---------------------------------------------------------------------------- pages


def test_the_management_committee_reads_budgets_and_comments_but_changes_nothing(client, make_persona):
    budget = _estimate()
    sign_in(client, make_persona("management_committee"))
    response = client.get("/finance/budgets/")
    assert response.status_code == 200
    assert f"/finance/budgets/{budget.pk}/" in response.content.decode()
    page = client.get(f"/finance/budgets/{budget.pk}/").content.decode()
    assert "Secretariat" in page
    assert "1,800,000.00" in page
    assert f"/finance/budgets/{budget.pk}/review/" not in page  # no workflow buttons
    assert f"/finance/budgets/{budget.pk}/comment/" in page
    response = client.post(f"/finance/budgets/{budget.pk}/comment/", {"body": "The Committee agrees."})
    assert response.status_code == 302
    assert BudgetComment.objects.get(budget=budget).body == "The Committee agrees."
    before = _snapshot()
    assert client.post(f"/finance/budgets/{budget.pk}/review/", {"reviewed_on": "2025-03-01"}).status_code == 403
    assert _snapshot() == before


def test_a_state_representative_cannot_comment(client, make_persona):
    budget = _estimate()
    sign_in(client, make_persona("state_a_rep"))
    assert client.post(f"/finance/budgets/{budget.pk}/comment/", {"body": "Hello"}).status_code == 403
    assert not BudgetComment.objects.exists()


def test_finance_staff_take_a_budget_through_the_workflow_on_the_pages(client, make_persona):
    sign_in(client, make_persona("staff_finance"))
    data = {
        "fund": fund().pk,
        "year": "2026",
        "overrun_policy": "warn",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-code": "SEC",
        "lines-0-title": "Secretariat",
        "lines-0-pool": "secretariat",
        "lines-0-amount": "1000.00",
        # lines-1 and lines-2 are left empty (a browser still sends the select's value): skipped
        "lines-1-pool": "secretariat",
        "lines-2-pool": "secretariat",
    }
    response = client.post("/finance/budgets/new/", data)
    budget = Budget.objects.get()
    assert response["Location"] == f"/finance/budgets/{budget.pk}/"
    assert list(budget.lines.values_list("code", flat=True)) == ["SEC"]
    line = budget.lines.get()
    lines = {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": str(line.pk),
        "lines-0-code": "SEC",
        "lines-0-title": "Secretariat",
        "lines-0-pool": "secretariat",
        "lines-0-amount": "1500.00",
        "lines-1-code": "CSP",
        "lines-1-title": "Conference",
        "lines-1-pool": "conference",
        "lines-1-amount": "500.00",
    }
    assert client.get(f"/finance/budgets/{budget.pk}/lines/").status_code == 200
    assert client.post(f"/finance/budgets/{budget.pk}/lines/", lines).status_code == 302
    assert sorted(budget.lines.values_list("code", "amount")) == [
        ("CSP", Decimal("500.00")),
        ("SEC", Decimal("1500.00")),
    ]
    client.post(f"/finance/budgets/{budget.pk}/review/", {"reviewed_on": "2025-03-01"})
    client.post(f"/finance/budgets/{budget.pk}/circulate/", {"circulated_on": "2025-03-05"})
    # Adopting without a decision reference is refused with a message, and changes nothing.
    response = client.post(f"/finance/budgets/{budget.pk}/adopt/", {"adopted_on": "2025-04-01"}, follow=True)
    assert "This field is required" in response.content.decode()
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.CIRCULATED
    client.post(f"/finance/budgets/{budget.pk}/adopt/", {"decision_reference": "ATT/DEC", "adopted_on": "2025-04-01"})
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.ADOPTED
    # Who recorded each step is kept and shown next to its date.
    recorders = {budget.review_recorded_by, budget.circulation_recorded_by, budget.adoption_recorded_by}
    assert len(recorders) == 1
    (recorder,) = recorders
    assert recorder is not None
    page = client.get(f"/finance/budgets/{budget.pk}/").content.decode()
    assert page.count(f"(recorded by {recorder})") == 3
    response = client.post(f"/finance/budgets/{budget.pk}/revise/", {"reason": "More meetings."})
    revision = Budget.objects.get(version=2)
    assert response["Location"] == f"/finance/budgets/{revision.pk}/"
    page = client.get(f"/finance/budgets/{budget.pk}/").content.decode()
    assert f"/finance/budgets/{revision.pk}/" in page  # the versions table links the revision
    assert "/finance/assessment/runs/new/?budget=" in page


def test_a_refused_transition_on_the_page_shows_the_service_message(client, make_persona):
    budget = _estimate()
    sign_in(client, make_persona("staff_admin"))
    response = client.post(
        f"/finance/budgets/{budget.pk}/adopt/", {"decision_reference": "D", "adopted_on": "2025-01-01"}, follow=True
    )
    assert "Only a budget circulated to States can be adopted" in response.content.decode()
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.ESTIMATE


def test_the_list_filters_by_fund_year_and_status(client, make_persona):
    general = _estimate(2026)
    vtf = services.budget_create(fund=fund(FundCode.VTF), year=2025, created_by=None, lines=LINES)
    sign_in(client, make_persona("staff_finance"))
    page = client.get("/finance/budgets/", {"fund": fund(FundCode.VTF).pk}).content.decode()
    assert f"/finance/budgets/{vtf.pk}/" in page
    assert f"/finance/budgets/{general.pk}/" not in page
    page = client.get("/finance/budgets/", {"year": "2026", "status": "estimate"}).content.decode()
    assert f"/finance/budgets/{general.pk}/" in page
    assert f"/finance/budgets/{vtf.pk}/" not in page


def test_other_staff_groups_cannot_read_budgets(client, make_persona):
    BudgetLineFactory()
    sign_in(client, make_persona("staff_reporting"))
    assert client.get("/finance/budgets/").status_code == 403


def test_a_refused_change_of_lines_is_shown_on_the_lines_page(client, make_persona):
    budget = _estimate()
    sec, csp = budget.lines.get(code="SEC"), budget.lines.get(code="CSP")
    sign_in(client, make_persona("staff_finance"))
    before = _snapshot()
    data = {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "2",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate((sec, csp)):
        data.update(
            {
                f"lines-{index}-id": str(line.pk),
                f"lines-{index}-code": "SEC",
                f"lines-{index}-title": line.title,
                f"lines-{index}-pool": line.pool,
                f"lines-{index}-amount": str(line.amount),
            }
        )
    response = client.post(f"/finance/budgets/{budget.pk}/lines/", data)
    assert response.status_code == 200
    assert "The code SEC is used by two lines." in response.content.decode()
    assert _snapshot() == before
