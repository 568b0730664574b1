"""The FAQ bot on Telegram: handlers, the Application that wires them, and the `run` entry point.

Handlers are thin: each reads the current `Responder` once, asks it for a `Reply` (or picks what
to show), and hands that to `bot.telegram_render` for HTML and buttons. The bot keeps no per-chat
state; the only per-user state is the /lang choice, kept in the event store (under a keyed hash of
the user) so that every instance honours it.

Replies, suggestion taps and 👍/👎 are recorded by `bot.recorder` after the reply is sent. A
background task reloads the FAQ when its file changes and messages the admins when an edit is
broken; the admins (and nobody else) also have /reload, /stats and /review. Logging, with the
token kept out of it, is `bot.logs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    Chat,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    filters,
)

from bot import telegram_render as render
from bot.config import Settings
from bot.conversation import Contexts, reply_in_context, turn_of
from bot.knowledge import Entry, Knowledge, Problem
from bot.logs import RedactSecrets, configure_logging
from bot.recorder import Asked, AskedQuestions, Lru, Recorder
from bot.reload import ReloadResult
from bot.replies import Reply, Responder
from bot.store import EventLog, EventLogError
from bot.telegram_render import MAX_TEXT, RECORDED_SUGGESTIONS, Outgoing, Tap
from bot.telegram_review import add_review_handlers
from bot.text import Lang

_LOGGER = logging.getLogger(__name__)

BotApp = Application[
    ExtBot[int],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]

TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,}")  # both used with fullmatch
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "inline_query")
# Updates handled at once (the bot keeps no per-chat state, so order does not matter). Eight
# sendMessage calls in flight carry Telegram's 30 messages/s at up to ~0.25 s per call; more open
# connections cost CPU in httpcore's pool bookkeeping (bench_telegram: 16 is ~20% slower than 8).
CONCURRENT_UPDATES = 8
BOOTSTRAP_RETRIES = 5  # getMe / deleteWebhook / setWebhook attempts at start-up
RATE_LIMIT_RETRIES = 3  # a 429 is waited out and the request sent again, this many times
INLINE_CACHE_SECONDS = 60  # short, because a reload may change the answers
DEFAULT_WEBHOOK_PORT = 8443
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
RATINGS_MEMORY = 4096  # (message, user, 👍/👎) seen lately: a double tap is recorded once
STATS_WINDOW = timedelta(days=7)
STATS_TOP = 5  # top entries in /stats
_LIVE, _SETTINGS, _STARTED = "live", "settings", "started"
_RECORDER, _ASKED, _RATED, _WATCHER = "recorder", "asked", "rated", "watcher"
_CONTEXTS = "contexts"


class ResponderSource(Protocol):
    """Where handlers get the current Responder; a reload swaps what `.current` returns."""

    @property
    def current(self) -> Responder: ...


@runtime_checkable
class ReloadableSource(ResponderSource, Protocol):
    """A ResponderSource that reloads its file (`bot.reload.LiveFaq`)."""

    def refresh(self, *, force: bool = False) -> ReloadResult: ...


def tracked(reply: Reply) -> bool:
    """Whether taps on the reply's buttons are recorded with its question (answers, suggestions)."""
    return reply.matched or reply.suggestion_kind in RECORDED_SUGGESTIONS


# --- helpers the handlers share ------------------------------------------------------------------


def _responder(context: ContextTypes.DEFAULT_TYPE) -> Responder:
    """The current Responder; read once per update so one update never sees two FAQs."""
    live: ResponderSource = context.application.bot_data[_LIVE]
    return live.current


def _asked(context: ContextTypes.DEFAULT_TYPE) -> AskedQuestions:
    asked: AskedQuestions = context.application.bot_data[_ASKED]
    return asked


def recorder_of(bot_data: dict[Any, Any]) -> Recorder:
    """The application's event Recorder (tests and benchmarks flush it)."""
    recorder: Recorder = bot_data[_RECORDER]
    return recorder


def _record(context: ContextTypes.DEFAULT_TYPE, write: Callable[[EventLog], object]) -> None:
    """Record an event in the background; call it after the reply has gone."""
    recorder_of(context.bot_data).record(write)


def _user_id(user: User | None) -> int | None:
    return user.id if user is not None else None


