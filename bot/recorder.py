"""Recording events without holding up replies, and remembering recent questions for taps.

`Recorder` writes to the `EventLog` on one worker thread, after the reply has gone, so a slow or
broken database never delays or breaks a reply. `AskedQuestions` keeps the last few thousand
questions under short random refs that fit in a button's data, so a tap on "did you mean" or
👍/👎 can be recorded with the question it answers.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.config import Settings
from bot.events import MAX_CANDIDATES, MAX_QUERY_CHARS, EventLog, EventLogError
from bot.matcher import Candidate
from bot.replies import Reply

_LOGGER = logging.getLogger(__name__)

# Questions remembered for taps on their buttons (a few hundred bytes each). A tap on an older
# message still works; it is recorded without the question.
ASKED_MEMORY = 4096
REF_BYTES = 6  # random bytes of a question's ref: 8 characters of callback_data
MAX_PENDING_WRITES = 1000  # events waiting for a slow database; more are dropped, with a warning

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
    """Writes events to the EventLog on its own thread, after the reply; never raises or blocks.

    Writes wait in a queue that one worker thread drains in order (SQLite takes one writer at a
    time anyway), woken once per batch rather than once per event. A slow or locked database
    thus holds up neither the event loop nor the default executor that FAQ reloads use. Past
    MAX_PENDING_WRITES waiting writes, new events are dropped with a warning.
    """

    def __init__(self, settings: Settings | None) -> None:
        """Record to `settings.db`, or nowhere if settings is None."""
        self._settings = settings
        self._log: EventLog | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._queue: deque[Callable[[EventLog], object]] = deque()
        self._draining = False
        self.dropped = 0

    @property
    def pending(self) -> int:
        """Writes waiting for the database."""
        return len(self._queue)

    async def open(self) -> None:
        """Open the log; a database that cannot be opened is logged, and retried on each write."""
        if self._settings is None or self._worker is not None:
            return
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="event-log")
        self._log = await self._run(EventLog.from_settings, self._settings)
        _LOGGER.info("Recording questions and feedback in %s", self._settings.db)

    def record(self, write: Callable[[EventLog], object]) -> None:
        """Queue a write and return at once."""
        if self._log is None:
            return
        if len(self._queue) >= MAX_PENDING_WRITES:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                _LOGGER.warning("the event log is slow: %d event(s) dropped", self.dropped)
            return
        self._queue.append(write)
        if not self._draining:
            self._draining = True
            self._run(self._drain).add_done_callback(self._drained)

    def _drain(self) -> None:
        """On the worker thread: write everything queued, oldest first."""
        log = self._log
        while self._queue:
            write = self._queue.popleft()
            if log is not None:
                _write_safely(write, log)

    def _drained(self, _: asyncio.Future[None]) -> None:
        self._draining = False
        if self._queue and self._worker is not None:  # queued after the worker's last look
            self._draining = True
            self._run(self._drain).add_done_callback(self._drained)

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
        """Wait until the writes queued so far are done."""
        if self._worker is not None:
            await self._run(self._drain)

    async def close(self) -> None:
        """Finish the queued writes and close the log."""
        worker, log = self._worker, self._log
        if worker is None:
            return
        await self._run(self._drain)
        self._log = None
        if log is not None:
            await self._run(log.close)
        self._worker = None
        worker.shutdown(wait=False)  # nothing is left to wait for

    def _run(self, func: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        return asyncio.get_running_loop().run_in_executor(self._worker, func, *args)


def _write_safely(write: Callable[[EventLog], object], log: EventLog) -> None:
    try:
        write(log)
    except Exception:  # EventLog never raises; a bug in a write must not either
        _LOGGER.exception("recording an event failed")
