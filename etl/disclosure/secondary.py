# SPDX-License-Identifier: EUPL-1.2
"""Secondary suppression: hide complementary cells until no single sum gives a hidden cell away.

For one sum ``total - sum(parts) = d`` the range an outsider can deduce for each hidden cell
has a closed form (:func:`group_ranges`): move the published cells to the right-hand side;
each hidden cell then lies within what the sum leaves after the other hidden cells take their
smallest and largest possible values. A group *fails* when a hidden cell's range is narrower
than required (see :meth:`CellTable.required_widths`); exactly one hidden part under a
published total is the simplest failure (its range is a single value).

A failing group is repaired by hiding what loses the least information. First a published
zero, when hiding one is enough and the zero is not pinned down by its other sums (it gets
the reason "fewer than t", which is true, so an outsider cannot tell it from a small count).
Else the smallest count that makes the group safe: whether a count helps depends only on how
far its value lies above its threshold (the margin), monotonically, so the smallest useful
margin is found by bisection and the smallest count with at least that margin is hidden.
When no single count is enough, the one with the largest margin is hidden and the search
repeats; with no count left, usable zeros one by one; at last the total. Every newly hidden
cell makes the other sums it belongs to (its wijk, its gemeente, its category breakdown, its
year) dirty, and the passes repeat until no sum fails: stable across all dimensions.

The audit (``etl.disclosure.audit``) then checks all sums together with linear programming.
"""

from __future__ import annotations

import logging
from typing import Final

import numpy as np

from etl.disclosure.table import PUBLISHED, SECONDARY, ZERO_COVER, CellTable

logger = logging.getLogger(__name__)

EPS: Final = 1e-6


