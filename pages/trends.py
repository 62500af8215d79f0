# SPDX-License-Identifier: EUPL-1.2
"""Trends: how did one figure develop in the areas I care about, against the gemeente?

The question this page answers, for an area manager or a councillor: "How did <indicator>
change over the years in <these wijken or buurten>, and how does that compare with the
gemeente?" ``/trends?indicator=inwoners&gebieden=WK040001,WK040002&lang=en`` draws a line
per area with the gemeente dashed as reference, a text summary and a table alternative.

Areas are keyed by (year, code): a code that CBS re-used for another area after a
re-division (Haarlem's WK039202: "Wijk 02 Spoorbaan Leiden" until 2015,
"Haarlemmerhoutkwartier" from 2016) is drawn as two separate, differently dashed lines with
a vertical break line and a note, never as one line (:mod:`data.series`).
"""

from __future__ import annotations

import logging
from typing import Any, Final, NamedTuple
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from components.charts import api_values_url, chart_block, trend_figure, trend_table
from components.lang import page_title
from data import queries, series, texts
from data.compare import default_selection, parse_list
from data.i18n import Lang, parse_lang, t, with_lang
from data.profiles import LEVEL_NAMES, IndicatorInfo, indicator_catalogue
from data.queries import InvalidParameter, NotFound
from data.series import TrendLine
from data.settings import get_settings
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

PATH: Final = "/trends"
#: At most this many areas in one chart: more lines are unreadable.
MAX_AREAS: Final = 8
#: Values of the ``weergave`` parameter: the figures themselves, or an index (first = 100).
VALUES: Final = "waarden"
INDEX: Final = "index"


def http_status(**query: object) -> int:
    """404 when the link names something that does not exist (see components/responses)."""
    lang = parse_lang(query.get("lang"))
    try:
        resolve(query.get("indicator"), query.get("gebieden"), lang)
    except ViewError:
        return 404
    except WarehouseUnavailable:
        return 503
    return 200


