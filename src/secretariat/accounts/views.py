# Placeholder views: replaced by the real ones.
from django.http import HttpResponse

from secretariat.core.access import public, signed_in, staff_only


@public
def login_view(request, *args, **kwargs):
    return HttpResponse("todo")


@public
def logout_view(request, *args, **kwargs):
    return HttpResponse("todo")


@public
def otp(request, *args, **kwargs):
    return HttpResponse("todo")


@public
def password_reset(request, *args, **kwargs):
    return HttpResponse("todo")


@public
def password_reset_done(request, *args, **kwargs):
    return HttpResponse("todo")


@public
def password_reset_confirm(request, *args, **kwargs):
    return HttpResponse("todo")


@public
def password_reset_complete(request, *args, **kwargs):
    return HttpResponse("todo")


@public
def invitation_accept(request, *args, **kwargs):
    return HttpResponse("todo")


@signed_in
def profile(request, *args, **kwargs):
    return HttpResponse("todo")


@staff_only("staff_admin")
def user_list(request, *args, **kwargs):
    return HttpResponse("todo")


@staff_only("staff_admin")
def user_invite(request, *args, **kwargs):
    return HttpResponse("todo")


@staff_only("staff_admin")
def user_detail(request, *args, **kwargs):
    return HttpResponse("todo")


@staff_only("staff_admin")
def role_grant(request, *args, **kwargs):
    return HttpResponse("todo")


@staff_only("staff_admin")
def role_revoke(request, *args, **kwargs):
    return HttpResponse("todo")
