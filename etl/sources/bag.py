# SPDX-License-Identifier: EUPL-1.2
"""The BAG (Kadaster): verblijfsobjecten and panden, counted per buurt, wijk and gemeente.

Inputs, recognised by content (:mod:`etl.sources.detect`):

- the national GeoPackage ("bag-light", ~8 GB): layers ``verblijfsobject`` and ``pand`` with
  ``identificatie``, ``status``, ``gebruiksdoel`` (comma-separated), ``oppervlakte``,
  ``bouwjaar``, ``pand_identificatie``, ``bronhouder_identificatie``, address fields and the
  geometry in RD New (a point; the pand's outline);
- CSV, GeoJSON and Shapefile extracts with the same fields, also with the names cut to 10
  characters by the Shapefile format (``identifica``, ``gebruiksdo``, ``oppervlakt``,
  ``pandidenti``) and coordinates as columns (``xcoord``/``ycoord``: WGS84 or RD, told apart
  by their range unless ``crs`` is configured);
- the PDOK BAG OGC API (``base_url``, collections ``verblijfsobject`` and ``pand``), read
  page by page along the ``rel="next"`` links with :class:`etl.http.HttpClient`.

Only the fields the indicators need are read (data minimisation): status, gebruiksdoel, floor
area, construction year and location; identifiers and addresses only when a registration is
located through the BAG (``addresses = true``). Records go to the staging store
(:mod:`etl.staging`, tables ``bag_verblijfsobjecten`` and ``bag_panden``) as compact codes,
so the national extract (10 million verblijfsobjecten, 11 million panden) fits in memory.

Decisions:

- A **dwelling** (woning) is a verblijfsobject with (at least) a woonfunctie and status in
  gebruik, in gebruik (niet ingemeten), verbouwing or buiten gebruik (an existing dwelling,
  empty or not; "gevormd" is not built yet, "ingetrokken"/"niet gerealiseerd"/"ten onrechte
  opgevoerd" do not exist). The same statuses make the ``verblijfsobjecten`` counts.
- A **pand** is located by a point on its surface (:func:`shapely.point_on_surface`), a
  verblijfsobject by its point: every object is counted once, in one buurt.
- **Construction year** comes from the verblijfsobject (the original year of its pand); when
  an extract has none it is taken from the pand. Years before 1200 (the BAG's placeholder
  1005) or more than five years after the reference year count as unknown.
- **Floor area** of 1 to 100,000 m² counts for the average (larger values are placeholders).
- **Period and vintage**: figures get the reference year of the extract as period (``year``
  in the configuration, else the date of the GeoPackage, else a year in the file name) and are
  located in the boundaries of ``boundary_year`` (default: the same year).
- An extract is taken to cover each gemeente it has objects in completely: areas without
  objects get 0. Objects outside every polygon of their own gemeente are rejected as
  ``outside`` (counted, kept in staging); objects of gemeenten the run has no boundaries for
  are out of scope and only counted in the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.geometry
from numpy.typing import NDArray
from shapely.errors import GEOSException

from etl.config import SourceSpec
from etl.http import HttpClient, HttpError
from etl.indicators import (
    BAG_BOUWJAAR_KLASSEN,
    BAG_GEBRUIKSDOELEN,
    BAG_PAND_STATUSES,
    bag_status_id,
    normalise_column,
)
from etl.locate import NOT_FOUND, VintageMap, rd_to_wgs84, vintage_map
from etl.model import (
    OBS_COLUMNS,
    STATUS_MISSING,
    STATUS_OK,
    Level,
    Rejection,
    SourceError,
    SourceResult,
    bytes_checksum,
    empty_areas,
    file_checksum,
)
from etl.settings import ConfigError, EtlSettings
from etl.sources.detect import (
    KIND_BAG_PANDEN,
    KIND_BAG_VERBLIJFSOBJECTEN,
    FileSpec,
    discover,
    sniff_format,
    year_from_name,
)
from etl.sources.tabular import read_columns, read_header
from etl.staging import ChangeStatus, FileChange, StagedFile, StagedSource, Staging

logger = logging.getLogger(__name__)

KIND: Final = "bag"
KIND_VBO: Final = KIND_BAG_VERBLIJFSOBJECTEN
KIND_PAND: Final = KIND_BAG_PANDEN
DEFAULT_PDOK_BAG: Final = "https://api.pdok.nl/lv/bag/ogc/v1"
#: Collection of the PDOK BAG OGC API -> kind.
COLLECTIONS: Final[dict[str, str]] = {"verblijfsobject": KIND_VBO, "pand": KIND_PAND}
PAGE_LIMIT: Final = 1000
MAX_PAGES: Final = 100_000
#: Features per chunk when reading a large layer (bounds memory; a unit of parallel work).
CHUNK: Final = 1_000_000

VBO_TABLE: Final = "bag_verblijfsobjecten"
PAND_TABLE: Final = "bag_panden"

#: Statuses of a verblijfsobject (IMBAG domain values); the code is position + 1, 0 unknown.
VBO_STATUSES: Final[tuple[str, ...]] = (
    "Verblijfsobject gevormd",
    "Niet gerealiseerd verblijfsobject",
    "Verblijfsobject in gebruik (niet ingemeten)",
    "Verblijfsobject in gebruik",
    "Verbouwing verblijfsobject",
    "Verblijfsobject ingetrokken",
    "Verblijfsobject buiten gebruik",
    "Verblijfsobject ten onrechte opgevoerd",
)
EXISTING_VBO: Final = frozenset(
    {
        "Verblijfsobject in gebruik (niet ingemeten)",
        "Verblijfsobject in gebruik",
        "Verbouwing verblijfsobject",
        "Verblijfsobject buiten gebruik",
    }
)
EXISTING_PAND: Final = frozenset(
    {
        "Pand in gebruik (niet ingemeten)",
        "Pand in gebruik",
        "Verbouwing pand",
        "Sloopvergunning verleend",
        "Pand buiten gebruik",
    }
)
MIN_BOUWJAAR: Final = 1200
MAX_OPPERVLAKTE: Final = 100_000

#: Reasons a BAG record is not counted (codes in staging and the run log).
REASON_NO_LOCATION: Final = "no_location"
REASON_UNKNOWN_STATUS: Final = "unknown_status"
REASON_OUTSIDE: Final = "outside"
REASON_TEXT: Final[dict[str, str]] = {
    REASON_NO_LOCATION: "geen bruikbare locatie (geen geometrie of coördinaten)",
    REASON_UNKNOWN_STATUS: "onbekende status",
    REASON_OUTSIDE: "ligt in geen enkel gebied van de grenzen van dit jaar in de eigen gemeente",
}

#: Field roles -> accepted names (normalised with :func:`normalise_column`), most preferred
#: first. A Shapefile name cut to 10 characters matches the one alias it starts.
ROLES: Final[dict[str, tuple[str, ...]]] = {
    "id": ("identificatie", "identifica"),
    "status": ("status",),
    "gebruiksdoel": ("gebruiksdoel", "gebruiksdoelen", "gebruiksdo"),
    "oppervlakte": ("oppervlakte", "oppervlakt"),
    "bouwjaar": ("bouwjaar", "oorspronkelijkbouwjaar", "pandbouwjaar"),
    "pand_id": ("pandidentificatie", "pandidentificaties", "pandidenti"),
    "bronhouder": ("bronhouderidentificatie", "bronhouder", "gemeentecode"),
    "postcode": ("postcode",),
    "huisnummer": ("huisnummer",),
    "huisletter": ("huisletter",),
    "toevoeging": ("toevoeging", "huisnummertoevoeging"),
    "x": ("xcoord", "x", "rdx", "xrd"),
    "y": ("ycoord", "y", "rdy", "yrd"),
    "lon": ("lon", "lng", "longitude", "lengtegraad"),
    "lat": ("lat", "latitude", "breedtegraad"),
}
_ADDRESS_ROLES: Final = ("postcode", "huisnummer", "huisletter", "toevoeging")
#: Values per indicator, per level, parallel to ``VintageMap.outputs[level]``.
Figures = dict[str, dict[Level, NDArray[np.float64]]]
_NL_LONLAT: Final = (3.0, 50.6, 7.6, 53.8)
_NL_RD: Final = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)
_BAG_KEYS: Final = frozenset(
    {"name", "type", "path", "base_url", "year", "boundary_year", "gemeenten", "crs", "bbox",
     "collections", "addresses", "workers"}
)  # fmt: skip

VBO_DDL: Final = f"""CREATE TABLE IF NOT EXISTS {VBO_TABLE} (
    file_id INTEGER NOT NULL, row BIGINT NOT NULL, id BIGINT, status TINYINT NOT NULL,
    doel SMALLINT NOT NULL, oppervlakte INTEGER, bouwjaar SMALLINT, pand_id BIGINT,
    bronhouder SMALLINT, lon DOUBLE, lat DOUBLE, postcode VARCHAR, huisnummer INTEGER,
    huisletter VARCHAR, toevoeging VARCHAR, reason VARCHAR, detail VARCHAR)"""
PAND_DDL: Final = f"""CREATE TABLE IF NOT EXISTS {PAND_TABLE} (
    file_id INTEGER NOT NULL, row BIGINT NOT NULL, id BIGINT, status TINYINT NOT NULL,
    bouwjaar SMALLINT, bronhouder SMALLINT, lon DOUBLE, lat DOUBLE, reason VARCHAR,
    detail VARCHAR)"""


# --- configuration ----------------------------------------------------------------------


def parse_options(entry: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """Check the keys of a ``type = "bag"`` sources entry; return its own options.

    Keys besides the common ones: ``base_url`` (the PDOK BAG OGC API instead of ``path``),
    ``bbox`` (lon/lat, required with ``base_url``), ``collections`` (default both),
    ``boundary_year``, ``addresses`` (also stage identifiers and addresses, for registrations
    located by BAG id or postcode and house number) and ``workers`` (processes reading a
    large GeoPackage; default 2).
    """
    unknown = set(entry) - _BAG_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)} for type 'bag'")
    if (entry.get("path") is None) == (entry.get("base_url") is None):
        raise ConfigError(f"{where}: type 'bag' needs either 'path' or 'base_url'")
    options: dict[str, Any] = {}
    boundary_year = entry.get("boundary_year")
    if boundary_year is not None and (
        isinstance(boundary_year, bool) or not isinstance(boundary_year, int)
    ):
        raise ConfigError(f"{where}.boundary_year: expected a year, got {boundary_year!r}")
    options["boundary_year"] = boundary_year
    bbox = entry.get("bbox")
    if bbox is not None:
        if (
            not isinstance(bbox, list)
            or len(bbox) != 4
            or not all(isinstance(v, (int, float)) for v in bbox)
            or not (bbox[0] < bbox[2] and bbox[1] < bbox[3])
        ):
            raise ConfigError(
                f"{where}.bbox: expected [min lon, min lat, max lon, max lat], got {bbox!r}"
            )
        options["bbox"] = tuple(float(v) for v in bbox)
    elif entry.get("base_url") is not None:
        raise ConfigError(
            f"{where}.bbox: required with base_url (the whole country is 20 million objects; "
            "give the lon/lat box of your gemeente)"
        )
    collections = entry.get("collections") or list(COLLECTIONS)
    if not isinstance(collections, list) or not set(collections) <= set(COLLECTIONS):
        raise ConfigError(
            f"{where}.collections: expected a list of {list(COLLECTIONS)}, got {collections!r}"
        )
    options["collections"] = list(collections)
    addresses = entry.get("addresses", False)
    if not isinstance(addresses, bool):
        raise ConfigError(f"{where}.addresses: expected true or false, got {addresses!r}")
    options["addresses"] = addresses
    workers = entry.get("workers", 2)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"{where}.workers: expected a whole number >= 1, got {workers!r}")
    options["workers"] = workers
    return options


def _options(spec: SourceSpec) -> dict[str, Any]:
    defaults = {"boundary_year": None, "addresses": False, "workers": 2, "bbox": None,
                "collections": list(COLLECTIONS)}  # fmt: skip
    return {**defaults, **dict(spec.options)}


# --- columns ------------------------------------------------------------------------------


def resolve_roles(columns: Sequence[str], roles: Iterable[str]) -> dict[str, str]:
    """``{role: column}`` for the ``roles`` found among ``columns``.

    >>> found = resolve_roles(["identifica", "gebruiksdo", "oppervlakt", "pandidenti"],
    ...                       ["id", "gebruiksdoel", "oppervlakte", "pand_id"])
    >>> found["gebruiksdoel"], found["pand_id"]
    ('gebruiksdo', 'pandidenti')
    """
    keys = {normalise_column(c): c for c in reversed(list(columns))}
    found: dict[str, str] = {}
    for role in roles:
        for alias in ROLES[role]:
            if alias in keys and keys[alias] not in found.values():
                found[role] = keys[alias]
                break
        else:
            # A Shapefile field name cut to 10 characters: the start of exactly one alias.
            truncated = [
                c
                for c in columns
                if len(c) == 10
                and c not in found.values()
                and any(a.startswith(normalise_column(c)) for a in ROLES[role])
            ]
            if len(truncated) == 1:
                found[role] = truncated[0]
    return found


def _wanted_roles(kind: str, addresses: bool, pand_ids: bool = False) -> list[str]:
    """The roles read from a layer. The identifier always (an object delivered twice, in
    two files or formats, is counted once); addresses only with ``addresses``; the pand of a
    verblijfsobject with ``addresses`` or ``pand_ids`` (to take the construction year from
    the pand when the verblijfsobjecten have none)."""
    if kind == KIND_VBO:
        roles = ["id", "status", "gebruiksdoel", "oppervlakte", "bouwjaar", "bronhouder"]
        if addresses:
            roles += list(_ADDRESS_ROLES)
        if addresses or pand_ids:
            roles.append("pand_id")
        return roles
    return ["id", "status", "bouwjaar", "bronhouder"]


def _bronhouder(values: NDArray[Any]) -> NDArray[np.int16]:
    """Gemeente number of a bronhouder (``"0363"``, ``"GM0363"``, 363); -1 when unknown."""
    try:
        return np.fromiter((int(v) for v in values), dtype=np.int16, count=len(values))
    except (TypeError, ValueError, OverflowError):
        pass
    text = pd.Series(values, dtype=object).astype(str).str.extract(r"(\d{1,4})\s*$")[0]
    return pd.to_numeric(text, errors="coerce").fillna(-1).to_numpy(dtype=np.int16)


# --- compact records ----------------------------------------------------------------------


def _codes(values: NDArray[np.object_], table: Sequence[str]) -> tuple[NDArray[np.int8], dict]:
    """Status text -> code (position + 1; 0 unknown) and ``{unknown text: count}``."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    lookup = {text: i + 1 for i, text in enumerate(table)}
    mapped = np.array(
        [lookup.get(str(u).strip(), 0) for u in uniques] + [0], dtype=np.int8
    )  # the last entry serves the NA sentinel -1
    result = mapped[codes]
    unknown: dict[str, int] = {}
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    for u, code, n in zip(uniques, mapped[:-1], counts, strict=True):
        if code == 0 and n:
            unknown[str(u)] = int(n)
    return result, unknown


