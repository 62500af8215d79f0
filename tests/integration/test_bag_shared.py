# SPDX-License-Identifier: EUPL-1.2
"""The BAG source on the real Apeldoorn extract in ../shared/data, checked independently.

The expected counts are computed here without Buurtlens code: the CSV with the csv module, the
buurten with the json module, point-in-polygon with plain shapely. PROVENANCE.md: all 287
verblijfsobjecten of the slice lie in BU02000706 ("Bedrijvenpark Apeldoorn Noord").
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import shapely
import shapely.geometry

from etl import geometry
from etl.config import SourceSpec
from etl.settings import EtlSettings
from etl.sources import bag
from etl.sources.detect import discover
from etl.sources.files import read_file
from etl.staging import Staging
from etl.transform import merge
from tests.fakes.cbs_server import FakeCbsServer

pytestmark = pytest.mark.integration

SAMPLE = "bag_pdok_apeldoorn_sample"
BUURTEN = "cbs_gebiedsindelingen_cartomap/buurten_2022_GM0200_wgs84.geojson"
EXISTING = {
    "Verblijfsobject in gebruik",
    "Verblijfsobject in gebruik (niet ingemeten)",
    "Verbouwing verblijfsobject",
    "Verblijfsobject buiten gebruik",
}


def merged_boundaries(shared_data: Path) -> Any:
    """The 2022 buurten of WK020007 as the runner merges them (WGS84, repaired)."""
    results = [read_file(f, source="grenzen") for f in discover(shared_data / BUURTEN, source="g")]
    for r in results:
        assert r.geometries is not None
        r.geometries, _ = geometry.repair(geometry.to_wgs84(r.geometries))
    return merge(results)


def buurt_polygons(shared_data: Path) -> dict[str, shapely.Geometry]:
    data = json.loads((shared_data / BUURTEN).read_text(encoding="utf-8"))
    return {f["properties"]["statcode"]: shapely.geometry.shape(f["geometry"])
            for f in data["features"]}  # fmt: skip


def buurt_of(point: shapely.Point, polygons: dict[str, shapely.Geometry]) -> str | None:
    hits = sorted(code for code, poly in polygons.items() if poly.covers(point))
    return hits[0] if hits else None


@pytest.fixture(scope="module")
def vbo_rows(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / SAMPLE / "bag_verblijfsobjecten.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def counted(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    merged = merged_boundaries(shared_data)
    spec = SourceSpec(
        name="bag", type="bag", path=shared_data / SAMPLE, year=2022,
        options=bag.parse_options({"type": "bag", "path": "x"}, where="test"),
    )  # fmt: skip
    data_dir = tmp_path_factory.mktemp("bag")
    with Staging.open(data_dir) as staging:
        staged = bag.extract(spec, staging, EtlSettings())
        result = bag.aggregate(staged, merged.geometries, merged.areas)
        vbo = staging.con.execute(
            f"SELECT lon, lat, reason FROM {bag.VBO_TABLE} v JOIN staged_files f "
            "USING (file_id) WHERE f.file LIKE '%.csv'"
        ).df()
    return staged, result, vbo, merged


def value(result: Any, code: str, indicator: str) -> float:
    obs = result.observations
    row = obs[(obs.area_code == code) & (obs.indicator_id == indicator)]
    assert len(row) == 1, (code, indicator)
    return float(row.value.iloc[0])


def test_every_verblijfsobject_with_a_location_is_assigned_to_a_buurt(
    shared_data: Path, vbo_rows: list[dict[str, str]], counted: Any
) -> None:
    _, result, vbo, merged = counted
    polygons = buurt_polygons(shared_data)
    where = Counter(
        buurt_of(shapely.Point(float(r["xcoord"]), float(r["ycoord"])), polygons) for r in vbo_rows
    )
    assert where == {"BU02000706": 287}  # the independent count, as PROVENANCE.md says
    assert len(vbo) == 287 and vbo.reason.isna().all() and vbo.lon.notna().all()
    vmap = bag.vintage_map(merged.geometries, 2022, areas=merged.areas)
    located = vmap.locate(vbo.lon.to_numpy(), vbo.lat.to_numpy())
    assert {vmap.codes[i] for i in located} == {"BU02000706"}
    assert result.rejected == []
    # The GeoJSON holds the same 287 objects: counted once.
    assert value(result, "BU02000706", "verblijfsobjecten") == sum(
        r["status"] in EXISTING for r in vbo_rows
    )


def test_dwellings_and_uses_per_buurt_equal_an_independent_count(
    shared_data: Path, vbo_rows: list[dict[str, str]], counted: Any
) -> None:
    _, result, _, _ = counted
    polygons = buurt_polygons(shared_data)
    woningen: Counter[str] = Counter()
    per_doel: Counter[tuple[str, str]] = Counter()
    before_1945: Counter[str] = Counter()
    areas: dict[str, list[int]] = {}
    for r in vbo_rows:
        code = buurt_of(shapely.Point(float(r["xcoord"]), float(r["ycoord"])), polygons)
        if code is None or r["status"] not in EXISTING:
            continue
        uses = {u.strip() for u in r["gebruiksdo"].split(",")}
        for use in uses:
            per_doel[(code, use)] += 1
        if "woonfunctie" in uses:
            woningen[code] += 1
            before_1945[code] += int(r["bouwjaar"]) < 1945
            if 1 <= int(r["oppervlakt"]) < 100_000:
                areas.setdefault(code, []).append(int(r["oppervlakt"]))
    assert woningen["BU02000706"] > 0
    for code in polygons:
        assert value(result, code, "woningen_bag") == woningen[code], code
        assert value(result, code, "woningen_bouwjaar_voor_1945") == before_1945[code], code
        for use in ("woonfunctie", "industriefunctie", "kantoorfunctie", "winkelfunctie"):
            assert value(result, code, f"verblijfsobjecten_{use}") == per_doel[(code, use)]
    mean = sum(areas["BU02000706"]) / len(areas["BU02000706"])
    assert value(result, "BU02000706", "gemiddelde_oppervlakte_woning") == pytest.approx(mean)
    share = 100 * before_1945["BU02000706"] / woningen["BU02000706"]
    assert value(result, "BU02000706", "aandeel_woningen_voor_1945") == pytest.approx(share)


def test_panden_per_status_equal_an_independent_count(shared_data: Path, counted: Any) -> None:
    _, result, _, _ = counted
    polygons = buurt_polygons(shared_data)
    data = json.loads((shared_data / SAMPLE / "bag_panden.geojson").read_text(encoding="utf-8"))
    per_status: Counter[tuple[str | None, str]] = Counter()
    for feature in data["features"]:
        shape = shapely.geometry.shape(feature["geometry"])
        per_status[(buurt_of(shape.representative_point(), polygons), feature["properties"]
                    ["status"])] += 1  # fmt: skip
    assert sum(per_status.values()) == 246
    for (code, status), n in per_status.items():
        assert code is not None
        assert value(result, code, bag.bag_status_id(status)) == n, status


def test_the_pdok_bag_ogc_api_gives_the_same_figures(
    shared_data: Path, counted: Any, cbs_server: FakeCbsServer,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _, from_files, _, merged = counted
    monkeypatch.setattr(bag, "PAGE_LIMIT", 50)  # PDOK pages at 1,000; the sample has 287
    spec = SourceSpec(
        name="bag", type="bag", base_url=cbs_server.pdok_bag_url, year=2022,
        options=bag.parse_options({"type": "bag", "base_url": "x",
                                   "bbox": [5.9, 52.2, 6.05, 52.3]}, where="test"),
    )  # fmt: skip
    settings = EtlSettings(http_retries=0, http_timeout=10)
    with Staging.open(tmp_path) as staging:
        staged = bag.extract(spec, staging, settings)
        result = bag.aggregate(staged, merged.geometries, merged.areas)
        again = bag.extract(spec, staging, settings)
    items = [r for r in cbs_server.requests if r.path.endswith("/items")]
    assert len([r for r in items if r.path.endswith("/verblijfsobject/items")]) == 12  # 6 x 2
    assert [c.status for c in again.changes] == ["unchanged", "unchanged"]
    key = ["area_code", "indicator_id", "period"]
    files = from_files.observations.sort_values(key).reset_index(drop=True)
    api = result.observations.sort_values(key).reset_index(drop=True)
    assert files[key].equals(api[key])
    assert (files.value.fillna(-1) == api.value.fillna(-1)).all()
