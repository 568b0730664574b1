"""Replies: language, source with speaker, suggestions, refusals and the JSON shape."""

from __future__ import annotations

import re

import pytest

from bot.replies import Responder
from bot.text import CJK_RE as CJK
from bot.text import ENGLISH, Voice, written


def test_answer_in_the_language_of_the_question(responder: Responder) -> None:
    zh = responder.reply("本届高交会有多少家展商?")
    en = responder.reply("How many exhibitors were there?")
    assert zh.matched and en.matched and zh.entry_id == en.entry_id == "exhibitors"
    assert zh.lang == "zh" and "3049" in zh.answer
    assert en.lang == "en" and "3,049" in en.answer


def test_answer_quotes_its_verbatim_source_and_speaker(responder: Responder) -> None:
    reply = responder.reply("How many exhibitors were there?")
    assert reply.source is not None
    transcript = responder.knowledge.path.parent.joinpath("transcript.txt").read_text("utf-8")
    assert "".join(reply.source.text.split()) in "".join(transcript.split())
    assert reply.source.speaker.startswith("Gao Yuyue")
    assert responder.reply("本届高交会有多少家展商?").source.speaker.startswith("高裕跃")  # type: ignore[union-attr]


def test_refusal_says_what_the_bot_knows_and_suggests(responder: Responder) -> None:
    reply = responder.reply("帮我订一张去北京的机票")
    assert not reply.matched and reply.source is None
    assert "没有涉及" in reply.answer
    for topic in responder.knowledge.topics:
        assert topic.title.zh in reply.answer
    assert 1 <= len(reply.suggestions) <= 3


def test_out_of_scope_names_the_reason(responder: Responder) -> None:
    reply = responder.reply("How many exhibitors came to the Canton Fair?")
    assert reply.kind == "out_of_scope" and not reply.matched
    assert "another event" in reply.answer


def test_empty_question_gets_an_example(responder: Responder) -> None:
    reply = responder.reply("   ?? ")
    assert reply.kind == "empty" and not reply.matched
    assert reply.suggestions


def test_related_entries_are_suggested_with_answers(responder: Responder) -> None:
    reply = responder.reply_for_entry("exhibitors", "en")
    assert reply is not None and reply.matched
    entry = responder.knowledge.entry("exhibitors")
    assert entry is not None
    assert [s.id for s in reply.suggestions] == list(entry.related[:3])
    assert responder.reply_for_entry("no-such-entry", "en") is None


def test_json_shape(responder: Responder) -> None:
    answered = responder.reply("展商").to_json()
    assert set(answered) == {
        "query",
        "matched",
        "kind",
        "id",
        "score",
        "lang",
        "script",
        "answer",
        "source",
        "suggestions",
        "understood",
        "answers",
    }
    assert answered["matched"] is True and answered["id"] == "exhibitors"
    assert answered["understood"] is None  # asked alone
    assert answered["answers"] == []  # one question
    assert answered["kind"] == "answer" and answered["script"] == "hans"
    assert set(answered["source"]) == {"text", "speaker", "translation"}
    assert answered["source"]["translation"] is None  # only English replies carry one
    refused = responder.reply("明天会下雨吗?").to_json()
    assert refused["matched"] is False and refused["id"] is None and refused["source"] is None
    assert refused["kind"] in ("refuse", "did_you_mean")
    assert all(set(s) == {"id", "question"} for s in refused["suggestions"])


def test_json_kinds(responder: Responder) -> None:
    kinds = {
        q: responder.reply(q).to_json()["kind"]
        for q in ("展商", "优秀产品奖的奖金有多少?", "广交会有多少展商?", "  ")
    }
    assert kinds == {
        "展商": "answer",
        "优秀产品奖的奖金有多少?": "partial",
        "广交会有多少展商?": "out_of_scope",
        "  ": "empty",
    }


def test_a_partial_reply_says_what_is_missing_and_quotes_what_is_there(
    responder: Responder,
) -> None:
    reply = responder.reply("优秀产品奖的奖金有多少?")
    assert reply.kind == "partial" and not reply.matched
    assert reply.answer.startswith("通报会没有")
    entry = responder.knowledge.entry("product_award")
    assert entry is not None and reply.answer.endswith(entry.answer.zh)
    assert reply.source is not None and reply.source.text == entry.source.text
    shape = reply.to_json()
    assert shape["matched"] is False and shape["id"] == "product_award" and shape["source"]

    where = responder.reply("Which hall was the Chinese Academy of Sciences pavilion in?")
    assert where.kind == "partial" and where.answer.startswith("The briefing doesn't say where")


