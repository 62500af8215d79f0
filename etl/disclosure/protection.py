# SPDX-License-Identifier: EUPL-1.2
"""The publish step's disclosure control: :func:`protect` is the one call the runner makes.

Order of work (each step only ever hides more, never less):

1. every observation gets its indicator's rule; an indicator without a rule stops the run;
2. ``cbs`` and ``none`` figures pass unchanged; figures a source already hid stay hidden;
3. primary suppression of counts below their threshold, at every area level;
4. secondary suppression over areas, periods and breakdowns (``secondary``), then the audit
   (``audit``) with a repair loop: cells the audit finds too narrow get complements and
   their blocks are audited again, up to ``max_repair_rounds``;
5. ratios and means: hidden below their thresholds and whenever the count they are
   calculated from is hidden;
6. rounding of the published counts (the decisions above use the exact counts);
7. the report; :class:`DisclosureError` when any hidden cell is still too narrow.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from etl.disclosure.audit import EPS, METHOD_NAMES, AuditStats, Intervals, audit
from etl.disclosure.errors import DisclosureError, DisclosureInputError
from etl.disclosure.reasons import Code, english, texts
from etl.disclosure.report import AuditReport, CellFailure, IndicatorAudit
from etl.disclosure.rules import DisclosureRules, IndicatorRule, Rounding
from etl.disclosure.secondary import hide, suppress_secondary, usable_zero
from etl.disclosure.table import (
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    ZERO_COVER,
    CellTable,
    build_table,
)
from etl.model import OBS_COLUMNS, STATUS_OK, STATUS_SUPPRESSED, level_of, normalise_code

logger = logging.getLogger(__name__)

KEY: Final = ["vintage", "area_code", "period", "indicator_id"]
REASON_EN: Final = "reason_en"


@dataclass(frozen=True)
class ProtectionResult:
    """The protected observations and the audit report.

    ``observations`` has the input's columns plus ``reason_en``: hidden cells have value
    NaN/None, status ``suppressed`` and a reason in Dutch (``reason``) and English
    (``reason_en``); published counts are rounded where the rule says so.
    """

    observations: pd.DataFrame
    report: AuditReport


def protect(
    observations: pd.DataFrame, areas: pd.DataFrame, rules: DisclosureRules
) -> ProtectionResult:
    """Apply the disclosure rules to everything that will be published; audit the result.

    ``observations``: :data:`etl.model.OBS_COLUMNS` (plus any other columns, e.g. ``source``,
    which pass through); ``areas``: ``code, vintage, level, parent_code, gemeente_code``.
    Raises :class:`DisclosureError` (with ``.report``) when the audit fails,
    :class:`DisclosureInputError` for observations that cannot be protected (negative or
    fractional counts, duplicate keys) and ``DisclosureRulesError`` for an indicator
    without a rule.

    >>> from etl.disclosure.rules import DisclosureRules
    >>> rules = DisclosureRules.from_mapping({"indicators": {"m": {"rule": "count"}}})
    >>> areas = pd.DataFrame({"code": ["GM0001", "WK000101", "BU00010101", "BU00010102"],
    ...     "vintage": 2024, "level": ["gemeente", "wijk", "buurt", "buurt"],
    ...     "parent_code": [None, "GM0001", "WK000101", "WK000101"],
    ...     "gemeente_code": "GM0001"})
    >>> obs = pd.DataFrame({"area_code": areas["code"], "vintage": 2024, "period": "2024",
    ...     "indicator_id": "m", "value": [40.0, 40.0, 37.0, 3.0], "status": "ok",
    ...     "reason": None})
    >>> out = protect(obs, areas, rules).observations
    >>> out["status"].tolist()
    ['ok', 'ok', 'suppressed', 'suppressed']
    >>> out["reason"].iloc[3]
    'verborgen: minder dan 5 m in deze buurt'
    """
    t0 = time.perf_counter()
    prep = _prepare(observations, areas, rules)
    obs, n, kind, rule_of = prep.obs, len(prep.obs), prep.kind, prep.rule_of
    status_in, value_in, level = prep.status_in, prep.value_in, prep.level
    table, rounded, cell_rows = prep.table, prep.rounded, prep.cell_rows
    reason_nl = obs["reason"].to_numpy(object).copy()
    reason_en = np.array([english(r) if isinstance(r, str) else None for r in reason_nl], object)
    code = np.full(n, None, object)  # why we (or the source) hid a cell; for the report
    value_out = value_in.copy()
    status_out = status_in.copy()

    # Figures a source already hid stay hidden (never undone); CBS figures stay as they are.
    at_source = (status_in == STATUS_SUPPRESSED) & (kind != "cbs")
    code[at_source] = Code.SUPPRESSED_AT_SOURCE.value
    value_out[at_source] = np.nan
    no_reason = at_source & np.array([not isinstance(r, str) or not r for r in reason_nl], bool)
    src_nl, src_en = texts(Code.SUPPRESSED_AT_SOURCE)
    reason_nl[no_reason] = src_nl
    reason_en[no_reason] = src_en

    # --- counts: primary, secondary, audit ------------------------------------------
    t_table = prep.seconds
    suppress_secondary(table)
    t_audit = time.perf_counter()
    intervals, failing, stats = audit(table)
    rounds = repaired = 0
    while len(failing) and rounds < rules.max_repair_rounds:
        rounds += 1
        new = _repair(table, failing, intervals)
        if not new:
            break
        more = suppress_secondary(table, _groups_of(table, np.array(new)))
        repaired += len(new) + len(more)
        blocks = np.unique(table.block[np.array(new + more)])
        intervals, failing, s = audit(table, intervals, blocks)
        stats.add(s)
    seconds_audit = time.perf_counter() - t_audit
    logger.info(
        "event=disclosure_counts cells=%d groups=%d primary=%d secondary=%d repair_rounds=%d "
        "seconds_table=%.2f seconds_audit=%.2f",
        table.n_cells, table.n_groups, int((table.state == PRIMARY).sum()),
        int((table.state == SECONDARY).sum()), rounds, t_table, seconds_audit,
    )  # fmt: skip

    state_rows = np.full(n, PUBLISHED, np.int8)
    state_rows[cell_rows] = table.state
    primary_rows = np.flatnonzero(state_rows == PRIMARY)
    secondary_rows = np.flatnonzero(state_rows == SECONDARY)
    zero_rows = np.flatnonzero(state_rows == ZERO_COVER)
    code[primary_rows] = Code.COUNT_BELOW_THRESHOLD.value
    code[secondary_rows] = Code.SECONDARY.value
    code[zero_rows] = Code.ZERO_COVER.value
    for rows in (primary_rows, secondary_rows, zero_rows):
        value_out[rows] = np.nan
        status_out[rows] = STATUS_SUPPRESSED

    # --- ratios and means -----------------------------------------------------------
    about = np.full(n, None, object)  # the count a ratio's reason names
    _ratios_and_means(obs, kind, rule_of, value_in, status_in, status_out, code, about)
    hidden_here = np.flatnonzero(
        np.isin(code, [c.value for c in Code if c != Code.SUPPRESSED_AT_SOURCE])
    )
    value_out[hidden_here] = np.nan
    status_out[hidden_here] = STATUS_SUPPRESSED
    _fill_reasons(obs, code, about, hidden_here, level, rule_of, reason_nl, reason_en)

    # --- rounding of published counts ---------------------------------------------------
    published_cells = table.state == PUBLISHED
    value_out[cell_rows[published_cells]] = rounded[published_cells]
    changed = np.zeros(n, bool)
    changed[cell_rows[published_cells]] = rounded[published_cells] != table.value[published_cells]

    obs["value"] = value_out
    obs["status"] = status_out
    obs["reason"] = reason_nl
    obs[REASON_EN] = reason_en

    report = _report(
        obs, table, intervals, stats, rules, status_in, code, changed,
        rounds, repaired, time.perf_counter() - t0, seconds_audit,
    )  # fmt: skip
    report.log(logger)
    if not report.ok:
        raise DisclosureError(
            f"disclosure audit failed: {len(report.failures)} hidden cell(s) can be narrowed "
            f"down further than allowed, e.g. {report.failures[0]}; nothing is published",
            report,
        )
    return ProtectionResult(obs, report)


def audit_publication(
    original: pd.DataFrame,
    published: pd.DataFrame,
    areas: pd.DataFrame,
    rules: DisclosureRules,
) -> AuditReport:
    """Audit a publication made elsewhere (or by hand) against the true figures.

    ``original`` holds the true observations, ``published`` the same rows (same keys) as they
    would be published. Every count published as ``suppressed`` while its true value is
    known is audited like :func:`protect` does: a small count (below the threshold, or a
    zero) as "fewer than t", any other as a secondary cell. No repair: the report says what
    an outsider can deduce; ``report.ok`` is False when a hidden cell is too narrow.

    The validate step can use it to re-check a built warehouse independently of how its
    suppression pattern came about.
    """
    prep = _prepare(original, areas, rules)
    key = pd.MultiIndex.from_frame(prep.obs[KEY])
    pub = published.copy()
    pub["vintage"] = pub["vintage"].astype("int64")
    pub["period"] = pub["period"].astype(str)
    pos = pd.MultiIndex.from_frame(pub[KEY]).get_indexer(key)
    if (pos < 0).any():
        first = prep.obs.iloc[int(np.flatnonzero(pos < 0)[0])]
        raise DisclosureInputError(
            f"published observations lack {first['indicator_id']} {first['area_code']} "
            f"({first['vintage']}, {first['period']})"
        )
    status_pub = pub["status"].to_numpy(object)[pos]
    table = prep.table
    hidden = status_pub[prep.cell_rows] == STATUS_SUPPRESSED
    small = table.value < table.threshold
    table.state[:] = PUBLISHED
    table.state[hidden & small & (table.value > 0)] = PRIMARY
    table.state[hidden & (table.value == 0)] = ZERO_COVER
    table.state[hidden & ~small] = SECONDARY
    t_audit = time.perf_counter()
    intervals, _failing, stats = audit(table)
    code = np.full(len(prep.obs), None, object)
    state_rows = np.full(len(prep.obs), PUBLISHED, np.int8)
    state_rows[prep.cell_rows] = table.state
    code[state_rows == PRIMARY] = Code.COUNT_BELOW_THRESHOLD.value
    code[state_rows == SECONDARY] = Code.SECONDARY.value
    code[state_rows == ZERO_COVER] = Code.ZERO_COVER.value
    view = prep.obs.copy()
    view["status"] = status_pub
    return _report(
        view, table, intervals, stats, rules, prep.status_in, code,
        np.zeros(len(view), bool), 0, 0, time.perf_counter() - t_audit,
        time.perf_counter() - t_audit,
    )  # fmt: skip


@dataclass
class _Prepared:
    obs: pd.DataFrame
    rule_of: dict[str, IndicatorRule]
    kind: np.ndarray
    status_in: np.ndarray
    value_in: np.ndarray
    level: np.ndarray
    cell_rows: np.ndarray
    table: CellTable
    rounded: np.ndarray
    seconds: float


def _prepare(observations: pd.DataFrame, areas: pd.DataFrame, rules: DisclosureRules) -> _Prepared:
    """Checked copy of the observations, rule per row, and the cell table (primary marked)."""
    missing = [c for c in OBS_COLUMNS if c not in observations.columns]
    if missing:
        raise DisclosureInputError(f"observations lack column(s) {missing}")
    obs = observations.copy()
    obs["vintage"] = obs["vintage"].astype("int64")
    obs["period"] = obs["period"].astype(str)
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce").astype("float64")
    _check_unique(obs)
    ind = obs["indicator_id"].astype(str)
    rule_of = {i: rules.rule_for(i) for i in ind.unique()}
    kind = ind.map({i: r.kind for i, r in rule_of.items()}).to_numpy(object)
    status_in = obs["status"].to_numpy(object)
    value_in = obs["value"].to_numpy(np.float64)
    level = _levels(obs, areas)
    cell_rows = np.flatnonzero((kind == "count") & (status_in == STATUS_OK))
    _check_counts(obs, cell_rows, value_in)
    exact_inds = {
        ref
        for r in rules.indicators.values()
        if r.kind in ("ratio", "mean")
        for ref in (r.numerator, r.denominator)
        if ref is not None
    }
    cells, rounded = _cell_frame(obs, cell_rows, value_in, level, rule_of, exact_inds)
    t0 = time.perf_counter()
    table = build_table(cells, areas, rules)
    return _Prepared(
        obs, rule_of, kind, status_in, value_in, level, cell_rows, table, rounded,
        time.perf_counter() - t0,
    )  # fmt: skip


# --- input checks -----------------------------------------------------------------------


def _check_unique(obs: pd.DataFrame) -> None:
    dup = obs.duplicated(KEY, keep=False)
    if dup.any():
        first = obs[dup].iloc[0]
        raise DisclosureInputError(
            f"observations: {int(dup.sum())} rows share a key; first: "
            f"{first['indicator_id']} {first['area_code']} ({first['vintage']}, "
            f"{first['period']})"
        )


def _check_counts(obs: pd.DataFrame, rows: np.ndarray, value: np.ndarray) -> None:
    v = value[rows]
    bad = ~np.isfinite(v) | (v < 0) | (np.abs(v - np.round(v)) > 1e-9)
    if bad.any():
        i = int(rows[np.flatnonzero(bad)[0]])
        r = obs.iloc[i]
        raise DisclosureInputError(
            f"observations row {i} ({r['indicator_id']} {r['area_code']} {r['vintage']} "
            f"{r['period']}): a count must be a whole number >= 0 with status 'ok', got "
            f"{r['value']!r}; {int(bad.sum())} such row(s)"
        )


def _levels(obs: pd.DataFrame, areas: pd.DataFrame) -> np.ndarray:
    info = areas[["code", "vintage", "level"]].drop_duplicates(["vintage", "code"])
    info = info.astype({"vintage": "int64"}).rename(columns={"code": "area_code"})
    keys = obs[["vintage", "area_code"]].astype({"area_code": str})
    info = info.astype({"area_code": str})
    merged = keys.merge(info, on=["vintage", "area_code"], how="left")
    out = merged["level"].to_numpy(object)
    for i in np.flatnonzero(pd.isna(out)):
        code = normalise_code(obs["area_code"].iloc[i])
        out[i] = level_of(code) if code else "gebied"
    return out


# --- cells ----------------------------------------------------------------------------


def _cell_frame(
    obs: pd.DataFrame,
    rows: np.ndarray,
    value: np.ndarray,
    level: np.ndarray,
    rule_of: dict[str, IndicatorRule],
    exact_inds: set[str],
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per known count with its rule parameters, published bounds and rounded value."""
    sub = obs.iloc[rows][["indicator_id", "vintage", "period", "area_code"]].reset_index(drop=True)
    v = value[rows]
    ind = sub["indicator_id"].astype(str)
    threshold = ind.map({i: r.threshold for i, r in rule_of.items()}).to_numpy(np.float64)
    show_zero = ind.map({i: r.show_zero for i, r in rule_of.items()}).to_numpy(bool)
    required = ind.map({i: r.effective_required_width for i, r in rule_of.items()})
    primary = (v < threshold) & ((v != 0) | ~show_zero)
    rounded = v.copy()
    pub_lo, pub_hi = v.copy(), v.copy()
    lvl = level[rows]
    for ind_id in ind.unique():
        rule = rule_of[ind_id]
        if rule.rounding is None:
            continue
        sel = np.flatnonzero((ind == ind_id).to_numpy() & np.isin(lvl, list(rule.rounding.levels)))
        rounded[sel] = round_counts(v[sel], rule.rounding, sub.iloc[sel])
        if ind_id in exact_inds:
            continue  # a published ratio of this count gives the exact value back
        below, above = rule.rounding.slack()
        lo = np.maximum(rounded[sel] - below, 0.0)
        hi = rounded[sel] + above
        t = rule.threshold
        lo = np.where((lo > 0) | (not rule.show_zero), np.maximum(lo, t), lo)
        hi = np.where((lo == 0) & (hi < t), 0.0, hi)
        pub_lo[sel], pub_hi[sel] = lo, hi
    frame = sub.assign(
        value=v,
        primary=primary,
        threshold=threshold,
        required=required.to_numpy(np.float64),
        pub_lo=pub_lo,
        pub_hi=pub_hi,
    )
    return frame, rounded


