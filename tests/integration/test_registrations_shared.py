# SPDX-License-Identifier: EUPL-1.2
"""The real meldingen of Assen (../shared/data) through the registrations loader and the hook.

Configured with the Signalen entry of ``config/registraties.example.toml`` (only its paths
changed). Expected counts are computed independently: the CSV with the csv module, the 2022
buurten with the json module, point-in-polygon with plain shapely, local time with zoneinfo.
PROVENANCE.md: 1,895 of the 1,898 meldingen fall in an Assen buurt of 2022; the 3 others (2
labelled "Wijk 09 Vries", 1 "Wijk 02 Hooghalen") fall in none.
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest
import shapely
import shapely.geometry

from etl import geometry, indicators
from etl.config import load_config
from etl.disclosure import DisclosureRules, protect
from etl.indicators import all_indicators
from etl.schema import PUBLIC_TABLES
from etl.settings import EtlSettings
from etl.sources import registrations
from etl.sources.detect import discover
from etl.sources.files import read_file
from etl.sources.located import LocatedSources, append_observations
from etl.staging import Staging, StagingSettings
from etl.transform import merge
from etl.warehouse import WarehouseContent, validate, write

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
MELDINGEN = "meldingen_signalen_assen/meldingen_assen.csv"
BUURTEN = "cbs_gebiedsindelingen_cartomap/buurten_2022_GM0106_wgs84.geojson"
IND = "meldingen_openbare_ruimte"
LOCAL = ZoneInfo("Europe/Amsterdam")


def example_config(shared_data: Path, tmp: Path) -> Path:
    """The example registrations file with its paths pointing at the shared data."""
    text = (REPO / "config" / "registraties.example.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert [s["type"] for s in raw["sources"]] == ["bag", "registrations"]
    text = text.replace(
        '"/srv/buurtlens/drops/meldingen"', json.dumps(str(shared_data / MELDINGEN))
    )
    text = text.replace('"/srv/buurtlens/downloads/bag-light.gpkg"', json.dumps(str(tmp)))
    path = tmp / "registraties.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def registry() -> Iterator[None]:
    """The indicators this module registers stay in this module (the catalogue is global)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indicators, "BY_ID", dict(indicators.BY_ID))
        patch.setattr(indicators, "_ALIAS_INDEX", dict(indicators._ALIAS_INDEX))
        patch.setattr(indicators, "_REGISTERED", [])
        yield


@pytest.fixture(scope="module")
def run(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, registry: None
) -> dict[str, Any]:
    """The hook as the runner calls it: plan, extract, merge, aggregate, write, finish."""
    tmp = tmp_path_factory.mktemp("registraties")
    config = load_config(example_config(shared_data, tmp))
    spec = next(s for s in config.sources if s.type == "registrations")
    settings = EtlSettings()
    data_dir = tmp / "data"
    located = LocatedSources(data_dir, settings, StagingSettings.from_mapping(config.staging),
                             run_id="test-run")  # fmt: skip
    located.plan(spec)
    notes = located.extract()
    results = [read_file(f, source="grenzen") for f in discover(shared_data / BUURTEN, source="g")]
    for r in results:
        assert r.geometries is not None
        r.geometries, _ = geometry.repair(geometry.to_wgs84(r.geometries))
    merged = merge(results)
    (result,) = located.aggregate(merged.geometries, merged.areas, merged.observations)
    merged.observations = append_observations(merged.observations, [result])
    with Staging.open(data_dir) as staging:
        rejected = staging.rejected(spec.name, registrations.TABLE)
    area_geometry = geometry.full_precision_rows(merged.geometries)
    artefacts = pd.DataFrame([a.as_row() for a in geometry.display_artefacts(merged.geometries)])
    warehouse = tmp / "warehouse.duckdb"
    write(warehouse, WarehouseContent(
        areas=merged.areas, area_geometry=area_geometry, geometries=artefacts,
        observations=merged.observations, runs=pd.DataFrame(columns=["run_id", "started_at",
        "finished_at", "status", "data_version", "message"]), run_sources=pd.DataFrame(
        columns=["run_id", "source", "kind", "file", "checksum", "rows_read", "areas_loaded",
                 "observations_loaded", "rows_rejected"]), meta={"data_version": "test"},
    ))  # fmt: skip
    counts = validate(warehouse, expected={
        "observations": len(merged.observations), "areas": len(merged.areas),
        "indicators": len(all_indicators()),
    })  # fmt: skip
    located.finish(success=True)
    with Staging.open(data_dir) as staging:
        after = staging.con.execute(f"SELECT count(*) FROM {registrations.TABLE}").fetchone()
    return {"spec": spec, "result": result, "rejected": rejected, "notes": notes,
            "warehouse": warehouse, "counts": counts, "after": after, "merged": merged}  # fmt: skip


