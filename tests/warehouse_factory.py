# SPDX-License-Identifier: EUPL-1.2
"""Builds a small but real Buurtlens warehouse file for tests (until the ETL lands).

The file is created with ``etl.schema.DDL`` and holds two gemeenten near Haarlem in two
area divisions (vintages) 2023 and 2024. Codes ``WK039201`` and ``BU03920101`` exist in both
vintages for *different* areas (a re-division), as CBS does. Geometry artefacts are
rectangles in WGS84 with 5 decimals and feature ``id`` = area code. Observations include
suppressed and missing cells, an indicator without any figures in 2024 (``woningvoorraad``)
and an internal indicator.

    >>> from tests.warehouse_factory import publish   # doctest: +SKIP
    >>> publish(tmp_path, data_version="v1")           # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import shapely

from etl.indicators import CATALOGUE
from etl.schema import DDL, SCHEMA_VERSION

WAREHOUSE_NAME: Final = "buurtlens.duckdb"

HAARLEM: Final = "GM0392"
HAARLEMMERMEER: Final = "GM0394"
REUSED_WIJK: Final = "WK039201"  # "Centrum" in 2023, "Binnenstad" in 2024
REUSED_BUURT: Final = "BU03920101"  # "Oude Stad" in 2023, "Stationsbuurt" in 2024
SUPPRESSED_BUURT: Final = "BU03920202"  # inwoners suppressed in 2024
MISSING_BUURT: Final = "BU03940201"  # inwoners missing in 2024
SUPPRESSED_REASON: Final = "verborgen: minder dan 5 inwoners in deze buurt"
INTERNAL_INDICATOR: Final = "meldingen_overlast"


@dataclass(frozen=True)
class Area:
    code: str
    vintage: int
    name: str
    box: tuple[float, float, float, float]  # west, south, east, north
    inwoners: int

    @property
    def level(self) -> str:
        return {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}[self.code[:2]]

    @property
    def gemeente_code(self) -> str:
        return "GM" + self.code[2:6]

    @property
    def parent_code(self) -> str | None:
        if self.code.startswith("BU"):
            return "WK" + self.code[2:8]
        if self.code.startswith("WK"):
            return "GM" + self.code[2:6]
        return None


AREAS: Final[tuple[Area, ...]] = (
    # --- 2024 -------------------------------------------------------------------------
    Area("GM0392", 2024, "Haarlem", (4.60, 52.35, 4.68, 52.41), 162_000),
    Area("GM0394", 2024, "Haarlemmermeer", (4.68, 52.28, 4.80, 52.41), 159_000),
    Area("WK039201", 2024, "Binnenstad", (4.60, 52.38, 4.64, 52.41), 12_000),
    Area("WK039202", 2024, "Noord", (4.64, 52.38, 4.68, 52.41), 41_500),
    Area("WK039203", 2024, "Zuid", (4.60, 52.35, 4.68, 52.38), 108_500),
    Area("WK039401", 2024, "Hoofddorp", (4.68, 52.28, 4.80, 52.35), 78_000),
    Area("WK039402", 2024, "Badhoevedorp", (4.68, 52.35, 4.80, 52.41), 81_000),
    Area("BU03920101", 2024, "Stationsbuurt", (4.60, 52.38, 4.62, 52.41), 4_200),
    Area("BU03920102", 2024, "Vijfhoek", (4.62, 52.38, 4.64, 52.41), 7_800),
    Area("BU03920201", 2024, "Frans Hals", (4.64, 52.38, 4.66, 52.41), 41_497),
    Area("BU03920202", 2024, "Dietsveld", (4.66, 52.38, 4.68, 52.41), 3),
    Area("BU03920301", 2024, "Rozenprieel", (4.60, 52.35, 4.64, 52.38), 50_000),
    Area("BU03920302", 2024, "Bosch en Vaart", (4.64, 52.35, 4.68, 52.38), 58_500),
    Area("BU03940101", 2024, "Hoofddorp-Centrum", (4.68, 52.28, 4.80, 52.35), 78_000),
    Area("BU03940201", 2024, "Badhoevedorp-Centrum", (4.68, 52.35, 4.80, 52.41), 81_000),
    # --- 2023: Haarlem before the re-division -----------------------------------------
    Area("GM0392", 2023, "Haarlem", (4.60, 52.35, 4.68, 52.41), 161_000),
    Area("WK039201", 2023, "Centrum", (4.60, 52.38, 4.68, 52.41), 52_000),
    Area("WK039202", 2023, "Zuid-West", (4.60, 52.35, 4.68, 52.38), 109_000),
    Area("BU03920101", 2023, "Oude Stad", (4.60, 52.38, 4.64, 52.41), 20_000),
    Area("BU03920102", 2023, "Vijfhoek-Oud", (4.64, 52.38, 4.68, 52.41), 32_000),
    Area("BU03920201", 2023, "Rozenprieel-Oud", (4.60, 52.35, 4.68, 52.38), 109_000),
)


def areas(vintage: int, level: str, gemeente: str | None = None) -> list[Area]:
    """The factory's areas of one vintage and level (optionally one gemeente), by code."""
    return sorted(
        (
            a
            for a in AREAS
            if a.vintage == vintage
            and a.level == level
            and (gemeente is None or a.gemeente_code == gemeente)
        ),
        key=lambda a: a.code,
    )


