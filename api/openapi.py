# SPDX-License-Identifier: EUPL-1.2
"""The OpenAPI 3.1 document of ``/api/v1`` (served at ``/api/v1/openapi.json``).

It is the contract that fuzzing (``tests/integration/test_api_fuzz.py``) checks the live
API against, so parameters carry the same patterns as :mod:`api.params` and every answer
a request can get (200, 304, 400, 404, 405, 503) is described.

Decisions recorded here for re-users:

* The list answers keep the ARCHITECTURE shapes (a JSON array of rows). Metadata travels
  in headers (``X-Data-Version``, ``ETag``, ``Last-Modified``, ``Link: rel="license"``,
  ``X-Attribution``), and with ``envelope=1`` in an object around the rows.
* Every ``values`` row also carries ``year``, ``period``, ``indicator``, ``unit``,
  ``source`` and ``licence``, in JSON, CSV and Excel alike, so that a downloaded file
  names its own source and licence.
"""

from __future__ import annotations

from typing import Any, Final

from api.params import MAX_AREAS, MAX_YEARS
from data.api_queries import AREA_COLUMNS, VALUE_COLUMNS
from data.queries import LEVELS

OPENAPI_VERSION: Final = "3.1.0"

_DESCRIPTION: Final = """\
Open data van Buurtlens: cijfers per gemeente, wijk en buurt, met gebiedsindelingen en
metadata. Alleen gepubliceerde cijfers: een verborgen (`suppressed`) of ontbrekend
(`missing`) cijfer heeft `value: null`, een `status` en een `reason`, in elk formaat.

* Elk antwoord noemt de gegevensversie (`X-Data-Version`), heeft een `ETag` en
  `Last-Modified` (voorwaardelijke verzoeken geven 304) en `Cache-Control`.
* Licentie en bronvermelding per indicator: in elke rij (`source`, `licence`), in de
  header `Link: <licentie-URI>; rel="license"` en in `X-Attribution`. CBS-cijfers:
  CC BY 4.0, Bron: CBS.
* Tabellen als JSON (standaard) of CSV (`format=csv`: UTF-8, komma, kopregel);
  `values` ook als Excel (`format=xlsx`). Met `envelope=1` staat de JSON-lijst in een
  object met gegevensversie, licenties en parameters.
* Fouten: 400 (ongeldige of onbekende parameter), 404 (onbekende indicator, jaar,
  gemeente, periode of gebied), 405 (andere methode dan GET), 503 (gegevens tijdelijk
  niet beschikbaar), altijd als `{"error": "...", "parameter": "..."}`.
"""


