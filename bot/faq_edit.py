"""One question variant added to, or removed from, an entry of the FAQ's text, and nothing else.

The FAQ is edited as text, never re-serialised: ruamel.yaml's round-trip loader reports where the
entry's list of questions and each of its items stand (line and column) and how they are written
(a block or a flow list; double-quoted, single-quoted or plain items), and the change is spliced
in at that place, in the same style. Comments, key order, quoting, flow style, indentation and
blank lines therefore stay as they were, and the file's diff is the one line (or list item)
changed. The result is parsed again, with the same safe loading as `bot.knowledge`, and must equal
the old data with exactly that change, or the edit is refused.

Pure: text in, text out. `bot.faq_writer` reads, validates and writes the file.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RoundTripError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from bot.text import Lang, detect_lang, normalise

MAX_QUESTION: Final = 200  # characters: a question variant is a sentence, not a paragraph
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")


class EditError(Exception):
    """An edit that was refused; the message says why, for the editor. Nothing was written."""


@dataclass(frozen=True)
class _Variant:
    """One question variant of one entry, in one language."""

    entry_id: str
    lang: Lang
    question: str


@dataclass(frozen=True)
class AddVariant(_Variant):
    """Add `question` to the `lang` questions of entry `entry_id`."""

    def describe(self) -> str:
        return f'added "{self.question}" to {self.entry_id} ({self.lang})'

    def inverse(self) -> RemoveVariant:
        return RemoveVariant(self.entry_id, self.lang, self.question)


@dataclass(frozen=True)
class RemoveVariant(_Variant):
    """Remove `question` from the `lang` questions of entry `entry_id`."""

    def describe(self) -> str:
        return f'removed "{self.question}" from {self.entry_id} ({self.lang})'

    def inverse(self) -> AddVariant:
        return AddVariant(self.entry_id, self.lang, self.question)


Edit = AddVariant | RemoveVariant


def add_variant(entry_id: str, question: str, lang: Lang | None = None) -> AddVariant:
    """The edit adding question (its whitespace tidied) to an entry, under the language it is
    written in unless lang says otherwise; EditError for an empty or overlong question."""
    question = " ".join(question.split())
    if not normalise(question):
        why = " (nothing is left once punctuation and filler words are removed)" if question else ""
        raise EditError(f"the question is empty{why}")
    if len(question) > MAX_QUESTION:
        raise EditError(
            f"the question is too long ({len(question)} characters; a variant has at most "
            f"{MAX_QUESTION})"
        )
    return AddVariant(entry_id.strip(), lang or detect_lang(question), question)


def apply(text: str, edit: Edit) -> str:
    """The FAQ text with the edit made, everything else byte for byte as it was; EditError if
    the edit cannot be made (unknown entry, a question another entry has, …)."""
    document = _round_trip(text)
    data = _safe_load(text)
    entry = _entry(document, edit.entry_id)
    questions = entry.get("questions")
    items = _items(questions, edit)
    lines = _Lines(text)
    if isinstance(edit, AddVariant):
        _refuse_taken(data, edit)
        new = _insert(lines, questions, items, edit)
    else:
        new = _delete(lines, items, _index_of(items, edit), edit)
    _verify(new, data, edit)
    return new


def diff(before: str, after: str, name: str, context: int = 2) -> str:
    """A unified diff of two versions of a file, for showing a change before it is written."""
    out = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), name, name, n=context
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


# --- reading -------------------------------------------------------------------------------------


def _round_trip(text: str) -> CommentedMap:
    loader = YAML(typ="rt")
    loader.preserve_quotes = True  # so each item says how it is quoted
    try:
        document = loader.load(text)
    except RoundTripError as exc:
        raise _unparsable(exc) from None
    if not isinstance(document, CommentedMap):
        raise EditError("the FAQ is not a mapping; run `expo-bot check`")
    return document


def _safe_load(text: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # as bot.knowledge loads it
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise _unparsable(exc) from None


def _unparsable(exc: BaseException) -> EditError:
    reason = " ".join(str(exc).split())
    return EditError(f"the FAQ does not parse ({reason}); run `expo-bot check`")


def _entry(document: CommentedMap, entry_id: str) -> CommentedMap:
    entries = document.get("entries")
    if not isinstance(entries, CommentedSeq):
        raise EditError("the FAQ has no list of entries; run `expo-bot check`")
    ids = [str(e.get("id")) for e in entries if isinstance(e, CommentedMap)]
    for entry in entries:
        if isinstance(entry, CommentedMap) and entry.get("id") == entry_id:
            return entry
    close = difflib.get_close_matches(entry_id, ids, n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise EditError(f"unknown entry {entry_id!r}{hint}")


def _items(questions: object, edit: Edit) -> CommentedSeq:
    if not isinstance(questions, CommentedMap):
        raise EditError(f"entry {edit.entry_id} has no questions mapping; run `expo-bot check`")
    items = questions.get(edit.lang)
    if not isinstance(items, CommentedSeq):
        raise EditError(f"entry {edit.entry_id} has no list of {edit.lang} questions")
    return items


def _refuse_taken(data: Any, edit: AddVariant) -> None:
    """EditError if the question, normalised, is already one of any entry's (`check` refuses a
    question under two entries)."""
    wanted = normalise(edit.question)
    for owner, variant in _variants(data):
        if normalise(variant) != wanted:
            continue
        if owner == edit.entry_id:
            raise EditError(f'"{edit.question}" is already a question of {owner} ("{variant}")')
        raise EditError(
            f'"{edit.question}" already belongs to another entry: {owner} has "{variant}"'
        )


def _variants(data: Any) -> Iterator[tuple[object, str]]:
    """(entry id, question) of every question variant in safely loaded FAQ data."""
    entries = data.get("entries") if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else ():
        questions = entry.get("questions") if isinstance(entry, dict) else None
        for variants in questions.values() if isinstance(questions, dict) else ():
            for variant in variants if isinstance(variants, list) else ():
                if isinstance(variant, str):
                    yield entry.get("id"), variant


def _index_of(items: CommentedSeq, edit: RemoveVariant) -> int:
    for i, item in enumerate(items):
        if item == edit.question:
            return i
    raise EditError(f'"{edit.question}" is not a question of {edit.entry_id} ({edit.lang})')


# --- splicing ------------------------------------------------------------------------------------


class _Lines:
    """The text with its line starts, to turn ruamel's (line, column) into offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        found = _LINE_BREAK.search(text)
        self.newline = found.group(0) if found else "\n"

    def offset(self, line: int, column: int) -> int:
        return self.starts[line] + column

    def row(self, line: int) -> str:
        """Line `line` without its line break ("" past the end)."""
        if line >= len(self.starts):
            return ""
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return _LINE_BREAK.sub("", self.text[self.starts[line] : end])

    def start_of(self, line: int) -> int:
        return self.starts[line] if line < len(self.starts) else len(self.text)


