# SPDX-License-Identifier: EUPL-1.2
"""Encoding API answers (JSON, CSV, Excel) and the HTTP headers every answer carries.

Every successful answer carries the data version it was read from (``X-Data-Version``),
an ``ETag`` derived from that version and the request, ``Last-Modified`` (the warehouse's
build time), ``Cache-Control``, the licences as ``Link: <uri>; rel="license"`` and the
attribution a re-user must cite (``X-Attribution``). Bodies are gzipped here (once, then
cached) rather than by Flask-Compress, so that the ETag of each content coding is under
this module's control and conditional requests match either.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote

import pandas as pd
from flask import Request, Response

#: Bump when the encoding of any answer changes: it is part of every ETag.
API_REVISION: Final = "1"
#: Answers change only when the ETL publishes (nightly): a short freshness lifetime keeps
#: figures from going stale for long after a swap, and revalidation is a cheap 304.
CACHE_CONTROL: Final = "public, max-age=300"
CACHE_ERRORS: Final = "no-store"
JSON_MIMETYPE: Final = "application/json"
CSV_MIMETYPE: Final = "text/csv"
XLSX_MIMETYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_MIMETYPE: Final = "application/geo+json"
JSONLD_MIMETYPE: Final = "application/ld+json"
HTML_MIMETYPE: Final = "text/html"
#: Bodies smaller than this are not worth compressing.
GZIP_MIN_BYTES: Final = 500
#: Headers a browser script may read (CORS).
EXPOSED_HEADERS: Final = "X-Data-Version, X-Attribution, ETag, Last-Modified, Link"


# --- values for the wire -----------------------------------------------------------------


def plain(value: object) -> object:
    """A cell as JSON-ready Python: NaN/NA -> None, integral floats -> int, numpy -> builtin.

    >>> plain(167636.0), plain(2.5), plain(float("nan")), plain(None)
    (167636, 2.5, None, None)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, object]]:
    """The rows of ``frame`` as dicts with exactly ``columns``, cells made :func:`plain`."""
    cols = [frame[c].tolist() for c in columns]
    return (
        [
            {c: plain(v) for c, v in zip(columns, row, strict=True)}
            for row in zip(*cols, strict=True)
        ]
        if columns
        else []
    )


def json_bytes(data: object) -> bytes:
    """Compact UTF-8 JSON (non-ASCII kept, so ``km²`` stays readable)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def csv_cell(value: object) -> str:
    """A CSV cell: empty for null, ``;``-joined for lists, plain numbers without ``.0``."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(csv_cell(v) for v in value)
    return str(value)


def csv_bytes(rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> bytes:
    """RFC 4180 CSV in UTF-8: comma-separated, a header row, CRLF line ends, no comments."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


# --- representations and the response cache ----------------------------------------------


@dataclass(slots=True)
class Representation:
    """An encoded answer, ready to send, with what its headers need.

    ``licences`` are ``(uri, text)`` pairs, ``attribution`` the texts to cite.
    """

    body: bytes
    mimetype: str
    filename: str | None = None
    licences: list[tuple[str, str]] = field(default_factory=list)
    attribution: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    language: str = "nl"
    _gzipped: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def gzipped(self) -> bytes:
        """The body gzipped (deterministic: no timestamp), computed once."""
        with self._lock:
            if self._gzipped is None:
                self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
            return self._gzipped

    @property
    def size(self) -> int:
        return len(self.body) + (len(self._gzipped) if self._gzipped else 0)


class ResponseCache:
    """Encoded answers per (data version, request key), least recently used out first.

    Keyed by data version, so a swap can never serve an old answer; bounded in bytes per
    worker process (``BUURTLENS_API_CACHE_MB``), and an answer larger than a quarter of
    the bound is not kept.
    """

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str], Representation] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, version: str, key: str) -> Representation | None:
        if self._max_bytes <= 0:
            return None
        with self._lock:
            rep = self._entries.get((version, key))
            if rep is not None:
                self._entries.move_to_end((version, key))
            return rep

    def put(self, version: str, key: str, rep: Representation) -> None:
        # Sized with the gzipped body it will soon hold.
        if self._max_bytes <= 0 or 2 * len(rep.body) > self._max_bytes // 4:
            return
        with self._lock:
            if (version, key) in self._entries:
                return
            self._entries[(version, key)] = rep
            self._bytes += 2 * len(rep.body)
            while self._entries and self._bytes > self._max_bytes:
                _, old = self._entries.popitem(last=False)
                self._bytes -= 2 * len(old.body)

    def __len__(self) -> int:
        return len(self._entries)


# --- request identity and conditional requests -------------------------------------------


def request_key(request: Request, *, with_host: bool = False) -> str:
    """The request's identity for caching: path and the sorted query parameters (and the
    host, for answers that contain absolute URLs)."""
    items = sorted(request.args.items(multi=True))
    key = request.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in items)
    return (request.host_url + key) if with_host else key


def make_etag(version: str, key: str) -> str:
    """A strong validator: the same data version and request give the same bytes."""
    digest = hashlib.sha256(f"{API_REVISION}\0{version}\0{key}".encode()).hexdigest()
    return f"r{API_REVISION}-{digest[:32]}"


def gzip_etag(etag: str) -> str:
    """The validator of the gzip content coding of the same answer."""
    return f"{etag}-gzip"


def built_at_datetime(built_at: str | None) -> datetime | None:
    """The warehouse's ISO build time as an aware datetime (None when absent or odd)."""
    if not built_at:
        return None
    try:
        parsed = datetime.fromisoformat(built_at)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def etag_matches(request: Request, etag: str) -> bool:
    """If-None-Match names this answer's ETag (either content coding; ``*`` does not count:
    it needs to know that the answer would be a 200)."""
    inm = request.if_none_match
    if not inm or inm.star_tag:  # contains_weak() is true for "*"
        return False
    return inm.contains_weak(etag) or inm.contains_weak(gzip_etag(etag))


