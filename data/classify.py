# SPDX-License-Identifier: EUPL-1.2
"""Classification of map values into colour classes, and the colour palettes.

Four methods, as on the incijfers sites, each with 3 to 7 classes:

* ``kwantielen``: every class holds about as many areas (the percentiles of mapclassify
  ``Quantiles``);
* ``intervallen``: classes of equal width between the lowest and the highest value;
* ``natuurlijk``: natural breaks, Fisher-Jenks (mapclassify ``FisherJenks``, exact and
  deterministic, unlike the sampled ``NaturalBreaks``);
* ``stdev``: classes one standard deviation wide, centred on a reference value: the
  gemeente's own figure (the incijfers default) or, without one, the mean of the areas.

A :class:`Classes` holds upper bounds (``breaks``): a value belongs to the first class whose
bound it does not exceed, and anything above the last inner bound to the last class.

Palettes are ColorBrewer schemes (Cynthia Brewer, colorbrewer2.org) that ColorBrewer marks
colour-blind safe: four sequential and three diverging ones, each defined for 3 to 7 classes.
None of their colours is the mid-grey used for areas without a figure.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import mapclassify
import numpy as np

Method = Literal["kwantielen", "intervallen", "natuurlijk", "stdev"]
METHODS: Final[tuple[Method, ...]] = ("kwantielen", "intervallen", "natuurlijk", "stdev")
DEFAULT_METHOD: Final[Method] = "kwantielen"

MIN_CLASSES: Final = 3
MAX_CLASSES: Final = 7
DEFAULT_CLASSES: Final = 5

PaletteKind = Literal["sequential", "diverging"]


@dataclass(frozen=True, slots=True)
class Palette:
    """A ColorBrewer scheme: ``colours[k]`` are its ``k`` colours, light to dark (sequential)
    or low to high through a neutral middle (diverging)."""

    id: str
    name: str
    kind: PaletteKind
    colours: dict[int, tuple[str, ...]]


PALETTES: Final[dict[str, Palette]] = {
    p.id: p
    for p in (
        Palette(
            "ylgnbu",
            "YlGnBu",
            "sequential",
            {
                3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
                4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
                5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
                6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
                7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
            },
        ),
        Palette(
            "blues",
            "Blues",
            "sequential",
            {
                3: ("#deebf7", "#9ecae1", "#3182bd"),
                4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
                5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
                6: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
                7: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
            },
        ),
        Palette(
            "purples",
            "Purples",
            "sequential",
            {
                3: ("#efedf5", "#bcbddc", "#756bb1"),
                4: ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3"),
                5: ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
                6: ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"),
                7: ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"),
            },
        ),
        Palette(
            "orrd",
            "OrRd",
            "sequential",
            {
                3: ("#fee8c8", "#fdbb84", "#e34a33"),
                4: ("#fef0d9", "#fdcc8a", "#fc8d59", "#d7301f"),
                5: ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"),
                6: ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"),
                7: ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"),
            },
        ),
        Palette(
            "puor",
            "PuOr",
            "diverging",
            {
                3: ("#f1a340", "#f7f7f7", "#998ec3"),
                4: ("#e66101", "#fdb863", "#b2abd2", "#5e3c99"),
                5: ("#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"),
                6: ("#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"),
                7: ("#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788"),
            },
        ),
        Palette(
            "brbg",
            "BrBG",
            "diverging",
            {
                3: ("#d8b365", "#f5f5f5", "#5ab4ac"),
                4: ("#a6611a", "#dfc27d", "#80cdc1", "#018571"),
                5: ("#a6611a", "#dfc27d", "#f5f5f5", "#80cdc1", "#018571"),
                6: ("#8c510a", "#d8b365", "#f6e8c3", "#c7eae5", "#5ab4ac", "#01665e"),
                7: ("#8c510a", "#d8b365", "#f6e8c3", "#f5f5f5", "#c7eae5", "#5ab4ac", "#01665e"),
            },
        ),
        Palette(
            "rdbu",
            "RdBu",
            "diverging",
            {
                3: ("#ef8a62", "#f7f7f7", "#67a9cf"),
                4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
                5: ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0"),
                6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
                7: ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"),
            },
        ),
    )
}
DEFAULT_SEQUENTIAL: Final = "ylgnbu"
DEFAULT_DIVERGING: Final = "puor"


class ClassificationError(ValueError):
    """An unknown method or palette, or a number of classes outside 3..7."""


@dataclass(frozen=True, slots=True)
class Classes:
    """The outcome of a classification.

    ``breaks`` are the upper bounds of the classes (the last one is the maximum value, or
    the last inner bound when no value lies above it). ``interval_bounds`` is true when the
    classes are defined by their bounds (equal intervals, standard deviations), so that a
    legend should show the bounds rather than the lowest and highest member. For ``stdev``,
    ``center`` and ``sd`` are the reference value and the standard deviation.
    """

    method: Method
    breaks: tuple[float, ...]
    interval_bounds: bool
    center: float | None = None
    sd: float | None = None

    @property
    def k(self) -> int:
        return len(self.breaks)


def check_method(method: object) -> Method:
    """``method`` if it is one of :data:`METHODS`, else :class:`ClassificationError`.

    >>> check_method("natuurlijk")
    'natuurlijk'
    """
    for known in METHODS:
        if method == known:
            return known
    raise ClassificationError(f"method {method!r} is not one of {', '.join(METHODS)}")


def check_classes(k: object) -> int:
    """``k`` as an int between :data:`MIN_CLASSES` and :data:`MAX_CLASSES`.

    >>> check_classes("4")
    4
    """
    if isinstance(k, bool):
        raise ClassificationError(f"number of classes {k!r} is not a number")
    if isinstance(k, str) and k.strip().isdigit():
        k = int(k.strip())
    if not isinstance(k, int) or not MIN_CLASSES <= k <= MAX_CLASSES:
        raise ClassificationError(
            f"number of classes {k!r} is not between {MIN_CLASSES} and {MAX_CLASSES}"
        )
    return k


def check_palette(palette: object) -> Palette:
    """The palette with this id, else :class:`ClassificationError`."""
    if isinstance(palette, str) and palette in PALETTES:
        return PALETTES[palette]
    raise ClassificationError(f"palette {palette!r} is not one of {', '.join(PALETTES)}")


def default_palette(method: Method) -> str:
    """Diverging around a reference for ``stdev``, sequential otherwise.

    >>> default_palette("stdev"), default_palette("kwantielen")
    ('puor', 'ylgnbu')
    """
    return DEFAULT_DIVERGING if method == "stdev" else DEFAULT_SEQUENTIAL


def colours(palette: str, n: int) -> tuple[str, ...]:
    """``n`` colours of ``palette``. For fewer than 3 classes (too few distinct values) the
    colours are taken from the 3-class scheme, keeping its ends.

    >>> colours("blues", 2)
    ('#deebf7', '#3182bd')
    >>> colours("ylgnbu", 0)
    ()
    """
    scheme = check_palette(palette).colours
    if n == 0:
        return ()
    if n in scheme:
        return scheme[n]
    if n == 1:
        return (scheme[3][1],)
    if n == 2:
        return (scheme[3][0], scheme[3][2])
    raise ClassificationError(f"no palette with {n} classes ({MIN_CLASSES} to {MAX_CLASSES})")


def classify_values(
    values: Iterable[float | None],
    *,
    method: Method = DEFAULT_METHOD,
    k: int = DEFAULT_CLASSES,
    center: float | None = None,
) -> Classes:
    """Class breaks of ``values`` (None and NaN are ignored) by ``method`` into ``k`` classes.

    With at most ``k`` distinct values, quantiles, intervals and natural breaks give each
    value its own class. ``stdev`` always gives ``k`` classes (some may be empty), centred
    on ``center`` (default: the mean).

    >>> classify_values([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], k=5).breaks
    (2.8, 4.6, 6.4, 8.2, 10.0)
    >>> classify_values([0, 1, 2, 3, 4, 10], method="intervallen", k=5).breaks
    (2.0, 4.0, 6.0, 8.0, 10.0)
    >>> classify_values([1, 2, 3, 20, 21, 22, 50], method="natuurlijk", k=3).breaks
    (3.0, 22.0, 50.0)
    >>> c = classify_values([2, 4, 4, 4, 5, 5, 7, 9], method="stdev", k=3, center=5)
    >>> c.breaks, c.sd
    ((4.0, 6.0, 9.0), 2.0)
    >>> classify_values([None]).breaks
    ()
    """
    method = check_method(method)
    k = check_classes(k)
    array = _finite(values)
    if array.size == 0:
        return Classes(method, (), method in ("intervallen", "stdev"))
    if method == "stdev":
        return _stdev(array, k, center)
    distinct = np.unique(array)
    if distinct.size <= k:
        return Classes(method, tuple(float(v) for v in distinct), False)
    top = float(distinct[-1])
    if method == "intervallen":
        low = float(distinct[0])
        width = (top - low) / k
        inner = [_clean(low + width * i) for i in range(1, k)]
        return Classes(method, (*inner, top), True)
    with warnings.catch_warnings():
        # Many equal values: mapclassify merges classes and warns; duplicates go below.
        warnings.simplefilter("ignore", UserWarning)
        if method == "natuurlijk":
            bins = mapclassify.FisherJenks(array, k=k).bins
        else:
            # What mapclassify.Quantiles computes (linear percentiles at 100/k steps), without
            # its object overhead: quantiles run on every default map switch.
            bins = np.percentile(array, np.linspace(100 / k, 100, k))
    breaks = sorted({_clean(float(b)) for b in bins})
    breaks[-1] = top
    return Classes(method, tuple(breaks), False)


def _stdev(array: np.ndarray, k: int, center: float | None) -> Classes:
    """Bounds at ``center + (j - k/2) * sd`` for j = 1..k-1: a middle class around the
    reference for odd ``k``, the reference itself as a bound for even ``k``."""
    ref = float(np.mean(array)) if center is None or not math.isfinite(center) else center
    sd = float(np.std(array))  # the spread of the areas themselves (population sd)
    if sd == 0.0:
        return Classes("stdev", (float(array.max()),), True, ref, 0.0)
    inner = [_clean(ref + (j - k / 2) * sd) for j in range(1, k)]
    top = max(float(array.max()), inner[-1])
    if top == inner[-1]:
        top = inner[-1] + sd  # no value above the last bound: the class stays, empty
    return Classes("stdev", (*inner, top), True, ref, sd)


def classify(values: Iterable[float | None], breaks: Sequence[float]) -> list[int | None]:
    """The class (0-based) of each value: the first break it does not exceed; values above
    the last break fall in the last class.

    >>> classify([1, 2.8, 3, None, 99], [2.8, 4.6])
    [0, 0, 1, None, 1]
    """
    items = [None if v is None else float(v) for v in values]
    if not breaks:
        return [None] * len(items)
    array = np.asarray([np.nan if v is None else v for v in items], dtype=float)
    found = np.minimum(np.searchsorted(np.asarray(breaks), array, side="left"), len(breaks) - 1)
    return [int(c) if math.isfinite(v) else None for c, v in zip(found, array, strict=True)]


def sd_positions(classes: Classes) -> list[tuple[float | None, float | None]]:
    """For ``stdev`` classes: each class's range in standard deviations from the reference,
    ``None`` for an open end.

    >>> c = classify_values([2, 4, 4, 4, 5, 5, 7, 9], method="stdev", k=5, center=5)
    >>> sd_positions(c)
    [(None, -1.5), (-1.5, -0.5), (-0.5, 0.5), (0.5, 1.5), (1.5, None)]
    """
    k = classes.k
    if classes.method != "stdev" or k < 2:
        return [(None, None)] * k
    edges = [j - k / 2 for j in range(1, k)]
    lows: list[float | None] = [None, *edges]
    highs: list[float | None] = [*edges, None]
    return list(zip(lows, highs, strict=True))


def _finite(values: Iterable[float | None]) -> np.ndarray:
    cleaned = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return np.asarray(cleaned, dtype=float)


def _clean(value: float) -> float:
    """Round away floating-point noise (``2.8000000000000003`` -> ``2.8``)."""
    return round(value, 10)
