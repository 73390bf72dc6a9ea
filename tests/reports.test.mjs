// The reporting API against the real worker: a month of call history imported into the demo
// site's call log, read back through report tokens and the operator's token. Totals agree across
// reports, filters filter, pages cover every call once, the CSV is the list, and a token opens
// its own site's reports only, read-only, until it is revoked. The pool samples its own figures
// every quarter hour, and its history reads them back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startWorker, admin, visitorHeaders, ADMIN_TOKEN, ROOT } from "./harness.mjs";

let worker;
const DAY = 86_400_000;
// A fixed history: 300 calls over the 30 days before "now" (so that the default range holds them).
const END = Date.now() - 60_000;
let history;

before(async () => {
  worker = await startWorker({ name: "reports", sites: ["sites/demo.json", "tests/sites/fast.json"] });
  history = JSON.parse(
    execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "history", "sites/demo.json", "--calls", "300", "--days", "28", "--end", String(END)], { cwd: ROOT }),
  );
  const r = await admin(worker.base, "/v1/sites/demo/calls/import", { method: "POST", body: JSON.stringify(history) });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.imported, 300);
});
after(async () => {
  await worker?.stop();
});

async function get(path, token) {
  const response = await fetch(worker.base + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const type = response.headers.get("content-type") ?? "";
  const text = await response.text();
  return { status: response.status, type, headers: response.headers, body: text, json: type.includes("json") ? JSON.parse(text) : null };
}

async function newToken(site, name = "agency") {
  const r = await admin(worker.base, `/v1/sites/${site}/report-tokens`, { method: "POST", body: JSON.stringify({ name }) });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

test("importing again adds nothing; a record for another site is refused", async () => {
  const again = await admin(worker.base, "/v1/sites/demo/calls/import", { method: "POST", body: JSON.stringify(history.slice(0, 10)) });
  assert.deepEqual(again.json, { imported: 0 });
  const wrong = await admin(worker.base, "/v1/sites/fast/calls/import", { method: "POST", body: JSON.stringify(history.slice(0, 1)) });
  assert.equal(wrong.status, 400);
  assert.match(wrong.json.error, /must name this site/);
});

test("a report token opens its own site's reports, read-only, with callers masked, until revoked", async () => {
  const demo = await newToken("demo", "Demo's agency");
  const fast = await newToken("fast");
  assert.match(demo.token, /^dni_rt_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$/);

  const own = await get("/v1/sites/demo/calls?limit=5", demo.token);
  assert.equal(own.status, 200);
  assert.equal(own.json.calls.length, 5);
  for (const c of own.json.calls) assert.match(c.caller, /^\+\*+\d{4}$/, "report tokens see masked callers");
  const operator = await admin(worker.base, "/v1/sites/demo/calls?limit=5");
  assert.match(operator.json.calls[0].caller, /^\+1\d{10}$/, "the operator sees the number");

  // (request, token, expected status): another site's token, admin routes, garbage.
  const table = [
    ["/v1/sites/demo/calls", fast.token, 401],
    ["/v1/sites/demo/reports/summary", fast.token, 401],
    ["/v1/sites/fast/calls", demo.token, 401],
    ["/v1/sites/demo/config", demo.token, 401],
    ["/v1/sites/demo/report-tokens", demo.token, 401],
    ["/v1/sites/demo/calls", demo.token.slice(0, -1) + (demo.token.endsWith("a") ? "b" : "a"), 401],
    ["/v1/sites/demo/calls", "dni_rt_nope", 401],
    ["/v1/sites/demo/calls", null, 401],
    ["/v1/sites/fast/calls", fast.token, 200],
    // A call's deliveries, as its detail shows them (an unknown call has none); not the
    // conversions file, which is the `calls` scope's.
    ["/v1/sites/demo/calls/CAnone/deliveries", demo.token, 200],
    ["/v1/sites/demo/calls/CAnone/deliveries", fast.token, 401],
    ["/v1/sites/demo/conversions.csv", demo.token, 401],
  ];
  for (const [path, token, status] of table) {
    const r = await get(path, token);
    assert.equal(r.status, status, `${path} with ${token?.slice(0, 20)}`);
    if (status !== 200) assert.ok(r.json?.error, "a JSON error body");
  }
  const importing = await fetch(worker.base + "/v1/sites/demo/calls/import", {
    method: "POST", headers: { Authorization: `Bearer ${demo.token}` }, body: "[]",
  });
  assert.equal(importing.status, 401, "a report token cannot write");

  const listed = await admin(worker.base, "/v1/sites/demo/report-tokens");
  const row = listed.json.tokens.find((t) => t.id === demo.id);
  assert.deepEqual(Object.keys(row).sort(), ["created_at", "id", "name", "scopes", "site"], "no hash, no secret");
  assert.equal(row.scopes, "", "read-only: no scope besides reading");
  assert.equal(row.name, "Demo's agency");

  const revoked = await admin(worker.base, `/v1/sites/demo/report-tokens/${demo.id}`, { method: "DELETE" });
  assert.equal(revoked.status, 200);
  assert.equal((await get("/v1/sites/demo/calls", demo.token)).status, 401, "revoked at once");
  assert.equal((await admin(worker.base, `/v1/sites/demo/report-tokens/${demo.id}`, { method: "DELETE" })).status, 404);
});

test("the operator may choose a token (the demo's); a malformed one is refused", async () => {
  const chosen = "dni_rt_demo00000000_DemoReportTokenForTheLocalDemo01";
  const made = await admin(worker.base, "/v1/sites/demo/report-tokens", { method: "POST", body: JSON.stringify({ name: "demo", token: chosen }) });
  assert.equal(made.status, 201);
  assert.equal(made.json.token, chosen);
  assert.equal((await get("/v1/sites/demo/reports/summary", chosen)).status, 200);
  const bad = await admin(worker.base, "/v1/sites/demo/report-tokens", { method: "POST", body: JSON.stringify({ token: "dni_rt_short_x" }) });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /token must be/);
});

test("reports agree with each other and with the imported history", async () => {
  const { token } = await newToken("demo");
  const summary = (await get("/v1/sites/demo/reports/summary", token)).json;
  assert.equal(summary.time_zone, "America/New_York");
  const s = summary.rows[0];
  const answered = history.filter((c) => c.status === "answered");
  assert.equal(s.calls, 300);
  assert.equal(s.answered, answered.length);
  assert.equal(s.missed, 300 - answered.length);
  assert.equal(s.talk_s, answered.reduce((t, c) => t + c.duration_s, 0));
  for (const by of ["day", "channel", "source_medium", "campaign", "keyword", "landing_page", "tracking_number", "confidence", "kind", "lead_status"]) {
    const r = await get(`/v1/sites/demo/reports/${by}?limit=500`, token);
    assert.equal(r.status, 200, by);
    const total = r.json.rows.reduce((t, row) => t + row.calls, 0);
    assert.equal(total, 300, `${by}: every call in one group`);
    const talk = r.json.rows.reduce((t, row) => t + row.talk_s, 0);
    assert.equal(talk, s.talk_s, `${by}: talk time`);
  }
  const days = (await get("/v1/sites/demo/reports/day", token)).json.rows;
  assert.equal(days.length, 30, "every day of the default range, empty ones too");
  assert.match(days[0].key, /^\d{4}-\d\d-\d\d$/);
  const channels = (await get("/v1/sites/demo/reports/channel", token)).json.rows;
  const paid = history.filter((c) => c.channel === "Paid Search").length;
  assert.equal(channels.find((r) => r.key === "Paid Search").calls, paid);
  // The imported history's qualifications: each status's calls, and each tag's, a call with two
  // tags in both (so the tag rows add up to more than the calls), a call with none in "".
  const statuses = (await get("/v1/sites/demo/reports/lead_status", token)).json.rows;
  const count = (keyOf) => {
    const m = {};
    for (const c of history) for (const k of keyOf(c)) m[k] = (m[k] ?? 0) + 1;
    return m;
  };
  const byStatus = count((c) => [c.qualification?.status ?? "none"]);
  assert.deepEqual(Object.fromEntries(statuses.map((r) => [r.key, r.calls])), byStatus);
  assert.ok(byStatus.good > 0 && byStatus.none > 0, JSON.stringify(byStatus));
  const tags = (await get("/v1/sites/demo/reports/tag?limit=500", token)).json.rows;
  const byTag = count((c) => (c.qualification?.tags?.length ? c.qualification.tags : [""]));
  assert.deepEqual(Object.fromEntries(tags.map((r) => [r.key, r.calls])), byTag);
  assert.ok(tags.reduce((t, r) => t + r.calls, 0) > 300, "two tags, two rows");
});

test("qualified leads: grouped by status and by tag, filtered, and moved by a new qualification", async () => {
  // Eight calls of the "fast" site, imported without a qualification, then qualified through the API.
  const calls = JSON.parse(
    execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "history", "tests/sites/fast.json", "--calls", "8", "--days", "5", "--seed", "21", "--end", String(END)], { cwd: ROOT }),
  ).map(({ qualification, ...c }) => c);
  const imported = await admin(worker.base, "/v1/sites/fast/calls/import", { method: "POST", body: JSON.stringify(calls) });
  assert.deepEqual(imported.json, { imported: 8 });
  const sid = calls.map((c) => c.call_sid);
  const qualify = async (i, body) => {
    const r = await admin(worker.base, `/v1/sites/fast/calls/${sid[i]}/qualification`, { method: "PUT", body: JSON.stringify(body) });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  };
  await qualify(0, { status: "good", tags: ["Booked", "quote given"], value: 250 });
  await qualify(1, { status: "good", tags: ["booked"] });
  await qualify(2, { status: "spam" });
  await qualify(3, { tags: ["Quote Given"] });
  await qualify(4, { status: "bad", tags: [] });
  // 5, 6 and 7: not qualified.
  const { token } = await newToken("fast");
  const rows = async (q) => {
    const r = await get(`/v1/sites/fast/reports/${q}`, token);
    assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.json)}`);
    return Object.fromEntries(r.json.rows.map((row) => [row.key, row.calls]));
  };
  const listed = async (q) => (await get(`/v1/sites/fast/calls?limit=500&${q}`, token)).json.calls.map((c) => c.call_sid).sort();
  const pick = (...i) => i.map((n) => sid[n]).sort();
  // (report, its groups' calls)
  const grouped = [
    ["summary", { "": 8 }],
    ["lead_status", { good: 2, spam: 1, bad: 1, none: 4 }],
    // Two tags, two rows: 2 + 2 + 5 = 9 calls counted for 8 calls (call 0 is in two rows).
    ["tag", { booked: 2, "quote given": 2, "": 5 }],
    ["tag?tag=booked", { booked: 2, "quote given": 1 }],
    ["lead_status?tag=quote%20given", { good: 1, none: 1 }],
    ["tag?lead_status=none", { "quote given": 1, "": 3 }],
    ["summary?lead_status=none", { "": 4 }],
    ["summary?tag=BOOKED&lead_status=good", { "": 2 }],
  ];
  for (const [q, want] of grouped) assert.deepEqual(await rows(q), want, q);
  // (filter, the calls the list keeps)
  const filtered = [
    ["tag=booked", pick(0, 1)],
    ["tag=quote%20given", pick(0, 3)],
    ["lead_status=good", pick(0, 1)],
    ["lead_status=none", pick(3, 5, 6, 7)],
    ["lead_status=spam&tag=booked", []],
  ];
  for (const [q, want] of filtered) assert.deepEqual(await listed(q), want, q);

  // A new qualification moves the call: from booked and quote given to emergency, good to bad.
  await qualify(0, { status: "bad", tags: ["emergency"] });
  // Cleared: the call is not qualified any more (no status, no tag).
  await qualify(1, {});
  const moved = [
    ["lead_status", { bad: 2, spam: 1, none: 5 }],
    ["tag", { emergency: 1, "quote given": 1, "": 6 }],
    ["tag?tag=booked", {}],
  ];
  for (const [q, want] of moved) assert.deepEqual(await rows(q), want, q);
  assert.deepEqual(await listed("tag=emergency"), pick(0));
  assert.deepEqual(await listed("lead_status=bad"), pick(0, 4));

  // The CSV carries each call's qualification.
  const csv = await get("/v1/sites/fast/calls?format=csv&tag=emergency", token);
  const [header, line] = csv.body.split("\r\n");
  assert.ok(header.endsWith(",lead_status,tags,lead_value"), header);
  assert.ok(line.endsWith(",bad,emergency,"), line);
  // Bad values are 400s that say what is accepted.
  for (const [q, error] of [["lead_status?lead_status=maybe", /lead_status must be good, bad, spam or none/], ["tag?tag=a;b", /tag: /]]) {
    const r = await get(`/v1/sites/fast/reports/${q}`, token);
    assert.equal(r.status, 400, q);
    assert.match(r.json.error, error, q);
  }
});

test("filters change the list, pages cover every call once, and the CSV is the list", async () => {
  const { token } = await newToken("demo");
  // (filter, which imported calls it keeps)
  const table = [
    ["status=missed", (c) => c.status === "missed"],
    ["channel=Paid%20Search", (c) => c.channel === "Paid Search"],
    ["channel=Paid%20Search&status=answered", (c) => c.channel === "Paid Search" && c.status === "answered"],
    ["campaign=spring-sale", (c) => c.campaign === "spring-sale"],
    ["keyword=emergency%20plumber", (c) => c.term === "emergency plumber"],
    ["source=google&medium=cpc", (c) => c.source === "google" && c.medium === "cpc"],
    ["number_kind=static", (c) => c.number_kind === "static"],
    ["min_confidence=0.9", (c) => c.confidence >= 0.9],
    ["tracking_number=%2B12125550101", (c) => c.tracking_number === "+12125550101"],
  ];
  for (const [q, keep] of table) {
    const want = history.filter(keep).length;
    assert.ok(want > 0, q);
    const r = await get(`/v1/sites/demo/calls?limit=500&${q}`, token);
    assert.equal(r.status, 200, q);
    assert.equal(r.json.calls.length, want, q);
    const summary = await get(`/v1/sites/demo/reports/summary?${q}`, token);
    assert.equal(summary.json.rows[0].calls, want, `${q}: the report filters alike`);
  }
  // Pages of 7: every call once, newest first.
  const seen = [];
  let cursor = null;
  do {
    const r = await get(`/v1/sites/demo/calls?limit=7${cursor ? `&cursor=${cursor}` : ""}`, token);
    assert.equal(r.status, 200);
    seen.push(...r.json.calls);
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(seen.length, 300);
  assert.equal(new Set(seen.map((c) => c.call_sid)).size, 300);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].started_at >= seen[i].started_at, "newest first");

  const csv = await get("/v1/sites/demo/calls?format=csv&status=missed", token);
  assert.equal(csv.status, 200);
  assert.match(csv.type, /^text\/csv/);
  assert.match(csv.headers.get("content-disposition"), /attachment; filename="calls-demo-/);
  const lines = csv.body.split("\r\n").filter(Boolean);
  assert.equal(lines[0].split(",")[0], "started_at");
  const missed = history.filter((c) => c.status === "missed");
  assert.equal(lines.length - 1, missed.length);
  const sids = new Set(lines.slice(1).map((l) => l.split(",")[1]));
  assert.deepEqual([...sids].sort(), missed.map((c) => c.call_sid).sort());
});

test("a call log from before the lead columns migrates on its next request: its qualified rows report as before", async () => {
  const reports = ["lead_status", "tag?limit=500", "summary?tag=emergency", "summary?lead_status=none"];
  const read = async () => {
    const out = {};
    for (const site of ["demo", "fast"]) {
      for (const q of reports) {
        const r = await admin(worker.base, `/v1/sites/${site}/reports/${q}`);
        assert.equal(r.status, 200, `${site} ${q}: ${JSON.stringify(r.json)}`);
        out[`${site} ${q}`] = r.json.rows;
      }
    }
    return out;
  };
  const before_ = await read();
  assert.ok(before_["fast lead_status"].length > 1 && before_["demo tag?limit=500"].length > 1);
  // Put each call log back as the release before wrote it: without the lead's columns, the report
  // index without them, the schema one step behind. The rows (records) are left as they are.
  const back = [
    "DROP INDEX calls_report",
    "ALTER TABLE calls DROP COLUMN r_tags",
    "ALTER TABLE calls DROP COLUMN r_lead_status",
    "CREATE INDEX calls_report ON calls (started_at, r_status, r_channel, r_duration_s, r_confidence, r_number_kind, " +
      "r_first_time, r_source, r_medium, r_campaign, r_keyword, r_tracking_number, r_landing_page, r_kind, test)",
    "UPDATE schema_version SET version = version - 1",
  ];
  await worker.restart({
    whileStopped: (state) => {
      const root = join(state, "v3", "do");
      const dirs = readdirSync(root).filter((d) => d.endsWith("CallLog"));
      const files = dirs.flatMap((d) => readdirSync(join(root, d)).filter((f) => /^[0-9a-f]{64}\.sqlite$/.test(f)).map((f) => join(root, d, f)));
      assert.equal(files.length, 2, "the demo's and the fast site's call logs");
      for (const file of files) {
        const columns = () => execFileSync("sqlite3", [file, "SELECT name FROM pragma_table_xinfo('calls')"]).toString();
        assert.match(columns(), /r_lead_status/);
        const version = execFileSync("sqlite3", [file, `${back.join("; ")}; SELECT version FROM schema_version;`]).toString().trim();
        assert.equal(version, "7", "the step before the lead's columns");
        assert.doesNotMatch(columns(), /r_lead_status|r_tags/);
      }
    },
  });
  assert.deepEqual(await read(), before_, "the same groups and counts after the migration ran again");
});

test("one call's detail carries its journey; bad requests are 4xx with a JSON error", async () => {
  const { token } = await newToken("demo");
  const sid = history.find((c) => c.attribution?.first).call_sid;
  const detail = await get(`/v1/sites/demo/calls/${sid}`, token);
  assert.equal(detail.status, 200);
  assert.ok(detail.json.call.attribution.first.landing, "first touch with its landing page");
  assert.match(detail.json.call.caller, /^\+\*+\d{4}$/);
  // (request, status, error)
  const table = [
    ["/v1/sites/demo/calls/CAnone", 404, /unknown call/],
    ["/v1/sites/demo/reports/weather", 404, /unknown report/],
    ["/v1/sites/demo/calls?status=maybe", 400, /status must be/],
    ["/v1/sites/demo/calls?from=2026-13-01", 400, /from must be a date/],
    ["/v1/sites/demo/calls?cursor=zz", 400, /bad cursor/],
    ["/v1/sites/demo/calls?limit=9999", 400, /limit/],
    ["/v1/sites/demo/reports/day?from=2020-01-01&to=2026-01-01", 400, /longer than 400 days/],
    ["/v1/sites/demo/calls?colour=red", 400, /unknown parameter/],
  ];
  for (const [path, status, error] of table) {
    const r = await get(path, token);
    assert.equal(r.status, status, path);
    assert.match(r.json.error, error, path);
  }
});

test("the pool samples itself: a lease shows in its history, and an import fills only unsampled quarter hours", async () => {
  const EVERY = 15 * 60_000;
  const slot = (t) => t - (t % EVERY);
  const before = slot(Date.now());
  const r = await fetch(`${worker.base}/v1/sites/demo/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({ session: "historysession00000001", targets: ["+12125550100"], page: { url: `${worker.base}/`, referrer: "" } }),
  });
  assert.equal(r.status, 200);
  const history = async (q = "") => get(`/v1/sites/demo/pools/visitors/history${q}`, ADMIN_TOKEN);
  const first = (await history()).json;
  assert.equal(first.every_s, 900);
  // The lease's quarter hour (or, across a quarter hour's start, the next one).
  const live = first.points[0];
  assert.ok(live.at == before || live.at == slot(Date.now()), `the lease's quarter hour was sampled (${live.at})`);
  assert.deepEqual([live.size, live.leased, live.free, live.exhausted], [10, 1, 9, 0]);

  const sample = (at, leased, cooling, exhausted) => ({ at, size: 10, leased, cooling, exhausted, limited: 0 });
  const path = "/v1/sites/demo/pools/visitors/history/import";
  const token = (await newToken("demo", "pool history")).token;
  // (body, token, status, imported)
  const table = [
    [[sample(live.at, 9, 1, 0), sample(live.at - EVERY + 7, 3, 2, 4), sample(live.at - 2 * EVERY, 1, 0, 1)], ADMIN_TOKEN, 200, 2],
    [[sample(live.at - EVERY, 8, 0, 0)], ADMIN_TOKEN, 200, 0],
    ["[{}]", ADMIN_TOKEN, 400],
    [[{ ...sample(live.at - 9 * EVERY, 8, 3, 0) }], ADMIN_TOKEN, 400],
    [Array.from({ length: 4001 }, (_, i) => sample(live.at - (i + 20) * EVERY, 0, 0, 0)), ADMIN_TOKEN, 400],
    [[sample(live.at - 30 * EVERY, 1, 0, 0)], token, 401],
    [[sample(live.at - 30 * EVERY, 1, 0, 0)], null, 401],
  ];
  for (const [body, t, status, imported] of table) {
    const res = await fetch(worker.base + path, { method: "POST", headers: t ? { Authorization: `Bearer ${t}` } : {}, body: typeof body == "string" ? body : JSON.stringify(body) });
    const json = await res.json();
    assert.equal(res.status, status, JSON.stringify(json));
    if (imported !== undefined) assert.equal(json.imported, imported);
  }
  const points = new Map((await history()).json.points.map((p) => [p.at, p]));
  // The imported quarter hours before (3 exhaustion events between them), and the live one kept
  // as the object sampled it (its counter, 0, is below the imported 4: counted from zero again).
  const pick = (at) => points.get(at) && [points.get(at).leased, points.get(at).cooling, points.get(at).exhausted];
  assert.deepEqual([pick(live.at - 2 * EVERY), pick(live.at - EVERY), pick(live.at)], [[1, 0, 0], [3, 2, 3], [1, 0, 0]]);
  // A report token reads it; bad requests are 4xx with a JSON error.
  assert.equal((await get("/v1/sites/demo/pools/visitors/history", token)).status, 200);
  for (const [q, status] of [["?channel=Direct", 400], ["?from=2026-13-01", 400]]) {
    const res = await get(`/v1/sites/demo/pools/visitors/history${q}`, ADMIN_TOKEN);
    assert.equal(res.status, status, q);
    assert.ok(res.json?.error, q);
  }
  assert.equal((await get("/v1/sites/demo/pools/nope/history", ADMIN_TOKEN)).status, 404);
});
