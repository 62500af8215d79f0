# SPDX-License-Identifier: EUPL-1.2
"""The private staging store: record-level data between extract and aggregate.

BAG objects and the municipality's own registrations are read record by record, located on
the map and counted. The records themselves live here, in a DuckDB file of its own,
``DIR/staging/staging.duckdb``, that the app never opens and the publish step never copies:
only counts per area reach the published warehouse. Registrations may hold personal data;
the file and its directory are readable by the ETL's user only.

What the store keeps:

- ``staged_files``: one row per source file (or online collection) with its checksum, size,
  modification time, the fingerprint of the configuration it was read with, row counts and
  counts per rejection reason. This manifest holds no record-level data and is kept across
  runs: it is how a run knows which files are new, changed, unchanged or gone, and the run
  log reports exactly that (:class:`FileChange`).
- record tables, created by the source modules (``bag_verblijfsobjecten``, ``bag_panden``,
  ``registration_records``), each row tagged with the ``file_id`` it came from, so that a
  changed file replaces its previous contribution completely and a removed file's rows go.
- rejected records (a ``reason`` column in the record tables), for inspection by the data
  team: records without a usable location, outside the municipality, with an unknown
  category or an unparseable date.

Retention (:class:`StagingSettings`, environment ``BUURTLENS_STAGING_*`` or the ``[staging]``
table of a sources file):

- ``retention_days`` (default 0): record-level data of *personal* sources (registrations)
  is deleted at the end of every successful run; with N > 0 it is kept N days, so that an
  unchanged file need not be read again the next night. A failed run deletes nothing, so
  the data team can see what went wrong; the next successful run applies the rule.
- ``keep_rejected`` (default true): the rejected records of every file as last read stay
  for inspection, whatever ``retention_days`` says. They are replaced when the file is read
  again and go with the file (or with the source, when it is no longer configured). They are
  a handful of rows from files that are still in the drop folder anyway.
- ``keep_public`` (default true): records of public registers (the BAG: every attribute is
  public in the BAG viewer) are kept, so the national extract (10 million objects) is not
  read again every night while it has not changed.

Deleting rows from a DuckDB file does not erase them from disk; when personal rows were
deleted the store is rewritten into a fresh file (:meth:`Staging.compact`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import duckdb
import pandas as pd

from etl.model import file_checksum
from etl.settings import ConfigError

if TYPE_CHECKING:
    from etl.config import SourceSpec

logger = logging.getLogger(__name__)

STAGING_DIR: Final = "staging"
STAGING_FILE: Final = "staging.duckdb"

ChangeStatus = Literal["new", "changed", "unchanged", "removed"]

_MANIFEST_DDL: Final = """
CREATE TABLE IF NOT EXISTS staged_files (
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    file_id INTEGER NOT NULL,
    checksum VARCHAR NOT NULL,
    size BIGINT,
    mtime_ns BIGINT,
    config_fp VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rejected_by_reason VARCHAR NOT NULL,
    personal BOOLEAN NOT NULL,
    records_kept BOOLEAN NOT NULL,
    staged_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (source, file)
)"""
_SEQUENCE_DDL: Final = "CREATE SEQUENCE IF NOT EXISTS staged_file_ids START 1"
_RECORD_TABLES_DDL: Final = """
CREATE TABLE IF NOT EXISTS staged_tables (
    name VARCHAR PRIMARY KEY,
    personal BOOLEAN NOT NULL
)"""


@dataclass(frozen=True)
class StagingSettings:
    """Retention of the staging store; see the module docstring.

    >>> StagingSettings.from_mapping({"retention_days": 7}).retention_days
    7
    """

    retention_days: int = 0
    keep_rejected: bool = True
    keep_public: bool = True
    #: Always hash files, even when size and modification time are unchanged. Off by
    #: default: hashing the 8 GB national BAG every night costs half a minute.
    verify_checksums: bool = False

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], *, where: str = "[staging]") -> StagingSettings:
        """Settings from a ``[staging]`` table (or an environment-like mapping)."""
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "retention_days":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ConfigError(f"{where}.{key}: expected a whole number >= 0, got {value!r}")
            elif not isinstance(value, bool):
                raise ConfigError(f"{where}.{key}: expected true or false, got {value!r}")
            values[key] = value
        return cls(**values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StagingSettings:
        """``BUURTLENS_STAGING_RETENTION_DAYS``, ``..._KEEP_REJECTED``, ``..._KEEP_PUBLIC``,
        ``..._VERIFY_CHECKSUMS`` (``true``/``false``)."""
        env = os.environ if environ is None else environ
        raw: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            key = "BUURTLENS_STAGING_" + name.upper()
            if key not in env:
                continue
            text = env[key].strip().lower()
            if name == "retention_days":
                try:
                    raw[name] = int(text)
                except ValueError as e:
                    raise ConfigError(f"{key}: expected a whole number, got {env[key]!r}") from e
            elif text in ("1", "true", "yes", "ja"):
                raw[name] = True
            elif text in ("0", "false", "no", "nee"):
                raw[name] = False
            else:
                raise ConfigError(f"{key}: expected true or false, got {env[key]!r}")
        return cls.from_mapping(raw, where="environment")


@dataclass(frozen=True)
class StagedFile:
    """The manifest row of one staged file."""

    source: str
    file: str
    kind: str
    file_id: int
    checksum: str
    size: int | None
    mtime_ns: int | None
    config_fp: str
    rows_read: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    personal: bool
    records_kept: bool


@dataclass(frozen=True)
class FileChange:
    """What happened to one input file since the previous run (for the run log)."""

    source: str
    file: str
    status: ChangeStatus
    checksum: str | None
    previous_checksum: str | None
    #: Whether this run read the file (False: its staged records were reused).
    read: bool
    rows: int = 0
    rejected: dict[str, int] = field(default_factory=dict)

    def note(self) -> str:
        """One line for the run's notes, e.g. ``meldingen a.csv: changed, read 1898 rows``."""
        name = Path(self.file.split("#")[0]).name + (
            "#" + self.file.split("#", 1)[1] if "#" in self.file else ""
        )
        if self.status == "removed":
            return f"{self.source} {name}: removed; its records no longer count"
        how = f"read {self.rows} rows" if self.read else f"staged {self.rows} rows reused"
        bad = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected.items()) if v)
        return f"{self.source} {name}: {self.status}, {how}" + (
            f" (rejected: {bad})" if bad else ""
        )


