"""Every write the meters domain allows: readings entered by hand (M1, M2) and received
from remote monitoring (M3). Each function takes the acting user (or system) and re-checks
what it may do; rules live in ``validation.py``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from portico.core.access import Scope, build_scope
from portico.core.rights import Function, Right

from .models import Meter, MeterReading, MonitoringSystem, ValidationSettings
from .validation import (
    Outcome,
    Point,
    Rules,
    Verdict,
    average_daily_increase,
    check_date,
    check_order,
    daily_volume,
    number,
    validate_reading,
)

MAX_BATCH_ROWS = 1000
# How far back the machine's "own recent average" looks.
AVERAGE_WINDOW = timedelta(days=180)
# A repeated submit (double click, browser refresh) of the value just saved is not a new reading.
RESUBMIT_WINDOW = timedelta(minutes=10)

REMOTE_REFUSED = (
    "This machine's readings arrive by remote monitoring and cannot be entered by hand."
)


def rules_from(settings: ValidationSettings) -> Rules:
    return Rules(
        caution_factor=settings.caution_factor,
        max_days_in_past=settings.max_days_in_past,
        max_days_in_future=settings.max_days_in_future,
        use_average=settings.basis == ValidationSettings.Basis.AVERAGE,
    )


@dataclass(frozen=True)
class ReadingResult:
    verdict: Verdict
    reading: MeterReading | None = None
    created: bool = False

    @property
    def outcome(self) -> Outcome:
        return self.verdict.outcome

    @property
    def message(self) -> str:
        return self.verdict.message


def _require_create_right(*, actor: Any, meter: Meter, scope: Scope | None) -> None:
    """The actor may enter readings for this meter: right and site scope, checked again here."""
    if scope is None or getattr(scope.user, "pk", None) != actor.pk:
        organisation_id = (
            Meter.objects.filter(pk=meter.pk)
            .values_list("asset__organisation_id", flat=True)
            .first()
        )
        scope = build_scope(actor, organisation_id)
    if not scope.can(Function.METERS, Right.CREATE):
        raise PermissionDenied("Your access rights do not include entering meter readings.")
    if not Meter.objects.visible_to(scope).filter(pk=meter.pk).exists():
        raise PermissionDenied("This meter is not one of yours.")


def _neighbours(meter: Meter, read_at: datetime) -> tuple[Point | None, Point | None, bool]:
    """The readings just before and after ``read_at``, and whether one exists at that moment."""
    if meter.last_read_at is None or meter.last_value is None:
        return None, None, False
    if read_at > meter.last_read_at:
        return Point(meter.last_value, meter.last_read_at), None, False
    readings = meter.readings.order_by()
    before = readings.filter(read_at__lt=read_at).order_by("-read_at").first()
    after = readings.filter(read_at__gt=read_at).order_by("read_at").first()
    clash = readings.filter(read_at=read_at).exists()
    return (
        Point(before.value, before.read_at) if before else None,
        Point(after.value, after.read_at) if after else None,
        clash,
    )


def _own_average(meter: Meter, previous: Point | None, read_at: datetime) -> Decimal | None:
    if previous is None:
        return None
    oldest = (
        meter.readings.filter(read_at__gte=read_at - AVERAGE_WINDOW, read_at__lt=previous.read_at)
        .order_by("read_at")
        .values_list("value", "read_at")
        .first()
    )
    return average_daily_increase(Point(*oldest), previous) if oldest else None


def _is_resubmit(meter: Meter, value: int, actor: Any) -> MeterReading | None:
    if meter.last_value != value:
        return None
    last = meter.readings.order_by("-read_at").first()
    recent = timezone.now() - RESUBMIT_WINDOW
    if last and last.entered_by_id == actor.pk and last.created_at >= recent:
        return last
    return None


@transaction.atomic
def record_reading(
    *,
    meter: Meter,
    value: int,
    read_at: datetime,
    actor: Any,
    confirm: bool = False,
    scope: Scope | None = None,
) -> ReadingResult:
    """Check one hand-entered reading and save it unless it is rejected or needs confirming.

    A caution is saved only with ``confirm`` (check_result "confirmed"). The meter's latest
    value moves only when the reading is the newest. ``scope`` saves rebuilding the actor's
    scope when the caller already holds it.
    """
    _require_create_right(actor=actor, meter=meter, scope=scope)
    meter = (
        Meter.objects.select_for_update(of=("self",))
        .select_related("asset", "meter_type")
        .get(pk=meter.pk)
    )
    if meter.asset.is_remote_monitored:
        return ReadingResult(Verdict(Outcome.REJECTED, REMOTE_REFUSED))
    repeated = _is_resubmit(meter, value, actor)
    if repeated is not None:
        return ReadingResult(Verdict(Outcome.ACCEPTED), repeated, created=False)

    previous, following, clash = _neighbours(meter, read_at)
    if clash:
        return ReadingResult(
            Verdict(Outcome.REJECTED, "There is already a reading at this date and time.")
        )
    rules = rules_from(ValidationSettings.current())
    own_average = _own_average(meter, previous, read_at) if rules.use_average else None
    verdict = validate_reading(
        value=value,
        read_at=read_at,
        read_on=timezone.localdate(read_at),
        today=timezone.localdate(),
        previous=previous,
        following=following,
        daily=daily_volume(
            rules=rules,
            monthly_volume=meter.meter_type.expected_monthly_volume,
            own_average=own_average,
        ),
        rules=rules,
    )
    if verdict.outcome == Outcome.REJECTED or (verdict.outcome == Outcome.CAUTION and not confirm):
        return ReadingResult(verdict)

    reading = MeterReading.objects.create(
        meter=meter,
        value=value,
        read_at=read_at,
        source=MeterReading.Source.MANUAL,
        check_result=(
            MeterReading.Check.CONFIRMED
            if verdict.outcome == Outcome.CAUTION
            else MeterReading.Check.ACCEPTED
        ),
        entered_by=actor,
    )
    if meter.last_read_at is None or read_at > meter.last_read_at:
        meter.last_value, meter.last_read_at = value, read_at
        meter.save(update_fields=["last_value", "last_read_at"])
    return ReadingResult(Verdict(Outcome.ACCEPTED), reading, created=True)


# --- Remote monitoring (M3) ---------------------------------------------------------------


class BatchTooLarge(ValueError):
    pass


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, error: str) -> None:
        self.rejected.append({"row": row, "error": error})

    def as_dict(self) -> dict[str, Any]:
        self.rejected.sort(key=lambda r: r["row"])
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


@dataclass(frozen=True)
class RemoteRow:
    index: int
    serial: str
    meter_name: str
    value: int
    read_at: datetime


def parse_remote_row(index: int, row: Any) -> RemoteRow:
    """One row of a batch, or ValueError with a sentence saying what is wrong."""
    if not isinstance(row, dict):
        raise ValueError("Each reading must be an object with serial, meter, value and read_at.")
    serial, meter_name, value, read_at = (
        row.get(k) for k in ("serial", "meter", "value", "read_at")
    )
    if not isinstance(serial, str) or not serial.strip():
        raise ValueError("'serial' must be the machine's serial number.")
    if not isinstance(meter_name, str) or not meter_name.strip():
        raise ValueError("'meter' must be the meter's name, e.g. 'Mono'.")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("'value' must be a whole number of at least 0.")
    try:
        when = datetime.fromisoformat(read_at) if isinstance(read_at, str) else None
    except ValueError:
        when = None
    if when is None or timezone.is_naive(when):
        raise ValueError(
            "'read_at' must be a date and time with a time zone, e.g. 2026-11-01T08:00:00Z."
        )
    return RemoteRow(index, serial.strip(), meter_name.strip(), value, when)


def _meters_for(rows: list[RemoteRow]) -> dict[tuple[str, str], Meter]:
    serials = {r.serial for r in rows}
    meters = Meter.objects.filter(asset__serial_number__in=serials).select_related(
        "asset", "meter_type"
    )
    return {(m.asset.serial_number, m.meter_type.name.casefold()): m for m in meters}


def ingest_remote_readings(*, system: MonitoringSystem, rows: list[Any]) -> IngestReport:
    """Store a batch of readings from a monitoring system, idempotently.

    A row already stored (same meter and moment, same value) counts as a duplicate and
    creates nothing, so a replayed batch is harmless. Rows for unknown machines or meters,
    dated outside the allowed window, or lower than the reading before them are reported
    and skipped; the rest are saved. Readings are accepted for any known serial number and
    marked as remote, monitored flag or not (a machine whose agent is installed before
    staff set the flag still reports); plausibility cautions do not apply, as no
    person is there to confirm them.
    """
    if not system.is_active or not system.pk:
        raise PermissionDenied("This monitoring system is not active.")
    if len(rows) > MAX_BATCH_ROWS:
        raise BatchTooLarge(f"Send at most {MAX_BATCH_ROWS} readings per request.")
    report = IngestReport()
    parsed: list[RemoteRow] = []
    for index, row in enumerate(rows):
        try:
            parsed.append(parse_remote_row(index, row))
        except ValueError as error:
            report.reject(index, str(error))
    if not parsed:
        return report

    by_key = _meters_for(parsed)
    grouped: dict[int, list[RemoteRow]] = defaultdict(list)
    for row in parsed:
        meter = by_key.get((row.serial, row.meter_name.casefold()))
        if meter is None:
            known = any(serial == row.serial for serial, _ in by_key)
            report.reject(
                row.index,
                f"Machine {row.serial} has no meter named '{row.meter_name}'."
                if known
                else f"No machine with serial number {row.serial}.",
            )
            continue
        grouped[meter.pk].append(row)
    if grouped:
        _store_remote(system, grouped, report)
    return report


@transaction.atomic
def _store_remote(
    system: MonitoringSystem, grouped: dict[int, list[RemoteRow]], report: IngestReport
) -> None:
    # Lock only the meters (Meta.ordering joins their shared types), always in pk order.
    locked = Meter.objects.select_for_update(of=("self",)).filter(pk__in=grouped).order_by("pk")
    meters = {m.pk: m for m in locked}
    moments = {row.read_at for rows in grouped.values() for row in rows}
    stored = {
        (meter_id, read_at): value
        for meter_id, read_at, value in MeterReading.objects.filter(
            meter_id__in=grouped, read_at__in=moments
        ).values_list("meter_id", "read_at", "value")
    }
    rules = rules_from(ValidationSettings.current())
    today = timezone.localdate()
    new: list[MeterReading] = []
    moved: list[Meter] = []
    for meter_id, rows in grouped.items():
        meter = meters[meter_id]
        latest = (
            Point(meter.last_value, meter.last_read_at)
            if meter.last_value is not None and meter.last_read_at is not None
            else None
        )
        for row in sorted(rows, key=lambda r: (r.read_at, r.index)):
            key = (meter_id, row.read_at)
            if key in stored:
                if stored[key] == row.value:
                    report.duplicates += 1
                else:
                    report.reject(
                        row.index,
                        f"A different value ({number(stored[key])}) is already stored for "
                        "this meter at this moment.",
                    )
                continue
            if latest is None or row.read_at > latest.read_at:
                previous, following = latest, None
            else:  # filling in history: compare with the stored neighbours
                previous, following, _ = _neighbours(meter, row.read_at)
            verdict = check_date(
                read_on=timezone.localdate(row.read_at), today=today, rules=rules
            ) or check_order(value=row.value, previous=previous, following=following)
            if verdict is not None:
                report.reject(row.index, verdict.message)
                continue
            new.append(
                MeterReading(
                    meter=meter,
                    value=row.value,
                    read_at=row.read_at,
                    source=MeterReading.Source.REMOTE,
                    check_result=MeterReading.Check.ACCEPTED,
                    monitoring_system=system,
                )
            )
            stored[key] = row.value
            report.accepted += 1
            if latest is None or row.read_at > latest.read_at:
                latest = Point(row.value, row.read_at)
        if latest is not None and latest.read_at != meter.last_read_at:
            meter.last_value, meter.last_read_at = latest.value, latest.read_at
            moved.append(meter)
    MeterReading.objects.bulk_create(new, batch_size=500)
    Meter.objects.bulk_update(moved, ["last_value", "last_read_at"], batch_size=500)
