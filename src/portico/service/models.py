"""Service requests (T1–T7): categories and extra fields, states, service levels,
recommendations with the customer's decision, parts & labour, watchers."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.db import models

from portico.core.models import ScopedQuerySet


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ExtraField(models.Model):
    """A provider-configured field on the request form (T1), for one category or all."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        CHOICE = "choice", "Choice"
        DATE = "date", "Date"

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extra_fields",
        help_text="Empty: shown for every category.",
    )
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(blank=True, help_text="One choice per line (choice fields).")
    help_text = models.CharField(max_length=200, blank=True)
    is_required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]
        constraints = [models.UniqueConstraint(fields=["category", "key"], name="unique_extra_key")]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


# Urgent or high: flagged with a caution badge in lists and the workspace.
RAISED_PRIORITIES = frozenset((Priority.URGENT, Priority.HIGH))


class ServiceLevel(models.Model):
    """Response and resolution targets per priority (T6)."""

    priority = models.CharField(max_length=10, choices=Priority.choices, unique=True)
    response_hours = models.PositiveIntegerField()
    resolution_hours = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: respond {self.response_hours} h"


class ServiceSettings(models.Model):
    """One row: how long after resolution a customer may reopen a request."""

    reopen_days = models.PositiveSmallIntegerField(default=14)

    class Meta:
        verbose_name = "service settings"
        verbose_name_plural = "service settings"

    def __str__(self) -> str:
        return f"Reopen within {self.reopen_days} days"

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def current(cls) -> ServiceSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ServiceRequestQuerySet(ScopedQuerySet):
    organisation_field = "organisation"
    # A site-scoped user sees only requests of their sites; ``site IN (...)`` leaves out
    # requests without a site.
    site_field = "site"

    def involving(self, user_id: int) -> Self:
        """ "My requests": raised by, on behalf of, or watched by the user."""
        watched = ServiceRequest.watchers.through.objects.filter(user_id=user_id).values(
            "servicerequest_id"
        )
        return self.filter(
            models.Q(created_by_id=user_id)
            | models.Q(on_behalf_of_id=user_id)
            | models.Q(pk__in=watched)
        )

    def search(self, text: str) -> Self:
        """Number, asset tag or serial, site name, or title (T2)."""
        text = text.strip()
        if not text:
            return self
        condition = (
            models.Q(number__iexact=text)
            | models.Q(title__icontains=text)
            | models.Q(site__name__icontains=text)
            | models.Q(asset__asset_tag__icontains=text)
            | models.Q(asset__serial_number__icontains=text)
        )
        digits = text.upper().removeprefix("REQ-").lstrip("0")
        if digits.isdigit():
            condition |= models.Q(number=f"REQ-{int(digits):06d}")
        return self.filter(condition)

    def for_list(self) -> Self:
        return self.select_related("site", "asset", "asset__product_model", "category")


class ServiceRequest(models.Model):
    class State(models.TextChoices):
        NEW = "new", "New"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "in_progress", "In progress"
        AWAITING_CUSTOMER = "awaiting_customer", "Awaiting customer"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    # The transition table: the only way to change a state is service.services.change_state.
    TRANSITIONS: dict[str, set[str]] = {
        State.NEW: {State.ACKNOWLEDGED, State.SCHEDULED, State.IN_PROGRESS, State.CANCELLED},
        State.ACKNOWLEDGED: {
            State.SCHEDULED,
            State.IN_PROGRESS,
            State.AWAITING_CUSTOMER,
            State.RESOLVED,
            State.CANCELLED,
        },
        State.SCHEDULED: {
            State.IN_PROGRESS,
            State.AWAITING_CUSTOMER,
            State.RESOLVED,
            State.CANCELLED,
        },
        State.IN_PROGRESS: {State.SCHEDULED, State.AWAITING_CUSTOMER, State.RESOLVED},
        State.AWAITING_CUSTOMER: {
            State.IN_PROGRESS,
            State.SCHEDULED,
            State.RESOLVED,
            State.CANCELLED,
        },
        State.RESOLVED: {State.CLOSED, State.IN_PROGRESS},
        State.CLOSED: set(),
        State.CANCELLED: set(),
    }
    OPEN_STATES = (
        State.NEW,
        State.ACKNOWLEDGED,
        State.SCHEDULED,
        State.IN_PROGRESS,
        State.AWAITING_CUSTOMER,
    )

    number = models.CharField(max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey(
        "customers.Organisation", on_delete=models.PROTECT, related_name="service_requests"
    )
    site = models.ForeignKey(
        "customers.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    asset = models.ForeignKey(
        "assets.Asset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    title = models.CharField(max_length=200)
    description = models.TextField("Fault description", max_length=10000)
    contact_name = models.CharField("Contact person", max_length=150, blank=True)
    contact_phone = models.CharField("Contact phone", max_length=40, blank=True)
    additional_notes = models.TextField(
        "Additional notes",
        blank=True,
        max_length=4000,
        help_text="For the engineer: who to contact, access restrictions.",
    )
    extra = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_requests"
    )
    assigned_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_requests",
        limit_choices_to={"is_staff": True},
    )
    thread = models.OneToOneField(
        "threads.Thread", on_delete=models.PROTECT, related_name="service_request"
    )
    scheduled_for = models.DateTimeField("Scheduled visit", null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The service-level target that runs now, kept by the database: the response target
    # while new, the resolution target while otherwise open, none once closed. The agents'
    # queue reads open requests along its index in one query, whatever the table size.
    queue_due_at = models.GeneratedField(
        expression=models.Case(
            models.When(state="new", then=models.F("response_due_at")),
            models.When(
                state__in=["acknowledged", "scheduled", "in_progress", "awaiting_customer"],
                then=models.F("resolution_due_at"),
            ),
            default=None,
        ),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["organisation", "state", "-created_at"]),
            models.Index(fields=["created_by", "-created_at"]),
            models.Index(fields=["state", "resolution_due_at"]),
            models.Index(fields=["state", "response_due_at"]),
            models.Index(fields=["queue_due_at", "id"], name="service_req_queue_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def can_become(self, state: str) -> bool:
        return state in self.TRANSITIONS.get(self.state, set())

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_raised(self) -> bool:
        """Urgent or high: lists and the workspace flag it with a caution badge."""
        return self.priority in RAISED_PRIORITIES


class Recommendation(models.Model):
    """A technician's proposal with a quoted amount; the customer decides once (T5)."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Awaiting your response"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        QUESTION = "question", "Question asked"

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="recommendations"
    )
    entry = models.OneToOneField(
        "threads.Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(max_length=4000)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="GBP")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    response_text = models.TextField(blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request.number}: {self.description[:40]}"


class WorkLine(models.Model):
    """Parts & labour logged by technicians (T3)."""

    class Kind(models.TextChoices):
        PART = "part", "Part"
        LABOUR = "labour", "Labour"
        TRAVEL = "travel", "Travel"

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="work_lines")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("1"))
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="GBP")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["logged_at", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def total(self) -> Decimal:
        units = (
            self.hours
            if self.kind == self.Kind.LABOUR and self.hours is not None
            else self.quantity
        )
        return (units * self.unit_price).quantize(Decimal("0.01"))
