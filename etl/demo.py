# SPDX-License-Identifier: EUPL-1.2
"""The built-in demo data set: a fictitious municipality written as real CBS source files.

``python -m etl demo`` calls :func:`write_demo_sources` and then loads the result with the
normal ETL, so the demo exercises the real extractors. Everything here is invented:
gemeente ``GM9901`` "Demodorp (fictief)" (CBS uses GM0003 ... GM1992) is centred on RD
(155000, 455000), 8 km south of Amersfoort. It lies on top of real places there; the code and
the names say that it is fictitious.

Files written (``<level>`` is ``gemeente``, ``wijk`` or ``buurt``; one layer per file, as CBS
publishes them):

* ``demo_kaart_<year>_<level>.geojson`` for :data:`KAART_YEARS`: the CBS wijk- en buurtkaart
  with kerncijfers, shapefile-era column names (``BU_CODE``, ``AANT_INW``, ... as in the
  kaart up to 2020), ``JRSTATCODE`` (year + code, as in the 2017-2020 kaart shapefiles) so
  the year is in the content, RD New with the legacy GeoJSON ``crs`` member, integer metres.
  Counts at wijk and buurt level are rounded to 5; suppressed cells are ``-99999999``.
* ``demo_gebiedsindeling_<STATLINE_YEAR>_<level>.geojson``: boundaries only, in the format of
  the CBS gebiedsindelingen (``statcode``, ``jrstatcode``, ``statnaam``, ``rubriek``, ``id``).
* ``demo_kwb_<STATLINE_YEAR>_85984NED.csv``: the StatLine Kerncijfers table for that year in
  the layout of ``kwb_2024_gemeente_wijk.csv`` (table 85984NED), secret cells as ``"."``.
  StatLine covers a year without a kaart file, so no (year, area, indicator) has two sources.
* ``README.txt``: says (nl/en) that the data are fictitious, with the generator version.

Geometry: buurten are a Voronoi tessellation of relaxed random points inside an irregular
outline; the cells and the outline are noded together once and polygonised, then rounded to
whole metres, so neighbours share their borders vertex for vertex. Wijken are unions of their
buurten, the gemeente the union of all: the layers tile without gaps or overlaps.

Figures: exact integer counts are simulated per buurt and year (smooth trends; a few
new-build buurten grow fast, some older ones shrink), summed to wijk and gemeente, and then
published the CBS way (rounding, percentages of exact counts, density from the polygon area,
suppression of small buurten plus a few random cells).

Output is byte-identical on every run with the same library versions (numpy, GEOS): all
randomness comes from numpy Generators seeded from :data:`SEED`.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

logger = logging.getLogger(__name__)

GENERATOR_VERSION: Final = "1.0"
SEED: Final = 9901

DEMO_GEMEENTE_CODE: Final = "GM9901"
DEMO_GEMEENTE_NAAM: Final = "Demodorp (fictief)"
KAART_YEARS: Final[tuple[int, ...]] = (2019, 2020, 2021, 2022, 2023)
STATLINE_YEAR: Final = 2024
STATLINE_TABLE: Final = "85984NED"

CENTRE_RD: Final = (155_000.0, 455_000.0)
RADIUS_M: Final = 2_600.0
N_BUURTEN: Final = 36
LLOYD_ITERATIONS: Final = 3
#: Wijk 01 lies in the middle; the others in a ring, named after their direction.
WIJK_NAMES: Final[tuple[str, ...]] = (
    "Wijk 01 Centrum",
    "Wijk 02 Noord",
    "Wijk 03 Oost",
    "Wijk 04 Zuidoost",
    "Wijk 05 Zuidwest",
    "Wijk 06 West",
)
BUURT_NAMES: Final[tuple[str, ...]] = (
    "Oude Kern", "Marktkwartier", "Havenbuurt", "Kerkbuurt", "Stationsbuurt", "Vestingrand",
    "Molenbuurt", "Parkbuurt", "Bloemenbuurt", "Vogelbuurt", "Schildersbuurt", "Bomenbuurt",
    "Componistenbuurt", "Sterrenbuurt", "Dichtersbuurt", "Rivierenbuurt", "Dijkzicht",
    "Polderrand", "Boerhaven", "Weidebuurt", "Eikenhof", "Lindenhof", "Beukenrode", "Esdoorn",
    "Zonnehoek", "Kanaalzone", "Sluispark", "Het Veld", "De Gaarde", "Hoogland", "Laagland",
    "Molenwei", "Kersenbuurt", "Tuinstad", "Wilgenwaard", "Rietkraag",
)  # fmt: skip
INDUSTRIAL_NAME: Final = "Bedrijventerrein De Poort"
NEW_BUILD_NAMES: Final[tuple[str, ...]] = ("Nieuw Demo", "De Groene Zoom", "Waterrijk")
N_SHRINKING: Final = 5

#: CBS's code for a suppressed or unavailable cell in the kaart; StatLine writes ".".
SUPPRESSED: Final = -99999999
STATLINE_HIDDEN: Final = "."
#: Below this many inhabitants a buurt's percentages, averages and density are suppressed.
MIN_INHABITANTS: Final = 50
#: Average WOZ value needs this many dwellings (as in the architecture's default rule).
MIN_DWELLINGS_WOZ: Final = 20
#: Benefits are rounded to tens and suppressed below ten.
MIN_BENEFITS: Final = 10
#: Per kaart year, this many extra buurt cells are suppressed at random (as CBS does).
RANDOM_SUPPRESSED_PER_YEAR: Final = 2
RANDOM_SUPPRESSIBLE: Final[tuple[str, ...]] = ("BEV_DICHTH", "P_EENP_HH", "GEM_HH_GR", "AUTO_HH")
#: Average WOZ value index (first kaart year = 1), roughly the national trend.
WOZ_INDEX: Final[dict[int, float]] = {
    2019: 1.0, 2020: 1.09, 2021: 1.17, 2022: 1.27, 2023: 1.45, 2024: 1.50,
}  # fmt: skip
AGE_COLUMNS: Final[tuple[str, ...]] = (
    "P_00_14_JR", "P_15_24_JR", "P_25_44_JR", "P_45_64_JR", "P_65_EO_JR",
)  # fmt: skip
KAART_FIGURES: Final[tuple[str, ...]] = (
    "AANT_INW", "AANT_MAN", "AANT_VROUW", *AGE_COLUMNS, "BEV_DICHTH", "AANTAL_HH",
    "P_EENP_HH", "GEM_HH_GR", "WONINGEN", "WOZ", "WWB_UITTOT", "AUTO_TOT", "AUTO_HH",
    "OPP_TOT", "OPP_LAND", "OPP_WATER",
)  # fmt: skip
STATLINE_COLUMNS: Final[tuple[str, ...]] = (
    "regiocode", "soort_regio", "gemeentecode", "jaar", "cbs_tabel", "AantalInwoners_5",
    "Mannen_6", "Vrouwen_7", "Bevolkingsdichtheid_34", "Woningvoorraad_35",
    "OppervlakteTotaal_122", "OppervlakteLand_123", "OppervlakteWater_124",
)  # fmt: skip
LEVELS: Final[tuple[str, ...]] = ("gemeente", "wijk", "buurt")
RD_CRS_MEMBER: Final[dict[str, Any]] = {
    "type": "name",
    "properties": {"name": "urn:ogc:def:crs:EPSG::28992"},
}

_GM: Final = DEMO_GEMEENTE_CODE[2:]


@dataclass(frozen=True)
class Area:
    """One demo area with its geometry (RD, whole metres) and simulation parameters."""

    code: str
    name: str
    level: str
    geometry: Polygon
    kind: str = "woonbuurt"  # buurten: woonbuurt, nieuwbouw, krimp, bedrijven
    centrality: float = 0.0  # 0 in the middle of the gemeente, about 1 at its edge


@dataclass(frozen=True)
class Layout:
    """The areas of the demo gemeente, per level, in code order."""

    gemeente: Area
    wijken: tuple[Area, ...]
    buurten: tuple[Area, ...]


def _rng(*key: int) -> np.random.Generator:
    """An independent, reproducible random stream per purpose, so that changing one part
    of the generator does not reshuffle the others."""
    return np.random.default_rng([SEED, *key])


# --- geometry -------------------------------------------------------------------------


def _outline() -> Polygon:
    """An irregular, star-shaped gemeente outline of about 20 km²."""
    rng = _rng(1)
    angles = np.linspace(0.0, 2 * np.pi, 48, endpoint=False)
    radius = np.ones_like(angles)
    for harmonic in (2, 3, 5):
        radius += rng.uniform(0.04, 0.10) * np.cos(harmonic * angles + rng.uniform(0, 2 * np.pi))
    radius *= RADIUS_M * (1 + rng.uniform(-0.03, 0.03, angles.size))
    xs = np.round(CENTRE_RD[0] + radius * np.cos(angles))
    ys = np.round(CENTRE_RD[1] + radius * np.sin(angles))
    return Polygon(zip(xs, ys, strict=True))


def _seeds(outline: Polygon) -> np.ndarray:
    """Random points in the outline, spread evenly by a few rounds of Lloyd relaxation."""
    rng = _rng(2)
    minx, miny, maxx, maxy = outline.bounds
    points: list[tuple[float, float]] = []
    while len(points) < N_BUURTEN:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if outline.contains(Point(x, y)):
            points.append((x, y))
    seeds = np.array(points)
    for _ in range(LLOYD_ITERATIONS):
        cells = shapely.voronoi_polygons(
            MultiPoint(seeds), extend_to=outline.envelope, ordered=True
        ).geoms
        clipped = shapely.intersection(np.array(list(cells)), outline)
        seeds = shapely.get_coordinates(shapely.centroid(clipped))
    return seeds


def _buurt_polygons(outline: Polygon, seeds: np.ndarray) -> list[Polygon]:
    """The Voronoi cells of ``seeds`` clipped to ``outline``, in seed order, on a 1 m grid.

    Cells and outline are noded together once and polygonised, so a border between two
    buurten consists of the very same vertices in both; rounding every vertex to whole metres
    then keeps them equal.
    """
    cells = list(
        shapely.voronoi_polygons(
            MultiPoint(seeds), extend_to=outline.envelope.buffer(500), ordered=True
        ).geoms
    )
    lines = shapely.union_all([*shapely.boundary(cells), outline.exterior])
    faces = [
        f
        for f in shapely.polygonize(list(lines.geoms)).geoms
        if outline.contains(f.point_on_surface())
    ]
    faces = [shapely.remove_repeated_points(shapely.transform(f, np.round)) for f in faces]
    polygons: list[Polygon] = []
    for cell in cells:
        mine = [f for f in faces if cell.contains(f.point_on_surface())]
        merged = shapely.coverage_union_all(mine)
        if not isinstance(merged, Polygon) or not merged.is_valid:
            raise RuntimeError(f"demo layout: a buurt is not one valid polygon: {merged.wkt[:80]}")
        polygons.append(shapely.orient_polygons(merged))
    return polygons


def build_layout() -> Layout:
    """The demo gemeente, its wijken and buurten with codes, names and kinds."""
    outline = _outline()
    seeds = _seeds(outline)
    polygons = _buurt_polygons(outline, seeds)
    centre = np.array(CENTRE_RD)
    offsets = seeds - centre
    centrality = np.hypot(offsets[:, 0], offsets[:, 1]) / RADIUS_M

    # Wijk 01 is the middle; wijken 02-06 are 72° sectors clockwise from north (N, O, ZO,
    # ZW, W); the bearing is shifted by half a sector so that "Noord" is centred on north.
    bearing = (np.degrees(np.arctan2(offsets[:, 0], offsets[:, 1])) + 36) % 360
    ring = np.where(centrality < 0.33, 0, 1 + (bearing // 72).astype(int))

    rng = _rng(3)
    order = np.lexsort((bearing, centrality, ring))  # by wijk, then from the middle out
    outer = [int(i) for i in order if centrality[i] > 0.65]
    special = rng.choice(outer, size=1 + len(NEW_BUILD_NAMES), replace=False)
    industrial, new_build = int(special[0]), [int(i) for i in special[1:]]
    others = [int(i) for i in order if int(i) not in special]
    shrinking = {int(i) for i in rng.choice(others, size=N_SHRINKING, replace=False)}
    names = iter(BUURT_NAMES)

    buurten: list[Area] = []
    wijken: list[Area] = []
    for w, wijk_name in enumerate(WIJK_NAMES):
        members = [int(i) for i in order if ring[i] == w]
        if len(members) < 2:
            raise RuntimeError(f"demo layout: wijk {w + 1} has {len(members)} buurten")
        wijk_code = f"WK{_GM}{w + 1:02d}"
        for b, i in enumerate(members, start=1):
            if i == industrial:
                kind, name = "bedrijven", INDUSTRIAL_NAME
            elif i in new_build:
                kind, name = "nieuwbouw", NEW_BUILD_NAMES[new_build.index(i)]
            else:
                kind, name = ("krimp" if i in shrinking else "woonbuurt"), next(names)
            code = f"BU{_GM}{w + 1:02d}{b:02d}"
            buurten.append(Area(code, name, "buurt", polygons[i], kind, float(centrality[i])))
        union = shapely.coverage_union_all([polygons[i] for i in members])
        if not isinstance(union, Polygon):
            raise RuntimeError(f"demo layout: wijk {wijk_code} is not contiguous")
        wijken.append(Area(wijk_code, wijk_name, "wijk", shapely.orient_polygons(union)))
    gemeente = shapely.orient_polygons(shapely.coverage_union_all(polygons))
    return Layout(
        Area(DEMO_GEMEENTE_CODE, DEMO_GEMEENTE_NAAM, "gemeente", gemeente),
        tuple(wijken),
        tuple(buurten),
    )


# --- figures --------------------------------------------------------------------------

#: Age structure (0-14, 15-24, 25-44, 45-64, 65+) of the first year by kind of buurt.
_AGE_PROFILES: Final[dict[str, tuple[float, ...]]] = {
    "centrum": (0.10, 0.14, 0.38, 0.24, 0.14),
    "woonbuurt": (0.17, 0.11, 0.24, 0.28, 0.20),
    "krimp": (0.12, 0.10, 0.20, 0.30, 0.28),
    "nieuwbouw": (0.26, 0.08, 0.42, 0.18, 0.06),
    "bedrijven": (0.05, 0.15, 0.40, 0.30, 0.10),
}
#: Buurten named after water get more of it.
_WATERY: Final = ("Havenbuurt", "Kanaalzone", "Waterrijk", "Sluispark")
_EXACT_COLUMNS: Final = (
    "inw", "men", "age0", "age1", "age2", "age3", "age4", "hh", "eenp", "won", "woz_sum",
    "auto", "wwb", "area", "water",
)  # fmt: skip


@dataclass(frozen=True)
class _BuurtParams:
    """What drives one buurt's figures over the years."""

    water_share: float
    inhabitants: float  # in the first year
    target: float  # new-build: inhabitants in the last year
    growth: float  # per year
    male_share: float
    ages: np.ndarray
    household_size: float
    dwellings_per_household: float
    woz: float  # x 1,000 euro, first year
    cars_per_household: float
    benefit_rate: float


