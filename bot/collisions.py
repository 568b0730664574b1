"""Collisions in an FAQ: places where the matcher would confuse one entry with another.

`expo-bot check --collisions` reports them so an editor can fix the FAQ before users notice:
a question variant the matcher sends elsewhere, near-identical variants under two entries, and a
keyword shared by entries the matcher then cannot tell apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.knowledge import LANGS, Knowledge
from bot.matching.matcher import Matcher
from bot.text import normalise, question_types

NEAR_IDENTICAL = 92.0


@dataclass(frozen=True)
class Collision:
    """One confusion between two entries, located at the entry it was found in."""

    kind: str
    entry: str
    other: str
    text: str
    line: int
    file: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.entry}] {self.kind}: {self.text!r} → {self.other}"


def find_collisions(knowledge: Knowledge, matcher: Matcher | None = None) -> list[Collision]:
    """Every collision in an FAQ, grouped by kind."""
    matcher = matcher or Matcher(knowledge)
    entries = {e.id: e for e in knowledge.entries}
    return [
        Collision(kind, entry, other, text, entries[entry].line_of(text), str(knowledge.path))
        for kind, entry, other, text in (
            *_misrouted_variants(knowledge, matcher),
            *_near_identical_variants(knowledge, matcher),
            *_shared_keywords(knowledge, matcher),
        )
    ]


_Found = tuple[str, str, str, str]  # kind, entry, other entry, text as written in the file


def _misrouted_variants(knowledge: Knowledge, matcher: Matcher) -> list[_Found]:
    found = []
    for entry in knowledge.entries:
        for lang in LANGS:
            for question in entry.questions[lang]:
                match = matcher.match(question)
                best = match.best
                if match.decision == "answer" and best and best.entry_id != entry.id:
                    found.append(
                        ("variant answered by another entry", entry.id, best.entry_id, question)
                    )
                elif match.decision == "ambiguous":
                    rivals = [c.entry_id for c in matcher.close_calls(match.candidates)]
                    if entry.id in rivals:
                        found.extend(
                            ("variant confused with another entry", entry.id, other, question)
                            for other in rivals
                            if other != entry.id
                        )
    return found


def _near_identical_variants(knowledge: Knowledge, matcher: Matcher) -> list[_Found]:
    owners: dict[str, tuple[str, str]] = {}  # prepared text → (entry, the question as written)
    for entry in knowledge.entries:
        for lang in LANGS:
            for question in entry.questions[lang]:
                owners.setdefault(matcher.prepare(question), (entry.id, question))
    owners.pop("", None)
    texts = list(owners)
    found = []
    # Each prepared text against all others in one C call; each pair reported once.
    for i, text in enumerate(texts):
        for other_text, score, j in process.extract(
            text, texts, scorer=fuzz.ratio, score_cutoff=NEAR_IDENTICAL, limit=None
        ):
            (a, written), (b, other) = owners[text], owners[other_text]
            if j > i and a != b and not _ask_apart(written, other):
                found.append((f"near-identical to a variant of {b} ({score:.0f})", a, b, written))
    return found


def _ask_apart(one: str, other: str) -> bool:
    """Whether two questions ask for different kinds of answer (when / where): however alike
    they read, the matcher tells them apart by that."""
    kinds, other_kinds = question_types(normalise(one)), question_types(normalise(other))
    return bool(kinds and other_kinds and not kinds & other_kinds)


def _shared_keywords(knowledge: Knowledge, matcher: Matcher) -> list[_Found]:
    holders: defaultdict[str, list[str]] = defaultdict(list)
    written: dict[tuple[str, str], str] = {}  # (prepared keyword, entry) → the keyword as written
    for entry in knowledge.entries:
        for keyword in entry.keywords:
            key = matcher.prepare(keyword)
            if key and entry.id not in holders[key]:
                holders[key].append(entry.id)
                written[key, entry.id] = keyword
    found = []
    for key, ids in holders.items():
        if len(ids) < 2:
            continue
        # A keyword alone reaches at most one entry; for the others it only adds confusion.
        match = matcher.match(key)
        winner = match.best.entry_id if match.decision == "answer" and match.best else None
        for entry_id in ids:
            if entry_id != winner:
                other = winner or next(i for i in ids if i != entry_id)
                found.append(
                    ("keyword shared and confused", entry_id, other, written[key, entry_id])
                )
    return found
