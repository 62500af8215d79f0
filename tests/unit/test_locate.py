# SPDX-License-Identifier: EUPL-1.2
"""Point-in-polygon assignment (etl/locate.py): borders, holes, levels, the live warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from etl.locate import (
    KIND_WAREHOUSE_BOUNDARIES,
    assign_points,
    boundaries_from_warehouse,
    rd_to_wgs84,
    vintage_map,
    vintages_with_boundaries,
    wgs84_to_rd,
)
from etl.model import SourceResult, empty_areas, empty_observations
from etl.schema import DDL

pytestmark = pytest.mark.unit

# Two gemeenten side by side near Utrecht (lon/lat), each with one wijk of two buurten.
X0, Y0, D = 5.0, 52.0, 0.01


def _box(i: int, j: int, w: int = 1, h: int = 1) -> shapely.Polygon:
    return shapely.box(X0 + i * D, Y0 + j * D, X0 + (i + w) * D, Y0 + (j + h) * D)


def boundaries(vintage: int = 2024, with_parents: bool = True) -> gpd.GeoDataFrame:
    rows = [
        ("BU00010101", "buurt", _box(0, 0)),
        ("BU00010102", "buurt", _box(1, 0)),
        ("BU00020101", "buurt", _box(2, 0)),
        ("BU00020102", "buurt", _box(3, 0)),
    ]
    if with_parents:
        rows += [
            ("WK000101", "wijk", _box(0, 0, 2)),
            ("WK000201", "wijk", _box(2, 0, 2)),
            ("GM0001", "gemeente", _box(0, 0, 2)),
            ("GM0002", "gemeente", _box(2, 0, 2)),
        ]
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "vintage": vintage, "level": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs="EPSG:4326",
    )


def test_point_on_a_shared_border_goes_to_the_smallest_code_whatever_the_order() -> None:
    gdf = boundaries()
    shuffled = gdf.sample(frac=1.0, random_state=3)
    x = np.array([X0 + D, X0 + 0.5 * D, X0 + 2 * D])  # border 0101|0102, inside, gemeente border
    y = np.full(3, Y0 + 0.5 * D)
    for frame in (gdf, shuffled):
        vmap = vintage_map(frame, 2024)
        codes = [vmap.codes[i] for i in vmap.locate(x, y)]
        assert codes == ["BU00010101", "BU00010101", "BU00010102"]


def test_outside_missing_and_nan_points_are_not_assigned() -> None:
    squares = np.array([shapely.box(0, 0, 1, 1)])
    got = assign_points(squares, np.array([5.0, np.nan, 0.5]), np.array([5.0, 0.5, np.nan]))
    assert got.tolist() == [-1, -1, -1]
    assert assign_points(squares, np.array([]), np.array([])).tolist() == []


def test_a_hole_belongs_to_the_area_inside_it() -> None:
    # Like Assen's BU01069901 "Verspreide huizen" around the village BU01069900 (PROVENANCE).
    outer = shapely.Polygon(shapely.box(0, 0, 10, 10).exterior, [shapely.box(4, 4, 6, 6).exterior])
    inner = shapely.box(4, 4, 6, 6)
    got = assign_points(np.array([inner, outer]), np.array([5.0, 1.0, 4.0]), np.array([5.0, 1, 5]))
    assert got.tolist() == [0, 1, 0]  # the hole's edge touches both: smallest position


def test_many_points_agree_with_shapely_predicates() -> None:
    rng = np.random.default_rng(7)
    seeds = shapely.points(rng.uniform(0, 100, (60, 2)))
    cells = np.array(
        shapely.get_parts(
            shapely.voronoi_polygons(
                shapely.MultiPoint(seeds), extend_to=shapely.box(0, 0, 100, 100)
            )
        )
    )
    cells = shapely.intersection(cells, shapely.box(0, 0, 100, 100))
    x, y = rng.uniform(-5, 105, 5000), rng.uniform(-5, 105, 5000)
    got = assign_points(cells, x, y)
    for i in range(0, 5000, 97):
        hits = [k for k, c in enumerate(cells) if c.intersects(shapely.Point(x[i], y[i]))]
        assert got[i] == (min(hits) if hits else -1)


def test_parents_get_the_sum_of_their_buurten() -> None:
    vmap = vintage_map(boundaries(), 2024)
    assert vmap.outputs["buurt"] == ["BU00010101", "BU00010102", "BU00020101", "BU00020102"]
    assert vmap.outputs["wijk"] == ["WK000101", "WK000201"]
    assert vmap.outputs["gemeente"] == ["GM0001", "GM0002"]
    x = X0 + D * np.array([0.5, 0.5, 1.5, 3.5, 9.0])
    y = np.full(5, Y0 + 0.5 * D)
    counts = vmap.counts(vmap.locate(x, y))
    assert counts["buurt"].tolist() == [2, 1, 0, 1]
    assert counts["wijk"].tolist() == [3, 1]
    assert counts["gemeente"].tolist() == [3, 1]
    weighted = vmap.counts(vmap.locate(x, y), weights=np.array([1, 2, 3, 4, 5.0]))
    assert weighted["gemeente"].tolist() == [6, 4]


def test_a_parent_without_its_own_boundary_gets_no_figure() -> None:
    vmap = vintage_map(boundaries(with_parents=False), 2024)
    assert vmap.outputs["wijk"] == [] and vmap.outputs["gemeente"] == []
    assert any("no wijk boundary" in n for n in vmap.notes)


def test_a_partial_buurt_file_does_not_make_a_gemeente_total() -> None:
    gdf = boundaries()
    gdf = gdf[gdf.code != "BU00010102"]  # GM0001 now covered for half only
    vmap = vintage_map(gdf, 2024)
    assert "GM0001" not in vmap.outputs["gemeente"] and "GM0002" in vmap.outputs["gemeente"]
    assert any("GM0001: the located areas cover 50%" in n for n in vmap.notes)


def test_finest_level_per_gemeente_and_only_known_areas() -> None:
    gdf = boundaries()
    gdf = gdf[~gdf.code.isin(["BU00020101", "BU00020102"])]  # GM0002: wijk map only
    areas = pd.DataFrame({"code": [c for c in gdf.code if c != "WK000201"], "vintage": 2024})
    vmap = vintage_map(gdf, 2024, areas=areas)
    assert list(vmap.codes) == ["BU00010101", "BU00010102", "WK000201"]
    assert vmap.outputs["wijk"] == ["WK000101"]  # WK000201 is not an area of the run
    assert vmap.outputs["gemeente"] == ["GM0001", "GM0002"]


def test_gemeenten_filter_and_missing_vintage() -> None:
    vmap = vintage_map(boundaries(), 2024, gemeenten=["GM0002"])
    assert vmap.gemeenten == ["GM0002"]
    with pytest.raises(LookupError, match="no boundaries of 2023"):
        vintage_map(boundaries(), 2023)


def test_rd_round_trip() -> None:
    lon, lat = rd_to_wgs84(np.array([155_000.0]), np.array([463_000.0]))
    x, y = wgs84_to_rd(lon, lat)
    assert abs(x[0] - 155_000) < 0.01 and abs(y[0] - 463_000) < 0.01


def _warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    for statement in DDL:
        con.execute(statement)
    gdf = boundaries(2022)
    for code, level, geom in zip(gdf.code, gdf.level, gdf.geometry, strict=True):
        con.execute(
            "INSERT INTO areas VALUES (?, 2022, ?, ?, NULL, ?, TRUE)",
            [code, level, f"naam {code}", "GM" + code[2:6]],
        )
        con.execute(
            "INSERT INTO area_geometry VALUES (?, 2022, ?, ?, 0, 0, 1)",
            [code, level, shapely.to_wkb(geom)],
        )
    con.close()


def test_boundaries_from_the_live_warehouse(tmp_path: Path) -> None:
    live = tmp_path / "buurtlens.duckdb"
    _warehouse(live)
    result = boundaries_from_warehouse(live, [2022], gemeenten=["GM0001"])
    assert result is not None and result.kind == KIND_WAREHOUSE_BOUNDARIES
    assert sorted(result.areas.code) == ["BU00010101", "BU00010102", "GM0001", "WK000101"]
    assert result.geometries is not None and result.geometries.crs.to_epsg() == 4326
    assert result.observations.empty and result.vintages == [2022]
    vmap = vintage_map(result.geometries, 2022, areas=result.areas)
    assert vmap.outputs["gemeente"] == ["GM0001"]
    assert boundaries_from_warehouse(live, [2030]) is None
    assert boundaries_from_warehouse(tmp_path / "missing.duckdb", [2022]) is None


def test_vintages_with_boundaries() -> None:
    gdf = boundaries(2022)
    result = SourceResult("s", "f", "k", "c", empty_areas(), empty_observations(), gdf)
    assert vintages_with_boundaries([result]) == {2022}
    assert vintages_with_boundaries([result], ["GM0003"]) == set()
