"""Settings from the environment: the editor-loop settings (admins, reload interval)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import DEFAULT_RELOAD_SECONDS, Settings
from bot.store import Location, PostgresUrl


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No .env and no EXPO_BOT_* variables but the ones a test sets."""
    monkeypatch.chdir(tmp_path)
    for name in ("EXPO_BOT_ADMINS", "EXPO_BOT_RELOAD_SECONDS", "EXPO_BOT_DB", "EXPO_BOT_SALT"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("", DEFAULT_RELOAD_SECONDS),
        ("0.05", 0.05),
        ("10", 10.0),
        ("0", 0.0),  # never reload
        ("-3", 0.0),
        ("soon", DEFAULT_RELOAD_SECONDS),
        ("nan", DEFAULT_RELOAD_SECONDS),
        ("inf", DEFAULT_RELOAD_SECONDS),
    ],
)
def test_reload_seconds(monkeypatch: pytest.MonkeyPatch, value: str, seconds: float) -> None:
    monkeypatch.setenv("EXPO_BOT_RELOAD_SECONDS", value)
    assert Settings.from_env().reload_seconds == seconds


def test_reload_seconds_default_to_two() -> None:
    assert Settings.from_env().reload_seconds == Settings().reload_seconds == 2.0


def test_admins_are_a_set_of_user_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPO_BOT_ADMINS", " 1001, 42;bad,, 1001 ")
    assert Settings.from_env().admins == frozenset({1001, 42})


def test_askers_are_counted_without_a_configured_salt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
    derived = Settings.from_env().salt
    assert derived and "A" * 35 not in derived  # secret, and not the token itself
    assert Settings.from_env().salt == derived  # stable across restarts
    monkeypatch.setenv("EXPO_BOT_SALT", "chosen")
    assert Settings.from_env().salt == "chosen"
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    monkeypatch.delenv("EXPO_BOT_SALT")
    assert Settings.from_env().salt == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", Path("var/expo-bot.sqlite3")),
        ("data/bot.sqlite3", Path("data/bot.sqlite3")),
        (
            "postgresql://bot:pw@db.internal/expo",
            PostgresUrl("postgresql://bot:pw@db.internal/expo"),
        ),
        (" postgres://bot@/expo?host=/run/pg ", PostgresUrl("postgres://bot@/expo?host=/run/pg")),
    ],
)
def test_db_is_a_sqlite_path_or_a_postgres_url(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: Location
) -> None:
    monkeypatch.setenv("EXPO_BOT_DB", value)
    assert Settings.from_env().db == expected


def test_the_database_password_is_a_secret_but_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("EXPO_BOT_DB", "postgresql://bot:p%40ss-word@db.internal/expo")
    settings = Settings.from_env()
    assert {"p%40ss-word", "p@ss-word", "A" * 35} <= settings.secrets()
    assert "ss-word" not in str(settings.db) and "ss-word" not in repr(settings)
    assert str(settings.db) == "postgresql://bot:***@db.internal/expo"


def test_every_setting_is_documented_in_env_example() -> None:
    root = Path(__file__).resolve().parents[1]
    read = set(re.findall(r'environ\.get\("([A-Z_]+)"', (root / "bot/config.py").read_text()))
    documented = set(re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.M))
    assert read and read <= documented, read - documented
