"""The /review buttons' callback data and messages, without Telegram."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.editing import Choice
from bot.review import QuestionGroup
from bot.store import ScoredEntry
from bot.telegram.callback_data import MAX_CALLBACK_DATA
from bot.telegram.review_buttons import PATTERN, ReviewTap, Shown, group_keyboard, group_text

T0 = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


def group(*examples: str) -> QuestionGroup:
    return QuestionGroup(
        count=3,
        askers=2,
        examples=examples,
        refused=3,
        ambiguous=0,
        out_of_scope=0,
        langs=("zh",),
        closest=(ScoredEntry("exhibitors", 71.0),),
        chosen=(),
        first_seen=T0,
        last_seen=T0,
        phrasings=tuple((q, q) for q in examples),
    )


@pytest.mark.parametrize(
    "tap",
    [
        ReviewTap("AbC-_123", "add", 0),
        ReviewTap("AbC-_123", "add", 2),
        ReviewTap("x", "ignore"),
        ReviewTap("x", "skip"),
        ReviewTap("x", "undo"),
    ],
)
def test_taps_round_trip_and_fit(tap: ReviewTap) -> None:
    data = tap.encode()
    assert ReviewTap.decode(data) == tap
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    assert data.startswith(PATTERN.removeprefix("^").replace("\\", ""))


@pytest.mark.parametrize(
    "data", [None, "", "R|ref", "R|ref|4", "R|ref|x", "R|bad ref|i", "a|zh|0|exhibitors", "R|r|i|x"]
)
def test_anything_else_is_not_a_review_tap(data: str | None) -> None:
    assert ReviewTap.decode(data) is None


def test_a_group_message_escapes_and_offers_each_choice_then_ignore_and_skip() -> None:
    choice = Choice("exhibitors", "本届高交会有多少家展商参展?", 71.0)
    shown = Shown(1, group("<b>展商</b>到底几家"), (choice,), "digest")
    assert "&lt;b&gt;展商&lt;/b&gt;到底几家" in group_text(shown)
    keyboard = group_keyboard(shown, "ref")
    assert keyboard is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in keyboard.inline_keyboard]
    assert rows == [
        [("➕ 本届高交会有多少家展商参展?", "R|ref|1")],
        [("🚫 ignore", "R|ref|i"), ("skip", "R|ref|s")],
    ]
    skipped = Shown(1, shown.group, shown.choices, "digest", note="skipped")
    assert group_keyboard(skipped, "ref") is None
    assert group_text(skipped).endswith("\n\nskipped")
