# SPDX-License-Identifier: EUPL-1.2
"""The private staging store (etl/staging.py) and the runner hook (etl/sources/located.py)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from etl import indicators
from etl.config import SourceSpec
from etl.model import SourceResult, empty_areas, empty_observations
from etl.settings import ConfigError, EtlSettings
from etl.sources import registrations
from etl.sources.detect import discover
from etl.sources.located import LocatedSources, append_observations, is_located
from etl.staging import STAGING_DIR, STAGING_FILE, Staging, StagingSettings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Registered indicators stay in this test (the catalogue is process-wide)."""
    monkeypatch.setattr(indicators, "BY_ID", dict(indicators.BY_ID))
    monkeypatch.setattr(indicators, "_ALIAS_INDEX", dict(indicators._ALIAS_INDEX))
    monkeypatch.setattr(indicators, "_REGISTERED", [])
    yield


SECRET = "Pietersen-Klaassen"
DDL = (
    "CREATE TABLE IF NOT EXISTS records (file_id INTEGER NOT NULL, row BIGINT NOT NULL, "
    "naam VARCHAR, reason VARCHAR)"
)


def stage(staging: Staging, file: str, rows: list[tuple[str, str | None]], *,
          personal: bool = True, run_id: str = "r1") -> None:  # fmt: skip
    frame = pd.DataFrame(
        {"row": range(2, 2 + len(rows)), "naam": [r[0] for r in rows],
         "reason": pd.Series([r[1] for r in rows], dtype=object)}
    )  # fmt: skip
    staging.ensure_table("records", DDL, personal=personal)
    by_reason = {"bad": sum(1 for r in rows if r[1])}
    staging.replace_file(
        source="s", file=file, kind="csv", checksum=f"sha256:{file}", config_fp="fp",
        records={"records": frame}, rows_read=len(rows), rejected_by_reason=by_reason,
        personal=personal, run_id=run_id,
    )  # fmt: skip


def count(staging: Staging) -> int:
    row = staging.con.execute("SELECT count(*) FROM records").fetchone()
    return int(row[0]) if row else 0


def test_the_store_is_private_to_the_etl_user(tmp_path: Path) -> None:
    with Staging.open(tmp_path) as staging:
        stage(staging, "a.csv", [("x", None)])
    directory = tmp_path / STAGING_DIR
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / STAGING_FILE).stat().st_mode) == 0o600


def test_by_default_personal_records_go_after_a_successful_run_but_rejected_ones_stay(
    tmp_path: Path,
) -> None:
    with Staging.open(tmp_path) as staging:
        stage(staging, "a.csv", [(SECRET, None), ("ander", None), ("kapot", "bad_date")])
        staging.finish(success=False, run_id="r1")
        assert count(staging) == 3  # a failed run keeps everything for inspection
        staging.finish(success=True, run_id="r1")
        assert staging.con.execute("SELECT naam, reason FROM records").fetchall() == [
            ("kapot", "bad_date")
        ]
        assert staging.reusable("s", "a.csv", "sha256:a.csv", "fp") is None  # must be re-read
        assert staging.previous("s", "a.csv") is not None  # the manifest stays
    # Rewritten: the deleted name is not left behind in free blocks of the file.
    assert SECRET.encode() not in (tmp_path / STAGING_DIR / STAGING_FILE).read_bytes()
    settings = StagingSettings(keep_rejected=False)
    with Staging.open(tmp_path, settings) as staging:
        staging.finish(success=True)
        assert count(staging) == 0


def test_a_retention_keeps_records_so_unchanged_files_are_not_read_again(tmp_path: Path) -> None:
    with Staging.open(tmp_path, StagingSettings(retention_days=7)) as staging:
        stage(staging, "a.csv", [("x", None)])
        staging.finish(success=True)
        assert count(staging) == 1
        assert staging.reusable("s", "a.csv", "sha256:a.csv", "fp") is not None
        assert staging.reusable("s", "a.csv", "sha256:a.csv", "other-config") is None
        staging.con.execute("UPDATE staged_files SET staged_at = staged_at - INTERVAL 8 DAY")
        staging.finish(success=True)
        assert count(staging) == 0


