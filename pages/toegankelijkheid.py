# SPDX-License-Identifier: EUPL-1.2
"""Toegankelijkheid: can I use this site with my screen reader, keyboard or phone, and
whom do I tell when I cannot?

The accessibility statement in the structure of the Dutch government's model statement
(digitoegankelijk.nl): scope, status of compliance with WCAG 2.1 AA, the known
limitations with their alternatives, how it is tested, and how to report a problem. A
municipality that runs this site fills in its contact address with
``BUURTLENS_CONTACT_EMAIL`` and registers the statement in the national register.
"""

from __future__ import annotations

from typing import Final

import dash
from dash import dcc, html

from components.lang import page_title
from data.i18n import Lang, parse_lang, t, with_lang
from data.settings import get_settings

PATH: Final = "/toegankelijkheid"

dash.register_page(
    __name__,
    path=PATH,
    name="Toegankelijkheid",
    name_en="Accessibility",
    title=page_title("Toegankelijkheidsverklaring", "Accessibility statement"),
    description="Toegankelijkheidsverklaring: status, bekende beperkingen en contact.",
    order=9,
    nav=False,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    STATUS = "toegankelijkheid-status"
    LIMITS = "toegankelijkheid-beperkingen"
    CONTACT = "toegankelijkheid-contact"


def layout(lang: str | None = None, **_ignored: object) -> html.Div:
    language = parse_lang(lang)
    settings = get_settings()
    site = settings.site_name
    return html.Div(
        className="page statement",
        children=[
            html.H1(t(language, "Toegankelijkheidsverklaring", "Accessibility statement")),
            html.P(
                t(
                    language,
                    f"De organisatie die {site} aanbiedt wil dat iedereen de cijfers kan "
                    "gebruiken, ook met een schermlezer, alleen een toetsenbord, vergroting of "
                    "een smalle telefoon. Deze verklaring geldt voor deze website: de kaart, de "
                    "gebiedsprofielen, trends, vergelijkingen, de pagina's over de cijfers en "
                    "de ingesloten kaarten (/embed).",
                    f"The organisation that offers {site} wants everybody to be able to use "
                    "the figures, also with a screen reader, a keyboard only, magnification or a "
                    "narrow phone. This statement covers this website: the map, area profiles, "
                    "trends, comparisons, the pages about the data and the embedded maps "
                    "(/embed).",
                )
            ),
            html.Section(
                id=ids.STATUS,
                children=[
                    html.H2(t(language, "Status", "Status")),
                    html.P(
                        html.Strong(
                            t(
                                language,
                                "Voldoet gedeeltelijk aan de eisen (status B).",
                                "Partially compliant (status B).",
                            )
                        )
                    ),
                    html.P(
                        t(
                            language,
                            "De norm is WCAG 2.1 op niveau AA (EN 301 549), zoals het Besluit "
                            "digitale toegankelijkheid overheid vraagt. Elke versie van de "
                            "software wordt automatisch getest met axe-core in een echte "
                            "browser, op elke pagina en bij 320 pixels breed; toetsenbord-"
                            "bediening, focus en teksten zijn met de hand nagelopen. Een "
                            "onderzoek door een onafhankelijke deskundige is nog niet gedaan; "
                            "daarom status B en niet A.",
                            "The standard is WCAG 2.1 level AA (EN 301 549), as Dutch law for "
                            "government websites requires. Every software version is tested "
                            "automatically with axe-core in a real browser, on every page and at "
                            "320 pixels wide; keyboard operation, focus and texts were checked by "
                            "hand. An audit by an independent expert has not been done yet; "
                            "hence status B, not A.",
                        )
                    ),
                ],
            ),
            html.Section(
                id=ids.LIMITS,
                children=[
                    html.H2(t(language, "Bekende beperkingen", "Known limitations")),
                    html.Ul([html.Li(text) for text in _limitations(language)]),
                ],
            ),
            html.Section(
                id=ids.CONTACT,
                children=[
                    html.H2(t(language, "Een probleem melden", "Report a problem")),
                    html.P(_contact(settings.contact_email, language)),
                    html.P(
                        t(
                            language,
                            "U krijgt binnen vijf werkdagen antwoord. Bent u niet tevreden "
                            "met de afhandeling, dan kunt u zich wenden tot de Nationale "
                            "ombudsman of de ombudsman van uw gemeente.",
                            "You will get an answer within five working days. If you are not "
                            "satisfied with how your report was handled, you can turn to the "
                            "National Ombudsman or the ombudsman of your municipality.",
                        )
                    ),
                ],
            ),
            html.P(
                dcc.Link(
                    t(language, "Terug naar de start", "Back to the home page"),
                    href=with_lang(dash.get_relative_path("/"), language),
                )
            ),
        ],
    )


def _limitations(lang: Lang) -> list[str]:
    return [
        t(
            lang,
            "De kaart zelf is een afbeelding: met het toetsenbord kunt u niet van gebied naar "
            "gebied. Onder elke kaart staan daarom een beschrijving in tekst en een tabel met "
            "alle cijfers, met een link naar het profiel van elk gebied.",
            "The map itself is a picture: you cannot move from area to area with the "
            "keyboard. Every map therefore has a text description and a table with all "
            "figures, with a link to each area's profile.",
        ),
        t(
            lang,
            "De informatie die verschijnt als u met de muis over een gebied beweegt, staat ook "
            "in de tabel.",
            "The information shown when you hover over an area is also in the table.",
        ),
        t(
            lang,
            "Klassen op de kaart zijn kleuren uit kleurenblind-veilige paletten; de grenzen van "
            "elke klasse staan ook in tekst in de legenda.",
            "Map classes are colours from colour-blind safe palettes; each class's bounds are "
            "also written out in the legend.",
        ),
        t(
            lang,
            "Gedownloade PNG- en SVG-afbeeldingen van kaarten en grafieken hebben geen "
            "tekstalternatief; gebruik daarvoor de tabel of de CSV-download.",
            "Downloaded PNG and SVG images of maps and charts have no text alternative; use "
            "the table or the CSV download for that.",
        ),
        t(
            lang,
            "Een ingesloten kaart (iframe) op een andere website krijgt haar titel van die "
            "website.",
            "An embedded map (iframe) on another website gets its title from that website.",
        ),
    ]


def _contact(email: str | None, lang: Lang) -> object:
    if email:
        return [
            t(
                lang,
                "Kunt u iets niet gebruiken, of ziet u een fout? Mail naar ",
                "Is something unusable for you, or do you see an error? Write to ",
            ),
            html.A(email, href=f"mailto:{email}"),
            t(lang, " en vertel op welke pagina.", " and tell us on which page."),
        ]
    return t(
        lang,
        "Kunt u iets niet gebruiken, of ziet u een fout? Neem contact op met uw gemeente en "
        "vertel op welke pagina.",
        "Is something unusable for you, or do you see an error? Contact your municipality and "
        "tell them on which page.",
    )
