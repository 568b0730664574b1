"""Handlers for inline-keyboard buttons: answers, suggestions, 👍/👎, topic pages and /lang.

Every tap is answered (the spinner stops), with a toast when there is nothing else to show; a
button whose entry or topic is gone since a reload says so.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import CallbackQuery, Update

from bot.knowledge import Entry, Knowledge
from bot.recorder import Asked
from bot.store import EventLog
from bot.telegram import render
from bot.telegram.callback_data import Tap
from bot.telegram.commands import set_lang
from bot.telegram.common import (
    Context,
    asked,
    continue_conversation,
    conversation_key,
    ratings,
    record,
    responder,
    send_to,
    show,
    ui_voice,
)
from bot.text import Voice


async def answer_button(update: Update, context: Context) -> None:
    """Answer the question on a tapped button."""
    tapped = _tapped(update)
    if tapped is not None:
        await _answer_tap(update, context, *tapped, ref="")


async def suggestion_button(update: Update, context: Context) -> None:
    """Answer a tapped "did you mean" or closest suggestion, and record which one was chosen."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    question = asked(context).get(tap.ref)
    entry_id = await _answer_tap(update, context, query, tap, tap.ref if question else "")
    if entry_id is not None:
        record(context, _suggestion_tap(question, tap, entry_id, query.from_user.id))


async def rating_button(update: Update, context: Context) -> None:
    """Thank for a 👍 or 👎 with a toast, and record it; the message stays as it is."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    entry_id = _entry_id(responder(context).knowledge, tap)
    await query.answer(render.toast("thanks", tap.voice))
    if entry_id is not None and _first_rating(context, query, tap):
        question = asked(context).get(tap.ref)
        record(context, _feedback(question, tap, entry_id, query.from_user.id))


async def topic_button(update: Update, context: Context) -> None:
    """Show a page of one topic's questions in place of the menu."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    knowledge = responder(context).knowledge
    topic_id = next((t.id for t in knowledge.topics if tap.refers_to(t.id)), None)
    page = render.topic_page(knowledge, topic_id, tap.voice, tap.page) if topic_id else None
    if page is None:
        await query.answer(render.toast("stale", tap.voice))
        return
    await query.answer()
    await show(query, context, page)


async def topics_button(update: Update, context: Context) -> None:
    """Go back from a topic to the list of topics."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    await query.answer()
    await show(query, context, render.topic_list(responder(context).knowledge, tap.voice))


async def lang_button(update: Update, context: Context) -> None:
    """Set the interface language chosen on the /lang menu."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    await set_lang(update, context, tap.lang)
    await query.answer()
    await show(query, context, render.notice("lang_set", Voice(tap.lang))[0])


async def stale_button(update: Update, context: Context) -> None:
    """Stop the spinner on a button this version of the bot does not know."""
    if update.callback_query:
        voice = await ui_voice(update, context)
        await update.callback_query.answer(render.toast("stale", voice))


async def _answer_tap(
    update: Update, context: Context, query: CallbackQuery, tap: Tap, ref: str
) -> str | None:
    """Send the answer a button names; its entry id, or None (and a toast) if it is gone."""
    current = responder(context)
    entry = _entry(current.knowledge, tap)
    reply = current.reply_for_entry(entry.id, tap.lang, variant=tap.variant) if entry else None
    if reply is None or update.effective_chat is None:
        await query.answer(render.toast("stale", tap.voice))
        return None
    await query.answer()
    await send_to(context.bot, update.effective_chat.id, render.render_reply(reply, ref))
    key = conversation_key(update.effective_chat, query.from_user)
    continue_conversation(context, key, current, reply)  # a follow-up is about the entry tapped
    return reply.entry_id


def _tapped(update: Update) -> tuple[CallbackQuery, Tap] | None:
    query = update.callback_query
    tap = Tap.decode(query.data) if query else None
    return (query, tap) if query and tap else None


def _entry(knowledge: Knowledge, tap: Tap) -> Entry | None:
    return next((e for e in knowledge.entries if tap.refers_to(e.id)), None)


def _entry_id(knowledge: Knowledge, tap: Tap) -> str | None:
    """The entry a tap names: found in the FAQ, else as written unless it is only a digest."""
    entry = _entry(knowledge, tap)
    if entry is not None:
        return entry.id
    return tap.arg if tap.arg and not tap.arg.startswith("#") else None


def _first_rating(context: Context, query: CallbackQuery, tap: Tap) -> bool:
    """Whether this user has not just given this rating to this message (a double tap)."""
    message = query.message
    where = (message.chat.id, message.message_id) if message else query.inline_message_id
    key = (where, query.from_user.id, tap.action)
    rated = ratings(context)
    if rated.get(key):
        return False
    rated.put(key, True)
    return True


def _feedback(
    question: Asked | None, tap: Tap, entry_id: str, asker: int
) -> Callable[[EventLog], bool]:
    query, candidates = (question.query, question.candidates) if question else ("", ())
    up = tap.action == "up"
    return lambda log: log.record_feedback(
        entry_id=entry_id, lang=tap.lang, query=query, up=up, asker=asker, candidates=candidates
    )


def _suggestion_tap(
    question: Asked | None, tap: Tap, entry_id: str, asker: int
) -> Callable[[EventLog], bool]:
    query, candidates = (question.query, question.candidates) if question else ("", ())
    return lambda log: log.record_suggestion_tap(
        query=query, lang=tap.lang, entry_id=entry_id, asker=asker, candidates=candidates
    )
