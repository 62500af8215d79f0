# SPDX-License-Identifier: EUPL-1.2
"""Disclosure control per rule: counts, ratios, means, CBS figures, rounding, reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.disclosure import (
    REASON_EN,
    DisclosureInputError,
    DisclosureRulesError,
    Rounding,
    protect,
    round_counts,
)
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

#: One wijk with three buurten; a second wijk with two.
AREAS = areas_for({1: 3, 2: 2})


def _meldingen(buurten: dict[str, float]) -> dict[tuple[str, str], float]:
    return indicator_values("meldingen", counts_up(buurten))


def test_count_below_threshold_is_hidden_zero_shown_with_reasons_in_two_languages() -> None:
    values = _meldingen(
        {
            buurt(1, 0): 40,
            buurt(1, 1): 30,
            buurt(1, 2): 0,
            buurt(2, 0): 50,
            buurt(2, 1): 60,
        }
    )
    out = by_key(
        protect(observations(values), AREAS, rules(count_rules(["meldingen"]))).observations
    )
    assert (out["status"] == "ok").all()  # nothing small: nothing hidden, zero shown
    assert out.loc[("meldingen", buurt(1, 2)), "value"] == 0

    values[("meldingen", buurt(1, 2))] = 3
    values[("meldingen", wijk(1))] += 3
    values[("meldingen", GM)] += 3
    result = protect(observations(values), AREAS, rules(count_rules(["meldingen"])))
    out = by_key(result.observations)
    cell = out.loc[("meldingen", buurt(1, 2))]
    assert cell["status"] == "suppressed" and pd.isna(cell["value"])
    assert cell["reason"] == "verborgen: minder dan 5 meldingen in deze buurt"
    assert cell[REASON_EN] == "hidden: fewer than 5 reports in this neighbourhood"
    assert out["source"].eq("test").all()  # other columns pass through
    assert result.report.ok


def test_threshold_holds_at_every_level() -> None:
    areas = areas_for({1: 1, 2: 1})
    values = _meldingen({buurt(1, 0): 3, buurt(2, 0): 1})  # wijken 3 and 1, gemeente 4
    out = by_key(
        protect(observations(values), areas, rules(count_rules(["meldingen"]))).observations
    )
    assert (out["status"] == "suppressed").all()
    assert out.loc[("meldingen", GM), "reason"] == (
        "verborgen: minder dan 5 meldingen in deze gemeente"
    )
    assert out.loc[("meldingen", wijk(1)), REASON_EN].endswith("in this district")


def test_show_zero_false_hides_zeros_too() -> None:
    values = _meldingen({buurt(1, 0): 40, buurt(1, 1): 30, buurt(1, 2): 0, buurt(2, 0): 50,
                         buurt(2, 1): 60})  # fmt: skip
    rs = rules(count_rules(["meldingen"], show_zero=False))
    out = by_key(protect(observations(values), AREAS, rs).observations)
    assert out.loc[("meldingen", buurt(1, 2)), "status"] == "suppressed"
    assert out.loc[("meldingen", buurt(1, 2)), "reason"].startswith("verborgen: minder dan 5")


def test_cbs_figures_pass_unchanged_even_below_our_threshold() -> None:
    values = {("inwoners", buurt(1, 0)): 3.0, ("inwoners", buurt(1, 1)): None}
    obs = observations(
        {**values, ("inwoners", buurt(1, 2)): 5.0},
        status={("inwoners", buurt(1, 1)): "suppressed"},
    )
    result = protect(obs, AREAS, rules({}))
    out = result.observations
    pd.testing.assert_frame_equal(out.drop(columns=[REASON_EN]), obs, check_dtype=False)
    hidden = by_key(out).loc[("inwoners", buurt(1, 1))]
    assert hidden[REASON_EN] == "secret according to CBS (code -99997)"
    assert result.report.hidden_total == 0


def test_rule_none_is_published_as_is() -> None:
    obs = observations({("oppervlakte_land", buurt(1, 0)): 2.0})
    out = protect(obs, AREAS, rules({"oppervlakte_land": {"rule": "none"}})).observations
    assert out["value"].tolist() == [2.0] and out["status"].tolist() == ["ok"]


def test_a_figure_hidden_at_the_source_is_never_undone() -> None:
    obs = observations(
        {("meldingen", buurt(1, 0)): None, ("meldingen", buurt(1, 1)): 40.0},
        status={("meldingen", buurt(1, 0)): "suppressed"},
    )
    obs.loc[0, "reason"] = None
    out = by_key(protect(obs, AREAS, rules(count_rules(["meldingen"]))).observations)
    assert out.loc[("meldingen", buurt(1, 0)), "status"] == "suppressed"
    assert out.loc[("meldingen", buurt(1, 0)), "reason"] == "verborgen door de bron"
    assert out.loc[("meldingen", buurt(1, 1)), "value"] == 40


RATIO_RULES = {
    **count_rules(["meldingen"]),
    "per_1000": {
        "rule": "ratio",
        "numerator": "meldingen",
        "denominator": "inwoners",
        "denominator_threshold": 50,
        "noun_nl": "meldingen per 1.000 inwoners",
    },
}


def _ratio_case(
    meldingen: dict[str, float], inwoners: dict[str, float]
) -> dict[tuple[str, str], float]:
    values = _meldingen(meldingen)
    values |= indicator_values("inwoners", counts_up(inwoners))
    for (ind, area), v in list(values.items()):
        if ind == "meldingen":
            values[("per_1000", area)] = round(1000 * v / values[("inwoners", area)], 1)
    return values


def test_ratio_hidden_when_numerator_small_denominator_small_or_numerator_hidden() -> None:
    values = _ratio_case(
        {buurt(1, 0): 3, buurt(1, 1): 40, buurt(1, 2): 30, buurt(2, 0): 50, buurt(2, 1): 20},
        {buurt(1, 0): 900, buurt(1, 1): 1000, buurt(1, 2): 800, buurt(2, 0): 40,
         buurt(2, 1): 2000},
    )  # fmt: skip
    result = protect(observations(values), AREAS, rules(RATIO_RULES))
    out = by_key(result.observations)
    small = out.loc[("per_1000", buurt(1, 0))]
    assert small["status"] == "suppressed"
    assert small["reason"] == "verborgen: berekend uit minder dan 5 meldingen in deze buurt"
    few_people = out.loc[("per_1000", buurt(2, 0))]
    assert few_people["status"] == "suppressed"
    assert few_people["reason"] == "verborgen: berekend over minder dan 50 inwoners in deze buurt"
    # buurt(1, 0) is hidden, so a second buurt of wijk 1 is hidden too, and with it its rate.
    secondary = [
        b for b in (buurt(1, 1), buurt(1, 2)) if out.loc[("meldingen", b), "status"] != "ok"
    ]
    assert len(secondary) == 1
    rate = out.loc[("per_1000", secondary[0])]
    assert rate["status"] == "suppressed"
    assert (
        rate["reason"]
        == "verborgen: het aantal waaruit dit cijfer is berekend (meldingen) is verborgen"
    )
    # A shown rate always has a shown numerator.
    shown = out.xs("per_1000", level=0)
    numerators = out.xs("meldingen", level=0)
    assert (numerators.loc[shown[shown["status"] == "ok"].index, "status"] == "ok").all()
    assert result.report.ok


def test_ratio_with_unknown_denominator_is_hidden() -> None:
    obs = observations(
        {("meldingen", buurt(1, 0)): 40.0, ("per_1000", buurt(1, 0)): 12.0,
         ("inwoners", buurt(1, 0)): None},
        status={("inwoners", buurt(1, 0)): "suppressed"},
    )  # fmt: skip
    out = by_key(protect(obs, AREAS, rules(RATIO_RULES)).observations)
    assert out.loc[("per_1000", buurt(1, 0)), "status"] == "suppressed"
    assert "is onbekend" in out.loc[("per_1000", buurt(1, 0)), "reason"]


def test_mean_needs_enough_units() -> None:
    obs = observations(
        {("woz", buurt(1, 0)): 310.0, ("woningen", buurt(1, 0)): 19.0,
         ("woz", buurt(1, 1)): 280.0, ("woningen", buurt(1, 1)): 20.0},
    )  # fmt: skip
    rs = rules(
        {
            "woz": {"rule": "mean", "denominator": "woningen"},
            "woningen": {"rule": "none", "noun_nl": "woningen", "noun_en": "dwellings"},
        }
    )
    out = by_key(protect(obs, AREAS, rs).observations)
    assert out.loc[("woz", buurt(1, 0)), "status"] == "suppressed"
    assert out.loc[("woz", buurt(1, 0)), "reason"] == (
        "verborgen: gemiddelde over minder dan 20 woningen in deze buurt"
    )
    assert out.loc[("woz", buurt(1, 0)), REASON_EN] == (
        "hidden: average over fewer than 20 dwellings in this neighbourhood"
    )
    assert out.loc[("woz", buurt(1, 1)), "value"] == 280.0


def _keys(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"indicator_id": "m", "vintage": 2024, "period": "2024",
         "area_code": [f"BU{i:08d}" for i in range(n)]}
    )  # fmt: skip


def test_conventional_rounding_is_to_the_nearest_multiple_halves_up() -> None:
    values = np.array([0, 5, 7, 8, 12, 13, 22.0])
    assert round_counts(values, Rounding(5), _keys(7)).tolist() == [0, 5, 5, 10, 10, 15, 20]
    assert round_counts(np.array([15.0]), Rounding(10), _keys(1)).tolist() == [20]


def test_random_rounding_is_deterministic_per_cell_and_unbiased() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(5, 200, 4000).astype(float)
    keys = _keys(4000)
    first = round_counts(values, Rounding(5, "random"), keys)
    again = round_counts(values, Rounding(5, "random"), keys)
    assert (first == again).all()
    order = rng.permutation(4000)
    shuffled = round_counts(values[order], Rounding(5, "random"), keys.iloc[order])
    assert (shuffled == first[order]).all()  # seeded per cell, not by position
    assert (first % 5 == 0).all() and (np.abs(first - values) < 5).all()
    assert abs((first - values).mean()) < 0.2  # unbiased on average


def test_rounding_in_protect_only_changes_published_counts_within_the_slack() -> None:
    values = _meldingen({buurt(1, 0): 41, buurt(1, 1): 33, buurt(1, 2): 3, buurt(2, 0): 52,
                         buurt(2, 1): 67})  # fmt: skip
    rs = rules(count_rules(["meldingen"], rounding_base=5))
    first = protect(observations(values), AREAS, rs)
    again = protect(observations(values), AREAS, rs)
    pd.testing.assert_frame_equal(first.observations, again.observations)
    out = by_key(first.observations)
    shown = out[out["status"] == "ok"]
    for key, row in shown.iterrows():
        assert row["value"] % 5 == 0 and abs(row["value"] - values[key]) <= 2
    assert first.report.ok


def test_input_that_cannot_be_protected_is_refused() -> None:
    rs = rules(count_rules(["meldingen"]))
    with pytest.raises(DisclosureInputError, match="whole number >= 0"):
        protect(observations({("meldingen", buurt(1, 0)): 2.5}), AREAS, rs)
    with pytest.raises(DisclosureInputError, match="whole number >= 0"):
        protect(observations({("meldingen", buurt(1, 0)): -1.0}), AREAS, rs)
    twice = pd.concat([observations({("meldingen", buurt(1, 0)): 7.0})] * 2)
    with pytest.raises(DisclosureInputError, match="share a key"):
        protect(twice, AREAS, rs)
    with pytest.raises(DisclosureRulesError, match="no disclosure rule for indicator 'x'"):
        protect(observations({("x", buurt(1, 0)): 1.0}), AREAS, rs)
    with pytest.raises(DisclosureInputError, match="lack column"):
        protect(observations({("meldingen", buurt(1, 0)): 7.0}).drop(columns="status"), AREAS, rs)


def test_empty_input_gives_an_empty_ok_report() -> None:
    obs = observations({}).reindex(
        columns=["area_code", "vintage", "period", "indicator_id", "value", "status", "reason"]
    )
    result = protect(obs, AREAS, rules({}))
    assert result.observations.empty and result.report.ok
    assert list(result.report.to_frame().columns[:3]) == ["rule", "rows", "published"]
