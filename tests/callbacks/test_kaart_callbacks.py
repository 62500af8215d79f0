# SPDX-License-Identifier: EUPL-1.2
"""The map page's layout and callbacks, called directly on a factory-built warehouse."""

from __future__ import annotations

import copy
import importlib
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import plotly.graph_objects as go
import pytest
from dash import Patch, no_update
from dash.exceptions import PreventUpdate

from data.settings import get_settings
from data.warehouse import Warehouse, set_warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.callbacks


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("kaart-data")
    factory.publish(path, data_version="cb-v1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUURTLENS_DATA_DIR", str(path))
        mp.delenv("BUURTLENS_TILE_URL", raising=False)
        mp.delenv("BUURTLENS_DEFAULT_INDICATOR", raising=False)
        get_settings.cache_clear()
        set_warehouse(None)
        yield path
    get_settings.cache_clear()
    set_warehouse(None)


@pytest.fixture(scope="module")
def app_module(data_dir: Path) -> ModuleType:
    """The real app (pages registered once per process); its warehouse is ours."""
    module = importlib.import_module("app")
    set_warehouse(Warehouse(data_dir / "buurtlens.duckdb"))
    return module


@pytest.fixture
def kaart(app_module: ModuleType, data_dir: Path) -> ModuleType:
    set_warehouse(Warehouse(data_dir / "buurtlens.duckdb"))
    return sys.modules["pages.kaart"]


def find(component: Any, component_id: str) -> Any:
    """The component with ``component_id`` in a Dash layout tree."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    if children is None:
        return None
    for child in children if isinstance(children, (list, tuple)) else [children]:
        hit = find(child, component_id)
        if hit is not None:
            return hit
    return None


def text_of(component: Any) -> str:
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return " ".join(text_of(c) for c in children)
    return text_of(children)


def apply_patch(figure: dict[str, Any], patch: Patch) -> dict[str, Any]:
    """Apply a Patch's Assign operations the way the renderer does."""
    result = copy.deepcopy(figure)
    for op in patch.to_plotly_json()["operations"]:
        assert op["operation"] == "Assign", op
        *path, last = op["location"]
        target = result
        for key in path:
            target = target[key]
        target[last] = op["params"]["value"]
    return result


def initial(kaart: ModuleType, **query: str) -> tuple[Any, dict[str, Any], dict[str, str]]:
    layout = kaart.layout(**query)
    graph = find(layout, kaart.ids.GRAPH)
    assert graph is not None, text_of(layout)
    state = find(layout, kaart.ids.STATE).data
    return layout, json.loads(json.dumps(graph.figure.to_plotly_json(), default=list)), state


# --- layout --------------------------------------------------------------------------------


def test_default_view(kaart: ModuleType) -> None:
    layout, figure, state = initial(kaart)
    trace = figure["data"][0]
    assert trace["type"] == "choroplethmap"
    assert trace["geojson"].startswith("/geo/2024/wijk/GM0392.geojson?v=")
    assert trace["locations"] == ["WK039201", "WK039202", "WK039203"]
    view = figure["layout"]["map"]
    assert view["style"] == "white-bg"
    assert "layers" not in view or not view["layers"]
    # Plotly cannot fit to a geometry URL: the server sends a view that fits the areas.
    assert view["fitbounds"] is False
    assert 4.60 < view["center"]["lon"] < 4.68 and 52.35 < view["center"]["lat"] < 52.41
    assert 9 < view["zoom"] < 14
    assert state["bbox"] == [4.60, 52.35, 4.68, 52.41]
    assert state["geometry"].startswith("2024/wijk/GM0392@")
    assert find(layout, kaart.ids.INDICATOR).value == "inwoners"
    assert find(layout, kaart.ids.YEAR).value == 2024
    assert find(layout, kaart.ids.LEVEL).value == "wijk"
    assert find(layout, kaart.ids.GEMEENTE).value == "GM0392"
    assert "Inwoners per wijk" in text_of(find(layout, kaart.ids.TITLE))