def build_document(*, api_path: str, api_version: str, example_version: str) -> dict[str, Any]:
    """The OpenAPI document; ``api_path`` is the server URL (``/api/v1``, relative to the
    document's own URL, so it works behind any host name)."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Buurtlens open data API",
            "version": api_version,
            "summary": "Cijfers over wijken en buurten, met status, reden, bron en licentie.",
            "description": _DESCRIPTION,
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
            "x-data-version": example_version,
        },
        "servers": [{"url": api_path}],
        "tags": [
            {"name": "gegevens", "description": "Cijfers, gebieden en geometrie"},
            {"name": "metadata", "description": "Versie, indicatoren, catalogus"},
        ],
        "paths": _paths(),
        "components": {
            "parameters": _parameters(),
            "headers": _headers(),
            "responses": _responses(),
            "schemas": _schemas(),
        },
    }


# --- paths -------------------------------------------------------------------------------


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _ok(description: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "X-Data-Version": _ref("headers", "X-Data-Version"),
            "ETag": _ref("headers", "ETag"),
            "Last-Modified": _ref("headers", "Last-Modified"),
            "Cache-Control": _ref("headers", "Cache-Control"),
            "Link": _ref("headers", "Link"),
        },
        "content": content,
    }


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _ref("responses", _ERROR_NAMES[code]) for code in codes}


_ERROR_NAMES: Final = {
    "304": "NotModified",
    "400": "BadRequest",
    "404": "NotFound",
    "405": "MethodNotAllowed",
    "503": "Unavailable",
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _csv() -> dict[str, Any]:
    return {"text/csv": {"schema": {"type": "string", "description": "UTF-8, komma, kopregel"}}}


def _get(
    operation_id: str,
    summary: str,
    parameters: list[dict[str, Any]],
    responses: dict[str, Any],
    *,
    tag: str = "gegevens",
    description: str | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "parameters": parameters,
        "responses": responses,
    }
    if description:
        op["description"] = description
    return {"get": op}


def _paths() -> dict[str, Any]:
    p = _ref
    return {
        "/meta": _get(
            "getMeta",
            "Gegevensversie, bouwtijd, bronnen en licenties",
            [],
            {
                "200": _ok("De metadata", _json(p("schemas", "Meta"))),
                **_errors("304", "400", "503"),
            },
            tag="metadata",
        ),
        "/indicators": _get(
            "listIndicators",
            "De openbare indicatoren",
            [
                p("parameters", "theme"),
                p("parameters", "lang"),
                p("parameters", "tableFormat"),
                p("parameters", "envelope"),
            ],
            {
                "200": _ok(
                    "De indicatoren, met bron, licentie en de jaren en niveaus met cijfers",
                    {
                        **_json(
                            {
                                "oneOf": [
                                    {"type": "array", "items": p("schemas", "Indicator")},
                                    p("schemas", "IndicatorsEnvelope"),
                                ]
                            }
                        ),
                        **_csv(),
                    },
                ),
                **_errors("304", "400", "404", "503"),
            },
            tag="metadata",
        ),
        "/indicators/{indicator}": {
            "get": {
                "operationId": "getIndicator",
                "summary": "Eén openbare indicator",
                "tags": ["metadata"],
                "parameters": [
                    {
                        "name": "indicator",
                        "in": "path",
                        "required": True,
                        "schema": p("schemas", "IndicatorId"),
                        "example": "inwoners",
                    },
                    p("parameters", "lang"),
                ],
                "responses": {
                    "200": _ok("De indicator", _json(p("schemas", "Indicator"))),
                    **_errors("304", "400", "404", "503"),
                },
            }
        },
        "/areas": _get(
            "listAreas",
            "Gebieden van één niveau en jaar (gebiedsindeling)",
            [
                p("parameters", "level"),
                p("parameters", "year"),
                p("parameters", "gemeente"),
                p("parameters", "tableFormat"),
                p("parameters", "envelope"),
            ],
            {
                "200": _ok(
                    "De gebieden, op code gesorteerd",
                    {
                        **_json(
                            {
                                "oneOf": [
                                    {"type": "array", "items": p("schemas", "Area")},
                                    p("schemas", "AreasEnvelope"),
                                ]
                            }
                        ),
                        **_csv(),
                    },
                ),
                **_errors("304", "400", "404", "503"),
            },
        ),
        "/values": _get(
            "listValues",
            "De cijfers van één indicator per gebied, voor één of meer jaren",
            [
                p("parameters", "indicator"),
                p("parameters", "level"),
                p("parameters", "years"),
                p("parameters", "gemeente"),
                p("parameters", "period"),
                p("parameters", "area"),
                p("parameters", "valuesFormat"),
                p("parameters", "envelope"),
            ],
            {
                "200": _ok(
                    "Eén rij per gebied en jaar, gesorteerd op jaar en code",
                    {
                        **_json(
                            {
                                "oneOf": [
                                    {"type": "array", "items": p("schemas", "Value")},
                                    p("schemas", "ValuesEnvelope"),
                                ]
                            }
                        ),
                        **_csv(),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "contentMediaType": "application/zip"}
                        },
                    },
                ),
                **_errors("304", "400", "404", "503"),
            },
            description=(
                "`year` is één jaar, een lijst (`2015,2024`) of `all`: alle jaren waarin de "
                "indicator cijfers heeft op dit niveau. Een jaar is een gebiedsindeling: "
                "codes worden na een herindeling hergebruikt, dus een code is alleen binnen "
                "één jaar een gebied."
            ),
        ),
        "/geometry": _get(
            "getGeometry",
            "Grenzen van de gebieden als GeoJSON (WGS84, feature-id = gebiedscode)",
            [p("parameters", "level"), p("parameters", "year"), p("parameters", "gemeente")],
            {
                "200": _ok(
                    "Een GeoJSON FeatureCollection met de gegevensversie en licentie",
                    {"application/geo+json": {"schema": p("schemas", "FeatureCollection")}},
                ),
                **_errors("304", "400", "404", "503"),
            },
        ),
        "/catalog": _get(
            "getCatalog",
            "DCAT-AP-DONL-catalogus (JSON-LD) voor data.overheid.nl",
            [],
            {
                "200": _ok(
                    "Een dcat:Catalog met een dcat:Dataset per openbare indicator",
                    {"application/ld+json": {"schema": {"type": "object"}}},
                ),
                **_errors("304", "400", "503"),
            },
            tag="metadata",
        ),
    }


# --- parameters --------------------------------------------------------------------------

_GEMEENTE_PATTERN: Final = "^GM[0-9]{4}$"
_AREA_CODE: Final = "(GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8})"


def _query(
    name: str, schema: dict[str, Any], description: str, *, required: bool = False, example: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
        "example": example,
    }


def _parameters() -> dict[str, Any]:
    return {
        "level": _query(
            "level",
            {"type": "string", "enum": list(LEVELS)},
            "Niveau van de gebieden.",
            required=True,
            example="buurt",
        ),
        "year": _query(
            "year",
            {"type": "integer", "minimum": 1800, "maximum": 2200},
            "Jaar van de gebiedsindeling.",
            required=True,
            example=2024,
        ),
        "years": _query(
            "year",
            {
                "type": "string",
                "pattern": f"^(all|[0-9]{{4}}(,[0-9]{{4}}){{0,{MAX_YEARS - 1}}})$",
            },
            "Eén jaar, een lijst met komma's (`2015,2024`) of `all` (de tijdreeks).",
            required=True,
            example="2024",
        ),
        "gemeente": _query(
            "gemeente",
            {"type": "string", "pattern": _GEMEENTE_PATTERN},
            "Alleen gebieden in deze gemeente (CBS-code).",
            example="GM0392",
        ),
        "indicator": _query(
            "indicator",
            {"$ref": "#/components/schemas/IndicatorId"},
            "Id van een openbare indicator (zie /indicators).",
            required=True,
            example="inwoners",
        ),
        "period": _query(
            "period",
            {"type": "string", "pattern": "^[0-9A-Za-z-]{1,16}$"},
            "Periode binnen het jaar (alleen met één jaar); standaard de laatste.",
            example="2024",
        ),
        "area": _query(
            "area",
            {
                "type": "string",
                "pattern": f"^{_AREA_CODE}(,{_AREA_CODE}){{0,{MAX_AREAS - 1}}}$",
            },
            "Alleen deze gebieden (codes van het gevraagde niveau, met komma's).",
            example="BU03920101",
        ),
        "tableFormat": _query(
            "format",
            {"type": "string", "enum": ["json", "csv"], "default": "json"},
            "Formaat van het antwoord.",
            example="csv",
        ),
        "valuesFormat": _query(
            "format",
            {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"},
            "Formaat van het antwoord.",
            example="csv",
        ),
        "envelope": _query(
            "envelope",
            {"type": "string", "enum": ["0", "1", "true", "false"], "default": "0"},
            "Met 1: de JSON-lijst in een object met gegevensversie, licenties en parameters "
            "(alleen met format=json).",
            example="1",
        ),
        "lang": _query(
            "lang",
            {"type": "string", "enum": ["nl", "en"], "default": "nl"},
            "Taal van naam en definitie van indicatoren.",
            example="nl",
        ),
        "theme": _query(
            "theme",
            {"type": "string", "minLength": 1, "maxLength": 64},
            "Alleen indicatoren van dit thema.",
            example="Bevolking",
        ),
    }


# --- headers and shared responses --------------------------------------------------------


def _headers() -> dict[str, Any]:
    def header(description: str) -> dict[str, Any]:
        return {"description": description, "schema": {"type": "string"}}

    return {
        "X-Data-Version": header(
            "Versie van de gegevens waaruit het hele antwoord komt (wisselt na elke ETL-run)."
        ),
        "ETag": header("Sterke validator; stuur terug in If-None-Match voor een 304."),
        "Last-Modified": header("Bouwtijd van de gegevens; If-Modified-Since geeft een 304."),
        "Cache-Control": header("public, max-age=300"),
        "Link": header(
            'Licentie(s) als rel="license", de indicator als rel="describedby", dit '
            'document als rel="service-desc".'
        ),
    }


def _responses() -> dict[str, Any]:
    error = {"application/json": {"schema": _ref("schemas", "Error")}}
    return {
        "NotModified": {
            "description": "Niet gewijzigd sinds de meegegeven ETag of datum.",
            "headers": {
                "X-Data-Version": _ref("headers", "X-Data-Version"),
                "ETag": _ref("headers", "ETag"),
            },
        },
        "BadRequest": {"description": "Ongeldige of onbekende parameter.", "content": error},
        "NotFound": {
            "description": "Onbekende indicator, jaar, gemeente, periode of gebied.",
            "content": error,
        },
        "MethodNotAllowed": {"description": "Alleen GET en HEAD.", "content": error},
        "Unavailable": {
            "description": "De gegevens zijn tijdelijk niet beschikbaar (Retry-After).",
            "content": error,
        },
    }


# --- schemas -----------------------------------------------------------------------------


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


def _licence_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["licence", "uri", "attribution"],
        "properties": {
            "licence": {"type": "string", "examples": ["CC BY 4.0, Bron: CBS"]},
            "uri": {"type": ["string", "null"], "format": "uri"},
            "attribution": {"type": "string", "examples": ["Bron: CBS"]},
        },
    }


def _envelope(item: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "data_version": {"type": "string"},
        "built_at": _nullable("string"),
        "licences": {"type": "array", "items": _ref("schemas", "Licence")},
        "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
        "count": {"type": "integer", "minimum": 0},
        "data": {"type": "array", "items": _ref("schemas", item)},
        **(extra or {}),
    }
    return {
        "type": "object",
        "required": ["data_version", "built_at", "licences", "count", "data"],
        "properties": properties,
    }


def _schemas() -> dict[str, Any]:
    value_properties: dict[str, Any] = {
        "code": {"type": "string", "examples": ["BU03920101"]},
        "name": _nullable("string"),
        "value": {
            "type": ["number", "null"],
            "description": "Het cijfer; null tenzij status ok is.",
        },
        "status": {"type": "string", "enum": ["ok", "suppressed", "missing"]},
        "reason": {
            "type": ["string", "null"],
            "description": "Waarom er geen cijfer is (bij suppressed en missing).",
        },
        "year": {"type": "integer", "description": "Jaar van de gebiedsindeling."},
        "period": {"type": ["string", "null"], "description": "Periode van het cijfer."},
        "indicator": {"type": "string"},
        "unit": {"type": "string"},
        "source": {"type": "string"},
        "licence": {"type": "string", "examples": ["CC BY 4.0, Bron: CBS"]},
    }
    assert tuple(value_properties) == VALUE_COLUMNS
    area_properties: dict[str, Any] = {
        "code": {"type": "string"},
        "name": _nullable("string"),
        "level": {"type": "string", "enum": list(LEVELS)},
        "parent_code": _nullable("string"),
        "gemeente_code": {"type": "string"},
    }
    assert tuple(area_properties) == AREA_COLUMNS
    return {
        "IndicatorId": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"},
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string"},
                "parameter": {"type": "string", "description": "De parameter die fout is."},
            },
        },
        "Licence": _licence_schema(),
        "Meta": {
            "type": "object",
            "required": ["data_version", "built_at", "sources"],
            "properties": {
                "data_version": {"type": "string"},
                "built_at": _nullable("string"),
                "sources": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "kind", "files"],
                        "properties": {
                            "name": {"type": "string"},
                            "kind": {"type": "string"},
                            "files": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "file": {"type": "string"},
                                        "checksum": {"type": "string"},
                                    },
                                },
                            },
                            "rows_read": {"type": "integer"},
                            "areas_loaded": {"type": "integer"},
                            "observations_loaded": {"type": "integer"},
                            "rows_rejected": {"type": "integer"},
                        },
                    },
                },
                "schema_version": {"type": "string"},
                "api_version": {"type": "string"},
                "run": {"type": "object"},
                "licences": {"type": "array", "items": _ref("schemas", "Licence")},
            },
        },
        "Indicator": {
            "type": "object",
            "required": ["id", "label", "theme", "unit", "source", "licence"],
            "properties": {
                "id": _ref("schemas", "IndicatorId"),
                "label": {"type": "string"},
                "theme": {"type": "string"},
                "unit": {"type": "string"},
                "source": {"type": "string"},
                "licence": {"type": "string"},
                "licence_uri": {"type": ["string", "null"], "format": "uri"},
                "attribution": {"type": "string"},
                "definition": {"type": "string"},
                "decimals": {"type": "integer"},
                "aggregation": {"type": "string"},
                "numerator": _nullable("string"),
                "denominator": _nullable("string"),
                "disclosure_rule": {"type": "string"},
                "higher_is_better": _nullable("boolean"),
                "source_table": {"type": "string"},
                "years": {"type": "array", "items": {"type": "integer"}},
                "levels": {"type": "array", "items": {"type": "string", "enum": list(LEVELS)}},
            },
        },
        "Area": {
            "type": "object",
            "required": list(AREA_COLUMNS),
            "properties": area_properties,
        },
        "Value": {
            "type": "object",
            "required": list(VALUE_COLUMNS),
            "properties": value_properties,
        },
        "IndicatorsEnvelope": _envelope("Indicator"),
        "AreasEnvelope": _envelope("Area"),
        "ValuesEnvelope": _envelope(
            "Value",
            {
                "indicator": _ref("schemas", "Indicator"),
                "years": {"type": "array", "items": {"type": "integer"}},
            },
        ),
        "FeatureCollection": {
            "type": "object",
            "required": ["type", "features", "data_version"],
            "properties": {
                "type": {"const": "FeatureCollection"},
                "data_version": {"type": "string"},
                "built_at": _nullable("string"),
                "licence": {"type": "string"},
                "attribution": {"type": "string"},
                "features": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["type", "id", "geometry"],
                        "properties": {
                            "type": {"const": "Feature"},
                            "id": {"type": "string"},
                            "geometry": {"type": "object"},
                        },
                    },
                },
            },
        },
    }
