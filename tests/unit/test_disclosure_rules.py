# SPDX-License-Identifier: EUPL-1.2
"""Disclosure rules: catalogue defaults, the municipality's file, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.disclosure import (
    DisclosureRules,
    DisclosureRulesError,
    IndicatorRule,
    Rounding,
    load_rules,
    merge_mappings,
)
from etl.disclosure.__main__ import main as rules_cli
from etl.indicators import CATALOGUE, Indicator

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def test_catalogue_defaults_follow_the_catalogue() -> None:
    rules = load_rules(None, catalogue=CATALOGUE)
    assert {i: r.kind for i, r in rules.indicators.items()} == {
        i.id: i.disclosure_rule for i in CATALOGUE
    }
    table = rules.table()
    assert table.loc["inwoners", "rule"] == "cbs"
    assert table.loc["inwoners", "threshold"] is None


def test_file_overrides_one_indicator_and_adds_own_ones(tmp_path: Path) -> None:
    path = tmp_path / "disclosure.toml"
    path.write_text(
        """
[defaults]
threshold = 5
mean_denominator_threshold = 20

[indicators.meldingen]
rule = "count"
threshold = 10
show_zero = false
rounding_base = 5
noun_nl = "meldingen"
noun_en = "reports"

[indicators.meldingen_per_1000]
rule = "ratio"
numerator = "meldingen"
denominator = "inwoners"
denominator_threshold = 50

[indicators.gemiddelde_woz_waarde]
rule = "mean"

[breakdowns.per_categorie]
total = "meldingen"
members = ["meldingen_afval"]

