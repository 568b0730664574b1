"""The event store's schema, one list of numbered migrations for SQLite and PostgreSQL alike.

Each migration is applied once, in order, in one transaction together with its row in
`schema_version`; a failure rolls it back whole. A new table or column is a new `Migration` at
the end of `MIGRATIONS`, never an edit of an applied one. `upgrade` runs whatever is pending: the
bot does at start, and operators can with `expo-bot db upgrade`.

Databases made before `schema_version` existed (SQLite, `PRAGMA user_version = 1`) already hold
the events table; migration 1 creates it only if it is missing, so they are adopted as they are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.store.backend import Backend, Cursor, Dialect

log = logging.getLogger(__name__)

#: Runs one read: (sql in the backend's dialect, params) -> rows.
Read = Callable[[str, Sequence[object]], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Column:
    """A column added to an existing table, unless it is there already: SQLite has no
    `ADD COLUMN IF NOT EXISTS`, and a migration must be safe to apply twice."""

    table: str
    name: str
    definition: str  # e.g. "TEXT NOT NULL DEFAULT ''"


@dataclass(frozen=True)
class Migration:
    """One step of the schema; statements may use {id} and {real} (see `Dialect.ddl`)."""

    version: int
    name: str
    statements: tuple[str, ...]
    columns: tuple[Column, ...] = ()


MIGRATIONS: Final = (
    Migration(
        1,
        "events",
        (
            """CREATE TABLE IF NOT EXISTS events (
                id         {id},
                ts         {real} NOT NULL,          -- Unix time, s
                kind       TEXT NOT NULL,            -- see EventKind
                query      TEXT NOT NULL DEFAULT '', -- the question as typed
                lang       TEXT NOT NULL DEFAULT '', -- zh or en
                entry_id   TEXT,                     -- entry answered, tapped or rated, or NULL
                score      {real},                   -- the reply's score, for replies
                candidates TEXT NOT NULL DEFAULT '[]', -- JSON [{{"id", "score", ...}}], best first
                asker      TEXT                      -- keyed hash of the asker, never a user id
            )""",
            "CREATE INDEX IF NOT EXISTS events_ts ON events (ts)",
            "CREATE INDEX IF NOT EXISTS events_kind_ts ON events (kind, ts)",
        ),
    ),
    Migration(
        2,
        "lang choices",
        (
            """CREATE TABLE IF NOT EXISTS lang_choices (
                user_key TEXT PRIMARY KEY,  -- keyed hash of the user, never a user id
                lang     TEXT NOT NULL,     -- zh or en
                ts       {real} NOT NULL    -- when it was chosen: the latest choice wins
            )""",
        ),
    ),
    Migration(
        3,
        "conversation contexts",
        (
            """CREATE TABLE IF NOT EXISTS contexts (
                chat_key TEXT PRIMARY KEY,  -- keyed hash of the chat (and user, in groups)
                turn     TEXT NOT NULL,     -- JSON: the last question as understood, its entry
                ts       {real} NOT NULL    -- when it was asked: older than the expiry is gone
            )""",
            "CREATE INDEX IF NOT EXISTS contexts_ts ON contexts (ts)",
        ),
        # The question a follow-up was read as (那观众呢 → 观众有多少), for the review.
        (Column("events", "understood", "TEXT NOT NULL DEFAULT ''"),),
    ),
    Migration(
        4,
        "ignore marks",
        (
            """CREATE TABLE IF NOT EXISTS ignored (
                question TEXT PRIMARY KEY,  -- normalised (bot.text.normalise), as grouped
                query    TEXT NOT NULL,     -- as the editor saw it asked
                ts       {real} NOT NULL,   -- when it was ignored, Unix time, s
                editor   TEXT               -- keyed hash of the admin, never a user id; or NULL
            )""",
        ),
    ),
)

LATEST: Final = MIGRATIONS[-1].version

_RECORD_VERSION: Final = "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)"
_VERSION_TABLE: Final = """CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at {real} NOT NULL  -- Unix time, s
)"""


def current_version(read: Read, dialect: Dialect) -> int:
    """The highest migration applied; 0 for a database without the schema_version table."""
    if not read(dialect.sql(dialect.table_exists), ("schema_version",)):
        return 0
    ((version,),) = read("SELECT MAX(version) FROM schema_version", ())
    return int(version or 0)


def pending(version: int) -> tuple[Migration, ...]:
    """The migrations a database at version still needs, in order."""
    return tuple(m for m in MIGRATIONS if m.version > version)


def upgrade(backend: Backend) -> tuple[Migration, ...]:
    """Apply the pending migrations; the ones applied (none if up to date).

    Looks first without locking, so instances starting on an up-to-date database do not wait on
    each other. Raises the backend's errors.
    """
    dialect = backend.dialect
    version = current_version(backend.query, dialect)
    if not pending(version):
        if version > LATEST:
            log.warning("event store schema %d is newer than this bot's (%d)", version, LATEST)
        return ()
    with backend.transaction() as cursor:
        if dialect.migration_lock:
            cursor.execute(dialect.migration_lock, ())
        cursor.execute(dialect.ddl(_VERSION_TABLE), ())
        todo = pending(current_version(_reader(cursor), dialect))  # another may have been first
        for migration in todo:
            for statement in migration.statements:
                cursor.execute(dialect.ddl(statement), ())
            read = _reader(cursor)
            for column in migration.columns:
                if not read(dialect.sql(dialect.column_exists), (column.table, column.name)):
                    cursor.execute(
                        f"ALTER TABLE {column.table} ADD COLUMN {column.name} {column.definition}",
                        (),
                    )
            cursor.execute(
                dialect.sql(_RECORD_VERSION), (migration.version, migration.name, time.time())
            )
    for migration in todo:
        log.info(
            "event store %s: migration %d (%s) applied",
            backend.where,
            migration.version,
            migration.name,
        )
    return todo


def _reader(cursor: Cursor) -> Read:
    def read(sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        cursor.execute(sql, params)
        return cursor.fetchall()

    return read
