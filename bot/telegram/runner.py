"""The entry point, `run()`: checks the settings, reaches the Bot API, then polls or serves a
webhook until SIGTERM or SIGINT.

Every way it can fail before serving is one line on stderr and an exit status (2 for settings,
1 for the network), never a traceback; while the Bot API cannot be reached at start-up it says,
one line per attempt, that it is retrying.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import sys
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError

from bot.config import Settings
from bot.logs import RedactSecrets, configure_logging
from bot.telegram.app import ALLOWED_UPDATES, BotApp, build_application
from bot.telegram.common import ResponderSource

_LOGGER = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,}")  # both used with fullmatch
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Attempts to reach the Bot API at start-up, and the wait before the first retry (it doubles):
# about 15 s in all before giving up, enough for a network blip, short of hiding an outage.
CONNECT_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 1.0
BOOTSTRAP_RETRIES = 5  # deleteWebhook / setWebhook attempts, once the API has answered getMe
DEFAULT_WEBHOOK_PORT = 8443


def token_problem(token: str) -> str | None:
    """Why a token cannot be used, without echoing it; None if it looks right."""
    if not token:
        return "TELEGRAM_BOT_TOKEN is not set (put it in the environment or in .env)"
    if not TOKEN_RE.fullmatch(token):
        return "TELEGRAM_BOT_TOKEN is malformed (expected digits, a colon and a long secret)"
    return None


def webhook_secret(token: str) -> str:
    """The default secret token: derived from the bot token, so every instance agrees on it."""
    return hmac.new(token.encode(), b"expo-bot webhook secret", hashlib.sha256).hexdigest()


def run(
    settings: Settings,
    *,
    webhook_url: str | None = None,
    port: int | None = None,
    secret: str | None = None,
    listen: str = "0.0.0.0",
    live: ResponderSource | None = None,
) -> int:
    """Run the bot until SIGTERM or SIGINT: long polling, or a webhook if `webhook_url` is given.

    Returns the exit status; problems with the settings are one line on stderr and status 2.
    A broken FAQ raises `FaqError`, which the CLI reports like every other command does.
    `live` defaults to a `LiveFaq` over `settings.faq`.
    """
    token = settings.token
    problem = token_problem(token)
    if problem is None and webhook_url:
        problem = _webhook_problem(webhook_url, secret)
    if problem:
        return _fail(problem, EXIT_USAGE)
    if live is None:
        from bot.reload import LiveFaq

        live = LiveFaq(settings.faq)
    secret = secret or webhook_secret(token)
    redact = RedactSecrets([*settings.secrets(), secret])
    configure_logging([*settings.secrets(), secret])
    application = build_application(settings, live)
    where = settings.base_url or "api.telegram.org"
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_reach_api(application, where, redact))
        if webhook_url:
            application.run_webhook(
                listen=listen,
                port=port or DEFAULT_WEBHOOK_PORT,
                url_path=urlsplit(webhook_url).path.lstrip("/"),
                webhook_url=webhook_url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            application.run_polling(
                allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather", EXIT_USAGE)
    except NetworkError as exc:
        reason = redact.redact(_reason(exc))
        return _fail(f"cannot reach the Bot API at {where}: {reason}", EXIT_FAILED)
    except OSError as exc:  # e.g. the webhook port is taken
        return _fail(f"cannot listen for the webhook: {exc.strerror or exc}", EXIT_FAILED)
    return EXIT_OK


async def _reach_api(application: BotApp, where: str, redact: RedactSecrets) -> None:
    """Call getMe until the Bot API answers, saying so before each retry; the last failure is
    raised. PTB would retry in silence, and then print a traceback."""
    wait = FIRST_RETRY_SECONDS
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            await application.bot.initialize()  # getMe; run_polling will not call it again
            return
        except NetworkError as exc:
            if attempt == CONNECT_ATTEMPTS:
                raise
            reason = redact.redact(_reason(exc))
            _LOGGER.warning(
                "Cannot reach the Bot API at %s (%s); retrying in %g s (attempt %d of %d)",
                where,
                reason,
                wait,
                attempt + 1,
                CONNECT_ATTEMPTS,
            )
            await asyncio.sleep(wait)
            wait *= 2


def _reason(exc: NetworkError) -> str:
    """The network error's own words, on one line (httpx nests the OS's reason in them)."""
    return " ".join(exc.message.split()) or type(exc).__name__


def _webhook_problem(webhook_url: str, secret: str | None) -> str | None:
    url = urlsplit(webhook_url)
    local = url.hostname in ("localhost", "127.0.0.1", "::1")
    if url.scheme != "https" and not (url.scheme == "http" and local):
        return "--webhook-url must be an https:// URL"
    if secret is not None and not SECRET_RE.fullmatch(secret):
        return "--secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
    return None


def _fail(message: str, status: int) -> int:
    print(f"expo-bot: error: {message}", file=sys.stderr)
    return status
