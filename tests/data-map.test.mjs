// The data map (docs/privacy.md), kept true: a visit and a call at each consent tier, then every
// field the product stored (the page's storage, the pool objects' and the call log's SQLite rows,
// KV) must be one the map lists. A new stored field fails here until the map (and the owners'
// privacy notices it informs) says what it is.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startWorker, launchBrowser, newVisitor, swappedText, postTwilio, ROOT } from "./harness.mjs";

let worker, browser;
before(async () => {
  worker = await startWorker({ name: "data-map" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await worker?.stop();
});

const ORIGINAL = "(212) 555-0100";
const GA = [
  { name: "_ga", value: "GA1.1.1234567890.1700000000" },
  { name: "_ga_TEST123", value: "GS2.1.s1700000123$o3$g1$t1700000456" },
];

/**
 * The fields the data map in docs/privacy.md lists: the first cell of each table row between the
 * `data-map` markers, `` `store: path` ``. A path ending in `.*` covers everything under it; one
 * ending in `<touch>` stands for each `touch:` row.
 */
export function mappedFields(page = readFileSync(join(ROOT, "docs", "privacy.md"), "utf8")) {
  const section = page.split("<!-- data-map:start -->")[1]?.split("<!-- data-map:end -->")[0];
  assert.ok(section, "docs/privacy.md has a data map between <!-- data-map:start --> and <!-- data-map:end -->");
  const rows = [...section.matchAll(/^\| `([a-z]+): ([^`]+)` \|/gm)].map((m) => [m[1], m[2]]);
  const touch = rows.filter(([store]) => store == "touch").map(([, path]) => path);
  assert.ok(touch.length > 0, "the map lists a touch's fields");
  return rows
    .filter(([store]) => store != "touch")
    .flatMap(([store, path]) => (path.endsWith("<touch>") ? touch.map((t) => path.replace("<touch>", t)) : [path]).map((p) => `${store}: ${p}`));
}

/** Every leaf path of a JSON value: objects by `.name`, arrays by `[]`. */
function paths(prefix, value, out) {
  if (Array.isArray(value)) {
    if (value.length == 0) out.add(`${prefix}[]`);
    for (const item of value) paths(`${prefix}[]`, item, out);
  } else if (value !== null && typeof value == "object") {
    if (Object.keys(value).length == 0) out.add(prefix);
    for (const [key, item] of Object.entries(value)) paths(`${prefix}.${key}`, item, out);
  } else {
    out.add(prefix);
  }
  return out;
}

/** A KV key with its id replaced by `*` (`site:*`, `number:*`). */
const kvKey = (key) => key.replace(/:.*/, ":*");

/** The dni.* entries of both storages, values parsed when they are JSON. */
const pageStorage = (page) =>
  page.evaluate(() => {
    const out = {};
    for (const store of [localStorage, sessionStorage])
      for (const key of Object.keys(store).filter((k) => k.startsWith("dni."))) {
        const text = store.getItem(key);
        try {
          out[key] = JSON.parse(text);
        } catch {
          out[key] = text;
        }
      }
    return out;
  });

const e164 = (text) => `+1${text.replace(/\D/g, "")}`;

async function call(sid, from, to) {
  const params = { CallSid: sid, AccountSid: "AC0001", From: from, To: to, CallStatus: "ringing", Direction: "inbound" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/voice`, params)).status, 200);
  // The line that picked up, and one utterance of the conversation's transcript.
  const leg = { CallSid: `${sid}leg`, ParentCallSid: sid, From: from, To: "+12125550100", CallStatus: "in-progress" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/answered?site=demo&step=0`, leg)).status, 204);
  const said = { CallSid: sid, TranscriptionEvent: "transcription-content", Final: "true", SequenceId: "1", Track: "inbound_track", TranscriptionData: '{"transcript":"Hello"}' };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/transcript?site=demo&kind=call`, said)).status, 204);
  const done = { ...params, CallStatus: "completed", CallDuration: "30" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/status`, done)).status, 204);
}

test("every stored field after a visit and a call at each consent tier is in the data map (docs/privacy.md)", async () => {
  const seen = new Set();
  // (tier, page, where it lands)
  const visits = [
    ["full", "/t/plain.html?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=plumber&gclid=TEST123"],
    ["session", "/t/consent-session.html?utm_source=bing&utm_medium=cpc&msclkid=M1"],
    ["none", "/t/consent-none.html?utm_source=newsletter&utm_medium=email"],
  ];
  const numbers = [];
  for (const [tier, path] of visits) {
    const v = await newVisitor(browser);
    await v.context.addCookies(GA.map((c) => ({ ...c, url: worker.base })));
    await v.page.goto(worker.base + path);
    numbers.push([tier, e164(await swappedText(v.page, "#phone", ORIGINAL))]);
    for (const [key, value] of Object.entries(await pageStorage(v.page))) paths(`page: ${key}`, value, seen);
    const leases = (await pageStorage(v.page))["dni.leases"];
    numbers.at(-1).push(leases);
    await v.context.close();
  }
  assert.equal(numbers[2][1], "+12125550112", "the no-consent visitor got the Email number");
  let n = 0;
  for (const [, number] of numbers) await call(`CAmap${++n}`, `+1310555019${n}`, number);
  // A released lease leaves a holding in the number's history.
  const held = JSON.stringify(numbers[0][2] ?? "").match(/visitors\.\d+\.[A-Za-z0-9_-]+/);
  if (held) await fetch(`${worker.base}/v1/sites/demo/leases/${held[0]}/release`, { method: "POST", headers: { Origin: worker.base } });

  const stored = execFileSync("python3", [join(ROOT, "tests", "read-state.py"), worker.state], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const stores = new Set(stored.map((s) => s.store));
  assert.deepEqual([...stores].sort(), ["calls", "kv", "pool"], "the pool objects, the call log and KV were read");
  for (const { store, table, row } of stored) {
    if (store == "kv") paths(`kv: ${kvKey(table)}`, row, seen);
    else for (const [column, value] of Object.entries(row)) paths(`${store}: ${table}.${column}`, value, seen);
  }
  const mapped = mappedFields();
  const listed = (field) => mapped.some((m) => m == field || (m.endsWith(".*") && field.startsWith(m.slice(0, -1))));
  const missing = [...seen].filter((f) => !listed(f)).sort();
  assert.deepEqual(missing, [], `stored fields the data map in docs/privacy.md does not list:\n${missing.join("\n")}`);
  assert.ok(seen.has("calls: calls.record.caller") && seen.has("pool: visits.visit.page"), "the test read the rows it is about");
  console.log(`data map: ${seen.size} stored fields seen, all listed (${mapped.length} entries in the map)`);
});
