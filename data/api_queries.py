# SPDX-License-Identifier: EUPL-1.2
"""What the open data API (``/api/v1``) asks the warehouse, on one snapshot per request.

Every function here takes a :class:`~data.warehouse.Cursor` from :func:`snapshot`: the API
opens one cursor per request and answers the whole request from it, so that an ETL swap
can never mix two data versions in one response (the cursor keeps its file open, see
:mod:`data.warehouse`). The figures themselves come from :func:`data.queries.values`, the
same function the map page uses, so the API can only publish what the pages publish:
suppressed and missing cells stay ``value = None`` with a ``status`` and a ``reason``.

Only *public* indicators are ever read (``indicators.access = 'public'``); an internal one
is indistinguishable from an unknown one (:class:`~data.queries.UnknownIndicator`).

This module never imports Flask or Dash: the web layer lives in the ``api`` package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Final

import pandas as pd

from data import queries
from data.queries import Level, NotFound, UnknownGemeente, UnknownIndicator, UnknownVintage
from data.warehouse import Cursor, Warehouse, get_warehouse
from etl.indicators import CBS_LICENCE

#: Columns of a ``values`` row, in every format (JSON, CSV, Excel). The first five are the
#: ARCHITECTURE contract; the others make a row self-describing when a file travels alone
#: (which year and period, which indicator and unit, and the source and licence that must
#: be cited with it).
VALUE_COLUMNS: Final[tuple[str, ...]] = (
    "code",
    "name",
    "value",
    "status",
    "reason",
    "year",
    "period",
    "indicator",
    "unit",
    "source",
    "licence",
)
#: Columns of an ``areas`` row (the ARCHITECTURE contract).
AREA_COLUMNS: Final[tuple[str, ...]] = ("code", "name", "level", "parent_code", "gemeente_code")

#: The licence of area codes, names and boundaries: the CBS gebiedsindelingen (via PDOK).
AREAS_LICENCE: Final = CBS_LICENCE
AREAS_SOURCE: Final = "CBS Wijk- en buurtkaart / gebiedsindelingen (via PDOK)"

#: Area codes by level: GM + 4 digits, WK + 6, BU + 8.
_AREA_CODE_RE: Final[dict[str, re.Pattern[str]]] = {
    "gemeente": re.compile(r"^GM[0-9]{4}\Z"),
    "wijk": re.compile(r"^WK[0-9]{6}\Z"),
    "buurt": re.compile(r"^BU[0-9]{8}\Z"),
}
_PERIOD_RE: Final = re.compile(r"^[0-9A-Za-z-]{1,16}\Z")
_YEAR_PERIOD_RE: Final = re.compile(r"^([0-9]{4})\Z")
_DATE_PERIOD_RE: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class UnknownPeriod(NotFound):
    """The indicator has no figures for this period in the requested year."""


class UnknownArea(NotFound):
    """An area code does not exist at this level in the requested years."""


# --- licences ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Licence:
    """A licence as stored in the catalogue (``"CC BY 4.0, Bron: CBS"``), taken apart.

    ``uri`` is the canonical licence URI (for ``Link: <uri>; rel="license"``), ``donl_uri``
    the URI of the DCAT-AP-DONL value list (``donl:License``), ``attribution`` the text a
    re-user has to cite.
    """

    text: str
    name: str
    attribution: str
    uri: str | None
    donl_uri: str | None


#: Licence names -> (canonical URI, URI in the DCAT-AP-DONL licence value list).
_LICENCE_URIS: Final[dict[str, tuple[str, str]]] = {
    "CC BY 4.0": (
        "https://creativecommons.org/licenses/by/4.0/",
        "http://creativecommons.org/licenses/by/4.0/deed.nl",
    ),
    "CC BY-SA 4.0": (
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "http://creativecommons.org/licenses/by-sa/4.0/deed.nl",
    ),
    "CC0 1.0": (
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "http://creativecommons.org/publicdomain/zero/1.0/deed.nl",
    ),
    "Public Domain Mark 1.0": (
        "https://creativecommons.org/publicdomain/mark/1.0/",
        "http://creativecommons.org/publicdomain/mark/1.0/deed.nl",
    ),
}


def licence_info(text: str, *, source: str | None = None) -> Licence:
    """Split a catalogue licence into name, attribution and URIs.

    The attribution is the part after the name (``"Bron: CBS"``); without one it is
    ``"Bron: <source>"``. An unknown licence name has no URIs.

    >>> info = licence_info("CC BY 4.0, Bron: CBS")
    >>> info.name, info.attribution, info.uri
    ('CC BY 4.0', 'Bron: CBS', 'https://creativecommons.org/licenses/by/4.0/')
    >>> licence_info("CC0 1.0", source="Kadaster").attribution
    'Bron: Kadaster'
    """
    name, _, rest = text.partition(",")
    name, rest = name.strip(), rest.strip()
    attribution = rest or (f"Bron: {source}" if source else "")
    uris = _LICENCE_URIS.get(name)
    return Licence(
        text=text,
        name=name,
        attribution=attribution,
        uri=uris[0] if uris else None,
        donl_uri=uris[1] if uris else None,
    )


# --- snapshot ----------------------------------------------------------------------------


@contextmanager
def snapshot(*, warehouse: Warehouse | None = None) -> Iterator[Cursor]:
    """One cursor on the live warehouse, for all queries of one request.

    The cursor's ``data_version`` and ``info.built_at`` describe exactly the file every
    query on it reads, even when the ETL swaps in a new file meanwhile.
    """
    wh = warehouse if warehouse is not None else get_warehouse()
    with wh.cursor() as cur:
        yield cur


# --- validation --------------------------------------------------------------------------


def check_area_code(code: object, level: Level) -> str:
    """``code`` if it is an area code of ``level`` (``BU03920101`` for a buurt), else
    :class:`~data.queries.InvalidParameter`.

    >>> check_area_code("WK039201", "wijk")
    'WK039201'
    """
    if not isinstance(code, str) or not _AREA_CODE_RE[level].match(code):
        raise queries.InvalidParameter(f"area {code!r} is not a {level} code")
    return code


def check_period(period: object) -> str:
    """A period label as the warehouse stores it (``2024``, ``2024-Q1``), else
    :class:`~data.queries.InvalidParameter`."""
    if not isinstance(period, str) or not _PERIOD_RE.match(period):
        raise queries.InvalidParameter(f"period {period!r} is not a period")
    return period


# --- metadata ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One source of the run that built the warehouse: counts, files and checksums.

    File names only, never server paths.
    """

    name: str
    kind: str
    files: list[dict[str, str]]
    rows_read: int
    areas_loaded: int
    observations_loaded: int
    rows_rejected: int


