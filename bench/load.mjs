// Load test of the lease endpoint against the real worker in workerd (wrangler dev) on 127.0.0.1,
// next to a static asset of the same worker, in the same run, at the same concurrency: virtual
// visitors lease a number, send heartbeats, and release it, over and over; before and after that,
// the same number of visitors fetch the static assets a page with the tag loads from the worker (the
// page itself, `/`, and the loader, `/dni.js`) over and over. Each answers 200 itself: a redirect
// (`/index.html` is a 307 to `/`) would be two requests counted as one, and fails the run. Prints requests per
// second and p50/p99 latency per operation, each operation's cost in static assets (throughput
// ratio and p99 ratio), and checks that no number was ever held by two sessions at once.
//
//   node bench/load.mjs [--seconds N] [--visitors N] [--heartbeats N]      (DNI_BENCH_SHORT=1: 5 s)
//
// Throughput per operation: at a fixed number of visitors, each always waiting for one answer, an
// operation's rate if the visitors did nothing else is visitors / its mean latency (Little's law);
// the static asset's is measured the same way, so the ratio says how many static assets one
// operation costs. The static phases bracket the lease phase (half before, half after), so that a
// change in what else the shared machine does weighs on both sides alike.
//
// The double-booking check is sound: a visitor counts a number as held from when the grant arrived
// until it sent the release, a span inside the one the pool itself held it for, so any overlap of
// two visitors' spans on one number would be a real double booking.
import { startWorker, admin, visitorHeaders } from "../tests/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg("seconds", process.env.DNI_BENCH_SHORT ? 5 : 20);
const visitors = arg("visitors", 32);
// Heartbeats per lease (`--heartbeats 0`: a lease and its release only, the object's fewest turns).
const HEARTBEATS = arg("heartbeats", 3);
// The static assets, alternately: each a 200 with no redirect.
const STATIC = ["/", "/dni.js"];
// The one 503 that is not the worker's (its own 503s are JSON): wrangler's local
// proxy, rarely, under sustained load. Counted apart; any other 5xx fails the run.
const PROXY_RESTART = /^Your worker restarted mid-request/;

const worker = await startWorker({ name: "load", sites: ["tests/sites/load.json"] });
const latencies = { static: [], lease: [], heartbeat: [], release: [] };
const perAsset = Object.fromEntries(STATIC.map((path) => [path, []]));
const holds = []; // {number, session, from, to}
let errors = 0, proxyDrops = 0, originals = 0;

async function timed(kind, url, init) {
  const started = performance.now();
  const r = await fetch(url, { ...init, redirect: "manual" });
  const text = await r.text();
  const ms = performance.now() - started;
  if (r.status >= 500) {
    if (r.status === 503 && PROXY_RESTART.test(text)) proxyDrops++;
    else errors++;
  } else if (kind === "static" && r.status !== 200) {
    throw new Error(`${url} answered ${r.status}: a static asset must be one request`);
  } else {
    latencies[kind].push(ms);
  }
  return { status: r.status, text, ms };
}

const post = (headers, body) => ({ method: "POST", headers: { Origin: worker.base, ...headers, "Content-Type": "text/plain" }, body });

async function visitor(v, until) {
  const headers = visitorHeaders();
  for (let round = 0; Date.now() < until; round++) {
    const session = `load-${v}-${round}-${Math.random().toString(36).slice(2, 12)}`.padEnd(20, "x");
    const body = JSON.stringify({ session, targets: ["+16465550100"], page: { url: `${worker.base}/`, referrer: "" } });
    const r = await timed("lease", `${worker.base}/v1/sites/load/leases`, post(headers, body));
    if (r.status != 200) continue;
    const n = JSON.parse(r.text).numbers[0];
    if (n.kind != "pool") { originals++; continue; }
    const hold = { number: n.number, session, from: performance.now(), to: null };
    for (let i = 0; i < HEARTBEATS; i++) await timed("heartbeat", `${worker.base}/v1/sites/load/leases/${n.lease}/heartbeat`, post(headers, ""));
    hold.to = performance.now();
    holds.push(hold);
    await timed("release", `${worker.base}/v1/sites/load/leases/${n.lease}/release`, post(headers, ""));
  }
}

