# SPDX-License-Identifier: EUPL-1.2
"""data.shaping: classes, number formatting, texts and choropleth arrays."""

from __future__ import annotations

import doctest
import math

import pandas as pd
import pytest

import data.shaping as shaping
from data.shaping import (
    NO_FIGURE_COLOUR,
    NO_FIGURE_Z,
    center_zoom,
    choropleth_data,
    class_breaks,
    class_labels,
    classify,
    format_number,
    format_value,
    stepped_colorscale,
    summary_text,
    table_rows,
)

pytestmark = pytest.mark.unit


def _frame(values: list[float | None], statuses: list[str] | None = None) -> pd.DataFrame:
    n = len(values)
    statuses = statuses or ["ok" if v is not None else "missing" for v in values]
    return pd.DataFrame(
        {
            "code": [f"BU{i:08d}" for i in range(n)],
            "name": [f"Buurt {i}" for i in range(n)],
            "value": [math.nan if v is None else v for v in values],
            "status": statuses,
            "reason": [None if s == "ok" else f"reden {i}" for i, s in enumerate(statuses)],
        }
    )


def test_docstring_examples_hold() -> None:
    failures, tests = doctest.testmod(shaping)
    assert tests > 10
    assert failures == 0


@pytest.mark.parametrize(
    ("value", "decimals", "nl", "en"),
    [
        (167636, 0, "167.636", "167,636"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (2.25, 1, "2,2", "2.2"),  # round half to even, as Python does
        (-1500, 0, "-1.500", "-1,500"),
        (-0.04, 1, "0,0", "0.0"),  # no "-0"
        (999.5, 0, "1.000", "1,000"),
        (0, 0, "0", "0"),
    ],
)
def test_format_number(value: float, decimals: int, nl: str, en: str) -> None:
    assert format_number(value, decimals, "nl") == nl
    assert format_number(value, decimals, "en") == en


def test_format_number_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="nan"):
        format_number(math.nan)


def test_format_value_units() -> None:
    assert format_value(167636, unit="aantal") == "167.636"
    assert format_value(12.34, decimals=1, unit="%") == "12,3%"
    assert format_value(2.3, decimals=1, unit="personen", lang="en") == "2.3 personen"


def test_quantile_breaks_five_classes() -> None:
    breaks = class_breaks(range(1, 101))
    assert len(breaks) == 5
    assert breaks[-1] == 100
    assert breaks == sorted(breaks)
    assert classify([1, 100], breaks) == [0, 4]


def test_fewer_distinct_values_than_classes() -> None:
    assert class_breaks([18.0, 22.5, 18.0, 22.5, 22.5]) == [18.0, 22.5]
    assert classify([18.0, 22.5], [18.0, 22.5]) == [0, 1]


def test_all_missing_gives_no_classes() -> None:
    assert class_breaks([None, math.nan, None]) == []
    assert classify([None, 3.0], []) == [None, None]


def test_many_ties_give_unique_increasing_breaks() -> None:
    breaks = class_breaks([0] * 20 + [5, 10, 20, 30, 40])
    assert breaks == sorted(set(breaks))
    assert breaks[-1] == 40
    assert len(breaks) <= 5


def test_class_count_is_bounded() -> None:
    with pytest.raises(ValueError, match="between 1 and 9"):
        class_breaks([1, 2, 3], k=12)


def test_class_labels_show_actual_ranges() -> None:
    values = [1.0, 4.0, 10.0, 12.0, 20.0]
    assert class_labels(values, [10.0, 20.0]) == ["1 – 10", "12 – 20"]
    assert class_labels([1500.0, 2500.0], [1500.0, 2500.0], lang="en") == ["1,500", "2,500"]


def test_stepped_colorscale_gives_each_integer_its_colour() -> None:
    scale = stepped_colorscale(["#a", "#b", "#c"])
    assert scale[0] == (0.0, "#a") and scale[-1] == (1.0, "#c")
    # z = i with zmin = -0.5 and zmax = n - 0.5 lands in the middle of step i.
    for i, colour in enumerate(["#a", "#b", "#c"]):
        pos = (i + 0.5) / 3
        steps = [
            c for (p0, c), (p1, _) in zip(scale[::2], scale[1::2], strict=True) if p0 <= pos <= p1
        ]
        assert steps == [colour]


def test_choropleth_data_separates_areas_without_a_figure() -> None:
    frame = _frame([10.0, 20.0, None, 30.0, None], ["ok", "ok", "suppressed", "ok", "missing"])
    data = choropleth_data(frame)
    assert data.locations == list(frame["code"])
    assert data.z[2] == NO_FIGURE_Z and data.z[4] == NO_FIGURE_Z
    assert data.z[0] < data.z[1] < data.z[3]
    assert data.customdata[2] == ["Buurt 2", "verborgen: reden 2"]
    assert data.customdata[4] == ["Buurt 4", "geen cijfer: reden 4"]
    assert data.customdata[0] == ["Buurt 0", "10"]
    assert (data.n_ok, data.n_suppressed, data.n_missing) == (3, 1, 1)
    # Grey is the lowest step of the colorscale, at z = -1.
    assert data.colorscale[0][1] == NO_FIGURE_COLOUR
    assert data.zmin == -1.5 and data.zmax == len(data.breaks) - 0.5
    assert data.legend[-1].colour == NO_FIGURE_COLOUR and data.legend[-1].count == 2
    assert sum(e.count for e in data.legend) == len(frame)


def test_choropleth_data_all_missing() -> None:
    data = choropleth_data(_frame([None, None]))
    assert data.z == [NO_FIGURE_Z, NO_FIGURE_Z]
    assert data.breaks == []
    assert [e.colour for e in data.legend] == [NO_FIGURE_COLOUR]
    assert data.colorscale == [(0.0, NO_FIGURE_COLOUR), (1.0, NO_FIGURE_COLOUR)]


def test_choropleth_data_formats_with_the_indicators_decimals() -> None:
    data = choropleth_data(_frame([1.25, 2.35, 3.0]), decimals=1, unit="personen")
    assert [c[1] for c in data.customdata] == ["1,2 personen", "2,4 personen", "3,0 personen"]


def test_summary_text_mentions_extremes_and_gaps() -> None:
    frame = _frame([100.0, 5000.0, None], ["ok", "ok", "suppressed"])
    text = summary_text(frame, label="Inwoners", level="buurt", place="Haarlem", year=2024)
    assert "Hoogste waarde: Buurt 1 (5.000)" in text
    assert "Laagste waarde: Buurt 0 (100)" in text
    assert "1 van de 3 buurten heeft geen cijfer" in text


def test_summary_text_without_figures() -> None:
    text = summary_text(_frame([None]), label="Woningen", level="wijk", place="X", year=2024)
    assert "Voor geen van de 1 wijken is een cijfer beschikbaar." in text


def test_table_rows_explain_missing_figures() -> None:
    rows = table_rows(_frame([1234.5, None], ["ok", "suppressed"]), decimals=1)
    assert rows == [("Buurt 0", "1.234,5", ""), ("Buurt 1", "–", "verborgen: reden 1")]


def test_center_zoom_fits_the_box() -> None:
    center, zoom = center_zoom(4.60, 52.35, 4.68, 52.41, width_px=600, height_px=450)
    assert center["lon"] == pytest.approx(4.64)
    assert 52.35 < center["lat"] < 52.41
    # The box must fit: the span at this zoom is at most the map size.
    assert (4.68 - 4.60) * 512 * 2**zoom / 360 <= 600 + 1e-6
    _, wide_zoom = center_zoom(3.3, 50.7, 7.3, 53.6)
    assert wide_zoom < zoom
