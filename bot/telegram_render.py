"""Telegram presentation: a `Reply` as HTML messages with inline keyboards, and the bot's own words.

Nothing here decides what to say; `bot.replies.Responder` does. This module only turns its output
into what the Bot API accepts: HTML-escaped text in messages of at most 4,096 characters (split at
paragraph boundaries), inline-keyboard buttons whose `callback_data` fits in 64 bytes, and command
and button labels in the user's interface language. The editors' screens (/stats, /review, the
broken-FAQ alert) are in English, like `expo-bot review`.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ParseMode

from bot.knowledge import Knowledge, Problem
from bot.replies import Reply, Suggestion, SuggestionKind, text
from bot.store import Stats
from bot.text import Lang

MAX_TEXT = 4096  # characters of a message after entity parsing (Bot API limit)
MAX_CALLBACK_DATA = 64  # bytes of callback_data (Bot API limit)
MAX_INLINE_RESULTS = 10  # answers offered in inline mode (the Bot API allows 50)
MAX_LABEL = 60  # button labels are cut here; Telegram clients truncate long ones anyway
MAX_DESCRIPTION = 120  # inline result descriptions are shown on two lines at most
TOPIC_PAGE = 10  # questions per page when browsing a topic
MAX_PROBLEMS = 30  # problems listed in a broken-FAQ alert; `expo-bot check` lists them all
THUMBS_UP, THUMBS_DOWN = "👍", "👎"

# --- the bot's own words, in both interface languages ------------------------------------------

UI: dict[str, dict[Lang, str]] = {
    "welcome": {
        "zh": "你好!我回答关于{title}的问题。每个答案都附上出处原文和说话人;资料里没有的,"
        "我会直说不知道。\n\n直接发来你的问题,或点下面的例子。/topics 按话题浏览,/help 查看用法。",
        "en": "Hello! I answer questions about {title}. Every answer quotes the passage it comes "
        "from and who said it; if my source doesn't cover something, I say so.\n\n"
        "Just send me a question, or tap an example below. /topics browses by topic, /help "
        "explains the rest.",
    },
    "help": {
        "zh": "直接用中文或英文发来问题,我用同样的语言回答,并引用出处。\n\n"
        "/topics 按话题浏览全部问题\n/about 我知道什么、资料来自哪里\n/lang 切换界面语言\n\n"
        "在群里:@{bot} 加问题、回复我的消息,或用 /ask 问题。\n"
        "在任何聊天里输入 @{bot} 加关键词,可以直接挑选答案发出去。",
        "en": "Send me a question in English or Chinese; I answer in the same language and "
        "quote my source.\n\n/topics browse every question by topic\n"
        "/about what I know and where it comes from\n/lang switch the interface language\n\n"
        "In groups: mention @{bot} with your question, reply to one of my messages, or use "
        "/ask followed by the question.\n"
        "In any chat, type @{bot} and a few words to pick an answer and send it.",
    },
    "about": {
        "zh": "我只回答关于{title}的问题,依据是一份人工整理的问答资料:{topics}个话题,"
        "{entries}个问题。\n\n每个答案都出自同一份原始文字记录里的一段原文,我会把原文和说话人"
        "一起引用出来。资料里没有的问题,我不会猜。\n\n引用的说话人:\n{speakers}\n\n资料版本:{digest}",
        "en": "I only answer questions about {title}, from a curated FAQ of {entries} questions "
        "in {topics} topics.\n\nEvery answer rests on a verbatim passage of one source document, "
        "and I quote that passage with its speaker. If the FAQ doesn't cover a question, I don't "
        "guess.\n\nSpeakers quoted:\n{speakers}\n\nFAQ version: {digest}",
    },
    "topics": {"zh": "选择一个话题:", "en": "Pick a topic:"},
    "topic": {"zh": "{topic}({count}个问题):", "en": "{topic} ({count} questions):"},
    "all_topics": {"zh": "« 全部话题", "en": "« All topics"},
    "prev": {"zh": "‹ 上一页", "en": "‹ Previous"},
    "next": {"zh": "下一页 ›", "en": "Next ›"},
    "examples": {"zh": "可以试试这些问题:", "en": "Try one of these:"},
    "lang_prompt": {"zh": "选择界面语言:", "en": "Choose the interface language:"},
    "lang_set": {
        "zh": "好的,命令和按钮将使用中文。提问用哪种语言,我就用哪种语言回答。",
        "en": "OK, commands and buttons are now in English. I still answer in the language "
        "you ask in.",
    },
    "ask_usage": {
        "zh": "用法:/ask 加上你的问题,例如 /ask {example}",
        "en": "Usage: /ask followed by your question, e.g. /ask {example}",
    },
    "too_long": {
        "zh": "这条消息太长了,请把问题缩短到一两句话再发给我。",
        "en": "That message is too long for me. Please ask in a sentence or two.",
    },
    "not_text": {
        "zh": "我只能读文字问题,请用文字把问题发给我。",
        "en": "I can only read text. Please type your question.",
    },
    "edited": {
        "zh": "我不会重新回答修改过的消息,请把问题重新发一次。",
        "en": "I don't re-answer edited messages. Please send the question again.",
    },
    "stale": {
        "zh": "这个问题已经不在资料里了,请重新提问。",
        "en": "That question is no longer in the FAQ. Please ask again.",
    },
    "inline_empty": {"zh": "没有找到相关答案", "en": "No answer found"},
    "thanks": {"zh": "谢谢反馈", "en": "Thanks for the feedback"},
}

COMMANDS: dict[Lang, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("start", "开始,看看可以问什么"),
        ("topics", "按话题浏览问题"),
        ("ask", "在群里提问:/ask 问题"),
        ("about", "我知道什么、资料来源"),
        ("lang", "切换界面语言 中文/English"),
        ("help", "使用说明"),
    ),
    "en": (
        ("start", "Start and see what you can ask"),
        ("topics", "Browse questions by topic"),
        ("ask", "Ask in a group: /ask question"),
        ("about", "What I know and where it comes from"),
        ("lang", "Switch language: 中文/English"),
        ("help", "How to use this bot"),
    ),
}

# Only in the menus of the admins' own private chats (EXPO_BOT_ADMINS).
ADMIN_COMMANDS: dict[Lang, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("reload", "立即重新加载 FAQ"),
        ("stats", "使用统计:本次启动以来、近 7 天"),
        ("review", "待处理的问题(近 7 天)"),
    ),
    "en": (
        ("reload", "Reload the FAQ now"),
        ("stats", "Usage since start-up and over 7 days"),
        ("review", "Questions to work on (last 7 days)"),
    ),
}

LANG_NAMES: dict[Lang, str] = {"zh": "中文", "en": "English"}


def ui(key: str, lang: Lang, **values: str | int) -> str:
    """One of the bot's own texts in the given interface language, with values filled in."""
    return UI[key][lang].format(**values)


