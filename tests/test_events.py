"""The event store on SQLite and PostgreSQL alike: what is stored, that it lasts, several writers,
/lang choices, outages, and failing quietly. SQLite-only and PostgreSQL-only cases are at the end.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.store import EventLog, EventLogError, Location, PostgresUrl, parse_location
from bot.store.model import Hasher, storable
from tests.factories import reply
from tests.stores import (
    Outage,
    PostgresOutage,
    PostgresServer,
    SqliteOutage,
    StoreKind,
    rows,
)

SALT = "test-salt"
T0 = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


class Clock:
    """A settable clock for `EventLog(clock=...)`."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_stores_time_text_language_candidates_and_entry(store: Location) -> None:
    clock = Clock()
    with EventLog.open(store, salt=SALT, clock=clock) as log:
        log.record_reply(reply("停车场在哪里", "refuse", ("venue", 46.4), ("streaming", 41.8)))
        log.record_reply(reply("how many visitors", "ambiguous", ("visitors", 90), lang="en"))
        log.record_reply(reply("广交会几号开幕", "out_of_scope"))
        log.record_reply(reply("几号闭幕", "answer", ("closing", 91.4), entry_id="closing"))
        log.record_suggestion_tap(query="how many visitors", lang="en", entry_id="visitors")
        log.record_feedback(entry_id="closing", lang="zh", query="几号闭幕", up=True)
        log.record_feedback(entry_id="closing", lang="zh", query="几号闭幕", up=False)
    stored = rows(store)
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


def test_events_read_back(store: Location) -> None:
    with EventLog.open(store, salt=SALT) as log:
        log.record_reply(reply("停车场在哪里", "refuse", ("venue", 46.4)), asker=7)
        (event,) = log.events()
    assert event.kind == "refuse"
    assert event.query == "停车场在哪里"
    assert event.at.tzinfo is not None
    assert event.candidates[0].entry_id == "venue"
    assert event.candidates[0].score == 46.4
    assert event.asker is not None


def test_data_survives_reopening(store: Location) -> None:
    with EventLog.open(store, salt=SALT) as log:
        log.record_reply(reply("停车场在哪里"), asker=1)
        log.record_reply(reply("几号闭幕", "answer", ("closing", 91), entry_id="closing"))
    with EventLog.open(store, salt=SALT) as log:
        log.record_feedback(entry_id="closing", lang="zh", query="几号闭幕", up=False, asker=1)
        stats = log.stats()
        assert [e.kind for e in log.events()] == ["refuse", "answered", "thumbs_down"]
    assert (stats.served, stats.answered, stats.refused, stats.thumbs_down) == (2, 1, 1, 1)
    assert stats.askers == 1  # the same hash across restarts


def test_no_user_id_or_name_is_stored(store: Location) -> None:
    user_id = 987654321
    with EventLog.open(store, salt=SALT) as log:
        log.record_reply(reply("停车场在哪里"), asker=user_id)
        log.record_suggestion_tap(query="停车场在哪里", lang="zh", entry_id="venue", asker=user_id)
        log.record_feedback(
            entry_id="venue", lang="zh", query="停车场在哪里", up=False, asker=user_id
        )
        log.record_reply(reply("门票多少钱"), asker=123)
        assert log.set_lang(user_id, "en")
    events, langs = rows(store), rows(store, "lang_choices")
    dump = repr(events) + repr(langs)
    assert str(user_id) not in dump
    assert not {"user", "user_id", "username", "name", "chat_id"} & set(events[0])
    hashes = [r["asker"] for r in events]
    assert len(set(hashes[:3])) == 1  # one asker, one hash
    assert hashes[3] != hashes[0]
    assert all(len(h) == 32 for h in hashes)
    (lang,) = langs
    assert lang["lang"] == "en" and len(lang["user_key"]) == 32
    assert lang["user_key"] not in hashes  # the choice cannot be joined to the questions


