from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Sign in with an email address (any case). Demo accounts work only while DEBUG is on.

    ModelBackend.get_user() also asks user_can_authenticate(), so a demo session opened
    while DEBUG was on stops working once DEBUG is off.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.DEBUG:
            return False
        return super().user_can_authenticate(user)
