# SPDX-License-Identifier: EUPL-1.2
"""data.about: catalogue coverage, runs and disclosure statistics for the /over page."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from data import about
from data.warehouse import Warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.unit


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    factory.publish(tmp_path, data_version="about-v1")
    return Warehouse(tmp_path / "buurtlens.duckdb")


def test_catalogue_lists_public_indicators_with_their_coverage(warehouse: Warehouse) -> None:
    catalogue = about.catalogue(warehouse=warehouse)
    ids = [i.id for i in catalogue]
    assert factory.INTERNAL_INDICATOR not in ids
    inwoners = next(i for i in catalogue if i.id == "inwoners")
    assert inwoners.licence and inwoners.source and inwoners.definition_nl
    levels = {c.level: c for c in inwoners.coverage}
    assert list(levels) == ["gemeente", "wijk", "buurt"]
    assert (levels["buurt"].first_period, levels["buurt"].last_period) == ("2023", "2024")
    assert levels["buurt"].suppressed == 1
    unused = [i for i in catalogue if not i.coverage]
    assert unused, "indicators without figures are listed too"


def test_runs_show_counts_and_file_names_only(warehouse: Warehouse) -> None:
    (run,) = about.recent_runs(warehouse=warehouse)
    assert run.run_id == "run-about-v1" and run.status == "published"
    assert run.data_version == "about-v1"
    assert run.started_at is not None and run.finished_at is not None
    assert [s.file for s in run.sources] == ["factory.py"]
    assert about.meta(warehouse=warehouse)["data_version"] == "about-v1"


def test_no_disclosure_audit_recorded(warehouse: Warehouse) -> None:
    assert about.disclosure_stats(warehouse=warehouse) is None


def test_disclosure_audit_from_the_meta_summary(tmp_path: Path) -> None:
    path = factory.build_warehouse(tmp_path / "buurtlens.duckdb")
    summary = {
        "ok": True,
        "hidden": 12,
        "secondary": 3,
        "indicators": {"meldingen": {"hidden": {"too_small": 9, "secondary": 3}, "secondary": 3}},
    }
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO meta VALUES ('disclosure_audit', ?)", [json.dumps(summary)])
    con.close()
    stats = about.disclosure_stats(warehouse=Warehouse(path))
    assert stats is not None
    assert (stats.ok, stats.hidden, stats.secondary) == (True, 12, 3)
    assert stats.per_indicator == {"meldingen": {"hidden": 12, "secondary": 3}}


def test_disclosure_audit_from_a_table(tmp_path: Path) -> None:
    path = factory.build_warehouse(tmp_path / "buurtlens.duckdb")
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE disclosure_audit AS SELECT * FROM (VALUES ('inwoners', 'cbs', 4, 1)) "
        "t(indicator_id, rule, hidden_total, secondary)"
    )
    con.close()
    stats = about.disclosure_stats(warehouse=Warehouse(path))
    assert stats is not None and stats.hidden == 4 and stats.secondary == 1
