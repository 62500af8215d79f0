# SPDX-License-Identifier: EUPL-1.2
"""The questions the pages and the API ask the warehouse, as parameterised queries.

Every function validates its arguments (:class:`InvalidParameter`), raises a
:class:`NotFound` subclass for an indicator, year, gemeente or geometry the warehouse does
not hold, and returns plain values or a :class:`~data.warehouse.Result` (a DataFrame plus the
data version it came from, for cache keys). Each takes an optional ``warehouse`` for tests
and tools; by default it uses the process's live warehouse.

Areas are keyed by ``(vintage, code)``: CBS re-uses codes after a re-division, so every
query about areas is scoped to one vintage.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, Literal

from data.warehouse import Cursor, Result, Warehouse, WarehouseInfo, get_warehouse

Level = Literal["gemeente", "wijk", "buurt"]

LEVELS: Final[tuple[Level, ...]] = ("gemeente", "wijk", "buurt")
STATUSES: Final = ("ok", "suppressed", "missing")

#: Reason given for an area that has no row at all for the indicator and period.
REASON_NO_ROW: Final = "geen cijfer voor dit gebied in de bron"
#: Reason given when the indicator has no figures at all for the year and level.
REASON_NO_PERIOD: Final = "geen cijfers voor deze indicator in dit jaar"

_INDICATOR_RE: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}\Z")
_GEMEENTE_RE: Final = re.compile(r"^GM[0-9]{4}\Z")
_DIGITS_RE: Final = re.compile(r"^[0-9]{1,9}\Z")
_MIN_VINTAGE: Final = 1800
_MAX_VINTAGE: Final = 2200


class InvalidParameter(ValueError):
    """An argument is not a valid level, year, gemeente code or indicator id."""


class NotFound(LookupError):
    """The warehouse does not hold what was asked for."""


class UnknownIndicator(NotFound):
    """No (public) indicator with this id."""


class UnknownVintage(NotFound):
    """No areas of this level for this year (vintage)."""


class UnknownGemeente(NotFound):
    """No gemeente with this code in this vintage."""


class GeometryNotFound(NotFound):
    """No geometry artefact for this vintage, level and gemeente."""


@dataclass(frozen=True, slots=True)
class IndicatorMeta:
    """One indicator of the catalogue, as the pages need it."""

    id: str
    label_nl: str
    label_en: str
    theme: str
    unit: str
    decimals: int
    higher_is_better: bool | None
    definition_nl: str
    source: str
    licence: str
    access: str


@dataclass(frozen=True, slots=True)
class Bbox:
    """A WGS84 bounding box in degrees."""

    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True, slots=True)
class GeometryInfo:
    """What the map needs to reference an artefact without loading it."""

    vintage: int
    level: Level
    gemeente: str | None
    etag: str
    bbox: Bbox
    feature_count: int
    data_version: str


@dataclass(frozen=True, slots=True)
class GeometryArtefact:
    """A GeoJSON FeatureCollection (WGS84, feature ``id`` = area code) and its ETag."""

    geojson: str
    etag: str
    data_version: str


# --- validation --------------------------------------------------------------------------


def check_level(level: object) -> Level:
    """``level`` if it is one of :data:`LEVELS`, else :class:`InvalidParameter`."""
    for known in LEVELS:
        if level == known:
            return known
    raise InvalidParameter(f"level {level!r} is not one of {', '.join(LEVELS)}")


def check_vintage(vintage: object) -> int:
    """``vintage`` as an int year, else :class:`InvalidParameter`.

    >>> check_vintage("2024")
    2024
    """
    if isinstance(vintage, bool):
        raise InvalidParameter(f"year {vintage!r} is not a year")
    # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
    if isinstance(vintage, str) and _DIGITS_RE.match(vintage.strip()):
        vintage = int(vintage.strip())
    if not isinstance(vintage, int) or not _MIN_VINTAGE <= vintage <= _MAX_VINTAGE:
        raise InvalidParameter(f"year {vintage!r} is not a year")
    return vintage


def check_gemeente(gemeente: object) -> str | None:
    """A gemeente code (``GM0392``) or ``None`` for all gemeenten, else
    :class:`InvalidParameter`."""
    if gemeente is None:
        return None
    if not isinstance(gemeente, str) or not _GEMEENTE_RE.match(gemeente):
        raise InvalidParameter(f"gemeente {gemeente!r} is not a gemeente code like GM0392")
    return gemeente


def check_indicator_id(indicator: object) -> str:
    """An indicator id in the catalogue's snake_case form, else :class:`InvalidParameter`."""
    if not isinstance(indicator, str) or not _INDICATOR_RE.match(indicator):
        raise InvalidParameter(f"indicator {indicator!r} is not an indicator id")
    return indicator


