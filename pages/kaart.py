# SPDX-License-Identifier: EUPL-1.2
"""Kaart: how does one figure differ between the areas of my gemeente?

The question this page answers, for an area manager, a councillor or a resident: "How does
<indicator> vary across the wijken (or buurten, or gemeenten) of <gemeente> in <year>, and
where is it highest or lowest?" A choropleth map with a legend (class bounds and counts), a
text summary and a table alternative; hovering shows an area's figure, rank and the
gemeente's own figure; clicking opens the area's profile.

Every view is a link: ``/kaart?indicator=inwoners&jaar=2024&niveau=buurt&gemeente=GM0392
&methode=stdev&klassen=5&palet=puor&lang=en``, and the URL follows the controls. Switching
indicator, year (with unchanged boundaries) or classification sends only new values (a
``dash.Patch``); a new level or gemeente sends a figure that references another cached
geometry URL.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.choropleth import patch_figure
from components.lang import page_title
from components.mapview import (
    GRAPH,
    LEGEND,
    SOURCE,
    STATE,
    SUMMARY,
    TITLE,
    api_urls,
    map_panel,
    meta,
    source_text,
)
from components.mapview import figure as full_figure
from components.mapview import ids as map_ids
from components.mapview import state as map_state
from components.share import ids as share_ids
from data import queries
from data.classify import (
    DEFAULT_CLASSES,
    MAX_CLASSES,
    METHODS,
    MIN_CLASSES,
    PALETTES,
    default_palette,
)
from data.i18n import Lang, parse_lang, t, with_lang
from data.mapview import (
    ALL_GEMEENTEN,
    View,
    ViewError,
    definition,
    map_content,
    resolve_view,
)
from data.queries import InvalidParameter
from data.shaping import METHOD_NAMES, level_name, theme_name
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

PATH: Final = "/kaart"
#: Name of this page's map panel (the ``map`` key of its pattern-matching ids).
MAP: Final = "kaart"

PALETTE_NAMES: Final[dict[str, tuple[str, str]]] = {
    "ylgnbu": ("geel-groen-blauw", "yellow-green-blue"),
    "blues": ("blauw", "blue"),
    "purples": ("paars", "purple"),
    "orrd": ("oranje-rood", "orange-red"),
    "puor": ("oranje-wit-paars, tweezijdig", "orange-white-purple, diverging"),
    "brbg": ("bruin-wit-groen, tweezijdig", "brown-white-green, diverging"),
    "rdbu": ("rood-wit-blauw, tweezijdig", "red-white-blue, diverging"),
}


def http_status(**query: object) -> int:
    """404 when the link names something that does not exist (see components/responses)."""
    lang = parse_lang(query.get("lang"))
    try:
        resolve_view(*_view_args(query), **_class_args(query), lang=lang)
    except ViewError:
        return 404
    except WarehouseUnavailable:
        return 503
    return 200


dash.register_page(
    __name__,
    path=PATH,
    name="Kaart",
    name_en="Map",
    title=page_title("Kaart", "Map"),
    description="Kaart van een cijfer per gemeente, wijk of buurt, met tabel en toelichting.",
    order=1,
    http_status=http_status,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    """Component ids of this page (the map panel's are pattern-matching, ``map="kaart"``)."""

    URL = "kaart-url"
    LANG = "kaart-lang"
    INDICATOR = "kaart-indicator"
    YEAR = "kaart-jaar"
    LEVEL = "kaart-niveau"
    GEMEENTE = "kaart-gemeente"
    METHOD = "kaart-methode"
    CLASSES = "kaart-klassen"
    PALETTE = "kaart-palet"
    MESSAGE = "kaart-message"
    GRAPH = map_ids.of(GRAPH, MAP)
    STATE = map_ids.of(STATE, MAP)
    TITLE = map_ids.of(TITLE, MAP)
    SOURCE = map_ids.of(SOURCE, MAP)
    LEGEND = map_ids.of(LEGEND, MAP)
    SUMMARY = map_ids.of(SUMMARY, MAP)
    API_JSON = share_ids.api(MAP, "json")
    API_CSV = share_ids.api(MAP, "csv")


def _view_args(query: dict[str, Any]) -> tuple[object, ...]:
    return tuple(query.get(k) for k in ("indicator", "jaar", "niveau", "gemeente"))


def _class_args(query: dict[str, Any]) -> dict[str, object]:
    return {k: query.get(k) for k in ("methode", "klassen", "palet")}


# --- layout ------------------------------------------------------------------------------


def layout(**query: Any) -> html.Div:
    """The map page for the view in the URL (or a friendly message for a wrong URL)."""
    lang = parse_lang(query.get("lang"))
    try:
        view = resolve_view(*_view_args(query), **_class_args(query), lang=lang)
        content = map_content(view)
        catalogue = queries.list_indicators().frame
    except ViewError as e:
        return _problem(str(e), lang)
    except WarehouseUnavailable as e:
        logger.error("map unavailable reason=%s error=%s", e.reason, e)
        return _problem(
            t(
                lang,
                "De cijfers zijn op dit moment niet beschikbaar. Probeer het later opnieuw.",
                "The figures are not available right now. Please try again later.",
            ),
            lang,
        )
    return html.Div(
        className="page kaart",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LANG, data=lang),
            html.H1(t(lang, "Kaart", "Map")),
            _controls(view, catalogue),
            html.Div(id=ids.MESSAGE, className="message", role="status"),
            *map_panel(MAP, content, definition=_definition(view)),
        ],
    )


