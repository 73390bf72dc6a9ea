// The voice webhook to its markup answer, against the real worker in workerd (wrangler dev) on
// 127.0.0.1, next to a static asset served by the same worker in the same run (the platform's
// floor on this machine). Each webhook is a new call (a new CallSid), signed by Twilio's own
// library, to a number with routing rules in the site's time zone and a whisper: the full path
// (KV route and configuration, rules, the record written to the call log's Durable Object, TwiML).
//
//   node bench/voice.mjs [--requests N]      (DNI_BENCH_SHORT=1: 100)
//
// Requests are sequential and interleaved (asset, webhook, asset, ...), so both see the same machine.
// The assets are what a page with the tag loads from the worker, alternately: the page (`/`) and the
// loader (`/dni.js`), each a 200 by itself (never `/index.html`, a 307 to `/`: two requests).
import { startWorker, postTwilio } from "../tests/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const requests = arg("requests", process.env.DNI_BENCH_SHORT ? 100 : 500);
const WARMUP = 20;

const worker = await startWorker({ name: "bench-voice", sites: ["sites/example-calls.json"] });
const asset = [], voice = [];
try {
  for (let i = 0; i < WARMUP + requests; i++) {
    let t = performance.now();
    const path = i % 2 ? "/dni.js" : "/";
    const a = await fetch(`${worker.base}${path}`, { redirect: "manual" });
    await a.arrayBuffer();
    if (a.status !== 200) throw new Error(`${path} answered ${a.status}`);
    if (i >= WARMUP) asset.push(performance.now() - t);

    const params = { CallSid: `CAbench${i}`, From: `+1310555${String(1000 + (i % 9000)).padStart(4, "0")}`, To: "+12125550201", CallStatus: "ringing" };
    t = performance.now();
    const r = await postTwilio(`${worker.base}/v1/twilio/voice`, params);
    if (r.status !== 200 || !r.body.includes("<Response>")) throw new Error(`voice answered ${r.status}: ${r.body}`);
    if (i >= WARMUP) voice.push(performance.now() - t);
  }
} finally {
  await worker.stop();
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const row = (name, xs) => `${name.padEnd(34)}${String(xs.length).padStart(9)}${pct(xs, 50).toFixed(1).padStart(9)}${pct(xs, 99).toFixed(1).padStart(9)}`;
console.log(`voice webhook to TwiML vs a static asset, worker in workerd (wrangler dev) on 127.0.0.1, ${requests} each, sequential`);
console.log(`${"request".padEnd(34)}${"requests".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`);
console.log(row("static asset (/ and /dni.js)", asset));
console.log(row("voice webhook (rules, record, TwiML)", voice));
console.log(`ratio voice/asset: p50 ${(pct(voice, 50) / pct(asset, 50)).toFixed(2)}, p99 ${(pct(voice, 99) / pct(asset, 99)).toFixed(2)} (aim: p99 within 20 ms, ratio under 3)`);
