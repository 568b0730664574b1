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
from bot.text import Lang, detect_lang, normalise

SuggestionKind = Literal["related", "did_you_mean", "closest", "examples", "none"]
#: What a reply is, as `ask --json` reports it.
ReplyKind = Literal["answer", "partial", "did_you_mean", "refuse", "out_of_scope", "empty"]


@dataclass(frozen=True)
class Source:
    """The verbatim passage an answer rests on, and who said it."""

    text: str
    speaker: str


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
    understood: str = ""  # the question a follow-up was read as (那观众呢 → 本届高交会有多少家观众)

    @property
    def understood_note(self) -> str:
        """How a follow-up was read, for the user to see: (观众有多少?); "" for other replies."""
        if not self.understood:
            return ""
        return f"({self.understood.rstrip('?？')}?)"

    @property
    def matched(self) -> bool:
        """Whether this is an answer; a partial reply is not."""
        return self.kind == "answer"

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
            "answer": self.answer,
            "source": (
                {"text": self.source.text, "speaker": self.source.speaker}
                if self.quoted and self.source
                else None
            ),
            "suggestions": [{"id": s.id, "question": s.question} for s in self.suggestions],
            "understood": self.understood or None,
        }


# Interface wording, in both reply languages. Expo facts never appear here: they come from the FAQ.
TEXTS: dict[str, dict[Lang, str]] = {
    "refuse": {
        "zh": "抱歉,通报会实录里没有涉及这个问题,我不想猜。"
        "我能回答关于{title}的这些方面:{topics}。",
        "en": "Sorry, the briefing doesn't cover that, and I'd rather not guess. "
        "I can answer questions about {title} on: {topics}.",
    },
    "out_of_scope": {
        "zh": "我只了解{title}的情况,这个问题问的是{what},超出了我的资料范围。",
        "en": "I only know about {title}; this question is about {what}, "
        "which my source doesn't cover.",
    },
    "ambiguous": {
        "zh": "我不太确定你的意思,你是想问:",
        "en": "I'm not sure I understood. Did you mean:",
    },
    "empty": {
        "zh": "请输入一个问题,例如:{example}",
        "en": "Please type a question, for example: {example}",
    },
    "partial_word": {
        "zh": "通报会没有提到“{detail}”。关于这个话题,通报会说的是:",
        "en": "The briefing doesn't mention “{detail}”. What it does say on this:",
    },
    "partial_kind": {
        "zh": "通报会没有说明{detail}。关于这个话题,通报会说的是:",
        "en": "The briefing doesn't say {detail}. What it does say on this:",
    },
    "closest": {"zh": "相近的问题:", "en": "Closest questions:"},
    "related": {"zh": "相关问题:", "en": "Related questions:"},
    "source": {"zh": "出处", "en": "Source"},
    "speaker_sep": {"zh": ":", "en": ": "},
}

_SCOPE_WHAT: dict[str, dict[Lang, str]] = {
    "another event": {"zh": "另一个展会", "en": "another event"},
    "another edition": {"zh": "另一届展会", "en": "another edition"},
    "another year": {"zh": "另一年份", "en": "another year"},
}


# What a partial reply says the briefing does not give, by the kind of question asked.
_KIND_DETAIL: dict[str, dict[Lang, str]] = {
    "where": {"zh": "地点", "en": "where"},
    "when": {"zh": "时间", "en": "when"},
    "who": {"zh": "是谁", "en": "who"},
    "count": {"zh": "具体数字", "en": "the number"},
    "money": {"zh": "费用或金额", "en": "the cost or amount"},
    "size": {"zh": "大小", "en": "the size"},
    "list": {"zh": "完整名单", "en": "the full list"},
    "which": {"zh": "具体是哪些", "en": "which ones"},
    "name": {"zh": "名称", "en": "the name"},
    "besides": {"zh": "其他还有哪些", "en": "which others"},
    "breakdown": {"zh": "分项数字", "en": "the breakdown"},
    "why": {"zh": "原因", "en": "why"},
    "how": {"zh": "具体做法", "en": "how"},
    "said": {"zh": "讲话的具体内容", "en": "what exactly was said"},
}


def text(key: str, lang: Lang, **values: str) -> str:
    """An interface string in the given language, with values filled in."""
    return TEXTS[key][lang].format(**values)


