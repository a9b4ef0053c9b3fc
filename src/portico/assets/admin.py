"""Back office: the catalogue (models with specifications and meter types, supplies,
attributes) and customers' equipment, with confirmation of customer-registered machines."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from portico.backoffice.options import StaffModelAdmin, StaffTabularInline
from portico.meters.models import MeterType

from . import services
from .models import Asset, Attribute, ProductModel, Specification, Supply


class SpecificationInline(StaffTabularInline):
    model = Specification
    extra = 1
    autocomplete_fields = ["attribute"]


class MeterTypeInline(StaffTabularInline):
    model = MeterType
    extra = 0
    fields = ["name", "expected_monthly_volume", "position"]


@admin.register(ProductModel)
class ProductModelAdmin(StaffModelAdmin):
    list_display = ["manufacturer", "name", "category", "warranty_months", "is_active"]
    list_filter = ["category", "manufacturer", "is_active"]
    search_fields = ["manufacturer", "name"]
    inlines = [SpecificationInline, MeterTypeInline]


@admin.register(Attribute)
class AttributeAdmin(StaffModelAdmin):
    list_display = ["name", "unit", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(Supply)
class SupplyAdmin(StaffModelAdmin):
    list_display = [
        "item_code",
        "description",
        "kind",
        "yield_quantity",
        "yield_unit",
        "meter_name",
        "price",
        "currency",
        "is_active",
    ]
    list_filter = ["is_active", "kind", "fits__manufacturer"]
    search_fields = ["item_code", "description", "kind"]
    filter_horizontal = ["fits"]


@admin.action(description="Confirm selected customer-registered equipment")
def confirm_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    confirmed = sum(
        services.confirm_asset(asset=asset, actor=request.user)
        for asset in queryset.filter(is_customer_registered=True)
    )
    modeladmin.message_user(
        request, f"Confirmed {confirmed} machine{'s' if confirmed != 1 else ''}.", messages.SUCCESS
    )


@admin.register(Asset)
class AssetAdmin(StaffModelAdmin):
    list_display = [
        "serial_number",
        "product_model",
        "organisation",
        "site",
        "location",
        "warranty_ends_on",
        "replenishment",
        "is_remote_monitored",
        "is_customer_registered",
    ]
    list_filter = [
        "is_customer_registered",
        "status",
        "replenishment",
        "is_remote_monitored",
        "product_model__category",
    ]
    search_fields = ["serial_number", "asset_tag", "location", "organisation__name", "site__name"]
    list_select_related = ["product_model", "organisation", "site"]
    autocomplete_fields = ["organisation", "site", "product_model"]
    readonly_fields = ["is_customer_registered", "registered_by", "confirmed_at", "created_at"]
    actions = [confirm_selected]

    def save_model(self, request: HttpRequest, obj: Asset, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.add_missing_meters(obj)

    fieldsets = [
        (None, {"fields": ["organisation", "site", "location", "product_model", "status"]}),
        ("Identity", {"fields": ["serial_number", "asset_tag"]}),
        (
            "Dates and warranty",
            {"fields": ["install_date", "manufactured_on", "purchased_on", "warranty_ends_on"]},
        ),
        ("Supplies and meters", {"fields": ["replenishment", "is_remote_monitored"]}),
        (
            "Registration",
            {"fields": ["is_customer_registered", "registered_by", "confirmed_at", "created_at"]},
        ),
    ]
