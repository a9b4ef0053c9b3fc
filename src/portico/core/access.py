"""Access is decided here, once per request, and nowhere else.

``Scope`` says who is asking, for which organisation, which organisations and sites that
reaches, and the right held on each function. Views declare what they need with
``@portal_view(function, right)`` and fetch customer objects only with ``access_object``
(or ``Model.objects.visible_to(scope)``), so another customer's id is a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

from .prepared import PreparedQuery
from .rights import SIGNED_IN, Function, Right

if TYPE_CHECKING:
    from portico.accounts.models import User
    from portico.customers.models import Membership, Organisation

SESSION_KEY = "portico.active_organisation"
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    user: Any
    organisation: Organisation | None = None
    membership: Membership | None = None
    organisation_ids: frozenset[int] = frozenset()
    # None means every site of the visible organisations.
    site_ids: frozenset[int] | None = None
    rights: Mapping[str, int] = field(default_factory=dict)
    # How many organisations the user may switch between ("Change account").
    switchable_count: int = 0
    # Any of the user's organisations demands two-factor authentication (A3).
    requires_two_factor: bool = False

    def right(self, function: Function | str) -> Right:
        return Right(self.rights.get(str(function), Right.NONE))

    def can(self, function: Function | str, right: Right = Right.VIEW) -> bool:
        # The stored number compared as it is: pages ask this a dozen times.
        return self.organisation is not None and self.rights.get(str(function), Right.NONE) >= right

    @property
    def can_switch(self) -> bool:
        return self.switchable_count > 1

    @property
    def reach(self) -> tuple[list[int], list[int] | None]:
        """(organisation ids, site ids or None for every site), sorted: the keys of
        ``ScopedQuerySet.visible_in`` and of the queries compiled once on it. A scope with
        no organisation reaches nothing (([], []))."""
        if self.organisation is None:
            return [], []
        sites = None if self.site_ids is None else sorted(self.site_ids)
        return sorted(self.organisation_ids), sites


def reachable_organisations(user: Any) -> models.QuerySet[Organisation]:
    """Every active organisation the user may act for: memberships plus reached subsidiaries."""
    from portico.customers.models import Organisation

    memberships = user.memberships.filter(organisation__status=Organisation.Status.ACTIVE)
    condition = models.Q(pk__in=memberships.values("organisation_id"))
    for path in memberships.filter(reaches_subsidiaries=True).values_list(
        "organisation__path", flat=True
    ):
        condition |= models.Q(path__startswith=path)
    return Organisation.objects.filter(condition, status=Organisation.Status.ACTIVE)


def governing_membership(
    memberships: list[Membership], organisation: Organisation
) -> Membership | None:
    """The membership that grants access to ``organisation``: its own, or the nearest ancestor's."""
    best: Membership | None = None
    for membership in memberships:
        org = membership.organisation
        if org.pk == organisation.pk:
            return membership
        reaches = membership.reaches_subsidiaries and organisation.path.startswith(org.path)
        if reaches and (best is None or len(org.path) > len(best.organisation.path)):
            best = membership
    return best


def active_memberships(user_id: int) -> models.QuerySet[Membership]:
    """The user's memberships of active organisations, each with its organisation."""
    from portico.customers.models import Membership, Organisation

    return (
        Membership.objects.filter(user_id=user_id, organisation__status=Organisation.Status.ACTIVE)
        .select_related("organisation")
        .order_by("organisation__name")
    )


@cache
def memberships_query() -> PreparedQuery[Membership]:
    """Every signed-in request reads the memberships: compiled once, not every time."""
    from portico.customers.models import Membership

    return PreparedQuery(Membership, active_memberships)


