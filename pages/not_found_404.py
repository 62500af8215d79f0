# SPDX-License-Identifier: EUPL-1.2
"""Not found: the page a wrong or outdated link leads to.

Dash shows this module's layout for any path no page serves (the response status is 404,
see ``components/responses.py``). It says so in plain words and offers a way on.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from components.lang import page_title
from data.i18n import parse_lang, t, with_lang

dash.register_page(
    __name__,
    path="/404",
    name="Niet gevonden",
    title=page_title("Pagina niet gevonden", "Page not found"),
    nav=False,
)


def layout(lang: str | None = None, **_ignored: object) -> html.Div:
    language = parse_lang(lang)

    def link(path: str) -> str:
        return with_lang(dash.get_relative_path(path), language)

    return html.Div(
        className="page not-found",
        children=[
            html.H1(t(language, "Deze pagina bestaat niet", "This page does not exist")),
            html.P(
                t(
                    language,
                    "Misschien is de link verouderd of zit er een typefout in. De cijfers zelf "
                    "zijn er nog: begin opnieuw bij een van deze pagina's.",
                    "The link may be outdated or mistyped. The figures are still here: start "
                    "again from one of these pages.",
                )
            ),
            html.Ul(
                [
                    html.Li(dcc.Link(t(language, "Start", "Home"), href=link("/"))),
                    html.Li(dcc.Link(t(language, "De kaart", "The map"), href=link("/kaart"))),
                    html.Li(
                        dcc.Link(
                            t(language, "Over de cijfers", "About the data"), href=link("/over")
                        )
                    ),
                ]
            ),
        ],
    )