dash.register_page(
    __name__,
    path=PATH,
    name="Trends",
    name_en="Trends",
    title=page_title("Trends", "Trends"),
    http_status=http_status,
    description="Een cijfer door de jaren voor gekozen wijken en buurten, met de gemeente.",
    order=3,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    """Component ids of this page."""

    URL = "trends-url"
    LANG = "trends-lang"
    INDICATOR = "trends-indicator"
    GEMEENTE = "trends-gemeente"
    AREAS = "trends-gebieden"
    MODE = "trends-weergave"
    MESSAGE = "trends-message"
    CHART = "trends-chart"
    ANCHOR = "trends-grafiek"
    GRAPH = "trends-graph"


class ViewError(Exception):
    """The URL or the controls name no existing view; the message is for the user."""


class TrendView(NamedTuple):
    """One resolved trends view."""

    indicator: IndicatorInfo
    codes: tuple[str, ...]
    lines: tuple[TrendLine, ...]
    catalogue: dict[str, IndicatorInfo]
    as_index: bool

    def query_string(self, lang: Lang) -> str:
        query = urlencode(
            {
                "indicator": self.indicator.id,
                "gebieden": ",".join(self.codes),
                "weergave": INDEX if self.as_index else VALUES,
            },
            safe=",",
        )
        return "?" + query + ("&lang=en" if lang == "en" else "")


def default_mode(info: IndicatorInfo) -> str:
    """Counts of areas and their gemeente differ by orders of magnitude: index by default;
    shares, averages and densities as values."""
    return INDEX if info.aggregation == "sum" else VALUES


def resolve(indicator: object, gebieden: object, lang: Lang, weergave: object = None) -> TrendView:
    """Validate the URL or controls and read the lines; :class:`ViewError` otherwise."""
    if isinstance(indicator, list):
        raise ViewError(
            t(
                lang,
                "De link noemt ‘indicator’ meer dan eens.",
                "The link names ‘indicator’ more than once.",
            )
        )
    catalogue = indicator_catalogue()
    if not catalogue:
        raise ViewError(t(lang, "Er zijn nog geen indicatoren.", "There are no indicators yet."))
    ind_id = str(indicator) if indicator not in (None, "") else get_settings().default_indicator
    if ind_id not in catalogue:
        if indicator not in (None, ""):
            raise ViewError(
                t(
                    lang,
                    f"De indicator ‘{indicator}’ kennen we niet.",
                    f"We do not know the indicator ‘{indicator}’.",
                )
            )
        ind_id = next(iter(catalogue))
    codes = [c.upper() for c in parse_list(gebieden)]
    if not codes:
        try:
            _, default = default_selection()
        except NotFound as e:
            raise ViewError(
                t(
                    lang,
                    "Er zijn nog geen wijken met cijfers.",
                    "There are no districts with figures yet.",
                )
            ) from e
        codes = [c for c in default if not c.startswith("GM")][:2]
    if len(codes) > MAX_AREAS:
        raise ViewError(
            t(lang, f"Kies hoogstens {MAX_AREAS} gebieden.", f"Choose at most {MAX_AREAS} areas.")
        )
    try:
        lines = series.trend_lines(ind_id, codes)
    except InvalidParameter as e:
        raise ViewError(
            t(
                lang,
                "Een van de gebiedscodes in de link is geen geldige code.",
                "One of the area codes in the link is not a valid code.",
            )
        ) from e
    except series.UnknownArea as e:
        raise ViewError(
            t(
                lang,
                f"Niet alle gebieden bestaan: {', '.join(codes)}.",
                f"Not all areas exist: {', '.join(codes)}.",
            )
        ) from e
    info = catalogue[ind_id]
    mode = weergave if weergave in (VALUES, INDEX) else default_mode(info)
    return TrendView(info, tuple(codes), tuple(lines), catalogue, mode == INDEX)


# --- content ---------------------------------------------------------------------------


def chart(view: TrendView, lang: Lang) -> html.Div:
    """The chart block (or a notice when nothing has figures) for ``view``."""
    info = view.indicator
    label = info.label(lang)
    if not view.lines:
        return html.Div(
            className="notice",
            children=html.P(
                t(
                    lang,
                    f"Voor deze gebieden zijn er geen cijfers over {label.lower()}.",
                    f"There are no figures on {label.lower()} for these areas.",
                )
            ),
        )
    title = t(lang, f"{label} door de jaren", f"{label} over the years")
    notes = [
        texts.break_note(line, lang) for line in view.lines if line.series.segment.break_before
    ]
    apis = _api_links(view, lang)
    block = chart_block(
        anchor=ids.ANCHOR,
        title=title,
        graph_id=ids.GRAPH,
        figure=trend_figure(list(view.lines), info, lang=lang, height=440, index=view.as_index),
        summary=texts.trend_summary(list(view.lines), info, lang),
        table=trend_table(list(view.lines), info, caption=title, lang=lang),
        api_url=apis[0][1],
        share=True,
        lang=lang,
        heading="h2",
        note=html.Div([html.P(n, className="break-note") for n in notes]) if notes else None,
    )
    extra = (
        [
            html.P(
                [
                    t(lang, "Ook: ", "Also: "),
                    *[html.A(lbl, href=u, style={"marginRight": "1rem"}) for lbl, u in apis[1:]],
                ],
                className="source",
            )
        ]
        if len(apis) > 1
        else []
    )
    source = html.P(
        t(
            lang,
            f"Bron: {info.source} ({info.licence}).",
            f"Source: {info.source} ({info.licence}).",
        ),
        className="source",
    )
    return html.Div([block, *extra, source])


def _api_links(view: TrendView, lang: Lang = "nl") -> list[tuple[str, str]]:
    """``(label, url)`` of the API call per level and gemeente of the lines."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for line in view.lines:
        key = (line.level, line.gemeente_code)
        if key not in seen:
            names = LEVEL_NAMES.get(line.level, (line.level,) * 4)
            label = f"{names[3] if lang == 'en' else names[1]} {line.gemeente_code}"
            url = api_values_url(view.indicator.id, line.level, "all", line.gemeente_code)
            seen[key] = (label, url)
    return list(seen.values())


# --- controls --------------------------------------------------------------------------


def area_options(
    gemeente: str | None, lang: Lang, keep: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """Every code that exists in any year in ``gemeente`` (wijken and buurten, and the
    gemeente itself), named after its newest name; plus the codes in ``keep``."""
    if not gemeente:
        return [{"label": c, "value": c} for c in keep]
    frame = series.codes_in_gemeente(gemeente)
    options = []
    for r in frame.itertuples(index=False):
        level = LEVEL_NAMES.get(str(r.level), (r.level,) * 4)[2 if lang == "en" else 0]
        options.append({"label": f"{r.name or r.code} ({level}, {r.code})", "value": str(r.code)})
    known = {o["value"] for o in options}
    options += [{"label": c, "value": c} for c in keep if c not in known]
    return options


def gemeente_options() -> list[dict[str, str]]:
    """Every gemeente in any vintage, named after its newest name."""
    return [
        {"label": f"{r.name or r.code}", "value": str(r.code)}
        for r in series.all_gemeenten().itertuples(index=False)
    ]


def _field(label: str, control_id: str, control: Any, *, wide: bool = False) -> html.Div:
    return html.Div(
        className="field field-wide" if wide else "field",
        children=[html.Label(label, htmlFor=control_id), control],
    )


def layout(
    indicator: str | None = None,
    gebieden: str | None = None,
    weergave: str | None = None,
    lang: str | None = None,
    **_ignored: object,
) -> html.Div:
    """The trends page for the view in the URL (or a friendly message)."""
    language = parse_lang(lang)
    try:
        view = resolve(indicator, gebieden, language, weergave)
        gemeente = "GM" + view.codes[0][2:6]
        gm_options = gemeente_options()
        options = area_options(gemeente, language, view.codes)
    except ViewError as e:
        return _problem(str(e), language)
    except WarehouseUnavailable as e:
        logger.error("trends unavailable reason=%s error=%s", e.reason, e)
        return _problem(
            t(
                language,
                "De cijfers zijn op dit moment niet beschikbaar.",
                "The figures are not available right now.",
            ),
            language,
        )
    return html.Div(
        className="page trends",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LANG, data=language),
            html.H1("Trends"),
            html.P(
                t(
                    language,
                    "Kies een onderwerp en een of meer wijken of buurten. De gemeente staat "
                    "gestreept als vergelijking. Gebieden waarvan de grens veranderde, krijgen "
                    "een aparte lijn.",
                    "Choose a topic and one or more districts or neighbourhoods. The "
                    "municipality is dashed for reference. Areas whose boundaries changed get "
                    "a separate line.",
                )
            ),
            html.Div(
                className="controls",
                role="group",
                **{"aria-label": t(language, "Wat de grafiek toont", "What the chart shows")},
                children=[
                    _field(
                        t(language, "Onderwerp", "Topic"),
                        ids.INDICATOR,
                        dcc.Dropdown(
                            id=ids.INDICATOR,
                            options=[
                                {"label": f"{i.label(language)} ({i.theme})", "value": i.id}
                                for i in view.catalogue.values()
                            ],
                            value=view.indicator.id,
                            clearable=False,
                            maxHeight=320,
                        ),
                        wide=True,
                    ),
                    _field(
                        t(language, "Gemeente", "Municipality"),
                        ids.GEMEENTE,
                        dcc.Dropdown(
                            id=ids.GEMEENTE, options=gm_options, value=gemeente, clearable=False
                        ),
                    ),
                    _field(
                        t(language, "Gebieden", "Areas"),
                        ids.AREAS,
                        dcc.Dropdown(
                            id=ids.AREAS,
                            options=options,
                            value=list(view.codes),
                            multi=True,
                            maxHeight=320,
                        ),
                        wide=True,
                    ),
                    html.Fieldset(
                        className="field",
                        children=[
                            html.Legend(t(language, "Weergave", "Show")),
                            dcc.RadioItems(
                                id=ids.MODE,
                                options=[
                                    {"label": t(language, "Waarden", "Values"), "value": VALUES},
                                    {
                                        "label": t(
                                            language,
                                            "Index (eerste jaar = 100)",
                                            "Index (first year = 100)",
                                        ),
                                        "value": INDEX,
                                    },
                                ],
                                value=INDEX if view.as_index else VALUES,
                                inline=True,
                                className="radio-row",
                            ),
                        ],
                    ),
                ],
            ),
            html.Div(id=ids.MESSAGE, className="message", role="status"),
            html.Div(id=ids.CHART, children=chart(view, language)),
        ],
    )


def _problem(message: str, lang: Lang) -> html.Div:
    return html.Div(
        className="page trends",
        children=[
            html.H1("Trends"),
            html.Div(
                className="notice",
                role="alert",
                children=[
                    html.P(message),
                    html.P(
                        dcc.Link(
                            t(lang, "Naar de standaardweergave", "To the default view"),
                            href=with_lang(dash.get_relative_path(PATH), lang),
                        )
                    ),
                ],
            ),
        ],
    )


# --- callbacks -------------------------------------------------------------------------


@callback(
    Output(ids.CHART, "children"),
    Output(ids.URL, "search"),
    Output(ids.MESSAGE, "children"),
    Input(ids.INDICATOR, "value"),
    Input(ids.AREAS, "value"),
    Input(ids.MODE, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def update_chart(
    indicator: str | None, gebieden: list[str] | None, weergave: str | None, lang: str | None
) -> tuple[Any, Any, Any]:
    """Redraw for the chosen indicator and areas; the URL follows."""
    language = parse_lang(lang)
    if not gebieden:
        return (
            no_update,
            no_update,
            t(language, "Kies minstens één gebied.", "Choose at least one area."),
        )
    try:
        view = resolve(indicator, ",".join(gebieden), language, weergave)
    except ViewError as e:
        return no_update, no_update, str(e)
    return chart(view, language), view.query_string(language), None


@callback(
    Output(ids.AREAS, "options"),
    Input(ids.GEMEENTE, "value"),
    State(ids.AREAS, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def update_area_options(
    gemeente: str | None, chosen: list[str] | None, lang: str | None
) -> list[dict[str, str]]:
    """The areas of the chosen gemeente; already chosen areas stay selectable."""
    try:
        gm = queries.check_gemeente(gemeente)
    except InvalidParameter:
        return no_update  # type: ignore[return-value]
    return area_options(gm, parse_lang(lang), tuple(chosen or ()))
