"""Where the event store lives: a SQLite file, or a PostgreSQL server named by a URL.

`EXPO_BOT_DB` holding a `postgresql://` or `postgres://` URL means PostgreSQL; anything else is a
SQLite path, as it always was. A `PostgresUrl` keeps its password out of every text made from it:
`str()` and `repr()` show the URL with the password masked, and `scrub` masks it in any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, unquote, urlsplit

POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")
MASK: Final = "***"


def is_postgres_url(value: str) -> bool:
    """Whether value names a PostgreSQL server rather than a SQLite file."""
    return value.strip().lower().startswith(POSTGRES_SCHEMES)


@dataclass(frozen=True)
class PostgresUrl:
    """A PostgreSQL connection URL; its text form never shows the password."""

    url: str = field(repr=False)

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:
        return f"PostgresUrl({self.redacted!r})"

    @property
    def passwords(self) -> frozenset[str]:
        """The password as written in the URL and as decoded, from the user part or the query."""
        found: set[str] = set()
        try:
            parts = urlsplit(self.url)
            if parts.password:
                found |= {parts.password, unquote(parts.password)}
            query = parse_qsl(parts.query, keep_blank_values=True)
        except ValueError:  # a malformed URL: nothing reliable to extract
            return frozenset()
        found |= {value for name, value in query if name == "password" and value}
        raw = {part.partition("=")[2] for part in parts.query.split("&")}
        found |= {value for value in raw if value and unquote(value) in found}
        return frozenset(found)

    @property
    def redacted(self) -> str:
        """The URL with the password masked, for messages and logs."""
        return mask_passwords(self.url)

    def scrub(self, text: str) -> str:
        """text with every form of the password masked (error messages may quote the URL)."""
        for secret in sorted(self.passwords, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return mask_passwords(text)


def mask_passwords(text: str) -> str:
    """text with the password of any URL (`scheme://user:PASSWORD@`) or `password=` masked.

    By pattern rather than by value, so a password too short to redact literally, or one from a
    URL that does not parse, is still masked.
    """
    return _PASSWORD_PARAM.sub(rf"\1{MASK}", _URL_PASSWORD.sub(rf"\1{MASK}@", text))


_URL_PASSWORD: Final = re.compile(r"(://[^:/?#@\s]*:)[^@\s]+@")
_PASSWORD_PARAM: Final = re.compile(r"(?i)(\bpassword\s*=\s*)('[^']*'|[^&\s]+)")


Location = Path | PostgresUrl


def parse_location(value: str | Path | PostgresUrl) -> Location:
    """A PostgresUrl for a postgresql:// or postgres:// URL; a SQLite Path for anything else."""
    if isinstance(value, PostgresUrl | Path):
        return value
    return PostgresUrl(value.strip()) if is_postgres_url(value) else Path(value)
