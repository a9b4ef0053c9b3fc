"""Per-user preferences and account-security gates applied to every request."""

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

# Paths a user who must act first (new password, two-factor set-up) can still reach.
OPEN_PREFIXES = ("/accounts/", "/static/", "/media/", "/branding.css", "/welcome/")


class UserPreferencesMiddleware:
    """Activate the signed-in user's time zone and language (A9)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
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
                return redirect(reverse("account_change_password"))
            from .services import has_two_factor, two_factor_required

            if two_factor_required(user) and not has_two_factor(user):
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
