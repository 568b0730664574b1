"""The editor's review: which questions to work on, read from the event log.

`review` reads the events of a time window and `build_report` (pure) turns them into a
`ReviewReport`:

* questions the bot refused or answered with "did you mean", near-duplicates grouped (rapidfuzz on
  `bot.text.normalise`d text), most asked first, each with distinct askers, example phrasings, the
  entries that came closest with their best scores, and the entries people chose from the
  suggestions — so an editor can tell a missing variant of an existing entry from a missing entry;
* out-of-scope questions (another event, edition or year), grouped the same way but listed apart:
  those refusals are probably right, and only a pattern there suggests extending the scope;
* entries whose answers got 👎, with their 👍 and the questions they were given for.

Groups the editors ignored (`EventLog.ignore`: the briefing does not cover them) are left out,
or listed apart with `--all`. A group is ignored when any of its phrasings is: its other phrasings
are near-duplicates of that one, asking the same thing.

`render_text` (CLI, Telegram /review: plain text) and `to_json` render it; `main` is `expo-bot
review`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from rapidfuzz import fuzz, process

from bot.store import (
    UNANSWERED_KINDS,
    Event,
    EventLog,
    EventLogError,
    Location,
    ScoredEntry,
    Stats,
)
from bot.text import normalise

if TYPE_CHECKING:
    from bot.config import Settings

#: Minimum `question_similarity` (0-100) between normalised questions to group them. Short Chinese
#: questions one character apart score 80 (门票多少钱 / 车票多少钱), so keep it above that.
SIMILARITY: Final = 85.0
#: Phrasings whose best candidates are different entries, both scoring at least this, stay apart
#: however alike they read (开幕 / 闭幕 differ by one character).
DISTINCT_ENTRY_SCORE: Final = 50.0
DEFAULT_LIMIT: Final = 20
EXAMPLES: Final = 3  # example phrasings per group
CLOSEST: Final = 3  # closest entries per group
#: `expo-bot review` with nothing to show says where it looked, and what records questions.
EMPTY_MESSAGE: Final = (
    "No questions recorded {window} in {where}.\nOnly the Telegram bot (`expo-bot telegram`) "
    "records questions; `chat` and `ask` do not. EXPO_BOT_DB names another event store."
)

_FEEDBACK_KINDS: Final = ("thumbs_up", "thumbs_down")
_TAP_KIND: Final = "suggestion_tap"
_SINCE_RE = re.compile(r"\s*(\d+)\s*([mhdw])\s*", re.IGNORECASE)
_SINCE_UNITS: Final = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class QuestionGroup:
    """Near-duplicate questions the bot did not answer outright."""

    count: int  # times asked
    askers: int  # distinct askers (0 when askers are not recorded)
    examples: tuple[str, ...]  # distinct phrasings, most asked first
    refused: int
    ambiguous: int  # answered with "did you mean"
    out_of_scope: int
    langs: tuple[str, ...]  # most used first
    closest: tuple[ScoredEntry, ...]  # entries that came closest, with their best score
    chosen: tuple[tuple[str, int], ...]  # (entry id, taps) chosen from the suggestions
    first_seen: datetime
    last_seen: datetime
    #: Every phrasing, most asked first: (normalised, as most often typed). Ignore marks are made
    #: and looked up by the normalised form.
    phrasings: tuple[tuple[str, str], ...] = ()
    ignored: datetime | None = None  # when the editors ignored it
    understood: tuple[str, ...] = ()  # for each example, what a follow-up was read as, or ""

    @property
    def readings(self) -> tuple[tuple[str, str], ...]:
        """Each example with what it was read as, or "" for one read as it was typed."""
        reads = itertools.chain(self.understood, itertools.repeat(""))
        return tuple(zip(self.examples, reads, strict=False))

    @property
    def question(self) -> str:
        """The phrasing an editor acts on: the most asked one, or for a follow-up (那观众呢) the
        question it was read as, which makes sense as a variant on its own."""
        if self.phrasings:
            return self.phrasings[0][1]
        return self.examples[0] if self.examples else ""

    def marks(self) -> dict[str, str]:
        """What `EventLog.ignore` takes to ignore this group: every phrasing."""
        return dict(self.phrasings)


@dataclass(frozen=True)
class EntryFeedback:
    """The 👍 and 👎 on one entry's answer."""

    entry_id: str
    down: int
    up: int
    askers: int  # distinct askers who gave 👎
    examples: tuple[str, ...]  # questions the 👎 answers were given for, most frequent first
    last_down: datetime


