# SPDX-License-Identifier: EUPL-1.2
"""The registrations loader (etl/sources/registrations.py): config, reading, locating, counting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from etl import indicators
from etl.config import SourceSpec, load_config
from etl.disclosure.rules import DisclosureRules
from etl.indicators import all_indicators
from etl.locate import wgs84_to_rd
from etl.model import SourceError
from etl.settings import ConfigError, EtlSettings
from etl.sources import bag, registrations
from etl.sources.tabular import read_columns
from etl.staging import Staging, StagingSettings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Registered indicators stay in this test (the catalogue is process-wide)."""
    monkeypatch.setattr(indicators, "BY_ID", dict(indicators.BY_ID))
    monkeypatch.setattr(indicators, "_ALIAS_INDEX", dict(indicators._ALIAS_INDEX))
    monkeypatch.setattr(indicators, "_REGISTERED", [])
    yield


X0, Y0, D = 6.5, 53.0, 0.01
IN_1 = (X0 + 0.5 * D, Y0 + 0.5 * D)
IN_2 = (X0 + 1.5 * D, Y0 + 0.5 * D)
OUT = (X0 + 5 * D, Y0 + 5 * D)
SECRET = "Jansen, Dorpsstraat 1, BSN 123456782"

ENTRY: dict[str, Any] = {
    "type": "registrations",
    "gemeenten": ["GM0001"],
    "boundary_year": 2024,
    "indicator": "testmeldingen",
    "label_nl": "Testmeldingen",
    "label_en": "Test reports",
    "noun_nl": "meldingen",
    "noun_en": "reports",
    "date_column": "created_at",
    "category_column": "categorie",
    "categories": {
        "afval": {"label_nl": "Afval", "values": ["afval", "Vuilnis"]},
        "groen": "groen",
    },
    "location": {"lon": "lng", "lat": "lat"},
    "id_column": "id",
    "periods": ["year", "quarter"],
    "publish_unlocated": True,
}


def boundaries() -> gpd.GeoDataFrame:
    rows = [
        ("BU00010101", "buurt", shapely.box(X0, Y0, X0 + D, Y0 + D)),
        ("BU00010102", "buurt", shapely.box(X0 + D, Y0, X0 + 2 * D, Y0 + D)),
        ("WK000101", "wijk", shapely.box(X0, Y0, X0 + 2 * D, Y0 + D)),
        ("GM0001", "gemeente", shapely.box(X0, Y0, X0 + 2 * D, Y0 + D)),
    ]
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "vintage": 2024, "level": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs="EPSG:4326",
    )


def areas() -> pd.DataFrame:
    return pd.DataFrame({"code": boundaries().code, "vintage": 2024})


def records() -> pd.DataFrame:
    rows = [
        ("a", "2025-03-31T23:30:00+00:00", "afval", IN_1),  # 1 April local: Q2
        ("b", "2025-01-10 08:00", "Vuilnis", IN_1),
        ("c", "2025-05-01", "groen", IN_2),
        ("d", "2025-06-01", "groen", OUT),  # outside
        ("e", "2025-06-02", "graffiti", IN_1),  # unknown category
        ("f", "gisteren", "afval", IN_1),  # bad date
        ("g", "2025-12-31T23:30:00Z", "groen", (None, None)),  # no location, 2026 local
        ("h", "2024-11-15", "groen", IN_2),
    ]
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "created_at": [r[1] for r in rows],
            "categorie": [r[2] for r in rows],
            "lng": [r[3][0] for r in rows],
            "lat": [r[3][1] for r in rows],
            "naam_melder": SECRET,
            "omschrijving": "vrije tekst met persoonsgegevens",
        }
    )


def spec_for(path: Path, **changes: Any) -> SourceSpec:
    entry = {**ENTRY, "path": str(path), **changes}
    options = registrations.parse_options(entry, where="test")
    return SourceSpec(
        name=changes.pop("name", "meldingen"),
        type="registrations",
        path=path,
        gemeenten=tuple(entry["gemeenten"]),
        options=options,
    )


def run(spec: SourceSpec, data_dir: Path, **kwargs: Any) -> tuple[Any, Any]:
    settings = EtlSettings(max_reject_fraction=1.0)
    with Staging.open(data_dir, kwargs.pop("staging_settings", None)) as staging:
        staged = registrations.extract(spec, staging, settings)
        result = registrations.aggregate(staged, boundaries(), areas(), settings=settings, **kwargs)
        return staged, result


