// The tag's main-thread time, this checkout against another one, in the same minutes: the figure to
// decide a loader change by. Lighthouse's own trace processing, task tree and attribution
// (`lighthouse/core/lib/tracehouse`, the code behind bootup-time) over traces of headless Chromium,
// unthrottled, a fresh browser context (a first visit) per load, the two builds' loads alternated,
// on the demo page and on the page of 10,000 elements with 50 numbers.
//
//   node bench/main-thread-pair.mjs <other checkout>   (DNI_BENCH_RUNS=n loads per page and build; 11)
//   DNI_BENCH_PROFILE=disk node bench/main-thread-pair.mjs <other checkout>
//
// With DNI_BENCH_PROFILE=disk each load is a browser of its own with a fresh profile on disk, as
// Lighthouse loads a page (slower: a browser start per load); by default a fresh context of one
// browser, whose storage is in memory.
//
// The other checkout must be built (`scripts/build client` there). Why not bench/main-thread.mjs
// twice: Lighthouse's figure is wall time, and on a 2-core machine (the worker, Chromium's
// processes and Lighthouse share it) its runs spread by a factor of two, so two builds measured
// a few minutes apart differ by more than most changes do. Here each of our loads is paired with
// one of theirs a second apart, and the thread time (the trace's `tdur`: the main thread
// computing, without waits) is compared; wall time is printed beside it. Both are at 1x, not
// times Lighthouse's 4.
import { resolve } from "node:path";
import { bigPage } from "./pages.mjs";
import { traceFirstVisit } from "./trace.mjs";

const OTHER = process.argv[2];
if (!OTHER) {
  console.error("usage: node bench/main-thread-pair.mjs <other checkout>");
  process.exit(2);
}
const RUNS = +process.env.DNI_BENCH_RUNS || 11;
// A browser of its own per load with a fresh profile on disk, as Lighthouse loads a page (the
// default, a context of one browser, keeps storage in memory).
const DISK = process.env.DNI_BENCH_PROFILE == "disk";
const OURS = /\/dni\.js|\/dni\/dni_client_bg\./;
const here = await import("../tests/harness.mjs");
const there = await import(resolve(OTHER, "tests/harness.mjs"));
const { TraceProcessor } = await import("lighthouse/core/lib/tracehouse/trace-processor.js");
const { MainThreadTasks } = await import("lighthouse/core/lib/tracehouse/main-thread-tasks.js");
const { getAttributableURLForTask } = await import("lighthouse/core/lib/tracehouse/task-summary.js");
// Lighthouse's own trace categories (its trace gatherer), less the screenshots.
const CATEGORIES = ["-*", "disabled-by-default-lighthouse", "loading", "v8", "v8.execute", "blink.user_timing", "blink.console",
  "devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.stack",
  "disabled-by-default-devtools.timeline.frame", "latencyInfo", "__metadata"];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One first visit of `url`, traced: { thread, wall } ms of the top-level tasks bootup-time gives our URLs. */
async function load(browser, harness, url) {
  const traceEvents = await traceFirstVisit(DISK ? () => here.newDiskVisitor() : harness.newVisitor, browser, url, CATEGORIES);
  const trace = TraceProcessor.processTrace({ traceEvents });
  const tasks = MainThreadTasks.getMainThreadTasks(trace.mainThreadEvents, trace.frames, trace.timestamps.traceEnd);
  const scripts = new Set([new URL("/dni.js", url).href]);
  let thread = 0, wall = 0;
  for (const t of tasks) {
    if (t.parent || !OURS.test(getAttributableURLForTask(t, scripts))) continue;
    thread += (t.event.tdur ?? t.event.dur) / 1000;
    wall += t.duration;
  }
  return { thread, wall };
}

const ours = await here.startWorker({ name: "main-thread-pair-here", pages: { "big.html": bigPage() } });
const theirs = await there.startWorker({ name: "main-thread-pair-there", pages: { "big.html": bigPage() } });
const browser = await here.launchBrowser();
try {
  console.log(`the tag's main-thread time, this checkout against ${OTHER}: Lighthouse's attribution, unthrottled (1x), first visits, loads alternated, median of ${RUNS}`);
  for (const [label, path] of [["the demo page", "/?utm_source=google&utm_medium=cpc&gclid=BENCH"], ["10,000 elements, 50 numbers", "/t/big.html?utm_source=google&utm_medium=cpc"]]) {
    const a = [], b = [];
    for (let i = 0; i < RUNS; i++) {
      a.push(await load(browser, there, theirs.base + path));
      b.push(await load(browser, here, ours.base + path));
    }
    const [ta, tb] = [median(a.map((r) => r.thread)), median(b.map((r) => r.thread))];
    const [wa, wb] = [median(a.map((r) => r.wall)), median(b.map((r) => r.wall))];
    console.log(`  ${label}`);
    console.log(`    thread time  theirs ${ta.toFixed(1).padStart(5)} ms  ours ${tb.toFixed(1).padStart(5)} ms  ours/theirs ${(tb / ta).toFixed(2)}`);
    console.log(`    wall time    theirs ${wa.toFixed(1).padStart(5)} ms  ours ${wb.toFixed(1).padStart(5)} ms  ours/theirs ${(wb / wa).toFixed(2)}`);
    console.log(`    (thread, each load: theirs ${a.map((r) => r.thread.toFixed(1)).join(" ")}; ours ${b.map((r) => r.thread.toFixed(1)).join(" ")})`);
  }
} finally {
  await browser.close();
  await ours.stop();
  await theirs.stop();
}
