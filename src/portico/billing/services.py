"""Every write billing allows, as functions taking the acting user (or the scope).

Invoices: create (draft), issue, void. Payments: make (customer, through a provider), record
offline (staff), complete (provider result, webhook). Allocation is oldest-first; what is
left over is credit, applied to the next open invoice as soon as one exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portico.core.access import Scope
from portico.core.models import next_number
from portico.core.rights import Function, Right
from portico.customers.models import Organisation

from . import conf
from .allocation import plan_allocation
from .models import (
    MONEY,
    BillingAccount,
    Invoice,
    InvoiceLine,
    InvoiceNote,
    Payment,
    PaymentAllocation,
    SavedPaymentMethod,
    StripeEvent,
)
from .money import ZERO, format_money, to_money
from .providers import (
    Card,
    ChargeRequest,
    ChargeResult,
    PaymentProvider,
    PaymentProviderError,
    WebhookEvent,
    get_provider,
)
from .totals import compute_totals

MAX_PAYMENT = Decimal("1000000.00")


class BillingError(Exception):
    """A refusal a customer or staff member can understand; nothing was changed."""


class InvalidTransition(BillingError):
    pass


class PaymentRefused(BillingError):
    pass


# --- Settings of an account ---------------------------------------------------------------


def billing_settings(organisation: Organisation) -> BillingAccount:
    """The account's billing settings, or the defaults when none were saved."""
    account = BillingAccount.objects.filter(organisation=organisation).first()
    return account or BillingAccount(organisation=organisation, currency=conf.default_currency())


def payer_of(organisation: Organisation) -> Organisation:
    """The account invoiced for ``organisation``'s charges (B6)."""
    return organisation.bill_to if organisation.bill_to_id else organisation  # type: ignore[return-value]


# --- Invoices -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    kind: str = InvoiceLine.Kind.PART
    tax_rate: Decimal = Decimal("20.00")
    unit: str = InvoiceLine.Unit.EACH
    reference: str = ""


def _require_staff(actor: Any) -> None:
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only the provider's staff may do this.")


@transaction.atomic
def create_invoice(
    *,
    organisation: Organisation,
    actor: Any,
    lines: Sequence[LineInput],
    account: Organisation | None = None,
    currency: str | None = None,
    buyer_reference: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
) -> Invoice:
    """A draft invoice for the account that pays (the bill-to of ``account``)."""
    _require_staff(actor)
    account = account or organisation
    if payer_of(account).pk != organisation.pk:
        raise BillingError(f"{account} is billed to {payer_of(account)}, not {organisation}.")
    invoice = Invoice.objects.create(
        organisation=organisation,
        account=account,
        currency=(currency or billing_settings(organisation).currency).upper(),
        buyer_reference=buyer_reference,
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
    )
    for position, line in enumerate(lines, start=1):
        InvoiceLine.objects.create(
            invoice=invoice,
            position=position,
            kind=line.kind,
            description=line.description,
            reference=line.reference,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
        )
    recalculate_totals(invoice)
    return invoice


def recalculate_totals(invoice: Invoice) -> None:
    """Draft invoices follow their lines; issued ones are frozen."""
    if invoice.status != Invoice.Status.DRAFT:
        return
    totals = compute_totals(invoice.lines.values_list("net_amount", "tax_rate"))
    invoice.net_total, invoice.tax_total, invoice.gross_total = (
        totals.net,
        totals.tax,
        totals.gross,
    )
    invoice.save(update_fields=["net_total", "tax_total", "gross_total"])


@transaction.atomic
def draft_invoice_from_supply_order(*, order: Any, actor: Any) -> Invoice:
    """A draft pre-filled from a delivered supply order's lines."""
    if order.status != order.Status.DELIVERED:
        raise BillingError("Only a delivered supply order can be invoiced.")
    lines = [
        LineInput(
            description=str(line.supply.description),
            unit_price=line.unit_price,
            quantity=Decimal(line.quantity),
            kind=InvoiceLine.Kind.SUPPLY,
            reference=order.number,
        )
        for line in order.lines.select_related("supply")
    ]
    payer = payer_of(order.organisation)
    invoice = create_invoice(
        organisation=payer, account=order.organisation, actor=actor, lines=lines
    )
    invoice.supply_orders.add(order)
    return invoice


