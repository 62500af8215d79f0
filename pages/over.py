# SPDX-License-Identifier: EUPL-1.2
"""Over de cijfers: where do these figures come from, how fresh are they, and what is hidden?

The question this page answers for anyone who wants to rely on a figure (a councillor
quoting it, a journalist, a data team checking a run): "What does each indicator mean, who
publishes it under which licence, for which years and levels is it available, which data
version am I looking at, when was it built, and which figures are withheld to protect
privacy, and why?" Everything is read live from the warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import dash
from dash import dcc, html

from components.lang import page_title
from data import about
from data.about import DisclosureStats, IndicatorInfo, Run
from data.i18n import Lang, parse_lang, t, with_lang
from data.shaping import format_number, level_name, theme_name
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

PATH: Final = "/over"
MONTHS_NL: Final = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december",
)  # fmt: skip
MONTHS_EN: Final = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

dash.register_page(
    __name__,
    path=PATH,
    name="Over de cijfers",
    name_en="About the data",
    title=page_title("Over de cijfers", "About the data"),
    description="Definities, bronnen, licenties, gegevensversie en geheimhouding van de cijfers.",
    order=8,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    VERSION = "over-version"
    RUNS = "over-runs"
    PRIVACY = "over-privacy"
    DISCLOSURE = "over-disclosure-stats"
    INDICATORS = "over-indicators"


def layout(lang: str | None = None, **_ignored: object) -> html.Div:
    language = parse_lang(lang)
    try:
        meta = about.meta()
        runs = about.recent_runs(5)
        catalogue = about.catalogue()
        stats = about.disclosure_stats()
    except WarehouseUnavailable as e:
        logger.error("about page unavailable reason=%s error=%s", e.reason, e)
        return html.Div(
            className="page over",
            children=[
                html.H1(t(language, "Over de cijfers", "About the data")),
                html.Div(
                    className="notice",
                    role="alert",
                    children=html.P(
                        t(
                            language,
                            "De gegevens zijn op dit moment niet beschikbaar. Probeer het later "
                            "opnieuw.",
                            "The data are not available right now. Please try again later.",
                        )
                    ),
                ),
            ],
        )
    return html.Div(
        className="page over",
        children=[
            html.H1(t(language, "Over de cijfers", "About the data")),
            html.P(
                [
                    t(
                        language,
                        "Hier staat wat elk cijfer betekent, waar het vandaan komt, onder welke "
                        "licentie u het mag gebruiken en welke cijfers we niet tonen om de "
                        "privacy te beschermen. Alle cijfers zijn ook als open data beschikbaar "
                        "via de ",
                        "What every figure means, where it comes from, under which licence you "
                        "may use it and which figures we do not show to protect privacy. All "
                        "figures are also available as open data through the ",
                    ),
                    html.A("API", href=dash.get_relative_path("/api/v1/")),
                    ".",
                ]
            ),
            html.Nav(
                html.Ul(
                    [
                        html.Li(html.A(text, href=f"#{anchor}"))
                        for text, anchor in (
                            (t(language, "Gegevensversie", "Data version"), ids.VERSION),
                            (t(language, "Privacy en geheimhouding", "Privacy"), ids.PRIVACY),
                            (t(language, "Alle indicatoren", "All indicators"), ids.INDICATORS),
                        )
                    ]
                ),
                **{"aria-label": t(language, "Op deze pagina", "On this page")},
            ),
            _version_section(meta, runs, language),
            _privacy_section(stats, catalogue, language),
            _indicator_section(catalogue, language),
        ],
    )


# --- version and runs --------------------------------------------------------------------


def _version_section(meta: dict[str, str], runs: Sequence[Run], lang: Lang) -> html.Section:
    version = meta.get("data_version", "–")
    built = _when(meta.get("built_at"), lang)
    rows = [
        html.Tr(
            [
                html.Th(_when(run.started_at, lang), scope="row"),
                html.Td(_duration(run), className="num"),
                html.Td(_status(run.status, lang)),
                html.Td(run.data_version or "–"),
                html.Td(format_number(len(run.sources), 0, lang), className="num"),
                html.Td(
                    format_number(sum(s.rows_read for s in run.sources), 0, lang),
                    className="num",
                ),
                html.Td(
                    format_number(sum(s.rows_rejected for s in run.sources), 0, lang),
                    className="num",
                ),
            ]
        )
        for run in runs
    ]
    return html.Section(
        id=ids.VERSION,
        **{"aria-labelledby": f"{ids.VERSION}-h"},
        children=[
            html.H2(t(lang, "Gegevensversie", "Data version"), id=f"{ids.VERSION}-h"),
            html.P(
                t(
                    lang,
                    f"U ziet gegevensversie {version}, gemaakt op {built}. Elke nacht haalt een "
                    "verwerking de bronnen op, controleert ze en zet pas daarna de nieuwe versie "
                    "klaar; lukt dat niet, dan blijft de vorige versie staan.",
                    f"You are looking at data version {version}, built on {built}. Every night a "
                    "run fetches the sources, checks them and only then publishes the new "
                    "version; if that fails, the previous version stays.",
                )
            ),
            html.Div(
                className="table-scroll",
                children=html.Table(
                    className="values-table",
                    id=ids.RUNS,
                    children=[
                        html.Caption(t(lang, "Laatste verwerkingen", "Latest runs")),
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(t(lang, "Gestart", "Started"), scope="col"),
                                    html.Th(
                                        t(lang, "Duur", "Duration"), scope="col", className="num"
                                    ),
                                    html.Th(t(lang, "Resultaat", "Result"), scope="col"),
                                    html.Th(t(lang, "Versie", "Version"), scope="col"),
                                    html.Th(
                                        t(lang, "Bestanden", "Files"), scope="col", className="num"
                                    ),
                                    html.Th(
                                        t(lang, "Rijen gelezen", "Rows read"),
                                        scope="col",
                                        className="num",
                                    ),
                                    html.Th(
                                        t(lang, "Rijen afgewezen", "Rows rejected"),
                                        scope="col",
                                        className="num",
                                    ),
                                ]
                            )
                        ),
                        html.Tbody(rows),
                    ],
                ),
            ),
            *_run_sources(runs[0] if runs else None, lang),
        ],
    )


def _run_sources(run: Run | None, lang: Lang) -> list[Any]:
    if run is None or not run.sources:
        return []
    files = sorted({(s.source, s.file) for s in run.sources})
    return [
        html.Details(
            children=[
                html.Summary(
                    t(
                        lang,
                        f"Bronbestanden van de laatste verwerking ({len(files)})",
                        f"Source files of the latest run ({len(files)})",
                    )
                ),
                html.Ul([html.Li(f"{source}: {file}") for source, file in files]),
            ]
        )
    ]


def _when(value: datetime | str | None, lang: Lang) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    month = (MONTHS_EN if lang == "en" else MONTHS_NL)[value.month - 1]
    # Times are shown in UTC, said so: the server's zone is no business of the reader's.
    return f"{value.day} {month} {value.year}, {value:%H:%M} UTC"


def _duration(run: Run) -> str:
    if run.started_at is None or run.finished_at is None:
        return "–"
    seconds = int((run.finished_at - run.started_at).total_seconds())
    return f"{seconds // 60}:{seconds % 60:02d}"


def _status(status: str, lang: Lang) -> str:
    known = {
        "published": ("gepubliceerd", "published"),
        "failed": ("mislukt", "failed"),
        "running": ("bezig", "running"),
    }
    nl, en = known.get(status, (status, status))
    return t(lang, nl, en)


# --- privacy -----------------------------------------------------------------------------


def _privacy_section(
    stats: DisclosureStats | None, catalogue: Sequence[IndicatorInfo], lang: Lang
) -> html.Section:
    hidden_now = sum(c.suppressed for info in catalogue for c in info.coverage)
    published_now = sum(c.published for info in catalogue for c in info.coverage)
    return html.Section(
        id=ids.PRIVACY,
        **{"aria-labelledby": f"{ids.PRIVACY}-h"},
        children=[
            html.H2(
                t(lang, "Privacy en geheimhouding", "Privacy and disclosure control"),
                id=f"{ids.PRIVACY}-h",
            ),
            html.P(
                t(
                    lang,
                    "Een cijfer over heel weinig mensen of woningen kan iets verraden over "
                    "iemand die u kent. Daarom laten we zulke cijfers niet zien. Op de kaart is "
                    "zo'n gebied grijs en staat de reden erbij; in de tabellen en de API staat "
                    "‘verborgen’ met de reden, nooit een nul.",
                    "A figure about very few people or homes can reveal something about someone "
                    "you know. That is why we do not show such figures. On the map such an area "
                    "is grey, with the reason; tables and the API say ‘suppressed’ with the "
                    "reason, never a zero.",
                )
            ),
            html.H3(t(lang, "Cijfers van het CBS", "Figures from Statistics Netherlands (CBS)")),
            html.Ul(
                [
                    html.Li(
                        t(
                            lang,
                            "Het CBS beschermt zijn cijfers zelf, voordat ze bij ons komen. Wij "
                            "nemen die bescherming over en maken haar nooit ongedaan.",
                            "CBS protects its figures itself before they reach us. We keep that "
                            "protection and never undo it.",
                        )
                    ),
                    html.Li(
                        t(
                            lang,
                            "Aantallen in wijken en buurten rondt het CBS af op vijftallen; "
                            "daardoor tellen de buurten niet altijd precies op tot de gemeente.",
                            "CBS rounds counts in districts and neighbourhoods to multiples of "
                            "five, so neighbourhoods do not always add up exactly to the "
                            "municipality.",
                        )
                    ),
                    html.Li(
                        t(
                            lang,
                            "Percentages, gemiddelden en dichtheden publiceert het CBS niet voor "
                            "gebieden met te weinig inwoners, huishoudens of woningen; het CBS "
                            "schrijft dan een punt (‘geheim of onvoldoende betrouwbaar’).",
                            "CBS does not publish percentages, averages and densities for areas "
                            "with too few inhabitants, households or homes; it writes a dot "
                            "(‘secret or not reliable enough’) instead.",
                        )
                    ),
                ]
            ),
            html.H3(t(lang, "Cijfers van de gemeente zelf", "Figures from the municipality")),
            html.Ul(
                [
                    html.Li(
                        t(
                            lang,
                            "Een aantal personen of meldingen onder de drempel (meestal 5) tonen "
                            "we niet; een nul wel.",
                            "A count of people or reports below the threshold (usually 5) is not "
                            "shown; a zero is.",
                        )
                    ),
                    html.Li(
                        t(
                            lang,
                            "Een percentage of gemiddelde verbergen we als de teller of de noemer "
                            "te klein is; een gemiddelde WOZ-waarde bijvoorbeeld pas vanaf 20 "
                            "woningen.",
                            "A percentage or average is hidden when its numerator or denominator "
                            "is too small; an average property value, for example, needs at "
                            "least 20 homes.",
                        )
                    ),
                    html.Li(
                        t(
                            lang,
                            "Als één buurt verborgen is maar het totaal van de wijk bekend, zou u "
                            "de buurt kunnen uitrekenen. Dan verbergen we ook een tweede buurt "
                            "(‘aanvullend verborgen’). Een controle bij elke verwerking rekent "
                            "na dat geen verborgen cijfer nauwkeuriger te herleiden is dan "
                            "toegestaan.",
                            "If one neighbourhood is hidden but the district total is known, you "
                            "could work the neighbourhood out. We then hide a second one as well "
                            "(‘secondary suppression’). A check in every run recomputes that no "
                            "hidden figure can be narrowed down more than allowed.",
                        )
                    ),
                ]
            ),
            # --- disclosure statistics of this data version: a section of its own, filled
            # from the run's audit (data.about.disclosure_stats) when the run recorded one.
            html.Section(
                id=ids.DISCLOSURE,
                className="disclosure-stats",
                **{"aria-labelledby": f"{ids.DISCLOSURE}-h"},
                children=[
                    html.H3(
                        t(lang, "In deze gegevensversie", "In this data version"),
                        id=f"{ids.DISCLOSURE}-h",
                    ),
                    html.P(
                        t(
                            lang,
                            f"Gepubliceerd: {format_number(published_now, 0, lang)} cijfers. "
                            f"Verborgen: {format_number(hidden_now, 0, lang)} cijfers.",
                            f"Published: {format_number(published_now, 0, lang)} figures. "
                            f"Suppressed: {format_number(hidden_now, 0, lang)} figures.",
                        )
                    ),
                    *_audit(stats, lang),
                ],
            ),
        ],
    )


def _audit(stats: DisclosureStats | None, lang: Lang) -> list[Any]:
    if stats is None:
        return [
            html.P(
                t(
                    lang,
                    "Deze versie bevat alleen cijfers die de bron zelf al beschermde; er is "
                    "geen eigen geheimhoudingscontrole vastgelegd.",
                    "This version only holds figures protected by their source; no disclosure "
                    "audit of our own was recorded.",
                )
            )
        ]
    parts: list[Any] = []
    if stats.hidden is not None:
        secondary = stats.secondary or 0
        parts.append(
            html.P(
                t(
                    lang,
                    "De controle van deze verwerking verborg "
                    f"{format_number(stats.hidden, 0, lang)} cijfers, waarvan "
                    f"{format_number(secondary, 0, lang)} aanvullend.",
                    f"This run's audit suppressed {format_number(stats.hidden, 0, lang)} figures, "
                    f"{format_number(secondary, 0, lang)} of them as secondary suppression.",
                )
            )
        )
    if stats.ok is not None:
        parts.append(
            html.P(
                t(
                    lang,
                    "Uitkomst van de controle: "
                    + ("in orde." if stats.ok else "niet in orde; de versie is niet vrijgegeven."),
                    "Outcome of the audit: "
                    + ("passed." if stats.ok else "failed; the version was not released."),
                )
            )
        )
    if stats.per_indicator:
        parts.append(
            html.Ul(
                [
                    html.Li(
                        t(
                            lang,
                            f"{ind}: {format_number(v['hidden'], 0, lang)} verborgen, "
                            f"{format_number(v['secondary'], 0, lang)} aanvullend",
                            f"{ind}: {format_number(v['hidden'], 0, lang)} suppressed, "
                            f"{format_number(v['secondary'], 0, lang)} secondary",
                        )
                    )
                    for ind, v in sorted(stats.per_indicator.items())
                    if v["hidden"]
                ]
            )
        )
    return parts


# --- indicators --------------------------------------------------------------------------


def _indicator_section(catalogue: Sequence[IndicatorInfo], lang: Lang) -> html.Section:
    themes: dict[str, list[IndicatorInfo]] = {}
    for info in catalogue:
        themes.setdefault(info.theme, []).append(info)
    return html.Section(
        id=ids.INDICATORS,
        **{"aria-labelledby": f"{ids.INDICATORS}-h"},
        children=[
            html.H2(
                t(
                    lang,
                    f"Alle indicatoren ({len(catalogue)})",
                    f"All indicators ({len(catalogue)})",
                ),
                id=f"{ids.INDICATORS}-h",
            ),
            *[
                html.Details(
                    className="theme",
                    children=[
                        html.Summary(f"{theme_name(theme, lang)} ({len(items)})"),
                        *[_indicator(info, lang) for info in items],
                    ],
                )
                for theme, items in themes.items()
            ],
        ],
    )


def _indicator(info: IndicatorInfo, lang: Lang) -> html.Article:
    label = info.label_en if lang == "en" else info.label_nl
    definition = info.definition_en if lang == "en" else info.definition_nl
    if info.coverage:
        coverage: Any = html.Ul(
            [
                html.Li(
                    t(
                        lang,
                        f"{level_name(c.level, lang, plural=True).capitalize()}: "
                        f"{_periods(c.first_period, c.last_period)} ({c.periods} "
                        f"{'periode' if c.periods == 1 else 'perioden'}); "
                        f"{format_number(c.suppressed, 0, lang)} cijfers verborgen",
                        f"{level_name(c.level, lang, plural=True).capitalize()}: "
                        f"{_periods(c.first_period, c.last_period)} ({c.periods} "
                        f"{'period' if c.periods == 1 else 'periods'}); "
                        f"{format_number(c.suppressed, 0, lang)} figures suppressed",
                    )
                )
                for c in info.coverage
            ]
        )
    else:
        coverage = t(lang, "nog geen cijfers", "no figures yet")
    map_link = with_lang(dash.get_relative_path("/kaart") + f"?indicator={info.id}", lang)
    return html.Article(
        className="indicator",
        children=[
            html.H3(label, id=f"indicator-{info.id}"),
            html.Dl(
                [
                    html.Dt(t(lang, "Definitie", "Definition")),
                    html.Dd(definition),
                    html.Dt(t(lang, "Eenheid", "Unit")),
                    html.Dd(info.unit),
                    html.Dt(t(lang, "Bron", "Source")),
                    html.Dd(info.source),
                    html.Dt(t(lang, "Licentie", "Licence")),
                    html.Dd(info.licence),
                    html.Dt(t(lang, "Niveaus en perioden", "Levels and periods")),
                    html.Dd(coverage),
                    html.Dt(t(lang, "Code (API)", "Code (API)")),
                    html.Dd(html.Code(info.id)),
                ]
            ),
            html.P(dcc.Link(t(lang, f"{label} op de kaart", f"{label} on the map"), href=map_link)),
        ],
    )


def _periods(first: str, last: str) -> str:
    return first if first == last else f"{first}–{last}"
