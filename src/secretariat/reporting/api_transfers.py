"""The public, read-only API of the transfer database and of published reports.

- `GET /api/v1/transfers/`: the rows of the transfer database, with the filters of the page
  (transfer_forms), 50 a page, by cursor (`next`/`previous` are complete URLs; `count` is exact).
- `GET /api/v1/reports/`: the latest published version of every report, with its forms; a form
  restricted to States Parties is listed only for callers who may read it (staff, and
  representatives of States Parties or of the reporting State), as on the report's page.

Rows are turned into JSON by `transfer_record` rather than by a DRF serializer for each row
(50 rows x 22 fields through serializer fields would cost more than the database work); the
serializers below describe the same shape for the OpenAPI schema, and a test checks that the two
agree.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from secretariat.core.access import Principal, PublicReadOnly, can_see_restricted_reports, principal_for

from .models import Direction, ReportForm, ReportVersion, Visibility
from .selectors import published_reports_visible_to
from .transfer_views import read_page
from .transfers import Reference, cursor_dumps, version_url_pattern

# ---------------------------------------------------------------------------- transfers


class TransferSerializer(serializers.Serializer):
    """One row of the transfer database (the shape `transfer_record` writes)."""

    id = serializers.IntegerField()
    year = serializers.IntegerField(help_text=_("The calendar year reported on."))
    form = serializers.ChoiceField(choices=Direction.choices, help_text=_("The form the row was reported on."))
    reporter = serializers.CharField(help_text=_("ISO 3166 alpha-3 code of the reporting State."))
    reporter_name = serializers.CharField(help_text=_("In the language asked for (Accept-Language)."))
    reporter_region = serializers.CharField()
    partner = serializers.CharField(help_text=_("The importer on an exports form, the exporter on an imports form."))
    partner_name = serializers.CharField()
    partner_region = serializers.CharField()
    category = serializers.CharField(help_text=_("Art. 2(1) category or SALW sub-category code."))
    category_label = serializers.CharField()
    origin = serializers.CharField(allow_null=True, help_text=_("State of origin, when given."))
    intermediate_location = serializers.CharField()
    items = serializers.IntegerField(allow_null=True)
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    currency = serializers.CharField(help_text=_("ISO 4217 code of the value's currency; empty without a value."))
    basis = serializers.ChoiceField(choices=["authorised", "actual"])
    description = serializers.CharField()
    comments = serializers.CharField()
    synthetic = serializers.BooleanField(help_text=_("Synthetic demo data, never a State's report."))
    published_on = serializers.DateField()
    report_version = serializers.IntegerField(allow_null=True, help_text=_("The published report version."))
    report_url = serializers.CharField(allow_null=True)


class TransferPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("The exact number of rows matching the filters."))
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TransferSerializer(many=True)


def transfer_record(row: dict[str, Any], reference: Reference, url_pattern: str) -> dict:
    states = reference.state_by_pk
    reporter = states.get(row["reporter_id"], {})
    partner = states.get(row["partner_id"], {})
    origin = states.get(row["origin_id"]) if row["origin_id"] else None
    category = reference.category_by_pk.get(row["category_id"], {})
    value = row["value"]
    version_id = row["version_id"]
    return {
        "id": row["id"],
        "year": row["year"],
        "form": row["direction"],
        "reporter": reporter.get("iso3", ""),
        "reporter_name": reporter.get("name", ""),
        "reporter_region": reporter.get("region", ""),
        "partner": partner.get("iso3", ""),
        "partner_name": partner.get("name", ""),
        "partner_region": partner.get("region", ""),
        "category": category.get("code", ""),
        "category_label": category.get("label", ""),
        "origin": origin["iso3"] if origin else None,
        "intermediate_location": row["intermediate_location"],
        "items": row["items"],
        "value": None if value is None else f"{value:.2f}",
        "currency": row["currency"],
        "basis": row["basis"],
        "description": row["description"],
        "comments": row["comments"],
        "synthetic": row["is_synthetic"],
        "published_on": row["published_on"].isoformat(),
        "report_version": version_id,
        "report_url": url_pattern.format(pk=version_id) if version_id else None,
    }


FILTER_PARAMETERS = [
    OpenApiParameter("year", int, description=_("One calendar year.")),
    OpenApiParameter("year_from", int, description=_("First year of a range (included).")),
    OpenApiParameter("year_to", int, description=_("Last year of a range (included).")),
    OpenApiParameter("direction", str, enum=["exports", "imports"], description=_("The form.")),
    OpenApiParameter("category", str, description=_("Category code; includes its sub-categories.")),
    OpenApiParameter("reporter", str, description=_("ISO alpha-3 code of the reporting State.")),
    OpenApiParameter("partner", str, description=_("ISO alpha-3 code of the partner State.")),
    OpenApiParameter("reporter_region", str, description=_("UN regional group of the reporting State.")),
    OpenApiParameter("partner_region", str, description=_("UN regional group of the partner State.")),
    OpenApiParameter("basis", str, enum=["authorised", "actual"]),
    OpenApiParameter(
        "sort",
        str,
        description=_("year, reporter, partner, category, items or value; a leading '-' sorts descending."),
    ),
    OpenApiParameter("after", str, description=_("Cursor of the next page (from `next`).")),
    OpenApiParameter("before", str, description=_("Cursor of the previous page (from `previous`).")),
]


class TransferListApi(GenericAPIView):
    """The public transfer database: rows of public forms of the latest published reports."""

    permission_classes = [PublicReadOnly]
    access_policy = "public"
    serializer_class = TransferPageSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        operation_id="transfers_list",
        summary=_("List reported transfers (filtered, 50 per page by cursor)"),
        parameters=FILTER_PARAMETERS,
        responses=TransferPageSerializer,
        tags=["reporting"],
    )
    def get(self, request: Request) -> Response:
        read = read_page(request.query_params, strict=True)
        if read.page is None:
            raise ValidationError(read.form.errors)
        if read.bad_cursor:
            raise ValidationError({"cursor": [str(_("This page link is not valid."))]})
        page, filters, sort = read.page, read.filters, read.sort
        pattern = request.build_absolute_uri("/").rstrip("/") + version_url_pattern()
        results = [transfer_record(row, read.reference, pattern) for row in page.rows]

        def link(name: str, target: Any) -> str | None:
            if target is None:
                return None
            query = request.query_params.copy()
            for parameter in ("after", "before", "last"):
                query.pop(parameter, None)
            query[name] = cursor_dumps(target, filters, sort)
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return Response(
            {
                "count": page.count,
                "next": link("after", page.next),
                "previous": link("before", page.previous),
                "results": results,
            }
        )


# ---------------------------------------------------------------------------- published reports


class ReportFormSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["exports", "imports"])
    is_nil = serializers.BooleanField()
    visibility = serializers.ChoiceField(choices=[value for value, _label in Visibility.choices])


class PublishedReportSerializer(serializers.Serializer):
    iso3 = serializers.CharField(source="report.state.iso3")
    kind = serializers.CharField(source="report.kind")
    year = serializers.IntegerField(source="report.year", allow_null=True)
    version = serializers.IntegerField(source="number")
    published_at = serializers.DateTimeField()
    amended = serializers.BooleanField(help_text=_("True when this version amends an earlier one."))
    forms = ReportFormSerializer(many=True, source="visible_forms")


class ReportQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, help_text=_("Annual reports on this year only."))
    state = serializers.CharField(required=False, max_length=3, help_text=_("ISO alpha-3 code of the State."))
    kind = serializers.ChoiceField(choices=["initial", "annual"], required=False)


def forms_visible_in_many(principal: Principal, versions: list[ReportVersion]) -> dict[int, list[ReportForm]]:
    """`selectors.forms_visible_in` for many versions at once (two queries at most, instead of
    two per version): the same rule, whose predicates come from core.access."""
    may_see_restricted = can_see_restricted_reports(principal)
    visible: dict[int, list[ReportForm]] = {version.pk: [] for version in versions}
    states = {version.pk: version.report.state_id for version in versions}
    for form in ReportForm.objects.filter(version__in=versions).order_by("version_id", "direction"):
        own = principal.represents_state(states[form.version_id])
        if own or may_see_restricted or form.visibility == Visibility.PUBLIC:
            visible[form.version_id].append(form)
    return visible


class ReportListApi(ListAPIView):
    """Published reports: the latest published version of each, newest first, with the forms the
    caller may read (a restricted form is left out for the public, signatories and non-parties)."""

    permission_classes = [PublicReadOnly]
    access_policy = "public"
    serializer_class = PublishedReportSerializer
    filter_backends: list = []

    @extend_schema(
        operation_id="reports_list",
        summary=_("List published reports"),
        parameters=[ReportQuerySerializer],
        tags=["reporting"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = ReportQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        versions = published_reports_visible_to(principal_for(self.request.user))
        if "year" in query.validated_data:
            versions = versions.filter(report__year=query.validated_data["year"])
        if query.validated_data.get("state"):
            versions = versions.filter(report__state__iso3=query.validated_data["state"].upper())
        if query.validated_data.get("kind"):
            versions = versions.filter(report__kind=query.validated_data["kind"])
        return versions

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = list(self.paginate_queryset(self.get_queryset()) or [])
        forms = forms_visible_in_many(principal_for(request.user), page)
        for version in page:
            version.visible_forms = forms[version.pk]
            version.amended = version.number > 1
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
