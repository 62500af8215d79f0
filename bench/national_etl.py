# SPDX-License-Identifier: EUPL-1.2
"""Benchmark: the nightly ETL on a national-size set of generated CBS source files.

Issue requirement: building the warehouse for the whole country (about 14,000 buurten, 3,300
wijken, 342 gemeenten, 13 years, 100 indicators) takes under 10 minutes and under 8 GB on
the 2-core, 24 GB build machine. This module

1. generates the source files in their published formats (deterministic, seeded) under
   ``<out>/national_etl/sources-<scale>/``:

   * per year 2013-2025 a StatLine-style CSV (``kwb_<year>_bench.csv``) with a row per
     gemeente, wijk and buurt and 100 indicator columns (the 22 of the built-in catalogue
     under their StatLine names, 78 synthetic ``BenchIndicator<nnn>_<k>`` ones). Years up to
     2018 are ``,``-separated with decimal points like the shared extract of table 85984NED;
     later years ``;``-separated with decimal commas like a Dutch StatLine download. About
     3% of the cells are empty, 1.5% ``.`` and 0.5% ``-99999999``;
   * per year and level a CBS gebiedsindeling GeoJSON in RD New (``statcode``,
     ``jrstatcode``, ``statnaam``, ``rubriek``, ``id``): buurten are a Voronoi tessellation
     of clustered seeds over a Netherlands-sized rectangle whose shared borders meander
     (about 20-60 vertices per buurt, like the generalised wijk- en buurtkaart), noded and
     rounded to whole metres so that neighbours share them vertex for vertex; wijken and
     gemeenten are unions of their buurten. The boundaries are the same every year;

2. runs the real command, ``python -m etl run --data-dir DIR --source DIR``, in a child
   process (:mod:`bench._etl_child`, which first registers the 78 synthetic indicators
   through :func:`etl.indicators.register`) and measures its wall time and peak RSS
   (``os.wait4`` gives the resource usage of exactly that child);

3. prints a table (seconds per ETL phase from its ``event=phase`` log lines, total wall
   time, peak RSS, row counts, warehouse size) and writes the figures to
   ``<out>/national_etl.json``.

``--scale`` shrinks the number of areas (and the rectangle, so areas keep their size); the
years and indicators stay. The generated files are kept and reused while the generator
version and the size match (``--regenerate`` forces new ones); the data directory is
rebuilt from scratch on every run, so the ETL always does a full first build.
"""

from __future__ import annotations

import json
import logging
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from etl.indicators import CATALOGUE, Indicator

logger = logging.getLogger(__name__)

NAME: Final = "national_etl"
GENERATOR_VERSION: Final = "1"
SEED: Final = 20_130_101

#: The national size (issue requirement) at ``scale=1``.
N_BUURTEN: Final = 14_000
N_WIJKEN: Final = 3_300
N_GEMEENTEN: Final = 342
YEARS: Final[tuple[int, ...]] = tuple(range(2013, 2026))
N_INDICATORS: Final = 100
#: Targets on the 2-core, 24 GB build machine.
TARGET_SECONDS: Final = 600.0
TARGET_RSS_MB: Final = 8 * 1024.0

#: A Netherlands-sized rectangle in RD New metres (minx, miny, maxx, maxy).
NL_RECTANGLE: Final = (13_000.0, 306_000.0, 278_000.0, 619_000.0)
#: Share of buurt seeds in urban clusters (the rest is spread evenly), clusters at scale 1.
URBAN_SHARE: Final = 0.6
N_CLUSTERS: Final = 60
LLOYD_ITERATIONS: Final = 2
#: Meander of a shared border: amplitude as a share of its length, and at most this share of
#: its distance to the nearest seed (so every seed stays inside its own cell).
MEANDER_SHARE: Final = 0.07
MEANDER_CLEARANCE: Final = 0.45
#: Shares of special cells in the StatLine files.
EMPTY_SHARE: Final = 0.03
DOT_SHARE: Final = 0.015
SUPPRESSED_SHARE: Final = 0.005
#: Years up to this one are written like the shared extract (``,`` and decimal points).
LAST_COMMA_YEAR: Final = 2018
STATLINE_KEYS: Final[tuple[str, ...]] = (
    "regiocode",
    "soort_regio",
    "gemeentecode",
    "jaar",
    "cbs_tabel",
)
LEVELS: Final[tuple[str, ...]] = ("gemeente", "wijk", "buurt")
RD_CRS_MEMBER: Final = '{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}}'

