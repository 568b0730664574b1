"""Unit tests of the callback-data codec: taps round-trip within 64 bytes, foreign data is not
ours, and the handlers' patterns come from the codec."""

from __future__ import annotations

import re

import pytest

from bot.telegram.callback_data import MAX_CALLBACK_DATA, Action, Tap, pattern, result_id

# --- callback data -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tap",
    [
        Tap("answer", "zh", "exhibitors"),
        Tap("topic", "en", "figures", 3),
        Tap("topics", "zh"),
        Tap("lang", "en"),
        Tap("topic", "zh", "话题|with|bars"),
    ],
)
def test_taps_round_trip(tap: Tap) -> None:
    data = tap.encode()
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    assert Tap.decode(data) == tap


def test_long_ids_are_replaced_by_a_digest_that_still_resolves() -> None:
    long_id = "an_entry_id_that_is_much_too_long_to_fit_into_sixty_four_bytes_of_data"
    data = Tap("answer", "en", long_id).encode()
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    decoded = Tap.decode(data)
    assert decoded is not None
    assert decoded.refers_to(long_id)
    assert not decoded.refers_to(long_id + "x")
    wide = "展" * 30  # 90 bytes in UTF-8
    tap = Tap.decode(Tap("topic", "zh", wide).encode())
    assert tap is not None
    assert tap.refers_to(wide)


@pytest.mark.parametrize("data", [None, "", "x", "a|fr|0|id", "z|zh|0|id", "a|zh|x|id", "a|zh"])
def test_foreign_callback_data_is_not_a_tap(data: str | None) -> None:
    assert Tap.decode(data) is None


def test_result_ids_fit() -> None:
    assert result_id("exhibitors") == "exhibitors"
    assert len(result_id("x" * 100).encode()) <= 64


@pytest.mark.parametrize(
    "tap",
    [
        Tap("suggestion", "zh", "exhibitors", ref="AbC-_123"),
        Tap("up", "en", "exhibitors", ref="AbC-_123"),
        Tap("down", "zh", "话题|with|bars", ref=""),
        Tap("up", "en", "x" * 200, ref="AbC-_123"),
    ],
)
def test_taps_with_a_ref_round_trip_within_64_bytes(tap: Tap) -> None:
    data = tap.encode()
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    decoded = Tap.decode(data)
    assert decoded is not None
    assert (decoded.action, decoded.lang, decoded.ref) == (tap.action, tap.lang, tap.ref)
    assert decoded.refers_to(tap.arg)


@pytest.mark.parametrize("data", ["s|zh|bad ref|id", "u|zh|" + "r" * 17 + "|id", "d|en|#|id"])
def test_taps_with_a_malformed_ref_are_not_ours(data: str) -> None:
    assert Tap.decode(data) is None


def test_the_ref_replaces_the_page_only_where_it_is_used() -> None:
    assert Tap("topic", "en", "figures", 2, ref="ignored").encode() == "t|en|2|figures"
    assert Tap("suggestion", "en", "figures", 2, ref="R").encode() == "s|en|R|figures"


@pytest.mark.parametrize("variant", ["hans", "hk", "tw"])
def test_a_tap_keeps_the_written_form_of_chinese(variant: str) -> None:
    tap = Tap("answer", "zh", "exhibitors", variant=variant)  # type: ignore[arg-type]
    decoded = Tap.decode(tap.encode())
    assert decoded is not None and decoded.variant == variant and decoded.voice == tap.voice


ACTIONS: tuple[Action, ...] = ("answer", "suggestion", "topic", "topics", "lang", "up", "down")


@pytest.mark.parametrize("action", ACTIONS)
def test_each_handler_pattern_matches_its_own_taps_and_no_others(action: Action) -> None:
    data = Tap(action, "en", "exhibitors", ref="R").encode()
    for other in ACTIONS:
        assert bool(re.match(pattern(other), data)) == (other == action)
    assert re.match(pattern("up", "down"), Tap("down", "zh", "x").encode())
