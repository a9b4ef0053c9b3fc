"""Reading days and the "Readings due" notice (M4); the meters index."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portico.core.access import build_scope
from portico.meters.models import MeterReading, ReadingDay
from portico.meters.reminders import period_start, readings_due_for

from .conftest import make_machine, meter_of

pytestmark = pytest.mark.django_db


def test_period_start_is_the_last_reading_day():
    assert period_start(date(2026, 11, 22), 15) == date(2026, 11, 15)
    assert period_start(date(2026, 11, 14), 15) == date(2026, 10, 15)
    assert period_start(date(2026, 1, 3), 28) == date(2025, 12, 28)
    assert period_start(date(2026, 3, 1), 1) == date(2026, 3, 1)


def read_all(asset, when) -> None:
    for meter in asset.meters.all():
        meter.last_value, meter.last_read_at = 99_999, when
        meter.save()


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=9)


def test_sites_with_unread_meters_are_due(
    alice, leeds_machine, head_office_machine, remote_machine
):
    today = date(2026, 11, 22)
    ReadingDay.objects.create(site=leeds_machine.site, day_of_month=15)
    read_all(leeds_machine, at(date(2026, 11, 10)))  # 5 days early: counts for 15 Nov
    read_all(head_office_machine, at(date(2026, 10, 20)))  # before 1 Nov: due
    due = readings_due_for(build_scope(alice), today=today)
    assert [(d.site_name, d.due_on, d.meters_due) for d in due] == [
        ("Head Office", date(2026, 11, 1), 2)
    ]


def test_reading_too_early_does_not_count(alice, leeds_machine):
    ReadingDay.objects.create(site=leeds_machine.site, day_of_month=15)
    read_all(leeds_machine, at(date(2026, 11, 7)))
    due = readings_due_for(build_scope(alice), today=date(2026, 11, 22))
    assert [d.site_name for d in due] == ["Leeds Works"]


def test_remote_monitored_and_never_read_meters(alice, leeds, copier_model, remote_machine):
    make_machine(leeds, "NEW-1", copier_model, readings=False)
    due = readings_due_for(build_scope(alice))
    assert [(d.site_name, d.meters_due) for d in due] == [("Leeds Works", 2)]


def test_due_follows_site_scope_and_rights(bob, carol, viewer, head_office_machine, leeds_machine):
    for asset in (head_office_machine, leeds_machine):
        read_all(asset, timezone.now() - timedelta(days=40))  # always before this period
    assert [d.site_name for d in readings_due_for(build_scope(bob))] == ["Leeds Works"]
    assert readings_due_for(build_scope(carol)) == []
    assert readings_due_for(build_scope(viewer)) == []  # view right: nothing to act on


def test_due_is_one_query(alice, leeds, head_office, copier_model):
    for n in range(6):
        make_machine(leeds if n % 2 else head_office, f"D-{n}", copier_model)
    scope = build_scope(alice)
    with CaptureQueriesContext(connection) as queries:
        readings_due_for(scope)
    assert len(queries) == 1


def test_index_shows_the_notice_until_readings_are_entered(bob_client, leeds, leeds_machine):
    read_all(leeds_machine, timezone.now() - timedelta(days=40))  # always before this period
    response = bob_client.get(reverse("meters:index"))
    html = response.content.decode()
    assert "Readings due" in html
    assert "Leeds Works" in html and "2 meters due" in html
    now = timezone.now()
    for meter in leeds_machine.meters.all():
        MeterReading.objects.create(meter=meter, value=100_100, read_at=now)
        meter.last_value, meter.last_read_at = 100_100, now
        meter.save()
    html = bob_client.get(reverse("meters:index")).content.decode()
    assert "Readings due" not in html
    assert "Up to date" in html


def test_index_lists_only_visible_sites(
    bob_client, alice_client, leeds_machine, head_office_machine
):
    bob_html = bob_client.get(reverse("meters:index")).content.decode()
    assert "Leeds Works" in bob_html and "Head Office" not in bob_html
    alice_html = alice_client.get(reverse("meters:index")).content.decode()
    assert "Leeds Works" in alice_html and "Head Office" in alice_html


def test_index_finds_a_machine_by_serial(bob_client, leeds_machine, head_office_machine):
    html = bob_client.get(reverse("meters:index"), {"q": "100"}).content.decode()
    assert "LW-100" in html
    assert "HO-100" not in html  # not at bob's site
    assert reverse("meters:asset", args=[leeds_machine.pk]) in html


def test_carol_sees_nothing_of_acme(carol_client, leeds_machine, head_office_machine):
    html = carol_client.get(reverse("meters:index"), {"q": "LW"}).content.decode()
    assert "LW-100" not in html and "Leeds" not in html and "Acme" not in html


def test_index_query_count_does_not_grow_with_sites_and_machines(
    alice_client, foundation, copier_model
):
    alice_client.get(reverse("meters:index"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            alice_client.get(reverse("meters:index"))
        return len(queries)

    make_machine(foundation.acme_sites[0], "I-0", copier_model)
    few = count()
    for n, site in enumerate(foundation.acme_sites * 3):
        make_machine(site, f"I-{n + 1}", copier_model)
    assert count() == few


def test_reading_day_is_limited_to_days_every_month_has(leeds):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ReadingDay(site=leeds, day_of_month=31).full_clean()


def test_meter_of_helper(leeds_machine):
    assert meter_of(leeds_machine).meter_type.name == "Mono"
