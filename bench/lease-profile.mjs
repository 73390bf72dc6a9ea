// Where a lease's time goes, against the real worker in workerd (wrangler dev) on 127.0.0.1: one
// visitor, sequential requests, each kind interleaved round by round so that all see the same
// machine. Each kind adds one layer to the one before it, so the differences of their medians are
// the map:
//
//   static /dni.js          the runtime and its local proxy, no worker code (the floor)
//   public configuration    + the worker's invocation: routing, the site's configuration read from
//                             KV (with the edge cache's TTL, as the hot paths read it), a JSON answer
//   pool figures            + a round trip to the pool's Durable Object and its turn, nothing written
//   heartbeat               + a write in the object (the lease's deadline, its slot row persisted)
//   lease                   + the request's validation and classification, the lease itself, the
//                             visit row, the pool-drain ledger's row, the alarm
//   release                 (a write in the object, the slot row persisted)
//
//   node bench/lease-profile.mjs [--rounds N]      (DNI_BENCH_SHORT=1: 30)
//
// Inside workerd the clock stands still between I/O (a Spectre mitigation), so the worker cannot
// time its own steps; SQLite writes in a Durable Object are synchronous, so the ledger's write is
// inside the lease's difference and not apart from the visit row's.
import { startWorker, admin, visitorHeaders } from "../tests/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg("rounds", process.env.DNI_BENCH_SHORT ? 30 : 300);
const WARMUP = 10;

const worker = await startWorker({ name: "bench-lease-profile", sites: ["tests/sites/load.json"] });
const kinds = ["static /dni.js", "public configuration", "pool figures", "heartbeat", "lease", "release"];
const times = Object.fromEntries(kinds.map((k) => [k, []]));
const headers = visitorHeaders();
const post = (body) => ({ method: "POST", headers: { Origin: worker.base, ...headers, "Content-Type": "text/plain" }, body, redirect: "manual" });

async function timed(kind, round, request, want) {
  const t = performance.now();
  const r = await request();
  const text = typeof r.text === "function" ? await r.text() : r.body;
  const ms = performance.now() - t;
  if (r.status !== want) throw new Error(`${kind} answered ${r.status}: ${text}`);
  if (round >= WARMUP) times[kind].push(ms);
  return text;
}

try {
  for (let round = 0; round < WARMUP + rounds; round++) {
    await timed("static /dni.js", round, () => fetch(`${worker.base}/dni.js`, { redirect: "manual" }), 200);
    await timed("public configuration", round, () => fetch(`${worker.base}/v1/sites/load/public`, { redirect: "manual" }), 200);
    await timed("pool figures", round, () => admin(worker.base, "/v1/sites/load/pools/main"), 200);
    const session = `profile-${round}-${Math.random().toString(36).slice(2, 12)}`.padEnd(20, "x");
    const body = JSON.stringify({ session, targets: ["+16465550100"], page: { url: `${worker.base}/?utm_source=news&utm_medium=email`, referrer: "" } });
    const leased = JSON.parse(await timed("lease", round, () => fetch(`${worker.base}/v1/sites/load/leases`, post(body)), 200)).numbers[0];
    if (leased.kind !== "pool") throw new Error(`no pool number: ${JSON.stringify(leased)}`);
    await timed("heartbeat", round, () => fetch(`${worker.base}/v1/sites/load/leases/${leased.lease}/heartbeat`, post("")), 200);
    await timed("release", round, () => fetch(`${worker.base}/v1/sites/load/leases/${leased.lease}/release`, post("")), 204);
  }
} finally {
  await worker.stop();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
console.log(`where a lease's time goes: ${rounds} rounds, one visitor, sequential, worker in workerd (wrangler dev) on 127.0.0.1`);
console.log(`${"request".padEnd(22)}${"p50 ms".padStart(8)}${"p90 ms".padStart(8)}${"p50 added".padStart(11)}  what it adds`);
const adds = {
  "static /dni.js": "the runtime and its proxy (floor)",
  "public configuration": "the worker's invocation, a KV read",
  "pool figures": "the pool object's round trip and turn",
  heartbeat: "a write in the object",
  lease: "validation, classification, the lease, visit and drain-ledger rows",
  release: "(beside the heartbeat: a write in the object)",
};
let before = 0;
for (const kind of kinds) {
  const m = median(times[kind]);
  const added = kind === "release" ? m - median(times["pool figures"]) : m - before;
  console.log(`${kind.padEnd(22)}${m.toFixed(1).padStart(8)}${p90(times[kind]).toFixed(1).padStart(8)}${added.toFixed(1).padStart(11)}  ${adds[kind]}`);
  if (kind !== "release") before = m;
}