@transaction.atomic
def draft_invoice_from_service_request(*, request: Any, actor: Any) -> Invoice:
    """A draft pre-filled from a service request's parts & labour (travel bills as labour)."""
    lines = []
    for work in request.work_lines.all():
        is_labour = work.kind != work.Kind.PART
        units = work.hours if is_labour and work.hours is not None else work.quantity
        lines.append(
            LineInput(
                description=str(work.description),
                unit_price=work.unit_price,
                quantity=Decimal(units),
                kind=InvoiceLine.Kind.LABOUR if is_labour else InvoiceLine.Kind.PART,
                unit=InvoiceLine.Unit.HOUR if is_labour else InvoiceLine.Unit.EACH,
                reference=request.number,
            )
        )
    if not lines:
        raise BillingError(f"{request.number} has no parts or labour to invoice.")
    payer = payer_of(request.organisation)
    invoice = create_invoice(
        organisation=payer, account=request.organisation, actor=actor, lines=lines
    )
    invoice.service_requests.add(request)
    return invoice


@transaction.atomic
def issue_invoice(
    *, invoice: Invoice, actor: Any, issued_on: date | None = None, due_on: date | None = None
) -> Invoice:
    """Give the draft its number (gap-free, in this transaction) and freeze its figures."""
    _require_staff(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        raise InvalidTransition("Only a draft invoice can be issued.")
    if not invoice.lines.exists():
        raise BillingError("An invoice needs at least one line before it is issued.")
    recalculate_totals(invoice)
    if invoice.gross_total <= 0:
        raise BillingError("An invoice must be for more than zero; use a credit instead.")
    terms = billing_settings(invoice.organisation).payment_terms_days
    invoice.issued_on = issued_on or timezone.localdate()
    invoice.due_on = due_on or invoice.issued_on + timedelta(days=terms)
    invoice.number = next_number("INV", per_year=True)
    invoice.status = Invoice.Status.OUTSTANDING
    invoice.issued_at = timezone.now()
    invoice.save()
    apply_credit(organisation=invoice.organisation, currency=invoice.currency)
    invoice.refresh_from_db()
    return invoice


@transaction.atomic
def void_invoice(*, invoice: Invoice, actor: Any, reason: str) -> Invoice:
    """Void an outstanding invoice; anything already paid on it becomes credit."""
    _require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise BillingError("Give a reason for voiding the invoice.")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.OUTSTANDING:
        raise InvalidTransition(
            f"Only an outstanding invoice can be voided; {invoice} is {invoice.status}."
        )
    invoice.allocations.all().delete()
    invoice.status = Invoice.Status.VOIDED
    invoice.voided_at = timezone.now()
    invoice.voided_by = actor
    invoice.void_reason = reason[:300]
    invoice.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
    apply_credit(organisation=invoice.organisation, currency=invoice.currency)
    return invoice


# --- Allocation ---------------------------------------------------------------------------


def _open_invoices(organisation: Organisation, currency: str, pks: Iterable[int] | None = None):
    qs = Invoice.objects.filter(
        organisation=organisation, currency=currency, status=Invoice.Status.OUTSTANDING
    )
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    # Lock first (no aggregates allowed with FOR UPDATE on PostgreSQL), then read balances.
    locked = list(qs.select_for_update().values_list("pk", flat=True))
    return list(Invoice.objects.filter(pk__in=locked).with_balance().oldest_first())


def _unallocated(payment: Payment) -> Decimal:
    allocated = payment.allocations.aggregate(total=Sum("amount"))["total"] or ZERO
    return to_money(payment.amount - allocated)


def _allocate(payment: Payment, invoices: list[Invoice]) -> Decimal:
    """Apply the payment's unallocated amount to ``invoices`` in order; return what is left."""
    plan, remainder = plan_allocation(
        _unallocated(payment), [(invoice, invoice.balance) for invoice in invoices]
    )
    for invoice, amount in plan:
        PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=amount)
        if amount >= to_money(invoice.balance):
            Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PAID)
    return remainder


