# SPDX-License-Identifier: EUPL-1.2
"""Vergelijk: how do these areas compare on these figures, and can I take the table along?

The question this page answers, for an area manager preparing a report: "Show <these
areas> side by side on <these figures> for <year>, let me sort and filter, and give me the
table as CSV or Excel." ``/vergelijk?gebieden=GM0392,WK039201&indicatoren=inwoners&jaar=2024``
shows a sortable, filterable grid (AG Grid, keyboard operable) and the same figures as a
plain HTML table for screen readers and for printing. Downloads hold published figures
only: a hidden cell is empty, with its status and reason in the columns beside it, and the
source and licence travel with the file (format: :mod:`data.compare`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple
from urllib.parse import urlencode

import dash
import dash_ag_grid as dag
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.charts import api_values_url, data_table
from components.lang import page_title
from data import compare, queries, series
from data.compare import Comparison, parse_list
from data.i18n import Lang, parse_lang, t, with_lang
from data.profiles import LEVEL_NAMES, indicator_catalogue
from data.queries import InvalidParameter, NotFound
from data.shaping import format_value, no_figure_text
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

PATH: Final = "/vergelijk"


def http_status(**query: object) -> int:
    """404 when the link names something that does not exist (see components/responses)."""
    lang = parse_lang(query.get("lang"))
    try:
        resolve(query.get("gebieden"), query.get("indicatoren"), query.get("jaar"), lang)
    except ViewError:
        return 404
    except WarehouseUnavailable:
        return 503
    return 200


dash.register_page(
    __name__,
    path=PATH,
    name="Vergelijk",
    name_en="Compare",
    title=page_title("Vergelijk", "Compare"),
    http_status=http_status,
    description="Gebieden naast elkaar in een tabel, te sorteren, te filteren en te downloaden.",
    order=4,
)


class ids:  # a namespace of id constants (HOUSE-STYLE 4), hence lower case
    """Component ids of this page."""

    URL = "vergelijk-url"
    LANG = "vergelijk-lang"
    YEAR = "vergelijk-jaar"
    AREAS = "vergelijk-gebieden"
    INDICATORS = "vergelijk-indicatoren"
    MESSAGE = "vergelijk-message"
    GRID = "vergelijk-grid"
    TABLE = "vergelijk-tabel"
    SOURCE = "vergelijk-bron"
    GRID_ARIA = "vergelijk-grid-aria"
    CSV = "vergelijk-csv"
    XLSX = "vergelijk-xlsx"
    DOWNLOAD = "vergelijk-download"


#: Dutch texts of the grid's own controls (filters, menus); English is AG Grid's default.
GRID_LOCALE_NL: Final = {
    "filterOoo": "Filter…",
    "equals": "Gelijk aan",
    "notEqual": "Niet gelijk aan",
    "lessThan": "Kleiner dan",
    "greaterThan": "Groter dan",
    "lessThanOrEqual": "Kleiner dan of gelijk aan",
    "greaterThanOrEqual": "Groter dan of gelijk aan",
    "inRange": "Tussen",
    "inRangeStart": "Van",
    "inRangeEnd": "Tot",
    "contains": "Bevat",
    "notContains": "Bevat niet",
    "startsWith": "Begint met",
    "endsWith": "Eindigt op",
    "blank": "Leeg",
    "notBlank": "Niet leeg",
    "andCondition": "EN",
    "orCondition": "OF",
    "noRowsToShow": "Geen rijen",
    "ariaFilterInput": "Filterinvoer",
    "ariaFilterValue": "Filterwaarde",
    "ariaFilteringOperator": "Filteroperator",
    "ariaColumnFiltering": "Kolomfilter",
    "ariaSortableColumn": "Druk op Enter om te sorteren",
    "ariaMenuColumn": "Druk op Alt+pijl omlaag voor het kolommenu",
}


class ViewError(Exception):
    """The URL or the controls name no existing view; the message is for the user."""


class CompareView(NamedTuple):
    """One resolved comparison and what the controls need."""

    comparison: Comparison
    vintages: tuple[int, ...]

    def query_string(self, lang: Lang) -> str:
        comp = self.comparison
        query = urlencode(
            {
                "gebieden": ",".join(comp.areas["code"]),
                "indicatoren": ",".join(i.id for i in comp.indicators),
                "jaar": comp.vintage,
            },
            safe=",",
        )
        return "?" + query + ("&lang=en" if lang == "en" else "")


def resolve(gebieden: object, indicatoren: object, jaar: object, lang: Lang) -> CompareView:
    """Validate the URL or controls and read the figures; :class:`ViewError` otherwise."""
    if isinstance(jaar, list):
        raise ViewError(
            t(lang, "De link noemt ‘jaar’ meer dan eens.", "The link names ‘jaar’ more than once.")
        )
    codes = [c.upper() for c in parse_list(gebieden)]
    if not codes:
        try:
            default_year, codes = compare.default_selection()
        except NotFound as e:
            raise ViewError(
                t(lang, "Er zijn nog geen cijfers.", "There are no figures yet.")
            ) from e
        jaar = jaar or default_year
    try:
        comp = compare.comparison(codes, parse_list(indicatoren), jaar)
    except InvalidParameter as e:
        raise ViewError(t(lang, f"De link klopt niet: {e}.", f"The link is not valid: {e}.")) from e
    except queries.UnknownIndicator as e:
        raise ViewError(
            t(
                lang,
                "Een van de indicatoren in de link kennen we niet.",
                "We do not know one of the indicators in the link.",
            )
        ) from e
    except queries.UnknownVintage as e:
        raise ViewError(
            t(lang, f"Voor {jaar} zijn er geen gebieden.", f"There are no areas for {jaar}.")
        ) from e
    except series.UnknownArea as e:
        raise ViewError(
            t(
                lang,
                f"Geen van de gebieden bestaat in {jaar or 'dit jaar'}.",
                f"None of the areas exists in {jaar or 'this year'}.",
            )
        ) from e
    vintages = tuple(
        sorted(
            {*queries.vintages("wijk"), *queries.vintages("gemeente"), *queries.vintages("buurt")},
            reverse=True,
        )
    )
    return CompareView(comp, vintages)


# --- content ---------------------------------------------------------------------------


def _level(level: str, lang: Lang) -> str:
    names = LEVEL_NAMES.get(level)
    return level if names is None else names[2 if lang == "en" else 0]


def cell_text(
    value: float, status: str, reason: object, decimals: int, unit: str, lang: Lang
) -> str:
    """What a table cell shows: the figure (the column header names the unit, except a
    percentage), or why there is none."""
    if status == "ok" and value == value:  # not NaN
        return format_value(value, decimals=decimals, unit="%" if unit == "%" else "", lang=lang)
    return no_figure_text(status, reason if isinstance(reason, str) else None, lang)


def short_status(status: str, lang: Lang) -> str:
    """The grid's short word for a cell without a figure (the reason is in its tooltip)."""
    if status == "suppressed":
        return t(lang, "verborgen", "suppressed")
    return t(lang, "geen cijfer", "no figure")


