# SPDX-License-Identifier: EUPL-1.2
"""Gebied: what is this wijk or buurt like, compared with its gemeente, and how does it change?

The question this page answers, for a resident who followed a link to "their" buurt or an
area manager preparing a meeting: "What are the key figures of <area>, how does it differ
from <gemeente>, where does it rank, where is it, which buurten does it have and what has
changed?" ``/gebied/<code>?jaar=<vintage>&lang=en`` shows key figures beside the gemeente
(and Nederland when the warehouse has national figures), the rank within the gemeente, a
locator map, the child areas, a generated "what stands out" text whose sentences link to
their charts, and a small multiple per indicator over the years in which the code denotes
the *same* area (:mod:`data.series`). ``/gebied`` without a code lets the user pick one.

The page is a pure function of its URL: every year and every other area is a link, so it
needs no callback beyond the area picker and the chart downloads.
"""

from __future__ import annotations

import logging
from typing import Any, Final
from urllib.parse import quote, urlencode

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components.charts import (
    api_values_url,
    chart_block,
    locator_map,
    trend_figure,
    trend_table,
)
from components.lang import page_title
from data import profiles, queries, texts
from data.i18n import Lang, parse_lang, t, with_lang
from data.profiles import LEVEL_NAMES, IndicatorTrend, Profile
from data.queries import GeometryNotFound, InvalidParameter, NotFound
from data.series import TrendLine
from data.shaping import format_value, no_figure_text
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

PATH: Final = "/gebied"


def http_status(code: object = None, jaar: object = None, **_query: object) -> int:
    """404 for a code or year that names no area (the page still explains itself)."""
    if code in (None, "", "none"):
        return 200
    try:
        profiles.resolve_area(code, jaar)
    except (InvalidParameter, NotFound):
        return 404
    except WarehouseUnavailable:
        return 503
    return 200