def test_replacing_and_forgetting_a_file(tmp_path: Path) -> None:
    with Staging.open(tmp_path, StagingSettings(retention_days=1)) as staging:
        stage(staging, "a.csv", [("x", None), ("y", None)])
        stage(staging, "b.csv", [("z", None)])
        stage(staging, "a.csv", [("x2", None)])  # changed: replaces both rows
        assert sorted(r[0] for r in staging.con.execute("SELECT naam FROM records").fetchall()) == [
            "x2", "z"
        ]  # fmt: skip
        gone = staging.forget_missing("s", {"a.csv"})
        assert [g.file for g in gone] == ["b.csv"]
        assert count(staging) == 1 and [f.file for f in staging.files("s")] == ["a.csv"]


def test_checksums_are_reused_while_size_and_mtime_stay(tmp_path: Path) -> None:
    gpkg = tmp_path / "bag.gpkg"
    gpkg.write_text("a,b\n1,2\n")
    with Staging.open(tmp_path / "data") as staging:
        first = staging.checksum("s", gpkg)
        staging.ensure_table("records", DDL, personal=True)
        staging.replace_file(source="s", file=f"{gpkg}#pand", kind="csv", checksum="sha256:old",
                             config_fp="fp", records={}, rows_read=1, rejected_by_reason={},
                             personal=True, path=gpkg)  # fmt: skip
        assert staging.checksum("s", gpkg) == first  # hashed once per run
    with Staging.open(tmp_path / "data") as staging:
        # A later run: size and mtime unchanged, so the staged (layer's) checksum counts.
        assert staging.checksum("s", gpkg) == "sha256:old"
        gpkg.write_text("a,b\n1,3\n")
        assert staging.checksum("s", gpkg) not in ("sha256:old", first)
    with Staging.open(tmp_path / "data", StagingSettings(verify_checksums=True)) as staging:
        assert staging.checksum("s", gpkg) == staging.checksum("x", gpkg)


def test_staging_settings_from_the_environment_and_a_sources_file() -> None:
    env = {"BUURTLENS_STAGING_RETENTION_DAYS": "3", "BUURTLENS_STAGING_KEEP_REJECTED": "nee"}
    assert StagingSettings.from_env(env) == StagingSettings(retention_days=3, keep_rejected=False)
    with pytest.raises(ConfigError, match="BUURTLENS_STAGING_RETENTION_DAYS"):
        StagingSettings.from_env({"BUURTLENS_STAGING_RETENTION_DAYS": "altijd"})
    with pytest.raises(ConfigError, match="unknown key"):
        StagingSettings.from_mapping({"bewaren": 3})


# --- the runner hook --------------------------------------------------------------------


def _boundaries() -> SourceResult:
    geometry = gpd.GeoDataFrame(
        {"code": ["BU00010101", "GM0001"], "vintage": 2024, "level": ["buurt", "gemeente"]},
        geometry=[shapely.box(6.5, 53.0, 6.51, 53.01), shapely.box(6.5, 53.0, 6.51, 53.01)],
        crs="EPSG:4326",
    )
    areas = pd.DataFrame(
        {"code": ["BU00010101", "GM0001"], "vintage": 2024, "level": ["buurt", "gemeente"],
         "name": ["B", "G"], "parent_code": ["WK000101", None], "gemeente_code": "GM0001"}
    )  # fmt: skip
    return SourceResult("grenzen", "g.geojson", "cbs_gebiedsindeling", "c", areas,
                        empty_observations(), geometry)  # fmt: skip


def _registration_spec(folder: Path) -> SourceSpec:
    entry = {"type": "registrations", "path": str(folder), "gemeenten": ["GM0001"],
             "boundary_year": 2024, "indicator": "hookmeldingen", "label_nl": "Meldingen",
             "date_column": "datum", "location": {"lon": "lon", "lat": "lat"}}  # fmt: skip
    return SourceSpec(name="meldingen", type="registrations", path=folder, gemeenten=("GM0001",),
                      options=registrations.parse_options(entry, where="t"))  # fmt: skip


