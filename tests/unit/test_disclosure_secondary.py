# SPDX-License-Identifier: EUPL-1.2
"""Secondary suppression over areas, breakdowns and periods; the audit and its failures."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import etl.disclosure.protection as protection
from etl.disclosure import REASON_EN, DisclosureError, audit_publication, protect
from tests.unit.test_disclosure_tables import (
    GM,
    areas_for,
    buurt,
    by_key,
    count_rules,
    counts_up,
    indicator_values,
    observations,
    rules,
    wijk,
)

pytestmark = pytest.mark.unit

SECONDARY_NL = "verborgen om te voorkomen dat een ander verborgen cijfer kan worden teruggerekend"
SECONDARY_EN = "hidden to prevent another hidden figure from being calculated back"


def _hidden(out: pd.DataFrame, indicator: str = "meldingen") -> set[str]:
    sub = out[(out["indicator_id"] == indicator) & (out["status"] == "suppressed")]
    return set(sub["area_code"])


def test_one_hidden_buurt_under_a_shown_wijk_gets_the_smallest_sufficient_complement() -> None:
    areas = areas_for({1: 5, 2: 2})
    values = indicator_values(
        "meldingen",
        counts_up(
            {buurt(1, 0): 3, buurt(1, 1): 5, buurt(1, 2): 6, buurt(1, 3): 40, buurt(1, 4): 80,
             buurt(2, 0): 50, buurt(2, 1): 60}
        ),
    )  # fmt: skip
    result = protect(observations(values), areas, rules(count_rules(["meldingen"])))
    out = result.observations
    assert _hidden(out) == {buurt(1, 0), buurt(1, 1)}
    row = by_key(out).loc[("meldingen", buurt(1, 1))]
    assert (row["reason"], row[REASON_EN]) == (SECONDARY_NL, SECONDARY_EN)
    cells = result.report.cells.set_index("area_code")
    # An outsider knows 3 + 5 = 8, the small one is 0..4 and the other at least 5:
    # the small one lies in [0, 3], the other in [5, 8]. Nothing pins either down.
    assert (cells.loc[buurt(1, 0), "lowest"], cells.loc[buurt(1, 0), "highest"]) == (0, 3)
    assert (cells.loc[buurt(1, 1), "lowest"], cells.loc[buurt(1, 1), "highest"]) == (5, 8)
    assert set(cells["method"]) == {"closed form"}  # one sum: no solver needed
    assert result.report.ok and result.report.lp_solves == 0


def test_a_hidden_wijk_in_a_gemeente_gets_a_second_wijk_hidden() -> None:
    areas = areas_for({1: 1, 2: 1, 3: 1})
    values = indicator_values(
        "meldingen", counts_up({buurt(1, 0): 2, buurt(2, 0): 30, buurt(3, 0): 45})
    )
    out = protect(observations(values), areas, rules(count_rules(["meldingen"]))).observations
    hidden = _hidden(out)
    assert {wijk(1), buurt(1, 0)} <= hidden
    assert wijk(2) in hidden  # the smaller of the other two wijken
    assert wijk(3) not in hidden and GM not in hidden


def test_breakdown_with_one_hidden_category_gets_a_second_category_hidden() -> None:
    areas = areas_for({1: 1})
    cats = {"meldingen_afval": 3, "meldingen_licht": 12, "meldingen_overig": 40}
    values: dict[tuple[str, str], float] = {}
    for area in (GM, wijk(1), buurt(1, 0)):
        values[("meldingen", area)] = sum(cats.values())
        for c, v in cats.items():
            values[(c, area)] = v
    rs = rules(
        count_rules(["meldingen", *cats]),
        {"per_categorie": {"total": "meldingen", "members": list(cats)}},
    )
    result = protect(observations(values), areas, rs)
    out = result.observations
    for area in (GM, wijk(1), buurt(1, 0)):
        hidden = set(
            out[(out["area_code"] == area) & (out["status"] == "suppressed")]["indicator_id"]
        )
        assert hidden == {"meldingen_afval", "meldingen_licht"}
    assert result.report.ok


def test_periods_add_up_a_hidden_month_gets_a_second_month_hidden() -> None:
    areas = areas_for({1: 1})
    months = {"2025-01": 2, "2025-02": 9, "2025-03": 30}
    frames = []
    for period, v in {**months, "2025": sum(months.values())}.items():
        values = indicator_values("meldingen", {GM: v, wijk(1): v, buurt(1, 0): v})
        frames.append(observations(values, period=period))
    obs = pd.concat(frames, ignore_index=True)
    result = protect(obs, areas, rules(count_rules(["meldingen"])))
    out = result.observations
    hidden = out[out["status"] == "suppressed"]
    assert set(hidden["period"]) == {"2025-01", "2025-02"}
    assert result.report.ok
    # Without the period hierarchy only the small month is hidden (and the year gives it away).
    flat = protect(obs, areas, rules(count_rules(["meldingen"]), audit={"period_hierarchy": False}))
    assert set(flat.observations.query("status == 'suppressed'")["period"]) == {"2025-01"}


def test_suppression_spreads_across_both_dimensions_until_stable() -> None:
    # Wijk 1 has two buurten; the breakdown forces a complement whose own wijk column then
    # has a single hidden cell, which needs a complement in turn.
    areas = areas_for({1: 2, 2: 2})
    cells = {
        buurt(1, 0): {"a": 2, "b": 20, "c": 31},
        buurt(1, 1): {"a": 25, "b": 7, "c": 48},
        buurt(2, 0): {"a": 33, "b": 15, "c": 8},
        buurt(2, 1): {"a": 41, "b": 19, "c": 60},
    }
    values: dict[tuple[str, str], float] = {}
    for b, cats in cells.items():
        for c, v in cats.items():
            for area in (b, "WK" + b[2:8], GM):
                values[(c, area)] = values.get((c, area), 0) + v
                values[("meldingen", area)] = values.get(("meldingen", area), 0) + v
    rs = rules(
        count_rules(["meldingen", "a", "b", "c"]),
        {"per_categorie": {"total": "meldingen", "members": ["a", "b", "c"]}},
    )
    result = protect(observations(values), areas, rs)
    assert result.report.ok
    _assert_never_one_hidden_part(result.observations, areas, ["a", "b", "c"])


def _assert_never_one_hidden_part(
    out: pd.DataFrame, areas: pd.DataFrame, members: list[str]
) -> None:
    """No published total with exactly one hidden part (areas and categories)."""
    status = {(r.indicator_id, r.area_code): r.status for r in out.itertuples()}
    children: dict[str, list[str]] = {}
    for a in areas.itertuples():
        if a.parent_code:
            children.setdefault(a.parent_code, []).append(a.code)
    for (ind, area), st in status.items():
        if st != "ok":
            continue
        kids = [status.get((ind, c)) for c in children.get(area, [])]
        assert kids.count("suppressed") != 1, (ind, area)
        if ind == "meldingen":
            parts = [status.get((m, area)) for m in members]
            assert parts.count("suppressed") != 1, area


def test_the_audit_catches_a_hand_made_unsafe_publication() -> None:
    areas = areas_for({1: 3, 2: 2})
    values = indicator_values(
        "meldingen",
        counts_up({buurt(1, 0): 3, buurt(1, 1): 20, buurt(1, 2): 30, buurt(2, 0): 50,
                   buurt(2, 1): 60}),
    )  # fmt: skip
    original = observations(values)
    rs = rules(count_rules(["meldingen"]))

    # Only the small buurt hidden: wijk 1 minus the two shown buurten gives it back.
    unsafe = original.copy()
    unsafe.loc[unsafe["area_code"] == buurt(1, 0), ["status", "value"]] = ["suppressed", None]
    report = audit_publication(original, unsafe, areas, rs)
    assert not report.ok
    (failure,) = report.failures
    assert (failure.area_code, failure.lowest, failure.highest) == (buurt(1, 0), 3, 3)

    # Hiding its wijk too does not help: the gemeente minus wijk 2 gives wijk 1 back, and
    # then the buurt. Only the audit over all sums at once sees this.
    unsafe.loc[unsafe["area_code"] == wijk(1), ["status", "value"]] = ["suppressed", None]
    report = audit_publication(original, unsafe, areas, rs)
    assert {f.area_code for f in report.failures} == {buurt(1, 0), wijk(1)}
    assert "width 0 < required 2" in str(report.failures[0])

    # What protect() publishes passes the same audit.
    safe = protect(original, areas, rs).observations
    assert audit_publication(original, safe, areas, rs).ok


def test_protect_raises_when_the_audit_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    areas = areas_for({1: 3})
    values = indicator_values(
        "meldingen", counts_up({buurt(1, 0): 3, buurt(1, 1): 20, buurt(1, 2): 30})
    )
    rs = dataclasses.replace(rules(count_rules(["meldingen"])), max_repair_rounds=0)
    monkeypatch.setattr(protection, "suppress_secondary", lambda table, dirty=None: [])
    with pytest.raises(DisclosureError, match="disclosure audit failed") as err:
        protect(observations(values), areas, rs)
    assert err.value.report is not None and not err.value.report.ok
    assert buurt(1, 0) in str(err.value)


def test_the_repair_loop_fixes_what_the_audit_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    areas = areas_for({1: 3})
    values = indicator_values(
        "meldingen", counts_up({buurt(1, 0): 3, buurt(1, 1): 20, buurt(1, 2): 30})
    )
    real = protection.suppress_secondary
    calls: list[int] = []

    def first_time_nothing(table, dirty=None):  # type: ignore[no-untyped-def]
        calls.append(1)
        return [] if len(calls) == 1 else real(table, dirty)

    monkeypatch.setattr(protection, "suppress_secondary", first_time_nothing)
    result = protect(observations(values), areas, rules(count_rules(["meldingen"])))
    assert result.report.ok and result.report.repair_rounds == 1
    assert _hidden(result.observations) == {buurt(1, 0), buurt(1, 1)}


def test_vintages_do_not_mix() -> None:
    a24, a25 = areas_for({1: 2}, vintage=2024), areas_for({1: 2}, vintage=2025)
    values = indicator_values("meldingen", counts_up({buurt(1, 0): 3, buurt(1, 1): 40}))
    obs = pd.concat(
        [observations(values, vintage=2024), observations(values, vintage=2025, period="2025")]
    )
    out = protect(obs, pd.concat([a24, a25]), rules(count_rules(["meldingen"]))).observations
    for vintage in (2024, 2025):
        sub = out[out["vintage"] == vintage]
        assert set(sub[sub["status"] == "suppressed"]["area_code"]) >= {buurt(1, 0), buurt(1, 1)}


def test_protection_is_deterministic() -> None:
    areas = areas_for({1: 4, 2: 3})
    values = indicator_values(
        "meldingen",
        counts_up({buurt(1, 0): 1, buurt(1, 1): 2, buurt(1, 2): 9, buurt(1, 3): 9,
                   buurt(2, 0): 4, buurt(2, 1): 12, buurt(2, 2): 12}),
    )  # fmt: skip
    rs = rules(count_rules(["meldingen"]))
    first = protect(observations(values), areas, rs).observations
    shuffled = observations(values).sample(frac=1, random_state=3)
    second = protect(shuffled, areas, rs).observations
    pd.testing.assert_frame_equal(by_key(first), by_key(second), check_like=True, check_dtype=False)


def test_report_summary_and_frame() -> None:
    areas = areas_for({1: 3})
    values = indicator_values(
        "meldingen", counts_up({buurt(1, 0): 3, buurt(1, 1): 20, buurt(1, 2): 30})
    )
    report = protect(observations(values), areas, rules(count_rules(["meldingen"]))).report
    summary = report.summary()
    assert summary["ok"] and summary["hidden"] == 2 and summary["secondary"] == 1
    assert summary["narrowest_width"] >= 2
    frame = report.to_frame()
    assert frame.loc["meldingen", "hidden_count_below_threshold"] == 1
    assert frame.loc["meldingen", "hidden_secondary"] == 1
    assert frame.loc["meldingen", "required_width"] == 2