def gebruiksdoel_bits(values: NDArray[np.object_]) -> NDArray[np.int16]:
    """Bit mask of the gebruiksdoelen in each cell (bit i = ``BAG_GEBRUIKSDOELEN[i]``).

    Cells are comma-separated text (``"woonfunctie,winkelfunctie"``) or lists (OGC API).

    >>> gebruiksdoel_bits(np.array(["woonfunctie", "winkelfunctie, woonfunctie", None],
    ...                            dtype=object)).tolist()
    [1, 513, 0]
    """
    series = pd.Series(values, dtype=object)
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # lists (the OGC API): unhashable, join them first
        series = series.map(lambda v: ",".join(v) if isinstance(v, (list, tuple)) else v)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    position = {d: i for i, d in enumerate(BAG_GEBRUIKSDOELEN)}
    masks = []
    for u in uniques:
        mask = 0
        for part in str(u).lower().split(","):
            bit = position.get(part.strip())
            if bit is not None:
                mask |= 1 << bit
        masks.append(mask)
    lookup = np.array([*masks, 0], dtype=np.int16)
    return lookup[codes]


def _objects(values: Sequence[Any]) -> NDArray[np.object_]:
    """A 1-D object array of ``values`` (lists stay cells, they are not broadcast)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _integers(values: NDArray[Any], dtype: type = np.int64) -> NDArray[Any]:
    """Numbers (or numeric text) as integers; -1 where empty or not a whole number."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64)
    out: NDArray[Any] = np.full(len(numbers), -1, dtype=dtype)
    ok = np.isfinite(numbers)
    out[ok] = numbers[ok].astype(dtype)
    return out


