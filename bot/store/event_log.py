"""`EventLog`: the one interface to the event store, whichever database holds it.

It records events (replies, suggestion taps, 👍/👎) and /lang choices, and reads them back for the
review, /stats and every instance's choice of language. Every write goes through an
`OutageBuffer` first and leaves it once it is in the database, so while the database is away
(stopped, unreachable, locked) writes wait in memory and go out together when it is back. During
an outage the database is tried only every `retry_seconds`, so writes in between do not wait on it
(callers keep even the attempts off the event loop: see `bot.recorder`).

Writing never raises: a failure is logged in one line, the event waits, and the reply goes out
regardless. Reading raises `EventLogError`. Nothing here knows about Telegram.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar

from bot.store import schema
from bot.store.backend import SQLITE, Backend, Cursor
from bot.store.buffer import DEFAULT_SIZE, OutageBuffer, Written
from bot.store.location import Location, PostgresUrl, parse_location
from bot.store.model import (
    Event,
    EventLogError,
    Hasher,
    IgnoreMark,
    LangChoice,
    NewEvent,
    Stats,
    event_of,
    storable,
)
from bot.store.sqlite import DEFAULT_BUSY_TIMEOUT_MS, SqliteBackend

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.matching.decision import Candidate
    from bot.replies import Reply
    from bot.text import Lang

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_SECONDS: Final = 2.0  # between attempts to reach a database that is away
_QUIET_AFTER: Final = 10  # failures logged one by one; after that every 100th

INSERT_EVENT: Final = (
    "INSERT INTO events (ts, kind, query, lang, entry_id, score, candidates, asker, understood)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A choice written late (after an outage) must not undo a later one made elsewhere meanwhile.
UPSERT_LANG: Final = (
    "INSERT INTO lang_choices (user_key, lang, ts) VALUES (?, ?, ?)"
    " ON CONFLICT (user_key) DO UPDATE SET lang = excluded.lang, ts = excluded.ts"
    " WHERE excluded.ts >= lang_choices.ts"
)
SELECT_LANG: Final = "SELECT lang FROM lang_choices WHERE user_key = ?"
SELECT_EVENTS: Final = (
    "SELECT id, ts, kind, query, lang, entry_id, score, candidates, asker, understood FROM events"
)
UPSERT_CONTEXT: Final = (
    "INSERT INTO contexts (chat_key, turn, ts) VALUES (?, ?, ?)"
    " ON CONFLICT (chat_key) DO UPDATE SET turn = excluded.turn, ts = excluded.ts"
)
SELECT_CONTEXT: Final = "SELECT turn FROM contexts WHERE chat_key = ? AND ts >= ?"
DELETE_CONTEXT: Final = "DELETE FROM contexts WHERE chat_key = ?"
DELETE_EXPIRED_CONTEXTS: Final = "DELETE FROM contexts WHERE ts < ?"
SWEEP_SECONDS: Final = 60.0  # expired contexts are deleted at most this often
# An earlier mark of the same question stands: it says since when it has been ignored.
INSERT_IGNORED: Final = (
    "INSERT INTO ignored (question, query, ts, editor) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (question) DO NOTHING"
)
SELECT_IGNORED: Final = "SELECT question, query, ts, editor FROM ignored ORDER BY ts, question"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class EventLog:
    """The event store: append-only events and /lang choices; safe across threads and processes.

    Prefer `EventLog.open` (the bot: never raises) or `EventLog.connect` (commands: raises).
    """

    def __init__(
        self,
        backend: Backend,
        *,
        salt: str = "",
        clock: Callable[[], datetime] = _utcnow,
        retry_seconds: float = RETRY_SECONDS,
        buffer_size: int = DEFAULT_SIZE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.where = backend.where
        self.retry_seconds = retry_seconds
        self.applied: tuple[schema.Migration, ...] = ()  # migrations this log applied
        self._backend = backend
        self._hasher = Hasher(salt)
        self._clock = clock
        self._monotonic = monotonic
        self._buffer = OutageBuffer(buffer_size)
        self._lock = threading.Lock()  # one user of the backend at a time
        self._ready = False  # connected, and the schema is up to date
        self._retry_at = 0.0  # no attempt before this (monotonic time)
        self._failures = 0  # attempts failed since the database was last reached
        self._reason = ""  # why the last attempt failed
        self._batches = 0
        self._closed = False
        self._warned_salt = False
        self._warned_full = False
        self._swept_at = 0.0  # when expired contexts were last deleted (monotonic time)

    @classmethod
    def open(
        cls,
        location: Location | str,
        *,
        salt: str = "",
        clock: Callable[[], datetime] = _utcnow,
        retry_seconds: float = RETRY_SECONDS,
        buffer_size: int = DEFAULT_SIZE,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> EventLog:
        """The store at location, connected and migrated if it can be; never raises.

        A SQLite file (and its directory) is created if need be. If the database cannot be
        reached, that is logged in one line and writes wait in memory until it can. Without a
        salt, askers are not recorded at all, so distinct askers cannot be counted.
        """
        try:
            backend = _backend(location, busy_timeout_ms)
        except EventLogError as exc:
            backend = _Unusable(str(parse_location(location)), exc)
        event_log = cls(
            backend,
            salt=salt,
            clock=clock,
            retry_seconds=retry_seconds,
            buffer_size=buffer_size,
            monotonic=monotonic,
        )
        with event_log._lock:
            try:
                event_log._ensure_ready()
            except Exception as exc:
                event_log._failed(exc)
        return event_log

    @classmethod
    def connect(
        cls,
        location: Location | str,
        *,
        salt: str = "",
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> EventLog:
        """The store at location, connected and migrated; EventLogError (one line) if it cannot
        be, for commands that have nothing to do without it."""
        backend = _backend(location, busy_timeout_ms)
        event_log = cls(backend, salt=salt)
        try:
            with event_log._lock:
                event_log._ensure_ready()
        except Exception as exc:
            event_log.close()
            raise EventLogError(
                f"cannot open the event store {backend.where}: {backend.describe(exc)}"
            ) from None
        return event_log

    @classmethod
    def from_settings(cls, settings: Settings) -> EventLog:
        """The store at `settings.db`, hashing askers with `settings.salt`."""
        return cls.open(settings.db, salt=settings.salt)

    def close(self) -> None:
        """Write what waits in memory if the database can be reached, then close; later writes
        are dropped with a warning."""
        with self._lock:
            if self._closed:
                return
            if self._buffer:
                self._retry_at = 0.0  # one last attempt, whenever the last one was
                self._flush()
            if self._buffer:
                lost = self._buffer.empty()
                log.error(
                    "event store %s still unavailable at shutdown: %s lost",
                    self.where,
                    _count(lost),
                )
            self._closed = True
            try:
                self._backend.close()
            except Exception as exc:
                log.warning("closing the event store %s: %s", self.where, self._describe(exc))

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def buffered(self) -> int:
        """Events and /lang choices waiting in memory for the database.

        Read without the lock, so the event loop never waits on a write in progress: a snapshot.
        """
        return len(self._buffer)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Writes made in the block reach the database together, in one transaction, at its end
        (many events for the price of one commit)."""
        with self._lock:
            self._batches += 1
        try:
            yield
        finally:
            with self._lock:
                self._batches -= 1
                if not self._batches and not self._closed:
                    self._flush()

    # --- writing: never raises --------------------------------------------------------------------

    def record_reply(self, reply: Reply, asker: int | str | None = None) -> bool:
        """Record a reply to a typed question: 'answered', or its kind (refuse, ambiguous, …).

        Returns whether the event is stored, or taken into the open `batch`: False if it waits
        for the database, or was dropped. Record a tapped suggestion with
        `record_suggestion_tap`, not with the answer it produced, or it is counted twice.
        """
        return self._record(lambda at: NewEvent.of_reply(at, reply, self._asker(asker)))

    def record_suggestion_tap(
        self,
        *,
        query: str,
        lang: Lang,
        entry_id: str,
        asker: int | str | None = None,
        candidates: Sequence[Candidate] = (),
    ) -> bool:
        """Record a tap on a suggestion offered for query, choosing entry_id."""
        return self._record_on_entry(
            "suggestion_tap", entry_id, query=query, lang=lang, asker=asker, candidates=candidates
        )

    def record_feedback(
        self,
        *,
        entry_id: str,
        lang: Lang,
        query: str,
        up: bool,
        asker: int | str | None = None,
        candidates: Sequence[Candidate] = (),
    ) -> bool:
        """Record a 👍 (up) or 👎 on the answer of entry_id given to query."""
        kind = "thumbs_up" if up else "thumbs_down"
        return self._record_on_entry(
            kind, entry_id, query=query, lang=lang, asker=asker, candidates=candidates
        )

    def _record_on_entry(
        self,
        kind: str,
        entry_id: str,
        *,
        query: str,
        lang: Lang,
        asker: int | str | None,
        candidates: Sequence[Candidate],
    ) -> bool:
        """An event about one entry, chosen or rated by a user, for a question asked earlier."""
        return self._record(
            lambda at: NewEvent.of(
                at,
                kind,
                query=query,
                lang=lang,
                entry_id=entry_id,
                candidates=candidates,
                asker=self._asker(asker),
            )
        )

    def set_lang(self, user: int | str, lang: Lang) -> bool:
        """Keep user's /lang choice, for every instance; False if it waits, or without a salt."""
        key = self._hasher.lang_key(user)
        if key is None:
            self._warn_no_salt()
            return False
        with self._lock:
            if self._closed:
                return False
            if not self._buffer.choose(LangChoice(key, str(lang), self._clock().timestamp())):
                self._note_full()
                return False
            return self._written()

    def save_context(self, chat: object, turn: str | None, keep_seconds: float) -> bool:
        """Keep a conversation's last turn (JSON; None forgets it) for every instance, and delete
        contexts older than keep_seconds; False without a salt or while the database is away.

        Not buffered like events: a context is worth only as long as the conversation, so during
        an outage the caller keeps it in memory instead.
        """
        key = self._hasher.context_key(chat)
        if key is None:
            return False
        now = self._clock().timestamp()
        with self._lock:
            if self._closed or self._monotonic() < self._retry_at:
                return False
            sql = self._backend.dialect.sql
            try:
                self._ensure_ready()
                with self._backend.transaction() as cursor:
                    if turn is None:
                        cursor.execute(sql(DELETE_CONTEXT), (key,))
                    else:
                        cursor.execute(sql(UPSERT_CONTEXT), (key, storable(turn), now))
                    if self._monotonic() - self._swept_at >= SWEEP_SECONDS:
                        cursor.execute(sql(DELETE_EXPIRED_CONTEXTS), (now - keep_seconds,))
                        self._swept_at = self._monotonic()
            except Exception as exc:
                self._failed(exc)
                return False
        return True

    def context_of(self, chat: object, keep_seconds: float) -> str | None:
        """A conversation's last turn (JSON), unless older than keep_seconds; None if none (or no
        salt). EventLogError if the database cannot be reached."""
        key = self._hasher.context_key(chat)
        if key is None:
            return None
        since = self._clock().timestamp() - keep_seconds
        rows = self._query(SELECT_CONTEXT, (key, since))
        return str(rows[0][0]) if rows else None

    @property
    def keeps_contexts(self) -> bool:
        """Whether contexts can be kept here at all: they are keyed by a salted hash."""
        return bool(self._hasher)

    # --- the editors' ignore marks: written at once, and raising ---------------------------------

    def ignore(self, questions: Mapping[str, str], *, editor: int | str | None = None) -> datetime:
        """Mark normalised questions (each with the text the editor saw) as ignored by the
        review; a question marked before keeps its mark. When, or EventLogError: an editor is
        told that it did not happen, rather than the mark waiting in memory."""
        at = self._clock()
        who = self._hasher.editor(editor)
        rows = [IgnoreMark(q, query, at, who).row() for q, query in questions.items() if q]
        self._transact(lambda cursor: cursor.executemany(self._sql(INSERT_IGNORED), rows))
        return at

    def unignore(self, questions: Iterable[str]) -> int:
        """Lift the marks of these normalised questions; how many there were (EventLogError)."""
        wanted = sorted(set(questions))
        if not wanted:
            return 0
        marks = ", ".join("?" * len(wanted))
        sql = self._sql(f"DELETE FROM ignored WHERE question IN ({marks})")

        def delete(cursor: Cursor) -> int:
            cursor.execute(sql, wanted)
            return max(cursor.rowcount, 0)

        return self._transact(delete)

    def _transact(self, write: Callable[[Cursor], T]) -> T:
        with self._lock:
            if self._closed:
                raise EventLogError(f"the event store {self.where} is closed")
            try:
                self._ensure_ready()
                with self._backend.transaction() as cursor:
                    return write(cursor)
            except Exception as exc:
                self._failed(exc)
                raise EventLogError(
                    f"cannot write to the event store {self.where}: {self._reason}"
                ) from None

    def _sql(self, statement: str) -> str:
        return self._backend.dialect.sql(statement)

    def _record(self, make: Callable[[datetime], NewEvent]) -> bool:
        with self._lock:
            if self._closed:
                log.warning("event store %s is closed; event dropped", self.where)
                return False
            try:
                event = make(self._clock())
            except Exception:  # a bug in what was handed over: never let it reach the reply
                log.exception("an event could not be recorded")
                return False
            if self._buffer.full and not self._batches:
                self._flush()  # the database may be back: make room before turning event away
            if not self._buffer.add(event):
                self._note_full()
                return False
            return self._written()

    def _written(self) -> bool:
        """After a write entered the buffer: in an open batch it stays there until the end."""
        return True if self._batches else self._flush()

    def _flush(self) -> bool:
        """Write everything buffered in one transaction, unless the database is resting after a
        failure; whether the buffer is empty now."""
        if not self._buffer:
            return True
        if self._monotonic() < self._retry_at:
            return False
        try:
            self._ensure_ready()
            with self._backend.transaction() as cursor:
                self._write(cursor)
        except Exception as exc:
            self._failed(exc)
            return False
        self._recovered(self._buffer.empty())
        return True

    def _write(self, cursor: Cursor) -> None:
        sql = self._backend.dialect.sql
        if self._buffer.langs:
            cursor.executemany(sql(UPSERT_LANG), [c.row() for c in self._buffer.langs.values()])
        if self._buffer.events:
            cursor.executemany(sql(INSERT_EVENT), [e.row() for e in self._buffer.events])

    def _ensure_ready(self) -> None:
        if not self._ready:
            self.applied += schema.upgrade(self._backend)
            self._ready = True

    def _failed(self, exc: Exception) -> None:
        """Log a failed attempt (one line; a traceback only for what is not a database error),
        and rest the database until the next retry."""
        self._failures += 1
        self._ready = False  # after a reconnection, check the schema again
        self._retry_at = self._monotonic() + self.retry_seconds
        self._reason = self._describe(exc)
        expected = isinstance(exc, (*self._backend.errors, EventLogError, OSError))
        trace = None if expected else exc
        if self._failures == 1:
            log.error(
                "event store %s unavailable: %s; events wait in memory (up to %d) until it is back",
                self.where,
                self._reason,
                self._buffer.size,
                exc_info=trace,
            )
        elif self._failures <= _QUIET_AFTER or self._failures % 100 == 0:
            log.error(
                "event store %s still unavailable (attempt %d): %s",
                self.where,
                self._failures,
                self._reason,
                exc_info=trace,
            )
        try:
            self._backend.reset()
        except Exception as reset_exc:
            log.warning("resetting the event store %s: %s", self.where, self._describe(reset_exc))

    def _recovered(self, written: Written) -> None:
        """The one line that closes an outage, with what was dropped meanwhile."""
        if self._failures or written.dropped:
            dropped = (
                f"; {written.dropped} dropped because the buffer was full"
                if written.dropped
                else ""
            )
            level = logging.WARNING if written.dropped else logging.INFO
            log.log(
                level,
                "event store %s is back after %d failed attempt(s): %s written from memory%s",
                self.where,
                self._failures,
                _count(written),
                dropped,
            )
        self._failures = 0
        self._warned_full = False

    def _note_full(self) -> None:
        if not self._warned_full:
            self._warned_full = True
            log.warning(
                "event store %s: %d writes wait in memory, the most kept; newer ones are dropped "
                "(and counted) until it is back",
                self.where,
                self._buffer.size,
            )

    def _asker(self, asker: object) -> str | None:
        if asker is not None and not self._hasher:
            self._warn_no_salt()
        return self._hasher.asker(asker)

    def _warn_no_salt(self) -> None:
        if not self._warned_salt:
            self._warned_salt = True
            log.warning(
                "EXPO_BOT_SALT is not set: askers are neither recorded nor counted, and /lang "
                "choices are kept by this instance only"
            )

    def _describe(self, exc: BaseException) -> str:
        return self._backend.describe(exc)

    # --- reading ----------------------------------------------------------------------------------

    def lang_of(self, user: int | str) -> Lang | None:
        """user's /lang choice, made on any instance; None if none (or no salt)."""
        key = self._hasher.lang_key(user)
        if key is None:
            return None
        with self._lock:
            waiting = self._buffer.lang_of(key)
        rows = [(waiting,)] if waiting else self._query(SELECT_LANG, (key,))
        lang = str(rows[0][0]) if rows else None
        return "zh" if lang == "zh" else "en" if lang == "en" else None

    def events(
        self, since: datetime | None = None, kinds: Iterable[str] | None = None
    ) -> list[Event]:
        """Events at or after since (naive times are local), oldest first, optionally by kind."""
        where, params = _where(since, kinds)
        rows = self._query(f"{SELECT_EVENTS}{where} ORDER BY ts, id", params)
        return [event_of(row) for row in rows]

    def ignored(self) -> list[IgnoreMark]:
        """Every ignore mark, the oldest first."""
        return [IgnoreMark.of_row(row) for row in self._query(SELECT_IGNORED, ())]

    def stats(self, since: datetime | None = None, top: int = 10) -> Stats:
        """Counts of events at or after since (all time if None), with the top entries."""
        where, params = _where(since, None)
        counts = self._query(f"SELECT kind, COUNT(*) FROM events{where} GROUP BY kind", params)
        where_askers, params_askers = _where(since, None, "asker IS NOT NULL")
        askers = self._query(
            f"SELECT COUNT(DISTINCT asker) FROM events{where_askers}", params_askers
        )
        where_top, params_top = _where(
            since, ("answered", "suggestion_tap"), "entry_id IS NOT NULL"
        )
        top_rows = self._query(
            f"SELECT entry_id, COUNT(*) AS n FROM events{where_top}"
            " GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
            (*params_top, max(top, 0)),
        )
        return Stats.of_counts(
            since,
            {str(kind): int(n) for kind, n in counts},
            askers=int(askers[0][0]) if askers else 0,
            top_entries=tuple((str(entry), int(n)) for entry, n in top_rows),
        )

    def _query(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """One read, after the writes waiting in memory (so it sees them); EventLogError if the
        database cannot be reached."""
        with self._lock:
            if self._closed:
                raise EventLogError(f"the event store {self.where} is closed")
            if self._monotonic() < self._retry_at or not self._flush():
                self._unavailable()  # resting after a failure, or the waiting writes failed
            try:
                self._ensure_ready()
                return self._backend.query(self._backend.dialect.sql(sql), params)
            except Exception as exc:
                self._failed(exc)
                self._unavailable()

    def _unavailable(self) -> NoReturn:
        raise EventLogError(f"cannot read the event store {self.where}: {self._reason}")


def _count(written: Written) -> str:
    langs = f" and {written.langs} /lang choice(s)" if written.langs else ""
    return f"{written.events} event(s){langs}"


def _backend(location: Location | str, busy_timeout_ms: int) -> Backend:
    """The backend for location; EventLogError for a PostgreSQL URL that does not parse."""
    where = parse_location(location)
    if isinstance(where, PostgresUrl):
        from bot.store.postgres import PostgresBackend  # psycopg only for those who use it

        return PostgresBackend(where)
    return SqliteBackend(Path(where), busy_timeout_ms=busy_timeout_ms)


class _Unusable:
    """The backend of a store that can never be reached (a malformed URL): every use fails with
    the reason, so the bot keeps answering and says why nothing is recorded."""

    dialect = SQLITE  # never used: nothing gets as far as SQL
    errors: tuple[type[Exception], ...] = (EventLogError,)

    def __init__(self, where: str, error: EventLogError) -> None:
        self.where = where
        self._error = error

    def transaction(self) -> AbstractContextManager[Cursor]:
        raise self._error

    def query(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        raise self._error

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass

    def describe(self, exc: BaseException) -> str:
        return str(exc)


def _where(
    since: datetime | None, kinds: Iterable[str] | None, *extra: str
) -> tuple[str, tuple[object, ...]]:
    clauses = list(extra)
    params: list[object] = []
    if since is not None:
        clauses.append("ts >= ?")
        params.append(since.timestamp())
    if kinds is not None:
        wanted = list(kinds)
        clauses.append(f"kind IN ({', '.join('?' * len(wanted))})" if wanted else "1 = 0")
        params.extend(wanted)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)