def _buurt_params(buurt: Area, rng: np.random.Generator) -> _BuurtParams:
    """Draw one buurt's parameters; density and prices depend on distance to the middle."""
    c, kind = buurt.centrality, buurt.kind
    water = rng.uniform(0.12, 0.25) if buurt.name in _WATERY else rng.uniform(0.005, 0.05)
    land_km2 = buurt.geometry.area * (1 - water) / 1e6
    inhabitants = 8500 * math.exp(-1.6 * c) * rng.uniform(0.8, 1.2) * land_km2
    growth = {"krimp": rng.uniform(-0.015, -0.007), "bedrijven": 0.0}.get(
        kind, rng.uniform(-0.002, 0.010)
    )
    profile = "centrum" if kind == "woonbuurt" and c < 0.35 else kind
    ages = np.array(_AGE_PROFILES[profile]) * rng.uniform(0.85, 1.15, 5)
    household_size = 1.6 + 0.9 * c + rng.uniform(-0.1, 0.1)
    if kind == "nieuwbouw":
        inhabitants, household_size = rng.uniform(150, 400), 2.7
    elif kind == "bedrijven":
        inhabitants, household_size = rng.uniform(10, 20), 1.8
    return _BuurtParams(
        water_share=water,
        inhabitants=inhabitants,
        target=3500 * land_km2 * rng.uniform(0.9, 1.1),
        growth=growth,
        male_share=rng.uniform(0.485, 0.505),
        ages=ages / ages.sum(),
        household_size=household_size,
        dwellings_per_household=1.08 if kind == "nieuwbouw" else rng.uniform(1.01, 1.05),
        woz=210 + 110 * c + rng.uniform(-40, 40) + {"nieuwbouw": 60, "krimp": -30}.get(kind, 0),
        cars_per_household=0.55 + 0.75 * c + rng.uniform(-0.1, 0.1),
        benefit_rate=max(
            0.002, 0.035 - 0.025 * c + rng.uniform(-0.004, 0.004) + (0.01 if kind == "krimp" else 0)
        ),
    )