@dataclass(frozen=True)
class ReviewReport:
    """What to work on in one time window; each list cut to the limit, `*_total` before it."""

    generated: datetime
    since: datetime | None
    stats: Stats
    unanswered: tuple[QuestionGroup, ...]  # refused or "did you mean"
    unanswered_total: int
    out_of_scope: tuple[QuestionGroup, ...]
    out_of_scope_total: int
    disliked: tuple[EntryFeedback, ...]
    disliked_total: int
    ignored: tuple[QuestionGroup, ...] = ()  # only with `include_ignored`
    ignored_total: int = 0  # groups left out as ignored, listed or not

    @property
    def empty(self) -> bool:
        """Nothing recorded in the window."""
        return (
            self.stats.served == 0
            and not self.unanswered_total
            and not self.out_of_scope_total
            and not self.disliked_total
        )


# --- building -------------------------------------------------------------------------------------


def review(
    log: EventLog,
    since: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    similarity: float = SIMILARITY,
    include_ignored: bool = False,
) -> ReviewReport:
    """The review of events at or after since (all time if None); raises `EventLogError`."""
    events = log.events(since, kinds=(*UNANSWERED_KINDS, _TAP_KIND, *_FEEDBACK_KINDS))
    return build_report(
        events,
        log.stats(since),
        since=since,
        limit=limit,
        similarity=similarity,
        ignored={mark.question: mark.at for mark in log.ignored()},
        include_ignored=include_ignored,
    )


def build_report(
    events: Iterable[Event],
    stats: Stats,
    *,
    since: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
    similarity: float = SIMILARITY,
    generated: datetime | None = None,
    ignored: Mapping[str, datetime] | None = None,
    include_ignored: bool = False,
) -> ReviewReport:
    """The report for these events; events of other kinds are ignored.

    ignored maps normalised questions to when they were ignored; their groups are left out, and
    listed in `ReviewReport.ignored` if include_ignored.
    """
    events = list(events)
    taps = [e for e in events if e.kind == _TAP_KIND]
    marks = ignored or {}
    unanswered, set_aside = _set_aside(
        group_questions([e for e in events if e.kind in ("refuse", "ambiguous")], similarity, taps),
        marks,
    )
    out_of_scope, also_aside = _set_aside(
        group_questions([e for e in events if e.kind == "out_of_scope"], similarity), marks
    )
    set_aside += also_aside
    disliked = disliked_entries(e for e in events if e.kind in _FEEDBACK_KINDS)
    limit = max(limit, 0)
    return ReviewReport(
        generated=generated or datetime.now(UTC),
        since=since,
        stats=stats,
        unanswered=tuple(unanswered[:limit]),
        unanswered_total=len(unanswered),
        out_of_scope=tuple(out_of_scope[:limit]),
        out_of_scope_total=len(out_of_scope),
        disliked=tuple(disliked[:limit]),
        disliked_total=len(disliked),
        ignored=tuple(set_aside[:limit]) if include_ignored else (),
        ignored_total=len(set_aside),
    )


def _set_aside(
    groups: list[QuestionGroup], marks: Mapping[str, datetime]
) -> tuple[list[QuestionGroup], list[QuestionGroup]]:
    """The groups to list, and the ignored ones (each with its earliest mark)."""
    listed, ignored = [], []
    for group in groups:
        when = [marks[norm] for norm, _ in group.phrasings if norm in marks]
        if when:
            ignored.append(dataclasses.replace(group, ignored=min(when)))
        else:
            listed.append(group)
    return listed, ignored


