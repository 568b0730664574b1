"""What the matcher keeps on disk between runs, under `var/cache/` by default.

- `VectorCache`: the embedding vectors of the FAQ's texts, one file per model, keyed by a digest
  of each text, so a warm start only loads them and a reload embeds only new texts;
- `IndexCache`: the built lexical index of one FAQ version, keyed by the FAQ's digest and the
  code that builds it, so a warm start skips building it.

Both are derived data: a missing, stale, unreadable or foreign file is rebuilt, never an error,
and a write that fails is logged and forgotten. Files are replaced whole (written to a temporary
file, then renamed), so a crash never leaves half of one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

T = TypeVar("T")
Matrix = NDArray[np.float32]
#: Vectors as kept and stored: half precision, half the memory; cosines move by 1e-4 at most.
Stored = NDArray[np.float16]


def digest(text: str) -> str:
    """The cache key of a text."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _replace(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write a file through a temporary one beside it; log a failure instead of raising."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("cannot write the cache file %s: %s", path, exc)


class VectorCache:
    """Vectors of texts on disk, one file per model, keyed by a digest of the text.

    A missing, stale or unreadable file is simply rebuilt; writes go to a temporary file that
    replaces the old one, so a crash never leaves half a file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, model: str) -> Path:
        return self.directory / f"{model}.npz"

    def load(self, model: str) -> dict[str, Stored]:
        """Every vector stored for model, by text digest; empty if there is no usable file."""
        path = self.path(model)
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
                if keys.ndim != 1 or vectors.ndim != 2 or len(keys) != len(vectors):
                    raise ValueError("keys and vectors do not line up")
                matrix = vectors.astype(np.float16, copy=False)  # no second copy of the file
                return {str(k): v for k, v in zip(keys, matrix, strict=True)}
        except FileNotFoundError:
            return {}
        except Exception as exc:  # a truncated or foreign file: any error means "rebuild"
            log.warning("vector cache %s is unreadable (%s); rebuilding it", path, exc)
            return {}

    def save(self, model: str, vectors: dict[str, Stored]) -> None:
        """Replace model's file with these vectors; a failure is logged, never raised."""
        keys = np.array(list(vectors), dtype="U32")
        matrix = np.stack(list(vectors.values())) if vectors else np.zeros((0, 0), np.float16)
        _replace(self.path(model), lambda out: np.savez(out, keys=keys, vectors=matrix))


class IndexCache:
    """Built indexes on disk, one file per key; only the latest few are kept."""

    KEEP = 4  # FAQ versions whose index is kept: the running one and recent edits

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, key: str, kind: type[T]) -> T | None:
        """The index stored under key, if there is one of that type."""
        try:
            with (self.directory / f"{key}.pickle").open("rb") as data:
                found = pickle.load(data)
        except FileNotFoundError:
            return None
        except Exception as exc:  # truncated, foreign or from older code: rebuild
            log.warning("index cache %s is unreadable (%s); rebuilding it", key, exc)
            return None
        return found if isinstance(found, kind) else None

    def put(self, key: str, index: object) -> None:
        """Store index under key, dropping the oldest files beyond KEEP."""
        _replace(self.directory / f"{key}.pickle", lambda out: pickle.dump(index, out, protocol=5))
        try:
            files = sorted(self.directory.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
            for old in files[: -self.KEEP]:
                old.unlink(missing_ok=True)
        except OSError:
            pass