def bot_commands(lang: Lang, *, admin: bool = False) -> list[BotCommand]:
    """The command menu for setMyCommands; an admin's also lists the editors' commands."""
    commands = COMMANDS[lang] + (ADMIN_COMMANDS[lang] if admin else ())
    return [BotCommand(command, description) for command, description in commands]


def ui_lang(chosen: object, language_code: str | None) -> Lang:
    """The interface language: the /lang choice if any, else the user's Telegram language."""
    if chosen in ("zh", "en"):
        return "zh" if chosen == "zh" else "en"
    return "zh" if (language_code or "").lower().startswith("zh") else "en"


# --- callback data -------------------------------------------------------------------------------

Action = Literal["answer", "suggestion", "topic", "topics", "lang", "up", "down"]
_CODES: dict[Action, str] = {
    "answer": "a",  # an entry's answer: related questions, examples, topic pages
    "suggestion": "s",  # the same, from a "did you mean" or closest suggestion: recorded
    "topic": "t",
    "topics": "T",
    "lang": "l",
    "up": "u",  # 👍 on an entry's answer
    "down": "d",  # 👎
}
_ACTIONS: dict[str, Action] = {code: action for action, code in _CODES.items()}
#: Taps that carry `ref`, the short id of the question asked, in place of a page number.
REF_ACTIONS: frozenset[Action] = frozenset({"suggestion", "up", "down"})
#: Suggestions whose taps are recorded: they tell the editors what a question meant.
RECORDED_SUGGESTIONS: frozenset[SuggestionKind] = frozenset({"did_you_mean", "closest"})
REF_RE = re.compile(r"[A-Za-z0-9_-]{0,16}")


