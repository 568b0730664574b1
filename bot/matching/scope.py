"""The scope gate: a question about another event, edition or year is not covered.

Runs before anything is ranked, on the folded question and again after typo repair (a typo can
hide another event's name: 广交汇). Everything it knows comes from `meta.scope` in `faq.yaml`.
"""

from __future__ import annotations

import re

from bot.knowledge import Scope
from bot.matching.patterns import phrase_pattern
from bot.text import normalise, numbers_in

EDITION_RE = re.compile(
    r"第\s*([0-9零〇一二两三四五六七八九十百]+)\s*届|\b(\d+)\s*(?:st|nd|rd|th)\b"
)
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_CN_YEAR_RE = re.compile(r"([零〇一二三四五六七八九]{4})\s*年")
_CN_DIGIT = str.maketrans("零〇一二三四五六七八九", "00123456789")


class ScopeGate:
    """Says why a question is out of scope ("another event: 广交会"), or "" when it is not."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        self._names = phrase_pattern(scope.names)
        self._other_events = phrase_pattern(scope.other_events)
        self._other_times = phrase_pattern(scope.other_times)
        # Any "…交会"/"…博会" that is not one of the event's own names is another event.
        suffixes = [re.escape(normalise(x)) for x in scope.other_event_suffixes]
        self._event_suffix = (
            re.compile(f"[\u4e00-\u9fff]{{1,6}}(?:{'|'.join(suffixes)})") if suffixes else None
        )

    def reason(self, folded: str) -> str:
        """Why the folded question is about something else; "" if it is in scope."""
        return self.check(folded)[0]

    def check(self, folded: str) -> tuple[str, str]:
        """Why the folded question is about something else ("" if it is in scope), and the
        question with the phrase that says so taken out: 去年高交会有多少展商 → 高交会有多少展商."""
        hit = self._hit(folded)
        if hit is None:
            return "", folded
        reason, (start, end) = hit
        return reason, (folded[:start] + folded[end:]).strip()

    def _hit(self, folded: str) -> tuple[str, tuple[int, int]] | None:
        scope = self._scope
        if self._other_events and (hit := self._other_events.search(folded)):
            return f"another event: {hit.group(0)}", hit.span()
        if self._other_times and (hit := self._other_times.search(folded)):
            return f"another edition: {hit.group(0)}", hit.span()
        if scope.edition is not None:
            for m in EDITION_RE.finditer(folded):
                number = _edition_number(m.group(1) or m.group(2))
                if number is not None and number != scope.edition:
                    return f"another edition: {m.group(0)}", m.span()
        if scope.year is not None:
            years = [(m.group(1), m.span()) for m in _YEAR_RE.finditer(folded)]
            years += [
                (m.group(1).translate(_CN_DIGIT), m.span()) for m in _CN_YEAR_RE.finditer(folded)
            ]
            for year, span in years:
                if int(year) != scope.year:
                    return f"another year: {year}", span
        if self._event_suffix is not None:
            # Blank out the fair's own names, keeping every other character where it was.
            without_own = (
                self._names.sub(lambda m: " " * len(m.group(0)), folded) if self._names else folded
            )
            if hit := self._event_suffix.search(without_own):
                return f"another event: {hit.group(0)}", hit.span()
        return None


def _edition_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    found = numbers_in(text, chinese_numerals=True)
    return int(next(iter(found))) if len(found) == 1 else None
