"""`expo-bot review --apply` driven by scripted input, and the one-shot --add, --ignore, --undo."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import editing, review
from bot.cli import main
from bot.faq_writer import FaqWriter
from bot.knowledge import load
from bot.review_apply import Session, apply_loop
from bot.store import EventLog
from tests.factories import reply

Run = Callable[..., tuple[int, str, str]]

ASKED = "展商到底来了几家呀"  # refused twice: the most asked group
OTHER = "天气怎么样啊"  # refused once


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "var" / "events.sqlite3"
    with EventLog.open(path) as log:
        for _ in range(2):
            log.record_reply(reply(ASKED, "refuse", ("exhibitors", 71.0), ("visitors", 40.0)))
        log.record_reply(reply(OTHER, "refuse", ("transport", 20.0)))
    return path


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    faq_copy: Path,
    db: Path,
    tmp_path: Path,
) -> Run:
    monkeypatch.setenv("EXPO_BOT_DB", str(db))
    monkeypatch.setenv("EXPO_BOT_FAQ_HISTORY", str(tmp_path / "var" / "faq-history"))
    monkeypatch.setenv("EXPO_BOT_SEMANTIC", "off")

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--faq", str(faq_copy), "review", "--since", "all", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def zh_questions(faq: Path, entry_id: str) -> tuple[str, ...]:
    entry = load(faq).entry(entry_id)
    assert entry is not None
    return entry.questions["zh"]


def test_apply_adds_to_a_closest_entry_after_showing_the_diff(run: Run, faq_copy: Path) -> None:
    code, out, _ = run("--apply", stdin="1\ny\nq\n")
    assert code == 0
    assert out.index("[1/2] 2×") < out.index(f'"{ASKED}"')
    assert "  1  exhibitors: 本届高交会有多少家展商参展? (71)" in out
    assert "  2  visitors: " in out
    diff_at, written_at = out.index(f"+    - {ASKED}"), out.index(f'added "{ASKED}" to exhibitors')
    assert diff_at < written_at  # shown before it is written
    assert "[2/2]" in out  # then the next group, where q quits
    assert "done: 1 phrasing(s) added, 0 group(s) ignored" in out
    assert zh_questions(faq_copy, "exhibitors")[-1] == ASKED
    assert "had changed since the review was drawn" not in out
    code, out, _ = run("--apply", stdin="q\n")
    assert out.startswith("1 group(s) left out: their phrasing is in the FAQ now\n")
    assert "[1/1]" in out and OTHER in out and f'"{ASKED}"' not in out


def test_apply_ignores_skips_declines_and_takes_an_entry_by_id(run: Run, faq_copy: Path) -> None:
    before = faq_copy.read_bytes()
    code, out, _ = run("--apply", stdin="e\nvisitors\nn\ns\ni\n")
    assert code == 0
    assert "not written" in out
    assert f'ignored "{OTHER}"' in out
    assert "done: 0 phrasing(s) added, 1 group(s) ignored" in out
    assert faq_copy.read_bytes() == before
    code, out, _ = run()
    assert OTHER not in out
    assert "1 ignored group not shown; `expo-bot review --all` lists them" in out
    code, out, _ = run("--all")
    assert "Ignored, not covered by the briefing (1 group):" in out and OTHER in out


def test_apply_refusals_are_explained_and_asked_again(run: Run, faq_copy: Path) -> None:
    before = faq_copy.read_bytes()
    code, out, _ = run("--apply", stdin="e\nexhibitor\n9\nq\n")
    assert code == 0
    assert "refused: unknown entry 'exhibitor'; did you mean exhibitors" in out
    assert "type one of the keys listed" in out
    assert faq_copy.read_bytes() == before


def test_apply_ends_quietly_at_the_end_of_input(run: Run, faq_copy: Path) -> None:
    before = faq_copy.read_bytes()
    code, out, _ = run("--apply", stdin="")
    assert code == 0 and "done: 0 phrasing(s) added" in out
    assert faq_copy.read_bytes() == before


def test_add_shows_the_diff_and_writes_then_undo_restores_exactly(run: Run, faq_copy: Path) -> None:
    before = faq_copy.read_bytes()
    code, out, err = run("--add", "exhibitors", "Exhibitors, roughly how many?")
    assert (code, err) == (0, "")
    assert '+    - "Exhibitors, roughly how many?"' not in out  # plain reads back: unquoted
    assert "+    - Exhibitors, roughly how many?" in out
    assert "to exhibitors (en)" in out and "faq-history" in out
    code, out, _ = run("--undo")
    assert code == 0 and "restored" in out
    assert faq_copy.read_bytes() == before
    code, _, err = run("--undo")
    assert code == 1 and "nothing to undo" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--add", "nope", "展商到底来了几家"), "unknown entry 'nope'"),
        (("--add", "exhibitors", "  "), "the question is empty"),
        (("--add", "visitors", "有多少参展商?"), "already belongs to another entry: exhibitors"),
        (("--ignore", "?!"), "the question is empty"),
    ],
)
def test_bad_requests_exit_1_with_the_file_untouched(
    run: Run, faq_copy: Path, argv: tuple[str, ...], message: str
) -> None:
    before = faq_copy.read_bytes()
    code, out, err = run(*argv)
    assert code == 1
    assert err.startswith("expo-bot review: ") and message in err
    assert out == ""
    assert faq_copy.read_bytes() == before


def test_ignore_marks_the_question_with_when(run: Run, db: Path) -> None:
    code, out, _ = run("--ignore", f"  {ASKED} ")
    assert code == 0 and f'ignored "{ASKED}"' in out and "UTC" in out
    with EventLog.open(db) as log:
        assert [m.query for m in log.ignored()] == [ASKED]
    _, out, _ = run()
    assert ASKED not in out


def test_lang_overrides_detection(run: Run, faq_copy: Path) -> None:
    code, out, _ = run("--add", "exhibitors", "CHTF 展商几家", "--lang", "en")
    assert code == 0 and "(en)" in out
    entry = load(faq_copy).entry("exhibitors")
    assert entry is not None and entry.questions["en"][-1] == "CHTF 展商几家"


def test_an_edit_made_by_someone_else_during_the_loop_is_kept(
    faq_copy: Path, db: Path, tmp_path: Path
) -> None:
    writer = FaqWriter(faq_copy, tmp_path / "history")
    with EventLog.open(db) as log:
        groups = review.review(log).unanswered
        answers = iter(["1", "y", "e", "visitors", "y"])

        def ask(prompt: str) -> str:
            if prompt.startswith("Write") and not writer.backups():  # another editor, meanwhile
                editing.add(writer, "projects", "项目到底有多少个呀")
            return next(answers)

        out = io.StringIO()
        done = apply_loop(groups, Session(load(faq_copy), writer, log, ask, out))
    assert len(done) == 2
    notes = out.getvalue().count("the FAQ had changed since the review was drawn")
    assert notes == 1  # the first write; the second follows this session's own
    for entry_id, question in (("projects", "项目到底有多少个呀"), ("exhibitors", ASKED)):
        assert zh_questions(faq_copy, entry_id)[-1] == question
