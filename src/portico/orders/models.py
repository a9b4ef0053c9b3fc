"""Supply orders (E5): readable numbers, lines, a status changed by staff with history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from portico.core.models import ScopedQuerySet


class SupplyOrderQuerySet(ScopedQuerySet):
    organisation_field = "organisation"
    site_field = "site"


class SupplyOrder(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CONFIRMED = "confirmed", "Confirmed"
        DISPATCHED = "dispatched", "Dispatched"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    # Badge modifier per status: open states blue (""), delivered green, cancelled grey.
    BADGES: dict[str, str] = {Status.DELIVERED: "done", Status.CANCELLED: "cancelled"}

    # Which status may follow which: the only way to change one is orders.services.
    TRANSITIONS: dict[str, set[str]] = {
        Status.SUBMITTED: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.DISPATCHED, Status.CANCELLED},
        Status.DISPATCHED: {Status.DELIVERED},
        Status.DELIVERED: set(),
        Status.CANCELLED: set(),
    }

    number = models.CharField(max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey(
        "customers.Organisation", on_delete=models.PROTECT, related_name="supply_orders"
    )
    site = models.ForeignKey(
        "customers.Site",
        on_delete=models.PROTECT,
        related_name="supply_orders",
        verbose_name="Delivery site",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True, max_length=2000)
    # Kept on the order (lines do not change once placed) so lists sort and show it without sums.
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="GBP")
    # Set from the form's one-time key so a double submit creates one order.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupplyOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"]),
            models.Index(fields=["organisation", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def badge(self) -> str:
        return self.BADGES.get(self.status, "")

    @property
    def is_open(self) -> bool:
        return bool(self.TRANSITIONS.get(self.status))


class OrderLine(models.Model):
    order = models.ForeignKey(SupplyOrder, on_delete=models.CASCADE, related_name="lines")
    supply = models.ForeignKey("assets.Supply", on_delete=models.PROTECT, related_name="+")
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.supply}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderStatusChange(models.Model):
    order = models.ForeignKey(SupplyOrder, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} → {self.to_status}"

    @staticmethod
    def _label(status: str) -> str:
        return SupplyOrder.Status(status).label if status in SupplyOrder.Status.values else status

    @property
    def from_label(self) -> str:
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)

    @property
    def badge(self) -> str:
        return SupplyOrder.BADGES.get(self.to_status, "")


class ItemRequestQuerySet(ScopedQuerySet):
    organisation_field = "organisation"
    site_field = "asset__site"


class ItemRequest(models.Model):
    """'Request an item': the wanted supply is not listed for the machine (E5)."""

    organisation = models.ForeignKey(
        "customers.Organisation", on_delete=models.PROTECT, related_name="item_requests"
    )
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, related_name="item_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ItemRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Item request for {self.asset}"

    @property
    def is_handled(self) -> bool:
        return self.handled_at is not None