def round_counts(values: np.ndarray, rounding: Rounding, keys: pd.DataFrame) -> np.ndarray:
    """Round counts to ``rounding.base``; deterministic per cell (see :class:`Rounding`).

    ``keys`` has ``indicator_id, vintage, period, area_code`` (used by ``random`` only).

    >>> k = pd.DataFrame({"indicator_id": ["m"] * 4, "vintage": 2024, "period": "2024",
    ...                   "area_code": ["a", "b", "c", "d"]})
    >>> round_counts(np.array([5.0, 7.0, 8.0, 12.0]), Rounding(5), k).tolist()
    [5.0, 5.0, 10.0, 10.0]
    """
    base = float(rounding.base)
    if rounding.method == "conventional":
        return np.floor(values / base + 0.5) * base
    draws = np.array(
        [
            _unit_hash(f"{i}|{v}|{p}|{a}")
            for i, v, p, a in zip(
                keys["indicator_id"],
                keys["vintage"],
                keys["period"],
                keys["area_code"],
                strict=True,
            )
        ]
    )
    low = np.floor(values / base) * base
    up = (values - low) / base > draws
    return low + np.where(up, base, 0.0)


def _unit_hash(text: str) -> float:
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


# --- repair ----------------------------------------------------------------------------


def _groups_of(table: CellTable, cells: np.ndarray) -> np.ndarray:
    return np.unique(np.concatenate([table.groups_of(int(c)) for c in cells]))


