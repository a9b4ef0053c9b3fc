"""Every write to equipment: customers register machines (E3, E4), staff confirm them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from portico.core.access import Scope
from portico.core.rights import Function, Right
from portico.customers.models import Organisation, Site

from .models import Asset, ProductModel


class AssetError(Exception):
    """A registration the customer can fix; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def is_individual(scope: Scope) -> bool:
    return (
        scope.organisation is not None and scope.organisation.kind == Organisation.Kind.INDIVIDUAL
    )


@transaction.atomic
def register_asset(
    *,
    actor: Any,
    scope: Scope,
    product_model: ProductModel,
    site: Site,
    serial_number: str,
    location: str = "",
    asset_tag: str = "",
    purchased_on: date | None = None,
) -> Asset:
    """A customer adds a machine (or an individual their product): flagged until staff confirm."""
    if not scope.can(Function.ASSETS, Right.CREATE):
        raise PermissionDenied("Your access rights do not include adding equipment.")
    if not Site.objects.visible_to(scope).filter(pk=site.pk).exists():
        raise AssetError("Choose one of your sites.", field="site")
    if not product_model.is_active:
        raise AssetError("Choose a model from the list.", field="product_model")
    serial_number = serial_number.strip()
    if not serial_number:
        raise AssetError("Enter the serial number.", field="serial_number")
    if purchased_on is not None and purchased_on > timezone.localdate():
        raise AssetError("The purchase date cannot be in the future.", field="purchased_on")
    if Asset.objects.filter(serial_number__iexact=serial_number).exists():
        raise AssetError(
            "A machine with this serial number is already registered. If it is yours, "
            "please contact us and we will move it to your account.",
            field="serial_number",
        )
    asset = Asset(
        organisation_id=site.organisation_id,
        site=site,
        product_model=product_model,
        serial_number=serial_number,
        location=location.strip(),
        asset_tag=asset_tag.strip(),
        purchased_on=purchased_on,
        is_customer_registered=True,
        registered_by=actor,
    )
    asset.warranty_ends_on = asset.warranty_from_purchase()
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError as exc:  # the same serial registered a moment ago
        raise AssetError(
            "A machine with this serial number is already registered.", field="serial_number"
        ) from exc
    add_missing_meters(asset)
    return asset


def add_missing_meters(asset: Asset) -> None:
    """One Meter per meter type of the machine's model, so readings can be entered."""
    from portico.meters.models import Meter

    present = set(asset.meters.values_list("meter_type_id", flat=True))
    Meter.objects.bulk_create(
        Meter(asset=asset, meter_type=meter_type)
        for meter_type in asset.product_model.meter_types.all()
        if meter_type.pk not in present
    )


@transaction.atomic
def confirm_asset(*, asset: Asset, actor: Any) -> bool:
    """Staff confirm a customer-registered machine. Returns False if it needed nothing."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only provider staff confirm equipment.")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if not asset.is_customer_registered:
        return False
    asset.is_customer_registered = False
    asset.confirmed_at = timezone.now()
    asset.save(update_fields=["is_customer_registered", "confirmed_at"])
    return True
