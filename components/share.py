# SPDX-License-Identifier: EUPL-1.2
"""Share, download and open-data links under a chart, the same for every chart.

``share_tools("kaart", graph_id=..., api_url=..., filename=..., lang=...)`` gives:

* a "Deel" button that copies the page's current URL (which holds the whole view) to the
  clipboard, says so in a live region, and shows the link in a field for manual copying
  (needed where the browser refuses clipboard access, e.g. plain http on an intranet);
* PNG and SVG download buttons: Plotly renders the image in the browser, no server and no
  network involved;
* links to the open-data API call that returns the chart's figures, as JSON and as CSV.

All ids are pattern-matching dicts keyed by the chart's name, so one set of clientside
callbacks (``assets/share.js``) serves every chart on every page.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

import dash
from dash import MATCH, ClientsideFunction, Input, Output, clientside_callback, dcc, html

from data.i18n import Lang, t

SHARE: Final = "bl-share"
STATUS: Final = "bl-share-status"
LINK: Final = "bl-share-link"
LINK_WRAP: Final = "bl-share-link-wrap"
API: Final = "bl-share-api"


class ids:  # pattern-matching ids (HOUSE-STYLE 4); lower case as a namespace
    @staticmethod
    def action(chart: str, action: str) -> dict[str, str]:
        """``action`` is ``copy``, ``png`` or ``svg``."""
        return {"type": SHARE, "chart": chart, "action": action}

    @staticmethod
    def status(chart: str) -> dict[str, str]:
        return {"type": STATUS, "chart": chart}

    @staticmethod
    def link(chart: str) -> dict[str, str]:
        return {"type": LINK, "chart": chart}

    @staticmethod
    def link_wrap(chart: str) -> dict[str, str]:
        return {"type": LINK_WRAP, "chart": chart}

    @staticmethod
    def api(chart: str, fmt: str) -> dict[str, str]:
        """``fmt`` is ``json`` or ``csv``."""
        return {"type": API, "chart": chart, "format": fmt}


def values_api_url(
    indicator: str, level: str, year: int, gemeente: str | None, *, fmt: str = "json"
) -> str:
    """The open-data API call behind a map (``GET /api/v1/values``).

    >>> values_api_url("inwoners", "buurt", 2024, "GM0392")  # doctest: +SKIP
    '/api/v1/values?indicator=inwoners&level=buurt&year=2024&gemeente=GM0392'
    """
    params: dict[str, str | int] = {"indicator": indicator, "level": level, "year": year}
    if gemeente:
        params["gemeente"] = gemeente
    if fmt == "csv":
        params["format"] = "csv"
    return dash.get_relative_path("/api/v1/values") + "?" + urlencode(params)


def graph_config(filename: str, lang: Lang, *, scroll_zoom: bool = False) -> dict[str, Any]:
    """``dcc.Graph(config=...)``: no Plotly logo, no selection tools, and the modebar's
    camera button saves a PNG named after the view."""
    return {
        "displaylogo": False,
        "scrollZoom": scroll_zoom,
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "locale": "nl" if lang == "nl" else "en",
    }


def share_tools(
    chart: str,
    *,
    graph_id: str,
    api_url: str,
    csv_url: str,
    filename: str,
    lang: Lang,
    share: bool = True,
) -> html.Div:
    """The tool row under a chart; ``share=False`` leaves out the share button (embeds)."""
    children: list[Any] = []
    if share:
        children.append(
            html.Button(
                t(lang, "Deel deze weergave", "Share this view"),
                id=ids.action(chart, "copy"),
                type="button",
                className="tool-button",
            )
        )
    children.extend(
        [
            html.Button(
                t(lang, "Download als PNG", "Download as PNG"),
                id=ids.action(chart, "png"),
                type="button",
                className="tool-button",
            ),
            html.Button(
                t(lang, "Download als SVG", "Download as SVG"),
                id=ids.action(chart, "svg"),
                type="button",
                className="tool-button",
            ),
            html.A(
                t(lang, "Cijfers via de API (JSON)", "Figures from the API (JSON)"),
                id=ids.api(chart, "json"),
                href=api_url,
                className="tool-link",
            ),
            html.A(
                "CSV",
                id=ids.api(chart, "csv"),
                href=csv_url,
                className="tool-link",
                **{"aria-label": t(lang, "Cijfers als CSV-bestand", "Figures as a CSV file")},
            ),
        ]
    )
    return html.Div(
        className="share-tools",
        role="group",
        **{
            "aria-label": t(lang, "Delen en downloaden", "Share and download"),
            "data-graph": graph_id,
            "data-filename": filename,
            "data-copied": t(lang, "De link is gekopieerd.", "The link has been copied."),
            "data-copy-failed": t(
                lang,
                "Kopiëren lukte niet automatisch: kopieer de link hieronder.",
                "Copying did not work automatically: copy the link below.",
            ),
            "data-downloading": t(
                lang, "De afbeelding wordt gedownload.", "Downloading the image."
            ),
        },
        children=[
            html.Div(className="tool-row", children=children),
            html.P(
                id=ids.status(chart),
                className="tool-status",
                role="status",
                **{"aria-live": "polite"},
            ),
            html.Div(
                id=ids.link_wrap(chart),
                className="share-link",
                hidden=True,
                # The field inside its label: named without an id reference.
                children=html.Label(
                    [
                        html.Span(t(lang, "Link naar deze weergave", "Link to this view")),
                        dcc.Input(id=ids.link(chart), type="url", readOnly=True, value=""),
                    ]
                ),
            ),
        ],
    )


# One set of callbacks for every chart (MATCH on the chart's name); the work is done in
# the browser (assets/share.js): the clipboard and Plotly's image export are client-side.
clientside_callback(
    ClientsideFunction(namespace="buurtlens", function_name="share"),
    Output(ids.status(MATCH), "children"),
    Output(ids.link(MATCH), "value"),
    Output(ids.link_wrap(MATCH), "hidden"),
    Input(ids.action(MATCH, "copy"), "n_clicks"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="buurtlens", function_name="download"),
    Output(ids.status(MATCH), "children", allow_duplicate=True),
    Input(ids.action(MATCH, "png"), "n_clicks"),
    Input(ids.action(MATCH, "svg"), "n_clicks"),
    prevent_initial_call=True,
)
