"""Per-user preferences and account-security gates applied to every request."""

import zoneinfo
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect

from portico.core.access import resolved

# Paths a user who must act first (new password, two-factor set-up) can still reach: the
# pages that let them act, log out, or recover. Everything else, profile included, waits.
OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/confirm-email/",
    "/accounts/welcome/",
    "/static/",
    "/media/",
    "/branding.css",
    "/branding/logo",  # shown in the header of the very pages users are sent to
    "/healthz",
)


class UserPreferencesMiddleware:
    """Activate the signed-in user's time zone and language (A9)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The user itself from here on, not Django's lazy proxy (core.access.resolved).
        request.user = user = resolved(request.user)
        if user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
        return self.get_response(request)


class AccountSecurityMiddleware:
    """Send users who must change a temporary password or enrol in 2FA to do that first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if user.must_change_password:
                return _send_to(request, reverse("account_change_password"), come_back=True)
            from .services import has_two_factor

            # Whether 2FA is required comes with the scope (no query of its own); whether
            # the user has it set up is asked only then.
            if request.portal_scope.requires_two_factor and not has_two_factor(user):  # type: ignore[attr-defined]
                return _send_to(request, reverse("mfa_activate_totp"))
        return self.get_response(request)


def _send_to(request: HttpRequest, url: str, *, come_back: bool = False) -> HttpResponse:
    """Redirect (htmx gets a full-page redirect, not a swap), maybe returning afterwards."""
    if come_back and request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
