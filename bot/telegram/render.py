"""Telegram presentation: a `Reply` and the bot's other screens as HTML messages with buttons.

Nothing here decides what to say; `bot.replies.Responder` does, and the bot's own words are in
`bot.wording`. This module only turns them into what the Bot API accepts: HTML-escaped text in
messages of at most 4,096 characters (split at paragraph boundaries), inline keyboards whose
buttons carry a `Tap` (`bot.telegram.callback_data`), and labels in the user's interface voice.
The editors' screens (/stats, /review, the broken-FAQ alert) are in English, like `expo-bot
review`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ParseMode

from bot.knowledge import Knowledge, Problem
from bot.replies import Reply, Suggestion, SuggestionKind
from bot.store import Stats
from bot.telegram.callback_data import Action, Tap, result_id
from bot.text import ENGLISH, Lang, Voice, written
from bot.wording import ADMIN_COMMANDS, COMMANDS, LANG_NAMES, Key, say

MAX_TEXT = 4096  # characters of a message after entity parsing (Bot API limit)
MAX_INLINE_RESULTS = 10  # answers offered in inline mode (the Bot API allows 50)
MAX_LABEL = 60  # button labels are cut here; Telegram clients truncate long ones anyway
MAX_DESCRIPTION = 120  # inline result descriptions are shown on two lines at most
TOPIC_PAGE = 10  # questions per page when browsing a topic
MAX_PROBLEMS = 30  # problems listed in a broken-FAQ alert; `expo-bot check` lists them all
THUMBS_UP, THUMBS_DOWN = "👍", "👎"

#: Suggestions whose taps are recorded: they tell the editors what a question meant.
RECORDED_SUGGESTIONS: frozenset[SuggestionKind] = frozenset({"did_you_mean", "closest"})


def bot_commands(lang: Lang, *, admin: bool = False) -> list[BotCommand]:
    """The command menu for setMyCommands; an admin's also lists the editors' commands."""
    commands = COMMANDS[lang] + (ADMIN_COMMANDS[lang] if admin else ())
    return [BotCommand(command, description) for command, description in commands]


def ui_voice(chosen: object, language_code: str | None) -> Voice:
    """The interface voice: the /lang choice if any, else the user's Telegram language; Chinese
    in Traditional when their Telegram language is (zh-hant, zh-tw, zh-hk)."""
    code = (language_code or "").lower().replace("_", "-")
    lang: Lang = "zh" if chosen == "zh" or (chosen != "en" and code.startswith("zh")) else "en"
    if lang == "en":
        return ENGLISH
    if code.endswith(("-hk", "-mo")):
        return Voice("zh", "hk")
    if code.startswith("zh-hant") or code.endswith("-tw"):
        return Voice("zh", "tw")
    return Voice("zh")


# --- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A paragraph of a message: plain text, or a quoted passage with a heading line."""

    text: str
    quote: bool = False
    head: str = ""

    def html(self) -> str:
        body = escape(self.text)
        if not self.quote:
            return body
        head = f"<b>{escape(self.head)}</b>\n" if self.head else ""
        return f"<blockquote expandable>{head}{body}</blockquote>"

    def size(self) -> int:
        return length(self.text) + (length(self.head) + 1 if self.head else 0)


@dataclass(frozen=True)
class Outgoing:
    """One message to send: HTML text and, on the last message of a reply, its buttons."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def escape(value: str) -> str:
    """Text safe to put between HTML tags (Telegram accepts &lt; &gt; &amp; &quot;)."""
    return html.escape(value, quote=False)


def length(value: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units (an emoji counts two)."""
    return len(value.encode("utf-16-le")) // 2


def render_reply(reply: Reply, ref: str = "") -> list[Outgoing]:
    """A reply as messages: the answer, its source as an expandable quote, and its buttons.

    `ref` names the question asked in the buttons that record it (see `reply_keyboard`).
    """
    return attach(split(reply_blocks(reply)), reply_keyboard(reply, ref))


def reply_keyboard(reply: Reply, ref: str = "") -> InlineKeyboardMarkup | None:
    """A reply's buttons: one per suggested question, then 👍 / 👎 under an answer.

    "Did you mean" and closest suggestions, and the 👍 / 👎, carry `ref` so that the tap can be
    recorded with the question it answers.
    """
    recorded = reply.suggestion_kind in RECORDED_SUGGESTIONS
    action: Action = "suggestion" if recorded else "answer"
    rows = [
        [button(s.question, _tap(action, reply.voice, s.id, ref=ref if recorded else ""))]
        for s in reply.suggestions
    ]
    if reply.matched and reply.entry_id:
        rows.append(rating_row(reply.entry_id, reply.voice, ref))
    return InlineKeyboardMarkup(rows) if rows else None


