"""JSON shapes of the public obligations API (read only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .obligations import ObligationKind, ObligationStatus


class ObligationsQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        help_text=_("The day the statuses are computed for (YYYY-MM-DD); today if omitted."),
    )


class RuleSerializer(serializers.Serializer):
    name = serializers.CharField()
    effective_from = serializers.DateField()
    grace_days = serializers.IntegerField()


class ObligationStatusField(serializers.ChoiceField):
    """The status of an obligation on the day asked about (schema name: ObligationStatusEnum,
    set in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"])."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(choices=ObligationStatus.choices, **kwargs)


class ObligationSerializer(serializers.Serializer):
    """An `obligations.ObligationRow`."""

    kind = serializers.ChoiceField(choices=ObligationKind.choices, source="obligation.kind")
    year = serializers.IntegerField(
        source="obligation.year",
        allow_null=True,
        help_text=_("The calendar year an annual report covers; null for the initial report."),
    )
    opens_on = serializers.DateField(source="obligation.opens_on")
    due_date = serializers.DateField(source="obligation.due_on")
    grace_ends_on = serializers.DateField(source="obligation.grace_ends_on")
    status = ObligationStatusField(
        help_text=_("On `as_of`; counts only the reports recorded in this platform."),
    )


class StateObligationsSerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    as_of = serializers.DateField()
    computable = serializers.BooleanField()
    reason = serializers.CharField(help_text=_("Why the obligations cannot be computed; empty when they can."))
    rule = RuleSerializer(allow_null=True, help_text=_("The reporting rule in force on `as_of`."))
    obligations = ObligationSerializer(many=True)
