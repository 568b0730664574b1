"""Telegram replies in the asker's voice: Traditional for a Traditional question, the English
translation under the verbatim quote, and the conversation's language for input with none."""

from __future__ import annotations

from .conftest import Harness

SOURCE = "展会总面积达12万平方米,3049家展商参展"  # the exhibitors entry's passage, verbatim


async def test_a_traditional_question_is_answered_in_traditional_with_the_quote_verbatim(
    bot: Harness,
) -> None:
    api = bot.api
    alice = api.user("zh")
    api.send_text(alice, "幾多間展商參展?")
    [reply] = await api.messages(alice["id"])
    assert reply.text.startswith("本屆高交會共有3049家展商參展。")
    quote = reply.html.split("<blockquote expandable>", 1)[1]
    assert quote.startswith("<b>出處:高裕躍")  # the interface's words and the speaker too
    assert f"{SOURCE}</blockquote>" in quote  # but the quote as the transcript has it
    *related, _, _ = reply.buttons()
    assert related and all(data.startswith("a|hk|") for _, data in related)
    assert all(label == label.replace("届", "屆") for label, _ in related)
    # A tapped suggestion answers in the same written form.
    api.tap(alice, reply, related[0][1])
    _, tapped = await api.messages(alice["id"], 2)
    assert "屆" in tapped.text and "届" not in tapped.text.split("\n")[0]
    assert api.rejected() == []


async def test_a_taiwan_question_gets_taiwan_forms(bot: Harness) -> None:
    api = bot.api
    bob = api.user("en")  # the question's script wins over the Telegram language
    api.send_text(bob, "展覽面積有多大?")
    [reply] = await api.messages(bob["id"])
    assert "本屆高交會展會總面積達12萬平方米" in reply.text
    assert "據統計,本届" not in reply.html  # the quote is not converted
    assert "据统计,本届高交会展会总面积达12万平方米" in reply.html


async def test_an_english_answer_shows_the_translation_under_the_quote(bot: Harness) -> None:
    api = bot.api
    carol = api.user("en")
    api.send_text(carol, "How many exhibitors took part?")
    [reply] = await api.messages(carol["id"])
    quote_at = reply.html.index(f"{SOURCE}</blockquote>")
    translation_at = reply.html.index("<b>Translation</b>")
    assert quote_at < translation_at
    translated = reply.html[translation_at:]
    assert "3,049 exhibitors took part." in translated
    assert api.rejected() == []


async def test_input_without_a_language_is_answered_in_the_conversation_s(bot: Harness) -> None:
    api = bot.api
    dave = api.user("en")  # an English Telegram, asking in Chinese
    api.send_text(dave, "有多少家展商参展?")
    await api.messages(dave["id"])
    for count, shapeless in enumerate(("？？？", "🎉", "42"), 2):
        api.send_text(dave, shapeless)
        reply = (await api.messages(dave["id"], count))[-1]
        assert "请" in reply.text or "抱歉" in reply.text, (shapeless, reply.text)
    erin = api.user("en")
    api.send_text(erin, "？？？")
    [reply] = await api.messages(erin["id"])
    assert reply.text.startswith("Please type a question")  # nothing so far: the user's language
