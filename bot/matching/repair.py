"""Putting a question in matching form, and repairing its typos against the FAQ's own words.

`Canon` is the form both questions and FAQ variants are compared in: normalised (`bot.text`), the
event's own name and "this edition" dropped (every question shares them), synonyms mapped to the
first word of their group. `Repairer` then corrects misspelt English words (visiters → visitors)
and homophone typos in Chinese (展伤 → 展商, 高交汇 → 高交会) through pinyin sound keys, but only
towards words the FAQ uses.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from rapidfuzz import fuzz, process

from bot.knowledge import Knowledge
from bot.matching.patterns import phrase_pattern, synonym_pattern
from bot.matching.scope import EDITION_RE
from bot.text import CJK_RE, EN_STOPWORDS, cjk_runs, normalise, sound_key, stem

_THIS_EDITION = re.compile(
    r"本届|这届|这一届|此届|今届|呢届|这次|此次|本次|今年|this year'?s?|this time"
)
ENGLISH_WORD = re.compile(r"[a-z]+")
# How alike a misspelt English word must be to the FAQ's word: visiters → visitors (87.5), but
# not duty → deputy (80) or supposed → supported (82), which are words of their own.
SPELLING = 85.0


class Canon:
    """The matching form of a text, the same for questions and FAQ variants."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._names = phrase_pattern(knowledge.scope.names)
        self._synonyms = synonym_pattern(knowledge.synonyms)
        year = knowledge.scope.year
        self._year = re.compile(rf"(?<!\d){year}\s*年?(?!\d)") if year is not None else None

    def __call__(self, text: str) -> str:
        """Normalise text, then `canonical`."""
        return self.canonical(normalise(text))

    def canonical(self, text: str) -> str:
        """Drop what every question shares (the event's name, this edition), map synonyms."""
        text = self._names.sub(" ", text) if self._names else text
        text = _THIS_EDITION.sub(" ", text)
        text = EDITION_RE.sub(" ", text)  # other editions were refused before this
        if self._year is not None:
            text = self._year.sub(" ", text)
        if self._synonyms is not None:
            pattern, canon = self._synonyms
            text = pattern.sub(lambda m: f" {canon[m.group(0)]} ", text)
        return " ".join(text.split())


class Repairer:
    """Corrects typos in a question in matching form, towards the FAQ's vocabulary.

    `known` holds every index term with the number of entries using it; `words` the English
    words worth correcting towards; `wordlike` the FAQ's deliberate words (keywords, synonyms,
    the event's names), which win over chance bigrams.
    """

    def __init__(
        self,
        canon: Canon,
        known: Mapping[str, int],
        words: Sequence[str],
        wordlike: Collection[str],
    ) -> None:
        self._canon = canon
        self._known = known
        self._words = sorted(w for w in words if len(w) >= 4)
        # A typo is repaired only into one of the FAQ's deliberate words, whole: 展伤 → 展商,
        # but never 是讲 → 示奖 (half of 展示奖) or 志工 → 致公 (half of 致公党).
        self._words_with: dict[str, list[str]] = {}
        for word in sorted(wordlike, key=len):
            for i in range(len(word) - 1):
                pair = word[i : i + 2]
                if CJK_RE.match(pair) and CJK_RE.match(pair[1]):
                    self._words_with.setdefault(pair, []).append(word)
        # Where words sound alike (展商, 展上), the commonest in the FAQ wins.
        ranked = sorted(self._words_with, key=lambda t: known.get(t, 0), reverse=True)
        self._sound_bigrams: dict[str, str] = {}
        for term in ranked:
            self._sound_bigrams.setdefault(sound_key(term), term)

    def __call__(self, text: str) -> str:
        """Correct misspelt English words and homophone typos; the result is in matching form."""
        text = ENGLISH_WORD.sub(self._fix_word, text)
        for run in cjk_runs(text):
            fixed = list(run)
            repaired_until = 0  # a character is repaired at most once: 展伤有 → 展商有, not 展上有
            for i in range(len(run) - 1):
                pair = "".join(fixed[i : i + 2])
                if i < repaired_until or pair in self._known or pair in self._words_with:
                    continue
                known = self._sound_bigrams.get(sound_key(pair))
                if known and self._makes_word(fixed, i, known):
                    fixed[i : i + 2] = known
                    repaired_until = i + 2
            if fixed != list(run):
                text = text.replace(run, "".join(fixed), 1)
        return self._canon.canonical(text)

    def _makes_word(self, chars: list[str], at: int, pair: str) -> bool:
        """Whether putting pair at chars[at:at+2] completes one of the words it belongs to."""
        candidate = "".join(chars[:at]) + pair + "".join(chars[at + 2 :])
        for word in self._words_with[pair]:
            offset = word.index(pair)
            start = at - offset
            if start >= 0 and candidate[start : start + len(word)] == word:
                return True
        return False

    def _fix_word(self, m: re.Match[str]) -> str:
        word = m.group(0)
        if len(word) < 4 or stem(word) in self._known or word in EN_STOPWORDS:
            return word
        best = process.extractOne(word, self._words, scorer=fuzz.ratio, score_cutoff=SPELLING)
        return str(best[0]) if best else word


def english_words(texts: Sequence[str]) -> set[str]:
    """The English words of texts, normalised: the targets of spelling repair."""
    found: set[str] = set()
    for text in texts:
        found.update(ENGLISH_WORD.findall(normalise(text)))
    return found
