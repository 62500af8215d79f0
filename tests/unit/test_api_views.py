# SPDX-License-Identifier: EUPL-1.2
"""The /api/v1 blueprint on a bare Flask app (test client) over a factory warehouse."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from api import register_api
from api.config import get_api_settings
from api.views import INDICATOR_COLUMNS
from data.api_queries import AREA_COLUMNS, VALUE_COLUMNS
from data.warehouse import Warehouse, set_warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.unit

BASE = "/api/v1"
CBS_LICENCE_URI = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api-views")
    factory.publish(path, data_version="views-v1")
    return path


@pytest.fixture
def client(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    monkeypatch.setenv("BUURTLENS_PUBLIC_URL", "https://buurtlens.example.nl")
    monkeypatch.setenv("BUURTLENS_PUBLISHER_NAME", "Gemeente Haarlem")
    monkeypatch.setenv(
        "BUURTLENS_PUBLISHER_URI", "https://identifier.overheid.nl/tooi/id/gemeente/gm0392"
    )
    monkeypatch.setenv("BUURTLENS_CONTACT_EMAIL", "opendata@example.nl")
    get_api_settings.cache_clear()
    set_warehouse(Warehouse(data_dir / factory.WAREHOUSE_NAME))
    app = Flask("api-test")
    register_api(app)
    try:
        yield app.test_client()
    finally:
        set_warehouse(None)
        get_api_settings.cache_clear()


def get_json(client: FlaskClient, path: str, status: int = 200) -> object:
    reply = client.get(path)
    assert reply.status_code == status, reply.get_data(as_text=True)
    assert reply.headers["Content-Type"].startswith("application/json")
    return reply.get_json()


def test_meta(client: FlaskClient) -> None:
    reply = client.get(f"{BASE}/meta")
    body = reply.get_json()
    assert reply.status_code == 200
    assert {"data_version", "built_at", "sources"} <= body.keys()
    assert body["data_version"] == "views-v1" == reply.headers["X-Data-Version"]
    assert reply.headers["Last-Modified"] == "Thu, 28 Nov 2024 03:00:00 GMT"
    assert reply.headers["Cache-Control"] == "public, max-age=300"
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_values_contract_and_metadata_headers(client: FlaskClient) -> None:
    reply = client.get(f"{BASE}/values?indicator=inwoners&level=buurt&year=2024&gemeente=GM0392")
    assert reply.status_code == 200
    rows = reply.get_json()
    assert [tuple(r) for r in rows] == [VALUE_COLUMNS] * len(rows)
    assert [r["code"] for r in rows] == [a.code for a in factory.areas(2024, "buurt", "GM0392")]
    hidden = next(r for r in rows if r["code"] == factory.SUPPRESSED_BUURT)
    assert hidden["value"] is None and hidden["status"] == "suppressed"
    assert hidden["reason"] == factory.SUPPRESSED_REASON
    assert next(r for r in rows if r["code"] == "BU03920101")["value"] == 4_200
    assert reply.headers["X-Data-Version"] == "views-v1"
    assert f'<{CBS_LICENCE_URI}>; rel="license"' in reply.headers["Link"]
    assert '</api/v1/indicators/inwoners>; rel="describedby"' in reply.headers["Link"]
    assert reply.headers["X-Attribution"] == "Bron: CBS"


def test_missing_cell_in_every_format(client: FlaskClient) -> None:
    query = f"{BASE}/values?indicator=inwoners&level=buurt&year=2024&gemeente=GM0394"
    rows = client.get(query).get_json()
    missing = next(r for r in rows if r["code"] == factory.MISSING_BUURT)
    assert (missing["value"], missing["status"]) == (None, "missing") and missing["reason"]
    text = client.get(query + "&format=csv").get_data(as_text=True)
    by_code = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert by_code[factory.MISSING_BUURT]["value"] == ""
    assert by_code[factory.MISSING_BUURT]["status"] == "missing"
    sheet = load_workbook(io.BytesIO(client.get(query + "&format=xlsx").data))["Waarden"]
    xrows = {r[0]: r for r in list(sheet.values)[1:]}
    assert xrows[factory.MISSING_BUURT][2:4] == (None, "missing")


def test_csv_json_and_xlsx_agree(client: FlaskClient) -> None:
    query = f"{BASE}/values?indicator=gemiddelde_huishoudensgrootte&level=wijk&year=2024"
    rows = client.get(query).get_json()
    reply = client.get(query + "&format=csv")
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert "attachment" in reply.headers["Content-Disposition"]
    parsed = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert list(parsed[0]) == list(VALUE_COLUMNS)
    assert [r["code"] for r in parsed] == [r["code"] for r in rows]
    assert [float(r["value"]) for r in parsed] == [r["value"] for r in rows]
    wb = load_workbook(io.BytesIO(client.get(query + "&format=xlsx").data))
    xrows = list(wb["Waarden"].values)
    assert xrows[0] == VALUE_COLUMNS
    # Excel keeps 15 significant digits.
    assert [r[2] for r in xrows[1:]] == pytest.approx([r["value"] for r in rows], rel=1e-14)
    about = dict(wb["Toelichting"].values)
    assert about["Licentie"] == "CC BY 4.0, Bron: CBS" and about["Gegevensversie"] == "views-v1"


def test_time_series_and_envelope(client: FlaskClient) -> None:
    body = get_json(client, f"{BASE}/values?indicator=inwoners&level=wijk&year=all&envelope=1")
    assert isinstance(body, dict)
    assert body["data_version"] == "views-v1" and body["years"] == [2023, 2024]
    assert body["count"] == len(body["data"]) == 2 + 5  # wijken in 2023 and in 2024
    assert body["indicator"]["id"] == "inwoners"
    assert body["licences"] == [
        {"licence": "CC BY 4.0, Bron: CBS", "uri": CBS_LICENCE_URI, "attribution": "Bron: CBS"}
    ]
    listed = get_json(client, f"{BASE}/values?indicator=inwoners&level=wijk&year=2023,2024")
    assert listed == body["data"]


def test_conditional_requests_give_304(client: FlaskClient) -> None:
    path = f"{BASE}/values?indicator=inwoners&level=wijk&year=2024"
    first = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    etag = first.headers["ETag"]
    assert etag.endswith('-gzip"')
    assert json.loads(gzip.decompress(first.data)) == client.get(path).get_json()
    again = client.get(path, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["X-Data-Version"] == "views-v1"
    plain = client.get(path)
    assert client.get(path, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    since = client.get(path, headers={"If-Modified-Since": plain.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get(path + "&format=csv", headers={"If-None-Match": plain.headers["ETag"]})
    assert other.status_code == 200


def test_areas(client: FlaskClient) -> None:
    rows = get_json(client, f"{BASE}/areas?level=wijk&year=2023&gemeente=GM0392")
    assert rows == [
        {"code": "WK039201", "name": "Centrum", "level": "wijk", "parent_code": "GM0392",
         "gemeente_code": "GM0392"},
        {"code": "WK039202", "name": "Zuid-West", "level": "wijk", "parent_code": "GM0392",
         "gemeente_code": "GM0392"},
    ]  # fmt: skip
    text = client.get(f"{BASE}/areas?level=gemeente&year=2024&format=csv").get_data(as_text=True)
    assert text.splitlines()[0] == ",".join(AREA_COLUMNS)
    assert text.splitlines()[1] == "GM0392,Haarlem,gemeente,,GM0392"


def test_indicators(client: FlaskClient) -> None:
    rows = get_json(client, f"{BASE}/indicators")
    assert isinstance(rows, list)
    inwoners = next(r for r in rows if r["id"] == "inwoners")
    assert {"id", "label", "theme", "unit", "source"} <= inwoners.keys()
    assert inwoners["licence_uri"] == CBS_LICENCE_URI and inwoners["years"] == [2023, 2024]
    english = get_json(client, f"{BASE}/indicators/inwoners?lang=en")
    assert english["label"] == "Inhabitants"  # type: ignore[index]
    csv_text = client.get(f"{BASE}/indicators?format=csv&theme=Bevolking").get_data(as_text=True)
    parsed = list(csv.DictReader(io.StringIO(csv_text)))
    assert parsed and {r["theme"] for r in parsed} == {"Bevolking"}
    assert next(r for r in parsed if r["id"] == "inwoners")["years"] == "2023;2024"


def test_geometry_is_the_artefact_with_version_and_licence(client: FlaskClient) -> None:
    reply = client.get(f"{BASE}/geometry?level=wijk&year=2024&gemeente=GM0392")
    assert reply.headers["Content-Type"].startswith("application/geo+json")
    body = json.loads(reply.data)
    assert body["type"] == "FeatureCollection" and body["data_version"] == "views-v1"
    assert body["licence"] == "CC BY 4.0, Bron: CBS"
    assert [f["id"] for f in body["features"]] == ["WK039201", "WK039202", "WK039203"]
    every = json.loads(client.get(f"{BASE}/geometry?level=gemeente&year=2024").data)
    assert [f["id"] for f in every["features"]] == ["GM0392", "GM0394"]


INTERNAL = factory.INTERNAL_INDICATOR


@pytest.mark.parametrize(
    "path",
    [
        "/meta", "/indicators", "/indicators?format=csv", "/catalog", "/openapi.json", "/",
        "/values?indicator=inwoners&level=buurt&year=all",
    ],
)  # fmt: skip
def test_internal_indicator_is_never_published(client: FlaskClient, path: str) -> None:
    reply = client.get(BASE + path)
    assert reply.status_code == 200
    assert INTERNAL not in reply.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        f"/values?indicator={INTERNAL}&level=buurt&year=2024",
        f"/values?indicator={INTERNAL}&level=buurt&year=all&format=csv",
        f"/indicators/{INTERNAL}",
    ],
)
def test_internal_indicator_is_a_404(client: FlaskClient, path: str) -> None:
    body = get_json(client, BASE + path, status=404)
    assert body["parameter"] == "indicator"  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/values?indicator=inwoners&level=wijk&year=2024&jaar=2024", 400, "jaar"),
        ("/values?indicator=inwoners&level=wijk", 400, "year"),
        ("/values?indicator=inwoners&level=wijk&year=1999", 404, "year"),
        ("/values?indicator=inwoners&level=wijk&year=2024&gemeente=GM9999", 404, "gemeente"),
        ("/values?indicator=inwoners&level=wijk&year=2023&gemeente=GM0394", 404, "gemeente"),
        ("/values?indicator=onbekend&level=wijk&year=2024", 404, "indicator"),
        ("/values?indicator=inwoners&level=wijk&year=2024&period=1990", 404, "period"),
        ("/values?indicator=inwoners&level=wijk&year=2024&area=WK999999", 404, "area"),
        ("/values?indicator=inwoners&level=wijk&year=2024%20OR%201=1", 400, "year"),
        ("/values?indicator=inwoners%27--&level=wijk&year=2024", 400, "indicator"),
        ("/areas?level=wijk&year=1999", 404, "year"),
        ("/areas?level=wijk&year=2024&format=xlsx", 400, "format"),
        ("/geometry?level=wijk&year=2024&format=json", 400, "format"),
        ("/indicators?theme=Onbekend", 404, "theme"),
        ("/indicators/Inwoners", 400, "indicator"),
        ("/meta?x=1", 400, "x"),
    ],
)
def test_bad_requests_are_json_errors_naming_the_parameter(
    client: FlaskClient, path: str, status: int, parameter: str
) -> None:
    reply = client.get(BASE + path)
    assert reply.status_code == status
    body = reply.get_json()
    assert body["parameter"] == parameter and parameter in body["error"]
    assert "Traceback" not in body["error"]
    assert reply.headers["Cache-Control"] == "no-store"


def test_unknown_paths_and_methods(client: FlaskClient) -> None:
    assert get_json(client, f"{BASE}/bestaat-niet", status=404)
    assert get_json(client, "/api/v2/values", status=404)
    reply = client.post(f"{BASE}/values?indicator=inwoners&level=wijk&year=2024")
    assert reply.status_code == 405 and reply.get_json()["error"]
    assert "GET" in reply.headers["Allow"]
    assert client.delete(f"{BASE}/indicators/inwoners").status_code == 405
    assert client.get("/api").status_code == 308
    assert client.get("/api/v1").status_code == 308
    head = client.head(f"{BASE}/values?indicator=inwoners&level=wijk&year=2024")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]
    options = client.options(f"{BASE}/values")
    assert options.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in options.headers["Access-Control-Allow-Headers"]


def test_unavailable_warehouse_is_a_503(client: FlaskClient, tmp_path: Path) -> None:
    set_warehouse(Warehouse(tmp_path / "missing.duckdb"))
    reply = client.get(f"{BASE}/values?indicator=inwoners&level=wijk&year=2024")
    assert reply.status_code == 503 and reply.headers["Retry-After"] == "30"
    assert reply.get_json() == {"error": "de gegevens zijn tijdelijk niet beschikbaar"}
    # Bad parameters are reported without a warehouse.
    assert client.get(f"{BASE}/values?level=x").status_code == 400
    page = client.get(f"{BASE}/")
    assert page.status_code == 200 and "niet beschikbaar" in page.get_data(as_text=True)


def test_openapi_document(client: FlaskClient) -> None:
    doc = get_json(client, f"{BASE}/openapi.json")
    assert isinstance(doc, dict)
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "/api/v1"}]
    assert {"/meta", "/indicators", "/indicators/{indicator}", "/areas", "/values", "/geometry",
            "/catalog"} == set(doc["paths"])  # fmt: skip
    value = doc["components"]["schemas"]["Value"]
    assert value["required"] == list(VALUE_COLUMNS)
    indicator = doc["components"]["schemas"]["Indicator"]
    assert list(indicator["properties"]) == list(INDICATOR_COLUMNS)
    assert doc["info"]["x-data-version"] == "views-v1"


def test_dcat_catalog(client: FlaskClient) -> None:
    reply = client.get(f"{BASE}/catalog")
    assert reply.headers["Content-Type"].startswith("application/ld+json")
    doc = json.loads(reply.data)
    assert doc["@type"] == "dcat:Catalog"
    assert doc["@id"] == "https://buurtlens.example.nl/api/v1/catalog"
    assert doc["dct:modified"] == {"@value": "2024-11-28T03:00:00+00:00", "@type": "xsd:dateTime"}
    assert doc["dct:publisher"]["@id"].endswith("gm0392")
    datasets = {d["dct:identifier"]["@value"].rsplit("/", 1)[1]: d for d in doc["dcat:dataset"]}
    assert "woningvoorraad" not in datasets  # no figures, no dataset
    inwoners = datasets["inwoners"]
    assert inwoners["dct:license"] == {"@id": "http://creativecommons.org/licenses/by/4.0/deed.nl"}
    assert inwoners["dct:rights"]["@value"] == "Bron: CBS"
    assert inwoners["dct:temporal"]["dcat:startDate"]["@value"] == "2023-01-01"
    assert inwoners["dct:temporal"]["dcat:endDate"]["@value"] == "2024-12-31"
    assert inwoners["dcat:contactPoint"]["vcard:hasEmail"] == {"@id": "mailto:opendata@example.nl"}
    urls = [d["dcat:downloadURL"]["@id"] for d in inwoners["dcat:distribution"]]
    assert (
        "https://buurtlens.example.nl/api/v1/values?indicator=inwoners&level=buurt&year=all"
        "&format=csv" in urls
    )
    formats = {d["dct:format"]["@id"].rsplit("/", 1)[1] for d in inwoners["dcat:distribution"]}
    assert formats == {"CSV", "JSON"}
    # Every distribution URL works.
    for url in urls:
        assert client.get(url.removeprefix("https://buurtlens.example.nl")).status_code == 200
    service = doc["dcat:service"][0]
    assert service["dcat:endpointDescription"]["@id"].endswith("/api/v1/openapi.json")


def test_documentation_page(client: FlaskClient) -> None:
    reply = client.get(f"{BASE}/?utm_source=raad")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert '<html lang="nl">' in html and "<h1>Open data API van Buurtlens</h1>" in html
    assert "views-v1" in html and "CC BY 4.0" in html
    assert 'scope="col"' in html and "<caption>" in html
    assert "<script" not in html
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]


def test_conditions_do_not_turn_errors_into_304(client: FlaskClient) -> None:
    future = {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    missing = client.get(f"{BASE}/values?indicator=onbekend&level=wijk&year=2024", headers=future)
    assert missing.status_code == 404
    star = client.get(
        f"{BASE}/values?indicator=onbekend&level=wijk&year=2024", headers={"If-None-Match": "*"}
    )
    assert star.status_code == 404
    ok = client.get(f"{BASE}/values?indicator=inwoners&level=wijk&year=2024", headers=future)
    assert ok.status_code == 304
