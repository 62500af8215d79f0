# SPDX-License-Identifier: EUPL-1.2
"""The area profile: one wijk or buurt (or gemeente) beside its gemeente, over the years.

:func:`profile` gathers everything the ``/gebied/<code>`` page shows: the key figures of
the area and of its gemeente (and of Nederland when the warehouse holds national figures
under ``NL00``), the rank within the gemeente, the child areas, and per indicator the
series over the vintages in which the code denotes the same area (:mod:`data.series`).

Only published figures are used for anything derived (ranks, deviations, changes): a
suppressed or missing cell is carried with its status and reason, never as a number.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Final

import pandas as pd

from data.queries import InvalidParameter, UnknownVintage, check_vintage
from data.series import (
    NATIONAL_CODE,
    Segment,
    Series,
    UnknownArea,
    area_segments,
    build_series,
    check_area_code,
    observations,
    segment_of,
)
from data.warehouse import Warehouse, get_warehouse

logger = logging.getLogger(__name__)

#: Aggregations whose figures are comparable between an area and its gemeente (a share, an
#: average, a density); counts and areas (``sum``) are not: a wijk always has fewer.
COMPARABLE_AGGREGATIONS: Final = frozenset({"weighted_mean", "mean", "none", "ratio", "median"})

#: English for the Dutch units of the catalogue; a unit not listed is shown as it is.
UNITS_EN: Final[dict[str, str]] = {
    "aantal": "count",
    "inwoners per km² land": "inhabitants per km² land",
    "personen": "persons",
    "per huishouden": "per household",
    "x 1.000 euro": "x 1,000 euro",
}

LEVEL_NAMES: Final[dict[str, tuple[str, str, str, str]]] = {
    # level: (nl singular, nl plural, en singular, en plural)
    "gemeente": ("gemeente", "gemeenten", "municipality", "municipalities"),
    "wijk": ("wijk", "wijken", "district", "districts"),
    "buurt": ("buurt", "buurten", "neighbourhood", "neighbourhoods"),
}


@dataclass(frozen=True, slots=True)
class AreaRef:
    """One area in one vintage, with the names of its parent and gemeente."""

    code: str
    vintage: int
    level: str
    name: str
    parent_code: str | None
    parent_name: str | None
    gemeente_code: str
    gemeente_name: str
    #: Every vintage in which the code exists (not necessarily the same area).
    vintages: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """What a chart or a sentence needs to know about an indicator."""

    id: str
    label_nl: str
    label_en: str
    theme: str
    unit: str
    decimals: int
    aggregation: str
    higher_is_better: bool | None
    source: str
    licence: str

    @property
    def comparable(self) -> bool:
        """Whether an area's figure can be compared with its gemeente's."""
        return self.aggregation in COMPARABLE_AGGREGATIONS

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_nl

    def unit_in(self, lang: str) -> str:
        """The unit in ``lang`` (the catalogue stores Dutch units).

        >>> IndicatorInfo("x", "", "", "", "personen", 1, "mean", None, "", "").unit_in("en")
        'persons'
        """
        return UNITS_EN.get(self.unit, self.unit) if lang == "en" else self.unit


@dataclass(frozen=True, slots=True)
class Rank:
    """Position of an area among its siblings with a published figure (1 = highest)."""

    position: int
    of: int
    total: int


@dataclass(frozen=True, slots=True)
class IndicatorTrend:
    """One small multiple: the area and its gemeente over the years, for one indicator."""

    indicator: IndicatorInfo
    area: Series
    gemeente: Series | None
    #: Other areas that had this code, with figures for this indicator (not joined).
    other_segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything the area profile page shows."""

    area: AreaRef
    indicators: dict[str, IndicatorInfo]
    #: One row per indicator with a figure for the area in its vintage; see :func:`key_figures`.
    figures: pd.DataFrame
    segment: Segment
    segments: tuple[Segment, ...]
    trends: tuple[IndicatorTrend, ...]
    children: pd.DataFrame
    has_national: bool
    data_version: str


def _wh(warehouse: Warehouse | None) -> Warehouse:
    return warehouse if warehouse is not None else get_warehouse()


