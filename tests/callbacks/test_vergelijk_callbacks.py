# SPDX-License-Identifier: EUPL-1.2
"""The compare page (/vergelijk): layout, grid, downloads, called directly on a
factory-built warehouse."""

from __future__ import annotations

import base64
import csv
import importlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import dash_ag_grid as dag
import openpyxl
import pytest
from dash import html, no_update
from dash.exceptions import PreventUpdate

from data.settings import get_settings
from data.warehouse import Warehouse, set_warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.callbacks

AREAS = ["GM0392", "BU03920201", factory.SUPPRESSED_BUURT]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("vergelijk-data")
    factory.publish(path, data_version="vergelijk-v1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUURTLENS_DATA_DIR", str(path))
        get_settings.cache_clear()
        set_warehouse(None)
        yield path
    get_settings.cache_clear()
    set_warehouse(None)


@pytest.fixture
def vergelijk(data_dir: Path) -> ModuleType:
    importlib.import_module("app")  # registers the pages once per process
    set_warehouse(Warehouse(data_dir / "buurtlens.duckdb"))
    return sys.modules["pages.vergelijk"]


def walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str):
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from walk(child)


def find(component: Any, component_id: str) -> Any:
    return next((c for c in walk(component) if getattr(c, "id", None) == component_id), None)


def text_of(component: Any) -> str:
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return " ".join(text_of(c) for c in children if c is not None)
    return text_of(children)


def test_grid_sorts_on_numbers_and_shows_why_a_cell_is_empty(vergelijk: ModuleType) -> None:
    page = vergelijk.layout(gebieden=",".join(AREAS), indicatoren="inwoners", jaar="2024")
    grid = find(page, vergelijk.ids.GRID)
    assert isinstance(grid, dag.AgGrid)
    rows = {r["code"]: r for r in grid.rowData}
    assert rows["BU03920201"]["inwoners"] == 41_497.0
    assert rows["BU03920201"]["inwoners__tekst"] == "41.497"
    hidden = rows[factory.SUPPRESSED_BUURT]
    assert hidden["inwoners"] is None
    assert hidden["inwoners__tekst"] == "verborgen"
    assert hidden["inwoners__uitleg"] == factory.SUPPRESSED_REASON
    column = next(c for c in grid.columnDefs if c["field"] == "inwoners")
    assert column["filter"] == "agNumberColumnFilter"
    assert grid.defaultColDef["sortable"] is True
    # the plain table alternative holds the same figures and the full reason
    table = find(page, vergelijk.ids.TABLE)
    assert isinstance(table, html.Table)
    assert "41.497" in text_of(table) and factory.SUPPRESSED_REASON in text_of(table)
    # source, licence and the API calls behind the columns
    source = text_of(find(page, vergelijk.ids.SOURCE))
    assert "CC BY 4.0" in source and "vergelijk-v1" in source
    hrefs = [getattr(c, "href", None) for c in walk(find(page, vergelijk.ids.SOURCE))]
    assert "/api/v1/values?indicator=inwoners&level=buurt&year=2024&gemeente=GM0392" in hrefs


def test_default_view(vergelijk: ModuleType) -> None:
    page = vergelijk.layout()
    assert find(page, vergelijk.ids.YEAR).value == 2024
    assert find(page, vergelijk.ids.AREAS).value[0] in ("GM0392", "GM0394")
    assert "inwoners" in find(page, vergelijk.ids.INDICATORS).value


def test_absent_area_is_named(vergelijk: ModuleType) -> None:
    page = vergelijk.layout(gebieden="WK039201,WK039401", indicatoren="inwoners", jaar="2023")
    assert "Niet in de gebiedsindeling van 2023: WK039401." in text_of(page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"gebieden": "WK039299"}, "Geen van de gebieden bestaat"),
        ({"gebieden": "WK039201", "indicatoren": "weg"}, "indicatoren in de link kennen we niet"),
        ({"gebieden": "WK039201", "jaar": "1999"}, "Voor 1999 zijn er geen gebieden."),
        ({"gebieden": "nonsense"}, "De link klopt niet"),
        ({"gebieden": "WK039201", "jaar": ["2023", "2024"]}, "meer dan eens"),
    ],
)
def test_wrong_url_is_a_friendly_message(
    vergelijk: ModuleType, query: dict[str, Any], expected: str
) -> None:
    page = vergelijk.layout(**query)
    assert expected in text_of(page)
    assert vergelijk.http_status(**query) == 404


def test_update_table_and_url(vergelijk: ModuleType) -> None:
    out = vergelijk.update_table(AREAS, ["inwoners", "aandeel_65_plus"], 2024, "nl")
    assert out["search"] == (
        "?gebieden=GM0392,BU03920201,BU03920202&indicatoren=inwoners,aandeel_65_plus&jaar=2024"
    )
    assert [c["field"] for c in out["columns"]] == [
        "naam",
        "inwoners",
        "aandeel_65_plus",
        "niveau",
        "gemeente",
        "code",
    ]
    assert len(out["rows"]) == 3
    assert out["message"] is None


def test_update_table_keeps_the_table_on_a_bad_choice(vergelijk: ModuleType) -> None:
    out = vergelijk.update_table([], ["inwoners"], 2024, "nl")
    assert out["rows"] is no_update and out["message"] == "Kies minstens één gebied."
    out = vergelijk.update_table(["WK039401"], ["inwoners"], 2023, "en")
    assert out["rows"] is no_update and "None of the areas exists in 2023" in out["message"]


def test_area_options_follow_the_year(vergelijk: ModuleType) -> None:
    values = [o["value"] for o in vergelijk.update_area_options(2023, ["WK039201"], "nl")]
    assert "GM0394" not in values  # Haarlemmermeer is not in the 2023 division
    assert "WK039201" in values and "BU03920101" in values
    with pytest.raises(PreventUpdate):
        vergelijk.update_area_options(None, [], "nl")


def test_download_csv(vergelijk: ModuleType) -> None:
    data = vergelijk.download_csv(1, AREAS, ["inwoners"], 2024, "nl")
    assert data["filename"] == "buurtlens-vergelijking-2024.csv"
    rows = list(csv.DictReader(io.StringIO(data["content"])))
    hidden = next(r for r in rows if r["code"] == factory.SUPPRESSED_BUURT)
    assert (hidden["inwoners"], hidden["inwoners_status"]) == ("", "suppressed")
    assert hidden["inwoners_reden"] == factory.SUPPRESSED_REASON
    assert "CBS" in hidden["bron"]


def test_download_excel(vergelijk: ModuleType) -> None:
    data = vergelijk.download_excel(1, AREAS, ["inwoners"], 2024, "http://x/vergelijk", "nl")
    assert data["filename"] == "buurtlens-vergelijking-2024.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    assert book.sheetnames == ["gegevens", "bron"]


def test_download_without_areas_does_nothing(vergelijk: ModuleType) -> None:
    with pytest.raises(PreventUpdate):
        vergelijk.download_csv(1, [], ["inwoners"], 2024, "nl")
