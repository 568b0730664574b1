"""The decision: guards that hold whatever the scores, the confidence model, partial replies."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.matching.decision import (
    FEATURES,
    Calibration,
    Thresholds,
    close_calls,
    decide,
    features,
    partial,
    tree_value,
    viable,
    with_confidence,
)
from tests.factories import candidate

# A model that trusts the fuzzy similarity and distrusts a missing telling word.
SIMPLE = Thresholds(
    weights={"fuzzy": 10.0, "novelty": -12.0}, bias=-5.0, confidence=0.7, margin=5, near=55
)


def test_a_sure_clear_leader_is_answered() -> None:
    ranked = with_confidence([candidate("a", 90, fuzzy=95), candidate("c", 40)], SIMPLE)
    assert ranked[0].confidence > 0.9 and decide(ranked, SIMPLE) == "answer"


def test_no_clear_lead_or_low_confidence_asks_did_you_mean() -> None:
    tied = with_confidence([candidate("a", 90, fuzzy=95), candidate("b", 88)], SIMPLE)
    assert decide(tied, SIMPLE) == "ambiguous"
    unsure = with_confidence([candidate("a", 70, fuzzy=40), candidate("c", 40)], SIMPLE)
    assert decide(unsure, SIMPLE) == "ambiguous"
    assert [c.entry_id for c in close_calls(unsure, SIMPLE)] == ["a"]
    assert decide(with_confidence([candidate("c", 40)], SIMPLE), SIMPLE) == "refuse"


def test_guards_hold_whatever_the_scores() -> None:
    th = Thresholds(weights={"fuzzy": 50.0}, bias=0.0, conflict=0.3, novelty=0.9)
    for guarded in (
        candidate("a", 99, fuzzy=99, conflict=0.9),  # a keyword of other entries
        candidate("a", 99, fuzzy=99, unanswered=("where",)),  # a kind it never answers
        candidate("a", 99, fuzzy=99, novelty_source=0.95),  # a telling word it lacks
    ):
        assert viable([guarded], th) == []
        assert decide(with_confidence([guarded], th), th) != "answer"


def test_a_clear_topic_missing_a_detail_gets_a_partial_reply() -> None:
    asked_where = candidate("pavilion", 90, fuzzy=95, unanswered=("where",), unstated=("where",))
    ranked = with_confidence([asked_where, candidate("other", 30)], SIMPLE)
    assert decide(ranked, SIMPLE) == "partial"
    about = partial(ranked, SIMPLE)
    assert about is not None and (about.entry_id, about.kinds) == ("pavilion", ("where",))

    prize = candidate(
        "award", 90, fuzzy=95, novelty=0.8, novelty_source=0.8, missing="奖金", lacks_words=True
    )
    ranked = with_confidence([prize, candidate("other", 30)], SIMPLE)
    assert decide(ranked, SIMPLE) == "partial"
    assert partial(ranked, SIMPLE) == type(about)("award", "奖金", ())


def test_no_partial_reply_without_evidence_of_a_missing_detail() -> None:
    # A word the entry lacks, in a question most of whose words it knows, is no evidence.
    known = candidate("award", 90, fuzzy=95, novelty=0.8, novelty_source=0.8, missing="奖金")
    assert partial(with_confidence([known, candidate("other", 30)], SIMPLE), SIMPLE) is None
    # A kind its variants never ask, but whose fact its answer states (a list of names).
    listed = candidate("centre", 90, fuzzy=95, unanswered=("which",), unstated=())
    ranked = with_confidence([listed, candidate("other", 30)], SIMPLE)
    assert partial(ranked, SIMPLE) is None and decide(ranked, SIMPLE) != "partial"


def test_no_partial_reply_when_a_close_entry_answers_the_detail() -> None:
    # 通报会在哪个厅开的: the time's entry comes first, but the venue's, as close and knowing
    # as much, states the hall; "the briefing doesn't say where" would be false.
    when = candidate("time", 85, fuzzy=95, unanswered=("where",), unstated=("where",))
    where = candidate("venue", 80, fuzzy=90)
    assert partial(with_confidence([when, where], SIMPLE), SIMPLE) is None
    # 中科院专馆在几号馆: the other pavilion states its hall, but lacks a word the topic knows.
    hall = candidate("cas", 85, fuzzy=95, unanswered=("where",), unstated=("where",))
    other = candidate("mofcom", 80, fuzzy=90, novelty=0.5, novelty_source=0.5)
    about = partial(with_confidence([hall, other], SIMPLE), SIMPLE)
    assert about is not None and about.entry_id == "cas"
    far = candidate("venue", 60, fuzzy=90)  # far behind: no rival
    assert partial(with_confidence([when, far], SIMPLE), SIMPLE) is not None


def test_no_partial_reply_when_the_topic_is_unclear() -> None:
    vague = candidate(
        "award", 50, fuzzy=30, novelty=0.8, novelty_source=0.8, missing="奖金", lacks_words=True
    )
    ranked = with_confidence([vague], SIMPLE)
    assert partial(ranked, SIMPLE) is None and decide(ranked, SIMPLE) != "partial"
    about_other = candidate(
        "a", 95, fuzzy=95, conflict=0.9, unanswered=("where",), unstated=("where",)
    )
    assert partial(with_confidence([about_other], SIMPLE), SIMPLE) is None


def test_features_are_keyed_by_name_and_leads_compare_with_the_others() -> None:
    best = candidate("a", 80, lexical=70, semantic=90, fits=(("answer_e5", 1.5),))
    found = features(best, [candidate("b", 60, lexical=75, semantic=50)], runner_up=60)
    assert set(found) <= set(FEATURES) and found["answer_e5"] == 1.5
    assert found["lexical_lead"] < 0 < found["semantic_lead"] and found["agree"] == 0.0
    assert found["lead"] == 0.5


def test_trees_are_evaluated_as_written() -> None:
    tree = (("fuzzy", 0.5, 1, 2), (-1.0,), ("coverage", 0.8, 3, 4), (0.5,), (2.0,))
    assert tree_value(tree, {"fuzzy": 0.2}) == -1.0
    assert tree_value(tree, {"fuzzy": 0.9, "coverage": 0.5}) == 0.5
    assert tree_value(tree, {"fuzzy": 0.9, "coverage": 0.9}) == 2.0
    th = Thresholds(weights={}, trees=(tree,), bias=0.0)
    assert th.probability({"fuzzy": 0.9, "coverage": 0.9}) > th.probability({"fuzzy": 0.1})


def test_calibration_sections_by_mode(tmp_path: Path) -> None:
    path = tmp_path / "calibration.yaml"
    tree = [["score", 0.5, 1, 2], [-1.0], [1.0]]
    path.write_text(
        yaml.safe_dump(
            {
                "semantic": {"models": ["use"], "confidence": 0.8, "trees": [tree]},
                "lexical": {"confidence": 0.6, "weights": {"fuzzy": 2.0, "ninth_feature": 9}},
            }
        ),
        encoding="utf-8",
    )
    calibration = Calibration.load(path)
    assert calibration.for_models(["use"]).confidence == 0.8
    assert calibration.for_models(["use"]).trees == ((("score", 0.5, 1, 2), (-1.0,), (1.0,)),)
    lexical = calibration.for_models([])
    assert lexical.confidence == 0.6
    assert lexical.weights == {"fuzzy": 2.0}  # an unknown feature is ignored, not fatal
    assert calibration.for_models(["e5"]) == lexical  # fitted for other models: not used


def test_malformed_calibration_keeps_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "calibration.yaml"
    loop = [["score", 0.5, 0, 0]]  # a node pointing at itself would never reach a leaf
    path.write_text(
        yaml.safe_dump({"lexical": {"margin": [1], "trees": [loop], "confidence": "high"}}),
        encoding="utf-8",
    )
    assert Calibration.load(path).lexical == Thresholds()
    path.write_text("{{ not yaml", encoding="utf-8")
    assert Calibration.load(path).lexical == Thresholds()
    assert Calibration.load(tmp_path / "missing.yaml").lexical == Thresholds()
