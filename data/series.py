# SPDX-License-Identifier: EUPL-1.2
"""Figures of one area over the years, without ever joining two different areas.

CBS re-uses area codes after a re-division: ``WK039202`` is "Wijk 02 Spoorbaan Leiden" in
2014/2015 and "Haarlemmerhoutkwartier" from 2016 on. A trend line keyed on the code alone
would silently join two areas. This module decides, per code, which vintages (area
divisions) denote the *same* area, and builds series only within such a run of vintages.

**The joining rule** (see ``docs/adr/0005-joining-areas-across-vintages.md``). Walking the
vintages in which the area's gemeente has areas of the same level, oldest first, a new
:class:`Segment` (another area under the same code) starts when

1. the code is absent from a vintage in which its gemeente does have areas of that level
   (the area was abolished; a later area with the code is a new one), or
2. the name differs from the segment's name after :func:`normalise_name` (case, spacing, and
   the old CBS prefix "Wijk 01 " that repeats the code's own number), or
3. the vintage holds figures and its size differs by more than :data:`SIZE_TOLERANCE`
   (5 %, at least :data:`SIZE_SLACK_HA`) from the last vintage of the segment that holds
   figures. Size is CBS's published ``oppervlakte_totaal`` when both vintages have it, else
   ``area_geometry.area_ha`` when both have geometry, else unknown (no break on size).

CBS's own area comes first because the geometry in a warehouse may come from differently
generalised sources per year: for Den Helder's wijk WK040001 the geometries measure 452.7 ha
(2015, mapshaper-simplified, water removed) and 345.9 ha (2024, PDOK generalised), while
CBS publishes 457 ha for both years. Vintages without any figure for the area carry its
identity (code and name) but are never size-checked: they add no point to any line.
A missing name is unknown, not different.

Series points are keyed by ``period``; where two vintages of one segment hold the same
period, the newer division wins.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from data.queries import InvalidParameter, NotFound, check_gemeente, check_indicator_id
from data.warehouse import Warehouse, get_warehouse

logger = logging.getLogger(__name__)

#: Relative size difference above which two vintages are different areas.
SIZE_TOLERANCE: Final = 0.05
#: Absolute slack in hectares: CBS rounds areas to whole hectares, so 10 vs 11 ha is equal.
SIZE_SLACK_HA: Final = 1.0
#: Indicator holding CBS's published total area (ha), the preferred size measure.
SIZE_INDICATOR: Final = "oppervlakte_totaal"
#: Code under which a national figure may be stored (usually absent).
NATIONAL_CODE: Final = "NL00"

BreakReason = Literal["absent", "name", "size"]

_AREA_CODE_RE: Final = re.compile(r"^(GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8})\Z")
_NUMBER_PREFIX_RE: Final = re.compile(r"^(wijk|buurt)\s+([0-9]{1,2})\s+")
_YEAR_RE: Final = re.compile(r"^[0-9]{4}\Z")


class UnknownArea(NotFound):
    """No area with this code in the warehouse (in any vintage)."""


def check_area_code(code: object) -> str:
    """A CBS area code (``GM0392``, ``WK039202``, ``BU03920101``), else
    :class:`~data.queries.InvalidParameter`.

    >>> check_area_code(" wk039202 ")
    'WK039202'
    """
    text = code.strip().upper() if isinstance(code, str) else ""
    if not _AREA_CODE_RE.match(text):
        raise InvalidParameter(f"area code {code!r} is not a code like GM0392, WK039202")
    return text


# --- the joining rule (pure) ---------------------------------------------------------------


def normalise_name(name: str | None, code: str) -> str | None:
    """The part of an area name that identifies it across vintages.

    Case and spacing do not count, nor the prefix "Wijk 01 " / "Buurt 01 " that older CBS
    files put before a name when its number is the code's own last two digits.

    >>> normalise_name("Wijk 01 Oude stad", "WK039201")
    'oude stad'
    >>> normalise_name("Oude  Stad", "WK039201")
    'oude stad'
    >>> normalise_name("Wijk 02 Spoorbaan Leiden", "WK039201")  # another number: kept
    'wijk 02 spoorbaan leiden'
    >>> normalise_name(None, "WK039201") is None
    True
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return None
    text = " ".join(str(name).split()).casefold()
    if not text:
        return None
    match = _NUMBER_PREFIX_RE.match(text)
    if match and match.group(2).zfill(2) == code[-2:]:
        text = text[match.end() :]
    return text