def test_hash_depends_on_the_salt(tmp_path: Path) -> None:
    hashes = []
    for salt in ("one", "two"):
        path = tmp_path / f"{salt}.sqlite3"
        with EventLog.open(path, salt=salt) as log:
            log.record_reply(reply("q"), asker=42)
        hashes.append(rows(path)[0]["asker"])
    assert hashes[0] != hashes[1]


def test_without_salt_askers_and_choices_are_not_recorded(
    store: Location, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), EventLog.open(store) as log:
        assert log.record_reply(reply("停车场在哪里"), asker=42)
        assert not log.set_lang(42, "en")
        assert log.lang_of(42) is None
        assert log.stats().askers == 0
    assert rows(store)[0]["asker"] is None
    assert rows(store, "lang_choices") == []
    assert "EXPO_BOT_SALT" in caplog.text


def test_from_settings(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "deep" / "er" / "bot.sqlite3", salt=SALT)
    with EventLog.from_settings(settings) as log:
        assert log.record_reply(reply("q"), asker=1)
    assert isinstance(settings.db, Path)
    assert rows(settings.db)[0]["asker"] is not None


def test_stats(store: Location) -> None:
    clock = Clock(T0 - timedelta(days=10))
    with EventLog.open(store, salt=SALT, clock=clock) as log:
        log.record_reply(reply("old", "answer", ("a", 90), entry_id="a"), asker=1)
        clock.now = T0
        for asker in (1, 2, 3):
            log.record_reply(reply("q", "answer", ("a", 90), entry_id="a"), asker=asker)
        log.record_reply(reply("q", "answer", ("b", 90), entry_id="b"), asker=4)
        log.record_reply(reply("q", "ambiguous", ("b", 60), ("c", 58)))
        log.record_suggestion_tap(query="q", lang="zh", entry_id="b")
        log.record_suggestion_tap(query="q", lang="zh", entry_id="b")
        log.record_reply(reply("q", "refuse"))
        log.record_reply(reply("广交会", "out_of_scope"))
        log.record_reply(reply("", "empty"))  # stored, but not a question served
        log.record_feedback(entry_id="a", lang="zh", query="q", up=True)
        log.record_feedback(entry_id="a", lang="zh", query="q", up=False)
        log.record_feedback(entry_id="b", lang="zh", query="q", up=False)
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


def test_empty_database_stats(store: Location) -> None:
    with EventLog.open(store, salt=SALT) as log:
        stats = log.stats()
    assert stats.served == 0
    assert stats.answered_share == 0.0
    assert stats.top_entries == ()


def test_since_filter_on_events(store: Location) -> None:
    clock = Clock(T0 - timedelta(hours=30))
    with EventLog.open(store, salt=SALT, clock=clock) as log:
        log.record_reply(reply("old"))
        clock.now = T0
        log.record_reply(reply("new"))
        log.record_reply(reply("answered", "answer", entry_id="a"))
        assert [e.query for e in log.events()] == ["old", "new", "answered"]
        assert [e.query for e in log.events(T0 - timedelta(hours=24))] == ["new", "answered"]
        assert [e.query for e in log.events(kinds=["refuse"])] == ["old", "new"]
        assert log.events(kinds=[]) == []


def test_long_questions_are_cut(store: Location) -> None:
    with EventLog.open(store, salt=SALT) as log:
        log.record_reply(reply("问" * 5000))
    assert len(rows(store)[0]["query"]) == 1000


def test_a_batch_is_written_at_its_end(store: Location) -> None:
    with EventLog.open(store, salt=SALT) as log:
        with log.batch():
            for i in range(3):
                assert log.record_reply(reply(f"q{i}"), asker=i)
            assert rows(store) == []  # nothing before the end of the batch
        assert [r["query"] for r in rows(store)] == ["q0", "q1", "q2"]


def test_closed_log_drops_events(store: Location) -> None:
    log = EventLog.open(store, salt=SALT)
    log.close()
    assert not log.record_reply(reply("late"))
    with pytest.raises(EventLogError):
        log.events()


@pytest.fixture(scope="module")
def hypothesis_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Location:
    """One SQLite file and one PostgreSQL database for every example of the property test."""
    kind: StoreKind = request.param
    if kind == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.new_database("hypothesis")
    return tmp_path_factory.mktemp("hypothesis") / "e.sqlite3"


