"""Billing pages (B1–B7): thin views that parse, call a service or a query, and render."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portico.core.access import PortalRequest, access_object, portal_view
from portico.core.exports import stream_csv, xlsx_response
from portico.core.live import render_list
from portico.core.paginators import CappedCountPaginator
from portico.core.rights import Function, Right

from . import conf, services
from .documents import build_ubl, render_invoice_pdf
from .forms import CardForm, InvoiceFilterForm, NoteForm, PaymentForm, UsagePeriodForm
from .models import Invoice, Payment, SavedPaymentMethod, UsageRecord, first_of_month
from .money import format_money
from .providers import get_provider
from .summary import AccountSummary, account_summary, takes_payments

PAGE_SIZE = 25
EXPORT_HEADER = ["Number", "Account", "Issued", "Due", "Status", "Currency", "Net", "VAT", "Total"]
EXPORT_HEADER += ["Paid", "Balance"]


# --- Overview (B1, B6) ------------------------------------------------------------------------


@require_GET
@portal_view(Function.INVOICES, Right.VIEW)
def overview(request: PortalRequest) -> HttpResponse:
    organisation = request.portal_scope.organisation
    assert organisation is not None  # portal_view guarantees an active organisation
    summary = account_summary(organisation)
    payments = (
        Payment.objects.visible_to(request.portal_scope)
        .filter(organisation=organisation)
        .exclude(status=Payment.Status.PENDING)
        .order_by("-created_at", "-id")[:5]
        if request.portal_scope.can(Function.PAYMENTS, Right.VIEW)
        else []
    )
    return render(
        request,
        "billing/overview.html",
        {
            "summary": summary,
            "payments": payments,
            "can_pay": summary.payments_enabled
            and request.portal_scope.can(Function.PAYMENTS, Right.CREATE),
        },
    )


# --- Invoices (B2) ----------------------------------------------------------------------------


def _filtered_invoices(request: PortalRequest) -> tuple[InvoiceFilterForm, Any]:
    form = InvoiceFilterForm(request.GET or None)
    invoices = (
        Invoice.objects.visible_to(request.portal_scope)
        .select_related("organisation", "account")
        .with_balance()
    )
    return form, form.filter(invoices)


@require_GET
@portal_view(Function.INVOICES, Right.VIEW)
def invoice_list(request: PortalRequest) -> HttpResponse:
    form, invoices = _filtered_invoices(request)
    page = CappedCountPaginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    organisation = request.portal_scope.organisation
    assert organisation is not None
    sort = form.current_sort
    columns = [
        ("number", "Invoice"),
        ("issued", "Issued"),
        ("due", "Due"),
        ("total", "Total"),
        ("balance", "Balance"),
    ]
    headers = [
        {
            "key": key,
            "label": label,
            "next": key if sort == f"-{key}" else f"-{key}" if sort == key else key,
            "aria": "ascending" if sort == key else "descending" if sort == f"-{key}" else "none",
        }
        for key, label in columns
    ]
    summary = account_summary(organisation)
    return render_list(
        request,
        "billing/invoice_list.html",
        "billing/_invoice_rows.html",
        {
            "form": form,
            "page": page,
            "headers": headers,
            "summary": summary,
            "show_account": bool(summary.billed_accounts)
            or len(request.portal_scope.organisation_ids) > 1,
            "can_pay": summary.payments_enabled
            and request.portal_scope.can(Function.PAYMENTS, Right.CREATE),
            "filtered": any(
                request.GET.get(k) for k in ("status", "issued_from", "issued_to", "q")
            ),
        },
    )


def _export_rows(invoices: Any) -> Iterator[list[Any]]:
    for invoice in invoices.iterator(chunk_size=500):
        yield [
            invoice.number,
            invoice.account.name,
            invoice.issued_on.isoformat() if invoice.issued_on else "",
            invoice.due_on.isoformat() if invoice.due_on else "",
            invoice.display_status,
            invoice.currency,
            f"{invoice.net_total:.2f}",
            f"{invoice.tax_total:.2f}",
            f"{invoice.gross_total:.2f}",
            f"{invoice.amount_paid:.2f}",
            f"{invoice.balance:.2f}",
        ]


@require_GET
@portal_view(Function.INVOICES, Right.VIEW)
def invoice_export_csv(request: PortalRequest) -> StreamingHttpResponse:
    _, invoices = _filtered_invoices(request)
    filename = f"invoices-{timezone.localdate():%Y-%m-%d}.csv"
    return stream_csv(filename, EXPORT_HEADER, _export_rows(invoices))


@require_GET
@portal_view(Function.INVOICES, Right.VIEW)
def invoice_export_xlsx(request: PortalRequest) -> FileResponse:
    _, invoices = _filtered_invoices(request)
    # Amounts leave as numbers so the spreadsheet can add them up.
    rows = ([*row[:6], *(Decimal(value) for value in row[6:])] for row in _export_rows(invoices))
    filename = f"invoices-{timezone.localdate():%Y-%m-%d}.xlsx"
    return xlsx_response(filename, EXPORT_HEADER, rows, sheet="Invoices")


def _invoice(request: PortalRequest, invoice_number: str) -> Invoice:
    """The invoice if the scope may see it (another customer's number is a 404)."""
    invoices = Invoice.objects.visible_to(request.portal_scope).select_related(
        "organisation", "account"
    )
    try:
        return invoices.with_balance().get(number=invoice_number)
    except Invoice.DoesNotExist as error:
        raise Http404("Not found.") from error


@require_GET
@portal_view(Function.INVOICES, Right.VIEW)
def invoice_detail(request: PortalRequest, invoice_number: str) -> HttpResponse:
    invoice = _invoice(request, invoice_number)
    lines = list(invoice.lines.all())
    notes = invoice.notes.filter(organisation=request.portal_scope.organisation).select_related(
        "author"
    )
    allocations = (
        invoice.allocations.filter(payment__status=Payment.Status.SUCCEEDED)
        .select_related("payment")
        .order_by("created_at")
    )
    tab = request.GET.get("tab", "lines")
    if tab not in ("lines", "parts", "notes", "payments"):
        tab = "lines"
    parts = [line for line in lines if line.kind == line.Kind.PART]
    labour = [line for line in lines if line.kind == line.Kind.LABOUR]
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": lines,
            "parts": parts,
            "labour": labour,
            "parts_total": sum((line.net_amount for line in parts), Decimal(0)),
            "labour_total": sum((line.net_amount for line in labour), Decimal(0)),
            "notes": notes,
            "note_form": NoteForm(),
            "allocations": allocations,
            "tab": tab,
            "can_note": request.portal_scope.can(Function.INVOICES, Right.CREATE),
            "can_pay": invoice.status == Invoice.Status.OUTSTANDING
            and invoice.organisation_id == request.portal_scope.organisation.pk  # type: ignore[union-attr]
            and takes_payments(request.portal_scope.organisation)  # type: ignore[arg-type]
            and request.portal_scope.can(Function.PAYMENTS, Right.CREATE),
        },
    )


