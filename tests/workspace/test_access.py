"""The workspace is for provider staff: customers get 404 everywhere, nobody gets a login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.service.workspace import STAFF
from tests.utils import walk

from .conftest import changed, fingerprint

pytestmark = pytest.mark.django_db


def workspace_urls(request_number: str, attachment_pk: int = 1) -> list[str]:
    values = {"number": request_number, "pk": attachment_pk}
    urls = []
    for route in walk():
        if route.namespaces[:1] != ("workspace",):
            continue
        urls.append(reverse(route.name, kwargs={k: values[k] for k in route.kwargs}))
    return urls


def test_every_workspace_route_declares_staff_access():
    routes = [r for r in walk() if r.namespaces[:1] == ("workspace",)]
    assert len(routes) >= 9
    assert all(r.portal_access and r.portal_access[0] == STAFF for r in routes)


def test_customers_get_404_on_every_workspace_url(acme_request, alice_client, carol_client):
    urls = workspace_urls(acme_request.number)
    before = fingerprint()

    for client in (alice_client, carol_client):
        for url in urls:
            assert client.get(url).status_code == 404, f"GET {url}"
            assert (
                client.post(url, {"comment-body": "hi", "state-new_state": "cancelled"}).status_code
                == 404
            ), f"POST {url}"

    assert changed(before) == []


def test_anonymous_is_sent_to_login_from_every_workspace_url(acme_request, client):
    login = reverse("account_login")
    for url in workspace_urls(acme_request.number):
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"{login}?next="), url


def test_staff_reach_the_queue_and_the_back_office_links_to_it(sam_client):
    assert sam_client.get(reverse("workspace:queue")).status_code == 200
    index = sam_client.get(reverse("admin:index"))
    assert reverse("workspace:queue").encode() in index.content


def test_unknown_request_number_is_404_for_staff(sam_client, foundation):
    assert sam_client.get(reverse("workspace:request", args=["REQ-999999"])).status_code == 404


def test_bench_floor_is_not_served_without_the_bench_switch(sam_client):
    assert sam_client.get("/backoffice/workspace/bench/hello/").status_code == 404
