"""Calibration: trees fitted with scikit-learn, evaluated without it, written by mode."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot import evaluation
from bot.matching import calibration
from bot.matching.calibration import _fit, _Sample
from bot.matching.decision import CALIBRATION_FILE, FEATURES, Calibration, Thresholds
from bot.matching.matcher import Matcher
from tests.conftest import DATA


def samples(count: int = 200) -> list[_Sample]:
    rng = random.Random(1)
    out = []
    for _ in range(count):
        x = [rng.random() for _ in FEATURES]
        right = x[0] + 0.3 * x[1] > 0.7 + rng.gauss(0, 0.1)
        out.append(_Sample(x, 10.0, right, must_refuse=False))
    return out


def test_exported_trees_give_scikit_learns_probabilities() -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    data = samples()
    fitted = _fit(GradientBoostingClassifier, Thresholds(), data)
    reference = GradientBoostingClassifier(
        n_estimators=calibration.TREES,
        max_depth=calibration.DEPTH,
        learning_rate=calibration.LEARNING_RATE,
        subsample=calibration.SUBSAMPLE,
        random_state=0,
    ).fit(
        [s.features for s in data],
        [int(s.right) for s in data],
        sample_weight=[1.0 if s.right else calibration.WRONG_COST for s in data],
    )
    expected = reference.predict_proba([s.features for s in data])[:, 1]
    for s, p in zip(data, expected, strict=True):
        assert fitted.probability(dict(zip(FEATURES, s.features, strict=True))) == pytest.approx(
            p, abs=1e-4
        )


@pytest.fixture
def small_grids(monkeypatch: pytest.MonkeyPatch) -> None:
    """One setting of each knob and fewer trees, so a calibration takes a second or two."""
    monkeypatch.setattr(calibration, "CONFLICTS", (0.35,))
    monkeypatch.setattr(calibration, "NOVELTIES", (1.01,))
    monkeypatch.setattr(calibration, "MARGINS", (0.0,))
    monkeypatch.setattr(calibration, "TREES", 20)


@pytest.mark.usefixtures("small_grids")
def test_calibrate_and_write_by_mode(lexical_matcher: Matcher, faq_copy: Path) -> None:
    cases = evaluation.load_cases(DATA / "calibration-questions.yaml")
    result = evaluation.calibrate(lexical_matcher, cases)
    th = result.thresholds
    assert th.models == () and len(th.trees) == 20 and th.weights == {}
    assert 0.3 <= th.confidence <= 0.98 and result.total == len(cases)
    assert result.correct > 0 and result.wrong <= result.correct // calibration.PRICE_OF_WRONG

    path = faq_copy.parent / CALIBRATION_FILE
    semantic_before = Calibration.load(path).semantic
    assert evaluation.write_calibration(th, path) == "lexical"
    reread = Calibration.load(path)
    assert reread.lexical == th
    assert reread.semantic == semantic_before  # the other mode's section is kept


def test_calibrating_without_scikit_learn_says_how_to_get_it(
    lexical_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("sklearn"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(calibration.MissingTrainer, match="dev extras"):
        calibration.calibrate(lexical_matcher, [])
