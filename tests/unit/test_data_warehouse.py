# SPDX-License-Identifier: EUPL-1.2
"""data.warehouse: read-only access, reopening after a swap, allow-listed identifiers."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import duckdb
import pytest

from data.warehouse import (
    QueryFailed,
    SchemaVersionMismatch,
    UnknownIdentifier,
    Warehouse,
    WarehouseUnavailable,
    quote_identifier,
)
from tests.warehouse_factory import HAARLEM, build_warehouse, publish

pytestmark = pytest.mark.unit


class FakeClock:
    """A monotonic clock the test moves by hand, so swap detection is deterministic."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def live(tmp_path: Path) -> Path:
    return publish(tmp_path, data_version="v1")


def test_missing_file_is_unavailable_and_names_it(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "buurtlens.duckdb")
    with pytest.raises(WarehouseUnavailable, match=r"buurtlens\.duckdb does not exist") as info:
        wh.data_version()
    assert info.value.reason == "missing"


def test_wrong_schema_version_is_refused(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "buurtlens.duckdb", schema_version=999)
    with pytest.raises(SchemaVersionMismatch, match="schema_version='999'") as info:
        Warehouse(path).info()
    assert info.value.reason == "schema_version"


def test_not_a_warehouse_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "buurtlens.duckdb"
    path.write_bytes(b"not a database")
    with pytest.raises(WarehouseUnavailable) as info:
        Warehouse(path).info()
    assert info.value.reason == "unreadable"


def test_opens_lazily_and_reads_meta(live: Path) -> None:
    wh = Warehouse(live)
    assert wh._handle is None  # nothing opened by the constructor
    info = wh.info()
    assert (info.data_version, info.schema_version) == ("v1", "1")
    assert info.built_at is not None
    assert "area_geometry" not in info.columns  # not a public table
    assert {"code", "vintage", "level"} <= info.columns["areas"]


def test_connection_is_read_only_and_sandboxed(live: Path) -> None:
    wh = Warehouse(live)
    with wh.cursor() as cur:
        with pytest.raises(QueryFailed, match=r"read-only|Cannot execute"):
            cur.rows("DELETE FROM areas")
        with pytest.raises(QueryFailed, match=r"disabled by config|Permission"):
            cur.rows("SELECT * FROM read_csv('/etc/hostname')")
        with pytest.raises(QueryFailed):
            cur.rows("SET enable_external_access = true")
    assert len(wh.query("SELECT * FROM areas").frame) > 0


def test_query_returns_dataframe_with_data_version(live: Path) -> None:
    result = Warehouse(live).query(
        "SELECT code, name FROM areas WHERE vintage = ? AND code = ?", [2024, HAARLEM]
    )
    assert result.data_version == "v1"
    assert result.frame.to_dict("records") == [{"code": HAARLEM, "name": "Haarlem"}]


def test_driver_errors_are_chained(live: Path) -> None:
    with pytest.raises(QueryFailed, match="data_version=v1") as info:
        Warehouse(live).query("SELECT nope FROM areas")
    assert isinstance(info.value.__cause__, duckdb.Error)


def test_reopens_after_swap_within_the_check_interval(tmp_path: Path, live: Path) -> None:
    clock = FakeClock()
    wh = Warehouse(live, check_interval=1.0, clock=clock)
    assert wh.data_version() == "v1"
    publish(tmp_path, data_version="v2", scale=2.0)
    # Before the interval has passed the open file keeps serving, without a stat.
    clock.advance(0.5)
    assert wh.data_version() == "v1"
    clock.advance(0.6)
    assert wh.data_version() == "v2"
    frame = wh.query(
        "SELECT value FROM observations WHERE area_code = ? AND vintage = 2024 "
        "AND indicator_id = 'inwoners'",
        [HAARLEM],
    ).frame
    assert frame["value"].iloc[0] == 2 * 162_000


def test_reopens_after_swap_with_the_real_clock(tmp_path: Path, live: Path) -> None:
    wh = Warehouse(live, check_interval=0.05)
    assert wh.data_version() == "v1"
    publish(tmp_path, data_version="v2")
    time.sleep(0.1)
    assert wh.data_version() == "v2"
    assert wh.query("SELECT count(*) AS n FROM areas").data_version == "v2"


def test_in_flight_cursor_finishes_on_the_old_file(tmp_path: Path, live: Path) -> None:
    clock = FakeClock()
    wh = Warehouse(live, clock=clock)
    with wh.cursor() as old:
        assert old.data_version == "v1"
        publish(tmp_path, data_version="v2")
        clock.advance(2)
        assert wh.data_version() == "v2"  # new requests see the new file...
        rows = old.rows("SELECT value FROM meta WHERE key = 'data_version'")
        assert rows == [("v1",)]  # ...while the old request completes on the unlinked one


def test_refused_swap_keeps_serving_the_open_file(
    tmp_path: Path, live: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    wh = Warehouse(live, clock=clock)
    assert wh.data_version() == "v1"
    publish(tmp_path, data_version="v9", schema_version=999)
    clock.advance(2)
    with caplog.at_level(logging.ERROR, logger="data.warehouse"):
        assert wh.data_version() == "v1"
        clock.advance(2)
        assert wh.data_version() == "v1"
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1  # logged once, not every second
    publish(tmp_path, data_version="v3")
    clock.advance(2)
    assert wh.data_version() == "v3"


def test_live_file_removed_keeps_serving(live: Path) -> None:
    clock = FakeClock()
    wh = Warehouse(live, clock=clock)
    assert wh.data_version() == "v1"
    os.unlink(live)
    clock.advance(2)
    assert wh.data_version() == "v1"


def test_concurrent_requests_during_swaps(tmp_path: Path, live: Path) -> None:
    wh = Warehouse(live, check_interval=0.01)
    errors: list[BaseException] = []
    seen: set[str] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                with wh.cursor() as cur:
                    (version,) = cur.rows("SELECT value FROM meta WHERE key = 'data_version'")[0]
                    assert version == cur.data_version
                    seen.add(str(version))
            except BaseException as e:  # collected and asserted on below
                errors.append(e)
                return

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(2, 6):
        publish(tmp_path, data_version=f"v{i}")
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert "v5" in seen


def test_identifiers_outside_the_allow_list_are_rejected(live: Path) -> None:
    wh = Warehouse(live)
    with pytest.raises(UnknownIdentifier, match="area_geometry"):
        wh.select("area_geometry")
    with pytest.raises(UnknownIdentifier, match="code; DROP TABLE areas"):
        wh.select("areas", ["code; DROP TABLE areas"])
    with pytest.raises(UnknownIdentifier):
        wh.select("areas", ["code"], where={"1=1 OR code": "x"})
    with pytest.raises(UnknownIdentifier):
        wh.select("areas", ["code"], order_by=["random()"])
    with pytest.raises(UnknownIdentifier):
        wh.columns("pg_catalog.pg_tables")
    with pytest.raises(UnknownIdentifier):
        quote_identifier('code"', {"code"})


def test_select_with_allowed_identifiers(live: Path) -> None:
    wh = Warehouse(live)
    result = wh.select(
        "areas", ["code", "name"], where={"vintage": 2023, "level": "wijk"}, order_by=["code"]
    )
    assert result.frame.to_dict("records") == [
        {"code": "WK039201", "name": "Centrum"},
        {"code": "WK039202", "name": "Zuid-West"},
    ]
    meta = wh.select("meta", ["key", "value"], where={"key": "data_version"})
    assert meta.frame["value"].tolist() == ["v1"]
