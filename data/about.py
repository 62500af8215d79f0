# SPDX-License-Identifier: EUPL-1.2
"""What the "about the data" page (``/over``) tells: the catalogue with what it covers, the
live data version, the last ETL runs and the disclosure-control statistics.

Read-only queries on the live warehouse, like :mod:`data.queries`; each takes an optional
``warehouse`` for tests. Nothing here is personal data: run lineage holds counts and file
names only (the ETL keeps rejected rows in its private log).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any, Final

from data.queries import LEVELS
from data.warehouse import Warehouse, get_warehouse

logger = logging.getLogger(__name__)

#: The meta key or table in which the ETL's disclosure step may store its audit summary
#: (``etl.disclosure.AuditReport.summary()`` as JSON, or ``to_frame()`` as a table).
DISCLOSURE_META_KEY: Final = "disclosure_audit"
DISCLOSURE_TABLE: Final = "disclosure_audit"


@dataclass(frozen=True, slots=True)
class LevelCoverage:
    """Which periods an indicator has figures for on one level."""

    level: str
    first_period: str
    last_period: str
    periods: int
    published: int
    suppressed: int


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """One indicator of the public catalogue with its coverage in the warehouse."""

    id: str
    label_nl: str
    label_en: str
    theme: str
    unit: str
    definition_nl: str
    definition_en: str
    source: str
    licence: str
    coverage: tuple[LevelCoverage, ...]


@dataclass(frozen=True, slots=True)
class RunSource:
    """One source file of a run: counts only, and the file's name without its directory."""

    source: str
    kind: str
    file: str
    rows_read: int
    observations_loaded: int
    rows_rejected: int


@dataclass(frozen=True, slots=True)
class Run:
    """One ETL run as recorded in the warehouse it published."""

    run_id: str
    started_at: datetime | None
    finished_at: datetime | None
    status: str
    data_version: str | None
    message: str | None
    sources: tuple[RunSource, ...] = ()


@dataclass(frozen=True, slots=True)
class DisclosureStats:
    """The disclosure audit of the run that built the live warehouse, when it recorded one.

    ``hidden`` counts every cell withheld (including CBS's own), ``secondary`` the cells
    hidden only so that others cannot be recomputed; ``per_indicator`` maps an indicator id
    to its own ``hidden`` and ``secondary`` counts.
    """

    ok: bool | None
    hidden: int | None
    secondary: int | None
    per_indicator: dict[str, dict[str, int]] = field(default_factory=dict)


def _wh(warehouse: Warehouse | None) -> Warehouse:
    return warehouse if warehouse is not None else get_warehouse()


def catalogue(*, warehouse: Warehouse | None = None) -> list[IndicatorInfo]:
    """The public indicators, by theme and label, each with its periods per level."""
    with _wh(warehouse).cursor() as cur:
        indicators = cur.rows(
            "SELECT id, label_nl, label_en, theme, unit, definition_nl, definition_en, source, "
            "licence FROM indicators WHERE access = 'public' ORDER BY theme, label_nl, id"
        )
        coverage = cur.rows(
            "SELECT o.indicator_id, a.level, min(o.period), max(o.period), "
            "count(DISTINCT o.period), count(*) FILTER (WHERE o.status = 'ok'), "
            "count(*) FILTER (WHERE o.status = 'suppressed') "
            "FROM observations o JOIN areas a ON a.vintage = o.vintage AND a.code = o.area_code "
            "GROUP BY o.indicator_id, a.level"
        )
    per_indicator: dict[str, list[LevelCoverage]] = {}
    for ind, level, first, last, periods, published, suppressed in coverage:
        per_indicator.setdefault(str(ind), []).append(
            LevelCoverage(
                level=str(level),
                first_period=str(first),
                last_period=str(last),
                periods=int(periods),  # type: ignore[call-overload]
                published=int(published),  # type: ignore[call-overload]
                suppressed=int(suppressed),  # type: ignore[call-overload]
            )
        )
    order: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
    return [
        IndicatorInfo(
            id=str(row[0]),
            label_nl=str(row[1]),
            label_en=str(row[2]),
            theme=str(row[3]),
            unit=str(row[4]),
            definition_nl=str(row[5]),
            definition_en=str(row[6]),
            source=str(row[7]),
            licence=str(row[8]),
            coverage=tuple(
                sorted(per_indicator.get(str(row[0]), []), key=lambda c: order.get(c.level, 9))
            ),
        )
        for row in indicators
    ]


