"""The lexical ranker: how well an entry's words fit the question's, and the guards built on them.

Candidates come from an inverted index of distinctive terms (Chinese characters and bigrams,
English content words). Each is measured by rapidfuzz similarity to its closest question variant
(on the text and on its pinyin sound key) and by IDF-weighted coverage and overlap of terms.

The same measurements carry the guards that keep near-misses from being answered:
- `conflict`: the question names a keyword of other entries that this one lacks (展商 vs 观众,
  开幕 vs 闭幕);
- `unanswered`: the question asks a kind of thing (where, when, who, how many…) that none of the
  entry's variants ever asks;
- `novelty` and `missing`: the most telling question word the entry lacks (奖金 in
  "优秀产品奖的奖金有多少").
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.knowledge import LANGS, Entry
from bot.text import CJK_RE, FUNCTION_CHARS, normalise, question_types, sound_key, terms

FUZZY_FLOOR = 30.0  # fuzzy similarities below this count as none
POOL_SIZE = 15  # entries scored in full per question, picked by shared distinctive terms
CLOSEST_VARIANTS = 4  # variants per entry whose term overlap is computed


@dataclass(frozen=True)
class Variant:
    """One question variant, keyword or answer of an entry, in matching form."""

    text: str
    sound: str
    terms: frozenset[str]
    entry: int
    weight: float = 0.0  # summed idf of its terms, for the weighted Dice overlap
    latin: bool = False  # no Chinese in it


@dataclass(frozen=True)
class EntryTerms:
    """What the lexical ranker knows of one entry."""

    variants: tuple[int, ...]
    same_script: tuple[tuple[int, ...], tuple[int, ...]]  # (Chinese, Latin-only) variants
    vocab: frozenset[str]  # terms of its questions, keywords and answers
    source_vocab: frozenset[str]  # the source passage's other terms
    kinds: frozenset[str]  # kinds of question its variants ask
    text: str  # every variant joined, for keyword phrase look-ups
    keywords: frozenset[str]


@dataclass(frozen=True)
class Query:
    """A question in matching form with what every entry is compared on, computed once."""

    text: str
    weights: dict[str, float]  # its terms with their idf; unknown terms weigh the most
    units: dict[str, float]  # the single characters and English words among them
    telling: dict[str, float]  # the units that can be the word an entry lacks (not 的, 哪…)
    bigrams: dict[str, float]
    keywords: frozenset[str]  # the FAQ keywords it names
    kinds: frozenset[str]  # the kinds of answer it asks for

    @property
    def latin(self) -> bool:
        return not CJK_RE.search(self.text)


@dataclass(frozen=True)
class LexicalEvidence:
    """How well one entry's words fit the question."""

    entry: int
    score: float  # the lexical ranking score, 0–100
    fuzzy: float
    coverage: float
    dice: float
    conflict: float  # share of the question's keyword weight that belongs to other entries
    variant: str  # the closest variant
    anchored: bool  # the question names one of the entry's keywords
    novelty: float  # weight of the most telling question word the entry lacks, 0–1
    novelty_source: float  # the same, counting the words of its source passage too
    missing: str  # that word
    unanswered: frozenset[str]  # kinds the question asks that the entry never answers


