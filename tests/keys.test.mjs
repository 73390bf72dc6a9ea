// Many sites on one worker: operator keys scoped to sites and scopes, the history of every change
// of configuration and keys with who made it, rollback, and configuration changes that apply from
// the next request. In workerd (wrangler dev), with real KV and SQLite Durable Objects; Twilio's
// webhooks signed by Twilio's own helper library.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { startWorker, postTwilio, admin, visitorHeaders, ROOT } from "./harness.mjs";

const SITE_A = JSON.parse(readFileSync(join(ROOT, "tests/sites/keys-a.json"), "utf8"));
const SITE_B = {
  id: "keys-b",
  targets: [{ number: "+13125550300", routing: [{ name: "every call", then: { ring: { numbers: ["+13125550301"] } } }] }],
  static_numbers: [{ number: "+13125550310", target: "+13125550300", channel: "Email", source: "newsletter" }],
};
const CALLER = "+13105550199";

let worker;
before(async () => {
  // Site A is seeded as an operator seeds one (`dni kv`), before any history exists; site B is
  // created through the API.
  worker = await startWorker({ name: "keys", sites: ["tests/sites/keys-a.json"] });
  const put = await admin(worker.base, "/v1/sites/keys-b/config", { method: "PUT", body: JSON.stringify(SITE_B) });
  assert.equal(put.status, 200, JSON.stringify(put.json));
});
after(async () => worker?.stop());

let calls = 0;
/** A call to `to`: the number the worker's answer dials, or null when it dials none. */
async function dialed(to) {
  const r = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: `CAkeys${++calls}`, From: CALLER, To: to, CallStatus: "ringing" });
  assert.equal(r.status, 200, r.body);
  const m = r.body.match(/<Number[^>]*>(\+\d+)<\/Number>/);
  return m ? m[1] : null;
}

/** A request with a bearer key (or none). */
async function as(key, method, path, body) {
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  const r = await fetch(worker.base + path, { method, headers, body });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json, text };
}

const ring = (numbers) => [{ name: "every call", then: { ring: { numbers } } }];
const withRing = (site, numbers) => ({ ...site, targets: [{ ...site.targets[0], routing: ring(numbers) }] });

test("a configuration change applies from the next request: the rule changed, then at once a call runs on the new rule", async () => {
  // The worker has read the site's configuration (and keeps it in memory for the hot paths).
  assert.equal(await dialed("+13125550210"), "+13125550201");
  // The owner changes the rule and tries it at once.
  const put = await admin(worker.base, "/v1/sites/keys-a/config", { method: "PUT", body: JSON.stringify(withRing(SITE_A, ["+13125550202"])) });
  assert.equal(put.status, 200, JSON.stringify(put.json));
  assert.equal(await dialed("+13125550210"), "+13125550202", "the next call rings the new line");
  // And a lease, the other hot path: a page on an origin the site does not list yet is refused,
  // the owner adds the origin (and a number), and the page's next request is served.
  const ORIGIN = "https://www.keys.example";
  const lease = async () =>
    (
      await fetch(`${worker.base}/v1/sites/keys-a/leases`, {
        method: "POST",
        headers: { ...visitorHeaders(), Origin: ORIGIN, "Content-Type": "text/plain" },
        body: JSON.stringify({ session: "keys-session-0000000000000", targets: ["+13125550200"], page: { url: `${ORIGIN}/`, referrer: "" } }),
      })
    ).status;
  assert.equal(await lease(), 403, "not listed yet");
  const moved = { ...withRing(SITE_A, ["+13125550202"]), origins: [ORIGIN], static_numbers: [...SITE_A.static_numbers, { number: "+13125550211", target: "+13125550200", channel: "Paid Search", source: "google", medium: "cpc" }] };
  assert.equal((await admin(worker.base, "/v1/sites/keys-a/config", { method: "PUT", body: JSON.stringify(moved) })).status, 200);
  assert.equal(await lease(), 200, "the new origin is allowed at once");
  assert.equal(await dialed("+13125550211"), "+13125550202", "the new number is routed at once");
});

