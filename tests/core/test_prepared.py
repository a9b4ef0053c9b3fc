"""``PreparedQuery``: a QuerySet compiled once per shape of its keys and run again with new
keys gives what the ORM gives, in one query, and falls back to the ORM when a key is not
one plain parameter."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from portico.accounts.models import User
from portico.core.access import active_memberships, memberships_query
from portico.core.prepared import PreparedQuery
from portico.customers.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def as_values(membership: Membership) -> tuple[dict, dict]:
    def fields(obj) -> dict:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    return fields(membership), fields(membership.organisation)


def test_every_users_memberships_match_the_orm_in_one_query(foundation, alice):
    Membership.objects.create(user=alice, organisation=foundation.globex)
    query = PreparedQuery(Membership, active_memberships)
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
    assert list(query.compiled[connections["default"]]) == [("i",)]
    assert query.compiled[connections["default"]][("i",)] is not None


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


def test_a_key_used_twice_takes_both_places(foundation, alice, bob):
    def either(key: int):
        return Membership.objects.filter(Q(user_id=key) | Q(organisation_id=key)).order_by("pk")

    query = PreparedQuery(Membership, either)
    organisation = foundation.acme.pk
    for key in (alice.pk, bob.pk, organisation):
        with CaptureQueriesContext(connection) as queries:
            found = [m.pk for m in query(key)]
        assert found == [m.pk for m in either(key)]
        assert len(queries) == 1
    assert query(organisation)
    compiled = query.compiled[connections["default"]][("i",)]
    assert compiled is not None and len(compiled.slots[0]) == 2


def test_texts_are_keys_unless_the_orm_rewrites_them(foundation):
    from portico.customers.models import Site

    def named(name: str, organisation: int | None):
        sites = Site.objects.filter(name=name)
        if organisation is not None:
            sites = sites.filter(organisation_id=organisation)
        return sites.order_by("pk").values_list("pk", flat=True)

    query = PreparedQuery(Site, named)
    site = foundation.acme_sites[0]
    for name, organisation in [
        (site.name, None),
        (site.name, site.organisation_id),
        (site.name, foundation.globex.pk),
        ("50% off_", None),  # LIKE's wildcards are plain characters in an equal
        ("O'Brien \\ Co", None),
    ]:
        assert query(name, organisation) == list(named(name, organisation))
    assert query(site.name, None) == [site.pk]
    assert all(query.compiled[connections["default"]].values())

    # A text the ORM turns into a LIKE pattern (escaped, wrapped in %) is no parameter:
    # the ORM runs it, and a % in the text still means a percent sign.
    containing = PreparedQuery(
        Site,
        lambda text: Site.objects.filter(name__icontains=text).order_by("pk").values_list("pk"),
    )
    for text in (site.name[1:4], "%", "_"):
        assert containing(text) == list(
            Site.objects.filter(name__icontains=text).order_by("pk").values_list("pk")
        )
    assert containing.compiled[connections["default"]] == {("s",): None}


def test_a_text_used_whole_and_in_a_pattern_runs_through_the_orm(foundation):
    """PostgreSQL compares ``iexact`` as UPPER(x) = UPPER(%s), with the text as it is, and
    escapes it inside ``icontains``' pattern: the whole parameter must not pass for the
    key when an escaped copy of it sits in another (a search would find nothing)."""
    from portico.customers.models import Site

    def search(text: str):
        condition = Q(name__iexact=text) | Q(name__icontains=text)
        return Site.objects.filter(condition).order_by("pk").values_list("pk", flat=True)

    query = PreparedQuery(Site, search)
    site = foundation.acme_sites[0]
    for text in (site.name, site.name.upper(), site.name[2:6], "no such site"):
        assert query(text) == list(search(text))
    assert query(site.name[2:6]) != []
    assert query.compiled[connections["default"]] == {("s",): None}


def test_named_values_are_part_of_the_shape_and_given_as_they_are(foundation):
    from portico.customers.models import Site

    def page(organisation: int, *, order: str, start: int, stop: int):
        sites = Site.objects.filter(organisation_id=organisation).order_by(order, "pk")
        return sites.values_list("pk", flat=True)[start:stop]

    query = PreparedQuery(Site, page)
    organisation = foundation.acme.pk
    for order in ("name", "-name", "created_at"):
        for start, stop in ((0, 2), (1, 3), (2, 10)):
            expected = list(page(organisation, order=order, start=start, stop=stop))
            assert query(organisation, order=order, start=start, stop=stop) == expected
    assert len(query.compiled[connections["default"]]) == 9
    assert all(query.compiled[connections["default"]].values())


def test_a_count_is_compiled_once_and_counts_as_the_orm(foundation):
    from portico.core.prepared import PreparedCount
    from portico.customers.models import Site

    def sites(organisations: list[int], *, limit: int):
        return Site.objects.visible_in(organisations, None).values_list("pk")[:limit]

    count = PreparedCount(Site, sites)
    acme, globex = foundation.acme.pk, foundation.globex.pk
    for organisations in ([acme], [globex], [acme, globex], [10**9]):
        for limit in (1, 2, 100):
            with CaptureQueriesContext(connection) as queries:
                counted = count(organisations, limit=limit)
            assert counted == sites(organisations, limit=limit).count()
            assert len(queries) == 1
            assert queries[0]["sql"].startswith("SELECT COUNT(*) FROM (")
    assert (
        count([acme, globex], limit=100)
        == Site.objects.filter(organisation__in=[acme, globex]).count()
        > 2
    )
    assert count([], limit=5) == 0  # an empty IN: the ORM counts (nothing)
    # A list with a text in it has no shape: the ORM counts.
    assert count([str(acme)], limit=100) == count([acme], limit=100)  # type: ignore[list-item]


def test_a_key_that_is_not_a_whole_number_runs_through_the_orm(foundation, alice):
    query = PreparedQuery(Membership, active_memberships)
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


def test_lists_of_keys_are_compiled_once_per_length_and_give_the_orms_rows(
    foundation, alice, bob, carol
):
    from portico.customers.models import Site

    def sites(organisations: list[int], only: list[int] | None):
        return Site.objects.visible_in(organisations, only).order_by("name", "pk")

    as_dicts = PreparedQuery(Site, lambda o, s: sites(o, s).values("pk", "name", "created_at"))
    as_tuples = PreparedQuery(Site, lambda o, s: sites(o, s).values_list("name", "pk"))
    flat = PreparedQuery(Site, lambda o, s: sites(o, s).values_list("pk", flat=True))
    instances = PreparedQuery(Site, lambda o, s: sites(o, s).select_related("organisation"))
    acme, globex = foundation.acme.pk, foundation.globex.pk
    one_site = [foundation.acme_sites[0].pk]
    for keys in [([acme], None), ([globex], None), ([acme, globex], None), ([acme], one_site)]:
        assert as_dicts(*keys) == list(sites(*keys).values("pk", "name", "created_at"))
        assert as_tuples(*keys) == list(sites(*keys).values_list("name", "pk"))
        assert flat(*keys) == list(sites(*keys).values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as queries:
            found = instances(*keys)
            names = [site.organisation.name for site in found]  # no query: selected with it
        assert [site.pk for site in found] == [site.pk for site in sites(*keys)]
        assert names == [site.organisation.name for site in sites(*keys)]
        assert len(queries) == 1
    # A datetime comes back converted as the ORM converts it (aware, in UTC).
    assert as_dicts([acme], None)[0]["created_at"].tzinfo is not None
    assert set(as_dicts.compiled[connections["default"]]) == {(1, "n"), (2, "n"), (1, 1)}


def test_the_same_keys_in_another_order_or_repeated_find_the_same_rows(foundation):
    from portico.customers.models import Site

    query = PreparedQuery(
        Site,
        lambda ids: Site.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True),
    )
    ids = sorted(site.pk for site in foundation.acme_sites)[:2]
    assert query(ids) == ids
    assert query(list(reversed(ids))) == ids
    assert query([ids[0], ids[0]]) == [ids[0]]  # IN (a, a): compiled for two, still right


def test_no_keys_and_empty_lists_and_other_values(foundation, alice):
    from portico.customers.models import Site

    everything = PreparedQuery(
        Site, lambda: Site.objects.order_by("pk").values_list("pk", flat=True)
    )
    assert everything() == list(Site.objects.order_by("pk").values_list("pk", flat=True))
    assert everything.compiled[connections["default"]][()] is not None

    by_ids = PreparedQuery(Site, lambda ids: Site.objects.filter(pk__in=ids).values_list("pk"))
    assert by_ids([]) == []  # the ORM knows an empty IN finds nothing
    assert by_ids.compiled[connections["default"]] == {(0,): None}
    assert by_ids(["1"]) == list(Site.objects.filter(pk__in=["1"]).values_list("pk"))
    assert by_ids([True]) == list(Site.objects.filter(pk__in=[True]).values_list("pk"))


def test_a_key_the_orm_turns_into_something_else_runs_through_the_orm(foundation):
    # A year becomes a range of two dates: no parameter is the key (and the stand-in is
    # no year at all).
    from portico.customers.models import Site

    def of_year(year: int):
        return (
            Site.objects.filter(created_at__year=year).order_by("pk").values_list("pk", flat=True)
        )

    query = PreparedQuery(Site, of_year)
    year = Site.objects.order_by("pk").first().created_at.year
    assert query(year) == list(of_year(year)) != []
    assert query(year - 1) == list(of_year(year - 1)) == []
    assert query.compiled[connections["default"]] == {("i",): None}
