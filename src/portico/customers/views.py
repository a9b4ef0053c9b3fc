"""Users of the active organisation (A3 "+") and the "Change account" switcher (A5, B6)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portico.core.access import (
    PortalRequest,
    access_object,
    portal_view,
    reachable_organisations,
    switch_organisation,
)
from portico.core.rights import SIGNED_IN, Function, Right

from . import services
from .forms import GrantForm, InviteForm, grant_initial, role_rights_within
from .models import Membership, Organisation, Site

MEMBERS_PER_PAGE = 25
DEFAULT_ROLE = "Site user"
ACCOUNTS_SHOWN = 100


def _members(request: PortalRequest) -> Any:
    """Memberships of the active organisation only; a subsidiary's users are managed there."""
    return Membership.objects.visible_to(request.portal_scope).filter(
        organisation=request.portal_scope.organisation
    )


def _member(request: PortalRequest, pk: int) -> Membership:
    return access_object(
        Membership,
        request.portal_scope,
        pk=pk,
        organisation=request.portal_scope.organisation,
    )


@portal_view(Function.USERS, Right.VIEW)
def users(request: PortalRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    members = (
        _members(request)
        .select_related("user")
        .prefetch_related(Prefetch("sites", queryset=Site.objects.order_by("name")))
        .order_by("user__full_name", "user__email", "pk")
    )
    if query:
        members = members.filter(
            Q(user__email__icontains=query) | Q(user__full_name__icontains=query)
        )
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    can_amend = request.portal_scope.can(Function.USERS, Right.AMEND)
    for membership in page:
        membership.is_self = membership.user_id == request.user.pk
        membership.can_manage = can_amend and (
            services.manage_refusal(
                actor=request.user, scope=request.portal_scope, membership=membership
            )
            is None
        )
    return render(
        request,
        "customers/users.html",
        {
            "page": page,
            "query": query,
            "can_invite": request.portal_scope.can(Function.USERS, Right.CREATE),
        },
    )


@portal_view(Function.USERS, Right.CREATE)
def invite_user(request: PortalRequest) -> HttpResponse:
    scope = request.portal_scope
    if request.method == "POST" and request.POST.get("action") == "apply_role":
        form: GrantForm = InviteForm.prefilled(request.POST, scope=scope)
    elif request.method == "POST":
        form = InviteForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                membership = services.invite_member(
                    actor=request.user,
                    scope=scope,
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    grant=form.grant(),
                )
            except services.MemberError as error:
                form.add_service_errors(error.errors)
            else:
                name = membership.user.get_full_name()
                organisation = membership.organisation.name
                messages.success(request, f"{name} can now use {organisation}.")
                return redirect("customers:users")
    else:
        # Most colleagues are site users: start there, within the inviter's own rights.
        initial = {"role": DEFAULT_ROLE, **role_rights_within(scope, DEFAULT_ROLE)}
        form = InviteForm(scope=scope, initial=initial)
    return render(request, "customers/invite.html", {"form": form})


@portal_view(Function.USERS, Right.AMEND)
def edit_member(request: PortalRequest, pk: int) -> HttpResponse:
    scope = request.portal_scope
    membership = _member(request, pk)
    refusal = services.manage_refusal(actor=request.user, scope=scope, membership=membership)
    if request.method == "POST" and request.POST.get("action") == "apply_role":
        form = GrantForm.prefilled(request.POST, scope=scope)
    elif request.method == "POST":
        form = GrantForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                services.update_member(
                    actor=request.user, scope=scope, membership=membership, grant=form.grant()
                )
            except services.MemberError as error:
                form.add_service_errors(error.errors)
            else:
                messages.success(request, f"{membership.user.get_full_name()}'s access is saved.")
                return redirect("customers:users")
    else:
        form = GrantForm(initial=grant_initial(membership), scope=scope)
    return render(
        request,
        "customers/member.html",
        {"form": form, "membership": membership, "refusal": refusal},
    )


@portal_view(Function.USERS, Right.AMEND)
def remove_member(request: PortalRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)
    refusal = services.manage_refusal(
        actor=request.user, scope=request.portal_scope, membership=membership
    )
    if request.method == "POST":
        try:
            services.remove_member(
                actor=request.user, scope=request.portal_scope, membership=membership
            )
        except services.MemberError as error:
            refusal = str(error)
        else:
            messages.success(
                request,
                f"{membership.user.get_full_name()} no longer has access to "
                f"{membership.organisation.name}.",
            )
            return redirect("customers:users")
    return render(request, "customers/remove.html", {"membership": membership, "refusal": refusal})


@portal_view(Function.USERS, Right.CREATE)
@require_POST
def resend_welcome(request: PortalRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)
    try:
        services.resend_welcome(
            actor=request.user, scope=request.portal_scope, membership=membership
        )
    except services.MemberError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The welcome e-mail is on its way to {membership.user.email}.")
    return redirect("customers:users")


def _safe_next(request: PortalRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else "/"


def _in_hierarchy_order(organisations: list[Organisation]) -> list[Organisation]:
    """Parents before their subsidiaries, each level by name; depth relative to the top shown."""
    by_id = {org.pk: org for org in organisations}

    def key(org: Organisation) -> tuple[str, ...]:
        ids = [int(part) for part in org.path.strip("/").split("/") if part]
        return (*(by_id[i].name.lower() if i in by_id else "" for i in ids), str(org.pk))

    top = min((org.depth for org in organisations), default=0)
    ordered = sorted(organisations, key=key)
    for org in ordered:
        org.level = org.depth - top  # type: ignore[attr-defined]
    return ordered


@portal_view(SIGNED_IN)
def change_account(request: PortalRequest) -> HttpResponse:
    """'Change account': pick another organisation the user may act for (A5, B6)."""
    if request.method == "POST":
        try:
            organisation_id = int(request.POST.get("organisation", ""))
        except ValueError:
            organisation_id = 0
        organisation = switch_organisation(request, organisation_id)
        messages.success(request, f"You are now working in {organisation.name}.")
        return redirect(_safe_next(request, request.POST.get("next", "")))
    query = request.GET.get("q", "").strip()[:100]
    reachable = reachable_organisations(request.user).select_related("parent")
    if query:
        reachable = reachable.filter(Q(name__icontains=query) | Q(customer_number__icontains=query))
    organisations = list(reachable.order_by("path")[: ACCOUNTS_SHOWN + 1])
    return render(
        request,
        "customers/change_account.html",
        {
            "organisations": _in_hierarchy_order(organisations[:ACCOUNTS_SHOWN]),
            "more": len(organisations) > ACCOUNTS_SHOWN,
            "query": query,
            "next": _safe_next(request, request.GET.get("next", "")),
        },
    )
