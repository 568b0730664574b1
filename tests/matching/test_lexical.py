"""The lexical ranker and its guards: keywords of other entries, unanswered kinds, telling words."""

from __future__ import annotations

import pytest

from bot.matching.decision import Candidate
from bot.matching.matcher import Matcher
from bot.text import FUNCTION_CHARS


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


def test_the_telling_word_the_entry_lacks(lexical_matcher: Matcher) -> None:
    award = evidence(lexical_matcher, "江苏省展团带了多少个项目?", "guangdong_delegation")
    assert award.missing == "江苏" and award.novelty_source > 0.5
    plain = evidence(lexical_matcher, "优秀产品奖有多少项?", "product_award")
    assert plain.missing == "" and plain.novelty_source == 0


def test_function_words_are_never_the_telling_word(lexical_matcher: Matcher) -> None:
    for question in ("参展的高校都有哪些呢?", "请问一下展商有多少家啊?", "我想知道有几个国家"):
        for c in lexical_matcher.match(question, limit=20).candidates:
            assert not set(c.missing) <= FUNCTION_CHARS or not c.missing
