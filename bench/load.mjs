// Load test of the lease endpoint against the real worker in workerd (wrangler dev) on 127.0.0.1:
// virtual visitors lease a number, send heartbeats, and release it, over and over, for a bounded
// time. Prints requests per second and p50/p99 latency per operation, and checks that no number was
// ever held by two sessions at once.
//
//   node bench/load.mjs [--seconds N] [--visitors N]      (DNI_BENCH_SHORT=1: 5 s)
//
// The double-booking check is sound: a visitor counts a number as held from when the grant arrived
// until it sent the release, a span inside the one the pool itself held it for, so any overlap of
// two visitors' spans on one number would be a real double booking.
import { startWorker, admin, VISITOR_UA } from "../tests/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg("seconds", process.env.DNI_BENCH_SHORT ? 5 : 20);
const visitors = arg("visitors", 32);
const HEARTBEATS = 3;

const worker = await startWorker({ name: "load", sites: ["tests/sites/load.json"] });
const latencies = { lease: [], heartbeat: [], release: [] };
const holds = []; // {number, session, from, to}
let errors = 0, originals = 0;

async function timed(kind, url, body) {
  const started = performance.now();
  const r = await fetch(url, {
    method: "POST",
    headers: { Origin: worker.base, "User-Agent": VISITOR_UA, "Content-Type": "text/plain" },
    body,
  });
  const text = await r.text();
  latencies[kind].push(performance.now() - started);
  if (r.status >= 500) errors++;
  return { status: r.status, text };
}

async function visitor(v, until) {
  for (let round = 0; Date.now() < until; round++) {
    const session = `load-${v}-${round}-${Math.random().toString(36).slice(2, 12)}`.padEnd(20, "x");
    const body = JSON.stringify({ session, targets: ["+16465550100"], page: { url: `${worker.base}/`, referrer: "" } });
    const r = await timed("lease", `${worker.base}/v1/sites/load/leases`, body);
    if (r.status != 200) continue;
    const n = JSON.parse(r.text).numbers[0];
    if (n.kind != "pool") { originals++; continue; }
    const hold = { number: n.number, session, from: performance.now(), to: null };
    for (let i = 0; i < HEARTBEATS; i++) await timed("heartbeat", `${worker.base}/v1/sites/load/leases/${n.lease}/heartbeat`, "");
    hold.to = performance.now();
    holds.push(hold);
    await timed("release", `${worker.base}/v1/sites/load/leases/${n.lease}/release`, "");
  }
}

const started = performance.now();
const until = Date.now() + seconds * 1000;
await Promise.all(Array.from({ length: visitors }, (_, v) => visitor(v, until)));
const elapsed = (performance.now() - started) / 1000;

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
const total = Object.values(latencies).reduce((n, l) => n + l.length, 0);
console.log(`lease endpoint under load: ${visitors} visitors for ${elapsed.toFixed(1)} s, worker in workerd (wrangler dev) on 127.0.0.1`);
console.log(`${"operation".padEnd(10)}${"requests".padStart(10)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`);
for (const [kind, l] of Object.entries(latencies)) {
  console.log(`${kind.padEnd(10)}${String(l.length).padStart(10)}${(l.length / elapsed).toFixed(0).padStart(9)}${pct(l, 50).toFixed(1).padStart(9)}${pct(l, 99).toFixed(1).padStart(9)}`);
}
console.log(`${"all".padEnd(10)}${String(total).padStart(10)}${(total / elapsed).toFixed(0).padStart(9)}`);
const stats = (await admin(worker.base, "/v1/sites/load/pools/main")).json;
console.log(`leases granted ${stats.counters.granted}, released ${stats.counters.released}, exhausted (original number) ${stats.counters.exhausted}; 5xx answers ${errors}`);
console.log(`double bookings: ${overlaps} (numbers held by two sessions at once, over ${holds.length} holds of ${byNumber.size} numbers)`);
await worker.stop();
if (overlaps > 0 || errors > 0) process.exit(1);
