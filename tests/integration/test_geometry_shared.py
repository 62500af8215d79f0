# SPDX-License-Identifier: EUPL-1.2
"""etl.geometry on the real CBS boundary files in the shared data folder.

See ``../shared/data/PROVENANCE.md``: cartomap files are generalised CBS/PDOK layers in RD
(with a legacy ``crs`` member) and converted WGS84 copies; the 2014 "ties" buurten are
coarsely quantised and 10 of them are invalid.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal, assert_geoseries_equal

from etl.geometry import Artefact, PreparedGeometry, display_artefacts, prepare, repair, to_wgs84

pytestmark = pytest.mark.integration

CARTOMAP = "cbs_gebiedsindelingen_cartomap"
TIES = "cbs_gebiedsindelingen_2014_ties"

#: Invalid buurt polygons of the 2014 file (PROVENANCE.md names the first four).
TIES_INVALID = {
    "BU04000103", "BU04000109", "BU04000203", "BU04000206", "BU04000400",
    "BU04000407", "BU04000507", "BU04000508", "BU04000602", "BU04000606",
}  # fmt: skip
#: Of those, the ones whose ring collapsed to a line in the quantisation (zero area).
TIES_COLLAPSED = {"BU04000109", "BU04000203", "BU04000206", "BU04000508"}


def _load(
    path: Path,
    *,
    code_field: str = "statcode",
    level: str | None = None,
    vintage: int | None = None,
) -> gpd.GeoDataFrame:
    """A boundary file as GEOM_COLUMNS, the way an extractor hands it over."""
    raw = gpd.read_file(path)
    codes = raw[code_field].astype(str)
    return gpd.GeoDataFrame(
        {
            "code": codes,
            "vintage": raw["jrstatcode"].str[:4].astype("int64") if vintage is None else vintage,
            "level": codes.str[:2].map({"GM": "gemeente", "WK": "wijk", "BU": "buurt"})
            if level is None
            else level,
        },
        geometry=raw.geometry,
        crs=raw.crs,
    )


def _shapes(artefacts: list[Artefact]) -> gpd.GeoSeries:
    """All features of the artefacts, indexed by id, in WGS84."""
    features = [f for a in artefacts for f in json.loads(a.geojson)["features"]]
    return gpd.GeoSeries(
        [shapely.geometry.shape(f["geometry"]) for f in features],
        index=pd.Index([f["id"] for f in features], name="code"),
        crs="EPSG:4326",
    )


def _sizes(artefact: Artefact) -> str:
    return (
        f"{artefact.vintage}/{artefact.level}/{artefact.gemeente_code}: "
        f"{artefact.feature_count} features, {artefact.size_bytes} bytes raw, "
        f"{artefact.gzip_size_bytes} bytes gzip"
    )


@pytest.fixture(scope="module")
def haarlem_rd(shared_data: Path) -> gpd.GeoDataFrame:
    return _load(shared_data / CARTOMAP / "buurten_2024_GM0392_rd.geojson")


@pytest.fixture(scope="module")
def haarlem_wgs84(shared_data: Path) -> gpd.GeoDataFrame:
    return _load(shared_data / CARTOMAP / "buurten_2024_GM0392_wgs84.geojson")


@pytest.fixture(scope="module")
def haarlem(haarlem_rd: gpd.GeoDataFrame) -> PreparedGeometry:
    return prepare(haarlem_rd)


# --- Haarlem buurten 2024 -------------------------------------------------------------


def test_haarlem_2024_buurten_give_one_valid_artefact(
    haarlem_rd: gpd.GeoDataFrame, haarlem: PreparedGeometry
) -> None:
    assert haarlem_rd.crs.to_epsg() == 28992, "the legacy crs member must be understood"
    assert haarlem.notes == []
    [artefact] = haarlem.artefacts
    sizes = _sizes(artefact)
    assert (artefact.vintage, artefact.level, artefact.gemeente_code) == (2024, "buurt", "GM0392")
    assert artefact.feature_count == 111, sizes
    shapes = _shapes(haarlem.artefacts)
    assert list(shapes.index) == sorted(haarlem_rd["code"]), sizes
    assert shapes.is_valid.all(), sizes
    assert shapely.coverage_is_valid(shapes.values), sizes
    # Whole-file round trip through GDAL, as a client would read it.
    read_back = gpd.read_file(artefact.geojson)
    assert list(read_back.columns) == ["id", "geometry"], sizes
    assert_geoseries_equal(read_back.geometry, shapes.reset_index(drop=True), check_crs=False)
    # 111 buurten measured at ~25 kB raw and ~3 kB gzip; bounds leave room, not a cliff.
    assert artefact.size_bytes < 60_000, sizes
    assert artefact.gzip_size_bytes < 10_000, sizes
    west, south, east, north = artefact.bbox
    assert 4.55 < west < east < 4.75 and 52.30 < south < north < 52.45, artefact.bbox


def test_haarlem_2024_neighbours_keep_shared_borders(
    haarlem_rd: gpd.GeoDataFrame, haarlem: PreparedGeometry
) -> None:
    source = haarlem_rd.set_index("code").geometry
    display = _shapes(haarlem.artefacts).to_crs("EPSG:28992")
    sizes = _sizes(haarlem.artefacts[0])

    union = display.union_all()
    parts = display.area.sum()
    assert abs(union.area - parts) / parts < 0.001, f"overlaps: {parts - union.area:.0f} m2"
    source_union = source.union_all()
    assert abs(union.area - source_union.area) / source_union.area < 0.001, "area lost"
    holes = sum(len(p.interiors) for p in shapely.get_parts(union))
    source_holes = sum(len(p.interiors) for p in shapely.get_parts(source_union))
    assert holes <= source_holes, f"{holes - source_holes} new gaps between buurten; {sizes}"
    for a, b in itertools.combinations(source.index, 2):
        if source[a].intersection(source[b]).length > 0:
            assert display[a].intersection(display[b]).length > 0, f"{a}/{b} came apart"


def test_haarlem_2024_full_precision_rows(
    haarlem_rd: gpd.GeoDataFrame, haarlem: PreparedGeometry
) -> None:
    rows = haarlem.area_geometry
    assert len(rows) == 111
    assert rows[["code", "vintage", "level"]].drop_duplicates().shape[0] == 111
    np.testing.assert_allclose(rows["area_ha"], haarlem_rd.area / 10_000, rtol=1e-7)
    full = gpd.GeoSeries(shapely.from_wkb(rows["wkb"]), crs="EPSG:4326")
    points = gpd.GeoSeries(gpd.points_from_xy(rows["centroid_lon"], rows["centroid_lat"]))
    assert full.contains(points.set_crs("EPSG:4326")).all()


def test_haarlem_2024_rd_and_wgs84_files_give_the_same_map(
    haarlem_rd: gpd.GeoDataFrame, haarlem_wgs84: gpd.GeoDataFrame, haarlem: PreparedGeometry
) -> None:
    # The _wgs84 file was made from the _rd file with pyproj's default pipeline, rounded
    # to 6 decimals (PROVENANCE.md): to_wgs84 must reproduce it exactly. If this fails,
    # PROJ picked another RD transformation (e.g. an installed RDNAPTRANS grid).
    converted = to_wgs84(haarlem_rd)
    converted = converted.set_geometry(
        shapely.transform(converted.geometry.values, lambda xy: np.round(xy, 6))
    )
    assert_geodataframe_equal(converted, haarlem_wgs84, check_crs=True)

    from_wgs = prepare(haarlem_wgs84)
    a, b = haarlem.artefacts[0], from_wgs.artefacts[0]
    assert (a.vintage, a.level, a.gemeente_code, a.feature_count) == (
        b.vintage,
        b.level,
        b.gemeente_code,
        b.feature_count,
    )
    np.testing.assert_allclose(a.bbox, b.bbox, atol=1e-4)
    shapes_rd, shapes_wgs = _shapes([a]), _shapes([b])
    assert list(shapes_rd.index) == list(shapes_wgs.index)
    # centroids in degrees on purpose: the tolerance is stated in degrees
    np.testing.assert_allclose(
        shapely.get_coordinates(shapely.centroid(shapes_rd.values)),
        shapely.get_coordinates(shapely.centroid(shapes_wgs.values)),
        atol=1e-4,
    )
    # 6-decimal rounding of the WGS84 file moves borders by up to ~0.05 m
    np.testing.assert_allclose(
        haarlem.area_geometry["area_ha"], from_wgs.area_geometry["area_ha"], rtol=1e-3
    )


def test_haarlem_2024_valid_input_passes_repair_unchanged(haarlem_rd: gpd.GeoDataFrame) -> None:
    fixed, notes = repair(haarlem_rd)
    assert notes == []
    assert_geodataframe_equal(fixed, haarlem_rd)


def test_haarlem_2024_timing_and_size(haarlem_rd: gpd.GeoDataFrame) -> None:
    started = time.perf_counter()
    prepared = prepare(haarlem_rd)
    elapsed = time.perf_counter() - started
    message = f"{_sizes(prepared.artefacts[0])}, prepare() took {elapsed * 1000:.0f} ms"
    logging.getLogger(__name__).info(message)
    assert elapsed < 5.0, message  # measured ~0.03-0.1 s; only a gross regression fails


# --- 2014 buurten with invalid polygons -----------------------------------------------


def test_ties_2014_invalid_buurten_are_repaired_and_reported(
    shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gdf = _load(shared_data / TIES / "buurten_2014.geojson", vintage=2014)
    assert set(gdf.loc[~gdf.is_valid, "code"]) == TIES_INVALID

    with caplog.at_level(logging.WARNING, logger="etl.geometry"):
        prepared = prepare(gdf)

    noted = {note.split(":")[0] for note in prepared.notes}
    assert noted == TIES_INVALID, prepared.notes
    assert any(n.startswith("BU04000103: self-intersection repaired") for n in prepared.notes)
    dropped = {n.split(":")[0] for n in prepared.notes if "left out of the map" in n}
    assert dropped == TIES_COLLAPSED, prepared.notes
    assert prepared.wgs84.geometry.is_valid.all()
    assert set(prepared.wgs84.geom_type) <= {"Polygon", "MultiPolygon"}
    assert len(prepared.area_geometry) == 105 - len(TIES_COLLAPSED)
    assert [(a.gemeente_code, a.feature_count) for a in prepared.artefacts] == [
        ("GM0392", 40),
        ("GM0400", 65 - len(TIES_COLLAPSED)),
    ]
    # The repaired polygons overlap their neighbours a little: logged, cleaned for display.
    assert "event=coverage_invalid coverage=2014/buurt" in caplog.text
    display = _shapes(prepared.artefacts)
    assert display.is_valid.all()
    assert shapely.coverage_is_valid(display.values)
    rd = display.to_crs("EPSG:28992")
    assert abs(rd.union_all().area - rd.area.sum()) / rd.area.sum() < 0.001


# --- other levels and files -----------------------------------------------------------


def test_gemeente_and_wijk_levels_2024(shared_data: Path) -> None:
    gdf = pd.concat(
        [
            _load(shared_data / CARTOMAP / "gemeenten_2024_rd.geojson"),
            _load(shared_data / CARTOMAP / "wijken_2024_rd.geojson"),
        ],
        ignore_index=True,
    )
    prepared = prepare(gpd.GeoDataFrame(gdf, crs="EPSG:28992"))
    assert prepared.notes == []
    assert [(a.level, a.gemeente_code, a.feature_count) for a in prepared.artefacts] == [
        ("gemeente", "GM0392", 1),
        ("gemeente", "GM0400", 1),
        ("wijk", "GM0392", 21),
        ("wijk", "GM0400", 8),
    ]
    gemeenten = _shapes(prepared.artefacts[:2])
    assert list(gemeenten.index) == ["GM0392", "GM0400"]
    assert gemeenten.is_valid.all()


def test_assen_enclosed_buurten_keep_their_surroundings(shared_data: Path) -> None:
    # Three village buurten lie in a hole of their "Verspreide huizen" buurt.
    prepared = prepare(_load(shared_data / CARTOMAP / "buurten_2022_GM0106_rd.geojson"))
    display = _shapes(prepared.artefacts).to_crs("EPSG:28992")
    assert len(display) == 109
    assert shapely.coverage_is_valid(display.to_crs("EPSG:4326").values)
    for outer, village in [("BU01069901", "BU01069900"), ("BU01069907", "BU01069908")]:
        assert len(display[outer].interiors) >= 1
        shared = display[outer].intersection(display[village]).length
        assert shared == pytest.approx(display[village].exterior.length, rel=1e-9)
    union = display.union_all()
    assert union.geom_type == "Polygon" and len(union.interiors) == 0


@pytest.mark.parametrize(
    ("relative", "code_field", "level", "vintage", "rows"),
    [
        (f"{CARTOMAP}/buurten_2022_GM0400_rd.geojson", "statcode", None, None, 65),
        (f"{CARTOMAP}/buurten_2022_GM0200_wgs84.geojson", "statcode", None, None, 9),
        (f"{CARTOMAP}/wijken_2024_GM0200_rd.geojson", "statcode", None, None, 16),
        (f"{TIES}/wijken_2014.geojson", "statcode", "wijk", 2014, 17),
        (f"{TIES}/gemeenten_2015.geojson", "statcode", "gemeente", 2015, 2),
        ("cbs_wijken_2016_elan/wijken_2016_rd.geojson", "WKC", "wijk", 2016, 29),
        ("cbs_wijkbuurtkaart_2015_tnocs/buurten_2015.geojson", "BU_CODE", "buurt", 2015, 105),
    ],
)
def test_other_boundary_files_give_valid_coverages(
    shared_data: Path,
    relative: str,
    code_field: str,
    level: str | None,
    vintage: int | None,
    rows: int,
) -> None:
    gdf = _load(shared_data / relative, code_field=code_field, level=level, vintage=vintage)
    artefacts = display_artefacts(repair(to_wgs84(gdf))[0])
    display = _shapes(artefacts)
    assert len(display) == rows
    assert set(display.index) == set(gdf["code"])
    assert display.is_valid.all()
    assert shapely.coverage_is_valid(display.values), [_sizes(a) for a in artefacts]
