"""Reading a chat-style follow-up in the light of the conversation's last question.

People chat: after 本届高交会有多少家展商? comes 那观众呢?, after "Where was the press briefing
held?" comes "And what time?". `read` turns such a message into the question it stands for, which
the matcher then judges with all its guards, exactly as if it had been typed:

- an elliptical message (那X呢, X呢, 还有X吗, 咁X又点呢, "and X?", "what about X?") puts X in the
  place of the last question's topic (or of its "who"): 那观众呢 → 本届高交会有多少家观众;
  the rebuilt question decides, whatever X would mean alone (`Reading.decides`);
- a pronoun (它, 他们, 这是…, "it", "they") stands for the last topic: 它们带来了多少家企业 →
  创新载体带来了多少家企业; so does 其中 at the start;
- a short message without the last topic (几点, 收费吗, 主题是什么, 奖金多少, "when?") is asked of
  that topic: 收费吗 → 翻译中心收费吗;
- a number (第二个, 2, "the second one") picks that question from the last reply's list;
- "who else" (还有谁…, 其他的有哪些, "who else…") asks the question less its "else", for someone or
  something besides what the last answer gave;
- "his title" (他是什么职务?, "what position does he hold?") asks the title of whom the last
  answer names.

Everything else is a question of its own, and `read` returns None. Pure functions: nothing here
knows the FAQ beyond the words of the last turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.text import (
    CJK_RE,
    EN_STOPWORDS,
    FUNCTION_CHARS,
    Lang,
    fold,
    normalise,
    question_spans,
    question_types,
)

#: How a follow-up was read: elliptical (那X呢), pronoun (它…, 其中…), or short: a message that
#: names no topic, which asks its question of the last one (收费吗, 主题是什么).
#: "speaker" is a question about the last answer itself: who said it (谁说的, "who said that?").
#: "pick" chooses one of the questions the last reply offered (第二个, 2, "the second one").
#: "else" asks for someone or something besides what the last answer gave (还有谁, who else).
#: "role" asks the title of the person the last answer names (他是什么职务?, "what is his title?").
Style = Literal["elliptical", "pronoun", "short", "speaker", "pick", "else", "role"]

SHORT_CHARS = 10  # a Chinese message this short, without the last topic, may be about it
SHORT_WORDS = 5  # the same for English, in words
#: How a "who said it?" follow-up is shown as read: 谁说的:本届高交会有多少家展商.
WHO_SAID_PREFIX: dict[Lang, str] = {"zh": "谁说的:", "en": "who said: "}
ATTRIBUTE_CHARS = 2  # a short message naming no more than this (主题, 奖金) names no topic


@dataclass(frozen=True)
class Turn:
    """What the conversation's last question was about: enough to read a follow-up."""

    question: str  # as the bot understood it (typed, or rebuilt from a follow-up)
    entry_id: str | None  # the entry that answered it, or the topic of a partial reply
    topics: tuple[str, ...] = ()  # words naming that entry (its keywords, their synonyms)
    lang: Lang = "zh"
    asked: tuple[str, ...] = ()  # the entry's own questions: a cleaner wording of the last one
    offered: tuple[str, ...] = ()  # the entries the last reply offered, in the order shown


@dataclass(frozen=True)
class Reading:
    """The questions a follow-up may stand for, how it was read, and what to try on its own.

    `questions` are the rebuilt questions, likeliest first: the last question's topic can be
    named by the words it used or by the entry's own name (本届高交会首次设立了什么展? is about
    初创企业展), so each naming is a reading the matcher may judge.

    `alone` is the message as a question of its own, tried first: a message the bot answers on
    its own is a question of its own, and is answered as it is (优秀产品奖有多少项?). None when
    the rebuilt question decides: a fragment (那X呢), a pronoun, or question words alone (在哪)
    mean nothing but what the last question was about.
    """

    questions: tuple[str, ...]
    style: Style
    alone: str | None = None
    entry: str | None = None  # the entry a pick chose

    @property
    def question(self) -> str:
        """The likeliest reading."""
        return self.questions[0]

    @property
    def decides(self) -> bool:
        return self.alone is None