@pytest.mark.parametrize("hypothesis_store", ["sqlite", "postgresql"], indirect=True)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=st.text(max_size=300), asker=st.one_of(st.none(), st.integers(), st.text()))
def test_any_text_is_stored_as_it_reads(
    hypothesis_store: Location, query: str, asker: int | str | None
) -> None:
    with EventLog.open(hypothesis_store, salt=SALT) as log:
        before = len(log.events())
        assert log.record_reply(reply(query), asker=asker)
        assert log.record_suggestion_tap(query=query, lang="en", entry_id="a", asker=asker)
        stored = [e.query for e in log.events()[before:]]
    assert stored == [storable(query)] * 2
    assert storable(query) == query or "\x00" in query  # only NUL is changed


# --- /lang choices --------------------------------------------------------------------------------


def test_a_lang_choice_holds_for_every_instance(store: Location) -> None:
    one, two = EventLog.open(store, salt=SALT), EventLog.open(store, salt=SALT)
    try:
        assert two.lang_of(7) is None
        assert one.set_lang(7, "en")
        assert two.lang_of(7) == "en"
        assert two.set_lang(7, "zh")
        assert one.lang_of(7) == "zh"
        assert one.lang_of(8) is None
    finally:
        one.close()
        two.close()


def test_a_choice_written_late_does_not_undo_a_later_one(store: Location) -> None:
    early, late = Clock(T0), Clock(T0 + timedelta(minutes=1))
    with (
        EventLog.open(store, salt=SALT, clock=early) as stale,
        EventLog.open(store, salt=SALT, clock=late) as fresh,
    ):
        fresh.set_lang(7, "zh")
        stale.set_lang(7, "en")  # chosen earlier, written after (as after an outage)
        assert fresh.lang_of(7) == stale.lang_of(7) == "zh"


# --- conversation contexts ------------------------------------------------------------------------


def test_a_context_is_shared_by_every_instance_and_keyed_by_a_hash(store: Location) -> None:
    one, two = EventLog.open(store, salt=SALT), EventLog.open(store, salt=SALT)
    try:
        assert two.context_of(-1001234, 600) is None
        assert one.save_context(-1001234, '{"q": "展商多少"}', 600)
        assert two.context_of(-1001234, 600) == '{"q": "展商多少"}'
        assert two.save_context(-1001234, '{"q": "观众多少"}', 600)  # the latest wins
        assert one.context_of(-1001234, 600) == '{"q": "观众多少"}'
        assert one.save_context(-1001234, None, 600)  # forgotten
        assert two.context_of(-1001234, 600) is None
        assert one.context_of(42, 600) is None
    finally:
        one.close()
        two.close()
    assert not one.save_context(5, "{}", 600)  # closed: refused quietly
    assert "1001234" not in json.dumps(rows(store, "contexts"))


def test_a_context_expires_and_expired_ones_are_deleted(store: Location) -> None:
    clock = Clock()
    with EventLog.open(store, salt=SALT, clock=clock) as log:
        assert log.save_context(1, '{"q": "a"}', 600)
        clock.now = T0 + timedelta(minutes=9)
        assert log.context_of(1, 600) == '{"q": "a"}'
        clock.now = T0 + timedelta(minutes=11)
        assert log.context_of(1, 600) is None
        log._swept_at = -1e9  # as if the last sweep was long ago
        assert log.save_context(2, '{"q": "b"}', 600)
    assert [r["turn"] for r in rows(store, "contexts")] == ['{"q": "b"}']


def test_without_salt_no_context_is_kept(store: Location) -> None:
    with EventLog.open(store) as log:
        assert not log.keeps_contexts
        assert not log.save_context(1, "{}", 600)
        assert log.context_of(1, 600) is None
    assert rows(store, "contexts") == []


def test_the_question_a_follow_up_was_read_as_is_recorded(store: Location) -> None:
    from dataclasses import replace

    with EventLog.open(store, salt=SALT) as log:
        log.record_reply(replace(reply("那观众呢?"), understood="本届高交会有多少家观众"))
        log.record_reply(reply("展商多少"))
        assert [e.understood for e in log.events()] == ["本届高交会有多少家观众", ""]


