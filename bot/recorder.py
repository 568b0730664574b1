"""Recording events without holding up replies, and remembering recent questions for taps.

`Recorder` writes to the `EventLog` on one worker thread, after the reply has gone, so a slow or
broken database never delays or breaks a reply; it also keeps each user's /lang choice there.
`AskedQuestions` keeps the last few thousand questions under short random refs that fit in a
button's data, so a tap on "did you mean" or 👍/👎 can be recorded with the question it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.config import Settings
from bot.matching.decision import Candidate
from bot.replies import Reply
from bot.store import MAX_CANDIDATES, MAX_QUERY_CHARS, EventLog, EventLogError
from bot.text import Lang

_LOGGER = logging.getLogger(__name__)

# Questions remembered for taps on their buttons (a few hundred bytes each). A tap on an older
# message still works; it is recorded without the question.
ASKED_MEMORY = 4096
REF_BYTES = 6  # random bytes of a question's ref: 8 characters of callback_data
MAX_PENDING_WRITES = 1000  # events waiting for a slow database; more are dropped, with a warning
LANGS_MEMORY = 4096  # /lang choices this instance took, remembered for when the store is away
LANG_WAIT_SECONDS = 0.5  # how long a reply may wait for the store to say which language
MAX_PENDING_CONTEXTS = 10_000  # conversations whose last turn waits to be written; oldest go

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class Lru(Generic[K, V]):
    """A mapping that forgets its least recently used items beyond `size`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        """The value for key, now the most recently used; None if forgotten."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Store value, forgetting the least recently used item if over size."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


@dataclass(frozen=True)
class Asked:
    """A question whose buttons record what was tapped, kept for those taps."""

    query: str
    candidates: tuple[Candidate, ...]


class AskedQuestions:
    """The questions asked lately, each under a short random ref that fits in callback_data.

    Random, not counted, so that several instances behind a load balancer never mistake each
    other's refs: a tap that reaches another instance, or comes after a restart, finds nothing.
    """

    def __init__(self, size: int = ASKED_MEMORY) -> None:
        self._recent: Lru[str, Asked] = Lru(size)

    def __len__(self) -> int:
        return len(self._recent)

    def remember(self, reply: Reply) -> str:
        """A new ref for the question reply answers."""
        ref = secrets.token_urlsafe(REF_BYTES)
        asked = Asked(reply.query[:MAX_QUERY_CHARS], reply.candidates[:MAX_CANDIDATES])
        self._recent.put(ref, asked)
        return ref

    def get(self, ref: str) -> Asked | None:
        """The question ref names, or None if there is none or it has been forgotten."""
        return self._recent.get(ref) if ref else None


class Recorder:
    """The event store for the bot's event loop: writes after the reply on the store's own thread,
    and the /lang choice of every user; never raises or blocks a reply.

    Writes wait in a queue that one worker thread drains in order, all that is queued at once in
    one transaction (`EventLog.batch`), woken once per batch rather than once per event. A slow or
    locked database thus holds up neither the event loop nor the default executor that FAQ
    reloads use. Past MAX_PENDING_WRITES waiting writes, new events are dropped with a warning.
    While the database is away, the EventLog keeps what it could not write, and this retries it
    every `EventLog.retry_seconds` until it is written, new events or not.

    /lang choices are read from the store, so a choice made through one instance holds on all;
    this instance also remembers the choices it took, and falls back on them when the store has
    none or does not answer within LANG_WAIT_SECONDS.
    """

    def __init__(self, settings: Settings | None) -> None:
        """Record to `settings.db`, or nowhere if settings is None."""
        self._settings = settings
        self._log: EventLog | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._queue: deque[Callable[[EventLog], object]] = deque()
        # Only a conversation's latest turn is worth writing: one pending write per conversation,
        # kept apart from the events so that they never crowd each other out.
        self._contexts: OrderedDict[str, Callable[[EventLog], object]] = OrderedDict()
        self._reader: ThreadPoolExecutor | None = None
        self._draining = False
        self._retry: asyncio.TimerHandle | None = None
        self._langs: Lru[int, Lang] = Lru(LANGS_MEMORY)
        self.dropped = 0

    @property
    def pending(self) -> int:
        """Writes waiting for the worker thread."""
        return len(self._queue)

    @property
    def buffered(self) -> int:
        """Writes waiting in memory for the database to come back."""
        return self._log.buffered if self._log is not None else 0

    async def open(self) -> None:
        """Open the store; one that cannot be reached is logged, and retried until it can be."""
        if self._settings is None or self._worker is not None:
            return
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="event-log")
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="event-log-read")
        self._log = await self._run(EventLog.from_settings, self._settings)
        _LOGGER.info("Recording questions and feedback in %s", self._settings.db)
        self._retry_later()

    def record(self, write: Callable[[EventLog], object]) -> None:
        """Queue a write and return at once."""
        if self._log is None:
            return
        if len(self._queue) >= MAX_PENDING_WRITES:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                _LOGGER.warning("the event store is slow: %d event(s) dropped", self.dropped)
            return
        self._queue.append(write)
        self._wake()

    def keep_context(self, conversation: str, write: Callable[[EventLog], object]) -> None:
        """Queue a conversation's latest turn for the store, replacing one still waiting."""
        if self._log is None:
            return
        self._contexts.pop(conversation, None)
        self._contexts[conversation] = write
        while len(self._contexts) > MAX_PENDING_CONTEXTS:
            self._contexts.popitem(last=False)
        self._wake()

    async def read_soon(self, query: Callable[[EventLog], T], fallback: Callable[[], T]) -> T:
        """query on the store if it answers within LANG_WAIT_SECONDS, else (or with no store)
        fallback(). Unlike `read_or`, it waits for no queued write: a slow database must not
        hold up every reply behind the writes of the ones before."""
        log, reader = self._log, self._reader
        if log is None or reader is None:
            return fallback()
        future = asyncio.get_running_loop().run_in_executor(reader, query, log)
        try:
            return await asyncio.wait_for(future, LANG_WAIT_SECONDS)
        except (EventLogError, TimeoutError):
            return fallback()

    async def set_lang(self, user: int, lang: Lang) -> None:
        """Remember user's /lang choice here and in the store, waiting a moment for the store
        (so the next update sees it, whichever instance takes it) but never long."""
        self._langs.put(user, lang)
        self.record(lambda log: log.set_lang(user, lang))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), LANG_WAIT_SECONDS)

    async def lang_of(self, user: int) -> Lang | None:
        """user's /lang choice: from the store if it answers in time, else as this instance
        remembers it; None if they never chose."""
        remembered = self._langs.get(user)
        stored = await self.read_or(lambda log: log.lang_of(user), lambda: None)
        return stored or remembered

    async def read_or(self, query: Callable[[EventLog], T], fallback: Callable[[], T]) -> T:
        """query on the store, after the writes queued before it, if it answers within
        LANG_WAIT_SECONDS; else (or with no store) what fallback says."""
        if self._log is None:
            return fallback()
        try:
            return await asyncio.wait_for(self.read(query), LANG_WAIT_SECONDS)
        except (EventLogError, TimeoutError):
            return fallback()

    def _wake(self) -> None:
        if not self._draining and self._worker is not None:
            self._draining = True
            self._run(self._drain).add_done_callback(self._drained)

    def _drain(self) -> None:
        """On the worker thread: write everything queued, oldest first, in one batch."""
        log = self._log
        if log is None:
            self._queue.clear()
            return
        with log.batch():
            while self._queue:
                _write_safely(self._queue.popleft(), log)
        while self._contexts:
            _write_safely(self._contexts.popitem(last=False)[1], log)

    def _drained(self, _: asyncio.Future[None]) -> None:
        self._draining = False
        if self._queue or self._contexts:  # queued after the worker's last look
            self._wake()
        else:
            self._retry_later()

    def _retry_later(self) -> None:
        """While the store holds writes it could not make, try them again after a while."""
        log = self._log
        if log is None or self._retry is not None or not log.buffered:
            return
        self._retry = asyncio.get_running_loop().call_later(log.retry_seconds, self._retry_now)

    def _retry_now(self) -> None:
        self._retry = None
        self._wake()

    async def read(self, query: Callable[[EventLog], T]) -> T:
        """Run query on the log, after every write queued before it; EventLogError if none."""
        log = self._log
        if log is None:
            raise EventLogError("this instance of the bot does not record events")

        def drain_then_query() -> T:
            self._drain()
            return query(log)

        return await self._run(drain_then_query)

    async def flush(self) -> None:
        """Wait until the writes queued so far are done (or waiting in memory for the store)."""
        if self._worker is not None:
            await self._run(self._drain)

    async def close(self) -> None:
        """Finish the queued writes and close the log."""
        worker, log = self._worker, self._log
        if worker is None:
            return
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        await self._run(self._drain)
        self._log = None
        if log is not None:
            await self._run(log.close)
        self._worker = None
        worker.shutdown(wait=False)  # nothing is left to wait for
        if self._reader is not None:
            self._reader.shutdown(wait=False)  # a read stuck on the database is given up
            self._reader = None

    def _run(self, func: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        return asyncio.get_running_loop().run_in_executor(self._worker, func, *args)


def _write_safely(write: Callable[[EventLog], object], log: EventLog) -> None:
    try:
        write(log)
    except Exception:  # EventLog never raises; a bug in a write must not either
        _LOGGER.exception("recording an event failed")