def value(result: Any, code: str, indicator: str, period: str) -> float | None:
    obs = result.observations
    row = obs[(obs.area_code == code) & (obs.indicator_id == indicator) & (obs.period == period)]
    assert len(row) == 1, (code, indicator, period, row)
    return None if pd.isna(row.value.iloc[0]) else float(row.value.iloc[0])


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    records().to_csv(folder / "meldingen-2025-06.csv", index=False)
    return folder


# --- reading only what is needed ------------------------------------------------------


def test_only_the_configured_columns_are_read_and_staged(drop: Path, tmp_path: Path) -> None:
    spec = spec_for(drop)
    reg = registrations.registration(spec.options, where="t")
    assert reg.columns == ["created_at", "categorie", "id", "lng", "lat"]
    table = read_columns(drop / "meldingen-2025-06.csv", reg.columns, source="t")
    assert list(table.frame.columns) == reg.columns
    assert "naam_melder" in table.columns_seen  # seen in the header, never read
    run(spec, tmp_path / "data")
    with Staging.open(tmp_path / "data") as staging:
        columns = [c[0] for c in staging.con.execute(f"DESCRIBE {registrations.TABLE}").fetchall()]
        assert not {"naam_melder", "omschrijving"} & set(columns)
    data = (tmp_path / "data" / "staging" / "staging.duckdb").read_bytes()
    assert b"Jansen" not in data and b"vrije tekst" not in data


def test_a_file_without_a_configured_column_fails_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    records().drop(columns=["lat"]).to_csv(folder / "x.csv", sep=";", index=False)
    with pytest.raises(SourceError, match=r"column\(s\) \['lat'\] not found"):
        run(spec_for(folder), tmp_path / "data")


def test_excel_drops_and_dutch_csv_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    frame = records()
    frame.iloc[:4].to_excel(folder / "deel1.xlsx", index=False)
    dutch = frame.iloc[4:].copy()
    dutch["lng"] = dutch["lng"].map(lambda v: "" if pd.isna(v) else str(v).replace(".", ","))
    dutch["lat"] = dutch["lat"].map(lambda v: "" if pd.isna(v) else str(v).replace(".", ","))
    dutch.to_csv(folder / "deel2.csv", sep=";", index=False, encoding="cp1252")
    _, result = run(spec_for(folder), tmp_path / "data")
    both = {r.reason.split(":")[0]: int(r.value) for r in result.rejected}
    assert both == {"bad_date": 1, "no_location": 1, "outside": 1, "unknown_category": 1}


# --- counting ---------------------------------------------------------------------------


def test_counts_per_area_period_and_category(drop: Path, tmp_path: Path) -> None:
    staged, result = run(spec_for(drop), tmp_path / "data")
    ind = "testmeldingen"
    assert value(result, "BU00010101", ind, "2025") == 2  # a (1 April local) and b
    assert value(result, "BU00010102", ind, "2025") == 1  # c
    assert value(result, "GM0001", ind, "2025") == 3
    assert value(result, "BU00010101", ind, "2025-Q1") == 1  # b
    assert value(result, "BU00010101", ind, "2025-Q2") == 1  # a, in local time
    assert value(result, "BU00010101", f"{ind}_afval", "2025") == 2  # "Vuilnis" maps to afval
    assert value(result, "BU00010102", f"{ind}_groen", "2025") == 1
    assert value(result, "BU00010102", ind, "2024") == 1  # h
    # Every quarter from the first to the last record, also the quiet ones.
    quarters = sorted(p for p in set(result.observations.period) if "-Q" in p)
    assert quarters == ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert value(result, "GM0001", ind, "2025-Q3") == 0
    # The melding without a location is published on the gemeente, in 2026 (local time).
    assert value(result, "GM0001", f"{ind}_locatie_onbekend", "2025") == 0
    assert value(result, "GM0001", f"{ind}_locatie_onbekend", "2026") == 1
    assert value(result, "GM0001", ind, "2026") == 0
    reasons = {r.reason.split(":")[0]: int(r.value) for r in result.rejected}
    assert reasons == {"bad_date": 1, "no_location": 1, "outside": 1, "unknown_category": 1}
    assert staged.rejected == {"bad_date": 1, "unknown_category": 1}  # decided while reading
    obs = result.observations
    assert obs.groupby(["area_code", "indicator_id", "period"]).size().max() == 1
    assert set(obs.vintage) == {2024} and set(obs.status) == {"ok"}


