# SPDX-License-Identifier: EUPL-1.2
"""The language of the current request, for the parts of Dash that get no query string.

Pages receive ``lang`` as a query parameter in ``layout(**query)`` and use
:func:`data.i18n.parse_lang`. Page titles and the app shell are computed by Dash without the
query, so :func:`request_lang` finds it: in a callback (the pages router) from the location
the browser sent, otherwise (the HTML page itself) from the request's query string.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import dash
import flask
from dash.exceptions import MissingCallbackContextException

from data.i18n import DEFAULT_LANG, Lang, parse_lang, t

#: Query parameter that selects the language.
LANG_PARAM = "lang"


def request_lang() -> Lang:
    """``en`` when the current page was asked for with ``?lang=en``, else Dutch."""
    try:
        inputs = dash.callback_context.inputs
    except (MissingCallbackContextException, LookupError):  # not in a callback
        inputs = {}
    for key, value in inputs.items():
        if key.endswith(".search") and isinstance(value, str):
            values = parse_qs(value.lstrip("?")).get(LANG_PARAM)
            return parse_lang(values[0] if values else None)
    if not flask.has_request_context():
        return DEFAULT_LANG
    if LANG_PARAM in flask.request.args:
        return parse_lang(flask.request.args.get(LANG_PARAM))
    # A callback request: the page it came from (same origin, so the full URL is sent).
    referrer = flask.request.referrer or ""
    values = parse_qs(urlsplit(referrer).query).get(LANG_PARAM)
    return parse_lang(values[0] if values else None)


def page_title(nl: str, en: str, *, site: bool = True) -> Callable[..., str]:
    """A ``title`` for ``dash.register_page`` that follows the language of the request:
    ``"Kaart – Buurtlens"`` or ``"Map – Buurtlens"`` (with the configured site name)."""

    def title(**_path_variables: object) -> str:
        text = t(request_lang(), nl, en)
        if not site:
            return text
        from data.settings import get_settings  # settings are read lazily, not at import

        return f"{text} – {get_settings().site_name}"

    return title
