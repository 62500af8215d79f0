# SPDX-License-Identifier: EUPL-1.2
"""One ETL run: extract every source, merge, build a new warehouse, validate, swap.

The run holds the data directory's lock, writes only under ``build/`` until the final
``os.replace``, and appends one line to ``log/runs.jsonl`` whatever happens (success,
unchanged, failure, interruption). Row counts per source and step are logged as
``key=value`` lines for machines; :class:`Progress` prints short lines for people. Each
phase of a run (plan, extract, reproject, merge, geometry, lineage, write, validate,
publish) ends with an ``event=phase name=<phase> seconds=<wall> cpu_seconds=<cpu>
max_rss_mb=<peak so far>`` line, so that a slow or memory-hungry night can be traced to its
step.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import resource
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

import duckdb
import pandas as pd

from etl import ETL_VERSION, geometry
from etl.config import SourceSpec
from etl.indicators import all_indicators
from etl.model import EtlError, Rejection, SourceError, SourceResult
from etl.publish import DataDir
from etl.schema import SCHEMA_VERSION
from etl.settings import EtlSettings
from etl.sources import files, online
from etl.transform import Merged, merge
from etl.warehouse import WarehouseContent, validate, write

logger = logging.getLogger(__name__)

STATUS_PUBLISHED: Final = "published"
STATUS_UNCHANGED: Final = "unchanged"
STATUS_FAILED: Final = "failed"
STATUS_INTERRUPTED: Final = "interrupted"


class Progress:
    """Short human-readable progress lines on a terminal (stderr); silent otherwise."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.t0 = time.monotonic()

    def __call__(self, message: str) -> None:
        if self.enabled:
            self.stream.write(f"[{time.monotonic() - self.t0:6.1f}s] {message}\n")
            self.stream.flush()


@contextlib.contextmanager
def _phase(run_id: str, name: str) -> Iterator[None]:
    """Log ``event=phase`` with the wall and CPU time of the block and the peak RSS so far.

    CPU time (all threads, so DuckDB's can make it exceed the wall time) tells a slow step
    from a busy machine.
    """
    t0, cpu0 = time.perf_counter(), time.process_time()
    yield
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - cpu0
    # ru_maxrss is in kilobytes on Linux (bytes on macOS; the ETL runs on Linux).
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    logger.info(
        "event=phase run_id=%s name=%s seconds=%.3f cpu_seconds=%.3f max_rss_mb=%.0f",
        run_id, name, seconds, cpu_seconds, max_rss_mb,
    )  # fmt: skip


@dataclass
class RunOutcome:
    run_id: str
    status: str
    data_version: str | None
    message: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class _Planned:
    spec: SourceSpec
    fingerprint: str
    load: Callable[[], list[SourceResult]]