def test_rejected_records_stay_in_staging_with_their_reason(drop: Path, tmp_path: Path) -> None:
    run(spec_for(drop), tmp_path / "data")
    with Staging.open(tmp_path / "data") as staging:
        rejected = staging.rejected("meldingen", registrations.TABLE)
    got = dict(zip(rejected.record_id, rejected.reason, strict=True))
    assert got == {"d": "outside", "e": "unknown_category", "f": "bad_date", "g": "no_location"}
    assert rejected.loc[rejected.record_id == "e", "detail"].iloc[0] == "graffiti"
    assert rejected.loc[rejected.record_id == "d", "row"].iloc[0] == 5  # the CSV line


def test_rd_coordinates(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    frame = records().iloc[[0, 1, 2]]
    x, y = wgs84_to_rd(frame.lng.to_numpy(dtype=float), frame.lat.to_numpy(dtype=float))
    frame.assign(x=x, y=y).drop(columns=["lng", "lat"]).to_csv(folder / "rd.csv", index=False)
    spec = spec_for(folder, location={"x": "x", "y": "y"})
    _, result = run(spec, tmp_path / "data")
    assert value(result, "GM0001", "testmeldingen", "2025") == 3


def _bag_source(tmp_path: Path) -> SourceSpec:
    folder = tmp_path / "bag"
    folder.mkdir()
    pd.DataFrame(
        {
            "identificatie": ["0001010000000001", "0001010000000002", "0001010000000003"],
            "status": ["Verblijfsobject in gebruik"] * 3,
            "gebruiksdoel": ["woonfunctie"] * 3,
            "postcode": ["9401 AA", "9401AA", "9402BB"],
            "huisnummer": [1, 1, 7],
            "huisletter": ["", "a", ""],
            "xcoord": [IN_1[0], IN_2[0], IN_2[0]],
            "ycoord": [IN_1[1], IN_2[1], IN_2[1]],
        }
    ).to_csv(folder / "vbo.csv", index=False)
    return SourceSpec(
        name="bag", type="bag", path=folder, year=2024,
        options=bag.parse_options({"type": "bag", "path": "x", "addresses": True}, where="t"),
    )  # fmt: skip


def test_located_by_bag_id_or_by_address_through_the_bag(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    pd.DataFrame(
        {
            "datum": ["1-2-2025"] * 6,
            "vbo": ["0001010000000002", "", "", "", "", "9999010000000009"],
            "pc": ["", "9401aa", "9401 AA", "9402BB", "9999ZZ", ""],
            "nr": ["", "1", "1", "7", "1", ""],
            "letter": ["", "", "A", "", "", ""],
        }
    ).to_csv(folder / "wmo.csv", index=False)
    changes = {
        "date_column": "datum", "date_format": "%d-%m-%Y", "category_column": None,
        "categories": None, "id_column": None, "bag_source": "bag", "periods": ["year"],
        "location": [{"bag_id": "vbo"},
                     {"postcode": "pc", "huisnummer": "nr", "huisletter": "letter"}],
    }  # fmt: skip
    entry = {k: v for k, v in {**ENTRY, **changes}.items() if v is not None}
    spec = SourceSpec(
        name="wmo", type="registrations", path=folder, gemeenten=("GM0001",),
        options=registrations.parse_options({**entry, "path": str(folder)}, where="t"),
    )  # fmt: skip
    settings = EtlSettings(max_reject_fraction=1.0)
    with Staging.open(tmp_path / "data") as staging:
        bag.extract(_bag_source(tmp_path), staging, settings)
        staged = registrations.extract(spec, staging, settings)
        result = registrations.aggregate(staged, boundaries(), areas(), settings=settings)
    # by id -> 0002 (IN_2); 9401AA 1 -> 0001 (IN_1); 9401AA 1A -> 0002; 9402BB 7 -> IN_2
    assert value(result, "BU00010101", "testmeldingen", "2025") == 1
    assert value(result, "BU00010102", "testmeldingen", "2025") == 3
    reasons = {r.reason.split(":")[0]: int(r.value) for r in result.rejected}
    assert reasons == {"no_location": 2}  # an unknown address and an unknown BAG id


def test_locating_through_a_bag_without_addresses_fails_clearly(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    pd.DataFrame({"datum": ["2025-02-01"], "vbo": ["0001010000000002"]}).to_csv(
        folder / "x.csv", index=False
    )
    entry = {**ENTRY, "date_column": "datum", "location": {"bag_id": "vbo"}, "bag_source": "b",
             "path": str(folder)}  # fmt: skip
    for key in ("category_column", "categories", "id_column"):
        entry.pop(key)
    spec = SourceSpec(name="wmo", type="registrations", path=folder, gemeenten=("GM0001",),
                      options=registrations.parse_options(entry, where="t"))  # fmt: skip
    with Staging.open(tmp_path / "data") as staging:
        staged = registrations.extract(spec, staging, EtlSettings())
        with pytest.raises(SourceError, match="addresses = true"):
            registrations.aggregate(staged, boundaries(), areas())


def test_rates_use_the_latest_denominator_not_after_the_year(drop: Path, tmp_path: Path) -> None:
    spec = spec_for(drop, rates=["inwoners"])
    registrations.register_indicators(spec)
    inwoners = pd.DataFrame(
        {
            "area_code": ["BU00010101", "BU00010101", "BU00010102"],
            "vintage": 2024,
            "period": ["2023", "2025", "2026"],
            "indicator_id": "inwoners",
            "value": [400.0, 500.0, 100.0],
            "status": "ok",
            "reason": None,
        }
    )
    _, result = run(spec, tmp_path / "data", observations=inwoners)
    rate = "testmeldingen_per_1000_inwoners"
    assert value(result, "BU00010101", rate, "2025") == pytest.approx(2 / 500 * 1000)
    assert value(result, "BU00010101", rate, "2025-Q1") == pytest.approx(1 / 500 * 1000)
    assert value(result, "BU00010101", rate, "2024") == pytest.approx(0 / 400 * 1000)
    obs = result.observations
    missing = obs[(obs.area_code == "BU00010102") & (obs.indicator_id == rate)
                  & ~obs.period.str.startswith("2026")]  # fmt: skip
    assert set(missing.status) == {"missing"}  # only a figure of 2026: none before
    assert missing.reason.str.contains("inwoners").all()


def test_a_record_in_a_later_drop_counts_once(drop: Path, tmp_path: Path) -> None:
    later = records().iloc[[0, 2]].copy()
    later["categorie"] = "groen"  # re-categorised in the later export
    later.to_csv(drop / "meldingen-2025-07.csv", index=False)
    _, result = run(spec_for(drop), tmp_path / "data")
    assert value(result, "GM0001", "testmeldingen", "2025") == 3
    assert value(result, "BU00010101", "testmeldingen_afval", "2025") == 1  # only b now
    assert value(result, "BU00010101", "testmeldingen_groen", "2025") == 1  # a, from July


def test_a_changed_file_replaces_its_contribution_and_a_removed_one_goes(
    drop: Path, tmp_path: Path
) -> None:
    keep = StagingSettings(retention_days=30)
    other = records().iloc[[1]].assign(id="z")
    other.to_csv(drop / "extra.csv", index=False)
    _, result = run(spec_for(drop), tmp_path / "data", staging_settings=keep)
    assert value(result, "GM0001", "testmeldingen", "2025") == 4
    second, _ = run(spec_for(drop), tmp_path / "data", staging_settings=keep)
    assert [(c.status, c.read) for c in second.changes] == [("unchanged", False)] * 2
    records().iloc[[2]].to_csv(drop / "meldingen-2025-06.csv", index=False)  # only c left
    (drop / "extra.csv").unlink()
    third, result = run(spec_for(drop), tmp_path / "data", staging_settings=keep)
    assert sorted(c.status for c in third.changes) == ["changed", "removed"]
    assert value(result, "GM0001", "testmeldingen", "2025") == 1
    assert value(result, "BU00010101", "testmeldingen", "2025") == 0
    assert result.rejected == []


def test_dates_in_local_time_and_with_a_format() -> None:
    got = registrations.parse_dates(
        pd.Series(["2025-06-30T22:30:00Z", "30-06-2025", ""]), None, "Europe/Amsterdam"
    )
    assert str(got.iloc[0]) == "2025-07-01 00:30:00"
    assert pd.isna(got.iloc[1]) and pd.isna(got.iloc[2])
    dutch = registrations.parse_dates(pd.Series(["30-06-2025"]), "%d-%m-%Y", "Europe/Amsterdam")
    assert str(dutch.iloc[0]) == "2025-06-30 00:00:00"
    labels = registrations.period_labels(pd.Series(pd.to_datetime(["2025-02-03"])), "month")
    assert labels.tolist() == ["2025-02"]


# --- configuration, indicators, disclosure ----------------------------------------------


def test_configuration_errors_name_the_key(tmp_path: Path) -> None:
    cases: dict[str, tuple[dict[str, Any], str]] = {
        "missing": ({"indicator": None}, r"needs \['indicator'\]"),
        "bad id": ({"indicator": "Meldingen!"}, "snake_case"),
        "location": ({"location": {"lon": "x"}}, "location: expected lon"),
        "periods": ({"periods": ["week"]}, "periods"),
        "access": ({"access": "open"}, "access"),
        "timezone": ({"timezone": "Mars/Olympus"}, "timezone"),
        "categories": ({"categories": {"a": ["x"], "b": ["X"]}}, "in both 'a' and 'b'"),
        "no mapping": ({"categories": None}, "needs 'categories'"),
        "bag": ({"location": {"bag_id": "vbo"}}, "bag_source"),
        "unknown": ({"kolom": "x"}, "unknown key"),
    }
    for name, (changes, message) in cases.items():
        entry = {k: v for k, v in {**ENTRY, "path": "x", **changes}.items() if v is not None}
        with pytest.raises(ConfigError, match=message):
            registrations.parse_options(entry, where=f"case {name}")


def test_indicators_are_registered_once_and_feed_the_disclosure_rules(drop: Path) -> None:
    spec = spec_for(drop, indicator="regmeldingen", rates=["inwoners", "woningen_bag"])
    added = registrations.register_indicators(spec)
    assert registrations.register_indicators(spec) == added  # again: nothing new
    ids = {i.id for i in added}
    assert ids == {"regmeldingen", "regmeldingen_afval", "regmeldingen_groen",
                   "regmeldingen_per_1000_inwoners", "regmeldingen_per_1000_woningen_bag",
                   "regmeldingen_locatie_onbekend"}  # fmt: skip
    assert indicators.BY_ID["regmeldingen"].disclosure_rule == "count"
    assert indicators.BY_ID["regmeldingen_per_1000_inwoners"].disclosure_rule == "ratio"
    assert indicators.BY_ID["regmeldingen"].access == "internal"  # the default
    mapping = registrations.disclosure_mapping([spec])
    rules = DisclosureRules.from_mapping(mapping, catalogue=all_indicators())
    assert rules.rule_for("regmeldingen").kind == "count"
    assert rules.rule_for("regmeldingen").noun_nl == "meldingen"
    ratio = rules.rule_for("regmeldingen_per_1000_inwoners")
    assert (ratio.kind, ratio.numerator, ratio.denominator) == ("ratio", "regmeldingen", "inwoners")
    (breakdown,) = rules.breakdowns
    assert breakdown.total == "regmeldingen"
    assert breakdown.members == ("regmeldingen_afval", "regmeldingen_groen")
    other = spec_for(drop, indicator="regmeldingen", label_nl="Anders")
    with pytest.raises(ConfigError, match="another definition"):
        registrations.register_indicators(other)
    with pytest.raises(ConfigError, match="not an indicator"):
        registrations.register_indicators(spec_for(drop, indicator="x2", rates=["honden"]))


def test_a_registrations_entry_in_a_sources_file(drop: Path, tmp_path: Path) -> None:
    path = tmp_path / "registraties.toml"
    path.write_text(
        '[[sources]]\nname = "meldingen"\ntype = "registrations"\npath = "drop"\n'
        'gemeenten = ["GM0001"]\nboundary_year = 2024\nindicator = "tomlmeldingen"\n'
        'label_nl = "Meldingen"\ndate_column = "created_at"\ncategory_column = "categorie"\n'
        'location = { lon = "lng", lat = "lat" }\n'
        "[sources.categories]\n"
        'afval = { label_nl = "Afval", values = ["afval"] }\n'
        'groen = ["groen"]\n'
    )
    (spec,) = load_config(path).sources
    assert spec.type == "registrations" and spec.path == drop and spec.gemeenten == ("GM0001",)
    reg = registrations.registration(spec.options, where="t")
    assert [c.id for c in reg.categories] == ["afval", "groen"]
    assert reg.periods == ("year",) and reg.timezone == "Europe/Amsterdam"


def test_nothing_to_read_fails(tmp_path: Path) -> None:
    empty = tmp_path / "leeg"
    empty.mkdir()
    (empty / "LEESMIJ.md").write_text("geen data\n")
    with pytest.raises(SourceError, match="no record files"):
        run(spec_for(empty), tmp_path / "data")


def test_postcodes_are_normalised() -> None:
    got = registrations.normalise_postcode(pd.Series([" 9401 aa", "0123AB", "9401A", np.nan]))
    assert got.tolist() == ["9401AA", None, None, None]
