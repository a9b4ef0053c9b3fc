"""The provider's catalogue (models, supplies) and the customers' equipment (E1–E4, E6)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from portico.core.models import ScopedQuerySet


class ProductModel(models.Model):
    """A make and model of equipment the provider supports."""

    class Category(models.TextChoices):
        PRINTER = "printer", "Printer"
        COPIER = "copier", "Copier / multifunction"
        SCANNER = "scanner", "Scanner"
        OTHER = "other", "Other"

    manufacturer = models.CharField(max_length=100)
    name = models.CharField("Model", max_length=150)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.PRINTER)
    warranty_months = models.PositiveSmallIntegerField(
        default=12, help_text="Default warranty length for newly registered units."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["manufacturer", "name"]
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "name"], name="unique_product_model")
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.name}"


class Attribute(models.Model):
    """An admin-defined specification attribute, e.g. 'Print speed' in 'ppm' (E4)."""

    name = models.CharField(max_length=100, unique=True)
    unit = models.CharField(max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Specification(models.Model):
    product_model = models.ForeignKey(
        ProductModel, on_delete=models.CASCADE, related_name="specifications"
    )
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=200)

    class Meta:
        ordering = ["attribute__position", "attribute__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_model", "attribute"], name="one_value_per_spec"
            )
        ]

    def __str__(self) -> str:
        unit = f" {self.attribute.unit}" if self.attribute.unit else ""
        return f"{self.attribute.name}: {self.value}{unit}"


class Supply(models.Model):
    """A consumable the provider sells, linked to the models it fits (E5)."""

    class YieldUnit(models.TextChoices):
        PAGES = "pages", "pages"
        UNITS = "units", "units"

    item_code = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=200)
    kind = models.CharField(
        "Colour / kind", max_length=60, help_text="e.g. Black toner, Cyan toner, Drum, Staples"
    )
    yield_quantity = models.PositiveIntegerField(
        "Yield", null=True, blank=True, help_text="How much one unit lasts."
    )
    yield_unit = models.CharField(max_length=10, choices=YieldUnit.choices, default=YieldUnit.PAGES)
    meter_name = models.CharField(
        max_length=40,
        blank=True,
        help_text="Meter whose volume uses this supply up (e.g. Mono, Colour); empty = all meters.",
    )
    price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="GBP")
    fits = models.ManyToManyField(ProductModel, related_name="supplies", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["item_code"]
        verbose_name_plural = "supplies"

    def __str__(self) -> str:
        return f"{self.item_code} {self.description}"


class WarrantyState(models.TextChoices):
    """The warranty filter of the assets page (E3)."""

    IN_WARRANTY = "in", "In warranty"
    EXPIRED = "expired", "Expired"
    UNKNOWN = "unknown", "Unknown"


# A warranty ending within this many days shows a caution badge.
WARRANTY_ENDING_SOON_DAYS = 30


class AssetQuerySet(ScopedQuerySet):
    organisation_field = "organisation"
    site_field = "site"

    def with_warranty(self, state: str, today: date | None = None) -> Self:
        today = today or timezone.localdate()
        if state == WarrantyState.IN_WARRANTY:
            return self.filter(warranty_ends_on__gte=today)
        if state == WarrantyState.EXPIRED:
            return self.filter(warranty_ends_on__lt=today)
        if state == WarrantyState.UNKNOWN:
            return self.filter(warranty_ends_on__isnull=True)
        return self

    def search(self, text: str) -> Self:
        """Serial number, asset tag or location containing the text (E3)."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(serial_number__icontains=text)
            | models.Q(asset_tag__icontains=text)
            | models.Q(location__icontains=text)
        )


class Asset(models.Model):
    """A machine or registered product at a customer's site."""

    class Status(models.TextChoices):
        ACTIVE = "active", "In service"
        IN_REPAIR = "in_repair", "In repair"
        RETIRED = "retired", "Retired"

    class Replenishment(models.TextChoices):
        CUSTOMER = "customer", "Ordered by customer"
        AUTOMATIC = "automatic", "Automatic replenishment (remote monitoring)"
        ONSITE = "onsite", "On-site stock"

    organisation = models.ForeignKey(
        "customers.Organisation", on_delete=models.PROTECT, related_name="assets"
    )
    site = models.ForeignKey("customers.Site", on_delete=models.PROTECT, related_name="assets")
    product_model = models.ForeignKey(ProductModel, on_delete=models.PROTECT, related_name="assets")
    serial_number = models.CharField(max_length=60, unique=True)
    asset_tag = models.CharField(max_length=60, blank=True)
    location = models.CharField(
        "Location within the site", max_length=200, blank=True, help_text="e.g. 2nd floor, Finance"
    )
    install_date = models.DateField(null=True, blank=True)
    manufactured_on = models.DateField("Date manufactured", null=True, blank=True)
    warranty_ends_on = models.DateField("Warranty end date", null=True, blank=True)
    purchased_on = models.DateField("Purchase date", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    replenishment = models.CharField(
        max_length=20, choices=Replenishment.choices, default=Replenishment.CUSTOMER
    )
    is_remote_monitored = models.BooleanField("Remote monitored", default=False)
    is_customer_registered = models.BooleanField(
        default=False, help_text="Added by the customer and not yet confirmed by staff."
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["site__name", "location", "serial_number"]
        indexes = [
            models.Index(fields=["organisation", "site"]),
            models.Index(fields=["asset_tag"]),
        ]

    def __str__(self) -> str:
        return f"{self.product_model} ({self.serial_number})"

    def clean(self) -> None:
        if (
            self.site_id
            and self.organisation_id
            and self.site.organisation_id != self.organisation_id
        ):
            raise ValidationError({"site": "The site must belong to the machine's organisation."})

    @property
    def is_under_warranty(self) -> bool:
        return self.warranty_ends_on is not None and self.warranty_ends_on >= timezone.localdate()

    @property
    def warranty_status(self) -> str:
        """'In warranty', 'Warranty expired' or 'No warranty recorded' (E4)."""
        if self.warranty_ends_on is None:
            return "No warranty recorded"
        return (
            "In warranty" if self.warranty_ends_on >= timezone.localdate() else "Warranty expired"
        )

    @property
    def warranty_badge(self) -> str:
        """Badge modifier for the warranty status: green in warranty, amber ending soon."""
        days = self.warranty_days_left()
        if days is None or days < 0:
            return "cancelled"
        return "caution" if days <= WARRANTY_ENDING_SOON_DAYS else "done"

    @property
    def warranty_short(self) -> str:
        days = self.warranty_days_left()
        if days is None:
            return "Unknown"
        if days < 0:
            return "Expired"
        return "Ends soon" if days <= WARRANTY_ENDING_SOON_DAYS else "In warranty"

    @property
    def needs_own_supply_route(self) -> bool:
        """Supplies come automatically or from on-site stock, so items may be missing (E5)."""
        return self.replenishment != self.Replenishment.CUSTOMER

    def warranty_from_purchase(self) -> date | None:
        """The end of the model's standard warranty counted from the purchase date (E4)."""
        if self.purchased_on is None:
            return None
        months = self.product_model.warranty_months
        year = self.purchased_on.year + (self.purchased_on.month - 1 + months) // 12
        month = (self.purchased_on.month - 1 + months) % 12 + 1
        day = min(self.purchased_on.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) - timedelta(days=1)

    def warranty_days_left(self, today: date | None = None) -> int | None:
        if self.warranty_ends_on is None:
            return None
        return (self.warranty_ends_on - (today or timezone.localdate())).days