def _identifiers(values: NDArray[Any]) -> NDArray[np.int64]:
    """BAG identifiers (16 digits, leading zeros) as int64; -1 when not a whole number.

    Every BAG identifier starts with the 4-digit gemeente code (at most 1999), so it stays
    below 2**53 and even a float64 detour would keep it exact.
    """
    try:  # the common case, all well-formed: int() is several times faster than pandas
        return np.fromiter((int(v) for v in values), dtype=np.int64, count=len(values))
    except (TypeError, ValueError, OverflowError):
        pass
    number = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    number = number.where(np.isfinite(number) & (number >= 0) & (number % 1 == 0))
    return number.fillna(-1).to_numpy(dtype=np.int64)


def _text(values: NDArray[Any] | None, n: int) -> NDArray[np.object_]:
    if values is None:
        return np.full(n, None, dtype=object)
    series = pd.Series(values, dtype=object).map(
        lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
    )
    return series.where(series != "", None).to_numpy(dtype=object)


def compact_records(
    kind: str,
    fields: Mapping[str, NDArray[Any]],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    *,
    first_row: int,
    addresses: bool,
) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """The staging rows of one chunk: codes instead of text, -1/NULL for unknown values.

    ``fields`` holds the raw values per *role* (``status``, ``gebruiksdoel``, ...), ``lon``/
    ``lat`` the WGS84 location (NaN when missing). Returns the rows (without ``file_id``) and
    ``{"unknown_status": {text: count}, ...}`` for the log.
    """
    n = len(lon)
    status_table = VBO_STATUSES if kind == KIND_VBO else BAG_PAND_STATUSES
    status, unknown_status = _codes(
        np.asarray(fields.get("status", np.full(n, None, dtype=object)), dtype=object),
        status_table,
    )
    rows: dict[str, Any] = {
        "row": np.arange(first_row, first_row + n, dtype=np.int64),
        "id": _identifiers(fields["id"]) if "id" in fields else np.full(n, -1, np.int64),
        "status": status,
        "bouwjaar": _integers(fields["bouwjaar"], np.int16)
        if "bouwjaar" in fields
        else np.full(n, -1, np.int16),
        "bronhouder": _bronhouder(fields["bronhouder"])
        if "bronhouder" in fields
        else np.full(n, -1, np.int16),
        "lon": np.asarray(lon, dtype=np.float64),
        "lat": np.asarray(lat, dtype=np.float64),
    }
    if kind == KIND_VBO:
        rows["doel"] = (
            gebruiksdoel_bits(np.asarray(fields["gebruiksdoel"], dtype=object))
            if "gebruiksdoel" in fields
            else np.zeros(n, np.int16)
        )
        rows["oppervlakte"] = (
            _integers(fields["oppervlakte"], np.int32)
            if "oppervlakte" in fields
            else np.full(n, -1, np.int32)
        )
        if "pand_id" in fields:
            rows["pand_id"] = _identifiers(fields["pand_id"])
        if addresses:  # otherwise NULL in staging, and no memory spent on them
            for role in _ADDRESS_ROLES:
                rows[role] = _text(fields.get(role), n)
            rows["huisnummer"] = _integers(np.asarray(rows["huisnummer"], dtype=object), np.int64)
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    unknown = status == 0
    if unknown.any():
        raw = np.asarray(fields.get("status", np.full(n, None, dtype=object)), dtype=object)
        reason[unknown] = REASON_UNKNOWN_STATUS
        detail[unknown] = raw[unknown]
    no_location = ~(np.isfinite(rows["lon"]) & np.isfinite(rows["lat"]))
    reason[no_location] = REASON_NO_LOCATION
    detail[no_location] = None
    rows["reason"] = pd.Series(reason, dtype=object)
    rows["detail"] = pd.Series(detail, dtype=object)
    frame = pd.DataFrame(rows)
    for column in ("id", "pand_id", "bouwjaar", "bronhouder", "oppervlakte", "huisnummer"):
        if column in frame:
            frame[column] = frame[column].astype("Int64").mask(frame[column] < 0)
    return frame, {REASON_UNKNOWN_STATUS: unknown_status}


# --- geometry --------------------------------------------------------------------------


def _points_from_wkb(wkb: NDArray[np.object_] | None, n: int) -> tuple[NDArray, NDArray]:
    """x/y of point geometries, or a point on the surface of polygons; NaN when missing."""
    if wkb is None:
        return np.full(n, np.nan), np.full(n, np.nan)
    blobs = np.asarray(wkb, dtype=object)
    present = np.array([b is not None for b in blobs], dtype=bool)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if not present.any():
        return x, y
    sizes = np.fromiter((len(b) for b in blobs[present]), dtype=np.int64, count=int(present.sum()))
    if (sizes == 21).all():
        # 2D points, the common case: decode the WKB directly (no shapely object per point).
        raw = np.frombuffer(b"".join(blobs[present]), dtype=np.uint8).reshape(-1, 21)
        little = raw[:, 0] == 1
        kind = np.where(little, raw[:, 1], raw[:, 4])
        if little.all() and (kind == 1).all():
            x[present] = raw[:, 5:13].copy().view("<f8").ravel()
            y[present] = raw[:, 13:21].copy().view("<f8").ravel()
            return x, y
    geoms = shapely.from_wkb(blobs[present], on_invalid="ignore")
    return _xy_of(geoms, present, x, y)


