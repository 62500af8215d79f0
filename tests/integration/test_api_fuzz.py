# SPDX-License-Identifier: EUPL-1.2
"""Fuzzing the open data API over real HTTP: zero 5xx, whatever the input.

Three generators against gunicorn on 127.0.0.1 with a warehouse built by the real ETL:

* schemathesis, from the API's own OpenAPI document (``/api/v1/openapi.json``): valid and
  invalid parameters per operation, and every response checked against the document
  (status codes, content types, JSON schemas, headers);
* hypothesis, with parameters drawn from what the warehouse really holds mixed with
  garbage, raw query strings and unknown paths;
* hypothesis, with ``values`` requests the catalogue says can be answered, so that nearly
  every case runs the full query and encoding path (JSON, CSV, Excel) and is checked for
  "a number exactly when the status is ok".

The number of cases is logged (``-o log_cli=true --log-cli-level=INFO``) and asserted.
"""

from __future__ import annotations

import csv
import io
import logging
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.test_api_http import SOURCES, etl_build, swap_in
from tests.integration.test_app_http import Server, running_app

pytestmark = pytest.mark.integration

logger = logging.getLogger(__name__)

API = "/api/v1"
SCHEMATHESIS_EXAMPLES = 60
HYPOTHESIS_EXAMPLES = 400

#: HTTP status -> count, per generator; checked by the last test of the module.
STATS: dict[str, Counter[int]] = {"schemathesis": Counter(), "hypothesis": Counter()}


@pytest.fixture(scope="module")
def fuzz_server(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    built = etl_build(shared_data, tmp_path_factory.mktemp("fuzz-etl"), SOURCES)
    data_dir = tmp_path_factory.mktemp("fuzz-live")
    swap_in(built, data_dir)
    mp = pytest.MonkeyPatch()
    # No response cache: every case reaches the queries.
    mp.setenv("BUURTLENS_API_CACHE_MB", "0")
    try:
        with running_app(data_dir, tmp_path_factory.mktemp("fuzz-log") / "gunicorn.log") as srv:
            yield srv
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def api_schema(fuzz_server: Server) -> Any:
    schema = schemathesis.openapi.from_url(fuzz_server.base + API + "/openapi.json")
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=SCHEMATHESIS_EXAMPLES,
        deterministic=True,
    )
    return schema


#: Checks against the document. "positive_data_acceptance" is left out on purpose: a
#: well-formed but unknown indicator or year is a documented 404, not a 2xx.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


def test_schemathesis_finds_no_server_error(api_schema: Any, fuzz_server: Server) -> None:
    """Every operation of the OpenAPI document, with valid (positive) and invalid
    (negative) parameters. (schemathesis' pytest plugin does not run under pytest 9, so the
    operations' hypothesis strategies are driven here.)"""
    session = requests.Session()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 7
    for operation in operations:
        modes = [GenerationMode.POSITIVE]
        if operation.query or operation.path_parameters:
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @settings(max_examples=SCHEMATHESIS_EXAMPLES, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), database=None)  # fmt: skip
            @given(operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                response = case.call(base_url=fuzz_server.base + API, session=session, timeout=30)
                STATS["schemathesis"][response.status_code] += 1
                assert response.status_code < 500, (case.path, case.query, response.text[:300])
                case.validate_response(response, checks=CHECKS)

            run()


# --- hypothesis: real values mixed with garbage -----------------------------------------------


@pytest.fixture(scope="module")
def real(fuzz_server: Server) -> dict[str, list[str]]:
    """What the warehouse holds: indicator ids, years and gemeente codes."""
    indicators = requests.get(fuzz_server.base + API + "/indicators", timeout=30).json()
    years = sorted({str(y) for i in indicators for y in i["years"]})
    gemeenten = ["GM0392", "GM0400", "GM0106", "GM0200"]
    return {"indicator": [i["id"] for i in indicators], "year": years, "gemeente": gemeenten}


def _garbage() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            ["", "all", "ALL", "0", "-1", "9999", "1e3", "2015,", ",2015", "2015;2024",
             "' OR 1=1 --", "inwoners; DROP TABLE observations", "../../etc/passwd",
             "%00", "\x00", "GM0392\n", "２０２４", "²", "null", "[]", "{}", "x" * 3000]
        ),
    )  # fmt: skip


def _param(real: dict[str, list[str]], name: str) -> st.SearchStrategy[str]:
    known = {
        "indicator": st.sampled_from(real["indicator"]),
        "year": st.one_of(
            st.sampled_from(real["year"]),
            st.just("all"),
            st.lists(st.sampled_from(real["year"]), min_size=1, max_size=3).map(",".join),
        ),
        "gemeente": st.sampled_from(real["gemeente"]),
        "level": st.sampled_from(["gemeente", "wijk", "buurt"]),
        "format": st.sampled_from(["json", "csv", "xlsx"]),
        "envelope": st.sampled_from(["0", "1"]),
        "period": st.sampled_from(real["year"]),
        "area": st.sampled_from(["GM0392", "WK040001", "BU04000100", "BU03920101,BU03920102"]),
        "lang": st.sampled_from(["nl", "en"]),
        "theme": st.sampled_from(["Bevolking", "Wonen"]),
    }.get(name, st.text(max_size=10))
    # Mostly real values, so that requests get past the validation into the queries.
    return st.one_of(known, known, known, known, known, _garbage())


ENDPOINTS = {
    "values": ["indicator", "level", "year", "gemeente", "period", "area", "format", "envelope"],
    "areas": ["level", "year", "gemeente", "format", "envelope"],
    "geometry": ["level", "year", "gemeente"],
    "indicators": ["theme", "lang", "format", "envelope"],
    "meta": [],
    "catalog": [],
}


