// The worker's API types and the OpenAPI document cannot drift apart: each golden answer in
// crates/worker/fixtures/api/ (the exact bytes the worker's types in crates/worker/src/api/ must
// write, checked by `cargo test -p dni-worker`) is checked here against its schema in
// www/v1/openapi.json, and the schemas are strict enough to fail: the same answers with a field
// added, or with a field missing, are refused. No worker is started.
// A new golden answer: a row in GOLDEN below.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ROOT } from "./harness.mjs";

const DIR = join(ROOT, "crates/worker/fixtures/api");
const DOC = join(ROOT, "www/v1/openapi.json");

// (file, method, the document's path, status or "request" for a request body[, "loose", or "loose at
// <field>": that field of the answer is not mutated])
const GOLDEN = [
  ["calls-list.json", "get", "/v1/sites/{site}/calls", 200],
  ["calls-list-report-token.json", "get", "/v1/sites/{site}/calls", 200],
  ["leads-list.json", "get", "/v1/sites/{site}/leads", 200],
  ["test-call.json", "post", "/v1/sites/{site}/test-calls", 201],
  ["secrets.json", "get", "/v1/sites/{site}/secrets", 200],
  ["call-detail.json", "get", "/v1/sites/{site}/calls/{call}", 200],
  ["call-detail-report-token.json", "get", "/v1/sites/{site}/calls/{call}", 200],
  ["calls-import.json", "post", "/v1/sites/{site}/calls/import", "request"],
  ["calls-import-answer.json", "post", "/v1/sites/{site}/calls/import", 200],
  ["pool-stats.json", "get", "/v1/sites/{site}/pools/{pool}", 200],
  ["pool-stats-split.json", "get", "/v1/sites/{site}/pools/{pool}", 200],
  ["pools.json", "get", "/v1/sites/{site}/pools", 200],
  ["pool-history.json", "get", "/v1/sites/{site}/pools/{pool}/history", 200],
  ["pool-history-import-answer.json", "post", "/v1/sites/{site}/pools/{pool}/history/import", 200],
  ["report.json", "get", "/v1/sites/{site}/reports/{by}", 200],
  ["deliveries.json", "get", "/v1/sites/{site}/calls/{call}/deliveries", 200],
  ["delivery-retried.json", "post", "/v1/sites/{site}/deliveries/{id}/retry", 202],
  ["report-tokens.json", "get", "/v1/sites/{site}/report-tokens", 200],
  ["report-token-created.json", "post", "/v1/sites/{site}/report-tokens", 201],
  ["report-token-revoked.json", "delete", "/v1/sites/{site}/report-tokens/{id}", 200],
  ["caller-erased.json", "delete", "/v1/sites/{site}/callers/{caller}", 200],
  ["config-stored.json", "put", "/v1/sites/{site}/config", 200],
  ["health.json", "get", "/v1/health", 200],
  ["qualification.json", "put", "/v1/sites/{site}/calls/{call}/qualification", 200],
  ["qualification-request.json", "put", "/v1/sites/{site}/calls/{call}/qualification", "request"],
  ["operator-key-request.json", "post", "/v1/operator-keys", "request"],
  ["deliveries-retraction.json", "get", "/v1/sites/{site}/calls/{call}/deliveries", 200],
  ["operator-key-created.json", "post", "/v1/operator-keys", 201],
  ["operator-keys.json", "get", "/v1/operator-keys", 200],
  ["operator-key-revoked.json", "delete", "/v1/operator-keys/{id}", 200],
  ["config-history.json", "get", "/v1/sites/{site}/config/history", 200],
  ["config-version-key-created.json", "get", "/v1/sites/{site}/config/history/{version}", 200],
  ["config-rolled-back.json", "post", "/v1/sites/{site}/config/rollback", 200],
  ["error-not-found.json", "get", "/v1/sites/{site}/calls/{call}", 404],
  ["error-bad-request.json", "post", "/v1/sites/{site}/calls/import", 400],
  // The configuration document is the configuration's own format (docs/configuration.md), not an
  // API type: its golden answer holds its bytes, its schema here stays loose.
  ["config.json", "get", "/v1/sites/{site}/config", 200, "loose"],
  // One version of the history: strict but for the configuration document it holds.
  ["config-version-rollback.json", "get", "/v1/sites/{site}/config/history/{version}", 200, "loose at config"],
];

