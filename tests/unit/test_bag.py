# SPDX-License-Identifier: EUPL-1.2
"""The BAG source (etl/sources/bag.py): reading every layout, counting, incremental runs."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from etl.config import SourceSpec, load_config
from etl.indicators import BAG_SOURCE, BY_ID, CATALOGUE
from etl.locate import wgs84_to_rd
from etl.model import SourceError
from etl.settings import ConfigError, EtlSettings
from etl.sources import bag
from etl.sources.detect import discover
from etl.staging import Staging, StagingSettings

pytestmark = pytest.mark.unit

X0, Y0, D = 5.0, 52.0, 0.01  # two buurten of GM0001 side by side, lon/lat


def boundaries() -> gpd.GeoDataFrame:
    rows = [
        ("BU00010101", "buurt", shapely.box(X0, Y0, X0 + D, Y0 + D)),
        ("BU00010102", "buurt", shapely.box(X0 + D, Y0, X0 + 2 * D, Y0 + D)),
        ("WK000101", "wijk", shapely.box(X0, Y0, X0 + 2 * D, Y0 + D)),
        ("GM0001", "gemeente", shapely.box(X0, Y0, X0 + 2 * D, Y0 + D)),
        ("BU00020101", "buurt", shapely.box(X0 + 2 * D, Y0, X0 + 3 * D, Y0 + D)),
    ]
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "vintage": 2025, "level": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs="EPSG:4326",
    )


def areas() -> pd.DataFrame:
    return pd.DataFrame({"code": boundaries().code, "vintage": 2025})


IN_1 = (X0 + 0.5 * D, Y0 + 0.5 * D)
IN_2 = (X0 + 1.5 * D, Y0 + 0.5 * D)
OTHER_GM = (X0 + 2.5 * D, Y0 + 0.5 * D)
SEA = (X0 + 9 * D, Y0 + 9 * D)

VBO_ROWS: list[dict[str, Any]] = [
    # id, status, gebruiksdoel, oppervlakte, bouwjaar, where
    {"identificatie": "0001010000000001", "status": "Verblijfsobject in gebruik",
     "gebruiksdoel": "woonfunctie", "oppervlakte": 80, "bouwjaar": 1930, "at": IN_1},
    {"identificatie": "0001010000000002", "status": "Verblijfsobject in gebruik (niet ingemeten)",
     "gebruiksdoel": "woonfunctie,winkelfunctie", "oppervlakte": 120, "bouwjaar": 1990,
     "at": IN_1},
    {"identificatie": "0001010000000003", "status": "Verblijfsobject gevormd",
     "gebruiksdoel": "woonfunctie", "oppervlakte": 70, "bouwjaar": 2025, "at": IN_1},
    {"identificatie": "0001010000000004", "status": "Verblijfsobject in gebruik",
     "gebruiksdoel": "kantoorfunctie", "oppervlakte": 500, "bouwjaar": 1970, "at": IN_2},
    {"identificatie": "0001010000000005", "status": "Verblijfsobject buiten gebruik",
     "gebruiksdoel": "woonfunctie", "oppervlakte": 999999, "bouwjaar": 1005, "at": IN_2},
    {"identificatie": "0001010000000006", "status": "Verblijfsobject in gebruik",
     "gebruiksdoel": "woonfunctie", "oppervlakte": 60, "bouwjaar": 2016, "at": OTHER_GM},
    {"identificatie": "0001010000000007", "status": "Nieuwe status",
     "gebruiksdoel": "woonfunctie", "oppervlakte": 60, "bouwjaar": 2016, "at": IN_2},
    {"identificatie": "0001010000000008", "status": "Verblijfsobject in gebruik",
     "gebruiksdoel": "woonfunctie", "oppervlakte": 60, "bouwjaar": 2016, "at": None},
]  # fmt: skip
PAND_ROWS: list[dict[str, Any]] = [
    {"identificatie": "0001100000000001", "status": "Pand in gebruik", "bouwjaar": 1930,
     "at": IN_1},
    {"identificatie": "0001100000000002", "status": "Bouw gestart", "bouwjaar": 2026, "at": IN_1},
    {"identificatie": "0001100000000003", "status": "Pand gesloopt", "bouwjaar": 1900, "at": IN_2},
    {"identificatie": "0001100000000004", "status": "Pand in gebruik", "bouwjaar": 2000,
     "at": SEA},
]  # fmt: skip


def _vbo_frame(rd: bool = True) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(VBO_ROWS)
    points = [None if at is None else shapely.Point(at) for at in frame.pop("at")]
    gdf = gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")
    gdf["huisnummer"] = range(1, len(gdf) + 1)
    gdf["postcode"] = "1234AB"
    gdf["bronhouder_identificatie"] = ["0002" if at == OTHER_GM else "0001" for at in
                                       [r["at"] for r in VBO_ROWS]]  # fmt: skip
    return gdf.to_crs(28992) if rd else gdf


def _pand_frame() -> gpd.GeoDataFrame:
    frame = pd.DataFrame(PAND_ROWS)
    shapes = [shapely.Point(at).buffer(0.0005, cap_style="square") for at in frame.pop("at")]
    return gpd.GeoDataFrame(frame, geometry=shapes, crs="EPSG:4326").to_crs(28992)


def bag_light(path: Path, *, date: str = "2025-01-08T00:00:00Z") -> Path:
    """A tiny GeoPackage in the layout of PDOK's national BAG GeoPackage."""
    _vbo_frame().to_file(path, layer="verblijfsobject", engine="pyogrio")
    _pand_frame().to_file(path, layer="pand", engine="pyogrio")
    ligplaats = gpd.GeoDataFrame(
        {"identificatie": ["0001020000000001"], "huisnummer": [1], "status": ["Plaats aangewezen"]},
        geometry=[shapely.box(0, 0, 10, 10)],
        crs="EPSG:28992",
    )
    ligplaats.to_file(path, layer="ligplaats", engine="pyogrio")
    woonplaats = gpd.GeoDataFrame(
        {"identificatie": ["1234"], "woonplaats": ["Ergens"]},
        geometry=[shapely.box(0, 0, 10, 10)],
        crs="EPSG:28992",
    )
    woonplaats.to_file(path, layer="woonplaats", engine="pyogrio")
    con = sqlite3.connect(path)
    con.execute("UPDATE gpkg_contents SET last_change = ?", [date])
    con.commit()
    con.close()
    return path