_PHASE_RE: Final = re.compile(
    r"event=phase run_id=\S+ name=(?P<name>\S+) seconds=(?P<seconds>[\d.]+)"
    r"(?: cpu_seconds=(?P<cpu>[\d.]+))?(?: max_rss_mb=(?P<rss>\d+))?"
)


class BenchmarkError(RuntimeError):
    """The benchmark could not run (the ETL failed, the generator broke)."""


@dataclass(frozen=True)
class Size:
    """How much data to generate."""

    buurten: int
    wijken: int
    gemeenten: int
    years: tuple[int, ...]
    indicators: int  # columns per file: the catalogue's CBS indicators plus synthetic ones

    @classmethod
    def at(cls, scale: float) -> Size:
        """The national size times ``scale`` (areas only; at least 1 gemeente, 1 wijk each).

        >>> Size.at(1.0).buurten, Size.at(0.1).wijken, Size.at(0.005).gemeenten
        (14000, 330, 2)
        """
        if not 0 < scale <= 1:
            raise ValueError(f"scale must be in (0, 1], got {scale}")
        gemeenten = max(1, round(N_GEMEENTEN * scale))
        wijken = max(gemeenten, round(N_WIJKEN * scale))
        buurten = max(wijken, round(N_BUURTEN * scale))
        return cls(buurten, wijken, gemeenten, YEARS, N_INDICATORS)

    @property
    def synthetic_indicators(self) -> int:
        return self.indicators - len(_cbs_indicators())

    @property
    def areas_per_year(self) -> int:
        return self.buurten + self.wijken + self.gemeenten


# --- indicators -----------------------------------------------------------------------

#: Kinds of synthetic indicator, in turn: (unit, decimals, aggregation).
_KINDS: Final[tuple[tuple[str, int, str], ...]] = (
    ("aantal", 0, "sum"),
    ("%", 1, "weighted_mean"),
    ("gemiddelde", 2, "none"),
)


def _cbs_indicators() -> list[Indicator]:
    """The catalogue's indicators that a CBS file can hold (those with column aliases)."""
    return [ind for ind in CATALOGUE if ind.aliases]


def bench_indicators(count: int) -> list[Indicator]:
    """``count`` synthetic indicators, numbered after the catalogue's CBS indicators.

    >>> first = bench_indicators(78)[0]
    >>> first.id, first.aliases
    ('bench_indicator_023', ('BenchIndicator023',))
    """
    out = []
    start = len(_cbs_indicators()) + 1
    for number in range(start, start + count):
        unit, decimals, aggregation = _KINDS[number % len(_KINDS)]
        out.append(
            Indicator(
                f"bench_indicator_{number:03d}",
                f"Benchmarkindicator {number}",
                f"Benchmark indicator {number}",
                "Benchmark",
                unit,
                "Fictieve indicator voor de prestatiebenchmark van Buurtlens.",
                "Fictitious indicator for the Buurtlens performance benchmark.",
                decimals=decimals,
                aggregation=aggregation,  # type: ignore[arg-type]
                denominator="inwoners" if aggregation == "weighted_mean" else None,
                source="Buurtlens benchmark (fictief)",
                source_table="bench",
                licence="CC0 1.0",
                aliases=(f"BenchIndicator{number:03d}",),
            )
        )
    return out


@dataclass(frozen=True)
class _Column:
    """One indicator column of the StatLine files."""

    name: str  # e.g. AantalInwoners_5
    unit: str  # aantal, %, other
    decimals: int


def _statline_alias(ind: Indicator) -> str:
    """The alias that looks most like a StatLine key (CamelCase, no separators)."""
    plain = [a for a in ind.aliases if "_" not in a and " " not in a and not a.isupper()]
    for alias in plain:
        if alias[:1].isupper():
            return alias
    return plain[0][:1].upper() + plain[0][1:] if plain else ind.aliases[0]


def _columns(size: Size) -> list[_Column]:
    """The 100 indicator columns, numbered like StatLine keys (``Name_<k>``)."""
    indicators = [*_cbs_indicators(), *bench_indicators(size.synthetic_indicators)]
    return [
        _Column(f"{_statline_alias(ind)}_{k}", ind.unit, ind.decimals)
        for k, ind in enumerate(indicators, start=5)
    ]


