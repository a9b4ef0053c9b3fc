"""Machines with meters for the meters tests (until shared equipment fixtures exist).

Acme: "LW-100" and "LW-200" at Leeds Works (bob's site), "LW-RM" remote-monitored at Leeds
Works, "HO-100" at Head Office. Globex: "GX-100". Each has a Mono (3,000 a month expected)
and a Colour (1,000) meter, last read 30 days ago unless said otherwise.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from portico.assets.models import Asset, ProductModel
from portico.customers.models import Membership
from portico.customers.roles import rights_for_role
from portico.meters.models import Meter, MeterReading, MeterType, MonitoringSystem
from tests.conftest import client_for

MONO_START = 10_000
COLOUR_START = 2_000


@pytest.fixture
def copier_model(db) -> ProductModel:
    model = ProductModel.objects.create(
        manufacturer="Canon", name="imageRUNNER C3226", category=ProductModel.Category.COPIER
    )
    MeterType.objects.create(
        product_model=model, name="Mono", expected_monthly_volume=3000, position=1
    )
    MeterType.objects.create(
        product_model=model, name="Colour", expected_monthly_volume=1000, position=2
    )
    return model


def add_reading(meter: Meter, value: int, *, days_ago: float = 30, **extra: Any) -> MeterReading:
    """A stored reading; the meter's latest value follows when it is the newest."""
    read_at = timezone.now() - timedelta(days=days_ago)
    reading = MeterReading.objects.create(meter=meter, value=value, read_at=read_at, **extra)
    if meter.last_read_at is None or read_at > meter.last_read_at:
        meter.last_value, meter.last_read_at = value, read_at
        meter.save(update_fields=["last_value", "last_read_at"])
    return reading


def make_machine(
    site: Any,
    serial: str,
    model: ProductModel,
    *,
    remote: bool = False,
    readings: bool = True,
    location: str = "",
) -> Asset:
    asset = Asset.objects.create(
        organisation=site.organisation,
        site=site,
        product_model=model,
        serial_number=serial,
        location=location or f"Floor {len(serial)}",
        is_remote_monitored=remote,
    )
    for meter_type in model.meter_types.all():
        meter = Meter.objects.create(asset=asset, meter_type=meter_type)
        if readings:
            start = MONO_START if meter_type.name == "Mono" else COLOUR_START
            source = MeterReading.Source.REMOTE if remote else MeterReading.Source.MANUAL
            add_reading(meter, start, days_ago=30, source=source)
    return asset


def meter_of(asset: Asset, name: str = "Mono") -> Meter:
    return asset.meters.get(meter_type__name=name)


@pytest.fixture
def leeds(foundation):
    return foundation.acme_sites[1]


@pytest.fixture
def head_office(foundation):
    return foundation.acme_sites[0]


@pytest.fixture
def leeds_machine(leeds, copier_model) -> Asset:
    return make_machine(leeds, "LW-100", copier_model, location="Print room")


@pytest.fixture
def leeds_second_machine(leeds, copier_model) -> Asset:
    return make_machine(leeds, "LW-200", copier_model, location="Reception")


@pytest.fixture
def remote_machine(leeds, copier_model) -> Asset:
    return make_machine(leeds, "LW-RM", copier_model, remote=True, location="Warehouse office")


@pytest.fixture
def head_office_machine(head_office, copier_model) -> Asset:
    return make_machine(head_office, "HO-100", copier_model, location="Finance")


@pytest.fixture
def globex_machine(foundation, copier_model) -> Asset:
    return make_machine(foundation.globex_sites[0], "GX-100", copier_model)


@pytest.fixture
def mono(leeds_machine) -> Meter:
    return meter_of(leeds_machine)


def acme_member(email: str, acme: Any, **rights: int) -> Any:
    """Another Acme user: Site user rights (Leeds Works only) with the given changes."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email, "portico-demo", full_name=email)
    membership = Membership(user=user, organisation=acme, role="Site user", all_sites=True)
    membership.set_rights({**rights_for_role("Site user"), **rights})
    membership.save()
    return user


@pytest.fixture
def viewer(acme):
    """May view meter readings at Acme but not enter them."""
    from portico.core.rights import Right

    return acme_member("vera@acme.example", acme, meters=Right.VIEW)


@pytest.fixture
def viewer_client(viewer):
    return client_for(viewer)


@pytest.fixture
def no_meters_client(acme):
    from portico.core.rights import Right

    return client_for(acme_member("nina@acme.example", acme, meters=Right.NONE))


@pytest.fixture
def monitoring_token(db) -> tuple[MonitoringSystem, str]:
    system = MonitoringSystem(name="FleetWatch")
    token = system.issue_token()
    system.save()
    return system, token
