"""Meters of each machine, their readings, validation settings and remote ingestion (M1–M4)."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from portico.core.models import ScopedQuerySet


class MeterType(models.Model):
    """A meter a product model has, e.g. 'Mono', 'Colour', 'Scans' (catalogue)."""

    product_model = models.ForeignKey(
        "assets.ProductModel", on_delete=models.CASCADE, related_name="meter_types"
    )
    name = models.CharField(max_length=40)
    expected_monthly_volume = models.PositiveIntegerField(
        default=0, help_text="Typical count per month; drives the plausibility check."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product_model", "name"], name="unique_meter_type")
        ]

    def __str__(self) -> str:
        return f"{self.product_model} {self.name}"


class MeterQuerySet(ScopedQuerySet):
    organisation_field = "asset__organisation"
    site_field = "asset__site"


class Meter(models.Model):
    """One meter of one machine. The latest reading is kept here so grids need no scan."""

    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="meters")
    meter_type = models.ForeignKey(MeterType, on_delete=models.PROTECT, related_name="meters")
    last_value = models.BigIntegerField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    objects = MeterQuerySet.as_manager()

    class Meta:
        ordering = ["meter_type__position", "meter_type__name"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "meter_type"], name="one_meter_per_type")
        ]

    def __str__(self) -> str:
        return f"{self.asset.serial_number} {self.meter_type.name}"


class MeterReadingQuerySet(ScopedQuerySet):
    organisation_field = "meter__asset__organisation"
    site_field = "meter__asset__site"


class MeterReading(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", "Entered"
        REMOTE = "remote", "Remote monitoring"

    class Check(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        CONFIRMED = "confirmed", "Confirmed after caution"

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings")
    value = models.BigIntegerField()
    read_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    check_result = models.CharField(max_length=10, choices=Check.choices, default=Check.ACCEPTED)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    monitoring_system = models.ForeignKey(
        "meters.MonitoringSystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="readings",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeterReadingQuerySet.as_manager()

    class Meta:
        ordering = ["-read_at", "-id"]
        constraints = [
            # The same reading delivered twice (a replayed batch) is one row.
            models.UniqueConstraint(fields=["meter", "read_at"], name="one_reading_per_moment")
        ]
        indexes = [models.Index(fields=["meter", "-read_at"])]

    def __str__(self) -> str:
        return f"{self.meter}: {self.value} at {self.read_at:%Y-%m-%d}"


class ValidationSettings(models.Model):
    """How readings are checked (M2); one row, edited in the back office."""

    class Basis(models.TextChoices):
        EXPECTED = "expected", "The model's expected monthly volume"
        AVERAGE = "average", "The machine's own recent average (expected volume as fallback)"

    caution_factor = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("3.00"),
        help_text="A reading more than this many times the expected volume since the last "
        "reading shows a caution.",
    )
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.EXPECTED)
    max_days_in_past = models.PositiveSmallIntegerField(
        default=62, help_text="Readings dated further back are rejected."
    )
    max_days_in_future = models.PositiveSmallIntegerField(
        default=1, help_text="Readings dated further ahead are rejected."
    )

    class Meta:
        verbose_name = "reading validation settings"
        verbose_name_plural = "reading validation settings"

    def __str__(self) -> str:
        return f"Caution above {self.caution_factor}× expected volume"

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def current(cls) -> ValidationSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ReadingDay(models.Model):
    """The day of the month a site's readings are due (M4)."""

    site = models.OneToOneField(
        "customers.Site", on_delete=models.CASCADE, related_name="reading_day"
    )
    # At most 28 so every month has the day.
    day_of_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Readings are due on this day of each month (1–28).",
    )

    def __str__(self) -> str:
        return f"{self.site}: day {self.day_of_month}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class MonitoringSystem(models.Model):
    """A remote-monitoring system allowed to post readings (M3). Only its token's hash is kept."""

    TOKEN_PREFIX = "pmt_"

    name = models.CharField(max_length=100, unique=True)
    token_prefix = models.CharField(max_length=12, editable=False, default="")
    token_hash = models.CharField(max_length=128, editable=False, default="", db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    def issue_token(self) -> str:
        """Set a new token (the old one stops working) and return it: it is never shown again."""
        token = self.TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_prefix = token[:12]
        self.token_hash = hash_token(token)
        return token

    @classmethod
    def authenticate(cls, token: str) -> MonitoringSystem | None:
        """The active system holding ``token``, marked as used; None for anything else."""
        if not token.startswith(cls.TOKEN_PREFIX):
            return None
        system = cls.objects.filter(token_hash=hash_token(token), is_active=True).first()
        if system is not None:
            system.last_used_at = timezone.now()
            cls.objects.filter(pk=system.pk).update(last_used_at=system.last_used_at)
        return system
