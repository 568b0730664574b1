"""Reading follow-ups: fragments, pronouns and bare question words, in Chinese and English."""

from __future__ import annotations

import pytest

from bot.followup import Turn, picked, read

EXHIBITORS = Turn("本届高交会有多少家展商?", "exhibitors", ("展商", "参展商", "exhibitor"))
MOFCOM = Turn("商务部专馆在几号馆?", "mofcom_pavilion", ("商务部", "7号馆"))
CARRIERS = Turn("本届高交会有多少家创新载体参展?", "innovation_carriers", ("创新载体",))
TRANSLATION = Turn("翻译中心提供什么语言?", "translation_service", ("翻译中心", "翻译"))
OPENED = Turn("本届高交会是由谁揭幕的?", "opened_by", ("揭幕",))
VENUE = Turn("Where was the press briefing held?", "briefing_venue", ("briefing",), "en")
EN_EXHIBITORS = Turn("How many exhibitors were there?", "exhibitors", ("exhibitor",), "en")
NAMES = ("高交会", "chtf")


@pytest.mark.parametrize(
    ("last", "message", "question"),
    [
        (EXHIBITORS, "那观众呢?", "本届高交会有多少家观众"),
        (EXHIBITORS, "观众呢", "本届高交会有多少家观众"),
        (MOFCOM, "中科院呢?", "中科院专馆在几号馆"),
        (MOFCOM, "那农业部的呢?", "农业部专馆在几号馆"),
        (MOFCOM, "咁科技部又點呢?", "科技部专馆在几号馆"),  # Cantonese, folded
        (OPENED, "梁振英呢?", "本届高交会是由梁振英揭幕的"),  # in place of "who"
        (EXHIBITORS, "去年呢?", "本届高交会有多少家去年"),  # the scope gate sees 去年
        (EN_EXHIBITORS, "what about visitors?", "how many visitors were there"),
        (EN_EXHIBITORS, "And the visitors?", "how many visitors were there"),
    ],
)
def test_a_fragment_takes_the_place_of_the_last_topic(
    last: Turn, message: str, question: str
) -> None:
    reading = read(message, last, NAMES)
    assert reading is not None and reading.style == "elliptical" and reading.decides
    assert reading.question == question


@pytest.mark.parametrize(
    ("last", "message", "question", "alone"),
    [
        (CARRIERS, "它们带来了多少家企业?", "创新载体带来了多少家企业", None),
        (CARRIERS, "其中海外的有几家?", "创新载体其中海外的有几家", "海外的有几家"),
        (TRANSLATION, "收费吗?", "翻译中心收费吗", None),  # question words alone: in context
        (TRANSLATION, "有哪些语种?", "翻译中心有哪些语种", None),  # 语种 names no topic
        (VENUE, "And what time?", "what time was the press briefing held", None),
        (VENUE, "when?", "when was the press briefing held", None),
        (
            TRANSLATION.__class__(
                "Is there a translation service?", "translation_service", ("translation",), "en"
            ),
            "is it free?",
            "is translation free",
            None,
        ),
    ],
)
def test_pronouns_and_bare_question_words_ask_of_the_last_topic(
    last: Turn, message: str, question: str, alone: str | None
) -> None:
    reading = read(message, last, NAMES)
    assert reading is not None and reading.question == question and reading.alone == alone


@pytest.mark.parametrize(
    "message",
    [
        "本届高交会有多少家观众参观了主会场?",  # a question of its own, however related
        "翻译中心提供哪些语种的服务,收费吗?",
        "高交会的主题是什么?",  # names the event: about the event
        "How many visitors came to the fair altogether?",
        "And how many visitors came?",  # "and" before a whole question
    ],
)
def test_long_questions_and_questions_about_the_event_are_left_alone(message: str) -> None:
    for last in (EXHIBITORS, MOFCOM, TRANSLATION, EN_EXHIBITORS):
        assert read(message, last, NAMES) is None, (message, last.question)


def test_a_fragment_can_stand_beside_a_word_of_the_last_question() -> None:
    last = Turn("有多少家项目方参与?", "negotiations", ("项目洽谈",))
    reading = read("投资方呢?", last, NAMES)
    assert reading is not None and "有多少家投资方参与" in reading.questions


