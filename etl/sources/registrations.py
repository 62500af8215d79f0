# SPDX-License-Identifier: EUPL-1.2
"""The municipality's own registrations: record files counted per area, period and category.

One ``[[sources]]`` entry of ``type = "registrations"`` per registration type (meldingen
openbare ruimte, Wmo clients, bijstand, ...) says where the record files are (CSV and Excel
drops in a folder), which columns hold the date, the category and the location, how records
are located (WGS84 lon/lat, RD x/y, a BAG identifier, or postcode plus house number through
the BAG), the periods (year, quarter, month), the category mapping and the indicators
(counts; rates per 1,000 inhabitants or dwellings). ``config/registraties.example.toml``
documents every key with the meldingen of Assen as the example.

Privacy by design:

- only the configured columns are read (:func:`etl.sources.tabular.read_columns`); names,
  addresses and free text in other columns never reach memory, staging or a log line;
- records live only in the staging store (table ``registration_records``, personal: deleted
  after a successful run unless a retention is set); the warehouse gets counts per area;
- every figure has disclosure rule ``count`` (rates: ``ratio``), so disclosure control
  protects it before it is published; :func:`disclosure_mapping` adds the category breakdown
  and the nouns of the reasons ("minder dan 5 meldingen in deze buurt").

Bad records are never silently dropped. Per reason they are counted in the run log, kept in
staging (``reason`` column) for inspection, and with ``publish_unlocated = true`` the records
without a usable location are published per gemeente as ``<id>_locatie_onbekend``:

- ``bad_date``: no date, or one that does not parse;
- ``unknown_category``: a category the mapping does not know;
- ``no_location``: no usable coordinates and no BAG object found by id or address;
- ``outside``: a location in none of the gemeente's areas of the boundary year.

A record delivered again in a later file (same ``id_column`` value) counts once, from the
last file in name order (drops are usually named by date).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from etl import indicators as catalogue
from etl.config import SourceSpec
from etl.indicators import Indicator, all_indicators, register
from etl.locate import VintageMap, rd_to_wgs84, vintage_map
from etl.model import (
    OBS_COLUMNS,
    STATUS_MISSING,
    STATUS_OK,
    SourceError,
    SourceResult,
    bytes_checksum,
    empty_areas,
)
from etl.settings import ConfigError, EtlSettings
from etl.sources.bag import bag_points, check_reject_share, summary_rejections
from etl.sources.tabular import is_excel, read_columns
from etl.staging import ChangeStatus, FileChange, StagedFile, StagedSource, Staging

logger = logging.getLogger(__name__)

KIND: Final = "registrations"
TABLE: Final = "registration_records"
PERIODS: Final = ("year", "quarter", "month")
DATA_SUFFIXES: Final = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")

REASON_BAD_DATE: Final = "bad_date"
REASON_UNKNOWN_CATEGORY: Final = "unknown_category"
REASON_NO_LOCATION: Final = "no_location"
REASON_OUTSIDE: Final = "outside"
REASON_TEXT: Final[dict[str, str]] = {
    REASON_BAD_DATE: "zonder (leesbare) datum",
    REASON_UNKNOWN_CATEGORY: "met een categorie die niet in de indeling staat",
    REASON_NO_LOCATION: "zonder bruikbare locatie (locatie onbekend)",
    REASON_OUTSIDE: "met een locatie buiten de gebieden van de gemeente",
}
UNLOCATED_SUFFIX: Final = "_locatie_onbekend"

_ID_RE: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS: Final = frozenset(
    {"name", "type", "path", "gemeenten", "boundary_year", "crs", "indicator", "label_nl",
     "label_en", "noun_nl", "noun_en", "theme", "definition_nl", "definition_en", "access",
     "publisher", "licence", "date_column", "date_format", "timezone", "category_column",
     "categories", "location", "id_column", "periods", "rates", "publish_unlocated",
     "bag_source", "sheet"}
)  # fmt: skip
_REQUIRED: Final = ("path", "gemeenten", "boundary_year", "indicator", "label_nl", "date_column")
_LOCATION_KINDS: Final[dict[frozenset[str], str]] = {
    frozenset({"lon", "lat"}): "lonlat",
    frozenset({"x", "y"}): "xy",
    frozenset({"x", "y", "crs"}): "xy",
    frozenset({"bag_id"}): "bag_id",
    frozenset({"postcode", "huisnummer"}): "address",
    frozenset({"postcode", "huisnummer", "huisletter"}): "address",
    frozenset({"postcode", "huisnummer", "toevoeging"}): "address",
    frozenset({"postcode", "huisnummer", "huisletter", "toevoeging"}): "address",
}
DDL: Final = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    file_id INTEGER NOT NULL, row BIGINT NOT NULL, record_id VARCHAR, occurred TIMESTAMP,
    category VARCHAR, lon DOUBLE, lat DOUBLE, bag_id BIGINT, postcode VARCHAR,
    huisnummer INTEGER, huisletter VARCHAR, toevoeging VARCHAR, reason VARCHAR,
    detail VARCHAR)"""


# --- configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """One category: its id (suffix of the indicator id), labels and the raw values."""

    id: str
    label_nl: str
    label_en: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class LocationMethod:
    """How a record is located: ``kind`` is ``lonlat``, ``xy``, ``bag_id`` or ``address``;
    ``columns`` maps the method's keys (``lon``, ``postcode``, ...) to file columns."""

    kind: str
    columns: dict[str, str]
    crs: str | None = None


