"""Replies in the context of a conversation: a follow-up is read as the question it stands for.

`reply_in_context` asks `bot.followup` what a message means after the last turn, has the
`Responder` reply to that question with every guard in place, and says so in `Reply.understood`.
`Contexts` keeps each conversation's last turn for a while: in the event store, so that any
instance continues the conversation, and in memory (the console, or while the store is away).
Nothing here knows of Telegram.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.followup import Reading, Turn, read, understood_question
from bot.replies import Reply, Responder, SuggestionKind
from bot.text import Lang, Voice, question_parts, voice_of, written

if TYPE_CHECKING:
    from bot.store import EventLog

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 600.0  # how long a conversation's last turn is remembered
MEMORY_SIZE = 10_000  # conversations remembered at once; the least recent are forgotten


def reply_in_context(
    responder: Responder, message: str, last: Turn | None, session: Voice | None = None
) -> Reply:
    """The reply to a message, read in the light of the conversation's last turn.

    A message the bot answers on its own is answered as it is. Otherwise, a follow-up (那观众呢,
    它们…, 其中…, 收费吗, "and what time?") is answered as the question it stands for, with every
    guard in place; a fragment, a pronoun or bare question words always are, even when the
    message alone would match something (中科院呢 alone is the CAS pavilion). A message typed in
    pinyin is read as the Chinese it spells, and one of several questions part by part.
    """
    hanzi = responder.matcher.transcribe(message)
    if hanzi is not None:  # pinyin is Chinese: read in context as the Chinese it stands for
        voice = responder.pinyin_voice(session)  # and in the conversation's script: 有多少觀眾
        reply = reply_in_context(responder, written(hanzi, voice.variant), last, voice)
        return replace(reply, query=message, understood=reply.understood or hanzi)
    reply = _one_question(responder, message, last, session)
    if reply.matched or reply.kind in ("empty", "out_of_scope"):
        return reply
    return _several_questions(responder, message, last, session) or reply


def _several_questions(
    responder: Responder, message: str, last: Turn | None, session: Voice | None
) -> Reply | None:
    """A message of several questions (有多少所高校参展,又有多少个省市代表团?), each part read
    after the one before, as a conversation would: the parts answered, each with its source,
    and the closest questions to the rest. None when it is one question or no part is answered.
    """
    texts = question_parts(message)
    if len(texts) < 2:
        return None
    parts: list[Reply] = []
    answered: set[str | None] = set()
    turn = last
    for text in texts:
        reply = _part(responder, text, turn, session, alone=bool(answered))
        turn = turn_of(responder, reply) or turn
        if reply.matched and reply.entry_id in answered:
            continue  # a part the answer before already gives (在哪个馆, 都展了些什么)
        parts.append(replace(reply, understood=reply.understood or text))
        if reply.matched:
            answered.add(reply.entry_id)
    if not answered:
        return None
    top = next(p for p in parts if p.matched)
    rest = [p for p in parts if not p.matched]
    if not rest:
        return replace(top, query=message, parts=tuple(parts))
    # The parts not answered: offered, as "did you mean" would, but never an entry answered.
    offered = {s.id: s for r in rest for s in r.suggestions if s.id not in answered}
    kind: SuggestionKind = "closest" if offered else "none"
    return replace(
        top,
        query=message,
        parts=tuple(parts),
        suggestions=tuple(offered.values())[:3],
        suggestion_kind=kind,
    )


def _part(
    responder: Responder, text: str, last: Turn | None, session: Voice | None, *, alone: bool
) -> Reply:
    """The reply to one part of a message: it follows on from the part before (来了多少人? after
    观众最多的是哪一天 is about that day, never the total), unless `alone` (a part before it was
    answered) and it names the entry that answers it (有多少观众? after 有多少展商?). After a part
    the briefing does not answer, a later one is most likely a detail of it (多少平方米? after
    华为的展位有多大), never a question of its own."""
    if alone:
        own = responder.reply(text, session)
        if own.matched and own.candidates and own.candidates[0].anchored:
            return own
    return _one_question(responder, text, last, session)


def _one_question(
    responder: Responder, message: str, last: Turn | None, session: Voice | None
) -> Reply:
    """The reply to a message of one question, alone or as a follow-up of the last turn."""
    reading: Reading | None = read(message, last, responder.knowledge.scope.names)
    if reading is not None and last is not None and reading.style in ("pick", "else", "role"):
        return _from_the_last_reply(responder, reading, message, last, session)
    alone = responder.reply(message, session)
    if reading is None or alone.kind in ("empty", "out_of_scope") or voice_of(message) is None:
        return (
            # Nothing to read into 🎉 or 42, and 去年呢 is about another fair whatever came before.
            alone
        )
    if reading.alone is not None and alone.matched:
        return alone
    voice = alone.voice  # a follow-up in Traditional is answered in Traditional, though rebuilt
    if reading.style == "speaker" and last is not None and last.entry_id:
        said = responder.said_by(last.entry_id, voice, message)
        return replace(said, understood=reading.question) if said else alone
    readings = [(q, responder.reply_in(q, voice)) for q in reading.questions]
    answered = next((r for r in readings if r[1].matched), None)
    if answered is None and not reading.decides:
        # The message names something of its own (what is the weather tomorrow?): only an
        # answer in context would beat reading it alone, never a partial reply in context.
        return alone
    # Each reading passed every guard on its own; an answer beats an honest partial reply,
    # which beats the likeliest reading's refusal.
    question, reply = answered or next((r for r in readings if r[1].kind == "partial"), readings[0])
    return replace(reply, query=message, understood=question)


def _from_the_last_reply(
    responder: Responder, reading: Reading, message: str, last: Turn, session: Voice | None
) -> Reply:
    """A message about the last reply itself: a pick from its list, "who else", or the title of
    whom it names."""
    if reading.style == "else":
        return _besides(responder, reading.question, message, last, session)
    if reading.style == "role":
        voice = responder.voice(message, session)
        titled = responder.roles(last.entry_id or "", voice, message)
        return titled or responder.reply(message, session)
    chosen = _picked(responder, reading.entry or "", message, last, session)
    return chosen or responder.reply(message, session)


def _besides(
    responder: Responder, question: str, message: str, last: Turn, session: Voice | None
) -> Reply:
    """The reply to "who else" / "what else": the question less its "else" answered by another
    entry than the last (谁参观了展会 after who opened the fair); by the same one, the briefing
    names no one and nothing else, and the reply says so with that topic's source."""
    voice = responder.voice(message, session)
    reply = responder.reply_in(question, voice)
    if reply.matched and reply.entry_id != last.entry_id:
        return replace(reply, query=message, understood=question)
    if reply.matched and last.entry_id:
        said = responder.nothing_else(last.entry_id, voice, message)
        if said is not None:
            return said
    return responder.reply(message, session)


