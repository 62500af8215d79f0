# SPDX-License-Identifier: EUPL-1.2
"""The map-switch benchmark's measuring code on a small factory warehouse, so that it cannot
rot (it measures; nothing here is timed). The full run needs ../shared/data and Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import map_switch
from data.settings import get_settings
from data.warehouse import Warehouse, set_warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.unit


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    factory.publish(tmp_path, data_version="bench-v1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUURTLENS_DATA_DIR", str(tmp_path))
        get_settings.cache_clear()
        set_warehouse(Warehouse(tmp_path / "buurtlens.duckdb"))
        yield tmp_path
    get_settings.cache_clear()
    set_warehouse(None)


def test_switches_go_through_dash_and_are_patches(data_dir: Path) -> None:
    ours = map_switch.measure_buurtlens(switches=4)
    assert ours["patch_only"] is True
    assert ours["areas"] == len(factory.areas(2024, "buurt", "GM0392"))
    assert 0 < ours["bytes_sent_mean"] <= ours["bytes_raw_mean"]
    assert ours["geometry_gzip_bytes"] > 0 and ours["switches"] == 4


def test_plain_approach_sends_the_geometry_every_time(data_dir: Path) -> None:
    geojson = map_switch.full_geojson(data_dir, simplified=False)
    assert len(geojson["features"]) == len(factory.areas(2024, "buurt", "GM0392"))
    plain = map_switch.measure_plain(geojson, switches=2)
    assert plain["bytes_raw_mean"] > len(str(geojson["features"][0]["geometry"]["coordinates"]))


def test_generated_buurt_figures_follow_the_statline_layout(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    boundaries = shared / "cbs_gebiedsindelingen_cartomap"
    boundaries.mkdir(parents=True)
    (boundaries / "buurten_2024_GM0392_wgs84.geojson").write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"statcode": "BU03920101"}, "geometry": null}]}'
    )
    path = map_switch.write_buurt_figures(tmp_path / "out", shared)
    header, row = path.read_text().splitlines()
    assert header.startswith("regiocode,soort_regio,gemeentecode,jaar,cbs_tabel,AantalInwoners_5")
    assert row.startswith("BU03920101,Buurt,GM0392,2024,85984NED,")