def independent(shared_data: Path) -> tuple[Counter[tuple[str, str, str]], list[dict[str, str]]]:
    """(buurt, year, category slug) -> count, and the rows in no buurt."""
    data = json.loads((shared_data / BUURTEN).read_text(encoding="utf-8"))
    polygons = {f["properties"]["statcode"]: shapely.geometry.shape(f["geometry"])
                for f in data["features"]}  # fmt: skip
    counts: Counter[tuple[str, str, str]] = Counter()
    nowhere = []
    with (shared_data / MELDINGEN).open(encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            point = shapely.Point(float(row["lng"]), float(row["lat"]))
            hits = sorted(code for code, poly in polygons.items() if poly.covers(point))
            if not hits:
                nowhere.append({**row, "line": str(line)})
                continue
            year = str(datetime.fromisoformat(row["created_at"]).astimezone(LOCAL).year)
            counts[(hits[0], year, row["category_slug"])] += 1
    return counts, nowhere


def test_counts_per_buurt_and_category_equal_an_independent_count(
    shared_data: Path, run: dict[str, Any]
) -> None:
    expected, nowhere = independent(shared_data)
    assert sum(expected.values()) == 1895 and len(nowhere) == 3
    assert len({code for code, _, _ in expected}) == 105  # of the 109 buurten
    obs = run["result"].observations
    years = obs[obs.period.str.fullmatch(r"\d{4}") & obs.area_code.str.startswith("BU")]
    got_total = years[years.indicator_id == IND].set_index(["area_code", "period"]).value
    want_total: Counter[tuple[str, str]] = Counter()
    for (code, year, _), n in expected.items():
        want_total[(code, year)] += n
    assert got_total.sum() == 1895
    for (code, year), value in got_total.items():
        assert value == want_total[(code, year)], (code, year)
    reg = registrations.registration(run["spec"].options, where="t")
    slug_of = {cat.id: cat.values[0] for cat in reg.categories}
    for cat_id, slug in slug_of.items():
        sel = years[years.indicator_id == f"{IND}_{cat_id}"].set_index(["area_code", "period"])
        for (code, year), value in sel.value.items():
            assert value == expected[(code, year, slug)], (code, year, slug)
    # Quarters add up to the year.
    quarters = obs[obs.period.str.contains("-Q") & (obs.indicator_id == IND)]
    assert quarters.value.sum() == 1895


def test_the_three_meldingen_outside_assen_are_rejected_as_outside(
    shared_data: Path, run: dict[str, Any]
) -> None:
    _, nowhere = independent(shared_data)
    rejected = run["rejected"]
    assert sorted(rejected.reason) == ["outside"] * 3
    assert sorted(rejected.row.astype(int)) == sorted(int(r["line"]) for r in nowhere)
    assert sorted(r["wijk"] for r in nowhere) == ["Wijk 02 Hooghalen", "Wijk 09 Vries",
                                                  "Wijk 09 Vries"]  # fmt: skip
    reasons = {r.reason.split(":")[0]: int(r.value) for r in run["result"].rejected}
    assert reasons == {"outside": 3}
    assert run["notes"] == ["meldingen-openbare-ruimte meldingen_assen.csv: new, read 1898 rows"]
    # After the successful run only the three rejected records are left in staging.
    assert run["after"] == (3,)


def test_the_published_warehouse_holds_counts_only(run: dict[str, Any]) -> None:
    con = duckdb.connect(str(run["warehouse"]), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        assert tables == set(PUBLIC_TABLES) | {"area_geometry"}
        columns = {r[0] for t in tables for r in con.execute(f"DESCRIBE {t}").fetchall()}
        assert not {"lng", "lat", "created_at", "record_id", "wijk", "category_slug"} & columns
        rows = con.execute(
            "SELECT count(*), count(DISTINCT indicator_id) FROM observations "
            "WHERE indicator_id LIKE 'meldingen%'"
        ).fetchone()
        assert rows is not None and rows[0] > 0
        unlocated = con.execute(
            "SELECT area_code, sum(value) FROM observations WHERE indicator_id = ? "
            "AND length(period) = 4 GROUP BY area_code",
            [f"{IND}_locatie_onbekend"],
        ).fetchall()
        assert unlocated == [("GM0106", 0.0)]  # every melding has coordinates
    finally:
        con.close()


def test_every_published_figure_has_a_disclosure_rule(run: dict[str, Any]) -> None:
    mapping = registrations.disclosure_mapping([run["spec"]])
    rules = DisclosureRules.from_mapping(mapping, catalogue=all_indicators())
    published = set(run["result"].observations.indicator_id)
    kinds = {ind: rules.rule_for(ind).kind for ind in published}
    assert kinds[IND] == "count" and kinds[f"{IND}_afval"] == "count"
    assert kinds[f"{IND}_per_1000_inwoners"] == "ratio"
    assert set(kinds.values()) == {"count", "ratio"}
    assert indicators.BY_ID[IND].access == "public"  # as configured


def test_the_published_figures_pass_disclosure_control(run: dict[str, Any]) -> None:
    mapping = registrations.disclosure_mapping([run["spec"]])
    rules = DisclosureRules.from_mapping(mapping, catalogue=all_indicators())
    merged = run["merged"]
    outcome = protect(merged.observations, merged.areas, rules)  # raises if the audit fails
    assert outcome.report.ok
    protected = outcome.observations
    mine = protected[protected.indicator_id.str.startswith(IND)]
    assert len(mine) == len(run["result"].observations)
    counts = mine[~mine.indicator_id.str.contains("per_1000")]
    shown = counts[counts.status == "ok"]
    assert not ((shown.value > 0) & (shown.value < 5)).any()  # no count of 1-4 meldingen
    hidden = counts[counts.status == "suppressed"]
    assert len(hidden) > 0 and hidden.reason.str.startswith("verborgen").all()
    assert hidden.reason.str.contains("meldingen").any()  # the noun of the entry
