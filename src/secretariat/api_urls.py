"""The JSON API, version 1. Every endpoint chooses its permission class from core.access."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from secretariat.core.access import PublicReadOnly, public
from secretariat.finance import api as finance_api
from secretariat.reporting import api as reporting_api
from secretariat.reporting import api_transfers
from secretariat.states import api as states_api
from secretariat.states import converters  # noqa: F401 - registers <iso3:...>

urlpatterns = [
    path("states/", states_api.StateListApi.as_view(), name="api-state-list"),
    path("states/<iso3:iso3>/", states_api.StateDetailApi.as_view(), name="api-state-detail"),
    path(
        "states/<iso3:iso3>/obligations/",
        reporting_api.StateObligationsApi.as_view(),
        name="api-state-obligations",
    ),
    path("transfers/", api_transfers.TransferListApi.as_view(), name="api-transfer-list"),
    path("reports/", api_transfers.ReportListApi.as_view(), name="api-report-list"),
    path("finance/contributions/", finance_api.ContributionStatusApi.as_view(), name="api-finance-contributions"),
    path("finance/assessments/<int:year>/", finance_api.AssessmentsApi.as_view(), name="api-finance-assessments"),
    path("schema/", public(SpectacularAPIView.as_view(permission_classes=[PublicReadOnly])), name="api-schema"),
    path(
        "docs/",
        public(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema",
                permission_classes=[PublicReadOnly],
                # The stock page minus its inline <style>, which the Content-Security-Policy blocks.
                template_name="states/api_docs.html",
            )
        ),
        name="api-docs",
    ),
]
