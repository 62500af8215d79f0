# SPDX-License-Identifier: EUPL-1.2
"""The data directory: atomic swap, versions kept, rollback, one run at a time."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from etl.model import EtlError
from etl.publish import DataDir, LockedError

pytestmark = pytest.mark.unit


def _build(dd: DataDir, version: str) -> Path:
    path = dd.build / f"{version}.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('data_version', ?)", [version])
    con.close()
    return path


def _live_version(dd: DataDir) -> str:
    con = duckdb.connect(str(dd.live), read_only=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        assert row is not None
        return str(row[0])
    finally:
        con.close()


def test_publish_swaps_live_file_atomically_and_keeps_versions(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    dd.ensure()
    for v in ("v1", "v2", "v3", "v4"):
        dd.publish(_build(dd, v), v, keep=2)
        assert _live_version(dd) == v
        assert dd.live_version() == v
    assert [p.stem for p in dd.version_files()] == ["v3", "v4"]
    assert list(dd.build.iterdir()) == []


def test_reader_keeps_working_on_old_version_during_swap(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    dd.ensure()
    dd.publish(_build(dd, "v1"), "v1", keep=1)
    reader = duckdb.connect(str(dd.live), read_only=True)
    old_inode = os.stat(dd.live).st_ino
    dd.publish(_build(dd, "v2"), "v2", keep=1)  # prunes v1's version file too
    assert os.stat(dd.live).st_ino != old_inode
    row = reader.execute("SELECT value FROM meta").fetchone()
    assert row == ("v1",)
    reader.close()
    assert _live_version(dd) == "v2"


def test_rollback_to_previous_and_named_version(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    dd.ensure()
    for v in ("20260101T000000Z-a", "20260102T000000Z-b", "20260103T000000Z-c"):
        dd.publish(_build(dd, v), v, keep=5)
    assert dd.rollback() == "20260102T000000Z-b"
    assert _live_version(dd) == "20260102T000000Z-b"
    assert dd.rollback("20260103T000000Z-c") == "20260103T000000Z-c"
    with pytest.raises(EtlError, match="not kept"):
        dd.rollback("nope")


def test_rollback_from_oldest_is_refused(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    dd.ensure()
    dd.publish(_build(dd, "v1"), "v1", keep=5)
    with pytest.raises(EtlError, match="oldest"):
        dd.rollback()


def test_second_run_is_locked_out(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    with dd.lock(), pytest.raises(LockedError, match="another ETL run"), dd.lock():
        pass
    with dd.lock():  # released again
        pass


def test_clean_build_removes_leftovers_of_killed_runs(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    dd.ensure()
    _build(dd, "half")
    (dd.build / "x.wal").write_text("junk")
    dd.clean_build()
    assert list(dd.build.iterdir()) == []


def test_run_log_survives_a_cut_line(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    dd.append_run({"run_id": "a", "status": "published"})
    with dd.run_log.open("a") as fh:
        fh.write('{"run_id": "b", "sta')  # killed mid-write
    dd.append_run({"run_id": "c", "status": "failed"})
    assert [r["run_id"] for r in dd.runs()] == ["a", "c"]