def test_url_state_is_reproduced(kaart: ModuleType) -> None:
    layout, figure, state = initial(
        kaart, indicator="bevolkingsdichtheid", jaar="2024", niveau="buurt", gemeente="GM0394"
    )
    assert figure["data"][0]["locations"] == ["BU03940101", "BU03940201"]
    assert state["geometry"].startswith("2024/buurt/GM0394@")
    assert find(layout, kaart.ids.INDICATOR).value == "bevolkingsdichtheid"
    assert find(layout, kaart.ids.GEMEENTE).value == "GM0394"


def test_reused_code_shows_the_years_area(kaart: ModuleType) -> None:
    def hover(figure: dict[str, Any]) -> dict[str, list[str]]:
        trace = figure["data"][0]
        return dict(zip(trace["locations"], trace["customdata"], strict=True))

    _, figure_2023, _ = initial(kaart, jaar="2023", niveau="wijk", gemeente="GM0392")
    assert hover(figure_2023)[factory.REUSED_WIJK] == ["Centrum", "52.000"]
    _, figure_2024, _ = initial(kaart, jaar="2024", niveau="wijk", gemeente="GM0392")
    assert hover(figure_2024)[factory.REUSED_WIJK] == ["Binnenstad", "12.000"]
    assert figure_2023["data"][0]["geojson"] != figure_2024["data"][0]["geojson"]


def test_suppressed_area_is_grey_with_its_reason(kaart: ModuleType) -> None:
    layout, figure, _ = initial(kaart, niveau="buurt", gemeente="GM0392")
    trace = figure["data"][0]
    i = trace["locations"].index(factory.SUPPRESSED_BUURT)
    assert trace["z"][i] == -1
    assert trace["customdata"][i][1] == factory.SUPPRESSED_REASON
    assert trace["colorscale"][0][1] == "#b3b3b3"
    table = text_of(find(layout, kaart.ids.TABLE))
    assert "Dietsveld" in table and factory.SUPPRESSED_REASON in table
    assert "Geen cijfer" in text_of(find(layout, kaart.ids.LEGEND))
    assert "1 van de 6 buurten heeft geen cijfer" in text_of(find(layout, kaart.ids.SUMMARY))


def test_table_alternative_has_a_caption_and_headers(kaart: ModuleType) -> None:
    layout, _, _ = initial(kaart)
    table = find(layout, kaart.ids.TABLE).children
    assert table.children[0].children == "Inwoners per wijk, Haarlem, 2024"
    header_cells = table.children[1].children.children
    assert [c.children for c in header_cells] == ["Wijk", "Waarde", "Toelichting"]
    assert all(c.scope == "col" for c in header_cells)


def test_indicator_options_are_grouped_by_theme(kaart: ModuleType) -> None:
    layout, _, _ = initial(kaart)
    options = find(layout, kaart.ids.INDICATOR).options
    headings = [o["label"].children for o in options if o.get("disabled")]
    assert headings == sorted(headings)
    assert "Bevolking" in headings
    values = [o["value"] for o in options if not o.get("disabled")]
    assert "inwoners" in values and factory.INTERNAL_INDICATOR not in values


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"indicator": "bestaat_niet"}, "De indicator ‘bestaat_niet’ kennen we niet."),
        ({"indicator": "<script>"}, "kennen we niet"),
        ({"jaar": "1999"}, "Voor 1999 zijn er geen wijken. Beschikbare jaren: 2024, 2023."),
        ({"jaar": "vorig jaar"}, "‘vorig jaar’ is geen jaartal."),
        ({"niveau": "straat"}, "Het niveau ‘straat’ bestaat niet"),
        ({"gemeente": "GM9999"}, "De gemeente ‘GM9999’ bestaat niet in 2024."),
        ({"jaar": "2023", "gemeente": "GM0394"}, "bestaat niet in 2023"),
        ({"jaar": ["2023", "2024"]}, "meer dan eens"),
    ],
)
def test_unknown_url_values_give_a_friendly_message(
    kaart: ModuleType, query: dict[str, Any], message: str
) -> None:
    layout = kaart.layout(**query)
    assert find(layout, kaart.ids.GRAPH) is None
    text = text_of(layout)
    assert message in text
    assert "Traceback" not in text
    links = [c for c in _walk(layout) if getattr(c, "href", None) == "/kaart"]
    assert links, "a link back to the default map"


