"""Back-office lists over the biggest tables (requests, login attempts, meter readings) never
count or scan the whole table on a page load."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portico.accounts.models import LoginAttempt
from portico.backoffice.options import CappedCountPaginator
from portico.meters.models import Meter, MeterReading, MeterType
from portico.service.models import ServiceRequest
from tests.service.factories import machine, raise_request

pytestmark = pytest.mark.django_db

# The lists that grow without bound, by model.
BIG_LISTS = [ServiceRequest, LoginAttempt, MeterReading]


@pytest.fixture
def rows(foundation, alice):
    """Three rows in each big table."""
    head_office = foundation.acme_sites[0]
    for index in range(3):
        raise_request(alice, site=head_office, title=f"Fault {index}")
        LoginAttempt.objects.create(email=f"someone{index}@acme.example", succeeded=index > 0)
    asset = machine(foundation.acme, head_office, "SN-ADMIN")
    meter = Meter.objects.create(
        asset=asset,
        meter_type=MeterType.objects.create(
            product_model=asset.product_model, name="Mono", expected_monthly_volume=3000
        ),
    )
    for index in range(3):
        MeterReading.objects.create(
            meter=meter, value=1000 * (index + 1), read_at=timezone.now() - timedelta(days=index)
        )


def whole_table_reads(sql: list[str], table: str) -> list[str]:
    """Counts and aggregates over ``table`` that no LIMIT bounds."""
    aggregates = ("COUNT(", "MIN(", "MAX(", "DISTINCT")
    return [
        query
        for query in sql
        if f'"{table}"' in query
        and any(word in query.upper() for word in aggregates)
        and "LIMIT" not in query.upper()
    ]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", BIG_LISTS)
def test_big_changelists_never_count_or_scan_the_whole_table(rows, sam_client, model):
    with CaptureQueriesContext(connection) as queries:
        response = sam_client.get(changelist(model))

    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() >= 3
    assert whole_table_reads([q["sql"] for q in queries], model._meta.db_table) == []


@pytest.mark.parametrize("model", BIG_LISTS)
def test_big_changelists_count_at_most_the_cap(rows, sam_client, monkeypatch, model):
    monkeypatch.setattr(CappedCountPaginator, "count_limit", 2)
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", 1)

    response = sam_client.get(changelist(model))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