class LexicalIndex:
    """An inverted index over the entries' variants; immutable once built."""

    def __init__(
        self,
        entries: Sequence[Entry],
        prepare: Callable[[str], str],
        *,
        fuzzy_weight: float = 0.5,
        dice_weight: float = 0.5,
    ) -> None:
        self.fuzzy_weight = fuzzy_weight
        self.dice_weight = dice_weight
        self.variants: list[Variant] = []
        self.entries: list[EntryTerms] = []
        self.df: Counter[str] = Counter()
        keyword_owners: defaultdict[str, set[int]] = defaultdict(set)
        for i, entry in enumerate(entries):
            record = self._add(i, entry, prepare)
            self.entries.append(record)
            self.df.update(record.vocab)
            for keyword in record.keywords:
                keyword_owners[keyword].add(i)
        n = len(entries)
        self.idf = {t: math.log(1 + n / df) for t, df in self.df.items()}
        self.variants = [
            Variant(v.text, v.sound, v.terms, v.entry, self._weight(v.terms), v.latin)
            for v in self.variants
        ]
        self.unknown_idf = math.log(1 + n)
        self.postings: defaultdict[str, list[int]] = defaultdict(list)
        for i, record in enumerate(self.entries):
            for term in record.vocab:
                self.postings[term].append(i)
        self.keywords = {k: len(owners) for k, owners in keyword_owners.items()}
        self._longest_keyword = max(map(len, self.keywords), default=0)
        # Terms in most entries add nothing to candidate search and would make it slow at scale.
        self._posting_cap = max(500, n // 20)

    def _add(self, i: int, entry: Entry, prepare: Callable[[str], str]) -> EntryTerms:
        questions = [q for lang in LANGS for q in entry.questions[lang]]
        keywords = [k for k in map(prepare, entry.keywords) if k]
        # The answers are matched too: people often ask in the answer's own words.
        answers = [prepare(entry.answer.zh), prepare(entry.answer.en)]
        prepared = list(
            dict.fromkeys([*filter(None, map(prepare, questions)), *keywords, *answers])
        )
        ids = []
        vocab: set[str] = set()
        for text in prepared:
            ids.append(len(self.variants))
            found = frozenset(terms(text))
            vocab |= found
            self.variants.append(
                Variant(text, sound_key(text), found, i, latin=not CJK_RE.search(text))
            )
        latin = tuple(v for v in ids if self.variants[v].latin)
        cjk = tuple(v for v in ids if not self.variants[v].latin)
        return EntryTerms(
            variants=tuple(ids),
            same_script=(cjk, latin),
            vocab=frozenset(vocab),
            # The source's words are known to the entry too, as a weaker sign (novelty_source).
            source_vocab=frozenset(terms(prepare(entry.source.text))) - vocab,
            kinds=frozenset().union(*(question_types(normalise(q)) for q in questions)),
            text=" | ".join((*prepared, *answers)),
            keywords=frozenset(keywords),
        )

    def _weight(self, found: Iterable[str]) -> float:
        return sum(self.idf.get(t, 0.0) for t in found) or 1.0

    # --- per question -----------------------------------------------------------------------------

    def query(self, text: str) -> Query:
        """The question's terms, weights, keywords and kinds."""
        weights = {}
        for term in terms(text):
            known = term in self.idf
            if not known and len(term) == 2 and CJK_RE.match(term):
                continue  # a bigram across a word boundary, not evidence either way
            weights[term] = self.idf[term] if known else self.unknown_idf
        units = {t: w for t, w in weights.items() if _is_unit(t)}
        bigrams = {t: w for t, w in weights.items() if t not in units}
        telling = {t: w for t, w in units.items() if t not in FUNCTION_CHARS}
        return Query(
            text,
            weights,
            units,
            telling,
            bigrams,
            frozenset(self._keywords_in(text)),
            question_types(text),
        )

    def pool(self, query: Query, size: int = POOL_SIZE) -> list[int]:
        """The entries sharing the most distinctive term weight with the question."""
        pool: defaultdict[int, float] = defaultdict(float)
        for term, w in query.weights.items():
            posting = self.postings.get(term)
            if posting and len(posting) <= self._posting_cap:
                for i in posting:
                    pool[i] += w
        return heapq.nlargest(size, pool, key=pool.__getitem__)

    def score(self, query: Query, entries: Iterable[int]) -> list[LexicalEvidence]:
        """The lexical evidence for each of the given entries."""
        entries = list(dict.fromkeys(entries))
        if not query.weights or not entries:
            return [self._nothing(i, query) for i in entries]
        # A Chinese question is compared with Chinese variants, an English one with English ones.
        script = 1 if query.latin else 0
        pools = {
            i: self.entries[i].same_script[script] or self.entries[i].variants for i in entries
        }
        fuzzy = self._fuzzy(query.text, [v for i in entries for v in pools[i]])
        total = sum(query.weights.values())
        # Single characters and words always count; a bigram counts only where it is found,
        # so a bigram straddling two words of the question is no evidence against an entry.
        base = sum(query.units.values())
        keyword_total = sum(self._keyword_weight(k) for k in query.keywords)
        out = []
        for i in entries:
            record = self.entries[i]
            vocab = record.vocab
            found_units = sum(w for t, w in query.units.items() if t in vocab)
            found_bigrams = sum(w for t, w in query.bigrams.items() if t in vocab)
            coverage = (found_units + found_bigrams) / (base + found_bigrams or 1.0)
            missing = [(t, w) for t, w in query.telling.items() if t not in vocab]
            novelty = max((w for _, w in missing), default=0.0)
            # The word the partial reply says the briefing lacks: not in the source either.
            beyond = [(t, w) for t, w in missing if t not in record.source_vocab]
            telling = max(beyond, key=lambda tw: tw[1], default=("", 0.0))
            # Term overlap is computed for the closest few variants only: it is the costly part,
            # and the variant it favours is almost always among them.
            closest = heapq.nlargest(CLOSEST_VARIANTS, pools[i], key=lambda v: fuzzy.get(v, 0.0))
            best_fuzzy, best_text = fuzzy.get(closest[0], 0.0), self.variants[closest[0]].text
            best_dice = 0.0
            for v in closest:
                variant = self.variants[v]
                shared = sum(query.weights[t] for t in variant.terms & query.weights.keys())
                best_dice = max(best_dice, 2 * shared / (total + variant.weight))
            elsewhere = sum(self._keyword_weight(k) for k in query.keywords if k not in record.text)
            out.append(
                LexicalEvidence(
                    entry=i,
                    score=self.blend(best_fuzzy, coverage, best_dice),
                    fuzzy=round(best_fuzzy, 2),
                    coverage=round(coverage, 3),
                    dice=round(best_dice, 3),
                    conflict=round(elsewhere / keyword_total if keyword_total else 0.0, 3),
                    variant=best_text,
                    anchored=bool(query.keywords & record.keywords),
                    novelty=round(novelty / self.unknown_idf, 3),
                    novelty_source=round(telling[1] / self.unknown_idf, 3),
                    missing=telling[0],
                    unanswered=query.kinds - record.kinds,
                )
            )
        return out

    def _nothing(self, i: int, query: Query) -> LexicalEvidence:
        """The evidence for an entry that shares nothing with the question."""
        return LexicalEvidence(
            i, 0.0, 0.0, 0.0, 0.0, 0.0, "", False, 1.0, 1.0, "", query.kinds - self.entries[i].kinds
        )

    def blend(self, fuzzy: float, coverage: float, dice: float) -> float:
        """The ranking score, 0–100: fuzzy similarity blended with weighted term overlap.

        Coverage asks "is everything in the question found in this entry?", dice asks "does one of
        the entry's questions say about the same thing, no more?".
        """
        terms_part = 100 * ((1 - self.dice_weight) * coverage + self.dice_weight * dice)
        return round(self.fuzzy_weight * fuzzy + (1 - self.fuzzy_weight) * terms_part, 2)

    def _fuzzy(self, text: str, variant_ids: Sequence[int]) -> dict[int, float]:
        """Best fuzzy similarity of the question to each variant: as text, by sound, by words.

        Variants scoring under FUZZY_FLOOR every way are left out (read them as 0): they could
        not lift a candidate, and skipping them keeps the Python side of this loop short.
        """
        scores: dict[int, float] = {}
        texts = [self.variants[v].text for v in variant_ids]
        sounds = [self.variants[v].sound for v in variant_ids]
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
                if piece in self.keywords and _on_word_boundaries(text, start, end):
                    found.add(piece)
        return found

    def _keyword_weight(self, keyword: str) -> float:
        return math.log(1 + len(self.entries) / self.keywords.get(keyword, 1))


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