async function reader(v, until) {
  for (let i = v; Date.now() < until; i++) {
    const path = STATIC[i % STATIC.length];
    const r = await timed("static", worker.base + path, { headers: visitorHeaders() });
    if (r.status === 200) perAsset[path].push(r.ms);
  }
}

async function phase(seconds, run) {
  const started = performance.now();
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: visitors }, (_, v) => run(v, until)));
  return (performance.now() - started) / 1000;
}

// Warm up (the first requests compile the worker and open the pool object), then measure.
await phase(1, (v, until) => (v % 2 ? reader(v, until) : visitor(v, until)));
for (const l of [...Object.values(latencies), ...Object.values(perAsset)]) l.length = 0;
holds.length = 0;
errors = 0, proxyDrops = 0, originals = 0;
const elapsed = { static: 0, leases: 0 };
elapsed.static += await phase(seconds / 2, reader);
elapsed.leases += await phase(seconds, visitor);
elapsed.static += await phase(seconds / 2, reader);

// Double booking: two sessions' holds of one number overlapping in time.
let overlaps = 0;
const byNumber = new Map();
for (const h of holds) byNumber.set(h.number, [...(byNumber.get(h.number) ?? []), h]);
for (const list of byNumber.values()) {
  list.sort((a, b) => a.from - b.from);
  for (let i = 1; i < list.length; i++) if (list[i].from < list[i - 1].to && list[i].session != list[i - 1].session) overlaps++;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rate = (l) => (1000 * visitors) / mean(l); // Little's law: see the top of the file
const base = { rate: rate(latencies.static), p99: pct(latencies.static, 99) };
const col = (s, w) => String(s).padStart(w);
console.log(
  `lease endpoint under load next to the static assets (${STATIC.join(" and ")}, alternately): ${visitors} visitors, ${elapsed.static.toFixed(1)} s static ` +
    `(half before, half after) and ${elapsed.leases.toFixed(1)} s leases, worker in workerd (wrangler dev) on 127.0.0.1`,
);
console.log(`${"operation".padEnd(10)}${col("requests", 10)}${col("req/s", 9)}${col("p50 ms", 9)}${col("p99 ms", 9)}${col("cost", 8)}${col("p99 ratio", 11)}`);
const rows = [...Object.entries(perAsset).map(([path, l]) => [` ${path}`, l]), ...Object.entries(latencies)].filter(([, l]) => l.length);
for (const [kind, l] of rows) {
  const r = rate(l), p99 = pct(l, 99);
  const cost = (base.rate / r).toFixed(2);
  const p99ratio = (p99 / base.p99).toFixed(2);
  console.log(`${kind.padEnd(10)}${col(l.length, 10)}${col(r.toFixed(0), 9)}${col(pct(l, 50).toFixed(1), 9)}${col(p99.toFixed(1), 9)}${col(cost, 8)}${col(p99ratio, 11)}`);
}
const leaseOps = latencies.lease.length + latencies.heartbeat.length + latencies.release.length;
console.log(
  `measured: static ${(latencies.static.length / elapsed.static).toFixed(0)} req/s, lease+heartbeat+release ` +
    `${(leaseOps / elapsed.leases).toFixed(0)} req/s; cost = static req/s / operation req/s (aim: at most 1.5 for each, and for the p99 ratio)`,
);
const stats = (await admin(worker.base, "/v1/sites/load/pools/main")).json;
console.log(
  `leases granted ${stats.counters.granted}, released ${stats.counters.released}, exhausted (original number) ${stats.counters.exhausted}, ` +
    `limited ${stats.limited ?? 0}; 5xx answers ${errors} (and ${proxyDrops} dropped by the local proxy)`,
);
console.log(`double bookings: ${overlaps} (numbers held by two sessions at once, over ${holds.length} holds of ${byNumber.size} numbers)`);
await worker.stop();
if (overlaps > 0 || errors > 0) process.exit(1);
