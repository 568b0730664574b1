"""Handlers for questions: a private message, a group message addressed to the bot, and /ask.

Each asks the current `Responder` for a `Reply` in the voice of the question (or, for a question
with no language of its own, of the conversation so far), read in the light of the conversation's
last turn (那观众呢 after 有多少家展商), sends it, and records it.
"""

from __future__ import annotations

import asyncio
import re

from telegram import Message, MessageEntity, Update
from telegram.ext import filters

from bot.conversation import reply_in_context
from bot.replies import Reply
from bot.telegram import render
from bot.telegram.common import (
    Context,
    asked,
    chat_voice,
    continue_conversation,
    conversation_key,
    last_turn,
    record,
    remember_voice,
    responder,
    send,
    ui_voice,
)
from bot.telegram.render import MAX_TEXT, RECORDED_SUGGESTIONS


def tracked(reply: Reply) -> bool:
    """Whether taps on the reply's buttons are recorded with its question (answers, suggestions)."""
    return reply.matched or reply.suggestion_kind in RECORDED_SUGGESTIONS


async def answer_question(update: Update, context: Context, message: Message, text: str) -> None:
    """Reply to a free-text question and record the reply."""
    current = responder(context)
    key = conversation_key(message.chat, message.from_user)
    # Both may wait on the store (on any instance's word): not one after the other.
    session, last = await asyncio.gather(chat_voice(update, context), last_turn(context, key))
    if render.length(text) > MAX_TEXT:
        await send(message, render.notice("too_long", current.voice(text, session)))
        return
    reply = reply_in_context(current, text, last, session)
    remember_voice(update, context, reply.voice)
    ref = asked(context).remember(reply) if tracked(reply) else ""
    await send(message, render.render_reply(reply, ref))
    asker = message.from_user.id if message.from_user is not None else None
    record(context, lambda log: log.record_reply(reply, asker))
    continue_conversation(context, key, current, reply)


async def private_question(update: Update, context: Context) -> None:
    """Answer a question sent in a private chat."""
    message = update.effective_message
    if message and message.text:
        await answer_question(update, context, message, message.text)


async def group_question(update: Update, context: Context) -> None:
    """Answer a group message that mentions the bot or replies to it."""
    message = update.effective_message
    if message and message.text:
        question = _without_mention(message.text, context.bot.username)
        await answer_question(update, context, message, question)


async def ask(update: Update, context: Context) -> None:
    """Answer `/ask question`, the way to ask in a group without mentioning the bot."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or [])
    if question:
        await answer_question(update, context, message, question)
        return
    voice = await ui_voice(update, context)
    examples = responder(context).examples(voice.lang, 1)
    example = examples[0].question if examples else ""
    await send(message, render.notice("ask_usage", voice, example=render.faq_text(example, voice)))


class _AddressedToBot(filters.MessageFilter):
    """Group messages that mention the bot or reply to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".lower()
        for entity, value in message.parse_entities().items():
            if entity.type == MessageEntity.MENTION and value.lower() == mention:
                return True
            if (
                entity.type == MessageEntity.TEXT_MENTION
                and entity.user
                and entity.user.id == bot.id
            ):
                return True
        return False


ADDRESSED_TO_BOT = _AddressedToBot(name="addressed_to_bot")


def _without_mention(text: str, username: str) -> str:
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()
