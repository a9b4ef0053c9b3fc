"""Writes provider staff make in the back office, as plain functions taking the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from portico.accounts.models import User
from portico.accounts.services import send_welcome


def _require_staff(actor: User) -> None:
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied("Only provider staff work in the back office.")


def has_chosen_password(user: User) -> bool:
    """True once the person set a password of their own (not an admin's temporary one)."""
    return user.has_usable_password() and not user.must_change_password


@transaction.atomic
def create_user(
    *,
    actor: User,
    email: str,
    full_name: str,
    is_staff: bool = False,
    temporary_password: str = "",
) -> User:
    """Create a login (A1). Without a temporary password the person gets the welcome link;
    with one, nothing is e-mailed (we never send passwords) and it must be changed at first login.
    """
    _require_staff(actor)
    user = User.objects.create_user(
        email,
        temporary_password or None,
        full_name=full_name,
        is_staff=is_staff,
        must_change_password=bool(temporary_password),
    )
    if not temporary_password:
        send_welcome(user=user, actor=actor)
    return user


@transaction.atomic
def set_temporary_password(*, actor: User, user: User, password: str) -> User:
    _require_staff(actor)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return user


@dataclass
class WelcomeOutcome:
    sent: list[User] = field(default_factory=list)
    skipped: list[User] = field(default_factory=list)


@transaction.atomic
def resend_welcomes(*, actor: User, users: list[User]) -> WelcomeOutcome:
    """Send the welcome link again to everyone chosen who has not set their own password."""
    _require_staff(actor)
    outcome = WelcomeOutcome()
    for user in users:
        if user.is_active and not has_chosen_password(user):
            send_welcome(user=user, actor=actor)
            outcome.sent.append(user)
        else:
            outcome.skipped.append(user)
    return outcome
