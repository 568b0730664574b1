"""The whole pipeline on the shipped FAQ, with the semantic ranker and without it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.matcher import Matcher

MODES = ["semantic", "lexical"]


@pytest.fixture(params=MODES)
def either(request: pytest.FixtureRequest, matcher: Matcher, lexical_matcher: Matcher) -> Matcher:
    """The matcher in each mode: with the bundled models, and lexical-only."""
    return matcher if request.param == "semantic" else lexical_matcher


def answered(matcher: Matcher, question: str) -> str | None:
    match = matcher.match(question)
    return match.best.entry_id if match.decision == "answer" and match.best else None


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("本届高交会有多少家展商?", "exhibitors"),
        ("這屆高交會有多少展商?", "exhibitors"),
        ("How many exhibitors were there?", "exhibitors"),
        ("面积", "exhibition_area"),
        ("高交会什么时候结束?", "closing_date"),
        ("谁为高交会揭幕?", "opened_by"),
        ("展伤有多少", "exhibitors"),  # homophone typo
        ("how many exhibiters", "exhibitors"),  # English misspelling
        ("展覽面積係幾多?", "exhibition_area"),  # Cantonese
        ("ＨＯＷ ＭＡＮＹ ＥＸＨＩＢＩＴＯＲＳ", "exhibitors"),  # full width
    ],
)
def test_plain_questions_are_answered(either: Matcher, question: str, entry: str) -> None:
    assert answered(either, question) == entry


def test_opposite_intents_are_kept_apart(either: Matcher) -> None:
    assert answered(either, "有多少新产品首次亮相?") == "new_products"
    assert answered(either, "有多少项新技术首次亮相?") == "new_technologies"
    assert answered(either, "优秀产品奖有多少项?") == "product_award"
    assert answered(either, "优秀展示奖有多少家?") == "exhibition_award"


@pytest.mark.parametrize(
    "question",
    ["高交会什么时候开幕?", "门票多少钱?", "展位租金多少钱?", "会场有Wi-Fi吗?", "明天会下雨吗?"],
)
def test_near_misses_and_chatter_are_not_answered(either: Matcher, question: str) -> None:
    assert answered(either, question) is None


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("邊個揭幕", "opened_by"),
        ("涵盖啥领域", "fields"),
    ],
)
def test_paraphrases_the_semantic_ranker_understands(
    matcher: Matcher, question: str, entry: str
) -> None:
    assert answered(matcher, question) == entry


def test_a_paraphrase_below_the_confidence_is_offered_first(matcher: Matcher) -> None:
    match = matcher.match("How big was the show floor in total?")
    assert match.decision in ("answer", "ambiguous")
    assert [c.entry_id for c in matcher.closest(match)][:1] == ["exhibition_area"]


def test_a_detail_the_briefing_lacks_gets_a_partial_verdict(matcher: Matcher) -> None:
    match = matcher.match("优秀产品奖的奖金有多少?")
    assert match.decision == "partial" and match.partial is not None
    assert match.partial.entry_id == "product_award"
    where = matcher.match("中科院专馆在几号馆?")
    assert where.decision == "partial" and where.partial is not None
    assert (where.partial.entry_id, where.partial.kinds) == ("cas_pavilion", ("where",))


def test_candidates_carry_both_rankers(matcher: Matcher) -> None:
    best = matcher.match("有多少展商").best
    assert best is not None and best.lexical > 0 and best.semantic > 0
    assert len(best.cosines) == len(matcher.models) and best.fits


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_input_gets_a_decision(lexical_matcher: Matcher, text: str) -> None:
    match = lexical_matcher.match(text)
    assert match.decision in {"answer", "partial", "ambiguous", "refuse", "out_of_scope", "empty"}


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_input_gets_a_decision_with_the_models(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).decision in {
        "answer",
        "partial",
        "ambiguous",
        "refuse",
        "out_of_scope",
        "empty",
    }


@pytest.mark.parametrize("question", ["what is her title?", "他是什么职务?", "她叫什么名字?"])
def test_a_question_whose_only_topic_is_a_pronoun_is_not_answered(
    either: Matcher, question: str
) -> None:
    assert either.match(question).decision == "refuse"
