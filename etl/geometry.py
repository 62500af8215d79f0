# SPDX-License-Identifier: EUPL-1.2
"""Area geometry: reprojection, repair, full-precision rows and display artefacts.

Every extractor hands over a GeoDataFrame with :data:`etl.model.GEOM_COLUMNS` (``code``,
``vintage``, ``level``, ``geometry``) and a CRS: CBS/PDOK files come in RD New
(EPSG:28992) or in WGS84 lon/lat (EPSG:4326 / OGC:CRS84). This module turns that into the
two things the warehouse stores:

* ``area_geometry`` (:func:`full_precision_rows`): one row per area with the repaired
  WGS84 geometry as WKB at full precision, a point guaranteed inside the area and the area
  in hectares, for spatial joins in the ETL and for labels;
* ``geometries`` (:func:`display_artefacts`): per (vintage, level, gemeente) one compact
  GeoJSON FeatureCollection for the map, simplified *on shared arcs* so neighbours keep a
  common border, WGS84 with 5 decimals and only the area code as feature ``id``.

:func:`prepare` runs the whole chain. Nothing here reads files or talks to the network.

Why simplification happens per coverage, in RD metres
-----------------------------------------------------
Simplifying polygon by polygon opens slivers between neighbours, because each side of a
shared border is simplified differently. :func:`shapely.coverage_simplify` simplifies each
shared edge once, for both polygons. It runs on *all* areas of one (vintage, level) at once,
before the split per gemeente, so that borders between gemeenten also stay shared. It runs
in RD metres so that the tolerance is a distance that means the same everywhere in the
Netherlands (a degree of longitude is only ~0.61 of a degree of latitude here).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from shapely.errors import GEOSException, UnsupportedGEOSVersionError

from etl.model import GEOM_COLUMNS
from etl.model import gemeente_of as _default_gemeente_of

logger = logging.getLogger(__name__)

RD: Final = "EPSG:28992"
WGS84: Final = "EPSG:4326"

#: Decimals of the display coordinates. 1e-5 degree is about 1.1 m north-south and
#: 0.7 m east-west in the Netherlands: well below what a map of buurten can show and
#: below the simplification tolerance, so rounding never dominates the shape.
DISPLAY_DECIMALS: Final = 5

#: Default simplification tolerance in metres (roughly the square root of the area of the
#: triangles that Visvalingam-Whyatt removes). A buurt map of one gemeente is seen at web
#: zoom 12-14, where one screen pixel is 24-6 m on the ground at 52 degrees north; 10 m
#: changes no visible pixel at those zooms and at most one or two when zoomed to a single
#: buurt (zoom 15-16), while removing most vertices of the detailed CBS wijk- en buurtkaart
#: (vertices every few metres). It is also ten times the 5-decimal rounding step, so the
#: rounding cannot undo the simplification. Already generalised inputs (cartomap, CBS
#: "gegeneraliseerd" layers) barely change. Wijk and gemeente maps could use more, but one
#: tolerance keeps a wijk border identical to the buurt borders on it.
DEFAULT_TOLERANCE_M: Final = 10.0

#: Gaps narrower than this (metres) between areas of one coverage are generalisation
#: slivers, not real "no man's land"; they are closed before simplification of an
#: imperfect coverage so that they cannot widen into visible hairline gaps.
SLIVER_WIDTH_M: Final = 1.0

#: Hex digits of the SHA-256 kept in :attr:`Artefact.etag` (64 bits: no collisions among
#: the few thousand artefacts of one warehouse).
ETAG_HEX_DIGITS: Final = 16

_POLYGONAL: Final = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class Artefact:
    """One display artefact: the map geometry of one (vintage, level, gemeente).

    ``geojson`` is a compact FeatureCollection in WGS84 (5 decimals, features sorted by
    code, each ``{"type":"Feature","id":<code>,"properties":{},"geometry":...}``), ready
    to be served as is and used by Plotly's ``Choroplethmap`` with ``featureidkey="id"``.
    ``bbox`` is ``(west, south, east, north)`` in degrees; ``etag`` is the first
    :data:`ETAG_HEX_DIGITS` hex digits of the SHA-256 of ``geojson`` (quote it for HTTP).
    """

    vintage: int
    level: str
    gemeente_code: str
    geojson: str
    feature_count: int
    bbox: tuple[float, float, float, float]
    etag: str

    @property
    def size_bytes(self) -> int:
        """Size of :attr:`geojson` in UTF-8 bytes."""
        return len(self.geojson.encode("utf-8"))

    @property
    def gzip_size_bytes(self) -> int:
        """Size of :attr:`geojson` after gzip (what a browser downloads)."""
        return len(gzip.compress(self.geojson.encode("utf-8"), mtime=0))

    def as_row(self) -> dict[str, Any]:
        """The artefact as a row of the warehouse table ``geometries``."""
        west, south, east, north = self.bbox
        return {
            "vintage": self.vintage,
            "level": self.level,
            "gemeente_code": self.gemeente_code,
            "geojson": self.geojson,
            "feature_count": self.feature_count,
            "bbox_west": west,
            "bbox_south": south,
            "bbox_east": east,
            "bbox_north": north,
            "etag": self.etag,
        }


ARTEFACT_COLUMNS: Final[list[str]] = [
    "vintage",
    "level",
    "gemeente_code",
    "geojson",
    "feature_count",
    "bbox_west",
    "bbox_south",
    "bbox_east",
    "bbox_north",
    "etag",
]
FULL_PRECISION_COLUMNS: Final[list[str]] = [
    "code",
    "vintage",
    "level",
    "wkb",
    "centroid_lon",
    "centroid_lat",
    "area_ha",
]


@dataclass(frozen=True)
class PreparedGeometry:
    """Everything the warehouse needs from one geometry frame (see :func:`prepare`).

    ``wgs84`` is the repaired input in EPSG:4326 (the rows that survived repair);
    ``area_geometry`` has :data:`FULL_PRECISION_COLUMNS`; ``geometries`` has
    :data:`ARTEFACT_COLUMNS` (one row per artefact); ``notes`` are the repair notes for the
    run log, one per repaired or dropped area.
    """

    wgs84: gpd.GeoDataFrame
    area_geometry: pd.DataFrame
    artefacts: list[Artefact]
    notes: list[str] = field(default_factory=list)

    @property
    def geometries(self) -> pd.DataFrame:
        return artefact_frame(self.artefacts)


# --- checks ---------------------------------------------------------------------------


def _check_columns(gdf: gpd.GeoDataFrame) -> None:
    missing = [c for c in GEOM_COLUMNS if c not in gdf.columns]
    if missing:
        raise ValueError(f"geometry frame lacks column(s) {missing}; expected {GEOM_COLUMNS}")


def _check_crs(gdf: gpd.GeoDataFrame) -> CRS:
    if gdf.crs is None:
        raise ValueError(
            "geometry frame has no CRS; expected EPSG:28992 (RD New) or EPSG:4326 (WGS84)"
        )
    return CRS.from_user_input(gdf.crs)


def _check_unique(gdf: gpd.GeoDataFrame) -> None:
    dup = gdf.duplicated(subset=["vintage", "code"], keep=False)
    if dup.any():
        keys = sorted({(int(v), str(c)) for v, c in gdf.loc[dup, ["vintage", "code"]].values})
        raise ValueError(f"areas appear more than once (vintage, code): {keys[:10]}")


def _is_wgs84(crs: CRS) -> bool:
    # EPSG:4326 and OGC:CRS84 differ only in axis order, which geopandas ignores (it
    # always works x = longitude); both are "WGS84 lon/lat" for us.
    return crs.equals(CRS.from_epsg(4326), ignore_axis_order=True)


def _is_rd(crs: CRS) -> bool:
    return crs.equals(CRS.from_epsg(28992), ignore_axis_order=True)


# --- reprojection ---------------------------------------------------------------------


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` in WGS84 lon/lat (EPSG:4326).

    ``gdf`` has :data:`~etl.model.GEOM_COLUMNS` and a CRS: RD New (EPSG:28992), WGS84
    (EPSG:4326 or OGC:CRS84) or any other CRS that PROJ can transform. RD is converted
    with PROJ's default pipeline (a 7-parameter Helmert, about 1 m accurate, no grid file
    needed).

    Raises :class:`ValueError` when the CRS is missing, when a column is missing, or when
    the result lies outside lon/lat bounds (typically RD metres in a GeoJSON file without
    its ``crs`` member, which readers then take for WGS84). The caller turns it into a
    :class:`~etl.model.SourceError` naming the file.

    >>> import shapely
    >>> rd = gpd.GeoDataFrame(
    ...     {"code": ["BU03920101"], "vintage": [2024], "level": ["buurt"]},
    ...     geometry=[shapely.Point(155000, 463000)], crs="EPSG:28992")
    >>> point = to_wgs84(rd).geometry.iloc[0]
    >>> round(point.x, 4), round(point.y, 4)
    (5.3872, 52.1552)
    """
    _check_columns(gdf)
    crs = _check_crs(gdf)
    if _is_wgs84(crs):
        out = gdf.copy()
        out = out.set_crs(WGS84, allow_override=True)
    else:
        out = gdf.to_crs(WGS84)
    if len(out) and not out.geometry.is_empty.all():
        west, south, east, north = out.geometry.total_bounds
        if west < -180 or east > 180 or south < -90 or north > 90:
            raise ValueError(
                f"coordinates ({west:.0f}, {south:.0f}, {east:.0f}, {north:.0f}) are not "
                f"longitude/latitude although the CRS is {crs.to_string()}; "
                "an RD file without its crs member?"
            )
    return out


