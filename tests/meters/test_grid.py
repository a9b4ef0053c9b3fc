"""The readings grid per site and per machine (M1–M3): one POST, each row on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.meters.models import Meter, MeterReading
from tests.utils import changed_tables, database_fingerprint

from .conftest import COLOUR_START, MONO_START, make_machine, meter_of

pytestmark = pytest.mark.django_db


def site_url(site) -> str:
    return reverse("meters:site", args=[site.pk])


def asset_url(asset) -> str:
    return reverse("meters:asset", args=[asset.pk])


def row(meter: Meter, value: object, **extra: object) -> dict[str, object]:
    data = {f"m{meter.pk}-value": value}
    data.update({f"m{meter.pk}-{key}": v for key, v in extra.items()})
    return data


def test_site_grid_lists_every_meter_of_every_machine_with_last_reading(
    bob_client, leeds, leeds_machine, leeds_second_machine
):
    response = bob_client.get(site_url(leeds))
    assert response.status_code == 200
    html = response.content.decode()
    for asset in (leeds_machine, leeds_second_machine):
        assert asset.serial_number in html
        for meter in asset.meters.all():
            assert f'name="m{meter.pk}-value"' in html
            assert f'name="m{meter.pk}-read_on"' in html
    assert "10,000" in html and "2,000" in html
    assert "Save readings" in html


def test_plausible_readings_are_saved_and_shown_with_a_green_tick(
    bob_client, bob, leeds, leeds_machine
):
    mono, colour = meter_of(leeds_machine), meter_of(leeds_machine, "Colour")
    data = {**row(mono, "12,500"), **row(colour, COLOUR_START + 800)}
    response = bob_client.post(site_url(leeds), data)
    assert response.status_code == 302
    page = bob_client.get(response["Location"])
    html = page.content.decode()
    assert html.count("Accepted") == 2
    assert "2 readings saved" in html
    mono.refresh_from_db()
    assert mono.last_value == 12_500
    saved = mono.readings.get(value=12_500)
    assert saved.entered_by == bob and saved.check_result == MeterReading.Check.ACCEPTED
    # The tick is shown once, not on every later visit.
    assert "Accepted" not in bob_client.get(site_url(leeds)).content.decode()


def test_lower_reading_is_rejected_with_a_message_and_the_other_rows_are_saved(
    bob_client, leeds, leeds_machine, leeds_second_machine
):
    low = meter_of(leeds_machine)
    fine = meter_of(leeds_second_machine)
    response = bob_client.post(
        site_url(leeds), {**row(low, MONO_START - 5), **row(fine, MONO_START + 2000)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved" in html
    assert "lower than the previous reading (10,000)" in html
    assert "Accepted" in html
    assert "1 reading saved" in html
    assert low.readings.count() == 1
    assert fine.readings.filter(value=MONO_START + 2000).exists()


def test_caution_then_confirm_saves_the_reading_as_confirmed(bob_client, leeds, mono):
    high = MONO_START + 50_000
    first = bob_client.post(site_url(leeds), row(mono, high))
    assert first.status_code == 200
    html = first.content.decode()
    assert "Caution" in html and "Confirm this reading" in html
    assert f'name="m{mono.pk}-cautioned" value="{high}"' in html
    assert mono.readings.count() == 1

    confirmed = bob_client.post(site_url(leeds), row(mono, high, confirm="on", cautioned=high))
    assert confirmed.status_code == 302
    reading = mono.readings.get(value=high)
    assert reading.check_result == MeterReading.Check.CONFIRMED


def test_caution_then_corrected_value_is_accepted(bob_client, leeds, mono):
    bob_client.post(site_url(leeds), row(mono, MONO_START + 50_000))
    corrected = bob_client.post(
        site_url(leeds), row(mono, MONO_START + 5_000, cautioned=MONO_START + 50_000)
    )
    assert corrected.status_code == 302
    assert mono.readings.get(value=MONO_START + 5_000).check_result == "accepted"
    assert not mono.readings.filter(value=MONO_START + 50_000).exists()


def test_a_confirmation_counts_only_for_the_value_that_was_cautioned(bob_client, leeds, mono):
    bob_client.post(site_url(leeds), row(mono, MONO_START + 50_000))
    response = bob_client.post(
        site_url(leeds),
        row(mono, MONO_START + 90_000, confirm="on", cautioned=MONO_START + 50_000),
    )
    assert response.status_code == 200
    assert "Caution" in response.content.decode()
    assert mono.readings.count() == 1


def test_not_a_number_is_reported_on_its_row(bob_client, leeds, mono):
    response = bob_client.post(site_url(leeds), row(mono, "12a"))
    assert response.status_code == 200
    assert "digits only" in response.content.decode()
    assert mono.readings.count() == 1


def test_empty_rows_are_skipped(bob_client, leeds, mono):
    response = bob_client.post(site_url(leeds), row(mono, ""), follow=True)
    assert "No new readings were entered" in response.content.decode()
    assert mono.readings.count() == 1


def test_reading_date_can_be_chosen(bob_client, leeds, mono):
    from datetime import timedelta

    from django.utils import timezone

    day = timezone.localdate() - timedelta(days=3)
    bob_client.post(site_url(leeds), row(mono, MONO_START + 1000, read_on=day.isoformat()))
    reading = mono.readings.get(value=MONO_START + 1000)
    assert timezone.localdate(reading.read_at) == day


def test_machine_grid_shows_only_that_machines_meters(
    bob_client, leeds_machine, leeds_second_machine
):
    response = bob_client.get(asset_url(leeds_machine))
    html = response.content.decode()
    assert leeds_machine.serial_number in html
    assert leeds_second_machine.serial_number not in html
    mono = meter_of(leeds_machine)
    assert bob_client.post(asset_url(leeds_machine), row(mono, MONO_START + 100)).status_code == 302
    assert mono.readings.filter(value=MONO_START + 100).exists()


def test_a_meter_of_another_machine_cannot_be_posted_through_a_machine_grid(
    bob_client, leeds_machine, leeds_second_machine
):
    other = meter_of(leeds_second_machine)
    bob_client.post(asset_url(leeds_machine), row(other, MONO_START + 100))
    assert other.readings.count() == 1


# --- Remote-monitored machines (M3) -----------------------------------------------------------


def test_remote_meters_show_the_received_value_read_only(bob_client, leeds, remote_machine):
    response = bob_client.get(site_url(leeds))
    html = response.content.decode()
    meter = meter_of(remote_machine)
    assert "Remote monitored" in html
    assert "Received automatically by remote monitoring" in html
    assert f'name="m{meter.pk}-value"' not in html
    assert "10,000" in html


def test_a_post_for_a_remote_meter_is_refused(bob_client, leeds, remote_machine):
    meter = meter_of(remote_machine)
    before = database_fingerprint()
    response = bob_client.post(site_url(leeds), row(meter, MONO_START + 10, confirm="on"))
    assert response.status_code == 200
    assert "cannot be entered by hand" in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []


# --- Access: site scope, other customers, rights ---------------------------------------------


def test_bob_sees_only_leeds_works(bob_client, leeds, head_office, head_office_machine):
    assert bob_client.get(site_url(head_office)).status_code == 404
    assert bob_client.get(asset_url(head_office_machine)).status_code == 404
    meter = meter_of(head_office_machine)
    assert bob_client.get(reverse("meters:history", args=[meter.pk])).status_code == 404
    before = database_fingerprint()
    assert bob_client.post(site_url(head_office), row(meter, MONO_START + 1)).status_code == 404
    # Posting the other site's meter through his own site's grid changes nothing either.
    bob_client.post(site_url(leeds), row(meter, MONO_START + 1))
    assert changed_tables(before, database_fingerprint()) == []


def test_carol_gets_404_for_acme_and_writes_nothing(
    carol_client, leeds, leeds_machine, globex_machine
):
    mono = meter_of(leeds_machine)
    before = database_fingerprint()
    for url in [
        site_url(leeds),
        asset_url(leeds_machine),
        reverse("meters:history", args=[mono.pk]),
        reverse("meters:history_svg", args=[mono.pk]),
    ]:
        assert carol_client.get(url).status_code == 404, url
    assert carol_client.post(site_url(leeds), row(mono, MONO_START + 1)).status_code == 404
    assert carol_client.post(asset_url(leeds_machine), row(mono, MONO_START + 1)).status_code == 404
    # Acme's meter id in a POST to her own machine's grid is ignored.
    carol_client.post(asset_url(globex_machine), row(mono, MONO_START + 1))
    assert changed_tables(before, database_fingerprint()) == []


def test_view_right_shows_the_grid_without_inputs_and_refuses_posts(viewer_client, leeds, mono):
    response = viewer_client.get(site_url(leeds))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="m{mono.pk}-value"' not in html
    assert "view readings only" in html
    before = database_fingerprint()
    assert viewer_client.post(site_url(leeds), row(mono, MONO_START + 1)).status_code == 403
    assert changed_tables(before, database_fingerprint()) == []


def test_no_meters_right_is_403(no_meters_client, leeds, leeds_machine):
    before = database_fingerprint()
    assert no_meters_client.get(reverse("meters:index")).status_code == 403
    assert no_meters_client.get(site_url(leeds)).status_code == 403
    mono = meter_of(leeds_machine)
    assert no_meters_client.post(site_url(leeds), row(mono, MONO_START + 1)).status_code == 403
    assert changed_tables(before, database_fingerprint()) == []


def test_anonymous_is_sent_to_login(client, leeds, mono):
    for url in [site_url(leeds), reverse("meters:index")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(site_url(leeds), row(mono, MONO_START + 1)).status_code == 302
    assert mono.readings.count() == 1


# --- Size does not change the query count ------------------------------------------------------


def grid_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_site_grid_query_count_does_not_grow_with_machines_or_readings(
    alice_client, leeds, copier_model, django_assert_max_num_queries
):
    make_machine(leeds, "Q-1", copier_model)
    grid_queries(alice_client, site_url(leeds))  # warm the per-process caches (branding)
    few = grid_queries(alice_client, site_url(leeds))
    for n in range(2, 25):
        asset = make_machine(leeds, f"Q-{n}", copier_model)
        for meter in asset.meters.all():
            MeterReading.objects.bulk_create(
                MeterReading(meter=meter, value=i, read_at=meter.last_read_at - timedelta(days=i))
                for i in range(1, 10)
            )
    many = grid_queries(alice_client, site_url(leeds))
    assert many == few
    with django_assert_max_num_queries(10):
        alice_client.get(site_url(leeds))
