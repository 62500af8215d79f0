# SPDX-License-Identifier: EUPL-1.2
"""The ETL command on the real CBS/PDOK files in ../shared/data, as a data team runs it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CBS_DIRS = (
    "cbs_wijkbuurtkaart_2015_tnocs",
    "cbs_kwb_2024_85984NED",
    "cbs_gebiedsindelingen_cartomap",
    "cbs_wijken_2016_elan",
    "cbs_gebiedsindelingen_2014_ties",
)


def etl(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        check=False,
    )


def sources(shared_data: Path) -> list[str]:
    out: list[str] = []
    for name in CBS_DIRS:
        out += ["--source", str(shared_data / name)]
    return out


@pytest.fixture(scope="module")
def warehouse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = tmp_path_factory.mktemp("warehouse")
    result = etl("run", "--data-dir", data_dir, *sources(shared_data))
    assert result.returncode == 0, result.stderr
    yield data_dir


def query(data_dir: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "buurtlens.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def value(data_dir: Path, vintage: int, code: str, indicator: str) -> float | None:
    rows = query(
        data_dir,
        "SELECT value FROM observations WHERE vintage = ? AND area_code = ? AND indicator_id = ?",
        [vintage, code, indicator],
    )
    assert len(rows) == 1, (vintage, code, indicator, rows)
    return rows[0][0]


def test_inhabitants_match_the_cbs_figures(warehouse: Path) -> None:
    assert value(warehouse, 2015, "GM0400", "inwoners") == 56_483
    assert value(warehouse, 2024, "GM0400", "inwoners") == 56_432
    assert value(warehouse, 2015, "GM0392", "inwoners") == 156_645
    assert value(warehouse, 2024, "GM0392", "inwoners") == 167_636
    assert value(warehouse, 2015, "GM0392", "huishoudens") == 75_959
    assert value(warehouse, 2024, "GM0392", "woningvoorraad") == 79_434
    assert value(warehouse, 2024, "GM0392", "oppervlakte_land") == 2_921


def test_haarlem_wijken_per_vintage(warehouse: Path) -> None:
    counts = dict(
        query(
            warehouse,
            "SELECT vintage, count(*) FROM areas WHERE gemeente_code = 'GM0392' "
            "AND level = 'wijk' GROUP BY vintage",
        )
    )
    assert counts == {2014: 9, 2015: 9, 2016: 21, 2024: 21}


def test_reused_code_is_two_different_areas(warehouse: Path) -> None:
    names = dict(
        query(warehouse, "SELECT vintage, name FROM areas WHERE code = 'WK039202' ORDER BY 1")
    )
    assert names[2015] == "Wijk 02 Spoorbaan Leiden"
    assert names[2024] == "Haarlemmerhoutkwartier"


def test_cbs_secret_values_are_a_status_not_a_number(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "SELECT area_code, value, status, reason FROM observations WHERE vintage = 2015 "
        "AND indicator_id = 'bevolkingsdichtheid' AND area_code LIKE 'BU0400%' "
        "AND status <> 'ok' ORDER BY 1",
    )
    assert [r[0] for r in rows] == [
        "BU04000100", "BU04000207", "BU04000304", "BU04000500", "BU04000607",
    ]  # fmt: skip
    assert all(r[1] is None and r[2] == "suppressed" and "CBS" in r[3] for r in rows)
    negative = query(warehouse, "SELECT count(*) FROM observations WHERE value <= -99991")
    assert negative == [(0,)]


def test_den_helder_wijk_trend_2015_to_2024(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "SELECT a.code, a.vintage, o.value FROM areas a JOIN observations o "
        "ON o.vintage = a.vintage AND o.area_code = a.code AND o.indicator_id = 'inwoners' "
        "WHERE a.gemeente_code = 'GM0400' AND a.level = 'wijk' AND a.vintage IN (2015, 2024)",
    )
    by_code: dict[str, dict[int, float]] = {}
    for code, vintage, v in rows:
        by_code.setdefault(code, {})[vintage] = v
    assert len(by_code) == 8
    assert all(set(series) == {2015, 2024} for series in by_code.values())
    # Wijk figures are rounded to 5 by CBS; their sum is close to the gemeente figure.
    assert abs(sum(s[2024] for s in by_code.values()) - 56_432) < 8 * 5


def test_geometry_artefacts_per_vintage_level_gemeente(warehouse: Path) -> None:
    rows = dict(
        query(
            warehouse,
            "SELECT level, feature_count FROM geometries WHERE vintage = 2024 "
            "AND gemeente_code = 'GM0392'",
        )
    )
    assert rows == {"gemeente": 1, "wijk": 21, "buurt": 111}
    (geojson,) = query(
        warehouse,
        "SELECT geojson FROM geometries WHERE vintage = 2024 AND level = 'buurt' "
        "AND gemeente_code = 'GM0392'",
    )[0]
    assert '"id":"BU03920101"' in geojson
    # Full precision is kept for spatial joins, in WGS84.
    (lon, lat) = query(
        warehouse,
        "SELECT centroid_lon, centroid_lat FROM area_geometry WHERE vintage = 2024 "
        "AND code = 'WK039201'",
    )[0]
    assert 4.6 < lon < 4.7 and 52.3 < lat < 52.4


def test_lineage_in_run_log_and_warehouse(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT file, checksum, rows_read FROM run_sources")
    assert len(rows) >= 20
    assert all(c.startswith("sha256:") and n > 0 for _, c, n in rows)
    status = etl("status", "--data-dir", warehouse)
    assert status.returncode == 0
    assert "live version:" in status.stdout and "published" in status.stdout


def test_unchanged_inputs_do_no_work(warehouse: Path, shared_data: Path) -> None:
    before = os.stat(warehouse / "buurtlens.duckdb").st_ino
    result = etl("run", "--data-dir", warehouse, *sources(shared_data))
    assert result.returncode == 0
    assert "unchanged" in result.stdout
    assert os.stat(warehouse / "buurtlens.duckdb").st_ino == before


def test_same_command_on_another_municipality(shared_data: Path, tmp_path: Path) -> None:
    """Assen and Apeldoorn boundaries, with no code of ours knowing those gemeenten."""
    src = tmp_path / "bron"
    src.mkdir()
    for name in ("wijken_2024_GM0106_rd.geojson", "buurten_2022_GM0106_wgs84.geojson"):
        shutil.copy(shared_data / "cbs_gebiedsindelingen_cartomap" / name, src / f"x{len(name)}")
    result = etl("run", "--data-dir", tmp_path / "d", "--source", src)
    assert result.returncode == 0, result.stderr
    counts = dict(query(tmp_path / "d", "SELECT level || vintage, count(*) FROM areas GROUP BY 1"))
    assert counts == {"wijk2024": 10, "gemeente2024": 1, "buurt2022": 109, "gemeente2022": 1}


# --- failures leave the live warehouse untouched ------------------------------------


@pytest.fixture
def live(shared_data: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A data dir with a live version built from one real source, and a copy of that source."""
    src = tmp_path / "bron"
    shutil.copytree(shared_data / "cbs_kwb_2024_85984NED", src)
    data_dir = tmp_path / "data"
    result = etl("run", "--data-dir", data_dir, "--source", src)
    assert result.returncode == 0, result.stderr
    return data_dir, src