def _picked(
    responder: Responder, entry_id: str, message: str, last: Turn, session: Voice | None
) -> Reply | None:
    """The answer of the entry a message picked from the last reply's list (第二个, "2"), in the
    message's language or else the conversation's; None if the entry is gone since a reload."""
    voice = voice_of(message) or session or Voice(last.lang)
    chosen = responder.reply_for_entry(entry_id, voice.lang, variant=voice.variant)
    return replace(chosen, query=message, understood=chosen.query) if chosen else None


def turn_of(responder: Responder, reply: Reply) -> Turn | None:
    """What the next message may follow up on; None after a reply to nothing (empty input)."""
    if reply.kind == "empty":
        return None
    offered = tuple(s.id for s in reply.suggestions)  # what 第二个 or "2" may pick next
    if reply.parts:  # several questions: the next message follows on from the last answered
        reply = reply.answered[-1]
    entry = reply.entry_id if reply.kind in ("answer", "partial") else None
    question = understood_question(reply.understood) or reply.query
    if entry is None:
        return Turn(question, None, (), reply.lang, offered=offered)
    topics, asked = responder.topics(entry), responder.asked(entry)
    return Turn(question, entry, topics, reply.lang, asked, offered)


class Memory:
    """The last turn of each conversation, kept `seconds` (0: not at all), thread-safe."""

    def __init__(
        self,
        seconds: float = DEFAULT_SECONDS,
        size: int = MEMORY_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.seconds = seconds
        self._size = size
        self._clock = clock
        self._turns: OrderedDict[str, tuple[float, Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[float, Turn] | None:
        """The conversation's last turn and when it was kept (`clock` time), if not expired."""
        with self._lock:
            kept = self._turns.get(key)
            if kept is None:
                return None
            if self._clock() - kept[0] > self.seconds:
                del self._turns[key]
                return None
            return kept

    def put(self, key: str, turn: Turn) -> None:
        """Remember turn as the conversation's last."""
        with self._lock:
            self._turns.pop(key, None)
            self._turns[key] = (self._clock(), turn)
            while len(self._turns) > self._size:
                self._turns.popitem(last=False)


def turn_json(turn: Turn, at: float) -> str:
    """A turn as stored: its topics are the entry's, read again from the FAQ when loaded."""
    return json.dumps(
        {
            "q": turn.question,
            "entry": turn.entry_id,
            "lang": turn.lang,
            "asked": list(turn.asked),
            "offered": list(turn.offered),
            "at": at,
        },
        ensure_ascii=False,
    )


def turn_from_json(text: str, topics: Callable[[str], tuple[str, ...]]) -> tuple[float, Turn]:
    """A stored turn and when it was kept; ValueError if it is not one."""
    data = json.loads(text)
    entry = data.get("entry")
    lang: Lang = "en" if data.get("lang") == "en" else "zh"
    entry_id = str(entry) if entry else None
    words = topics(entry_id) if entry_id else ()
    asked = tuple(str(q) for q in data.get("asked") or ())
    offered = tuple(str(e) for e in data.get("offered") or ())
    return float(data["at"]), Turn(str(data["q"]), entry_id, words, lang, asked, offered)


class Contexts:
    """Each conversation's last turn, kept `seconds` (0: not at all).

    With a store that can keep them (a salt is set), turns are written there too, so another
    instance behind the same load balancer continues the conversation; the newer of the store's
    and this instance's memory wins, so a turn taken while the store was away still counts.
    Writes and reads of the store block: the Telegram bot calls these off its event loop.
    """

    def __init__(
        self,
        seconds: float,
        topics: Callable[[str], tuple[str, ...]],
        store: EventLog | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.seconds = seconds
        self._topics = topics
        self._store = store if store is not None and store.keeps_contexts else None
        self._memory = Memory(seconds, clock=clock)
        self._clock = clock

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def last(self, key: str, store: EventLog | None = None) -> Turn | None:
        """The conversation's last turn, if it is recent enough: the newer of what this
        instance remembers and what the store (this one's, or `store`) holds."""
        if not self.enabled:
            return None
        mine = self._memory.get(key)
        shared = self._stored(key, store or self._store)
        newest = max((k for k in (mine, shared) if k), key=lambda k: k[0], default=None)
        return newest[1] if newest else None

    def keep(self, key: str, turn: Turn | None) -> None:
        """Make turn the conversation's last, here and in the store; None (the reply to an
        empty message, 🎉) leaves the conversation as it was."""
        self.remember(key, turn)
        if self._store is not None:
            self.save(key, turn, self._store)

    def remember(self, key: str, turn: Turn | None) -> None:
        """Make turn the last in this instance's memory only."""
        if self.enabled and turn is not None:
            self._memory.put(key, turn)

    def save(self, key: str, turn: Turn | None, store: EventLog) -> None:
        """Write turn to the store only (the Telegram bot does so after the reply has gone)."""
        if self.enabled and turn is not None and store.keeps_contexts:
            store.save_context(key, turn_json(turn, self._clock()), self.seconds)

    def _stored(self, key: str, store: EventLog | None) -> tuple[float, Turn] | None:
        if store is None or not store.keeps_contexts:
            return None
        from bot.store import EventLogError

        try:
            text = store.context_of(key, self.seconds)
            return turn_from_json(text, self._topics) if text else None
        except EventLogError:
            return None  # the store is away: this instance's memory carries on
        except (ValueError, KeyError, TypeError):
            log.warning("a stored conversation context could not be read; starting afresh")
            return None
