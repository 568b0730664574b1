"""Typo repair: only into the FAQ's own deliberate words, and never into half of one."""

from __future__ import annotations

import pytest

from bot.matching.matcher import Matcher


def repaired(matcher: Matcher, question: str) -> str:
    return matcher.repair(matcher.prepare(question))


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("展伤有多少", "展商"),  # homophone typo of a synonym's head word
        ("how many exhibiters", "展商"),  # English misspelling, then its synonym group's word
        ("广交汇有多少展商", "广交会"),  # so that the scope gate sees the other event
    ],
)
def test_typos_are_repaired(lexical_matcher: Matcher, typed: str, word: str) -> None:
    assert word in repaired(lexical_matcher, typed)


@pytest.mark.parametrize(
    ("typed", "kept", "not_made"),
    [
        ("第三场记者服务广场是讲什么的", "讲", "示奖"),  # 是讲 sounds like 示奖 of 展示奖
        ("how many volunteers were on duty", "duty", "deputy"),  # a word of its own
    ],
)
def test_words_are_not_repaired_into_parts_of_other_words(
    lexical_matcher: Matcher, typed: str, kept: str, not_made: str
) -> None:
    text = repaired(lexical_matcher, typed)
    assert kept in text and not_made not in text


def test_the_event_name_and_this_edition_are_dropped(lexical_matcher: Matcher) -> None:
    assert lexical_matcher.prepare("本届高交会有多少展商?") == lexical_matcher.prepare("有多少展商")
