# SPDX-License-Identifier: EUPL-1.2
"""CBS Kerncijfers wijken en buurten (KWB) from StatLine's OData services, v3 and v4.

What was verified, and where (no internet here: stored copies of public repositories and
pages, searched with the project's reference tools; see the report of the issue):

OData v3 (``https://opendata.cbs.nl/ODataApi/odata/<table>/`` and ``/ODataFeed/odata/``)

- Entity sets ``TypedDataSet``, ``DataProperties``, ``TableInfos`` and one per dimension;
  answers are ``{"odata.metadata": ..., "value": [...]}`` and further pages are linked by
  ``"odata.nextLink"`` (client code in J535D165/cbsodata ``cbsodata/cbsodata3.py``, which
  follows ``res['odata.nextLink']`` and uses ``ODataFeed/odata`` as its bulk base).
- ``ODataApi`` answers at most 10,000 rows; a query that would return more fails with
  HTTP 500 "query returns more than 10000 records" (two independent project notes found
  via code search, one for 85984NED); scripts page it with ``$top``/``$skip``.
  ``/TypedDataSet/$count`` exists (gist FrieseWoudloper/e31d865f...: ``.../84314NED/
  UntypedDataSet/$count``). We therefore page with ``$top``/``$skip`` when there is no
  ``odata.nextLink``, ask ``$count`` first and check that every row arrived.
- The region dimension of 85984NED: ``DataProperties`` entry ``{"odata.type":
  "Cbs.OData.GeoDetail", "Type": "GeoDetail", "Key": "WijkenEnBuurten", "MapYear": 2024}``;
  topics ``Gemeentenaam_1``, ``SoortRegio_2``, ``Codering_3``,
  ``IndelingswijzigingGemeenteWijkBuurt_4``, ``AantalInwoners_5``, ``Mannen_6``,
  ``Vrouwen_7``, ..., ``Bevolkingsdichtheid_34``, ``Woningvoorraad_35``, ...,
  ``OppervlakteTotaal_122``, ``OppervlakteLand_123``, ``OppervlakteWater_124`` with
  ``Datatype`` ``Long``/``Double``/``String`` (stored DataProperties.json of 85984NED in
  niquedegraaff/Wikipedia-Generator-CBS-Kerncijfers-Wijken-en-Buurten, commit 5598198).
  We read the GeoDetail key from DataProperties instead of assuming ``WijkenEnBuurten``
  (one project notes that 2013's table uses another region field).
- Region keys are padded with spaces to 10 characters (``'GM0363    '``); ``eq`` needs the
  padded key, ``startswith(WijkenEnBuurten,'BU0599')`` works, and a ``$filter`` on a topic
  column such as ``SoortRegio_2`` does not (HTTP 500). We filter with ``startswith`` on
  the dimension, which needs no padding.
- Region names are not a column of TypedDataSet: the dimension entity set
  (``/WijkenEnBuurten``, fields ``Key``, ``Title``, ``Description``, ``DetailRegionCode``,
  ``Municipality``, ``CategoryGroupID``) holds them (cbsodataR examples). The official
  names are kept as they are, also when they start with "Wijk 01" (Den Helder's wijken
  are officially called that, as in the CBS gebiedsindelingen).

OData v4 (``https://odata4.cbs.nl/CBS/<table>/``, also ``datasets.cbs.nl/odata/v1/CBS``)

- ``Observations`` in long format: ``{"Id", "Measure", "ValueAttribute", "Value",
  "StringValue", "<Dimension>"}``; pages linked by ``"@odata.nextLink"``
  (statistiekcbs/CBS-Open-Data-v4 ``Python/basics.py``; cbsodata ``cbsodata4.py``).
- ``MeasureCodes`` with ``Identifier``, ``Title``, ``Unit``, ``DataType``, ...;
  ``WijkenEnBuurtenCodes`` with ``Identifier`` (not padded; ``$filter=WijkenEnBuurten eq
  'GM0363'`` in the CBS examples), ``Title`` and ``DimensionGroupId``.
- ``ValueAttribute`` is ``"None"`` for a normal value; a missing value has
  ``"Value": null`` and another attribute (e.g. ``"."``).
- Measure identifiers of the KWB tables (:data:`V4_MEASURES`): from a crosswalk that
  matched every ``MeasureCodes`` title of 86165NED (2025) against the KWB columns
  (``T001036`` a_inw, ``3000`` a_man, ``4000`` a_vrouw, ``M000100`` bev_dich,
  ``M000297`` a_woning, ``T001455_2`` a_opp_ha, ``A047044`` a_lan_ha, ``A047040``
  a_wat_ha, ``1050010_2`` a_hh, ``M000114`` g_hhgro, ``M001642`` g_wozbag, ...) and
  independent client code that uses the same identifiers for 85984NED (2024).

Table ids per year (:data:`KWB_TABLES`): 2013 82339NED ... 2025 86165NED, the same list
in several independent repositories (e.g. a dataverbinders flow with 2013-2019, an R
loader with 2013-2020, two Python scripts with the full 2013-2025 list); one README that
labels 84799NED as 2022 is contradicted by all others.

Not verified (no stored example found): the exact form of CBS's ``odata.nextLink`` (we
follow whatever link comes back), whether ``$count`` honours ``$filter`` (it should, in
OData v3; without ``$count`` the completeness check is skipped with a warning), and v4's
exact ``ValueAttribute`` vocabulary.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from etl.http import HttpClient, HttpError, JsonResponse, Params
from etl.indicators import indicator_for_column, map_columns, normalise_column
from etl.model import (
    AREA_COLUMNS,
    CBS_SPECIAL_VALUES,
    OBS_COLUMNS,
    NotANumber,
    Rejection,
    SourceError,
    SourceResult,
    bytes_checksum,
    gemeente_of,
    level_of,
    normalise_code,
    parent_of,
    parse_cbs_value,
)
from etl.settings import DEFAULT_CBS_ODATA_V3, DEFAULT_CBS_ODATA_V4, ConfigError

logger = logging.getLogger(__name__)

#: CBS "Kerncijfers wijken en buurten <year>": the one table of ids in the code.
KWB_TABLES: Final[dict[int, str]] = {
    2013: "82339NED",
    2014: "82931NED",
    2015: "83220NED",
    2016: "83487NED",
    2017: "83765NED",
    2018: "84286NED",
    2019: "84583NED",
    2020: "84799NED",
    2021: "85039NED",
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
    2025: "86165NED",
}

#: OData v4 measure identifiers of the KWB tables -> indicator id. Checked against the
#: table's own MeasureCodes titles at run time (see :func:`measure_mapping_v4`).
V4_MEASURES: Final[dict[str, str]] = {
    "T001036": "inwoners",
    "3000": "mannen",
    "4000": "vrouwen",
    "10680": "inwoners_0_14_jaar",
    "80200": "inwoners_65_plus",
    "M000100": "bevolkingsdichtheid",
    "1050010_2": "huishoudens",
    "M000114": "gemiddelde_huishoudensgrootte",
    "M000297": "woningvoorraad",
    "M001642": "gemiddelde_woz_waarde",
    "A018943_2": "personenautos",
    "M000368": "personenautos_per_huishouden",
    "D006842": "bijstandsuitkeringen",
    "T001455_2": "oppervlakte_totaal",
    "A047044": "oppervlakte_land",
    "A047040": "oppervlakte_water",
}

KIND_V3: Final = "cbs_odata_v3"
KIND_V4: Final = "cbs_odata_v4"
#: ODataApi's row limit; also our page size for ``$top``/``$skip`` paging.
V3_PAGE_SIZE: Final = 10_000
#: A feed that keeps sending pages beyond this is broken (the largest KWB table has
#: ~18,000 rows; v4 about 2.5 million observations at 10,000 per page).
MAX_PAGES: Final = 2_000
_NUMERIC_V3: Final = frozenset({"Long", "Double", "Float", "Integer", "Decimal", "Short"})
_NO_VALUE_ATTRIBUTES: Final = frozenset({"None", "", None})


# --- tables and gemeenten ---------------------------------------------------------------


def kwb_table(year: int) -> str:
    """The StatLine table id of Kerncijfers wijken en buurten of ``year``.

    >>> kwb_table(2024)
    '85984NED'
    """
    try:
        return KWB_TABLES[year]
    except KeyError as e:
        raise ConfigError(
            f"no CBS Kerncijfers wijken en buurten table known for {year} "
            f"(known: {min(KWB_TABLES)}-{max(KWB_TABLES)}); give the table id instead"
        ) from e


def kwb_year(table_id: str) -> int | None:
    """The year of a KWB table id, or ``None`` for another table.

    >>> kwb_year("85984ned"), kwb_year("70072NED")
    (2024, None)
    """
    wanted = table_id.strip().upper()
    return next((year for year, tid in KWB_TABLES.items() if tid == wanted), None)


def normalise_gemeenten(gemeenten: Iterable[str] | None) -> list[str] | None:
    """``["gm0392", "0400"]`` -> ``["GM0392", "GM0400"]``; ``None``/empty means all.

    >>> normalise_gemeenten(["gm0392", "0400", "GM0392"])
    ['GM0392', 'GM0400']
    """
    if not gemeenten:
        return None
    result: list[str] = []
    for raw in gemeenten:
        text = str(raw).strip().upper()
        code = normalise_code(text if text.startswith("GM") else "GM" + text)
        if code is None or not code.startswith("GM"):
            raise ConfigError(f"{raw!r} is not a gemeente code (GMxxxx)")
        if code not in result:
            result.append(code)
    return result


def _resolve_table(table: str | int, year: int | None) -> tuple[str, int | None]:
    if isinstance(table, int):
        return kwb_table(table), year if year is not None else table
    table_id = table.strip().upper()
    if not re.fullmatch(r"[0-9A-Z]{5,12}", table_id):
        raise ConfigError(f"{table!r} is not a StatLine table id such as '85984NED'")
    return table_id, year if year is not None else kwb_year(table_id)


def startswith_filter(field_name: str, gemeenten: list[str] | None) -> str | None:
    """An OData ``$filter`` that keeps the gemeenten and their wijken and buurten.

    >>> startswith_filter("Key", ["GM0392"]).split(" or ")
    ["startswith(Key,'GM0392')", "startswith(Key,'WK0392')", "startswith(Key,'BU0392')"]
    """
    if not gemeenten:
        return None
    clauses = [
        f"startswith({field_name},'{prefix}{gm[2:]}')"
        for gm in gemeenten
        for prefix in ("GM", "WK", "BU")
    ]
    return " or ".join(clauses)


# --- shared building of the result ------------------------------------------------------


@dataclass
class ResultBuilder:
    """Collects areas, observations and rejections of one online table or collection.

    Shared by the OData and PDOK readers: one code path turns region keys into areas and
    cells into observations or rejections.
    """

    source: str
    file: str
    vintage: int
    gemeenten: list[str] | None
    areas: dict[str, dict[str, Any]] = field(default_factory=dict)
    observations: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)
    skipped: dict[str, int] = field(default_factory=dict)

    def reject(self, row: int | None, field_name: str | None, value: object, reason: str) -> None:
        text = None if value is None else str(value)
        self.rejected.append(Rejection(self.source, self.file, row, field_name, text, reason))

    def area_code(self, raw: object, row: int, field_name: str) -> str | None:
        """The canonical GM/WK/BU code of a region key, or ``None`` when the row is skipped.

        Other region kinds (``NL00``, landsdelen ``LD``, provincies ``PV``, ...) are no
        error: the table holds them, we do not use them.
        """
        code = normalise_code(raw)
        if code is None:
            key = str(raw).strip() if raw is not None else ""
            if not key:
                self.reject(row, field_name, raw, "no region code")
            else:
                kind = key[:2] or key
                self.skipped[kind] = self.skipped.get(kind, 0) + 1
                logger.debug("event=skip_region source=%s key=%r row=%d", self.source, key, row)
            return None
        if self.gemeenten is not None and gemeente_of(code) not in self.gemeenten:
            self.skipped["other gemeente"] = self.skipped.get("other gemeente", 0) + 1
            return None
        return code

    def add_area(self, code: str, name: object) -> None:
        clean = str(name).strip() if name is not None else ""
        current = self.areas.get(code)
        if current is not None:
            if not current["name"] and clean:
                current["name"] = clean
            return
        self.areas[code] = {
            "code": code,
            "vintage": self.vintage,
            "level": level_of(code),
            "name": clean or None,
            "parent_code": parent_of(code),
            "gemeente_code": gemeente_of(code),
        }

    def add_value(
        self,
        code: str,
        indicator: str,
        raw: object,
        row: int,
        field_name: str,
        *,
        missing_reason: str | None = None,
    ) -> None:
        if (code, indicator) in self._seen:
            self.reject(row, field_name, raw, f"duplicate value for {code} / {indicator}")
            return
        try:
            value, status, reason = parse_cbs_value(raw)
        except NotANumber:
            self.reject(row, field_name, raw, "neither a number nor a CBS code")
            return
        if value is None and raw is None and missing_reason:
            reason = missing_reason
        self._seen.add((code, indicator))
        self.observations.append(
            {
                "area_code": code,
                "vintage": self.vintage,
                "period": str(self.vintage),
                "indicator_id": indicator,
                "value": value,
                "status": status,
                "reason": reason,
            }
        )

    def result(self, *, kind: str, bodies: list[bytes], rows_read: int) -> SourceResult:
        # dtype=object: None stays None (as in the file readers and model.empty_*)
        areas = pd.DataFrame(list(self.areas.values()), columns=AREA_COLUMNS, dtype=object).astype(
            {"vintage": "int64"}
        )
        observations = pd.DataFrame(self.observations, columns=OBS_COLUMNS, dtype=object).astype(
            {"vintage": "int64", "value": "float64"}
        )
        if self.skipped:
            logger.info(
                "event=regions_skipped source=%s %s",
                self.source,
                " ".join(f"{k.replace(' ', '_')}={v}" for k, v in sorted(self.skipped.items())),
            )
        logger.info(
            "event=extract source=%s kind=%s rows_read=%d areas=%d observations=%d rejected=%d",
            self.source,
            kind,
            rows_read,
            len(areas),
            len(observations),
            len(self.rejected),
        )
        return SourceResult(
            source=self.source,
            file=self.file,
            kind=kind,
            checksum=bytes_checksum(*bodies),
            areas=areas,
            observations=observations,
            geometries=None,
            rejected=self.rejected,
            rows_read=rows_read,
            vintages=[self.vintage],
        )


def _value_list(page: JsonResponse, source: str) -> list[dict[str, Any]]:
    value = page.data.get("value") if isinstance(page.data, dict) else None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise HttpError(
            "unexpected answer: no list of records under 'value'", source=source, url=page.url
        )
    return value


def _collect(
    client: HttpClient,
    url: str,
    *,
    source: str,
    params: Params | None,
    next_key: str,
    bodies: list[bytes],
) -> list[dict[str, Any]]:
    """All records of an OData entity set, following the server's next links."""
    records: list[dict[str, Any]] = []
    next_url: str | None = url
    next_params = params
    followed: set[str] = set()
    while next_url is not None:
        if len(followed) >= MAX_PAGES:
            raise HttpError(f"more than {MAX_PAGES} pages; stopped", source=source, url=url)
        page = client.get_json(next_url, source=source, params=next_params)
        bodies.append(page.content)
        records.extend(_value_list(page, source))
        link = page.data.get(next_key)
        if link is not None and (not isinstance(link, str) or link in followed):
            raise HttpError(f"invalid or repeated {next_key} {link!r}", source=source, url=page.url)
        if link is not None:
            followed.add(link)
        next_url, next_params = link, None
    return records