def _repair(table: CellTable, failing: np.ndarray, intervals: Intervals) -> list[int]:
    """Hide, per failing cell, one complement in a sum that pins it down.

    The sums come from the audit (``Intervals.binding``: non-zero dual values), or all sums of
    the cell when none is known. Preference: the smallest published count whose margin above
    its threshold covers the shortfall, else the largest count, then a usable published zero
    (as a zero cover), then the smallest published total. When those sums have nothing left
    to hide (every member is hidden already, and the bounds the reasons give pin the cell),
    the search moves outwards: the other sums of their hidden members, up to three steps.
    """
    lo, hi = table.bounds(audit=False)
    required = table.required_widths()
    added: list[int] = []
    for cell in failing.tolist():
        groups = intervals.binding.get(cell)
        if groups is None or len(groups) == 0:
            groups = table.groups_of(cell)
        shortfall = required[cell] - (intervals.hi[cell] - intervals.lo[cell])
        if not np.isfinite(shortfall):
            shortfall = required[cell]
        seen = set(groups.tolist())
        choice: tuple[int, int] | None = None
        for _step in range(_REPAIR_STEPS):
            choice = _complement(table, groups, shortfall, lo, hi)
            if choice is not None:
                break
            seg, members, _ = table.gather(groups)
            del seg
            hidden_members = members[table.state[members] != PUBLISHED]
            nxt = {int(g) for m in np.unique(hidden_members) for g in table.groups_of(int(m))}
            nxt -= seen
            if not nxt:
                break
            seen |= nxt
            groups = np.array(sorted(nxt), dtype=np.int64)
        if choice is not None and table.state[choice[0]] == PUBLISHED:
            hide(table, choice[0], lo, hi, choice[1])
            added.append(choice[0])
    logger.info("event=disclosure_repair failing=%d hidden=%d", len(failing), len(added))
    return added


