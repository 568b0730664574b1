"""The FAQ as data: loading `faq.yaml`, validating it, and attributing each source to its speaker.

`load(path)` returns an immutable `Knowledge` or raises `FaqError` listing every problem, each with
file, line and entry id. `check(path)` returns those problems without raising. Nothing here knows
about matching or front ends.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from bot.text import Lang, normalise, numbers_in

LANGS: tuple[Lang, Lang] = ("zh", "en")
MIN_QUESTIONS: Mapping[Lang, int] = {"zh": 4, "en": 2}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ID_LINE = re.compile(r"""^\s*-\s+id:\s*["']?([A-Za-z0-9_-]+)""")  # an entry's first line
# A bare yes or no opening an answer: it answers a question that was not necessarily asked.
_BARE_REPLY = re.compile(r"^(有|没有|是的?|不是|对|不|yes|no)\s*[。.,，!！;；]", re.IGNORECASE)


@dataclass(frozen=True)
class Bilingual:
    """A text in both reply languages."""

    zh: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Passage:
    """A verbatim stretch of the transcript and who said it."""

    text: str
    speaker: Bilingual
    offset: int
    translation: str = ""  # a faithful English translation (`source_en`)
    #: The transcript's paragraphs the passage stands in: what a speaker said around it also
    #: counts as known to the entry (a question may name a word just outside the quote).
    context: str = ""


@dataclass(frozen=True)
class Topic:
    id: str
    title: Bilingual


@dataclass(frozen=True)
class Entry:
    """One curated question with its answer and the passage it rests on."""

    id: str
    topic: str
    questions: Mapping[Lang, tuple[str, ...]]
    answer: Bilingual
    source: Passage
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    line: int = 0
    #: The line of each question and keyword, as written in the file (for `check`'s messages).
    text_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, text: str) -> int:
        """The line a question or keyword of this entry is on; the entry's own if not found."""
        return self.text_lines.get(text, self.line)


@dataclass(frozen=True)
class Scope:
    """What the FAQ is about, so questions about other events, editions or years are refused."""

    names: tuple[str, ...] = ()
    edition: int | None = None
    year: int | None = None
    other_events: tuple[str, ...] = ()
    other_times: tuple[str, ...] = ()
    other_event_suffixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    """Someone the briefing names, with the title it gives them: 他是什么职务? after an answer
    that names them is answered from this, quoting the answer's own source."""

    name: Bilingual
    title: Bilingual
    #: The transcript's sentence that gives the title with the name (广东省委书记李希先生…).
    source: Passage | None = None


@dataclass(frozen=True)
class Knowledge:
    """A loaded, validated FAQ."""

    path: Path
    title: Bilingual
    topics: tuple[Topic, ...]
    entries: tuple[Entry, ...]
    scope: Scope = field(default_factory=Scope)
    synonyms: tuple[tuple[str, ...], ...] = ()
    digest: str = ""
    people: tuple[Person, ...] = ()

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def people_in(self, entry: Entry) -> tuple[Person, ...]:
        """The people an entry's answer names, in the order of `people:`."""
        return tuple(p for p in self.people if p.name.zh in entry.answer.zh)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def in_topic(self, topic_id: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.topic == topic_id)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an FAQ file, located for the editor."""

    file: str
    line: int
    entry: str | None
    message: str
    unreadable: bool = False  # the file itself cannot be read: the message says it all

    def __str__(self) -> str:
        if self.unreadable:
            return self.message
        where = f" [{self.entry}]" if self.entry else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


class FaqError(Exception):
    """The FAQ file cannot be loaded; `problems` says why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))

    @property
    def unreadable(self) -> Problem | None:
        """The one problem of a file that cannot be read at all; None if it was read."""
        return next((p for p in self.problems if p.unreadable), None)


# --- the transcript and its speakers -----------------------------------------------------------


@dataclass(frozen=True)
class Transcript:
    """The source document split into paragraphs, each attributed to a speaker."""

    text: str
    starts: tuple[int, ...]
    speakers: tuple[Bilingual | None, ...]  # None marks text no answer may draw on (the footer)
    squeezed: str
    squeezed_to_raw: tuple[int, ...]

    def locate(self, passage: str) -> int | None:
        """Offset of passage in the text, ignoring differences in whitespace."""
        needle = "".join(passage.split())
        at = self.squeezed.find(needle) if needle else -1
        return None if at < 0 else self.squeezed_to_raw[at]

    def speaker_at(self, offset: int) -> Bilingual | None:
        return self.speakers[bisect.bisect_right(self.starts, offset) - 1]

    def around(self, offset: int, length: int) -> str:
        """The sentences of the text at offset (of length characters), with one more on each side,
        within its paragraph: what a speaker said right around a quote."""
        first = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[max(first, 0)]
        end = self.text.find("\n", offset + length)
        end = len(self.text) if end < 0 else end
        before = [m.end() for m in _SENTENCE_END.finditer(self.text, start, offset)]
        after = [m.end() for m in _SENTENCE_END.finditer(self.text, offset + length, end)]
        lo = before[-2] if len(before) >= 2 else start
        hi = after[1] if len(after) >= 2 else end
        return self.text[lo:hi].strip()