@dataclass(frozen=True)
class Tap:
    """What an inline-keyboard button asks for when tapped."""

    action: Action
    lang: Lang
    arg: str = ""
    page: int = 0
    ref: str = ""  # suggestions and 👍/👎: the asked question's id (see REF_ACTIONS), or ""

    def encode(self) -> str:
        """`callback_data`: `action|lang|page|arg`, or `action|lang|ref|arg` for REF_ACTIONS;
        arg is replaced by a digest if too long."""
        third = self.ref if self.action in REF_ACTIONS else str(self.page)
        head = f"{_CODES[self.action]}|{self.lang}|{third}|"
        data = head + self.arg
        if len(data.encode()) > MAX_CALLBACK_DATA:
            data = head + "#" + digest(self.arg)
        return data

    @classmethod
    def decode(cls, data: str | None) -> Tap | None:
        """The tap encoded in `callback_data`, or None if it is not one of ours."""
        parts = (data or "").split("|", 3)
        if len(parts) != 4 or parts[0] not in _ACTIONS or parts[1] not in ("zh", "en"):
            return None
        action = _ACTIONS[parts[0]]
        lang: Lang = "zh" if parts[1] == "zh" else "en"
        if action in REF_ACTIONS:
            if not REF_RE.fullmatch(parts[2]):
                return None
            return cls(action, lang, parts[3], ref=parts[2])
        if not parts[2].isdigit():
            return None
        return cls(action, lang, parts[3], int(parts[2]))

    def refers_to(self, key: str) -> bool:
        """Whether `arg` names this id, directly or by its digest."""
        return self.arg in (key, "#" + digest(key))


def digest(value: str) -> str:
    """A short stable stand-in for an id too long for `callback_data` or an inline result id."""
    return hashlib.blake2s(value.encode(), digest_size=12).hexdigest()


def result_id(entry_id: str) -> str:
    """An inline result id (at most 64 bytes) for an entry."""
    return entry_id if len(entry_id.encode()) <= MAX_CALLBACK_DATA else "#" + digest(entry_id)


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
    rows = [
        [button(s.question, Tap("suggestion", reply.lang, s.id, ref=ref))]
        if recorded
        else [button(s.question, Tap("answer", reply.lang, s.id))]
        for s in reply.suggestions
    ]
    if reply.matched and reply.entry_id:
        rows.append(rating_row(reply.entry_id, reply.lang, ref))
    return InlineKeyboardMarkup(rows) if rows else None


def rating_row(entry_id: str, lang: Lang, ref: str = "") -> list[InlineKeyboardButton]:
    """👍 and 👎 for an entry's answer."""
    return [
        InlineKeyboardButton(THUMBS_UP, callback_data=Tap("up", lang, entry_id, ref=ref).encode()),
        InlineKeyboardButton(
            THUMBS_DOWN, callback_data=Tap("down", lang, entry_id, ref=ref).encode()
        ),
    ]


def reply_blocks(reply: Reply) -> list[Block]:
    """The paragraphs of a reply, unescaped; a follow-up's first says how it was read."""
    blocks = [Block(reply.understood_note)] if reply.understood else []
    blocks.append(Block(reply.answer))
    if reply.source is not None and reply.matched:
        head = text("source", reply.lang) + text("speaker_sep", reply.lang) + reply.source.speaker
        blocks.append(Block(reply.source.text, quote=True, head=head))
    header = _suggestion_header(reply)
    if header:
        blocks.append(Block(header))
    return blocks


def _suggestion_header(reply: Reply) -> str:
    if not reply.suggestions:
        return ""
    if reply.suggestion_kind == "related":
        return text("related", reply.lang)
    if reply.suggestion_kind == "closest":
        return text("closest", reply.lang)
    if reply.suggestion_kind == "examples" and reply.kind != "empty":
        return ui("examples", reply.lang)
    return ""  # "did you mean" and "empty" replies already end by introducing the buttons