# --- OData v3 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class V3Layout:
    """What a v3 table's DataProperties say: region dimension, name column, indicators."""

    region_key: str
    map_year: int | None
    name_key: str | None
    columns: dict[str, str]  # topic key -> indicator id


def v3_layout(properties: list[dict[str, Any]]) -> V3Layout:
    """Read the region dimension and the catalogue indicators from ``DataProperties``.

    Only numeric topics are mapped; columns are matched by :func:`map_columns` (StatLine's
    ``_<n>`` suffix is ignored, so ``AantalInwoners_5`` and ``AantalInwoners_8`` of
    another year both give ``inwoners``).
    """
    geo = [p for p in properties if p.get("Type") in ("GeoDetail", "GeoDimension")]
    if not geo or not geo[0].get("Key"):
        raise ValueError("DataProperties has no GeoDetail (region) dimension")
    topics = [p for p in properties if p.get("Type") == "Topic" and p.get("Key")]
    name_key = next(
        (str(p["Key"]) for p in topics if normalise_column(str(p["Key"])) == "gemeentenaam"),
        None,
    )
    numeric = [str(p["Key"]) for p in topics if p.get("Datatype") in _NUMERIC_V3]
    map_year = geo[0].get("MapYear")
    return V3Layout(
        region_key=str(geo[0]["Key"]),
        map_year=int(map_year) if isinstance(map_year, int) else None,
        name_key=name_key,
        columns=map_columns(numeric),
    )


