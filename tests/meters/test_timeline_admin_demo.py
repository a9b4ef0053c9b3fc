"""Readings on the asset timeline, the back office, demo data and the volume generator."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portico.assets.timeline import asset_timeline
from portico.core.access import build_scope
from portico.meters import demo
from portico.meters.models import (
    Meter,
    MeterReading,
    MonitoringSystem,
    ReadingDay,
    ValidationSettings,
)
from portico.meters.services import record_reading
from portico.meters.timeline import reading_events

from .conftest import MONO_START, make_machine, meter_of

pytestmark = pytest.mark.django_db


# --- Timeline (E6) ------------------------------------------------------------------------------


def test_readings_appear_on_the_asset_timeline(leeds_machine, bob, alice):
    mono = meter_of(leeds_machine)
    record_reading(meter=mono, value=123_456, read_at=timezone.now(), actor=bob, confirm=True)
    events = asset_timeline(leeds_machine, build_scope(alice))
    readings = [e for e in events if e.kind == "reading"]
    assert readings[0].title == "Mono meter reading 123,456"
    assert readings[0].badge == "caution" and readings[0].badge_label == "Confirmed after caution"
    assert readings[0].detail == "Entered by Bob Baker"
    assert readings[0].url == reverse("meters:history", args=[mono.pk])
    assert {e.title for e in readings} >= {
        "Colour meter reading 2,000",
        "Mono meter reading 10,000",
    }


def test_timeline_respects_rights_and_limit(leeds_machine, carol, no_meters_client, alice):
    assert list(reading_events(leeds_machine, build_scope(carol), 10)) == []
    assert len(list(reading_events(leeds_machine, build_scope(alice), 1))) == 1


# --- Back office -------------------------------------------------------------------------------


def test_creating_a_monitoring_system_shows_its_token_once(sam_client):
    response = sam_client.post(
        reverse("admin:meters_monitoringsystem_add"), {"name": "PrintFleet", "is_active": "on"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    token = re.search(r"<code>(pmt_[\w-]+)</code>", html).group(1)
    assert "only time the token is shown" in html
    system = MonitoringSystem.objects.get(name="PrintFleet")
    assert MonitoringSystem.authenticate(token) == system
    change = sam_client.get(reverse("admin:meters_monitoringsystem_change", args=[system.pk]))
    assert token not in change.content.decode()


def test_rotating_a_token_stops_the_old_one(sam_client, monitoring_token):
    system, old = monitoring_token
    response = sam_client.post(
        reverse("admin:meters_monitoringsystem_changelist"),
        {"action": "issue_new_tokens", "_selected_action": [system.pk]},
    )
    new = re.search(r"<code>(pmt_[\w-]+)</code>", response.content.decode()).group(1)
    assert MonitoringSystem.authenticate(old) is None
    assert MonitoringSystem.authenticate(new) == system


def test_validation_settings_are_one_row(sam_client):
    response = sam_client.get(reverse("admin:meters_validationsettings_changelist"))
    assert response["Location"] == reverse("admin:meters_validationsettings_add")
    sam_client.post(
        reverse("admin:meters_validationsettings_add"),
        {
            "caution_factor": "4.5",
            "basis": "average",
            "max_days_in_past": "30",
            "max_days_in_future": "0",
        },
    )
    assert ValidationSettings.current().caution_factor == 4.5
    response = sam_client.get(reverse("admin:meters_validationsettings_changelist"))
    assert response["Location"] == reverse("admin:meters_validationsettings_change", args=[1])


def test_readings_list_is_read_only(sam_client, leeds_machine):
    response = sam_client.get(reverse("admin:meters_meterreading_changelist") + "?source=manual")
    assert response.status_code == 200
    assert "LW-100" in response.content.decode()
    reading = MeterReading.objects.first()
    change = sam_client.post(
        reverse("admin:meters_meterreading_change", args=[reading.pk]), {"value": "1"}
    )
    assert change.status_code in (403, 200)
    reading.refresh_from_db()
    assert reading.value != 1
    assert sam_client.get(reverse("admin:meters_meterreading_add")).status_code == 403


def test_back_office_pages_open(sam_client, leeds_machine, leeds):
    ReadingDay.objects.create(site=leeds, day_of_month=10)
    for name in ["metertype", "meter", "readingday", "monitoringsystem"]:
        assert sam_client.get(reverse(f"admin:meters_{name}_changelist")).status_code == 200, name


# --- Demo data and the generator -------------------------------------------------------------


def test_demo_gives_every_meter_a_year_of_readings(foundation, copier_model, bob_client):
    leeds, head_office = foundation.acme_sites[1], foundation.acme_sites[0]
    make_machine(leeds, "DEMO-1", copier_model, readings=False)
    remote = make_machine(head_office, "DEMO-RM", copier_model, remote=True, readings=False)
    demo.load(foundation)

    for meter in Meter.objects.select_related("asset"):
        readings = list(meter.readings.order_by("read_at"))
        assert len(readings) >= 12
        values = [r.value for r in readings]
        assert values == sorted(values)
        assert (meter.last_value, meter.last_read_at) == (readings[-1].value, readings[-1].read_at)
    assert set(meter_of(remote).readings.values_list("source", flat=True)) == {"remote"}
    assert MonitoringSystem.objects.get(name="FleetWatch").token_hash == ""
    assert ReadingDay.objects.get(site=leeds).day_of_month == 15
    # Leeds Works has not entered this period's readings in the demo.
    assert "Readings due" in bob_client.get(reverse("meters:index")).content.decode()


def test_demo_readings_are_deterministic(foundation, copier_model):
    make_machine(foundation.acme_sites[0], "DEMO-2", copier_model, readings=False)
    demo.load(foundation)
    first = list(
        MeterReading.objects.order_by("meter_id", "read_at").values_list("value", flat=True)
    )
    MeterReading.objects.all().delete()
    demo.load(foundation)
    again = list(
        MeterReading.objects.order_by("meter_id", "read_at").values_list("value", flat=True)
    )
    assert first == again


def test_generator_adds_history_before_existing_readings(leeds_machine, copier_model, leeds):
    fresh = make_machine(leeds, "GEN-1", copier_model, readings=False)
    mono = meter_of(leeds_machine)
    call_command("generate_readings", per_meter=20, batch_size=7, verbosity=0)
    assert mono.readings.count() == 21
    mono.refresh_from_db()
    assert mono.last_value == MONO_START  # the newest reading is unchanged
    values = list(mono.readings.order_by("read_at").values_list("value", flat=True))
    assert values == sorted(values)
    new_meter = meter_of(fresh)
    assert new_meter.readings.count() == 21 and new_meter.last_value is not None
    assert MeterReading.objects.count() == 4 * 21
