# SPDX-License-Identifier: EUPL-1.2
"""What the HTML page responses say beyond Dash's defaults.

* ``<html lang>`` follows ``?lang=``, and embed pages get ``<body class="embed">``.
* Framing: ``Content-Security-Policy: frame-ancestors 'self'`` on every response, and on
  ``/embed/...`` also the origins in ``BUURTLENS_EMBED_ALLOWED_ORIGINS``.
* Status: Dash answers every path with its single-page HTML and status 200. Here an unknown
  path gets 404, and so does a page whose query names something that does not exist, when
  the page registered a ``http_status(**query) -> int`` (e.g. ``/kaart?indicator=weg``).
  The page itself still renders its friendly explanation; the status is for crawlers,
  link checkers and monitoring.
"""

from __future__ import annotations

import html as html_lib
import logging
from typing import Any, Final

import flask
from dash import Dash, _pages
from flask import Response

from components.shell import is_embed
from data.i18n import parse_lang
from data.settings import get_settings

logger = logging.getLogger(__name__)

INDEX_TEMPLATE: Final = """<!DOCTYPE html>
<html lang="{lang}">
<head>{metas}<title>{title}</title>{favicon}{css}<style>:root{{--accent:{accent}}}</style></head>
<body class="{body_class}">
<noscript>{noscript}</noscript>
{app_entry}{config}{scripts}{renderer}
</body>
</html>"""

_NOSCRIPT: Final = {
    "nl": "Deze site heeft JavaScript nodig om kaarten en grafieken te tonen.",
    "en": "This site needs JavaScript to show maps and charts.",
}


def frame_ancestors(path: str, allowed: tuple[str, ...]) -> str:
    """The CSP ``frame-ancestors`` directive for a response to ``path``.

    >>> frame_ancestors("/kaart", ("https://raad.example.nl",))
    "frame-ancestors 'self'"
    >>> frame_ancestors("/embed/kaart", ("https://raad.example.nl",))
    "frame-ancestors 'self' https://raad.example.nl"
    """
    sources = ["'self'"]
    if is_embed(path):
        sources.extend(allowed)
    return "frame-ancestors " + " ".join(sources)


def install(app: Dash) -> None:
    """Replace Dash's index rendering and add the response hooks to ``app``."""

    def interpolate_index(**parts: Any) -> str:
        lang = parse_lang(flask.request.args.get("lang")) if flask.has_request_context() else "nl"
        path = flask.request.path if flask.has_request_context() else "/"
        return INDEX_TEMPLATE.format(
            lang=lang,
            body_class="embed" if is_embed(path) else "",
            noscript=_NOSCRIPT[lang],
            accent=get_settings().primary_colour,
            title=html_lib.escape(get_settings().site_name),
            **{k: parts.get(k, "") for k in ("metas", "favicon", "css")},
            **{k: parts.get(k, "") for k in ("app_entry", "config", "scripts", "renderer")},
        )

    # Dash calls self.interpolate_index(**parts): an instance attribute overrides it.
    app.interpolate_index = interpolate_index  # type: ignore[method-assign]

    allowed = get_settings().embed_allowed_origins

    @app.server.after_request
    def add_headers(response: Response) -> Response:
        path = flask.request.path
        # A route with its own, stricter policy (the API page) keeps it.
        response.headers.setdefault("Content-Security-Policy", frame_ancestors(path, allowed))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not is_embed(path):
            # For browsers without CSP level 2; embed pages rely on CSP alone.
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if (
            flask.request.method == "GET"
            and response.status_code == 200
            and response.mimetype == "text/html"
            and flask.request.blueprint is None  # blueprints (the API) set their own status
        ):
            response.status_code = page_status(app, path)
            if response.status_code == 503:
                response.headers["Retry-After"] = "30"
        return response


def page_status(app: Dash, path: str) -> int:
    """404 for a path no page serves or a query its page rejects, 503 while the page's data
    are unavailable (as the page says), else 200."""
    stripped = app.strip_relative_path(path) or ""
    page, variables = _pages._path_to_page(stripped)  # the same lookup the router does
    if not page:
        return 404
    status = page.get("http_status")
    if not callable(status):
        return 200
    query = {k: v[0] if len(v) == 1 else v for k, v in flask.request.args.lists()}
    try:
        return int(status(**(variables or {}), **query))
    except Exception:
        # The page will explain itself; a broken check must not break the page.
        logger.exception("http_status check failed path=%s", path)
        return 200
