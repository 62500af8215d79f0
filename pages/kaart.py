# SPDX-License-Identifier: EUPL-1.2
"""Kaart: how does one figure differ between the areas of my gemeente?

The question this page answers, for an area manager, a councillor or a resident: "How does
<indicator> vary across the wijken (or buurten, or gemeenten) of <gemeente> in <year>, and
where is it highest or lowest?" It shows a choropleth map with a legend, a text summary and
a table alternative. Every view is a link: indicator, year, level and gemeente are query
parameters (``/kaart?indicator=inwoners&jaar=2024&niveau=wijk&gemeente=GM0392``), and the
URL follows the controls.

Switching the indicator on the same geometry sends only new values (a ``dash.Patch``); a
new year, level or gemeente sends a new figure that references another cached geometry URL.
"""

from __future__ import annotations

import logging
from typing import Any, Final, NamedTuple
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from components.choropleth import (
    ALL_GEMEENTEN,
    build_figure,
    geometry_key,
    legend,
    patch_figure,
    values_table,
)
from data import queries, shaping
from data.queries import GeometryInfo, IndicatorMeta, InvalidParameter, Level, NotFound
from data.settings import get_settings
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

PATH: Final = "/kaart"
DEFAULT_LEVEL: Final[Level] = "wijk"
LEVEL_LABELS: Final[dict[str, str]] = {
    "gemeente": "Gemeenten",
    "wijk": "Wijken",
    "buurt": "Buurten",
}