_END = re.compile(r"[\s?？!！。.,，~～…]+$")
# (X怎么样 alone is a question of its own, "how is X?"; after 那 or 咁 it is about the last one.)
_ZH_ELLIPSIS = (
    re.compile(r"^(?:那么?|那个|还有|另外|换成|如果是|咁)?(?P<x>.{1,14}?)(?:又|的)?(?:点)?呢$"),
    re.compile(r"^(?:那么?|那个|咁)(?P<x>.{1,14}?)(?:又|的)?(?:怎么样|怎样|如何|咋样|点)$"),
    re.compile(r"^(?P<x>.{1,14}?)又(?:怎么样|怎样|如何|点)$"),
    re.compile(r"^还有(?P<x>.{1,14}?)(?:吗|么|没有|没)$"),
)
_EN_ELLIPSIS = (
    re.compile(r"^(?:and|but|so|ok|okay|then)?[\s,]*(?:what|how)\s+about\s+(?P<x>.+)$"),
    re.compile(r"^(?:and|but|also)[\s,]+(?P<x>.+)$"),
    re.compile(r"^(?P<x>.+?)\s+(?:too|as well)$"),
)
_ZH_PRONOUN = re.compile(
    r"(?<!其)(?:它们|他们|她们|它|他|她)|其(?![中他它实余])|^(?:这|这个|那个|这些|那些)(?=是|有|都|的|在)"
)
# "this"/"that" before a noun is a determiner (this year, that time), not a pronoun.
_EN_PRONOUN = re.compile(
    r"\b(?:it|they|them|its|their|he|she|him|her)\b|\b(?:this|that)\b"
    r"(?!\s+(?:year|years|time|fair|edition|event|exhibition|expo|week|one|the|a|an)\b)"
)
_ZH_AMONG = re.compile(r"^(?:那么?)?其中")
_EN_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_WHO = re.compile(r"谁|哪位|\bwho\b")
# Who said what the last answer quotes. Not "who answered": a journalist's question is answered
# by someone else than its own speaker.
_WHO_SAID = re.compile(
    r"^(?:这|那)?(?:话|句话|个)?(?:是|都是)?(?:谁|哪位)(?:说|讲|提到|提出|宣布|透露)(?:的|了)?$"
    r"|^(?:and\s+|so\s+)?who\s+(?:said|says|mentioned|announced|told\s+us)"
    r"(?:\s+(?:that|this|it|so|those|these))?$"
    r"|^says\s+who$"
)


def read(message: str, last: Turn | None, names: Sequence[str] = ()) -> Reading | None:
    """The question message stands for after last, or None when it is a question of its own.

    `names` are the event's own names: a message naming the event (高交会的主题是什么?) is about
    the event, however short.
    """
    text = _END.sub("", fold(message).strip()) if last and last.question.strip() else ""
    if last is None or not text:
        return None
    number = picked(text)
    if number is not None and last.offered:
        return _pick(number, last)
    previous = _END.sub("", fold(last.question))
    about = _about_the_last_answer(text, previous, last)
    if about is not None:
        return about
    if any(_contains(text, fold(name)) for name in names if name.strip()):
        return _elliptical_only(text, last)
    if last.entry_id and _WHO_SAID.match(text):
        # Answered from the last answer's source; the reading says so, for the user to see.
        prefix = WHO_SAID_PREFIX["zh" if CJK_RE.search(text) else "en"]
        return Reading((prefix + previous,), "speaker")
    # Bare question words (几点?) are asked of the last question as typed, then as its entry
    # words it: 通报会在哪栋楼里举行 hides its topic where 闭幕媒体通报会在哪里举行 does not.
    # Only they: a name or a pronoun put into the entry's wording asks more than was meant.
    chinese = bool(CJK_RE.search(text))
    wordings = [previous]
    if _only_question_words(text):
        wordings += [_END.sub("", fold(q)) for q in last.asked if bool(CJK_RE.search(q)) == chinese]
    readings = [r for w in dict.fromkeys(wordings) if (r := _read_one(text, w, last, chinese))]
    first = readings[0] if readings else None
    merged = [q for r in readings if first and r.style == first.style for q in r.questions]
    return _reading(merged, first.style, first.alone) if first else None


# "Who else", "what else": 还有谁参观了展会, 其他的有哪些, "who else toured the fair?".
_ZH_ELSE = re.compile(
    r"^(?:那么?)?(?:还有|另外还有|另外|其他|其它|别的|除此之外)(?:的)?(?:还)?(?:有)?"
    r"(?P<rest>(?:.*?)(?:谁|哪些|哪位|哪个|哪家|什么|啥)(?:.*))$"
)
_EN_ELSE = re.compile(
    r"^(?:and\s+|so\s+)?(?P<w>who|what|which|where)\s+else\b\s*(?P<rest>.*)$"
    r"|^(?:and\s+)?(?:any|what|which)\s+other\s+(?P<other>.+)$"
)