def _split(total: int, shares: np.ndarray) -> list[int]:
    """Whole numbers in proportion to ``shares`` that add up to ``total`` exactly."""
    raw = total * shares / shares.sum()
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: total - counts.sum()]:
        counts[i] += 1
    return [int(n) for n in counts]


def simulate(layout: Layout) -> dict[int, pd.DataFrame]:
    """Exact (unrounded, unsuppressed) buurt figures per year, indexed by buurt code.

    Columns :data:`_EXACT_COLUMNS`: counts, ``woz_sum`` (average WOZ x dwellings, so that it
    adds up) and ``area``/``water`` in m². All columns add up to wijk and gemeente totals.
    """
    rng = _rng(4)
    params = {b.code: _buurt_params(b, rng) for b in layout.buurten}
    first, last = KAART_YEARS[0], STATLINE_YEAR
    years: dict[int, pd.DataFrame] = {}
    for year in (*KAART_YEARS, STATLINE_YEAR):
        t = year - first
        noise = _rng(5, year)
        rows: dict[str, list[float]] = {}
        for buurt in layout.buurten:
            p = params[buurt.code]
            if buurt.kind == "nieuwbouw":  # homes delivered over the years
                people = p.inhabitants + (p.target - p.inhabitants) * (t / (last - first)) ** 1.2
            else:
                people = p.inhabitants * (1 + p.growth) ** t
            inw = round(people * (1 + noise.normal(0, 0.003)))
            ages = p.ages + np.array([0.0, 0.0, -0.002, -0.002, 0.004]) * t  # ageing
            hh = max(1, round(inw / (p.household_size - 0.01 * t)))
            woningen = round(hh * p.dwellings_per_household)
            woz = p.woz * WOZ_INDEX[year] * (1 + noise.normal(0, 0.01))
            rows[buurt.code] = [
                inw,
                round(inw * p.male_share),
                *_split(inw, ages),
                hh,
                round(hh * min(0.75, max(0.1, 1.25 - 0.38 * p.household_size))),
                woningen,
                woz * woningen,
                round(hh * p.cars_per_household),
                round(inw * p.benefit_rate),
                buurt.geometry.area,
                buurt.geometry.area * p.water_share,
            ]
        years[year] = pd.DataFrame.from_dict(rows, orient="index", columns=list(_EXACT_COLUMNS))
    return years


