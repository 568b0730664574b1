"""Questions typed in toneless pinyin, read back into Chinese words the FAQ uses.

A visitor without a Chinese keyboard types ``you duoshao zhanshang`` or ``youduoshaoguanzhong``.
`PinyinReader` cuts the letters into the pinyin of words from the FAQ's own Chinese texts (the
fewest words, the commoner on a tie) and gives back 有多少展商, which is then matched like any
question, with every guard in place. Only a whole reading counts: one letter left over, or a
message that reads as English, and the message is left as it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping

from bot.text import toneless_readings

_MARK = r"[?？!！,，.。;；:：~～…、]+"
_PUNCT = re.compile(_MARK)
_MARKS = re.compile(f"({_MARK})")  # kept by `re.split`
MIN_LETTERS = 4  # "ma" or "you" alone reads as anything
MAX_LETTERS = 120  # longer is prose, not a question typed without a keyboard
MIN_SYLLABLES = 2
MAX_KEYS = 8  # readings kept of a word whose characters have several
#: Words of conversation that the FAQ's questions seldom hold, read when nothing else spells
#: the letters: na guanzhong ne is 那观众呢.
SPOKEN = ("呢", "那", "那么", "那个", "还有", "其他", "另外", "他", "她", "它", "吧", "啊", "呀")
# 哪 asks only before a measure word (哪个, 哪些, 哪里) or at the end (在哪); before anything
# else it is 那, the same syllable: 那观众呢.
_NOT_WHICH = re.compile(r"哪(?=[^个些里儿位家所年天种项边样条间届])")


def pinyin_keys(word: str, readings: Mapping[str, tuple[str, ...]] | None = None) -> list[str]:
    """A word's toneless pinyin, run together, each way its characters may be read (a few at
    most): 展商 → zhanshang; 银行 → yinxing, yinhang; 绿色 → lvse, luse. `readings` are
    `toneless_readings` of its characters; pass them when keying many words, since reading
    them means reading pypinyin's table."""
    table = toneless_readings(word) if readings is None else readings
    keys = [""]
    for char in word:
        readings_of = table.get(char, ())
        if not readings_of:
            return []
        keys = [k + r for k in keys for r in readings_of][:MAX_KEYS]
    return keys


def pinyin_letters(text: str, english: Collection[str]) -> str | None:
    """The letters of a message that may be pinyin, run together; None when it cannot be: other
    characters than letters, one syllable's worth, or mostly English words ("you can" is not 有看).

    `text` is folded (lower case, half width); punctuation is ignored.
    """
    tokens = _PUNCT.sub(" ", text).replace("'", " ").split()
    letters = "".join(tokens)
    if not (MIN_LETTERS <= len(letters) <= MAX_LETTERS) or not letters.isascii():
        return None
    if not letters.isalpha():
        return None
    known = sum(len(t) for t in tokens if t in english)
    return None if known * 2 >= len(letters) else letters


class PinyinReader:
    """Reads toneless pinyin as the FAQ's words: `words` are its Chinese words and how often
    they occur."""

    def __init__(self, words: Mapping[str, int]) -> None:
        self._words: dict[str, tuple[str, float]] = {}
        vocabulary = {**dict.fromkeys(SPOKEN, 1), **words}
        readings = toneless_readings("".join(vocabulary))
        for word, count in vocabulary.items():
            # Its usual reading counts in full; another (都 as du, 哪 as ne) only where no
            # word's usual reading spells the letters.
            for i, key in enumerate(pinyin_keys(word, readings)):
                weight = count if i == 0 else min(count / 10, 0.5)
                if weight > self._words.get(key, ("", -1.0))[1]:
                    self._words[key] = (word, weight)
        self._longest = max(map(len, self._words), default=0)

    def read_text(self, text: str) -> str | None:
        """The Chinese that a folded pinyin message spells, read piece by piece between its
        marks, which are kept: you duoshao zhanshang, you duoshao guanzhong? is two questions
        still (有多少展商,有多少观众?). None if any piece is not pinyin of the FAQ's words."""
        out = []
        for piece in _MARKS.split(text):
            if _MARKS.fullmatch(piece) or not piece.strip():
                out.append(piece.strip())
                continue
            read = self.read("".join(piece.replace("'", " ").split()))
            if read is None:
                return None
            out.append(read)
        return "".join(out)

    def read(self, letters: str) -> str | None:
        """The Chinese that pinyin letters (`pinyin_letters`) spell, or None if no reading
        spells them all, mostly in words of two characters or more."""
        words = self._cut(letters)
        if words is None or sum(map(len, words)) < MIN_SYLLABLES:
            return None
        # Mostly words of the FAQ, not characters strung together: ding dong is not 定东.
        if 2 * sum(len(w) for w in words if len(w) > 1) < sum(map(len, words)):
            return None
        return _NOT_WHICH.sub("那", "".join(words))

    def _cut(self, letters: str) -> list[str] | None:
        """The fewest words whose pinyin spells letters exactly, commoner words on a tie."""
        n = len(letters)
        best: list[tuple[float, int, str] | None] = [None] * (n + 1)  # cost, start, word
        best[0] = (0.0, 0, "")
        for end in range(1, n + 1):
            for start in range(max(0, end - self._longest), end):
                before = best[start]
                found = self._words.get(letters[start:end])
                if before is None or found is None:
                    continue
                cost = before[0] + 1.0 - 0.01 * math.log1p(found[1])
                current = best[end]
                if current is None or cost < current[0]:
                    best[end] = (cost, start, found[0])
        if best[n] is None:
            return None
        words: list[str] = []
        at = n
        while at > 0 and (step := best[at]) is not None:
            words.append(step[2])
            at = step[1]
        return words[::-1]
