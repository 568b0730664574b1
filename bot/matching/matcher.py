"""The matcher: one FAQ's rankers and guards, and `match`, which runs them in order.

    question → scope gate → repair → lexical and semantic rankers → decision

A question typed in pinyin is first read back into Chinese (`transcribe`, `bot.matching.pinyin`)
by the `Responder`, which then matches the Chinese.

Everything is built once per FAQ version and never changes, so a reload swaps a whole new
Matcher in between two messages.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.knowledge import Knowledge
from bot.matching import decision
from bot.matching.cache import digest
from bot.matching.decision import (
    CALIBRATION_FILE,
    Calibration,
    Candidate,
    Decision,
    Partial,
    Thresholds,
)
from bot.matching.lexical import LexicalEvidence, LexicalIndex, WordJudgement
from bot.matching.pinyin import PinyinReader, pinyin_letters
from bot.matching.repair import Canon, Repairer, english_words
from bot.matching.scope import ScopeGate
from bot.matching.semantic import TOP_K, Model, SemanticIndex, SemanticScores
from bot.matching.shared import shared_cache, shared_models
from bot.matching.words import Segmenter, Word, only_a_pronoun, thesaurus
from bot.text import CJK_RE, EN_STOPWORDS, Lang, detect_lang, fold, normalise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question."""

    query: str
    normalised: str
    lang: Lang
    decision: Decision
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""  # why it is out of scope
    in_scope: str = ""  # an out-of-scope question with the phrase that put it there taken out
    partial: Partial | None = None  # what a partial reply is about

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Matcher:
    """The rankers and guards of one FAQ; immutable once built."""

    def __init__(
        self,
        knowledge: Knowledge,
        thresholds: Thresholds | None = None,
        *,
        models: Sequence[Model] | None = None,
        cached: bool = True,
    ) -> None:
        """`cached`: keep the built lexical index on disk (not for throwaway FAQ versions)."""
        self.knowledge = knowledge
        models = tuple(shared_models() if models is None else models)
        if thresholds is None:
            calibration = Calibration.load(knowledge.path.parent / CALIBRATION_FILE)
            models = _calibrated(models, calibration)
            thresholds = calibration.for_models([m.key for m in models])
        self.models = models
        self.thresholds = thresholds
        th = thresholds
        self._gate = ScopeGate(knowledge.scope)
        self.prepare = Canon(knowledge)
        self.segmenter = Segmenter(_faq_words(knowledge, self.prepare))
        self.thesaurus = thesaurus()
        self.lexical = _lexical_index(knowledge, self.prepare, self.segmenter, th, cached=cached)
        texts = [t for e in knowledge.entries for t in (*e.keywords, e.answer.en)]
        texts += [q for e in knowledge.entries for qs in e.questions.values() for q in qs]
        texts += [w for group in knowledge.synonyms for w in group]
        wordlike = {*self.lexical.keywords}
        wordlike |= {normalise(w) for group in knowledge.synonyms for w in group}
        # 高交汇 → 高交会, and 广交汇 → 广交会, which the scope gate then refuses.
        wordlike |= {normalise(n) for n in (*knowledge.scope.names, *knowledge.scope.other_events)}
        english = english_words(texts)
        self.repair = Repairer(self.prepare, self.lexical.df, sorted(english), wordlike)
        self._english = frozenset(english | EN_STOPWORDS)
        self.semantic: SemanticIndex | None = None
        if self.models:
            weights = th.model_weights if len(th.model_weights) == len(self.models) else ()
            self.semantic = SemanticIndex(
                knowledge.entries, self.models, weights or [1.0] * len(self.models)
            )
        self._ids = [e.id for e in knowledge.entries]

    def match(self, query: str, limit: int = 5) -> Match:
        """Decide how to reply to a question: answer, partial, "did you mean", or refuse."""
        lang = detect_lang(query)
        prepared = self.prepare(query)
        reason, rest = self._gate.check(fold(query))
        repaired = self.repair(prepared) if not reason else prepared
        if not reason:  # a typo can hide another event's name (广交汇): look again once repaired
            reason, rest = self._gate.check(repaired)
        if reason:
            return Match(query, prepared, lang, "out_of_scope", reason=reason, in_scope=rest)
        if not repaired:
            return Match(query, repaired, lang, "empty")
        th = self.thresholds
        ranked = decision.with_confidence(self.rank(query, repaired), th)
        verdict = decision.decide(ranked, th)
        if only_a_pronoun(self.segmenter.words(repaired)):
            verdict = "refuse"  # "what is her title?": whose? Only a conversation can say.
        about = decision.partial(ranked, th) if verdict == "partial" else None
        return Match(query, repaired, lang, verdict, tuple(ranked[:limit]), partial=about)

    def rank(self, query: str, repaired: str) -> list[Candidate]:
        """The candidates for a question: the lexical pool and the semantic top entries."""
        terms = self.lexical.query(repaired, self.segmenter.words(repaired), self.thesaurus)
        pool = self.lexical.pool(terms)
        scores = self.semantic.scores(query, detect_lang(query)) if self.semantic else None
        if scores is not None:
            pool += scores.top(TOP_K)
        return [self._candidate(ev, scores, repaired) for ev in self.lexical.score(terms, pool)]

    def _candidate(
        self, ev: LexicalEvidence, scores: SemanticScores | None, text: str
    ) -> Candidate:
        lw = self.thresholds.lexical_weight
        semantic = float(scores.fused[ev.entry]) if scores is not None else 0.0
        score = lw * ev.score + (1 - lw) * semantic if scores is not None else ev.score
        return Candidate(
            self._ids[ev.entry],
            round(score, 2),
            ev.fuzzy,
            ev.coverage,
            ev.dice,
            ev.conflict,
            ev.variant,
            anchored=ev.anchored,
            novelty=ev.novelty,
            novelty_source=ev.novelty_source,
            missing=ev.missing,
            unanswered=tuple(sorted(ev.unanswered)),
            unstated=tuple(sorted(ev.unstated)),
            word_coverage=ev.word_coverage,
            lacks_words=ev.lacks_words,
            lexical=ev.score,
            semantic=round(semantic, 2),
            cosines=tuple(round(float(c), 4) for c in scores.cosines[:, ev.entry])
            if scores is not None
            else (),
            fits=tuple((name, round(float(v[ev.entry]), 3)) for name, v in scores.fits.items())
            if scores is not None
            else (),
        )

    def transcribe(self, text: str) -> str | None:
        """The Chinese a question typed in toneless pinyin stands for (you duoshao zhanshang →
        有多少展商), or None when it is not one."""
        folded = fold(text)
        return self._pinyin.read_text(folded) if pinyin_letters(folded, self._english) else None

    @cached_property
    def _pinyin(self) -> PinyinReader:
        """Built at the first message that may be pinyin: most bots never see one."""
        texts = [q for e in self.knowledge.entries for q in e.questions["zh"]]
        texts += [t for e in self.knowledge.entries for t in (e.answer.zh, *e.keywords)]
        texts += [w for group in self.knowledge.synonyms for w in group]
        texts += [*self.knowledge.scope.names, *self.knowledge.scope.other_events]
        # Folded, not normalised: 吗 and 呢 are words a pinyin question types too.
        counts = Counter(w.text for t in texts for w in self.segmenter.words(fold(t)))
        # Each character too, so a word cut otherwise in the FAQ (展馆 of 几号展馆) still reads.
        counts.update({ch: 0 for t in texts for ch in t if CJK_RE.match(ch) and ch not in counts})
        return PinyinReader(counts)

    def judge_words(
        self, question: str, entry_ids: Sequence[str]
    ) -> tuple[tuple[Word, ...], dict[str, WordJudgement]]:
        """The question's words and what each entry says of them (for `chat --debug`)."""
        repaired = self.repair(self.prepare(question))
        words = tuple(self.segmenter.words(repaired))
        query = self.lexical.query(repaired, words, self.thesaurus)
        index = {entry_id: i for i, entry_id in enumerate(self._ids)}
        return words, {e: self.lexical.judge(query, index[e]) for e in entry_ids if e in index}

    def explain(self, candidates: Sequence[Candidate]) -> list[decision.Explanation]:
        """What the confidence model sees in each candidate (for `chat --debug`)."""
        return decision.explain(candidates, self.thresholds)

    def close_calls(self, candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
        """Candidates good enough to offer as "did you mean"."""
        return decision.close_calls(candidates, self.thresholds)

    def worth_suggesting(self, candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
        """The candidates that score enough to be offered at all, in order."""
        return decision.worth_suggesting(candidates, self.thresholds)

    def closest(self, match: Match) -> tuple[Candidate, ...]:
        """Up to three entries to offer a question that is not answered outright."""
        return decision.closest(match.candidates, self.thresholds)


_WARNED: set[tuple[str, ...]] = set()


def _calibrated(models: tuple[Model, ...], calibration: Calibration) -> tuple[Model, ...]:
    """The models, if the confidence model was fitted with them; else none, with one warning.

    Trees fitted on one model's similarities would misjudge another's, and the lexical ones have
    never seen any: matching lexically is the honest fallback until `eval --calibrate` is rerun.
    """
    names = tuple(m.key for m in models)
    if not models or names == calibration.semantic.models:
        return models
    if names not in _WARNED:
        _WARNED.add(names)
        fitted = ", ".join(calibration.semantic.models) or "no model"
        log.warning(
            "calibration.yaml was fitted for %s, not %s: matching lexically until "
            "`expo-bot eval --calibrate --write` is run with these models",
            fitted,
            ", ".join(names),
        )
    return ()


def _code_version() -> str:
    """A digest of the code that builds the lexical index: a cached index outlives neither."""
    from bot import text
    from bot.matching import lexical, patterns, repair, scope, words

    modules = (text, lexical, patterns, repair, scope, words)
    sources = (Path(str(m.__file__)).read_bytes() for m in modules)
    return digest(b"".join(sources).decode("utf-8", "replace"))


_CODE_VERSION = _code_version()


def _faq_words(knowledge: Knowledge, prepare: Canon) -> dict[str, str]:
    """The FAQ's own words in matching form, for the segmenter: keywords and synonyms, as nouns."""
    found = [*(k for e in knowledge.entries for k in e.keywords)]
    found += [w for group in knowledge.synonyms for w in group]
    return {w: "n" for w in map(prepare, found) if w and " " not in w}


def _lexical_index(
    knowledge: Knowledge,
    prepare: Canon,
    segmenter: Segmenter,
    th: Thresholds,
    *,
    cached: bool = True,
) -> LexicalIndex:
    """The FAQ's lexical index, from the cache when this FAQ and this code built it before."""
    content = repr((knowledge.entries, knowledge.synonyms, knowledge.scope))
    key = digest(f"{_CODE_VERSION} {th.fuzzy_weight} {th.dice_weight} {content}")
    cache = shared_cache()
    index = cache.get(key, LexicalIndex) if cached else None
    if index is None:
        index = LexicalIndex(
            knowledge.entries,
            prepare,
            segmenter,
            thesaurus(),
            fuzzy_weight=th.fuzzy_weight,
            dice_weight=th.dice_weight,
        )
        if cached:
            cache.put(key, index)
    return index
