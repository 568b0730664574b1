"""Private chats: answers with sources and buttons, refusals, commands, languages, odd input."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.knowledge import load
from bot.replies import Reply, Responder, Suggestion
from bot.telegram import render as telegram_render
from bot.telegram.callback_data import Tap
from bot.text import Lang, Voice
from bot.wording import COMMANDS, say

from .conftest import DATA, Harness
from .fake_bot_api import MAX_TEXT, utf16_len

EXHIBITORS_ZH = "本届高交会有多少家展商参展?"
EXHIBITORS_EN = "How many exhibitors took part?"


def no_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_answer_has_source_quote_and_related_buttons(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, EXHIBITORS_ZH)
    [reply] = await api.messages(alice["id"])
    assert reply.parse_mode == "HTML"
    assert reply.text.startswith("本届高交会共有3049家展商参展。")
    quote = reply.html.split("<blockquote expandable>", 1)[1]
    assert quote.startswith("<b>出处:高裕跃")  # the speaker heads the quoted passage
    assert "3049家展商参展</blockquote>" in quote
    *related, up, down = reply.buttons()
    assert "本届高交会展示了多少个高新技术项目?" in [label for label, _ in related]
    assert all(data.startswith("a|zh|") for _, data in related)
    assert (up[0], down[0]) == ("👍", "👎")
    assert re.fullmatch(r"u\|zh\|[\w-]{8}\|exhibitors", up[1])  # with the question's ref
    assert down[1] == "d" + up[1][1:]
    assert reply.reply_to is None  # no quoting in a private chat
    assert api.rejected() == []


async def test_several_questions_in_one_message_are_each_answered_and_quoted(
    bot: Harness,
) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, "有多少展商?有多少观众?")
    [reply] = await api.messages(alice["id"])
    assert reply.text.index("(有多少展商?)") < reply.text.index("3049")
    assert reply.text.index("(有多少观众?)") < reply.text.index("59.2万")
    assert reply.html.count("<blockquote expandable>") == 2  # each answer quotes its source
    assert api.rejected() == []


async def test_pinyin_is_answered_in_chinese(bot: Harness) -> None:
    api = bot.api
    bob = api.user("en")
    api.send_text(bob, "you duoshao zhanshang")
    [reply] = await api.messages(bob["id"])
    assert reply.text.startswith("(有多少展商?)") and "3049" in reply.text
    assert api.rejected() == []


async def test_tapping_a_related_question_answers_it(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, EXHIBITORS_ZH)
    [first] = await api.messages(alice["id"])
    query_id = api.tap(alice, first, first.data_for("高新技术项目"))
    _, second = await api.messages(alice["id"], 2)
    assert "10020" in second.text
    assert "<blockquote expandable>" in second.html
    assert query_id in api.callback_answers
    assert api.rejected() == []


async def test_reply_language_follows_the_question(bot: Harness) -> None:
    api = bot.api
    chinese_speaker = api.user("zh")
    api.send_text(chinese_speaker, EXHIBITORS_EN)
    [reply] = await api.messages(chinese_speaker["id"])
    assert "3,049 exhibitors" in reply.text
    assert "Source: Gao Yuyue" in reply.text
    assert "Related questions:" in reply.text
    *related, up, down = reply.buttons()
    assert all(data.startswith("a|en|") for _, data in related)
    assert up[1].startswith("u|en|") and down[1].startswith("d|en|")


async def test_refusal_says_what_it_knows_and_offers_examples(
    bot: Harness, responder: Responder
) -> None:
    api = bot.api
    bob = api.user("en")
    question = "What is the weather tomorrow?"
    expected = responder.reply(question)
    assert expected.kind == "refuse"  # precondition: the matcher refuses this
    api.send_text(bob, question)
    [reply] = await api.messages(bob["id"])
    assert reply.text.startswith("Sorry")
    for topic in responder.knowledge.topics:
        assert topic.title("en") in reply.text
    assert "<blockquote" not in reply.html  # nothing to quote
    buttons = reply.buttons()
    assert [label for label, _ in buttons] == [s.question for s in expected.suggestions]
    api.tap(bob, reply, buttons[0][1])
    _, answer = await api.messages(bob["id"], 2)
    assert "<blockquote expandable>" in answer.html


async def test_other_events_are_refused(bot: Harness, responder: Responder) -> None:
    api = bot.api
    alice = api.user("zh")
    assert responder.reply("去年有多少展商?").kind == "out_of_scope"
    api.send_text(alice, "去年有多少展商?")
    [reply] = await api.messages(alice["id"])
    assert "3049" not in reply.text
    assert reply.buttons()


class _Unsure(Responder):
    """A Responder that turns every answer into "did you mean" between its entry and a related one.

    The matcher's own thresholds are still being tuned, so the test does not rely on a question
    that happens to be ambiguous today.
    """

    def reply(self, query: str, session: Voice | None = None) -> Reply:
        reply = super().reply(query, session)
        assert reply.matched, reply.kind
        picks = (Suggestion(reply.entry_id or "", reply.query), *reply.suggestions[:1])
        return replace(
            reply,
            kind="ambiguous",
            answer=say("ambiguous", reply.lang),
            source=None,
            suggestions=picks,
            suggestion_kind="did_you_mean",
        )


async def test_did_you_mean_offers_buttons_that_answer(bot: Harness, responder: Responder) -> None:
    bot.live.current = _Unsure(responder.knowledge, responder.matcher)
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, EXHIBITORS_ZH)
    [reply] = await api.messages(alice["id"])
    assert reply.text == say("ambiguous", "zh")
    data = [data for _, data in reply.buttons()]
    ref = data[0].split("|")[2]
    assert data == [f"s|zh|{ref}|exhibitors", f"s|zh|{ref}|projects"]  # no 👍/👎: not an answer
    api.tap(alice, reply, data[0])
    _, answer = await api.messages(alice["id"], 2)
    assert "3049" in answer.text


async def test_html_in_a_question_is_harmless(bot: Harness) -> None:
    api = bot.api
    mallory = api.user("en")
    api.send_text(mallory, '<b>How many</b> exhibitors & <script>alert("x")</script>?')
    [reply] = await api.messages(mallory["id"])
    assert reply.text
    assert api.rejected() == []


async def test_faq_text_is_escaped(bot: Harness) -> None:
    api = bot.api
    bob = api.user("en")
    api.send_text(bob, "Where was the press briefing held?")
    [reply] = await api.messages(bob["id"])
    assert "Convention &amp; Exhibition Center" in reply.html
    assert "Convention & Exhibition Center" in reply.text


async def test_a_2000_character_question_gets_a_reply(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, ("请问本届高交会有多少家展商参展以及展会的情况如何" * 100)[:2000])
    [reply] = await api.messages(alice["id"])
    assert utf16_len(reply.text) <= MAX_TEXT
    assert api.rejected() == []


async def test_text_over_4096_characters_gets_a_hint(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, "展商" * 2100)
    [reply] = await api.messages(alice["id"])
    assert "太长" in reply.text


async def test_long_answers_are_split_at_paragraphs(bot: Harness) -> None:
    bot.live.current = Responder(load(DATA / "long.yaml"))  # also: a reload takes effect
    api = bot.api
    bob = api.user("en")
    api.send_text(bob, "What did Gao Yuyue say in his report?")
    await bot.settle()
    replies = api.messages_to(bob["id"])
    assert len(replies) >= 2
    assert all(utf16_len(m.text) <= MAX_TEXT for m in replies)
    assert replies[0].html.startswith("Gao Yuyue")
    assert all(m.html.count("<blockquote") == m.html.count("</blockquote>") for m in replies)
    assert [bool(m.buttons()) for m in replies] == [False] * (len(replies) - 1) + [True]
    assert api.rejected() == []


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_media_gets_a_friendly_hint(
    bot: Harness, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    api = bot.api
    alice = api.user("en")
    api.push(api.media_update(alice, kind))
    [reply] = await api.messages(alice["id"])
    assert "text" in reply.text
    assert no_errors(caplog) == []


async def test_edited_message_gets_a_hint(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, EXHIBITORS_ZH, edited=True)
    [reply] = await api.messages(alice["id"])
    assert "修改" in reply.text


@pytest.mark.parametrize(
    ("language_code", "hello"), [("zh-hans", "你好"), ("en", "Hello"), (None, "Hello")]
)
async def test_start_welcomes_in_the_users_language(
    bot: Harness, language_code: str | None, hello: str
) -> None:
    api = bot.api
    user = api.user(language_code)
    api.send_text(user, "/start")
    [reply] = await api.messages(user["id"])
    assert reply.text.startswith(hello)
    assert len(reply.buttons()) == 3
    api.tap(user, reply, reply.buttons()[0][1])
    _, answer = await api.messages(user["id"], 2)
    assert "<blockquote expandable>" in answer.html


async def test_help_and_about(bot: Harness, responder: Responder) -> None:
    api = bot.api
    bob = api.user("en")
    api.send_text(bob, "/help")
    [help_reply] = await api.messages(bob["id"])
    assert "@expo_faq_bot" in help_reply.text
    assert "/ask" in help_reply.text
    api.send_text(bob, "/about")
    _, about = await api.messages(bob["id"], 2)
    knowledge = responder.knowledge
    assert knowledge.title("en") in about.text
    assert f"{len(knowledge.entries)} questions" in about.text
    assert "Gao Yuyue" in about.text
    api.send_text(bob, "/nonsense")
    *_, hint = await api.messages(bob["id"], 3)
    assert "/topics" in hint.text


async def test_topics_browse_to_an_answer_and_back(
    bot: Harness, responder: Responder, caplog: pytest.LogCaptureFixture
) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, "/topics")
    [menu] = await api.messages(alice["id"])
    assert [label.split(" (")[0] for label, _ in menu.buttons()] == [
        t.title("zh") for t in responder.knowledge.topics
    ]
    api.tap(alice, menu, menu.data_for("通报会"))
    await api.wait_until(lambda: menu.edits == 1)
    assert menu.text.startswith("通报会")
    labels = [label for label, _ in menu.buttons()]
    assert "媒体通报会是什么时候举行的?" in labels
    assert labels[-1] == "« 全部话题"
    # A double tap edits to the same content; Telegram says "not modified" and the bot shrugs.
    same_topic = Tap("topic", "zh", "briefing").encode()
    first_tap = api.tap(alice, menu, same_topic)
    await bot.settle()
    assert first_tap in api.callback_answers
    api.tap(alice, menu, menu.data_for("媒体通报会是什么时候"))
    _, answer = await api.messages(alice["id"], 2)
    assert "11月21日" in answer.text
    api.tap(alice, menu, menu.data_for("全部话题"))
    await api.wait_until(lambda: menu.edits == 2)
    assert menu.text == "选择一个话题:"
    assert no_errors(caplog) == []


async def test_topic_pages(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram_render, "TOPIC_PAGE", 4)
    api = bot.api
    bob = api.user("en")
    api.send_text(bob, "/topics")
    [menu] = await api.messages(bob["id"])
    api.tap(bob, menu, menu.data_for("Key figures"))
    await api.wait_until(lambda: menu.edits == 1)
    api.tap(bob, menu, menu.data_for("Next"))
    await api.wait_until(lambda: menu.edits == 2)
    labels = [label for label, _ in menu.buttons()]
    assert labels[:2] == [  # the 5th and 6th of 6
        "What was the professional-visitor popularity index?",
        "How many forums and conferences were held?",
    ]
    assert labels[-2:] == ["‹ Previous", "« All topics"]
    api.tap(bob, menu, menu.data_for("Previous"))
    await api.wait_until(lambda: menu.edits == 3)
    assert menu.buttons()[0][0] == "What was the total exhibition area?"


async def test_lang_switches_commands_and_buttons(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, "/lang")
    [menu] = await api.messages(alice["id"])
    assert [label for label, _ in menu.buttons()] == ["中文", "English"]
    api.tap(alice, menu, menu.data_for("English"))
    await api.wait_until(lambda: menu.edits == 1)
    assert menu.text.startswith("OK")
    assert api.commands[(f"chat:{alice['id']}", "")][0]["description"] == COMMANDS["en"][0][1]
    api.send_text(alice, "/start")
    _, welcome = await api.messages(alice["id"], 2)
    assert welcome.text.startswith("Hello")
    api.send_text(alice, "/lang zh")
    *_, switched = await api.messages(alice["id"], 3)
    assert switched.text.startswith("好的")
    api.send_text(alice, "/topics")
    *_, topics = await api.messages(alice["id"], 4)
    assert topics.text == "选择一个话题:"


async def test_commands_are_registered_in_both_languages(bot: Harness) -> None:
    commands = bot.api.commands
    menus: tuple[tuple[str, Lang], ...] = (("", "en"), ("en", "en"), ("zh", "zh"))
    for key, lang in menus:
        registered = [(c["command"], c["description"]) for c in commands[("default", key)]]
        assert registered == list(COMMANDS[lang])


def test_long_fixture_is_valid() -> None:
    """The FAQ behind the splitting test loads, and its one answer really is over a message."""
    knowledge = load(Path(DATA / "long.yaml"))
    assert len(knowledge.entries[0].source.text) > MAX_TEXT