def _xy_of(
    geoms: NDArray[np.object_], present: NDArray[np.bool_], x: NDArray, y: NDArray
) -> tuple[NDArray, NDArray]:
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = shapely.get_type_id(geoms)
    points = geoms.copy()
    polygonal = usable & np.isin(kinds, (3, 6))
    if polygonal.any():
        try:
            points[polygonal] = shapely.point_on_surface(geoms[polygonal])
        except GEOSException:
            # An outline GEOS cannot handle: repair them all (costly, so only then).
            points[polygonal] = shapely.point_on_surface(shapely.make_valid(geoms[polygonal]))
    other = usable & ~np.isin(kinds, (0, 3, 6))
    if other.any():
        points[other] = shapely.point_on_surface(geoms[other])
    index = np.flatnonzero(present)
    ok = usable.copy()
    x[index[ok]] = shapely.get_x(points[ok])
    y[index[ok]] = shapely.get_y(points[ok])
    return x, y


def _to_wgs84(
    x: NDArray[np.float64], y: NDArray[np.float64], crs: str | None, *, source: str, file: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS84 lon/lat from coordinates in ``crs`` (or guessed from their range)."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return x, y
    bounds = (x[finite].min(), y[finite].min(), x[finite].max(), y[finite].max())
    if crs is None:
        crs = _guess_crs(bounds)
        if crs is None:
            raise SourceError(
                f"coordinates (bounds {', '.join(f'{b:.6g}' for b in bounds)}) are neither "
                "WGS84 lon/lat nor RD New in the Netherlands; set crs for this source",
                source=source,
                file=file,
            )
    epsg = _epsg(crs)
    if epsg == 4326:
        return x, y
    if epsg == 28992:
        return rd_to_wgs84(x, y)
    transformed = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs).to_crs(4326)
    return transformed.x.to_numpy(), transformed.y.to_numpy()


def _epsg(crs: str) -> int | None:
    from pyproj import CRS

    parsed = CRS.from_user_input(crs)
    if parsed.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return 4326
    return parsed.to_epsg()


def _guess_crs(bounds: tuple[float, ...]) -> str | None:
    for crs, box in (("EPSG:4326", _NL_LONLAT), ("EPSG:28992", _NL_RD)):
        if (
            box[0] <= bounds[0] <= bounds[2] <= box[2]
            and box[1] <= bounds[1] <= bounds[3] <= box[3]
        ):
            return crs
    return None


# --- reading files ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    """One BAG layer to read: a file (layer) or an OGC API collection."""

    kind: str
    label: str
    path: Path | None = None
    layer: str | None = None
    url: str | None = None


def _read_ogr_chunk(
    path: str,
    layer: str | None,
    columns: dict[str, str],
    skip: int,
    count: int,
    crs: str | None,
    kind: str,
    addresses: bool,
    source: str,
) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Read ``count`` features from ``skip`` and compact them (runs in a worker process)."""
    meta, _fids, geometry, fields = pyogrio.raw.read(
        path,
        layer=layer,
        columns=list(columns.values()),
        skip_features=skip,
        max_features=count,
    )
    by_name = dict(zip([str(f) for f in meta["fields"]], fields, strict=True))
    values = {role: by_name[column] for role, column in columns.items() if column in by_name}
    n = len(next(iter(by_name.values()))) if by_name else len(geometry)
    if geometry is not None:
        x, y = _points_from_wkb(geometry, n)
    else:
        x, y = _xy_columns(values, n)
    lon, lat = _to_wgs84(x, y, crs or meta.get("crs"), source=source, file=path)
    return compact_records(kind, values, lon, lat, first_row=skip + 1, addresses=addresses)


def _xy_columns(values: Mapping[str, NDArray[Any]], n: int) -> tuple[NDArray, NDArray]:
    for xr, yr in (("lon", "lat"), ("x", "y")):
        if xr in values and yr in values:
            x = pd.to_numeric(_decimal(values[xr]), errors="coerce").to_numpy(dtype=np.float64)
            y = pd.to_numeric(_decimal(values[yr]), errors="coerce").to_numpy(dtype=np.float64)
            return x, y
    return np.full(n, np.nan), np.full(n, np.nan)


def _decimal(values: NDArray[Any]) -> pd.Series:
    series = pd.Series(values, dtype=object)
    return series.map(lambda v: v.replace(",", ".") if isinstance(v, str) else v)


def _header(layer: _Layer, *, source: str) -> tuple[list[str], bool]:
    """Field names of a file layer and whether it has a geometry column."""
    assert layer.path is not None
    if sniff_format(layer.path, source=source) == "ogr":
        info = pyogrio.read_info(layer.path, layer=layer.layer)
        return [str(c) for c in info["fields"]], info["geometry_type"] is not None
    return read_header(layer.path, source=source), False


def _read_file_layer(
    layer: _Layer,
    *,
    addresses: bool,
    pand_ids: bool,
    crs: str | None,
    workers: int,
    source: str,
) -> tuple[Iterator[pd.DataFrame], dict[str, dict[str, int]]]:
    """Read one file layer into staging rows, chunk by chunk.

    Returns the chunks (a lazy iterator: a large layer is never in memory as a whole) and
    ``{reason: {value: count}}`` of unknown values, filled while the chunks are read.
    """
    assert layer.path is not None
    unknown: dict[str, dict[str, int]] = {}
    wanted = _wanted_roles(layer.kind, addresses, pand_ids)
    fmt = sniff_format(layer.path, source=source)
    if fmt == "ogr":
        info = pyogrio.read_info(layer.path, layer=layer.layer)
        columns = [str(c) for c in info["fields"]]
        roles = resolve_roles(columns, wanted)
        if info["geometry_type"] is None:
            roles |= resolve_roles(columns, ["x", "y", "lon", "lat"])
        total = int(info["features"])
        if total < 0:
            total = len(pyogrio.read_dataframe(layer.path, layer=layer.layer, columns=[],
                                               read_geometry=False))  # fmt: skip
        ranges = [(s, min(CHUNK, total - s)) for s in range(0, total, CHUNK)] or [(0, 0)]
        args = [
            (str(layer.path), layer.layer, roles, s, c, crs, layer.kind, addresses, source)
            for s, c in ranges
        ]
        return _chunks(args, workers, unknown), unknown
    # CSV or Excel: only the wanted columns are read.
    header = read_header(layer.path, source=source)
    roles = resolve_roles(header, [*wanted, "x", "y", "lon", "lat"])
    table = read_columns(layer.path, list(roles.values()), source=source)
    values = {role: table.frame[column].to_numpy(dtype=object) for role, column in roles.items()}
    values = {k: np.where(v == "", None, v) for k, v in values.items()}
    n = len(table.frame)
    x, y = _xy_columns(values, n)
    lon, lat = _to_wgs84(x, y, crs, source=source, file=layer.label)
    frame, found = compact_records(
        layer.kind, values, lon, lat, first_row=table.first_row, addresses=addresses
    )
    _merge_unknown(unknown, found)
    return iter([frame]), unknown


def _merge_unknown(total: dict[str, dict[str, int]], more: Mapping[str, Mapping[str, int]]) -> None:
    for reason, values in more.items():
        bucket = total.setdefault(reason, {})
        for k, v in values.items():
            bucket[k] = bucket.get(k, 0) + v


def _chunks(
    args: list[tuple[Any, ...]], workers: int, unknown: dict[str, dict[str, int]]
) -> Iterator[pd.DataFrame]:
    """The compacted chunks in file order, read by ``workers`` processes."""
    if workers > 1 and len(args) > 1:
        # Reading a layer is single-threaded in GDAL; the national GeoPackage is read in
        # chunks by several processes (spawned: no DuckDB connection is forked).
        with ProcessPoolExecutor(
            max_workers=min(workers, len(args)), mp_context=get_context("spawn")
        ) as pool:
            for frame, found in pool.map(_read_ogr_chunk_star, args):
                _merge_unknown(unknown, found)
                yield frame
        return
    for a in args:
        frame, found = _read_ogr_chunk(*a)
        _merge_unknown(unknown, found)
        yield frame


def _read_ogr_chunk_star(args: tuple[Any, ...]) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    return _read_ogr_chunk(*args)


def gpkg_date(path: Path) -> date | None:
    """The ``last_change`` date of a GeoPackage's layers (the extract's date), if any."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT max(last_change) FROM gpkg_contents").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    text = str(row[0]) if row and row[0] else ""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def _layer_checksum(staging: Staging, source: str, layer: _Layer) -> str:
    """Checksum of a file (a Shapefile over all its parts)."""
    assert layer.path is not None
    if layer.path.suffix.lower() == ".shp":
        parts = sorted(p for p in layer.path.parent.iterdir() if p.stem == layer.path.stem)
        return bytes_checksum(*(file_checksum(p).encode() for p in parts))
    return staging.checksum(source, layer.path)


