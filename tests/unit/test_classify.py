# SPDX-License-Identifier: EUPL-1.2
"""data.classify: the four classification methods and the ColorBrewer palettes."""

from __future__ import annotations

import doctest
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import data.classify as classify_module
from data.classify import (
    METHODS,
    PALETTES,
    ClassificationError,
    check_classes,
    check_method,
    check_palette,
    classify,
    classify_values,
    colours,
    default_palette,
    sd_positions,
)

pytestmark = pytest.mark.unit


def test_docstring_examples_hold() -> None:
    failures, tests = doctest.testmod(classify_module)
    assert tests >= 8 and failures == 0


def test_quantiles_put_about_as_many_areas_in_each_class() -> None:
    values = list(range(1, 101))
    classes = classify_values(values, method="kwantielen", k=5)
    members = classify(values, classes.breaks)
    assert [members.count(i) for i in range(5)] == [20] * 5


def test_equal_intervals_have_equal_widths() -> None:
    classes = classify_values([0, 3, 7, 50, 100], method="intervallen", k=4)
    assert classes.breaks == (25.0, 50.0, 75.0, 100.0)
    assert classes.interval_bounds


def test_natural_breaks_find_the_gaps() -> None:
    values = [1, 2, 2, 3, 50, 51, 52, 100, 101]
    classes = classify_values(values, method="natuurlijk", k=3)
    assert classify(values, classes.breaks) == [0, 0, 0, 0, 1, 1, 1, 2, 2]


def test_stdev_classes_are_symmetric_around_the_reference() -> None:
    values = [2, 4, 4, 4, 5, 5, 7, 9]  # mean 5, population sd 2
    odd = classify_values(values, method="stdev", k=5, center=6)
    assert odd.breaks[:4] == (3.0, 5.0, 7.0, 9.0) and odd.sd == 2.0 and odd.center == 6
    even = classify_values(values, method="stdev", k=4, center=6)
    assert even.breaks[:3] == (4.0, 6.0, 8.0)
    assert len(sd_positions(even)) == 4
    without_reference = classify_values(values, method="stdev", k=3)
    assert without_reference.center == 5.0


def test_stdev_keeps_empty_outer_classes() -> None:
    classes = classify_values([10, 11, 12], method="stdev", k=7, center=11)
    assert classes.k == 7
    assert classes.breaks == tuple(sorted(classes.breaks))


def test_stdev_of_equal_values_is_one_class() -> None:
    assert classify_values([4, 4, 4], method="stdev", k=5).breaks == (4.0,)


@pytest.mark.parametrize("method", METHODS)
def test_fewer_distinct_values_than_classes(method: str) -> None:
    classes = classify_values([18.0, 22.5, 18.0, 22.5], method=method, k=5)  # type: ignore[arg-type]
    if method == "stdev":
        assert classes.k == 5
    else:
        assert classes.breaks == (18.0, 22.5)


@pytest.mark.parametrize("method", METHODS)
def test_no_values_no_classes(method: str) -> None:
    assert classify_values([None, math.nan], method=method).breaks == ()  # type: ignore[arg-type]


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from(METHODS),
    st.integers(3, 7),
)
def test_every_value_gets_a_class_in_order(values: list[float], method: str, k: int) -> None:
    classes = classify_values(values, method=method, k=k)  # type: ignore[arg-type]
    assert 1 <= classes.k <= k
    assert list(classes.breaks) == sorted(classes.breaks)
    members = classify(values, classes.breaks)
    assert all(m is not None and 0 <= m < classes.k for m in members)
    pairs = sorted(zip(values, members, strict=True))
    assert [m for _, m in pairs] == sorted(m for _, m in pairs)


def test_checks_name_the_bad_value() -> None:
    assert check_method("stdev") == "stdev"
    with pytest.raises(ClassificationError, match="'jenks'"):
        check_method("jenks")
    assert check_classes("7") == 7
    for bad in ("2", "8", True, "vijf", 5.0):
        with pytest.raises(ClassificationError):
            check_classes(bad)
    with pytest.raises(ClassificationError, match="regenboog"):
        check_palette("regenboog")


def test_palettes_are_complete_and_distinct_from_the_no_figure_grey() -> None:
    for palette in PALETTES.values():
        for k in range(3, 8):
            assert len(palette.colours[k]) == k
            assert len(set(palette.colours[k])) == k
            assert "#b3b3b3" not in palette.colours[k]
    assert {p.kind for p in PALETTES.values()} == {"sequential", "diverging"}
    assert PALETTES[default_palette("stdev")].kind == "diverging"
    assert colours("rdbu", 1) == ("#f7f7f7",)