def group_ranges(
    table: CellTable,
    groups: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    variable: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Closed-form ranges of the variable members of each group, one group at a time.

    Returns ``(segment, cell, range_lo, range_hi)`` for the variable members of ``groups``
    (``segment`` indexes ``groups``). Each range is exact for that single sum with box
    bounds ``lo``/``hi``; cells with ``variable`` False are constants at ``lo``.
    """
    seg, cell, a = table.gather(groups)
    var = variable[cell]
    clo, chi = lo[cell], hi[cell]
    k = len(groups)
    c = table.g_d[groups] - np.bincount(seg, weights=np.where(var, 0.0, a * clo), minlength=k)
    amin = np.where(var, np.minimum(a * clo, a * chi), 0.0)
    amax = np.where(var, np.maximum(a * clo, a * chi), 0.0)
    smin = np.bincount(seg, weights=amin, minlength=k)
    smax = np.bincount(seg, weights=amax, minlength=k)
    ax_lo = c[seg] - smax[seg] + amax
    ax_hi = c[seg] - smin[seg] + amin
    x_lo = np.where(a > 0, ax_lo, -ax_hi)
    x_hi = np.where(a > 0, ax_hi, -ax_lo)
    x_lo = np.maximum(x_lo, clo)
    x_hi = np.minimum(x_hi, chi)
    return seg[var], cell[var], x_lo[var], x_hi[var]


def failing_groups(
    table: CellTable, groups: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """The groups (of ``groups``) in which some hidden cell's range is too narrow."""
    if len(groups) == 0:
        return groups
    hidden = table.state != PUBLISHED
    seg, cell, rlo, rhi = group_ranges(table, groups, lo, hi, hidden)
    required = table.required_widths(cell)
    bad = (rhi - rlo) < required - EPS
    return np.unique(groups[seg[bad]])


def suppress_secondary(table: CellTable, dirty: np.ndarray | None = None) -> list[int]:
    """Hide complementary cells until no group fails; return the cells newly hidden.

    ``dirty`` limits the first pass to these groups (default: every group with a hidden
    member). Changes ``table.state`` in place. Deterministic: groups in id order.
    """
    lo, hi = table.bounds(audit=False)
    if dirty is None:
        hidden_cells = np.flatnonzero(table.state != PUBLISHED)
        dirty = _groups_of_cells(table, hidden_cells)
    added: list[int] = []
    passes = 0
    while len(dirty):
        passes += 1
        fails = failing_groups(table, dirty, lo, hi)
        touched: set[int] = set()
        for g in fails.tolist():
            for cell in _repair_group(table, g, lo, hi):
                added.append(cell)
                touched.update(table.groups_of(cell).tolist())
        dirty = np.array(sorted(touched), dtype=np.int64)
    logger.debug("event=secondary passes=%d hidden=%d", passes, len(added))
    return added


def hide(
    table: CellTable, cell: int, lo: np.ndarray, hi: np.ndarray, state: int = SECONDARY
) -> None:
    """Hide ``cell`` (secondary, or as a zero cover) and update the heuristic's bounds."""
    table.state[cell] = state
    if state == ZERO_COVER:
        lo[cell], hi[cell] = 0.0, table.threshold[cell] - 1
    else:
        lo[cell], hi[cell] = table.threshold[cell], table.upper[cell]


def _groups_of_cells(table: CellTable, cells: np.ndarray) -> np.ndarray:
    if len(cells) == 0:
        return np.zeros(0, np.int64)
    starts = table.c_ptr[cells]
    lens = table.c_ptr[cells + 1] - starts
    pos = np.repeat(starts, lens) + (
        np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
    )
    return np.unique(table.c_group[pos])


def _group_ok(table: CellTable, g: int, lo: np.ndarray, hi: np.ndarray) -> bool:
    return len(failing_groups(table, np.array([g]), lo, hi)) == 0


def _repair_group(table: CellTable, g: int, lo: np.ndarray, hi: np.ndarray) -> list[int]:
    """Hide the cheapest complement(s) in group ``g`` until it is safe (or nothing is left).

    Cheapest first: a published zero (hidden with the reason "fewer than t", which is true)
    when one is enough; else the smallest count that is enough (bisection on the margin);
    else the count with the largest margin, and look again; with no count left, zeros one by
    one; at last the total.
    """
    added: list[int] = []
    cells, _coef = table.members(g)
    while not _group_ok(table, g, lo, hi):
        parts = cells[1:]
        open_parts = parts[table.state[parts] == PUBLISHED]
        zeros = open_parts[table.value[open_parts] == 0]
        cand = open_parts[table.value[open_parts] > 0]
        zero = _first_helping_zero(table, g, zeros, lo, hi)
        if zero is not None:
            hide(table, zero, lo, hi, ZERO_COVER)
            added.append(zero)
            return added
        if len(cand) == 0:
            free = [int(z) for z in zeros if usable_zero(table, int(z), lo, hi)]
            if free:
                hide(table, free[0], lo, hi, ZERO_COVER)
                added.append(free[0])
                continue
            total = int(cells[0])
            if table.state[total] == PUBLISHED and table.value[total] > 0:
                hide(table, total, lo, hi)
                added.append(total)
                continue
            logger.debug("event=secondary_unfixable group=%d", g)
            return added
        margin = table.value[cand] - table.threshold[cand]
        # Cheapest first: smallest value, then cell id (deterministic).
        order = np.lexsort((cand, table.value[cand]))
        cand, margin = cand[order], margin[order]
        best = int(cand[np.argmax(margin)])
        if not _helps(table, g, best, lo, hi):
            hide(table, best, lo, hi)  # not enough alone: take the biggest, then look again
            added.append(best)
            continue
        levels = np.unique(margin)
        lo_i, hi_i = 0, len(levels) - 1  # levels[hi_i] is known to help
        while lo_i < hi_i:
            mid = (lo_i + hi_i) // 2
            probe = int(cand[np.flatnonzero(margin == levels[mid])[0]])
            if _helps(table, g, probe, lo, hi):
                hi_i = mid
            else:
                lo_i = mid + 1
        chosen = int(cand[np.flatnonzero(margin >= levels[hi_i])[0]])
        hide(table, chosen, lo, hi)
        added.append(chosen)
    return added


def _first_helping_zero(
    table: CellTable, g: int, zeros: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> int | None:
    """A zero whose hiding alone makes group ``g`` safe (one try per distinct threshold)."""
    if len(zeros) == 0:
        return None
    _t, first = np.unique(table.threshold[zeros], return_index=True)
    for cell in sorted(int(zeros[i]) for i in first):
        if _helps(table, g, cell, lo, hi, ZERO_COVER) and usable_zero(table, cell, lo, hi):
            return cell
    return None


def usable_zero(table: CellTable, cell: int, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether a published zero, hidden as a cover, would stay in doubt in all its sums.

    A zero whose other sums are published (a wijk with 0 meldingen: every category is 0)
    is pinned down at once and covers nothing; hiding it only spreads the problem.
    """
    saved = (table.state[cell], lo[cell], hi[cell])
    hide(table, cell, lo, hi, ZERO_COVER)
    groups = table.groups_of(cell)
    hidden = table.state != PUBLISHED
    _seg, cells, rlo, rhi = group_ranges(table, groups, lo, hi, hidden)
    mine = cells == cell
    ok = bool(np.all(rhi[mine] - rlo[mine] >= table.required[cell] - EPS))
    table.state[cell], lo[cell], hi[cell] = saved
    return ok


def _helps(
    table: CellTable, g: int, cell: int, lo: np.ndarray, hi: np.ndarray, state: int = SECONDARY
) -> bool:
    saved = (table.state[cell], lo[cell], hi[cell])
    hide(table, cell, lo, hi, state)
    ok = _group_ok(table, g, lo, hi)
    table.state[cell], lo[cell], hi[cell] = saved
    return ok
