// Pool-drain protection in workerd: one address asking for new leases 50 times a second while 20
// ordinary visitors arrive from other addresses. The visitors still get pool numbers; the attacker
// holds no more than its address's limit and gets the site's source-level number for the rest;
// the pool's figures count every refusal. Then: a second address of the attacker's network, and
// the server-side bot signals (user agent, fetch metadata); the limits after a kill of the runtime
// (the ledger is stored with the pool); and a pool split over two shards, where each shard
// enforces its share of a client's limits.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { startWorker, admin, visitorHeaders, clockSkew, VISITOR_UA, ROOT, ADMIN_TOKEN } from "./harness.mjs";

let worker;
before(async () => {
  worker = await startWorker({ name: "drain", sites: ["tests/sites/drain.json", "tests/sites/drain-sharded.json"] });
});
after(async () => worker?.stop());

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
/**
 * A client key as the ledger keeps it, computed here with Node's own HMAC: `k1:` and the first 16
 * bytes of HMAC-SHA256 under the key derived from the worker's secret (this worker has no
 * `CALLBACK_SECRET`, so its `ADMIN_TOKEN`), as docs/privacy.md says.
 */
const ledgerKey = createHmac("sha256", ADMIN_TOKEN).update("dni pool-drain ledger v1").digest();
const keyed = (clear) => "k1:" + createHmac("sha256", ledgerKey).update(clear).digest("hex").slice(0, 32);
const TARGET = "+17185550100";
const STATIC = "+17185550199";
const PER_ADDRESS = 3; // tests/sites/drain.json
const ATTACKER = "203.0.113.66";
// tests/sites/drain-sharded.json: 4 per address, 6 per network, over 2 shards.
const SHARDED = { site: "drain-sharded", target: "+13125550100" };
const SHARDED_PER_ADDRESS = 4;

const drainRows = () =>
  execFileSync("python3", [join(ROOT, "tests", "read-state.py"), worker.state], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((r) => r.store === "pool" && r.table === "drain");

/** Python: in every SQLite file under argv[1], the drain rows' keys argv[2] -> argv[3], argv[4] -> argv[5]. */
const REWRITE_DRAIN = `
import os, sqlite3, sys
root, a_from, a_to, n_from, n_to = sys.argv[1:6]
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith(".sqlite"):
            db = sqlite3.connect(os.path.join(d, f))
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'drain'").fetchone():
                db.execute("UPDATE drain SET address = ?, network = ? WHERE address = ? AND network = ?", (a_to, n_to, a_from, n_from))
                db.commit()
            db.close()
`;

let sessions = 0;
const freshSession = (who) => `${who}-${++sessions}-${Math.random().toString(36).slice(2, 10)}`.padEnd(24, "x");

// Under a storm on 2 shared cores, wrangler's local proxy sometimes drops a POST whose answer the
// pool object is slow to give, with this 503 (never our worker's: its 503s are JSON). Such a request
// is sent again, counted apart and printed; any other 5xx fails the test.
const PROXY_RESTART = /^Your worker restarted mid-request/;
let proxyRetries = 0;

async function lease(headers, session = freshSession("s"), { site = "drain", target = TARGET } = {}) {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(`${worker.base}/v1/sites/${site}/leases`, {
      method: "POST",
      headers: { Origin: worker.base, ...headers, "Content-Type": "text/plain" },
      body: JSON.stringify({ session, targets: [target], page: { url: `${worker.base}/`, referrer: "" } }),
    });
    const text = await r.text();
    if (r.status === 503 && PROXY_RESTART.test(text) && attempt < 3) {
      proxyRetries++;
      continue;
    }
    return { status: r.status, session, number: r.status === 200 ? JSON.parse(text).numbers[0] : text };
  }
}

const stats = async () => (await admin(worker.base, "/v1/sites/drain/pools/main")).json;