dash.register_page(
    __name__,
    path=PATH,
    name="Kaart",
    title="Kaart – Buurtlens",
    description="Kaart van een cijfer per gemeente, wijk of buurt, met tabel en toelichting.",
    order=1,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    """Component ids of this page."""

    URL = "kaart-url"
    STATE = "kaart-state"
    INDICATOR = "kaart-indicator"
    YEAR = "kaart-jaar"
    LEVEL = "kaart-niveau"
    GEMEENTE = "kaart-gemeente"
    TITLE = "kaart-title"
    SOURCE = "kaart-source"
    MESSAGE = "kaart-message"
    GRAPH = "kaart-graph"
    LEGEND = "kaart-legend"
    SUMMARY = "kaart-summary"
    TABLE = "kaart-table"
    FIT = "kaart-fit"


class ViewError(Exception):
    """The URL or the controls name no existing view; the message is for the user."""


# NamedTuple rather than a dataclass: Dash executes page modules before registering them in
# sys.modules, and dataclasses look their module up there.
class View(NamedTuple):
    """One fully resolved map view: what the URL means, with its defaults filled in."""

    indicator: IndicatorMeta
    vintage: int
    level: Level
    gemeente: str | None  # None: every gemeente
    place: str
    vintages: tuple[int, ...]
    gemeenten: tuple[tuple[str, str], ...]  # (code, name) of the vintage's gemeenten

    def query_string(self) -> str:
        """The URL query that reproduces this view."""
        params = {"indicator": self.indicator.id, "jaar": self.vintage, "niveau": self.level}
        if self.level != "gemeente":
            params["gemeente"] = self.gemeente or ALL_GEMEENTEN
        return "?" + urlencode(params)


class MapContent(NamedTuple):
    """Everything shown for a view, computed from the warehouse."""

    view: View
    data: shaping.ChoroplethData
    geometry: GeometryInfo
    title: str
    summary: str
    rows: list[tuple[str, str, str]]
    period: str | None


# --- resolving the URL -------------------------------------------------------------------


def resolve_view(
    indicator: object = None, jaar: object = None, niveau: object = None, gemeente: object = None
) -> View:
    """Validate URL or control values and fill in defaults; :class:`ViewError` otherwise."""
    for name, value in (
        ("indicator", indicator),
        ("jaar", jaar),
        ("niveau", niveau),
        ("gemeente", gemeente),
    ):
        if isinstance(value, list):
            raise ViewError(f"De link noemt ‘{name}’ meer dan eens.")

    try:
        level = queries.check_level(niveau or DEFAULT_LEVEL)
    except InvalidParameter as e:
        raise ViewError(f"Het niveau ‘{niveau}’ bestaat niet; kies gemeente, wijk of buurt.") from e

    meta = _indicator(indicator)

    years = tuple(queries.vintages(level))
    if not years:
        raise ViewError(f"Er zijn nog geen cijfers per {level}.")
    if jaar in (None, ""):
        vintage = years[0]
    else:
        try:
            vintage = queries.check_vintage(jaar)
        except InvalidParameter as e:
            raise ViewError(f"‘{jaar}’ is geen jaartal.") from e
        if vintage not in years:
            available = ", ".join(str(y) for y in years)
            plural = shaping.LEVEL_PLURAL_NL[level]
            raise ViewError(
                f"Voor {vintage} zijn er geen {plural}. Beschikbare jaren: {available}."
            )

    frame = queries.gemeenten(vintage).frame
    gemeenten = tuple((str(c), str(n)) for c, n in zip(frame["code"], frame["name"], strict=True))
    names = dict(gemeenten)
    if level == "gemeente" or gemeente == ALL_GEMEENTEN:
        code: str | None = None
    elif gemeente in (None, ""):
        code = gemeenten[0][0] if gemeenten else None
    elif gemeente in names:
        code = str(gemeente)
    else:
        raise ViewError(f"De gemeente ‘{gemeente}’ bestaat niet in {vintage}.")
    place = names[code] if code else "alle gemeenten"
    return View(meta, vintage, level, code, place, years, gemeenten)


def _indicator(indicator: object) -> IndicatorMeta:
    if indicator not in (None, ""):
        try:
            return queries.indicator(str(indicator))
        except (InvalidParameter, NotFound) as e:
            raise ViewError(f"De indicator ‘{indicator}’ kennen we niet.") from e
    try:
        return queries.indicator(get_settings().default_indicator)
    except NotFound:
        catalogue = queries.list_indicators().frame
        if catalogue.empty:
            raise ViewError("Er zijn nog geen indicatoren.") from None
        return queries.indicator(str(catalogue["id"].iloc[0]))


def map_content(view: View) -> MapContent:
    """Values, classes, texts and geometry reference for ``view``."""
    ind = view.indicator
    frame = queries.values(ind.id, view.level, view.vintage, view.gemeente).frame
    geometry = queries.geometry_info(view.vintage, view.level, view.gemeente)
    data = shaping.choropleth_data(frame, decimals=ind.decimals, unit=ind.unit)
    period = (
        None if frame.empty or pd.isna(frame["period"].iloc[0]) else str(frame["period"].iloc[0])
    )
    title = f"{ind.label_nl} per {view.level} – {view.place}, {view.vintage}"
    summary = shaping.summary_text(
        frame,
        label=ind.label_nl,
        level=view.level,
        place=view.place,
        year=view.vintage,
        decimals=ind.decimals,
        unit=ind.unit,
    )
    rows = shaping.table_rows(frame, decimals=ind.decimals, unit=ind.unit)
    return MapContent(view, data, geometry, title, summary, rows, period)


# --- layout ------------------------------------------------------------------------------


def layout(
    indicator: str | None = None,
    jaar: str | None = None,
    niveau: str | None = None,
    gemeente: str | None = None,
    **_ignored: object,
) -> html.Div:
    """The map page for the view in the URL (or a friendly message for a wrong URL)."""
    try:
        view = resolve_view(indicator, jaar, niveau, gemeente)
        content = map_content(view)
        catalogue = queries.list_indicators().frame
    except ViewError as e:
        return _problem(str(e))
    except WarehouseUnavailable as e:
        logger.error("map unavailable reason=%s error=%s", e.reason, e)
        return _problem(
            "De cijfers zijn op dit moment niet beschikbaar. Probeer het later opnieuw."
        )
    settings = get_settings()
    figure = build_figure(
        content.data,
        geometry=content.geometry,
        tile_url=settings.tile_url,
        tile_attribution=settings.tile_attribution,
    )
    return html.Div(
        className="page kaart",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.STATE, data=_state(content)),
            dcc.Store(id=ids.FIT),
            html.H1("Kaart"),
            _controls(view, catalogue),
            html.Div(id=ids.MESSAGE, className="message", role="status"),
            html.H2(content.title, id=ids.TITLE),
            html.P(_source(content), id=ids.SOURCE, className="source"),
            html.Div(
                className="map-wrap",
                role="figure",
                **{"aria-labelledby": ids.TITLE, "aria-describedby": ids.SUMMARY},
                children=dcc.Graph(
                    id=ids.GRAPH,
                    figure=figure,
                    className="map-graph",
                    config={
                        "displaylogo": False,
                        "scrollZoom": True,
                        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                    },
                ),
            ),
            html.Div(id=ids.LEGEND, children=_legend(content)),
            html.P(content.summary, id=ids.SUMMARY, className="summary"),
            html.Details(
                className="table-details",
                children=[
                    html.Summary("Tabel met alle cijfers"),
                    html.Div(id=ids.TABLE, children=_table(content)),
                ],
            ),
        ],
    )


