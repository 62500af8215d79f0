# SPDX-License-Identifier: EUPL-1.2
"""The reasons a hidden cell carries, in Dutch (``reason``) and English (``reason_en``).

Every hidden cell has a machine code (:class:`Code`, used in the audit report) and a text in
both languages that the app and the API show next to the empty cell. Texts name the
threshold, what was counted and the area level, so a reader knows why the cell is empty:

>>> nl, en = texts(Code.COUNT_BELOW_THRESHOLD, threshold=5, noun_nl="meldingen",
...                noun_en="reports", level="buurt")
>>> nl
'verborgen: minder dan 5 meldingen in deze buurt'
>>> en
'hidden: fewer than 5 reports in this neighbourhood'
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from etl.model import CBS_SPECIAL_VALUES, Level


class Code(StrEnum):
    """Why a cell is hidden (or was already hidden when it arrived)."""

    COUNT_BELOW_THRESHOLD = "count_below_threshold"
    SECONDARY = "secondary"
    ZERO_COVER = "zero_cover"
    RATIO_NUMERATOR_SMALL = "ratio_numerator_small"
    RATIO_DENOMINATOR_SMALL = "ratio_denominator_small"
    RATIO_PART_HIDDEN = "ratio_part_hidden"
    MEAN_DENOMINATOR_SMALL = "mean_denominator_small"
    BASIS_UNKNOWN = "basis_unknown"
    SUPPRESSED_AT_SOURCE = "suppressed_at_source"


_LEVEL_NL: Final[dict[str, str]] = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}
_LEVEL_EN: Final[dict[str, str]] = {
    "gemeente": "municipality",
    "wijk": "district",
    "buurt": "neighbourhood",
}

_TEMPLATES: Final[dict[Code, tuple[str, str]]] = {
    Code.COUNT_BELOW_THRESHOLD: (
        "verborgen: minder dan {threshold} {noun_nl} in deze {level_nl}",
        "hidden: fewer than {threshold} {noun_en} in this {level_en}",
    ),
    # A zero hidden to protect a neighbour: "fewer than t" is true for zero, and an outsider
    # must not be able to tell it from a small count (see etl.disclosure.table).
    Code.ZERO_COVER: (
        "verborgen: minder dan {threshold} {noun_nl} in deze {level_nl}",
        "hidden: fewer than {threshold} {noun_en} in this {level_en}",
    ),
    Code.SECONDARY: (
        "verborgen om te voorkomen dat een ander verborgen cijfer kan worden teruggerekend",
        "hidden to prevent another hidden figure from being calculated back",
    ),
    Code.RATIO_NUMERATOR_SMALL: (
        "verborgen: berekend uit minder dan {threshold} {noun_nl} in deze {level_nl}",
        "hidden: based on fewer than {threshold} {noun_en} in this {level_en}",
    ),
    Code.RATIO_DENOMINATOR_SMALL: (
        "verborgen: berekend over minder dan {threshold} {noun_nl} in deze {level_nl}",
        "hidden: calculated over fewer than {threshold} {noun_en} in this {level_en}",
    ),
    Code.RATIO_PART_HIDDEN: (
        "verborgen: het aantal waaruit dit cijfer is berekend ({noun_nl}) is verborgen",
        "hidden: the count this figure is calculated from ({noun_en}) is hidden",
    ),
    Code.MEAN_DENOMINATOR_SMALL: (
        "verborgen: gemiddelde over minder dan {threshold} {noun_nl} in deze {level_nl}",
        "hidden: average over fewer than {threshold} {noun_en} in this {level_en}",
    ),
    Code.BASIS_UNKNOWN: (
        "verborgen: het aantal waaruit dit cijfer is berekend ({noun_nl}) is onbekend, dus "
        "de privacyregel kan niet worden gecontroleerd",
        "hidden: the count this figure is calculated from ({noun_en}) is unknown, so the "
        "privacy rule cannot be checked",
    ),
    Code.SUPPRESSED_AT_SOURCE: (
        "verborgen door de bron",
        "hidden by the source",
    ),
}

#: English versions of the Dutch reasons the extractors give (``etl.model``).
SOURCE_REASONS_EN: Final[dict[str, str]] = {
    CBS_SPECIAL_VALUES["-99999999"][1]: (
        "secret or not available according to CBS (code -99999999)"
    ),
    CBS_SPECIAL_VALUES["-99997"][1]: "secret according to CBS (code -99997)",
    CBS_SPECIAL_VALUES["-99995"][1]: "secret according to CBS (code -99995)",
    CBS_SPECIAL_VALUES["-99991"][
        1
    ]: "unknown or not reliable enough according to CBS (code -99991)",
    CBS_SPECIAL_VALUES["."][1]: "the figure is unknown, not reliable enough or secret (CBS '.')",
    CBS_SPECIAL_VALUES[""][1]: "no value in the source",
}


def texts(
    code: Code,
    *,
    threshold: int | None = None,
    noun_nl: str = "",
    noun_en: str = "",
    level: Level | str = "buurt",
) -> tuple[str, str]:
    """The Dutch and English reason for ``code``; see the module example."""
    nl, en = _TEMPLATES[code]
    values = {
        "threshold": threshold,
        "noun_nl": noun_nl,
        "noun_en": noun_en,
        "level_nl": _LEVEL_NL.get(level, "gebied"),
        "level_en": _LEVEL_EN.get(level, "area"),
    }
    return nl.format(**values), en.format(**values)


def english(reason_nl: str | None) -> str | None:
    """The English version of a reason an extractor gave, or ``None`` when unknown.

    >>> english("geheim volgens CBS (code -99997)")
    'secret according to CBS (code -99997)'
    """
    if reason_nl is None:
        return None
    return SOURCE_REASONS_EN.get(reason_nl)
