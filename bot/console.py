"""The console front end: `expo-bot chat` for trying the bot locally, and plain-text rendering.

It answers exactly as the Telegram bot does (same `Reply`, same wording from `bot.wording`), with
numbered items that a number picks: the suggestions under an answer, or the topics and the pages
of a topic's questions that /topics browses. A number always picks from what is on screen now.
It has readline editing and history, keys that behave as in a shell, and the FAQ reloaded when
the file changes.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.conversation import DEFAULT_SECONDS, Contexts, reply_in_context, turn_of
from bot.knowledge import Knowledge
from bot.matching.lexical import WORD_VERDICTS
from bot.matching.matcher import Matcher
from bot.matching.words import content_words
from bot.reload import LiveFaq
from bot.replies import Reply, Responder
from bot.text import SIMPLIFIED, Voice, written
from bot.wording import Key, say

HISTORY_FILE = Path.home() / ".expo_bot_history"
# Lines of a topic page kept free for its heading, the paging hint and the prompt.
_PAGE_MARGIN = 5
_MIN_PAGE = 5
_HEADINGS: dict[str, Key] = {"related": "related", "closest": "closest", "examples": "examples"}


def _indent(text: str, prefix: str = "") -> str:
    # No re-wrapping: textwrap counts a Chinese character as one column and breaks mid-phrase;
    # the terminal wraps long lines well enough.
    return "\n".join(prefix + line for line in text.splitlines() if line.strip())


def _say(key: Key, voice: Voice, **values: str | int) -> str:
    return say(key, voice.lang, voice.variant, **values)


def render(reply: Reply) -> str:
    """A reply as console text: answer, quoted source with speaker (and, in English, its
    translation), numbered suggestions; a reply to several questions, each answer in turn."""
    voice = reply.voice
    parts = [line for part in reply.answered or (reply,) for line in _answer_lines(part)]
    if reply.suggestions and reply.suggestion_kind in _HEADINGS:
        if reply.kind != "empty":  # an empty question's reply already introduces its examples
            parts.append(_say(_HEADINGS[reply.suggestion_kind], voice))
        parts.extend(f"  {i}. {s.question}" for i, s in enumerate(reply.suggestions, 1))
    elif reply.suggestions:  # "did you mean": the answer already asks it
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
    words, judged = matcher.judge_words(
        reply.understood or reply.query, [c.entry_id for c in reply.candidates]
    )
    content = {w.text for w in content_words(words)}
    lines.append(
        "[debug] words: "
        + " ".join(f"{w.text}/{w.tag}" + ("*" if w.text in content else "") for w in words)
        + "  (* content)"
    )
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
        if c.entry_id in judged:
            lines.append(
                "[debug]      words: "
                + "; ".join(
                    f"{w}({x:.2f}) {WORD_VERDICTS[v]}" for w, x, v in judged[c.entry_id].verdicts
                )
            )
    return "\n".join(lines)


def _answer_lines(reply: Reply) -> list[str]:
    """How the question was read, if it was, the answer, its quoted source and translation."""
    voice = reply.voice
    lines = [reply.understood_note] if reply.understood_note else []
    lines.append(_indent(reply.answer))
    if reply.source is not None:
        lines.append(
            f"  — {_say('source', voice)}{_say('speaker_sep', voice)}{reply.source.speaker}"
        )
        lines.append(_indent(f"“{reply.source.text}”", "    "))
        if reply.source.translation:  # under the verbatim quote, labelled: it is not the source
            lines.append(f"  — {_say('translation', voice)}:")
            lines.append(_indent(reply.source.translation, "    "))
    return lines


def page_size() -> int:
    """Questions per topic page: what fits on the terminal's screen."""
    return max(_MIN_PAGE, shutil.get_terminal_size().lines - _PAGE_MARGIN)


@dataclass(frozen=True)
class Pick:
    """One numbered item on screen: an entry's answer, or a topic's questions."""

    kind: Literal["entry", "topic"]
    id: str


@dataclass(frozen=True)
class Screen:
    """What is numbered on screen now; a topic page also knows where it is in its topic."""

    picks: tuple[Pick, ...] = ()
    topic: str = ""
    page: int = 0


def topic_list(knowledge: Knowledge, voice: Voice) -> tuple[str, Screen]:
    """The numbered topics that have questions, for /topics."""
    topics = [t for t in knowledge.topics if knowledge.in_topic(t.id)]
    lines = [_say("console_topics", voice)]
    for i, t in enumerate(topics, 1):
        count = len(knowledge.in_topic(t.id))
        lines.append(f"  {i}. {written(t.title(voice.lang), voice.variant)} ({count})")
    return "\n".join(lines), Screen(tuple(Pick("topic", t.id) for t in topics))


