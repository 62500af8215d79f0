# SPDX-License-Identifier: EUPL-1.2
"""Read local CBS and PDOK files into :class:`~etl.model.SourceResult` objects.

:func:`discover` (from :mod:`etl.sources.detect`) finds the data layers under a path and
recognises each one's kind by its content; :func:`read_file` reads one of them. The three
CBS kinds (wijk- en buurtkaart, gebiedsindeling, StatLine CSV) go through the same code:
:func:`~etl.sources.detect.column_roles` says which column holds the area code, the names,
the year, and which columns hold catalogue indicators.

Per row: an invalid area code or year rejects the row; a cell that is neither a number nor
a CBS code rejects that cell; codes that occur twice with different values reject every
copy. Rejections name the source, file, row (as a person counts it: the CSV line, the
feature number) and field, and go to the run log. Geometry keeps the file's CRS; it is only
checked to lie in the Netherlands, so that RD coordinates read as degrees fail here.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from numpy.typing import NDArray
from pyproj.exceptions import CRSError, ProjError

from etl.model import (
    AREA_COLUMNS,
    CBS_SPECIAL_VALUES,
    GEOM_COLUMNS,
    OBS_COLUMNS,
    STATUS_OK,
    NotANumber,
    Rejection,
    SourceError,
    SourceResult,
    bytes_checksum,
    file_checksum,
    gemeente_of,
    level_of,
    normalise_code,
    parent_of,
    parse_cbs_value,
)
from etl.sources.detect import (
    ColumnRoles,
    FileSpec,
    column_roles,
    discover,
    load_table,
    year_from_name,
    year_of_row,
)

__all__ = ["FileSpec", "discover", "read_file"]

logger = logging.getLogger(__name__)

Bounds = tuple[float, float, float, float]

#: Generous boxes around the Netherlands incl. its territorial waters (minx, miny, maxx,
#: maxy), in WGS84 degrees and in RD New metres (the RD validity area).
_NL_BOUNDS: Final[dict[str, Bounds]] = {
    "EPSG:4326": (3.0, 50.6, 7.6, 53.8),
    "EPSG:28992": (-7_000.0, 289_000.0, 300_000.0, 629_000.0),
}
_CRS_NAMES: Final[dict[str, str]] = {
    "EPSG:4326": "WGS84 longitude/latitude (EPSG:4326)",
    "EPSG:28992": "RD New (EPSG:28992)",
}
_SHAPEFILE_PARTS: Final = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class _AreaRow:
    """One accepted input row: the area it describes and where it came from."""

    index: int  # position in the table
    number: int  # row number as a person sees it
    code: str
    vintage: int
    name: str | None
    #: (code, name) of the wijk and gemeente the area lies in, when the file names them.
    ancestors: tuple[tuple[str, str | None], ...]


@dataclass
class _Reader:
    """Turns the rows of one table into areas and observations, collecting rejections."""

    source: str
    file: str
    roles: ColumnRoles
    fixed_year: int | None  # the vintage of every row, or None: each row has its own year
    code_column: str
    rejected: list[Rejection] = field(default_factory=list)

    def reject(self, row: int, column: str, value: object, reason: str) -> None:
        text = None if value is None else str(value)
        self.rejected.append(Rejection(self.source, self.file, row, column, text, reason))

    def area_row(self, index: int, number: int, record: dict[str, Any]) -> _AreaRow | None:
        raw = _cell(record[self.code_column])
        code = normalise_code(raw)
        if code is None:
            reason = "not a CBS area code (GMxxxx, WKxxxxxx or BUxxxxxxxx)"
            self.reject(number, self.code_column, raw, reason)
            return None
        vintage = self.fixed_year
        if vintage is None:
            vintage = year_of_row(record, self.roles.year_columns)
        if vintage is None:
            column = self.roles.year_columns[0]
            reason = "no year in this row (expected e.g. 2024, 2024WK039201 or 2024JJ00)"
            self.reject(number, column, _cell(record[column]), reason)
            return None
        ancestors: list[tuple[str, str | None]] = []
        parent = parent_of(code)
        while parent is not None:
            level = level_of(parent)
            code_column, name_column = self.roles.level_code(level), self.roles.level_name(level)
            given = _name(record[code_column]) if code_column else None
            if given is not None and normalise_code(given) != parent:
                reason = f"{level} code {given!r} does not contain area {code} (expected {parent})"
                self.reject(number, str(code_column), given, reason)
                return None
            if code_column or name_column:
                ancestors.append((parent, _name(record[name_column]) if name_column else None))
            parent = parent_of(parent)
        name_column = self.roles.name_for(level_of(code))
        name = _name(record[name_column]) if name_column else None
        return _AreaRow(index, number, code, vintage, name, tuple(ancestors))

    def without_conflicts(
        self, rows: list[_AreaRow], fingerprint: Callable[[int], str]
    ) -> list[_AreaRow]:
        """One row per (vintage, code): identical copies collapse, conflicting ones are all
        rejected (which of them is right cannot be told from the file)."""
        copies: dict[tuple[int, str], list[_AreaRow]] = defaultdict(list)
        for row in rows:
            copies[(row.vintage, row.code)].append(row)
        kept: list[_AreaRow] = []
        for (vintage, code), group in copies.items():
            if len(group) == 1 or len({fingerprint(row.index) for row in group}) == 1:
                if len(group) > 1:
                    logger.info(
                        "event=duplicate file=%s code=%s rows=%s action=collapsed",
                        self.file,
                        code,
                        [row.number for row in group],
                    )
                kept.append(group[0])
                continue
            for row in group:
                others = ", ".join(str(other.number) for other in group if other is not row)
                reason = (
                    f"area {code} ({vintage}) also appears in row(s) {others} with different "
                    "values; none of these rows is loaded"
                )
                self.reject(row.number, self.code_column, code, reason)
        return sorted(kept, key=lambda row: row.index)

    def observations(self, rows: list[_AreaRow], frame: pd.DataFrame) -> pd.DataFrame:
        """The figures of ``rows`` in every indicator column, column by column.

        Every cell gets exactly what :func:`~etl.model.parse_cbs_value` gives it (see
        :func:`parse_column`); a cell that is neither a number nor a CBS code is rejected.
        The text columns of a file are parsed together, so that each distinct text is
        parsed once per file rather than once per column.
        """
        positions = np.fromiter((row.index for row in rows), dtype=np.intp, count=len(rows))
        codes = np.array([row.code for row in rows], dtype=object)
        vintages = np.fromiter((row.vintage for row in rows), dtype=np.int64, count=len(rows))
        periods = np.array([str(row.vintage) for row in rows], dtype=object)
        # Like a record of to_dict(): of two columns with one name, the last one counts.
        where = {str(name): i for i, name in enumerate(frame.columns)}
        raws: list[NDArray[Any]] = []
        for column in self.roles.indicators:
            cells = frame.iloc[:, where[column]]
            numeric = cells.dtype.kind in "iuf"
            raws.append((cells.to_numpy() if numeric else cells.to_numpy(dtype=object))[positions])
        text = [i for i, raw in enumerate(raws) if raw.dtype == object]
        parsed: dict[int, tuple[NDArray[Any], ...]] = {
            i: parse_column(raw) for i, raw in enumerate(raws) if raw.dtype != object
        }
        if text:
            together = parse_column(np.concatenate([raws[i] for i in text]))
            for k, i in enumerate(text):
                at = slice(k * len(rows), (k + 1) * len(rows))
                parsed[i] = tuple(a[at] for a in together)
        parts: dict[str, list[NDArray[Any]]] = {c: [] for c in OBS_COLUMNS}
        for i, (column, indicator) in enumerate(self.roles.indicators.items()):
            value, status, reason, bad = parsed[i]
            for j in np.flatnonzero(bad):
                self.reject(
                    rows[j].number, column, _cell(raws[i][j]), "neither a number nor a CBS code"
                )
            keep = ~bad
            parts["area_code"].append(codes[keep])
            parts["vintage"].append(vintages[keep])
            parts["period"].append(periods[keep])
            parts["indicator_id"].append(_repeated(indicator, int(keep.sum())))
            parts["value"].append(value[keep])
            parts["status"].append(status[keep])
            parts["reason"].append(reason[keep])
        dtypes = {"vintage": "int64", "value": "float64"}

        def column(name: str) -> pd.Series:
            dtype = dtypes.get(name, object)  # object: None stays None, text stays str
            values = np.concatenate(parts[name]) if parts[name] else np.array([], dtype=dtype)
            return pd.Series(values, dtype=dtype)

        return pd.DataFrame({name: column(name) for name in OBS_COLUMNS}, copy=False)


#: One parsed CBS cell: ``(value, status, reason)`` as :func:`parse_cbs_value` returns it.
_Parsed = tuple[float | None, str, str | None]

#: The numeric CBS codes (``-99999999``, ``-99997``, ...) with their status and reason.
_NUMERIC_CODES: Final[dict[int, tuple[str, str]]] = {
    int(key): value for key, value in CBS_SPECIAL_VALUES.items() if key.lstrip("-").isdigit()
}


def parse_column(
    cells: NDArray[Any], cache: dict[str, _Parsed | None] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.object_], NDArray[np.object_], NDArray[np.bool_]]:
    """:func:`~etl.model.parse_cbs_value` over a whole column, without a Python call per cell.

    Returns ``(value, status, reason, bad)``: the value (NaN where there is none), status
    and reason of every cell, exactly as ``parse_cbs_value(_cell(cell))`` gives them, and
    ``bad`` where that raises :class:`~etl.model.NotANumber` (the other arrays are then
    meaningless). Integer and float columns (GIS fields) are parsed with array operations;
    text cells (CSV) are parsed once per distinct text (``cache`` carries those results
    over columns); anything else (``None``, NaN, booleans, dates) cell by cell.

    >>> cells = np.array(["1,5", ".", "x", "-99999999"], dtype=object)
    >>> value, status, reason, bad = parse_column(cells)
    >>> value.tolist()[:1], status.tolist(), bad.tolist()
    ([1.5], ['ok', 'missing', None, 'suppressed'], [False, False, True, False])
    """
    n = len(cells)
    if cells.dtype.kind in "iuf":
        value = cells.astype(np.float64)
        status = _repeated(STATUS_OK, n)
        reason = _repeated(None, n)
        codes = [(np.isnan(value), CBS_SPECIAL_VALUES[""])]
        codes += [(cells == code, meaning) for code, meaning in _NUMERIC_CODES.items()]
        for hit, (code_status, code_reason) in codes:
            status[hit] = code_status
            reason[hit] = code_reason
            value[hit] = np.nan
        return value, status, reason, np.zeros(n, dtype=bool)

    value = np.full(n, np.nan)
    status = _repeated(None, n)
    reason = _repeated(None, n)
    bad = np.zeros(n, dtype=bool)
    cells = np.asarray(cells, dtype=object)
    is_text = np.fromiter((type(cell) is str for cell in cells), dtype=bool, count=n)
    text_at = np.flatnonzero(is_text)
    if len(text_at):
        # Only for exact str: 1, 1.0 and True are equal keys, but parse differently.
        known = {} if cache is None else cache
        codes, uniques = pd.factorize(cells[text_at])
        parsed = [_parse_cached(str(text), known) for text in uniques]
        u_bad = np.array([p is None for p in parsed], dtype=bool)
        u_value = np.array([np.nan if p is None or p[0] is None else p[0] for p in parsed])
        u_status = np.array([None if p is None else p[1] for p in parsed], dtype=object)
        u_reason = np.array([None if p is None else p[2] for p in parsed], dtype=object)
        value[text_at] = u_value[codes]
        status[text_at] = u_status[codes]
        reason[text_at] = u_reason[codes]
        bad[text_at] = u_bad[codes]
    for i in np.flatnonzero(~is_text):
        try:
            number, status[i], reason[i] = parse_cbs_value(_cell(cells[i]))
        except NotANumber:
            bad[i] = True
            continue
        value[i] = np.nan if number is None else number
    return value, status, reason, bad


def _repeated(value: object, n: int) -> NDArray[np.object_]:
    """``n`` references to the one object ``value``.

    Not ``np.full(n, "text", dtype=object)``: that makes ``n`` separate copies of a string
    (about 60 bytes each; a national run has tens of millions of cells).
    """
    out = np.empty(n, dtype=object)
    out[:] = [value] if n else []
    return out


def _parse_cached(text: str, cache: dict[str, _Parsed | None]) -> _Parsed | None:
    """``parse_cbs_value(text)``, or ``None`` for :class:`NotANumber`; remembered in ``cache``."""
    if text not in cache:
        try:
            cache[text] = parse_cbs_value(text)
        except NotANumber:
            cache[text] = None
    return cache[text]


def read_file(
    spec: FileSpec, *, source: str, year: int | None = None, crs: str | None = None
) -> SourceResult:
    """Read one data layer found by :func:`discover` into a :class:`SourceResult`.

    ``year`` (from the sources configuration) overrides the vintage found in the content
    or the name; ``crs`` overrides the CRS the file declares (for files that declare none
    or the wrong one). Returns the areas (plus the wijk and gemeente each row names, so the
    hierarchy is complete), the geometries in the file's CRS, and the observations of every
    column in the indicator catalogue. Raises :class:`SourceError` for a kind without a
    loader yet, an unreadable or empty file, a missing year or CRS, and coordinates outside
    the Netherlands.
    """
    file = spec.label
    if not spec.supported:
        raise SourceError(
            f"{spec.kind} files are recognised, but their loader is not available yet",
            source=source,
            file=file,
        )
    table = load_table(spec.path, spec.layer, source=source)
    if table.frame.empty:
        raise SourceError("the file has no data rows", source=source, file=file)
    columns = [str(c) for c in table.frame.columns]
    roles = column_roles(columns)
    if roles.code is None:
        raise SourceError(
            f"no area code column (statcode, BU_CODE, regiocode, ...); columns seen: {columns}",
            source=source,
            file=file,
        )
    geometry = None
    if table.geometry is not None:
        geometry = _checked_crs(table.geometry, crs, source=source, file=file)

    reader = _Reader(source, file, roles, _fixed_year(spec, roles, year, source), roles.code)
    # Area rows need only the code, name and year columns; the figures are read per column.
    records = table.frame[sorted(set(roles.columns.values()))].to_dict("records")
    rows = [
        row
        for index, record in enumerate(records)
        if (row := reader.area_row(index, table.first_row + index, record)) is not None
    ]
    rows = reader.without_conflicts(rows, partial(_fingerprint, table.frame, geometry))
    observations = reader.observations(rows, table.frame)

    unused = sorted(set(columns) - set(roles.columns.values()) - set(roles.indicators))
    logger.debug("event=columns file=%s not_in_catalogue=%s", file, unused)
    result = SourceResult(
        source=source,
        file=file,
        kind=spec.kind,
        checksum=_checksum(spec.path),
        areas=_areas_frame(rows),
        observations=observations,
        geometries=None if geometry is None else _geometries_frame(rows, geometry),
        rejected=sorted(reader.rejected, key=lambda r: r.row or 0),
        rows_read=len(records),
        vintages=sorted({row.vintage for row in rows}),
    )
    logger.info(
        "event=read source=%s file=%s kind=%s rows=%d areas=%d observations=%d rejected=%d",
        source,
        file,
        spec.kind,
        result.rows_read,
        len(result.areas),
        len(result.observations),
        len(result.rejected),
    )
    return result


def _fixed_year(spec: FileSpec, roles: ColumnRoles, year: int | None, source: str) -> int | None:
    """The vintage of every row, or ``None`` when each row carries its own year."""
    if year is not None:
        return year
    if roles.year_columns:
        return None
    found = spec.year if spec.year is not None else year_from_name(spec.path)
    if found is None:
        raise SourceError(
            "cannot determine the year of the figures: no jaar, jrstatcode or Perioden column "
            "and no year 2000-2099 in the file or directory name; set year in the sources "
            "configuration",
            source=source,
            file=spec.label,
        )
    return found


def _cell(value: object) -> object:
    """A table cell as a plain value: ``None`` for every kind of missing (NaN, NA, None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):  # also numpy.float64
        return None
    return value