def meta(*, warehouse: Warehouse | None = None) -> dict[str, str]:
    """The warehouse's ``meta`` table as a dict (data version, build time, ...)."""
    with _wh(warehouse).cursor() as cur:
        return {str(k): str(v) for k, v in cur.rows("SELECT key, value FROM meta")}


def recent_runs(limit: int = 5, *, warehouse: Warehouse | None = None) -> list[Run]:
    """The last ``limit`` runs recorded in the live warehouse, newest first, with their
    source files (names only: server paths are not published)."""
    with _wh(warehouse).cursor() as cur:
        runs = cur.rows(
            "SELECT run_id, started_at, finished_at, status, data_version, message FROM runs "
            "ORDER BY started_at DESC LIMIT ?",
            [max(1, int(limit))],
        )
        ids = [str(r[0]) for r in runs]
        sources = (
            cur.rows(
                "SELECT run_id, source, kind, file, rows_read, observations_loaded, "
                "rows_rejected FROM run_sources WHERE list_contains(?, run_id) "
                "ORDER BY run_id, source, file",
                [ids],
            )
            if ids
            else []
        )
    by_run: dict[str, list[RunSource]] = {}
    for run_id, source, kind, file, read, loaded, rejected in sources:
        by_run.setdefault(str(run_id), []).append(
            RunSource(
                source=str(source),
                kind=str(kind),
                file=PurePath(str(file)).name,
                rows_read=int(read),  # type: ignore[call-overload]
                observations_loaded=int(loaded),  # type: ignore[call-overload]
                rows_rejected=int(rejected),  # type: ignore[call-overload]
            )
        )
    return [
        Run(
            run_id=str(r[0]),
            started_at=r[1] if isinstance(r[1], datetime) else None,
            finished_at=r[2] if isinstance(r[2], datetime) else None,
            status=str(r[3]),
            data_version=None if r[4] is None else str(r[4]),
            message=None if r[5] is None else str(r[5]),
            sources=tuple(by_run.get(str(r[0]), [])),
        )
        for r in runs
    ]


def disclosure_stats(*, warehouse: Warehouse | None = None) -> DisclosureStats | None:
    """The disclosure audit of the live warehouse, or None when the run recorded none.

    Read from the ``meta`` key :data:`DISCLOSURE_META_KEY` (the JSON of
    ``etl.disclosure.AuditReport.summary()``) or, failing that, from a table
    :data:`DISCLOSURE_TABLE` with one row per indicator (``AuditReport.to_frame()``).
    """
    with _wh(warehouse).cursor() as cur:
        rows = cur.rows("SELECT value FROM meta WHERE key = ?", [DISCLOSURE_META_KEY])
        if rows:
            return _from_summary(str(rows[0][0]))
        has_table = cur.rows(
            "SELECT 1 FROM information_schema.tables WHERE table_name = ?", [DISCLOSURE_TABLE]
        )
        if not has_table:
            return None
        frame = cur.frame("SELECT * FROM disclosure_audit").frame
    if frame.empty:
        return DisclosureStats(ok=None, hidden=0, secondary=0)
    per: dict[str, dict[str, int]] = {}
    id_column = "indicator_id" if "indicator_id" in frame.columns else frame.columns[0]
    for _, row in frame.iterrows():
        per[str(row[id_column])] = {
            "hidden": _int(row.get("hidden_total")),
            "secondary": _int(row.get("secondary")),
        }
    return DisclosureStats(
        ok=None,
        hidden=sum(v["hidden"] for v in per.values()),
        secondary=sum(v["secondary"] for v in per.values()),
        per_indicator=per,
    )


def _from_summary(text: str) -> DisclosureStats | None:
    try:
        summary: Any = json.loads(text)
    except ValueError:
        logger.warning("meta.%s is not JSON; not shown", DISCLOSURE_META_KEY)
        return None
    if not isinstance(summary, dict):
        return None
    per: dict[str, dict[str, int]] = {}
    indicators = summary.get("indicators")
    if isinstance(indicators, dict):
        for ind, info in indicators.items():
            if isinstance(info, dict):
                hidden = info.get("hidden")
                total = sum(hidden.values()) if isinstance(hidden, dict) else _int(hidden)
                per[str(ind)] = {"hidden": int(total), "secondary": _int(info.get("secondary"))}
    ok = summary.get("ok")
    return DisclosureStats(
        ok=ok if isinstance(ok, bool) else None,
        hidden=_int(summary.get("hidden")),
        secondary=_int(summary.get("secondary")),
        per_indicator=per,
    )


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
