# SPDX-License-Identifier: EUPL-1.2
"""Merging sources: names, hierarchy checks, conflicting figures, one geometry source per map."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from etl.model import AREA_COLUMNS, OBS_COLUMNS, SourceResult, gemeente_of, level_of, parent_of
from etl.transform import merge

pytestmark = pytest.mark.unit


def areas(vintage: int, rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "code": code,
                "vintage": vintage,
                "level": level_of(code),
                "name": name,
                "parent_code": parent_of(code),
                "gemeente_code": gemeente_of(code),
            }
            for code, name in rows
        ],
        columns=AREA_COLUMNS,
    )


def obs(vintage: int, rows: list[tuple[str, str, float | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "area_code": code,
                "vintage": vintage,
                "period": str(vintage),
                "indicator_id": ind,
                "value": value,
                "status": status,
                "reason": None if status == "ok" else "geheim",
            }
            for code, ind, value, status in rows
        ],
        columns=OBS_COLUMNS,
    )


def result(
    source: str,
    kind: str,
    area_frame: pd.DataFrame,
    obs_frame: pd.DataFrame | None = None,
    geoms: dict[str, tuple[float, float]] | None = None,
) -> SourceResult:
    gdf = None
    if geoms:
        gdf = gpd.GeoDataFrame(
            {
                "code": list(geoms),
                "vintage": 2024,
                "level": [level_of(c) for c in geoms],
                "geometry": [box(x, y, x + 0.01, y + 0.01) for x, y in geoms.values()],
            },
            crs=4326,
        )
    return SourceResult(
        source=source,
        file=f"{source}.file",
        kind=kind,
        checksum="sha256:0",
        areas=area_frame,
        observations=obs_frame if obs_frame is not None else obs(2024, []),
        geometries=gdf,
        rows_read=len(area_frame),
    )


def test_first_non_empty_name_wins_and_gemeente_is_implied() -> None:
    a = result("a", "cbs_kaart", areas(2024, [("WK039201", None), ("BU03920101", "Stationsbuurt")]))
    b = result("b", "cbs_gebiedsindeling", areas(2024, [("WK039201", "Oude Stad")]))
    merged = merge([a, b])
    names = dict(zip(merged.areas["code"], merged.areas["name"], strict=True))
    assert names["WK039201"] == "Oude Stad"
    assert "GM0392" in names and names["GM0392"] is None  # implied, not invented
    assert any("GM0392" in n for n in merged.notes)


def test_buurt_without_its_wijk_is_rejected_with_its_figures() -> None:
    a = result(
        "a",
        "cbs_kaart",
        areas(2024, [("GM0392", "Haarlem"), ("WK039201", "Oude Stad"),
                     ("BU03920101", "Stationsbuurt"), ("BU03920201", "Zonder wijk")]),
        obs(2024, [("BU03920201", "inwoners", 100.0, "ok"),
                   ("BU03920101", "inwoners", 200.0, "ok")]),
    )  # fmt: skip
    merged = merge([a])
    assert "BU03920201" not in set(merged.areas["code"])
    assert set(merged.observations["area_code"]) == {"BU03920101"}
    area_rejection, figures_rejection = [r for r in merged.rejected if r.value == "BU03920201"]
    assert "WK039202 is missing" in area_rejection.reason and area_rejection.file == "a.file"
    assert "area was rejected" in figures_rejection.reason


def test_buurten_without_any_wijk_layer_are_kept() -> None:
    a = result("a", "cbs_gebiedsindeling", areas(2022, [("BU04000101", "X"), ("BU04000102", "Y")]))
    merged = merge([a])
    assert set(merged.areas["code"]) == {"BU04000101", "BU04000102", "GM0400"}
    assert merged.rejected == []
    assert any("without a wijk layer" in n for n in merged.notes)


def test_statline_figure_wins_over_kaart_and_conflicts_are_counted() -> None:
    area = areas(2024, [("GM0392", "Haarlem")])
    kaart = result(
        "kaart",
        "cbs_kaart",
        area,
        obs(2024, [("GM0392", "inwoners", 1.0, "ok"), ("GM0392", "mannen", 5.0, "ok")]),
    )
    statline = result("statline", "cbs_statline_csv", area,
                      obs(2024, [("GM0392", "inwoners", 2.0, "ok"),
                                 ("GM0392", "mannen", 5.0, "ok")]))  # fmt: skip
    merged = merge([kaart, statline])
    got = merged.observations.set_index("indicator_id")
    assert got.loc["inwoners", "value"] == 2.0 and got.loc["inwoners", "source"] == "statline"
    assert merged.conflicts == 1  # mannen agrees


def test_one_geometry_source_per_map() -> None:
    rows = [("GM0392", "Haarlem"), ("WK039201", "A"), ("WK039202", "B")]
    full = result(
        "full",
        "cbs_gebiedsindeling",
        areas(2024, rows),
        geoms={"WK039201": (4.6, 52.3), "WK039202": (4.7, 52.3)},
    )
    partial = result("partial", "cbs_kaart", areas(2024, rows[:2]), geoms={"WK039201": (9, 9)})
    merged = merge([partial, full])  # fmt: skip
    wijken = merged.geometries[merged.geometries["level"] == "wijk"]
    assert sorted(wijken["code"]) == ["WK039201", "WK039202"]
    assert wijken.geometry.bounds["minx"].min() == pytest.approx(4.6)
    has = dict(zip(merged.areas["code"], merged.areas["has_geometry"], strict=True))
    assert has == {"GM0392": False, "WK039201": True, "WK039202": True}
