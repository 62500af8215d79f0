# SPDX-License-Identifier: EUPL-1.2
"""etl.geometry on small synthetic geometries: reprojection, repair, rows, map artefacts."""

from __future__ import annotations

import doctest
import hashlib
import itertools
import json
import logging
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal, assert_geoseries_equal

import etl.geometry
from etl.geometry import (
    ARTEFACT_COLUMNS,
    DEFAULT_TOLERANCE_M,
    FULL_PRECISION_COLUMNS,
    Artefact,
    display_artefacts,
    full_precision_rows,
    prepare,
    repair,
    to_wgs84,
)

pytestmark = pytest.mark.unit

X0, Y0 = 100_000.0, 484_000.0  # RD, near Haarlem
CELL = 1_000.0


def _frame(
    codes: list[str],
    geoms: list[shapely.Geometry | None],
    crs: str | None = "EPSG:28992",
    vintage: int = 2024,
    level: str = "buurt",
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": codes, "vintage": [vintage] * len(codes), "level": [level] * len(codes)},
        geometry=geoms,
        crs=crs,
    )


def _wiggly_line(start: tuple[float, float], end: tuple[float, float], seed: int) -> list:
    """A border from start to end with 2 m noise every 10 m and a 60 m bend in the middle.

    The noise is what simplification should remove; the bend must survive it.
    """
    rng = np.random.default_rng(seed)
    n = 100
    t = np.linspace(0.0, 1.0, n + 1)
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1)
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length  # unit normal
    offset = 60.0 * np.sin(np.pi * t) + rng.uniform(-2.0, 2.0, n + 1)
    offset[0] = offset[-1] = 0.0
    xs = x1 + t * (x2 - x1) + offset * nx
    ys = y1 + t * (y2 - y1) + offset * ny
    return list(zip(xs, ys, strict=True))


def _grid_codes(rows: int = 3, cols: int = 3) -> dict[tuple[int, int], str]:
    # Columns 0-1 in Haarlem (GM0392), column 2 in Den Helder (GM0400): the grid then
    # also has a border between two gemeenten, which must stay shared as well.
    return {
        (r, c): f"BU{'0400' if c == 2 else '0392'}{r + 1:02d}{c + 1:02d}"
        for r in range(rows)
        for c in range(cols)
    }


def _start_mid_border(polygon: shapely.Geometry) -> shapely.Geometry:
    """The same polygon with its ring starting a third of the way round, mid-border.

    Real source rings start anywhere. A per-polygon simplifier always keeps a ring's start
    vertex, so it would keep that vertex on one side of a border and drop it on the other;
    this makes the shared-arc tests fail for polygon-by-polygon simplification.
    """
    ring = shapely.get_coordinates(polygon.exterior)[:-1]
    k = len(ring) // 3
    return shapely.Polygon(np.vstack([ring[k:], ring[:k]]))


