"""Payment plans under Financial Rule 8(1)(d): the request and each of its refusals (nothing
written), the decision, instalment tracking from the State's payments, completion and lapse, and
the plan pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from secretariat.finance.models import PaymentPlan, PlanInstalment
from secretariat.finance.selectors import arrears as selectors
from secretariat.finance.services import arrears as services
from secretariat.finance.services import payments as payment_services
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in
from tests.finance.factories import fund

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
RECEIVED = dt.date(2026, 3, 2)
CONFERENCE = dt.date(2026, 8, 24)  # 175 days later


def note_verbale(name: str = "nv.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def request_data(**changes):
    data = {
        "state": State.objects.get(iso3="GHA"),
        "received_on": RECEIVED,
        "note_verbale": note_verbale(),
        "note_verbale_reference": "NV/GHA/2026/14",
        "reasons": "A fall in revenue in 2024 and 2025.",
        "outstanding_amount": D("300.00"),
        "conference_starts_on": CONFERENCE,
        "instalments": [(dt.date(2026, 6, 30), D("100.00")), (dt.date(2027, 6, 30), D("200.00"))],
        "user": factories.UserFactory(),
    }
    data.update(changes)
    return data


def refusal(**changes) -> dict[str, list[str]]:
    """Every message of the refused request; nothing was written."""
    with pytest.raises(ValidationError) as caught:
        services.plan_request(**request_data(**changes))
    assert PaymentPlan.objects.count() == 0
    assert PlanInstalment.objects.count() == 0
    return caught.value.message_dict


def test_a_valid_request_is_recorded_with_its_instalments_and_note_verbale():
    plan = services.plan_request(**request_data())
    assert plan.status == "requested"
    assert list(plan.instalments.values_list("due_on", "amount")) == [
        (dt.date(2026, 6, 30), D("100.00")),
        (dt.date(2027, 6, 30), D("200.00")),
    ]
    assert plan.note_verbale.name == "finance/plans/GHA/note-verbale-2026-03-02.pdf"
    with plan.note_verbale.open("rb") as stored:
        assert stored.read() == PDF


def test_a_request_filed_fewer_than_60_days_before_the_conference_is_refused():
    errors = refusal(conference_starts_on=RECEIVED + dt.timedelta(days=59))
    assert list(errors) == ["conference_starts_on"]
    assert "fewer than 60 days before the Conference" in errors["conference_starts_on"][0]
    # Exactly 60 days is in time.
    assert services.plan_request(**request_data(conference_starts_on=RECEIVED + dt.timedelta(days=60)))


def test_a_plan_longer_than_six_years_is_refused():
    last_day = dt.date(2032, 3, 2)  # six years after the request: still allowed
    errors = refusal(instalments=[(dt.date(2027, 1, 1), D("100.00")), (last_day + dt.timedelta(days=1), D("200.00"))])
    assert errors["instalments"] == [
        "The last instalment (3 March 2032) is more than 6 years after the request was received: a plan under "
        "Financial Rule 8(1)(d) ends by 2 March 2032 at the latest."
    ]
    assert services.plan_request(**request_data(instalments=[(dt.date(2027, 1, 1), D("100")), (last_day, D("200"))]))


def test_instalments_not_adding_up_to_the_total_are_refused():
    errors = refusal(outstanding_amount=D("300.01"))
    assert errors["instalments"] == ["The instalments add up to 300.00, not the total outstanding of 300.01."]


def test_instalment_dates_must_increase_and_not_fall_before_the_request():
    errors = refusal(instalments=[(dt.date(2027, 6, 30), D("100.00")), (dt.date(2026, 6, 30), D("200.00"))])
    assert errors["instalments"] == [
        "The instalment dates must increase: instalment 2 (30 June 2026) is not after 30 June 2027."
    ]
    errors = refusal(instalments=[(dt.date(2026, 3, 1), D("100.00")), (dt.date(2026, 6, 30), D("200.00"))])
    assert errors["instalments"] == [
        "Instalment 1 (1 March 2026) falls before the request was received (2 March 2026)."
    ]
    assert (
        "The instalment dates must increase"
        in refusal(instalments=[(dt.date(2026, 6, 30), D("100.00")), (dt.date(2026, 6, 30), D("200.00"))])[
            "instalments"
        ][0]
    )


def test_zero_or_negative_amounts_are_refused():
    errors = refusal(instalments=[(dt.date(2026, 6, 30), D("0")), (dt.date(2027, 6, 30), D("300.00"))])
    assert errors["instalments"] == ["Instalment 1 (30 June 2026): the amount must be more than zero."]
    errors = refusal(
        outstanding_amount=D("-1"), instalments=[(dt.date(2026, 6, 30), D("-1")), (dt.date(2027, 6, 30), D("0.001"))]
    )
    assert errors["outstanding_amount"] == ["The total outstanding must be more than zero."]
    assert errors["instalments"] == [
        "Instalment 1 (30 June 2026): the amount must be more than zero.",
        "Instalment 2 (30 June 2027): amounts are kept to the cent.",
    ]
    assert refusal(instalments=[])["instalments"] == ["Give at least one instalment: its date and amount."]


def test_other_refusals_name_their_field():
    future = dt.date.today() + dt.timedelta(days=1)
    assert (
        "future" in refusal(received_on=future, conference_starts_on=future + dt.timedelta(days=90))["received_on"][0]
    )
    assert refusal(note_verbale=None)["note_verbale"] == ["Attach the Note Verbale."]
    assert refusal(note_verbale=note_verbale("nv.pdf", b"MZ\x90\x00 not a pdf"))["note_verbale"] == [
        "The content of nv.pdf is not a PDF file."
    ]
    assert set(refusal(reasons=" ", note_verbale_reference="")) == {"reasons", "note_verbale_reference"}


def test_one_open_plan_per_state():
    services.plan_request(**request_data())
    with pytest.raises(ValidationError) as caught:
        services.plan_request(**request_data(received_on=RECEIVED + dt.timedelta(days=1)))
    assert "already has a payment plan requested" in caught.value.message_dict["state"][0]
    assert PaymentPlan.objects.count() == 1


def test_approval_needs_a_decision_reference_and_a_plan_is_decided_once():
    plan = services.plan_request(**request_data())
    with pytest.raises(ValidationError) as caught:
        services.plan_approve(plan=plan, decision_reference="  ")
    assert caught.value.message_dict == {"decision_reference": ["An approval needs its decision reference."]}
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, decision_reference="CSP11/DEC", decided_on=RECEIVED - dt.timedelta(days=1))
    plan.refresh_from_db()
    assert plan.status == "requested"
    services.plan_approve(plan=plan, decision_reference="ATT/CSP11/2026/DEC.3", decided_on=dt.date(2026, 4, 1))
    plan.refresh_from_db()
    assert (plan.status, plan.decision_reference, plan.decided_on) == (
        "approved",
        "ATT/CSP11/2026/DEC.3",
        dt.date(2026, 4, 1),
    )
    with pytest.raises(ValidationError, match="already been decided"):
        services.plan_refuse(plan=plan)
    other = services.plan_request(**request_data(state=State.objects.get(iso3="MEX")))
    services.plan_refuse(plan=other)
    other.refresh_from_db()
    assert other.status == "refused"
    # A refused request leaves the State free to ask again.
    assert services.plan_request(**request_data(state=State.objects.get(iso3="MEX"), received_on=dt.date(2026, 3, 5)))


def _approved_plan():
    plan = services.plan_request(
        **request_data(
            instalments=[
                (dt.date(2026, 5, 1), D("100.00")),
                (dt.date(2026, 7, 1), D("100.00")),
                (dt.date(2026, 9, 1), D("100.00")),
            ]
        )
    )
    return services.plan_approve(plan=plan, decision_reference="DEC/1", decided_on=dt.date(2026, 4, 1))


def _pay(amount: str, on: dt.date, **options):
    return payment_services.payment_record(
        fund=fund(),
        state=State.objects.get(iso3="GHA"),
        received_on=on,
        amount=D(amount),
        user=factories.UserFactory(),
        **options,
    )


def statuses(plan, on):
    progress = selectors.plan_progress(plan, on=on)
    return [(i.status, i.paid, i.days_late) for i in progress.instalments], progress


def test_instalments_are_paid_in_order_by_payments_since_approval_then_lapse_or_complete():
    plan = _approved_plan()
    _pay("500.00", dt.date(2026, 3, 20))  # before the approval: not counted
    _pay("100.00", dt.date(2026, 4, 20))
    _pay("60.00", dt.date(2026, 7, 10))

    found, progress = statuses(plan, dt.date(2026, 6, 1))
    assert found == [("paid", D("100.00"), 0), ("due", D("0"), 0), ("due", D("0"), 0)]
    assert progress.instalments[0].paid_on == dt.date(2026, 4, 20)
    assert progress.kept
    found, progress = statuses(plan, dt.date(2026, 7, 31))  # the second instalment is 30 days late
    assert found[1] == ("late", D("60.00"), 30)
    assert progress.kept
    assert not progress.lapsed
    found, progress = statuses(plan, dt.date(2026, 8, 1))  # 31 days late: the plan lapses
    assert progress.lapsed
    assert not progress.kept
    assert progress.status == "lapsed"

    assert services.plans_record_progress(on=dt.date(2026, 7, 31)) == {"completed": 0, "lapsed": 0}
    assert services.plans_record_progress(on=dt.date(2026, 8, 1)) == {"completed": 0, "lapsed": 1}
    plan.refresh_from_db()
    assert plan.status == "lapsed"


def test_a_plan_paid_in_full_is_completed():
    plan = _approved_plan()
    _pay("150.00", dt.date(2026, 4, 20), allocate=False)
    _pay("150.00", dt.date(2026, 8, 20), allocate=False)
    found, progress = statuses(plan, dt.date(2026, 8, 20))
    assert [status for status, _paid, _late in found] == ["paid", "paid", "paid"]
    assert [i.paid_on for i in progress.instalments] == [
        dt.date(2026, 4, 20),
        dt.date(2026, 8, 20),
        dt.date(2026, 8, 20),
    ]
    assert progress.completed
    assert services.plans_record_progress(on=dt.date(2026, 8, 20)) == {"completed": 1, "lapsed": 0}
    plan.refresh_from_db()
    assert plan.status == "completed"


# ---------------------------------------------------------------------------- pages


def _form(**changes):
    data = {
        "state": "GHA",
        "received_on": "2026-03-02",
        "note_verbale": note_verbale(),
        "note_verbale_reference": "NV/GHA/2026/14",
        "reasons": "A fall in revenue.",
        "outstanding_amount": "300.00",
        "conference_starts_on": "2026-08-24",
        "instalments": "2026-06-30 100.00\n\n2027-06-30; 200",
    }
    data.update(changes)
    return data


def test_staff_record_a_request_through_the_form(client, make_persona):
    staff = sign_in(client, make_persona("staff_finance"))
    assert staff.get("/finance/plans/new/").status_code == 200
    refused = staff.post("/finance/plans/new/", _form(instalments="2026-06-30 100.00\n30/06/2027 200"))
    assert refused.status_code == 400
    assert refused.context["form"].errors["instalments"] == ["Line 2: “30/06/2027” is not a date such as 2027-03-31."]
    too_late = staff.post("/finance/plans/new/", _form(conference_starts_on="2026-04-01"))
    assert too_late.status_code == 400
    assert "fewer than 60 days" in too_late.context["form"].errors["conference_starts_on"][0]
    assert PaymentPlan.objects.count() == 0

    response = staff.post("/finance/plans/new/", _form())
    plan = PaymentPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/finance/plans/{plan.pk}/"
    assert list(plan.instalments.values_list("amount", flat=True)) == [D("100.00"), D("200.00")]

    approved = staff.post(f"/finance/plans/{plan.pk}/approve/", {"decision_reference": "", "decided_on": ""})
    assert approved.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "requested"  # no reference: refused, with the message shown
    staff.post(f"/finance/plans/{plan.pk}/approve/", {"decision_reference": "DEC/7", "decided_on": "2026-04-01"})
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert plan.decision_recorded_by is not None
    page = staff.get(f"/finance/plans/{plan.pk}/")
    assert page.status_code == 200
    assert f'(DEC/7) <span class="muted">(recorded by {plan.decision_recorded_by})</span>' in page.content.decode()
    assert page.context["progress"].instalments[0].status in ("due", "late")
    assert staff.get("/finance/plans/").status_code == 200
    assert staff.get("/finance/plans/", {"status": "approved"}).context["rows"][0][0] == plan


def test_the_states_representatives_see_their_plan_and_note_verbale_and_nobody_elses(client, make_persona):
    plan = services.plan_request(**request_data())
    own = sign_in(client, make_persona("state_a_rep"))
    assert own.get(f"/finance/plans/{plan.pk}/").status_code == 200
    download = own.get(f"/finance/plans/{plan.pk}/note-verbale/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert own.get("/finance/plans/").status_code == 403
    assert own.post(f"/finance/plans/{plan.pk}/approve/", {"decision_reference": "X"}).status_code == 403
    other = sign_in(client, make_persona("state_b_rep"))
    assert other.get(f"/finance/plans/{plan.pk}/").status_code == 403
    assert other.get(f"/finance/plans/{plan.pk}/note-verbale/").status_code == 403