def test_unknown_query_parameters_are_ignored(kaart: ModuleType) -> None:
    layout = kaart.layout(utm_source="nieuwsbrief")
    assert find(layout, kaart.ids.GRAPH) is not None


def test_unavailable_warehouse_gives_a_message(kaart: ModuleType, tmp_path: Path) -> None:
    set_warehouse(Warehouse(tmp_path / "buurtlens.duckdb"))
    layout = kaart.layout()
    assert "niet beschikbaar" in text_of(layout)
    assert find(layout, kaart.ids.GRAPH) is None


def test_tile_url_becomes_a_raster_layer_below_the_areas(
    kaart: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUURTLENS_TILE_URL", "https://tiles.example.nl/{z}/{x}/{y}.png")
    get_settings.cache_clear()
    try:
        _, figure, _ = initial(kaart)
    finally:
        monkeypatch.delenv("BUURTLENS_TILE_URL")
        get_settings.cache_clear()
    (layer,) = figure["layout"]["map"]["layers"]
    assert layer["sourcetype"] == "raster" and layer["below"] == "traces"
    assert layer["source"] == ["https://tiles.example.nl/{z}/{x}/{y}.png"]
    assert figure["layout"]["map"]["style"] == "white-bg"


# --- render_map: Patch or full figure ------------------------------------------------------


def test_indicator_switch_returns_a_patch_without_geometry(kaart: ModuleType) -> None:
    _, _, state = initial(kaart)
    out = kaart.render_map(
        indicator="bevolkingsdichtheid", jaar=2024, niveau="wijk", gemeente="GM0392", state=state
    )
    patch = out["figure"]
    assert isinstance(patch, Patch)
    locations = [tuple(op["location"]) for op in patch.to_plotly_json()["operations"]]
    assert ("data", 0, "z") in locations and ("data", 0, "customdata") in locations
    assert ("data", 0, "colorscale") in locations
    assert all("geojson" not in loc and "layout" not in loc for loc in locations)
    assert out["state"] == state
    assert out["search"] == ("?indicator=bevolkingsdichtheid&jaar=2024&niveau=wijk&gemeente=GM0392")
    assert "Bevolkingsdichtheid per wijk" in out["title"]
    assert out["message"] is None


def test_patch_gives_the_same_figure_as_a_full_render(kaart: ModuleType) -> None:
    _, figure, state = initial(kaart)
    out = kaart.render_map(
        indicator="gemiddelde_huishoudensgrootte",
        jaar=2024,
        niveau="wijk",
        gemeente="GM0392",
        state=state,
    )
    patched = apply_patch(figure, out["figure"])
    _, full, _ = initial(
        kaart,
        indicator="gemiddelde_huishoudensgrootte",
        jaar="2024",
        niveau="wijk",
        gemeente="GM0392",
    )
    assert patched == full


@pytest.mark.parametrize(
    ("jaar", "niveau", "gemeente", "geojson"),
    [
        (2023, "wijk", "GM0392", "/geo/2023/wijk/GM0392.geojson"),
        (2024, "buurt", "GM0392", "/geo/2024/buurt/GM0392.geojson"),
        (2024, "wijk", "GM0394", "/geo/2024/wijk/GM0394.geojson"),
        (2024, "gemeente", "alle", "/geo/2024/gemeente/alle.geojson"),
    ],
)
def test_new_geometry_returns_a_full_figure(
    kaart: ModuleType, jaar: int, niveau: str, gemeente: str, geojson: str
) -> None:
    _, _, state = initial(kaart)
    out = kaart.render_map(
        indicator="inwoners", jaar=jaar, niveau=niveau, gemeente=gemeente, state=state
    )
    figure = out["figure"]
    assert isinstance(figure, go.Figure)
    assert figure.data[0].geojson.startswith(geojson + "?v=")
    assert out["state"]["geometry"] != state["geometry"]
    assert out["state"]["geometry"].startswith(f"{jaar}/{niveau}/")


def test_no_known_state_returns_a_full_figure(kaart: ModuleType) -> None:
    out = kaart.render_map(
        indicator="inwoners", jaar=2024, niveau="wijk", gemeente="GM0392", state=None
    )
    assert isinstance(out["figure"], go.Figure)


def test_swap_with_new_geometry_etag_returns_a_full_figure(
    kaart: ModuleType, tmp_path: Path
) -> None:
    _, _, state = initial(kaart)
    stale = {**state, "geometry": state["geometry"].split("@")[0] + "@old-etag"}
    out = kaart.render_map(
        indicator="inwoners", jaar=2024, niveau="wijk", gemeente="GM0392", state=stale
    )
    assert isinstance(out["figure"], go.Figure)


def test_invalid_control_values_leave_the_map_alone(kaart: ModuleType) -> None:
    _, _, state = initial(kaart)
    out = kaart.render_map(
        indicator="weg", jaar=2024, niveau="wijk", gemeente="GM0392", state=state
    )
    assert out["figure"] is no_update and out["search"] is no_update
    assert "kennen we niet" in text_of(out["message"])


# --- the control chain ----------------------------------------------------------------------


def test_update_years_keeps_a_valid_year(kaart: ModuleType) -> None:
    options, value = kaart.update_years("buurt", 2023)
    assert [o["value"] for o in options] == [2024, 2023]
    assert value is no_update


def test_update_years_rejects_unknown_level(kaart: ModuleType) -> None:
    with pytest.raises(PreventUpdate):
        kaart.update_years("straat", 2024)


def test_update_gemeenten_for_each_level(kaart: ModuleType) -> None:
    options, value, disabled = kaart.update_gemeenten(2023, "wijk", "GM0394")
    assert [o["value"] for o in options] == ["alle", "GM0392"]
    assert (value, disabled) == ("GM0392", False)
    options, value, disabled = kaart.update_gemeenten(2024, "gemeente", "GM0392")
    assert (value, disabled) == ("alle", True)
    _, value, disabled = kaart.update_gemeenten(2024, "wijk", "GM0394")
    assert (value, disabled) == (no_update, False)


# --- the shell and the global error handler -------------------------------------------------


def test_shell_has_skip_link_nav_and_data_version(
    app_module: ModuleType, kaart: ModuleType
) -> None:
    shell = app_module.shell()
    skip = shell.children[0]
    assert skip.href == "#main" and "inhoud" in skip.children
    assert find(shell, app_module.ids.MAIN) is not None
    nav_text = text_of(shell.children[1])
    assert "Start" in nav_text and "Kaart" in nav_text
    assert "Gegevensversie cb-v1" in text_of(shell)


def test_callback_error_is_logged_with_inputs_and_shown_kindly(
    app_module: ModuleType,
    kaart: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("kapot")

    monkeypatch.setattr(kaart, "map_content", boom)
    ids = kaart.ids
    outputs = [
        (ids.GRAPH, "figure"),
        (ids.LEGEND, "children"),
        (ids.SUMMARY, "children"),
        (ids.TABLE, "children"),
        (ids.TITLE, "children"),
        (ids.SOURCE, "children"),
        (ids.STATE, "data"),
        (ids.URL, "search"),
        (ids.MESSAGE, "children"),
    ]
    inputs = [
        (ids.INDICATOR, "value", "inwoners"),
        (ids.YEAR, "value", 2024),
        (ids.LEVEL, "value", "wijk"),
        (ids.GEMEENTE, "value", "GM0392"),
    ]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{ids.INDICATOR}.value"],
        "state": [{"id": ids.STATE, "property": "data", "value": None}],
    }
    client = app_module.server.test_client()
    with caplog.at_level(logging.ERROR, logger="app"):
        response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    payload = response.get_json()
    alert = payload["sideUpdate"][app_module.ids.ALERT]["children"]
    assert "Er ging iets mis" in alert
    record = next(r for r in caplog.records if "callback failed" in r.getMessage())
    assert "inwoners" in record.getMessage() and "GM0392" in record.getMessage()
    assert record.exc_info is not None


def _walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str):
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        yield from _walk(child)