@pytest.fixture(scope="module")
def grid() -> gpd.GeoDataFrame:
    """A perfect 3x3 coverage of 1 km squares whose inner borders wiggle (RD metres)."""
    lines: list[shapely.Geometry] = [
        shapely.box(X0, Y0, X0 + 3 * CELL, Y0 + 3 * CELL).exterior,
    ]
    for i in (1, 2):
        x = X0 + i * CELL
        lines.append(shapely.LineString(_wiggly_line((x, Y0), (x, Y0 + 3 * CELL), seed=i)))
        y = Y0 + i * CELL
        lines.append(shapely.LineString(_wiggly_line((X0, y), (X0 + 3 * CELL, y), seed=10 + i)))
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(lines)))))
    assert len(faces) == 9
    codes = _grid_codes()
    by_code: dict[str, shapely.Geometry] = {}
    for face in faces:
        p = face.representative_point()
        cell = (int((p.y - Y0) // CELL), int((p.x - X0) // CELL))
        by_code[codes[cell]] = face
    ordered = sorted(by_code)
    frame = _frame(ordered, [_start_mid_border(by_code[c]) for c in ordered])
    assert shapely.coverage_is_valid(frame.geometry.values)
    return frame


def _features(artefacts: list[Artefact]) -> list[dict[str, Any]]:
    return [f for a in artefacts for f in json.loads(a.geojson)["features"]]


def _display_rd(artefacts: list[Artefact]) -> gpd.GeoSeries:
    features = _features(artefacts)
    return gpd.GeoSeries(
        [shapely.geometry.shape(f["geometry"]) for f in features],
        index=[f["id"] for f in features],
        crs="EPSG:4326",
    ).to_crs("EPSG:28992")


def _neighbour_pairs(geoms: gpd.GeoSeries) -> list[tuple[str, str]]:
    """Pairs of areas that share a border of positive length."""
    return [
        (a, b)
        for a, b in itertools.combinations(geoms.index, 2)
        if geoms[a].intersection(geoms[b]).length > 0
    ]


# --- to_wgs84 -------------------------------------------------------------------------


def test_to_wgs84_converts_rd_amersfoort_reference_point() -> None:
    gdf = _frame(["BU03920101"], [shapely.Point(155_000, 463_000)])
    point = to_wgs84(gdf).geometry.iloc[0]
    # RDNAPTRANS reference for the RD origin; PROJ's default Helmert is within ~0.3 m.
    assert point.x == pytest.approx(5.38720621, abs=1e-5)
    assert point.y == pytest.approx(52.15517440, abs=1e-5)


def test_to_wgs84_returns_epsg4326_and_keeps_columns(grid: gpd.GeoDataFrame) -> None:
    out = to_wgs84(grid)
    assert out.crs.to_epsg() == 4326
    assert list(out.columns) == list(grid.columns)
    pd.testing.assert_frame_equal(
        pd.DataFrame(out.drop(columns="geometry")), pd.DataFrame(grid.drop(columns="geometry"))
    )
    assert grid.crs.to_epsg() == 28992, "input must not be modified"


@pytest.mark.parametrize("crs", ["EPSG:4326", "OGC:CRS84"])
def test_to_wgs84_leaves_lon_lat_input_unchanged(crs: str) -> None:
    gdf = _frame(["BU03920101"], [shapely.box(4.60, 52.37, 4.61, 52.38)], crs=crs)
    out = to_wgs84(gdf)
    assert out.crs.to_epsg() == 4326
    assert_geoseries_equal(out.geometry, gdf.geometry, check_crs=False)


def test_to_wgs84_without_crs_raises() -> None:
    gdf = _frame(["BU03920101"], [shapely.Point(155_000, 463_000)], crs=None)
    with pytest.raises(ValueError, match="no CRS"):
        to_wgs84(gdf)


def test_to_wgs84_rejects_rd_metres_declared_as_lon_lat() -> None:
    gdf = _frame(["BU03920101"], [shapely.box(103_000, 488_000, 104_000, 489_000)], "EPSG:4326")
    with pytest.raises(ValueError, match="not longitude/latitude"):
        to_wgs84(gdf)


def test_to_wgs84_names_missing_columns() -> None:
    gdf = gpd.GeoDataFrame({"code": ["BU03920101"]}, geometry=[shapely.Point(0, 0)], crs=4326)
    with pytest.raises(ValueError, match="vintage"):
        to_wgs84(gdf)


# --- repair ---------------------------------------------------------------------------


def test_repair_bow_tie_is_repaired_and_reported() -> None:
    bow_tie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    square = shapely.box(X0 + 200, Y0, X0 + 300, Y0 + 100)
    gdf = _frame(["BU04000103", "BU04000104"], [bow_tie, square])
    assert not bow_tie.is_valid

    fixed, notes = repair(gdf)

    assert len(fixed) == 2
    assert fixed.geometry.is_valid.all()
    assert set(fixed.geom_type) <= {"Polygon", "MultiPolygon"}
    assert fixed.geometry.iloc[0].area == pytest.approx(2 * 50 * 50)  # two triangles
    assert len(notes) == 1
    assert notes[0].startswith("BU04000103: self-intersection repaired")
    assert "2014" not in notes[0] and "vintage 2024" in notes[0]
    assert_geoseries_equal(fixed.geometry.iloc[[1]], gdf.geometry.iloc[[1]])


def test_repair_reports_and_drops_area_that_collapses() -> None:
    sliver = shapely.Polygon([(X0, Y0), (X0 + 100, Y0), (X0 + 200, Y0)])  # zero area
    square = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    gdf = _frame(["BU04000109", "BU04000110"], [sliver, square])

    fixed, notes = repair(gdf)

    assert fixed["code"].tolist() == ["BU04000110"]
    assert len(notes) == 1
    assert notes[0].startswith("BU04000109: ")
    assert "left out of the map" in notes[0]


def test_repair_reports_missing_and_empty_geometry() -> None:
    gdf = _frame(
        ["BU03920101", "BU03920102", "BU03920103"],
        [None, shapely.Polygon(), shapely.box(X0, Y0, X0 + 10, Y0 + 10)],
    )
    fixed, notes = repair(gdf)
    assert fixed["code"].tolist() == ["BU03920103"]
    assert [n.split(":")[0] for n in notes] == ["BU03920101", "BU03920102"]
    assert all("no geometry" in n for n in notes)


def test_repair_keeps_only_polygonal_parts_of_a_collection() -> None:
    square = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    collection = shapely.GeometryCollection(
        [square, shapely.LineString([(X0 + 200, Y0), (X0 + 300, Y0)])]
    )
    fixed, notes = repair(_frame(["BU03920101"], [collection]))
    assert fixed.geometry.iloc[0].equals(square)
    assert notes == [
        "BU03920101: non-polygonal geometry (GeometryCollection) repaired (vintage 2024)"
    ]


def test_repair_leaves_valid_input_untouched(grid: gpd.GeoDataFrame) -> None:
    fixed, notes = repair(grid)
    assert notes == []
    assert_geodataframe_equal(fixed, grid)


def test_repair_logs_every_note(caplog: pytest.LogCaptureFixture) -> None:
    bow_tie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    with caplog.at_level(logging.WARNING, logger="etl.geometry"):
        _, notes = repair(_frame(["BU04000103"], [bow_tie]))
    assert notes and notes[0] in caplog.text


# --- full_precision_rows --------------------------------------------------------------


def test_full_precision_rows_shape_and_area_in_rd_hectares(grid: gpd.GeoDataFrame) -> None:
    rows = full_precision_rows(grid)
    assert list(rows.columns) == FULL_PRECISION_COLUMNS
    assert rows["code"].tolist() == grid["code"].tolist()
    assert rows["vintage"].dtype == np.int64
    assert rows["area_ha"].sum() == pytest.approx(900.0)  # 3 km x 3 km
    np.testing.assert_allclose(rows["area_ha"], grid.area / 10_000)


def test_full_precision_rows_same_area_from_wgs84_input(grid: gpd.GeoDataFrame) -> None:
    from_rd = full_precision_rows(grid)
    from_wgs = full_precision_rows(to_wgs84(grid))
    # RD -> WGS84 -> RD is not bit-exact (the inverse is iterative): 1e-7 = 0.1 m2 per 100 ha
    np.testing.assert_allclose(from_wgs["area_ha"], from_rd["area_ha"], rtol=1e-7)
    np.testing.assert_allclose(from_wgs["centroid_lon"], from_rd["centroid_lon"], atol=1e-9)


def test_full_precision_wkb_is_the_unrounded_wgs84_geometry(grid: gpd.GeoDataFrame) -> None:
    rows = full_precision_rows(grid)
    decoded = gpd.GeoSeries(shapely.from_wkb(rows["wkb"]), crs="EPSG:4326")
    assert_geoseries_equal(decoded, to_wgs84(grid).geometry.reset_index(drop=True))
    assert all(isinstance(b, bytes) and b[0] == 1 for b in rows["wkb"])  # little endian


def test_full_precision_point_lies_inside_a_crescent() -> None:
    # A U shape: its centroid lies in the notch, outside the area.
    u_shape = shapely.box(X0, Y0, X0 + 300, Y0 + 300).difference(
        shapely.box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 301)
    )
    square = shapely.box(X0 + 1000, Y0, X0 + 1100, Y0 + 100)
    gdf = _frame(["BU03920101", "BU03920102"], [u_shape, square])
    assert not u_shape.contains(u_shape.centroid)

    rows = full_precision_rows(gdf)
    wgs = to_wgs84(gdf).geometry
    for i in range(2):
        point = shapely.Point(rows["centroid_lon"][i], rows["centroid_lat"][i])
        assert wgs.iloc[i].contains(point)
    # a compact area gets its true centroid
    assert rows["centroid_lon"][1] == pytest.approx(wgs.iloc[1].centroid.x, abs=1e-12)


def test_full_precision_rows_reject_duplicate_areas() -> None:
    square = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    with pytest.raises(ValueError, match="BU03920101"):
        full_precision_rows(_frame(["BU03920101", "BU03920101"], [square, square]))


# --- display_artefacts ----------------------------------------------------------------


def test_display_one_artefact_per_vintage_level_gemeente(grid: gpd.GeoDataFrame) -> None:
    artefacts = display_artefacts(grid)
    assert [(a.vintage, a.level, a.gemeente_code) for a in artefacts] == [
        (2024, "buurt", "GM0392"),
        (2024, "buurt", "GM0400"),
    ]
    assert [a.feature_count for a in artefacts] == [6, 3]
    for artefact in artefacts:
        ids = [f["id"] for f in json.loads(artefact.geojson)["features"]]
        assert ids == sorted(ids)
        assert all(code[2:6] == artefact.gemeente_code[2:] for code in ids)


def test_display_neighbours_share_exactly_the_same_border_vertices(
    grid: gpd.GeoDataFrame,
) -> None:
    display = _display_rd(display_artefacts(grid))  # identical vertices stay identical
    original = grid.set_index("code").geometry
    before = _neighbour_pairs(original)
    assert len(before) == 12  # diagonal cells touch in a point only
    for a, b in before:
        shared = display[a].intersection(display[b])
        assert shared.length > 0.8 * original[a].intersection(original[b]).length, (
            f"{a} and {b} no longer share their border"
        )
        # The vertices of a along b are exactly the vertices of b along a.
        near_b = {
            tuple(v)
            for v in shapely.get_coordinates(display[a])
            if display[b].distance(shapely.Point(v)) < 0.5
        }
        near_a = {
            tuple(v)
            for v in shapely.get_coordinates(display[b])
            if display[a].distance(shapely.Point(v)) < 0.5
        }
        assert len(near_b) >= 3
        assert near_b == near_a, f"{a}/{b}: border vertices differ"


def test_display_simplified_grid_has_no_gaps_or_overlaps(grid: gpd.GeoDataFrame) -> None:
    display = _display_rd(display_artefacts(grid))
    union = display.union_all()
    assert shapely.coverage_is_valid(gpd.GeoSeries(display).to_crs(4326).values)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    assert union.area == pytest.approx(display.area.sum(), rel=1e-9)  # no overlaps
    assert union.area == pytest.approx(9 * CELL * CELL, rel=1e-3)  # no gaps, no loss


def test_display_simplifies_noise_but_keeps_shape(grid: gpd.GeoDataFrame) -> None:
    display = _display_rd(display_artefacts(grid))
    original = grid.set_index("code").geometry
    assert shapely.get_num_coordinates(display.values).sum() < 0.5 * (
        shapely.get_num_coordinates(original.values).sum()
    )
    for code in original.index:
        # the 60 m bends survive; the deviation stays within the 2 m noise + tolerance
        assert display[code].hausdorff_distance(original[code]) < 2 * DEFAULT_TOLERANCE_M
        assert display[code].area == pytest.approx(original[code].area, rel=0.01)


def test_display_tolerance_zero_keeps_every_vertex(grid: gpd.GeoDataFrame) -> None:
    display = _display_rd(display_artefacts(grid, tolerance_m=0))
    original = grid.set_index("code").geometry
    for code in original.index:
        assert shapely.get_num_coordinates(display[code]) == shapely.get_num_coordinates(
            original[code]
        )


def test_display_coordinates_have_at_most_five_decimals(grid: gpd.GeoDataFrame) -> None:
    for artefact in display_artefacts(grid):
        for feature in json.loads(artefact.geojson)["features"]:
            coords = shapely.get_coordinates(shapely.geometry.shape(feature["geometry"]))
            np.testing.assert_array_equal(coords, np.round(coords, 5))
        numbers = artefact.geojson.replace("[", " ").replace("]", " ").replace(",", " ")
        for token in numbers.split():
            if token[0].isdigit() and "." in token:
                assert len(token.split(".")[1]) <= 5, token


def test_display_features_carry_only_the_code_as_id(grid: gpd.GeoDataFrame) -> None:
    artefacts = display_artefacts(grid)
    for artefact in artefacts:
        collection = json.loads(artefact.geojson)
        assert set(collection) == {"type", "features"}
        assert collection["type"] == "FeatureCollection"
        for feature in collection["features"]:
            assert set(feature) == {"type", "id", "properties", "geometry"}
            assert feature["properties"] == {}
            assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {f["id"] for f in _features(artefacts)} == set(grid["code"])


def test_display_json_is_compact_and_etag_is_its_hash(grid: gpd.GeoDataFrame) -> None:
    for artefact in display_artefacts(grid):
        assert ", " not in artefact.geojson and ": " not in artefact.geojson
        assert "\n" not in artefact.geojson
        digest = hashlib.sha256(artefact.geojson.encode()).hexdigest()
        assert artefact.etag == digest[:16]
        assert artefact.size_bytes == len(artefact.geojson)
        assert 0 < artefact.gzip_size_bytes < artefact.size_bytes


def test_display_bbox_is_west_south_east_north(grid: gpd.GeoDataFrame) -> None:
    for artefact in display_artefacts(grid):
        shapes = [shapely.geometry.shape(f["geometry"]) for f in _features([artefact])]
        assert artefact.bbox == tuple(shapely.total_bounds(shapes))
        west, south, east, north = artefact.bbox
        assert 4.5 < west < east < 4.8 and 52.3 < south < north < 52.5


def test_display_rings_follow_rfc7946_orientation(grid: gpd.GeoDataFrame) -> None:
    holed = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000).difference(
        shapely.box(X0 + 400, Y0 + 400, X0 + 600, Y0 + 600)
    )
    inner = shapely.box(X0 + 400, Y0 + 400, X0 + 600, Y0 + 600)
    [artefact] = display_artefacts(_frame(["BU03920101", "BU03920102"], [holed, inner]))
    for feature in json.loads(artefact.geojson)["features"]:
        polygon = shapely.geometry.shape(feature["geometry"])
        assert polygon.exterior.is_ccw
        assert all(not ring.is_ccw for ring in polygon.interiors)


