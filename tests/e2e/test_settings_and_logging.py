"""Token and webhook settings, and keeping secrets out of logs."""

from __future__ import annotations

import io
import logging

import pytest
from telegram.error import InvalidToken

from bot.logs import RedactSecrets, _InvalidTokenReportedByRun
from bot.telegram.app import api_base_url
from bot.telegram.runner import token_problem, webhook_secret

from .fake_bot_api import TOKEN

SECRET_PART = TOKEN.split(":")[1]


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("", "not set"),
        ("123:abc", "malformed"),
        ("abc:" + "x" * 35, "malformed"),
        ("123456789:" + "x" * 29, "malformed"),
        ("123456789:" + "x" * 34 + " ", "malformed"),
        ("123456789:" + "x" * 34 + "\n", "malformed"),
        (TOKEN, None),
    ],
)
def test_token_problem(token: str, problem: str | None) -> None:
    found = token_problem(token)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found
        assert not token or token not in found


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"),
        ("https://tg.example.com/api/bot{token}/", "https://tg.example.com/api/bot{token}/"),
    ],
)
def test_base_url(given: str, used: str) -> None:
    assert api_base_url(given) == used


def test_default_webhook_secret_is_shared_and_valid() -> None:
    secret = webhook_secret(TOKEN)
    assert secret == webhook_secret(TOKEN)  # every instance computes the same one
    assert secret != webhook_secret(TOKEN + "x")
    assert SECRET_PART not in secret
    assert len(secret) == 64 and secret.isalnum()


def _emit(record: logging.LogRecord, *filters: logging.Filter) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for f in filters:
        handler.addFilter(f)
    handler.handle(record)
    return stream.getvalue()


def test_secrets_are_redacted_from_messages_arguments_and_tracebacks() -> None:
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    try:
        raise RuntimeError(f"request to {url} failed")
    except RuntimeError as exc:
        error = exc
    record = logging.LogRecord(
        "httpx", logging.WARNING, __file__, 1, "HTTP Request: POST %s", (url,), None
    )
    record.exc_info = (RuntimeError, error, error.__traceback__)
    out = _emit(record, RedactSecrets([TOKEN, SECRET_PART]))
    assert "POST https://api.telegram.org/bot[REDACTED]/getMe" in out
    assert "RuntimeError: request to" in out
    assert TOKEN not in out and SECRET_PART not in out


def test_a_secret_part_alone_is_redacted_too() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "secret=%s", (SECRET_PART,), None)
    assert SECRET_PART not in _emit(record, RedactSecrets([TOKEN, SECRET_PART]))


@pytest.mark.parametrize(
    "line",
    [
        "connecting to postgresql://bot:pw@db.internal/expo failed",  # too short to redact as such
        "conninfo: host=db.internal user=bot password=pw",
        "options postgres://bot@db.internal/expo?sslmode=require&password=pw",
    ],
)
def test_database_passwords_are_masked_however_short(line: str) -> None:
    record = logging.LogRecord("psycopg", logging.WARNING, __file__, 1, "%s", (line,), None)
    out = _emit(record, RedactSecrets([]))
    assert "pw" not in out.replace("password", "") and "***" in out


def test_a_long_database_password_is_redacted_anywhere() -> None:
    password = "correct-horse-battery"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "echo %s", (password,), None)
    assert password not in _emit(record, RedactSecrets([password]))


def test_rejected_token_tracebacks_are_left_to_run() -> None:
    error = InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    record = logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, "Invalid", (), None)
    record.exc_info = (InvalidToken, error, None)
    assert _emit(record, _InvalidTokenReportedByRun()) == ""
    other = logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, "other", (), None)
    assert _emit(other, _InvalidTokenReportedByRun()) == "other\n"