_REPAIR_STEPS: Final = 4


def _complement(
    table: CellTable, groups: np.ndarray, shortfall: float, lo: np.ndarray, hi: np.ndarray
) -> tuple[int, int] | None:
    """The cell to hide among the members of ``groups`` and the state to hide it in."""
    counts: list[tuple[float, int]] = []
    zeros: list[int] = []
    totals: list[tuple[float, int]] = []
    for g in groups.tolist():
        members, _ = table.members(g)
        for pos, m in enumerate(members.tolist()):
            if table.state[m] != PUBLISHED:
                continue
            v = float(table.value[m])
            if pos == 0:
                if v > 0:
                    totals.append((v, m))
            elif v > 0:
                counts.append((v, m))
            elif usable_zero(table, m, lo, hi):
                zeros.append(m)
    if counts:
        enough = [(v, m) for v, m in counts if v - table.threshold[m] >= shortfall]
        return (min(enough)[1] if enough else max(counts)[1]), SECONDARY
    if zeros:
        return min(zeros), ZERO_COVER
    if totals:
        return min(totals)[1], SECONDARY
    return None


# --- ratios and means ------------------------------------------------------------------


def _ratios_and_means(
    obs: pd.DataFrame,
    kind: np.ndarray,
    rule_of: dict[str, IndicatorRule],
    value_in: np.ndarray,
    status_in: np.ndarray,
    status_out: np.ndarray,
    code: np.ndarray,
    about: np.ndarray,
) -> None:
    """Set ``code`` (and ``about``: the count the reason names) for ratio and mean cells
    that must be hidden. Later checks win, so the most telling reason is kept."""
    targets = np.flatnonzero(np.isin(kind, ["ratio", "mean"]) & (status_in == STATUS_OK))
    if not len(targets):
        return
    index = pd.MultiIndex.from_frame(obs[["indicator_id", "vintage", "period", "area_code"]])
    ids = obs["indicator_id"].astype(str).to_numpy(object)[targets]
    for ind_id in pd.unique(ids):
        rule = rule_of[ind_id]
        rows = targets[ids == ind_id]
        keys = obs.iloc[rows][["vintage", "period", "area_code"]]

        def lookup(other: str, keys: pd.DataFrame = keys) -> tuple[np.ndarray, np.ndarray]:
            probe = pd.MultiIndex.from_arrays(
                [np.full(len(keys), other, object), keys["vintage"], keys["period"],
                 keys["area_code"]]
            )  # fmt: skip
            pos = index.get_indexer(probe)
            at = np.where(pos >= 0, pos, 0)
            ok = (pos >= 0) & (status_in[at] == STATUS_OK)
            hidden = (pos >= 0) & (status_out[at] == STATUS_SUPPRESSED)
            return np.where(ok, value_in[at], np.nan), hidden

        if rule.denominator is None:  # guaranteed by the rules; kept for the type checker
            raise DisclosureInputError(f"{ind_id}: rule {rule.kind} without a denominator")
        den, den_hidden = lookup(rule.denominator)
        checks: list[tuple[np.ndarray, Code, str]] = []
        if rule.kind == "mean":
            checks.append((den < rule.denominator_threshold, Code.MEAN_DENOMINATOR_SMALL,
                           rule.denominator))  # fmt: skip
        else:
            checks.append((den_hidden, Code.RATIO_PART_HIDDEN, rule.denominator))
            checks.append((den < rule.denominator_threshold, Code.RATIO_DENOMINATOR_SMALL,
                           rule.denominator))  # fmt: skip
            if rule.numerator is not None:
                num, num_hidden = lookup(rule.numerator)
                num_rule = rule_of.get(rule.numerator)
                zero_hidden = num_rule is not None and not num_rule.show_zero
                small = (num < rule.numerator_threshold) & ((num != 0) | zero_hidden)
                checks.append((num_hidden, Code.RATIO_PART_HIDDEN, rule.numerator))
                checks.append((small, Code.RATIO_NUMERATOR_SMALL, rule.numerator))
                checks.append((np.isnan(num), Code.BASIS_UNKNOWN, rule.numerator))
        checks.append((np.isnan(den), Code.BASIS_UNKNOWN, rule.denominator))
        for hit, c, ref in checks:
            code[rows[hit]] = c.value
            about[rows[hit]] = ref


