"""The semantic ranker: sentence embeddings of the question against every FAQ variant and answer.

A paraphrase that shares no word with its entry (涵盖啥领域, "Who spoke at the closing press
conference?") is still near it in embedding space. The models ship inside their PyPI wheels and
need nothing from the network (see `bot.matching.embedders`).

Cosine similarity cannot refuse: a near-miss (优秀产品奖的奖金有多少) lies as close to its entry
as a paraphrase does. So this module only ranks; the lexical guards and the confidence model
(`bot.matching.decision`) decide.

The vectors of the FAQ's texts are computed once and kept on disk (`bot.matching.cache`), keyed by
model and text, so a warm start only loads them and a reload embeds only what changed.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from bot.knowledge import LANGS, Entry
from bot.matching.cache import Stored, VectorCache, digest
from bot.matching.embedders import Embedder
from bot.text import Lang, fold

log = logging.getLogger(__name__)

Matrix = NDArray[np.float32]
TOP_K = 5  # entries the semantic ranker adds to the candidate pool
QUERY_MEMORY = 2048  # recent questions whose vectors are kept: people ask the same things
BATCH = 16  # texts embedded per call while building, so a reload never holds a model long
PROGRESS_AFTER = 1.0  # seconds of embedding before a progress bar appears on a terminal
MIN_SPREAD = 0.01  # a floor on the spread of an entry's fits, so one variant cannot divide by 0


def entry_texts(entry: Entry) -> list[str]:
    """The texts of an entry that questions are compared with: its variants and its answers."""
    return [*(q for lang in LANGS for q in entry.questions[lang]), entry.answer.zh, entry.answer.en]


class _Progress:
    """A one-line progress bar on stderr, shown only on a terminal and only if embedding is slow."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.started = time.monotonic()
        self.shown = False
        self.enabled = sys.stderr.isatty()

    def update(self, done: int) -> None:
        if not self.enabled or (
            not self.shown and time.monotonic() - self.started < PROGRESS_AFTER
        ):
            return
        self.shown = True
        width = 30
        filled = width * done // max(self.total, 1)
        bar = "█" * filled + "·" * (width - filled)
        print(f"\r{self.label} {bar} {done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.shown:
            print(file=sys.stderr, flush=True)


Role = Literal["query", "passage"]


class Model:
    """One embedding model in use: the embedder, its disk cache and recent question vectors.

    Shared by every FAQ version the process loads, so a reload reuses what is known. A lock
    keeps one call at a time in the model, whichever thread builds or asks.
    """

    def __init__(self, key: str, embedder: Embedder, cache: VectorCache | None) -> None:
        self.key = key  # the short name settings and calibration use: "use", "e5"
        self.embedder = embedder
        self._cache = cache
        self._lock = threading.Lock()
        self._known: dict[Role, dict[str, Stored]] = {}
        self._recent: OrderedDict[str, Matrix] = OrderedDict()

    def _file(self, role: Role) -> str:
        return self.embedder.name + ("" if role == "query" else ".passage")

    def vectors(self, texts: Sequence[str], role: Role = "query") -> Matrix:
        """The vectors of texts (from the cache where known), embedding and saving the rest.

        Questions and variants are embedded as queries; answers and sources as passages, which
        is what they are to a retrieval model.
        """
        with self._lock:
            if role not in self._known:
                self._known[role] = self._cache.load(self._file(role)) if self._cache else {}
            known = self._known[role]
        keys = [digest(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known))
        if missing:
            fresh = self._embed_all(missing, role)
            with self._lock:
                for text, vector in zip(missing, fresh.astype(np.float16), strict=True):
                    known[digest(text)] = vector
                if self._cache is not None:
                    self._cache.save(self._file(role), dict(known))
        if not keys:
            return np.zeros((0, self.embedder.dim), np.float32)
        return np.stack([known[k] for k in keys]).astype(np.float32)

    def _embed_all(self, texts: Sequence[str], role: Role) -> Matrix:
        what = "FAQ texts" if role == "query" else "answers and sources"
        progress = _Progress(f"Embedding {len(texts)} {what} ({self.key})", len(texts))
        embed = self.embedder.embed if role == "query" else self.embedder.embed_passages
        parts = []
        try:
            for start in range(0, len(texts), BATCH):
                with self._lock:
                    parts.append(embed(texts[start : start + BATCH]))
                progress.update(min(start + BATCH, len(texts)))
        finally:
            progress.close()
        return np.concatenate(parts)

    def query(self, text: str) -> Matrix:
        """The vector of one question: known if it is an FAQ text or was asked lately."""
        with self._lock:
            known = self._recent.get(text)
            if known is None:
                stored = self._known.get("query", {}).get(digest(text))
                known = stored.astype(np.float32) if stored is not None else None
            if known is not None:
                self._recent[text] = known
                self._recent.move_to_end(text)
                return known
            vector: Matrix = self.embedder.embed([text])[0]
            self._recent[text] = vector
            if len(self._recent) > QUERY_MEMORY:
                self._recent.popitem(last=False)
            return vector


@dataclass(frozen=True)
class SemanticScores:
    """How close every entry is to one question, by each model.

    `fits` says how well the entry's answer and source suit the question as a retrieval model
    sees them, as z-scores against the entry's own variants: a near-miss reads like the entry's
    questions but is not answered by its passage (`answer_e5` of 优秀产品奖的奖金有多少 is low).
    """

    cosines: NDArray[np.float32]  # (models, entries): best cosine with an entry's texts
    fused: NDArray[np.float64]  # (entries,) 0–100
    fits: dict[str, NDArray[np.float64]]  # feature name → (entries,)

    def top(self, k: int = TOP_K) -> list[int]:
        """The k entries most similar to the question, most similar first."""
        if not len(self.fused):
            return []
        k = min(k, len(self.fused))
        best = np.argpartition(-self.fused, k - 1)[:k]
        return [int(i) for i in best[np.argsort(-self.fused[best])]]


@dataclass(frozen=True)
class _Passages:
    """One model's vectors of every entry's answers and source, with its variants' fit to them."""

    answers: dict[Lang, Matrix]  # lang → (entries, dim)
    source: Matrix
    # Per entry: mean and spread of its own variants' cosine with its answer and its source.
    answer_fit: tuple[NDArray[np.float64], NDArray[np.float64]]
    source_fit: tuple[NDArray[np.float64], NDArray[np.float64]]


class SemanticIndex:
    """The vectors of every entry's texts, for each model; immutable once built."""

    def __init__(
        self, entries: Sequence[Entry], models: Sequence[Model], weights: Sequence[float]
    ) -> None:
        self.models = tuple(models)
        total = sum(weights) or 1.0
        self._weights = np.array([w / total for w in weights], dtype=np.float64)
        texts: list[str] = []
        starts: list[int] = []
        for entry in entries:
            starts.append(len(texts))
            texts.extend(entry_texts(entry))
        self._starts = np.array(starts, dtype=np.intp)
        # Folded like every question, so a question typed as an FAQ variant is already known.
        folded = [fold(t) for t in texts]
        self._matrices = [model.vectors(folded) for model in self.models]
        self._passages = [
            _passages(entries, model, matrix, starts)
            for model, matrix in zip(self.models, self._matrices, strict=True)
        ]

    def scores(self, question: str, lang: Lang) -> SemanticScores:
        """How close every entry is to the question, by each model and fused."""
        text = fold(question)
        rows, fits = [], {}
        for model, matrix, passages in zip(
            self.models, self._matrices, self._passages, strict=True
        ):
            vector = model.query(text)
            sims = matrix @ vector
            rows.append(np.maximum.reduceat(sims, self._starts) if len(sims) else sims)
            for name, target, (mean, spread) in (
                ("answer", passages.answers[lang], passages.answer_fit),
                ("source", passages.source, passages.source_fit),
            ):
                fits[f"{name}_{model.key}"] = (target @ vector - mean) / spread
        cosines = np.array(rows, dtype=np.float32)
        scaled = [
            np.clip((row - m.embedder.floor) / (1 - m.embedder.floor), 0.0, 1.0)
            for row, m in zip(cosines, self.models, strict=True)
        ]
        fused = 100 * np.average(np.array(scaled), axis=0, weights=self._weights)
        return SemanticScores(cosines, fused, fits)


def _passages(
    entries: Sequence[Entry], model: Model, matrix: Matrix, starts: Sequence[int]
) -> _Passages:
    answers: dict[Lang, Matrix] = {
        lang: model.vectors([fold(e.answer(lang)) for e in entries], "passage") for lang in LANGS
    }
    source = model.vectors([fold(e.source.text) for e in entries], "passage")
    answer_fit: list[list[float]] = []
    source_fit: list[list[float]] = []
    for i, entry in enumerate(entries):
        start = starts[i]
        fits_a, fits_s = [], []
        for lang in LANGS:
            for _ in entry.questions[lang]:
                vector = matrix[start]
                start += 1
                fits_a.append(float(answers[lang][i] @ vector))
                fits_s.append(float(source[i] @ vector))
        answer_fit.append(fits_a)
        source_fit.append(fits_s)
    return _Passages(answers, source, _spread(answer_fit), _spread(source_fit))


def _spread(values: list[list[float]]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each list's mean and standard deviation (never below MIN_SPREAD)."""
    means = np.array([np.mean(v) if v else 0.0 for v in values])
    spreads = np.array([max(float(np.std(v)) if v else 0.0, MIN_SPREAD) for v in values])
    return means, spreads
