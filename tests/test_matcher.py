"""The matcher answers paraphrases and refuses near-misses: scope, discriminators, robustness."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import Knowledge
from bot.matcher import FEATURES, Candidate, Matcher, Thresholds, close_calls, decide


def answered(matcher: Matcher, question: str) -> str | None:
    match = matcher.match(question)
    return match.best.entry_id if match.decision == "answer" and match.best else None


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("本届高交会有多少家展商?", "exhibitors"),
        ("這屆高交會有多少展商?", "exhibitors"),
        ("展商", "exhibitors"),
        ("exhibitors?", "exhibitors"),
        ("面积", "exhibition_area"),
        ("ＶＲ观展", "vr_tour"),
        ("How many exhibitors were there?", "exhibitors"),
        ("高交会什么时候结束?", "closing_date"),
        ("谁为高交会揭幕?", "opened_by"),
    ],
)
def test_answers_plain_questions(matcher: Matcher, question: str, entry: str) -> None:
    assert answered(matcher, question) == entry


@pytest.mark.parametrize(
    "question",
    [
        "广交会有多少展商?",
        "How many exhibitors came to the Canton Fair?",
        "进博会的主题是什么?",
        "第十八届高交会有多少展商?",
        "第20届高交会有多少展商?",
        "How many exhibitors at the 20th CHTF?",
        "2019年高交会的主题是什么?",
        "去年高交会有多少展商?",
        "广交汇有多少展商?",  # a typo must not hide another event
        "中博会的优秀产品奖颁了多少个?",  # any other "…博会"
        "二〇一八年高交会的主题是什么?",
    ],
)
def test_scope_gate_refuses_other_events_editions_and_years(
    matcher: Matcher, question: str
) -> None:
    match = matcher.match(question)
    assert match.decision == "out_of_scope", match


def test_this_edition_and_year_pass_the_gate(matcher: Matcher) -> None:
    assert answered(matcher, "第十九届高交会有多少展商?") == "exhibitors"
    assert matcher.match("2017年高交会有多少展商").decision != "out_of_scope"


@pytest.mark.parametrize(
    "question",
    ["高交会什么时候开幕?", "门票多少钱?", "展位租金多少钱?", "会场有Wi-Fi吗?", "明天会下雨吗?"],
)
def test_near_misses_are_not_answered(matcher: Matcher, question: str) -> None:
    assert answered(matcher, question) is None


def test_opposite_intents_are_kept_apart(matcher: Matcher) -> None:
    assert answered(matcher, "有多少新产品首次亮相?") == "new_products"
    assert answered(matcher, "有多少项新技术首次亮相?") == "new_technologies"
    assert answered(matcher, "多少个一带一路国家参展?") == "belt_and_road_countries"
    assert answered(matcher, "有多少所高校参展?") == "universities"
    assert answered(matcher, "优秀产品奖有多少项?") == "product_award"
    assert answered(matcher, "优秀展示奖有多少家?") == "exhibition_award"


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("展伤有多少", "exhibitors"),  # homophone typo
        ("高交汇面积多大", "exhibition_area"),  # typo in the event's own name
        ("how many exhibiters", "exhibitors"),  # English misspelling
        ("展覽面積係幾多?", "exhibition_area"),  # Cantonese
        ("ＨＯＷ ＭＡＮＹ ＥＸＨＩＢＩＴＯＲＳ", "exhibitors"),  # full width
    ],
)
def test_typos_dialects_and_width(matcher: Matcher, question: str, entry: str) -> None:
    assert answered(matcher, question) == entry


def test_debug_candidates_are_ranked(matcher: Matcher) -> None:
    match = matcher.match("有多少展商", limit=5)
    scores = [c.score for c in match.candidates if c.conflict <= matcher.thresholds.conflict]
    assert scores == sorted(scores, reverse=True)
    assert 1 <= len(match.candidates) <= 5


def test_decision_tiers() -> None:
    th = Thresholds(confidence=0.7, margin=5, conflict=0.3, near=55)
    sure = Candidate("a", 90, 90, 1, 1, 0, "", confidence=0.95)
    close = Candidate("b", 88, 88, 1, 1, 0, "")
    far = Candidate("c", 40, 40, 1, 1, 0, "")
    unsure = Candidate("a", 70, 70, 1, 1, 0, "", confidence=0.4)
    assert decide([sure, far], th) == "answer"
    assert decide([sure, close], th) == "ambiguous"  # no clear lead
    assert decide([unsure, far], th) == "ambiguous"  # plausible: offered, not stated
    assert close_calls([unsure, far], th) == (unsure,)
    assert decide([far], th) == "refuse"
    conflicted = Candidate("a", 95, 95, 1, 1, 0.9, "", confidence=0.99)
    assert decide([conflicted, far], th) == "refuse"


def test_confidence_model_weighs_features() -> None:
    th = Thresholds()
    good = Candidate("a", 95, 95, 1.0, 0.9, 0, "")
    poor = Candidate("a", 50, 45, 0.6, 0.4, 0, "", novelty=1.0, novelty_source=1.0)
    assert th.probability(good.features(40)) > 0.9
    assert th.probability(poor.features(45)) < 0.1


def test_thresholds_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "calibration.yaml"
    weights = ", ".join(["1.5"] * len(FEATURES))
    path.write_text(f"confidence: 0.8\nmargin: 3\nbogus: 1\nweights: [{weights}]\n", "utf-8")
    th = Thresholds.load(path)
    assert (th.confidence, th.margin, th.weights) == (0.8, 3.0, (1.5,) * len(FEATURES))
    path.write_text("weights: [1, 2]\nmargin: [oops]\n", "utf-8")
    assert Thresholds.load(path) == Thresholds()  # malformed values keep the defaults
    assert Thresholds.load(tmp_path / "missing.yaml") == Thresholds()


def test_scope_lives_in_the_faq(knowledge: Knowledge) -> None:
    from dataclasses import replace

    scope = replace(knowledge.scope, other_events=(), other_event_suffixes=(), edition=None)
    other = replace(knowledge, scope=scope)
    assert Matcher(other).match("广交会有多少展商?").decision != "out_of_scope"
    assert Matcher(other).match("第十八届高交会有多少展商?").decision != "out_of_scope"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_input_gets_a_decision(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision in {"answer", "ambiguous", "refuse", "out_of_scope", "empty"}
