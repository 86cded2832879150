# Placeholder views: replaced by the real ones.
from django.http import HttpResponse

from secretariat.core.access import public, signed_in, staff_only


@public
def treaty_status(request):
    return HttpResponse("todo")


@public
def treaty_status_csv(request):
    return HttpResponse("todo")


@staff_only()
def data_quality(request):
    return HttpResponse("todo")


@public
def dossier(request, iso3):
    return HttpResponse("todo")


@staff_only("staff_admin", "staff_reporting")
def state_edit(request, iso3):
    return HttpResponse("todo")


@signed_in
def state_preferences(request, iso3):
    return HttpResponse("todo")
