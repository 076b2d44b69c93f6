"""A region's kind word is said once: "Kabupaten Sijunjung", never "Kabupaten Kabupaten …"."""

from __future__ import annotations

import pytest

from jamsos.intake.forms import RegionChoiceField
from jamsos.regions.models import Region
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db


def test_label_says_the_kind_once():
    assert region("13.03").name.startswith("Kabupaten")
    assert region("13.03").label == "Kabupaten Sijunjung"
    assert region("13.71").label.startswith("Kota ") and "Kota Kota" not in region("13.71").label
    assert region("13.03.03").label == "Kecamatan Tanjung Gadang"
    assert region("13.03.03.2001").label.startswith("Nagari ")


def test_region_choices_of_the_upload_form_do_not_repeat_the_kind():
    field = RegionChoiceField(queryset=Region.objects.filter(code__in=["13.03", "13.03.03"]))
    labels = [label for _, label in field.choices][1:]
    assert labels == ["Kabupaten Sijunjung", "Kecamatan Tanjung Gadang"]
