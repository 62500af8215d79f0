# SPDX-License-Identifier: EUPL-1.2
"""Start: what is this site and where do I begin?

The question this page answers for a first-time visitor (often a resident who followed a
link): "What can I find here?" A short introduction in plain language and links to the map
and the other views. It reads no data, so it works even when the warehouse is being
replaced.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from components.lang import page_title
from data.i18n import parse_lang, t, with_lang
from data.settings import get_settings

dash.register_page(
    __name__,
    path="/",
    name="Start",
    name_en="Home",
    title=page_title("Cijfers over uw buurt", "Figures about your neighbourhood"),
    description="Open cijfers over gemeenten, wijken en buurten: kaarten, tabellen en open data.",
    order=0,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    """Component ids of this page."""

    MAP_LINK = "home-map-link"


def layout(lang: str | None = None, **_ignored: object) -> html.Div:
    """The start page; it takes only ``lang``."""
    language = parse_lang(lang)
    site = get_settings().site_name

    def link(path: str) -> str:
        return with_lang(dash.get_relative_path(path), language)

    return html.Div(
        className="page home",
        children=[
            html.H1(t(language, "Cijfers over uw buurt", "Figures about your neighbourhood")),
            html.P(
                t(
                    language,
                    f"{site} laat zien hoe gemeenten, wijken en buurten van elkaar verschillen: "
                    "hoeveel mensen er wonen, hoe oud ze zijn, hoe ze wonen en meer. De cijfers "
                    "komen van het CBS en van de gemeente zelf, en zijn open: u mag ze vrij "
                    "gebruiken met bronvermelding.",
                    f"{site} shows how municipalities, districts and neighbourhoods differ: how "
                    "many people live there, how old they are, how they live and more. The "
                    "figures come from Statistics Netherlands (CBS) and from the municipality "
                    "itself, and they are open: you may use them freely, citing the source.",
                )
            ),
            html.P(
                t(
                    language,
                    "Cijfers over heel weinig mensen laten we niet zien, zodat niemand herkenbaar "
                    "is. Op de kaart staan die gebieden in grijs, met de reden erbij.",
                    "Figures about very few people are not shown, so that nobody can be "
                    "recognised. On the map those areas are grey, with the reason.",
                )
            ),
            html.P(
                dcc.Link(
                    t(language, "Bekijk de kaart", "View the map"),
                    id=ids.MAP_LINK,
                    href=link("/kaart"),
                    className="button-link",
                )
            ),
            html.H2(t(language, "Zo werkt het", "How it works")),
            html.Ul(
                [
                    html.Li(
                        t(
                            language,
                            "Kies een onderwerp, een jaar en een niveau: gemeente, wijk of buurt.",
                            "Choose a topic, a year and a level: municipality, district or "
                            "neighbourhood.",
                        )
                    ),
                    html.Li(
                        t(
                            language,
                            "Beweeg over de kaart of open de tabel voor de precieze cijfers; klik "
                            "op een gebied voor alles over dat gebied.",
                            "Hover over the map or open the table for the exact figures; click "
                            "an area for everything about it.",
                        )
                    ),
                    html.Li(
                        t(
                            language,
                            "Het adres in uw browser onthoudt wat u ziet: deel het en de ander "
                            "ziet precies dezelfde kaart.",
                            "The address in your browser remembers what you see: share it and "
                            "others see exactly the same map.",
                        )
                    ),
                ]
            ),
            html.P(
                [
                    dcc.Link(t(language, "Over de cijfers", "About the data"), href=link("/over")),
                    " · ",
                    dcc.Link(
                        t(language, "Toegankelijkheid", "Accessibility"),
                        href=link("/toegankelijkheid"),
                    ),
                ]
            ),
        ],
    )
