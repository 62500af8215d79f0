# SPDX-License-Identifier: EUPL-1.2
"""The data directory: building, validating and atomically swapping in warehouse versions.

Layout of ``DIR`` (``--data-dir``)::

    buurtlens.duckdb        the live warehouse: a hard link to one file in versions/
    versions/<version>.duckdb   every published version still kept (newest N, for rollback)
    build/                  warehouses being built; never read by the app, cleaned at start
    log/runs.jsonl          one JSON line per finished run (also failed ones)
    log/<run_id>.rejected.csv   rejected rows of a run, with source, file, row, field, reason
    .lock                   held by the running ETL (one run at a time)

The app opens ``buurtlens.duckdb`` read-only. A new version is built under ``build/``,
validated, moved into ``versions/`` and then linked to ``buurtlens.duckdb`` with
``os.replace`` (an atomic rename on the same filesystem), so a reader sees either the old or
the new file, never a half-written one, and a killed run leaves the live file as it was.
Writing the live file in place is forbidden: DuckDB readers and a writer block each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from etl.model import EtlError

logger = logging.getLogger(__name__)

LIVE_NAME: Final = "buurtlens.duckdb"


class LockedError(EtlError):
    """Another ETL run holds the data directory's lock."""


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data directory (see the module docstring)."""

    root: Path

    @property
    def live(self) -> Path:
        return self.root / LIVE_NAME

    @property
    def versions(self) -> Path:
        return self.root / "versions"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def log(self) -> Path:
        return self.root / "log"

    @property
    def run_log(self) -> Path:
        return self.log / "runs.jsonl"

    def ensure(self) -> None:
        for path in (self.root, self.versions, self.build, self.log):
            path.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive, non-blocking lock for the duration of one run."""
        self.ensure()
        with (self.root / ".lock").open("w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise LockedError(f"another ETL run is busy in {self.root}") from e
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def clean_build(self) -> None:
        """Remove leftovers of killed runs (their files were never published)."""
        for leftover in self.build.iterdir():
            logger.info("event=clean_build path=%s", leftover)
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()

    def version_files(self) -> list[Path]:
        """Published versions, oldest first (version ids sort by time)."""
        return sorted(self.versions.glob("*.duckdb"))

    def live_version(self) -> str | None:
        """The version id of the live warehouse, found by inode, or ``None``."""
        try:
            live = self.live.stat()
        except FileNotFoundError:
            return None
        for candidate in self.version_files():
            stat = candidate.stat()
            if (stat.st_dev, stat.st_ino) == (live.st_dev, live.st_ino):
                return candidate.stem
        return None

    def publish(self, built: Path, version: str, *, keep: int) -> Path:
        """Move a validated build into ``versions/`` and make it live atomically."""
        target = self.versions / f"{version}.duckdb"
        os.replace(built, target)
        _fsync_dir(self.versions)
        self._link_live(target)
        logger.info("event=swap version=%s live=%s", version, self.live)
        self.prune(keep=keep)
        return target

    def rollback(self, version: str | None = None) -> str:
        """Make an earlier version live again: the given one, or the one before the live one."""
        files = self.version_files()
        if not files:
            raise EtlError(f"no published versions in {self.versions}")
        if version is None:
            current = self.live_version()
            stems = [f.stem for f in files]
            if current is None or current not in stems:
                raise EtlError("the live version is unknown; name the version to roll back to")
            index = stems.index(current)
            if index == 0:
                raise EtlError(f"{current} is the oldest version kept; nothing to roll back to")
            version = stems[index - 1]
        target = self.versions / f"{version}.duckdb"
        if not target.exists():
            known = ", ".join(f.stem for f in files)
            raise EtlError(f"version {version} is not kept; known versions: {known}")
        self._link_live(target)
        logger.info("event=rollback version=%s", version)
        return version

    def prune(self, *, keep: int) -> None:
        """Delete all but the newest ``keep`` versions; never the live one."""
        live = self.live_version()
        files = self.version_files()
        for old in files[: max(0, len(files) - keep)]:
            if old.stem != live:
                logger.info("event=prune version=%s", old.stem)
                old.unlink()

    def _link_live(self, target: Path) -> None:
        tmp = self.root / f".{LIVE_NAME}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            os.link(target, tmp)
        except OSError:
            # Filesystems without hard links: a copy, still swapped in atomically.
            shutil.copy2(target, tmp)
        os.replace(tmp, self.live)
        _fsync_dir(self.root)

    def append_run(self, record: dict[str, Any]) -> None:
        self.log.mkdir(parents=True, exist_ok=True)
        with self.run_log.open("a+b") as fh:
            # A run killed mid-write leaves a cut line: start on a fresh line after it.
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")
            fh.write((json.dumps(record, ensure_ascii=False, default=str) + "\n").encode())
            fh.flush()
            os.fsync(fh.fileno())

    def runs(self, last: int = 10) -> list[dict[str, Any]]:
        if not self.run_log.exists():
            return []
        lines = self.run_log.read_text(encoding="utf-8").splitlines()
        records: list[dict[str, Any]] = []
        for line in lines[-last:]:
            with contextlib.suppress(json.JSONDecodeError):  # a line cut by a crash
                records.append(json.loads(line))
        return records


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
