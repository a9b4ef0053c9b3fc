"""allauth adapters: sign-up policy, redirects, and the issuer shown in authenticator apps."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from portico.core.models import Branding


class PorticoAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.PORTICO_ALLOW_SIGNUP)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if request.user.is_staff and not request.user.memberships.exists():
            return reverse("admin:index")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context = {"branding": Branding.current(), **context}
        super().send_mail(template_prefix, email, context)


class PorticoMFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return Branding.current().product_name
