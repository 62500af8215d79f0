# SPDX-License-Identifier: EUPL-1.2
"""Writing and validating one warehouse file (a new file every run, never the live one)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
import pandas as pd

from etl.indicators import all_indicators
from etl.model import EtlError
from etl.schema import DDL, SCHEMA_VERSION

logger = logging.getLogger(__name__)

_INDICATOR_COLUMNS: Final = [
    "id", "label_nl", "label_en", "theme", "unit", "definition_nl", "definition_en",
    "decimals", "aggregation", "numerator", "denominator", "disclosure_rule",
    "higher_is_better", "source", "source_table", "licence", "access",
]  # fmt: skip


#: Rows per INSERT statement (see :func:`write`).
INSERT_CHUNK_ROWS: Final = 1_000_000


class ValidationError(EtlError):
    """The built warehouse breaks a rule; it is not published."""


@dataclass(frozen=True)
class WarehouseContent:
    """Everything that goes into one warehouse file, already merged and checked."""

    areas: pd.DataFrame  # areas columns incl. has_geometry
    area_geometry: pd.DataFrame  # code, vintage, level, wkb, centroid_lon, centroid_lat, area_ha
    geometries: pd.DataFrame  # vintage, level, gemeente_code, geojson, feature_count, bbox_*, etag
    observations: pd.DataFrame  # OBS_COLUMNS + source
    runs: pd.DataFrame
    run_sources: pd.DataFrame
    meta: dict[str, str]


def indicator_frame() -> pd.DataFrame:
    """Rows of the ``indicators`` table: every indicator of :func:`all_indicators`."""
    rows = [{k: v for k, v in asdict(ind).items() if k != "aliases"} for ind in all_indicators()]
    return pd.DataFrame(rows, columns=_INDICATOR_COLUMNS)


def write(path: Path, content: WarehouseContent) -> None:
    """Create ``path`` (must not exist) with the schema and all content, then checkpoint.

    Large tables go in chunks of :data:`INSERT_CHUNK_ROWS` rows. The file is not published
    unless :func:`validate` passes, so a failure half-way leaves only a build file behind.
    """
    if path.exists():
        raise EtlError(f"refusing to overwrite existing warehouse file {path}")
    con = duckdb.connect(str(path))
    try:
        for statement in DDL:
            con.execute(statement)
        meta = {"schema_version": str(SCHEMA_VERSION), **content.meta}
        con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        tables: dict[str, pd.DataFrame] = {
            "indicators": indicator_frame(),
            "areas": content.areas,
            "area_geometry": content.area_geometry,
            "geometries": content.geometries,
            "observations": content.observations,
            "runs": content.runs,
            "run_sources": content.run_sources,
        }
        for table, frame in tables.items():
            columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
            selected = frame[columns]
            # One INSERT (one transaction) per chunk: DuckDB holds a transaction's rows and
            # primary-key index in memory until it commits, about 4 GB for the 23 million
            # observations of a national build in one go, against 0.6 GB in chunks.
            for start in range(0, max(len(selected), 1), INSERT_CHUNK_ROWS):
                con.register("incoming", selected.iloc[start : start + INSERT_CHUNK_ROWS])
                con.execute(f"INSERT INTO {table} SELECT * FROM incoming")  # noqa: S608 - fixed names
                con.unregister("incoming")
            logger.info("event=write table=%s rows=%d", table, len(frame))
        con.execute("CHECKPOINT")
    finally:
        con.close()


def validate(path: Path, *, expected: dict[str, int]) -> dict[str, Any]:
    """Check a built warehouse before it is published; return its row counts.

    ``expected`` holds the row counts the runner produced per table; a mismatch means the
    write lost rows. Referential rules are checked in SQL. Raises :class:`ValidationError`.
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or int(version[0]) != SCHEMA_VERSION:
            raise ValidationError(f"{path}: schema_version {version} != {SCHEMA_VERSION}")
        counts: dict[str, Any] = {}
        for table, n in expected.items():
            got = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            counts[table] = got[0] if got else 0
            if counts[table] != n:
                raise ValidationError(
                    f"{path}: table {table} has {counts[table]} rows, expected {n}"
                )
        checks = {
            "observations without an area": """
                SELECT o.vintage, o.area_code FROM observations o
                ANTI JOIN areas a ON a.vintage = o.vintage AND a.code = o.area_code LIMIT 5""",
            "observations of an unknown indicator": """
                SELECT DISTINCT indicator_id FROM observations o
                ANTI JOIN indicators i ON i.id = o.indicator_id LIMIT 5""",
            "areas with geometry but no display artefact": """
                SELECT a.vintage, a.level, a.gemeente_code FROM areas a
                ANTI JOIN geometries g ON g.vintage = a.vintage AND g.level = a.level
                AND g.gemeente_code = a.gemeente_code WHERE a.has_geometry LIMIT 5""",
            "areas whose gemeente is missing": """
                SELECT a.vintage, a.code FROM areas a WHERE a.level <> 'gemeente'
                AND NOT EXISTS (SELECT 1 FROM areas g WHERE g.vintage = a.vintage
                AND g.code = a.gemeente_code) LIMIT 5""",
            "a value without status ok, or status ok without a value": """
                SELECT area_code, indicator_id FROM observations
                WHERE (status = 'ok') <> (value IS NOT NULL) LIMIT 5""",
        }
        for rule, sql in checks.items():
            bad = con.execute(sql).fetchall()
            if bad:
                raise ValidationError(f"{path}: {rule}: {bad}")
        return counts
    finally:
        con.close()
