# SPDX-License-Identifier: EUPL-1.2
"""The map panel shared by ``/kaart`` and ``/embed/kaart``: title, source, the map, its
legend, a text summary and a table alternative, and the share/download tools.

Ids are pattern-matching dicts keyed by the panel's name, so the clientside callbacks below
(implemented in ``assets/kaart.js``) serve every map:

* ``fitMap`` fits the view to the areas at the graph's real size, once per geometry;
* ``renderLegend`` and ``renderTable`` write the legend (class bounds and counts) and the
  table alternative from the figure itself (names, figures and ranks are in the trace,
  the legend and the texts in ``layout.meta``), so a value-only ``Patch`` also updates
  them without the server sending any HTML;
* ``openArea`` opens an area's profile when it is clicked (in the app: an in-app
  navigation; in an embed: a new tab).
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import dash
from dash import MATCH, ClientsideFunction, Input, Output, State, clientside_callback, dcc, html

from components.choropleth import build_figure, geometry_key
from components.share import graph_config, share_tools, values_api_url
from data.i18n import t, with_lang
from data.mapview import MapContent
from data.settings import get_settings

GRAPH: Final = "bl-map-graph"
STATE: Final = "bl-map-state"
FIT: Final = "bl-map-fit"
OPENED: Final = "bl-map-opened"
TITLE: Final = "bl-map-title"
SOURCE: Final = "bl-map-source"
LEGEND: Final = "bl-map-legend"
SUMMARY: Final = "bl-map-summary"
TABLE: Final = "bl-map-table"


class ids:  # pattern-matching ids (HOUSE-STYLE 4); lower case as a namespace
    @staticmethod
    def of(kind: str, name: str) -> dict[str, str]:
        return {"type": kind, "map": name}

    @staticmethod
    def dom(kind: str, name: str) -> str:
        """The DOM id Dash gives the component (keys sorted, JSON): for ``aria-*`` links."""
        return '{"map":"' + name + '","type":"' + kind + '"}'


def profile_path(content: MapContent) -> str:
    """The profile URL of an area in this view, with ``{code}`` for the area's code."""
    path = dash.get_relative_path("/gebied/") + "{code}" + f"?jaar={content.view.vintage}"
    return with_lang(path, content.view.lang)


def meta(content: MapContent, *, embed: bool = False) -> dict[str, Any]:
    """``layout.meta`` of the figure: the table's texts and how a click opens a profile."""
    return {**content.table_meta(profile_path(content)), "newtab": embed}


def state(content: MapContent) -> dict[str, Any]:
    """What the next callback (and assets/kaart.js) need to know about the figure shown."""
    bbox = content.geometry.bbox
    return {
        "geometry": geometry_key(content.geometry),
        "vintage": content.view.vintage,
        "locations": _locations_key(content.data.locations),
        "bbox": [bbox.west, bbox.south, bbox.east, bbox.north],
    }


def _locations_key(locations: list[str]) -> str:
    """Identifies the list of areas: equal keys let a Patch leave ``locations`` out."""
    return hashlib.sha1("\n".join(locations).encode(), usedforsecurity=False).hexdigest()[:16]


def figure(content: MapContent, *, embed: bool = False) -> dict[str, Any]:
    """The full figure of a view (a new geometry, or the first render)."""
    settings = get_settings()
    return build_figure(
        content.data,
        geometry=content.geometry,
        meta=meta(content, embed=embed),
        tile_url=settings.tile_url,
        tile_attribution=settings.tile_attribution,
    )


def source_text(content: MapContent, definition: str) -> str:
    """Definition, source, licence and period: the line under the map's title."""
    ind, lang = content.view.indicator, content.view.lang
    period = t(lang, f" Periode: {content.period}.", f" Period: {content.period}.")
    return (
        f"{definition} "
        + t(lang, "Bron: ", "Source: ")
        + f"{ind.source} ({ind.licence})."
        + (period if content.period else "")
    )


def api_urls(content: MapContent) -> tuple[str, str]:
    """The open data API calls (JSON, CSV) that return exactly the figures on the map."""
    v = content.view
    return (
        values_api_url(v.indicator.id, v.level, v.vintage, v.gemeente),
        values_api_url(v.indicator.id, v.level, v.vintage, v.gemeente, fmt="csv"),
    )


def filename(content: MapContent) -> str:
    """File name (without extension) of a downloaded image of the view."""
    v = content.view
    return f"{v.indicator.id}_{v.level}_{v.gemeente or 'alle'}_{v.vintage}"


def map_panel(name: str, content: MapContent, *, definition: str, embed: bool = False) -> list[Any]:
    """Title, source, map, tools, legend, summary and table of one map view."""
    lang = content.view.lang
    api, csv = api_urls(content)
    graph_dom = ids.dom(GRAPH, name)
    return [
        dcc.Store(id=ids.of(STATE, name), data=state(content)),
        dcc.Store(id=ids.of(FIT, name)),
        dcc.Store(id=ids.of(OPENED, name)),
        # An embed is a page of its own: its title is the page's heading.
        (html.H1 if embed else html.H2)(
            content.title, id=ids.of(TITLE, name), className="map-title"
        ),
        html.P(source_text(content, definition), id=ids.of(SOURCE, name), className="source"),
        # <figure>: named by the title, described by the summary.
        html.Figure(
            className="map-wrap",
            **{
                "aria-labelledby": ids.dom(TITLE, name),
                "aria-describedby": ids.dom(SUMMARY, name),
            },
            children=dcc.Graph(
                id=ids.of(GRAPH, name),
                figure=figure(content, embed=embed),
                className="map-graph",
                config=graph_config(filename(content), lang, scroll_zoom=not embed),
            ),
        ),
        share_tools(
            name,
            graph_id=graph_dom,
            api_url=api,
            csv_url=csv,
            filename=filename(content),
            lang=lang,
            share=not embed,
        ),
        # Legend and table are drawn in the browser from the figure (assets/kaart.js).
        html.Div(id=ids.of(LEGEND, name), className="legend-wrap"),
        html.P(content.summary, id=ids.of(SUMMARY, name), className="summary"),
        html.Details(
            className="table-details",
            open=False,
            children=[
                html.Summary(t(lang, "Tabel met alle cijfers", "Table with all figures")),
                html.Div(id=ids.of(TABLE, name), className="table-scroll"),
            ],
        ),
    ]


# Fit the view to the graph's real size whenever a new geometry is shown.
clientside_callback(
    ClientsideFunction(namespace="buurtlens", function_name="fitMap"),
    Output(ids.of(FIT, MATCH), "data"),
    Input(ids.of(STATE, MATCH), "data"),
    State(ids.of(GRAPH, MATCH), "id"),
)

# The legend, from the figure (also after a Patch).
clientside_callback(
    ClientsideFunction(namespace="buurtlens", function_name="renderLegend"),
    Output(ids.of(LEGEND, MATCH), "children"),
    Input(ids.of(GRAPH, MATCH), "figure"),
)

# The table alternative, from the figure (also after a Patch).
clientside_callback(
    ClientsideFunction(namespace="buurtlens", function_name="renderTable"),
    Output(ids.of(TABLE, MATCH), "children"),
    Input(ids.of(GRAPH, MATCH), "figure"),
)

# A click on an area opens its profile.
clientside_callback(
    ClientsideFunction(namespace="buurtlens", function_name="openArea"),
    Output(ids.of(OPENED, MATCH), "data"),
    Input(ids.of(GRAPH, MATCH), "clickData"),
    State(ids.of(GRAPH, MATCH), "figure"),
    prevent_initial_call=True,
)
