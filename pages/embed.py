# SPDX-License-Identifier: EUPL-1.2
"""Embed: one map, without navigation, for an iframe in a council document or intranet page.

``/embed/kaart?<the map's query>`` shows the view of ``/kaart?<same query>`` with its legend,
summary, table alternative and source, and a link to the full view; no header, menu or
footer (the shell leaves them out on ``/embed/...``). Which sites may frame it is set with
``BUURTLENS_EMBED_ALLOWED_ORIGINS`` (CSP ``frame-ancestors``). A click on an area opens its
profile in a new tab, so the embedding page stays where it is.

    <iframe src="https://buurtlens.example.nl/embed/kaart?indicator=inwoners&jaar=2024"
            title="Inwoners per wijk" width="100%" height="640"></iframe>
"""

from __future__ import annotations

import logging
from typing import Any, Final
from urllib.parse import urlencode

import dash
from dash import html

from components.lang import page_title
from components.mapview import map_panel
from data.i18n import parse_lang, t
from data.mapview import ViewError, definition, map_content, resolve_view
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

PATH: Final = "/embed/kaart"
MAP: Final = "embed"


def http_status(**query: object) -> int:
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
    name="Ingesloten kaart",
    title=page_title("Kaart", "Map"),
    description="Een kaart zonder menu, om in een andere website op te nemen.",
    nav=False,
    http_status=http_status,
)


def _view_args(query: dict[str, Any]) -> tuple[object, ...]:
    return tuple(query.get(k) for k in ("indicator", "jaar", "niveau", "gemeente"))


def _class_args(query: dict[str, Any]) -> dict[str, object]:
    return {k: query.get(k) for k in ("methode", "klassen", "palet")}


def layout(**query: Any) -> html.Div:
    lang = parse_lang(query.get("lang"))
    try:
        view = resolve_view(*_view_args(query), **_class_args(query), lang=lang)
        content = map_content(view)
    except ViewError as e:
        return _problem(str(e), lang)
    except WarehouseUnavailable as e:
        logger.error("embed unavailable reason=%s error=%s", e.reason, e)
        return _problem(
            t(lang, "De cijfers zijn nu niet beschikbaar.", "The figures are unavailable now."),
            lang,
        )
    text = definition(view.indicator.id, lang) or view.indicator.definition_nl
    full = dash.get_relative_path("/kaart") + "?" + urlencode(view.query())
    return html.Div(
        className="page embed",
        children=[
            *map_panel(MAP, content, definition=text, embed=True),
            html.P(
                html.A(
                    t(lang, "Open deze kaart op de hele site", "Open this map on the full site"),
                    href=full,
                    target="_blank",
                    rel="noopener",
                ),
                className="embed-link",
            ),
        ],
    )


def _problem(message: str, lang: str) -> html.Div:
    return html.Div(
        className="page embed",
        children=html.Div(
            className="notice",
            role="alert",
            children=[
                html.P(message),
                html.P(
                    html.A(
                        t(lang, "Naar de kaart", "Go to the map"),  # type: ignore[arg-type]
                        href=dash.get_relative_path("/kaart"),
                        target="_blank",
                        rel="noopener",
                    )
                ),
            ],
        ),
    )
