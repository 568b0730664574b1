"""Follow-ups over Telegram: a three-turn conversation, each member's own in a group, and one
conversation carried on by two instances sharing one store."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.replies import Responder
from bot.store import EventLog
from bot.telegram.common import recorder_of

from .conftest import Harness, Live, running, settings_for
from .fake_bot_api import FakeBotApi
from .lifecycle import webhook_instance

SALT = "e2e-salt"


async def test_a_three_turn_conversation_is_read_in_context(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    for n, text in enumerate(("本届高交会有多少家展商参展?", "那观众呢?", "项目呢?"), 1):
        api.send_text(alice, text)
        await api.messages(alice["id"], n)  # each turn once the one before is answered
    first, second, third = await api.messages(alice["id"], 3)
    assert "3049" in first.text and not first.text.startswith("(")
    note, _, _ = second.text.partition("\n")
    # The note says how the follow-up was read: a question about the visitors.
    assert note.startswith("(") and note.endswith("?)") and "观众" in note
    assert "59.2万" in second.text
    assert third.text.startswith("(") and "10020" in third.text
    assert "<blockquote expandable>" in third.html  # quoted like any answer
    await bot.settle()
    with EventLog.connect(bot.settings.db, salt=SALT) as log:
        events = log.events()
    assert events[0].understood == "" and "观众" in events[1].understood
    assert note == f"({events[1].understood}?)"
    assert api.rejected() == []


async def test_a_typed_number_picks_from_the_buttons_under_the_last_reply(bot: Harness) -> None:
    api = bot.api
    alice, bob = api.user("zh"), api.user("en", "Bob")
    api.send_text(alice, "本届高交会有多少家展商参展?")
    [first] = await api.messages(alice["id"])
    second_button = first.buttons()[1][0]  # the second question offered, as labelled
    api.send_text(alice, "第二个")
    _, picked = await api.messages(alice["id"], 2)
    assert picked.text.startswith(f"({second_button.rstrip('?？')}?)")
    assert "<blockquote expandable>" in picked.html
    api.send_text(bob, "2")  # Bob was offered nothing: read as it is
    [alone] = await api.messages(bob["id"])
    assert not alone.text.startswith("(")
    assert api.rejected() == []


async def test_his_title_names_whom_the_last_answer_named(
    api: FakeBotApi, shipped: Responder, tmp_path: Path
) -> None:
    settings = settings_for(api, tmp_path, faq=shipped.knowledge.path)
    alice = api.user("zh")
    async with running(api, settings, Live(shipped)):
        api.send_text(alice, "是谁为本届高交会揭幕的?")
        await api.messages(alice["id"])
        api.send_text(alice, "他是什么职务?")
        _, titled = await api.messages(alice["id"], 2)
    assert titled.text.startswith("(李希、万钢是什么职务?)") and "广东省委书记" in titled.text
    assert "<blockquote expandable>" in titled.html
    assert api.rejected() == []


async def test_in_a_group_each_member_has_a_conversation_of_their_own(bot: Harness) -> None:
    api = bot.api
    group, alice, bob = api.group(), api.user("zh"), api.user("en", "Bob")
    api.send_text(alice, "/ask 本届高交会有多少家展商参展?", chat=group)
    await api.messages(group["id"], 1)
    api.send_text(bob, "/ask Where was the press briefing held?", chat=group)
    await api.messages(group["id"], 2)
    api.send_text(alice, "/ask 那观众呢?", chat=group)
    await api.messages(group["id"], 3)
    api.send_text(bob, "/ask And what time?", chat=group)
    *_, visitors, time = await api.messages(group["id"], 4)
    assert "59.2万" in visitors.text
    assert time.text.startswith("(what time was the press briefing held?)")
    assert "15" in time.text


@pytest.mark.usefixtures("patient_store")
async def test_a_second_instance_continues_the_conversation(
    api: FakeBotApi, responder: Responder, tmp_path: Path
) -> None:
    settings = settings_for(api, tmp_path)
    alice = api.user("zh")
    live = Live(responder)
    async with (
        webhook_instance(settings, live) as (one_app, one),
        webhook_instance(settings, live) as (_, two),
    ):
        assert (
            await api.deliver(api.text_update(alice, "本届高交会有多少家展商参展?"), url=one) == 200
        )
        await api.messages(alice["id"], 1)
        await recorder_of(one_app.bot_data).flush()  # the turn is written just after the reply
        assert await api.deliver(api.text_update(alice, "那观众呢?"), url=two) == 200
        _, second = await api.messages(alice["id"], 2)
    assert "59.2万" in second.text and second.text.startswith("(")


async def test_with_follow_ups_off_each_message_stands_alone(
    api: FakeBotApi, responder: Responder, tmp_path: Path
) -> None:
    settings = settings_for(api, tmp_path, context_seconds=0)
    alice = api.user("zh")
    async with running(api, settings, Live(responder)):
        api.send_text(alice, "本届高交会有多少家展商参展?")
        await api.messages(alice["id"], 1)
        api.send_text(alice, "那观众呢?")
        _, second = await api.messages(alice["id"], 2)
    assert not second.text.startswith("(")  # read alone, as it would be with no turn before
    assert second.text.startswith(responder.reply("那观众呢?").answer.splitlines()[0])
