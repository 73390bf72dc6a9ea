#!/usr/bin/env python3
"""The first-time caller lookup with and without the call log's caller index.

Every incoming call asks the site's call log whether the same caller called before (the
statement `CallLog::called_before` runs). Without an index that reads every stored record's JSON;
the migration `calls_by_caller` indexes the very expression the statement uses. This runs the
statement natively in SQLite (Python's sqlite3 module, the same library workerd runs inside the
Durable Object, without the round trip to the object) over a log of synthetic records of about
0.5 KB from 30,000 distinct callers, then builds the index as the migration does and runs it again.

    python3 bench/caller-index.py              # 100k calls
    python3 bench/caller-index.py --calls 10000
"""
import json
import random
import sqlite3
import sys
import time

CALLS = int(sys.argv[sys.argv.index("--calls") + 1]) if "--calls" in sys.argv else 100_000
QUERY = (
    "SELECT COUNT(*) AS n FROM calls WHERE call_sid != ? AND started_at < ? "
    "AND json_extract(record, '$.caller') = ?"
)
INDEX = (
    "CREATE INDEX IF NOT EXISTS calls_by_caller ON calls "
    "(json_extract(record, '$.caller'), started_at)"
)


def timed(db, args, runs=20):
    start = time.perf_counter()
    for _ in range(runs):
        db.execute(QUERY, args).fetchone()
    return (time.perf_counter() - start) / runs * 1000


def main():
    random.seed(1)
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE calls (call_sid TEXT PRIMARY KEY, started_at INTEGER NOT NULL, "
        "webhook_seen INTEGER NOT NULL, record TEXT NOT NULL)"
    )
    callers = []
    for i in range(CALLS):
        caller = "+1%010d" % random.randrange(2_000_000_000, 2_000_030_000)
        callers.append(caller)
        record = {
            "v": 1,
            "call_sid": f"CA{i}",
            "site": "demo",
            "caller": caller,
            "channel": "Paid Search",
            "source": "google",
            "campaign": "spring-sale",
            "landing_page": "https://example.com/" + "x" * 200,
            "attribution": {"model": "last_non_direct", "first": {"source": "y" * 150}},
        }
        db.execute(
            "INSERT INTO calls VALUES (?, ?, 1, ?)",
            (f"CA{i}", 1_700_000_000_000 + i * 60_000, json.dumps(record)),
        )
    args = ("CAnew", 1_900_000_000_000, callers[CALLS // 2])
    plan = lambda: db.execute("EXPLAIN QUERY PLAN " + QUERY, args).fetchall()[0][3]
    before = timed(db, args, runs=5)
    print(f"{CALLS} calls, without the index: {before:.2f} ms a lookup ({plan()})")
    start = time.perf_counter()
    db.execute(INDEX)
    built = (time.perf_counter() - start) * 1000
    after = timed(db, args)
    print(f"building the index once (the migration): {built:.0f} ms")
    print(f"with the index: {after:.3f} ms a lookup ({plan()})")
    print(f"ratio: {before / after:.0f}x")


main()
