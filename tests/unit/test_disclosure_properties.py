# SPDX-License-Identifier: EUPL-1.2
"""Property tests: random hierarchies, breakdowns and periods with many small counts.

After :func:`protect`, an outsider who reads only the published table (values, statuses,
reasons) and knows the sums (areas, categories, months) and the rules (a reason "minder dan
t" means 0..t-1, a reason "om te voorkomen ..." means at least t, a rounded count lies within
the rounding interval) must not be able to narrow any hidden count down further than the rule
allows. The outsider's ranges are computed here from scratch with ``scipy.optimize.linprog``,
independently of the audit inside ``etl.disclosure``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from etl.disclosure import DisclosureError, DisclosureRules, Rounding, protect, round_counts
from tests.unit.test_disclosure_tables import GM, areas_for, buurt, wijk

pytestmark = pytest.mark.unit

SECONDARY_NL = "verborgen om te voorkomen dat een ander verborgen cijfer kan worden teruggerekend"


@dataclass(frozen=True)
class Case:
    areas: pd.DataFrame
    observations: pd.DataFrame
    rules: DisclosureRules
    threshold: int
    show_zero: bool
    rounding: Rounding | None
    categories: tuple[str, ...]
    periods: tuple[str, ...]  # months first, the year last (or only the year)
    children: dict[str, list[str]]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tree = {w: draw(st.integers(1, 3)) for w in range(1, draw(st.integers(1, 3)) + 1)}
    areas = areas_for(tree)
    n_cat = draw(st.sampled_from([0, 2, 3]))
    categories = tuple(f"cat{c}" for c in range(n_cat))
    months = tuple(f"2025-{m:02d}" for m in range(1, draw(st.sampled_from([0, 2])) + 1))
    periods = (*months, "2025")
    threshold = draw(st.sampled_from([3, 5]))
    show_zero = draw(st.booleans())
    base = draw(st.sampled_from([0, 0, 5]))
    method = draw(st.sampled_from(["conventional", "random"]))
    small = st.integers(0, 3 * threshold)
    leaves = [buurt(w, b) for w, nb in tree.items() for b in range(nb)]
    inds = categories or ("meldingen",)
    base_periods = months or ("2025",)
    # Buurt x indicator x period values; everything else is summed exactly.
    values: dict[tuple[str, str, str], int] = {}
    for leaf in leaves:
        for ind in inds:
            for p in base_periods:
                values[(ind, leaf, p)] = draw(small)
    children: dict[str, list[str]] = {GM: [wijk(w) for w in tree]}
    for w, nb in tree.items():
        children[wijk(w)] = [buurt(w, b) for b in range(nb)]

    def total(ind: str, area: str, p: str) -> int:
        if area in children:
            return sum(total(ind, c, p) for c in children[area])
        if p == "2025" and months:
            return sum(values[(ind, area, m)] for m in months)
        return values[(ind, area, p)]

    rows = []
    for area in areas["code"]:
        for p in periods:
            cat_values = {ind: total(ind, area, p) for ind in inds}
            for ind, v in cat_values.items():
                rows.append((area, p, ind, v))
            if categories:
                rows.append((area, p, "meldingen", sum(cat_values.values())))
            rows.append((area, p, "inwoners", draw(st.integers(0, 9))))  # a CBS figure
    obs = pd.DataFrame(rows, columns=["area_code", "period", "indicator_id", "value"])
    obs["vintage"] = 2024
    obs["value"] = obs["value"].astype(float)
    obs["status"] = "ok"
    obs["reason"] = None
    options = {"threshold": threshold, "show_zero": show_zero, "rounding_base": base,
               "rounding_method": method}  # fmt: skip
    raw: dict[str, object] = {
        "indicators": {ind: {"rule": "count", **options} for ind in ("meldingen", *categories)}
    }
    if categories:
        raw["breakdowns"] = {"per_categorie": {"total": "meldingen", "members": list(categories)}}
    rules = DisclosureRules.from_mapping(raw, where="property test")
    rounding = Rounding(base, method) if base else None  # type: ignore[arg-type]
    return Case(areas, obs, rules, threshold, show_zero, rounding, categories, periods, children)


def _sums(case: Case) -> list[tuple[tuple[str, str, str], list[tuple[str, str, str]]]]:
    """Every published sum as (total cell, part cells); cells are (indicator, area, period)."""
    inds = ("meldingen", *case.categories)
    sums = []
    for ind in inds:
        for p in case.periods:
            for parent, kids in case.children.items():
                sums.append(((ind, parent, p), [(ind, k, p) for k in kids]))
    if case.categories:
        for area in case.areas["code"]:
            for p in case.periods:
                sums.append((("meldingen", area, p), [(c, area, p) for c in case.categories]))
    if len(case.periods) > 1:
        for ind in inds:
            for area in case.areas["code"]:
                sums.append(((ind, area, "2025"), [(ind, area, m) for m in case.periods[:-1]]))
    return sums


def _outsider_ranges(
    case: Case, published: pd.DataFrame
) -> dict[tuple[str, str, str], tuple[float, float, str]]:
    """What an outsider can deduce about each hidden count: (lowest, highest, kind)."""
    t = case.threshold
    counts = published[published["indicator_id"] != "inwoners"]
    cells = {(r.indicator_id, r.area_code, r.period): r for r in counts.itertuples()}
    hidden = [k for k, r in cells.items() if r.status == "suppressed"]
    index = {k: i for i, k in enumerate(hidden)}
    big = 10.0 * float(case.observations["value"].max()) + 100.0
    lo = np.zeros(len(hidden))
    hi = np.zeros(len(hidden))
    kinds = []
    for k, i in index.items():
        reason = cells[k].reason
        if reason == SECONDARY_NL:
            lo[i], hi[i] = t, big
            kinds.append("secondary")
        else:
            assert reason.startswith(f"verborgen: minder dan {t} ")
            lo[i], hi[i] = 0, t - 1
            kinds.append("small")

    def known(k: tuple[str, str, str]) -> tuple[float, float]:
        r = float(cells[k].value)
        if case.rounding is None:
            return r, r
        below, above = case.rounding.slack()
        low, high = max(r - below, 0.0), r + above
        if low > 0 or not case.show_zero:
            low = max(low, t)
        if low == 0 and high < t:
            high = 0.0
        return low, high

    # Published counts within their rounding interval are variables too.
    extra: dict[tuple[str, str, str], int] = {}
    bounds_lo, bounds_hi = list(lo), list(hi)
    for k, r in cells.items():
        if r.status == "ok":
            low, high = known(k)
            if high > low:
                extra[k] = len(bounds_lo)
                bounds_lo.append(low)
                bounds_hi.append(high)
    col = {**index, **extra}
    a_rows, b = [], []
    for tot, parts in _sums(case):
        row = np.zeros(len(bounds_lo))
        rhs = 0.0
        for cell, coef in [(tot, 1.0)] + [(p, -1.0) for p in parts]:
            if cell in col:
                row[col[cell]] += coef
            else:
                rhs -= coef * known(cell)[0]
        if row.any():
            a_rows.append(row)
            b.append(rhs)
    out = {}
    bounds = list(zip(bounds_lo, bounds_hi, strict=True))
    for k, i in index.items():
        if not a_rows:
            out[k] = (lo[i], hi[i], kinds[i])
            continue
        c = np.zeros(len(bounds_lo))
        c[i] = 1.0
        low = linprog(c, A_eq=np.array(a_rows), b_eq=b, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=np.array(a_rows), b_eq=b, bounds=bounds, method="highs")
        assert low.status == 0 and high.status == 0, "the true table must be feasible"
        out[k] = (np.ceil(low.fun - 1e-6), np.floor(-high.fun + 1e-6), kinds[i])
    return out


def protect_or_fail_closed(case: Case) -> pd.DataFrame | None:
    """Protect, or — when the repair step finds no safe pattern — refuse to publish.

    Known limitation (issue 5 stays open for it): on some sparse tables with hierarchy,
    categories and periods crossed, the complement repair does not converge and the audit
    raises. That fails closed (the run publishes nothing), which is what is asserted here;
    the property checks below apply to every table that *is* published.
    """
    try:
        return protect(case.observations, case.areas, case.rules).observations
    except DisclosureError as e:
        assert not e.report.ok and e.report.failures, "a refusal must name the unsafe cells"
        event("fail closed: audit refused the table")
        return None


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_no_hidden_count_can_be_narrowed_down_too_far(case: Case) -> None:
    out = protect_or_fail_closed(case)
    if out is None:
        return
    required_small = max(-(-(case.threshold - 1) // 2), 1)  # half of 0..t-1, rounded up
    for cell, (low, high, kind) in _outsider_ranges(case, out).items():
        required = required_small if kind == "small" else 1
        assert high - low >= required, (cell, low, high, kind)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_shown_counts_change_only_by_rounding_and_none_is_below_the_threshold(
    case: Case,
) -> None:
    out = protect_or_fail_closed(case)
    if out is None:
        return
    original = case.observations.set_index(["indicator_id", "area_code", "period"])["value"]
    published = out.set_index(["indicator_id", "area_code", "period"])
    counts = published.drop(index="inwoners", level=0)
    shown = counts[counts["status"] == "ok"]
    true = original.loc[shown.index]
    # Nothing below the threshold is shown (zero only when zeros are shown).
    assert ((true >= case.threshold) | ((true == 0) & case.show_zero)).all()
    if case.rounding is None:
        assert (shown["value"] == true).all()
    else:
        keys = shown.reset_index()[["indicator_id", "area_code", "period"]].assign(vintage=2024)
        expected = round_counts(true.to_numpy(), case.rounding, keys)
        assert (shown["value"].to_numpy() == expected).all()
    # Hidden cells carry no value; CBS figures come through unchanged, small ones included.
    assert counts.loc[counts["status"] == "suppressed", "value"].isna().all()
    cbs = published.xs("inwoners", level=0)["value"]
    assert (cbs == original.xs("inwoners", level=0).loc[cbs.index]).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_never_exactly_one_hidden_part_under_a_shown_total(case: Case) -> None:
    out = protect_or_fail_closed(case)
    if out is None:
        return
    status = {(r.indicator_id, r.area_code, r.period): r.status for r in out.itertuples()}
    for total, parts in _sums(case):
        if status[total] == "ok":
            assert [status[p] for p in parts].count("suppressed") != 1, (total, parts)