def test_display_is_deterministic_whatever_the_row_order(grid: gpd.GeoDataFrame) -> None:
    shuffled = grid.sample(frac=1.0, random_state=7)
    assert [a.etag for a in display_artefacts(shuffled)] == [
        a.etag for a in display_artefacts(grid)
    ]


def test_display_same_from_rd_and_wgs84_input(grid: gpd.GeoDataFrame) -> None:
    from_rd = display_artefacts(grid)
    from_wgs = display_artefacts(to_wgs84(grid))
    assert [a.geojson for a in from_wgs] == [a.geojson for a in from_rd]


def test_display_repairs_a_polygon_that_rounding_breaks() -> None:
    # A spike 4e-6 degrees above the bottom edge: rounded to 5 decimals it touches it.
    x, y = 4.6, 52.38
    spike = shapely.Polygon(
        [
            (x, y),
            (x + 0.01, y),
            (x + 0.01, y + 0.01),
            (x + 0.00502, y + 0.01),
            (x + 0.005, y + 0.000004),
            (x + 0.00498, y + 0.01),
            (x, y + 0.01),
        ]
    )
    assert spike.is_valid
    assert not shapely.transform(spike, lambda xy: np.round(xy, 5)).is_valid
    [artefact] = display_artefacts(_frame(["BU03920101"], [spike], "EPSG:4326"), tolerance_m=0)
    [feature] = json.loads(artefact.geojson)["features"]
    shape = shapely.geometry.shape(feature["geometry"])
    assert shape.is_valid
    assert shape.area == pytest.approx(spike.area, rel=0.01)
    coords = shapely.get_coordinates(shape)
    np.testing.assert_array_equal(coords, np.round(coords, 5))


