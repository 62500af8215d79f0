# SPDX-License-Identifier: EUPL-1.2
"""data.compare: the comparison table and its CSV and Excel files, on a factory warehouse."""

from __future__ import annotations

import csv
import io
import math

import openpyxl
import pandas as pd
import pytest

from data import compare
from data.queries import InvalidParameter, UnknownIndicator, UnknownVintage
from data.series import UnknownArea
from data.warehouse import Warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.unit

CODES = ["GM0392", "BU03920201", factory.SUPPRESSED_BUURT, factory.MISSING_BUURT, "WK039299"]
INDICATORS = ["inwoners", "gemiddelde_huishoudensgrootte"]


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return Warehouse(factory.publish(tmp_path_factory.mktemp("wh"), data_version="c-v1"))


@pytest.fixture(scope="module")
def comp(wh: Warehouse) -> compare.Comparison:
    return compare.comparison(CODES, INDICATORS, 2024, warehouse=wh)


def test_rows_in_the_order_asked_and_absent_codes_reported(comp: compare.Comparison) -> None:
    assert list(comp.areas["code"]) == CODES[:4]
    assert comp.absent == ("WK039299",)
    assert comp.vintage == 2024
    assert comp.data_version == "c-v1"


def test_wide_table_has_published_figures_only(comp: compare.Comparison) -> None:
    table = compare.wide_table(comp).set_index("code")
    assert list(table.columns[:4]) == ["naam", "niveau", "gemeente", "jaar"]
    assert table.loc["BU03920201", "inwoners"] == 41_497
    assert table.loc["BU03920201", "inwoners_status"] == "ok"
    assert pd.isna(table.loc["BU03920201", "inwoners_reden"])
    hidden = table.loc[factory.SUPPRESSED_BUURT]
    assert math.isnan(hidden["inwoners"])
    assert (hidden["inwoners_status"], hidden["inwoners_reden"]) == (
        "suppressed",
        factory.SUPPRESSED_REASON,
    )
    assert table.loc[factory.MISSING_BUURT, "inwoners_status"] == "missing"


def test_csv_is_plain_rfc4180_with_attribution_column(comp: compare.Comparison) -> None:
    text = compare.to_csv(comp)
    rows = list(csv.reader(io.StringIO(text)))
    header, *body = rows
    assert header[:5] == ["code", "naam", "niveau", "gemeente", "jaar"]
    assert header[-1] == "bron"
    assert all(len(r) == len(header) for r in body)  # no comment or footer lines
    assert len(body) == 4
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    hidden = by_code[factory.SUPPRESSED_BUURT]
    assert hidden["inwoners"] == ""
    assert hidden["inwoners_status"] == "suppressed"
    assert hidden["inwoners_reden"] == factory.SUPPRESSED_REASON
    assert by_code["BU03920201"]["inwoners"] == "41497"
    assert "CBS" in hidden["bron"]
    # pandas reads it back as is
    frame = pd.read_csv(io.StringIO(text))
    assert frame.shape == (4, len(header))


def test_excel_has_data_and_source_sheets(comp: compare.Comparison) -> None:
    content = compare.to_excel(comp, view_url="http://x/vergelijk?jaar=2024", downloaded_at="nu")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["gegevens", "bron"]
    data = book["gegevens"]
    header = [c.value for c in data[1]]
    assert header[:5] == ["code", "naam", "niveau", "gemeente", "jaar"]
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in data.iter_rows(min_row=2, values_only=True)
    }
    assert rows["BU03920201"]["inwoners"] == 41_497
    assert rows[factory.SUPPRESSED_BUURT]["inwoners"] is None
    assert rows[factory.SUPPRESSED_BUURT]["inwoners_status"] == "suppressed"
    col = header.index("gemiddelde_huishoudensgrootte") + 1
    assert data.cell(row=2, column=col).number_format == "#,##0.0"
    source = [[c for c in row if c is not None] for row in book["bron"].iter_rows(values_only=True)]
    flat = " ".join(str(c) for row in source for c in row)
    assert "CC BY 4.0" in flat and "c-v1" in flat and "http://x/vergelijk?jaar=2024" in flat
    assert source[0] == ["indicator", "omschrijving", "eenheid", "periode", "bron", "licentie"]


def test_default_indicators_and_year(wh: Warehouse) -> None:
    comp = compare.comparison(["WK039201"], [], warehouse=wh)
    assert comp.vintage == 2024
    assert [i.id for i in comp.indicators] == [
        "inwoners",
        "bevolkingsdichtheid",
        "aandeel_65_plus",
        "gemiddelde_huishoudensgrootte",
    ]


def test_default_selection(wh: Warehouse) -> None:
    vintage, codes = compare.default_selection(warehouse=wh)
    assert vintage == 2024
    assert codes[0] in ("GM0392", "GM0394") and all(c.startswith(("GM", "WK")) for c in codes)


@pytest.mark.parametrize(
    ("codes", "indicators", "year", "error"),
    [
        ([], ["inwoners"], 2024, InvalidParameter),
        (["WK039201"], ["onbekend"], 2024, UnknownIndicator),
        (["WK039201"], [factory.INTERNAL_INDICATOR], 2024, UnknownIndicator),
        (["WK039201"], ["inwoners"], 1999, UnknownVintage),
        (["WK039401"], ["inwoners"], 2023, UnknownArea),
        (["x"], ["inwoners"], 2024, InvalidParameter),
        ([f"BU0392{i:04d}" for i in range(compare.MAX_AREAS + 1)], [], 2024, InvalidParameter),
    ],
)
def test_errors(
    wh: Warehouse, codes: list[str], indicators: list[str], year: int, error: type
) -> None:
    with pytest.raises(error):
        compare.comparison(codes, indicators, year, warehouse=wh)


def test_parse_list() -> None:
    assert compare.parse_list(" a, b ,a,,") == ["a", "b"]
    assert compare.parse_list(["a", "a"]) == ["a"]
