# SPDX-License-Identifier: EUPL-1.2
"""Command line of the ETL: ``python -m etl {run,demo,status,rollback}``.

Exit status (documented in the README, relied on by cron/systemd monitoring):

====  =====================================================================
0     published a new version, or nothing changed and the live one stays
1     the run failed; nothing was published, the live warehouse is untouched
2     wrong usage or configuration (nothing was read)
3     published, but some rows were rejected (see ``log/<run>.rejected.csv``)
75    another run holds the data directory's lock (try again later)
====  =====================================================================
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import duckdb

from etl.config import SourceSpec, from_argument
from etl.model import EtlError
from etl.publish import DataDir, LockedError
from etl.settings import ConfigError, EtlSettings

logger = logging.getLogger("etl")

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_REJECTED: Final = 3
EXIT_LOCKED: Final = 75


class _KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        line = (
            f"ts={ts} level={record.levelname.lower()} logger={record.name} {record.getMessage()}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def _configure_logging(level: str | None, fmt: str) -> None:
    default = "WARNING" if sys.stderr.isatty() else "INFO"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else _KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get("BUURTLENS_LOG_LEVEL") or default).upper())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description=__doc__.split("\n")[0])
    p.add_argument("--log-level", help="DEBUG, INFO, WARNING (default: WARNING on a terminal)")
    p.add_argument("--log-format", choices=["text", "json"], default="text")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="build and publish the warehouse from sources")
    r.add_argument("--data-dir", required=True, type=Path)
    r.add_argument(
        "--source",
        required=True,
        action="append",
        metavar="SRC",
        help="a directory of published files, or a sources file (.toml/.yaml)",
    )
    r.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    r.add_argument("--quiet", action="store_true", help="no progress lines")
    d = sub.add_parser("demo", help="generate the fictitious demo municipality and load it")
    d.add_argument("--data-dir", required=True, type=Path)
    d.add_argument("--quiet", action="store_true")
    s = sub.add_parser("status", help="show the live version and the last runs")
    s.add_argument("--data-dir", required=True, type=Path)
    s.add_argument("--json", action="store_true")
    s.add_argument("--last", type=int, default=10)
    b = sub.add_parser("rollback", help="make the previous (or a named) version live")
    b.add_argument("--data-dir", required=True, type=Path)
    b.add_argument("--to", metavar="VERSION")
    return p  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args.log_level, args.log_format)
    try:
        if args.command == "run":
            return _run(args.data_dir, args.source, args.force, args.quiet)
        if args.command == "demo":
            return _demo(args.data_dir, args.quiet)
        if args.command == "status":
            return _status(args.data_dir, as_json=args.json, last=args.last)
        version = DataDir(args.data_dir).rollback(args.to)
        print(f"live version is now {version}")
        return EXIT_OK
    except ConfigError as e:
        print(f"configuration error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except LockedError as e:
        print(f"busy: {e}", file=sys.stderr)
        return EXIT_LOCKED
    except EtlError as e:
        print(f"ETL failed, nothing published: {e}", file=sys.stderr)
        return EXIT_FAILED


def _run(data_dir: Path, arguments: list[str], force: bool, quiet: bool) -> int:
    from etl.runner import STATUS_PUBLISHED, Progress, run

    settings = EtlSettings.from_env()
    specs: list[SourceSpec] = []
    for argument in arguments:
        config = from_argument(argument)
        settings = settings.with_overrides(config.settings, where=config.origin)
        specs += config.sources
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ConfigError(f"source names must be unique across --source arguments: {names}")
    progress = Progress(enabled=False if quiet else None)
    outcome = run(data_dir, specs, settings, progress=progress, force=force)
    print(outcome.message)
    if outcome.status == STATUS_PUBLISHED and outcome.rejected:
        print(
            f"{outcome.rejected} rows rejected: see {DataDir(data_dir).log}/"
            f"{outcome.run_id}.rejected.csv",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    return EXIT_OK


def _demo(data_dir: Path, quiet: bool) -> int:
    from etl.demo import write_demo_sources

    target = data_dir / "demo-bronnen"
    target.mkdir(parents=True, exist_ok=True)
    write_demo_sources(target)
    return _run(data_dir, [str(target)], force=False, quiet=quiet)


def _status(data_dir: Path, *, as_json: bool, last: int) -> int:
    dd = DataDir(data_dir)
    live: dict[str, str] = {}
    if dd.live.exists():
        try:
            con = duckdb.connect(str(dd.live), read_only=True)
            try:
                live = dict(con.execute("SELECT key, value FROM meta").fetchall())
            finally:
                con.close()
        except duckdb.Error as e:
            live = {"error": str(e)}
    versions = [f.stem for f in dd.version_files()]
    runs = dd.runs(last)
    if as_json:
        print(json.dumps({"live": live, "versions": versions, "runs": runs}, indent=2))
        return EXIT_OK
    if live:
        print(f"live version: {live.get('data_version')} (built {live.get('built_at')})")
    else:
        print(f"no live warehouse in {data_dir}")
    print(f"versions kept: {', '.join(versions) or 'none'}")
    print("last runs:")
    for r in runs:
        print(
            f"  {r.get('run_id')}  {r.get('status'):<11}  {r.get('finished_at', '')[:19]}  "
            f"{r.get('message', '')}"
        )
    return EXIT_OK