def _controls(view: View, catalogue: pd.DataFrame) -> html.Div:
    lang = view.lang
    return html.Div(
        className="controls-block",
        children=[
            html.Div(
                className="controls",
                role="group",
                **{"aria-label": t(lang, "Wat de kaart toont", "What the map shows")},
                children=[
                    _field(
                        t(lang, "Indicator (typ om te zoeken)", "Indicator (type to search)"),
                        ids.INDICATOR,
                        dcc.Dropdown(
                            id=ids.INDICATOR,
                            options=indicator_options(catalogue, lang),
                            value=view.indicator.id,
                            clearable=False,
                            maxHeight=320,
                            search_order="original",
                            labels=_dropdown_labels(lang),
                        ),
                        wide=True,
                    ),
                    html.Fieldset(
                        className="field",
                        children=[
                            html.Legend(t(lang, "Niveau", "Level")),
                            dcc.RadioItems(
                                id=ids.LEVEL,
                                options=[
                                    {
                                        "label": level_name(k, lang, plural=True).capitalize(),
                                        "value": k,
                                    }
                                    for k in queries.LEVELS
                                ],
                                value=view.level,
                                inline=True,
                                className="radio-row",
                            ),
                        ],
                    ),
                    _field(
                        t(lang, "Jaar", "Year"),
                        ids.YEAR,
                        dcc.Dropdown(
                            id=ids.YEAR,
                            options=year_options(view.vintages),
                            value=view.vintage,
                            clearable=False,
                            searchable=False,
                            labels=_dropdown_labels(lang),
                        ),
                    ),
                    _field(
                        t(lang, "Gemeente", "Municipality"),
                        ids.GEMEENTE,
                        dcc.Dropdown(
                            id=ids.GEMEENTE,
                            options=gemeente_options(view.gemeenten, lang),
                            value=view.gemeente or ALL_GEMEENTEN,
                            clearable=False,
                            disabled=view.level == "gemeente",
                            labels=_dropdown_labels(lang),
                        ),
                    ),
                ],
            ),
            html.Div(
                className="controls controls-classes",
                role="group",
                **{"aria-label": t(lang, "Indeling in klassen", "Classes")},
                children=[
                    _field(
                        t(lang, "Indeling", "Classification"),
                        ids.METHOD,
                        dcc.Dropdown(
                            id=ids.METHOD,
                            options=[
                                {"label": METHOD_NAMES[lang][m].capitalize(), "value": m}
                                for m in METHODS
                            ],
                            value=view.method,
                            clearable=False,
                            searchable=False,
                            labels=_dropdown_labels(lang),
                        ),
                        wide=True,
                    ),
                    _field(
                        t(lang, "Klassen", "Classes"),
                        ids.CLASSES,
                        dcc.Dropdown(
                            id=ids.CLASSES,
                            options=[
                                {"label": str(k), "value": k}
                                for k in range(MIN_CLASSES, MAX_CLASSES + 1)
                            ],
                            value=view.classes,
                            clearable=False,
                            searchable=False,
                            labels=_dropdown_labels(lang),
                        ),
                    ),
                    _field(
                        t(lang, "Kleuren", "Colours"),
                        ids.PALETTE,
                        dcc.Dropdown(
                            id=ids.PALETTE,
                            options=palette_options(lang),
                            value=view.palette,
                            clearable=False,
                            searchable=False,
                            labels=_dropdown_labels(lang),
                        ),
                    ),
                ],
            ),
        ],
    )


