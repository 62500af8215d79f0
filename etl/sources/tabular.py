# SPDX-License-Identifier: EUPL-1.2
"""Reading only the wanted columns of a CSV or Excel file (data minimisation).

The municipality's record files can hold names, addresses, BSNs and free text next to the
few columns an indicator needs. :func:`read_columns` reads the header first and then only the
wanted columns (``usecols``), as text, so the other columns never reach memory, the staging
store or a log line. Column names are matched exactly, then case- and separator-insensitively
(``Created At`` = ``created_at``).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from etl.model import SourceError

logger = logging.getLogger(__name__)

_BOM: Final = b"\xef\xbb\xbf"
_MAGIC_ZIP: Final = b"PK\x03\x04"


@dataclass(frozen=True)
class Columns:
    """The wanted columns as read: ``frame`` has the *wanted* names as columns (text cells,
    ``""`` for empty), ``first_row`` is the row number a person sees for ``frame`` row 0."""

    frame: pd.DataFrame
    first_row: int
    columns_seen: list[str]


def key(name: str) -> str:
    """Case- and separator-insensitive form of a column name.

    >>> key(" Created_At "), key("created-at")
    ('createdat', 'createdat')
    """
    return re.sub(r"[^0-9a-z]", "", str(name).strip().lower())


def match_columns(
    seen: Sequence[str], wanted: Sequence[str], *, source: str, file: str
) -> dict[str, str]:
    """``{wanted name: column in the file}``; :class:`SourceError` naming what is missing."""
    by_key: dict[str, str] = {}
    for column in seen:
        by_key.setdefault(key(column), column)
    found: dict[str, str] = {}
    missing: list[str] = []
    for name in wanted:
        if name in seen:
            found[name] = name
        elif key(name) in by_key:
            found[name] = by_key[key(name)]
        else:
            missing.append(name)
    if missing:
        raise SourceError(
            f"column(s) {missing} not found; columns in the file: {list(seen)}",
            source=source,
            file=file,
        )
    return found


def is_excel(path: Path) -> bool:
    """Whether ``path`` is an Excel workbook (a ZIP with ``xl/``), by content."""
    with path.open("rb") as fh:
        return fh.read(4) == _MAGIC_ZIP


def _decode(raw: bytes) -> str:
    try:
        return raw.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows writes CSV in cp1252.
        return raw.decode("cp1252")


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    return max(counts, key=lambda sep: counts[sep])


def read_header(path: Path, *, source: str, sheet: str | int | None = None) -> list[str]:
    """The column names of a CSV file or Excel sheet, without reading its rows."""
    try:
        if is_excel(path):
            header = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, nrows=0)
            return [str(c) for c in header.columns]
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
        text = _decode(head) if len(head) < (1 << 16) else _decode_prefix(head)
        first_line = next((line for line in text.splitlines() if line.strip()), "")
        return [c.strip() for c in next(csv.reader([first_line], delimiter=_separator(first_line)))]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, StopIteration) as e:
        raise SourceError(f"cannot read the header: {e}", source=source, file=str(path)) from e


def _decode_prefix(raw: bytes) -> str:
    """Decode the start of a file that may end in the middle of a UTF-8 sequence."""
    for cut in range(4):
        try:
            return _decode(raw[: len(raw) - cut] if cut else raw)
        except UnicodeDecodeError:
            continue
    return raw.decode("cp1252", errors="replace")


def read_columns(
    path: Path,
    wanted: Sequence[str],
    *,
    source: str,
    sheet: str | int | None = None,
) -> Columns:
    """Read only the ``wanted`` columns of a CSV (any of ``, ; tab |``, UTF-8 or cp1252) or
    an Excel sheet (the first, or ``sheet``), as text. Raises :class:`SourceError` naming
    the file and the missing columns, or what is wrong with the file."""
    file = str(path)
    try:
        if is_excel(path):
            sheet_name = 0 if sheet is None else sheet
            header = pd.read_excel(path, sheet_name=sheet_name, nrows=0)
            seen = [str(c) for c in header.columns]
            mapping = match_columns(seen, wanted, source=source, file=file)
            frame = pd.read_excel(
                path,
                sheet_name=sheet_name,
                usecols=sorted(set(mapping.values())),
                dtype=str,
                keep_default_na=False,
            )
            first_row = 2
        else:
            text = _decode(path.read_bytes())
            first_line = next((line for line in text.splitlines() if line.strip()), "")
            sep = _separator(first_line)
            seen = next(csv.reader([first_line], delimiter=sep))
            seen = [c.strip() for c in seen]
            mapping = match_columns(seen, wanted, source=source, file=file)
            positions = sorted({seen.index(c) for c in mapping.values()})
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                usecols=positions,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=True,
            )
            frame.columns = [seen[p] for p in positions]
            first_row = 2
    except (OSError, UnicodeDecodeError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise SourceError(f"cannot read the file: {e}", source=source, file=file) from e
    out = pd.DataFrame({name: frame[column].astype(str) for name, column in mapping.items()})
    logger.info(
        "event=read_columns file=%s rows=%d columns_read=%s columns_not_read=%d",
        file,
        len(out),
        sorted(set(mapping.values())),
        len(seen) - len(set(mapping.values())),
    )
    return Columns(out, first_row, list(seen))
