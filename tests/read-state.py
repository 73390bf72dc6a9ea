#!/usr/bin/env python3
"""Prints every row the worker stored under a `wrangler dev --persist-to` directory, as JSON lines:
{"store": "pool" | "calls" | "operators" | "kv", "table": ..., "row": {column: value}}.

The Durable Objects' SQLite files are read table by table (the platform's own tables, `_cf_*`,
`sqlite_*` and the local simulator's `__miniflare_*`, are left out); a text value that is a JSON
object or array is parsed. KV is read through its local index (key and blob id) and blob files.
Node 20 has no SQLite module; Python's is built in.
"""
import json
import os
import sqlite3
import sys


def parsed(value):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def rows(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            if table.startswith(("_cf_", "sqlite_", "_mf_", "__miniflare")):
                continue
            cursor = db.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for values in cursor:
                yield table, {n: parsed(v) for n, v in zip(names, values)}
    finally:
        db.close()


def kv_rows(path, blobs):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        if "_mf_entries" not in tables:
            return  # the index of alarms, not of entries
        for key, blob_id in db.execute("SELECT key, blob_id FROM _mf_entries"):
            with open(os.path.join(blobs, blob_id), "rb") as f:
                yield key, parsed(f.read())
    finally:
        db.close()


def main(state):
    out = []
    root = os.path.join(state, "v3")
    for dirpath, _, files in os.walk(os.path.join(root, "do")):
        name = os.path.basename(dirpath)
        store = (
            "pool" if name.endswith("PoolObject")
            else "calls" if name.endswith("CallLog")
            else "operators" if name.endswith("Operators")
            else None
        )
        for f in files:
            if store and f.endswith(".sqlite"):
                for table, row in rows(os.path.join(dirpath, f)):
                    out.append({"store": store, "table": table, "row": row})
    kv = os.path.join(root, "kv")
    index = os.path.join(kv, "miniflare-KVNamespaceObject")
    for f in os.listdir(index) if os.path.isdir(index) else []:
        if f.endswith(".sqlite"):
            for namespace in os.listdir(kv):
                blobs = os.path.join(kv, namespace, "blobs")
                if os.path.isdir(blobs):
                    for key, value in kv_rows(os.path.join(index, f), blobs):
                        out.append({"store": "kv", "table": key, "row": value})
                    break
    for line in out:
        print(json.dumps(line))


if __name__ == "__main__":
    main(sys.argv[1])
