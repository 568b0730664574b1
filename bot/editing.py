"""What an editor can do about a review group, the same from the command line and from Telegram.

- `choices(group, knowledge)`: the closest entries still in the FAQ, with their first question in
  the group's language, as offered for "add the phrasing to this one";
- `add(writer, entry_id, question)`: add the phrasing as a variant, through `FaqWriter` (locked,
  validated, atomic, backed up); `Added` says what was written;
- `ignore(log, marks)`: mark the group's phrasings as not covered by the briefing, in the event
  store, so the review stops listing it; `Ignored` says when;
- `undo(done, writer, log)`: take back one of those: the variant is removed again (whatever else
  was written since), or the marks lifted.

Front ends decide what to show; every check and refusal (`EditError`) is made here or below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.faq_edit import AddVariant, EditError, add_variant
from bot.faq_writer import FaqWriter, Preview, Written
from bot.knowledge import Knowledge
from bot.review import QuestionGroup
from bot.store import EventLog
from bot.text import Lang, normalise


@dataclass(frozen=True)
class Choice:
    """An entry a group's phrasing could be added to."""

    entry_id: str
    question: str  # its first question, in the group's language
    score: float  # how close the matcher found it


@dataclass(frozen=True)
class Added:
    """A phrasing written into the FAQ as a variant."""

    edit: AddVariant
    written: Written

    def describe(self) -> str:
        return self.written.what


@dataclass(frozen=True)
class Ignored:
    """Phrasings marked as not covered by the briefing."""

    marks: tuple[tuple[str, str], ...]  # (normalised, as asked)
    at: datetime

    def describe(self) -> str:
        shown = self.marks[0][1] if self.marks else ""
        more = f" and {len(self.marks) - 1} more phrasing(s)" if len(self.marks) > 1 else ""
        return f'ignored "{shown}"{more}: the review no longer lists it'


Done = Added | Ignored


def lang_of(group: QuestionGroup) -> Lang:
    """The language a group was mostly asked in."""
    return "en" if group.langs[:1] == ("en",) else "zh"


def choices(group: QuestionGroup, knowledge: Knowledge) -> list[Choice]:
    """The group's closest entries that the FAQ still has, the closest first."""
    lang = lang_of(group)
    found = []
    for scored in group.closest:
        entry = knowledge.entry(scored.entry_id)
        if entry is not None and entry.questions.get(lang):
            found.append(Choice(entry.id, entry.questions[lang][0], scored.score))
    return found


def pending(
    groups: Sequence[QuestionGroup], knowledge: Knowledge
) -> tuple[list[QuestionGroup], int]:
    """The groups still to act on, and how many were left out because their phrasing is now a
    question of an entry (added since those questions were asked)."""
    known = {normalise(q) for e in knowledge.entries for qs in e.questions.values() for q in qs}
    left = [g for g in groups if normalise(g.question) not in known]
    return left, len(groups) - len(left)


def preview(writer: FaqWriter, entry_id: str, question: str, lang: Lang | None = None) -> Preview:
    """The addition made on the current file, not written, with its diff; EditError if refused."""
    return writer.preview(add_variant(entry_id, question, lang))


def add(
    writer: FaqWriter,
    entry_id: str,
    question: str,
    lang: Lang | None = None,
    *,
    base: str | None = None,
    shown: Preview | None = None,
) -> Added:
    """Add question to the entry (in the language it is written in unless lang says); EditError
    (the file untouched) for an unknown entry, an empty question, or one that an entry has.

    base is the digest of the FAQ the editor looked at; shown, the preview they were shown.
    """
    edit = add_variant(entry_id, question, lang)
    return Added(edit, writer.apply(edit, base=base, preview=shown))


def ignore(log: EventLog, marks: Mapping[str, str], *, editor: int | None = None) -> Ignored:
    """Mark phrasings (normalised → as asked) as ignored; EventLogError if it cannot be written."""
    kept = tuple((norm, asked) for norm, asked in marks.items() if norm)
    if not kept:
        raise EditError("the question is empty")
    return Ignored(kept, log.ignore(dict(kept), editor=editor))


def ignore_question(log: EventLog, question: str, *, editor: int | None = None) -> Ignored:
    """Ignore one question as typed, and with it the review group it falls in."""
    question = " ".join(question.split())
    return ignore(log, {normalise(question): question}, editor=editor)


def undo(done: Done, writer: FaqWriter, log: EventLog | None) -> str:
    """Take back what done did; what was undone, for the editor. EditError if the variant is no
    longer there to remove; EventLogError if the marks cannot be lifted."""
    if isinstance(done, Added):
        return writer.apply(done.edit.inverse()).what
    if log is None:
        raise EditError("the event store is not available, so the ignore mark stays")
    log.unignore(norm for norm, _ in done.marks)
    return f'"{done.marks[0][1]}" is listed by the review again'
