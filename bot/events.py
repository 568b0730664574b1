"""What the bot heard: questions it could not answer, suggestion taps and 👍/👎, in SQLite.

`EventLog` appends one row per event to an embedded database (stdlib `sqlite3`, WAL mode), so the
bot and the CLI can use it at the same time and it survives restarts. Every row holds the time, the
question and its language, the matcher's best candidates with their scores (JSON), and the entry
concerned. No Telegram user id or name is stored: an asker is kept only as a keyed hash (with
`Settings.salt`) for counting distinct askers, and not at all when no salt is configured.

Writing never raises: a failure is logged and the reply goes out regardless. Reading (`stats`,
`events`) raises `EventLogError`. Nothing here knows about Telegram.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.matcher import Candidate
    from bot.replies import Reply
    from bot.text import Lang

log = logging.getLogger(__name__)

EventKind = Literal[
    "answered",
    "refuse",
    "ambiguous",
    "out_of_scope",
    "empty",
    "suggestion_tap",
    "thumbs_up",
    "thumbs_down",
]

#: Replies to a typed question; "empty" (nothing to match, e.g. "hi") is stored but not counted.
SERVED_KINDS: Final = ("answered", "refuse", "ambiguous", "out_of_scope")
#: Questions the bot did not answer outright: what an editor reviews.
UNANSWERED_KINDS: Final = ("refuse", "ambiguous", "out_of_scope")

SCHEMA_VERSION: Final = 1
MAX_CANDIDATES: Final = 5  # the best candidates kept per event
MAX_QUERY_CHARS: Final = 1000  # longer questions are cut; Telegram allows 4096
DEFAULT_BUSY_TIMEOUT_MS: Final = 2000

_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS events (
        id         INTEGER PRIMARY KEY,
        ts         REAL    NOT NULL,              -- Unix time, s: datetime(ts, 'unixepoch')
        kind       TEXT    NOT NULL,              -- see EventKind
        query      TEXT    NOT NULL DEFAULT '',   -- the question as typed
        lang       TEXT    NOT NULL DEFAULT '',   -- zh or en
        entry_id   TEXT,                          -- entry answered, tapped or rated, or NULL
        score      REAL,                          -- the reply's score, for replies
        candidates TEXT    NOT NULL DEFAULT '[]', -- JSON [{"id", "score", ...}], best first
        asker      TEXT                           -- keyed hash of the asker, never a user id
    )""",
    "CREATE INDEX IF NOT EXISTS events_ts ON events (ts)",
    "CREATE INDEX IF NOT EXISTS events_kind_ts ON events (kind, ts)",
)

