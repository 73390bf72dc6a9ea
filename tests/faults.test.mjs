// Faults in our own runtime: the worker's state lives in the Durable Objects' SQLite storage, so a
// restart of workerd (polite, or a kill -9 in the middle of a lease storm) loses no lease and no
// call, and never hands one number to two sessions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startWorker, postTwilio, admin, until, VISITOR_UA, visitorHeaders } from "./harness.mjs";

let worker;
before(async () => {
  worker = await startWorker({ name: "faults", sites: ["sites/demo.json", "tests/sites/storm.json"] });
});
after(async () => worker?.stop());


async function lease(site, target, session) {
  const r = await fetch(`${worker.base}/v1/sites/${site}/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({ session, targets: [target], page: { url: `${worker.base}/?utm_source=google&utm_medium=cpc&gclid=G-${session}`, referrer: "" } }),
  });
  assert.equal(r.status, 200, `lease for ${session}: ${r.status}`);
  return (await r.json()).numbers[0];
}

async function heartbeat(site, leaseId) {
  const r = await fetch(`${worker.base}/v1/sites/${site}/leases/${leaseId}/heartbeat`, { method: "POST", headers: { Origin: worker.base } });
  return { status: r.status, json: await r.json() };
}

const stats = async (site, pool) => (await admin(worker.base, `/v1/sites/${site}/pools/${pool}`)).json;
const calls = async (site) => (await admin(worker.base, `/v1/sites/${site}/calls?limit=500`)).json.calls;

/** Every session asks again: it must get the number it held, renewed; no number twice. */
async function assertHeld(site, target, held) {
  const seen = new Map();
  for (const [session, before] of held) {
    const again = await lease(site, target, session);
    assert.equal(again.kind, "pool", session);
    assert.equal(again.number, before.number, `${session} keeps its number`);
    assert.equal(again.lease, before.lease, `${session} keeps its lease`);
    assert.ok(!seen.has(again.number), `${again.number} held by ${seen.get(again.number)} and ${session}`);
    seen.set(again.number, session);
  }
}

test("a restart on the same state keeps every lease and every call", async () => {
  const held = new Map();
  for (let i = 0; i < 8; i++) {
    const session = `session-restart-${i}-aaaaaaaa`;
    const got = await lease("demo", "+12125550100", session);
    assert.equal(got.kind, "pool");
    held.set(session, got);
  }
  const [firstSession, first] = held.entries().next().value;
  const voice = { CallSid: "CArestart1", AccountSid: "AC1", From: "+13105550199", To: first.number, CallStatus: "ringing", Direction: "inbound" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/voice`, voice)).status, 200);
  const before = await stats("demo", "visitors");
  assert.equal(before.leased, 8);

  await worker.restart();

  const after = await stats("demo", "visitors");
  assert.deepEqual([after.leased, after.counters.granted], [8, before.counters.granted], "the same leases, nothing granted anew");
  for (const [session, got] of held) {
    const beat = await heartbeat("demo", got.lease);
    assert.equal(beat.status, 200, `${session}'s lease still beats after the restart`);
    assert.equal(beat.json.number, got.number);
  }
  await assertHeld("demo", "+12125550100", held);
  const recorded = (await calls("demo")).filter((c) => c.call_sid === "CArestart1");
  assert.equal(recorded.length, 1, "the call is still recorded");
  assert.equal(recorded[0].session, firstSession, "and still attributed to its session");
  // A new visitor gets a number no one holds.
  const fresh = await lease("demo", "+12125550100", "session-restart-new-aaaaaaaa");
  assert.ok(![...held.values()].some((g) => g.number === fresh.number), "no number handed out twice");
});

