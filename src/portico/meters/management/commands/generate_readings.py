"""Bulk historical readings for benchmarks: ``manage.py generate_readings --per-meter 100``.

Readings are added before each meter's earliest reading (so the latest values, and the
meter's ``last_value``, stay as they are), ``--interval-days`` apart, in batches. A meter
without readings gets a current one too. 50,000 machines × 1 meter × 100 = 5,000,000 rows.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from portico.meters.models import Meter, MeterReading

FALLBACK_MONTHLY_VOLUME = 500
CHUNK = 1000


class Command(BaseCommand):
    help = "Add many historical meter readings for benchmarks (bulk inserts in batches)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-meter", type=int, default=100, help="Readings per meter.")
        parser.add_argument("--interval-days", type=int, default=7, help="Days between readings.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per INSERT batch.")
        parser.add_argument(
            "--organisation", help="Only this customer number's meters (default: every meter)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (deterministic).")

    def handle(self, *args: Any, **options: Any) -> None:
        per_meter: int = options["per_meter"]
        interval = timedelta(days=max(options["interval_days"], 1))
        batch_size: int = options["batch_size"]
        rng = random.Random(options["seed"])
        meters = Meter.objects.order_by("pk")
        if options["organisation"]:
            meters = meters.filter(asset__organisation__customer_number=options["organisation"])
        pairs = meters.values_list("pk", "meter_type__expected_monthly_volume")
        now = timezone.now().replace(microsecond=0)
        pending: list[MeterReading] = []
        created = 0
        chunk: list[tuple[int, int]] = []

        def flush() -> None:
            nonlocal created, pending
            if pending:
                with transaction.atomic():
                    MeterReading.objects.bulk_create(
                        pending, batch_size=batch_size, ignore_conflicts=True
                    )
                created += len(pending)
                pending = []
                self.stdout.write(f"  {created:,} readings written", ending="\r")

        def generate(chunk: list[tuple[int, int]]) -> None:
            firsts = {
                row["meter_id"]: (row["first_at"], row["first_value"])
                for row in MeterReading.objects.filter(meter_id__in=[pk for pk, _ in chunk])
                .values("meter_id")
                .annotate(first_at=Min("read_at"), first_value=Min("value"))
            }
            fresh: list[Meter] = []
            for pk, monthly in chunk:
                per_step = (monthly or FALLBACK_MONTHLY_VOLUME) * interval.days / 30.4
                first_at, value = firsts.get(pk, (None, None))
                if first_at is None:
                    first_at, value = now, int(per_step * per_meter * rng.uniform(1.1, 2.0))
                    pending.append(MeterReading(meter_id=pk, value=value, read_at=first_at))
                    fresh.append(Meter(pk=pk, last_value=value, last_read_at=first_at))
                at: datetime = first_at
                for _ in range(per_meter):
                    at -= interval
                    value = max(value - int(per_step * rng.uniform(0.5, 1.5)), 0)
                    pending.append(MeterReading(meter_id=pk, value=value, read_at=at))
                if len(pending) >= batch_size:
                    flush()
            if fresh:
                Meter.objects.bulk_update(fresh, ["last_value", "last_read_at"])

        # Read the (small) list of meters first: SQLite does not isolate a cursor from writes.
        for pair in list(pairs):
            chunk.append(pair)
            if len(chunk) >= CHUNK:
                generate(chunk)
                chunk = []
        if chunk:
            generate(chunk)
        flush()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Added {created:,} readings."))
