# SPDX-License-Identifier: EUPL-1.2
"""Pure functions that turn query results into what a chart or a text shows.

Nothing here reads the warehouse or knows about Dash: classification into colour classes,
number formatting in Dutch and English, hover and summary texts, and the arrays of a
choropleth. Each function takes plain values or a DataFrame from :mod:`data.queries`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import mapclassify
import numpy as np
import pandas as pd

Lang = Literal["nl", "en"]

#: Default number of colour classes on a map.
DEFAULT_CLASSES: Final = 5

#: ColorBrewer YlGnBu: sequential, colour-blind safe, prints in grey scale, and none of its
#: colours is a grey, so "no figure" stays distinguishable.
PALETTES: Final[dict[int, tuple[str, ...]]] = {
    1: ("#41b6c4",),
    2: ("#a1dab4", "#2c7fb8"),
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
    8: ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
    9: (
        "#ffffd9",
        "#edf8b1",
        "#c7e9b4",
        "#7fcdbb",
        "#41b6c4",
        "#1d91c0",
        "#225ea8",
        "#253494",
        "#081d58",
    ),
}
MAX_CLASSES: Final = max(PALETTES)

#: Fill of areas without a figure (suppressed or missing).
NO_FIGURE_COLOUR: Final = "#b3b3b3"
#: ``z`` of an area without a figure; classes are 0..k-1.
NO_FIGURE_Z: Final = -1

#: Units that are not repeated after the number ("167.636", not "167.636 aantal").
_PLAIN_UNITS: Final = frozenset({"", "aantal", "count"})

LEVEL_PLURAL_NL: Final[dict[str, str]] = {
    "gemeente": "gemeenten",
    "wijk": "wijken",
    "buurt": "buurten",
}

_TEXT: Final[dict[Lang, dict[str, str]]] = {
    "nl": {
        "no_figure": "geen cijfer",
        "no_figure_legend": "Geen cijfer (verborgen of onbekend)",
        "suppressed": "verborgen",
    },
    "en": {
        "no_figure": "no figure",
        "no_figure_legend": "No figure (suppressed or unknown)",
        "suppressed": "suppressed",
    },
}


# --- numbers -----------------------------------------------------------------------------


def format_number(value: float, decimals: int = 0, lang: Lang = "nl") -> str:
    """A number with thousands separators and ``decimals`` decimals.

    >>> format_number(167636), format_number(167636, lang="en")
    ('167.636', '167,636')
    >>> format_number(2.149, 2), format_number(-0.4)
    ('2,15', '0')
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot format {value!r} as a figure")
    text = f"{abs(value):,.{max(decimals, 0)}f}"
    if lang == "nl":
        text = text.translate(str.maketrans(",.", ".,"))
    if value < 0 and any(ch not in "0.," for ch in text):
        text = "-" + text
    return text


def format_value(value: float, *, decimals: int = 0, unit: str = "", lang: Lang = "nl") -> str:
    """A figure with its unit, as shown in hover texts, tables and summaries.

    >>> format_value(12.345, decimals=1, unit="%")
    '12,3%'
    >>> format_value(6250, unit="inwoners per km² land")
    '6.250 inwoners per km² land'
    """
    number = format_number(value, decimals, lang)
    if unit in _PLAIN_UNITS:
        return number
    if unit == "%":
        return number + "%"
    return f"{number} {unit}"


def no_figure_text(status: str, reason: str | None, lang: Lang = "nl") -> str:
    """What a hover or table shows instead of a number: the status and the reason.

    A reason that already starts with the status word is not prefixed twice.

    >>> no_figure_text("suppressed", "minder dan 5 inwoners")
    'verborgen: minder dan 5 inwoners'
    >>> no_figure_text("suppressed", "Verborgen: minder dan 5 meldingen")
    'Verborgen: minder dan 5 meldingen'
    >>> no_figure_text("missing", None)
    'geen cijfer'
    """
    text = _TEXT[lang]
    base = text["suppressed"] if status == "suppressed" else text["no_figure"]
    if not reason:
        return base
    if reason.lower().startswith(base.lower()):
        return reason
    return f"{base}: {reason}"


# --- classification ----------------------------------------------------------------------


