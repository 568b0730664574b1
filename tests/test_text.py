"""Normalisation, numbers, sound keys and question types."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import (
    ENGLISH,
    Voice,
    detect_lang,
    fold,
    normalise,
    numbers_in,
    question_parts,
    question_types,
    reads_as_question,
    script_neutral,
    sound_key,
    stem,
    terms,
    to_simplified,
    voice_of,
    written,
)


def test_full_width_and_case_are_folded() -> None:
    assert normalise("ＶＲ观展？") == "vr观展"
    assert normalise("ＨＯＷ many EXHIBITORS") == "how many exhibitors"


def test_traditional_taiwan_and_hong_kong_become_simplified() -> None:
    assert to_simplified("這屆高交會有多少展商") == "这届高交会有多少展商"
    assert to_simplified("發佈會") == "发布会"


def test_cantonese_question_words_are_mapped() -> None:
    assert normalise("展覽面積係幾多?") == "展览面积是多少"
    assert normalise("通報會喺邊度舉行") == "通报会在哪里举行"
    assert normalise("有冇巴士") == "有没有巴士"
    # 係 inside 關係 is not the Cantonese copula.
    assert "关系" in normalise("兩者關係")
    # 边个 is "which" before a noun, "who" alone.
    assert normalise("通報會喺邊個廳開㗎") == "通报会在哪个厅开"
    assert normalise("边个揭幕") == "谁揭幕"


def test_fillers_and_punctuation_are_dropped() -> None:
    assert normalise("请问高交会的主题是什么呢???") == "高交会的主题是什么"
    assert normalise("Can you tell me how many visitors, please?") == "how many visitors"
    assert normalise("ummm how many ppl came lol") == "how many people came"
    assert normalise("hmm wat was the theme haha") == "what was the theme"
    assert normalise("呃,展会有多大") == "展会有多大"
    assert "成交额" in normalise("额,成交额是多少")  # 额 alone hesitates, in a word it does not


def test_decimals_survive_punctuation_removal() -> None:
    assert "59.2" in normalise("59.2万人次。")


def test_language_detection() -> None:
    assert detect_lang("How many exhibitors?") == "en"
    assert detect_lang("CHTF有多少exhibitors") == "zh"


def test_numbers_are_read_with_chinese_scales_and_separators() -> None:
    assert numbers_in("12万平方米") == {Decimal(120000)}
    assert numbers_in("3,049 exhibitors") == {Decimal(3049)}
    assert numbers_in("59.2万人次") == {Decimal(592000)}
    assert numbers_in("第十九届,经过六天", chinese_numerals=True) >= {Decimal(19), Decimal(6)}
    assert numbers_in("第十九届") == set()


def test_homophones_share_a_sound_key() -> None:
    assert sound_key("展伤") == sound_key("展商")
    assert sound_key("高交汇") == sound_key("高交会")
    assert sound_key("开幕") != sound_key("闭幕")
    assert len(sound_key("展商abc")) == len("展商abc")


def test_question_types() -> None:
    assert question_types("通报会几点开始") == {"when"}
    assert question_types("通报会在哪里举行") == {"where"}
    assert question_types("谁参观了") == {"who"}
    assert question_types("有多少展商") == {"count"}
    assert question_types("义工服务了多长时间") == {"count"}
    assert question_types("门票多少钱") == {"money"}
    assert question_types("主题是什么") == frozenset()
    assert question_types("展馆有多大") == {"size"}
    assert question_types("网上展会怎么登录") == {"how"}
    assert question_types("how do I register") == {"how"}
    assert question_types("how many exhibitors") == {"count"}
    assert question_types("除了商务部还有哪些单位") == {"besides"}
    assert question_types("展示5G的是哪两家企业") == {"list"}
    assert question_types("有哪些服务") == {"which"}  # entries that give a list answer it
    assert question_types("观众来自哪里") == {"origin"}  # not a place: 102 countries
    assert question_types("where did the visitors come from") == {"origin"}
    assert question_types("技术风向标体现在哪些展品上") == {"how"}  # not a place either
    assert question_types("3049家展商里面外国企业有多少家") == {"breakdown"}
    assert question_types("新产品新技术各有多少项") == {"count"}  # two figures, not a share
    assert question_types("中科院专馆的主题为何") == frozenset()  # Taiwan "what is", not "why"
    assert question_types("新闻中心在几楼") == {"where"}
    assert question_types("which floor is the press centre on") == {"where"}
    assert question_types("the visitors came from where") == {"origin"}


def test_english_plurals_and_american_spellings_are_folded() -> None:
    assert stem("exhibitors") == stem("exhibitor") == "exhibitor"
    assert stem("organizations") == stem("organisations")
    assert stem("center") == stem("centre") and stem("theaters") == stem("theatres")
    assert stem("size") == "size" and stem("prize") == "prize"  # -ize of short words is kept


def test_terms_hold_characters_bigrams_and_content_words() -> None:
    found = terms(normalise("展商 exhibitors of the fair"))
    assert {"展", "商", "展商", "exhibitor", "fair"} <= found
    assert "the" not in found


@given(st.text(max_size=200))
def test_normalise_never_fails_and_is_folded(text: str) -> None:
    out = normalise(text)
    assert out == out.strip()
    assert "  " not in out
    assert fold(out) == out


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("有多少展商?", Voice("zh")),
        ("幾多間展商參展?", Voice("zh", "hk")),  # written Cantonese: Hong Kong forms
        ("展覽面積有多大?", Voice("zh", "tw")),
        ("智慧城市", Voice("zh")),  # Simplified that a phrase table would call Taiwanese
        ("How many exhibitors?", ENGLISH),
        ("ＡＢＣ", ENGLISH),
        ("？？？", None),
        ("🎉", None),
        ("42", None),
        ("", None),
    ],
)
def test_the_voice_of_a_text(text: str, voice: Voice | None) -> None:
    assert voice_of(text) == voice


@pytest.mark.parametrize(
    ("text", "neutral"),
    [("咁科技部呢?", True), ("中科院呢", True), ("那观众呢?", False), ("那觀眾呢?", False)],
)
def test_script_neutral_text_says_nothing_of_the_script(text: str, neutral: bool) -> None:
    assert script_neutral(text) is neutral


def test_written_converts_simplified_to_the_variant_only() -> None:
    text = "本届高交会共有3049家展商参展,展会总面积达12万平方米"
    assert written(text, "hans") == text
    assert written(text, "hk") == "本屆高交會共有3049家展商參展,展會總面積達12萬平方米"
    assert written(text, "tw") == "本屆高交會共有3049家展商參展,展會總面積達12萬平方米"
    assert written("知识产权", "tw") == "智慧財產權"  # s2twp: Taiwan vocabulary
    assert written("Hall 7", "tw") == "Hall 7"


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("有多少所高校参展,又有多少个省市代表团?", ["有多少所高校参展", "又有多少个省市代表团?"]),
        (
            "How many universities took part, and how many forums were held?",
            ["How many universities took part", "and how many forums were held?"],
        ),
        ("有多少展商?有多少观众?", ["有多少展商?", "有多少观众?"]),
        ("请问,展会有多大?", ["请问,展会有多大?"]),  # 请问 asks nothing of its own
        ("如果我是展商,住的酒店有巴士吗?", ["如果我是展商,住的酒店有巴士吗?"]),
        ("where and when was the briefing held?", ["where and when was the briefing held?"]),
        (
            "how many exhibitors and visitors were there",
            ["how many exhibitors and visitors were there"],
        ),
        (
            "展商多少?观众多少?项目多少?国家多少?高校多少?",
            ["展商多少?观众多少?项目多少?国家多少?高校多少?"],
        ),
    ],
)
def test_a_message_of_several_questions_is_cut_into_them(message: str, parts: list[str]) -> None:
    assert question_parts(message) == parts


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("本届高交会有多少家观众", True),
        ("翻译中心收费吗", True),
        ("what time was the press briefing held", True),
        ("谁说的:本届高交会有多少家展商", True),  # "who said it?" of a question: one question
        ("举个例子优秀展示奖", False),  # asks nothing
        ("通报会上最后一个提问的是哪家媒体的记者问了什么谁回答的", False),  # asks three things
        ("which second", False),  # a fragment
    ],
)
def test_a_rebuilt_question_reads_as_one_question(text: str, reads: bool) -> None:
    assert reads_as_question(text) is reads
