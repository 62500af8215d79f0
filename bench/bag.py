# SPDX-License-Identifier: EUPL-1.2
"""Benchmark: the BAG source on a generated national-size BAG GeoPackage.

Issue requirement: reading, locating and aggregating a national BAG (10 million
verblijfsobjecten, 11 million panden) takes under 5 minutes and under 12 GB on the build
machine. ``python -m bench.bag`` (or ``python -m bench --only bag``)

1. generates, once, under ``<out>/bag/``:

   * ``bag-light-<scale>.gpkg`` in the layout of PDOK's national BAG GeoPackage: layers
     ``verblijfsobject`` (points in RD New) and ``pand`` (L-shaped outlines), with the
     fields ``identificatie``, ``status``, ``gebruiksdoel``, ``oppervlakte``, ``bouwjaar``,
     ``pand_identificatie``, ``openbare_ruimte_naam``, ``huisnummer``, ``postcode`` and
     ``woonplaats_naam`` and realistic value mixes (BAG statuses and gebruiksdoelen,
     construction years 1600-2024, floor areas, objects clustered in ~400 towns; a few
     hundred lie in the sea, outside every area). Panden without verblijfsobject (sheds,
     garages) make up the difference. Rows are written straight into the GeoPackage tables
     (GeoPackage geometry blobs built with numpy), which is much faster than through GDAL;
   * the boundaries of :func:`bench.national_etl.build_layout` (14,000 buurten with
     meandering shared borders, 3,300 wijken, 342 gemeenten) in WGS84, as the run's merged
     boundaries would be;

2. runs, in a child process whose whole process tree (the reading workers included) is
   sampled for its resident memory: :func:`etl.sources.bag.extract` into an empty staging
   store (read), :func:`etl.sources.bag.aggregate` (locate and count, with the locating time
   from its log line), and ``extract`` again (the nightly case: nothing changed);

3. prints the figures and writes them to ``<out>/bag.json``.

``--scale`` shrinks the number of objects and areas for a quick run; the target only means
something at ``--scale 1``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

NAME: Final = "bag"
GENERATOR_VERSION: Final = "2"
SEED: Final = 20_250_101
N_VBO: Final = 10_000_000
N_PAND: Final = 11_000_000
TARGET_SECONDS: Final = 300.0
TARGET_RSS_MB: Final = 12 * 1024.0
CHUNK: Final = 1_000_000
YEAR: Final = 2025

_VBO_STATUS: Final = (
    ("Verblijfsobject in gebruik", 0.925),
    ("Verblijfsobject in gebruik (niet ingemeten)", 0.03),
    ("Verblijfsobject gevormd", 0.02),
    ("Verblijfsobject buiten gebruik", 0.01),
    ("Verblijfsobject ingetrokken", 0.008),
    ("Verbouwing verblijfsobject", 0.004),
    ("Niet gerealiseerd verblijfsobject", 0.002),
    ("Verblijfsobject ten onrechte opgevoerd", 0.001),
)
_GEBRUIKSDOEL: Final = (
    ("woonfunctie", 0.80),
    ("industriefunctie", 0.05),
    ("kantoorfunctie", 0.03),
    ("winkelfunctie", 0.03),
    ("overige gebruiksfunctie", 0.025),
    ("woonfunctie,winkelfunctie", 0.01),
    ("bijeenkomstfunctie", 0.01),
    ("logiesfunctie", 0.01),
    ("gezondheidszorgfunctie", 0.008),
    ("onderwijsfunctie", 0.006),
    ("sportfunctie", 0.005),
    ("woonfunctie,kantoorfunctie", 0.005),
    ("celfunctie", 0.001),
    ("kantoorfunctie,bijeenkomstfunctie,onderwijsfunctie", 0.005),
)
_PAND_STATUS: Final = (
    ("Pand in gebruik", 0.94),
    ("Pand in gebruik (niet ingemeten)", 0.03),
    ("Bouw gestart", 0.008),
    ("Bouwvergunning verleend", 0.007),
    ("Verbouwing pand", 0.005),
    ("Sloopvergunning verleend", 0.003),
    ("Pand buiten gebruik", 0.003),
    ("Pand gesloopt", 0.002),
    ("Niet gerealiseerd pand", 0.001),
    ("Pand ten onrechte opgevoerd", 0.001),
)
_PHASES: Final = ("read", "aggregate", "read_unchanged")


class BenchmarkError(RuntimeError):
    """The benchmark could not run (the generator or the BAG source failed)."""


@dataclass(frozen=True)
class Size:
    """How much to generate: objects and areas times ``scale``."""

    scale: float
    vbo: int
    pand: int

    @classmethod
    def at(cls, scale: float) -> Size:
        """>>> Size.at(0.01).vbo, Size.at(0.01).pand
        (100000, 110000)
        """
        if not 0 < scale <= 1:
            raise ValueError(f"scale must be in (0, 1], got {scale}")
        return cls(scale, max(1000, round(N_VBO * scale)), max(1100, round(N_PAND * scale)))


# --- generating ---------------------------------------------------------------------------


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> NDArray:
    values = np.array([v for v, _ in table], dtype=object)
    weights = np.array([w for _, w in table])
    return values[rng.choice(len(values), size=n, p=weights / weights.sum())]


def _towns(rng: np.random.Generator, bounds: tuple[float, ...], k: int) -> tuple[NDArray, ...]:
    minx, miny, maxx, maxy = bounds
    cx = rng.uniform(minx, maxx, k)
    cy = rng.uniform(miny, maxy, k)
    weight = rng.lognormal(0.0, 1.2, k)
    radius = 800.0 + 2500.0 * np.sqrt(weight / weight.max())
    return cx, cy, weight / weight.sum(), radius


def _centres(
    rng: np.random.Generator, n: int, towns: tuple[NDArray, ...], bounds: tuple[float, ...]
) -> tuple[NDArray, NDArray]:
    """``n`` points clustered in towns (85%) and spread over the countryside (15%)."""
    cx, cy, weight, radius = towns
    minx, miny, maxx, maxy = bounds
    town = rng.choice(len(cx), size=n, p=weight)
    x = cx[town] + rng.normal(0.0, 1.0, n) * radius[town]
    y = cy[town] + rng.normal(0.0, 1.0, n) * radius[town]
    # The countryside, and town outskirts that would fall off the map, spread evenly (a
    # margin keeps them off the outer edge, which is not straight once in WGS84).
    margin = 250.0
    rural = rng.random(n) < 0.15
    rural |= (x < minx + margin) | (x > maxx - margin) | (y < miny + margin) | (y > maxy - margin)
    x[rural] = rng.uniform(minx + margin, maxx - margin, int(rural.sum()))
    y[rural] = rng.uniform(miny + margin, maxy - margin, int(rural.sum()))
    return np.round(x, 3), np.round(y, 3)


def _gpkg_points(x: NDArray, y: NDArray) -> list[bytes]:
    """GeoPackage geometry blobs (header without envelope + little-endian WKB) of points."""
    dtype = np.dtype(
        [("gp", "S2"), ("ver", "u1"), ("flags", "u1"), ("srs", "<i4"), ("bo", "u1"),
         ("type", "<u4"), ("x", "<f8"), ("y", "<f8")]
    )  # fmt: skip
    rec = np.zeros(len(x), dtype=dtype)
    rec["gp"], rec["flags"], rec["srs"], rec["bo"], rec["type"] = b"GP", 1, 28992, 1, 1
    rec["x"], rec["y"] = x, y
    raw = rec.tobytes()
    size = dtype.itemsize
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def _gpkg_l_shapes(x: NDArray, y: NDArray, w: NDArray, h: NDArray) -> list[bytes]:
    """GeoPackage blobs of L-shaped polygons (6 corners) centred on x/y."""
    dtype = np.dtype(
        [("gp", "S2"), ("ver", "u1"), ("flags", "u1"), ("srs", "<i4"), ("bo", "u1"),
         ("type", "<u4"), ("rings", "<u4"), ("points", "<u4"), ("xy", "<f8", (14,))]
    )  # fmt: skip
    rec = np.zeros(len(x), dtype=dtype)
    rec["gp"], rec["flags"], rec["srs"], rec["bo"], rec["type"] = b"GP", 1, 28992, 1, 3
    rec["rings"], rec["points"] = 1, 7
    x0, x1, y0, y1 = x - w / 2, x + w / 2, y - h / 2, y + h / 2
    xm, ym = x0 + w * 0.55, y0 + h * 0.5
    ring = np.stack([x0, y0, x1, y0, x1, ym, xm, ym, xm, y1, x0, y1, x0, y0], axis=1)
    rec["xy"] = np.round(ring, 3)
    raw = rec.tobytes()
    size = dtype.itemsize
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def _create_layer(path: Path, layer: str, columns: dict[str, Any], geometry: shapely.Geometry,
                  geometry_type: str) -> None:  # fmt: skip
    frame = gpd.GeoDataFrame({k: [v] for k, v in columns.items()}, geometry=[geometry],
                             crs="EPSG:28992")  # fmt: skip
    pyogrio.write_dataframe(
        frame, path, layer=layer, driver="GPKG", geometry_type=geometry_type,
        layer_options={"SPATIAL_INDEX": "NO"}, append=path.exists(),
    )  # fmt: skip


def generate(size: Size, path: Path, bounds: tuple[float, ...]) -> dict[str, Any]:
    """Write the BAG GeoPackage of ``size`` to ``path``; return what was written."""
    rng = np.random.default_rng(SEED)
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    vbo_columns = {
        "identificatie": "0000010000000000", "status": "Verblijfsobject in gebruik",
        "gebruiksdoel": "woonfunctie", "oppervlakte": 1, "bouwjaar": 2000,
        "pand_identificatie": "0000100000000000", "openbare_ruimte_naam": "Dorpsstraat",
        "huisnummer": 1, "postcode": "1234AB", "woonplaats_naam": "Ergens",
    }  # fmt: skip
    pand_columns = {"identificatie": "0000100000000000", "status": "Pand in gebruik",
                    "bouwjaar": 2000}  # fmt: skip
    _create_layer(tmp, "verblijfsobject", vbo_columns, shapely.Point(0, 0), "Point")
    _create_layer(tmp, "pand", pand_columns, shapely.box(0, 0, 1, 1), "Polygon")
    towns = _towns(rng, bounds, max(20, round(400 * size.scale**0.5)))
    pand_x, pand_y = _centres(rng, size.pand, towns, bounds)
    # A few hundred objects in the sea (outside every area).
    sea = rng.choice(size.pand, size=max(3, size.pand // 40_000), replace=False)
    pand_x[sea] = bounds[2] + 5_000.0
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("DELETE FROM verblijfsobject")
    con.execute("DELETE FROM pand")
    pand_ids = np.array([f"{(i % 1999) + 1:04d}10{i:010d}" for i in range(size.pand)], dtype=object)
    with_vbo = max(1, round(size.pand * 0.64))
    for start in range(0, size.pand, CHUNK):
        stop = min(size.pand, start + CHUNK)
        n = stop - start
        w = rng.uniform(6.0, 25.0, n)
        h = rng.uniform(6.0, 20.0, n)
        blobs = _gpkg_l_shapes(pand_x[start:stop], pand_y[start:stop], w, h)
        status = _pick(rng, _PAND_STATUS, n)
        bouwjaar = _bouwjaar(rng, n)
        con.executemany(
            "INSERT INTO pand (geom, identificatie, status, bouwjaar) VALUES (?, ?, ?, ?)",
            zip(blobs, pand_ids[start:stop], status, bouwjaar.tolist(), strict=True),
        )
        con.commit()
    pand_bouwjaar = None
    for start in range(0, size.vbo, CHUNK):
        stop = min(size.vbo, start + CHUNK)
        n = stop - start
        # Flats: a few panden hold many verblijfsobjecten.
        pand = np.minimum((rng.pareto(1.5, n) * with_vbo / 50).astype(np.int64), with_vbo - 1)
        pand = np.where(rng.random(n) < 0.7, rng.integers(0, with_vbo, n), pand)
        x = np.round(pand_x[pand] + rng.uniform(-2.0, 2.0, n), 3)
        y = np.round(pand_y[pand] + rng.uniform(-2.0, 2.0, n), 3)
        ids = [f"{(i % 1999) + 1:04d}01{i:010d}" for i in range(start, stop)]
        doel = _pick(rng, _GEBRUIKSDOEL, n)
        opp = np.maximum(1, rng.lognormal(4.5, 0.6, n)).astype(np.int64)
        opp[rng.random(n) < 0.0005] = 999_999  # the BAG's placeholders
        if pand_bouwjaar is None:
            pand_bouwjaar = _bouwjaar(np.random.default_rng(SEED + 1), with_vbo)
        con.executemany(
            "INSERT INTO verblijfsobject (geom, identificatie, status, gebruiksdoel, "
            "oppervlakte, bouwjaar, pand_identificatie, openbare_ruimte_naam, huisnummer, "
            "postcode, woonplaats_naam) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            zip(_gpkg_points(x, y), ids, _pick(rng, _VBO_STATUS, n), doel, opp.tolist(),
                pand_bouwjaar[pand].tolist(), pand_ids[pand], ["Dorpsstraat"] * n,
                rng.integers(1, 300, n).tolist(), ["1234AB"] * n, ["Ergens"] * n,
                strict=True),
        )  # fmt: skip
        con.commit()
    stamp = f"{YEAR}-01-08T00:00:00.000Z"
    con.execute("UPDATE gpkg_contents SET last_change = ?", [stamp])
    con.commit()
    con.close()
    os.replace(tmp, path)
    return {"verblijfsobjecten": size.vbo, "panden": size.pand, "in_sea": len(sea),
            "bytes": path.stat().st_size}  # fmt: skip


def _bouwjaar(rng: np.random.Generator, n: int) -> NDArray[np.int64]:
    era = rng.choice(4, size=n, p=[0.15, 0.35, 0.35, 0.15])
    low = np.array([1600, 1945, 1975, 2005])[era]
    high = np.array([1945, 1975, 2005, 2025])[era]
    years = rng.integers(low, high)
    years[rng.random(n) < 0.001] = 1005  # the BAG's "unknown"
    return years


def boundaries(scale: float) -> gpd.GeoDataFrame:
    """The generated areas as a run's merged boundaries (WGS84, code/vintage/level)."""
    from bench.national_etl import Size as AreaSize
    from bench.national_etl import build_layout

    layout = build_layout(AreaSize.at(scale))
    frame = gpd.GeoDataFrame(
        {"code": layout.codes, "vintage": YEAR, "level": layout.levels},
        geometry=layout.geometries,
        crs="EPSG:28992",
    ).to_crs(4326)
    return frame


