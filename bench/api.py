# SPDX-License-Identifier: EUPL-1.2
"""Benchmark: the open data API's ``values`` call under a local load generator.

Issue requirement: requests per second and p50/p95 latency for ``values`` with one
indicator, one year and all buurten of a 111-buurt municipality: Haarlem (GM0392) in 2024,
from the real files in ``../shared/data``. This module

1. builds the warehouse with the real ETL (``python -m etl run``) from the shared files
   (or uses ``--data-dir``), and checks that the call answers 111 buurten;
2. serves the app with the project's gunicorn configuration on 127.0.0.1 (default worker
   and thread counts of ``gunicorn.conf.py`` unless ``--workers``/``--threads``);
3. drives ``GET /api/v1/values?indicator=inwoners&level=buurt&year=2024&gemeente=GM0392``
   from ``--concurrency`` keep-alive connections (threads of this process) for at most
   ``--seconds`` seconds and at most ``--max-requests`` requests, in three scenarios:

   * ``cached``: the normal configuration; after the first request per worker the encoded
     answer comes from the per-worker response cache (keyed by data version);
   * ``uncached``: ``BUURTLENS_API_CACHE_MB=0``, so every request runs the queries and
     encodes the answer (the cost of a cache miss, e.g. right after a swap);
   * ``revalidate``: ``If-None-Match`` with the current ETag, answered with 304 (what a
     browser or CDN does after ``max-age``);

4. prints a table (requests/s, p50, p95, p99, max latency, errors) and writes the figures
   to ``<out>/api.json``.

The load generator shares the machine with the server: on a small machine it takes CPU
from the workers, so the figures are a lower bound. Run ``python -m bench.api`` or
``python -m bench --only api``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

logger = logging.getLogger(__name__)

NAME: Final = "api"
REPO: Final = Path(__file__).resolve().parents[1]
SHARED: Final = Path(os.environ.get("BUURTLENS_SHARED_DATA", REPO.parent / "shared" / "data"))
SOURCES: Final = (
    "cbs_wijkbuurtkaart_2015_tnocs",
    "cbs_kwb_2024_85984NED",
    "cbs_gebiedsindelingen_cartomap",
    "cbs_wijken_2016_elan",
)
PATH: Final = "/api/v1/values?indicator=inwoners&level=buurt&year=2024&gemeente=GM0392"
EXPECTED_ROWS: Final = 111
DEFAULT_SECONDS: Final = 10.0
DEFAULT_MAX_REQUESTS: Final = 50_000
DEFAULT_CONCURRENCY: Final = 8
START_TIMEOUT: Final = 60.0


class BenchmarkError(RuntimeError):
    """The benchmark could not run (the ETL or the server failed, a wrong answer)."""


@dataclass
class LoadResult:
    """What one load run measured; latencies in milliseconds."""

    requests: int
    errors: int
    seconds: float
    statuses: dict[int, int]
    latencies_ms: list[float] = field(repr=False)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile (0-100) of the latencies, nearest rank."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]

    def figures(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "requests_per_second": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "max_ms": round(max(self.latencies_ms, default=float("nan")), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def load(
    host: str,
    port: int,
    path: str,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    seconds: float = DEFAULT_SECONDS,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> LoadResult:
    """GET ``path`` from ``concurrency`` keep-alive connections until ``seconds`` have
    passed or ``max_requests`` were sent. A status other than ``expect`` is an error."""
    lock = threading.Lock()
    sent = [0]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    deadline = time.perf_counter() + seconds
    request_headers = {"Accept-Encoding": "gzip", **(headers or {})}

    def take() -> bool:
        with lock:
            if sent[0] >= max_requests or time.perf_counter() >= deadline:
                return False
            sent[0] += 1
            return True

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        own: list[float] = []
        own_status: dict[int, int] = {}
        own_errors = 0
        while take():
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=request_headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                status = 0
            own.append((time.perf_counter() - start) * 1000)
            own_status[status] = own_status.get(status, 0) + 1
            own_errors += status != expect
        conn.close()
        with lock:
            latencies.extend(own)
            errors[0] += own_errors
            for k, v in own_status.items():
                statuses[k] = statuses.get(k, 0) + v

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return LoadResult(len(latencies), errors[0], elapsed, statuses, latencies)


# --- set-up ----------------------------------------------------------------------------------


def build_warehouse(data_dir: Path, log: Path) -> None:
    """The real ETL on the shared files, into a fresh ``data_dir``."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    args = [sys.executable, "-m", "etl", "run", "--data-dir", str(data_dir)]
    for name in SOURCES:
        source = SHARED / name
        if not source.is_dir():
            raise BenchmarkError(f"shared data {source} not found (set BUURTLENS_SHARED_DATA)")
        args += ["--source", str(source)]
    with log.open("w") as out:
        result = subprocess.run(
            args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, timeout=900, check=False
        )
    if result.returncode != 0:
        raise BenchmarkError(f"the ETL exited with {result.returncode}; see {log}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(
    data_dir: Path,
    log: Path,
    *,
    workers: int | None,
    threads: int | None,
    env: dict[str, str] | None = None,
) -> Iterator[int]:
    """gunicorn with the project's configuration on 127.0.0.1; yields the port."""
    port = _free_port()
    args = [sys.executable, "-m", "gunicorn", "--config", str(REPO / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"]  # fmt: skip
    if workers:
        args += ["--workers", str(workers)]
    if threads:
        args += ["--threads", str(threads)]
    environ = {**os.environ, "BUURTLENS_DATA_DIR": str(data_dir), "BUURTLENS_LOG_LEVEL": "WARNING"}
    environ.update(env or {})
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*args, "app:server"], cwd=REPO, env=environ, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise BenchmarkError(f"gunicorn exited with {proc.returncode}; see {log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/ready")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchmarkError(f"gunicorn did not become ready; see {log}")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _check_answer(port: int) -> dict[str, Any]:
    """The benchmarked call answers 111 buurten; returns its size and metadata."""
    status, headers, body = _get(port, PATH)
    if status != 200:
        raise BenchmarkError(f"{PATH} answered {status}: {body[:300]!r}")
    rows = json.loads(body)
    if len(rows) != EXPECTED_ROWS:
        raise BenchmarkError(f"{PATH} answered {len(rows)} rows, expected {EXPECTED_ROWS}")
    return {
        "rows": len(rows),
        "bytes": len(body),
        "statuses": sorted({r["status"] for r in rows}),
        "data_version": headers.get("X-Data-Version"),
        "etag": headers.get("ETag"),
    }


# --- the benchmark ---------------------------------------------------------------------------


def run_benchmark(
    *,
    scale: float = 1.0,
    out: Path,
    regenerate: bool = False,
    data_dir: Path | None = None,
    seconds: float = DEFAULT_SECONDS,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    concurrency: int = DEFAULT_CONCURRENCY,
    workers: int | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Build (or reuse), serve, load, print and save the figures.

    ``scale`` shortens the run (seconds and request count), for a quick check;
    ``regenerate`` is accepted for ``python -m bench`` and rebuilds the warehouse.
    """
    work = out / NAME
    work.mkdir(parents=True, exist_ok=True)
    seconds, max_requests = seconds * scale, max(10, int(max_requests * scale))
    if data_dir is None:
        data_dir = work / "data"
        if regenerate or not (data_dir / "buurtlens.duckdb").is_file():
            print("api: building the warehouse from ../shared/data with the ETL ...", flush=True)
            build_warehouse(data_dir, work / "etl.log")
    scenarios: dict[str, Any] = {}
    answer: dict[str, Any] = {}
    for scenario, env in (("cached", {}), ("uncached", {"BUURTLENS_API_CACHE_MB": "0"})):
        with serve(
            data_dir, work / f"gunicorn-{scenario}.log", workers=workers, threads=threads, env=env
        ) as port:
            answer = _check_answer(port)
            load(
                "127.0.0.1",
                port,
                PATH,
                concurrency=concurrency,
                seconds=min(2.0, seconds),
                max_requests=max(50, max_requests // 20),
            )  # fmt: skip  (warm-up)
            print(f"api: {scenario} for up to {seconds:g} s ...", flush=True)
            result = load(
                "127.0.0.1",
                port,
                PATH,
                concurrency=concurrency,
                seconds=seconds,
                max_requests=max_requests,
            )
            scenarios[scenario] = result.figures()
            if scenario == "cached":
                print(f"api: revalidate for up to {seconds:g} s ...", flush=True)
                etag = str(answer["etag"])
                result = load("127.0.0.1", port, PATH, concurrency=concurrency, seconds=seconds,
                              max_requests=max_requests, headers={"If-None-Match": etag},
                              expect=304)  # fmt: skip
                scenarios["revalidate"] = result.figures()
    figures: dict[str, Any] = {
        "benchmark": NAME,
        "request": f"GET {PATH}",
        "answer": answer,
        "load": {
            "concurrency": concurrency,
            "max_seconds": seconds,
            "max_requests": max_requests,
            "workers": workers or "gunicorn.conf.py default",
            "threads": threads or "gunicorn.conf.py default",
        },
        "scenarios": scenarios,
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    print(report(figures), flush=True)
    (out / f"{NAME}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {out / f'{NAME}.json'}", flush=True)
    return figures


def report(figures: dict[str, Any]) -> str:
    """The figures as a table for people."""
    lines = [
        f"{figures['request']}  ({figures['answer']['rows']} buurten, "
        f"{figures['answer']['bytes']} bytes JSON)",
        f"load: {figures['load']['concurrency']} connections, at most "
        f"{figures['load']['max_seconds']:g} s / {figures['load']['max_requests']} requests; "
        f"{figures['machine']['cpus']} CPUs, load average {figures['machine']['load_average_1m']}",
        "",
        f"{'scenario':<11} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'errors':>7}",
    ]
    for name, f in figures["scenarios"].items():
        lines.append(
            f"{name:<11} {f['requests']:>9} {f['requests_per_second']:>9.1f} {f['p50_ms']:>8.2f} "
            f"{f['p95_ms']:>8.2f} {f['p99_ms']:>8.2f} {f['max_ms']:>8.2f} {f['errors']:>7}"
        )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out", help="work directory")
    p.add_argument("--data-dir", type=Path, help="serve this warehouse instead of building one")
    p.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="per scenario")
    p.add_argument("--max-requests", type=int, default=DEFAULT_MAX_REQUESTS, help="per scenario")
    p.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    p.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py)")
    p.add_argument("--threads", type=int, help="threads per worker (default: gunicorn.conf.py)")
    p.add_argument("--regenerate", action="store_true", help="rebuild the warehouse")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 0 when it ran, 1 when it could not."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s %(message)s")
    if args.seconds <= 0 or args.max_requests <= 0 or args.concurrency <= 0:
        print("--seconds, --max-requests and --concurrency must be positive", file=sys.stderr)
        return 2
    try:
        run_benchmark(
            out=args.out,
            regenerate=args.regenerate,
            data_dir=args.data_dir,
            seconds=args.seconds,
            max_requests=args.max_requests,
            concurrency=args.concurrency,
            workers=args.workers,
            threads=args.threads,
        )
    except BenchmarkError as e:
        print(f"benchmark {NAME} failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
