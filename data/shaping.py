# SPDX-License-Identifier: EUPL-1.2
"""Pure functions that turn query results into what a chart or a text shows.

Nothing here reads the warehouse or knows about Dash: number formatting in Dutch and
English, hover, legend and summary texts, and the arrays of a choropleth. Classification
into colour classes lives in :mod:`data.classify`. Each function takes plain values or a
DataFrame from :mod:`data.queries`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from data.classify import (
    DEFAULT_CLASSES,
    DEFAULT_METHOD,
    Classes,
    Method,
    classify,
    classify_values,
    colours,
    default_palette,
    sd_positions,
)
from data.i18n import Lang, t

__all__ = ["DEFAULT_CLASSES", "Lang", "classify"]

#: Fill of areas without a figure (suppressed or missing): a mid grey that is none of the
#: palettes' colours and lies well apart from their light ends.
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
LEVEL_NAMES: Final[dict[Lang, dict[str, tuple[str, str]]]] = {
    "nl": {"gemeente": ("gemeente", "gemeenten"), "wijk": ("wijk", "wijken"),
           "buurt": ("buurt", "buurten")},
    "en": {"gemeente": ("municipality", "municipalities"), "wijk": ("district", "districts"),
           "buurt": ("neighbourhood", "neighbourhoods")},
}  # fmt: skip

METHOD_NAMES: Final[dict[Lang, dict[str, str]]] = {
    "nl": {"kwantielen": "kwantielen (even veel gebieden per klasse)",
           "intervallen": "gelijke intervallen",
           "natuurlijk": "natuurlijke grenzen (Fisher-Jenks)",
           "stdev": "standaarddeviaties rond de gemeente"},
    "en": {"kwantielen": "quantiles (equal numbers of areas per class)",
           "intervallen": "equal intervals",
           "natuurlijk": "natural breaks (Fisher-Jenks)",
           "stdev": "standard deviations around the municipality"},
}  # fmt: skip

#: English names of the catalogue's themes (the catalogue names them in Dutch).
THEMES_EN: Final[dict[str, str]] = {
    "Bevolking": "Population",
    "Huishoudens": "Households",
    "Wonen": "Housing",
    "Gebouwen": "Buildings",
    "Verkeer": "Transport",
    "Sociale zekerheid": "Social security",
    "Oppervlakte": "Area",
    "Veiligheid": "Safety",
    "Zorg": "Care",
    "Werk": "Work",
    "Inkomen": "Income",
    "Onderwijs": "Education",
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


def theme_name(theme: str, lang: Lang = "nl") -> str:
    """A theme's name in ``lang`` (unknown themes keep their Dutch name).

    >>> theme_name("Wonen", "en"), theme_name("Wonen")
    ('Housing', 'Wonen')
    """
    return THEMES_EN.get(theme, theme) if lang == "en" else theme


def level_name(level: str, lang: Lang = "nl", *, plural: bool = False) -> str:
    """The word for a level.

    >>> level_name("wijk", "en", plural=True)
    'districts'
    """
    singular, many = LEVEL_NAMES[lang].get(level, (level, level))
    return many if plural else singular


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


# --- colours ----------------------------------------------------------------------------


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
        scale.append((round(i / n, 6), colour))
        scale.append((round((i + 1) / n, 6), colour))
    return scale


# --- choropleth --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One row of a map legend: swatch colour, class bounds and number of areas."""

    colour: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Reference:
    """The figure areas are compared with in hovers, texts and ``stdev`` classes: usually
    their gemeente's own value. ``value`` is None when the gemeente has no figure; ``text``
    is then the reason."""

    name: str
    value: float | None
    text: str


@dataclass(frozen=True, slots=True)
class ChoroplethData:
    """Everything a choropleth trace, its legend and its table need, as plain lists.

    Per area, in ``locations`` order: ``names``; ``z``, the class (0..k-1) or
    :data:`NO_FIGURE_Z`; ``customdata`` = ``[text, rank]`` where ``text`` is the formatted
    figure or why there is none and ``rank`` its position from the highest (``"–"`` without a
    figure). With ``colorscale``, ``zmin`` and ``zmax`` every class gets exactly its legend
    colour and areas without a figure are grey. ``hovertemplate`` names the reference.
    """

    locations: list[str]
    names: list[str]
    z: list[int]
    customdata: list[list[str]]
    colorscale: list[tuple[float, str]]
    zmin: float
    zmax: float
    classes: Classes
    legend: list[LegendEntry]
    legend_note: str
    hovertemplate: str
    n_ok: int
    n_suppressed: int
    n_missing: int

    @property
    def breaks(self) -> list[float]:
        return list(self.classes.breaks)


