"""Handlers for the commands everyone has (/start, /help, /about, /topics, /lang) and for what
the bot cannot read: an unknown command, a sticker or photo, an edited message."""

from __future__ import annotations

from telegram import BotCommandScopeChat, Update
from telegram.constants import ChatType

from bot.telegram import render
from bot.telegram.common import (
    MENUS,
    Context,
    recorder_of,
    responder,
    send,
    settings_of,
    ui_voice,
)
from bot.text import Lang, Voice


async def start(update: Update, context: Context) -> None:
    """Welcome the user with a few example questions."""
    current, voice = responder(context), await ui_voice(update, context)
    if update.effective_message:
        examples = current.examples(voice.lang)
        await send(update.effective_message, render.welcome(current.knowledge, examples, voice))


async def help_command(update: Update, context: Context) -> None:
    """Explain how to ask, in private chats, groups and inline."""
    if update.effective_message:
        out = render.help_text(context.bot.username, await ui_voice(update, context))
        await send(update.effective_message, out)


async def about(update: Update, context: Context) -> None:
    """Say what the bot knows and where that knowledge comes from."""
    current, voice = responder(context), await ui_voice(update, context)
    if update.effective_message:
        await send(update.effective_message, render.about(current.knowledge, voice))


async def topics(update: Update, context: Context) -> None:
    """Show the topics as buttons."""
    current, voice = responder(context), await ui_voice(update, context)
    if update.effective_message:
        await send(update.effective_message, [render.topic_list(current.knowledge, voice)])


async def lang(update: Update, context: Context) -> None:
    """Switch the interface language: `/lang en`, `/lang zh`, or buttons."""
    message = update.effective_message
    if message is None:
        return
    choice = (context.args or [""])[0].lower()
    if choice in ("zh", "en", "中文", "english"):
        chosen: Lang = "zh" if choice in ("zh", "中文") else "en"
        await set_lang(update, context, chosen)
        await send(message, render.notice("lang_set", Voice(chosen)))
        return
    await send(message, [render.lang_menu(await ui_voice(update, context))])


async def unknown_command(update: Update, context: Context) -> None:
    """Point to /help after a command the bot does not have."""
    await help_command(update, context)


async def not_text(update: Update, context: Context) -> None:
    """Ask for text when a sticker, photo, voice note or other media arrives."""
    if update.effective_message:
        voice = await ui_voice(update, context)
        await send(update.effective_message, render.notice("not_text", voice))


async def edited(update: Update, context: Context) -> None:
    """Ask for a new message instead of re-answering an edited one."""
    if update.effective_message:
        voice = await ui_voice(update, context)
        await send(update.effective_message, render.notice("edited", voice))


async def set_lang(update: Update, context: Context, chosen: Lang) -> None:
    """Remember the choice, and show the command menu in that language in a private chat."""
    if update.effective_user is not None:
        await recorder_of(context.bot_data).set_lang(update.effective_user.id, chosen)
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    scope = BotCommandScopeChat(chat.id)
    if chat.id in settings_of(context).admins:  # a menu per language: replace all of them
        commands = render.bot_commands(chosen, admin=True)
        for language_code, _ in MENUS:
            await context.bot.set_my_commands(commands, scope=scope, language_code=language_code)
        return
    await context.bot.set_my_commands(render.bot_commands(chosen), scope=scope)
