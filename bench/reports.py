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
    python3 bench/reports.py --sizes 1000000 --keep DIR  # keep the log in DIR, reuse it next time
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
    # Building only: no fsync per transaction and a larger page cache while the log fills. The
    # queries below run on a fresh connection with SQLite's default cache.
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")
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
    # Calls arrive in the order they start, as they do in a real log: the report index (which
    # starts with `started_at`) then grows at its end. Inserting in random time order instead
    # rewrote pages all over a 1 GB index and did not finish at 1M calls on the shared machine.
    starts = sorted(END - rng.randrange(365 * DAY) for _ in range(n))
    batch = []
    for i, started_at in enumerate(starts):
        t = dict(templates[i % len(templates)])
        t["call_sid"] = f"CA{i:012d}"
        t["started_at"] = started_at
        batch.append((t["call_sid"], started_at, 1, json.dumps(t)))
        if len(batch) == 10_000:
            db.executemany("INSERT INTO calls VALUES (?, ?, ?, ?)", batch)
            db.commit()
            batch.clear()
    db.executemany("INSERT INTO calls VALUES (?, ?, ?, ?)", batch)
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return sqlite3.connect(path)


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
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = os.path.join(keep or tmp, f"calls-{n}{'' if index else '-noindex'}.db")
            t0 = time.perf_counter()
            if keep and os.path.exists(path):
                db, how = sqlite3.connect(path), "kept from an earlier run"
            else:
                db = build(path, n, templates, month["migration"], index)
                how = f"built in {time.perf_counter() - t0:.1f} s"
            size = os.path.getsize(path)
            runs = 5 if short else 11 if n >= 1_000_000 else 21
            print(f"\n{n:>9} calls: database {size / 1e6:.0f} MB, {how}; {runs} runs each", flush=True)
            print(f"  {'range':6} {'query':34} {'rows':>5} {'p50 ms':>9} {'p99 ms':>9}")
            for span, q in queries:
                p50, p99, rows = time_query(db, q["sql"], runs)
                print(f"  {span:6} {q['name']:34} {rows:>5} {p50:>9.1f} {p99:>9.1f}", flush=True)
            db.close()
            if not keep:
                os.remove(path)


if __name__ == "__main__":
    main()
