"""Matcher speed and memory: the real FAQ and synthetic FAQs of 1k and 10k entries.

Prints, for each FAQ size, build time (the synthetic FAQs' vectors embedded cold, in a throwaway
cache), per-query p50/p99 latency with the semantic ranker on and RSS, next to the plain baseline
`rapidfuzz.process.extractOne(query, all_variants, scorer=WRatio)` measured in the same run on
the same queries. Also the real FAQ's process start to first answer, in a fresh process, with
the cache warm and cold, and its peak RSS.

    .venv/bin/python benchmarks/bench_matcher.py [--sizes 1000 10000] [--queries 300]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.config import Settings
from bot.knowledge import Bilingual, Entry, Knowledge, Passage, load
from bot.matching import shared
from bot.matching.matcher import Matcher
from bot.text import Lang

ROOT = Path(__file__).resolve().parent.parent
FAQ = ROOT / "knowledge" / "faq.yaml"

# Common characters and words, so synthetic questions look like the real ones to the index.
ZH_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子"
    "说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当"
    "使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你"
    "明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果"
    "料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农"
    "指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济"
)
EN_WORDS = [
    "how",
    "many",
    "what",
    "where",
    "when",
    "who",
    "exhibitors",
    "visitors",
    "forum",
    "award",
    "booth",
    "hall",
    "pavilion",
    "theme",
    "startup",
    "investor",
    "project",
    "country",
    "delegation",
    "volunteer",
    "shuttle",
    "bus",
    "translation",
    "service",
    "ministry",
    "science",
    "technology",
    "innovation",
    "product",
    "robot",
    "energy",
    "material",
    "city",
    "smart",
    "data",
]


def _zh(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ZH_CHARS) for _ in range(n))


def _en(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(EN_WORDS) for _ in range(n)) + f" {rng.randrange(10**6)}"


def synthetic(size: int, template: Knowledge, seed: int = 7) -> Knowledge:
    """An FAQ of `size` entries with random Chinese and English questions and keywords."""
    rng = random.Random(seed)
    source = template.entries[0].source
    entries = []
    for i in range(size):
        zh = tuple(_zh(rng, rng.randint(8, 16)) for _ in range(3))
        en = tuple(_en(rng, rng.randint(4, 8)) for _ in range(2))
        entries.append(
            Entry(
                id=f"e{i}",
                topic=template.topics[0].id,
                questions={"zh": zh, "en": en},
                answer=Bilingual(_zh(rng, 20), _en(rng, 10)),
                source=Passage(source.text, source.speaker, source.offset),
                keywords=(_zh(rng, 3),),
            )
        )
    return replace(template, entries=tuple(entries), synonyms=())


def queries(knowledge: Knowledge, count: int, seed: int = 11) -> list[str]:
    """Half lightly misspelt FAQ questions, half random text that should not match."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if i % 2:
            out.append(_zh(rng, rng.randint(6, 14)) if i % 4 == 1 else _en(rng, 5))
            continue
        entry = rng.choice(knowledge.entries)
        lang: Lang = rng.choice(("zh", "en"))
        q = list(rng.choice(entry.questions[lang]))
        if len(q) > 4:
            q[rng.randrange(len(q))] = rng.choice(ZH_CHARS) if lang == "zh" else "x"
        out.append("".join(q))
    return out


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def time_each(func: object, items: list[str]) -> list[float]:
    call = func  # a callable taking one query
    times = []
    for item in items:
        start = time.perf_counter()
        call(item)  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench(label: str, knowledge: Knowledge, count: int) -> None:
    start = time.perf_counter()
    matcher = Matcher(knowledge)
    build = time.perf_counter() - start
    variants = [
        matcher.prepare(q)
        for e in knowledge.entries
        for lang in ("zh", "en")
        for q in e.questions[lang]
    ]
    qs = queries(knowledge, count)
    ours = time_each(matcher.match, qs)
    baseline = time_each(
        lambda q: process.extractOne(matcher.prepare(q), variants, scorer=fuzz.WRatio), qs
    )
    p50, p99 = percentiles(ours)
    b50, b99 = percentiles(baseline)
    models = "+".join(m.key for m in matcher.models) or "off"
    print(
        f"{label:<14}{len(knowledge.entries):>8}{models:>9}{build:>9.2f}s{p50:>9.3f}{p99:>9.3f}"
        f"{b50:>10.3f}{b99:>10.3f}{p50 / b50:>7.2f}x{rss_mb():>8.0f}"
    )


def startup(cache: Path | None) -> None:
    """Process start to first answer and peak RSS with the real FAQ, in a fresh interpreter.

    With `cache`, that (empty) directory is the cache: every vector is embedded first.
    """
    code = (
        "import time,resource;t=time.perf_counter();"
        "from pathlib import Path;from bot.config import Settings;from bot.matching import shared;"
        "shared.configure(Settings.from_env(),preload=True);"
        "from bot.replies import Responder;from bot.knowledge import load;"
        f"r=Responder(load(Path({str(FAQ)!r})));x=r.reply('本届高交会有多少家展商?');"
        "peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024;"
        "print(f'{time.perf_counter()-t:.3f} {peak:.0f} {x.matched}')"
    )
    env = {**os.environ, **({"EXPO_BOT_CACHE": str(cache)} if cache else {})}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    wall = time.perf_counter() - start
    inner, peak, matched = out.stdout.split()
    state = "cold cache" if cache else "warm cache"
    print(
        f"real FAQ, fresh process, {state}: start to first answer {wall:.2f}s wall "
        f"({float(inner):.2f}s after interpreter start), peak RSS {peak} MB, answered={matched}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    startup(None)  # warm: the cache under var/ (run it once more if this is the first run)
    startup(None)
    with tempfile.TemporaryDirectory() as cold:
        startup(Path(cold))
    real = load(FAQ)
    print(
        f"\n{'FAQ':<14}{'entries':>8}{'semantic':>9}{'build':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'base p50':>10}{'base p99':>10}{'ratio':>8}{'RSS MB':>8}"
    )
    bench("real", real, args.queries)
    with tempfile.TemporaryDirectory() as scratch:
        # Synthetic FAQs are embedded into a throwaway cache, never the project's.
        shared.configure(replace(Settings.from_env(), cache_dir=Path(scratch)))
        for size in args.sizes:
            bench("synthetic", synthetic(size, real), args.queries)


if __name__ == "__main__":
    main()