def src(tmp_path: Path) -> Path:
    """The folder with the input files (the staging store lives elsewhere, in ``data``)."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    return folder


def spec_for(path: Path, **options: Any) -> SourceSpec:
    return SourceSpec(
        name="bag",
        type="bag",
        path=path,
        year=options.pop("year", None),
        gemeenten=tuple(options.pop("gemeenten", ())),
        options=bag.parse_options({"type": "bag", "path": str(path), **options}, where="test"),
    )


def run(spec: SourceSpec, data_dir: Path) -> tuple[Any, Any]:
    with Staging.open(data_dir) as staging:
        staged = bag.extract(spec, staging, EtlSettings())
        result = bag.aggregate(staged, boundaries(), areas(), settings=EtlSettings(
            max_reject_fraction=1.0))  # fmt: skip
        return staged, result


def value(result: Any, code: str, indicator: str) -> float:
    obs = result.observations
    row = obs[(obs.area_code == code) & (obs.indicator_id == indicator)]
    assert len(row) == 1, (code, indicator, row)
    return float(row.value.iloc[0])


# --- layout and columns ---------------------------------------------------------------


def test_bag_light_layers_are_recognised_by_name_and_other_layers_skipped(tmp_path: Path) -> None:
    gpkg = bag_light(tmp_path / "extract.gpkg")
    kinds = {spec.layer: spec.kind for spec in discover(gpkg, source="t")}
    assert kinds == {"verblijfsobject": "bag_verblijfsobjecten", "pand": "bag_panden"}
    assert all(spec.located and not spec.supported for spec in discover(gpkg, source="t"))
    assert bag.gpkg_date(gpkg).isoformat() == "2025-01-08"


def test_truncated_shapefile_names_are_resolved() -> None:
    columns = ["identifica", "rdf_seeals", "oppervlakt", "status", "gebruiksdo", "openbare_r",
               "huisnummer", "pandidenti", "pandstatus", "xcoord", "ycoord"]  # fmt: skip
    roles = bag.resolve_roles(columns, ["id", "status", "gebruiksdoel", "oppervlakte", "pand_id",
                                        "x", "y", "bouwjaar"])  # fmt: skip
    assert roles == {"id": "identifica", "status": "status", "gebruiksdoel": "gebruiksdo",
                     "oppervlakte": "oppervlakt", "pand_id": "pandidenti", "x": "xcoord",
                     "y": "ycoord"}  # fmt: skip


def test_gebruiksdoel_bits_and_status_codes() -> None:
    cells = ["woonfunctie", ["kantoorfunctie", "woonfunctie"], "Overige gebruiksfunctie", "", None]
    bits = bag.gebruiksdoel_bits(np.array(cells, dtype=object))
    assert bits.tolist() == [1, 1 | 32, 1024, 0, 0]
    frame, unknown = bag.compact_records(
        bag.KIND_VBO,
        {"status": np.array(["Verblijfsobject in gebruik", "Raar", None], dtype=object)},
        np.array([5.0, 5.0, np.nan]),
        np.array([52.0, 52.0, 52.0]),
        first_row=2,
        addresses=False,
    )
    assert frame.status.tolist() == [4, 0, 0]
    assert frame.reason.tolist() == [None, "unknown_status", "no_location"]
    assert frame.row.tolist() == [2, 3, 4]
    assert unknown == {"unknown_status": {"Raar": 1}}


def test_the_bag_indicators_are_in_the_catalogue_with_rule_none() -> None:
    ids = {i.id for i in CATALOGUE if i.source == BAG_SOURCE}
    assert {"woningen_bag", "woningen_bouwjaar_voor_1945", "aandeel_woningen_voor_1945",
            "gemiddelde_oppervlakte_woning", "verblijfsobjecten_woonfunctie", "panden",
            "panden_in_gebruik", "panden_bouw_gestart"} <= ids  # fmt: skip
    assert {BY_ID[i].disclosure_rule for i in ids} == {"none"}


# --- counting ---------------------------------------------------------------------------


def test_counts_from_the_geopackage(tmp_path: Path) -> None:
    staged, result = run(spec_for(bag_light(src(tmp_path) / "bag.gpkg")), tmp_path / "data")
    assert staged.period == "2025" and staged.vintage == 2025  # from the GeoPackage date
    # BU..0101: a dwelling of 1930 (80 m2), one of 1990 (woon+winkel, 120 m2); "gevormd" is
    # not built yet. BU..0102: the office, and an empty dwelling (buiten gebruik) without a
    # usable year or area; "Nieuwe status" is rejected.
    assert value(result, "BU00010101", "woningen_bag") == 2
    assert value(result, "BU00010102", "woningen_bag") == 1
    assert value(result, "WK000101", "woningen_bag") == 3
    assert value(result, "GM0001", "woningen_bag") == 3
    assert value(result, "BU00010101", "woningen_bouwjaar_voor_1945") == 1
    assert value(result, "BU00010101", "woningen_bouwjaar_1985_1994") == 1
    assert value(result, "BU00010102", "woningen_bouwjaar_onbekend") == 1
    assert value(result, "BU00010101", "aandeel_woningen_voor_1945") == 50.0
    assert value(result, "BU00010101", "gemiddelde_oppervlakte_woning") == 100.0
    obs = result.observations
    empty = obs[
        (obs.area_code == "BU00010102") & (obs.indicator_id == "gemiddelde_oppervlakte_woning")
    ]
    assert empty.status.tolist() == ["missing"] and empty.reason.notna().all()
    assert value(result, "BU00010101", "verblijfsobjecten") == 2
    assert value(result, "BU00010101", "verblijfsobjecten_winkelfunctie") == 1
    assert value(result, "BU00010102", "verblijfsobjecten_kantoorfunctie") == 1
    assert value(result, "GM0001", "panden") == 1  # in gebruik; bouw gestart and gesloopt not
    assert value(result, "BU00010101", "panden_bouw_gestart") == 1
    assert value(result, "BU00010102", "panden_gesloopt") == 1
    # The buurt of GM0002 gets its dwelling: the extract has objects there.
    assert value(result, "BU00020101", "woningen_bag") == 1
    reasons = {r.reason.split(":")[0]: int(r.value) for r in result.rejected}
    assert reasons == {"no_location": 1, "unknown_status": 1}  # the sea pand is out of scope
    assert set(obs.period) == {"2025"} and set(obs.vintage) == {2025}
    assert obs.groupby(["area_code", "indicator_id"]).size().max() == 1


def test_objects_in_a_gap_of_their_own_gemeente_are_rejected_as_outside(tmp_path: Path) -> None:
    gdf = _vbo_frame(rd=False)
    gdf.loc[0, "geometry"] = shapely.Point(X0 + 0.5 * D, Y0 + 2 * D)  # north of GM0001
    path = src(tmp_path) / "vbo.geojson"
    gdf.to_file(path, engine="pyogrio")
    spec = spec_for(path, year=2025, gemeenten=["GM0001"])
    _, result = run(spec, tmp_path / "data")
    reasons = {r.reason.split(":")[0]: int(r.value) for r in result.rejected}
    assert reasons["outside"] == 1
    # The object of GM0002 is out of scope (the source is about GM0001), not rejected.
    assert "BU00020101" not in set(result.observations.area_code)
    with Staging.open(tmp_path / "data") as staging:
        rejected = staging.rejected("bag", bag.VBO_TABLE)
    assert sorted(rejected.reason) == ["no_location", "outside", "unknown_status"]
    assert int(rejected.loc[rejected.reason == "outside", "row"].iloc[0]) == 1


def test_csv_with_wgs84_or_rd_columns_and_truncated_names(tmp_path: Path) -> None:
    gdf = _vbo_frame(rd=False).dropna(subset=["geometry"])
    plain = pd.DataFrame(
        {
            "identifica": gdf.identificatie,
            "status": gdf.status,
            "gebruiksdo": gdf.gebruiksdoel,
            "oppervlakt": gdf.oppervlakte,
            "bouwjaar": gdf.bouwjaar,
            "pandidenti": "0001100000000001",
            "xcoord": gdf.geometry.x,
            "ycoord": gdf.geometry.y,
        }
    )
    plain.to_csv(src(tmp_path) / "wgs84.csv", index=False)
    x, y = wgs84_to_rd(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())
    plain.assign(xcoord=x, ycoord=y).to_csv(src(tmp_path) / "rd.csv", sep=";", index=False)
    for name in ("wgs84.csv", "rd.csv"):
        _, result = run(spec_for(src(tmp_path) / name, year=2025), tmp_path / f"data-{name}")
        assert value(result, "BU00010101", "woningen_bag") == 2, name
        assert value(result, "BU00020101", "woningen_bag") == 1, name


def test_coordinates_that_are_not_in_the_netherlands_fail_with_advice(tmp_path: Path) -> None:
    frame = pd.DataFrame({"identificatie": ["1"], "status": ["Verblijfsobject in gebruik"],
                          "gebruiksdoel": ["woonfunctie"], "huisnummer": [1],
                          "x": [1_000_000.0], "y": [9_000_000.0]})  # fmt: skip
    frame.to_csv(src(tmp_path) / "vbo.csv", index=False)
    with pytest.raises(SourceError, match=r"neither WGS84 lon/lat nor RD New.*set crs"):
        run(spec_for(src(tmp_path) / "vbo.csv", year=2025), tmp_path / "data")


def test_an_object_in_two_files_counts_once(tmp_path: Path) -> None:
    gdf = _vbo_frame(rd=False)
    gdf.to_file(src(tmp_path) / "a.geojson", engine="pyogrio")
    gdf.iloc[:3].to_file(src(tmp_path) / "b.geojson", engine="pyogrio")
    _, result = run(spec_for(src(tmp_path), year=2025), tmp_path / "data")
    assert value(result, "BU00010101", "woningen_bag") == 2


def test_construction_year_from_the_pand_when_the_verblijfsobject_has_none(tmp_path: Path) -> None:
    vbo = _vbo_frame(rd=False).drop(columns=["bouwjaar"])
    vbo["pand_identificatie"] = "0001100000000001"  # built 1930
    vbo.to_file(src(tmp_path) / "vbo.geojson", engine="pyogrio")
    _pand_frame().to_file(src(tmp_path) / "pand.geojson", engine="pyogrio")
    _, result = run(spec_for(src(tmp_path), year=2025), tmp_path / "data")
    assert value(result, "BU00010101", "woningen_bouwjaar_voor_1945") == 2


def test_missing_year_and_missing_boundaries_fail_clearly(tmp_path: Path) -> None:
    _vbo_frame(rd=False).to_file(src(tmp_path) / "vbo.geojson", engine="pyogrio")
    with Staging.open(tmp_path / "data") as staging:
        with pytest.raises(SourceError, match="reference year"):
            bag.extract(spec_for(src(tmp_path)), staging, EtlSettings())
        staged = bag.extract(spec_for(src(tmp_path), year=2023), staging, EtlSettings())
        with pytest.raises(SourceError, match="no boundaries of 2023"):
            bag.aggregate(staged, boundaries(), areas())


def test_too_many_rejected_records_fail_the_source(tmp_path: Path) -> None:
    _vbo_frame(rd=False).to_file(src(tmp_path) / "vbo.geojson", engine="pyogrio")
    with Staging.open(tmp_path / "data") as staging:
        staged = bag.extract(spec_for(src(tmp_path), year=2025), staging, EtlSettings())
        with pytest.raises(SourceError, match="2 of 8 records rejected"):
            bag.aggregate(staged, boundaries(), areas(), settings=EtlSettings())


def test_parallel_reading_gives_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gpkg = bag_light(src(tmp_path) / "bag.gpkg")
    monkeypatch.setattr(bag, "CHUNK", 3)
    _, one = run(spec_for(gpkg, workers=1), tmp_path / "one")
    _, two = run(spec_for(gpkg, workers=2), tmp_path / "two")
    pd.testing.assert_frame_equal(one.observations, two.observations)
    with Staging.open(tmp_path / "two") as staging:
        rows = staging.con.execute(f"SELECT row FROM {bag.VBO_TABLE} ORDER BY row").fetchall()
    assert [r[0] for r in rows] == list(range(1, 9))


# --- incremental --------------------------------------------------------------------------


def test_unchanged_files_are_not_read_again_and_changes_replace_their_records(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "bag"
    folder.mkdir()
    gdf = _vbo_frame(rd=False)
    gdf.to_file(folder / "vbo.geojson", engine="pyogrio")
    _pand_frame().to_file(folder / "pand.geojson", engine="pyogrio")
    spec = spec_for(folder, year=2025)
    first, result = run(spec, tmp_path / "data")
    assert {c.status for c in first.changes} == {"new"}
    second, again = run(spec, tmp_path / "data")
    assert [(c.status, c.read) for c in second.changes] == [("unchanged", False)] * 2
    pd.testing.assert_frame_equal(result.observations, again.observations)
    # One more dwelling in BU..0102; the panden file goes.
    gdf.loc[3, "gebruiksdoel"] = "woonfunctie"
    gdf.to_file(folder / "vbo.geojson", engine="pyogrio")
    (folder / "pand.geojson").unlink()
    third, changed = run(spec, tmp_path / "data")
    assert sorted((c.status, c.read) for c in third.changes) == [("changed", True),
                                                                 ("removed", False)]  # fmt: skip
    assert value(changed, "BU00010102", "woningen_bag") == 2
    assert "panden" not in set(changed.observations.indicator_id)
    assert any("removed" in n for n in third.notes())
    with Staging.open(tmp_path / "data") as staging:
        assert staging.con.execute(f"SELECT count(*) FROM {bag.PAND_TABLE}").fetchone() == (0,)
        assert staging.con.execute(f"SELECT count(*) FROM {bag.VBO_TABLE}").fetchone() == (8,)


def test_bag_records_are_public_and_stay_in_staging_by_default(tmp_path: Path) -> None:
    _vbo_frame(rd=False).to_file(src(tmp_path) / "vbo.geojson", engine="pyogrio")
    run(spec_for(src(tmp_path), year=2025), tmp_path / "data")
    for keep_public, left in ((True, 8), (False, 2)):
        with Staging.open(tmp_path / "data", StagingSettings(keep_public=keep_public)) as staging:
            staging.finish(success=True)
            got = staging.con.execute(f"SELECT count(*) FROM {bag.VBO_TABLE}").fetchone()
        assert got == (left,)  # without keep_public only the rejected records stay


# --- configuration ------------------------------------------------------------------------


def test_bag_entries_in_a_sources_file(tmp_path: Path) -> None:
    (tmp_path / "bag.gpkg").write_bytes(b"")
    good = tmp_path / "good.toml"
    good.write_text(
        '[[sources]]\nname = "bag"\ntype = "bag"\npath = "bag.gpkg"\nyear = 2025\n'
        "boundary_year = 2024\naddresses = true\n"
        '[[sources]]\nname = "bag-api"\ntype = "bag"\nbase_url = "https://api.pdok.nl/lv/bag/ogc/v1"\n'
        "bbox = [6.5, 52.9, 6.7, 53.1]\n"
        "[staging]\nretention_days = 3\n"
    )
    config = load_config(good)
    local, online = config.sources
    assert local.path == tmp_path / "bag.gpkg" and local.year == 2025
    assert local.options["boundary_year"] == 2024 and local.options["addresses"] is True
    assert online.options["bbox"] == (6.5, 52.9, 6.7, 53.1)
    assert config.staging == {"retention_days": 3}
    bad = {
        'base_url = "https://x"': "bbox.*required",
        'path = "bag.gpkg"\nbbox = [1, 2]': "bbox",
        'path = "bag.gpkg"\nworkers = 0': "workers",
        'path = "bag.gpkg"\nlayers = 1': "unknown key",
        "year = 2025": "either 'path' or 'base_url'",
    }
    for body, message in bad.items():
        path = tmp_path / "bad.toml"
        path.write_text(f'[[sources]]\nname = "b"\ntype = "bag"\n{body}\n')
        with pytest.raises(ConfigError, match=message):
            load_config(path)
    path = tmp_path / "bad.toml"
    path.write_text('[[sources]]\ntype = "files"\npath = "."\n[staging]\nretention_days = -1\n')
    with pytest.raises(ConfigError, match="retention_days"):
        load_config(path)


def test_a_shapefile_with_names_cut_to_ten_characters(tmp_path: Path) -> None:
    gdf = _vbo_frame().dropna(subset=["geometry"])
    gdf["pand_identificatie"] = "0001100000000001"
    with warnings.catch_warnings(record=True) as caught:  # the format cuts the names
        warnings.simplefilter("always")
        gdf.to_file(src(tmp_path) / "vbo.shp", engine="pyogrio")
    assert any("'identificatie' to 'identifica'" in str(w.message) for w in caught)
    (spec,) = discover(src(tmp_path), source="t")
    assert spec.kind == "bag_verblijfsobjecten" and spec.path.suffix == ".shp"
    _, result = run(spec_for(src(tmp_path), year=2025), tmp_path / "data")
    assert value(result, "BU00010101", "woningen_bag") == 2
    assert value(result, "BU00010101", "gemiddelde_oppervlakte_woning") == 100.0
