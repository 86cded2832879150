"""factory_boy factories for the foundation models."""

import datetime as dt

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.accounts.models import Donor, RoleAssignment, User
from secretariat.states.models import State, UNStanding


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class StateFactory(factory.django.DjangoModelFactory):
    """A made-up State (codes in the ISO user-assigned ranges, so never a real one)."""

    class Meta:
        model = State
        django_get_or_create = ("iso3",)

    iso3 = factory.Sequence(lambda n: f"X{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    iso2 = factory.LazyAttribute(lambda o: f"X{o.iso3[2]}" if o.iso3.startswith("X") else o.iso3[:2])
    iso_numeric = factory.Sequence(lambda n: f"{900 + n % 100:03d}")
    name_en = factory.LazyAttribute(lambda o: f"State {o.iso3}")
    name_fr = factory.LazyAttribute(lambda o: f"État {o.iso3}")
    name_es = factory.LazyAttribute(lambda o: f"Estado {o.iso3}")
    name_zh = factory.LazyAttribute(lambda o: f"国家 {o.iso3}")
    un_standing = UNStanding.MEMBER
    region = "african"


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Donor {n}")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "staff_admin"


def confirmed_totp_device(user):
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="default", defaults={"confirmed": True})
    return device


# ---------------------------------------------------------------------------- reporting


def transfer_contents(*, partner, rows=1, visibility="public", category_code="I", basis="actual", items=3):
    """An exports or imports form with `rows` rows to `partner` (reporting.contents.FormContents)."""
    from secretariat.reporting.contents import FormContents, RowContents
    from secretariat.reporting.models import Category

    category = Category.objects.get(code=category_code)
    return FormContents(
        visibility=visibility,
        rows=[
            RowContents(category=category, partner=partner, basis=basis, items=items + n, description=f"Row {n + 1}")
            for n in range(rows)
        ],
    )


def annual_contents(*, partner, exports_visibility="public", imports_visibility="restricted", rows=1):
    from secretariat.reporting.contents import AnnualReportContents

    return AnnualReportContents(
        authority="Ministry of Defence",
        contact="Reporting officer",
        forms={
            "exports": transfer_contents(partner=partner, rows=rows, visibility=exports_visibility),
            "imports": transfer_contents(partner=partner, rows=rows, visibility=imports_visibility, category_code="II"),
        },
    )


def annual_draft(*, state, year, by, partner, **contents_options):
    """A draft annual report of `state` on `year` with both forms filled."""
    from secretariat.reporting import services

    draft = services.draft_start(state=state, kind="annual", year=year, started_by=by)
    return services.draft_save_contents(
        version=draft, contents=annual_contents(partner=partner, **contents_options), saved_by=by
    )


def published_annual_report(*, state, year, by, partner, **contents_options):
    """An annual report submitted, reviewed and published (through the services, as in real life)."""
    from secretariat.reporting import services

    version = annual_draft(state=state, year=year, by=by, partner=partner, **contents_options)
    version = services.draft_submit(version=version, submitted_by=by)
    version = services.version_review(version=version, reviewed_by=by)
    return services.version_publish(version=version, published_by=by)


def matrix_reports(state_a, officer):
    """The access matrix's reports of State A: a draft on 2023 and a published report on 2020
    (public exports, restricted imports), both with rows whose partner is Mexico."""
    from secretariat.states.models import State

    mexico = State.objects.get(iso3="MEX")
    draft = annual_draft(state=state_a, year=2023, by=officer, partner=mexico)
    published = published_annual_report(state=state_a, year=2020, by=officer, partner=mexico)
    return draft, published


# ---------------------------------------------------------------------------- contacts, control lists, reminders

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class ContactFactory(factory.django.DjangoModelFactory):
    """A verified contact (pass status="pending" for a proposal)."""

    class Meta:
        model = "contacts.Contact"

    state = factory.LazyFunction(lambda: State.objects.get(iso3="GHA"))
    role = "npc"
    name = factory.Faker("name")
    title = "Director"
    ministry = "Ministry of Foreign Affairs"
    email = factory.Sequence(lambda n: f"contact{n}@ministry.example.org")
    working_language = "en"
    valid_from = dt.date(2020, 1, 1)
    note_verbale = factory.django.FileField(filename="nv.pdf", data=PDF_BYTES)
    note_verbale_date = factory.LazyAttribute(lambda o: o.valid_from)
    note_verbale_reference = factory.Sequence(lambda n: f"NV/{n}/2020")
    status = "verified"
    decided_at = factory.LazyFunction(timezone.now)


class ControlListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "controllists.ControlList"

    state = factory.LazyFunction(lambda: State.objects.get(iso3="GHA"))
    list_date = factory.Sequence(lambda n: dt.date(2015 + n % 10, 1 + n // 10 % 12, 1))
    received_on = factory.LazyAttribute(lambda o: o.list_date)
    visibility = "public"


class ControlListFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "controllists.ControlListFile"

    control_list = factory.SubFactory(ControlListFactory)
    language = "en"
    file = factory.django.FileField(filename="list.pdf", data=PDF_BYTES)
    original_name = "list.pdf"
    size = len(PDF_BYTES)


class ReminderRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reminders.ReminderRule"

    name = factory.Sequence(lambda n: f"Annual report reminder {n}")
    trigger = "annual_report"
    offsets = "-60,-14,1,30"
    recipient_roles = "npc,reporting"


class ReminderTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reminders.ReminderTemplate"

    rule = factory.SubFactory(ReminderRuleFactory)
    language = "en"
    subject = "{obligation}: due on {due_date}"
    body = "Dear colleagues,\n\nThe {obligation} of {state} is due on {due_date}.\n\n{link}"


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reminders.OutboxMessage"

    key = factory.Sequence(lambda n: f"test:{n}")
    kind = "reminder"
    rule = factory.SubFactory(ReminderRuleFactory)
    state = factory.LazyFunction(lambda: State.objects.get(iso3="GHA"))
    obligation = "annual:2025"
    obligation_label = "Annual report 2025"
    step = -14
    due_on = dt.date(2026, 5, 31)
    planned_for = dt.date(2026, 5, 17)
    recipients = factory.LazyFunction(lambda: ["npc@mfa.example.gh"])
    subject = "Annual report 2025: due on 31 May 2026"
    body_text = "The annual report 2025 is due on 31 May 2026."
    body_html = "<p>The annual report 2025 is due on 31 May 2026.</p>"
    next_attempt_at = factory.LazyFunction(timezone.now)
    message_id = factory.Sequence(lambda n: f"<outbox-test-{n}@platform.example.org>")
