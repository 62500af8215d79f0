# SPDX-License-Identifier: EUPL-1.2
"""Recognise local CBS/PDOK/BAG/Signalen files by their content, never by their name.

A data directory holds files in their published formats under any name. :func:`discover`
walks it, works out the container format from the first bytes (GeoJSON, GeoPackage,
Shapefile, Excel or CSV) and the *kind* of every layer from its column names, and returns
one :class:`FileSpec` per layer that :func:`etl.sources.files.read_file` can read.

Column names are looked up in :data:`ROLE_ALIASES` (which column holds a code, a name or a
year) after :func:`etl.indicators.normalise_column`, the same normalisation the indicator
catalogue uses: ``BU_CODE``, ``buurtcode`` and ``Codering_3`` all reduce to a known key, and
a Shapefile name cut to 10 characters (``jaarstatco``) matches the one alias it starts.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors

from etl.indicators import map_columns, normalise_column
from etl.model import LEVELS, Level, SourceError

logger = logging.getLogger(__name__)

Format = Literal["ogr", "csv", "xlsx"]

KIND_KAART: Final = "cbs_kaart"
KIND_GEBIEDSINDELING: Final = "cbs_gebiedsindeling"
KIND_STATLINE: Final = "cbs_statline_csv"
KIND_FIELD_DICTIONARY: Final = "cbs_field_dictionary"
KIND_BAG_VERBLIJFSOBJECTEN: Final = "bag_verblijfsobjecten"
KIND_BAG_PANDEN: Final = "bag_panden"
KIND_SIGNALEN_MELDINGEN: Final = "signalen_meldingen"
KIND_SIGNALEN_AREAS: Final = "signalen_areas"
#: The other layers of the BAG GeoPackage (ligplaats, standplaats, woonplaats, ...):
#: recognised so that they are skipped quietly, not loaded.
KIND_BAG_OTHER: Final = "bag_other"

#: Kinds that :func:`etl.sources.files.read_file` loads. The others are recognised so that
#: a data directory holding them does not fail; the located kinds below have their own
#: loaders, which run after the boundaries are merged.
SUPPORTED_KINDS: Final = frozenset({KIND_KAART, KIND_GEBIEDSINDELING, KIND_STATLINE})
#: Kinds whose records carry a location instead of an area code: they are loaded by
#: :mod:`etl.sources.bag` and :mod:`etl.sources.registrations` once the boundaries of the
#: run are known (see :mod:`etl.sources.located`), not by ``read_file``.
LOCATED_KINDS: Final = frozenset({"bag_verblijfsobjecten", "bag_panden", "signalen_meldingen"})

ALL_KINDS: Final = (
    KIND_KAART,
    KIND_GEBIEDSINDELING,
    KIND_STATLINE,
    KIND_FIELD_DICTIONARY,
    KIND_BAG_VERBLIJFSOBJECTEN,
    KIND_BAG_PANDEN,
    KIND_SIGNALEN_MELDINGEN,
    KIND_SIGNALEN_AREAS,
    KIND_BAG_OTHER,
)

#: The national BAG GeoPackage ("bag-light") has one layer per object type. A GeoPackage with
#: both a ``verblijfsobject`` and a ``pand`` layer is read by layer name (its content), so
#: that ``ligplaats`` (which also has ``identificatie`` and ``huisnummer``) is not taken for
#: verblijfsobjecten.
_BAG_LIGHT_LAYERS: Final[dict[str, str]] = {
    "verblijfsobject": KIND_BAG_VERBLIJFSOBJECTEN,
    "pand": KIND_BAG_PANDEN,
}

#: Kinds recognised by a fixed set of columns: every group must have at least one member
#: among the file's normalised column names. Checked in this order, before the CBS kinds.
_SIGNATURES: Final[tuple[tuple[str, tuple[frozenset[str], ...]], ...]] = (
    (
        KIND_FIELD_DICTIONARY,
        (frozenset({"field"}), frozenset({"title"}), frozenset({"description", "displayformat"})),
    ),
    (KIND_SIGNALEN_MELDINGEN, (frozenset({"createdat"}), frozenset({"category", "categoryslug"}))),
    (
        KIND_SIGNALEN_AREAS,
        (
            frozenset({"code"}),
            frozenset({"name"}),
            frozenset({"type"}),
            frozenset({"bbox", "bboxminlon"}),
        ),
    ),
    (
        KIND_BAG_VERBLIJFSOBJECTEN,
        (
            frozenset({"identificatie", "identifica"}),
            # An address, or the pand it lies in: panden have neither.
            frozenset({"huisnummer", "pandidentificatie", "pandidenti"}),
        ),
    ),
    (KIND_BAG_PANDEN, (frozenset({"identificatie", "identifica"}), frozenset({"bouwjaar"}))),
)

#: The role each CBS column plays, by normalised name, most preferred alias first.
#: ``code``/``name`` hold the row's own code/name at any level; ``<level>_code`` and
#: ``<level>_name`` the code/name of the buurt, wijk or gemeente the row is or lies in.
#: Year roles, in order of preference: ``jrstatcode`` ("2024WK039201"), ``jaar``,
#: ``Perioden`` ("2024JJ00").
ROLE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "code": ("code", "statcode", "codering", "regiocode", "wijkenenbuurten"),
    "name": ("statnaam", "naam"),
    "buurt_code": ("bucode", "buurtcode"),
    "buurt_name": ("bunaam", "buurtnaam"),
    "wijk_code": ("wkcode", "wijkcode", "wkc"),
    "wijk_name": ("wknaam", "wijknaam", "wkn"),
    "gemeente_code": ("gmcode", "gemeentecode", "gmc"),
    "gemeente_name": ("gmnaam", "gemeentenaam", "gmn"),
    "year_code": ("jrstatcode", "jaarstatcode"),
    "year": ("jaar",),
    "period": ("perioden",),
}
_YEAR_ROLES: Final = ("year_code", "year", "period")
#: Column names only StatLine/OData tables have; an OData key also ends in ``_<n>``.
_STATLINE_KEYS: Final = frozenset({"codering", "regiocode", "wijkenenbuurten", "perioden"})
_STATLINE_SUFFIX: Final = re.compile(r"_\d+$")
_SHAPEFILE_NAME_LENGTH: Final = 10

#: Files that are never data (documentation, Shapefile side files) are skipped.
_NOT_DATA_SUFFIXES: Final = frozenset(
    {".md", ".txt", ".qmd", ".prj", ".cpg", ".shx", ".sbn", ".sbx", ".qix", ".xml"}
)
#: Companions of a ``.shp`` (read together with it) are skipped when the ``.shp`` is there.
_SHAPEFILE_COMPANIONS: Final = frozenset({".dbf"})

_MAGIC_SQLITE: Final = b"SQLite format 3\x00"  # GeoPackage
_MAGIC_SHAPEFILE: Final = b"\x00\x00\x27\x0a"  # file code 9994, big-endian
_MAGIC_ZIP: Final = b"PK\x03\x04"  # also .xlsx
_BOM: Final = b"\xef\xbb\xbf"
_SNIFF_BYTES: Final = 4096

_YEAR_IN_CELL: Final = re.compile(r"^\s*((?:19|20)\d{2})(?!\d)")
_YEAR_IN_NAME: Final = re.compile(r"(?<!\d)(20\d{2})(?!\d)")

_READ_ERRORS: Final = (
    OSError,
    UnicodeDecodeError,
    zipfile.BadZipFile,
    pd.errors.ParserError,
    pd.errors.EmptyDataError,
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
)


@dataclass(frozen=True)
class FileSpec:
    """One data layer found by :func:`discover`: a file, or one layer/sheet of it.

    ``year`` is the vintage found in the content (or, failing that, in the file or directory
    name); ``crs_hint`` the CRS the file declares. ``supported`` tells the runner whether
    :func:`etl.sources.files.read_file` can load this kind yet.
    """

    kind: str
    path: Path
    year: int | None = None
    crs_hint: str | None = None
    layer: str | None = None

    @property
    def supported(self) -> bool:
        return self.kind in SUPPORTED_KINDS

    @property
    def located(self) -> bool:
        """Whether the records of this layer are located on the map (BAG, Signalen)."""
        return self.kind in LOCATED_KINDS

    @property
    def label(self) -> str:
        """How messages name this layer: ``path`` or ``path#layer``."""
        return file_label(self.path, self.layer)


