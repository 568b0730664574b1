"""Replies in context: follow-ups answered through every guard, questions of their own untouched,
and each conversation's last turn kept in memory and in the store, for a while."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import evaluation
from bot.conversation import (
    Contexts,
    reply_in_context,
    turn_from_json,
    turn_json,
    turn_of,
)
from bot.followup import Turn
from bot.replies import Reply, Responder
from bot.store import EventLog
from bot.text import Voice, to_simplified, written
from tests.stores import SqliteOutage

DATA = Path(__file__).parent / "data"


def written_back(text: str) -> str:
    """Text in Simplified, to look for a name whatever the script."""
    return to_simplified(text)


SALT = "test-salt"


def converse(responder: Responder, contexts: Contexts, key: str, message: str) -> Reply:
    """The reply to message in its conversation, which it then continues (as the bot does)."""
    reply = reply_in_context(responder, message, contexts.last(key))
    contexts.keep(key, turn_of(responder, reply))
    return reply


def ask(responder: Responder, *messages: str) -> list[Reply]:
    """Each message in turn, in one conversation; the replies."""
    contexts = Contexts(600, responder.topics)
    return [converse(responder, contexts, "chat", m) for m in messages]


@pytest.mark.parametrize(
    ("first", "then", "entry", "needle"),
    [
        ("本届高交会有多少家展商?", "那观众呢?", "visitors", "59.2"),
        ("翻译中心提供什么语言?", "收费吗?", "translation_service", "免费"),
        ("Where was the press briefing held?", "And what time?", "briefing_time", "15"),
        (
            "本届高交会有多少家海内外创新载体参展?",
            "它们带来了多少家企业?",
            "innovation_carriers",
            "329",
        ),
    ],
)
def test_a_follow_up_is_answered_as_the_question_it_stands_for(
    responder: Responder, first: str, then: str, entry: str, needle: str
) -> None:
    _, reply = ask(responder, first, then)
    assert reply.kind == "answer" and reply.entry_id == entry
    assert needle in reply.answer
    assert reply.understood and reply.query == then
    assert reply.to_json()["understood"] == reply.understood


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("商务部专馆在几号馆?", "中科院呢?"),  # CAS's hall is not given: never its theme
        ("本届高交会有多少家展商?", "去年呢?"),  # another year
        ("优秀产品奖有多少个项目获得?", "奖金多少?"),  # the prize money is not given
    ],
)
def test_the_guards_judge_the_rebuilt_question(responder: Responder, first: str, then: str) -> None:
    alone = responder.reply(then)
    _, reply = ask(responder, first, then)
    assert not reply.matched
    if then == "中科院呢?":
        assert alone.matched and alone.entry_id == "cas_pavilion"  # what it means alone
        assert reply.understood == "中科院专馆在几号馆"
    if then == "奖金多少?":
        assert reply.kind == "partial" and reply.entry_id == "product_award"


def test_a_short_question_naming_its_own_topic_gets_no_partial_reply_in_context(
    responder: Responder,
) -> None:
    _, reply = ask(responder, "本届高交会有多少家展商?", "What is the weather tomorrow?")
    alone = responder.reply("What is the weather tomorrow?")
    assert (reply.kind, reply.entry_id, reply.understood) == (alone.kind, alone.entry_id, "")


def test_a_traditional_follow_up_is_answered_in_traditional(responder: Responder) -> None:
    first = responder.reply("商務部專館喺邊個館?")
    last = turn_of(responder, first)
    reply = reply_in_context(responder, "咁科技部呢?", last, first.voice)
    assert reply.matched and reply.script == "hant" and "8號館" in reply.answer
    assert reply.understood_note.startswith("(科技部")  # shown in the reply's script too


def test_pinyin_is_answered_as_the_chinese_it_stands_for(responder: Responder) -> None:
    first, then = ask(responder, "you duoshao zhanshang", "na guanzhong ne")
    assert (first.kind, first.entry_id, first.lang) == ("answer", "exhibitors", "zh")
    assert first.query == "you duoshao zhanshang" and first.understood_note == "(有多少展商?)"
    assert then.matched and then.entry_id == "visitors" and then.understood  # in context
    hant = reply_in_context(responder, "youduoshaoguanzhong", None, Voice("zh", "tw"))
    assert hant.matched and hant.script == "hant" and "觀眾" in hant.answer


@pytest.mark.parametrize(
    ("message", "entries"),
    [
        ("有多少展商?有多少观众?", ["exhibitors", "visitors"]),
        (
            "How many universities took part, and how many forums were held?",
            ["universities", "forums"],
        ),
        ("本屆有多少家展商參展,觀眾又有多少?", ["exhibitors", "visitors"]),
        ("you duoshao zhanshang, you duoshao guanzhong?", ["exhibitors", "visitors"]),
    ],
)
def test_several_questions_are_each_answered_with_their_own_source(
    responder: Responder, message: str, entries: list[str]
) -> None:
    reply = reply_in_context(responder, message, None)
    assert reply.matched and reply.query == message
    assert [p.entry_id for p in reply.answered] == entries
    assert all(p.source is not None and p.understood for p in reply.answered)
    shown = reply.to_json()["answers"]
    assert [a["id"] for a in shown] == entries and all(a["source"] for a in shown)
    assert reply.answered[0].script == reply.script  # each part in the message's voice
    assert turn_of(responder, reply).entry_id == entries[-1]  # type: ignore[union-attr]


def test_of_several_questions_the_clear_one_is_answered_and_the_rest_offered(
    responder: Responder,
) -> None:
    reply = reply_in_context(responder, "有多少所高校参展,又有多少个省市代表团?", None)
    assert [p.entry_id for p in reply.answered] == ["universities"]
    assert reply.understood == "有多少所高校参展"  # says which question it answers
    assert reply.suggestion_kind == "closest" and reply.suggestions
    assert "universities" not in [s.id for s in reply.suggestions]
    unanswered = [a for a in reply.to_json()["answers"] if not a["matched"]]
    assert [a["question"] for a in unanswered] == ["又有多少个省市代表团?"]


def test_a_later_part_that_names_nothing_of_its_own_is_not_answered_alone(
    responder: Responder,
) -> None:
    # 来了多少人? is about the busiest day, which the briefing does not give: never the total.
    reply = reply_in_context(responder, "观众最多的是哪一天,来了多少人?", None)
    assert not reply.answered
    assert responder.reply("来了多少人?").matched  # what it would mean alone


@pytest.mark.parametrize("pick", ["第二个", "第2个", "2", "the second one", "number 2", "第二個"])
def test_a_number_picks_from_the_questions_the_last_reply_offered(
    responder: Responder, pick: str
) -> None:
    first, chosen = ask(responder, "本届高交会有多少家展商?", pick)
    second = first.suggestions[1]
    assert chosen.matched and chosen.entry_id == second.id and chosen.query == pick
    assert chosen.understood  # says which question it picked
    assert chosen.lang == ("en" if pick[0].isalpha() and pick.isascii() else "zh")
    if pick == "第二個":
        assert chosen.script == "hant"


def test_a_number_with_no_list_or_past_its_end_is_read_as_it_is(responder: Responder) -> None:
    _, past = ask(responder, "本届高交会有多少家展商?", "第九个")  # three were offered
    assert past.entry_id is None or past.understood != responder.asked(past.entry_id)[0]
    [alone] = ask(responder, "2")
    assert not alone.matched and not alone.understood


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("是谁为本届高交会揭幕的?", "还有谁参观了展会?"),
        ("是誰為本屆高交會揭幕的?", "還有誰參觀了展會?"),
    ],
)
def test_who_else_names_the_others_the_briefing_gives(
    responder: Responder, first: str, then: str
) -> None:
    opened, others = ask(responder, first, then)
    assert others.matched and others.entry_id == "visited_by" != opened.entry_id
    assert "梁振英" in written_back(others.answer) and others.understood
    assert others.script == opened.script


def test_who_else_when_the_briefing_names_no_one_else_says_so(responder: Responder) -> None:
    opened, nobody = ask(responder, "是谁为本届高交会揭幕的?", "还有谁?")
    assert nobody.kind == "partial" and nobody.entry_id == opened.entry_id
    assert nobody.answer.startswith("通报会没有提到其他的") and nobody.source == opened.source
    english = ask(responder, "Who opened the fair?", "Who else?")[1]
    assert english.kind == "partial" and english.answer.startswith("The briefing names no one")


def test_who_said_it_is_answered_from_the_last_answers_source(responder: Responder) -> None:
    _, zh = ask(responder, "本届高交会有多少家展商?", "谁说的?")
    assert zh.matched and zh.entry_id == "exhibitors" and zh.answer.startswith("这是高裕跃")
    assert zh.source is not None and "3049" in zh.source.text  # the passage, quoted as ever
    assert zh.understood_note.startswith("(谁说的:")
    _, en = ask(responder, "How many exhibitors took part?", "Who said that?")
    assert en.matched and en.answer.startswith("That was Gao Yuyue")
    _, nothing = ask(responder, "明天天气怎么样?", "谁说的?")
    assert not nothing.matched  # nothing was said before


def test_questions_of_their_own_are_answered_as_they_are(responder: Responder) -> None:
    cases = evaluation.load_cases(DATA / "heldout-questions.yaml")
    lasts = [
        None,
        Turn("本届高交会有多少家展商?", "exhibitors", responder.topics("exhibitors")),
        Turn("商务部专馆在几号馆?", "mofcom_pavilion", responder.topics("mofcom_pavilion")),
        Turn("Where was the press briefing held?", "briefing_venue", (), "en"),
    ]
    changed = []
    for case in cases:
        alone = responder.reply(case.question)
        if not alone.matched:
            continue
        for last in lasts:
            reply = reply_in_context(responder, case.question, last)
            if (reply.entry_id, reply.kind) != (alone.entry_id, alone.kind):
                changed.append((case.question, last and last.question, reply.entry_id))
    assert changed == []


def test_an_empty_message_is_no_turn_and_the_conversation_goes_on(responder: Responder) -> None:
    contexts = Contexts(600, responder.topics)
    converse(responder, contexts, "c", "本届高交会有多少家展商?")
    assert converse(responder, contexts, "c", "   ").kind == "empty"
    last = contexts.last("c")
    assert last is not None and last.entry_id == "exhibitors"


# --- keeping contexts ---------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


TURN = Turn("本届高交会有多少家展商", "exhibitors", ("展商",), offered=("projects", "visitors"))


def topics(entry_id: str) -> tuple[str, ...]:
    return ("展商",) if entry_id == "exhibitors" else ()


def test_a_context_expires() -> None:
    clock = Clock()
    contexts = Contexts(600, topics, clock=clock)
    contexts.keep("c", TURN)
    clock.now += 599
    assert contexts.last("c") == TURN
    clock.now += 2
    assert contexts.last("c") is None


def test_zero_seconds_turns_follow_ups_off(responder: Responder) -> None:
    contexts = Contexts(0, responder.topics)
    _, then = (converse(responder, contexts, "c", m) for m in ("展商有多少?", "那观众呢?"))
    assert contexts.last("c") is None
    assert not then.understood


def test_another_instance_continues_the_conversation(tmp_path: Path) -> None:
    db = tmp_path / "events.sqlite3"
    with EventLog.open(db, salt=SALT) as one, EventLog.open(db, salt=SALT) as two:
        Contexts(600, topics, one).keep("chat 7", TURN)
        assert Contexts(600, topics, two).last("chat 7") == TURN  # topics read from the FAQ


def test_while_the_store_is_away_the_instance_remembers(tmp_path: Path) -> None:
    db = tmp_path / "events.sqlite3"
    with EventLog.open(db, salt=SALT, retry_seconds=0, busy_timeout_ms=50) as log:
        contexts = Contexts(600, topics, log)
        outage = SqliteOutage(db)
        outage.begin()
        try:
            contexts.keep("c", TURN)
            assert contexts.last("c") == TURN
        finally:
            outage.end()


def test_a_stored_turn_reads_back_and_garbage_is_no_turn(tmp_path: Path) -> None:
    assert turn_from_json(turn_json(TURN, 5.0), topics) == (5.0, TURN)
    db = tmp_path / "events.sqlite3"
    with EventLog.open(db, salt=SALT) as log:
        log.save_context("c", "not json", 600)
        assert Contexts(600, topics, log).last("c") is None


# Messages of any shape, with the pieces that new readings key on: pinyin letters, question
# marks and commas between questions, numbers, "else" words.
_PIECES = st.sampled_from(
    [
        "you duoshao",
        "zhanshang",
        "?",
        ",",
        "第二个",
        "2",
        "还有谁",
        "who else",
        "有多少展商",
        "观众",
        " ",
    ]
)
_MESSAGES = st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=8).map("".join))


@settings(max_examples=60, deadline=None)
@given(_MESSAGES, _MESSAGES)
def test_any_message_after_any_other_gets_a_reply(
    responder: Responder, first: str, then: str
) -> None:
    for reply in ask(responder, first, then):
        assert reply.reply_kind in {
            "answer",
            "partial",
            "did_you_mean",
            "refuse",
            "out_of_scope",
            "empty",
        }
        assert all(p.matched or not p.source for p in reply.answered)


@pytest.mark.parametrize(
    "conversation",
    [
        ["本屆高交會有多少家展商參展?", "那觀眾呢?", "第二個"],
        ["是誰為本屆高交會揭幕的?", "還有誰參觀了展會?", "還有誰?"],
        ["本屆有多少家展商參展,觀眾又有多少?"],
        ["優秀產品獎的獎金有多少?"],
        ["展覽面積係幾多?", "you duoshao guanzhong"],
    ],
)
def test_no_field_of_a_traditional_reply_is_written_in_simplified(
    responder: Responder, conversation: list[str]
) -> None:
    contexts = Contexts(600, responder.topics)
    voice = None
    for message in conversation:
        reply = reply_in_context(responder, message, contexts.last("c"), voice)
        contexts.keep("c", turn_of(responder, reply))
        voice = reply.voice
        assert reply.script == "hant", message
        for part in reply.answered or (reply,):
            shown = [part.answer, part.understood_note, *(s.question for s in reply.suggestions)]
            shown += [part.source.speaker] if part.source else []
            for text in shown:
                assert written(text, part.variant) == text, (message, text)  # already Traditional


def test_a_reading_that_is_no_question_is_not_shown_but_still_carries_the_conversation(
    responder: Responder,
) -> None:
    reply = replace(responder.reply("有多少展商"), understood="举个例子优秀展示奖")
    assert reply.understood_note == "" and reply.to_json()["understood"] is None
    turn = turn_of(responder, reply)
    assert turn is not None and turn.question == "举个例子优秀展示奖"


@pytest.mark.parametrize(
    ("first", "then", "titles"),
    [
        ("是谁为本届高交会揭幕的?", "他是什么职务?", ["广东省委书记", "国家科学技术部部长"]),
        ("是誰為本屆高交會揭幕的?", "他是什麼職務?", ["廣東省委書記"]),
        ("Who opened the fair?", "what position does he hold?", ["Party Secretary of Guangdong"]),
    ],
)
def test_his_title_is_answered_for_each_person_the_last_answer_names(
    responder: Responder, first: str, then: str, titles: list[str]
) -> None:
    opened, titled = ask(responder, first, then)
    assert titled.matched and titled.entry_id == "opened_by" and titled.script == opened.script
    assert all(t in titled.answer for t in titles)
    assert titled.source == opened.source  # the passage that gives the titles, verbatim
    assert titled.understood_note  # says whom it took 他 for


def test_his_title_where_the_answers_source_does_not_give_it_quotes_where_the_transcript_does(
    responder: Responder,
) -> None:
    explained, titled = ask(responder, "高交会主题是什么意思?", "他是什么职务?")
    assert "高裕跃" in explained.answer and titled.matched
    assert titled.answer == "高裕跃是高交会组委会副秘书长、深圳市政府副秘书长。"
    assert titled.source is not None and "深圳市政府副秘书长高裕跃" in titled.source.text
    english = ask(responder, "What does the theme mean?", "what is his title?")[1]
    assert english.answer.startswith("Gao Yuyue is Deputy Secretary-General")
    assert english.source is not None and english.source.translation  # an entry's, translated


def test_his_title_after_an_answer_naming_no_one_is_read_as_it_is(responder: Responder) -> None:
    _, reply = ask(responder, "本届高交会有多少家展商参展?", "他是什么职务?")
    assert not reply.matched