def test_display_imperfect_coverage_is_logged_and_closed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Generalised separately: a 0.4 m sliver between two buurten, a 0.3 m overlap
    # between two others, and neighbours whose shared edges lack each other's vertices.
    geoms = [
        shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
        shapely.box(X0 + 1000.4, Y0, X0 + 2000, Y0 + 1000),
        shapely.box(X0, Y0 + 999.7, X0 + 2000, Y0 + 2000),
        shapely.box(X0, Y0 - 1000, X0 + 2000, Y0),
    ]
    codes = ["BU03920101", "BU03920102", "BU03920103", "BU03920104"]
    with caplog.at_level(logging.WARNING, logger="etl.geometry"):
        artefacts = display_artefacts(_frame(codes, geoms))
    assert "coverage_invalid" in caplog.text and "BU03920102" in caplog.text
    display = _display_rd(artefacts)
    assert sorted(display.index) == codes, "no area may disappear"
    union = display.union_all()
    assert union.geom_type == "Polygon" and len(union.interiors) == 0, "sliver not closed"
    assert union.area == pytest.approx(display.area.sum(), rel=1e-9), "overlap left"
    assert shapely.coverage_is_valid(display.to_crs(4326).values)


def test_display_gemeente_level_gives_one_artefact_per_gemeente() -> None:
    haarlem = shapely.box(X0, Y0, X0 + 3000, Y0 + 3000)
    bloemendaal = shapely.box(X0 - 3000, Y0, X0, Y0 + 3000)  # shares Haarlem's west border
    gdf = _frame(["GM0392", "GM0377"], [haarlem, bloemendaal], level="gemeente")
    artefacts = display_artefacts(gdf)
    assert [(a.level, a.gemeente_code, a.feature_count) for a in artefacts] == [
        ("gemeente", "GM0377", 1),
        ("gemeente", "GM0392", 1),
    ]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in _features(artefacts)]
    assert shapely.coverage_is_valid(shapes)
    assert shapes[0].intersection(shapes[1]).length > 0


