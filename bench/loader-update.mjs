// How long a new loader takes to reach a returning visitor, measured: www/_headers serves /dni.js
// `max-age=300, stale-while-revalidate=86400` and the module under its content-hashed name as
// immutable. One browser profile (a returning visitor, headless Chromium) views a page with the tag,
// served by the worker in workerd; right after its first view a new build ("B") goes out on the
// server: the same loader with its own marker, naming a new module (the same module with one custom
// section more, under its own hash, as scripts/build names it), written into the worker's copy of
// the assets, which wrangler dev serves at once. The visitor then views the page again: within the
// loader's max-age, just before it ends, just after it, and once more right after that. For each
// view: which loader ran (a marker each build's copy sets, `window.__loader`), whether /dni.js and
// the module went to the network (Chrome DevTools' Network domain, for the page's own requests and
// any it made after, such as a background revalidation; the page's resource timing; and the
// server's log of what it answered), whether the page asked the worker before its swap, and the time
// from the loader's start to the first swap (a MutationObserver the page installs first).
//
//   node bench/loader-update.mjs      (about 6 minutes: it waits past the real max-age)
//   DNI_BENCH_SHORT=1 node bench/loader-update.mjs   (about 90 s: max-age and stale-while-revalidate
//       shortened to 20 s and 30 s in the worker's copy of _headers, the same steps, and then a third
//       build, "C", and a view past the stale window, which the full run cannot wait for: a day)
//   DNI_BENCH_LATENCY=100 (with either): that latency added to every request of the visitor's tabs
//
// Each view opens a new tab in the same browser context (its cache and storage are the visitor's),
// waits for the swap, then stays until no request to /dni.js or the module is under way (at least
// 3 s: a background revalidation may start after the page's load), and closes the tab.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { startWorker, launchBrowser, newVisitor, until } from "../tests/harness.mjs";

const SHORT = !!process.env.DNI_BENCH_SHORT;
// Latency added to every request of the visitor's tabs (DevTools' Network.emulateNetworkConditions,
// as bench/first-swap.mjs does): DNI_BENCH_LATENCY=100. None by default.
const LATENCY = +process.env.DNI_BENCH_LATENCY || 0;
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script>
  new MutationObserver(function (records, observer) {
    var p = document.getElementById("phone");
    if (p && p.textContent != "(212) 555-0100") { window.__swap = performance.now(); observer.disconnect(); }
  }).observe(document, { subtree: true, childList: true, characterData: true });
