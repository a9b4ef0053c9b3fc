"""The benchmark generator writes machines with meters, in batches, and can be run again."""

import pytest
from django.core.management import CommandError, call_command

from portico.assets.models import Asset
from portico.meters.models import Meter

pytestmark = pytest.mark.django_db


def test_generate_assets_in_batches(equipment, foundation):
    call_command("generate_assets", assets=30, batch_size=7, verbosity=0)
    call_command("generate_assets", assets=5, batch_size=7, verbosity=0)

    generated = Asset.objects.filter(serial_number__startswith="BENCH-")
    assert generated.count() == 35
    assert set(generated.values_list("organisation", flat=True)) == {foundation.acme.pk}
    assert generated.values("site").distinct().count() == 6
    meters = Meter.objects.filter(asset__in=generated)
    expected = sum(asset.product_model.meter_types.count() for asset in generated)
    assert meters.count() == expected > 0


def test_generate_assets_needs_a_known_organisation(equipment):
    with pytest.raises(CommandError):
        call_command("generate_assets", assets=1, organisation="NOPE", verbosity=0)