# The title of "him" or "her": 他是什么职务, 她的身份是什么, "what is his title?", "what position
# does he hold?".
_ROLE = re.compile(
    r"^(?:那)?(?:他们|她们|他|她|这位|那位|此人|这个人|那个人|这两位|两人)(?:的)?(?:分别)?(?:是)?"
    r"(?:什么|啥|何)?(?:职务|职位|头衔|身份|官职|职衔|来头)(?:分别)?(?:是什么|是啥|呢|为何)?$"
    r"|^(?:and\s+)?what(?:'s|\s+is|\s+was|\s+are|\s+were)\s+(?:his|her|their)\s+"
    r"(?:titles?|positions?|roles?|jobs?|posts?)$"
    r"|^(?:and\s+)?what\s+(?:title|position|role|job|post)s?\s+(?:does|did|do)\s+"
    r"(?:he|she|they)\s+(?:hold|have)$"
)


def _about_the_last_answer(text: str, previous: str, last: Turn) -> Reading | None:
    """Who or what else (还有谁…), or the title of whom the last answer names (他是什么职务?)."""
    besides = _else(text, previous)
    if besides is not None:
        return Reading((besides,), "else")
    return Reading((), "role") if last.entry_id and _ROLE.match(text) else None


def _else(text: str, previous: str) -> str | None:
    """The question a "who else" / "what else" message asks, less its "else" (还有谁参观了展会
    → 谁参观了展会); the last question itself when that leaves nothing named (还有谁?)."""
    zh = _ZH_ELSE.match(text)
    if zh:
        rest = zh.group("rest")
        return rest if _content(rest) else previous
    en = _EN_ELSE.match(text)
    if en is None:
        return None
    if en.group("other"):
        return f"what {en.group('other')}"
    rest = f"{en.group('w')} {en.group('rest')}".strip()
    return rest if _content(rest) else previous


def _pick(number: int, last: Turn) -> Reading | None:
    """The item of the last reply's list a number picks; None (the message read as it is) when
    the list has no such item."""
    if 1 <= number <= len(last.offered):
        return Reading((), "pick", entry=last.offered[number - 1])
    return None


_CN_ORDINALS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_EN_ORDINALS = {w: i for i, w in enumerate("first second third fourth fifth".split(), 1)}
_ZH_PICK = re.compile(
    r"^(?:要|选|看)?第?(?P<n>\d{1,2}|[一二三四五六七八九十])(?:个|個|条|條|项|項|题|題)?"
    r"(?:吧|啊|呀|嘛)?$"
)
_EN_PICK = re.compile(
    r"^(?:the\s+|number\s+|no\.?\s*|option\s+|#)?"
    r"(?P<n>\d{1,2}|first|second|third|fourth|fifth)(?:st|nd|rd|th)?"
    r"(?:\s+(?:one|question|option))?(?:\s+please)?$"
)


def picked(text: str) -> int | None:
    """The number of the item a message picks from a list (第二个, 第2个, 2, "the second one",
    "number 3", #2), or None if it picks nothing. `text` is folded."""
    text = text.strip().rstrip(".。")
    found = _ZH_PICK.match(text) or _EN_PICK.match(text)
    if found is None:
        return None
    n = found.group("n")
    if n.isdigit():
        return int(n)
    return _CN_ORDINALS.get(n) or _EN_ORDINALS.get(n)


def _read_one(text: str, previous: str, last: Turn, chinese: bool) -> Reading | None:
    topic = _topic_in(previous, last)
    if chinese:
        return _read_zh(text, previous, topic, _subjects(previous, topic, last, "zh"))
    return _read_en(text, previous, topic, _subjects(previous, topic, last, "en"))


def understood_question(understood: str) -> str:
    """The question a reading stands for, without the "who said" it may have asked of it."""
    for prefix in WHO_SAID_PREFIX.values():
        if understood.startswith(prefix):
            return understood[len(prefix) :]
    return understood


def _elliptical_only(text: str, last: Turn) -> Reading | None:
    """A message naming the event: a question of its own, unless it is a fragment (那X呢)."""
    reading = read(text, last)
    return reading if reading is not None and reading.style == "elliptical" else None