def group_questions(
    events: Sequence[Event], similarity: float = SIMILARITY, taps: Iterable[Event] = ()
) -> list[QuestionGroup]:
    """Group near-duplicate questions, most asked first.

    Questions that normalise alike always group. Otherwise each phrasing, the most asked first,
    joins the group of the most alike phrasing placed so far, if that scores at least `similarity`
    (see `question_similarity`) — unless the group holds phrasings whose best candidate is,
    confidently, another entry (see `DISTINCT_ENTRY_SCORE`). A tap counts for the group of the
    question it was offered for.
    """
    cache: dict[str, str] = {}
    by_norm: dict[str, list[Event]] = {}
    for event in events:
        # A follow-up is grouped by what it was read as: 那观众呢 means as many things as there
        # were questions before it.
        by_norm.setdefault(_norm(event.understood or event.query, cache), []).append(event)
    order = sorted(by_norm, key=lambda n: (-len(by_norm[n]), -_latest(by_norm[n]).timestamp(), n))

    placed: list[str] = []  # every phrasing placed so far
    owner: list[int] = []  # the group of each placed phrasing
    members: list[list[str]] = []
    confident: list[set[str]] = []  # per group, the entries its phrasings confidently point at
    for norm in order:
        top = _top(by_norm[norm])
        target = next(
            (
                owner[j]
                for j in _similar(norm, placed, similarity)
                if top is None or confident[owner[j]] <= {top}
            ),
            None,
        )
        if target is None:
            target = len(members)
            members.append([])
            confident.append(set())
        members[target].append(norm)
        placed.append(norm)
        owner.append(target)
        if top is not None:
            confident[target].add(top)

    home = {norm: i for i, group in enumerate(members) for norm in group}
    chosen: list[Counter[str]] = [Counter() for _ in members]
    for tap in taps:
        if not tap.entry_id:
            continue
        norm = _norm(tap.query, cache)
        index = home.get(norm)
        if index is None:
            index = next((owner[j] for j in _similar(norm, placed, similarity)), None)
        if index is not None:
            chosen[index][tap.entry_id] += 1

    groups = [_group(group, by_norm, chosen[i]) for i, group in enumerate(members)]
    groups.sort(key=lambda g: (-g.count, -g.askers, -g.last_seen.timestamp()))
    return groups


def disliked_entries(events: Iterable[Event]) -> list[EntryFeedback]:
    """Entries with at least one 👎, the most 👎 first (then the fewest 👍)."""
    by_entry: dict[str, list[Event]] = {}
    for event in events:
        if event.kind in _FEEDBACK_KINDS and event.entry_id:
            by_entry.setdefault(event.entry_id, []).append(event)
    cache: dict[str, str] = {}
    out = []
    for entry_id, rated in by_entry.items():
        down = [e for e in rated if e.kind == "thumbs_down"]
        if not down:
            continue
        phrasings: dict[str, list[Event]] = {}
        for event in down:
            if event.query.strip():
                phrasings.setdefault(_norm(event.query, cache), []).append(event)
        ranked = sorted(phrasings.values(), key=lambda evs: (-len(evs), -_latest(evs).timestamp()))
        out.append(
            EntryFeedback(
                entry_id=entry_id,
                down=len(down),
                up=len(rated) - len(down),
                askers=len({e.asker for e in down if e.asker}),
                examples=tuple(_wording(evs)[0] for evs in ranked[:EXAMPLES]),
                last_down=_latest(down),
            )
        )
    out.sort(key=lambda f: (-f.down, f.up, f.entry_id))
    return out


def question_similarity(a: str, b: str) -> float:
    """How alike two normalised questions read, 0-100: as characters, or words in any order."""
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def _similar(norm: str, choices: Sequence[str], cutoff: float) -> list[int]:
    """Indexes of the choices at least cutoff alike to norm, the most alike first."""
    best: dict[int, float] = {}
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        found = process.extract(norm, choices, scorer=scorer, score_cutoff=cutoff, limit=None)
        for _, score, j in found:
            best[j] = max(best.get(j, 0.0), score)
    return sorted(best, key=lambda j: (-best[j], j))


def _norm(query: str, cache: dict[str, str]) -> str:
    if query not in cache:
        cache[query] = normalise(query) or " ".join(query.casefold().split())
    return cache[query]