# --- ignore marks ---------------------------------------------------------------------------------


def test_ignore_marks_keep_when_and_a_keyed_hash_of_the_editor(store: Location) -> None:
    clock = Clock(T0)
    with EventLog.open(store, salt=SALT, clock=clock) as log:
        assert log.ignored() == []
        wanted = {"门票多少钱": "门票多少钱?", "车票多少钱": "门票多少钱?"}
        assert log.ignore(wanted, editor=4242) == T0
        clock.now = T0 + timedelta(hours=1)
        log.ignore({"门票多少钱": "门票多少钱啊"})  # marked before: the first mark stands
        marks = log.ignored()
    assert [(m.question, m.query, m.at) for m in marks] == [
        ("车票多少钱", "门票多少钱?", T0),
        ("门票多少钱", "门票多少钱?", T0),
    ]
    editor = marks[0].editor
    assert editor is not None and editor == marks[1].editor
    assert "4242" not in editor and editor != Hasher(SALT).asker(4242)
    stored = rows(store, "ignored")
    assert {str(value) for row in stored for value in row.values()}.isdisjoint({"4242"})


def test_unignore_lifts_marks_and_counts_them(store: Location) -> None:
    with EventLog.open(store, salt=SALT) as log:
        log.ignore({"a": "a?", "b": "b?", "c": "c?"})
        assert log.unignore(["a", "b", "zzz"]) == 2
        assert log.unignore([]) == 0
        assert [m.question for m in log.ignored()] == ["c"]
        assert log.ignore({"a": "a again"})  # and can be ignored again
        assert {m.question: m.query for m in log.ignored()} == {"a": "a again", "c": "c?"}


def test_ignore_marks_without_salt_name_no_editor(tmp_path: Path) -> None:
    with EventLog.open(tmp_path / "events.sqlite3") as log:
        log.ignore({"q": "q?"}, editor=4242)
        assert [m.editor for m in log.ignored()] == [None]


def test_an_ignore_mark_that_cannot_be_written_raises(tmp_path: Path) -> None:
    with EventLog.open(tmp_path, salt=SALT) as log:  # a directory, not a database file
        with pytest.raises(EventLogError, match="cannot write to the event store"):
            log.ignore({"q": "q?"})
        with pytest.raises(EventLogError):
            log.ignored()


# --- outages --------------------------------------------------------------------------------------


@pytest.fixture
def outage(
    store_kind: StoreKind, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Location, Outage]]:
    """A store whose database can be taken away: locked (SQLite) or stopped (PostgreSQL)."""
    if store_kind == "postgresql":
        server: PostgresServer = request.getfixturevalue("own_postgres")
        yield server.new_database("outage"), PostgresOutage(server)
    else:
        path = tmp_path / "events.sqlite3"
        yield path, SqliteOutage(path)


def test_an_outage_keeps_events_in_memory_and_writes_them_when_it_ends(
    outage: tuple[Location, Outage], caplog: pytest.LogCaptureFixture
) -> None:
    store, database = outage
    log = EventLog.open(store, salt=SALT, retry_seconds=0, buffer_size=4, busy_timeout_ms=50)
    try:
        assert log.record_reply(reply("before"), asker=1)
        assert log.set_lang(1, "en")
        database.begin()
        with caplog.at_level(logging.INFO):
            assert not log.record_reply(reply("during 1"), asker=1)
            assert not log.set_lang(1, "zh")  # chosen while the database is away
            assert log.lang_of(1) == "zh"  # ... and it holds here meanwhile
            assert not log.record_reply(reply("during 2"), asker=2)
            assert not log.record_feedback(entry_id="a", lang="zh", query="during 2", up=True)
            for i in range(3):  # the buffer holds 4: these are dropped
                assert not log.record_reply(reply(f"dropped {i}"))
            assert log.buffered == 4
            with pytest.raises(EventLogError, match="cannot read the event store"):
                log.stats()
            database.end()
            assert log.record_reply(reply("after"), asker=3)
        assert log.buffered == 0
        assert log.lang_of(1) == "zh"
    finally:
        log.close()
    assert [r["query"] for r in rows(store)] == [
        "before",
        "during 1",
        "during 2",
        "during 2",
        "after",
    ]
    back = [r for r in caplog.records if "is back after" in r.getMessage()]
    assert len(back) == 1
    assert "3 event(s) and 1 /lang choice(s) written from memory" in back[0].getMessage()
    assert "3 dropped because the buffer was full" in back[0].getMessage()
    assert "Traceback" not in caplog.text


