"""Starting and stopping the real Application the way `run_polling` and `run_webhook` do, minus
the signals.

Shared by the end-to-end tests and `benchmarks/bench_telegram.py`.
"""

from __future__ import annotations

import datetime as dtm
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Settings
from bot.telegram.app import ALLOWED_UPDATES, BotApp, build_application
from bot.telegram.common import ResponderSource
from bot.telegram.runner import webhook_secret


async def start_polling(app: BotApp) -> None:
    """What run_polling does before it waits for a signal."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(
        timeout=dtm.timedelta(seconds=10), allowed_updates=ALLOWED_UPDATES
    )
    await app.start()


async def stop_polling(app: BotApp) -> None:
    """What run_polling does after a signal."""
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def webhook_instance(
    settings: Settings, live: ResponderSource
) -> AsyncIterator[tuple[BotApp, str]]:
    """One instance of the bot serving a webhook on its own port, as behind a load balancer:
    the application and the URL to deliver updates to."""
    app = build_application(settings, live)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    await app.initialize()
    assert app.updater is not None and app.post_init is not None
    await app.post_init(app)
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        webhook_url="https://lb.invalid/hook",
        secret_token=webhook_secret(settings.token),
        allowed_updates=ALLOWED_UPDATES,
    )
    await app.start()
    try:
        yield app, url
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
