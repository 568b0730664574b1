"""Whole-command timings: console start to first prompt, and `ask --jsonl` over 1,000 questions.

Each is a fresh process, as a user would start it; the median of a few runs is printed.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "bot"]


def console_to_prompt() -> float:
    """Seconds from starting `expo-bot chat` on a terminal until its prompt is printed."""
    leader, follower = pty.openpty()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*CLI, "chat"], stdin=follower, stdout=follower, stderr=follower, cwd=ROOT
    )
    os.close(follower)
    seen = b""
    try:
        while b"> " not in seen:
            ready, _, _ = select.select([leader], [], [], 10)
            if not ready:
                raise RuntimeError(f"no prompt within 10 s: {seen!r}")
            seen += os.read(leader, 4096)
        return time.perf_counter() - start
    finally:
        proc.kill()
        proc.wait()
        os.close(leader)


def questions(count: int) -> str:
    """A realistic mix: FAQ-like questions, paraphrases, other languages, noise and blanks."""
    base = [
        "本届高交会有多少家展商?",
        "這屆高交會有幾多展商?",
        "How many visitors came?",
        "展商",
        "门票多少钱?",
        "广交会有多少展商?",
        "高交会什么时候结束",
        "谁为高交会揭幕",
        "How many exhibitors were there",
        "有免费巴士吗",
        "",
        "qwertyuiop",
        "ＶＲ观展",
        "通报会在哪里举行",
        "优秀产品奖有多少项",
        "What was the theme of the fair?",
    ]
    return (
        "\n".join(
            f"{base[i % len(base)]}{'' if i < len(base) else ' ' * (i % 3)}" for i in range(count)
        )
        + "\n"
    )


def ask_jsonl(count: int) -> float:
    """Seconds for one `ask --jsonl` run over `count` questions, process start included."""
    data = questions(count)
    start = time.perf_counter()
    out = subprocess.run(
        [*CLI, "ask", "--jsonl"], input=data, capture_output=True, text=True, check=True, cwd=ROOT
    )
    elapsed = time.perf_counter() - start
    lines = out.stdout.splitlines()
    if len(lines) != count:
        raise RuntimeError(f"expected {count} lines, got {len(lines)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    prompt = [console_to_prompt() for _ in range(args.runs)]
    batch = [ask_jsonl(1000) for _ in range(args.runs)]
    print(
        f"console start to first prompt: median {statistics.median(prompt):.2f} s "
        f"(max {max(prompt):.2f} s, {args.runs} runs; target < 1 s)"
    )
    print(
        f"ask --jsonl, 1,000 questions:   median {statistics.median(batch):.2f} s "
        f"(max {max(batch):.2f} s, {args.runs} runs; target < 2 s)"
    )


if __name__ == "__main__":
    main()