@require_GET
@portal_view(Function.INVOICES, Right.VIEW)
def invoice_pdf(request: PortalRequest, invoice_number: str) -> HttpResponse:
    invoice = _invoice(request, invoice_number)
    response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.pdf_filename()}"'
    return response


@require_GET
@portal_view(Function.INVOICES, Right.VIEW)
def invoice_ubl(request: PortalRequest, invoice_number: str) -> HttpResponse:
    invoice = _invoice(request, invoice_number)
    response = HttpResponse(build_ubl(invoice), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invoice.ubl_filename()}"'
    return response


@require_POST
@portal_view(Function.INVOICES, Right.CREATE)
def invoice_add_note(request: PortalRequest, invoice_number: str) -> HttpResponse:
    invoice = _invoice(request, invoice_number)
    form = NoteForm(request.POST)
    url = reverse("billing:invoice", args=[invoice.number]) + "?tab=notes"
    if form.is_valid():
        try:
            services.add_note(
                scope=request.portal_scope,
                actor=request.user,
                invoice=invoice,
                body=form.cleaned_data["body"],
            )
        except services.BillingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Note added. Only your organisation can see it.")
    else:
        messages.error(request, "Write the note (up to 2,000 characters) before saving it.")
    return redirect(url)


# --- Make payment (B4) ------------------------------------------------------------------------


