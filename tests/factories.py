"""Small builders of matcher candidates and replies, for tests that need no real FAQ."""

from __future__ import annotations

from typing import Any

from bot.matching.decision import Candidate, Decision
from bot.replies import Reply
from bot.text import Lang


def candidate(entry_id: str, score: float, **evidence: Any) -> Candidate:
    """A candidate with the given score; the matcher's other measurements zero unless given."""
    values: dict[str, Any] = {
        "fuzzy": 0.0,
        "coverage": 0.0,
        "dice": 0.0,
        "conflict": 0.0,
        "variant": "",
        "lexical": score,
        **evidence,
    }
    return Candidate(entry_id, score, **values)


def reply(
    query: str,
    kind: Decision = "refuse",
    *candidates: tuple[str, float],
    lang: Lang = "zh",
    entry_id: str | None = None,
) -> Reply:
    """A reply to query with candidates given as (entry id, score), best first.

    An answer's entry defaults to its best candidate.
    """
    cands = tuple(candidate(e, s) for e, s in candidates)
    score = cands[0].score if cands else 0.0
    if entry_id is None and kind == "answer" and cands:
        entry_id = cands[0].entry_id
    return Reply(query, lang, kind, "…", entry_id=entry_id, score=score, candidates=cands)
