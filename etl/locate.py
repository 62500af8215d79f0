# SPDX-License-Identifier: EUPL-1.2
"""Point-in-polygon: in which buurt, wijk and gemeente a BAG object or a registration lies.

The sources that carry locations instead of area codes (BAG, the municipality's own
registrations) are counted per area with the boundaries of the right year. This module turns
the merged boundaries of a run (full-precision WGS84 polygons, ``code``/``vintage``/``level``/
``geometry``) into a :class:`VintageMap` and assigns points to it.

Decisions recorded here:

- **One level is located, the others follow from the code.** Per (vintage, gemeente) the
  finest level with polygons is used (buurten; wijken when a vintage has no buurt map for
  the gemeente; else the gemeente outline). A wijk and a gemeente get the sum of their
  buurten (``"WK" + buurtcode[2:8]``, ``"GM" + code[2:6]``), so figures add up over the
  hierarchy exactly, which disclosure control relies on. A parent is only given a figure when
  it has a boundary of its own in the same vintage and its located children cover at least
  :data:`MIN_PARENT_COVERAGE` of it: a partial buurt file (e.g. only one wijk of a gemeente)
  must not produce a gemeente total that looks complete.
- **Objects on a border are assigned once, deterministically**: a point that touches several
  polygons (on a shared border, or where generalised polygons overlap) goes to the one with
  the smallest area code. The result does not depend on the order of the input.
- **Coordinates are WGS84 lon/lat**, like the merged boundaries; RD points are converted
  first (:func:`rd_to_wgs84`).

The search avoids one shapely Point per object (10 million BAG objects would take gigabytes
and most of a minute): points are sorted into columns of about one polygon width, each
polygon picks the points inside its bounding box by binary search, and
:func:`shapely.intersects_xy` tests those against the prepared polygon.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray

from etl.model import (
    AREA_COLUMNS,
    GEOM_COLUMNS,
    LEVELS,
    Level,
    SourceResult,
    empty_observations,
    gemeente_of,
    parent_of,
)

logger = logging.getLogger(__name__)

#: A wijk or gemeente gets the sum of its located children only when their polygons cover
#: at least this share of its own polygon (generalised layers of different years differ by a
#: few per cent; a file with one wijk's buurten covers a fraction of the gemeente).
MIN_PARENT_COVERAGE: Final = 0.9
#: Kind of the :class:`~etl.model.SourceResult` that carries boundaries from the live
#: warehouse into a run (see :func:`boundaries_from_warehouse`).
KIND_WAREHOUSE_BOUNDARIES: Final = "warehouse_boundaries"
NOT_FOUND: Final = -1

_LEVEL_RANK: Final[dict[str, int]] = {"gemeente": 0, "wijk": 1, "buurt": 2}
_RD_TO_WGS84: Final = pyproj.Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
_WGS84_TO_RD: Final = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def rd_to_wgs84(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """RD New (EPSG:28992) metres to WGS84 lon/lat degrees (PROJ's default pipeline, ~1 m).

    >>> lon, lat = rd_to_wgs84(np.array([155000.0]), np.array([463000.0]))
    >>> round(float(lon[0]), 4), round(float(lat[0]), 4)
    (5.3872, 52.1552)
    """
    lon, lat = _RD_TO_WGS84.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def wgs84_to_rd(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """WGS84 lon/lat to RD New metres (the inverse of :func:`rd_to_wgs84`)."""
    x, y = _WGS84_TO_RD.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


# --- the core search ------------------------------------------------------------------


def assign_points(
    geometries: NDArray[np.object_], x: NDArray[np.float64], y: NDArray[np.float64]
) -> NDArray[np.int64]:
    """For every point, the position in ``geometries`` of the polygon it lies in, or -1.

    A point on the boundary of a polygon lies in it ("intersects"); a point that lies in
    several polygons gets the *lowest* position, so with ``geometries`` in code order it goes
    to the smallest code. NaN coordinates give -1.

    >>> squares = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> assign_points(squares, np.array([0.5, 1.0, 1.5, 3.0]), np.array([0.5, 0.5, 0.5, 0.5]))
    array([ 0,  0,  1, -1])
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    result = np.full(n, len(geometries), dtype=np.int64)
    usable = np.isfinite(x) & np.isfinite(y)
    if n == 0 or len(geometries) == 0 or not usable.any():
        return np.full(n, NOT_FOUND, dtype=np.int64)
    polys = np.asarray(geometries, dtype=object)
    shapely.prepare(polys)
    bounds = shapely.bounds(polys)
    present = ~np.isnan(bounds).any(axis=1)
    width = float(np.median(bounds[present, 2] - bounds[present, 0])) if present.any() else 1.0
    width = width if width > 0 else 1.0

    points = np.flatnonzero(usable)
    px, py = x[points], y[points]
    x0 = float(min(bounds[present, 0].min(), px.min()))
    column = np.floor((px - x0) / width).astype(np.int64)
    columns = int(column.max()) + 1
    # One sort on (column, y): a float key, because np.lexsort is several times slower.
    span = float(py.max() - py.min()) + 1.0
    order = np.argsort(column * span + (py - py.min()), kind="stable")
    sx, sy, sorted_points = px[order], py[order], points[order]
    starts = np.searchsorted(column[order], np.arange(columns + 1))

    for i in np.flatnonzero(present):
        minx, miny, maxx, maxy = bounds[i]
        first = max(int((minx - x0) // width), 0)
        last = min(int((maxx - x0) // width), columns - 1)
        pieces = []
        for c in range(first, last + 1):
            s, e = starts[c], starts[c + 1]
            if s == e:
                continue
            lo = s + np.searchsorted(sy[s:e], miny, "left")
            hi = s + np.searchsorted(sy[s:e], maxy, "right")
            if hi > lo:
                pieces.append(np.arange(lo, hi))
        if not pieces:
            continue
        idx = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        cx = sx[idx]
        idx = idx[(cx >= minx) & (cx <= maxx)]
        if not len(idx):
            continue
        hit = idx[shapely.intersects_xy(polys[i], sx[idx], sy[idx])]
        targets = sorted_points[hit]
        result[targets] = np.minimum(result[targets], i)
    result[result == len(geometries)] = NOT_FOUND
    return result


# --- maps of one vintage ----------------------------------------------------------------


@dataclass(frozen=True)
class VintageMap:
    """The polygons that objects of one vintage are located in, and the areas that get figures.

    ``codes``/``geometries`` are the located polygons (the finest level per gemeente), in code
    order. ``outputs`` are the areas that get a figure, per level in code order; ``rollup``
    maps each located polygon to its position in ``outputs[level]`` (-1: that level gets no
    figure for it). ``notes`` explain areas left without a figure.
    """

    vintage: int
    codes: NDArray[np.str_]
    geometries: NDArray[np.object_]
    outputs: dict[Level, list[str]]
    rollup: dict[Level, NDArray[np.int64]]
    notes: list[str] = field(default_factory=list)

    @property
    def gemeenten(self) -> list[str]:
        """The gemeenten that have polygons in this map."""
        return sorted({gemeente_of(c) for c in self.codes})

    def locate(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.int64]:
        """Position in :attr:`codes` of the polygon each WGS84 point lies in, or -1."""
        return assign_points(self.geometries, lon, lat)

    def counts(
        self,
        located: NDArray[np.int64],
        weights: NDArray[np.float64] | None = None,
        mask: NDArray[np.bool_] | None = None,
    ) -> dict[Level, NDArray[np.float64]]:
        """Sum ``weights`` (default 1 per object) of the located objects per output area.

        ``located`` comes from :meth:`locate`; objects with -1 or ``mask`` False are left
        out. Returns per level an array parallel to ``outputs[level]``; areas without objects
        get 0.
        """
        keep = located >= 0
        if mask is not None:
            keep &= mask
        idx = located[keep]
        w = None if weights is None else np.asarray(weights, dtype=np.float64)[keep]
        per_polygon = np.bincount(idx, weights=w, minlength=len(self.codes)).astype(np.float64)
        out: dict[Level, NDArray[np.float64]] = {}
        for level, codes in self.outputs.items():
            target = self.rollup[level]
            use = target >= 0
            out[level] = np.bincount(
                target[use], weights=per_polygon[use], minlength=len(codes)
            ).astype(np.float64)
        return out


def _wanted(codes: Iterable[str], gemeenten: Collection[str] | None) -> NDArray[np.bool_]:
    listed = list(codes)
    if not gemeenten:
        return np.ones(len(listed), dtype=bool)
    wanted = set(gemeenten)
    return np.array([gemeente_of(c) in wanted for c in listed], dtype=bool)


def vintage_map(
    boundaries: gpd.GeoDataFrame,
    vintage: int,
    *,
    areas: pd.DataFrame | None = None,
    gemeenten: Collection[str] | None = None,
) -> VintageMap:
    """The :class:`VintageMap` of ``vintage`` from a run's merged boundaries.

    ``boundaries`` has :data:`~etl.model.GEOM_COLUMNS` in WGS84 (the runner's merged,
    repaired geometry, or :func:`boundaries_from_warehouse`); ``areas`` (optional) restricts
    the output areas to those the warehouse will hold; ``gemeenten`` restricts the map to
    these gemeenten. Raises :class:`LookupError` when the vintage has no polygons for them.
    """
    frame = boundaries[boundaries["vintage"].astype("int64") == int(vintage)]
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    frame = frame[_wanted(frame["code"], gemeenten)]
    if frame.crs is not None and not frame.crs.equals("EPSG:4326", ignore_axis_order=True):
        frame = frame.to_crs(4326)
    if frame.empty:
        which = f" for {sorted(gemeenten)}" if gemeenten else ""
        raise LookupError(f"no boundaries of {vintage}{which}")
    known: set[str] | None = None
    if areas is not None:
        sel = areas[areas["vintage"].astype("int64") == int(vintage)]
        known = set(sel["code"])
    frame = frame.assign(_gm=[gemeente_of(c) for c in frame["code"]])
    frame = frame.assign(_rank=frame["level"].map(_LEVEL_RANK))
    finest = frame.groupby("_gm")["_rank"].transform("max")
    located = frame[frame["_rank"] == finest].sort_values("code", kind="stable")
    located = located.drop_duplicates("code")
    codes = located["code"].to_numpy(dtype=str)
    geometries = np.asarray(located.geometry.values, dtype=object)
    level_of_code = dict(zip(frame["code"], frame["level"], strict=True))
    area_of = dict(zip(frame["code"], shapely.area(frame.geometry.values), strict=True))

    notes: list[str] = []
    outputs: dict[Level, list[str]] = {}
    rollup: dict[Level, NDArray[np.int64]] = {}
    located_area = shapely.area(geometries)
    for level in LEVELS:
        targets = np.array([_ancestor(c, level) or "" for c in codes], dtype=object)
        candidates, inverse = np.unique(targets, return_inverse=True)
        covered_area = np.bincount(inverse, weights=located_area, minlength=len(candidates))
        published: list[str] = []
        for j, code in enumerate(candidates):
            if not code:
                continue
            if known is not None and code not in known:
                notes.append(f"{vintage} {code}: not among the areas of this run; no figures")
                continue
            if code not in level_of_code:
                notes.append(
                    f"{vintage} {code}: no {level} boundary of this year; no {level} figure"
                )
                continue
            covered = float(covered_area[j]) / max(float(area_of[code]), 1e-18)
            if covered < MIN_PARENT_COVERAGE:
                notes.append(
                    f"{vintage} {code}: the located areas cover {covered:.0%} of it "
                    f"(less than {MIN_PARENT_COVERAGE:.0%}); no {level} figure"
                )
                continue
            published.append(str(code))
        position = {c: i for i, c in enumerate(published)}
        outputs[level] = published
        rollup[level] = np.array([position.get(t, NOT_FOUND) for t in targets], dtype=np.int64)
    logger.info(
        "event=vintage_map vintage=%d polygons=%d outputs=%s without_figures=%d examples=%s",
        vintage,
        len(codes),
        ",".join(f"{level}:{len(c)}" for level, c in outputs.items()),
        len(notes),
        json.dumps(notes[:3], ensure_ascii=False),
    )
    return VintageMap(int(vintage), codes, geometries, outputs, rollup, notes)


def _ancestor(code: str, level: Level) -> str | None:
    """``code`` itself or its parent at ``level``; ``None`` when ``level`` is finer."""
    current: str | None = code
    while current is not None:
        if _LEVEL_RANK[_level_of(current)] == _LEVEL_RANK[level]:
            return current
        if _LEVEL_RANK[_level_of(current)] < _LEVEL_RANK[level]:
            return None
        current = parent_of(current)
    return None


def _level_of(code: str) -> Level:
    return {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}[code[:2]]  # type: ignore[return-value]


# --- boundaries that this run does not bring ------------------------------------------


def boundaries_from_warehouse(
    path: Path,
    vintages: Iterable[int],
    *,
    gemeenten: Collection[str] | None = None,
    source: str = "live-warehouse",
) -> SourceResult | None:
    """Boundaries of ``vintages`` from a published warehouse, as a source of this run.

    BAG and registrations are located with the boundaries of the right year. When this run's
    sources do not bring them, they can come from the live warehouse's ``area_geometry``
    table (full-precision WGS84 WKB) and ``areas``. The result is a
    :class:`~etl.model.SourceResult` of kind :data:`KIND_WAREHOUSE_BOUNDARIES` with areas
    and geometries but no figures; the runner adds it to the results *before* the merge, so
    the new warehouse holds these areas too (its observations must refer to known areas).
    Returns ``None`` when the file does not exist or holds none of these vintages.
    """
    wanted = sorted({int(v) for v in vintages})
    if not wanted or not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        placeholders = ", ".join("?" for _ in wanted)
        params: list[object] = list(wanted)
        gm_filter = ""
        if gemeenten:
            gm_filter = f" AND a.gemeente_code IN ({', '.join('?' for _ in gemeenten)})"
            params += sorted(gemeenten)
        areas = con.execute(
            "SELECT a.code, a.vintage, a.level, a.name, a.parent_code, a.gemeente_code "  # noqa: S608
            f"FROM areas a WHERE a.vintage IN ({placeholders}){gm_filter} "
            "ORDER BY a.vintage, a.code",
            params,
        ).df()
        geoms = con.execute(
            "SELECT g.code, g.vintage, g.level, g.wkb FROM area_geometry g "  # noqa: S608
            "JOIN areas a ON a.vintage = g.vintage AND a.code = g.code "
            f"WHERE g.vintage IN ({placeholders}){gm_filter} ORDER BY g.vintage, g.code",
            params,
        ).df()
    finally:
        con.close()
    if areas.empty:
        return None
    geometry = gpd.GeoDataFrame(
        geoms[["code", "vintage", "level"]].astype({"vintage": "int64"}),
        geometry=shapely.from_wkb([bytes(b) for b in geoms["wkb"]]),
        crs="EPSG:4326",
    )[GEOM_COLUMNS]
    areas = areas.astype({"vintage": "int64"})[AREA_COLUMNS]
    areas["name"] = areas["name"].astype(object).where(areas["name"].notna(), None)
    found = sorted(set(areas["vintage"].tolist()))
    logger.info(
        "event=boundaries_from_warehouse path=%s vintages=%s areas=%d geometries=%d",
        path,
        found,
        len(areas),
        len(geometry),
    )
    return SourceResult(
        source=source,
        file=f"{path}#area_geometry",
        kind=KIND_WAREHOUSE_BOUNDARIES,
        checksum="warehouse:" + ",".join(str(v) for v in found),
        areas=areas,
        observations=empty_observations(),
        geometries=geometry,
        rows_read=len(areas),
        vintages=found,
    )


def vintages_with_boundaries(
    results: Iterable[SourceResult], gemeenten: Collection[str] | None = None
) -> set[int]:
    """The vintages for which ``results`` bring polygons (of ``gemeenten``, when given)."""
    found: set[int] = set()
    for r in results:
        g = r.geometries
        if g is None or g.empty:
            continue
        sel = g[_wanted(g["code"], gemeenten)] if gemeenten else g
        found |= {int(v) for v in sel["vintage"].unique()}
    return found
