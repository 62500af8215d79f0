# SPDX-License-Identifier: EUPL-1.2
"""api.responses and api.xlsx: encodings, validators and the response cache."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime

import pandas as pd
import pytest
from flask import Flask
from openpyxl import load_workbook

from api.responses import (
    Representation,
    ResponseCache,
    built_at_datetime,
    csv_bytes,
    gzip_etag,
    is_not_modified,
    make_etag,
    plain,
    records,
)
from api.views import with_foreign_members
from api.xlsx import ABOUT_SHEET, VALUES_SHEET, values_workbook

pytestmark = pytest.mark.unit


def test_plain_cells() -> None:
    assert plain(167636.0) == 167636 and isinstance(plain(167636.0), int)
    assert plain(2.15) == 2.15
    assert plain(float("nan")) is None and plain(pd.NA) is None and plain(None) is None
    assert plain(float("inf")) is None


def test_records_and_csv_agree() -> None:
    frame = pd.DataFrame(
        {"code": ["A", "B"], "value": [1.0, float("nan")], "reason": [None, "verborgen, want <5"]}
    )
    rows = records(frame, ("code", "value", "reason"))
    assert rows == [
        {"code": "A", "value": 1, "reason": None},
        {"code": "B", "value": None, "reason": "verborgen, want <5"},
    ]
    text = csv_bytes(rows, ("code", "value", "reason")).decode("utf-8")
    assert text.startswith("code,value,reason\r\n")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed == [
        {"code": "A", "value": "1", "reason": ""},
        {"code": "B", "value": "", "reason": "verborgen, want <5"},
    ]
    assert json.loads(json.dumps(rows)) == rows


def test_etag_depends_on_version_and_request() -> None:
    a = make_etag("v1", "/api/v1/values?level=wijk")
    assert a == make_etag("v1", "/api/v1/values?level=wijk")
    assert a != make_etag("v2", "/api/v1/values?level=wijk")
    assert a != make_etag("v1", "/api/v1/values?level=buurt")
    assert gzip_etag(a) == a + "-gzip"


def test_conditional_requests() -> None:
    app = Flask(__name__)
    etag = make_etag("v1", "k")
    built = datetime(2024, 11, 28, 3, 0, 0, 123456, tzinfo=UTC)
    cases = [
        ({"If-None-Match": f'"{etag}"'}, True),
        ({"If-None-Match": f'W/"{gzip_etag(etag)}"'}, True),
        ({"If-None-Match": '"other"'}, False),
        ({"If-None-Match": "*"}, True),
        ({"If-Modified-Since": "Thu, 28 Nov 2024 03:00:00 GMT"}, True),
        ({"If-Modified-Since": "Thu, 28 Nov 2024 02:59:59 GMT"}, False),
        # If-None-Match wins over If-Modified-Since.
        ({"If-None-Match": '"other"', "If-Modified-Since": "Thu, 28 Nov 2024 03:00:00 GMT"}, False),
        ({}, False),
    ]
    for headers, expected in cases:
        with app.test_request_context("/", headers=headers):
            from flask import request

            assert is_not_modified(request, etag, built) is expected, headers


def test_built_at() -> None:
    assert built_at_datetime("2024-11-28T03:00:00+00:00") == datetime(2024, 11, 28, 3, tzinfo=UTC)
    assert built_at_datetime("2024-11-28T03:00:00") == datetime(2024, 11, 28, 3, tzinfo=UTC)
    assert built_at_datetime("gisteren") is None and built_at_datetime(None) is None


def test_response_cache_is_keyed_by_version_and_bounded() -> None:
    cache = ResponseCache(max_bytes=4000)
    cache.put("v1", "k", Representation(b"x" * 100, "application/json"))
    assert cache.get("v1", "k") is not None and cache.get("v2", "k") is None
    for i in range(50):
        cache.put("v1", f"k{i}", Representation(b"y" * 100, "application/json"))
    assert len(cache) <= 20
    cache.put("v1", "huge", Representation(b"z" * 3000, "application/json"))
    assert cache.get("v1", "huge") is None
    off = ResponseCache(max_bytes=0)
    off.put("v1", "k", Representation(b"x", "application/json"))
    assert off.get("v1", "k") is None


def test_gzip_is_deterministic() -> None:
    a = Representation(b"abc" * 400, "text/csv").gzipped()
    time.sleep(1.1)
    assert Representation(b"abc" * 400, "text/csv").gzipped() == a


def test_foreign_members_are_spliced_or_parsed() -> None:
    compact = '{"type":"FeatureCollection","features":[{"type":"Feature","id":"A"}]}'
    spliced = json.loads(with_foreign_members(compact, {"data_version": "v1"}))
    assert spliced["data_version"] == "v1" and spliced["features"][0]["id"] == "A"
    loose = '{"features": [], "type": "FeatureCollection"}'
    parsed = json.loads(with_foreign_members(loose, {"data_version": "v1"}))
    assert parsed == {"type": "FeatureCollection", "data_version": "v1", "features": []}


def test_values_workbook_is_deterministic_and_readable() -> None:
    rows = [
        {"code": "GM0392", "value": 167636.0, "status": "ok", "reason": None},
        {"code": "BU1", "value": float("nan"), "status": "suppressed", "reason": "verborgen"},
    ]
    columns = ("code", "value", "status", "reason")
    stamp = datetime(2024, 11, 28, 3, tzinfo=UTC)
    first = values_workbook(rows, columns, about=[("Bron", "CBS")], decimals=0, timestamp=stamp)
    time.sleep(1.1)
    second = values_workbook(rows, columns, about=[("Bron", "CBS")], decimals=0, timestamp=stamp)
    assert first == second
    wb = load_workbook(io.BytesIO(first))
    assert wb.sheetnames == [VALUES_SHEET, ABOUT_SHEET]
    assert list(wb[VALUES_SHEET].values) == [
        columns,
        ("GM0392", 167636, "ok", None),
        ("BU1", None, "suppressed", "verborgen"),
    ]
    assert list(wb[ABOUT_SHEET].values) == [("Bron", "CBS")]
