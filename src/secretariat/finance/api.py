"""The public, read-only finance API (/api/v1/finance/…).

- `contributions/?year=` — the latest PUBLISHED status of contributions (`as_of=` an earlier
  publication), one row per State and financial year. Live figures are never exposed here: a
  payment recorded after a publication appears with the next one.
- `assessments/<year>/` — the amounts assessed per State by the year's issued assessment run
  (404 until the invoices are issued).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from secretariat.core.access import PublicReadOnly
from secretariat.states.models import Region

from .models import AssessmentRun, ContributionStatus, CostPool, Invoice, RunStatus
from .selectors.contributions import latest_publication, publications, published_figures

SHARE_PLACES = Decimal("1e-14")  # as AssessmentLine.share


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


# ---------------------------------------------------------------------------- status of contributions


class ContributionsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=1900, max_value=2999, help_text=gettext_lazy("Only this financial year.")
    )
    as_of = serializers.DateField(
        required=False,
        help_text=gettext_lazy("The status published as of this day (YYYY-MM-DD); the latest if omitted."),
    )


class AmountsSerializer(serializers.Serializer):
    assessed = _money(help_text=gettext_lazy("Invoices issued on or before the as-of date."))
    credited = _money(help_text=gettext_lazy("Credit notes on those invoices, on or before the as-of date."))
    received = _money(help_text=gettext_lazy("Payments applied to those invoices on or before the as-of date."))
    outstanding = _money(help_text=gettext_lazy("assessed − credited − received."))


class ContributionRowSerializer(AmountsSerializer):
    iso3 = serializers.CharField()
    name = serializers.CharField(help_text=gettext_lazy("The English short name, as published."))
    region = serializers.ChoiceField(choices=[*Region.choices, ("", gettext_lazy("Not known"))])
    year = serializers.IntegerField(help_text=gettext_lazy("The financial year the contribution is for."))


class ContributionStatusSerializer(PageSerializer):
    as_of = serializers.DateField(help_text=gettext_lazy("The date the published figures are as of."))
    published_at = serializers.DateTimeField()
    currency = serializers.CharField()
    year = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The financial year asked for, if any."))
    totals = AmountsSerializer(help_text=gettext_lazy("Totals of every row matching the filter (all pages)."))
    results = ContributionRowSerializer(many=True)


class ContributionStatusApi(GenericAPIView):
    """The latest published status of contributions to the General Budget."""

    permission_classes = [PublicReadOnly]
    access_policy = "public"
    serializer_class = ContributionStatusSerializer
    filter_backends: list = []

    @extend_schema(
        operation_id="finance_contributions_list",
        summary=gettext_lazy("The published status of contributions, per State and financial year"),
        parameters=[ContributionsQuerySerializer],
        tags=["finance"],
    )
    def get(self, request: Request) -> Response:
        query = ContributionsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of")
        year = query.validated_data.get("year")
        status: ContributionStatus | None
        if as_of is None:
            status = latest_publication()
            if status is None:
                raise NotFound(_("No status of contributions has been published yet."))
        else:
            status = publications().filter(as_of=as_of).first()
            if status is None:
                raise NotFound(_("No status of contributions was published as of %(day)s.") % {"day": as_of})
        figures = published_figures(status).for_year(year)
        rows = [
            {
                "iso3": state.iso3,
                "name": state.names.get("en", state.iso3),
                "region": state.region,
                "year": row_year,
                "assessed": amounts.assessed,
                "credited": amounts.credited,
                "received": amounts.received,
                "outstanding": amounts.outstanding,
            }
            for state in figures.states
            for row_year, amounts in state.years
        ]
        page = self.paginate_queryset(rows)
        totals = figures.total
        payload = {
            "as_of": status.as_of,
            "published_at": status.published_at,
            "currency": figures.currency,
            "year": year,
            "totals": {
                "assessed": totals.assessed,
                "credited": totals.credited,
                "received": totals.received,
                "outstanding": totals.outstanding,
            },
            "count": self.paginator.count,
            "next": self.paginator.get_next_link(),
            "previous": self.paginator.get_previous_link(),
            "results": page,
        }
        return Response(self.get_serializer(payload).data)


# ---------------------------------------------------------------------------- assessments


class PoolLineSerializer(serializers.Serializer):
    pool = serializers.ChoiceField(choices=CostPool.choices)
    un_rate = serializers.DecimalField(max_digits=8, decimal_places=5)
    share = serializers.DecimalField(
        max_digits=16, decimal_places=14, help_text=gettext_lazy("The State's fraction of the pool, as assessed.")
    )
    amount = _money()


class AssessedStateSerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    name = serializers.CharField(help_text=gettext_lazy("The English short name."))
    un_rate = serializers.DecimalField(
        max_digits=8, decimal_places=5, help_text=gettext_lazy("The State's UN scale rate (%) used.")
    )
    share = serializers.DecimalField(
        max_digits=16,
        decimal_places=14,
        help_text=gettext_lazy("The State's fraction of everything assessed for the year (amount ÷ total)."),
    )
    amount = _money(help_text=gettext_lazy("What the State was invoiced for the year."))
    invoice_number = serializers.CharField(allow_null=True)
    pools = PoolLineSerializer(many=True)


class AssessmentsSerializer(PageSerializer):
    year = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    scale_year = serializers.IntegerField(help_text=gettext_lazy("The year of the UN scale of assessment used."))
    currency = serializers.CharField()
    total = _money()
    results = AssessedStateSerializer(many=True)


class AssessmentsApi(GenericAPIView):
    """The amounts assessed per State for a financial year, once its invoices are issued."""

    permission_classes = [PublicReadOnly]
    access_policy = "public"
    serializer_class = AssessmentsSerializer
    filter_backends: list = []

    @extend_schema(
        operation_id="finance_assessments_retrieve",
        summary=gettext_lazy("Assessed contributions per State for a financial year (once issued)"),
        parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH, description=gettext_lazy("Financial year."))],
        tags=["finance"],
    )
    def get(self, request: Request, year: int) -> Response:
        run = AssessmentRun.objects.filter(year=year, status=RunStatus.ISSUED).first()
        if run is None:
            raise NotFound(_("The assessed contributions for %(year)s have not been issued yet.") % {"year": year})
        lines: dict[int, list] = defaultdict(list)
        states = {}
        for line in run.lines.select_related("state").order_by("state__name_en", "pool"):
            lines[line.state_id].append(line)
            states[line.state_id] = line.state
        invoices: dict[int, str] = {}
        currencies = set()
        for state_id, number, invoice_currency in Invoice.objects.filter(run=run).values_list(
            "state_id", "number", "currency"
        ):
            invoices[state_id] = number
            currencies.add(invoice_currency)
        currency = currencies.pop() if len(currencies) == 1 else "USD"
        rows = []
        for state_id, state_lines in lines.items():
            amount = sum((line.amount for line in state_lines), Decimal("0.00"))
            rows.append(
                {
                    "iso3": states[state_id].iso3,
                    "name": states[state_id].name_en,
                    "un_rate": state_lines[0].un_rate,
                    "share": (amount / run.total).quantize(SHARE_PLACES),
                    "amount": amount,
                    "invoice_number": invoices.get(state_id),
                    "pools": [
                        {"pool": line.pool, "un_rate": line.un_rate, "share": line.share, "amount": line.amount}
                        for line in state_lines
                    ],
                }
            )
        page = self.paginate_queryset(rows)
        payload = {
            "year": run.year,
            "issued_at": run.issued_at,
            "scale_year": run.scale_year,
            "currency": currency,
            "total": run.total,
            "count": self.paginator.count,
            "next": self.paginator.get_next_link(),
            "previous": self.paginator.get_previous_link(),
            "results": page,
        }
        return Response(self.get_serializer(payload).data)
