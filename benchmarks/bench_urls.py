"""The platform's URLs plus a bare view that the benchmarks use as their baseline."""

from django.http import HttpResponse
from django.urls import path

from secretariat.urls import urlpatterns as platform_urlpatterns


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("__bench__/bare/", bare), *platform_urlpatterns]
