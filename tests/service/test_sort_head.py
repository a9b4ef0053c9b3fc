"""The request list's sortable head: the links and markup the template and QueryDict made."""

import re

import pytest
from django.http import QueryDict
from django.template import Context, engines

from portico.service.forms import SORTS
from portico.service.rows import sort_head_html
from portico.service.views import SORT_COLUMNS, _sort_links

# The head as the template wrote it before it was built in Python.
HEAD_TEMPLATE = """<tr>
  <th scope="col" aria-sort="{{ sort_links.number.aria }}"><a class="sort-link" href="{{ sort_links.number.url }}">Number</a></th>
  <th scope="col" aria-sort="{{ sort_links.title.aria }}"><a class="sort-link" href="{{ sort_links.title.url }}">Title</a></th>
  <th scope="col" aria-sort="{{ sort_links.site.aria }}"><a class="sort-link" href="{{ sort_links.site.url }}">Site and machine</a></th>
  <th scope="col" aria-sort="{{ sort_links.priority.aria }}"><a class="sort-link" href="{{ sort_links.priority.url }}">Priority</a></th>
  <th scope="col" aria-sort="{{ sort_links.status.aria }}"><a class="sort-link" href="{{ sort_links.status.url }}">Status</a></th>
  <th scope="col" aria-sort="{{ sort_links.created.aria }}"><a class="sort-link" href="{{ sort_links.created.url }}">Created</a></th>
</tr>"""  # noqa: E501


def links_as_before(query: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """The sort links as they were built: a copy of the query per column, encoded each time."""
    links = {}
    params = query.copy()
    params.pop("page", None)
    for key in SORTS:
        if current == key:
            target, state = f"-{key}", "ascending"
        elif current == f"-{key}":
            target, state = key, "descending"
        else:
            target, state = (f"-{key}" if key in ("created", "updated") else key), "none"
        params["sort"] = target
        links[key] = {"url": "?" + params.urlencode(), "aria": state}
    return links


class Request:
    def __init__(self, query: str) -> None:
        self.GET = QueryDict(query)


QUERIES = [
    ("", "-created"),
    ("tab=mine", "-created"),
    ("sort=title", "title"),
    ("sort=-title&tab=company&page=3", "-title"),
    ("page=2&sort=status&q=jam", "status"),
    ("q=a%26sort%3Dx&xsort=sortslot0&tab=mine", "-created"),
    ("q=caf%C3%A9+%3Cb%3E&sort=site&sort=number&status=new&status=open", "site"),
    ("sort=priority&page=9", "-priority"),
    ("sort=sortslot0&q=sort%3Dsortslot0", "-created"),
]


@pytest.mark.parametrize(("query", "current"), QUERIES)
def test_sort_links_are_what_they_were(query: str, current: str) -> None:
    request = Request(query)
    assert _sort_links(request, current) == links_as_before(request.GET, current)  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "current"), QUERIES)
def test_the_head_is_what_the_template_wrote(query: str, current: str) -> None:
    links = links_as_before(QueryDict(query), current)
    expected = (
        engines["django"].from_string(HEAD_TEMPLATE).template.render(Context({"sort_links": links}))
    )
    html = sort_head_html(SORT_COLUMNS, links)
    assert re.sub(r">\s+<", "><", expected) == html
    assert html.count('aria-sort="none"') == 6 - (current.lstrip("-") in dict(SORT_COLUMNS))
