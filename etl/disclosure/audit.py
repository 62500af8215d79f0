# SPDX-License-Identifier: EUPL-1.2
"""The audit: for every hidden count, the range of values consistent with everything published.

An outsider knows every published figure (within its rounding interval), that all sums hold
(``total - sum(parts) = d``, with the true ``d``: the cautious assumption), that counts are
not negative, and what each reason says: a cell hidden as "fewer than 5" lies in ``[0, 4]``
(a zero hidden as a cover carries the same reason), a cell hidden to protect another one is
not small (at least the threshold), a published count is 0 or at least the threshold. For
each hidden cell the audit computes the smallest and the largest value it can take under all
these linear constraints at once; the run fails when that range is narrower than required
(``IndicatorRule.effective_required_width``; ``DisclosureRules.secondary_min_width``).

Work is split so that the problems stay small:

1. Only cells whose value an outsider does not know exactly are variables; published exact
   cells are constants. Variables that share a sum are connected; every connected component
   is independent (it never crosses a gemeente, a vintage or unrelated indicators).
2. A component with one sum (a wijk whose buurten have hidden cells, nothing else) has a
   closed form (``secondary.group_ranges``): exact, no solver.
3. Larger components go to linear programming (HiGHS, warm-started: see
   :class:`LinearProgram`). Instead of two programs per cell, a few programs push every
   unproven cell down or up at once (random weights); any feasible point where a cell sits
   at its bound proves that end of its range, and the spread between points (the true table
   is one of them) proves a minimum width. Only cells still unproven get their own min and
   max programs; for those that fail, the sums with non-zero dual values are recorded
   (``Intervals.binding``) so that the repair knows where a complement helps.

With one area hierarchy plus one level of breakdowns, every aggregate is a sum over a set of
buurt x category cells from two laminar families, so the constraint matrix is totally
unimodular and the linear-programming range is exactly the range over whole numbers. With
more dimensions at once (periods and breakdowns and areas) it can be slightly wider; the
audit rounds the minimum up and the maximum down to whole numbers, a close approximation.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

try:  # HiGHS as shipped inside scipy; see LinearProgram
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - depends on the scipy build
    _highs = None

from etl.disclosure.errors import DisclosureError
from etl.disclosure.secondary import group_ranges
from etl.disclosure.table import PUBLISHED, CellTable

logger = logging.getLogger(__name__)

EPS: Final = 1e-6
METHOD_NONE: Final = 0
METHOD_OWN_BOUNDS: Final = 1
METHOD_CLOSED_FORM: Final = 2
METHOD_LP: Final = 3
METHOD_NAMES: Final = {0: "none", 1: "own bounds", 2: "closed form", 3: "linear programming"}
_BATCH_ROUNDS: Final = 16


@dataclass
class Intervals:
    """Per cell of the table: the outsider's range (NaN for published cells)."""

    lo: np.ndarray
    hi: np.ndarray
    exact: np.ndarray  # False: ``hi - lo`` is a proven lower bound of the width
    method: np.ndarray
    #: For cells whose range is too narrow: the sums that bind at the narrow end(s), found
    #: from the linear programs' dual values; the repair takes complements from these.
    binding: dict[int, np.ndarray] = field(default_factory=dict)

    @classmethod
    def empty(cls, n: int) -> Intervals:
        return cls(np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, bool), np.zeros(n, np.int8))

    @property
    def width(self) -> np.ndarray:
        return self.hi - self.lo


@dataclass
class AuditStats:
    components: int = 0
    closed_form: int = 0
    own_bounds: int = 0
    lp_components: int = 0
    lp_solves: int = 0
    largest_lp: int = 0
    blocks_audited: int = 0
    seconds_lp: float = 0.0

    def add(self, other: AuditStats) -> None:
        self.components += other.components
        self.closed_form += other.closed_form
        self.own_bounds += other.own_bounds
        self.lp_components += other.lp_components
        self.lp_solves += other.lp_solves
        self.largest_lp = max(self.largest_lp, other.largest_lp)
        self.blocks_audited += other.blocks_audited
        self.seconds_lp += other.seconds_lp


