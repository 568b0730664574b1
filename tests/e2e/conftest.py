"""Fixtures for the Telegram end-to-end tests: the Bot API stand-in and the real Application.

The `bot` fixture starts the Application the way `run_polling` does (initialize, post_init, start
polling, start), against the stand-in on 127.0.0.1, and stops it the same way (with post_stop and
post_shutdown). Its events go to a database in tmp_path; `Harness.settle` also waits for them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from bot import recorder
from bot.config import Settings
from bot.knowledge import load
from bot.replies import Responder
from bot.telegram.app import BotApp, build_application
from bot.telegram.common import ResponderSource, recorder_of

from .fake_bot_api import TOKEN, FakeBotApi
from .lifecycle import start_polling, stop_polling

DATA = Path(__file__).parent / "data"
FIXTURE_FAQ = DATA / "faq.yaml"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Live:
    """A ResponderSource for tests: swap `current` to simulate a reload."""

    current: Responder


@dataclass
class Harness:
    """The running bot and the stand-in it talks to."""

    api: FakeBotApi
    app: BotApp
    live: Live
    settings: Settings

    async def settle(self) -> None:
        """Wait until the bot has fetched and completely handled every update pushed so far,
        and has written the events they caused."""
        await self.api.fetched(self.api.last_update_id)
        await self.app.update_queue.join()
        await recorder_of(self.app.bot_data).flush()


@pytest.fixture(scope="session")
def responder() -> Responder:
    return Responder(load(FIXTURE_FAQ))


@pytest.fixture(scope="session")
def shipped() -> Responder:
    """The shipped FAQ's responder, for what the small e2e FAQ does not hold (its people)."""
    return Responder(load(REPO / "knowledge" / "faq.yaml"))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def patient_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replies wait up to 10 s for the store instead of half a second: for tests of what one
    instance reads of another's writes, which a loaded machine must not turn into a fallback
    to this instance's own memory."""
    monkeypatch.setattr(recorder, "LANG_WAIT_SECONDS", 10.0)


def settings_for(api: FakeBotApi, tmp_path: Path, **changes: Any) -> Settings:
    """Settings for a bot talking to the stand-in, recording to a database in tmp_path."""
    base = Settings(
        token=TOKEN,
        base_url=api.base_url,
        faq=FIXTURE_FAQ,
        db=tmp_path / "events.sqlite3",
        salt="e2e-salt",
    )
    return replace(base, **changes)


@asynccontextmanager
async def running(
    api: FakeBotApi, settings: Settings, live: ResponderSource
) -> AsyncIterator[BotApp]:
    """The bot, polling the stand-in, until the block ends."""
    app = build_application(settings, live)
    await start_polling(app)
    try:
        yield app
    finally:
        await stop_polling(app)


@pytest.fixture
async def bot(api: FakeBotApi, responder: Responder, tmp_path: Path) -> AsyncIterator[Harness]:
    settings = settings_for(api, tmp_path)
    live = Live(responder)
    async with running(api, settings, live) as app:
        yield Harness(api, app, live, settings)


@pytest.fixture
def faq_file(tmp_path: Path) -> Path:
    """A writable copy of the e2e FAQ, its transcript path made absolute."""
    text = FIXTURE_FAQ.read_text(encoding="utf-8")
    source = "source: ../../../knowledge/transcript.txt"
    assert source in text
    text = text.replace(source, f"source: {REPO / 'knowledge' / 'transcript.txt'}")
    path = tmp_path / "faq" / "faq.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def bytes_of(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture
def subprocess_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running `bot.telegram.runner.run` in a child process (cwd: tmp_path)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "EXPO_BOT_"))}
    env["PYTHONPATH"] = str(REPO)
    env["EXPO_BOT_FAQ"] = str(FIXTURE_FAQ)
    # The fixture FAQ has no semantic calibration: a model that finished loading before the
    # child's first log line would add a warning the log-shape tests don't expect.
    env["EXPO_BOT_SEMANTIC"] = "off"
    env["PYTHONUNBUFFERED"] = "1"
    return env


PYTHON = sys.executable
