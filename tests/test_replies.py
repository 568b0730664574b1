"""Replies: language, source with speaker, suggestions, refusals and the JSON shape."""

from __future__ import annotations

from bot.replies import Responder


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
        "answer",
        "source",
        "suggestions",
    }
    assert answered["matched"] is True and answered["id"] == "exhibitors"
    assert answered["kind"] == "answer"
    assert set(answered["source"]) == {"text", "speaker"}
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
