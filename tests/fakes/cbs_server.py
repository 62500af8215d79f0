# SPDX-License-Identifier: EUPL-1.2
"""A real HTTP server on 127.0.0.1 that answers like CBS StatLine (OData v3 and v4) and
PDOK's OGC API Features for CBS wijken en buurten, built at start-up from the shared data.

Nothing is copied: every answer is generated from the files in ``../shared/data``
(``BUURTLENS_SHARED_DATA``):

- ``cbs_kwb_2024_85984NED/kwb_2024_gemeente_wijk.csv`` -> table 85984NED: OData v3
  ``DataProperties``, ``WijkenEnBuurten`` (the region dimension), ``TypedDataSet`` (region
  keys padded to 10 characters with spaces, as CBS does, plus a ``NL00`` row whose
  figures are null because the slice has none) and ``TypedDataSet/$count``; OData v4
  ``MeasureCodes``, ``WijkenEnBuurtenCodes`` and ``Observations`` (long format).
  Region names come from ``cbs_gebiedsindelingen_cartomap`` (``statnaam``); column titles,
  units and data types are those of the real 85984NED DataProperties; v4 measure
  identifiers are the ones CBS uses for these measures (see ``etl/sources/cbs_odata.py``).
- ``bag_pdok_apeldoorn_sample/bag_{verblijfsobjecten,panden}.geojson`` -> PDOK's BAG OGC API
  ``/lv/bag/ogc/v1/collections/{verblijfsobject,pand}/items`` with the GeoPackage's
  property names (``identificatie``, ``gebruiksdoel`` as a list, ``pand_identificatie``,
  ...), ``bbox`` and ``limit``/``offset`` paging like the collections below.
- ``cbs_gebiedsindelingen_cartomap/*_2024*_wgs84.geojson`` (and ``_rd`` for
  ``crs=EPSG:28992``) -> ``/cbs/wijken-en-buurten-2024/ogc/v1``: landing page,
  ``/collections``, and ``gemeenten`` (2), ``wijken`` (29) and ``buurten`` (Haarlem's
  111) with PDOK's property names (``wijkcode``, ``wijknaam``, ``gemeentecode``,
  ``gemeentenaam``, ``jrstatcode``, ``jaar``) and, for gemeenten and wijken, the 2024
  kerncijfers of the CSV as ``aantal_inwoners`` etc. ``wijken-en-buurten-2022`` serves Den
  Helder's 65 buurten of 2022.

Paging: ``/ODataFeed/odata`` pages by ``odata.nextLink`` at ``feed_page_size`` rows;
``/ODataApi/odata`` honours ``$top``/``$skip``, answers HTTP 500 "query returns more than
N records" beyond ``api_row_limit`` rows without ``$top`` and clamps ``$top`` to that
limit; v4 pages by ``@odata.nextLink``; OGC items by ``limit``/``offset`` with
``rel="next"`` links, ``numberReturned`` and ``numberMatched``.

Fault switches, each for the next ``times`` matching requests, matched on the end of the
path (``path="/TypedDataSet"``; ``/TypedDataSet/$count`` is another resource):
:meth:`FakeCbsServer.fail` (an HTTP status, e.g. 500, optionally with ``Retry-After``),
:meth:`~FakeCbsServer.throttle` (429 with ``Retry-After``), :meth:`~FakeCbsServer.hang`
(no answer until ``seconds`` passed or the server stops) and
:meth:`~FakeCbsServer.truncate` (the real JSON body cut in half, with a matching
``Content-Length``). Every request is recorded in :attr:`FakeCbsServer.requests`.

Manual use::

    python -m tests.fakes.cbs_server --port 8765
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit

logger = logging.getLogger(__name__)

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
KWB_TABLE: Final = "85984NED"
KWB_YEAR: Final = 2024
CRS84: Final = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD_CRS: Final = "http://www.opengis.net/def/crs/EPSG/0/28992"

#: Metadata of the KWB columns in the shared CSV, as in 85984NED's DataProperties, with
#: the v4 measure identifier and the PDOK property name of the same figure.
#: base name -> (title, unit, v4 identifier, PDOK property)
COLUMN_META: Final[dict[str, tuple[str, str, str, str]]] = {
    "AantalInwoners": ("Aantal inwoners", "aantal", "T001036", "aantal_inwoners"),
    "Mannen": ("Mannen", "aantal", "3000", "mannen"),
    "Vrouwen": ("Vrouwen", "aantal", "4000", "vrouwen"),
    "Bevolkingsdichtheid": (
        "Bevolkingsdichtheid",
        "aantal inwoners per km²",
        "M000100",
        "bevolkingsdichtheid_inwoners_per_km2",
    ),
    "Woningvoorraad": ("Woningvoorraad", "aantal", "M000297", "woningvoorraad"),
    "OppervlakteTotaal": ("Oppervlakte totaal", "ha", "T001455_2", "oppervlakte_totaal_in_ha"),
    "OppervlakteLand": ("Oppervlakte land", "ha", "A047044", "oppervlakte_land_in_ha"),
    "OppervlakteWater": ("Oppervlakte water", "ha", "A047040", "oppervlakte_water_in_ha"),
}
#: Columns the shared CSV adds to the CBS keys (see PROVENANCE.md).
_ADDED_COLUMNS: Final = ("regiocode", "soort_regio", "gemeentecode", "jaar", "cbs_tabel")
_SUFFIX_RE: Final = re.compile(r"_(\d+)$")


def default_data_dir() -> Path:
    """``BUURTLENS_SHARED_DATA`` or ``<repo>/../shared/data``."""
    return Path(os.environ.get("BUURTLENS_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


# --- data, built once from the shared files ----------------------------------------------


def _pad(text: str, width: int) -> str:
    return text.ljust(width)


def _number(text: str) -> int | float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def _load_geojson(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return list(json.load(fh)["features"])


@dataclass
class FakeData:
    """Everything the server answers, generated from the shared data directory."""

    v3_properties: list[dict[str, Any]]
    v3_regions: list[dict[str, Any]]
    v3_rows: list[dict[str, Any]]
    v4_measures: list[dict[str, Any]]
    v4_codes: list[dict[str, Any]]
    v4_observations: list[dict[str, Any]]
    #: year -> collection -> (wgs84 features, rd features)
    collections: dict[int, dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]]
    #: PDOK BAG OGC API: collection (verblijfsobject, pand) -> WGS84 features
    bag: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def build(cls, data_dir: Path) -> FakeData:
        carto = data_dir / "cbs_gebiedsindelingen_cartomap"
        gm_features = _load_geojson(carto / "gemeenten_2024_wgs84.geojson")
        wk_features = _load_geojson(carto / "wijken_2024_wgs84.geojson")
        names = {f["properties"]["statcode"]: f["properties"]["statnaam"] for f in gm_features}
        names |= {f["properties"]["statcode"]: f["properties"]["statnaam"] for f in wk_features}

        with (data_dir / "cbs_kwb_2024_85984NED" / "kwb_2024_gemeente_wijk.csv").open(
            encoding="utf-8", newline=""
        ) as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            csv_rows = list(reader)
        keys = [c for c in header if c not in _ADDED_COLUMNS]
        figures = {row["regiocode"]: {k: _number(row[k]) for k in keys} for row in csv_rows}

        properties = cls._v3_properties(keys)
        regions: list[dict[str, Any]] = [
            {
                "Key": _pad("NL00", 10),
                "Title": "Nederland",
                "Description": None,
                "CategoryGroupID": 1,
                "DetailRegionCode": "NL00",
                "Municipality": None,
            }
        ]
        rows: list[dict[str, Any]] = [
            {
                "ID": 0,
                "WijkenEnBuurten": _pad("NL00", 10),
                "Gemeentenaam_1": _pad("Nederland", 40),
                "SoortRegio_2": _pad("Land", 10),
                "Codering_3": _pad("NL00", 10),
                "IndelingswijzigingGemeenteWijkBuurt_4": None,
                **dict.fromkeys(keys),  # no national figures in the slice: null, not invented
            }
        ]
        for row in csv_rows:
            code = row["regiocode"]
            gm = row["gemeentecode"]
            regions.append(
                {
                    "Key": _pad(code, 10),
                    "Title": names.get(code, code),
                    "Description": None,
                    "CategoryGroupID": 2 if code.startswith("GM") else 3,
                    "DetailRegionCode": code,
                    "Municipality": gm,
                }
            )
            rows.append(
                {
                    "ID": len(rows),
                    "WijkenEnBuurten": _pad(code, 10),
                    "Gemeentenaam_1": _pad(names.get(gm, gm), 40),
                    "SoortRegio_2": _pad(row["soort_regio"], 10),
                    "Codering_3": _pad(code, 10),
                    "IndelingswijzigingGemeenteWijkBuurt_4": None,
                    **figures[code],
                }
            )

        measures: list[dict[str, Any]] = []
        identifier_of: dict[str, str] = {}
        for index, key in enumerate(keys):
            base = _SUFFIX_RE.sub("", key)
            title, unit, identifier, _ = COLUMN_META[base]
            identifier_of[key] = identifier
            measures.append(
                {
                    "Identifier": identifier,
                    "Index": index + 1,
                    "Title": title,
                    "Description": None,
                    "MeasureGroupId": None,
                    "DataType": "Long",
                    "Unit": unit,
                    "Decimals": 0,
                    "PresentationType": "Absolute",
                }
            )
        codes = []
        for i, region in enumerate(regions):
            code, gm = region["DetailRegionCode"], region["Municipality"]
            codes.append(
                {
                    "Identifier": code,
                    "Index": i + 1,
                    "Title": region["Title"],
                    "Description": None,
                    # wijken and buurten hang under their gemeente
                    "DimensionGroupId": gm if gm and gm != code else None,
                }
            )
        observations: list[dict[str, Any]] = []
        for row in rows:
            code = row["WijkenEnBuurten"].strip()
            for key in keys:
                value = row[key]
                observations.append(
                    {
                        "Id": len(observations),
                        "Measure": identifier_of[key],
                        "ValueAttribute": "None" if value is not None else ".",
                        "Value": value,
                        "StringValue": None,
                        "WijkenEnBuurten": code,
                    }
                )

        collections = {
            KWB_YEAR: {
                "gemeenten": cls._pdok_features(
                    carto, "gemeenten_2024", KWB_YEAR, names, figures, keys
                ),
                "wijken": cls._pdok_features(carto, "wijken_2024", KWB_YEAR, names, figures, keys),
                "buurten": cls._pdok_features(
                    carto, "buurten_2024_GM0392", KWB_YEAR, names, figures, keys
                ),
            },
            2022: {
                "buurten": cls._pdok_features(carto, "buurten_2022_GM0400", 2022, names, {}, keys),
            },
        }
        return cls(
            properties, regions, rows, measures, codes, observations, collections,
            bag=cls._bag_features(data_dir / "bag_pdok_apeldoorn_sample"),
        )  # fmt: skip

    @staticmethod
    def _bag_features(sample: Path) -> dict[str, list[dict[str, Any]]]:
        """The Apeldoorn BAG sample with the property names of PDOK's BAG GeoPackage / OGC
        API (the Shapefile cut them to 10 characters); ``gebruiksdoel`` as a list."""
        names = {
            "identifica": "identificatie", "oppervlakt": "oppervlakte", "status": "status",
            "gebruiksdo": "gebruiksdoel", "openbare_r": "openbare_ruimte_naam",
            "huisnummer": "huisnummer", "huisletter": "huisletter", "toevoeging": "toevoeging",
            "postcode": "postcode", "woonplaats": "woonplaats_naam", "bouwjaar": "bouwjaar",
            "pandidenti": "pand_identificatie", "pandstatus": "pand_status",
            "rdf_seeals": "rdf_seealso", "oppervla_1": "oppervlakte_max",
            "aantal_ver": "aantal_verblijfsobjecten",
        }  # fmt: skip
        out: dict[str, list[dict[str, Any]]] = {}
        for collection, stem in (
            ("verblijfsobject", "bag_verblijfsobjecten"),
            ("pand", "bag_panden"),
        ):
            features = []
            for feature in _load_geojson(sample / f"{stem}.geojson"):
                props = {names[k]: v for k, v in feature["properties"].items() if k in names}
                if isinstance(props.get("gebruiksdoel"), str):
                    props["gebruiksdoel"] = props["gebruiksdoel"].split(",")
                features.append({"type": "Feature", "id": props["identificatie"],
                                 "properties": props, "geometry": feature["geometry"]})  # fmt: skip
            out[collection] = features
        return out

    @staticmethod
    def _v3_properties(keys: list[str]) -> list[dict[str, Any]]:
        props: list[dict[str, Any]] = [
            {
                "odata.type": "Cbs.OData.GeoDetail",
                "ID": 0,
                "Position": 0,
                "ParentID": None,
                "Type": "GeoDetail",
                "Key": "WijkenEnBuurten",
                "Title": "Wijken en buurten",
                "Description": "",
                "MapYear": KWB_YEAR,
            },
            {
                "odata.type": "Cbs.OData.TopicGroup",
                "ID": 1,
                "Position": None,
                "ParentID": None,
                "Type": "TopicGroup",
                "Key": "",
                "Title": "Regioaanduiding",
                "Description": None,
            },
        ]
        topics = [
            ("Gemeentenaam_1", "Gemeentenaam", "String", "naam"),
            ("SoortRegio_2", "Soort regio", "String", "omschrijving"),
            ("Codering_3", "Codering", "String", "code"),
            ("IndelingswijzigingGemeenteWijkBuurt_4", "Indelingswijziging gemeente, wijk, buurt",
             "String", "code"),
        ]  # fmt: skip
        for key in keys:
            title, unit, _, _ = COLUMN_META[_SUFFIX_RE.sub("", key)]
            topics.append((key, title, "Long", unit))
        for key, title, datatype, unit in topics:
            match = _SUFFIX_RE.search(key)
            props.append(
                {
                    "odata.type": "Cbs.OData.Topic",
                    "ID": len(props),
                    "Position": int(match.group(1)) if match else None,
                    "ParentID": 1,
                    "Type": "Topic",
                    "Key": key,
                    "Title": title,
                    "Description": None,
                    "Datatype": datatype,
                    "Unit": unit,
                    "Decimals": 0,
                    "Default": "Impossible",
                    "PresentationType": "Absolute" if datatype != "String" else "",
                }
            )
        return props

    @staticmethod
    def _pdok_features(
        carto: Path,
        stem: str,
        year: int,
        names: dict[str, str],
        figures: dict[str, dict[str, int | float | None]],
        keys: list[str],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        def convert(features: list[dict[str, Any]]) -> list[dict[str, Any]]:
            out = []
            for n, feature in enumerate(features):
                p = feature["properties"]
                code: str = p["statcode"]
                gm = "GM" + code[2:6]
                props: dict[str, Any] = {}
                if code.startswith("BU"):
                    props |= {"buurtcode": code, "buurtnaam": p["statnaam"],
                              "wijkcode": "WK" + code[2:8]}  # fmt: skip
                elif code.startswith("WK"):
                    props |= {"wijkcode": code, "wijknaam": p["statnaam"]}
                props |= {
                    "gemeentecode": gm,
                    "gemeentenaam": names.get(gm, p["statnaam"] if code == gm else None),
                    "jrstatcode": p["jrstatcode"],
                    "jaar": year,
                }
                for key in keys:
                    value = figures.get(code, {}).get(key)
                    if code in figures:
                        props[COLUMN_META[_SUFFIX_RE.sub("", key)][3]] = value
                out.append(
                    {"type": "Feature", "id": n + 1, "properties": props,
                     "geometry": feature["geometry"]}
                )  # fmt: skip
            return out

        wgs84 = convert(_load_geojson(carto / f"{stem}_wgs84.geojson"))
        rd = convert(_load_geojson(carto / f"{stem}_rd.geojson"))
        return wgs84, rd


# --- a small OData $filter parser --------------------------------------------------------

_TOKEN_RE: Final = re.compile(r"\s*(?:(?P<p>[(),])|'(?P<s>(?:[^']|'')*)'|(?P<w>[A-Za-z_]\w*))")
Predicate = Callable[[dict[str, Any]], bool]


class FilterError(ValueError):
    """A ``$filter`` this fake does not understand (the real servers answer 400 too)."""


def parse_filter(text: str) -> tuple[Predicate, set[str]]:
    """Parse ``startswith(F,'x')``, ``substringof('x',F)``, ``F eq 'x'`` with and/or/().

    Returns the predicate and the field names it uses.
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None or m.end() == pos:
            raise FilterError(f"syntax error at position {pos} in $filter {text!r}")
        pos = m.end()
        if m.group("p"):
            tokens.append(("p", m.group("p")))
        elif m.group("s") is not None:
            tokens.append(("s", m.group("s").replace("''", "'")))
        elif m.group("w"):
            tokens.append(("w", m.group("w")))
    fields: set[str] = set()
    index = 0

    def peek() -> tuple[str, str] | None:
        return tokens[index] if index < len(tokens) else None

    def take(kind: str, value: str | None = None) -> str:
        nonlocal index
        token = peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            raise FilterError(f"expected {value or kind} in $filter {text!r}")
        index += 1
        return token[1]

    def expr() -> Predicate:
        left = conj()
        while peek() == ("w", "or"):
            take("w", "or")
            right = conj()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def conj() -> Predicate:
        left = atom()
        while peek() == ("w", "and"):
            take("w", "and")
            right = atom()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def atom() -> Predicate:
        token = peek()
        if token == ("p", "("):
            take("p", "(")
            inner = expr()
            take("p", ")")
            return inner
        name = take("w")
        if name == "startswith":
            take("p", "(")
            fld = take("w")
            take("p", ",")
            lit = take("s")
            take("p", ")")
            fields.add(fld)
            return lambda r: str(r.get(fld) or "").startswith(lit)
        if name == "substringof":
            take("p", "(")
            lit = take("s")
            take("p", ",")
            fld = take("w")
            take("p", ")")
            fields.add(fld)
            return lambda r: lit in str(r.get(fld) or "")
        take("w", "eq")
        lit = take("s")
        fields.add(name)
        return lambda r: str(r.get(name)) == lit

    predicate = expr()
    if index != len(tokens):
        raise FilterError(f"unexpected {tokens[index][1]!r} in $filter {text!r}")
    return predicate, fields


