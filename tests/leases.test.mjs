// The lease API through the worker: heartbeats extend a lease, release ends it, the pool's alarm
// expires leases that stop beating, a page that goes away releases its lease with sendBeacon.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, launchBrowser, newVisitor, swappedText, admin, VISITOR_UA } from "./harness.mjs";

let worker;
before(async () => {
  worker = await startWorker({ name: "leases", sites: ["sites/demo.json", "tests/sites/fast.json"] });
});
after(async () => worker?.stop());

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function lease(site, target, session) {
  const r = await fetch(`${worker.base}/v1/sites/${site}/leases`, {
    method: "POST",
    headers: { Origin: worker.base, "User-Agent": VISITOR_UA, "Content-Type": "text/plain" },
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
  await sleep(1200);
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
  await sleep(4000); // idle timeout 2 s: the alarm fires at the deadline.
  after = await stats("fast", "main");
  assert.equal(after.leased, 0, "expired by the alarm");
  assert.equal(after.counters.expired, before.counters.expired + 1);
  assert.equal(after.next_deadline, null, "no alarm left to run");
  assert.equal((await action("fast", b.lease, "heartbeat")).status, 410);
});

test("two sessions never share a number; a full pool shows the original number", async () => {
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
  assert.equal(s.counters.exhausted, 1);
  assert.equal(s.counters.original, 1);
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
    let released = false;
    for (let i = 0; i < 40 && !released; i++) {
      await sleep(250);
      released = (await stats("demo", "visitors")).counters.released === before.counters.released + 1;
    }
    assert.ok(released, "the release beacon reached the pool");
  } finally {
    await browser.close();
  }
});