def answer_html(reply: Reply) -> str:
    """A reply as one message (for inline results): the answer and its source, cut to fit."""
    return split(reply_blocks(reply)[:2])[0]


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
                    InlineKeyboardMarkup([rating_row(reply.entry_id, reply.lang)])
                    if reply.matched and reply.entry_id
                    else None
                ),
            ),
        )
    return list(results.values())


def suggestion_keyboard(
    suggestions: Sequence[Suggestion], lang: Lang
) -> InlineKeyboardMarkup | None:
    """One button per suggested question; tapping it answers that question."""
    if not suggestions:
        return None
    rows = [[button(s.question, Tap("answer", lang, s.id))] for s in suggestions]
    return InlineKeyboardMarkup(rows)


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


def welcome(knowledge: Knowledge, examples: Sequence[Suggestion], lang: Lang) -> list[Outgoing]:
    """/start: what the bot is for, with example questions as buttons."""
    markup = suggestion_keyboard(examples, lang)
    return plain(ui("welcome", lang, title=knowledge.title(lang)), markup)


def help_text(bot_username: str, lang: Lang) -> list[Outgoing]:
    """/help."""
    return plain(ui("help", lang, bot=bot_username))


def about(knowledge: Knowledge, lang: Lang) -> list[Outgoing]:
    """/about: what the bot knows, and the speakers its answers quote."""
    counts: dict[str, int] = {}
    for entry in knowledge.entries:
        speaker = entry.source.speaker(lang)
        if speaker:
            counts[speaker] = counts.get(speaker, 0) + 1
    speakers = "\n".join(f"• {name}" for name in sorted(counts, key=lambda s: -counts[s])[:8])
    topics = sum(1 for t in knowledge.topics if knowledge.in_topic(t.id))
    body = ui(
        "about",
        lang,
        title=knowledge.title(lang),
        topics=topics,
        entries=len(knowledge.entries),
        speakers=speakers or "-",
        digest=knowledge.digest or "-",
    )
    return plain(body)


def topic_list(knowledge: Knowledge, lang: Lang) -> Outgoing:
    """/topics: one button per topic that has questions."""
    rows = [
        [button(f"{t.title(lang)} ({n})", Tap("topic", lang, t.id))]
        for t in knowledge.topics
        if (n := len(knowledge.in_topic(t.id)))
    ]
    return Outgoing(escape(ui("topics", lang)), InlineKeyboardMarkup(rows))


def topic_page(knowledge: Knowledge, topic_id: str, lang: Lang, page: int = 0) -> Outgoing | None:
    """One page of a topic's questions as buttons, with paging and a way back to all topics."""
    topic = knowledge.topic(topic_id)
    if topic is None:
        return None
    entries = knowledge.in_topic(topic.id)
    pages = max(1, -(-len(entries) // TOPIC_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = entries[page * TOPIC_PAGE : (page + 1) * TOPIC_PAGE]
    rows = [[button(e.questions[lang][0], Tap("answer", lang, e.id))] for e in shown]
    paging = []
    if page > 0:
        paging.append(button(ui("prev", lang), Tap("topic", lang, topic.id, page - 1)))
    if page < pages - 1:
        paging.append(button(ui("next", lang), Tap("topic", lang, topic.id, page + 1)))
    if paging:
        rows.append(paging)
    rows.append([button(ui("all_topics", lang), Tap("topics", lang))])
    heading = ui("topic", lang, topic=topic.title(lang), count=len(entries))
    return Outgoing(escape(heading), InlineKeyboardMarkup(rows))


def lang_menu(lang: Lang) -> Outgoing:
    """/lang: a button for each interface language."""
    row = [button(name, Tap("lang", code)) for code, name in LANG_NAMES.items()]
    return Outgoing(escape(ui("lang_prompt", lang)), InlineKeyboardMarkup([row]))


def notice(key: str, lang: Lang, **values: str) -> list[Outgoing]:
    """A short message in the bot's own words."""
    return plain(ui(key, lang, **values))


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
