"""The lexical ranker and its guards: keywords of other entries, unanswered kinds, missing words."""

from __future__ import annotations

import pytest

from bot.matching.decision import Candidate
from bot.matching.lexical import answer_kinds
from bot.matching.matcher import Matcher
from bot.matching.words import Segmenter
from bot.text import normalise


def evidence(matcher: Matcher, question: str, entry_id: str) -> Candidate:
    """The candidate for entry_id among the matcher's candidates for question."""
    match = matcher.match(question, limit=50)
    found = [c for c in match.candidates if c.entry_id == entry_id]
    assert found, f"{entry_id} is not a candidate for {question!r}"
    return found[0]


def test_a_keyword_of_other_entries_is_a_conflict(lexical_matcher: Matcher) -> None:
    assert evidence(lexical_matcher, "有多少观众?", "exhibitors").conflict > 0.5
    assert evidence(lexical_matcher, "有多少观众?", "visitors").conflict == 0


@pytest.mark.parametrize(
    ("question", "entry", "kind"),
    [
        ("中科院专馆在几号馆?", "cas_pavilion", "where"),
        ("参展的27所大学是哪些?", "universities", "which"),
        ("3049家展商里面,外国企业有多少家?", "exhibitors", "breakdown"),
        ("优秀产品奖的奖金有多少?", "product_award", "money"),
    ],
)
def test_kinds_the_entry_never_answers(
    lexical_matcher: Matcher, question: str, entry: str, kind: str
) -> None:
    assert kind in evidence(lexical_matcher, question, entry).unanswered


def test_kinds_the_entry_answers_are_not_held_against_it(lexical_matcher: Matcher) -> None:
    assert evidence(lexical_matcher, "商务部专馆在几号馆?", "mofcom_pavilion").unanswered == ()
    assert (
        evidence(lexical_matcher, "高交会翻译中心提供哪些语言?", "translation_service").unanswered
        == ()
    )


def test_the_word_the_entry_lacks_is_a_whole_word(lexical_matcher: Matcher) -> None:
    other = evidence(lexical_matcher, "江苏省展团带了多少个项目?", "guangdong_delegation")
    assert other.missing.startswith("江苏") and other.lacks_words and other.novelty_source > 0.5
    german = evidence(lexical_matcher, "翻译中心提供德语翻译吗?", "translation_service")
    assert german.missing == "德语" and german.lacks_words
    airport = evidence(lexical_matcher, "飞机场有没有大巴去展馆", "shuttle_bus")
    assert airport.missing == "飞机场" and airport.lacks_words
    plain = evidence(lexical_matcher, "优秀产品奖有多少项?", "product_award")
    assert plain.missing == "" and plain.novelty_source == 0 and not plain.lacks_words


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("展會面積是甚麼?", "exhibition_area"),  # 甚麼: "what", never 甚
        ("请问一下展会总面积究竟有多大呀", "exhibition_area"),  # 究竟: a filler
        ("总共有多少新产品", "new_products"),  # 总共: 共计 says it
        ("參展的高校都有哪些呢?", "universities"),
        ("我想知道有几个国家", "countries"),
    ],
)
def test_question_words_fillers_and_synonyms_are_never_missing(
    lexical_matcher: Matcher, question: str, entry: str
) -> None:
    found = evidence(lexical_matcher, question, entry)
    assert found.missing == "" and not found.lacks_words and found.word_coverage == 1.0


def test_a_word_said_by_a_synonym_in_the_entry_is_not_missing(lexical_matcher: Matcher) -> None:
    # 揭幕 and 开幕 are one group of the Cilin thesaurus; 累计 and 共计 another.
    found = evidence(lexical_matcher, "是谁为高交会揭幕的?", "opened_by")
    assert found.word_coverage == 1.0


def test_a_named_word_is_a_word_of_the_question(lexical_matcher: Matcher) -> None:
    for question in (
        "翻译中心提供德语翻译吗?",
        "飞机场有没有大巴去展馆",
        "江苏省展团带了多少个项目?",
    ):
        for c in lexical_matcher.match(question, limit=20).candidates:
            assert c.missing in normalise(question)


def test_the_answers_own_facts_say_what_kinds_it_states(lexical_matcher: Matcher) -> None:
    # The translation centre's answer lists its languages (英语、西班牙语…): "which" is stated.
    listed = evidence(lexical_matcher, "翻译中心有哪些语种?", "translation_service")
    assert "which" not in listed.unstated
    hall = evidence(lexical_matcher, "中科院专馆在几号馆?", "cas_pavilion")
    assert "where" in hall.unstated


def test_a_role_word_is_said_by_an_answer_that_gives_a_title(lexical_matcher: Matcher) -> None:
    host = evidence(lexical_matcher, "通报会主持人的身份是什么", "briefing_presenter")
    assert host.missing == "" and host.word_coverage == 1.0
    other = evidence(lexical_matcher, "通报会主持人的身份是什么", "briefing_time")
    assert other.lacks_words  # no title in its answer: 身份 and 主持人 unknown to it


def test_a_word_of_the_kind_asked_is_never_named_missing(lexical_matcher: Matcher) -> None:
    for c in lexical_matcher.match("坐大巴要多少钱的费用", limit=20).candidates:
        assert c.missing not in ("费用", "多少钱")


def test_a_list_states_which_ones_and_who_and_items_one_by_one_do_too() -> None:
    segmenter = Segmenter({})
    listed = answer_kinds("华为、中兴、柔宇等深圳顶级企业都亮相高交会", segmenter)
    assert {"which", "who", "list"} <= listed
    one_by_one = answer_kinds("其中两场分别关于知识产权和创新创业", segmenter)
    assert {"which", "list"} <= one_by_one
    assert not {"which", "who"} & answer_kinds("本届高交会共有3049家展商参展", segmenter)
