"""Matching a question to an FAQ entry, or deciding not to.

A plain fuzzy score cannot tell 广交会 from 高交会 or 开幕 from 闭幕, so the decision stacks checks,
all driven by data in `faq.yaml` and `calibration.yaml`:

1. a scope gate: another event, edition or year named in the question means "not covered";
2. query repair: synonyms mapped to one word, misspelt English words and homophone typos
   (展伤 → 展商) corrected against the FAQ's own vocabulary;
3. candidates from an inverted index of distinctive terms, ranked by a blend of rapidfuzz
   similarity (on text and on pinyin sound keys) and IDF-weighted term coverage and overlap;
4. vetoes: a keyword of other entries that the candidate lacks, or a kind of question (where,
   when, who, how many, which ones…) that the candidate never answers;
5. confidence: a logistic model over the best candidate's features, fitted on labelled questions
   by `expo-bot eval --calibrate`, decides between answering and asking "did you mean".
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import yaml
from rapidfuzz import fuzz, process

from bot.knowledge import LANGS, Entry, Knowledge, Scope
from bot.text import (
    CJK_RE,
    EN_STOPWORDS,
    Lang,
    cjk_runs,
    detect_lang,
    fold,
    normalise,
    question_types,
    sound_key,
    stem,
    terms,
)

Decision = Literal["answer", "ambiguous", "refuse", "out_of_scope", "empty"]

CALIBRATION_FILE = "calibration.yaml"
FUZZY_FLOOR = 30.0  # fuzzy similarities below this count as none


# The features the confidence model weighs, in order; see `Candidate.features`.
FEATURES = ("fuzzy", "coverage", "dice", "novelty", "novelty_source", "anchored", "lead", "score")


@dataclass(frozen=True)
class Thresholds:
    """The knobs of the decision, written by `expo-bot eval --calibrate --write`.

    Answering needs a viable best candidate (conflict at most `conflict`), a confidence of at
    least `confidence` from a logistic model over its features (`weights`, `bias`), and a lead of
    `margin` over the runner-up; otherwise close candidates become "did you mean".
    """

    conflict: float = 0.35  # maximum share of the question's keywords that belong elsewhere
    margin: float = 3.0  # minimum lead in score over the runner-up entry
    confidence: float = 0.7  # minimum modelled probability that the answer is right
    suggest: float = 35.0  # minimum score for an entry to be offered as a suggestion
    near: float = 55.0  # minimum score for "did you mean"
    fuzzy_weight: float = 0.5  # ranking blend: fuzzy similarity vs. weighted term overlap
    dice_weight: float = 0.5  # within term overlap: the closest variant vs. the whole entry
    weights: tuple[float, ...] = (2.9, 2.3, 2.8, -1.1, -1.1, 0.75, -0.3, 2.7)
    bias: float = -6.9

    @classmethod
    def load(cls, path: Path) -> Thresholds:
        """Thresholds from a calibration file; defaults where the file or a key is missing."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        known: dict[str, object] = {}
        for key, value in data.items():
            if key == "weights" and isinstance(value, list) and len(value) == len(FEATURES):
                known[key] = tuple(float(v) for v in value)
            elif key in cls.__dataclass_fields__ and isinstance(value, int | float):
                known[key] = float(value)
        return replace(cls(), **known)  # type: ignore[arg-type]

    def probability(self, features: Sequence[float]) -> float:
        """The modelled probability that answering with this candidate is right."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Candidate:
    """How well one entry fits the question."""

    entry_id: str
    score: float
    fuzzy: float
    coverage: float
    dice: float
    conflict: float
    variant: str
    anchored: bool = True  # the question names one of the entry's keywords
    novelty: float = 0.0  # weight of the most telling question word the entry lacks, 0–1
    novelty_source: float = 0.0  # the same, counting the words of its source passage too
    confidence: float = 0.0  # modelled probability that answering with it is right

    def features(self, runner_up: float) -> tuple[float, ...]:
        """The inputs of the confidence model, in `FEATURES` order, each about 0–1."""
        lead = min(max(self.score - runner_up, 0.0), 40.0) / 40
        return (
            self.fuzzy / 100,
            self.coverage,
            self.dice,
            self.novelty,
            self.novelty_source,
            1.0 if self.anchored else 0.0,
            lead,
            self.score / 100,
        )


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question."""

    query: str
    normalised: str
    lang: Lang
    decision: Decision
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class _Variant:
    text: str
    sound: str
    terms: frozenset[str]
    entry: int
    weight: float = 0.0  # summed idf of its terms, for the weighted Dice overlap
    latin: bool = False  # no Chinese in it


