"""Row and navigation URLs equal what reverse() gives, with one reverse per page."""

from unittest import mock

from django.urls import reverse

from portico.core import links
from portico.core.links import fixed_url, row_urls


def test_row_urls_equal_reverse_for_each_key() -> None:
    keys = ["REQ-000001", "REQ-123456", "odd key é?#", "a.b_c~d"]
    assert row_urls("service:detail", keys) == [
        reverse("service:detail", args=[key]) for key in keys
    ]


def test_row_urls_reverse_the_pattern_once_for_plain_keys() -> None:
    links._pattern.cache_clear()
    with mock.patch.object(links, "reverse", wraps=reverse) as spy:
        urls = row_urls("service:detail", [f"REQ-{n:06d}" for n in range(25)])
        again = row_urls("service:detail", ["REQ-000099", "REQ-000100"])
    assert urls[3] == "/requests/REQ-000003/"
    assert again == ["/requests/REQ-000099/", "/requests/REQ-000100/"]
    assert spy.call_count == 2  # the pattern and a probe, once for every page


def test_row_urls_fall_back_for_a_converter_that_rewrites_keys(settings) -> None:
    settings.ROOT_URLCONF = "tests.core.urls_rewriting"
    keys = ["REQ-000001", "Mixed-Case"]
    urls = row_urls("shout", keys)
    assert urls == [reverse("shout", args=[key]) for key in keys]
    assert urls == ["/shout/REQ-000001/", "/shout/MIXED-CASE/"]
    keys = ["req-000001", "Mixed-Case"]
    assert row_urls("hush", keys) == ["/hush/req-000001/", "/hush/mixed-case/"]


def test_row_and_fixed_urls_follow_the_script_prefix(rf) -> None:
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    row_urls("service:detail", ["REQ-000001"])  # kept for the prefix "/"
    fixed_url("service:list")
    try:
        set_script_prefix("/portal/")
        assert row_urls("service:detail", ["REQ-000001"]) == ["/portal/requests/REQ-000001/"]
        assert fixed_url("service:list") == "/portal/requests/"
        assert fixed_url("service:list", rf.get("/")) == "/portal/requests/"
    finally:
        set_script_prefix(before)
    assert row_urls("service:detail", ["REQ-000001"]) == ["/requests/REQ-000001/"]


def test_row_urls_fall_back_for_a_converter_that_rejects_the_slot() -> None:
    # An <int:…> pattern cannot take the placeholder: each key is reversed.
    assert row_urls("assets:detail", [5, 7]) == [
        reverse("assets:detail", args=[5]),
        reverse("assets:detail", args=[7]),
    ]


def test_row_urls_of_nothing() -> None:
    assert row_urls("service:detail", []) == []


def test_fixed_url_is_reverse_or_none() -> None:
    assert fixed_url("service:list") == reverse("service:list")
    assert fixed_url("no-such:page") is None


def test_fixed_url_follows_the_active_urlconf(settings) -> None:
    assert fixed_url("service:list") == "/requests/"
    settings.ROOT_URLCONF = "tests.core.urls_minimal"
    assert fixed_url("service:list") is None
    assert fixed_url("only") == "/only/"


def test_fixed_url_reads_the_url_configuration_once_per_request(rf) -> None:
    request = rf.get("/")
    assert fixed_url("service:list", request) == "/requests/"
    with mock.patch.object(links, "get_urlconf", wraps=links.get_urlconf) as spy:
        for _ in range(5):
            assert fixed_url("service:list", request) == "/requests/"
    assert spy.call_count == 0  # kept on the request since its first URL


def test_fixed_url_follows_the_urlconf_a_request_activates(rf) -> None:
    from django.urls import set_urlconf

    try:
        set_urlconf("tests.core.urls_minimal")  # as Django's handler does for request.urlconf
        request = rf.get("/")
        assert fixed_url("service:list", request) is None
        assert fixed_url("only", request) == "/only/"
    finally:
        set_urlconf(None)
    assert fixed_url("service:list", rf.get("/")) == "/requests/"


def test_navigation_follows_the_active_urlconf(rf) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.urls import set_urlconf

    from portico.core.context_processors import navigation

    request = rf.get("/")
    request.user = AnonymousUser()
    assert [item["url"] for item in navigation(request, {})] == ["/"]
    try:
        set_urlconf("tests.core.urls_minimal")
        request = rf.get("/")
        request.user = AnonymousUser()
        assert navigation(request, {}) == []
    finally:
        set_urlconf(None)
