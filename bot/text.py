"""Text normalisation shared by the FAQ index and incoming questions.

Everything here is language plumbing, not expo knowledge: Unicode folding, Traditional → Simplified,
Cantonese question words, filler phrases, terms for the index, and reading numbers such as 12万.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import opencc

Lang = Literal["zh", "en"]
#: How Chinese is written: Simplified, or Traditional.
Script = Literal["hans", "hant"]
#: The written form a Chinese reply takes: Simplified, Traditional as in Hong Kong (OpenCC
#: `s2hk`), or Traditional with Taiwan vocabulary (`s2twp`).
Variant = Literal["hans", "hk", "tw"]

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
# Punctuation becomes a space; a decimal point between digits (59.2, 22.4) survives.
_PUNCT = re.compile(r"(?<!\d)\.|\.(?!\d)|[^\w\s.]|_")
_SPACES = re.compile(r"\s+")

# Cantonese question words that OpenCC leaves alone. Applied before conversion, so that
# 係 in 關係 is safe.
_CANTONESE = {
    "係唔係": "是不是",
    "系唔系": "是不是",
    "係咪": "是不是",
    "系咪": "是不是",
    "邊啲": "哪些",
    "边啲": "哪些",
    "加埋": "加起来",
    "幾個鐘": "几个小时",
    "几个钟": "几个小时",
    "幾多個鐘": "多少个小时",
    "几多个钟": "多少个小时",
    "攞": "拿",
    "幫手": "帮忙",
    "幾多間": "多少家",
    "几多间": "多少家",
    "幾多": "多少",
    "几多": "多少",
    "幾時": "什么时候",
    "几时": "什么时候",
    "邊度": "哪里",
    "边度": "哪里",
    "邊個": "谁",
    "边个": "谁",
    "點樣": "怎样",
    "点样": "怎样",
    "乜嘢": "什么",
    "咩嘢": "什么",
    "咩": "什么",
    "喺": "在",
    "冇": "没有",
    "嘅": "的",
    "咗": "了",
    "啲": "些",
    "嚟": "来",
    "睇": "看",
    "佢哋": "他们",
    "佢": "他",
    "唔": "不",
    # Northern colloquial forms of the same question words.
    "啥子": "什么",
    "啥": "什么",
    "咋样": "怎样",
    "咋": "怎么",
    "揾": "找",
    "搵": "找",
    "边年": "哪年",
    "邊年": "哪年",
    "搞": "办",
    "边几": "哪几",
    "邊幾": "哪几",
    "幾耐": "多久",
    "几耐": "多久",
    "仲有": "还有",
    "入面": "里面",
    "出面": "外面",
    "㗎": "",  # sentence-final particles
    "喎": "",
    "傾": "谈",
    "倾": "谈",
}
# 边个 is "who" alone but "which" before a noun: 边个馆 is which hall, 边个厅 which room.
_WHICH_NOUN = "厅廳馆館展区區号號国國省市城部单單公企机機台臺媒报報奖獎项項场場地家间間"
_CANTONESE_RE = re.compile(
    "|".join(sorted(map(re.escape, _CANTONESE), key=len, reverse=True)) + r"|(?<![關关聯联])係"
)


def _cantonese(match: re.Match[str]) -> str:
    word, after = match.group(0), match.string[match.end() : match.end() + 1]
    if word in ("边个", "邊個") and after and after in _WHICH_NOUN:
        return "哪个"
    return _CANTONESE.get(word, "是")


# Politeness and hedging that carry no meaning for matching. Longest first so phrases win.
_ZH_FILLERS = (
    "我想知道",
    "我想了解",
    "我想问一下",
    "我想问问",
    "我想问",
    "想问一下",
    "想问问",
    "想了解",
    "麻烦问一下",
    "麻烦问下",
    "麻烦问",
    "请问一下",
    "请问下",
    "请问",
    "问一下",
    "问下",
    "能告诉我",
    "告诉我",
    "你知道",
    "知不知道",
    "谁知道",
    "有谁知道",
    "大家好",
    "你好",
    "您好",
    "一下",
    "大概",
    "大约",
    "大致",
    "差不多",
    "来着",
    "谢谢",
    "那个",
    "哈",
    "吗",
    "呢",
    "呀",
    "啊",
    "吧",
    "哦",
    "嘛",
    "啦",
    "哇",
    "诶",
    "嗯",
)
_EN_FILLERS = (
    "can you please tell me",
    "could you please tell me",
    "can you tell me",
    "could you tell me",
    "would you tell me",
    "do you know",
    "i would like to know",
    "i'd like to know",
    "i want to know",
    "i wonder",
    "please tell me",
    "tell me",
    "please",
    "hello",
    "hi",
    "hey",
    "thanks",
    "thank you",
    "pls",
    "plz",
)
# Hesitation: 呃 anywhere, 额 only standing alone (额, 那个… but not 成交额).
_ZH_FILLER_RE = re.compile(
    "|".join(map(re.escape, _ZH_FILLERS)) + r"|呃|(?<![\u4e00-\u9fff])额(?![\u4e00-\u9fff])"
)
_EN_FILLER_RE = re.compile(
    r"\b(?:"
    + "|".join(map(re.escape, _EN_FILLERS))
    # Interjections and laughter of chat: ummm, hmm, uh, erm, lol, haha.
    + r"|u+m+|h+m+|u+h+|e+r+m*|a+h+|lol|lmao|(?:ha){2,}h?)\b"
)
# Chat spellings of common words: how many ppl came, wat was the theme.
_EN_CHAT = {"ppl": "people", "wat": "what", "wut": "what", "u": "you", "ur": "your", "yr": "year"}
_EN_CHAT_RE = re.compile(r"\b(?:" + "|".join(_EN_CHAT) + r")\b")

# English words too common to tell entries apart; they still count for fuzzy similarity.
EN_STOPWORDS = frozenset(
    """
    a an the is are was were be been being do does did done doing of in on at to for from by
    with and or but how what which who whom whose when where why many much there here this
    that these those it its any some all i you we they he she me my your our their his her
    us them can could would will shall should may might must have has had having about as
    into onto than then so if not no yes get got gets getting put puts make made makes take
    took taken takes give gave given go went gone going come came coming let lets tell told
    say said know knew want wanted like just also too very really actually roughly
    approximately around about total overall altogether exactly each every per during over
    under up down out off again still ever even only both either neither such same other
    another more most less least few lot lots kind sort one ones anything something thing
    things show showed shown see saw seen look looking find found happen happened held hold
    hosted host offer offered provide provided there's what's who's where's when's how's
    it's that's i'm i'd please thanks hi hello hey ok okay well
    """.split()
)


@cache
def _converters() -> tuple[opencc.OpenCC, opencc.OpenCC]:
    # Taiwan phrasing first (發佈會, 資訊), then Hong Kong variants;
    # Simplified text passes unchanged.
    return opencc.OpenCC("tw2sp"), opencc.OpenCC("hk2s")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese (Taiwan or Hong Kong usage, Cantonese words) to Simplified."""
    text = _CANTONESE_RE.sub(_cantonese, text)
    if not CJK_RE.search(text):
        return text
    taiwan, hong_kong = _converters()
    return _VARIANTS_RE.sub(
        lambda m: _VARIANTS[m.group(0)], hong_kong.convert(taiwan.convert(text))
    )


