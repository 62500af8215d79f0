# SPDX-License-Identifier: EUPL-1.2
"""etl.sources.files and etl.sources.detect on small files written into tmp_path."""

from __future__ import annotations

import doctest
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

import etl.sources.detect
from etl.model import AREA_COLUMNS, GEOM_COLUMNS, OBS_COLUMNS, SourceError, file_checksum
from etl.sources.files import FileSpec, discover, read_file

pytestmark = pytest.mark.unit

SOURCE = "test"
LON, LAT = 4.63, 52.38  # Haarlem
RD_X, RD_Y = 104_000, 488_000


def _square(x: float, y: float, size: float = 0.001) -> dict[str, Any]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _geojson(
    path: Path, rows: list[dict[str, Any]], *, crs: str | None = None, origin: tuple = (LON, LAT)
) -> Path:
    size = 100 if origin[0] > 1000 else 0.001
    features = [
        {
            "type": "Feature",
            "properties": props,
            "geometry": _square(origin[0] + i * size, origin[1], size),
        }
        for i, props in enumerate(rows)
    ]
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _only(path: Path) -> FileSpec:
    specs = discover(path, source=SOURCE)
    assert len(specs) == 1, specs
    return specs[0]


def _read(path: Path, **kwargs: Any) -> Any:
    return read_file(_only(path), source=SOURCE, **kwargs)


def _value(result: Any, code: str, indicator: str) -> Any:
    obs = result.observations
    row = obs[(obs.area_code == code) & (obs.indicator_id == indicator)]
    assert len(row) == 1, row
    return row.iloc[0]


KAART_BUURT = {
    "BU_CODE": "BU03920100",
    "BU_NAAM": " Centrum ",
    "WK_CODE": "WK039201",
    "WK_NAAM": "Wijk 01 Oude stad",
    "GM_CODE": "GM0392",
    "GM_NAAM": "Haarlem",
    "AANT_INW": 9295,
    "BEV_DICHTH": -99999999,
    "OAD": 5389,
}


def test_doctests_of_detect_pass() -> None:
    assert doctest.testmod(etl.sources.detect).failed == 0


# --- recognising kinds by content ------------------------------------------------------

#: (kind, content): a dict is one GeoJSON feature's properties, a string a CSV file.
KIND_CASES: list[tuple[str, dict[str, Any] | str]] = [
    ("cbs_kaart", KAART_BUURT),
    (
        "cbs_kaart",
        {
            "buurtcode": "BU03920100",
            "buurtnaam": "Centrum",
            "gemeentecode": "GM0392",
            "jaarstatcode": "2021BU03920100",
            "aantal_inwoners": 9000,
        },
    ),
    (
        "cbs_kaart",
        {
            "buurtcode": "BU02000706",
            "gemeenteco": "GM0200",
            "aantalInwo": 180,
            "jaarstatco": "2021BU02000706",
        },
    ),
    ("cbs_kaart", "niveau,code,GM_CODE,GM_NAAM,AANT_INW\ngemeente,GM0392,GM0392,Haarlem,1\n"),
    ("cbs_gebiedsindeling", {"statcode": "WK039201", "statnaam": "Oude Stad"}),
    ("cbs_gebiedsindeling", {"WKC": "WK039201", "WKN": "Oude Stad", "GMC": "GM0392"}),
    ("cbs_statline_csv", "regiocode,jaar,AantalInwoners_5\nGM0392,2024,167636\n"),
    ("cbs_statline_csv", "WijkenEnBuurten;Perioden;Mannen_6\nGM0392;2024JJ00;1\n"),
    ("bag_verblijfsobjecten", "identifica,huisnummer,postcode\n0200010000009675,129,7323AA\n"),
    ("bag_panden", {"identifica": "0200100000001882", "bouwjaar": 2004}),
    ("signalen_meldingen", "id,created_at,category,lng,lat\na,2025-04-30,Afval,6.5,53.0\n"),
    ("signalen_areas", "code,name,type,bbox_minlon\nWK010602,Noorderpark,district,6.5\n"),
]


def _write(path: Path, content: dict[str, Any] | str) -> Path:
    return _text(path, content) if isinstance(content, str) else _geojson(path, [content])