def _read_zh(text: str, previous: str, topic: str, subjects: Sequence[str]) -> Reading | None:
    if _ZH_AMONG.match(text):
        rest = _ZH_AMONG.sub("", text, count=1)
        return _reading([s + "其中" + rest for s in subjects], "pronoun", alone=rest)
    for pattern in _ZH_ELLIPSIS:
        found = pattern.match(text)
        if found and _names_only(found.group("x")):
            return _reading(
                _swaps(previous, topic, found.group("x").removesuffix("的")), "elliptical"
            )
    if _ZH_PRONOUN.search(text):
        alone = text if _long(text) else None  # a long question may say what 它 is itself
        return _reading([_put(_ZH_PRONOUN, s, text) for s in subjects], "pronoun", alone)
    if subjects and _short(text, topic):
        return _zh_short(text, previous, subjects)
    return None


def _zh_short(text: str, previous: str, subjects: Sequence[str]) -> Reading | None:
    """A short message without the last topic: asked of it, or a question of its own."""
    plain = normalise(text)
    if not _named(text) and not question_types(plain):
        return None  # 您好,在吗? names nothing and asks for nothing: no follow-up at all
    # Question words alone (在哪, 几点), or with a mere attribute (主题是什么, 奖金多少), mean
    # nothing but what the last question was about: the fair's theme is not the forum's.
    if _only_question_words(text):
        asked_of = [_ask_of(previous, text, "")] if question_spans(normalise(previous)) else []
        return _reading([s + text for s in subjects] + asked_of, "short")
    # A bare name (主题, 巴士) is a question of its own; an attribute asked about is not.
    asks = bool(question_types(plain) or _ASKS.search(text))
    alone = text if not asks or len(_named(text)) > ATTRIBUTE_CHARS else None
    return _reading([s + text for s in subjects], "short", alone=alone)


def _read_en(text: str, previous: str, topic: str, subjects: Sequence[str]) -> Reading | None:
    for pattern in _EN_ELLIPSIS:
        found = pattern.match(text)
        if found:
            return _en_ellipsis(found.group("x"), previous, topic, subjects)
    if _EN_PRONOUN.search(text) and subjects:
        alone = text if _long(text) else None  # "how many new products made their debut?"
        return _reading([_put(_EN_PRONOUN, s, text) for s in subjects], "pronoun", alone)
    if subjects and _short(text, topic):
        if _only_question_words(text):
            return _reading([_ask_of(previous, text, s) for s in subjects], "short")
        return _reading([f"{text} {s}" for s in subjects], "short", alone=text)
    return None


def _en_ellipsis(x: str, previous: str, topic: str, subjects: Sequence[str]) -> Reading | None:
    """ "and X?", "what about X?": X named in the last question's place, or asked of its topic."""
    x = _EN_ARTICLE.sub("", x.strip())
    if _only_question_words(x):  # "and what time?": a question word, asked of the topic
        return _reading([_ask_of(previous, x, s) for s in subjects], "short")
    if _names_only(x):
        return _reading(_swaps(previous, topic, x), "elliptical")
    return None  # "and how many visitors came?" is a question of its own


def _put(pronoun: re.Pattern[str], subject: str, text: str) -> str:
    """text with its first pronoun replaced by subject (taken literally, not as a template)."""
    return pronoun.sub(lambda _: subject, text, count=1)


def _reading(questions: Sequence[str], style: Style, alone: str | None = None) -> Reading | None:
    """A reading of the distinct rebuilt questions, in order; None if there are none."""
    distinct = tuple(dict.fromkeys(q.strip() for q in questions if q.strip()))
    return Reading(distinct, style, alone) if distinct else None


def _subjects(previous: str, topic: str, last: Turn, lang: Lang) -> list[str]:
    """What the last question was about, each way it can be named, likeliest first: the topic
    word it used; the question less its question words (商务部专馆在几号馆 → 商务部专馆); the
    entry's own name (its first topic word in this language)."""
    rest = _less_question_words(previous)
    if lang == "en":
        rest = " ".join(w for w in rest.split() if w not in EN_STOPWORDS)
    else:
        rest = "".join(rest.split())
    own = next((fold(w) for w in last.topics if bool(CJK_RE.search(w)) == (lang == "zh")), "")
    named = [s for s in dict.fromkeys((topic, rest, own)) if s]
    # An English follow-up to a Chinese question names the topic in English, or not at all.
    return named if lang == "zh" else [s for s in named if not CJK_RE.search(s)]


def _topic_in(previous: str, last: Turn) -> str:
    """The longest of the last entry's topic words that the last question uses, or ""."""
    words = sorted((fold(w) for w in last.topics), key=len, reverse=True)
    return next((w for w in words if w and _contains(previous, w)), "")


def _contains(text: str, word: str) -> bool:
    if CJK_RE.search(word):
        return word in text
    return _en_word(word).search(text) is not None


