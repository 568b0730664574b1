"""Handlers for the admins' commands /reload and /stats (/review is `review_buttons`), and the
alert they get when an edited FAQ cannot be loaded. Only `Settings.admins` reach these, in
their private chats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.knowledge import Problem
from bot.store import EventLogError
from bot.telegram import render
from bot.telegram.common import LIVE, STARTED, Context, ReloadableSource, recorder_of, send, send_to

_LOGGER = logging.getLogger(__name__)

STATS_WINDOW = timedelta(days=7)
STATS_TOP = 5  # top entries in /stats


async def reload_command(update: Update, context: Context) -> None:
    """Reload the FAQ now, and say how many entries it has or what is wrong with it."""
    live = context.bot_data[LIVE]
    if update.effective_message is None:
        return
    if not isinstance(live, ReloadableSource):
        out = render.plain("reload is not available: this bot's FAQ is not read from a file")
    else:
        result = await asyncio.to_thread(live.refresh, force=True)
        entries = len(live.current.knowledge.entries)
        ok = render.plain(f"reloaded: {entries} entries")
        out = render.reload_problems(result.problems) if result.problems else ok
    await send(update.effective_message, out)


async def stats_command(update: Update, context: Context) -> None:
    """Show the questions served, answered, refused and disliked: since start-up and over 7 days."""
    started: datetime = context.bot_data[STARTED]
    week = datetime.now(UTC) - STATS_WINDOW
    try:
        counts = await recorder_of(context.bot_data).read(
            lambda log: (log.stats(started, STATS_TOP), log.stats(week, STATS_TOP))
        )
        text = render.stats_text(started, *counts)
    except EventLogError as exc:
        text = str(exc)
    if update.effective_message:
        await send(update.effective_message, render.plain(text))


async def alert_admins(bot: Bot, admins: frozenset[int], problems: Sequence[Problem]) -> None:
    """Send every admin the problems that kept an edit of the FAQ from being loaded."""
    _LOGGER.error(
        "FAQ edit not loaded (%d problems); alerting %d admin(s)", len(problems), len(admins)
    )
    out = render.reload_problems(problems)
    for admin in sorted(admins):
        try:
            await send_to(bot, admin, out)
        except TelegramError as exc:
            _LOGGER.warning("Could not alert admin %s about the broken FAQ: %s", admin, exc)
