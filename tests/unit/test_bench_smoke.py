# SPDX-License-Identifier: EUPL-1.2
"""The national ETL benchmark at a tiny scale, so that it cannot rot (it measures, it is not timed).

Runs the real chain: generated CBS files, the child process that registers the synthetic
indicators and calls ``python -m etl run``, the figures and the report.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import shapely

from bench import national_etl
from bench.national_etl import LEVELS, Size, build_layout, run_benchmark
from etl.indicators import CATALOGUE

pytestmark = pytest.mark.unit

SCALE = 0.005
PHASES = {"plan", "extract", "reproject", "merge", "geometry", "write", "validate", "publish"}


def test_tiny_national_etl_builds_the_expected_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    size = Size.at(SCALE)
    figures = run_benchmark(scale=SCALE, out=tmp_path)

    years, per_year = len(size.years), size.areas_per_year
    counts = figures["counts"]
    assert figures["etl"]["exit_code"] == 0
    assert counts["areas"] == counts["area_geometry"] == years * per_year
    assert counts["areas_by_level"] == {
        "buurt": years * size.buurten,
        "gemeente": years * size.gemeenten,
        "wijk": years * size.wijken,
    }
    # Every cell becomes a figure: special values and empty cells get a status, not a number.
    assert counts["observations"] == years * per_year * size.indicators
    assert set(counts["observations_by_status"]) == {"ok", "missing", "suppressed"}
    # The warehouse holds the whole catalogue plus the registered synthetic indicators.
    assert size.indicators == 100
    assert counts["indicators"] == len(CATALOGUE) + size.synthetic_indicators
    # One map artefact per (year, level, gemeente).
    assert counts["geometries"] == years * len(LEVELS) * size.gemeenten
    assert set(figures["etl"]["phases"]) >= PHASES
    assert figures["etl"]["peak_rss_mb"] > 50
    assert counts["warehouse_bytes"] > 0

    saved = json.loads((tmp_path / "national_etl.json").read_text(encoding="utf-8"))
    assert saved["counts"]["observations"] == counts["observations"]
    printed = capsys.readouterr().out
    assert "total wall time" in printed
    assert "peak RSS" in printed

    live = tmp_path / "national_etl" / f"data-{SCALE:g}" / "buurtlens.duckdb"
    con = duckdb.connect(str(live), read_only=True)
    try:
        ids = {row[0] for row in con.execute("SELECT id FROM indicators").fetchall()}
        (decimal_comma_ok,) = con.execute(
            "SELECT count(*) FROM observations WHERE vintage = 2024 AND status = 'ok' "
            "AND value <> round(value)"
        ).fetchone() or (0,)
    finally:
        con.close()
    assert {"inwoners", "bench_indicator_023", "bench_indicator_100"} <= ids
    assert decimal_comma_ok > 0  # 2024 is written with decimal commas; they were read


def test_a_second_run_reuses_the_generated_sources(tmp_path: Path) -> None:
    size = Size.at(SCALE)
    first = national_etl.write_sources(tmp_path / "sources", size)
    again = national_etl.write_sources(tmp_path / "sources", size)
    assert first.seconds > 0
    assert again.seconds == 0.0
    assert again.files == first.files == len(size.years) * (1 + len(LEVELS))


def test_the_generated_buurten_tile_the_rectangle_with_shared_borders() -> None:
    layout = build_layout(Size.at(SCALE))
    buurten = layout.geometries[layout.of_level("buurt")]
    assert shapely.is_valid(layout.geometries).all()
    assert shapely.coverage_is_valid(buurten)
    vertices = shapely.get_num_coordinates(buurten)
    assert 20 <= vertices.mean() <= 60
    total = shapely.area(buurten).sum()
    for level in ("wijk", "gemeente"):
        assert shapely.area(layout.geometries[layout.of_level(level)]).sum() == pytest.approx(total)
