# SPDX-License-Identifier: EUPL-1.2
"""Charts of the profile, trends and compare pages, with what every chart carries.

- :func:`trend_figure`: lines over the years (a small multiple or the trends chart). Each
  :class:`~data.series.TrendLine` is its own trace: a code re-used for another area is two
  traces, never one, and a dashed vertical line marks where the division changed.
- :func:`locator_map`: where an area lies in its gemeente, on the cached geometry artefact
  of :mod:`components.choropleth` (MapLibre ``Choroplethmap`` on a blank style: offline).
- :func:`chart_block`: a chart with its heading, text summary, table alternative, and the
  shared tool row of :mod:`components.share` (PNG and SVG download in the browser, the API
  call behind the chart as JSON and CSV). WCAG 2.1 AA: every chart has a text and a table
  alternative.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import urlencode

import dash
import plotly.graph_objects as go
from dash import dcc, html

from components.choropleth import geometry_url
from components.share import graph_config, share_tools
from data.i18n import Lang, t
from data.profiles import IndicatorInfo
from data.queries import GeometryInfo
from data.series import TrendLine, index_values, period_number
from data.shaping import center_zoom, format_value, no_figure_text
from data.texts import segment_name

logger = logging.getLogger(__name__)

#: Okabe–Ito: distinguishable with every common colour-vision deficiency.
LINE_COLOURS: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: The gemeente (reference) line: dark grey, dashed, so it differs by more than colour.
REFERENCE_COLOUR: Final = "#4d4d4d"
REFERENCE_DASHES: Final = ("dash", "dashdot", "longdash")
REFERENCE_MARKERS: Final = ("square", "diamond", "triangle-up")
BREAK_COLOUR: Final = "#8a1c1c"
#: Locator map: the area and the rest of its gemeente (contrast > 3:1 with each other).
LOCATOR_AREA: Final = "#d55e00"
LOCATOR_OTHER: Final = "#e3e6ea"


def api_values_url(indicator: str, level: str, year: int | str, gemeente: str | None) -> str:
    """The documented open data call behind a chart (ARCHITECTURE "Interfaces").

    ``year`` is a year or ``"all"`` (every vintage, for a trend).
    """
    params: dict[str, str] = {"indicator": indicator, "level": level, "year": str(year)}
    if gemeente:
        params["gemeente"] = gemeente
    return f"{dash.get_relative_path('/api/v1/values')}?{urlencode(params)}"


# --- trend charts ----------------------------------------------------------------------


def _x(period: str) -> float | str:
    number = period_number(period)
    return number if number is not None else period


def trend_figure(
    lines: Sequence[TrendLine],
    info: IndicatorInfo,
    *,
    lang: Lang = "nl",
    height: int = 420,
    compact: bool = False,
    index: bool = False,
) -> go.Figure:
    """A line per :class:`TrendLine`; gaps where a figure is hidden or missing (the line is
    not drawn across them); the gemeente dashed grey; an earlier area under the same code
    dotted in its code's colour, with a vertical break line and note.

    With ``index`` each line is drawn relative to its own first published figure (= 100),
    so that a wijk and its gemeente, or areas of different sizes, share one scale; hover
    texts and the table keep the real figures."""
    figure = go.Figure()
    colours: dict[str, str] = {}
    references: dict[str, int] = {}
    for line in lines:
        series = line.series
        marker = "circle"
        if line.role == "gemeente":
            # Several gemeenten: the same grey, told apart by dash pattern and marker.
            n = references.setdefault(series.code, len(references)) % len(REFERENCE_DASHES)
            colour, dash_style = REFERENCE_COLOUR, REFERENCE_DASHES[n]
            marker = REFERENCE_MARKERS[n]
        else:
            colour = colours.setdefault(series.code, LINE_COLOURS[len(colours) % len(LINE_COLOURS)])
            dash_style = "solid" if line.current else "dot"
        name = segment_name(line, lang)
        if line.role == "gemeente":
            name += t(lang, " (gemeente)", " (municipality)")
        texts = [
            format_value(p.value, decimals=info.decimals, unit=info.unit_in(lang), lang=lang)
            if p.value is not None
            else no_figure_text(p.status, p.reason, lang)
            for p in series.points
        ]
        figure.add_trace(
            go.Scatter(
                x=[_x(p.period) for p in series.points],
                y=index_values(series) if index else [p.value for p in series.points],
                customdata=texts,
                name=name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": colour, "dash": dash_style, "width": 2.5},
                marker={"size": 7, "symbol": marker},
                hovertemplate=f"<b>{name}</b><br>%{{x}}: %{{customdata}}"
                + (" (index %{y:.0f})" if index else "")
                + "<extra></extra>",
            )
        )
        brk = series.segment.break_before
        if brk is not None and line.role == "area" and series.points:
            x_break = _x(str(brk.vintage))
            if isinstance(x_break, float):
                figure.add_vline(
                    x=x_break - 0.5,
                    line={"color": BREAK_COLOUR, "dash": "dash", "width": 1.5},
                    annotation_text=t(lang, "andere indeling", "new boundaries"),
                    annotation_position="top left",
                    annotation_font={"color": BREAK_COLOUR, "size": 12},
                )
    numeric = all(isinstance(x, float) for tr in figure.data for x in (tr.x or ()))
    axis_title = (
        t(lang, "index (eerste jaar = 100)", "index (first year = 100)")
        if index and not compact
        else ("" if compact or info.unit in ("", "aantal") else info.unit_in(lang))
    )
    figure.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": 28 if compact else 36, "b": 8},
        separators=",." if lang == "nl" else ".,",
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"size": 13, "color": "#1a1a1a"},
        hovermode="closest",
        showlegend=not compact,
        legend={"orientation": "h", "y": -0.15, "x": 0},
        xaxis={
            "type": "linear" if numeric else "category",
            "tickformat": "d",
            "dtick": None if not numeric else 1 if _span(figure) <= 8 else 2,
            "gridcolor": "#e6e6e6",
            "fixedrange": compact,
        },
        yaxis={
            "title": {"text": axis_title},
            "ticksuffix": "%" if info.unit == "%" and not index else "",
            "gridcolor": "#e6e6e6",
            "rangemode": "tozero" if info.aggregation == "sum" and not index else "normal",
            "fixedrange": compact,
        },
    )
    return figure


def _span(figure: go.Figure) -> float:
    xs = [float(x) for tr in figure.data for x in (tr.x or ()) if isinstance(x, float)]
    return max(xs) - min(xs) if xs else 0.0


def trend_table(
    lines: Sequence[TrendLine], info: IndicatorInfo, *, caption: str, lang: Lang = "nl"
) -> html.Table:
    """The table alternative of a trend chart: a row per period, a column per line."""
    periods = sorted({p.period for line in lines for p in line.series.points})
    headers = [
        segment_name(line, lang)
        + (t(lang, " (gemeente)", " (municipality)") if line.role == "gemeente" else "")
        for line in lines
    ]
    cells: list[list[str]] = []
    for period in periods:
        row = []
        for line in lines:
            point = next((p for p in line.series.points if p.period == period), None)
            if point is None:
                row.append("–")
            elif point.value is None:
                row.append(no_figure_text(point.status, point.reason, lang))
            else:
                row.append(
                    format_value(
                        point.value, decimals=info.decimals, unit=info.unit_in(lang), lang=lang
                    )
                )
        cells.append(row)
    return data_table(
        caption=caption,
        headers=[t(lang, "Jaar", "Year"), *headers],
        rows=[[p, *r] for p, r in zip(periods, cells, strict=True)],
        numeric_columns=range(1, len(headers) + 1),
    )


def data_table(
    *,
    caption: str,
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    numeric_columns: Sequence[int] | range = (),
    table_id: str | None = None,
) -> html.Table:
    """A plain accessible table: caption, column headers, the first cell a row header."""
    numeric = set(numeric_columns)
    body = []
    for row in rows:
        first, *rest = row
        body.append(
            html.Tr(
                [
                    html.Th(first, scope="row"),
                    *[
                        html.Td(cell, className="num" if i in numeric else None)
                        for i, cell in enumerate(rest, start=1)
                    ],
                ]
            )
        )
    kwargs = {"id": table_id} if table_id else {}
    return html.Table(
        className="values-table",
        children=[
            html.Caption(caption),
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className="num" if i in numeric else None)
                        for i, h in enumerate(headers)
                    ]
                )
            ),
            html.Tbody(body),
        ],
        **kwargs,
    )


# --- the block around every chart ------------------------------------------------------


def chart_block(
    *,
    anchor: str,
    title: str,
    graph_id: str,
    figure: go.Figure,
    summary: str,
    table: html.Table,
    api_url: str,
    lang: Lang = "nl",
    heading: str = "h3",
    note: Any = None,
    height: str = "auto",
    share: bool = False,
) -> html.Section:
    """A chart with heading, text summary, table alternative, PNG/SVG download, the API
    call behind it (JSON and CSV) and, with ``share``, the share button
    (:func:`components.share.share_tools`).

    ``anchor`` is the section's id, so that a sentence elsewhere can link to the chart.
    """
    title_id, summary_id = f"{anchor}-titel", f"{anchor}-tekst"
    heading_tag = {"h2": html.H2, "h3": html.H3}[heading]
    return html.Section(
        id=anchor,
        className="chart-block",
        style={"minWidth": 0},
        **{"aria-labelledby": title_id},
        children=[
            heading_tag(title, id=title_id, style={"fontSize": "1.05rem"}),
            note,
            # <figure> rather than role="figure": older axe-core (and screen readers)
            # do not know the ARIA role, all know the element.
            html.Figure(
                style={"margin": 0},
                **{"aria-labelledby": title_id, "aria-describedby": summary_id},
                children=dcc.Graph(
                    id=graph_id,
                    figure=figure,
                    config=graph_config(f"buurtlens-{anchor}", lang),
                    **({"style": {"height": height}} if height != "auto" else {}),
                ),
            ),
            html.P(summary, id=summary_id, className="summary"),
            html.Details(
                className="table-details",
                children=[html.Summary(t(lang, "Tabel", "Table")), table],
            ),
            share_tools(
                graph_id,
                graph_id=graph_id,
                api_url=api_url,
                csv_url=api_url + "&format=csv",
                filename=f"buurtlens-{anchor}",
                lang=lang,
                share=share,
            ),
        ],
    )


# --- locator map ----------------------------------------------------------------------


def locator_map(
    geometry: GeometryInfo, codes: Sequence[str], highlight: str, *, names: dict[str, str]
) -> go.Figure:
    """The areas of one level of a gemeente in light grey, ``highlight`` in orange, fitted
    to the gemeente. Geometry is the cached artefact URL, never inline GeoJSON."""
    z = [1 if c == highlight else 0 for c in codes]
    trace = go.Choroplethmap(
        geojson=geometry_url(geometry),
        featureidkey="id",
        locations=list(codes),
        z=z,
        customdata=[names.get(c, c) for c in codes],
        hovertemplate="%{customdata}<extra></extra>",
        colorscale=[
            [0, LOCATOR_OTHER],
            [0.5, LOCATOR_OTHER],
            [0.5, LOCATOR_AREA],
            [1, LOCATOR_AREA],
        ],
        zmin=0,
        zmax=1,
        showscale=False,
        marker={"line": {"width": 0.8, "color": "#4d4d4d"}},
        name="",
    )
    bbox = geometry.bbox
    center, zoom = center_zoom(
        bbox.west, bbox.south, bbox.east, bbox.north, width_px=280, height_px=260
    )
    figure = go.Figure(data=[trace])
    figure.update_layout(
        map={"style": "white-bg", "center": center, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=300,
        paper_bgcolor="white",
        dragmode=False,
    )
    return figure
