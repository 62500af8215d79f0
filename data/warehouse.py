# SPDX-License-Identifier: EUPL-1.2
"""The only code that opens the published DuckDB warehouse.

One :class:`Warehouse` per process holds a read-only connection to the live file
``<BUURTLENS_DATA_DIR>/buurtlens.duckdb``. It is opened lazily, on the first query, so that
gunicorn workers open it after the fork. Every request gets its own cursor
(:meth:`Warehouse.cursor`), every value is a ``?`` parameter and identifiers come only from
allow-lists (:func:`quote_identifier`).

**Swaps.** The ETL publishes a new file with ``os.replace`` (a new inode). At most every
``check_interval`` seconds (default 1 s) the warehouse compares the live file's
``(st_dev, st_ino)`` with the one it has open and, when it differs, opens the new file and
starts handing out cursors on it. The old connection is not closed: requests that are still
using it keep a reference and finish on the old (unlinked) inode, which Linux keeps readable;
it is closed when the last reference goes. A new file that cannot be used (wrong schema
version, unreadable) is logged and the old one keeps serving.

**Why ATTACH and not ``duckdb.connect(path, read_only=True)``.** DuckDB's Python client
caches database instances per process, keyed by path: while any connection to the old file
is alive, ``connect(path)`` returns that *old* instance again, so a swap would never be seen
(duckdb/duckdb#15912; reproduced with duckdb 2.0). An in-memory instance per opened file
that ``ATTACH``\\es the file ``READ_ONLY`` bypasses the cache and gives the same read-only
guarantee. After attaching, file access from SQL is switched off and the configuration is
locked, so even a query mistake cannot read other files or install extensions.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, LiteralString

import duckdb
import pandas as pd

from data.settings import get_settings
from etl.schema import PUBLIC_TABLES, SCHEMA_VERSION

logger = logging.getLogger(__name__)

#: How often (seconds) a worker looks at the live file for a swap.
DEFAULT_CHECK_INTERVAL: Final = 1.0

#: Catalog name of the attached warehouse inside each connection.
_ALIAS: Final = "warehouse"

#: Engine settings for the in-memory instance. No extension is ever installed or loaded at
#: run time: the app must work without a network.
_ENGINE_CONFIG: Final[dict[str, str | bool | int | float | list[str]]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

FileId = tuple[int, int]


class WarehouseError(Exception):
    """Base class of the errors of the data layer's database access."""


class WarehouseUnavailable(WarehouseError):
    """The live warehouse cannot be used: missing, unreadable or of an unknown schema.

    ``reason`` is a short machine-readable word (``missing``, ``unreadable``, ``invalid``,
    ``schema_version``) that the readiness probe reports without exposing paths.
    """

    def __init__(self, message: str, *, path: Path, reason: str) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


class SchemaVersionMismatch(WarehouseUnavailable):
    """The warehouse was written for another ``etl.schema.SCHEMA_VERSION``."""


class QueryFailed(WarehouseError):
    """DuckDB rejected a query; the driver's error is chained as ``__cause__``."""


class UnknownIdentifier(ValueError):
    """A table or column name is not in the allow-list."""


@dataclass(frozen=True, slots=True)
class WarehouseInfo:
    """What is known about one opened warehouse file (from its ``meta`` table)."""

    path: Path
    file_id: FileId
    schema_version: str
    data_version: str
    built_at: str | None
    #: Public table -> its columns, read from the file: the identifier allow-list.
    columns: Mapping[str, frozenset[str]] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Result:
    """A query result: the rows as a DataFrame and the data version they were read from.

    Caches key by ``data_version`` so that a swap never serves stale figures.
    """

    frame: pd.DataFrame
    data_version: str


class _Handle:
    """One opened warehouse file: an in-memory DuckDB instance with the file attached."""

    __slots__ = ("con", "info")

    def __init__(self, con: duckdb.DuckDBPyConnection, info: WarehouseInfo) -> None:
        self.con = con
        self.info = info