# --- areas and geometry ---------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """All generated areas of one vintage, in CBS order (gemeente, its wijken, their buurten).

    ``codes``, ``levels``, ``names`` and ``geometries`` (RD, whole metres) are parallel;
    ``buurt_wijk[i]`` / ``buurt_gemeente[i]`` give buurt ``i``'s wijk and gemeente position
    among the wijken / gemeenten (in code order).
    """

    codes: list[str]
    levels: list[str]
    names: list[str]
    geometries: NDArray[np.object_]
    buurt_wijk: NDArray[np.int64]
    buurt_gemeente: NDArray[np.int64]
    wijk_gemeente: NDArray[np.int64]

    def of_level(self, level: str) -> NDArray[np.int64]:
        """Positions of the areas of ``level``, in order."""
        return np.flatnonzero(np.asarray(self.levels) == level)


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng([SEED, *key])


def _rectangle(size: Size) -> tuple[float, float, float, float]:
    """The NL rectangle shrunk around its centre so that buurten keep their national size."""
    minx, miny, maxx, maxy = NL_RECTANGLE
    f = math.sqrt(size.buurten / N_BUURTEN)
    cx, cy, hw, hh = (minx + maxx) / 2, (miny + maxy) / 2, (maxx - minx) / 2, (maxy - miny) / 2
    return (cx - hw * f, cy - hh * f, cx + hw * f, cy + hh * f)


def _lloyd(seeds: NDArray[np.float64], box: shapely.Polygon, rounds: int) -> NDArray[np.float64]:
    for _ in range(rounds):
        cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=box, ordered=True)
        clipped = shapely.intersection(np.asarray(cells.geoms), box)
        seeds = shapely.get_coordinates(shapely.centroid(clipped))
    return seeds


def _seeds(size: Size, bounds: tuple[float, float, float, float]) -> NDArray[np.float64]:
    """Buurt seeds: urban clusters plus an even spread, relaxed a little (Lloyd)."""
    rng = _rng(1)
    minx, miny, maxx, maxy = bounds
    n_urban = round(size.buurten * URBAN_SHARE)
    clusters = max(1, round(N_CLUSTERS * size.buurten / N_BUURTEN))
    f = math.sqrt(size.buurten / N_BUURTEN)
    centres = rng.uniform((minx, miny), (maxx, maxy), size=(clusters, 2))
    sigma = rng.uniform(2_500, 9_000, size=clusters) * max(f, 0.15)
    which = rng.integers(0, clusters, size=n_urban)
    urban = centres[which] + rng.normal(size=(n_urban, 2)) * sigma[which, None]
    rural = rng.uniform((minx, miny), (maxx, maxy), size=(size.buurten - n_urban, 2))
    seeds = np.clip(np.vstack([urban, rural]), (minx + 1, miny + 1), (maxx - 1, maxy - 1))
    box = shapely.box(*bounds)
    return _lloyd(seeds, box, LLOYD_ITERATIONS)


def _meander(
    arcs: NDArray[np.object_], clearance: NDArray[np.float64], rng: np.random.Generator
) -> list[NDArray[np.float64]]:
    """Each shared border as a smooth meander between its fixed end points."""
    lengths = shapely.length(arcs)
    typical = float(np.median(lengths)) if len(lengths) else 1.0
    out: list[NDArray[np.float64]] = []
    for arc, length, clear in zip(arcs, lengths, clearance, strict=True):
        xy = shapely.get_coordinates(arc)
        if len(xy) != 2 or length < 30 or clear <= 0:
            out.append(xy)
            continue
        inner = int(np.clip(round(2 + 5 * length / typical), 2, 9))
        t = np.arange(1, inner + 1) / (inner + 1)
        a, b = xy
        direction = (b - a) / length
        normal = np.array([-direction[1], direction[0]])
        amplitude = min(MEANDER_SHARE * length, MEANDER_CLEARANCE * clear)
        r1, r2, r3 = rng.uniform(-1, 1, 3)
        offset = (
            amplitude
            * (
                r1 * np.sin(np.pi * t)
                + 0.5 * r2 * np.sin(2 * np.pi * t)
                + 0.25 * r3 * np.sin(3 * np.pi * t)
            )
            / 1.75
        )
        points = a + np.outer(t * length, direction) + np.outer(offset, normal)
        out.append(np.vstack([a, points, b]))
    return out


def _buurt_polygons(
    seeds: NDArray[np.float64], bounds: tuple[float, float, float, float]
) -> NDArray[np.object_]:
    """Voronoi cells of ``seeds`` with meandering shared borders on a 1 m grid, in seed order.

    The cell borders are noded once into arcs between junctions; every arc that is not on
    the rectangle gets a meander (keyed to the arc, so both neighbours get the same one),
    is rounded to whole metres, and all arcs are noded again and polygonised. Each face
    goes to the seed inside it; slivers where two meanders crossed go to the cell that
    contained them before. So neighbours share every vertex of their border.
    """
    box = shapely.box(*bounds)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=box, ordered=True)
    cells_arr = shapely.intersection(np.asarray(cells.geoms), box)
    linework = shapely.line_merge(shapely.union_all(shapely.boundary(cells_arr)))
    arcs = shapely.get_parts(linework)
    on_border = shapely.covered_by(arcs, shapely.buffer(box.exterior, 0.01))
    points = shapely.points(seeds)
    (arc_idx, _), distance = shapely.STRtree(points).query_nearest(
        arcs, return_distance=True, all_matches=False
    )
    clearance = np.zeros(len(arcs))
    clearance[arc_idx] = distance
    coords = _meander(arcs, np.where(on_border, 0.0, clearance), _rng(2))
    lines = [shapely.linestrings(np.round(xy)) for xy in coords]
    lines = [line for line in shapely.remove_repeated_points(lines) if shapely.length(line) > 0]
    noded = shapely.node(shapely.multilinestrings(lines))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    face_tree = shapely.STRtree(faces)
    seed_idx, face_idx = face_tree.query(points, predicate="within")
    owner = np.full(len(faces), -1)
    owner[face_idx] = seed_idx
    if len(np.unique(face_idx)) != len(face_idx) or len(np.unique(seed_idx)) != len(seeds):
        raise BenchmarkError("generator: a seed is not inside exactly one face")
    loose = np.flatnonzero(owner < 0)
    if len(loose):
        inside = shapely.point_on_surface(faces[loose])
        which, cell = shapely.STRtree(cells_arr).query_nearest(inside, all_matches=False)
        owner[loose[which]] = cell
    order = np.argsort(owner, kind="stable")
    bounds_idx = np.searchsorted(owner[order], np.arange(len(seeds) + 1))
    polygons = np.empty(len(seeds), dtype=object)
    for i in range(len(seeds)):
        mine = faces[order[bounds_idx[i] : bounds_idx[i + 1]]]
        polygons[i] = mine[0] if len(mine) == 1 else shapely.coverage_union_all(mine)
    return shapely.orient_polygons(polygons)


def _group(points: NDArray[np.float64], k: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Assign ``points`` to ``k`` groups: the nearest of ``k`` of them picked at random.

    Every group holds at least its own centre, so there are exactly ``k`` groups; they are
    numbered from west to east within bands from north to south, as a reader expects.
    """
    centres = rng.choice(len(points), size=k, replace=False)
    nearest = np.empty(len(points), dtype=np.int64)
    for start in range(0, len(points), 2048):  # bounded memory: 2048 x k distances at a time
        chunk = points[start : start + 2048]
        d = ((chunk[:, None, :] - points[centres][None, :, :]) ** 2).sum(axis=2)
        nearest[start : start + 2048] = d.argmin(axis=1)
    nearest[centres] = np.arange(k)
    cx, cy = points[centres, 0], points[centres, 1]
    band = np.floor((cy.max() - cy) / ((cy.max() - cy.min()) / 8 + 1.0))
    rank = np.lexsort((cx, band))
    renumber = np.empty(k, dtype=np.int64)
    renumber[rank] = np.arange(k)
    return renumber[nearest]


