# SPDX-License-Identifier: EUPL-1.2
"""Registering indicators beyond the built-in catalogue: ids, aliases, warehouse, fingerprint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etl import indicators
from etl.indicators import (
    CATALOGUE,
    Indicator,
    all_indicators,
    indicator_for_column,
    map_columns,
    register,
)

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts from the built-in catalogue and leaves no registration behind."""
    monkeypatch.setattr(indicators, "BY_ID", dict(indicators.BY_ID))
    monkeypatch.setattr(indicators, "_ALIAS_INDEX", dict(indicators._ALIAS_INDEX))
    monkeypatch.setattr(indicators, "_REGISTERED", [])
    yield


def own(id_: str, *aliases: str) -> Indicator:
    return Indicator(
        id_,
        "Meldingen openbare ruimte",
        "Public space reports",
        "Leefbaarheid",
        "aantal",
        "Aantal meldingen openbare ruimte in het jaar.",
        "Number of public space reports in the year.",
        source="Gemeente Demodorp",
        access="internal",
        aliases=aliases,
    )


def test_without_registrations_the_catalogue_is_the_built_in_one() -> None:
    assert all_indicators() == CATALOGUE
    assert set(indicators.BY_ID) == {ind.id for ind in CATALOGUE}


def test_registered_indicators_follow_the_catalogue_and_are_found_by_alias() -> None:
    a = own("meldingen_openbare_ruimte", "MeldingenOpenbareRuimte", "mor_totaal")
    b = own("meldingen_afval", "MeldingenAfval")
    register([a, b])
    assert all_indicators() == (*CATALOGUE, a, b)
    assert tuple(ind for ind in all_indicators() if ind not in (a, b)) == CATALOGUE
    assert indicators.BY_ID["meldingen_afval"] is b
    assert indicator_for_column("MeldingenOpenbareRuimte_12") == "meldingen_openbare_ruimte"
    assert indicator_for_column("MOR_TOTAAL") == "meldingen_openbare_ruimte"
    assert indicator_for_column("meldingenA") == "meldingen_afval"  # a cut Shapefile name
    assert map_columns(["AANT_INW", "MeldingenAfval", "regiocode"]) == {
        "AANT_INW": "inwoners",
        "MeldingenAfval": "meldingen_afval",
    }


def test_registering_nothing_changes_nothing() -> None:
    register([])
    register(iter(()))
    assert all_indicators() == CATALOGUE


def test_spellings_of_one_alias_within_one_indicator_are_fine() -> None:
    register([own("meldingen_afval", "MeldingenAfval", "meldingen_afval", "MELDINGEN-AFVAL")])
    assert indicator_for_column("meldingenafval") == "meldingen_afval"


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([own("inwoners", "EigenInwoners")], "indicator id 'inwoners' is already"),
        ([own("x_a", "XA"), own("x_a", "XB")], "indicator id 'x_a' is already"),
        ([own("eigen_inwoners", "aant-inw")], "already an alias of 'inwoners'"),
        ([own("x_a", "Gedeeld"), own("x_b", "GEDEELD")], "already an alias of 'x_a'"),
        ([own("x_a", "_12")], "has no letters or digits"),
    ],
)
def test_a_clash_raises_and_registers_none_of_the_batch(
    batch: list[Indicator], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        register([own("fine_one", "FineOne"), *batch])
    assert all_indicators() == CATALOGUE
    assert "fine_one" not in indicators.BY_ID
    assert indicator_for_column("FineOne") is None


def test_a_second_registration_of_the_same_id_raises() -> None:
    register([own("meldingen_afval", "MeldingenAfval")])
    with pytest.raises(ValueError, match="already in the catalogue"):
        register([own("meldingen_afval", "AfvalMeldingen")])
    assert len(all_indicators()) == len(CATALOGUE) + 1


def test_not_an_indicator_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected an Indicator"):
        register(["inwoners"])  # type: ignore[list-item]


def test_the_warehouse_table_and_the_run_fingerprint_include_registered_indicators() -> None:
    from etl.runner import _fingerprint
    from etl.warehouse import indicator_frame

    before_frame, before_fp = indicator_frame(), _fingerprint(["x"])
    register([own("meldingen_afval", "MeldingenAfval")])
    after = indicator_frame()
    assert len(after) == len(before_frame) + 1
    assert after["id"].iloc[-1] == "meldingen_afval"
    assert after["access"].iloc[-1] == "internal"
    assert "aliases" not in after.columns
    assert _fingerprint(["x"]) != before_fp


def test_by_id_is_updated_in_place_for_modules_that_imported_it() -> None:
    by_id = indicators.BY_ID
    register([own("meldingen_afval", "MeldingenAfval")])
    assert indicators.BY_ID is by_id
    assert by_id["meldingen_afval"].source == "Gemeente Demodorp"
