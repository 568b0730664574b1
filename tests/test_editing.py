"""The editors' actions shared by the CLI and the bot: choices, add, ignore, undo."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import editing
from bot.faq_edit import EditError
from bot.faq_writer import FaqWriter
from bot.knowledge import Knowledge
from bot.review import QuestionGroup
from bot.store import EventLog, Location, ScoredEntry

T0 = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
GROUP = QuestionGroup(
    count=2,
    askers=0,
    examples=("展商到底来了几家呀",),
    refused=2,
    ambiguous=0,
    out_of_scope=0,
    langs=("zh",),
    closest=(ScoredEntry("exhibitors", 71.0), ScoredEntry("gone", 60.0)),
    chosen=(),
    first_seen=T0,
    last_seen=T0,
    phrasings=(("展商到底来了几家", "展商到底来了几家呀"), ("展商到底来几家", "展商到底来几家?")),
)


def test_choices_are_the_closest_entries_still_in_the_faq(knowledge: Knowledge) -> None:
    assert editing.choices(GROUP, knowledge) == [
        editing.Choice("exhibitors", "本届高交会有多少家展商参展?", 71.0)
    ]
    english = dataclasses.replace(GROUP, langs=("en", "zh"))
    assert editing.choices(english, knowledge)[0].question == "How many exhibitors took part?"


def test_add_then_undo_leaves_the_file_as_it_was(faq_copy: Path, tmp_path: Path) -> None:
    writer = FaqWriter(faq_copy, tmp_path / "history")
    before = faq_copy.read_bytes()
    added = editing.add(writer, "exhibitors", GROUP.question)
    assert added.describe() == 'added "展商到底来了几家呀" to exhibitors (zh)'
    assert editing.undo(added, writer, None).startswith('removed "展商到底来了几家呀"')
    assert faq_copy.read_bytes() == before
    with pytest.raises(EditError, match="is not a question of exhibitors"):
        editing.undo(added, writer, None)  # a second undo finds nothing to take back


def test_ignoring_a_group_marks_every_phrasing_and_undo_lifts_them(store: Location) -> None:
    with EventLog.open(store, salt="s") as log:
        done = editing.ignore(log, GROUP.marks(), editor=7)
        assert {m.question for m in log.ignored()} == {"展商到底来了几家", "展商到底来几家"}
        assert (
            done.describe()
            == 'ignored "展商到底来了几家呀" and 1 more phrasing(s): the review no longer lists it'
        )
        editing.undo(done, FaqWriter(Path("unused.yaml"), Path("unused")), log)
        assert log.ignored() == []
        with pytest.raises(EditError, match="empty"):
            editing.ignore_question(log, " ?! ")