def apply_credit(*, organisation: Organisation, currency: str) -> None:
    """Apply unallocated money (credit) to open invoices, oldest payment to oldest invoice."""
    money: DecimalField = DecimalField(**MONEY)  # type: ignore[arg-type]
    payments = (
        Payment.objects.succeeded()
        .filter(organisation=organisation, currency=currency)
        .annotate(allocated=Coalesce(Sum("allocations__amount"), Value(ZERO), output_field=money))
        .filter(amount__gt=F("allocated"))
        .order_by("created_at", "id")
    )
    for payment in payments:
        invoices = _open_invoices(organisation, currency)
        if not invoices:
            return
        _allocate(payment, invoices)


# --- Payments -----------------------------------------------------------------------------


def _check_amount(amount: Decimal) -> Decimal:
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError) as error:
        raise PaymentRefused("Enter the amount as a number, like 120.50.") from error
    if not value.is_finite() or value != to_money(value):
        raise PaymentRefused("Enter the amount in pounds and pence, like 120.50.")
    if value <= 0:
        raise PaymentRefused("Enter an amount greater than zero.")
    if value > MAX_PAYMENT:
        raise PaymentRefused("That amount is larger than a single payment may be.")
    return to_money(value)


@transaction.atomic
def record_offline_payment(
    *,
    organisation: Organisation,
    amount: Decimal,
    actor: Any,
    method: str = Payment.Method.BANK_TRANSFER,
    reference: str = "",
    currency: str | None = None,
    received_on: date | None = None,
    invoices: Sequence[Invoice] = (),
) -> Payment:
    """Staff record money received outside the portal; it is allocated like any payment."""
    _require_staff(actor)
    amount = _check_amount(amount)
    currency = (currency or billing_settings(organisation).currency).upper()
    for invoice in invoices:
        if invoice.organisation_id != organisation.pk or invoice.currency != currency:
            raise PaymentRefused(f"{invoice} is not an invoice of {organisation} in {currency}.")
    payment = Payment.objects.create(
        organisation=organisation,
        amount=amount,
        currency=currency,
        method=method,
        provider=Payment.Provider.OFFLINE,
        provider_reference=reference[:100],
        status=Payment.Status.SUCCEEDED,
        idempotency_key=f"offline-{uuid.uuid4().hex}",
        received_on=received_on or timezone.localdate(),
        created_by=actor,
        completed_at=timezone.now(),
    )
    if invoices:
        payment.requested_invoices.set(invoices)
        _allocate(payment, _open_invoices(organisation, currency, [i.pk for i in invoices]))
    apply_credit(organisation=organisation, currency=currency)
    return payment


def payable_invoices(scope: Scope):
    """Open invoices the active account pays: the only ones a payment form may name."""
    return (
        Invoice.objects.visible_to(scope)
        .filter(organisation=scope.organisation, status=Invoice.Status.OUTSTANDING)
        .with_balance()
        .oldest_first()
    )


def _check_payer(scope: Scope) -> Organisation:
    if scope.organisation is None or not scope.can(Function.PAYMENTS, Right.CREATE):
        raise PermissionDenied("Your access rights do not include making payments.")
    if not conf.payments_enabled():
        raise PaymentRefused("Payments are not taken in the portal. Please contact us.")
    organisation = scope.organisation
    if organisation.bill_to_id:
        raise PaymentRefused(f"Payments for this account are made by {organisation.bill_to}.")
    return organisation


def _replay(existing: Payment, amount: Decimal, currency: str) -> Payment:
    if existing.amount != amount or existing.currency != currency:
        raise PaymentRefused(
            "This payment was already submitted with a different amount. "
            "Reload the page to start a new payment."
        )
    return existing


