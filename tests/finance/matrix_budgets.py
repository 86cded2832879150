"""Access-matrix entries for the finance budgets and assessment pages (same format as
tests/contacts/matrix_contacts.py).

Who: the finance and admin staff manage budgets, assessment runs, rule sets and the States in
attendance; the Management Committee reads them all and comments on budgets (as do the finance
and admin staff); every other persona, other staff groups included, is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from secretariat.finance.models import (
    AssessmentLine,
    AssessmentRuleSet,
    AssessmentRun,
    Budget,
    BudgetComment,
    BudgetLine,
    BudgetStatus,
    ConferenceAttendance,
    FundCode,
)
from secretariat.finance.services.assessment import assessment_run_create
from tests.finance.factories import BudgetFactory, BudgetLineFactory, adopted_budget, fund
from tests.reporting.matrix_common import DENIED, LOGIN, NOT_ALLOWED, OK, Write, expect

MANAGERS = ["staff_admin", "staff_finance"]
READERS = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_finance=OK, management_committee=OK
)
MANAGER_PAGES = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_finance=OK)
MANAGER_POSTS = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=NOT_ALLOWED, staff_finance=NOT_ALLOWED
)
# Commenting is decided after the method: any signed-in user asking with GET is told to POST.
SIGNED_IN_POSTS = expect(anonymous=LOGIN, non_staff=NOT_ALLOWED, staff=NOT_ALLOWED)

ADOPTED_YEAR = 2027  # has UN scale rates; not the factories' default year, which other areas use

SNAPSHOT_MODELS = (
    Budget,
    BudgetLine,
    BudgetComment,
    AssessmentRuleSet,
    ConferenceAttendance,
    AssessmentRun,
    AssessmentLine,
)


def _budget(year: int, status: str, **dates: Any) -> Budget:
    budget = BudgetFactory(year=year, status=status, **dates)
    BudgetLineFactory(budget=budget, code="SEC", pool="secretariat", amount=Decimal("1000000.00"))
    BudgetLineFactory(budget=budget, code="CSP", pool="conference", amount=Decimal("250000.00"))
    return budget


def build_targets(t: Any) -> dict[str, Any]:
    day = dt.date(2026, 1, 15)
    adopted = Budget.objects.filter(
        fund__code=FundCode.GENERAL, year=ADOPTED_YEAR, status=BudgetStatus.ADOPTED
    ).first() or adopted_budget(year=ADOPTED_YEAR)
    rule_set = AssessmentRuleSet.objects.get(is_default=True)
    return {
        "budget_estimate": _budget(2031, BudgetStatus.ESTIMATE),
        "budget_reviewed": _budget(2032, BudgetStatus.REVIEWED, reviewed_on=day),
        "budget_circulated": _budget(2033, BudgetStatus.CIRCULATED, reviewed_on=day, circulated_on=day),
        "budget_adopted": adopted,
        "rule_set": rule_set,
        "run_draft": assessment_run_create(
            budget=adopted, assessment_date=timezone.localdate(), rule_set=rule_set, created_by=None
        ),
        "attendance": ConferenceAttendance.objects.create(year=ADOPTED_YEAR, state=t.state, source="Matrix"),
    }


def _url(pattern: str, name: str | None = None) -> Any:
    if name is None:
        return lambda t: pattern
    return lambda t: pattern.format(pk=t.extra[name].pk)


PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "finance/": (lambda t: "/finance/", READERS),
    "finance/budgets/": (_url("/finance/budgets/"), READERS),
    "finance/budgets/new/": (_url("/finance/budgets/new/"), MANAGER_PAGES),
    "finance/budgets/<int:pk>/": (_url("/finance/budgets/{pk}/", "budget_estimate"), READERS),
    "finance/budgets/<int:pk>/lines/": (_url("/finance/budgets/{pk}/lines/", "budget_estimate"), MANAGER_PAGES),
    "finance/budgets/<int:pk>/comment/": (_url("/finance/budgets/{pk}/comment/", "budget_estimate"), SIGNED_IN_POSTS),
    "finance/budgets/<int:pk>/review/": (_url("/finance/budgets/{pk}/review/", "budget_estimate"), MANAGER_POSTS),
    "finance/budgets/<int:pk>/circulate/": (
        _url("/finance/budgets/{pk}/circulate/", "budget_reviewed"),
        MANAGER_POSTS,
    ),
    "finance/budgets/<int:pk>/adopt/": (_url("/finance/budgets/{pk}/adopt/", "budget_circulated"), MANAGER_POSTS),
    "finance/budgets/<int:pk>/revise/": (_url("/finance/budgets/{pk}/revise/", "budget_adopted"), MANAGER_POSTS),
    "finance/assessment/runs/": (_url("/finance/assessment/runs/"), READERS),
    "finance/assessment/runs/new/": (_url("/finance/assessment/runs/new/"), MANAGER_PAGES),
    "finance/assessment/runs/<int:pk>/": (_url("/finance/assessment/runs/{pk}/", "run_draft"), READERS),
    "finance/assessment/runs/<int:pk>/export.csv": (
        _url("/finance/assessment/runs/{pk}/export.csv", "run_draft"),
        READERS,
    ),
    "finance/assessment/runs/<int:pk>/approve/": (
        _url("/finance/assessment/runs/{pk}/approve/", "run_draft"),
        MANAGER_POSTS,
    ),
    "finance/assessment/runs/<int:pk>/cancel/": (
        _url("/finance/assessment/runs/{pk}/cancel/", "run_draft"),
        MANAGER_POSTS,
    ),
    "finance/assessment/rules/": (_url("/finance/assessment/rules/"), READERS),
    "finance/assessment/rules/new/": (_url("/finance/assessment/rules/new/"), MANAGER_PAGES),
    "finance/assessment/rules/<int:pk>/": (_url("/finance/assessment/rules/{pk}/", "rule_set"), MANAGER_PAGES),
    "finance/assessment/attendance/": (_url("/finance/assessment/attendance/?year=2027"), READERS),
    "finance/assessment/attendance/add/": (_url("/finance/assessment/attendance/add/"), MANAGER_POSTS),
    "finance/assessment/attendance/<int:pk>/remove/": (
        _url("/finance/assessment/attendance/{pk}/remove/", "attendance"),
        MANAGER_POSTS,
    ),
}


def _new_budget(t: Any) -> dict[str, str]:
    return {
        "fund": str(fund().pk),
        "year": "2034",
        "period_start": "",
        "period_end": "",
        "overrun_policy": "warn",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-code": "SEC",
        "lines-0-title": "Secretariat staff and premises",
        "lines-0-pool": "secretariat",
        "lines-0-amount": "1800000.00",
        "lines-1-code": "CSP",
        "lines-1-title": "Conference of States Parties",
        "lines-1-pool": "conference",
        "lines-1-amount": "450000.00",
    }


def _edited_lines(t: Any) -> dict[str, str]:
    lines = list(t.extra["budget_estimate"].lines.order_by("code"))
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data.update(
            {
                f"lines-{index}-id": str(line.pk),
                f"lines-{index}-code": line.code,
                f"lines-{index}-title": line.title,
                f"lines-{index}-pool": line.pool,
                f"lines-{index}-amount": str(line.amount + Decimal("1000.00")),
            }
        )
    return data


def _rule_set(t: Any, **changes: str) -> dict[str, str]:
    data = {
        "name": "Matrix rules",
        "secretariat_states": "parties",
        "conference_states": "parties",
        "scale_year_offset": "0",
        "floor_percent": "",
        "ceiling_percent": "22",
        "notes": "Written by the access matrix.",
    }
    data.update(changes)
    return data


WRITES: dict[str, Write] = {
    "create a budget estimate": Write("post", _url("/finance/budgets/new/"), _new_budget, MANAGERS),
    "edit the lines of an estimate": Write(
        "post", _url("/finance/budgets/{pk}/lines/", "budget_estimate"), _edited_lines, MANAGERS
    ),
    "comment on a budget": Write(
        "post",
        _url("/finance/budgets/{pk}/comment/", "budget_estimate"),
        lambda t: {"body": "The travel line looks high."},
        [*MANAGERS, "management_committee"],
    ),
    "mark a budget reviewed": Write(
        "post",
        _url("/finance/budgets/{pk}/review/", "budget_estimate"),
        lambda t: {"reviewed_on": "2026-02-01"},
        MANAGERS,
    ),
    "mark a budget circulated": Write(
        "post",
        _url("/finance/budgets/{pk}/circulate/", "budget_reviewed"),
        lambda t: {"circulated_on": "2026-02-01"},
        MANAGERS,
    ),
    "adopt a budget": Write(
        "post",
        _url("/finance/budgets/{pk}/adopt/", "budget_circulated"),
        lambda t: {"decision_reference": "ATT/CSP11/2025/DEC.1", "adopted_on": "2026-02-01"},
        MANAGERS,
    ),
    "revise an adopted budget": Write(
        "post",
        _url("/finance/budgets/{pk}/revise/", "budget_adopted"),
        lambda t: {"reason": "The Conference moved to a longer venue."},
        MANAGERS,
    ),
    "make an assessment run": Write(
        "post",
        _url("/finance/assessment/runs/new/"),
        lambda t: {
            "budget": str(t.extra["budget_adopted"].pk),
            "assessment_date": timezone.localdate().isoformat(),
            "rule_set": str(t.extra["rule_set"].pk),
        },
        MANAGERS,
    ),
    "approve an assessment run": Write(
        "post", _url("/finance/assessment/runs/{pk}/approve/", "run_draft"), lambda t: {}, MANAGERS
    ),
    "cancel an assessment run": Write(
        "post", _url("/finance/assessment/runs/{pk}/cancel/", "run_draft"), lambda t: {}, MANAGERS
    ),
    "create a rule set": Write("post", _url("/finance/assessment/rules/new/"), _rule_set, MANAGERS),
    "change a rule set": Write(
        "post",
        _url("/finance/assessment/rules/{pk}/", "rule_set"),
        lambda t: _rule_set(t, name=t.extra["rule_set"].name, is_default="on", conference_states="attendance"),
        MANAGERS,
    ),
    "add States in attendance": Write(
        "post",
        _url("/finance/assessment/attendance/add/"),
        lambda t: {"year": "2027", "iso3_codes": "MEX CHE", "source": "CSP list of participants"},
        MANAGERS,
    ),
    "remove a State in attendance": Write(
        "post", _url("/finance/assessment/attendance/{pk}/remove/", "attendance"), lambda t: {}, MANAGERS
    ),
}
