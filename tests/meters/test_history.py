"""Reading history per meter (M4): a paginated table and a server-side SVG chart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portico.meters.chart import MonthVolume, build_chart, monthly_volumes, nice_ceiling
from portico.meters.models import MeterReading

from .conftest import meter_of

pytestmark = pytest.mark.django_db


def add_year(meter, *, start: int = 1000, per_month: int = 3000) -> None:
    now = timezone.now()
    MeterReading.objects.bulk_create(
        MeterReading(
            meter=meter,
            value=start + per_month * i,
            read_at=now - timedelta(days=31 * (12 - i) + 40),
        )
        for i in range(12)
    )


def test_history_lists_readings_newest_first_with_the_increase(bob_client, mono, bob):
    add_year(mono, start=1000, per_month=500)
    response = bob_client.get(reverse("meters:history", args=[mono.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mono meter history" in html
    assert "LW-100" in html
    assert html.index("10,000") < html.index("6,500")  # newest first
    assert "+500" in html
    assert f'src="/meters/meter/{mono.pk}/chart.svg"' in html
    assert "Download chart (SVG)" in html


def test_history_is_paginated(bob_client, mono):
    add_year(mono)
    add_year(meter_of(mono.asset, "Colour"))
    MeterReading.objects.bulk_create(
        MeterReading(meter=mono, value=i, read_at=timezone.now() - timedelta(days=400 + i))
        for i in range(30)
    )
    response = bob_client.get(reverse("meters:history", args=[mono.pk]))
    assert "Page 1 of 2" in response.content.decode()
    assert len(response.context["page"].object_list) == 25


def test_chart_is_an_svg_with_a_polyline_title_and_description(bob_client, mono):
    add_year(mono)
    response = bob_client.get(reverse("meters:history_svg", args=[mono.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith("<svg")
    assert "<polyline" in body
    assert '<title id="chart-title">Mono meter of LW-100: volume per month</title>' in body
    assert "Volume per month from" in body and "3,000" in body
    assert "Content-Disposition" not in response


def test_chart_can_be_downloaded(bob_client, mono):
    response = bob_client.get(reverse("meters:history_svg", args=[mono.pk]) + "?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="meter-lw-100-mono.svg"'
    assert response.content.startswith(b"<svg")


def test_chart_without_enough_readings_says_so(bob_client, mono):
    body = bob_client.get(reverse("meters:history_svg", args=[mono.pk])).content.decode()
    assert "Not enough readings yet" in body


def test_chart_numbers_are_not_localised(bob_client, bob, mono):
    bob.language = "nb"
    bob.save()
    add_year(mono)
    body = bob_client.get(reverse("meters:history_svg", args=[mono.pk])).content.decode()
    points = body.split('points="')[1].split('"')[0]
    for pair in points.split():
        x, y = pair.split(",")
        float(x), float(y)


def test_monthly_volumes_spread_gaps_and_never_go_negative():
    from datetime import date

    ends = [(date(2026, 1, 1), 1000), (date(2026, 2, 1), 4000), (date(2026, 5, 1), 10_000)]
    assert monthly_volumes(ends) == [
        MonthVolume(date(2026, 2, 1), 3000),
        MonthVolume(date(2026, 5, 1), 2000),
    ]
    assert monthly_volumes([(date(2026, 1, 1), 50), (date(2026, 2, 1), 10)])[0].volume == 0


def test_chart_scale_is_round():
    assert [nice_ceiling(v) for v in (0, 7, 11, 180, 2001, 4999)] == [10, 10, 20, 200, 5000, 5000]
    chart = build_chart([], title="t", primary="#1d4ed8")
    assert chart.is_empty and chart.y_ticks[-1].label == "10"


def test_history_query_count_does_not_grow_with_readings(alice_client, mono):
    url = reverse("meters:history", args=[mono.pk])
    svg = reverse("meters:history_svg", args=[mono.pk])
    alice_client.get(url)

    def count(target: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get(target).status_code == 200
        return len(queries)

    few, few_svg = count(url), count(svg)
    MeterReading.objects.bulk_create(
        MeterReading(meter=mono, value=i, read_at=timezone.now() - timedelta(days=40 + i))
        for i in range(300)
    )
    assert count(url) == few
    assert count(svg) == few_svg
    assert few <= 10


def test_history_of_another_customers_meter_is_404(carol_client, mono):
    assert carol_client.get(reverse("meters:history", args=[mono.pk])).status_code == 404
