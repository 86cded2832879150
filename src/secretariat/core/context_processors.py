from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .access import can_manage_users, can_oversee_finance, can_record_reports, principal_for


def platform(request: HttpRequest) -> dict[str, Any]:
    """What every page needs: who is asking (for the menu) and the languages on offer."""
    principal = principal_for(getattr(request, "user", None))
    return {
        "principal": principal,
        "can_manage_users": can_manage_users(principal) and not principal.needs_otp,
        "can_record_reports": can_record_reports(principal) and not principal.needs_otp,
        "can_oversee_finance": can_oversee_finance(principal),
        "platform_languages": settings.LANGUAGES,
    }