def audit(
    table: CellTable,
    intervals: Intervals | None = None,
    blocks: np.ndarray | None = None,
) -> tuple[Intervals, np.ndarray, AuditStats]:
    """Compute the outsider's range of every hidden cell; return it with the failing cells.

    With ``intervals`` and ``blocks`` only the cells of those blocks are recomputed (the repair
    loop re-audits what it changed). Failing cells (:func:`failing_cells`): hidden cells whose
    width is below ``table.required_widths()``, over the whole table.
    """
    n = table.n_cells
    out = intervals if intervals is not None else Intervals.empty(n)
    stats = AuditStats()
    lo, hi = table.bounds(audit=True)
    hidden = table.state != PUBLISHED
    in_scope = np.ones(n, bool) if blocks is None else np.isin(table.block, blocks)
    scope_hidden = hidden & in_scope
    out.lo[in_scope] = np.nan
    out.hi[in_scope] = np.nan
    out.exact[in_scope] = False
    out.method[in_scope] = METHOD_NONE
    for stale in [c for c in out.binding if in_scope[c]]:
        del out.binding[stale]
    stats.blocks_audited = len(np.unique(table.block[scope_hidden]))
    if not scope_hidden.any():
        return out, failing_cells(table, out), stats

    variable = hidden | (hi - lo > EPS)
    member_group = np.repeat(np.arange(table.n_groups), np.diff(table.m_ptr))
    group_block = table.block[table.m_cell[table.m_ptr[:-1]]] if table.n_groups else np.zeros(0)
    group_scope = np.isin(group_block, np.unique(table.block[scope_hidden]))
    edge = variable[table.m_cell] & group_scope[member_group]
    rows = table.m_cell[edge]
    cols = n + member_group[edge]
    size = n + table.n_groups
    graph = sparse.coo_array(
        (np.ones(len(rows), np.int8), (rows, cols)), shape=(size, size)
    ).tocsr()
    _ncomp, labels = connected_components(graph, directed=False)
    cell_label = labels[:n]
    group_label = labels[n:]
    group_has_var = np.bincount(member_group[edge], minlength=table.n_groups) > 0

    target_labels = np.unique(cell_label[scope_hidden])
    stats.components = len(target_labels)
    g_with_var = np.flatnonzero(group_has_var)
    groups_per_label = np.bincount(group_label[g_with_var], minlength=size)[target_labels]

    # 1. Hidden cells in no sum: their own bounds.
    alone = target_labels[groups_per_label == 0]
    stats.own_bounds = len(alone)
    mask = scope_hidden & np.isin(cell_label, alone)
    out.lo[mask], out.hi[mask] = lo[mask], hi[mask]
    out.exact[mask] = True
    out.method[mask] = METHOD_OWN_BOUNDS

    # 2. One sum: closed form, all such components in one vectorised call.
    single = target_labels[groups_per_label == 1]
    stats.closed_form = len(single)
    if len(single):
        gs = g_with_var[np.isin(group_label[g_with_var], single)]
        segment, cell, rlo, rhi = group_ranges(table, gs, lo, hi, variable)
        keep = hidden[cell]
        segment, cell, rlo, rhi = segment[keep], cell[keep], rlo[keep], rhi[keep]
        narrow = (np.floor(rhi + EPS) - np.ceil(rlo - EPS)) < table.required_widths(cell) - EPS
        for c, g in zip(cell[narrow].tolist(), gs[segment[narrow]].tolist(), strict=True):
            out.binding[c] = np.array([g])
        out.lo[cell] = np.ceil(rlo - EPS)
        out.hi[cell] = np.floor(rhi + EPS)
        out.exact[cell] = True
        out.method[cell] = METHOD_CLOSED_FORM

    # 3. Several sums: linear programming per component.
    multi = target_labels[groups_per_label >= 2]
    stats.lp_components = len(multi)
    if len(multi):
        t0 = time.perf_counter()
        var_cells = np.flatnonzero(variable & np.isin(cell_label, multi))
        var_cells = var_cells[np.argsort(cell_label[var_cells], kind="stable")]
        cl = cell_label[var_cells]
        comp_groups = g_with_var[np.isin(group_label[g_with_var], multi)]
        comp_groups = comp_groups[np.argsort(group_label[comp_groups], kind="stable")]
        gl = group_label[comp_groups]
        required = table.required_widths()
        local = np.full(n, -1, np.int64)
        for label in multi.tolist():
            cells = var_cells[np.searchsorted(cl, label) : np.searchsorted(cl, label, "right")]
            groups = comp_groups[np.searchsorted(gl, label) : np.searchsorted(gl, label, "right")]
            local[cells] = np.arange(len(cells))
            mn, mx, exact, solves, binding = _lp_component(
                table, cells, groups, local, lo, hi, required
            )
            out.binding.update(binding)
            local[cells] = -1
            stats.lp_solves += solves
            stats.largest_lp = max(stats.largest_lp, len(cells))
            h = hidden[cells]
            out.lo[cells[h]], out.hi[cells[h]] = mn[h], mx[h]
            out.exact[cells[h]] = exact[h]
            out.method[cells[h]] = METHOD_LP
        stats.seconds_lp = time.perf_counter() - t0

    return out, failing_cells(table, out), stats