[indicators.meldingen_afval]
rule = "count"
""",
        encoding="utf-8",
    )
    rules = load_rules(path, catalogue=CATALOGUE)
    m = rules.rule_for("meldingen")
    assert (m.kind, m.threshold, m.show_zero, m.noun_en) == ("count", 10, False, "reports")
    assert m.rounding == Rounding(5, "conventional", ("gemeente", "wijk", "buurt"))
    assert m.effective_required_width == 5  # half of 0..9, rounded up
    ratio = rules.rule_for("meldingen_per_1000")
    assert (ratio.numerator, ratio.denominator, ratio.denominator_threshold) == (
        "meldingen",
        "inwoners",
        50,
    )
    woz = rules.rule_for("gemiddelde_woz_waarde")
    assert (woz.kind, woz.denominator, woz.denominator_threshold) == (
        "mean",
        "woningvoorraad",  # from the catalogue
        20,
    )
    assert rules.breakdowns[0].members == ("meldingen_afval",)
    assert rules.rule_for("inwoners").kind == "cbs"
    assert rules.source == str(path)


def test_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "disclosure.yaml"
    path.write_text("indicators:\n  m:\n    rule: count\n    threshold: 3\n", encoding="utf-8")
    assert load_rules(path, catalogue=CATALOGUE).rule_for("m").threshold == 3


def test_the_example_file_is_valid() -> None:
    rules = load_rules(REPO / "config" / "disclosure.example.toml", catalogue=CATALOGUE)
    assert rules.rule_for("meldingen").kind == "count"
    assert rules.breakdowns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[indicators.m]\nrule = 'count'\nthreshhold = 5\n", "unknown key(s) ['threshhold']"),
        ("[indicators.m]\nrule = 'secret'\n", "[indicators.m].rule: expected one of"),
        ("[indicators.m]\nthreshold = 5\n", "not in the catalogue, so 'rule' is required"),
        ("[indicators.m]\nrule = 'ratio'\n", "needs a 'denominator'"),
        ("[indicators.m]\nrule = 'count'\nthreshold = 0\n", "threshold: expected a whole number"),
        ("[indicators.m]\nrule = 'count'\nrounding_base = 1\n", "1 means no rounding"),
        ("[indicators.m]\nrule = 'count'\nrounding_method = 'up'\n", "rounding_method"),
        ("[indicators.m]\nrule = 'count'\nshow_zero = 'yes'\n", "expected true or false"),
        (
            "[indicators.r]\nrule = 'ratio'\nnumerator = 'x'\ndenominator = 'inwoners'\n",
            "has numerator 'x', which has no rule",
        ),
        (
            "[breakdowns.b]\ntotal = 'inwoners'\nmembers = ['mannen', 'vrouwen']\n",
            "'inwoners' has rule 'cbs'",
        ),
        (
            "[indicators.m]\nrule = 'count'\n[breakdowns.b]\ntotal = 'm'\nmembers = ['m']\n",
            "members must be distinct and differ from the total",
        ),
        ("[audit]\nsecondary_min_width = -1\n", "[audit].secondary_min_width"),
        ("[foo]\nx = 1\n", "unknown key(s) ['foo']"),
        ("indicators = 3\n", "[indicators] must be a table"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DisclosureRulesError) as err:
        load_rules(path, catalogue=CATALOGUE)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_unreadable_file_is_a_rules_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[indicators\n", encoding="utf-8")
    with pytest.raises(DisclosureRulesError, match="cannot read"):
        load_rules(path, catalogue=CATALOGUE)


def test_unknown_catalogue_rule_is_reported() -> None:
    bad = Indicator("x", "X", "X", "T", "aantal", "d", "d", disclosure_rule="secret")
    with pytest.raises(DisclosureRulesError, match="unknown disclosure_rule 'secret'"):
        load_rules(None, catalogue=[bad])


def test_indicator_without_rule_is_an_error() -> None:
    rules = load_rules(None, catalogue=CATALOGUE)
    with pytest.raises(DisclosureRulesError, match="no disclosure rule for indicator 'zzz'"):
        rules.rule_for("zzz")


def test_sources_contribute_defaults_that_the_file_overrides(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[indicators.m]\nthreshold = 10\n", encoding="utf-8")
    extra = {
        "indicators": {
            "m": {"rule": "count", "noun_nl": "meldingen"},
            "m_afval": {"rule": "count"},
        },
        "breakdowns": {"m_per_categorie": {"total": "m", "members": ["m_afval"]}},
    }
    rules = load_rules(path, catalogue=CATALOGUE, extra=extra)
    assert rules.rule_for("m").threshold == 10
    assert rules.rule_for("m").noun_nl == "meldingen"
    assert rules.breakdowns[0].name == "m_per_categorie"
    assert merge_mappings({"a": {"b": 1}}, {"a": {"c": 2}}) == {"a": {"b": 1, "c": 2}}


def test_fingerprint_changes_with_a_rule_but_not_with_the_file_name() -> None:
    a = DisclosureRules.from_mapping(
        {"indicators": {"m": {"rule": "count"}}}, where="a", catalogue=CATALOGUE
    )
    b = DisclosureRules.from_mapping(
        {"indicators": {"m": {"rule": "count"}}}, where="b", catalogue=CATALOGUE
    )
    c = DisclosureRules.from_mapping(
        {"indicators": {"m": {"rule": "count", "threshold": 6}}}, where="a", catalogue=CATALOGUE
    )
    assert a.fingerprint == b.fingerprint != c.fingerprint


@pytest.mark.parametrize(
    ("threshold", "required", "expected"),
    [(5, None, 2), (10, None, 5), (2, None, 1), (3, None, 1), (5, 4, 4), (5, 9, 4), (5, 1, 1)],
)
def test_required_width(threshold: int, required: int | None, expected: int) -> None:
    rule = IndicatorRule("m", "count", threshold=threshold, required_width=required)
    assert rule.effective_required_width == expected


def test_rounding_slack() -> None:
    assert Rounding(5).slack() == (2, 2)
    assert Rounding(10).slack() == (5, 4)
    assert Rounding(5, "random").slack() == (4, 4)


def test_the_rules_can_be_printed_for_the_privacy_officer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rules_cli(["--rules", str(REPO / "config" / "disclosure.example.toml")]) == 0
    printed = capsys.readouterr().out
    assert "| meldingen | count | 5 | True |" in printed
    assert "breakdown meldingen_per_categorie: meldingen = meldingen_afval + " in printed
    bad = tmp_path / "bad.toml"
    bad.write_text("[indicators.m]\nrule = 'nope'\n", encoding="utf-8")
    assert rules_cli(["--rules", str(bad)]) == 2
    assert "rule: expected one of" in capsys.readouterr().err
