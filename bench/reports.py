#!/usr/bin/env python3
"""The report queries at 10k, 100k and 1M calls in one site's call log: p50 and p99 per query.

Runs natively in SQLite (Python's sqlite3 module) the exact statements the worker's call log object
runs: the schema migration and the queries come from `dni report-sql`, which prints what the core
writes. The call records come from `dni history` (realistic records, about 1.5 KB of JSON each),
spread over the 365 days before the report's end; the reports cover the last 30 days and the whole
year. workerd runs the same SQLite library inside the Durable Object, plus a round trip to the
object (a few ms through `wrangler dev` here), which this benchmark leaves out on purpose: it
measures how the queries scale with the log's size.

    python3 bench/reports.py                # 10k, 100k, 1M calls
    DNI_BENCH_SHORT=1 python3 bench/reports.py   # 10k only, fewer runs
    python3 bench/reports.py --sizes 100000 --no-index   # without the report index, to compare
"""
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAY = 86_400_000
END_DATE = "2026-11-30"
END = 1_796_101_200_000  # 2026-12-01 00:00 in New York: the end of the report's last day


def dni(*args):
    out = subprocess.run(["cargo", "run", "--quiet", "-p", "dni-cli", "--", *args],
                         cwd=ROOT, check=True, capture_output=True)
    return json.loads(out.stdout)


def build(path, n, templates, migration, index):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    # The call log's first migration step (crates/worker/src/calls_object.rs), then the report
    # step as the core declares it.
    db.execute("CREATE TABLE calls (call_sid TEXT PRIMARY KEY, started_at INTEGER NOT NULL, "
               "webhook_seen INTEGER NOT NULL, record TEXT NOT NULL)")
    db.execute("CREATE INDEX calls_by_start ON calls (started_at)")
    for stmt in migration:
        if stmt.startswith("CREATE INDEX calls_report") and not index:
            continue
        db.execute(stmt)
    rng = random.Random(1)
    batch = []
    for i in range(n):
        t = dict(templates[i % len(templates)])
        t["call_sid"] = f"CA{i:012d}"
        t["started_at"] = END - rng.randrange(365 * DAY)
        batch.append((t["call_sid"], t["started_at"], 1, json.dumps(t)))
        if len(batch) == 10_000:
            db.executemany("INSERT INTO calls VALUES (?, ?, ?, ?)", batch)
            batch.clear()
    db.executemany("INSERT INTO calls VALUES (?, ?, ?, ?)", batch)
    db.commit()
    return db


def time_query(db, sql, runs):
    times = []
    rows = None
    for _ in range(runs):
        t0 = time.perf_counter()
        rows = db.execute(sql["text"], sql["params"]).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.median(times), p99, len(rows)


def main():
    short = os.environ.get("DNI_BENCH_SHORT") == "1"
    sizes = [10_000] if short else [10_000, 100_000, 1_000_000]
    index = "--no-index" not in sys.argv
    if "--sizes" in sys.argv:
        sizes = [int(s) for s in sys.argv[sys.argv.index("--sizes") + 1].split(",")]
    templates = dni("history", "sites/demo.json", "--calls", "2000", "--days", "365", "--end", str(END))
    month = dni("report-sql", "--zone", "America/New_York", "--from", "2026-11-01", "--to", END_DATE)
    year = dni("report-sql", "--zone", "America/New_York", "--from", "2025-12-01", "--to", END_DATE)
    queries = [("30 d", q) for q in month["queries"]] + [
        ("365 d", q) for q in year["queries"] if q["name"] in ("report summary", "report day", "report channel")]
    avg = sum(len(json.dumps(t)) for t in templates) / len(templates)
    print(f"report queries in SQLite {sqlite3.sqlite_version} (native), one site's call log; "
          f"records of {avg:.0f} bytes of JSON on average; report index {'on' if index else 'off'}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            db = build(os.path.join(tmp, f"calls-{n}.db"), n, templates, month["migration"], index)
            built = time.perf_counter() - t0
            size = os.path.getsize(os.path.join(tmp, f"calls-{n}.db"))
            runs = 5 if short or n >= 1_000_000 else 21
            print(f"\n{n:>9} calls: database {size / 1e6:.0f} MB, built in {built:.1f} s; {runs} runs each")
            print(f"  {'range':6} {'query':34} {'rows':>5} {'p50 ms':>9} {'p99 ms':>9}")
            for span, q in queries:
                p50, p99, rows = time_query(db, q["sql"], runs)
                print(f"  {span:6} {q['name']:34} {rows:>5} {p50:>9.1f} {p99:>9.1f}")
            db.close()
            os.remove(os.path.join(tmp, f"calls-{n}.db"))


if __name__ == "__main__":
    main()
