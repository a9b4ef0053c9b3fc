"""The Content-Security-Policy header: django-csp's middleware, with the usual header kept.

django-csp builds the policy from the settings for every response, copying the directives
first; on the request list that was 3 % of the instructions. Almost every response gets
the same policy: no view of the portal changes it (``@csp``, ``@csp_update``,
``@csp_replace``, ``@csp_exempt``) and its directives draw no nonce. Such a response gets
the headers built once per process for the settings in force; every other response, and
any configuration with excluded URL prefixes, goes through django-csp as it is.
"""

from __future__ import annotations

from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# What django-csp's view decorators set on a response.
PER_RESPONSE = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
DEBUG_PAGES = (404, 500)  # django-csp leaves Django's debug pages alone


class Kept:
    """The headers for one pair of settings objects (tests override the settings)."""

    def __init__(self, policy: Any, report_only: Any) -> None:
        self.policy = policy
        self.report_only = report_only
        self.excludes = any(
            (config or {}).get("EXCLUDE_URL_PREFIXES") for config in (policy, report_only)
        )
        self.header = build_policy()
        self.header_report_only = build_policy(report_only=True)


class CSPMiddleware(DjangoCSPMiddleware):
    kept: Kept | None = None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in PER_RESPONSE)
            or HEADER in response
            or HEADER_REPORT_ONLY in response
            or (settings.DEBUG and response.status_code in DEBUG_PAGES)
        ):
            return super().process_response(request, response)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        kept = self.kept
        if kept is None or kept.policy is not policy or kept.report_only is not report_only:
            kept = self.kept = Kept(policy, report_only)
        if kept.excludes:
            return super().process_response(request, response)
        if kept.header:
            response[HEADER] = kept.header
        if kept.header_report_only:
            response[HEADER_REPORT_ONLY] = kept.header_report_only
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