def failing_cells(table: CellTable, intervals: Intervals) -> np.ndarray:
    """Hidden cells whose range is narrower than required (or that were never audited)."""
    hidden = table.state != PUBLISHED
    wide_enough = intervals.hi - intervals.lo >= table.required_widths() - EPS
    return np.flatnonzero(hidden & ~wide_enough)


class LinearProgram:
    """``min c.x`` subject to ``A x = b`` and ``lo <= x <= hi``, solved many times with new ``c``.

    The audit solves the same constraints with many objectives. ``scipy.optimize.linprog``
    cannot start from the previous solution, so when it is available the HiGHS solver that
    scipy ships (``scipy.optimize._highspy``) is driven directly: the model is passed once and
    each new objective starts from the last optimal basis (about 7x faster on audit-sized
    problems). That module is private to scipy; if it is missing or changes, every solve
    falls back to ``linprog(method="highs")``, the same solver without the warm start.
    """

    def __init__(self, a_eq: sparse.csc_array, b_eq: np.ndarray, lo: np.ndarray, hi: np.ndarray):
        self.a_eq, self.b_eq, self.lo, self.hi = a_eq, b_eq, lo, hi
        self.solves = 0
        self._highs = self._warm_model() if _highs is not None else None

    def _warm_model(self) -> Any:
        try:
            assert _highs is not None
            nrow, ncol = self.a_eq.shape
            lp = _highs.HighsLp()
            lp.num_col_, lp.num_row_ = ncol, nrow
            lp.col_cost_ = np.zeros(ncol)
            lp.col_lower_, lp.col_upper_ = self.lo, self.hi
            lp.row_lower_, lp.row_upper_ = self.b_eq, self.b_eq
            lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
            lp.a_matrix_.start_ = self.a_eq.indptr
            lp.a_matrix_.index_ = self.a_eq.indices
            lp.a_matrix_.value_ = self.a_eq.data.astype(np.float64)
            lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = ncol, nrow
            model = _highs._Highs()
            model.setOptionValue("output_flag", False)
            if model.passModel(lp) != _highs.HighsStatus.kOk:
                return None
            return model
        except (AttributeError, TypeError, ValueError) as e:  # scipy's private API changed
            logger.warning("event=audit_highs_fallback error=%s", e)
            return None

    def solve(self, objective: np.ndarray) -> tuple[np.ndarray, float, np.ndarray] | None:
        """``(x, objective value, row duals)``, or ``None`` when no optimum was found."""
        self.solves += 1
        if self._highs is not None:
            try:
                ncol = len(objective)
                self._highs.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), objective)
                self._highs.run()
                if self._highs.getModelStatus() == _highs.HighsModelStatus.kOptimal:
                    sol = self._highs.getSolution()
                    value = float(self._highs.getInfo().objective_function_value)
                    return np.asarray(sol.col_value), value, np.asarray(sol.row_dual)
            except (AttributeError, TypeError, ValueError) as e:
                logger.warning("event=audit_highs_fallback error=%s", e)
                self._highs = None
        res = linprog(
            objective,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=np.column_stack([self.lo, self.hi]),
            method="highs",
        )
        if res.status != 0:
            return None
        return np.asarray(res.x), float(res.fun), np.asarray(res.eqlin.marginals)


