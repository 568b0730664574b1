"""Scoring the bot on labelled question files, and calibrating the matcher's thresholds on them.

A question file is YAML with `cases: [{kind, q, expect}]` (see `../shared/eval/dev-questions.yaml`).
`expect: null` means the bot must not answer; otherwise every group in `expect` must appear in the
answer text (a group that is a list passes when any alternative appears).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.matcher import Candidate, Matcher, Thresholds, blend, decide, viable
from bot.replies import Responder

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


@dataclass(frozen=True)
class KindSummary:
    kind: str
    total: int
    correct: int
    wrong_answer: int
    wrong_refusal: int

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 1.0


class CaseFileError(ValueError):
    """A question file that cannot be read or has the wrong shape."""


def load_cases(path: Path) -> list[Case]:
    """Read a question file; raise CaseFileError with a one-line reason if it is malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CaseFileError(f"{path}: {exc}".splitlines()[0]) from exc
    raw = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise CaseFileError(f"{path}: expected a top-level 'cases:' list")
    cases = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise CaseFileError(f"{path}: case {i} needs a text 'q'")
        expect = item.get("expect")
        groups = None
        if expect is not None:
            groups = tuple(
                tuple(str(a) for a in g) if isinstance(g, list) else (str(g),) for g in expect
            )
        cases.append(Case(str(item.get("kind", "?")), item["q"], groups))
    return cases


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


def _comparable(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
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


def evaluate(responder: Responder, cases: Iterable[Case]) -> list[Result]:
    """Ask every case and judge the replies."""
    results = []
    for case in cases:
        reply = responder.reply(case.question)
        outcome = judge(case, reply.matched, reply.answer)
        results.append(Result(case, outcome, reply.entry_id, reply.answer, reply.score))
    return results


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
        )
        for kind, rs in groups
        if rs
    ]


def render_text(results: Sequence[Result]) -> str:
    """The human report: a per-kind table, then every failure."""
    lines = [f"{'kind':<13}{'total':>6}{'correct':>9}{'wrong':>7}{'refused':>9}{'rate':>8}"]
    for s in summarise(results):
        lines.append(
            f"{s.kind:<13}{s.total:>6}{s.correct:>9}{s.wrong_answer:>7}{s.wrong_refusal:>9}"
            f"{s.rate:>8.1%}"
        )
    failures = [r for r in results if r.outcome != "correct"]
    if failures:
        lines.append("")
        lines.append(f"failures ({len(failures)}):")
        for r in failures:
            label = "WRONG ANSWER" if r.outcome == "wrong_answer" else "REFUSED"
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


# --- calibration ----------------------------------------------------------------------------------

GRID: dict[str, Sequence[float]] = {
    "fuzzy_weight": (0.4, 0.5, 0.6),
    "dice_weight": (0.25, 0.5, 0.75),
    "answer": tuple(float(x) for x in range(40, 88, 3)),
    "margin": (0.0, 3.0, 6.0),
    "conflict": (0.2, 0.35, 0.5),
    "unanchored": (0.0, 8.0, 16.0),
    "novelty": (0.7, 0.8, 0.9, 1.0),
}
# Questions that must not be answered must also stay unanswered with the answer threshold this
# much lower, so the calibrated setting keeps a safety margin for questions it has never seen.
SAFETY = 3.0


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    correct: int
    wrong_answers: int
    total: int
    tied: int


def calibrate(matcher: Matcher, cases: Sequence[Case]) -> Calibration:
    """Grid-search the thresholds: fewest wrong answers first, then most correct replies.

    Among equally good settings the median answer threshold is taken, to stay away from both
    edges of the feasible range. Candidate features are computed once; only the decision varies.
    """
    features: list[tuple[Case, tuple[Candidate, ...], str]] = []
    for case in cases:
        match = matcher.match(case.question, limit=8)
        if match.decision in ("answer", "ambiguous", "refuse"):
            features.append((case, match.candidates, match.lang))
        else:
            features.append((case, (), match.lang))
    answers = {
        (e.id, lang): e.answer(lang) for e in matcher.knowledge.entries for lang in ("zh", "en")
    }
    scored: list[tuple[int, int, Thresholds]] = []
    for fw, dw in itertools.product(GRID["fuzzy_weight"], GRID["dice_weight"]):
        base = replace(matcher.thresholds, fuzzy_weight=fw, dice_weight=dw)
        rescored = [
            sorted(
                (replace(c, score=blend(c.fuzzy, c.coverage, c.dice, base)) for c in candidates),
                key=lambda c: c.score,
                reverse=True,
            )
            for _, candidates, _ in features
        ]
        inner = ("answer", "margin", "conflict", "unanchored", "novelty")
        for values in itertools.product(*(GRID[k] for k in inner)):
            th = replace(base, **dict(zip(inner, values, strict=True)))
            wrong = correct = 0
            safe = replace(th, answer=th.answer - SAFETY)
            for (case, _, lang), ranked in zip(features, rescored, strict=True):
                strict = case.expect is None and bool(ranked) and decide(ranked, safe) == "answer"
                matched = bool(ranked) and decide(ranked, th) == "answer"
                if strict and not matched:
                    wrong += 1
                    continue
                best = viable(ranked, th)[0] if matched else None
                answer = answers.get((best.entry_id, lang), "") if best else ""
                outcome = judge(case, matched, answer)
                wrong += outcome == "wrong_answer"
                correct += outcome == "correct"
            scored.append((wrong, -correct, th))
    best_key = min((w, c) for w, c, _ in scored)
    ties = [th for w, c, th in scored if (w, c) == best_key]
    ties.sort(key=lambda th: (th.answer, th.margin, th.conflict, th.fuzzy_weight))
    chosen = ties[len(ties) // 2]
    return Calibration(chosen, -best_key[1], best_key[0], len(cases), len(ties))


def write_thresholds(th: Thresholds, path: Path) -> None:
    """Save calibrated thresholds next to the FAQ, where the matcher picks them up."""
    lines = [
        "# Written by `expo-bot eval --calibrate --write`; rerun it after editing the FAQ.",
        *(f"{name}: {getattr(th, name)}" for name in Thresholds.__dataclass_fields__),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
