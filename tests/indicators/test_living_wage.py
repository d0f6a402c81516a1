"""The living wage is the partnership's figure (partnership.yaml), and the living-wage indicator's
stored definition states the quarterly amount it compares wages with: 13 weeks × 40 hours."""

from __future__ import annotations

import pytest

from backbone.governance.registry import apply_registry, export_registry
from backbone.governance.registry_file import parse_registry
from backbone.indicators.library import load_indicator, standard_library
from backbone.indicators.models import Indicator
from backbone.indicators.services import install_standard_library

SLUG = "young_adult_living_wage_employment"
REGISTRY = "partnership: {name: Riverton Cradle to Career, living_wage_hourly: 21.25}\n"


def numerator(settings: dict[str, float] | None = None) -> str:
    entry = next(i for i in standard_library(settings) if i.slug == SLUG)
    return entry.definition.numerator


def test_the_library_default_is_the_demo_city_figure():
    # 13 weeks of 40 hours at $17.50 = $9,100 a quarter
    assert "wages.wages >= 13 * 40 * 17.50" in numerator()


def test_a_partnership_figure_replaces_the_default():
    assert "wages.wages >= 13 * 40 * 30.00" in numerator({"living_wage_hourly": 30.0})


def test_an_unknown_setting_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "wages_setting.yaml"
    path.write_text("slug: wages_setting\nnumerator: wages.wages > ${minimum_wage}\n")
    with pytest.raises(ValueError, match=r"wages_setting.yaml: .*no setting 'minimum_wage'"):
        load_indicator(path)


def test_a_registry_with_a_negative_living_wage_is_refused():
    with pytest.raises(ValueError, match="living_wage_hourly"):
        parse_registry("partnership: {name: R, living_wage_hourly: -3}\n")


@pytest.mark.django_db
def test_the_registry_living_wage_goes_into_the_installed_definition():
    apply_registry(parse_registry(REGISTRY))
    install_standard_library()
    stored = Indicator.objects.get(slug=SLUG).definition["numerator"]
    assert "wages.wages >= 13 * 40 * 21.25" in stored
    assert export_registry().partnership.living_wage_hourly == 21.25
