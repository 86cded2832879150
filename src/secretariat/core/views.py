from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language

from .access import public

set_language = public(django_set_language)


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
