"""The scope gate: other events, editions and years are refused before anything is ranked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.knowledge import Knowledge
from bot.matching.matcher import Matcher
from bot.matching.scope import ScopeGate
from bot.text import fold


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
        "中博会的优秀产品奖颁了多少个?",  # any other "…博会"
        "二〇一八年高交会的主题是什么?",
    ],
)
def test_other_events_editions_and_years_are_out_of_scope(
    knowledge: Knowledge, question: str
) -> None:
    assert ScopeGate(knowledge.scope).reason(fold(question))


@pytest.mark.parametrize(
    "question", ["第十九届高交会有多少展商?", "2017年高交会有多少展商", "本届高交会的主题?"]
)
def test_this_edition_and_year_pass(knowledge: Knowledge, question: str) -> None:
    assert ScopeGate(knowledge.scope).reason(fold(question)) == ""


def test_a_typo_cannot_hide_another_event(lexical_matcher: Matcher) -> None:
    match = lexical_matcher.match("广交汇有多少展商?")
    assert match.decision == "out_of_scope" and "广交会" in match.reason


def test_the_scope_lives_in_the_faq(knowledge: Knowledge) -> None:
    scope = replace(knowledge.scope, other_events=(), other_event_suffixes=(), edition=None)
    gate = ScopeGate(scope)
    assert gate.reason(fold("广交会有多少展商?")) == ""
    assert gate.reason(fold("第十八届高交会有多少展商?")) == ""