def ranks(values: Sequence[float | None]) -> list[int | None]:
    """Rank of each value from the highest (1), ties sharing the best rank; None stays None.

    >>> ranks([10.0, 30.0, None, 30.0, 5.0])
    [3, 1, None, 1, 4]
    """
    present = sorted((v for v in values if v is not None), reverse=True)
    first: dict[float, int] = {}
    for i, v in enumerate(present):
        first.setdefault(v, i + 1)
    return [None if v is None else first[v] for v in values]


def hovertemplate(
    n_ok: int, reference: Reference | None, lang: Lang = "nl", *, label: str = ""
) -> str:
    """Hover: name (``text``), figure (after ``label``, which names the unit, so that the
    per-area texts can be bare numbers), rank and the reference value.

    >>> template = hovertemplate(21, Reference("Haarlem", 5739.0, "5.739"), label="Dichtheid")
    >>> for line in template.split("<br>"):
    ...     print(line)
    <b>%{text}</b>
    Dichtheid: %{customdata[0]}
    Rang %{customdata[1]} van 21
    Haarlem: 5.739<extra></extra>
    """
    parts = [
        "<b>%{text}</b>",
        f"{_escape(label)}: %{{customdata[0]}}" if label else "%{customdata[0]}",
    ]
    if n_ok:
        parts.append(
            t(lang, "Rang", "Rank") + " %{customdata[1]} " + t(lang, "van", "of") + f" {n_ok}"
        )
    if reference is not None:
        parts.append(f"{_escape(reference.name)}: {_escape(reference.text)}")
    return "<br>".join(parts) + "<extra></extra>"


def choropleth_data(
    frame: pd.DataFrame,
    *,
    decimals: int = 0,
    unit: str = "",
    method: Method = DEFAULT_METHOD,
    k: int = DEFAULT_CLASSES,
    palette: str | None = None,
    reference: Reference | None = None,
    value_label: str = "",
    center_on_reference: bool = True,
    lang: Lang = "nl",
) -> ChoroplethData:
    """Shape a :func:`data.queries.values` frame (``code, name, value, status, reason``).

    ``reference`` is shown in the hover and is the centre of ``stdev`` classes (the mean of
    the areas when it has no value, or when ``center_on_reference`` is false: a count's
    gemeente figure is a total, not a typical area). With ``value_label`` (the indicator and
    its unit) the
    hover names the unit once and the per-area texts are bare numbers: that keeps the
    values sent on every switch small.

    >>> frame = pd.DataFrame({"code": ["A", "B", "C"], "name": ["a", "b", "c"],
    ...     "value": [10.0, 20.0, None], "status": ["ok", "ok", "suppressed"],
    ...     "reason": [None, None, "minder dan 5"]})
    >>> data = choropleth_data(frame)
    >>> data.z, data.names, data.customdata
    ([0, 1, -1], ['a', 'b', 'c'], [['10', '2'], ['20', '1'], ['verborgen: minder dan 5', '–']])
    >>> [(e.label, e.count) for e in data.legend]
    [('10', 1), ('20', 1), ('Geen cijfer (verborgen of onbekend)', 1)]
    """
    ok_mask = (frame["status"] == "ok") & frame["value"].notna()
    raw_values = [float(v) if ok else None for v, ok in zip(frame["value"], ok_mask, strict=True)]
    center = reference.value if reference is not None and center_on_reference else None
    classes = classify_values(raw_values, method=method, k=k, center=center)
    members = classify(raw_values, classes.breaks)
    fills = colours(palette or default_palette(method), classes.k)
    area_ranks = ranks(raw_values)

    z: list[int] = []
    customdata: list[list[str]] = []
    names: list[str] = []
    for name, value, cls, rank, status, reason in zip(
        frame["name"], raw_values, members, area_ranks, frame["status"], frame["reason"],
        strict=True,
    ):  # fmt: skip
        names.append(str(name) if _present(name) else "")
        if value is None or cls is None:
            z.append(NO_FIGURE_Z)
            customdata.append([no_figure_text(str(status), _text_or_none(reason), lang), "–"])
        else:
            z.append(cls)
            shown_unit = unit if not value_label or unit == "%" else ""
            text = format_value(value, decimals=decimals, unit=shown_unit, lang=lang)
            customdata.append([text, str(rank)])

    ok_values = [v for v in raw_values if v is not None]
    # The legend's title names the unit; only the short "%" is repeated in the labels.
    legend_unit = unit if unit == "%" else ""
    labels = legend_labels(ok_values, classes, decimals=decimals, unit=legend_unit, lang=lang)
    counts = [members.count(i) for i in range(classes.k)]
    legend = [LegendEntry(c, lbl, n) for c, lbl, n in zip(fills, labels, counts, strict=True)]
    n_suppressed = int((frame["status"] == "suppressed").sum())
    n_no_figure = z.count(NO_FIGURE_Z)
    if n_no_figure:
        legend.append(LegendEntry(NO_FIGURE_COLOUR, _TEXT[lang]["no_figure_legend"], n_no_figure))

    # The grey step sits at z = -1, the classes at 0..k-1.
    return ChoroplethData(
        locations=[str(c) for c in frame["code"]],
        names=names,
        z=z,
        customdata=customdata,
        colorscale=stepped_colorscale((NO_FIGURE_COLOUR, *fills)),
        zmin=NO_FIGURE_Z - 0.5,
        zmax=classes.k - 0.5,
        classes=classes,
        legend=legend,
        legend_note=legend_note(
            classes,
            reference if center_on_reference else None,
            decimals=decimals,
            unit=unit,
            lang=lang,
        ),
        hovertemplate=hovertemplate(len(ok_values), reference, lang, label=value_label),
        n_ok=len(ok_values),
        n_suppressed=n_suppressed,
        n_missing=n_no_figure - n_suppressed,
    )


