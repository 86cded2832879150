"""Arrears per State and year on a date, full years in arrears, Financial Rule 8 reminders through
the reminder engine, consequence flags (with and without a payment plan), the dossier panel and
the arrears pages."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secretariat.core.access import principal_for
from secretariat.finance.models import Allocation, ConsequenceRule
from secretariat.finance.selectors import arrears as selectors
from secretariat.finance.selectors.arrears_watch import arrears_dues, settled_on
from secretariat.finance.selectors.dossier import arrears_dossier_panel
from secretariat.finance.services import arrears as services
from secretariat.finance.services import invoices as invoice_services
from secretariat.finance.services import payments as payment_services
from secretariat.reminders import planning
from secretariat.reminders.models import OutboxMessage, ReminderRule
from secretariat.reminders.services import reminders_plan
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in
from tests.finance.factories import fund, issued_invoices

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return factories.UserFactory()


def pay(iso3: str, amount: str, on: dt.date, user, **options):
    return payment_services.payment_record(
        fund=fund(), state=State.objects.get(iso3=iso3), received_on=on, amount=D(amount), user=user, **options
    )


def figures(iso3: str, as_of: dt.date) -> dict[int, tuple[D, D, D, D]]:
    state = State.objects.get(iso3=iso3)
    return {
        f.year: (f.assessed, f.credited, f.received, f.outstanding)
        for f in selectors.figures_by_state(as_of).get(state.pk, [])
    }


def plan_for(iso3: str, *, decided_on: dt.date, instalments: list[tuple[dt.date, str]], user):
    """An approved payment plan (built directly: its request rules are tested in test_payment_plans)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from secretariat.finance.models import PaymentPlan, PlanInstalment

    plan = PaymentPlan.objects.create(
        state=State.objects.get(iso3=iso3),
        received_on=decided_on - dt.timedelta(days=10),
        note_verbale=SimpleUploadedFile("nv.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        note_verbale_reference="NV/1",
        reasons="Budget cuts",
        outstanding_amount=sum((D(a) for _d, a in instalments), D(0)),
        conference_starts_on=decided_on + dt.timedelta(days=200),
        status="approved",
        decision_reference="CSP/DEC/1",
        decided_on=decided_on,
        created_by=user,
    )
    PlanInstalment.objects.bulk_create(PlanInstalment(plan=plan, due_on=d, amount=D(a)) for d, a in instalments)
    return plan


# ---------------------------------------------------------------------------- figures on a date


def test_figures_per_year_on_dates_before_and_after_payments_credits_and_reversals(user):
    old = issued_invoices({"GHA": "1000.00", "MEX": "300.00"}, year=2025, user=user)  # issued 15 Oct 2024
    new = issued_invoices({"GHA": "1200.00"}, year=2026, user=user)  # issued 15 Oct 2025
    payment = pay("GHA", "400.00", dt.date(2025, 6, 1), user)  # oldest first: the 2025 invoice
    invoice_services.credit_note_issue(
        invoice=new["GHA"], amount=D("200.00"), reason="Scale corrected", user=user, issued_on=dt.date(2026, 2, 1)
    )

    assert figures("GHA", dt.date(2024, 10, 14)) == {}
    assert figures("GHA", dt.date(2025, 5, 31)) == {2025: (D("1000.00"), 0, 0, D("1000.00"))}
    assert figures("GHA", dt.date(2025, 6, 1)) == {2025: (D("1000.00"), 0, D("400.00"), D("600.00"))}
    assert figures("GHA", dt.date(2026, 3, 1)) == {
        2025: (D("1000.00"), 0, D("400.00"), D("600.00")),
        2026: (D("1200.00"), D("200.00"), 0, D("1000.00")),
    }
    assert figures("MEX", dt.date(2026, 3, 1)) == {2025: (D("300.00"), 0, 0, D("300.00"))}

    # Reversing the allocation (dated today) changes today's figures, not what the books said before.
    allocation = Allocation.objects.get(payment=payment)
    payment_services.allocation_reverse(allocation=allocation, user=user)
    assert figures("GHA", dt.date(2026, 3, 1))[2025] == (D("1000.00"), 0, D("400.00"), D("600.00"))
    assert figures("GHA", dt.date.today())[2025] == (D("1000.00"), 0, 0, D("1000.00"))
    assert old["GHA"].pk != new["GHA"].pk


def test_full_years_in_arrears_counts_whole_past_years_still_unpaid(user):
    issued_invoices({"GHA": "100.00", "MEX": "100.00"}, year=2024, user=user)
    issued_invoices({"GHA": "100.00", "MEX": "100.00"}, year=2025, user=user)
    issued_invoices({"GHA": "100.00", "MEX": "100.00"}, year=2026, user=user)
    pay("MEX", "100.00", dt.date(2024, 3, 1), user)  # Mexico pays 2024 only
    ghana, mexico = State.objects.get(iso3="GHA"), State.objects.get(iso3="MEX")

    def years(on):
        return selectors.state_full_years(on)

    # During 2025 only 2024 is a whole past year; the current year never counts.
    assert years(dt.date(2025, 12, 31)) == {ghana.pk: 1}
    assert years(dt.date(2026, 3, 1)) == {ghana.pk: 2, mexico.pk: 1}
    pay("GHA", "100.00", dt.date(2026, 3, 2), user)  # pays the oldest: 2024
    assert years(dt.date(2026, 3, 2)) == {ghana.pk: 1, mexico.pk: 1}
    assert years(dt.date(2026, 3, 1)) == {ghana.pk: 2, mexico.pk: 1}  # the books on an earlier date


def test_overview_uses_a_fixed_number_of_queries_and_totals_add_up(user):
    issued_invoices({"GHA": "100.00"}, year=2025, user=user)
    plan_for("MEX", decided_on=dt.date(2026, 1, 5), instalments=[(dt.date(2026, 2, 1), "10.00")], user=user)
    day = dt.date(2026, 3, 1)
    with CaptureQueriesContext(connection) as few:
        small = selectors.arrears_overview(as_of=day)
    iso3s = list(State.objects.order_by("iso3").values_list("iso3", flat=True)[:40])
    issued_invoices(dict.fromkeys(iso3s, "10.00"), year=2026, user=user)
    with CaptureQueriesContext(connection) as many:
        large = selectors.arrears_overview(as_of=day)
    assert len(small.rows) == 1
    assert len(large.rows) == len(set(iso3s) | {"GHA"})
    assert len(few) == len(many), (len(few), len(many))
    assert large.total_outstanding == D("100.00") + 10 * len(iso3s)
    assert sum(large.bucket_totals) == large.total_outstanding


# ---------------------------------------------------------------------------- reminders


@pytest.fixture
def arrears_rules():
    """Only the default arrears rules are active (made here, even if a migration made them already)."""
    ReminderRule.objects.exclude(trigger="arrears").update(active=False)
    ReminderRule.objects.filter(trigger="arrears").delete()
    return services.default_arrears_rules()


def test_default_rules_are_created_once_in_four_languages(arrears_rules):
    assert [rule.offset_list for rule in arrears_rules] == [[60], [151]]
    for rule in arrears_rules:
        assert rule.trigger == "arrears"
        assert rule.count_after_from == "deadline"
        assert rule.role_list == ["finance"]
        assert rule.include_representatives
        assert sorted(t.language for t in rule.templates.all()) == ["en", "es", "fr", "zh-hans"]
    assert services.default_arrears_rules() == []
    assert ReminderRule.objects.filter(trigger="arrears").count() == 2
    # The steps fall in March and in May–June, in leap years too.
    for year in (2026, 2028):
        first, second = (dt.date(year, 1, 1) + dt.timedelta(days=r.offset_list[0]) for r in arrears_rules)
        assert first.month == 3
        assert second.month in (5, 6)


def test_the_watcher_lists_each_state_and_year_with_the_day_it_was_settled(user):
    issued_invoices({"GHA": "100.00", "MEX": "50.00"}, year=2026, user=user)
    pay("MEX", "30.00", dt.date(2026, 2, 1), user)
    pay("MEX", "20.00", dt.date(2026, 2, 20), user)
    data = planning.PlanningData.load(dt.date(2026, 3, 2))
    dues = {State.objects.get(pk=d.state_id).iso3: d for d in arrears_dues(data, dt.date(2026, 3, 2))}
    assert dues["GHA"].obligation == "arrears:2026"
    assert dues["GHA"].year == 2026
    assert dues["GHA"].due_on == dues["GHA"].grace_ends_on == dt.date(2026, 1, 1)
    assert dues["GHA"].met_on is None
    assert dues["GHA"].link_path == "/finance/states/GHA/contributions/"
    assert dues["MEX"].met_on == dt.date(2026, 2, 20)
    assert str(dues["GHA"].label()) == "Assessed contributions for 2026"
    # Nothing falls due before 1 January: the invoices issued in October are not yet watched.
    assert list(arrears_dues(data, dt.date(2025, 12, 31))) == []


def test_settled_on_follows_reversals():
    day = dt.date
    assert settled_on([(day(2026, 1, 1), D(100)), (day(2026, 2, 1), D(-100))]) == day(2026, 2, 1)
    reopened = [(day(2026, 1, 1), D(100)), (day(2026, 2, 1), D(-100)), (day(2026, 3, 1), D(100))]
    assert settled_on(reopened) is None
    assert settled_on([*reopened, (day(2026, 4, 1), D(-100))]) == day(2026, 4, 1)


def test_reminders_in_march_and_may_june_go_to_finance_contacts_and_none_after_payment(arrears_rules, user):
    issued_invoices({"GHA": "100.00", "MEX": "100.00", "SEN": "100.00"}, year=2026, user=user)
    ghana = State.objects.get(iso3="GHA")
    finance = factories.ContactFactory(state=ghana, role="finance", email="budget@mof.example.gh")
    factories.ContactFactory(state=ghana, role="npc", email="npc@mfa.example.gh")
    representative = factories.UserFactory(email="rep@ghana.example.gh")
    factories.RoleAssignmentFactory(user=representative, role="state_representative", state=ghana)
    factories.ContactFactory(state=State.objects.get(iso3="SEN"), role="finance", email="finances@sn.example")
    pay("MEX", "100.00", dt.date(2026, 2, 1), user)  # Mexico paid in full before March

    reminders_plan(day=dt.date(2026, 3, 2))  # 1 January + 60 days
    march = OutboxMessage.objects.filter(rule__trigger="arrears")
    assert sorted(march.values_list("state__iso3", "obligation", "step", "planned_for")) == [
        ("GHA", "arrears:2026", 60, dt.date(2026, 3, 2)),
        ("SEN", "arrears:2026", 60, dt.date(2026, 3, 2)),
    ]
    message = march.get(state=ghana)
    assert message.recipients == [finance.email, representative.email]
    assert message.subject == "Reminder: assessed contributions 2026 of Ghana"
    assert "/finance/states/GHA/contributions/" in message.body_text
    french = march.get(state__iso3="SEN")
    assert french.language == "fr"
    assert french.subject == "Rappel : contributions statutaires 2026 – Sénégal"

    reminders_plan(day=dt.date(2026, 3, 2))  # a second run plans nothing more
    assert OutboxMessage.objects.filter(rule__trigger="arrears").count() == 2

    pay("SEN", "100.00", dt.date(2026, 4, 15), user)
    reminders_plan(day=dt.date(2026, 6, 1))  # 1 January + 151 days
    june = OutboxMessage.objects.filter(rule__trigger="arrears", step=151)
    assert list(june.values_list("state__iso3", flat=True)) == ["GHA"]
    assert june.get().subject == "Second reminder: assessed contributions 2026 of Ghana"

    waiting = june.get()
    assert waiting.status == "pending"
    pay("GHA", "100.00", dt.date(2026, 6, 20), user)
    assert planning.plan(dt.date(2026, 6, 1), rules=list(ReminderRule.objects.filter(trigger="arrears"))) == []
    # The reminder still waiting in the outbox is not sent once the State has paid.
    reminders_plan(day=dt.date(2026, 6, 21))
    waiting.refresh_from_db()
    assert waiting.status == "suppressed"


# ---------------------------------------------------------------------------- consequences


def test_flags_are_raised_for_two_full_years_unless_an_approved_plan_is_kept(user):
    for year in (2024, 2025, 2026):
        issued_invoices({"GHA": "100.00", "MEX": "100.00"}, year=year, user=user)
    pay("MEX", "100.00", dt.date(2025, 3, 1), user)  # Mexico: only 2025 is a past year unpaid in 2026
    ghana, mexico = State.objects.get(iso3="GHA"), State.objects.get(iso3="MEX")
    day = dt.date(2026, 3, 1)

    assert [rule.code for rule in selectors.consequences_for(ghana, on=day)] == ["two-full-years"]
    assert selectors.consequences_for(mexico, on=day) == []
    assert selectors.states_with_consequence("two-full-years", on=day) == {ghana.pk}
    assert selectors.states_with_consequence("no-such-rule", on=day) == set()

    # An approved plan kept on the day spares Ghana from the rules that say so...
    plan_for(
        "GHA",
        decided_on=dt.date(2026, 1, 10),
        instalments=[(dt.date(2026, 2, 1), "100.00"), (dt.date(2026, 6, 1), "100.00")],
        user=user,
    )
    pay("GHA", "100.00", dt.date(2026, 1, 20), user, allocate=False)  # the first instalment, held as credit
    assert selectors.consequences_for(ghana, on=day) == []
    strict = ConsequenceRule.objects.create(code="strict", label="Strict", min_full_years=1, exempt_with_plan=False)
    assert [rule.code for rule in selectors.consequences_for(ghana, on=day)] == ["strict"]
    strict.delete()
    # ... not before it was approved, nor once an instalment is more than 30 days late.
    assert [r.code for r in selectors.consequences_for(ghana, on=dt.date(2026, 1, 9))] == ["two-full-years"]
    assert selectors.consequences_for(ghana, on=dt.date(2026, 7, 1)) == []  # 30 days late: kept
    assert selectors.states_with_consequence("two-full-years", on=dt.date(2026, 7, 2)) == {ghana.pk}

    ConsequenceRule.objects.filter(code="two-full-years").update(active=False)
    assert selectors.states_with_consequence("two-full-years", on=dt.date(2026, 7, 2)) == set()


def test_states_with_consequence_uses_a_fixed_number_of_queries(user):
    plan_for("MEX", decided_on=dt.date(2020, 1, 5), instalments=[(dt.date(2026, 2, 1), "10.00")], user=user)
    for year in (2020, 2021):
        issued_invoices({"GHA": "100.00"}, year=year, user=user)
    with CaptureQueriesContext(connection) as few:
        assert len(selectors.states_with_consequence("two-full-years", on=dt.date(2022, 3, 1))) == 1
    iso3s = list(State.objects.exclude(iso3__in=["GHA", "MEX"]).order_by("iso3").values_list("iso3", flat=True)[:30])
    for year in (2024, 2025):
        issued_invoices(dict.fromkeys(iso3s, "10.00"), year=year, user=user)
    with CaptureQueriesContext(connection) as many:
        flagged = selectors.states_with_consequence("two-full-years", on=dt.date(2026, 3, 1))
    assert len(flagged) == 1 + len(iso3s)
    assert len(few) == len(many), (len(few), len(many))


# ---------------------------------------------------------------------------- dossier panel and pages


def _two_years_unpaid(user):
    for year in (2024, 2025, 2026):
        issued_invoices({"GHA": "100.00", "MEX": "50.00"}, year=year, user=user)


def test_dossier_panel_for_the_state_and_staff_only(make_persona, user):
    _two_years_unpaid(user)
    ghana = State.objects.get(iso3="GHA")
    panel = arrears_dossier_panel(ghana, principal_for(make_persona("state_a_rep")))
    arrears = panel.context["arrears"]
    assert [f.year for f in arrears.years] == [2024, 2025, 2026]
    assert arrears.outstanding == D("300.00")
    assert arrears.full_years == 2
    assert [rule.code for rule in arrears.flags] == ["two-full-years"]
    staff = dataclasses.replace(principal_for(make_persona("staff_reporting")), otp_verified=True)
    assert arrears_dossier_panel(ghana, staff) is not None
    assert arrears_dossier_panel(ghana, dataclasses.replace(staff, otp_verified=False)) is None
    for persona in ("anonymous", "state_b_rep", "management_committee", "donor_rep"):
        assert arrears_dossier_panel(ghana, principal_for(make_persona(persona))) is None, persona
    # A State never invoiced and without a plan has no panel.
    assert arrears_dossier_panel(State.objects.get(iso3="FRA"), staff) is None


def test_the_dossier_shows_flags_to_the_states_representatives_but_not_to_the_public(client, make_persona, user):
    _two_years_unpaid(user)
    label = ConsequenceRule.objects.get(code="two-full-years").label
    public = client.get("/states/GHA/").content.decode()
    assert label not in public
    assert "Arrears and Financial Rule 8" not in public
    own = sign_in(client, make_persona("state_a_rep")).get("/states/GHA/").content.decode()
    assert "Arrears and Financial Rule 8" in own
    assert label in own


def test_overview_page_filters_and_flags_for_staff(client, make_persona, user):
    _two_years_unpaid(user)
    issued_invoices({"FRA": "70.00"}, year=2027, issued_on=dt.date(2026, 10, 15), user=user)  # not due yet
    staff = sign_in(client, make_persona("staff_finance"))
    page = staff.get("/finance/arrears/")
    assert page.status_code == 200
    rows = {row.state.iso3: row for row in page.context["data"].rows}
    assert set(rows) == {"GHA", "MEX", "FRA"}
    assert rows["GHA"].full_years == 2
    assert [r.code for r in rows["GHA"].flags] == ["two-full-years"]
    assert rows["FRA"].buckets == {"not_due": D("70.00")}
    assert "In arrears for two full years or more" in page.content.decode()

    by_region = staff.get("/finance/arrears/", {"region": "african"}).context["data"].rows
    assert [row.state.iso3 for row in by_region] == ["GHA"]
    flagged = staff.get("/finance/arrears/", {"flag": "two-full-years"}).context["data"].rows
    assert {row.state.iso3 for row in flagged} == {"GHA", "MEX"}
    earlier = staff.get("/finance/arrears/", {"as_of": "2025-03-01"}).context["data"]
    assert {row.state.iso3: row.outstanding for row in earlier.rows} == {"GHA": D("200.00"), "MEX": D("100.00")}
    assert staff.get("/finance/arrears/", {"as_of": "2999-01-01"}).context["form"].errors


def test_overview_csv_and_the_management_committee_without_flags(client, make_persona, user):
    _two_years_unpaid(user)
    staff = sign_in(client, make_persona("staff_finance"))
    response = staff.get("/finance/arrears/export.csv", {"as_of": "2026-03-01"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    ghana = [row for row in rows if row["iso3"] == "GHA"]
    assert [(r["year"], r["outstanding"], r["ageing"], r["full_years_in_arrears"]) for r in ghana] == [
        ("2024", "100.00", "over_2y", "2"),
        ("2025", "100.00", "1_2y", "2"),
        ("2026", "100.00", "0_90", "2"),
    ]
    assert {r["consequences"] for r in ghana} == {"two-full-years"}

    committee = sign_in(client, make_persona("management_committee"))
    page = committee.get("/finance/arrears/")
    assert page.status_code == 200
    assert "flag" not in page.context["form"].fields
    assert "In arrears for two full years or more" not in page.content.decode()
    committee_csv = committee.get("/finance/arrears/export.csv").content.decode("utf-8-sig")
    assert "consequences" not in committee_csv.splitlines()[0]
    assert sign_in(client, make_persona("state_a_rep")).get("/finance/arrears/").status_code == 403


def test_staff_edit_and_add_consequence_rules(client, make_persona):
    staff = sign_in(client, make_persona("staff_finance"))
    rule = ConsequenceRule.objects.get(code="two-full-years")
    assert staff.get("/finance/consequences/").status_code == 200
    data = {"code": "changed", "label": "Two years or more", "min_full_years": "3", "description": "Rule 8(1)(b)"}
    response = staff.post(f"/finance/consequences/{rule.pk}/edit/", data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.code, rule.label, rule.min_full_years, rule.exempt_with_plan, rule.active) == (
        "two-full-years",
        "Two years or more",
        3,
        False,
        False,
    )
    refused = staff.post("/finance/consequences/new/", {"code": "x y", "label": "", "min_full_years": "0"})
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"code", "label", "min_full_years"}
    assert ConsequenceRule.objects.count() == 1
    created = staff.post(
        "/finance/consequences/new/", {"code": "one-year", "label": "One year", "min_full_years": "1", "active": "on"}
    )
    assert created.status_code == 302
    assert ConsequenceRule.objects.filter(code="one-year", active=True).exists()
