"""Builders for service-request tests: real objects made through the real services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from portico.assets.models import Asset, ProductModel
from portico.core.access import build_scope
from portico.service.models import Category, ServiceLevel, ServiceRequest
from portico.service.services import create_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def text_file(name: str = "notes.txt", content: bytes = b"Hello engineer\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def machine(organisation: Any, site: Any, serial: str, tag: str = "") -> Asset:
    model, _ = ProductModel.objects.get_or_create(manufacturer="Kyocera", name="TASKalfa 3554ci")
    return Asset.objects.create(
        organisation=organisation,
        site=site,
        product_model=model,
        serial_number=serial,
        asset_tag=tag,
    )


def service_levels() -> None:
    for priority, response, resolution in [
        ("low", 24, 120),
        ("normal", 8, 48),
        ("high", 4, 24),
        ("urgent", 2, 8),
    ]:
        ServiceLevel.objects.update_or_create(
            priority=priority,
            defaults={"response_hours": response, "resolution_hours": resolution},
        )


def raise_request(user: Any, **fields: Any) -> ServiceRequest:
    """A request raised by ``user`` in their own scope (defaults: first visible site)."""
    scope = build_scope(user)
    if "site" not in fields and "asset" not in fields:
        from portico.customers.models import Site

        fields["site"] = Site.objects.visible_to(scope).order_by("pk").first()
    fields.setdefault("title", "Paper jam in tray 2")
    fields.setdefault("description", "Jams on every job since Monday.")
    return create_request(scope=scope, actor=user, **fields)


def category(name: str = "Fault") -> Category:
    return Category.objects.get_or_create(name=name)[0]


AMOUNT = Decimal("185.00")
