"""Every write about user accounts, as plain functions taking the acting user."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portico.core.mail import queue_templated_email
from portico.core.rights import Function, Right

from .models import Invitation, User

if TYPE_CHECKING:
    from portico.customers.models import Organisation


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


def password_reset_by_email(*, user: User) -> None:
    """Whoever used the link controls the mailbox: clear the flag and lift any lockout."""
    from axes.utils import reset as reset_lockout

    password_changed(user=user)
    reset_lockout(username=user.email)


def two_factor_required(user: User) -> bool:
    return user.memberships.filter(
        organisation__require_two_factor=True, organisation__status="active"
    ).exists()


def has_two_factor(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@transaction.atomic
def open_individual_account(*, user: User) -> Organisation:
    """Give a self-registered person (A6) their own individual customer account.

    They administer it, except user management: an individual account has one person.
    """
    from portico.customers.models import Membership, Organisation
    from portico.customers.roles import rights_for_role

    organisation = Organisation.objects.create(
        name=user.full_name or user.email,
        customer_number=f"WEB-{user.pk:06d}",
        kind=Organisation.Kind.INDIVIDUAL,
    )
    rights = rights_for_role("Administrator")
    rights[Function.USERS.value] = Right.NONE
    membership = Membership(user=user, organisation=organisation, role="Administrator")
    membership.set_rights(rights)
    membership.save()
    return organisation
