"""The README and docs/ stay true: the worked FAQ example passes `check`, every command shown
exists, the JSON examples are what the bot replies, every link between them leads somewhere,
and the README stays a front page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from bot.cli import build_parser
from bot.knowledge import check
from bot.replies import Responder
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}
SHOWN = "\n".join([README, *DOCS.values()])  # everything a reader is shown


def test_worked_example_entry_passes_check(faq_copy: Path) -> None:
    block = re.search(r"```yaml\n(\s+- id: district_governments\n.*?)```", SHOWN, re.S)
    assert block, "the worked example is missing from the README"
    example = yaml.safe_load(block.group(1))[0]
    data = yaml.safe_load(faq_copy.read_text(encoding="utf-8"))
    data["entries"] = [e for e in data["entries"] if e["id"] != example["id"]] + [example]
    faq_copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert check(faq_copy) == []


def test_every_documented_command_exists() -> None:
    documented = set(re.findall(r"`expo-bot (\w+)", SHOWN))
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    available = set(actions[0].choices or {})
    assert documented and documented <= available
    assert "make chat" in README and "make test" in README


def test_json_examples_are_what_the_bot_replies(responder: Responder) -> None:
    examples = [json.loads(block) for block in re.findall(r"```json\n(\{.*?\})\n```", SHOWN, re.S)]
    assert {e["script"] for e in examples} == {"hant", None}  # Traditional and English
    for example in examples:
        reply = responder.reply(example["query"]).to_json()
        assert {key: reply[key] for key in example} == example


def test_the_readme_is_a_front_page_whose_links_lead_somewhere() -> None:
    assert len(README.splitlines()) <= 200
    pages = {"README.md": README, **{f"docs/{name}": text for name, text in DOCS.items()}}
    for page, text in pages.items():
        for target, anchor in re.findall(r"\]\(([\w./-]+\.md)(?:#([\w-]+))?\)", text):
            path = (ROOT / page).parent / target
            assert path.exists(), f"{page} links to {target}, which is missing"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
                slugs = {
                    re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings
                }
                assert anchor in slugs, (
                    f"{page} links to {target}#{anchor}, which has no such heading"
                )
