"""The semantic ranker: vectors cached on disk, only new texts embedded, and graceful degrading."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.knowledge import Knowledge
from bot.matching import shared
from bot.matching.cache import VectorCache
from bot.matching.embedders import load_embedders
from bot.matching.matcher import Matcher
from bot.matching.semantic import Model, SemanticIndex, entry_texts
from tests.matching.conftest import FakeEmbedder


def test_vectors_are_cached_and_only_new_texts_embedded(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    cache = VectorCache(tmp_path)
    first = Model("fake", fake_embedder, cache).vectors(["展商", "观众"])
    assert fake_embedder.embedded == ["展商", "观众"]
    again = FakeEmbedder()
    second = Model("fake", again, cache).vectors(["观众", "展商", "面积"])
    assert again.embedded == ["面积"]  # a fresh process: the rest comes from disk
    assert np.allclose(second[:2], first[::-1])


def test_vectors_are_kept_in_half_precision_and_scored_in_single(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    cache = VectorCache(tmp_path)
    exact = fake_embedder.embed(["展商", "观众"])
    given = Model("fake", fake_embedder, cache).vectors(["展商", "观众"])
    assert given.dtype == np.float32 and np.allclose(given, exact, atol=1e-3)
    assert {v.dtype for v in cache.load("fake-1").values()} == {np.dtype(np.float16)}


def test_questions_and_passages_are_cached_apart(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    model = Model("fake", fake_embedder, VectorCache(tmp_path))
    model.vectors(["展商"])
    model.vectors(["展商"], "passage")
    assert fake_embedder.embedded == ["展商", "展商"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-1.npz", "fake-1.passage.npz"]


@pytest.mark.parametrize("damage", [b"", b"not a zip file", b"PK\x03\x04broken"])
def test_a_corrupt_cache_is_rebuilt(
    tmp_path: Path, fake_embedder: FakeEmbedder, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    Model("fake", FakeEmbedder(), VectorCache(tmp_path)).vectors(["展商"])
    (tmp_path / "fake-1.npz").write_bytes(damage)
    with caplog.at_level(logging.WARNING):
        vectors = Model("fake", fake_embedder, VectorCache(tmp_path)).vectors(["展商"])
    assert fake_embedder.embedded == ["展商"] and vectors.shape == (1, fake_embedder.dim)
    assert Model("fake", FakeEmbedder(), VectorCache(tmp_path)).vectors(["展商"]).shape == (1, 64)


def test_an_unwritable_cache_still_gives_vectors(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    model = Model("fake", fake_embedder, VectorCache(blocked / "cache"))
    assert model.vectors(["展商", "观众"]).shape == (2, fake_embedder.dim)


def test_a_reload_embeds_only_what_changed(
    knowledge: Knowledge, tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    model = Model("fake", fake_embedder, VectorCache(tmp_path))
    SemanticIndex(knowledge.entries, [model], [1.0])
    before = len(fake_embedder.embedded)
    first = knowledge.entries[0]
    added = "展会一共用了几个展馆的场地?"
    changed = replace(first, questions={**first.questions, "zh": (*first.questions["zh"], added)})
    SemanticIndex((changed, *knowledge.entries[1:]), [model], [1.0])
    assert fake_embedder.embedded[before:] == [added]


def test_entry_texts_are_its_variants_and_answers(knowledge: Knowledge) -> None:
    entry = knowledge.entries[0]
    texts = entry_texts(entry)
    assert texts[: len(entry.questions["zh"])] == list(entry.questions["zh"])
    assert texts[-2:] == [entry.answer.zh, entry.answer.en]


def test_the_models_find_a_paraphrase_that_shares_no_word(matcher: Matcher) -> None:
    assert matcher.semantic is not None, "the bundled models should load here"
    scores = matcher.semantic.scores("Who declared the fair open?", "en")
    ids = [matcher.knowledge.entries[i].id for i in scores.top()]
    assert "opened_by" in ids


def test_off_means_lexical_only(knowledge: Knowledge) -> None:
    shared.configure(Settings(semantic=()))
    try:
        assert Matcher(knowledge).models == ()
        assert Matcher(knowledge).match("本届高交会有多少家展商?").decision == "answer"
    finally:
        shared.configure(Settings.from_env())


def test_a_model_that_cannot_load_is_left_out_with_one_warning(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.matching import embedders

    def broken() -> FakeEmbedder:
        raise OSError("model file missing")

    monkeypatch.setitem(embedders._FACTORIES, "broken", broken)
    load_embedders.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            assert load_embedders(("broken", "nonsense")) == ()
    finally:
        load_embedders.cache_clear()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "broken" in warnings[0].getMessage() and "model file missing" in warnings[0].getMessage()


def test_models_the_calibration_was_not_fitted_for_are_set_aside(
    knowledge: Knowledge,
    tmp_path: Path,
    fake_embedder: FakeEmbedder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    other = Model("other", fake_embedder, VectorCache(tmp_path))
    with caplog.at_level(logging.WARNING):
        matcher = Matcher(knowledge, models=(other,))
        Matcher(knowledge, models=(other,))
    assert matcher.models == () and matcher.semantic is None
    assert fake_embedder.embedded == []  # nothing was embedded for nothing
    warnings = [r.getMessage() for r in caplog.records if "fitted for" in r.getMessage()]
    assert len(warnings) == 1 and "other" in warnings[0]