def _position(items: CommentedSeq, index: int) -> tuple[int, int]:
    line, column = items.lc.item(index)
    return int(line), int(column)


def _dash(lines: _Lines, line: int, column: int) -> int:
    """The column of the `-` of a block list item whose value starts at column."""
    row = lines.row(line)
    dash = row.rfind("-", 0, column)
    if dash < 0 or row[:dash].strip() or row[dash + 1 : column].strip():
        raise EditError("the list of questions is laid out in a way this edit cannot follow")
    return dash


def _last_line(lines: _Lines, line: int, dash: int) -> int:
    """The last line of the block list item starting on line: its continuation lines are the
    ones indented deeper than its dash (blank lines between them aside)."""
    last, following = line, line + 1
    while following < len(lines.starts):
        row = lines.row(following)
        if row.strip():
            if len(row) - len(row.lstrip(" ")) <= dash:
                break
            last = following
        following += 1
    return last


def _insert(lines: _Lines, questions: CommentedMap, items: CommentedSeq, edit: AddVariant) -> str:
    text = lines.text
    flow = bool(items.fa.flow_style()) or not items  # an empty list can only be written []
    rendered = _render(edit.question, items[-1] if items else None, flow=flow)
    if flow:
        if not items:
            line, column = questions.lc.value(edit.lang)
            at = text.index("[", lines.offset(line, column)) + 1
            return text[:at] + rendered + text[at:]
        last = lines.offset(*_position(items, len(items) - 1))
        end = _scalar_end(text, last)
        separator = ", "
        if len(items) > 1:  # as the items before are separated, if only by a comma and spaces
            before = _scalar_end(text, lines.offset(*_position(items, len(items) - 2)))
            between = text[before:last]
            separator = between if between.strip() == "," else separator
        return text[:end] + separator + rendered + text[end:]
    line, column = _position(items, len(items) - 1)
    dash = _dash(lines, line, column)
    row = lines.row(line)
    new_line = f"{row[:dash]}-{row[dash + 1 : column]}{rendered}"
    at = lines.start_of(_last_line(lines, line, dash) + 1)
    if at == len(text) and not text.endswith(("\n", "\r")):  # a file without a final newline
        return text + lines.newline + new_line
    return text[:at] + new_line + lines.newline + text[at:]


