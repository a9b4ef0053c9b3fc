"""The landing page: a greeting, the user's sites for equipment customers (E1), shortcuts."""

import pytest
from django.urls import reverse

from portico.customers.models import Site

pytestmark = pytest.mark.django_db


def test_alice_lands_on_her_sites_with_choose_equipment(alice_client, foundation):
    page = alice_client.get(reverse("home")).content.decode()
    assert "Welcome, Alice" in page
    assert "Your sites" in page
    for site in foundation.acme_sites:
        assert site.name in page
    assert page.count("Choose equipment") == len(foundation.acme_sites)
    assert "Globex" not in page


def test_bob_sees_only_his_site(bob_client, foundation):
    page = bob_client.get(reverse("home")).content.decode()
    assert "Leeds Works" in page
    assert "Head Office" not in page


def test_many_sites_show_six_and_a_link_to_all_in_constant_queries(
    alice_client, foundation, django_assert_max_num_queries
):
    alice_client.get(reverse("home"))
    with django_assert_max_num_queries(16) as few:
        alice_client.get(reverse("home"))
    Site.objects.bulk_create(
        Site(organisation=foundation.acme, name=f"Depot {i:02d}") for i in range(40)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = alice_client.get(reverse("home")).content.decode()
    assert page.count("Choose equipment") == 6
    assert reverse("assets:sites") in page


def test_staff_without_a_customer_account_are_pointed_to_the_queue(sam_client):
    page = sam_client.get(reverse("home")).content.decode()
    assert reverse("workspace:queue") in page
    assert "Your sites" not in page
