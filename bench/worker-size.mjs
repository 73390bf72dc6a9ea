// The worker's own weight, and what a cold start costs: the module's size raw and gzip (what the
// platform's limits count), what each crate adds to it (twiggy on the build's copy that keeps the
// function names), what the module adds to workerd's start (its compile), and the first requests'
// time in workerd (wrangler dev) after a start.
//
//   scripts/build worker && node bench/worker-size.mjs      (DNI_BENCH_SHORT=1: no workerd start)
//
// The per-crate table needs twiggy (`cargo install twiggy --version 0.8.0 --locked`); without it the
// table is left out. A function is counted in the crate that defines it, so a generic function is
// counted where it is written, not where it is used (serde_json's deserializers for the worker's own
// types count as serde_json's). Data segments carry no names: they are one row.
import { readFileSync, existsSync, mkdtempSync, copyFileSync, writeFileSync, rmSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { ROOT } from "../tests/harness.mjs";

const MODULE = join(ROOT, "crates/worker/build/index_bg.wasm");
// scripts/build keeps the module as worker-build wrote it (names kept) here, before it strips them.
const NAMED = join(ROOT, "target/worker-names/index_bg.wasm");
const kb = (n) => `${(n / 1000).toFixed(0)} KB`.padStart(9);

const bytes = readFileSync(MODULE);
const gz = gzipSync(bytes, { level: 9 }).length;
console.log(`worker module ${MODULE.slice(ROOT.length + 1)}: ${bytes.length} bytes raw, ${gz} gzip (limits: 3 MB gzip free, 10 MB paid)`);

// What each crate adds (raw bytes of its functions; twiggy's shallow sizes).
let twiggy = null;
try {
  twiggy = execFileSync("twiggy", ["top", "-n", "1000000", "--format", "json", existsSync(NAMED) ? NAMED : MODULE], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    stdio: ["ignore", "pipe", "ignore"],
  });
} catch {
  console.log("(per-crate table left out: twiggy is not installed; cargo install twiggy --version 0.8.0 --locked)");
}
if (twiggy) {
  const crateOf = (name) => {
    if (/^data segment|^data\[/.test(name)) return "(data segments: strings, tables, the tz database)";
    if (/subsection|section|^"/.test(name)) return "(names and other custom sections)";
    const path = name.replace(/^(?:[<&*]|mut |dyn |impl |const )+/g, "");
    const m = path.match(/^([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
    return m ? m[1] : "(other)";
  };
  const by = new Map();
  let total = 0;
  for (const item of JSON.parse(twiggy)) {
    const crate = crateOf(item.name);
    by.set(crate, (by.get(crate) ?? 0) + item.shallow_size);
    total += item.shallow_size;
  }
  console.log(`\nby crate (raw bytes, ${existsSync(NAMED) ? "the named copy" : "the module"}: ${total} in all)`);
  for (const [crate, size] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 24)) {
    console.log(`${kb(size)} ${(100 * size / total).toFixed(1).padStart(5)}%  ${crate}`);
  }
}

// The module's load in workerd itself (its V8; node 20's cannot read the module's exception
// handling): the runtime started with a one-line worker that imports the module, against the same
// worker without it, until each answers its first request; median of 7 each, interleaved. The
// difference is what the module adds to a cold start's load (its compile, as workerd does it).
const dir = mkdtempSync(join(tmpdir(), "dni-size-"));
copyFileSync(MODULE, join(dir, "m.wasm"));
writeFileSync(join(dir, "with.js"), 'import m from "m.wasm";\nexport default { fetch: () => new Response(String(WebAssembly.Module.exports(m).length)) };\n');
writeFileSync(join(dir, "without.js"), 'export default { fetch: () => new Response("0") };\n');
const port = 20000 + Math.floor(Math.random() * 20000);
for (const which of ["with", "without"]) {
  const wasm = which === "with" ? ', (name = "m.wasm", wasm = embed "m.wasm")' : "";
  writeFileSync(
    join(dir, `${which}.capnp`),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .w)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const w :Workerd.Worker = (
  modules = [(name = "main.js", esModule = embed "${which}.js")${wasm}],
  compatibilityDate = "2026-04-01",
);
`,
  );
}
const WORKERD = join(ROOT, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");
async function load(which) {
  const started = performance.now();
  const runtime = spawn(WORKERD, ["serve", join(dir, `${which}.capnp`)], { stdio: "ignore" });
  try {
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`);
        await r.text();
        return performance.now() - started;
      } catch {
        await new Promise((ok) => setTimeout(ok, 5));
      }
    }
  } finally {
    runtime.kill();
    await new Promise((ok) => runtime.on("exit", ok));
  }
}
const loads = { with: [], without: [] };
for (let i = 0; i < 7; i++) for (const which of ["without", "with"]) loads[which].push(await load(which));
rmSync(dir, { recursive: true, force: true });
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `\nworkerd start to first answer: ${med(loads.with).toFixed(0)} ms with the module, ${med(loads.without).toFixed(0)} ms without ` +
    `(median of 7): the module adds ${(med(loads.with) - med(loads.without)).toFixed(0)} ms to a cold start's load`,
);

// A cold start in workerd: the runtime started, then the first requests to a route the worker
// answers (the site's public configuration: one KV read).
if (!process.env.DNI_BENCH_SHORT) {
  const { startWorker } = await import("../tests/harness.mjs");
  const t0 = performance.now();
  const worker = await startWorker({ name: "bench-size", sites: ["sites/demo.json"] });
  const ready = performance.now() - t0;
  try {
    const times = [];
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      const r = await fetch(`${worker.base}/v1/sites/demo/public`);
      await r.text();
      if (r.status !== 200) throw new Error(`the public configuration answered ${r.status}`);
      times.push(performance.now() - t);
    }
    const rest = times.slice(1).sort((a, b) => a - b);
    console.log(
      `workerd (wrangler dev): ready in ${ready.toFixed(0)} ms (seeding KV included); first request ${times[0].toFixed(1)} ms, ` +
        `the next 20 p50 ${rest[10].toFixed(1)} ms`,
    );
  } finally {
    await worker.stop();
  }
}
