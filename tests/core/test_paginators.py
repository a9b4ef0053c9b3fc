"""The capped count: exact up to the window, "more than" past it, one cheap query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portico.accounts.models import LoginAttempt
from portico.core.paginators import CappedCountPaginator

pytestmark = pytest.mark.django_db


class SmallWindow(CappedCountPaginator):
    count_limit = 10


def attempts(alice, number: int) -> None:
    LoginAttempt.objects.bulk_create(
        LoginAttempt(user=alice, email=alice.email, succeeded=True) for _ in range(number)
    )


def test_counts_exactly_up_to_the_window(alice):
    attempts(alice, 7)
    paginator = SmallWindow(LoginAttempt.objects.filter(user=alice).order_by("pk"), 5)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 7
    assert not paginator.is_capped
    assert paginator.num_pages == 2
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("SELECT COUNT(*) FROM (SELECT")
    assert "LIMIT 11" in queries[0]["sql"]


def test_past_the_window_says_more_than(alice):
    attempts(alice, 25)
    paginator = SmallWindow(LoginAttempt.objects.filter(user=alice).order_by("pk"), 5)
    assert paginator.count == 10
    assert paginator.is_capped
    # Asking for a later page widens the window to reach it.
    later = SmallWindow(LoginAttempt.objects.filter(user=alice).order_by("pk"), 5)
    page = later.get_page(4)
    assert later.count == 25 and not later.is_capped
    assert [a.pk for a in page.object_list] == list(
        LoginAttempt.objects.filter(user=alice).order_by("pk").values_list("pk", flat=True)[15:20]
    )


def test_nothing_to_count(alice):
    attempts(alice, 3)
    assert SmallWindow(LoginAttempt.objects.none(), 5).count == 0
    assert SmallWindow(LoginAttempt.objects.filter(pk__in=[]), 5).count == 0
    assert SmallWindow(LoginAttempt.objects.filter(user=alice, succeeded=False), 5).count == 0
    assert SmallWindow([1, 2, 3], 5).count == 3


def test_values_and_groups_are_counted_as_rows(alice, bob):
    attempts(alice, 4)
    attempts(bob, 2)
    emails = LoginAttempt.objects.values("email").distinct().order_by("email")
    assert SmallWindow(emails, 5).count == 2
