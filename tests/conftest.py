"""Shared fixtures: the shipped FAQ, a responder over it, and scratch copies to break."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge import Knowledge, load
from bot.matcher import Matcher
from bot.replies import Responder

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
