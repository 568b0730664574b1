"""Fitting the confidence model and choosing the thresholds, on labelled questions.

`calibrate(matcher, asked)` tries each setting of the guards (the conflict share, the telling-word
veto) and of the fused score's blend. For each, it:
1. takes the best viable candidate of every question, labelled by whether answering with it would
   be right;
2. fits gradient-boosted trees on their `features` (scikit-learn, a dev extra: only fitting needs
   it), a wrong answer weighing `WRONG_COST` right ones;
3. picks the confidence threshold on out-of-fold probabilities (from trees that never saw the
   question, averaged over `REPEATS` splits): one wrong answer must buy `PRICE_OF_WRONG` right
   ones, and a question that must not be answered must stay unanswered `SAFETY` below the
   threshold too.

The labelled questions are joined by the FAQ's own variants (`paraphrases`): each asked of the
FAQ without it, a right answer at a real paraphrase's distance, and again without its whole
entry, where the entry then ranked first is a natural near-miss. They teach the trees, but the
thresholds are chosen on the labelled questions alone, which strangers wrote.

The best setting's trees go to `calibration.yaml`, where `Thresholds.probability` evaluates them
with no library at all; the out-of-fold probabilities are computed the same way.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.knowledge import LANGS, Entry
from bot.matching.decision import (
    FEATURES,
    Candidate,
    Thresholds,
    Tree,
    features,
    tree_value,
    viable,
)
from bot.matching.matcher import Matcher
from bot.text import Lang

Judge = Callable[[str], bool]  # whether an answer text is right for the question

CONFLICTS = (0.35, 0.5)
NOVELTIES = (1.01,)  # the telling word alone never rules a candidate out: the trees weigh it
LEXICAL_WEIGHTS = (0.33,)
MARGINS = (0.0, 3.0)
CONFIDENCES = tuple(round(0.3 + 0.01 * i, 2) for i in range(69))
SAFETY = 0.05
# A partial reply names its topic: among answerable questions scoring at least the partial
# threshold, the best candidate must be the right entry this often.
PARTIAL_PRECISION = 0.9
WRONG_COST = 3.0
# The FAQ's variants are paraphrases of each other, closer than a stranger's: they teach the
# trees the shape of a paraphrase, at a fraction of a stranger's question's weight.
GENERATED_WEIGHT = 0.25
PRICE_OF_WRONG = 10
FOLDS = 5
# Cross-validation repeated over different splits, the probabilities averaged: one split's luck
# would otherwise pick among settings that differ by less than it.
REPEATS = 2
TREES, DEPTH, LEARNING_RATE, SUBSAMPLE = 200, 3, 0.05, 0.8


class MissingTrainer(RuntimeError):
    """scikit-learn is not installed (it comes with the dev extras)."""


@dataclass(frozen=True)
class Question:
    """A labelled question as the matcher saw it."""

    candidates: tuple[Candidate, ...]  # ranked; empty when out of scope or empty
    judge: Judge
    lang: Lang
    must_refuse: bool
    generated: bool = False  # one of the FAQ's own variants (`paraphrases`), not a stranger's


@dataclass(frozen=True)
class Result:
    """The chosen thresholds and how they did, out of fold, on the questions."""

    thresholds: Thresholds
    correct: int
    wrong: int
    total: int


@dataclass(frozen=True)
class _Sample:
    features: list[float]
    lead: float
    right: bool
    must_refuse: bool
    generated: bool = False


def ask(matcher: Matcher, cases: Sequence[tuple[str, Judge, bool]]) -> list[Question]:
    """Ask every (question, judge, must_refuse) once, keeping every candidate the matcher saw."""
    out = []
    for text, judge, must_refuse in cases:
        match = matcher.match(text)
        answerable = match.decision not in ("out_of_scope", "empty")
        ranked = tuple(matcher.rank(text, match.normalised)) if answerable else ()
        out.append(Question(ranked, judge, match.lang, must_refuse))
    return out


def paraphrases(matcher: Matcher, folds: int = FOLDS) -> list[Question]:
    """The FAQ's variants as labelled questions, a right and a wrong one each (see the module).

    Each fold leaves out every `folds`-th variant of each entry, builds a matcher without them,
    and asks them of it: the entry answering is right; the best other entry, with the entry's
    own candidate taken out as if it were not in the FAQ, is a near-miss.
    """
    knowledge = matcher.knowledge
    out: list[Question] = []
    for fold in range(folds):
        held: list[tuple[Entry, Lang, str]] = []
        entries = []
        for i, entry in enumerate(knowledge.entries):
            kept: dict[Lang, tuple[str, ...]] = {}
            for lang in LANGS:
                qs = entry.questions[lang]
                out_of_fold = {j for j in range(len(qs)) if (i + j) % folds == fold}
                if len(out_of_fold) >= len(qs):  # every entry keeps a question of each language
                    out_of_fold = set()
                kept[lang] = tuple(q for j, q in enumerate(qs) if j not in out_of_fold)
                held += [(entry, lang, qs[j]) for j in sorted(out_of_fold)]
            entries.append(replace(entry, questions=kept))
        without = Matcher(
            replace(knowledge, entries=tuple(entries)),
            matcher.thresholds,
            models=matcher.models,
            cached=False,
        )
        for entry, lang, text in held:
            match = without.match(text)
            if match.decision in ("out_of_scope", "empty"):
                continue
            ranked = tuple(without.rank(text, match.normalised))
            answer = entry.answer(lang)
            out.append(Question(ranked, answer.__eq__, lang, False, generated=True))
            others = tuple(c for c in ranked if c.entry_id != entry.id)
            out.append(Question(others, _never, lang, True, generated=True))
    return out


def _never(answer: str) -> bool:
    return False


def calibrate(matcher: Matcher, asked: Sequence[Question]) -> Result:
    """The best thresholds and trees for this matcher's mode, fitted on the asked questions."""
    boosting = _boosting()
    answers = {(e.id, lang): e.answer(lang) for e in matcher.knowledge.entries for lang in LANGS}
    models = tuple(m.key for m in matcher.models)
    blends = LEXICAL_WEIGHTS if models else (matcher.thresholds.lexical_weight,)
    labelled = sum(not q.generated for q in asked)
    best: tuple[int, Result] | None = None
    for lexical_weight in blends:
        for conflict in CONFLICTS:
            for novelty in NOVELTIES:
                base = replace(
                    matcher.thresholds,
                    lexical_weight=lexical_weight,
                    conflict=conflict,
                    novelty=novelty,
                    models=models,
                )
                samples = [s for q in asked if (s := _sample(q, base, answers, models)) is not None]
                if len(samples) < 2 * FOLDS or len({s.right for s in samples}) < 2:
                    continue
                gain, result = _choose(boosting, base, samples, labelled)
                if best is None or gain > best[0]:
                    best = (gain, result)
    return best[1] if best is not None else Result(matcher.thresholds, 0, 0, labelled)