def _controls(view: View, catalogue: pd.DataFrame) -> html.Div:
    return html.Div(
        className="controls",
        role="group",
        **{"aria-label": "Wat de kaart toont"},
        children=[
            _field(
                "Indicator",
                ids.INDICATOR,
                dcc.Dropdown(
                    id=ids.INDICATOR,
                    options=indicator_options(catalogue),
                    value=view.indicator.id,
                    clearable=False,
                    maxHeight=320,
                ),
                wide=True,
            ),
            html.Fieldset(
                className="field",
                children=[
                    html.Legend("Niveau"),
                    dcc.RadioItems(
                        id=ids.LEVEL,
                        options=[{"label": v, "value": k} for k, v in LEVEL_LABELS.items()],
                        value=view.level,
                        inline=True,
                        className="radio-row",
                    ),
                ],
            ),
            _field(
                "Jaar",
                ids.YEAR,
                dcc.Dropdown(
                    id=ids.YEAR,
                    options=year_options(view.vintages),
                    value=view.vintage,
                    clearable=False,
                    searchable=False,
                ),
            ),
            _field(
                "Gemeente",
                ids.GEMEENTE,
                dcc.Dropdown(
                    id=ids.GEMEENTE,
                    options=gemeente_options(view.gemeenten),
                    value=view.gemeente or ALL_GEMEENTEN,
                    clearable=False,
                    disabled=view.level == "gemeente",
                ),
            ),
        ],
    )


def _field(label: str, control_id: str, control: Any, *, wide: bool = False) -> html.Div:
    return html.Div(
        className="field field-wide" if wide else "field",
        children=[html.Label(label, htmlFor=control_id), control],
    )


def indicator_options(catalogue: pd.DataFrame) -> list[dict[str, Any]]:
    """Dropdown options grouped by theme: a disabled theme heading, then its indicators."""
    options: list[dict[str, Any]] = []
    for theme, group in catalogue.groupby("theme", sort=True):
        options.append(
            {
                "label": html.Strong(str(theme), className="option-group"),
                "value": f"__thema__{theme}",
                "disabled": True,
                "search": "",
            }
        )
        options.extend(
            {"label": str(label), "value": str(ind_id), "search": f"{label} {theme}"}
            for ind_id, label in zip(group["id"], group["label_nl"], strict=True)
        )
    return options


def year_options(years: tuple[int, ...] | list[int]) -> list[dict[str, Any]]:
    return [{"label": str(y), "value": y} for y in years]


