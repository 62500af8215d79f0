# SPDX-License-Identifier: EUPL-1.2
"""etl.sources.files on every real file in ../shared/data (see its PROVENANCE.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl.model import SourceError, SourceResult
from etl.sources.files import FileSpec, discover, read_file

pytestmark = pytest.mark.integration

SOURCE = "shared"

#: Every data file of the shared data set and the kind its content must be recognised as.
EXPECTED_KINDS: dict[str, str] = {
    "bag_pdok_apeldoorn_sample/bag_panden.geojson": "bag_panden",
    "bag_pdok_apeldoorn_sample/bag_verblijfsobjecten.csv": "bag_verblijfsobjecten",
    "bag_pdok_apeldoorn_sample/bag_verblijfsobjecten.geojson": "bag_verblijfsobjecten",
    "bag_pdok_apeldoorn_sample/cbs_buurt_2021_BU02000706.geojson": "cbs_kaart",
    "cbs_gebiedsindelingen_2014_ties/buurten_2014.geojson": "cbs_gebiedsindeling",
    "cbs_gebiedsindelingen_2014_ties/gemeenten_2015.geojson": "cbs_gebiedsindeling",
    "cbs_gebiedsindelingen_2014_ties/wijken_2014.geojson": "cbs_gebiedsindeling",
    **{
        f"cbs_gebiedsindelingen_cartomap/{name}_{crs}.geojson": "cbs_gebiedsindeling"
        for name in (
            "buurten_2022_GM0106",
            "buurten_2022_GM0200",
            "buurten_2022_GM0400",
            "buurten_2024_GM0392",
            "gemeenten_2024_GM0106",
            "gemeenten_2024",
            "wijken_2024_GM0106",
            "wijken_2024_GM0200",
            "wijken_2024",
        )
        for crs in ("rd", "wgs84")
    },
    "cbs_kwb_2024_85984NED/kwb_2024_gemeente_wijk.csv": "cbs_statline_csv",
    "cbs_wijkbuurtkaart_2015_tnocs/buurten_2015.geojson": "cbs_kaart",
    "cbs_wijkbuurtkaart_2015_tnocs/gemeenten_2015.geojson": "cbs_kaart",
    "cbs_wijkbuurtkaart_2015_tnocs/kwb_2015.csv": "cbs_kaart",
    "cbs_wijkbuurtkaart_2015_tnocs/wijken_2015.geojson": "cbs_kaart",
    "cbs_wijken_2016_elan/wijken_2016_rd.geojson": "cbs_gebiedsindeling",
    "cbs_wijken_2016_elan/wijken_2016_wgs84.geojson": "cbs_gebiedsindeling",
    "meldingen_signalen_assen/meldingen_assen.csv": "signalen_meldingen",
    "meldingen_signalen_assen/signalen_assen_areas.csv": "signalen_areas",
}


@pytest.fixture(scope="module")
def specs(shared_data: Path) -> dict[str, FileSpec]:
    return {
        spec.path.relative_to(shared_data).as_posix(): spec
        for spec in discover(shared_data, source=SOURCE)
    }


@pytest.fixture(scope="module")
def results(specs: dict[str, FileSpec]) -> dict[str, SourceResult]:
    return {name: read_file(spec, source=SOURCE) for name, spec in specs.items() if spec.supported}


def _value(result: SourceResult, code: str, indicator: str) -> float:
    obs = result.observations
    row = obs[(obs.area_code == code) & (obs.indicator_id == indicator)]
    assert len(row) == 1, row
    assert row.iloc[0].status == "ok"
    return float(row.iloc[0].value)


def _count(result: SourceResult, level: str, gemeente: str) -> int:
    areas = result.areas
    return int(((areas.level == level) & (areas.gemeente_code == gemeente)).sum())


def test_every_data_file_is_recognised(specs: dict[str, FileSpec]) -> None:
    # PROVENANCE.md and the field dictionary kwb_2015_fields.csv are skipped.
    assert {name: spec.kind for name, spec in specs.items()} == EXPECTED_KINDS


def test_every_supported_file_reads_without_rejections(
    specs: dict[str, FileSpec], results: dict[str, SourceResult]
) -> None:
    for name, result in results.items():
        assert result.rejected == [], name
        assert result.rows_read > 0 and not result.areas.empty, name
        assert result.vintages == [specs[name].year], name
        if specs[name].kind != "cbs_gebiedsindeling":  # those have one level per file
            assert result.areas.parent_code.dropna().isin(result.areas.code).all(), name
    for spec in specs.values():
        if not spec.supported:
            with pytest.raises(SourceError, match="not available yet"):
                read_file(spec, source=SOURCE)


def test_vintages_and_crs(specs: dict[str, FileSpec], results: dict[str, SourceResult]) -> None:
    assert specs["cbs_wijkbuurtkaart_2015_tnocs/buurten_2015.geojson"].year == 2015  # by name
    assert specs["bag_pdok_apeldoorn_sample/cbs_buurt_2021_BU02000706.geojson"].year == 2021
    assert specs["cbs_kwb_2024_85984NED/kwb_2024_gemeente_wijk.csv"].year == 2024
    rd = results["cbs_gebiedsindelingen_cartomap/wijken_2024_rd.geojson"].geometries
    wgs84 = results["cbs_gebiedsindelingen_cartomap/wijken_2024_wgs84.geojson"].geometries
    assert rd is not None and wgs84 is not None
    assert (rd.crs.to_epsg(), wgs84.crs.to_epsg()) == (28992, 4326)
    assert rd.code.tolist() == wgs84.code.tolist()


def test_kaart_2015_figures(results: dict[str, SourceResult]) -> None:
    for name in ("gemeenten_2015.geojson", "kwb_2015.csv"):
        result = results[f"cbs_wijkbuurtkaart_2015_tnocs/{name}"]
        assert _value(result, "GM0400", "inwoners") == 56483
        assert _value(result, "GM0400", "huishoudens") == 26484
        assert _value(result, "GM0392", "inwoners") == 156645
        assert _value(result, "GM0392", "huishoudens") == 75959


def test_den_helder_buurten_with_secret_density(results: dict[str, SourceResult]) -> None:
    result = results["cbs_wijkbuurtkaart_2015_tnocs/buurten_2015.geojson"]
    obs = result.observations
    density = obs[
        (obs.indicator_id == "bevolkingsdichtheid") & obs.area_code.str.startswith("BU0400")
    ]
    hidden = density[density.status != "ok"]
    assert len(hidden) == 5
    assert (hidden.status == "suppressed").all()
    assert hidden.value.isna().all()
    assert (density[density.status == "ok"].value.notna()).all()


def test_kaart_2015_buurten_complete_the_hierarchy(results: dict[str, SourceResult]) -> None:
    areas = results["cbs_wijkbuurtkaart_2015_tnocs/buurten_2015.geojson"].areas.set_index("code")
    assert areas.level.value_counts().to_dict() == {"buurt": 105, "wijk": 17, "gemeente": 2}
    assert areas.loc["GM0400", "name"] == "Den Helder"
    assert areas.loc["BU03920100", ["name", "parent_code"]].tolist() == ["Centrum", "WK039201"]


def test_haarlem_wijken_before_and_after_the_2016_redivision(
    results: dict[str, SourceResult],
) -> None:
    assert (
        _count(results["cbs_wijkbuurtkaart_2015_tnocs/wijken_2015.geojson"], "wijk", "GM0392") == 9
    )
    assert (
        _count(results["cbs_gebiedsindelingen_2014_ties/wijken_2014.geojson"], "wijk", "GM0392")
        == 9
    )
    wijken_2016 = results["cbs_wijken_2016_elan/wijken_2016_rd.geojson"]
    assert _count(wijken_2016, "wijk", "GM0392") == 21
    assert wijken_2016.areas.set_index("code").loc["GM0392", "name"] == "Haarlem"
    for name in (
        "cbs_gebiedsindelingen_cartomap/wijken_2024_rd.geojson",
        "cbs_kwb_2024_85984NED/kwb_2024_gemeente_wijk.csv",
    ):
        assert _count(results[name], "wijk", "GM0392") == 21, name
        assert _count(results[name], "wijk", "GM0400") == 8, name


def test_kwb_2024_figures(results: dict[str, SourceResult]) -> None:
    result = results["cbs_kwb_2024_85984NED/kwb_2024_gemeente_wijk.csv"]
    assert _value(result, "GM0392", "inwoners") == 167636
    assert _value(result, "GM0392", "woningvoorraad") == 79434
    assert _value(result, "GM0400", "inwoners") == 56432
    assert _value(result, "GM0400", "woningvoorraad") == 28734
    assert _value(result, "GM0400", "oppervlakte_totaal") == 17880
    assert set(result.observations.period) == {"2024"}


def test_cartomap_buurten(results: dict[str, SourceResult]) -> None:
    for crs in ("rd", "wgs84"):
        result = results[f"cbs_gebiedsindelingen_cartomap/buurten_2022_GM0400_{crs}.geojson"]
        assert _count(result, "buurt", "GM0400") == 65
        assert result.geometries is not None and len(result.geometries) == 65
        assert result.observations.empty


def test_pdok_buurt_with_truncated_names(results: dict[str, SourceResult]) -> None:
    result = results["bag_pdok_apeldoorn_sample/cbs_buurt_2021_BU02000706.geojson"]
    assert _value(result, "BU02000706", "inwoners") == 180
    assert _value(result, "BU02000706", "huishoudens") == 90
    areas = result.areas.set_index("code")
    assert areas.loc["BU02000706", "name"] == "Bedrijvenpark Apeldoorn Noord"
    assert areas.loc["GM0200", "name"] == "Apeldoorn"
    assert areas.loc["WK020007", "level"] == "wijk"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("cbs_wijkbuurtkaart_2015_tnocs/buurten_2015.geojson", "cbs_kaart"),
        ("cbs_wijkbuurtkaart_2015_tnocs/kwb_2015.csv", "cbs_kaart"),
        ("cbs_wijkbuurtkaart_2015_tnocs/kwb_2015_fields.csv", None),
        ("cbs_gebiedsindelingen_cartomap/wijken_2024_rd.geojson", "cbs_gebiedsindeling"),
        ("cbs_wijken_2016_elan/wijken_2016_rd.geojson", "cbs_gebiedsindeling"),
        ("cbs_kwb_2024_85984NED/kwb_2024_gemeente_wijk.csv", "cbs_statline_csv"),
        ("bag_pdok_apeldoorn_sample/bag_verblijfsobjecten.csv", "bag_verblijfsobjecten"),
        ("meldingen_signalen_assen/meldingen_assen.csv", "signalen_meldingen"),
    ],
)
@pytest.mark.parametrize("new_name", ["data.json", "x1.dat"])
def test_kind_does_not_depend_on_the_file_name(
    shared_data: Path, tmp_path: Path, name: str, kind: str | None, new_name: str
) -> None:
    copy = tmp_path / new_name
    shutil.copyfile(shared_data / name, copy)
    specs = discover(copy, source=SOURCE)
    assert [spec.kind for spec in specs] == ([kind] if kind else [])


def test_renamed_kaart_needs_its_year_and_then_reads_the_same(
    shared_data: Path, tmp_path: Path, results: dict[str, SourceResult]
) -> None:
    name = "cbs_wijkbuurtkaart_2015_tnocs/gemeenten_2015.geojson"
    copy = tmp_path / "data.json"
    shutil.copyfile(shared_data / name, copy)
    [spec] = discover(copy, source=SOURCE)
    with pytest.raises(SourceError, match="set year in the sources configuration"):
        read_file(spec, source=SOURCE)
    renamed = read_file(spec, source=SOURCE, year=2015)
    pd.testing.assert_frame_equal(renamed.observations, results[name].observations)
    assert renamed.checksum == results[name].checksum