def legend_labels(
    values: Iterable[float | None],
    classes: Classes,
    *,
    decimals: int = 0,
    unit: str = "",
    lang: Lang = "nl",
) -> list[str]:
    """Legend labels for ``classes``.

    Quantiles and natural breaks show the lowest and highest value actually in each class
    (labels never overlap; a class of one value shows just that value). Equal intervals show
    their bounds, standard deviations their bounds and their distance from the reference.

    >>> legend_labels([1, 4, 10, 12, 20], classify_values([1, 4, 10, 12, 20], k=3))
    ['1 – 4', '10', '12 – 20']
    >>> vals = [0, 1, 2, 3, 4, 10]
    >>> legend_labels(vals, classify_values(vals, method="intervallen", k=5))[:2]
    ['0 – 2', '2 – 4']
    >>> vals = [2, 4, 4, 4, 5, 5, 7, 9]
    >>> legend_labels(vals, classify_values(vals, method="stdev", k=3, center=5))
    ['≤ 4 (< -0,5 sd)', '4 – 6 (-0,5 tot 0,5 sd)', '> 6 (> 0,5 sd)']
    """
    present = [float(v) for v in values if v is not None and math.isfinite(float(v))]

    def fmt(v: float) -> str:
        return format_value(v, decimals=decimals, unit=unit, lang=lang)

    breaks = classes.breaks
    if not breaks:
        return []
    if classes.method == "stdev":
        if classes.k == 1:
            return [fmt(breaks[0])]
        labels = []
        for i, (low_sd, high_sd) in enumerate(sd_positions(classes)):
            if i == 0:
                bounds = f"≤ {fmt(breaks[0])}"
                sd = f"< {format_number(high_sd or 0.0, 1, lang)} sd"
            elif i == classes.k - 1:
                bounds = f"> {fmt(breaks[i - 1])}"
                sd = f"> {format_number(low_sd or 0.0, 1, lang)} sd"
            else:
                bounds = f"{_strip_unit(fmt(breaks[i - 1]), unit)} – {fmt(breaks[i])}"
                sd = (
                    f"{format_number(low_sd or 0.0, 1, lang)} {t(lang, 'tot', 'to')} "
                    f"{format_number(high_sd or 0.0, 1, lang)} sd"
                )
            labels.append(f"{bounds} ({sd})")
        return labels
    if classes.interval_bounds and len(breaks) > 1:
        lows = [min(present), *breaks[:-1]]
        return [
            f"{_strip_unit(fmt(low), unit)} – {fmt(high)}"
            for low, high in zip(lows, breaks, strict=True)
        ]
    groups: list[list[float]] = [[] for _ in breaks]
    for value, cls in zip(present, classify(present, breaks), strict=True):
        if cls is not None:
            groups[cls].append(value)
    labels = []
    for group in groups:
        if not group:
            labels.append("–")
            continue
        low, high = fmt(min(group)), fmt(max(group))
        labels.append(high if low == high else f"{_strip_unit(low, unit)} – {high}")
    return labels


