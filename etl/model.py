# SPDX-License-Identifier: EUPL-1.2
"""Shared row shapes of the ETL: what every source extractor returns.

Every extractor (``etl/sources/*``) turns one source (a file or an online table) into a
:class:`SourceResult`: the areas it describes, their geometry (if any), and observations in
the canonical long format ``(area_code, vintage, period, indicator_id, value, status,
reason)``. Rows that cannot be used are not dropped: they become :class:`Rejection` records
that name the source, file, row and field, and end up in the run log.

Areas are keyed by ``(vintage, code)``: CBS re-uses codes for different areas after a
re-division (Haarlem 2015 -> 2016), so a code alone is never an identity.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import pandas as pd

if TYPE_CHECKING:  # geopandas is heavy; only the type is needed here
    import geopandas as gpd

Level = Literal["gemeente", "wijk", "buurt"]
Status = Literal["ok", "suppressed", "missing"]

LEVELS: Final[tuple[Level, ...]] = ("gemeente", "wijk", "buurt")
STATUS_OK: Final = "ok"
STATUS_SUPPRESSED: Final = "suppressed"
STATUS_MISSING: Final = "missing"

AREA_COLUMNS: Final[list[str]] = [
    "code",
    "vintage",
    "level",
    "name",
    "parent_code",
    "gemeente_code",
]
OBS_COLUMNS: Final[list[str]] = [
    "area_code",
    "vintage",
    "period",
    "indicator_id",
    "value",
    "status",
    "reason",
]
GEOM_COLUMNS: Final[list[str]] = ["code", "vintage", "level", "geometry"]

_CODE_RE: Final = re.compile(r"^(GM\d{4}|WK\d{6}|BU\d{8})$")
_PREFIX_LEVEL: Final[dict[str, Level]] = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}


class EtlError(Exception):
    """Base class of all errors the ETL reports to its user."""


class SourceError(EtlError):
    """A source cannot be read or used. The message names source, file, row and field."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        file: str,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.source = source
        self.file = file
        self.row = row
        self.field = field
        self.detail = message
        where = [f"source {source!r}", f"file {file}"]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class Rejection:
    """One input row that was not loaded, with the reason. Kept in the run log."""

    source: str
    file: str
    row: int | None
    field: str | None
    value: str | None
    reason: str


@dataclass
class SourceResult:
    """What one extractor produced from one source file or online table.

    ``areas`` has :data:`AREA_COLUMNS`; ``observations`` has :data:`OBS_COLUMNS`;
    ``geometries`` (or ``None``) is a GeoDataFrame with :data:`GEOM_COLUMNS` and a CRS set
    (any CRS: the runner reprojects). ``checksum`` identifies the exact input bytes.
    """

    source: str
    file: str
    kind: str
    checksum: str
    areas: pd.DataFrame
    observations: pd.DataFrame
    geometries: gpd.GeoDataFrame | None = None
    rejected: list[Rejection] = field(default_factory=list)
    rows_read: int = 0
    vintages: list[int] = field(default_factory=list)


def empty_areas() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in AREA_COLUMNS}).astype(
        {"vintage": "int64"}
    )


def empty_observations() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in OBS_COLUMNS})
    return frame.astype({"vintage": "int64", "value": "float64"})


# --- area codes -----------------------------------------------------------------------