def rd_geometries(gdf: gpd.GeoDataFrame) -> NDArray[np.object_]:
    """The geometries of ``gdf`` in RD New (EPSG:28992), in row order.

    :func:`full_precision_rows` and :func:`display_artefacts` both need them; a caller that
    runs both computes them once and passes them as ``rd_geometry`` (reprojecting a national
    set of areas takes seconds).
    """
    crs = _check_crs(gdf)
    rd = gdf.geometry if _is_rd(crs) else gdf.geometry.to_crs(RD)
    return np.asarray(rd.values, dtype=object)


def _given_rd(
    gdf: gpd.GeoDataFrame, rd_geometry: NDArray[np.object_] | None
) -> NDArray[np.object_]:
    if rd_geometry is None:
        return rd_geometries(gdf)
    if len(rd_geometry) != len(gdf):
        raise ValueError(f"rd_geometry has {len(rd_geometry)} rows, the frame {len(gdf)}")
    return np.asarray(rd_geometry, dtype=object)


# --- repair ---------------------------------------------------------------------------


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of ``geom`` as one Polygon or MultiPolygon (maybe empty)."""
    if geom.geom_type in _POLYGONAL:
        return geom
    polygons: list[shapely.Geometry] = []
    stack = list(shapely.get_parts(geom))
    while stack:
        part = stack.pop()
        if part.geom_type == "Polygon":
            polygons.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            stack.extend(shapely.get_parts(part))
    if not polygons:
        return shapely.Polygon()
    merged = shapely.union_all(polygons)
    return merged if merged.geom_type in _POLYGONAL else _polygonal_part(merged)


def _make_polygonal_valid(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """make_valid where needed, keeping only polygonal parts. Valid polygons pass as is."""
    out = geoms.copy()
    fix = ~shapely.is_valid(out) | ~np.isin(shapely.get_type_id(out), (3, 6))
    fix &= ~shapely.is_missing(out)
    for i in np.flatnonzero(fix):
        out[i] = _polygonal_part(shapely.make_valid(out[i]))
    return out


def repair(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Make every geometry a valid Polygon or MultiPolygon; drop areas without one.

    Invalid geometries (self-intersections, collapsed rings) go through
    :func:`shapely.make_valid`; only its polygonal parts are kept. Non-polygonal parts of
    otherwise valid geometries (points, lines in a collection) are removed. Rows whose
    geometry is missing, empty, or empty after repair (a ring that collapsed to a line) are
    dropped. Nothing happens silently: every repaired or dropped area gets a note, in
    input order, that starts with ``"<code>: "``. Valid polygons are returned unchanged;
    the index of the surviving rows is kept, and the CRS does not matter.

    >>> import shapely
    >>> bow_tie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> gdf = gpd.GeoDataFrame(
    ...     {"code": ["BU04000103"], "vintage": [2014], "level": ["buurt"]},
    ...     geometry=[bow_tie], crs="EPSG:28992")
    >>> fixed, notes = repair(gdf)
    >>> fixed.geometry.iloc[0].geom_type, fixed.geometry.iloc[0].area
    ('MultiPolygon', 2.0)
    >>> notes[0]
    'BU04000103: self-intersection repaired (vintage 2014, at 1 1)'
    """
    _check_columns(gdf)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    invalid = ~missing & ~shapely.is_valid(geoms)
    reasons = shapely.is_valid_reason(geoms)
    repaired = _make_polygonal_valid(geoms)
    changed = ~missing & ~invalid & (shapely.get_type_id(geoms) != shapely.get_type_id(repaired))
    empty_after = ~missing & (shapely.is_missing(repaired) | shapely.is_empty(repaired))

    notes: list[str] = []
    codes = gdf["code"].to_numpy()
    vintages = gdf["vintage"].to_numpy()
    for i in np.flatnonzero(missing | invalid | changed):
        code, vintage = codes[i], vintages[i]
        if missing[i]:
            notes.append(f"{code}: no geometry, left out of the map (vintage {vintage})")
            continue
        if invalid[i]:
            problem, _, where = str(reasons[i]).partition("[")
            what = problem.strip().lower()
            where_text = f", at {where.rstrip(']')}" if where else ""
            collapsed = " (collapsed to a line or point)"
        else:
            what = f"non-polygonal geometry ({geoms[i].geom_type})"
            where_text = collapsed = ""
        if empty_after[i]:
            notes.append(
                f"{code}: {what}, no area left after repair{collapsed}, "
                f"left out of the map (vintage {vintage}{where_text})"
            )
        else:
            notes.append(f"{code}: {what} repaired (vintage {vintage}{where_text})")
    for note in notes:
        logger.warning("event=geometry_repair note=%r", note)

    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(repaired, index=gdf.index, crs=gdf.crs))
    keep = ~(missing | empty_after)
    logger.info(
        "event=geometry_repair rows=%d repaired=%d dropped=%d",
        len(gdf),
        int(((invalid | changed) & ~empty_after).sum()),
        int((~keep).sum()),
    )
    return out.loc[keep], notes


