"""The reminder rules and the outbox in the platform's admin site, to look at only.

Rules and templates are written on /reminders/rules/ (services_rules.rule_save checks every
template and saves a rule with its templates or not at all); a rule is never deleted, since its
messages point at it. The outbox is written by the reminder engine alone.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from secretariat.core.admin_site import PlatformModelAdmin, admin_site
from secretariat.reporting.admin import ReadOnlyAdminMixin

from .models import OutboxMessage, ReminderRule, ReminderTemplate


class ReminderTemplateInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = ReminderTemplate
    extra = 0
    can_delete = False
    fields = ("language", "subject", "body")
    readonly_fields = fields


@admin.register(ReminderRule, site=admin_site)
class ReminderRuleAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin, PlatformModelAdmin):
    list_display = ("name", "trigger", "offsets", "recipient_roles", "include_representatives", "active")
    list_filter = ("trigger", "active")
    search_fields = ("name",)
    inlines = (ReminderTemplateInline,)


@admin.register(OutboxMessage, site=admin_site)
class OutboxMessageAdmin(ReadOnlyAdminMixin, PlatformModelAdmin):
    list_display = ("planned_for", "state", "kind", "obligation_label", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    list_select_related = ("state",)
    search_fields = ("key", "subject", "state__name_en", "state__iso3", "message_id")
    date_hierarchy = "planned_for"
    exclude = ("claim_token",)