def grid_content(comp: Comparison, lang: Lang) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(rowData, columnDefs)`` for the grid: numbers for sorting and filtering, the
    formatted text (or the reason there is none) for display."""
    wide = compare.wide_table(comp)
    rows: list[dict[str, Any]] = []
    for record in wide.to_dict("records"):
        row: dict[str, Any] = {
            "code": record["code"],
            "naam": record["naam"],
            "niveau": _level(str(record["niveau"]), lang),
            "gemeente": record["gemeente"],
        }
        for info in comp.indicators:
            value = record[info.id]
            status = str(record[f"{info.id}_status"])
            published = status == "ok" and value == value
            row[info.id] = float(value) if published else None
            text = cell_text(
                value, status, record[f"{info.id}_reden"], info.decimals, info.unit, lang
            )
            row[f"{info.id}__tekst"] = text if published else short_status(status, lang)
            row[f"{info.id}__uitleg"] = text
        rows.append(row)
    columns: list[dict[str, Any]] = [
        {
            "field": "naam",
            "headerName": t(lang, "Gebied", "Area"),
            "pinned": "left",
            "filter": "agTextColumnFilter",
            "minWidth": 140,
        }
    ]
    for info in comp.indicators:
        unit = "" if info.unit in ("", "aantal") else f" ({info.unit_in(lang)})"
        label = info.label(lang)
        columns.append(
            {
                "field": info.id,
                "headerName": label if info.unit_in(lang) in label or not unit else label + unit,
                "headerTooltip": label,
                "type": "numericColumn",
                "filter": "agNumberColumnFilter",
                # Ids are catalogue ids ([a-z0-9_]), so this expression is safe to build.
                "valueFormatter": {"function": f"params.data['{info.id}__tekst']"},
                "tooltipField": f"{info.id}__uitleg",
                "minWidth": 140,
                "maxWidth": 240,
            }
        )
    # Figures right after the name (what a phone shows first), then where the area lies.
    columns += [
        {
            "field": "niveau",
            "headerName": t(lang, "Niveau", "Level"),
            "filter": "agTextColumnFilter",
            "width": 110,
        },
        {
            "field": "gemeente",
            "headerName": t(lang, "Gemeente", "Municipality"),
            "filter": "agTextColumnFilter",
            "minWidth": 120,
        },
        {"field": "code", "headerName": "Code", "filter": "agTextColumnFilter", "width": 130},
    ]
    return rows, columns


def plain_table(comp: Comparison, lang: Lang) -> html.Table:
    """The table alternative: the same rows as the grid, as a plain HTML table."""
    rows, columns = grid_content(comp, lang)
    headers = [c["headerName"] for c in columns]
    ind_ids = [i.id for i in comp.indicators]
    body = [
        [r["naam"], *[r[f"{i}__uitleg"] for i in ind_ids], r["niveau"], r["gemeente"], r["code"]]
        for r in rows
    ]
    return data_table(
        caption=t(
            lang,
            f"Vergelijking, gebiedsindeling {comp.vintage}",
            f"Comparison, boundaries of {comp.vintage}",
        ),
        headers=headers,
        rows=body,
        numeric_columns=range(1, 1 + len(ind_ids)),
        table_id=ids.TABLE,
    )


def source_lines(comp: Comparison, lang: Lang) -> list[Any]:
    """Source and licence, the periods, and the API call behind each column."""
    periods = compare.periods(comp)
    gemeenten = sorted(set(comp.areas["gemeente_code"]))
    levels = sorted(set(comp.areas["level"]))
    links: list[Any] = []
    for info in comp.indicators:
        for level in levels:
            for gm in gemeenten:
                url = api_values_url(info.id, level, comp.vintage, gm)
                links.append(
                    html.Li(html.A(f"{info.label(lang)} – {_level(level, lang)}, {gm}", href=url))
                )
    when = ", ".join(sorted({p for p in periods.values() if p}))
    source = compare.attribution(comp.indicators)
    return [
        html.P(
            t(
                lang,
                f"Bron: {source}. Periode: {when}. Gegevensversie {comp.data_version}.",
                f"Source: {source}. Period: {when}. Data version {comp.data_version}.",
            ),
            className="source",
        ),
        html.Details(
            className="table-details",
            children=[
                html.Summary(
                    t(
                        lang,
                        "Dezelfde cijfers via de open data API",
                        "The same figures from the open data API",
                    )
                ),
                html.Ul(links),
            ],
        ),
    ]


def _notice(comp: Comparison, lang: Lang) -> str | None:
    if not comp.absent:
        return None
    return t(
        lang,
        f"Niet in de gebiedsindeling van {comp.vintage}: {', '.join(comp.absent)}.",
        f"Not in the boundaries of {comp.vintage}: {', '.join(comp.absent)}.",
    )


# --- controls --------------------------------------------------------------------------


def area_options(vintage: int, chosen: list[str], lang: Lang) -> list[dict[str, str]]:
    """Every gemeente of the vintage, and the wijken and buurten of the gemeenten of the
    chosen areas; chosen codes stay selectable."""
    gemeenten = sorted({"GM" + c[2:6] for c in chosen if len(c) >= 6})
    options: list[dict[str, str]] = []
    frame = queries.gemeenten(vintage).frame
    options += [
        {"label": f"{r.name or r.code} ({_level('gemeente', lang)})", "value": str(r.code)}
        for r in frame.itertuples(index=False)
    ]
    for gm in gemeenten:
        try:
            for level in ("wijk", "buurt"):
                areas = queries.areas(level, vintage, gm).frame
                options += [
                    {
                        "label": f"{r.name or r.code} ({_level(level, lang)}, {r.code})",
                        "value": str(r.code),
                    }
                    for r in areas.itertuples(index=False)
                ]
        except InvalidParameter:
            continue
    known = {o["value"] for o in options}
    options += [{"label": c, "value": c} for c in chosen if c not in known]
    return options


def _field(label: str, control_id: str, control: Any, *, wide: bool = False) -> html.Div:
    return html.Div(
        className="field field-wide" if wide else "field",
        children=[html.Label(label, htmlFor=control_id), control],
    )


def layout(
    gebieden: str | None = None,
    indicatoren: str | None = None,
    jaar: str | None = None,
    lang: str | None = None,
    **_ignored: object,
) -> html.Div:
    """The compare page for the view in the URL (or a friendly message)."""
    language = parse_lang(lang)
    try:
        view = resolve(gebieden, indicatoren, jaar, language)
        catalogue = indicator_catalogue()
    except ViewError as e:
        return _problem(str(e), language)
    except WarehouseUnavailable as e:
        logger.error("compare unavailable reason=%s error=%s", e.reason, e)
        return _problem(
            t(
                language,
                "De cijfers zijn op dit moment niet beschikbaar.",
                "The figures are not available right now.",
            ),
            language,
        )
    comp = view.comparison
    rows, columns = grid_content(comp, language)
    codes = list(comp.areas["code"])
    return html.Div(
        className="page vergelijk",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LANG, data=language),
            dcc.Download(id=ids.DOWNLOAD),
            dcc.Store(id=ids.GRID_ARIA),
            html.H1(t(language, "Vergelijk", "Compare")),
            html.P(
                t(
                    language,
                    "Zet gebieden naast elkaar. Klik op een kolomkop om te sorteren; typ in het "
                    "vakje eronder om te filteren. Verborgen cijfers blijven leeg.",
                    "Put areas side by side. Click a column header to sort; type in the box "
                    "below it to filter. Hidden figures stay empty.",
                )
            ),
            html.Div(
                className="controls",
                role="group",
                **{"aria-label": t(language, "Wat de tabel toont", "What the table shows")},
                children=[
                    _field(
                        t(language, "Jaar (gebiedsindeling)", "Year (boundaries)"),
                        ids.YEAR,
                        dcc.Dropdown(
                            id=ids.YEAR,
                            options=[{"label": str(v), "value": v} for v in view.vintages],
                            value=comp.vintage,
                            clearable=False,
                            searchable=False,
                        ),
                    ),
                    _field(
                        t(language, "Gebieden", "Areas"),
                        ids.AREAS,
                        dcc.Dropdown(
                            id=ids.AREAS,
                            options=area_options(comp.vintage, codes, language),
                            value=codes,
                            multi=True,
                            maxHeight=320,
                        ),
                        wide=True,
                    ),
                    _field(
                        t(language, "Indicatoren", "Indicators"),
                        ids.INDICATORS,
                        dcc.Dropdown(
                            id=ids.INDICATORS,
                            options=compare.indicator_options(catalogue, language),
                            value=[i.id for i in comp.indicators],
                            multi=True,
                            maxHeight=320,
                        ),
                        wide=True,
                    ),
                ],
            ),
            html.Div(
                id=ids.MESSAGE, className="message", role="status", children=_notice(comp, language)
            ),
            html.H2(t(language, "Tabel", "Table"), id=f"{ids.GRID}-titel"),
            dag.AgGrid(
                id=ids.GRID,
                rowData=rows,
                columnDefs=columns,
                defaultColDef={
                    "sortable": True,
                    "resizable": True,
                    "floatingFilter": True,
                    "filter": True,
                    "wrapHeaderText": True,
                    "autoHeaderHeight": True,
                },
                columnSize="autoSize",
                dashGridOptions={
                    "domLayout": "autoHeight",
                    "tooltipShowDelay": 300,
                    "ensureDomOrder": True,  # screen readers read cells in visual order
                    "localeText": GRID_LOCALE_NL if language == "nl" else {},
                    "enableCellTextSelection": True,
                },
                style={
                    "width": "100%",
                    # The theme's header text is a translucent grey (contrast < 4.5:1).
                    "--ag-header-text-color": "#1a1a1a",
                    "--ag-header-background-color": "#f3f5f7",
                },
            ),
            html.Div(
                className="chart-tools",
                style={
                    "display": "flex",
                    "flexWrap": "wrap",
                    "gap": "0.5rem 1rem",
                    "margin": "0.75rem 0",
                },
                children=[
                    html.Button(
                        t(language, "Download CSV", "Download CSV"),
                        id=ids.CSV,
                        type="button",
                        className="button-link",
                    ),
                    html.Button(
                        t(language, "Download Excel", "Download Excel"),
                        id=ids.XLSX,
                        type="button",
                        className="button-link",
                    ),
                ],
            ),
            html.Details(
                className="table-details",
                children=[
                    html.Summary(
                        t(
                            language,
                            "Dezelfde cijfers als eenvoudige tabel",
                            "The same figures as a plain table",
                        )
                    ),
                    html.Div(
                        id=f"{ids.TABLE}-wrap",
                        style={"overflowX": "auto"},
                        children=plain_table(comp, language),
                    ),
                ],
            ),
            html.Div(id=ids.SOURCE, children=source_lines(comp, language)),
        ],
    )


def _problem(message: str, lang: Lang) -> html.Div:
    return html.Div(
        className="page vergelijk",
        children=[
            html.H1(t(lang, "Vergelijk", "Compare")),
            html.Div(
                className="notice",
                role="alert",
                children=[
                    html.P(message),
                    html.P(
                        dcc.Link(
                            t(lang, "Naar de standaardvergelijking", "To the default comparison"),
                            href=with_lang(dash.get_relative_path(PATH), lang),
                        )
                    ),
                ],
            ),
        ],
    )


# --- callbacks -------------------------------------------------------------------------

# AG Grid keeps containers for features this table does not use (full-width and sticky rows)
# as empty role="rowgroup" elements, which assistive technology and axe-core report as
# rowgroups without rows; and its number filters carry autocomplete="off", which older
# axe-core rejects on number fields. Both are tidied in the browser, now and whenever the
# grid redraws. Nothing else about the grid's own keyboard and ARIA support is touched.
clientside_callback(
    """
    function (rows, gridId) {
        const tidy = function (root) {
            root.querySelectorAll(
                '.ag-full-width-container[role="rowgroup"], [role="rowgroup"][class*="sticky"]'
            ).forEach(function (el) {
                if (!el.querySelector('[role="row"]')) { el.setAttribute("role", "presentation"); }
            });
            root.querySelectorAll('input[type="number"][autocomplete]').forEach(function (el) {
                el.removeAttribute("autocomplete");
            });
        };
        // The callback can run before the grid is in the document: retry for a few seconds.
        const attach = function (tries) {
            const root = document.getElementById(gridId);
            if (!root) {
                if (tries > 0) { window.setTimeout(function () { attach(tries - 1); }, 100); }
                return;
            }
            if (!root.dataset.blTidy) {
                root.dataset.blTidy = "1";
                new MutationObserver(function () { tidy(root); })
                    .observe(root, {childList: true, subtree: true});
            }
            tidy(root);
        };
        attach(50);
        return window.dash_clientside.no_update;
    }
    """,
    Output(ids.GRID_ARIA, "data"),
    Input(ids.GRID, "rowData"),
    State(ids.GRID, "id"),
)


@callback(
    output={
        "rows": Output(ids.GRID, "rowData"),
        "columns": Output(ids.GRID, "columnDefs"),
        "table": Output(f"{ids.TABLE}-wrap", "children"),
        "source": Output(ids.SOURCE, "children"),
        "search": Output(ids.URL, "search"),
        "message": Output(ids.MESSAGE, "children"),
    },
    inputs={
        "gebieden": Input(ids.AREAS, "value"),
        "indicatoren": Input(ids.INDICATORS, "value"),
        "jaar": Input(ids.YEAR, "value"),
        "lang": State(ids.LANG, "data"),
    },
    prevent_initial_call=True,
)
def update_table(
    gebieden: list[str] | None, indicatoren: list[str] | None, jaar: int | None, lang: str | None
) -> dict[str, Any]:
    """Recompute the table for the chosen areas, indicators and year; the URL follows."""
    language = parse_lang(lang)
    unchanged = dict.fromkeys(("rows", "columns", "table", "source", "search"), no_update)
    if not gebieden:
        return {
            **unchanged,
            "message": t(language, "Kies minstens één gebied.", "Choose at least one area."),
        }
    try:
        view = resolve(",".join(gebieden), ",".join(indicatoren or []), jaar, language)
    except ViewError as e:
        return {**unchanged, "message": str(e)}
    comp = view.comparison
    rows, columns = grid_content(comp, language)
    return {
        "rows": rows,
        "columns": columns,
        "table": plain_table(comp, language),
        "source": source_lines(comp, language),
        "search": view.query_string(language),
        "message": _notice(comp, language),
    }


@callback(
    Output(ids.AREAS, "options"),
    Input(ids.YEAR, "value"),
    Input(ids.AREAS, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def update_area_options(
    jaar: int | None, gebieden: list[str] | None, lang: str | None
) -> list[dict[str, str]]:
    """Areas to choose from in the chosen year, around the chosen ones."""
    try:
        vintage = queries.check_vintage(jaar)
    except InvalidParameter as e:
        raise PreventUpdate from e
    return area_options(vintage, list(gebieden or []), parse_lang(lang))


def _comparison_for_download(
    gebieden: list[str] | None, indicatoren: list[str] | None, jaar: int | None, lang: str | None
) -> Comparison:
    if not gebieden:
        raise PreventUpdate
    try:
        view = resolve(",".join(gebieden), ",".join(indicatoren or []), jaar, parse_lang(lang))
    except ViewError as e:
        raise PreventUpdate from e
    return view.comparison


@callback(
    Output(ids.DOWNLOAD, "data"),
    Input(ids.CSV, "n_clicks"),
    State(ids.AREAS, "value"),
    State(ids.INDICATORS, "value"),
    State(ids.YEAR, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def download_csv(
    _clicks: int | None,
    gebieden: list[str] | None,
    indicatoren: list[str] | None,
    jaar: int | None,
    lang: str | None,
) -> dict[str, Any]:
    """The table shown, as CSV (format: :mod:`data.compare`)."""
    comp = _comparison_for_download(gebieden, indicatoren, jaar, lang)
    return {
        "content": compare.to_csv(comp),
        "filename": f"buurtlens-vergelijking-{comp.vintage}.csv",
        "type": "text/csv",
    }


@callback(
    Output(ids.DOWNLOAD, "data", allow_duplicate=True),
    Input(ids.XLSX, "n_clicks"),
    State(ids.AREAS, "value"),
    State(ids.INDICATORS, "value"),
    State(ids.YEAR, "value"),
    State(ids.URL, "href"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def download_excel(
    _clicks: int | None,
    gebieden: list[str] | None,
    indicatoren: list[str] | None,
    jaar: int | None,
    view_url: str | None,
    lang: str | None,
) -> dict[str, Any]:
    """The table shown, as an Excel workbook with a ``bron`` sheet (:mod:`data.compare`)."""
    comp = _comparison_for_download(gebieden, indicatoren, jaar, lang)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    content = compare.to_excel(comp, view_url=view_url or "", downloaded_at=now)
    return dcc.send_bytes(content, f"buurtlens-vergelijking-{comp.vintage}.xlsx")
