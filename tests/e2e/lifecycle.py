"""Starting and stopping the real Application the way `run_polling` does, minus the signals.

Shared by the end-to-end tests and `benchmarks/bench_telegram.py`.
"""

from __future__ import annotations

import datetime as dtm

from bot.telegram_bot import ALLOWED_UPDATES, BotApp


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