def is_not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison, either content coding) wins over
    If-Modified-Since."""
    inm = request.if_none_match
    if inm:
        return inm.star_tag or inm.contains_weak(etag) or inm.contains_weak(gzip_etag(etag))
    ims = request.if_modified_since
    if ims is not None and last_modified is not None:
        return last_modified.replace(microsecond=0) <= ims
    return False


# --- responses ---------------------------------------------------------------------------


def _ascii_header(text: str) -> str:
    """Header values must be Latin-1; non-ASCII is percent-encoded (RFC 8187 style)."""
    return text if text.isascii() else quote(text, safe=" :;,()/.-'&")


def common_headers(response: Response) -> Response:
    """Headers of every API answer, also errors: CORS for open data, no MIME sniffing."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _metadata_headers(
    response: Response,
    *,
    version: str,
    etag: str,
    last_modified: datetime | None,
    gzipped: bool,
) -> None:
    response.headers["X-Data-Version"] = _ascii_header(version)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(gzip_etag(etag) if gzipped else etag)
    if last_modified is not None:
        response.last_modified = last_modified


def not_modified(
    request: Request, *, version: str, etag: str, last_modified: datetime | None
) -> Response:
    """A 304 with the validators and caching headers the 200 would have had."""
    response = Response(status=304)
    _metadata_headers(
        response,
        version=version,
        etag=etag,
        last_modified=last_modified,
        gzipped=_wants_gzip(request),
    )
    return common_headers(response)


def _wants_gzip(request: Request) -> bool:
    return request.accept_encodings["gzip"] > 0


def send(
    request: Request,
    rep: Representation,
    *,
    version: str,
    etag: str,
    last_modified: datetime | None,
) -> Response:
    """A 200 with ``rep``'s body (gzipped when the client accepts it) and all metadata."""
    use_gzip = len(rep.body) >= GZIP_MIN_BYTES and _wants_gzip(request)
    response = Response(rep.gzipped() if use_gzip else rep.body, mimetype=rep.mimetype)
    if rep.mimetype.startswith("text/") or rep.mimetype in (JSON_MIMETYPE, GEOJSON_MIMETYPE):
        response.headers["Content-Type"] = f"{rep.mimetype}; charset=utf-8" + (
            "; header=present" if rep.mimetype == CSV_MIMETYPE else ""
        )
    if use_gzip:
        # Set here, so that Flask-Compress leaves the body (and the ETag) alone.
        response.headers["Content-Encoding"] = "gzip"
    _metadata_headers(
        response, version=version, etag=etag, last_modified=last_modified, gzipped=use_gzip
    )
    links = [f'<{uri}>; rel="license"; title="{_ascii_header(t)}"' for uri, t in rep.licences]
    links += [f'<{uri}>; rel="{rel}"' for uri, rel in rep.links]
    if links:
        response.headers["Link"] = ", ".join(links)
    if rep.attribution:
        response.headers["X-Attribution"] = _ascii_header("; ".join(rep.attribution))
    response.headers["Content-Language"] = rep.language
    if rep.filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{rep.filename}"'
    return common_headers(response)


def error(
    status: int, message: str, parameter: str | None = None, *, retry_after: int | None = None
) -> Response:
    """``{"error": message, "parameter": name}`` with ``status``; never a stack trace."""
    body: dict[str, Any] = {"error": message}
    if parameter is not None:
        body["parameter"] = parameter
    response = Response(json_bytes(body), status=status, mimetype=JSON_MIMETYPE)
    response.headers["Cache-Control"] = CACHE_ERRORS
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return common_headers(response)