@dataclass(frozen=True, slots=True)
class MetaRecord:
    """The ``/api/v1/meta`` answer: data version, build time, run and sources."""

    data_version: str
    built_at: str | None
    schema_version: str
    run_id: str | None
    run_started_at: str | None
    run_finished_at: str | None
    sources: list[SourceRecord]
    licences: list[Licence]


def meta(cur: Cursor) -> MetaRecord:
    """The warehouse's data version, build time and the sources of the run that built it."""
    run = cur.rows(
        "SELECT run_id, started_at, finished_at FROM runs "
        "WHERE data_version = ? ORDER BY started_at DESC LIMIT 1",
        [cur.data_version],
    )
    run_id = str(run[0][0]) if run else None
    rows = cur.rows(
        "SELECT source, kind, file, checksum, rows_read, areas_loaded, observations_loaded, "
        "rows_rejected FROM run_sources WHERE run_id = ? ORDER BY source, file",
        [run_id],
    )
    by_source: dict[str, SourceRecord] = {}
    for source, kind, file, checksum, read, areas_, observations, rejected in rows:
        name = str(source)
        record = by_source.get(name)
        if record is None:
            record = SourceRecord(name, str(kind), [], 0, 0, 0, 0)
        record = SourceRecord(
            name=name,
            kind=record.kind,
            # The ETL records absolute paths; the API publishes the file name only.
            files=[*record.files, {"file": PurePath(str(file)).name, "checksum": str(checksum)}],
            rows_read=record.rows_read + _int(read),
            areas_loaded=record.areas_loaded + _int(areas_),
            observations_loaded=record.observations_loaded + _int(observations),
            rows_rejected=record.rows_rejected + _int(rejected),
        )
        by_source[name] = record
    licence_rows = cur.rows(
        "SELECT DISTINCT licence, source FROM indicators WHERE access = 'public' ORDER BY 1, 2"
    )
    licences: dict[str, Licence] = {AREAS_LICENCE: licence_info(AREAS_LICENCE)}
    for text, source in licence_rows:
        licences.setdefault(str(text), licence_info(str(text), source=str(source)))
    return MetaRecord(
        data_version=cur.data_version,
        built_at=cur.info.built_at,
        schema_version=cur.info.schema_version,
        run_id=run_id,
        run_started_at=_iso(run[0][1]) if run else None,
        run_finished_at=_iso(run[0][2]) if run else None,
        sources=list(by_source.values()),
        licences=sorted(licences.values(), key=lambda lic: lic.text),
    )


