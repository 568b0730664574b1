"""Loading the FAQ, attributing sources to speakers, and `check` on broken copies of every kind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge import FaqError, Knowledge, check, load, parse_transcript
from tests.conftest import line_of

Edit = Callable[[str, str], Path]


def test_shipped_faq_is_sound(knowledge: Knowledge) -> None:
    assert 80 <= len(knowledge.entries) <= 140
    assert len({e.id for e in knowledge.entries}) == len(knowledge.entries)
    for entry in knowledge.entries:
        assert len(entry.questions["zh"]) >= 4
        assert len(entry.questions["en"]) >= 2
        assert entry.source.offset >= 0


def test_no_answer_states_the_headers_wrong_year(knowledge: Knowledge) -> None:
    for entry in knowledge.entries:
        assert "2016年11月" not in entry.answer.zh, entry.id
        assert "2016" not in entry.answer.en or "2018" in entry.answer.en, entry.id


def test_speakers_come_from_the_passages_position(knowledge: Knowledge) -> None:
    speakers = {e.id: e.source.speaker for e in knowledge.entries}
    assert speakers["exhibitors"].zh.startswith("高裕跃")
    assert "新闻" in speakers["briefing_venue"].zh
    assert any(s.en == "the moderator" for s in speakers.values())
    assert any(s.zh.startswith("苏彦伟") for s in speakers.values())


def test_transcript_layout_attributes_turns_and_footer() -> None:
    text = (
        "报道。\n\n抬头\n\n实录内容:\n\n主持人:开始。\n\n"
        "提问:我是某报的记者。\n\n续。\n\n发布者\n\n广告"
    )
    layout = {
        "header_start": "抬头",
        "turns_start": "实录内容",
        "footer_start": "发布者",
        "speakers": {
            "主持人": {"zh": "主持人", "en": "the moderator"},
            "提问": {"zh": "记者({outlet})", "en": "a journalist ({outlet})"},
        },
        "outlets": {"某报": "Some Paper"},
    }
    t = parse_transcript(text, layout)
    assert t.speaker_at(text.index("开始")).en == "the moderator"  # type: ignore[union-attr]
    continued = t.speaker_at(text.index("续"))
    assert continued is not None and continued.en == "a journalist (Some Paper)"
    assert t.speaker_at(text.index("广告")) is None
    assert t.locate("某 报的\n记者") == text.index("某报的记者")


def _only(problems: list[object]) -> str:
    assert len(problems) == 1, problems
    return str(problems[0])


def test_yaml_syntax_error_reports_line_and_column(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("- id: exhibitors\n", "- id: exhibitors\n  topic: [unclosed\n")
    message = _only(list(check(faq_copy)))
    assert "YAML syntax error" in message and "column" in message
    assert "[exhibitors]" in message  # the entry the error falls in
    line = int(message.split(":")[1])
    assert abs(line - line_of(faq_copy, "topic: [unclosed")) <= 1


def test_missing_answer_names_entry_and_line(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("    zh: 本届高交会共有3049家展商参展。", "    zh: ''")
    message = _only(list(check(faq_copy)))
    assert "[exhibitors]" in message and "answer.zh is missing or empty" in message
    line = line_of(faq_copy, "zh: ''")
    assert f":{line}:" in message


def test_wrong_type_is_reported(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("- id: exhibitors\n  topic: figures", "- id: exhibitors\n  topic: 42")
    assert "topic is not text (int)" in _only(list(check(faq_copy)))


def test_duplicate_id(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("- id: projects\n", "- id: exhibitors\n")
    messages = [str(p) for p in check(faq_copy)]
    duplicate = [m for m in messages if "duplicate id 'exhibitors'" in m]
    assert len(duplicate) == 1
    first = line_of(faq_copy, "- id: exhibitors")
    assert int(duplicate[0].split(":")[1]) > first  # points at the second one
    assert duplicate[0].endswith(f"duplicate id 'exhibitors', first used on line {first}")


def test_unknown_topic_and_related(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("- id: exhibitors\n  topic: figures", "- id: exhibitors\n  topic: nonsense")
    edit_faq("  related:\n  - ", "  related:\n  - no_such_entry\n  - ")
    messages = [str(p) for p in check(faq_copy)]
    assert any("unknown topic 'nonsense'" in m for m in messages)
    assert any("related id 'no_such_entry' is not an entry" in m for m in messages)


def test_source_must_be_verbatim(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq(
        "source: 展会总面积达12万平方米,3049家展商参展",
        "source: 展会总面积达12万平方米,3050家展商参展",
    )
    message = _only(list(check(faq_copy)))
    assert "[exhibitors]" in message and "not a verbatim passage" in message
    assert f":{line_of(faq_copy, '3050家展商参展')}:" in message


def test_whitespace_differences_in_source_are_fine(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq(
        "source: 展会总面积达12万平方米,3049家展商参展",
        "source: 展会总面积达12万 平方米, 3049家展商参展",
    )
    assert check(faq_copy) == []


def test_answer_number_must_come_from_source(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("    zh: 本届高交会共有3049家展商参展。", "    zh: 本届高交会共有3094家展商参展。")
    message = _only(list(check(faq_copy)))
    assert "answer.zh states 3094" in message and "[exhibitors]" in message


def test_scaled_numbers_match_their_source(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq(
        "    zh: 本届高交会共有3049家展商参展。",
        "    zh: 本届高交会共有3,049家展商,面积12万平方米。",
    )
    assert check(faq_copy) == []
    edit_faq("3,049家展商,面积12万平方米", "3,049家展商,面积13万平方米")
    assert "states 130000" in _only(list(check(faq_copy)))


def test_same_question_under_two_entries(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq(
        "  questions:\n    zh:\n    - ",
        "  questions:\n    zh:\n    - 本届高交会有多少家展商参展?\n    - ",
    )
    messages = [str(p) for p in check(faq_copy)]
    assert len(messages) == 1
    assert "本届高交会有多少家展商参展?" in messages[0] and "also under" in messages[0]
    assert {"[exhibitors]", "exhibition_area"} <= set(messages[0].replace("]", "] ").split())


def test_footer_is_not_a_source(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("source: 展会总面积达12万平方米,3049家展商参展", "source: 交流高分子材料技术")
    assert "footer" in _only(list(check(faq_copy)))


def test_load_raises_with_every_problem(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("- id: projects\n", "- id: exhibitors\n")
    with pytest.raises(FaqError) as info:
        load(faq_copy)
    assert info.value.problems


def test_unsafe_yaml_tags_are_rejected(faq_copy: Path) -> None:
    faq_copy.write_text("!!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    assert "YAML" in _only(list(check(faq_copy)))


def test_every_entry_needs_a_translation_of_its_source(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq('  source_en: "The number of high-tech projects', '  old_source_en: "The number')
    message = _only(list(check(faq_copy)))
    assert "[projects] source_en is missing or empty" in message


def test_a_translation_states_only_the_numbers_of_its_source(
    faq_copy: Path, edit_faq: Edit
) -> None:
    edit_faq("reached 10,020.", "reached 10,200.")
    message = _only(list(check(faq_copy)))
    assert "[projects] source_en states 10200, not in its source passage" in message
    assert f":{line_of(faq_copy, 'reached 10,200.')}:" in message


def test_an_answer_must_read_well_on_its_own(faq_copy: Path, edit_faq: Edit) -> None:
    edit_faq("    zh: 本届高交会共有3049家展商参展。", "    zh: 有。本届高交会共有3049家展商参展。")
    message = _only(list(check(faq_copy)))
    assert "[exhibitors] answer.zh opens with '有'" in message


def test_the_translation_is_loaded_beside_the_verbatim_source(knowledge: Knowledge) -> None:
    entry = knowledge.entry("projects")
    assert entry is not None
    assert entry.source.text == "展示的高新技术项目达到了10020项"
    assert entry.source.translation == "The number of high-tech projects on display reached 10,020."


def test_people_are_named_and_titled_as_the_transcript_writes_them(
    knowledge: Knowledge, faq_copy: Path, edit_faq: Edit
) -> None:
    opened = knowledge.entry("opened_by")
    assert opened is not None
    assert [p.name.zh for p in knowledge.people_in(opened)] == ["李希", "万钢"]
    li_xi = knowledge.people[0]
    assert li_xi.source is not None and "广东省委书记李希" in li_xi.source.text  # where it says so
    edit_faq("title: {zh: 广东省委书记,", "title: {zh: 广东省长,")
    message = _only(list(check(faq_copy)))
    assert "people[0]" in message and "never writes “广东省长李希”" in message
