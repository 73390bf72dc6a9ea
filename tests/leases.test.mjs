// The lease API through the worker: heartbeats extend a lease, release ends it, the pool's alarm
// expires leases that stop beating, a page that goes away releases its lease with sendBeacon.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, launchBrowser, newVisitor, swappedText, admin, postTwilio, until, visitorHeaders } from "./harness.mjs";

let worker;
before(async () => {
  worker = await startWorker({ name: "leases", sites: ["sites/demo.json", "tests/sites/fast.json", "tests/sites/sharded.json"] });
});
after(async () => worker?.stop());

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function lease(site, target, session) {
  const r = await fetch(`${worker.base}/v1/sites/${site}/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({ session, targets: [target], page: { url: `${worker.base}/`, referrer: "" } }),
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("access-control-allow-origin"), worker.base);
  return (await r.json()).numbers[0];
}

async function action(site, leaseId, what) {
  const r = await fetch(`${worker.base}/v1/sites/${site}/leases/${leaseId}/${what}`, {
    method: "POST",
    headers: { Origin: worker.base },
  });
  return { status: r.status, json: r.status === 200 ? await r.json() : r.status === 204 ? null : await r.json() };
}

const stats = async (site, pool) => (await admin(worker.base, `/v1/sites/${site}/pools/${pool}`)).json;

test("heartbeats extend a lease; release ends it; a released lease is gone", async () => {
  const a = await lease("fast", "+13125550100", "session-aaaaaaaaaaaaaaa");
  assert.equal(a.kind, "pool");
  await sleep(1200); // the lease ages (a clock, not a condition): the heartbeat then moves its deadline
  const beat = await action("fast", a.lease, "heartbeat");
  assert.equal(beat.status, 200);
  assert.ok(beat.json.expires_at > a.expires_at, "the heartbeat moved the deadline");
  const released = await action("fast", a.lease, "release");
  assert.equal(released.status, 204);
  assert.equal((await action("fast", a.lease, "heartbeat")).status, 410);
  assert.equal((await action("fast", a.lease, "release")).status, 410);
  assert.equal((await action("fast", "main.not-a-real-lease-id", "heartbeat")).status, 410);
});

test("the alarm expires a lease that stops beating, with no request to the pool", async () => {
  const before = await stats("fast", "main");
  const b = await lease("fast", "+13125550100", "session-bbbbbbbbbbbbbbb");
  assert.equal(b.kind, "pool");
  let after = await stats("fast", "main");
  assert.equal(after.leased, before.leased + 1);
  // Idle timeout 2 s: the alarm fires at the deadline (no request reaches the pool meanwhile but
  // these reads of its figures, which expire nothing).
  after = await until("the alarm to expire the lease", async () => {
    const s = await stats("fast", "main");
    return s.counters.expired === before.counters.expired + 1 && s;
  });
  assert.equal(after.leased, 0, "expired by the alarm");
  assert.equal(after.next_deadline, null, "no alarm left to run");
  assert.equal((await action("fast", b.lease, "heartbeat")).status, 410);
});

test("two sessions never share a number; a full pool shows the original number", async () => {
  // Both numbers free (none leased or cooling down after an earlier test's lease).
  const before = await until("both of the pool's numbers free", async () => {
    const s = await stats("fast", "main");
    return s.leased === 0 && s.cooling === 0 && s;
  });
  const numbers = new Set();
  const got = [];
  for (const s of ["s1", "s2", "s3"]) {
    got.push(await lease("fast", "+13125550100", `session-exhaust-${s}-xxxxxx`));
  }
  for (const g of got.slice(0, 2)) {
    assert.equal(g.kind, "pool");
    numbers.add(g.number);
  }
  assert.equal(numbers.size, 2, "two live sessions, two numbers");
  assert.deepEqual([got[2].kind, got[2].number], ["original", "+13125550100"], "policy: original number");
  const s = await stats("fast", "main");
  assert.equal(s.counters.exhausted, before.counters.exhausted + 1);
  assert.equal(s.counters.original, before.counters.original + 1);
});

test("a page that goes away releases its lease with sendBeacon", async () => {
  const browser = await launchBrowser();
  try {
    const { page } = await newVisitor(browser);
    const before = await stats("demo", "visitors");
    await page.goto(worker.base + "/?utm_source=newsletter&utm_medium=email");
    await swappedText(page, "#phone-text", "(212) 555-0100");
    assert.equal((await stats("demo", "visitors")).leased, before.leased + 1);
    await page.close({ runBeforeUnload: true });
    await until("the release beacon to reach the pool", async () => (await stats("demo", "visitors")).counters.released === before.counters.released + 1);
  } finally {
    await browser.close();
  }
});

/** The shard a session belongs to, as the configuration computes it (FNV-1a of its id). */
function homeShard(session, shards) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(session)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % shards;
}

async function leaseWith(site, target, session, leases) {
  const r = await fetch(`${worker.base}/v1/sites/${site}/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({ session, targets: [target], page: { url: `${worker.base}/`, referrer: "" }, leases }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).numbers[0];
}

test("a pool split over two objects: a full shard passes visitors to the other, no number twice, heartbeats and calls find their shard", async () => {
  // Seven visitors whose sessions all belong to the same shard (three numbers of the six).
  const sessions = [];
  for (let i = 0; sessions.length < 7; i++) {
    const s = `session-shard-${i}-abcdefghij`;
    if (homeShard(s, 2) == 0) sessions.push(s);
  }
  const got = [];
  for (const s of sessions.slice(0, 6)) got.push(await lease("sharded", "+14155550100", s));
  assert.deepEqual(got.map((g) => g.kind), Array(6).fill("pool"), "every visitor gets a number while any shard has one");
  assert.equal(new Set(got.map((g) => g.number)).size, 6, "no number twice");
  const shardOf = (g) => g.lease.split(".")[1];
  assert.deepEqual(got.map(shardOf), ["0", "0", "0", "1", "1", "1"], "the session's own shard first, then the other");
  // The seventh finds both full: the pool's policy (the site's own number), counted once.
  assert.equal((await lease("sharded", "+14155550100", sessions[6])).kind, "original");
  // A visitor served by the other shard keeps its number on the next page, with its lease in
  // hand or without.
  const spilled = got[4];
  const again = await leaseWith("sharded", "+14155550100", sessions[4], [spilled.lease]);
  assert.deepEqual([again.number, again.lease], [spilled.number, spilled.lease]);
  const without = await lease("sharded", "+14155550100", sessions[4]);
  assert.deepEqual([without.number, without.lease], [spilled.number, spilled.lease]);
  for (const g of got) assert.equal((await action("sharded", g.lease, "heartbeat")).status, 200);
  const s = await stats("sharded", "main");
  assert.equal(s.leased, 6);
  assert.equal(s.size, 6);
  assert.equal(s.counters.exhausted, 1, "exhaustion counted once, by the last shard asked");
  assert.deepEqual(s.shards.map((x) => x.leased), [3, 3]);
  // A call to a number of shard 1 is attributed by shard 1, to the visitor it served.
  const r = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: "CAshard1", From: "+13105550199", To: spilled.number });
  assert.match(r.body, /<Number[^>]*>\+14155550100<\/Number>/);
  const calls = (await admin(worker.base, "/v1/sites/sharded/calls")).json.calls;
  assert.equal(calls[0].confidence, 1);
  assert.equal(calls[0].session, sessions[4]);
});