def read_odata_v3(
    table: str | int,
    *,
    client: HttpClient,
    base_url: str = DEFAULT_CBS_ODATA_V3,
    gemeenten: Iterable[str] | None = None,
    source: str = KIND_V3,
    year: int | None = None,
    page_size: int = V3_PAGE_SIZE,
) -> SourceResult:
    """Read a KWB table (``table`` = year or id) from CBS OData v3 into a SourceResult.

    ``base_url`` is ``.../ODataApi/odata`` (at most 10,000 rows per answer; we page with
    ``$top``/``$skip``) or ``.../ODataFeed/odata`` (server pages with ``odata.nextLink``).
    ``gemeenten`` (GM codes) limits the rows to those gemeenten and their wijken and
    buurten, on the server with ``$filter`` and again here. Only the region key, the
    gemeente name and the columns that hold catalogue indicators are requested
    (``$select``). ``year`` is needed only for a table that is not in :data:`KWB_TABLES`
    and whose DataProperties have no ``MapYear``.

    Areas come from the region key (GM/WK/BU only; ``NL00`` and the like are skipped) with
    names from the region dimension; each mapped cell becomes an observation with
    ``period`` = the year. A cell that is neither a number nor a CBS code is rejected with
    ``row`` = its 0-based index in the feed and ``field`` = the column key.
    """
    table_id, vintage = _resolve_table(table, year)
    wanted = normalise_gemeenten(gemeenten)
    root = f"{base_url.rstrip('/')}/{table_id}"
    data_url = f"{root}/TypedDataSet"
    bodies: list[bytes] = []

    properties = _v3_read_all(
        client,
        f"{root}/DataProperties",
        {"$format": "json"},
        source=source,
        page_size=page_size,
        bodies=bodies,
    )
    try:
        layout = v3_layout(properties)
    except ValueError as e:
        raise SourceError(str(e), source=source, file=f"{root}/DataProperties") from e
    if vintage is None:
        vintage = layout.map_year
    if vintage is None:
        raise SourceError(
            "cannot tell the year of this table (not a known KWB table, no MapYear); pass year=",
            source=source,
            file=f"{root}/DataProperties",
        )
    if layout.map_year is not None and layout.map_year != vintage:
        logger.warning(
            "event=year_mismatch source=%s table=%s year=%d map_year=%d",
            source,
            table_id,
            vintage,
            layout.map_year,
        )
    if not layout.columns:
        raise SourceError(
            "no column of this table holds an indicator of the catalogue",
            source=source,
            file=f"{root}/DataProperties",
        )
    logger.info(
        "event=columns source=%s table=%s mapping=%s",
        source,
        table_id,
        ",".join(f"{k}:{v}" for k, v in layout.columns.items()),
    )
    region = layout.region_key
    names = _v3_region_names(
        client, root, region, wanted, source=source, bodies=bodies, page_size=page_size
    )

    row_filter = startswith_filter(region, wanted)
    select = [region, *([layout.name_key] if layout.name_key else []), *layout.columns]
    params: dict[str, str | int] = {"$format": "json", "$select": ",".join(select)}
    if row_filter:
        params["$filter"] = row_filter
    rows = _v3_read_all(client, data_url, params, source=source, page_size=page_size, bodies=bodies)

    builder = ResultBuilder(source=source, file=data_url, vintage=vintage, gemeenten=wanted)
    for index, row in enumerate(rows):
        code = builder.area_code(row.get(region), index, region)
        if code is None:
            continue
        name = names.get(code)
        if name is None and code.startswith("GM") and layout.name_key:
            name = row.get(layout.name_key)
        builder.add_area(code, name)
        for column, indicator in layout.columns.items():
            if column not in row:
                builder.reject(index, column, None, "column missing from the answer")
                continue
            builder.add_value(code, indicator, row[column], index, column)
    return builder.result(kind=KIND_V3, bodies=bodies, rows_read=len(rows))


