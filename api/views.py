# SPDX-License-Identifier: EUPL-1.2
"""The ``/api/v1`` endpoints: a Flask blueprint on the app's server.

Each request is answered from one warehouse cursor (:func:`data.api_queries.snapshot`),
so the data version in the headers is the version of every figure in the body, also while
the ETL swaps files. The flow of every data endpoint is the same (:func:`_answer`): check
the parameter names, parse the values, answer a matching ``If-None-Match`` with 304 or
take the encoded answer from the per-worker cache (both without any query), else build it
on one snapshot and send it (or a 304) with its metadata headers.

Errors are JSON ``{"error": ..., "parameter": ...}``: 400 for a bad parameter, 404 for an
indicator, year, gemeente, period or area that does not exist, 405 for another method, 503
while no warehouse can be opened. Nothing else escapes: an unexpected error is logged and
answered with a 500 without details.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, TypeVar

from flask import Blueprint, Flask, Response, current_app, redirect, request
from werkzeug.exceptions import HTTPException

from api import catalog, openapi, page, params
from api.config import ApiSettings, get_api_settings
from api.params import ParamError
from api.responses import (
    CSV_MIMETYPE,
    GEOJSON_MIMETYPE,
    JSON_MIMETYPE,
    JSONLD_MIMETYPE,
    XLSX_MIMETYPE,
    Representation,
    ResponseCache,
    built_at_datetime,
    common_headers,
    csv_bytes,
    error,
    etag_matches,
    is_not_modified,
    json_bytes,
    make_etag,
    not_modified,
    records,
    request_key,
    send,
)
from api.xlsx import values_workbook
from data import api_queries, queries
from data.api_queries import (
    AREA_COLUMNS,
    AREAS_LICENCE,
    VALUE_COLUMNS,
    IndicatorRecord,
    Licence,
    UnknownArea,
    UnknownPeriod,
    licence_info,
)
from data.queries import (
    GeometryNotFound,
    InvalidParameter,
    NotFound,
    UnknownGemeente,
    UnknownIndicator,
    UnknownVintage,
)
from data.warehouse import Cursor, WarehouseError, WarehouseUnavailable

logger = logging.getLogger(__name__)

API_VERSION: Final = "1.0.0"
_EXTENSION: Final = "buurtlens_api"
_METHODS: Final = ("GET", "HEAD", "OPTIONS")

#: Columns of an ``indicators`` row.
INDICATOR_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "label",
    "theme",
    "unit",
    "source",
    "licence",
    "licence_uri",
    "attribution",
    "definition",
    "decimals",
    "aggregation",
    "numerator",
    "denominator",
    "disclosure_rule",
    "higher_is_better",
    "source_table",
    "years",
    "levels",
)

bp = Blueprint("buurtlens_api", __name__)

P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class _State:
    settings: ApiSettings
    cache: ResponseCache
    #: Path of the API root, e.g. ``/api/v1`` (with the app's URL prefix).
    base_path: str


def register_api(server: Flask, *, root: str = "/") -> None:
    """Serve the open data API under ``<root>api/v1`` on ``server``.

    ``root`` is the app's URL prefix (Dash's ``routes_pathname_prefix``). Reads the API
    settings now, so that a bad value fails at start-up, naming the variable.
    """
    settings = get_api_settings()
    prefix = "/" + root.strip("/") + "/api" if root.strip("/") else "/api"
    server.extensions[_EXTENSION] = _State(
        settings=settings,
        cache=ResponseCache(settings.cache_mb * 1024 * 1024),
        base_path=prefix + "/v1",
    )
    server.register_blueprint(bp, url_prefix=prefix)
    logger.info("open data API registered path=%s/v1 cache_mb=%s", prefix, settings.cache_mb)


def _state() -> _State:
    state: _State = current_app.extensions[_EXTENSION]
    return state


# --- the common answer flow -------------------------------------------------------------


def _answer(
    allowed: frozenset[str],
    parse: Callable[[], P],
    build: Callable[[Cursor, P], Representation],
    *,
    with_host: bool = False,
) -> Response:
    """Check names, parse, snapshot, 304 or (cached) build, send; errors as JSON."""
    state = _state()
    try:
        params.check_names(request.args, allowed, request.query_string)
        parsed = parse()
        key = request_key(request, with_host=with_host)
        # Validators and cached answers need only the version that is live now, not a
        # cursor: a 304 or a cache hit runs no query at all.
        info = queries.warehouse_info()
        version, built_at = info.data_version, info.built_at
        # A matching ETag proves an earlier 200 for this very version and request (the
        # answer is a function of both), so it is answered before anything is built.
        # Other conditions only apply to what would be a 200 (RFC 9110 §13.2.1).
        if etag_matches(request, make_etag(version, key)):
            return not_modified(
                request,
                version=version,
                etag=make_etag(version, key),
                last_modified=built_at_datetime(built_at),
            )
        rep = state.cache.get(version, key)
        if rep is None:
            with api_queries.snapshot() as cur:
                # The snapshot may already be a newer file than ``info`` (a swap in
                # between): the answer and its validators follow the snapshot.
                version, built_at = cur.data_version, cur.info.built_at
                rep = build(cur, parsed)
            state.cache.put(version, key, rep)
        etag, last_modified = make_etag(version, key), built_at_datetime(built_at)
        if is_not_modified(request, etag, last_modified):
            return not_modified(request, version=version, etag=etag, last_modified=last_modified)
        return send(request, rep, version=version, etag=etag, last_modified=last_modified)
    except ParamError as e:
        return error(e.status, e.message, e.parameter)
    except NotFound as e:
        parameter, message = _not_found(e)
        return error(404, message, parameter)
    except InvalidParameter as e:
        return error(400, f"ongeldige parameter: {e}")
    except WarehouseUnavailable as e:
        logger.error("api unavailable reason=%s error=%s", e.reason, e)
        return error(503, "de gegevens zijn tijdelijk niet beschikbaar", retry_after=30)
    except WarehouseError:
        logger.exception("api query failed path=%s args=%s", request.path, dict(request.args))
        return error(500, "interne fout; probeer het later opnieuw")


def _not_found(e: NotFound) -> tuple[str | None, str]:
    """The parameter a data-layer 'not found' is about, and a Dutch message naming it."""
    parameter, text = _NOT_FOUND.get(type(e), (None, "niet gevonden"))
    if parameter is None:
        return None, text
    view_args = request.view_args or {}
    value = request.args.get(parameter) or view_args.get(f"{parameter}_id", "")
    return parameter, f"{parameter} {params.echo(str(value))}: {text}"


_NOT_FOUND: Final[dict[type[NotFound], tuple[str | None, str]]] = {
    UnknownIndicator: ("indicator", "deze indicator bestaat niet of is niet openbaar"),
    UnknownGemeente: ("gemeente", "deze gemeente bestaat niet in de gevraagde jaren"),
    UnknownVintage: ("year", "er zijn geen gebieden van dit niveau in dit jaar"),
    UnknownPeriod: ("period", "er zijn geen cijfers voor deze periode in dit jaar"),
    UnknownArea: ("area", "dit gebied bestaat niet op dit niveau in de gevraagde jaren"),
    GeometryNotFound: ("level", "er is geen geometrie voor dit niveau, jaar en deze gemeente"),
}


@contextmanager
def _explained(
    cur: Cursor, level: str, years: list[int] | None, gemeente: str | None
) -> Iterator[None]:
    """Turn the data layer's :class:`UnknownVintage` / :class:`UnknownGemeente` into 404s
    that name the year or gemeente and list what does exist: one more query, on the error
    path only (the data layer checks existence anyway)."""
    try:
        yield
    except (UnknownVintage, UnknownGemeente):
        if years:
            _check_division(cur, level, years, gemeente)
        raise


def _check_division(cur: Cursor, level: str, years: list[int], gemeente: str | None) -> None:
    """404s that name the year or gemeente and list what does exist."""
    available, existing = api_queries.divisions(cur, level, gemeente)
    for year in years:
        if year not in available:
            listed = ", ".join(map(str, available)) or "geen"
            raise ParamError(
                "year",
                f"year {year}: er zijn geen gebieden van niveau {level}; beschikbaar: {listed}",
                status=404,
            )
    if gemeente is not None:
        for year in years:
            if year not in existing:
                listed = ", ".join(map(str, existing)) or "geen enkel jaar"
                raise ParamError(
                    "gemeente",
                    f"gemeente {gemeente} bestaat niet in {year}; wel in: {listed}",
                    status=404,
                )


def _links(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    base = _state().base_path
    return [*extra, (f"{base}/openapi.json", "service-desc"), (f"{base}/", "service-doc")]


def _licence_pairs(licences: list[Licence]) -> list[tuple[str, str]]:
    return [(lic.uri, lic.text) for lic in licences if lic.uri]


def _table(
    rows: list[dict[str, object]],
    columns: tuple[str, ...],
    fmt: str,
    *,
    filename: str,
    envelope: dict[str, object] | None,
) -> tuple[bytes, str, str | None]:
    """Body, mimetype and download name of a table answer in ``fmt`` (json or csv)."""
    if fmt == "csv":
        return csv_bytes(rows, columns), CSV_MIMETYPE, f"{filename}.csv"
    data: object = rows if envelope is None else {**envelope, "count": len(rows), "data": rows}
    return json_bytes(data), JSON_MIMETYPE, None


def _envelope(cur: Cursor, licences: list[Licence]) -> dict[str, object]:
    return {
        "data_version": cur.data_version,
        "built_at": cur.info.built_at,
        "licences": [_licence_json(lic) for lic in licences],
        "parameters": dict(sorted(request.args.items())),
    }


def _licence_json(lic: Licence) -> dict[str, object]:
    return {"licence": lic.text, "uri": lic.uri, "attribution": lic.attribution}


# --- meta --------------------------------------------------------------------------------


@bp.route("/v1/meta", methods=_METHODS)
def meta() -> Response:
    """``{"data_version", "built_at", "sources": [...]}`` plus run and licences."""

    def build(cur: Cursor, _: None) -> Representation:
        record = api_queries.meta(cur)
        body = {
            "data_version": record.data_version,
            "built_at": record.built_at,
            "sources": [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "files": s.files,
                    "rows_read": s.rows_read,
                    "areas_loaded": s.areas_loaded,
                    "observations_loaded": s.observations_loaded,
                    "rows_rejected": s.rows_rejected,
                }
                for s in record.sources
            ],
            "schema_version": record.schema_version,
            "api_version": API_VERSION,
            "run": {
                "run_id": record.run_id,
                "started_at": record.run_started_at,
                "finished_at": record.run_finished_at,
            },
            "licences": [_licence_json(lic) for lic in record.licences],
        }
        return Representation(
            json_bytes(body),
            JSON_MIMETYPE,
            licences=_licence_pairs(record.licences),
            attribution=sorted({lic.attribution for lic in record.licences if lic.attribution}),
            links=_links(),
        )

    return _answer(frozenset(), lambda: None, build)


# --- indicators --------------------------------------------------------------------------


def _indicator_row(record: IndicatorRecord, lang: str) -> dict[str, object]:
    return {
        "id": record.id,
        "label": record.label_en if lang == "en" else record.label_nl,
        "theme": record.theme,
        "unit": record.unit,
        "source": record.source,
        "licence": record.licence.text,
        "licence_uri": record.licence.uri,
        "attribution": record.licence.attribution,
        "definition": record.definition_en if lang == "en" else record.definition_nl,
        "decimals": record.decimals,
        "aggregation": record.aggregation,
        "numerator": record.numerator,
        "denominator": record.denominator,
        "disclosure_rule": record.disclosure_rule,
        "higher_is_better": record.higher_is_better,
        "source_table": record.source_table,
        "years": record.years,
        "levels": record.levels,
    }


@dataclass(frozen=True, slots=True)
class _IndicatorsQuery:
    theme: str | None
    lang: str
    format: str
    envelope: bool


def _parse_indicators() -> _IndicatorsQuery:
    fmt = params.output_format(request.args, ("json", "csv"))
    envelope = params.flag(request.args, "envelope")
    if envelope and fmt != "json":
        raise ParamError("envelope", "envelope kan alleen met format=json")
    return _IndicatorsQuery(
        theme=params.theme(request.args),
        lang=params.lang(request.args),
        format=fmt,
        envelope=envelope,
    )


@bp.route("/v1/indicators", methods=_METHODS)
def indicators() -> Response:
    """``[{"id", "label", "theme", "unit", "source", ...}]``: the public indicators."""

    def build(cur: Cursor, q: _IndicatorsQuery) -> Representation:
        found = api_queries.indicators(cur, theme=q.theme)
        if q.theme is not None and not found:
            known = ", ".join(api_queries.themes(cur))
            raise ParamError("theme", f"theme {q.theme!r} bestaat niet; wel: {known}", status=404)
        licences = _distinct_licences(r.licence for r in found)
        rows = [_indicator_row(r, q.lang) for r in found]
        body, mimetype, filename = _table(
            rows,
            INDICATOR_COLUMNS,
            q.format,
            filename="buurtlens_indicatoren",
            envelope=_envelope(cur, licences) if q.envelope else None,
        )
        return Representation(
            body,
            mimetype,
            filename=filename,
            licences=_licence_pairs(licences),
            attribution=sorted({lic.attribution for lic in licences if lic.attribution}),
            links=_links(),
            language=q.lang,
        )

    return _answer(frozenset({"theme", "lang", "format", "envelope"}), _parse_indicators, build)


@bp.route("/v1/indicators/<indicator_id>", methods=_METHODS)
def indicator(indicator_id: str) -> Response:
    """One public indicator as an object (the dataset URI in the DCAT catalogue)."""

    def parse() -> tuple[str, str]:
        return params.indicator_id(indicator_id, parameter="indicator"), params.lang(request.args)

    def build(cur: Cursor, q: tuple[str, str]) -> Representation:
        record = api_queries.indicator(cur, q[0])
        return Representation(
            json_bytes(_indicator_row(record, q[1])),
            JSON_MIMETYPE,
            licences=_licence_pairs([record.licence]),
            attribution=[record.licence.attribution],
            links=_links(),
            language=q[1],
        )

    return _answer(frozenset({"lang"}), parse, build)


def _distinct_licences(licences: Iterable[Licence]) -> list[Licence]:
    seen: dict[str, Licence] = {}
    for lic in licences:
        seen.setdefault(lic.text, lic)
    return sorted(seen.values(), key=lambda lic: lic.text)


# --- areas -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _AreasQuery:
    level: str
    year: int
    gemeente: str | None
    format: str
    envelope: bool


def _parse_areas() -> _AreasQuery:
    fmt = params.output_format(request.args, ("json", "csv"))
    envelope = params.flag(request.args, "envelope")
    if envelope and fmt != "json":
        raise ParamError("envelope", "envelope kan alleen met format=json")
    return _AreasQuery(
        level=params.level(request.args),
        year=params.year(request.args),
        gemeente=params.gemeente(request.args),
        format=fmt,
        envelope=envelope,
    )


@bp.route("/v1/areas", methods=_METHODS)
def areas() -> Response:
    """``[{"code", "name", "level", "parent_code", "gemeente_code"}]`` of one level and year."""

    def build(cur: Cursor, q: _AreasQuery) -> Representation:
        with _explained(cur, q.level, [q.year], q.gemeente):
            frame = api_queries.areas(cur, q.level, q.year, q.gemeente)
        licences = [licence_info(AREAS_LICENCE)]
        rows = records(frame, AREA_COLUMNS)
        name = f"buurtlens_gebieden_{q.level}_{q.year}" + (f"_{q.gemeente}" if q.gemeente else "")
        body, mimetype, filename = _table(
            rows,
            AREA_COLUMNS,
            q.format,
            filename=name,
            envelope=_envelope(cur, licences) if q.envelope else None,
        )
        return Representation(
            body,
            mimetype,
            filename=filename,
            licences=_licence_pairs(licences),
            attribution=[licences[0].attribution],
            links=_links(),
        )

    return _answer(
        frozenset({"level", "year", "gemeente", "format", "envelope"}), _parse_areas, build
    )


# --- values ------------------------------------------------------------------------------


@bp.route("/v1/values", methods=_METHODS)
def values() -> Response:
    """``[{"code", "name", "value", "status", "reason", "year", "period", ...}]``."""

    def build(cur: Cursor, q: params.ValuesQuery) -> Representation:
        with _explained(cur, q.level, q.years, q.gemeente):
            result = api_queries.values(
                cur,
                q.indicator,
                q.level,
                q.years,
                q.gemeente,
                period=q.period,
                area_codes=q.areas,
            )
        record = result.indicator
        rows = records(result.frame, VALUE_COLUMNS)
        year_part = "alle" if q.years is None else "-".join(map(str, result.years))
        name = f"buurtlens_{record.id}_{q.level}_{year_part}" + (
            f"_{q.gemeente}" if q.gemeente else ""
        )
        base = _state().base_path
        links = _links((f"{base}/indicators/{record.id}", "describedby"))
        common = {
            "licences": _licence_pairs([record.licence]),
            "attribution": [record.licence.attribution],
            "links": links,
        }
        if q.format == "xlsx":
            body = values_workbook(
                rows,
                VALUE_COLUMNS,
                about=_xlsx_about(cur, record, q),
                decimals=record.decimals,
                timestamp=built_at_datetime(cur.info.built_at),
            )
            return Representation(body, XLSX_MIMETYPE, filename=f"{name}.xlsx", **common)  # type: ignore[arg-type]
        envelope = None
        if q.envelope:
            envelope = {
                **_envelope(cur, [record.licence]),
                "indicator": _indicator_row(record, "nl"),
                "years": result.years,
            }
        body, mimetype, filename = _table(
            rows, VALUE_COLUMNS, q.format, filename=name, envelope=envelope
        )
        return Representation(body, mimetype, filename=filename, **common)  # type: ignore[arg-type]

    return _answer(
        frozenset(
            {"indicator", "level", "year", "gemeente", "period", "area", "format", "envelope"}
        ),
        lambda: params.values_query(request.args),
        build,
    )


def _xlsx_about(
    cur: Cursor, record: IndicatorRecord, q: params.ValuesQuery
) -> list[tuple[str, str]]:
    return [
        ("Indicator", f"{record.label_nl} ({record.id})"),
        ("Definitie", record.definition_nl),
        ("Eenheid", record.unit),
        ("Niveau", q.level),
        ("Jaren", "alle" if q.years is None else ", ".join(map(str, q.years))),
        ("Gemeente", q.gemeente or "alle"),
        ("Bron", f"{record.source} ({record.source_table})"),
        ("Licentie", record.licence.text),
        ("Licentie-URI", record.licence.uri or ""),
        ("Naamsvermelding", record.licence.attribution),
        ("Gegevensversie", cur.data_version),
        ("Gebouwd op", cur.info.built_at or ""),
        ("API", request.url),
        (
            "Status",
            "ok: cijfer gepubliceerd; suppressed: verborgen om herleidbaarheid te voorkomen; "
            "missing: geen cijfer in de bron. Zonder cijfer is de waarde leeg en staat de "
            "reden in de kolom reason.",
        ),
    ]


# --- geometry ----------------------------------------------------------------------------


def _parse_geometry() -> tuple[str, int, str | None]:
    return params.level(request.args), params.year(request.args), params.gemeente(request.args)


@bp.route("/v1/geometry", methods=_METHODS)
def geometry() -> Response:
    """GeoJSON FeatureCollection (WGS84, feature ``id`` = code) with the data version and
    licence as foreign members."""

    def build(cur: Cursor, q: tuple[str, int, str | None]) -> Representation:
        level, year, gemeente = q
        with _explained(cur, level, [year], gemeente):
            artefact = api_queries.geometry(cur, level, year, gemeente)
        lic = licence_info(AREAS_LICENCE)
        members = {
            "data_version": cur.data_version,
            "built_at": cur.info.built_at,
            "licence": lic.text,
            "attribution": lic.attribution,
        }
        return Representation(
            with_foreign_members(artefact.geojson, members),
            GEOJSON_MIMETYPE,
            licences=_licence_pairs([lic]),
            attribution=[lic.attribution],
            links=_links(),
        )

    return _answer(frozenset({"level", "year", "gemeente"}), _parse_geometry, build)


_FC_PREFIX: Final = '{"type":"FeatureCollection",'


def with_foreign_members(geojson: str, members: Mapping[str, object]) -> bytes:
    """The FeatureCollection ``geojson`` with extra top-level members (RFC 7946 §6.1).

    The ETL writes artefacts compactly, starting with ``{"type":"FeatureCollection",``;
    then the members are spliced in without parsing megabytes of coordinates. Anything
    else is parsed and re-serialised.

    >>> with_foreign_members('{"type":"FeatureCollection","features":[]}', {"v": "1"})
    b'{"type":"FeatureCollection","v":"1","features":[]}'
    """
    extra = json_bytes(members)[1:-1].decode()
    if geojson.startswith(_FC_PREFIX) and extra:
        return (_FC_PREFIX + extra + "," + geojson[len(_FC_PREFIX) :]).encode()
    parsed = json.loads(geojson)
    return json_bytes({"type": parsed.get("type"), **members, **parsed})


# --- catalogue, OpenAPI and the page -----------------------------------------------------


@bp.route("/v1/catalog", methods=_METHODS)
def dcat_catalog() -> Response:
    """DCAT-AP-DONL catalogue (JSON-LD): a dataset per public indicator."""

    def build(cur: Cursor, _: None) -> Representation:
        document = catalog.build_catalog(
            cur,
            base_url=_public_base(),
            api_path=_state().base_path,
            settings=_state().settings,
        )
        lic = licence_info("CC0 1.0")  # the metadata itself
        return Representation(
            json_bytes(document), JSONLD_MIMETYPE, licences=_licence_pairs([lic]), links=_links()
        )

    return _answer(frozenset(), lambda: None, build, with_host=True)


@bp.route("/v1/openapi.json", methods=_METHODS)
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API."""

    def build(cur: Cursor, _: None) -> Representation:
        document = openapi.build_document(
            api_path=_state().base_path, api_version=API_VERSION, example_version=cur.data_version
        )
        return Representation(json_bytes(document), JSON_MIMETYPE, links=_links())

    return _answer(frozenset(), lambda: None, build)


@bp.route("/v1/", methods=_METHODS)
def documentation() -> Response:
    """The human-readable API page (Dutch, plain HTML, no script). Query parameters are
    ignored: a page must open with whatever a link appends to it."""
    state = _state()
    base_url = _public_base()
    try:
        with api_queries.snapshot() as cur:
            html = page.render(
                cur,
                base_url=base_url,
                api_path=state.base_path,
                indicators=api_queries.indicators(cur),
            )
    except WarehouseError as e:
        logger.warning("api page without data error=%s", e)
        html = page.render(None, base_url=base_url, api_path=state.base_path, indicators=[])
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'self'"
    )
    response.headers["Content-Language"] = "nl"
    return common_headers(response)


