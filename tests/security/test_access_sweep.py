"""The access sweep: every portal route, requested as another customer and as nobody.

carol (Administrator at Globex, every right) asks for every portal route with Acme's object
ids in the URL. She must get 404 — never Acme's data, never a 403 that confirms the object
exists — and the database must not change. Provider-staff pages are 404 to her whatever
the URL. Routes without ids must show her nothing of
Acme. Anonymous visitors are sent to the login page from every portal route.

A new route with a URL keyword argument joins the sweep by registering, in
``tests/security/acme_objects.py``, how to find Acme's object for that argument.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from portico.core.access import build_scope
from portico.core.rights import SIGNED_IN
from portico.customers.demo import Foundation
from portico.customers.models import Organisation
from tests.security.acme_objects import ACME_OBJECTS, AMBIGUOUS_NAMES, acme_kwargs, acme_url
from tests.utils import (
    STAFF,
    Route,
    changed_tables,
    database_fingerprint,
    exemption_for,
    portal_routes,
    readable_text,
    walk,
)

pytestmark = pytest.mark.django_db

ROUTES = portal_routes()


@pytest.fixture
def media(settings, tmp_path):
    """Files made for the sweep (attachments) stay out of the project's var/."""
    settings.MEDIA_ROOT = str(tmp_path)


def route_id(route: Route) -> str:
    return route.name or route.route


def acme_markers(foundation: Foundation) -> list[str]:
    """Strings that appear only in Acme's data."""
    acme_people = [foundation.users["alice"], foundation.users["bob"]]
    return [
        "acme",  # matched case-insensitively: the name, the e-mail domain
        foundation.acme.customer_number,
        *(site.name for site in foundation.acme_sites),
        *(site.street for site in foundation.acme_sites),
        *(person.full_name for person in acme_people),
    ]


def leaked(body: str, foundation: Foundation) -> list[str]:
    lowered = body.lower()
    return [m for m in acme_markers(foundation) if m.lower() in lowered]


def test_every_registered_object_is_used_by_a_route():
    used = {(route.name, kwarg) for route in ROUTES for kwarg in route.kwargs}
    for key in ACME_OBJECTS:
        assert key in used if isinstance(key, tuple) else key in {k for _, k in used}, key


def test_registry_keys_by_route_for_ambiguous_names():
    assert not AMBIGUOUS_NAMES & {key for key in ACME_OBJECTS if isinstance(key, str)}


def test_the_sweep_covers_the_portal():
    assert {"home", "profile", "customers:change_account"} <= {r.name for r in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_carol_cannot_reach_acme_through(route, foundation, carol, carol_client, media):
    function, right = route.portal_access  # type: ignore[misc]
    is_staff_page = function == STAFF
    assert is_staff_page or function == SIGNED_IN or build_scope(carol).can(function, right), (
        "carol must hold every right, or the sweep would test rights instead of isolation"
    )
    url = acme_url(route, foundation)
    before = database_fingerprint()

    get = carol_client.get(url)
    post = carol_client.post(url, {})

    assert changed_tables(before, database_fingerprint()) == [], f"POST {url} wrote data"
    if route.kwargs or is_staff_page:
        # 405: the route does not take this method, which reveals nothing about the object.
        assert get.status_code in (404, 405), f"GET {url} as carol: {get.status_code}"
        assert post.status_code in (404, 405), f"POST {url} as carol: {post.status_code}"
        assert 404 in (get.status_code, post.status_code)
    else:
        # 302: e.g. a payment provider's return page with nothing to show goes to a list.
        assert get.status_code in (200, 302, 405), f"GET {url} as carol: {get.status_code}"
        assert post.status_code < 500, f"POST {url} as carol: {post.status_code}"
        for method, response in (("GET", get), ("POST", post)):
            if response.status_code == 200:
                assert leaked(readable_text(response), foundation) == [], (
                    f"{method} {url} shows Acme"
                )


# Routes whose URL holds a case and one of its parts (a request's attachment, a request's
# recommendation). Asked with carol's own case around Acme's part, the part must still 404:
# it has to be looked up within the case, not by its id alone.
NESTED = [r for r in ROUTES if len(r.kwargs) > 1 and r.portal_access[0] != STAFF]  # type: ignore[index]


def globex_request(foundation: Foundation, carol) -> str:
    from portico.service.services import create_request

    return create_request(
        scope=build_scope(carol),
        actor=carol,
        title="Globex's own fault",
        description="A request carol may see.",
        site=foundation.globex_sites[0],
    ).number


CAROLS_OWN = {"request_number": globex_request}


def test_nested_routes_are_swept():
    assert {"service:attachment", "service:respond"} <= {r.name for r in NESTED}


@pytest.mark.parametrize("route", NESTED, ids=route_id)
def test_carol_cannot_reach_acme_parts_through_her_own_case(
    route, foundation, carol, carol_client, media
):
    kwargs = acme_kwargs(route, foundation)
    parent = next(name for name in route.kwargs if name in CAROLS_OWN)
    kwargs[parent] = CAROLS_OWN[parent](foundation, carol)
    url = reverse(route.name, kwargs=kwargs)
    before = database_fingerprint()

    get = carol_client.get(url)
    post = carol_client.post(url, {})

    assert changed_tables(before, database_fingerprint()) == [], f"POST {url} wrote data"
    assert get.status_code in (404, 405), f"GET {url} as carol: {get.status_code}"
    assert post.status_code in (404, 405), f"POST {url} as carol: {post.status_code}"
    assert 404 in (get.status_code, post.status_code)


# Pages that take an object from the query string to pre-fill a form.
QUERY_OBJECTS = [
    ("service:new", "asset", "asset_id"),
    ("service:new", "site", "site_id"),
    ("billing:make_payment", "invoice", "invoice_number"),
]


@pytest.mark.parametrize(("name", "parameter", "kind"), QUERY_OBJECTS)
def test_carol_cannot_prefill_with_acme_objects(
    name, parameter, kind, foundation, carol_client, media
):
    value = ACME_OBJECTS[kind](foundation)

    response = carol_client.get(reverse(name), {parameter: value})

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert leaked(readable_text(response), foundation) == []


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_anonymous_is_sent_to_login_from(route, foundation, client, media):
    url = acme_url(route, foundation)
    login = reverse("account_login")
    before = database_fingerprint()

    responses = {"GET": client.get(url), "POST": client.post(url, {})}

    assert changed_tables(before, database_fingerprint()) == []
    redirected = []
    for method, response in responses.items():
        if response.status_code == 405:
            continue
        assert response.status_code == 302, f"{method} {url} anonymously: {response.status_code}"
        assert response["Location"].startswith(f"{login}?next="), response["Location"]
        redirected.append(method)
    assert redirected, f"{url} answers neither GET nor POST"


# --- Exempt routes that a token guards refuse a request without one --------------------------

TOKEN_ROUTES = [r for r in walk() if (e := exemption_for(r)) is not None and e.token_protected]
BOGUS = {"uidb64": "MQ", "token": "c0ffee-not-a-token"}


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=route_id)
def test_token_protected_route_refuses_a_request_without_a_valid_token(route, foundation, client):
    url = reverse(route.name, kwargs={k: BOGUS[k] for k in route.kwargs})
    before = database_fingerprint()

    get = client.get(url)
    post = client.post(url, {"password1": "x", "readings": "[]"}, HTTP_AUTHORIZATION="Bearer x")

    assert get.status_code in (400, 401, 403, 405), f"GET {url}: {get.status_code}"
    assert post.status_code in (400, 401, 403), f"POST {url}: {post.status_code}"
    assert changed_tables(before, database_fingerprint()) == []


