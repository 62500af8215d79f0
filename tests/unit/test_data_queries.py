# SPDX-License-Identifier: EUPL-1.2
"""data.queries on a real (factory-built) warehouse file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from data import queries
from data.queries import (
    GeometryNotFound,
    InvalidParameter,
    UnknownGemeente,
    UnknownIndicator,
    UnknownVintage,
)
from data.warehouse import Warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return Warehouse(factory.publish(tmp_path_factory.mktemp("wh"), data_version="q-v1"))


def test_data_version(wh: Warehouse) -> None:
    assert queries.data_version(warehouse=wh) == "q-v1"
    assert queries.warehouse_info(warehouse=wh).schema_version == "1"


def test_list_indicators_public_only_by_default(wh: Warehouse) -> None:
    result = queries.list_indicators(warehouse=wh)
    assert result.data_version == "q-v1"
    ids = result.frame["id"].tolist()
    assert "inwoners" in ids and "bevolkingsdichtheid" in ids
    assert factory.INTERNAL_INDICATOR not in ids
    assert list(result.frame.columns[:4]) == ["id", "label_nl", "label_en", "theme"]
    themes = result.frame["theme"].tolist()
    assert themes == sorted(themes)
    everything = queries.list_indicators(include_internal=True, warehouse=wh).frame
    assert factory.INTERNAL_INDICATOR in everything["id"].tolist()


def test_indicator_metadata(wh: Warehouse) -> None:
    meta = queries.indicator("gemiddelde_huishoudensgrootte", warehouse=wh)
    assert (meta.decimals, meta.unit, meta.theme) == (1, "personen", "Huishoudens")
    with pytest.raises(UnknownIndicator):
        queries.indicator("bestaat_niet", warehouse=wh)
    with pytest.raises(UnknownIndicator):
        queries.indicator(factory.INTERNAL_INDICATOR, warehouse=wh)


def test_vintages_and_gemeenten(wh: Warehouse) -> None:
    assert queries.vintages("wijk", warehouse=wh) == [2024, 2023]
    frame = queries.gemeenten(2024, warehouse=wh).frame
    assert frame.to_dict("records") == [
        {"code": "GM0392", "name": "Haarlem"},
        {"code": "GM0394", "name": "Haarlemmermeer"},
    ]
    assert queries.gemeenten(2023, warehouse=wh).frame["code"].tolist() == ["GM0392"]


def test_areas_follow_the_api_contract(wh: Warehouse) -> None:
    frame = queries.areas("wijk", 2024, factory.HAARLEM, warehouse=wh).frame
    assert list(frame.columns) == ["code", "name", "level", "parent_code", "gemeente_code"]
    assert frame["code"].tolist() == ["WK039201", "WK039202", "WK039203"]
    assert set(frame["parent_code"]) == {"GM0392"}
    assert len(queries.areas("buurt", 2024, warehouse=wh).frame) == 8
    assert queries.areas("buurt", 2024, "GM9999", warehouse=wh).frame.empty


def test_reused_code_returns_the_area_of_each_vintage(wh: Warehouse) -> None:
    code = factory.REUSED_WIJK
    by_year = {}
    for year in (2023, 2024):
        frame = queries.values("inwoners", "wijk", year, factory.HAARLEM, warehouse=wh).frame
        row = frame.set_index("code").loc[code]
        by_year[year] = (row["name"], row["value"])
    assert by_year[2023] == ("Centrum", 52_000)
    assert by_year[2024] == ("Binnenstad", 12_000)


def test_values_shape_and_latest_period(wh: Warehouse) -> None:
    result = queries.values("inwoners", "wijk", 2024, factory.HAARLEM, warehouse=wh)
    frame = result.frame
    assert result.data_version == "q-v1"
    assert list(frame.columns) == ["code", "name", "value", "status", "reason", "period"]
    # WK039201 also has a 2023 period inside the 2024 division: the latest (2024) wins.
    assert frame["period"].unique().tolist() == ["2024"]
    assert frame.loc[frame["code"] == factory.REUSED_WIJK, "value"].item() == 12_000
    older = queries.values("inwoners", "wijk", 2024, factory.HAARLEM, period="2023", warehouse=wh)
    ok = older.frame[older.frame["status"] == "ok"]
    assert ok["code"].tolist() == [factory.REUSED_WIJK] and ok["value"].tolist() == [11_000]


def test_suppressed_and_missing_cells_have_no_value(wh: Warehouse) -> None:
    frame = queries.values("inwoners", "buurt", 2024, warehouse=wh).frame.set_index("code")
    suppressed = frame.loc[factory.SUPPRESSED_BUURT]
    assert suppressed["status"] == "suppressed"
    assert pd.isna(suppressed["value"])
    assert suppressed["reason"] == factory.SUPPRESSED_REASON
    missing = frame.loc[factory.MISSING_BUURT]
    assert missing["status"] == "missing" and pd.isna(missing["value"])
    assert missing["reason"]
    ok = frame[frame["status"] == "ok"]
    assert ok["value"].notna().all() and ok["reason"].isna().all()
    # As records (what the API will serialise): None, never 0 or "".
    record = frame.reset_index().astype(object).where(frame.reset_index().notna(), None)
    as_dict = record.set_index("code").loc[factory.SUPPRESSED_BUURT].to_dict()
    assert as_dict["value"] is None


def test_area_without_observation_is_missing(wh: Warehouse) -> None:
    frame = queries.values("woningvoorraad", "wijk", 2024, warehouse=wh).frame
    assert len(frame) == 5
    assert set(frame["status"]) == {"missing"}
    assert frame["value"].isna().all()
    assert set(frame["reason"]) == {queries.REASON_NO_PERIOD}


def test_values_unknown_things_raise_not_found(wh: Warehouse) -> None:
    with pytest.raises(UnknownIndicator, match="bestaat_niet"):
        queries.values("bestaat_niet", "wijk", 2024, warehouse=wh)
    with pytest.raises(UnknownIndicator):
        queries.values(factory.INTERNAL_INDICATOR, "wijk", 2024, warehouse=wh)
    assert len(
        queries.values(
            factory.INTERNAL_INDICATOR, "wijk", 2024, include_internal=True, warehouse=wh
        ).frame
    )
    with pytest.raises(UnknownVintage, match="2019"):
        queries.values("inwoners", "wijk", 2019, warehouse=wh)
    with pytest.raises(UnknownGemeente, match="GM0394 does not exist in year 2023"):
        queries.values("inwoners", "wijk", 2023, "GM0394", warehouse=wh)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("inwoners", "straat", 2024), "level 'straat'"),
        (("inwoners", "wijk; DROP TABLE areas", 2024), "level"),
        (("inwoners", "wijk", "twintig"), "year"),
        (("inwoners", "wijk", True), "year"),
        (("inwoners", "wijk", 2024, "0392"), "gemeente"),
        (("Inwoners'--", "wijk", 2024), "indicator"),
    ],
)
def test_invalid_parameters_are_rejected(
    wh: Warehouse, args: tuple[object, ...], match: str
) -> None:
    with pytest.raises(InvalidParameter, match=match):
        queries.values(*args, warehouse=wh)  # type: ignore[arg-type]


def test_geometry_artefact_for_one_gemeente(wh: Warehouse) -> None:
    artefact = queries.geometry_artefact(2024, "wijk", factory.HAARLEM, warehouse=wh)
    collection = json.loads(artefact.geojson)
    assert [f["id"] for f in collection["features"]] == ["WK039201", "WK039202", "WK039203"]
    assert artefact.data_version == "q-v1"
    info = queries.geometry_info(2024, "wijk", factory.HAARLEM, warehouse=wh)
    assert info.etag == artefact.etag
    assert (info.bbox.west, info.bbox.north, info.feature_count) == (4.60, 52.41, 3)


def test_reused_code_has_each_vintages_geometry(wh: Warehouse) -> None:
    def ring(year: int) -> list[list[float]]:
        artefact = queries.geometry_artefact(year, "wijk", factory.HAARLEM, warehouse=wh)
        features = json.loads(artefact.geojson)["features"]
        return next(f for f in features if f["id"] == factory.REUSED_WIJK)["geometry"][
            "coordinates"
        ][0]

    assert ring(2023) != ring(2024)


def test_geometry_of_all_gemeenten_is_merged(wh: Warehouse) -> None:
    artefact = queries.geometry_artefact(2024, "gemeente", None, warehouse=wh)
    ids = [f["id"] for f in json.loads(artefact.geojson)["features"]]
    assert ids == ["GM0392", "GM0394"]
    info = queries.geometry_info(2024, "gemeente", None, warehouse=wh)
    assert info.etag == artefact.etag and info.etag.startswith("m-")
    assert info.feature_count == 2
    assert (info.bbox.west, info.bbox.east) == (4.60, 4.80)
    single = queries.geometry_info(2024, "gemeente", "GM0392", warehouse=wh)
    assert single.etag != info.etag


def test_geometry_not_found(wh: Warehouse) -> None:
    with pytest.raises(GeometryNotFound, match="2019"):
        queries.geometry_artefact(2019, "wijk", None, warehouse=wh)
    with pytest.raises(GeometryNotFound):
        queries.geometry_info(2024, "buurt", "GM0001", warehouse=wh)


def test_queries_answer_from_the_new_file_after_a_swap(tmp_path: Path) -> None:
    wh = Warehouse(factory.publish(tmp_path, data_version="a"), check_interval=0.0)
    before = queries.values("inwoners", "gemeente", 2024, warehouse=wh)
    factory.publish(tmp_path, data_version="b", scale=3.0)
    after = queries.values("inwoners", "gemeente", 2024, warehouse=wh)
    assert (before.data_version, after.data_version) == ("a", "b")
    assert after.frame["value"].tolist() == [3 * v for v in before.frame["value"].tolist()]