def _v3_region_names(
    client: HttpClient,
    root: str,
    region: str,
    gemeenten: list[str] | None,
    *,
    source: str,
    bodies: list[bytes],
    page_size: int,
) -> dict[str, str]:
    """``{code: name}`` from the region dimension (about 18,000 entries for all of NL,
    more than ODataApi's 10,000: paged like the data)."""
    params: dict[str, str | int] = {"$format": "json", "$select": "Key,Title"}
    key_filter = startswith_filter("Key", gemeenten)
    if key_filter:
        params["$filter"] = key_filter
    records = _v3_read_all(
        client, f"{root}/{region}", params, source=source, page_size=page_size, bodies=bodies
    )
    names: dict[str, str] = {}
    for record in records:
        code = normalise_code(record.get("Key"))
        title = str(record.get("Title") or "").strip()
        if code is not None and title:
            names[code] = title
    return names


def _v3_count(
    client: HttpClient, data_url: str, row_filter: str | None, *, source: str
) -> int | None:
    """``$count`` of the rows we are about to read, or ``None`` if the server has none."""
    params: dict[str, str | int] = {"$filter": row_filter} if row_filter else {}
    try:
        text = client.get_text(f"{data_url}/$count", source=source, params=params)
    except HttpError as e:
        if e.status in (400, 404, 405, 501):
            logger.warning(
                "event=no_count source=%s url=%s status=%s: rows are not checked for completeness",
                source,
                e.url,
                e.status,
            )
            return None
        raise
    try:
        return int(text.strip().lstrip("\ufeff"))
    except ValueError:
        logger.warning(
            "event=bad_count source=%s url=%s/$count body=%r", source, data_url, text[:50]
        )
        return None


