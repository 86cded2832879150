"""Financial Rule 8: the default arrears reminder rules, payment plans under Rule 8(1)(d), and the
consequence rules staff configure.

Payment plans (DOMAIN.md §3.1, verified): a State asks by Note Verbale, giving its reasons, the
total outstanding and a schedule of instalments; the plan runs for at most six years and the
request must be filed at least 60 days before the start of a Conference of States Parties. Staff
record the request (`plan_request`, every problem refused with a clear message and nothing
written), then record the decision (`plan_approve` with its decision reference, or `plan_refuse`).
How a plan is kept is computed live (`selectors.arrears.plan_progress`); `plans_record_progress`
writes "completed" or "lapsed" on the plans (staff run it from the plans page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from secretariat.core.files import check_document
from secretariat.states.models import State

from ..ledger import ZERO, cents
from ..models import ConsequenceRule, PaymentPlan, PlanInstalment, PlanStatus
from ..models.arrears import PLAN_DAYS_BEFORE_CONFERENCE, PLAN_MAX_YEARS

NOTE_VERBALE_TYPES = ("pdf", "docx")

# ---------------------------------------------------------------------------- reminder rules

SIGNATURE = {
    "en": "ATT Secretariat",
    "fr": "Secrétariat du TCA",
    "es": "Secretaría del TCA",
    "zh-hans": "《武器贸易条约》秘书处",
}

FIRST_REMINDER = {
    "en": (
        "Reminder: assessed contributions {year} of {state}",
        "Dear colleagues,\n\nThis is a reminder from the Secretariat of the Arms Trade Treaty under Financial "
        "Rule 8.\n\n{obligation}\nState: {state}\nDue date: {due_date}\n\n"
        "Our records show that the assessed contribution of {state} for {year} has not been received in full. "
        "The invoices, the payments received and the amount outstanding are here:\n{link}\n\n"
        "If the payment was made recently, please disregard this message. A State that cannot pay in full may "
        "ask for a payment plan under Financial Rule 8(1)(d), by Note Verbale, at least 60 days before a "
        "Conference of States Parties.\n\n",
    ),
    "fr": (
        "Rappel : contributions statutaires {year} – {state}",
        "Madame, Monsieur,\n\nCeci est un rappel du Secrétariat du Traité sur le commerce des armes au titre de "
        "l'article 8 du Règlement financier.\n\n{obligation}\nÉtat : {state}\nDate d'échéance : {due_date}\n\n"
        "Selon nos registres, la contribution statutaire pour {year} de l'État suivant n'a pas encore été reçue "
        "en totalité : {state}. Les factures, les paiements reçus et le montant restant dû sont disponibles "
        "ici :\n{link}\n\n"
        "Si le paiement a été effectué récemment, veuillez ne pas tenir compte de ce message. Un État qui ne peut "
        "pas s'acquitter de la totalité du montant peut demander un plan de paiement au titre de l'article 8(1)(d) "
        "du Règlement financier, par note verbale, au moins 60 jours avant une Conférence des États Parties.\n\n",
    ),
    "es": (
        "Recordatorio: contribuciones prorrateadas {year} – {state}",
        "Estimados colegas:\n\nEste es un recordatorio de la Secretaría del Tratado sobre el Comercio de Armas "
        "con arreglo al artículo 8 del Reglamento Financiero.\n\n{obligation}\nEstado: {state}\n"
        "Fecha de vencimiento: {due_date}\n\n"
        "Según nuestros registros, la contribución prorrateada de {state} correspondiente a {year} aún no se ha "
        "recibido en su totalidad. Las facturas, los pagos recibidos y el importe pendiente pueden consultarse "
        "aquí:\n{link}\n\n"
        "Si el pago se ha efectuado recientemente, le rogamos que no tenga en cuenta este mensaje. Un Estado que "
        "no pueda pagar la totalidad puede solicitar un plan de pagos con arreglo al artículo 8(1)(d) del "
        "Reglamento Financiero, mediante nota verbal, al menos 60 días antes de una Conferencia de los Estados "
        "Partes.\n\n",
    ),
    "zh-hans": (
        "提醒：{state} {year}年分摊会费",
        "各位同事：\n\n这是《武器贸易条约》秘书处根据《财务细则》第8条发出的提醒。\n\n"
        "{obligation}\n国家：{state}\n到期日：{due_date}\n\n"
        "根据我们的记录，{state}{year}年的分摊会费尚未全额收到。发票、已收付款和未付金额可在此处查看：\n{link}\n\n"
        "如您最近已付款，请忽略本信息。无法全额支付的国家可根据《财务细则》第8条第1款(d)项，"
        "至迟在缔约国会议开幕60天前以普通照会申请付款计划。\n\n",
    ),
}

SECOND_REMINDER = {
    "en": (
        "Second reminder: assessed contributions {year} of {state}",
        "Dear colleagues,\n\nThis is a second reminder from the Secretariat of the Arms Trade Treaty under "
        "Financial Rule 8.\n\n{obligation}\nState: {state}\nDue date: {due_date} ({days} days ago)\n\n"
        "Our records show that the assessed contribution of {state} for {year} is still outstanding. The invoices, "
        "the payments received and the amount outstanding are here:\n{link}\n\n"
        "If the payment was made recently, please disregard this message. A State that cannot pay in full may "
        "ask for a payment plan under Financial Rule 8(1)(d), by Note Verbale, at least 60 days before a "
        "Conference of States Parties.\n\n",
    ),
    "fr": (
        "Deuxième rappel : contributions statutaires {year} – {state}",
        "Madame, Monsieur,\n\nCeci est un deuxième rappel du Secrétariat du Traité sur le commerce des armes au "
        "titre de l'article 8 du Règlement financier.\n\n{obligation}\nÉtat : {state}\n"
        "Date d'échéance : {due_date} (il y a {days} jours)\n\n"
        "Selon nos registres, la contribution statutaire pour {year} de l'État suivant reste due : {state}. Les "
        "factures, les paiements reçus et le montant restant dû sont disponibles ici :\n{link}\n\n"
        "Si le paiement a été effectué récemment, veuillez ne pas tenir compte de ce message. Un État qui ne peut "
        "pas s'acquitter de la totalité du montant peut demander un plan de paiement au titre de l'article 8(1)(d) "
        "du Règlement financier, par note verbale, au moins 60 jours avant une Conférence des États Parties.\n\n",
    ),
    "es": (
        "Segundo recordatorio: contribuciones prorrateadas {year} – {state}",
        "Estimados colegas:\n\nEste es un segundo recordatorio de la Secretaría del Tratado sobre el Comercio de "
        "Armas con arreglo al artículo 8 del Reglamento Financiero.\n\n{obligation}\nEstado: {state}\n"
        "Fecha de vencimiento: {due_date} (hace {days} días)\n\n"
        "Según nuestros registros, la contribución prorrateada de {state} correspondiente a {year} sigue "
        "pendiente. Las facturas, los pagos recibidos y el importe pendiente pueden consultarse aquí:\n{link}\n\n"
        "Si el pago se ha efectuado recientemente, le rogamos que no tenga en cuenta este mensaje. Un Estado que "
        "no pueda pagar la totalidad puede solicitar un plan de pagos con arreglo al artículo 8(1)(d) del "
        "Reglamento Financiero, mediante nota verbal, al menos 60 días antes de una Conferencia de los Estados "
        "Partes.\n\n",
    ),
    "zh-hans": (
        "第二次提醒：{state} {year}年分摊会费",
        "各位同事：\n\n这是《武器贸易条约》秘书处根据《财务细则》第8条发出的第二次提醒。\n\n"
        "{obligation}\n国家：{state}\n到期日：{due_date}（已过{days}天）\n\n"
        "根据我们的记录，{state}{year}年的分摊会费仍未付清。发票、已收付款和未付金额可在此处查看：\n{link}\n\n"
        "如您最近已付款，请忽略本信息。无法全额支付的国家可根据《财务细则》第8条第1款(d)项，"
        "至迟在缔约国会议开幕60天前以普通照会申请付款计划。\n\n",
    ),
}

# (name, offsets, templates). Offsets are days after the due date (1 January for a year's
# contributions invoiced the October before), counted from the due date itself:
# +60 is 2 March (1 March in a leap year), +151 is 1 June (31 May in a leap year).
ARREARS_RULES = [
    ("Arrears of assessed contributions: first reminder, March (Financial Rule 8)", "60", FIRST_REMINDER),
    ("Arrears of assessed contributions: second reminder, May–June (Financial Rule 8)", "151", SECOND_REMINDER),
]
ARREARS_RECIPIENT_ROLES = "finance"


def default_arrears_rules(apps: Any = None) -> list[Any]:
    """Create the default Financial Rule 8 reminder rules, unless an arrears rule already exists
    (staff may have changed or replaced them): a first reminder in March and a second in May–June,
    to the State's finance contacts and its representatives on the platform, with templates in
    English, French, Spanish and Chinese. Returns the rules created (none the second time).

    From a data migration, pass the migration's `apps` (historical models):
    `RunPython(lambda apps, schema_editor: default_arrears_rules(apps))`.
    """
    if apps is None:
        from secretariat.reminders.models import ReminderRule, ReminderTemplate
    else:
        ReminderRule = apps.get_model("reminders", "ReminderRule")
        ReminderTemplate = apps.get_model("reminders", "ReminderTemplate")
    if ReminderRule.objects.filter(trigger="arrears").exists():
        return []
    created = []
    with transaction.atomic():
        for name, offsets, texts in ARREARS_RULES:
            rule = ReminderRule.objects.create(
                name=name,
                trigger="arrears",
                offsets=offsets,
                count_after_from="deadline",
                recipient_roles=ARREARS_RECIPIENT_ROLES,
                include_representatives=True,
            )
            for language, (subject, body) in texts.items():
                ReminderTemplate.objects.create(
                    rule=rule, language=language, subject=subject, body=body + SIGNATURE[language]
                )
            created.append(rule)
    return created


# ---------------------------------------------------------------------------- payment plans


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for 29 February in a year that has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _day(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def instalment_problems(
    instalments: Sequence[tuple[dt.date, Decimal]], *, received_on: dt.date | None, total: Decimal | None
) -> list[str]:
    """Why a schedule of instalments (due date, amount) cannot be accepted (empty when it can)."""
    if not instalments:
        return [_("Give at least one instalment: its date and amount.")]
    problems = []
    previous: dt.date | None = None
    for number, (due_on, amount) in enumerate(instalments, start=1):
        where = {"number": number, "day": _day(due_on)}
        if amount is None or amount <= 0:
            problems.append(_("Instalment %(number)s (%(day)s): the amount must be more than zero.") % where)
        elif cents(amount) != amount:
            problems.append(_("Instalment %(number)s (%(day)s): amounts are kept to the cent.") % where)
        if received_on is not None and due_on < received_on:
            problems.append(
                _("Instalment %(number)s (%(day)s) falls before the request was received (%(received)s).")
                % {**where, "received": _day(received_on)}
            )
        if previous is not None and due_on <= previous:
            problems.append(
                _("The instalment dates must increase: instalment %(number)s (%(day)s) is not after %(previous)s.")
                % {**where, "previous": _day(previous)}
            )
        previous = due_on
    if received_on is not None:
        latest = add_years(received_on, PLAN_MAX_YEARS)
        last = instalments[-1][0]
        if last > latest:
            problems.append(
                _(
                    "The last instalment (%(last)s) is more than %(years)s years after the request was received: "
                    "a plan under Financial Rule 8(1)(d) ends by %(latest)s at the latest."
                )
                % {"last": _day(last), "years": PLAN_MAX_YEARS, "latest": _day(latest)}
            )
    amounts = [amount for _day_, amount in instalments if amount is not None]
    if total is not None and total > 0 and len(amounts) == len(instalments):
        scheduled = sum(amounts, ZERO)
        if scheduled != total:
            problems.append(
                _("The instalments add up to %(scheduled)s, not the total outstanding of %(total)s.")
                % {"scheduled": scheduled, "total": total}
            )
    return problems


def plan_request(
    *,
    state: State,
    received_on: dt.date,
    note_verbale: UploadedFile | None,
    note_verbale_reference: str,
    reasons: str,
    outstanding_amount: Decimal,
    conference_starts_on: dt.date,
    instalments: Sequence[tuple[dt.date, Decimal]],
    user: Any,
) -> PaymentPlan:
    """Record a State's request for a payment plan (Financial Rule 8(1)(d)) with its instalments.

    Every problem is collected and the request refused with a ValidationError naming each field
    (nothing written): a date in the future, a request filed fewer than 60 days before the
    Conference, a plan longer than 6 years, instalments not adding up to the total outstanding,
    dates not increasing or before the request, amounts of zero or less, a missing or unreadable
    Note Verbale, a State that already has a plan requested or in force."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    reasons = (reasons or "").strip()
    reference = " ".join((note_verbale_reference or "").split())
    if received_on is None:
        errors["received_on"] = [_("Give the date the request was received.")]
    elif received_on > today:
        errors["received_on"] = [_("The request cannot be dated in the future (%(day)s).") % {"day": _day(received_on)}]
    if conference_starts_on is None:
        errors["conference_starts_on"] = [_("Give the first day of the Conference.")]
    elif received_on is not None and (conference_starts_on - received_on).days < PLAN_DAYS_BEFORE_CONFERENCE:
        errors["conference_starts_on"] = [
            _(
                "The request was received on %(received)s, fewer than %(days)s days before the Conference "
                "opening on %(conference)s: Financial Rule 8(1)(d) requests must be filed by %(deadline)s."
            )
            % {
                "received": _day(received_on),
                "days": PLAN_DAYS_BEFORE_CONFERENCE,
                "conference": _day(conference_starts_on),
                "deadline": _day(conference_starts_on - dt.timedelta(days=PLAN_DAYS_BEFORE_CONFERENCE)),
            }
        ]
    if outstanding_amount is None or outstanding_amount <= 0:
        errors["outstanding_amount"] = [_("The total outstanding must be more than zero.")]
        outstanding_amount = None
    elif cents(outstanding_amount) != outstanding_amount:
        errors["outstanding_amount"] = [_("Amounts are kept to the cent.")]
    problems = instalment_problems(instalments, received_on=received_on, total=outstanding_amount)
    if problems:
        errors["instalments"] = problems
    if not reasons:
        errors["reasons"] = [_("Give the reasons for non-payment stated in the Note Verbale.")]
    if not reference:
        errors["note_verbale_reference"] = [_("Give the reference of the Note Verbale.")]
    elif len(reference) > PaymentPlan._meta.get_field("note_verbale_reference").max_length:
        errors["note_verbale_reference"] = [_("The reference is too long.")]
    if note_verbale is None:
        errors["note_verbale"] = [_("Attach the Note Verbale.")]
    else:
        try:
            check_document(note_verbale, types=NOTE_VERBALE_TYPES)
        except ValidationError as error:
            errors["note_verbale"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        State.objects.select_for_update().get(pk=state.pk)  # one request at a time per State
        open_plan = PaymentPlan.objects.filter(
            state=state, status__in=[PlanStatus.REQUESTED, PlanStatus.APPROVED]
        ).first()
        if open_plan is not None:
            raise ValidationError(
                {
                    "state": [
                        _(
                            "%(state)s already has a payment plan %(status)s (received on %(day)s): decide on it "
                            "or record its end first."
                        )
                        % {
                            "state": state.name,
                            "status": open_plan.get_status_display().lower(),
                            "day": _day(open_plan.received_on),
                        }
                    ]
                }
            )
        plan = PaymentPlan.objects.create(
            state=state,
            received_on=received_on,
            note_verbale=note_verbale,
            note_verbale_reference=reference,
            reasons=reasons,
            outstanding_amount=outstanding_amount,
            conference_starts_on=conference_starts_on,
            created_by=user,
        )
        PlanInstalment.objects.bulk_create(
            PlanInstalment(plan=plan, due_on=due_on, amount=amount) for due_on, amount in instalments
        )
    return plan


def _decide(
    plan: PaymentPlan, *, status: str, decision_reference: str, decided_on: dt.date | None, by: Any
) -> PaymentPlan:
    reference = " ".join((decision_reference or "").split())
    decided_on = decided_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if status == PlanStatus.APPROVED and not reference:
        errors["decision_reference"] = [_("An approval needs its decision reference.")]
    if len(reference) > PaymentPlan._meta.get_field("decision_reference").max_length:
        errors["decision_reference"] = [_("The reference is too long.")]
    if decided_on > timezone.localdate():
        errors["decided_on"] = [_("A decision cannot be dated in the future.")]
    elif decided_on < plan.received_on:
        errors["decided_on"] = [
            _("A decision cannot be dated before the request was received (%(day)s).") % {"day": _day(plan.received_on)}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changed = PaymentPlan.objects.filter(pk=plan.pk, status=PlanStatus.REQUESTED).update(
            status=status, decision_reference=reference, decided_on=decided_on, decision_recorded_by=by
        )
        if not changed:
            current = PaymentPlan.objects.get(pk=plan.pk)
            raise ValidationError(
                _("This request has already been decided (%(status)s).") % {"status": current.get_status_display()}
            )
    plan.refresh_from_db()
    return plan


def plan_approve(
    *, plan: PaymentPlan, decision_reference: str, decided_on: dt.date | None = None, by: Any = None
) -> PaymentPlan:
    """Approve a requested plan; its instalments are tracked from the decision date. `by`: the
    staff member who records the decision."""
    return _decide(
        plan, status=PlanStatus.APPROVED, decision_reference=decision_reference, decided_on=decided_on, by=by
    )


def plan_refuse(
    *, plan: PaymentPlan, decision_reference: str = "", decided_on: dt.date | None = None, by: Any = None
) -> PaymentPlan:
    return _decide(plan, status=PlanStatus.REFUSED, decision_reference=decision_reference, decided_on=decided_on, by=by)


def plans_record_progress(*, on: dt.date | None = None) -> dict[str, int]:
    """Record on each approved plan what its instalments say on `on` (today by default): all paid
    → completed; an instalment unpaid more than 30 days after its date → lapsed. Staff run it from
    the plans page. Returns how many plans became completed and lapsed."""
    from ..selectors.arrears import approved_plans, plans_progress

    on = on or timezone.localdate()
    counts = {"completed": 0, "lapsed": 0}
    with transaction.atomic():
        for progress in plans_progress(approved_plans(), on=on).values():
            if progress.completed:
                status = PlanStatus.COMPLETED
            elif progress.lapsed:
                status = PlanStatus.LAPSED
            else:
                continue
            counts[status] += PaymentPlan.objects.filter(pk=progress.plan.pk, status=PlanStatus.APPROVED).update(
                status=status
            )
    return counts


# ---------------------------------------------------------------------------- consequence rules

CONSEQUENCE_FIELDS = ("label", "min_full_years", "exempt_with_plan", "active", "description")


@transaction.atomic
def consequence_rule_save(*, rule: ConsequenceRule | None, data: Mapping[str, Any]) -> ConsequenceRule:
    """Create a consequence rule (`rule` None, `data` has its `code`) or change one (the code stays).
    Raises a ValidationError naming each field otherwise; nothing is written."""
    if rule is None:
        rule = ConsequenceRule(code=str(data.get("code") or "").strip())
    else:
        rule = ConsequenceRule.objects.select_for_update().get(pk=rule.pk)
    for name in CONSEQUENCE_FIELDS:
        if name in data:
            value = data[name]
            setattr(rule, name, value.strip() if isinstance(value, str) else value)
    rule.full_clean()
    rule.save()
    return rule