test("one address asking 50 times a second holds at most its limit; 20 visitors from other addresses all get pool numbers", async () => {
  // The worker and the pool object started (the first request to an object loads it).
  assert.equal((await lease(visitorHeaders())).number.kind, "pool");
  const before = await stats();
  // The attacker sends what a browser sends (so only the limits can stop it), from one address,
  // with a fresh session each time: 50 requests a second for 4 seconds, without waiting.
  const attack = [];
  for (let i = 0; i < 200; i++) {
    attack.push(lease(visitorHeaders(ATTACKER), freshSession("attacker")));
    await sleep(20);
    // Meanwhile, a visitor every 200 ms, each from an address (and network) of its own.
    if (i % 10 === 5) attack.push(lease(visitorHeaders()).then((r) => ({ ...r, visitor: true })));
  }
  const answers = await Promise.all(attack);
  const visitors = answers.filter((a) => a.visitor);
  const attacker = answers.filter((a) => !a.visitor);
  assert.equal(visitors.length, 20);
  assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => a.status), [], "every answer is a 200");

  const held = attacker.filter((a) => a.number.kind === "pool");
  const limited = attacker.filter((a) => a.number.kind !== "pool");
  const served = visitors.filter((a) => a.number.kind === "pool");
  const after = await stats();
  console.log(
    `drain: attacker (one address, 50 requests/s for 4 s) holds ${new Set(held.map((a) => a.number.number)).size} numbers ` +
      `(limit ${PER_ADDRESS}); requests limited ${limited.length} of ${attacker.length}; ` +
      `visitors served ${served.length} of ${visitors.length}; pool figures: limited ${after.limited - before.limited}, ` +
      `granted ${after.counters.granted - before.counters.granted}, leased now ${after.leased} of ${after.size}; ` +
      `requests the local proxy dropped and were sent again ${proxyRetries}`,
  );
  assert.ok(held.length <= PER_ADDRESS, `the attacker holds ${held.length} numbers`);
  assert.equal(held.length, PER_ADDRESS, "the attacker got its few, like anyone");
  assert.equal(served.length, 20, "every visitor got a pool number");
  assert.equal(new Set([...held, ...served].map((a) => a.number.number)).size, held.length + served.length, "no number twice");
  // The pool's own view: no lease was granted that the answers do not show.
  assert.equal(after.counters.granted - before.counters.granted, held.length + served.length, "granted: the attacker's few and the visitors'");
  // Over the limit: the site's source-level number for the visit's channel (Direct), no error.
  assert.ok(limited.every((a) => a.number.kind === "static" && a.number.number === STATIC), "limited requests get the static number");
  assert.equal(after.limited - before.limited, limited.length, "every limited request is counted in the pool's figures");
  assert.equal(after.refused.address - before.refused.address, limited.length, "by the per-address limit");

  // Renewing its own lease is never limited: an attacker's session asks again and keeps its number;
  // a heartbeat goes through.
  const own = held[0];
  const again = await lease(visitorHeaders(ATTACKER), own.session);
  assert.equal(again.number.kind, "pool");
  assert.equal(again.number.number, own.number.number);
  const beat = await fetch(`${worker.base}/v1/sites/drain/leases/${own.number.lease}/heartbeat`, {
    method: "POST",
    headers: { Origin: worker.base },
  });
  assert.equal(beat.status, 200);
  // Releasing does not free the address's share: a released number still counts within the window.
  const gone = await fetch(`${worker.base}/v1/sites/drain/leases/${own.number.lease}/release`, {
    method: "POST",
    headers: { Origin: worker.base },
  });
  assert.equal(gone.status, 204);
  assert.equal((await lease(visitorHeaders(ATTACKER))).number.kind, "static", "a release does not let the attacker take another");
});

test("a network shares one limit: a second address of the attacker's /24 gets what the network has left", async () => {
  // The attacker's address took 3 of its network's 5.
  const neighbour = visitorHeaders("203.0.113.67");
  const kinds = [];
  for (let i = 0; i < 4; i++) kinds.push((await lease(neighbour)).number.kind);
  assert.deepEqual(kinds, ["pool", "pool", "static", "static"]);
  const s = await stats();
  assert.ok(s.refused.network >= 2, `refused by the network limit: ${s.refused.network}`);
});

