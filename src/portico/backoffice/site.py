"""The back office: Django's admin, branded, for provider staff only."""

from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest
from django.urls import reverse_lazy

from portico.core.models import Branding


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
        return bool(request.user.is_active and request.user.is_staff)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args, **kwargs):
            # Customers must not learn the back office exists: 404, not a login form.
            if request.user.is_authenticated and not request.user.is_staff:
                raise Http404
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not request.user.is_staff:
            raise Http404
        from django.contrib.auth import REDIRECT_FIELD_NAME
        from django.shortcuts import redirect

        target = request.GET.get(REDIRECT_FIELD_NAME, reverse_lazy("admin:index"))
        return redirect(f"{reverse_lazy('account_login')}?next={target}")
