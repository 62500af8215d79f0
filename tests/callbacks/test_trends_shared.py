# SPDX-License-Identifier: EUPL-1.2
"""Trends and profiles on a warehouse built by the real ETL from ../shared/data.

Den Helder is the easy case (same wijk codes and names 2014-2024), Haarlem the hard one
(re-division in 2016: WK039202 is "Wijk 02 Spoorbaan Leiden" until 2015 and
"Haarlemmerhoutkwartier" from 2016; it must be two series, never one).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from dash import dcc

from data import profiles, series
from data.settings import get_settings
from data.warehouse import Warehouse, set_warehouse

pytestmark = pytest.mark.callbacks

REPO = Path(__file__).resolve().parents[2]
SOURCES = (
    "cbs_wijkbuurtkaart_2015_tnocs",
    "cbs_kwb_2024_85984NED",
    "cbs_gebiedsindelingen_cartomap",
    "cbs_wijken_2016_elan",
    "cbs_gebiedsindelingen_2014_ties",
)


@pytest.fixture(scope="module")
def data_dir(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("shared-warehouse")
    args = [sys.executable, "-m", "etl", "run", "--data-dir", str(path)]
    for name in SOURCES:
        args += ["--source", str(shared_data / name)]
    result = subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUURTLENS_DATA_DIR", str(path))
        get_settings.cache_clear()
        set_warehouse(None)
        yield path
    get_settings.cache_clear()
    set_warehouse(None)


@pytest.fixture
def wh(data_dir: Path) -> Warehouse:
    warehouse = Warehouse(data_dir / "buurtlens.duckdb")
    set_warehouse(warehouse)
    return warehouse


@pytest.fixture
def pages(wh: Warehouse) -> dict[str, ModuleType]:
    importlib.import_module("app")  # registers the pages once per process
    return {name: sys.modules[f"pages.{name}"] for name in ("trends", "gebied")}


def lines_by_name(lines: list[series.TrendLine]) -> dict[str, list[tuple[str, float | None]]]:
    return {
        f"{ln.series.code} {ln.series.name}": [(p.period, p.value) for p in ln.series.points]
        for ln in lines
    }


def test_den_helder_wijken_are_joined_2015_to_2024(wh: Warehouse) -> None:
    codes = [f"WK04000{i}" for i in range(1, 9)]
    lines = series.trend_lines("inwoners", codes, warehouse=wh)
    areas = [ln for ln in lines if ln.role == "area"]
    assert len(areas) == 8  # one line per wijk: nothing split
    assert all([p.period for p in ln.series.points] == ["2015", "2024"] for ln in areas)
    first = next(ln for ln in areas if ln.series.code == "WK040001")
    assert [p.value for p in first.series.points] == [8_990.0, 9_180.0]
    (gemeente,) = [ln for ln in lines if ln.role == "gemeente"]
    assert [p.value for p in gemeente.series.points] == [56_483.0, 56_432.0]


def test_haarlem_wk039202_is_two_series(wh: Warehouse) -> None:
    lines = series.trend_lines("inwoners", ["WK039202"], warehouse=wh)
    assert lines_by_name(lines) == {
        "WK039202 Wijk 02 Spoorbaan Leiden": [("2015", 15_595.0)],
        "WK039202 Haarlemmerhoutkwartier": [("2024", 13_090.0)],
        "GM0392 Haarlem": [("2015", 156_645.0), ("2024", 167_636.0)],
    }
    new = next(ln for ln in lines if ln.series.name == "Haarlemmerhoutkwartier")
    brk = new.series.segment.break_before
    assert brk is not None and (brk.vintage, brk.reason) == (2016, "name")


def test_haarlem_oude_stad_is_joined_across_the_name_prefix(wh: Warehouse) -> None:
    # "Wijk 01 Oude stad" (2015) and "Oude Stad" (2016, 2024), 163 and 162 ha according to
    # CBS: the same wijk, through the 2016 re-division of the others.
    (line, _gm) = series.trend_lines("inwoners", ["WK039201"], warehouse=wh)
    assert [(p.period, p.value) for p in line.series.points] == [
        ("2015", 13_375.0),
        ("2024", 14_745.0),
    ]


def test_trends_page_draws_wk039202_as_two_traces(pages: dict[str, ModuleType]) -> None:
    trends = pages["trends"]
    page = trends.layout(indicator="inwoners", gebieden="WK039202,WK040001", weergave="waarden")
    graph = next(
        c
        for c in _walk(page)
        if isinstance(c, dcc.Graph) and getattr(c, "id", None) == trends.ids.GRAPH
    )
    names = [tr.name for tr in graph.figure.data]
    assert names == [
        "Wijk 02 Spoorbaan Leiden (WK039202, 2014–2015)",
        "Haarlemmerhoutkwartier (WK039202, vanaf 2016)",
        "Wijk 01 Stad binnen de Linie-Oost",
        "Haarlem (gemeente)",
        "Den Helder (gemeente)",
    ]
    assert [s.x0 for s in graph.figure.layout.shapes] == [2015.5]


def test_profile_small_multiples_of_den_helder(pages: dict[str, ModuleType], wh: Warehouse) -> None:
    prof = profiles.profile("WK040001", warehouse=wh)
    assert prof.segment.vintages == (2014, 2015, 2016, 2024)
    trend = next(t for t in prof.trends if t.indicator.id == "inwoners")
    assert [p.value for p in trend.area.ok_points] == [8_990.0, 9_180.0]
    assert trend.gemeente is not None
    page = pages["gebied"].layout(code="WK040001")
    ids = [getattr(c, "id", None) for c in _walk(page)]
    assert "grafiek-inwoners" in ids


def test_profile_of_haarlemmerhoutkwartier_warns_and_does_not_join(
    pages: dict[str, ModuleType], wh: Warehouse
) -> None:
    prof = profiles.profile("WK039202", warehouse=wh)
    assert prof.segment.vintages == (2016, 2024)
    assert prof.trends == ()  # one year of figures for this area: no trend yet
    text = _text(pages["gebied"].layout(code="WK039202"))
    assert "tot 2016 hoorde code WK039202 bij een ander gebied (Wijk 02 Spoorbaan Leiden)" in text


def _walk(component: object) -> Iterator[object]:
    yield component
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str):
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _walk(child)


def _text(component: object) -> str:
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return " ".join(_text(c) for c in children if c is not None)
    return _text(children)
