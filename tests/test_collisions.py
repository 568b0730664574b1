"""Collisions `check` warns of: misrouted variants, near-identical variants, shared keywords."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.collisions import find_collisions
from bot.knowledge import load
from tests.conftest import line_of


def test_a_variant_copied_to_another_entry_is_reported(
    faq_copy: Path, edit_faq: Callable[[str, str], Path]
) -> None:
    # Put a near copy of an exhibitors question under the projects entry.
    edit_faq(
        "- id: projects\n  topic: figures\n  questions:\n    zh:\n",
        "- id: projects\n  topic: figures\n  questions:\n    zh:\n"
        "    - 本届高交会共有多少家展商参展？\n",
    )
    collisions = find_collisions(load(faq_copy))
    # Reported from either side: the copy answered by the other entry, or the two near-identical.
    found = [c for c in collisions if {c.entry, c.other} == {"projects", "exhibitors"}]
    assert found, collisions
    # Each variant on its own line, as written (full-width ？), not normalised.
    for c in found:
        assert c.line == line_of(faq_copy, c.text) and "展商参展" in c.text


def test_a_keyword_shared_by_two_entries_is_reported(
    faq_copy: Path, edit_faq: Callable[[str, str], Path]
) -> None:
    edit_faq("- id: projects\n", "- id: projects\n  keywords: [展商]\n")
    text = faq_copy.read_text(encoding="utf-8")
    # The entry already had a keywords list further down; keep only the new one.
    head, _, tail = text.partition("- id: projects\n  keywords: [展商]\n")
    entry, sep, rest = tail.partition("\n- id:")
    entry = entry.replace("  keywords:\n", "  old_keywords:\n", 1)
    faq_copy.write_text(head + "- id: projects\n  keywords: [展商]\n" + entry + sep + rest, "utf-8")
    collisions = find_collisions(load(faq_copy))
    shared = [c for c in collisions if c.kind == "keyword shared and confused" and c.text == "展商"]
    assert [(c.entry, c.other) for c in shared] == [("projects", "exhibitors")]


def test_near_identical_questions_of_different_kinds_are_not_a_collision(
    faq_copy: Path, edit_faq: Callable[[str, str], Path]
) -> None:
    # "When …" and "Where …" read alike, and ask for different answers.
    collisions = find_collisions(load(faq_copy))
    assert not [c for c in collisions if {c.entry, c.other} == {"briefing_time", "briefing_venue"}]
    edit_faq("    - What was on show in Hall 7?\n", "    - What was in Hall 7?\n")
    collisions = find_collisions(load(faq_copy))
    [near] = [c for c in collisions if c.entry == "mofcom_pavilion"]
    assert (near.other, near.text) == ("most_zone", "What was in Hall 7?")
    assert near.line == line_of(faq_copy, "- What was in Hall 7?")