# --- resolving --------------------------------------------------------------------------


def resolve_area(
    code: object, vintage: object = None, *, warehouse: Warehouse | None = None
) -> AreaRef:
    """The area ``code`` in ``vintage``; by default the newest vintage in which the code
    has figures (else its newest vintage).

    Raises :class:`~data.queries.InvalidParameter` for a malformed code or year,
    :class:`~data.series.UnknownArea` for a code in no vintage and
    :class:`~data.queries.UnknownVintage` for a year in which the code does not exist.
    """
    area_code = check_area_code(code)
    wh = _wh(warehouse)
    with wh.cursor() as cur:
        rows = cur.rows(
            "SELECT a.vintage, EXISTS (SELECT 1 FROM observations o "
            "WHERE o.vintage = a.vintage AND o.area_code = a.code) "
            "FROM areas a WHERE a.code = ? ORDER BY a.vintage",
            [area_code],
        )
        if not rows:
            raise UnknownArea(f"area {area_code} does not exist in any year")
        vintages = tuple(int(r[0]) for r in rows)  # type: ignore[call-overload]
        if vintage in (None, ""):
            with_data = [int(r[0]) for r in rows if r[1]]  # type: ignore[call-overload]
            year = with_data[-1] if with_data else vintages[-1]
        else:
            year = check_vintage(vintage)
            if year not in vintages:
                raise UnknownVintage(
                    f"area {area_code} does not exist in {year} "
                    f"(years: {', '.join(map(str, vintages))})"
                )
        (row,) = cur.rows(
            "SELECT a.level, a.name, a.parent_code, p.name, a.gemeente_code, g.name "
            "FROM areas a "
            "LEFT JOIN areas p ON p.vintage = a.vintage AND p.code = a.parent_code "
            "LEFT JOIN areas g ON g.vintage = a.vintage AND g.code = a.gemeente_code "
            "WHERE a.vintage = ? AND a.code = ?",
            [year, area_code],
        )
    level, name, parent, parent_name, gemeente, gemeente_name = row
    return AreaRef(
        code=area_code,
        vintage=year,
        level=str(level),
        name=str(name) if name else area_code,
        parent_code=None if parent is None else str(parent),
        parent_name=None if parent_name is None else str(parent_name),
        gemeente_code=str(gemeente),
        gemeente_name=str(gemeente_name) if gemeente_name else str(gemeente),
        vintages=vintages,
    )


# --- indicators -------------------------------------------------------------------------


def indicator_catalogue(*, warehouse: Warehouse | None = None) -> dict[str, IndicatorInfo]:
    """The public indicators by id, in catalogue order (theme, label)."""
    frame = (
        _wh(warehouse)
        .query(
            "SELECT id, label_nl, label_en, theme, unit, decimals, aggregation, "
            "higher_is_better, source, licence FROM indicators WHERE access = 'public' "
            "ORDER BY theme, label_nl, id"
        )
        .frame
    )
    return {
        str(r.id): IndicatorInfo(
            id=str(r.id),
            label_nl=str(r.label_nl),
            label_en=str(r.label_en),
            theme=str(r.theme),
            unit=str(r.unit),
            decimals=int(r.decimals),
            aggregation=str(r.aggregation),
            higher_is_better=None if pd.isna(r.higher_is_better) else bool(r.higher_is_better),
            source=str(r.source),
            licence=str(r.licence),
        )
        for r in frame.itertuples(index=False)
    }


# --- ranks (pure) -----------------------------------------------------------------------


def rank_of(siblings: pd.DataFrame, code: str) -> Rank | None:
    """Rank of ``code`` among ``siblings`` (columns ``area_code, value, status``; one
    indicator and period), highest value first; ties share the best position. Only
    published figures take part; ``None`` when the area itself has none.

    >>> sib = pd.DataFrame({"area_code": ["A", "B", "C", "D"],
    ...     "value": [5.0, 9.0, None, 5.0], "status": ["ok", "ok", "suppressed", "ok"]})
    >>> rank_of(sib, "A"), rank_of(sib, "C")
    (Rank(position=2, of=3, total=4), None)
    """
    ok = siblings[(siblings["status"] == "ok") & siblings["value"].notna()]
    mine = ok[ok["area_code"] == code]
    if mine.empty:
        return None
    value = float(mine["value"].iloc[0])
    higher = int((ok["value"] > value).sum())
    return Rank(position=higher + 1, of=len(ok), total=int(siblings["area_code"].nunique()))