def test_an_outage_rests_the_database_between_attempts(
    outage: tuple[Location, Outage], caplog: pytest.LogCaptureFixture
) -> None:
    store, database = outage
    now = [0.0]
    log = EventLog.open(
        store, salt=SALT, retry_seconds=5, busy_timeout_ms=50, monotonic=lambda: now[0]
    )
    try:
        log.record_reply(reply("before"))
        database.begin()
        with caplog.at_level(logging.ERROR):
            assert not log.record_reply(reply("fails"))
            database.end()
            now[0] = 4.9  # resting: not tried, though the database is back
            assert not log.record_reply(reply("waits"))
            with pytest.raises(EventLogError):
                log.events()
            now[0] = 5.0
            assert log.record_reply(reply("tried again"))
        assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    finally:
        log.close()
    assert [r["query"] for r in rows(store)] == ["before", "fails", "waits", "tried again"]


def test_what_cannot_be_written_by_shutdown_is_counted_as_lost(
    outage: tuple[Location, Outage], caplog: pytest.LogCaptureFixture
) -> None:
    store, database = outage
    log = EventLog.open(store, salt=SALT, retry_seconds=0, busy_timeout_ms=50)
    log.record_reply(reply("kept"))
    database.begin()
    try:
        with caplog.at_level(logging.ERROR):
            log.record_reply(reply("lost"))
            log.close()
    finally:
        database.end()
    assert "still unavailable at shutdown: 1 event(s) lost" in caplog.text
    assert [r["query"] for r in rows(store)] == ["kept"]


# --- several processes at once --------------------------------------------------------------------

WRITES = 300


def _write_many(store: str, tag: str, barrier: Any) -> None:
    """Child process: with the other writer, create the log, then write WRITES events to it."""
    barrier.wait(timeout=30)
    log = EventLog.open(store, salt=SALT)
    failed = 0
    for i in range(WRITES):
        if i % 3 == 0:
            ok = log.record_feedback(
                entry_id="a", lang="en", query=f"{tag} {i}", up=bool(i % 2), asker=tag
            )
        else:
            ok = log.record_reply(reply(f"{tag} {i}", "refuse", ("a", 40.0)), asker=tag)
        failed += not ok
    log.close()
    raise SystemExit(1 if failed else 0)


def test_two_processes_write_at_once(store: Location) -> None:
    target = store.url if isinstance(store, PostgresUrl) else str(store)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(target=_write_many, args=(target, tag, barrier)) for tag in ("bot", "cli")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    with EventLog.open(store, salt=SALT) as log:
        queries = [e.query for e in log.events()]
        assert log.stats().askers == 2
    assert len(queries) == 2 * WRITES
    assert sorted(queries) == sorted(f"{tag} {i}" for tag in ("bot", "cli") for i in range(WRITES))


# --- SQLite only ----------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "var" / "events.sqlite3"