# Variant characters OpenCC keeps apart from the standard word: 甚麼 becomes 甚么, not 什么.
_VARIANTS = {"甚么": "什么", "甚麽": "什么", "什麽": "什么"}
_VARIANTS_RE = re.compile("|".join(_VARIANTS))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """NFKC, case-fold and Traditional → Simplified; punctuation and wording are kept."""
    return to_simplified(unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The matching form of a question: folded, without fillers or punctuation."""
    text = fold(text)
    text = _EN_FILLER_RE.sub(" ", text)
    text = _EN_CHAT_RE.sub(lambda m: _EN_CHAT[m.group(0)], text)
    text = _ZH_FILLER_RE.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def detect_lang(text: str) -> Lang:
    """Chinese when the text holds any Chinese character, English otherwise."""
    return "zh" if CJK_RE.search(text) else "en"


# --- the language and script of a reply ----------------------------------------------------------

_LATIN_LETTER = re.compile(r"[A-Za-z]")
# Written Cantonese: a Traditional question holding one of these is answered in Hong Kong forms.
_CANTONESE_MARKERS = re.compile(
    "幾多|幾時|幾大|幾錢|幾間|幾耐|邊[個度啲位間日年兩幾一]|點樣|乜嘢|咩|係|喺|冇|嘅|咗|啲|嚟|睇|佢"
    "|唔|攞|搵|揾|噉|咁|嗰|呢[個句啲度位]|閂|㗎|喎|嘢|今屆"
)


@dataclass(frozen=True)
class Voice:
    """The language a reply is in and, for Chinese, the written form it takes."""

    lang: Lang = "zh"
    variant: Variant = "hans"

    @property
    def script(self) -> Script:
        return "hans" if self.variant == "hans" else "hant"


ENGLISH = Voice("en")
SIMPLIFIED = Voice("zh")


def voice_of(text: str) -> Voice | None:
    """The language and script a text is written in; None when it has none of its own
    (punctuation, emoji, a bare number), so the conversation's language holds."""
    if CJK_RE.search(text):
        return Voice("zh", chinese_variant(text))
    return ENGLISH if _LATIN_LETTER.search(unicodedata.normalize("NFKC", text)) else None


def chinese_variant(text: str) -> Variant:
    """Traditional when the text's Chinese characters change under conversion to Simplified;
    in Hong Kong forms when it is written Cantonese, in Taiwan forms otherwise."""
    chinese = "".join(cjk_runs(text))
    # Characters only: the phrase tables would also turn Simplified 智慧 into 智能.
    if str(_characters_to_simplified().convert(chinese)) == chinese:
        return "hans"
    return "hk" if _CANTONESE_MARKERS.search(chinese) else "tw"


def script_neutral(text: str) -> bool:
    """Whether text's Chinese characters read the same in both scripts (咁科技部呢): such a
    message says nothing of the script, and the conversation's holds."""
    chinese = "".join(cjk_runs(text))
    return (
        str(_characters_to_traditional().convert(chinese))
        == chinese
        == str(_characters_to_simplified().convert(chinese))
    )


@cache
def _characters_to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _characters_to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


@cache
def _to_traditional(variant: Variant) -> opencc.OpenCC:
    return opencc.OpenCC("s2hk" if variant == "hk" else "s2twp")


@lru_cache(maxsize=4096)
def written(text: str, variant: Variant) -> str:
    """Simplified text in the given written form; unchanged for Simplified or text without
    Chinese."""
    if variant == "hans" or not CJK_RE.search(text):
        return text
    return str(_to_traditional(variant).convert(text))


# American spellings of the FAQ's British English: organization meets organisation.
_AMERICAN = re.compile(
    r"(?<=\w{4})iz(?=(?:e|ed|es|ing|ation|ations|er|ers)$)|^(?:cent|theat)er(?=s?$)"
)


def stem(word: str) -> str:
    """Fold English plurals and common suffixes so 'exhibitors' meets 'exhibitor', and American
    spellings so 'organizations' meets 'organisations'."""
    word = _AMERICAN.sub(lambda m: "is" if m.group(0) == "iz" else m.group(0)[:-2] + "re", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Latin words and numbers of a normalised text, stemmed."""
    return [stem(w) for w in _LATIN_WORD.findall(text)]


def cjk_runs(text: str) -> list[str]:
    """The runs of consecutive Chinese characters in a text."""
    return _CJK_RUN.findall(text)


def terms(text: str) -> set[str]:
    """Index terms of a normalised text: Chinese characters and bigrams, English content words."""
    found: set[str] = set()
    for run in cjk_runs(text):
        found.update(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    found.update(w for w in words(text) if w not in EN_STOPWORDS)
    return found


# --- pinyin keys, so that homophone typos (展伤 → 展商, 高交汇 → 高交会) still match ---


_PINYIN_LINE = re.compile(r'"(\d+)":\s*"([^"]*)"')


def _pinyin_readings() -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each character and its pinyin readings with tones, as pypinyin lists them; nothing if its
    data is missing. Only pypinyin's single-character table is read: importing the package would
    also load its 50 MB phrase dictionary. Read line by line ("12295": "líng,yuán,xīng"), never
    kept whole: as one object the table would cost 9 MB."""
    # find_spec locates the package without importing it (its __init__ trains a segmenter).
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        return
    try:
        raw = (Path(spec.origin).parent / "pinyin_dict.json").read_text("utf-8")
    except OSError:
        return
    for m in _PINYIN_LINE.finditer(raw):
        yield chr(int(m.group(1))), tuple(m.group(2).split(","))


def _toneless(reading: str, v: bool = False) -> str:
    """A reading less its tone marks; ü as v when `v` (as keyboards type it), else as u."""
    plain = unicodedata.normalize("NFKD", reading)
    if v:
        plain = plain.replace("u\u0308", "v")
    return "".join(c for c in plain if not unicodedata.combining(c))


# The characters sound keys know: CJK Extension A and the basic block, every one an input
# method types; the rarer extensions are left as they are.
_SOUND_FIRST, _SOUND_END = 0x3400, 0xA000


class _SoundTable:
    """`str.translate`'s table of sound codes, held as one string: a dict of 40,000 characters
    would cost 10 MB."""

    def __init__(self, codes: str) -> None:
        self._codes = codes

    def __getitem__(self, ordinal: int) -> str:
        code = self._codes[ordinal - _SOUND_FIRST] if _SOUND_FIRST <= ordinal < _SOUND_END else ""
        if not code or code == "\0":
            raise LookupError(ordinal)  # the character stays as it is
        return code


@cache
def _sound_table() -> _SoundTable:
    """Character → code of its toneless first pinyin reading; empty if pypinyin's data is missing.

    One private-use character per syllable keeps sound keys as long as the text, so rapidfuzz
    compares them syllable by syllable.
    """
    syllables: dict[str, str] = {}
    codes = ["\0"] * (_SOUND_END - _SOUND_FIRST)
    for ch, readings in _pinyin_readings():
        if _SOUND_FIRST <= ord(ch) < _SOUND_END:
            syllable = _toneless(readings[0])
            codes[ord(ch) - _SOUND_FIRST] = syllables.setdefault(
                syllable, chr(0xF0000 + len(syllables))
            )
    return _SoundTable("".join(codes))


def toneless_readings(chars: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each character's readings in toneless pinyin as people type them, commonest first: 绿 is
    lv and lu, 行 xing and hang; a character pypinyin does not know is left out."""
    wanted = set(chars)
    out: dict[str, tuple[str, ...]] = {}
    for char, readings in _pinyin_readings():
        if char in wanted:
            both = ((_toneless(r, v=True), _toneless(r)) for r in readings)
            out[char] = tuple(dict.fromkeys(x for pair in both for x in pair))
    return out


def sound_key(text: str) -> str:
    """Text with every Chinese character replaced by a code for its toneless pinyin syllable."""
    return text.translate(_sound_table())


# --- numbers, for checking that answers do not drift from their sources ---------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS.update({"七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_ARABIC = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万|亿|million|thousand)?", re.IGNORECASE)
_PM = re.compile(r"\b(\d{1,2})(?::[0-5]\d)?\s*p\.?m\b\.?", re.IGNORECASE)
_HH_MM = re.compile(r"\b(\d{1,2}):[0-5]\d\b")
_CN_NUMERAL = re.compile("[零〇一二两三四五六七八九十百千万亿]+")
_SCALE = {"万": 10_000, "亿": 100_000_000, "million": 1_000_000, "thousand": 1000}


def _parse_cn(numeral: str) -> int | None:
    total, section, digit = 0, 0, None
    for ch in numeral:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch in _CN_BIG:
            total += (section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0, None
    value = total + section + (digit or 0)
    return value if numeral not in _CN_BIG else None


def numbers_in(text: str, *, chinese_numerals: bool = False) -> set[Decimal]:
    """Every number written in text, scaled: 12万 → 120000, 3,049 → 3049, 59.2万 → 592000."""
    text = unicodedata.normalize("NFKC", text)
    found: set[Decimal] = set()
    # Clock times: 3 pm is 15 and 15:00 is 15, so they can match a source's 15时.
    text = _PM.sub(lambda m: str(int(m.group(1)) + 12), text)
    text = _HH_MM.sub(lambda m: m.group(1), text)
    for match in _ARABIC.finditer(text):
        try:
            value = Decimal(match.group(1).rstrip(",").replace(",", ""))
        except InvalidOperation:
            continue
        scale = match.group(2)
        found.add(value * _SCALE[scale.lower()] if scale else value)
    if chinese_numerals:
        for match in _CN_NUMERAL.finditer(text):
            cn = _parse_cn(match.group(0))
            if cn is not None:
                found.add(Decimal(cn))
    return found


# --- what kind of answer a question wants ---------------------------------------------------

# Checked in order, each match removed before the next, so 几点 is "when" and not "count".
_QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (
            "money",
            r"多少钱|价格|价钱|费用|收费|票价|花费|奖金|\bcosts?\b|\bprices?\b|\bfees?\b|\bcharge"
            r"|\bprize money\b|\bhow much money\b",
        ),
        ("count", r"多长时间|多久|how long"),  # a duration is answered by a number of hours or days
        (
            "when",
            r"什么时候|何时|几时|哪天|哪一天|几号(?!馆)|几月|几点|日期|什么时间|\bwhen\b|what time"
            r"|what date"
            r"|which day|what day",
        ),
        # Where from is an origin, not a place: 观众来自哪里 is answered by "102 countries".
        ("origin", r"来自哪|从哪(?:里|儿)?来|哪里来|\bwhere\b.{0,40}\b(?:from)\b|\bfrom where\b"),
        # "Where does it show?" of an idea asks how it shows, not for a place.
        (
            "how",
            r"(?:体现|表现|好|强)在哪(?:里|儿)?|在哪(?:些|个)?方面|哪(?:些|几个?)(?:方面|层面)",
        ),
        (
            "where",
            r"哪里|哪儿|在哪(?!些|几)|什么地方|哪个展馆|哪一馆|几号馆|几楼|几层|哪一?层|地点|地址"
            r"|位置|\bwhere\b|which hall|which floor",
        ),
        # A share of a total that may only be given whole: 3049家展商里面,外国企业有多少家?
        (
            "breakdown",
            # Not 各/分别: 新产品新技术各有多少项 asks two figures the entry may well give.
            r"其中.{0,8}(?:多少|几)|(?:里面|里头|当中|之中).{0,8}(?:多少|几)|里有(?:多少|几)"
            r"|\bof the \d[\d ]*\b|\bhow many of (?:the|them|those|these)\b|\brespectively\b"
            r"|\bbroken down\b|\bbreakdown\b|\beach of\b",
        ),
        # Asking for names or a full list, where an entry may only give a count and one example.
        (
            "besides",
            r"除了.{0,24}(?:还有|以外|之外)(?:哪些|哪几|什么|谁)?|\bbesides\b|\bother than\b"
            r"|\bapart from\b",
        ),
        ("name", r"叫什么|名字|名称|姓名|\bname[sd]?\b|\bcalled\b"),
        # These ask for particular names, one by one.
        (
            "list",
            r"哪两|哪三|哪几家|哪几个|分别是|都有谁|都是谁|具体是哪|which ones|which (?:two|three)"
            r"|名单|列出|列一下|全部列|一一列|\blist\b",
        ),
        # Which ones, of a kind: answered by entries that name them, not by those that count them.
        ("which", r"哪些|哪几|\bwhich\b|\bwhat are the\b"),
        ("said", r"讲了|说了|讲话|致辞|发言内容|\bsay\b|\bsaid\b|\bspeech\b"),
        ("who", r"谁|哪位|什么人|\bwho\b|\bwhom\b"),
        ("size", r"多大|多少平方|占地|\bhow (?:big|large)\b|\bsize\b"),
        # 为何 ends a question as "what is" in formal Taiwan usage: 數量為何?
        ("why", r"为什么|为何(?!$)|\bwhy\b"),
        ("how", r"怎么|怎样|如何|\bhow (?:do|does|did|can|could|to|should)\b"),
        ("count", r"多少|几|数量|总数|how many|how much|number of"),
    )
)


def question_types(text: str) -> frozenset[str]:
    """The kinds of answer a normalised question asks for: when, where, who, how many, a list…"""
    found = set()
    for kind, pattern in _QUESTION_TYPES:
        text, hits = pattern.subn(" ", text)
        if hits:
            found.add(kind)
    return frozenset(found)


# --- showing a word of the question ---------------------------------------------------------

#: Particles, pronouns, question and measure words: they carry the shape of a question, not its
#: topic.
FUNCTION_CHARS = frozenset(
    "的了是在有和与及或吗呢吧啊么什哪几多少个家位项场名次这那其都也还就要会能可不没我你您他她它们"
    "请问给把被从对向"
)


def question_spans(text: str) -> list[str]:
    """The phrases of a normalised question that say what it asks for: 几点, 在哪里, how many."""
    found: list[str] = []
    for _, pattern in _QUESTION_TYPES:
        found.extend(m.group(0) for m in pattern.finditer(text))
        text = pattern.sub(" ", text)
    return found


# --- several questions in one message -------------------------------------------------------------

# Where one question may end and the next begin: a sentence mark or a comma, and in English
# "and" before a question word (How many universities took part, and how many forums were held?).
_PART_BREAK = re.compile(
    r"(?<=[?？!！。;；])\s*|[,，]\s*"
    r"|\s+and\s+(?=(?:how|what|where|when|who|which|is|are|was|were|do|does|did|can)\b)",
    re.IGNORECASE,
)
_ASKS = re.compile(
    r"什么|甚么|啥|几|多少|多[大久长远高]|哪|谁|怎|如何|吗|是否|有没有|有冇|幾|邊|咩|乜"
    r"|\b(?:how|what|where|when|who|whom|whose|which|why|is|are|was|were|do|does|did|can)\b",
    re.IGNORECASE,
)
MAX_PARTS = 4  # more is a list of demands, not a message of questions


def question_parts(text: str) -> list[str]:
    """The questions a message asks, when it asks more than one: 有多少所高校参展,又有多少个省市
    代表团? is two. A piece with no question word of its own (请问, 如果我是展商, "in square
    meters?") belongs to the question beside it; a message of one question, or of too many, is
    one part."""
    pieces = [p.strip() for p in _PART_BREAK.split(text) if p and p.strip()]
    parts: list[str] = []
    pending = ""
    for piece in pieces:
        if _ASKS.search(piece) and _names_something(piece):
            parts.append(f"{pending} {piece}".strip() if pending else piece)
            pending = ""
        else:
            pending = f"{pending} {piece}".strip()
    if pending and parts:
        parts[-1] = f"{parts[-1]} {pending}"
    return parts if 1 < len(parts) <= MAX_PARTS else [text]


def _names_something(piece: str) -> bool:
    """Whether a piece of a message names something besides its question words (where, 在哪)."""
    rest = _ASKS.sub(" ", normalise(piece))
    return bool(CJK_RE.search(rest)) or any(w not in EN_STOPWORDS for w in rest.split())


# Question words, each asking one thing: a rebuilt follow-up with none, or with two, is no
# longer one question (举个例子优秀展示奖, 哪家媒体的记者问了什么谁回答的).
_ONE_ASK = re.compile(
    r"什么|甚么|啥|几|多少|多[大久长远高]|哪|谁|怎|如何|吗|是否|是不是|有没有"
    r"|\b(?:how|what|where|when|who|whom|whose|which|why)\b"
)
_SAID_BY = re.compile(r"^(?:谁说的:|who said: )")
MIN_EN_QUESTION_WORDS = 3  # "which second" is a fragment


def reads_as_question(text: str) -> bool:
    """Whether a rebuilt question reads as one question, fit to show the asker how their
    message was read: one question word, and in English a few words at least."""
    plain = _SAID_BY.sub("", fold(text))
    if not CJK_RE.search(plain) and len(plain.split()) < MIN_EN_QUESTION_WORDS:
        return False
    return len(_ONE_ASK.findall(plain)) == 1