def _name(value: object) -> str | None:
    cell = _cell(value)
    text = "" if cell is None else str(cell).strip()
    return text or None


def _fingerprint(frame: pd.DataFrame, geometry: gpd.GeoSeries | None, index: int) -> str:
    """Everything row ``index`` holds, so that copies of a code compare as identical or not."""
    shape = None if geometry is None or geometry.iloc[index] is None else geometry.iloc[index].wkb
    (record,) = frame.iloc[[index]].to_dict("records")
    return repr(([_cell(v) for v in record.values()], shape))


def _areas_frame(rows: list[_AreaRow]) -> pd.DataFrame:
    names: dict[tuple[int, str], str | None] = {(row.vintage, row.code): row.name for row in rows}
    for row in rows:
        for code, name in row.ancestors:
            if names.get((row.vintage, code)) is None:
                names[(row.vintage, code)] = name
    records = [
        (code, vintage, level_of(code), name, parent_of(code), gemeente_of(code))
        for (vintage, code), name in names.items()
    ]
    frame = pd.DataFrame(records, columns=AREA_COLUMNS, dtype=object)  # object: None stays None
    return frame.astype({"vintage": "int64"})


def _geometries_frame(rows: list[_AreaRow], geometry: gpd.GeoSeries) -> gpd.GeoDataFrame:
    shapes = [(row, geometry.iloc[row.index]) for row in rows]
    present = [(row, shape) for row, shape in shapes if shape is not None and not shape.is_empty]
    if len(present) < len(shapes):
        logger.info("event=geometry missing=%d", len(shapes) - len(present))
    frame = gpd.GeoDataFrame(
        {
            "code": [row.code for row, _ in present],
            "vintage": pd.Series([row.vintage for row, _ in present], dtype="int64"),
            "level": [level_of(row.code) for row, _ in present],
        },
        geometry=[shape for _, shape in present],
        crs=geometry.crs,
    )
    return frame[GEOM_COLUMNS]