_SENTENCE_END = re.compile(r"[。！？!?；;]")
_TURN_RE = re.compile(r"^(\S{1,8}?)[:：]")


def parse_transcript(text: str, layout: Mapping[str, Any]) -> Transcript:
    """Attribute each paragraph using the layout markers and speaker names in `meta.transcript`."""
    names: Mapping[str, Mapping[str, str]] = layout.get("speakers", {})
    outlets: Mapping[str, str] = layout.get("outlets", {})
    outlet_re = re.compile(layout.get("outlet_pattern", r"我是(.+?)的记者"))
    section = "report"
    current: Bilingual | None = _speaker(names, "report")
    starts: list[int] = []
    speakers: list[Bilingual | None] = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group(0).strip()
        if line.startswith(layout.get("header_start", "\0")) and section == "report":
            section, current = "header", _speaker(names, "header")
        elif line.startswith(layout.get("turns_start", "\0")):
            section = "turns"
        elif line.startswith(layout.get("footer_start", "\0")) and section == "turns":
            section, current = "footer", None
        elif section == "turns" and (turn := _TURN_RE.match(line)) and turn.group(1) in names:
            current = _speaker(names, turn.group(1))
            outlet = outlet_re.search(line)
            if outlet and current is not None:
                zh_outlet = outlet.group(1)
                en_outlet = outlets.get(zh_outlet, zh_outlet)
                current = Bilingual(
                    current.zh.format(outlet=zh_outlet), current.en.format(outlet=en_outlet)
                )
        starts.append(match.start())
        speakers.append(current)
    squeezed_chars, raw_index = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            squeezed_chars.append(ch)
            raw_index.append(i)
    return Transcript(
        text, tuple(starts), tuple(speakers), "".join(squeezed_chars), tuple(raw_index)
    )


def _speaker(names: Mapping[str, Mapping[str, str]], key: str) -> Bilingual | None:
    name = names.get(key)
    if not name:
        return Bilingual(key, key)
    return Bilingual(str(name.get("zh", key)), str(name.get("en", name.get("zh", key))))


# --- loading and validation ---------------------------------------------------------------------