def legend_note(
    classes: Classes,
    reference: Reference | None,
    *,
    decimals: int = 0,
    unit: str = "",
    lang: Lang = "nl",
) -> str:
    """One sentence on how the classes were made.

    >>> c = classify_values([2, 4, 4, 4, 5, 5, 7, 9], method="stdev", k=5, center=5)
    >>> legend_note(c, Reference("Haarlem", 5.0, "5"))
    'Klassen van 1 standaarddeviatie (2) rond de waarde van Haarlem (5).'
    >>> legend_note(classify_values([1, 2, 3, 4], k=3), None, lang="en")
    'Classes: quantiles (equal numbers of areas per class).'
    """
    if classes.method == "stdev" and classes.sd is not None and classes.center is not None:
        sd = format_value(classes.sd, decimals=decimals, unit=unit, lang=lang)
        center = format_value(classes.center, decimals=decimals, unit=unit, lang=lang)
        if reference is not None and reference.value is not None:
            return t(
                lang,
                f"Klassen van 1 standaarddeviatie ({sd}) rond de waarde van "
                f"{reference.name} ({center}).",
                f"Classes one standard deviation ({sd}) wide around the value of "
                f"{reference.name} ({center}).",
            )
        return t(
            lang,
            f"Klassen van 1 standaarddeviatie ({sd}) rond het gemiddelde van de gebieden "
            f"({center}).",
            f"Classes one standard deviation ({sd}) wide around the mean of the areas ({center}).",
        )
    return t(lang, "Indeling: ", "Classes: ") + METHOD_NAMES[lang][classes.method] + "."


def _escape(text: str) -> str:
    """Plotly hover templates read ``%{...}`` as a variable and some HTML; names are data."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def summary_text(
    frame: pd.DataFrame,
    *,
    label: str,
    level: str,
    place: str,
    year: int | str,
    decimals: int = 0,
    unit: str = "",
    reference: Reference | None = None,
    lang: Lang = "nl",
) -> str:
    """A one-paragraph text alternative for a map of ``frame``.

    >>> frame = pd.DataFrame({"code": ["A", "B", "C"], "name": ["Noord", "Zuid", "Oost"],
    ...     "value": [10.0, 30.0, None], "status": ["ok", "ok", "suppressed"],
    ...     "reason": [None, None, "minder dan 5"]})
    >>> text = summary_text(frame, label="Inwoners", level="wijk", place="Haarlem", year=2024,
    ...     reference=Reference("Haarlem", 40.0, "40"))
    >>> for sentence in text.split(". "):
    ...     print(sentence)
    Inwoners per wijk in Haarlem, 2024
    Hoogste waarde: Zuid (30)
    Laagste waarde: Noord (10)
    Mediaan: 20
    Haarlem als geheel: 40
    1 van de 3 wijken heeft geen cijfer (verborgen of onbekend).
    >>> summary_text(frame, label="Population", level="wijk", place="Haarlem", year=2024,
    ...     lang="en").split(". ")[1]
    'Highest: Zuid (30)'
    """
    plural = level_name(level, lang, plural=True)
    parts = [
        t(
            lang,
            f"{label} per {level_name(level, lang)} in {place}, {year}.",
            f"{label} by {level_name(level, lang)} in {place}, {year}.",
        )
    ]
    # Plain Python over the columns: this runs on every map switch, and pandas' per-call
    # overhead is larger than the work for a few hundred areas.
    ok = [
        (float(v), str(n))
        for n, v, s in zip(frame["name"], frame["value"], frame["status"], strict=True)
        if s == "ok" and _present(v)
    ]
    if not ok:
        parts.append(
            t(
                lang,
                f"Voor geen van de {len(frame)} {plural} is een cijfer beschikbaar.",
                f"None of the {len(frame)} {plural} has a figure.",
            )
        )
        return " ".join(parts)

    def fmt(v: float) -> str:
        return format_value(v, decimals=decimals, unit=unit, lang=lang)

    # The first area wins a tie, as in the table's order.
    top = max(ok, key=lambda pair: pair[0])
    bottom = min(ok, key=lambda pair: pair[0])
    parts.append(t(lang, "Hoogste waarde", "Highest") + f": {top[1]} ({fmt(top[0])}).")
    parts.append(t(lang, "Laagste waarde", "Lowest") + f": {bottom[1]} ({fmt(bottom[0])}).")
    median = statistics.median(v for v, _ in ok)
    parts.append(t(lang, "Mediaan", "Median") + f": {fmt(float(median))}.")
    if reference is not None:
        parts.append(
            t(lang, f"{reference.name} als geheel", f"{reference.name} as a whole")
            + f": {reference.text}."
        )
    missing = len(frame) - len(ok)
    if missing:
        parts.append(
            t(
                lang,
                f"{missing} van de {len(frame)} {plural} heeft geen cijfer "
                "(verborgen of onbekend).",
                f"{missing} of the {len(frame)} {plural} have no figure (suppressed or unknown).",
            )
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
