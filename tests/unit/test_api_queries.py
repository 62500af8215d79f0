# SPDX-License-Identifier: EUPL-1.2
"""data.api_queries on a factory-built warehouse: one snapshot per request, public only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data import api_queries, queries
from data.api_queries import (
    VALUE_COLUMNS,
    UnknownArea,
    UnknownPeriod,
    licence_info,
    period_bounds,
)
from data.queries import InvalidParameter, UnknownGemeente, UnknownIndicator, UnknownVintage
from data.warehouse import Cursor, Warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return Warehouse(factory.publish(tmp_path_factory.mktemp("apiq"), data_version="aq-v1"))


@pytest.fixture
def cur(wh: Warehouse) -> Cursor:
    with api_queries.snapshot(warehouse=wh) as c:
        yield c  # type: ignore[misc]


def test_module_imports_neither_flask_nor_dash(tmp_path: Path) -> None:
    code = (
        "import sys, data.api_queries\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dash', 'flask'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "name", "attribution", "uri"),
    [
        ("CC BY 4.0, Bron: CBS", "CC BY 4.0", "Bron: CBS", "https://creativecommons.org/licenses/by/4.0/"),
        ("CC0 1.0, Bron: Kadaster (BAG)", "CC0 1.0", "Bron: Kadaster (BAG)",
         "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("intern", "intern", "Bron: Gemeente", None),
    ],
)  # fmt: skip
def test_licence_info(text: str, name: str, attribution: str, uri: str | None) -> None:
    info = licence_info(text, source="Gemeente")
    assert (info.name, info.attribution, info.uri) == (name, attribution, uri)
    assert (info.donl_uri is None) == (uri is None)


def test_single_year_is_exactly_what_the_pages_publish(cur: Cursor, wh: Warehouse) -> None:
    result = api_queries.values(cur, "inwoners", "buurt", [2024], factory.HAARLEM)
    pages = queries.values("inwoners", "buurt", 2024, factory.HAARLEM, warehouse=wh).frame
    frame = result.frame
    assert tuple(frame.columns) == VALUE_COLUMNS
    assert frame["code"].tolist() == pages["code"].tolist()
    assert frame["status"].tolist() == pages["status"].tolist()
    pd.testing.assert_series_equal(frame["value"], pages["value"], check_names=False)
    hidden = frame.set_index("code").loc[factory.SUPPRESSED_BUURT]
    assert pd.isna(hidden["value"]) and hidden["status"] == "suppressed"
    assert hidden["reason"] == factory.SUPPRESSED_REASON
    assert set(frame["year"]) == {2024} and set(frame["licence"]) == {"CC BY 4.0, Bron: CBS"}


def test_no_number_without_status_ok(cur: Cursor) -> None:
    frame = api_queries.values(cur, "inwoners", "buurt", None).frame
    assert frame.loc[frame["status"] != "ok", "value"].isna().all()
    assert frame.loc[frame["status"] == "ok", "value"].notna().all()


def test_year_all_is_the_time_series_ordered_by_year_then_code(cur: Cursor) -> None:
    result = api_queries.values(cur, "inwoners", "wijk", None, factory.HAARLEM)
    assert result.years == [2023, 2024]
    frame = result.frame
    assert list(zip(frame["year"], frame["code"], strict=True)) == sorted(
        zip(frame["year"], frame["code"], strict=True)
    )
    # The re-used code is a different area in each division.
    reused = frame[frame["code"] == factory.REUSED_WIJK].set_index("year")["name"].to_dict()
    assert reused == {2023: "Centrum", 2024: "Binnenstad"}


def test_year_all_only_years_with_figures(cur: Cursor) -> None:
    # aandeel_65_plus exists only in 2024 in the factory.
    assert api_queries.values(cur, "aandeel_65_plus", "wijk", None).years == [2024]
    empty = api_queries.values(cur, "woningvoorraad", "wijk", None)
    assert empty.years == [] and empty.frame.empty
    assert tuple(empty.frame.columns) == VALUE_COLUMNS


def test_period_and_area_filters(cur: Cursor) -> None:
    older = api_queries.values(
        cur, "inwoners", "wijk", [2024], period="2023", area_codes=[factory.REUSED_WIJK]
    ).frame
    assert older[["code", "value", "period"]].values.tolist() == [
        [factory.REUSED_WIJK, 11_000, "2023"]
    ]
    with pytest.raises(UnknownPeriod):
        api_queries.values(cur, "inwoners", "wijk", [2024], period="1990")
    with pytest.raises(InvalidParameter):
        api_queries.values(cur, "inwoners", "wijk", [2023, 2024], period="2023")
    with pytest.raises(UnknownArea):
        api_queries.values(cur, "inwoners", "wijk", [2024], area_codes=["WK999999"])
    with pytest.raises(InvalidParameter):
        api_queries.values(cur, "inwoners", "wijk", [2024], area_codes=["BU03920101"])


def test_internal_indicators_are_unknown_everywhere(cur: Cursor) -> None:
    internal = factory.INTERNAL_INDICATOR
    with pytest.raises(UnknownIndicator):
        api_queries.values(cur, internal, "buurt", [2024])
    with pytest.raises(UnknownIndicator):
        api_queries.indicator(cur, internal)
    assert internal not in {r.id for r in api_queries.indicators(cur)}
    assert internal not in api_queries.coverage(cur)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("bestaat_niet", "wijk", [2024]), UnknownIndicator),
        (("inwoners", "wijk", [1999]), UnknownVintage),
        (("inwoners", "wijk", [2024], "GM9999"), UnknownGemeente),
        (("inwoners", "wijk", None, "GM9999"), UnknownGemeente),
        (("inwoners", "straat", [2024]), InvalidParameter),
    ],
)
def test_values_errors(cur: Cursor, args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        api_queries.values(cur, *args)  # type: ignore[arg-type]


def test_indicators_with_coverage(cur: Cursor) -> None:
    records = {r.id: r for r in api_queries.indicators(cur)}
    inwoners = records["inwoners"]
    assert inwoners.years == [2023, 2024]
    assert inwoners.levels == ["gemeente", "wijk", "buurt"]
    assert inwoners.periods == ["2023", "2024"]
    assert inwoners.licence.uri == "https://creativecommons.org/licenses/by/4.0/"
    assert records["woningvoorraad"].years == []
    themes = [r.theme for r in records.values()]
    assert themes == sorted(themes)
    bevolking = api_queries.indicators(cur, theme="Bevolking")
    assert bevolking and {r.theme for r in bevolking} == {"Bevolking"}
    light = api_queries.indicator(cur, "inwoners", with_coverage=False)
    assert light.years == [] and light.unit == inwoners.unit


def test_areas_and_their_errors(cur: Cursor) -> None:
    frame = api_queries.areas(cur, "wijk", 2024, factory.HAARLEM)
    assert frame["code"].tolist() == ["WK039201", "WK039202", "WK039203"]
    assert list(frame.columns) == ["code", "name", "level", "parent_code", "gemeente_code"]
    with pytest.raises(UnknownVintage):
        api_queries.areas(cur, "wijk", 1999)
    with pytest.raises(UnknownGemeente):
        api_queries.areas(cur, "wijk", 2023, factory.HAARLEMMERMEER)


def test_meta_names_files_not_server_paths(cur: Cursor) -> None:
    meta = api_queries.meta(cur)
    assert meta.data_version == "aq-v1" and meta.run_id == "run-aq-v1"
    assert [s.name for s in meta.sources] == ["factory"]
    assert meta.sources[0].files == [{"file": "factory.py", "checksum": "sha256:0"}]
    assert "CC BY 4.0, Bron: CBS" in [lic.text for lic in meta.licences]
    assert "intern" not in [lic.text for lic in meta.licences]


def test_snapshot_keeps_its_version_through_a_swap(tmp_path: Path) -> None:
    live = factory.publish(tmp_path, data_version="s-v1")
    wh = Warehouse(live, check_interval=0.0)
    with api_queries.snapshot(warehouse=wh) as cur:
        before = api_queries.values(cur, "inwoners", "gemeente", [2024]).frame
        factory.publish(tmp_path, data_version="s-v2", scale=2.0)
        # A new request sees the new file ...
        with api_queries.snapshot(warehouse=wh) as other:
            assert other.data_version == "s-v2"
        # ... while this one keeps answering from its own.
        after = api_queries.values(cur, "inwoners", "gemeente", [2024]).frame
        assert cur.data_version == "s-v1"
        assert api_queries.meta(cur).data_version == "s-v1"
    pd.testing.assert_frame_equal(before, after)


def test_coverage_and_period_bounds(cur: Cursor) -> None:
    cov = api_queries.coverage(cur)["inwoners"]
    assert (cov.first_period, cov.last_period) == ("2023", "2024")
    assert cov.gemeenten == [("GM0392", "Haarlem"), ("GM0394", "Haarlemmermeer")]
    assert period_bounds("2015") == ("2015-01-01", "2015-12-31")
    assert period_bounds("2015-Q1") is None


def test_geometry_reuses_the_artefacts(cur: Cursor) -> None:
    artefact = api_queries.geometry(cur, "wijk", 2024, factory.HAARLEM)
    assert '"id":"WK039201"' in artefact.geojson and artefact.data_version == "aq-v1"
    with pytest.raises(UnknownGemeente):
        api_queries.geometry(cur, "wijk", 2024, "GM9999")


def test_internal_numerator_is_not_named(tmp_path: Path) -> None:
    live = factory.publish(tmp_path, data_version="n-v1")
    con = duckdb.connect(str(live))
    try:
        con.execute(
            "UPDATE indicators SET numerator = ?, denominator = 'inwoners' WHERE id = 'mannen'",
            [factory.INTERNAL_INDICATOR],
        )
    finally:
        con.close()
    with api_queries.snapshot(warehouse=Warehouse(live)) as cur:
        mannen = api_queries.indicator(cur, "mannen")
    assert (mannen.numerator, mannen.denominator) == (None, "inwoners")


def test_query_layer_helpers_for_the_api(cur: Cursor, wh: Warehouse) -> None:
    # Several queries of data.queries on the caller's cursor.
    assert queries.vintages("wijk", cursor=cur) == [2024, 2023]
    assert len(queries.areas("wijk", 2024, cursor=cur).frame) == 5
    # Unicode digits and a trailing newline are not valid input.
    for bad in ("²", "２０２４"):
        with pytest.raises(InvalidParameter):
            queries.check_vintage(bad)
    with pytest.raises(InvalidParameter):
        queries.check_gemeente("GM0392\n")
    assert api_queries.divisions(cur, "buurt", factory.HAARLEMMERMEER) == ([2023, 2024], [2024])
