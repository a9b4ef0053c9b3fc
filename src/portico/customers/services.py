"""Every write about who may use an organisation, as plain functions taking the acting user.

A customer administrator manages the users of its own organisation within its own rights
(A3 "+"): it never grants a right, a site or subsidiary reach it does not hold itself, and
it cannot change someone who holds more than it does. The views check this for a friendly
form; these functions check it again, so no other caller can skip it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from portico.accounts.models import Invitation, User
from portico.accounts.services import send_welcome
from portico.core.access import Scope
from portico.core.rights import Function, Right

from .models import Membership, Site
from .roles import ROLE_TEMPLATES

EMAIL_MAX_LENGTH = 254
FULL_NAME_MAX_LENGTH = 150
# Rights an administrator may hand out; USERS is included: managing users is a right too.
GRANTABLE_FUNCTIONS = list(Function)


class MemberError(Exception):
    """A change the administrator can fix: messages by form field (None: the whole form)."""

    def __init__(self, errors: Mapping[str | None, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(m for messages in self.errors.values() for m in messages))


@dataclass(frozen=True)
class Grant:
    """What a membership gives: a right per function, a site scope and subsidiary reach."""

    rights: Mapping[str, int]
    all_sites: bool = True
    sites: tuple[Site, ...] = ()
    reaches_subsidiaries: bool = False
    role: str = ""


def _collect(errors: dict[str | None, list[str]], field: str | None, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _require_manager(*, actor: User, scope: Scope, right: Right) -> None:
    if scope.user != actor or scope.organisation is None or not scope.can(Function.USERS, right):
        raise MemberError({None: ["Your access rights do not let you manage users here."]})


def grant_errors(*, scope: Scope, grant: Grant) -> dict[str | None, list[str]]:
    """Why ``grant`` exceeds what the acting administrator holds (empty when it does not)."""
    errors: dict[str | None, list[str]] = {}
    if grant.role and grant.role not in ROLE_TEMPLATES:
        _collect(errors, "role", "Choose a role from the list.")
    for function in GRANTABLE_FUNCTIONS:
        value = grant.rights.get(function.value, Right.NONE)
        if value not in Right.values:
            _collect(errors, function.value, "Choose none, view, create or amend.")
        elif value > scope.right(function):
            held = scope.right(function).label.lower()
            _collect(
                errors,
                function.value,
                f"You can give at most “{held}” for {function.label.lower()}: "
                "you cannot grant more than you hold yourself.",
            )
    organisation = scope.organisation
    if grant.all_sites:
        if scope.site_ids is not None:
            _collect(
                errors,
                "all_sites",
                "You can see only some sites yourself, so you cannot give access to all "
                "sites. Choose the sites instead.",
            )
    elif not grant.sites:
        _collect(errors, "sites", "Choose at least one site, or give access to all sites.")
    outside = [
        site.name
        for site in grant.sites
        if organisation is None
        or site.organisation_id != organisation.pk
        or (scope.site_ids is not None and site.pk not in scope.site_ids)
    ]
    if outside:
        _collect(
            errors,
            "sites",
            "You can only give access to sites you can see yourself: " + ", ".join(outside) + ".",
        )
    held_reach = scope.membership is not None and scope.membership.reaches_subsidiaries
    if grant.reaches_subsidiaries and not held_reach:
        _collect(
            errors,
            "reaches_subsidiaries",
            "You do not reach subsidiaries yourself, so you cannot give that to someone else.",
        )
    return errors


def holds_more_than(membership: Membership, scope: Scope) -> bool:
    """True when ``membership`` holds a right, a site or a reach the scope does not."""
    if any(getattr(membership, f.value) > scope.right(f) for f in GRANTABLE_FUNCTIONS):
        return True
    if scope.site_ids is not None:
        if membership.all_sites:
            return True
        if any(site.pk not in scope.site_ids for site in membership.sites.all()):
            return True
    held_reach = scope.membership is not None and scope.membership.reaches_subsidiaries
    return membership.reaches_subsidiaries and not held_reach


def manage_refusal(*, actor: User, scope: Scope, membership: Membership) -> str | None:
    """Why the actor may not change or remove ``membership``, or None when it may."""
    if membership.user_id == actor.pk:
        return "You cannot change or remove your own access. Ask another administrator."
    if holds_more_than(membership, scope):
        return (
            f"{membership.user.get_full_name()} holds rights or sites you do not hold "
            "yourself, so you cannot change their access."
        )
    return None


def _validate_person(email: str, full_name: str) -> dict[str | None, list[str]]:
    errors: dict[str | None, list[str]] = {}
    if not email:
        _collect(errors, "email", "Enter the person's e-mail address.")
    elif len(email) > EMAIL_MAX_LENGTH:
        _collect(errors, "email", f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            _collect(errors, "email", "Enter an e-mail address like name@example.com.")
    if len(full_name) > FULL_NAME_MAX_LENGTH:
        _collect(errors, "full_name", f"A name has at most {FULL_NAME_MAX_LENGTH} characters.")
    return errors


def _apply(membership: Membership, grant: Grant) -> None:
    membership.set_rights({f.value: int(grant.rights.get(f.value, Right.NONE)) for f in Function})
    membership.role = grant.role
    membership.all_sites = grant.all_sites
    membership.reaches_subsidiaries = grant.reaches_subsidiaries
    membership.save()
    membership.sites.set([] if grant.all_sites else list(grant.sites))


@transaction.atomic
def invite_member(
    *, actor: User, scope: Scope, email: str, full_name: str, grant: Grant
) -> Membership:
    """Give a person access to the active organisation and send them the welcome e-mail.

    A new address becomes a user without a password; an existing user gets a membership.
    Whoever has not chosen a password yet receives the welcome link (after commit).
    """
    _require_manager(actor=actor, scope=scope, right=Right.CREATE)
    email = email.strip().lower()
    full_name = full_name.strip()
    errors = _validate_person(email, full_name) | grant_errors(scope=scope, grant=grant)
    if errors:
        raise MemberError(errors)
    organisation = scope.organisation
    assert organisation is not None  # _require_manager checked it
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        user = get_user_model().objects.create_user(email, None, full_name=full_name)
    elif Membership.objects.filter(user=user, organisation=organisation).exists():
        raise MemberError({"email": [f"{email} is already a user of {organisation.name}."]})
    membership = Membership(user=user, organisation=organisation)
    _apply(membership, grant)
    if not user.has_usable_password():
        send_welcome(user=user, actor=actor)
    return membership


@transaction.atomic
def update_member(*, actor: User, scope: Scope, membership: Membership, grant: Grant) -> Membership:
    """Change a member's rights, sites and reach, within the actor's own."""
    _require_manager(actor=actor, scope=scope, right=Right.AMEND)
    membership = _locked(scope=scope, membership=membership)
    refusal = manage_refusal(actor=actor, scope=scope, membership=membership)
    if refusal:
        raise MemberError({None: [refusal]})
    errors = grant_errors(scope=scope, grant=grant)
    if errors:
        raise MemberError(errors)
    _apply(membership, grant)
    return membership


@transaction.atomic
def remove_member(*, actor: User, scope: Scope, membership: Membership) -> None:
    """Take a person's access to the active organisation away (the user itself stays)."""
    _require_manager(actor=actor, scope=scope, right=Right.AMEND)
    membership = _locked(scope=scope, membership=membership)
    refusal = manage_refusal(actor=actor, scope=scope, membership=membership)
    if refusal:
        raise MemberError({None: [refusal]})
    membership.delete()


@transaction.atomic
def resend_welcome(*, actor: User, scope: Scope, membership: Membership) -> Invitation:
    """Send the welcome link again to a member who has not chosen a password yet."""
    _require_manager(actor=actor, scope=scope, right=Right.CREATE)
    membership = _locked(scope=scope, membership=membership)
    user = membership.user
    if user.has_usable_password():
        raise MemberError(
            {
                None: [
                    f"{user.email} has already chosen a password. If they forgot it, "
                    "they can use “Forgot password?” on the login page."
                ]
            }
        )
    return send_welcome(user=user, actor=actor)


def _locked(*, scope: Scope, membership: Membership) -> Membership:
    """Re-read the membership under a row lock, and only inside the active organisation."""
    try:
        return (
            Membership.objects.visible_to(scope)
            .select_for_update(of=("self",))  # not the user and organisation joined in
            .select_related("user", "organisation")
            .get(pk=membership.pk, organisation=scope.organisation)
        )
    except Membership.DoesNotExist as exc:
        raise MemberError({None: ["That person is not a user of this account."]}) from exc
