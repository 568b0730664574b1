"""What one process shares between FAQ versions: the embedding models and the disk cache.

The command line calls `configure` once with the settings; every `Matcher` built afterwards
without models of its own uses `shared_models()` and `shared_cache()`. A reload builds a new
Matcher with the same models, so only new texts are embedded.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.matching.cache import IndexCache
    from bot.matching.semantic import Model


class _Shared:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.settings: Settings | None = None
        self.models: tuple[Model, ...] | None = None
        self.loading: threading.Thread | None = None


_SHARED = _Shared()


def configure(settings: Settings, *, preload: bool = False) -> None:
    """Use the models `settings.semantic` names and the cache in `settings.cache_dir`.

    The models are loaded when first needed, or, with `preload`, at once on a thread of their
    own, so that reading their weights overlaps with loading the FAQ.
    """
    with _SHARED.lock:
        _SHARED.settings, _SHARED.models, _SHARED.loading = settings, None, None
        if preload and settings.semantic:
            # Not a daemon: the interpreter waits for it at exit, since a daemon thread still
            # inside a model's C code when a command ends early takes the process down.
            _SHARED.loading = threading.Thread(
                target=_load, args=(settings.semantic,), name="load models"
            )
            _SHARED.loading.start()


def _load(names: tuple[str, ...]) -> None:
    # Imported here: the command line starts this thread before it imports the matcher.
    from bot.matching.embedders import load_embedders

    load_embedders(names)


def _settings() -> Settings:
    from bot.config import Settings

    return _SHARED.settings or Settings.from_env()


def shared_models() -> tuple[Model, ...]:
    """The process's models: those the configured settings (or else the environment) name."""
    from bot.matching.cache import VectorCache
    from bot.matching.embedders import load_embedders
    from bot.matching.semantic import Model

    with _SHARED.lock:
        if _SHARED.models is None:
            if _SHARED.loading is not None:
                _SHARED.loading.join()  # load_embedders is cached: this finds what it loaded
            settings = _settings()
            vectors = VectorCache(settings.cache_dir / "vectors")
            _SHARED.models = tuple(
                Model(key, e, vectors) for key, e in load_embedders(settings.semantic)
            )
        return _SHARED.models


def shared_cache() -> IndexCache:
    """Where built indexes are kept."""
    from bot.matching.cache import IndexCache

    with _SHARED.lock:
        directory: Path = _settings().cache_dir / "index"
    return IndexCache(directory)
