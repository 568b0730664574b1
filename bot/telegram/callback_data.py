"""The callback-data codec: what an inline-keyboard button asks for, in at most 64 bytes.

`Tap.encode` writes `action|voice|page|arg` (or `action|voice|ref|arg` for the actions that
record the question asked); `Tap.decode` reads it back, or None for data that is not ours. The
handlers' patterns come from the same table (`pattern`), so a code is written in one place.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from bot.text import Lang, Variant, Voice

MAX_CALLBACK_DATA = 64  # bytes of callback_data (Bot API limit)

Action = Literal["answer", "suggestion", "topic", "topics", "lang", "up", "down"]
_CODES: dict[Action, str] = {
    "answer": "a",  # an entry's answer: related questions, examples, topic pages
    "suggestion": "s",  # the same, from a "did you mean" or closest suggestion: recorded
    "topic": "t",
    "topics": "T",
    "lang": "l",
    "up": "u",  # 👍 on an entry's answer
    "down": "d",  # 👎
}
_ACTIONS: dict[str, Action] = {code: action for action, code in _CODES.items()}
# The voice a tap answers in: its language and, for Chinese, its written form.
_VOICES: dict[str, Voice] = {
    "zh": Voice("zh"),
    "hk": Voice("zh", "hk"),
    "tw": Voice("zh", "tw"),
    "en": Voice("en"),
}
_VOICE_CODES: dict[Voice, str] = {voice: code for code, voice in _VOICES.items()}
#: Taps that carry `ref`, the short id of the question asked, in place of a page number.
REF_ACTIONS: frozenset[Action] = frozenset({"suggestion", "up", "down"})
REF_RE = re.compile(r"[A-Za-z0-9_-]{0,16}")


def pattern(*actions: Action) -> str:
    """The `CallbackQueryHandler` pattern that matches the taps of these actions."""
    codes = "".join(re.escape(_CODES[a]) for a in actions)
    return rf"^[{codes}]\|"


@dataclass(frozen=True)
class Tap:
    """What an inline-keyboard button asks for when tapped."""

    action: Action
    lang: Lang
    arg: str = ""
    page: int = 0
    ref: str = ""  # suggestions and 👍/👎: the asked question's id (see REF_ACTIONS), or ""
    variant: Variant = "hans"  # the written form of Chinese the answer is shown in

    @property
    def voice(self) -> Voice:
        return Voice(self.lang, self.variant if self.lang == "zh" else "hans")

    def encode(self) -> str:
        """`callback_data`: `action|voice|page|arg`, or `action|voice|ref|arg` for REF_ACTIONS;
        arg is replaced by a digest if too long."""
        third = self.ref if self.action in REF_ACTIONS else str(self.page)
        head = f"{_CODES[self.action]}|{_VOICE_CODES[self.voice]}|{third}|"
        data = head + self.arg
        if len(data.encode()) > MAX_CALLBACK_DATA:
            data = head + "#" + digest(self.arg)
        return data

    @classmethod
    def decode(cls, data: str | None) -> Tap | None:
        """The tap encoded in `callback_data`, or None if it is not one of ours."""
        parts = (data or "").split("|", 3)
        if len(parts) != 4 or parts[0] not in _ACTIONS or parts[1] not in _VOICES:
            return None
        action, voice = _ACTIONS[parts[0]], _VOICES[parts[1]]
        if action in REF_ACTIONS:
            if not REF_RE.fullmatch(parts[2]):
                return None
            return cls(action, voice.lang, parts[3], ref=parts[2], variant=voice.variant)
        if not parts[2].isdigit():
            return None
        return cls(action, voice.lang, parts[3], int(parts[2]), variant=voice.variant)

    def refers_to(self, key: str) -> bool:
        """Whether `arg` names this id, directly or by its digest."""
        return self.arg in (key, "#" + digest(key))


def digest(value: str) -> str:
    """A short stable stand-in for an id too long for `callback_data` or an inline result id."""
    return hashlib.blake2s(value.encode(), digest_size=12).hexdigest()


def result_id(entry_id: str) -> str:
    """An inline result id (at most 64 bytes) for an entry."""
    return entry_id if len(entry_id.encode()) <= MAX_CALLBACK_DATA else "#" + digest(entry_id)