@pytest.mark.parametrize(("kind", "content"), KIND_CASES)
def test_kind_is_recognised_by_content_under_a_meaningless_name(
    tmp_path: Path, kind: str, content: dict[str, Any] | str
) -> None:
    path = _write(tmp_path / "x1.dat", content)
    spec = _only(path)
    assert spec.kind == kind
    assert spec.path == path
    assert spec.supported == kind.startswith("cbs_")


@pytest.mark.parametrize("kind", ["bag_panden", "signalen_meldingen"])
def test_recognised_kinds_without_loader_fail_only_when_read(tmp_path: Path, kind: str) -> None:
    spec = _only(_write(tmp_path / "x.json", dict(KIND_CASES)[kind]))
    assert not spec.supported
    with pytest.raises(SourceError, match="loader is not available yet"):
        read_file(spec, source=SOURCE)


def test_field_dictionary_is_skipped_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _text(tmp_path / "fields.csv", "field,title,description,display_format\nBU_CODE,Buurt code,,\n")
    with caplog.at_level(logging.INFO):
        assert discover(tmp_path, source=SOURCE) == []
    assert "cbs_field_dictionary" in caplog.text


def test_documentation_hidden_and_shapefile_side_files_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _text(tmp_path / "README.md", "# data\n")
    _text(tmp_path / "notes.txt", "not data\n")
    _text(tmp_path / "report.qmd", "---\n")
    _text(tmp_path / ".hidden.csv", "garbage\n")
    _text(tmp_path / ".git" / "config", "[core]\n")
    frame = gpd.GeoDataFrame(
        {"statcode": ["WK039201"], "statnaam": ["Oude Stad"], "jrstatcode": ["2024WK039201"]},
        geometry=[shapely.box(RD_X, RD_Y, RD_X + 100, RD_Y + 100)],
        crs="EPSG:28992",
    )
    frame.to_file(tmp_path / "wijken.shp", engine="pyogrio")
    assert {p.suffix for p in tmp_path.iterdir()} >= {".shp", ".shx", ".dbf", ".prj", ".cpg"}
    with caplog.at_level(logging.INFO):
        specs = discover(tmp_path, source=SOURCE)
    assert [(s.path.name, s.kind, s.year, s.crs_hint) for s in specs] == [
        ("wijken.shp", "cbs_gebiedsindeling", 2024, "EPSG:28992")
    ]
    assert "README.md" in caplog.text and "wijken.dbf" in caplog.text
    result = read_file(specs[0], source=SOURCE)
    assert result.areas.code.tolist() == ["WK039201"]
    assert result.geometries is not None and result.geometries.crs.to_epsg() == 28992


@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_shapefile_names_cut_to_ten_characters_are_understood(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {
            "buurtcode": ["BU02000706"],
            "buurtnaam": ["Bedrijvenpark Apeldoorn Noord"],
            "gemeentecode": ["GM0200"],
            "gemeentenaam": ["Apeldoorn"],
            "aantalInwoners": [180],
            "aantalHuishoudens": [90],
            "jaarstatcode": ["2021BU02000706"],
        },
        geometry=[shapely.box(5.98, 52.23, 5.99, 52.24)],
        crs="EPSG:4326",
    )
    with pytest.warns(UserWarning):  # GDAL truncates the long names, as PDOK's export did
        frame.to_file(tmp_path / "buurt.shp", engine="pyogrio")
    result = _read(tmp_path / "buurt.shp")
    assert result.vintages == [2021]
    assert _value(result, "BU02000706", "inwoners").value == 180
    assert _value(result, "BU02000706", "huishoudens").value == 90
    gemeente = result.areas.set_index("code").loc["GM0200"]
    assert (gemeente.level, gemeente["name"]) == ("gemeente", "Apeldoorn")


def test_unknown_columns_raise_naming_the_file_and_the_columns(tmp_path: Path) -> None:
    path = _text(tmp_path / "export.csv", "datum,bedrag,omschrijving\n2024-01-01,12,koffie\n")
    with pytest.raises(SourceError) as info:
        discover(tmp_path, source=SOURCE)
    assert info.value.file == str(path)
    assert "bedrag" in str(info.value) and "omschrijving" in str(info.value)