_INSERT = (
    "INSERT INTO events (ts, kind, query, lang, entry_id, score, candidates, asker)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_COLUMNS = "id, ts, kind, query, lang, entry_id, score, candidates, asker"

_Row = tuple[float, str, str, str, str | None, float | None, str, str | None]


class EventLogError(Exception):
    """The event database could not be read."""


@dataclass(frozen=True)
class ScoredEntry:
    """One of the matcher's candidates as stored with an event."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class Event:
    """One stored row."""

    id: int
    at: datetime  # timezone-aware, UTC
    kind: str
    query: str
    lang: str
    entry_id: str | None
    score: float | None
    candidates: tuple[ScoredEntry, ...]
    asker: str | None  # the keyed hash, or None


@dataclass(frozen=True)
class Stats:
    """Counts over a time window, for /stats and the review header."""

    since: datetime | None
    served: int  # questions replied to: answered, ambiguous, refused and out of scope
    answered: int
    ambiguous: int
    refused: int
    out_of_scope: int
    suggestion_taps: int
    thumbs_up: int
    thumbs_down: int
    askers: int  # distinct hashed askers; 0 when no salt is configured
    top_entries: tuple[tuple[str, int], ...]  # (entry id, answers incl. taps), most first

    @classmethod
    def empty(cls, since: datetime | None = None) -> Stats:
        """No events at all."""
        return cls(since, 0, 0, 0, 0, 0, 0, 0, 0, 0, ())

    @property
    def answered_share(self) -> float:
        """Answered questions as a share of questions served, 0.0 when none were served."""
        return self.answered / self.served if self.served else 0.0

    @property
    def refusals(self) -> int:
        """Questions refused, whether not covered or out of scope."""
        return self.refused + self.out_of_scope

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "served": self.served,
            "answered": self.answered,
            "answered_share": round(self.answered_share, 4),
            "ambiguous": self.ambiguous,
            "refused": self.refused,
            "out_of_scope": self.out_of_scope,
            "refusals": self.refusals,
            "suggestion_taps": self.suggestion_taps,
            "thumbs_up": self.thumbs_up,
            "thumbs_down": self.thumbs_down,
            "askers": self.askers,
            "top_entries": [{"id": i, "count": n} for i, n in self.top_entries],
        }


def _utcnow() -> datetime:
    return datetime.now(UTC)


class EventLog:
    """An append-only log of events in one SQLite file; safe across threads and processes.

    Each write is one short autocommit transaction; `busy_timeout` covers another process
    holding the write lock for a moment. If the database cannot be opened, every write retries,
    so a fixed permission or a freed disk starts the log again without a restart.
    """

    def __init__(
        self,
        path: Path,
        *,
        salt: str = "",
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        """Prefer `EventLog.open`, which also connects at once and reports problems early."""
        self.path = Path(path)
        self._key = hashlib.blake2b(salt.encode(), digest_size=32).digest() if salt else b""
        self._busy_timeout_ms = busy_timeout_ms
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._failures = 0
        self._closed = False
        self._warned_salt = False

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        salt: str = "",
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        clock: Callable[[], datetime] = _utcnow,
    ) -> EventLog:
        """Open (creating it and its directory if need be) the database at path; never raises.

        Without a salt, askers are not recorded at all, so distinct askers cannot be counted.
        """
        event_log = cls(Path(path), salt=salt, busy_timeout_ms=busy_timeout_ms, clock=clock)
        with event_log._lock:
            try:
                event_log._connection()
            except Exception as exc:
                event_log._write_failed(exc)
        return event_log

    @classmethod
    def from_settings(cls, settings: Settings) -> EventLog:
        """The log at `settings.db`, hashing askers with `settings.salt`."""
        return cls.open(settings.db, salt=settings.salt)

    def close(self) -> None:
        """Close the database; later writes are ignored with a warning."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    conn.close()
                except sqlite3.Error:
                    log.exception("closing the event database %s failed", self.path)

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing: never raises ------------------------------------------------------------------

    def record_reply(self, reply: Reply, asker: int | str | None = None) -> bool:
        """Record a reply to a typed question: 'answered', or its kind (refuse, ambiguous, …).

        Returns whether the event was stored. Record a tapped suggestion with
        `record_suggestion_tap`, not with the answer it produced, or it is counted twice.
        """
        return self._record(
            lambda: (
                "answered" if reply.kind == "answer" else str(reply.kind),
                reply.query,
                reply.lang,
                reply.entry_id,
                float(reply.score),
                reply.candidates,
                asker,
            )
        )

    def record_suggestion_tap(
        self,
        query: str,
        lang: Lang,
        entry_id: str,
        asker: int | str | None = None,
        *,
        candidates: Sequence[Candidate] = (),
    ) -> bool:
        """Record a tap on a suggestion offered for query, choosing entry_id."""
        return self._record(
            lambda: ("suggestion_tap", query, lang, entry_id, None, candidates, asker)
        )

    def record_feedback(
        self,
        entry_id: str,
        lang: Lang,
        query: str,
        up: bool,
        asker: int | str | None = None,
        *,
        candidates: Sequence[Candidate] = (),
    ) -> bool:
        """Record a 👍 (up) or 👎 on the answer of entry_id given to query."""
        kind = "thumbs_up" if up else "thumbs_down"
        return self._record(lambda: (kind, query, lang, entry_id, None, candidates, asker))

    def _record(
        self,
        fields: Callable[
            [], tuple[str, str, str, str | None, float | None, Sequence[Candidate], object]
        ],
    ) -> bool:
        with self._lock:
            if self._closed:
                log.warning("event log %s is closed; event dropped", self.path)
                return False
            try:
                kind, query, lang, entry_id, score, candidates, asker = fields()
                row: _Row = (
                    self._clock().timestamp(),
                    kind,
                    str(query)[:MAX_QUERY_CHARS],
                    str(lang),
                    entry_id,
                    score,
                    _candidates_json(candidates),
                    self._hash(asker),
                )
                self._connection().execute(_INSERT, row)
            except Exception as exc:
                self._write_failed(exc)
                return False
            if self._failures:
                log.info("event log %s writable again after %d failures", self.path, self._failures)
                self._failures = 0
            return True

    def _write_failed(self, exc: Exception) -> None:
        self._failures += 1
        if self._failures == 1:
            log.error("cannot write the event log %s: %s", self.path, exc, exc_info=exc)
        elif self._failures <= 10 or self._failures % 100 == 0:  # do not flood the log
            log.error(
                "cannot write the event log %s (failure %d): %s", self.path, self._failures, exc
            )
        # Start afresh on the next write: the problem may be gone by then.
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _hash(self, asker: object) -> str | None:
        if asker is None:
            return None
        if not self._key:
            if not self._warned_salt:
                self._warned_salt = True
                log.warning("EXPO_BOT_SALT is not set: askers are neither recorded nor counted")
            return None
        digest = hashlib.blake2b(
            str(asker).encode(), key=self._key, digest_size=16, person=b"expo-bot-asker"
        )
        return digest.hexdigest()

    # --- reading ----------------------------------------------------------------------------------

    def events(
        self, since: datetime | None = None, kinds: Iterable[str] | None = None
    ) -> list[Event]:
        """Events at or after since (naive times are local), oldest first, optionally by kind."""
        where, params = _where(since, kinds)
        rows = self._query(f"SELECT {_COLUMNS} FROM events{where} ORDER BY ts, id", params)
        return [_event(row) for row in rows]

    def stats(self, since: datetime | None = None, top: int = 10) -> Stats:
        """Counts of events at or after since (all time if None), with the top entries."""
        where, params = _where(since, None)
        counts = dict(
            self._query(f"SELECT kind, COUNT(*) FROM events{where} GROUP BY kind", params)
        )
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
        return Stats(
            since=since,
            served=sum(int(counts.get(k, 0)) for k in SERVED_KINDS),
            answered=int(counts.get("answered", 0)),
            ambiguous=int(counts.get("ambiguous", 0)),
            refused=int(counts.get("refuse", 0)),
            out_of_scope=int(counts.get("out_of_scope", 0)),
            suggestion_taps=int(counts.get("suggestion_tap", 0)),
            thumbs_up=int(counts.get("thumbs_up", 0)),
            thumbs_down=int(counts.get("thumbs_down", 0)),
            askers=int(askers[0][0]) if askers else 0,
            top_entries=tuple((str(entry), int(n)) for entry, n in top_rows),
        )

    def _query(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._closed:
                raise EventLogError(f"event log {self.path} is closed")
            try:
                return self._connection().execute(sql, params).fetchall()
            except (sqlite3.Error, OSError) as exc:
                raise EventLogError(f"cannot read the event log {self.path}: {exc}") from exc

    # --- connection -------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """The open connection, connecting and creating the schema first if need be."""
        if self._conn is not None:
            return self._conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout_ms / 1000,
            isolation_level=None,  # autocommit: every statement is its own short transaction
            check_same_thread=False,  # guarded by self._lock
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            _prepare(conn, self._busy_timeout_ms)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn


def _prepare(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Switch to WAL and create the schema, taking the write lock only when there is work."""
    (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    if str(mode).lower() != "wal":
        _switch_to_wal(conn, busy_timeout_ms)
    conn.execute("PRAGMA synchronous = NORMAL")  # durable across crashes of the process in WAL
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version >= SCHEMA_VERSION:
        if version > SCHEMA_VERSION:
            log.warning(
                "event database schema %d is newer than this bot's (%d)", version, SCHEMA_VERSION
            )
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Not executescript: it would commit first and run outside this transaction.
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


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


def _candidates_json(candidates: Sequence[Candidate]) -> str:
    """The best candidates with all their scores, `entry_id` stored as "id"."""
    best = []
    for candidate in candidates[:MAX_CANDIDATES]:
        data = dataclasses.asdict(candidate)
        best.append({"id": data.pop("entry_id"), **data})
    return json.dumps(best, ensure_ascii=False)


def _parse_candidates(text: str) -> tuple[ScoredEntry, ...]:
    try:
        data = json.loads(text)
        return tuple(ScoredEntry(str(c["id"]), float(c["score"])) for c in data)
    except (ValueError, TypeError, KeyError):
        return ()


def _event(row: tuple[Any, ...]) -> Event:
    id_, ts, kind, query, lang, entry_id, score, candidates, asker = row
    return Event(
        id=int(id_),
        at=datetime.fromtimestamp(float(ts), UTC),
        kind=str(kind),
        query=str(query),
        lang=str(lang),
        entry_id=None if entry_id is None else str(entry_id),
        score=None if score is None else float(score),
        candidates=_parse_candidates(str(candidates)),
        asker=None if asker is None else str(asker),
    )


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
        clauses.append(f"kind IN ({', '.join('?' * len(wanted))})" if wanted else "0")
        params.extend(wanted)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)
