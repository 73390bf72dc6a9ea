// The messaging webhook to its answer, against the real worker in workerd (wrangler dev) on
// 127.0.0.1, next to a static asset served by the same worker in the same run (`/`, the demo page:
// the platform's floor on this machine). Each webhook is a text signed by Twilio's own library to a
// pool number of a site that forwards texts: the full path (KV route and configuration, the pool
// asked whose text it is, the conversation kept in the call log's Durable Object, the rules, the
// TwiML `<Message>` forward). One sender in five texts again, joining its conversation.
//
//   node bench/texts.mjs [--requests N]      (DNI_BENCH_SHORT=1: 100)
//
// Requests are sequential and interleaved (asset, webhook, asset, ...), so both see the same machine.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startWorker, postTwilio, ROOT } from "../tests/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const requests = arg("requests", process.env.DNI_BENCH_SHORT ? 100 : 500);
const WARMUP = 20;

const demo = JSON.parse(readFileSync(join(ROOT, "sites/demo.json"), "utf8"));
const site = { ...demo, keep_text_bodies: true, targets: [{ ...demo.targets[0], texts: { forward: "+12125550188" } }] };
// Seeded before the worker starts (a configuration put later may wait out the isolate's cache).
mkdirSync(join(ROOT, "tests/.artifacts"), { recursive: true });
const siteFile = "tests/.artifacts/bench-texts-site.json";
writeFileSync(join(ROOT, siteFile), JSON.stringify(site));
const worker = await startWorker({ name: "bench-texts", sites: [siteFile] });
const asset = [], texts = [];
try {
  for (let i = 0; i < WARMUP + requests; i++) {
    let t = performance.now();
    const a = await fetch(`${worker.base}/`);
    await a.arrayBuffer();
    if (a.status !== 200) throw new Error(`asset answered ${a.status}`);
    if (i >= WARMUP) asset.push(performance.now() - t);

    const sender = i % 5 === 4 ? i - 1 : i;
    const params = {
      MessageSid: `SMbench${i}`, AccountSid: "ACbench", From: `+1310555${String(1000 + (sender % 9000)).padStart(4, "0")}`,
      To: `+121255501${String(1 + (i % 10)).padStart(2, "0")}`, Body: "Do you fix boilers on Saturdays?", NumMedia: "0",
    };
    t = performance.now();
    const r = await postTwilio(`${worker.base}/v1/twilio/sms`, params);
    if (r.status !== 200 || !r.body.includes("<Message")) throw new Error(`text ${i} answered ${r.status}: ${r.body}`);
    if (i >= WARMUP) texts.push(performance.now() - t);
  }
} finally {
  await worker.stop();
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const row = (name, xs) => `${name.padEnd(42)}${String(xs.length).padStart(9)}${pct(xs, 50).toFixed(1).padStart(9)}${pct(xs, 99).toFixed(1).padStart(9)}`;
console.log(`messaging webhook to TwiML vs a static asset, worker in workerd (wrangler dev) on 127.0.0.1, ${requests} each, sequential`);
console.log(`${"request".padEnd(42)}${"requests".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`);
console.log(row("static asset (/)", asset));
console.log(row("messaging webhook (pool, conversation, TwiML)", texts));
console.log(`ratio texts/asset: p50 ${(pct(texts, 50) / pct(asset, 50)).toFixed(2)}, p99 ${(pct(texts, 99) / pct(asset, 99)).toFixed(2)} (aim: p99 ratio under 1.5)`);
