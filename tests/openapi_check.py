#!/usr/bin/env python3
"""Checks real answers of the worker against the OpenAPI document.

Reads the document and a JSON list of answers `{method, path, status, type, body}` (path as the
document's template), and fails, naming each, on an answer whose route, method, status or content
type the document does not list, or whose JSON body its schema refuses (JSON Schema 2020-12, as
OpenAPI 3.1 says). Prints one line per answer checked."""
import json
import sys

from jsonschema import Draft202012Validator


def main(doc_path, answers_path):
    doc = json.load(open(doc_path))
    answers = json.load(open(answers_path))
    failures = []
    for a in answers:
        where = f"{a['method'].upper()} {a['path']} -> {a['status']}"
        op = doc["paths"].get(a["path"], {}).get(a["method"].lower())
        if op is None:
            failures.append(f"{where}: route not in the document")
            continue
        responses = op["responses"]
        response = responses.get(str(a["status"])) or responses.get("default")
        if response is None:
            failures.append(f"{where}: status not in the document")
            continue
        content = response.get("content")
        media = (a["type"] or "").split(";")[0].strip()
        if not content:
            if a["body"]:
                failures.append(f"{where}: a body where the document says none")
            print(f"ok  {where}")
            continue
        if media not in content:
            failures.append(f"{where}: content type {media!r} not in {list(content)}")
            continue
        schema = content[media].get("schema", {})
        if media == "application/json":
            root = dict(schema)
            root["components"] = doc["components"]
            errors = list(Draft202012Validator(root).iter_errors(json.loads(a["body"])))
            if errors:
                failures.append(f"{where}: {errors[0].message} at {list(errors[0].absolute_path)}")
                continue
        print(f"ok  {where} ({media})")
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
