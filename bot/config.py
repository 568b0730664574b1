"""Settings from the environment or a `.env` file; nothing else reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_FAQ = Path("knowledge/faq.yaml")
DEFAULT_DB = Path("var/expo-bot.sqlite3")


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once at start-up."""

    faq: Path = DEFAULT_FAQ
    db: Path = DEFAULT_DB
    token: str = ""
    base_url: str = ""
    admins: frozenset[int] = frozenset()
    salt: str = ""

    @classmethod
    def from_env(cls, faq: Path | None = None) -> Settings:
        """Read the environment, after loading `.env` from the working directory if present."""
        load_dotenv(override=False)
        admins = frozenset(
            int(part)
            for part in os.environ.get("EXPO_BOT_ADMINS", "").replace(";", ",").split(",")
            if part.strip().lstrip("-").isdigit()
        )
        return cls(
            faq=faq or Path(os.environ.get("EXPO_BOT_FAQ") or DEFAULT_FAQ),
            db=Path(os.environ.get("EXPO_BOT_DB") or DEFAULT_DB),
            token=os.environ.get("TELEGRAM_BOT_TOKEN", "").strip(),
            base_url=os.environ.get("TELEGRAM_BASE_URL", "").strip(),
            admins=admins,
            salt=os.environ.get("EXPO_BOT_SALT", ""),
        )
