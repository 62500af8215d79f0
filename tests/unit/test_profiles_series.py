# SPDX-License-Identifier: EUPL-1.2
"""The rule that decides which vintages of a code are the same area (data/series.py).

The numbers are the real ones from ../shared/data (areas, area_geometry.area_ha and CBS's
oppervlakte_totaal in the warehouse the ETL builds from it).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data.queries import InvalidParameter
from data.series import (
    Point,
    Segment,
    Series,
    VintageRecord,
    build_series,
    check_area_code,
    index_values,
    normalise_name,
    same_size,
    segment_of,
    segments,
)

pytestmark = pytest.mark.unit

R = VintageRecord


# --- Haarlem: WK039202 was re-used for another area in 2016 --------------------------------

HAARLEM_WK039202 = [
    R(2014, True, "Wijk 02 Spoorbaan Leiden", None, 156.5, False),
    R(2015, True, "Wijk 02 Spoorbaan Leiden", 188.0, 188.2, True),
    R(2016, True, "Haarlemmerhoutkwartier", None, 248.6, False),
    R(2024, True, "Haarlemmerhoutkwartier", 248.0, 251.7, True),
]


def test_haarlem_reused_code_is_two_segments() -> None:
    segs = segments("WK039202", HAARLEM_WK039202)
    assert [s.vintages for s in segs] == [(2014, 2015), (2016, 2024)]
    assert [s.name for s in segs] == ["Wijk 02 Spoorbaan Leiden", "Haarlemmerhoutkwartier"]
    brk = segs[1].break_before
    assert brk is not None
    assert (brk.vintage, brk.reason, brk.previous_name, brk.previous_last) == (
        2016,
        "name",
        "Wijk 02 Spoorbaan Leiden",
        2015,
    )
    assert segs[0].break_before is None


def test_haarlem_series_never_joins_the_two_areas() -> None:
    obs = pd.DataFrame(
        {
            "vintage": [2015, 2024],
            "period": ["2015", "2024"],
            "value": [15_595.0, 13_090.0],
            "status": ["ok", "ok"],
            "reason": [None, None],
        }
    )
    segs = segments("WK039202", HAARLEM_WK039202)
    old, new = (build_series(s, obs) for s in segs)
    assert [(p.period, p.value) for p in old.points] == [("2015", 15_595.0)]
    assert [(p.period, p.value) for p in new.points] == [("2024", 13_090.0)]
    assert segment_of(segs, 2024) is segs[1]
    assert segment_of(segs, 2015) is segs[0]


def test_oude_stad_keeps_its_identity_when_cbs_drops_the_number_prefix() -> None:
    # WK039201 "Wijk 01 Oude stad" (2015) = "Oude Stad" (2016, 2024): CBS measures 163 and
    # 162 ha, the geometries overlap 98 %.
    records = [
        R(2015, True, "Wijk 01 Oude stad", 163.0, 161.9, True),
        R(2016, True, "Oude Stad", None, 161.6, False),
        R(2024, True, "Oude Stad", 162.0, 157.6, True),
    ]
    (seg,) = segments("WK039201", records)
    assert seg.vintages == (2015, 2016, 2024)
    assert seg.name == "Oude Stad"


# --- Den Helder: same codes and names, differently generalised geometry --------------------

DEN_HELDER_WK040001 = [
    R(2014, True, "Wijk 01 Stad binnen de Linie-Oost", None, 593.5, False),
    R(2015, True, "Wijk 01 Stad binnen de Linie-Oost", 457.0, 452.7, True),
    R(2016, True, "Wijk 01 Stad binnen de Linie-Oost", None, 450.8, False),
    R(2024, True, "Wijk 01 Stad binnen de Linie-Oost", 457.0, 345.9, True),
]


def test_den_helder_joins_2015_to_2024_on_cbs_area() -> None:
    (seg,) = segments("WK040001", DEN_HELDER_WK040001)
    assert seg.vintages == (2014, 2015, 2016, 2024)


def test_geometry_area_is_only_a_fallback() -> None:
    # Without CBS's figure for 2024, the generalised geometries (452.7 vs 345.9 ha) are all
    # there is, and they differ: a break rather than a possibly wrong join.
    records = [
        *DEN_HELDER_WK040001[:3],
        R(2024, True, DEN_HELDER_WK040001[3].name, None, 345.9, True),
    ]
    segs = segments("WK040001", records)
    assert [s.vintages for s in segs] == [(2014, 2015, 2016), (2024,)]
    assert segs[1].break_before is not None and segs[1].break_before.reason == "size"


def test_names_equal_up_to_capitalisation_are_one_area() -> None:
    records = [
        R(2014, True, "Wijk 04 Nieuw Den Helder-oost", None, None, True),
        R(2015, True, "Wijk 04 Nieuw Den Helder-Oost", None, None, True),
    ]
    assert [s.vintages for s in segments("WK040004", records)] == [(2014, 2015)]


def test_vintages_without_figures_are_not_size_checked() -> None:
    # 2014's geometry (593.5 ha) differs from 2015's, but 2014 holds no figures.
    records = [DEN_HELDER_WK040001[0], DEN_HELDER_WK040001[1]]
    assert [s.vintages for s in segments("WK040001", records)] == [(2014, 2015)]


def test_size_is_compared_with_the_last_vintage_with_figures() -> None:
    records = [
        R(2019, True, "Noord", 100.0, None, True),
        R(2020, True, "Noord", None, None, True),  # no size: cannot tell
        R(2021, True, "Noord", 104.0, None, True),
        R(2022, True, "Noord", 120.0, None, True),  # 15 % larger than 2021
    ]
    segs = segments("WK999901", records)
    assert [s.vintages for s in segs] == [(2019, 2020, 2021), (2022,)]


def test_absent_code_breaks_the_run() -> None:
    records = [
        R(2019, True, "Noord", None, None, True),
        R(2020, False),
        R(2021, True, "Noord", None, None, True),
    ]
    segs = segments("WK999901", records)
    assert [s.vintages for s in segs] == [(2019,), (2021,)]
    brk = segs[1].break_before
    assert brk is not None and (brk.reason, brk.vintage, brk.previous_last) == (
        "absent",
        2021,
        2019,
    )


def test_unknown_name_is_not_a_different_name() -> None:
    records = [
        R(2015, True, "Den Helder", None, None, True),
        R(2016, True, None, None, None, False),
        R(2024, True, "Den Helder", None, None, True),
    ]
    assert [s.vintages for s in segments("GM0400", records)] == [(2015, 2016, 2024)]


def test_code_absent_at_the_start_is_no_break() -> None:
    records = [R(2019, False), R(2020, True, "Nieuwbouw", None, None, True)]
    (seg,) = segments("BU99990101", records)
    assert seg.vintages == (2020,) and seg.break_before is None


@pytest.mark.parametrize(
    ("name", "code", "expected"),
    [
        ("Wijk 01 Oude stad", "WK039201", "oude stad"),
        ("Wijk 1 Oude stad", "WK039201", "oude stad"),
        ("Buurt 03 Dorp", "BU99990103", "dorp"),
        ("Wijk 02 Spoorbaan Leiden", "WK039201", "wijk 02 spoorbaan leiden"),
        ("  Oude   Stad ", "WK039201", "oude stad"),
        ("", "WK039201", None),
        (None, "WK039201", None),
    ],
)
def test_normalise_name(name: str | None, code: str, expected: str | None) -> None:
    assert normalise_name(name, code) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (457.0, 457.0, True),
        (869.0, 877.0, True),  # Den Helder WK040007 2015/2024: 0.9 %
        (100.0, 105.0, True),  # exactly 5 %
        (100.0, 105.3, False),
        (10.0, 11.0, True),  # 1 ha slack: CBS rounds to whole hectares
        (10.0, 12.0, False),
        (None, 5.0, None),
        (float("nan"), 5.0, None),
    ],
)
def test_same_size(a: float | None, b: float | None, expected: bool | None) -> None:
    assert same_size(a, b) is expected


def test_check_area_code() -> None:
    assert check_area_code(" wk039202") == "WK039202"
    for bad in ("WK0392", "XX039202", "WK03920２", None, 39202, "GM0392;--", "WK0392020"):
        with pytest.raises(InvalidParameter):
            check_area_code(bad)


# --- series --------------------------------------------------------------------------------


def test_build_series_takes_the_newest_vintage_for_a_period_and_keeps_status() -> None:
    seg = Segment("WK039201", (2023, 2024), "Binnenstad")
    obs = pd.DataFrame(
        {
            "vintage": [2022, 2023, 2024, 2024],
            "period": ["2022", "2023", "2023", "2024"],
            "value": [1.0, 2.0, 3.0, None],
            "status": ["ok", "ok", "ok", "suppressed"],
            "reason": [None, None, None, "minder dan 5"],
        }
    )
    series = build_series(seg, obs)
    assert [(p.period, p.vintage, p.value, p.status) for p in series.points] == [
        ("2023", 2024, 3.0, "ok"),
        ("2024", 2024, None, "suppressed"),
    ]
    assert series.points[1].reason == "minder dan 5"
    assert [p.period for p in series.ok_points] == ["2023"]


def test_index_values_skip_hidden_points() -> None:
    seg = Segment("X", (1, 2, 3), "x")
    series = Series(
        "X",
        "x",
        seg,
        (
            Point("2019", 1, None, "suppressed", "r"),
            Point("2020", 2, 50.0, "ok", None),
            Point("2021", 3, 75.0, "ok", None),
        ),
    )
    assert index_values(series) == [None, 100.0, 150.0]


# --- properties ----------------------------------------------------------------------------

names = st.sampled_from(["Noord", "noord", "Zuid", None])
sizes = st.one_of(st.none(), st.sampled_from([100.0, 103.0, 150.0]))
records_strategy = st.lists(
    st.tuples(st.booleans(), names, sizes, st.booleans()), min_size=1, max_size=8
).map(
    lambda rows: [
        R(2010 + i, present, name if present else None, size, None, data and present)
        for i, (present, name, size, data) in enumerate(rows)
    ]
)


@given(records_strategy)
def test_segments_partition_the_present_vintages(records: list[VintageRecord]) -> None:
    segs = segments("WK999901", records)
    joined = [v for s in segs for v in s.vintages]
    assert joined == [r.vintage for r in records if r.present]
    by_vintage = {r.vintage: r for r in records}
    for seg in segs:
        known = {normalise_name(by_vintage[v].name, "WK999901") for v in seg.vintages} - {None}
        assert len(known) <= 1, seg  # never two different names in one segment
        # no vintage in which the code was absent lies inside a segment
        assert all(by_vintage[v].present for v in range(seg.first, seg.last + 1))
