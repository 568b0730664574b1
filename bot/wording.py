"""The bot's own words: every interface text of every front end, in both languages.

Texts are written once, in Simplified Chinese and in English, under typed keys (`Key`); `say`
fills one in and writes it in the reply's form of Chinese, converting to Traditional on the way
out (`bot.text.written`). Expo facts never appear here: they come from the FAQ. The editors'
screens (/stats, /review, the broken-FAQ alert, `expo-bot check`) are in English and stay with
the code that builds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from bot.text import Lang, Variant, written

Key = Literal[
    # replies (bot.replies)
    "refuse",
    "out_of_scope",
    "ambiguous",
    "empty",
    "partial_word",
    "partial_kind",
    "partial_else",
    "role_of",
    "closest",
    "related",
    "examples",
    "source",
    "speaker_sep",
    "translation",
    "said_by",
    "list_sep",
    # Telegram (bot.telegram)
    "welcome",
    "help",
    "about",
    "topics",
    "topic",
    "all_topics",
    "prev",
    "next",
    "lang_prompt",
    "lang_set",
    "ask_usage",
    "too_long",
    "not_text",
    "edited",
    "stale",
    "inline_empty",
    "thanks",
    # the console (bot.console)
    "console_help",
    "console_topics",
    "console_topic",
    "console_page",
    "console_pick",
    "console_no_more",
]

TEXTS: Final[Mapping[Key, Mapping[Lang, str]]] = {
    "refuse": {
        "zh": "抱歉,通报会实录里没有涉及这个问题,我不想猜。"
        "我能回答关于{title}的这些方面:{topics}。",
        "en": "Sorry, the briefing doesn't cover that, and I'd rather not guess. "
        "I can answer questions about {title} on: {topics}.",
    },
    "out_of_scope": {
        "zh": "我只了解{title}的情况,这个问题问的是{what},超出了我的资料范围。",
        "en": "I only know about {title}; this question is about {what}, "
        "which my source doesn't cover.",
    },
    "ambiguous": {
        "zh": "我不太确定你的意思,你是想问:",
        "en": "I'm not sure I understood. Did you mean:",
    },
    "empty": {
        "zh": "请输入一个问题,例如:{example}",
        "en": "Please type a question, for example: {example}",
    },
    "partial_word": {
        "zh": "通报会没有提到“{detail}”。关于这个话题,通报会说的是:",
        "en": "The briefing doesn't mention “{detail}”. What it does say on this:",
    },
    "partial_kind": {
        "zh": "通报会没有说明{detail}。关于这个话题,通报会说的是:",
        "en": "The briefing doesn't say {detail}. What it does say on this:",
    },
    "partial_else": {
        "zh": "通报会没有提到其他的。关于这个话题,通报会说的是:",
        "en": "The briefing names no one and nothing else. What it does say on this:",
    },
    "role_of": {"zh": "{name}是{title}。", "en": "{name} is {title}."},
    "closest": {"zh": "相近的问题:", "en": "Closest questions:"},
    "related": {"zh": "相关问题:", "en": "Related questions:"},
    "examples": {"zh": "可以试试这些问题:", "en": "Try one of these:"},
    "source": {"zh": "出处", "en": "Source"},
    "speaker_sep": {"zh": ":", "en": ": "},
    "translation": {"zh": "译文", "en": "Translation"},
    "said_by": {"zh": "这是{speaker}说的。", "en": "That was {speaker}."},
    "list_sep": {"zh": "、", "en": ", "},
    "welcome": {
        "zh": "你好!我回答关于{title}的问题。每个答案都附上出处原文和说话人;资料里没有的,"
        "我会直说不知道。\n\n直接发来你的问题,或点下面的例子。/topics 按话题浏览,/help 查看用法。",
        "en": "Hello! I answer questions about {title}. Every answer quotes the passage it comes "
        "from and who said it; if my source doesn't cover something, I say so.\n\n"
        "Just send me a question, or tap an example below. /topics browses by topic, /help "
        "explains the rest.",
    },
    "help": {
        "zh": "直接用中文或英文发来问题,我用同样的语言回答,并引用出处。\n\n"
        "/topics 按话题浏览全部问题\n/about 我知道什么、资料来自哪里\n/lang 切换界面语言\n\n"
        "在群里:@{bot} 加问题、回复我的消息,或用 /ask 问题。\n"
        "在任何聊天里输入 @{bot} 加关键词,可以直接挑选答案发出去。",
        "en": "Send me a question in English or Chinese; I answer in the same language and "
        "quote my source.\n\n/topics browse every question by topic\n"
        "/about what I know and where it comes from\n/lang switch the interface language\n\n"
        "In groups: mention @{bot} with your question, reply to one of my messages, or use "
        "/ask followed by the question.\n"
        "In any chat, type @{bot} and a few words to pick an answer and send it.",
    },
    "about": {
        "zh": "我只回答关于{title}的问题,依据是一份人工整理的问答资料:{topics}个话题,"
        "{entries}个问题。\n\n每个答案都出自同一份原始文字记录里的一段原文,我会把原文和说话人"
        "一起引用出来。资料里没有的问题,我不会猜。\n\n引用的说话人:\n{speakers}\n\n资料版本:{digest}",
        "en": "I only answer questions about {title}, from a curated FAQ of {entries} questions "
        "in {topics} topics.\n\nEvery answer rests on a verbatim passage of one source document, "
        "and I quote that passage with its speaker. If the FAQ doesn't cover a question, I don't "
        "guess.\n\nSpeakers quoted:\n{speakers}\n\nFAQ version: {digest}",
    },
    "topics": {"zh": "选择一个话题:", "en": "Pick a topic:"},
    "topic": {"zh": "{topic}({count}个问题):", "en": "{topic} ({count} questions):"},
    "all_topics": {"zh": "« 全部话题", "en": "« All topics"},
    "prev": {"zh": "‹ 上一页", "en": "‹ Previous"},
    "next": {"zh": "下一页 ›", "en": "Next ›"},
    "lang_prompt": {"zh": "选择界面语言:", "en": "Choose the interface language:"},
    "lang_set": {
        "zh": "好的,命令和按钮将使用中文。提问用哪种语言,我就用哪种语言回答。",
        "en": "OK, commands and buttons are now in English. I still answer in the language "
        "you ask in.",
    },
    "ask_usage": {
        "zh": "用法:/ask 加上你的问题,例如 /ask {example}",
        "en": "Usage: /ask followed by your question, e.g. /ask {example}",
    },
    "too_long": {
        "zh": "这条消息太长了,请把问题缩短到一两句话再发给我。",
        "en": "That message is too long for me. Please ask in a sentence or two.",
    },
    "not_text": {
        "zh": "我只能读文字问题,请用文字把问题发给我。",
        "en": "I can only read text. Please type your question.",
    },
    "edited": {
        "zh": "我不会重新回答修改过的消息,请把问题重新发一次。",
        "en": "I don't re-answer edited messages. Please send the question again.",
    },
    "stale": {
        "zh": "这个问题已经不在资料里了,请重新提问。",
        "en": "That question is no longer in the FAQ. Please ask again.",
    },
    "inline_empty": {"zh": "没有找到相关答案", "en": "No answer found"},
    "thanks": {"zh": "谢谢反馈", "en": "Thanks for the feedback"},
    "console_help": {
        "zh": "直接输入问题即可,中英文都行。输入数字选择屏幕上列出的一项。\n"
        "命令:/topics 按话题浏览,/help 帮助,/quit 退出(也可按 Ctrl-D;"
        "Ctrl-C 清除正在输入的一行,空行时退出)。",
        "en": "Type a question in Chinese or English. Type a number to pick an item listed "
        "on screen.\nCommands: /topics to browse by topic, /help for this text, /quit to leave "
        "(or Ctrl-D; Ctrl-C clears the line being typed, and leaves on an empty line).",
    },
    "console_topics": {"zh": "话题(输入编号):", "en": "Topics (type a number):"},
    "console_topic": {"zh": "■ {topic}({count}个问题)", "en": "■ {topic} ({count} questions)"},
    "console_page": {
        "zh": "第{page}/{pages}页。输入编号看答案;n 下一页,p 上一页,/topics 返回话题。",
        "en": "Page {page} of {pages}. Type a number for its answer; n next page, p previous, "
        "/topics back to the topics.",
    },
    "console_pick": {
        "zh": "请输入 1–{count} 之间的编号。",
        "en": "Type a number from 1 to {count}.",
    },
    "console_no_more": {"zh": "没有更多页了。", "en": "There are no more pages."},
}

ScopeKind = Literal["another event", "another edition", "another year"]

#: What an out-of-scope question is about, by the scope gate's reason.
SCOPE_WHAT: Final[Mapping[ScopeKind, Mapping[Lang, str]]] = {
    "another event": {"zh": "另一个展会", "en": "another event"},
    "another edition": {"zh": "另一届展会", "en": "another edition"},
    "another year": {"zh": "另一年份", "en": "another year"},
}

#: What a partial reply says the briefing does not give, by the kind of question asked
#: (`bot.text.question_types`).
KIND_DETAIL: Final[Mapping[str, Mapping[Lang, str]]] = {
    "where": {"zh": "地点", "en": "where"},
    "when": {"zh": "时间", "en": "when"},
    "who": {"zh": "是谁", "en": "who"},
    "count": {"zh": "具体数字", "en": "the number"},
    "money": {"zh": "费用或金额", "en": "the cost or amount"},
    "size": {"zh": "大小", "en": "the size"},
    "list": {"zh": "完整名单", "en": "the full list"},
    "which": {"zh": "具体是哪些", "en": "which ones"},
    "name": {"zh": "名称", "en": "the name"},
    "besides": {"zh": "其他还有哪些", "en": "which others"},
    "breakdown": {"zh": "分项数字", "en": "the breakdown"},
    "why": {"zh": "原因", "en": "why"},
    "how": {"zh": "具体做法", "en": "how"},
    "said": {"zh": "讲话的具体内容", "en": "what exactly was said"},
}

#: The Telegram command menu (setMyCommands), in each interface language.
COMMANDS: Final[Mapping[Lang, tuple[tuple[str, str], ...]]] = {
    "zh": (
        ("start", "开始,看看可以问什么"),
        ("topics", "按话题浏览问题"),
        ("ask", "在群里提问:/ask 问题"),
        ("about", "我知道什么、资料来源"),
        ("lang", "切换界面语言 中文/English"),
        ("help", "使用说明"),
    ),
    "en": (
        ("start", "Start and see what you can ask"),
        ("topics", "Browse questions by topic"),
        ("ask", "Ask in a group: /ask question"),
        ("about", "What I know and where it comes from"),
        ("lang", "Switch language: 中文/English"),
        ("help", "How to use this bot"),
    ),
}

#: Only in the menus of the admins' own private chats (EXPO_BOT_ADMINS).
ADMIN_COMMANDS: Final[Mapping[Lang, tuple[tuple[str, str], ...]]] = {
    "zh": (
        ("reload", "立即重新加载 FAQ"),
        ("stats", "使用统计:本次启动以来、近 7 天"),
        ("review", "待处理的问题(近 7 天)"),
    ),
    "en": (
        ("reload", "Reload the FAQ now"),
        ("stats", "Usage since start-up and over 7 days"),
        ("review", "Questions to work on (last 7 days)"),
    ),
}

LANG_NAMES: Final[Mapping[Lang, str]] = {"zh": "中文", "en": "English"}


def say(key: Key, lang: Lang, variant: Variant = "hans", **values: str | int) -> str:
    """An interface text in the given language and written form, with values filled in.

    Values are inserted as given: text from the FAQ is converted by whoever supplies it.
    """
    return template(key, lang, variant).format(**values)


def template(key: Key, lang: Lang, variant: Variant = "hans") -> str:
    """The unfilled text, in the given written form of Chinese."""
    return written(TEXTS[key][lang], variant) if lang == "zh" else TEXTS[key][lang]


def scope_what(reason: str, lang: Lang) -> str:
    """What a question the scope gate refused is about: "another event", …"""
    kind = reason.split(":", 1)[0]
    what = next((w for k, w in SCOPE_WHAT.items() if k == kind), None)
    return what[lang] if what is not None else kind


def missing_details(kinds: tuple[str, ...], lang: Lang) -> list[str]:
    """What a partial reply says the briefing does not give, for the kinds of question asked."""
    return [KIND_DETAIL[k][lang] for k in kinds if k in KIND_DETAIL]
