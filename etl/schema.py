# SPDX-License-Identifier: EUPL-1.2
"""The published warehouse's schema: one DuckDB file, read-only for the app.

``SCHEMA_VERSION`` goes up with every incompatible change; the app refuses a warehouse
whose version it does not know, and the publish step validates it before the swap.
"""

from __future__ import annotations

from typing import Final

SCHEMA_VERSION: Final = 1

DDL: Final[tuple[str, ...]] = (
    """CREATE TABLE meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )""",
    # Areas are keyed by (vintage, code): CBS re-uses codes after a re-division.
    """CREATE TABLE areas (
        code VARCHAR NOT NULL,
        vintage INTEGER NOT NULL,
        level VARCHAR NOT NULL CHECK (level IN ('gemeente', 'wijk', 'buurt')),
        name VARCHAR,
        parent_code VARCHAR,
        gemeente_code VARCHAR NOT NULL,
        has_geometry BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (vintage, code)
    )""",
    # Full-precision geometry (WGS84 WKB) for spatial joins in the ETL and for centroids.
    """CREATE TABLE area_geometry (
        code VARCHAR NOT NULL,
        vintage INTEGER NOT NULL,
        level VARCHAR NOT NULL,
        wkb BLOB NOT NULL,
        centroid_lon DOUBLE NOT NULL,
        centroid_lat DOUBLE NOT NULL,
        area_ha DOUBLE NOT NULL,
        PRIMARY KEY (vintage, code)
    )""",
    # Display artefacts: simplified on shared arcs, WGS84, 5 decimals, only `id` per feature.
    """CREATE TABLE geometries (
        vintage INTEGER NOT NULL,
        level VARCHAR NOT NULL,
        gemeente_code VARCHAR NOT NULL,
        geojson VARCHAR NOT NULL,
        feature_count INTEGER NOT NULL,
        bbox_west DOUBLE NOT NULL,
        bbox_south DOUBLE NOT NULL,
        bbox_east DOUBLE NOT NULL,
        bbox_north DOUBLE NOT NULL,
        etag VARCHAR NOT NULL,
        PRIMARY KEY (vintage, level, gemeente_code)
    )""",
    """CREATE TABLE indicators (
        id VARCHAR PRIMARY KEY,
        label_nl VARCHAR NOT NULL,
        label_en VARCHAR NOT NULL,
        theme VARCHAR NOT NULL,
        unit VARCHAR NOT NULL,
        definition_nl VARCHAR NOT NULL,
        definition_en VARCHAR NOT NULL,
        decimals INTEGER NOT NULL,
        aggregation VARCHAR NOT NULL,
        numerator VARCHAR,
        denominator VARCHAR,
        disclosure_rule VARCHAR NOT NULL,
        higher_is_better BOOLEAN,
        source VARCHAR NOT NULL,
        source_table VARCHAR NOT NULL,
        licence VARCHAR NOT NULL,
        access VARCHAR NOT NULL CHECK (access IN ('public', 'internal'))
    )""",
    """CREATE TABLE observations (
        area_code VARCHAR NOT NULL,
        vintage INTEGER NOT NULL,
        period VARCHAR NOT NULL,
        indicator_id VARCHAR NOT NULL,
        value DOUBLE,
        status VARCHAR NOT NULL CHECK (status IN ('ok', 'suppressed', 'missing')),
        reason VARCHAR,
        source VARCHAR NOT NULL,
        PRIMARY KEY (vintage, area_code, period, indicator_id),
        CHECK ((status = 'ok') = (value IS NOT NULL))
    )""",
    """CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        status VARCHAR NOT NULL,
        data_version VARCHAR,
        message VARCHAR
    )""",
    # Counts only: rejected rows themselves stay in the private run log (they may hold
    # personal data from registrations).
    """CREATE TABLE run_sources (
        run_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        file VARCHAR NOT NULL,
        checksum VARCHAR NOT NULL,
        rows_read BIGINT NOT NULL,
        areas_loaded BIGINT NOT NULL,
        observations_loaded BIGINT NOT NULL,
        rows_rejected BIGINT NOT NULL
    )""",
)

#: Tables the app may read; the data layer takes identifiers only from here.
PUBLIC_TABLES: Final = (
    "meta",
    "areas",
    "geometries",
    "indicators",
    "observations",
    "runs",
    "run_sources",
)
