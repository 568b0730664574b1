"""The console front end: `expo-bot chat` for trying the bot locally, and plain-text rendering.

It answers exactly as the Telegram bot does (same `Reply`), with numbered suggestions that a
number picks, readline editing and history, and the FAQ reloaded when the file changes.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

from bot.conversation import DEFAULT_SECONDS, Contexts, converse, turn_of
from bot.matching.matcher import Matcher
from bot.reload import LiveFaq
from bot.replies import Reply, Responder
from bot.text import Lang, detect_lang

HISTORY_FILE = Path.home() / ".expo_bot_history"

_HELP: dict[Lang, str] = {
    "zh": "直接输入问题即可,中英文都行。输入数字选择建议的问题。\n"
    "命令:/topics 浏览主题,/help 帮助,/quit 退出(也可按 Ctrl-D)。",
    "en": "Type a question in Chinese or English. Type a number to pick a suggestion.\n"
    "Commands: /topics to browse, /help for this text, /quit to leave (or Ctrl-D).",
}
_SUGGESTION_TITLES: dict[str, dict[Lang, str]] = {
    "related": {"zh": "相关问题", "en": "Related questions"},
    "did_you_mean": {"zh": "你是想问", "en": "Did you mean"},
    "closest": {"zh": "相近的问题", "en": "Closest questions"},
    "examples": {"zh": "你可以这样问", "en": "You could ask"},
}
_SOURCE: dict[Lang, str] = {"zh": "出处", "en": "Source"}


def _indent(text: str, prefix: str = "") -> str:
    # No re-wrapping: textwrap counts a Chinese character as one column and breaks mid-phrase;
    # the terminal wraps long lines well enough.
    return "\n".join(prefix + line for line in text.splitlines() if line.strip())


def render(reply: Reply) -> str:
    """A reply as console text: answer, quoted source with speaker, numbered suggestions."""
    parts = [reply.understood_note] if reply.understood else []
    parts.append(_indent(reply.answer))
    if reply.source is not None:
        parts.append(f"  — {_SOURCE[reply.lang]}: {reply.source.speaker}")
        parts.append(_indent(f"“{reply.source.text}”", "    "))
    if reply.suggestions and reply.suggestion_kind in _SUGGESTION_TITLES:
        if reply.suggestion_kind != "did_you_mean":  # the answer already asks it
            parts.append(_SUGGESTION_TITLES[reply.suggestion_kind][reply.lang] + ":")
        parts.extend(f"  {i}. {s.question}" for i, s in enumerate(reply.suggestions, 1))
    return "\n".join(parts)


# Features shown on the debug line of each candidate, most telling first.
_DEBUG_FEATURES = ("fuzzy", "coverage", "dice", "novelty_source", "answer_e5", "answer_use")


def render_debug(reply: Reply, matcher: Matcher) -> str:
    """Each ranker's score and the confidence model's view of the top candidates."""
    th = matcher.thresholds
    models = ", ".join(m.key for m in matcher.models) or "off"
    lines = [
        f"[debug] decision={reply.kind} score={reply.score:.1f} semantic={models} "
        f"answer at p≥{th.confidence:.2f}, partial at p≥{th.partial:.2f}"
    ]
    for e in matcher.explain(reply.candidates):
        c = e.candidate
        cosines = " ".join(
            f"{m.key}={x:.3f}" for m, x in zip(matcher.models, c.cosines, strict=False)
        )
        guards = [f"conflict={c.conflict:.2f}"] if c.conflict > th.conflict else []
        guards += [f"never answers {'/'.join(c.unanswered)}"] if c.unanswered else []
        guards += [f"lacks “{c.missing}”"] if c.missing else []
        shown = " ".join(f"{k}={e.features[k]:.2f}" for k in _DEBUG_FEATURES if k in e.features)
        lines.append(
            f"[debug]  {c.entry_id:<26} score={c.score:5.1f} lexical={c.lexical:5.1f} "
            f"semantic={c.semantic:5.1f} {cosines} p={e.probability:.2f}"
            + ("" if e.viable else " (ruled out)")
        )
        lines.append(f"[debug]      {shown}  {' '.join(guards)}  ~ {c.variant}")
    return "\n".join(lines)


def render_topics(responder: Responder, lang: Lang) -> str:
    """Every topic with its questions, for /topics."""
    lines = []
    for topic in responder.knowledge.topics:
        entries = responder.knowledge.in_topic(topic.id)
        lines.append(f"■ {topic.title(lang)} ({len(entries)})")
        lines.extend(f"    {e.questions[lang][0]}" for e in entries)
    return "\n".join(lines)


_CONVERSATION = "console"  # one conversation per console session


class ConsoleSession:
    """The state of one console conversation: the last suggestions and the language in use."""

    def __init__(
        self, live: LiveFaq, *, debug: bool = False, context_seconds: float = DEFAULT_SECONDS
    ) -> None:
        self.live = live
        self.debug = debug
        self.lang: Lang = "zh"
        self.last: Reply | None = None
        self.contexts = Contexts(context_seconds, self._topics)

    def _topics(self, entry_id: str) -> tuple[str, ...]:
        # Read from the FAQ in use now: it may have been reloaded since the conversation began.
        return self.live.current.topics(entry_id)

    def handle(self, line: str) -> str | None:
        """The console's answer to one input line; None means quit."""
        line = line.strip()
        if line in ("/quit", "/exit", "/q"):
            return None
        notice = self._reload_notice()
        return notice + self._respond(line, self.live.current)

    def _respond(self, line: str, responder: Responder) -> str:
        if line == "/topics":
            return render_topics(responder, self.lang)
        if line.startswith("/"):
            return _HELP[self.lang]
        if line.isdigit() and self.last is not None and self.last.suggestions:
            return self._pick(int(line) - 1, responder)
        if line:
            self.lang = detect_lang(line)
        self.last = converse(responder, self.contexts, _CONVERSATION, line)
        return self._render(self.last, responder)

    def _pick(self, index: int, responder: Responder) -> str:
        assert self.last is not None
        choices = self.last.suggestions
        reply = (
            responder.reply_for_entry(choices[index].id, self.last.lang)
            if 0 <= index < len(choices)
            else None
        )
        if reply is None:
            return f"1–{len(choices)}?"
        self.contexts.keep(_CONVERSATION, turn_of(responder, reply))
        self.last = reply
        return self._render(reply, responder)

    def _render(self, reply: Reply, responder: Responder) -> str:
        text = render(reply)
        return text + "\n" + render_debug(reply, responder.matcher) if self.debug else text

    def _reload_notice(self) -> str:
        result = self.live.refresh()
        if result.changed:
            return "(FAQ reloaded)\n"
        if result.problems:
            shown = "\n".join(f"  {p}" for p in result.problems[:5])
            return f"(FAQ file has problems; still using the previous version)\n{shown}\n"
        return ""


def _setup_readline() -> Callable[[], None]:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return lambda: None
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(HISTORY_FILE)

    return save


def run_console(
    live: LiveFaq, *, debug: bool = False, context_seconds: float = DEFAULT_SECONDS
) -> int:
    """The interactive loop; Ctrl-D, Ctrl-C and /quit all leave cleanly."""
    session = ConsoleSession(live, debug=debug, context_seconds=context_seconds)
    title = live.current.knowledge.title
    interactive = sys.stdin.isatty()
    save_history = _setup_readline() if interactive else (lambda: None)
    if interactive:
        print(f"{title.zh} / {title.en}")
        print(_HELP["zh"])
    try:
        while True:
            try:
                line = input("> " if interactive else "")
            except EOFError:
                break
            out = session.handle(line)
            if out is None:
                break
            print(out)
            print()
    except KeyboardInterrupt:
        print()
    finally:
        save_history()
    return 0
