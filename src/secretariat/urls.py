from django.urls import include, path

from secretariat.core.admin_site import admin_site
from secretariat.core.views import set_language

urlpatterns = [
    path("", include("secretariat.core.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("secretariat.accounts.urls")),
    path("states/", include("secretariat.states.urls")),
    path("reports/", include("secretariat.reporting.urls")),
    path("contacts/", include("secretariat.contacts.urls")),
    path("control-lists/", include("secretariat.controllists.urls")),
    path("reminders/", include("secretariat.reminders.urls")),
    path("finance/", include("secretariat.finance.urls")),
    path("api/v1/", include("secretariat.api_urls")),
    path("admin/", admin_site.urls),
]
