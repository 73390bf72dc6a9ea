#!/usr/bin/env python3
"""Checks real answers of the worker against the OpenAPI document.

Reads the document and a JSON list of answers `{method, path, status, type, body}` (path as the
document's template), and fails, naming each, on an answer whose route, method, status or content
type the document does not list, or whose JSON body its schema refuses (JSON Schema 2020-12, as
OpenAPI 3.1 says). An entry with `"request": true` instead of a status is a request body, checked
against the operation's `requestBody`. Prints one line per answer checked."""
import json
import sys

from jsonschema import Draft202012Validator


def main(doc_path, answers_path):
    doc = json.load(open(doc_path))
    answers = json.load(open(answers_path))
    failures = []
    validators = {}
    for a in answers:
        where = f"{a['method'].upper()} {a['path']} -> {a['status']}"
        op = doc["paths"].get(a["path"], {}).get(a["method"].lower())
        if op is None:
            failures.append(f"{where}: route not in the document")
            continue
        if a.get("request"):
            where = f"{a['method'].upper()} {a['path']} request body"
            response = op.get("requestBody")
        else:
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
            key = id(schema)
            if key not in validators:
                root = dict(schema)
                root["components"] = doc["components"]
                validators[key] = Draft202012Validator(root)
            error = next(validators[key].iter_errors(json.loads(a["body"])), None)
            if error is not None:
                failures.append(f"{where}: {error.message} at {list(error.absolute_path)}")
                continue
        print(f"ok  {where} ({media})")
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
