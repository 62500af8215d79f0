# SPDX-License-Identifier: EUPL-1.2
"""The demo generator: real CBS formats, deterministic, tiling geometry, consistent figures."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from geopandas.testing import assert_geoseries_equal

from etl import demo
from etl.indicators import indicator_for_column
from etl.model import STATUS_MISSING, STATUS_OK, STATUS_SUPPRESSED, parse_cbs_value

pytestmark = pytest.mark.unit

YEARS = demo.KAART_YEARS
LEVELS = ("gemeente", "wijk", "buurt")
CODE_FIELD = {"gemeente": "GM_CODE", "wijk": "WK_CODE", "buurt": "BU_CODE"}
#: Identity columns of the kaart layers; every other property is a figure.
KAART_KEYS = {"BU_CODE", "BU_NAAM", "WK_CODE", "WK_NAAM", "GM_CODE", "GM_NAAM", "JRSTATCODE"}
#: The header of the real StatLine extract (shared/data/cbs_kwb_2024_85984NED).
STATLINE_HEADER = [
    "regiocode", "soort_regio", "gemeentecode", "jaar", "cbs_tabel", "AantalInwoners_5",
    "Mannen_6", "Vrouwen_7", "Bevolkingsdichtheid_34", "Woningvoorraad_35",
    "OppervlakteTotaal_122", "OppervlakteLand_123", "OppervlakteWater_124",
]  # fmt: skip
STATLINE_KEYS = {"regiocode", "soort_regio", "gemeentecode", "jaar", "cbs_tabel"}
COUNTS = ("AANT_INW", "AANT_MAN", "AANT_VROUW", "AANTAL_HH", "AUTO_TOT")
SUPPRESSED = -99999999


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo")
    demo.write_demo_sources(target)
    return target


def _kaart(demo_dir: Path, year: int, level: str) -> gpd.GeoDataFrame:
    return gpd.read_file(demo_dir / f"demo_kaart_{year}_{level}.geojson", engine="pyogrio")


def _properties(path: Path) -> list[dict[str, Any]]:
    return [f["properties"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]


def _statline(demo_dir: Path) -> list[dict[str, str]]:
    path = demo_dir / f"demo_kwb_{demo.STATLINE_YEAR}_85984NED.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _geojson_files(demo_dir: Path) -> list[Path]:
    return sorted(demo_dir.glob("*.geojson"))


def test_demo001_code_is_not_a_cbs_code() -> None:
    assert demo.DEMO_GEMEENTE_CODE == "GM9901"
    assert int(demo.DEMO_GEMEENTE_CODE[2:]) > 1992  # CBS uses GM0003 ... GM1992
    assert "(fictief)" in demo.DEMO_GEMEENTE_NAAM


def test_demo002_writes_the_announced_files(tmp_path: Path) -> None:
    paths = demo.write_demo_sources(tmp_path)
    expected = [f"demo_kaart_{y}_{lv}.geojson" for y in YEARS for lv in LEVELS]
    expected += [f"demo_gebiedsindeling_{demo.STATLINE_YEAR}_{lv}.geojson" for lv in LEVELS]
    expected += [f"demo_kwb_{demo.STATLINE_YEAR}_85984NED.csv", "README.txt"]
    assert [p.name for p in paths] == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)
    assert demo.STATLINE_YEAR not in YEARS  # one source per (year, area, indicator)


def test_demo003_output_is_byte_identical_on_every_run(demo_dir: Path, tmp_path: Path) -> None:
    demo.write_demo_sources(tmp_path)
    names = sorted(p.name for p in demo_dir.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (tmp_path / name).read_bytes() == (demo_dir / name).read_bytes(), name


def test_demo004_removes_only_stale_demo_files(tmp_path: Path) -> None:
    (tmp_path / "demo_kaart_2018_buurt.geojson").write_text("{}")
    (tmp_path / "eigen_bestand.csv").write_text("a,b\n")
    demo.write_demo_sources(tmp_path)
    assert not (tmp_path / "demo_kaart_2018_buurt.geojson").exists()
    assert (tmp_path / "eigen_bestand.csv").exists()


def test_demo005_layers_parse_in_rd_with_valid_polygons(demo_dir: Path) -> None:
    for path in _geojson_files(demo_dir):
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert raw["crs"] == {
            "type": "name",
            "properties": {"name": "urn:ogc:def:crs:EPSG::28992"},
        }, path.name
        frame = gpd.read_file(path, engine="pyogrio")
        assert frame.crs is not None and frame.crs.to_epsg() == 28992, path.name
        assert (frame.geom_type == "Polygon").all(), path.name
        assert frame.is_valid.all(), path.name
        assert [f["id"] for f in raw["features"]] == sorted(f["id"] for f in raw["features"])


def test_demo006_one_gemeente_about_six_wijken_and_thirty_to_forty_buurten(
    demo_dir: Path,
) -> None:
    counts = {lv: len(_kaart(demo_dir, YEARS[-1], lv)) for lv in LEVELS}
    assert counts["gemeente"] == 1
    assert 5 <= counts["wijk"] <= 7
    assert 30 <= counts["buurt"] <= 40


def test_demo007_buurten_tile_the_gemeente_without_gaps_or_overlaps(demo_dir: Path) -> None:
    buurten = _kaart(demo_dir, YEARS[0], "buurt")
    gemeente = _kaart(demo_dir, YEARS[0], "gemeente").geometry.iloc[0]
    union = shapely.union_all(buurten.geometry.values)
    assert shapely.coverage_is_valid(buurten.geometry.values)
    assert buurten.area.sum() == pytest.approx(union.area, rel=1e-6)  # no overlaps
    assert union.symmetric_difference(gemeente).area <= 1e-6 * gemeente.area  # no gaps


def test_demo008_wijken_are_the_unions_of_their_buurten(demo_dir: Path) -> None:
    buurten = _kaart(demo_dir, YEARS[0], "buurt")
    wijken = _kaart(demo_dir, YEARS[0], "wijk").set_index("WK_CODE")
    assert set(buurten["WK_CODE"]) == set(wijken.index)
    assert (buurten["WK_CODE"] == "WK" + buurten["BU_CODE"].str[2:8]).all()
    assert (buurten["GM_CODE"] == demo.DEMO_GEMEENTE_CODE).all()
    assert (wijken["GM_CODE"] == demo.DEMO_GEMEENTE_CODE).all()
    for code, group in buurten.groupby("WK_CODE"):
        wijk = wijken.geometry.loc[code]
        union = shapely.union_all(group.geometry.values)
        assert union.symmetric_difference(wijk).area <= 1e-6 * wijk.area, code


def test_demo009_boundaries_are_the_same_in_every_year_and_layer(demo_dir: Path) -> None:
    for level in LEVELS:
        first = _kaart(demo_dir, YEARS[0], level).geometry
        for year in YEARS[1:]:
            assert_geoseries_equal(_kaart(demo_dir, year, level).geometry, first)
        indeling = demo_dir / f"demo_gebiedsindeling_{demo.STATLINE_YEAR}_{level}.geojson"
        assert_geoseries_equal(gpd.read_file(indeling, engine="pyogrio").geometry, first)


def test_demo010_year_is_in_the_content(demo_dir: Path) -> None:
    for year in YEARS:
        for level in LEVELS:
            for props in _properties(demo_dir / f"demo_kaart_{year}_{level}.geojson"):
                assert props["JRSTATCODE"] == f"{year}{props[CODE_FIELD[level]]}"
    for level in LEVELS:
        path = demo_dir / f"demo_gebiedsindeling_{demo.STATLINE_YEAR}_{level}.geojson"
        for props in _properties(path):
            assert set(props) == {"statcode", "jrstatcode", "statnaam", "rubriek", "id"}
            assert props["jrstatcode"] == f"{demo.STATLINE_YEAR}{props['statcode']}"
            assert props["rubriek"] == level


def test_demo011_every_figure_column_is_a_catalogue_indicator(demo_dir: Path) -> None:
    """No figure is silently dropped by the ETL, and no two columns hold the same one."""
    for year in YEARS:
        for level in LEVELS:
            for props in _properties(demo_dir / f"demo_kaart_{year}_{level}.geojson"):
                numeric = sorted(k for k, v in props.items() if isinstance(v, int | float))
                assert set(numeric) == set(props) - KAART_KEYS
                ids = [indicator_for_column(k) for k in numeric]
                assert None not in ids, dict(zip(numeric, ids, strict=True))
                assert len(set(ids)) == len(ids)
    figures = [c for c in STATLINE_HEADER if c not in STATLINE_KEYS]
    ids = [indicator_for_column(c) for c in figures]
    assert None not in ids and len(set(ids)) == len(ids), dict(zip(figures, ids, strict=True))


def test_demo012_counts_add_up_within_cbs_rounding(demo_dir: Path) -> None:
    for year in YEARS:
        buurten = _kaart(demo_dir, year, "buurt")
        wijken = _kaart(demo_dir, year, "wijk").set_index("WK_CODE")
        gemeente = _kaart(demo_dir, year, "gemeente").iloc[0]
        for column in COUNTS:
            assert (buurten[column] % 5 == 0).all() and (wijken[column] % 5 == 0).all()
            sums = buurten.groupby("WK_CODE")[column].agg(["sum", "size"])
            # each buurt and the wijk are rounded to 5: at most 2 off each
            slack = 2 * sums["size"] + 2
            assert ((sums["sum"] - wijken[column]).abs() <= slack).all(), (year, column)
            assert abs(wijken[column].sum() - gemeente[column]) <= 2 * len(wijken), column
        for frame in (buurten, wijken):
            assert ((frame["AANT_MAN"] + frame["AANT_VROUW"] - frame["AANT_INW"]).abs() <= 5).all()
        assert gemeente["AANT_MAN"] + gemeente["AANT_VROUW"] == gemeente["AANT_INW"]


def test_demo013_areas_and_density_follow_the_geometry(demo_dir: Path) -> None:
    for level in LEVELS:
        frame = _kaart(demo_dir, YEARS[-1], level)
        hectares = frame.area / 1e4
        assert ((frame["OPP_TOT"] - hectares).abs() <= 0.5).all(), level
        assert ((frame["OPP_LAND"] + frame["OPP_WATER"] - frame["OPP_TOT"]).abs() <= 1).all()
        shown = frame[frame["BEV_DICHTH"] != SUPPRESSED]
        expected = shown["AANT_INW"] / (shown["OPP_LAND"] / 100)
        # both inputs are rounded: inhabitants to 5, land to whole hectares
        slack = expected * (2.5 / shown["AANT_INW"] + 0.5 / shown["OPP_LAND"]) + 1
        assert ((shown["BEV_DICHTH"] - expected).abs() <= slack).all(), level


def test_demo014_percentages_and_averages_are_plausible(demo_dir: Path) -> None:
    ages = list(demo.AGE_COLUMNS)
    for year in YEARS:
        for level in LEVELS:
            frame = _kaart(demo_dir, year, level)
            shown = frame[(frame[ages] != SUPPRESSED).all(axis=1)]
            assert (shown[ages].sum(axis=1) - 100).abs().max() <= 3
            hh = frame[frame["GEM_HH_GR"] != SUPPRESSED]["GEM_HH_GR"]
            assert hh.between(1.2, 3.5).all()
            woz = frame[frame["WOZ"] != SUPPRESSED]["WOZ"]
            assert woz.between(100, 1000).all()
            assert (frame["WONINGEN"] >= frame["AANTAL_HH"] - 5).all()


def test_demo015_trends_are_smooth_with_growing_and_shrinking_buurten(demo_dir: Path) -> None:
    inw = {y: _kaart(demo_dir, y, "buurt").set_index("BU_CODE")["AANT_INW"] for y in YEARS}
    change = inw[YEARS[-1]] / inw[YEARS[0]].clip(lower=1)
    assert (change > 1.5).sum() >= 2  # new-build
    assert (change < 0.97).sum() >= 3  # shrinking
    totals = [_kaart(demo_dir, y, "gemeente")["AANT_INW"].iloc[0] for y in YEARS]
    steps = [b / a for a, b in itertools.pairwise(totals)]
    assert all(0.97 < s < 1.06 for s in steps), steps


def test_demo016_suppressed_cells_are_written_as_cbs_does(demo_dir: Path) -> None:
    hidden = {"P_EENP_HH", "GEM_HH_GR", "WOZ", *demo.AGE_COLUMNS}
    for year in YEARS:
        buurten = _kaart(demo_dir, year, "buurt")
        tiny = buurten.loc[buurten["AANT_INW"].idxmin()]
        assert 0 < tiny["AANT_INW"] < demo.MIN_INHABITANTS
        assert "Bedrijventerrein" in tiny["BU_NAAM"]
        assert all(tiny[c] == SUPPRESSED for c in hidden), year
        others = buurten[buurten["BU_CODE"] != tiny["BU_CODE"]]
        assert (others.drop(columns=["geometry"]) == SUPPRESSED).to_numpy().sum() >= 1
        assert not (_kaart(demo_dir, year, "gemeente").drop(columns="geometry") == SUPPRESSED).any(
            axis=None
        )
        for props in _properties(demo_dir / f"demo_kaart_{year}_buurt.geojson"):
            for key in set(props) - KAART_KEYS:
                value, status, _ = parse_cbs_value(props[key])
                assert status == (STATUS_SUPPRESSED if props[key] == SUPPRESSED else STATUS_OK)
                assert value is None or value >= 0


def test_demo017_statline_table_has_the_85984ned_layout(demo_dir: Path) -> None:
    path = demo_dir / f"demo_kwb_{demo.STATLINE_YEAR}_85984NED.csv"
    assert path.read_text(encoding="utf-8").splitlines()[0].split(",") == STATLINE_HEADER
    rows = _statline(demo_dir)
    indeling = demo_dir / f"demo_gebiedsindeling_{demo.STATLINE_YEAR}"
    codes = [p["statcode"] for lv in LEVELS for p in _properties(Path(f"{indeling}_{lv}.geojson"))]
    assert [r["regiocode"] for r in rows] == codes
    assert {r["soort_regio"] for r in rows} == {"Gemeente", "Wijk", "Buurt"}
    assert {r["jaar"] for r in rows} == {str(demo.STATLINE_YEAR)}
    assert {r["gemeentecode"] for r in rows} == {demo.DEMO_GEMEENTE_CODE}
    statuses = [
        parse_cbs_value(r[c])[1] for r in rows for c in STATLINE_HEADER if c not in STATLINE_KEYS
    ]
    assert STATUS_MISSING in statuses  # "." is there
    assert set(statuses) <= {STATUS_OK, STATUS_MISSING}
    assert sum(r[c] == "." for r in rows for c in r) >= 2


def test_demo018_statline_figures_are_consistent(demo_dir: Path) -> None:
    rows = {r["regiocode"]: r for r in _statline(demo_dir)}
    gemeente = rows.pop(demo.DEMO_GEMEENTE_CODE)
    wijken = {c: r for c, r in rows.items() if c.startswith("WK")}
    for code, wijk in wijken.items():
        members = [r for c, r in rows.items() if c.startswith("BU" + code[2:])]
        total = sum(int(r["AantalInwoners_5"]) for r in members)
        assert abs(total - int(wijk["AantalInwoners_5"])) <= 2 * len(members) + 2, code
        assert sum(int(r["Woningvoorraad_35"]) for r in members) == int(wijk["Woningvoorraad_35"])
    assert int(gemeente["Mannen_6"]) + int(gemeente["Vrouwen_7"]) == int(
        gemeente["AantalInwoners_5"]
    )
    last_kaart = _kaart(demo_dir, YEARS[-1], "gemeente").iloc[0]
    growth = int(gemeente["AantalInwoners_5"]) / last_kaart["AANT_INW"]
    assert 0.97 < growth < 1.06
    assert int(gemeente["OppervlakteTotaal_122"]) == last_kaart["OPP_TOT"]


def test_demo019_readme_says_fictitious_in_both_languages(demo_dir: Path) -> None:
    text = (demo_dir / "README.txt").read_text(encoding="utf-8")
    for word in ("FICTIEF", "FICTITIOUS", "Buurtlens", demo.GENERATOR_VERSION, "GM9901"):
        assert word in text
    for level in LEVELS:
        for props in _properties(demo_dir / f"demo_kaart_{YEARS[0]}_{level}.geojson"):
            assert props["GM_NAAM"] == "Demodorp (fictief)"