dash.register_page(
    __name__,
    path=PATH,
    path_template=f"{PATH}/<code>",
    name="Gebied",
    name_en="Area",
    title=page_title("Gebied", "Area"),
    http_status=http_status,
    description="Profiel van een wijk of buurt: kerncijfers naast de gemeente, ontwikkeling "
    "door de jaren, ligging en wat opvalt.",
    order=2,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    """Component ids of this page."""

    URL = "gebied-url"
    PICKER = "gebied-picker"
    GO = "gebied-go"
    LANG = "gebied-lang"
    FIGURES = "gebied-kerncijfers"
    HIGHLIGHTS = "gebied-opvallend"
    MAP = "gebied-ligging"
    CHILDREN = "gebied-onderdelen"
    TRENDS = "gebied-ontwikkeling"

    @staticmethod
    def chart(indicator: str) -> str:
        """Anchor of an indicator's small multiple (linked from "what stands out")."""
        return f"grafiek-{indicator}"

    @staticmethod
    def figure_row(indicator: str) -> str:
        """Anchor of an indicator's row in the key figures table."""
        return f"cijfer-{indicator}"

    @staticmethod
    def graph(indicator: str) -> str:
        return f"gebied-graph-{indicator}"


def href(code: str, vintage: int | None = None, lang: Lang = "nl") -> str:
    """The link to an area's profile (relative to the app's prefix)."""
    path = dash.get_relative_path(f"{PATH}/{quote(code)}")
    return with_lang(f"{path}?jaar={vintage}" if vintage else path, lang)


# --- layout --------------------------------------------------------------------------


def layout(
    code: str | None = None, jaar: str | None = None, lang: str | None = None, **_ignored: object
) -> html.Div:
    """The profile of ``code`` in ``jaar``; the area picker without a code; a friendly
    message for an unknown code or year."""
    language = parse_lang(lang)
    if code in (None, "", "none"):
        return picker(language)
    if isinstance(jaar, list):
        return problem(
            t(
                language,
                "De link noemt ‘jaar’ meer dan eens.",
                "The link names ‘jaar’ more than once.",
            ),
            language,
        )
    try:
        prof = profiles.profile(code, jaar)
    except InvalidParameter:
        if not _valid_year(jaar):
            return problem(
                t(language, f"‘{jaar}’ is geen jaartal.", f"‘{jaar}’ is not a year."), language
            )
        return problem(
            t(
                language,
                f"‘{code}’ is geen gebiedscode. Een code ziet eruit als WK039202 (wijk) of "
                "BU03920101 (buurt).",
                f"‘{code}’ is not an area code. A code looks like WK039202 (district) or "
                "BU03920101 (neighbourhood).",
            ),
            language,
        )
    except queries.UnknownVintage:
        return _unknown_year(str(code), jaar, language)
    except NotFound:
        return problem(
            t(
                language,
                f"Een gebied met code ‘{code}’ kennen we niet.",
                f"We do not know an area with code ‘{code}’.",
            ),
            language,
        )
    except WarehouseUnavailable as e:
        logger.error("profile unavailable reason=%s error=%s", e.reason, e)
        return problem(
            t(
                language,
                "De cijfers zijn op dit moment niet beschikbaar. Probeer het later opnieuw.",
                "The figures are not available right now. Please try again later.",
            ),
            language,
        )
    return profile_page(prof, language)


def _valid_year(jaar: object) -> bool:
    if jaar in (None, ""):
        return True
    try:
        queries.check_vintage(jaar)
    except InvalidParameter:
        return False
    return True


def _unknown_year(code: str, jaar: object, lang: Lang) -> html.Div:
    try:
        area = profiles.resolve_area(code)
    except (NotFound, InvalidParameter):
        area = None
    years = ", ".join(str(v) for v in area.vintages) if area else ""
    links = (
        [
            html.P(
                dcc.Link(
                    t(
                        lang,
                        f"Naar {area.name} in {area.vintage}",
                        f"To {area.name} in {area.vintage}",
                    ),
                    href=href(area.code, area.vintage, lang),
                )
            )
        ]
        if area
        else []
    )
    return problem(
        t(
            lang,
            f"Gebied {code} bestaat niet in {jaar}. Jaren met dit gebied: {years}.",
            f"Area {code} does not exist in {jaar}. Years with this area: {years}.",
        ),
        lang,
        extra=links,
    )


def problem(message: str, lang: Lang, *, extra: list[Any] | None = None) -> html.Div:
    """A friendly page for a URL that names no existing profile, with ways back."""
    return html.Div(
        className="page gebied",
        children=[
            html.H1(t(lang, "Gebied", "Area")),
            html.Div(
                className="notice",
                role="alert",
                children=[
                    html.P(message),
                    *(extra or []),
                    html.P(
                        dcc.Link(
                            t(lang, "Kies een ander gebied", "Choose another area"),
                            href=with_lang(dash.get_relative_path(PATH), lang),
                        )
                    ),
                    html.P(
                        dcc.Link(
                            t(lang, "Naar de kaart", "To the map"),
                            href=with_lang(dash.get_relative_path("/kaart"), lang),
                        )
                    ),
                ],
            ),
        ],
    )


# --- picker (no code in the URL) -------------------------------------------------------


def picker_options(*, lang: Lang = "nl") -> list[dict[str, str]]:
    """Every gemeente, wijk and buurt of the newest vintage that has figures."""
    with_data = [v for v in queries.vintages("wijk")] or queries.vintages("gemeente")
    options: list[dict[str, str]] = []
    if not with_data:
        return options
    vintage = with_data[0]
    names = {c: n for c, n in queries.gemeenten(vintage).frame[["code", "name"]].values}
    for level in ("gemeente", "wijk", "buurt"):
        frame = queries.areas(level, vintage).frame
        for row in frame.itertuples(index=False):
            singular = LEVEL_NAMES[level][2 if lang == "en" else 0]
            gemeente = names.get(row.gemeente_code, row.gemeente_code)
            place = "" if level == "gemeente" else f", {gemeente}"
            options.append(
                {"label": f"{row.name or row.code} ({singular}{place})", "value": str(row.code)}
            )
    return options


def picker(lang: Lang) -> html.Div:
    """Choose an area: a searchable list; the choice opens its profile."""
    try:
        options = picker_options(lang=lang)
    except WarehouseUnavailable:
        return problem(
            t(
                lang,
                "De cijfers zijn op dit moment niet beschikbaar.",
                "The figures are not available right now.",
            ),
            lang,
        )
    return html.Div(
        className="page gebied",
        children=[
            dcc.Location(id=ids.URL, refresh=True),
            dcc.Store(id=ids.LANG, data=lang),
            html.H1(t(lang, "Gebied", "Area")),
            html.P(
                t(
                    lang,
                    "Kies een gemeente, wijk of buurt om het profiel te zien: kerncijfers naast "
                    "de gemeente, de ontwikkeling door de jaren en wat opvalt.",
                    "Choose a municipality, district or neighbourhood to see its profile: key "
                    "figures beside the municipality, how it changed and what stands out.",
                )
            ),
            html.Div(
                className="controls",
                children=[
                    html.Div(
                        className="field field-wide",
                        children=[
                            html.Label(t(lang, "Gebied", "Area"), htmlFor=ids.PICKER),
                            dcc.Dropdown(
                                id=ids.PICKER,
                                options=options,
                                placeholder=t(lang, "Typ een naam of code", "Type a name or code"),
                                maxHeight=320,
                            ),
                        ],
                    ),
                    html.Div(
                        className="field",
                        children=html.Button(
                            t(lang, "Bekijk profiel", "Show profile"),
                            id=ids.GO,
                            type="button",
                            className="button-link",
                        ),
                    ),
                ],
            ),
            html.P(
                dcc.Link(
                    t(lang, "Of kies een gebied op de kaart", "Or pick an area on the map"),
                    href=with_lang(dash.get_relative_path("/kaart"), lang),
                )
            ),
        ],
    )


@callback(
    Output(ids.URL, "href"),
    Input(ids.GO, "n_clicks"),
    Input(ids.PICKER, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def open_profile(_clicks: int | None, code: str | None, lang: str | None) -> str:
    """Open the profile of the picked area."""
    if not code:
        raise PreventUpdate
    return href(str(code), None, parse_lang(lang))


# --- the profile -----------------------------------------------------------------------


def _level(level: str, lang: Lang, *, plural: bool = False) -> str:
    nl, nl_pl, en, en_pl = LEVEL_NAMES.get(level, (level, level, level, level))
    return (en_pl if plural else en) if lang == "en" else (nl_pl if plural else nl)


def ordinal(n: int, lang: Lang) -> str:
    """``7`` -> ``"7e"`` (nl) or ``"7th"`` (en).

    >>> ordinal(1, "en"), ordinal(12, "en"), ordinal(22, "en"), ordinal(3, "nl")
    ('1st', '12th', '22nd', '3e')
    """
    if lang == "nl":
        return f"{n}e"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(rank: int, of: int, total: int, level: str, lang: Lang) -> str:
    """``"7e van 21 wijken"``; when some siblings have no figure, says so."""
    plural = _level(level, lang, plural=True)
    text = t(
        lang, f"{ordinal(rank, lang)} van {of} {plural}", f"{ordinal(rank, lang)} of {of} {plural}"
    )
    if of < total:
        text += t(lang, f" met een cijfer ({total} in totaal)", f" with a figure ({total} in all)")
    return text


def _cell(
    value: object, status: object, reason: object, info: profiles.IndicatorInfo, lang: Lang
) -> str:
    """A key figure without its unit (the row label names it), except a percentage; a
    cell without a figure says why in a word (and with ``reason``, in full)."""
    if status == "ok" and profiles.is_finite(value):
        unit = "%" if info.unit == "%" else ""
        return format_value(float(value), decimals=info.decimals, unit=unit, lang=lang)  # type: ignore[arg-type]
    if not isinstance(status, str):
        return "–"
    if reason is None:
        return no_figure_text(status, None, lang)
    return no_figure_text(status, None if pd.isna(reason) else str(reason), lang)


def label_with_unit(info: profiles.IndicatorInfo, lang: Lang) -> str:
    """``"Bevolkingsdichtheid (inwoners per km² land)"``; counts and shares as they are."""
    label = info.label(lang)
    unit = info.unit_in(lang)
    if info.unit in ("", "aantal", "%") or unit in label:
        return label
    return f"{label} ({unit})"


def profile_page(prof: Profile, lang: Lang) -> html.Div:
    """The whole profile of ``prof``."""
    area = prof.area
    trends = {tr.indicator.id: tr for tr in prof.trends}
    return html.Div(
        className="page gebied",
        children=[
            _breadcrumb(prof, lang),
            html.H1(area.name),
            html.P(
                t(
                    lang,
                    f"{_level(area.level, lang).capitalize()}"
                    + ("" if area.level == "gemeente" else f" in {area.gemeente_name}")
                    + f" · gebiedsindeling {area.vintage} · code {area.code}",
                    f"{_level(area.level, lang).capitalize()}"
                    + ("" if area.level == "gemeente" else f" in {area.gemeente_name}")
                    + f" · boundaries of {area.vintage} · code {area.code}",
                ),
                className="source",
            ),
            _years(prof, lang),
            _highlights(prof, trends, lang),
            html.Div(
                style={"display": "flex", "flexWrap": "wrap", "gap": "1rem 2rem"},
                children=[_key_figures(prof, trends, lang), _locator(prof, lang)],
            ),
            _children(prof, lang),
            _trends(prof, lang),
            _more(prof, lang),
        ],
    )


def _breadcrumb(prof: Profile, lang: Lang) -> html.Nav:
    area = prof.area
    items: list[Any] = []
    if area.level != "gemeente":
        items.append(
            html.Li(dcc.Link(area.gemeente_name, href=href(area.gemeente_code, area.vintage, lang)))
        )
    if area.level == "buurt" and area.parent_code and area.parent_code != area.gemeente_code:
        items.append(
            html.Li(
                dcc.Link(
                    area.parent_name or area.parent_code,
                    href=href(area.parent_code, area.vintage, lang),
                )
            )
        )
    items.append(html.Li(html.Span(area.name, **{"aria-current": "page"})))
    return html.Nav(
        **{"aria-label": t(lang, "Kruimelpad", "Breadcrumb")},
        children=html.Ol(
            items,
            style={
                "display": "flex",
                "flexWrap": "wrap",
                "gap": "0 0.75rem",
                "listStyle": "none",
                "padding": 0,
                "margin": "0.5rem 0 0",
            },
        ),
    )


def _years(prof: Profile, lang: Lang) -> html.Div:
    """Years of the same area as links; other areas that had this code, with a warning."""
    area = prof.area
    same = [v for v in prof.segment.vintages if v in area.vintages]
    links: list[Any] = []
    for v in same:
        if v == area.vintage:
            links.append(html.Strong(str(v), **{"aria-current": "page"}))
        else:
            links.append(dcc.Link(str(v), href=href(area.code, v, lang)))
        links.append(" ")
    others = [s for s in prof.segments if s is not prof.segment]
    notes = [
        html.P(
            [
                t(
                    lang,
                    f"Let op: in {s.label()} hoorde code {area.code} bij een ander gebied: ",
                    f"Note: in {s.label()} code {area.code} belonged to another area: ",
                ),
                dcc.Link(s.name or area.code, href=href(area.code, s.last, lang)),
                t(
                    lang,
                    ". Die cijfers worden niet met dit gebied vergeleken.",
                    ". Those figures are not compared with this area.",
                ),
            ],
            className="break-note",
        )
        for s in others
    ]
    return html.Div(
        className="years",
        children=[
            html.P(
                [html.Span(t(lang, "Jaren met dit gebied: ", "Years with this area: ")), *links]
            ),
            *notes,
        ],
    )


def _anchor_for(indicator: str, trends: dict[str, IndicatorTrend]) -> str:
    return ids.chart(indicator) if indicator in trends else ids.figure_row(indicator)


def _highlights(prof: Profile, trends: dict[str, IndicatorTrend], lang: Lang) -> html.Section:
    area = prof.area
    found = texts.highlights(
        prof.figures,
        prof.indicators,
        prof.trends,
        area_name=area.name,
        gemeente_name="" if area.level == "gemeente" else area.gemeente_name,
        lang=lang,
    )
    body: Any
    if found:
        body = html.Ul(
            [html.Li(html.A(h.text, href=f"#{_anchor_for(h.indicator_id, trends)}")) for h in found]
        )
    else:
        body = html.P(
            t(
                lang,
                "Geen van de gepubliceerde cijfers wijkt sterk af van de gemeente of veranderde "
                "sterk.",
                "None of the published figures differs much from the municipality or changed much.",
            )
        )
    return html.Section(
        id=ids.HIGHLIGHTS,
        **{"aria-labelledby": f"{ids.HIGHLIGHTS}-titel"},
        children=[
            html.H2(t(lang, "Wat valt op", "What stands out"), id=f"{ids.HIGHLIGHTS}-titel"),
            body,
            html.P(
                t(
                    lang,
                    "Automatisch gemaakt uit de gepubliceerde cijfers; verborgen cijfers tellen "
                    "niet mee.",
                    "Generated from the published figures; hidden figures are not used.",
                ),
                className="source",
            ),
        ],
    )


def _key_figures(prof: Profile, trends: dict[str, IndicatorTrend], lang: Lang) -> html.Section:
    area = prof.area
    show_gm = area.level != "gemeente"
    headers: list[Any] = [t(lang, "Indicator", "Indicator"), area.name]
    if show_gm:
        headers.append(area.gemeente_name)
    if prof.has_national:
        headers.append("Nederland" if lang == "nl" else "The Netherlands")
    if show_gm:
        headers.append(t(lang, f"Rang in {area.gemeente_name}", f"Rank in {area.gemeente_name}"))
    n_cols = len(headers)
    rows: list[Any] = []
    # A cell without a figure says so in a word; why is listed under the table, so that a
    # long reason does not squeeze the figures.
    hidden: list[str] = []
    theme = None
    for r in prof.figures.itertuples(index=False):
        info = prof.indicators.get(str(r.indicator_id))
        if info is None:
            continue
        if info.theme != theme:
            theme = info.theme
            rows.append(
                html.Tr(html.Th(theme, colSpan=n_cols, scope="colgroup", className="theme-row"))
            )
        label: Any = label_with_unit(info, lang)
        if info.id in trends:
            label = html.A(label, href=f"#{ids.chart(info.id)}")
        columns = [(r.value, r.status, r.reason, area.name)]
        if show_gm:
            columns.append((r.gm_value, r.gm_status, r.gm_reason, area.gemeente_name))
        if prof.has_national:
            columns.append((r.nl_value, r.nl_status, r.nl_reason, "Nederland"))
        cells = []
        for value, status, reason, whose in columns:
            cells.append(html.Td(_cell(value, status, None, info, lang), className="num"))
            if isinstance(status, str) and status != "ok":
                why = no_figure_text(status, None if pd.isna(reason) else str(reason), lang)
                hidden.append(f"{info.label(lang)}, {whose}: {why}")
        if show_gm:
            cells.append(
                html.Td(
                    rank_text(int(r.rank), int(r.rank_of), int(r.rank_total), area.level, lang)
                    if not pd.isna(r.rank)
                    else "–"
                )
            )
        rows.append(html.Tr([html.Th(label, scope="row"), *cells], id=ids.figure_row(info.id)))
    periods = sorted({str(p) for p in prof.figures["period"].dropna()})
    caption = t(
        lang,
        f"Kerncijfers van {area.name}, {', '.join(periods)}",
        f"Key figures of {area.name}, {', '.join(periods)}",
    )
    if prof.figures.empty:
        table: Any = html.P(
            t(
                lang,
                f"Voor {area.name} zijn in {area.vintage} geen cijfers.",
                f"There are no figures for {area.name} in {area.vintage}.",
            )
        )
    else:
        table = html.Div(
            style={"overflowX": "auto"},
            tabIndex="0",
            role="region",
            **{"aria-label": caption},
            children=html.Table(
                className="values-table",
                children=[
                    html.Caption(caption),
                    html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                    html.Tbody(rows),
                ],
            ),
        )
    notes = [
        t(
            lang,
            "Rang: 1 is de hoogste waarde. Alleen gepubliceerde cijfers tellen mee.",
            "Rank: 1 is the highest value. Only published figures count.",
        )
    ]
    return html.Section(
        id=ids.FIGURES,
        style={"flex": "3 1 34rem", "minWidth": 0},
        **{"aria-labelledby": f"{ids.FIGURES}-titel"},
        children=[
            html.H2(t(lang, "Kerncijfers", "Key figures"), id=f"{ids.FIGURES}-titel"),
            table,
            *[html.P(n, className="source") for n in notes if show_gm],
            *(
                [
                    html.P(
                        t(lang, "Waarom een cijfer ontbreekt:", "Why a figure is missing:"),
                        className="source",
                    ),
                    html.Ul([html.Li(n) for n in dict.fromkeys(hidden)], className="source"),
                ]
                if hidden
                else []
            ),
        ],
    )


def _locator(prof: Profile, lang: Lang) -> html.Section:
    area = prof.area
    title = t(lang, "Ligging", "Location")
    content: list[Any]
    try:
        geometry = queries.geometry_info(area.vintage, area.level, area.gemeente_code)
        siblings = queries.areas(area.level, area.vintage, area.gemeente_code).frame
        names = dict(zip(siblings["code"], siblings["name"].fillna(siblings["code"]), strict=True))
        figure = locator_map(geometry, list(siblings["code"]), area.code, names=names)
        description = t(
            lang,
            f"Kaart van {area.gemeente_name} met {area.name} gemarkeerd in oranje tussen de "
            f"andere {_level(area.level, lang, plural=True)} in grijs.",
            f"Map of {area.gemeente_name} with {area.name} marked in orange among the other "
            f"{_level(area.level, lang, plural=True)} in grey.",
        )
        content = [
            html.Figure(
                style={"margin": 0},
                children=[
                    html.Div(
                        className="map-wrap",
                        children=dcc.Graph(
                            id=ids.MAP,
                            figure=figure,
                            config={"displayModeBar": False, "scrollZoom": False},
                            style={"height": "300px"},
                        ),
                    ),
                    html.Figcaption(description, className="source"),
                ],
            )
        ]
    except GeometryNotFound:
        content = [
            html.P(
                t(
                    lang,
                    f"Er is geen kaart van de {_level(area.level, lang, plural=True)} in "
                    f"{area.vintage}.",
                    f"There is no map of the {_level(area.level, lang, plural=True)}"
                    f" in {area.vintage}.",
                )
            )
        ]
    return html.Section(
        style={"flex": "1 1 16rem", "minWidth": 0, "maxWidth": "28rem"},
        **{"aria-labelledby": f"{ids.MAP}-titel"},
        children=[html.H2(title, id=f"{ids.MAP}-titel"), *content],
    )


def _children(prof: Profile, lang: Lang) -> html.Section | None:
    area = prof.area
    if area.level == "buurt":
        return None
    child_level = "wijk" if area.level == "gemeente" else "buurt"
    plural = _level(child_level, lang, plural=True)
    title = t(
        lang, f"{plural.capitalize()} in {area.name}", f"{plural.capitalize()} in {area.name}"
    )
    frame = prof.children
    body: Any
    if frame.empty:
        body = html.P(
            t(
                lang,
                f"In de gebiedsindeling van {area.vintage} zijn geen {plural} bekend.",
                f"No {plural} are known in the boundaries of {area.vintage}.",
            )
        )
    else:
        items = []
        for r in frame.itertuples(index=False):
            count = (
                " · "
                + t(lang, "inwoners: ", "inhabitants: ")
                + format_value(float(r.inwoners), lang=lang)
                if r.status == "ok" and profiles.is_finite(r.inwoners)
                else ""
            )
            items.append(
                html.Li([dcc.Link(r.name or r.code, href=href(r.code, area.vintage, lang)), count])
            )
        body = html.Ul(items, style={"columns": "16rem auto", "columnGap": "2rem"})
    return html.Section(
        id=ids.CHILDREN,
        **{"aria-labelledby": f"{ids.CHILDREN}-titel"},
        children=[html.H2(title, id=f"{ids.CHILDREN}-titel"), body],
    )


def _trend_lines(trend: IndicatorTrend) -> list[TrendLine]:
    area_line = TrendLine(trend.area, "area", "", "", True)
    lines = [area_line]
    if trend.gemeente is not None:
        lines.append(TrendLine(trend.gemeente, "gemeente", "gemeente", "", True))
    return lines


def _trends(prof: Profile, lang: Lang) -> html.Section:
    area = prof.area
    title = t(lang, "Ontwikkeling", "Over the years")
    intro = t(
        lang,
        f"Per onderwerp {area.name} (doorgetrokken lijn)"
        + ("" if area.level == "gemeente" else f" en heel {area.gemeente_name} (gestreept)")
        + f", over de jaren {prof.segment.label()} waarin code {area.code} hetzelfde gebied is.",
        f"Per topic {area.name} (solid line)"
        + ("" if area.level == "gemeente" else f" and {area.gemeente_name} as a whole (dashed)")
        + f", over the years {prof.segment.label()} in which code {area.code} is the same area.",
    )
    blocks = []
    for trend in prof.trends:
        info = trend.indicator
        lines = _trend_lines(trend)
        label = label_with_unit(info, lang)
        # Counts of a wijk and of its gemeente differ by an order of magnitude: compare
        # their development as an index; shares, averages and densities as they are.
        index = info.aggregation == "sum" and trend.gemeente is not None
        first = trend.area.ok_points[0].period
        chart_title = (
            t(lang, f"{label} (index, {first} = 100)", f"{label} (index, {first} = 100)")
            if index
            else label
        )
        summary = texts.trend_summary(
            [TrendLine(ln.series, ln.role, ln.level, ln.gemeente_code, True) for ln in lines],
            info,
            lang,
        )
        blocks.append(
            chart_block(
                anchor=ids.chart(info.id),
                title=chart_title,
                graph_id=ids.graph(info.id),
                figure=trend_figure(lines, info, lang=lang, height=230, compact=True, index=index),
                summary=summary,
                table=_trend_table(lines, info, label, lang),
                api_url=api_values_url(info.id, area.level, "all", area.gemeente_code),
                lang=lang,
            )
        )
    body: Any
    if blocks:
        body = html.Div(
            style={
                "display": "grid",
                "gridTemplateColumns": "repeat(auto-fill, minmax(min(100%, 20rem), 1fr))",
                "gap": "1rem 1.5rem",
            },
            children=blocks,
        )
    else:
        body = html.P(
            t(
                lang,
                f"Voor {area.name} zijn nog geen cijfers over meerdere jaren van hetzelfde gebied.",
                f"There are no figures over several years of the same area for {area.name} yet.",
            )
        )
    brk = prof.segment.break_before
    warning = (
        html.P(
            t(
                lang,
                f"Let op: tot {brk.vintage} hoorde code {area.code} bij een ander gebied "
                f"({brk.previous_name or area.code}). Die cijfers staan niet in deze grafieken.",
                f"Note: until {brk.vintage} code {area.code} belonged to another area "
                f"({brk.previous_name or area.code}). Those figures are not in these charts.",
            ),
            className="break-note",
        )
        if brk is not None
        else None
    )
    return html.Section(
        id=ids.TRENDS,
        **{"aria-labelledby": f"{ids.TRENDS}-titel"},
        children=[html.H2(title, id=f"{ids.TRENDS}-titel"), html.P(intro), warning, body],
    )


def _trend_table(
    lines: list[TrendLine], info: profiles.IndicatorInfo, label: str, lang: Lang
) -> html.Table:
    return trend_table(lines, info, caption=label, lang=lang)


def _more(prof: Profile, lang: Lang) -> html.Section:
    area = prof.area
    kaart = (
        dash.get_relative_path("/kaart")
        + "?"
        + urlencode(
            {
                "indicator": "inwoners",
                "jaar": area.vintage,
                "niveau": area.level,
                "gemeente": area.gemeente_code,
            }
        )
    )
    codes = [area.gemeente_code]
    if area.level == "buurt" and area.parent_code:
        codes.append(area.parent_code)
    codes = list(dict.fromkeys([*codes, area.code, *prof.children["code"][:20]]))
    vergelijk = (
        dash.get_relative_path("/vergelijk")
        + "?"
        + urlencode({"gebieden": ",".join(codes), "jaar": area.vintage}, safe=",")
    )
    trends = (
        dash.get_relative_path("/trends")
        + "?"
        + urlencode(
            {
                "indicator": prof.trends[0].indicator.id if prof.trends else "inwoners",
                "gebieden": area.code,
            }
        )
    )
    return html.Section(
        **{"aria-labelledby": "gebied-verder-titel"},
        children=[
            html.H2(t(lang, "Verder", "More"), id="gebied-verder-titel"),
            html.Ul(
                [
                    html.Li(
                        dcc.Link(
                            t(lang, "Bekijk op de kaart", "Show on the map"),
                            href=with_lang(kaart, lang),
                        )
                    ),
                    html.Li(
                        dcc.Link(
                            t(lang, "Vergelijk in een tabel", "Compare in a table"),
                            href=with_lang(vergelijk, lang),
                        )
                    ),
                    html.Li(
                        dcc.Link(
                            t(lang, "Trends met andere gebieden", "Trends with other areas"),
                            href=with_lang(trends, lang),
                        )
                    ),
                ]
            ),
        ],
    )
