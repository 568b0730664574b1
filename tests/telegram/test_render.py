"""Unit tests of the Telegram presentation: HTML, splitting, buttons, callback data, labels.

HTML validity is judged by the Bot API stand-in's parser (tests/e2e/fake_bot_api.py), which is
written independently of the renderer and rejects what Telegram rejects.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup

from bot.knowledge import Bilingual, Entry, Knowledge, Passage, Problem, Topic
from bot.matching.decision import Candidate, Decision
from bot.recorder import AskedQuestions, Lru
from bot.replies import Reply, Source, Suggestion, SuggestionKind
from bot.store import MAX_CANDIDATES, MAX_QUERY_CHARS, Stats
from bot.telegram import render
from bot.telegram.callback_data import REF_RE
from bot.telegram.questions import tracked
from bot.telegram.render import MAX_TEXT, Block
from bot.text import ENGLISH, Lang, Voice
from tests.e2e.fake_bot_api import ApiError, check_markup, parse_html, utf16_len


def answer(
    text: str = "There were 3,049 exhibitors.",
    source: str = "3049家展商参展",
    speaker: str = "Gao Yuyue",
    lang: Lang = "en",
    suggestions: tuple[Suggestion, ...] = (Suggestion("projects", "How many projects?"),),
) -> Reply:
    return Reply(
        query="q",
        lang=lang,
        kind="answer",
        answer=text,
        entry_id="exhibitors",
        score=100.0,
        source=Source(source, speaker),
        suggestions=suggestions,
        suggestion_kind="related" if suggestions else "none",
    )


def valid(chunk: str) -> str:
    """The visible text of a chunk, asserting Telegram would accept it."""
    visible = parse_html(chunk)
    assert 0 < utf16_len(visible.strip()) <= MAX_TEXT
    return visible


def markup_json(markup: InlineKeyboardMarkup | None) -> dict[str, object] | None:
    return markup.to_dict() if markup else None


# --- one message -----------------------------------------------------------------------------


def test_answer_then_source_quote_with_speaker_then_related() -> None:
    [out] = render.render_reply(answer())
    assert out.text == (
        "There were 3,049 exhibitors.\n\n"
        "<blockquote expandable><b>Source: Gao Yuyue</b>\n3049家展商参展</blockquote>\n\n"
        "Related questions:"
    )
    assert out.markup is not None
    [[button], [up, down]] = out.markup.inline_keyboard
    assert (button.text, button.callback_data) == ("How many projects?", "a|en|0|projects")
    assert (up.text, up.callback_data) == ("👍", "u|en||exhibitors")
    assert (down.text, down.callback_data) == ("👎", "d|en||exhibitors")


def test_several_answers_each_say_their_question_and_quote_their_source() -> None:
    one = replace(answer(), understood="How many exhibitors")
    two = replace(
        answer("592,000 visits.", "59.2万人次观众", "Press release"),
        entry_id="visitors",
        understood="and how many visitors",
    )
    missed = Reply(query="and the weather", lang="en", kind="refuse", answer="Sorry")
    both = replace(one, query="q", parts=(one, missed, two))
    [out] = render.render_reply(both)
    text = valid(out.text)
    assert text.index("(How many exhibitors?)") < text.index("3,049") < text.index("Gao Yuyue")
    assert text.index("Gao Yuyue") < text.index("(and how many visitors?)") < text.index("592,000")
    assert "Press release" in text and "Sorry" not in text  # what was not answered is not shown


def test_everything_from_the_faq_is_escaped() -> None:
    reply = answer("a < b & c > d", "<i>quoted</i> & more", "Dr. <Who> & co")
    [out] = render.render_reply(reply)
    visible = valid(out.text)
    assert "a < b & c > d" in visible
    assert "<i>quoted</i> & more" in visible
    assert "Dr. <Who> & co" in visible
    assert "<i>" not in out.text


def test_refusal_with_examples_has_no_quote() -> None:
    reply = Reply(
        query="weather?",
        lang="zh",
        kind="refuse",
        answer="抱歉,没有涉及。",
        suggestions=(Suggestion("a", "问题一"), Suggestion("b", "问题二")),
        suggestion_kind="examples",
    )
    [out] = render.render_reply(reply)
    assert out.text == "抱歉,没有涉及。\n\n可以试试这些问题:"
    assert out.markup is not None
    assert [row[0].callback_data for row in out.markup.inline_keyboard] == ["a|zh|0|a", "a|zh|0|b"]


def test_did_you_mean_is_introduced_by_the_answer_itself() -> None:
    reply = Reply(
        query="q",
        lang="en",
        kind="ambiguous",
        answer="Did you mean:",
        suggestions=(Suggestion("a", "A?"), Suggestion("b", "B?")),
        suggestion_kind="did_you_mean",
    )
    [out] = render.render_reply(reply)
    assert out.text == "Did you mean:"


def test_button_labels_are_clipped() -> None:
    reply = answer(suggestions=(Suggestion("x", "长" * 200),))
    [out] = render.render_reply(reply)
    assert out.markup is not None
    label = out.markup.inline_keyboard[0][0].text
    assert len(label) == render.MAX_LABEL
    assert label.endswith("…")


# --- splitting ---------------------------------------------------------------------------------


def test_short_paragraphs_stay_together() -> None:
    assert render.split([Block("one"), Block("two")]) == ["one\n\ntwo"]


def test_split_at_paragraph_boundaries() -> None:
    paragraphs = [Block(f"{i}" + "x" * 1500) for i in range(5)]
    chunks = render.split(paragraphs)
    assert len(chunks) == 3
    for chunk in chunks:
        valid(chunk)
        for paragraph in chunk.split("\n\n"):
            assert re.fullmatch(r"\dx{1500}", paragraph)  # never cut inside a paragraph


def test_a_long_paragraph_is_cut_at_a_sentence_end() -> None:
    sentence = "这是一个句子。" * 1000  # 7,000 characters, no paragraph break
    chunks = render.split([Block(sentence)])
    assert len(chunks) == 2
    assert all(chunk.endswith("。") for chunk in chunks)
    assert "".join(chunks) == sentence


def test_a_long_quote_becomes_one_balanced_quote_per_message() -> None:
    passage = "\n\n".join(f"段落{i}。" + "字" * 700 for i in range(12))
    reply = answer("答案。", passage, "高裕跃", lang="zh")
    out = render.render_reply(reply)
    assert len(out) >= 3
    for message in out:
        valid(message.text)
        assert message.text.count("<blockquote expandable>") <= 1
    assert out[0].text.startswith("答案。\n\n<blockquote expandable><b>出处:高裕跃</b>\n段落0。")
    assert sum(m.text.count("<b>出处") for m in out) == 1  # the heading only once
    assert [m.markup is not None for m in out] == [False] * (len(out) - 1) + [True]
    shown = "".join(parse_html(m.text) for m in out)
    for i in range(12):
        assert f"段落{i}。" + "字" * 700 in shown  # nothing lost, paragraphs whole


def test_length_counts_utf16_code_units() -> None:
    emoji = "🙂" * 2100  # 4,200 code units in 2,100 characters
    chunks = render.split([Block(emoji)])
    assert len(chunks) == 2
    assert all(utf16_len(c) <= MAX_TEXT for c in chunks)
    assert "".join(chunks) == emoji


def test_escaping_does_not_count_against_the_limit() -> None:
    text = "&" * MAX_TEXT  # 4,096 visible characters, 20,480 characters of HTML
    [chunk] = render.split([Block(text)])
    assert parse_html(chunk) == text


printable = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from("<>&\n"),
    max_size=3000,
)


@settings(max_examples=60, deadline=None)
@given(printable, printable, st.text(max_size=80))
def test_any_reply_renders_to_valid_messages(text: str, source: str, speaker: str) -> None:
    reply = answer(text or "x", source or "y", speaker or "z")
    out = render.render_reply(reply)
    shown = "".join(valid(m.text) for m in out)
    squeeze = re.compile(r"\s+")
    for part in (text or "x", source or "y"):
        for word in squeeze.split(part.strip()):
            assert word in squeeze.sub("", shown) or word in shown


# --- labels and languages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "code", "expected"),
    [
        (None, "zh-hans", Voice("zh")),
        (None, "zh-TW", Voice("zh", "tw")),
        (None, "zh-hant", Voice("zh", "tw")),
        (None, "zh-HK", Voice("zh", "hk")),
        (None, "en", ENGLISH),
        (None, "de", ENGLISH),
        (None, None, ENGLISH),
        ("zh", "en", Voice("zh")),
        ("zh", "zh-hk", Voice("zh", "hk")),
        ("en", "zh-hans", ENGLISH),
        ("fr", "zh", Voice("zh")),
    ],
)
def test_ui_voice(chosen: object, code: str | None, expected: Voice) -> None:
    assert render.ui_voice(chosen, code) == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_commands_meet_telegram_rules(lang: Lang) -> None:
    commands = render.bot_commands(lang)
    assert [c.command for c in commands] == ["start", "topics", "ask", "about", "lang", "help"]
    for command in commands:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command.command)
        assert 1 <= len(command.description) <= 256


# --- screens built from the FAQ ----------------------------------------------------------------


def sample_knowledge(entries_per_topic: int = 12) -> Knowledge:
    topics = (
        Topic("figures", Bilingual("展会数据", "Key figures")),
        Topic("empty", Bilingual("空", "Empty")),
    )
    entries = tuple(
        Entry(
            id=f"e{i}",
            topic="figures",
            questions={"zh": (f"问题{i}?",), "en": (f"Question {i}?",)},
            answer=Bilingual(f"答案{i} & <b>", f"Answer {i} & <b>"),
            source=Passage(f"原文{i}", Bilingual("高裕跃", "Gao Yuyue"), i),
        )
        for i in range(entries_per_topic)
    )
    return Knowledge(
        Path("faq.yaml"), Bilingual("高交会", "the CHTF"), topics, entries, digest="abc"
    )


def test_topic_list_skips_empty_topics() -> None:
    out = render.topic_list(sample_knowledge(), ENGLISH)
    assert out.markup is not None
    labels = [row[0].text for row in out.markup.inline_keyboard]
    assert labels == ["Key figures (12)"]


def test_topic_pages_and_paging_buttons() -> None:
    first = render.topic_page(sample_knowledge(), "figures", ENGLISH, 0)
    assert first is not None and first.markup is not None
    rows = first.markup.inline_keyboard
    assert [r[0].text for r in rows[:10]] == [f"Question {i}?" for i in range(10)]
    assert [b.text for b in rows[10]] == ["Next ›"]
    assert rows[11][0].callback_data == "T|en|0|"
    last = render.topic_page(sample_knowledge(), "figures", ENGLISH, 99)  # clamped to the last page
    assert last is not None and last.markup is not None
    assert [r[0].text for r in last.markup.inline_keyboard] == [
        "Question 10?",
        "Question 11?",
        "‹ Previous",
        "« All topics",
    ]
    assert render.topic_page(sample_knowledge(), "nope", ENGLISH) is None


def test_about_counts_and_names_speakers() -> None:
    [out] = render.about(sample_knowledge(), ENGLISH)
    assert "12 questions in 1 topics" in out.text
    assert "• Gao Yuyue" in out.text
    assert "abc" in out.text


def test_inline_results() -> None:
    replies = [answer(text="x" * 500) for _ in range(3)]
    replies += [
        Reply("Q?", "en", "answer", "A & B", entry_id=f"id{i}", source=Source("s", "p"))
        for i in range(20)
    ]
    results = render.inline_results(replies)
    assert len(results) <= render.MAX_INLINE_RESULTS
    ids = [r.id for r in results]
    assert len(ids) == len(set(ids))
    assert results[0].description is not None
    assert len(results[0].description) <= render.MAX_DESCRIPTION
    for result in results:
        content = result.input_message_content.to_dict()
        valid(content["message_text"])
        assert content["parse_mode"] == "HTML"


def test_keyboards_are_accepted() -> None:
    for markup in (
        render.topic_list(sample_knowledge(), Voice("zh")).markup,
        render.lang_menu(ENGLISH).markup,
        render.suggestion_keyboard([Suggestion("x" * 80, "Q?")], Voice("zh")),
    ):
        try:
            check_markup(markup_json(markup))
        except ApiError as exc:  # pragma: no cover - the assertion message is the point
            pytest.fail(exc.description)


# --- the editor loop: buttons that record, admin screens, what the bot remembers ------------------


def suggesting(kind: SuggestionKind, decision: Decision = "refuse") -> Reply:
    return Reply(
        query="q",
        lang="zh",
        kind=decision,
        answer="?",
        suggestions=(Suggestion("a", "问题一"), Suggestion("b", "问题二")),
        suggestion_kind=kind,
    )


@pytest.mark.parametrize(
    ("reply", "datas"),
    [
        (suggesting("did_you_mean", "ambiguous"), ["s|zh|Ref_1-x|a", "s|zh|Ref_1-x|b"]),
        (suggesting("closest"), ["s|zh|Ref_1-x|a", "s|zh|Ref_1-x|b"]),
        (suggesting("examples"), ["a|zh|0|a", "a|zh|0|b"]),  # not what the question meant
        (suggesting("examples", "out_of_scope"), ["a|zh|0|a", "a|zh|0|b"]),
        (
            answer(),
            ["a|en|0|projects", "u|en|Ref_1-x|exhibitors", "d|en|Ref_1-x|exhibitors"],
        ),
        (answer(suggestions=()), ["u|en|Ref_1-x|exhibitors", "d|en|Ref_1-x|exhibitors"]),
    ],
)
def test_which_buttons_carry_the_question_ref(reply: Reply, datas: list[str]) -> None:
    markup = render.reply_keyboard(reply, "Ref_1-x")
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == datas
    check_markup(markup_json(markup))


def test_only_answers_get_thumbs_and_a_reply_without_buttons_has_no_keyboard() -> None:
    empty = Reply(query="", lang="en", kind="empty", answer="Please type a question")
    assert render.reply_keyboard(empty, "r") is None
    for kind in ("did_you_mean", "closest", "examples"):
        markup = render.reply_keyboard(suggesting(kind), "r")
        assert markup is not None
        assert all(b.text not in ("👍", "👎") for row in markup.inline_keyboard for b in row)


def test_inline_answers_can_be_rated() -> None:
    [result] = render.inline_results([answer()])
    assert result.reply_markup is not None
    [[up, down]] = result.reply_markup.inline_keyboard
    assert (up.text, up.callback_data, down.callback_data) == (
        "👍",
        "u|en||exhibitors",
        "d|en||exhibitors",
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_admin_menus_add_the_admin_commands(lang: Lang) -> None:
    admin = [c.command for c in render.bot_commands(lang, admin=True)]
    assert admin == ["start", "topics", "ask", "about", "lang", "help", "reload", "stats", "review"]
    for command in render.bot_commands(lang, admin=True):
        assert 1 <= len(command.description) <= 256
    assert render.toast("thanks", Voice(lang)) in ("谢谢反馈", "Thanks for the feedback")


def problem(line: int, message: str = "duplicate id 'x'", entry: str | None = "x") -> Problem:
    return Problem("knowledge/faq.yaml", line, entry, message)


def test_reload_problems_list_file_line_entry_and_message_escaped() -> None:
    [out] = render.reload_problems([problem(12), problem(40, "bad <tag> & more", None)])
    visible = valid(out.text)
    assert visible.startswith("⚠️ The FAQ was not reloaded; the bot still serves the previous")
    assert "• knowledge/faq.yaml:12: [x] duplicate id 'x'" in visible
    assert "• knowledge/faq.yaml:40: bad <tag> & more" in visible
    assert "&lt;tag&gt; &amp; more" in out.text


def test_many_or_long_problems_are_cut_and_split() -> None:
    problems = [problem(i, "y" * 500 + "\n  indented") for i in range(100)]
    out = render.reload_problems(problems)
    assert len(out) > 1
    shown = "\n".join(valid(m.text) for m in out)
    assert shown.count("• knowledge/faq.yaml:") == render.MAX_PROBLEMS
    assert "… and 70 more: run `expo-bot check`" in shown
    assert "y\n  indented" not in shown  # one line per problem


def test_stats_text_shows_both_windows() -> None:
    started = datetime(2017, 11, 16, 9, 30, tzinfo=UTC)
    now = Stats(None, 10, 7, 1, 1, 1, 2, 3, 1, 4, (("exhibitors", 5), ("a&b", 2)))
    week = Stats.empty()
    text = render.stats_text(started, now, week)
    assert text.startswith("Since start-up (2017-11-16 09:30 UTC):\n")
    assert "questions served: 10, answered 7 (70%)" in text
    assert "refusals: 2" in text and "👎 1" in text and "👍 3" in text
    assert "top entries: exhibitors 5, a&b 2" in text
    assert "Last 7 days:\nquestions served: 0, answered 0 (0%)" in text
    assert "top entries: -" in text
    [message] = render.plain(text)
    assert "a&amp;b 2" in message.text
    valid(message.text)


def test_preformatted_splits_between_lines_under_the_limit() -> None:
    lines = [f'{i:>4}. <q> & "question" number {i}' for i in range(600)]
    out = render.preformatted("\n".join(lines))
    assert len(out) > 1
    shown = []
    for message in out:
        assert message.text.startswith("<pre>") and message.text.endswith("</pre>")
        assert message.text.count("<pre>") == 1
        shown.append(valid(message.text))
    assert "\n".join(shown).split("\n") == lines  # every line whole, in order


def test_preformatted_cuts_a_line_longer_than_a_message() -> None:
    out = render.preformatted("short\n" + "长" * 5000 + "\n\nend", limit=1000)
    shown = [valid(m.text) for m in out]
    assert all(utf16_len(s) <= 1000 for s in shown)
    assert "".join(shown).replace("\n", "") == "short" + "长" * 5000 + "end"
    assert render.preformatted("") == [render.Outgoing("<pre>-</pre>")]


def test_lru_forgets_the_least_recently_used() -> None:
    lru: Lru[str, int] = Lru(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # now the most recently used
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c"), len(lru)) == (1, None, 3, 2)


def test_asked_questions_are_found_by_a_short_ref_until_forgotten() -> None:
    asked = AskedQuestions(size=2)
    candidates = tuple(
        Candidate(f"e{i}", 90.0 - i, 80.0, 0.5, 0.5, 0.0, "v") for i in range(MAX_CANDIDATES + 3)
    )
    reply = Reply("问" * 5000, "zh", "ambiguous", "?", candidates=candidates)
    first = asked.remember(reply)
    assert REF_RE.fullmatch(first) and len(first) == 8
    found = asked.get(first)
    assert found is not None
    assert found.query == "问" * MAX_QUERY_CHARS
    assert found.candidates == candidates[:MAX_CANDIDATES]
    second, third = asked.remember(reply), asked.remember(reply)
    assert len({first, second, third}) == 3
    assert asked.get(first) is None and asked.get(third) is not None  # forgotten: size 2
    assert asked.get("") is None


def test_taps_are_tracked_for_answers_and_for_suggestions_that_show_intent() -> None:
    assert tracked(answer())
    assert tracked(suggesting("did_you_mean", "ambiguous"))
    assert tracked(suggesting("closest"))
    assert not tracked(suggesting("examples"))
    assert not tracked(Reply(query="", lang="en", kind="empty", answer="?"))
