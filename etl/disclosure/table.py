# SPDX-License-Identifier: EUPL-1.2
"""The additive cells of a run and the sums that tie them together.

A *cell* is one known count (rule ``count``) for ``(indicator, vintage, period, area)``. A
*group* is one published sum: a total cell and its parts, with ``total - sum(parts) = d``:

- area groups: a wijk and its buurten, a gemeente and its wijken (same indicator, vintage and
  period; the hierarchy comes from ``areas.parent_code`` within the vintage);
- period groups: a year and its quarters or months, a quarter and its months;
- breakdown groups: a total indicator and its member indicators, per area.

``d`` is the true difference (meldingen without a buurt, a melding in two categories): the
audit assumes an outsider knows it, which is the cautious assumption and keeps the true
table feasible. A block is ``(connected indicators, vintage, gemeente)``: no sum crosses it.

What an outsider knows about each cell (its *bounds*):

- a published cell: its value, or with rounding the integers that round to it;
- a cell hidden as too small (*primary*): ``[0, threshold - 1]``, what its reason says ("fewer
  than 5"); a zero hidden to protect a neighbour (*zero cover*) carries the same reason;
- a cell hidden to protect another (*secondary*): ``[threshold, U]`` (it is not small, or it
  would be primary); ``U`` is a bound far above every value of the block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from etl.disclosure.rules import DisclosureRules

PUBLISHED: Final = 0
PRIMARY: Final = 1
SECONDARY: Final = 2
#: A zero hidden to protect a neighbour; it carries the primary reason ("fewer than t"),
#: which is true for zero, so an outsider sees it exactly like a primary cell.
ZERO_COVER: Final = 3

GROUP_AREA: Final = 0
GROUP_PERIOD: Final = 1
GROUP_BREAKDOWN: Final = 2  # + index of the breakdown

_YEAR: Final = re.compile(r"^(\d{4})$")
_QUARTER: Final = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH: Final = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass
class CellTable:
    """Cells (arrays indexed by cell id) and groups (CSR: members of group g are
    ``m_cell[m_ptr[g]:m_ptr[g + 1]]``, the total first, with coefficients ``m_coef`` +1 for
    the total and -1 for the parts)."""

    keys: pd.DataFrame  # indicator_id, vintage, period, area_code, gemeente_code, level
    value: np.ndarray
    state: np.ndarray
    threshold: np.ndarray
    required: np.ndarray
    pub_lo: np.ndarray
    pub_hi: np.ndarray
    block: np.ndarray
    upper: np.ndarray
    m_ptr: np.ndarray
    m_cell: np.ndarray
    m_coef: np.ndarray
    g_d: np.ndarray
    g_kind: np.ndarray
    c_ptr: np.ndarray
    c_group: np.ndarray
    secondary_required: float

    @property
    def n_cells(self) -> int:
        return len(self.value)

    @property
    def n_groups(self) -> int:
        return len(self.g_d)

    def bounds(self, *, audit: bool) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds an outsider knows per cell (see the module docstring).

        ``audit=False`` treats published cells as exact (cautious: rounding ignored), which is
        what secondary suppression uses; the audit uses the rounding intervals.
        """
        pub_lo = self.pub_lo if audit else self.value
        pub_hi = self.pub_hi if audit else self.value
        small = (self.state == PRIMARY) | (self.state == ZERO_COVER)
        lo = np.where(small, 0.0, np.where(self.state == SECONDARY, self.threshold, pub_lo))
        hi = np.where(
            small, self.threshold - 1, np.where(self.state == SECONDARY, self.upper, pub_hi)
        )
        return lo.astype(np.float64), hi.astype(np.float64)

    def required_widths(self, cells: np.ndarray | None = None) -> np.ndarray:
        """The width the audit demands per cell (0 for published cells), for ``cells``."""
        state = self.state if cells is None else self.state[cells]
        required = self.required if cells is None else self.required[cells]
        return np.where(
            (state == PRIMARY) | (state == ZERO_COVER),
            required,
            np.where(state == SECONDARY, self.secondary_required, 0.0),
        )

    def groups_of(self, cell: int) -> np.ndarray:
        return self.c_group[self.c_ptr[cell] : self.c_ptr[cell + 1]]

    def members(self, group: int) -> tuple[np.ndarray, np.ndarray]:
        sl = slice(self.m_ptr[group], self.m_ptr[group + 1])
        return self.m_cell[sl], self.m_coef[sl]

    def gather(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Members of several groups at once: (segment index, cell, coefficient)."""
        starts = self.m_ptr[groups]
        lens = self.m_ptr[groups + 1] - starts
        seg = np.repeat(np.arange(len(groups)), lens)
        offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        pos = np.repeat(starts, lens) + offsets
        return seg, self.m_cell[pos], self.m_coef[pos]


def build_table(
    cells: pd.DataFrame,
    areas: pd.DataFrame,
    rules: DisclosureRules,
) -> CellTable:
    """Build the cell table from one row per known count.

    ``cells`` has ``indicator_id, vintage, period, area_code, value, primary, threshold,
    required, pub_lo, pub_hi`` (cell id = row position).
    """
    n = len(cells)
    keys = _locate(cells[["indicator_id", "vintage", "period", "area_code"]], areas)
    pairs = [_area_pairs(keys)]
    if rules.period_hierarchy:
        pairs.append(_period_pairs(keys))
    for k, b in enumerate(rules.breakdowns):
        pairs.append(_breakdown_pairs(keys, b.total, b.members, GROUP_BREAKDOWN + k))
    allpairs = pd.concat(pairs, ignore_index=True)
    value = cells["value"].to_numpy(np.float64)

    # One group per (kind, total cell); members = total first, then parts by cell id.
    allpairs = allpairs.sort_values(["kind", "total", "part"], ignore_index=True)
    gid = allpairs.groupby(["kind", "total"], sort=False).ngroup().to_numpy()
    n_groups = int(gid.max()) + 1 if len(gid) else 0
    firsts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]]) if len(gid) else np.array([], int)
    g_total = allpairs["total"].to_numpy()[firsts] if len(gid) else np.array([], np.int64)
    g_kind = allpairs["kind"].to_numpy()[firsts] if len(gid) else np.array([], np.int64)
    parts = allpairs["part"].to_numpy(np.int64)
    n_parts = np.bincount(gid, minlength=n_groups)
    m_ptr = np.zeros(n_groups + 1, np.int64)
    m_ptr[1:] = np.cumsum(n_parts + 1)
    m_cell = np.empty(int(m_ptr[-1]), np.int64)
    m_coef = np.empty(int(m_ptr[-1]), np.float64)
    m_cell[m_ptr[:-1]] = g_total
    m_coef[m_ptr[:-1]] = 1.0
    part_pos = np.ones(int(m_ptr[-1]), bool)
    part_pos[m_ptr[:-1]] = False
    m_cell[part_pos] = parts  # parts are sorted by group, so they fill the gaps in order
    m_coef[part_pos] = -1.0
    g_d = value[g_total] - np.bincount(gid, weights=value[parts], minlength=n_groups)

    # cell -> groups
    member_group = np.repeat(np.arange(n_groups), np.diff(m_ptr))
    order = np.argsort(m_cell, kind="stable")
    c_group = member_group[order]
    c_ptr = np.zeros(n + 1, np.int64)
    c_ptr[1:] = np.cumsum(np.bincount(m_cell, minlength=n))

    # Blocks: indicators linked by breakdowns, x vintage x gemeente.
    component = _indicator_components(keys["indicator_id"], rules)
    block = (
        pd.DataFrame({"c": component, "v": keys["vintage"].to_numpy(), "g": keys["gemeente_code"]})
        .groupby(["c", "v", "g"], sort=True)
        .ngroup()
        .to_numpy(np.int64)
    )
    n_blocks = int(block.max()) + 1 if n else 0
    block_max = np.zeros(n_blocks)
    np.maximum.at(block_max, block, np.abs(value))
    upper = (4.0 * block_max + 100.0)[block] if n else np.zeros(0)

    state = np.where(cells["primary"].to_numpy(bool), PRIMARY, PUBLISHED).astype(np.int8)
    return CellTable(
        keys=keys,
        value=value,
        state=state,
        threshold=cells["threshold"].to_numpy(np.float64),
        required=cells["required"].to_numpy(np.float64),
        pub_lo=cells["pub_lo"].to_numpy(np.float64),
        pub_hi=cells["pub_hi"].to_numpy(np.float64),
        block=block,
        upper=upper,
        m_ptr=m_ptr,
        m_cell=m_cell,
        m_coef=m_coef,
        g_d=g_d,
        g_kind=g_kind.astype(np.int64),
        c_ptr=c_ptr,
        c_group=c_group.astype(np.int64),
        secondary_required=float(rules.secondary_min_width),
    )


def _locate(keys: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Add parent_code, gemeente_code and level from ``areas`` (same vintage)."""
    out = keys.reset_index(drop=True).copy()
    out["vintage"] = out["vintage"].astype("int64")
    out["period"] = out["period"].astype(str)
    out["area_code"] = out["area_code"].astype(str)
    out["indicator_id"] = out["indicator_id"].astype(str)
    info = areas[["code", "vintage", "level", "parent_code", "gemeente_code"]].copy()
    info["vintage"] = info["vintage"].astype("int64")
    info = info.drop_duplicates(["vintage", "code"]).rename(columns={"code": "area_code"})
    info["area_code"] = info["area_code"].astype(str)
    out = out.merge(info, on=["vintage", "area_code"], how="left", validate="many_to_one")
    unknown = out["gemeente_code"].isna()
    if unknown.any():
        # An area the run does not know: it is its own block and has no parent.
        out.loc[unknown, "gemeente_code"] = out.loc[unknown, "area_code"]
    out["parent_code"] = out["parent_code"].where(out["parent_code"].notna(), None)
    return out


def _area_pairs(keys: pd.DataFrame) -> pd.DataFrame:
    cell = np.arange(len(keys))
    parts = pd.DataFrame(
        {
            "part": cell,
            "indicator_id": keys["indicator_id"],
            "vintage": keys["vintage"],
            "period": keys["period"],
            "area_code": keys["parent_code"],
        }
    ).dropna(subset=["area_code"])
    totals = pd.DataFrame(
        {
            "total": cell,
            "indicator_id": keys["indicator_id"],
            "vintage": keys["vintage"],
            "period": keys["period"],
            "area_code": keys["area_code"],
        }
    )
    m = parts.merge(totals, on=["indicator_id", "vintage", "period", "area_code"])
    return pd.DataFrame({"kind": GROUP_AREA, "total": m["total"], "part": m["part"]})


def parent_period(periods: pd.Series, has_quarter: pd.Series | None = None) -> pd.Series:
    """The period one level up: month -> quarter (or year), quarter -> year, year -> None.

    >>> parent_period(pd.Series(["2024", "2024-Q2", "2024-05"])).tolist()
    [None, '2024', '2024-Q2']
    """
    text = periods.astype(str)
    out = pd.Series([None] * len(text), index=text.index, dtype=object)
    q = text.str.extract(_QUARTER)
    is_q = q[0].notna()
    out[is_q] = q.loc[is_q, 0]
    mo = text.str.extract(_MONTH)
    is_m = mo[0].notna()
    quarter = mo.loc[is_m, 0] + "-Q" + ((mo.loc[is_m, 1].astype(int) - 1) // 3 + 1).astype(str)
    if has_quarter is None:
        out[is_m] = quarter
    else:
        out[is_m] = quarter.where(has_quarter[is_m], mo.loc[is_m, 0])
    return out


def _period_pairs(keys: pd.DataFrame) -> pd.DataFrame:
    if not keys["period"].str.contains("-", regex=False).any():  # years only: no sums
        return pd.DataFrame({"kind": [], "total": [], "part": []}, dtype=np.int64)
    cell = np.arange(len(keys))
    base = ["indicator_id", "vintage", "area_code"]
    known = pd.MultiIndex.from_frame(keys[[*base, "period"]])
    quarter_of = parent_period(keys["period"])
    is_month = keys["period"].str.match(_MONTH).fillna(False)
    probe = keys[base].copy()
    probe["period"] = quarter_of.fillna("")
    has_quarter = pd.Series(pd.MultiIndex.from_frame(probe).isin(known), index=keys.index)
    parent = parent_period(keys["period"], has_quarter & is_month)
    parts = keys[base].copy()
    parts["period"] = parent
    parts["part"] = cell
    parts = parts.dropna(subset=["period"])
    totals = keys[[*base, "period"]].copy()
    totals["total"] = cell
    m = parts.merge(totals, on=[*base, "period"])
    return pd.DataFrame({"kind": GROUP_PERIOD, "total": m["total"], "part": m["part"]})


def _breakdown_pairs(
    keys: pd.DataFrame, total: str, members: tuple[str, ...], kind: int
) -> pd.DataFrame:
    cell = np.arange(len(keys))
    on = ["vintage", "period", "area_code"]
    frame = keys[on].copy()
    frame["cell"] = cell
    is_member = keys["indicator_id"].isin(members).to_numpy()
    is_total = (keys["indicator_id"] == total).to_numpy()
    parts = frame[is_member].rename(columns={"cell": "part"})
    totals = frame[is_total].rename(columns={"cell": "total"})
    m = parts.merge(totals, on=on)
    return pd.DataFrame({"kind": kind, "total": m["total"], "part": m["part"]})


def _indicator_components(indicators: pd.Series, rules: DisclosureRules) -> np.ndarray:
    """Indicators joined by a breakdown share a component (union-find over ids)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for b in rules.breakdowns:
        for m in b.members:
            ra, rb = find(b.total), find(m)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    names = indicators.astype(str)
    roots = {name: find(name) for name in names.unique()}
    return names.map(roots).to_numpy(object)
