# SPDX-License-Identifier: EUPL-1.2
"""The column-wise CBS cell parser gives every cell exactly what parse_cbs_value gives it,
and read_file the same figures and rejections as the cell-by-cell loop it replaced."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.model import OBS_COLUMNS, NotANumber, normalise_code, parse_cbs_value
from etl.sources.detect import column_roles, load_table
from etl.sources.files import _cell, discover, parse_column, read_file

pytestmark = pytest.mark.unit

TRICKY_TEXT = [
    "", " ", ".", " . ", "-99999999", "-99997", "-99995", "-99991", "-99999999.0", "-99997,0",
    "-99997.5", "12", "12.5", "12,5", "1.234,5", "1,234.5", "+7", "7*", "7**", " 8 ", "-0", "0",
    "007", "1e3", "1E-2", "1_000", "nan", "NaN", "inf", "-Infinity", "1" * 400, "x", "n.v.t.",
    "--5", "5-", "١٢", "\u00a012\u00a0", "0.1", "0.30000000000000004", "123456789012345678901234",
    "9007199254740993", "-99999999 ", "*", "+", ",", "1,", ",5", "1.", ".5",
]  # fmt: skip
TRICKY_OTHER = [None, math.nan, np.nan, pd.NA, True, False, 3, -99999999, -99997.0, 2.5, math.inf]


def reference(cells: list[object]) -> list[tuple[float | None, str, str | None] | str]:
    out: list[tuple[float | None, str, str | None] | str] = []
    for cell in cells:
        try:
            out.append(parse_cbs_value(_cell(cell)))
        except NotANumber:
            out.append("bad")
    return out


def vectorised(cells: np.ndarray) -> list[tuple[float | None, str, str | None] | str]:
    value, status, reason, bad = parse_column(cells, {})
    return [
        "bad" if b else (None if math.isnan(v) else float(v), s, r)
        for v, s, r, b in zip(value, status, reason, bad, strict=True)
    ]


def same(a: list[object], b: list[object]) -> bool:
    """Equal, with NaN equal to NaN and -0.0 told apart from 0.0."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(x, tuple) and isinstance(y, tuple):
            (vx, *rx), (vy, *ry) = x, y
            if rx != ry:
                return False
            if vx is None or vy is None:
                if vx is not vy:
                    return False
            elif not (vx == vy or (math.isnan(vx) and math.isnan(vy))) or (
                math.copysign(1, vx) != math.copysign(1, vy)
            ):
                return False
        elif x != y:
            return False
    return True


def test_tricky_text_cells_parse_like_parse_cbs_value() -> None:
    cells = np.array(TRICKY_TEXT * 2, dtype=object)
    assert same(vectorised(cells), reference(list(cells)))


def test_mixed_object_cells_parse_like_parse_cbs_value() -> None:
    cells = np.array([*TRICKY_TEXT, *TRICKY_OTHER], dtype=object)
    assert same(vectorised(cells), reference(list(cells)))


@pytest.mark.parametrize(
    "values",
    [
        np.array([0, 5, -99999999, -99997, -99995, -99991, 2**62], dtype=np.int64),
        np.array([0.0, -0.0, 1.5, -99999999.0, -99991.0, math.nan, math.inf], dtype=np.float64),
        np.array([1.5, -99997.0, math.nan], dtype=np.float32),
        np.array([0, 7, 2**63], dtype=np.uint64),
    ],
)
def test_numeric_columns_parse_like_parse_cbs_value(values: np.ndarray) -> None:
    # pandas' to_dict() hands the row loop Python scalars; tolist() gives the same.
    assert same(vectorised(values), reference(values.tolist()))