def _fingerprint(data_dir: Path) -> tuple[int, bytes]:
    live = data_dir / "buurtlens.duckdb"
    return os.stat(live).st_ino, live.read_bytes()


def _last_run(data_dir: Path) -> dict[str, str]:
    import json

    return json.loads((data_dir / "log" / "runs.jsonl").read_text().splitlines()[-1])


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("kapot.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feat',
         "kapot.geojson"),
        ("onbekend.csv", "a;b;c\n1;2;3\n", "onbekend.csv"),
        ("rd.geojson",
         '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
         '{"statcode":"WK039201","statnaam":"X","jrstatcode":"2024WK039201"},"geometry":'
         '{"type":"Polygon","coordinates":[[[104605,488367],[104665,488964],[103754,489351],'
         '[104605,488367]]]}}]}', "RD"),
    ],
)  # fmt: skip
def test_bad_file_fails_the_run_and_keeps_live(
    live: tuple[Path, Path], name: str, content: str, expected: str
) -> None:
    data_dir, src = live
    before = _fingerprint(data_dir)
    (src / name).write_text(content, encoding="utf-8")
    result = etl("run", "--data-dir", data_dir, "--source", src)
    assert result.returncode == 1
    assert expected in result.stderr and "nothing published" in result.stderr
    assert _fingerprint(data_dir) == before
    assert _last_run(data_dir)["status"] == "failed"
    assert list((data_dir / "build").iterdir()) == []