def rating_row(entry_id: str, voice: Voice, ref: str = "") -> list[InlineKeyboardButton]:
    """👍 and 👎 for an entry's answer."""
    rates: tuple[tuple[str, Action], ...] = ((THUMBS_UP, "up"), (THUMBS_DOWN, "down"))
    return [
        InlineKeyboardButton(label, callback_data=_tap(action, voice, entry_id, ref=ref).encode())
        for label, action in rates
    ]


def reply_blocks(reply: Reply) -> list[Block]:
    """The paragraphs of a reply, unescaped; a follow-up's first says how it was read. A reply
    to several questions gives each answer in turn, each saying which question it answers."""
    blocks = [b for part in reply.answered or (reply,) for b in _answer_blocks(part)]
    header = _suggestion_header(reply)
    if header:
        blocks.append(Block(header))
    return blocks


def _answer_blocks(reply: Reply) -> list[Block]:
    """How the question was read, if it was, the answer, its source and any translation."""
    blocks = [Block(reply.understood_note)] if reply.understood_note else []
    blocks.append(Block(reply.answer))
    if reply.source is not None and reply.matched:
        head = _say("source", reply.voice) + _say("speaker_sep", reply.voice) + reply.source.speaker
        blocks.append(Block(reply.source.text, quote=True, head=head))
        if reply.source.translation:  # under the verbatim quote, which it never replaces
            head = _say("translation", reply.voice)
            blocks.append(Block(reply.source.translation, quote=True, head=head))
    return blocks


def _suggestion_header(reply: Reply) -> str:
    if not reply.suggestions:
        return ""
    if reply.suggestion_kind in ("related", "closest"):
        return _say(reply.suggestion_kind, reply.voice)
    if reply.suggestion_kind == "examples" and reply.kind != "empty":
        return _say("examples", reply.voice)
    return ""  # "did you mean" and "empty" replies already end by introducing the buttons


def _say(key: Key, voice: Voice, **values: str | int) -> str:
    return say(key, voice.lang, voice.variant, **values)


def answer_html(reply: Reply) -> str:
    """A reply as one message (for inline results): the answer, its source and any translation
    of it, cut to fit."""
    blocks = reply_blocks(reply)
    return split(blocks[: 3 if reply.source and reply.source.translation else 2])[0]


def inline_results(replies: Sequence[Reply]) -> list[InlineQueryResultArticle]:
    """Inline-mode articles: title the question, description the answer, sent with its source."""
    results: dict[str, InlineQueryResultArticle] = {}
    for reply in replies[:MAX_INLINE_RESULTS]:
        rid = result_id(reply.entry_id or reply.query)
        results.setdefault(
            rid,
            InlineQueryResultArticle(
                id=rid,
                title=clip(reply.query, MAX_LABEL * 2),
                description=clip(reply.answer, MAX_DESCRIPTION),
                input_message_content=InputTextMessageContent(
                    answer_html(reply), parse_mode=ParseMode.HTML
                ),
                reply_markup=(
                    InlineKeyboardMarkup([rating_row(reply.entry_id, reply.voice)])
                    if reply.matched and reply.entry_id
                    else None
                ),
            ),
        )
    return list(results.values())


def suggestion_keyboard(
    suggestions: Sequence[Suggestion], voice: Voice
) -> InlineKeyboardMarkup | None:
    """One button per suggested question; tapping it answers that question."""
    if not suggestions:
        return None
    rows = [[button(s.question, _tap("answer", voice, s.id))] for s in suggestions]
    return InlineKeyboardMarkup(rows)


def _tap(action: Action, voice: Voice, arg: str = "", page: int = 0, ref: str = "") -> Tap:
    return Tap(action, voice.lang, arg, page, ref=ref, variant=voice.variant)


def button(label: str, tap: Tap) -> InlineKeyboardButton:
    return InlineKeyboardButton(clip(label, MAX_LABEL), callback_data=tap.encode())