def normalise_code(raw: object) -> str | None:
    """Return a CBS area code in canonical form, or ``None`` when ``raw`` is not one.

    CBS OData pads codes with spaces (``"GM0392    "``); some exports use lower case.

    >>> normalise_code(" gm0392  ")
    'GM0392'
    >>> normalise_code("Haarlem") is None
    True
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    code = str(raw).strip().upper()
    return code if _CODE_RE.match(code) else None


def level_of(code: str) -> Level:
    """``'BU03920101'`` -> ``'buurt'``."""
    return _PREFIX_LEVEL[code[:2]]


def parent_of(code: str) -> str | None:
    """The code of the area one level up: buurt -> wijk, wijk -> gemeente, gemeente -> None.

    >>> parent_of("BU03920101"), parent_of("WK039201"), parent_of("GM0392")
    ('WK039201', 'GM0392', None)
    """
    prefix = code[:2]
    if prefix == "BU":
        return "WK" + code[2:8]
    if prefix == "WK":
        return "GM" + code[2:6]
    return None


def gemeente_of(code: str) -> str:
    """``'BU03920101'`` -> ``'GM0392'``."""
    return "GM" + code[2:6]


# --- CBS special values ---------------------------------------------------------------

#: CBS codes for "no figure". Kerncijfers wijken en buurten (kaart) uses negative
#: sentinels; StatLine uses "." and an empty cell. Each becomes a status and a reason.
CBS_SPECIAL_VALUES: Final[dict[str, tuple[Status, str]]] = {
    "-99999999": (STATUS_SUPPRESSED, "geheim of niet beschikbaar volgens CBS (code -99999999)"),
    "-99997": (STATUS_SUPPRESSED, "geheim volgens CBS (code -99997)"),
    "-99995": (STATUS_SUPPRESSED, "geheim volgens CBS (code -99995)"),
    "-99991": (STATUS_MISSING, "onbekend of onvoldoende betrouwbaar volgens CBS (code -99991)"),
    ".": (STATUS_MISSING, "het cijfer is onbekend, onvoldoende betrouwbaar of geheim (CBS '.')"),
    "": (STATUS_MISSING, "geen waarde in de bron"),
}


class NotANumber(ValueError):
    """A cell is neither a number nor a known CBS code."""


def parse_cbs_value(raw: object) -> tuple[float | None, Status, str | None]:
    """Turn one CBS cell into ``(value, status, reason)``.

    Numbers (int, float, or text with a ``.`` or ``,`` decimal separator) give status
    ``ok``; CBS sentinels and empty cells give a status and a Dutch reason and no value.
    Anything else raises :class:`NotANumber` so that the caller can reject the cell with
    its row and field.

    >>> parse_cbs_value("1.6")
    (1.6, 'ok', None)
    >>> parse_cbs_value(-99999999)[1]
    'suppressed'
    """
    if raw is None:
        return None, STATUS_MISSING, CBS_SPECIAL_VALUES[""][1]
    if isinstance(raw, bool):
        raise NotANumber(repr(raw))
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):
            return None, STATUS_MISSING, CBS_SPECIAL_VALUES[""][1]
        key = str(int(raw)) if float(raw).is_integer() else str(raw)
        if key in CBS_SPECIAL_VALUES:
            status, reason = CBS_SPECIAL_VALUES[key]
            return None, status, reason
        return float(raw), STATUS_OK, None
    text = str(raw).strip()
    if text in CBS_SPECIAL_VALUES:
        status, reason = CBS_SPECIAL_VALUES[text]
        return None, status, reason
    # StatLine marks provisional figures with a trailing * or **: keep the number.
    core = text.rstrip("*").strip()
    if core.startswith("+"):
        core = core[1:]
    if "," in core and "." not in core:
        core = core.replace(",", ".")
    try:
        number = float(core)
    except ValueError as e:
        raise NotANumber(text) from e
    if not math.isfinite(number):
        raise NotANumber(text)
    key = str(int(number)) if number.is_integer() else core
    if key in CBS_SPECIAL_VALUES:
        status, reason = CBS_SPECIAL_VALUES[key]
        return None, status, reason
    return number, STATUS_OK, None


# --- checksums ------------------------------------------------------------------------


def file_checksum(path: Path) -> str:
    """SHA-256 of a file's bytes, as ``sha256:<hex>``."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def bytes_checksum(*parts: bytes) -> str:
    """SHA-256 over several byte strings (e.g. all pages of an online table)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return "sha256:" + digest.hexdigest()
