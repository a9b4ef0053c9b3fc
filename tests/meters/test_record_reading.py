"""record_reading: the service behind the grid re-checks rights and keeps the latest value."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portico.meters.models import MeterReading, ValidationSettings
from portico.meters.services import record_reading
from portico.meters.validation import Outcome

from .conftest import MONO_START, add_reading, meter_of

pytestmark = pytest.mark.django_db


def test_plausible_reading_is_saved_and_becomes_the_latest(mono, bob):
    now = timezone.now()
    result = record_reading(meter=mono, value=MONO_START + 2500, read_at=now, actor=bob)
    assert result.outcome == Outcome.ACCEPTED and result.created
    mono.refresh_from_db()
    assert (mono.last_value, mono.last_read_at) == (MONO_START + 2500, now)
    reading = mono.readings.get(value=MONO_START + 2500)
    assert reading.entered_by == bob
    assert reading.check_result == MeterReading.Check.ACCEPTED
    assert reading.source == MeterReading.Source.MANUAL


def test_lower_reading_is_rejected_and_nothing_is_saved(mono, bob):
    result = record_reading(meter=mono, value=MONO_START - 1, read_at=timezone.now(), actor=bob)
    assert result.outcome == Outcome.REJECTED
    assert "lower than the previous reading (10,000)" in result.message
    assert mono.readings.count() == 1


def test_caution_is_saved_only_when_confirmed(mono, bob):
    high = MONO_START + 50_000  # 3,000 a month expected, factor 3
    first = record_reading(meter=mono, value=high, read_at=timezone.now(), actor=bob)
    assert first.outcome == Outcome.CAUTION and first.reading is None
    assert mono.readings.count() == 1

    confirmed = record_reading(
        meter=mono, value=high, read_at=timezone.now(), actor=bob, confirm=True
    )
    assert confirmed.outcome == Outcome.ACCEPTED
    assert confirmed.reading is not None
    assert confirmed.reading.check_result == MeterReading.Check.CONFIRMED
    mono.refresh_from_db()
    assert mono.last_value == high


def test_backdated_reading_does_not_move_the_latest_value(mono, bob):
    now = timezone.now()
    record_reading(meter=mono, value=MONO_START + 3000, read_at=now, actor=bob)
    earlier = now - timedelta(days=10)
    result = record_reading(meter=mono, value=MONO_START + 1000, read_at=earlier, actor=bob)
    assert result.outcome == Outcome.ACCEPTED
    mono.refresh_from_db()
    assert mono.last_value == MONO_START + 3000 and mono.last_read_at == now


def test_backdated_reading_above_a_later_one_is_rejected(mono, bob):
    now = timezone.now()
    record_reading(meter=mono, value=MONO_START + 3000, read_at=now, actor=bob)
    result = record_reading(
        meter=mono, value=MONO_START + 4000, read_at=now - timedelta(days=5), actor=bob
    )
    assert result.outcome == Outcome.REJECTED
    assert "higher than a later reading" in result.message


def test_reading_at_an_existing_moment_is_rejected(mono, bob):
    existing = mono.readings.get()
    result = record_reading(
        meter=mono, value=MONO_START, read_at=existing.read_at, actor=bob, confirm=True
    )
    assert result.outcome == Outcome.REJECTED
    assert mono.readings.count() == 1


def test_resubmitting_the_same_value_creates_no_second_reading(mono, bob):
    record_reading(meter=mono, value=MONO_START + 100, read_at=timezone.now(), actor=bob)
    again = record_reading(meter=mono, value=MONO_START + 100, read_at=timezone.now(), actor=bob)
    assert again.outcome == Outcome.ACCEPTED and not again.created
    assert mono.readings.count() == 2


def test_far_future_and_far_past_dates_are_rejected(mono, bob):
    for when in (timezone.now() + timedelta(days=3), timezone.now() - timedelta(days=90)):
        result = record_reading(meter=mono, value=MONO_START + 10, read_at=when, actor=bob)
        assert result.outcome == Outcome.REJECTED
    assert mono.readings.count() == 1


def test_settings_change_the_factor_and_window(mono, bob):
    ValidationSettings.objects.create(caution_factor=Decimal("20"), max_days_in_past=120)
    high = MONO_START + 50_000
    assert record_reading(meter=mono, value=high, read_at=timezone.now(), actor=bob).created
    old = timezone.now() - timedelta(days=20)
    assert record_reading(meter=mono, value=MONO_START + 5, read_at=old, actor=bob).created


def test_average_basis_uses_the_machines_own_history(leeds_machine, bob):
    mono = meter_of(leeds_machine)
    add_reading(mono, MONO_START - 6000, days_ago=90)  # 6,000 in 60 days: 100 a day
    ValidationSettings.objects.create(basis=ValidationSettings.Basis.AVERAGE)
    # 30 days at 100 a day = 3,000 expected; factor 3 → caution above 9,000.
    assert (
        record_reading(meter=mono, value=MONO_START + 9_500, read_at=timezone.now(), actor=bob)
    ).outcome == Outcome.CAUTION
    assert record_reading(
        meter=mono, value=MONO_START + 8_500, read_at=timezone.now(), actor=bob
    ).created


def test_remote_monitored_meters_refuse_hand_entry(remote_machine, alice):
    meter = meter_of(remote_machine)
    result = record_reading(
        meter=meter, value=MONO_START + 10, read_at=timezone.now(), actor=alice, confirm=True
    )
    assert result.outcome == Outcome.REJECTED
    assert "remote monitoring" in result.message
    assert meter.readings.count() == 1


def test_rights_are_checked_again_in_the_service(mono, head_office_machine, carol, bob, viewer):
    for actor, meter in [
        (carol, mono),  # another customer
        (bob, meter_of(head_office_machine)),  # outside bob's site
        (viewer, mono),  # view right only
    ]:
        with pytest.raises(PermissionDenied):
            record_reading(meter=meter, value=MONO_START + 1, read_at=timezone.now(), actor=actor)
    assert MeterReading.objects.filter(value=MONO_START + 1).count() == 0
