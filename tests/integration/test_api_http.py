# SPDX-License-Identifier: EUPL-1.2
"""The open data API over real HTTP: gunicorn on 127.0.0.1, a warehouse built by the real
ETL from ../shared/data, figures checked against the source files themselves."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.integration.test_app_http import Reply, Server, running_app

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
WAREHOUSE = "buurtlens.duckdb"
API = "/api/v1"
SOURCES = (
    "cbs_wijkbuurtkaart_2015_tnocs",
    "cbs_kwb_2024_85984NED",
    "cbs_gebiedsindelingen_cartomap",
    "cbs_wijken_2016_elan",
)
#: The second build leaves out the 2024 figures, so that the two versions differ in content.
WITHOUT_2024 = tuple(s for s in SOURCES if s != "cbs_kwb_2024_85984NED")
GEMEENTEN = ("GM0392", "GM0400")
CBS_SECRET = "-99999999"

#: The test's own oracle: source column -> indicator id (not the ETL's alias table).
COLUMNS_2015 = {
    "AANT_INW": "inwoners",
    "AANT_MAN": "mannen",
    "AANT_VROUW": "vrouwen",
    "BEV_DICHTH": "bevolkingsdichtheid",
    "AANTAL_HH": "huishoudens",
    "GEM_HH_GR": "gemiddelde_huishoudensgrootte",
    "OPP_LAND": "oppervlakte_land",
    "P_65_EO_JR": "aandeel_65_plus",
    "AUTO_HH": "personenautos_per_huishouden",
}
COLUMNS_2024 = {
    "AantalInwoners_5": "inwoners",
    "Mannen_6": "mannen",
    "Vrouwen_7": "vrouwen",
    "Bevolkingsdichtheid_34": "bevolkingsdichtheid",
    "Woningvoorraad_35": "woningvoorraad",
    "OppervlakteLand_123": "oppervlakte_land",
}


# --- fixtures ------------------------------------------------------------------------------


def etl_build(shared_data: Path, data_dir: Path, sources: tuple[str, ...]) -> Path:
    """Run ``python -m etl run`` on the real files; returns the live warehouse file."""
    args = [sys.executable, "-m", "etl", "run", "--data-dir", str(data_dir)]
    for name in sources:
        args += ["--source", str(shared_data / name)]
    result = subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return data_dir / WAREHOUSE


def data_version(warehouse: Path) -> str:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    finally:
        con.close()
    assert row is not None
    return str(row[0])


def swap_in(source: Path, data_dir: Path) -> None:
    """Publish ``source`` as the live warehouse as the ETL does: a copy, then os.replace."""
    tmp = data_dir / f".{WAREHOUSE}.swap.tmp"
    shutil.copyfile(source, tmp)
    os.replace(tmp, data_dir / WAREHOUSE)


@pytest.fixture(scope="module")
def builds(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two real ETL builds: 'full' (all sources) and 'partial' (without the 2024 figures)."""
    full = etl_build(shared_data, tmp_path_factory.mktemp("etl-full"), SOURCES)
    partial = etl_build(shared_data, tmp_path_factory.mktemp("etl-partial"), WITHOUT_2024)
    keep = tmp_path_factory.mktemp("builds")
    out = {"full": keep / "full.duckdb", "partial": keep / "partial.duckdb"}
    shutil.copyfile(full, out["full"])
    shutil.copyfile(partial, out["partial"])
    return out


