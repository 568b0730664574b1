"""The event store in one SQLite file: the default, with nothing to set up.

One connection in autocommit mode, in WAL mode so that the bot and the CLI can use the file at the
same time; each write is one short `BEGIN IMMEDIATE` transaction, and `busy_timeout` covers another
process holding the write lock for a moment. The file and its directory are created on first use.
The caller (`EventLog`) serialises all use of a backend.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from bot.store.backend import SQLITE, Cursor, one_line

DEFAULT_BUSY_TIMEOUT_MS: Final = 2000


class SqliteBackend:
    """A SQLite file holding the event store."""

    dialect = SQLITE
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self.where = str(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._conn: sqlite3.Connection | None = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Cursor]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn.cursor()
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def query(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        return self._connection().execute(sql, params).fetchall()

    def reset(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def close(self) -> None:
        self.reset()

    def describe(self, exc: BaseException) -> str:
        return one_line(exc)

    def _connection(self) -> sqlite3.Connection:
        """The open connection, connecting (and creating the file) first if need be."""
        if self._conn is not None:
            return self._conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout_ms / 1000,
            isolation_level=None,  # autocommit: transactions are explicit
            check_same_thread=False,  # EventLog serialises every use
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                _switch_to_wal(conn, self._busy_timeout_ms)
            conn.execute("PRAGMA synchronous = NORMAL")  # durable across crashes of the process
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn


def _switch_to_wal(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Set WAL mode, retrying: SQLite answers "locked" at once, without waiting, while another
    connection (such as a second process creating the same database) holds a lock."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)