def _wh(warehouse: Warehouse | None) -> Warehouse:
    return warehouse if warehouse is not None else get_warehouse()


@contextmanager
def _cursor(warehouse: Warehouse | None, cursor: Cursor | None) -> Iterator[Cursor]:
    """The caller's ``cursor`` (several queries on one snapshot, e.g. one API request), or a
    fresh one on ``warehouse`` that is closed afterwards."""
    if cursor is not None:
        yield cursor
        return
    with _wh(warehouse).cursor() as cur:
        yield cur


# --- metadata ----------------------------------------------------------------------------


def data_version(*, warehouse: Warehouse | None = None) -> str:
    """The data version queries are answered from right now (changes after a swap)."""
    return _wh(warehouse).data_version()


def warehouse_info(*, warehouse: Warehouse | None = None) -> WarehouseInfo:
    """Metadata of the open warehouse file (data version, build time, schema version)."""
    return _wh(warehouse).info()


_INDICATOR_COLUMNS: Final = (
    "id, label_nl, label_en, theme, unit, decimals, higher_is_better, definition_nl, "
    "definition_en, source, licence, access"
)


def list_indicators(
    *, include_internal: bool = False, warehouse: Warehouse | None = None
) -> Result:
    """The indicator catalogue, ordered by theme and label.

    Columns: ``id, label_nl, label_en, theme, unit, decimals, higher_is_better,
    definition_nl, definition_en, source, licence, access``. Internal indicators (for
    signed-in staff, later) are left out unless ``include_internal``.
    """
    return _wh(warehouse).query(
        "SELECT id, label_nl, label_en, theme, unit, decimals, higher_is_better, "
        "definition_nl, definition_en, source, licence, access FROM indicators "
        "WHERE access = 'public' OR ? ORDER BY theme, label_nl, id",
        [include_internal],
    )


def indicator(
    indicator_id: str, *, include_internal: bool = False, warehouse: Warehouse | None = None
) -> IndicatorMeta:
    """One indicator's metadata; :class:`UnknownIndicator` when the catalogue lacks it."""
    check_indicator_id(indicator_id)
    with _wh(warehouse).cursor() as cur:
        rows = cur.rows(
            "SELECT id, label_nl, label_en, theme, unit, decimals, higher_is_better, "
            "definition_nl, source, licence, access FROM indicators "
            "WHERE id = ? AND (access = 'public' OR ?)",
            [indicator_id, include_internal],
        )
    if not rows:
        raise UnknownIndicator(f"indicator {indicator_id!r} is not in the catalogue")
    (
        id_,
        label_nl,
        label_en,
        theme,
        unit,
        decimals,
        better,
        definition,
        source,
        licence,
        access,
    ) = rows[0]
    return IndicatorMeta(
        id=str(id_),
        label_nl=str(label_nl),
        label_en=str(label_en),
        theme=str(theme),
        unit=str(unit),
        decimals=int(decimals),  # type: ignore[call-overload]
        higher_is_better=None if better is None else bool(better),
        definition_nl=str(definition),
        source=str(source),
        licence=str(licence),
        access=str(access),
    )


# --- areas -------------------------------------------------------------------------------


def vintages(
    level: str, *, warehouse: Warehouse | None = None, cursor: Cursor | None = None
) -> list[int]:
    """The years (area divisions) for which areas of ``level`` exist, newest first."""
    lvl = check_level(level)
    with _cursor(warehouse, cursor) as cur:
        rows = cur.rows(
            "SELECT DISTINCT vintage FROM areas WHERE level = ? ORDER BY vintage DESC", [lvl]
        )
    return [int(r[0]) for r in rows]  # type: ignore[call-overload]


