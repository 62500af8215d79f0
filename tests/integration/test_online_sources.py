# SPDX-License-Identifier: EUPL-1.2
"""The online readers over real HTTP, against the fake CBS/PDOK server on 127.0.0.1.

The server (``tests/fakes/cbs_server.py``) answers in the real formats, built from the
shared data: CBS table 85984NED (Kerncijfers wijken en buurten 2024) for Haarlem and Den
Helder, and PDOK's wijken-en-buurten collections. Faults are switched on per test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from etl.http import HttpClient, HttpError
from etl.model import SourceError, SourceResult
from etl.sources.cbs_odata import read_odata_v3, read_odata_v4
from etl.sources.pdok import read_ogc_features
from tests.fakes.cbs_server import FakeCbsServer, running

pytestmark = pytest.mark.integration

GEMEENTEN = ["GM0392", "GM0400"]
#: Check values from PROVENANCE.md (CBS 85984NED).
INWONERS = {"GM0392": 167_636, "GM0400": 56_432}
WONINGEN = {"GM0392": 79_434, "GM0400": 28_734}


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(timeout=2.0, retries=2, backoff=0.01) as http:
        yield http


def values(result: SourceResult, indicator: str) -> dict[str, float]:
    obs = result.observations
    selected = obs[obs["indicator_id"] == indicator]
    return dict(zip(selected["area_code"], selected["value"], strict=True))


def wijken_per_gemeente(result: SourceResult) -> dict[str, int]:
    wijken = result.areas[result.areas["level"] == "wijk"]
    return wijken.groupby("gemeente_code").size().to_dict()


def assert_kwb_2024(result: SourceResult) -> None:
    inwoners = values(result, "inwoners")
    assert {gm: inwoners[gm] for gm in GEMEENTEN} == INWONERS
    assert {gm: values(result, "woningvoorraad")[gm] for gm in GEMEENTEN} == WONINGEN
    assert wijken_per_gemeente(result) == {"GM0392": 21, "GM0400": 8}
    assert result.vintages == [2024]
    assert set(result.observations["status"]) == {"ok"}
    assert result.rejected == []
    assert result.checksum.startswith("sha256:")
    names = result.areas.set_index("code")["name"]
    assert names["GM0392"] == "Haarlem"
    assert names["WK039201"] == "Oude Stad"
    assert names["WK040001"] == "Wijk 01 Stad binnen de Linie-Oost"  # the official name


# --- OData v3 --------------------------------------------------------------------------


def test_v3_feed_reads_haarlem_and_den_helder_page_by_page(
    cbs_server: FakeCbsServer, client: HttpClient
) -> None:
    result = read_odata_v3(
        2024, client=client, base_url=cbs_server.odata_v3_feed_url, gemeenten=GEMEENTEN
    )
    assert_kwb_2024(result)
    assert result.kind == "cbs_odata_v3"
    assert result.file.endswith("/ODataFeed/odata/85984NED/TypedDataSet")
    assert result.rows_read == 31
    # 31 rows at 8 per page: the reader followed odata.nextLink three times
    pages = cbs_server.requests_to("/TypedDataSet")
    assert len(pages) == 4
    assert [p.query.get("$skip") for p in pages] == ["0", "8", "16", "24"]
    first = pages[0].query
    assert "startswith(WijkenEnBuurten,'GM0392')" in first["$filter"]
    # data minimisation: the region key, the gemeente name and mapped columns only
    assert first["$select"].split(",") == [
        "WijkenEnBuurten", "Gemeentenaam_1", "AantalInwoners_5", "Mannen_6", "Vrouwen_7",
        "Bevolkingsdichtheid_34", "Woningvoorraad_35", "OppervlakteTotaal_122",
        "OppervlakteLand_123", "OppervlakteWater_124",
    ]  # fmt: skip
    assert all((r.user_agent or "").startswith("Buurtlens-ETL/") for r in cbs_server.requests)


def test_v3_api_pages_with_top_and_skip_and_skips_the_national_row(
    cbs_server: FakeCbsServer, client: HttpClient
) -> None:
    result = read_odata_v3(
        "85984NED", client=client, base_url=cbs_server.odata_v3_api_url, page_size=10
    )
    assert_kwb_2024(result)
    assert result.rows_read == 32  # NL00 + 2 gemeenten + 29 wijken
    assert "NL00" not in set(result.areas["code"])
    pages = cbs_server.requests_to("/TypedDataSet")
    assert [(p.query["$top"], p.query["$skip"]) for p in pages] == [
        ("10", "0"),
        ("10", "10"),
        ("10", "20"),
        ("10", "30"),
    ]
    assert len(cbs_server.requests_to("/TypedDataSet/$count")) == 1


def test_v3_a_server_that_caps_top_still_gives_every_row(
    shared_data: Path, client: HttpClient
) -> None:
    # ODataApi answers at most N rows; a $top above that is cut short without a word.
    with running(shared_data, api_row_limit=7) as server:
        result = read_odata_v3(2024, client=client, base_url=server.odata_v3_api_url)
        pages = server.requests_to("/TypedDataSet")
    assert_kwb_2024(result)
    assert len(pages) == 5  # 32 rows at 7 per answer, carried on with $skip by $count


def test_v3_checksum_is_stable_for_an_unchanged_table(
    cbs_server: FakeCbsServer, client: HttpClient
) -> None:
    first = read_odata_v3(2024, client=client, base_url=cbs_server.odata_v3_feed_url)
    second = read_odata_v3(2024, client=client, base_url=cbs_server.odata_v3_feed_url)
    assert first.checksum == second.checksum


def test_v3_and_v4_give_the_same_figures(cbs_server: FakeCbsServer, client: HttpClient) -> None:
    v3 = read_odata_v3(2024, client=client, base_url=cbs_server.odata_v3_feed_url)
    v4 = read_odata_v4(2024, client=client, base_url=cbs_server.odata_v4_url)
    key = ["area_code", "indicator_id"]
    pd.testing.assert_frame_equal(
        v3.observations.sort_values(key).reset_index(drop=True),
        v4.observations.sort_values(key).reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(
        v3.areas.sort_values("code").reset_index(drop=True),
        v4.areas.sort_values("code").reset_index(drop=True),
    )


# --- OData v4 --------------------------------------------------------------------------


def test_v4_observations_map_measures_and_page(
    cbs_server: FakeCbsServer, client: HttpClient
) -> None:
    result = read_odata_v4(
        2024, client=client, base_url=cbs_server.odata_v4_url, gemeenten=GEMEENTEN
    )
    assert_kwb_2024(result)
    assert result.kind == "cbs_odata_v4"
    assert set(result.observations["indicator_id"]) == {
        "inwoners", "mannen", "vrouwen", "bevolkingsdichtheid", "woningvoorraad",
        "oppervlakte_totaal", "oppervlakte_land", "oppervlakte_water",
    }  # fmt: skip
    pages = cbs_server.requests_to("/Observations")
    assert len(pages) == 5  # 31 regions x 8 measures = 248 observations, 50 per page
    assert "Measure eq 'T001036'" in pages[0].query["$filter"]
    assert pages[0].query["$select"] == "Measure,Value,ValueAttribute,WijkenEnBuurten"


def test_v4_one_gemeente(cbs_server: FakeCbsServer, client: HttpClient) -> None:
    result = read_odata_v4(
        "85984NED", client=client, base_url=cbs_server.odata_v4_url, gemeenten=["gm0400"]
    )
    assert set(result.areas["gemeente_code"]) == {"GM0400"}
    assert len(result.areas) == 9
    assert values(result, "inwoners")["GM0400"] == INWONERS["GM0400"]


# --- PDOK OGC API Features --------------------------------------------------------------


def test_pdok_wijken_2024_with_geometry_and_figures(
    cbs_server: FakeCbsServer, client: HttpClient
) -> None:
    result = read_ogc_features(
        cbs_server.pdok_url_template, "wijken", year=2024, client=client, limit=10
    )
    assert len(result.areas) == 29
    assert wijken_per_gemeente(result) == {"GM0392": 21, "GM0400": 8}
    assert len(cbs_server.requests_to("/collections/wijken/items")) == 3
    assert result.geometries is not None
    assert result.geometries.crs == "EPSG:4326"
    assert len(result.geometries) == 29
    assert result.geometries.geometry.is_valid.all()
    assert values(result, "inwoners")["WK039201"] == 14_745
    assert result.rejected == []


def test_pdok_haarlem_buurten(cbs_server: FakeCbsServer, client: HttpClient) -> None:
    result = read_ogc_features(
        cbs_server.pdok_url(2024), "buurten", year=2024, client=client, gemeente="GM0392"
    )
    assert len(result.areas) == 111
    assert set(result.areas["level"]) == {"buurt"}
    assert set(result.areas["gemeente_code"]) == {"GM0392"}
    names = result.areas.set_index("code")
    assert names.loc["BU03920101", "name"] == "Stationsbuurt"
    assert names.loc["BU03920101", "parent_code"] == "WK039201"
    [request] = cbs_server.requests_to("/collections/buurten/items")
    assert request.query["gemeentecode"] == "GM0392"
    assert request.query["limit"] == "1000"


def test_pdok_one_request_series_per_gemeente(
    cbs_server: FakeCbsServer, client: HttpClient
) -> None:
    result = read_ogc_features(
        cbs_server.pdok_url_template, "wijken", year=2024, client=client, gemeente=GEMEENTEN
    )
    assert wijken_per_gemeente(result) == {"GM0392": 21, "GM0400": 8}
    requests = cbs_server.requests_to("/collections/wijken/items")
    assert [r.query["gemeentecode"] for r in requests] == GEMEENTEN
    assert result.rows_read == 29


def test_pdok_bbox_and_other_year(cbs_server: FakeCbsServer, client: HttpClient) -> None:
    den_helder = (4.70, 52.85, 4.85, 52.98)
    result = read_ogc_features(
        cbs_server.pdok_url_template, "buurten", year=2022, client=client, bbox=den_helder
    )
    assert 0 < len(result.areas) <= 65
    assert set(result.areas["gemeente_code"]) == {"GM0400"}
    assert set(result.areas["vintage"]) == {2022}
    bbox = cbs_server.requests_to("/collections/buurten/items")[0].query["bbox"]
    assert bbox == "4.700000,52.850000,4.850000,52.980000"


# --- faults -----------------------------------------------------------------------------


def test_500_then_ok_recovers(cbs_server: FakeCbsServer, client: HttpClient) -> None:
    cbs_server.fail(2, status=500, path="/TypedDataSet")
    result = read_odata_v3(
        2024, client=client, base_url=cbs_server.odata_v3_feed_url, gemeenten=GEMEENTEN
    )
    assert_kwb_2024(result)
    statuses = [r.status for r in cbs_server.requests_to("/TypedDataSet")]
    assert statuses[:3] == [500, 500, 200]


def test_persistent_500_fails_with_url_and_status_after_bounded_retries(
    cbs_server: FakeCbsServer, client: HttpClient
) -> None:
    cbs_server.fail(100, status=503, path="/MeasureCodes")
    with pytest.raises(SourceError) as info:
        read_odata_v4(2024, client=client, base_url=cbs_server.odata_v4_url, source="kwb-v4")
    error = info.value
    assert isinstance(error, HttpError)
    assert error.status == 503 and error.attempts == 3
    assert error.source == "kwb-v4"
    assert "/CBS/85984NED/MeasureCodes" in error.url
    assert "HTTP 503" in str(error) and "/CBS/85984NED/MeasureCodes" in str(error)
    assert len(cbs_server.requests_to("/MeasureCodes")) == 3  # 1 + 2 retries, no more


def test_a_hanging_server_gives_a_timeout_error_in_bounded_time(
    cbs_server: FakeCbsServer,
) -> None:
    cbs_server.hang(10, seconds=10, path="/collections/wijken/items")
    started = time.monotonic()
    with (
        HttpClient(timeout=0.3, retries=1, backoff=0.01) as client,
        pytest.raises(HttpError, match="timed out") as info,
    ):
        read_ogc_features(cbs_server.pdok_url_template, "wijken", year=2024, client=client)
    assert time.monotonic() - started < 3.0
    assert info.value.attempts == 2
    assert "/collections/wijken/items" in info.value.url


def test_truncated_json_is_an_error(cbs_server: FakeCbsServer, client: HttpClient) -> None:
    cbs_server.truncate(1, path="/TypedDataSet")
    with pytest.raises(HttpError, match="not valid JSON") as info:
        read_odata_v3(2024, client=client, base_url=cbs_server.odata_v3_feed_url)
    assert "/TypedDataSet" in info.value.url


def test_429_with_retry_after_is_honoured(cbs_server: FakeCbsServer) -> None:
    cbs_server.throttle(1, retry_after="2", path="/collections/gemeenten/items")
    sleeps: list[float] = []
    with HttpClient(timeout=2.0, retries=2, backoff=0.01, sleep=sleeps.append) as client:
        result = read_ogc_features(
            cbs_server.pdok_url_template, "gemeenten", year=2024, client=client
        )
    assert sorted(result.areas["code"]) == GEMEENTEN
    assert sleeps == [2.0]
    assert [r.status for r in cbs_server.requests_to("/collections/gemeenten/items")] == [429, 200]


def test_nothing_listens_gives_a_connection_error(shared_data: Path) -> None:
    with running(shared_data) as server:
        base = server.odata_v3_feed_url
    with (
        HttpClient(timeout=0.5, retries=1, backoff=0.01) as client,
        pytest.raises(HttpError, match="cannot connect"),
    ):
        read_odata_v3(2024, client=client, base_url=base)
