"""`run()` in a child process (polling, webhook, signals, token errors) and webhook instances."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.telegram import runner

from .conftest import PYTHON, Live, settings_for
from .fake_bot_api import TOKEN, FakeBotApi
from .lifecycle import free_port, webhook_instance

RUN = (
    "import sys\n"
    "from bot.config import Settings\n"
    "from bot.telegram.runner import run\n"
    "url, port, secret = sys.argv[1:4]\n"
    "sys.exit(run(Settings.from_env(), webhook_url=url or None, port=int(port or 0) or None,\n"
    "            secret=secret or None, listen='127.0.0.1'))\n"
)
QUESTION = "本届高交会有多少家展商参展?"


@dataclass
class Child:
    """`run()` in a child process, with its stderr collected line by line."""

    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)

    async def wait_for_line(self, needle: str, within: float = 20.0) -> None:
        """Read stderr until a line contains `needle` (an event in the child, not a sleep)."""
        assert self.process.stderr is not None

        async def scan() -> None:
            assert self.process.stderr is not None
            while True:
                raw = await self.process.stderr.readline()
                if not raw:
                    raise AssertionError(f"child exited before {needle!r}: {self.lines}")
                self.lines.append(raw.decode())
                if needle in self.lines[-1]:
                    return

        await asyncio.wait_for(scan(), within)

    async def finish(self, sig: int | None = None, within: float = 20.0) -> tuple[int, str]:
        """Send `sig` (if any), wait for the exit status, and return it with all of stderr."""
        if sig is not None:
            self.process.send_signal(sig)
        _, err = await asyncio.wait_for(self.process.communicate(), within)
        assert self.process.returncode is not None
        return self.process.returncode, "".join(self.lines) + err.decode()


@asynccontextmanager
async def child(
    env: dict[str, str],
    cwd: str,
    url: str = "",
    port: int = 0,
    secret: str = "",
    *,
    via_cli: bool = False,
) -> AsyncIterator[Child]:
    """`run()` in a child process; `via_cli` starts it as `python -m bot telegram` instead."""
    argv = ["-m", "bot", "telegram"] if via_cli else ["-c", RUN, url, str(port or ""), secret]
    process = await asyncio.create_subprocess_exec(
        PYTHON,
        *argv,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield Child(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in (TOKEN, TOKEN.split(":")[1], *secrets):
        assert secret not in text


@pytest.mark.parametrize(
    ("sig", "via_cli"), [(signal.SIGTERM, True), (signal.SIGINT, False), (signal.SIGTERM, False)]
)
async def test_polling_serves_and_stops_cleanly_on_a_signal(
    api: FakeBotApi, subprocess_env: dict[str, str], tmp_path: object, sig: int, via_cli: bool
) -> None:
    env = {**subprocess_env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": api.base_url}
    async with child(env, str(tmp_path), via_cli=via_cli) as bot:
        await bot.wait_for_line("Application started")
        alice = api.user("zh")
        api.send_text(alice, QUESTION)
        [reply] = await api.messages(alice["id"])
        assert "3049" in reply.text
        status, log = await bot.finish(sig)
    assert status == 0
    assert "Traceback" not in log
    assert_no_secret(log)
    polls = api.calls_of("getUpdates")
    assert polls[-1].params.get("timeout") == 0  # the last poll only confirms the offset
    assert [c.method for c in api.calls[:2]] == ["getMe", "setMyCommands"]


async def test_webhook_checks_the_secret_token(
    api: FakeBotApi, subprocess_env: dict[str, str], tmp_path: object
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = {**subprocess_env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": api.base_url}
    async with child(env, str(tmp_path), url, port, "s3cret_token-1") as bot:
        await bot.wait_for_line("Application started")
        assert api.webhook is not None
        assert api.webhook["url"] == url
        assert api.webhook["secret_token"] == "s3cret_token-1"
        alice = api.user("zh")
        assert await api.deliver(api.text_update(alice, QUESTION), secret="wrong") == 403
        assert await api.deliver(api.text_update(alice, "有多少个项目?")) == 200
        [reply] = await api.messages(alice["id"])
        assert "10020" in reply.text  # the first update never got in
        status, log = await bot.finish(signal.SIGTERM)
    assert status == 0
    assert_no_secret(log, "s3cret_token-1")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "TELEGRAM_BOT_TOKEN is not set"),
        ("123456:short", "TELEGRAM_BOT_TOKEN is malformed"),
        ("not a token at all, but long enough to be one", "TELEGRAM_BOT_TOKEN is malformed"),
        ("987654321:AAHsome-other-bots-token-abcdefghijklmno", "Telegram rejected"),
    ],
)
async def test_token_problems_are_one_line_and_status_2(
    api: FakeBotApi, subprocess_env: dict[str, str], tmp_path: object, token: str, message: str
) -> None:
    env = {**subprocess_env, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": api.base_url}
    async with child(env, str(tmp_path), via_cli=True) as bot:
        status, log = await bot.finish()
    assert status == 2
    assert log.count("\n") == 1, log
    assert message in log
    if token:
        assert token not in log
        assert token.rsplit(":", maxsplit=1)[-1] not in log


async def test_bad_webhook_settings_are_one_line_and_status_2(
    subprocess_env: dict[str, str], tmp_path: object
) -> None:
    env = {**subprocess_env, "TELEGRAM_BOT_TOKEN": TOKEN}
    async with child(env, str(tmp_path), "http://bot.example.com/hook", 8443) as bot:
        status, log = await bot.finish()
    assert (status, log.count("\n")) == (2, 1)
    assert "https://" in log


async def test_instances_behind_a_load_balancer_share_no_chat_state(
    api: FakeBotApi, responder: object, tmp_path: Path
) -> None:
    from bot.replies import Responder

    assert isinstance(responder, Responder)
    live = Live(responder)
    # One SQLite file shared by both instances, as a deployment on one host could.
    settings = settings_for(api, tmp_path)
    async with (
        webhook_instance(settings, live) as (_, one),
        webhook_instance(settings, live) as (_, two),
    ):
        alice = api.user("zh")
        assert await api.deliver(api.text_update(alice, "/topics"), url=one) == 200
        [menu] = await api.messages(alice["id"])
        tap = api.callback_update(alice, menu, menu.data_for("通报会"))
        assert await api.deliver(tap, url=two) == 200  # the other instance handles the tap
        await api.wait_until(lambda: menu.edits == 1)
        assert menu.text.startswith("通报会")
        question = api.text_update(alice, "How many exhibitors took part?")
        assert await api.deliver(question, url=two) == 200
        _, answer = await api.messages(alice["id"], 2)
        assert "3,049" in answer.text
    assert api.rejected() == []


async def test_an_unreachable_database_is_one_line_and_the_bot_answers(
    api: FakeBotApi, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    password = "pg-password-never-logged"
    env = {
        **subprocess_env,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "EXPO_BOT_DB": f"postgresql://bot:{password}@/expo?host={tmp_path / 'no-server'}",
    }
    async with child(env, str(tmp_path)) as bot:
        await bot.wait_for_line("Application started")
        alice = api.user("zh")
        api.send_text(alice, QUESTION)
        [reply] = await api.messages(alice["id"])
        status, log = await bot.finish(signal.SIGTERM)
    assert status == 0 and "3049" in reply.text
    store_lines = [line for line in log.splitlines() if "event store" in line]
    assert "unavailable" in store_lines[0] and "bot:***@" in store_lines[0]
    assert "still unavailable at shutdown: 1 event(s) lost" in store_lines[-1]
    assert "Traceback" not in log
    assert_no_secret(log, password)
    assert not (tmp_path / "postgresql:").exists()


# The retries' waits shortened: what is tested is what they say, not how long they last.
QUICK_RETRIES = (
    "import sys\n"
    "from bot.config import Settings\n"
    "from bot.telegram import runner\n"
    "runner.FIRST_RETRY_SECONDS = 0.05\n"
    "sys.exit(runner.run(Settings.from_env()))\n"
)


@pytest.mark.parametrize("where", ["refused", "no such host"])
async def test_an_unreachable_bot_api_is_one_line_per_retry_then_one_error(
    subprocess_env: dict[str, str], tmp_path: Path, where: str
) -> None:
    base = (
        f"http://127.0.0.1:{free_port()}" if where == "refused" else "http://no-such-host.invalid"
    )
    env = {**subprocess_env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base}
    process = await asyncio.create_subprocess_exec(
        PYTHON,
        "-c",
        QUICK_RETRIES,
        env=env,
        cwd=str(tmp_path),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    log = err.decode()
    lines = log.splitlines()
    assert process.returncode == 1
    assert "Traceback" not in log
    assert_no_secret(log)
    retries = [line for line in lines if "retrying in" in line]
    assert len(retries) == runner.CONNECT_ATTEMPTS - 1
    assert all(f"Cannot reach the Bot API at {base}" in line for line in retries)
    assert f"(attempt 2 of {runner.CONNECT_ATTEMPTS})" in retries[0]
    assert lines[-1].startswith(f"expo-bot: error: cannot reach the Bot API at {base}: ")
    # Nothing else: no line from the retry loop of python-telegram-bot, nor its shutdown.
    assert len(lines) == len(retries) + 1, log