def clip(value: str, limit: int) -> str:
    """Value cut to at most `limit` characters, marked with an ellipsis when cut."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def attach(chunks: list[str], markup: InlineKeyboardMarkup | None) -> list[Outgoing]:
    """Messages for the chunks, with the buttons under the last one."""
    return [
        Outgoing(chunk, markup if i == len(chunks) - 1 else None) for i, chunk in enumerate(chunks)
    ]


def plain(value: str, markup: InlineKeyboardMarkup | None = None) -> list[Outgoing]:
    """Plain text, escaped and split, as messages."""
    return attach(split([Block(p) for p in value.split("\n\n")]), markup)


# --- splitting -----------------------------------------------------------------------------------

_SEPARATOR = "\n\n"
_BREAKS = ("\n\n", "\n", "。", "!", "?", "!", "?", ";", ";", ". ", " ")


def split(blocks: Iterable[Block], limit: int = MAX_TEXT) -> list[str]:
    """HTML messages of at most `limit` characters each, split between paragraphs.

    A paragraph longer than a message is cut at the last line break, sentence end or space that
    fits, and a quote cut this way becomes one quote per message, so every message is balanced.
    """
    pieces: list[Block] = []
    for block in blocks:
        if block.text.strip() or block.head:
            pieces.extend(_fit(block, limit))
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        extra = piece.size() + (length(_SEPARATOR) if current else 0)
        if current and size + extra > limit:
            chunks.append(_SEPARATOR.join(current))
            current, size = [], 0
            extra = piece.size()
        current.append(piece.html())
        size += extra
    if current:
        chunks.append(_SEPARATOR.join(current))
    return chunks or [""]


def _fit(block: Block, limit: int) -> list[Block]:
    """The block, or the block cut into pieces that each fit in a message."""
    if block.size() <= limit:
        return [block]
    head = clip(block.head, limit // 4) if block.head else ""
    out: list[Block] = []
    rest = block.text.strip()
    while rest:
        budget = limit - (length(head) + 1 if head else 0)
        piece, rest = _cut(rest, budget)
        out.append(Block(piece, block.quote, head))
        head = ""
    return out


def _cut(value: str, budget: int) -> tuple[str, str]:
    """The longest head of value within budget, ending at the best break; and the rest."""
    if length(value) <= budget:
        return value, ""
    end = _prefix_within(value, budget)
    window = value[:end]
    for mark in _BREAKS:
        at = window.rfind(mark)
        if at > end // 3:  # don't settle for a tiny first piece
            cut = at + len(mark.rstrip()) if mark.strip() else at
            return value[:cut].rstrip(), value[cut:].strip()
    return value[:end], value[end:].lstrip()


def _prefix_within(value: str, budget: int) -> int:
    """How many characters of value fit in `budget` UTF-16 code units."""
    used = 0
    for i, ch in enumerate(value):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > budget:
            return i
    return len(value)


# --- the bot's other screens ---------------------------------------------------------------------


def welcome(knowledge: Knowledge, examples: Sequence[Suggestion], voice: Voice) -> list[Outgoing]:
    """/start: what the bot is for, with example questions as buttons."""
    shown = [Suggestion(s.id, faq_text(s.question, voice)) for s in examples]
    markup = suggestion_keyboard(shown, voice)
    return plain(_say("welcome", voice, title=faq_text(knowledge.title(voice.lang), voice)), markup)


def help_text(bot_username: str, voice: Voice) -> list[Outgoing]:
    """/help."""
    return plain(_say("help", voice, bot=bot_username))


def about(knowledge: Knowledge, voice: Voice) -> list[Outgoing]:
    """/about: what the bot knows, and the speakers its answers quote."""
    lang = voice.lang
    counts: dict[str, int] = {}
    for entry in knowledge.entries:
        speaker = entry.source.speaker(lang)
        if speaker:
            counts[speaker] = counts.get(speaker, 0) + 1
    top = sorted(counts, key=lambda s: -counts[s])[:8]
    speakers = "\n".join(f"• {faq_text(name, voice)}" for name in top)
    topics = sum(1 for t in knowledge.topics if knowledge.in_topic(t.id))
    body = _say(
        "about",
        voice,
        title=faq_text(knowledge.title(lang), voice),
        topics=topics,
        entries=len(knowledge.entries),
        speakers=speakers or "-",
        digest=knowledge.digest or "-",
    )
    return plain(body)


def topic_list(knowledge: Knowledge, voice: Voice) -> Outgoing:
    """/topics: one button per topic that has questions."""
    rows = [
        [button(f"{faq_text(t.title(voice.lang), voice)} ({n})", _tap("topic", voice, t.id))]
        for t in knowledge.topics
        if (n := len(knowledge.in_topic(t.id)))
    ]
    return Outgoing(escape(_say("topics", voice)), InlineKeyboardMarkup(rows))


def topic_page(knowledge: Knowledge, topic_id: str, voice: Voice, page: int = 0) -> Outgoing | None:
    """One page of a topic's questions as buttons, with paging and a way back to all topics."""
    topic = knowledge.topic(topic_id)
    if topic is None:
        return None
    lang = voice.lang
    entries = knowledge.in_topic(topic.id)
    pages = max(1, -(-len(entries) // TOPIC_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = entries[page * TOPIC_PAGE : (page + 1) * TOPIC_PAGE]
    rows = [
        [button(faq_text(e.questions[lang][0], voice), _tap("answer", voice, e.id))] for e in shown
    ]
    paging = []
    if page > 0:
        paging.append(button(_say("prev", voice), _tap("topic", voice, topic.id, page - 1)))
    if page < pages - 1:
        paging.append(button(_say("next", voice), _tap("topic", voice, topic.id, page + 1)))
    if paging:
        rows.append(paging)
    rows.append([button(_say("all_topics", voice), _tap("topics", voice))])
    title = faq_text(topic.title(lang), voice)
    heading = _say("topic", voice, topic=title, count=len(entries))
    return Outgoing(escape(heading), InlineKeyboardMarkup(rows))


def lang_menu(voice: Voice) -> Outgoing:
    """/lang: a button for each interface language."""
    row = [button(name, Tap("lang", code)) for code, name in LANG_NAMES.items()]
    return Outgoing(escape(_say("lang_prompt", voice)), InlineKeyboardMarkup([row]))


def notice(key: Key, voice: Voice, **values: str) -> list[Outgoing]:
    """A short message in the bot's own words."""
    return plain(_say(key, voice, **values))


def toast(key: Key, voice: Voice) -> str:
    """The short text of a callback answer (a toast), in the bot's own words."""
    return _say(key, voice)


def faq_text(value: str, voice: Voice) -> str:
    """Text from the FAQ (Simplified) in the voice's written form."""
    return written(value, voice.variant) if voice.lang == "zh" else value


# --- the editors' screens (English, like `expo-bot review`) --------------------------------------


def reload_problems(problems: Sequence[Problem], limit: int = MAX_PROBLEMS) -> list[Outgoing]:
    """Why the FAQ was not reloaded: one line per problem (file:line: [entry] message)."""
    lines = [f"• {' '.join(str(p).split())}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit} more: run `expo-bot check` to see them all.")
    head = (
        f"⚠️ The FAQ was not reloaded; the bot still serves the previous version. "
        f"{len(problems)} problem(s):"
    )
    return plain(head + "\n\n" + "\n".join(lines))


def stats_text(started: datetime, since_start: Stats, last_week: Stats) -> str:
    """/stats: the counts since the bot started and over the last 7 days."""
    return "\n\n".join(
        (
            _stats_block(f"Since start-up ({_when(started)})", since_start),
            _stats_block("Last 7 days", last_week),
        )
    )


def _stats_block(title: str, s: Stats) -> str:
    top = ", ".join(f"{entry} {n}" for entry, n in s.top_entries) or "-"
    return (
        f"{title}:\n"
        f"questions served: {s.served}, answered {s.answered} ({s.answered_share:.0%})\n"
        f'refusals: {s.refusals}, "did you mean": {s.ambiguous}\n'
        f"suggestion taps: {s.suggestion_taps}, {THUMBS_UP} {s.thumbs_up}, "
        f"{THUMBS_DOWN} {s.thumbs_down}\n"
        f"top entries: {top}"
    )


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def preformatted(value: str, limit: int = MAX_TEXT) -> list[Outgoing]:
    """Plain text as `<pre>` messages of at most `limit` characters, split between lines."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in _lines_within(value.rstrip() or "-", limit):
        extra = length(line) + (1 if current else 0)
        if current and size + extra > limit:
            chunks.append("\n".join(current))
            current, size, extra = [], 0, length(line)
        current.append(line)
        size += extra
    if current:
        chunks.append("\n".join(current))
    return [Outgoing(f"<pre>{escape(chunk)}</pre>") for chunk in chunks if chunk.strip()]


def _lines_within(value: str, limit: int) -> Iterable[str]:
    """The lines of value, each line longer than `limit` cut into pieces that fit."""
    for line in value.split("\n"):
        rest = line
        while length(rest) > limit:
            end = max(1, _prefix_within(rest, limit))
            yield rest[:end]
            rest = rest[end:]
        yield rest
