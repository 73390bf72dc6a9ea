// The report routes against a call log of N calls in the Durable Object's own SQLite, in workerd
// (`wrangler dev`), through the worker: what an owner's request costs end to end at that size.
//
// The call log object creates its schema itself (its migrations run on the first import); the
// runtime is then stopped and `bench/reports.py --fill` adds N calls to the object's own SQLite
// file with the same generator as the native benchmark (records from `dni history`, in the order
// they start); the runtime starts again on that state and the routes are timed over HTTP.
//
//   node bench/reports-workerd.mjs [N]      # default 1,000,000
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadavg, cpus } from "node:os";
import { startWorker, admin, ADMIN_TOKEN, ROOT } from "../tests/harness.mjs";

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = N >= 1_000_000 ? 11 : 21;
// The same ranges as bench/reports.py: the 30 days and the year before 2026-12-01 (New York).
const MONTH = "from=2026-11-01&to=2026-11-30";
const YEAR = "from=2025-12-01&to=2026-11-30";

function callLogFiles(state) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      // The object's own file is named by its id (the directory also holds the alarms' index).
      else if (dir.endsWith("CallLog") && /^[0-9a-f]{64}\.sqlite$/.test(name)) out.push(path);
    }
  };
  walk(join(state, "v3", "do"));
  return out;
}

const worker = await startWorker({ name: "bench-reports" });
try {
  const one = execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "history", "sites/demo.json", "--calls", "1", "--days", "1", "--end", "1700000000000"], { cwd: ROOT });
  const imported = await admin(worker.base, "/v1/sites/demo/calls/import", { method: "POST", body: one });
  if (imported.status !== 200) throw new Error(`import: ${JSON.stringify(imported.json)}`);
  const t0 = performance.now();
  await worker.restart({
    whileStopped: (state) => {
      const files = callLogFiles(state);
      if (files.length !== 1) throw new Error(`expected one call log file, found ${files.length}`);
      execFileSync("python3", [join(ROOT, "bench", "reports.py"), "--fill", files[0], String(N)], { cwd: ROOT, stdio: "inherit" });
      console.log(`call log file: ${(statSync(files[0]).size / 1e6).toFixed(0)} MB`);
    },
  });
  console.log(`filled and restarted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const summary = await admin(worker.base, `/v1/sites/demo/reports/summary?${YEAR}`);
  console.log(`the year's summary counts ${summary.json.rows[0].calls} calls`);

  const routes = [
    ...["summary", "day", "channel", "source_medium", "campaign", "keyword", "landing_page", "tracking_number", "confidence", "kind", "lead_status", "tag"].map((by) => ["30 d", `report ${by}`, `/reports/${by}?${MONTH}`]),
    ["30 d", "report channel, tag + good leads", `/reports/channel?${MONTH}&tag=booked&lead_status=good`],
    ["30 d", "list page 1", `/calls?${MONTH}&limit=50`],
    ["30 d", "list page 1, channel + missed", `/calls?${MONTH}&limit=50&channel=Paid+Search&status=missed`],
    ...["summary", "day", "channel", "lead_status", "tag"].map((by) => ["365 d", `report ${by}`, `/reports/${by}?${YEAR}`]),
  ];
  const load = loadavg().map((x) => x.toFixed(1)).join(" ");
  console.log(`\n${N} calls in the call log object (workerd, through the worker); ${RUNS} runs each; load average ${load} on ${cpus().length} cores`);
  console.log(`  ${"range".padEnd(6)} ${"route".padEnd(36)} ${"rows".padStart(5)} ${"p50 ms".padStart(9)} ${"p99 ms".padStart(9)}`);
  for (const [span, name, path] of routes) {
    const times = [];
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const r = await fetch(`${worker.base}/v1/sites/demo${path}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      const body = await r.json();
      times.push(performance.now() - start);
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
      rows = (body.rows ?? body.calls).length;
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)];
    const p99 = times[Math.min(times.length - 1, Math.floor(times.length * 0.99))];
    console.log(`  ${span.padEnd(6)} ${name.padEnd(36)} ${String(rows).padStart(5)} ${p50.toFixed(1).padStart(9)} ${p99.toFixed(1).padStart(9)}`);
  }
} finally {
  await worker.stop();
}
