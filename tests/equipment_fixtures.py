"""Shared equipment objects for tests: a small catalogue and a few machines on known sites.

Import the fixtures into a conftest (``from tests.equipment_fixtures import catalogue,
equipment  # noqa: F401``) or call the builders directly.

Catalogue: a mono printer (meter Mono, 3,000 a month), a colour MFP (Mono 3,000, Colour
1,500) and a scanner (Scans); supplies fit one model each.
Machines (``equipment``): at Leeds Works (bob's only site) "LEEDS-MONO" and "LEEDS-COLOUR";
at Head Office "HO-MONO"; at Bristol Depot "BRS-COLOUR"; Globex's "GX-MONO".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from portico.assets.models import Asset, Attribute, ProductModel, Specification, Supply
from portico.core.rights import Function, Right
from portico.customers.demo import Foundation
from portico.customers.models import Membership, Organisation, Site
from portico.meters.models import Meter, MeterType


@dataclass
class Catalogue:
    mono: ProductModel
    colour: ProductModel
    scanner: ProductModel
    black: Supply  # mono printer, 3,000 pages of Mono
    drum: Supply  # mono printer, 30,000 pages of every meter
    colour_black: Supply  # colour MFP, 10,000 pages of every meter
    cyan: Supply  # colour MFP, 6,000 pages of Colour
    magenta: Supply  # colour MFP, 6,000 pages of Colour
    staples: Supply  # colour MFP, no yield
    withdrawn: Supply  # mono printer, no longer sold (inactive)
    rollers: Supply  # scanner


def _supply(code: str, model: ProductModel, **fields: Any) -> Supply:
    fields.setdefault("description", f"Supply {code}")
    fields.setdefault("kind", "Black toner")
    fields.setdefault("price", Decimal("50.00"))
    supply = Supply.objects.create(item_code=code, **fields)
    supply.fits.add(model)
    return supply


def build_catalogue() -> Catalogue:
    mono = ProductModel.objects.create(
        manufacturer="Brother", name="HL-5000", category=ProductModel.Category.PRINTER
    )
    colour = ProductModel.objects.create(
        manufacturer="Kyocera",
        name="TASKalfa 2500ci",
        category=ProductModel.Category.COPIER,
        warranty_months=24,
    )
    scanner = ProductModel.objects.create(
        manufacturer="Fujitsu", name="fi-8000", category=ProductModel.Category.SCANNER
    )
    MeterType.objects.create(product_model=mono, name="Mono", expected_monthly_volume=3000)
    MeterType.objects.create(
        product_model=colour, name="Mono", expected_monthly_volume=3000, position=1
    )
    MeterType.objects.create(
        product_model=colour, name="Colour", expected_monthly_volume=1500, position=2
    )
    MeterType.objects.create(product_model=scanner, name="Scans", expected_monthly_volume=6000)
    speed = Attribute.objects.create(name="Print speed", unit="ppm", position=1)
    paper = Attribute.objects.create(name="Maximum paper size", position=2)
    Specification.objects.create(product_model=mono, attribute=speed, value="40")
    Specification.objects.create(product_model=mono, attribute=paper, value="A4")
    Specification.objects.create(product_model=colour, attribute=speed, value="25")
    return Catalogue(
        mono=mono,
        colour=colour,
        scanner=scanner,
        black=_supply(
            "TN-100",
            mono,
            description="Black toner TN-100",
            yield_quantity=3000,
            meter_name="Mono",
            price=Decimal("60.00"),
        ),
        drum=_supply("DR-100", mono, description="Drum DR-100", kind="Drum", yield_quantity=30000),
        colour_black=_supply("TK-K", colour, description="Black toner TK-K", yield_quantity=10000),
        cyan=_supply(
            "TK-C",
            colour,
            description="Cyan toner TK-C",
            kind="Cyan toner",
            yield_quantity=6000,
            meter_name="Colour",
            price=Decimal("100.00"),
        ),
        magenta=_supply(
            "TK-M",
            colour,
            description="Magenta toner TK-M",
            kind="Magenta toner",
            yield_quantity=6000,
            meter_name="Colour",
            price=Decimal("100.00"),
        ),
        staples=_supply("SH-1", colour, description="Staples SH-1", kind="Staples"),
        withdrawn=_supply("TN-OLD", mono, description="Old toner", is_active=False),
        rollers=_supply(
            "PA-1",
            scanner,
            description="Roller kit",
            kind="Rollers",
            yield_quantity=200000,
            meter_name="Scans",
        ),
    )


def make_asset(site: Site, model: ProductModel, serial: str, **fields: Any) -> Asset:
    """A machine with one Meter per meter type of its model."""
    fields.setdefault("location", "Print room")
    asset = Asset.objects.create(
        organisation=site.organisation,
        site=site,
        product_model=model,
        serial_number=serial,
        **fields,
    )
    Meter.objects.bulk_create(
        Meter(asset=asset, meter_type=meter_type) for meter_type in model.meter_types.all()
    )
    return asset


@dataclass
class Equipment:
    catalogue: Catalogue
    leeds_mono: Asset
    leeds_colour: Asset
    head_office_mono: Asset
    bristol_colour: Asset
    globex_mono: Asset

    @property
    def leeds(self) -> Site:
        return self.leeds_mono.site

    @property
    def head_office(self) -> Site:
        return self.head_office_mono.site


def build_equipment(foundation: Foundation, catalogue: Catalogue | None = None) -> Equipment:
    catalogue = catalogue or build_catalogue()
    head_office, leeds, bristol = foundation.acme_sites[:3]
    today = timezone.localdate()
    return Equipment(
        catalogue=catalogue,
        leeds_mono=make_asset(
            leeds,
            catalogue.mono,
            "LEEDS-MONO",
            asset_tag="AC-0001",
            location="Goods-in office",
            warranty_ends_on=today + timedelta(days=300),
        ),
        leeds_colour=make_asset(
            leeds,
            catalogue.colour,
            "LEEDS-COLOUR",
            asset_tag="AC-0002",
            location="Drawing office",
            warranty_ends_on=today - timedelta(days=10),
        ),
        head_office_mono=make_asset(
            head_office, catalogue.mono, "HO-MONO", asset_tag="AC-0003", location="Reception"
        ),
        bristol_colour=make_asset(
            bristol,
            catalogue.colour,
            "BRS-COLOUR",
            location="Depot office",
            warranty_ends_on=today + timedelta(days=20),
        ),
        globex_mono=make_asset(
            foundation.globex_sites[0], catalogue.mono, "GX-MONO", location="Lobby"
        ),
    )


def member(
    organisation: Organisation, email: str, *, sites: list[Site] | None = None, **rights: Right
) -> Any:
    """A user at ``organisation`` with exactly the given rights, e.g. ``orders=Right.VIEW``."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email, "portico-demo", full_name=email)
    membership = Membership(user=user, organisation=organisation, all_sites=sites is None)
    membership.set_rights({Function(name).value: right for name, right in rights.items()})
    membership.save()
    if sites is not None:
        membership.sites.set(sites)
    return user


@pytest.fixture
def catalogue(db) -> Catalogue:
    return build_catalogue()


@pytest.fixture
def equipment(foundation, catalogue) -> Equipment:
    return build_equipment(foundation, catalogue)
