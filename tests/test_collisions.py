"""Collisions `check` warns of: misrouted variants, near-identical variants, shared keywords."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.collisions import find_collisions
from bot.knowledge import load


def test_a_variant_copied_to_another_entry_is_reported(
    faq_copy: Path, edit_faq: Callable[[str, str], Path]
) -> None:
    # Put a near copy of an exhibitors question under the projects entry.
    edit_faq(
        "- id: projects\n  topic: figures\n  questions:\n    zh:\n",
        "- id: projects\n  topic: figures\n  questions:\n    zh:\n"
        "    - 本届高交会共有多少家展商参展?\n",
    )
    collisions = find_collisions(load(faq_copy))
    assert any({c.entry, c.other} == {"projects", "exhibitors"} for c in collisions), collisions


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
