"""Customer organisations (with their hierarchy), sites and memberships with rights (A1–A6)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Substr

from portico.core.models import ScopedQuerySet
from portico.core.rights import Function, Right


class OrganisationQuerySet(ScopedQuerySet):
    organisation_field = "id"

    def descendants_of(self, organisation: Organisation) -> OrganisationQuerySet:
        return self.filter(path__startswith=organisation.path).exclude(pk=organisation.pk)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        BUSINESS = "business", "Business"
        INDIVIDUAL = "individual", "Individual"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    customer_number = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BUSINESS)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        help_text="The enterprise this organisation belongs to.",
    )
    bill_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="billed_accounts",
        help_text="The parent account invoiced for this account's charges.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    subsidiaries_share_data = models.BooleanField(
        default=False,
        help_text="Users of one subsidiary may see the other subsidiaries' data.",
    )
    require_two_factor = models.BooleanField(
        default=False, help_text="Every user of this organisation must use two-factor login."
    )
    # Materialised path of primary keys ("/1/4/9/"): descendants are one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def clean(self) -> None:
        if self.parent_id and self.pk:
            parent = self.parent
            if parent is not None and (
                parent.pk == self.pk or parent.path.startswith(self.path or "\0")
            ):
                raise ValidationError(
                    {"parent": "An organisation cannot sit below itself or its own subsidiary."}
                )
        if self.bill_to_id and self.pk and self.bill_to_id == self.pk:
            raise ValidationError({"bill_to": "An account cannot be billed to itself."})

    @transaction.atomic
    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        super().save(*args, **kwargs)
        parent_path = (
            Organisation.objects.values_list("path", flat=True).get(pk=self.parent_id)
            if self.parent_id
            else "/"
        )
        new_path = f"{parent_path}{self.pk}/"
        if new_path != old_path:
            Organisation.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                # Move the whole subtree along with its root.
                Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1))
                )


class SiteQuerySet(ScopedQuerySet):
    site_field = "id"


class Site(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    street = models.CharField("Street address", max_length=200, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True, default="United Kingdom")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return ", ".join(p for p in [self.street, self.postcode, self.city] if p)


def _right_field(function: Function) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        function.label, choices=Right.choices, default=Right.NONE
    )


class MembershipQuerySet(ScopedQuerySet):
    pass


class Membership(models.Model):
    """A user's place in an organisation: a right per function, a site scope, a reach."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=40, blank=True, help_text="Role template last applied.")
    tickets = _right_field(Function.TICKETS)
    orders = _right_field(Function.ORDERS)
    meters = _right_field(Function.METERS)
    invoices = _right_field(Function.INVOICES)
    payments = _right_field(Function.PAYMENTS)
    usage = _right_field(Function.USAGE)
    rmas = _right_field(Function.RMAS)
    assets = _right_field(Function.ASSETS)
    documents = _right_field(Function.DOCUMENTS)
    kb = _right_field(Function.KB)
    users = _right_field(Function.USERS)
    all_sites = models.BooleanField(default=True, help_text="Sees every site of the account.")
    sites = models.ManyToManyField(Site, blank=True, related_name="memberships")
    reaches_subsidiaries = models.BooleanField(
        default=False, help_text="Also sees the organisation's subsidiaries."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"

    def rights(self) -> dict[str, int]:
        return {function.value: getattr(self, function.value) for function in Function}

    def set_rights(self, rights: dict[str, int]) -> None:
        for function in Function:
            setattr(self, function.value, int(rights.get(function.value, Right.NONE)))

    @property
    def role_label(self) -> str:
        """The role template, marked when the rights were adjusted after applying it."""
        from .roles import ROLE_TEMPLATES, rights_for_role

        if self.role not in ROLE_TEMPLATES:
            return "Custom"
        return (
            self.role if rights_for_role(self.role) == self.rights() else f"{self.role} (adjusted)"
        )

    def rights_summary(self) -> str:
        """Short words for the rights held, e.g. "Amend: Service requests · View: Invoices"."""
        held: dict[int, list[str]] = {}
        for function in Function:
            value = getattr(self, function.value)
            if value > Right.NONE:
                held.setdefault(value, []).append(function.label)
        if not held:
            return "No access"
        if len(held) == 1 and len(next(iter(held.values()))) == len(Function):
            return f"{Right(next(iter(held))).label}: every function"
        return " · ".join(
            f"{Right(value).label}: {', '.join(labels)}"
            for value, labels in sorted(held.items(), reverse=True)
        )
