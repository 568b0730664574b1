"""The lexical ranker: how well an entry's words fit the question's, and the guards built on them.

Candidates come from an inverted index of distinctive terms (Chinese characters and bigrams,
English content words). Each is measured by rapidfuzz similarity to its closest question variant
(on the text and on its pinyin sound key) and by IDF-weighted coverage and overlap of terms.

The same measurements carry the guards that keep near-misses from being answered:
- `conflict`: the question names a keyword of other entries that this one lacks (展商 vs 观众,
  开幕 vs 闭幕);
- `unanswered`: the question asks a kind of thing (where, when, who, how many…) that none of the
  entry's variants ever asks;
- `novelty`, `novelty_source` and `missing`: the question's content words the entry lacks, judged
  by whole words (`bot.matching.words`): 奖金 in "优秀产品奖的奖金有多少", never 甚 of 甚么 or a
  filler. A word counts as known when the entry's questions, answers or source say it or a
  synonym of it; a partial reply may name it only when the transcript right around the source
  does not say it either.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.knowledge import LANGS, Entry
from bot.matching.words import ROLE_WORDS, Segmenter, Thesaurus, Word, content_words
from bot.text import CJK_RE, normalise, question_spans, question_types, sound_key, terms

FUZZY_FLOOR = 30.0  # fuzzy similarities below this count as none
POOL_SIZE = 15  # entries scored in full per question, picked by shared distinctive terms
CLOSEST_VARIANTS = 4  # variants per entry whose term overlap is computed
NAME_WEIGHT = 0.8  # a name this rare in the FAQ (or unknown to it) is a detail of its own


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
    kinds: frozenset[str]  # kinds of question its variants ask
    facts: frozenset[str]  # kinds of question its answer's own facts answer (`answer_kinds`)
    text: str  # every variant joined, for keyword phrase look-ups
    keywords: frozenset[str]
    words: WordsKnown  # the words it says, for judging what a question asks


@dataclass(frozen=True)
class WordsKnown:
    """The words an entry says, at three distances from its answer, for `LexicalIndex.judge`."""

    own: frozenset[str]  # word keys of its questions, keywords and answers
    own_text: str  # those texts joined: a Chinese word inside a longer one counts (总面积)
    own_concepts: frozenset[int]  # their synonym groups
    source: frozenset[str]  # word keys of its source passage and translation
    source_text: str
    source_concepts: frozenset[int]
    context_text: str  # the transcript around the source: known, but not answered
    titles: bool = False  # its answer gives someone's title, so 身份, 职务 or "position" is said


@dataclass(frozen=True)
class Query:
    """A question in matching form with what every entry is compared on, computed once."""

    text: str
    weights: dict[str, float]  # its terms with their idf; unknown terms weigh the most
    units: dict[str, float]  # the single characters and English words among them
    bigrams: dict[str, float]
    keywords: frozenset[str]  # the FAQ keywords it names
    kinds: frozenset[str]  # the kinds of answer it asks for
    content: tuple[tuple[Word, float, frozenset[int]], ...] = ()  # content words, weights, groups
    asked: tuple[str, ...] = ()  # the phrases that say what kind it asks for (多少钱, cost)

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
    missing: str  # a noun of the question that not even the transcript around the source says
    unanswered: frozenset[str]  # kinds the question asks that the entry never answers
    unstated: frozenset[str] = frozenset()  # of those, the kinds its answer gives no fact of
    word_coverage: float = 1.0  # share of the question's content-word weight the entry says
    lacks_words: bool = False  # too few content words known, even around the source (QnABot)


class LexicalIndex:
    """An inverted index over the entries' variants; immutable once built."""

    def __init__(
        self,
        entries: Sequence[Entry],
        prepare: Callable[[str], str],
        segmenter: Segmenter,
        thesaurus: Thesaurus,
        *,
        fuzzy_weight: float = 0.5,
        dice_weight: float = 0.5,
    ) -> None:
        self.fuzzy_weight = fuzzy_weight
        self.dice_weight = dice_weight
        self.variants: list[Variant] = []
        self.entries: list[EntryTerms] = []
        self.df: Counter[str] = Counter()
        word_df: Counter[str] = Counter()
        keyword_owners: defaultdict[str, set[int]] = defaultdict(set)
        for i, entry in enumerate(entries):
            record = self._add(i, entry, prepare, segmenter, thesaurus)
            self.entries.append(record)
            self.df.update(record.vocab)
            word_df.update(record.words.own | record.words.source)
            for keyword in record.keywords:
                keyword_owners[keyword].add(i)
        n = len(entries)
        self.idf = {t: math.log(1 + n / df) for t, df in self.df.items()}
        # Word weights on 0–1: a word in every entry weighs almost nothing, an unknown one 1.
        self.word_weight = {w: math.log(1 + n / df) / math.log(1 + n) for w, df in word_df.items()}
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

    def _add(
        self,
        i: int,
        entry: Entry,
        prepare: Callable[[str], str],
        segmenter: Segmenter,
        thesaurus: Thesaurus,
    ) -> EntryTerms:
        questions = [q for lang in LANGS for q in entry.questions[lang]]
        keywords = [k for k in map(prepare, entry.keywords) if k]
        # The answers are matched too: people often ask in the answer's own words.
        answers = [prepare(entry.answer.zh), prepare(entry.answer.en)]
        prepared = list(
            dict.fromkeys([*filter(None, map(prepare, questions)), *keywords, *answers])
        )
        source = [prepare(entry.source.text), prepare(entry.source.translation)]
        own_words = {w.key for text in prepared for w in segmenter.words(text)}
        source_words = {w.key for text in source for w in segmenter.words(text)} - own_words
        known = WordsKnown(
            own=frozenset(own_words),
            own_text=" | ".join(prepared),
            own_concepts=thesaurus.concepts(own_words),
            source=frozenset(source_words),
            source_text=" | ".join(source),
            source_concepts=thesaurus.concepts(source_words),
            context_text=prepare(entry.source.context),
            titles=bool(_TITLES.search(entry.answer.zh)),
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
            kinds=frozenset().union(*(question_types(normalise(q)) for q in questions)),
            facts=answer_kinds(entry.answer.zh, segmenter),
            text=" | ".join((*prepared, *answers)),
            keywords=frozenset(keywords),
            words=known,
        )

    def _weight(self, found: Iterable[str]) -> float:
        return sum(self.idf.get(t, 0.0) for t in found) or 1.0

    # --- per question -----------------------------------------------------------------------------

    def query(
        self, text: str, words: Sequence[Word] = (), thesaurus: Thesaurus | None = None
    ) -> Query:
        """The question's terms, weights, keywords and kinds; `words` are its words
        (`Segmenter.words`), whose content words the entries are judged by."""
        weights = {}
        for term in terms(text):
            known = term in self.idf
            if not known and len(term) == 2 and CJK_RE.match(term):
                continue  # a bigram across a word boundary, not evidence either way
            weights[term] = self.idf[term] if known else self.unknown_idf
        units = {t: w for t, w in weights.items() if _is_unit(t)}
        bigrams = {t: w for t, w in weights.items() if t not in units}
        content = tuple(
            (
                word,
                self.word_weight.get(word.key, 1.0),
                thesaurus.groups(word.text) if thesaurus and not word.latin else frozenset(),
            )
            for word in content_words(words)
        )
        return Query(
            text,
            weights,
            units,
            bigrams,
            frozenset(self._keywords_in(text)),
            question_types(text),
            content,
            tuple(question_spans(text)),
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
            judged = judge_words(query, record.words)
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
                    novelty=judged.novelty,
                    novelty_source=judged.novelty_source,
                    missing=judged.missing,
                    unanswered=query.kinds - record.kinds,
                    unstated=query.kinds - record.kinds - record.facts,
                    word_coverage=judged.coverage,
                    lacks_words=judged.lacks,
                )
            )
        return out

    def judge(self, query: Query, entry: int) -> WordJudgement:
        """What one entry says of the question's content words."""
        return judge_words(query, self.entries[entry].words)

    def _nothing(self, i: int, query: Query) -> LexicalEvidence:
        """The evidence for an entry that shares nothing with the question."""
        return LexicalEvidence(
            i,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            "",
            False,
            1.0,
            1.0,
            "",
            query.kinds - self.entries[i].kinds,
            unstated=query.kinds - self.entries[i].kinds - self.entries[i].facts,
            word_coverage=0.0,
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


# What kind of fact an answer states, read off the answer itself: a hall or room is a place, a
# date or clock time a time, a price or "free" a cost, a list of names (、) which ones, and a list
# of fields which respects.
_ANSWER_FACTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("where", r"[0-9一二三四五六七八九十]+号馆|[0-9一二三四五六七八九十]+楼|厅|酒店|位于"),
        ("when", r"\d+月\d+日|\d+[时点]|上午|下午|晚上"),
        ("money", r"免费|\d+(?:万|亿)?元|收费"),
        # A list of names (、), or items one by one (分别): which ones, and who (华为、中兴、柔宇).
        ("which", r"、|分别"),
        ("who", r"、"),
        # In which respects: 涵盖物联网、先进制造等方面.
        ("how", r"、[^。]{0,24}(?:方面|领域|层面)"),
        ("list", r"、|分别"),
    )
)
_TITLES = re.compile(r"书记|部长|主任|秘书长|市长|省长|主席|记者|主持人")


