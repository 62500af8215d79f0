# SPDX-License-Identifier: EUPL-1.2
"""Start: what is Buurtlens and where do I begin?

The question this page answers for a first-time visitor (often a resident who followed a
link): "What can I find here?" A short introduction in plain Dutch and links to the map.
It reads no data, so it works even when the warehouse is being replaced.
"""

from __future__ import annotations

import dash
from dash import dcc, html

dash.register_page(
    __name__,
    path="/",
    name="Start",
    title="Buurtlens – cijfers over uw buurt",
    description="Open cijfers over gemeenten, wijken en buurten: kaarten, tabellen en open data.",
    order=0,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    """Component ids of this page."""

    MAP_LINK = "home-map-link"


def layout(**_ignored: object) -> html.Div:
    """The start page; it takes no query parameters."""
    kaart = dash.get_relative_path("/kaart")
    return html.Div(
        className="page home",
        children=[
            html.H1("Cijfers over uw buurt"),
            html.P(
                "Buurtlens laat zien hoe gemeenten, wijken en buurten van elkaar verschillen: "
                "hoeveel mensen er wonen, hoe oud ze zijn, hoe ze wonen en meer. De cijfers "
                "komen van het CBS en van de gemeente zelf, en zijn open: u mag ze vrij "
                "gebruiken met bronvermelding."
            ),
            html.P(
                "Cijfers over heel weinig mensen laten we niet zien, zodat niemand herkenbaar "
                "is. Op de kaart staan die gebieden in grijs, met de reden erbij."
            ),
            html.P(
                dcc.Link(
                    "Bekijk de kaart",
                    id=ids.MAP_LINK,
                    href=kaart,
                    className="button-link",
                )
            ),
            html.H2("Zo werkt het"),
            html.Ul(
                [
                    html.Li("Kies een onderwerp, een jaar en een niveau: gemeente, wijk of buurt."),
                    html.Li("Beweeg over de kaart of open de tabel voor de precieze cijfers."),
                    html.Li(
                        "Het adres in uw browser onthoudt wat u ziet: deel het en de ander "
                        "ziet precies dezelfde kaart."
                    ),
                ]
            ),
        ],
    )
