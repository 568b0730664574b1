"""Load benchmark of the Telegram bot: a burst of messages from as many users, through the stand-in.

The real Application (PTB, HTTP on 127.0.0.1, long polling) runs here; the Bot API stand-in of
tests/e2e runs in a second process, so each has a core. The stand-in queues one question from each
of N new users at once and times, per user, from the update becoming available to the bot's
sendMessage arriving. Two runs:

- "limits lifted": AIORateLimiter with no rate limits, to see what the bot itself can do
  (target: >= 100 updates/s on a 2-core machine with the semantic ranker on, nothing dropped);
- "Telegram limits": AIORateLimiter at Telegram's real limits (30 messages/s overall), so the
  burst drains at about 30 replies a second, as it would on Telegram.

Events are not recorded unless `--record` is given; then they go to a database in a temporary
directory (never the repository's var/), written on the bot's event-log thread as in production.

It prints figures; it is not a timed test. Usage:
    python benchmarks/bench_telegram.py [--messages 2000] [--runs lifted,limited] [--record]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram.ext import AIORateLimiter  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.evaluation import load_cases  # noqa: E402
from bot.knowledge import FaqError, iter_questions, load  # noqa: E402
from bot.replies import Responder  # noqa: E402
from bot.telegram.app import BotApp, build_application  # noqa: E402
from bot.telegram.common import recorder_of  # noqa: E402
from tests.e2e.fake_bot_api import TOKEN, serve_in_process  # noqa: E402
from tests.e2e.lifecycle import start_polling, stop_polling  # noqa: E402

SHIPPED_FAQ = ROOT / "knowledge" / "faq.yaml"
HELD_OUT = (
    ROOT / "tests" / "data" / "heldout-questions.yaml",
    ROOT / "tests" / "data" / "heldout-questions-2.yaml",
)
FIXTURE_FAQ = ROOT / "tests" / "e2e" / "data" / "faq.yaml"
# Questions the FAQ does not cover, so refusals are part of the load too (about one in ten).
OFF_TOPIC = ("明天深圳会下雨吗?", "What's the best hotel near the venue?", "广交会有多少展商?")


@dataclass(frozen=True)
class Live:
    current: Responder


def pick_faq() -> Path:
    """The shipped FAQ if it loads (realistic matcher cost), else the small test fixture."""
    try:
        load(SHIPPED_FAQ)
    except (FaqError, OSError):
        return FIXTURE_FAQ
    return SHIPPED_FAQ


def questions(responder: Responder, count: int) -> list[str]:
    """Unseen questions (the held-out sets', never FAQ variants, whose vectors are cached), with
    the FAQ's own questions for the rest, and some off-topic ones."""
    unseen = [c.question for path in HELD_OUT for c in load_cases(path)]
    known = [q for _, _, q in iter_questions(responder.knowledge)]
    on_topic = itertools.cycle(unseen + known)
    off_topic = itertools.cycle(OFF_TOPIC)
    return [next(off_topic) if i % 10 == 9 else next(on_topic) for i in range(count)]


async def one_run(
    faq: Path,
    responder: Responder,
    limiter: AIORateLimiter,
    qs: list[str],
    db: Path,
    *,
    record: bool,
) -> Any:
    """Start a stand-in in a child process and the bot here; send the burst; return its figures."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=serve_in_process, args=(theirs,), daemon=True)
    server.start()
    loop = asyncio.get_running_loop()
    port = await loop.run_in_executor(None, ours.recv)
    base_url = f"http://127.0.0.1:{port}/bot"
    settings = Settings(token=TOKEN, base_url=base_url, faq=faq, db=db, salt="bench")
    app: BotApp = build_application(settings, Live(responder), rate_limiter=limiter, record=record)
    await start_polling(app)
    try:
        within = 30 + len(qs) / 20  # generous: at 30 messages/s a burst of 2,000 takes ~67 s
        cpu = time.process_time()
        await loop.run_in_executor(None, ours.send, ("burst", qs, within))
        stats = await loop.run_in_executor(None, ours.recv)
        recorder = recorder_of(app.bot_data)
        stats["dropped_events"] = recorder.dropped
        await recorder.flush()
        stats["bot_cpu"] = time.process_time() - cpu
        return stats
    finally:
        await stop_polling(app)
        ours.send(("stop",))
        server.join(10)


def report(name: str, stats: dict[str, Any]) -> None:
    latencies = stats["latencies"]
    answered, total = stats["answered"], stats["updates"]
    rate = answered / stats["elapsed"] if stats["elapsed"] else 0.0
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0
    print(
        f"{name:<16} {total:>7} {answered:>8} {total - answered:>7} {stats['rejected']:>8} "
        f"{stats['elapsed']:>8.2f} {rate:>9.1f} {p50:>9.1f} {p99:>9.1f} "
        f"{stats['bot_cpu']:>7.1f} {stats['cpu']:>7.1f}"
        + (f"  ({stats['dropped_events']} events dropped)" if stats["dropped_events"] else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=2000, help="users, one message each")
    parser.add_argument("--runs", default="lifted,limited", help="lifted, limited, or both")
    parser.add_argument("--faq", type=Path, help="FAQ file (default: the shipped one if sound)")
    parser.add_argument(
        "--record", action="store_true", help="record events to a database in a temporary dir"
    )
    args = parser.parse_args(argv)

    faq = args.faq.resolve() if args.faq else pick_faq()
    responder = Responder(load(faq))
    qs = questions(responder, args.messages)
    runs = {
        "limits lifted": ("lifted", AIORateLimiter(0, group_max_rate=0, max_retries=3)),
        "Telegram limits": ("limited", AIORateLimiter(max_retries=3)),
    }
    wanted = set(args.runs.split(","))
    print(f"FAQ: {faq.relative_to(ROOT)} ({len(responder.knowledge.entries)} entries)")
    print(
        f"burst: {args.messages} messages from {args.messages} users, private chats; "
        + ("events recorded" if args.record else "events not recorded")
    )
    print(
        f"{'run':<16} {'updates':>7} {'answered':>8} {'dropped':>7} {'rejected':>8} "
        f"{'seconds':>8} {'updates/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'bot cpu':>7} {'api cpu':>7}"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp:
        for name, (key, limiter) in runs.items():
            if key in wanted:
                db = Path(tmp) / f"{key}.sqlite3"
                report(
                    name, asyncio.run(one_run(faq, responder, limiter, qs, db, record=args.record))
                )
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
