# SPDX-License-Identifier: EUPL-1.2
"""The frame around every page: skip link, header with the municipality's name and logo,
main navigation (``aria-current`` on the page shown), the language switch, the error
banner, and the footer with the data version and the links to the statements.

The shell is rendered once per page load (Dash fetches the layout without the page's URL,
so the first render reads it from the ``Referer``); after that :func:`update_shell` keeps
navigation and footer in step with every in-app navigation. ``/embed/...`` pages get no
header, navigation or footer at all.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import dash
import flask
from dash import Input, Output, callback, dcc, html

from data import queries
from data.i18n import Lang, parse_lang, t, with_lang
from data.settings import get_settings
from data.warehouse import WarehouseError

logger = logging.getLogger(__name__)

#: Path prefix of the chrome-less pages for iframes.
EMBED_PREFIX: Final = "/embed"
_EMBED_RE: Final = re.compile(r"(^|/)embed(/|$)")


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    MAIN = "main"
    ALERT = "shell-alert"
    URL = "shell-url"
    HEADER = "shell-header"
    NAV = "shell-nav"
    LANG = "shell-lang"
    FOOTER = "shell-footer"


def is_embed(pathname: str | None) -> bool:
    """Whether ``pathname`` (with or without the app's prefix) is an embed page.

    >>> is_embed("/embed/kaart"), is_embed("/kaart")
    (True, False)
    """
    return bool(pathname) and _EMBED_RE.search(pathname or "") is not None


def shell() -> html.Div:
    """``app.layout``: a function, so that the footer shows the current data version."""
    pathname, lang = _page_of_request()
    embed = is_embed(pathname)
    return html.Div(
        className="shell shell-embed" if embed else "shell",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            html.Header(
                id=ids.HEADER,
                className="site-header",
                hidden=embed,
                children=header_children(pathname, lang),
            ),
            # The error banner sits inside <main>, so that every text is in a landmark.
            html.Main(
                [
                    html.Div(id=ids.ALERT, role="alert", className="shell-alert"),
                    dash.page_container,
                ],
                id=ids.MAIN,
                tabIndex="-1",
            ),
            html.Footer(
                id=ids.FOOTER,
                className="site-footer",
                hidden=embed,
                children=footer_children(lang),
            ),
        ],
    )


def header_children(pathname: str | None, lang: Lang) -> list[Any]:
    """Brand, main navigation and language switch for the page at ``pathname``."""
    settings = get_settings()
    brand: list[Any] = []
    if settings.logo_url:
        # The name is next to it, so the logo itself is decorative.
        brand.append(html.Img(src=settings.logo_url, alt="", className="brand-logo"))
    brand.append(html.Span(settings.site_name))
    other: Lang = "en" if lang == "nl" else "nl"
    return [
        # First in the header (a landmark), so first on the page for keyboard users.
        html.A(
            t(lang, "Naar de inhoud", "Skip to content"), href=f"#{ids.MAIN}", className="skip-link"
        ),
        dcc.Link(brand, href=with_lang(dash.get_relative_path("/"), lang), className="brand"),
        html.Nav(
            html.Ul(nav_items(pathname, lang), id=ids.NAV),
            **{"aria-label": t(lang, "Hoofdmenu", "Main menu")},
        ),
        # A plain link: switching language reloads the page, so that <html lang> follows.
        # assets/shell.js keeps the rest of the current URL (the view's state) on click.
        html.A(
            t(lang, "English", "Nederlands"),
            id=ids.LANG,
            href=with_lang(pathname or "/", other) if other == "en" else (pathname or "/"),
            hrefLang=other,
            lang=other,
            className="lang-switch",
            **{"data-lang-switch": other},
        ),
    ]


def nav_items(pathname: str | None, lang: Lang) -> list[html.Li]:
    """One item per page in the registry that wants one (``nav=False`` opts out; pages
    with path variables never get one), ``aria-current="page"`` on the current one."""
    current = "/" + dash.strip_relative_path(pathname or "/") if pathname else None
    items = []
    for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0):
        if page.get("nav") is False or "<" in page["path"] or page["path"].startswith("/embed"):
            continue
        if page["module"].endswith("not_found_404"):
            continue
        name = t(lang, page["name"], page.get("name_en") or page["name"])
        extra = {"aria-current": "page"} if page["path"] == current else {}
        href = with_lang(dash.get_relative_path(page["path"]), lang)
        # dcc.Link takes no aria-current: a plain link that assets/shell.js turns into an
        # in-app navigation (as dcc.Link does) on an ordinary click.
        items.append(html.Li(html.A(name, href=href, **{"data-spa": "1"}, **extra)))
    return items


def footer_children(lang: Lang) -> list[Any]:
    """Site name and data version, and the links to the statements and the open data."""
    settings = get_settings()
    try:
        version = t(lang, "Gegevensversie ", "Data version ") + queries.data_version()
    except WarehouseError:
        version = t(lang, "Gegevens op dit moment niet beschikbaar", "Data unavailable right now")
    links = [
        (t(lang, "Over de cijfers", "About the data"), "/over"),
        (t(lang, "Toegankelijkheid", "Accessibility"), "/toegankelijkheid"),
    ]
    return [
        html.P(f"{settings.site_name} · {version}"),
        html.Ul(
            className="footer-links",
            children=[
                *[
                    html.Li(dcc.Link(text, href=with_lang(dash.get_relative_path(path), lang)))
                    for text, path in links
                ],
                html.Li(
                    html.A(
                        t(lang, "Open data (API)", "Open data (API)"),
                        href=dash.get_relative_path("/api/v1/"),
                    )
                ),
            ],
        ),
    ]


@callback(
    Output(ids.HEADER, "children"),
    Output(ids.FOOTER, "children"),
    Input(ids.URL, "pathname"),
    Input(ids.URL, "search"),
)
def update_shell(pathname: str | None, search: str | None) -> tuple[list[Any], list[Any]]:
    """Navigation (``aria-current``), language and footer for the page now shown."""
    lang = _lang_of(search)
    return header_children(pathname, lang), footer_children(lang)


def _lang_of(search: str | None) -> Lang:
    values = parse_qs((search or "").lstrip("?")).get("lang")
    return parse_lang(values[0] if values else None)


def _page_of_request() -> tuple[str | None, Lang]:
    """Path and language of the page the layout is fetched for (from the Referer); the
    callback corrects both if the browser sent none."""
    if not flask.has_request_context():
        return None, "nl"
    referrer = flask.request.referrer
    if not referrer:
        return None, parse_lang(flask.request.args.get("lang"))
    parts = urlsplit(referrer)
    return parts.path or "/", _lang_of(parts.query)
