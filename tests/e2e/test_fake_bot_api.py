"""The stand-in rejects what the real Bot API rejects, so a passing e2e test means something."""

from __future__ import annotations

from typing import Any

import pytest

from .fake_bot_api import ApiError, check_markup, check_text, parse_html


@pytest.mark.parametrize(
    "text",
    [
        "line<br>break",  # no <br> in Telegram HTML
        "<p>paragraph</p>",
        "<div>x</div>",
        "a < b",  # unescaped <
        "a > b",  # unescaped >
        "fish & chips",  # unescaped &
        "&nbsp;",  # named entities other than lt gt amp quot
        "<b>bold",  # unclosed
        "<b><i>x</b></i>",  # crossed
        "x</b>",  # stray end tag
        '<span class="red">x</span>',
        "<blockquote><blockquote>x</blockquote></blockquote>",
        '<b class="x">x</b>',
        "<code><b>x</b></code>",
    ],
)
def test_bad_html_is_rejected(text: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_html(text)
    assert raised.value.code == 400
    assert "can't parse entities" in raised.value.description


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("<b>bold</b> &amp; <i>it</i>", "bold & it"),
        ("<blockquote expandable><b>Source</b>\nquote</blockquote>", "Source\nquote"),
        ("&lt;tag&gt; &quot;q&quot; &#65;&#x42;", '<tag> "q" AB'),
        ('<a href="https://example.com">link</a>', "link"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ("<pre><code>x</code></pre>", "x"),
    ],
)
def test_good_html_is_accepted(text: str, visible: str) -> None:
    assert parse_html(text) == visible


def test_length_is_checked_after_entity_parsing() -> None:
    assert check_text("&amp;" * 4096, "HTML") == "&" * 4096
    with pytest.raises(ApiError, match="too long"):
        check_text("x" * 4097, None)
    with pytest.raises(ApiError, match="too long"):
        check_text("🙂" * 2049, None)  # 4,098 UTF-16 code units
    with pytest.raises(ApiError, match="empty"):
        check_text("<b> </b>", "HTML")


def test_markup_limits() -> None:
    ok = {"inline_keyboard": [[{"text": "Q?", "callback_data": "x" * 64}]]}
    assert check_markup(ok) == ok
    bad_markups: list[dict[str, Any]] = [
        {"inline_keyboard": [[{"text": "Q?", "callback_data": "x" * 65}]]},
        {"inline_keyboard": [[{"text": "Q?", "callback_data": "展" * 22}]]},  # 66 bytes
        {"inline_keyboard": [[{"text": " ", "callback_data": "x"}]]},
        {"inline_keyboard": [[{"text": "Q?"}]]},
        {"keyboard": []},
    ]
    for bad in bad_markups:
        with pytest.raises(ApiError):
            check_markup(bad)
