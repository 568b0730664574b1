"""The Application and its wiring: `build_application()` and the hooks around its life.

The handlers live beside this module, one file per kind (`questions`, `commands`, `buttons`,
`inline`, `admin`); here they are registered, in the order that decides which one gets an update.
`post_init` opens the event log, registers the command menus and starts watching the FAQ file;
`post_shutdown` undoes that. `bot.telegram.runner.run` starts it all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
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

from bot.config import Settings
from bot.conversation import Contexts
from bot.recorder import AskedQuestions, Lru, Recorder
from bot.telegram import admin, buttons, commands, questions, render
from bot.telegram.callback_data import pattern
from bot.telegram.common import (
    ASKED,
    CONTEXTS,
    LIVE,
    MENUS,
    RATED,
    RECORDER,
    SETTINGS,
    STARTED,
    VOICES,
    WATCHER,
    Context,
    ReloadableSource,
    ResponderSource,
    recorder_of,
    topics_of,
)
from bot.telegram.inline import inline_query
from bot.telegram.review_buttons import add_review_handlers
from bot.text import Voice

_LOGGER = logging.getLogger(__name__)

BotApp = Application[
    ExtBot[int],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]

ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "inline_query")
# Updates handled at once (the bot keeps no per-chat state, so order does not matter). Eight
# sendMessage calls in flight carry Telegram's 30 messages/s at up to ~0.25 s per call; more open
# connections cost CPU in httpcore's pool bookkeeping (bench_telegram: 16 is ~20% slower than 8).
CONCURRENT_UPDATES = 8
RATE_LIMIT_RETRIES = 3  # a 429 is waited out and the request sent again, this many times
RATINGS_MEMORY = 4096  # (message, user, 👍/👎) seen lately: a double tap is recorded once
VOICES_MEMORY = 4096  # chats whose last question's language answers a question with none


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
            LIVE: live,
            SETTINGS: settings,
            RECORDER: Recorder(settings if record else None),
            ASKED: AskedQuestions(),
            RATED: Lru[object, bool](RATINGS_MEMORY),
            VOICES: Lru[int, Voice](VOICES_MEMORY),
            CONTEXTS: Contexts(settings.context_seconds, topics_of(live)),
        }
    )

    new = filters.UpdateType.MESSAGE
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    text = new & filters.TEXT & ~filters.COMMAND
    # Anyone else's /stats falls through to unknown_command, as any command the bot lacks does.
    admins = new & private & filters.User(user_id=settings.admins)
    # Before the handlers below: their catch-all callback handler would take the review's taps.
    add_review_handlers(
        application,
        settings,
        only=admins,
        recorder=recorder_of(application.bot_data),
        knowledge=lambda: live.current.knowledge,
        reload=live.refresh if isinstance(live, ReloadableSource) else None,
    )
    application.add_handlers(
        [
            CommandHandler("start", commands.start, filters=new),
            CommandHandler("help", commands.help_command, filters=new),
            CommandHandler("topics", commands.topics, filters=new),
            CommandHandler("about", commands.about, filters=new),
            CommandHandler("lang", commands.lang, filters=new),
            CommandHandler("ask", questions.ask, filters=new),
            CommandHandler("reload", admin.reload_command, filters=admins),
            CommandHandler("stats", admin.stats_command, filters=admins),
            MessageHandler(text & private, questions.private_question),
            MessageHandler(text & groups & questions.ADDRESSED_TO_BOT, questions.group_question),
            # After the commands above: these catch what none of them took.
            MessageHandler(new & private & filters.COMMAND, commands.unknown_command),
            MessageHandler(new & private & ~filters.TEXT, commands.not_text),
            MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, commands.edited),
            CallbackQueryHandler(buttons.answer_button, pattern=pattern("answer")),
            CallbackQueryHandler(buttons.suggestion_button, pattern=pattern("suggestion")),
            CallbackQueryHandler(buttons.rating_button, pattern=pattern("up", "down")),
            CallbackQueryHandler(buttons.topic_button, pattern=pattern("topic")),
            CallbackQueryHandler(buttons.topics_button, pattern=pattern("topics")),
            CallbackQueryHandler(buttons.lang_button, pattern=pattern("lang")),
            CallbackQueryHandler(buttons.stale_button),  # last: any button not ours
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


async def on_error(update: object, context: Context) -> None:
    """Log the error and keep serving."""
    update_id = update.update_id if isinstance(update, Update) else None
    _LOGGER.error("Error while handling update %s", update_id, exc_info=context.error)


async def post_init(application: BotApp) -> None:
    """Open the event log, register the command menus, and start watching the FAQ file."""
    settings: Settings = application.bot_data[SETTINGS]
    application.bot_data[STARTED] = datetime.now(UTC)
    await recorder_of(application.bot_data).open()
    await _register_menus(application.bot, settings.admins)
    live = application.bot_data[LIVE]
    if isinstance(live, ReloadableSource) and settings.reload_seconds > 0:
        watch = _watch_faq(application.bot, live, settings)
        application.bot_data[WATCHER] = asyncio.create_task(watch, name="watch the FAQ file")


async def post_shutdown(application: BotApp) -> None:
    """Stop watching the FAQ file, and close the event log once its writes are done."""
    watcher: asyncio.Task[None] | None = application.bot_data.pop(WATCHER, None)
    if watcher is not None:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    await recorder_of(application.bot_data).close()


async def _register_menus(bot: Bot, admins: Iterable[int]) -> None:
    """Everyone's command menu in English (the default) and Chinese; the admins' own chats
    also list the admin commands, which nobody else is shown."""
    for language_code, lang in MENUS:
        await _set_commands(bot, render.bot_commands(lang), None, language_code)
    for chat in sorted(admins):
        for language_code, lang in MENUS:
            menu = render.bot_commands(lang, admin=True)
            await _set_commands(bot, menu, BotCommandScopeChat(chat), language_code)


async def _set_commands(
    bot: Bot,
    menu: Sequence[BotCommand],
    scope: BotCommandScopeChat | None,
    language_code: str | None,
) -> None:
    try:
        await bot.set_my_commands(menu, scope=scope, language_code=language_code)
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
                await admin.alert_admins(bot, settings.admins, result.problems)
        except Exception:  # keep watching: the next edit may be fine
            _LOGGER.exception("Reloading the FAQ file failed")
