"""Schema migrations on both databases: applied once and in order, adopted from the SQLite
databases made before them, rolled back whole when one fails; and `expo-bot db upgrade`."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

import pytest

from bot import cli
from bot.store import MIGRATIONS, SCHEMA_VERSION, EventLog, EventLogError, Location, Migration
from bot.store import schema as schema_module
from tests.factories import reply
from tests.stores import execute, rows

# The schema of the first release, which knew no schema_version table.
LEGACY = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY, ts REAL NOT NULL, kind TEXT NOT NULL,
    query TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL DEFAULT '', entry_id TEXT, score REAL,
    candidates TEXT NOT NULL DEFAULT '[]', asker TEXT
);
CREATE INDEX events_ts ON events (ts);
CREATE INDEX events_kind_ts ON events (kind, ts);
INSERT INTO events (ts, kind, query) VALUES (1700000000, 'refuse', 'from the old release');
PRAGMA user_version = 1;
"""


def versions(store: Location) -> list[tuple[int, str]]:
    return [(r["version"], r["name"]) for r in rows(store, "schema_version")]


def test_a_new_store_gets_every_migration_once(store: Location) -> None:
    with EventLog.connect(store) as log:
        assert [m.version for m in log.applied] == [m.version for m in MIGRATIONS]
    with EventLog.connect(store) as log:
        assert log.applied == ()
    assert versions(store) == [(m.version, m.name) for m in MIGRATIONS]
    assert SCHEMA_VERSION == MIGRATIONS[-1].version == len(MIGRATIONS)


def test_a_sqlite_database_of_the_first_release_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.executescript(LEGACY)
    with EventLog.open(path, salt="s") as log:
        assert [m.version for m in log.applied] == [m.version for m in MIGRATIONS]
        log.record_reply(reply("from the new one"))
        assert [e.query for e in log.events()] == ["from the old release", "from the new one"]
        assert log.set_lang(1, "zh")


def test_a_failed_migration_is_rolled_back_whole_and_reported_in_one_line(
    store: Location, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with EventLog.connect(store):
        pass
    broken = Migration(
        SCHEMA_VERSION + 1, "broken", ("CREATE TABLE half_done (x INTEGER)", "NOT SQL AT ALL")
    )
    monkeypatch.setattr(schema_module, "MIGRATIONS", (*MIGRATIONS, broken))
    with pytest.raises(EventLogError) as raised:
        EventLog.connect(store)
    assert "cannot open the event store" in str(raised.value)
    assert "\n" not in str(raised.value)
    with caplog.at_level(logging.ERROR):
        log = EventLog.open(store, salt="s")  # the bot: goes on, keeping events in memory
        assert not log.record_reply(reply("kept in memory"))
        assert log.buffered == 1
        log.close()
    assert "unavailable" in caplog.text and "Traceback" not in caplog.text
    with pytest.raises(Exception, match="half_done"):
        rows(store, "half_done")
    assert versions(store) == [(m.version, m.name) for m in MIGRATIONS]


def test_a_database_behind_gets_only_the_missing_migrations(store: Location) -> None:
    with EventLog.connect(store):
        pass
    execute(store, f"DELETE FROM schema_version WHERE version = {SCHEMA_VERSION}")
    with EventLog.connect(store) as log:
        assert [m.version for m in log.applied] == [SCHEMA_VERSION]


def test_a_newer_schema_is_used_with_a_warning(
    store: Location, caplog: pytest.LogCaptureFixture
) -> None:
    with EventLog.connect(store):
        pass
    execute(
        store,
        "INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'from the future', 0)",
    )
    with caplog.at_level(logging.WARNING), EventLog.connect(store, salt="s") as log:
        assert log.record_reply(reply("q"))
    assert f"schema 99 is newer than this bot's ({SCHEMA_VERSION})" in caplog.text


# --- expo-bot db upgrade --------------------------------------------------------------------------


@pytest.fixture
def db_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env
    return monkeypatch


def test_db_upgrade_applies_then_reports_up_to_date(
    store: Location, db_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db_env.setenv("EXPO_BOT_DB", getattr(store, "url", str(store)))
    assert cli.main(["db", "upgrade"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first == [
        *(f"applied migration {m.version}: {m.name}" for m in MIGRATIONS),
        f"event store {store}: upgraded to schema version {SCHEMA_VERSION}",
    ]
    assert cli.main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == (
        f"event store {store}: up to date at schema version {SCHEMA_VERSION}\n"
    )


def test_db_upgrade_without_a_server_is_one_line(
    db_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_env.setenv("EXPO_BOT_DB", f"postgresql://postgres:secret-pw@/postgres?host={tmp_path}")
    assert cli.main(["db", "upgrade"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("expo-bot db upgrade: cannot open the event store")
    assert captured.err.count("\n") == 1
    assert "secret-pw" not in captured.err and "postgres:***@" in captured.err