def _v3_read_all(
    client: HttpClient,
    data_url: str,
    params: dict[str, str | int],
    *,
    source: str,
    page_size: int,
    bodies: list[bytes],
) -> list[dict[str, Any]]:
    """All rows of a v3 query: ``odata.nextLink`` when the server gives one, else
    ``$top``/``$skip`` until ``$count`` rows (or, without a count, a short page) arrived;
    then the number of rows is checked against ``$count``."""
    row_filter = params.get("$filter")
    expected = _v3_count(client, data_url, str(row_filter) if row_filter else None, source=source)
    rows: list[dict[str, Any]] = []
    seen_ids: set[object] = set()
    url: str = data_url
    page_params: Params | None = {**params, "$top": page_size, "$skip": 0}
    via_link = False
    for _ in range(MAX_PAGES):
        page = client.get_json(url, source=source, params=page_params)
        bodies.append(page.content)
        value = _value_list(page, source)
        ids = {r.get("ID") for r in value if "ID" in r}
        if ids and ids <= seen_ids:
            raise HttpError(
                "the server sent the same rows again (it ignores $skip?)",
                source=source,
                url=page.url,
            )
        seen_ids |= ids
        rows.extend(value)
        link = page.data.get("odata.nextLink")
        if isinstance(link, str) and link:
            url, page_params, via_link = link, None, True
            continue
        if not value:
            break
        if expected is not None:
            # Also after a chain of next links: a feed that honours $top as a cap on the
            # whole answer ends its chain early; carry on with $skip.
            if len(rows) >= expected:
                break
        elif via_link or len(value) < page_size:
            break
        url, page_params = data_url, {**params, "$top": page_size, "$skip": len(rows)}
    else:
        raise HttpError(f"more than {MAX_PAGES} pages; stopped", source=source, url=data_url)
    logger.info(
        "event=rows source=%s url=%s rows=%d expected=%s", source, data_url, len(rows), expected
    )
    if expected is not None and len(rows) != expected:
        raise HttpError(
            f"incomplete answer: $count says {expected} rows, {len(rows)} arrived",
            source=source,
            url=data_url,
        )
    return rows


