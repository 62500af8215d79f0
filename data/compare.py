# SPDX-License-Identifier: EUPL-1.2
"""Compare: chosen areas × chosen indicators in one year, and its CSV and Excel files.

:func:`comparison` reads the figures (published figures only: a suppressed or missing cell
has no value, only its status and reason); :func:`wide_table` shapes them into one row per
area; :func:`to_csv` and :func:`to_excel` write the downloads.

**Download format** (recorded in ``docs/adr/0005-joining-areas-across-vintages.md``):

- CSV: RFC 4180, comma-separated, UTF-8, dot as decimal separator, raw published values, no
  comment lines (every line is a record, so any CSV reader reads it as is). Per indicator
  three columns: ``<id>`` (empty unless published), ``<id>_status`` (ok, suppressed,
  missing) and ``<id>_reden``. Attribution travels in a last column ``bron`` with the same
  text on every row: it survives filtering and copying rows, which a footer line does not.
- Excel: sheet ``gegevens`` with the same columns (numbers as numbers, formatted with the
  indicator's decimals) and a sheet ``bron`` with, per indicator, label, unit, definition,
  source, licence and period, plus the data version, the view's URL and a note on hidden
  figures.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from data.profiles import IndicatorInfo, indicator_catalogue
from data.queries import (
    REASON_NO_ROW,
    InvalidParameter,
    UnknownIndicator,
    UnknownVintage,
    check_indicator_id,
    check_vintage,
)
from data.series import UnknownArea, check_area_code
from data.warehouse import Warehouse, get_warehouse

logger = logging.getLogger(__name__)

#: At most this many areas and indicators in one comparison (a URL stays readable and the
#: grid fast; the open data API serves everything).
MAX_AREAS: Final = 200
MAX_INDICATORS: Final = 30
#: Indicators shown by default, when the warehouse has them.
DEFAULT_INDICATORS: Final = (
    "inwoners",
    "bevolkingsdichtheid",
    "aandeel_65_plus",
    "gemiddelde_huishoudensgrootte",
    "woningvoorraad",
)
AREA_COLUMNS: Final = ("code", "naam", "niveau", "gemeente", "jaar")


@dataclass(frozen=True, slots=True)
class Comparison:
    """The figures of one comparison, long (one row per area and indicator)."""

    vintage: int
    #: ``code, name, level, gemeente_code, gemeente_name`` of the areas that exist in the
    #: vintage, in the order asked for.
    areas: pd.DataFrame
    indicators: tuple[IndicatorInfo, ...]
    #: ``code, indicator_id, period, value, status, reason``; one row per area and
    #: indicator (a missing observation is a row with status ``missing``).
    values: pd.DataFrame
    #: Codes asked for that do not exist in the vintage.
    absent: tuple[str, ...]
    data_version: str


def _wh(warehouse: Warehouse | None) -> Warehouse:
    return warehouse if warehouse is not None else get_warehouse()


def parse_list(value: object) -> list[str]:
    """A comma-separated URL value as a list without blanks and repeats.

    >>> parse_list("WK039201, WK039202,,WK039201"), parse_list(None)
    (['WK039201', 'WK039202'], [])
    """
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return list(dict.fromkeys(s.strip() for s in map(str, items) if s.strip()))


def default_selection(*, warehouse: Warehouse | None = None) -> tuple[int, list[str]]:
    """A sensible first view: the newest vintage with figures and the wijken of its first
    gemeente (by name); :class:`UnknownVintage` on an empty warehouse."""
    with _wh(warehouse).cursor() as cur:
        rows = cur.rows(
            "SELECT a.vintage, a.gemeente_code FROM areas a "
            "JOIN observations o ON o.vintage = a.vintage AND o.area_code = a.code "
            "WHERE a.level = 'wijk' ORDER BY a.vintage DESC, a.gemeente_code LIMIT 1"
        )
        if not rows:
            raise UnknownVintage("the warehouse holds no wijk with figures")
        vintage, gemeente = int(rows[0][0]), str(rows[0][1])  # type: ignore[call-overload]
        codes = cur.rows(
            "SELECT code FROM areas WHERE vintage = ? AND gemeente_code = ? AND level = 'wijk' "
            "ORDER BY code",
            [vintage, gemeente],
        )
    return vintage, [gemeente] + [str(r[0]) for r in codes]


def comparison(
    codes: Sequence[str],
    indicators: Sequence[str],
    vintage: object = None,
    *,
    warehouse: Warehouse | None = None,
) -> Comparison:
    """Figures of ``codes`` × ``indicators`` in ``vintage`` (default: the newest vintage in
    which the first code has figures). Empty ``indicators``: :data:`DEFAULT_INDICATORS` that
    have figures, else the first five indicators with figures.

    Raises :class:`~data.queries.InvalidParameter` (malformed or too many),
    :class:`~data.series.UnknownArea` (no code exists in the vintage),
    :class:`~data.queries.UnknownIndicator` and :class:`~data.queries.UnknownVintage`.
    """
    wh = _wh(warehouse)
    area_codes = list(dict.fromkeys(check_area_code(c) for c in codes))
    if not area_codes:
        raise InvalidParameter("choose at least one area")
    if len(area_codes) > MAX_AREAS:
        raise InvalidParameter(f"at most {MAX_AREAS} areas, not {len(area_codes)}")
    wanted = list(dict.fromkeys(check_indicator_id(i) for i in indicators))
    if len(wanted) > MAX_INDICATORS:
        raise InvalidParameter(f"at most {MAX_INDICATORS} indicators, not {len(wanted)}")
    catalogue = indicator_catalogue(warehouse=wh)
    unknown = [i for i in wanted if i not in catalogue]
    if unknown:
        raise UnknownIndicator(f"indicator {', '.join(unknown)} is not in the catalogue")

    with wh.cursor() as cur:
        if vintage in (None, ""):
            rows = cur.rows(
                "SELECT max(o.vintage) FROM observations o WHERE o.area_code = ?",
                [area_codes[0]],
            )
            if rows[0][0] is None:
                rows = cur.rows("SELECT max(vintage) FROM areas WHERE code = ?", [area_codes[0]])
            if rows[0][0] is None:
                raise UnknownArea(f"area {area_codes[0]} does not exist in any year")
            year = int(rows[0][0])  # type: ignore[call-overload]
        else:
            year = check_vintage(vintage)
            if not cur.rows("SELECT 1 FROM areas WHERE vintage = ? LIMIT 1", [year]):
                raise UnknownVintage(f"there are no areas for year {year}")
        areas = cur.frame(
            "SELECT a.code, a.name, a.level, a.gemeente_code, g.name AS gemeente_name "
            "FROM areas a LEFT JOIN areas g ON g.vintage = a.vintage AND g.code = a.gemeente_code "
            "WHERE a.vintage = ? AND list_contains(?, a.code)",
            [year, area_codes],
        ).frame
        if areas.empty:
            raise UnknownArea(f"none of {', '.join(area_codes)} exists in {year}")
        if not wanted:
            present = {
                str(r[0])
                for r in cur.rows(
                    "SELECT DISTINCT indicator_id FROM observations "
                    "WHERE vintage = ? AND list_contains(?, area_code)",
                    [year, area_codes],
                )
            }
            wanted = [i for i in DEFAULT_INDICATORS if i in present and i in catalogue]
            wanted = wanted or [i for i in catalogue if i in present][:5]
        values = cur.frame(
            "WITH latest AS (SELECT indicator_id, max(period) AS period FROM observations "
            "  WHERE vintage = ? AND list_contains(?, area_code) "
            "  AND list_contains(?, indicator_id) GROUP BY indicator_id) "
            "SELECT o.area_code AS code, o.indicator_id, o.period, o.value, o.status, o.reason "
            "FROM observations o JOIN latest l ON l.indicator_id = o.indicator_id "
            "AND l.period = o.period WHERE o.vintage = ? AND list_contains(?, o.area_code)",
            [year, area_codes, wanted, year, area_codes],
        ).frame
        version = cur.data_version
    order = {c: i for i, c in enumerate(area_codes)}
    areas = areas.sort_values("code", key=lambda s: s.map(order)).reset_index(drop=True)
    areas["gemeente_name"] = areas["gemeente_name"].fillna(areas["gemeente_code"])
    areas["name"] = areas["name"].fillna(areas["code"])
    absent = tuple(c for c in area_codes if c not in set(areas["code"]))
    return Comparison(
        vintage=year,
        areas=areas,
        indicators=tuple(catalogue[i] for i in wanted),
        values=complete(values, list(areas["code"]), wanted),
        absent=absent,
        data_version=version,
    )


def complete(values: pd.DataFrame, codes: Sequence[str], indicators: Sequence[str]) -> pd.DataFrame:
    """One row per code × indicator: a pair without observation becomes ``missing`` with
    :data:`~data.queries.REASON_NO_ROW`, and ``value`` is NaN unless ``status == "ok"``.

    >>> v = pd.DataFrame({"code": ["A"], "indicator_id": ["x"], "period": ["2024"],
    ...     "value": [1.0], "status": ["ok"], "reason": [None]})
    >>> complete(v, ["A", "B"], ["x"])[["code", "status"]].values.tolist()
    [['A', 'ok'], ['B', 'missing']]
    """
    grid = pd.MultiIndex.from_product(
        [list(codes), list(indicators)], names=["code", "indicator_id"]
    )
    merged = (
        values.set_index(["code", "indicator_id"])
        .reindex(grid)
        .reset_index()
        .astype({"status": "object", "reason": "object", "period": "object"})
    )
    no_row = merged["status"].isna()
    merged.loc[no_row, "status"] = "missing"
    merged.loc[no_row, "reason"] = REASON_NO_ROW
    merged.loc[merged["status"] != "ok", "value"] = float("nan")
    return merged


def wide_table(comp: Comparison) -> pd.DataFrame:
    """One row per area: :data:`AREA_COLUMNS`, then per indicator ``<id>``,
    ``<id>_status`` and ``<id>_reden`` (the download and grid layout)."""
    base = pd.DataFrame(
        {
            "code": comp.areas["code"],
            "naam": comp.areas["name"],
            "niveau": comp.areas["level"],
            "gemeente": comp.areas["gemeente_name"],
            "jaar": comp.vintage,
        }
    )
    by_key = comp.values.set_index(["code", "indicator_id"])
    for info in comp.indicators:
        part = by_key.xs(info.id, level="indicator_id").reindex(base["code"])
        base[info.id] = part["value"].to_numpy(dtype=float)
        base[f"{info.id}_status"] = part["status"].to_numpy()
        base[f"{info.id}_reden"] = part["reason"].where(part["status"] != "ok").to_numpy()
    return base


def periods(comp: Comparison) -> dict[str, str]:
    """The period each indicator's figures are of (``""`` when it has none)."""
    found = comp.values.dropna(subset=["period"]).groupby("indicator_id")["period"].max()
    return {i.id: str(found.get(i.id, "")) for i in comp.indicators}