def run(
    data_dir: Path,
    sources: list[SourceSpec],
    settings: EtlSettings,
    *,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> RunOutcome:
    """Build and publish a warehouse from ``sources``; see the module docstring.

    Raises :class:`EtlError` (after logging the failed run) when nothing was published.
    """
    say = progress or (lambda _m: None)
    dd = DataDir(data_dir)
    with dd.lock():
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        started = datetime.now(UTC)
        dd.clean_build()
        logger.info("event=run_start run_id=%s sources=%d", run_id, len(sources))
        record: dict[str, Any] = {"run_id": run_id, "started_at": started.isoformat()}
        try:
            outcome = _run(dd, run_id, started, sources, settings, say, force)
        except EtlError as e:
            record |= {"status": STATUS_FAILED, "message": str(e)}
            logger.error("event=run_failed run_id=%s error=%s", run_id, json.dumps(str(e)))
            raise
        except (KeyboardInterrupt, SystemExit) as e:
            record |= {"status": STATUS_INTERRUPTED, "message": type(e).__name__}
            raise
        except Exception as e:  # an unexpected bug: still logged as a failed run
            record |= {"status": STATUS_FAILED, "message": f"internal error: {e!r}"}
            logger.exception("event=run_crashed run_id=%s", run_id)
            raise
        else:
            record |= asdict(outcome) | {"notes": outcome.notes[:50]}
            return outcome
        finally:
            record["finished_at"] = datetime.now(UTC).isoformat()
            dd.append_run(record)


def _run(
    dd: DataDir,
    run_id: str,
    started: datetime,
    specs: list[SourceSpec],
    settings: EtlSettings,
    say: Callable[[str], None],
    force: bool,
) -> RunOutcome:
    if not specs:
        raise EtlError("no sources given")
    with _phase(run_id, "plan"):
        planned = [_plan(spec, settings) for spec in specs]
        fingerprint = _fingerprint([p.fingerprint for p in planned])
        live_fp = _live_meta(dd, "input_fingerprint")
    if not force and live_fp == fingerprint:
        version = _live_meta(dd, "data_version")
        say(f"nothing changed since version {version}; the live warehouse stays as it is")
        return RunOutcome(run_id, STATUS_UNCHANGED, version, "inputs unchanged; nothing to do")

    results: list[SourceResult] = []
    with _phase(run_id, "extract"):
        for p in planned:
            say(f"reading source {p.spec.name} ({p.spec.type})")
            for result in p.load():
                say(
                    f"  {Path(result.file).name}: {result.kind}, {len(result.areas)} areas, "
                    f"{len(result.observations)} figures, {len(result.rejected)} rejected"
                )
                logger.info(
                    "event=extracted source=%s file=%s kind=%s rows=%d areas=%d "
                    "observations=%d rejected=%d", result.source, result.file, result.kind,
                    result.rows_read, len(result.areas), len(result.observations),
                    len(result.rejected),
                )  # fmt: skip
                _check_reject_share(result, settings)
                results.append(result)
    if not results:
        raise EtlError("the sources contain no loadable files")

    notes: list[str] = []
    with _phase(run_id, "reproject"):
        for result in results:
            if result.geometries is not None and len(result.geometries):
                try:
                    wgs = geometry.to_wgs84(result.geometries)
                except ValueError as e:
                    raise SourceError(str(e), source=result.source, file=result.file) from e
                result.geometries, repaired = geometry.repair(wgs)
                notes += [f"{result.source} {Path(result.file).name}: {n}" for n in repaired]

    say("merging sources")
    with _phase(run_id, "merge"):
        merged = merge(results)
        # From here on the merged frames hold every figure and shape; the per-file ones
        # (tens of millions of rows at national size) are only counted, so let them go.
        for result in results:
            result.observations = result.observations.iloc[:0]
            result.geometries = None
    notes += merged.notes
    rejected = [r for res in results for r in res.rejected] + merged.rejected
    say(
        f"  {len(merged.areas)} areas, {len(merged.observations)} figures, "
        f"{len(rejected)} rejected rows, {merged.conflicts} conflicting figures"
    )
    say("preparing geometry (reprojection, simplification on shared arcs)")
    with _phase(run_id, "geometry"):
        area_geometry, artefacts = _geometry_tables(merged)

    version = run_id
    built_at = datetime.now(UTC)
    with _phase(run_id, "lineage"):
        source_rows = _source_rows(run_id, results, merged)
    content = WarehouseContent(
        areas=merged.areas,
        area_geometry=area_geometry,
        geometries=artefacts,
        observations=merged.observations,
        runs=pd.DataFrame(
            [
                {
                    "run_id": run_id,
                    "started_at": started,
                    "finished_at": built_at,
                    "status": STATUS_PUBLISHED,
                    "data_version": version,
                    "message": f"{len(results)} files, {len(rejected)} rejected rows",
                }
            ]
        ),
        run_sources=pd.DataFrame(source_rows),
        meta={
            "data_version": version,
            "built_at": built_at.isoformat(),
            "etl_version": ETL_VERSION,
            "input_fingerprint": fingerprint,
            "sources": json.dumps(
                [{"name": s.name, "type": s.type} for s in specs], ensure_ascii=False
            ),
        },
    )
    build_path = dd.build / f"{version}.duckdb"
    say(f"writing warehouse {build_path.name}")
    with _phase(run_id, "write"):
        write(build_path, content)
    expected = {
        "areas": len(merged.areas),
        "observations": len(merged.observations),
        "geometries": len(artefacts),
        "area_geometry": len(area_geometry),
        "indicators": len(all_indicators()),
    }
    with _phase(run_id, "validate"):
        counts = validate(build_path, expected=expected)
    with _phase(run_id, "publish"):
        _write_rejections(dd, run_id, rejected)
        dd.publish(build_path, version, keep=settings.keep_versions)
    say(f"published version {version}: {counts}")
    message = f"published {version}" + (f", {len(rejected)} rows rejected" if rejected else "")
    return RunOutcome(run_id, STATUS_PUBLISHED, version, message, source_rows, len(rejected), notes)


def _plan(spec: SourceSpec, settings: EtlSettings) -> _Planned:
    if spec.type == "files":
        assert spec.path is not None
        file_specs = files.discover(spec.path, source=spec.name)
        loadable = [f for f in file_specs if f.supported]
        for skipped in (f for f in file_specs if not f.supported):
            logger.warning(
                "event=skip_unsupported source=%s file=%s kind=%s",
                spec.name, skipped.path, skipped.kind,
            )  # fmt: skip
        sums = sorted(f"{f.path}:{f.layer or ''}:{_checksum(f.path)}" for f in loadable)
        fp = _fingerprint([spec.type, str(spec.year), str(spec.crs), *sums])

        def load() -> list[SourceResult]:
            out = []
            for f in loadable:
                result = files.read_file(f, source=spec.name, year=spec.year, crs=spec.crs)
                if result is not None:
                    out.append(result)
            return out

        return _Planned(spec, fp, load)
    fetched = online.fetch(spec, settings)
    fp = _fingerprint([spec.type, *(r.checksum for r in fetched)])
    return _Planned(spec, fp, lambda: fetched)


_CHECKSUMS: dict[tuple[str, float, int], str] = {}


def _checksum(path: Path) -> str:
    from etl.model import file_checksum

    stat = path.stat()
    key = (str(path), stat.st_mtime, stat.st_size)
    if key not in _CHECKSUMS:
        _CHECKSUMS[key] = file_checksum(path)
    return _CHECKSUMS[key]


def _fingerprint(parts: list[str]) -> str:
    catalogue = json.dumps([asdict(i) for i in all_indicators()], sort_keys=True, default=str)
    digest = hashlib.sha256()
    for part in [ETL_VERSION, str(SCHEMA_VERSION), catalogue, *parts]:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _live_meta(dd: DataDir, key: str) -> str | None:
    if not dd.live.exists():
        return None
    try:
        con = duckdb.connect(str(dd.live), read_only=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        finally:
            con.close()
    except duckdb.Error as e:
        logger.warning("event=live_unreadable path=%s error=%s", dd.live, e)
        return None
    return row[0] if row else None


def _check_reject_share(result: SourceResult, settings: EtlSettings) -> None:
    if not result.rows_read or not result.rejected:
        return
    share = len({r.row for r in result.rejected}) / result.rows_read
    if share > settings.max_reject_fraction:
        first = result.rejected[0]
        raise SourceError(
            f"{len(result.rejected)} cells in {share:.0%} of {result.rows_read} rows rejected "
            f"(limit {settings.max_reject_fraction:.0%}); first: row {first.row}, "
            f"field {first.field!r}, value {first.value!r}: {first.reason}",
            source=result.source,
            file=result.file,
        )


def _geometry_tables(merged: Merged) -> tuple[pd.DataFrame, pd.DataFrame]:
    gdf = merged.geometries
    if not len(gdf):
        return (
            pd.DataFrame(columns=["code", "vintage", "level", "wkb", "centroid_lon",
                                  "centroid_lat", "area_ha"]),
            pd.DataFrame(columns=["vintage", "level", "gemeente_code", "geojson",
                                  "feature_count", "bbox_west", "bbox_south", "bbox_east",
                                  "bbox_north", "etag"]),
        )  # fmt: skip
    rd = geometry.rd_geometries(gdf)  # once for both
    full = geometry.full_precision_rows(gdf, rd_geometry=rd)
    artefacts = geometry.display_artefacts(gdf, rd_geometry=rd)
    rows = [
        {
            "vintage": a.vintage, "level": a.level, "gemeente_code": a.gemeente_code,
            "geojson": a.geojson, "feature_count": a.feature_count,
            "bbox_west": a.bbox[0], "bbox_south": a.bbox[1], "bbox_east": a.bbox[2],
            "bbox_north": a.bbox[3], "etag": a.etag,
        }
        for a in artefacts
    ]  # fmt: skip
    return full, pd.DataFrame(rows)


def _source_rows(run_id: str, results: list[SourceResult], merged: Merged) -> list[dict[str, Any]]:
    # One count over all figures, not one comparison per file (tens of millions of rows).
    per_file = merged.observations["file"].value_counts() if len(merged.observations) else {}
    rows = []
    for r in results:
        rows.append(
            {
                "run_id": run_id, "source": r.source, "kind": r.kind, "file": r.file,
                "checksum": r.checksum, "rows_read": r.rows_read,
                "areas_loaded": len(r.areas),
                "observations_loaded": int(per_file.get(r.file, 0)),
                "rows_rejected": len(r.rejected),
            }
        )  # fmt: skip
    return rows


def _write_rejections(dd: DataDir, run_id: str, rejected: list[Rejection]) -> None:
    if not rejected:
        return
    path = dd.log / f"{run_id}.rejected.csv"
    pd.DataFrame([asdict(r) for r in rejected]).to_csv(path, index=False)
    logger.info("event=rejected_rows run_id=%s count=%d path=%s", run_id, len(rejected), path)
