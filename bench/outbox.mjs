// The outbox in workerd (wrangler dev) on 127.0.0.1: calls end (Twilio's signed webhooks), each
// queues three messages (to two owner webhook endpoints), and one capture server takes them.
//
// 1. Latency: calls end one after another; the time from sending the final status callback to the
//    receiver's request, p50 and p99.
// 2. Throughput: calls end while the receiver answers 503 with a `Retry-After` naming one instant,
//    so every message falls due at once; then the receiver takes them, and the drain rate is the
//    deliveries per second through the outbox (one site: one call log object).
// Both check that every message arrived exactly once.
//
//   node bench/outbox.mjs [--calls N]      (DNI_BENCH_SHORT=1: 40 calls; latency uses a third)
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startWorker, postTwilio, ADMIN_TOKEN, TWILIO_AUTH_TOKEN, ROOT } from "../tests/harness.mjs";
import { Capture } from "../tests/capture.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const calls = arg("calls", process.env.DNI_BENCH_SHORT ? 40 : 300);
const latencyCalls = Math.max(10, Math.round(calls / 3));
const PER_CALL = 3;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let holdUntil = 0; // while now < holdUntil the receiver answers 503 with Retry-After: holdUntil
const receiver = await new Capture("receiver", () => [], () =>
  Date.now() < holdUntil
    ? { status: 503, body: "busy", headers: { "Retry-After": new Date(holdUntil).toUTCString() } }
    : { status: 204, body: "" },
).start();
const site = JSON.parse(readFileSync(join(ROOT, "bench/outbox-site.json"), "utf8"));
for (const w of site.integrations.webhooks) w.url = `${receiver.url}/${w.id}`;
mkdirSync(join(ROOT, "tests/.artifacts"), { recursive: true });
const siteFile = "tests/.artifacts/outbox-bench-site.json";
writeFileSync(join(ROOT, siteFile), JSON.stringify(site));
const worker = await startWorker({
  name: "outbox-bench",
  sites: [siteFile],
  secrets: { ADMIN_TOKEN, TWILIO_AUTH_TOKEN, WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
});

const ended = new Map(); // call id -> when its final status callback was sent
let failures = 0, serial = 0;
async function endCall() {
  const sid = `CAbench${String(serial++).padStart(6, "0")}`;
  const base = { CallSid: sid, From: "+13105550199", To: "+16465550111" };
  const voice = await postTwilio(`${worker.base}/v1/twilio/voice`, { ...base, CallStatus: "ringing" });
  const sent = Date.now();
  const status = await postTwilio(`${worker.base}/v1/twilio/status`, { ...base, CallStatus: "completed", CallDuration: "30" });
  if (voice.status !== 200 || status.status !== 204) failures++;
  ended.set(sid, sent);
}
const taken = () => receiver.requests.filter((r) => r.status === 204);
async function waitFor(n, timeout = 180_000) {
  const deadline = Date.now() + timeout;
  while (taken().length < n && Date.now() < deadline) await sleep(20);
  await sleep(1000); // anything sent twice arrives by now
}
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

// 1. Latency.
const t0 = Date.now();
for (let i = 0; i < latencyCalls; i++) await endCall();
const perCall = (Date.now() - t0) / latencyCalls; // ms to end one call, one at a time
await waitFor(latencyCalls * PER_CALL);
const latencies = taken().map((r) => r.at - ended.get(r.body.match(/CAbench\d{6}/)[0])).sort((a, b) => a - b);

// 2. Throughput.
const before = taken().length;
// A whole second: Retry-After (an HTTP date) has no finer resolution.
// Long enough for every call to end first (on 2 cores, 8 at once are no faster than one at a time).
holdUntil = Math.ceil((Date.now() + 5000 + calls * perCall * 1.2) / 1000) * 1000;
let next = 0;
await Promise.all(Array.from({ length: 8 }, async () => { while (next++ < calls) await endCall(); }));
if (Date.now() >= holdUntil) console.log("warning: the calls took longer than the hold; the drain figure is low");
await waitFor(before + calls * PER_CALL, holdUntil - Date.now() + 180_000);
const drained = taken().slice(before);
const drainSeconds = (Math.max(...drained.map((r) => r.at)) - holdUntil) / 1000;

const counts = new Map();
for (const r of taken()) counts.set(r.headers["webhook-id"], (counts.get(r.headers["webhook-id"]) ?? 0) + 1);
const twice = [...counts.values()].filter((n) => n > 1).length;
const expected = (latencyCalls + calls) * PER_CALL;
console.log(`outbox in workerd (wrangler dev), ${PER_CALL} webhook messages a call, one site`);
console.log(`latency: ${latencyCalls} calls one after another; final status callback -> receiver's request: p50 ${pct(latencies, 0.5)} ms, p99 ${pct(latencies, 0.99)} ms`);
console.log(`throughput: ${drained.length} messages falling due at once drained in ${drainSeconds.toFixed(2)} s: ${(drained.length / drainSeconds).toFixed(0)} deliveries/s`);
console.log(`delivered ${taken().length} of ${expected}; received twice: ${twice}; webhook failures: ${failures}`);
await worker.stop();
await receiver.stop();
if (taken().length !== expected || twice || failures) process.exit(1);