@dataclass(frozen=True)
class ColumnRoles:
    """Which column of a table plays which role; see :data:`ROLE_ALIASES`."""

    columns: dict[str, str]  # role -> column
    indicators: dict[str, str]  # column -> indicator id

    @property
    def code(self) -> str | None:
        """The column with the row's own code: an explicit code column, else the most
        specific level code column (``BU_CODE`` before ``WK_CODE`` before ``GM_CODE``)."""
        if "code" in self.columns:
            return self.columns["code"]
        return next((self.level_code(lv) for lv in reversed(LEVELS) if self.level_code(lv)), None)

    def level_code(self, level: Level) -> str | None:
        return self.columns.get(f"{level}_code")

    def level_name(self, level: Level) -> str | None:
        return self.columns.get(f"{level}_name")

    def name_for(self, level: Level) -> str | None:
        """The column with the name of a row whose own code is of ``level``."""
        return self.columns.get("name") or self.level_name(level)

    @property
    def year_columns(self) -> list[str]:
        return [self.columns[r] for r in _YEAR_ROLES if r in self.columns]

    @property
    def has_names(self) -> bool:
        return "name" in self.columns or any(self.level_name(lv) for lv in LEVELS)


@dataclass(frozen=True)
class Table:
    """The rows of one layer as read: CSV and Excel cells as text, GIS fields typed."""

    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None
    #: The row number a person sees for ``frame`` row 0: line 2 of a CSV (after the
    #: header), feature 1 of a GIS layer.
    first_row: int


