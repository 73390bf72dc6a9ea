// Bad input gets a clear error: a 4xx with a JSON body, never a 500, and nothing stored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, postTwilio, admin, VISITOR_UA } from "./harness.mjs";

let worker;
before(async () => {
  worker = await startWorker({ name: "bad-input" });
});
after(async () => worker?.stop());

const good = { session: "session-ok-aaaaaaaaaaaa", targets: ["+12125550100"], page: { url: "https://example.com/", referrer: "" } };
const long = "x".repeat(5000);

test("lease requests: every kind of bad input is a 4xx with a JSON error, and leases nothing", async () => {
  const base = worker.base;
  // (what, site, origin, body, expected status, error message pattern)
  const table = [
    ["malformed JSON", "demo", base, "{not json", 400, /malformed JSON/],
    ["not an object", "demo", base, "[1,2]", 400, /malformed JSON/],
    ["empty body", "demo", base, "", 400, /malformed JSON/],
    ["unknown field", "demo", base, JSON.stringify({ ...good, extra: 1 }), 400, /unknown field/],
    ["missing targets", "demo", base, JSON.stringify({ session: good.session, page: good.page }), 400, /targets must/],
    ["target not E.164", "demo", base, JSON.stringify({ ...good, targets: ["(212) 555-0100"] }), 400, /E\.164/],
    ["too many targets", "demo", base, JSON.stringify({ ...good, targets: Array(9).fill("+12125550100") }), 400, /targets/],
    ["no targets", "demo", base, JSON.stringify({ ...good, targets: [] }), 400, /targets/],
    ["session too short", "demo", base, JSON.stringify({ ...good, session: "abc" }), 400, /session/],
    ["session with markup", "demo", base, JSON.stringify({ ...good, session: "<script>alert(1)</script>" }), 400, /session/],
    ["oversize URL", "demo", base, JSON.stringify({ ...good, page: { url: long, referrer: "" } }), 400, /URLs/],
    ["oversize lease id", "demo", base, JSON.stringify({ ...good, leases: [long] }), 400, /leases/],
    ["too many lease ids", "demo", base, JSON.stringify({ ...good, leases: Array(9).fill("visitors.0.abcdefghijklmnop") }), 400, /leases/],
    ["lease ids not strings", "demo", base, JSON.stringify({ ...good, leases: [1] }), 400, /malformed JSON/],
    ["oversize body", "demo", base, JSON.stringify({ ...good, pad: "y".repeat(40_000) }), 413, /too large/],
    ["unknown site", "nosuchsite", base, JSON.stringify(good), 404, /unknown site/],
    ["site id too long", "s".repeat(100), base, JSON.stringify(good), 404, /unknown site/],
    ["origin not listed", "demo", "https://evil.example", JSON.stringify(good), 403, /origin/],
    ["no origin", "demo", null, JSON.stringify(good), 403, /Origin/],
  ];
  const before = (await admin(base, "/v1/sites/demo/pools/visitors")).json;
  for (const [what, site, origin, body, status, pattern] of table) {
    const headers = { "Content-Type": "text/plain", "User-Agent": VISITOR_UA };
    if (origin) headers.Origin = origin;
    const r = await fetch(`${base}/v1/sites/${site}/leases`, { method: "POST", headers, body });
    assert.equal(r.status, status, what);
    assert.match(r.headers.get("content-type") ?? "", /application\/json/, what);
    const json = await r.json();
    assert.match(json.error, pattern, what);
    assert.equal(typeof json.code, "string", what);
  }
  const after = (await admin(base, "/v1/sites/demo/pools/visitors")).json;
  assert.equal(after.counters.granted, before.counters.granted, "no lease was granted");
});

test("webhooks: missing fields and bad numbers are 400s, after the signature check", async () => {
  const url = `${worker.base}/v1/twilio/voice`;
  // (what, params, expected status)
  const table = [
    ["no CallSid", { From: "+13105550199", To: "+12125550101" }, 400],
    ["To not E.164", { CallSid: "CAx1", From: "+13105550199", To: "2125550101" }, 400],
    ["oversize CallSid", { CallSid: "C".repeat(500), From: "+13105550199", To: "+12125550101" }, 400],
  ];
  for (const [what, params, status] of table) {
    const r = await postTwilio(url, params);
    assert.equal(r.status, status, what);
    assert.ok(JSON.parse(r.body).error, what);
  }
  const unknownStatus = await postTwilio(`${worker.base}/v1/twilio/status`, { CallSid: "CAx2", To: "+12125550101", CallStatus: "exploded" });
  assert.equal(unknownStatus.status, 400);
  const calls = await admin(worker.base, "/v1/sites/demo/calls");
  assert.equal(calls.json.calls.length, 0, "nothing stored");
});

test("a call to a number no site owns is answered, not failed", async () => {
  const r = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: "CAx3", From: "+13105550199", To: "+19995550100" });
  assert.equal(r.status, 200);
  assert.match(r.body, /<Say>The number you have called is not in service\.<\/Say>/);
});

test("admin API: a token is required; bad configurations are refused", async () => {
  const base = worker.base;
  assert.equal((await fetch(`${base}/v1/sites/demo/config`)).status, 401);
  const put = (body) => admin(base, "/v1/sites/demo/config", { method: "PUT", body });
  // (what, body, status, error pattern)
  const table = [
    ["malformed", "{", 400, /malformed JSON/],
    ["id mismatch", JSON.stringify({ id: "other", targets: [{ number: "+12125550100" }] }), 400, /id must match/],
    ["bad number", JSON.stringify({ id: "demo", targets: [{ number: "212" }] }), 400, /malformed JSON/],
    ["markup as a number", JSON.stringify({ id: "demo", targets: [{ number: "<img src=x onerror=alert(1)>" }] }), 400, /malformed JSON/],
    ["unknown pool", JSON.stringify({ id: "demo", targets: [{ number: "+12125550100", pool: "x" }] }), 400, /unknown pool/],
  ];
  for (const [what, body, status, pattern] of table) {
    const r = await put(body);
    assert.equal(r.status, status, what);
    assert.match(r.json.error, pattern, what);
  }
  assert.equal((await admin(base, "/v1/sites/demo/config")).json.pools[0].numbers.length, 10, "configuration unchanged");
  assert.equal((await fetch(`${base}/v1/nothing-here`)).status, 404);
});

test("with no secrets set, admin and webhooks are refused", async () => {
  const closed = await startWorker({ name: "no-secrets", secrets: {} });
  try {
    const calls = await fetch(`${closed.base}/v1/sites/demo/calls`, { headers: { Authorization: "Bearer anything" } });
    assert.equal(calls.status, 403);
    assert.match((await calls.json()).error, /ADMIN_TOKEN is not set/);
    const hook = await postTwilio(`${closed.base}/v1/twilio/voice`, { CallSid: "CA1", To: "+12125550101" }, { token: "" });
    assert.equal(hook.status, 403);
    assert.match(JSON.parse(hook.body).error, /TWILIO_AUTH_TOKEN is not set/);
  } finally {
    await closed.stop();
  }
});