def _lp_component(
    table: CellTable,
    cells: np.ndarray,
    groups: np.ndarray,
    local: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    required: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, dict[int, np.ndarray]]:
    """Min and max of every hidden variable of one component (see the module docstring).

    Also returns, per cell whose range is too narrow, the sums (group ids) whose dual value
    is non-zero at the narrow end: relaxing one of these is what can widen the range.
    """
    seg, mcell, coef = table.gather(groups)
    col = local[mcell]
    var = col >= 0
    k, nv = len(groups), len(cells)
    rhs = table.g_d[groups] - np.bincount(
        seg, weights=np.where(var, 0.0, coef * lo[mcell]), minlength=k
    )
    a_eq = sparse.csc_array((coef[var], (seg[var], col[var])), shape=(k, nv))
    vlo, vhi = lo[cells], hi[cells]
    program = LinearProgram(a_eq, rhs, vlo, vhi)
    hidden = table.state[cells] != PUBLISHED
    req = required[cells]

    def solve(objective: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        result = program.solve(objective)
        if result is None:
            first = table.keys.iloc[int(cells[0])]
            raise DisclosureError(
                f"disclosure audit: the linear program for the block of "
                f"{first['indicator_id']} {first['vintage']} {first['gemeente_code']} could not "
                "be solved; nothing is published"
            )
        return result

    # The true table is a feasible point.
    obs_min = table.value[cells].astype(np.float64).copy()
    obs_max = obs_min.copy()

    def proven(idx: np.ndarray) -> np.ndarray:
        return obs_max[idx] - obs_min[idx] >= req[idx] - EPS

    pending = np.flatnonzero(hidden)
    pending = pending[~proven(pending)]
    rng = np.random.default_rng(20260101)
    idle = 0
    for round_no in range(_BATCH_ROUNDS):
        if len(pending) == 0 or idle >= 3:
            break
        # Each pending cell is pushed down or up (alternating per cell and per round, only
        # towards an end not yet reached), all in one program.
        can_fall = obs_min[pending] > vlo[pending] + EPS
        can_rise = obs_max[pending] < vhi[pending] - EPS
        down = np.where(can_fall & can_rise, (pending + round_no) % 2 == 0, can_fall)
        up = ~down & can_rise
        if not (down.any() or up.any()):
            break
        objective = np.zeros(nv)
        objective[pending[down]] = rng.uniform(1.0, 2.0, int(down.sum()))
        objective[pending[up]] = -rng.uniform(1.0, 2.0, int(up.sum()))
        x, _, _ = solve(objective)
        # Whole numbers: a fractional vertex (possible only beyond one hierarchy plus one
        # breakdown) is rounded inwards, the cautious side.
        np.minimum(obs_min, np.ceil(x - EPS), out=obs_min)
        np.maximum(obs_max, np.floor(x + EPS), out=obs_max)
        before = len(pending)
        pending = pending[~proven(pending)]
        idle = idle + 1 if len(pending) == before else 0
        logger.debug(
            "event=audit_round variables=%d round=%d pending=%d", nv, round_no, len(pending)
        )

    mn = np.where(obs_min <= vlo + EPS, vlo, obs_min)
    mx = np.where(obs_max >= vhi - EPS, vhi, obs_max)
    exact = (obs_min <= vlo + EPS) & (obs_max >= vhi - EPS)
    binding: dict[int, np.ndarray] = {}
    for j in pending.tolist():
        e = np.zeros(nv)
        duals: list[np.ndarray] = []
        if obs_min[j] > vlo[j] + EPS:
            e[j] = 1.0
            _, fun, dual = solve(e)
            mn[j] = np.ceil(fun - EPS)
            if mn[j] > vlo[j] + EPS:
                duals.append(dual)
        if obs_max[j] < vhi[j] - EPS:
            e[j] = -1.0
            _, fun, dual = solve(e)
            mx[j] = np.floor(-fun + EPS)
            if mx[j] < vhi[j] - EPS:
                duals.append(dual)
        exact[j] = True
        if mx[j] - mn[j] < req[j] - EPS and duals:
            tight = np.abs(np.vstack(duals)).max(axis=0) > EPS
            binding[int(cells[j])] = groups[tight]
    return mn, mx, exact, program.solves, binding
