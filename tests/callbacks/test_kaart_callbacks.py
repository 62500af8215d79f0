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
    return layout, json.loads(json.dumps(graph.figure, default=list)), state


# --- layout --------------------------------------------------------------------------------


def hover(figure: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    trace = figure["data"][0]
    return {
        code: (name, data)
        for code, name, data in zip(
            trace["locations"], trace["text"], trace["customdata"], strict=True
        )
    }


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
    assert state["geometry"].startswith("wijk@")
    assert find(layout, kaart.ids.INDICATOR).value == "inwoners"
    assert find(layout, kaart.ids.YEAR).value == 2024
    assert find(layout, kaart.ids.LEVEL).value == "wijk"
    assert find(layout, kaart.ids.GEMEENTE).value == "GM0392"
    assert find(layout, kaart.ids.METHOD).value == "kwantielen"
    assert find(layout, kaart.ids.CLASSES).value == 5
    assert find(layout, kaart.ids.PALETTE).value == "ylgnbu"
    assert "Inwoners per wijk" in text_of(find(layout, kaart.ids.TITLE))


def test_figure_is_valid_for_plotly(kaart: ModuleType) -> None:
    """The figure is built as a plain dict (fast); Plotly's own validation accepts it."""
    _, figure, _ = initial(kaart, niveau="buurt", methode="stdev")
    validated = go.Figure(figure)
    assert validated.data[0].type == "choroplethmap"
    assert validated.layout.map.style == "white-bg"


def test_hover_names_figure_rank_and_gemeente(kaart: ModuleType) -> None:
    _, figure, _ = initial(kaart)
    trace = figure["data"][0]
    assert hover(figure)["WK039203"] == ("Zuid", ["108.500", "1"])
    assert hover(figure)["WK039201"] == ("Binnenstad", ["12.000", "3"])
    assert "%{text}" in trace["hovertemplate"]
    assert "Inwoners: %{customdata[0]}" in trace["hovertemplate"]
    assert "Rang %{customdata[1]} van 3" in trace["hovertemplate"]
    assert "Haarlem: 162.000" in trace["hovertemplate"]


def test_url_state_is_reproduced(kaart: ModuleType) -> None:
    layout, figure, state = initial(
        kaart,
        indicator="bevolkingsdichtheid",
        jaar="2024",
        niveau="buurt",
        gemeente="GM0394",
        methode="stdev",
        klassen="3",
        palet="brbg",
    )
    assert figure["data"][0]["locations"] == ["BU03940101", "BU03940201"]
    assert state["geometry"].startswith("buurt@")
    assert find(layout, kaart.ids.INDICATOR).value == "bevolkingsdichtheid"
    assert find(layout, kaart.ids.GEMEENTE).value == "GM0394"
    assert find(layout, kaart.ids.METHOD).value == "stdev"
    assert find(layout, kaart.ids.CLASSES).value == 3
    assert find(layout, kaart.ids.PALETTE).value == "brbg"
    assert "#d8b365" in str(figure["data"][0]["colorscale"])  # BrBG, 3 classes


def test_reused_code_shows_the_years_area(kaart: ModuleType) -> None:
    _, figure_2023, _ = initial(kaart, jaar="2023", niveau="wijk", gemeente="GM0392")
    assert hover(figure_2023)[factory.REUSED_WIJK] == ("Centrum", ["52.000", "2"])
    _, figure_2024, _ = initial(kaart, jaar="2024", niveau="wijk", gemeente="GM0392")
    assert hover(figure_2024)[factory.REUSED_WIJK][0] == "Binnenstad"
    assert figure_2023["data"][0]["geojson"] != figure_2024["data"][0]["geojson"]


def test_suppressed_area_is_grey_with_its_reason(kaart: ModuleType) -> None:
    layout, figure, _ = initial(kaart, niveau="buurt", gemeente="GM0392")
    trace = figure["data"][0]
    i = trace["locations"].index(factory.SUPPRESSED_BUURT)
    assert trace["z"][i] == -1
    assert trace["customdata"][i] == [factory.SUPPRESSED_REASON, "–"]
    assert trace["colorscale"][0][1] == "#b3b3b3"
    legend = figure["layout"]["meta"]["legend"]
    assert legend["entries"][-1] == ["#b3b3b3", "Geen cijfer (verborgen of onbekend)", 1]
    assert "1 van de 6 buurten heeft geen cijfer" in text_of(find(layout, kaart.ids.SUMMARY))


def test_legend_shows_bounds_and_counts(kaart: ModuleType) -> None:
    layout, figure, _ = initial(kaart, niveau="buurt", gemeente="GM0392", klassen="3")
    legend = figure["layout"]["meta"]["legend"]
    counts = [count for _, _, count in legend["entries"]]
    assert sum(counts) == 6 and len(counts) == 4  # 3 classes and "no figure"
    assert "–" in legend["entries"][0][1]
    assert legend["title"] == "Inwoners"
    assert legend["note"].startswith("Indeling: kwantielen")
    # Drawn in the browser from the figure (assets/kaart.js), also after a Patch.
    assert find(layout, kaart.ids.LEGEND).children is None


def test_table_alternative_texts_travel_with_the_figure(kaart: ModuleType) -> None:
    _, figure, _ = initial(kaart)
    meta = figure["layout"]["meta"]
    assert meta["caption"] == "Inwoners per wijk, Haarlem, 2024"
    assert meta["headers"] == ["Wijk", "Waarde", "Rang", "Toelichting"]
    assert meta["href"] == "/gebied/{code}?jaar=2024"
    assert meta["newtab"] is False


def test_english_view(kaart: ModuleType) -> None:
    layout, figure, _ = initial(kaart, lang="en", niveau="buurt")
    assert "Inhabitants by neighbourhood" in text_of(find(layout, kaart.ids.TITLE))
    assert figure["layout"]["meta"]["headers"][1] == "Value"
    assert figure["layout"]["separators"] == ".,"
    assert figure["layout"]["meta"]["href"].endswith("&lang=en")
    assert "suppressed" in str(figure["data"][0]["customdata"])
    assert "Source:" in text_of(find(layout, kaart.ids.SOURCE))


def test_indicator_options_are_grouped_by_theme(kaart: ModuleType) -> None:
    layout, _, _ = initial(kaart)
    options = find(layout, kaart.ids.INDICATOR).options
    headings = [o["label"].children for o in options if o.get("disabled")]
    assert headings == sorted(headings)
    assert "Bevolking" in headings
    values = [o["value"] for o in options if not o.get("disabled")]
    assert "inwoners" in values and factory.INTERNAL_INDICATOR not in values
    searchable = next(o for o in options if o["value"] == "bevolkingsdichtheid")
    assert "Bevolking" in searchable["search"]


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
        ({"methode": "gok"}, "De indeling ‘gok’ bestaat niet"),
        ({"klassen": "12"}, "‘12’ klassen kan niet"),
        ({"palet": "regenboog"}, "Het kleurenpalet ‘regenboog’ kennen we niet"),
        ({"indicator": "weg", "lang": "en"}, "We do not know the indicator ‘weg’."),
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
    links = [c for c in _walk(layout) if str(getattr(c, "href", "")).startswith("/kaart")]
    assert links, "a link back to the default map"
    assert kaart.http_status(**query) == 404


def test_valid_url_has_status_200(kaart: ModuleType) -> None:
    assert kaart.http_status(indicator="inwoners", jaar="2024") == 200


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


def render(kaart: ModuleType, state: dict[str, Any] | None, **controls: Any) -> dict[str, Any]:
    args = {"indicator": "inwoners", "jaar": 2024, "niveau": "wijk", "gemeente": "GM0392"}
    args |= {"methode": "kwantielen", "klassen": 5, "palet": "ylgnbu", "lang": "nl"}
    return kaart.render_map(**{**args, **controls}, state=state)


def operations(patch: Patch) -> set[tuple[Any, ...]]:
    return {tuple(op["location"]) for op in patch.to_plotly_json()["operations"]}


def test_indicator_switch_returns_a_patch_without_geometry(kaart: ModuleType) -> None:
    _, _, state = initial(kaart)
    out = render(kaart, state, indicator="bevolkingsdichtheid")
    patch = out["figure"]
    assert isinstance(patch, Patch)
    locations = operations(patch)
    assert ("data", 0, "z") in locations and ("data", 0, "customdata") in locations
    assert ("data", 0, "colorscale") in locations and ("layout", "meta") in locations
    assert all("geojson" not in loc for loc in locations)
    assert ("data", 0, "text") not in locations  # same year: names unchanged
    assert ("data", 0, "locations") not in locations
    assert out["state"] is no_update  # same geometry, same areas
    assert out["search"] == "?indicator=bevolkingsdichtheid&jaar=2024&niveau=wijk&gemeente=GM0392"
    assert "Bevolkingsdichtheid per wijk" in out["title"]
    assert out["api_json"] == (
        "/api/v1/values?indicator=bevolkingsdichtheid&level=wijk&year=2024&gemeente=GM0392"
    )
    assert out["api_csv"].endswith("&format=csv")
    assert out["message"] is None


def test_classification_switch_is_a_patch_too(kaart: ModuleType) -> None:
    _, _, state = initial(kaart)
    out = render(kaart, state, methode="stdev", klassen=3, palet="puor")
    assert isinstance(out["figure"], Patch)
    assert out["search"].endswith("&methode=stdev&klassen=3")  # puor is stdev's default
    assert "standaarddeviatie" in str(out["figure"].to_plotly_json())


def test_patch_gives_the_same_figure_as_a_full_render(kaart: ModuleType) -> None:
    _, figure, state = initial(kaart)
    out = render(kaart, state, indicator="gemiddelde_huishoudensgrootte", methode="natuurlijk")
    patched = apply_patch(figure, out["figure"])
    _, full, _ = initial(
        kaart,
        indicator="gemiddelde_huishoudensgrootte",
        jaar="2024",
        niveau="wijk",
        gemeente="GM0392",
        methode="natuurlijk",
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
    out = render(kaart, state, jaar=jaar, niveau=niveau, gemeente=gemeente)
    figure = out["figure"]
    assert isinstance(figure, dict) and not isinstance(figure, Patch)
    assert figure["data"][0]["geojson"].startswith(geojson + "?v=")
    assert out["state"]["geometry"] != state["geometry"]
    assert out["state"]["geometry"].startswith(f"{niveau}@")


def test_same_boundaries_in_another_year_are_a_patch_with_names(kaart: ModuleType) -> None:
    """Another year whose artefact has the same content keeps the geometry in the browser:
    a Patch, which then also carries the area names (a code may be named differently)."""
    _, _, state = initial(kaart, niveau="gemeente", jaar="2024")
    out = render(kaart, {**state, "vintage": 2023}, niveau="gemeente", gemeente="alle")
    assert isinstance(out["figure"], Patch)
    assert ("data", 0, "text") in operations(out["figure"])
    assert out["state"]["vintage"] == 2024


def test_no_known_state_returns_a_full_figure(kaart: ModuleType) -> None:
    out = render(kaart, None)
    assert isinstance(out["figure"], dict) and not isinstance(out["figure"], Patch)


def test_swap_with_new_geometry_etag_returns_a_full_figure(kaart: ModuleType) -> None:
    _, _, state = initial(kaart)
    stale = {**state, "geometry": state["geometry"].split("@")[0] + "@old-etag"}
    out = render(kaart, stale)
    assert isinstance(out["figure"], dict) and not isinstance(out["figure"], Patch)


def test_invalid_control_values_leave_the_map_alone(kaart: ModuleType) -> None:
    _, _, state = initial(kaart)
    out = render(kaart, state, indicator="weg")
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
    same, _, _ = kaart.update_gemeenten(2024, "wijk", "GM0394", "nl", options)
    assert same is no_update


def test_palette_follows_the_method(kaart: ModuleType) -> None:
    assert kaart.follow_method("stdev", "ylgnbu") == "puor"
    assert kaart.follow_method("stdev", "brbg") is no_update
    assert kaart.follow_method("kwantielen", "rdbu") == "ylgnbu"
    assert kaart.follow_method("kwantielen", "blues") is no_update


# --- the shell and the global error handler -------------------------------------------------


def test_shell_has_skip_link_nav_and_data_version(
    app_module: ModuleType, kaart: ModuleType
) -> None:
    from components import shell as shell_module

    shell = shell_module.shell()
    skip = next(c for c in _walk(shell) if getattr(c, "className", None) == "skip-link")
    assert skip.href == "#main" and "inhoud" in skip.children
    assert find(shell, app_module.ids.MAIN) is not None
    nav_text = text_of(find(shell, shell_module.ids.HEADER))
    assert "Start" in nav_text and "Kaart" in nav_text and "English" in nav_text
    assert "Gegevensversie cb-v1" in text_of(find(shell, shell_module.ids.FOOTER))


def test_nav_marks_the_current_page_and_keeps_the_language(
    app_module: ModuleType, kaart: ModuleType
) -> None:
    from dash import html

    from components import shell as shell_module

    header, footer = shell_module.update_shell("/kaart", "?lang=en&indicator=inwoners")
    links = [c for c in _walk(html.Div(header)) if isinstance(c, html.A) and c.href]
    current = [c for c in links if getattr(c, "aria-current", None) == "page"]
    assert [c.children for c in current] == ["Map"]
    nav = [c for c in links if c.href != "/kaart" and getattr(c, "data-spa", None)]
    assert nav and all(c.href.endswith("lang=en") for c in nav)
    switch = find(html.Div(header), shell_module.ids.LANG)
    assert switch.children == "Nederlands" and switch.lang == "nl"
    assert "Data version cb-v1" in text_of(html.Div(footer))


def test_callback_error_is_logged_with_inputs_and_shown_kindly(
    app_module: ModuleType,
    kaart: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("kapot")

    monkeypatch.setattr(kaart, "map_content", boom)
    dash_app = app_module.app
    client = app_module.server.test_client()
    client.get("/health")  # Dash registers the page callbacks on the first request
    key = next(k for k in dash_app.callback_map if "kaart-message.children" in k)
    body = _callback_body(dash_app, key)
    with caplog.at_level(logging.ERROR, logger="app"):
        response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    payload = response.get_json()
    alert = payload["sideUpdate"][app_module.ids.ALERT]["children"]
    assert "Er ging iets mis" in alert
    record = next(r for r in caplog.records if "callback failed" in r.getMessage())
    assert "inwoners" in record.getMessage() and "GM0392" in record.getMessage()
    assert record.exc_info is not None


def _callback_body(dash_app: Any, key: str) -> dict[str, Any]:
    """The request the renderer sends for the map callback, built from its registration."""
    callback = next(c for c in dash_app._callback_list if c["output"] == key)
    values = {
        "kaart-indicator": "inwoners",
        "kaart-jaar": 2024,
        "kaart-niveau": "wijk",
        "kaart-gemeente": "GM0392",
        "kaart-methode": "kwantielen",
        "kaart-klassen": 5,
        "kaart-palet": "ylgnbu",
    }
    state_values: dict[str, Any] = {"kaart-lang": "nl"}
    outputs = []
    for part in key.strip(".").split("..."):
        component, prop = part.rsplit(".", 1)
        component_id = json.loads(component) if component.startswith("{") else component
        outputs.append({"id": component_id, "property": prop})
    return {
        "output": key,
        "outputs": outputs,
        "inputs": [
            {"id": i["id"], "property": i["property"], "value": values[i["id"]]}
            for i in callback["inputs"]
        ],
        "changedPropIds": ["kaart-indicator.value"],
        "state": [
            {"id": s["id"], "property": s["property"], "value": state_values.get(s["id"])}
            for s in callback["state"]
        ],
    }


def _walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str):
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        yield from _walk(child)