def _latest(events: Iterable[Event]) -> datetime:
    return max(e.at for e in events)


def _top(events: Sequence[Event]) -> str | None:
    """The entry one phrasing confidently points at: the latest event's best candidate."""
    latest = max(events, key=lambda e: (e.at, e.id))
    if latest.candidates and latest.candidates[0].score >= DISTINCT_ENTRY_SCORE:
        return latest.candidates[0].entry_id
    return None


def _wording(events: Sequence[Event]) -> tuple[str, str]:
    """The most common way a phrasing was typed, whitespace collapsed, with what it was read as."""
    typed = Counter((" ".join(e.query.split()), e.understood) for e in events)
    return typed.most_common(1)[0][0]


def _group(
    norms: list[str], by_norm: dict[str, list[Event]], chosen: Counter[str]
) -> QuestionGroup:
    phrasings = [by_norm[n] for n in norms]
    events = [e for evs in phrasings for e in evs]
    kinds = Counter(e.kind for e in events)
    best: dict[str, float] = {}
    for event in events:
        for c in event.candidates:
            best[c.entry_id] = max(best.get(c.entry_id, c.score), c.score)
    closest = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:CLOSEST]
    wordings = [_wording(evs) for evs in phrasings[:EXAMPLES]]
    return QuestionGroup(
        count=len(events),
        askers=len({e.asker for e in events if e.asker}),
        examples=tuple(typed for typed, _ in wordings),
        understood=tuple(read for _, read in wordings),
        refused=kinds["refuse"],
        ambiguous=kinds["ambiguous"],
        out_of_scope=kinds["out_of_scope"],
        langs=tuple(lang for lang, _ in Counter(e.lang for e in events).most_common()),
        closest=tuple(ScoredEntry(entry, score) for entry, score in closest),
        chosen=tuple(sorted(chosen.items(), key=lambda item: (-item[1], item[0]))),
        first_seen=min(e.at for e in events),
        last_seen=_latest(events),
        # A follow-up's phrasing, should an editor add it, is the question it was read as.
        phrasings=tuple(
            (n, read or typed)
            for n, (typed, read) in zip(norms, (_wording(evs) for evs in phrasings), strict=True)
        ),
    )


# --- time windows ---------------------------------------------------------------------------------


def parse_since(text: str) -> timedelta:
    """A look-back window such as "30m", "24h", "7d" or "2w"; ValueError says what is accepted."""
    match = _SINCE_RE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"invalid time window {text!r}: use a whole number and a unit, m (minutes), "
            "h (hours), d (days) or w (weeks), e.g. 30m, 24h, 7d or 2w"
        )
    amount, unit = int(match.group(1)), match.group(2).lower()
    if amount == 0:
        raise ValueError(f"invalid time window {text!r}: it must be longer than zero")
    try:
        return timedelta(**{_SINCE_UNITS[unit]: amount})
    except OverflowError:
        raise ValueError(f"invalid time window {text!r}: too long") from None


def window_start(since: str, now: datetime | None = None) -> datetime | None:
    """Where a `--since` window ("7d"; "all" or "" for all time) starts; ValueError if bad."""
    if since.strip().lower() in ("", "all"):
        return None
    return (now or datetime.now(UTC)) - parse_since(since)


# --- rendering ------------------------------------------------------------------------------------


def when(moment: datetime) -> str:
    """A moment as the review shows it: 2026-12-01 10:40 UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _quote(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return f'"{text if len(text) <= width else text[: width - 1] + "…"}"'


def _times(n: int) -> str:
    return f"{n}×"


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _more(shown: int, total: int, what: str) -> list[str]:
    return [f"   (+{_plural(total - shown, what)} not shown)"] if total > shown else []


def _window(report: ReviewReport) -> str:
    return window_of(report.since)


def window_of(since: datetime | None) -> str:
    """A review's time window in words: "since 2026-12-01 10:40 UTC", or "so far"."""
    return f"since {when(since)}" if since else "so far"


