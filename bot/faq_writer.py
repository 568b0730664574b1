"""Writing the FAQ file safely: one writer at a time, validated, atomic, and undoable.

`FaqWriter.apply(edit)`:

1. takes an exclusive lock (`fcntl.flock` on `.faq.yaml.lock` beside the file), held only while
   it reads, edits, validates and writes, so the CLI, the bot and a second admin take turns;
2. reads the file inside the lock and makes the edit on what is there now, so an edit made since
   the review was drawn (by hand, or by anyone else) is kept, never overwritten;
3. writes the result to a temporary file beside the FAQ (its `meta.source` is a path relative to
   it) and validates that with `bot.knowledge.check`, as `expo-bot check` would;
4. copies the version it replaces into the history directory (`var/faq-history/`), then renames
   the temporary file over the FAQ: readers see the old file or the new one, never half of one.

`undo()` puts the newest copy back the same way, provided the file is still what that write made.
The running bot notices the new file through its usual hot reload (`bot.reload`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from bot import faq_edit
from bot.faq_edit import Edit, EditError
from bot.knowledge import Problem, check, digest_of

MAX_PROBLEMS: Final = 10  # listed in a refusal; `expo-bot check` lists them all
_STAMP: Final = "%Y%m%dT%H%M%S%fZ"
# A backup: when it was made, the FAQ it belongs to, and the digest of the version that replaced it.
_BACKUP_RE: Final = re.compile(
    r"(?P<stamp>\d{8}T\d{12}Z)\.(?P<stem>.+)\.(?P<after>[0-9a-f]{12})\.yaml"
)


class InvalidEdit(EditError):
    """An edit whose result would not pass `expo-bot check`."""

    def __init__(self, message: str, problems: tuple[Problem, ...]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Preview:
    """An edit made on one version of the file, not written: what the editor is shown."""

    edit: Edit
    base: str  # digest of the version it was made on
    text: str
    diff: str


@dataclass(frozen=True)
class Written:
    """What one write did."""

    what: str  # for the editor: 'added "…" to duration (zh)'
    diff: str
    backup: Path  # the copy of the version replaced (after an undo: of the version undone)
    digest: str  # of the version now on disk
    rebased: bool  # the file had changed since the review was drawn: the edit went on top


class FaqWriter:
    """Edits one FAQ file, keeping the versions it replaces in a history directory."""

    def __init__(self, faq: Path, history: Path) -> None:
        self.faq = faq
        self.history = history
        self.lock = faq.parent / f".{faq.name}.lock"

    def preview(self, edit: Edit) -> Preview:
        """The edit made on the file as it is now, with its diff; EditError if it cannot be."""
        before = self._read()
        text = faq_edit.apply(before, edit)
        return Preview(edit, digest_of(before.encode()), text, self._diff(before, text))

    def apply(
        self, edit: Edit, *, base: str | None = None, preview: Preview | None = None
    ) -> Written:
        """Make the edit on the current file and write it; EditError (the file untouched) if
        it cannot be made or the result would not pass `check`.

        base is the digest of the version the editor looked at (`Knowledge.digest`); a preview
        of this very edit on the current version is reused rather than made again.
        """
        with self._locked():
            before = self._read()
            current = digest_of(before.encode())
            if preview is not None and preview.edit == edit and preview.base == current:
                after = preview.text
            else:
                after = faq_edit.apply(before, edit)
            backup = self._replace(before, after)
        rebased = base is not None and base != current
        return Written(
            edit.describe(), self._diff(before, after), backup, self._digest(after), rebased
        )

    def undo(self) -> Written:
        """Restore the version the last write replaced; EditError if there is none, or if the
        file has changed since that write (undoing it would lose that change)."""
        with self._locked():
            before = self._read()
            backups = self.backups()
            if not backups:
                raise EditError(f"nothing to undo: {self.history} holds no earlier {self.faq.name}")
            newest = backups[-1]
            match = _BACKUP_RE.fullmatch(newest.name)
            if match is None or match["after"] != self._digest(before):
                raise EditError(
                    f"{self.faq} has changed since the last write, so undoing that write would "
                    f"lose the change; the version before it is {newest}"
                )
            try:
                restored = newest.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise EditError(f"cannot read {newest}: {exc}") from None
            undone = newest.with_name(newest.name.removesuffix(".yaml") + ".undone.yaml")
            self._replace(before, restored, keep=undone)
            newest.unlink()
        what = f"restored {self.faq} as it was before the last write"
        return Written(what, self._diff(before, restored), undone, self._digest(restored), False)

    def backups(self) -> list[Path]:
        """The copies of this FAQ's replaced versions that undo can restore, oldest first."""
        try:
            found = [
                p
                for p in self.history.iterdir()
                if (m := _BACKUP_RE.fullmatch(p.name)) and m["stem"] == self.faq.stem
            ]
        except FileNotFoundError:
            return []
        return sorted(found, key=lambda p: p.name)

    # --- the file ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            fd = os.open(self.lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise EditError(f"cannot lock {self.faq}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits for the other writer to finish
            yield
        finally:
            os.close(fd)  # and with it the lock

    def _read(self) -> str:
        try:
            return self.faq.read_bytes().decode("utf-8")
        except OSError as exc:
            raise EditError(f"cannot read {self.faq}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise EditError(f"{self.faq} is not UTF-8 text: {exc}") from None

    def _replace(self, before: str, after: str, *, keep: Path | None = None) -> Path:
        """Validate after, keep before (in keep, or a new backup), then put after in place."""
        tmp = self._validated(after.encode())
        try:
            if keep is None:
                keep = self._backup_path(self._digest(after))
            keep.parent.mkdir(parents=True, exist_ok=True)
            keep.write_bytes(before.encode())
            os.replace(tmp, self.faq)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise EditError(f"cannot write {self.faq}: {exc.strerror or exc}") from None
        return keep

    def _validated(self, data: bytes) -> Path:
        """A temporary file beside the FAQ holding data, once it passes `check`."""
        try:
            fd, name = tempfile.mkstemp(
                dir=self.faq.parent, prefix=f".{self.faq.name}.", suffix=".tmp"
            )
        except OSError as exc:
            raise EditError(f"cannot write beside {self.faq}: {exc.strerror or exc}") from None
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, stat.S_IMODE(self.faq.stat().st_mode))  # mkstemp's is owner-only
            problems = tuple(dataclasses.replace(p, file=str(self.faq)) for p in check(tmp))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if problems:
            tmp.unlink(missing_ok=True)
            listed = "\n".join(f"  {p}" for p in problems[:MAX_PROBLEMS])
            more = (
                f"\n  … and {len(problems) - MAX_PROBLEMS} more"
                if len(problems) > MAX_PROBLEMS
                else ""
            )
            raise InvalidEdit(
                f"the change would not pass `expo-bot check`:\n{listed}{more}", problems
            )
        return tmp

    def _backup_path(self, after: str) -> Path:
        """A new backup's name; later than every other, whatever the clock says."""
        now = datetime.now(UTC)
        existing = self.backups()
        if existing and (m := _BACKUP_RE.fullmatch(existing[-1].name)):
            latest = datetime.strptime(m["stamp"], _STAMP).replace(tzinfo=UTC)
            now = max(now, latest + timedelta(microseconds=1))
        return self.history / f"{now.strftime(_STAMP)}.{self.faq.stem}.{after}.yaml"

    def _diff(self, before: str, after: str) -> str:
        return faq_edit.diff(before, after, str(self.faq))

    @staticmethod
    def _digest(text: str) -> str:
        return digest_of(text.encode())
