"""Groups (answer only when addressed) and inline mode."""

from __future__ import annotations

from bot.replies import Responder
from bot.telegram.render import MAX_INLINE_RESULTS

from .conftest import Harness
from .fake_bot_api import BOT_USERNAME, MAX_TEXT, utf16_len

QUESTION = "本届高交会有多少家展商参展?"


async def test_group_chatter_is_ignored(bot: Harness) -> None:
    api = bot.api
    group, alice = api.group(), api.user("zh")
    api.send_text(alice, QUESTION, chat=group)
    api.send_text(alice, "@someone_else 有多少展商?", chat=group)
    api.push(api.media_update(alice, "sticker", chat=group))
    api.send_text(alice, "@expo_faq_bot 有多少展商?", chat=group, edited=True)
    await bot.settle()
    assert api.messages_to(group["id"]) == []


async def test_mention_in_a_group_is_answered_as_a_reply(bot: Harness) -> None:
    api = bot.api
    group, alice = api.group(), api.user("zh")
    update = api.text_update(alice, f"@{BOT_USERNAME} {QUESTION}", chat=group)
    api.push(update)
    [reply] = await api.messages(group["id"])
    assert "3049" in reply.text
    assert reply.reply_to == update["message"]["message_id"]


async def test_reply_to_the_bot_in_a_group_is_answered(bot: Harness) -> None:
    api = bot.api
    group, alice, bob = api.group(), api.user("zh"), api.user("en")
    api.send_text(alice, f"/ask@{BOT_USERNAME} {QUESTION}", chat=group)
    [first] = await api.messages(group["id"])
    api.send_text(bob, "How many projects were exhibited?", chat=group, reply_to=first)
    _, second = await api.messages(group["id"], 2)
    assert "10,020" in second.text


async def test_ask_command_in_a_group(bot: Harness) -> None:
    api = bot.api
    group, alice = api.group(), api.user("en")
    api.send_text(alice, "/ask How many exhibitors took part?", chat=group)
    [reply] = await api.messages(group["id"])
    assert "3,049" in reply.text
    api.send_text(alice, "/ask", chat=group)
    _, usage = await api.messages(group["id"], 2)
    assert usage.text.startswith("Usage: /ask")


async def test_buttons_work_in_groups(bot: Harness) -> None:
    api = bot.api
    group, alice, bob = api.group(), api.user("zh"), api.user("en")
    api.send_text(alice, f"/ask {QUESTION}", chat=group)
    [reply] = await api.messages(group["id"])
    api.tap(bob, reply, reply.data_for("高新技术项目"))
    _, answer = await api.messages(group["id"], 2)
    assert "10020" in answer.text


async def test_inline_query_offers_answers(bot: Harness, responder: Responder) -> None:
    api = bot.api
    alice = api.user("zh")
    query_id = api.inline(alice, "展商")
    answer = await api.wait_until(lambda: api.inline_answers.get(query_id))
    results = answer["results"]
    assert 1 <= len(results) <= MAX_INLINE_RESULTS
    best = results[0]
    exhibitors = responder.knowledge.entry("exhibitors")
    assert exhibitors is not None
    assert best["title"] == exhibitors.questions["zh"][0]
    assert best["description"] == exhibitors.answer.zh
    content = best["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "<blockquote expandable>" in content["message_text"]
    assert "3049家展商参展" in best["_visible"]  # what the chat shows once it is chosen
    assert all(utf16_len(r["_visible"]) <= MAX_TEXT for r in results)
    assert api.rejected() == []


async def test_empty_inline_query_offers_examples(bot: Harness) -> None:
    api = bot.api
    bob = api.user("en")
    query_id = api.inline(bob, "")
    answer = await api.wait_until(lambda: api.inline_answers.get(query_id))
    titles = [r["title"] for r in answer["results"]]
    assert titles and all(t.isascii() for t in titles)  # in the user's language
    assert answer["is_personal"] in ("true", True)


async def test_inline_query_about_another_event_offers_nothing(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    query_id = api.inline(alice, "广交会有多少展商")
    answer = await api.wait_until(lambda: api.inline_answers.get(query_id))
    assert answer["results"] == []