@dataclass
class _Index:
    variants: list[_Variant] = field(default_factory=list)
    by_entry: list[list[int]] = field(default_factory=list)
    latin_by_entry: list[list[int]] = field(default_factory=list)  # variants without Chinese
    cjk_by_entry: list[list[int]] = field(default_factory=list)  # variants with Chinese
    vocab: list[set[str]] = field(default_factory=list)  # terms of questions, keywords, answers
    source_vocab: list[frozenset[str]] = field(default_factory=list)  # the source's other terms
    texts: list[str] = field(default_factory=list)  # the same, joined, for phrase look-ups
    kinds: list[frozenset[str]] = field(default_factory=list)  # answer types its questions ask
    df: Counter[str] = field(default_factory=Counter)
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    keywords: dict[str, int] = field(default_factory=dict)  # keyword phrase → entries holding it
    entry_keywords: list[frozenset[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # English words, for spelling repair
    sound_bigrams: dict[str, str] = field(default_factory=dict)


_EDITION_RE = re.compile(
    r"第\s*([0-9零〇一二两三四五六七八九十百]+)\s*届|\b(\d+)\s*(?:st|nd|rd|th)\b"
)
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_CN_YEAR_RE = re.compile(r"([零〇一二三四五六七八九]{4})\s*年")
_CN_DIGIT = str.maketrans("零〇一二三四五六七八九", "00123456789")
_THIS_EDITION = re.compile(
    r"本届|这届|这一届|此届|今届|呢届|这次|此次|本次|今年|this year'?s?|this time"
)
_ENGLISH_WORD = re.compile(r"[a-z]+")


class Matcher:
    """An index over one FAQ; immutable once built, so it can be swapped whole on reload."""

    pool_size = 15  # entries scored in full per question, picked by shared distinctive terms

    def __init__(self, knowledge: Knowledge, thresholds: Thresholds | None = None) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds.load(knowledge.path.parent / CALIBRATION_FILE)
        self._scope = knowledge.scope
        self._synonyms = _synonym_pattern(knowledge.synonyms)
        self._names = _phrase_pattern(knowledge.scope.names)
        self._other_events = _phrase_pattern(knowledge.scope.other_events)
        self._other_times = _phrase_pattern(knowledge.scope.other_times)
        # Any "…交会"/"…博会" that is not one of the event's own names is another event.
        suffixes = [re.escape(normalise(x)) for x in knowledge.scope.other_event_suffixes]
        self._event_suffix = (
            re.compile(f"[\u4e00-\u9fff]{{1,6}}(?:{'|'.join(suffixes)})") if suffixes else None
        )
        self._entries = knowledge.entries
        self._ix = self._build(knowledge.entries)
        n = len(self._entries)
        self._idf = {t: math.log(1 + n / df) for t, df in self._ix.df.items()}
        self._ix.variants = [
            replace(v, weight=sum(self._idf.get(t, 0.0) for t in v.terms) or 1.0)
            for v in self._ix.variants
        ]
        self._unknown_idf = math.log(1 + n)
        self._longest_keyword = max(map(len, self._ix.keywords), default=0)
        # Terms in most entries add nothing to candidate search and would make it slow at scale.
        self._posting_cap = max(500, n // 20)

    # --- building ---------------------------------------------------------------------------------

    def prepare(self, text: str) -> str:
        """Normalise text the same way for questions and FAQ variants."""
        return self._canonical(normalise(text))

    def _canonical(self, text: str) -> str:
        """Drop what every question shares (the event's name, this edition), map synonyms."""
        text = self._names.sub(" ", text) if self._names else text
        text = _THIS_EDITION.sub(" ", text)
        text = _EDITION_RE.sub(" ", text)  # other editions were refused before this
        if self._scope.year is not None:
            text = re.sub(rf"(?<!\d){self._scope.year}\s*年?(?!\d)", " ", text)
        if self._synonyms is not None:
            pattern, canon = self._synonyms
            text = pattern.sub(lambda m: f" {canon[m.group(0)]} ", text)
        return " ".join(text.split())

    def _build(self, entries: Sequence[Entry]) -> _Index:
        ix = _Index()
        raw_words: set[str] = set()
        keyword_owners: defaultdict[str, set[int]] = defaultdict(set)
        for i, entry in enumerate(entries):
            questions = [q for lang in LANGS for q in entry.questions[lang]]
            keywords = [k for k in map(self.prepare, entry.keywords) if k]
            # The answers are matched too: people often ask in the answer's own words.
            answers = [self.prepare(entry.answer.zh), self.prepare(entry.answer.en)]
            prepared = list(
                dict.fromkeys([*filter(None, map(self.prepare, questions)), *keywords, *answers])
            )
            ix.by_entry.append([])
            for text in prepared:
                ix.by_entry[i].append(len(ix.variants))
                ix.variants.append(
                    _Variant(
                        text,
                        sound_key(text),
                        frozenset(terms(text)),
                        i,
                        latin=not CJK_RE.search(text),
                    )
                )
            vocab: set[str] = set()
            for text in prepared:
                vocab |= terms(text)
            for text in (*questions, *entry.keywords, entry.answer.en):
                raw_words.update(_ENGLISH_WORD.findall(normalise(text)))
            ix.vocab.append(vocab)
            # The source's words are known to the entry too, as a weaker sign (novelty_source).
            ix.source_vocab.append(frozenset(terms(self.prepare(entry.source.text))) - vocab)
            ix.kinds.append(frozenset().union(*(question_types(normalise(q)) for q in questions)))
            ix.texts.append(" | ".join((*prepared, *answers)))
            ix.df.update(vocab)
            for keyword in keywords:
                keyword_owners[keyword].add(i)
            ix.entry_keywords.append(frozenset(keywords))
        for i, vocab in enumerate(ix.vocab):
            for term in vocab:
                ix.postings[term].append(i)
            variants = ix.by_entry[i]
            ix.latin_by_entry.append([v for v in variants if ix.variants[v].latin])
            ix.cjk_by_entry.append([v for v in variants if not ix.variants[v].latin])
        for group in self.knowledge.synonyms:
            for word in group:
                raw_words.update(_ENGLISH_WORD.findall(normalise(word)))
        ix.words = sorted(w for w in raw_words if len(w) >= 4)
        ix.keywords = {k: len(owners) for k, owners in keyword_owners.items()}
        # Typos are repaired only towards words the FAQ uses on purpose, so 地点 never becomes
        # some bigram that happens to straddle two words of one answer.
        wordlike = set(ix.keywords) | {normalise(w) for g in self.knowledge.synonyms for w in g}
        wordlike |= {normalise(n) for n in self.knowledge.scope.names}  # 高交汇 → 高交会
        wordlike_bigrams = {w[i : i + 2] for w in wordlike for i in range(len(w) - 1)}
        # Where words sound alike (展商, 展上), the FAQ's own keywords win, then the commonest.
        self._wordlike_bigrams = frozenset(wordlike_bigrams)
        counts = {**dict.fromkeys(wordlike_bigrams, 0), **ix.df}
        ranked = sorted(
            counts.items(), key=lambda t: (t[0] in wordlike_bigrams, t[1]), reverse=True
        )
        for term, df in ranked:
            chinese_pair = len(term) == 2 and CJK_RE.match(term) and CJK_RE.match(term[1])
            if chinese_pair and (df >= 2 or term in wordlike_bigrams):
                ix.sound_bigrams.setdefault(sound_key(term), term)
        return ix

    # --- matching ---------------------------------------------------------------------------------

    def match(self, query: str, limit: int = 5) -> Match:
        """Decide how to reply to a question: answer, ask "did you mean", or refuse."""
        lang = detect_lang(query)
        prepared = self.prepare(query)
        reason = self._out_of_scope(fold(query))
        repaired = self._repair(prepared) if not reason else prepared
        # A typo can hide another event's name (广交汇); look again once it is repaired.
        reason = reason or self._out_of_scope(repaired)
        if reason:
            return Match(query, prepared, lang, "out_of_scope", reason=reason)
        if not repaired:
            return Match(query, repaired, lang, "empty")
        ranked = with_confidence(self._rank(repaired), self.thresholds)
        candidates = tuple(ranked[:limit])
        return Match(query, repaired, lang, self._decide(candidates), candidates)

    def _out_of_scope(self, folded: str) -> str:
        scope: Scope = self._scope
        if self._other_events and (hit := self._other_events.search(folded)):
            return f"another event: {hit.group(0)}"
        if self._other_times and (hit := self._other_times.search(folded)):
            return f"another edition: {hit.group(0)}"
        if scope.edition is not None:
            for m in _EDITION_RE.finditer(folded):
                number = _edition_number(m.group(1) or m.group(2))
                if number is not None and number != scope.edition:
                    return f"another edition: {m.group(0)}"
        if scope.year is not None:
            years = [m.group(1) for m in _YEAR_RE.finditer(folded)]
            years += [m.group(1).translate(_CN_DIGIT) for m in _CN_YEAR_RE.finditer(folded)]
            for year in years:
                if int(year) != scope.year:
                    return f"another year: {year}"
        if self._event_suffix is not None:
            without_own = self._names.sub(" ", folded) if self._names else folded
            if hit := self._event_suffix.search(without_own):
                return f"another event: {hit.group(0)}"
        return ""

    def _repair(self, text: str) -> str:
        """Correct misspelt English words and homophone typos against the FAQ's vocabulary."""
        ix = self._ix

        def fix_word(m: re.Match[str]) -> str:
            word = m.group(0)
            if len(word) < 4 or stem(word) in ix.df or word in EN_STOPWORDS:
                return word
            best = process.extractOne(word, ix.words, scorer=fuzz.ratio, score_cutoff=80)
            return str(best[0]) if best else word

        text = _ENGLISH_WORD.sub(fix_word, text)
        for run in cjk_runs(text):
            fixed = list(run)
            repaired_until = 0  # a character is repaired at most once: 展伤有 → 展商有, not 展上有
            for i in range(len(run) - 1):
                pair = "".join(fixed[i : i + 2])
                if i < repaired_until or pair in ix.df or pair in self._wordlike_bigrams:
                    continue
                known = ix.sound_bigrams.get(sound_key(pair))
                if known:
                    fixed[i : i + 2] = known
                    repaired_until = i + 2
            if fixed != list(run):
                text = text.replace(run, "".join(fixed), 1)
        return self._canonical(text)

    def _weights(self, query_terms: Iterable[str]) -> dict[str, float]:
        weights = {}
        for term in query_terms:
            known = term in self._idf
            if not known and len(term) == 2 and CJK_RE.match(term):
                continue  # a bigram across a word boundary, not evidence either way
            weights[term] = self._idf[term] if known else self._unknown_idf
        return weights

    def _rank(self, text: str) -> list[Candidate]:
        ix, th = self._ix, self.thresholds
        weights = self._weights(terms(text))
        if not weights:
            return []
        total = sum(weights.values())
        units = {t: w for t, w in weights.items() if _is_unit(t)}
        bigrams = {t: w for t, w in weights.items() if t not in units}
        # Single characters and words always count; a bigram counts only where it is found,
        # so a bigram straddling two words of the question is no evidence against an entry.
        base = sum(units.values())
        pool: defaultdict[int, float] = defaultdict(float)
        for term, w in weights.items():
            posting = ix.postings.get(term)
            if posting and len(posting) <= self._posting_cap:
                for i in posting:
                    pool[i] += w
        entries = heapq.nlargest(self.pool_size, pool, key=pool.__getitem__)
        if not entries:
            return []
        # A Chinese question is compared with Chinese variants, an English one with English ones.
        by_lang = ix.latin_by_entry if not CJK_RE.search(text) else ix.cjk_by_entry
        pools = {i: by_lang[i] or ix.by_entry[i] for i in entries}
        fuzzy = self._fuzzy(text, [v for i in entries for v in pools[i]])
        found_keywords = self._keywords_in(text)
        wanted = question_types(text)
        keyword_total = sum(self._keyword_weight(k) for k in found_keywords)
        ranked = []
        for i in entries:
            vocab = ix.vocab[i]
            found_units = sum(w for t, w in units.items() if t in vocab)
            found_bigrams = sum(w for t, w in bigrams.items() if t in vocab)
            coverage = (found_units + found_bigrams) / (base + found_bigrams or 1.0)
            missing = [(t, w) for t, w in units.items() if t not in vocab]
            novelty = max((w for _, w in missing), default=0.0) / self._unknown_idf
            source = ix.source_vocab[i]
            novelty_source = (
                max((w for t, w in missing if t not in source), default=0.0) / self._unknown_idf
            )
            # Term overlap is computed for the closest few variants only: it is the costly part,
            # and the variant it favours is almost always among them.
            closest = heapq.nlargest(4, pools[i], key=lambda v: fuzzy.get(v, 0.0))
            best_fuzzy, best_text = fuzzy.get(closest[0], 0.0), ix.variants[closest[0]].text
            best_dice = 0.0
            for v in closest:
                variant = ix.variants[v]
                shared = sum(weights[t] for t in variant.terms & weights.keys())
                best_dice = max(best_dice, 2 * shared / (total + variant.weight))
            elsewhere = sum(self._keyword_weight(k) for k in found_keywords if k not in ix.texts[i])
            conflict = elsewhere / keyword_total if keyword_total else 0.0
            if not wanted <= ix.kinds[i]:
                conflict = 1.0  # asks "where" of an entry that only ever says "how many"
            ranked.append(
                Candidate(
                    self._entries[i].id,
                    blend(best_fuzzy, coverage, best_dice, th),
                    round(best_fuzzy, 2),
                    round(coverage, 3),
                    round(best_dice, 3),
                    round(conflict, 3),
                    best_text,
                    anchored=bool(found_keywords & ix.entry_keywords[i]),
                    novelty=round(novelty, 3),
                    novelty_source=round(novelty_source, 3),
                )
            )
        ranked.sort(key=lambda c: c.score, reverse=True)
        return ranked

    def _fuzzy(self, text: str, variant_ids: Sequence[int]) -> dict[int, float]:
        """Best fuzzy similarity of the question to each variant: as text, by sound, by words.

        Variants scoring under FUZZY_FLOOR every way are left out (read them as 0): they could
        not lift a candidate, and skipping them keeps the Python side of this loop short.
        """
        ix = self._ix
        scores: dict[int, float] = {}
        texts = [ix.variants[v].text for v in variant_ids]
        sounds = [ix.variants[v].sound for v in variant_ids]
        passes = [(text, texts, fuzz.ratio, 1.0), (sound_key(text), sounds, fuzz.ratio, 0.95)]
        if text.isascii():
            passes.append((text, texts, fuzz.token_sort_ratio, 1.0))
        for query, choices, scorer, factor in passes:
            for _, s, k in process.extract(
                query, choices, scorer=scorer, limit=None, score_cutoff=FUZZY_FLOOR
            ):
                v = variant_ids[k]
                scores[v] = max(scores.get(v, 0.0), factor * s)
        return scores

    def _keywords_in(self, text: str) -> set[str]:
        """The FAQ keywords the text contains (Latin ones as whole words)."""
        found = set()
        longest = self._longest_keyword
        for start in range(len(text)):
            for end in range(start + 1, min(len(text), start + longest) + 1):
                piece = text[start:end]
                if piece in self._ix.keywords and _on_word_boundaries(text, start, end):
                    found.add(piece)
        return found

    def _keyword_weight(self, keyword: str) -> float:
        return math.log(1 + len(self._entries) / self._ix.keywords.get(keyword, 1))

    def _decide(self, candidates: Sequence[Candidate]) -> Decision:
        return decide(candidates, self.thresholds)

    def close_calls(self, candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
        """Candidates good enough to offer as "did you mean"."""
        return close_calls(candidates, self.thresholds)

    def suggestions(self, match: Match) -> tuple[Candidate, ...]:
        """Up to three entries worth suggesting for a question."""
        return tuple(c for c in match.candidates if c.score >= self.thresholds.suggest)[:3]


def blend(fuzzy: float, coverage: float, dice: float, th: Thresholds) -> float:
    """The ranking score, 0–100: fuzzy similarity blended with weighted term overlap.

    Coverage asks "is everything in the question found in this entry?", dice asks "does one of the
    entry's questions say about the same thing, no more?".
    """
    terms_part = 100 * ((1 - th.dice_weight) * coverage + th.dice_weight * dice)
    return round(th.fuzzy_weight * fuzzy + (1 - th.fuzzy_weight) * terms_part, 2)


def viable(candidates: Sequence[Candidate], th: Thresholds) -> list[Candidate]:
    """Candidates with no strong sign that the question is about something else."""
    return [c for c in candidates if c.conflict <= th.conflict]


def with_confidence(candidates: Sequence[Candidate], th: Thresholds) -> list[Candidate]:
    """Viable candidates first, ranked, the best one carrying its modelled confidence."""
    ok = sorted(viable(candidates, th), key=lambda c: c.score, reverse=True)
    rest = [c for c in candidates if c.conflict > th.conflict]
    if ok:
        runner_up = ok[1].score if len(ok) > 1 else 0.0
        p = th.probability(ok[0].features(runner_up))
        ok[0] = replace(ok[0], confidence=round(p, 3))
    return ok + rest


def decide(candidates: Sequence[Candidate], th: Thresholds) -> Decision:
    """Answer, ask "did you mean", or refuse, given candidates from `with_confidence`.

    Below the confidence needed to answer, a plausible candidate is offered as a question
    ("did you mean …?") rather than stated: the asker gets a one-tap path, never a wrong answer.
    """
    if not candidates or candidates[0].conflict > th.conflict:
        return "refuse"
    best = candidates[0]
    second = candidates[1] if len(candidates) > 1 else None
    runner_up = second.score if second is not None and second.conflict <= th.conflict else 0.0
    if best.confidence >= th.confidence and best.score - runner_up >= th.margin:
        return "answer"
    return "ambiguous" if close_calls(candidates, th) else "refuse"


def close_calls(candidates: Sequence[Candidate], th: Thresholds) -> tuple[Candidate, ...]:
    """Up to three viable candidates plausible enough to offer as "did you mean"."""
    near = [c for c in viable(candidates, th)[:3] if c.score >= th.near]
    return tuple(c for c in near if c.score >= near[0].score - 15) if near else ()


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] does not cut an English word or number in two (a plural s aside)."""
    if text[end : end + 1] == "s" and text[end - 1 : end].isalpha():
        end += 1
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    cut_before = before.isascii() and before.isalnum() and text[start].isascii()
    cut_after = after.isascii() and after.isalnum() and text[end - 1].isascii()
    return not (cut_before or cut_after)


def _is_unit(term: str) -> bool:
    """A single Chinese character or an English word, as opposed to a character bigram."""
    return len(term) == 1 or not CJK_RE.match(term)


def _edition_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    from bot.text import numbers_in

    found = numbers_in(text, chinese_numerals=True)
    return int(next(iter(found))) if len(found) == 1 else None


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = [_phrase_regex(normalise(p)) for p in phrases if normalise(p)]
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


def _phrase_regex(phrase: str) -> str:
    body = re.escape(phrase)
    if phrase[-1].isascii() and phrase[-1].isalnum():
        body += r"(?:e?s)?(?![a-z0-9])"
    if phrase[0].isascii() and phrase[0].isalnum():
        body = r"(?<![a-z0-9])" + body
    return body


def _synonym_pattern(
    groups: Sequence[Sequence[str]],
) -> tuple[re.Pattern[str], Mapping[str, str]] | None:
    canon: dict[str, str] = {}
    for group in groups:
        head = normalise(group[0])
        for word in group:
            canon.setdefault(normalise(word), head)
    if not canon:
        return None
    pattern = re.compile("|".join(_phrase_regex(w) for w in sorted(canon, key=len, reverse=True)))

    class _Canon(dict[str, str]):
        def __missing__(self, key: str) -> str:
            # A plural matched the optional suffix: look the word up without it.
            for cut in (2, 1):
                if key[:-cut] in self:
                    return self[key[:-cut]]
            return key

    return pattern, _Canon(canon)
