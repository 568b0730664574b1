"""Settings from the environment or a `.env` file; nothing else reads os.environ."""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dotenv import load_dotenv

from bot.store.location import Location, PostgresUrl, parse_location

if TYPE_CHECKING:
    from bot.faq_writer import FaqWriter

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FAQ = PROJECT_ROOT / "knowledge" / "faq.yaml"  # whatever the working directory
DEFAULT_DB = Path("var/expo-bot.sqlite3")
DEFAULT_FAQ_HISTORY = Path("var/faq-history")
DEFAULT_CACHE = PROJECT_ROOT / "var" / "cache"
DEFAULT_SEMANTIC = "use"
DEFAULT_RELOAD_SECONDS = 2.0
DEFAULT_CONTEXT_SECONDS = 600.0


def parse_models(value: str) -> tuple[str, ...]:
    """The embedding models an EXPO_BOT_SEMANTIC value names: "use", "e5", "use,e5"; "off": none."""
    value = value.strip().lower()
    if value in ("off", "none", "no", "false", "0", "lexical"):
        return ()
    return tuple(dict.fromkeys(p.strip() for p in value.replace("+", ",").split(",") if p.strip()))


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once at start-up."""

    faq: Path = DEFAULT_FAQ
    db: Location = DEFAULT_DB  # a SQLite file, or a PostgreSQL server (postgresql:// URL)
    token: str = ""
    base_url: str = ""
    admins: frozenset[int] = frozenset()
    salt: str = ""
    reload_seconds: float = DEFAULT_RELOAD_SECONDS  # how often the bot checks the FAQ; 0: never
    semantic: tuple[str, ...] = parse_models(DEFAULT_SEMANTIC)  # embedding models; () is off
    cache_dir: Path = DEFAULT_CACHE  # derived data kept between runs: vectors, built indexes
    context_seconds: float = DEFAULT_CONTEXT_SECONDS  # a conversation's memory for follow-ups
    faq_history: Path = DEFAULT_FAQ_HISTORY  # the FAQ versions replaced by edits, for undo

    @classmethod
    def from_env(cls, faq: Path | None = None) -> Settings:
        """Read the environment, after loading `.env` from the working directory if present."""
        load_dotenv(override=False)
        admins = frozenset(
            int(part)
            for part in os.environ.get("EXPO_BOT_ADMINS", "").replace(";", ",").split(",")
            if part.strip().lstrip("-").isdigit()
        )
        token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        return cls(
            faq=faq or Path(os.environ.get("EXPO_BOT_FAQ") or DEFAULT_FAQ),
            db=parse_location(os.environ.get("EXPO_BOT_DB", "").strip() or DEFAULT_DB),
            token=token,
            base_url=os.environ.get("TELEGRAM_BASE_URL", "").strip(),
            admins=admins,
            salt=os.environ.get("EXPO_BOT_SALT") or _salt_from(token),
            reload_seconds=_seconds(os.environ.get("EXPO_BOT_RELOAD_SECONDS", "")),
            context_seconds=_seconds(
                os.environ.get("EXPO_BOT_CONTEXT_SECONDS", ""), DEFAULT_CONTEXT_SECONDS
            ),
            semantic=parse_models(os.environ.get("EXPO_BOT_SEMANTIC") or DEFAULT_SEMANTIC),
            cache_dir=Path(os.environ.get("EXPO_BOT_CACHE") or DEFAULT_CACHE),
            faq_history=Path(os.environ.get("EXPO_BOT_FAQ_HISTORY") or DEFAULT_FAQ_HISTORY),
        )

    def faq_writer(self) -> FaqWriter:
        """The writer of the FAQ file, keeping replaced versions in `faq_history`."""
        from bot.faq_writer import FaqWriter

        return FaqWriter(self.faq, self.faq_history)

    def secrets(self) -> frozenset[str]:
        """What must never reach a log line: the token, its secret part, the database password."""
        found = {self.token, self.token.partition(":")[2]}
        if isinstance(self.db, PostgresUrl):
            found |= self.db.passwords
        return frozenset(s for s in found if s)


def _salt_from(token: str) -> str:
    """A salt for hashing askers when none is set: secret (derived from the token) and stable."""
    if not token:
        return ""
    return hmac.new(token.encode(), b"expo-bot asker salt", hashlib.sha256).hexdigest()


def _seconds(value: str, default: float = DEFAULT_RELOAD_SECONDS) -> float:
    """A non-negative number of seconds; the default when empty or not a number."""
    try:
        seconds = float(value)
    except ValueError:
        return default
    return max(seconds, 0.0) if math.isfinite(seconds) else default
