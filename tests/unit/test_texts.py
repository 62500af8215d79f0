# SPDX-License-Identifier: EUPL-1.2
"""Generated texts (data/texts.py): what stands out, and text alternatives of charts.

The rule under test above all: a suppressed or missing figure is never mentioned, compared
or used in a difference.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data.profiles import IndicatorInfo, IndicatorTrend
from data.series import Break, Point, Segment, Series, TrendLine
from data.texts import (
    break_note,
    change_highlights,
    deviation_highlights,
    highlights,
    segment_name,
    series_sentence,
    trend_summary,
)

pytestmark = pytest.mark.unit


def info(id_: str, unit: str, aggregation: str, decimals: int = 0) -> IndicatorInfo:
    return IndicatorInfo(
        id_,
        id_.replace("_", " ").capitalize(),
        id_,
        "T",
        unit,
        decimals,
        aggregation,
        None,
        "CBS",
        "CC BY 4.0",
    )


SHARE = info("aandeel_65_plus", "%", "weighted_mean")
DENSITY = info("bevolkingsdichtheid", "inwoners per km² land", "none")
SIZE = info("gemiddelde_huishoudensgrootte", "personen", "weighted_mean", 1)
COUNT = info("inwoners", "aantal", "sum")
CATALOGUE = {i.id: i for i in (SHARE, DENSITY, SIZE, COUNT)}


def figures(*rows: tuple[str, float | None, str, float | None, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "value", "status", "gm_value", "gm_status"])


def sentences(found: list) -> list[str]:
    return [h.text for h in found]


# --- deviations ------------------------------------------------------------------------


def test_largest_deviations_first_with_plain_dutch() -> None:
    found = deviation_highlights(
        figures(
            ("aandeel_65_plus", 27.0, "ok", 18.0, "ok"),  # +50 %
            ("bevolkingsdichtheid", 12_500.0, "ok", 5_000.0, "ok"),  # 2.5 times
            ("gemiddelde_huishoudensgrootte", 1.6, "ok", 2.1, "ok"),  # -24 %
        ),
        CATALOGUE,
        area_name="Oude Stad",
        gemeente_name="Haarlem",
    )
    assert [h.indicator_id for h in found] == [
        "bevolkingsdichtheid",
        "aandeel_65_plus",
        "gemiddelde_huishoudensgrootte",
    ]
    assert sentences(found) == [
        "Bevolkingsdichtheid: 12.500 inwoners per km² land in Oude Stad, 2,5 keer zo hoog als "
        "in heel Haarlem (5.000 inwoners per km² land).",
        "Aandeel 65 plus: 27% in Oude Stad, 9 procentpunt hoger dan in heel Haarlem (18%).",
        "Gemiddelde huishoudensgrootte: 1,6 personen in Oude Stad, 24% lager dan in heel "
        "Haarlem (2,1 personen).",
    ]
    assert all(h.kind == "deviation" for h in found)


def test_suppressed_figures_are_never_compared_or_mentioned() -> None:
    found = deviation_highlights(
        figures(
            ("aandeel_65_plus", None, "suppressed", 18.0, "ok"),
            ("bevolkingsdichtheid", 12_500.0, "ok", None, "suppressed"),
            ("gemiddelde_huishoudensgrootte", None, "missing", 2.1, "ok"),
        ),
        CATALOGUE,
        area_name="Dietsveld",
        gemeente_name="Haarlem",
    )
    assert found == []


def test_counts_are_not_compared_with_the_gemeente() -> None:
    found = deviation_highlights(
        figures(("inwoners", 9_180.0, "ok", 56_432.0, "ok")),
        CATALOGUE,
        area_name="Wijk 01",
        gemeente_name="Den Helder",
    )
    assert found == []


def test_small_deviations_are_not_news() -> None:
    found = deviation_highlights(
        figures(
            ("bevolkingsdichtheid", 5_400.0, "ok", 5_000.0, "ok"),  # 8 %
            ("aandeel_65_plus", 5.5, "ok", 5.0, "ok"),  # 10 % but only 0.5 point
        ),
        CATALOGUE,
        area_name="x",
        gemeente_name="y",
    )
    assert found == []


def test_english() -> None:
    (found,) = deviation_highlights(
        figures(("aandeel_65_plus", 12.0, "ok", 18.0, "ok")),
        CATALOGUE,
        area_name="Oude Stad",
        gemeente_name="Haarlem",
        lang="en",
    )
    assert found.text == (
        "aandeel_65_plus: 12% in Oude Stad, 6 percentage points lower than in Haarlem as a "
        "whole (18%)."
    )


# --- changes ---------------------------------------------------------------------------

SEG = Segment("WK040001", (2015, 2024), "Wijk 01")
GM_SEG = Segment("GM0400", (2015, 2024), "Den Helder")


def series(seg: Segment, *points: tuple[str, float | None, str]) -> Series:
    return Series(
        seg.code,
        seg.name,
        seg,
        tuple(Point(p, int(p), v, s, None if s == "ok" else "r") for p, v, s in points),
    )


def test_largest_change_with_the_gemeente_over_the_same_periods() -> None:
    trend = IndicatorTrend(
        COUNT,
        series(SEG, ("2015", 8_000.0, "ok"), ("2024", 9_200.0, "ok")),
        series(GM_SEG, ("2015", 56_483.0, "ok"), ("2024", 56_432.0, "ok")),
        (),
    )
    (found,) = change_highlights([trend], area_name="Wijk 01", gemeente_name="Den Helder")
    assert found.text == (
        "Inwoners in Wijk 01 steeg van 8.000 (2015) naar 9.200 (2024), +15%; in heel "
        "Den Helder −0,1%."
    )
    assert (found.indicator_id, found.kind) == ("inwoners", "change")


def test_change_uses_published_points_only() -> None:
    # The last figure is suppressed: the change runs to the last *published* one, and the
    # hidden value is nowhere in the text.
    trend = IndicatorTrend(
        SHARE,
        series(SEG, ("2015", 10.0, "ok"), ("2019", 14.0, "ok"), ("2024", None, "suppressed")),
        series(GM_SEG, ("2015", 18.0, "ok"), ("2019", None, "suppressed"), ("2024", 19.0, "ok")),
        (),
    )
    (found,) = change_highlights([trend], area_name="Wijk 01", gemeente_name="Den Helder")
    assert found.text == (
        "Aandeel 65 plus in Wijk 01 steeg van 10% (2015) naar 14% (2019), +4 procentpunt."
    )  # the gemeente has no published 2019 figure: no comparison


def test_no_change_sentence_from_a_single_point_or_a_small_change() -> None:
    one = IndicatorTrend(COUNT, series(SEG, ("2024", 9_200.0, "ok")), None, ())
    small = IndicatorTrend(
        COUNT, series(SEG, ("2015", 9_000.0, "ok"), ("2024", 9_180.0, "ok")), None, ()
    )
    assert change_highlights([one, small], area_name="x", gemeente_name="y") == []


def test_highlights_for_a_gemeente_are_changes_only() -> None:
    trend = IndicatorTrend(
        COUNT, series(SEG, ("2015", 8_000.0, "ok"), ("2024", 9_200.0, "ok")), None, ()
    )
    found = highlights(
        figures(("aandeel_65_plus", 27.0, "ok", 18.0, "ok")),
        CATALOGUE,
        [trend],
        area_name="Den Helder",
        gemeente_name="",
    )
    assert [h.kind for h in found] == ["change"]


# --- text alternatives ---------------------------------------------------------------------


def test_series_sentence_counts_years_without_figure() -> None:
    s = series(SEG, ("2015", 8_990.0, "ok"), ("2019", None, "suppressed"), ("2024", 9_180.0, "ok"))
    assert series_sentence(s, COUNT, "Wijk 01") == (
        "Wijk 01: van 8.990 in 2015 naar 9.180 in 2024. Voor 1 jaar is geen cijfer gepubliceerd."
    )
    assert series_sentence(series(SEG), COUNT, "Wijk 01") == "Wijk 01: geen gepubliceerde cijfers."


def test_trend_summary_names_both_areas_of_a_reused_code_and_the_break() -> None:
    old_seg = Segment("WK039202", (2014, 2015), "Wijk 02 Spoorbaan Leiden")
    new_seg = Segment(
        "WK039202",
        (2016, 2024),
        "Haarlemmerhoutkwartier",
        Break(2016, "name", "Wijk 02 Spoorbaan Leiden", 2015),
    )
    lines = [
        TrendLine(series(old_seg, ("2015", 15_595.0, "ok")), "area", "wijk", "GM0392", False),
        TrendLine(series(new_seg, ("2024", 13_090.0, "ok")), "area", "wijk", "GM0392", True),
    ]
    assert segment_name(lines[0]) == "Wijk 02 Spoorbaan Leiden (WK039202, 2014–2015)"
    assert segment_name(lines[1]) == "Haarlemmerhoutkwartier (WK039202, vanaf 2016)"
    text = trend_summary(lines, COUNT)
    assert "Wijk 02 Spoorbaan Leiden (WK039202, 2014–2015): 15.595 in 2015." in text
    assert "Haarlemmerhoutkwartier (WK039202, vanaf 2016): 13.090 in 2024." in text
    assert break_note(lines[1]) in text
    assert break_note(lines[1]).startswith(
        "Let op: tot 2016 hoorde code WK039202 bij een ander gebied (Wijk 02 Spoorbaan Leiden)."
    )
    assert break_note(lines[0]) == ""
    assert "Note: until 2016" in break_note(lines[1], "en")


def test_no_shares_compared_where_nobody_lives() -> None:
    # Den Helder's Marinehaven (a naval harbour) has 0 inhabitants and CBS publishes 0 % for
    # every age group: comparing those shares with the gemeente would be nonsense.
    found = highlights(
        figures(
            ("inwoners", 0.0, "ok", 56_483.0, "ok"),
            ("aandeel_65_plus", 0.0, "ok", 20.0, "ok"),
        ),
        CATALOGUE,
        [],
        area_name="Marinehaven",
        gemeente_name="Den Helder",
    )
    assert sentences(found) == [
        "In Marinehaven wonen volgens de cijfers geen mensen: aandelen en gemiddelden van "
        "inwoners zeggen hier niets."
    ]
    assert found[0].indicator_id == "inwoners"
