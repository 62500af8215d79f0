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
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

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
    # Spellings that differ only in case or surrounding spaces are the same name.
    normal = names["name"].str.strip().str.casefold()
    differing = normal.groupby([names["vintage"], names["code"]]).nunique()
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
    """One figure per ``(vintage, area, period, indicator)``, sorted by that key.

    National data has tens of millions of figures, so this works on integer codes of the
    key columns (in their sort order): one combined int64 key is sorted (stable, with the
    source rank as the last digit), a duplicate is a row whose key equals the previous
    row's, and the figure columns are only gathered, one at a time, for the rows kept.
    Memory matters as much as time here: codes are int32, temporaries are dropped early,
    and the result frame shares its columns instead of copying them into blocks.
    """
    parts = [(order, r) for order, r in enumerate(results) if len(r.observations)]
    columns = [*OBS_COLUMNS, "source", "file"]
    if not parts:
        return pd.DataFrame(columns=columns), 0
    frames = [r.observations for _, r in parts]
    which = np.repeat(np.arange(len(parts), dtype=np.int32), [len(f) for f in frames])
    sources = np.array([r.source for _, r in parts], dtype=object)
    files = np.array([r.file for _, r in parts], dtype=object)
    ranks = [KIND_PRIORITY.get(r.kind, 9) * 10_000 + order for order, r in parts]
    rank_of_part = pd.factorize(np.array(ranks), sort=True)[0].astype(np.int32)

    def gathered(name: str) -> NDArray[Any]:
        return np.concatenate([f[name].to_numpy() for f in frames])

    vintage = gathered("vintage").astype("int64", copy=False)
    vintage_codes, vintage_values = _sort_codes(vintage)
    area_codes, area_values = _sort_codes(gathered("area_code"))
    # An area is known when its (vintage, code) is in ``areas``: a lookup table over codes.
    known = np.zeros((len(vintage_values) + 1, len(area_values) + 1), dtype=bool)
    v_at = pd.Index(vintage_values).get_indexer(areas["vintage"].astype("int64"))
    a_at = pd.Index(area_values).get_indexer(areas["code"])
    found = (v_at >= 0) & (a_at >= 0)
    known[v_at[found], a_at[found]] = True
    in_areas = known[vintage_codes, area_codes]
    if not in_areas.all():
        lost = pd.DataFrame(
            {
                "vintage": vintage[~in_areas],
                "area_code": gathered("area_code")[~in_areas],
                "source": sources[which[~in_areas]],
                "file": files[which[~in_areas]],
            }
        )
        for row in lost.drop_duplicates(["vintage", "area_code"]).itertuples():
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
    period_codes, period_values = _sort_codes(gathered("period"), as_text=True)
    indicator_codes, indicator_values = _sort_codes(gathered("indicator_id"))
    keys = [  # most significant first, as sort_values([*key, "_rank"]) orders them
        (vintage_codes, len(vintage_values) + 1),
        (area_codes, len(area_values) + 1),
        (period_codes, len(period_values) + 1),
        (indicator_codes, len(indicator_values) + 1),
        (rank_of_part[which], len(parts)),
    ]
    del vintage_codes, area_codes, indicator_codes
    everywhere = bool(in_areas.all())
    rows = np.arange(len(which)) if everywhere else np.flatnonzero(in_areas)
    if not everywhere:
        keys = [(codes[rows], n) for codes, n in keys]
    ranked = _combined(keys)  # the key with the rank as its last digit
    if ranked is not None:
        keys = []
        order = np.argsort(ranked, kind="stable")
        rows = rows[order]
        ranked = ranked[order]
        del order
        ranked //= len(parts)  # drop the rank: the key alone
        dup = np.zeros(len(rows), dtype=bool)
        dup[1:] = ranked[1:] == ranked[:-1]
        del ranked
    else:  # too many distinct values for one integer key (never with CBS data)
        order = np.lexsort([codes for codes, _ in reversed(keys)])
        rows = rows[order]
        differs = np.zeros(max(len(rows) - 1, 0), dtype=bool)
        for codes, _ in keys[:-1]:
            sorted_codes = codes[order]
            differs |= sorted_codes[1:] != sorted_codes[:-1]
        dup = np.zeros(len(rows), dtype=bool)
        dup[1:] = ~differs
        del order, keys, differs
    conflicts = 0
    if dup.any():
        # Each duplicate against the figure that was kept for its key (the first in order).
        kept_at = np.flatnonzero(~dup)[np.cumsum(~dup) - 1]
        other, kept = rows[dup], rows[kept_at[dup]]
        value, status = gathered("value"), gathered("status")
        differs = (status[other] != status[kept]) | (np.abs(value[other] - value[kept]) > 1e-9)
        conflicts = int(differs.sum())
        del value, status, kept_at, other, kept, differs
        if conflicts:
            logger.warning("event=conflicting_figures count=%d", conflicts)
    take = rows[~dup]
    del rows, dup
    out: dict[str, pd.Series] = {}
    for name in OBS_COLUMNS:
        if name == "vintage":
            out[name] = pd.Series(vintage[take], dtype="int64")
        elif name == "value":
            out[name] = pd.Series(gathered(name)[take], dtype="float64")
        elif name == "period":
            out[name] = pd.Series(period_values[period_codes[take]], dtype=object)
        else:  # object: None stays None (pandas would turn it into NaN in a str column)
            out[name] = pd.Series(gathered(name)[take], dtype=object)
    out["source"] = pd.Series(sources[which[take]], dtype=object)
    out["file"] = pd.Series(files[which[take]], dtype=object)
    # copy=False: keep the columns as they are (a copy into 2-D blocks doubles the memory).
    return pd.DataFrame(out, columns=columns, copy=False), conflicts


def _sort_codes(
    values: NDArray[Any], *, as_text: bool = False
) -> tuple[NDArray[np.int32], NDArray[Any]]:
    """Integer codes (int32) of ``values`` in sort order, and the distinct values.

    ``as_text``: code ``values.astype(str)`` (converting only the distinct values). Missing
    values get the highest code (pandas sorts them last).
    """
    codes, uniques = pd.factorize(values, sort=not as_text)
    uniques = np.asarray(uniques)
    if as_text:
        texts = np.asarray(pd.Series(uniques, dtype=object).astype(str), dtype=object)
        text_codes, uniques = pd.factorize(texts, sort=True)
        uniques = np.asarray(uniques, dtype=object)
        codes = np.where(codes < 0, -1, text_codes[codes])
    if (codes < 0).any():
        codes = np.where(codes < 0, len(uniques), codes)
        uniques = np.append(uniques, np.array([None], dtype=object))
    return codes.astype(np.int32), uniques


def _combined(keys: list[tuple[NDArray[np.int32], int]]) -> NDArray[np.int64] | None:
    """Several integer codes as one int64 (mixed radix), or ``None`` when it would overflow."""
    total = 1
    for _, n in keys:
        total *= n
    if total >= np.iinfo(np.int64).max:
        return None
    key = np.zeros(len(keys[0][0]), dtype=np.int64)
    for codes, n in keys:
        key *= n
        key += codes
    return key


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