@dataclass(frozen=True)
class _Header:
    columns: list[str]
    has_geometry: bool
    crs: str | None


def file_label(path: Path, layer: str | None) -> str:
    return f"{path}#{layer}" if layer else str(path)


# --- columns ---------------------------------------------------------------------------

_ALIAS_ROLE: Final[dict[str, str]] = {
    alias: role for role, aliases in ROLE_ALIASES.items() for alias in aliases
}
_ALIAS_RANK: Final[dict[str, int]] = {
    alias: rank for aliases in ROLE_ALIASES.values() for rank, alias in enumerate(aliases)
}


def _alias_of(column: str) -> str | None:
    key = normalise_column(column)
    if key in _ALIAS_ROLE:
        return key
    if len(column) == _SHAPEFILE_NAME_LENGTH:
        hits = [alias for alias in _ALIAS_ROLE if alias.startswith(key)]
        if len(hits) == 1:
            return hits[0]
    return None


def column_roles(columns: list[str]) -> ColumnRoles:
    """Assign roles to ``columns`` and map the others to catalogue indicators.

    >>> roles = column_roles(["BU_CODE", "BU_NAAM", "GM_CODE", "AANT_INW", "OAD"])
    >>> roles.code, roles.name_for("buurt"), roles.indicators
    ('BU_CODE', 'BU_NAAM', {'AANT_INW': 'inwoners'})
    """
    best: dict[str, tuple[int, str]] = {}
    for column in columns:
        alias = _alias_of(column)
        if alias is None:
            continue
        role, rank = _ALIAS_ROLE[alias], _ALIAS_RANK[alias]
        if role not in best or rank < best[role][0]:
            best[role] = (rank, column)
    roles = {role: column for role, (_, column) in best.items()}
    taken = set(roles.values())
    return ColumnRoles(roles, map_columns([c for c in columns if c not in taken]))


