"""The editors' /review on Telegram: each group a message with buttons, and a tap an FAQ edit.

First the pieces: `ReviewTap`, the callback-data codec; `ReviewDesk`, the state of the groups
shown lately and the writes made from them; the rendering of a group and of what was done. Then
the handlers, and `add_review_handlers`, which `bot.telegram.app.build_application` calls.

A group's message has a "➕" button per closest entry (its first question), "🚫 ignore" and
"skip". A tap writes through `bot.editing`, exactly as `expo-bot review --apply` does (locked,
validated, atomic, backed up), reloads the FAQ at once so the next question is answered from the
new file, and edits the message to say what was done, with "↩ undo". The user id is checked on
every tap, before anything is looked up: a forged or forwarded tap from anyone but an admin is
answered with nothing, and changes nothing.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import editing, review
from bot.config import Settings
from bot.editing import Choice, Done
from bot.faq_edit import EditError
from bot.faq_writer import FaqWriter
from bot.knowledge import Knowledge
from bot.recorder import Lru, Recorder
from bot.store import EventLogError
from bot.telegram import render
from bot.telegram.callback_data import REF_RE

WINDOW: Final = timedelta(days=7)  # /review with no argument
GROUPS: Final = 5  # groups shown, one message each
SHOWN_MEMORY: Final = 512  # groups remembered for their buttons; older ones ask for a new /review
MAX_TOAST: Final = 200  # characters of a callback answer (Bot API limit)
PREFIX: Final = "R"
_DESK: Final = "review_desk"

Action = Literal["add", "ignore", "skip", "undo"]
_CODES: Final[dict[Action, str]] = {"ignore": "i", "skip": "s", "undo": "u"}
_ACTIONS: Final = {code: action for action, code in _CODES.items()}


# --- callback data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewTap:
    """A tap on a review group's button: `R|ref|1`-`R|ref|3` (add to that choice), `|i`, `|s`,
    `|u`; ref names the group as shown, kept by `ReviewDesk`."""

    ref: str
    action: Action
    choice: int = 0  # for "add": which of the group's choices, from 0

    def encode(self) -> str:
        code = str(self.choice + 1) if self.action == "add" else _CODES[self.action]
        return f"{PREFIX}|{self.ref}|{code}"

    @classmethod
    def decode(cls, data: str | None) -> ReviewTap | None:
        """The tap, or None if data is not a review button's."""
        parts = (data or "").split("|")
        if len(parts) != 3 or parts[0] != PREFIX or not REF_RE.fullmatch(parts[1]):
            return None
        ref, code = parts[1], parts[2]
        if code in ("1", "2", "3"):
            return cls(ref, "add", int(code) - 1)
        action = _ACTIONS.get(code)
        return cls(ref, action) if action else None


PATTERN: Final = rf"^{PREFIX}\|"


# --- state ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A group as an admin was shown it, and what a tap on it has done (undo takes it back)."""

    number: int
    group: review.QuestionGroup
    choices: tuple[Choice, ...]
    base: str  # the FAQ's digest when the review was drawn
    done: Done | None = None
    note: str = ""  # the last thing a tap did, shown under the group


@dataclass
class ReviewDesk:
    """What the /review handlers share: the FAQ writer, the event store, and the groups shown."""

    settings: Settings
    writer: FaqWriter
    recorder: Recorder
    knowledge: Callable[[], Knowledge]
    reload: Callable[[], object] | None = None
    shown: Lru[str, Shown] = field(default_factory=lambda: Lru(SHOWN_MEMORY))

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admins

    def remember(self, shown: Shown) -> str:
        ref = secrets.token_urlsafe(6)
        self.shown.put(ref, shown)
        return ref

    async def act(self, shown: Shown, tap: ReviewTap, editor: int) -> Shown:
        """Do what the tap asks; the group as it now stands. EditError or EventLogError if it
        could not be done (nothing was)."""
        if tap.action == "skip":
            return replace(shown, note="skipped")
        if tap.action == "undo":
            if shown.done is None:
                raise EditError("nothing to undo here")
            what = await self._undo(shown.done)
            return replace(shown, done=None, note=f"↩ undone: {what}")
        if shown.done is not None:
            raise EditError(f"already done: {shown.done.describe()}")
        if tap.action == "ignore":
            marks = shown.group.marks()
            done: Done = await self.recorder.read(
                lambda log: editing.ignore(log, marks, editor=editor)
            )
            return replace(shown, done=done, note=f"🚫 {done.describe()}")
        if tap.choice >= len(shown.choices):
            raise EditError("that button is out of date: send /review again")
        entry_id = shown.choices[tap.choice].entry_id
        added = await asyncio.to_thread(
            editing.add, self.writer, entry_id, shown.group.question, base=shown.base
        )
        await self._reloaded()
        since = " (on top of an edit made since this review)" if added.written.rebased else ""
        return replace(shown, done=added, note=f"✅ {added.describe()}{since}")

    async def _undo(self, done: Done) -> str:
        if isinstance(done, editing.Ignored):
            return await self.recorder.read(lambda log: editing.undo(done, self.writer, log))
        what = await asyncio.to_thread(editing.undo, done, self.writer, None)
        await self._reloaded()
        return what

    async def _reloaded(self) -> None:
        """Load the file just written now, rather than at the watcher's next look."""
        if self.reload is not None:
            await asyncio.to_thread(self.reload)