# --- reading the OGC API ----------------------------------------------------------------


def _read_api(
    layer: _Layer,
    *,
    bbox: tuple[float, float, float, float],
    addresses: bool,
    client: HttpClient,
    source: str,
) -> tuple[pd.DataFrame, int, str, dict[str, dict[str, int]]]:
    """All features of one collection in ``bbox`` (lon/lat), along the ``next`` links."""
    assert layer.url is not None
    params: dict[str, str | int] | None = {
        "f": "json",
        "limit": PAGE_LIMIT,
        "bbox": ",".join(f"{v:.6f}" for v in bbox),
    }
    url: str | None = layer.url
    features: list[dict[str, Any]] = []
    digest = hashlib.sha256()
    seen: set[str] = set()
    pages = 0
    while url is not None:
        pages += 1
        if pages > MAX_PAGES:
            raise HttpError(f"more than {MAX_PAGES} pages; stopped", source=source, url=layer.url)
        page = client.get_json(url, source=source, params=params)
        data = page.data
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise HttpError(
                "unexpected answer: not a GeoJSON FeatureCollection", source=source, url=page.url
            )
        batch = [f for f in data["features"] if isinstance(f, dict)]
        # The checksum covers the features, not the page (PDOK stamps each answer's time).
        digest.update(json.dumps(batch, sort_keys=True, separators=(",", ":")).encode())
        features.extend(batch)
        url = None
        for link in data.get("links") or []:
            if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
                url = str(link["href"])
        if url is not None and url in seen:
            raise HttpError(f"repeated next link {url}", source=source, url=page.url)
        if url is not None:
            seen.add(url)
        params = None
    logger.info(
        "event=bag_api source=%s url=%s features=%d pages=%d",
        source,
        layer.url,
        len(features),
        pages,
    )
    props: list[dict[str, Any]] = [
        p if isinstance(p := f.get("properties"), dict) else {} for f in features
    ]
    names: list[str] = []
    for p in props:
        for k in p:
            if k not in names:
                names.append(k)
    wanted = _wanted_roles(layer.kind, addresses)
    roles = resolve_roles(names, wanted)
    values = {role: _objects([p.get(column) for p in props]) for role, column in roles.items()}
    n = len(features)
    geoms = np.empty(n, dtype=object)
    for i, f in enumerate(features):
        try:
            geoms[i] = shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None
        except (KeyError, TypeError, ValueError, AttributeError, GEOSException):
            geoms[i] = None
    x, y = _xy_of(geoms, np.ones(n, dtype=bool), np.full(n, np.nan), np.full(n, np.nan))
    frame, unknown = compact_records(layer.kind, values, x, y, first_row=1, addresses=addresses)
    return frame, n, "sha256:" + digest.hexdigest(), unknown


# --- extract ------------------------------------------------------------------------------


def _config_fp(kind: str, spec: SourceSpec, addresses: bool, pand_ids: bool) -> str:
    payload = {"v": 1, "kind": kind, "crs": spec.crs, "addresses": addresses, "pand": pand_ids}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _layers(spec: SourceSpec, file_specs: Sequence[FileSpec] | None) -> list[_Layer]:
    if spec.base_url is not None:
        root = spec.base_url.rstrip("/")
        names = list(_options(spec)["collections"])
        urls = {c: f"{root}/collections/{c}/items" for c in names}
        return [_Layer(COLLECTIONS[c], urls[c], url=urls[c]) for c in names]
    assert spec.path is not None or file_specs is not None
    found = file_specs if file_specs is not None else discover(spec.path, source=spec.name)  # type: ignore[arg-type]
    layers = [
        _Layer(f.kind, f.label, path=f.path, layer=f.layer)
        for f in found
        if f.kind in (KIND_VBO, KIND_PAND)
    ]
    for f in found:
        if f.kind not in (KIND_VBO, KIND_PAND):
            logger.info("event=bag_skip source=%s file=%s kind=%s", spec.name, f.label, f.kind)
    if not layers:
        raise SourceError(
            "no BAG verblijfsobjecten or panden found", source=spec.name, file=str(spec.path)
        )
    return sorted(layers, key=lambda lay: (lay.kind != KIND_VBO, lay.label))


def reference_year(spec: SourceSpec, layers: Sequence[_Layer]) -> int | None:
    """The year the extract describes: configured, else the GeoPackage date, else the name."""
    if spec.year is not None:
        return spec.year
    if spec.base_url is not None:
        return date.today().year
    years: set[int] = set()
    for layer in layers:
        assert layer.path is not None
        stamp = gpkg_date(layer.path) if layer.path.suffix.lower() == ".gpkg" else None
        found = stamp.year if stamp else year_from_name(layer.path)
        if found is not None:
            years.add(found)
    return years.pop() if len(years) == 1 else None