@st.composite
def requests_(draw: st.DrawFn, real: dict[str, list[str]]) -> tuple[str, list[tuple[str, str]]]:
    endpoint = draw(st.sampled_from(["values", "values", "values", *sorted(ENDPOINTS)]))
    names = ENDPOINTS[endpoint]
    chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    # Usually with the required parameters, so that most requests reach the queries.
    if endpoint in ("values", "areas", "geometry") and draw(st.integers(0, 3)) > 0:
        chosen = sorted(
            set(chosen) | {"level", "year"} | ({"indicator"} if endpoint == "values" else set())
        )
    query = [(name, draw(_param(real, name))) for name in chosen]
    if draw(st.integers(0, 9)) == 0:  # an unknown or repeated parameter
        query.append(
            draw(
                st.sampled_from(
                    [("jaar", "2024"), ("year", "2024"), (draw(st.text(max_size=8)), "x")]
                )
            )
        )
    return endpoint, query


def test_hypothesis_parameters_find_no_server_error(
    fuzz_server: Server, real: dict[str, list[str]]
) -> None:
    session = requests.Session()

    @settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(requests_(real))
    def run(request: tuple[str, list[tuple[str, str]]]) -> None:
        endpoint, query = request
        url = f"{fuzz_server.base}{API}/{endpoint}?{urllib.parse.urlencode(query)}"
        response = session.get(url, timeout=30)
        STATS["hypothesis"][response.status_code] += 1
        assert response.status_code < 500, (url, response.text[:300])
        if response.status_code >= 400:
            assert response.headers["Content-Type"].startswith("application/json"), url
            assert "error" in response.json()
        elif endpoint == "values" and response.headers["Content-Type"].startswith(
            "application/json"
        ):
            body = response.json()
            rows = body["data"] if isinstance(body, dict) else body
            for row in rows:
                # Only published figures: a number exactly when the status is ok.
                assert (row["value"] is not None) == (row["status"] == "ok"), (url, row)

    run()


@pytest.fixture(scope="module")
def catalogue(fuzz_server: Server) -> list[dict[str, Any]]:
    """The public indicators with figures, with their years and levels."""
    rows = requests.get(fuzz_server.base + API + "/indicators", timeout=30).json()
    return [r for r in rows if r["years"] and r["levels"]]


@st.composite
def consistent_values(draw: st.DrawFn, catalogue: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """A values request that the catalogue says can be answered (years and levels with
    figures), so that nearly every case runs the full query and encoding path."""
    ind = draw(st.sampled_from(catalogue))
    years = draw(st.lists(st.sampled_from(ind["years"]), min_size=1, max_size=3, unique=True))
    query = [
        ("indicator", ind["id"]),
        ("level", draw(st.sampled_from(ind["levels"]))),
        ("year", draw(st.one_of(st.just("all"), st.just(",".join(map(str, years)))))),
    ]
    if draw(st.booleans()):
        query.append(("gemeente", draw(st.sampled_from(["GM0392", "GM0400"]))))
    fmt = draw(st.sampled_from(["json", "json", "csv", "xlsx"]))
    if fmt != "json":
        query.append(("format", fmt))
    elif draw(st.booleans()):
        query.append(("envelope", "1"))
    return query


def test_consistent_values_requests_publish_only_published_figures(
    fuzz_server: Server, catalogue: list[dict[str, Any]]
) -> None:
    session = requests.Session()

    @settings(max_examples=200, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(consistent_values(catalogue))
    def run(query: list[tuple[str, str]]) -> None:
        url = f"{fuzz_server.base}{API}/values?{urllib.parse.urlencode(query)}"
        response = session.get(url, timeout=30)
        STATS["hypothesis"][response.status_code] += 1
        # A 404 only where a level or gemeente does not exist in a chosen year.
        assert response.status_code in (200, 404), (url, response.text[:300])
        if response.status_code == 404:
            assert response.json()["parameter"] in ("gemeente", "year"), url
            return
        fmt = dict(query).get("format", "json")
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
            assert all((r["value"] != "") == (r["status"] == "ok") for r in rows), url
        elif fmt == "json":
            body = response.json()
            rows = body["data"] if isinstance(body, dict) else body
            assert all((r["value"] is not None) == (r["status"] == "ok") for r in rows), url
            if isinstance(body, dict):
                assert body["data_version"] == response.headers["X-Data-Version"]
        else:
            assert response.content[:2] == b"PK", url

    run()


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(
    path=st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    raw=st.binary(max_size=200),
)
def test_raw_paths_and_query_strings_find_no_server_error(
    fuzz_server: Server, path: str, raw: bytes
) -> None:
    quoted = urllib.parse.quote(path, safe="/")
    url = f"{fuzz_server.base}{API}/{quoted}?{urllib.parse.quote_from_bytes(raw, safe='=&%')}"
    response = requests.get(url, timeout=30)
    STATS["hypothesis"][response.status_code] += 1
    assert response.status_code < 500, (url, response.text[:300])


def test_zzz_fuzzing_figures() -> None:
    """Runs last: the totals of both generators, logged for the report."""
    total = {name: sum(c.values()) for name, c in STATS.items()}
    logger.info(
        "api fuzzing schemathesis_cases=%s (by status %s) hypothesis_cases=%s (%s)",
        total["schemathesis"],
        dict(sorted(STATS["schemathesis"].items())),
        total["hypothesis"],
        dict(sorted(STATS["hypothesis"].items())),
    )
    assert total["schemathesis"] >= 500 and total["hypothesis"] >= 700, total
    assert not any(status >= 500 for c in STATS.values() for status in c), STATS
