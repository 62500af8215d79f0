# SPDX-License-Identifier: EUPL-1.2
"""api.params: strict parameters whose errors name the parameter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from api import params
from api.params import ParamError

pytestmark = pytest.mark.unit

VALUES_ALLOWED = {"indicator", "level", "year", "gemeente", "period", "area", "format", "envelope"}


def args(**kwargs: str) -> MultiDict[str, str]:
    return MultiDict(list(kwargs.items()))


def error_of(call: object, *a: object) -> ParamError:
    with pytest.raises(ParamError) as info:
        call(*a)  # type: ignore[operator]
    return info.value


def test_unknown_and_repeated_parameters_are_named() -> None:
    e = error_of(params.check_names, args(jaar="2024"), VALUES_ALLOWED, b"jaar=2024")
    assert e.parameter == "jaar" and "onbekende parameter" in e.message
    repeated = MultiDict([("year", "2015"), ("year", "2024")])
    e = error_of(params.check_names, repeated, VALUES_ALLOWED, b"year=2015&year=2024")
    assert e.parameter == "year" and "year=2015,2024" in e.message
    e = error_of(params.check_names, args(), VALUES_ALLOWED, b"x" * 5000)
    assert e.status == 400


def test_values_query_parses_everything() -> None:
    q = params.values_query(
        args(indicator="inwoners", level="buurt", year="2024,2015,2024", gemeente="GM0392",
             area="BU03920102,BU03920101", format="CSV")
    )  # fmt: skip
    assert (q.indicator, q.level, q.years, q.gemeente) == (
        "inwoners",
        "buurt",
        [2015, 2024],
        "GM0392",
    )
    assert q.areas == ["BU03920101", "BU03920102"] and q.format == "csv" and not q.envelope
    assert params.values_query(args(indicator="inwoners", level="wijk", year="all")).years is None


OK = {"indicator": "inwoners", "level": "wijk", "year": "2024"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"level": "wijk", "year": "2024"}, "indicator"),
        ({"indicator": "inwoners", "year": "2024"}, "level"),
        ({"indicator": "inwoners", "level": "wijk"}, "year"),
        ({**OK, "year": ""}, "year"),
        ({**OK, "indicator": "Inwoners"}, "indicator"),
        ({**OK, "indicator": "inwoners'; DROP TABLE x;--"}, "indicator"),
        ({**OK, "level": "straat"}, "level"),
        ({**OK, "year": "24"}, "year"),
        ({**OK, "year": "²０２４"}, "year"),
        ({**OK, "year": "2024,,2015"}, "year"),
        ({**OK, "year": ",".join(["2024"] * 51)}, "year"),
        ({**OK, "gemeente": "GM392"}, "gemeente"),
        ({**OK, "gemeente": "GM0392\n"}, "gemeente"),
        ({**OK, "gemeente": ""}, "gemeente"),
        ({**OK, "year": "all", "period": "2024"}, "period"),
        ({**OK, "period": "20 24"}, "period"),
        ({**OK, "area": "BU03920101"}, "area"),
        ({**OK, "format": "xml"}, "format"),
        ({**OK, "envelope": "misschien"}, "envelope"),
        ({**OK, "format": "csv", "envelope": "1"}, "envelope"),
    ],
)
def test_bad_values_parameters_are_named(query: dict[str, str], parameter: str) -> None:
    e = error_of(params.values_query, args(**query))
    assert e.parameter == parameter and e.status == 400
    assert parameter in e.message


def test_echo_shortens_and_quotes() -> None:
    assert params.echo("a" * 100).endswith("…'")
    assert params.echo("<script>") == "'<script>'"


@given(st.dictionaries(st.sampled_from(sorted(VALUES_ALLOWED)), st.text(max_size=60)))
def test_any_input_either_parses_or_is_a_named_400(query: dict[str, str]) -> None:
    try:
        q = params.values_query(args(**query))
    except ParamError as e:
        assert e.status == 400
        assert e.parameter in VALUES_ALLOWED
    else:
        assert q.level in ("gemeente", "wijk", "buurt")
        assert q.years is None or all(1800 <= y <= 2200 for y in q.years)


def test_flags_and_lang() -> None:
    assert params.flag(args(envelope="true"), "envelope") is True
    assert params.flag(args(envelope="0"), "envelope") is False
    assert params.flag(args(), "envelope") is False
    assert params.lang(args(lang="EN")) == "en"
    assert error_of(params.lang, args(lang="fr")).parameter == "lang"
    assert error_of(params.theme, args(theme="a\x00b")).parameter == "theme"
