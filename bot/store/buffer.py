"""What waits in memory while the database is away: events and /lang choices, up to a bound.

`OutageBuffer` is plain data: `EventLog` adds every write to it and empties it once the write has
reached the database. Past `size` items, new events are dropped and counted, so an outage costs a
bounded amount of memory and the count can be reported in one line when it ends. A /lang choice
replaces the user's earlier one and so never takes more than one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from bot.store.model import LangChoice, NewEvent

DEFAULT_SIZE: Final = 10_000  # a few MB of questions; at Telegram's 30 messages/s, over 5 minutes


@dataclass
class Written:
    """What one emptying of the buffer reports."""

    events: int
    langs: int
    dropped: int


@dataclass
class OutageBuffer:
    """Events and /lang choices not yet written, oldest first; at most size of them."""

    size: int = DEFAULT_SIZE
    events: list[NewEvent] = field(default_factory=list)
    langs: dict[str, LangChoice] = field(default_factory=dict)
    dropped: int = 0  # turned away since the buffer was last emptied, because it was full

    def __len__(self) -> int:
        return len(self.events) + len(self.langs)

    @property
    def full(self) -> bool:
        return len(self) >= self.size

    def add(self, event: NewEvent) -> bool:
        """Keep event for writing; False (and counted) if the buffer is full."""
        if self.full:
            self.dropped += 1
            return False
        self.events.append(event)
        return True

    def choose(self, choice: LangChoice) -> bool:
        """Keep a /lang choice, in place of the same user's earlier one; False if full."""
        if choice.user_key not in self.langs and self.full:
            self.dropped += 1
            return False
        self.langs[choice.user_key] = choice
        return True

    def lang_of(self, user_key: str) -> str | None:
        """A choice still waiting to be written: it is newer than the stored one."""
        choice = self.langs.get(user_key)
        return choice.lang if choice else None

    def empty(self) -> Written:
        """Forget everything (it has been written), reporting what there was."""
        written = Written(len(self.events), len(self.langs), self.dropped)
        self.events, self.langs, self.dropped = [], {}, 0
        return written
