# SPDX-License-Identifier: EUPL-1.2
"""Generated texts: "what stands out" on an area profile and text alternatives of charts.

Every sentence is built from published figures only (``status == "ok"``). A suppressed or
missing figure is never mentioned, compared or used in a difference, so no text can reveal
or help derive a hidden cell. Changes are computed within one :class:`~data.series.Segment`
(the same area), never across a re-division.

Texts are plain Dutch by default and English with ``lang="en"``; numbers follow the
language's format (:func:`data.shaping.format_value`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from data.i18n import Lang, t
from data.profiles import IndicatorInfo, IndicatorTrend
from data.series import Point, Series, TrendLine
from data.shaping import format_number, format_value

logger = logging.getLogger(__name__)

#: A deviation from the gemeente below this share of the gemeente's value is not news.
MIN_DEVIATION: Final = 0.10
#: A change over the years below this share of the first value is not news.
MIN_CHANGE: Final = 0.05
#: For percentages: differences below this many percentage points are not news.
MIN_POINTS: Final = 1.0

#: The number of inhabitants: when it is 0, shares of inhabitants are not compared.
POPULATION_INDICATOR: Final = "inwoners"

HighlightKind = Literal["deviation", "change"]


@dataclass(frozen=True, slots=True)
class Highlight:
    """One sentence of "what stands out", linked to the chart of ``indicator_id``."""

    text: str
    indicator_id: str
    kind: HighlightKind
    score: float


def _fmt(value: float, info: IndicatorInfo, lang: Lang) -> str:
    return format_value(value, decimals=info.decimals, unit=info.unit_in(lang), lang=lang)


def _pct(value: float, lang: Lang, *, signed: bool = False) -> str:
    """A percentage, with one decimal below 10: ``12`` -> ``"12%"``, ``-0.09`` -> ``"−0,1%"``
    with ``signed`` (a real minus sign; no sign when it rounds to zero)."""
    decimals = 0 if abs(value) >= 10 else 1
    text = format_number(abs(value), decimals, lang) + "%"
    if not signed or text.strip("0,.%") == "":
        return text
    return ("+" if value >= 0 else "−") + text


def _points(value: float, lang: Lang, decimals: int = 0) -> str:
    number = format_number(abs(value), decimals, lang)
    return t(lang, f"{number} procentpunt", f"{number} percentage points")


# --- deviations from the gemeente -------------------------------------------------------


def deviation_highlights(
    figures: pd.DataFrame,
    catalogue: Mapping[str, IndicatorInfo],
    *,
    area_name: str,
    gemeente_name: str,
    lang: Lang = "nl",
    limit: int = 3,
) -> list[Highlight]:
    """The largest differences between an area and its gemeente, as sentences.

    ``figures`` is a :func:`data.profiles.key_figures` frame. Only comparable indicators
    (shares, averages, densities, not counts) where *both* figures are published count;
    ranked by relative difference, at least :data:`MIN_DEVIATION`.

    >>> info = IndicatorInfo("aandeel_65_plus", "65 jaar of ouder", "Aged 65+", "Bevolking",
    ...     "%", 0, "weighted_mean", None, "CBS", "CC BY 4.0")
    >>> figures = pd.DataFrame({"indicator_id": ["aandeel_65_plus"], "value": [27.0],
    ...     "status": ["ok"], "gm_value": [18.0], "gm_status": ["ok"]})
    >>> [h.text for h in deviation_highlights(figures, {info.id: info},
    ...     area_name="Oude Stad", gemeente_name="Haarlem")]
    ['65 jaar of ouder: 27% in Oude Stad, 9 procentpunt hoger dan in heel Haarlem (18%).']
    >>> figures.loc[0, "status"] = "suppressed"
    >>> deviation_highlights(figures, {info.id: info}, area_name="x", gemeente_name="y")
    []
    """
    found: list[Highlight] = []
    for row in figures.itertuples(index=False):
        info = catalogue.get(str(row.indicator_id))
        if info is None or not info.comparable:
            continue
        if row.status != "ok" or row.gm_status != "ok":
            continue
        value, reference = float(row.value), float(row.gm_value)
        if not (math.isfinite(value) and math.isfinite(reference)) or reference == 0:
            continue
        score = abs(value - reference) / abs(reference)
        if score < MIN_DEVIATION:
            continue
        if info.unit == "%" and abs(value - reference) < MIN_POINTS:
            continue
        text = _deviation_text(info, value, reference, area_name, gemeente_name, lang)
        found.append(Highlight(text, info.id, "deviation", score))
    found.sort(key=lambda h: h.score, reverse=True)
    return found[:limit]


def _deviation_text(
    info: IndicatorInfo,
    value: float,
    reference: float,
    area: str,
    gemeente: str,
    lang: Lang,
) -> str:
    label = info.label(lang)
    shown, ref = _fmt(value, info, lang), _fmt(reference, info, lang)
    where = t(lang, f"in heel {gemeente} ({ref})", f"in {gemeente} as a whole ({ref})")
    higher = value > reference
    if info.unit == "%":
        diff = _points(value - reference, lang, info.decimals)
        how = t(lang, "hoger" if higher else "lager", "higher" if higher else "lower")
        return t(
            lang,
            f"{label}: {shown} in {area}, {diff} {how} dan {where}.",
            f"{label}: {shown} in {area}, {diff} {how} than {where}.",
        )
    ratio = value / reference
    if ratio >= 2:
        times = format_number(ratio, 1, lang)
        return t(
            lang,
            f"{label}: {shown} in {area}, {times} keer zo hoog als {where}.",
            f"{label}: {shown} in {area}, {times} times as high as {where}.",
        )
    pct = _pct(abs(ratio - 1) * 100, lang)
    how = t(lang, "hoger" if higher else "lager", "higher" if higher else "lower")
    return t(
        lang,
        f"{label}: {shown} in {area}, {pct} {how} dan {where}.",
        f"{label}: {shown} in {area}, {pct} {how} than {where}.",
    )


# --- changes over the years -------------------------------------------------------------


def _first_last(series: Series) -> tuple[Point, Point] | None:
    ok = series.ok_points
    if len(ok) < 2:
        return None
    return ok[0], ok[-1]


def _change_phrase(info: IndicatorInfo, first: float, last: float, lang: Lang) -> str:
    if info.unit == "%":
        diff = last - first
        sign = "+" if diff >= 0 else "−"
        return sign + _points(diff, lang, info.decimals)
    return _pct((last - first) / abs(first) * 100, lang, signed=True)


def change_highlights(
    trends: Sequence[IndicatorTrend],
    *,
    area_name: str,
    gemeente_name: str,
    lang: Lang = "nl",
    limit: int = 2,
) -> list[Highlight]:
    """The largest changes of the area between its first and last published figure (within
    its segment), with the gemeente's change over the same periods when both of those are
    published. Ranked by relative change, at least :data:`MIN_CHANGE`."""
    found: list[Highlight] = []
    for trend in trends:
        info = trend.indicator
        ends = _first_last(trend.area)
        if ends is None:
            continue
        first, last = ends
        assert first.value is not None and last.value is not None
        if first.value == 0:
            continue
        score = abs(last.value - first.value) / abs(first.value)
        if score < MIN_CHANGE:
            continue
        if info.unit == "%" and abs(last.value - first.value) < MIN_POINTS:
            continue
        text = _change_text(trend, first, last, area_name, gemeente_name, lang)
        found.append(Highlight(text, info.id, "change", score))
    found.sort(key=lambda h: h.score, reverse=True)
    return found[:limit]


def _change_text(
    trend: IndicatorTrend,
    first: Point,
    last: Point,
    area: str,
    gemeente: str,
    lang: Lang,
) -> str:
    info = trend.indicator
    assert first.value is not None and last.value is not None
    rose = last.value > first.value
    verb = t(lang, "steeg" if rose else "daalde", "rose" if rose else "fell")
    text = t(
        lang,
        f"{info.label(lang)} in {area} {verb} van {_fmt(first.value, info, lang)} "
        f"({first.period}) naar {_fmt(last.value, info, lang)} ({last.period}), "
        f"{_change_phrase(info, first.value, last.value, lang)}",
        f"{info.label(lang)} in {area} {verb} from {_fmt(first.value, info, lang)} "
        f"({first.period}) to {_fmt(last.value, info, lang)} ({last.period}), "
        f"{_change_phrase(info, first.value, last.value, lang)}",
    )
    if trend.gemeente is not None:
        gm = {p.period: p.value for p in trend.gemeente.ok_points}
        a, b = gm.get(first.period), gm.get(last.period)
        if a is not None and b is not None and a != 0:
            phrase = _change_phrase(info, a, b, lang)
            text += t(
                lang, f"; in heel {gemeente} {phrase}", f"; in {gemeente} as a whole {phrase}"
            )
    return text + "."


def _nobody_lives_here(figures: pd.DataFrame) -> bool:
    rows = figures[(figures["indicator_id"] == POPULATION_INDICATOR) & (figures["status"] == "ok")]
    return bool(not rows.empty and float(rows["value"].iloc[0]) == 0)


def highlights(
    figures: pd.DataFrame,
    catalogue: Mapping[str, IndicatorInfo],
    trends: Sequence[IndicatorTrend],
    *,
    area_name: str,
    gemeente_name: str,
    lang: Lang = "nl",
) -> list[Highlight]:
    """Up to three deviations and two changes; an indicator appears at most once per kind.
    For a gemeente (no comparison with itself) only changes. Where the published number of
    inhabitants is 0 (a harbour, an industrial estate), shares of inhabitants are not
    compared: one sentence says why instead.

    >>> figures = pd.DataFrame({"indicator_id": ["inwoners"], "value": [0.0],
    ...     "status": ["ok"], "gm_value": [56_483.0], "gm_status": ["ok"]})
    >>> (found,) = highlights(figures, {}, [], area_name="Marinehaven", gemeente_name="x")
    >>> found.text.split(":")[0]
    'In Marinehaven wonen volgens de cijfers geen mensen'
    """
    result: list[Highlight] = []
    if _nobody_lives_here(figures):
        text = t(
            lang,
            f"In {area_name} wonen volgens de cijfers geen mensen: aandelen en gemiddelden "
            "van inwoners zeggen hier niets.",
            f"According to the figures nobody lives in {area_name}: shares and averages of "
            "inhabitants say nothing here.",
        )
        result.append(Highlight(text, POPULATION_INDICATOR, "deviation", math.inf))
    elif gemeente_name:
        result += deviation_highlights(
            figures, catalogue, area_name=area_name, gemeente_name=gemeente_name, lang=lang
        )
    result += change_highlights(trends, area_name=area_name, gemeente_name=gemeente_name, lang=lang)
    return result


# --- text alternatives of charts --------------------------------------------------------


def series_sentence(series: Series, info: IndicatorInfo, name: str, lang: Lang = "nl") -> str:
    """One sentence describing a series: first and last published figure, and how many
    periods have no figure.

    >>> from data.series import Segment
    >>> info = IndicatorInfo("inwoners", "Inwoners", "Inhabitants", "Bevolking", "aantal", 0,
    ...     "sum", None, "CBS", "CC BY 4.0")
    >>> seg = Segment("WK040001", (2015, 2024), "Wijk 01")
    >>> s = Series("WK040001", "Wijk 01", seg, (Point("2015", 2015, 8990.0, "ok", None),
    ...     Point("2024", 2024, 9180.0, "ok", None)))
    >>> series_sentence(s, info, "Wijk 01")
    'Wijk 01: van 8.990 in 2015 naar 9.180 in 2024.'
    """
    ok = series.ok_points
    hidden = len(series.points) - len(ok)
    if not ok:
        text = t(lang, f"{name}: geen gepubliceerde cijfers.", f"{name}: no published figures.")
    elif len(ok) == 1:
        p = ok[0]
        assert p.value is not None
        text = t(
            lang,
            f"{name}: {_fmt(p.value, info, lang)} in {p.period}.",
            f"{name}: {_fmt(p.value, info, lang)} in {p.period}.",
        )
    else:
        a, b = ok[0], ok[-1]
        assert a.value is not None and b.value is not None
        text = t(
            lang,
            f"{name}: van {_fmt(a.value, info, lang)} in {a.period} naar "
            f"{_fmt(b.value, info, lang)} in {b.period}.",
            f"{name}: from {_fmt(a.value, info, lang)} in {a.period} to "
            f"{_fmt(b.value, info, lang)} in {b.period}.",
        )
    if hidden:
        text += t(
            lang,
            f" Voor {hidden} {'jaar' if hidden == 1 else 'jaren'} is geen cijfer gepubliceerd.",
            f" No figure is published for {hidden} {'year' if hidden == 1 else 'years'}.",
        )
    return text


def segment_name(line: TrendLine, lang: Lang = "nl") -> str:
    """How a trend line is named in legends and texts; a segment that is not the area's
    current one says which years it covers.

    >>> from data.series import Segment
    >>> seg = Segment("WK039202", (2014, 2015), "Wijk 02 Spoorbaan Leiden")
    >>> line = TrendLine(Series("WK039202", seg.name, seg, ()), "area", "wijk", "GM0392", False)
    >>> segment_name(line)
    'Wijk 02 Spoorbaan Leiden (WK039202, 2014–2015)'
    """
    name = line.series.name or line.series.code
    if line.current and line.series.segment.break_before is None:
        return name
    if line.current:
        return (
            f"{name} ({line.series.code}, {t(lang, 'vanaf', 'from')} {line.series.segment.first})"
        )
    return f"{name} ({line.series.code}, {line.series.segment.label()})"


def trend_summary(lines: Sequence[TrendLine], info: IndicatorInfo, lang: Lang = "nl") -> str:
    """The text alternative of a trend chart: one sentence per line, then a note per code
    whose area changed."""
    parts = [
        series_sentence(
            line.series,
            info,
            segment_name(line, lang)
            + (t(lang, " (gemeente)", " (municipality)") if line.role == "gemeente" else ""),
            lang,
        )
        for line in lines
    ]
    parts += [break_note(line, lang) for line in lines if line.series.segment.break_before]
    return " ".join(p for p in parts if p)


def break_note(line: TrendLine, lang: Lang = "nl") -> str:
    """Why a line is not joined to the line before it (empty when it is not broken)."""
    brk = line.series.segment.break_before
    if brk is None:
        return ""
    code, first = line.series.code, line.series.segment.first
    old = brk.previous_name or code
    why = {
        "name": "",
        "size": t(lang, ", met een andere oppervlakte", ", with a different size"),
        "absent": t(
            lang, "; de code bestond tussendoor niet", "; the code did not exist in between"
        ),
    }[brk.reason]
    return t(
        lang,
        f"Let op: tot {first} hoorde code {code} bij een ander gebied ({old}{why}). "
        "Die cijfers staan in een aparte lijn.",
        f"Note: until {first}, code {code} belonged to another area ({old}{why}). "
        "Its figures are shown as a separate line.",
    )