@dataclass(frozen=True)
class Registration:
    """A registration type, from its sources entry (see :func:`parse_options`)."""

    indicator: str
    label_nl: str
    label_en: str
    noun_nl: str
    noun_en: str
    theme: str
    definition_nl: str
    definition_en: str
    access: str
    publisher: str
    licence: str
    date_column: str
    date_format: str | None
    timezone: str
    category_column: str | None
    categories: tuple[Category, ...]
    locations: tuple[LocationMethod, ...]
    id_column: str | None
    periods: tuple[str, ...]
    rates: tuple[str, ...]
    publish_unlocated: bool
    boundary_year: int
    bag_source: str | None
    sheet: str | int | None = None
    category_lookup: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def columns(self) -> list[str]:
        """Every file column this registration reads (and nothing else)."""
        cols = [self.date_column]
        if self.category_column:
            cols.append(self.category_column)
        if self.id_column:
            cols.append(self.id_column)
        for method in self.locations:
            cols += list(method.columns.values())
        return list(dict.fromkeys(cols))

    def fingerprint(self) -> str:
        """Digest of everything that decides how a file is read and staged."""
        payload = json.dumps(
            [
                self.columns,
                self.date_format,
                self.timezone,
                [(c.id, c.values) for c in self.categories],
                [(m.kind, m.columns, m.crs) for m in self.locations],
                self.sheet,
                2,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _text(entry: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key}: expected a non-empty text, got {value!r}")
    return value.strip()


def parse_options(entry: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """Check a ``type = "registrations"`` sources entry; return its options (the entry's own
    keys, checked). Errors name the entry and the key; see
    ``config/registraties.example.toml`` for every key."""
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)} for type 'registrations'")
    missing = [k for k in _REQUIRED if entry.get(k) in (None, "", [])]
    if missing:
        raise ConfigError(f"{where}: type 'registrations' needs {missing}")
    options = {k: v for k, v in entry.items() if k not in ("name", "type", "path", "gemeenten")}
    registration(options, where=where)  # fails fast on any bad value
    return options


def registration(options: Mapping[str, Any], *, where: str) -> Registration:
    """The typed :class:`Registration` of a checked options mapping."""
    indicator = _text(options, "indicator", where)
    if not _ID_RE.match(indicator):
        raise ConfigError(f"{where}.indicator: {indicator!r} is not a snake_case id (a-z, 0-9, _)")
    label_nl = _text(options, "label_nl", where)
    boundary_year = options.get("boundary_year")
    if isinstance(boundary_year, bool) or not isinstance(boundary_year, int):
        raise ConfigError(f"{where}.boundary_year: expected a year, got {boundary_year!r}")
    categories = _categories(options.get("categories"), where)
    category_column = options.get("category_column")
    if categories and not category_column:
        raise ConfigError(f"{where}: 'categories' needs 'category_column'")
    if category_column is not None and not categories:
        raise ConfigError(f"{where}: 'category_column' needs 'categories' (the mapping)")
    lookup: dict[str, str] = {}
    for cat in categories:
        for value in cat.values:
            key = value.strip().casefold()
            if key in lookup and lookup[key] != cat.id:
                raise ConfigError(
                    f"{where}.categories: value {value!r} is in both {lookup[key]!r} and {cat.id!r}"
                )
            lookup[key] = cat.id
    locations = _locations(options.get("location"), options.get("crs"), where)
    if any(m.kind in ("bag_id", "address") for m in locations) and not options.get("bag_source"):
        raise ConfigError(
            f"{where}.bag_source: locating by BAG id or address needs the name of a BAG source "
            "(with addresses = true)"
        )
    periods = options.get("periods", ["year"])
    if not isinstance(periods, list) or not periods or not set(periods) <= set(PERIODS):
        raise ConfigError(f"{where}.periods: expected a list of {list(PERIODS)}, got {periods!r}")
    rates = options.get("rates", [])
    if not isinstance(rates, list) or not all(isinstance(r, str) and r for r in rates):
        raise ConfigError(f"{where}.rates: expected a list of indicator ids, got {rates!r}")
    access = options.get("access", "internal")
    if access not in ("public", "internal"):
        raise ConfigError(f"{where}.access: expected 'public' or 'internal', got {access!r}")
    for key in ("publish_unlocated",):
        if not isinstance(options.get(key, False), bool):
            raise ConfigError(f"{where}.{key}: expected true or false")
    timezone = str(options.get("timezone", "Europe/Amsterdam"))
    try:
        pd.Timestamp("2020-01-01", tz=timezone)
    except (ValueError, KeyError) as e:
        raise ConfigError(f"{where}.timezone: unknown time zone {timezone!r}") from e
    sheet = options.get("sheet")
    if sheet is not None and not isinstance(sheet, (str, int)):
        raise ConfigError(f"{where}.sheet: expected a sheet name or number, got {sheet!r}")
    return Registration(
        indicator=indicator,
        label_nl=label_nl,
        label_en=str(options.get("label_en") or label_nl),
        noun_nl=str(options.get("noun_nl") or label_nl.lower()),
        noun_en=str(options.get("noun_en") or options.get("label_en") or label_nl).lower(),
        theme=str(options.get("theme") or "Eigen registraties"),
        definition_nl=str(
            options.get("definition_nl") or f"{label_nl}: aantal registraties in het gebied."
        ),
        definition_en=str(
            options.get("definition_en")
            or f"{options.get('label_en') or label_nl}: number of records in the area."
        ),
        access=str(access),
        publisher=str(options.get("publisher") or "Gemeente (eigen registratie)"),
        licence=str(options.get("licence") or "intern gebruik"),
        date_column=_text(options, "date_column", where),
        date_format=options.get("date_format"),
        timezone=timezone,
        category_column=category_column,
        categories=categories,
        locations=locations,
        id_column=options.get("id_column"),
        periods=tuple(p for p in PERIODS if p in periods),
        rates=tuple(rates),
        publish_unlocated=bool(options.get("publish_unlocated", False)),
        boundary_year=boundary_year,
        bag_source=options.get("bag_source"),
        sheet=sheet,
        category_lookup=lookup,
    )


def _categories(raw: Any, where: str) -> tuple[Category, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{where}.categories: expected a table of category id = values")
    out = []
    for cat_id, value in raw.items():
        key = f"{where}.categories.{cat_id}"
        if not _ID_RE.match(str(cat_id)):
            raise ConfigError(f"{key}: {cat_id!r} is not a snake_case id (a-z, 0-9, _)")
        if isinstance(value, str):
            values, label_nl, label_en = [value], value, value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            values, label_nl, label_en = value, value[0], value[0]
        elif isinstance(value, dict):
            vals = value.get("values")
            if not isinstance(vals, list) or not vals or not all(isinstance(v, str) for v in vals):
                raise ConfigError(f"{key}.values: expected a non-empty list of texts")
            unknown = set(value) - {"values", "label_nl", "label_en"}
            if unknown:
                raise ConfigError(f"{key}: unknown key(s) {sorted(unknown)}")
            values = vals
            label_nl = str(value.get("label_nl") or vals[0])
            label_en = str(value.get("label_en") or label_nl)
        else:
            raise ConfigError(
                f"{key}: expected a text, a list of texts or {{label_nl, values}}, got {value!r}"
            )
        out.append(Category(str(cat_id), label_nl, label_en, tuple(values)))
    return tuple(out)


def _locations(raw: Any, default_crs: Any, where: str) -> tuple[LocationMethod, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if raw is None or not items:
        raise ConfigError(
            f'{where}.location: required, e.g. {{ lon = "lng", lat = "lat" }}, '
            '{ x = "x", y = "y" } (RD), { bag_id = "..." } or '
            '{ postcode = "...", huisnummer = "..." }'
        )
    out = []
    for i, item in enumerate(items):
        key = f"{where}.location" + (f"[{i}]" if isinstance(raw, list) else "")
        if not isinstance(item, dict) or frozenset(item) not in _LOCATION_KINDS:
            raise ConfigError(
                f"{key}: expected lon+lat, x+y(+crs), bag_id, or postcode+huisnummer"
                f"(+huisletter, toevoeging), got {item!r}"
            )
        kind = _LOCATION_KINDS[frozenset(item)]
        columns = {k: str(v) for k, v in item.items() if k != "crs"}
        crs = item.get("crs") or (default_crs if kind == "xy" else None)
        if kind == "xy" and crs is None:
            crs = "EPSG:28992"
        out.append(LocationMethod(kind, columns, crs))
    return tuple(out)


# --- indicators -----------------------------------------------------------------------


def category_indicator(reg: Registration, category: Category) -> str:
    return f"{reg.indicator}_{category.id}"


def rate_indicator(reg: Registration, denominator: str) -> str:
    return f"{reg.indicator}_per_1000_{denominator}"


def indicators(reg: Registration) -> list[Indicator]:
    """The indicators a registration defines: the count, one per category, the rates and,
    with ``publish_unlocated``, the count of records without a location per gemeente."""
    common = {
        "theme": reg.theme,
        "source": reg.publisher,
        "source_table": f"eigen registratie ({reg.indicator})",
        "licence": reg.licence,
        "access": reg.access,
    }
    out = [
        Indicator(reg.indicator, reg.label_nl, reg.label_en, unit="aantal",
                  definition_nl=reg.definition_nl, definition_en=reg.definition_en,
                  disclosure_rule="count", higher_is_better=False, **common),  # type: ignore[arg-type]
    ]  # fmt: skip
    for cat in reg.categories:
        out.append(
            Indicator(category_indicator(reg, cat), f"{reg.label_nl}: {cat.label_nl}",
                      f"{reg.label_en}: {cat.label_en}", unit="aantal",
                      definition_nl=f"{reg.definition_nl} Categorie: {cat.label_nl}.",
                      definition_en=f"{reg.definition_en} Category: {cat.label_en}.",
                      disclosure_rule="count", higher_is_better=False, **common)  # type: ignore[arg-type]
        )  # fmt: skip
    for den in reg.rates:
        base = catalogue.BY_ID.get(den)
        den_nl = base.label_nl.lower() if base else den
        den_en = base.label_en.lower() if base else den
        out.append(
            Indicator(rate_indicator(reg, den), f"{reg.label_nl} per 1.000 {den_nl}",
                      f"{reg.label_en} per 1,000 {den_en}", unit=f"per 1.000 {den_nl}",
                      definition_nl=f"Aantal {reg.noun_nl} per 1.000 {den_nl} in het gebied "
                      "(noemer: de laatst bekende waarde, niet later dan het jaar).",
                      definition_en=f"Number of {reg.noun_en} per 1,000 {den_en} in the area "
                      "(denominator: the latest known value, not after the year).",
                      decimals=1, aggregation="none", numerator=reg.indicator,
                      denominator=den, disclosure_rule="ratio", higher_is_better=False,
                      **common)  # type: ignore[arg-type]
        )  # fmt: skip
    if reg.publish_unlocated:
        out.append(
            Indicator(reg.indicator + UNLOCATED_SUFFIX, f"{reg.label_nl}, locatie onbekend",
                      f"{reg.label_en}, location unknown", unit="aantal",
                      definition_nl=f"{reg.label_nl} zonder bruikbare locatie, per gemeente "
                      "(niet in de buurt- en wijkcijfers geteld).",
                      definition_en=f"{reg.label_en} without a usable location, per "
                      "municipality (not in the neighbourhood figures).",
                      disclosure_rule="count", higher_is_better=False, **common)  # type: ignore[arg-type]
        )  # fmt: skip
    return out


def register_indicators(spec: SourceSpec) -> list[Indicator]:
    """Add the indicators of ``spec`` to the catalogue (once; again is a no-op).

    Raises :class:`ConfigError` when an id is already taken by another definition, or a rate
    names a denominator that is not in the catalogue.
    """
    reg = registration(spec.options, where=f"source {spec.name!r}")
    wanted = indicators(reg)
    for den in reg.rates:
        if den not in catalogue.BY_ID:
            raise ConfigError(
                f"source {spec.name!r}.rates: {den!r} is not an indicator of the catalogue "
                "(e.g. inwoners, woningen_bag, huishoudens)"
            )
    new = []
    for ind in wanted:
        known = catalogue.BY_ID.get(ind.id)
        if known is None:
            new.append(ind)
        elif known != ind:
            raise ConfigError(
                f"source {spec.name!r}: indicator id {ind.id!r} is already in the catalogue "
                "with another definition; choose another 'indicator'"
            )
    register(new)
    return wanted


def disclosure_mapping(specs: Sequence[SourceSpec]) -> dict[str, Any]:
    """What the registrations add to the disclosure rules (``DisclosureRules.from_mapping``):
    the nouns of the reasons per indicator and the category breakdowns (the categories add up
    to the total). Merge it into the rules file's mapping before building the rules, and
    build them with ``catalogue=all_indicators()``."""
    out: dict[str, Any] = {"indicators": {}, "breakdowns": {}}
    for spec in specs:
        if spec.type != KIND:
            continue
        reg = registration(spec.options, where=f"source {spec.name!r}")
        for ind in indicators(reg):
            out["indicators"][ind.id] = {"noun_nl": reg.noun_nl, "noun_en": reg.noun_en}
        if reg.categories:
            out["breakdowns"][f"{reg.indicator}_per_categorie"] = {
                "total": reg.indicator,
                "members": [category_indicator(reg, c) for c in reg.categories],
            }
    return out


# --- reading ----------------------------------------------------------------------------


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
        and p.suffix.lower() in DATA_SUFFIXES
    )


def parse_dates(values: pd.Series, date_format: str | None, timezone: str) -> pd.Series:
    """Local (``timezone``) naive timestamps; NaT where empty or unparseable.

    Text with an offset (``2025-04-30T11:56:09+00:00``) is converted to local time; text
    without one is taken as local time already. ``date_format`` is a strftime pattern (e.g.
    ``%d-%m-%Y``), or ``None`` for ISO 8601 (also with a space instead of ``T``).

    >>> parse_dates(pd.Series(["2025-12-31T23:30:00+00:00", "2025-06-01", "", "gisteren"]),
    ...             None, "Europe/Amsterdam").astype(str).tolist()
    ['2026-01-01 00:30:00', '2025-06-01 00:00:00', 'NaT', 'NaT']
    """
    text = values.astype(str).str.strip()
    text = text.where(text != "", None)
    fmt = date_format or "ISO8601"
    # An offset only counts after a time ("...T11:56:09+00:00", "... 23:30Z"): the "-2025" of
    # "30-06-2025" is not one.
    with_offset = text.str.contains(
        r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", regex=True, na=False
    )
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if with_offset.any():
        aware = pd.to_datetime(text[with_offset], format=fmt, errors="coerce", utc=True)
        out[with_offset] = (
            aware.dt.tz_convert(timezone).dt.tz_localize(None).astype("datetime64[ns]")
        )
    plain = ~with_offset & text.notna()
    if plain.any():
        out[plain] = pd.to_datetime(text[plain], format=fmt, errors="coerce").astype(
            "datetime64[ns]"
        )
    return out


def _numbers(values: pd.Series) -> np.ndarray:
    """Decimal numbers, also with a decimal comma (Dutch Excel); NaN where not a number."""
    text = values.astype(str).str.strip()
    text = text.where(~text.str.fullmatch(r"-?\d+,\d+"), text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)


def stage_rows(reg: Registration, frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """The staging rows of one file (columns of :data:`DDL` without ``file_id``)."""
    n = len(frame)
    occurred = parse_dates(frame[reg.date_column], reg.date_format, reg.timezone)
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    bad_date = occurred.isna().to_numpy()
    reason[bad_date] = REASON_BAD_DATE
    detail[bad_date] = frame[reg.date_column].to_numpy(dtype=object)[bad_date]
    category = np.full(n, None, dtype=object)
    if reg.category_column:
        raw = frame[reg.category_column].astype(str).str.strip()
        mapped = raw.str.casefold().map(reg.category_lookup)
        category = mapped.to_numpy(dtype=object)
        unknown = mapped.isna().to_numpy() & ~bad_date
        reason[unknown] = REASON_UNKNOWN_CATEGORY
        detail[unknown] = raw.to_numpy(dtype=object)[unknown]
    rows: dict[str, Any] = {
        "row": np.arange(first_row, first_row + n, dtype=np.int64),
        "record_id": frame[reg.id_column].astype(str).str.strip().to_numpy(dtype=object)
        if reg.id_column
        else np.full(n, None, dtype=object),
        "occurred": occurred.to_numpy(),
        "category": pd.Series(category, dtype=object).where(pd.notna(category), None).to_numpy(),
        "lon": np.full(n, np.nan),
        "lat": np.full(n, np.nan),
        "bag_id": pd.array([pd.NA] * n, dtype="Int64"),
        "postcode": np.full(n, None, dtype=object),
        "huisnummer": pd.array([pd.NA] * n, dtype="Int64"),
        "huisletter": np.full(n, None, dtype=object),
        "toevoeging": np.full(n, None, dtype=object),
    }
    # Coordinates of the first coordinate method that gives a usable point; BAG ids and
    # addresses are staged as given and looked up when the records are located.
    for method in reg.locations:
        if method.kind in ("lonlat", "xy"):
            a = _numbers(frame[method.columns["lon" if method.kind == "lonlat" else "x"]])
            b = _numbers(frame[method.columns["lat" if method.kind == "lonlat" else "y"]])
            if method.kind == "xy":
                lon, lat = _xy_to_wgs84(a, b, method.crs or "EPSG:28992")
            else:
                lon, lat = a, b
            usable = _in_nl(lon, lat) & np.isnan(rows["lon"])
            rows["lon"][usable] = lon[usable]
            rows["lat"][usable] = lat[usable]
        elif method.kind == "bag_id":
            ids = pd.to_numeric(frame[method.columns["bag_id"]].astype(str).str.strip(),
                                errors="coerce")  # fmt: skip
            rows["bag_id"] = pd.array(ids.where(ids % 1 == 0), dtype="Int64")
        else:
            postcode = frame[method.columns["postcode"]].astype(str)
            rows["postcode"] = normalise_postcode(postcode).to_numpy(dtype=object)
            nummer = pd.to_numeric(frame[method.columns["huisnummer"]].astype(str).str.strip(),
                                   errors="coerce")  # fmt: skip
            rows["huisnummer"] = pd.array(nummer.where(nummer % 1 == 0), dtype="Int64")
            for part in ("huisletter", "toevoeging"):
                if part in method.columns:
                    value = frame[method.columns[part]].astype(str).str.strip().str.upper()
                    rows[part] = value.where(value != "", None).to_numpy(dtype=object)
    rows["reason"] = pd.Series(reason, dtype=object)
    rows["detail"] = pd.Series(detail, dtype=object)
    return pd.DataFrame(rows)


def _xy_to_wgs84(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    if crs.upper() in ("EPSG:28992", "RD"):
        return rd_to_wgs84(x, y)
    series = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs).to_crs(4326)
    return series.x.to_numpy(), series.y.to_numpy()


def _in_nl(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Usable WGS84 coordinates: finite and in a box around the Netherlands (0,0 is not)."""
    return (
        np.isfinite(lon)
        & np.isfinite(lat)
        & (lon > 3.0)
        & (lon < 7.6)
        & (lat > 50.6)
        & (lat < 53.8)
    )


def normalise_postcode(values: pd.Series) -> pd.Series:
    """``"1234 ab"`` -> ``"1234AB"``; ``None`` when it is not a Dutch postcode.

    >>> normalise_postcode(pd.Series(["1234 ab", "12345", ""])).tolist()
    ['1234AB', None, None]
    """
    text = values.astype(str).str.replace(r"\s+", "", regex=True).str.upper().astype(object)
    ok = text.str.fullmatch(r"[1-9]\d{3}[A-Z]{2}").fillna(False).astype(bool)
    return text.where(ok, None)


# --- extract ------------------------------------------------------------------------------


def extract(
    spec: SourceSpec,
    staging: Staging,
    settings: EtlSettings,
    *,
    run_id: str | None = None,
) -> StagedSource:
    """Read the record files of ``spec`` (only the configured columns) into staging.

    A file whose checksum and reading configuration are unchanged, and whose records are still
    staged (see the retention of :mod:`etl.staging`), is not read again; a changed file
    replaces its earlier records completely; a removed file's records go. Raises
    :class:`SourceError` for a missing folder, a file without the configured columns, or a
    folder without record files.
    """
    reg = registration(spec.options, where=f"source {spec.name!r}")
    if spec.path is None or not spec.path.exists():
        raise SourceError("no such file or directory", source=spec.name, file=str(spec.path))
    files = _files(spec.path)
    if not files:
        raise SourceError(
            f"no record files ({', '.join(DATA_SUFFIXES)}) found", source=spec.name,
            file=str(spec.path),
        )  # fmt: skip
    staging.ensure_table(TABLE, DDL, personal=True)
    fp = reg.fingerprint()
    staged: list[StagedFile] = []
    changes: list[FileChange] = []
    rejected: dict[str, int] = {}
    rows_read = 0
    for path in files:
        label = str(path)
        checksum = staging.checksum(spec.name, path)
        previous = staging.previous(spec.name, label)
        reuse = staging.reusable(spec.name, label, checksum, fp)
        if reuse is not None:
            staging.touch(spec.name, label, run_id=run_id)
            staged.append(reuse)
            changes.append(FileChange(spec.name, label, "unchanged", checksum, checksum,
                                      read=False, rows=reuse.rows_read,
                                      rejected=reuse.rejected_by_reason))  # fmt: skip
            rows_read += reuse.rows_read
            for k, v in reuse.rejected_by_reason.items():
                rejected[k] = rejected.get(k, 0) + v
            continue
        table = read_columns(path, reg.columns, source=spec.name, sheet=reg.sheet)
        rows = stage_rows(reg, table.frame, table.first_row)
        by_reason = {str(k): int(v) for k, v in rows["reason"].value_counts().items()}
        result = staging.replace_file(
            source=spec.name, file=label, kind="excel" if is_excel(path) else "csv",
            checksum=checksum, config_fp=fp, records={TABLE: rows}, rows_read=len(rows),
            rejected_by_reason=by_reason, personal=True, path=path, run_id=run_id,
        )  # fmt: skip
        staged.append(result)
        status: ChangeStatus = "new" if previous is None else (
            "changed" if previous.checksum != checksum else "unchanged"
        )  # fmt: skip
        changes.append(FileChange(spec.name, label, status, checksum,
                                  previous.checksum if previous else None, read=True,
                                  rows=len(rows), rejected=by_reason))  # fmt: skip
        rows_read += len(rows)
        for k, v in by_reason.items():
            rejected[k] = rejected.get(k, 0) + v
    for gone in staging.forget_missing(spec.name, {str(p) for p in files}):
        changes.append(FileChange(spec.name, gone.file, "removed", None, gone.checksum,
                                  read=False))  # fmt: skip
    for change in changes:
        logger.info("event=staging_change %s", json.dumps(change.__dict__, default=str))
    return StagedSource(
        spec=spec,
        kind=KIND,
        label=str(spec.path),
        vintage=reg.boundary_year,
        period=None,
        files=staged,
        changes=changes,
        checksum=bytes_checksum(*(f"{f.file}:{f.checksum}".encode() for f in staged)),
        rows_read=rows_read,
        rejected=rejected,
        staging=staging,
        run_id=run_id,
    )


# --- aggregate ------------------------------------------------------------------------


def period_labels(occurred: pd.Series, granularity: str) -> pd.Series:
    """``2026``, ``2026-Q2`` or ``2026-06`` (the formats disclosure control adds up).

    >>> period_labels(pd.Series(pd.to_datetime(["2026-05-18"])), "quarter").tolist()
    ['2026-Q2']
    """
    if granularity == "year":
        return occurred.dt.year.astype("Int64").astype(str)
    if granularity == "quarter":
        return (
            occurred.dt.year.astype("Int64").astype(str)
            + "-Q"
            + occurred.dt.quarter.astype("Int64").astype(str)
        )
    return occurred.dt.strftime("%Y-%m")


def _all_periods(first: pd.Timestamp, last: pd.Timestamp, granularity: str) -> list[str]:
    """Every period from ``first`` to ``last`` (a quiet quarter gets zeros, not nothing)."""
    freq = {"year": "YS", "quarter": "QS", "month": "MS"}[granularity]
    start = first.to_period({"year": "Y", "quarter": "Q", "month": "M"}[granularity]).start_time
    stamps = pd.Series(pd.date_range(start, last, freq=freq))
    return period_labels(stamps, granularity).tolist()


def _load(staged: StagedSource) -> pd.DataFrame:
    ids = staged.file_ids
    if not ids:
        return pd.DataFrame(columns=["file_id", "row", "record_id", "occurred", "category", "lon",
                                     "lat", "bag_id", "postcode", "huisnummer", "huisletter",
                                     "toevoeging", "reason"])  # fmt: skip
    marks = ", ".join("?" for _ in ids)
    frame = staged.staging.con.execute(
        f"SELECT file_id, row, record_id, occurred, category, lon, lat, bag_id, postcode, "  # noqa: S608
        f"huisnummer, huisletter, toevoeging, reason FROM {TABLE} WHERE file_id IN ({marks}) "
        "AND (reason IS NULL OR reason IN (?, ?, ?, ?))",
        [*ids, REASON_BAD_DATE, REASON_UNKNOWN_CATEGORY, REASON_NO_LOCATION, REASON_OUTSIDE],
    ).df()
    order = {f: i for i, f in enumerate(ids)}
    frame["_rank"] = frame["file_id"].map(order)
    return frame


def _lookup_bag(frame: pd.DataFrame, reg: Registration, staging: Staging) -> pd.DataFrame:
    """Coordinates of records located by BAG id or address, where they have none yet."""
    if not any(m.kind in ("bag_id", "address") for m in reg.locations) or reg.bag_source is None:
        return frame
    points = bag_points(staging, reg.bag_source)
    if points.empty:
        raise SourceError(
            f"BAG source {reg.bag_source!r} staged no identifiers or addresses; set "
            "addresses = true on it and list it before this source",
            source=KIND,
            file=reg.bag_source,
        )
    need = frame["lon"].isna()
    by_id = points.drop_duplicates("id").set_index("id")[["lon", "lat"]]
    ids = frame.loc[need, "bag_id"]
    hit = ids.notna() & ids.isin(by_id.index)
    if hit.any():
        sel = ids[hit].astype("int64")
        frame.loc[sel.index, "lon"] = by_id.loc[sel, "lon"].to_numpy()
        frame.loc[sel.index, "lat"] = by_id.loc[sel, "lat"].to_numpy()
    need = frame["lon"].isna() & frame["postcode"].notna() & frame["huisnummer"].notna()
    if need.any():
        vbo = points[points["kind"] == "vbo"].copy()
        vbo["postcode"] = normalise_postcode(vbo["postcode"])
        vbo["huisletter"] = vbo["huisletter"].fillna("").str.upper()
        vbo["toevoeging"] = vbo["toevoeging"].fillna("").str.upper()
        vbo = vbo.sort_values(["postcode", "huisnummer", "huisletter", "toevoeging", "id"])
        full = vbo.drop_duplicates(["postcode", "huisnummer", "huisletter", "toevoeging"])
        first = vbo.drop_duplicates(["postcode", "huisnummer"])  # lowest letter/addition
        rec = frame.loc[need, ["postcode", "huisnummer", "huisletter", "toevoeging"]].copy()
        rec["huisletter"] = rec["huisletter"].fillna("")
        rec["toevoeging"] = rec["toevoeging"].fillna("")
        rec["huisnummer"] = rec["huisnummer"].astype("int64")
        exact = (
            rec.reset_index()
            .merge(full, on=["postcode", "huisnummer", "huisletter", "toevoeging"], how="left")
            .set_index("index")
        )
        loose = rec.reset_index().merge(
            first[["postcode", "huisnummer", "lon", "lat"]], on=["postcode", "huisnummer"],
            how="left",
        ).set_index("index")  # fmt: skip
        # A record without letter or addition takes the first address of the number.
        plain = (rec["huisletter"] == "") & (rec["toevoeging"] == "")
        lon = exact["lon"].where(exact["lon"].notna() | ~plain, loose["lon"])
        lat = exact["lat"].where(exact["lat"].notna() | ~plain, loose["lat"])
        frame.loc[lon.index, "lon"] = lon.to_numpy()
        frame.loc[lat.index, "lat"] = lat.to_numpy()
    return frame


def _denominators(observations: pd.DataFrame | None, indicator: str, vintage: int) -> pd.DataFrame:
    """Per area the denominator's values by period year (ok only)."""
    if observations is None or observations.empty:
        return pd.DataFrame(columns=["area_code", "year", "value"])
    sel = observations[
        (observations["indicator_id"] == indicator)
        & (observations["vintage"].astype("int64") == vintage)
        & (observations["status"] == STATUS_OK)
    ]
    years = pd.to_numeric(sel["period"].astype(str).str[:4], errors="coerce")
    out = pd.DataFrame(
        {"area_code": sel["area_code"], "year": years, "value": sel["value"].astype(float)}
    ).dropna()
    # Yearly figures first; several periods in one year: the latest.
    return out.sort_values(["area_code", "year"]).drop_duplicates(
        ["area_code", "year"], keep="last"
    )


def aggregate(
    staged: StagedSource,
    boundaries: gpd.GeoDataFrame,
    areas: pd.DataFrame,
    *,
    observations: pd.DataFrame | None = None,
    settings: EtlSettings | None = None,
) -> SourceResult:
    """Locate the staged records and count them per area, period and category.

    ``boundaries``/``areas`` are the run's merged boundaries and areas; ``observations`` the
    figures of the run so far (CBS, BAG) for the rates' denominators. Returns the
    observations of the registration's indicators and one summary rejection per reason; the
    rejected records get their reason in staging. Raises :class:`SourceError` when the
    boundary year is missing or too many records are rejected.
    """
    spec = staged.spec
    reg = registration(spec.options, where=f"source {spec.name!r}")
    try:
        vmap = vintage_map(boundaries, staged.vintage, areas=areas, gemeenten=spec.gemeenten)
    except LookupError as e:
        raise SourceError(
            f"{e}: add a boundary source for {staged.vintage} or change boundary_year",
            source=spec.name,
            file=staged.label,
        ) from e
    frame = _load(staged)
    duplicates = 0
    if reg.id_column and len(frame):
        # Last file (in name order) wins; records without an id all count.
        frame = frame.sort_values(["_rank", "row"], kind="stable")
        dup = frame["record_id"].notna() & frame.duplicated("record_id", keep="last")
        duplicates = int(dup.sum())
        frame = frame[~dup]
    # Reasons decided by locating are decided again in every run.
    frame["reason"] = frame["reason"].where(
        ~frame["reason"].isin([REASON_NO_LOCATION, REASON_OUTSIDE]), None
    )
    frame = _lookup_bag(frame, reg, staged.staging)
    candidates = frame["reason"].isna().to_numpy()
    has_point = frame["lon"].notna().to_numpy()
    frame.loc[candidates & ~has_point, "reason"] = REASON_NO_LOCATION
    located = np.full(len(frame), -1, dtype=np.int64)
    try_locate = candidates & has_point
    located[try_locate] = vmap.locate(
        frame.loc[try_locate, "lon"].to_numpy(dtype=np.float64),
        frame.loc[try_locate, "lat"].to_numpy(dtype=np.float64),
    )
    frame.loc[try_locate & (located < 0), "reason"] = REASON_OUTSIDE
    _store_reasons(staged, frame)

    counted = frame["reason"].isna().to_numpy()
    occurred = pd.to_datetime(frame["occurred"])
    parts: list[pd.DataFrame] = []
    for granularity in reg.periods:
        labels = period_labels(occurred, granularity)
        valid = occurred.notna().to_numpy()
        if not valid.any():
            continue
        first, last = occurred[valid].min(), occurred[valid].max()
        for period in _all_periods(first, last, granularity):
            in_period = (labels == period).to_numpy() & counted
            parts.append(_figures(vmap, located, in_period, reg.indicator, period))
            for cat in reg.categories:
                mask = in_period & (frame["category"] == cat.id).to_numpy()
                parts.append(_figures(vmap, located, mask, category_indicator(reg, cat), period))
            if reg.publish_unlocated:
                unlocated = (labels == period).to_numpy() & (
                    frame["reason"] == REASON_NO_LOCATION
                ).to_numpy()
                parts.append(_unlocated(vmap, areas, spec, reg, int(unlocated.sum()), period))
    result_obs = pd.concat(parts, ignore_index=True) if parts else _empty_obs()
    for den in reg.rates:
        result_obs = pd.concat(
            [result_obs, _rates(result_obs, reg, den, observations, vmap.vintage)],
            ignore_index=True,
        )
    by_reason = {str(k): int(v) for k, v in frame["reason"].value_counts().items()}
    result = SourceResult(
        source=spec.name,
        file=staged.label,
        kind=KIND,
        checksum=staged.checksum,
        areas=empty_areas(),
        observations=result_obs[OBS_COLUMNS].astype({"vintage": "int64", "value": "float64"}),
        rejected=summary_rejections(spec.name, staged.label, by_reason, REASON_TEXT),
        rows_read=staged.rows_read,
        vintages=[vmap.vintage],
    )
    logger.info(
        "event=registrations_aggregated source=%s vintage=%d records=%d counted=%d "
        "duplicates=%d rejected=%s observations=%d",
        spec.name,
        vmap.vintage,
        len(frame),
        int(counted.sum()),
        duplicates,
        json.dumps(by_reason, sort_keys=True),
        len(result.observations),
    )
    check_reject_share(spec.name, staged.label, by_reason, len(frame), settings)
    return result


def _store_reasons(staged: StagedSource, frame: pd.DataFrame) -> None:
    """Write the located-or-not reasons back to staging (for inspection)."""
    con = staged.staging.con
    ids = staged.file_ids
    if not ids:
        return
    marks = ", ".join("?" for _ in ids)
    con.execute(
        f"UPDATE {TABLE} SET reason = NULL WHERE reason IN (?, ?) AND file_id IN ({marks})",  # noqa: S608
        [REASON_NO_LOCATION, REASON_OUTSIDE, *ids],
    )
    bad = frame[frame["reason"].isin([REASON_NO_LOCATION, REASON_OUTSIDE])]
    if bad.empty:
        return
    con.register("located_reasons", bad[["file_id", "row", "reason"]])
    con.execute(
        f"UPDATE {TABLE} SET reason = r.reason FROM located_reasons r "  # noqa: S608
        f"WHERE {TABLE}.file_id = r.file_id AND {TABLE}.row = r.row"
    )
    con.unregister("located_reasons")


def _empty_obs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in OBS_COLUMNS}).astype(
        {"vintage": "int64", "value": "float64"}
    )


def _figures(
    vmap: VintageMap, located: np.ndarray, mask: np.ndarray, indicator: str, period: str
) -> pd.DataFrame:
    counts = vmap.counts(located, mask=mask)
    frames = [
        pd.DataFrame({"area_code": vmap.outputs[level], "vintage": vmap.vintage,
                      "period": period, "indicator_id": indicator, "value": values,
                      "status": STATUS_OK, "reason": None})
        for level, values in counts.items()
        if vmap.outputs[level]
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True) if frames else _empty_obs()


def _unlocated(
    vmap: VintageMap,
    areas: pd.DataFrame,
    spec: SourceSpec,
    reg: Registration,
    count: int,
    period: str,
) -> pd.DataFrame:
    """The records without a location of one period, on the gemeente (when there is one)."""
    if len(spec.gemeenten) != 1:
        return _empty_obs()
    gm = spec.gemeenten[0]
    known = areas[(areas["vintage"].astype("int64") == vmap.vintage) & (areas["code"] == gm)]
    if known.empty:
        logger.info("event=unlocated_not_published source=%s reason=no_gemeente_%d", spec.name,
                    vmap.vintage)  # fmt: skip
        return _empty_obs()
    return pd.DataFrame(
        {"area_code": [gm], "vintage": [vmap.vintage], "period": [period],
         "indicator_id": [reg.indicator + UNLOCATED_SUFFIX], "value": [float(count)],
         "status": [STATUS_OK], "reason": [None]}
    )  # fmt: skip


def _rates(
    counts: pd.DataFrame,
    reg: Registration,
    denominator: str,
    observations: pd.DataFrame | None,
    vintage: int,
) -> pd.DataFrame:
    """Count per 1,000 of ``denominator``: its latest value not after the period's year."""
    base = counts[counts["indicator_id"] == reg.indicator].copy()
    if base.empty:
        return _empty_obs()
    dens = _denominators(observations, denominator, vintage)
    base["year"] = pd.to_numeric(base["period"].astype(str).str[:4]).astype("int64")
    base["area_code"] = base["area_code"].astype(object)
    base = base.sort_values("year", kind="stable")
    if dens.empty:
        base["den"] = np.nan
    else:
        dens = dens.astype({"year": "int64", "value": "float64", "area_code": object})
        base = pd.merge_asof(
            base, dens.sort_values("year").rename(columns={"value": "den"}), on="year",
            by="area_code", direction="backward",
        )  # fmt: skip
    ok = base["den"].notna() & (base["den"] > 0)
    value = np.where(ok, 1000.0 * base["value"] / base["den"].where(ok, 1.0), np.nan)
    den_label = (
        catalogue.BY_ID[denominator].label_nl.lower()
        if denominator in catalogue.BY_ID
        else denominator
    )
    return pd.DataFrame(
        {
            "area_code": base["area_code"].to_numpy(),
            "vintage": vintage,
            "period": base["period"].to_numpy(),
            "indicator_id": rate_indicator(reg, denominator),
            "value": value,
            "status": np.where(ok, STATUS_OK, STATUS_MISSING),
            "reason": pd.Series(
                [None if k else f"geen aantal {den_label} bekend voor dit gebied" for k in ok],
                dtype=object,
            ).to_numpy(),
        }
    )


def registration_sources(specs: Sequence[SourceSpec]) -> list[SourceSpec]:
    """The registration specs among ``specs`` (in order)."""
    return [s for s in specs if s.type == KIND]


def catalogue_ids() -> set[str]:
    """Every indicator id known in this process (built in and registered)."""
    return {i.id for i in all_indicators()}
