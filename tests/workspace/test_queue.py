"""The queue: every organisation, breached targets first, filters in the URL, bounded queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from portico.customers.models import Organisation
from portico.service.models import ServiceRequest

from .conftest import raise_request

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    return [row["number"] for row in response.context["rows"]]


def test_queue_shows_every_organisation_breached_first_then_due_soonest(sam_client, queue_requests):
    response = sam_client.get(reverse("workspace:queue"))

    r = queue_requests
    assert numbers(response) == [
        r["resolution_breached"].number,  # 5 hours overdue
        r["response_breached"].number,  # new, 1 hour past the response target
        r["due_soon"].number,
        r["due_later"].number,
    ]
    body = response.content.decode()
    assert "Acme Ltd" in body and "Globex Corporation" in body
    assert body.count('<span aria-hidden="true">⚠ </span>Breached') == 2
    assert r["closed"].number not in body


def test_all_states_lists_closed_requests_after_open_ones(sam_client, queue_requests):
    response = sam_client.get(reverse("workspace:queue"), {"state": "all"})
    assert numbers(response)[-1] == queue_requests["closed"].number
    assert len(numbers(response)) == 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "new"}, ["response_breached"]),
        ({"state": "closed"}, ["closed"]),
        ({"priority": "high"}, ["due_soon"]),
        ({"q": "fax"}, ["response_breached"]),
        ({"q": "globex"}, ["response_breached", "due_soon"]),
    ],
)
def test_filters_narrow_the_queue(sam_client, queue_requests, params, expected):
    response = sam_client.get(reverse("workspace:queue"), params)
    assert numbers(response) == [queue_requests[key].number for key in expected]


def test_search_by_number_finds_exactly_that_request(sam_client, queue_requests):
    number = queue_requests["due_later"].number
    response = sam_client.get(reverse("workspace:queue"), {"q": number.lower()})
    assert numbers(response) == [number]


@pytest.mark.parametrize("typed", ["acme", "Acme Ltd", "c-1001"])
def test_organisation_filter_matches_name_or_customer_number(sam_client, queue_requests, typed):
    response = sam_client.get(reverse("workspace:queue"), {"organisation": typed})
    r = queue_requests
    assert numbers(response) == [r["resolution_breached"].number, r["due_later"].number]
    assert f'name="organisation" value="{typed}"' in response.content.decode()


def test_queue_does_not_list_every_organisation(sam_client, queue_requests):
    for index in range(3):
        Organisation.objects.create(name=f"Zeta Shop {index}", customer_number=f"WEB-9{index}")

    body = sam_client.get(reverse("workspace:queue")).content.decode()

    assert "Zeta Shop" not in body
    assert '<select name="organisation"' not in body


def test_assigned_to_me_and_unassigned(sam, sam_client, queue_requests):
    queue_requests["due_soon"].assigned_to.add(sam)

    mine = sam_client.get(reverse("workspace:queue"), {"assigned": "me"})
    unassigned = sam_client.get(reverse("workspace:queue"), {"assigned": "unassigned"})

    assert numbers(mine) == [queue_requests["due_soon"].number]
    assert queue_requests["due_soon"].number not in numbers(unassigned)
    assert len(numbers(unassigned)) == 3


def test_empty_filter_result_says_what_to_do(sam_client, queue_requests):
    response = sam_client.get(reverse("workspace:queue"), {"q": "no such thing"})
    assert b"Clear filters" in response.content
    assert numbers(response) == []


def test_bad_filter_values_fall_back_to_the_whole_open_queue(sam_client, queue_requests):
    response = sam_client.get(reverse("workspace:queue"), {"state": "bogus", "page": "x"})
    assert response.status_code == 200
    assert len(numbers(response)) == 4


def test_queue_paginates_without_counting(sam_client, alice, acme):
    site = acme.sites.first()
    for index in range(27):
        raise_request(alice, site, f"Fault {index}", resolution_due_in=timedelta(hours=index + 1))

    first = sam_client.get(reverse("workspace:queue"))
    second = sam_client.get(reverse("workspace:queue"), {"page": 2})

    assert len(numbers(first)) == 25 and first.context["has_next"]
    assert len(numbers(second)) == 2 and not second.context["has_next"]
    assert set(numbers(first)).isdisjoint(numbers(second))
    assert b'rel="next"' in first.content


def test_queue_query_count_does_not_grow_with_the_number_of_requests(
    sam, sam_client, alice, carol, acme, globex, django_assert_max_num_queries
):
    sites = [acme.sites.first(), globex.sites.get()]

    def add(count: int) -> None:
        for index in range(count):
            request = raise_request(
                alice if index % 2 == 0 else carol,
                sites[index % 2],
                f"Fault {index}",
                resolution_due_in=timedelta(hours=index - 3),
            )
            request.assigned_to.add(sam)

    url = reverse("workspace:queue")
    add(3)
    sam_client.get(url)  # warm the session and branding caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        sam_client.get(url)
    add(30)
    with django_assert_max_num_queries(len(few)):
        response = sam_client.get(url, {"assigned": "me"})
    assert len(numbers(response)) == 25
    assert ServiceRequest.objects.count() == 33


def test_pages_merge_every_open_state_in_target_order(sam_client, alice, acme):
    site = acme.sites.first()
    states = ["new", "acknowledged", "scheduled", "in_progress", "awaiting_customer"]
    made = []
    for index in range(30):
        due = timedelta(hours=index - 10)
        made.append(
            raise_request(
                alice,
                site,
                f"Fault {index}",
                state=states[index % 5],
                response_due_in=due,
                resolution_due_in=due,
            )
        )
    undated = raise_request(alice, site, "No service level", state="acknowledged")
    ServiceRequest.objects.filter(pk=undated.pk).update(resolution_due_at=None)

    first = numbers(sam_client.get(reverse("workspace:queue")))
    second = numbers(sam_client.get(reverse("workspace:queue"), {"page": 2}))

    assert first + second == [r.number for r in made] + [undated.number]


@pytest.mark.parametrize("state", ServiceRequest.State.values)
def test_queue_due_at_is_the_target_that_runs_in_each_state(alice, acme, state):
    request = raise_request(
        alice,
        acme.sites.first(),
        "Paper jam",
        state=state,
        response_due_in=timedelta(hours=4),
        resolution_due_in=timedelta(days=2),
    )
    request.refresh_from_db()
    if state == ServiceRequest.State.NEW:
        assert request.queue_due_at == request.response_due_at
    elif state in ServiceRequest.OPEN_STATES:
        assert request.queue_due_at == request.resolution_due_at
    else:
        assert request.queue_due_at is None


def test_the_open_queue_reads_along_the_queue_due_index(sam_client, queue_requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        sam_client.get(reverse("workspace:queue"))
    dated = next(
        q["sql"] for q in queries if 'ORDER BY "service_servicerequest"."queue_due_at"' in q["sql"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN {dated}"
            if connection.vendor == "postgresql"
            else f"EXPLAIN QUERY PLAN {dated}"
        )
        plan = " ".join(str(row) for row in cursor.fetchall())
    if connection.vendor == "sqlite":  # PostgreSQL may rightly scan a table this small
        assert "service_req_queue_due" in plan
        assert "TEMP B-TREE" not in plan  # no sort: rows come in index order


def test_queue_rows_name_organisation_site_and_technicians(sam, sam_client, queue_requests):
    from portico.accounts.models import User

    due_soon = queue_requests["due_soon"]
    colleague = User.objects.create_user(email="tech@provider.example", full_name="Tara Tech")
    due_soon.assigned_to.add(sam, colleague)

    response = sam_client.get(reverse("workspace:queue"))

    row = next(row for row in response.context["rows"] if row["number"] == due_soon.number)
    assert row["assigned_names"] == "Sam, Tara"
    assert row["url"] == reverse("workspace:request", args=[due_soon.number])
    body = response.content.decode()
    assert (
        f'<td data-label="Organisation and site" class="cell--wrap">{due_soon.organisation.name}'
        f'<br><span class="cell__meta">{due_soon.site.name}</span></td>'
    ) in body
    assert '<td data-label="Assigned">Sam, Tara</td>' in body
    assert body.count('<span class="cell__meta">Unassigned</span>') == 3


def test_every_part_of_the_queue_is_compiled_and_reads_as_the_orm(sam, queue_requests):
    """Each part's ids, for every state, priority and assignment, equal what the ORM reads
    for the same filters; none of them falls back to the ORM."""
    from django.db import connections

    from portico.service.services import assign_technicians
    from portico.service.workspace import (
        CLOSED,
        DUE,
        IN_STATE,
        UNDATED,
        queue_part,
        queue_part_ids,
    )
    from portico.service.workspace_forms import ALL, OPEN

    queue_part_ids.cache_clear()
    assign_technicians(request=queue_requests["due_soon"], actor=sam, technicians=[sam])
    open_states = tuple(ServiceRequest.OPEN_STATES)
    found = set()
    for priority in (None, "high", "urgent"):
        for assignee, unassigned in ((None, False), (sam.pk, False), (None, True)):
            keys = (priority, None, assignee, None)
            parts = [(DUE, OPEN, ()), (UNDATED, OPEN, open_states), (CLOSED, ALL, ())]
            parts += [(IN_STATE, state, ()) for state in ("new", "acknowledged")]
            parts += [(CLOSED, "closed", ())]
            for part, state, states in parts:
                fixed = {"part": part, "state": state, "states": states, "limit": 26}
                ids = queue_part_ids()(*keys, unassigned=unassigned, **fixed)
                assert ids == list(queue_part(*keys, unassigned=unassigned, **fixed))
                found.update(ids)
    assert found == {r.pk for r in queue_requests.values()}
    assert all(queue_part_ids().compiled[connections["default"]].values())
