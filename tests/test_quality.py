"""The bot's quality on labelled questions, in both modes: never a wrong answer, and how many.

The held-out files were written by people who never saw the FAQ's question variants; they
measure generalisation and must never be copied into the FAQ or used for calibration. The floors
are what the bot does now (see the README's Quality section), so a change that answers fewer, or
any wrong answer, fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import (
    KindSummary,
    evaluate,
    evaluate_conversations,
    load_cases,
    load_conversations,
    summarise,
)
from bot.matching.matcher import Matcher
from bot.replies import Responder
from tests.conftest import DATA, DEV_SET

HELD_OUT = DATA / "heldout-questions.yaml"
HELD_OUT_2 = DATA / "heldout-questions-2.yaml"

# (in-scope answered right, answered or one tap away), at least; per set and mode.
# Lexical-only matching (the fallback when no model loads) answers fewer since the decision
# judges by words: its trees were refitted to stay right or silent (see the README).
FLOORS = {
    ("dev", "semantic"): (0.87, 1.0),
    ("dev", "lexical"): (0.83, 1.0),
    ("held-out", "semantic"): (0.85, 0.97),
    ("held-out", "lexical"): (0.80, 0.97),
    ("held-out-2", "semantic"): (0.76, 0.98),
    ("held-out-2", "lexical"): (0.69, 0.98),
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


# --- follow-ups ----------------------------------------------------------------------------------

# (answerable follow-ups answered right, at least; wrong answers on any follow-up, at most): what
# the bot does now on the blind conversations (see the README), per mode. Far from the 90% and
# no wrong answer asked for: these floors stop it getting worse while it gets better.
# Judging by words (issue 15) took some rebuilt follow-ups below the confidence they had: the
# floors are what the bot does now, lower than before for blind set 1 and lexical-only matching.
FOLLOW_UP_FLOORS = {
    ("followup-conversations-2.yaml", "semantic"): (59, 2),
    ("followup-conversations-2.yaml", "lexical"): (58, 1),
    ("followup-conversations.yaml", "semantic"): (47, 5),
    ("followup-conversations.yaml", "lexical"): (45, 4),
}


@pytest.mark.parametrize("name", ["followup-conversations-2.yaml", "followup-conversations.yaml"])
def test_follow_ups_in_blind_conversations(bot: Responder, mode: str, name: str) -> None:
    results = evaluate_conversations(bot, load_conversations(DATA / name))
    follow_ups = [r.result for r in results if r.turn]
    right = sum(r.outcome == "correct" and r.case.expect is not None for r in follow_ups)
    wrong = sum(r.outcome == "wrong_answer" for r in follow_ups)
    least_right, most_wrong = FOLLOW_UP_FLOORS[(name, mode)]
    assert right >= least_right and wrong <= most_wrong, (right, wrong)
    openers = [r.result for r in results if not r.turn]
    assert not any(r.outcome == "wrong_answer" for r in openers)
