"""Hot reload: the current FAQ, swapped for a new one only when the file on disk is sound.

Front ends read `LiveFaq.current` once per message, so a message is answered wholly from one
version; a swap is a single reference assignment, atomic between messages.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge import FaqError, Problem, load
from bot.matching.decision import CALIBRATION_FILE
from bot.replies import Responder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    """What a refresh did: nothing, swapped in a new version, or kept the old one."""

    changed: bool
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def _stamp(path: Path) -> tuple[float, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class LiveFaq:
    """Holds the Responder for an FAQ file and reloads it when the file (or calibration) changes."""

    def __init__(self, path: Path, on_error: Callable[[ReloadResult], None] | None = None) -> None:
        self.path = path
        self._on_error = on_error
        self._lock = threading.Lock()
        self._stamps = self._read_stamps()
        self._current = Responder(load(path))  # a broken file at start-up is the caller's error
        self._failed_stamps: object = None

    @property
    def current(self) -> Responder:
        return self._current

    def _read_stamps(self) -> tuple[object, ...]:
        return (_stamp(self.path), _stamp(self.path.parent / CALIBRATION_FILE))

    def refresh(self, *, force: bool = False) -> ReloadResult:
        """Reload if the file changed since the last look; keep serving the old version on error."""
        with self._lock:
            stamps = self._read_stamps()
            if not force and stamps == self._stamps:
                return ReloadResult(changed=False)
            if not force and stamps == self._failed_stamps:
                return ReloadResult(changed=False)  # already reported this broken version
            try:
                responder = Responder(load(self.path))
            except FaqError as exc:
                self._failed_stamps = stamps
                result = ReloadResult(changed=False, problems=exc.problems)
                log.error("FAQ not reloaded, still serving the previous version:\n%s", exc)
                if self._on_error is not None:
                    self._on_error(result)
                return result
            self._stamps, self._failed_stamps = stamps, None
            self._current = responder
            log.info("FAQ reloaded: %d entries (%s)", len(responder.knowledge.entries), self.path)
            return ReloadResult(changed=True)
