"""The command line: check, ask (text, JSON and JSON lines), eval and its error handling."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DEV_SET, FAQ

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        code = main(["--faq", str(FAQ), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_check_passes_on_the_shipped_faq(run: Run) -> None:
    code, out, _ = run("check", "--strict")  # what `make test` runs: not even a collision
    lines = out.strip().splitlines()
    assert code == 0 and lines == [f"{FAQ}: OK, 115 entries in 9 topics, no collisions"]
    code, out, _ = run("check", "--no-collisions")
    assert code == 0 and len(out.strip().splitlines()) == 1


def test_check_fails_with_one_line_per_problem(
    run: Run, edit_faq: Callable[[str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    broken = edit_faq("- id: projects\n", "- id: exhibitors\n")
    code = main(["check", "--faq", str(broken)])
    out = capsys.readouterr().out
    assert code == 1
    assert any(
        "duplicate id 'exhibitors'" in line and str(broken) in line for line in out.splitlines()
    )


def test_missing_faq_is_one_line_naming_the_absolute_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["ask", "展商"], ["check"], ["chat"]):
        assert main(["--faq", "nowhere/faq.yaml", *command]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1, err
        assert f"cannot read the FAQ file {tmp_path / 'nowhere' / 'faq.yaml'}: " in err
        assert "No such file or directory" in err
        assert "Traceback" not in err and "run `expo-bot check`" not in err  # it fails alike


def _expo_bot(*argv: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "EXPO_BOT_FAQ"}
    env |= {"EXPO_BOT_SEMANTIC": "off", "LANG": "C", "LC_ALL": "C"}
    return subprocess.run(
        [EXPO_BOT, *argv],
        check=False,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )


EXPO_BOT = str(Path(sys.executable).with_name("expo-bot"))


def test_it_runs_from_any_directory_with_the_project_faq(tmp_path: Path) -> None:
    done = _expo_bot("ask", "--json", "有多少展商?", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "exhibitors"


def test_ask_jsonl_writes_valid_utf8_json_whatever_bytes_come_in(tmp_path: Path) -> None:
    lines = [b"\xff\xfe\xe5\xb1\x95\xe5\x95\x86", "有多少展商?".encode(), b"caf\xe9?", b"\xe5\xb1"]
    done = _expo_bot("ask", "--jsonl", cwd=tmp_path, stdin=b"\n".join(lines) + b"\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")  # strict: any invalid byte would raise here
    replies = [json.loads(line) for line in out.splitlines()]
    assert [r["query"] for r in replies] == [
        "\ufffd\ufffd展商",
        "有多少展商?",
        "caf\ufffd?",
        "\ufffd",
    ]
    assert replies[1]["id"] == "exhibitors"


def test_ask_json(run: Run) -> None:
    code, out, _ = run("ask", "--json", "有多少展商?")
    data = json.loads(out)
    assert code == 0 and data["matched"] and data["id"] == "exhibitors"


def test_ask_text_shows_answer_source_and_speaker(run: Run) -> None:
    code, out, _ = run("ask", "How", "many", "exhibitors?")
    assert code == 0 and "3,049" in out and "Source: Gao Yuyue" in out


def test_ask_without_question_is_a_usage_error(run: Run) -> None:
    code, _, err = run("ask")
    assert code == 2 and "give a question" in err


def test_ask_jsonl_keeps_order_and_survives_any_line(run: Run) -> None:
    lines = ["有多少展商?", "", "\x00\x01<b>&", "x" * 5000, "How many visitors came?", "💥"]
    code, out, _ = run("ask", "--jsonl", stdin="\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["query"] for r in rows] == lines
    assert rows[0]["matched"] and rows[0]["id"] == "exhibitors"
    assert rows[1]["matched"] is False and rows[1]["id"] is None and rows[1]["source"] is None
    for row in rows:
        assert row["lang"] in ("zh", "en") and isinstance(row["score"], float | int)


def test_ask_jsonl_conversation_reads_follow_ups_and_a_blank_line_starts_anew(run: Run) -> None:
    lines = ["本届高交会有多少家展商?", "那观众呢?", "", "那观众呢?"]
    code, out, _ = run("ask", "--jsonl", "--conversation", stdin="\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["query"] for r in rows] == [
        "本届高交会有多少家展商?",
        "那观众呢?",
        "那观众呢?",
    ]
    assert rows[0]["understood"] is None
    assert rows[1]["matched"] and rows[1]["id"] == "visitors"
    assert rows[1]["understood"] == "本届高交会有多少家观众"
    assert not rows[2]["matched"] and rows[2]["understood"] is None  # nothing came before


def test_ask_jsonl_conversation_picks_from_the_last_suggestions(run: Run) -> None:
    code, out, _ = run("ask", "--jsonl", "--conversation", stdin="本届高交会有多少家展商?\n2\n")
    first, picked = (json.loads(line) for line in out.splitlines())
    assert code == 0 and picked["matched"]
    assert picked["id"] == first["suggestions"][1]["id"]
    assert picked["understood"] == first["suggestions"][1]["question"]


def test_ask_conversation_needs_jsonl(run: Run) -> None:
    code, _, err = run("ask", "--conversation", "那观众呢")
    assert code == 2 and "--jsonl" in err


def test_eval_prints_per_kind_figures_and_failures(run: Run, tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n"
        "- {kind: zh, q: '有多少展商?', expect: ['3049']}\n"
        "- {kind: zh, q: '有多少展商?', expect: ['9999']}\n"
        "- {kind: out, q: 推荐一部电影, expect: null}\n",
        encoding="utf-8",
    )
    code, out, _ = run("eval", str(cases))
    assert code == 0
    zh = next(line for line in out.splitlines() if line.startswith("zh"))
    assert zh.split()[1:5] == ["2", "1", "1", "0"]
    assert "WRONG ANSWER" in out and "9999" in out
    code, out, _ = run("eval", "--json", str(cases))
    data = json.loads(out)
    assert {s["kind"] for s in data["summary"]} >= {"zh", "out"}


def test_eval_rejects_a_malformed_file(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("just: [text\n", encoding="utf-8")
    code, _, err = run("eval", str(bad))
    assert code == 2 and "expo-bot eval:" in err


@pytest.mark.skipif(not DEV_SET.exists(), reason="the shared dev set is not beside the repo")
def test_eval_runs_the_dev_set(run: Run) -> None:
    code, out, _ = run("eval", str(DEV_SET))
    assert code == 0 and "in-scope" in out
