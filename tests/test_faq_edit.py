"""Editing the FAQ's text in place: the diff is the added line, in the style of its neighbours."""

from __future__ import annotations

import difflib
import re

import pytest
import yaml

from bot.faq_edit import AddVariant, EditError, RemoveVariant, add_variant, apply, diff
from tests.conftest import FAQ

SHIPPED = FAQ.read_text(encoding="utf-8")

SMALL = """\
# a comment that must stay
entries:
- id: flow
  questions:
    zh: [开幕时间, '什么时候开幕']   # trailing comment
    en: ["When does it open?"]
- id: block
  questions:
    zh:
    - "展商多少"

    - 有多少展商
    en: []
"""


def changed_lines(before: str, after: str) -> list[str]:
    """The lines added (+) and removed (-) between two texts."""
    return [
        line
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line.startswith(("+ ", "- "))
    ]


def test_round_trip_on_the_shipped_faq_adds_exactly_one_line() -> None:
    after = apply(SHIPPED, add_variant("exhibitors", "展商到底来了几家呀"))
    assert changed_lines(SHIPPED, after) == ["+     - 展商到底来了几家呀"]
    lines_before, lines_after = SHIPPED.splitlines(True), after.splitlines(True)
    at = next(i for i, (a, b) in enumerate(zip(lines_before, lines_after, strict=False)) if a != b)
    assert lines_after[:at] + lines_after[at + 1 :] == lines_before  # byte for byte otherwise
    assert lines_before[at] == "    en:\n"  # appended after the last zh variant


def test_an_english_variant_lands_under_en_and_is_quoted_when_plain_would_not_read_back() -> None:
    after = apply(SHIPPED, add_variant("exhibitors", "Exhibitors: how many?"))
    assert changed_lines(SHIPPED, after) == ['+     - "Exhibitors: how many?"']
    entry = next(e for e in yaml.safe_load(after)["entries"] if e["id"] == "exhibitors")
    assert entry["questions"]["en"][-1] == "Exhibitors: how many?"


def test_removing_what_was_added_restores_the_text_exactly() -> None:
    edit = add_variant("exhibitors", "展商到底来了几家呀")
    assert apply(apply(SHIPPED, edit), edit.inverse()) == SHIPPED


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            AddVariant("flow", "zh", "几号开幕"),
            "    zh: [开幕时间, '什么时候开幕', '几号开幕']   # trailing comment",
        ),
        (
            AddVariant("flow", "en", "Opening day?"),
            '    en: ["When does it open?", "Opening day?"]',
        ),
        (AddVariant("block", "en", "How many?"), "    en: [How many?]"),
        (AddVariant("block", "zh", "展商数"), "    - 展商数"),  # plain, like the item before
    ],
)
def test_each_list_keeps_its_style(edit: AddVariant, expected: str) -> None:
    after = apply(SMALL, edit)
    assert expected in after.splitlines()
    assert len(changed_lines(SMALL, after)) <= 2  # a flow list: its one line, changed
    assert after.startswith("# a comment that must stay\n")
    if edit.question != "How many?":  # taking back an only question is refused, below
        assert apply(after, edit.inverse()) == SMALL


@pytest.mark.parametrize(
    ("entry_id", "question", "message"),
    [
        ("exhibitor", "展商到底来了几家", "unknown entry 'exhibitor'; did you mean exhibitors"),
        ("exhibitors", "   ", "the question is empty"),
        ("exhibitors", "?!。", "the question is empty (nothing is left"),
        ("exhibitors", "有多少参展商?", "already a question of exhibitors"),
        ("visitors", "有多少参展商", "already belongs to another entry: exhibitors"),
        ("exhibitors", "展" * 201, "too long"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(
    entry_id: str, question: str, message: str
) -> None:
    with pytest.raises(EditError, match=re.escape(message)):
        apply(SHIPPED, add_variant(entry_id, question))


def test_removing_the_only_question_or_an_absent_one_is_refused() -> None:
    with pytest.raises(EditError, match="is the only en question"):
        apply(SMALL, RemoveVariant("flow", "en", "When does it open?"))
    with pytest.raises(EditError, match="is not a question of block"):
        apply(SMALL, RemoveVariant("block", "zh", "nope"))


def test_the_language_is_detected_unless_given() -> None:
    assert add_variant("x", "How many exhibitors came?").lang == "en"
    assert add_variant("x", "展商 有 多少").lang == "zh"
    assert add_variant("x", "CHTF 展商", "en").lang == "en"
    assert add_variant("x", "  有多少\n展商 ").question == "有多少 展商"


def test_diff_names_the_file_and_shows_the_line() -> None:
    after = apply(SMALL, AddVariant("block", "zh", "展商数"))
    shown = diff(SMALL, after, "faq.yaml")
    assert shown.startswith("--- faq.yaml\n+++ faq.yaml\n")
    assert "+    - 展商数\n" in shown
