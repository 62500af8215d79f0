# SPDX-License-Identifier: EUPL-1.2
"""Merging the results of all sources into one consistent set of areas and observations.

Decisions recorded here (see also docs/adr/0002-merging-sources.md):

- Areas are keyed by ``(vintage, code)``. The first non-empty name wins, in source order.
- A buurt whose wijk is missing while other wijken of the same gemeente and vintage are
  present is rejected (with its figures and geometry): that is a broken or partial file.
  When a vintage has no wijk layer at all for a gemeente (e.g. only buurt boundaries were
  supplied), the buurten are kept and their parent code still names the wijk.
- Every wijk and buurt has its gemeente in the same vintage; a gemeente that no source
  names is added with an empty name rather than losing its wijken.
- Two sources with a figure for the same ``(vintage, area, period, indicator)``: StatLine
  and OData tables (revised releases) win over the kaart, which wins over anything else;
  within one kind, the source named first wins. Differences are counted in the run log.
- Geometry of one ``(vintage, level, gemeente)`` comes from ONE source (the one with the
  most areas, then the most vertices): mixing sources within a map breaks shared borders.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely

from etl.model import (
    AREA_COLUMNS,
    GEOM_COLUMNS,
    OBS_COLUMNS,
    Rejection,
    SourceResult,
    gemeente_of,
    parent_of,
)

logger = logging.getLogger(__name__)

#: Lower number = preferred when two sources give the same figure.
KIND_PRIORITY: Final[dict[str, int]] = {
    "cbs_odata_v3": 0,
    "cbs_odata_v4": 0,
    "cbs_statline_csv": 0,
    "cbs_kaart": 1,
    "pdok_ogc": 2,
}


@dataclass
class Merged:
    areas: pd.DataFrame
    observations: pd.DataFrame  # OBS_COLUMNS + source
    geometries: gpd.GeoDataFrame  # GEOM_COLUMNS, EPSG:4326 not yet guaranteed
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conflicts: int = 0


def merge(results: list[SourceResult]) -> Merged:
    """Combine extractor results (in source order) into one consistent set."""
    notes: list[str] = []
    rejected: list[Rejection] = []
    areas = _merge_areas(results, notes)
    areas, dropped = _check_hierarchy(areas, results, rejected, notes)
    observations, conflicts = _merge_observations(results, areas, rejected)
    geometries = _select_geometries(results, areas, notes)
    if dropped:
        keep = ~pd.MultiIndex.from_frame(geometries[["vintage", "code"]]).isin(dropped)
        geometries = geometries[keep]
    codes_with_geom = set(zip(geometries["vintage"], geometries["code"], strict=True))
    areas["has_geometry"] = [
        (v, c) in codes_with_geom for v, c in zip(areas["vintage"], areas["code"], strict=True)
    ]
    return Merged(areas, observations, geometries, rejected, notes, conflicts)


def _merge_areas(results: list[SourceResult], notes: list[str]) -> pd.DataFrame:
    frames = [r.areas[AREA_COLUMNS] for r in results if len(r.areas)]
    if not frames:
        return pd.DataFrame(columns=AREA_COLUMNS)
    allrows = pd.concat(frames, ignore_index=True)
    allrows["name"] = allrows["name"].where(allrows["name"].notna(), None)
    allrows["vintage"] = allrows["vintage"].astype("int64")
    # First non-empty name in source order (groupby.first skips nulls).
    merged = allrows.groupby(["vintage", "code"], sort=True, as_index=False).agg(
        level=("level", "first"), name=("name", "first")
    )
    names = allrows.dropna(subset=["name"])
    differing = names.groupby(["vintage", "code"])["name"].agg(
        lambda s: s.str.strip().str.casefold().nunique()
    )
    for (vintage, code), n in differing[differing > 1].items():
        notes.append(f"{vintage} {code}: sources give {n} different names; the first is used")
    merged["parent_code"] = [parent_of(c) for c in merged["code"]]
    merged["gemeente_code"] = [gemeente_of(c) for c in merged["code"]]
    # A gemeente that no source names still gets a row, so its wijken keep their parent.
    known = set(zip(merged["vintage"], merged["code"], strict=True))
    implied = sorted(
        {(v, g) for v, g in zip(merged["vintage"], merged["gemeente_code"], strict=True)} - known
    )
    if implied:
        notes.append(f"gemeenten without a name in any source: {implied}")
        extra = pd.DataFrame(
            {
                "vintage": [v for v, _ in implied],
                "code": [g for _, g in implied],
                "level": "gemeente",
                "name": None,
                "parent_code": None,
                "gemeente_code": [g for _, g in implied],
            }
        )
        merged = pd.concat([merged, extra], ignore_index=True)
    return merged[AREA_COLUMNS].sort_values(["vintage", "code"], ignore_index=True)


def _check_hierarchy(
    areas: pd.DataFrame,
    results: list[SourceResult],
    rejected: list[Rejection],
    notes: list[str],
) -> tuple[pd.DataFrame, set[tuple[int, str]]]:
    wijken = areas[areas["level"] == "wijk"]
    wijk_keys = set(zip(wijken["vintage"], wijken["code"], strict=True))
    has_wijken = set(zip(wijken["vintage"], wijken["gemeente_code"], strict=True))
    buurten = areas[areas["level"] == "buurt"]
    dropped: set[tuple[int, str]] = set()
    origin = _first_source_of_area(results)
    for vintage, code, gm, parent in zip(
        buurten["vintage"],
        buurten["code"],
        buurten["gemeente_code"],
        buurten["parent_code"],
        strict=True,
    ):
        if (vintage, parent) in wijk_keys:
            continue
        if (vintage, gm) in has_wijken:
            source, file = origin.get((vintage, code), ("?", "?"))
            rejected.append(
                Rejection(
                    source,
                    file,
                    None,
                    "code",
                    code,
                    f"buurt {code} ({vintage}): its wijk {parent} is missing",
                )
            )
            dropped.add((vintage, code))
    no_wijk_layer = sorted(
        {(v, g) for v, g in zip(buurten["vintage"], buurten["gemeente_code"], strict=True)}
        - has_wijken
    )
    for vintage, gm in no_wijk_layer:
        notes.append(f"{vintage} {gm}: buurten without a wijk layer; no wijk map for this year")
    if dropped:
        keep = ~pd.MultiIndex.from_frame(areas[["vintage", "code"]]).isin(dropped)
        areas = areas[keep].reset_index(drop=True)
    return areas, dropped


def _first_source_of_area(results: list[SourceResult]) -> dict[tuple[int, str], tuple[str, str]]:
    origin: dict[tuple[int, str], tuple[str, str]] = {}
    for r in results:
        for v, c in zip(r.areas["vintage"], r.areas["code"], strict=True):
            origin.setdefault((int(v), c), (r.source, r.file))
    return origin


def _merge_observations(
    results: list[SourceResult], areas: pd.DataFrame, rejected: list[Rejection]
) -> tuple[pd.DataFrame, int]:
    frames = []
    for order, r in enumerate(results):
        if not len(r.observations):
            continue
        frame = r.observations[OBS_COLUMNS].copy()
        frame["source"] = r.source
        frame["file"] = r.file
        frame["_rank"] = KIND_PRIORITY.get(r.kind, 9) * 10_000 + order
        frames.append(frame)
    columns = [*OBS_COLUMNS, "source", "file"]
    if not frames:
        return pd.DataFrame(columns=columns), 0
    obs = pd.concat(frames, ignore_index=True)
    obs["vintage"] = obs["vintage"].astype("int64")
    obs["period"] = obs["period"].astype(str)
    key = ["vintage", "area_code", "period", "indicator_id"]
    known = pd.MultiIndex.from_frame(areas[["vintage", "code"]])
    in_areas = pd.MultiIndex.from_frame(obs[["vintage", "area_code"]]).isin(known)
    for row in obs[~in_areas].drop_duplicates(["vintage", "area_code"]).itertuples():
        rejected.append(
            Rejection(
                row.source,
                row.file,
                None,
                "area_code",
                row.area_code,
                f"figures for {row.area_code} ({row.vintage}) but the area was rejected",
            )
        )
    obs = obs[in_areas].sort_values([*key, "_rank"], kind="stable")
    dup = obs.duplicated(key, keep="first")
    firsts = obs[~dup].set_index(key)
    others = obs[dup].set_index(key)
    conflicts = 0
    if len(others):
        joined = others[["value", "status"]].merge(
            firsts[["value", "status"]],
            left_index=True,
            right_index=True,
            how="left",
            suffixes=("", "_kept"),
        )
        differs = (joined["status"] != joined["status_kept"]) | (
            (joined["value"] - joined["value_kept"]).abs() > 1e-9
        )
        conflicts = int(differs.sum())
        if conflicts:
            logger.warning("event=conflicting_figures count=%d", conflicts)
    result = firsts.reset_index()[columns]
    return result.reset_index(drop=True), conflicts


def _select_geometries(
    results: list[SourceResult], areas: pd.DataFrame, notes: list[str]
) -> gpd.GeoDataFrame:
    candidates: list[gpd.GeoDataFrame] = []
    for order, r in enumerate(results):
        if r.geometries is None or not len(r.geometries):
            continue
        g = r.geometries[GEOM_COLUMNS].copy()
        if g.crs is None:
            raise ValueError(f"{r.source} {r.file}: geometry without CRS")
        g = g.to_crs(4326)
        g["_order"] = order
        g["_source"] = r.source
        g["gemeente_code"] = [gemeente_of(c) for c in g["code"]]
        g["_vertices"] = shapely.get_num_coordinates(g.geometry.values)
        candidates.append(g)
    if not candidates:
        return gpd.GeoDataFrame(columns=GEOM_COLUMNS, geometry="geometry", crs=4326)
    allg = pd.concat(candidates, ignore_index=True)
    allg["vintage"] = allg["vintage"].astype("int64")
    group = ["vintage", "level", "gemeente_code", "_order", "_source"]
    score = allg.groupby(group, as_index=False).agg(n=("code", "nunique"), v=("_vertices", "sum"))
    score = score.sort_values(
        ["vintage", "level", "gemeente_code", "n", "v", "_order"],
        ascending=[True, True, True, False, False, True],
    )
    chosen = score.drop_duplicates(["vintage", "level", "gemeente_code"])
    for (v, lvl, gm), sub in score.groupby(["vintage", "level", "gemeente_code"]):
        if len(sub) > 1:
            notes.append(
                f"{v} {lvl} {gm}: geometry from {sub.iloc[0]['_source']} "
                f"(also offered by {', '.join(sub.iloc[1:]['_source'])})"
            )
    picked = allg.merge(chosen[["vintage", "level", "gemeente_code", "_order"]])
    picked = picked.drop_duplicates(["vintage", "code"])
    known = pd.MultiIndex.from_frame(areas[["vintage", "code"]])
    picked = picked[pd.MultiIndex.from_frame(picked[["vintage", "code"]]).isin(known)]
    return gpd.GeoDataFrame(
        picked[GEOM_COLUMNS].reset_index(drop=True), geometry="geometry", crs=4326
    )
