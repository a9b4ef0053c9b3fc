"""Bulk equipment for benchmarks: ``portico generate_assets --assets 50000``.

Machines are spread over the organisation's sites (or the sites it is given), use the catalogue
that exists (run ``portico demo`` first), and each gets one Meter per meter type of its model,
ready for a readings generator. Rows are written with bulk_create in batches, one transaction
per batch, so memory stays flat and an interrupted run keeps what it wrote.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from portico.assets.models import Asset, ProductModel
from portico.customers.models import Organisation, Site
from portico.meters.models import Meter, MeterType


class Command(BaseCommand):
    help = "Create many machines (with their meters) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assets", type=int, default=50_000, help="How many machines.")
        parser.add_argument(
            "--organisation",
            default="C-1001",
            help="Customer number of the owning organisation (default: Acme, C-1001).",
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--prefix", default="BENCH", help="Serial number prefix, e.g. BENCH-0000001."
        )
        parser.add_argument("--no-meters", action="store_true", help="Skip the Meter rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["assets"]
        batch_size: int = max(1, options["batch_size"])
        organisation = Organisation.objects.filter(customer_number=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with customer number {options['organisation']}.")
        sites = list(Site.objects.filter(organisation=organisation).order_by("pk"))
        models = list(ProductModel.objects.filter(is_active=True).order_by("pk"))
        if not sites or not models:
            raise CommandError("The organisation needs a site and the catalogue a model: run demo.")
        meter_types: dict[int, list[MeterType]] = {}
        for meter_type in MeterType.objects.filter(product_model__in=models):
            meter_types.setdefault(meter_type.product_model_id, []).append(meter_type)

        prefix = options["prefix"]
        start = Asset.objects.filter(serial_number__startswith=f"{prefix}-").count()
        rng = random.Random(options["seed"])
        today = timezone.localdate()
        written = 0
        while written < count:
            size = min(batch_size, count - written)
            batch = []
            for i in range(start + written, start + written + size):
                installed = today - timedelta(days=rng.randrange(30, 6 * 365))
                batch.append(
                    Asset(
                        organisation=organisation,
                        site=sites[i % len(sites)],
                        product_model=models[rng.randrange(len(models))],
                        serial_number=f"{prefix}-{i:07d}",
                        asset_tag=f"B{i:07d}",
                        location=f"Floor {i % 12}, room {i % 40}",
                        install_date=installed,
                        warranty_ends_on=installed + timedelta(days=3 * 365) if i % 10 else None,
                    )
                )
            with transaction.atomic():
                Asset.objects.bulk_create(batch)
                if not options["no_meters"]:
                    Meter.objects.bulk_create(
                        Meter(asset=asset, meter_type=meter_type)
                        for asset in batch
                        for meter_type in meter_types.get(asset.product_model_id, [])
                    )
            written += size
            if options["verbosity"] > 1:
                self.stdout.write(f"{written}/{count}")
        self.stdout.write(
            self.style.SUCCESS(f"Created {written} machines for {organisation.name}.")
        )
