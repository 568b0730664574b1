"""The console session: answers, numbered suggestions, commands, and hot reload."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from bot.console import ConsoleSession, render, render_debug
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


def test_number_picks_a_suggestion(faq_copy: Path) -> None:
    session = ConsoleSession(LiveFaq(faq_copy))
    first = session.handle("帮我订一张去北京的机票")
    assert first is not None and "1. " in first
    assert session.last is not None
    chosen = session.last.suggestions[0]
    picked = session.handle("1")
    assert picked is not None and session.last.entry_id == chosen.id
    assert session.handle("9") == "1–3?" or "?" in (session.handle("99") or "")


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