def test_sqlite_creates_directory_and_uses_wal(db: Path) -> None:
    with EventLog.open(db, salt=SALT) as log:
        assert log.record_reply(reply("停车场在哪里"))
    assert db.is_file()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_sqlite_broken_path_is_logged_and_does_not_raise(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    with caplog.at_level(logging.ERROR):
        log = EventLog.open(blocker / "var" / "events.sqlite3", salt=SALT, retry_seconds=0)
        assert not log.record_reply(reply("停车场在哪里"))
        assert not log.record_suggestion_tap(query="q", lang="zh", entry_id="a")
        assert not log.record_feedback(entry_id="a", lang="zh", query="q", up=False)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors
    assert "unavailable" in errors[0].getMessage()
    assert all(r.exc_info is None for r in errors)  # an expected failure: no traceback
    with pytest.raises(EventLogError):
        log.stats()
    log.close()


def test_sqlite_not_a_database_is_logged_and_does_not_raise(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not an SQLite database, not at all" * 100)
    with caplog.at_level(logging.ERROR), EventLog.open(path, salt=SALT) as log:
        assert not log.record_reply(reply("停车场在哪里"))
    assert "unavailable: file is not a database" in caplog.text


def test_sqlite_read_only_database_recovers(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    with EventLog.open(db, salt=SALT) as log:
        log.record_reply(reply("first"))
    log = EventLog.open(db, salt=SALT, retry_seconds=0)
    backend: Any = log._backend
    assert backend._conn is not None
    backend._conn.execute("PRAGMA query_only = ON")  # as if the file had become read-only
    with caplog.at_level(logging.ERROR):
        assert not log.record_reply(reply("second"))
    assert "unavailable" in caplog.text
    assert log.record_reply(reply("third"))  # reconnected, and wrote what waited
    log.close()
    assert [r["query"] for r in rows(db)] == ["first", "second", "third"]


# --- PostgreSQL only ------------------------------------------------------------------------------


def test_postgres_password_never_reaches_a_message(
    postgres_server: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    password = "hunter2-not-for-logs"
    url = postgres_server.admin_url.replace("postgres:@", f"postgres:{password}@")
    missing = PostgresUrl(url.replace("/postgres?", "/no_such_database?"))
    with caplog.at_level(logging.DEBUG):
        log = EventLog.open(missing, salt=SALT)
        assert not log.record_reply(reply("q"))
        with pytest.raises(EventLogError) as raised:
            EventLog.connect(missing)
        log.close()
    assert "no_such_database" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert password not in caplog.text and password not in str(raised.value)
    assert "postgres:***@" in caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("url", ["postgresql://u@h/db?nonsense=1", "postgres://u:pw@[bad/db"])
def test_postgres_bad_url_is_one_line_and_the_log_keeps_going(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(parse_location(url), PostgresUrl)
    with caplog.at_level(logging.ERROR):
        log = EventLog.open(url, salt=SALT)
        assert not log.record_reply(reply("q"))  # waits: the store never comes
        log.close()
    with pytest.raises(EventLogError, match="not a valid PostgreSQL URL") as raised:
        EventLog.connect(url)
    assert "\n" not in str(raised.value) and ":pw@" not in str(raised.value)
    assert "not a valid PostgreSQL URL" in caplog.text and ":pw@" not in caplog.text


def test_a_postgres_url_is_not_taken_for_a_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert isinstance(parse_location("POSTGRES://u@h/db"), PostgresUrl)
    assert parse_location("var/expo-bot.sqlite3") == Path("var/expo-bot.sqlite3")
    assert isinstance(parse_location("sqlite:///x.db"), Path)  # anything else is a path
    url = f"postgresql://postgres@/postgres?host={tmp_path / 'no-server-here'}"
    with EventLog.open(url, salt=SALT) as log:
        assert not log.record_reply(reply("q"))
    assert list(tmp_path.iterdir()) == []  # no directory called "postgresql:"


def test_postgres_rows_are_the_same_as_sqlites(postgres_url: PostgresUrl, tmp_path: Path) -> None:
    stores: list[Location] = [postgres_url, tmp_path / "e.sqlite3"]
    for store in stores:
        with EventLog.open(store, salt=SALT, clock=Clock()) as log:
            log.record_reply(reply("停车场在哪里", "refuse", ("venue", 46.4)), asker=7)
            log.record_feedback(entry_id="venue", lang="zh", query="q", up=True, asker=7)
            log.set_lang(7, "zh")
    pg, lite = (rows(s) for s in stores)
    assert pg == lite
    assert rows(stores[0], "lang_choices") == rows(stores[1], "lang_choices")