</script></head>
<body><h1>Plumbing</h1><p>Call <span id="phone">(212) 555-0100</span></p>
<p>${"Opening hours, services and prices. ".repeat(40)}</p>
<script src="/dni.js" data-site="bench" async></script></body></html>`;

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const worker = await startWorker({ name: "loader-update-bench", sites: ["bench/sites/bench.json"], pages: { "loader-update.html": PAGE } });
const assets = worker.assets;
const loaderFile = join(assets, "dni.js");
const built = readFileSync(loaderFile, "utf8");
const moduleA = readdirSync(join(assets, "dni")).find((f) => /^dni_client_bg\.[0-9a-f]{16}\.wasm$/.test(f));
if (!moduleA || !built.includes(`dni/${moduleA}`)) throw new Error("the build's loader does not name its module: run scripts/build");

// The served max-age and stale-while-revalidate, from the assets' _headers (the short run shortens
// both in the worker's copy, so that it can also wait past the stale window).
const headersFile = join(assets, "_headers");
let headers = readFileSync(headersFile, "utf8");
if (SHORT) {
  headers = headers.replace("max-age=300, stale-while-revalidate=86400", "max-age=20, stale-while-revalidate=30");
  writeFileSync(headersFile, headers);
}
const [, maxAge, stale] = headers.match(/^\/dni\.js\n(?:  .*\n)*?  Cache-Control: public, max-age=(\d+), stale-while-revalidate=(\d+)$/m)?.map(Number) ?? [];
if (!maxAge) throw new Error("no max-age and stale-while-revalidate for /dni.js in www/_headers");

// Build A: the loader as built, marked. Builds B and C: a new module each (A's with a custom section
// named "B" or "C": a valid module, other bytes) under its own hash, and the loader naming it, marked.
const wasm = readFileSync(join(assets, "dni", moduleA));
const builds = { A: { module: moduleA, wasm, loader: `${built}\nwindow.__loader="A";\n` } };
for (const name of ["B", "C"]) {
  const bytes = Buffer.concat([wasm, Buffer.from([0, 2, 1, name.charCodeAt(0)])]);
  const module = `dni_client_bg.${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}.wasm`;
  builds[name] = { module, wasm: bytes, loader: `${built.replaceAll(`dni/${moduleA}`, `dni/${module}`)}\nwindow.__loader="${name}";\n` };
}
writeFileSync(loaderFile, builds.A.loader);
// The runtime serves the changed copy (marked A, and the short run's headers) before the first view.
await until("build A and its headers served", async () => {
  const r = await fetch(`${worker.base}/dni.js`);
  return (await r.text()).includes('__loader="A"') && r.headers.get("cache-control")?.includes(`max-age=${maxAge},`);
}, { timeout: 15_000 });
/** A new build goes out on the server: its module beside the others, its loader in place of the last. */
async function deploy(name) {
  writeFileSync(join(assets, "dni", builds[name].module), builds[name].wasm);
  writeFileSync(loaderFile, builds[name].loader);
  const deployed = Date.now();
  // Does the runtime serve the changed file without a restart? (wrangler dev watches the assets.)
  const how = await until("the new loader served", async () => (await (await fetch(`${worker.base}/dni.js`)).text()).includes(`__loader="${name}"`), { timeout: 15_000 })
    .then(() => "without a restart", async () => { await worker.restart(); return "after a restart (it did not pick up the file by itself)"; });
  console.error(`  build ${name} served ${how}, ${((Date.now() - deployed) / 1000).toFixed(1)} s after the files changed`);
}
const moduleName = (url) => Object.keys(builds).find((b) => url.includes(builds[b].module)) ?? "?";

/** What the server answered for a path, from the runtime's log, since `from` (a character offset). */
const served = (path, from) =>
  [...readFileSync(worker.log, "utf8").slice(from).matchAll(/\b(GET|HEAD) (\S+) (\d{3})/g)]
    .filter((m) => m[2] == path)
    .map((m) => +m[3]);
const logLength = () => readFileSync(worker.log, "utf8").length;

const browser = await launchBrowser();
const { context } = await newVisitor(browser);
for (const page of context.pages()) await page.close();

/** One page view in a new tab: the loader that ran, the network's view of /dni.js and the module. */
async function view(label) {
  const from = logLength();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const requests = new Map();
  let started = Date.now();
  const get = (id) => {
    if (!requests.has(id)) requests.set(id, { url: "", done: false, status: null, cache: null });
    return requests.get(id);
  };
  const watched = (url) => /\/dni(\.js$|\/)|\/v1\//.test(url);
  cdp.on("Network.requestWillBeSent", (e) => {
    if (watched(e.request.url)) Object.assign(get(e.requestId), { url: e.request.url, sent: Date.now() - started });
  });
  // The headers as sent, with the cache's validators (If-None-Match, If-Modified-Since).
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => {
    const h = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v]));
    get(e.requestId).conditional = !!(h["if-none-match"] || h["if-modified-since"]);
  });
  cdp.on("Network.responseReceived", (e) => {
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    if (requests.get(e.requestId)?.url) Object.assign(requests.get(e.requestId), {
      status: e.response.status, etag: h.etag ?? null,
      cache: e.response.fromDiskCache ? "disk" : e.response.fromMemoryCache ? "memory" : null,
    });
  });
  cdp.on("Network.requestServedFromCache", (e) => {
    const r = requests.get(e.requestId);
    if (r?.url) r.cache ??= "cache";
  });
  const finish = (e) => {
    const r = requests.get(e.requestId);
    if (r?.url) { r.done = true; r.at = Date.now(); }
  };
  cdp.on("Network.loadingFinished", finish);
  cdp.on("Network.loadingFailed", (e) => { finish(e); const r = requests.get(e.requestId); if (r?.url) r.failed = e.errorText; });
  await cdp.send("Network.enable");
  if (LATENCY) await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: LATENCY, downloadThroughput: -1, uploadThroughput: -1 });
  started = Date.now();
  await page.goto(`${worker.base}/t/loader-update.html`);
  const swapped = await page.waitForFunction(() => window.__swap !== undefined, null, { timeout: 20_000 }).then(() => true, () => false);
  await sleep(3000);
  await until("no request to the loader or the module under way", () => [...requests.values()].every((r) => r.done || !/\/dni(\.js$|\/)/.test(r.url)), { timeout: 20_000 });
  const seen = await page.evaluate(() => {
    const entry = (re) => performance.getEntriesByType("resource").filter((e) => re.test(e.name))
      .map((e) => ({ transfer: e.transferSize, body: e.encodedBodySize }));
    return {
      loader: window.__loader ?? null,
      swap: window.__swap !== undefined ? window.__swap - performance.getEntriesByName("dni:start")[0]?.startTime : null,
      // The swap on the wall clock, in ms after the bench asked for the page (as the requests' times).
      swapWall: window.__swap !== undefined ? performance.timeOrigin + window.__swap : null,
      loaderTiming: entry(/\/dni\.js$/),
      moduleTiming: entry(/\.wasm$/),
    };
  });
  seen.swapAt = seen.swapWall == null ? null : seen.swapWall - started;
  await page.close();
  const list = [...requests.values()].filter((r) => r.url);
  const fmt = (r) => (r.cache ? "cache" : `${r.status ?? r.failed}${r.conditional ? " cond." : ""} at ${r.sent} ms`);
  return {
    label,
    started,
    swapped,
    ...seen,
    loaderRequests: list.filter((r) => /\/dni\.js$/.test(r.url)).map(fmt),
    moduleRequests: list.filter((r) => /\.wasm$/.test(r.url)).map((r) => `${moduleName(r.url)} ${fmt(r)}`),
    // Requests to the worker the page made before its swap (none: the swap came from storage).
    workerBeforeSwap: list.filter((r) => /\/v1\//.test(r.url) && seen.swapAt != null && r.sent < seen.swapAt)
      .map((r) => new URL(r.url).pathname.replace(/^\/v1\/sites\/bench\//, "")),
    loaderServed: served("/dni.js", from),
    moduleServed: Object.keys(builds).flatMap((b) => served(`/dni/${builds[b].module}`, from).map((s) => `${b} ${s}`)),
    etag: list.find((r) => /\/dni\.js$/.test(r.url) && r.status)?.etag,
    lastLoaderFetch: list.filter((r) => /\/dni\.js$/.test(r.url) && r.status && !r.cache).map((r) => r.at).pop(),
  };
}

const views = [];
let lastFetch;
const note = (v) => {
  views.push(v);
  if (v.lastLoaderFetch) lastFetch = v.lastLoaderFetch;
  console.error(`  ${v.label}: loader ${v.loader}, /dni.js ${JSON.stringify(v.loaderRequests)} served ${JSON.stringify(v.loaderServed)}`);
};
try {
  note(await view("first view (new visitor)"));
  const fetchedA = lastFetch;
  await deploy("B");
  const margin = Math.min(10, maxAge / 4);
  for (const [label, at] of [["within max-age", margin], ["just before max-age ends", maxAge - margin], ["just after max-age", maxAge + margin], ["the next view", 0]]) {
    if (at) await sleep(Math.max(0, fetchedA + at * 1000 - Date.now()));
    note(await view(label));
  }
  // Past the stale window too, when it is short enough to wait for (the short run's).
  if (stale <= 120) {
    const fetchedB = lastFetch;
    await deploy("C");
    await sleep(Math.max(0, fetchedB + (maxAge + stale + margin) * 1000 - Date.now()));
    note(await view("past the stale window"));
  }
} finally {
  await browser.close();
  await worker.stop();
}

const t0 = views[0].lastLoaderFetch;
const table = [["view", "at", "", "loader", "/dni.js: browser", "server", "transfer", "module: browser", "server", "worker before swap", "swap"]];
views.forEach((v, i) => table.push([
  String(i + 1), `${((v.started - t0) / 1000).toFixed(1)} s`, v.label, `${v.loader}${v.swapped ? "" : " (no swap)"}`,
  v.loaderRequests.join(", ") || "none", v.loaderServed.join(", ") || "none", v.loaderTiming.map((e) => `${e.transfer} B`).join(", ") || "-",
  v.moduleRequests.join(", ") || "none", v.moduleServed.join(", ") || "none", v.workerBeforeSwap.join(", ") || "none",
  v.swap == null ? "-" : `${v.swap.toFixed(0)} ms`,
]));
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
console.log(`a new loader and a returning visitor: headless Chromium, one profile, the worker in workerd; /dni.js served with max-age=${maxAge}, stale-while-revalidate=${stale}${SHORT ? " (short run: shortened from 300 and 86400)" : ""}${LATENCY ? `; ${LATENCY} ms latency added to every request` : ""}`);
console.log(`the server's loader replaced by build B (naming a new module) right after view 1${views.length > 6 ? ", and by build C after view 5" : ""}. at: when the view began, after view 1's fetch of /dni.js ended;`);
console.log(`loader: the build that ran; browser: each request of the page as DevTools saw it (cache, or the status, "cond." when it carried the cache's validator, and when`);
console.log(`it left, in ms after the navigation began); server: what the runtime answered during the view; transfer: the page's resource timing transferSize (0: from the`);
console.log(`cache); worker before swap: requests to the worker that left before the swap; swap: from the loader's start (dni:start) to the number's change`);
for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd());
console.log(`view 1's /dni.js carried ETag ${views[0].etag ?? "none"}`);
const firstB = views.findIndex((v) => v.loader == "B");
const refetch = views.findIndex((v, i) => i > 0 && v.lastLoaderFetch);
const after = (v) => `${((v.started - t0) / 1000).toFixed(1)} s`;
if (refetch < 0) console.log(`after view 1, the returning visitor's browser did not fetch /dni.js again in ${views.length - 1} views`);
else console.log(`the returning visitor's browser next fetched /dni.js on view ${refetch + 1}, ${after(views[refetch])} after view 1's fetch, and ran loader ${views[refetch].loader} on that view`);
if (firstB < 0) console.log(`the new loader did not reach the returning visitor in ${views.length} views`);
else console.log(`a new loader reached the returning visitor on view ${firstB + 1}, ${after(views[firstB])} after their last fetch of /dni.js before the change (view 1)`);
const past = views.find((v) => v.label == "past the stale window");
if (past) {
  const fetchedB = views.filter((v) => v != past && v.lastLoaderFetch).pop();
  console.log(`past the stale window (view ${views.indexOf(past) + 1}, ${((past.started - fetchedB.lastLoaderFetch) / 1000).toFixed(1)} s after the last fetch of /dni.js, on view ${views.indexOf(fetchedB) + 1}, with build C on the server): loader ${past.loader} ran; /dni.js ${past.loaderRequests.join(", ")}`);
} else console.log(`past the stale window (${stale} s after max-age): not waited for in this run (the short run does)`);