def rescored(c: Candidate, th: Thresholds, models: Sequence[str]) -> Candidate:
    """The candidate with its fused score under th's blend of the rankers."""
    if not models:
        return c
    w = th.lexical_weight
    return replace(c, score=round(w * c.lexical + (1 - w) * c.semantic, 2))


def _sample(
    q: Question, th: Thresholds, answers: Mapping[tuple[str, Lang], str], models: Sequence[str]
) -> _Sample | None:
    ranked = sorted((rescored(c, th, models) for c in q.candidates), key=lambda c: -c.score)
    ok = viable(ranked, th)
    if not ok:
        return None
    top = ok[0]
    runner_up = ok[1].score if len(ok) > 1 else 0.0
    found = features(top, [c for c in ranked if c is not top], runner_up)
    right = q.judge(answers.get((top.entry_id, q.lang), ""))
    return _Sample(
        [found.get(n, 0.0) for n in FEATURES],
        top.score - runner_up,
        right,
        q.must_refuse,
        q.generated,
    )


def _choose(
    boosting: Any, base: Thresholds, samples: Sequence[_Sample], total: int
) -> tuple[int, Result]:
    """Thresholds chosen on out-of-fold probabilities of the labelled questions, with trees
    fitted on every sample; generated samples are always among those fitted on."""
    generated = [s for s in samples if s.generated]
    samples = [s for s in samples if not s.generated]
    out_of_fold = [0.0] * len(samples)
    for repeat in range(REPEATS):
        order = list(range(len(samples)))
        random.Random(repeat).shuffle(order)
        for fold in range(FOLDS):
            held = set(order[fold::FOLDS])
            train = [s for i, s in enumerate(samples) if i not in held] + generated
            fitted = _fit(boosting, base, train)
            for i in held:
                found = dict(zip(FEATURES, samples[i].features, strict=True))
                out_of_fold[i] += fitted.probability(found) / REPEATS
    best: tuple[int, int, int, float, float] | None = None  # gain, correct, wrong, margin, conf
    for margin in MARGINS:
        for confidence in CONFIDENCES:
            correct = wrong = 0
            for s, p in zip(samples, out_of_fold, strict=True):
                if s.lead >= margin and p >= confidence - (SAFETY if s.must_refuse else 0.0):
                    wrong += not s.right
                    correct += s.right
            gain = correct - PRICE_OF_WRONG * wrong
            if best is None or gain > best[0]:
                best = (gain, correct, wrong, margin, confidence)
    assert best is not None  # the grids are not empty
    gain, correct, wrong, margin, confidence = best
    partial = _partial_threshold(samples, out_of_fold, confidence)
    th = replace(
        _fit(boosting, base, [*samples, *generated]),
        margin=margin,
        confidence=confidence,
        partial=partial,
    )
    return gain, Result(th, correct, wrong, total)