def class_breaks(values: Iterable[float | None], k: int = DEFAULT_CLASSES) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes; the last one is the maximum.

    Missing values (None/NaN) are ignored. With at most ``k`` distinct values each value
    is its own class; with none, there are no classes.

    >>> class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    [2.8, 4.6, 6.4, 8.2, 10.0]
    >>> class_breaks([3, 3, 7, None])
    [3.0, 7.0]
    >>> class_breaks([None, float("nan")])
    []
    """
    if not 1 <= k <= MAX_CLASSES:
        raise ValueError(f"number of classes {k} is not between 1 and {MAX_CLASSES}")
    array = _finite(values)
    distinct = np.unique(array)
    if distinct.size <= k:
        return [float(v) for v in distinct]
    with warnings.catch_warnings():
        # Many equal values: mapclassify merges classes and warns; duplicates go below.
        warnings.simplefilter("ignore", UserWarning)
        bins = mapclassify.Quantiles(array, k=k).bins
    breaks = sorted({round(float(b), 10) for b in bins})
    breaks[-1] = float(distinct[-1])
    return breaks


def classify(values: Iterable[float | None], breaks: Sequence[float]) -> list[int | None]:
    """The class (0-based) of each value: the first break it does not exceed.

    >>> classify([1, 2.8, 3, None], [2.8, 4.6])
    [0, 0, 1, None]
    """
    result: list[int | None] = []
    for value in values:
        if value is None or not math.isfinite(value) or not breaks:
            result.append(None)
        else:
            result.append(min(int(np.searchsorted(breaks, value, side="left")), len(breaks) - 1))
    return result


def class_labels(
    values: Iterable[float | None],
    breaks: Sequence[float],
    *,
    decimals: int = 0,
    unit: str = "",
    lang: Lang = "nl",
) -> list[str]:
    """Legend labels: the lowest and highest value actually in each class.

    Labels never overlap, and a class of one value shows just that value.

    >>> class_labels([1, 4, 10, 12, 20], [10, 20])
    ['1 – 10', '12 – 20']
    >>> class_labels([5, 5, 7.5], [5, 7.5], decimals=1, unit="%")
    ['5,0%', '7,5%']
    """
    members: list[list[float]] = [[] for _ in breaks]
    present = [v for v in values if v is not None and math.isfinite(v)]
    for value, cls in zip(present, classify(present, breaks), strict=True):
        if cls is not None:
            members[cls].append(value)
    labels: list[str] = []
    for group in members:
        if not group:
            labels.append("–")
            continue
        low = format_value(min(group), decimals=decimals, unit=unit, lang=lang)
        high = format_value(max(group), decimals=decimals, unit=unit, lang=lang)
        labels.append(high if low == high else f"{_strip_unit(low, unit)} – {high}")
    return labels


def palette(k: int) -> tuple[str, ...]:
    """``k`` colours of the sequential palette, light to dark (empty for ``k == 0``)."""
    if k == 0:
        return ()
    if k not in PALETTES:
        raise ValueError(f"no palette with {k} classes (1 to {MAX_CLASSES})")
    return PALETTES[k]


def stepped_colorscale(colours: Sequence[str]) -> list[tuple[float, str]]:
    """A Plotly colorscale with one flat step per colour, for integer ``z`` 0..n-1 with
    ``zmin=-0.5`` and ``zmax=n-0.5``.

    >>> stepped_colorscale(["#000", "#fff"])
    [(0.0, '#000'), (0.5, '#000'), (0.5, '#fff'), (1.0, '#fff')]
    """
    if not colours:
        raise ValueError("a colorscale needs at least one colour")
    n = len(colours)
    scale: list[tuple[float, str]] = []
    for i, colour in enumerate(colours):
        scale.append((i / n, colour))
        scale.append(((i + 1) / n, colour))
    return scale


# --- choropleth --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One row of a map legend."""

    colour: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ChoroplethData:
    """Everything a choropleth trace and its legend need, as plain lists.

    ``z`` is the class of each area (0..k-1) or :data:`NO_FIGURE_Z`; with ``colorscale``,
    ``zmin`` and ``zmax`` every class gets exactly its legend colour and areas without a
    figure are grey. ``customdata`` is ``[name, text]`` per area, ``text`` being the
    formatted figure or why there is none.
    """

    locations: list[str]
    z: list[int]
    customdata: list[list[str]]
    colorscale: list[tuple[float, str]]
    zmin: float
    zmax: float
    breaks: list[float]
    legend: list[LegendEntry]
    n_ok: int
    n_suppressed: int
    n_missing: int


