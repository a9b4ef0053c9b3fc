"""The capped count: exact up to the window, "more than" past it, one cheap query."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
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


# The pagination's markup as the shared template wrote it before it was drawn in Python.
PAGINATION_TEMPLATE = """{% if page.has_other_pages %}
<nav class="pagination" aria-label="Pages">
  {% if page.has_previous %}<a class="button" href="{% querystring page=page.previous_page_number %}" rel="prev">Previous</a>{% endif %}
  <span class="pagination__status">Page {{ page.number }}{% if not page.paginator.is_capped %} of {{ page.paginator.num_pages }}{% endif %}</span>
  {% if page.has_next %}<a class="button" href="{% querystring page=page.next_page_number %}" rel="next">Next</a>{% endif %}
</nav>
{% endif %}"""  # noqa: E501


class CappedList(CappedCountPaginator):
    """A capped paginator over a plain list: "more than" past five items."""

    count_limit = 5


@pytest.mark.parametrize("query", ["", "?tab=mine&q=%3Cb%3E+%26+%22x%22&sort=-created", "?page=9"])
@pytest.mark.parametrize(
    ("paginator", "number"),
    [
        (Paginator(list(range(3)), 25), 1),  # one page: nothing at all
        (Paginator(list(range(60)), 25), 1),
        (Paginator(list(range(60)), 25), 2),
        (Paginator(list(range(60)), 25), 3),
        (CappedList(list(range(40)), 2), 1),
        (CappedList(list(range(40)), 2), 3),
    ],
)
def test_pagination_draws_what_the_template_drew(rf, paginator, number, query) -> None:
    from django.template import RequestContext, engines

    from portico.core.templatetags.portal import pagination

    request = rf.get(f"/requests/{query}")
    page = paginator.get_page(number)
    old = engines["django"].from_string(PAGINATION_TEMPLATE).render({"page": page}, request)
    new = engines["django"].from_string("{% pagination page %}").render({"page": page}, request)

    assert new == old
    assert pagination(RequestContext(request, {}), page) == old
    if paginator.count > paginator.per_page:
        assert 'aria-label="Pages"' in new


def test_a_capped_list_says_page_without_a_total(rf) -> None:
    from django.template import engines

    page = CappedList(list(range(40)), 2).get_page(2)
    html = (
        engines["django"]
        .from_string("{% pagination page %}")
        .render({"page": page}, rf.get("/orders/?status=open&page=2"))
    )
    assert "Page 2</span>" in html
    assert 'href="?status=open&amp;page=1" rel="prev"' in html
    assert 'href="?status=open&amp;page=3" rel="next"' in html
