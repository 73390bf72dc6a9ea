// What `dni setup` deploys, checked without a Cloudflare account: `wrangler deploy --dry-run
// --outdir` on the repository's wrangler.toml with the placeholder KV id dropped (as `dni setup`
// does with wrangler 4.45 or later, which then provisions the namespace at deploy). The bundle must
// bind the pool, call-log and operators Durable Objects, the configuration namespace and the assets; export
// every class the migrations create as SQLite classes; and upload every file under www/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [e.name]));
}

test("wrangler deploy --dry-run: bindings, migrations and assets", () => {
  const dir = mkdtempSync(join(tmpdir(), "dni-deploy-"));
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  assert.match(toml, /^id = "0{32}"$/m, "the repository carries the placeholder id dni setup drops");
  writeFileSync(join(dir, "wrangler.toml"), toml
    .replace(/^id = "0{32}"\n/m, "")
    .replace(/^main = ".*"$/m, `main = "${join(ROOT, "crates/worker/build/index.js")}"`)
    .replace(/^directory = ".*"$/m, `directory = "${join(ROOT, "www")}"`));
  const version = execFileSync(join(ROOT, "node_modules", ".bin", "wrangler"), ["--version"], { encoding: "utf8" });
  const [major, minor] = version.match(/(\d+)\.(\d+)\.\d+/).slice(1).map(Number);
  assert.ok(major > 4 || (major === 4 && minor >= 45), `the pinned wrangler (${version.trim()}) provisions KV bindings without ids`);
  const out = execFileSync(join(ROOT, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", join(dir, "out")], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
  });
  assert.match(out, /env\.POOLS \(PoolObject\)\s+Durable Object/);
  assert.match(out, /env\.CALL_LOGS \(CallLog\)\s+Durable Object/);
  assert.match(out, /env\.OPERATORS \(Operators\)\s+Durable Object/);
  assert.match(out, /env\.CONFIG\s+KV Namespace/);
  assert.match(out, /env\.ASSETS\s+Assets/);
  // The assets are the www/ directory (wrangler's count includes its directories), with the loader,
  // the browser module, the dashboard and the API description in it.
  const read = Number(out.match(/Read (\d+) files from the assets directory (\S+)/)?.[1]);
  assert.match(out, new RegExp(`from the assets directory ${join(ROOT, "www")}`));
  const present = files(join(ROOT, "www"));
  assert.ok(read >= present.length - 1, `${read} assets read, ${present.length} files in www/`);
  for (const f of ["dni.js", "index.html", "openapi.json", "_headers"]) assert.ok(present.includes(f), f);
  assert.ok(present.some((f) => /^dni_client_bg\.[0-9a-f]+\.wasm$/.test(f)), "the browser module");
  // Every class the migrations create is exported by the bundle, and every Durable Object binding
  // names one of them.
  const created = [...toml.matchAll(/new_sqlite_classes = \[([^\]]*)\]/g)].flatMap((m) => [...m[1].matchAll(/"(\w+)"/g)].map((c) => c[1]));
  const bound = [...toml.matchAll(/class_name = "(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual([...created].sort(), ["CallLog", "Operators", "PoolObject"]);
  assert.deepEqual([...bound].sort(), [...created].sort());
  const bundle = readFileSync(join(dir, "out", "index.js"), "utf8");
  const exported = bundle.match(/export \{([^}]*)\}/)[1];
  for (const c of created) assert.match(exported, new RegExp(`\\bas ${c}\\b`), `${c} exported`);
  assert.ok(readdirSync(join(dir, "out")).some((f) => f.endsWith(".wasm")), "the worker's module is in the bundle");
  assert.ok(existsSync(join(dir, "out", "index.js")));
  rmSync(dir, { recursive: true, force: true });
});