#: Hover template for :class:`ChoroplethData` customdata.
HOVERTEMPLATE: Final = "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>"


def choropleth_data(
    frame: pd.DataFrame,
    *,
    decimals: int = 0,
    unit: str = "",
    k: int = DEFAULT_CLASSES,
    lang: Lang = "nl",
) -> ChoroplethData:
    """Shape a :func:`data.queries.values` frame (``code, name, value, status, reason``).

    >>> frame = pd.DataFrame({"code": ["A", "B", "C"], "name": ["a", "b", "c"],
    ...     "value": [10.0, 20.0, None], "status": ["ok", "ok", "suppressed"],
    ...     "reason": [None, None, "minder dan 5"]})
    >>> data = choropleth_data(frame)
    >>> data.z, data.customdata[2]
    ([0, 1, -1], ['c', 'verborgen: minder dan 5'])
    """
    ok_mask = (frame["status"] == "ok") & frame["value"].notna()
    raw_values = [float(v) if ok else None for v, ok in zip(frame["value"], ok_mask, strict=True)]
    breaks = class_breaks(raw_values, k)
    classes = classify(raw_values, breaks)
    colours = palette(len(breaks))

    z: list[int] = []
    customdata: list[list[str]] = []
    for name, value, cls, status, reason in zip(
        frame["name"], raw_values, classes, frame["status"], frame["reason"], strict=True
    ):
        label = str(name) if _present(name) else ""
        if value is None or cls is None:
            z.append(NO_FIGURE_Z)
            text = no_figure_text(str(status), _text_or_none(reason), lang)
            customdata.append([label, text])
        else:
            z.append(cls)
            customdata.append([label, format_value(value, decimals=decimals, unit=unit, lang=lang)])

    ok_values = [v for v in raw_values if v is not None]
    # The legend's title names the unit; only the short "%" is repeated in the labels.
    legend_unit = unit if unit == "%" else ""
    labels = class_labels(ok_values, breaks, decimals=decimals, unit=legend_unit, lang=lang)
    counts = [classes.count(i) for i in range(len(breaks))]
    legend = [LegendEntry(c, lbl, n) for c, lbl, n in zip(colours, labels, counts, strict=True)]
    n_suppressed = int((frame["status"] == "suppressed").sum())
    n_no_figure = z.count(NO_FIGURE_Z)
    if n_no_figure:
        legend.append(LegendEntry(NO_FIGURE_COLOUR, _TEXT[lang]["no_figure_legend"], n_no_figure))

    # The grey step sits at z = -1, the classes at 0..k-1.
    return ChoroplethData(
        locations=[str(c) for c in frame["code"]],
        z=z,
        customdata=customdata,
        colorscale=stepped_colorscale((NO_FIGURE_COLOUR, *colours)),
        zmin=NO_FIGURE_Z - 0.5,
        zmax=len(breaks) - 0.5,
        breaks=breaks,
        legend=legend,
        n_ok=len(ok_values),
        n_suppressed=n_suppressed,
        n_missing=n_no_figure - n_suppressed,
    )


