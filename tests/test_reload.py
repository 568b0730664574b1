"""Hot reload: sound edits are swapped in whole, broken ones never serve a message."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from bot.reload import LiveFaq, ReloadResult

Edit = Callable[[str, str], Path]
OLD = "    zh: 本届高交会共有3049家展商参展。"


def _bump(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_unchanged_file_is_not_reloaded(faq_copy: Path) -> None:
    live = LiveFaq(faq_copy)
    before = live.current
    assert live.refresh() == ReloadResult(changed=False)
    assert live.current is before


def test_sound_edit_is_swapped_in(faq_copy: Path, edit_faq: Edit) -> None:
    live = LiveFaq(faq_copy)
    edit_faq(OLD, "    zh: 共有3049家展商(新版)。")
    _bump(faq_copy)
    assert live.refresh().changed
    assert "新版" in live.current.reply("本届高交会有多少家展商?").answer


def test_broken_edit_keeps_the_old_version_and_reports_once(faq_copy: Path, edit_faq: Edit) -> None:
    reports: list[ReloadResult] = []
    live = LiveFaq(faq_copy, on_error=reports.append)
    before = live.current
    edit_faq("- id: projects\n", "- id: exhibitors\n")
    _bump(faq_copy)
    result = live.refresh()
    assert not result.changed and not result.ok
    assert any("duplicate id" in str(p) and p.line > 1 for p in result.problems)
    assert live.current is before
    assert live.refresh() == ReloadResult(changed=False)  # the same broken file: no second alert
    assert len(reports) == 1


def test_every_reply_comes_from_a_sound_version_while_the_file_flips(
    faq_copy: Path, edit_faq: Edit
) -> None:
    live = LiveFaq(faq_copy)
    good = faq_copy.read_text(encoding="utf-8")
    newer = good.replace(OLD, "    zh: 共有3049家展商(新版)。")
    broken = good.replace("- id: projects\n", "- id: exhibitors\n").replace(
        OLD, "    zh: 坏的3049。"
    )
    answers: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            answers.append(live.current.reply("本届高交会有多少家展商?").answer)

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        for i in range(6):
            faq_copy.write_text((newer, broken, good)[i % 3], encoding="utf-8")
            _bump(faq_copy)
            live.refresh()
    finally:
        stop.set()
        asker.join()
    assert answers
    assert not any("坏的" in a for a in answers)
    assert all("3049" in a for a in answers)