def extract(
    spec: SourceSpec,
    staging: Staging,
    settings: EtlSettings,
    *,
    run_id: str | None = None,
    file_specs: Sequence[FileSpec] | None = None,
    client_factory: Callable[[], HttpClient] | None = None,
) -> StagedSource:
    """Read the BAG files or collections of ``spec`` into the staging store.

    Files whose checksum and reading configuration are unchanged since their records were
    staged are not read again; a changed file replaces its earlier records; a file that is
    gone takes its records with it. ``file_specs`` (from :func:`discover`) replaces the
    discovery of ``spec.path`` when the runner already did it. Raises :class:`SourceError`
    when nothing can be read or the year of the extract is unknown.
    """
    options = _options(spec)
    addresses = bool(options["addresses"])
    layers = _layers(spec, file_specs)
    year = reference_year(spec, layers)
    if year is None:
        raise SourceError(
            "cannot tell the reference year of this BAG extract (no date in the GeoPackage, no "
            "year in the file name); set year for this source in the sources configuration",
            source=spec.name,
            file=str(spec.path or spec.base_url),
        )
    vintage = int(options["boundary_year"] or year)
    # Panden bring their identifiers when a verblijfsobject layer has no construction year.
    pand_ids = any(
        "bouwjaar" not in resolve_roles(_header(lay, source=spec.name)[0], ["bouwjaar"])
        for lay in layers
        if lay.kind == KIND_VBO and lay.path is not None
    )
    staging.ensure_table(VBO_TABLE, VBO_DDL, personal=False)
    staging.ensure_table(PAND_TABLE, PAND_DDL, personal=False)
    changes: list[FileChange] = []
    staged: list[StagedFile] = []
    rejected: dict[str, int] = {}
    rows_read = 0
    client = None
    try:
        for layer in layers:
            table = VBO_TABLE if layer.kind == KIND_VBO else PAND_TABLE
            fp = _config_fp(layer.kind, spec, addresses, pand_ids)
            previous = staging.previous(spec.name, layer.label)
            if layer.url is None:
                checksum = _layer_checksum(staging, spec.name, layer)
                reuse = staging.reusable(spec.name, layer.label, checksum, fp)
                if reuse is not None:
                    staging.touch(spec.name, layer.label, run_id=run_id)
                    staged.append(reuse)
                    changes.append(
                        FileChange(spec.name, layer.label, "unchanged", checksum, checksum,
                                   read=False, rows=reuse.rows_read,
                                   rejected=reuse.rejected_by_reason)
                    )  # fmt: skip
                    rows_read += reuse.rows_read
                    _add(rejected, reuse.rejected_by_reason)
                    continue
                chunks, unknown = _read_file_layer(
                    layer, addresses=addresses, pand_ids=pand_ids, crs=spec.crs,
                    workers=int(options["workers"]), source=spec.name,
                )  # fmt: skip
            else:
                if client is None:
                    client = (client_factory or (lambda: HttpClient.from_settings(settings)))()
                frame, _, checksum, unknown = _read_api(
                    layer, bbox=options["bbox"], addresses=addresses, client=client,
                    source=spec.name,
                )  # fmt: skip
                chunks = iter([frame])
                reuse = staging.reusable(spec.name, layer.label, checksum, fp)
                if reuse is not None:
                    staging.touch(spec.name, layer.label, run_id=run_id)
                    staged.append(reuse)
                    changes.append(
                        FileChange(spec.name, layer.label, "unchanged", checksum, checksum,
                                   read=True, rows=reuse.rows_read,
                                   rejected=reuse.rejected_by_reason)
                    )  # fmt: skip
                    rows_read += reuse.rows_read
                    _add(rejected, reuse.rejected_by_reason)
                    continue
            result = staging.replace_file(
                source=spec.name, file=layer.label, kind=layer.kind, checksum=checksum,
                config_fp=fp, records={table: chunks}, personal=False, path=layer.path,
                run_id=run_id,
            )  # fmt: skip
            by_reason, n = result.rejected_by_reason, result.rows_read
            for value, count in sorted(unknown.get(REASON_UNKNOWN_STATUS, {}).items()):
                logger.warning(
                    "event=bag_unknown_status source=%s file=%s value=%r count=%d",
                    spec.name,
                    layer.label,
                    value,
                    count,
                )
            staged.append(result)
            status: ChangeStatus = "new" if previous is None else (
                "changed" if previous.checksum != checksum else "unchanged"
            )  # fmt: skip
            changes.append(
                FileChange(spec.name, layer.label, status, checksum,
                           previous.checksum if previous else None, read=True, rows=n,
                           rejected=by_reason)
            )  # fmt: skip
            rows_read += n
            _add(rejected, by_reason)
    finally:
        if client is not None:
            client.close()
    for gone in staging.forget_missing(spec.name, {lay.label for lay in layers}):
        changes.append(FileChange(spec.name, gone.file, "removed", None, gone.checksum, read=False))
    for change in changes:
        logger.info("event=staging_change %s", json.dumps(change.__dict__, default=str))
    checksum = bytes_checksum(*(f"{f.file}:{f.checksum}".encode() for f in staged))
    return StagedSource(
        spec=spec,
        kind=KIND,
        label=str(spec.path or spec.base_url),
        vintage=vintage,
        period=str(year),
        files=staged,
        changes=changes,
        checksum=checksum,
        rows_read=rows_read,
        rejected=rejected,
        staging=staging,
        run_id=run_id,
    )


def _add(total: dict[str, int], more: Mapping[str, int]) -> None:
    for k, v in more.items():
        total[k] = total.get(k, 0) + int(v)


# --- aggregate ------------------------------------------------------------------------


def _load(staging: Staging, table: str, columns: str, file_ids: list[int]) -> dict[str, NDArray]:
    if not file_ids:
        return {}
    marks = ", ".join("?" for _ in file_ids)
    return staging.con.execute(
        f"SELECT file_id, row, {columns} FROM {table} "  # noqa: S608 - fixed names
        f"WHERE reason IS NULL AND file_id IN ({marks})",
        file_ids,
    ).fetchnumpy()


def _unique(data: dict[str, Any], file_ids: list[int]) -> dict[str, Any]:
    """Each object once: the same identifier in several files (a CSV and a GeoJSON of the same
    extract) counts from the first file only (files in name order)."""
    if not data or len(file_ids) < 2:
        return data
    ids = _array(data, "id", -1).astype(np.int64)
    order = {f: i for i, f in enumerate(file_ids)}
    rank = np.array([order[int(f)] for f in np.asarray(data["file_id"])], dtype=np.int64)
    frame = pd.DataFrame({"id": ids, "rank": rank, "pos": np.arange(len(ids))})
    frame = frame.sort_values(["rank", "pos"], kind="stable")
    keep = ~frame["id"].duplicated() | (frame["id"] < 0)
    positions = np.sort(frame.loc[keep, "pos"].to_numpy())
    out = {k: np.asarray(v)[positions] if not isinstance(v, np.ma.MaskedArray) else v[positions]
           for k, v in data.items()}  # fmt: skip
    out["_duplicates"] = len(ids) - len(positions)
    return out


def _array(data: Mapping[str, Any], name: str, fill: float) -> NDArray[Any]:
    values = data[name]
    if isinstance(values, np.ma.MaskedArray):
        return values.filled(fill)
    return np.asarray(values)