@pytest.fixture(scope="module")
def server(builds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app under gunicorn (2 workers x 2 threads) with the response cache off, so that
    every request really reads the warehouse."""
    data_dir = tmp_path_factory.mktemp("api-live")
    swap_in(builds["full"], data_dir)
    log = tmp_path_factory.mktemp("api-log") / "gunicorn.log"
    mp = pytest.MonkeyPatch()
    mp.setenv("BUURTLENS_API_CACHE_MB", "0")
    mp.setenv("BUURTLENS_PUBLIC_URL", "https://buurtlens.example.nl")
    try:
        with running_app(data_dir, log) as srv:
            yield srv
    finally:
        mp.undo()


def get(server: Server, path: str, headers: dict[str, str] | None = None) -> Reply:
    return server.get(API + path, headers=headers)


def get_json(server: Server, path: str) -> Any:
    reply = get(server, path)
    assert reply.status == 200, (path, reply.status, reply.text())
    return reply.json()


# --- figures against the source files ------------------------------------------------------


def _source_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _expected(shared_data: Path) -> dict[tuple[int, str, str, str], dict[str, str]]:
    """(year, level, gemeente, indicator) -> {code: raw source value}."""
    out: dict[tuple[int, str, str, str], dict[str, str]] = {}
    for row in _source_rows(shared_data / "cbs_wijkbuurtkaart_2015_tnocs" / "kwb_2015.csv"):
        if row["GM_CODE"] not in GEMEENTEN:
            continue
        for column, indicator in COLUMNS_2015.items():
            key = (2015, row["niveau"], row["GM_CODE"], indicator)
            out.setdefault(key, {})[row["code"]] = row[column].strip()
    level_of = {"Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}
    path = shared_data / "cbs_kwb_2024_85984NED" / "kwb_2024_gemeente_wijk.csv"
    for row in _source_rows(path):
        if row["gemeentecode"] not in GEMEENTEN:
            continue
        for column, indicator in COLUMNS_2024.items():
            key = (2024, level_of[row["soort_regio"]], row["gemeentecode"], indicator)
            out.setdefault(key, {})[row["regiocode"]] = row[column].strip()
    return out


def test_headline_figures(server: Server) -> None:
    rows = get_json(server, "/values?indicator=inwoners&level=gemeente&year=2024&gemeente=GM0392")
    assert [(r["code"], r["value"], r["status"]) for r in rows] == [("GM0392", 167_636, "ok")]
    rows = get_json(server, "/values?indicator=inwoners&level=gemeente&year=2015&gemeente=GM0400")
    assert [(r["code"], r["value"], r["status"]) for r in rows] == [("GM0400", 56_483, "ok")]


def test_den_helder_secret_density_is_suppressed_in_every_format(server: Server) -> None:
    path = "/values?indicator=bevolkingsdichtheid&level=buurt&year=2015&gemeente=GM0400"
    hidden = ["BU04000100", "BU04000207", "BU04000304", "BU04000500", "BU04000607"]
    rows = get_json(server, path)
    assert [r["code"] for r in rows if r["status"] != "ok"] == hidden
    for r in rows:
        if r["code"] in hidden:
            assert r["value"] is None and r["status"] == "suppressed" and "CBS" in r["reason"]
    text = get(server, path + "&format=csv").text()
    by_code = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert all(by_code[c]["value"] == "" and by_code[c]["status"] == "suppressed" for c in hidden)
    sheet = load_workbook(io.BytesIO(get(server, path + "&format=xlsx").body))["Waarden"]
    xrows = {r[0]: r for r in list(sheet.values)[1:]}
    assert all(xrows[c][2] is None and xrows[c][3] == "suppressed" for c in hidden)
    assert not any(r["value"].startswith("-9999") for r in by_code.values())


def test_den_helder_and_haarlem_match_the_source_files(server: Server, shared_data: Path) -> None:
    expected = _expected(shared_data)
    # 2015: 3 levels x 2 gemeenten; 2024 (StatLine extract): gemeente and wijk x 2 gemeenten.
    assert len(expected) == 3 * 2 * len(COLUMNS_2015) + 2 * 2 * len(COLUMNS_2024)
    compared = 0
    for (year, level, gemeente, indicator), source in sorted(expected.items()):
        rows = get_json(
            server, f"/values?indicator={indicator}&level={level}&year={year}&gemeente={gemeente}"
        )
        got = {r["code"]: r for r in rows}
        assert set(source) <= set(got), (year, level, gemeente, indicator)
        for code, raw in source.items():
            row = got[code]
            where = (year, code, indicator, raw, row)
            if raw == CBS_SECRET:
                assert (row["value"], row["status"]) == (None, "suppressed"), where
            elif raw in ("", "."):
                assert row["value"] is None and row["status"] != "ok", where
            else:
                assert row["status"] == "ok" and row["value"] == pytest.approx(float(raw)), where
            compared += 1
        # Areas the source has no row for carry no number.
        assert all(r["value"] is None for c, r in got.items() if c not in source)
    assert compared > 1000


def test_csv_json_and_xlsx_agree(server: Server) -> None:
    path = "/values?indicator=gemiddelde_huishoudensgrootte&level=buurt&year=2015"
    rows = get_json(server, path)
    reply = get(server, path + "&format=csv")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    parsed = list(csv.DictReader(io.StringIO(reply.body.decode("utf-8"))))
    assert len(parsed) == len(rows) == 105
    for j, c in zip(rows, parsed, strict=True):
        assert c["code"] == j["code"] and c["status"] == j["status"]
        assert c["reason"] == (j["reason"] or "") and c["licence"] == j["licence"]
        assert (c["value"] == "") if j["value"] is None else (float(c["value"]) == j["value"])
    wb = load_workbook(io.BytesIO(get(server, path + "&format=xlsx").body))
    xrows = list(wb["Waarden"].values)[1:]
    assert [(r[0], r[2], r[3]) for r in xrows] == [
        (j["code"], j["value"], j["status"]) for j in rows
    ]
    assert dict(wb["Toelichting"].values)["Licentie"] == "CC BY 4.0, Bron: CBS"


def test_time_series_for_one_wijk(server: Server) -> None:
    rows = get_json(server, "/values?indicator=inwoners&level=wijk&year=all&area=WK040001")
    assert [(r["year"], r["value"]) for r in rows] == [(2015, 8_990), (2024, 9_180)]


def test_conditional_requests_and_cache_headers(server: Server) -> None:
    path = "/values?indicator=inwoners&level=buurt&year=2024&gemeente=GM0392"
    first = get(server, path, headers={"Accept-Encoding": "gzip"})
    assert first.status == 200 and first.headers["content-encoding"] == "gzip"
    assert len(first.json()) == 111
    assert first.headers["cache-control"] == "public, max-age=300"
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = get(server, path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
    assert again.headers["x-data-version"] == first.headers["x-data-version"]
    since = get(server, path, headers={"If-Modified-Since": modified})
    assert since.status == 304
    stale = get(server, path, headers={"If-None-Match": '"r1-0000"'})
    assert stale.status == 200


def test_every_answer_names_version_and_licence(server: Server) -> None:
    version = get_json(server, "/meta")["data_version"]
    for path in (
        "/meta",
        "/indicators",
        "/areas?level=buurt&year=2024&gemeente=GM0392&format=csv",
        "/values?indicator=inwoners&level=wijk&year=all&format=csv",
        "/geometry?level=wijk&year=2016&gemeente=GM0392",
    ):
        reply = get(server, path)
        assert reply.status == 200, path
        assert reply.headers["x-data-version"] == version, path
        assert 'rel="license"' in reply.headers["link"], path
        assert "Bron: CBS" in reply.headers["x-attribution"], path
        assert reply.headers["etag"] and reply.headers["last-modified"], path


def test_geometry_of_haarlem_buurten(server: Server) -> None:
    body = get_json(server, "/geometry?level=buurt&year=2024&gemeente=GM0392")
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 111
    assert body["licence"] == "CC BY 4.0, Bron: CBS"
    ids = [f["id"] for f in body["features"]]
    assert len(set(ids)) == 111 and all(i.startswith("BU0392") for i in ids)
    lons = [c[0] for f in body["features"] for c in _coords(f["geometry"])]
    lats = [c[1] for f in body["features"] for c in _coords(f["geometry"])]
    assert 4.5 < min(lons) < max(lons) < 4.8 and 52.3 < min(lats) < max(lats) < 52.5
    areas = get_json(server, "/areas?level=buurt&year=2024&gemeente=GM0392")
    assert sorted(ids) == [a["code"] for a in areas]


def _coords(geometry: dict[str, Any]) -> Iterator[list[float]]:
    def walk(node: Any) -> Iterator[list[float]]:
        if node and isinstance(node[0], int | float):
            yield node
        else:
            for child in node:
                yield from walk(child)

    return walk(geometry["coordinates"])


def test_errors_are_json_never_html_or_500(server: Server) -> None:
    cases = {
        "/values?indicator=inwoners&level=wijk&year=2024&jaar=1": 400,
        "/values?indicator=inwoners&level=wijk&year=1999": 404,
        "/values?indicator=bestaat_niet&level=wijk&year=2024": 404,
        "/values?level=wijk&year=2024&indicator=inwoners%27%3B%20DROP%20TABLE%20observations": 400,
        "/values?indicator=inwoners&level=wijk&year=2024&gemeente=GM0392%00": 400,
        "/values?indicator=inwoners&level=wijk&year=" + "2024," * 400: 400,
        "/values?indicator=inwoners&level=wijk&year=2024&area=" + "BU03920101," * 500: 400,
        "/bestaat/niet": 404,
        "/values/": 404,
    }  # fmt: skip
    for path, status in cases.items():
        reply = get(server, path)
        assert reply.status == status, (path, reply.text())
        assert reply.headers["content-type"].startswith("application/json"), path
        assert "error" in reply.json() and "Traceback" not in reply.text()
    assert server.get(API + "/values", method="DELETE").status == 405


def test_api_page_and_documents(server: Server) -> None:
    page = server.get(API + "/")
    # An HTML answer of the API is not a Dash page: the app's page-status hook
    # (components/responses.py) must leave its status alone.
    assert page.status == 200, page.status
    html = page.text()
    assert '<html lang="nl">' in html and "Open data API van Buurtlens" in html
    assert "Bevolkingsdichtheid" in html
    doc = get_json(server, "/openapi.json")
    assert doc["openapi"] == "3.1.0" and "/values" in doc["paths"]
    catalog = json.loads(get(server, "/catalog").body)
    assert catalog["@type"] == "dcat:Catalog"
    ids = {d["@id"].rsplit("/", 1)[1] for d in catalog["dcat:dataset"]}
    assert {"inwoners", "bevolkingsdichtheid", "woningvoorraad"} <= ids
    inwoners = next(d for d in catalog["dcat:dataset"] if d["@id"].endswith("/inwoners"))
    assert inwoners["dct:temporal"]["dcat:startDate"]["@value"] == "2015-01-01"
    assert inwoners["dct:temporal"]["dcat:endDate"]["@value"] == "2024-12-31"
    spatial = {s["rdfs:label"] for s in inwoners["dct:spatial"]}
    assert {"Haarlem", "Den Helder"} <= spatial
    meta = get_json(server, "/meta")
    assert catalog["dct:modified"]["@value"] == meta["built_at"]


# --- swaps ----------------------------------------------------------------------------------


def test_a_swap_during_a_stream_of_requests_never_mixes_versions(
    server: Server, builds: dict[str, Path]
) -> None:
    """Requests stream from 6 threads while the warehouse is swapped (12 times or more)
    between a build with and one without the 2024 figures. Every answer must be a 200 whose body
    belongs to the version in its X-Data-Version header."""
    versions = {data_version(builds["full"]): "full", data_version(builds["partial"]): "partial"}
    paths = [
        "/meta",
        "/values?indicator=inwoners&level=gemeente&year=2024&gemeente=GM0392&envelope=1",
        "/values?indicator=inwoners&level=wijk&year=all&gemeente=GM0392&envelope=1",
        "/geometry?level=wijk&year=2024&gemeente=GM0400",
        "/indicators?envelope=1",
    ]
    problems: list[str] = []
    seen: dict[str, int] = {}
    stop = threading.Event()
    count = [0]
    lock = threading.Lock()

    def check(path: str, reply: Reply) -> None:
        if reply.status != 200:
            problems.append(f"{path}: HTTP {reply.status} {reply.text()[:200]}")
            return
        header = reply.headers.get("x-data-version", "")
        body = reply.json()
        kind = versions.get(header)
        if kind is None:
            problems.append(f"{path}: unknown version {header!r}")
            return
        if body["data_version"] != header:
            problems.append(f"{path}: header {header} but body {body['data_version']}")
        if "year=2024&gemeente=GM0392" in path:
            value = body["data"][0]["value"]
            if (value == 167_636) != (kind == "full"):
                problems.append(f"{path}: value {value} in version {kind}")
        if "year=all" in path:
            years = sorted({r["year"] for r in body["data"]})
            if (2024 in years) != (kind == "full"):
                problems.append(f"{path}: years {years} in version {kind}")
        with lock:
            seen[kind] = seen.get(kind, 0) + 1
            count[0] += 1

    def stream(offset: int) -> None:
        i = offset
        while not stop.is_set():
            path = paths[i % len(paths)]
            check(path, get(server, path))
            i += 1

    threads = [threading.Thread(target=stream, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    try:
        # Each version stays live a little longer than a worker's 1 s check interval. At
        # least 12 swaps; on a slow machine more (up to 60 s), until answers of both
        # versions have come back; then the full build goes back in.
        swaps, deadline = 0, time.monotonic() + 60
        while swaps < 12 or (len(seen) < 2 and time.monotonic() < deadline):
            time.sleep(1.2)
            swap_in(builds["partial" if swaps % 2 == 0 else "full"], server.data_dir)
            swaps += 1
        if swaps % 2:
            swap_in(builds["full"], server.data_dir)
        time.sleep(1.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not problems, problems[:10]
    log = server.log.read_text(errors="replace")
    assert seen.get("full", 0) > 0 and seen.get("partial", 0) > 0, (seen, log[-3000:])
    assert count[0] > 100, count
    # The last swap put the full build back: every worker serves it again.
    full = next(v for v, k in versions.items() if k == "full")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if all(get(server, "/meta").headers["x-data-version"] == full for _ in range(8)):
            break
        time.sleep(0.2)
    assert get(server, "/meta").headers["x-data-version"] == full


def test_benchmark_load_generator_runs(server: Server) -> None:
    """bench/api.py's load generator on this server, briefly, so that it cannot rot."""
    from bench.api import PATH, load

    host, port = server.base.removeprefix("http://").split(":")
    result = load(host, int(port), PATH, concurrency=2, seconds=1.0, max_requests=40)
    assert 0 < result.requests <= 40 and result.errors == 0, result.statuses
    figures = result.figures()
    assert figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
    assert figures["requests_per_second"] > 0