test("automated clients take no pool number, and are counted", async () => {
  const before = await stats();
  const fresh = () => visitorHeaders();
  // (what, headers, kind expected)
  const table = [
    ["a browser's request", fresh(), "pool"],
    ["curl", { ...fresh(), "User-Agent": "curl/8.5.0" }, "static"],
    ["a crawler", { ...fresh(), "User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" }, "static"],
    ["no user agent", { ...fresh(), "User-Agent": "" }, "static"],
    ["claims Chrome, sends no fetch metadata", { "User-Agent": VISITOR_UA, "CF-Connecting-IP": "10.250.1.7" }, "static"],
    ["a user agent that claims no browser, no fetch metadata", { "User-Agent": "SomeApp/1.0", "CF-Connecting-IP": "10.250.2.7" }, "pool"],
  ];
  let refused = 0;
  for (const [what, headers, kind] of table) {
    const r = await lease(headers);
    assert.equal(r.status, 200, what);
    assert.equal(r.number.kind, kind, what);
    if (kind !== "pool") refused++;
  }
  const after = await stats();
  assert.equal(after.refused.automated - before.refused.automated, refused, "every automated request is counted");
  assert.equal(after.limited - before.limited, refused);
});

test("the refusal counts survive a restart of the runtime: a versioned row in the pool object's storage", async () => {
  const before = await stats();
  assert.ok(before.limited > 0 && before.refused.address > 0, "the tests above were refused");
  await worker.restart();
  const after = await stats();
  assert.deepEqual([after.limited, after.refused], [before.limited, before.refused], "the same figures after the restart");
  const rows = execFileSync("python3", [join(ROOT, "tests", "read-state.py"), worker.state], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((r) => r.store === "pool" && r.table === "meta" && r.row.key === "refusals");
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].row.value, { ...before.refused, v: 1 }, "stored with its version tag");
});

test("the limits survive a kill of the runtime: an address that took its few takes none after the restart", async () => {
  // On the split pool (the first pool is nearly all leased by now), so that both shards' ledgers
  // must come back: an attacker from a network of its own takes its address's few with fresh
  // sessions...
  const attacker = visitorHeaders("198.51.100.23");
  const taken = [];
  for (let i = 0; i < SHARDED_PER_ADDRESS + 2; i++) taken.push(await lease(attacker, freshSession("restart"), SHARDED));
  const held = taken.filter((a) => a.number.kind === "pool");
  assert.equal(held.length, SHARDED_PER_ADDRESS, "the attacker got its few before the restart");
  // ...and releases one: a released number still counts within the window, which only the stored
  // ledger remembers once the runtime is gone.
  const gone = await fetch(`${worker.base}/v1/sites/${SHARDED.site}/leases/${held[0].number.lease}/release`, {
    method: "POST",
    headers: { Origin: worker.base },
  });
  assert.equal(gone.status, 204);
  await worker.restart({ kill: true });
  const again = [];
  for (let i = 0; i < 6; i++) again.push(await lease(attacker, freshSession("restart"), SHARDED));
  const more = again.filter((a) => a.number.kind === "pool");
  console.log(
    `drain after kill -9: the attacker held ${held.length} before the restart (limit ${SHARDED_PER_ADDRESS}, 2 shards), took ${more.length} more of ${again.length} asked after it`,
  );
  assert.deepEqual(again.map((a) => [a.status, a.number.kind]), again.map(() => [200, "static"]), "no new number after the restart");
  // A visitor from elsewhere is served as before.
  assert.equal((await lease(visitorHeaders(), freshSession("v"), SHARDED)).number.kind, "pool");
  // What the limits need is stored with the pool: one row per new lease, the client's keys,
  // keyed: no row holds the address.
  const rows = drainRows().filter((r) => r.row.address === keyed("198.51.100.23"));
  assert.equal(rows.length, SHARDED_PER_ADDRESS);
  assert.deepEqual(new Set(rows.map((r) => r.row.network)), new Set([keyed("198.51.100.0/24")]));
  assert.ok(rows.every((r) => r.row.until === r.row.started + 60_000), "kept for the window (the longest rule: 60 s)");
  assert.deepEqual(drainRows().filter((r) => !r.row.address.startsWith("k1:") || !r.row.network.startsWith("k1:")), [], "no address in clear");
});

