"""`expo-bot review --apply` and its scriptable forms: acting on the review from the terminal.

`apply_loop` walks the groups, most asked first, and asks what to do with each: add the phrasing
to one of the closest entries (1-3), to another entry by id (e, with tab completion on a
terminal), ignore it (i), skip it (s) or quit (q). Every change is shown as a diff and written
only once confirmed. `add`, `ignore` and `undo` are the one-shot forms (`--add`, `--ignore`,
`--undo`). All of them go through `bot.editing`, as the Telegram /review buttons do.

Exit status: 0 when done, 1 when a change is refused (with the reason, the file untouched) or the
event store cannot be read or written, 2 for a bad time window or limit.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TextIO

from bot import editing, review
from bot.editing import Done
from bot.faq_edit import EditError
from bot.faq_writer import FaqWriter, Written
from bot.knowledge import Knowledge, load
from bot.store import EventLog, EventLogError
from bot.text import Lang

if TYPE_CHECKING:
    from bot.config import Settings

EXIT_OK, EXIT_REFUSED = 0, 1
PROMPT: Final = "[{keys}e/i/s/q] "
HELP: Final = (
    "  e  another entry, by id\n"
    "  i  ignore: the briefing doesn't cover it (the review stops listing it)\n"
    "  s  skip\n"
    "  q  quit"
)

Ask = Callable[[str], str]


def _fail(message: str) -> int:
    print(f"expo-bot review: {message}", file=sys.stderr)
    return EXIT_REFUSED


def _print_written(written: Written, out: TextIO) -> None:
    note = (
        " (the FAQ had changed since the review was drawn: the change went on the current file)"
        if written.rebased
        else ""
    )
    print(f"{written.what}; the previous version is in {written.backup}{note}", file=out)


# --- one-shot forms ------------------------------------------------------------------------------


def add(settings: Settings, entry_id: str, question: str, lang: Lang | None) -> int:
    """`--add ENTRY_ID QUESTION`: show the diff, then write it."""
    writer = settings.faq_writer()
    try:
        shown = editing.preview(writer, entry_id, question, lang)
        print(shown.diff, end="")
        done = editing.add(writer, entry_id, question, lang, base=shown.base, shown=shown)
    except EditError as exc:
        return _fail(str(exc))
    _print_written(done.written, sys.stdout)
    return EXIT_OK


def ignore(settings: Settings, question: str) -> int:
    """`--ignore QUESTION`: the review stops listing the question's group."""
    try:
        with EventLog.connect(settings.db, salt=settings.salt) as log:
            done = editing.ignore_question(log, question)
    except (EditError, EventLogError) as exc:
        return _fail(str(exc))
    print(f"{done.describe()} (marked {review.when(done.at)})")
    return EXIT_OK


def undo(settings: Settings) -> int:
    """`--undo`: put back the version of the FAQ that the last write replaced."""
    try:
        written = settings.faq_writer().undo()
    except EditError as exc:
        return _fail(str(exc))
    print(written.diff, end="")
    print(f"{written.what}; the undone version is in {written.backup}")
    return EXIT_OK


# --- the interactive loop ------------------------------------------------------------------------


def apply(settings: Settings, since: str, limit: int, *, include_ignored: bool = False) -> int:
    """`--apply`: walk the review's groups and act on each."""
    try:
        start = review.window_start(since)
    except ValueError as exc:
        print(f"expo-bot review: {exc}", file=sys.stderr)
        return 2
    if isinstance(settings.db, Path) and not settings.db.exists():
        where = review.where_of(settings.db)
        print(review.EMPTY_MESSAGE.format(window=review.window_of(start), where=where))
        return EXIT_OK
    knowledge = load(settings.faq)
    try:
        with EventLog.connect(settings.db, salt=settings.salt) as log:
            report = review.review(log, start, limit, include_ignored=include_ignored)
            groups, added = editing.pending([*report.unanswered, *report.ignored], knowledge)
            if added:
                print(f"{added} group(s) left out: their phrasing is in the FAQ now")
            if not groups:
                print('Nothing refused or answered with "did you mean": nothing to apply.')
                return EXIT_OK
            with _completion([e.id for e in knowledge.entries]):
                apply_loop(groups, Session(knowledge, settings.faq_writer(), log))
    except EventLogError as exc:
        return _fail(str(exc))
    return EXIT_OK


@dataclass
class Session:
    """What the loop works with: the FAQ as the review was drawn, its writer, the event store,
    and the terminal (ask shows a prompt and returns the line typed; EOFError at the end)."""

    knowledge: Knowledge
    writer: FaqWriter
    log: EventLog
    ask: Ask = input
    out: TextIO = field(default_factory=lambda: sys.stdout)
    base: str = ""  # digest of the FAQ as last seen here: the review's, then each write's

    def __post_init__(self) -> None:
        self.base = self.base or self.knowledge.digest

    def say(self, line: str = "", end: str = "\n") -> None:
        print(line, end=end, file=self.out)


