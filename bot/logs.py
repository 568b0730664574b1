"""Logging for the Telegram bot: to stderr, httpx quietened, and secrets never written.

httpx logs every request URL at INFO, and Bot API URLs hold the token; so httpx is held at
WARNING, and every line (tracebacks included) is scrubbed of the token, the webhook secret and
the database password (and of the password in any URL or `password=` setting, whatever it is).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram.error import InvalidToken

from bot.store.location import mask_passwords


class RedactSecrets(logging.Filter):
    """Replace secrets in log records: defence in depth behind quietening httpx.

    Secrets shorter than 8 characters are not replaced as such (they would mangle ordinary
    words), but a password in a URL or a `password=` setting is masked however short.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, "[REDACTED]")
        return mask_passwords(value)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class _InvalidTokenReportedByRun(logging.Filter):
    """Drop PTB's traceback for a rejected token: `run` reports it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def configure_logging(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Log to stderr, with httpx quietened (its INFO lines hold the token) and secrets redacted."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    logging.getLogger().setLevel(level)  # a long-running service logs its start and stop
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # The store reports an outage itself, in one line; the pool's own warnings span several lines
    # and say it again at every reconnection attempt.
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_InvalidTokenReportedByRun())
        handler.addFilter(redact)
