"""Back office for meters: catalogue meter types, readings (read-only), validation settings,
reading days and the monitoring systems allowed to send readings (M2–M4)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from portico.backoffice.options import (
    CappedCountPaginator,
    ReadOnlyStaffAdmin,
    StaffModelAdmin,
    is_provider_staff,
)

from .models import Meter, MeterReading, MeterType, MonitoringSystem, ReadingDay, ValidationSettings


@admin.register(MeterType)
class MeterTypeAdmin(StaffModelAdmin):
    list_display = ["name", "product_model", "expected_monthly_volume", "position"]
    list_filter = ["product_model__category", "name"]
    search_fields = ["name", "product_model__manufacturer", "product_model__name"]
    list_select_related = ["product_model"]
    ordering = ["product_model__manufacturer", "product_model__name", "position", "name"]


@admin.register(Meter)
class MeterAdmin(StaffModelAdmin):
    list_display = ["asset", "meter_type", "last_value", "last_read_at"]
    search_fields = ["=asset__serial_number"]
    list_select_related = ["asset", "asset__product_model", "meter_type"]
    raw_id_fields = ["asset", "meter_type"]
    readonly_fields = ["last_value", "last_read_at"]
    show_full_result_count = False


@admin.register(MeterReading)
class MeterReadingAdmin(ReadOnlyStaffAdmin):
    list_display = [
        "read_at",
        "serial_number",
        "meter_name",
        "value",
        "source",
        "check_result",
        "entered_by",
        "monitoring_system",
    ]
    list_filter = ["source", "check_result", "read_at", "monitoring_system"]
    search_fields = ["=meter__asset__serial_number"]
    search_help_text = "Exact serial number"
    list_select_related = ["meter__asset", "meter__meter_type", "entered_by", "monitoring_system"]
    ordering = ["-read_at", "-id"]
    paginator = CappedCountPaginator
    show_full_result_count = False

    @admin.display(description="Serial", ordering="meter__asset__serial_number")
    def serial_number(self, reading: MeterReading) -> str:
        return reading.meter.asset.serial_number

    @admin.display(description="Meter")
    def meter_name(self, reading: MeterReading) -> str:
        return reading.meter.meter_type.name


@admin.register(ValidationSettings)
class ValidationSettingsAdmin(StaffModelAdmin):
    """One row: the list opens it directly."""

    fields = ["caution_factor", "basis", "max_days_in_past", "max_days_in_future"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_provider_staff(request) and not ValidationSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if ValidationSettings.objects.filter(pk=1).exists():
            return HttpResponseRedirect(reverse("admin:meters_validationsettings_change", args=[1]))
        return HttpResponseRedirect(reverse("admin:meters_validationsettings_add"))


@admin.register(ReadingDay)
class ReadingDayAdmin(StaffModelAdmin):
    list_display = ["site", "organisation", "day_of_month"]
    list_editable = ["day_of_month"]
    search_fields = ["site__name", "site__organisation__name"]
    list_select_related = ["site__organisation"]
    autocomplete_fields = ["site"]

    @admin.display(description="Organisation", ordering="site__organisation__name")
    def organisation(self, reading_day: ReadingDay) -> str:
        return reading_day.site.organisation.name


@admin.register(MonitoringSystem)
class MonitoringSystemAdmin(StaffModelAdmin):
    """Creating a system issues its token and shows it once; only a hash is stored."""

    list_display = ["name", "token_prefix", "is_active", "last_used_at", "created_at"]
    fields = ["name", "is_active", "token_prefix", "last_used_at", "created_at"]
    readonly_fields = ["token_prefix", "last_used_at", "created_at"]
    actions = ["issue_new_tokens"]

    def save_model(
        self, request: HttpRequest, obj: MonitoringSystem, form: Any, change: bool
    ) -> None:
        if not change:
            request._new_token = obj.issue_token()  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: MonitoringSystem, post_url_continue: Any = None
    ) -> HttpResponse:
        token = getattr(request, "_new_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        return self._show_tokens(request, [(obj, token)])

    @admin.action(description="Issue a new token (the old one stops working)")
    def issue_new_tokens(
        self, request: HttpRequest, queryset: QuerySet[MonitoringSystem]
    ) -> HttpResponse:
        issued = []
        for system in queryset:
            token = system.issue_token()
            system.save(update_fields=["token_prefix", "token_hash"])
            issued.append((system, token))
        messages.success(request, f"Issued {len(issued)} new token(s).")
        return self._show_tokens(request, issued)

    def _show_tokens(
        self, request: HttpRequest, issued: list[tuple[MonitoringSystem, str]]
    ) -> HttpResponse:
        response = TemplateResponse(
            request,
            "meters/admin/token.html",
            {
                **self.admin_site.each_context(request),
                "title": "Copy the token now",
                "opts": self.model._meta,
                "issued": issued,
                "endpoint": request.build_absolute_uri(reverse("meters:api_readings")),
            },
        )
        response["Cache-Control"] = "no-store"
        return response