def gemeenten(vintage: int, *, warehouse: Warehouse | None = None) -> Result:
    """The gemeenten of one vintage: columns ``code, name``, ordered by name."""
    year = check_vintage(vintage)
    return _wh(warehouse).query(
        "SELECT code, name FROM areas WHERE vintage = ? AND level = 'gemeente' ORDER BY name, code",
        [year],
    )


def areas(
    level: str,
    vintage: int,
    gemeente: str | None = None,
    *,
    warehouse: Warehouse | None = None,
    cursor: Cursor | None = None,
) -> Result:
    """Areas of one level and vintage, optionally within one gemeente.

    Columns: ``code, name, level, parent_code, gemeente_code``, ordered by code (the
    ``/api/v1/areas`` contract). An empty frame is a valid answer here; :func:`values`
    raises instead.
    """
    lvl, year, gm = check_level(level), check_vintage(vintage), check_gemeente(gemeente)
    with _cursor(warehouse, cursor) as cur:
        return cur.frame(
            "SELECT code, name, level, parent_code, gemeente_code FROM areas "
            "WHERE vintage = ? AND level = ? "
            "AND (CAST(? AS VARCHAR) IS NULL OR gemeente_code = ?) ORDER BY code",
            [year, lvl, gm, gm],
        )


# --- values ------------------------------------------------------------------------------


def values(
    indicator: str,
    level: str,
    vintage: int,
    gemeente: str | None = None,
    *,
    period: str | None = None,
    include_internal: bool = False,
    warehouse: Warehouse | None = None,
    cursor: Cursor | None = None,
) -> Result:
    """One indicator for every area of a level and vintage (optionally one gemeente).

    Columns: ``code, name, value, status, reason, period``, one row per area, ordered by
    code. ``status`` is ``ok``, ``suppressed`` or ``missing``; ``value`` is NaN (null)
    unless ``status`` is ``ok``; ``reason`` says why there is no figure. An area with no
    observation at all is ``missing``. ``period`` defaults to the latest period the
    indicator has for these areas.

    Raises :class:`UnknownIndicator`, :class:`UnknownVintage` or :class:`UnknownGemeente`.
    Pass ``cursor`` to run on the caller's snapshot (the open data API answers one request
    from one cursor, so that a swap can never mix two data versions in one response).
    """
    ind = check_indicator_id(indicator)
    lvl, year, gm = check_level(level), check_vintage(vintage), check_gemeente(gemeente)
    with _cursor(warehouse, cursor) as cur:
        if not cur.rows(
            "SELECT 1 FROM indicators WHERE id = ? AND (access = 'public' OR ?)",
            [ind, include_internal],
        ):
            raise UnknownIndicator(f"indicator {ind!r} is not in the catalogue")
        if not cur.rows("SELECT 1 FROM areas WHERE vintage = ? AND level = ? LIMIT 1", [year, lvl]):
            raise UnknownVintage(f"there are no {lvl} areas for year {year}")
        if gm is not None and not cur.rows(
            "SELECT 1 FROM areas WHERE vintage = ? AND level = 'gemeente' AND code = ?",
            [year, gm],
        ):
            raise UnknownGemeente(f"gemeente {gm} does not exist in year {year}")
        if period is None:
            latest = cur.rows(
                "SELECT max(o.period) FROM observations o JOIN areas a "
                "ON a.vintage = o.vintage AND a.code = o.area_code "
                "WHERE o.vintage = ? AND o.indicator_id = ? AND a.level = ? "
                "AND (CAST(? AS VARCHAR) IS NULL OR a.gemeente_code = ?)",
                [year, ind, lvl, gm, gm],
            )
            period = None if latest[0][0] is None else str(latest[0][0])
        no_row_reason = REASON_NO_ROW if period is not None else REASON_NO_PERIOD
        return cur.frame(
            "SELECT a.code, a.name, o.value, COALESCE(o.status, 'missing') AS status, "
            "CASE WHEN o.status IS NULL THEN ? ELSE o.reason END AS reason, "
            "CAST(? AS VARCHAR) AS period "
            "FROM areas a LEFT JOIN observations o "
            "ON o.vintage = a.vintage AND o.area_code = a.code "
            "AND o.indicator_id = ? AND o.period = ? "
            "WHERE a.vintage = ? AND a.level = ? "
            "AND (CAST(? AS VARCHAR) IS NULL OR a.gemeente_code = ?) "
            "ORDER BY a.code",
            [no_row_reason, period, ind, period, year, lvl, gm, gm],
        )


