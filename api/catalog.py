# SPDX-License-Identifier: EUPL-1.2
"""The DCAT-AP-DONL catalogue of the published data, as JSON-LD (``/api/v1/catalog``).

data.overheid.nl harvests it: one ``dcat:Catalog`` with a ``dcat:DataService`` (this API,
described by its OpenAPI document) and a ``dcat:Dataset`` per public indicator that has
figures. Each dataset has a CSV and a JSON ``dcat:Distribution`` per level with figures,
pointing at the ``values`` call for all years (``year=all``), and carries the indicator's
licence (the DCAT-AP-DONL licence URI), the attribution (``dct:rights``), the source as
creator, temporal coverage (first to last period), spatial coverage (the gemeenten, as
TOOI URIs) and ``dct:modified`` = the warehouse's build time.

Value lists (DCAT-AP-DONL 2): licences as in ``donl:License`` (creativecommons.org
``deed.nl`` URIs), languages, file types, frequencies and access rights from the EU
Publications Office authority tables, themes from the OWMS Taxonomie Beleidsagenda.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from api.config import ApiSettings
from data import api_queries
from data.api_queries import Coverage, IndicatorRecord, period_bounds
from data.warehouse import Cursor

_EU: Final = "http://publications.europa.eu/resource/authority/"
LANGUAGE_NL: Final = _EU + "language/NLD"
ACCESS_PUBLIC: Final = _EU + "access-right/PUBLIC"
STATUS_AVAILABLE: Final = "http://data.overheid.nl/status/beschikbaar"
FILE_TYPES: Final = {"csv": _EU + "file-type/CSV", "json": _EU + "file-type/JSON"}
MEDIA_TYPES: Final = {
    "csv": "https://www.iana.org/assignments/media-types/text/csv",
    "json": "https://www.iana.org/assignments/media-types/application/json",
}
OWMS: Final = "http://standaarden.overheid.nl/owms/terms/"
#: Buurtlens themes -> OWMS Taxonomie Beleidsagenda (DONL's mandatory dcat:theme). The
#: taxonomy has no "Bevolking"; population figures go under "Sociale_zekerheid", as
#: Amsterdam's DONL harvester maps its theme "bevolking". A theme not listed falls back to
#: "Bestuur"; add a municipality's own themes here.
THEMES: Final = {
    "Bevolking": OWMS + "Sociale_zekerheid",
    "Huishoudens": OWMS + "Sociale_zekerheid",
    "Wonen": OWMS + "Huisvesting_(thema)",
    "Gebouwen": OWMS + "Huisvesting_(thema)",
    "Oppervlakte": OWMS + "Ruimte_en_infrastructuur",
    "Verkeer": OWMS + "Verkeer_(thema)",
    "Sociale zekerheid": OWMS + "Sociale_zekerheid",
    "Veiligheid": OWMS + "Openbare_orde_en_veiligheid",
}
DEFAULT_THEME: Final = OWMS + "Bestuur"
#: Organisations of known sources (creator), by a word in the source's name.
CREATORS: Final = (
    ("CBS", OWMS + "Centraal_Bureau_voor_de_Statistiek", "Centraal Bureau voor de Statistiek"),
    ("Kadaster", OWMS + "Kadaster", "Kadaster"),
)
#: Update frequency: CBS core figures are yearly; others are unknown here.
FREQUENCY_ANNUAL: Final = _EU + "frequency/ANNUAL"
FREQUENCY_UNKNOWN: Final = _EU + "frequency/UNKNOWN"
TOOI_GEMEENTE: Final = "https://identifier.overheid.nl/tooi/id/gemeente/"

CONTEXT: Final = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_LEVEL_PLURAL: Final = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}


def build_catalog(
    cur: Cursor, *, base_url: str, api_path: str, settings: ApiSettings
) -> dict[str, Any]:
    """The catalogue as a JSON-LD document (absolute URIs under ``base_url``)."""
    api = base_url + api_path
    modified = _datetime(cur.info.built_at)
    publisher = _publisher(settings)
    contact = _contact(settings, api)
    service_id = api
    records = api_queries.indicators(cur)
    coverage = api_queries.coverage(cur)
    datasets = [
        _dataset(
            record,
            coverage[record.id],
            api=api,
            modified=modified,
            publisher=publisher,
            contact=contact,
            service_id=service_id,
            version=cur.data_version,
        )
        for record in records
        if record.id in coverage
    ]
    service = {
        "@id": service_id,
        "@type": "dcat:DataService",
        "dct:title": _text("Buurtlens open data API"),
        "dct:description": _text(
            "Cijfers per gemeente, wijk en buurt als JSON, CSV en Excel, met "
            "gebiedsindelingen (GeoJSON) en metadata. Alleen gepubliceerde cijfers."
        ),
        "dcat:endpointURL": {"@id": api},
        "dcat:endpointDescription": {"@id": f"{api}/openapi.json"},
        "dct:conformsTo": {"@id": "https://spec.openapis.org/oas/v3.1.0"},
        "dct:publisher": publisher,
        "dcat:contactPoint": contact,
        "dct:license": {"@id": "http://creativecommons.org/publicdomain/zero/1.0/deed.nl"},
        "dct:accessRights": {"@id": ACCESS_PUBLIC},
        "dcat:servesDataset": [{"@id": d["@id"]} for d in datasets],
    }
    return {
        "@context": CONTEXT,
        "@id": f"{api}/catalog",
        "@type": "dcat:Catalog",
        "dct:title": _text("Buurtlens: cijfers over wijken en buurten"),
        "dct:description": _text(
            "Open data over gemeenten, wijken en buurten: een dataset per indicator, met "
            "bron, licentie en gebiedsindeling. Verborgen en ontbrekende cijfers staan erin "
            "met een status en een reden."
        ),
        "dct:publisher": publisher,
        "dct:language": {"@id": LANGUAGE_NL},
        "dct:license": {"@id": "http://creativecommons.org/publicdomain/zero/1.0/deed.nl"},
        "dct:modified": modified,
        "dcat:version": cur.data_version,
        "foaf:homepage": {"@id": f"{api}/"},
        "dcat:service": [service],
        "dcat:dataset": datasets,
    }


def _dataset(
    record: IndicatorRecord,
    cov: Coverage,
    *,
    api: str,
    modified: dict[str, str] | None,
    publisher: dict[str, Any],
    contact: dict[str, Any],
    service_id: str,
    version: str,
) -> dict[str, Any]:
    uri = f"{api}/indicators/{record.id}"
    licence = {"@id": record.licence.donl_uri} if record.licence.donl_uri else None
    distributions = []
    for level in cov.levels:
        for fmt in ("csv", "json"):
            query = {"indicator": record.id, "level": level, "year": "all"}
            if fmt != "json":
                query["format"] = fmt
            url = f"{api}/values?{urlencode(query)}"
            distributions.append(
                _drop_none(
                    {
                        "@id": url,
                        "@type": "dcat:Distribution",
                        "dct:title": _text(
                            f"{record.label_nl} per {_LEVEL_PLURAL[level]}, alle jaren "
                            f"({fmt.upper()})"
                        ),
                        "dct:description": _text(
                            f"{record.label_nl} ({record.unit}) per {level}, alle jaren, als "
                            f"{fmt.upper()}. Kolommen: code, name, value, status, reason, year, "
                            "period, indicator, unit, source, licence. Zonder cijfer is value "
                            "leeg en staat de reden in reason."
                        ),
                        "dcat:accessURL": {"@id": url},
                        "dcat:downloadURL": {"@id": url},
                        "dcat:accessService": {"@id": service_id},
                        "dct:format": {"@id": FILE_TYPES[fmt]},
                        "dcat:mediaType": {"@id": MEDIA_TYPES[fmt]},
                        "dct:license": licence,
                        "dct:rights": _text(record.licence.attribution),
                        "dct:language": {"@id": LANGUAGE_NL},
                        "dct:modified": modified,
                    }
                )
            )
    bounds = (period_bounds(cov.first_period), period_bounds(cov.last_period))
    temporal = None
    if bounds[0] is not None and bounds[1] is not None:
        temporal = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": bounds[0][0], "@type": "xsd:date"},
            "dcat:endDate": {"@value": bounds[1][1], "@type": "xsd:date"},
        }
    return _drop_none(
        {
            "@id": uri,
            "@type": "dcat:Dataset",
            "dct:identifier": {"@value": uri, "@type": "xsd:anyURI"},
            "dct:title": [
                _text(record.label_nl),
                {"@language": "en", "@value": record.label_en},
            ],
            "dct:description": [
                _text(f"{record.definition_nl} Bron: {record.source}."),
                {"@language": "en", "@value": record.definition_en},
            ],
            "dct:creator": _creator(record.source),
            "dct:publisher": publisher,
            "dcat:contactPoint": contact,
            "dcat:theme": {"@id": THEMES.get(record.theme, DEFAULT_THEME)},
            "dcat:keyword": [_text(record.theme), _text("wijken en buurten"), _text(record.id)],
            "dct:license": licence,
            "dct:rights": _text(record.licence.attribution),
            "dct:accessRights": {"@id": ACCESS_PUBLIC},
            "adms:status": {"@id": STATUS_AVAILABLE},
            "dct:language": {"@id": LANGUAGE_NL},
            "dct:modified": modified,
            "dcat:version": version,
            "dct:accrualPeriodicity": {
                "@id": FREQUENCY_ANNUAL if record.source.startswith("CBS") else FREQUENCY_UNKNOWN
            },
            "dct:temporal": temporal,
            "dct:spatial": [
                {"@id": TOOI_GEMEENTE + code.lower(), "rdfs:label": name}
                for code, name in cov.gemeenten
            ],
            "dcat:landingPage": {"@id": uri},
            "dcat:distribution": distributions,
        }
    )


def _publisher(settings: ApiSettings) -> dict[str, Any]:
    agent: dict[str, Any] = {"@type": "foaf:Agent", "foaf:name": settings.publisher_name}
    if settings.publisher_uri:
        agent["@id"] = settings.publisher_uri
    return agent


def _contact(settings: ApiSettings, api: str) -> dict[str, Any]:
    contact: dict[str, Any] = {"@type": "vcard:Organization", "vcard:fn": settings.publisher_name}
    if settings.contact_email:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{settings.contact_email}"}
    else:
        contact["vcard:hasURL"] = {"@id": f"{api}/"}
    return contact


def _creator(source: str) -> dict[str, Any]:
    for word, uri, name in CREATORS:
        if word in source:
            return {"@id": uri, "@type": "foaf:Agent", "foaf:name": name}
    return {"@type": "foaf:Agent", "foaf:name": source}


def _text(value: str) -> dict[str, str]:
    return {"@language": "nl", "@value": value}


def _datetime(value: str | None) -> dict[str, str] | None:
    return None if not value else {"@value": value, "@type": "xsd:dateTime"}


def _drop_none(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v is not None}
