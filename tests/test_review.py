"""The editor's review: grouping, ordering, time windows, rendering and the CLI entry point."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.review import (
    ReviewReport,
    build_report,
    disliked_entries,
    group_questions,
    main,
    parse_since,
    question_similarity,
    render_text,
    review,
    to_json,
)
from bot.store import Event, EventLog, Location, PostgresUrl, ScoredEntry, Stats
from bot.text import normalise
from tests.factories import reply

SALT = "test-salt"
T0 = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


_ids: Iterator[int] = iter(range(1, 1_000_000))


def event(
    query: str,
    kind: str = "refuse",
    *candidates: tuple[str, float],
    asker: str | None = "a1",
    entry_id: str | None = None,
    at: datetime = T0,
    lang: str = "zh",
    understood: str = "",
) -> Event:
    return Event(
        id=next(_ids),
        at=at,
        kind=kind,
        query=query,
        lang=lang,
        entry_id=entry_id,
        score=None,
        candidates=tuple(ScoredEntry(e, s) for e, s in candidates),
        asker=asker,
        understood=understood,
    )


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "var" / "events.sqlite3"


# --- time windows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        (" 7D ", timedelta(days=7)),
        ("1 h", timedelta(hours=1)),
    ],
)
def test_parse_since(text: str, expected: timedelta) -> None:
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "7x", "-1d", "1.5d", "7days", "7d3h", "0d"])
def test_parse_since_rejects_with_a_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"invalid time window") as info:
        parse_since(text)
    message = str(info.value)
    assert repr(text) in message
    if text != "0d":
        assert "30m, 24h, 7d or 2w" in message


def test_parse_since_too_long() -> None:
    with pytest.raises(ValueError, match="too long"):
        parse_since("999999999999w")


# --- grouping -------------------------------------------------------------------------------------


def test_similarity_separates_different_questions() -> None:
    def sim(a: str, b: str) -> float:
        return question_similarity(normalise(a), normalise(b))

    assert sim("when does the fair open", "the fair opens when") >= 85
    assert sim("展会在哪里举办", "展会在哪举办") >= 85
    assert sim("is there wifi", "is there wi-fi") >= 85
    assert sim("门票多少钱", "车票多少钱") < 85
    assert sim("how many exhibitors", "how many visitors") < 85


def test_near_duplicates_are_grouped_most_asked_first() -> None:
    events = [
        event("展会在哪里举办？", "refuse", ("venue", 40), asker="a1"),
        event("展会在哪里举办", "refuse", ("venue", 42), asker="a2"),
        event("展会在哪举办", "ambiguous", ("venue", 61), ("hall", 59), asker="a1"),
        event("請問展會在哪裡舉辦", "refuse", asker="a3"),  # Traditional, with a filler
        event("门票多少钱", "refuse", asker="a4"),
        event("车票多少钱", "refuse", asker="a4"),
        event("When does the fair open?", "refuse", lang="en", asker=None),
        event("the fair opens when", "refuse", lang="en", asker=None),
    ]
    groups = group_questions(events)
    assert [g.count for g in groups] == [4, 2, 1, 1]
    venue = groups[0]
    assert venue.askers == 3
    assert (venue.refused, venue.ambiguous, venue.out_of_scope) == (3, 1, 0)
    assert len(venue.examples) == 2  # 3 typed forms of one normalised text count as one
    assert venue.examples[0] in ("展会在哪里举办？", "展会在哪里举办", "請問展會在哪裡舉辦")
    assert venue.examples[1] == "展会在哪举办"
    assert venue.closest == (ScoredEntry("venue", 61), ScoredEntry("hall", 59))
    assert venue.langs == ("zh",)
    english = groups[1]
    assert english.askers == 0  # askers not recorded
    assert set(english.examples) == {"When does the fair open?", "the fair opens when"}
    assert {g.examples for g in groups[2:]} == {("门票多少钱",), ("车票多少钱",)}


def test_examples_are_capped_and_most_asked_first() -> None:
    events = [event("what time does the fair open today")] * 4
    events += [event("what time does the fair open")] * 2
    events += [event("what time does the fair open now"), event("what time does the fair open?!")]
    events += [event("what time did the fair open")]
    (group,) = group_questions(events)
    assert group.count == 9
    assert len(group.examples) == 3
    assert group.examples[:2] == (
        "what time does the fair open today",
        "what time does the fair open",
    )


def test_alike_questions_pointing_at_different_entries_stay_apart() -> None:
    events = [
        event("展会什么时候开幕", "refuse", ("opening", 55), ("closing", 50)),
        event("展会什么时候闭幕", "refuse", ("closing", 58), ("opening", 51)),
    ]
    assert len(group_questions(events)) == 2
    weak = [
        event("展会什么时候开幕", "refuse", ("opening", 30)),
        event("展会什么时候开幕了", "refuse", ("closing", 30)),
    ]
    assert len(group_questions(weak)) == 1  # weak candidates do not keep phrasings apart


def test_taps_count_for_the_question_they_were_offered_for() -> None:
    asked = [
        event("how many visitors came", "ambiguous", ("visitors", 90), ("countries", 88)),
        event("how many visitors came?", "ambiguous", ("visitors", 90), ("countries", 88)),
        event("is there wifi", "refuse"),
    ]
    taps = [
        event("how many visitors came", "suggestion_tap", entry_id="visitors"),
        event("How many visitors came", "suggestion_tap", entry_id="visitors"),
        event("how many visitors came?", "suggestion_tap", entry_id="countries"),
        event("something else entirely", "suggestion_tap", entry_id="weather"),
    ]
    groups = group_questions(asked, taps=taps)
    assert groups[0].chosen == (("visitors", 2), ("countries", 1))
    assert groups[1].chosen == ()


def test_follow_ups_are_grouped_and_shown_by_what_they_were_read_as() -> None:
    events = [
        event("那中科院呢?", understood="中科院专馆在几号馆"),
        event("中科院呢", understood="中科院专馆在几号馆"),
        event("那中科院呢?", understood="中科院有多少项成果"),  # after another question
        event("中科院专馆在几号馆?"),  # typed whole, it asks what the first two were read as
    ]
    groups = group_questions(events)
    assert [g.count for g in groups] == [3, 1]
    assert groups[0].understood[0] == "中科院专馆在几号馆"
    assert groups[0].question == "中科院专馆在几号馆"  # what an editor would add as a variant
    text = render_text(build_report(events, Stats.empty(T0), since=T0))
    assert '"那中科院呢?" (read as "中科院专馆在几号馆")' in text
    assert '"那中科院呢?" (read as "中科院有多少项成果")' in text


def test_disliked_entries() -> None:
    events = [
        event("how many people came", "thumbs_down", entry_id="visitors", asker="a1"),
        event("How many people came?", "thumbs_down", entry_id="visitors", asker="a2"),
        event("客流量", "thumbs_down", entry_id="visitors", asker="a2"),
        event("how many people came", "thumbs_up", entry_id="visitors"),
        event("几号闭幕", "thumbs_down", entry_id="closing"),
        event("几号闭幕", "thumbs_up", entry_id="closing"),
        event("几号闭幕", "thumbs_up", entry_id="closing"),
        event("几号开幕", "thumbs_up", entry_id="opening"),  # only 👍: nothing to fix
    ]
    visitors, closing = disliked_entries(events)
    assert (visitors.entry_id, visitors.down, visitors.up, visitors.askers) == ("visitors", 3, 1, 2)
    assert visitors.examples == ("how many people came", "客流量")
    assert (closing.entry_id, closing.down, closing.up) == ("closing", 1, 2)


def test_report_separates_out_of_scope_and_applies_the_limit() -> None:
    asked = ["停车场在哪里", "门票多少钱", "is there wifi", "where is the press centre", "几点关门"]
    events = [event(q, "refuse") for q in asked]
    events += [event("广交会几号开幕", "out_of_scope")] * 3
    events += [event("2023年有多少展商", "out_of_scope")]
    report = build_report(events, Stats.empty(), limit=2)
    assert report.unanswered_total == 5
    assert len(report.unanswered) == 2
    assert all(g.out_of_scope == 0 for g in report.unanswered)
    assert report.out_of_scope_total == 2
    assert report.out_of_scope[0].examples == ("广交会几号开幕",)
    assert report.out_of_scope[0].count == 3
    assert "(+3 groups not shown)" in render_text(report)


# --- reading the log ------------------------------------------------------------------------------


def fill(store: Location) -> None:
    """A week of traffic: old questions 8 days ago, recent ones now."""
    clock = Clock(T0 - timedelta(days=8))
    with EventLog.open(store, salt=SALT, clock=clock) as log:
        log.record_reply(reply("停车场在哪里", "refuse", ("venue", 46)), asker=1)
        log.record_feedback(entry_id="closing", lang="zh", query="几号闭幕", up=False, asker=1)
        clock.now = T0
        for asker in (1, 2, 3):
            log.record_reply(reply("天气怎么样", "refuse", ("weather", 56)), asker=asker)
        log.record_reply(reply("天气如何?", "refuse", ("weather", 57)), asker=4)
        log.record_reply(reply("how many visitors came", "ambiguous", ("visitors", 90)), asker=5)
        log.record_suggestion_tap(
            query="how many visitors came", lang="en", entry_id="visitors", asker=5
        )
        log.record_reply(reply("广交会几号开幕", "out_of_scope"), asker=6)
        log.record_reply(reply("几号闭幕", "answer", ("closing", 91)), asker=6)
        log.record_feedback(entry_id="closing", lang="zh", query="几号闭幕", up=False, asker=6)


def test_review_since_filters_old_events(store: Location) -> None:
    fill(store)
    with EventLog.open(store, salt=SALT) as log:
        recent = review(log, since=T0 - timedelta(days=7), limit=10)
        everything = review(log, since=None, limit=10)
    examples = [e for g in recent.unanswered for e in g.examples]
    assert "停车场在哪里" not in examples
    assert recent.unanswered[0].examples[0] == "天气怎么样"
    assert recent.unanswered[0].count == 3  # 天气如何 scores below the similarity threshold
    assert recent.stats.served == 7
    assert recent.disliked[0].down == 1
    assert "停车场在哪里" in [e for g in everything.unanswered for e in g.examples]
    assert everything.disliked[0].down == 2
    assert everything.stats.served == 8


def test_render_text_is_plain_and_complete(store: Location) -> None:
    fill(store)
    with EventLog.open(store, salt=SALT) as log:
        text = render_text(review(log, since=T0 - timedelta(days=7)))
    assert "<" not in text and "*" not in text  # no HTML or Markdown
    assert "since 2025-11-13 09:00 UTC" in text
    assert '"天气怎么样"' in text
    assert "closest: weather 56" in text
    assert "chosen from suggestions: visitors 1×" in text
    assert "Out of scope" in text and '"广交会几号开幕"' in text
    assert "closing: 👎 1, 👍 0" in text
    assert text.index("天气怎么样") < text.index("how many visitors came")


def test_render_empty_report() -> None:
    report = build_report([], Stats.empty(T0), since=T0)
    assert report.empty
    assert render_text(report) == "No questions recorded since 2025-11-20 09:00 UTC."


def test_to_json_is_serialisable(store: Location) -> None:
    fill(store)
    with EventLog.open(store, salt=SALT) as log:
        report = review(log, since=None, limit=1)
    data = json.loads(json.dumps(to_json(report), ensure_ascii=False))
    assert data["since"] is None
    assert data["stats"]["served"] == 8
    assert data["unanswered"]["total"] == 4
    (group,) = data["unanswered"]["groups"]
    assert group["examples"] == ["天气怎么样"]
    assert group["closest"] == [{"id": "weather", "score": 56.0}]
    assert data["out_of_scope"]["groups"][0]["examples"] == ["广交会几号开幕"]
    assert data["disliked"]["entries"][0] == {
        "id": "closing",
        "down": 2,
        "up": 0,
        "askers": 2,
        "examples": ["几号闭幕"],
        "last_down": T0.isoformat(),
    }


def test_review_report_is_frozen() -> None:
    report = build_report([], Stats.empty())
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.limit = 3  # type: ignore[attr-defined]
    assert isinstance(report, ReviewReport)


# --- the CLI entry point --------------------------------------------------------------------------


def test_main_prints_the_report(store: Location, capsys: pytest.CaptureFixture[str]) -> None:
    clock = Clock(datetime.now(UTC) - timedelta(hours=3))
    with EventLog.open(store, salt=SALT, clock=clock) as log:
        log.record_reply(reply("old question about parking"))
        clock.now = datetime.now(UTC)
        log.record_reply(reply("new question about parking"))
    assert main(Settings(db=store, salt=SALT), "1h", 20, False) == 0
    out = capsys.readouterr().out
    assert "new question about parking" in out
    assert "old question about parking" not in out
    assert main(Settings(db=store, salt=SALT), "all", 20, False) == 0
    assert "old question about parking" in capsys.readouterr().out


def test_main_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with EventLog.open(db, salt=SALT) as log:
        log.record_reply(reply("is there wifi", lang="en"))
    assert main(Settings(db=db, salt=SALT), "7d", 5, True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unanswered"]["groups"][0]["examples"] == ["is there wifi"]


def test_main_bad_since(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(Settings(db=db), "7x", 20, False) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "invalid time window '7x'" in captured.err
    assert main(Settings(db=db), "7d", 0, False) == 2
    assert "limit" in capsys.readouterr().err


def test_main_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Path("var") / "none.sqlite3"  # relative, as EXPO_BOT_DB may be
    monkeypatch.chdir(tmp_path)
    assert main(Settings(db=db), "7d", 20, False) == 0
    out = capsys.readouterr().out
    assert out.startswith("No questions recorded since ")
    assert f" in {tmp_path / 'var' / 'none.sqlite3'}." in out  # the absolute path it read
    assert "Only the Telegram bot (`expo-bot telegram`) records questions" in out
    assert main(Settings(db=db), "all", 20, True) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["stats"]["served"] == 0
    assert "No questions recorded so far in " in captured.err
    assert not db.exists() and not db.parent.exists()


def test_main_empty_database_names_it(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with EventLog.open(db, salt=SALT):
        pass
    assert main(Settings(db=db), "7d", 20, False) == 0
    out = capsys.readouterr().out
    assert f"in {db.resolve()}." in out and "Only the Telegram bot" in out
    assert "Questions since" not in out  # no empty report under the message


def test_main_unreadable_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "garbage.sqlite3"
    db.write_bytes(b"not a database" * 200)
    assert main(Settings(db=db), "7d", 20, False) == 1
    err = capsys.readouterr().err
    assert "cannot open the event store" in err and "file is not a database" in err
    assert err.count("\n") == 1


def test_main_unreachable_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = PostgresUrl(f"postgresql://postgres:pw@/postgres?host={tmp_path}")
    assert main(Settings(db=url), "7d", 20, False) == 1
    err = capsys.readouterr().err
    assert err.startswith("expo-bot review: cannot open the event store postgresql://")
    assert err.count("\n") == 1 and ":pw@" not in err