def answer_kinds(answer: str, segmenter: Segmenter) -> frozenset[str]:
    """The kinds of question an answer's own facts answer (`question_types`' names): a typed
    record of what it gives, so that "which" of an answer that lists names is not unanswered."""
    found = {kind for kind, pattern in _ANSWER_FACTS if pattern.search(answer)}
    words = segmenter.words(normalise(answer))
    if _TITLES.search(answer) or any(w.tag in ("nr", "nrfg", "nrt") for w in words):
        found |= {"who", "name"}
    return frozenset(found)


def _is_unit(term: str) -> bool:
    """A single Chinese character or an English word, as opposed to a character bigram."""
    return len(term) == 1 or not CJK_RE.match(term)


#: Why a content word of the question is or is not held against an entry (`chat --debug`).
WORD_VERDICTS = {
    "own": "said by the entry",
    "title": "said: its answer gives a title",
    "source": "said by its source passage",
    "around": "said around its source: known, not answered",
    "part": "unknown, but part of it is said",
    "not_noun": "unknown, not a noun: never named",
    "asks": "unknown, but it says what kind is asked",
    "light": "unknown, too common to name",
    "named": "unknown: named as missing",
    "unknown": "unknown, a heavier noun is named",
}


@dataclass(frozen=True)
class WordJudgement:
    """What an entry says of a question's content words (see `judge_words`)."""

    novelty: float  # weight of the heaviest content word its questions and answers lack, 0–1
    novelty_source: float  # the same, its source passage counted too
    coverage: float  # share of the content-word weight its texts or source say
    missing: str  # the heaviest noun not even the transcript around the source says
    lacks: bool  # QnABot's rule fails (of one or two content words one is unknown, of more, over
    # a quarter), or a name or special term is unknown (德语 of 提供德语翻译吗)
    # Each content word, its weight and its `WORD_VERDICTS` key, for `chat --debug`.
    verdicts: tuple[tuple[str, float, str], ...] = ()