def _field(label: str, control_id: str, control: Any, *, wide: bool = False) -> html.Div:
    return html.Div(
        className="field field-wide" if wide else "field",
        children=[html.Label(label, htmlFor=control_id), control],
    )


def _dropdown_labels(lang: Lang) -> dict[str, str]:
    return {
        "search": t(lang, "Zoeken", "Search"),
        "clear_search": t(lang, "Zoekterm wissen", "Clear search"),
        "clear_selection": t(lang, "Keuze wissen", "Clear selection"),
        "no_options_found": t(lang, "Niets gevonden", "Nothing found"),
        "select_all": t(lang, "Alles kiezen", "Select all"),
        "deselect_all": t(lang, "Niets kiezen", "Deselect all"),
        "selected_count": t(lang, "{num} gekozen", "{num} selected"),
    }


def indicator_options(catalogue: pd.DataFrame, lang: Lang = "nl") -> list[dict[str, Any]]:
    """Dropdown options grouped by theme: a disabled theme heading, then its indicators;
    searching matches an indicator's label and its theme."""
    options: list[dict[str, Any]] = []
    label_column = "label_en" if lang == "en" else "label_nl"
    for theme, group in catalogue.groupby("theme", sort=True):
        theme_label = theme_name(str(theme), lang)
        options.append(
            {
                "label": html.Strong(theme_label, className="option-group"),
                "value": f"__thema__{theme}",
                "disabled": True,
                "search": "",
            }
        )
        group = group.sort_values(label_column)
        options.extend(
            {"label": str(label), "value": str(ind_id), "search": f"{label} {theme_label}"}
            for ind_id, label in zip(group["id"], group[label_column], strict=True)
        )
    return options


def year_options(years: tuple[int, ...] | list[int]) -> list[dict[str, Any]]:
    return [{"label": str(y), "value": y} for y in years]


def gemeente_options(
    gemeenten: tuple[tuple[str, str], ...], lang: Lang = "nl"
) -> list[dict[str, str]]:
    options = [{"label": t(lang, "Alle gemeenten", "All municipalities"), "value": ALL_GEMEENTEN}]
    options.extend({"label": name, "value": code} for code, name in gemeenten)
    return options


def palette_options(lang: Lang) -> list[dict[str, str]]:
    return [
        {"label": f"{t(lang, *PALETTE_NAMES[p])} ({PALETTES[p].name})", "value": p}
        for p in PALETTES
    ]


def _definition(view: View) -> str:
    return definition(view.indicator.id, view.lang) or view.indicator.definition_nl


def _problem(message: str, lang: Lang) -> html.Div:
    return html.Div(
        className="page kaart",
        children=[
            html.H1(t(lang, "Kaart", "Map")),
            html.Div(
                className="notice",
                role="alert",
                children=[
                    html.P(message),
                    html.P(
                        dcc.Link(
                            t(lang, "Naar de standaardkaart", "Go to the default map"),
                            href=with_lang(dash.get_relative_path(PATH), lang),
                        )
                    ),
                ],
            ),
        ],
    )


def _notice(message: str) -> html.Div:
    return html.Div(className="notice", children=html.P(message))


# --- callbacks ---------------------------------------------------------------------------