class _Lines:
    """Line numbers of the YAML nodes, so problems point at the right place."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.node = node

    def line(self) -> int:
        return self.node.start_mark.line + 1 if self.node is not None else 1

    def __getitem__(self, key: str | int) -> _Lines:
        node = self.node
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    return _Lines(v)
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            return _Lines(node.value[key])
        return _Lines(node)  # fall back to the enclosing node's line


class _Validator:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)
        self.problems: list[Problem] = []

    def report(self, where: _Lines, entry: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, where.line(), entry, message))

    def text(self, value: Any, where: _Lines, entry: str | None, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            kind = (
                "missing or empty" if value in (None, "") else f"not text ({type(value).__name__})"
            )
            self.report(where, entry, f"{what} is {kind}")
            return ""
        return value.strip()

    def mapping(self, value: Any, where: _Lines, entry: str | None, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            kind = "missing" if value is None else f"not a mapping ({type(value).__name__})"
            self.report(where, entry, f"{what} is {kind}")
            return {}
        return value

    def strings(self, value: Any, where: _Lines, entry: str | None, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.report(where, entry, f"{what} must be a list")
            return ()
        out = []
        for i, item in enumerate(value):
            text = self.text(item, where[i], entry, f"{what}[{i}]")
            if text:
                out.append(text)
        return tuple(out)

    def bilingual(self, value: Any, where: _Lines, entry: str | None, what: str) -> Bilingual:
        data = self.mapping(value, where, entry, what)
        return Bilingual(
            *(self.text(data.get(lang), where[lang], entry, f"{what}.{lang}") for lang in LANGS)
        )


def _read_yaml(path: Path, validator: _Validator) -> tuple[Any, _Lines] | None:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        # The absolute path: a relative one does not say which directory it was looked for in.
        tried = path.absolute()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = f"cannot read the FAQ file {tried}: {reason}"
        validator.problems.append(Problem(str(tried), 1, None, message, unreadable=True))
        return None
    # libyaml's loader when PyYAML has it: same safe constructors, several times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(raw)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax error at column {col}: {exc.problem or exc.context}"
        validator.problems.append(Problem(validator.file, line, _entry_around(raw, line), message))
        return None
    except yaml.YAMLError as exc:
        validator.problems.append(Problem(validator.file, 1, None, f"YAML error: {exc}"))
        return None
    finally:
        loader.dispose()
    return data, _Lines(node)


def _text_lines(values: Any, at: _Lines) -> dict[str, int]:
    """The line of each text in a YAML list, keyed by the text as the entry keeps it."""
    if not isinstance(values, list):
        return {}
    return {v.strip(): at[i].line() for i, v in enumerate(values) if isinstance(v, str)}


def _entry_around(raw: str, line: int) -> str | None:
    """The id of the entry a line of the file falls in: the last `- id:` at or above it."""
    found = None
    for text in raw.splitlines()[:line]:
        if m := _ID_LINE.match(text):
            found = m.group(1)
    return found


def _check_numbers(v: _Validator, entry: str, answer: Bilingual, source: str, at: _Lines) -> None:
    for lang in LANGS:
        if stray := _stray_numbers(answer(lang), source):
            v.report(at[lang], entry, f"answer.{lang} states {stray}, not in its source passage")


def _check_translation(
    v: _Validator, entry: str, translation: str, source: str, at: _Lines
) -> None:
    if stray := _stray_numbers(translation, source):
        v.report(at, entry, f"source_en states {stray}, not in its source passage")


def _check_standalone(v: _Validator, entry: str, answer: Bilingual, at: _Lines) -> None:
    """An answer is also shown for a one-word question (巴士) or a tapped suggestion, where a
    bare "有。" or "Yes." has nothing to answer."""
    for lang in LANGS:
        if bare := _BARE_REPLY.match(answer(lang)):
            message = f"answer.{lang} opens with {bare.group(1)!r}: it must read well on its own"
            v.report(at[lang], entry, message)


def _stray_numbers(text: str, source: str) -> str:
    """The numbers a text states that its source passage does not, for a message; "" if none."""
    stray = sorted(numbers_in(text) - numbers_in(source, chinese_numerals=True))
    return ", ".join(_show(n) for n in stray)


def _show(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _parse(path: Path) -> tuple[Knowledge | None, list[Problem]]:
    v = _Validator(path)
    read = _read_yaml(path, v)
    if read is None:
        return None, v.problems
    data, lines = read
    root = v.mapping(data, lines, None, "the file")
    if not root:
        return None, v.problems
    meta = v.mapping(root.get("meta"), lines["meta"], None, "meta")
    title = v.bilingual(meta.get("title"), lines["meta"]["title"], None, "meta.title")
    transcript = _transcript(v, path, meta, lines["meta"])
    topics = _topics(v, root.get("topics"), lines["topics"])
    entries = _EntryParser(v, transcript, {t.id for t in topics}).parse(
        root.get("entries"), lines["entries"]
    )
    scope, synonyms = _scope(v, meta, lines["meta"]), _synonyms(v, root, lines)
    people = _people(v, root, lines, transcript)
    if v.problems:
        return None, v.problems
    knowledge = Knowledge(
        path=path,
        title=title,
        topics=topics,
        entries=entries,
        scope=scope,
        synonyms=synonyms,
        digest=_digest(path),
        people=people,
    )
    return knowledge, []


def _transcript(
    v: _Validator, path: Path, meta: Mapping[str, Any], lines: _Lines
) -> Transcript | None:
    source_name = v.text(meta.get("source"), lines["source"], None, "meta.source")
    if not source_name:
        return None
    try:
        raw = (path.parent / source_name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        v.report(lines["source"], None, f"cannot read the transcript: {exc}")
        return None
    return parse_transcript(raw, meta.get("transcript") or {})


def _topics(v: _Validator, raw: Any, lines: _Lines) -> tuple[Topic, ...]:
    if not isinstance(raw, list) or not raw:
        v.report(lines, None, "topics must be a non-empty list")
        return ()
    topics: list[Topic] = []
    for i, item in enumerate(raw):
        at = lines[i]
        t = v.mapping(item, at, None, f"topics[{i}]")
        tid = v.text(t.get("id"), at["id"], None, f"topics[{i}].id")
        label = Bilingual(*(v.text(t.get(lang), at[lang], tid, lang) for lang in LANGS))
        if tid in {x.id for x in topics}:
            v.report(at["id"], tid, f"duplicate topic id {tid!r}")
        elif tid:
            topics.append(Topic(tid, label))
    return tuple(topics)


class _EntryParser:
    """Validates the entries one by one, then the links between them."""

    def __init__(self, v: _Validator, transcript: Transcript | None, topics: set[str]) -> None:
        self.v = v
        self.transcript = transcript
        self.topics = topics
        self.seen: dict[str, int] = {}  # id → the line it was first seen on
        self.question_owner: dict[str, str] = {}
        self.related_refs: list[tuple[str, str, _Lines]] = []

    def parse(self, raw: Any, lines: _Lines) -> tuple[Entry, ...]:
        if not isinstance(raw, list) or not raw:
            self.v.report(lines, None, "entries must be a non-empty list")
            return ()
        entries = [e for i, item in enumerate(raw) if (e := self.entry(item, lines[i], i))]
        for label, ref, at in self.related_refs:
            if ref not in self.seen:
                self.v.report(at, label, f"related id {ref!r} is not an entry")
            elif ref == label:
                self.v.report(at, label, "an entry cannot be related to itself")
        return tuple(entries)

    def entry(self, item: Any, at: _Lines, index: int) -> Entry | None:
        v = self.v
        e = v.mapping(item, at, None, f"entries[{index}]")
        if not e:
            return None
        eid = v.text(e.get("id"), at["id"], None, f"entries[{index}].id")
        if eid and not _ID_RE.match(eid):
            v.report(at["id"], eid, "id must be a lowercase slug (a-z, 0-9, _ or -)")
        if eid in self.seen:
            v.report(at["id"], eid, f"duplicate id {eid!r}, first used on line {self.seen[eid]}")
        self.seen.setdefault(eid, at["id"].line())
        label = eid or f"entries[{index}]"
        topic = v.text(e.get("topic"), at["topic"], label, "topic")
        if topic and topic not in self.topics:
            v.report(at["topic"], label, f"unknown topic {topic!r}")
        questions = self.questions(e.get("questions"), at["questions"], label)
        answer = v.bilingual(e.get("answer"), at["answer"], label, "answer")
        passage = self.passage(e.get("source"), at["source"], label)
        translation = v.text(e.get("source_en"), at["source_en"], label, "source_en")
        if passage.offset >= 0 and answer.zh and answer.en:
            _check_numbers(v, label, answer, passage.text, at["answer"])
        _check_standalone(v, label, answer, at["answer"])
        if passage.offset >= 0 and translation:
            _check_translation(v, label, translation, passage.text, at["source_en"])
            passage = replace(passage, translation=translation)
        keywords = v.strings(e.get("keywords"), at["keywords"], label, "keywords")
        related = v.strings(e.get("related"), at["related"], label, "related")
        self.related_refs.extend((label, r, at["related"]) for r in related)
        raw_questions = e.get("questions")
        lines = _text_lines(e.get("keywords"), at["keywords"])
        if isinstance(raw_questions, Mapping):
            for lang in LANGS:
                lines |= _text_lines(raw_questions.get(lang), at["questions"][lang])
        return Entry(eid, topic, questions, answer, passage, keywords, related, at.line(), lines)

    def questions(self, raw: Any, at: _Lines, label: str) -> Mapping[Lang, tuple[str, ...]]:
        qmap = self.v.mapping(raw, at, label, "questions")
        questions: dict[Lang, tuple[str, ...]] = {}
        for lang in LANGS:
            qs = self.v.strings(qmap.get(lang), at[lang], label, f"questions.{lang}")
            if qmap and len(qs) < MIN_QUESTIONS[lang]:
                need = MIN_QUESTIONS[lang]
                self.v.report(
                    at[lang],
                    label,
                    f"questions.{lang} needs at least {need} questions, has {len(qs)}",
                )
            questions[lang] = qs
            for j, q in enumerate(qs):
                owner = self.question_owner.setdefault(normalise(q), label)
                if owner != label:
                    self.v.report(at[lang][j], label, f"question {q!r} is also under {owner}")
        return questions

    def passage(self, raw: Any, at: _Lines, label: str) -> Passage:
        text = self.v.text(raw, at, label, "source")
        if not text or self.transcript is None:
            return Passage(text, Bilingual("", ""), -1)
        offset = self.transcript.locate(text)
        speaker = self.transcript.speaker_at(offset) if offset is not None else None
        if offset is None:
            self.v.report(at, label, "source is not a verbatim passage of the transcript")
        elif speaker is None:
            self.v.report(at, label, "source quotes the footer, which is not expo content")
        else:
            return Passage(text, speaker, offset, context=self.transcript.around(offset, len(text)))
        return Passage(text, Bilingual("", ""), -1)


def _scope(v: _Validator, meta: Mapping[str, Any], lines: _Lines) -> Scope:
    raw = meta.get("scope")
    if raw is None:
        return Scope()
    data = v.mapping(raw, lines["scope"], None, "meta.scope")
    at = lines["scope"]
    edition, year = data.get("edition"), data.get("year")
    for name, value in (("edition", edition), ("year", year)):
        if value is not None and not isinstance(value, int):
            v.report(at[name], None, f"meta.scope.{name} must be a whole number")
    return Scope(
        names=v.strings(data.get("names"), at["names"], None, "meta.scope.names"),
        edition=edition if isinstance(edition, int) else None,
        year=year if isinstance(year, int) else None,
        other_events=v.strings(data.get("other_events"), at["other_events"], None, "other_events"),
        other_times=v.strings(data.get("other_times"), at["other_times"], None, "other_times"),
        other_event_suffixes=v.strings(
            data.get("other_event_suffixes"), at["other_event_suffixes"], None, "suffixes"
        ),
    )


def _listed(v: _Validator, root: Mapping[str, Any], lines: _Lines, key: str, of: str) -> list[Any]:
    """An optional top-level list of the file; [] with one problem if it is something else."""
    raw = root.get(key)
    if raw is not None and not isinstance(raw, list):
        v.report(lines[key], None, f"{key} must be a list of {of}")
    return raw if isinstance(raw, list) else []


def _synonyms(v: _Validator, root: Mapping[str, Any], lines: _Lines) -> tuple[tuple[str, ...], ...]:
    groups = []
    for i, group in enumerate(_listed(v, root, lines, "synonyms", "lists")):
        words = v.strings(group, lines["synonyms"][i], None, f"synonyms[{i}]")
        if len(words) < 2:
            v.report(lines["synonyms"][i], None, f"synonyms[{i}] needs at least two words")
        groups.append(words)
    return tuple(groups)


def _people(
    v: _Validator, root: Mapping[str, Any], lines: _Lines, transcript: Transcript | None
) -> tuple[Person, ...]:
    """The `people:` the briefing names: each name and title in both languages, the Chinese
    ones as the transcript writes them."""
    found = []
    for i, item in enumerate(_listed(v, root, lines, "people", "{name, title}")):
        at, what = lines["people"][i], f"people[{i}]"
        record = v.mapping(item, at, None, what)
        name = v.bilingual(record.get("name"), at["name"], None, f"{what}.name")
        title = v.bilingual(record.get("title"), at["title"], None, f"{what}.title")
        source = _titled(transcript, name.zh, title.zh) if transcript else None
        if transcript is not None and source is None and name.zh and title.zh:
            v.report(at, None, f"{what}: the transcript never writes “{title.zh}{name.zh}”")
        found.append(Person(name, title, source))
    return tuple(found)


def _titled(transcript: Transcript, name: str, title: str) -> Passage | None:
    """The transcript's sentence that writes the title before the name, attributed."""
    at = transcript.text.find(title + name)
    speaker = transcript.speaker_at(at) if at >= 0 else None
    if speaker is None:
        return None
    starts = [m.end() for m in _SENTENCE_END.finditer(transcript.text, 0, at)]
    start = max([transcript.text.rfind("\n", 0, at) + 1, *starts])
    end = _SENTENCE_END.search(transcript.text, at)
    text = transcript.text[start : end.end() if end else len(transcript.text)].strip()
    return Passage(text, speaker, start)


def digest_of(data: bytes) -> str:
    """The short version id of an FAQ file's bytes (`Knowledge.digest`)."""
    import hashlib

    return hashlib.sha256(data).hexdigest()[:12]


def _digest(path: Path) -> str:
    return digest_of(path.read_bytes())


def load(path: Path) -> Knowledge:
    """Load and validate an FAQ file; raise FaqError listing every problem."""
    knowledge, problems = _parse(path)
    if knowledge is None:
        raise FaqError(problems)
    return knowledge


def check(path: Path) -> list[Problem]:
    """Every problem of an FAQ file; empty when it is sound."""
    return _parse(path)[1]


def iter_questions(knowledge: Knowledge) -> Iterator[tuple[Entry, Lang, str]]:
    """Every question variant of every entry, with its language."""
    for entry in knowledge.entries:
        for lang in LANGS:
            for question in entry.questions[lang]:
                yield entry, lang, question