class Responder:
    """Answers questions from one FAQ; immutable, so a reload swaps it whole."""

    def __init__(self, knowledge: Knowledge, matcher: Matcher | None = None) -> None:
        self.knowledge = knowledge
        self.matcher = matcher or Matcher(knowledge)
        self._topics = {e.id: _topic_words(e, knowledge.synonyms) for e in knowledge.entries}

    def topics(self, entry_id: str) -> tuple[str, ...]:
        """Words that name what an entry is about: its keywords and their synonyms."""
        return self._topics.get(entry_id, ())

    def reply(self, query: str, lang: Lang | None = None) -> Reply:
        """The reply to a free-text question."""
        match = self.matcher.match(query)
        return self.reply_to_match(match, lang or match.lang)

    def reply_to_match(self, match: Match, lang: Lang) -> Reply:
        """The reply for a matcher verdict, in the given language."""
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
            return replace(base, answer=text("empty", lang, example=example))
        if match.decision == "out_of_scope":
            kind = match.reason.split(":", 1)[0]
            what = _SCOPE_WHAT.get(kind, {"zh": kind, "en": kind})[lang]
            return replace(base, answer=text("out_of_scope", lang, title=title, what=what))
        if match.decision == "partial" and match.partial is not None:
            partial = self._partial(match.partial, lang, match, base)
            if partial is not None:
                return partial
        if match.decision == "ambiguous":
            close = self._suggest(self.matcher.close_calls(match.candidates), lang)
            return replace(
                base,
                answer=text("ambiguous", lang),
                suggestions=close,
                suggestion_kind="did_you_mean",
            )
        topics = ("、" if lang == "zh" else ", ").join(t.title(lang) for t in self.knowledge.topics)
        refusal = replace(base, answer=text("refuse", lang, title=title, topics=topics))
        near = self._suggest(self.matcher.suggestions(match), lang)
        return replace(refusal, suggestions=near, suggestion_kind="closest") if near else refusal

    def _partial(self, about: Partial, lang: Lang, match: Match, base: Reply) -> Reply | None:
        """What the briefing does say on the topic, after saying what it does not give."""
        entry = self.knowledge.entry(about.entry_id)
        if entry is None:
            return None
        details = [_KIND_DETAIL[k][lang] for k in about.kinds if k in _KIND_DETAIL]
        if details:  # the kind of question says best what is missing: "where", "the cost"
            lead = text("partial_kind", lang, detail=("、" if lang == "zh" else ", ").join(details))
        else:
            lead = text("partial_word", lang, detail=about.word)
        others = tuple(
            c for c in self.matcher.close_calls(match.candidates) if c.entry_id != entry.id
        )
        close = self._suggest(others, lang)
        return replace(
            base,
            kind="partial",
            answer=lead + ("" if lang == "zh" else " ") + entry.answer(lang),
            entry_id=entry.id,
            source=Source(entry.source.text, entry.source.speaker(lang)),
            suggestions=close,
            suggestion_kind="closest" if close else "none",
        )

    def reply_for_entry(self, entry_id: str, lang: Lang, query: str = "") -> Reply | None:
        """The answer of a chosen entry, as when a suggestion is tapped."""
        entry = self.knowledge.entry(entry_id)
        if entry is None:
            return None
        return self._answer(entry, lang, query or entry.questions[lang][0], 100.0, ())

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
            source=Source(entry.source.text, entry.source.speaker(lang)),
            suggestions=related[:3],
            suggestion_kind="related" if related else "none",
            candidates=candidates,
        )

    def _suggest(self, candidates: tuple[Candidate, ...], lang: Lang) -> tuple[Suggestion, ...]:
        out = []
        for c in candidates:
            entry = self.knowledge.entry(c.entry_id)
            if entry is not None:
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

    def lang_of(self, query: str) -> Lang:
        return detect_lang(query)


def _topic_words(entry: Entry, synonyms: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The entry's keywords in the FAQ's order (the first names it), then their synonyms."""
    keys = {normalise(k) for k in entry.keywords}
    words = dict.fromkeys(entry.keywords)
    for group in synonyms:
        if keys & {normalise(w) for w in group}:
            words.update(dict.fromkeys(group))
    return tuple(words)
