"""/finance/…: one URL module per area, each owned with its views (views_<area>.py)."""

from django.urls import include, path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("", include("secretariat.finance.urls_budgets")),
    path("", include("secretariat.finance.urls_receivables")),
    path("", include("secretariat.finance.urls_arrears")),
    path("", include("secretariat.finance.urls_publication")),
    path("", include("secretariat.finance.urls_spending")),
]