def build_scope(user: Any, requested_organisation_id: int | None = None) -> Scope:
    """Compute the scope in a fixed number of queries, whatever the data size."""
    from portico.customers.models import Membership, Organisation

    if not getattr(user, "is_authenticated", False):
        return Scope(user=user)
    memberships = memberships_query()(user.pk)
    for each in memberships:
        Membership.user.field.set_cached_value(each, user)
    if not memberships:
        return Scope(user=user)
    organisation: Organisation | None = None
    if any(m.reaches_subsidiaries for m in memberships):
        reachable = reachable_organisations(user)
        if requested_organisation_id is not None:
            organisation = reachable.filter(pk=requested_organisation_id).first()
        switchable_count = reachable.count()
    else:
        # Without reach, the reachable organisations are the memberships' own: no query.
        own = {m.organisation_id: m.organisation for m in memberships}
        if requested_organisation_id is not None:
            organisation = own.get(requested_organisation_id)
        switchable_count = len(own)
    if organisation is None:
        organisation = memberships[0].organisation
    membership = governing_membership(memberships, organisation)
    if membership is None:  # cannot happen for a reachable organisation; fail closed
        return Scope(user=user)

    visible = {organisation.pk}
    if membership.reaches_subsidiaries:
        visible |= set(
            Organisation.objects.filter(
                path__startswith=organisation.path, status=Organisation.Status.ACTIVE
            ).values_list("pk", flat=True)
        )
    if organisation.parent_id is not None:
        siblings = Organisation.objects.filter(
            parent_id=organisation.parent_id,
            parent__subsidiaries_share_data=True,
            status=Organisation.Status.ACTIVE,
        )
        visible |= set(siblings.values_list("pk", flat=True))

    site_ids = (
        None if membership.all_sites else frozenset(membership.sites.values_list("pk", flat=True))
    )
    return Scope(
        user=user,
        organisation=organisation,
        membership=membership,
        organisation_ids=frozenset(visible),
        site_ids=site_ids,
        rights=membership.rights(),
        switchable_count=switchable_count,
        requires_two_factor=any(m.organisation.require_two_factor for m in memberships),
    )


def scope_for(request: HttpRequest) -> Scope:
    return build_scope(request.user, request.session.get(SESSION_KEY))


def resolved(value: Any) -> Any:
    """The object behind a ``SimpleLazyObject`` (computed now if it was not yet), else the
    value itself. ``request.user`` and ``request.portal_scope`` start lazy; once a page
    needs them, handing on the object itself spares the proxy on each of the many reads a
    page makes (1.8 µs each)."""
    if type(value) is SimpleLazyObject:
        lazy: Any = value
        if lazy._wrapped is empty:
            lazy._setup()
        return lazy._wrapped
    return value


class ScopeMiddleware:
    """Attaches ``request.portal_scope``, computed on first use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.portal_scope = SimpleLazyObject(lambda: scope_for(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def switch_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    """Make another reachable organisation the active one ("Change account")."""
    organisation = reachable_organisations(request.user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404("No such account.")
    request.session[SESSION_KEY] = organisation.pk
    request.portal_scope = build_scope(request.user, organisation.pk)  # type: ignore[attr-defined]
    return organisation


class PortalRequest(HttpRequest):
    """The request a portal view receives: a signed-in user and their scope."""

    user: User
    portal_scope: Scope


V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def portal_view(function: Function | str, right: Right = Right.VIEW) -> Callable[[V], V]:
    """Declare the function and right a portal view needs, and enforce it.

    Anonymous users go to the login page; a user without the right gets 403.
    ``SIGNED_IN`` marks pages about the user's own account.
    """

    if function != SIGNED_IN and function not in Function.values:
        # A misspelt function would silently refuse everyone: fail when the module loads.
        raise ValueError(f"portal_view: unknown function {function!r}")

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if function != SIGNED_IN:
                scope = resolved(request.portal_scope)  # type: ignore[attr-defined]
                if not scope.can(function, right):
                    raise PermissionDenied("Your access rights do not include this page.")
                request.portal_scope = scope  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapped.portal_access = (str(function), right)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def access_object(model: type[M], scope: Scope, **lookup: Any) -> M:
    """Fetch one customer object the scope may see, or raise 404."""
    try:
        return model.objects.visible_to(scope).get(**lookup)  # type: ignore[attr-defined]
    except model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise Http404("Not found.") from exc
