"""Back office: supply orders (status changed only through the service, with history) and
item requests from customers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from portico.backoffice.options import StaffModelAdmin, StaffTabularInline

from . import services
from .models import ItemRequest, OrderLine, OrderStatusChange, SupplyOrder


class OrderLineInline(StaffTabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["supply", "asset", "quantity", "unit_price"]
    readonly_fields = ["supply", "asset", "quantity", "unit_price"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderStatusChangeInline(StaffTabularInline):
    model = OrderStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    verbose_name = "status change"
    verbose_name_plural = "status history"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _status_action(to_status: str, verb: str) -> Any:
    @admin.action(description=f"{verb} selected orders")
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        changed, refused = 0, []
        for order in queryset:
            try:
                services.change_order_status(
                    order=order, to_status=to_status, actor=request.user, note=""
                )
                changed += 1
            except services.InvalidTransition as error:
                refused.append(str(error))
        if changed:
            modeladmin.message_user(
                request, f"{verb}: {changed} order{'s' if changed != 1 else ''}.", messages.SUCCESS
            )
        for message in refused:
            modeladmin.message_user(request, message, messages.WARNING)

    action.__name__ = f"mark_{to_status}"
    return action


class SupplyOrderForm(forms.ModelForm):
    """The order's change form offers the statuses it may move to, and a note for the history."""

    new_status = forms.ChoiceField(label="Change status to", required=False)
    status_note = forms.CharField(
        label="Note for the history", required=False, max_length=300, help_text="Optional."
    )

    class Meta:
        model = SupplyOrder
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = SupplyOrder.TRANSITIONS.get(self.instance.status, set())
        field = self.fields["new_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "— keep the current status —")] + [
            (value, label) for value, label in SupplyOrder.Status.choices if value in allowed
        ]


@admin.register(SupplyOrder)
class SupplyOrderAdmin(StaffModelAdmin):
    form = SupplyOrderForm
    list_display = ["number", "organisation", "site", "status", "total", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["number", "organisation__name", "site__name", "lines__asset__serial_number"]
    list_select_related = ["organisation", "site"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, OrderStatusChangeInline]
    fields = [
        "number",
        "status",
        "organisation",
        "site",
        "created_by",
        "created_at",
        "total",
        "currency",
        "notes",
        "invoicing",
        "new_status",
        "status_note",
    ]
    readonly_fields = [
        "number",
        "status",
        "organisation",
        "site",
        "created_by",
        "created_at",
        "total",
        "currency",
        "notes",
        "invoicing",
    ]
    actions = [
        _status_action(SupplyOrder.Status.CONFIRMED, "Confirm"),
        _status_action(SupplyOrder.Status.DISPATCHED, "Dispatch"),
        _status_action(SupplyOrder.Status.DELIVERED, "Mark delivered"),
        _status_action(SupplyOrder.Status.CANCELLED, "Cancel"),
    ]

    @admin.display(description="Invoice")
    def invoicing(self, obj: SupplyOrder) -> str:
        """A delivered order is billed from a draft pre-filled with its lines."""
        if obj.pk is None or obj.status != SupplyOrder.Status.DELIVERED:
            return "Invoiced once delivered."
        url = reverse("admin:billing_invoice_from_work")
        return format_html(
            '<a href="{}?{}">Invoice this order</a>', url, urlencode({"number": obj.number})
        )

    def save_model(self, request: HttpRequest, obj: SupplyOrder, form: Any, change: bool) -> None:
        new_status = form.cleaned_data.get("new_status")
        if new_status:
            try:
                services.change_order_status(
                    order=obj,
                    to_status=new_status,
                    actor=request.user,
                    note=form.cleaned_data.get("status_note", ""),
                )
            except services.InvalidTransition as error:
                self.message_user(request, str(error), messages.ERROR)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Orders are placed by customers in the portal (numbered, with lines and history).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An order is cancelled (with history), never deleted.
        return False


@admin.action(description="Mark selected item requests as handled")
def mark_handled(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    handled = sum(
        services.mark_item_request_handled(item_request=item, actor=request.user)
        for item in queryset
    )
    modeladmin.message_user(request, f"Marked {handled} as handled.", messages.SUCCESS)


class HandledFilter(admin.SimpleListFilter):
    title = "handled"
    parameter_name = "handled"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Waiting"), ("yes", "Handled")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.filter(handled_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(handled_at__isnull=False)
        return queryset


@admin.register(ItemRequest)
class ItemRequestAdmin(StaffModelAdmin):
    list_display = ["created_at", "organisation", "asset", "requested_by", "message", "handled_at"]
    list_filter = [HandledFilter]
    search_fields = ["message", "asset__serial_number", "organisation__name"]
    list_select_related = ["organisation", "asset__product_model", "requested_by"]
    readonly_fields = [
        "organisation",
        "asset",
        "requested_by",
        "message",
        "created_at",
        "handled_at",
        "handled_by",
    ]
    actions = [mark_handled]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False
