"""What the event store holds, as plain values: events, their counts, and keyed asker hashes.

Everything here is pure: the rows to write (`NewEvent`, `LangChoice`) and the ones read back
(`Event`, `Stats`), the JSON of a reply's candidates, and `Hasher`, which turns a Telegram user id
into a keyed hash so that no id is ever stored. Nothing here does I/O or knows about Telegram.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from bot.matching.decision import Candidate
    from bot.replies import Reply

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

MAX_CANDIDATES: Final = 5  # the best candidates kept per event
MAX_QUERY_CHARS: Final = 1000  # longer questions are cut; Telegram allows 4096


class EventLogError(Exception):
    """The event store could not be read, or could not be reached."""


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
    understood: str = ""  # the question a follow-up was read as, or ""


@dataclass(frozen=True)
class NewEvent:
    """An event about to be written: a row of the events table, minus its id."""

    ts: float  # Unix time, s
    kind: str
    query: str
    lang: str
    entry_id: str | None
    score: float | None
    candidates: str  # JSON
    asker: str | None
    understood: str = ""

    @classmethod
    def of(
        cls,
        at: datetime,
        kind: str,
        *,
        query: str,
        lang: str,
        entry_id: str | None = None,
        score: float | None = None,
        candidates: Sequence[Candidate] = (),
        asker: str | None = None,
        understood: str = "",
    ) -> NewEvent:
        """The row for one event, its text made storable everywhere."""
        return cls(
            ts=at.timestamp(),
            kind=kind,
            query=storable(query)[:MAX_QUERY_CHARS],
            lang=storable(lang),
            entry_id=None if entry_id is None else storable(entry_id),
            score=None if score is None else float(score),
            candidates=candidates_json(candidates),
            asker=asker,
            understood=storable(understood)[:MAX_QUERY_CHARS],
        )

    def row(self) -> tuple[object, ...]:
        """The values in the order of `INSERT_EVENT`."""
        return (
            self.ts,
            self.kind,
            self.query,
            self.lang,
            self.entry_id,
            self.score,
            self.candidates,
            self.asker,
            self.understood,
        )

    @classmethod
    def of_reply(cls, at: datetime, reply: Reply, asker: str | None) -> NewEvent:
        """A reply to a typed question: 'answered', or its kind (refuse, ambiguous, …)."""
        return cls.of(
            at,
            "answered" if reply.kind == "answer" else str(reply.kind),
            query=reply.query,
            lang=reply.lang,
            entry_id=reply.entry_id,
            score=float(reply.score),
            candidates=reply.candidates,
            asker=asker,
            understood=reply.understood,
        )


@dataclass(frozen=True)
class LangChoice:
    """A user's /lang choice, under the keyed hash of their id."""

    user_key: str
    lang: str
    ts: float  # when it was made: a later choice wins, whichever instance writes first

    def row(self) -> tuple[object, ...]:
        return (self.user_key, self.lang, self.ts)


@dataclass(frozen=True)
class IgnoreMark:
    """A question the editors set aside: the briefing does not cover it, so the review stops
    listing it."""

    question: str  # normalised: the key the review groups by
    query: str  # as the editor saw it asked
    at: datetime  # when it was ignored, UTC
    editor: str | None  # keyed hash of the admin who did; None from the command line

    def row(self) -> tuple[object, ...]:
        """The values in the order of `INSERT_IGNORED`."""
        return (storable(self.question), storable(self.query), self.at.timestamp(), self.editor)

    @classmethod
    def of_row(cls, row: Sequence[Any]) -> IgnoreMark:
        question, query, ts, editor = row
        at = datetime.fromtimestamp(float(ts), UTC)
        return cls(str(question), str(query), at, None if editor is None else str(editor))


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

    @classmethod
    def of_counts(
        cls,
        since: datetime | None,
        counts: dict[str, int],
        *,
        askers: int,
        top_entries: tuple[tuple[str, int], ...],
    ) -> Stats:
        """The stats from the number of events of each kind."""
        return cls(
            since=since,
            served=sum(counts.get(k, 0) for k in SERVED_KINDS),
            answered=counts.get("answered", 0),
            ambiguous=counts.get("ambiguous", 0),
            refused=counts.get("refuse", 0),
            out_of_scope=counts.get("out_of_scope", 0),
            suggestion_taps=counts.get("suggestion_tap", 0),
            thumbs_up=counts.get("thumbs_up", 0),
            thumbs_down=counts.get("thumbs_down", 0),
            askers=askers,
            top_entries=top_entries,
        )

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


class Hasher:
    """Keyed hashes of user ids: the same id gives the same hash under one salt, and without the
    salt the id cannot be recovered or tested. No salt, no hash: nothing is kept of the user."""

    def __init__(self, salt: str) -> None:
        self._key = hashlib.blake2b(salt.encode(), digest_size=32).digest() if salt else b""

    def __bool__(self) -> bool:
        return bool(self._key)

    def asker(self, user: object) -> str | None:
        """The hash stored with events, for counting distinct askers."""
        return self._digest(user, b"expo-bot-asker")

    def lang_key(self, user: object) -> str | None:
        """The key of a /lang choice: another personalisation, so it matches no asker hash."""
        return self._digest(user, b"expo-bot-lang")

    def context_key(self, chat: object) -> str | None:
        """The key of a conversation's context: the chat, or the chat and user in groups."""
        return self._digest(chat, b"expo-bot-chat")

    def editor(self, user: object) -> str | None:
        """Who made an ignore mark: a personalisation of its own, matching no other hash."""
        return self._digest(user, b"expo-bot-editor")

    def _digest(self, user: object, person: bytes) -> str | None:
        if user is None or not self._key:
            return None
        digest = hashlib.blake2b(str(user).encode(), key=self._key, digest_size=16, person=person)
        return digest.hexdigest()


def storable(text: object) -> str:
    """text as both stores accept it: PostgreSQL rejects NUL characters in text."""
    return str(text).replace("\x00", "\ufffd")


def candidates_json(candidates: Sequence[Candidate]) -> str:
    """The best candidates with all their scores, `entry_id` stored as "id"."""
    best = []
    for candidate in candidates[:MAX_CANDIDATES]:
        data = {name: getattr(candidate, name) for name in _field_names(candidate)}
        best.append({"id": storable(data.pop("entry_id")), **data})
    return json.dumps(best, ensure_ascii=False)


def _field_names(candidate: Candidate) -> tuple[str, ...]:
    # Not dataclasses.asdict: its deep copy cost five times the rest of recording an event, and
    # a candidate's fields are all plain numbers and strings.
    kind = type(candidate)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(candidate))
    return names


_FIELDS: dict[type, tuple[str, ...]] = {}


def parse_candidates(text: str) -> tuple[ScoredEntry, ...]:
    try:
        data = json.loads(text)
        return tuple(ScoredEntry(str(c["id"]), float(c["score"])) for c in data)
    except (ValueError, TypeError, KeyError):
        return ()


def event_of(row: Sequence[Any]) -> Event:
    """An Event from a row of `SELECT_EVENTS`."""
    id_, ts, kind, query, lang, entry_id, score, candidates, asker, understood = row
    return Event(
        id=int(id_),
        at=datetime.fromtimestamp(float(ts), UTC),
        kind=str(kind),
        query=str(query),
        lang=str(lang),
        entry_id=None if entry_id is None else str(entry_id),
        score=None if score is None else float(score),
        candidates=parse_candidates(str(candidates)),
        asker=None if asker is None else str(asker),
        understood=str(understood or ""),
    )
