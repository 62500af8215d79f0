# SPDX-License-Identifier: EUPL-1.2
"""``python -m etl run`` with a sources file naming online sources, served on 127.0.0.1.

The server (tests/fakes/cbs_server.py) answers in CBS's and PDOK's real formats, built from
the real files in ../shared/data. The ETL runs as a separate process, as in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.fakes.cbs_server import FakeCbsServer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def write_config(path: Path, server: FakeCbsServer, *, v4: bool = False) -> Path:
    kind = "cbs_odata_v4" if v4 else "cbs_odata_v3"
    base = server.odata_v4_url if v4 else server.odata_v3_feed_url
    path.write_text(
        f"""
[settings]
http_timeout = 2
http_retries = 2
http_backoff = 0.05

[[sources]]
name = "kerncijfers"
type = "{kind}"
years = [2024]
gemeenten = ["GM0392", "GM0400"]
base_url = "{base}"

[[sources]]
name = "grenzen"
type = "pdok_ogc"
years = [2024]
collections = ["gemeenten", "wijken"]
gemeenten = ["GM0392", "GM0400"]
base_url = "{server.pdok_url_template}"
""",
        encoding="utf-8",
    )
    return path


def etl(data_dir: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", "run", "--data-dir", str(data_dir), "--source", str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )


def rows(data_dir: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "buurtlens.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("v4", [False, True], ids=["odata_v3", "odata_v4"])
def test_online_sources_build_the_warehouse(
    cbs_server: FakeCbsServer, tmp_path: Path, v4: bool
) -> None:
    config = write_config(tmp_path / "bronnen.toml", cbs_server, v4=v4)
    result = etl(tmp_path / "data", config)
    assert result.returncode == 0, result.stderr
    inwoners = dict(
        rows(
            tmp_path / "data",
            "SELECT area_code, value FROM observations WHERE indicator_id = 'inwoners' "
            "AND area_code IN ('GM0392', 'GM0400')",
        )
    )
    assert inwoners == {"GM0392": 167_636, "GM0400": 56_432}
    levels = dict(rows(tmp_path / "data", "SELECT level, count(*) FROM areas GROUP BY level"))
    assert levels == {"gemeente": 2, "wijk": 29}
    maps = rows(tmp_path / "data", "SELECT count(*) FROM geometries WHERE level = 'wijk'")
    assert maps == [(2,)]
    # Lineage: every online response series is checksummed in the run log.
    sources = rows(tmp_path / "data", "SELECT source, file, checksum FROM run_sources")
    assert {s for s, _, _ in sources} == {"kerncijfers", "grenzen"}
    assert all(f.startswith("http://127.0.0.1") and c.startswith("sha256:") for _, f, c in sources)


def test_server_errors_are_retried_then_fail_cleanly(
    cbs_server: FakeCbsServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "bronnen.toml", cbs_server)
    data_dir = tmp_path / "data"
    assert etl(data_dir, config).returncode == 0
    live = data_dir / "buurtlens.duckdb"
    before = (os.stat(live).st_ino, live.read_bytes())

    cbs_server.fail(2, status=500)  # fewer than the retries allow: recovers
    recovered = etl(data_dir, config)
    assert recovered.returncode == 0, recovered.stderr
    assert "unchanged" in recovered.stdout

    cbs_server.fail(100, status=500)
    failed = etl(data_dir, config)
    assert failed.returncode == 1
    assert "500" in failed.stderr and "127.0.0.1" in failed.stderr
    assert "kerncijfers" in failed.stderr
    assert (os.stat(live).st_ino, live.read_bytes()) == before
    last = json.loads((data_dir / "log" / "runs.jsonl").read_text().splitlines()[-1])
    assert last["status"] == "failed" and "500" in last["message"]


def test_a_hanging_server_times_out(cbs_server: FakeCbsServer, tmp_path: Path) -> None:
    config = write_config(tmp_path / "bronnen.toml", cbs_server)
    cbs_server.hang(100, seconds=4)
    result = etl(tmp_path / "data", config)
    assert result.returncode == 1
    assert "timed out" in result.stderr.lower() or "timeout" in result.stderr.lower()
    assert not (tmp_path / "data" / "buurtlens.duckdb").exists()
