"""``KeyedQuery``: a QuerySet compiled once and run again with new keys gives what the ORM
gives, in one query, and falls back to the ORM when its key is not one plain parameter."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from portico.accounts.models import User
from portico.core.access import active_memberships, memberships_query
from portico.core.prepared import KeyedQuery
from portico.customers.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def as_values(membership: Membership) -> tuple[dict, dict]:
    def fields(obj) -> dict:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    return fields(membership), fields(membership.organisation)


def test_every_users_memberships_match_the_orm_in_one_query(foundation, alice):
    Membership.objects.create(user=alice, organisation=foundation.globex)
    query = KeyedQuery(Membership, active_memberships)
    users = list(User.objects.order_by("pk"))
    assert any(len(active_memberships(user.pk)) > 1 for user in users)
    for user in users:
        expected = [as_values(m) for m in active_memberships(user.pk)]
        with CaptureQueriesContext(connection) as queries:
            found = query(user.pk)
            got = [as_values(m) for m in found]  # organisations come with them: no query
        assert got == expected, user.email
        assert len(queries) == 1
        assert all(not m._state.adding and m._state.db == "default" for m in found)
    # Compiled once, then reused for every user.
    assert query.compiled[connections["default"]] is not None


def test_an_organisation_that_is_no_longer_active_drops_out(foundation, alice):
    before = memberships_query()(alice.pk)
    assert before
    Organisation.objects.filter(pk=before[0].organisation_id).update(
        status=Organisation.Status.SUSPENDED
    )
    after = memberships_query()(alice.pk)
    assert before[0].pk not in {m.pk for m in after}
    assert [m.pk for m in after] == [m.pk for m in active_memberships(alice.pk)]


def test_an_unknown_key_finds_nothing(foundation):
    assert memberships_query()(10**9) == []


def test_a_key_used_twice_runs_through_the_orm_each_time(foundation, alice, bob):
    def either(key: int):
        return Membership.objects.filter(Q(user_id=key) | Q(organisation_id=key)).order_by("pk")

    query = KeyedQuery(Membership, either)
    assert [m.pk for m in query(alice.pk)] == [m.pk for m in either(alice.pk)]
    assert query.compiled[connections["default"]] is None
    assert [m.pk for m in query(bob.pk)] == [m.pk for m in either(bob.pk)]


def test_a_key_that_is_not_a_whole_number_runs_through_the_orm(foundation, alice):
    query = KeyedQuery(Membership, active_memberships)
    query(alice.pk)  # compiled with an int
    found = query(str(alice.pk))  # type: ignore[arg-type] - what a session might hold
    assert [m.pk for m in found] == [m.pk for m in active_memberships(alice.pk)]


def test_the_user_of_a_session_is_loaded_by_the_compiled_query(foundation, alice):
    from django.contrib.auth.backends import ModelBackend

    def fields(user: User) -> dict:
        return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}

    expected = fields(User.objects.filter(pk=alice.pk).get())
    for key in (alice.pk, str(alice.pk)):  # the session holds the id as text
        with CaptureQueriesContext(connection) as queries:
            assert fields(User.objects.get(pk=key)) == expected
        assert len(queries) == 1
    assert ModelBackend().get_user(str(alice.pk)) == alice
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert ModelBackend().get_user(str(alice.pk)) is None  # still checked after loading


def test_the_users_get_behaves_as_the_orms_for_every_other_lookup(foundation, alice):
    with pytest.raises(User.DoesNotExist, match="User matching query does not exist"):
        User.objects.get(pk=10**9)
    with pytest.raises(ValueError, match="expected a number"):
        User.objects.get(pk="not-a-number")
    assert User.objects.get(email=alice.email) == alice
    assert User.objects.get(pk=alice.pk, is_active=True) == alice
    assert User.objects.db_manager("default").get(pk=alice.pk) == alice