def test_json_that_is_not_geojson_names_its_keys(tmp_path: Path) -> None:
    _text(tmp_path / "odata.json", json.dumps({"odata.metadata": "x", "value": [{"a": 1}]}))
    with pytest.raises(SourceError, match=r"not GeoJSON.*odata\.metadata"):
        discover(tmp_path, source=SOURCE)


def test_truncated_geojson_raises_with_the_cause(tmp_path: Path) -> None:
    whole = _geojson(tmp_path / "whole.geojson", [KAART_BUURT] * 3).read_text()
    path = _text(tmp_path / "buurten_2015.geojson", whole[: len(whole) // 2])
    with pytest.raises(SourceError, match="truncated") as info:
        discover(path, source=SOURCE)
    assert info.value.file == str(path)
    assert info.value.__cause__ is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file of unknown format"),
    ],
)
def test_empty_and_binary_files_named_csv_raise(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "kwb_2024.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message) as info:
        discover(tmp_path, source=SOURCE)
    assert info.value.file == str(path)


def test_header_only_csv_has_no_data_rows(tmp_path: Path) -> None:
    spec = _only(_text(tmp_path / "kwb_2024.csv", "regiocode,jaar,AantalInwoners_5\n"))
    with pytest.raises(SourceError, match="no data rows"):
        read_file(spec, source=SOURCE)


def test_zip_archive_asks_to_be_unpacked(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "wijkbuurtkaart_2023.zip", "w") as archive:
        archive.writestr("wijkbuurtkaart_2023.gpkg", b"SQLite format 3\x00")
    with pytest.raises(SourceError, match="unpack"):
        discover(tmp_path, source=SOURCE)


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        discover(tmp_path / "nowhere", source=SOURCE)


# --- CSV dialects, codes, special values ----------------------------------------------

STATLINE_CSV = (
    '"ID";"WijkenEnBuurten";"Gemeentenaam_1";"SoortRegio_2";"Codering_3";"Perioden";'
    '"AantalInwoners_5";"Bevolkingsdichtheid_34";"Woningvoorraad_35"\n'
    '"0";"GM0392    ";"Haarlem                 ";"Gemeente  ";"GM0392    ";"2024JJ00";'
    '"167636";"5739";"79434"\n'
    '"1";"WK039201  ";"Haarlem                 ";"Wijk      ";"WK039201  ";"2024JJ00";'
    '"14745";".";""\n'
)


def test_statline_semicolon_csv_with_bom_and_padded_codes(tmp_path: Path) -> None:
    path = _text(tmp_path / "85984NED.csv", STATLINE_CSV, encoding="utf-8-sig")
    spec = _only(path)
    assert (spec.kind, spec.year) == ("cbs_statline_csv", 2024)
    result = read_file(spec, source=SOURCE)
    assert result.rejected == []
    assert result.rows_read == 2
    areas = result.areas.set_index("code")
    assert areas.loc["GM0392", "name"] == "Haarlem"
    assert areas.loc["WK039201", "parent_code"] == "GM0392"
    assert areas.loc["WK039201", "level"] == "wijk"
    assert _value(result, "GM0392", "inwoners").value == 167636
    assert _value(result, "GM0392", "woningvoorraad").period == "2024"
    density = _value(result, "WK039201", "bevolkingsdichtheid")
    assert (density.status, pd.isna(density.value)) == ("missing", True)
    assert "CBS '.'" in density.reason
    assert _value(result, "WK039201", "woningvoorraad").status == "missing"


def test_cp1252_csv_from_excel_is_read(tmp_path: Path) -> None:
    text = "code;naam;jaar;AANT_INW\nGM1900;Súdwest-Fryslân;2024;90000\n"
    result = _read(_text(tmp_path / "eigen.csv", text, encoding="cp1252"))
    assert result.areas.name.tolist() == ["Súdwest-Fryslân"]


@pytest.mark.parametrize(
    ("cell", "status"),
    [("-99999999", "suppressed"), ("-99997", "suppressed"), (".", "missing"), ("", "missing")],
)
def test_cbs_special_values_become_a_status_never_a_number(
    tmp_path: Path, cell: str, status: str
) -> None:
    text = f"code,jaar,AANT_INW,AANTAL_HH\nGM0400,2015,{cell},26484\n"
    result = _read(_text(tmp_path / "kaart.csv", text))
    obs = _value(result, "GM0400", "inwoners")
    assert obs.status == status
    assert pd.isna(obs.value)
    assert obs.reason
    assert _value(result, "GM0400", "huishoudens").value == 26484


def test_special_value_in_a_geojson_integer_field(tmp_path: Path) -> None:
    result = _read(_geojson(tmp_path / "buurten_2015.geojson", [KAART_BUURT]))
    obs = _value(result, "BU03920100", "bevolkingsdichtheid")
    assert (obs.status, pd.isna(obs.value)) == ("suppressed", True)
    assert _value(result, "BU03920100", "inwoners").status == "ok"


def test_non_numeric_cell_is_rejected_with_line_and_field(tmp_path: Path) -> None:
    text = "code,jaar,AANT_INW,AANTAL_HH\nGM0392,2015,156645,75959\nGM0400,2015,veel,26484\n"
    path = _text(tmp_path / "kaart.csv", text)
    result = _read(path)
    [rejection] = result.rejected
    assert (rejection.source, rejection.file) == (SOURCE, str(path))
    assert (rejection.row, rejection.field, rejection.value) == (3, "AANT_INW", "veel")
    assert {"GM0392", "GM0400"} == set(result.areas.code)
    assert _value(result, "GM0400", "huishoudens").value == 26484
    obs = result.observations
    assert obs[(obs.area_code == "GM0400") & (obs.indicator_id == "inwoners")].empty


def test_rows_without_a_valid_code_are_rejected(tmp_path: Path) -> None:
    text = "regiocode,jaar,AantalInwoners_5\nGM0392,2024,1\nHaarlem,2024,2\n,2024,3\n"
    result = _read(_text(tmp_path / "t.csv", text))
    assert result.areas.code.tolist() == ["GM0392"]
    assert [(r.row, r.field, r.value) for r in result.rejected] == [
        (3, "regiocode", "Haarlem"),
        (4, "regiocode", ""),
    ]
    assert result.rows_read == 3
    assert len(result.observations) == 1


def test_identical_duplicates_collapse_conflicting_ones_are_all_rejected(tmp_path: Path) -> None:
    text = (
        "code,jaar,AANT_INW\n"
        "GM0392,2015,156645\n"
        "GM0392,2015,156645\n"
        "GM0400,2015,56483\n"
        "GM0400,2015,56484\n"
        "GM0400,2015,56483\n"
    )
    result = _read(_text(tmp_path / "kaart.csv", text))
    assert result.areas.code.tolist() == ["GM0392"]
    assert result.observations.area_code.tolist() == ["GM0392"]
    rejected = {r.row: r for r in result.rejected}
    assert sorted(rejected) == [4, 5, 6]
    assert all(r.field == "code" and r.value == "GM0400" for r in rejected.values())
    assert "row(s) 5, 6" in rejected[4].reason


def test_names_are_stripped_and_level_comes_from_the_code(tmp_path: Path) -> None:
    # A buurt called "Wijk 01" with rubriek "gemeente" is still a buurt: the prefix decides.
    row = {"statcode": " BU03920100 ", "statnaam": "  Wijk 01  ", "rubriek": "gemeente"}
    result = _read(_geojson(tmp_path / "buurten_2024.geojson", [row]))
    assert result.areas.to_dict("records") == [
        {
            "code": "BU03920100",
            "vintage": 2024,
            "level": "buurt",
            "name": "Wijk 01",
            "parent_code": "WK039201",
            "gemeente_code": "GM0392",
        }
    ]


def test_kaart_rows_add_their_wijk_and_gemeente(tmp_path: Path) -> None:
    second = {**KAART_BUURT, "BU_CODE": "BU03920101", "BU_NAAM": "Stationsbuurt"}
    result = _read(_geojson(tmp_path / "buurten_2015.geojson", [KAART_BUURT, second]))
    assert list(result.areas.columns) == AREA_COLUMNS
    areas = result.areas.set_index("code")
    assert sorted(areas.index) == ["BU03920100", "BU03920101", "GM0392", "WK039201"]
    assert areas.loc["BU03920100", "name"] == "Centrum"
    assert areas.loc["WK039201", ["level", "name", "parent_code"]].tolist() == [
        "wijk",
        "Wijk 01 Oude stad",
        "GM0392",
    ]
    assert areas.loc["GM0392", ["level", "name"]].tolist() == ["gemeente", "Haarlem"]
    assert pd.isna(areas.loc["GM0392", "parent_code"])
    assert result.geometries is not None
    assert sorted(result.geometries.code) == ["BU03920100", "BU03920101"]


def test_a_gemeente_code_that_does_not_contain_the_area_rejects_the_row(tmp_path: Path) -> None:
    wrong = {**KAART_BUURT, "BU_CODE": "BU04000100", "WK_CODE": "WK040001", "GM_CODE": "GM0392"}
    rows = [KAART_BUURT, wrong]
    result = _read(_geojson(tmp_path / "buurten_2015.geojson", rows))
    [rejection] = result.rejected
    assert (rejection.row, rejection.field, rejection.value) == (2, "GM_CODE", "GM0392")
    assert "BU04000100" not in set(result.areas.code)


def test_excel_sheet_is_read_like_a_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"code": ["GM0392", "GM0400"], "jaar": [2015, 2015], "AANT_INW": [156645, "x"]}
    )
    frame.to_excel(tmp_path / "eigen.xlsx", index=False)
    spec = _only(tmp_path / "eigen.xlsx")
    result = read_file(spec, source=SOURCE)
    assert (spec.kind, spec.year) == ("cbs_kaart", 2015)
    assert _value(result, "GM0392", "inwoners").value == 156645
    assert [(r.row, r.field) for r in result.rejected] == [(3, "AANT_INW")]


