"""The README stays true: its worked FAQ example passes `check`, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.cli import build_parser
from bot.knowledge import check
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_worked_example_entry_passes_check(faq_copy: Path) -> None:
    block = re.search(r"```yaml\n(\s+- id: district_governments\n.*?)```", README, re.S)
    assert block, "the worked example is missing from the README"
    example = yaml.safe_load(block.group(1))[0]
    data = yaml.safe_load(faq_copy.read_text(encoding="utf-8"))
    data["entries"] = [e for e in data["entries"] if e["id"] != example["id"]] + [example]
    faq_copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert check(faq_copy) == []


def test_every_documented_command_exists() -> None:
    documented = set(re.findall(r"`expo-bot (\w+)", README))
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    available = set(actions[0].choices or {})
    assert documented and documented <= available
    assert "make chat" in README and "make test" in README