test("kill -9 of the runtime in the middle of a lease storm: no lease or call lost, no number double-booked", async () => {
  const SESSIONS = 96; // over the pool's 64 numbers: the storm exhausts it too
  const CONCURRENCY = 16;
  const answered = new Map(); // session -> granted lease (answered before the kill)
  const cut = new Set(); // sessions whose request got no answer
  const callsAnswered = new Set();
  let next = 0;
  let killing = null;
  const worker_ = async () => {
    while (next < SESSIONS) {
      const i = next++;
      const session = `session-storm-${String(i).padStart(3, "0")}-aaaaaaa`;
      try {
        const r = await fetch(`${worker.base}/v1/sites/storm/leases`, {
          method: "POST",
          headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
          body: JSON.stringify({ session, targets: ["+16175550100"], page: { url: `${worker.base}/`, referrer: "" } }),
        });
        const json = await r.json();
        if (r.status !== 200) throw new Error(`status ${r.status}`);
        const got = json.numbers[0];
        if (got.kind === "pool") {
          answered.set(session, got);
          // Every second granted number is called at once, during the storm.
          if (answered.size % 2 === 0) {
            const sid = `CAstorm${i}`;
            const r2 = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: sid, AccountSid: "AC1", From: "+13105550100", To: got.number, CallStatus: "ringing", Direction: "inbound" }).catch(() => null);
            if (r2?.status === 200) callsAnswered.add(sid);
          }
        }
        // Mid-storm: once 20 leases and 5 calls are answered, kill the runtime with SIGKILL.
        if (!killing && answered.size >= 20 && callsAnswered.size >= 5) killing = worker.restart({ kill: true });
      } catch {
        cut.add(session);
      }
      if (killing) return;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker_));
  await killing;
  assert.ok(killing, "the runtime was killed mid-storm");
  assert.ok(answered.size >= 20 && callsAnswered.size >= 5, `answered before the kill: ${answered.size} leases, ${callsAnswered.size} calls`);

  // Every lease answered before the kill is there, with its number, after it.
  for (const [session, got] of answered) {
    const beat = await heartbeat("storm", got.lease);
    assert.equal(beat.status, 200, `${session}'s lease survived the kill`);
    assert.equal(beat.json.number, got.number);
  }
  await assertHeld("storm", "+16175550100", answered);
  // Sessions whose request the kill cut, and the ones never sent, ask again: each gets a number
  // no other session holds, or the original number once the pool is full.
  const holders = new Map([...answered].map(([s, g]) => [g.number, s]));
  for (let i = 0; i < SESSIONS; i++) {
    const session = `session-storm-${String(i).padStart(3, "0")}-aaaaaaa`;
    if (answered.has(session)) continue;
    const got = await lease("storm", "+16175550100", session);
    if (got.kind !== "pool") continue;
    assert.ok(!holders.has(got.number), `${got.number} double-booked: ${holders.get(got.number)} and ${session}`);
    holders.set(got.number, session);
  }
  const s = await stats("storm", "main");
  assert.equal(s.leased, holders.size, "every leased number belongs to exactly one session we know");
  assert.equal(s.size, 64);
  // Every call answered before the kill is recorded.
  const recorded = new Set((await calls("storm")).map((c) => c.call_sid));
  for (const sid of callsAnswered) assert.ok(recorded.has(sid), `call ${sid} survived the kill`);
  console.log(
    `kill -9 mid-storm: ${answered.size} leases answered before the kill, ${cut.size} requests cut, ` +
      `${callsAnswered.size} calls answered; after the restart ${s.leased} numbers leased to ${holders.size} sessions, 0 double-booked`,
  );
});

test("a slot row the release cannot read is a 503 and a logged error, never a free number", async () => {
  // The storm pool's first number is leased (the test above); break its stored row while the runtime
  // is stopped, as a faulty upgrade could have left it.
  const held = await lease("storm", "+16175550100", "session-storm-000-aaaaaaa");
  assert.equal(held.kind, "pool");
  await worker.restart({
    whileStopped: (state) => {
      const dir = join(state, "v3", "do", "dni-PoolObject");
      const files = readdirSync(dir).filter((f) => /^[0-9a-f]{64}\.sqlite$/.test(f));
      let broken = 0;
      for (const f of files) {
        const sql = `UPDATE slots SET slot = '{"number":"${held.number}","lease":' WHERE number = '${held.number}'; SELECT changes();`;
        broken += Number(execFileSync("sqlite3", [join(dir, f), sql]).toString().trim());
      }
      assert.equal(broken, 1, "one stored slot row broken");
    },
  });
  // A page asking for a number is never shown an error: the lease stops, and the page keeps the
  // site's own number (the broken number is not handed to anyone).
  const page = await lease("storm", "+16175550100", "session-storm-new-aaaaaaaa");
  assert.deepEqual([page.kind, page.number], ["original", "+16175550100"]);
  // (what, request): each needs the pool, so each is a 503 with a JSON body naming nothing inside.
  const table = [
    ["the holder's heartbeat", () => fetch(`${worker.base}/v1/sites/storm/leases/${held.lease}/heartbeat`, { method: "POST", headers: { Origin: worker.base } })],
    ["the pool's figures", () => fetch(`${worker.base}/v1/sites/storm/pools/main`, { headers: { Authorization: "Bearer test-admin-token" } })],
  ];
  for (const [what, request] of table) {
    const r = await request();
    const body = await r.json();
    assert.equal(r.status, 503, `${what}: ${JSON.stringify(body)}`);
    assert.equal(body.code, "unavailable", what);
    assert.doesNotMatch(JSON.stringify(body), /slot|row|sql/i, `${what}: nothing internal`);
  }
  // The runtime's output reaches the log file a moment later.
  await until("the error in the runtime's log", () => /unreadable slot row/.test(readFileSync(worker.log, "utf8")));
  assert.match(readFileSync(worker.log, "utf8"), /unreadable slot row: .*EOF/, "the log says what is wrong");
});