const entry = ([file, method, path, status], body) => ({
  method, path, type: "application/json", body,
  ...(status === "request" ? { request: true, status: "request" } : { status }),
  file,
});

/** Runs tests/openapi_check.py on the entries: its exit code and its output. */
function check(entries) {
  const file = join(tmpdir(), `dni-openapi-golden-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(entries));
  const run = spawnSync("python3", [join(ROOT, "tests/openapi_check.py"), DOC, file], { encoding: "utf8" });
  return { status: run.status, out: run.stdout + run.stderr };
}

test("every golden answer is listed here", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
  assert.deepEqual(files, GOLDEN.map((g) => g[0]).sort());
});

test("every golden answer matches its schema in the OpenAPI document", () => {
  const entries = GOLDEN.map((g) => entry(g, readFileSync(join(DIR, g[0]), "utf8")));
  const { status, out } = check(entries);
  assert.equal(status, 0, out);
  assert.equal(out.split("\n").filter((l) => l.startsWith("ok ")).length, GOLDEN.length, out);
});

// Every object of an answer (the first of each place in it: the items of an array share their
// schema), one at a time, with an unknown field added, then with its first field removed: each such answer must be refused (a response schema that let it through would let
// the types and the document drift). Request bodies are lenient on purpose (unknown fields are
// ignored, most fields default), so only their answers are mutated.
test("an answer with a field added or missing is refused", () => {
  const mutants = [];
  for (const g of GOLDEN.filter((g) => g[3] !== "request" && g[4] !== "loose")) {
    const body = JSON.parse(readFileSync(join(DIR, g[0]), "utf8"));
    const objects = [];
    const places = new Set();
    const walk = (v, at) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
      else if (v && typeof v === "object") {
        const place = at.map((k) => (typeof k === "number" ? "*" : k)).join("/");
        if (!places.has(place)) objects.push(at);
        places.add(place);
        for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
      }
    };
    const loose = g[4]?.startsWith("loose at ") ? g[4].slice("loose at ".length) : null;
    walk(body, []);
    if (loose) objects.splice(0, objects.length, ...objects.filter((at) => at[0] !== loose));
    for (const at of objects) {
      for (const how of ["added", "missing"]) {
        const copy = structuredClone(body);
        const target = at.reduce((o, k) => o[k], copy);
        const keys = Object.keys(target);
        if (how === "added") target.zz_not_in_the_document = 1;
        else if (keys.length) delete target[keys[0]];
        else continue;
        mutants.push({ ...entry(g, JSON.stringify(copy)), where: `${g[0]} ${how} at /${at.join("/")}` });
      }
    }
  }
  const { out } = check(mutants);
  const refused = out.split("\n").filter((l) => l.startsWith("FAIL ")).length;
  const accepted = out.split("\n").filter((l) => l.startsWith("ok "));
  assert.equal(refused, mutants.length, `${mutants.length - refused} mutated answers were accepted:\n${accepted.join("\n")}`);
});

// docs/api.md's "A call's fields" names every field of a call the document describes (the
// fields `CallFields` lists and the detail's own), and nothing else: a field added to one and not
// the other fails here.
test("docs/api.md describes every field of a call, and only those", () => {
  const doc = JSON.parse(readFileSync(DOC, "utf8"));
  const schemas = doc.components.schemas;
  const inDocument = new Set([
    ...Object.keys(schemas.CallFields.properties),
    ...Object.keys(schemas.CallWithDeliveries.properties),
  ]);
  const md = readFileSync(join(ROOT, "docs/api.md"), "utf8");
  const start = md.indexOf("## A call's fields");
  assert.ok(start >= 0, "the section is there");
  // The section's table: its rows up to the first line that is not one.
  const lines = md.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("| field"));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith("|"));
  const described = new Set();
  for (const line of lines.slice(first, end).filter((l) => l.startsWith("| `"))) {
    const names = line.split("|")[1];
    for (const m of names.matchAll(/`([a-z_]+)`/g)) described.add(m[1]);
  }
  assert.deepEqual([...described].filter((f) => !inDocument.has(f)).sort(), [], "described but not in the document");
  assert.deepEqual([...inDocument].filter((f) => !described.has(f)).sort(), [], "in the document but not described");
});
