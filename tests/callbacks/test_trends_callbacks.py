# SPDX-License-Identifier: EUPL-1.2
"""The trends page (/trends): layout and callbacks, called directly on a factory-built
warehouse."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from dash import dcc, no_update

from data.settings import get_settings
from data.warehouse import Warehouse, set_warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.callbacks


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("trends-data")
    factory.publish(path, data_version="trends-v1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUURTLENS_DATA_DIR", str(path))
        mp.delenv("BUURTLENS_DEFAULT_INDICATOR", raising=False)
        get_settings.cache_clear()
        set_warehouse(None)
        yield path
    get_settings.cache_clear()
    set_warehouse(None)


@pytest.fixture
def trends(data_dir: Path) -> ModuleType:
    importlib.import_module("app")  # registers the pages once per process
    set_warehouse(Warehouse(data_dir / "buurtlens.duckdb"))
    return sys.modules["pages.trends"]


def walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str):
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from walk(child)


def find(component: Any, component_id: str) -> Any:
    return next((c for c in walk(component) if getattr(c, "id", None) == component_id), None)


def text_of(component: Any) -> str:
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return " ".join(text_of(c) for c in children if c is not None)
    return text_of(children)


def graph_of(component: Any) -> Any:
    return next(c for c in walk(component) if isinstance(c, dcc.Graph))


def test_reused_code_is_two_lines_with_a_break(trends: ModuleType) -> None:
    page = trends.layout(indicator="inwoners", gebieden=factory.REUSED_WIJK, weergave="waarden")
    figure = graph_of(find(page, trends.ids.CHART)).figure
    names = [tr.name for tr in figure.data]
    assert names == [
        "Centrum (WK039201, 2023)",
        "Binnenstad (WK039201, vanaf 2024)",
        "Haarlem (gemeente)",
    ]
    centrum, binnenstad, haarlem = figure.data
    assert (list(centrum.x), list(centrum.y)) == ([2023.0], [52_000.0])
    assert (list(binnenstad.x), list(binnenstad.y)) == ([2023.0, 2024.0], [11_000.0, 12_000.0])
    assert centrum.line.dash == "dot" and binnenstad.line.dash == "solid"
    assert haarlem.line.dash == "dash"
    # the vertical break line between the divisions
    assert [s.x0 for s in figure.layout.shapes] == [2023.5]
    text = text_of(page)
    assert "Let op: tot 2024 hoorde code WK039201 bij een ander gebied (Centrum)." in text


def test_counts_default_to_an_index(trends: ModuleType) -> None:
    page = trends.layout(indicator="inwoners", gebieden="WK039202,WK039203")
    figure = graph_of(find(page, trends.ids.CHART)).figure
    assert find(page, trends.ids.MODE).value == "index"
    assert all(tr.y[0] == 100.0 for tr in figure.data if len(tr.y))
    # the table alternative keeps the real figures
    assert "41.500" in text_of(find(page, trends.ids.CHART))


def test_suppressed_point_is_a_gap_with_its_reason_in_the_table(trends: ModuleType) -> None:
    page = trends.layout(
        indicator="inwoners", gebieden=factory.SUPPRESSED_BUURT, weergave="waarden"
    )
    chart = find(page, trends.ids.CHART)
    trace = graph_of(chart).figure.data[0]
    assert list(trace.y) == [None]
    assert factory.SUPPRESSED_REASON in text_of(chart)


def test_chart_tools_link_to_the_api(trends: ModuleType) -> None:
    page = trends.layout(indicator="inwoners", gebieden="WK039202")
    hrefs = [getattr(c, "href", None) for c in walk(page)]
    assert "/api/v1/values?indicator=inwoners&level=wijk&year=all&gemeente=GM0392" in hrefs
    assert (
        "/api/v1/values?indicator=inwoners&level=wijk&year=all&gemeente=GM0392&format=csv" in hrefs
    )


def test_default_view(trends: ModuleType) -> None:
    page = trends.layout()
    assert find(page, trends.ids.INDICATOR).value == "inwoners"
    assert find(page, trends.ids.AREAS).value == ["WK039201", "WK039202"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"indicator": "weg"}, "De indicator ‘weg’ kennen we niet."),
        ({"gebieden": "WK039299"}, "Niet alle gebieden bestaan"),
        ({"gebieden": "Haarlem"}, "geen geldige code"),
        ({"gebieden": ",".join(f"WK03920{i}" for i in range(1, 10))}, "hoogstens 8"),
        ({"indicator": ["a", "b"]}, "meer dan eens"),
    ],
)
def test_wrong_url_is_a_friendly_message(
    trends: ModuleType, query: dict[str, Any], expected: str
) -> None:
    page = trends.layout(**query)
    assert expected in text_of(page)
    assert trends.http_status(**query) == 404


def test_update_chart_follows_the_controls_and_the_url(trends: ModuleType) -> None:
    chart, search, message = trends.update_chart(
        "aandeel_65_plus", ["WK039202", "WK039203"], "waarden", "nl"
    )
    assert search == "?indicator=aandeel_65_plus&gebieden=WK039202,WK039203&weergave=waarden"
    assert message is None
    figure = graph_of(chart).figure
    assert [tr.name for tr in figure.data][:2] == [
        "Noord (WK039202, vanaf 2024)",
        "Zuid",
    ]


def test_update_chart_without_areas_keeps_the_chart(trends: ModuleType) -> None:
    chart, search, message = trends.update_chart("inwoners", [], "index", "en")
    assert (chart, search) == (no_update, no_update)
    assert message == "Choose at least one area."


def test_area_options_per_gemeente(trends: ModuleType) -> None:
    options = trends.update_area_options("GM0394", ["WK039201"], "nl")
    values = [o["value"] for o in options]
    assert values[:3] == ["GM0394", "WK039401", "WK039402"]
    assert "WK039201" in values  # a chosen area stays selectable
    assert trends.update_area_options("nonsense", [], "nl") is no_update