# --- full precision -------------------------------------------------------------------


def _inside_point(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """The centroid where it lies inside the area, else a point on the surface.

    The centroid is the natural label and zoom point of a compact area; for a crescent or
    an area with a hole in the middle it can lie outside, and then GEOS'
    ``point_on_surface`` (always inside) is used instead.
    """
    centroids = shapely.centroid(geoms)
    inside = shapely.contains_properly(geoms, centroids)
    points = centroids.copy()
    points[~inside] = shapely.point_on_surface(geoms[~inside])
    return points


def full_precision_rows(
    gdf: gpd.GeoDataFrame, *, rd_geometry: NDArray[np.object_] | None = None
) -> pd.DataFrame:
    """Rows of the warehouse table ``area_geometry``, one per area, in input order.

    ``gdf`` has :data:`~etl.model.GEOM_COLUMNS`, any CRS, and valid polygonal geometries
    (run :func:`repair` first); ``(vintage, code)`` must be unique. Returns
    :data:`FULL_PRECISION_COLUMNS`: ``wkb`` is the WGS84 geometry as 2D little-endian WKB
    at full precision; ``centroid_lon``/``centroid_lat`` is a point guaranteed inside the
    area (the centroid when it lies inside, else a point on the surface); ``area_ha`` is
    the area in hectares, computed in RD New metres (EPSG:28992). ``rd_geometry``: the same
    geometries in RD, when the caller has them already (:func:`rd_geometries`).

    >>> import shapely
    >>> gdf = gpd.GeoDataFrame(
    ...     {"code": ["BU03920101"], "vintage": [2024], "level": ["buurt"]},
    ...     geometry=[shapely.box(155000, 463000, 156000, 464000)], crs="EPSG:28992")
    >>> row = full_precision_rows(gdf).iloc[0]
    >>> [round(float(row[c]), 3) for c in ("area_ha", "centroid_lon", "centroid_lat")]
    [100.0, 5.395, 52.16]
    """
    _check_columns(gdf)
    _check_crs(gdf)
    _check_unique(gdf)
    wgs = to_wgs84(gdf)
    wgs_geoms = np.asarray(wgs.geometry.values, dtype=object)
    if shapely.is_missing(wgs_geoms).any() or shapely.is_empty(wgs_geoms).any():
        bad = gdf.loc[shapely.is_missing(wgs_geoms) | shapely.is_empty(wgs_geoms), "code"]
        raise ValueError(f"areas without geometry (run repair() first): {list(bad)[:10]}")
    rd_geoms = _given_rd(gdf, rd_geometry)
    points = _inside_point(wgs_geoms)
    frame = pd.DataFrame(
        {
            "code": gdf["code"].astype(str).to_numpy(),
            "vintage": gdf["vintage"].astype("int64").to_numpy(),
            "level": gdf["level"].astype(str).to_numpy(),
            "wkb": shapely.to_wkb(wgs_geoms, output_dimension=2, byte_order=1),
            "centroid_lon": shapely.get_x(points),
            "centroid_lat": shapely.get_y(points),
            "area_ha": shapely.area(rd_geoms) / 10_000.0,
        },
        columns=FULL_PRECISION_COLUMNS,
    )
    logger.info("event=full_precision_rows rows=%d", len(frame))
    return frame


# --- display artefacts ----------------------------------------------------------------


def _codes_text(codes: Iterable[str], limit: int = 10) -> str:
    items = sorted(codes)
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _clean_coverage(
    geoms: NDArray[np.object_], codes: NDArray[np.object_], label: str
) -> NDArray[np.object_]:
    """Turn an imperfect coverage (overlaps, unmatched edges, slivers) into a valid one.

    Real generalised data has tiny overlaps and gaps where neighbours were generalised
    separately; simplifying such edges independently could open visible gaps. GEOS'
    coverage cleaner nodes the edges, gives each overlap to the neighbour with the longest
    common border and closes gaps narrower than :data:`SLIVER_WIDTH_M`. The result is
    only used for display. Anything that goes wrong leaves the input as it was, with a
    warning: a slightly imperfect map is better than no map.
    """
    invalid_edges = shapely.coverage_invalid_edges(geoms, gap_width=SLIVER_WIDTH_M)
    bad = ~shapely.is_empty(invalid_edges) & ~shapely.is_missing(invalid_edges)
    logger.warning(
        "event=coverage_invalid coverage=%s areas=%d invalid_edge_length_m=%.1f codes=%r; "
        "cleaning before simplification",
        label,
        int(bad.sum()),
        float(shapely.length(invalid_edges[bad]).sum()),
        _codes_text(codes[bad]),
    )
    try:
        cleaned = np.asarray(shapely.coverage_clean(geoms, gap_width=SLIVER_WIDTH_M), dtype=object)
    except (GEOSException, UnsupportedGEOSVersionError) as e:  # cleaner needs GEOS >= 3.14
        logger.warning("event=coverage_clean_failed coverage=%s error=%r", label, str(e))
        return geoms
    cleaned = _make_polygonal_valid(cleaned)
    lost = shapely.is_missing(cleaned) | shapely.is_empty(cleaned)
    if lost.any():
        # An area entirely covered by others: keep it (overlapping) rather than lose it.
        logger.warning(
            "event=coverage_clean_lost coverage=%s codes=%r; kept uncleaned",
            label,
            _codes_text(codes[lost]),
        )
        cleaned[lost] = geoms[lost]
    return cleaned


def _simplify_coverage(
    geoms: NDArray[np.object_], codes: NDArray[np.object_], tolerance_m: float, label: str
) -> NDArray[np.object_]:
    """Simplify one (vintage, level) coverage in RD metres on shared edges."""
    if not shapely.coverage_is_valid(geoms, gap_width=SLIVER_WIDTH_M):
        geoms = _clean_coverage(geoms, codes, label)
    if tolerance_m == 0:
        return geoms
    simplified = np.asarray(shapely.coverage_simplify(geoms, tolerance_m), dtype=object)
    # coverage_simplify keeps a valid coverage valid; an imperfect one left after a failed
    # clean may produce invalid polygons, which are repaired here.
    return _make_polygonal_valid(simplified)


def _round_valid(geoms: NDArray[np.object_], decimals: int) -> NDArray[np.object_]:
    """Round coordinates to ``decimals``; repair the rare polygon the rounding breaks.

    Plain rounding maps a vertex shared by neighbours to the same rounded vertex in both,
    so shared borders stay shared. Rounding can still make a polygon invalid (a narrow
    spike that now touches the opposite edge, a ring collapsing); those few are redone with
    GEOS' snap-rounding precision reduction, which yields a valid polygon on the same grid.
    """
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    broken = ~shapely.is_valid(rounded)
    for i in np.flatnonzero(broken):
        fixed = shapely.set_precision(geoms[i], 10.0**-decimals, mode="valid_output")
        rounded[i] = _polygonal_part(fixed)
    return rounded


def _coordinates(geoms: NDArray[np.object_], which: NDArray[np.bool_]) -> list[Any]:
    """GeoJSON ``coordinates`` of the (Multi)Polygons ``geoms[which]`` (``None`` elsewhere).

    The same nested lists of ``[x, y]`` that :func:`shapely.geometry.mapping` gives as
    tuples (so the same JSON), built from one coordinate array per coverage instead of
    ring by ring: a national coverage has tens of thousands of areas.
    """
    out: list[Any] = [None] * len(geoms)
    at = np.flatnonzero(which)
    if not len(at):
        return out
    chosen = geoms[at]
    xy = shapely.get_coordinates(chosen).tolist()
    parts, part_of = shapely.get_parts(chosen, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    ends = np.cumsum(shapely.get_num_coordinates(rings)).tolist()
    polygons: list[list[Any]] = [[] for _ in range(len(parts))]
    start = 0
    for ring, end in zip(ring_of.tolist(), ends, strict=True):
        polygons[ring].append(xy[start:end])
        start = end
    per_geom: list[list[Any]] = [[] for _ in range(len(chosen))]
    for polygon, geom in zip(polygons, part_of.tolist(), strict=True):
        per_geom[geom].append(polygon)
    multi = shapely.get_type_id(chosen) == shapely.GeometryType.MULTIPOLYGON
    for i, polys, is_multi in zip(at.tolist(), per_geom, multi.tolist(), strict=True):
        out[i] = polys if is_multi else polys[0]
    return out


def _feature_collection(
    codes: list[str], geoms: list[shapely.Geometry], coordinates: list[Any] | None = None
) -> str:
    """The FeatureCollection of ``geoms`` (Polygons or MultiPolygons), ids ``codes``.

    ``coordinates`` (from :func:`_coordinates`) saves converting the geometries one by one.
    """
    if coordinates is None:
        coordinates = _coordinates(np.asarray(geoms, dtype=object), np.ones(len(geoms), bool))
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {},
            "geometry": {"type": geom.geom_type, "coordinates": coords},
        }
        for code, geom, coords in zip(codes, geoms, coordinates, strict=True)
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features},
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def display_artefacts(
    gdf: gpd.GeoDataFrame,
    *,
    gemeente_of: Callable[[str], str] | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    rd_geometry: NDArray[np.object_] | None = None,
) -> list[Artefact]:
    """Build the map artefacts: one per (vintage, level, gemeente), sorted by that key.

    ``gdf`` has :data:`~etl.model.GEOM_COLUMNS`, any CRS, unique ``(vintage, code)`` and
    non-empty polygonal geometries (run :func:`repair` first). For each (vintage, level)
    all areas are simplified together as one coverage (so borders between gemeenten also
    stay shared) with :func:`shapely.coverage_simplify` in RD metres at ``tolerance_m``
    (0 = no simplification; see :data:`DEFAULT_TOLERANCE_M`), then converted to WGS84,
    rounded to :data:`DISPLAY_DECIMALS` decimals, oriented as RFC 7946 asks (exterior
    rings counter-clockwise), and split by ``gemeente_of(code)`` (default
    ``"GM" + code[2:6]``). Gemeente polygons give artefacts of level ``gemeente``, one per
    gemeente, the same way. ``rd_geometry``: the same geometries in RD, when the caller has
    them already (:func:`rd_geometries`).

    An imperfect coverage (overlaps, unmatched shared edges, slivers below
    :data:`SLIVER_WIDTH_M`) is logged with the codes involved and cleaned for display
    (see :func:`_clean_coverage`); it never fails the run.

    >>> import shapely
    >>> gdf = gpd.GeoDataFrame(
    ...     {"code": ["BU03920101", "BU03920102"], "vintage": [2024, 2024],
    ...      "level": ["buurt", "buurt"]},
    ...     geometry=[shapely.box(103000, 488000, 104000, 489000),
    ...               shapely.box(104000, 488000, 105000, 489000)], crs="EPSG:28992")
    >>> [artefact] = display_artefacts(gdf)
    >>> artefact.gemeente_code, artefact.feature_count, len(artefact.etag)
    ('GM0392', 2, 16)
    >>> artefact.geojson[:60]
    '{"type":"FeatureCollection","features":[{"type":"Feature","i'
    """
    _check_columns(gdf)
    _check_crs(gdf)
    _check_unique(gdf)
    if not tolerance_m >= 0:
        raise ValueError(f"tolerance_m must be >= 0 metres, got {tolerance_m!r}")
    gem = gemeente_of or _default_gemeente_of
    geoms_in = np.asarray(gdf.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms_in) | shapely.is_empty(geoms_in)
    if empty.any():
        raise ValueError(
            f"areas without geometry (run repair() first): {_codes_text(gdf.loc[empty, 'code'])}"
        )

    # Reprojection can, rarely, make a valid polygon invalid; repair quietly (the source
    # geometry itself was valid, so there is nothing to report).
    rd_geoms = _make_polygonal_valid(shapely.force_2d(_given_rd(gdf, rd_geometry)))
    codes_all = gdf["code"].astype(str).to_numpy(dtype=object)
    vintages = gdf["vintage"].astype("int64").to_numpy()
    levels = gdf["level"].astype(str).to_numpy(dtype=object)

    artefacts: list[Artefact] = []
    keys = sorted({(int(v), str(lv)) for v, lv in zip(vintages, levels, strict=True)})
    for vintage, level in keys:
        members = np.flatnonzero((vintages == vintage) & (levels == level))
        codes = codes_all[members]
        label = f"{vintage}/{level}"
        simplified = _simplify_coverage(rd_geoms[members], codes, tolerance_m, label)
        wgs = gpd.GeoSeries(simplified, crs=RD).to_crs(WGS84).values
        display = shapely.orient_polygons(
            _round_valid(np.asarray(wgs, dtype=object), DISPLAY_DECIMALS), exterior_cw=False
        )
        lost = shapely.is_empty(display)
        if lost.any():
            logger.warning(
                "event=display_area_lost coverage=%s codes=%r reason='smaller than the "
                "display grid'",
                label,
                _codes_text(codes[lost]),
            )
        if not shapely.coverage_is_valid(display[~lost]):
            edges = shapely.coverage_invalid_edges(display[~lost])
            bad = ~shapely.is_empty(edges) & ~shapely.is_missing(edges)
            logger.warning(
                "event=display_coverage_invalid coverage=%s codes=%r",
                label,
                _codes_text(codes[~lost][bad]),
            )

        by_gemeente: dict[str, list[int]] = {}
        for i in np.flatnonzero(~lost):
            by_gemeente.setdefault(gem(str(codes[i])), []).append(int(i))
        coordinates = _coordinates(display, ~lost)
        for gemeente_code in sorted(by_gemeente):
            idx = sorted(by_gemeente[gemeente_code], key=lambda i: str(codes[i]))
            part = display[idx]
            geojson = _feature_collection(
                [str(codes[i]) for i in idx], list(part), [coordinates[i] for i in idx]
            )
            west, south, east, north = (float(b) for b in shapely.total_bounds(part))
            artefact = Artefact(
                vintage=vintage,
                level=level,
                gemeente_code=gemeente_code,
                geojson=geojson,
                feature_count=len(idx),
                bbox=(west, south, east, north),
                etag=hashlib.sha256(geojson.encode("utf-8")).hexdigest()[:ETAG_HEX_DIGITS],
            )
            artefacts.append(artefact)
            logger.info(
                "event=display_artefact vintage=%d level=%s gemeente=%s features=%d "
                "bytes=%d etag=%s",
                vintage,
                level,
                gemeente_code,
                artefact.feature_count,
                artefact.size_bytes,
                artefact.etag,
            )
    return artefacts


