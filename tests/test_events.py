"""The event log: what is stored, that it lasts, concurrent writers, and failing quietly."""

from __future__ import annotations

import json
import logging
import multiprocessing
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.events import EventLog, EventLogError
from tests.factories import reply

SALT = "test-salt"
T0 = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


class Clock:
    """A settable clock for `EventLog(clock=...)`."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def rows(path: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "var" / "events.sqlite3"


def test_creates_directory_and_uses_wal(db: Path) -> None:
    with EventLog.open(db, salt=SALT) as log:
        assert log.record_reply(reply("停车场在哪里"))
    assert db.is_file()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_stores_time_text_language_candidates_and_entry(db: Path) -> None:
    clock = Clock()
    with EventLog.open(db, salt=SALT, clock=clock) as log:
        log.record_reply(reply("停车场在哪里", "refuse", ("venue", 46.4), ("streaming", 41.8)))
        log.record_reply(reply("how many visitors", "ambiguous", ("visitors", 90), lang="en"))
        log.record_reply(reply("广交会几号开幕", "out_of_scope"))
        log.record_reply(reply("几号闭幕", "answer", ("closing", 91.4), entry_id="closing"))
        log.record_suggestion_tap("how many visitors", "en", "visitors")
        log.record_feedback("closing", "zh", "几号闭幕", up=True)
        log.record_feedback("closing", "zh", "几号闭幕", up=False)
    stored = rows(db)
    assert [r["kind"] for r in stored] == [
        "refuse",
        "ambiguous",
        "out_of_scope",
        "answered",
        "suggestion_tap",
        "thumbs_up",
        "thumbs_down",
    ]
    first = stored[0]
    assert first["ts"] == T0.timestamp()
    assert (first["query"], first["lang"], first["entry_id"]) == ("停车场在哪里", "zh", None)
    cands = json.loads(first["candidates"])
    assert [(c["id"], c["score"]) for c in cands] == [("venue", 46.4), ("streaming", 41.8)]
    assert (stored[3]["entry_id"], stored[3]["score"]) == ("closing", 91.4)
    assert stored[4]["entry_id"] == "visitors"
    assert [r["entry_id"] for r in stored[5:]] == ["closing", "closing"]


def test_events_read_back(db: Path) -> None:
    with EventLog.open(db, salt=SALT) as log:
        log.record_reply(reply("停车场在哪里", "refuse", ("venue", 46.4)), asker=7)
        (event,) = log.events()
    assert event.kind == "refuse"
    assert event.query == "停车场在哪里"
    assert event.at.tzinfo is not None
    assert event.candidates[0].entry_id == "venue"
    assert event.candidates[0].score == 46.4
    assert event.asker is not None


def test_data_survives_reopening(db: Path) -> None:
    with EventLog.open(db, salt=SALT) as log:
        log.record_reply(reply("停车场在哪里"), asker=1)
        log.record_reply(reply("几号闭幕", "answer", ("closing", 91), entry_id="closing"))
    with EventLog.open(db, salt=SALT) as log:
        log.record_feedback("closing", "zh", "几号闭幕", up=False, asker=1)
        stats = log.stats()
        assert [e.kind for e in log.events()] == ["refuse", "answered", "thumbs_down"]
    assert (stats.served, stats.answered, stats.refused, stats.thumbs_down) == (2, 1, 1, 1)
    assert stats.askers == 1  # the same hash across restarts


def test_no_user_id_or_name_is_stored(db: Path) -> None:
    user_id = 987654321
    with EventLog.open(db, salt=SALT) as log:
        log.record_reply(reply("停车场在哪里"), asker=user_id)
        log.record_suggestion_tap("停车场在哪里", "zh", "venue", asker=user_id)
        log.record_feedback("venue", "zh", "停车场在哪里", up=False, asker=user_id)
        log.record_reply(reply("门票多少钱"), asker=123)
    conn = sqlite3.connect(db)
    dump = "\n".join(conn.iterdump())
    columns = [c[1] for c in conn.execute("PRAGMA table_info(events)")]
    conn.close()
    assert str(user_id) not in dump
    assert not {"user", "user_id", "username", "name", "chat_id"} & set(columns)
    hashes = [r["asker"] for r in rows(db)]
    assert len(set(hashes[:3])) == 1  # one asker, one hash
    assert hashes[3] != hashes[0]
    assert all(len(h) == 32 and str(user_id) not in h for h in hashes)


def test_hash_depends_on_the_salt(tmp_path: Path) -> None:
    hashes = []
    for salt in ("one", "two"):
        path = tmp_path / f"{salt}.sqlite3"
        with EventLog.open(path, salt=salt) as log:
            log.record_reply(reply("q"), asker=42)
        hashes.append(rows(path)[0]["asker"])
    assert hashes[0] != hashes[1]


def test_without_salt_askers_are_not_recorded(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), EventLog.open(db) as log:
        assert log.record_reply(reply("停车场在哪里"), asker=42)
        assert log.stats().askers == 0
    assert rows(db)[0]["asker"] is None
    assert "EXPO_BOT_SALT" in caplog.text


def test_from_settings(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "deep" / "er" / "bot.sqlite3", salt=SALT)
    with EventLog.from_settings(settings) as log:
        assert log.record_reply(reply("q"), asker=1)
    assert rows(settings.db)[0]["asker"] is not None


def test_stats(db: Path) -> None:
    clock = Clock(T0 - timedelta(days=10))
    with EventLog.open(db, salt=SALT, clock=clock) as log:
        log.record_reply(reply("old", "answer", ("a", 90), entry_id="a"), asker=1)
        clock.now = T0
        for asker in (1, 2, 3):
            log.record_reply(reply("q", "answer", ("a", 90), entry_id="a"), asker=asker)
        log.record_reply(reply("q", "answer", ("b", 90), entry_id="b"), asker=4)
        log.record_reply(reply("q", "ambiguous", ("b", 60), ("c", 58)))
        log.record_suggestion_tap("q", "zh", "b")
        log.record_suggestion_tap("q", "zh", "b")
        log.record_reply(reply("q", "refuse"))
        log.record_reply(reply("广交会", "out_of_scope"))
        log.record_reply(reply("", "empty"))  # stored, but not a question served
        log.record_feedback("a", "zh", "q", up=True)
        log.record_feedback("a", "zh", "q", up=False)
        log.record_feedback("b", "zh", "q", up=False)
        recent = log.stats(since=T0 - timedelta(days=1))
        everything = log.stats(top=1)
    assert recent.served == 7
    assert (recent.answered, recent.ambiguous, recent.refused, recent.out_of_scope) == (4, 1, 1, 1)
    assert recent.answered_share == pytest.approx(4 / 7)
    assert recent.refusals == 2
    assert (recent.suggestion_taps, recent.thumbs_up, recent.thumbs_down) == (2, 1, 2)
    assert recent.askers == 4
    assert recent.top_entries == (("a", 3), ("b", 3))  # answered plus chosen from suggestions
    assert everything.served == 8
    assert everything.top_entries == (("a", 4),)
    assert everything.to_json()["answered_share"] == pytest.approx(5 / 8, abs=1e-4)


def test_empty_database_stats(db: Path) -> None:
    with EventLog.open(db, salt=SALT) as log:
        stats = log.stats()
    assert stats.served == 0
    assert stats.answered_share == 0.0
    assert stats.top_entries == ()


def test_since_filter_on_events(db: Path) -> None:
    clock = Clock(T0 - timedelta(hours=30))
    with EventLog.open(db, salt=SALT, clock=clock) as log:
        log.record_reply(reply("old"))
        clock.now = T0
        log.record_reply(reply("new"))
        log.record_reply(reply("answered", "answer", entry_id="a"))
        assert [e.query for e in log.events()] == ["old", "new", "answered"]
        assert [e.query for e in log.events(T0 - timedelta(hours=24))] == ["new", "answered"]
        assert [e.query for e in log.events(kinds=["refuse"])] == ["old", "new"]
        assert log.events(kinds=[]) == []


def test_long_questions_are_cut(db: Path) -> None:
    with EventLog.open(db, salt=SALT) as log:
        log.record_reply(reply("问" * 5000))
    assert len(rows(db)[0]["query"]) == 1000


# --- failures are logged, never raised ------------------------------------------------------------


def test_broken_path_is_logged_and_does_not_raise(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    with caplog.at_level(logging.ERROR):
        log = EventLog.open(blocker / "var" / "events.sqlite3", salt=SALT)
        assert not log.record_reply(reply("停车场在哪里"))
        assert not log.record_suggestion_tap("q", "zh", "a")
        assert not log.record_feedback("a", "zh", "q", up=False)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors
    assert "cannot write the event log" in errors[0].getMessage()
    with pytest.raises(EventLogError):
        log.stats()
    log.close()


def test_not_a_database_is_logged_and_does_not_raise(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not an SQLite database, not at all" * 100)
    with caplog.at_level(logging.ERROR), EventLog.open(path, salt=SALT) as log:
        assert not log.record_reply(reply("停车场在哪里"))
    assert "cannot write the event log" in caplog.text


def test_locked_database_is_logged_and_recovers(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = EventLog.open(db, salt=SALT, busy_timeout_ms=50)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holding the write lock for too long
    with caplog.at_level(logging.INFO):
        assert not log.record_reply(reply("lost"))
        other.execute("ROLLBACK")
        other.close()
        assert log.record_reply(reply("kept"))
    log.close()
    assert "cannot write the event log" in caplog.text
    assert "writable again" in caplog.text
    assert [r["query"] for r in rows(db)] == ["kept"]


def test_read_only_database_is_logged_and_does_not_raise(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with EventLog.open(db, salt=SALT) as log:
        log.record_reply(reply("first"))
    log = EventLog.open(db, salt=SALT)
    assert log._conn is not None
    log._conn.execute("PRAGMA query_only = ON")  # as if the file had become read-only
    with caplog.at_level(logging.ERROR):
        assert not log.record_reply(reply("second"))
    assert "cannot write the event log" in caplog.text
    assert log.record_reply(reply("third"))  # reconnected
    log.close()
    assert [r["query"] for r in rows(db)] == ["first", "third"]


def test_closed_log_drops_events(db: Path) -> None:
    log = EventLog.open(db, salt=SALT)
    log.close()
    assert not log.record_reply(reply("late"))
    with pytest.raises(EventLogError):
        log.events()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.text(max_size=300), asker=st.one_of(st.none(), st.integers(), st.text()))
def test_never_raises_on_any_text(query: str, asker: int | str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp, EventLog.open(Path(tmp) / "e.sqlite3") as log:
        stored = log.record_reply(reply(query), asker=asker)
        tapped = log.record_suggestion_tap(query, "en", "a", asker=asker)
        assert stored == tapped
        if stored:
            assert [e.query for e in log.events()] == [query, query]


# --- two processes at once ------------------------------------------------------------------------

WRITES = 300


def _write_many(path: str, tag: str, barrier: Any) -> None:
    """Child process: with the other writer, create the log, then write WRITES events to it."""
    barrier.wait(timeout=30)
    log = EventLog.open(path, salt=SALT)
    failed = 0
    for i in range(WRITES):
        if i % 3 == 0:
            ok = log.record_feedback("a", "en", f"{tag} {i}", up=bool(i % 2), asker=tag)
        else:
            ok = log.record_reply(reply(f"{tag} {i}", "refuse", ("a", 40.0)), asker=tag)
        failed += not ok
    log.close()
    raise SystemExit(1 if failed else 0)


def test_two_processes_write_at_once(db: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(target=_write_many, args=(str(db), tag, barrier)) for tag in ("bot", "cli")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    with EventLog.open(db, salt=SALT) as log:
        queries = [e.query for e in log.events()]
        assert log.stats().askers == 2
    assert len(queries) == 2 * WRITES
    assert sorted(queries) == sorted(f"{tag} {i}" for tag in ("bot", "cli") for i in range(WRITES))