def apply_loop(groups: Sequence[review.QuestionGroup], session: Session) -> tuple[Done, ...]:
    """Ask about each group in turn; what was done. End of input counts as quitting."""
    done: list[Done] = []
    for n, group in enumerate(groups, 1):
        session.say()
        for line in _describe(n, len(groups), group):
            session.say(line)
        offered = editing.choices(group, session.knowledge)
        for key, choice in enumerate(offered, 1):
            session.say(f"  {key}  {choice.entry_id}: {choice.question} ({choice.score:.0f})")
        session.say(HELP)
        try:
            outcome = _ask_group(group, offered, session)
        except EOFError:
            session.say()
            break
        if outcome == "quit":
            break
        if isinstance(outcome, editing.Added | editing.Ignored):
            done.append(outcome)
    session.say(f"\n{_summary(done)}")
    return tuple(done)


def _ask_group(
    group: review.QuestionGroup, offered: list[editing.Choice], session: Session
) -> Done | Literal["quit", "skip"]:
    """One group's choice, asked again after a refusal."""
    keys = f"1-{len(offered)}/" if len(offered) > 1 else "1/" if offered else ""
    prompt = f"Add {_quoted(group.question)} to? {PROMPT.format(keys=keys)}"
    while True:
        answer = session.ask(prompt).strip().lower()
        if answer == "q":
            return "quit"
        if answer == "s":
            return "skip"
        if answer == "i":
            try:
                ignored = editing.ignore(session.log, group.marks())
            except (EditError, EventLogError) as exc:
                session.say(f"refused: {exc}")
                continue
            session.say(ignored.describe())
            return ignored
        entry_id = _entry_choice(answer, offered, session.ask)
        if entry_id is None:
            session.say("  type one of the keys listed")
            continue
        added = _confirm_add(entry_id, group.question, session)
        if added is not None:
            return added


def _entry_choice(answer: str, offered: list[editing.Choice], ask: Ask) -> str | None:
    if answer.isdigit() and 1 <= int(answer) <= len(offered):
        return offered[int(answer) - 1].entry_id
    if answer == "e":
        return ask("entry id (tab completes): ").strip()
    return None


def _confirm_add(entry_id: str, question: str, session: Session) -> editing.Added | None:
    """Show the diff, and write it if confirmed; None if refused or declined."""
    try:
        shown = editing.preview(session.writer, entry_id, question)
    except EditError as exc:
        session.say(f"refused: {exc}")
        return None
    session.say(shown.diff, end="")
    if session.ask("Write this change? [Y/n] ").strip().lower() not in ("", "y", "yes"):
        session.say("not written")
        return None
    try:
        added = editing.add(session.writer, entry_id, question, base=session.base, shown=shown)
    except EditError as exc:
        session.say(f"refused: {exc}")
        return None
    session.base = added.written.digest
    _print_written(added.written, session.out)
    return added


def _describe(n: int, total: int, group: review.QuestionGroup) -> list[str]:
    ignored = f", ignored since {review.when(group.ignored)}" if group.ignored else ""
    asked = f"{group.count}× by {group.askers} asker(s)" if group.askers else f"{group.count}×"
    return [
        f"[{n}/{total}] {asked} ({'/'.join(group.langs)}, last {review.when(group.last_seen)}"
        f"{ignored})",
        "  " + " · ".join(_quoted(q) for q in group.examples),
    ]


def _quoted(text: str) -> str:
    return f'"{text}"'


def _summary(done: Sequence[Done]) -> str:
    added = sum(isinstance(d, editing.Added) for d in done)
    ignored = len(done) - added
    undo = "; `expo-bot review --undo` reverts the last write" if added else ""
    return f"done: {added} phrasing(s) added, {ignored} group(s) ignored{undo}"


@contextlib.contextmanager
def _completion(ids: Sequence[str]) -> Iterator[None]:
    """Tab completion of entry ids while the loop reads a terminal (and nothing otherwise)."""
    if not sys.stdin.isatty():
        yield
        return
    try:
        import readline
    except ImportError:  # not on every platform; completion is a convenience
        yield
        return
    choices = sorted(ids)

    def complete(text: str, state: int) -> str | None:
        matches = [i for i in choices if i.startswith(text)]
        return matches[state] if state < len(matches) else None

    previous = readline.get_completer()
    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")
    try:
        yield
    finally:
        readline.set_completer(previous)