def classify(columns: list[str], *, has_geometry: bool) -> str | None:
    """The kind of a layer with these columns, or ``None`` when it is not a known format.

    >>> classify(["statcode", "statnaam", "rubriek"], has_geometry=True)
    'cbs_gebiedsindeling'
    >>> classify(["regiocode", "jaar", "AantalInwoners_5"], has_geometry=False)
    'cbs_statline_csv'
    """
    keys = {normalise_column(c) for c in columns}
    for kind, groups in _SIGNATURES:
        if all(keys & group for group in groups):
            return kind
    roles = column_roles(columns)
    if roles.code is None:
        return None
    statline = keys & _STATLINE_KEYS or any(_STATLINE_SUFFIX.search(c) for c in roles.indicators)
    if statline and not has_geometry:
        return KIND_STATLINE
    if roles.indicators:
        return KIND_KAART
    if has_geometry or roles.has_names:
        return KIND_GEBIEDSINDELING
    return None


# --- years -----------------------------------------------------------------------------


def year_of_cell(raw: object) -> int | None:
    """The year a CBS year cell starts with: ``2024``, ``"2024WK039201"``, ``"2024JJ00"``."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return None
    match = _YEAR_IN_CELL.match(str(raw))
    return int(match.group(1)) if match else None


def year_of_row(record: dict[str, Any], year_columns: list[str]) -> int | None:
    """The first year found in a row's year columns (in order of preference)."""
    for column in year_columns:
        found = year_of_cell(record.get(column))
        if found is not None:
            return found
    return None


def year_from_name(path: Path) -> int | None:
    """A single year 2000-2099 in the file name, else in its directory name.

    A documented fallback: the 2015 wijk- en buurtkaart carries no year in its content.
    """
    for name in (path.name, path.parent.name):
        years = set(_YEAR_IN_NAME.findall(name))
        if len(years) == 1:
            return int(years.pop())
    return None


# --- reading ---------------------------------------------------------------------------


@contextmanager
def reading(*, source: str, file: str) -> Iterator[None]:
    """Turn the errors of the file readers into a :class:`SourceError` naming the file."""
    try:
        yield
    except _READ_ERRORS as e:
        raise SourceError(
            f"cannot read the file (damaged, truncated or not the format its content suggests): "
            f"{e}",
            source=source,
            file=file,
        ) from e


def sniff_format(path: Path, *, source: str) -> Format:
    """The container format of ``path`` from its first bytes (not its name)."""
    with reading(source=source, file=str(path)), path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    text = head.removeprefix(_BOM).lstrip()
    if not text:
        raise SourceError("the file is empty", source=source, file=str(path))
    if head.startswith((_MAGIC_SQLITE, _MAGIC_SHAPEFILE)):
        return "ogr"
    if head.startswith(_MAGIC_ZIP):
        with reading(source=source, file=str(path)), zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise SourceError(
            f"a ZIP archive ({len(names)} entries, e.g. {names[:3]}); unpack it and point the "
            "source at the files inside",
            source=source,
            file=str(path),
        )
    if b"\x00" in head:
        raise SourceError(
            f"a binary file of unknown format (starts with {head[:8]!r}); expected GeoJSON, "
            "GeoPackage, Shapefile, Excel or CSV",
            source=source,
            file=str(path),
        )
    return "ogr" if text[:1] in (b"{", b"[") else "csv"


def _layers(path: Path, fmt: Format, *, source: str) -> list[str | None]:
    """Layer (GeoPackage) or sheet (Excel) names; ``[None]`` for single-layer files."""
    with reading(source=source, file=str(path)):
        if fmt == "ogr":
            names = [str(name) for name, _ in _ogr(lambda: pyogrio.list_layers(path), path, source)]
        elif fmt == "xlsx":
            with pd.ExcelFile(path) as book:
                names = [str(name) for name in book.sheet_names]
        else:
            names = []
    return list(names) if len(names) > 1 else [None]


def _ogr(call: Any, path: Path, source: str) -> Any:
    """Run a pyogrio call; say what a JSON file that is not GeoJSON holds instead."""
    try:
        return call()
    except pyogrio.errors.DataSourceError as e:
        detail = _describe_json(path)
        if detail is None:
            raise
        raise SourceError(detail, source=source, file=str(path)) from e