def _fill_reasons(
    obs: pd.DataFrame,
    code: np.ndarray,
    about: np.ndarray,
    rows: np.ndarray,
    level: np.ndarray,
    rule_of: dict[str, IndicatorRule],
    reason_nl: np.ndarray,
    reason_en: np.ndarray,
) -> None:
    """Dutch and English reason per newly hidden cell (each distinct text made once)."""
    ind = obs["indicator_id"].astype(str).to_numpy(object)
    cache: dict[tuple[str, str, str | None, str], tuple[str, str]] = {}
    for j in rows.tolist():
        key = (str(code[j]), ind[j], about[j], str(level[j]))
        if key not in cache:
            cache[key] = _reason_text(Code(key[0]), rule_of[key[1]], rule_of, key[2], key[3])
        reason_nl[j], reason_en[j] = cache[key]


def _reason_text(
    c: Code,
    rule: IndicatorRule,
    rule_of: dict[str, IndicatorRule],
    ref: str | None,
    level: str,
) -> tuple[str, str]:
    if c in (Code.COUNT_BELOW_THRESHOLD, Code.ZERO_COVER):
        return texts(c, threshold=rule.threshold, noun_nl=rule.noun_nl, noun_en=rule.noun_en,
                     level=level)  # fmt: skip
    if c == Code.SECONDARY:
        return texts(c)
    other = rule_of.get(ref or "")
    noun_nl = other.noun_nl if other else (ref or "")
    noun_en = other.noun_en if other else (ref or "")
    if c == Code.RATIO_NUMERATOR_SMALL:
        threshold = rule.numerator_threshold
    else:
        threshold = rule.denominator_threshold
    return texts(c, threshold=threshold, noun_nl=noun_nl, noun_en=noun_en, level=level)