def _by_level(exact: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Exact figures of one year summed to every level, each indexed by area code."""
    wijk = exact.groupby(lambda code: "WK" + code[2:8]).sum()
    gemeente = exact.sum().to_frame(DEMO_GEMEENTE_CODE).T
    return {"gemeente": gemeente, "wijk": wijk, "buurt": exact}


def _half_up(value: float, base: int = 1) -> int:
    """``value`` rounded to a multiple of ``base``, halves up (CBS rounds counts to 5)."""
    return int(base * math.floor(value / base + 0.5))


def _one_decimal(value: float) -> int | float:
    """One decimal, written as CBS's files do: ``2`` rather than ``2.0``."""
    rounded = round(float(value), 1)
    return int(rounded) if rounded.is_integer() else rounded


def _published(x: pd.Series, level: str) -> dict[str, int | float]:
    """The kaart figures of one area the way CBS publishes them (rounded and suppressed).

    Counts of persons, households and cars are rounded to 5 below gemeente level; benefits
    to 10 everywhere. Percentages and averages are computed from the exact counts.
    """
    base = 1 if level == "gemeente" else 5

    def count(value: float) -> int:
        return _half_up(value, base)

    small = x.inw < MIN_INHABITANTS

    def ratio(value: float) -> int | float:
        return SUPPRESSED if small else value

    land_ha = (x.area - x.water) / 1e4
    return {
        "AANT_INW": count(x.inw),
        "AANT_MAN": count(x.men),
        "AANT_VROUW": count(x.inw - x.men),
        **{col: ratio(_half_up(100 * x[f"age{i}"] / x.inw)) for i, col in enumerate(AGE_COLUMNS)},
        "BEV_DICHTH": ratio(_half_up(x.inw / (land_ha / 100))),
        "AANTAL_HH": count(x.hh),
        "P_EENP_HH": ratio(_half_up(100 * x.eenp / x.hh)),
        "GEM_HH_GR": ratio(_one_decimal(x.inw / x.hh)),
        "WONINGEN": int(x.won),
        "WOZ": SUPPRESSED if x.won < MIN_DWELLINGS_WOZ else _half_up(x.woz_sum / x.won),
        "WWB_UITTOT": SUPPRESSED if x.wwb < MIN_BENEFITS else _half_up(x.wwb, 10),
        "AUTO_TOT": count(x.auto),
        "AUTO_HH": ratio(_one_decimal(x.auto / x.hh)),
        "OPP_TOT": _half_up(x.area / 1e4),
        "OPP_LAND": _half_up(land_ha),
        "OPP_WATER": _half_up(x.water / 1e4),
    }


# --- writers --------------------------------------------------------------------------


def _geometry_json(polygon: Polygon) -> dict[str, Any]:
    """GeoJSON geometry with integer RD coordinates (whole metres, as in the CBS files)."""
    rings = [polygon.exterior, *polygon.interiors]
    return {
        "type": "Polygon",
        "coordinates": [[[int(x), int(y)] for x, y in ring.coords] for ring in rings],
    }


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _write_geojson(path: Path, features: Iterable[tuple[str, dict[str, Any], Polygon]]) -> Path:
    """A FeatureCollection in RD with the legacy ``crs`` member, one feature per line."""
    lines = [
        _dumps(
            {"type": "Feature", "id": fid, "properties": props, "geometry": _geometry_json(geom)}
        )
        for fid, props, geom in features
    ]
    text = (
        f'{{"type":"FeatureCollection","crs":{_dumps(RD_CRS_MEMBER)},"features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )
    path.write_bytes(text.encode("utf-8"))
    logger.debug("demo file=%s features=%d", path.name, len(lines))
    return path


def _areas(layout: Layout, level: str) -> tuple[Area, ...]:
    return {"gemeente": (layout.gemeente,), "wijk": layout.wijken, "buurt": layout.buurten}[level]


def _kaart_identity(area: Area, year: int) -> dict[str, Any]:
    """The code and name columns of a kaart feature, as in the 2017-2020 shapefiles."""
    gm = {"GM_CODE": DEMO_GEMEENTE_CODE, "GM_NAAM": DEMO_GEMEENTE_NAAM}
    jr = {"JRSTATCODE": f"{year}{area.code}"}
    if area.level == "gemeente":
        return {"GM_CODE": area.code, **jr, "GM_NAAM": area.name}
    if area.level == "wijk":
        return {"WK_CODE": area.code, **jr, "WK_NAAM": area.name, **gm}
    wijk = "WK" + area.code[2:8]
    return {"BU_CODE": area.code, **jr, "BU_NAAM": area.name, "WK_CODE": wijk, **gm}


def _kaart_layer(target: Path, layout: Layout, level: str, year: int, exact: pd.DataFrame) -> Path:
    """``demo_kaart_<year>_<level>.geojson``: boundaries plus published kerncijfers."""
    figures = _by_level(exact)[level]
    published = {a.code: _published(figures.loc[a.code], level) for a in _areas(layout, level)}
    if level == "buurt":  # CBS also suppresses a few cells for reasons a user cannot see
        rng = _rng(6, year)
        candidates = [code for code, row in published.items() if row["AANT_INW"] >= 100]
        for code in rng.choice(candidates, size=RANDOM_SUPPRESSED_PER_YEAR, replace=False):
            published[str(code)][str(rng.choice(RANDOM_SUPPRESSIBLE))] = SUPPRESSED
    features = [
        (a.code, {**_kaart_identity(a, year), **published[a.code]}, a.geometry)
        for a in _areas(layout, level)
    ]
    return _write_geojson(target / f"demo_kaart_{year}_{level}.geojson", features)


def _gebiedsindeling_layer(target: Path, layout: Layout, level: str) -> Path:
    """``demo_gebiedsindeling_<year>_<level>.geojson``: boundaries only, CBS/PDOK style."""
    features = [
        (
            a.code,
            {
                "statcode": a.code,
                "jrstatcode": f"{STATLINE_YEAR}{a.code}",
                "statnaam": a.name,
                "rubriek": level,
                "id": number,
            },
            a.geometry,
        )
        for number, a in enumerate(_areas(layout, level), start=1)
    ]
    name = f"demo_gebiedsindeling_{STATLINE_YEAR}_{level}.geojson"
    return _write_geojson(target / name, features)


def _statline_table(target: Path, layout: Layout, exact: pd.DataFrame) -> Path:
    """``demo_kwb_<year>_85984NED.csv``: StatLine Kerncijfers wijken en buurten of that year.

    Same figures and rounding as the kaart; a secret cell is ``"."`` (StatLine's symbol):
    the density of buurten with few inhabitants, and one more cell at random.
    """
    levels = _by_level(exact)
    hidden = str(_rng(7).choice([b.code for b in layout.buurten if b.kind != "bedrijven"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STATLINE_COLUMNS)
    for level in LEVELS:
        for area in _areas(layout, level):
            fig = _published(levels[level].loc[area.code], level)
            density: int | float | str = fig["BEV_DICHTH"]
            if density == SUPPRESSED or area.code == hidden:
                density = STATLINE_HIDDEN
            writer.writerow(
                [
                    area.code,
                    level.capitalize(),
                    DEMO_GEMEENTE_CODE,
                    STATLINE_YEAR,
                    STATLINE_TABLE,
                    fig["AANT_INW"],
                    fig["AANT_MAN"],
                    fig["AANT_VROUW"],
                    density,
                    fig["WONINGEN"],
                    fig["OPP_TOT"],
                    fig["OPP_LAND"],
                    fig["OPP_WATER"],
                ]
            )
    path = target / f"demo_kwb_{STATLINE_YEAR}_{STATLINE_TABLE}.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def _readme(target: Path, files: list[Path]) -> Path:
    """``README.txt``: the data are fictitious (Dutch and English), and what is in the folder."""
    listing = "\n".join(f"  {f.name}" for f in files)
    years = f"{KAART_YEARS[0]}-{KAART_YEARS[-1]}"
    gemeente = f'{DEMO_GEMEENTE_CODE} "{DEMO_GEMEENTE_NAAM}"'
    text = f"""\
FICTIEF - FICTITIOUS

Dit zijn FICTIEVE demogegevens, gemaakt door Buurtlens (demogenerator versie
{GENERATOR_VERSION}). Het zijn GEEN echte cijfers en GEEN echte gebieden. De gemeente
{gemeente} bestaat niet; CBS gebruikt deze code niet.
De bestanden hebben wel de vorm van echte CBS-bestanden (wijk- en buurtkaart
{years}, gebiedsindeling en StatLine-tabel {STATLINE_TABLE} voor {STATLINE_YEAR}), zodat
de demo de gewone verwerking van Buurtlens doorloopt. Geheime cellen staan erin
zoals CBS ze schrijft: -99999999 in de kaart, "." in StatLine.

This is FICTITIOUS demo data generated by Buurtlens (demo generator version
{GENERATOR_VERSION}). These are NOT real figures and NOT real areas. The municipality
{gemeente} does not exist; CBS does not use this code.
The files have the formats of real CBS files (wijk- en buurtkaart {years},
boundaries and StatLine table {STATLINE_TABLE} for {STATLINE_YEAR}), so that the demo
runs through the normal Buurtlens pipeline. Secret cells are written the way CBS
writes them: -99999999 in the kaart, "." in StatLine.

Bestanden / files:
{listing}
"""
    path = target / "README.txt"
    path.write_bytes(text.encode("utf-8"))
    return path


def write_demo_sources(target: Path) -> list[Path]:
    """Write the demo source files into ``target`` (created if needed); return their paths.

    Deterministic: every call writes the same bytes. Files of an earlier generator version
    (``demo_*`` names that this version no longer writes) are removed so that the folder
    never holds two versions of the demo. Other files in ``target`` are left alone.

    Example: ``write_demo_sources(Path("var/demo-bronnen"))`` returns 20 paths, from
    ``demo_kaart_2019_gemeente.geojson`` to ``README.txt``.
    """
    target.mkdir(parents=True, exist_ok=True)
    layout = build_layout()
    exact = simulate(layout)
    written = [
        _kaart_layer(target, layout, level, year, exact[year])
        for year in KAART_YEARS
        for level in LEVELS
    ]
    written += [_gebiedsindeling_layer(target, layout, level) for level in LEVELS]
    written.append(_statline_table(target, layout, exact[STATLINE_YEAR]))
    written.append(_readme(target, written))
    for stale in sorted(p for p in set(target.glob("demo_*")) - set(written) if p.is_file()):
        logger.info("demo removed stale file=%s", stale.name)
        stale.unlink()
    logger.info(
        "demo sources written target=%s files=%d gemeente=%s wijken=%d buurten=%d version=%s",
        target, len(written), DEMO_GEMEENTE_CODE, len(layout.wijken), len(layout.buurten),
        GENERATOR_VERSION,
    )  # fmt: skip
    return written
