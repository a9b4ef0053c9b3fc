"""allauth adapters: sign-up policy, redirects, mail through the task queue, TOTP issuer."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import reverse

from portico.core.models import Branding
from portico.core.tasks import send_email

from . import services


class PorticoAccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": (
            "The e-mail address or password is not right. Check both and try again."
        ),
        "enter_current_password": "Enter your current password.",
        "email_taken": "An account already uses this e-mail address. Log in instead.",
        "account_inactive": "This account is switched off. Ask your administrator.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.PORTICO_ALLOW_SIGNUP)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if request.user.is_staff and not request.user.memberships.exists():
            return reverse("admin:index")
        return super().get_login_redirect_url(request)

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("profile")

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        """Self-registration (A6): the new person gets their own individual account.

        One transaction: a login without its account would be a person who can sign in
        to nothing.
        """
        full_name = form.cleaned_data.get("full_name")
        if full_name:
            user.full_name = " ".join(str(full_name).split())  # type: ignore[attr-defined]
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                services.open_individual_account(user=user)  # type: ignore[arg-type]
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render now, send after commit through the task queue like every other mail."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request) if request else None,
                "branding": Branding.current(),
                **context,
            },
        )
        alternatives = getattr(message, "alternatives", [])
        html = next((str(body) for body, kind in alternatives if kind == "text/html"), None)
        subject, body, to = str(message.subject), str(message.body), list(message.to)
        transaction.on_commit(
            lambda: send_email.enqueue(subject=subject, body=body, to=to, html=html)
        )


class PorticoMFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Your organisation requires two-factor authentication, so it cannot be turned off."
        ),
        "incorrect_code": "That code is not right. Enter the current code from your app.",
    }

    def get_totp_issuer(self) -> str:
        return Branding.current().product_name

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        return not services.two_factor_required(authenticator.user)
