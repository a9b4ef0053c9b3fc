"""Shared building blocks: the scoped QuerySet, readable numbers, branding."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from .access import Scope


class ScopedQuerySet(models.QuerySet):
    """A QuerySet of customer data that knows how to narrow itself to a Scope.

    Subclasses name the path to the owning organisation and, when the data belongs to a
    site, the path to the site; ``visible_to`` then applies organisation reach and site scope.
    """

    organisation_field: str = "organisation"
    site_field: str | None = None

    def visible_to(self, scope: Scope) -> Self:
        if scope.organisation is None:
            return self.none()
        return self.visible_in(*scope.reach)

    def visible_in(self, organisation_ids: list[int], site_ids: list[int] | None) -> Self:
        """What a scope reaching these organisations sees (and only these of their sites,
        unless ``site_ids`` is None). Pages use ``visible_to``; this is its half that takes
        plain ids, so a query on it can be compiled once (``core.prepared``)."""
        qs = self.filter(**{f"{self.organisation_field}__in": organisation_ids})
        if self.site_field is not None and site_ids is not None:
            qs = qs.filter(**{f"{self.site_field}__in": site_ids})
        return qs


class NumberSequence(models.Model):
    """Gap-free counter per kind (and year), advanced inside the creating transaction."""

    kind = models.CharField(max_length=20)
    year = models.PositiveIntegerField(default=0)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="unique_sequence")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year or ''} at {self.last_value}"


def next_number(kind: str, *, per_year: bool = False, width: int = 6) -> str:
    """Return the next readable number, e.g. ``REQ-000123`` or ``INV-2026-000012``.

    Must run inside the transaction that creates the numbered row, so a rollback
    gives the number back and the sequence stays gap-free.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must be called inside a transaction.")
    year = timezone.localdate().year if per_year else 0
    NumberSequence.objects.get_or_create(kind=kind, year=year)
    sequence = NumberSequence.objects.select_for_update().get(kind=kind, year=year)
    sequence.last_value = models.F("last_value") + 1
    sequence.save(update_fields=["last_value"])
    sequence.refresh_from_db(fields=["last_value"])
    middle = f"{year}-" if per_year else ""
    return f"{kind}-{middle}{sequence.last_value:0{width}d}"


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value):
        raise ValidationError("Enter a colour as # followed by six hex digits, e.g. #1d4ed8.")


def validate_logo(upload: Any) -> None:
    name = upload.name.lower()
    if not name.endswith((".png", ".svg", ".jpg", ".jpeg", ".webp")):
        raise ValidationError("The logo must be a PNG, SVG, JPEG or WebP image.")
    if upload.size > 512 * 1024:
        raise ValidationError("The logo must be smaller than 512 KB.")


class Branding(models.Model):
    """The provider's look and words (H5). One row; edited in the back office."""

    CACHE_KEY = "portico:branding:v1"

    product_name = models.CharField(max_length=80, default="Portico")
    provider_name = models.CharField(max_length=120, default="Your service provider")
    logo = models.FileField(upload_to="branding/", blank=True, validators=[validate_logo])
    primary_colour = models.CharField(
        max_length=7, default="#1d4ed8", validators=[validate_hex_colour]
    )
    accent_colour = models.CharField(
        max_length=7, default="#0f766e", validators=[validate_hex_colour]
    )
    support_email = models.EmailField(blank=True)
    labels = models.JSONField(
        default=dict,
        blank=True,
        help_text="Menu labels and button texts that differ from the defaults, by key.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "branding"
        verbose_name_plural = "branding"

    def __str__(self) -> str:
        return self.product_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        transaction.on_commit(lambda: cache.delete(self.CACHE_KEY))

    @property
    def version(self) -> int | str:
        """When it last changed, in seconds since the epoch (as ``|date:'U'`` writes it): the
        ``?v=`` that makes browsers fetch a changed stylesheet or logo. Empty when unsaved."""
        return "" if self.updated_at is None else int(self.updated_at.timestamp())

    @classmethod
    def current(cls) -> Branding:
        branding = cache.get(cls.CACHE_KEY)
        if branding is None:
            branding = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache.set(cls.CACHE_KEY, branding, 300)
        return branding