# --- the question's script, translated sources, suggestions, the session's language -------------


@pytest.mark.parametrize(
    ("question", "variant", "answer"),
    [
        ("幾多間展商", "hk", "本屆高交會共有3049家展商參展"),
        ("展覽面積", "tw", "本屆高交會展會總面積達12萬平方米"),
    ],
)
def test_a_traditional_question_is_answered_in_traditional(
    responder: Responder, question: str, variant: str, answer: str
) -> None:
    reply = responder.reply(question)
    assert reply.matched and reply.variant == variant and answer in reply.answer
    data = reply.to_json()
    assert data["lang"] == "zh" and data["script"] == "hant"
    entry = responder.knowledge.entry(reply.entry_id or "")
    assert entry is not None and reply.source is not None
    assert reply.source.text == entry.source.text  # the quote stays verbatim, in Simplified
    assert reply.source.speaker == written(entry.source.speaker("zh"), reply.variant)
    assert all(s.question == written(s.question, reply.variant) for s in reply.suggestions)


def test_a_question_typed_in_pinyin_is_answered_in_chinese(responder: Responder) -> None:
    reply = responder.reply("fanyi zhongxin mianfei ma?")
    assert reply.matched and reply.entry_id == "translation_service" and reply.lang == "zh"
    assert reply.understood_note == "(翻译中心免费吗?)"
    assert reply.query == "fanyi zhongxin mianfei ma?"
    english = responder.reply("how many exhibitors")
    assert english.lang == "en" and not english.understood


def test_a_traditional_refusal_is_worded_in_traditional(responder: Responder) -> None:
    reply = responder.reply("明天會下雨嗎?")
    assert reply.variant == "tw" and reply.to_json()["script"] == "hant"
    assert reply.answer == written(reply.answer, "tw") and "資料" in reply.answer


def test_an_english_answer_carries_the_translation_of_its_source(responder: Responder) -> None:
    reply = responder.reply("How many exhibitors were there?")
    entry = responder.knowledge.entry("exhibitors")
    assert reply.matched and entry is not None and reply.source is not None
    assert reply.source.translation == entry.source.translation
    assert "3,049 exhibitors" in (reply.source.translation or "")
    source = reply.to_json()["source"]
    assert source["text"] == entry.source.text and source["translation"] == entry.source.translation
    assert reply.to_json()["script"] is None


def test_every_entry_has_a_translation_of_its_source(responder: Responder) -> None:
    assert all(e.source.translation.strip() for e in responder.knowledge.entries)


def test_an_out_of_scope_question_offers_the_same_question_of_this_fair(
    responder: Responder,
) -> None:
    reply = responder.reply("去年高交会有多少展商")
    assert reply.kind == "out_of_scope" and reply.suggestion_kind == "closest"
    assert reply.suggestions[0].id == "exhibitors"
    assert reply.suggestions[0].question == "本届高交会有多少家展商参展?"


def test_refusals_offer_the_closest_questions_not_always_the_same_three(
    responder: Responder,
) -> None:
    opening = [s.id for s in responder.reply("高交会什么时候开幕?").suggestions]
    assert "closing_date" in opening and "duration" in opening  # together: when it ran
    others = {tuple(s.id for s in responder.reply(q).suggestions) for q in REFUSED}
    assert len(others) > 1


REFUSED = ("门票多少钱?", "高交会什么时候开幕?", "广交会有多少展商?", "有多少机器人展品?")


def test_a_one_word_question_gets_an_answer_that_reads_on_its_own(responder: Responder) -> None:
    reply = responder.reply("巴士")
    assert reply.matched and reply.entry_id == "shuttle_bus"
    assert not re.match(r"(有|没有|是|对)[。,，]", reply.answer)
    assert "巴士" in reply.answer


@pytest.mark.parametrize("shapeless", ["？？？", "🎉", "42", "  "])
@pytest.mark.parametrize("session", [Voice("zh"), Voice("zh", "hk"), ENGLISH])
def test_input_with_no_language_is_answered_in_the_session_s(
    responder: Responder, shapeless: str, session: Voice
) -> None:
    reply = responder.reply(shapeless, session)
    assert reply.voice == session
    assert reply.answer == written(reply.answer, session.variant)
    assert bool(CJK.search(reply.answer)) == (session.lang == "zh")


def test_without_a_session_shapeless_input_is_answered_in_english(responder: Responder) -> None:
    assert responder.reply("？？？").lang == "en"
    assert responder.reply("展商", ENGLISH).lang == "zh"  # a question's own language wins
