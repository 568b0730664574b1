"""Scoring the bot on labelled question files, and calibrating the matcher's thresholds on them.

A question file is YAML with `cases: [{kind, q, expect}]` (see `../shared/eval/dev-questions.yaml`).
`expect: null` means the bot must not answer; otherwise every group in `expect` must appear in the
answer text (a group that is a list passes when any alternative appears).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.matching import calibration
from bot.matching.decision import FEATURES, Thresholds
from bot.matching.matcher import Matcher
from bot.replies import Reply, Responder
from bot.text import fold

Outcome = Literal["correct", "wrong_answer", "wrong_refusal"]
OUT_KINDS = frozenset({"out", "near"})


@dataclass(frozen=True)
class Case:
    kind: str
    question: str
    expect: tuple[tuple[str, ...], ...] | None


@dataclass(frozen=True)
class Result:
    case: Case
    outcome: Outcome
    entry_id: str | None
    answer: str
    score: float
    suggested: bool = False  # refused, but a suggestion offered would have answered it


@dataclass(frozen=True)
class KindSummary:
    kind: str
    total: int
    correct: int
    wrong_answer: int
    wrong_refusal: int
    suggested: int = 0

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 1.0


class CaseFileError(ValueError):
    """A question file that cannot be read or has the wrong shape."""


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CaseFileError(f"{path}: {exc}".splitlines()[0]) from exc


def _case(item: Any, kind: str, where: str) -> Case:
    if not isinstance(item, dict) or not isinstance(item.get("q"), str):
        raise CaseFileError(f"{where} needs a text 'q'")
    expect = item.get("expect")
    groups = None
    if expect is not None:
        groups = tuple(
            tuple(str(a) for a in g) if isinstance(g, list) else (str(g),) for g in expect
        )
    return Case(str(item.get("kind", kind)), item["q"], groups)


def load_cases(path: Path) -> list[Case]:
    """Read a question file; raise CaseFileError with a one-line reason if it is malformed."""
    data = _read(path)
    raw = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise CaseFileError(f"{path}: expected a top-level 'cases:' list")
    return [_case(item, "?", f"{path}: case {i}") for i, item in enumerate(raw)]


def is_conversations(path: Path) -> bool:
    """Whether a question file holds conversations (`conversations:`) rather than `cases:`."""
    data = _read(path)
    return isinstance(data, dict) and "conversations" in data


def load_conversations(path: Path) -> list[list[Case]]:
    """Read a conversations file: `conversations: [{kind, turns: [{q, expect}]}]`."""
    data = _read(path)
    raw = data.get("conversations") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise CaseFileError(f"{path}: expected a top-level 'conversations:' list")
    out = []
    for i, conversation in enumerate(raw):
        turns = conversation.get("turns") if isinstance(conversation, dict) else None
        if not isinstance(turns, list) or not turns:
            raise CaseFileError(f"{path}: conversation {i} needs a list of 'turns'")
        kind = str(conversation.get("kind", "?"))
        out.append(
            [_case(t, kind, f"{path}: conversation {i}, turn {j}") for j, t in enumerate(turns)]
        )
    return out


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


def _comparable(text: str) -> str:
    # Read in Simplified: a Taiwan-form answer (智慧財產權, 電視臺) says what 知识产权 says.
    text = fold(text)
    return "".join(_THOUSANDS.sub("", text).split())


def judge(case: Case, matched: bool, answer: str) -> Outcome:
    """Whether a reply to a case is right, a wrong answer, or a wrong refusal."""
    if case.expect is None:
        return "wrong_answer" if matched else "correct"
    if not matched:
        return "wrong_refusal"
    text = _comparable(answer)
    ok = all(any(_comparable(alt) in text for alt in group) for group in case.expect)
    return "correct" if ok else "wrong_answer"


def judge_reply(case: Case, reply: Reply) -> Outcome:
    """`judge` of a reply. A reply to several questions that answers only some of them is
    judged on what it answers: right on some expected facts and silent on the others is not a
    wrong answer, only not a whole one (a wrong refusal); right on none of them is wrong."""
    text = " ".join(p.answer for p in reply.answered)
    outcome = judge(case, reply.matched, text)
    if outcome != "wrong_answer" or case.expect is None or len(reply.answered) == len(reply.parts):
        return outcome
    said = _comparable(text)
    some = any(any(_comparable(alt) in said for alt in group) for group in case.expect)
    return "wrong_refusal" if some else outcome


def reply_text(reply: Reply) -> str:
    """What a reply answers: every part's answer, for a message of several questions."""
    return " ".join(p.answer for p in reply.answered) or reply.answer


