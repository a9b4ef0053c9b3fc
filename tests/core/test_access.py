"""The Scope: organisations, hierarchy reach, site scope and rights (A3–A5)."""

import pytest
from django.http import Http404, HttpResponse

from portico.core.access import Scope, access_object, build_scope
from portico.core.rights import Function, Right
from portico.customers.models import Organisation, Site

pytestmark = pytest.mark.django_db


def test_alice_sees_every_acme_site_and_nothing_of_globex(foundation, alice):
    scope = build_scope(alice)
    assert scope.organisation == foundation.acme
    assert scope.organisation_ids == {foundation.acme.pk}
    assert scope.site_ids is None
    visible = set(Site.objects.visible_to(scope))
    assert visible == set(foundation.acme_sites)


def test_bob_sees_only_his_site(foundation, bob):
    scope = build_scope(bob)
    assert list(Site.objects.visible_to(scope)) == [foundation.acme_sites[1]]
    with pytest.raises(Http404):
        access_object(Site, scope, pk=foundation.acme_sites[0].pk)


def test_bob_has_view_only_invoices(bob):
    scope = build_scope(bob)
    assert scope.can(Function.INVOICES, Right.VIEW)
    assert not scope.can(Function.INVOICES, Right.CREATE)
    assert not scope.can(Function.USERS)


def test_carol_cannot_reach_acme_objects(foundation, carol):
    scope = build_scope(carol)
    with pytest.raises(Http404):
        access_object(Site, scope, pk=foundation.acme_sites[0].pk)
    with pytest.raises(Http404):
        access_object(Organisation, scope, pk=foundation.acme.pk)


def test_petra_at_group_level_sees_subsidiaries(foundation, petra):
    scope = build_scope(petra)
    assert scope.organisation == foundation.initech
    assert scope.organisation_ids == {
        foundation.initech.pk,
        foundation.initech_north.pk,
        foundation.initech_south.pk,
    }
    assert scope.switchable_count == 3


def test_petra_switched_to_a_subsidiary_sees_only_it(foundation, petra):
    scope = build_scope(petra, foundation.initech_north.pk)
    assert scope.organisation == foundation.initech_north
    assert scope.organisation_ids == {foundation.initech_north.pk}


def test_subsidiaries_see_each_other_when_the_enterprise_allows(foundation, petra):
    foundation.initech.subsidiaries_share_data = True
    foundation.initech.save()
    scope = build_scope(petra, foundation.initech_north.pk)
    assert foundation.initech_south.pk in scope.organisation_ids
    assert foundation.initech.pk not in scope.organisation_ids


def test_requesting_an_unreachable_organisation_falls_back_to_own(foundation, carol):
    scope = build_scope(carol, foundation.acme.pk)
    assert scope.organisation == foundation.globex


def test_suspended_organisation_gives_no_scope(foundation, carol):
    foundation.globex.status = Organisation.Status.SUSPENDED
    foundation.globex.save()
    scope = build_scope(carol)
    assert scope.organisation is None
    assert not scope.can(Function.TICKETS)
    assert not Site.objects.visible_to(scope).exists()


def test_moving_an_organisation_moves_its_subtree_path(foundation):
    grandchild = Organisation.objects.create(
        name="Initech North Lab", customer_number="C-2003", parent=foundation.initech_north
    )
    foundation.initech_north.parent = foundation.acme
    foundation.initech_north.save()
    grandchild.refresh_from_db()
    assert (
        grandchild.path == f"/{foundation.acme.pk}/{foundation.initech_north.pk}/{grandchild.pk}/"
    )


def test_scope_query_count_does_not_grow_with_sites(
    foundation, alice, django_assert_max_num_queries
):
    for i in range(50):
        Site.objects.create(organisation=foundation.acme, name=f"Extra {i}")
    with django_assert_max_num_queries(6):
        scope = build_scope(alice)
        assert scope.organisation is not None


def test_visible_in_takes_the_scopes_reach(foundation, bob, alice):
    # visible_to is visible_in with the scope's ids: bob's one site, alice's every site.
    for user in (bob, alice):
        scope = build_scope(user)
        assert list(Site.objects.visible_to(scope).order_by("pk")) == list(
            Site.objects.visible_in(*scope.reach).order_by("pk")
        )
    organisations, sites = build_scope(bob).reach
    assert organisations == [foundation.acme.pk] and sites is not None and len(sites) == 1
    assert build_scope(alice).reach == ([foundation.acme.pk], None)


def test_a_scope_without_an_organisation_reaches_nothing(foundation):
    # As visible_to answers none(), whatever ids the scope holds.
    scope = Scope(user=None, organisation=None, organisation_ids=frozenset({foundation.acme.pk}))
    assert scope.reach == ([], [])
    assert list(Site.objects.visible_in(*scope.reach)) == []
    assert list(Site.objects.visible_to(scope)) == []


def test_a_portal_page_gets_the_user_and_scope_themselves_not_lazy_proxies(rf, alice):
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.utils.functional import SimpleLazyObject

    from portico.accounts.middleware import UserPreferencesMiddleware
    from portico.core.access import ScopeMiddleware, portal_view, resolved

    seen = {}

    @portal_view(Function.TICKETS, Right.VIEW)
    def page(request):
        seen.update(user=request.user, scope=request.portal_scope)
        return HttpResponse("ok")

    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = SimpleLazyObject(lambda: alice)
    response = UserPreferencesMiddleware(ScopeMiddleware(page))(request)
    assert response.status_code == 200
    assert type(seen["user"]) is type(alice) and seen["user"] == alice
    assert (
        type(seen["scope"]) is Scope
        and seen["scope"].organisation == alice.memberships.get().organisation
    )
    lazy = SimpleLazyObject(lambda: 42)
    assert resolved(lazy) == 42 and resolved("plain") == "plain"
