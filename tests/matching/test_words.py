"""Words, not characters: segmentation, content words, synonyms."""

from __future__ import annotations

import pytest

from bot.matching.words import Segmenter, Thesaurus, content_words, only_a_pronoun, thesaurus
from bot.text import normalise


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter({"展商": "n", "产融合作": "n"})


def test_traditional_is_cut_after_conversion(segmenter: Segmenter) -> None:
    cut = [w.text for w in segmenter.words(normalise("高交會的主題是甚麼?"))]
    assert "高交会" in cut and "主题" in cut and "什么" in cut


def test_the_faqs_own_words_keep_their_tags(segmenter: Segmenter) -> None:
    words = segmenter.words("本届有多少家展商参展")
    assert next(w for w in words if w.text == "展商").tag == "n"  # jieba's own: a verb
    assert "产融合作" in [w.text for w in segmenter.words("关于产融合作是谁补充")]


@pytest.mark.parametrize(
    ("question", "content"),
    [
        ("展會面積是甚麼?", ["面积"]),
        ("请问一下展会总面积究竟有多大呀", ["展会", "总面积"]),
        ("翻译中心提供德语翻译吗?", ["翻译", "中心", "提供", "德语"]),
        ("飞机场有没有大巴去展馆", ["飞机场", "大巴", "展馆"]),
        ("which radio station asked about the bellwethers?", ["radio", "station", "asked"]),
    ],
)
def test_content_words_leave_out_question_words_fillers_and_pronouns(
    segmenter: Segmenter, question: str, content: list[str]
) -> None:
    found = [w.text for w in content_words(segmenter.words(normalise(question)))]
    assert found[: len(content)] == content or set(content) <= set(found)
    assert not {"什么", "甚么", "究竟", "有没有", "which", "the"} & set(found)


def test_nouns_can_be_named_verbs_cannot(segmenter: Segmenter) -> None:
    words = {w.text: w for w in segmenter.words("翻译中心提供德语翻译")}
    assert words["德语"].noun and words["德语"].name and not words["提供"].noun
    english = {w.text: w for w in segmenter.words("was it mentioned using german")}
    assert english["german"].noun and not english["mentioned"].noun
    # English words with no noun reading are never named; an unknown name is.
    said = {w.text: w for w in segmenter.words("did tsinghua reflect what they heard quickly")}
    assert said["tsinghua"].noun
    assert not (said["reflect"].noun or said["heard"].noun or said["quickly"].noun)
    # A passive verb is no noun, whatever jieba's dictionary tags it (被称作: n).
    assert not next(w for w in segmenter.words("高交会被称作什么") if w.text == "被称作").noun
    # A Chinese word holding a question word asks; it names nothing.
    assert not any(w.noun for w in segmenter.words("在几楼") if "几" in w.text)


def test_a_pronoun_alone_is_no_topic(segmenter: Segmenter) -> None:
    assert only_a_pronoun(segmenter.words("what is her title"))
    assert only_a_pronoun(segmenter.words("他是什么职务"))
    assert not only_a_pronoun(segmenter.words("高裕跃是什么职务"))
    assert not only_a_pronoun(segmenter.words("what is gao yuyue's title"))


def test_cilin_groups_synonyms_of_two_characters_or_more() -> None:
    cilin = thesaurus()
    assert cilin.groups("累计") & cilin.groups("共计")
    assert cilin.groups("揭幕") & cilin.groups("开幕")
    assert not cilin.groups("德语") & cilin.groups("英语")
    assert cilin.groups("甚") == frozenset()  # one character: too loose to count


def test_a_thesaurus_knows_only_what_it_was_given() -> None:
    small = Thesaurus([["到底", "究竟"], ["企业"]])
    assert small.groups("到底") == small.groups("究竟") and small.concepts(["企业"])
    assert small.groups("公司") == frozenset()
