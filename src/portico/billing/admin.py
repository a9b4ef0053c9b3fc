"""Back office for billing: draft, issue and void invoices; record offline payments.

Every change goes through ``billing.services`` so numbering, totals, allocation and credit
follow the same rules as in the portal.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from portico.backoffice.options import (
    ReadOnlyStaffAdmin,
    StaffModelAdmin,
    StaffTabularInline,
    is_provider_staff,
)

from . import services
from .models import (
    BillingAccount,
    Invoice,
    InvoiceLine,
    InvoiceNote,
    Payment,
    PaymentAllocation,
    SavedPaymentMethod,
    StripeEvent,
    UsageRecord,
)
from .money import format_money


def _is_draft(obj: Invoice | None) -> bool:
    return obj is None or obj.status == Invoice.Status.DRAFT


class InvoiceLineInline(StaffTabularInline):
    model = InvoiceLine
    extra = 1
    fields = [
        "position",
        "kind",
        "description",
        "reference",
        "quantity",
        "unit",
        "unit_price",
        "tax_rate",
        "net_amount",
    ]
    readonly_fields = ["net_amount"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and is_provider_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and is_provider_staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and is_provider_staff(request)


class CustomerNoteInline(StaffTabularInline):
    model = InvoiceNote
    extra = 0
    verbose_name = "customer note (written by the customer, for the customer's own team)"
    verbose_name_plural = "customer notes (written by the customer, for their own team)"
    fields = ["organisation", "author", "body", "created_at"]
    readonly_fields = ["organisation", "author", "body", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AllocationInline(CustomerNoteInline):
    model = PaymentAllocation  # type: ignore[assignment]
    verbose_name = "payment applied"
    verbose_name_plural = "payments applied"
    fields = ["payment", "amount", "created_at"]
    readonly_fields = ["payment", "amount", "created_at"]


class InvoiceAdminForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = [
            "organisation",
            "account",
            "currency",
            "buyer_reference",
            "period_start",
            "period_end",
            "supply_orders",
            "service_requests",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "account" in self.fields:
            self.fields["account"].required = False
            self.fields[
                "account"
            ].help_text = "Leave empty when the charges are the bill-to account's own."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, account = data.get("organisation"), data.get("account")
        if organisation and not account:
            data["account"] = organisation
            self.instance.account = organisation
        elif organisation and account and services.payer_of(account).pk != organisation.pk:
            self.add_error(
                "account", f"{account} is billed to {services.payer_of(account)}, not here."
            )
        return data


class VoidForm(forms.Form):
    reason = forms.CharField(
        max_length=300, help_text="Shown on the invoice and to the customer.", required=True
    )


@admin.register(Invoice)
class InvoiceAdmin(StaffModelAdmin):
    form = InvoiceAdminForm
    list_display = [
        "__str__",
        "organisation",
        "account",
        "status",
        "issued_on",
        "due_on",
        "total",
    ]
    list_filter = ["status", "currency"]
    search_fields = ["number", "organisation__name", "organisation__customer_number"]
    list_select_related = ["organisation", "account"]
    autocomplete_fields = ["organisation", "account"]
    date_hierarchy = "issued_on"
    inlines = [InvoiceLineInline, AllocationInline, CustomerNoteInline]
    actions = ["issue_selected", "void_selected"]
    filter_horizontal = ["supply_orders", "service_requests"]
    editable_after_issue: list[str] = []

    @admin.display(description="Total", ordering="gross_total")
    def total(self, obj: Invoice) -> str:
        return format_money(obj.gross_total, obj.currency)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [
            "organisation",
            "account",
            "currency",
            "buyer_reference",
            "period_start",
            "period_end",
            "supply_orders",
            "service_requests",
        ]
        if obj is not None and obj.pk:
            fields = ["number", "status", *fields, "issued_on", "due_on"]
            fields += ["net_total", "tax_total", "gross_total", "void_reason"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        figures = ["number", "status", "net_total", "tax_total", "gross_total", "void_reason"]
        if _is_draft(obj):
            return figures
        return [*self.get_fields(request, obj)]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        return super().get_queryset(request).select_related("organisation", "account")

    def save_model(self, request: HttpRequest, obj: Invoice, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        if not _is_draft(obj) and change:
            return  # an issued invoice is frozen
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.recalculate_totals(form.instance)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and is_provider_staff(request) and obj is not None

    # --- actions -------------------------------------------------------------------------

    @admin.action(description="Issue selected draft invoices")
    def issue_selected(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        issued = 0
        for invoice in queryset.order_by("id"):
            try:
                invoice = services.issue_invoice(invoice=invoice, actor=request.user)
            except services.BillingError as error:
                self.message_user(request, f"{invoice}: {error}", messages.ERROR)
            else:
                issued += 1
        if issued:
            self.message_user(request, f"{issued} invoice(s) issued.", messages.SUCCESS)

    @admin.action(description="Void selected invoices (asks for a reason)")
    def void_selected(
        self, request: HttpRequest, queryset: QuerySet[Invoice]
    ) -> HttpResponse | None:
        form = VoidForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            voided = 0
            for invoice in queryset.order_by("id"):
                try:
                    services.void_invoice(
                        invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                except services.BillingError as error:
                    self.message_user(request, f"{invoice}: {error}", messages.ERROR)
                else:
                    voided += 1
            if voided:
                self.message_user(request, f"{voided} invoice(s) voided.", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/billing/invoice/void_invoices.html",
            {
                **self.admin_site.each_context(request),
                "title": "Void invoices",
                "invoices": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    # --- drafts pre-filled from a supply order or a service request -------------------------

    def get_urls(self) -> list[Any]:
        return [
            path(
                "from-work/",
                self.admin_site.admin_view(self.draft_from_work),
                name="billing_invoice_from_work",
            ),
            *super().get_urls(),
        ]

    def draft_from_work(self, request: HttpRequest) -> HttpResponse:
        if not is_provider_staff(request):
            raise PermissionDenied
        number = (request.POST.get("number") or request.GET.get("number") or "").strip()
        if request.method == "POST" and number:
            try:
                invoice = self._draft_for(number, request)
            except services.BillingError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Draft created from {number}.", messages.SUCCESS)
                return redirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))
        return TemplateResponse(
            request,
            "admin/billing/invoice/from_work.html",
            {
                **self.admin_site.each_context(request),
                "title": "New invoice from a request or an order",
                "number": number,
                "opts": self.model._meta,
            },
        )

    def _draft_for(self, number: str, request: HttpRequest) -> Invoice:
        if number.upper().startswith("REQ-"):
            from portico.service.models import ServiceRequest

            service_request = get_object_or_404(ServiceRequest, number__iexact=number)
            return services.draft_invoice_from_service_request(
                request=service_request, actor=request.user
            )
        from portico.orders.models import SupplyOrder

        order = get_object_or_404(SupplyOrder, number__iexact=number)
        return services.draft_invoice_from_supply_order(order=order, actor=request.user)


SHOW_INVOICES_LABEL = "Show open invoices"
PAY_OLDEST_FIRST = "Leave empty to pay the oldest open invoices first; any rest becomes credit."
# What "Show open invoices" carries back to the add page, so nothing typed is lost.
OFFLINE_PAYMENT_FIELDS = [
    "organisation",
    "amount",
    "currency",
    "method",
    "provider_reference",
    "received_on",
]


class OpenInvoiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        total = format_money(obj.gross_total, obj.currency)
        return f"{obj} (due {obj.due_on:%d %b %Y}, {total})" if obj.due_on else f"{obj}, {total}"


class OfflinePaymentForm(forms.ModelForm):
    """Lists only the chosen organisation's open invoices, never every customer's."""

    invoices = OpenInvoiceChoiceField(
        queryset=Invoice.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(
        choices=[
            (m.value, m.label)
            for m in (
                Payment.Method.BANK_TRANSFER,
                Payment.Method.DIRECT_DEBIT,
                Payment.Method.CHEQUE,
                Payment.Method.CASH,
            )
        ]
    )

    class Meta:
        model = Payment
        fields = ["organisation", "amount", "currency", "method", "provider_reference"]
        fields += ["received_on"]
        labels = {"provider_reference": "Bank or cheque reference"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["invoices"]
        organisation_id = self._chosen_organisation_id()
        if organisation_id is None:
            field.help_text = (
                f"Choose the organisation, then “{SHOW_INVOICES_LABEL}” to pick its invoices. "
                + PAY_OLDEST_FIRST
            )
            return
        field.queryset = Invoice.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id, status=Invoice.Status.OUTSTANDING
        ).oldest_first()
        field.help_text = PAY_OLDEST_FIRST

    def _chosen_organisation_id(self) -> int | None:
        """The organisation posted, or passed in the add page's URL (``?organisation=<id>``)."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("organisation"))
        else:
            value = self.initial.get("organisation")
        value = str(getattr(value, "pk", value) or "")
        return int(value) if value.isdigit() else None