# --- faults and the request log ----------------------------------------------------------


@dataclass
class Fault:
    """One fault switch: applies to the next ``times`` requests whose path ends with
    ``path`` (``""`` matches every request)."""

    kind: str  # "status", "hang", "truncate"
    times: int
    path: str = ""
    status: int = 500
    retry_after: str | None = None
    seconds: float = 5.0


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server saw."""

    path: str
    query: dict[str, str]
    status: int | None
    user_agent: str | None


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: list[Fault] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


class _HttpError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _odata3_error(message: str) -> dict[str, Any]:
    return {"odata.error": {"code": "", "message": {"lang": "nl-NL", "value": message}}}


def _odata4_error(message: str) -> dict[str, Any]:
    return {"error": {"code": "", "message": message}}


def _ogc_error(status: int, message: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": message}  # fmt: skip


# --- the server --------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes; without this, Nagle + delayed ACK cost 40 ms
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake-cbs %s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        fault = self.server.fake.take_fault(split.path)
        status: int | None = None
        try:
            if fault is not None and fault.kind == "hang":
                self.server.fake.record(split.path, query, None, self.headers.get("User-Agent"))
                self.server.fake.state.stop.wait(fault.seconds)
                self.close_connection = True
                return
            if fault is not None and fault.kind == "status":
                status = fault.status
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                self._send_json(status, {"error": HTTPStatus(status).phrase}, headers)
                return
            try:
                status, body, content_type, headers = self.server.fake.route(
                    split.path, query, self._base()
                )
            except _HttpError as e:
                status, body, content_type, headers = (
                    e.status,
                    e.body,
                    "application/json",
                    e.headers,
                )
            payload = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            if fault is not None and fault.kind == "truncate":
                payload = payload[: max(1, len(payload) // 2)]
            self._send(status, payload, content_type, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            if fault is None or fault.kind != "hang":
                self.server.fake.record(split.path, query, status, self.headers.get("User-Agent"))

    def _base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        self._send(status, json.dumps(body).encode("utf-8"), "application/json", headers)

    def _send(
        self, status: int, payload: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeCbsServer) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class FakeCbsServer:
    """The fake CBS + PDOK server. Use as a context manager or call start()/stop()."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        feed_page_size: int = 8,
        api_row_limit: int = 10_000,
        v4_page_size: int = 50,
        ogc_default_limit: int = 10,
        ogc_max_limit: int = 1000,
    ) -> None:
        self.data = FakeData.build(data_dir or default_data_dir())
        self.feed_page_size = feed_page_size
        self.api_row_limit = api_row_limit
        self.v4_page_size = v4_page_size
        self.ogc_default_limit = ogc_default_limit
        self.ogc_max_limit = ogc_max_limit
        self.state = _State()
        self._httpd = _Server((host, port), self)
        self._thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def odata_v3_feed_url(self) -> str:
        return f"{self.url}/ODataFeed/odata"

    @property
    def odata_v3_api_url(self) -> str:
        return f"{self.url}/ODataApi/odata"

    @property
    def odata_v4_url(self) -> str:
        return f"{self.url}/CBS"

    @property
    def pdok_bag_url(self) -> str:
        """Root of the fake PDOK BAG OGC API."""
        return f"{self.url}/lv/bag/ogc/v1"

    @property
    def pdok_url_template(self) -> str:
        return f"{self.url}/cbs/wijken-en-buurten-{{year}}/ogc/v1"

    def pdok_url(self, year: int) -> str:
        return self.pdok_url_template.replace("{year}", str(year))

    def start(self) -> FakeCbsServer:
        self.state.stop.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="fake-cbs-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeCbsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    # --- faults and request log ------------------------------------------------------

    def reset(self) -> None:
        """Forget faults and recorded requests (between tests)."""
        with self.state.lock:
            self.state.faults.clear()
            self.state.requests.clear()

    def fail(
        self, times: int = 1, *, status: int = 500, path: str = "", retry_after: str | None = None
    ) -> None:
        """Answer the next ``times`` matching requests with ``status``."""
        with self.state.lock:
            self.state.faults.append(Fault("status", times, path, status, retry_after))

    def throttle(self, times: int = 1, *, retry_after: str = "1", path: str = "") -> None:
        """Answer 429 Too Many Requests with ``Retry-After``."""
        self.fail(times, status=429, path=path, retry_after=retry_after)

    def hang(self, times: int = 1, *, seconds: float = 5.0, path: str = "") -> None:
        """Do not answer the next ``times`` matching requests for ``seconds``."""
        with self.state.lock:
            self.state.faults.append(Fault("hang", times, path, seconds=seconds))

    def truncate(self, times: int = 1, *, path: str = "") -> None:
        """Send only the first half of the next ``times`` matching JSON bodies."""
        with self.state.lock:
            self.state.faults.append(Fault("truncate", times, path))

    def take_fault(self, path: str) -> Fault | None:
        with self.state.lock:
            for fault in self.state.faults:
                if fault.times > 0 and path.endswith(fault.path):
                    fault.times -= 1
                    return fault
        return None

    def record(
        self, path: str, query: dict[str, str], status: int | None, agent: str | None
    ) -> None:
        with self.state.lock:
            self.state.requests.append(RecordedRequest(path, query, status, agent))

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    def requests_to(self, path_suffix: str) -> list[RecordedRequest]:
        """Recorded requests whose path ends with ``path_suffix``."""
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    # --- routing ------------------------------------------------------------------------

    def route(
        self, path: str, query: dict[str, str], base: str
    ) -> tuple[int, dict[str, Any] | bytes, str, dict[str, str]]:
        parts = [p for p in path.split("/") if p]
        if (
            len(parts) >= 3
            and parts[0] in ("ODataApi", "ODataFeed")
            and parts[1].lower() == "odata"
        ):
            return self._odata_v3(parts[0], parts[2:], query, base)
        if len(parts) >= 2 and parts[0] == "CBS":
            return self._odata_v4(parts[1:], query, base)
        if len(parts) >= 4 and parts[0] == "cbs" and parts[2:4] == ["ogc", "v1"]:
            return self._ogc(parts[1], parts[4:], query, base)
        if parts[:4] == ["lv", "bag", "ogc", "v1"]:
            return self._bag(parts[4:], query, base)
        raise _HttpError(404, {"error": f"no such resource {path}"})

    def _bag(
        self, parts: list[str], query: dict[str, str], base: str
    ) -> tuple[int, dict[str, Any] | bytes, str, dict[str, str]]:
        """PDOK's BAG OGC API: ``/collections/{verblijfsobject,pand}/items`` (CRS84 only)."""
        root = f"{base}/lv/bag/ogc/v1"
        if len(parts) != 3 or parts[0] != "collections" or parts[2] != "items":
            raise _HttpError(404, _ogc_error(404, f"no such resource {'/'.join(parts)}"))
        features = self.data.bag.get(parts[1])
        if features is None:
            raise _HttpError(404, _ogc_error(404, f"no collection {parts[1]}"))
        if query.get("crs", CRS84) != CRS84:
            raise _HttpError(400, _ogc_error(400, "only CRS84 in this fake"))
        return self._items(root, parts[1], (features, features), query)

    # OData v3 ------------------------------------------------------------------------

    def _odata_v3(
        self, service: str, parts: list[str], query: dict[str, str], base: str
    ) -> tuple[int, dict[str, Any] | bytes, str, dict[str, str]]:
        table, rest = parts[0].upper(), parts[1:]
        if table != KWB_TABLE:
            raise _HttpError(404, _odata3_error(f"Table {parts[0]} not found"))
        root = f"{base}/{service}/odata/{KWB_TABLE}"
        sets: dict[str, tuple[list[dict[str, Any]], str]] = {
            "TypedDataSet": (self.data.v3_rows, "WijkenEnBuurten"),
            "DataProperties": (self.data.v3_properties, ""),
            "WijkenEnBuurten": (self.data.v3_regions, "Key"),
        }
        if not rest:
            value = [{"name": name, "url": f"{root}/{name}"} for name in sets]
            return (
                200,
                {"odata.metadata": f"{root}/$metadata", "value": value},
                "application/json",
                {},
            )
        if rest[0] not in sets or len(rest) > 2 or (len(rest) == 2 and rest[1] != "$count"):
            raise _HttpError(404, _odata3_error(f"Resource {'/'.join(rest)} not found"))
        if query.get("$format", "json") != "json":
            raise _HttpError(415, _odata3_error("only $format=json in this fake"))
        name = rest[0]
        records, filter_field = sets[name]
        records = self._filtered(records, query, filter_field, name, _odata3_error)
        if len(rest) == 2:
            return 200, str(len(records)).encode(), "text/plain; charset=utf-8", {}
        skip = self._int(query, "$skip", 0, _odata3_error) or 0
        top = self._int(query, "$top", None, _odata3_error)
        records = records[skip:]
        next_link = None
        if service == "ODataApi":
            if top is None and len(records) > self.api_row_limit:
                raise _HttpError(
                    500, _odata3_error(f"query returns more than {self.api_row_limit} records")
                )
            limit = self.api_row_limit if top is None else min(top, self.api_row_limit)
            page = records[:limit]
        else:
            if top is not None:
                records = records[:top]
            page = records[: self.feed_page_size]
            if len(records) > len(page):
                params = {k: v for k, v in query.items() if k not in ("$skip", "$top")}
                params["$skip"] = str(skip + len(page))
                if top is not None:
                    params["$top"] = str(top - len(page))
                next_link = f"{root}/{name}?{urlencode(params)}"
        page = self._selected(page, query, _odata3_error)
        body: dict[str, Any] = {
            "odata.metadata": f"{root}/$metadata#Cbs.OData.WebAPI.{name}",
            "value": page,
        }
        if next_link:
            body["odata.nextLink"] = next_link
        return 200, body, "application/json;odata=minimalmetadata;charset=utf-8", {}

    # OData v4 ------------------------------------------------------------------------

    def _odata_v4(
        self, parts: list[str], query: dict[str, str], base: str
    ) -> tuple[int, dict[str, Any] | bytes, str, dict[str, str]]:
        table, rest = parts[0].upper(), parts[1:]
        if table != KWB_TABLE:
            raise _HttpError(404, _odata4_error(f"Dataset {parts[0]} not found"))
        root = f"{base}/CBS/{KWB_TABLE}"
        sets: dict[str, tuple[list[dict[str, Any]], str]] = {
            "Observations": (self.data.v4_observations, "*"),
            "MeasureCodes": (self.data.v4_measures, "*"),
            "WijkenEnBuurtenCodes": (self.data.v4_codes, "*"),
        }
        if not rest:
            value = [{"name": n, "kind": "EntitySet", "url": n} for n in sets]
            return (
                200,
                {"@odata.context": f"{root}/$metadata", "value": value},
                "application/json",
                {},
            )
        if rest[0] not in sets or len(rest) > 1:
            raise _HttpError(404, _odata4_error(f"Resource {'/'.join(rest)} not found"))
        name = rest[0]
        records, filter_field = sets[name]
        records = self._filtered(records, query, filter_field, name, _odata4_error)
        skip = self._int(query, "$skip", 0, _odata4_error) or 0
        top = self._int(query, "$top", None, _odata4_error)
        records = records[skip:]
        if top is not None:
            records = records[:top]
        page = records[: self.v4_page_size]
        body: dict[str, Any] = {"@odata.context": f"{root}/$metadata#{name}"}
        body["value"] = self._selected(page, query, _odata4_error)
        if len(records) > len(page):
            params = {k: v for k, v in query.items() if k not in ("$skip", "$top")}
            params["$skip"] = str(skip + len(page))
            if top is not None:
                params["$top"] = str(top - len(page))
            body["@odata.nextLink"] = f"{root}/{name}?{urlencode(params)}"
        return 200, body, "application/json;odata.metadata=minimal", {}

    # shared OData helpers --------------------------------------------------------------

    @staticmethod
    def _int(
        query: dict[str, str], key: str, default: int | None, error: Callable[[str], dict[str, Any]]
    ) -> int | None:
        raw = query.get(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError as e:
            raise _HttpError(400, error(f"{key} must be an integer, got {raw!r}")) from e
        if value < 0:
            raise _HttpError(400, error(f"{key} must not be negative"))
        return value

    @staticmethod
    def _filtered(
        records: list[dict[str, Any]],
        query: dict[str, str],
        filter_field: str,
        name: str,
        error: Callable[[str], dict[str, Any]],
    ) -> list[dict[str, Any]]:
        text = query.get("$filter")
        if not text:
            return records
        try:
            predicate, fields = parse_filter(text)
        except FilterError as e:
            raise _HttpError(400, error(str(e))) from e
        known = set(records[0]) if records else set()
        unknown = fields - known
        if unknown:
            raise _HttpError(400, error(f"unknown field(s) {sorted(unknown)} in $filter"))
        if filter_field not in ("*", "") and fields - {filter_field}:
            # CBS v3 filters only on the dimension; on a topic it scans everything and fails.
            raise _HttpError(500, error("query returns more than 10000 records"))
        return [r for r in records if predicate(r)]

    @staticmethod
    def _selected(
        records: list[dict[str, Any]], query: dict[str, str], error: Callable[[str], dict[str, Any]]
    ) -> list[dict[str, Any]]:
        text = query.get("$select")
        if not text:
            return records
        wanted = [f.strip() for f in text.split(",") if f.strip()]
        known = set(records[0]) if records else set(wanted)
        unknown = [f for f in wanted if f not in known]
        if unknown:
            raise _HttpError(400, error(f"unknown field(s) {unknown} in $select"))
        return [{f: r[f] for f in wanted} for r in records]

    # OGC API Features ---------------------------------------------------------------

    def _ogc(
        self, dataset: str, parts: list[str], query: dict[str, str], base: str
    ) -> tuple[int, dict[str, Any] | bytes, str, dict[str, str]]:
        match = re.fullmatch(r"wijken-en-buurten-(\d{4})", dataset)
        year = int(match.group(1)) if match else None
        if year is None or year not in self.data.collections:
            raise _HttpError(404, _ogc_error(404, f"no dataset {dataset}"))
        if query.get("f", "json") != "json":
            raise _HttpError(400, _ogc_error(400, "only f=json in this fake"))
        root = f"{base}/cbs/{dataset}/ogc/v1"
        available = self.data.collections[year]
        json_type = "application/json"
        if not parts:
            body = {
                "title": f"CBS Wijken en Buurten {year}",
                "description": "Fake of PDOK's OGC API Features for tests",
                "links": [
                    {"rel": "self", "type": json_type, "href": f"{root}?f=json"},
                    {"rel": "conformance", "type": json_type, "href": f"{root}/conformance?f=json"},
                    {"rel": "data", "type": json_type, "href": f"{root}/collections?f=json"},
                ],
            }
            return 200, body, json_type, {}
        if parts == ["conformance"]:
            body = {"conformsTo": [
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
            ]}  # fmt: skip
            return 200, body, json_type, {}
        if parts[0] != "collections":
            raise _HttpError(404, _ogc_error(404, f"no such resource {'/'.join(parts)}"))
        if len(parts) == 1:
            body = {
                "links": [{"rel": "self", "type": json_type, "href": f"{root}/collections?f=json"}],
                "collections": [self._collection(root, c, year) for c in available],
            }
            return 200, body, json_type, {}
        collection = parts[1]
        if collection not in available:
            raise _HttpError(404, _ogc_error(404, f"no collection {collection}"))
        if len(parts) == 2:
            return 200, self._collection(root, collection, year), json_type, {}
        if len(parts) != 3 or parts[2] != "items":
            raise _HttpError(404, _ogc_error(404, f"no such resource {'/'.join(parts)}"))
        return self._items(root, collection, available[collection], query)

    @staticmethod
    def _collection(root: str, collection: str, year: int) -> dict[str, Any]:
        return {
            "id": collection,
            "title": f"{collection.capitalize()} {year}",
            "crs": [CRS84, RD_CRS],
            "storageCrs": RD_CRS,
            "links": [
                {"rel": "items", "type": "application/geo+json",
                 "href": f"{root}/collections/{collection}/items?f=json"},
            ],
        }  # fmt: skip

    def _items(
        self,
        root: str,
        collection: str,
        features: tuple[list[dict[str, Any]], list[dict[str, Any]]],
        query: dict[str, str],
    ) -> tuple[int, dict[str, Any] | bytes, str, dict[str, str]]:
        crs = query.get("crs", CRS84)
        if crs not in (CRS84, RD_CRS):
            raise _HttpError(400, _ogc_error(400, f"unsupported crs {crs}"))
        selected = features[0] if crs == CRS84 else features[1]
        bbox_text = query.get("bbox")
        if bbox_text:
            try:
                minx, miny, maxx, maxy = (float(v) for v in bbox_text.split(","))
            except ValueError as e:
                raise _HttpError(400, _ogc_error(400, f"invalid bbox {bbox_text!r}")) from e
            keep = []
            for index, feature in enumerate(features[0]):  # bbox is always CRS84 here
                fx0, fy0, fx1, fy1 = _bounds(feature["geometry"]["coordinates"])
                if fx0 <= maxx and fx1 >= minx and fy0 <= maxy and fy1 >= miny:
                    keep.append(selected[index])
            selected = keep
        gemeentecode = query.get("gemeentecode")
        if gemeentecode:
            selected = [f for f in selected if f["properties"]["gemeentecode"] == gemeentecode]
        limit = self._ogc_int(query, "limit", self.ogc_default_limit, minimum=1)
        limit = min(limit, self.ogc_max_limit)
        offset = self._ogc_int(query, "offset", 0, minimum=0)
        page = selected[offset : offset + limit]
        self_params = {k: v for k, v in query.items()}
        links = [
            {"rel": "self", "type": "application/geo+json", "title": "This document as GeoJSON",
             "href": f"{root}/collections/{collection}/items?{urlencode(self_params)}"},
        ]  # fmt: skip
        if offset + len(page) < len(selected):
            params = dict(query) | {"offset": str(offset + len(page)), "limit": str(limit)}
            links.append(
                {"rel": "next", "type": "application/geo+json", "title": "Next page",
                 "href": f"{root}/collections/{collection}/items?{urlencode(params)}"}
            )  # fmt: skip
        body = {
            "type": "FeatureCollection",
            "timeStamp": "2026-01-01T00:00:00Z",
            "links": links,
            "numberReturned": len(page),
            "numberMatched": len(selected),
            "features": page,
        }
        return 200, body, "application/geo+json", {"Content-Crs": f"<{crs}>"}

    @staticmethod
    def _ogc_int(query: dict[str, str], key: str, default: int, *, minimum: int) -> int:
        raw = query.get(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError as e:
            raise _HttpError(400, _ogc_error(400, f"{key} must be an integer")) from e
        if value < minimum:
            raise _HttpError(400, _ogc_error(400, f"{key} must be at least {minimum}"))
        return value


def _bounds(coordinates: Any) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
            xs.append(float(node[0]))
            ys.append(float(node[1]))
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    walk(coordinates)
    return min(xs), min(ys), max(xs), max(ys)


@contextmanager
def running(data_dir: Path | None = None, **options: Any) -> Iterator[FakeCbsServer]:
    """``with running() as server:`` a started server, stopped afterwards."""
    server = FakeCbsServer(data_dir, **options).start()
    try:
        yield server
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the fake server in the foreground (for demos and manual checks)."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.cbs_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, default=None, help="the shared data directory")
    parser.add_argument("--feed-page-size", type=int, default=8)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    server = FakeCbsServer(
        args.data_dir, host=args.host, port=args.port, feed_page_size=args.feed_page_size
    )
    print(f"Fake CBS/PDOK server on {server.url}")
    print(f"  OData v3 (paged feed): {server.odata_v3_feed_url}/{KWB_TABLE}/TypedDataSet")
    print(f"  OData v3 (api):        {server.odata_v3_api_url}/{KWB_TABLE}/TypedDataSet")
    print(f"  OData v4:              {server.odata_v4_url}/{KWB_TABLE}/Observations")
    print(f"  PDOK OGC API:          {server.pdok_url(KWB_YEAR)}/collections")
    print("Ctrl-C stops it.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
