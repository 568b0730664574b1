"""Questions typed in toneless pinyin, read back into the FAQ's Chinese words."""

from __future__ import annotations

import pytest

from bot.matching.matcher import Matcher
from bot.matching.pinyin import PinyinReader, pinyin_keys, pinyin_letters

ENGLISH = frozenset("you can how many exhibitors the what is a are shenzhen".split())


def test_a_words_keys_are_its_toneless_readings_run_together() -> None:
    assert pinyin_keys("展商") == ["zhanshang"]
    assert {"lvse", "luse"} <= set(pinyin_keys("绿色"))  # ü as keyboards type it
    assert {"yinxing", "yinhang"} <= set(pinyin_keys("银行"))  # each reading of 行
    assert pinyin_keys("展a") == []


@pytest.mark.parametrize(
    ("text", "letters"),
    [
        ("you duoshao zhanshang?", "youduoshaozhanshang"),
        ("youduoshaoguanzhong", "youduoshaoguanzhong"),
        ("xi'an", "xian"),
        ("how many exhibitors", None),  # English words, mostly
        ("you can", None),
        ("ma", None),  # too short to tell
        ("5g zai nali", None),  # a figure: not pinyin alone
        ("展商 zhanshang", None),
    ],
)
def test_only_a_message_of_letters_that_is_not_english_may_be_pinyin(
    text: str, letters: str | None
) -> None:
    assert pinyin_letters(text, ENGLISH) == letters


def test_the_fewest_words_win_and_the_commoner_on_a_tie() -> None:
    reader = PinyinReader({"有": 50, "由": 2, "多少": 30, "展商": 40, "展": 5, "商": 5})
    assert reader.read("youduoshaozhanshang") == "有多少展商"
    assert reader.read("youduoshaozhanshangx") is None  # a letter left over: no reading
    assert reader.read("shangzhan") is None  # characters strung together, no word of the FAQ


def test_marks_between_pieces_are_kept() -> None:
    reader = PinyinReader({"有": 50, "多少": 30, "展商": 40, "观众": 20})
    assert (
        reader.read_text("you duoshao zhanshang, you duoshao guanzhong?")
        == "有多少展商,有多少观众?"
    )
    assert reader.read_text("you duoshao zhanshang, hello") is None  # every piece, or none


def test_na_before_a_noun_is_that_not_which() -> None:
    reader = PinyinReader({"观众": 9, "哪": 9, "哪个": 9, "在": 9, "展馆": 9})
    assert reader.read("naguanzhongne") == "那观众呢"
    assert reader.read("zaina") is None  # 在哪: characters only
    assert reader.read("nagezhanguan") == "哪个展馆"


@pytest.mark.parametrize(
    ("typed", "read", "entry"),
    [
        ("you duoshao zhanshang", "有多少展商", "exhibitors"),
        ("youduoshaoguanzhong", "有多少观众", "visitors"),
        ("fanyi zhongxin mianfei ma", "翻译中心免费吗", "translation_service"),
        ("tongbaohui zai nali juxing", "通报会在哪里举行", "briefing_venue"),
    ],
)
def test_pinyin_of_the_faqs_words_is_matched_as_chinese(
    lexical_matcher: Matcher, typed: str, read: str, entry: str
) -> None:
    assert lexical_matcher.transcribe(typed) == read
    assert lexical_matcher.match(read).best.entry_id == entry  # type: ignore[union-attr]


def test_english_and_names_are_left_as_they_are(lexical_matcher: Matcher) -> None:
    for text in ("how many exhibitors", "Shenzhen", "ding dong", "huawei zte", "高交会"):
        assert lexical_matcher.transcribe(text) is None, text
