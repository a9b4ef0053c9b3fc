"""Every write about user accounts, as plain functions taking the acting user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portico.core.mail import queue_templated_email

from .models import Invitation, User


def welcome_link(user: User) -> str:
    """A one-time link: the token dies once the password is set (it hashes the password)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("welcome", kwargs={"uidb64": uid, "token": token})
    return f"{settings.PORTICO_BASE_URL}{path}"


@transaction.atomic
def send_welcome(*, user: User, actor: Any | None) -> Invitation:
    """Record an invitation and e-mail the welcome link after commit (A1)."""
    invitation = Invitation.objects.create(
        user=user, sent_by=actor if getattr(actor, "pk", None) else None
    )
    queue_templated_email(
        "accounts/email/welcome",
        to=[user.email],
        context={"user": user, "link": welcome_link(user), "invited_by": actor},
    )
    return invitation


@transaction.atomic
def accept_welcome(*, user: User, password: str) -> User:
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    return user


def password_changed(*, user: User) -> None:
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


def two_factor_required(user: User) -> bool:
    return user.memberships.filter(
        organisation__require_two_factor=True, organisation__status="active"
    ).exists()


def has_two_factor(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
