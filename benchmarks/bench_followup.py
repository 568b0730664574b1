"""What reading follow-ups in context costs: conversations replied to turn by turn, against every
line replied to alone, in the same run on the same questions.

A follow-up is matched more than once (the message alone, then each rebuilt question), so its
reply costs a few plain replies; a question of its own costs one reply and a look at the last
turn. It prints the mean and p99 per message both ways and their ratio; not a timed test. Usage:
    python benchmarks/bench_followup.py [--repeat 3] [FILE…]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import evaluation  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.conversation import reply_in_context, turn_of  # noqa: E402
from bot.knowledge import load  # noqa: E402
from bot.matching import shared  # noqa: E402
from bot.replies import Responder  # noqa: E402

DATA = ROOT / "tests" / "data"
FILES = [DATA / "followup-conversations.yaml", DATA / "followup-conversations-2.yaml"]


def timed_alone(responder: Responder, turns: list[list[str]]) -> list[float]:
    out = []
    for conversation in turns:
        for message in conversation:
            start = time.perf_counter()
            responder.reply(message)
            out.append(time.perf_counter() - start)
    return out


def timed_in_context(responder: Responder, turns: list[list[str]]) -> list[float]:
    out = []
    for conversation in turns:
        last = None
        for message in conversation:
            start = time.perf_counter()
            reply = reply_in_context(responder, message, last)
            last = turn_of(responder, reply)
            out.append(time.perf_counter() - start)
    return out


def summary(times: list[float]) -> tuple[float, float]:
    ms = sorted(t * 1000 for t in times)
    return statistics.fmean(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=FILES)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_env()
    shared.configure(settings, preload=True)
    responder = Responder(load(ROOT / "knowledge" / "faq.yaml"))
    turns = [
        [case.question for case in conversation]
        for path in args.files
        for conversation in evaluation.load_conversations(path)
    ]
    responder.reply("warm up")  # the models load once
    alone: list[float] = []
    context: list[float] = []
    for _ in range(args.repeat):  # interleaved, so machine noise falls on both alike
        alone += timed_alone(responder, turns)
        context += timed_in_context(responder, turns)
    messages = sum(map(len, turns))
    mode = ",".join(settings.semantic) or "lexical only"
    print(f"{len(turns)} conversations, {messages} messages, ×{args.repeat}; models: {mode}")
    for label, times in (("alone", alone), ("in context", context)):
        mean, p99 = summary(times)
        print(f"  {label:<11} mean {mean:6.2f} ms   p99 {p99:6.2f} ms")
    print(f"  in context / alone: {statistics.fmean(context) / statistics.fmean(alone):.2f}×")


if __name__ == "__main__":
    main()