# --- report -----------------------------------------------------------------------------


def _report(
    obs: pd.DataFrame,
    table: CellTable,
    intervals: Intervals,
    stats: AuditStats,
    rules: DisclosureRules,
    status_in: np.ndarray,
    code: np.ndarray,
    rounded: np.ndarray,
    rounds: int,
    repaired: int,
    seconds: float,
    seconds_audit: float,
) -> AuditReport:
    hidden_cells = np.flatnonzero(table.state != PUBLISHED)
    keys = table.keys.iloc[hidden_cells]
    cells = pd.DataFrame(
        {
            "indicator_id": keys["indicator_id"].to_numpy(),
            "vintage": keys["vintage"].to_numpy(),
            "period": keys["period"].to_numpy(),
            "area_code": keys["area_code"].to_numpy(),
            "kind": pd.Series(table.state[hidden_cells])
            .map({PRIMARY: "primary", SECONDARY: "secondary", ZERO_COVER: "zero cover"})
            .to_numpy(object),
            "value": table.value[hidden_cells],
            "lowest": intervals.lo[hidden_cells],
            "highest": intervals.hi[hidden_cells],
            "width": intervals.width[hidden_cells],
            "exact": intervals.exact[hidden_cells],
            "required_width": table.required_widths(hidden_cells),
            "method": [METHOD_NAMES[int(m)] for m in intervals.method[hidden_cells]],
        }
    )
    failing = cells[~(cells["width"] >= cells["required_width"] - EPS)]
    failures = tuple(
        CellFailure(
            r.indicator_id, int(r.vintage), str(r.period), str(r.area_code), str(r.kind),
            float(r.value), float(r.lowest), float(r.highest), float(r.required_width),
        )
        for r in failing.itertuples(index=False)
    )  # fmt: skip
    rows = pd.DataFrame(
        {
            "ind": obs["indicator_id"].astype(str).to_numpy(object),
            "published": obs["status"].to_numpy(object) == STATUS_OK,
            "at_source": status_in == STATUS_SUPPRESSED,
            "rounded": rounded,
            "code": code,
        }
    )
    totals = rows.groupby("ind").agg(
        rows=("published", "size"),
        published=("published", "sum"),
        at_source=("at_source", "sum"),
        rounded=("rounded", "sum"),
    )
    ours = rows.dropna(subset=["code"])
    ours = ours[ours["code"] != Code.SUPPRESSED_AT_SOURCE.value]
    code_counts = ours.groupby(["ind", "code"]).size()
    small = cells[cells["kind"] != "secondary"]
    narrowest = small.loc[small.groupby("indicator_id")["width"].idxmin()].set_index("indicator_id")
    secondary_width = cells[cells["kind"] == "secondary"].groupby("indicator_id")["width"].min()
    failures_per = failing.groupby("indicator_id").size()
    per: list[IndicatorAudit] = []
    for ind_id, t in totals.iterrows():
        rule = rules.rule_for(str(ind_id))
        hidden = (
            {str(c): int(v) for c, v in code_counts.loc[ind_id].items()}
            if ind_id in code_counts.index.get_level_values(0)
            else {}
        )
        narrow = narrowest.loc[ind_id] if ind_id in narrowest.index else None
        per.append(
            IndicatorAudit(
                indicator_id=str(ind_id),
                rule=rule.kind,
                rows=int(t["rows"]),
                published=int(t["published"]),
                hidden=hidden,
                secondary=hidden.get(Code.SECONDARY.value, 0)
                + hidden.get(Code.ZERO_COVER.value, 0),
                suppressed_at_source=int(t["at_source"]),
                rounded=int(t["rounded"]),
                narrowest_width=float(narrow["width"]) if narrow is not None else None,
                narrowest_exact=bool(narrow["exact"]) if narrow is not None else False,
                required_width=(
                    float(rule.effective_required_width) if rule.kind == "count" else None
                ),
                narrowest_secondary_width=(
                    float(secondary_width[ind_id]) if ind_id in secondary_width.index else None
                ),
                failures=int(failures_per.get(ind_id, 0)),
            )
        )
    return AuditReport(
        indicators=tuple(per),
        failures=failures,
        rules_source=rules.source,
        rules_fingerprint=rules.fingerprint,
        blocks_with_hidden=len(np.unique(table.block[hidden_cells])),
        components=stats.components,
        closed_form=stats.closed_form,
        own_bounds=stats.own_bounds,
        lp_components=stats.lp_components,
        lp_solves=stats.lp_solves,
        largest_lp=stats.largest_lp,
        repair_rounds=rounds,
        repaired_cells=repaired,
        seconds=seconds,
        seconds_audit=seconds_audit,
        cells=cells,
    )
