# SPDX-License-Identifier: EUPL-1.2
"""The Excel download of ``values``: a sheet of figures and a sheet that explains them.

The figures sheet has exactly the columns of the JSON and CSV answers, numbers as numbers
and no figure (suppressed or missing) as an empty cell next to its status and reason. The
second sheet ("Toelichting") says what the figures are, where they come from, under which
licence they may be re-used and from which data version they were read, so that the file
stays understandable when it is mailed around without the API.

The file is byte-for-byte the same for the same data version and request (fixed document
and zip timestamps), so that its strong ETag is honest.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from api.responses import plain

VALUES_SHEET: Final = "Waarden"
ABOUT_SHEET: Final = "Toelichting"
_EPOCH: Final = datetime(2000, 1, 1)
_MODIFIED_RE: Final = re.compile(rb"<dcterms:modified [^>]*>[^<]*<")


def values_workbook(
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[str],
    *,
    about: Sequence[tuple[str, str]],
    decimals: int,
    timestamp: datetime | None,
) -> bytes:
    """An .xlsx file with the rows on :data:`VALUES_SHEET` and ``about`` (label, text)
    pairs on :data:`ABOUT_SHEET`. ``timestamp`` (the build time) dates the document."""
    stamp = (timestamp or _EPOCH).replace(tzinfo=None, microsecond=0)
    wb = Workbook(write_only=True)
    wb.properties.creator = "Buurtlens"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    bold = Font(bold=True)
    number_format = "#,##0" if decimals <= 0 else "#,##0." + "0" * min(decimals, 6)

    sheet: WriteOnlyWorksheet = wb.create_sheet(VALUES_SHEET)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, c, font=bold) for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = plain(row.get(column))
            cell = _cell(sheet, value)
            if column == "value" and value is not None:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)

    info: WriteOnlyWorksheet = wb.create_sheet(ABOUT_SHEET)
    for label, text in about:
        info.append([_cell(info, label, font=bold), text])

    buffer = io.BytesIO()
    wb.save(buffer)
    return _fix_zip_times(buffer.getvalue(), stamp)


def _cell(sheet: WriteOnlyWorksheet, value: object, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    return cell


def _fix_zip_times(data: bytes, stamp: datetime) -> bytes:
    """The same workbook with every zip entry and the document's modification time dated
    ``stamp`` (openpyxl writes 'now' in both places when saving)."""
    modified = f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp.isoformat()}Z<'.encode()
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _MODIFIED_RE.sub(modified, content)
            target.writestr(info, content)
    return out.getvalue()
