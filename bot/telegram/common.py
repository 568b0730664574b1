"""What every handler shares: the application's data, the voice to answer in, and sending.

`bot_data` holds the current FAQ (`ResponderSource`), the settings, the event `Recorder`, the
questions asked lately (for taps on their buttons), recent ratings, each chat's voice and each
conversation's last turn (for follow-ups); the accessors here read it typed, so handlers never
restate its keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from telegram import Bot, CallbackQuery, Chat, Message, Update, User
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.conversation import Contexts, turn_of
from bot.followup import Turn
from bot.recorder import AskedQuestions, Lru, Recorder
from bot.reload import ReloadResult
from bot.replies import Reply, Responder
from bot.store import EventLog
from bot.telegram import render
from bot.telegram.render import Outgoing
from bot.text import Lang, Voice

Context = ContextTypes.DEFAULT_TYPE

LIVE, SETTINGS, STARTED = "live", "settings", "started"
RECORDER, ASKED, RATED, VOICES, WATCHER = "recorder", "asked", "rated", "voices", "watcher"
CONTEXTS = "contexts"
#: The command menus registered for every user: (Telegram language_code, interface language).
MENUS: tuple[tuple[str | None, Lang], ...] = ((None, "en"), ("en", "en"), ("zh", "zh"))


class ResponderSource(Protocol):
    """Where handlers get the current Responder; a reload swaps what `.current` returns."""

    @property
    def current(self) -> Responder: ...


@runtime_checkable
class ReloadableSource(ResponderSource, Protocol):
    """A ResponderSource that reloads its file (`bot.reload.LiveFaq`)."""

    def refresh(self, *, force: bool = False) -> ReloadResult: ...


def responder(context: Context) -> Responder:
    """The current Responder; read once per update so one update never sees two FAQs."""
    live: ResponderSource = context.application.bot_data[LIVE]
    return live.current


def settings_of(context: Context) -> Settings:
    settings: Settings = context.application.bot_data[SETTINGS]
    return settings


def recorder_of(bot_data: dict[Any, Any]) -> Recorder:
    """The application's event Recorder (tests and benchmarks flush it)."""
    recorder: Recorder = bot_data[RECORDER]
    return recorder


def asked(context: Context) -> AskedQuestions:
    questions: AskedQuestions = context.application.bot_data[ASKED]
    return questions


def ratings(context: Context) -> Lru[object, bool]:
    """The (message, user, 👍/👎) given lately, so that a double tap is recorded once."""
    rated: Lru[object, bool] = context.application.bot_data[RATED]
    return rated


def record(context: Context, write: Callable[[EventLog], object]) -> None:
    """Record an event in the background; call it after the reply has gone."""
    recorder_of(context.bot_data).record(write)


def conversation_key(chat: Chat, user: User | None) -> str:
    """Whose conversation a message continues: the chat's, and in groups each member's own."""
    if chat.type == ChatType.PRIVATE or user is None:
        return str(chat.id)
    return f"{chat.id}:{user.id}"


def topics_of(live: ResponderSource) -> Callable[[str], tuple[str, ...]]:
    """An entry's topic words from the FAQ in use now: it may be reloaded mid-conversation."""

    def topics(entry_id: str) -> tuple[str, ...]:
        return live.current.topics(entry_id)

    return topics


def contexts_of(context: Context) -> Contexts:
    contexts: Contexts = context.application.bot_data[CONTEXTS]
    return contexts


async def last_turn(context: Context, key: str) -> Turn | None:
    """The conversation's last turn: from the store (any instance's) if it answers in time,
    else as this instance remembers it."""
    contexts = contexts_of(context)
    return await recorder_of(context.bot_data).read_soon(
        lambda log: contexts.last(key, log), lambda: contexts.last(key)
    )


def continue_conversation(context: Context, key: str, current: Responder, reply: Reply) -> None:
    """Make reply the conversation's last turn: here at once, in the store after the reply.

    `current` is the Responder that replied: one update never reads two versions of the FAQ.
    """
    contexts = contexts_of(context)
    turn = turn_of(current, reply)
    contexts.remember(key, turn)
    recorder_of(context.bot_data).keep_context(key, lambda log: contexts.save(key, turn, log))


async def ui_voice(update: Update, context: Context) -> Voice:
    """The user's interface voice: their /lang choice (on any instance), else their Telegram
    language."""
    user = update.effective_user
    if user is None:
        return render.ui_voice(None, None)
    chosen = await recorder_of(context.bot_data).lang_of(user.id)
    return render.ui_voice(chosen, user.language_code)


async def chat_voice(update: Update, context: Context) -> Voice:
    """The voice of the conversation so far in this chat, for a question with no language of
    its own: the last question's, else the user's interface voice."""
    chat = update.effective_chat
    voices: Lru[int, Voice] = context.application.bot_data[VOICES]
    remembered = voices.get(chat.id) if chat is not None else None
    return remembered or await ui_voice(update, context)


def remember_voice(update: Update, context: Context, voice: Voice) -> None:
    """Keep the voice this chat was last answered in (this instance only, and for a while)."""
    if update.effective_chat is not None:
        voices: Lru[int, Voice] = context.application.bot_data[VOICES]
        voices.put(update.effective_chat.id, voice)


async def send(message: Message, outgoing: Sequence[Outgoing]) -> None:
    """Reply to a message; in groups the first part quotes the question."""
    quote = message.chat.type != ChatType.PRIVATE
    for out in outgoing:
        await message.reply_text(out.text, reply_markup=out.markup, do_quote=quote)
        quote = False


async def send_to(bot: Bot, chat_id: int, out: Sequence[Outgoing]) -> None:
    for part in out:
        await bot.send_message(chat_id, part.text, reply_markup=part.markup)


async def show(query: CallbackQuery, context: Context, out: Outgoing) -> None:
    """Replace a menu message in place, or send a new one if it can no longer be edited."""
    try:
        await query.edit_message_text(out.text, reply_markup=out.markup)
    except BadRequest as exc:
        if "not modified" in exc.message:
            return  # a double tap: the message already shows this
        if query.message is None:
            raise
        await send_to(context.bot, query.message.chat.id, [out])