def render_text(report: ReviewReport, *, groups: bool = True) -> str:
    """The report as plain text (no HTML or Markdown), for the CLI and Telegram; without the
    unanswered groups themselves if not groups (Telegram /review shows each as a message)."""
    window = _window(report)
    if report.empty:
        return f"No questions recorded {window}."
    s = report.stats
    lines = [
        f"Questions {window}: {s.served} served, {s.answered} answered "
        f'({s.answered_share:.0%}), {s.ambiguous} "did you mean", {s.refused} refused, '
        f"{s.out_of_scope} out of scope; {_plural(s.suggestion_taps, 'suggestion tap')}, "
        f"👍 {s.thumbs_up}, 👎 {s.thumbs_down}"
        + (f"; {_plural(s.askers, 'asker')}." if s.askers else "."),
        "",
    ]

    lines += _unanswered_lines(report, groups=groups)
    lines += _ignored_lines(report)

    if report.out_of_scope_total:
        total = _plural(report.out_of_scope_total, "group")
        lines.append(f"Out of scope, probably right to refuse ({total}):")
        for n, group in enumerate(report.out_of_scope, 1):
            lines.append(
                f"{n:>2}. {_times(group.count)}{_askers(group.askers)}: " + _examples(group)
            )
        lines += _more(len(report.out_of_scope), report.out_of_scope_total, "group")
        lines.append("")

    if report.disliked_total:
        lines.append(f"Answers with 👎 ({_plural(report.disliked_total, 'entry')}):")
        for n, fb in enumerate(report.disliked, 1):
            asked = " · ".join(_quote(q) for q in fb.examples)
            lines.append(
                f"{n:>2}. {fb.entry_id}: 👎 {fb.down}, 👍 {fb.up}"
                + (f" — asked as {asked}" if asked else "")
            )
        lines += _more(len(report.disliked), report.disliked_total, "entry")
    else:
        lines.append("No answers with 👎.")
    return "\n".join(lines)


def _unanswered_lines(report: ReviewReport, *, groups: bool) -> list[str]:
    if not report.unanswered_total:
        lines = ['Nothing refused or answered with "did you mean".']
    else:
        lines = [
            f'To work on, refused or "did you mean" ({_plural(report.unanswered_total, "group")},'
            " most asked first):"
        ]
        if groups:
            for n, group in enumerate(report.unanswered, 1):
                lines += group_lines(n, group)
            lines += _more(len(report.unanswered), report.unanswered_total, "group")
        else:
            lines.append(f"   (the top {len(report.unanswered)} follow, one message each)")
    if report.ignored_total and not report.ignored:
        lines.append(
            f"   ({_plural(report.ignored_total, 'ignored group')} not shown; "
            "`expo-bot review --all` lists them)"
        )
    return [*lines, ""]


def _ignored_lines(report: ReviewReport) -> list[str]:
    if not report.ignored:
        return []
    lines = [f"Ignored, not covered by the briefing ({_plural(report.ignored_total, 'group')}):"]
    for n, group in enumerate(report.ignored, 1):
        since = f" since {when(group.ignored)}" if group.ignored else ""
        lines.append(f"{n:>2}. {_times(group.count)}, ignored{since}: {_examples(group)}")
    return [*lines, *_more(len(report.ignored), report.ignored_total, "group"), ""]


def _askers(n: int) -> str:
    return f" by {_plural(n, 'asker')}" if n else ""


def _examples(group: QuestionGroup) -> str:
    return " · ".join(
        _quote(q) + (f" (read as {_quote(read)})" if read else "") for q, read in group.readings
    )


def group_lines(n: int, group: QuestionGroup) -> list[str]:
    """One group of the unanswered, numbered n: counts, phrasings, closest entries, taps."""
    kinds = [
        label
        for count, label in (
            (group.refused, f"refused {group.refused}"),
            (group.ambiguous, f'"did you mean" {group.ambiguous}'),
            (group.out_of_scope, f"out of scope {group.out_of_scope}"),
        )
        if count
    ]
    lines = [
        f"{n:>2}. {_times(group.count)}{_askers(group.askers)} ({', '.join(kinds)}; "
        f"{'/'.join(group.langs)}; last {when(group.last_seen)})",
        f"    {_examples(group)}",
    ]
    if group.closest:
        closest = ", ".join(f"{c.entry_id} {c.score:.0f}" for c in group.closest)
        lines.append(f"    closest: {closest}")
    else:
        lines.append("    closest: none (a new entry?)")
    if group.chosen:
        chosen = ", ".join(f"{entry} {_times(taps)}" for entry, taps in group.chosen)
        lines.append(f"    chosen from suggestions: {chosen} (add the phrasing as a variant?)")
    return lines