def attribution(indicators: Sequence[IndicatorInfo]) -> str:
    """One line naming every source and licence of ``indicators``, without repeats.

    >>> i = IndicatorInfo("a", "A", "A", "T", "", 0, "sum", None, "CBS", "CC BY 4.0")
    >>> attribution([i, i])
    'CBS (CC BY 4.0)'
    """
    return " | ".join(dict.fromkeys(f"{i.source} ({i.licence})" for i in indicators))


def to_csv(comp: Comparison) -> str:
    """The comparison as CSV text (format in the module docs)."""
    table = wide_table(comp)
    table["bron"] = attribution(comp.indicators)
    return table.to_csv(index=False, lineterminator="\r\n", float_format="%.10g")


def to_excel(comp: Comparison, *, view_url: str = "", downloaded_at: str = "") -> bytes:
    """The comparison as an .xlsx workbook with sheets ``gegevens`` and ``bron``."""
    from openpyxl.styles import Font  # only needed for a download

    table = wide_table(comp)
    when = periods(comp)
    source_rows = [
        {
            "indicator": i.id,
            "omschrijving": i.label_nl,
            "eenheid": i.unit,
            "periode": when.get(i.id, ""),
            "bron": i.source,
            "licentie": i.licence,
        }
        for i in comp.indicators
    ]
    notes = pd.DataFrame(
        {
            "": [
                "Gegevensversie",
                "Gebiedsindeling (jaar)",
                "Gedownload",
                "Weergave",
                "Verborgen cijfers",
            ],
            " ": [
                comp.data_version,
                str(comp.vintage),
                downloaded_at,
                view_url,
                "Een lege cel heeft status 'suppressed' (verborgen om herkenbaarheid te "
                "voorkomen) of 'missing' (onbekend); de kolom _reden zegt waarom.",
            ],
        }
    )
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="gegevens", index=False)
        pd.DataFrame(source_rows).to_excel(writer, sheet_name="bron", index=False)
        notes.to_excel(writer, sheet_name="bron", index=False, startrow=len(source_rows) + 2)
        sheet = writer.sheets["gegevens"]
        sheet.freeze_panes = "C2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        columns = list(table.columns)
        for info in comp.indicators:
            col = columns.index(info.id) + 1
            number_format = "#,##0" + ("." + "0" * info.decimals if info.decimals > 0 else "")
            for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = number_format
        for cell in writer.sheets["bron"][1]:
            cell.font = Font(bold=True)
    return buffer.getvalue()


def indicator_options(
    catalogue: Mapping[str, IndicatorInfo], lang: str = "nl"
) -> list[dict[str, str]]:
    """Options for an indicator picker: label with theme, value the id."""
    return [
        {"label": f"{info.label(lang)} ({info.theme})", "value": info.id}
        for info in catalogue.values()
    ]