@dataclass
class StagedSource:
    """What the extract step of a located source (BAG, registrations) staged in this run.

    The input of that source's ``aggregate`` step. ``vintage`` is the year of the boundaries
    its records are located in; ``period`` the period of BAG figures (the reference year of
    the extract; registrations take theirs from each record's date). ``changes`` says per
    file what changed since the previous run, for the run log; ``rejected`` counts the
    records rejected while reading, per reason.
    """

    spec: SourceSpec
    kind: str
    label: str
    vintage: int
    period: str | None
    files: list[StagedFile]
    changes: list[FileChange]
    checksum: str
    rows_read: int
    rejected: dict[str, int]
    staging: Staging
    run_id: str | None = None

    @property
    def file_ids(self) -> list[int]:
        return [f.file_id for f in self.files]

    def notes(self) -> list[str]:
        """One line per file for the run's notes (what changed, rows read or reused)."""
        return [c.note() for c in self.changes]


class Staging:
    """One open staging store. Use :meth:`open` as a context manager.

    Source modules create their record tables with :meth:`ensure_table`, ask
    :meth:`previous` whether a file is already staged under the same checksum and
    configuration, and replace a file's rows with :meth:`replace_file`. The runner calls
    :meth:`finish` once at the end of the run.
    """

    def __init__(self, path: Path, settings: StagingSettings) -> None:
        self.path = path
        self.settings = settings
        self.con = duckdb.connect(str(path))
        self.con.execute(_MANIFEST_DDL)
        self.con.execute(_SEQUENCE_DDL)
        self.con.execute(_RECORD_TABLES_DDL)
        self._touched_personal = False
        self._hashed: dict[tuple[str, int, int], str] = {}

    # --- life cycle -------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def open(cls, data_dir: Path, settings: StagingSettings | None = None) -> Iterator[Staging]:
        """Open (or create) ``data_dir/staging/staging.duckdb``; closed afterwards."""
        store = cls.create(data_dir, settings)
        try:
            yield store
        finally:
            store.close()

    @classmethod
    def create(cls, data_dir: Path, settings: StagingSettings | None = None) -> Staging:
        """Open the store without a context manager (the runner holds it for a whole run)."""
        directory = Path(data_dir) / STAGING_DIR
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        path = directory / STAGING_FILE
        store = cls(path, settings or StagingSettings())
        os.chmod(path, 0o600)
        return store

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.con.close()

    # --- tables -----------------------------------------------------------------------

    def ensure_table(self, name: str, ddl: str, *, personal: bool) -> None:
        """Create record table ``name`` with ``ddl`` (``CREATE TABLE IF NOT EXISTS ...``).

        ``personal`` tables fall under ``retention_days``; the others under ``keep_public``.
        The table needs the columns ``file_id INTEGER`` and ``reason VARCHAR`` (NULL for an
        accepted record).
        """
        self.con.execute(ddl)
        self.con.execute("INSERT OR REPLACE INTO staged_tables VALUES (?, ?)", [name, personal])

    def _tables(self) -> dict[str, bool]:
        return dict(self.con.execute("SELECT name, personal FROM staged_tables").fetchall())

    # --- the manifest -----------------------------------------------------------------

    def checksum(self, source: str, path: Path) -> str:
        """The SHA-256 of ``path``, reusing the staged one when size and mtime are unchanged.

        Like make and rsync, an unchanged size and modification time (to the nanosecond)
        count as an unchanged file, unless ``verify_checksums`` is set. The staged row may be
        the file's or one of its layers' (``path#layer``); within a run a file is hashed once
        however many layers it has.
        """
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key in self._hashed:
            return self._hashed[key]
        if not self.settings.verify_checksums:
            row = self.con.execute(
                "SELECT checksum FROM staged_files WHERE source = ? "
                "AND (file = ? OR starts_with(file, ?)) AND size = ? AND mtime_ns = ? LIMIT 1",
                [source, str(path), f"{path}#", stat.st_size, stat.st_mtime_ns],
            ).fetchone()
            if row is not None:
                self._hashed[key] = str(row[0])
                return self._hashed[key]
        self._hashed[key] = file_checksum(path)
        return self._hashed[key]

    def previous(self, source: str, file: str) -> StagedFile | None:
        """The manifest row of ``file`` from an earlier run, or ``None``."""
        row = self.con.execute(
            "SELECT source, file, kind, file_id, checksum, size, mtime_ns, config_fp, rows_read, "
            "rows_rejected, rejected_by_reason, personal, records_kept FROM staged_files "
            "WHERE source = ? AND file = ?",
            [source, file],
        ).fetchone()
        if row is None:
            return None
        return StagedFile(
            source=row[0],
            file=row[1],
            kind=row[2],
            file_id=int(row[3]),
            checksum=row[4],
            size=row[5],
            mtime_ns=row[6],
            config_fp=row[7],
            rows_read=int(row[8]),
            rows_rejected=int(row[9]),
            rejected_by_reason=json.loads(row[10]),
            personal=bool(row[11]),
            records_kept=bool(row[12]),
        )

    def files(self, source: str) -> list[StagedFile]:
        """Every staged file of ``source``, in file order."""
        names = [
            r[0]
            for r in self.con.execute(
                "SELECT file FROM staged_files WHERE source = ? ORDER BY file", [source]
            ).fetchall()
        ]
        return [f for n in names if (f := self.previous(source, n)) is not None]

    def reusable(self, source: str, file: str, checksum: str, config_fp: str) -> StagedFile | None:
        """The staged file when its records can be reused as they are, else ``None``."""
        staged = self.previous(source, file)
        if (
            staged is not None
            and staged.records_kept
            and staged.checksum == checksum
            and staged.config_fp == config_fp
        ):
            return staged
        return None

    def replace_file(
        self,
        *,
        source: str,
        file: str,
        kind: str,
        checksum: str,
        config_fp: str,
        records: Mapping[str, pd.DataFrame | Iterable[pd.DataFrame]],
        rows_read: int | None = None,
        rejected_by_reason: Mapping[str, int] | None = None,
        personal: bool,
        path: Path | None = None,
        run_id: str | None = None,
    ) -> StagedFile:
        """Stage ``records`` (table name -> rows without ``file_id``, or an iterable of such
        chunks, so that a large file never sits in memory twice) as the whole content of
        ``file``: its earlier rows in every record table are deleted first, in one
        transaction. Columns of a table that the rows lack are NULL.

        ``rows_read`` and ``rejected_by_reason`` default to what the rows say: their number
        and the counts of their ``reason`` column. Returns the new manifest row."""
        stat = path.stat() if path is not None and path.exists() else None
        old = self.previous(source, file)
        self.con.execute("BEGIN TRANSACTION")
        try:
            if old is not None:
                self._delete_rows(old.file_id)
                self.con.execute(
                    "DELETE FROM staged_files WHERE source = ? AND file = ?", [source, file]
                )
            row = self.con.execute("SELECT nextval('staged_file_ids')").fetchone()
            file_id = int(row[0]) if row else 1
            counted = 0
            reasons: dict[str, int] = {}
            for table, chunks in records.items():
                if table not in self._tables():
                    raise ValueError(f"record table {table!r} was not created (ensure_table)")
                columns = [c[0] for c in self.con.execute(f"DESCRIBE {table}").fetchall()]
                for frame in [chunks] if isinstance(chunks, pd.DataFrame) else chunks:
                    unknown = sorted(set(frame.columns) - set(columns))
                    if unknown:
                        raise ValueError(f"rows for {table} have unknown column(s) {unknown}")
                    staged = frame.assign(file_id=file_id)
                    present = [c for c in columns if c in staged.columns]
                    self.con.register("incoming_records", staged[present])
                    self.con.execute(
                        f"INSERT INTO {table} ({', '.join(present)}) "  # noqa: S608
                        f"SELECT {', '.join(present)} FROM incoming_records"
                    )
                    self.con.unregister("incoming_records")
                    counted += len(frame)
                    if "reason" in frame.columns:
                        for reason, n in frame["reason"].value_counts(dropna=True).items():
                            reasons[str(reason)] = reasons.get(str(reason), 0) + int(n)
            if rows_read is None:
                rows_read = counted
            if rejected_by_reason is None:
                rejected_by_reason = reasons
            self.con.execute(
                "INSERT INTO staged_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?)",
                [
                    source,
                    file,
                    kind,
                    file_id,
                    checksum,
                    stat.st_size if stat else None,
                    stat.st_mtime_ns if stat else None,
                    config_fp,
                    rows_read,
                    int(sum(rejected_by_reason.values())),
                    json.dumps(dict(sorted(rejected_by_reason.items()))),
                    personal,
                    datetime.now(UTC),
                    run_id,
                ],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        if personal:
            self._touched_personal = True
        staged_file = self.previous(source, file)
        assert staged_file is not None
        logger.info(
            "event=staged source=%s file=%s kind=%s file_id=%d rows=%d rejected=%d",
            source,
            file,
            kind,
            file_id,
            rows_read,
            staged_file.rows_rejected,
        )
        return staged_file

    def touch(self, source: str, file: str, *, run_id: str | None = None) -> None:
        """Record that this run used ``file``'s staged records as they were."""
        self.con.execute(
            "UPDATE staged_files SET run_id = ? WHERE source = ? AND file = ?",
            [run_id, source, file],
        )

    def forget_missing(self, source: str, present: set[str]) -> list[StagedFile]:
        """Delete the staged rows of ``source``'s files that are no longer in ``present``."""
        gone = [f for f in self.files(source) if f.file not in present]
        for f in gone:
            self._delete_rows(f.file_id)
            self.con.execute(
                "DELETE FROM staged_files WHERE source = ? AND file = ?", [source, f.file]
            )
            self._touched_personal |= f.personal
            logger.info("event=staging_removed source=%s file=%s", source, f.file)
        return gone

    def _delete_rows(self, file_id: int) -> None:
        for table in self._tables():
            self.con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])  # noqa: S608

    def file_ids(self, source: str) -> list[int]:
        """The ``file_id`` of every staged file of ``source`` (for queries on record tables)."""
        return [
            int(r[0])
            for r in self.con.execute(
                "SELECT file_id FROM staged_files WHERE source = ? ORDER BY file", [source]
            ).fetchall()
        ]

    def rejected(self, source: str, table: str) -> pd.DataFrame:
        """The rejected records of ``source`` in ``table`` (for inspection by the data team)."""
        if table not in self._tables():
            return pd.DataFrame()
        return self.con.execute(
            f"SELECT f.file, r.* EXCLUDE (file_id) FROM {table} r "  # noqa: S608
            "JOIN staged_files f ON f.file_id = r.file_id "
            "WHERE f.source = ? AND r.reason IS NOT NULL ORDER BY f.file",
            [source],
        ).df()

    # --- retention --------------------------------------------------------------------

    def finish(self, *, success: bool, run_id: str | None = None) -> None:
        """Apply the retention rules at the end of a run (see the module docstring).

        After a failed run nothing is deleted (the data team inspects it); after a
        successful one personal records older than ``retention_days`` go (all of them with
        the default 0), except rejected records while ``keep_rejected``; public records stay
        while ``keep_public``. ``run_id`` is only logged. The store is then rewritten when
        personal rows were deleted, so that they do not linger in free blocks of the file.
        """
        if not success:
            logger.info("event=staging_kept reason=run_failed run_id=%s path=%s", run_id, self.path)
            return
        cutoff = datetime.now(UTC) - timedelta(days=self.settings.retention_days)
        expired = "TRUE" if self.settings.retention_days == 0 else "staged_at < ?"
        expired_params: list[object] = [] if self.settings.retention_days == 0 else [cutoff]
        deleted = 0
        for table, personal in self._tables().items():
            if not personal and self.settings.keep_public:
                continue
            sql = (
                f"DELETE FROM {table} WHERE file_id IN "  # noqa: S608 - names from staged_tables
                f"(SELECT file_id FROM staged_files WHERE {expired})"
            )
            params = list(expired_params)
            if self.settings.keep_rejected:
                sql += " AND reason IS NULL"
            before = self._count(table)
            self.con.execute(sql, params)
            removed = before - self._count(table)
            deleted += removed
            self._touched_personal |= bool(removed and personal)
            logger.info("event=staging_retention table=%s deleted=%d", table, removed)
        # A file whose accepted records are gone cannot be reused by the next run.
        self.con.execute(
            f"UPDATE staged_files SET records_kept = FALSE WHERE records_kept "  # noqa: S608
            f"AND (personal OR NOT ?) AND {expired}",
            [self.settings.keep_public, *expired_params],
        )
        if self._touched_personal and deleted:
            self.compact()

    def _count(self, table: str) -> int:
        row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        return int(row[0]) if row else 0

    def compact(self) -> None:
        """Rewrite the store into a fresh file, so that deleted rows are really gone."""
        fresh = self.path.with_name(self.path.stem + ".compact.duckdb")
        fresh.unlink(missing_ok=True)
        row = self.con.execute("SELECT current_database()").fetchone()
        current = str(row[0]) if row else "staging"
        self.con.execute("CHECKPOINT")
        quoted = str(fresh).replace("'", "''")
        self.con.execute(f"ATTACH '{quoted}' AS fresh_store")
        try:
            name = current.replace('"', '""')
            self.con.execute(f'COPY FROM DATABASE "{name}" TO fresh_store')
        finally:
            self.con.execute("DETACH fresh_store")
        self.con.close()
        os.chmod(fresh, 0o600)
        os.replace(fresh, self.path)
        self.con = duckdb.connect(str(self.path))
        self._touched_personal = False
        logger.info("event=staging_compacted path=%s", self.path)
