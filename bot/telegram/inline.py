"""The inline-mode handler: `@botname question` in any chat offers answers to pick and send."""

from __future__ import annotations

from telegram import Update

from bot.telegram import render
from bot.telegram.common import Context, responder, ui_voice

INLINE_CACHE_SECONDS = 60  # short, because a reload may change the answers


async def inline_query(update: Update, context: Context) -> None:
    """Offer up to ten answers to what is typed after @botname."""
    query = update.inline_query
    if query is None:
        return
    voice = await ui_voice(update, context)
    replies = responder(context).best_answers(query.query, render.MAX_INLINE_RESULTS, voice)
    await query.answer(
        render.inline_results(replies),
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=not query.query.strip(),
    )