@callback(
    output={
        "figure": Output(ids.GRAPH, "figure"),
        "summary": Output(ids.SUMMARY, "children"),
        "title": Output(ids.TITLE, "children"),
        "source": Output(ids.SOURCE, "children"),
        "state": Output(ids.STATE, "data"),
        "search": Output(ids.URL, "search"),
        "api_json": Output(ids.API_JSON, "href"),
        "api_csv": Output(ids.API_CSV, "href"),
        "message": Output(ids.MESSAGE, "children"),
    },
    inputs={
        "indicator": Input(ids.INDICATOR, "value"),
        "jaar": Input(ids.YEAR, "value"),
        "niveau": Input(ids.LEVEL, "value"),
        "gemeente": Input(ids.GEMEENTE, "value"),
        "methode": Input(ids.METHOD, "value"),
        "klassen": Input(ids.CLASSES, "value"),
        "palet": Input(ids.PALETTE, "value"),
    },
    state={"state": State(ids.STATE, "data"), "lang": State(ids.LANG, "data")},
    prevent_initial_call=True,
)
def render_map(
    indicator: str | None,
    jaar: int | None,
    niveau: str | None,
    gemeente: str | None,
    methode: str | None = None,
    klassen: int | None = DEFAULT_CLASSES,
    palet: str | None = None,
    state: dict[str, Any] | None = None,
    lang: str | None = "nl",
) -> dict[str, Any]:
    """Redraw the map for the controls: a value-only ``Patch`` when the geometry in the
    browser stays the same, a full figure otherwise; and put the view in the URL."""
    language = parse_lang(lang)
    try:
        view = resolve_view(
            indicator, jaar, niveau, gemeente,
            methode=methode, klassen=klassen, palet=palet, lang=language,
        )  # fmt: skip
        content = map_content(view)
    except ViewError as e:
        return _unchanged(message=_notice(str(e)))
    except WarehouseUnavailable as e:
        logger.error("map unavailable reason=%s error=%s", e.reason, e)
        return _unchanged(
            message=_notice(
                t(
                    language,
                    "De cijfers zijn op dit moment niet beschikbaar.",
                    "The figures are not available right now.",
                )
            )
        )
    new_state = map_state(content)
    old = state if isinstance(state, dict) else {}
    if old.get("geometry") == new_state["geometry"]:
        figure: Any = patch_figure(
            content.data,
            meta=meta(content),
            names=old.get("vintage") != new_state["vintage"],
            locations=old.get("locations") != new_state["locations"],
        )
    else:
        figure = full_figure(content)
    api, csv = api_urls(content)
    return {
        "figure": figure,
        "summary": content.summary,
        "title": content.title,
        "source": source_text(content, _definition(view)),
        "state": new_state if new_state != old else no_update,
        "search": view.query_string(),
        "api_json": api,
        "api_csv": csv,
        "message": None,
    }


def _unchanged(*, message: Any) -> dict[str, Any]:
    keys = (
        "figure", "summary", "title", "source", "state", "search", "api_json", "api_csv",
    )  # fmt: skip
    return {**dict.fromkeys(keys, no_update), "message": message}


@callback(
    Output(ids.YEAR, "options"),
    Output(ids.YEAR, "value"),
    Input(ids.LEVEL, "value"),
    State(ids.YEAR, "value"),
    prevent_initial_call=True,
)
def update_years(niveau: str | None, jaar: int | None) -> tuple[list[dict[str, Any]], Any]:
    """The years that exist for the chosen level; keeps the chosen year when it exists."""
    try:
        years = queries.vintages(queries.check_level(niveau))
    except (InvalidParameter, WarehouseUnavailable) as e:
        raise PreventUpdate from e
    value = jaar if jaar in years else (years[0] if years else None)
    return year_options(years), value if value != jaar else no_update


@callback(
    Output(ids.GEMEENTE, "options"),
    Output(ids.GEMEENTE, "value"),
    Output(ids.GEMEENTE, "disabled"),
    Input(ids.YEAR, "value"),
    Input(ids.LEVEL, "value"),
    State(ids.GEMEENTE, "value"),
    State(ids.LANG, "data"),
    State(ids.GEMEENTE, "options"),
    prevent_initial_call=True,
)
def update_gemeenten(
    jaar: int | None,
    niveau: str | None,
    gemeente: str | None,
    lang: str | None = "nl",
    current: list[dict[str, str]] | None = None,
) -> tuple[Any, Any, bool]:
    """The gemeenten of the chosen year; disabled on the gemeente level (it shows all)."""
    try:
        frame = queries.gemeenten(queries.check_vintage(jaar)).frame
    except (InvalidParameter, WarehouseUnavailable) as e:
        raise PreventUpdate from e
    gemeenten = tuple((str(c), str(n)) for c, n in zip(frame["code"], frame["name"], strict=True))
    options = gemeente_options(gemeenten, parse_lang(lang))
    if niveau == "gemeente":
        value: str = ALL_GEMEENTEN
    elif gemeente == ALL_GEMEENTEN or gemeente in dict(gemeenten):
        value = str(gemeente)
    else:
        value = gemeenten[0][0] if gemeenten else ALL_GEMEENTEN
    return (
        options if options != current else no_update,
        value if value != gemeente else no_update,
        niveau == "gemeente",
    )


@callback(
    Output(ids.PALETTE, "value"),
    Input(ids.METHOD, "value"),
    State(ids.PALETTE, "value"),
    prevent_initial_call=True,
)
def follow_method(methode: str | None, palet: str | None) -> Any:
    """Standard deviations around the gemeente read best in a diverging palette, the other
    methods in a sequential one: a palette of the wrong kind follows the method."""
    if methode not in METHODS or palet not in PALETTES:
        raise PreventUpdate
    wanted = default_palette(methode)  # type: ignore[arg-type]
    if PALETTES[palet].kind == PALETTES[wanted].kind:
        return no_update
    return wanted