def _partial_threshold(
    samples: Sequence[_Sample], out_of_fold: Sequence[float], confidence: float
) -> float:
    """The lowest threshold (at most `confidence`) at which the topic is right often enough."""
    answerable = [
        (p, s.right) for s, p in zip(samples, out_of_fold, strict=True) if not s.must_refuse
    ]
    for threshold in CONFIDENCES:
        above = [right for p, right in answerable if p >= threshold]
        if threshold >= confidence or (above and sum(above) / len(above) >= PARTIAL_PRECISION):
            return min(threshold, confidence)
    return confidence


# --- the trees: scikit-learn's gradient boosting, read back as plain `Tree`s --------------------


def _boosting() -> Any:
    try:
        from sklearn.ensemble import GradientBoostingClassifier
    except ImportError as exc:
        raise MissingTrainer(
            "calibrating needs scikit-learn: install the dev extras (pip install -e '.[dev]')"
        ) from exc
    return GradientBoostingClassifier


def _fit(boosting: Any, base: Thresholds, samples: Sequence[_Sample]) -> Thresholds:
    """base with trees fitted on the samples (and no linear weights)."""
    x = [s.features for s in samples]
    model = boosting(
        n_estimators=TREES,
        max_depth=DEPTH,
        learning_rate=LEARNING_RATE,
        subsample=SUBSAMPLE,
        random_state=0,
    ).fit(
        x,
        [int(s.right) for s in samples],
        sample_weight=[
            (1.0 if s.right else WRONG_COST) * (GENERATED_WEIGHT if s.generated else 1.0)
            for s in samples
        ],
    )
    trees = tuple(_tree(est[0].tree_, model.learning_rate) for est in model.estimators_)
    fitted = replace(base, weights={}, trees=trees, bias=0.0)
    # The model's starting log-odds: its raw output less what the trees add.
    first = dict(zip(FEATURES, x[0], strict=True))
    raw = float(model.decision_function(x[:1])[0])
    z = raw - sum(tree_value(t, first) for t in trees)
    return replace(fitted, bias=round(z, 6))


def _tree(tree: Any, rate: float) -> Tree:
    """A fitted scikit-learn regression tree, its leaves scaled by the learning rate."""
    nodes: list[tuple[str, float, int, int] | tuple[float]] = []
    for i in range(tree.node_count):
        left, right = int(tree.children_left[i]), int(tree.children_right[i])
        if left < 0:
            nodes.append((round(float(tree.value[i][0][0]) * rate, 6),))
        else:
            nodes.append(
                (FEATURES[int(tree.feature[i])], round(float(tree.threshold[i]), 6), left, right)
            )
    return tuple(nodes)
