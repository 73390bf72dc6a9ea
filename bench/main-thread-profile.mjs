// Where the tag's main-thread time goes: the breakdown behind bench/main-thread.mjs. Headless
// Chromium with Chrome DevTools' 4x CPU slowdown (the figure Lighthouse's mobile profile
// multiplies by), a fresh profile per run (a first visit), on the demo page and on the page of
// 10,000 elements with 50 numbers. Two views of the same load, from two runs each:
//
// - the trace: the main thread's tasks that run our scripts (the loader `dni.js`, the wasm module),
//   their time by the kind of work (script evaluation, compile, function calls, animation-frame
//   callbacks, observers, GC, style and layout they forced), as Lighthouse groups them;
// - a CPU profile: the self time of the functions, ours and the browser's (`evaluate` is XPath,
//   `nextNode` a tree walker, ...), with the wasm module's functions summed as one.
//
//   node bench/main-thread-profile.mjs   (DNI_BENCH_RUNS=n runs per page and view; 3 by default)
//
// The sum of the trace's tasks is close to bootup-time's figure for our URLs; it is not the same
// number (Lighthouse attributes a task that runs several scripts' code in part to each).
import { startWorker, launchBrowser, newVisitor } from "../tests/harness.mjs";
import { bigPage } from "./pages.mjs";
import { traceFirstVisit } from "./trace.mjs";

const RUNS = +process.env.DNI_BENCH_RUNS || 3;
const OURS = /\/dni\.js|\/dni\/dni_client_bg\./;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One page load traced; returns { kind: ms } for the main thread's tasks that ran our code. */
async function trace(browser, url) {
  const events = await traceFirstVisit(newVisitor, browser, url,
    ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.execute", "blink", "v8.wasm", "disabled-by-default-v8.compile"], { cpuSlowdown: 4 });
  // The renderer's main thread: the one that ran our script.
  const evaluate = events.find((e) => e.name == "EvaluateScript" && OURS.test(e.args?.data?.url || ""));
  if (!evaluate) throw new Error("the loader did not run");
  const main = events.filter((e) => e.pid == evaluate.pid && e.tid == evaluate.tid && e.ph == "X" && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Tasks, each with the events inside it.
  const tasks = [];
  for (const e of main) {
    const last = tasks[tasks.length - 1];
    if (last && e.ts < last.end) last.inner.push(e);
    else if (e.name == "RunTask" || e.name == "ThreadControllerImpl::RunTask") tasks.push({ task: e, end: e.ts + e.dur, inner: [] });
  }
  const out = {};
  for (const { task, inner } of tasks) {
    const urls = inner.map((e) => e.args?.data?.url || e.args?.data?.stackTrace?.[0]?.url || e.args?.fileName || "");
    if (!urls.some((u) => OURS.test(u))) continue;
    // Self time per event name: each event's duration less its direct children's.
    const stack = [];
    const self = new Map();
    for (const e of [task, ...inner]) {
      while (stack.length && e.ts >= stack[stack.length - 1].ts + stack[stack.length - 1].dur) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) self.set(parent, (self.get(parent) ?? parent.dur) - e.dur);
      if (!self.has(e)) self.set(e, e.dur);
      stack.push(e);
    }
    for (const [e, us] of self) {
      const kind = e === task ? "(task, not in an event)" : e.name;
      out[kind] = (out[kind] || 0) + us / 1000;
    }
  }
  return out;
}

/** One page load profiled; returns { function: self ms } (wasm functions as one). */
async function profile(browser, url) {
  const { page, context } = await newVisitor(browser);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  await cdp.send("Profiler.start");
  await page.goto(url);
  await page.evaluate(() => window.dni.ready);
  await page.waitForTimeout(500);
  const { profile: p } = await cdp.send("Profiler.stop");
  await context.close();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
  // A node is ours when it or a caller is in our scripts: a browser function (XPath's `evaluate`)
  // that our code called counts under its own name.
  const ours = (id) => {
    for (let n = byId.get(id); n; n = byId.get(parent.get(n.id))) if (OURS.test(n.callFrame.url) || n.callFrame.url.startsWith("wasm://")) return true;
    return false;
  };
  const out = {};
  const deltas = p.timeDeltas;
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i];
    if (!ours(id)) continue;
    const f = byId.get(id).callFrame;
    const name = f.url.startsWith("wasm://") || /^\$?(func|wasm-function)/.test(f.functionName) ? "(wasm module)" : OURS.test(f.url) ? "(loader JS)" : f.functionName || "(native)";
    out[name] = (out[name] || 0) + (deltas[i + 1] ?? 0) / 1000;
  }
  return out;
}

/** The medians of several runs' tables, largest first, as lines. */
function table(runs) {
  const keys = new Set(runs.flatMap((r) => Object.keys(r)));
  const rows = [...keys].map((k) => [k, median(runs.map((r) => r[k] || 0))]).filter(([, v]) => v >= 0.5).sort((a, b) => b[1] - a[1]);
  const total = median(runs.map((r) => Object.values(r).reduce((a, b) => a + b, 0)));
  return [...rows.map(([k, v]) => `    ${k.padEnd(40)} ${v.toFixed(1).padStart(6)} ms`), `    ${"total (median of the runs' totals)".padEnd(40)} ${total.toFixed(1).padStart(6)} ms`];
}

const worker = await startWorker({ name: "main-thread-profile", pages: { "big.html": bigPage() } });
const browser = await launchBrowser();
try {
  console.log(`where the tag's main-thread time goes: headless Chromium, 4x CPU slowdown, a first visit, median of ${RUNS} runs per view`);
  for (const [name, path] of [["the demo page", "/?utm_source=google&utm_medium=cpc&gclid=BENCH"], ["10,000 elements, 50 numbers", "/t/big.html?utm_source=google&utm_medium=cpc"]]) {
    const traces = [], profiles = [];
    for (let i = 0; i < RUNS; i++) traces.push(await trace(browser, worker.base + path));
    for (let i = 0; i < RUNS; i++) profiles.push(await profile(browser, worker.base + path));
    console.log(`  ${name}`);
    console.log("   the trace: tasks that ran our code, self time by event");
    for (const line of table(traces)) console.log(line);
    console.log("   the CPU profile: self time of what our code ran");
    for (const line of table(profiles)) console.log(line);
  }
} finally {
  await browser.close();
  await worker.stop();
}
