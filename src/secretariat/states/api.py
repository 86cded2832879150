"""The public, read-only JSON API of the State registry (/api/v1/states/)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from secretariat.core.access import PublicReadOnly

from .selectors import StateStatusRow, StatusFilters, state_for_dossier, state_status_rows
from .serializers import (
    StateDetailQuerySerializer,
    StateDetailSerializer,
    StateFilterSerializer,
    StateListItemSerializer,
)


class StateListApi(ListAPIView):
    """Every State with its treaty status on a day (today by default).

    All States fit in one page by default (PAGE_SIZE 200); `limit` and `offset` page further.
    """

    permission_classes = [PublicReadOnly]
    access_policy = "public"
    serializer_class = StateListItemSerializer
    # Status depends on dates the database cannot compare, so filtering happens in the
    # selector, not in a django-filter FilterSet.
    filter_backends: list = []

    @extend_schema(
        operation_id="states_list",
        summary=_("List States and their treaty status"),
        parameters=[StateFilterSerializer],
        tags=["states"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = StateFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = StatusFilters(
            day=query.validated_data.get("as_of") or timezone.localdate(),
            status=query.validated_data.get("status", ""),
            region=query.validated_data.get("region", ""),
        )
        rows = state_status_rows(filters=filters)
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(self.get_serializer(rows, many=True).data)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class StateDetailApi(GenericAPIView):
    """One State: its treaty status and history, and its rates in the UN scale of assessment."""

    permission_classes = [PublicReadOnly]
    access_policy = "public"
    serializer_class = StateDetailSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        operation_id="states_retrieve",
        summary=_("One State, with scale rates and treaty events"),
        parameters=[
            OpenApiParameter(
                "iso3",
                str,
                OpenApiParameter.PATH,
                description=_("ISO 3166 alpha-3 code of the State (either case)."),
            ),
            StateDetailQuerySerializer,
        ],
        tags=["states"],
    )
    def get(self, request: Request, iso3: str) -> Response:
        query = StateDetailQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("as_of") or timezone.localdate()
        state = state_for_dossier(iso3=iso3)
        row = StateStatusRow(state, state.status_on(day))
        return Response(self.get_serializer(row).data)