def evaluate(responder: Responder, cases: Iterable[Case]) -> list[Result]:
    """Ask every case and judge the replies."""
    from bot.conversation import reply_in_context

    results = []
    for case in cases:
        reply = reply_in_context(responder, case.question, None)
        outcome = judge_reply(case, reply)
        suggested = outcome == "wrong_refusal" and any(
            (chosen := responder.reply_for_entry(entry_id, reply.lang)) is not None
            and judge(case, True, chosen.answer) == "correct"
            for entry_id in offered(reply)
        )
        results.append(
            Result(case, outcome, reply.entry_id, reply_text(reply), reply.score, suggested)
        )
    return results


def offered(reply: Reply) -> list[str]:
    """The entries a reply that is not an answer puts one tap (or no tap) away."""
    shown = [reply.entry_id] if reply.kind == "partial" and reply.entry_id else []
    if reply.suggestion_kind in ("did_you_mean", "closest"):
        shown += [s.id for s in reply.suggestions]
    return shown


def summarise(results: Sequence[Result]) -> list[KindSummary]:
    """Per-kind counts, in the order kinds first appear, plus totals for in- and out-of-scope."""
    kinds = list(dict.fromkeys(r.case.kind for r in results))
    groups = [(k, [r for r in results if r.case.kind == k]) for k in kinds]
    groups.append(("in-scope", [r for r in results if r.case.expect is not None]))
    groups.append(("out-of-scope", [r for r in results if r.case.expect is None]))
    return [
        KindSummary(
            kind,
            len(rs),
            sum(r.outcome == "correct" for r in rs),
            sum(r.outcome == "wrong_answer" for r in rs),
            sum(r.outcome == "wrong_refusal" for r in rs),
            sum(r.suggested for r in rs),
        )
        for kind, rs in groups
        if rs
    ]


def render_text(results: Sequence[Result]) -> str:
    """The human report: a per-kind table, then every failure."""
    lines = [
        f"{'kind':<13}{'total':>6}{'correct':>9}{'wrong':>7}{'refused':>9}{'rate':>8}"
        f"{'suggested':>11}"
    ]
    for s in summarise(results):
        lines.append(
            f"{s.kind:<13}{s.total:>6}{s.correct:>9}{s.wrong_answer:>7}{s.wrong_refusal:>9}"
            f"{s.rate:>8.1%}{s.suggested:>11}"
        )
    lines.append("(suggested: not answered, but an entry offered, or shown in part, answers it)")
    failures = [r for r in results if r.outcome != "correct"]
    if failures:
        lines.append("")
        lines.append(f"failures ({len(failures)}):")
        for r in failures:
            label = "WRONG ANSWER" if r.outcome == "wrong_answer" else "REFUSED"
            label += " (suggested)" if r.suggested else ""
            lines.append(
                f"  [{r.case.kind}] {label} {r.case.question!r} -> {r.entry_id} "
                f"({r.score:.1f}) expect={_show_expect(r.case)}"
            )
    return "\n".join(lines)


def _show_expect(case: Case) -> str:
    if case.expect is None:
        return "no answer"
    return " & ".join("|".join(g) for g in case.expect)


def to_json(results: Sequence[Result]) -> dict[str, Any]:
    return {
        "summary": [
            {
                "kind": s.kind,
                "total": s.total,
                "correct": s.correct,
                "wrong_answer": s.wrong_answer,
                "wrong_refusal": s.wrong_refusal,
            }
            for s in summarise(results)
        ],
        "failures": [
            {
                "kind": r.case.kind,
                "q": r.case.question,
                "outcome": r.outcome,
                "id": r.entry_id,
                "score": r.score,
            }
            for r in results
            if r.outcome != "correct"
        ],
    }


# --- conversations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnResult:
    """One turn of a conversation, judged."""

    conversation: int
    turn: int  # 0 for the opening question
    result: Result
    understood: str


