"""The editor loop on Telegram: what is recorded, 👍/👎, hot reload with alerts, admin commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot import recorder
from bot.reload import LiveFaq
from bot.replies import Responder
from bot.store import EventLog, Location
from bot.telegram import app as telegram_app
from bot.telegram.callback_data import Tap
from bot.telegram.common import recorder_of
from bot.wording import ADMIN_COMMANDS
from tests.stores import rows

from .conftest import FIXTURE_FAQ, Harness, Live, running, settings_for, text_of
from .fake_bot_api import FakeBotApi, Sent

QUESTION = "本届高交会有多少家展商参展?"
ANSWER = "本届高交会共有3049家展商参展。"
REFUSED = "What is the weather tomorrow?"
ADMIN_ONLY = {command for lang in ADMIN_COMMANDS.values() for command, _ in lang}


def events(db: Location) -> list[dict[str, Any]]:
    """Every row of the event database, oldest first."""
    return rows(db)


def assert_no_user_ids(rows: list[dict[str, Any]], *users: dict[str, Any]) -> None:
    """Askers are stored as keyed hashes only."""
    for row in rows:
        assert row["asker"] is not None and re.fullmatch(r"[0-9a-f]{32}", row["asker"])
        for user in users:
            assert str(user["id"]) not in {str(value) for value in row.values()}
            assert user["first_name"] not in str(row["query"])


# --- recording -----------------------------------------------------------------------------------


async def test_thumbs_are_acknowledged_recorded_and_leave_the_message_alone(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, QUESTION)
    [answer] = await api.messages(alice["id"])
    html_before = answer.html
    up = api.tap(alice, answer, answer.data_for("👍"))
    down = api.tap(alice, answer, answer.data_for("👎"))
    api.tap(alice, answer, answer.data_for("👎"))  # a double tap counts once
    await bot.settle()
    assert api.callback_answers[up]["text"] == "谢谢反馈"
    assert api.callback_answers[down]["text"] == "谢谢反馈"
    assert (answer.edits, answer.html) == (0, html_before)
    assert api.calls_of("editMessageText") == [] and api.calls_of("editMessageReplyMarkup") == []
    rows = events(bot.settings.db)
    assert [(r["kind"], r["entry_id"], r["query"]) for r in rows] == [
        ("answered", "exhibitors", QUESTION),
        ("thumbs_up", "exhibitors", QUESTION),
        ("thumbs_down", "exhibitors", QUESTION),
    ]
    assert rows[1]["candidates"] == rows[0]["candidates"] != "[]"  # the question's candidates
    assert_no_user_ids(rows, alice)
    assert api.rejected() == []


async def test_english_toast_and_thumbs_on_a_tapped_answer(bot: Harness) -> None:
    api = bot.api
    bob = api.user("en")
    api.send_text(bob, "/start")
    [welcome] = await api.messages(bob["id"])
    api.tap(bob, welcome, welcome.buttons()[0][1])
    _, answer = await api.messages(bob["id"], 2)
    query_id = api.tap(bob, answer, answer.data_for("👎"))
    await bot.settle()
    assert api.callback_answers[query_id]["text"] == "Thanks for the feedback"
    [row] = events(bot.settings.db)
    assert (row["kind"], row["query"]) == ("thumbs_down", "")  # browsed, not asked
    example = Tap.decode(welcome.buttons()[0][1])
    assert example is not None and row["entry_id"] == example.arg


async def test_refusals_and_suggestion_taps_are_recorded_with_the_question(
    bot: Harness, responder: Responder
) -> None:
    api = bot.api
    alice, bob = api.user("zh"), api.user("en")
    unsure = "有多少人"
    assert responder.reply(unsure).suggestion_kind == "did_you_mean"  # preconditions
    assert responder.reply(REFUSED).kind == "refuse"
    api.send_text(bob, REFUSED)
    api.send_text(alice, unsure)
    [refusal] = await api.messages(bob["id"])
    [did_you_mean] = await api.messages(alice["id"])
    assert not any(label in ("👍", "👎") for label, _ in refusal.buttons() + did_you_mean.buttons())
    data = did_you_mean.data_for("观众")
    api.tap(alice, did_you_mean, data)
    _, answer = await api.messages(alice["id"], 2)
    assert "<blockquote expandable>" in answer.html
    api.tap(alice, answer, answer.data_for("👎"))  # 👎 on the chosen answer: the same question
    await bot.settle()
    rows = events(bot.settings.db)
    kinds = [(r["kind"], r["query"], r["entry_id"]) for r in rows]
    assert kinds[:2] in (
        [("refuse", REFUSED, None), ("ambiguous", unsure, None)],
        [("ambiguous", unsure, None), ("refuse", REFUSED, None)],
    )
    assert kinds[2:] == [
        ("suggestion_tap", unsure, "visitors"),
        ("thumbs_down", unsure, "visitors"),
    ]
    assert_no_user_ids(rows, alice, bob)
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["suggestion_tap"]["asker"] == by_kind["ambiguous"]["asker"]  # same person
    assert by_kind["refuse"]["asker"] != by_kind["ambiguous"]["asker"]


async def test_a_tap_whose_question_was_forgotten_still_answers(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, "展商和观众有多少")
    [closest] = await api.messages(alice["id"])
    data = closest.data_for("展商")
    assert data.startswith("s|zh|")
    forgotten = "|".join(["s", "zh", "Forgot10", data.split("|", 3)[3]])  # e.g. after a restart
    api.tap(alice, closest, forgotten)
    _, answer = await api.messages(alice["id"], 2)
    assert "3049" in answer.text
    assert "|Forgot10|" not in str(answer.buttons())  # its 👍/👎 do not pass the stale ref on
    await bot.settle()
    tap = events(bot.settings.db)[-1]
    assert (tap["kind"], tap["query"], tap["entry_id"]) == ("suggestion_tap", "", "exhibitors")


async def test_group_questions_are_recorded_and_rated_by_whoever_taps(bot: Harness) -> None:
    api = bot.api
    group, alice, bob = api.group(), api.user("zh"), api.user("en")
    api.send_text(alice, f"/ask {QUESTION}", chat=group)
    [answer] = await api.messages(group["id"])
    api.tap(bob, answer, answer.data_for("👍"))
    api.tap(alice, answer, answer.data_for("👍"))
    await bot.settle()
    rows = events(bot.settings.db)
    assert [r["kind"] for r in rows] == ["answered", "thumbs_up", "thumbs_up"]
    assert len({r["asker"] for r in rows}) == 2


async def test_answers_chosen_inline_can_be_rated(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    query_id = api.inline(alice, "展商")
    answer = await api.wait_until(lambda: api.inline_answers.get(query_id))
    best = answer["results"][0]
    buttons = [b for row in best["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == ["👍", "👎"]
    tap = api.inline_tap(alice, buttons[0]["callback_data"])
    await bot.settle()
    assert api.callback_answers[tap]["text"] == "谢谢反馈"
    [row] = events(bot.settings.db)
    assert (row["kind"], row["entry_id"]) == ("thumbs_up", "exhibitors")
    assert api.rejected() == []


async def test_a_database_that_cannot_be_written_does_not_stop_replies(
    api: FakeBotApi, responder: Responder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(api, tmp_path, db=tmp_path)  # a directory, not a database file
    async with running(api, settings, Live(responder)) as app:
        harness = Harness(api, app, Live(responder), settings)
        alice = api.user("zh")
        api.send_text(alice, QUESTION)
        [answer] = await api.messages(alice["id"])
        query_id = api.tap(alice, answer, answer.data_for("👍"))
        api.send_text(alice, REFUSED)
        _, refusal = await api.messages(alice["id"], 2)
        await harness.settle()
    assert answer.text.startswith(ANSWER)
    assert refusal.text.startswith("Sorry")
    assert api.callback_answers[query_id]["text"] == "谢谢反馈"
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("event store" in m and "unavailable" in m for m in logged)
    assert not any("Error while handling update" in m for m in logged)


async def test_a_slow_database_delays_no_reply(
    api: FakeBotApi,
    responder: Responder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    original = EventLog.record_reply

    def stuck(self: EventLog, *args: Any, **kwargs: Any) -> bool:
        release.wait(10)  # a database locked by another process
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EventLog, "record_reply", stuck)
    monkeypatch.setattr(recorder, "MAX_PENDING_WRITES", 5)
    settings = settings_for(api, tmp_path)
    async with running(api, settings, Live(responder)) as app:
        try:
            users = [api.user("zh") for _ in range(3 * telegram_app.CONCURRENT_UPDATES)]
            for user in users:
                api.send_text(user, QUESTION)
            for user in users:
                [answer] = await api.messages(user["id"])
                assert answer.text.startswith(ANSWER)
            dropped = recorder_of(app.bot_data).dropped
            # Five waiting, and one or two taken off the queue: the one being written, and
            # perhaps one a read drained first (a reply's language is read after the writes).
            assert dropped >= len(users) - 7
        finally:
            release.set()
        await Harness(api, app, Live(responder), settings).settle()
        # Counted again once every write has been made or dropped: a reply's event is written
        # after the reply is sent, so one may still have been on its way when first counted.
        dropped = recorder_of(app.bot_data).dropped
    assert [r["kind"] for r in events(settings.db)] == ["answered"] * (len(users) - dropped)


# --- hot reload ----------------------------------------------------------------------------------


def rewrite(path: Path, text: str) -> None:
    """Replace the file at once, with a later mtime (so the watcher never reads half a file)."""
    new = path.with_suffix(".new")
    new.write_text(text, encoding="utf-8")
    later = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(new, ns=(later, later))
    new.replace(path)


@dataclass
class Asking:
    """Questions asked so far, and the answers to them."""

    questions: int = 0
    answers: list[Sent] = field(default_factory=list)


@contextlib.contextmanager
def keeps_asking(api: FakeBotApi, user: dict[str, Any]) -> Iterator[Asking]:
    """Ask the same question over and over, each as soon as the last is answered."""
    asking = Asking()

    async def ask() -> None:
        while True:
            api.send_text(user, QUESTION)
            asking.questions += 1
            [*_, answer] = await api.messages(user["id"], asking.questions)
            asking.answers.append(answer)

    task = asyncio.get_running_loop().create_task(ask())
    try:
        yield asking
    finally:
        task.cancel()


async def test_a_broken_edit_is_never_served_the_admins_are_told_and_a_fix_is_picked_up(
    api: FakeBotApi, faq_file: Path, tmp_path: Path
) -> None:
    editor, alice = api.user("en", "Editor"), api.user("zh")
    good = text_of(faq_file)
    broken = good.replace("- id: projects\n", "- id: exhibitors\n").replace(ANSWER, "坏的3049。")
    fixed = good.replace(ANSWER, "共有3049家展商(新版)。")
    settings = settings_for(
        api, tmp_path, faq=faq_file, admins=frozenset({editor["id"]}), reload_seconds=0.05
    )
    async with running(api, settings, LiveFaq(faq_file)):
        with keeps_asking(api, alice) as asking:
            answers = asking.answers
            await api.wait_until(lambda: len(answers) >= 3)
            rewrite(faq_file, broken)
            [alert] = await api.messages(editor["id"])
            seen = len(answers)
            await api.wait_until(lambda: len(answers) >= seen + 5)  # still answering after it
            rewrite(faq_file, fixed)
            await api.wait_until(lambda: "新版" in answers[-1].text)
        await api.messages(alice["id"], asking.questions)  # the one in flight
    replies = api.messages_to(alice["id"])
    assert len(replies) == asking.questions  # every question answered
    assert all("3049" in reply.text for reply in replies)
    assert not any("坏的" in reply.text for reply in replies)  # never from the broken file
    assert "The FAQ was not reloaded" in alert.text
    assert re.search(r"faq\.yaml:\d+: \[exhibitors\] .*duplicate", alert.text), alert.text
    assert alert.parse_mode == "HTML"
    assert len(api.messages_to(editor["id"])) == 1  # one alert for the one broken version
    assert api.rejected() == []


# --- admin commands ------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def with_admin(
    api: FakeBotApi, tmp_path: Path, faq_file: Path
) -> AsyncIterator[tuple[Harness, dict[str, Any]]]:
    """The bot on a LiveFaq (not watched: reload_seconds=0), with one admin."""
    admin = api.user("en", "Editor")
    admins = frozenset({admin["id"]})
    settings = settings_for(api, tmp_path, faq=faq_file, admins=admins, reload_seconds=0)
    live = LiveFaq(faq_file)
    async with running(api, settings, live) as app:
        yield Harness(api, app, Live(live.current), settings), admin


async def test_admin_commands_work_for_admins(
    api: FakeBotApi, tmp_path: Path, faq_file: Path
) -> None:
    async with with_admin(api, tmp_path, faq_file) as (bot, admin):
        alice = api.user("zh")
        for question in (QUESTION, REFUSED, REFUSED):
            api.send_text(alice, question)
        await bot.settle()
        api.send_text(admin, "/stats")
        [stats] = await api.messages(admin["id"])
        api.send_text(admin, "/review")
        _, review, group = await api.messages(admin["id"], 3)  # the counts, then each group
        api.send_text(admin, "/reload")
        *_, reloaded = await api.messages(admin["id"], 4)
        rewrite(faq_file, text_of(faq_file).replace("- id: projects\n", "- x\n"))
        api.send_text(admin, "/reload")
        *_, problems = await api.messages(admin["id"], 5)
        api.send_text(admin, "/review fortnight")
        *_, usage = await api.messages(admin["id"], 6)
    entries = len(LiveFaq(FIXTURE_FAQ).current.knowledge.entries)
    assert stats.text.count("questions served: 3, answered 1 (33%)") == 2  # start-up and 7 days
    assert "refusals: 2" in stats.text and "👎 0" in stats.text
    assert "top entries: exhibitors 1" in stats.text
    assert review.html.startswith("<pre>") and review.html.endswith("</pre>")
    assert "2 refused" in review.text and "(1 group, most asked first)" in review.text
    assert REFUSED in group.text and "2×" in group.text
    assert group.buttons()[-2:] == [
        ("🚫 ignore", group.data_for("ignore")),
        ("skip", group.data_for("skip")),
    ]
    assert reloaded.text == f"reloaded: {entries} entries"
    assert problems.text.startswith("⚠️ The FAQ was not reloaded")
    assert "faq.yaml:" in problems.text
    assert "invalid time window" in usage.text
    assert api.rejected() == []


async def test_admin_commands_do_not_exist_for_anyone_else(
    api: FakeBotApi, tmp_path: Path, faq_file: Path
) -> None:
    async with with_admin(api, tmp_path, faq_file) as (bot, admin):
        bob, group = api.user("en"), api.group()
        api.send_text(bob, "/nonsense")
        [unknown] = await api.messages(bob["id"])
        for command in sorted(ADMIN_ONLY):
            api.send_text(bob, f"/{command}")
            api.send_text(bob, f"/{command}@{api.username} now")
        api.send_text(admin, "/stats", chat=group)  # admin commands are for private chats
        api.send_text(bob, "/nonsense", chat=group)
        await bot.settle()
    replies = api.messages_to(bob["id"])
    assert len(replies) == 1 + 2 * len(ADMIN_ONLY)
    for reply in replies[1:]:
        assert (reply.html, reply.markup, reply.parse_mode) == (
            unknown.html,
            unknown.markup,
            unknown.parse_mode,
        )
    assert api.messages_to(group["id"]) == []  # as for any command the bot does not have


async def test_admin_commands_are_only_in_the_admins_menus(
    api: FakeBotApi, tmp_path: Path, faq_file: Path
) -> None:
    async with with_admin(api, tmp_path, faq_file) as (bot, admin):
        bob = api.user("zh")
        for user, choice in ((bob, "en"), (admin, "zh")):
            api.send_text(user, f"/lang {choice}")
        await bot.settle()
    menus = {key: {c["command"] for c in commands} for key, commands in api.commands.items()}
    admin_scope = f"chat:{admin['id']}"
    assert {key for key in menus if key[0] == admin_scope} == {
        (admin_scope, language) for language in ("", "en", "zh")
    }
    for (scope, language), commands in menus.items():
        if scope == admin_scope:
            assert commands >= ADMIN_ONLY, (scope, language)
        else:
            assert not ADMIN_ONLY & commands, (scope, language)
    assert (f"chat:{bob['id']}", "") in menus  # the non-admin's own menu, after /lang
    descriptions = [c["description"] for c in api.commands[(admin_scope, "en")]]
    assert descriptions[-1] == ADMIN_COMMANDS["zh"][-1][1]  # /lang zh switched every language
