"""The reply model every front end renders: answer, source with speaker, and suggestions.

`Responder` turns a question (or a chosen entry) into a `Reply`. It knows the FAQ and the matcher
but nothing of Telegram or the console, which only render what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.knowledge import Entry, Knowledge
from bot.matching.decision import Candidate, Decision, Partial
from bot.matching.matcher import Match, Matcher
from bot.text import (
    ENGLISH,
    SIMPLIFIED,
    Lang,
    Script,
    Variant,
    Voice,
    normalise,
    reads_as_question,
    script_neutral,
    voice_of,
    written,
)
from bot.wording import missing_details, say, scope_what

SuggestionKind = Literal["related", "did_you_mean", "closest", "examples", "none"]
#: What a reply is, as `ask --json` reports it.
ReplyKind = Literal["answer", "partial", "did_you_mean", "refuse", "out_of_scope", "empty"]


@dataclass(frozen=True)
class Source:
    """The verbatim passage an answer rests on, and who said it."""

    text: str
    speaker: str
    translation: str | None = None  # a faithful English translation, in English replies


@dataclass(frozen=True)
class Suggestion:
    """An entry offered as a follow-up, shown by its first question in the reply language."""

    id: str
    question: str


@dataclass(frozen=True)
class Reply:
    """What the bot says to one question, in one language."""

    query: str
    lang: Lang
    kind: Decision
    answer: str
    entry_id: str | None = None
    score: float = 0.0
    source: Source | None = None
    suggestions: tuple[Suggestion, ...] = ()
    suggestion_kind: SuggestionKind = "none"
    candidates: tuple[Candidate, ...] = ()
    variant: Variant = "hans"  # the form of Chinese a Chinese reply is written in

    @property
    def voice(self) -> Voice:
        return Voice(self.lang, self.variant)

    @property
    def script(self) -> Script | None:
        """`hans` or `hant` for a Chinese reply; None for an English one."""
        return self.voice.script if self.lang == "zh" else None

    understood: str = ""  # the question a follow-up was read as (那观众呢 → 本届高交会有多少家观众)
    # A message of several questions: the reply to each part, in order, this reply the first
    # part answered (see `bot.conversation`); empty for a message of one question.
    parts: tuple[Reply, ...] = ()

    @property
    def shown_understood(self) -> str:
        """`understood` when it reads as one question, for the asker to see; else "" (the
        rebuilt question still carries the conversation, and the review)."""
        return self.understood if reads_as_question(self.understood) else ""

    @property
    def understood_note(self) -> str:
        """How a follow-up was read, for the user to see, in the reply's script: (观众有多少?)."""
        if not self.shown_understood:
            return ""
        shown = written(self.understood, self.variant) if self.lang == "zh" else self.understood
        return f"({shown.rstrip('?？')}?)"

    @property
    def matched(self) -> bool:
        """Whether this is an answer; a partial reply is not."""
        return self.kind == "answer"

    @property
    def answered(self) -> tuple[Reply, ...]:
        """The answers it gives: each part's of a message of several questions, else itself."""
        if self.parts:
            return tuple(p for p in self.parts if p.matched)
        return (self,) if self.matched else ()

    @property
    def quoted(self) -> bool:
        """Whether the reply quotes an entry's source: answers and partial replies do."""
        return self.kind in ("answer", "partial") and self.source is not None

    @property
    def reply_kind(self) -> ReplyKind:
        return "did_you_mean" if self.kind == "ambiguous" else self.kind

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` / `--jsonl` shape."""
        return {
            "query": self.query,
            "matched": self.matched,
            "kind": self.reply_kind,
            "id": self.entry_id if self.quoted else None,
            "score": self.score,
            "lang": self.lang,
            "script": self.script,
            "answer": self.answer,
            "source": (
                {
                    "text": self.source.text,
                    "speaker": self.source.speaker,
                    "translation": self.source.translation,
                }
                if self.quoted and self.source
                else None
            ),
            "suggestions": [{"id": s.id, "question": s.question} for s in self.suggestions],
            "understood": self.shown_understood or None,
            "answers": [
                {
                    "question": p.shown_understood or p.query,
                    "matched": p.matched,
                    "id": p.entry_id if p.matched else None,
                    "answer": p.answer if p.matched else None,
                    "source": p.to_json()["source"] if p.matched else None,
                }
                for p in self.parts
            ],
        }


class Responder:
    """Answers questions from one FAQ; immutable, so a reload swaps it whole.

    Replies are built in Simplified Chinese or English, as the FAQ is written, and then written
    in the form of Chinese the question used (`Voice`): the answer, the suggested questions and
    the speaker, never the verbatim source quote.
    """

    def __init__(self, knowledge: Knowledge, matcher: Matcher | None = None) -> None:
        self.knowledge = knowledge
        self.matcher = matcher or Matcher(knowledge)
        self._topics = {e.id: _topic_words(e, knowledge.synonyms) for e in knowledge.entries}

    def asked(self, entry_id: str) -> tuple[str, ...]:
        """An entry's own first question in each language: how the FAQ words what it answers."""
        entry = self.knowledge.entry(entry_id)
        if entry is None:
            return ()
        return tuple(qs[0] for qs in (entry.questions.get("zh"), entry.questions.get("en")) if qs)

    def topics(self, entry_id: str) -> tuple[str, ...]:
        """Words that name what an entry is about: its keywords and their synonyms."""
        return self._topics.get(entry_id, ())

    def reply(self, query: str, session: Voice | None = None) -> Reply:
        """The reply to a free-text question, in its language and script.

        `session` is the conversation's voice so far: a question with no language of its own
        (punctuation, an emoji, a bare number) is answered in it.
        """
        hanzi = self.matcher.transcribe(query)
        if hanzi is not None:  # you duoshao zhanshang: Chinese, typed without its characters
            reply = self.reply_in(hanzi, self.pinyin_voice(session))
            return replace(reply, query=query, understood=hanzi)
        return self.reply_in(query, self.voice(query, session))

    @staticmethod
    def pinyin_voice(session: Voice | None) -> Voice:
        """The voice to answer pinyin in: Chinese, in the conversation's script if it has one."""
        return session if session is not None and session.lang == "zh" else SIMPLIFIED

    def reply_in(self, query: str, voice: Voice) -> Reply:
        """The reply to query in the given voice, whatever the query's own: a follow-up rebuilt
        in Simplified (中科院专馆在几号馆) is answered in the script it was asked in."""
        match = self.matcher.match(query)
        return self._written(self.reply_to_match(match, voice.lang), voice)

    @staticmethod
    def voice(query: str, session: Voice | None = None) -> Voice:
        """The voice to answer a question in: its own, else the conversation's, else English.

        Chinese that reads the same in both scripts (咁科技部呢) keeps the conversation's script.
        """
        own = voice_of(query)
        if own and own.lang == "zh" and session and session.lang == "zh" and script_neutral(query):
            return session
        return own or session or ENGLISH

    def reply_to_match(self, match: Match, lang: Lang) -> Reply:
        """The reply for a matcher verdict, in the given language (Simplified for Chinese)."""
        best = match.best
        entry = self.knowledge.entry(best.entry_id) if best is not None else None
        if match.decision == "answer" and best is not None and entry is not None:
            return self._answer(entry, lang, match.query, best.score, match.candidates)
        base = Reply(
            query=match.query,
            lang=lang,
            kind=match.decision,
            answer="",
            score=best.score if best is not None else 0.0,
            suggestions=self.examples(lang),
            suggestion_kind="examples",
            candidates=match.candidates,
        )
        title = self.knowledge.title(lang)
        if match.decision == "empty":
            example = base.suggestions[0].question if base.suggestions else ""
            return replace(base, answer=say("empty", lang, example=example))
        if match.decision == "out_of_scope":
            what = scope_what(match.reason, lang)
            refusal = replace(base, answer=say("out_of_scope", lang, title=title, what=what))
            near = self._suggest(self._in_scope_closest(match), lang)
            return (
                replace(refusal, suggestions=near, suggestion_kind="closest") if near else refusal
            )
        if match.decision == "partial" and match.partial is not None:
            partial = self._partial(match.partial, lang, match, base)
            if partial is not None:
                return partial
        if match.decision == "ambiguous":
            close = self._suggest(self.matcher.closest(match), lang)
            return replace(
                base,
                answer=say("ambiguous", lang),
                suggestions=close,
                suggestion_kind="did_you_mean",
            )
        topics = say("list_sep", lang).join(t.title(lang) for t in self.knowledge.topics)
        refusal = replace(base, answer=say("refuse", lang, title=title, topics=topics))
        near = self._suggest(self.matcher.closest(match), lang)
        return replace(refusal, suggestions=near, suggestion_kind="closest") if near else refusal

    def _in_scope_closest(self, match: Match) -> tuple[Candidate, ...]:
        """The closest entries to an out-of-scope question asked of this fair instead:
        去年高交会有多少展商 is matched as 高交会有多少展商."""
        if not match.in_scope.strip():
            return ()
        inner = self.matcher.match(match.in_scope)
        if inner.decision in ("out_of_scope", "empty"):
            return ()
        if inner.decision == "answer" and inner.best is not None:
            return (inner.best, *self.matcher.closest(inner))[:3]
        return self.matcher.closest(inner)

    def _partial(self, about: Partial, lang: Lang, match: Match, base: Reply) -> Reply | None:
        """What the briefing does say on the topic, after saying what it does not give."""
        entry = self.knowledge.entry(about.entry_id)
        if entry is None:
            return None
        details = missing_details(about.kinds, lang)
        if details:  # the kind of question says best what is missing: "where", "the cost"
            lead = say("partial_kind", lang, detail=say("list_sep", lang).join(details))
        else:
            lead = say("partial_word", lang, detail=about.word)
        others = tuple(
            c for c in self.matcher.close_calls(match.candidates) if c.entry_id != entry.id
        )
        close = self._suggest(others, lang)
        return replace(
            base,
            kind="partial",
            answer=lead + ("" if lang == "zh" else " ") + entry.answer(lang),
            entry_id=entry.id,
            source=self._source(entry, lang),
            suggestions=close,
            suggestion_kind="closest" if close else "none",
        )

    def reply_for_entry(
        self, entry_id: str, lang: Lang, query: str = "", variant: Variant = "hans"
    ) -> Reply | None:
        """The answer of a chosen entry, as when a suggestion is tapped."""
        entry = self.knowledge.entry(entry_id)
        if entry is None:
            return None
        reply = self._answer(entry, lang, query or entry.questions[lang][0], 100.0, ())
        return self._written(reply, Voice(lang, variant))

    def nothing_else(self, entry_id: str, voice: Voice, query: str) -> Reply | None:
        """A partial reply: the briefing names no one and nothing else on an entry's topic than
        its answer does (还有谁? after it), with that answer and its source; None if the entry
        is gone."""
        entry = self.knowledge.entry(entry_id)
        if entry is None:
            return None
        lang = voice.lang
        lead = say("partial_else", lang) + ("" if lang == "zh" else " ")
        reply = Reply(
            query=query,
            lang=lang,
            kind="partial",
            answer=lead + entry.answer(lang),
            entry_id=entry.id,
            score=100.0,
            source=self._source(entry, lang),
        )
        return self._written(reply, voice)

    def roles(self, entry_id: str, voice: Voice, query: str) -> Reply | None:
        """The titles of the people an entry's answer names (他是什么职务? after it), quoting its
        source, which gives them; None if it names no one the FAQ's `people:` knows."""
        entry = self.knowledge.entry(entry_id)
        named = self.knowledge.people_in(entry) if entry is not None else ()
        if entry is None or not named:
            return None
        lang = voice.lang
        # Quoted from the entry's own source where it gives every title; else the transcript's
        # sentence that titles the first of them (高裕跃表示… names him, but not his title).
        quoted = entry.source.text
        people = tuple(p for p in named if p.name.zh in quoted and p.title.zh in quoted)
        source = self._source(entry, lang)
        if not people:
            first = named[0]
            if first.source is None:
                return None
            people = (first,)
            # Another entry's source that titles them comes with its translation; else the
            # transcript's own sentence.
            titled = first.title.zh + first.name.zh
            other = next((e for e in self.knowledge.entries if titled in e.source.text), None)
            source = (
                self._source(other, lang)
                if other is not None
                else Source(first.source.text, first.source.speaker(lang))
            )
        said = [say("role_of", lang, name=p.name(lang), title=p.title(lang)) for p in people]
        names = [p.name(lang) for p in people]
        asked = (
            "、".join(names) + "是什么职务"
            if lang == "zh"
            else "what is the title of " + " and ".join(names)
        )
        reply = Reply(
            query=query,
            lang=lang,
            kind="answer",
            answer=("" if lang == "zh" else " ").join(said),
            entry_id=entry.id,
            score=100.0,
            source=source,
            understood=asked,  # whom 他 was read as
        )
        return self._written(reply, voice)

    def said_by(self, entry_id: str, voice: Voice, query: str = "") -> Reply | None:
        """Who said what an entry's answer rests on (谁说的? after it), quoting the passage;
        None if the entry is gone."""
        reply = self.reply_for_entry(entry_id, voice.lang, query, voice.variant)
        if reply is None or reply.source is None:
            return None
        speaker = reply.source.speaker  # already in the voice's script
        return replace(reply, answer=say("said_by", voice.lang, voice.variant, speaker=speaker))

    def best_answers(self, query: str, limit: int, session: Voice | None = None) -> list[Reply]:
        """Up to `limit` answers a question may be after, best first: for inline mode, where the
        asker picks one. Examples for an empty question; nothing for one out of scope."""
        voice = self.voice(query, session)
        if query.strip():
            match = self.matcher.match(query, limit=limit)
            wanted = match.decision not in ("out_of_scope", "empty")
            ids = [c.entry_id for c in self.matcher.worth_suggesting(match.candidates) if wanted]
        else:
            ids = [s.id for s in self.examples(voice.lang, limit)]
        replies = (self.reply_for_entry(i, voice.lang, variant=voice.variant) for i in ids)
        return [reply for reply in replies if reply is not None]

    def _answer(
        self, entry: Entry, lang: Lang, query: str, score: float, candidates: tuple[Candidate, ...]
    ) -> Reply:
        related = tuple(
            Suggestion(e.id, e.questions[lang][0])
            for rid in entry.related
            if (e := self.knowledge.entry(rid)) is not None
        )
        return Reply(
            query=query,
            lang=lang,
            kind="answer",
            answer=entry.answer(lang),
            entry_id=entry.id,
            score=score,
            source=self._source(entry, lang),
            suggestions=related[:3],
            suggestion_kind="related" if related else "none",
            candidates=candidates,
        )

    @staticmethod
    def _source(entry: Entry, lang: Lang) -> Source:
        translation = entry.source.translation if lang == "en" else None
        return Source(entry.source.text, entry.source.speaker(lang), translation or None)

    @staticmethod
    def _written(reply: Reply, voice: Voice) -> Reply:
        """The reply in the voice's form of Chinese; the source quote stays verbatim."""
        if reply.lang != "zh" or voice.variant == "hans":
            return reply
        variant = voice.variant
        source = reply.source
        return replace(
            reply,
            variant=variant,
            answer=written(reply.answer, variant),
            source=replace(source, speaker=written(source.speaker, variant)) if source else None,
            suggestions=tuple(
                replace(s, question=written(s.question, variant)) for s in reply.suggestions
            ),
        )

    def _suggest(self, candidates: tuple[Candidate, ...], lang: Lang) -> tuple[Suggestion, ...]:
        out: list[Suggestion] = []
        for c in candidates:
            entry = self.knowledge.entry(c.entry_id)
            if entry is not None and all(s.id != entry.id for s in out):
                out.append(Suggestion(entry.id, entry.questions[lang][0]))
        return tuple(out)

    def examples(self, lang: Lang, count: int = 3) -> tuple[Suggestion, ...]:
        """A spread of example questions, one from each of the first topics."""
        picks = []
        for topic in self.knowledge.topics:
            entries = self.knowledge.in_topic(topic.id)
            if entries:
                picks.append(Suggestion(entries[0].id, entries[0].questions[lang][0]))
            if len(picks) == count:
                break
        return tuple(picks)


def _topic_words(entry: Entry, synonyms: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The entry's keywords in the FAQ's order (the first names it), then their synonyms."""
    keys = {normalise(k) for k in entry.keywords}
    words = dict.fromkeys(entry.keywords)
    for group in synonyms:
        if keys & {normalise(w) for w in group}:
            words.update(dict.fromkeys(group))
    return tuple(words)
