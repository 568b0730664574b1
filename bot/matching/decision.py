"""The decision: answer, give an honest partial reply, ask "did you mean", or refuse.

The rankers say which entries are closest; this module says whether the closest one answers the
question. Guards come first and hold whatever the scores say:
- a keyword of other entries that the candidate lacks (`conflict`) rules it out;
- so does a kind of question it never answers (`unanswered`: where, when, who, how many…);
- and so does the most telling word of the question it lacks, when that word is in neither its
  text nor its source (`novelty_source` at or above `Thresholds.novelty`).

Among what remains, a logistic model over the best candidate's features (`FEATURES`, weights keyed
by name in `calibration.yaml`) gives the probability that answering is right. Below the calibrated
confidence, the bot asks "did you mean"; when the closest entry is clearly the topic but the
question asks for a detail it does not give, the reply is partial: what the briefing does say.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

Decision = Literal["answer", "partial", "ambiguous", "refuse", "out_of_scope", "empty"]
#: One regression tree of the confidence model: nodes `(feature, threshold, left, right)` (go left
#: when the feature is at most the threshold) and leaves `(value,)`; node 0 is the root.
Node = tuple[str, float, int, int] | tuple[float]
Tree = tuple[Node, ...]

CALIBRATION_FILE = "calibration.yaml"
LEAD_SCALE = 40.0  # score points of lead that count as a full lead
PARTIAL_CONFLICT = 0.2  # most of the question's keyword weight a partial reply's topic may lack
PARTIAL_RIVAL = 15.0  # score points within which an entry that answers rules a partial reply out

#: The inputs of the confidence model, each about 0–1 (leads −1–1); see `features`.
FEATURES = (
    "fuzzy",
    "coverage",
    "dice",
    "novelty",
    "novelty_source",
    "word_coverage",
    "anchored",
    "lexical",
    "lexical_lead",
    "semantic",
    "semantic_lead",
    "agree",
    "score",
    "lead",
    "answer_use",
    "source_use",
    "answer_e5",
    "source_e5",
)


@dataclass(frozen=True)
class Candidate:
    """How well one entry fits the question, by each ranker, and how sure the model is."""

    entry_id: str
    score: float  # the fused ranking score, 0–100
    fuzzy: float
    coverage: float
    dice: float
    conflict: float  # share of the question's keyword weight that belongs to other entries
    variant: str  # the closest variant, in matching form
    anchored: bool = True  # the question names one of the entry's keywords
    novelty: float = 0.0  # weight of the most telling question word the entry lacks, 0–1
    novelty_source: float = 0.0  # the same, counting the words of its source passage too
    missing: str = ""  # a noun of the question the briefing does not say around its source
    unanswered: tuple[str, ...] = ()  # kinds the question asks that the entry never answers
    unstated: tuple[str, ...] = ()  # of those, the kinds its answer states no fact of either
    word_coverage: float = 1.0  # share of the question's content-word weight the entry says
    lacks_words: bool = False  # too few of the question's content words are known to it
    lexical: float = 0.0  # the lexical ranker's score, 0–100
    semantic: float = 0.0  # the semantic ranker's fused similarity, 0–100 (0 when it is off)
    cosines: tuple[float, ...] = ()  # each model's best cosine with the entry's texts
    fits: tuple[tuple[str, float], ...] = ()  # how its answer and source suit the question
    confidence: float = 0.0  # modelled probability that answering with it is right


@dataclass(frozen=True)
class Partial:
    """The closest entry is the topic, but the question asks for something it does not give."""

    entry_id: str
    word: str = ""  # the telling word it lacks, as typed
    kinds: tuple[str, ...] = ()  # or the kinds of question it never answers


def _weights(raw: object, default: Mapping[str, float]) -> dict[str, float]:
    """Feature weights by name; unknown names are ignored, missing ones weigh nothing."""
    if not isinstance(raw, Mapping):
        return dict(default)
    return {str(k): float(v) for k, v in raw.items() if str(k) in FEATURES and _number(v)}


LEXICAL_WEIGHTS: Mapping[str, float] = {
    "fuzzy": 4.1,
    "coverage": 0.6,
    "dice": 2.1,
    "novelty": -1.5,
    "novelty_source": -1.5,
    "anchored": 1.2,
    "lead": 0.1,
    "score": 3.0,
}


@dataclass(frozen=True)
class Thresholds:
    """The knobs of the decision for one mode of matching, written by `eval --calibrate`.

    Answering needs a viable best candidate, a confidence of at least `confidence` and a lead of
    `margin` score points over the runner-up; otherwise close candidates become "did you mean".
    """

    conflict: float = 0.2  # maximum share of the question's keywords that belong elsewhere
    novelty: float = 1.01  # novelty_source at which the missing word alone rules a candidate out
    margin: float = 0.0  # minimum lead in score over the runner-up entry
    confidence: float = 0.7  # minimum modelled probability that the answer is right
    partial: float = 0.6  # the same for the topic of a partial reply, the detail set aside
    suggest: float = 35.0  # minimum score for an entry to be offered as a suggestion
    near: float = 55.0  # minimum score for "did you mean"
    fuzzy_weight: float = 0.6  # lexical score: fuzzy similarity vs. weighted term overlap
    dice_weight: float = 0.5  # within term overlap: the closest variant vs. the whole entry
    lexical_weight: float = 0.33  # fused score: lexical vs. semantic ranker
    models: tuple[str, ...] = ()  # the semantic models these numbers were fitted with
    model_weights: tuple[float, ...] = ()  # their shares of the semantic similarity
    weights: Mapping[str, float] = field(default_factory=lambda: dict(LEXICAL_WEIGHTS))
    trees: tuple[Tree, ...] = ()  # gradient-boosted trees over the features, added to the weights
    bias: float = -6.5

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Thresholds:
        """Thresholds from a calibration section; defaults where a key is missing or malformed."""
        base = cls()
        known: dict[str, Any] = {}
        for key, value in data.items():
            if key == "weights":
                known[key] = _weights(value, base.weights)
            elif key == "models" and isinstance(value, list):
                known[key] = tuple(str(v) for v in value)
            elif key == "trees":
                known[key] = _trees(value)
            elif key == "model_weights" and isinstance(value, list):
                known[key] = tuple(float(v) for v in value if isinstance(v, int | float))
            elif key in cls.__dataclass_fields__ and isinstance(value, int | float):
                known[key] = float(value)
        return replace(base, **known)

    def to_mapping(self) -> dict[str, Any]:
        """The calibration section for these thresholds."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "trees":
                value = [[list(node) for node in tree] for tree in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = {k: value[k] for k in FEATURES if k in value}
            out[name] = value
        return out

    def probability(self, features: Mapping[str, float]) -> float:
        """The modelled probability that answering with these features is right."""
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        z += sum(tree_value(tree, features) for tree in self.trees)
        return logistic(z)


def tree_value(tree: Tree, features: Mapping[str, float]) -> float:
    """The leaf value a tree gives these features."""
    node = tree[0]
    while len(node) == 4:
        name, threshold, left, right = node
        node = tree[left if features.get(name, 0.0) <= threshold else right]
    return node[0]


def _trees(raw: object) -> tuple[Tree, ...]:
    """Trees from a calibration file (a list, or JSON lines); none at all if any is malformed."""
    if isinstance(raw, str):
        try:
            raw = [json.loads(line) for line in raw.splitlines() if line.strip()]
        except ValueError:
            return ()
    if not isinstance(raw, list):
        return ()
    trees: list[Tree] = []
    for tree in raw:
        if not isinstance(tree, list) or not tree:
            return ()
        nodes: list[Node] = []
        for at, node in enumerate(tree):
            if isinstance(node, list) and len(node) == 1 and _number(node[0]):
                nodes.append((float(node[0]),))
            elif (
                isinstance(node, list)
                and len(node) == 4
                and node[0] in FEATURES
                and _number(node[1])
                # Children come after their parent, so evaluating always reaches a leaf.
                and all(isinstance(i, int) and at < i < len(tree) for i in node[2:])
            ):
                nodes.append((str(node[0]), float(node[1]), int(node[2]), int(node[3])))
            else:
                return ()
        trees.append(tuple(nodes))
    return tuple(trees)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def logistic(z: float) -> float:
    """1 / (1 + e^-z), safe for any z."""
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Calibration:
    """The thresholds for matching with the semantic ranker and without it (lexical only)."""

    semantic: Thresholds
    lexical: Thresholds

    @classmethod
    def load(cls, path: Path) -> Calibration:
        """The calibration file next to the FAQ; defaults where it or a section is missing."""
        try:
            # libyaml when PyYAML has it: the trees are thousands of nodes.
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        except (OSError, yaml.YAMLError):
            data = {}
        if not isinstance(data, Mapping):
            data = {}
        sections = {
            name: Thresholds.from_mapping(data[name])
            for name in ("semantic", "lexical")
            if isinstance(data.get(name), Mapping)
        }
        lexical = sections.get("lexical", Thresholds())
        return cls(semantic=sections.get("semantic", lexical), lexical=lexical)

    def for_models(self, models: Sequence[str]) -> Thresholds:
        """The thresholds fitted for these semantic models; lexical ones if none are running."""
        return self.semantic if models and tuple(models) == self.semantic.models else self.lexical


# --- features and decision ------------------------------------------------------------------


def _lead(value: float, others: Sequence[float]) -> float:
    return max(-1.0, min(1.0, (value - max(others, default=0.0)) / LEAD_SCALE))


def features(best: Candidate, others: Sequence[Candidate], runner_up: float) -> dict[str, float]:
    """The inputs of the confidence model for the best candidate.

    `others` are the other candidates, whose best lexical and semantic scores set the leads;
    `runner_up` is the score of the best other viable one.
    """
    lexical_lead = _lead(best.lexical, [c.lexical for c in others])
    semantic_lead = _lead(best.semantic, [c.semantic for c in others])
    return {
        "fuzzy": best.fuzzy / 100,
        "coverage": best.coverage,
        "dice": best.dice,
        "novelty": best.novelty,
        "novelty_source": best.novelty_source,
        "word_coverage": best.word_coverage,
        "anchored": 1.0 if best.anchored else 0.0,
        "lexical": best.lexical / 100,
        "lexical_lead": lexical_lead,
        "semantic": best.semantic / 100,
        "semantic_lead": semantic_lead,
        "agree": 1.0 if lexical_lead > 0 and semantic_lead > 0 else 0.0,
        "score": best.score / 100,
        "lead": max(0.0, _lead(best.score, [runner_up])),
        **dict(best.fits),
    }


def viable(candidates: Sequence[Candidate], th: Thresholds) -> list[Candidate]:
    """Candidates no guard rules out."""
    return [
        c
        for c in candidates
        if c.conflict <= th.conflict and not c.unanswered and c.novelty_source < th.novelty
    ]


def with_confidence(candidates: Sequence[Candidate], th: Thresholds) -> list[Candidate]:
    """The candidates ranked by score, viable ones first, the best one with its confidence."""
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    ok = viable(ranked, th)
    rest = [c for c in ranked if c not in ok]
    if ok:
        runner_up = ok[1].score if len(ok) > 1 else 0.0
        others = [c for c in ranked if c is not ok[0]]
        p = th.probability(features(ok[0], others, runner_up))
        ok[0] = replace(ok[0], confidence=round(p, 3))
    return ok + rest


def decide(candidates: Sequence[Candidate], th: Thresholds) -> Decision:
    """Answer, partial, "did you mean", or refuse, given candidates from `with_confidence`."""
    best = candidates[0] if candidates else None
    if best is not None and best in viable([best], th):
        runner_up = max((c.score for c in viable(candidates[1:], th)), default=0.0)
        if best.confidence >= th.confidence and best.score - runner_up >= th.margin:
            return "answer"
    if partial(candidates, th) is not None:
        return "partial"
    return "ambiguous" if close_calls(candidates, th) else "refuse"


def partial(candidates: Sequence[Candidate], th: Thresholds) -> Partial | None:
    """The topic the question is clearly about, if a guard on a detail is all that stops it.

    The closest candidate not about another entry's keyword is the topic when the model would
    answer with it had the question not asked for that detail: a kind of answer it never gives
    (the hall of a pavilion whose hall is not stated), or a telling word it lacks (奖金).
    """
    # Stricter than answering: a partial reply names its topic, so it must name none of another
    # entry's keywords (中科院专馆在几号馆 is not about the MOFCOM pavilion, whose hall is given).
    topical = [c for c in candidates if c.conflict <= min(th.conflict, PARTIAL_CONFLICT)]
    if not topical:
        return None
    topic = max(topical, key=lambda c: c.score)
    if topic.confidence >= th.confidence and not topic.unanswered:
        return None  # it answers; nothing is missing
    # Only on evidence: a kind of fact its answer does not state either (a list of names is
    # "which"), or a noun of the question that not even the transcript around its source says,
    # in a question too few of whose content words it knows.
    word = topic.missing if topic.lacks_words else ""
    if not (topic.unstated or word):
        return None
    others = [c for c in candidates if c is not topic]
    # "The briefing doesn't say where" is false when a close entry says it, knowing every word
    # the topic knows: 通报会在哪个厅开的 is about the venue, however near the time comes. (Not
    # 中科院专馆在几号馆, which the MOFCOM pavilion's hall does not answer: it lacks 中科院.)
    if any(
        c.score >= topic.score - PARTIAL_RIVAL
        and not c.lacks_words
        and c.novelty_source <= topic.novelty_source
        for c in viable(others, th)
    ):
        return None
    runner_up = max((c.score for c in viable(others, th)), default=0.0)
    plain = replace(topic, novelty=0.0, novelty_source=0.0, word_coverage=1.0)
    if th.probability(features(plain, others, runner_up)) < th.partial:
        return None
    return Partial(topic.entry_id, word, topic.unstated)


def close_calls(candidates: Sequence[Candidate], th: Thresholds) -> tuple[Candidate, ...]:
    """Up to three viable candidates plausible enough to offer as "did you mean"."""
    near = [c for c in viable(candidates, th)[:3] if c.score >= th.near]
    return tuple(c for c in near if c.score >= near[0].score - 15) if near else ()


def worth_suggesting(candidates: Sequence[Candidate], th: Thresholds) -> tuple[Candidate, ...]:
    """The candidates that score enough to be offered at all, in order."""
    return tuple(c for c in candidates if c.score >= th.suggest)


def closest(
    candidates: Sequence[Candidate], th: Thresholds, count: int = 3
) -> tuple[Candidate, ...]:
    """Up to `count` entries to offer a question that is not answered outright: the close calls,
    then the others that score enough, those fewer guards set aside first.

    A guard or two still leaves an entry a reader can use: 高交会什么时候开幕? is not answered by
    the closing date (开幕 is not 闭幕) nor by the duration (it gives no date), but the two
    together tell when it opened, and they come before entries that more guards set aside.
    """
    close = list(close_calls(candidates, th))
    others = [c for c in worth_suggesting(candidates, th) if c not in close]
    others.sort(key=lambda c: (_guards(c, th), -c.score))
    return tuple((close + others)[:count])


def _guards(c: Candidate, th: Thresholds) -> int:
    """How many guards rule a candidate out."""
    return (c.conflict > th.conflict) + bool(c.unanswered) + (c.novelty_source >= th.novelty)


@dataclass(frozen=True)
class Explanation:
    """What the confidence model sees in one candidate, as if it were the best (`chat --debug`)."""

    candidate: Candidate
    viable: bool
    features: dict[str, float]
    probability: float


def explain(candidates: Sequence[Candidate], th: Thresholds) -> list[Explanation]:
    """Each candidate's features and modelled probability, in the order given."""
    out = []
    for c in candidates:
        others = [o for o in candidates if o is not c]
        runner_up = max((o.score for o in viable(others, th)), default=0.0)
        found = features(c, others, runner_up)
        out.append(Explanation(c, bool(viable([c], th)), found, th.probability(found)))
    return out
