# SPDX-License-Identifier: EUPL-1.2
"""The online readers' mapping and row handling, on answers made up in the test.

The real formats over real HTTP are in ``tests/integration/test_online_sources.py``;
here httpx's MockTransport answers, so odd cells and odd features can be exercised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from etl.http import HttpClient, HttpError
from etl.indicators import BY_ID
from etl.settings import ConfigError
from etl.sources.cbs_odata import (
    KWB_TABLES,
    V4_MEASURES,
    kwb_table,
    kwb_year,
    measure_mapping_v4,
    normalise_gemeenten,
    read_odata_v3,
    startswith_filter,
    v3_layout,
)
from etl.sources.pdok import read_ogc_features

pytestmark = pytest.mark.unit

Routes = dict[str, Callable[[httpx.Request], httpx.Response]]


def client_for(routes: Routes) -> HttpClient:
    """A client whose requests are answered by the first route whose key is in the path."""

    def handler(request: httpx.Request) -> httpx.Response:
        for fragment, answer in routes.items():
            if fragment in request.url.path:
                return answer(request)
        return httpx.Response(404)

    return HttpClient(timeout=1, retries=0, transport=httpx.MockTransport(handler))


def odata(value: list[dict[str, Any]]) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _request: httpx.Response(200, json={"odata.metadata": "m", "value": value})


# --- tables -----------------------------------------------------------------------------


def test_kwb_tables_cover_2013_to_2025_with_distinct_statline_ids() -> None:
    assert sorted(KWB_TABLES) == list(range(2013, 2026))
    assert len(set(KWB_TABLES.values())) == len(KWB_TABLES)
    assert all(re.fullmatch(r"\d{5}NED", t) for t in KWB_TABLES.values())
    assert KWB_TABLES[2024] == "85984NED"
    assert kwb_table(2015) == "83220NED"
    assert kwb_year("84583ned") == 2019
    assert kwb_year("37230ned") is None


def test_a_year_without_a_table_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="2012"):
        kwb_table(2012)


def test_gemeenten_and_filters() -> None:
    assert normalise_gemeenten(None) is None
    assert normalise_gemeenten(["gm0392", "0400"]) == ["GM0392", "GM0400"]
    with pytest.raises(ConfigError, match="WK039201"):
        normalise_gemeenten(["WK039201"])
    assert startswith_filter("WijkenEnBuurten", None) is None
    assert startswith_filter("Identifier", ["GM0400"]) == (
        "startswith(Identifier,'GM0400') or startswith(Identifier,'WK0400') "
        "or startswith(Identifier,'BU0400')"
    )


# --- v4 measures ------------------------------------------------------------------------


def test_known_v4_measures_point_to_catalogue_indicators() -> None:
    assert set(V4_MEASURES.values()) <= set(BY_ID)
    assert len(set(V4_MEASURES.values())) == len(V4_MEASURES)


def test_measure_mapping_uses_known_identifiers_and_titles() -> None:
    measures = [
        {"Identifier": "T001036", "Title": "Aantal inwoners", "DataType": "Long"},
        {"Identifier": "3000", "Title": "Mannen", "DataType": "Long"},
        {"Identifier": "M999999", "Title": "Woningvoorraad", "DataType": "Long"},
        {"Identifier": "80200", "Title": "65 jaar of ouder", "DataType": "Long"},
        {"Identifier": "PC000C", "Title": "Meest voorkomende postcode", "DataType": "String"},
        {"Identifier": "X1", "Title": "Aantal inwoners", "DataType": "Long"},  # taken already
    ]
    assert measure_mapping_v4(measures) == {
        "T001036": "inwoners",
        "3000": "mannen",
        "80200": "inwoners_65_plus",
        "M999999": "woningvoorraad",
    }


def test_a_known_identifier_whose_title_says_otherwise_is_left_out() -> None:
    measures = [{"Identifier": "T001036", "Title": "Woningvoorraad", "DataType": "Long"}]
    # better no figure than a wrong one: T001036 is not read as inwoners, and the title
    # alone maps it to woningvoorraad
    assert measure_mapping_v4(measures) == {"T001036": "woningvoorraad"}


# --- v3 -----------------------------------------------------------------------------------

PROPERTIES: list[dict[str, Any]] = [
    {"Type": "GeoDetail", "Key": "WijkenEnBuurten", "MapYear": 2019},
    {"Type": "TopicGroup", "Key": ""},
    {"Type": "Topic", "Key": "Gemeentenaam_1", "Datatype": "String"},
    {"Type": "Topic", "Key": "SoortRegio_2", "Datatype": "String"},
    {"Type": "Topic", "Key": "AantalInwoners_8", "Datatype": "Long"},
    {"Type": "Topic", "Key": "Woningvoorraad_31", "Datatype": "Long"},
    {"Type": "Topic", "Key": "GemiddeldeHuishoudensgrootte_30", "Datatype": "Double"},
    {"Type": "Topic", "Key": "MeestVoorkomendePostcode_100", "Datatype": "String"},
]


def test_v3_layout_maps_numeric_topics_whatever_their_number() -> None:
    layout = v3_layout(PROPERTIES)
    assert layout.region_key == "WijkenEnBuurten"
    assert layout.map_year == 2019
    assert layout.name_key == "Gemeentenaam_1"
    assert layout.columns == {
        "AantalInwoners_8": "inwoners",
        "Woningvoorraad_31": "woningvoorraad",
        "GemiddeldeHuishoudensgrootte_30": "gemiddelde_huishoudensgrootte",
    }


def test_v3_layout_without_region_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="GeoDetail"):
        v3_layout([p for p in PROPERTIES if p["Type"] != "GeoDetail"])


def v3_routes(rows: list[dict[str, Any]]) -> Routes:
    regions = [
        {"Key": "GM0392    ", "Title": "Haarlem"},
        {"Key": "WK039201  ", "Title": "Oude Stad"},
    ]
    return {
        "/DataProperties/$count": lambda _r: httpx.Response(200, text=str(len(PROPERTIES))),
        "/DataProperties": odata(PROPERTIES),
        "/WijkenEnBuurten/$count": lambda _r: httpx.Response(200, text=str(len(regions))),
        "/WijkenEnBuurten": odata(regions),
        "/TypedDataSet/$count": lambda _r: httpx.Response(200, text=str(len(rows))),
        "/TypedDataSet": odata(rows),
    }


def test_v3_cells_become_values_statuses_or_rejections_with_row_and_field() -> None:
    rows = [
        {"ID": 0, "WijkenEnBuurten": "NL00      ", "Gemeentenaam_1": "Nederland",
         "AantalInwoners_8": 17407585, "Woningvoorraad_31": 7892000,
         "GemiddeldeHuishoudensgrootte_30": 2.1},
        {"ID": 1, "WijkenEnBuurten": "PV27      ", "Gemeentenaam_1": "Noord-Holland",
         "AantalInwoners_8": 2879527, "Woningvoorraad_31": None,
         "GemiddeldeHuishoudensgrootte_30": None},
        {"ID": 2, "WijkenEnBuurten": "GM0392    ", "Gemeentenaam_1": "Haarlem  ",
         "AantalInwoners_8": 161265, "Woningvoorraad_31": 76000,
         "GemiddeldeHuishoudensgrootte_30": "2,1"},
        {"ID": 3, "WijkenEnBuurten": "WK039201  ", "Gemeentenaam_1": "Haarlem  ",
         "AantalInwoners_8": "abc", "Woningvoorraad_31": None,
         "GemiddeldeHuishoudensgrootte_30": -99997},
    ]  # fmt: skip
    with client_for(v3_routes(rows)) as client:
        result = read_odata_v3("84583NED", client=client, base_url="https://x/ODataApi/odata")
    assert result.vintages == [2019]
    assert result.rows_read == 4
    assert result.areas.set_index("code")["name"].to_dict() == {
        "GM0392": "Haarlem",
        "WK039201": "Oude Stad",
    }
    obs = result.observations.set_index(["area_code", "indicator_id"])
    assert obs.loc[("GM0392", "inwoners"), "value"] == 161265
    assert obs.loc[("GM0392", "gemiddelde_huishoudensgrootte"), "value"] == 2.1
    assert obs.loc[("WK039201", "woningvoorraad"), "status"] == "missing"
    assert obs.loc[("WK039201", "gemiddelde_huishoudensgrootte"), "status"] == "suppressed"
    assert ("WK039201", "inwoners") not in obs.index
    assert set(result.observations["period"]) == {"2019"}
    [rejection] = result.rejected
    assert (rejection.row, rejection.field, rejection.value) == (3, "AantalInwoners_8", "abc")
    assert rejection.file == "https://x/ODataApi/odata/84583NED/TypedDataSet"


def paged(rows: list[dict[str, Any]]) -> Callable[[httpx.Request], httpx.Response]:
    """A TypedDataSet that honours $top/$skip, like ODataApi."""

    def answer(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params.get("$skip", 0))
        top = int(request.url.params.get("$top", 10_000))
        return httpx.Response(200, json={"value": rows[skip : skip + top]})

    return answer


def test_v3_an_incomplete_answer_is_an_error() -> None:
    rows = [{"ID": 2, "WijkenEnBuurten": "GM0392    ", "AantalInwoners_8": 1}]
    routes = v3_routes(rows)
    routes["/TypedDataSet/$count"] = lambda _r: httpx.Response(200, text="2")
    routes["/TypedDataSet"] = paged(rows)
    with (
        client_for(routes) as client,
        pytest.raises(HttpError, match=r"\$count says 2 rows, 1 arrived"),
    ):
        read_odata_v3(2019, client=client, base_url="https://x/ODataApi/odata")


def test_v3_a_server_that_ignores_skip_is_an_error_not_a_loop() -> None:
    rows = [{"ID": 2, "WijkenEnBuurten": "GM0392    ", "AantalInwoners_8": 1}]
    routes = v3_routes(rows)
    routes["/TypedDataSet/$count"] = lambda _r: httpx.Response(200, text="5")
    with (
        client_for(routes) as client,
        pytest.raises(HttpError, match="ignores \\$skip"),
    ):
        read_odata_v3(2019, client=client, base_url="https://x/ODataApi/odata")


def test_v3_pages_with_top_and_skip_until_count() -> None:
    rows = [
        {"ID": i, "WijkenEnBuurten": f"WK0392{i:02d}  ", "AantalInwoners_8": i} for i in range(1, 8)
    ]
    routes = v3_routes(rows)
    routes["/TypedDataSet"] = paged(rows)
    with client_for(routes) as client:
        result = read_odata_v3(
            2019, client=client, base_url="https://x/ODataApi/odata", page_size=3
        )
    # DataProperties, the dimension and the data: each $count + pages
    assert client.requests_made == 2 + 2 + (1 + 3)
    assert sorted(result.areas["code"]) == [f"WK0392{i:02d}" for i in range(1, 8)]


# --- PDOK -----------------------------------------------------------------------------

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def feature(props: dict[str, Any], geometry: dict[str, Any] | None = SQUARE) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def pdok_client(
    features: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> HttpClient:
    body = json.dumps({"type": "FeatureCollection", "features": features, "links": []})
    return client_for(
        {"/items": lambda _r: httpx.Response(200, content=body.encode(), headers=headers or {})}
    )


def test_pdok_camel_case_properties_other_years_and_bad_features() -> None:
    features = [
        feature({"buurtcode": "BU04000101", "buurtnaam": "Visbuurt", "wijkcode": "WK040001",
                 "gemeentecode": "GM0400", "jaarstatcode": "2021BU04000101",
                 "aantalInwoners": 1230, "woningvoorraad": -99997}),
        feature({"buurtcode": "BU04000102", "buurtnaam": "Oud", "jaarstatcode": "2020BU04000102",
                 "aantalInwoners": 10}),
        feature({"buurtnaam": "no code"}),
        feature({"buurtcode": "BU04000101", "buurtnaam": "again"}),
        feature({"buurtcode": "BU04000103", "buurtnaam": "no shape"}, geometry=None),
        feature({"buurtcode": "BU03920101", "buurtnaam": "Haarlem's", "aantalInwoners": 5}),
    ]  # fmt: skip
    with pdok_client(features) as client:
        result = read_ogc_features(
            "https://x/{year}/ogc/v1", "buurten", year=2021, client=client, gemeente="GM0400"
        )
    assert list(result.areas["code"]) == ["BU04000101"]
    assert result.areas.iloc[0]["parent_code"] == "WK040001"
    assert result.rows_read == 6
    obs = result.observations.set_index("indicator_id")
    assert obs.loc["inwoners", "value"] == 1230
    assert obs.loc["woningvoorraad", "status"] == "suppressed"
    assert [(r.row, r.field) for r in result.rejected] == [
        (2, "buurtcode"),
        (3, "buurtcode"),
        (4, "geometry"),
    ]
    assert result.geometries is not None
    assert result.geometries.crs == "EPSG:4326"
    assert list(result.geometries["code"]) == ["BU04000101"]


def test_pdok_content_crs_header_sets_the_crs() -> None:
    headers = {"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/28992>"}
    features = [feature({"wijkcode": "WK040001", "wijknaam": "Wijk 01", "gemeentecode": "GM0400"})]
    with pdok_client(features, headers) as client:
        result = read_ogc_features("https://x/ogc/v1", "wijken", year=2024, client=client)
    assert result.geometries is not None
    assert result.geometries.crs == "EPSG:28992"
    assert result.areas.iloc[0]["level"] == "wijk"


def test_pdok_checksum_ignores_the_time_stamp_of_the_answer() -> None:
    features = [feature({"wijkcode": "WK040001", "wijknaam": "Wijk 01", "aantal_inwoners": 5})]
    checksums = []
    for stamp in ("2026-01-01T00:00:00Z", "2026-01-02T03:04:05Z"):
        body = {"type": "FeatureCollection", "timeStamp": stamp, "features": features}
        answer = httpx.Response(200, json=body)
        with client_for({"/items": lambda _r, a=answer: a}) as client:
            result = read_ogc_features("https://x/ogc/v1", "wijken", year=2024, client=client)
        checksums.append(result.checksum)
    assert checksums[0] == checksums[1]
    assert checksums[0].startswith("sha256:")


def test_pdok_server_ignoring_the_gemeente_parameter_counts_nothing_twice() -> None:
    features = [
        feature({"wijkcode": "WK039201", "wijknaam": "Oude Stad", "aantal_inwoners": 14745}),
        feature({"wijkcode": "WK040001", "wijknaam": "Wijk 01", "aantal_inwoners": 1}),
    ]
    with pdok_client(features) as client:
        result = read_ogc_features(
            "https://x/ogc/v1", "wijken", year=2024, client=client, gemeente=["GM0392", "GM0400"]
        )
        assert client.requests_made == 2
    assert sorted(result.areas["code"]) == ["WK039201", "WK040001"]
    assert result.rejected == []
    assert result.rows_read == 4
