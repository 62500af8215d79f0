# SPDX-License-Identifier: EUPL-1.2
"""The area profile page (/gebied/<code>): layout and callbacks, called directly on a
factory-built warehouse."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from dash import dcc
from dash.exceptions import PreventUpdate

from data.settings import get_settings
from data.warehouse import Warehouse, set_warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.callbacks


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("gebied-data")
    factory.publish(path, data_version="gebied-v1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUURTLENS_DATA_DIR", str(path))
        get_settings.cache_clear()
        set_warehouse(None)
        yield path
    get_settings.cache_clear()
    set_warehouse(None)


@pytest.fixture
def gebied(data_dir: Path) -> ModuleType:
    importlib.import_module("app")  # registers the pages once per process
    set_warehouse(Warehouse(data_dir / "buurtlens.duckdb"))
    return sys.modules["pages.gebied"]


def walk(component: Any) -> Iterator[Any]:
    """Every component in a layout tree, depth first."""
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


def links(component: Any) -> dict[str, str]:
    return {text_of(c): c.href for c in walk(component) if isinstance(c, dcc.Link)}


def test_profile_of_a_wijk(gebied: ModuleType) -> None:
    page = gebied.layout(code="WK039201")
    text = text_of(page)
    assert "Binnenstad" in text and "Wijk in Haarlem · gebiedsindeling 2024" in text
    # key figures beside the gemeente, with rank
    figures = find(page, gebied.ids.FIGURES)
    assert "12.000" in text_of(figures) and "162.000" in text_of(figures)
    assert "3e van 3 wijken" in text_of(figures)
    # child buurten, linked to their own profile in the same year
    assert links(find(page, gebied.ids.CHILDREN))["Stationsbuurt"] == "/gebied/BU03920101?jaar=2024"
    # the old area under this code is named, linked, and not joined
    assert "Let op: in 2023 hoorde code WK039201 bij een ander gebied" in text
    assert links(page)["Centrum"] == "/gebied/WK039201?jaar=2023"
    # locator map on the cached geometry artefact
    graph = find(page, gebied.ids.MAP)
    trace = graph.figure.data[0]
    assert trace.type == "choroplethmap"
    assert trace.geojson.startswith("/geo/2024/wijk/GM0392.geojson?v=")
    assert list(trace.z) == [1, 0, 0]
    # one small multiple (inwoners: 2023 and 2024 of the 2024 division) with the tools
    chart = find(page, gebied.ids.chart("inwoners"))
    assert chart is not None
    assert "/api/v1/values?indicator=inwoners&level=wijk&year=all&gemeente=GM0392" in [
        getattr(c, "href", None) for c in walk(chart)
    ]
    assert "Tabel" in text_of(chart)


def test_suppressed_buurt_shows_the_reason_and_no_rank(gebied: ModuleType) -> None:
    page = gebied.layout(code=factory.SUPPRESSED_BUURT)
    figures = text_of(find(page, gebied.ids.FIGURES))
    assert factory.SUPPRESSED_REASON in figures
    row = find(page, gebied.ids.figure_row("inwoners"))
    assert text_of(row).split()[-1] == "–"  # no rank from a hidden figure
    assert "Dietsveld" in text_of(page)


def test_highlights_link_to_their_chart(gebied: ModuleType) -> None:
    page = gebied.layout(code="BU03920101")
    section = find(page, gebied.ids.HIGHLIGHTS)
    anchors = [c.href for c in walk(section) if getattr(c, "href", None)]
    # every sentence links to a chart or a key-figure row that exists on the page
    ids = [getattr(c, "id", None) for c in walk(page)]
    assert anchors, text_of(section)
    assert all(a.startswith("#") and a[1:] in ids for a in anchors)


def test_english(gebied: ModuleType) -> None:
    page = gebied.layout(code="WK039201", lang="en")
    text = text_of(page)
    assert "Key figures" in text and "3rd of 3 districts" in text
    assert links(find(page, gebied.ids.CHILDREN))["Stationsbuurt"].endswith("&lang=en")


def test_older_year_is_the_older_area(gebied: ModuleType) -> None:
    page = gebied.layout(code="WK039201", jaar="2023")
    assert "Centrum" in text_of(page)
    assert "Let op: in 2024 hoorde code WK039201 bij een ander gebied" in text_of(page)


@pytest.mark.parametrize(
    ("code", "jaar", "expected"),
    [
        ("WK039299", None, "Een gebied met code ‘WK039299’ kennen we niet."),
        ("Binnenstad", None, "‘Binnenstad’ is geen gebiedscode."),
        (
            "WK039201",
            "2019",
            "Gebied WK039201 bestaat niet in 2019. Jaren met dit gebied: 2023, 2024.",
        ),
        ("WK039201", "x", "‘x’ is geen jaartal."),
        ("WK039201", ["2023", "2024"], "De link noemt ‘jaar’ meer dan eens."),
    ],
)
def test_unknown_code_or_year_is_a_friendly_message(
    gebied: ModuleType, code: str, jaar: Any, expected: str
) -> None:
    page = gebied.layout(code=code, jaar=jaar)
    assert expected in text_of(page)
    assert "Kies een ander gebied" in links(page)


@pytest.mark.parametrize(
    ("code", "jaar", "status"),
    [
        ("WK039201", None, 200),
        ("WK039201", "2023", 200),
        (None, None, 200),
        ("WK039299", None, 404),
        ("WK039201", "2019", 404),
        ("nonsense", None, 404),
    ],
)
def test_http_status(gebied: ModuleType, code: Any, jaar: Any, status: int) -> None:
    assert gebied.http_status(code=code, jaar=jaar) == status


def test_picker_and_open_profile(gebied: ModuleType) -> None:
    page = gebied.layout()
    picker = find(page, gebied.ids.PICKER)
    values = [o["value"] for o in picker.options]
    assert values[:2] == ["GM0392", "GM0394"] and "BU03920101" in values
    assert gebied.open_profile(1, "WK039202", "nl") == "/gebied/WK039202"
    assert gebied.open_profile(1, "WK039202", "en") == "/gebied/WK039202?lang=en"
    with pytest.raises(PreventUpdate):
        gebied.open_profile(1, None, "nl")


def test_warehouse_unavailable_is_a_message(gebied: ModuleType, tmp_path: Path) -> None:
    set_warehouse(Warehouse(tmp_path / "missing.duckdb"))
    page = gebied.layout(code="WK039201")
    assert "niet beschikbaar" in text_of(page)
    assert gebied.http_status(code="WK039201") == 503
