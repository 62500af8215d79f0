# SPDX-License-Identifier: EUPL-1.2
"""Buurtlens web app: ``BUURTLENS_DATA_DIR=DIR gunicorn app:server``.

A thin factory: the Dash app with its pages, the shell, the callback error handler, health
and readiness probes, and the geometry route. Pages live in ``pages/``, data access in
``data/``. Nothing reads the warehouse here: each worker opens it on its first request.
"""

from __future__ import annotations

import logging
import threading

import dash
from dash import Dash, dcc, html
from flask import Response, jsonify

from components.choropleth import register_geometry_route
from data import queries
from data.settings import get_settings
from data.warehouse import WarehouseError, WarehouseUnavailable

logger = logging.getLogger(__name__)

INDEX_STRING = """<!DOCTYPE html>
<html lang="nl">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>
<noscript>Buurtlens heeft JavaScript nodig om kaarten te tonen.</noscript>
{%app_entry%}{%config%}{%scripts%}{%renderer%}
</body>
</html>"""


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    MAIN = "main"
    ALERT = "shell-alert"


def shell() -> html.Div:
    """The frame around every page; a function, so the footer shows the current version."""
    try:
        version = f"Gegevensversie {queries.data_version()}"
    except WarehouseError:
        version = "Gegevens op dit moment niet beschikbaar"
    nav = [
        html.Li(dcc.Link(page["name"], href=page["relative_path"]))
        for page in dash.page_registry.values()
    ]
    return html.Div(
        className="shell",
        children=[
            html.A("Naar de inhoud", href=f"#{ids.MAIN}", className="skip-link"),
            html.Header(
                className="site-header",
                children=[
                    dcc.Link("Buurtlens", href=dash.get_relative_path("/"), className="brand"),
                    html.Nav(html.Ul(nav), **{"aria-label": "Hoofdmenu"}),
                ],
            ),
            html.Div(id=ids.ALERT, role="alert", className="shell-alert"),
            html.Main(dash.page_container, id=ids.MAIN, tabIndex="-1"),
            html.Footer(className="site-footer", children=html.P(f"Buurtlens · {version}")),
        ],
    )


def on_callback_error(err: Exception) -> None:
    """Log a failed callback with its inputs and tell the user, instead of a traceback."""
    ctx = dash.callback_context
    logger.error(
        "callback failed triggered=%s args=%s", ctx.triggered_id, ctx.args_grouping, exc_info=err
    )
    message = (
        "De cijfers zijn op dit moment niet beschikbaar. Probeer het later opnieuw."
        if isinstance(err, WarehouseUnavailable)
        else "Er ging iets mis bij het bijwerken. Probeer het opnieuw of laad de pagina opnieuw."
    )
    dash.set_props(ids.ALERT, {"children": message})


def health() -> Response:
    """Liveness: the process serves requests."""
    return jsonify({"status": "ok"})


def ready() -> tuple[Response, int]:
    """Readiness: the warehouse is open and of a known schema."""
    try:
        info = queries.warehouse_info()
    except WarehouseUnavailable as e:
        logger.warning("not ready reason=%s error=%s", e.reason, e)
        return jsonify({"status": "unavailable", "reason": e.reason}), 503
    body = {"status": "ready", "data_version": info.data_version, "built_at": info.built_at}
    return jsonify({**body, "schema_version": info.schema_version}), 200


def serialise_first_request_setup(app: Dash) -> None:
    """Dash sets itself up on a worker's first request behind a flag that is set before the
    work is done, without a lock: with threaded workers a concurrent first request skips
    the setup and fails ("dash is not a registered library", plotly/dash#3971). Run that
    setup under a lock, ahead of Dash's own hook."""
    lock = threading.Lock()

    def setup() -> None:
        with lock:
            app._setup_server()

    app.server.before_request_funcs.setdefault(None, []).insert(0, setup)


def create_app() -> Dash:
    """Build the app; fails fast (naming the variable) when the settings are wrong."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s %(message)s")
    app = Dash(
        __name__,
        use_pages=True,
        suppress_callback_exceptions=True,
        title="Buurtlens",
        update_title=None,
        index_string=INDEX_STRING,
        on_error=on_callback_error,
        compress=True,
    )
    app.layout = shell
    serialise_first_request_setup(app)
    app.server.add_url_rule("/health", "health", health)
    app.server.add_url_rule("/ready", "ready", ready)
    register_geometry_route(app)
    return app


app = create_app()
server = app.server
