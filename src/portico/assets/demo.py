"""Demo catalogue and equipment, loaded by `portico demo` on top of the foundation.

Deterministic (fixed seed) and quick (bulk_create): six models from four manufacturers with
specifications, meter types and supplies; about sixty machines across Acme's six sites
(several at Leeds Works, bob's site), a few for Globex and Initech, and dana's own printer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from portico.customers.demo import Foundation
from portico.customers.models import Organisation, Site
from portico.meters.models import Meter, MeterType

from .models import Asset, Attribute, ProductModel, Specification, Supply

SEED = 20260301

ATTRIBUTES = [
    ("Print speed", "ppm"),
    ("Scan speed", "ppm"),
    ("Colour", ""),
    ("Maximum paper size", ""),
    ("Duplex", ""),
    ("Monthly duty cycle", "pages"),
    ("Connectivity", ""),
]


@dataclass(frozen=True)
class ModelSpec:
    key: str
    manufacturer: str
    name: str
    category: str
    warranty_months: int
    specs: dict[str, str]
    meters: list[tuple[str, int]]  # (meter name, expected monthly volume)
    # (item code, description, kind, yield, unit, meter name, price)
    supplies: list[tuple[str, str, str, int | None, str, str, str]]


P, C, S = ProductModel.Category.PRINTER, ProductModel.Category.COPIER, ProductModel.Category.SCANNER
PAGES, UNITS = Supply.YieldUnit.PAGES, Supply.YieldUnit.UNITS

CATALOGUE = [
    ModelSpec(
        "brother-mono",
        "Brother",
        "HL-L5210DN",
        P,
        36,
        {
            "Print speed": "48",
            "Colour": "No",
            "Maximum paper size": "A4",
            "Duplex": "Yes",
            "Monthly duty cycle": "4,000",
            "Connectivity": "Ethernet, USB",
        },
        [("Mono", 2000)],
        [
            ("TN-3600", "Brother TN-3600 black toner", "Black toner", 3000, PAGES, "Mono", "64.00"),
            (
                "TN-3600XL",
                "Brother TN-3600XL black toner, high yield",
                "Black toner",
                6000,
                PAGES,
                "Mono",
                "98.00",
            ),
            ("DR-3600", "Brother DR-3600 drum unit", "Drum", 75000, PAGES, "", "112.00"),
        ],
    ),
    ModelSpec(
        "hp-colour",
        "HP",
        "Color LaserJet Pro M455dn",
        P,
        12,
        {
            "Print speed": "27",
            "Colour": "Yes",
            "Maximum paper size": "A4",
            "Duplex": "Yes",
            "Monthly duty cycle": "4,000",
            "Connectivity": "Ethernet, USB",
        },
        [("Mono", 1200), ("Colour", 700)],
        [
            ("W2030X", "HP 415X black toner", "Black toner", 7500, PAGES, "", "186.00"),
            ("W2031X", "HP 415X cyan toner", "Cyan toner", 6000, PAGES, "Colour", "214.00"),
            ("W2033X", "HP 415X magenta toner", "Magenta toner", 6000, PAGES, "Colour", "214.00"),
            ("W2032X", "HP 415X yellow toner", "Yellow toner", 6000, PAGES, "Colour", "214.00"),
        ],
    ),
    ModelSpec(
        "kyocera-colour-mfp",
        "Kyocera",
        "TASKalfa 2554ci",
        C,
        36,
        {
            "Print speed": "25",
            "Scan speed": "100",
            "Colour": "Yes",
            "Maximum paper size": "A3",
            "Duplex": "Yes",
            "Monthly duty cycle": "20,000",
            "Connectivity": "Ethernet, Wi-Fi, USB",
        },
        [("Mono", 6000), ("Colour", 2500)],
        [
            ("TK-8365K", "Kyocera TK-8365K black toner", "Black toner", 25000, PAGES, "", "98.00"),
            (
                "TK-8365C",
                "Kyocera TK-8365C cyan toner",
                "Cyan toner",
                12000,
                PAGES,
                "Colour",
                "142.00",
            ),
            (
                "TK-8365M",
                "Kyocera TK-8365M magenta toner",
                "Magenta toner",
                12000,
                PAGES,
                "Colour",
                "142.00",
            ),
            (
                "TK-8365Y",
                "Kyocera TK-8365Y yellow toner",
                "Yellow toner",
                12000,
                PAGES,
                "Colour",
                "142.00",
            ),
            (
                "WT-8500",
                "Kyocera WT-8500 waste toner box",
                "Waste toner",
                40000,
                PAGES,
                "",
                "24.00",
            ),
            ("SH-10", "Staple cartridge SH-10 (3 × 5,000)", "Staples", None, UNITS, "", "38.00"),
        ],
    ),
    ModelSpec(
        "kyocera-mono-mfp",
        "Kyocera",
        "ECOSYS M3655idn",
        C,
        36,
        {
            "Print speed": "55",
            "Scan speed": "60",
            "Colour": "No",
            "Maximum paper size": "A4",
            "Duplex": "Yes",
            "Monthly duty cycle": "15,000",
            "Connectivity": "Ethernet, USB",
        },
        [("Mono", 4000)],
        [
            (
                "TK-3190",
                "Kyocera TK-3190 black toner",
                "Black toner",
                25000,
                PAGES,
                "Mono",
                "89.00",
            ),
            (
                "MK-3170",
                "Kyocera MK-3170 maintenance kit",
                "Maintenance kit",
                300000,
                PAGES,
                "",
                "210.00",
            ),
        ],
    ),
    ModelSpec(
        "ricoh-colour-mfp",
        "Ricoh",
        "IM C3000",
        C,
        24,
        {
            "Print speed": "30",
            "Scan speed": "80",
            "Colour": "Yes",
            "Maximum paper size": "A3",
            "Duplex": "Yes",
            "Monthly duty cycle": "25,000",
            "Connectivity": "Ethernet, Wi-Fi, USB",
        },
        [("Mono", 5000), ("Colour", 3000)],
        [
            ("842311", "Ricoh IM C3000 black toner", "Black toner", 33000, PAGES, "", "84.00"),
            ("842314", "Ricoh IM C3000 cyan toner", "Cyan toner", 18000, PAGES, "Colour", "126.00"),
            (
                "842313",
                "Ricoh IM C3000 magenta toner",
                "Magenta toner",
                18000,
                PAGES,
                "Colour",
                "126.00",
            ),
            (
                "842312",
                "Ricoh IM C3000 yellow toner",
                "Yellow toner",
                18000,
                PAGES,
                "Colour",
                "126.00",
            ),
        ],
    ),
    ModelSpec(
        "fujitsu-scanner",
        "Fujitsu",
        "fi-8170",
        S,
        12,
        {
            "Scan speed": "70",
            "Colour": "Yes",
            "Maximum paper size": "A4",
            "Duplex": "Yes",
            "Monthly duty cycle": "10,000",
            "Connectivity": "Ethernet, USB",
        },
        [("Scans", 8000)],
        [
            (
                "PA03740-K011",
                "Fujitsu fi-8170 consumable kit (rollers)",
                "Roller kit",
                400000,
                PAGES,
                "Scans",
                "96.00",
            ),
            (
                "CG01000-527301",
                "Scanner cleaning wipes (24)",
                "Cleaning kit",
                None,
                UNITS,
                "",
                "18.00",
            ),
        ],
    ),
]

# How Acme's sixty machines spread over its six sites (in foundation order).
ACME_MACHINES_PER_SITE = [16, 10, 9, 9, 8, 8]
LOCATIONS = [
    "Reception",
    "Finance, 1st floor",
    "Print room",
    "Sales, 2nd floor",
    "HR office",
    "Warehouse office",
    "Meeting room corridor",
    "Design studio",
    "Loading bay",
    "IT office",
]
SERIAL_PREFIX = {"Brother": "E7", "HP": "CN", "Kyocera": "VCF", "Ricoh": "3130R", "Fujitsu": "FJA"}
# Acme machines mostly print; a few models appear more often than others.
MODEL_WEIGHTS = {
    "brother-mono": 5,
    "hp-colour": 3,
    "kyocera-colour-mfp": 3,
    "kyocera-mono-mfp": 3,
    "ricoh-colour-mfp": 2,
    "fujitsu-scanner": 1,
}


def load_catalogue() -> dict[str, ProductModel]:
    attributes = {
        name: Attribute(name=name, unit=unit, position=i)
        for i, (name, unit) in enumerate(ATTRIBUTES)
    }
    Attribute.objects.bulk_create(attributes.values())
    models: dict[str, ProductModel] = {}
    for spec in CATALOGUE:
        models[spec.key] = ProductModel.objects.create(
            manufacturer=spec.manufacturer,
            name=spec.name,
            category=spec.category,
            warranty_months=spec.warranty_months,
        )
    Specification.objects.bulk_create(
        Specification(product_model=models[spec.key], attribute=attributes[name], value=value)
        for spec in CATALOGUE
        for name, value in spec.specs.items()
    )
    MeterType.objects.bulk_create(
        MeterType(
            product_model=models[spec.key], name=name, expected_monthly_volume=volume, position=i
        )
        for spec in CATALOGUE
        for i, (name, volume) in enumerate(spec.meters)
    )
    for spec in CATALOGUE:
        for code, description, kind, yield_quantity, unit, meter, price in spec.supplies:
            supply = Supply.objects.create(
                item_code=code,
                description=description,
                kind=kind,
                yield_quantity=yield_quantity,
                yield_unit=unit,
                meter_name=meter,
                price=Decimal(price),
            )
            supply.fits.add(models[spec.key])
    return models


class _Machines:
    """Builds Asset rows with plausible, reproducible details."""

    def __init__(self, models: dict[str, ProductModel]) -> None:
        self.models = models
        self.random = random.Random(SEED)
        self.today = timezone.localdate()
        self.serials: set[str] = set()
        self.assets: list[Asset] = []

    def serial(self, model: ProductModel) -> str:
        while True:
            prefix = SERIAL_PREFIX.get(model.manufacturer, "SN")
            serial = f"{prefix}{self.random.randrange(10**6, 10**7)}"
            if serial not in self.serials:
                self.serials.add(serial)
                return serial

    def pick_model(self) -> ProductModel:
        keys = list(MODEL_WEIGHTS)
        key = self.random.choices(keys, weights=[MODEL_WEIGHTS[k] for k in keys])[0]
        return self.models[key]

    def add(
        self,
        organisation: Organisation,
        site: Site,
        model: ProductModel | None = None,
        tag_prefix: str = "",
        **extra: object,
    ) -> Asset:
        model = model or self.pick_model()
        installed = self.today - timedelta(days=self.random.randrange(60, 5 * 365))
        # Most machines carry the model's warranty (or a 3-year service contract); a few unknown.
        warranty: date | None = installed + timedelta(days=max(model.warranty_months, 36) * 30)
        if self.random.random() < 0.1:
            warranty = None
        asset = Asset(
            organisation=organisation,
            site=site,
            product_model=model,
            serial_number=self.serial(model),
            asset_tag=f"{tag_prefix}{len(self.assets) + 1:04d}" if tag_prefix else "",
            location=self.random.choice(LOCATIONS),
            install_date=installed,
            manufactured_on=installed - timedelta(days=self.random.randrange(30, 240)),
            warranty_ends_on=warranty,
        )
        for name, value in extra.items():
            setattr(asset, name, value)
        self.assets.append(asset)
        return asset


def load(foundation: Foundation) -> None:
    models = load_catalogue()
    machines = _Machines(models)
    acme_sites = foundation.acme_sites
    leeds = acme_sites[1]
    for site, count in zip(acme_sites, ACME_MACHINES_PER_SITE, strict=True):
        for _ in range(count):
            machines.add(foundation.acme, site, tag_prefix="ACME-")

    # Leeds Works (bob's site): the remote-monitored copier and one on on-site stock.
    leeds_machines = [a for a in machines.assets if a.site_id == leeds.pk]
    remote = leeds_machines[0]
    remote.product_model = models["kyocera-colour-mfp"]
    remote.is_remote_monitored = True
    remote.location = "Print room"
    onsite = leeds_machines[1]
    onsite.product_model = models["kyocera-mono-mfp"]
    onsite.replenishment = Asset.Replenishment.ONSITE
    onsite.location = "Warehouse office"
    # Head Office: a copier supplied automatically from remote monitoring.
    automatic = machines.assets[0]
    automatic.product_model = models["ricoh-colour-mfp"]
    automatic.replenishment = Asset.Replenishment.AUTOMATIC
    automatic.is_remote_monitored = True
    # Manchester: a printer alice added herself, waiting for confirmation.
    manchester = next(a for a in machines.assets if a.site_id == acme_sites[3].pk)
    manchester.is_customer_registered = True
    manchester.registered_by = foundation.users["alice"]
    manchester.install_date = None

    for site in foundation.globex_sites:
        for _ in range(3):
            machines.add(foundation.globex, site, tag_prefix="GX-")
    for organisation in (foundation.initech, foundation.initech_north, foundation.initech_south):
        first_site = Site.objects.filter(organisation=organisation).order_by("pk").first()
        if first_site is not None:
            for _ in range(2):
                machines.add(organisation, first_site)

    dana_home = Site.objects.filter(organisation=foundation.dana_account).first()
    if dana_home is not None:
        purchased = machines.today - timedelta(days=200)
        product = machines.add(
            foundation.dana_account,
            dana_home,
            models["brother-mono"],
            location="Study",
            purchased_on=purchased,
            install_date=None,
            manufactured_on=None,
            registered_by=foundation.users["dana"],
            confirmed_at=timezone.now() - timedelta(days=195),
        )
        product.warranty_ends_on = product.warranty_from_purchase()

    Asset.objects.bulk_create(machines.assets, batch_size=500)
    _backdate(machines.assets)
    create_meters(machines.assets)


def _backdate(assets: list[Asset]) -> None:
    """A machine went on record when it was installed (or bought), not when the demo ran."""
    for asset in assets:
        day = asset.install_date or asset.purchased_on
        if day is not None and not asset.is_customer_registered:
            asset.created_at = timezone.make_aware(datetime.combine(day, time(9, 0)))
            Asset.objects.filter(pk=asset.pk).update(created_at=asset.created_at)


def create_meters(assets: list[Asset]) -> None:
    """One Meter per machine and meter type of its model (the meters app adds readings)."""
    types: dict[int, list[MeterType]] = {}
    for meter_type in MeterType.objects.all():
        types.setdefault(meter_type.product_model_id, []).append(meter_type)
    Meter.objects.bulk_create(
        (
            Meter(asset=asset, meter_type=meter_type)
            for asset in assets
            for meter_type in types.get(asset.product_model_id, [])
        ),
        batch_size=1000,
    )