test("ledger rows an earlier release kept in clear are hashed when the pool loads them, and still count", async () => {
  // The attacker's rows as the release before keyed hashes wrote them: the address in clear.
  await worker.restart({
    whileStopped: (state) =>
      execFileSync("python3", ["-c", REWRITE_DRAIN, state, keyed("198.51.100.23"), "198.51.100.23", keyed("198.51.100.0/24"), "198.51.100.0/24"]),
  });
  assert.equal(drainRows().filter((r) => r.row.address === "198.51.100.23").length, SHARDED_PER_ADDRESS, "rows in clear before the load");
  const again = [];
  for (let i = 0; i < 4; i++) again.push(await lease(visitorHeaders("198.51.100.23"), freshSession("clear"), SHARDED));
  assert.deepEqual(again.map((a) => a.number.kind), again.map(() => "static"), "the clear rows still count against the address");
  const rows = drainRows();
  assert.equal(rows.filter((r) => r.row.address === keyed("198.51.100.23")).length, SHARDED_PER_ADDRESS, "hashed in place");
  assert.deepEqual(rows.filter((r) => JSON.stringify(r.row).includes("198.51.100")), [], "no address in clear after the load");
});

test("a pool split over two shards: one address holds at most its limit over both, not twice it", async () => {
  // tests/sites/drain-sharded.json: 4 per address, 6 per network, 2 shards: each shard allows an
  // address ceil(4 / 2) = 2 and a network ceil(6 / 2) = 3.
  // (what, addresses asking in turn, requests, numbers held at most over both shards)
  const table = [
    ["one address", ["192.0.2.10"], 30, 4],
    ["three addresses of one /24", ["198.18.7.20", "198.18.7.21", "198.18.7.22"], 30, 6],
  ];
  const stats = async () => (await admin(worker.base, "/v1/sites/drain-sharded/pools/main")).json;
  for (const [what, addresses, requests, most] of table) {
    const before = await stats();
    const answers = [];
    for (let i = 0; i < requests; i++) answers.push(await lease(visitorHeaders(addresses[i % addresses.length]), freshSession("sharded"), SHARDED));
    assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => a.status), [], what);
    const held = answers.filter((a) => a.number.kind === "pool");
    const limited = answers.filter((a) => a.number.kind !== "pool");
    const after = await stats();
    console.log(`drain, 2 shards, ${what}: holds ${held.length} numbers (limit ${most}) of ${requests} asked; limited ${limited.length}, counted ${after.limited - before.limited}`);
    // Sessions land on both shards, and a shard that refused lets the other answer: the whole
    // limit, no more.
    assert.equal(held.length, most, what);
    assert.equal(new Set(held.map((a) => a.number.number)).size, most, what);
    assert.ok(held.every((a) => /\.[01]\./.test(a.number.lease)), what);
    assert.ok(limited.every((a) => a.number.kind === "static"), what);
    // A request refused by both shards is counted once.
    assert.equal(after.limited - before.limited, limited.length, what);
  }
  // Visitors of their own are served.
  for (let i = 0; i < 3; i++) assert.equal((await lease(visitorHeaders(), freshSession("v"), SHARDED)).number.kind, "pool");
});

test("the ledger keeps a client's address no longer than it counts: past the window and the lease, the pool deletes it", async () => {
  const before = drainRows();
  assert.ok(before.some((r) => r.row.address === keyed("198.51.100.23")), "the attacker's rows are there");
  // Two hours later every lease has ended (idle timeout 2 minutes, hold at most an hour) and every
  // window (a minute) has passed: a pool object deletes such rows in the write of its next new
  // lease (and in its alarm). One new lease in each pool object: the first site's, and both shards.
  await worker.restart({ vars: clockSkew(2 * 3600_000) });
  const taken = [await lease(visitorHeaders())];
  for (let i = 0; i < 20 && new Set(taken.slice(1).map((a) => a.number.lease.split(".")[1])).size < 2; i++) {
    taken.push(await lease(visitorHeaders(), freshSession("v"), SHARDED));
  }
  assert.ok(taken.every((a) => a.number.kind === "pool"));
  const after = drainRows();
  assert.equal(after.filter((r) => r.row.address === keyed("198.51.100.23")).length, 0, "the attacker's rows are gone");
  assert.deepEqual(
    after.map((r) => r.row.lease).sort(),
    taken.map((a) => a.number.lease).sort(),
    "only the new leases' rows",
  );
  console.log(`drain ledger 2 hours later: ${before.length} rows before, ${after.length} after (the ${taken.length} new leases)`);
});