def to_json(report: ReviewReport) -> dict[str, Any]:
    """The report as JSON-ready data."""

    def group(g: QuestionGroup) -> dict[str, Any]:
        return {
            "count": g.count,
            "askers": g.askers,
            "examples": list(g.examples),
            "understood": [read or None for _, read in g.readings],
            "refused": g.refused,
            "ambiguous": g.ambiguous,
            "out_of_scope": g.out_of_scope,
            "langs": list(g.langs),
            "closest": [{"id": c.entry_id, "score": c.score} for c in g.closest],
            "chosen": [{"id": entry, "taps": taps} for entry, taps in g.chosen],
            "first_seen": g.first_seen.isoformat(),
            "last_seen": g.last_seen.isoformat(),
            "ignored": g.ignored.isoformat() if g.ignored else None,
        }

    return {
        "generated": report.generated.isoformat(),
        "since": report.since.isoformat() if report.since else None,
        "stats": report.stats.to_json(),
        "unanswered": {
            "total": report.unanswered_total,
            "groups": [group(g) for g in report.unanswered],
        },
        "out_of_scope": {
            "total": report.out_of_scope_total,
            "groups": [group(g) for g in report.out_of_scope],
        },
        "ignored": {
            "total": report.ignored_total,
            "groups": [group(g) for g in report.ignored],
        },
        "disliked": {
            "total": report.disliked_total,
            "entries": [
                {
                    "id": f.entry_id,
                    "down": f.down,
                    "up": f.up,
                    "askers": f.askers,
                    "examples": list(f.examples),
                    "last_down": f.last_down.isoformat(),
                }
                for f in report.disliked
            ],
        },
    }


# --- command line ---------------------------------------------------------------------------------


def main(
    settings: Settings, since: str, limit: int, as_json: bool, *, include_ignored: bool = False
) -> int:
    """`expo-bot review`: print the review of the last `since` ("7d"; "all" for all time).

    Exit 0 after printing, 2 on a bad `since` or `limit`, 1 if the database cannot be read.
    """
    now = datetime.now(UTC)
    try:
        start = window_start(since, now)
    except ValueError as exc:
        print(f"expo-bot review: {exc}", file=sys.stderr)
        return 2
    if limit < 1:
        print(f"expo-bot review: invalid limit {limit}: it must be at least 1", file=sys.stderr)
        return 2
    if isinstance(settings.db, Path) and not settings.db.exists():  # a SQLite file not made yet
        report = build_report([], Stats.empty(start), since=start, limit=limit, generated=now)
    else:
        try:
            with EventLog.connect(settings.db, salt=settings.salt) as log:
                report = review(log, start, limit, include_ignored=include_ignored)
        except EventLogError as exc:
            print(f"expo-bot review: {exc}", file=sys.stderr)
            return 1
    if report.empty:
        # Say where it looked: an empty report from the wrong database reads like a quiet week.
        empty = EMPTY_MESSAGE.format(window=_window(report), where=where_of(settings.db))
        print(empty, file=sys.stderr if as_json else sys.stdout)  # JSON keeps stdout parseable
    if as_json:
        _print_json(report)
    elif not report.empty:
        print(render_text(report))
    return 0


def where_of(db: Location) -> str:
    """The event store as the reader can find it: a SQLite file's absolute path, or the
    PostgreSQL URL without its password."""
    return str(db.resolve()) if isinstance(db, Path) else str(db)


def _print_json(report: ReviewReport) -> None:
    print(json.dumps(to_json(report), ensure_ascii=False, indent=2))
