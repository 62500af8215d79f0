# SPDX-License-Identifier: EUPL-1.2
"""Buurtlens web app: ``BUURTLENS_DATA_DIR=DIR gunicorn app:server``.

A thin factory: the Dash app with its pages, the shell (``components/shell.py``), the HTML
responses (language, framing, 404 status: ``components/responses.py``), the callback error
handler, health and readiness probes, and the geometry route. Pages live in ``pages/``,
data access in ``data/``. Nothing reads the warehouse here: each worker opens it on its
first request.
"""

from __future__ import annotations

import logging
import threading

import dash
from dash import Dash
from flask import Response, jsonify

from api import register_api
from components import responses
from components.choropleth import register_geometry_route
from components.lang import request_lang
from components.shell import ids, shell
from data import queries
from data.i18n import t
from data.settings import get_settings
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

__all__ = ["app", "create_app", "ids", "server"]


def on_callback_error(err: Exception) -> None:
    """Log a failed callback with its inputs and tell the user, instead of a traceback.
    The banner clears itself when the next callback succeeds (``assets/shell.js``)."""
    ctx = dash.callback_context
    logger.error(
        "callback failed triggered=%s args=%s", ctx.triggered_id, ctx.args_grouping, exc_info=err
    )
    lang = request_lang()
    message = (
        t(
            lang,
            "De cijfers zijn op dit moment niet beschikbaar. Probeer het later opnieuw.",
            "The figures are not available right now. Please try again later.",
        )
        if isinstance(err, WarehouseUnavailable)
        else t(
            lang,
            "Er ging iets mis bij het bijwerken. Probeer het opnieuw of laad de pagina opnieuw.",
            "Something went wrong while updating. Please try again or reload the page.",
        )
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
        title=settings.site_name,
        update_title=None,
        on_error=on_callback_error,
        compress=True,
    )
    app.layout = shell
    responses.install(app)
    serialise_first_request_setup(app)
    app.server.add_url_rule("/health", "health", health)
    app.server.add_url_rule("/ready", "ready", ready)
    register_geometry_route(app)
    register_api(app.server, root=app.config.routes_pathname_prefix)
    return app


app = create_app()
server = app.server
