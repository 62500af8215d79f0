# SPDX-License-Identifier: EUPL-1.2
"""data.profiles and the queries of data.series on a factory-built warehouse."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data import profiles, series
from data.profiles import Rank, rank_of
from data.queries import InvalidParameter, UnknownVintage
from data.series import UnknownArea
from data.warehouse import Warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return Warehouse(factory.publish(tmp_path_factory.mktemp("wh"), data_version="p-v1"))


# --- rank (pure) ---------------------------------------------------------------------------


def test_rank_highest_first_ties_share_the_best_position() -> None:
    sib = pd.DataFrame(
        {
            "area_code": ["A", "B", "C", "D", "E"],
            "value": [5.0, 9.0, 5.0, None, 1.0],
            "status": ["ok", "ok", "ok", "suppressed", "ok"],
        }
    )
    assert rank_of(sib, "B") == Rank(1, 4, 5)
    assert rank_of(sib, "A") == Rank(2, 4, 5)
    assert rank_of(sib, "C") == Rank(2, 4, 5)
    assert rank_of(sib, "E") == Rank(4, 4, 5)


def test_rank_of_a_suppressed_area_is_none() -> None:
    sib = pd.DataFrame(
        {"area_code": ["A", "B"], "value": [None, 3.0], "status": ["suppressed", "ok"]}
    )
    assert rank_of(sib, "A") is None
    assert rank_of(sib, "Z") is None


# --- resolving -----------------------------------------------------------------------------


def test_resolve_defaults_to_the_newest_vintage_with_figures(wh: Warehouse) -> None:
    area = profiles.resolve_area("WK039201", warehouse=wh)
    assert (area.vintage, area.name, area.level) == (2024, "Binnenstad", "wijk")
    assert (area.gemeente_code, area.gemeente_name) == ("GM0392", "Haarlem")
    assert area.vintages == (2023, 2024)


def test_resolve_a_given_year_is_that_year_s_area(wh: Warehouse) -> None:
    area = profiles.resolve_area("wk039201", "2023", warehouse=wh)
    assert (area.code, area.vintage, area.name) == ("WK039201", 2023, "Centrum")


def test_resolve_buurt_names_its_wijk(wh: Warehouse) -> None:
    area = profiles.resolve_area(factory.SUPPRESSED_BUURT, warehouse=wh)
    assert (area.parent_code, area.parent_name) == ("WK039202", "Noord")


@pytest.mark.parametrize(
    ("code", "year", "error"),
    [
        ("WK039299", None, UnknownArea),
        ("WK039201", "2019", UnknownVintage),
        ("WK039401", "2023", UnknownVintage),  # Haarlemmermeer is only in 2024
        ("Binnenstad", None, InvalidParameter),
        ("WK039201", "twintig", InvalidParameter),
    ],
)
def test_resolve_errors(wh: Warehouse, code: str, year: str | None, error: type) -> None:
    with pytest.raises(error):
        profiles.resolve_area(code, year, warehouse=wh)


# --- segments from the warehouse -------------------------------------------------------


def test_reused_factory_code_is_two_segments(wh: Warehouse) -> None:
    segs = series.area_segments(factory.REUSED_WIJK, warehouse=wh)
    assert [(s.vintages, s.name) for s in segs] == [((2023,), "Centrum"), ((2024,), "Binnenstad")]


def test_gemeente_is_one_segment(wh: Warehouse) -> None:
    segs = series.area_segments("GM0392", warehouse=wh)
    assert [s.vintages for s in segs] == [(2023, 2024)]


def test_trend_lines_split_the_reused_code_and_add_the_gemeente(wh: Warehouse) -> None:
    lines = series.trend_lines("inwoners", [factory.REUSED_WIJK], warehouse=wh)
    described = [
        (ln.role, ln.series.code, ln.series.segment.vintages, ln.current, ln.level) for ln in lines
    ]
    assert described == [
        ("area", "WK039201", (2023,), False, "wijk"),
        ("area", "WK039201", (2024,), True, "wijk"),
        ("gemeente", "GM0392", (2023, 2024), True, "gemeente"),
    ]
    old, new, gemeente = lines
    assert [(p.period, p.value) for p in old.series.points] == [("2023", 52_000.0)]
    # The 2024 division's own 2023 figure (11,000) belongs to Binnenstad, not to Centrum.
    assert [(p.period, p.value) for p in new.series.points] == [
        ("2023", 11_000.0),
        ("2024", 12_000.0),
    ]
    assert [p.value for p in gemeente.series.points] == [161_000.0, 162_000.0]


def test_trend_lines_keep_suppressed_points_as_gaps(wh: Warehouse) -> None:
    (line, _gm) = series.trend_lines("inwoners", [factory.SUPPRESSED_BUURT], warehouse=wh)
    point = line.series.points[-1]
    assert (point.value, point.status, point.reason) == (
        None,
        "suppressed",
        factory.SUPPRESSED_REASON,
    )


def test_trend_lines_unknown_code(wh: Warehouse) -> None:
    with pytest.raises(UnknownArea):
        series.trend_lines("inwoners", ["WK039299"], warehouse=wh)


def test_internal_indicators_never_appear(wh: Warehouse) -> None:
    obs = series.observations(["WK039201"], warehouse=wh)
    assert factory.INTERNAL_INDICATOR not in set(obs["indicator_id"])


def test_codes_in_gemeente_uses_the_newest_name(wh: Warehouse) -> None:
    frame = series.codes_in_gemeente("GM0392", warehouse=wh)
    names = dict(zip(frame["code"], frame["name"], strict=True))
    assert names["WK039201"] == "Binnenstad"
    assert frame["code"].iloc[0] == "GM0392"


# --- key figures and profile ------------------------------------------------------------


def test_key_figures_beside_the_gemeente_with_rank(wh: Warehouse) -> None:
    area = profiles.resolve_area("WK039201", warehouse=wh)
    figures = profiles.key_figures(area, warehouse=wh).set_index("indicator_id")
    row = figures.loc["inwoners"]
    assert (row["period"], row["value"], row["gm_value"]) == ("2024", 12_000.0, 162_000.0)
    assert (row["rank"], row["rank_of"], row["rank_total"]) == (3, 3, 3)
    assert factory.INTERNAL_INDICATOR not in figures.index
    assert figures["nl_status"].isna().all()  # no national figures in the factory


def test_key_figures_of_a_suppressed_buurt_have_no_value_and_no_rank(wh: Warehouse) -> None:
    area = profiles.resolve_area(factory.SUPPRESSED_BUURT, warehouse=wh)
    row = profiles.key_figures(area, warehouse=wh).set_index("indicator_id").loc["inwoners"]
    assert row["status"] == "suppressed" and math.isnan(row["value"])
    assert row["reason"] == factory.SUPPRESSED_REASON
    assert pd.isna(row["rank"])


def test_siblings_rank_ignores_the_suppressed_buurt(wh: Warehouse) -> None:
    area = profiles.resolve_area("BU03920101", warehouse=wh)
    row = profiles.key_figures(area, warehouse=wh).set_index("indicator_id").loc["inwoners"]
    # Five of the six Haarlem buurten have a published figure; Stationsbuurt is smallest.
    assert (row["rank"], row["rank_of"], row["rank_total"]) == (5, 5, 6)


def test_national_figure_shown_only_when_present(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = factory.build_warehouse(tmp_path_factory.mktemp("nl") / "buurtlens.duckdb")
    con = duckdb.connect(str(path))
    con.execute(
        "INSERT INTO observations VALUES ('NL00', 2024, '2024', 'aandeel_65_plus', 20.0, "
        "'ok', NULL, 'test')"
    )
    con.close()
    prof = profiles.profile("WK039201", warehouse=Warehouse(path))
    assert prof.has_national
    row = prof.figures.set_index("indicator_id").loc["aandeel_65_plus"]
    assert row["nl_value"] == 20.0


def test_profile_of_a_wijk(wh: Warehouse) -> None:
    prof = profiles.profile("WK039201", warehouse=wh)
    assert prof.segment.vintages == (2024,)
    assert prof.segment.break_before is not None
    assert [c for c in prof.children["code"]] == ["BU03920101", "BU03920102"]
    assert prof.children.set_index("code").loc["BU03920101", "inwoners"] == 4_200.0
    # inwoners has two published periods (2023, 2024) within the 2024 division
    assert [t.indicator.id for t in prof.trends] == ["inwoners"]
    trend = prof.trends[0]
    assert trend.gemeente is not None
    assert [s.vintages for s in trend.other_segments] == [(2023,)]
    assert not prof.has_national


def test_profile_of_a_gemeente_has_no_self_comparison(wh: Warehouse) -> None:
    prof = profiles.profile("GM0392", warehouse=wh)
    assert prof.figures["gm_status"].isna().all()
    assert prof.figures["rank"].isna().all()
    assert list(prof.children["code"]) == ["WK039201", "WK039202", "WK039203"]
    assert [t.indicator.id for t in prof.trends] == ["inwoners"]
    assert prof.trends[0].gemeente is None


def test_new_data_modules_stay_dash_free(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import data.series, data.profiles, data.texts, data.compare\n"
        "bad = sorted(m for m in sys.modules if m == 'dash' or m.startswith(('dash.', 'flask')))\n"
        "assert not bad, bad\n"
        "assert data.warehouse._default is None, 'a warehouse was opened at import'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