def make_payment(
    *,
    scope: Scope,
    actor: Any,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
    invoices: Sequence[Invoice] = (),
    card: Card | None = None,
    saved_method: SavedPaymentMethod | None = None,
    save_card: bool = False,
    return_url: str = "",
    cancel_url: str = "",
    provider: PaymentProvider | None = None,
) -> Payment:
    """Charge the active account once per key and allocate what was paid (B4).

    Everything the form sent is checked against the database before anything is written:
    the currency, each invoice (open, this account's), and the amount (their total when
    invoices are chosen). The same key with the same amount returns the first payment.
    """
    organisation = _check_payer(scope)
    amount = _check_amount(amount)
    currency = currency.upper()
    key = idempotency_key.strip()
    if not 16 <= len(key) <= 64:
        raise PaymentRefused("This payment form has expired. Reload the page and try again.")

    existing = Payment.objects.filter(organisation=organisation, idempotency_key=key).first()
    if existing is not None:
        payment = _replay(existing, amount, currency)
        if payment.status == Payment.Status.PENDING and not payment.provider_reference:
            return _charge(payment, provider, card, saved_method, save_card, return_url, cancel_url)
        return payment

    expected_currency = billing_settings(organisation).currency.upper()
    if currency != expected_currency:
        raise PaymentRefused(f"Payments for this account are taken in {expected_currency}.")
    open_by_pk = {invoice.pk: invoice for invoice in payable_invoices(scope)}
    chosen = []
    for invoice in invoices:
        if invoice.pk not in open_by_pk:
            raise PaymentRefused(f"{invoice} is not an open invoice of this account.")
        chosen.append(open_by_pk[invoice.pk])
    if chosen:
        total = to_money(sum((to_money(i.balance) for i in chosen), ZERO))
        if amount != total:
            raise PaymentRefused(
                f"The amount must be the balance of the invoices you chose, "
                f"{format_money(total, currency)}. To pay another amount, choose no invoice."
            )
    if saved_method is not None and saved_method.organisation_id != organisation.pk:
        raise PaymentRefused("Choose one of this account's saved cards.")

    provider = provider or get_provider()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                organisation=organisation,
                amount=amount,
                currency=currency,
                method=(
                    Payment.Method.SAVED_CARD
                    if saved_method
                    else Payment.Method.CARD
                    if provider.collects_card_details
                    else Payment.Method.CHECKOUT
                ),
                provider=provider.name,
                idempotency_key=key,
                created_by=actor,
            )
            payment.requested_invoices.set(chosen)
    except IntegrityError:
        # A concurrent request with the same key won the race: it is the payment.
        existing = Payment.objects.get(organisation=organisation, idempotency_key=key)
        return _replay(existing, amount, currency)
    return _charge(payment, provider, card, saved_method, save_card, return_url, cancel_url)


def _charge(
    payment: Payment,
    provider: PaymentProvider | None,
    card: Card | None,
    saved_method: SavedPaymentMethod | None,
    save_card: bool,
    return_url: str,
    cancel_url: str,
) -> Payment:
    """Ask the provider (outside any transaction: it is a network call), then record."""
    provider = provider or get_provider(payment.provider)
    request = ChargeRequest(
        amount=payment.amount,
        currency=payment.currency,
        idempotency_key=payment.idempotency_key,
        description=f"Payment {payment.reference} to {payment.organisation}",
        return_url=return_url,
        cancel_url=cancel_url,
        card=None if saved_method else card,
        token=saved_method.token if saved_method else "",
        metadata={"payment": str(payment.pk), "account": payment.organisation.customer_number},
    )
    try:
        result = provider.charge(request)
    except PaymentProviderError as error:
        Payment.objects.filter(pk=payment.pk).update(failure_message=str(error)[:300])
        raise PaymentRefused(
            "The payment provider could not be reached; you have not been charged. "
            "Please try again in a few minutes."
        ) from error
    payment = complete_payment(payment=payment, result=result)
    if save_card and card is not None and result.status == ChargeResult.SUCCEEDED:
        save_payment_method_for(payment.organisation, provider=provider, card=card, actor=None)
    return payment