def gemeente_options(gemeenten: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    options = [{"label": "Alle gemeenten", "value": ALL_GEMEENTEN}]
    options.extend({"label": name, "value": code} for code, name in gemeenten)
    return options


def _state(content: MapContent) -> dict[str, Any]:
    """What the next callback (and assets/kaart.js) need to know about the figure shown."""
    bbox = content.geometry.bbox
    return {
        "geometry": geometry_key(content.geometry),
        "data_version": content.geometry.data_version,
        "bbox": [bbox.west, bbox.south, bbox.east, bbox.north],
    }


def _legend(content: MapContent) -> html.Div:
    ind = content.view.indicator
    shown_unit = f"({ind.unit})"
    title = ind.label_nl if shown_unit in ind.label_nl else f"{ind.label_nl} {shown_unit}"
    return legend(content.data.legend, title=title)


def _table(content: MapContent) -> html.Table:
    view = content.view
    caption = f"{view.indicator.label_nl} per {view.level}, {view.place}, {view.vintage}"
    return values_table(content.rows, caption=caption, area_header=view.level.capitalize())


def _source(content: MapContent) -> str:
    ind = content.view.indicator
    period = f" Periode: {content.period}." if content.period else ""
    return f"{ind.definition_nl} Bron: {ind.source} ({ind.licence}).{period}"


def _problem(message: str) -> html.Div:
    return html.Div(
        className="page kaart",
        children=[
            html.H1("Kaart"),
            html.Div(
                className="notice",
                role="alert",
                children=[
                    html.P(message),
                    html.P(dcc.Link("Naar de standaardkaart", href=dash.get_relative_path(PATH))),
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
        "legend": Output(ids.LEGEND, "children"),
        "summary": Output(ids.SUMMARY, "children"),
        "table": Output(ids.TABLE, "children"),
        "title": Output(ids.TITLE, "children"),
        "source": Output(ids.SOURCE, "children"),
        "state": Output(ids.STATE, "data"),
        "search": Output(ids.URL, "search"),
        "message": Output(ids.MESSAGE, "children"),
    },
    inputs={
        "indicator": Input(ids.INDICATOR, "value"),
        "jaar": Input(ids.YEAR, "value"),
        "niveau": Input(ids.LEVEL, "value"),
        "gemeente": Input(ids.GEMEENTE, "value"),
    },
    state={"state": State(ids.STATE, "data")},
    prevent_initial_call=True,
)
def render_map(
    indicator: str | None,
    jaar: int | None,
    niveau: str | None,
    gemeente: str | None,
    state: dict[str, Any] | None,
) -> dict[str, Any]:
    """Redraw the map for the controls: a value-only ``Patch`` when the geometry in the
    browser stays the same, a full figure otherwise; and put the view in the URL."""
    try:
        content = map_content(resolve_view(indicator, jaar, niveau, gemeente))
    except ViewError as e:
        return _unchanged(message=_notice(str(e)))
    except WarehouseUnavailable as e:
        logger.error("map unavailable reason=%s error=%s", e.reason, e)
        return _unchanged(message=_notice("De cijfers zijn op dit moment niet beschikbaar."))
    same_geometry = isinstance(state, dict) and state.get("geometry") == geometry_key(
        content.geometry
    )
    if same_geometry:
        figure: Any = patch_figure(content.data)
    else:
        settings = get_settings()
        figure = build_figure(
            content.data,
            geometry=content.geometry,
            tile_url=settings.tile_url,
            tile_attribution=settings.tile_attribution,
        )
    return {
        "figure": figure,
        "legend": _legend(content),
        "summary": content.summary,
        "table": _table(content),
        "title": content.title,
        "source": _source(content),
        "state": _state(content),
        "search": content.view.query_string(),
        "message": None,
    }


def _unchanged(*, message: Any) -> dict[str, Any]:
    keys = ("figure", "legend", "summary", "table", "title", "source", "state", "search")
    return {**dict.fromkeys(keys, no_update), "message": message}


# Fit the view to the graph's real size whenever a new geometry is shown (assets/kaart.js).
clientside_callback(
    ClientsideFunction(namespace="buurtlens", function_name="fitMap"),
    Output(ids.FIT, "data"),
    Input(ids.STATE, "data"),
    State(ids.GRAPH, "id"),
)


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
    prevent_initial_call=True,
)
def update_gemeenten(
    jaar: int | None, niveau: str | None, gemeente: str | None
) -> tuple[list[dict[str, str]], Any, bool]:
    """The gemeenten of the chosen year; disabled on the gemeente level (it shows all)."""
    try:
        frame = queries.gemeenten(queries.check_vintage(jaar)).frame
    except (InvalidParameter, WarehouseUnavailable) as e:
        raise PreventUpdate from e
    gemeenten = tuple((str(c), str(n)) for c, n in zip(frame["code"], frame["name"], strict=True))
    options = gemeente_options(gemeenten)
    if niveau == "gemeente":
        value: str = ALL_GEMEENTEN
    elif gemeente == ALL_GEMEENTEN or gemeente in dict(gemeenten):
        value = str(gemeente)
    else:
        value = gemeenten[0][0] if gemeenten else ALL_GEMEENTEN
    return options, value if value != gemeente else no_update, niveau == "gemeente"