def _scope(
    vmap: VintageMap,
    located: NDArray[np.int64],
    bronhouder: NDArray[np.int64],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Which unlocated objects are *outside* (rejected) rather than out of scope.

    An object with a bronhouder (the gemeente responsible for it) is outside when that gemeente
    is on the map; without one, when it lies within the bounding box of the map.
    """
    gemeenten = np.array([int(g[2:]) for g in vmap.gemeenten])
    minx, miny, maxx, maxy = shapely.total_bounds(vmap.geometries)
    in_box = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
    own = np.where(bronhouder >= 0, np.isin(bronhouder, gemeenten), in_box)
    return (located == NOT_FOUND) & own


def aggregate(
    staged: StagedSource,
    boundaries: gpd.GeoDataFrame,
    areas: pd.DataFrame,
    *,
    settings: EtlSettings | None = None,
) -> SourceResult:
    """Locate the staged BAG objects in the boundaries of ``staged.vintage`` and count them.

    ``boundaries`` are the run's merged full-precision WGS84 polygons (``code``, ``vintage``,
    ``level``, ``geometry``), ``areas`` the merged areas. Returns the observations of every
    BAG indicator for every area that gets figures (see :func:`etl.locate.vintage_map`), and
    one summary :class:`~etl.model.Rejection` per reason (the records themselves stay in
    staging). Raises :class:`SourceError` when the boundaries of the year are missing or the
    share of rejected records exceeds ``max_reject_fraction``.
    """
    spec = staged.spec
    started = time.perf_counter()
    try:
        vmap = vintage_map(
            boundaries, staged.vintage, areas=areas, gemeenten=spec.gemeenten or None
        )
    except LookupError as e:
        raise SourceError(
            f"{e}: add a boundary source for {staged.vintage} (or set boundary_year)",
            source=spec.name,
            file=staged.label,
        ) from e
    staging = staged.staging
    vbo_ids = [f.file_id for f in staged.files if f.kind == KIND_VBO]
    pand_ids = [f.file_id for f in staged.files if f.kind == KIND_PAND]
    vbo = _unique(_load(staging, VBO_TABLE, "id, status, doel, oppervlakte, bouwjaar, pand_id, "
                        "bronhouder, lon, lat", vbo_ids), vbo_ids)  # fmt: skip
    pand = _unique(_load(staging, PAND_TABLE, "id, status, bouwjaar, bronhouder, lon, lat",
                         pand_ids), pand_ids)  # fmt: skip
    duplicates = sum(d.pop("_duplicates", 0) for d in (vbo, pand) if d)
    observations: list[pd.DataFrame] = []
    outside_rows: list[pd.DataFrame] = []
    counts = {"vbo_counted": 0, "pand_counted": 0, "out_of_scope": 0, "duplicates": duplicates}
    year = int(staged.period or staged.vintage)
    touched: set[str] = set()
    locate_seconds = 0.0
    load_seconds = time.perf_counter() - started

    if vbo_ids:
        lon, lat = _array(vbo, "lon", np.nan), _array(vbo, "lat", np.nan)
        t0 = time.perf_counter()
        located = vmap.locate(lon, lat)
        locate_seconds += time.perf_counter() - t0
        bron = _array(vbo, "bronhouder", -1).astype(np.int64)
        outside = _scope(vmap, located, bron, lon, lat)
        touched |= _gemeenten_of(vmap, located)
        counts["vbo_counted"] = int((located >= 0).sum())
        counts["out_of_scope"] += int(((located < 0) & ~outside).sum())
        outside_rows.append(_rows(vbo, outside, VBO_TABLE))
        bouwjaar = _array(vbo, "bouwjaar", -1).astype(np.int64)
        if (bouwjaar < 0).any() and pand_ids:
            bouwjaar = _fill_bouwjaar(bouwjaar, _array(vbo, "pand_id", -1), pand)
        observations.append(_vbo_figures(vmap, located, vbo, bouwjaar, year))
    if pand_ids:
        lon, lat = _array(pand, "lon", np.nan), _array(pand, "lat", np.nan)
        t0 = time.perf_counter()
        located = vmap.locate(lon, lat)
        locate_seconds += time.perf_counter() - t0
        bron = _array(pand, "bronhouder", -1).astype(np.int64)
        outside = _scope(vmap, located, bron, lon, lat)
        touched |= _gemeenten_of(vmap, located)
        counts["pand_counted"] = int((located >= 0).sum())
        counts["out_of_scope"] += int(((located < 0) & ~outside).sum())
        outside_rows.append(_rows(pand, outside, PAND_TABLE))
        observations.append(_pand_figures(vmap, located, _array(pand, "status", 0)))

    n_outside = _mark_outside(staging, staged.file_ids, outside_rows)
    if not spec.gemeenten:
        # The extract covers the gemeenten it has objects in: no zeros for the others.
        observations = [_only_gemeenten(part, vmap, touched) for part in observations]
    by_reason = dict(staged.rejected)
    if n_outside:
        by_reason[REASON_OUTSIDE] = n_outside
    frame = _frame(observations, vmap, year)
    result = SourceResult(
        source=spec.name,
        file=staged.label,
        kind=KIND,
        checksum=staged.checksum,
        areas=empty_areas(),
        observations=frame,
        rejected=summary_rejections(spec.name, staged.label, by_reason, REASON_TEXT),
        rows_read=staged.rows_read,
        vintages=[vmap.vintage],
    )
    logger.info(
        "event=bag_aggregated source=%s vintage=%d period=%s verblijfsobjecten=%d panden=%d "
        "out_of_scope=%d duplicates=%d rejected=%s observations=%d load_seconds=%.3f "
        "locate_seconds=%.3f seconds=%.3f",
        spec.name,
        vmap.vintage,
        year,
        counts["vbo_counted"],
        counts["pand_counted"],
        counts["out_of_scope"],
        counts["duplicates"],
        json.dumps(by_reason, sort_keys=True),
        len(frame),
        load_seconds,
        locate_seconds,
        time.perf_counter() - started,
    )
    in_scope = staged.rows_read - counts["out_of_scope"] - counts["duplicates"]
    check_reject_share(spec.name, staged.label, by_reason, in_scope, settings)
    return result


def _gemeenten_of(vmap: VintageMap, located: NDArray[np.int64]) -> set[str]:
    """The gemeenten that have at least one located object."""
    hit = np.unique(located[located >= 0])
    return {"GM" + str(code)[2:6] for code in vmap.codes[hit]}


def _only_gemeenten(figures: Figures, vmap: VintageMap, keep: set[str]) -> Figures:
    """Blank out (NaN, dropped later) the figures of areas outside the gemeenten ``keep``."""
    out: Figures = {}
    for indicator, by_level in figures.items():
        out[indicator] = {}
        for level, values in by_level.items():
            codes = vmap.outputs[level]
            mask = np.array(["GM" + c[2:6] in keep for c in codes], dtype=bool)
            out[indicator][level] = np.where(mask, values, _DROP)
    return out


def _rows(data: Mapping[str, Any], mask: NDArray[np.bool_], table: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tbl": table,
            "file_id": np.asarray(data["file_id"])[mask],
            "row": np.asarray(data["row"])[mask],
        }
    )


def _mark_outside(staging: Staging, file_ids: list[int], parts: list[pd.DataFrame]) -> int:
    """Mark the records located in no area as ``outside`` in staging (reset each run)."""
    total = 0
    marks = ", ".join("?" for _ in file_ids) or "NULL"
    for table in (VBO_TABLE, PAND_TABLE):
        staging.con.execute(
            f"UPDATE {table} SET reason = NULL, detail = NULL "  # noqa: S608 - fixed names
            f"WHERE reason = ? AND file_id IN ({marks})",
            [REASON_OUTSIDE, *file_ids],
        )
    for part in parts:
        if part.empty:
            continue
        table = str(part["tbl"].iloc[0])
        staging.con.register("outside_rows", part[["file_id", "row"]])
        staging.con.execute(
            f"UPDATE {table} SET reason = ? FROM outside_rows o "  # noqa: S608 - fixed names
            f"WHERE {table}.file_id = o.file_id AND {table}.row = o.row",
            [REASON_OUTSIDE],
        )
        staging.con.unregister("outside_rows")
        total += len(part)
    return total


def _fill_bouwjaar(
    bouwjaar: NDArray[np.int64], pand_id: NDArray[Any], pand: Mapping[str, Any]
) -> NDArray[np.int64]:
    """Construction year from the pand where the verblijfsobject has none."""
    ids = _array(pand, "id", -1).astype(np.int64)
    years = _array(pand, "bouwjaar", -1).astype(np.int64)
    lookup = pd.Series(years, index=ids)
    lookup = lookup[~lookup.index.duplicated()]
    missing = bouwjaar < 0
    found = lookup.reindex(np.asarray(pand_id, dtype=np.int64)[missing]).to_numpy()
    out = bouwjaar.copy()
    out[missing] = np.where(np.isnan(found), -1, found).astype(np.int64)
    return out


def _vbo_figures(
    vmap: VintageMap,
    located: NDArray[np.int64],
    vbo: Mapping[str, Any],
    bouwjaar: NDArray[np.int64],
    year: int,
) -> Figures:
    status = _array(vbo, "status", 0).astype(np.int64)
    doel = _array(vbo, "doel", 0).astype(np.int64)
    opp = _array(vbo, "oppervlakte", -1).astype(np.float64)
    existing_codes = [i + 1 for i, s in enumerate(VBO_STATUSES) if s in EXISTING_VBO]
    existing = np.isin(status, existing_codes)
    woning = existing & ((doel & 1) == 1)
    known_year = (bouwjaar >= MIN_BOUWJAAR) & (bouwjaar <= year + 5)
    figures: Figures = {}
    figures["woningen_bag"] = vmap.counts(located, mask=woning)
    for suffix, _label, low, high in BAG_BOUWJAAR_KLASSEN:
        in_class = known_year.copy()
        if low is not None:
            in_class &= bouwjaar >= low
        if high is not None:
            in_class &= bouwjaar <= high
        figures[f"woningen_bouwjaar_{suffix}"] = vmap.counts(located, mask=woning & in_class)
    figures["woningen_bouwjaar_onbekend"] = vmap.counts(located, mask=woning & ~known_year)
    figures["verblijfsobjecten"] = vmap.counts(located, mask=existing)
    for bit, doel_name in enumerate(BAG_GEBRUIKSDOELEN):
        key = "verblijfsobjecten_" + doel_name.replace(" ", "_")
        figures[key] = vmap.counts(located, mask=existing & ((doel >> bit) & 1 == 1))
    usable = woning & (opp >= 1) & (opp < MAX_OPPERVLAKTE)
    area_sum = vmap.counts(located, weights=np.where(usable, opp, 0.0), mask=usable)
    area_n = vmap.counts(located, mask=usable)
    figures["gemiddelde_oppervlakte_woning"] = {
        lv: np.divide(area_sum[lv], area_n[lv], out=np.full(len(area_n[lv]), np.nan),
                      where=area_n[lv] > 0)
        for lv in area_n
    }  # fmt: skip
    voor = figures["woningen_bouwjaar_voor_1945"]
    total = figures["woningen_bag"]
    figures["aandeel_woningen_voor_1945"] = {
        lv: np.divide(100.0 * voor[lv], total[lv], out=np.full(len(total[lv]), np.nan),
                      where=total[lv] > 0)
        for lv in total
    }  # fmt: skip
    return figures


def _pand_figures(vmap: VintageMap, located: NDArray[np.int64], status: NDArray[Any]) -> Figures:
    status = np.asarray(status).astype(np.int64)
    existing_codes = [i + 1 for i, s in enumerate(BAG_PAND_STATUSES) if s in EXISTING_PAND]
    figures = {"panden": vmap.counts(located, mask=np.isin(status, existing_codes))}
    for i, name in enumerate(BAG_PAND_STATUSES):
        figures[bag_status_id(name)] = vmap.counts(located, mask=status == i + 1)
    return figures


_NO_DWELLINGS: Final = "geen woningen in dit gebied"
#: Marks a value that is not published at all (an area of a gemeente the extract lacks).
_DROP: Final = -np.inf


def _frame(parts: list[Figures], vmap: VintageMap, year: int) -> pd.DataFrame:
    """Observations (:data:`OBS_COLUMNS`) from per-indicator, per-level value arrays."""
    frames = []
    for figures in parts:
        for indicator, by_level in figures.items():
            for level, values in by_level.items():
                codes = _objects(vmap.outputs[level])
                keep = values != _DROP
                codes, values = codes[keep], values[keep]
                if not len(codes):
                    continue
                ok = np.isfinite(values)
                frames.append(
                    pd.DataFrame(
                        {
                            "area_code": codes,
                            "vintage": vmap.vintage,
                            "period": str(year),
                            "indicator_id": indicator,
                            "value": np.where(ok, values, np.nan),
                            "status": np.where(ok, STATUS_OK, STATUS_MISSING),
                            "reason": _objects([None if k else _NO_DWELLINGS for k in ok]),
                        }
                    )
                )
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OBS_COLUMNS}).astype(
            {"vintage": "int64", "value": "float64"}
        )
    out = pd.concat(frames, ignore_index=True)[OBS_COLUMNS]
    out["reason"] = out["reason"].astype(object).where(out["status"] != STATUS_OK, None)
    return out.astype({"vintage": "int64", "value": "float64"})


# --- shared with registrations ----------------------------------------------------------


def summary_rejections(
    source: str, file: str, by_reason: Mapping[str, int], texts: Mapping[str, str]
) -> list[Rejection]:
    """One :class:`Rejection` per reason with the count as value (records stay in staging)."""
    return [
        Rejection(
            source,
            file,
            None,
            "record",
            str(count),
            f"{reason}: {count} record(s) {texts.get(reason, reason)}; see the staging store",
        )
        for reason, count in sorted(by_reason.items())
        if count
    ]


def check_reject_share(
    source: str,
    file: str,
    by_reason: Mapping[str, int],
    rows: int,
    settings: EtlSettings | None,
) -> None:
    """:class:`SourceError` when more than ``max_reject_fraction`` of ``rows`` is rejected."""
    limit = (settings or EtlSettings()).max_reject_fraction
    bad = int(sum(by_reason.values()))
    if rows > 0 and bad / rows > limit:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(by_reason.items()) if v)
        raise SourceError(
            f"{bad} of {rows} records rejected ({bad / rows:.1%}, limit {limit:.0%}): {detail}",
            source=source,
            file=file,
        )


def bag_points(staging: Staging, source: str, *, with_addresses: bool = True) -> pd.DataFrame:
    """The staged verblijfsobjecten (and panden) of BAG source ``source`` as lookup points.

    Columns: ``kind`` (``vbo``/``pand``), ``id``, ``lon``, ``lat`` and, for verblijfsobjecten,
    ``postcode``, ``huisnummer``, ``huisletter``, ``toevoeging``. Used to locate registrations
    by BAG id or by postcode and house number. Empty when the source staged no identifiers
    (set ``addresses = true`` on it).
    """
    ids = staging.file_ids(source)
    if not ids:
        return pd.DataFrame(columns=["kind", "id", "lon", "lat", *_ADDRESS_ROLES])
    marks = ", ".join("?" for _ in ids)
    address = "postcode, huisnummer, huisletter, toevoeging" if with_addresses else (
        "NULL AS postcode, NULL AS huisnummer, NULL AS huisletter, NULL AS toevoeging"
    )  # fmt: skip
    return staging.con.execute(
        f"SELECT 'vbo' AS kind, id, lon, lat, {address} FROM {VBO_TABLE} "  # noqa: S608
        f"WHERE id IS NOT NULL AND lon IS NOT NULL AND file_id IN ({marks}) "
        f"UNION ALL SELECT 'pand', id, lon, lat, NULL, NULL, NULL, NULL FROM {PAND_TABLE} "
        f"WHERE id IS NOT NULL AND lon IS NOT NULL AND file_id IN ({marks})",
        [*ids, *ids],
    ).df()


def cpu_workers() -> int:
    """A sensible default number of reading processes on this machine."""
    return max(1, min(2, os.cpu_count() or 1))