# --- indicators --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One public indicator with its provenance, licence and coverage.

    ``years`` are the area divisions (``year`` of ``values``) with at least one figure,
    ``levels`` the levels with at least one figure. ``numerator`` and ``denominator`` are
    only given when they are public indicators themselves.
    """

    id: str
    label_nl: str
    label_en: str
    theme: str
    unit: str
    decimals: int
    higher_is_better: bool | None
    definition_nl: str
    definition_en: str
    aggregation: str
    numerator: str | None
    denominator: str | None
    disclosure_rule: str
    source: str
    source_table: str
    licence: Licence
    years: list[int] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)


_INDICATOR_SELECT: Final = (
    "SELECT i.id, i.label_nl, i.label_en, i.theme, i.unit, i.decimals, i.higher_is_better, "
    "i.definition_nl, i.definition_en, i.aggregation, "
    "CASE WHEN n.id IS NULL THEN NULL ELSE i.numerator END, "
    "CASE WHEN d.id IS NULL THEN NULL ELSE i.denominator END, "
    "i.disclosure_rule, i.source, i.source_table, i.licence, "
)
_INDICATOR_JOINS: Final = (
    "FROM indicators i "
    "LEFT JOIN indicators n ON n.id = i.numerator AND n.access = 'public' "
    "LEFT JOIN indicators d ON d.id = i.denominator AND d.access = 'public' "
)
_INDICATOR_WHERE: Final = (
    "WHERE i.access = 'public' "
    "AND (CAST(? AS VARCHAR) IS NULL OR i.theme = ?) "
    "AND (CAST(? AS VARCHAR) IS NULL OR i.id = ?) "
    "ORDER BY i.theme, i.label_nl, i.id"
)


def indicators(
    cur: Cursor,
    *,
    theme: str | None = None,
    indicator_id: str | None = None,
    with_coverage: bool = True,
) -> list[IndicatorRecord]:
    """The public indicators (optionally of one theme, or just one), ordered by theme,
    label and id. With ``with_coverage`` each has the years, levels and periods it has
    figures for (one scan of the observations; left empty otherwise)."""
    filters = [theme, theme, indicator_id, indicator_id]
    # Only module constants are concatenated here (checked as LiteralString by mypy).
    if with_coverage:
        rows = cur.rows(
            _INDICATOR_SELECT  # noqa: S608
            + "cov.years, cov.levels, cov.periods "
            + _INDICATOR_JOINS
            + "LEFT JOIN ("
            "  SELECT o.indicator_id, list(DISTINCT o.vintage ORDER BY o.vintage) AS years, "
            "  list(DISTINCT a.level ORDER BY a.level) AS levels, "
            "  list(DISTINCT o.period ORDER BY o.period) AS periods "
            "  FROM observations o "
            "  JOIN areas a ON a.vintage = o.vintage AND a.code = o.area_code "
            "  WHERE (CAST(? AS VARCHAR) IS NULL OR o.indicator_id = ?) "
            "  GROUP BY o.indicator_id"
            ") cov ON cov.indicator_id = i.id " + _INDICATOR_WHERE,
            [indicator_id, indicator_id, *filters],
        )
    else:
        rows = cur.rows(
            _INDICATOR_SELECT + "NULL, NULL, NULL " + _INDICATOR_JOINS + _INDICATOR_WHERE,
            filters,
        )
    out = []
    for row in rows:
        (id_, label_nl, label_en, theme_, unit, decimals, better, def_nl, def_en, aggregation,
         numerator, denominator, rule, source, source_table, licence, years, levels,
         periods) = row  # fmt: skip
        out.append(
            IndicatorRecord(
                id=str(id_),
                label_nl=str(label_nl),
                label_en=str(label_en),
                theme=str(theme_),
                unit=str(unit),
                decimals=_int(decimals),
                higher_is_better=None if better is None else bool(better),
                definition_nl=str(def_nl),
                definition_en=str(def_en),
                aggregation=str(aggregation),
                numerator=None if numerator is None else str(numerator),
                denominator=None if denominator is None else str(denominator),
                disclosure_rule=str(rule),
                source=str(source),
                source_table=str(source_table),
                licence=licence_info(str(licence), source=str(source)),
                years=[_int(y) for y in _seq(years)],
                levels=_order_levels(str(v) for v in _seq(levels)),
                periods=[str(p) for p in _seq(periods)],
            )
        )
    return out


def indicator(cur: Cursor, indicator_id: str, *, with_coverage: bool = True) -> IndicatorRecord:
    """One public indicator; :class:`~data.queries.UnknownIndicator` when there is none."""
    ind = queries.check_indicator_id(indicator_id)
    found = indicators(cur, indicator_id=ind, with_coverage=with_coverage)
    if not found:
        raise UnknownIndicator(f"indicator {ind!r} is not in the catalogue")
    return found[0]


def themes(cur: Cursor) -> list[str]:
    """The themes of the public indicators, sorted."""
    rows = cur.rows("SELECT DISTINCT theme FROM indicators WHERE access = 'public' ORDER BY 1")
    return [str(r[0]) for r in rows]


# --- areas -------------------------------------------------------------------------------


def _check_division(cur: Cursor, level: Level, year: int, gemeente: str | None) -> None:
    """:class:`UnknownVintage` / :class:`UnknownGemeente` unless the areas exist."""
    if not cur.rows("SELECT 1 FROM areas WHERE vintage = ? AND level = ? LIMIT 1", [year, level]):
        raise UnknownVintage(f"there are no {level} areas for year {year}")
    if gemeente is not None and not cur.rows(
        "SELECT 1 FROM areas WHERE vintage = ? AND level = 'gemeente' AND code = ?",
        [year, gemeente],
    ):
        raise UnknownGemeente(f"gemeente {gemeente} does not exist in year {year}")


def areas(cur: Cursor, level: str, year: int, gemeente: str | None = None) -> pd.DataFrame:
    """Areas of one level and year (division), optionally within one gemeente.

    Columns :data:`AREA_COLUMNS`, ordered by code. Unlike :func:`data.queries.areas` an
    unknown year or gemeente is an error (:class:`UnknownVintage`,
    :class:`UnknownGemeente`), so that a typo does not look like an empty gemeente.
    """
    lvl, yr, gm = (
        queries.check_level(level),
        queries.check_vintage(year),
        queries.check_gemeente(gemeente),
    )
    _check_division(cur, lvl, yr, gm)
    return queries.areas(lvl, yr, gm, cursor=cur).frame.loc[:, list(AREA_COLUMNS)]


def years(cur: Cursor, level: str, gemeente: str | None = None) -> list[int]:
    """The years (divisions) with areas of ``level`` (within ``gemeente``), oldest first."""
    lvl, gm = queries.check_level(level), queries.check_gemeente(gemeente)
    rows = cur.rows(
        "SELECT DISTINCT a.vintage FROM areas a WHERE a.level = ? "
        "AND (CAST(? AS VARCHAR) IS NULL OR a.gemeente_code = ?) ORDER BY 1",
        [lvl, gm, gm],
    )
    return [_int(r[0]) for r in rows]


def divisions(cur: Cursor, level: str, gemeente: str | None = None) -> tuple[list[int], list[int]]:
    """In one query: the years with areas of ``level``, and the years in which
    ``gemeente`` exists (empty without one), both oldest first."""
    lvl, gm = queries.check_level(level), queries.check_gemeente(gemeente)
    rows = cur.rows(
        "SELECT vintage, bool_or(level = ?), bool_or(level = 'gemeente' AND code = ?) "
        "FROM areas GROUP BY vintage ORDER BY vintage",
        [lvl, gm],
    )
    return [_int(r[0]) for r in rows if r[1]], [_int(r[0]) for r in rows if r[2]]


# --- values ------------------------------------------------------------------------------


def figure_years(
    cur: Cursor, indicator_id: str, level: str, gemeente: str | None = None
) -> list[int]:
    """The years (divisions) in which ``indicator_id`` has observations for areas of
    ``level`` (within ``gemeente``), oldest first."""
    lvl, gm = queries.check_level(level), queries.check_gemeente(gemeente)
    rows = cur.rows(
        "SELECT DISTINCT o.vintage FROM observations o "
        "JOIN areas a ON a.vintage = o.vintage AND a.code = o.area_code "
        "WHERE o.indicator_id = ? AND a.level = ? "
        "AND (CAST(? AS VARCHAR) IS NULL OR a.gemeente_code = ?) ORDER BY 1",
        [indicator_id, lvl, gm, gm],
    )
    return [_int(r[0]) for r in rows]


@dataclass(frozen=True, slots=True)
class ValuesResult:
    """The rows of a ``values`` request (columns :data:`VALUE_COLUMNS`) and its indicator."""

    indicator: IndicatorRecord
    years: list[int]
    frame: pd.DataFrame


def values(
    cur: Cursor,
    indicator_id: str,
    level: str,
    years_: Sequence[int] | None,
    gemeente: str | None = None,
    *,
    period: str | None = None,
    area_codes: Sequence[str] | None = None,
) -> ValuesResult:
    """One public indicator for the areas of a level, in one or more years (divisions).

    ``years_=None`` means every year in which the indicator has figures (of any status) for
    this level (in ``gemeente``): the time series, possibly empty. Each year is
    answered by :func:`data.queries.values` (latest period of that year unless ``period``,
    which needs a single year), so an area without a figure is a row with ``value`` None,
    ``status`` ``suppressed`` or ``missing`` and a ``reason``. ``area_codes`` keeps only
    those areas; every code must exist in at least one of the years.

    Rows are ordered by year, then code. Raises :class:`UnknownIndicator`,
    :class:`UnknownVintage`, :class:`UnknownGemeente`, :class:`UnknownPeriod` or
    :class:`UnknownArea`; invalid arguments raise :class:`~data.queries.InvalidParameter`.
    """
    lvl, gm = queries.check_level(level), queries.check_gemeente(gemeente)
    record = indicator(cur, indicator_id, with_coverage=False)
    codes = [check_area_code(c, lvl) for c in area_codes] if area_codes else None
    if years_ is None:
        if gm is not None and not cur.rows(
            "SELECT 1 FROM areas WHERE level = 'gemeente' AND code = ? LIMIT 1", [gm]
        ):
            raise UnknownGemeente(f"gemeente {gm} does not exist in any year")
        wanted = figure_years(cur, record.id, lvl, gm)
    else:
        wanted = sorted({queries.check_vintage(y) for y in years_})
    if period is not None:
        if len(wanted) != 1:
            raise queries.InvalidParameter("period can only be given with a single year")
        check_period(period)
        if not cur.rows(
            "SELECT 1 FROM observations WHERE vintage = ? AND indicator_id = ? AND period = ? "
            "LIMIT 1",
            [wanted[0], record.id, period],
        ):
            raise UnknownPeriod(
                f"indicator {record.id!r} has no figures for period {period!r} in year {wanted[0]}"
            )
    frames = []
    for year in wanted:
        frame = queries.values(record.id, lvl, year, gm, period=period, cursor=cur).frame
        frame.insert(5, "year", year)
        frames.append(frame)
    if not frames:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in VALUE_COLUMNS})
    else:
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if codes is not None:
        unknown = sorted(set(codes) - set(frame["code"]))
        if unknown:
            raise UnknownArea(
                f"area {', '.join(unknown)} does not exist as a {lvl} in year(s) "
                f"{', '.join(map(str, wanted))}"
            )
        frame = frame[frame["code"].isin(codes)].reset_index(drop=True)
    frame["indicator"] = record.id
    frame["unit"] = record.unit
    frame["source"] = record.source
    frame["licence"] = record.licence.text
    # The warehouse's CHECK constraint already ties value to status; this keeps that
    # promise here too, whatever a future query returns: no number without status ok.
    frame.loc[frame["status"] != "ok", "value"] = None
    return ValuesResult(indicator=record, years=wanted, frame=frame.loc[:, list(VALUE_COLUMNS)])


# --- geometry ----------------------------------------------------------------------------


def geometry(
    cur: Cursor, level: str, year: int, gemeente: str | None = None
) -> queries.GeometryArtefact:
    """The display artefact (GeoJSON FeatureCollection in WGS84, feature ``id`` = code).

    Raises :class:`UnknownVintage` or :class:`UnknownGemeente` for areas that do not
    exist, :class:`~data.queries.GeometryNotFound` when they exist without geometry.
    """
    lvl, yr, gm = (
        queries.check_level(level),
        queries.check_vintage(year),
        queries.check_gemeente(gemeente),
    )
    _check_division(cur, lvl, yr, gm)
    return queries.geometry_artefact(yr, lvl, gm, cursor=cur)


# --- catalogue coverage (DCAT) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coverage:
    """Where and when a public indicator has figures: for DCAT's temporal and spatial
    coverage and for the distributions per level."""

    indicator_id: str
    first_period: str
    last_period: str
    levels: list[str]
    gemeenten: list[tuple[str, str]]


def coverage(cur: Cursor) -> dict[str, Coverage]:
    """Per public indicator with figures: first and last period, levels and gemeenten
    (code, latest name)."""
    rows = cur.rows(
        "SELECT o.indicator_id, min(o.period), max(o.period), "
        "list(DISTINCT a.level ORDER BY a.level), "
        "list(DISTINCT a.gemeente_code ORDER BY a.gemeente_code) "
        "FROM observations o "
        "JOIN indicators i ON i.id = o.indicator_id AND i.access = 'public' "
        "JOIN areas a ON a.vintage = o.vintage AND a.code = o.area_code "
        "GROUP BY o.indicator_id ORDER BY o.indicator_id"
    )
    names: dict[str, str] = {
        str(code): str(name)
        for code, name in cur.rows(
            "SELECT code, arg_max(name, vintage) FROM areas WHERE level = 'gemeente' GROUP BY code"
        )
    }
    out = {}
    for ind, first, last, levels, gemeenten in rows:
        out[str(ind)] = Coverage(
            indicator_id=str(ind),
            first_period=str(first),
            last_period=str(last),
            levels=_order_levels(str(v) for v in _seq(levels)),
            gemeenten=[(str(g), names.get(str(g), str(g))) for g in _seq(gemeenten)],
        )
    return out


def period_bounds(period: str) -> tuple[str, str] | None:
    """First and last day (ISO dates) of a period label, when it is a year or a date.

    >>> period_bounds("2024"), period_bounds("2024-01-01"), period_bounds("2024-Q1")
    (('2024-01-01', '2024-12-31'), ('2024-01-01', '2024-01-01'), None)
    """
    if _YEAR_PERIOD_RE.match(period):
        return f"{period}-01-01", f"{period}-12-31"
    if _DATE_PERIOD_RE.match(period):
        return period, period
    return None


# --- helpers -----------------------------------------------------------------------------


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"expected an integer from the warehouse, got {value!r}")
    return int(value)


def _iso(value: object) -> str | None:
    """A timestamp from the warehouse as ISO 8601 text."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _seq(value: object) -> list[object]:
    """A DuckDB list as a Python list (``None`` for an indicator without figures)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError(f"expected a list from the warehouse, got {value!r}")


def _order_levels(levels: Iterable[str]) -> list[str]:
    """Levels from large to small (gemeente, wijk, buurt), unknown ones last."""
    order: dict[str, int] = {level: i for i, level in enumerate(queries.LEVELS)}
    return sorted(set(levels), key=lambda level: (order.get(level, len(order)), level))
