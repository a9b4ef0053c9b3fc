"""Service configuration in the back office: categories with their extra fields, service
levels, the reopen window, and a basic view of requests (agents work in the workspace)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portico.backoffice.options import CappedCountPaginator, StaffModelAdmin, StaffTabularInline

from .models import (
    Category,
    ExtraField,
    Recommendation,
    ServiceLevel,
    ServiceRequest,
    ServiceSettings,
    WorkLine,
)


class ExtraFieldInline(StaffTabularInline):
    model = ExtraField
    extra = 0
    fields = ["position", "key", "label", "kind", "choices", "help_text", "is_required"]
    prepopulated_fields = {"key": ["label"]}


@admin.register(Category)
class CategoryAdmin(StaffModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    inlines = [ExtraFieldInline]


@admin.register(ExtraField)
class ExtraFieldAdmin(StaffModelAdmin):
    """Fields for every category (no category) are edited here; per category, inline."""

    list_display = ["label", "key", "kind", "category", "is_required", "position"]
    list_filter = ["kind", "is_required", "category"]
    prepopulated_fields = {"key": ["label"]}


@admin.register(ServiceLevel)
class ServiceLevelAdmin(StaffModelAdmin):
    list_display = ["priority", "response_hours", "resolution_hours"]


@admin.register(ServiceSettings)
class ServiceSettingsAdmin(StaffModelAdmin):
    list_display = ["__str__", "reopen_days"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not ServiceSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecommendationInline(StaffTabularInline):
    model = Recommendation
    extra = 0
    fields = ["description", "amount", "currency", "decision", "decided_by", "decided_at"]
    readonly_fields = ["decision", "decided_by", "decided_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # through the workspace, so the timeline and mails follow


class WorkLineInline(StaffTabularInline):
    model = WorkLine
    extra = 0
    fields = ["kind", "description", "quantity", "hours", "unit_price", "currency"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(StaffModelAdmin):
    """A read-mostly view; state changes go through the agents' workspace (and its timeline)."""

    list_display = ["number", "title", "organisation", "site", "state", "priority", "created_at"]
    list_filter = ["state", "priority", "category"]
    search_fields = ["number", "title", "organisation__name", "asset__serial_number"]
    list_select_related = ["organisation", "site"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    readonly_fields = [
        "number",
        "state",
        "thread",
        "created_by",
        "acknowledged_at",
        "resolved_at",
        "closed_at",
        "response_due_at",
        "resolution_due_at",
        "submission_key",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["organisation", "site", "asset", "on_behalf_of", "watchers"]
    filter_horizontal = ["assigned_to"]
    inlines = [RecommendationInline, WorkLineInline]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # requests are raised in the portal or the workspace, with a thread