def test_display_custom_gemeente_of_and_several_vintages() -> None:
    square = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    gdf = gpd.GeoDataFrame(
        {
            "code": ["BU03920101", "BU03920101"],  # same code, different vintages
            "vintage": [2015, 2024],
            "level": ["buurt", "buurt"],
        },
        geometry=[square, square],
        crs="EPSG:28992",
    )
    artefacts = display_artefacts(gdf, gemeente_of=lambda code: "GM9999")
    assert [(a.vintage, a.gemeente_code) for a in artefacts] == [
        (2015, "GM9999"),
        (2024, "GM9999"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "geoms", "match"),
    [
        ({}, [None], "repair"),
        ({}, [shapely.Polygon()], "repair"),
        ({"tolerance_m": -1.0}, [shapely.box(X0, Y0, X0 + 1, Y0 + 1)], "tolerance_m"),
        ({"tolerance_m": math.nan}, [shapely.box(X0, Y0, X0 + 1, Y0 + 1)], "tolerance_m"),
    ],
)
def test_display_rejects_bad_input(
    kwargs: dict[str, Any], geoms: list[shapely.Geometry | None], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        display_artefacts(_frame(["BU03920101"], geoms), **kwargs)


def test_display_rejects_missing_crs() -> None:
    with pytest.raises(ValueError, match="no CRS"):
        display_artefacts(_frame(["BU03920101"], [shapely.box(0, 0, 1, 1)], crs=None))


# --- prepare --------------------------------------------------------------------------


def test_prepare_runs_the_whole_chain(grid: gpd.GeoDataFrame) -> None:
    bow_tie = shapely.Polygon(
        [(X0 + 5000, Y0), (X0 + 5100, Y0 + 100), (X0 + 5100, Y0), (X0 + 5000, Y0 + 100)]
    )
    extra = _frame(["BU03920999"], [bow_tie])
    prepared = prepare(gpd.GeoDataFrame(pd.concat([grid, extra], ignore_index=True)))

    assert prepared.wgs84.crs.to_epsg() == 4326
    assert len(prepared.wgs84) == 10
    assert [n.split(":")[0] for n in prepared.notes] == ["BU03920999"]
    assert len(prepared.area_geometry) == 10
    assert list(prepared.geometries.columns) == ARTEFACT_COLUMNS
    assert prepared.geometries["feature_count"].sum() == 10
    assert prepared.geometries.loc[0, "bbox_west"] == prepared.artefacts[0].bbox[0]


def test_docstring_examples_run() -> None:
    result = doctest.testmod(etl.geometry, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5
    assert result.failed == 0