# --- years -----------------------------------------------------------------------------


def test_year_comes_from_the_content_first(tmp_path: Path) -> None:
    row = {"statcode": "WK039201", "statnaam": "Oude Stad", "jrstatcode": "2024WK039201"}
    path = _geojson(tmp_path / "wijken_2016.geojson", [row])
    assert _only(path).year == 2024
    assert _read(path).vintages == [2024]


def test_year_falls_back_to_file_then_directory_name(tmp_path: Path) -> None:
    by_file = _geojson(tmp_path / "buurten_2015.geojson", [KAART_BUURT])
    by_dir = _geojson(tmp_path / "kaart_2014_tnocs" / "buurten.geojson", [KAART_BUURT])
    assert _only(by_file).year == 2015
    assert _read(by_dir).vintages == [2014]
    assert set(_read(by_dir).areas.vintage) == {2014}


def test_year_argument_overrides_content_and_name(tmp_path: Path) -> None:
    text = "regiocode,jaar,AantalInwoners_5\nGM0392,2023,1\n"
    result = _read(_text(tmp_path / "kwb_2022.csv", text), year=2024)
    assert result.vintages == [2024]
    assert result.observations.period.tolist() == ["2024"]


def test_missing_year_asks_for_it_in_the_sources_configuration(tmp_path: Path) -> None:
    spec = _only(_geojson(tmp_path / "buurten.geojson", [KAART_BUURT]))
    assert spec.year is None
    with pytest.raises(SourceError, match="set year in the sources configuration"):
        read_file(spec, source=SOURCE)
    assert read_file(spec, source=SOURCE, year=2015).vintages == [2015]