def _payment_form(request: PortalRequest, summary: AccountSummary, data: Any = None) -> PaymentForm:
    payable = services.payable_invoices(request.portal_scope)
    saved = list(
        SavedPaymentMethod.objects.visible_to(request.portal_scope).filter(
            organisation=request.portal_scope.organisation, provider=conf.payment_provider_name()
        )
    )
    organisation = request.portal_scope.organisation
    assert organisation is not None
    settings = services.billing_settings(organisation)
    initial: dict[str, Any] = {
        "currency": settings.currency,
        "idempotency_key": PaymentForm.new_key(),
    }
    if data is None:
        chosen = [n for n in request.GET.getlist("invoice") if n]
        if chosen:
            picked = [i for i in payable if i.number in chosen]
            initial["invoices"] = [i.number for i in picked]
            initial["amount"] = sum((i.balance for i in picked), Decimal("0.00"))
        else:
            initial["amount"] = max(summary.balance, Decimal("0.00")) or None
    return PaymentForm(
        data,
        initial=initial,
        payable=payable,
        saved_methods=saved,
        collects_card_details=get_provider().collects_card_details,
    )


@require_http_methods(["GET", "POST"])
@portal_view(Function.PAYMENTS, Right.CREATE)
def make_payment(request: PortalRequest) -> HttpResponse:
    organisation = request.portal_scope.organisation
    assert organisation is not None
    summary = account_summary(organisation)
    if not summary.payments_enabled:
        messages.warning(
            request,
            f"Payments for this account are made by {summary.billed_to}."
            if summary.billed_to
            else "Payments are not taken in the portal.",
        )
        return redirect("billing:overview")
    form = _payment_form(request, summary, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.make_payment(
                scope=request.portal_scope,
                actor=request.user,
                amount=data["amount"],
                currency=data["currency"],
                idempotency_key=data["idempotency_key"],
                invoices=list(data["invoices"]),
                card=data["card"],
                saved_method=data["saved_method"],
                save_card=bool(data.get("save_card")),
                return_url=request.build_absolute_uri(reverse("billing:payment_return")),
                cancel_url=request.build_absolute_uri(reverse("billing:make_payment")),
            )
        except services.PaymentRefused as error:
            form.add_error(None, str(error))
        else:
            return _after_charge(request, payment)
    # A re-shown form keeps its key: fixing a field and sending again is the same payment,
    # and a retry after the provider was unreachable cannot charge twice.
    return render(
        request,
        "billing/make_payment.html",
        {
            "form": form,
            "summary": summary,
            "payable": form.payable,
            "balance_text": format_money(summary.balance, summary.currency),
        },
    )


def _after_charge(request: PortalRequest, payment: Payment) -> HttpResponse:
    if payment.status == Payment.Status.REQUIRES_ACTION:
        if payment.action_url:
            return redirect(payment.action_url)
        return redirect("billing:payment_confirm", payment_id=payment.pk)
    if payment.status == Payment.Status.FAILED:
        messages.error(request, payment.failure_message or "The payment did not go through.")
        return redirect("billing:make_payment")
    if payment.status == Payment.Status.SUCCEEDED:
        messages.success(
            request,
            f"Thank you: payment of {format_money(payment.amount, payment.currency)} received.",
        )
    return redirect("billing:payment", payment_id=payment.pk)


@require_GET
@portal_view(Function.PAYMENTS, Right.VIEW)
def payment_detail(request: PortalRequest, payment_id: int) -> HttpResponse:
    payment = access_object(Payment, request.portal_scope, pk=payment_id)
    allocations = payment.allocations.select_related("invoice").order_by("invoice__due_on", "id")
    organisation = request.portal_scope.organisation
    assert organisation is not None
    return render(
        request,
        "billing/payment_detail.html",
        {
            "payment": payment,
            "allocations": allocations,
            "summary": account_summary(organisation),
        },
    )


@require_http_methods(["GET", "POST"])
@portal_view(Function.PAYMENTS, Right.CREATE)
def payment_confirm(request: PortalRequest, payment_id: int) -> HttpResponse:
    """The sandbox's second step: stands in for the bank's confirmation page."""
    payment = access_object(Payment, request.portal_scope, pk=payment_id)
    if payment.status != Payment.Status.REQUIRES_ACTION or payment.provider != "sandbox":
        return redirect("billing:payment", payment_id=payment.pk)
    if request.method == "POST":
        approved = request.POST.get("decision") == "approve"
        try:
            payment = services.confirm_payment_action(
                scope=request.portal_scope, actor=request.user, payment=payment, approved=approved
            )
        except services.PaymentRefused as error:
            messages.error(request, str(error))
            return redirect("billing:payment_confirm", payment_id=payment.pk)
        return _after_charge(request, payment)
    return render(request, "billing/payment_confirm.html", {"payment": payment})


@require_GET
@portal_view(Function.PAYMENTS, Right.CREATE)
def payment_return(request: PortalRequest) -> HttpResponse:
    """Back from the provider's page: look the payment up, never trust the query string."""
    waiting = (
        Payment.objects.visible_to(request.portal_scope)
        .filter(
            organisation=request.portal_scope.organisation, status=Payment.Status.REQUIRES_ACTION
        )
        .exclude(provider="sandbox")
        .order_by("-created_at")
        .first()
    )
    if waiting is None:
        return redirect("billing:overview")
    try:
        payment = services.confirm_payment_action(
            scope=request.portal_scope, actor=request.user, payment=waiting, approved=True
        )
    except services.PaymentRefused as error:
        messages.error(request, str(error))
        return redirect("billing:overview")
    return _after_charge(request, payment)


# --- Saved payment methods (B4) ---------------------------------------------------------------


@require_GET
@portal_view(Function.PAYMENTS, Right.VIEW)
def payment_methods(request: PortalRequest) -> HttpResponse:
    methods = SavedPaymentMethod.objects.visible_to(request.portal_scope).filter(
        organisation=request.portal_scope.organisation
    )
    return render(
        request,
        "billing/payment_methods.html",
        {
            "methods": methods,
            "form": CardForm(),
            "can_manage": request.portal_scope.can(Function.PAYMENTS, Right.CREATE),
            "can_save": get_provider().can_save_cards,
        },
    )


@require_POST
@portal_view(Function.PAYMENTS, Right.CREATE)
def payment_method_add(request: PortalRequest) -> HttpResponse:
    form = CardForm(request.POST)
    if form.is_valid() and form.cleaned_data.get("card"):
        try:
            method = services.save_payment_method(
                scope=request.portal_scope, actor=request.user, card=form.cleaned_data["card"]
            )
        except services.PaymentRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{method} saved.")
            return redirect("billing:payment_methods")
    methods = SavedPaymentMethod.objects.visible_to(request.portal_scope).filter(
        organisation=request.portal_scope.organisation
    )
    return render(
        request,
        "billing/payment_methods.html",
        {"methods": methods, "form": form, "can_manage": True, "can_save": True},
        status=400,
    )


@require_POST
@portal_view(Function.PAYMENTS, Right.CREATE)
def payment_method_remove(request: PortalRequest, payment_method_id: int) -> HttpResponse:
    method = access_object(SavedPaymentMethod, request.portal_scope, pk=payment_method_id)
    try:
        services.remove_payment_method(
            scope=request.portal_scope, actor=request.user, method=method
        )
    except PermissionDenied:
        raise
    except services.PaymentRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{method} removed.")
    return redirect("billing:payment_methods")


# --- Usage (B5) -------------------------------------------------------------------------------


def _usage(request: PortalRequest) -> tuple[UsagePeriodForm, date, Any]:
    records = UsageRecord.objects.visible_to(request.portal_scope).filter(
        organisation=request.portal_scope.organisation
    )
    current = first_of_month(timezone.localdate())
    # Ordering by the period alone keeps Meta.ordering's columns out of the DISTINCT.
    recorded = (
        records.order_by("-period_start").values_list("period_start", flat=True).distinct()[:36]
    )
    periods = sorted(set(recorded) | {current}, reverse=True)[:36]
    form = UsagePeriodForm(request.GET or None, periods=periods)
    period = current
    if form.is_valid() and form.cleaned_data.get("period"):
        year, month = form.cleaned_data["period"].split("-")
        period = date(int(year), int(month), 1)
    totals = (
        records.filter(period_start=period)
        .values("product", "usage_identifier", "unit")
        .annotate(total=Sum("quantity"), readings=Count("id"))
        .order_by("product", "usage_identifier")
    )
    return form, period, totals


@require_GET
@portal_view(Function.USAGE, Right.VIEW)
def usage(request: PortalRequest) -> HttpResponse:
    form, period, totals = _usage(request)
    return render(
        request,
        "billing/usage.html",
        {"form": form, "period": period, "totals": totals, "period_key": f"{period:%Y-%m}"},
    )


@require_GET
@portal_view(Function.USAGE, Right.VIEW)
def usage_export_csv(request: PortalRequest) -> StreamingHttpResponse:
    _, period, totals = _usage(request)
    rows = (
        [f"{period:%Y-%m}", t["product"], t["usage_identifier"], f"{t['total']:f}", t["unit"]]
        for t in totals
    )
    return stream_csv(
        f"usage-{period:%Y-%m}.csv",
        ["Period", "Product", "Usage identifier", "Total used", "Unit"],
        rows,
    )