def test_a_bare_attribute_is_asked_of_the_last_topic_only() -> None:
    forum = Turn("本届高交会举办了哪些论坛?", "forums", ("论坛",))
    reading = read("主题是什么?", forum, NAMES)
    assert reading is not None and reading.decides  # the fair's theme is not the forums'
    assert reading.question == "论坛主题是什么"


def test_a_short_question_is_first_tried_as_it_is() -> None:
    reading = read("优秀产品奖有多少项?", EXHIBITORS, NAMES)
    assert reading is not None and reading.alone == "优秀产品奖有多少项"


def test_no_last_turn_no_reading() -> None:
    assert read("那观众呢?", None) is None
    assert read("   ", EXHIBITORS) is None


@pytest.mark.parametrize(
    "message", ["谁说的?", "這是誰說的?", "是谁讲的", "Who said that?", "says who?"]
)
def test_who_said_it_asks_about_the_last_answer(message: str) -> None:
    reading = read(message, EXHIBITORS, NAMES)
    assert reading is not None and reading.style == "speaker"
    assert "本届高交会有多少家展商" in reading.question


def test_who_answered_is_not_who_said_it() -> None:
    # A journalist's question is answered by someone else than the passage's own speaker.
    reading = read("谁回答的?", EXHIBITORS, NAMES)
    assert reading is None or reading.style != "speaker"
    idle = read("谁说的?", Turn("天气怎么样?", None), NAMES)  # nothing was answered before
    assert idle is None or idle.style != "speaker"


def test_bare_question_words_are_also_asked_of_the_entrys_own_wording() -> None:
    last = Turn(
        "第十九届高交会的媒体通报会在哪栋楼里举行?",
        "briefing_venue",
        ("玫瑰三厅",),
        asked=("闭幕媒体通报会在哪里举行?", "Where was the closing press briefing held?"),
    )
    reading = read("几点?", last, NAMES)
    assert reading is not None and reading.decides
    assert any(q.startswith("闭幕媒体通报会") and "几点" in q for q in reading.questions)
    named = read("观众呢?", last, NAMES)  # a name is put into the question as typed only
    assert named is not None and not any("闭幕" in q for q in named.questions)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("第二个", 2),
        ("第2个", 2),
        ("2", 2),
        ("三", 3),
        ("选第三个", 3),
        ("the second one", 2),
        ("number 3", 3),
        ("#2", 2),
        ("the 2nd one", 2),
        ("2.", 2),
        ("有多少展商", None),
        ("2017", None),
        ("second hand market", None),
    ],
)
def test_a_pick_from_a_list_is_read_as_its_number(text: str, number: int | None) -> None:
    assert picked(text) == number


def test_a_pick_chooses_from_the_last_list_only() -> None:
    offered = Turn("本届高交会有多少家展商?", "exhibitors", offered=("projects", "visitors"))
    pick = read("第二个", offered)
    assert pick is not None and (pick.style, pick.entry) == ("pick", "visitors")
    assert read("第三个", offered) is None  # past the end: read as it is
    unlisted = read("2", EXHIBITORS)  # nothing was offered
    assert unlisted is None or unlisted.style != "pick"


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("还有谁参观了展会?", "谁参观了展会"),
        ("另外还有哪些企业参展?", "哪些企业参展"),
        ("还有谁?", "本届高交会是由谁揭幕的"),  # nothing named: the last question again
        ("who else toured the fair?", "who toured the fair"),
        ("what other awards were given?", "what awards were given"),
    ],
)
def test_who_else_asks_the_question_less_its_else(message: str, question: str) -> None:
    reading = read(message, OPENED)
    assert reading is not None and (reading.style, reading.question) == ("else", question)


@pytest.mark.parametrize(
    "message",
    [
        "他是什么职务?",
        "她的身份是什么?",
        "这位是什么头衔",
        "what is his title?",
        "what position does he hold?",
    ],
)
def test_his_title_asks_of_whom_the_last_answer_names(message: str) -> None:
    reading = read(message, OPENED)
    assert reading is not None and reading.style == "role"
    unanswered = read(message, Turn("天气怎么样?", None))  # nothing was answered: nobody to name
    assert unanswered is None or unanswered.style != "role"