def test_non_numeric_cells_are_rejected_with_source_file_row_field(
    live: tuple[Path, Path],
) -> None:
    data_dir, src = live
    csv = src / "kwb_2024_gemeente_wijk.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    (i,) = [n for n, line in enumerate(lines) if line.startswith("WK039203,")]
    assert i == 4  # line 5 of the file, counting the header
    lines[i] = lines[i].replace(",8295,", ",achtduizend,", 1)  # its AantalInwoners_5
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = etl("run", "--data-dir", data_dir, "--source", src)
    assert result.returncode == 3, result.stderr  # published, with rejected rows
    run = _last_run(data_dir)
    rejected = (data_dir / "log" / f"{run['run_id']}.rejected.csv").read_text()
    assert "kwb_2024_gemeente_wijk.csv" in rejected
    assert "AantalInwoners_5" in rejected and "achtduizend" in rejected and ",5," in rejected
    assert (
        query(
            data_dir,
            "SELECT value, status FROM observations WHERE area_code = 'WK039203' "
            "AND indicator_id = 'inwoners'",
        )
        == []
    )


def test_too_many_rejected_rows_fail_the_run(live: tuple[Path, Path]) -> None:
    data_dir, src = live
    before = _fingerprint(data_dir)
    csv = src / "kwb_2024_gemeente_wijk.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    broken = [lines[0]] + [",".join([*line.split(",")[:5], "n.v.t.", *line.split(",")[6:]])
                           for line in lines[1:]]  # fmt: skip
    csv.write_text("\n".join(broken) + "\n", encoding="utf-8")
    result = etl("run", "--data-dir", data_dir, "--source", src)
    assert result.returncode == 1
    assert "kwb_2024_gemeente_wijk.csv" in result.stderr and "rejected" in result.stderr
    assert _fingerprint(data_dir) == before


def test_killed_run_leaves_live_untouched_and_next_run_recovers(
    live: tuple[Path, Path], shared_data: Path
) -> None:
    data_dir, _src = live
    before = _fingerprint(data_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "--log-level", "INFO", "run", "--force",
         "--data-dir", str(data_dir), *sources(shared_data)],
        cwd=REPO, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if "event=write table=areas" in line:  # in the middle of writing the new file
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert _fingerprint(data_dir) == before
    assert any((data_dir / "build").iterdir())  # the half-written file is left behind
    result = etl("run", "--data-dir", data_dir, *sources(shared_data))
    assert result.returncode == 0, result.stderr
    assert list((data_dir / "build").iterdir()) == []
    assert value(data_dir, 2015, "GM0400", "inwoners") == 56_483


def test_rollback_restores_the_previous_version(live: tuple[Path, Path], shared_data: Path) -> None:
    data_dir, _src = live
    first = query(data_dir, "SELECT value FROM meta WHERE key = 'data_version'")[0][0]
    assert etl("run", "--data-dir", data_dir, *sources(shared_data)).returncode == 0
    assert query(data_dir, "SELECT count(DISTINCT vintage) FROM areas")[0][0] > 1
    result = etl("rollback", "--data-dir", data_dir)
    assert result.returncode == 0 and first in result.stdout
    assert query(data_dir, "SELECT value FROM meta WHERE key = 'data_version'")[0][0] == first


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = etl("run", "--data-dir", tmp_path, "--source", tmp_path / "nope")
    assert result.returncode == 2 and "no such file" in result.stderr
    bad = tmp_path / "bronnen.toml"
    bad.write_text("[[sources]]\ntype = 'ftp'\n")
    result = etl("run", "--data-dir", tmp_path, "--source", bad)
    assert result.returncode == 2 and "bronnen.toml" in result.stderr
