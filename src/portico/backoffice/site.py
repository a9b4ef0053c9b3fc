"""The back office: Django's admin, branded, for provider staff only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from portico.core.models import Branding

from .options import is_provider_staff

V = TypeVar("V", bound=Callable[..., Any])


class BackofficeSite(admin.AdminSite):
    site_url = "/"
    index_title = "Back office"
    enable_nav_sidebar = True

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self.login_form = None

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        name = f"{Branding.current().product_name} back office"
        context.update(site_header=name, site_title=name)
        return context

    def has_permission(self, request: HttpRequest) -> bool:
        return is_provider_staff(request)

    def admin_view(self, view: V, cacheable: bool = False) -> V:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            # Customers must not learn the back office exists: 404, not a login form.
            if request.user.is_authenticated and not is_provider_staff(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One login page for everyone: the portal's (with lockout and two-factor)."""
        if request.user.is_authenticated and not is_provider_staff(request):
            raise Http404
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")

    def logout(self, request: HttpRequest, extra_context: Any = None) -> TemplateResponse:
        if not is_provider_staff(request):
            raise Http404
        return super().logout(request, extra_context)
