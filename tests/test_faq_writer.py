"""Writing the FAQ file: validated, atomic, locked, backed up, and undone exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.faq_edit import EditError, add_variant
from bot.faq_writer import FaqWriter, InvalidEdit
from bot.knowledge import check, load
from tests.conftest import ROOT


@pytest.fixture
def writer(faq_copy: Path, tmp_path: Path) -> FaqWriter:
    return FaqWriter(faq_copy, tmp_path / "var" / "faq-history")


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under directory, by relative path (the lock file aside)."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def test_a_write_is_valid_backed_up_and_picked_up_by_a_fresh_load(writer: FaqWriter) -> None:
    before = writer.faq.read_bytes()
    written = writer.apply(add_variant("exhibitors", "展商到底来了几家呀"))
    assert check(writer.faq) == []
    entry = load(writer.faq).entry("exhibitors")
    assert entry is not None and entry.questions["zh"][-1] == "展商到底来了几家呀"
    assert written.backup.parent == writer.history
    assert written.backup.read_bytes() == before
    assert writer.backups() == [written.backup]
    assert "+    - 展商到底来了几家呀" in written.diff
    assert not written.rebased
    assert not list(writer.faq.parent.glob(".faq.yaml.*.tmp"))


@pytest.mark.parametrize(
    ("entry_id", "question"),
    [("no_such_entry", "展商到底来了几家"), ("exhibitors", "  "), ("visitors", "有多少参展商?")],
)
def test_bad_requests_leave_every_file_untouched(
    writer: FaqWriter, tmp_path: Path, entry_id: str, question: str
) -> None:
    before = snapshot(tmp_path)
    with pytest.raises(EditError):
        writer.apply(add_variant(entry_id, question))
    assert snapshot(tmp_path) == before


def test_a_result_that_would_not_pass_check_is_not_written(
    writer: FaqWriter, tmp_path: Path
) -> None:
    (writer.faq.parent / "transcript.txt").unlink()  # every passage check looks up is now missing
    before = snapshot(tmp_path)
    with pytest.raises(InvalidEdit, match="would not pass `expo-bot check`") as refused:
        writer.apply(add_variant("exhibitors", "展商到底来了几家呀"))
    assert refused.value.problems
    assert snapshot(tmp_path) == before


def test_undo_restores_the_file_exactly_and_keeps_what_it_undid(writer: FaqWriter) -> None:
    original = writer.faq.read_bytes()
    writer.apply(add_variant("exhibitors", "展商到底来了几家呀"))
    second = writer.faq.read_bytes()
    writer.apply(add_variant("visitors", "观众到底来了多少呀"))
    undone = writer.undo()
    assert writer.faq.read_bytes() == second
    assert "-    - 观众到底来了多少呀" in undone.diff
    assert undone.backup.name.endswith(".undone.yaml")
    writer.undo()
    assert writer.faq.read_bytes() == original
    with pytest.raises(EditError, match="nothing to undo"):
        writer.undo()
    assert writer.faq.read_bytes() == original


def test_undo_refuses_to_lose_a_change_made_since_the_last_write(writer: FaqWriter) -> None:
    writer.apply(add_variant("exhibitors", "展商到底来了几家呀"))
    by_hand = writer.faq.read_text(encoding="utf-8").replace("# The curated FAQ", "# The FAQ", 1)
    writer.faq.write_text(by_hand, encoding="utf-8")
    with pytest.raises(EditError, match="has changed since the last write"):
        writer.undo()
    assert writer.faq.read_text(encoding="utf-8") == by_hand


def test_an_edit_drawn_on_an_older_version_goes_on_top_of_the_current_one(
    writer: FaqWriter,
) -> None:
    edit = add_variant("exhibitors", "展商到底来了几家呀")
    shown = writer.preview(edit)
    writer.apply(add_variant("visitors", "观众到底来了多少呀"))  # another editor, meanwhile
    written = writer.apply(edit, base=shown.base, preview=shown)
    assert written.rebased
    text = writer.faq.read_text(encoding="utf-8")
    assert "- 展商到底来了几家呀\n" in text and "- 观众到底来了多少呀\n" in text


WRITE_SOME = """
import sys
from pathlib import Path
from bot.faq_edit import add_variant
from bot.faq_writer import FaqWriter
writer = FaqWriter(Path(sys.argv[1]), Path(sys.argv[2]))
print("ready", flush=True)
sys.stdin.readline()
for question in sys.argv[4:]:
    writer.apply(add_variant(sys.argv[3], question))
"""


def test_two_processes_writing_at_once_lose_neither_edit(writer: FaqWriter) -> None:
    jobs = {
        "exhibitors": ["展商到底来了几家呀", "参展的到底有几家呀"],
        "visitors": ["观众到底来了多少呀", "参观的到底有多少呀"],
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITE_SOME, str(writer.faq), str(writer.history), entry, *qs],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for entry, qs in jobs.items()
    ]
    for proc in procs:  # both loaded, then both started together
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    knowledge = load(writer.faq)
    for entry_id, questions in jobs.items():
        entry = knowledge.entry(entry_id)
        assert entry is not None and set(questions) <= set(entry.questions["zh"])
    assert len(writer.backups()) == 4
