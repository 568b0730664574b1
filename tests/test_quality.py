"""The bot's quality on labelled questions, in both modes: never a wrong answer, and how many.

The held-out files were written by people who never saw the FAQ's question variants; they
measure generalisation and must never be copied into the FAQ or used for calibration. The floors
are what the bot does now (see the README's Quality section), so a change that answers fewer, or
any wrong answer, fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import KindSummary, evaluate, load_cases, summarise
from bot.matching.matcher import Matcher
from bot.replies import Responder
from tests.conftest import DATA, DEV_SET

HELD_OUT = DATA / "heldout-questions.yaml"
HELD_OUT_2 = DATA / "heldout-questions-2.yaml"

# (in-scope answered right, answered or one tap away), at least; per set and mode.
FLOORS = {
    ("dev", "semantic"): (0.88, 1.0),
    ("dev", "lexical"): (0.88, 1.0),
    ("held-out", "semantic"): (0.80, 0.97),
    ("held-out", "lexical"): (0.82, 0.97),
    ("held-out-2", "semantic"): (0.70, 0.98),
    ("held-out-2", "lexical"): (0.67, 0.98),
}
# Near-misses of held-out set 2 the bot answers today, in each mode (see the README); none may
# be added. Every other set, and every in-scope question, gets no wrong answer at all.
NEAR_MISSES_ANSWERED = {"semantic": 3, "lexical": 2}


def _summary(responder: Responder, path: Path) -> dict[str, KindSummary]:
    return {s.kind: s for s in summarise(evaluate(responder, load_cases(path)))}


@pytest.fixture(params=["semantic", "lexical"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def bot(mode: str, responder: Responder, lexical_matcher: Matcher) -> Responder:
    """The responder in each mode: with the bundled model, and lexical-only."""
    if mode == "semantic":
        return responder
    return Responder(lexical_matcher.knowledge, lexical_matcher)


def _check(summary: dict[str, KindSummary], floors: tuple[float, float]) -> None:
    in_scope = summary["in-scope"]
    assert in_scope.wrong_answer == 0
    assert in_scope.rate >= floors[0]
    assert (in_scope.correct + in_scope.suggested) / in_scope.total >= floors[1]


@pytest.mark.skipif(not DEV_SET.exists(), reason="the shared dev set is not beside the repo")
def test_dev_set(bot: Responder, mode: str) -> None:
    summary = _summary(bot, DEV_SET)
    assert summary["out-of-scope"].wrong_answer == 0
    _check(summary, FLOORS["dev", mode])


def test_held_out_set(bot: Responder, mode: str) -> None:
    summary = _summary(bot, HELD_OUT)
    assert summary["out-of-scope"].total >= 100 and summary["in-scope"].total >= 200
    assert summary["out-of-scope"].wrong_answer == 0
    _check(summary, FLOORS["held-out", mode])


def test_second_held_out_set(bot: Responder, mode: str) -> None:
    summary = _summary(bot, HELD_OUT_2)
    assert summary["in-scope"].total >= 200 and summary["near"].total >= 50
    assert summary["out-of-scope"].wrong_answer <= NEAR_MISSES_ANSWERED[mode]
    _check(summary, FLOORS["held-out-2", mode])