def _public_base() -> str:
    return _state().settings.public_url or request.host_url.rstrip("/")


# --- everything else under /api ----------------------------------------------------------


@bp.route("", methods=_METHODS)
@bp.route("/", methods=_METHODS)
@bp.route("/v1", methods=_METHODS, strict_slashes=True)
def to_documentation() -> Response:
    """``/api`` and ``/api/v1`` lead to the API page."""
    return redirect(_state().base_path + "/", code=308)  # type: ignore[return-value]


_KNOWN: Final = frozenset(
    {"v1/", "v1/meta", "v1/indicators", "v1/areas", "v1/values", "v1/geometry", "v1/catalog",
     "v1/openapi.json"}
)  # fmt: skip


@bp.route("/<path:rest>", methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
def not_found(rest: str) -> Response:
    """A JSON 404 for unknown paths under /api (instead of the app's HTML page), and a JSON
    405 for a method other than GET/HEAD on a known one."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and (
        rest in _KNOWN or rest.startswith("v1/indicators/")
    ):
        response = error(405, f"methode {request.method} is niet toegestaan; gebruik GET")
        response.status_code = 405
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
    return error(404, f"onbekend adres {params.echo('/api/' + rest)}; zie {_state().base_path}/")


@bp.route("", methods=["POST", "PUT", "PATCH", "DELETE"])
@bp.route("/", methods=["POST", "PUT", "PATCH", "DELETE"])
def root_method_not_allowed() -> Response:
    response = error(405, f"methode {request.method} is niet toegestaan; gebruik GET")
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


@bp.after_request
def _cors_preflight(response: Response) -> Response:
    """CORS for the automatic OPTIONS answers too (a script sending If-None-Match)."""
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = "86400"
        common_headers(response)
    return response


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException) -> Response:
    """Werkzeug errors inside the API (e.g. a malformed request) as JSON."""
    status = e.code or 400
    return error(status, e.description or e.name)


@bp.errorhandler(Exception)
def _unexpected(e: Exception) -> Response:
    """Last resort: log with the traceback, answer without it."""
    logger.exception("api request failed path=%s args=%s", request.path, dict(request.args))
    return error(500, "interne fout; probeer het later opnieuw")
