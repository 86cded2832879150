from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .access import principal_for


def platform(request: HttpRequest) -> dict[str, Any]:
    """What every page needs: who is asking (for the menu) and the languages on offer."""
    return {
        "principal": principal_for(getattr(request, "user", None)),
        "platform_languages": settings.LANGUAGES,
    }
