"""Scoring the bot on labelled question files, and calibrating the matcher's thresholds on them.

A question file is YAML with `cases: [{kind, q, expect}]` (see `../shared/eval/dev-questions.yaml`).
`expect: null` means the bot must not answer; otherwise every group in `expect` must appear in the
answer text (a group that is a list passes when any alternative appears).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.matcher import FEATURES, Matcher, Thresholds, viable
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
        suggested = outcome == "wrong_refusal" and any(
            (chosen := responder.reply_for_entry(s.id, reply.lang)) is not None
            and judge(case, True, chosen.answer) == "correct"
            for s in reply.suggestions
            if reply.suggestion_kind in ("did_you_mean", "closest")
        )
        results.append(Result(case, outcome, reply.entry_id, reply.answer, reply.score, suggested))
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
    lines.append("(suggested: refused, but one of the suggestions offered answers it)")
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


# --- calibration ----------------------------------------------------------------------------------

CONFLICTS = (0.2, 0.35, 0.5)
MARGINS = (0.0, 3.0, 6.0)
CONFIDENCES = tuple(round(0.3 + 0.01 * i, 2) for i in range(69))
# A question that must not be answered must stay unanswered at a confidence this much lower too,
# so the calibrated setting keeps a safety margin for near-misses it has never seen.
SAFETY = 0.05
# Answering wrongly is worse than refusing: in training a wrong answer weighs WRONG_COST times a
# right one, and in choosing thresholds one wrong answer must buy PRICE_OF_WRONG right ones.
WRONG_COST = 3.0
PRICE_OF_WRONG = 10


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    correct: int
    wrong_answers: int
    total: int


@dataclass(frozen=True)
class _Sample:
    features: tuple[float, ...]
    lead: float
    right: bool  # answering with the top candidate would be correct
    must_refuse: bool


def train_logistic(
    samples: Sequence[tuple[Sequence[float], bool]], iterations: int = 3000, rate: float = 0.5
) -> tuple[tuple[float, ...], float]:
    """Weights and bias of a logistic model, by gradient descent with a little L2 shrinkage."""
    size = len(samples[0][0]) if samples else len(FEATURES)
    weights, bias = [0.0] * size, 0.0
    for _ in range(iterations):
        grad, grad_bias = [0.0] * size, 0.0
        for x, label in samples:
            z = bias + sum(w * v for w, v in zip(weights, x, strict=True))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            d = (p - label) * (1.0 if label else WRONG_COST)
            grad = [g + d * v for g, v in zip(grad, x, strict=True)]
            grad_bias += d
        n = max(len(samples), 1)
        weights = [w - rate * (g / n + 1e-3 * w) for w, g in zip(weights, grad, strict=True)]
        bias -= rate * grad_bias / n
    return tuple(round(w, 3) for w in weights), round(bias, 3)


def _cross_fit(
    base: Thresholds, samples: Sequence[_Sample], folds: int = 5
) -> tuple[Thresholds, list[float]]:
    """A model averaged over folds, and each sample's probability from the fold that left it out.

    Thresholds picked on those out-of-fold probabilities reflect questions the model was not
    fitted on; averaging the fold models keeps the final model the one those thresholds suit.
    """
    probabilities = [0.0] * len(samples)
    fitted: list[tuple[tuple[float, ...], float]] = []
    for fold in range(folds):
        train = [(s.features, s.right) for i, s in enumerate(samples) if i % folds != fold]
        weights, bias = train_logistic(train)
        fitted.append((weights, bias))
        model = replace(base, weights=weights, bias=bias)
        for i in range(fold, len(samples), folds):
            probabilities[i] = model.probability(samples[i].features)
    weights = tuple(round(sum(w) / folds, 3) for w in zip(*(f[0] for f in fitted), strict=True))
    bias = round(sum(f[1] for f in fitted) / folds, 3)
    return replace(base, weights=weights, bias=bias), probabilities


def calibrate(matcher: Matcher, cases: Sequence[Case]) -> Calibration:
    """Fit the confidence model and pick its thresholds on labelled questions.

    For each conflict veto, a logistic model learns from the best viable candidate's features
    whether answering with it would be right; then the confidence threshold and margin are the
    ones with the fewest wrong answers (with a safety margin), then the most correct ones.
    """
    answers = {
        (e.id, lang): e.answer(lang) for e in matcher.knowledge.entries for lang in ("zh", "en")
    }
    matches = [(case, matcher.match(case.question, limit=10)) for case in cases]
    options: list[tuple[int, int, int, Thresholds]] = []  # gain, wrong, correct, thresholds
    for conflict in CONFLICTS:
        base = replace(matcher.thresholds, conflict=conflict)
        samples: list[_Sample] = []
        for case, match in matches:
            if match.decision in ("out_of_scope", "empty"):
                continue
            ranked = viable(list(match.candidates), base)
            if not ranked:
                continue
            ranked.sort(key=lambda c: c.score, reverse=True)
            runner_up = ranked[1].score if len(ranked) > 1 else 0.0
            top = ranked[0]
            right = judge(case, True, answers.get((top.entry_id, match.lang), "")) == "correct"
            samples.append(
                _Sample(top.features(runner_up), top.score - runner_up, right, case.expect is None)
            )
        # Thresholds are chosen on out-of-fold probabilities: how the model does on questions
        # it was not fitted on, which is what matters for questions nobody has asked yet.
        model, probabilities = _cross_fit(base, samples)
        for margin in MARGINS:
            for confidence in CONFIDENCES:
                wrong = correct = 0
                for sample, p in zip(samples, probabilities, strict=True):
                    if sample.lead < margin:
                        continue
                    floor = confidence - SAFETY if sample.must_refuse else confidence
                    if p >= floor:
                        wrong += not sample.right
                        correct += sample.right
                th = replace(model, margin=margin, confidence=confidence)
                options.append((correct - PRICE_OF_WRONG * wrong, wrong, correct, th))
    if not options:
        return Calibration(matcher.thresholds, 0, 0, len(cases))
    _, wrong, correct, th = max(options, key=lambda o: o[0])
    refusals = sum(1 for case, _ in matches if case.expect is None)
    return Calibration(th, correct + refusals - wrong, wrong, len(cases))


def write_thresholds(th: Thresholds, path: Path) -> None:
    """Save calibrated thresholds next to the FAQ, where the matcher picks them up."""
    lines = [
        "# Written by `expo-bot eval --calibrate --write`; rerun it after editing the FAQ.",
        f"# weights are for the features {', '.join(FEATURES)}.",
    ]
    for name in Thresholds.__dataclass_fields__:
        value = getattr(th, name)
        lines.append(f"{name}: {list(value) if isinstance(value, tuple) else value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
