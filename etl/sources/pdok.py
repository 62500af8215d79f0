# SPDX-License-Identifier: EUPL-1.2
"""CBS wijken en buurten from PDOK's OGC API Features (geometry plus kerncijfers).

What was verified, and where (stored copies of public repositories and pages, found with
the project's reference tools; no internet here):

- Base URL per year: ``https://api.pdok.nl/cbs/wijken-en-buurten-<year>/ogc/v1`` (PDOK's
  own list of OGC APIs for "CBS Wijken en Buurten": 2023, 2024, 2025 and "historisch";
  many client projects), collections ``gemeenten``, ``wijken`` and ``buurten``; items at
  ``/collections/<c>/items?f=json&limit=<n>`` with ``limit`` up to 1,000 and ``bbox`` in
  lon/lat (client code: "PAGE_SIZE = 1000  # PDOK max per request").
- An items answer is a GeoJSON FeatureCollection with ``links`` (OGC API Features
  Part 1); the next page is the link with ``rel: "next"`` (client code that loops on
  ``link.get("rel") == "next"``); ``numberReturned``/``numberMatched`` may be present.
  We follow the next link as given and do not build page URLs ourselves.
- Answers carry a ``timeStamp``; the checksum is taken over the features (canonical
  JSON) and the CRS, so an unchanged collection gives an unchanged checksum.
- Coordinates are CRS84 (lon/lat, WGS84) unless ``crs=http://www.opengis.net/def/crs/
  EPSG/0/28992`` is asked; we ask nothing and set EPSG:4326, or take the CRS of a
  ``Content-Crs`` header when a server names another one.
- Property names. Identity: ``buurtcode``, ``buurtnaam``, ``wijkcode``, ``wijknaam``,
  ``gemeentecode``, ``gemeentenaam`` (many clients of the 2023 and 2024 APIs). Year:
  ``jaar`` and ``jrstatcode`` (``"2024WK039201"``) in a 2023 OGC API client; the
  wijk- en buurtkaart GeoPackage calls the latter ``jaarstatcode``; PDOK's
  ``gebiedsindelingen`` API has ``jaarcode`` and ``statcode``/``statnaam``. All are read.
  Figures: the OGC API clients we found use snake_case (``aantal_inwoners``,
  ``bevolkingsdichtheid_inwoners_per_km2``, ``oppervlakte_land_in_ha``), PDOK's WFS and
  the 2021 buurt extract camelCase (``aantalInwoners``); the indicator catalogue knows
  both, so either maps. CBS sentinels such as ``-99997`` become a status.
- ``gemeentecode=GM0917`` as a query parameter to select one gemeente appears in client
  code; we send it and filter again here, because a server that does not know a query
  parameter may ignore it.

Not verified: whether PDOK's next links are cursor- or offset-based (irrelevant: we follow
them) and the exact name of the year property in the 2024/2025 APIs (all variants above
are accepted; without one, the ``year`` argument counts).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Any, Final

import geopandas as gpd
import shapely.geometry
from shapely.errors import GEOSException

from etl.http import HttpClient, HttpError, JsonResponse
from etl.indicators import map_columns
from etl.model import GEOM_COLUMNS, SourceResult, gemeente_of, level_of, normalise_code
from etl.sources.cbs_odata import MAX_PAGES, ResultBuilder, normalise_gemeenten

logger = logging.getLogger(__name__)

KIND: Final = "pdok_ogc"
DEFAULT_LIMIT: Final = 1000
#: Code and name properties, most specific level first.
CODE_NAME_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("buurtcode", "buurtnaam"),
    ("wijkcode", "wijknaam"),
    ("gemeentecode", "gemeentenaam"),
    ("statcode", "statnaam"),
)
#: Properties that identify a feature; never read as a figure.
IDENTITY_FIELDS: Final = frozenset(
    {
        "buurtcode",
        "buurtnaam",
        "wijkcode",
        "wijknaam",
        "gemeentecode",
        "gemeentenaam",
        "statcode",
        "statnaam",
        "jaar",
        "jaarcode",
        "jaarstatcode",
        "jrstatcode",
        "rubriek",
        "id",
        "fid",
        "water",
        "indelingswijziging_wijken_en_buurten",
        "meest_voorkomende_postcode",
        "dekkingspercentage",
    }
)
_CRS84: Final = "EPSG:4326"
_EPSG_RE: Final = re.compile(r"EPSG/0/(\d+)|EPSG::?(\d+)", re.IGNORECASE)


def _feature_year(props: dict[str, Any]) -> int | None:
    """The year a feature says it belongs to, if any (``jaar``, ``jaarcode``, ``*statcode``)."""
    for key in ("jaar", "jaarcode"):
        value = props.get(key)
        if isinstance(value, int) and 1900 < value < 2200:
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
    for key in ("jaarstatcode", "jrstatcode"):
        value = props.get(key)
        if isinstance(value, str) and len(value) > 4 and value[:4].isdigit():
            return int(value[:4])
    return None


def _crs_of(page: JsonResponse) -> str:
    header = page.headers.get("Content-Crs", "")
    match = _EPSG_RE.search(header)
    if match:
        return f"EPSG:{match.group(1) or match.group(2)}"
    return _CRS84


def _gemeente_of_feature(feature: dict[str, Any]) -> str | None:
    props = feature.get("properties")
    if not isinstance(props, dict):
        return None
    for code_field, _ in CODE_NAME_FIELDS:
        code = normalise_code(props.get(code_field))
        if code is not None:
            return gemeente_of(code)
    return None


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _next_link(page: JsonResponse) -> str | None:
    links = page.data.get("links") if isinstance(page.data, dict) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def read_ogc_features(
    base_url: str,
    collection: str,
    *,
    year: int,
    client: HttpClient,
    source: str = KIND,
    bbox: tuple[float, float, float, float] | None = None,
    gemeente: str | Iterable[str] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> SourceResult:
    """Read one collection (``gemeenten``, ``wijken`` or ``buurten``) of a PDOK OGC API.

    ``base_url`` is the API root, e.g. ``https://api.pdok.nl/cbs/wijken-en-buurten-2024/
    ogc/v1``; a ``{year}`` in it is filled in. Pages of ``limit`` features (PDOK's
    maximum is 1,000) are read along the ``rel="next"`` links. ``bbox`` (lon/lat) and
    ``gemeente`` (one GM code or several: one request series per gemeente, with
    ``gemeentecode=``) narrow the request; ``gemeente`` is checked again on every feature.

    Returns areas (code, name, level and parents from the code), observations for every
    property that holds a catalogue indicator (``aantal_inwoners``/``aantalInwoners``,
    ...), and a GeoDataFrame (``code``, ``vintage``, ``level``, ``geometry``) in EPSG:4326
    (CRS84). The vintage is ``year``; features that say they belong to another year
    (``jaar``/``jaarcode``/``jaarstatcode``) are left out with a warning. Features without
    a usable code or geometry, duplicates and bad cells are rejected with ``row`` = the
    feature's 0-based index in the feed (several gemeenten: their series one after the
    other).
    """
    if not 1 <= limit <= 10_000:
        raise ValueError(f"limit must be between 1 and 10000, got {limit}")
    root = base_url.replace("{year}", str(year)).rstrip("/")
    items_url = f"{root}/collections/{collection}/items"
    wanted = normalise_gemeenten([gemeente] if isinstance(gemeente, str) else gemeente)

    params: dict[str, str | int] = {"f": "json", "limit": limit}
    if bbox is not None:
        params["bbox"] = ",".join(f"{v:.6f}" for v in bbox)

    # One request series per gemeente (a few pages each) rather than all of the
    # Netherlands (~14,000 buurten with geometry). Should the server ignore the parameter,
    # each series keeps only its own gemeente, so nothing is counted twice.
    features: list[dict[str, Any]] = []
    bodies: list[bytes] = []
    crs: str | None = None
    received = 0
    batches: list[str | None] = list(wanted) if wanted else [None]
    for gm in batches:
        batch_params = params if gm is None else {**params, "gemeentecode": gm}
        batch, batch_bodies, batch_crs = _read_pages(client, items_url, batch_params, source=source)
        if crs is not None and batch_crs != crs:
            raise HttpError(f"answers in different CRS ({crs}, {batch_crs})", source=source,
                            url=items_url)  # fmt: skip
        crs = batch_crs
        received += len(batch)
        bodies.extend(batch_bodies)
        features.extend(f for f in batch if gm is None or _gemeente_of_feature(f) in (gm, None))
    if received != len(features):
        logger.warning(
            "event=server_ignored_filter source=%s url=%s received=%d kept=%d",
            source,
            items_url,
            received,
            len(features),
        )

    builder = ResultBuilder(source=source, file=items_url, vintage=year, gemeenten=wanted)
    prop_names: list[str] = []
    for feature in features:
        props = feature.get("properties")
        for name in props if isinstance(props, dict) else ():
            if name not in IDENTITY_FIELDS and name not in prop_names:
                prop_names.append(name)
    mapping = map_columns(prop_names)
    logger.info(
        "event=columns source=%s collection=%s mapping=%s",
        source,
        collection,
        ",".join(f"{k}:{v}" for k, v in mapping.items()),
    )

    geometries: list[dict[str, Any]] = []
    other_years: dict[int, int] = {}
    for index, feature in enumerate(features):
        props = feature.get("properties")
        if not isinstance(props, dict):
            builder.reject(index, "properties", None, "feature without properties")
            continue
        feature_year = _feature_year(props)
        if feature_year is not None and feature_year != year:
            other_years[feature_year] = other_years.get(feature_year, 0) + 1
            continue
        code_field = next((c for c, _ in CODE_NAME_FIELDS if props.get(c)), None)
        if code_field is None:
            builder.reject(
                index,
                "buurtcode",
                None,
                "feature without an area code (buurtcode, wijkcode, gemeentecode)",
            )
            continue
        code = builder.area_code(props[code_field], index, code_field)
        if code is None:
            continue
        if code in builder.areas:
            builder.reject(index, code_field, code, f"duplicate feature for {code}")
            continue
        name_field = dict(CODE_NAME_FIELDS)[code_field]
        try:
            geometry = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError, GEOSException) as e:
            builder.reject(index, "geometry", None, f"no usable geometry ({e})")
            continue
        if geometry.is_empty:
            builder.reject(index, "geometry", None, "empty geometry")
            continue
        builder.add_area(code, props.get(name_field))
        geometries.append(
            {"code": code, "vintage": year, "level": level_of(code), "geometry": geometry}
        )
        for prop, indicator in mapping.items():
            if prop in props:
                builder.add_value(code, indicator, props[prop], index, prop)

    if other_years:
        logger.warning(
            "event=other_years_skipped source=%s collection=%s year=%d skipped=%s",
            source,
            collection,
            year,
            ",".join(f"{y}:{n}" for y, n in sorted(other_years.items())),
        )
    result = builder.result(kind=KIND, bodies=bodies, rows_read=received)
    frame = gpd.GeoDataFrame(
        geometries, columns=GEOM_COLUMNS, geometry="geometry", crs=crs or _CRS84
    ).astype({"vintage": "int64"})
    result.geometries = frame
    return result


def _read_pages(
    client: HttpClient,
    items_url: str,
    params: dict[str, str | int],
    *,
    source: str,
) -> tuple[list[dict[str, Any]], list[bytes], str]:
    features: list[dict[str, Any]] = []
    bodies: list[bytes] = []
    crs: str | None = None
    url: str | None = items_url
    page_params: dict[str, str | int] | None = params
    followed: set[str] = set()
    while url is not None:
        if len(followed) >= MAX_PAGES:
            raise HttpError(f"more than {MAX_PAGES} pages; stopped", source=source, url=items_url)
        page = client.get_json(url, source=source, params=page_params)
        data = page.data
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise HttpError(
                "unexpected answer: not a GeoJSON FeatureCollection", source=source, url=page.url
            )
        page_crs = _crs_of(page)
        if crs is not None and page_crs != crs:
            raise HttpError(
                f"pages in different CRS ({crs}, {page_crs})", source=source, url=page.url
            )
        crs = page_crs
        # The checksum covers the features, not the raw page: PDOK stamps every answer
        # with the time ("timeStamp"), and an unchanged source must give an unchanged
        # checksum (the runner skips a rebuild when no input changed).
        bodies.append(_canonical(data["features"]))
        features.extend(f for f in data["features"] if isinstance(f, dict))
        link = _next_link(page)
        if link is not None and link in followed:
            raise HttpError(f"repeated next link {link}", source=source, url=page.url)
        if link is not None:
            followed.add(link)
            if not data["features"]:
                logger.warning("event=empty_page_with_next source=%s url=%s", source, page.url)
        url, page_params = link, None
    logger.info(
        "event=features source=%s url=%s features=%d pages=%d",
        source,
        items_url,
        len(features),
        len(followed) + 1,
    )
    bodies.append((crs or _CRS84).encode())
    return features, bodies, crs or _CRS84