def _en_word(word: str) -> re.Pattern[str]:
    """An English topic word as a whole word, singular or plural (exhibitor, exhibitors)."""
    return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?:e?s)?(?![a-z0-9])")


def _swaps(previous: str, topic: str, x: str) -> list[str]:
    """The last question with x for its "who", its topic, or the word x stands beside; failing
    those, x with the question's kind; failing that, the last question with x after it."""
    out = []
    if _WHO.search(previous):
        out.append(_WHO.sub(lambda _: x, previous, count=1))
    elif topic and _contains(previous, topic):
        if CJK_RE.search(topic):
            out.append(previous.replace(topic, x, 1))
        else:
            out.append(_en_word(topic).sub(lambda _: x, previous, count=1))
    parallel = _parallel(previous, x)
    if parallel:  # 投资方 after 有多少家项目方参与: the word of the same kind
        out.append(previous.replace(parallel, x, 1))
    spans = question_spans(normalise(previous))
    if spans:  # keep the question's kind, about x
        return [*out, f"{x}{''.join(spans)}" if CJK_RE.search(x) else f"{' '.join(spans)} {x}"]
    if out:
        return out
    # Never x alone: 华为呢 after a question about an award is not a question about Huawei.
    return [f"{previous}{x}" if CJK_RE.search(x) else f"{previous} {x}"]


def _parallel(previous: str, x: str) -> str:
    """The word of previous that x stands beside: as long as x, and ending as it does (项目方 for
    投资方, 优秀产品奖 for 优秀展示奖, 商务部 for 农业部); "" if none, or x is not Chinese."""
    if len(x) < 2 or not all(CJK_RE.match(ch) for ch in x):
        return ""
    for k in (2, 1):
        at = previous.rfind(x[-k:])
        while at >= 0:
            word = previous[at + k - len(x) : at + k]
            if at + k >= len(x) and word != x and all(CJK_RE.match(ch) for ch in word):
                return word
            at = previous.rfind(x[-k:], 0, at)
    return ""


def _ask_of(previous: str, words: str, subject: str) -> str:
    """Question words asked of the last question: its own question words swapped for these
    ("Where was it held?" + "what time" → "what time was it held"), else about its subject."""
    spans = question_spans(previous)
    if spans and (CJK_RE.search(previous) or previous.startswith(spans[0])):
        return previous.replace(spans[0], words, 1)
    return f"{words} {subject}".strip()


def _names_only(text: str) -> bool:
    """Whether text names something and asks nothing: 观众, 中科院, "the Ministry of Science"."""
    plain = normalise(text)
    return bool(plain) and not question_types(plain)


def _only_question_words(text: str) -> bool:
    """Whether text asks something but names nothing: 几点, 收费吗, 在哪, "what time", "when"."""
    return bool(question_types(normalise(text))) and not _content(text)


_PARTICLES = frozenset("呢吗嘛么吧啊呀的了是有在")
# Question words that ask for no kind of answer in particular (主题是什么), which
# `question_types` leaves out; enough to tell a question from a bare name (主题).
_ASKS = re.compile(r"什么|甚么|啥|咩|乜|几|多少|哪|谁|怎|如何|吗|么")


def _named(text: str) -> str:
    """The Chinese characters of text less its question words and particles (通报会几点呢 →
    通报会): what it names, counting words such as 会 that `_content` takes for function words."""
    rest = _ASKS.sub(" ", _less_question_words(text))
    return "".join(ch for ch in rest if CJK_RE.match(ch) and ch not in _PARTICLES)


def _content(text: str) -> str:
    """What text names, less its question words and function words (主题是什么 → 主题)."""
    rest = _less_question_words(text)
    if CJK_RE.search(rest):
        return "".join(ch for ch in rest if CJK_RE.match(ch) and ch not in FUNCTION_CHARS)
    return " ".join(w for w in rest.split() if w not in EN_STOPWORDS)


def _less_question_words(text: str) -> str:
    """text normalised, its question words (几点, 在哪, how many) blanked out."""
    rest = normalise(text)
    for span in question_spans(rest):
        rest = rest.replace(span, " ")
    return rest


def _long(text: str) -> bool:
    """Longer than a follow-up usually is: long enough to name its own topic."""
    if CJK_RE.search(text):
        return len("".join(text.split())) > SHORT_CHARS
    return len(text.split()) > SHORT_WORDS


def _short(text: str, topic: str) -> bool:
    """Whether a message is short enough, and lacks the last topic, to be asked of it."""
    return not (topic and _contains(text, topic)) and not _long(text)