def same_size(a: float | None, b: float | None) -> bool | None:
    """Whether two areas in hectares are the same size; ``None`` when either is unknown.

    >>> same_size(457, 457), same_size(452.7, 345.9), same_size(10, 11), same_size(None, 3)
    (True, False, True, None)
    """
    if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)):
        return None
    return abs(a - b) <= max(SIZE_TOLERANCE * max(abs(a), abs(b)), SIZE_SLACK_HA)


@dataclass(frozen=True, slots=True)
class VintageRecord:
    """What is known about one code in one vintage in which its gemeente has areas of its
    level. ``present`` is false when the code does not exist in that vintage."""

    vintage: int
    present: bool
    name: str | None = None
    size_cbs: float | None = None
    size_geom: float | None = None
    has_data: bool = False


@dataclass(frozen=True, slots=True)
class Break:
    """Why a segment is not joined to the one before it."""

    vintage: int  # first vintage of the later segment
    reason: BreakReason
    previous_name: str | None
    previous_last: int | None  # last vintage of the earlier segment, if the code existed


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of vintages in which one code denotes one and the same area."""

    code: str
    vintages: tuple[int, ...]
    name: str | None  # the name in the newest vintage of the run
    break_before: Break | None = None

    @property
    def first(self) -> int:
        return self.vintages[0]

    @property
    def last(self) -> int:
        return self.vintages[-1]

    def label(self) -> str:
        """``"2016–2024"`` or ``"2015"``."""
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


def _size_differs(a: VintageRecord, b: VintageRecord) -> bool:
    verdict = same_size(a.size_cbs, b.size_cbs)
    if verdict is None:
        verdict = same_size(a.size_geom, b.size_geom)
    return verdict is False


def segments(code: str, records: Iterable[VintageRecord]) -> list[Segment]:
    """Split the vintages of ``code`` into runs that denote the same area (module docs).

    >>> recs = [VintageRecord(2015, True, "Wijk 02 Spoorbaan Leiden", 188, 188, True),
    ...         VintageRecord(2016, True, "Haarlemmerhoutkwartier", None, 249, False),
    ...         VintageRecord(2024, True, "Haarlemmerhoutkwartier", 248, 252, True)]
    >>> [(s.vintages, s.name) for s in segments("WK039202", recs)]
    [((2015,), 'Wijk 02 Spoorbaan Leiden'), ((2016, 2024), 'Haarlemmerhoutkwartier')]
    >>> segments("WK039202", recs)[1].break_before.reason
    'name'
    """
    result: list[Segment] = []
    run: list[VintageRecord] = []
    run_name: str | None = None
    last_with_data: VintageRecord | None = None
    pending: Break | None = None

    def close() -> Segment | None:
        if not run:
            return None
        names = [r.name for r in run if normalise_name(r.name, code) is not None]
        seg = Segment(code, tuple(r.vintage for r in run), names[-1] if names else None, pending)
        result.append(seg)
        return seg

    for record in sorted(records, key=lambda r: r.vintage):
        if not record.present:
            if run:
                previous = close()
                assert previous is not None
                # The next segment's first vintage is filled in when it starts.
                pending = Break(record.vintage, "absent", previous.name, previous.last)
                run, run_name, last_with_data = [], None, None
            continue
        name = normalise_name(record.name, code)
        reason: BreakReason | None = None
        if run:
            if name is not None and run_name is not None and name != run_name:
                reason = "name"
            elif (
                record.has_data
                and last_with_data is not None
                and _size_differs(last_with_data, record)
            ):
                reason = "size"
        if reason is not None:
            previous = close()
            assert previous is not None
            pending = Break(record.vintage, reason, previous.name, previous.last)
            run, run_name, last_with_data = [], None, None
        elif not run and pending is not None and pending.reason == "absent":
            pending = Break(record.vintage, "absent", pending.previous_name, pending.previous_last)
        run.append(record)
        if name is not None:
            run_name = name
        if record.has_data:
            last_with_data = record
    close()
    return result


def segment_of(segs: Sequence[Segment], vintage: int) -> Segment | None:
    """The segment that holds ``vintage``, if any."""
    return next((s for s in segs if vintage in s.vintages), None)


# --- series (pure) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    """One figure of a series; ``value`` is ``None`` unless ``status == "ok"``."""

    period: str
    vintage: int
    value: float | None
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Series:
    """An indicator over the periods of one segment of one area."""

    code: str
    name: str | None
    segment: Segment
    points: tuple[Point, ...]

    @property
    def ok_points(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.status == "ok" and p.value is not None)


def build_series(segment: Segment, observations: pd.DataFrame) -> Series:
    """The points of ``segment`` from an observations frame of its code and one indicator
    (columns ``vintage, period, value, status, reason``). Rows of vintages outside the
    segment are ignored; a period held by two vintages comes from the newer one.

    >>> seg = Segment("WK040001", (2015, 2024), "Wijk 01")
    >>> obs = pd.DataFrame({"vintage": [2014, 2015, 2024], "period": ["2014", "2015", "2024"],
    ...     "value": [1.0, 2.0, None], "status": ["ok", "ok", "suppressed"],
    ...     "reason": [None, None, "minder dan 5"]})
    >>> [(p.period, p.value, p.status) for p in build_series(seg, obs).points]
    [('2015', 2.0, 'ok'), ('2024', None, 'suppressed')]
    """
    rows = observations[observations["vintage"].isin(segment.vintages)]
    rows = rows.sort_values(["period", "vintage"]).drop_duplicates("period", keep="last")
    points = tuple(
        Point(
            period=str(r.period),
            vintage=int(r.vintage),
            value=float(r.value) if r.status == "ok" and pd.notna(r.value) else None,
            status=str(r.status),
            reason=None if pd.isna(r.reason) else str(r.reason),
        )
        for r in rows.itertuples(index=False)
    )
    return Series(segment.code, segment.name, segment, points)


def period_number(period: str) -> float | None:
    """A period as a number for a time axis: ``"2024"`` -> 2024.0; other shapes -> None.

    >>> period_number("2024"), period_number("2024Q2")
    (2024.0, None)
    """
    return float(period) if _YEAR_RE.match(period) else None


# --- queries -------------------------------------------------------------------------------


def _wh(warehouse: Warehouse | None) -> Warehouse:
    return warehouse if warehouse is not None else get_warehouse()


def vintage_records(code: str, *, warehouse: Warehouse | None = None) -> list[VintageRecord]:
    """The :class:`VintageRecord` of ``code`` in every vintage in which its gemeente has
    areas of its level; :class:`UnknownArea` when the code exists in no vintage."""
    area_code = check_area_code(code)
    with _wh(warehouse).cursor() as cur:
        rows = cur.rows(
            "WITH me AS (SELECT DISTINCT level, gemeente_code FROM areas WHERE code = ?), "
            "vint AS (SELECT DISTINCT a.vintage FROM areas a "
            "  JOIN me ON a.level = me.level AND a.gemeente_code = me.gemeente_code) "
            "SELECT v.vintage, a.code IS NOT NULL, a.name, "
            "  (SELECT o.value FROM observations o WHERE o.vintage = v.vintage "
            "   AND o.area_code = ? AND o.indicator_id = ? AND o.status = 'ok' "
            "   ORDER BY o.period DESC LIMIT 1), "
            "  g.area_ha, "
            "  EXISTS (SELECT 1 FROM observations o WHERE o.vintage = v.vintage "
            "   AND o.area_code = ?) "
            "FROM vint v LEFT JOIN areas a ON a.vintage = v.vintage AND a.code = ? "
            "LEFT JOIN area_geometry g ON g.vintage = v.vintage AND g.code = ? "
            "ORDER BY v.vintage",
            [area_code, area_code, SIZE_INDICATOR, area_code, area_code, area_code],
        )
    if not rows:
        raise UnknownArea(f"area {area_code} does not exist in any year")
    return [
        VintageRecord(
            vintage=int(r[0]),  # type: ignore[call-overload]
            present=bool(r[1]),
            name=None if r[2] is None else str(r[2]),
            size_cbs=None if r[3] is None else float(r[3]),  # type: ignore[arg-type]
            size_geom=None if r[4] is None else float(r[4]),  # type: ignore[arg-type]
            has_data=bool(r[5]),
        )
        for r in rows
    ]


def area_segments(code: str, *, warehouse: Warehouse | None = None) -> list[Segment]:
    """:func:`segments` of ``code`` in the warehouse, oldest first."""
    area_code = check_area_code(code)
    return segments(area_code, vintage_records(area_code, warehouse=warehouse))


def observations(
    codes: Sequence[str],
    indicator: str | None = None,
    *,
    warehouse: Warehouse | None = None,
) -> pd.DataFrame:
    """Every published-catalogue observation of ``codes`` (all vintages and periods),
    optionally of one indicator. Columns ``area_code, vintage, period, indicator_id, value,
    status, reason``; internal indicators are left out."""
    checked = [c if c == NATIONAL_CODE else check_area_code(c) for c in codes]
    ind = None if indicator is None else check_indicator_id(indicator)
    if not checked:
        return pd.DataFrame(
            columns=["area_code", "vintage", "period", "indicator_id", "value", "status", "reason"]
        )
    return (
        _wh(warehouse)
        .query(
            "SELECT o.area_code, o.vintage, o.period, o.indicator_id, o.value, o.status, "
            "o.reason FROM observations o JOIN indicators i ON i.id = o.indicator_id "
            "WHERE i.access = 'public' AND list_contains(?, o.area_code) "
            "AND (CAST(? AS VARCHAR) IS NULL OR o.indicator_id = ?) "
            "ORDER BY o.area_code, o.indicator_id, o.period, o.vintage",
            [checked, ind, ind],
        )
        .frame
    )


@dataclass(frozen=True, slots=True)
class TrendLine:
    """One line of a trend chart: a segment of an area, or of its gemeente (reference)."""

    series: Series
    role: Literal["area", "gemeente"]
    level: str
    gemeente_code: str
    #: True for the segment that holds the area's newest vintage ("the area as it is now").
    current: bool


def trend_lines(
    indicator: str, codes: Sequence[str], *, warehouse: Warehouse | None = None
) -> list[TrendLine]:
    """Lines for a trend chart of ``indicator``: every segment of every code that has at
    least one figure, then each of their gemeenten as reference. A code that was re-used
    for another area gives two lines, never one.

    Raises :class:`UnknownArea` for a code that exists in no vintage.
    """
    ind = check_indicator_id(indicator)
    wh = _wh(warehouse)
    checked = list(dict.fromkeys(check_area_code(c) for c in codes))
    levels = _levels(checked, wh)
    gemeenten = list(dict.fromkeys("GM" + c[2:6] for c in checked if not c.startswith("GM")))
    all_codes = checked + [g for g in gemeenten if g not in checked]
    obs = observations(all_codes, ind, warehouse=wh)
    lines: list[TrendLine] = []
    for code in all_codes:
        segs = area_segments(code, warehouse=wh)
        own = obs[obs["area_code"] == code]
        for seg in segs:
            series = build_series(seg, own)
            if not series.points:
                continue
            lines.append(
                TrendLine(
                    series=series,
                    role="area" if code in checked else "gemeente",
                    level=levels.get(code, "gemeente"),
                    gemeente_code=code if code.startswith("GM") else "GM" + code[2:6],
                    current=seg is segs[-1],
                )
            )
    return lines


def _levels(codes: Sequence[str], wh: Warehouse) -> dict[str, str]:
    with wh.cursor() as cur:
        rows = cur.rows(
            "SELECT code, any_value(level) FROM areas WHERE list_contains(?, code) GROUP BY code",
            [list(codes)],
        )
    found = {str(r[0]): str(r[1]) for r in rows}
    missing = [c for c in codes if c not in found]
    if missing:
        raise UnknownArea(f"area {', '.join(missing)} does not exist in any year")
    return found


def codes_in_gemeente(gemeente: str, *, warehouse: Warehouse | None = None) -> pd.DataFrame:
    """Every code of a gemeente in any vintage: columns ``code, level, name, vintage`` with
    the newest vintage and the newest known name, gemeente first, then wijken, buurten."""
    gm = check_gemeente(gemeente)
    return (
        _wh(warehouse)
        .query(
            "SELECT code, arg_max(level, vintage) AS level, "
            "arg_max(name, vintage) FILTER (WHERE name IS NOT NULL) AS name, "
            "max(vintage) AS vintage FROM areas WHERE gemeente_code = ? GROUP BY code "
            "ORDER BY CASE arg_max(level, vintage) WHEN 'gemeente' THEN 0 WHEN 'wijk' THEN 1 "
            "ELSE 2 END, code",
            [gm],
        )
        .frame
    )


def all_gemeenten(*, warehouse: Warehouse | None = None) -> pd.DataFrame:
    """Every gemeente in any vintage: ``code, name`` (newest known name), by name."""
    return (
        _wh(warehouse)
        .query(
            "SELECT code, coalesce(arg_max(name, vintage) FILTER (WHERE name IS NOT NULL), code) "
            "AS name FROM areas WHERE level = 'gemeente' GROUP BY code ORDER BY name, code"
        )
        .frame
    )


def index_values(series: Series) -> list[float | None]:
    """The series as an index, its first published figure = 100; ``None`` where there is no
    figure, and everywhere when the first figure is 0.

    >>> seg = Segment("WK040001", (2015, 2024), "x")
    >>> s = Series("WK040001", "x", seg, (Point("2015", 2015, 8990.0, "ok", None),
    ...     Point("2020", 2020, None, "suppressed", "r"), Point("2024", 2024, 9180.0, "ok", None)))
    >>> [None if v is None else round(v, 1) for v in index_values(s)]
    [100.0, None, 102.1]
    """
    ok = series.ok_points
    base = ok[0].value if ok else None
    if base is None or base == 0:
        return [None for _ in series.points]
    return [None if p.value is None else p.value / base * 100 for p in series.points]