# --- geometry ----------------------------------------------------------------------------
#
# The ETL writes one artefact per (vintage, level, gemeente_code). ``gemeente=None`` asks
# for every gemeente of the level: the artefacts are merged (features concatenated, the
# ETag derived from the parts' ETags).


def geometry_info(
    vintage: int, level: str, gemeente: str | None = None, *, warehouse: Warehouse | None = None
) -> GeometryInfo:
    """ETag, bounding box and feature count of an artefact, without its GeoJSON."""
    lvl, year, gm = check_level(level), check_vintage(vintage), check_gemeente(gemeente)
    with _wh(warehouse).cursor() as cur:
        rows = cur.rows(
            "SELECT etag, bbox_west, bbox_south, bbox_east, bbox_north, feature_count "
            "FROM geometries WHERE vintage = ? AND level = ? "
            "AND (CAST(? AS VARCHAR) IS NULL OR gemeente_code = ?) ORDER BY gemeente_code",
            [year, lvl, gm, gm],
        )
        version = cur.data_version
    if not rows:
        raise GeometryNotFound(_no_geometry(year, lvl, gm))
    bbox = Bbox(
        west=min(float(r[1]) for r in rows),  # type: ignore[arg-type]
        south=min(float(r[2]) for r in rows),  # type: ignore[arg-type]
        east=max(float(r[3]) for r in rows),  # type: ignore[arg-type]
        north=max(float(r[4]) for r in rows),  # type: ignore[arg-type]
    )
    return GeometryInfo(
        vintage=year,
        level=lvl,
        gemeente=gm,
        etag=_combined_etag([str(r[0]) for r in rows]),
        bbox=bbox,
        feature_count=sum(int(r[5]) for r in rows),  # type: ignore[call-overload]
        data_version=version,
    )


def geometry_artefact(
    vintage: int,
    level: str,
    gemeente: str | None = None,
    *,
    warehouse: Warehouse | None = None,
    cursor: Cursor | None = None,
) -> GeometryArtefact:
    """The GeoJSON FeatureCollection of a level's areas in one vintage (and gemeente).

    Feature ``id`` is the area code. Raises :class:`GeometryNotFound`.
    """
    lvl, year, gm = check_level(level), check_vintage(vintage), check_gemeente(gemeente)
    with _cursor(warehouse, cursor) as cur:
        rows = cur.rows(
            "SELECT geojson, etag FROM geometries WHERE vintage = ? AND level = ? "
            "AND (CAST(? AS VARCHAR) IS NULL OR gemeente_code = ?) ORDER BY gemeente_code",
            [year, lvl, gm, gm],
        )
        version = cur.data_version
    if not rows:
        raise GeometryNotFound(_no_geometry(year, lvl, gm))
    etag = _combined_etag([str(r[1]) for r in rows])
    if len(rows) == 1:
        return GeometryArtefact(geojson=str(rows[0][0]), etag=etag, data_version=version)
    features: list[object] = []
    for geojson, _ in rows:
        features.extend(json.loads(str(geojson)).get("features", []))
    merged = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return GeometryArtefact(geojson=merged, etag=etag, data_version=version)


def _combined_etag(etags: list[str]) -> str:
    if len(etags) == 1:
        return etags[0]
    return "m-" + hashlib.sha256("\n".join(etags).encode()).hexdigest()[:32]


def _no_geometry(vintage: int, level: str, gemeente: str | None) -> str:
    where = f"gemeente {gemeente}" if gemeente else "any gemeente"
    return f"no {level} geometry for year {vintage} in {where}"