# --- measuring (child process) ------------------------------------------------------------


class _RssSampler:
    """Peak resident memory of this process and all its descendants, sampled every 0.1 s."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))
            self._stop.wait(0.1)


def _tree_rss_kb(pid: int) -> int:
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            match = re.search(r"VmRSS:\s+(\d+)", status)
            total += int(match.group(1)) if match else 0
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack += [int(c) for c in children]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (the readers).

    Wall time depends on what else the machine does; CPU time much less so.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(work: Path, gpkg: Path, bounds_path: Path, workers: int) -> dict[str, Any]:
    """Run the three phases; return seconds and peak memory per phase."""
    from etl.config import SourceSpec
    from etl.settings import EtlSettings
    from etl.sources import bag
    from etl.staging import Staging, StagingSettings

    lines: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logging.getLogger("etl").addHandler(_Keep())
    logging.getLogger("etl").setLevel(logging.INFO)
    data_dir = work / "data"
    spec = SourceSpec(
        name="bag-nl", type="bag", path=gpkg,
        options=bag.parse_options({"type": "bag", "path": str(gpkg), "workers": workers},
                                  where="bench"),
    )  # fmt: skip
    areas_gdf = gpd.read_file(bounds_path, engine="pyogrio")
    areas = pd.DataFrame({"code": areas_gdf["code"], "vintage": areas_gdf["vintage"]})
    figures: dict[str, Any] = {}
    settings = EtlSettings()
    staged = None
    with Staging.open(data_dir, StagingSettings()) as staging:
        for phase in _PHASES:
            with _RssSampler() as sampler:
                cpu0 = _cpu_seconds()
                t0 = time.perf_counter()
                if phase == "aggregate":
                    assert staged is not None
                    result = bag.aggregate(staged, areas_gdf, areas, settings=settings)
                else:
                    staged = bag.extract(spec, staging, settings)
                seconds = time.perf_counter() - t0
                cpu = _cpu_seconds() - cpu0
            figures[phase] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                              "peak_rss_mb": sampler.peak_kb // 1024}  # fmt: skip
            if phase == "read":
                figures["rows_read"] = staged.rows_read
            if phase == "aggregate":
                figures["observations"] = len(result.observations)
                figures["rejected"] = {r.reason.split(":")[0]: int(r.value or 0)
                                       for r in result.rejected}  # fmt: skip
                woningen = result.observations.query(
                    "indicator_id == 'woningen_bag' and area_code.str.startswith('GM')"
                )["value"].sum()
                figures["woningen_bag_total"] = int(woningen)
    for line in lines:
        if line.startswith("event=bag_aggregated"):
            found = dict(re.findall(r"(\w+)=([\w.{}\":,]+)", line))
            figures["aggregate"]["locate_seconds"] = float(found.get("locate_seconds", "nan"))
            figures["aggregate"]["load_seconds"] = float(found.get("load_seconds", "nan"))
            figures["located"] = {
                "verblijfsobjecten": int(found.get("verblijfsobjecten", 0)),
                "panden": int(found.get("panden", 0)),
                "out_of_scope": int(found.get("out_of_scope", 0)),
            }
    figures["staging_mb"] = round((data_dir / "staging" / "staging.duckdb").stat().st_size / 2**20)
    return figures


# --- driver --------------------------------------------------------------------------------


def run_benchmark(
    *, scale: float = 1.0, out: Path, regenerate: bool = False, workers: int = 2
) -> dict[str, Any]:
    """Generate (or reuse) the data, measure in a child process, print and save figures."""
    size = Size.at(scale)
    work = out / NAME
    work.mkdir(parents=True, exist_ok=True)
    gpkg = work / f"bag-light-{scale:g}.gpkg"
    bounds_path = work / f"grenzen-{scale:g}.gpkg"
    marker = work / f"generated-{scale:g}.json"
    wanted = {"version": GENERATOR_VERSION, "vbo": size.vbo, "pand": size.pand}
    fresh = regenerate or not (gpkg.exists() and bounds_path.exists() and marker.exists()
                               and json.loads(marker.read_text()).get("key") == wanted)  # fmt: skip
    generated: dict[str, Any] = json.loads(marker.read_text()) if not fresh else {}
    if fresh:
        print(f"bag: generating {size.vbo:,} verblijfsobjecten and {size.pand:,} panden ...",
              flush=True)  # fmt: skip
        t0 = time.perf_counter()
        areas = boundaries(scale)
        bounds_path.unlink(missing_ok=True)
        pyogrio.write_dataframe(areas, bounds_path, layer="grenzen")
        rd_bounds = tuple(gpd.GeoSeries(areas.geometry, crs=4326).to_crs(28992).total_bounds)
        info = generate(size, gpkg, rd_bounds)
        generated = {"key": wanted, **info, "areas": len(areas),
                     "seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip
        marker.write_text(json.dumps(generated))
        print(f"bag: generated in {generated['seconds']} s", flush=True)
    data_dir = work / "data"
    if data_dir.exists():
        import shutil

        shutil.rmtree(data_dir)
    print("bag: measuring (read, locate and aggregate, read again unchanged) ...", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bag", "--child", str(work), str(gpkg), str(bounds_path),
         str(workers)],
        capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    if proc.returncode != 0:
        raise BenchmarkError(f"the measuring child failed:\n{proc.stderr[-4000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    total = figures["read"]["seconds"] + figures["aggregate"]["seconds"]
    peak = max(figures[p]["peak_rss_mb"] for p in _PHASES)
    result = {
        "benchmark": NAME, "scale": scale, "generated": generated, **figures,
        "total_seconds": round(total, 1), "peak_rss_mb": peak,
        "target_seconds": TARGET_SECONDS, "target_rss_mb": TARGET_RSS_MB,
        "meets_target": bool(total < TARGET_SECONDS and peak < TARGET_RSS_MB),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "workers": workers,
    }  # fmt: skip
    (out / f"{NAME}.json").write_text(json.dumps(result, indent=2))
    print(report(result), flush=True)
    print(f"figures written to {out / f'{NAME}.json'}", flush=True)
    return result


def report(r: dict[str, Any]) -> str:
    """The figures as a short table for people."""
    lines = [
        f"BAG benchmark at scale {r['scale']:g}: {r['generated'].get('verblijfsobjecten', 0):,} "
        f"verblijfsobjecten, {r['generated'].get('panden', 0):,} panden, "
        f"{r['generated'].get('areas', 0):,} areas",
        f"{'phase':<34}{'seconds':>10}{'CPU s':>10}{'peak RSS (MB)':>16}",
        f"{'read into staging':<34}{r['read']['seconds']:>10.1f}"
        f"{r['read'].get('cpu_seconds', float('nan')):>10.1f}{r['read']['peak_rss_mb']:>16}",
        f"{'locate and aggregate':<34}{r['aggregate']['seconds']:>10.1f}"
        f"{r['aggregate'].get('cpu_seconds', float('nan')):>10.1f}"
        f"{r['aggregate']['peak_rss_mb']:>16}",
        f"{'  of which locating':<34}{r['aggregate'].get('locate_seconds', float('nan')):>10.1f}",
        f"{'  of which loading from staging':<34}"
        f"{r['aggregate'].get('load_seconds', float('nan')):>10.1f}",
        f"{'read again, unchanged (nightly)':<34}{r['read_unchanged']['seconds']:>10.1f}"
        f"{r['read_unchanged'].get('cpu_seconds', float('nan')):>10.1f}"
        f"{r['read_unchanged']['peak_rss_mb']:>16}",
        f"{'total (read + aggregate)':<34}{r['total_seconds']:>10.1f}{'':>10}"
        f"{r['peak_rss_mb']:>16}",
        f"target: < {r['target_seconds']:.0f} s and < {r['target_rss_mb'] / 1024:.0f} GB -> "
        f"{'met' if r['meets_target'] else 'NOT met'} (load average before: "
        f"{', '.join(f'{v:.1f}' for v in r['machine']['load_average'])}, "
        f"{r['machine']['cpus']} CPUs, {r['workers']} reading processes)",
        f"located: {r.get('located')}, rejected: {r.get('rejected')}, "
        f"observations: {r.get('observations'):,}, staging file: {r.get('staging_mb')} MB",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.bag [--scale S] [--out DIR] [--regenerate] [--workers N]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--child":
        work, gpkg, bounds_path, workers = args[1:5]
        figures = child(Path(work), Path(gpkg), Path(bounds_path), int(workers))
        print(json.dumps(figures))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.bag", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes reading the GeoPackage")
    parsed = parser.parse_args(args)
    logging.basicConfig(level=logging.WARNING)
    try:
        run_benchmark(scale=parsed.scale, out=parsed.out, regenerate=parsed.regenerate,
                      workers=parsed.workers)  # fmt: skip
    except BenchmarkError as e:
        print(f"benchmark {NAME} failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