# --- The back office: staff only, and customers must not learn it exists -----------------


def every_backoffice_url(foundation: Foundation) -> list[str]:
    """Each admin route once, pointing at Acme's organisation where it takes an object."""
    acme_type = ContentType.objects.get_for_model(Organisation)
    values = {
        "object_id": str(foundation.acme.pk),
        "content_type_id": str(acme_type.pk),
        "app_label": "customers",
    }
    urls = ["/backoffice/no-such-page/"]  # the catch-all route
    for route in walk():
        if route.namespaces[:1] != ("admin",) or "url" in route.kwargs:
            continue
        if route.name:
            urls.append(reverse(route.name, kwargs={k: values[k] for k in route.kwargs}))
        else:  # the unnamed "<object_id>/" redirects
            urls.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], route.route))
    return urls


def test_customers_get_404_everywhere_in_the_back_office(foundation, alice_client):
    urls = every_backoffice_url(foundation)
    assert len(urls) > 20
    before = database_fingerprint()

    for url in urls:
        assert alice_client.get(url).status_code == 404, f"GET {url} as alice"
        assert alice_client.post(url, {}).status_code == 404, f"POST {url} as alice"
    response = alice_client.post(
        reverse("admin:customers_organisation_change", args=[foundation.acme.pk]),
        {"name": "Hacked", "customer_number": "C-1001", "kind": "business", "status": "active"},
    )

    assert response.status_code == 404
    assert changed_tables(before, database_fingerprint()) == []
    foundation.acme.refresh_from_db()
    assert foundation.acme.name == "Acme Ltd"


def test_anonymous_is_sent_to_login_from_the_back_office(foundation):
    login = reverse("account_login")
    for url in every_backoffice_url(foundation):
        response = Client().get(url, follow=True)
        assert response.redirect_chain, url
        assert response.request["PATH_INFO"] == login, url
        assert response.status_code == 200


def test_staff_reach_the_back_office(sam_client):
    response = sam_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert b"back office" in response.content.lower()


# --- The sweep itself fails loudly ---------------------------------------------------------


def some_view(request, pk):
    raise AssertionError("never called: only the route's shape matters here")


def test_a_route_with_an_unregistered_argument_fails_the_sweep(foundation):
    route = Route("things/<int:pk>/", "things:detail", some_view, ("pk",), (), ("things",))
    with pytest.raises(pytest.fail.Exception, match=r"Register it in ACME_OBJECTS"):
        acme_kwargs(route, foundation)


def test_a_registered_argument_for_one_route_does_not_leak_to_another(foundation):
    ACME_OBJECTS[("things:detail", "pk")] = lambda f: f.acme_sites[0].pk
    try:
        detail = Route("things/<int:pk>/", "things:detail", some_view, ("pk",), (), ("things",))
        other = Route("stuff/<int:pk>/", "stuff:detail", some_view, ("pk",), (), ("stuff",))
        assert acme_kwargs(detail, foundation) == {"pk": foundation.acme_sites[0].pk}
        with pytest.raises(pytest.fail.Exception):
            acme_kwargs(other, foundation)
    finally:
        del ACME_OBJECTS[("things:detail", "pk")]


def test_acme_data_in_a_page_is_noticed(foundation):
    assert leaked("<td>ACME LTD</td><td>Leeds Works</td>", foundation) == ["acme", "Leeds Works"]
    assert leaked("<td>Globex Corporation</td><td>Globex Tower</td>", foundation) == []