def judge_words(query: Query, known: WordsKnown) -> WordJudgement:
    """Which of the question's content words the entry says, itself or by a synonym.

    A word is known to the entry when its questions, keywords or answers say it (`own`), else
    when its source passage does; a Chinese word counts inside a longer one (面积 in 总面积). A
    word only the transcript right around the source says is not answered, but the briefing
    does mention it, so a partial reply may not call it missing.
    """
    if not query.content:
        return WordJudgement(0.0, 0.0, 1.0, "", False)
    novelty = novelty_source = total = found = 0.0
    missing: tuple[str, float] = ("", 0.0)
    unknown = 0
    name_unknown = False
    verdicts: list[tuple[str, float, str]] = []
    for word, weight, groups in query.content:
        total += weight
        verdict = _verdict(word, weight, groups, query, known)
        verdicts.append((word.text, weight, verdict))
        if verdict in ("own", "title"):
            found += weight
            continue
        novelty = max(novelty, weight)
        if verdict == "source":
            found += weight
            continue
        novelty_source = max(novelty_source, weight)
        if verdict == "around":
            continue
        unknown += 1
        if verdict == "part":
            continue
        name_unknown |= word.name and weight >= NAME_WEIGHT
        if verdict == "named" and weight > missing[1]:
            missing = (word.text, weight)
    n = len(query.content)
    lacks = name_unknown or (unknown > 0 if n <= 2 else unknown / n > 0.25)
    return WordJudgement(
        round(novelty, 3),
        round(novelty_source, 3),
        round(found / total if total else 1.0, 3),
        missing[0],
        lacks,
        tuple((w, x, "unknown" if v == "named" and w != missing[0] else v) for w, x, v in verdicts),
    )


def _verdict(
    word: Word, weight: float, groups: frozenset[int], query: Query, known: WordsKnown
) -> str:
    """Where the entry says one content word, or why it may (`named`) or may not be named.

    The rules in order, the first that holds deciding: said by the entry or its source, said
    around it, part of it said (not 被称作 of an entry saying 称为), not a noun, or a word of what
    kind is asked (cost, 费用: the kinds judge that).
    """
    rules: tuple[tuple[str, Callable[[], bool]], ...] = (
        ("title", lambda: word.key in ROLE_WORDS and known.titles),
        ("own", lambda: _says(word, groups, known.own, known.own_text, known.own_concepts)),
        (
            "source",
            lambda: _says(word, groups, known.source, known.source_text, known.source_concepts),
        ),
        ("around", lambda: not word.latin and word.text in known.context_text),
        ("part", lambda: _part_known(word, known)),
        ("not_noun", lambda: not word.noun),
        ("asks", lambda: any(word.text in s or s in word.text for s in query.asked)),
    )
    fallback = "named" if weight >= NAME_WEIGHT else "light"
    return next((verdict for verdict, holds in rules if holds()), fallback)


def _says(
    word: Word,
    groups: frozenset[int],
    keys: frozenset[str],
    text: str,
    concepts: frozenset[int],
) -> bool:
    """Whether texts with these word keys, joined text and synonym groups say the word."""
    return word.key in keys or (not word.latin and word.text in text) or bool(groups & concepts)


def _part_known(word: Word, known: WordsKnown) -> bool:
    """Whether a shorter word inside a long one is said anywhere near the entry."""
    texts = (known.own_text, known.source_text, known.context_text)
    return any(part in text for part in word.parts for text in texts)
