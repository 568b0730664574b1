"""Several instances, one record: webhook instances sharing a PostgreSQL event store, and the
bot riding out a database outage without losing a reply or, once it is back, a question."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import cycle
from typing import Any

import pytest

from bot import review
from bot.replies import Responder
from bot.store import EventLog, PostgresUrl
from bot.telegram.app import BotApp
from bot.telegram.common import recorder_of
from tests.stores import PostgresServer, rows

from .conftest import Live, running, settings_for
from .fake_bot_api import FakeBotApi
from .lifecycle import webhook_instance

QUESTION = "本届高交会有多少家展商参展?"
PROJECTS = "有多少个项目?"
REFUSED = "What is the weather tomorrow?"
SALT = "e2e-salt"


async def settle(app: BotApp) -> None:
    """Wait until app has handled every update it has taken, and queued what they recorded."""
    await app.update_queue.join()
    await recorder_of(app.bot_data).flush()


@pytest.mark.usefixtures("patient_store")
async def test_two_instances_on_one_postgres_see_everything_and_share_lang(
    api: FakeBotApi, responder: Responder, postgres_url: PostgresUrl, tmp_path: Any
) -> None:
    admin, alice, bob = api.user("en", "Editor"), api.user("zh"), api.user("en", "Bob")
    settings = settings_for(api, tmp_path, db=postgres_url, admins=frozenset({admin["id"]}))
    live = Live(responder)
    async with (
        webhook_instance(settings, live) as (one_app, one),
        webhook_instance(settings, live) as (two_app, two),
    ):
        spread = cycle([one, two])  # the load balancer's round robin
        asked = [(alice, QUESTION), (bob, REFUSED), (alice, PROJECTS), (bob, REFUSED)]
        for user, question in asked:
            assert await api.deliver(api.text_update(user, question), url=next(spread)) == 200
        await api.messages(alice["id"], 2)
        await api.messages(bob["id"], 2)
        for app in (one_app, two_app):
            await settle(app)

        assert await api.deliver(api.text_update(alice, "/lang en"), url=one) == 200
        *_, chosen = await api.messages(alice["id"], 3)
        assert await api.deliver(api.text_update(alice, "/start"), url=two) == 200
        *_, welcome = await api.messages(alice["id"], 4)
        assert await api.deliver(api.text_update(alice, "/lang zh"), url=two) == 200
        await api.messages(alice["id"], 5)
        assert await api.deliver(api.text_update(alice, "/topics"), url=one) == 200
        *_, topics = await api.messages(alice["id"], 6)

        assert await api.deliver(api.text_update(admin, "/stats"), url=one) == 200
        [stats] = await api.messages(admin["id"])
    assert chosen.text.startswith("OK")
    assert welcome.text.startswith("Hello")  # Alice's Telegram is in Chinese: the choice held
    assert topics.text == "选择一个话题:"
    assert stats.text.count("questions served: 4, answered 2 (50%)") == 2  # both halves
    with EventLog.connect(postgres_url, salt=SALT) as log:
        report = review.review(log)
    assert report.stats.served == 4 and report.stats.askers == 2
    [group] = report.unanswered
    assert (group.examples, group.count, group.askers) == ((REFUSED,), 2, 1)
    assert api.rejected() == []


@pytest.fixture
def caplog_info(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO):
        yield caplog


async def test_an_outage_mid_run_loses_no_reply_and_no_question(
    api: FakeBotApi,
    responder: Responder,
    own_postgres: PostgresServer,
    tmp_path: Any,
    caplog_info: pytest.LogCaptureFixture,
) -> None:
    url = own_postgres.new_database("outage")
    settings = settings_for(api, tmp_path, db=url)
    alice, bob = api.user("zh"), api.user("en", "Bob")
    async with running(api, settings, Live(responder)) as app:
        recorder = recorder_of(app.bot_data)
        api.send_text(alice, QUESTION)
        await api.messages(alice["id"])
        await settle(app)
        assert [r["query"] for r in rows(url)] == [QUESTION]

        own_postgres.stop()
        during = [(bob, REFUSED), (alice, PROJECTS), (bob, "How many exhibitors took part?")]
        for user, question in during:
            api.send_text(user, question)
        bobs = await api.messages(bob["id"], 2)
        await api.messages(alice["id"], 2)
        api.send_text(alice, "/lang en")
        await api.messages(alice["id"], 3)
        api.send_text(alice, "/help")
        alices = await api.messages(alice["id"], 4)
        await settle(app)
        assert recorder.buffered == 4  # three questions and the /lang choice, in memory

        own_postgres.start()
        await api.wait_until(lambda: recorder.buffered == 0)
    assert sorted("3,049" in reply.text for reply in bobs) == [False, True]  # refused, answered
    assert "10020" in alices[1].text
    assert alices[2].text.startswith("OK")
    assert alices[3].text.startswith("Send me")  # in English: the choice held meanwhile
    stored = rows(url)
    assert sorted(r["query"] for r in stored) == sorted([QUESTION, *(q for _, q in during)])
    assert len(rows(url, "lang_choices")) == 1
    back = [r.getMessage() for r in caplog_info.records if "is back after" in r.getMessage()]
    assert len(back) == 1 and "3 event(s) and 1 /lang choice(s)" in back[0]
    assert "Traceback" not in caplog_info.text
