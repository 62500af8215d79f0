# SPDX-License-Identifier: EUPL-1.2
"""Benchmark: what one indicator switch on the 111-buurt Haarlem map costs.

Issue 4: for the Haarlem buurt map built from ``../shared/data``, print the bytes sent and
the server time per indicator switch, the gzip size of the geometry artefact and the time
to the first map in headless Chromium, next to the same figures for the plain approach (a
``px.choropleth_map`` figure with the full GeoJSON rebuilt in each callback), as ratios.
Targets: under 5 KB and a server p95 under 20 ms per switch; at least 20x fewer bytes and
5x less server time than the plain approach.

How:

1. The real ETL (``python -m etl run``) builds a warehouse from the shared CBS files
   (``cbs_gebiedsindelingen_cartomap``: Haarlem's 111 buurten of 2024; ``cbs_kwb_2024_
   85984NED``: gemeente and wijk figures). The shared data hold no buurt figures, so a third
   source adds them: a StatLine-layout CSV for the 111 buurten with generated (seeded,
   plausible) counts, clearly named ``bench_*``. Geometry and names are real.
2. Buurtlens: the real app, in process. The page is asked for through the pages router and
   every switch goes through Dash's HTTP endpoint ``/_dash-update-component`` with the
   request body the browser sends (built from the registered callback), with
   ``Accept-Encoding: gzip`` as browsers send it. Bytes are the response body as sent
   (gzip) and decompressed; time is the request's wall time inside the server (no
   network).
3. The plain approach: a minimal Dash app with one callback that queries the same values
   and returns ``px.choropleth_map(frame, geojson=..., ...)``, called the same way. Its
   GeoJSON is the full-precision geometry from the warehouse (what ``gdf.to_json()`` gives
   a typical app); a second variant uses our simplified artefact (a stronger baseline).
4. Time to first map: both apps under gunicorn on 127.0.0.1, a fresh headless Chromium per
   load, from navigation start until MapLibre reports the map loaded with the areas drawn.

Results go to ``<out>/map_switch.json``.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import numpy as np

logger = logging.getLogger(__name__)

NAME: Final = "map_switch"
REPO: Final = Path(__file__).resolve().parents[1]
GEMEENTE: Final = "GM0392"
YEAR: Final = 2024
LEVEL: Final = "buurt"
SHARED_SOURCES: Final = ("cbs_gebiedsindelingen_cartomap", "cbs_kwb_2024_85984NED")
#: Indicators with a figure for every Haarlem buurt in the bench warehouse, switched in turn.
INDICATORS: Final = (
    "inwoners", "bevolkingsdichtheid", "woningvoorraad", "mannen", "vrouwen",
    "oppervlakte_land", "oppervlakte_totaal", "oppervlakte_water",
)  # fmt: skip
#: How Dash names the map graph's outputs in a callback response (a dict id, serialised).
GRAPH_KEY: Final = '{"map":"kaart","type":"bl-map-graph"}'
SWITCHES: Final = 200
WARMUP: Final = 16
BROWSER_LOADS: Final = 5
TARGET_BYTES: Final = 5 * 1024
TARGET_P95_MS: Final = 20.0
TARGET_BYTES_RATIO: Final = 20.0
TARGET_TIME_RATIO: Final = 5.0
CHROME_ARGS: Final = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader",
)  # fmt: skip
#: Set in the page before any script runs: records when the first map is drawn.
FIRST_MAP_PROBE: Final = """
(function () {
  function check() {
    var gd = document.querySelector('.js-plotly-plot');
    var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    var map = sub && sub.map;
    if (map && map.loaded() && map.getStyle().layers.length > 0 &&
        gd.querySelector('canvas.maplibregl-canvas')) {
      window.__firstMap = performance.now();
      return;
    }
    window.setTimeout(check, 10);
  }
  window.setTimeout(check, 10);
})();
"""


class BenchmarkError(RuntimeError):
    """The benchmark could not run (missing data, a failing build, a server that won't start)."""


# --- data --------------------------------------------------------------------------------


def shared_data() -> Path:
    path = Path(os.environ.get("BUURTLENS_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not (path / "PROVENANCE.md").is_file():
        raise BenchmarkError(f"shared data not found at {path} (set BUURTLENS_SHARED_DATA)")
    return path


def write_buurt_figures(target: Path, shared: Path) -> Path:
    """A StatLine-layout CSV (the columns of ``kwb_2024_gemeente_wijk.csv``) with generated
    figures for every Haarlem buurt of the shared 2024 boundaries."""
    boundaries = shared / "cbs_gebiedsindelingen_cartomap" / "buurten_2024_GM0392_wgs84.geojson"
    features = json.loads(boundaries.read_text(encoding="utf-8"))["features"]
    rng = np.random.default_rng(392)
    columns = (
        "regiocode,soort_regio,gemeentecode,jaar,cbs_tabel,AantalInwoners_5,Mannen_6,Vrouwen_7,"
        "Bevolkingsdichtheid_34,Woningvoorraad_35,OppervlakteTotaal_122,OppervlakteLand_123,"
        "OppervlakteWater_124"
    )
    lines = [columns]
    for feature in features:
        code = feature["properties"]["statcode"]
        inwoners = int(rng.integers(5, 900)) * 5
        mannen = 5 * round(inwoners * rng.uniform(0.46, 0.52) / 5)
        land, water = int(rng.integers(4, 140)), int(rng.integers(0, 12))
        density = round(inwoners / (land / 100))
        woningen = 5 * round(inwoners / rng.uniform(1.7, 2.6) / 5)
        lines.append(
            f"{code},Buurt,{GEMEENTE},{YEAR},85984NED,{inwoners},{mannen},{inwoners - mannen},"
            f"{density},{woningen},{land + water},{land},{water}"
        )
    target.mkdir(parents=True, exist_ok=True)
    path = target / "kwb_2024_haarlem_buurten_bench.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_warehouse(work: Path) -> Path:
    """Run the real ETL on the shared files plus the generated buurt figures."""
    shared = shared_data()
    generated = work / "bench_sources"
    shutil.rmtree(generated, ignore_errors=True)
    write_buurt_figures(generated, shared)
    data_dir = work / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    command = [sys.executable, "-m", "etl", "run", "--data-dir", str(data_dir)]
    for name in SHARED_SOURCES:
        command += ["--source", str(shared / name)]
    command += ["--source", str(generated)]
    result = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0:
        raise BenchmarkError(f"ETL failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return data_dir


# --- measuring callbacks -----------------------------------------------------------------


def _callback_body(
    dash_app: Any, output_marker: str, values: dict[str, Any], changed: str
) -> dict[str, Any]:
    """The request the browser's renderer sends for the callback whose outputs contain
    ``output_marker``, with ``values`` for its inputs and states (by component id)."""
    spec = next(c for c in dash_app._callback_list if output_marker in c["output"])
    outputs = []
    for part in spec["output"].strip(".").split("..."):
        component, prop = part.rsplit(".", 1)
        component_id = json.loads(component) if component.startswith("{") else component
        outputs.append({"id": component_id, "property": prop})

    def item(spec_item: dict[str, Any]) -> dict[str, Any]:
        # The registration keeps a dict id as its JSON text; the browser sends the object.
        raw_id = spec_item["id"]
        parsed = json.loads(raw_id) if raw_id.startswith("{") else raw_id
        key = json.dumps(parsed, sort_keys=True) if isinstance(parsed, dict) else raw_id
        return {**spec_item, "id": parsed, "value": values.get(key)}

    return {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [item(i) for i in spec["inputs"]],
        "changedPropIds": [changed],
        "state": [item(s) for s in spec["state"]],
    }


def _find(tree: Any, component_id: Any) -> Any:
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == component_id:
            return props
        for value in tree.values():
            hit = _find(value, component_id)
            if hit is not None:
                return hit
    elif isinstance(tree, list):
        for value in tree:
            hit = _find(value, component_id)
            if hit is not None:
                return hit
    return None


def _post(client: Any, body: dict[str, Any]) -> tuple[float, int, int, dict[str, Any]]:
    """POST ``body`` as the browser does; (seconds, bytes sent, bytes decompressed, json)."""
    # What Chromium sends over plain http (it offers br only over https): gzip.
    headers = {"Accept-Encoding": "gzip, deflate"}
    start = time.perf_counter()
    response = client.post("/_dash-update-component", json=body, headers=headers)
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        raise BenchmarkError(f"callback answered {response.status_code}: {response.data[:500]!r}")
    sent = response.data
    raw = gzip.decompress(sent) if response.headers.get("Content-Encoding") == "gzip" else sent
    return seconds, len(sent), len(raw), json.loads(raw)


def _summary(seconds: list[float], sent: list[int], raw: list[int]) -> dict[str, Any]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "switches": len(ms),
        "ms_p50": round(statistics.median(ms), 2),
        "ms_p95": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 2),
        "ms_mean": round(statistics.fmean(ms), 2),
        "bytes_sent_mean": round(statistics.fmean(sent)),
        "bytes_sent_max": max(sent),
        "bytes_raw_mean": round(statistics.fmean(raw)),
    }


def measure_buurtlens(switches: int = SWITCHES) -> dict[str, Any]:
    """Indicator switches through the real app's Dash endpoint (process warehouse = the
    bench warehouse, set up by the caller)."""
    import app as app_module  # the real app: reads settings and registers pages

    client = app_module.server.test_client()
    dash_app = app_module.app
    search = f"?indicator={INDICATORS[0]}&jaar={YEAR}&niveau={LEVEL}&gemeente={GEMEENTE}"
    page = client.post(
        "/_dash-update-component",
        json={
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": "/kaart"},
                {"id": "_pages_location", "property": "search", "value": search},
            ],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [],
        },
    )
    if page.status_code != 200:
        raise BenchmarkError(f"the map page answered {page.status_code}")
    layout = page.get_json()
    state_id = {"type": "bl-map-state", "map": "kaart"}
    state = (_find(layout, state_id) or {}).get("data")
    graph = _find(layout, {"type": "bl-map-graph", "map": "kaart"})
    if not state or graph is None:
        raise BenchmarkError("the map page has no map (is the warehouse complete?)")
    features = len(graph["figure"]["data"][0]["locations"])

    values: dict[str, Any] = {
        "kaart-jaar": YEAR,
        "kaart-niveau": LEVEL,
        "kaart-gemeente": GEMEENTE,
        "kaart-methode": "kwantielen",
        "kaart-klassen": 5,
        "kaart-palet": "ylgnbu",
        "kaart-lang": "nl",
        json.dumps(state_id, sort_keys=True): state,
    }
    seconds: list[float] = []
    sent: list[int] = []
    raw: list[int] = []
    patch_only = True
    for i in range(WARMUP + switches):
        values["kaart-indicator"] = INDICATORS[(i + 1) % len(INDICATORS)]
        body = _callback_body(dash_app, "kaart-message.children", values, "kaart-indicator.value")
        took, n_sent, n_raw, reply = _post(client, body)
        figure = reply["response"][GRAPH_KEY]["figure"]
        patch_only &= figure.get("__dash_patch_update") == "__dash_patch_update"
        if i >= WARMUP:
            seconds.append(took)
            sent.append(n_sent)
            raw.append(n_raw)
    geo = client.get(
        graph["figure"]["data"][0]["geojson"], headers={"Accept-Encoding": "gzip, deflate"}
    )
    return {
        **_summary(seconds, sent, raw),
        "areas": features,
        "patch_only": patch_only,
        "geometry_gzip_bytes": len(geo.data),
        "geometry_raw_bytes": len(gzip.decompress(geo.data)),
        "geometry_url": graph["figure"]["data"][0]["geojson"],
    }


# --- the plain approach ------------------------------------------------------------------


def full_geojson(data_dir: Path, *, simplified: bool) -> dict[str, Any]:
    """Haarlem's buurten as GeoJSON: full precision from ``area_geometry`` (what a plain app
    gets from ``gdf.to_json()``), or the ETL's simplified artefact."""
    import duckdb
    import shapely

    con = duckdb.connect(str(data_dir / "buurtlens.duckdb"), read_only=True)
    try:
        if simplified:
            (text,) = con.execute(
                "SELECT geojson FROM geometries WHERE vintage = ? AND level = ? "
                "AND gemeente_code = ?",
                [YEAR, LEVEL, GEMEENTE],
            ).fetchone() or ("",)
            return dict(json.loads(text))
        rows = con.execute(
            "SELECT g.code, g.wkb FROM area_geometry g JOIN areas a "
            "ON a.vintage = g.vintage AND a.code = g.code "
            "WHERE g.vintage = ? AND g.level = ? AND a.gemeente_code = ? ORDER BY g.code",
            [YEAR, LEVEL, GEMEENTE],
        ).fetchall()
    finally:
        con.close()
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code},
            "geometry": json.loads(shapely.to_geojson(shapely.from_wkb(bytes(wkb)))),
        }
        for code, wkb in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def create_plain_app(geojson: dict[str, Any]) -> Any:
    """The plain approach as a minimal Dash app: one callback, a ``px.choropleth_map`` with
    the whole GeoJSON, rebuilt for every indicator."""
    import plotly.express as px
    from dash import Dash, Input, Output, dcc, html

    from data import queries

    plain = Dash(__name__, compress=True, title="plain")
    plain.layout = html.Div(
        [
            dcc.Dropdown(id="plain-indicator", options=list(INDICATORS), value=INDICATORS[0]),
            dcc.Graph(id="plain-map", style={"height": "70vh"}),
        ]
    )

    @plain.callback(Output("plain-map", "figure"), Input("plain-indicator", "value"))
    def draw(indicator: str) -> Any:
        frame = queries.values(indicator, LEVEL, YEAR, GEMEENTE).frame
        return px.choropleth_map(
            frame,
            geojson=geojson,
            locations="code",
            featureidkey="id",
            color="value",
            hover_name="name",
            map_style="white-bg",
            center={"lat": 52.38, "lon": 4.64},
            zoom=11,
        )

    return plain