# --- OData v4 ---------------------------------------------------------------------------


def measure_mapping_v4(measure_codes: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``{measure identifier: indicator id}`` for one v4 table, from its ``MeasureCodes``.

    Known identifiers (:data:`V4_MEASURES`) come first, but only while the table's own
    title for that identifier does not point to another catalogue indicator (then the
    measure is left out and a warning logged: better no figure than a wrong one).
    Measures with other identifiers are matched on their title (``"Aantal inwoners"`` ->
    ``inwoners``) via :func:`indicator_for_column`; an indicator is mapped once.

    >>> measure_mapping_v4([{"Identifier": "T001036", "Title": "Aantal inwoners"},
    ...                     {"Identifier": "X1", "Title": "Woningvoorraad"},
    ...                     {"Identifier": "X2", "Title": "Meest voorkomende postcode"}])
    {'T001036': 'inwoners', 'X1': 'woningvoorraad'}
    """
    measures: dict[str, str] = {}
    for m in measure_codes:
        ident = str(m.get("Identifier") or "").strip()
        if ident and ident not in measures:
            if str(m.get("DataType") or "") == "String":
                continue
            measures[ident] = str(m.get("Title") or "").strip()
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for ident, indicator in V4_MEASURES.items():
        if ident not in measures or indicator in taken:
            continue
        by_title = indicator_for_column(measures[ident]) if measures[ident] else None
        if by_title is not None and by_title != indicator:
            logger.warning(
                "event=measure_conflict identifier=%s title=%r expected=%s title_says=%s",
                ident,
                measures[ident],
                indicator,
                by_title,
            )
            continue
        mapping[ident] = indicator
        taken.add(indicator)
    for ident, title in measures.items():
        if ident in mapping or not title:
            continue
        found = indicator_for_column(title)
        if found is not None and found not in taken:
            mapping[ident] = found
            taken.add(found)
    return mapping


def read_odata_v4(
    table: str | int,
    *,
    client: HttpClient,
    base_url: str = DEFAULT_CBS_ODATA_V4,
    gemeenten: Iterable[str] | None = None,
    source: str = KIND_V4,
    year: int | None = None,
    region_dimension: str = "WijkenEnBuurten",
) -> SourceResult:
    """Read a KWB table (``table`` = year or id) from CBS OData v4 into a SourceResult.

    ``base_url`` is e.g. ``https://odata4.cbs.nl/CBS``. The measures to read follow from
    the table's ``MeasureCodes`` (:func:`measure_mapping_v4`); ``Observations`` are asked
    for those measures and, with ``gemeenten``, those gemeenten and their wijken and
    buurten only (``$filter``), with only the columns we use (``$select``), and read page
    by page along ``@odata.nextLink``. Names come from ``<region_dimension>Codes``.
    A value that is neither a number nor null is rejected with ``row`` = its 0-based index
    in the Observations feed and ``field`` = the measure identifier.
    """
    table_id, vintage = _resolve_table(table, year)
    if vintage is None:
        raise ConfigError(f"{table_id} is not a known KWB table; pass year= for it")
    wanted = normalise_gemeenten(gemeenten)
    root = f"{base_url.rstrip('/')}/{table_id}"
    data_url = f"{root}/Observations"
    bodies: list[bytes] = []

    measure_codes = _collect(
        client,
        f"{root}/MeasureCodes",
        source=source,
        params={"$select": "Identifier,Title,Unit,DataType"},
        next_key="@odata.nextLink",
        bodies=bodies,
    )
    mapping = measure_mapping_v4(measure_codes)
    if not mapping:
        raise SourceError(
            "no measure of this table holds an indicator of the catalogue",
            source=source,
            file=f"{root}/MeasureCodes",
        )
    logger.info(
        "event=measures source=%s table=%s mapping=%s",
        source,
        table_id,
        ",".join(f"{k}:{v}" for k, v in mapping.items()),
    )

    code_params: dict[str, str | int] = {"$select": "Identifier,Title"}
    code_filter = startswith_filter("Identifier", wanted)
    if code_filter:
        code_params["$filter"] = code_filter
    codes = _collect(
        client,
        f"{root}/{region_dimension}Codes",
        source=source,
        params=code_params,
        next_key="@odata.nextLink",
        bodies=bodies,
    )
    names = {
        code: str(c.get("Title") or "").strip()
        for c in codes
        if (code := normalise_code(c.get("Identifier"))) is not None
    }

    measure_filter = " or ".join(f"Measure eq '{ident}'" for ident in mapping)
    region_filter = startswith_filter(region_dimension, wanted)
    obs_filter = f"({region_filter}) and ({measure_filter})" if region_filter else measure_filter
    observations = _collect(
        client,
        data_url,
        source=source,
        params={
            "$filter": obs_filter,
            "$select": f"Measure,Value,ValueAttribute,{region_dimension}",
        },
        next_key="@odata.nextLink",
        bodies=bodies,
    )

    builder = ResultBuilder(source=source, file=data_url, vintage=vintage, gemeenten=wanted)
    for index, obs in enumerate(observations):
        code = builder.area_code(obs.get(region_dimension), index, region_dimension)
        if code is None:
            continue
        builder.add_area(code, names.get(code))
        measure = str(obs.get("Measure") or "").strip()
        indicator = mapping.get(measure)
        if indicator is None:
            continue  # a measure we did not ask for; the server filter was ignored
        value = obs.get("Value")
        attribute = obs.get("ValueAttribute")
        reason = None
        if value is None and attribute not in _NO_VALUE_ATTRIBUTES:
            if str(attribute).strip() in CBS_SPECIAL_VALUES:
                value = str(attribute).strip()  # e.g. "." -> CBS's own reason
            else:
                reason = f"geen waarde volgens CBS (ValueAttribute {attribute!r})"
        builder.add_value(code, indicator, value, index, measure, missing_reason=reason)
    for code, name in names.items():
        if builder.gemeenten is None or gemeente_of(code) in builder.gemeenten:
            builder.add_area(code, name)
    return builder.result(kind=KIND_V4, bodies=bodies, rows_read=len(observations))
