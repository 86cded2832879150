"""JSON shapes of the public State registry API (read only).

Items are `selectors.StateStatusRow` objects: a State and its status on the day asked about.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Declaration, Instrument, Region, TreatyStatus, UNStanding


class StateFilterSerializer(serializers.Serializer):
    """Query parameters of the State list (also documented in the OpenAPI schema)."""

    status = serializers.ChoiceField(
        choices=TreatyStatus.choices,
        required=False,
        help_text=_("Only States with this status on `as_of`."),
    )
    region = serializers.ChoiceField(
        choices=Region.choices,
        required=False,
        help_text=_("Only States of this UN regional group."),
    )
    as_of = serializers.DateField(
        required=False,
        help_text=_("The day the status is computed for (YYYY-MM-DD); today if omitted."),
    )


class StateDetailQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        help_text=_("The day the status is computed for (YYYY-MM-DD); today if omitted."),
    )


class StateNamesSerializer(serializers.Serializer):
    en = serializers.CharField(source="name_en")
    fr = serializers.CharField(source="name_fr")
    es = serializers.CharField(source="name_es")
    zh = serializers.CharField(source="name_zh")


def _text_or_none(value: object) -> str | None:
    text = str(value)
    return text or None


class StateListItemSerializer(serializers.Serializer):
    iso3 = serializers.CharField(source="state.iso3")
    iso2 = serializers.CharField(source="state.iso2")
    name = serializers.CharField(source="state.name_en", help_text=_("The English short name."))
    names = StateNamesSerializer(source="state")
    status = serializers.ChoiceField(choices=TreatyStatus.choices, source="answer.status")
    status_reason = serializers.CharField(
        source="answer.reason", help_text=_("Why the status is what it is, where the dates alone do not say.")
    )
    entry_into_force = serializers.DateField(
        source="state.entry_into_force",
        allow_null=True,
        help_text=_("Null when the State has deposited no instrument, or when the dates cannot give it."),
    )
    region = serializers.ChoiceField(
        choices=[*Region.choices, ("", _("Not known"))], source="state.region", help_text=_("Empty while not known.")
    )
    un_standing = serializers.ChoiceField(choices=UNStanding.choices, source="state.un_standing")
    signature = serializers.SerializerMethodField(
        help_text=_("YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known; null if none known.")
    )
    instrument = serializers.ChoiceField(
        choices=[*Instrument.choices, ("", _("None or not known"))],
        source="state.instrument",
        help_text=_("Empty if none or not known."),
    )
    deposit = serializers.SerializerMethodField(
        help_text=_("Deposit of the instrument: YYYY-MM-DD, YYYY-MM or YYYY; null if none known.")
    )
    art23_declaration = serializers.ChoiceField(choices=Declaration.choices, source="state.art23_declaration")
    url = serializers.SerializerMethodField(help_text=_("The State's dossier page."))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_signature(self, row) -> str | None:
        return _text_or_none(row.state.signature)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_deposit(self, row) -> str | None:
        return _text_or_none(row.state.deposit)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, row) -> str:
        path = reverse("states:dossier", kwargs={"iso3": row.state.iso3})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ScaleRateSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    rate_percent = serializers.DecimalField(max_digits=8, decimal_places=5, coerce_to_string=True)


class TreatyEventSerializer(serializers.Serializer):
    date = serializers.CharField(help_text=_("YYYY-MM-DD, or YYYY-MM / YYYY when only partly known."))
    label = serializers.CharField()


class StateDetailSerializer(StateListItemSerializer):
    art23_date = serializers.DateField(source="state.art23_date", allow_null=True)
    working_language = serializers.CharField(source="state.working_language")
    treaty_source = serializers.CharField(source="state.treaty_source")
    scale_rates = ScaleRateSerializer(source="state.scale_rates.all", many=True)
    treaty_events = TreatyEventSerializer(source="state.treaty_events", many=True)
