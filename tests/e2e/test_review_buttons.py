"""The admins' /review buttons against the Bot API stand-in: ➕ writes the FAQ, 🚫 ignores, ↩
undoes, and nobody else's tap does anything."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.reload import LiveFaq
from bot.store import EventLog
from bot.telegram.review_buttons import ReviewTap

from .conftest import Harness, bytes_of, running, settings_for, text_of
from .fake_bot_api import FakeBotApi, Sent

UNKNOWN = "展商到底来了几家呀"  # refused by the e2e FAQ, with exhibitors closest
EXHIBITORS_FIRST = "本届高交会有多少家展商参展?"


@contextlib.asynccontextmanager
async def reviewing(
    api: FakeBotApi, tmp_path: Path, faq: Path
) -> AsyncIterator[tuple[Harness, dict[str, Any], Sent]]:
    """The bot on a LiveFaq with one admin, after a visitor's question was refused: the admin's
    /review message for that question's group."""
    admin = api.user("en", "Editor")
    settings = settings_for(
        api,
        tmp_path,
        faq=faq,
        admins=frozenset({admin["id"]}),
        reload_seconds=0,  # no watcher: the tap itself must get the new file loaded
        faq_history=tmp_path / "faq-history",
    )
    live = LiveFaq(faq)
    async with running(api, settings, live) as app:
        bot = Harness(api, app, live, settings)  # type: ignore[arg-type]
        alice = api.user("zh")
        api.send_text(alice, UNKNOWN)
        [refusal] = await api.messages(alice["id"])
        assert "3049" not in refusal.text  # precondition: not answered
        await bot.settle()
        api.send_text(admin, "/review")
        header, group = await api.messages(admin["id"], 2)
        assert header.html.startswith("<pre>") and "one message each" in header.text
        yield bot, admin, group


async def test_an_admin_taps_add_and_the_next_identical_question_is_answered_from_the_file(
    api: FakeBotApi, tmp_path: Path, faq_file: Path
) -> None:
    original = bytes_of(faq_file)
    async with reviewing(api, tmp_path, faq_file) as (bot, admin, group):
        assert UNKNOWN in group.text
        labels = [label for label, _ in group.buttons()]
        assert labels[0] == f"➕ {EXHIBITORS_FIRST}" and labels[-2:] == ["🚫 ignore", "skip"]
        tap = api.tap(admin, group, group.data_for(EXHIBITORS_FIRST))
        await bot.settle()
        assert api.callback_answers[tap]["text"] == f'✅ added "{UNKNOWN}" to exhibitors (zh)'
        assert "✅ added" in group.text and group.edits == 1
        assert [label for label, _ in group.buttons()] == ["↩ undo"]
        assert f"    - {UNKNOWN}\n" in text_of(faq_file)

        alice = api.user("zh")
        api.send_text(alice, UNKNOWN)
        [answer] = await api.messages(alice["id"])
        assert "3049" in answer.text  # from the file just written
        api.send_text(admin, "/review")
        *_, left_out = await api.messages(admin["id"], 4)
        assert left_out.text == "1 group(s) left out: their phrasing is in the FAQ now."

        api.tap(admin, group, group.data_for("↩ undo"))
        await bot.settle()
        assert bytes_of(faq_file) == original
        assert "↩ undone: removed" in group.text
        assert group.data_for(EXHIBITORS_FIRST)  # its buttons are back
    assert api.rejected() == []


async def test_a_non_admins_forged_tap_changes_nothing_and_reveals_nothing(
    api: FakeBotApi, tmp_path: Path, faq_file: Path
) -> None:
    original = bytes_of(faq_file)
    async with reviewing(api, tmp_path, faq_file) as (bot, _admin, group):
        mallory = api.user("en", "Mallory")
        html, markup = group.html, group.markup
        taps = [api.tap(mallory, group, data) for _, data in group.buttons()]
        taps.append(api.tap(mallory, group, ReviewTap("nosuchref", "add").encode()))
        await bot.settle()
        for tap in taps:
            assert set(api.callback_answers[tap]) == {"callback_query_id"}  # no text, no alert
        assert (group.html, group.markup, group.edits) == (html, markup, 0)
        assert api.messages_to(mallory["id"]) == []
        with EventLog.open(bot.settings.db) as log:
            assert log.ignored() == []
    assert bytes_of(faq_file) == original
    assert not (tmp_path / "faq-history").exists()


async def test_ignore_hides_the_group_and_undo_brings_it_back(
    api: FakeBotApi, tmp_path: Path, faq_file: Path
) -> None:
    original = bytes_of(faq_file)
    async with reviewing(api, tmp_path, faq_file) as (bot, admin, group):
        api.tap(admin, group, group.data_for("🚫 ignore"))
        await bot.settle()
        assert f'🚫 ignored "{UNKNOWN}"' in group.text
        with EventLog.open(bot.settings.db) as log:
            [mark] = log.ignored()
        assert mark.query == UNKNOWN
        assert mark.editor is not None and str(admin["id"]) not in mark.editor
        api.send_text(admin, "/review")
        *_, header = await api.messages(admin["id"], 3)
        assert "Nothing refused" in header.text and "1 ignored group not shown" in header.text
        api.tap(admin, group, group.data_for("↩ undo"))
        await bot.settle()
        assert "is listed by the review again" in group.text
        with EventLog.open(bot.settings.db) as log:
            assert log.ignored() == []
        api.tap(admin, group, group.data_for("skip"))
        await bot.settle()
        assert group.text.endswith("skipped") and group.buttons() == []
    assert bytes_of(faq_file) == original


async def test_a_button_of_a_forgotten_review_asks_for_a_new_one(
    api: FakeBotApi, tmp_path: Path, faq_file: Path
) -> None:
    async with reviewing(api, tmp_path, faq_file) as (bot, admin, group):
        tap = api.tap(admin, group, ReviewTap("Forgot10", "ignore").encode())
        await bot.settle()
        assert "send /review again" in api.callback_answers[tap]["text"]
        assert group.edits == 0
