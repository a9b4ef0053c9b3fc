"""Invoices, payments and their allocations, usage and saved payment methods (B1–B7).

One source of truth for money: an invoice's totals are frozen when it is issued; what has
been paid is the sum of its allocations; an account's balance and credit are sums over
invoices and payments, computed when asked (``billing.summary``), never stored counters.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portico.core.models import ScopedQuerySet

from .money import ZERO, to_money

if TYPE_CHECKING:
    from portico.core.access import Scope

MONEY = {"max_digits": 12, "decimal_places": 2}


def money_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(**MONEY, default=ZERO, **kwargs)  # type: ignore[arg-type]


class BillingAccount(models.Model):
    """Billing settings of a customer account; figures are derived, never stored here."""

    organisation = models.OneToOneField(
        "customers.Organisation", on_delete=models.CASCADE, related_name="billing_account"
    )
    bill_day = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Day of the month invoices are issued (1–28).",
    )
    currency = models.CharField(max_length=3, default="GBP")
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    invoice_email = models.EmailField(
        blank=True, help_text="Where invoices and e-invoices go; the e-invoice endpoint."
    )

    def __str__(self) -> str:
        return f"Billing settings of {self.organisation}"


class InvoiceQuerySet(ScopedQuerySet):
    def visible_to(self, scope: Scope) -> Self:
        """Invoices billed to a visible account, or for a visible (child) account's charges.

        Drafts are the provider's work in progress: customers never see them.
        """
        if scope.organisation is None:
            return self.none()
        ids = scope.organisation_ids
        return self.filter(Q(organisation__in=ids) | Q(account__in=ids)).exclude(
            status=Invoice.Status.DRAFT
        )

    def issued(self) -> Self:
        return self.exclude(status=Invoice.Status.DRAFT)

    def open(self) -> Self:
        return self.filter(status=Invoice.Status.OUTSTANDING)

    def with_balance(self) -> Self:
        """Annotate what was paid (sum of allocations) and the balance, in the same query.

        SQLite computes expressions in floating point, so the raw annotations are for SQL
        (ordering, sums); ``Invoice.amount_paid`` and ``Invoice.balance`` round them to cents.
        """
        paid = (
            PaymentAllocation.objects.filter(invoice=OuterRef("pk"))
            .values("invoice")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        money: models.DecimalField = models.DecimalField(**MONEY)  # type: ignore[arg-type]
        return self.annotate(
            amount_paid_raw=Coalesce(
                Subquery(paid, output_field=money), Value(ZERO), output_field=money
            ),
            balance_raw=models.ExpressionWrapper(
                F("gross_total") - F("amount_paid_raw"), output_field=money
            ),
        )

    def oldest_first(self) -> Self:
        return self.order_by("due_on", "issued_on", "id")


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OUTSTANDING = "outstanding", "Outstanding"
        PAID = "paid", "Paid"
        VOIDED = "voided", "Voided"

    number = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    organisation = models.ForeignKey(
        "customers.Organisation",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name="Bill-to account",
        help_text="The account that receives and pays this invoice.",
    )
    account = models.ForeignKey(
        "customers.Organisation",
        on_delete=models.PROTECT,
        related_name="charged_invoices",
        verbose_name="Charges of",
        help_text="The account whose charges this invoice bills (a child account billed to "
        "its parent); usually the bill-to account itself.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3, default="GBP")
    issued_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    buyer_reference = models.CharField(
        max_length=100, blank=True, help_text="The customer's purchase order or reference."
    )
    # Frozen at issue: an issued invoice never changes its figures.
    net_total = money_field()
    tax_total = money_field()
    gross_total = money_field()
    supply_orders = models.ManyToManyField(
        "orders.SupplyOrder", blank=True, related_name="invoices"
    )
    service_requests = models.ManyToManyField(
        "service.ServiceRequest", blank=True, related_name="invoices"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"]),
            models.Index(fields=["account", "status"]),
            models.Index(fields=["organisation", "-issued_on"]),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft invoice {self.pk}"

    @property
    def is_overdue(self) -> bool:
        """Overdue is shown, not stored: an outstanding invoice past its due date."""
        return (
            self.status == self.Status.OUTSTANDING
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )

    @property
    def display_status(self) -> str:
        return "Overdue" if self.is_overdue else self.get_status_display()

    @property
    def badge(self) -> str:
        if self.is_overdue:
            return "caution"
        return {
            self.Status.PAID: "done",
            self.Status.VOIDED: "cancelled",
            self.Status.OUTSTANDING: "open",
        }.get(self.Status(self.status), "open")

    @property
    def is_for_child_account(self) -> bool:
        return self.account_id != self.organisation_id

    @property
    def amount_paid(self) -> Decimal:
        """Sum of allocations; prefer the ``with_balance`` annotation in lists."""
        annotated = getattr(self, "amount_paid_raw", None)
        if annotated is not None:
            return to_money(annotated)
        total = self.allocations.aggregate(total=Sum("amount"))["total"]
        return to_money(total or ZERO)

    @property
    def balance(self) -> Decimal:
        if self.status in (self.Status.VOIDED, self.Status.DRAFT):
            return ZERO
        return to_money(self.gross_total - self.amount_paid)

    def pdf_filename(self) -> str:
        return f"invoice-{self.number}.pdf"

    def ubl_filename(self) -> str:
        return f"invoice-{self.number}.xml"


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        PART = "part", "Part"
        LABOUR = "labour", "Labour"
        SUPPLY = "supply", "Supply"
        USAGE = "usage", "Usage"
        SUBSCRIPTION = "subscription", "Subscription"

    # UN/ECE Recommendation 20 unit codes, as the e-invoice needs them.
    class Unit(models.TextChoices):
        EACH = "C62", "each"
        HOUR = "HUR", "hour"
        MONTH = "MON", "month"
        PAGE = "ZZ", "page"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PART)
    description = models.CharField(max_length=300)
    reference = models.CharField(
        max_length=40, blank=True, help_text="The service request or order it bills, e.g. REQ-…"
    )
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal("1"))
    unit = models.CharField(max_length=3, choices=Unit.choices, default=Unit.EACH)
    unit_price = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    tax_rate = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("20.00"), help_text="VAT in per cent."
    )
    net_amount = money_field(editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description

    def save(self, *args: object, **kwargs: object) -> None:
        self.net_amount = to_money(Decimal(self.quantity) * Decimal(self.unit_price))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_parts_or_labour(self) -> bool:
        return self.kind in (self.Kind.PART, self.Kind.LABOUR)


class InvoiceNote(models.Model):
    """A customer's internal note on an invoice: only the writing organisation reads it (B3)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="notes")
    organisation = models.ForeignKey(
        "customers.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "customer note"

    def __str__(self) -> str:
        return f"Customer note on {self.invoice}"


class PaymentQuerySet(ScopedQuerySet):
    def succeeded(self) -> Self:
        return self.filter(status=Payment.Status.SUCCEEDED)


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REQUIRES_ACTION = "requires_action", "Waiting for confirmation"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Method(models.TextChoices):
        CARD = "card", "Card"
        SAVED_CARD = "saved_card", "Saved card"
        CHECKOUT = "checkout", "Card (hosted checkout)"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        DIRECT_DEBIT = "direct_debit", "Direct debit"
        CHEQUE = "cheque", "Cheque"
        CASH = "cash", "Cash"

    class Provider(models.TextChoices):
        SANDBOX = "sandbox", "Sandbox"
        STRIPE = "stripe", "Stripe"
        OFFLINE = "offline", "Recorded by staff"

    organisation = models.ForeignKey(
        "customers.Organisation", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    currency = models.CharField(max_length=3, default="GBP")
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.CARD)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    provider_reference = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # One key per payment form: a double click, a refresh or a replay charges once.
    idempotency_key = models.CharField(max_length=64)
    requested_invoices = models.ManyToManyField(
        Invoice, blank=True, related_name="payment_requests"
    )
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    action_url = models.URLField(max_length=500, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    received_on = models.DateField(default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"], name="one_payment_per_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} of {self.amount} {self.currency}"

    @property
    def badge(self) -> str:
        return {
            self.Status.SUCCEEDED: "done",
            self.Status.FAILED: "rejected",
            self.Status.REQUIRES_ACTION: "waiting",
        }.get(self.Status(self.status), "open")

    @property
    def reference(self) -> str:
        return f"PAY-{self.pk:06d}"


class PaymentAllocation(models.Model):
    """The part of a payment applied to one invoice. The unallocated rest is credit."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} of payment {self.payment_id} to {self.invoice}"


class StripeEvent(models.Model):
    """A Stripe webhook event, recorded once: a redelivery finds its id and does nothing."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    payment = models.ForeignKey(Payment, null=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_id


class UsageRecordQuerySet(ScopedQuerySet):
    pass


def first_of_month(day: date) -> date:
    return day.replace(day=1)


class UsageRecord(models.Model):
    """Metered usage of a product in a period, e.g. pages printed on one device (B5)."""

    organisation = models.ForeignKey(
        "customers.Organisation", on_delete=models.CASCADE, related_name="usage_records"
    )
    product = models.CharField(max_length=150)
    usage_identifier = models.CharField(
        max_length=100, help_text="What the usage is counted on: a device serial, a number…"
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit = models.CharField(max_length=30, default="pages")
    period_start = models.DateField(help_text="First day of the month the usage belongs to.")
    recorded_on = models.DateField(default=timezone.localdate)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "product", "usage_identifier"]
        indexes = [models.Index(fields=["organisation", "period_start"])]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} of {self.product} ({self.usage_identifier})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.period_start = first_of_month(self.period_start)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class SavedPaymentMethodQuerySet(ScopedQuerySet):
    pass


class SavedPaymentMethod(models.Model):
    """A provider's token for a card: never the card number (B4)."""

    organisation = models.ForeignKey(
        "customers.Organisation", on_delete=models.CASCADE, related_name="payment_methods"
    )
    provider = models.CharField(max_length=20, choices=Payment.Provider.choices)
    token = models.CharField(max_length=100)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    holder_name = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedPaymentMethodQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "token"], name="unique_payment_token")
        ]

    def __str__(self) -> str:
        return f"{self.brand} ending {self.last4}"

    @property
    def label(self) -> str:
        return f"{self.brand} ending {self.last4}, expires {self.exp_month:02d}/{self.exp_year}"
