"""The event store on a PostgreSQL server, shared by every instance of the bot.

psycopg 3 with a `psycopg_pool` connection pool, in autocommit mode; each write is one
transaction. Before the pool is (re)opened, one direct connection proves the server is there, so a
failure reports libpq's own reason rather than a pool timeout. After any failure the pool is
closed, and the next attempt starts again with that direct connection: no pool keeps retrying in
the background while the server is away. Only `bot.store.event_log` imports this module, and only
for a `postgresql://` URL, so SQLite users never load psycopg.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, Final

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from bot.store.backend import POSTGRES, Cursor, one_line
from bot.store.location import PostgresUrl
from bot.store.model import EventLogError

CONNECT_TIMEOUT: Final = 3  # s, unless the URL sets connect_timeout; libpq's least is 2
POOL_TIMEOUT: Final = 3.0  # s to wait for a pooled connection
POOL_SIZE: Final = (1, 4)  # one writer thread per instance; reads from the CLI may add a few
APPLICATION_NAME: Final = "expo-bot"


class PostgresBackend:
    """A PostgreSQL database holding the event store."""

    dialect = POSTGRES
    errors: tuple[type[Exception], ...] = (psycopg.Error,)  # pool timeouts included

    def __init__(self, url: PostgresUrl) -> None:
        """Raises EventLogError if url is not a valid connection URL."""
        self.url = url
        self.where = url.redacted
        try:
            given = conninfo_to_dict(url.url)
        except psycopg.Error as exc:
            raise EventLogError(
                f"EXPO_BOT_DB is not a valid PostgreSQL URL ({self.describe(exc)})"
            ) from None
        self._kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in given:
            self._kwargs["connect_timeout"] = CONNECT_TIMEOUT
        if "application_name" not in given:
            self._kwargs["application_name"] = APPLICATION_NAME
        self._pool: ConnectionPool[psycopg.Connection[tuple[Any, ...]]] | None = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with self._pooled().connection() as conn, conn.transaction(), conn.cursor() as cursor:
            yield cursor

    def query(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._pooled().connection() as conn:
            return conn.execute(sql, params).fetchall()

    def reset(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.close(timeout=POOL_TIMEOUT)

    def close(self) -> None:
        self.reset()

    def describe(self, exc: BaseException) -> str:
        return self.url.scrub(one_line(exc))

    def _pooled(self) -> ConnectionPool[psycopg.Connection[tuple[Any, ...]]]:
        """The open pool; opened after a direct connection has shown the server answers."""
        if self._pool is not None:
            return self._pool
        psycopg.connect(self.url.url, **self._kwargs).close()  # raises libpq's reason
        min_size, max_size = POOL_SIZE
        pool: ConnectionPool[psycopg.Connection[tuple[Any, ...]]] = ConnectionPool(
            self.url.url,
            kwargs=self._kwargs,
            min_size=min_size,
            max_size=max_size,
            timeout=POOL_TIMEOUT,
            name="expo-bot-events",
            open=False,
        )
        try:
            pool.open(wait=True, timeout=POOL_TIMEOUT)
        except BaseException:
            pool.close(timeout=POOL_TIMEOUT)  # or it would keep reconnecting in the background
            raise
        self._pool = pool
        return pool
