"""Every portal route declares the function and right it needs (ARCHITECTURE: "Access: one place").

The walker and the short exemption list live in ``tests/utils.py``; these tests prove both
that the real URL configuration is clean and that the walker catches a view that forgets.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views import View

from portico.core.access import portal_view
from portico.core.rights import SIGNED_IN, Function, Right
from tests.utils import (
    EXEMPTIONS,
    Route,
    exemption_for,
    invalid_declarations,
    portal_routes,
    undeclared_routes,
    walk,
)


def test_every_portal_route_declares_its_function_and_right():
    missing = undeclared_routes(walk())
    assert not missing, (
        "These routes declare no access. Decorate the view with "
        "@portal_view(Function.X, Right.Y) (or @portal_view(SIGNED_IN) for the user's own "
        "account pages):\n" + "\n".join(f"  {route}" for route in missing)
    )


def test_every_declaration_names_a_known_function_and_right():
    problems = invalid_declarations(walk())
    assert not problems, "\n".join(problems)


def test_the_walker_sees_the_portal_and_every_exemption_is_used():
    routes = list(walk())
    assert {"home", "profile", "customers:change_account"} <= {r.name for r in portal_routes()}
    unused = [e.reason for e in EXEMPTIONS if not any(e.covers(r) for r in routes)]
    # Every exemption must still be needed, so the list cannot grow stale and quietly cover
    # something new.
    assert unused == []


def test_exemptions_cover_only_what_they_name():
    by_name = {r.name: r for r in walk() if r.name}
    assert exemption_for(by_name["account_login"]) is not None
    assert exemption_for(by_name["admin:index"]) is not None
    assert exemption_for(by_name["welcome"]) is not None
    assert exemption_for(by_name["healthz"]) is not None
    # Portico's own pages under /accounts/ share the prefix with allauth but are not exempt.
    assert exemption_for(by_name["profile"]) is None
    assert exemption_for(by_name["login_history_csv"]) is None


# --- The walker catches a view that forgets -----------------------------------------------


def forgetful_view(request):
    return HttpResponse("Acme's invoices")


@portal_view(Function.INVOICES, Right.VIEW)
def declared_view(request, number):
    return HttpResponse("ok")


class ForgetfulClassView(View):
    def get(self, request):
        return HttpResponse("ok")


class DeclaredClassView(View):
    portal_access = (SIGNED_IN, Right.VIEW)

    def get(self, request):
        return HttpResponse("ok")


def welcome(request, uidb64, token):
    """Same name as the exempt welcome view, different module: must not be exempt."""
    return HttpResponse("ok")


nested = [
    path("<int:pk>/", forgetful_view, name="detail"),
    re_path(r"^(?P<number>INV-\d+)/$", declared_view, name="invoice"),
]

fake_urlpatterns = [
    path("invoices/", include((nested, "billing"))),
    path("accounts/forgotten/", forgetful_view, name="looks_like_allauth"),
    path("class/forgotten/", ForgetfulClassView.as_view(), name="class_forgotten"),
    path("class/declared/", DeclaredClassView.as_view(), name="class_declared"),
    path("welcome/<uidb64>/<token>/", welcome, name="welcome"),
]


def test_walker_reports_views_that_declare_no_access():
    routes = list(walk(fake_urlpatterns))
    missing = {r.name for r in undeclared_routes(routes)}
    assert missing == {"billing:detail", "looks_like_allauth", "class_forgotten", "welcome"}


def test_walker_collects_names_kwargs_and_declarations_through_includes():
    routes: dict[str | None, Route] = {r.name: r for r in walk(fake_urlpatterns)}
    assert routes["billing:detail"].route == "invoices/<int:pk>/"
    assert routes["billing:detail"].kwargs == ("pk",)
    assert routes["billing:invoice"].kwargs == ("number",)
    assert routes["billing:invoice"].portal_access == ("invoices", Right.VIEW)
    assert routes["class_declared"].portal_access == (SIGNED_IN, Right.VIEW)


def test_a_typo_in_a_declaration_fails_when_the_module_loads():
    with pytest.raises(ValueError, match="unknown function 'invoice'"):
        portal_view("invoice", Right.VIEW)


def test_a_hand_set_declaration_with_a_typo_is_reported():
    forgetful_view.portal_access = ("invoice", Right.VIEW)  # type: ignore[attr-defined]
    try:
        routes = list(walk([path("typo/", forgetful_view, name="typo")]))
        assert len(invalid_declarations(routes)) == 1
    finally:
        del forgetful_view.portal_access  # type: ignore[attr-defined]