def test_row_without_a_year_in_its_year_column_is_rejected(tmp_path: Path) -> None:
    text = "regiocode,Perioden,AantalInwoners_5\nGM0392,2024JJ00,1\nGM0400,onbekend,2\n"
    result = _read(_text(tmp_path / "t.csv", text))
    assert [(r.row, r.field, r.value) for r in result.rejected] == [(3, "Perioden", "onbekend")]
    assert result.areas.code.tolist() == ["GM0392"]


# --- geometry and CRS ------------------------------------------------------------------

RD_ROW = {"statcode": "WK039201", "statnaam": "Oude Stad", "jrstatcode": "2024WK039201"}


def test_rd_geojson_keeps_its_crs(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "w.geojson", [RD_ROW], crs="urn:ogc:def:crs:EPSG::28992", origin=(RD_X, RD_Y)
    )
    result = _read(path)
    assert result.geometries is not None
    assert list(result.geometries.columns) == GEOM_COLUMNS
    assert result.geometries.crs.to_epsg() == 28992
    assert result.geometries.total_bounds[0] == RD_X  # not reprojected
    assert result.checksum == file_checksum(path)
    assert result.rows_read == 1
    assert list(result.observations.columns) == OBS_COLUMNS


def test_rd_coordinates_without_crs_say_how_to_fix_it(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "w.geojson", [RD_ROW], origin=(RD_X, RD_Y))
    spec = _only(path)
    with pytest.raises(SourceError, match=r"look like RD New.*crs: EPSG:28992") as info:
        read_file(spec, source=SOURCE)
    assert info.value.file == str(path)
    result = read_file(spec, source=SOURCE, crs="EPSG:28992")
    assert result.geometries is not None and result.geometries.crs.to_epsg() == 28992


