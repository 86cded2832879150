"""The finance workspace's front page: where each part of the finance cycle is, for those who may
see it (finance and admin staff, the Management Committee)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from secretariat.core.access import can_manage_finance, can_oversee_finance, principal_for, require, signed_in


@signed_in
def hub(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request.user)
    require(can_oversee_finance(principal))
    return render(request, "finance/hub.html", {"can_manage": can_manage_finance(principal)})