def area(vintage: int, code: str) -> Area:
    """One factory area by ``(vintage, code)``."""
    return next(a for a in AREAS if a.vintage == vintage and a.code == code)


def build_warehouse(
    path: Path,
    *,
    data_version: str = "test-v1",
    schema_version: int | str = SCHEMA_VERSION,
    scale: float = 1.0,
) -> Path:
    """Write a complete warehouse to ``path`` (which must not exist) and return it.

    ``scale`` multiplies every inwoners figure, so that two versions differ in content.
    """
    path = Path(path)
    con = duckdb.connect(str(path))
    try:
        for statement in DDL:
            con.execute(statement)
        _meta(con, data_version, schema_version)
        _areas(con)
        _geometries(con)
        _indicators(con)
        _observations(con, scale)
        _runs(con, data_version)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def publish(data_dir: Path, **kwargs: object) -> Path:
    """Build a warehouse next to the live file and swap it in with ``os.replace``, as the
    ETL does (a new inode, atomically). Returns the live path."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    live = data_dir / WAREHOUSE_NAME
    tmp = data_dir / f".{WAREHOUSE_NAME}.{os.getpid()}.tmp"
    if tmp.exists():
        tmp.unlink()
    build_warehouse(tmp, **kwargs)  # type: ignore[arg-type]
    os.replace(tmp, live)
    return live


# --- tables ---------------------------------------------------------------------------------


def _meta(con: duckdb.DuckDBPyConnection, data_version: str, schema_version: int | str) -> None:
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ("schema_version", str(schema_version)),
            ("data_version", data_version),
            ("built_at", "2024-11-28T03:00:00+00:00"),
        ],
    )


def _areas(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany(
        "INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, TRUE)",
        [(a.code, a.vintage, a.level, a.name, a.parent_code, a.gemeente_code) for a in AREAS],
    )
    rows = []
    for a in AREAS:
        geom = shapely.box(*a.box)
        centroid = geom.centroid
        rows.append((a.code, a.vintage, a.level, geom.wkb, centroid.x, centroid.y, 100.0))
    con.executemany("INSERT INTO area_geometry VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _feature(a: Area) -> dict[str, object]:
    w, s, e, n = (round(v, 5) for v in a.box)
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    return {
        "type": "Feature",
        "id": a.code,
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _geometries(con: duckdb.DuckDBPyConnection) -> None:
    keys = sorted({(a.vintage, a.level, a.gemeente_code) for a in AREAS})
    for vintage, level, gemeente in keys:
        members = areas(vintage, level, gemeente)
        geojson = json.dumps(
            {"type": "FeatureCollection", "features": [_feature(a) for a in members]},
            separators=(",", ":"),
        )
        etag = hashlib.sha256(geojson.encode()).hexdigest()[:20]
        con.execute(
            "INSERT INTO geometries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                vintage,
                level,
                gemeente,
                geojson,
                len(members),
                min(a.box[0] for a in members),
                min(a.box[1] for a in members),
                max(a.box[2] for a in members),
                max(a.box[3] for a in members),
                etag,
            ],
        )


def _indicators(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        (
            i.id,
            i.label_nl,
            i.label_en,
            i.theme,
            i.unit,
            i.definition_nl,
            i.definition_en,
            i.decimals,
            i.aggregation,
            i.numerator,
            i.denominator,
            i.disclosure_rule,
            i.higher_is_better,
            i.source,
            i.source_table,
            i.licence,
            i.access,
        )
        for i in CATALOGUE
    ]
    rows.append(
        (
            INTERNAL_INDICATOR,
            "Meldingen overlast",
            "Nuisance reports",
            "Veiligheid",
            "aantal",
            "Aantal meldingen van overlast in de openbare ruimte.",
            "Number of reports of nuisance in public space.",
            0,
            "sum",
            None,
            None,
            "count_min_5",
            False,
            "Gemeente, meldingen openbare ruimte",
            "signalen",
            "intern",
            "internal",
        )
    )
    con.executemany(
        "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )


def _observations(con: duckdb.DuckDBPyConnection, scale: float) -> None:
    source = "factory"
    rows: list[tuple[object, ...]] = []
    for a in AREAS:
        period = str(a.vintage)
        if a.vintage == 2024 and a.code == SUPPRESSED_BUURT:
            rows.append(
                (
                    a.code,
                    a.vintage,
                    period,
                    "inwoners",
                    None,
                    "suppressed",
                    SUPPRESSED_REASON,
                    source,
                )
            )
        elif a.vintage == 2024 and a.code == MISSING_BUURT:
            rows.append(
                (
                    a.code,
                    a.vintage,
                    period,
                    "inwoners",
                    None,
                    "missing",
                    "het cijfer is onbekend (CBS '.')",
                    source,
                )
            )
        else:
            rows.append(
                (
                    a.code,
                    a.vintage,
                    period,
                    "inwoners",
                    round(a.inwoners * scale),
                    "ok",
                    None,
                    source,
                )
            )
        if a.vintage == 2024:
            # Population density: inhabitants per km² land, one decimal-free figure.
            w, s, e, n = a.box
            km2 = (e - w) * 68.0 * (n - s) * 111.0
            rows.append(
                (
                    a.code,
                    a.vintage,
                    period,
                    "bevolkingsdichtheid",
                    round(a.inwoners / km2),
                    "ok",
                    None,
                    source,
                )
            )
            # Average household size: one decimal.
            size = 1.6 + (int(a.code[-2:]) % 7) / 10
            rows.append(
                (
                    a.code,
                    a.vintage,
                    period,
                    "gemiddelde_huishoudensgrootte",
                    size,
                    "ok",
                    None,
                    source,
                )
            )
            # Only two distinct values: fewer distinct values than classes.
            share = 18.0 if int(a.code[-1]) % 2 else 22.5
            rows.append((a.code, a.vintage, period, "aandeel_65_plus", share, "ok", None, source))
            rows.append((a.code, a.vintage, period, INTERNAL_INDICATOR, 7.0, "ok", None, source))
    # An older period inside the 2024 division: the latest period must win by default.
    rows.append((REUSED_WIJK, 2024, "2023", "inwoners", 11_000, "ok", None, source))
    con.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _runs(con: duckdb.DuckDBPyConnection, data_version: str) -> None:
    con.execute(
        "INSERT INTO runs VALUES (?, TIMESTAMPTZ '2024-11-28 03:00:00+00', "
        "TIMESTAMPTZ '2024-11-28 03:05:00+00', 'published', ?, NULL)",
        [f"run-{data_version}", data_version],
    )
    con.execute(
        "INSERT INTO run_sources "
        "VALUES (?, 'factory', 'test', 'factory.py', 'sha256:0', ?, ?, ?, 0)",
        [f"run-{data_version}", len(AREAS), len(AREAS), len(AREAS) * 5],
    )