def topic_page(
    knowledge: Knowledge, topic_id: str, voice: Voice, page: int, size: int
) -> tuple[str, Screen] | None:
    """One page of a topic's questions, numbered from 1; None if the topic is gone."""
    topic = next((t for t in knowledge.topics if t.id == topic_id), None)
    entries = knowledge.in_topic(topic_id)
    if topic is None or not entries:
        return None
    pages = (len(entries) + size - 1) // size
    page = min(max(page, 0), pages - 1)
    shown = entries[page * size : (page + 1) * size]
    title = written(topic.title(voice.lang), voice.variant)
    lines = [_say("console_topic", voice, topic=title, count=len(entries))]
    lines += [
        f"  {i}. {written(e.questions[voice.lang][0], voice.variant)}"
        for i, e in enumerate(shown, 1)
    ]
    lines.append(_say("console_page", voice, page=page + 1, pages=pages))
    return "\n".join(lines), Screen(tuple(Pick("entry", e.id) for e in shown), topic_id, page)


_CONVERSATION = "console"  # one conversation per console session


class ConsoleSession:
    """The state of one console conversation: what is numbered on screen, and its voice."""

    def __init__(
        self,
        live: LiveFaq,
        *,
        debug: bool = False,
        page_size: Callable[[], int] = page_size,
        context_seconds: float = DEFAULT_SECONDS,
    ) -> None:
        self.live = live
        self.debug = debug
        self.page_size = page_size
        self.voice: Voice | None = None  # the conversation's, once a question has one
        self.screen = Screen()
        self.last: Reply | None = None
        self.contexts = Contexts(context_seconds, self._topics)

    def _topics(self, entry_id: str) -> tuple[str, ...]:
        # Read from the FAQ in use now: it may have been reloaded since the conversation began.
        return self.live.current.topics(entry_id)

    @property
    def ui(self) -> Voice:
        """The voice of the console's own words: the conversation's, else Simplified Chinese."""
        return self.voice or SIMPLIFIED

    def handle(self, line: str) -> str | None:
        """The console's answer to one input line; None means quit."""
        line = line.strip()
        if line in ("/quit", "/exit", "/q"):
            return None
        notice = self._reload_notice()
        return notice + self._respond(line, self.live.current)

    def _respond(self, line: str, responder: Responder) -> str:
        knowledge = responder.knowledge
        if line == "/topics":
            return self._show(topic_list(knowledge, self.ui))
        if line.startswith("/"):
            return _say("console_help", self.ui)
        if line.lower() in ("n", "p") and self.screen.topic:
            step = 1 if line.lower() == "n" else -1
            return self._page(knowledge, self.screen.topic, self.screen.page + step)
        if line.isdigit() and self.screen.picks:
            return self._pick(int(line), responder)
        reply = reply_in_context(responder, line, self.contexts.last(_CONVERSATION), self.voice)
        if line:
            self.voice = reply.voice
        return self._answer(reply, responder)

    def _pick(self, number: int, responder: Responder) -> str:
        picks = self.screen.picks
        if not 1 <= number <= len(picks):
            return _say("console_pick", self.ui, count=len(picks))
        pick = picks[number - 1]
        if pick.kind == "topic":
            return self._page(responder.knowledge, pick.id, 0)
        ui = self.ui
        reply = responder.reply_for_entry(pick.id, ui.lang, variant=ui.variant)
        if reply is None:  # gone since a reload
            return self._show(topic_list(responder.knowledge, ui))
        return self._answer(reply, responder)

    def _page(self, knowledge: Knowledge, topic_id: str, page: int) -> str:
        size = self.page_size()
        shown = topic_page(knowledge, topic_id, self.ui, page, size)
        if shown is None:
            return self._show(topic_list(knowledge, self.ui))
        if shown[1].page != page:  # n past the last page, p before the first
            return _say("console_no_more", self.ui)
        return self._show(shown)

    def _show(self, shown: tuple[str, Screen]) -> str:
        text, self.screen = shown
        return text

    def _answer(self, reply: Reply, responder: Responder) -> str:
        self.contexts.keep(_CONVERSATION, turn_of(responder, reply))  # what comes next follows it
        self.last = reply
        self.screen = Screen(tuple(Pick("entry", s.id) for s in reply.suggestions))
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


def _setup_readline() -> tuple[Callable[[], None], Callable[[], str]]:
    """Load the history; return how to save it, and how to read the line being typed."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return (lambda: None), (lambda: "")
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(HISTORY_FILE)

    return save, readline.get_line_buffer


def run_console(
    live: LiveFaq, *, debug: bool = False, context_seconds: float = DEFAULT_SECONDS
) -> int:
    """The interactive loop. As in a shell: Ctrl-C clears a half-typed line and leaves on an
    empty one, Ctrl-D leaves; both leave the terminal on a fresh line. So does /quit."""
    session = ConsoleSession(live, debug=debug, context_seconds=context_seconds)
    title = live.current.knowledge.title
    interactive = sys.stdin.isatty()
    save_history, typed = _setup_readline() if interactive else ((lambda: None), (lambda: ""))
    if interactive:
        print(f"{title.zh} / {title.en}")
        print(_say("console_help", session.ui))
    try:
        while True:
            try:
                line = input("> " if interactive else "")
            except EOFError:
                if interactive:
                    print()  # Ctrl-D leaves the cursor after the prompt
                break
            except KeyboardInterrupt:
                print()
                if typed().strip():
                    continue
                break
            try:
                out = session.handle(line)
            except KeyboardInterrupt:  # a slow answer interrupted: back to the prompt
                print()
                continue
            if out is None:
                break
            print(out)
            print()
    finally:
        save_history()
    return 0
