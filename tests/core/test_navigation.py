"""The navigation shows only what the user may use."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav_links(client) -> str:
    html = client.get(reverse("home")).content.decode()
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


def test_staff_see_the_request_queue_and_back_office(sam_client):
    nav = nav_links(sam_client)
    assert reverse("workspace:queue") in nav
    assert reverse("admin:index") in nav


def test_customers_see_their_functions_and_no_staff_links(alice_client, bob_client):
    alice_nav = nav_links(alice_client)
    assert reverse("workspace:queue") not in alice_nav
    assert reverse("customers:users") in alice_nav
    bob_nav = nav_links(bob_client)
    assert reverse("customers:users") not in bob_nav  # bob holds no users right
    assert reverse("billing:invoices") in bob_nav  # view-only invoices


def test_only_the_closest_navigation_item_is_current(sam_client):
    """The queue lives under /backoffice/: only "Request queue" is marked as the current page."""
    response = sam_client.get("/backoffice/workspace/")
    current = [item["label"] for item in response.context["nav"] if item["current"]]
    assert current == ["Request queue"]
    html = response.content.decode()
    main_nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert main_nav.count('aria-current="page"') == 1


def test_branding_version_is_what_the_date_filter_wrote(alice_client) -> None:
    from django.template.defaultfilters import date as date_filter

    from portico.core.models import Branding

    Branding(pk=1, product_name="Acme portal").save()
    branding = Branding.objects.get()
    assert str(branding.version) == date_filter(branding.updated_at, "U") != ""
    assert Branding(pk=2).version == date_filter(None, "U") == ""
    html = alice_client.get("/").content.decode()
    assert f"?v={branding.version}" in html