def _allocate(
    total: int, weights: NDArray[np.float64], low: int, high: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Whole numbers in proportion to ``weights``, each in ``[low, high]``, summing to ``total``."""
    counts = np.clip(np.floor(total * weights / weights.sum()).astype(np.int64), low, high)
    while counts.sum() != total:
        gap = total * weights / weights.sum() - counts
        if counts.sum() < total:
            room = counts < high
            counts[np.flatnonzero(room)[np.argmax(gap[room])]] += 1
        else:
            room = counts > low
            counts[np.flatnonzero(room)[np.argmin(gap[room])]] -= 1
    return counts


_SYLLABLES: Final = (
    "berg", "broek", "dam", "dijk", "dorp", "veen", "hoven", "meer", "horst", "wijk", "burg",
    "zand", "rade", "lo", "hem", "drecht", "hout", "kamp", "wold", "voorde",
)  # fmt: skip
_PREFIXES: Final = (
    "Aal", "Bier", "Cul", "Drie", "Eem", "Gel", "Haar", "Ijs", "Kra", "Lin", "Mol", "Noord",
    "Oost", "Pan", "Rijn", "Steen", "Ter", "Uit", "Vliet", "West", "Zuid", "Ber", "Hol", "Oud",
)  # fmt: skip


def _place_name(rng: np.random.Generator) -> str:
    return str(rng.choice(_PREFIXES)) + str(rng.choice(_SYLLABLES))


def build_layout(size: Size) -> Layout:
    """The generated gemeenten, wijken and buurten with codes, names and geometry."""
    bounds = _rectangle(size)
    seeds = _seeds(size, bounds)
    polygons = _buurt_polygons(seeds, bounds)
    rng = _rng(3)
    gemeente = _group(seeds, size.gemeenten, rng)
    per_gemeente = np.bincount(gemeente, minlength=size.gemeenten)
    wijken_per = _allocate(
        size.wijken, per_gemeente.astype(float), 1, np.minimum(per_gemeente, 100)
    )
    gm_numbers = np.sort(rng.choice(np.arange(3, 2000), size=size.gemeenten, replace=False))

    codes: list[str] = []
    levels: list[str] = []
    names: list[str] = []
    geometries: list[shapely.Geometry] = []
    buurt_wijk = np.empty(size.buurten, dtype=np.int64)
    buurt_gemeente = np.empty(size.buurten, dtype=np.int64)
    wijk_gemeente: list[int] = []
    buurt_rows: list[tuple[int, int]] = []  # (layout position, buurt seed)
    for g in range(size.gemeenten):
        members = np.flatnonzero(gemeente == g)
        gm = f"{gm_numbers[g]:04d}"
        gm_name = _place_name(rng)
        codes.append(f"GM{gm}")
        levels.append("gemeente")
        names.append(f"{gm_name} (bench)")
        geometries.append(shapely.coverage_union_all(polygons[members]))
        wijk_of = _group(seeds[members], int(wijken_per[g]), rng)
        for w in range(int(wijken_per[g])):
            in_wijk = members[wijk_of == w]
            if len(in_wijk) > 100:
                raise BenchmarkError(f"generator: wijk {w} of GM{gm} has {len(in_wijk)} buurten")
            codes.append(f"WK{gm}{w:02d}")
            levels.append("wijk")
            names.append(f"Wijk {w:02d} {gm_name}")
            geometries.append(shapely.coverage_union_all(polygons[in_wijk]))
            wijk_gemeente.append(g)
            order = np.lexsort((seeds[in_wijk, 0], -seeds[in_wijk, 1]))
            for b, seed in enumerate(in_wijk[order]):
                codes.append(f"BU{gm}{w:02d}{b:02d}")
                levels.append("buurt")
                names.append(f"{_place_name(rng)}{' Noord' if b % 7 == 3 else ''}")
                geometries.append(polygons[seed])
                buurt_rows.append((len(codes) - 1, int(seed)))
    # Buurt figures are generated in layout order; remember each buurt's wijk and gemeente.
    wijk_positions = {c: i for i, c in enumerate(c for c in codes if c.startswith("WK"))}
    gm_positions = {c: i for i, c in enumerate(c for c in codes if c.startswith("GM"))}
    for i, (position, _) in enumerate(buurt_rows):
        code = codes[position]
        buurt_wijk[i] = wijk_positions["WK" + code[2:8]]
        buurt_gemeente[i] = gm_positions["GM" + code[2:6]]
    return Layout(
        codes,
        levels,
        names,
        shapely.orient_polygons(np.asarray(geometries, dtype=object)),
        buurt_wijk,
        buurt_gemeente,
        np.asarray(wijk_gemeente, dtype=np.int64),
    )


# --- figures --------------------------------------------------------------------------


def _figures(layout: Layout, columns: list[_Column], year: int) -> NDArray[np.object_]:
    """The published cells of one year: a (areas x indicators) array of strings."""
    rng = _rng(4)  # the same base level and trend per buurt every year
    n_buurten = len(layout.buurt_wijk)
    n_ind = len(columns)
    base = rng.lognormal(mean=5.5, sigma=1.0, size=(n_buurten, n_ind))
    trend = rng.normal(0.006, 0.012, size=(n_buurten, n_ind))
    share = rng.uniform(0.0, 100.0, size=(n_buurten, n_ind))
    mean = rng.lognormal(mean=1.5, sigma=0.8, size=(n_buurten, n_ind))
    noise = _rng(5, year)
    t = year - YEARS[0]
    drift = np.exp(trend * t) * (1 + noise.normal(0, 0.01, size=(n_buurten, n_ind)))
    counts_b = np.round(base * drift)
    shares_b = np.clip(share + noise.normal(0, 0.5, size=share.shape) + 0.1 * t, 0, 100)
    means_b = mean * drift

    levels = np.asarray(layout.levels)
    n_areas = len(levels)
    pos = {lv: np.flatnonzero(levels == lv) for lv in LEVELS}
    values = np.empty((n_areas, n_ind))
    kind = np.array([c.unit for c in columns])
    is_count = kind == "aantal"
    is_share = kind == "%"

    mixed_b = np.where(is_count, counts_b, np.where(is_share, shares_b, means_b))

    def aggregate(group: NDArray[np.int64], k: int) -> NDArray[np.float64]:
        """Counts add up; shares and averages are the mean over the buurten."""
        total = np.zeros((k, n_ind))
        np.add.at(total, group, mixed_b)
        n = np.bincount(group, minlength=k)[:, None]
        return np.where(is_count, total, total / n)

    values[pos["buurt"]] = mixed_b
    values[pos["wijk"]] = aggregate(layout.buurt_wijk, len(pos["wijk"]))
    values[pos["gemeente"]] = aggregate(layout.buurt_gemeente, len(pos["gemeente"]))

    decimal_comma = year > LAST_COMMA_YEAR
    cells = np.empty((n_areas, n_ind), dtype=object)
    for j, column in enumerate(columns):
        if column.decimals == 0:
            text = np.round(values[:, j]).astype(np.int64).astype(str)
        else:
            text = np.char.mod(f"%.{column.decimals}f", values[:, j])
            if decimal_comma:
                text = np.char.replace(text, ".", ",")
        cells[:, j] = text
    draw = noise.random(size=(n_areas, n_ind))
    cells[draw < EMPTY_SHARE] = ""
    cells[(draw >= EMPTY_SHARE) & (draw < EMPTY_SHARE + DOT_SHARE)] = "."
    special = EMPTY_SHARE + DOT_SHARE
    cells[(draw >= special) & (draw < special + SUPPRESSED_SHARE)] = "-99999999"
    return cells


# --- writers --------------------------------------------------------------------------


def _write_statline(path: Path, layout: Layout, columns: list[_Column], year: int) -> None:
    """``kwb_<year>_bench.csv``: one row per area, identity columns plus 100 indicators."""
    cells = _figures(layout, columns, year)
    identity = pd.DataFrame(
        {
            "regiocode": layout.codes,
            "soort_regio": [lv.capitalize() for lv in layout.levels],
            "gemeentecode": ["GM" + c[2:6] for c in layout.codes],
            "jaar": str(year),
            "cbs_tabel": f"BENCH{year}",
        }
    )
    figures = pd.DataFrame(cells, columns=[c.name for c in columns])
    frame = pd.concat([identity, figures], axis=1)
    sep = "," if year <= LAST_COMMA_YEAR else ";"
    frame.to_csv(path, sep=sep, index=False, lineterminator="\n", encoding="utf-8")


_WHOLE_METRES: Final = re.compile(r"\.0(?=[,\]])")


def _write_gebiedsindeling(
    path: Path, layout: Layout, level: str, year: int, geojson: list[str]
) -> None:
    """``<level>en_<year>.geojson``: CBS gebiedsindeling boundaries in RD, one feature a line."""
    lines = []
    for number, i in enumerate(layout.of_level(level), start=1):
        props = json.dumps(
            {
                "statcode": layout.codes[i],
                "jrstatcode": f"{year}{layout.codes[i]}",
                "statnaam": layout.names[i],
                "rubriek": level,
                "id": number,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        lines.append(
            f'{{"type":"Feature","id":"{layout.codes[i]}","properties":{props},'
            f'"geometry":{geojson[i]}}}'
        )
    text = (
        f'{{"type":"FeatureCollection","crs":{RD_CRS_MEMBER},"features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )
    path.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Generated:
    """What :func:`write_sources` wrote."""

    path: Path
    size: Size
    files: int
    bytes: int
    vertices_per_buurt: float
    seconds: float


def _manifest(size: Size) -> dict[str, Any]:
    """What identifies a generated set, as it reads back from JSON (tuples become lists)."""
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "size": asdict(size),
        "columns": [c.name for c in _columns(size)],
    }
    return json.loads(json.dumps(manifest))  # type: ignore[no-any-return]


def write_sources(target: Path, size: Size, *, regenerate: bool = False) -> Generated:
    """Write the benchmark's source files into ``target``; reuse a matching earlier set.

    The manifest that says what a set holds lies next to ``target`` (``<target>.manifest.json``),
    not in it: the ETL reads every file in ``target``.
    """
    t0 = time.perf_counter()
    manifest_path = target.with_name(target.name + ".manifest.json")
    manifest = _manifest(size)
    if (
        not regenerate
        and manifest_path.exists()
        and json.loads(manifest_path.read_text(encoding="utf-8")).get("generator") == manifest
    ):
        info = json.loads(manifest_path.read_text(encoding="utf-8"))
        logger.info("event=reuse_sources path=%s", target)
        return Generated(
            target, size, info["files"], info["bytes"], info["vertices_per_buurt"], 0.0
        )
    if target.exists():
        shutil.rmtree(target)
    (target / "statline").mkdir(parents=True)
    (target / "gebiedsindeling").mkdir()
    layout = build_layout(size)
    columns = _columns(size)
    geojson = [_WHOLE_METRES.sub("", g) for g in shapely.to_geojson(layout.geometries)]
    files: list[Path] = []
    for year in size.years:
        path = target / "statline" / f"kwb_{year}_bench.csv"
        _write_statline(path, layout, columns, year)
        files.append(path)
        for level in LEVELS:
            path = target / "gebiedsindeling" / f"{level}en_{year}.geojson"
            _write_gebiedsindeling(path, layout, level, year, geojson)
            files.append(path)
        logger.info("event=generated year=%d", year)
    buurten = layout.geometries[layout.of_level("buurt")]
    vertices = float(shapely.get_num_coordinates(buurten).mean())
    total = sum(f.stat().st_size for f in files)
    info = {
        "generator": manifest,
        "files": len(files),
        "bytes": total,
        "vertices_per_buurt": vertices,
    }
    manifest_path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return Generated(target, size, len(files), total, vertices, time.perf_counter() - t0)


# --- running and measuring ------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """One ``event=phase`` line of the ETL log."""

    seconds: float
    cpu_seconds: float | None
    max_rss_mb: float | None


@dataclass(frozen=True)
class EtlRun:
    """The measured ETL child process."""

    exit_code: int
    wall_seconds: float
    cpu_seconds: float  # user + system, all threads
    peak_rss_mb: float
    phases: dict[str, Phase]
    log: Path


def parse_phases(lines: Iterable[str]) -> dict[str, Phase]:
    """The ``event=phase`` lines of an ETL log, by phase name, in order.

    >>> parse_phases(["ts=x event=phase run_id=r name=merge seconds=1.5 cpu_seconds=1.4 "
    ...               "max_rss_mb=900"])
    {'merge': Phase(seconds=1.5, cpu_seconds=1.4, max_rss_mb=900.0)}
    """
    phases: dict[str, Phase] = {}
    for line in lines:
        if match := _PHASE_RE.search(line):
            phases[match["name"]] = Phase(
                float(match["seconds"]),
                float(match["cpu"]) if match["cpu"] else None,
                float(match["rss"]) if match["rss"] else None,
            )
    return phases


def run_etl(sources: Path, data_dir: Path, size: Size, log: Path) -> EtlRun:
    """Run ``python -m etl run`` (via :mod:`bench._etl_child`) and measure exactly that process."""
    repo = Path(__file__).resolve().parents[1]
    argv = [
        sys.executable, "-m", "bench._etl_child",
        "--synthetic-indicators", str(size.synthetic_indicators),
        "--log-level", "INFO",
        "run", "--data-dir", str(data_dir), "--source", str(sources), "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(repo)}
    with log.open("wb") as out:
        t0 = time.perf_counter()
        child = subprocess.Popen(argv, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4 returns the resource usage of exactly this child (RUSAGE_CHILDREN would be
        # the maximum over every child this process ever waited for).
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    with log.open(encoding="utf-8", errors="replace") as lines:
        phases = parse_phases(lines)
    # ru_maxrss is in kilobytes on Linux.
    return EtlRun(
        child.returncode,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        phases,
        log,
    )


def warehouse_counts(data_dir: Path) -> dict[str, Any]:
    """Row counts of the live warehouse in ``data_dir`` and its size in bytes."""
    live = data_dir / "buurtlens.duckdb"
    con = duckdb.connect(str(live), read_only=True)
    try:
        counts: dict[str, Any] = {}
        for table in ("areas", "observations", "geometries", "area_geometry", "indicators"):
            row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
        counts["observations_by_status"] = dict(
            con.execute(
                "SELECT status, count(*) FROM observations GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        counts["areas_by_level"] = dict(
            con.execute("SELECT level, count(*) FROM areas GROUP BY 1 ORDER BY 1").fetchall()
        )
    finally:
        con.close()
    counts["warehouse_bytes"] = live.stat().st_size
    return counts


def report(figures: dict[str, Any]) -> str:
    """The human-readable summary of one run of this benchmark."""
    etl, counts, size, sources = (
        figures["etl"],
        figures["counts"],
        figures["size"],
        figures["sources"],
    )
    made = f"generated in {sources['seconds']:.0f} s" if sources["seconds"] else "reused"
    lines = [
        f"national_etl at scale {figures['scale']:g}: {size['buurten']:,} buurten, "
        f"{size['wijken']:,} wijken, {size['gemeenten']} gemeenten, {len(size['years'])} years, "
        f"{size['indicators']} indicators",
        f"sources: {sources['files']} files, {sources['bytes'] / 2**20:.0f} MB, "
        f"{sources['vertices_per_buurt']:.0f} vertices per buurt ({made})",
        "",
        f"  {'phase':<22} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12}",
    ]
    for name, phase in etl["phases"].items():
        cpu = "" if phase["cpu_seconds"] is None else f"{phase['cpu_seconds']:.1f}"
        rss = "" if phase["max_rss_mb"] is None else f"{phase['max_rss_mb']:.0f}"
        lines.append(f"  {name:<22} {phase['seconds']:>8.1f} {cpu:>8} {rss:>12}")
    rest = etl["wall_seconds"] - sum(p["seconds"] for p in etl["phases"].values())
    lines.append(f"  {'start-up, imports':<22} {rest:>8.1f}")
    lines.append(
        f"  {'total':<22} {etl['wall_seconds']:>8.1f} {etl['cpu_seconds']:>8.1f} "
        f"{etl['peak_rss_mb']:>12.0f}"
    )
    lines.append("")
    for label, value in [
        ("total wall time", f"{etl['wall_seconds']:.1f} s ({etl['wall_seconds'] / 60:.1f} min)"),
        ("peak RSS", f"{etl['peak_rss_mb']:.0f} MB ({etl['peak_rss_mb'] / 1024:.2f} GB)"),
        ("areas", f"{counts['areas']:,}"),
        ("observations", f"{counts['observations']:,}"),
        ("map artefacts", f"{counts['geometries']:,}"),
        ("area geometries", f"{counts['area_geometry']:,}"),
        ("indicators", f"{counts['indicators']:,}"),
        ("warehouse file", f"{counts['warehouse_bytes'] / 2**20:,.0f} MB"),
        ("load average at end", " ".join(f"{x:.1f}" for x in figures["machine"]["load_average"])),
    ]:
        lines.append(f"  {label:<22} {value}")
    verdict = "met" if figures["within_targets"] else "NOT met"
    if figures["scale"] != 1:
        verdict += " (only meaningful at scale 1)"
    lines += [
        "",
        f"targets: under {TARGET_SECONDS / 60:.0f} min and under {TARGET_RSS_MB / 1024:.0f} GB: "
        f"{verdict}",
    ]
    return "\n".join(lines)


def run_benchmark(*, scale: float = 1.0, out: Path, regenerate: bool = False) -> dict[str, Any]:
    """Generate (or reuse) the sources, run and measure the ETL, print and save the figures."""
    size = Size.at(scale)
    work = out / NAME
    work.mkdir(parents=True, exist_ok=True)
    print(f"national_etl: generating sources at scale {scale} (or reusing them) ...", flush=True)
    generated = write_sources(work / f"sources-{scale:g}", size, regenerate=regenerate)
    data_dir = work / f"data-{scale:g}"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    print(f"national_etl: running the ETL (log: {work / 'etl.log'}) ...", flush=True)
    etl = run_etl(generated.path, data_dir, size, work / "etl.log")
    if etl.exit_code not in (0, 3):
        tail = "\n".join(etl.log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise BenchmarkError(f"the ETL exited with {etl.exit_code}; last lines:\n{tail}")
    counts = warehouse_counts(data_dir)
    within = etl.wall_seconds < TARGET_SECONDS and etl.peak_rss_mb < TARGET_RSS_MB
    figures: dict[str, Any] = {
        "benchmark": NAME,
        "scale": scale,
        "size": asdict(size),
        "sources": {
            "path": str(generated.path),
            "files": generated.files,
            "bytes": generated.bytes,
            "vertices_per_buurt": round(generated.vertices_per_buurt, 1),
            "seconds": round(generated.seconds, 1),
        },
        "etl": {
            "exit_code": etl.exit_code,
            "wall_seconds": round(etl.wall_seconds, 2),
            "cpu_seconds": round(etl.cpu_seconds, 2),
            "peak_rss_mb": round(etl.peak_rss_mb, 1),
            "phases": {name: asdict(phase) for name, phase in etl.phases.items()},
            "log": str(etl.log),
        },
        "counts": counts,
        "targets": {"seconds": TARGET_SECONDS, "rss_mb": TARGET_RSS_MB},
        "within_targets": within,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": os.getloadavg(),
        },
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (out / f"{NAME}.json").write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    print(report(figures), flush=True)
    print(f"figures written to {out / f'{NAME}.json'}", flush=True)
    return figures