async def _ui_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Lang:
    """The user's interface language: their /lang choice (on any instance), else their
    Telegram language."""
    user = update.effective_user
    if user is None:
        return render.ui_lang(None, None)
    chosen = await recorder_of(context.bot_data).lang_of(user.id)
    return render.ui_lang(chosen, user.language_code)


async def _send(message: Message, outgoing: Sequence[Outgoing]) -> None:
    """Reply to a message; in groups the first part quotes the question."""
    quote = message.chat.type != ChatType.PRIVATE
    for out in outgoing:
        await message.reply_text(out.text, reply_markup=out.markup, do_quote=quote)
        quote = False


async def _send_to(bot: Bot, chat_id: int, out: Sequence[Outgoing]) -> None:
    for part in out:
        await bot.send_message(chat_id, part.text, reply_markup=part.markup)


async def _show(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, out: Outgoing) -> None:
    """Replace a menu message in place, or send a new one if it can no longer be edited."""
    try:
        await query.edit_message_text(out.text, reply_markup=out.markup)
    except BadRequest as exc:
        if "not modified" in exc.message:
            return  # a double tap: the message already shows this
        if query.message is None:
            raise
        await _send_to(context.bot, query.message.chat.id, [out])


async def _answer_question(
    message: Message, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Reply to a free-text question, in the language it was asked in, and record the reply."""
    responder = _responder(context)
    if render.length(question) > MAX_TEXT:
        await _send(message, render.notice("too_long", responder.lang_of(question)))
        return
    key = conversation_key(message.chat, message.from_user)
    contexts = _contexts(context)
    last = await recorder_of(context.bot_data).read_soon(
        lambda log: contexts.last(key, log), lambda: contexts.last(key)
    )
    reply = reply_in_context(responder, question, last)
    ref = _asked(context).remember(reply) if tracked(reply) else ""
    await _send(message, render.render_reply(reply, ref))
    asker = _user_id(message.from_user)
    _record(context, lambda log: log.record_reply(reply, asker))
    _continue(context, key, responder, reply)


def conversation_key(chat: Chat, user: User | None) -> str:
    """Whose conversation a message continues: the chat's, and in groups each member's own."""
    if chat.type == ChatType.PRIVATE or user is None:
        return str(chat.id)
    return f"{chat.id}:{user.id}"


def _topics_of(live: ResponderSource) -> Callable[[str], tuple[str, ...]]:
    """An entry's topic words from the FAQ in use now: it may be reloaded mid-conversation."""

    def topics(entry_id: str) -> tuple[str, ...]:
        return live.current.topics(entry_id)

    return topics


def _contexts(context: ContextTypes.DEFAULT_TYPE) -> Contexts:
    contexts: Contexts = context.bot_data[_CONTEXTS]
    return contexts


def _continue(
    context: ContextTypes.DEFAULT_TYPE, key: str, responder: Responder, reply: Reply
) -> None:
    """Make reply the conversation's last turn: here at once, in the store after the reply."""
    contexts = _contexts(context)
    turn = turn_of(responder, reply)
    contexts.remember(key, turn)
    recorder_of(context.bot_data).keep_context(key, lambda log: contexts.save(key, turn, log))


async def _answer_tap(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, tap: Tap, ref: str
) -> str | None:
    """Send the answer a button names; its entry id, or None (and a toast) if it is gone."""
    responder = _responder(context)
    entry = _entry(responder.knowledge, tap)
    reply = responder.reply_for_entry(entry.id, tap.lang) if entry else None
    if reply is None or update.effective_chat is None:
        await query.answer(render.ui("stale", tap.lang))
        return None
    await query.answer()
    await _send_to(context.bot, update.effective_chat.id, render.render_reply(reply, ref))
    _continue(context, conversation_key(update.effective_chat, query.from_user), responder, reply)
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


def _first_rating(context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, tap: Tap) -> bool:
    """Whether this user has not just given this rating to this message (a double tap)."""
    message = query.message
    where = (message.chat.id, message.message_id) if message else query.inline_message_id
    key = (where, query.from_user.id, tap.action)
    rated: Lru[object, bool] = context.application.bot_data[_RATED]
    if rated.get(key):
        return False
    rated.put(key, True)
    return True


def _feedback(
    asked: Asked | None, tap: Tap, entry_id: str, asker: int
) -> Callable[[EventLog], bool]:
    query, candidates = (asked.query, asked.candidates) if asked else ("", ())
    up = tap.action == "up"
    return lambda log: log.record_feedback(
        entry_id=entry_id, lang=tap.lang, query=query, up=up, asker=asker, candidates=candidates
    )


def _suggestion_tap(
    asked: Asked | None, tap: Tap, entry_id: str, asker: int
) -> Callable[[EventLog], bool]:
    query, candidates = (asked.query, asked.candidates) if asked else ("", ())
    return lambda log: log.record_suggestion_tap(
        query=query, lang=tap.lang, entry_id=entry_id, asker=asker, candidates=candidates
    )


def _topic_id(knowledge: Knowledge, tap: Tap) -> str | None:
    return next((t.id for t in knowledge.topics if tap.refers_to(t.id)), None)


def _inline_replies(responder: Responder, query: str, lang: Lang) -> list[Reply]:
    """Up to ten answers for an inline query: the best matches, or examples when it is empty."""
    if query.strip():
        match = responder.matcher.match(query, limit=render.MAX_INLINE_RESULTS)
        lang = match.lang
        floor = responder.matcher.thresholds.suggest
        wanted = match.decision not in ("out_of_scope", "empty")
        ids = [c.entry_id for c in match.candidates if wanted and c.score >= floor]
    else:
        ids = [s.id for s in responder.examples(lang, render.MAX_INLINE_RESULTS)]
    replies = (responder.reply_for_entry(entry_id, lang) for entry_id in ids)
    return [reply for reply in replies if reply is not None]


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


# --- handlers ------------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user with a few example questions."""
    responder, lang = _responder(context), await _ui_lang(update, context)
    if update.effective_message:
        examples = responder.examples(lang)
        await _send(update.effective_message, render.welcome(responder.knowledge, examples, lang))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask, in private chats, groups and inline."""
    if update.effective_message:
        out = render.help_text(context.bot.username, await _ui_lang(update, context))
        await _send(update.effective_message, out)


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot knows and where that knowledge comes from."""
    responder, lang = _responder(context), await _ui_lang(update, context)
    if update.effective_message:
        await _send(update.effective_message, render.about(responder.knowledge, lang))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the topics as buttons."""
    responder, lang = _responder(context), await _ui_lang(update, context)
    if update.effective_message:
        await _send(update.effective_message, [render.topic_list(responder.knowledge, lang)])


async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch the interface language: `/lang en`, `/lang zh`, or buttons."""
    message = update.effective_message
    if message is None:
        return
    choice = (context.args or [""])[0].lower()
    if choice in ("zh", "en", "中文", "english"):
        chosen: Lang = "zh" if choice in ("zh", "中文") else "en"
        await _set_lang(update, context, chosen)
        await _send(message, render.notice("lang_set", chosen))
        return
    await _send(message, [render.lang_menu(await _ui_lang(update, context))])


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer `/ask question`, the way to ask in a group without mentioning the bot."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or [])
    if not question:
        lang = await _ui_lang(update, context)
        examples = _responder(context).examples(lang, 1)
        example = examples[0].question if examples else ""
        await _send(message, render.notice("ask_usage", lang, example=example))
        return
    await _answer_question(message, context, question)


async def private_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a question sent in a private chat."""
    message = update.effective_message
    if message and message.text:
        await _answer_question(message, context, message.text)


async def group_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a group message that mentions the bot or replies to it."""
    message = update.effective_message
    if message and message.text:
        question = _without_mention(message.text, context.bot.username)
        await _answer_question(message, context, question)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help after a command the bot does not have."""
    await help_command(update, context)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for text when a sticker, photo, voice note or other media arrives."""
    if update.effective_message:
        await _send(
            update.effective_message, render.notice("not_text", await _ui_lang(update, context))
        )


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for a new message instead of re-answering an edited one."""
    if update.effective_message:
        await _send(
            update.effective_message, render.notice("edited", await _ui_lang(update, context))
        )


async def answer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question on a tapped button."""
    tapped = _tapped(update)
    if tapped is not None:
        await _answer_tap(update, context, *tapped, ref="")


async def suggestion_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a tapped "did you mean" or closest suggestion, and record which one was chosen."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    asked = _asked(context).get(tap.ref)
    entry_id = await _answer_tap(update, context, query, tap, tap.ref if asked else "")
    if entry_id is not None:
        _record(context, _suggestion_tap(asked, tap, entry_id, query.from_user.id))


async def rating_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Thank for a 👍 or 👎 with a toast, and record it; the message stays as it is."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    entry_id = _entry_id(_responder(context).knowledge, tap)
    await query.answer(render.ui("thanks", tap.lang))
    if entry_id is not None and _first_rating(context, query, tap):
        asked = _asked(context).get(tap.ref)
        _record(context, _feedback(asked, tap, entry_id, query.from_user.id))


async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a page of one topic's questions in place of the menu."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    knowledge = _responder(context).knowledge
    topic_id = _topic_id(knowledge, tap)
    page = render.topic_page(knowledge, topic_id, tap.lang, tap.page) if topic_id else None
    if page is None:
        await query.answer(render.ui("stale", tap.lang))
        return
    await query.answer()
    await _show(query, context, page)


async def topics_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Go back from a topic to the list of topics."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    await query.answer()
    await _show(query, context, render.topic_list(_responder(context).knowledge, tap.lang))


async def lang_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set the interface language chosen on the /lang menu."""
    tapped = _tapped(update)
    if tapped is None:
        return
    query, tap = tapped
    await _set_lang(update, context, tap.lang)
    await query.answer()
    await _show(query, context, render.notice("lang_set", tap.lang)[0])


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop the spinner on a button this version of the bot does not know."""
    if update.callback_query:
        await update.callback_query.answer(render.ui("stale", await _ui_lang(update, context)))


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer up to ten answers to what is typed after @botname."""
    query = update.inline_query
    if query is None:
        return
    replies = _inline_replies(_responder(context), query.query, await _ui_lang(update, context))
    await query.answer(
        render.inline_results(replies),
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=not query.query.strip(),
    )


# --- the admins' commands (private chats of Settings.admins only) ---------------------------------


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reload the FAQ now, and say how many entries it has or what is wrong with it."""
    live: ResponderSource = context.bot_data[_LIVE]
    if update.effective_message is None:
        return
    if not isinstance(live, ReloadableSource):
        out = render.plain("reload is not available: this bot's FAQ is not read from a file")
    else:
        result = await asyncio.to_thread(live.refresh, force=True)
        entries = len(live.current.knowledge.entries)
        ok = render.plain(f"reloaded: {entries} entries")
        out = render.reload_problems(result.problems) if result.problems else ok
    await _send(update.effective_message, out)


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the questions served, answered, refused and disliked: since start-up and over 7 days."""
    started: datetime = context.bot_data[_STARTED]
    week = datetime.now(UTC) - STATS_WINDOW
    try:
        counts = await recorder_of(context.bot_data).read(
            lambda log: (log.stats(started, STATS_TOP), log.stats(week, STATS_TOP))
        )
        text = render.stats_text(started, *counts)
    except EventLogError as exc:
        text = str(exc)
    if update.effective_message:
        await _send(update.effective_message, render.plain(text))


# --- life cycle ----------------------------------------------------------------------------------


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and keep serving."""
    update_id = update.update_id if isinstance(update, Update) else None
    _LOGGER.error("Error while handling update %s", update_id, exc_info=context.error)


async def post_init(application: BotApp) -> None:
    """Open the event log, register the command menus, and start watching the FAQ file."""
    settings: Settings = application.bot_data[_SETTINGS]
    application.bot_data[_STARTED] = datetime.now(UTC)
    await recorder_of(application.bot_data).open()
    await _register_menus(application.bot, settings.admins)
    live = application.bot_data[_LIVE]
    if isinstance(live, ReloadableSource) and settings.reload_seconds > 0:
        watch = _watch_faq(application.bot, live, settings)
        application.bot_data[_WATCHER] = asyncio.create_task(watch, name="watch the FAQ file")


async def post_shutdown(application: BotApp) -> None:
    """Stop watching the FAQ file, and close the event log once its writes are done."""
    watcher: asyncio.Task[None] | None = application.bot_data.pop(_WATCHER, None)
    if watcher is not None:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    await recorder_of(application.bot_data).close()


_MENUS: tuple[tuple[str | None, Lang], ...] = ((None, "en"), ("en", "en"), ("zh", "zh"))


async def _register_menus(bot: Bot, admins: Iterable[int]) -> None:
    """Everyone's command menu in English (the default) and Chinese; the admins' own chats
    also list the admin commands, which nobody else is shown."""
    for language_code, lang in _MENUS:
        await _set_commands(bot, render.bot_commands(lang), None, language_code)
    for admin in sorted(admins):
        for language_code, lang in _MENUS:
            commands = render.bot_commands(lang, admin=True)
            await _set_commands(bot, commands, BotCommandScopeChat(admin), language_code)


async def _set_commands(
    bot: Bot,
    commands: Sequence[BotCommand],
    scope: BotCommandScopeChat | None,
    language_code: str | None,
) -> None:
    try:
        await bot.set_my_commands(commands, scope=scope, language_code=language_code)
    except TelegramError as exc:  # e.g. an admin who has never opened a chat with the bot
        where = f"chat {scope.chat_id}" if scope else "everyone"
        _LOGGER.warning("Could not register the command menu for %s: %s", where, exc)


async def _watch_faq(bot: Bot, live: ReloadableSource, settings: Settings) -> None:
    """Reload the FAQ when its file changes; alert the admins once about each broken version."""
    while True:
        await asyncio.sleep(settings.reload_seconds)
        try:
            result = await asyncio.to_thread(live.refresh)
            if result.problems:
                await _alert_admins(bot, settings.admins, result.problems)
        except Exception:  # keep watching: the next edit may be fine
            _LOGGER.exception("Reloading the FAQ file failed")


async def _alert_admins(bot: Bot, admins: frozenset[int], problems: Sequence[Problem]) -> None:
    """Send every admin the problems that kept an edit of the FAQ from being loaded."""
    _LOGGER.error(
        "FAQ edit not loaded (%d problems); alerting %d admin(s)", len(problems), len(admins)
    )
    out = render.reload_problems(problems)
    for admin in sorted(admins):
        try:
            await _send_to(bot, admin, out)
        except TelegramError as exc:
            _LOGGER.warning("Could not alert admin %s about the broken FAQ: %s", admin, exc)


async def _set_lang(update: Update, context: ContextTypes.DEFAULT_TYPE, chosen: Lang) -> None:
    """Remember the choice, and show the command menu in that language in a private chat."""
    if update.effective_user is not None:
        await recorder_of(context.bot_data).set_lang(update.effective_user.id, chosen)
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    settings: Settings = context.application.bot_data[_SETTINGS]
    scope = BotCommandScopeChat(chat.id)
    if chat.id in settings.admins:  # their chat has a menu per language: replace all of them
        commands = render.bot_commands(chosen, admin=True)
        for language_code, _ in _MENUS:
            await context.bot.set_my_commands(commands, scope=scope, language_code=language_code)
        return
    await context.bot.set_my_commands(render.bot_commands(chosen), scope=scope)


# --- wiring --------------------------------------------------------------------------------------


def build_application(
    settings: Settings,
    live: ResponderSource,
    *,
    rate_limiter: AIORateLimiter | None = None,
    record: bool = True,
) -> BotApp:
    """The Application with every handler.

    `live` is reloaded in the background if it can be (`ReloadableSource`); events go to
    `settings.db` unless `record` is False; `rate_limiter` overrides Telegram's limits (bench).
    """
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.base_url:
        builder = builder.base_url(api_base_url(settings.base_url))
    application = builder.build()
    application.bot_data.update(
        {
            _LIVE: live,
            _SETTINGS: settings,
            _RECORDER: Recorder(settings if record else None),
            _ASKED: AskedQuestions(),
            _RATED: Lru[object, bool](RATINGS_MEMORY),
            _CONTEXTS: Contexts(settings.context_seconds, _topics_of(live)),
        }
    )

    new = filters.UpdateType.MESSAGE
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    text = new & filters.TEXT & ~filters.COMMAND
    # Anyone else's /stats falls through to unknown_command, as any command the bot lacks does.
    admin = new & private & filters.User(user_id=settings.admins)
    # Before the handlers below: their catch-all callback handler would take the review's taps.
    add_review_handlers(
        application,
        settings,
        only=admin,
        recorder=recorder_of(application.bot_data),
        knowledge=lambda: live.current.knowledge,
        reload=live.refresh if isinstance(live, ReloadableSource) else None,
    )
    application.add_handlers(
        [
            CommandHandler("start", start, filters=new),
            CommandHandler("help", help_command, filters=new),
            CommandHandler("topics", topics, filters=new),
            CommandHandler("about", about, filters=new),
            CommandHandler("lang", lang, filters=new),
            CommandHandler("ask", ask, filters=new),
            CommandHandler("reload", reload_command, filters=admin),
            CommandHandler("stats", stats_command, filters=admin),
            MessageHandler(text & private, private_question),
            MessageHandler(text & groups & ADDRESSED_TO_BOT, group_question),
            MessageHandler(new & private & filters.COMMAND, unknown_command),
            MessageHandler(new & private & ~filters.TEXT, not_text),
            MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, edited),
            CallbackQueryHandler(answer_button, pattern=r"^a\|"),
            CallbackQueryHandler(suggestion_button, pattern=r"^s\|"),
            CallbackQueryHandler(rating_button, pattern=r"^[ud]\|"),
            CallbackQueryHandler(topic_button, pattern=r"^t\|"),
            CallbackQueryHandler(topics_button, pattern=r"^T\|"),
            CallbackQueryHandler(lang_button, pattern=r"^l\|"),
            CallbackQueryHandler(stale_button),
            InlineQueryHandler(inline_query),
        ]
    )
    application.add_error_handler(on_error)
    return application