def artefact_frame(artefacts: Iterable[Artefact]) -> pd.DataFrame:
    """The artefacts as rows of the warehouse table ``geometries`` (:data:`ARTEFACT_COLUMNS`)."""
    return pd.DataFrame([a.as_row() for a in artefacts], columns=ARTEFACT_COLUMNS)


# --- the whole chain ------------------------------------------------------------------


def prepare(
    gdf: gpd.GeoDataFrame,
    *,
    gemeente_of: Callable[[str], str] | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> PreparedGeometry:
    """Reproject, repair, and build full-precision rows and display artefacts.

    The chain is :func:`to_wgs84` -> :func:`repair` (in WGS84, so that the stored geometry
    is the valid one) -> :func:`full_precision_rows` and :func:`display_artefacts`. Raises
    :class:`ValueError` for a missing CRS or column or a duplicated ``(vintage, code)``;
    the caller turns it into a :class:`~etl.model.SourceError` naming the file.

    >>> import shapely
    >>> gdf = gpd.GeoDataFrame(
    ...     {"code": ["GM0392"], "vintage": [2024], "level": ["gemeente"]},
    ...     geometry=[shapely.box(100000, 484000, 108000, 492000)], crs="EPSG:28992")
    >>> prepared = prepare(gdf)
    >>> prepared.area_geometry["area_ha"].round(1).tolist(), len(prepared.artefacts)
    ([6400.0], 1)
    """
    wgs = to_wgs84(gdf)
    repaired, notes = repair(wgs)
    rd = rd_geometries(repaired)
    return PreparedGeometry(
        wgs84=repaired,
        area_geometry=full_precision_rows(repaired, rd_geometry=rd),
        artefacts=display_artefacts(
            repaired, gemeente_of=gemeente_of, tolerance_m=tolerance_m, rd_geometry=rd
        ),
        notes=notes,
    )
