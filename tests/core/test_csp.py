"""The kept Content-Security-Policy header is the one django-csp writes, and every response
that django-csp would treat differently still goes through django-csp."""

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from portico.core.csp import CSPMiddleware

HEADER = "Content-Security-Policy"
REPORT_ONLY = "Content-Security-Policy-Report-Only"


def through(middleware_class, view=lambda request: HttpResponse("ok"), path="/requests/"):
    middleware = middleware_class(view)
    request = RequestFactory().get(path)
    return request, middleware(request)


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


@pytest.mark.django_db
def test_the_portal_sends_the_header_django_csp_writes(client) -> None:
    ours = client.get("/accounts/login/")
    _, theirs = through(DjangoCSPMiddleware)

    assert directives(ours[HEADER]) == directives(theirs[HEADER])
    assert "script-src 'self'" in ours[HEADER] and "frame-ancestors 'none'" in ours[HEADER]
    assert REPORT_ONLY not in ours


def test_the_header_is_built_once_per_settings_and_anew_when_they_change(settings) -> None:
    middleware = CSPMiddleware(lambda request: HttpResponse("ok"))
    first = middleware(RequestFactory().get("/"))
    kept = middleware.kept
    middleware(RequestFactory().get("/other/"))
    assert middleware.kept is kept

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF, "cdn.example"]}}
    changed = middleware(RequestFactory().get("/"))
    assert middleware.kept is not kept
    assert changed[HEADER] == "default-src 'self' cdn.example"
    assert first[HEADER] != changed[HEADER]


def test_a_view_that_changes_its_policy_gets_django_csp_s_answer() -> None:
    @csp_update({"img-src": "images.example"})
    def view(request):
        return HttpResponse("ok")

    _, ours = through(CSPMiddleware, view)
    _, theirs = through(DjangoCSPMiddleware, view)
    assert "images.example" in ours[HEADER]
    assert directives(ours[HEADER]) == directives(theirs[HEADER])


def test_an_exempt_view_gets_no_header() -> None:
    _, response = through(CSPMiddleware, csp_exempt()(lambda request: HttpResponse("ok")))
    assert HEADER not in response


def test_a_drawn_nonce_is_written_into_the_header(settings) -> None:
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(str(request.csp_nonce))

    request, response = through(CSPMiddleware, view)
    assert f"'nonce-{response.content.decode()}'" in response[HEADER]
    # Unused, the nonce is left out, and asking for it afterwards is an error, as in django-csp.
    request, response = through(CSPMiddleware)
    assert "nonce" not in response[HEADER]
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)


def test_report_only_and_excluded_prefixes_follow_django_csp(settings) -> None:
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]}}
    _, response = through(CSPMiddleware)
    assert response[REPORT_ONLY] == "default-src 'self'"
    assert HEADER in response

    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/hooks/"],
        "DIRECTIVES": {"default-src": [SELF]},
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None
    _, excluded = through(CSPMiddleware, path="/hooks/pay/")
    _, included = through(CSPMiddleware, path="/requests/")
    assert HEADER not in excluded
    assert included[HEADER] == "default-src 'self'"


def test_a_response_with_its_own_header_keeps_it() -> None:
    def view(request):
        response = HttpResponse("ok")
        response[HEADER] = "default-src 'none'"
        return response

    _, response = through(CSPMiddleware, view)
    assert response[HEADER] == "default-src 'none'"