def test_the_runner_hook_from_plan_to_finish(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    pd.DataFrame({"datum": ["2025-01-01", "2025-02-01"], "lon": [6.505, 6.7],
                  "lat": [53.005, 53.0]}).to_csv(folder / "a.csv", index=False)  # fmt: skip
    spec = _registration_spec(folder)
    assert is_located(spec)
    located = LocatedSources(tmp_path / "data", EtlSettings(max_reject_fraction=1.0),
                             StagingSettings(), run_id="r1")  # fmt: skip
    fingerprint = located.plan(spec)
    assert fingerprint == located._fingerprint(spec, located._file_checksums(spec))
    notes = located.extract()
    assert notes == ["meldingen a.csv: new, read 2 rows"]
    results = [_boundaries()]
    assert located.boundary_results(results, tmp_path / "none.duckdb") == []
    (result,) = located.aggregate(results[0].geometries, results[0].areas, empty_observations())
    merged = append_observations(pd.DataFrame(columns=[*result.observations.columns, "source",
                                                       "file"]), [result])  # fmt: skip
    assert set(merged.source) == {"meldingen"} and set(merged.file) == {str(folder)}
    got = merged.set_index(["area_code", "indicator_id", "period"]).value
    assert got[("BU00010101", "hookmeldingen", "2025")] == 1
    located.finish(success=True)
    with Staging.open(tmp_path / "data") as staging:
        left = staging.con.execute(f"SELECT reason FROM {registrations.TABLE}").fetchall()
    assert left == [("outside",)]  # the accepted record is gone, the rejected one kept


def test_finish_forgets_sources_that_are_no_longer_configured(tmp_path: Path) -> None:
    with Staging.open(tmp_path) as staging:
        stage(staging, "a.csv", [("kapot", "bad_date")])
    located = LocatedSources(tmp_path, EtlSettings(), StagingSettings())
    located.finish(success=True)
    with Staging.open(tmp_path) as staging:
        assert count(staging) == 0 and staging.files("s") == []


def test_a_directory_source_hands_over_its_bag_layers(tmp_path: Path) -> None:
    folder = tmp_path / "bronnen_2024"
    folder.mkdir()
    pd.DataFrame({"identificatie": ["0001010000000001"], "huisnummer": [1],
                  "status": ["Verblijfsobject in gebruik"], "gebruiksdoel": ["woonfunctie"],
                  "x": [6.505], "y": [53.005]}).to_csv(folder / "vbo.csv", index=False)  # fmt: skip
    pd.DataFrame({"id": ["x"], "created_at": ["2025-01-01"], "category": ["afval"], "lng": [6.5],
                  "lat": [53.0]}).to_csv(folder / "signalen.csv", index=False)  # fmt: skip
    spec = SourceSpec(name="map", type="files", path=folder)
    located = LocatedSources(tmp_path / "data", EtlSettings())
    rest, parts = located.split_files(spec, discover(folder, source="map"))
    assert [f.kind for f in rest] == ["signalen_meldingen"]  # skipped later with a warning
    assert len(parts) == 1 and [s.type for s in located.specs] == ["bag"]
    assert located.specs[0].year == 2024  # from the folder name
    undated = tmp_path / "bronnen"
    undated.mkdir()
    (folder / "vbo.csv").rename(undated / "vbo.csv")
    located = LocatedSources(tmp_path / "data", EtlSettings())
    rest, parts = located.split_files(
        SourceSpec(name="u", type="files", path=undated), discover(undated, source="u")
    )
    assert rest == [] and parts == [] and located.specs == []  # skipped: no year


def test_boundaries_come_from_the_live_warehouse_when_the_run_lacks_them(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    pd.DataFrame({"datum": ["2025-01-01"], "lon": [6.505], "lat": [53.005]}).to_csv(
        folder / "a.csv", index=False
    )
    located = LocatedSources(tmp_path / "data", EtlSettings())
    located.plan(_registration_spec(folder))
    located.extract()
    other = SourceResult("x", "x", "k", "c", empty_areas(), empty_observations(), None)
    assert located.boundary_results([other], tmp_path / "missing.duckdb") == []
    located.finish(success=False)
