"""Remote monitoring ingestion (M3): token auth, idempotent batches, rows reported."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portico.meters.models import MeterReading, MonitoringSystem
from tests.utils import changed_tables, database_fingerprint

from .conftest import MONO_START, meter_of

pytestmark = pytest.mark.django_db

URL = reverse("meters:api_readings")


def iso(days_ago: float = 0) -> str:
    return (timezone.now() - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


def post(client, token: str | None, body: object, *, raw: bool = False):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if raw else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


@pytest.fixture
def batch(remote_machine):
    serial = remote_machine.serial_number
    return {
        "readings": [
            {"serial": serial, "meter": "Mono", "value": MONO_START + 1000, "read_at": iso(10)},
            {"serial": serial, "meter": "Mono", "value": MONO_START + 2000, "read_at": iso(1)},
            {"serial": serial, "meter": "colour", "value": 2_500, "read_at": iso(1)},
        ]
    }


def test_a_batch_is_stored_as_remote_readings(client, monitoring_token, remote_machine, batch):
    system, token = monitoring_token
    response = post(client, token, batch)
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    mono = meter_of(remote_machine)
    assert mono.last_value == MONO_START + 2000
    stored = mono.readings.get(value=MONO_START + 2000)
    assert stored.source == MeterReading.Source.REMOTE
    assert stored.monitoring_system == system
    system.refresh_from_db()
    assert system.last_used_at is not None


def test_the_same_batch_twice_creates_nothing_new(client, monitoring_token, batch):
    _, token = monitoring_token
    post(client, token, batch)
    rows = list(MeterReading.objects.order_by("pk").values_list("meter_id", "value", "read_at"))
    again = post(client, token, batch)
    assert again.json() == {"accepted": 0, "duplicates": 3, "rejected": []}
    assert (
        list(MeterReading.objects.order_by("pk").values_list("meter_id", "value", "read_at"))
        == rows
    )


def test_bad_rows_are_reported_and_the_good_ones_kept(
    client, monitoring_token, remote_machine, leeds_machine
):
    _, token = monitoring_token
    serial = remote_machine.serial_number
    body = {
        "readings": [
            {"serial": serial, "meter": "Mono", "value": MONO_START - 1, "read_at": iso(1)},
            {"serial": "NOPE-1", "meter": "Mono", "value": 1, "read_at": iso(1)},
            {"serial": serial, "meter": "Scans", "value": 1, "read_at": iso(1)},
            {"serial": serial, "meter": "Mono", "value": "lots", "read_at": iso(1)},
            {"serial": serial, "meter": "Mono", "value": 5, "read_at": "yesterday"},
            {"serial": serial, "meter": "Mono", "value": 5, "read_at": "2026-11-01T08:00:00"},
            "not an object",
            {"serial": serial, "meter": "Mono", "value": MONO_START + 10, "read_at": iso(-30)},
            {"serial": serial, "meter": "Colour", "value": 2_100, "read_at": iso(1)},
            # Known serial, not remote-monitored: accepted and marked remote (decision).
            {
                "serial": leeds_machine.serial_number,
                "meter": "Mono",
                "value": 10_500,
                "read_at": iso(1),
            },
        ]
    }
    report = post(client, token, body).json()
    assert report["accepted"] == 2
    errors = {r["row"]: r["error"] for r in report["rejected"]}
    assert sorted(errors) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert "lower than the previous reading" in errors[0]
    assert "No machine with serial number NOPE-1" in errors[1]
    assert "no meter named 'Scans'" in errors[2]
    assert "'value'" in errors[3]
    assert "'read_at'" in errors[4] and "'read_at'" in errors[5]
    assert "future" in errors[7]
    assert meter_of(leeds_machine).readings.get(value=10_500).source == "remote"


def test_a_different_value_for_a_stored_moment_is_rejected(client, monitoring_token, batch):
    _, token = monitoring_token
    post(client, token, batch)
    changed = json.loads(json.dumps(batch))
    changed["readings"][1]["value"] += 5
    report = post(client, token, changed).json()
    assert report["duplicates"] == 2
    assert report["rejected"][0]["row"] == 1
    assert "different value" in report["rejected"][0]["error"]


def test_history_can_be_filled_in_between_stored_readings(client, monitoring_token, remote_machine):
    _, token = monitoring_token
    serial = remote_machine.serial_number
    # The stored reading is 30 days old (10,000); add a newer one, then one in between.
    post(
        client,
        token,
        {"readings": [{"serial": serial, "meter": "Mono", "value": 14_000, "read_at": iso(1)}]},
    )
    between = {"serial": serial, "meter": "Mono", "value": 12_000, "read_at": iso(15)}
    too_high = {"serial": serial, "meter": "Mono", "value": 15_000, "read_at": iso(10)}
    report = post(client, token, {"readings": [between, too_high]}).json()
    assert report["accepted"] == 1
    assert "higher than a later reading" in report["rejected"][0]["error"]
    assert meter_of(remote_machine).last_value == 14_000


def test_bad_token_is_401_and_writes_nothing(client, monitoring_token, batch):
    system, token = monitoring_token
    before = database_fingerprint()
    for bad in (None, "pmt_wrong", token + "x", token.upper()):
        response = post(client, bad, batch)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
    MonitoringSystem.objects.filter(pk=system.pk).update(is_active=False)
    assert post(client, token, batch).status_code == 401
    MonitoringSystem.objects.filter(pk=system.pk).update(is_active=True)
    after = database_fingerprint()
    assert changed_tables(before, after) == []


def test_a_system_without_a_token_cannot_be_used(client, db, batch):
    MonitoringSystem.objects.create(name="No token yet")
    assert post(client, "", batch).status_code == 401
    assert (
        client.post(
            URL, "{}", content_type="application/json", headers={"Authorization": "Bearer "}
        ).status_code
        == 401
    )


def test_malformed_json_is_400_with_a_message(client, monitoring_token):
    _, token = monitoring_token
    response = post(client, token, "{not json", raw=True)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    wrong_shape = post(client, token, [1, 2])
    assert wrong_shape.status_code == 400
    assert "readings" in wrong_shape.json()["error"]


def test_more_than_1000_rows_are_refused(client, monitoring_token, remote_machine):
    _, token = monitoring_token
    row = {"serial": remote_machine.serial_number, "meter": "Mono", "value": 1, "read_at": iso(1)}
    response = post(client, token, {"readings": [row] * 1001})
    assert response.status_code == 413
    assert "1000" in response.json()["error"]
    assert MeterReading.objects.filter(value=1).count() == 0


def test_only_post_is_allowed(client, monitoring_token):
    _, token = monitoring_token
    assert client.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 405


def test_tokens_are_stored_only_as_a_hash(monitoring_token):
    system, token = monitoring_token
    system.refresh_from_db()
    assert token not in (system.token_hash, system.token_prefix)
    assert token.startswith(system.token_prefix)
    assert MonitoringSystem.authenticate(token) == system


def test_a_batch_locks_only_its_meters_in_key_order(client, monitoring_token, batch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, token = monitoring_token
    with CaptureQueriesContext(connection) as queries:
        post(client, token, batch)

    # The query that reads the batch's meters to update them (under FOR UPDATE on PostgreSQL).
    [lock] = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and '"meters_meter"."id" IN' in q["sql"]
    ]
    assert "meters_metertype" not in lock  # a join would lock the shared meter types too
    assert lock.split("ORDER BY")[1].split("FOR UPDATE")[0].strip() == '"meters_meter"."id" ASC'
    if connection.vendor == "postgresql":
        assert lock.endswith('FOR UPDATE OF "meters_meter"')
