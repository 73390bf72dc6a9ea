// How early the visitor sees the tracking number: headless Chromium with emulated network latency
// (Chrome DevTools' Network.emulateNetworkConditions, added to every request that goes to the
// network), a page with one number and the tag, served by the worker in workerd. For each latency,
// a new visitor (empty cache and storage) and a returning one (the same browser profile, a page
// view later, its lease live; and the same back from a new ad click): the time from DOMContentLoaded and from the loader's start (its
// `dni:start` mark) to the first swap (a MutationObserver the page installs before anything else
// sees the number change), and the requests' waterfall.
//
//   node bench/first-swap.mjs      (DNI_BENCH_SHORT=1: 1 run per case instead of 5; DNI_BENCH_RUNS=n;
//                                   DNI_BENCH_LATENCIES=100: only the latencies listed, comma-separated)
//
// A page view whose number is not swapped within 20 s (the worker or the module did not answer in
// time: the page keeps its number) is counted apart, not timed.
import { startWorker, launchBrowser, newVisitor } from "../tests/harness.mjs";

const RUNS = +process.env.DNI_BENCH_RUNS || (process.env.DNI_BENCH_SHORT ? 1 : 5);
const LATENCIES = process.env.DNI_BENCH_LATENCIES ? process.env.DNI_BENCH_LATENCIES.split(",").map(Number) : [0, 50, 100, 150];
const PAGE = `<!doctype html><html lang="en" data-dni-wait><head><meta charset="utf-8"><link rel="icon" href="data:,">
<style>[data-dni-wait] [data-dni-hide] { visibility: hidden; }</style>
<script>
  // The first swap: when the number changes, before the next frame.
  new MutationObserver(function (records, observer) {
    var p = document.getElementById("phone");
    if (p && p.textContent != "(212) 555-0100") { window.__swap = performance.now(); observer.disconnect(); }
  }).observe(document, { subtree: true, childList: true, characterData: true });
  document.addEventListener("DOMContentLoaded", function () { window.__dcl = performance.now(); });
</script></head>
<body><h1>Plumbing</h1><p>Call <span id="phone" data-dni-hide>(212) 555-0100</span></p>
<p>${"Opening hours, services and prices. ".repeat(40)}</p>
<script src="/dni.js" data-site="bench" async></script></body></html>`;

const worker = await startWorker({ name: "first-swap-bench", sites: ["bench/sites/bench.json"], pages: { "first-swap.html": PAGE } });
const browser = await launchBrowser();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const short = (url) => new URL(url).pathname.replace(/^\/v1\/sites\/bench\//, "").replace(/dni_client_bg\.[0-9a-f]+\.wasm/, "module.wasm");

/** One page view: the times (ms) and the waterfall. */
async function view(page, query) {
  await page.goto(`${worker.base}/t/first-swap.html${query}`);
  const swapped = await page.waitForFunction(() => window.__swap !== undefined, null, { timeout: 20_000 }).then(() => true, () => false);
  if (!swapped) return null;
  await page.waitForTimeout(50);
  return page.evaluate(() => {
    const start = performance.getEntriesByName("dni:start")[0]?.startTime;
    const requests = performance.getEntriesByType("resource")
      .filter((e) => /dni|\/v1\//.test(e.name))
      .map((e) => ({ url: e.name, start: e.startTime, end: e.responseEnd, cached: e.transferSize === 0 }));
    return { dcl: window.__dcl, start, swap: window.__swap, requests };
  });
}

const rows = [];
try {
  for (const latency of LATENCIES) {
    for (const kind of ["new", "returning", "new click"]) {
      const fromDcl = [], fromStart = [];
      let missed = 0;
      let waterfall;
      for (let run = 0; run < RUNS; run++) {
        const { page, context } = await newVisitor(browser);
        const cdp = await context.newCDPSession(page);
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", { offline: false, latency, downloadThroughput: -1, uploadThroughput: -1 });
        // A returning visitor: the same profile a page view later, its lease live; "new click":
        // the same, back from another ad click.
        const warm = kind != "new" ? await view(page, "?utm_source=google&utm_medium=cpc") : true;
        const query = { new: "?utm_source=google&utm_medium=cpc", returning: "", "new click": "?utm_source=bing&utm_medium=cpc&msclkid=BENCH" }[kind];
        const v = warm && (await view(page, query));
        await context.close();
        if (!v) { missed++; continue; }
        fromDcl.push(v.swap - v.dcl);
        fromStart.push(v.swap - v.start);
        waterfall = v;
      }
      rows.push({ latency, kind, fromDcl: median(fromDcl), fromStart: median(fromStart), waterfall, missed });
    }
  }
} finally {
  await browser.close();
  await worker.stop();
}

console.log(`first swap in headless Chromium, emulated latency per request, median of ${RUNS} run(s)`);
console.log(`latency  visitor     from DOMContentLoaded  from the loader's start  requests after the loader (start-end ms, from the loader's start)`);
for (const r of rows) {
  const w = r.waterfall;
  if (!w) { console.log(`${String(r.latency).padStart(4)} ms  ${r.kind.padEnd(10)}  no swap in ${r.missed} run(s)`); continue; }
  const after = w.requests.filter((q) => !q.url.endsWith("/dni.js"))
    .map((q) => `${short(q.url)} ${(q.start - w.start).toFixed(0)}-${(q.end - w.start).toFixed(0)}${q.cached ? " (cache)" : ""}`);
  console.log(`${String(r.latency).padStart(4)} ms  ${r.kind.padEnd(10)}  ${r.fromDcl.toFixed(0).padStart(14)} ms  ${r.fromStart.toFixed(0).padStart(18)} ms     ${after.join(", ") || "none"}${r.missed ? `; ${r.missed} run(s) without a swap` : ""}`);
}
