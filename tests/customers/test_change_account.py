""" "Change account": switching between reachable organisations (A5, B6)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.core.access import SESSION_KEY

pytestmark = pytest.mark.django_db

SWITCH = reverse("customers:change_account")


def shown(response) -> list[str]:
    return [org.name for org in response.context["organisations"]]


def test_petra_sees_the_group_then_its_subsidiaries(petra_client):
    response = petra_client.get(SWITCH)
    assert response.status_code == 200
    assert shown(response) == ["Initech Group", "Initech North", "Initech South"]
    assert [org.level for org in response.context["organisations"]] == [0, 1, 1]
    assert "part of Initech Group" in response.content.decode()


def test_search_narrows_the_accounts(petra_client):
    assert shown(petra_client.get(SWITCH, {"q": "south"})) == ["Initech South"]
    assert shown(petra_client.get(SWITCH, {"q": "C-2001"})) == ["Initech North"]
    response = petra_client.get(SWITCH, {"q": "acme"})
    assert shown(response) == []
    assert "No account matches" in response.content.decode()


def test_switching_persists_in_the_session_and_changes_the_scope(petra_client, foundation):
    north = foundation.initech_north
    response = petra_client.post(SWITCH, {"organisation": north.pk, "next": "/account/users/"})
    assert response.status_code == 302
    assert response["Location"] == "/account/users/"
    assert petra_client.session[SESSION_KEY] == north.pk

    page = petra_client.get(reverse("home"))
    scope = page.wsgi_request.portal_scope
    assert scope.organisation == north
    assert scope.organisation_ids == {north.pk}
    assert "Initech North" in page.content.decode()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", ""]
)
def test_switching_never_redirects_off_site(petra_client, foundation, target):
    response = petra_client.post(
        SWITCH, {"organisation": foundation.initech_south.pk, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_next_page_is_carried_through_a_search(petra_client):
    response = petra_client.get(SWITCH, {"q": "north", "next": "/account/users/"})
    assert 'name="next" value="/account/users/"' in response.content.decode()
    response = petra_client.get(SWITCH, {"next": "https://evil.example/"})
    assert response.context["next"] == "/"


def test_carol_cannot_switch_to_acme(carol_client, carol, foundation):
    response = carol_client.post(SWITCH, {"organisation": foundation.acme.pk})
    assert response.status_code == 404
    assert SESSION_KEY not in carol_client.session
    assert (
        carol_client.get(reverse("home")).wsgi_request.portal_scope.organisation
        == foundation.globex
    )
    assert carol_client.post(SWITCH, {"organisation": "not-a-number"}).status_code == 404


def test_switch_page_lists_only_reachable_accounts(carol_client):
    assert shown(carol_client.get(SWITCH)) == ["Globex Corporation"]


def test_anonymous_is_sent_to_login(client):
    response = client.get(SWITCH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