class Cursor:
    """A per-request cursor on one warehouse file, pinned to its data version.

    Holding a :class:`Cursor` keeps its file's connection alive, even after a swap.
    """

    def __init__(self, handle: _Handle, cursor: duckdb.DuckDBPyConnection) -> None:
        self._handle = handle
        self._cursor = cursor

    @property
    def info(self) -> WarehouseInfo:
        return self._handle.info

    @property
    def data_version(self) -> str:
        return self._handle.info.data_version

    def frame(self, sql: LiteralString, params: Sequence[object] = ()) -> Result:
        """Run ``sql`` with ``?`` placeholders bound to ``params``; rows as a DataFrame."""
        return Result(self._execute(sql, params).df(), self.data_version)

    def rows(self, sql: LiteralString, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        """Like :meth:`frame` for small lookups: the rows as tuples."""
        return self._execute(sql, params).fetchall()

    def _execute(self, sql: str, params: Sequence[object]) -> duckdb.DuckDBPyConnection:
        try:
            return self._cursor.execute(sql, list(params))
        except duckdb.Error as e:
            raise QueryFailed(
                f"query failed on {self.info.path} (data_version={self.data_version}): {e}"
            ) from e


class Warehouse:
    """The live warehouse file of one process, reopened when the ETL swaps it.

    >>> wh = Warehouse("/srv/buurtlens/buurtlens.duckdb")  # doctest: +SKIP
    >>> with wh.cursor() as cur:  # doctest: +SKIP
    ...     cur.frame("SELECT code, name FROM areas WHERE vintage = ?", [2024])
    """

    def __init__(
        self,
        path: Path | str,
        *,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = Path(path)
        self._check_interval = check_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._handle: _Handle | None = None
        self._pid: int | None = None
        self._next_check = 0.0
        #: A swapped-in file that was refused, so that it is logged once, not every second.
        self._refused: FileId | None = None
        self._missing_logged = False
        #: Handles opened by a parent process before a fork: kept, never used or closed
        #: (closing a DuckDB instance in a forked child is not safe).
        self._inherited: list[_Handle] = []

    @property
    def path(self) -> Path:
        return self._path

    def info(self) -> WarehouseInfo:
        """Metadata of the currently open file; opens it if needed.

        Raises :class:`WarehouseUnavailable` when no usable file has been opened yet.
        """
        return self._current().info

    def data_version(self) -> str:
        """The data version queries are currently answered from."""
        return self._current().info.data_version

    @contextmanager
    def cursor(self) -> Iterator[Cursor]:
        """A cursor for one request; closed on exit. The file stays open while it is used."""
        handle = self._current()
        raw = handle.con.cursor()
        try:
            raw.execute(f"USE {_ALIAS}")
            yield Cursor(handle, raw)
        finally:
            raw.close()

    def query(self, sql: LiteralString, params: Sequence[object] = ()) -> Result:
        """Run one parameterised query on a fresh cursor."""
        with self.cursor() as cur:
            return cur.frame(sql, params)

    def columns(self, table: str) -> frozenset[str]:
        """The columns of a public table: the allow-list for its identifiers."""
        known = self.info().columns
        quote_identifier(table, known.keys())
        return known[table]

    def select(
        self,
        table: str,
        columns: Sequence[str] | None = None,
        *,
        where: Mapping[str, object] | None = None,
        order_by: Sequence[str] = (),
    ) -> Result:
        """``SELECT columns FROM table WHERE col = ? AND ... ORDER BY ...``.

        Every identifier must be a public table of the schema or one of its columns
        (:class:`UnknownIdentifier` otherwise); every value is bound as a parameter.
        """
        with self.cursor() as cur:
            known = cur.info.columns
            table_sql = quote_identifier(table, known.keys())
            allowed = known[table]
            wanted = sorted(allowed) if columns is None else list(columns)
            select_sql = ", ".join(quote_identifier(c, allowed) for c in wanted)
            conditions = dict(where or {})
            where_sql = " AND ".join(f"{quote_identifier(c, allowed)} = ?" for c in conditions)
            order_sql = ", ".join(quote_identifier(c, allowed) for c in order_by)
            # Only allow-listed, quoted identifiers are interpolated; values are parameters.
            sql = f"SELECT {select_sql} FROM {table_sql}"  # noqa: S608
            if where_sql:
                sql += f" WHERE {where_sql}"
            if order_sql:
                sql += f" ORDER BY {order_sql}"
            return Result(cur._execute(sql, list(conditions.values())).df(), cur.data_version)

    def close(self) -> None:
        """Forget the open file (in-flight cursors finish on it); the next query reopens."""
        with self._lock:
            self._handle = None
            self._next_check = 0.0

    # --- internals ------------------------------------------------------------------------

    def _current(self) -> _Handle:
        handle = self._handle
        if handle is not None and self._pid == os.getpid() and self._clock() < self._next_check:
            return handle
        with self._lock:
            now = self._clock()
            if self._pid != os.getpid():
                if self._handle is not None:
                    self._inherited.append(self._handle)
                self._handle = None
                self._pid = os.getpid()
            handle = self._handle
            if handle is None:
                handle = self._open()
                self._handle = handle
            elif now >= self._next_check:
                handle = self._refresh(handle)
                self._handle = handle
            self._next_check = now + self._check_interval
            return handle

    def _refresh(self, handle: _Handle) -> _Handle:
        """Reopen when the live file is a different file than the one that is open."""
        try:
            file_id = _file_id(self._path)
        except FileNotFoundError:
            if not self._missing_logged:
                logger.warning(
                    "warehouse file missing, still serving the open one path=%s data_version=%s",
                    self._path,
                    handle.info.data_version,
                )
                self._missing_logged = True
            return handle
        self._missing_logged = False
        if file_id == handle.info.file_id or file_id == self._refused:
            return handle
        try:
            new = self._open()
        except WarehouseUnavailable as e:
            self._refused = file_id
            logger.error(
                "swapped-in warehouse refused, still serving the open one "
                "path=%s reason=%s data_version=%s error=%s",
                self._path,
                e.reason,
                handle.info.data_version,
                e,
            )
            return handle
        self._refused = None
        logger.info(
            "warehouse reopened after swap path=%s old_data_version=%s new_data_version=%s",
            self._path,
            handle.info.data_version,
            new.info.data_version,
        )
        return new

    def _open(self) -> _Handle:
        path = self._path
        # stat before attaching: if a swap happens in between, the recorded id is the old
        # file's and the next check simply reopens once more. The other order could miss a
        # swap for good.
        try:
            file_id = _file_id(path)
        except FileNotFoundError as e:
            raise WarehouseUnavailable(
                f"warehouse file {path} does not exist: publish one with "
                "`python -m etl run --data-dir DIR ...` or check BUURTLENS_DATA_DIR",
                path=path,
                reason="missing",
            ) from e
        con = duckdb.connect(":memory:", config=_ENGINE_CONFIG)
        try:
            con.execute(f"ATTACH ? AS {_ALIAS} (READ_ONLY)", [str(path)])
            con.execute(f"USE {_ALIAS}")
            meta = {
                str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta").fetchall()
            }
            column_rows = con.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_catalog = ? AND table_schema = 'main'",
                [_ALIAS],
            ).fetchall()
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
        except duckdb.Error as e:
            con.close()
            raise WarehouseUnavailable(
                f"warehouse file {path} cannot be opened as a Buurtlens warehouse: {e}",
                path=path,
                reason="unreadable",
            ) from e
        try:
            info = _info(path, file_id, meta, column_rows)
        except WarehouseUnavailable:
            con.close()
            raise
        logger.info(
            "warehouse opened path=%s data_version=%s built_at=%s inode=%s pid=%s",
            path,
            info.data_version,
            info.built_at,
            file_id[1],
            os.getpid(),
        )
        return _Handle(con, info)


def _info(
    path: Path,
    file_id: FileId,
    meta: Mapping[str, str],
    column_rows: Sequence[tuple[object, ...]],
) -> WarehouseInfo:
    schema_version = meta.get("schema_version")
    if schema_version != str(SCHEMA_VERSION):
        raise SchemaVersionMismatch(
            f"warehouse file {path} has meta.schema_version={schema_version!r}; this app "
            f"reads schema version {SCHEMA_VERSION} (etl.schema.SCHEMA_VERSION): rebuild "
            "it with the matching ETL or deploy the matching app",
            path=path,
            reason="schema_version",
        )
    data_version = meta.get("data_version")
    if not data_version:
        raise WarehouseUnavailable(
            f"warehouse file {path} has no meta.data_version",
            path=path,
            reason="invalid",
        )
    columns: dict[str, set[str]] = {}
    for table, column in column_rows:
        if table in PUBLIC_TABLES:
            columns.setdefault(str(table), set()).add(str(column))
    return WarehouseInfo(
        path=path,
        file_id=file_id,
        schema_version=schema_version,
        data_version=data_version,
        built_at=meta.get("built_at"),
        columns={t: frozenset(c) for t, c in columns.items()},
    )


def _file_id(path: Path) -> FileId:
    st = os.stat(path)
    return (st.st_dev, st.st_ino)


def quote_identifier(name: str, allowed: Collection[str]) -> str:
    """``name`` as a quoted SQL identifier, if it is in ``allowed``.

    >>> quote_identifier("code", {"code", "name"})
    '"code"'
    >>> quote_identifier("code; DROP TABLE areas", {"code"})  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    data.warehouse.UnknownIdentifier: 'code; DROP TABLE areas' is not an allowed identifier
    """
    if not isinstance(name, str) or name not in allowed:
        raise UnknownIdentifier(
            f"{name!r} is not an allowed identifier (allowed: {', '.join(sorted(allowed))})"
        )
    return '"' + name.replace('"', '""') + '"'


# --- the process-wide instance -------------------------------------------------------------

_default: Warehouse | None = None
_default_lock = threading.Lock()


def get_warehouse() -> Warehouse:
    """This process's warehouse at ``Settings.warehouse_path`` (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Warehouse(get_settings().warehouse_path)
        return _default


def set_warehouse(warehouse: Warehouse | None) -> None:
    """Replace this process's warehouse (tests and tools); ``None`` resets to the default."""
    global _default
    with _default_lock:
        _default = warehouse
