"""Who may do what in the back office.

Provider staff (``is_staff``) run the whole back office; Django's per-model permissions are
not used, so a new colleague only needs the staff flag. Every admin class registered on the
back office builds on these bases, so the rule is written once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portico.core.paginators import CappedCountPaginator as BaseCappedCountPaginator


def is_provider_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff)


class StaffPermissions:
    """Full access for provider staff, nothing for anyone else; subclasses may narrow it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_provider_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_provider_staff(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_provider_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_provider_staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_provider_staff(request)


class StaffModelAdmin(StaffPermissions, admin.ModelAdmin):
    pass


class StaffTabularInline(StaffPermissions, admin.TabularInline):
    pass


class StaffStackedInline(StaffPermissions, admin.StackedInline):
    pass


class ReadOnlyStaffAdmin(StaffModelAdmin):
    """A record of what happened (login attempts, invitations): staff read it, nobody edits it."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CappedCountPaginator(BaseCappedCountPaginator):
    """A changelist over millions of rows counts at most ``count_limit`` rows past its page;
    with ``show_full_result_count = False`` that is the only count it runs."""

    count_limit = 10_000