def api_base_url(base_url: str) -> str:
    """TELEGRAM_BASE_URL as PTB wants it: ending in `/bot`, to which the token is appended."""
    base_url = base_url.strip()
    if "{token}" in base_url or base_url.endswith("/bot"):
        return base_url
    return base_url.rstrip("/") + "/bot"


def token_problem(token: str) -> str | None:
    """Why a token cannot be used, without echoing it; None if it looks right."""
    if not token:
        return "TELEGRAM_BOT_TOKEN is not set (put it in the environment or in .env)"
    if not TOKEN_RE.fullmatch(token):
        return "TELEGRAM_BOT_TOKEN is malformed (expected digits, a colon and a long secret)"
    return None


def webhook_secret(token: str) -> str:
    """The default secret token: derived from the bot token, so every instance agrees on it."""
    return hmac.new(token.encode(), b"expo-bot webhook secret", hashlib.sha256).hexdigest()


# --- entry point ---------------------------------------------------------------------------------


def run(
    settings: Settings,
    *,
    webhook_url: str | None = None,
    port: int | None = None,
    secret: str | None = None,
    listen: str = "0.0.0.0",
    live: ResponderSource | None = None,
) -> int:
    """Run the bot until SIGTERM or SIGINT: long polling, or a webhook if `webhook_url` is given.

    Returns the exit status; problems with the settings are one line on stderr and status 2.
    A broken FAQ raises `FaqError`, which the CLI reports like every other command does.
    `live` defaults to a `LiveFaq` over `settings.faq`.
    """
    token = settings.token
    problem = token_problem(token)
    if problem is None and webhook_url:
        problem = _webhook_problem(webhook_url, secret)
    if problem:
        return _fail(problem, EXIT_USAGE)
    if live is None:
        from bot.reload import LiveFaq

        live = LiveFaq(settings.faq)
    secret = secret or webhook_secret(token)
    configure_logging([*settings.secrets(), secret])
    application = build_application(settings, live)
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        if webhook_url:
            application.run_webhook(
                listen=listen,
                port=port or DEFAULT_WEBHOOK_PORT,
                url_path=urlsplit(webhook_url).path.lstrip("/"),
                webhook_url=webhook_url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            application.run_polling(
                allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather", EXIT_USAGE)
    except NetworkError as exc:
        where = settings.base_url or "api.telegram.org"
        reason = RedactSecrets([token, secret]).redact(str(exc))
        return _fail(f"cannot reach the Bot API at {where}: {reason}", EXIT_FAILED)
    except OSError as exc:  # e.g. the webhook port is taken
        return _fail(f"cannot listen for the webhook: {exc.strerror or exc}", EXIT_FAILED)
    return EXIT_OK


def _webhook_problem(webhook_url: str, secret: str | None) -> str | None:
    url = urlsplit(webhook_url)
    local = url.hostname in ("localhost", "127.0.0.1", "::1")
    if url.scheme != "https" and not (url.scheme == "http" and local):
        return "--webhook-url must be an https:// URL"
    if secret is not None and not SECRET_RE.fullmatch(secret):
        return "--secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
    return None


def _fail(message: str, status: int) -> int:
    print(f"expo-bot: error: {message}", file=sys.stderr)
    return status