# --- key figures ------------------------------------------------------------------------

KEY_FIGURE_COLUMNS: Final = (
    "indicator_id",
    "period",
    "value",
    "status",
    "reason",
    "gm_value",
    "gm_status",
    "gm_reason",
    "nl_value",
    "nl_status",
    "nl_reason",
    "rank",
    "rank_of",
    "rank_total",
)


def key_figures(area: AreaRef, *, warehouse: Warehouse | None = None) -> pd.DataFrame:
    """The figures of ``area`` in its vintage, one row per public indicator that has an
    observation for it (latest period of that vintage), with the gemeente's and the
    national figure of the same period and the rank among the siblings (same level and
    gemeente). Columns :data:`KEY_FIGURE_COLUMNS`; ``rank`` is ``<NA>`` where the area has
    no published figure. Ordered by theme and label.
    """
    wh = _wh(warehouse)
    frame = wh.query(
        "WITH mine AS (SELECT indicator_id, max(period) AS period FROM observations "
        "  WHERE vintage = ? AND area_code = ? GROUP BY indicator_id) "
        "SELECT i.id AS indicator_id, m.period, a.value, a.status, a.reason, "
        "g.value AS gm_value, g.status AS gm_status, g.reason AS gm_reason, "
        "n.value AS nl_value, n.status AS nl_status, n.reason AS nl_reason "
        "FROM mine m JOIN indicators i ON i.id = m.indicator_id AND i.access = 'public' "
        "JOIN observations a ON a.vintage = ? AND a.area_code = ? "
        "  AND a.indicator_id = m.indicator_id AND a.period = m.period "
        "LEFT JOIN observations g ON g.vintage = ? AND g.area_code = ? "
        "  AND g.indicator_id = m.indicator_id AND g.period = m.period "
        "LEFT JOIN observations n ON n.vintage = ? AND n.area_code = ? "
        "  AND n.indicator_id = m.indicator_id AND n.period = m.period "
        "ORDER BY i.theme, i.label_nl, i.id",
        [
            area.vintage,
            area.code,
            area.vintage,
            area.code,
            area.vintage,
            area.gemeente_code,
            area.vintage,
            NATIONAL_CODE,
        ],
    ).frame
    if area.level == "gemeente":
        # The gemeente is the area itself: no separate column, no rank within itself.
        frame[["gm_value", "gm_status", "gm_reason"]] = None
    siblings = (
        pd.DataFrame(columns=["indicator_id", "period", "area_code", "value", "status"])
        if area.level == "gemeente"
        else wh.query(
            "SELECT o.indicator_id, o.period, o.area_code, o.value, o.status "
            "FROM observations o JOIN areas a ON a.vintage = o.vintage AND a.code = o.area_code "
            "WHERE o.vintage = ? AND a.level = ? AND a.gemeente_code = ?",
            [area.vintage, area.level, area.gemeente_code],
        ).frame
    )
    groups = {key: group for key, group in siblings.groupby(["indicator_id", "period"])}
    ranks: list[Rank | None] = []
    for ind, period in zip(frame["indicator_id"], frame["period"], strict=True):
        group = groups.get((ind, period))
        ranks.append(None if group is None else rank_of(group, area.code))
    frame["rank"] = pd.array([r.position if r else None for r in ranks], dtype="Int64")
    frame["rank_of"] = pd.array([r.of if r else None for r in ranks], dtype="Int64")
    frame["rank_total"] = pd.array([r.total if r else None for r in ranks], dtype="Int64")
    return frame.loc[:, list(KEY_FIGURE_COLUMNS)].reset_index(drop=True)


