"""Unit tests of the interface wording: every text in both languages, placeholders that agree,
and Traditional on the way out."""

from __future__ import annotations

import string

import pytest

from bot.text import Lang
from bot.wording import KIND_DETAIL, SCOPE_WHAT, TEXTS, missing_details, say, scope_what, template


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_interface_text_exists_in_both_languages(lang: Lang) -> None:
    for key, texts in TEXTS.items():
        assert texts[lang].strip(), key
    for table in (SCOPE_WHAT, KIND_DETAIL):
        assert all(words[lang].strip() for words in table.values())


def test_both_languages_fill_in_the_same_values() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, texts in TEXTS.items():
        assert fields(texts["zh"]) == fields(texts["en"]), key


def test_chinese_wording_is_written_in_the_variant_asked_for() -> None:
    assert say("topics", "zh") == "选择一个话题:"
    assert say("topics", "zh", "tw") == "選擇一個話題:"
    assert say("related", "zh", "hk") == "相關問題:"
    assert say("related", "en", "hk") == "Related questions:"
    # Values are inserted as given: the FAQ's text is converted by whoever supplies it.
    assert say("empty", "zh", "tw", example="展商") == template("empty", "zh", "tw").format(
        example="展商"
    )


def test_scope_and_missing_details() -> None:
    assert scope_what("another year: 2016", "zh") == "另一年份"
    assert scope_what("something new: x", "en") == "something new"
    assert missing_details(("where", "unknown", "when"), "en") == ["where", "when"]