@admin.register(Payment)
class PaymentAdmin(StaffModelAdmin):
    list_display = [
        "reference",
        "organisation",
        "amount_display",
        "method",
        "provider",
        "status",
        "received_on",
    ]
    list_filter = ["status", "provider", "method"]
    search_fields = ["organisation__name", "provider_reference", "idempotency_key"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    date_hierarchy = "received_on"
    add_form_template = "admin/billing/payment/add_form.html"

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Payment) -> str:
        return format_money(obj.amount, obj.currency)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = OfflinePaymentForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [*OFFLINE_PAYMENT_FIELDS, "invoices"]
        return [
            "organisation",
            "amount",
            "currency",
            "method",
            "provider",
            "provider_reference",
            "status",
            "failure_message",
            "received_on",
            "created_by",
            "created_at",
            "completed_at",
            "allocations_display",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description="Applied to")
    def allocations_display(self, obj: Payment) -> str:
        parts = [
            f"{a.invoice} {format_money(a.amount, obj.currency)}"
            for a in obj.allocations.select_related("invoice")
        ]
        return ", ".join(parts) or "Unapplied: held as credit"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Payment, form: Any, change: bool) -> None:
        data = form.cleaned_data
        payment = services.record_offline_payment(
            organisation=data["organisation"],
            amount=data["amount"],
            currency=data["currency"],
            method=data["method"],
            reference=data.get("provider_reference") or "",
            received_on=data.get("received_on"),
            invoices=list(data.get("invoices") or []),
            actor=request.user,
        )
        obj.pk = payment.pk
        obj.status = payment.status

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service saved everything already."""

    def response_add(self, request: HttpRequest, obj: Payment, post_url_continue: Any = None):
        self.message_user(request, f"Payment {obj.reference} recorded.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:billing_payment_change", args=[obj.pk]))

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        if request.method == "POST" and "_show_invoices" in request.POST:
            return self._reload_with_organisation(request)
        extra_context = {**(extra_context or {}), "show_invoices_label": SHOW_INVOICES_LABEL}
        try:
            return super().add_view(request, form_url, extra_context)
        except services.BillingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _reload_with_organisation(self, request: HttpRequest) -> HttpResponse:
        """The add page again, for the chosen organisation: its open invoices become choices."""
        params = QueryDict(mutable=True)
        for name in OFFLINE_PAYMENT_FIELDS:
            if request.POST.get(name):
                params[name] = request.POST[name]
        return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")


@admin.register(BillingAccount)
class BillingAccountAdmin(StaffModelAdmin):
    list_display = ["organisation", "bill_day", "currency", "payment_terms_days"]
    autocomplete_fields = ["organisation"]
    search_fields = ["organisation__name"]


@admin.register(UsageRecord)
class UsageRecordAdmin(StaffModelAdmin):
    list_display = ["organisation", "period_start", "product", "usage_identifier", "quantity"]
    # No filter by product: its choices are a SELECT DISTINCT over the whole usage table.
    list_filter = ["period_start"]
    search_fields = ["organisation__name", "usage_identifier", "product"]
    autocomplete_fields = ["organisation"]


@admin.register(SavedPaymentMethod)
class SavedPaymentMethodAdmin(ReadOnlyStaffAdmin):
    list_display = ["organisation", "brand", "last4", "exp_month", "exp_year", "provider"]
    exclude = ["token"]
    list_select_related = ["organisation"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyStaffAdmin):
    list_display = ["event_id", "type", "payment", "received_at"]
    search_fields = ["event_id"]