def _describe_json(path: Path) -> str | None:
    """Why a file that starts like JSON is not GeoJSON, or ``None`` when it is not JSON."""
    with path.open("rb") as fh:
        if fh.read(_SNIFF_BYTES).removeprefix(_BOM).lstrip()[:1] not in (b"{", b"["):
            return None
    try:
        data = json.loads(path.read_bytes().removeprefix(_BOM))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        return f"invalid or truncated JSON: {e}"
    if isinstance(data, dict):
        return f"JSON but not GeoJSON; top-level keys seen: {sorted(data)[:20]}"
    keys = sorted(data[0]) if data and isinstance(data[0], dict) else []
    return f"a JSON list of {len(data)} items, not GeoJSON; keys of the first item: {keys[:20]}"


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows writes CSV in cp1252; StatLine and PDOK write UTF-8 (with BOM).
        logger.info("event=decode file=%s encoding=cp1252 reason=not_utf8", path)
        return raw.decode("cp1252")


def _separator(text: str) -> str:
    """``;`` (StatLine, Dutch Excel), tab or ``,``: the most frequent one in the header."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep])


def _read_text_table(
    path: Path, fmt: Format, layer: str | None, max_rows: int | None
) -> pd.DataFrame:
    options: dict[str, Any] = {"dtype": str, "keep_default_na": False, "nrows": max_rows}
    if fmt == "xlsx":
        return pd.read_excel(path, sheet_name=layer or 0, **options)
    text = _decode(path.read_bytes(), path)
    return pd.read_csv(io.StringIO(text), sep=_separator(text), **options)


def load_table(
    path: Path,
    layer: str | None,
    *,
    source: str,
    columns: list[str] | None = None,
    read_geometry: bool = True,
    max_rows: int | None = None,
) -> Table:
    """Read one layer of ``path`` (all columns unless ``columns`` is given)."""
    fmt = sniff_format(path, source=source)
    label = file_label(path, layer)
    with reading(source=source, file=label):
        if fmt == "ogr":
            frame = _ogr(
                lambda: gpd.read_file(
                    path,
                    layer=layer,
                    engine="pyogrio",
                    columns=columns,
                    read_geometry=read_geometry,
                    max_features=max_rows,
                ),
                path,
                source,
            )
            if isinstance(frame, gpd.GeoDataFrame):
                return Table(
                    pd.DataFrame(frame.drop(columns=frame.geometry.name)), frame.geometry, 1
                )
            return Table(frame, None, first_row=1)
        frame = _read_text_table(path, fmt, layer, max_rows)
    frame.columns = [str(c).strip() for c in frame.columns]
    if columns is not None:
        frame = frame[[c for c in frame.columns if c in columns]]
    return Table(frame, None, first_row=2)


def _header(path: Path, layer: str | None, *, source: str) -> _Header:
    fmt = sniff_format(path, source=source)
    if fmt != "ogr":
        table = load_table(path, layer, source=source, max_rows=0)
        return _Header(list(table.frame.columns), has_geometry=False, crs=None)
    with reading(source=source, file=file_label(path, layer)):
        info = _ogr(lambda: pyogrio.read_info(path, layer=layer), path, source)
    return _Header(
        [str(c) for c in info["fields"]],
        has_geometry=info["geometry_type"] is not None,
        crs=info["crs"],
    )


# --- discovery -------------------------------------------------------------------------


def _skip_reason(file: Path, root: Path) -> str | None:
    """Why ``file`` is clearly not a data file, or ``None`` when it may be one."""
    relative = file.relative_to(root).parts if file != root else (file.name,)
    suffix = file.suffix.lower()
    if any(part.startswith(".") for part in relative):
        return "hidden"
    if suffix in _NOT_DATA_SUFFIXES:
        return f"not a data file ({suffix})"
    if suffix in _SHAPEFILE_COMPANIONS:
        for sibling in file.parent.iterdir():
            if sibling.stem == file.stem and sibling.suffix.lower() == ".shp":
                return f"part of the Shapefile {sibling.name}"
    return None


def _content_year(
    path: Path, layer: str | None, year_columns: list[str], source: str
) -> int | None:
    """The one year in the content, or ``None`` (no year column, or rows of several years)."""
    if not year_columns:
        return None
    table = load_table(path, layer, source=source, columns=year_columns, read_geometry=False)
    records = table.frame.to_dict("records")
    years = {y for rec in records if (y := year_of_row(rec, year_columns)) is not None}
    if len(years) > 1:
        logger.info("event=discover file=%s years=%s note=one_vintage_per_row", path, sorted(years))
    return years.pop() if len(years) == 1 else None


def _inspect(path: Path, *, source: str) -> list[FileSpec]:
    fmt = sniff_format(path, source=source)
    layers = _layers(path, fmt, source=source)
    specs: list[FileSpec] = []
    unknown: list[tuple[str, list[str]]] = []
    bag_light = {str(lay).lower() for lay in layers if lay} >= set(_BAG_LIGHT_LAYERS)
    for layer in layers:
        label = file_label(path, layer)
        header = _header(path, layer, source=source)
        kind = classify(header.columns, has_geometry=header.has_geometry)
        if bag_light and layer is not None:
            kind = _bag_light_kind(layer, header.columns, kind)
        if kind == KIND_BAG_OTHER:
            logger.info("event=skip file=%s kind=%s reason=not_counted", label, kind)
            continue
        if kind is None:
            unknown.append((label, header.columns))
        elif kind == KIND_FIELD_DICTIONARY:
            logger.info("event=skip file=%s kind=%s reason=metadata_without_figures", label, kind)
        else:
            year = None
            if kind in SUPPORTED_KINDS:
                roles = column_roles(header.columns)
                year = _content_year(path, layer, roles.year_columns, source)
            spec = FileSpec(kind, path, year or year_from_name(path), header.crs, layer)
            logger.info(
                "event=discover file=%s kind=%s year=%s crs=%s supported=%s",
                label,
                kind,
                spec.year,
                spec.crs_hint,
                spec.supported,
            )
            specs.append(spec)
    if len(unknown) == len(layers):
        label, columns = unknown[0]
        raise SourceError(
            f"content not recognised as a known kind ({', '.join(ALL_KINDS)}); "
            f"columns seen: {columns}",
            source=source,
            file=label,
        )
    for label, columns in unknown:
        logger.warning("event=skip file=%s reason=unknown_layer columns=%s", label, columns)
    return specs


def _bag_light_kind(layer: str, columns: list[str], by_columns: str | None) -> str | None:
    """The kind of a layer of the BAG GeoPackage, by its name (checked against its columns)."""
    kind = _BAG_LIGHT_LAYERS.get(layer.lower())
    keys = {normalise_column(c) for c in columns}
    if kind is not None and keys & {"identificatie", "identifica"}:
        return kind
    if kind is None and by_columns in (KIND_BAG_VERBLIJFSOBJECTEN, KIND_BAG_PANDEN, None):
        return KIND_BAG_OTHER
    return by_columns


def discover(path: Path, *, source: str) -> list[FileSpec]:
    """Find the data layers in a file or (recursively) a directory.

    Returns one :class:`FileSpec` per data layer, in path order. Documentation, hidden
    files, Shapefile side files and CBS field dictionaries are skipped with a log line.
    Raises :class:`SourceError` for a missing path and for a data file whose content is not
    a known format (the message lists the columns or keys seen).
    """
    if not path.exists():
        raise SourceError("no such file or directory", source=source, file=str(path))
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    specs: list[FileSpec] = []
    for file in files:
        reason = _skip_reason(file, path)
        if reason is not None:
            logger.info("event=skip file=%s reason=%r", file, reason)
            continue
        specs.extend(_inspect(file, source=source))
    logger.info("event=discover source=%s path=%s layers=%d", source, path, len(specs))
    return specs
