# SPDX-License-Identifier: EUPL-1.2
"""data.shaping: classes, number formatting, texts and choropleth arrays."""

from __future__ import annotations

import doctest
import math

import pandas as pd
import pytest

import data.shaping as shaping
from data.classify import classify_values
from data.shaping import (
    NO_FIGURE_COLOUR,
    NO_FIGURE_Z,
    Reference,
    center_zoom,
    choropleth_data,
    format_number,
    format_value,
    hovertemplate,
    legend_labels,
    legend_note,
    ranks,
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


def test_legend_labels_show_actual_ranges_for_quantiles() -> None:
    values = [1.0, 4.0, 10.0, 12.0, 20.0]
    classes = classify_values(values, k=3)
    assert legend_labels(values, classes) == ["1 – 4", "10", "12 – 20"]
    two = classify_values([1500.0, 2500.0], k=3)
    assert legend_labels([1500.0, 2500.0], two, lang="en") == ["1,500", "2,500"]


def test_legend_labels_show_bounds_for_intervals_and_stdev() -> None:
    values = [0.0, 10.0, 20.0, 30.0, 40.0, 100.0]
    labels = legend_labels(values, classify_values(values, method="intervallen", k=5))
    assert labels == ["0 – 20", "20 – 40", "40 – 60", "60 – 80", "80 – 100"]
    sd = classify_values(values, method="stdev", k=4, center=30.0)
    labels = legend_labels(values, sd, unit="%")
    assert labels[0].startswith("≤ ") and labels[0].endswith("(< -1,0 sd)")
    assert labels[1].endswith("(-1,0 tot 0,0 sd)")
    assert labels[-1].startswith("> ") and labels[-1].endswith("(> 1,0 sd)")
    assert "%" in labels[1]


def test_legend_note_names_the_reference() -> None:
    values = [1.0, 2.0, 3.0, 10.0]
    sd = classify_values(values, method="stdev", k=3, center=5.0)
    note = legend_note(sd, Reference("Haarlem", 5.0, "5"))
    assert note.startswith("Klassen van 1 standaarddeviatie") and "Haarlem (5)" in note
    mean = classify_values(values, method="stdev", k=3)
    assert "gemiddelde" in legend_note(mean, None)
    assert legend_note(classify_values(values, method="natuurlijk"), None, lang="en") == (
        "Classes: natural breaks (Fisher-Jenks)."
    )


def test_ranks_share_ties_and_skip_missing() -> None:
    assert ranks([5.0, None, 9.0, 5.0, 1.0]) == [2, None, 1, 2, 4]
    assert ranks([]) == []


def test_hovertemplate_without_figures_or_reference() -> None:
    template = hovertemplate(0, None, "en")
    assert "Rank" not in template and template.endswith("<extra></extra>")
    assert "&lt;b&gt;" in hovertemplate(3, Reference("<b>", 1.0, "1"))


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
    assert data.names[2] == "Buurt 2"
    assert data.customdata[2] == ["verborgen: reden 2", "–"]
    assert data.customdata[4] == ["geen cijfer: reden 4", "–"]
    assert data.customdata[0] == ["10", "3"]
    assert data.customdata[3] == ["30", "1"]
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
    assert "Rang" not in data.hovertemplate
    assert data.colorscale == [(0.0, NO_FIGURE_COLOUR), (1.0, NO_FIGURE_COLOUR)]


def test_choropleth_data_formats_with_the_indicators_decimals() -> None:
    data = choropleth_data(_frame([1.25, 2.35, 3.0]), decimals=1, unit="personen")
    assert [c[0] for c in data.customdata] == ["1,2 personen", "2,4 personen", "3,0 personen"]


@pytest.mark.parametrize("method", ["kwantielen", "intervallen", "natuurlijk", "stdev"])
@pytest.mark.parametrize("k", [3, 5, 7])
def test_choropleth_data_every_method_and_class_count(method: str, k: int) -> None:
    values = [3.0, 8.0, 9.0, 12.0, 15.0, 21.0, 22.0, 40.0, 41.0, 43.0, 70.0, 99.0, None]
    data = choropleth_data(_frame(values), method=method, k=k, reference=Reference("G", 30, "30"))
    classes = [z for z in data.z if z != NO_FIGURE_Z]
    assert len(data.breaks) <= k and (method != "stdev" or len(data.breaks) == k)
    assert max(classes) < len(data.breaks)
    # Each class count in the legend matches the areas drawn in that class.
    for i, entry in enumerate(data.legend[:-1]):
        assert entry.count == classes.count(i)
    assert data.legend[-1].colour == NO_FIGURE_COLOUR and data.legend[-1].count == 1
    # Higher values never land in a lower class.
    ordered = sorted((v, z) for v, z in zip(values, data.z, strict=True) if v is not None)
    assert [z for _, z in ordered] == sorted(z for _, z in ordered)


def test_choropleth_data_stdev_centres_on_the_reference() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    data = choropleth_data(_frame(values), method="stdev", k=3, reference=Reference("G", 30, "30"))
    # sd = 14.1: the middle class is 30 ± 7.1.
    assert data.z == [0, 0, 1, 2, 2]
    assert data.classes.center == 30.0
    assert "#f7f7f7" in {c for _, c in data.colorscale}  # PuOr's neutral middle


def test_summary_text_mentions_extremes_and_gaps() -> None:
    frame = _frame([100.0, 5000.0, None], ["ok", "ok", "suppressed"])
    text = summary_text(frame, label="Inwoners", level="buurt", place="Haarlem", year=2024)
    assert "Hoogste waarde: Buurt 1 (5.000)" in text
    english = summary_text(
        frame, label="Population", level="buurt", place="Haarlem", year=2024, lang="en"
    )
    assert "Highest: Buurt 1 (5,000)" in english
    assert "1 of the 3 neighbourhoods have no figure" in english
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


def test_choropleth_data_stdev_of_a_count_centres_on_the_mean() -> None:
    """A gemeente's count is the total of its areas, no yardstick for one of them."""
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    data = choropleth_data(
        _frame(values),
        method="stdev",
        k=3,
        reference=Reference("G", 150.0, "150"),
        center_on_reference=False,
    )
    assert data.classes.center == 30.0
    assert "gemiddelde van de gebieden" in data.legend_note
    assert "G: 150" in data.hovertemplate  # the total is still shown for reference