def test_wgs84_coordinates_declared_as_rd_are_refused(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "w.geojson", [RD_ROW], crs="urn:ogc:def:crs:EPSG::28992")
    with pytest.raises(SourceError, match="look like WGS84"):
        _read(path)


def test_invalid_crs_argument_is_a_source_error(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "w.geojson", [RD_ROW])
    with pytest.raises(SourceError, match="not a known CRS"):
        _read(path, crs="EPSG:999999")


def _gpkg(path: Path, layers: dict[str, tuple[list[dict[str, Any]], str | None]]) -> Path:
    for layer, (rows, crs) in layers.items():
        frame = gpd.GeoDataFrame(
            rows,
            geometry=[
                shapely.box(RD_X + i * 100, RD_Y, RD_X + (i + 1) * 100, RD_Y + 100)
                for i in range(len(rows))
            ],
            crs=crs,
        )
        frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


def test_geopackage_gives_one_spec_per_layer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gemeenten = [{"gemeentecode": "GM0392", "gemeentenaam": "Haarlem", "aantal_inwoners": 160000}]
    wijken = [
        {"wijkcode": "WK039201", "wijknaam": "Oude Stad", "gemeentecode": "GM0392",
         "gemeentenaam": "Haarlem", "aantal_inwoners": 15000},
    ]  # fmt: skip
    path = _gpkg(
        tmp_path / "wijkenbuurten_2023_v1.gpkg",
        {"gemeenten": (gemeenten, "EPSG:28992"), "wijken": (wijken, "EPSG:28992")},
    )
    styles = pd.DataFrame({"styleName": ["x"], "styleQML": ["<qml/>"]})  # as QGIS adds
    pyogrio.write_dataframe(styles, path, layer="layer_styles", driver="GPKG")
    with caplog.at_level(logging.WARNING):
        specs = discover(path, source=SOURCE)
    assert [(s.layer, s.kind, s.year, s.crs_hint) for s in specs] == [
        ("gemeenten", "cbs_kaart", 2023, "EPSG:28992"),
        ("wijken", "cbs_kaart", 2023, "EPSG:28992"),
    ]
    assert "layer_styles" in caplog.text
    wijk = read_file(specs[1], source=SOURCE)
    assert wijk.file == f"{path}#wijken"
    assert sorted(wijk.areas.code) == ["GM0392", "WK039201"]
    assert _value(wijk, "WK039201", "inwoners").value == 15000


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_geopackage_layer_without_crs_needs_one(tmp_path: Path) -> None:
    rows = [{"statcode": "WK039201", "statnaam": "Oude Stad", "jaar": 2024}]
    spec = _only(_gpkg(tmp_path / "wijken.gpkg", {"wijken": (rows, None)}))
    assert spec.crs_hint is None
    with pytest.raises(SourceError, match=r"declares no coordinate reference system.*RD New"):
        read_file(spec, source=SOURCE)
    result = read_file(spec, source=SOURCE, crs="EPSG:28992")
    assert result.geometries is not None and result.geometries.crs.to_epsg() == 28992
