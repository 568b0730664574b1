"""Fixtures for the matching tests: a deterministic stand-in embedder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray


class FakeEmbedder:
    """Vectors from a hash of each character: texts sharing characters lie close. Counts calls."""

    name = "fake-1"
    dim = 64
    floor = 0.0

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.embedded.extend(texts)
        rows = []
        for text in texts:
            row = np.zeros(self.dim, np.float32)
            for ch in text:
                row[hashlib.blake2b(ch.encode(), digest_size=2).digest()[0] % self.dim] += 1.0
            rows.append(row / (np.linalg.norm(row) or 1.0))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self.embed(texts)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()
