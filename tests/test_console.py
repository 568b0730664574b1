"""The console session: answers, numbered suggestions, commands, and hot reload."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.console import ConsoleSession, render, render_debug
from bot.conversation import reply_in_context
from bot.knowledge import Knowledge
from bot.reload import LiveFaq
from bot.replies import Responder


def test_render_shows_answer_source_and_numbered_suggestions(responder: Responder) -> None:
    reply = responder.reply_for_entry("exhibitors", "zh")
    assert reply is not None
    text = render(reply)
    assert reply.answer in text and "出处" in text and reply.source is not None
    assert reply.source.text in text.replace("\n    ", "")
    assert "  1. " in text


def test_debug_shows_each_ranker_and_the_models_view(responder: Responder) -> None:
    text = render_debug(responder.reply("展商"), responder.matcher)
    assert text.startswith("[debug] decision=answer")
    assert "exhibitors" in text and "lexical=" in text and "semantic=" in text and "p=" in text
    partial = render_debug(responder.reply("优秀产品奖的奖金有多少?"), responder.matcher)
    assert "never answers money" in partial and "(ruled out)" in partial


def test_several_questions_are_answered_in_turn(responder: Responder) -> None:
    text = render(reply_in_context(responder, "有多少展商?有多少观众?", None))
    assert text.index("(有多少展商?)") < text.index("3049") < text.index("(有多少观众?)")
    assert text.index("(有多少观众?)") < text.index("59.2万") and text.count("出处") == 2


def test_debug_shows_the_words_and_why_each_is_named_or_not(responder: Responder) -> None:
    text = render_debug(responder.reply("翻译中心提供德语翻译吗?"), responder.matcher)
    assert "德语/nz*" in text  # * marks a content word
    line = next(s for s in text.splitlines() if "words:" in s and "德语(" in s)
    assert "德语(" in line and "named as missing" in line and "翻译(" in line
    assert "said by the entry" in line
    english = render_debug(responder.reply("did tsinghua reflect on it"), responder.matcher)
    assert "reflect(" in english and "not a noun" in english


def test_an_english_answer_shows_the_translation_under_the_verbatim_quote(
    responder: Responder,
) -> None:
    reply = responder.reply_for_entry("exhibitors", "en")
    assert reply is not None and reply.source is not None and reply.source.translation
    text = render(reply)
    quote, translation = text.index(reply.source.text), text.index(reply.source.translation)
    assert quote < text.index("— Translation:") < translation
    chinese = responder.reply_for_entry("exhibitors", "zh")
    assert chinese is not None and "Translation" not in render(chinese)


def test_a_traditional_question_is_answered_in_traditional(faq_copy: Path) -> None:
    session = ConsoleSession(LiveFaq(faq_copy))
    out = session.handle("展覽面積有幾大?") or ""
    assert "展會總面積達12萬平方米" in out and "出處" in out
    assert "据统计,本届高交会展会总面积达12万平方米" in out  # the quote stays verbatim


def test_number_picks_a_suggestion(faq_copy: Path) -> None:
    session = ConsoleSession(LiveFaq(faq_copy))
    first = session.handle("帮我订一张去北京的机票")
    assert first is not None and "1. " in first
    assert session.last is not None
    chosen = session.last.suggestions[0]
    picked = session.handle("1")
    assert picked is not None and session.last.entry_id == chosen.id
    count = len(session.screen.picks)
    assert session.handle("99") == f"请输入 1–{count} 之间的编号。"


def test_input_without_a_language_keeps_the_conversation_s(faq_copy: Path) -> None:
    session = ConsoleSession(LiveFaq(faq_copy))
    assert session.handle("有多少展商") is not None
    for shapeless in ("？？？", "🎉", "42"):
        out = session.handle(shapeless) or ""
        assert session.last is not None and session.last.lang == "zh", shapeless
        assert "Sorry" not in out and "Please" not in out
    session.handle("How many exhibitors?")
    session.handle("？？？")
    assert session.last is not None and session.last.lang == "en"


def test_a_follow_up_says_how_it_was_read(faq_copy: Path) -> None:
    session = ConsoleSession(LiveFaq(faq_copy))
    session.handle("翻译中心提供什么语言?")
    out = session.handle("收费吗?")
    assert out is not None and out.startswith("(翻译中心收费吗?)\n") and "免费" in out
    assert "(" not in (session.handle("本届高交会有多少家展商?") or "").splitlines()[0]


def test_follow_ups_can_be_turned_off(faq_copy: Path) -> None:
    session = ConsoleSession(LiveFaq(faq_copy), context_seconds=0)
    session.handle("翻译中心提供什么语言?")
    out = session.handle("收费吗?")
    assert out is not None and "翻译中心收费吗" not in out


def test_commands(faq_copy: Path) -> None:
    session = ConsoleSession(LiveFaq(faq_copy))
    assert "/topics" in (session.handle("/help") or "")
    topics = session.handle("/topics") or ""
    assert "展会数据" in topics
    assert session.handle("/quit") is None


def test_topics_are_browsed_by_number_and_a_number_picks_from_the_screen(
    faq_copy: Path, knowledge: Knowledge
) -> None:
    session = ConsoleSession(LiveFaq(faq_copy), page_size=lambda: 3)
    listing = session.handle("/topics") or ""
    topics = [t for t in knowledge.topics if knowledge.in_topic(t.id)]
    assert f"  1. {topics[0].title('zh')}" in listing
    assert f"  {len(topics)}. {topics[-1].title('zh')}" in listing
    page = session.handle("1") or ""
    entries = knowledge.in_topic(topics[0].id)
    assert f"  1. {entries[0].questions['zh'][0]}" in page
    assert f"  3. {entries[2].questions['zh'][0]}" in page and "  4. " not in page
    assert "第1/" in page
    second = session.handle("n") or ""
    assert f"  1. {entries[3].questions['zh'][0]}" in second and "第2/" in second
    answer = session.handle("2") or ""  # the second question on screen now, not on page 1
    assert session.last is not None and session.last.entry_id == entries[4].id
    assert entries[4].answer("zh") in answer
    # The answer's own suggestions are on screen now: a number picks from them.
    assert session.last.suggestions
    expected = session.last.suggestions[0].id
    session.handle("1")
    assert session.last.entry_id == expected


def test_paging_stops_at_either_end(faq_copy: Path) -> None:
    session = ConsoleSession(LiveFaq(faq_copy), page_size=lambda: 100)
    session.handle("/topics")
    session.handle("1")
    assert session.handle("n") == "没有更多页了。"
    assert session.handle("p") == "没有更多页了。"


def test_console_picks_up_a_sound_edit_and_ignores_a_broken_one(
    faq_copy: Path, edit_faq: Callable[[str, str], Path]
) -> None:
    session = ConsoleSession(LiveFaq(faq_copy))
    edit_faq("    zh: 本届高交会共有3049家展商参展。", "    zh: 共有3049家展商(已更新)。")
    _bump(faq_copy)
    out = session.handle("本届高交会有多少家展商?") or ""
    assert "(FAQ reloaded)" in out and "已更新" in out
    edit_faq("- id: projects\n", "- id: exhibitors\n")
    _bump(faq_copy)
    out = session.handle("本届高交会有多少家展商?") or ""
    assert "still using the previous version" in out and "duplicate id" in out
    assert "已更新" in out


def _bump(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


# --- keys, in a real terminal --------------------------------------------------------------------


class Terminal:
    """`expo-bot chat` on a pseudo-terminal, started outside the project's directory."""

    def __init__(self, home: Path) -> None:
        env = {**os.environ, "HOME": str(home), "EXPO_BOT_SEMANTIC": "off", "TERM": "dumb"}
        env.pop("EXPO_BOT_FAQ", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.chdir(home)
            os.execve(EXPO_BOT, [EXPO_BOT, "chat"], env)
        self.seen = b""

    def read_until(self, needle: bytes, within: float = 30.0, since: int = 0) -> bytes:
        """Read until `needle` appears after the first `since` bytes; all read so far."""
        deadline = time.monotonic() + within
        while needle not in self.seen[since:]:
            left = deadline - time.monotonic()
            assert left > 0, f"no {needle!r} in {self.seen[-400:]!r}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child has exited
                    chunk = b""
                if not chunk:
                    break
                self.seen += chunk
        return self.seen

    def _drain(self) -> None:
        while select.select([self.fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            self.seen += chunk

    def type(self, data: bytes) -> None:
        os.write(self.fd, data)

    def exit_status(self, within: float = 10.0) -> int:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._drain()
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, 9)
        raise AssertionError(f"still running: {self.seen[-400:]!r}")


EXPO_BOT = str(Path(sys.executable).with_name("expo-bot"))


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    term.read_until(b"> ")  # loaded from the project's FAQ, though started elsewhere
    yield term
    with contextlib.suppress(ChildProcessError, ProcessLookupError):
        os.kill(term.pid, 9)
        os.waitpid(term.pid, 0)
    os.close(term.fd)


def test_ctrl_c_clears_a_half_typed_line_then_exits_on_an_empty_one(terminal: Terminal) -> None:
    terminal.type("有多少展".encode())
    terminal.read_until("有多少展".encode())
    before = len(terminal.seen)
    terminal.type(b"\x03")
    # A fresh line and a fresh prompt: the bot is still there.
    terminal.read_until(b"\r\n> ", since=before)
    before = len(terminal.seen)
    terminal.type("有多少展商\r".encode())
    out = terminal.read_until(b"3049", since=before)[before:]
    assert out.startswith("有多少展商".encode())  # the cleared text was not kept
    terminal.read_until(b"\r\n> ", since=before)
    before = len(terminal.seen)
    terminal.type(b"\x03")
    assert terminal.exit_status() == 0
    assert terminal.seen[before:].endswith(b"\r\n")  # the shell's prompt starts on a new line


def test_ctrl_d_exits_on_a_fresh_line(terminal: Terminal) -> None:
    before = len(terminal.seen)
    terminal.type(b"\x04")
    assert terminal.exit_status() == 0
    assert terminal.seen[before:].endswith(b"\r\n")