const keys = {};
async function createKey(name, sites, scopes) {
  const r = await admin(worker.base, "/v1/operator-keys", { method: "POST", body: JSON.stringify({ name, sites, scopes }) });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.match(r.json.key, /^dni_ok_[A-Za-z0-9-]{12}_[A-Za-z0-9-]{32}$/);
  assert.equal(r.json.hash, undefined, "never the hash");
  return r.json;
}

test("operator keys are created by the global admin only, shown once, listed without secret or hash", async () => {
  keys.all = await createKey("agency, everything on A", ["keys-a"], ["configure", "calls", "recordings", "qualify", "erase"]);
  keys.configure = await createKey("A's web agency", ["keys-a"], ["configure"]);
  keys.none = await createKey("A's reports only", ["keys-a"], []);
  keys.b = await createKey("agency, everything on B", ["keys-b"], ["configure", "calls", "recordings", "qualify", "erase"]);
  keys.both = await createKey("agency, calls on A and B", ["keys-a", "keys-b"], ["calls"]);
  assert.deepEqual(keys.all.scopes, ["configure", "calls", "recordings", "qualify", "erase"]);
  const list = await admin(worker.base, "/v1/operator-keys");
  assert.equal(list.status, 200);
  assert.equal(list.json.keys.length, 5);
  const text = JSON.stringify(list.json);
  for (const k of Object.values(keys)) assert.ok(!text.includes(k.key.split("_").pop()), "no secret in the list");
  assert.ok(!text.includes("hash"));
  // A key cannot make keys, whatever its scopes; bad requests change nothing.
  assert.equal((await as(keys.all.key, "POST", "/v1/operator-keys", JSON.stringify({ sites: ["keys-a"] }))).status, 401);
  assert.equal((await as(keys.all.key, "GET", "/v1/operator-keys")).status, 401);
  const table = [
    [{ sites: [] }, 400],
    [{ sites: ["keys-a"], scopes: ["root"] }, 400],
    [{ sites: ["Not A Site"] }, 400],
    [{ sites: ["keys-a"], admin: true }, 400],
  ];
  for (const [body, status] of table) {
    assert.equal((await admin(worker.base, "/v1/operator-keys", { method: "POST", body: JSON.stringify(body) })).status, status, JSON.stringify(body));
  }
  assert.equal((await admin(worker.base, "/v1/operator-keys")).json.keys.length, 5);
  // What is stored: one row per key in the operators object, with the SHA-256 of the secret and
  // never the key.
  const stored = execFileSync("python3", [join(ROOT, "tests", "read-state.py"), worker.state], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((r) => r.store === "operators");
  const rows = stored.filter((r) => r.table === "keys").map((r) => r.row.row);
  assert.equal(rows.length, 5);
  for (const k of Object.values(keys)) {
    const secret = k.key.split("_").pop();
    const row = rows.find((r) => r.id === k.id);
    assert.equal(row.hash, createHash("sha256").update(secret).digest("hex"), k.name);
    assert.equal(row.v, 1, "a versioned row");
  }
  const everything = JSON.stringify(stored);
  for (const k of Object.values(keys)) assert.ok(!everything.includes(k.key.split("_").pop()), "no secret stored anywhere");
  // Every stored field is in the data map of docs/privacy.md (`operators: <table>.<column>`, a
  // trailing `.*` covering what is under it).
  const map = [...readFileSync(join(ROOT, "docs/privacy.md"), "utf8").matchAll(/^\| `operators: ([^`]+)`/gm)].map((m) => m[1]);
  const listed = (field) => map.some((m) => m === field || (m.endsWith(".*") && field.startsWith(m.slice(0, -1))));
  const fields = new Set(stored.flatMap((r) => Object.keys(r.row).map((column) => `${r.table}.${column}`)));
  assert.ok(fields.has("keys.row") && fields.has("history.row"), [...fields].join(" "));
  assert.deepEqual([...fields].filter((f) => !listed(f)), [], "stored fields the data map does not list");
});

// Every operator route that names a site, with what it needs ("read": any key of the site), and a
// request that changes nothing when it is let in (a body that is refused, an id that is unknown):
// let in, it answers anything but 401; refused, 401.
const SITE_ROUTES = [
  ["GET", "/v1/sites/:site/calls", "read"],
  ["GET", "/v1/sites/:site/leads", "read"],
  ["GET", "/v1/sites/:site/calls/:call", "read"],
  ["GET", "/v1/sites/:site/reports/:by", "read"],
  ["GET", "/v1/sites/:site/pools", "read"],
  ["GET", "/v1/sites/:site/pools/:pool", "read"],
  ["GET", "/v1/sites/:site/pools/:pool/history", "read"],
  ["GET", "/v1/sites/:site/config", "configure"],
  ["PUT", "/v1/sites/:site/config", "configure", "{}"],
  ["GET", "/v1/sites/:site/config/history", "configure"],
  ["GET", "/v1/sites/:site/config/history/:version", "configure"],
  ["POST", "/v1/sites/:site/config/rollback", "configure", "{}"],
  ["GET", "/v1/sites/:site/report-tokens", "configure"],
  ["POST", "/v1/sites/:site/report-tokens", "configure", '{"name": 5}'],
  ["DELETE", "/v1/sites/:site/report-tokens/:id", "configure"],
  ["POST", "/v1/sites/:site/calls/import", "configure", "not json"],
  ["POST", "/v1/sites/:site/test-calls", "configure", "not json"],
  ["POST", "/v1/sites/:site/pools/:pool/history/import", "configure", "not json"],
  ["POST", "/v1/sites/:site/deliveries/:id/retry", "configure"],
  ["GET", "/v1/sites/:site/calls/:call/deliveries", "read"],
  ["PUT", "/v1/sites/:site/calls/:call/qualification", "qualify", "not json"],
  ["GET", "/v1/sites/:site/conversions.csv", "calls"],
  ["GET", "/v1/sites/:site/calls/:call/recording", "recordings"],
  ["DELETE", "/v1/sites/:site/callers/:caller", "erase"],
  // The names of the worker's secrets span every site: the ADMIN_TOKEN only, no key.
  ["GET", "/v1/sites/:site/secrets", "admin"],
];
const FILL = { call: "CAnone", by: "channel", pool: "main", version: "1", id: "AAAAAAAAAAAA", caller: "%2B19995550000" };
const path = (pattern, site) => pattern.replace(":site", site).replace(/:(\w+)/g, (_, name) => FILL[name]);

test("every operator route of a site is in the table above (the routing table in lib.rs is the list)", () => {
  const lib = readFileSync(join(ROOT, "crates/worker/src/lib.rs"), "utf8");
  const routes = [...lib.matchAll(/^\s+(Get|Post|Put|Delete) "(\/v1\/sites\/:site\/[^"]+)"/gm)]
    .map(([, method, pattern]) => `${method.toUpperCase()} ${pattern}`)
    // The page's public routes: no key, by design.
    .filter((r) => !/\/(public|leases|numbers)\b/.test(r));
  const table = SITE_ROUTES.map(([method, pattern]) => `${method} ${pattern}`);
  assert.deepEqual([...routes].sort(), [...table].sort());
});

test("scopes and sites, route by route: a key for site A is refused on site B everywhere; each scope opens its routes only", async () => {
  // (key, sites it opens, scopes)
  const holders = [
    ["all", ["keys-a"], ["configure", "calls", "recordings", "qualify", "erase"]],
    ["configure", ["keys-a"], ["configure"]],
    ["none", ["keys-a"], []],
    ["b", ["keys-b"], ["configure", "calls", "recordings", "qualify", "erase"]],
    ["both", ["keys-a", "keys-b"], ["calls"]],
  ];
  let checked = 0;
  const wrong = [];
  for (const [name, sites, scopes] of holders) {
    for (const site of ["keys-a", "keys-b"]) {
      for (const [method, pattern, need, body] of SITE_ROUTES) {
        const allowed = sites.includes(site) && (need === "read" || scopes.includes(need));
        const r = await as(keys[name].key, method, path(pattern, site), body);
        checked++;
        if ((r.status !== 401) !== allowed || r.status >= 500) wrong.push(`${name} ${method} ${path(pattern, site)}: ${r.status} ${r.text.slice(0, 80)}`);
      }
    }
  }
  console.log(`operator keys: ${checked} (key, site, route) requests checked against the scope table`);
  assert.deepEqual(wrong, []);
  // Without a key, or with a made-up one, nothing opens.
  for (const key of [null, "dni_ok_AAAAAAAAAAAA_" + "a".repeat(32), keys.all.key.slice(0, -1) + (keys.all.key.endsWith("a") ? "b" : "a")]) {
    assert.equal((await as(key, "GET", "/v1/sites/keys-a/calls")).status, 401, String(key));
  }
});

test("what a key costs: one request to the operators object, next to the ADMIN_TOKEN (printed, not asserted)", async () => {
  const time = async (key) => {
    const ms = [];
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      assert.equal((await as(key, "GET", "/v1/sites/keys-a/pools")).status, 200);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { p50: ms[30].toFixed(1), p90: ms[54].toFixed(1) };
  };
  const withAdmin = await time((await import("./harness.mjs")).ADMIN_TOKEN);
  const withKey = await time(keys.configure.key);
  console.log(`operator keys: GET /pools with the ADMIN_TOKEN p50 ${withAdmin.p50} ms p90 ${withAdmin.p90} ms; with an operator key p50 ${withKey.p50} ms p90 ${withKey.p90} ms (60 requests each)`);
});

test("callers' numbers: whole for a key with the calls scope, masked for one without", async () => {
  const full = await as(keys.both.key, "GET", "/v1/sites/keys-a/calls");
  const masked = await as(keys.configure.key, "GET", "/v1/sites/keys-a/calls");
  assert.equal(full.status, 200);
  assert.ok(full.json.calls.length > 0);
  assert.ok(full.json.calls.every((c) => c.caller === CALLER));
  assert.ok(masked.json.calls.every((c) => c.caller !== CALLER && c.caller.endsWith("0199")), JSON.stringify(masked.json.calls[0]));
});

test("a key's changes are in the history with who and when; a rollback restores the previous rules and number routes", async () => {
  // The configure key changes the rule and drops the second static number.
  const put = await as(keys.configure.key, "PUT", "/v1/sites/keys-a/config", JSON.stringify(withRing(SITE_A, ["+13125550203"])));
  assert.equal(put.status, 200, put.text);
  assert.equal(await dialed("+13125550210"), "+13125550203");
  assert.equal(await dialed("+13125550211"), null, "the dropped number's route is gone");
  const history = await as(keys.configure.key, "GET", "/v1/sites/keys-a/config/history");
  assert.equal(history.status, 200, history.text);
  const entries = history.json.history;
  // Newest first: (version, change, by)
  const summary = entries.map((e) => [e.version, e.change, e.by]);
  assert.deepEqual(summary, [
    [8, "config", `key:${keys.configure.id}`],
    [7, "key_created", "admin"],
    [6, "key_created", "admin"],
    [5, "key_created", "admin"],
    [4, "key_created", "admin"],
    [3, "config", "admin"],
    [2, "config", "admin"],
    [1, "found", null],
  ]);
  assert.equal(put.json.version, 8);
  assert.ok(entries.every((e) => typeof e.at === "number" && Math.abs(e.at - Date.now()) < 600_000));
  assert.deepEqual(entries.find((e) => e.version === 7).scopes, ["calls"], "the key's scopes are recorded");
  // The version before this change: the new rule and the second number.
  const before = await as(keys.configure.key, "GET", "/v1/sites/keys-a/config/history/3");
  assert.equal(before.json.config.static_numbers.length, 2);
  const back = await as(keys.configure.key, "POST", "/v1/sites/keys-a/config/rollback", JSON.stringify({ version: 3 }));
  assert.equal(back.status, 200, back.text);
  assert.deepEqual([back.json.version, back.json.restored], [9, 3]);
  assert.equal(await dialed("+13125550210"), "+13125550202", "the previous rule, at once");
  assert.equal(await dialed("+13125550211"), "+13125550202", "the previous number routes, at once");
  assert.deepEqual((await admin(worker.base, "/v1/sites/keys-a/config")).json.static_numbers.length, 2);
  // Back to the very first configuration, which the history found rather than wrote.
  assert.equal((await admin(worker.base, "/v1/sites/keys-a/config/rollback", { method: "POST", body: JSON.stringify({ version: 1 }) })).status, 200);
  assert.equal(await dialed("+13125550210"), "+13125550201");
  assert.equal(await dialed("+13125550211"), null);
  const latest = (await admin(worker.base, "/v1/sites/keys-a/config/history")).json.history[0];
  assert.deepEqual([latest.version, latest.change, latest.from, latest.by, latest.config], [10, "rollback", 1, "admin", true]);
  // (rollback body, status): an unknown version, one past what a JavaScript number holds exactly,
  // a key change, not a version.
  const table = [
    [{ version: 99 }, 404],
    [{ version: 338271437838361344 }, 404],
    [{ version: 4 }, 400],
    [{ version: "1" }, 400],
  ];
  for (const [body, status] of table) {
    assert.equal((await admin(worker.base, "/v1/sites/keys-a/config/rollback", { method: "POST", body: JSON.stringify(body) })).status, status, JSON.stringify(body));
  }
  assert.equal((await admin(worker.base, "/v1/sites/keys-a/config/history/338271437838361344")).status, 404);
  // Site B's history is its own.
  const b = (await as(keys.b.key, "GET", "/v1/sites/keys-b/config/history")).json.history;
  assert.deepEqual(b.map((e) => [e.version, e.change]), [[3, "key_created"], [2, "key_created"], [1, "config"]]);
});

test("a key of site A cannot route site B's numbers to A, nor B's key A's", async () => {
  const stealing = { ...SITE_A, static_numbers: [...SITE_A.static_numbers, { number: "+13125550310", target: "+13125550200", channel: "Email", source: "stolen" }] };
  const r = await as(keys.all.key, "PUT", "/v1/sites/keys-a/config", JSON.stringify(stealing));
  assert.equal(r.status, 403, r.text);
  assert.equal(await dialed("+13125550310"), "+13125550301", "B's number still rings B");
  assert.equal((await admin(worker.base, "/v1/sites/keys-a/config")).json.static_numbers.length, 1, "nothing written");
  // A key of site B cannot take site A's target either.
  const takeA = { ...SITE_B, static_numbers: [...SITE_B.static_numbers, { number: "+13125550210", target: "+13125550300", channel: "Email", source: "stolen" }] };
  assert.equal((await as(keys.b.key, "PUT", "/v1/sites/keys-b/config", JSON.stringify(takeA))).status, 403);
  assert.equal(await dialed("+13125550210"), "+13125550201", "A's number still rings A");
});

test("a revoked key is refused on its next request, and the revocation is in its sites' history", async () => {
  assert.equal((await as(keys.both.key, "GET", "/v1/sites/keys-b/calls")).status, 200);
  const gone = await admin(worker.base, `/v1/operator-keys/${keys.both.id}`, { method: "DELETE" });
  assert.equal(gone.status, 200, JSON.stringify(gone.json));
  assert.equal(typeof gone.json.revoked_at, "number");
  for (const site of ["keys-a", "keys-b"]) {
    assert.equal((await as(keys.both.key, "GET", `/v1/sites/${site}/calls`)).status, 401, site);
    const latest = (await admin(worker.base, `/v1/sites/${site}/config/history`)).json.history[0];
    assert.deepEqual([latest.change, latest.key, latest.by], ["key_revoked", keys.both.id, "admin"], site);
  }
  // The others still work; an unknown key is a 404.
  assert.equal((await as(keys.b.key, "GET", "/v1/sites/keys-b/calls")).status, 200);
  assert.equal((await admin(worker.base, "/v1/operator-keys/AAAAAAAAAAAA", { method: "DELETE" })).status, 404);
  // The list shows it revoked.
  const listed = (await admin(worker.base, "/v1/operator-keys")).json.keys.find((k) => k.id === keys.both.id);
  assert.equal(listed.revoked_by, "admin");
});