def _desk(context: ContextTypes.DEFAULT_TYPE) -> ReviewDesk:
    desk: ReviewDesk = context.application.bot_data[_DESK]
    return desk


# --- rendering -----------------------------------------------------------------------------------


def group_text(shown: Shown) -> str:
    """A group's message: the review's lines for it, then what was done, HTML-escaped."""
    lines = review.group_lines(shown.number, shown.group)
    if shown.group.ignored:
        lines.append(f"    ignored since {review.when(shown.group.ignored)}")
    if shown.note:
        lines += ["", shown.note]
    return render.escape("\n".join(lines))


def group_keyboard(shown: Shown, ref: str) -> InlineKeyboardMarkup | None:
    """➕ per closest entry, then 🚫 ignore and skip; after a write, ↩ undo; after skip, none."""
    if shown.done is not None:
        return InlineKeyboardMarkup([[_button("↩ undo", ReviewTap(ref, "undo"))]])
    if shown.note == "skipped":
        return None
    rows = [
        [_button(f"➕ {choice.question}", ReviewTap(ref, "add", n))]
        for n, choice in enumerate(shown.choices)
    ]
    rows.append(
        [_button("🚫 ignore", ReviewTap(ref, "ignore")), _button("skip", ReviewTap(ref, "skip"))]
    )
    return InlineKeyboardMarkup(rows)


def _button(label: str, tap: ReviewTap) -> InlineKeyboardButton:
    return InlineKeyboardButton(render.clip(label, render.MAX_LABEL), callback_data=tap.encode())


def header(report: review.ReviewReport) -> list[render.Outgoing]:
    """The review without its groups: the counts, out of scope, the 👎."""
    return render.preformatted(review.render_text(report, groups=False))


# --- handlers ------------------------------------------------------------------------------------


async def review_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the review: `/review` for 7 days, or `/review 24h`; a message per group."""
    message, desk = update.effective_message, _desk(context)
    if message is None:
        return
    try:
        window = review.parse_since(context.args[0]) if context.args else WINDOW
        since = datetime.now(UTC) - window
        report = await desk.recorder.read(lambda log: review.review(log, since, GROUPS))
    except (ValueError, EventLogError) as exc:
        await message.reply_text(render.escape(str(exc)))
        return
    for out in header(report):
        await message.reply_text(out.text)
    knowledge = desk.knowledge()
    groups, added = editing.pending(report.unanswered, knowledge)
    if added:
        await message.reply_text(f"{added} group(s) left out: their phrasing is in the FAQ now.")
    for n, group in enumerate(groups, 1):
        shown = Shown(n, group, tuple(editing.choices(group, knowledge)), knowledge.digest)
        ref = desk.remember(shown)
        await message.reply_text(group_text(shown), reply_markup=group_keyboard(shown, ref))


async def review_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Act on a tap on a review group's button, if an admin made it."""
    query, desk = update.callback_query, _desk(context)
    if query is None:
        return
    tap = ReviewTap.decode(query.data)
    if tap is None or not desk.is_admin(query.from_user.id):
        await query.answer()  # nothing done, nothing said
        return
    shown = desk.shown.get(tap.ref)
    if shown is None:
        await query.answer("This review is out of date: send /review again.", show_alert=True)
        return
    try:
        now = await desk.act(shown, tap, query.from_user.id)
    except (EditError, EventLogError) as exc:
        await query.answer(render.clip(str(exc), MAX_TOAST), show_alert=True)
        return
    desk.shown.put(tap.ref, now)
    await query.answer(render.clip(now.note, MAX_TOAST))
    await _show(query, now, tap.ref)


async def _show(query: CallbackQuery, shown: Shown, ref: str) -> None:
    try:
        await query.edit_message_text(group_text(shown), reply_markup=group_keyboard(shown, ref))
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise


# --- wiring --------------------------------------------------------------------------------------


def add_review_handlers(
    application: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    *,
    only: filters.BaseFilter,
    recorder: Recorder,
    knowledge: Callable[[], Knowledge],
    reload: Callable[[], object] | None = None,
) -> None:
    """Register /review, for the updates `only` lets through (the admins' private chats), and
    its buttons, whose taps are checked against `settings.admins`. Call it before any catch-all
    callback handler, which would otherwise take the taps.

    knowledge is the FAQ now; reload, if given, loads a file just written.
    """
    desk = ReviewDesk(settings, settings.faq_writer(), recorder, knowledge, reload)
    application.bot_data[_DESK] = desk
    application.add_handlers(
        [
            CommandHandler("review", review_command, filters=only),
            CallbackQueryHandler(review_button, pattern=PATTERN),
        ]
    )