# --- CRS -------------------------------------------------------------------------------


def _inside(bounds: Bounds, box: Bounds) -> bool:
    return (
        all(math.isfinite(b) for b in bounds)
        and box[0] <= bounds[0] <= bounds[2] <= box[2]
        and box[1] <= bounds[1] <= bounds[3] <= box[3]
    )


@lru_cache(maxsize=16)
def _lonlat_transformer(crs: pyproj.CRS) -> pyproj.Transformer:
    """A transformer to WGS84 lon/lat; made once per CRS (that takes 0.1 s, per file adds up)."""
    return pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def _to_lonlat(bounds: Bounds, crs: pyproj.CRS) -> Bounds:
    try:
        transformer = _lonlat_transformer(crs)
        return tuple(transformer.transform_bounds(*bounds))  # type: ignore[return-value]
    except ProjError:
        return (math.inf, math.inf, math.inf, math.inf)


def _checked_crs(
    geometry: gpd.GeoSeries, crs: str | None, *, source: str, file: str
) -> gpd.GeoSeries:
    """``geometry`` with ``crs`` applied (when given), checked to lie in the Netherlands."""
    if crs is not None:
        try:
            geometry = geometry.set_crs(crs, allow_override=True)
        except CRSError as e:
            raise SourceError(
                f"crs {crs!r} is not a known CRS: {e}", source=source, file=file
            ) from e
    present = geometry[geometry.notna() & ~geometry.is_empty]
    bounds: Bounds = tuple(float(b) for b in present.total_bounds)  # type: ignore[assignment]
    if geometry.crs is None:
        problem, declared = "the layer declares no coordinate reference system", None
    elif present.empty or _inside(_to_lonlat(bounds, geometry.crs), _NL_BOUNDS["EPSG:4326"]):
        return geometry
    else:
        declared = geometry.crs.to_string()
        shown = ", ".join(f"{b:.6g}" for b in bounds)
        problem = f"coordinates (bounds {shown}) do not lie in the Netherlands in CRS {declared}"
    raise SourceError(problem + _crs_advice(bounds, declared), source=source, file=file)


def _crs_advice(bounds: Bounds, declared: str | None) -> str:
    """How to fix a missing or wrong CRS, naming the CRS the coordinates look like."""
    looks_like = next((c for c, box in _NL_BOUNDS.items() if _inside(bounds, box)), None)
    if looks_like is None or looks_like == declared:
        return "; check the file, or set crs (e.g. EPSG:28992) for it in the sources configuration"
    return (
        f"; they look like {_CRS_NAMES[looks_like]}: set crs: {looks_like} for this file in "
        "the sources configuration"
    )


def _checksum(path: Path) -> str:
    """The file's checksum; for a Shapefile over all its parts (attributes live in .dbf)."""
    if path.suffix.lower() != ".shp":
        return file_checksum(path)
    parts = sorted(
        p
        for p in path.parent.iterdir()
        if p.stem == path.stem and p.suffix.lower() in _SHAPEFILE_PARTS
    )
    return bytes_checksum(*(file_checksum(p).encode() for p in parts))
