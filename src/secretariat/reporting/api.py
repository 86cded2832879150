"""The public, read-only obligations API (/api/v1/states/<iso3>/obligations/)."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from secretariat.core.access import PublicReadOnly
from secretariat.states.models import State

from .selectors import state_obligations
from .serializers import ObligationsQuerySerializer, StateObligationsSerializer


class StateObligationsApi(GenericAPIView):
    """A State's Article 13 reporting obligations and their status on a day (today by default)."""

    permission_classes = [PublicReadOnly]
    access_policy = "public"
    serializer_class = StateObligationsSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        operation_id="states_obligations_retrieve",
        summary=_("A State's reporting obligations and their status"),
        parameters=[
            OpenApiParameter(
                "iso3",
                str,
                OpenApiParameter.PATH,
                description=_("ISO 3166 alpha-3 code of the State (either case)."),
            ),
            OpenApiParameter(
                "as_of",
                dt.date,
                OpenApiParameter.QUERY,
                required=False,
                description=_("The day the statuses are computed for (YYYY-MM-DD); today if omitted."),
            ),
        ],
        tags=["reporting"],
    )
    def get(self, request: Request, iso3: str) -> Response:
        query = ObligationsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("as_of") or timezone.localdate()
        state = get_object_or_404(State, iso3=iso3.upper())
        obligations = state_obligations(state=state, day=day)
        rule = obligations.rule
        payload = {
            "iso3": state.iso3,
            "as_of": day,
            "computable": obligations.computable,
            "reason": obligations.reason,
            "rule": (
                {"name": rule.name, "effective_from": rule.effective_from, "grace_days": rule.grace_days}
                if rule is not None
                else None
            ),
            "obligations": obligations.rows(day),
        }
        return Response(self.get_serializer(payload).data)
