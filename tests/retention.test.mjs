// Per-site retention in workerd: rows older than the site's retention (2 days in
// tests/sites/retention.json) are deleted by the Durable Objects' alarms, younger rows stay.
// First without touching the clock (imported call history of every age), then with the test clock
// (`DNI_TEST_CLOCK_SKEW_MS`, set only by tests): the runtime restarts 3 days later on the same
// state, and a visit whose session still holds its number, a call with its outbox delivery, and
// the caller's "called before" are gone; a new visit and new calls stay.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { startWorker, postTwilio, admin, until, visitorHeaders, clockSkew, ROOT } from "./harness.mjs";

const DAY = 86_400_000;
const RETENTION = 2 * DAY; // tests/sites/retention.json
const TARGET = "+16465550100";
const CALLER = "+13125550100";

let worker;
before(async () => {
  worker = await startWorker({ name: "retention", sites: ["tests/sites/retention.json"] });
});
after(async () => worker?.stop());

/** What the objects' SQLite files hold now (read by tests/read-state.py, as the data map test does). */
function stored() {
  const rows = execFileSync("python3", [join(ROOT, "tests", "read-state.py"), worker.state], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const of = (store, table) => rows.filter((r) => r.store === store && r.table === table).map((r) => r.row);
  return {
    visits: of("pool", "visits").map((v) => v.session).sort(),
    calls: of("calls", "calls").map((c) => c.call_sid).sort(),
    deliveries: [...new Set(of("calls", "deliveries").map((d) => d.call_sid))].sort(),
    firstTime: Object.fromEntries(of("calls", "calls").map((c) => [c.call_sid, c.record.first_time])),
    retention: of("calls", "retention").concat(of("pool", "retention")).map((r) => r.row),
  };
}

/** Waits until `done(stored())` holds (the alarm runs in the background); returns that state. */
const storedWhen = (what, done) =>
  until(what, () => {
    const s = stored();
    return done(s) && s;
  }, { timeout: 20_000, every: 250 });

async function lease(session) {
  const r = await fetch(`${worker.base}/v1/sites/retention/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({ session, targets: [TARGET], page: { url: `${worker.base}/?utm_source=news&utm_medium=email`, referrer: "" } }),
  });
  assert.equal(r.status, 200);
  const [number] = (await r.json()).numbers;
  assert.equal(number.kind, "pool");
  return number.number;
}

async function call(sid, to) {
  const voice = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: sid, AccountSid: "AC1", From: CALLER, To: to, CallStatus: "ringing", Direction: "inbound" });
  assert.equal(voice.status, 200, voice.body);
  const status = await postTwilio(`${worker.base}/v1/twilio/status`, { CallSid: sid, From: CALLER, To: to, CallStatus: "completed", CallDuration: "42" });
  assert.equal(status.status, 204);
}

const importCalls = async (records) => {
  const r = await admin(worker.base, "/v1/sites/retention/calls/import", { method: "POST", body: JSON.stringify(records) });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.imported;
};

test("imported history: the call log's alarm deletes the calls older than the retention, the younger stay", async () => {
  const end = Date.now() - 60_000;
  const history = JSON.parse(
    execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "history", "tests/sites/retention.json", "--calls", "40", "--days", "4", "--end", String(end)], { cwd: ROOT }),
  );
  assert.equal(await importCalls(history), 40);
  // A call is due when it is the retention old; a minute either side of the line is not asserted
  // (the alarm runs a moment after the import).
  const line = Date.now() - RETENTION;
  const old = history.filter((c) => c.started_at < line - 60_000).map((c) => c.call_sid).sort();
  const young = history.filter((c) => c.started_at > line + 60_000).map((c) => c.call_sid).sort();
  assert.ok(old.length >= 5 && young.length >= 5, `calls of both ages: ${old.length} old, ${young.length} young`);
  const s = await storedWhen("the old calls deleted", (s) => old.every((sid) => !s.calls.includes(sid)));
  assert.deepEqual(young.filter((sid) => !s.calls.includes(sid)), [], "every younger call stays");
  assert.deepEqual(s.retention, [{ days: 2, v: 1 }], "the call log keeps the site's period");
  console.log(`retention (imported history, 4 days, kept 2): ${old.length} older calls deleted by the alarm, ${young.length} younger kept, ${s.calls.length} calls left`);
});

test("3 days later (the test clock): the old visit, call, delivery and the caller's history are gone; new ones stay", async () => {
  const oldSession = "retention-old-session-0001";
  const first = await lease(oldSession);
  await call("CAretention0old", first);
  let s = stored();
  assert.ok(s.visits.includes(oldSession), "the visit is stored");
  assert.ok(s.calls.includes("CAretention0old") && s.deliveries.includes("CAretention0old"), "the call and its delivery are stored");
  assert.equal(s.firstTime.CAretention0old, true);

  await worker.restart({ vars: clockSkew(3 * DAY) });
  // A new visitor: the pool object loads, finds its oldest visit past the retention and sets its
  // alarm, which deletes it, although its session's lease (10 days idle) is still live.
  const youngSession = "retention-new-session-0002";
  const second = await lease(youngSession);
  assert.notEqual(second, first, "the old session still holds its number");
  // The call log learns of the period with any request that carries it (here an empty import).
  assert.equal(await importCalls([]), 0);
  s = await storedWhen("the old rows deleted", (s) => !s.visits.includes(oldSession) && s.calls.length === 0 && s.deliveries.length === 0);
  assert.deepEqual(s.visits, [youngSession], "the new visit stays");
  const pool = (await admin(worker.base, "/v1/sites/retention/pools/main")).json;
  assert.equal(pool.leased, 2, "the leases themselves are the engine's: the old one lives on");

  // The caller's earlier call is gone: this call is a first-time caller's; the next one is not.
  await call("CAretention1new", second);
  await call("CAretention2new", second);
  s = stored();
  assert.deepEqual(s.calls, ["CAretention1new", "CAretention2new"]);
  assert.deepEqual(s.deliveries, ["CAretention1new", "CAretention2new"]);
  assert.deepEqual([s.firstTime.CAretention1new, s.firstTime.CAretention2new], [true, false]);
  // The call log's alarm, which deletes what is due before it sends, runs for the new deliveries
  // (their first attempt, to an address nothing answers) and leaves the new rows alone.
  for (const sid of ["CAretention1new", "CAretention2new"]) {
    await until(`the alarm's first attempt for ${sid}`, async () => {
      const ds = (await admin(worker.base, `/v1/sites/retention/calls/${sid}/deliveries`)).json.deliveries;
      return ds.length > 0 && ds.every((d) => d.attempts >= 1);
    });
  }
  s = stored();
  assert.deepEqual([s.visits, s.calls], [[youngSession], ["CAretention1new", "CAretention2new"]]);
  console.log("retention (test clock, 3 days later, kept 2): the old visit (its lease still live), call, delivery and caller history deleted; the new visit and 2 calls kept");
});