def _delete(lines: _Lines, items: CommentedSeq, index: int, edit: RemoveVariant) -> str:
    if len(items) == 1:
        raise EditError(f'"{edit.question}" is the only {edit.lang} question of {edit.entry_id}')
    text = lines.text
    if bool(items.fa.flow_style()):
        start = lines.offset(*_position(items, index))
        if index == 0:
            return text[:start] + text[lines.offset(*_position(items, 1)) :]
        previous = _scalar_end(text, lines.offset(*_position(items, index - 1)))
        return text[:previous] + text[_scalar_end(text, start) :]
    line, column = _position(items, index)
    end = lines.start_of(_last_line(lines, line, _dash(lines, line, column)) + 1)
    return text[: lines.start_of(line)] + text[end:]


def _scalar_end(text: str, start: int) -> int:
    """Where the flow list item starting at start ends (its closing quote included)."""
    quote = text[start]
    at = start + 1
    if quote == '"':
        while at < len(text):
            if text[at] == "\\":
                at += 2
            elif text[at] == '"':
                return at + 1
            else:
                at += 1
    elif quote == "'":
        while at < len(text):
            if text[at] == "'":
                if text[at + 1 : at + 2] != "'":
                    return at + 1
                at += 1  # '' is a quote inside the item
            at += 1
    else:
        while at < len(text) and text[at] not in ",]}":
            if text[at] == "#" and text[at - 1].isspace():  # a comment
                break
            at += 1
        return start + len(text[start:at].rstrip())
    raise EditError("a quoted question in the FAQ is not closed; run `expo-bot check`")


def _render(question: str, like: object, *, flow: bool) -> str:
    """The question as a list item quoted like the item before it, or plain only where a plain
    scalar reads back as exactly this text."""
    if isinstance(like, DoubleQuotedScalarString):
        return _double_quoted(question)
    if isinstance(like, SingleQuotedScalarString):
        return "'" + question.replace("'", "''") + "'"
    return question if _reads_back(question, flow=flow) else _double_quoted(question)


def _double_quoted(question: str) -> str:
    return json.dumps(question, ensure_ascii=False)  # JSON's escapes are YAML's too


def _reads_back(question: str, *, flow: bool) -> bool:
    try:
        return bool(_safe_load(f"[{question}]" if flow else f"- {question}") == [question])
    except EditError:
        return False


def _verify(new: str, data: Any, edit: Edit) -> None:
    """EditError unless new parses to the old data with exactly this edit made."""
    expected = copy.deepcopy(data)
    for entry in expected["entries"]:
        if isinstance(entry, dict) and entry.get("id") == edit.entry_id:
            variants: list[Any] = entry["questions"][edit.lang]
            if isinstance(edit, AddVariant):
                variants.append(edit.question)
            else:
                variants.remove(edit.question)
            break
    if _safe_load(new) != expected:
        raise EditError("the change could not be made in place; edit the file by hand")
