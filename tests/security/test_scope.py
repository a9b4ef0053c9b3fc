"""Roles and site scope through HTTP: bob sees one site, and a missing right is 403 + no write.

bob is a Site user at Acme: Leeds Works only, invoices view-only, no user management.
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from portico.core.access import build_scope, portal_view
from portico.core.rights import SIGNED_IN, Function, Right
from portico.customers.models import Site
from tests.security.acme_objects import acme_url
from tests.utils import STAFF, changed_tables, database_fingerprint, portal_routes, readable_text

pytestmark = pytest.mark.django_db


# A test-only page that writes, so the 403 path is proven to write nothing even before the
# product has such pages. Served by this module as ROOT_URLCONF (see ``with_test_urls``).
@portal_view(Function.ASSETS, Right.CREATE)
def add_site(request: HttpRequest) -> HttpResponse:
    scope = request.portal_scope  # type: ignore[attr-defined]
    Site.objects.create(organisation=scope.organisation, name=request.POST.get("name", "New"))
    return HttpResponse("created", status=201)


urlpatterns = [
    path("test-only/sites/add/", add_site, name="test_add_site"),
    path("", include("portico.urls")),
]
with_test_urls = pytest.mark.urls(__name__)


def other_acme_sites(foundation) -> list[str]:
    leeds = foundation.acme_sites[1]
    return [site.name for site in foundation.acme_sites if site != leeds]


# --- Site scope -----------------------------------------------------------------------------


def test_bob_sees_only_leeds_works(foundation, bob, alice):
    assert list(Site.objects.visible_to(build_scope(bob))) == [foundation.acme_sites[1]]
    assert Site.objects.visible_to(build_scope(alice)).count() == len(foundation.acme_sites)


def test_no_page_shows_bob_a_site_outside_his_scope(foundation, bob_client):
    hidden = other_acme_sites(foundation)
    checked = []
    for route in portal_routes():
        if route.kwargs or route.name is None:
            continue  # pages about one object are swept with ids in test_access_sweep
        response = bob_client.get(reverse(route.name))
        if response.status_code != 200:
            continue
        body = readable_text(response)
        assert [name for name in hidden if name in body] == [], f"{route} names them to bob"
        checked.append(route.name)
    assert "home" in checked


def test_the_sites_page_lists_only_bobs_site(foundation, bob_client):
    try:
        url = reverse("assets:sites")
    except NoReverseMatch:
        pytest.skip("No site list page yet (assets:sites is a later issue).")
    body = bob_client.get(url).content.decode()
    assert "Leeds Works" in body
    assert [name for name in other_acme_sites(foundation) if name in body] == []


# --- Rights -------------------------------------------------------------------------------


def users_page_url() -> str:
    try:
        return reverse("customers:users")
    except NoReverseMatch:
        pytest.fail(
            "The users management page (customers:users, /account/users/) is missing.",
            pytrace=False,
        )


def test_bob_is_refused_user_management(foundation, bob_client):
    url = users_page_url()
    before = database_fingerprint()

    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, {"email": "mallory@acme.example"}).status_code == 403

    assert changed_tables(before, database_fingerprint()) == []


def test_the_users_page_is_for_administrators(foundation, alice_client, dana_client):
    url = users_page_url()
    body = alice_client.get(url).content.decode()
    assert "bob@acme.example" in body
    assert "carol@globex.example" not in body
    # dana's individual account has no user management right.
    assert dana_client.get(url).status_code == 403


def test_every_page_beyond_bobs_rights_is_refused_and_writes_nothing(foundation, bob, bob_client):
    scope = build_scope(bob)
    refused = []
    for route in portal_routes():
        function, right = route.portal_access  # type: ignore[misc]
        if function == SIGNED_IN or scope.can(function, right):
            continue
        # Acme is bob's own organisation: the right is refused before any object is looked up.
        # Provider-staff pages do not admit they exist: 404 rather than 403.
        refusal = 404 if function == STAFF else 403
        url = acme_url(route, foundation)
        before = database_fingerprint()
        get, post = bob_client.get(url), bob_client.post(url, {})
        assert get.status_code in (refusal, 405), f"GET {url} as bob: {get.status_code}"
        assert post.status_code in (refusal, 405), f"POST {url} as bob: {post.status_code}"
        assert changed_tables(before, database_fingerprint()) == [], f"POST {url} wrote data"
        refused.append(route.name)
    assert "customers:users" in refused


@with_test_urls
def test_a_page_needing_a_right_bob_lacks_is_403_and_writes_nothing(foundation, bob_client):
    before = database_fingerprint()

    response = bob_client.post(reverse("test_add_site"), {"name": "Bob's shed"})

    assert response.status_code == 403
    assert changed_tables(before, database_fingerprint()) == []
    assert not Site.objects.filter(name="Bob's shed").exists()


@with_test_urls
def test_the_same_page_writes_for_a_user_with_the_right(foundation, alice_client):
    response = alice_client.post(reverse("test_add_site"), {"name": "Alice's annexe"})

    assert response.status_code == 201
    assert Site.objects.get(name="Alice's annexe").organisation == foundation.acme


@with_test_urls
def test_anonymous_is_sent_to_login_and_nothing_is_written(foundation, client):
    before = database_fingerprint()

    response = client.post(reverse("test_add_site"), {"name": "Nobody's"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert changed_tables(before, database_fingerprint()) == []


# --- Change account -----------------------------------------------------------------------


def test_petra_switches_to_a_subsidiary_and_sees_only_it(foundation, petra_client):
    north = foundation.initech_north
    response = petra_client.post(
        reverse("customers:change_account"), {"organisation": north.pk, "next": "/"}
    )
    assert response.status_code == 302

    home = petra_client.get(reverse("home"))
    assert home.context["scope"].organisation == north
    assert home.context["scope"].organisation_ids == {north.pk}
    assert "Initech North" in home.content.decode()


def test_carol_cannot_switch_to_acme(foundation, carol_client):
    response = carol_client.post(
        reverse("customers:change_account"), {"organisation": foundation.acme.pk}
    )
    assert response.status_code == 404

    home = carol_client.get(reverse("home"))
    assert home.context["scope"].organisation == foundation.globex
    assert "Acme" not in home.content.decode()


def test_change_account_lists_only_reachable_organisations(foundation, petra_client):
    body = petra_client.get(reverse("customers:change_account")).content.decode()
    for name in ("Initech Group", "Initech North", "Initech South"):
        assert name in body
    assert "Acme" not in body
    assert "Globex" not in body