@transaction.atomic
def complete_payment(*, payment: Payment, result: ChargeResult) -> Payment:
    """Record what the provider said. Safe to call twice: a finished payment stays as it is."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.FAILED):
        return payment
    if result.reference and not payment.provider_reference:
        payment.provider_reference = result.reference
    payment.card_brand = result.card_brand or payment.card_brand
    payment.card_last4 = result.card_last4 or payment.card_last4
    if result.status == ChargeResult.SUCCEEDED:
        payment.status = Payment.Status.SUCCEEDED
        payment.completed_at = timezone.now()
        payment.action_url = ""
        payment.save()
        chosen = list(payment.requested_invoices.values_list("pk", flat=True))
        if chosen:
            _allocate(payment, _open_invoices(payment.organisation, payment.currency, chosen))
        apply_credit(organisation=payment.organisation, currency=payment.currency)
    elif result.status == ChargeResult.DECLINED:
        payment.status = Payment.Status.FAILED
        payment.failure_message = result.message[:300]
        payment.completed_at = timezone.now()
        payment.save()
    elif result.status == ChargeResult.REQUIRES_ACTION:
        payment.status = Payment.Status.REQUIRES_ACTION
        payment.action_url = result.action_url
        payment.save()
    else:
        payment.save()
    return payment


def confirm_payment_action(
    *, scope: Scope, actor: Any, payment: Payment, approved: bool
) -> Payment:
    """The second step of a charge: the sandbox's confirmation page, or a return from Stripe."""
    _check_payer(scope)
    if payment.organisation_id != scope.organisation.pk:  # type: ignore[union-attr]
        raise PermissionDenied("This is not a payment of the active account.")
    if payment.status != Payment.Status.REQUIRES_ACTION:
        return payment
    provider = get_provider(payment.provider)
    try:
        result = provider.complete_action(payment.provider_reference, approved=approved)
    except PaymentProviderError as error:
        raise PaymentRefused("The payment provider could not be reached. Try again.") from error
    return complete_payment(payment=payment, result=result)


def handle_provider_event(event: WebhookEvent) -> bool:
    """Process a verified webhook event exactly once; False when it was seen before."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event.id, type=event.type)
        except IntegrityError:
            return False
        if event.result is None or not event.reference:
            return True
        payment = (
            Payment.objects.filter(
                provider=Payment.Provider.STRIPE, provider_reference=event.reference
            )
            .order_by("pk")
            .first()
        )
        if payment is None:
            return True
        complete_payment(payment=payment, result=event.result)
        record.payment = payment
        record.save(update_fields=["payment"])
    return True


# --- Saved payment methods ----------------------------------------------------------------


def save_payment_method_for(
    organisation: Organisation, *, provider: PaymentProvider, card: Card, actor: Any
) -> SavedPaymentMethod:
    tokenised = provider.tokenise(card)
    return SavedPaymentMethod.objects.create(
        organisation=organisation,
        provider=provider.name,
        token=tokenised.token,
        brand=tokenised.brand,
        last4=tokenised.last4,
        exp_month=tokenised.exp_month,
        exp_year=tokenised.exp_year,
        holder_name=card.holder_name[:100],
        created_by=actor,
    )


def save_payment_method(*, scope: Scope, actor: Any, card: Card) -> SavedPaymentMethod:
    organisation = _check_payer(scope)
    provider = get_provider()
    if not provider.can_save_cards:
        raise PaymentRefused("Cards are saved on the payment provider's page when you pay.")
    try:
        return save_payment_method_for(organisation, provider=provider, card=card, actor=actor)
    except PaymentProviderError as error:
        raise PaymentRefused(str(error)) from error


@transaction.atomic
def remove_payment_method(*, scope: Scope, actor: Any, method: SavedPaymentMethod) -> None:
    organisation = _check_payer(scope)
    if method.organisation_id != organisation.pk:
        raise PermissionDenied("This card belongs to another account.")
    method.delete()


# --- Notes --------------------------------------------------------------------------------


@transaction.atomic
def add_note(*, scope: Scope, actor: Any, invoice: Invoice, body: str) -> InvoiceNote:
    """An internal note of the active organisation; no other organisation reads it (B3)."""
    if scope.organisation is None or not scope.can(Function.INVOICES, Right.CREATE):
        raise PermissionDenied("Your access rights do not include adding notes.")
    if not Invoice.objects.visible_to(scope).filter(pk=invoice.pk).exists():
        raise PermissionDenied("This invoice is not one of your account's invoices.")
    body = body.strip()
    if not body:
        raise BillingError("Write the note before saving it.")
    if len(body) > 2000:
        raise BillingError("A note can be at most 2,000 characters.")
    return InvoiceNote.objects.create(
        invoice=invoice, organisation=scope.organisation, author=actor, body=body
    )