def test_the_cache_is_shared_and_does_not_change_results() -> None:
    cache: dict[str, object] = {}
    first = parse_column(np.array(["1", "x", "."], dtype=object), cache)  # type: ignore[arg-type]
    second = parse_column(np.array([".", "1", "x"], dtype=object), cache)  # type: ignore[arg-type]
    assert set(cache) == {"1", "x", "."}
    assert first[1].tolist() == ["ok", None, "missing"]
    assert second[1].tolist() == ["missing", "ok", None]
    assert second[3].tolist() == [False, False, True]


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789-+.,* e_", max_size=12),
            st.sampled_from(["-99999999", "-99997", ".", "", " 1,5 "]),
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.integers(min_value=-(10**12), max_value=10**12).map(str),
        ),
        max_size=40,
    )
)
def test_any_text_parses_like_parse_cbs_value(texts: list[str]) -> None:
    cells = np.array(texts, dtype=object)
    assert same(vectorised(cells), reference(texts))


# --- the reader: the same frame and rejections as the cell-by-cell loop it replaced ------


def _reference_observations(path: Path) -> tuple[pd.DataFrame, list[tuple[object, ...]]]:
    """What read_file produced before parsing became column-wise: a loop over every cell."""
    [spec] = discover(path, source="t")
    table = load_table(spec.path, spec.layer, source="t")
    roles = column_roles([str(c) for c in table.frame.columns])
    records = table.frame.to_dict("records")
    year = spec.year
    out, rejected = [], []
    for column, indicator in roles.indicators.items():
        for index, record in enumerate(records):
            code = normalise_code(record[roles.code])
            if code is None:
                continue
            raw = _cell(record[column])
            try:
                value, status, reason = parse_cbs_value(raw)
            except NotANumber:
                rejected.append(
                    (table.first_row + index, column, None if raw is None else str(raw))
                )
                continue
            out.append((code, year, str(year), indicator, value, status, reason))
    frame = pd.DataFrame(out, columns=OBS_COLUMNS, dtype=object)
    return frame.astype({"vintage": "int64", "value": "float64"}), rejected


def _compare(path: Path) -> None:
    [spec] = discover(path, source="t")
    result = read_file(spec, source="t")
    expected, expected_rejected = _reference_observations(path)
    pd.testing.assert_frame_equal(result.observations, expected)
    # Cells rejected as neither a number nor a CBS code (not rows with a bad area code), in
    # the reader's order: by row, and within a row by column (a stable sort).
    got = [(r.row, r.field, r.value) for r in result.rejected if r.field != "regiocode"]
    assert got == sorted(expected_rejected, key=lambda r: r[0])
    assert expected_rejected  # the files do hold such cells


def test_a_statline_csv_reads_like_the_cell_by_cell_loop(tmp_path: Path) -> None:
    cells = [t for t in TRICKY_TEXT if ";" not in t and "\n" not in t]
    header = "regiocode;jaar;AantalInwoners_5;Mannen_6;Vrouwen_7;Woningvoorraad_35"
    lines = [header]
    for i in range(60):
        code = [f"WK0392{i:02d}", f"BU0392{i:02d}01", "nonsense"][i % 3] if i else "GM0392"
        row = [cells[(i * 7 + k * 3) % len(cells)] for k in range(4)]
        lines.append(";".join([code, "2024", *row]))
    path = tmp_path / "kwb.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _compare(path)


def test_a_kaart_geojson_with_typed_fields_reads_like_the_cell_by_cell_loop(
    tmp_path: Path,
) -> None:
    features = []
    for i in range(12):
        props = {
            "BU_CODE": f"BU0392{i:02d}01",
            "JRSTATCODE": f"2020BU0392{i:02d}01",
            "AANT_INW": [100, -99999999, None, 7][i % 4],  # integers with a null: floats
            "AANT_MAN": [1.5, -99997.0, 2.0, None][i % 4],
            "AANT_VROUW": [3, 4, -99995, 5][i % 4],  # integers
            "WONINGEN": ["12", ".", "x", None][i % 4],  # text
            "P_00_14_JR": [True, False, True, False][i % 4],  # booleans: rejected
        }
        ring = [[4.6 + i * 0.01, 52.3], [4.61 + i * 0.01, 52.3], [4.61 + i * 0.01, 52.31]]
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
        )
    path = tmp_path / "kaart.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    _compare(path)