def create_plain_server() -> Any:
    """``gunicorn 'bench.map_switch:create_plain_server()'`` (for the browser timing)."""
    data_dir = Path(os.environ["BUURTLENS_DATA_DIR"])
    return create_plain_app(full_geojson(data_dir, simplified=False)).server


def measure_plain(geojson: dict[str, Any], switches: int = SWITCHES) -> dict[str, Any]:
    plain = create_plain_app(geojson)
    client = plain.server.test_client()
    client.get("/")
    seconds: list[float] = []
    sent: list[int] = []
    raw: list[int] = []
    for i in range(WARMUP + switches):
        indicator = INDICATORS[(i + 1) % len(INDICATORS)]
        body = {
            "output": "plain-map.figure",
            "outputs": {"id": "plain-map", "property": "figure"},
            "inputs": [{"id": "plain-indicator", "property": "value", "value": indicator}],
            "changedPropIds": ["plain-indicator.value"],
            "state": [],
        }
        took, n_sent, n_raw, _ = _post(client, body)
        if i >= WARMUP:
            seconds.append(took)
            sent.append(n_sent)
            raw.append(n_raw)
    return _summary(seconds, sent, raw)


# --- time to first map -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _gunicorn(target: str, data_dir: Path, log: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "BUURTLENS_DATA_DIR": str(data_dir), "BUURTLENS_LOG_LEVEL": "WARNING"}
    command = [
        sys.executable, "-m", "gunicorn", "--config", str(REPO / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", target,
    ]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise BenchmarkError(f"{target} exited:\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/", timeout=5) as resp:
                    if resp.status in (200, 404):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchmarkError(f"{target} did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def first_map_ms(url: str, loads: int = BROWSER_LOADS) -> list[float]:
    """Milliseconds from navigation start to the first drawn map, each load in a fresh
    Chromium with an empty cache."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    times = []
    for _ in range(loads):
        profile = tempfile.mkdtemp(prefix="bench-chrome-")
        options = webdriver.ChromeOptions()
        for arg in CHROME_ARGS:
            options.add_argument(arg)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument("--window-size=1280,900")
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument", {"source": FIRST_MAP_PROBE}
            )
            driver.get(url)
            deadline = time.monotonic() + 60
            value = None
            while value is None and time.monotonic() < deadline:
                value = driver.execute_script("return window.__firstMap || null;")
                time.sleep(0.05)
            if value is None:
                raise BenchmarkError(f"no map drawn within 60 s at {url}")
            times.append(float(value))
        finally:
            driver.quit()
            shutil.rmtree(profile, ignore_errors=True)
    return times


# --- report ------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> float:
    return round(a / b, 1) if b else float("inf")


def report(figures: dict[str, Any]) -> str:
    ours, plain, plain_s = figures["buurtlens"], figures["plain_full"], figures["plain_simplified"]
    rows = [
        ("bytes sent per switch (gzip, mean)", "bytes_sent_mean", "B"),
        ("bytes per switch (decompressed)", "bytes_raw_mean", "B"),
        ("server time per switch p50", "ms_p50", "ms"),
        ("server time per switch p95", "ms_p95", "ms"),
    ]
    lines = [
        f"Map switch benchmark: {ours['areas']} buurten of Haarlem ({GEMEENTE}, {YEAR}), "
        f"{ours['switches']} indicator switches each",
        "",
        f"{'':38} {'Buurtlens':>11} {'plain full':>11} {'ratio':>7} {'plain simpl.':>12} "
        f"{'ratio':>7}",
    ]
    for label, key, unit in rows:
        lines.append(
            f"{label:38} {ours[key]:>9} {unit:2}{plain[key]:>9} {unit:2}"
            f"{_ratio(plain[key], ours[key]):>6}x {plain_s[key]:>9} {unit:2} "
            f"{_ratio(plain_s[key], ours[key]):>6}x"
        )
    browser = figures.get("first_map_ms")
    if browser:
        o, p = browser["buurtlens"], browser["plain_full"]
        lines.append(
            f"{'time to first map, Chromium (median)':38} {o:>9} ms{p:>9} ms{_ratio(p, o):>6}x"
        )
    lines += [
        "",
        f"machine: {os.cpu_count()} CPUs, load average {figures['load_average']} "
        "(1, 5, 15 min) at the end; timings scale with it",
        f"geometry artefact: {ours['geometry_gzip_bytes']:,} B gzip "
        f"({ours['geometry_raw_bytes']:,} B raw), fetched once, cached as immutable",
        f"every switch a value-only Patch (no geometry): {ours['patch_only']}",
        "",
        "targets: "
        + ", ".join(
            f"{name} {'met' if ok else 'NOT met'}" for name, ok in figures["targets"].items()
        ),
    ]
    return "\n".join(lines)


def run_benchmark(
    scale: float = 1.0, out: Path | None = None, regenerate: bool = False, browser: bool = True
) -> dict[str, Any]:
    """Build, measure, print and save; returns the figures. ``scale`` shortens the number of
    switches (the map stays the 111-buurt one)."""
    del regenerate  # the warehouse is always rebuilt: it takes seconds
    work = (out or REPO / "bench" / "out") / NAME
    work.mkdir(parents=True, exist_ok=True)
    switches = max(20, int(SWITCHES * scale))
    data_dir = build_warehouse(work)

    from data.settings import get_settings
    from data.warehouse import set_warehouse

    os.environ["BUURTLENS_DATA_DIR"] = str(data_dir)
    os.environ.pop("BUURTLENS_TILE_URL", None)
    get_settings.cache_clear()
    set_warehouse(None)
    ours = measure_buurtlens(switches)
    full = full_geojson(data_dir, simplified=False)
    simplified = full_geojson(data_dir, simplified=True)
    plain_full = measure_plain(full, switches)
    plain_simplified = measure_plain(simplified, switches)
    figures: dict[str, Any] = {
        "buurtlens": ours,
        "plain_full": plain_full,
        "plain_simplified": plain_simplified,
        "plain_full_geojson_bytes": len(json.dumps(full, separators=(",", ":"))),
    }
    if browser:
        query = f"/kaart?indicator=inwoners&jaar={YEAR}&niveau={LEVEL}&gemeente={GEMEENTE}"
        plain_target = "bench.map_switch:create_plain_server()"
        ours_ms: list[float] = []
        plain_ms: list[float] = []
        with (
            _gunicorn("app:server", data_dir, work / "app.log") as ours_base,
            _gunicorn(plain_target, data_dir, work / "plain.log") as plain_base,
        ):
            # Interleaved, so that a busy moment of the machine hits both alike.
            for _ in range(BROWSER_LOADS):
                ours_ms += first_map_ms(ours_base + query, loads=1)
                plain_ms += first_map_ms(plain_base + "/", loads=1)
        figures["first_map_ms"] = {
            "buurtlens": round(statistics.median(ours_ms)),
            "plain_full": round(statistics.median(plain_ms)),
            "buurtlens_all": [round(v) for v in ours_ms],
            "plain_full_all": [round(v) for v in plain_ms],
        }
    figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
    figures["targets"] = {
        "< 5 KB per switch": ours["bytes_sent_max"] < TARGET_BYTES,
        "p95 < 20 ms": ours["ms_p95"] < TARGET_P95_MS,
        ">= 20x fewer bytes": plain_full["bytes_sent_mean"] / ours["bytes_sent_mean"]
        >= TARGET_BYTES_RATIO,
        ">= 5x less server time": plain_full["ms_p50"] / ours["ms_p50"] >= TARGET_TIME_RATIO,
    }
    text = report(figures)
    print(text)
    (work.parent / f"{NAME}.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m bench.map_switch", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 200 switches")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    try:
        run_benchmark(scale=args.scale, out=args.out, browser=not args.no_browser)
    except BenchmarkError as e:
        print(f"benchmark {NAME} failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