def summary_text(
    frame: pd.DataFrame,
    *,
    label: str,
    level: str,
    place: str,
    year: int | str,
    decimals: int = 0,
    unit: str = "",
) -> str:
    """A Dutch one-paragraph text alternative for a map of ``frame``.

    >>> frame = pd.DataFrame({"code": ["A", "B", "C"], "name": ["Noord", "Zuid", "Oost"],
    ...     "value": [10.0, 30.0, None], "status": ["ok", "ok", "suppressed"],
    ...     "reason": [None, None, "minder dan 5"]})
    >>> text = summary_text(frame, label="Inwoners", level="wijk", place="Haarlem", year=2024)
    >>> for sentence in text.split(". "):
    ...     print(sentence)
    Inwoners per wijk in Haarlem, 2024
    Hoogste waarde: Zuid (30)
    Laagste waarde: Noord (10)
    Mediaan: 20
    1 van de 3 wijken heeft geen cijfer (verborgen of onbekend).
    """
    plural = LEVEL_PLURAL_NL.get(level, level)
    parts = [f"{label} per {level} in {place}, {year}."]
    ok = frame[(frame["status"] == "ok") & frame["value"].notna()]
    if ok.empty:
        parts.append(f"Voor geen van de {len(frame)} {plural} is een cijfer beschikbaar.")
        return " ".join(parts)

    def fmt(v: float) -> str:
        return format_value(v, decimals=decimals, unit=unit)

    top = ok.loc[ok["value"].idxmax()]
    bottom = ok.loc[ok["value"].idxmin()]
    parts.append(f"Hoogste waarde: {top['name']} ({fmt(float(top['value']))}).")
    parts.append(f"Laagste waarde: {bottom['name']} ({fmt(float(bottom['value']))}).")
    parts.append(f"Mediaan: {fmt(float(ok['value'].median()))}.")
    missing = len(frame) - len(ok)
    if missing:
        parts.append(
            f"{missing} van de {len(frame)} {plural} heeft geen cijfer (verborgen of onbekend)."
        )
    return " ".join(parts)


def table_rows(
    frame: pd.DataFrame, *, decimals: int = 0, unit: str = "", lang: Lang = "nl"
) -> list[tuple[str, str, str]]:
    """``(area name, figure, explanation)`` per area for a table alternative of the map.

    The explanation is empty for a published figure and says why there is none otherwise.

    >>> frame = pd.DataFrame({"code": ["A", "B"], "name": ["Noord", "Zuid"],
    ...     "value": [1234.0, None], "status": ["ok", "suppressed"],
    ...     "reason": [None, "minder dan 5 inwoners"]})
    >>> table_rows(frame)
    [('Noord', '1.234', ''), ('Zuid', '–', 'verborgen: minder dan 5 inwoners')]
    """
    rows: list[tuple[str, str, str]] = []
    for name, value, status, reason in zip(
        frame["name"], frame["value"], frame["status"], frame["reason"], strict=True
    ):
        label = str(name) if _present(name) else ""
        if status == "ok" and _present(value):
            figure = format_value(float(value), decimals=decimals, unit=unit, lang=lang)
            rows.append((label, figure, ""))
        else:
            rows.append((label, "–", no_figure_text(str(status), _text_or_none(reason), lang)))
    return rows


# --- map view ----------------------------------------------------------------------------


def center_zoom(
    west: float,
    south: float,
    east: float,
    north: float,
    *,
    width_px: int = 600,
    height_px: int = 450,
) -> tuple[dict[str, float], float]:
    """Centre and zoom that fit a WGS84 bounding box into a map of the given size
    (Web Mercator, 512-pixel world at zoom 0 as in MapLibre).

    >>> center, zoom = center_zoom(4.58, 52.34, 4.68, 52.42)
    >>> round(center["lon"], 2), round(zoom, 1)
    (4.63, 11.2)
    """

    def merc_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(east - west, 1e-6)
    y_span = max(merc_y(north) - merc_y(south), 1e-9)
    zoom_x = math.log2(width_px * 360.0 / (512.0 * lon_span))
    zoom_y = math.log2(height_px * 2 * math.pi / (512.0 * y_span))
    zoom = max(0.0, min(zoom_x, zoom_y, 18.0))
    mid_y = (merc_y(north) + merc_y(south)) / 2
    center_lat = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return {"lon": (west + east) / 2, "lat": center_lat}, zoom


# --- helpers -----------------------------------------------------------------------------


def _finite(values: Iterable[float | None]) -> np.ndarray:
    cleaned = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return np.asarray(cleaned, dtype=float)


def _present(value: object) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and math.isnan(value))
        and value is not pd.NA
    )


def _text_or_none(value: object) -> str | None:
    return str(value) if _present(value) and str(value) != "" else None


def _strip_unit(text: str, unit: str) -> str:
    """``'5%'`` -> ``'5'`` so that a range reads ``'5 – 10%'``, not ``'5% – 10%'``."""
    if unit == "%" and text.endswith("%"):
        return text[:-1]
    if unit not in _PLAIN_UNITS and text.endswith(" " + unit):
        return text[: -len(unit) - 1]
    return text
