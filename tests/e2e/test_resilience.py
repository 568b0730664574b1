"""Rate limits, server errors and failing handlers: the bot waits, logs, and keeps serving."""

from __future__ import annotations

import logging

import pytest

from bot.replies import Reply, Responder
from bot.text import Voice

from .conftest import Harness

QUESTION = "本届高交会有多少家展商参展?"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_is_waited_out_and_the_reply_still_arrives(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.fail("sendMessage", 429, retry_after=1)
    api.send_text(alice, QUESTION)
    [reply] = await api.messages(alice["id"])
    assert "3049" in reply.text
    statuses = [c.status for c in api.calls_of("sendMessage")]
    assert statuses == [429, 200]


async def test_5xx_on_send_is_logged_and_the_bot_keeps_serving(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    api = bot.api
    alice, bob = api.user("zh"), api.user("en")
    api.fail("sendMessage", 500)
    api.send_text(alice, QUESTION)
    await bot.settle()
    assert api.messages_to(alice["id"]) == []  # that reply was lost, and logged
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("Error while handling update" in r.getMessage() for r in errors)
    api.send_text(bob, "How many exhibitors took part?")
    [reply] = await api.messages(bob["id"])
    assert "3,049" in reply.text


async def test_5xx_on_get_updates_is_retried(bot: Harness) -> None:
    api = bot.api
    alice = api.user("zh")
    api.fail("getUpdates", 502)
    # A poll is already waiting; the update ends it, and the next poll gets the 502.
    api.send_text(alice, QUESTION)
    await api.wait_until(lambda: 502 in [c.status for c in api.calls_of("getUpdates")])
    api.send_text(alice, "有多少个项目?")
    _, reply = await api.messages(alice["id"], 2)
    assert "10020" in reply.text


class _Broken(Responder):
    """A Responder that fails on one question, as a bug would."""

    def reply(self, query: str, session: Voice | None = None) -> Reply:
        if "boom" in query:
            raise RuntimeError("boom")
        return super().reply(query, session)


async def test_a_failing_handler_is_logged_and_the_bot_keeps_serving(
    bot: Harness, responder: Responder, caplog: pytest.LogCaptureFixture
) -> None:
    bot.live.current = _Broken(responder.knowledge, responder.matcher)
    api = bot.api
    alice = api.user("en")
    api.send_text(alice, "boom")
    api.send_text(alice, "How many exhibitors took part?")
    [reply] = await api.messages(alice["id"])
    assert "3,049" in reply.text
    await bot.settle()
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(isinstance(r.exc_info and r.exc_info[1], RuntimeError) for r in logged)