def evaluate_conversations(
    responder: Responder, conversations: Sequence[Sequence[Case]]
) -> list[TurnResult]:
    """Ask each conversation's turns in order, each read in the light of the one before."""
    from bot.conversation import reply_in_context, turn_of

    out = []
    for c, turns in enumerate(conversations):
        last = None
        for t, case in enumerate(turns):
            reply = reply_in_context(responder, case.question, last)
            last = turn_of(responder, reply)
            outcome = judge_reply(case, reply)
            result = Result(case, outcome, reply.entry_id, reply_text(reply), reply.score)
            out.append(TurnResult(c, t, result, reply.understood))
    return out


def render_conversations(results: Sequence[TurnResult]) -> str:
    """Opening questions and follow-ups, answerable and not, counted apart; every failure."""
    lines = [f"{'turns':<26}{'total':>6}{'correct':>9}{'wrong':>7}{'refused':>9}{'rate':>8}"]
    groups = (
        ("opening questions", [r for r in results if r.turn == 0]),
        ("follow-ups, answerable", [r for r in results if r.turn and r.result.case.expect]),
        ("follow-ups, not covered", [r for r in results if r.turn and not r.result.case.expect]),
    )
    for label, rs in groups:
        correct = sum(r.result.outcome == "correct" for r in rs)
        wrong = sum(r.result.outcome == "wrong_answer" for r in rs)
        refused = sum(r.result.outcome == "wrong_refusal" for r in rs)
        rate = correct / len(rs) if rs else 1.0
        lines.append(f"{label:<26}{len(rs):>6}{correct:>9}{wrong:>7}{refused:>9}{rate:>8.1%}")
    failures = [r for r in results if r.result.outcome != "correct"]
    if failures:
        lines += ["", f"failures ({len(failures)}):"]
        for r in failures:
            label = "WRONG ANSWER" if r.result.outcome == "wrong_answer" else "REFUSED"
            read = f" (read as {r.understood!r})" if r.understood else ""
            lines.append(
                f"  #{r.conversation} turn {r.turn} {label} {r.result.case.question!r}{read} -> "
                f"{r.result.entry_id} expect={_show_expect(r.result.case)}"
            )
    return "\n".join(lines)


# --- calibration ----------------------------------------------------------------------------------


def calibrate(matcher: Matcher, cases: Sequence[Case]) -> calibration.Result:
    """Fit the confidence model and thresholds of the matcher's mode on labelled questions."""
    asked = calibration.ask(
        matcher,
        [(case.question, functools.partial(_right, case), case.expect is None) for case in cases],
    )
    return calibration.calibrate(matcher, [*asked, *calibration.paraphrases(matcher)])


def _right(case: Case, answer: str) -> bool:
    return judge(case, True, answer) == "correct"


def write_calibration(th: Thresholds, path: Path) -> str:
    """Save thresholds as the section of their mode (semantic or lexical), keeping the other."""
    section = "semantic" if th.models else "lexical"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    except (OSError, yaml.YAMLError):
        data = {}
    kept: dict[str, dict[str, Any]] = {
        name: Thresholds.from_mapping(data[name]).to_mapping()
        for name in ("semantic", "lexical")
        if isinstance(data, dict) and isinstance(data.get(name), dict)
    }
    kept[section] = th.to_mapping()
    head = (
        "# Written by `expo-bot eval --calibrate --write`; rerun it after editing the FAQ.\n"
        "# semantic: the thresholds and confidence model used with the embedding models listed;\n"
        "# lexical: those used when the semantic ranker is off. Trees, one a line: [feature,\n"
        "# threshold, left, right] nodes and [value] leaves, over the features\n"
        f"# {', '.join(FEATURES)}.\n"
    )
    body = "".join(_section(name, kept[name]) for name in ("semantic", "lexical") if name in kept)
    path.write_text(head + body, encoding="utf-8")
    return section


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _section(name: str, values: dict[str, Any]) -> str:
    """One section of the calibration file, its trees one JSON line each (quick to read)."""
    trees = values.get("trees") or []
    rest = {k: v for k, v in values.items() if k != "trees"}
    text = yaml.safe_dump(
        {name: rest}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    lines = "".join(f"    {json.dumps(tree, ensure_ascii=False)}\n" for tree in trees)
    return text + ("  trees: |\n" + lines if lines else "  trees: []\n")