def children(area: AreaRef, *, warehouse: Warehouse | None = None) -> pd.DataFrame:
    """The areas whose parent is ``area`` in its vintage (the buurten of a wijk, the wijken
    of a gemeente): columns ``code, name, level, inwoners, status, reason``, by code.
    ``inwoners`` is the published number of inhabitants of the latest period, if any."""
    return (
        _wh(warehouse)
        .query(
            "SELECT a.code, a.name, a.level, o.value AS inwoners, o.status, o.reason "
            "FROM areas a LEFT JOIN observations o ON o.vintage = a.vintage "
            "  AND o.area_code = a.code AND o.indicator_id = 'inwoners' "
            "  AND o.period = (SELECT max(period) FROM observations x WHERE x.vintage = a.vintage "
            "    AND x.area_code = a.code AND x.indicator_id = 'inwoners') "
            "WHERE a.vintage = ? AND a.parent_code = ? ORDER BY a.code",
            [area.vintage, area.code],
        )
        .frame
    )


# --- trends -----------------------------------------------------------------------------


def indicator_trends(
    area: AreaRef,
    catalogue: dict[str, IndicatorInfo],
    segs: list[Segment],
    gm_segs: list[Segment],
    obs: pd.DataFrame,
) -> list[IndicatorTrend]:
    """Per indicator, the area's series over its segment and the gemeente's over the
    gemeente's segment holding the same vintage (pure; ``obs`` from
    :func:`data.series.observations` for both codes). Indicators with fewer than two
    published points for the area are left out: a trend needs two."""
    segment = segment_of(segs, area.vintage)
    gm_segment = segment_of(gm_segs, area.vintage)
    if segment is None:
        return []
    result: list[IndicatorTrend] = []
    for ind_id, info in catalogue.items():
        rows = obs[obs["indicator_id"] == ind_id]
        if rows.empty:
            continue
        own = rows[rows["area_code"] == area.code]
        series = build_series(segment, own)
        if len(series.ok_points) < 2:
            continue
        gm_series = None
        if gm_segment is not None and area.level != "gemeente":
            gm_series = build_series(gm_segment, rows[rows["area_code"] == area.gemeente_code])
        others = tuple(
            s
            for s in segs
            if s is not segment and build_series(s, own).ok_points  # figures of another area
        )
        result.append(IndicatorTrend(info, series, gm_series, others))
    return result


def profile(code: object, vintage: object = None, *, warehouse: Warehouse | None = None) -> Profile:
    """Everything for ``/gebied/<code>?jaar=<vintage>`` (see :func:`resolve_area` for the
    errors)."""
    wh = _wh(warehouse)
    area = resolve_area(code, vintage, warehouse=wh)
    catalogue = indicator_catalogue(warehouse=wh)
    segs = area_segments(area.code, warehouse=wh)
    gm_segs = segs if area.level == "gemeente" else area_segments(area.gemeente_code, warehouse=wh)
    obs = observations([area.code, area.gemeente_code], warehouse=wh)
    figures = key_figures(area, warehouse=wh)
    segment = segment_of(segs, area.vintage)
    if segment is None:  # cannot happen: the area exists in its own vintage
        raise InvalidParameter(f"area {area.code} has no segment holding {area.vintage}")
    trends = indicator_trends(area, catalogue, segs, gm_segs, obs)
    logger.debug(
        "profile code=%s vintage=%s segment=%s indicators=%d trends=%d",
        area.code,
        area.vintage,
        segment.label(),
        len(figures),
        len(trends),
    )
    return Profile(
        area=area,
        indicators=catalogue,
        figures=figures,
        segment=segment,
        segments=tuple(segs),
        trends=tuple(trends),
        children=children(area, warehouse=wh),
        has_national=bool(figures["nl_status"].notna().any()),
        data_version=wh.data_version(),
    )


def is_finite(value: object) -> bool:
    """Whether ``value`` is a real number (not None, NaN or ``<NA>``).

    >>> is_finite(1.5), is_finite(None), is_finite(float("nan")), is_finite(pd.NA)
    (True, False, False, False)
    """
    if value is None or value is pd.NA:
        return False
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
