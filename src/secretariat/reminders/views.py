"""The staff pages of the reminders: the overview, the rules and their templates, the calendar of
what will be sent, failed deliveries and one message.

Every page is for the staff who manage reminders (core.access.can_manage_reminders: the admin,
reporting and finance staff). Writes go through services_rules.py and services.py.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from secretariat.core.access import can_manage_reminders, principal_for, require, staff_only

from . import selectors, services, services_rules
from .forms import CalendarFilterForm, RuleForm
from .models import MessageStatus, OutboxMessage, ReminderRule
from .templating import PLACEHOLDERS


def _require_manager(request: HttpRequest) -> None:
    require(can_manage_reminders(principal_for(request.user)))


@staff_only()
def overview(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(
        request,
        "reminders/overview.html",
        {"counts": selectors.message_counts(), "recent_days": selectors.RECENT_DAYS},
    )


# ---------------------------------------------------------------------------- rules


@staff_only()
def rule_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(request, "reminders/rule_list.html", {"rules": selectors.rule_list()})


@staff_only()
def rule_new(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return _rule_form(request, None)


@staff_only()
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    rule = get_object_or_404(ReminderRule.objects.prefetch_related("templates"), pk=pk)
    return _rule_form(request, rule)


def _rule_form(request: HttpRequest, rule: ReminderRule | None) -> HttpResponse:
    templates = selectors.rule_templates(rule)
    if request.method == "POST":
        form = RuleForm(request.POST, rule=rule, templates=templates)
        if form.is_valid():
            try:
                saved = services_rules.rule_save(
                    rule=rule, data=form.rule_data(), templates=form.templates(), saved_by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The rule “%(name)s” is saved.") % {"name": saved.name})
                return redirect("reminders:rule_list")
    else:
        form = RuleForm(rule=rule, templates=templates)
    return render(
        request,
        "reminders/rule_form.html",
        {
            "rule": rule,
            "form": form,
            "placeholders": [(f"{{{name}}}", description) for name, description in PLACEHOLDERS.items()],
            "braces": ("{{", "}}"),
            "history": selectors.rule_history(rule) if rule is not None else None,
        },
    )


@staff_only()
@require_POST
def rule_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a rule on ("active=1") or off ("active=0")."""
    _require_manager(request)
    rule = get_object_or_404(ReminderRule, pk=pk)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, _("Say whether the rule is to be active."))
        return redirect("reminders:rule_list")
    rule = services_rules.rule_set_active(rule=rule, active=wanted == "1", changed_by=request.user)
    if rule.active:
        messages.success(request, _("The rule “%(name)s” is active: it plans reminders again.") % {"name": rule.name})
    else:
        messages.success(
            request,
            _("The rule “%(name)s” is inactive: it plans no more reminders. Messages it planned stay in the outbox.")
            % {"name": rule.name},
        )
    return redirect("reminders:rule_list")


# ---------------------------------------------------------------------------- calendar and outbox


@staff_only()
def calendar(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = CalendarFilterForm(request.GET or None)
    today = timezone.localdate()
    if not form.is_bound:
        days, without_contact = selectors.calendar_days(start=today)
    elif form.is_valid():
        days, without_contact = selectors.calendar_days(
            start=today, iso3=form.cleaned_data["state"], trigger=form.cleaned_data["trigger"]
        )
    else:
        days, without_contact = [], 0
    return render(
        request,
        "reminders/calendar.html",
        {
            "form": form,
            "days": days,
            "count": sum(len(day.entries) for day in days),
            "without_contact": without_contact,
            "start": today,
            "end": today + dt.timedelta(days=selectors.CALENDAR_DAYS - 1),
            "length": selectors.CALENDAR_DAYS,
        },
    )


@staff_only()
def failed(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    found = list(selectors.failed_messages())
    return render(
        request,
        "reminders/failed.html",
        {
            "failed": [message for message in found if message.status == MessageStatus.FAILED],
            "no_recipient": [message for message in found if message.status == MessageStatus.NO_RECIPIENT],
        },
    )


def _message(pk: int) -> OutboxMessage:
    message = selectors.message_detail(pk)
    if message is None:
        raise Http404
    return message


@staff_only()
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    return render(request, "reminders/message_detail.html", {"message": _message(pk)})


@staff_only()
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed message at the next run instead of after its back-off."""
    _require_manager(request)
    message = _message(pk)
    try:
        services.outbox_retry(message=message, retried_by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("It will be sent by the next run of send_reminders."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("reminders:failed")
    return redirect(back)
