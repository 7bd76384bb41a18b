"""Session authentication for the API."""

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth as NinjaSessionAuth


class SessionAuth(NinjaSessionAuth):
    """Django's login session; unsafe methods also need the CSRF token.

    django-ninja checks the CSRF token before it looks at the session, so an anonymous POST
    was refused as ``csrf_failed``. Without a logged-in user there is no session a forged
    request could ride on, so the token protects nothing there: the anonymous request is
    refused as not authenticated (401) first, and the CSRF check applies to logged-in users.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


session_auth = SessionAuth()
