// Where the browser module's bytes are: twiggy (a wasm size profiler, pinned in scripts/setup) over
// the published module built with its function names kept (`scripts/build client-profile`: the same
// code and data, plus the names section the published one strips). Prints the bytes by home (crate
// and module: what to look at first when the page must lose weight) and the largest functions.
//
//   scripts/build client-profile && node bench/size-profile.mjs [--top N]
//
// The sizes are raw bytes inside the module (twiggy's "shallow" size of each function body and data
// segment); the names sections, which the published module does not carry, are left out.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = join(root, "target/size/named/dni_client_bg.wasm");
if (!existsSync(file)) {
  console.error("no profiled module: run scripts/build client-profile first");
  process.exit(2);
}
const at = process.argv.indexOf("--top");
const top = at > 0 ? Number(process.argv[at + 1]) : 25;

const items = JSON.parse(execFileSync("twiggy", ["top", "-f", "json", file], { encoding: "utf8" }))
  // What only the profiled build carries: the names.
  .filter((i) => !/ names" subsection$|^"module name" subsection$/.test(i.name));

/** The home an item belongs to: `crate::module` for our code, a family for the rest. */
function home(name) {
  if (/^data segment/.test(name)) return "data (strings and constants)";
  if (/^(export|import) /.test(name) || /^(type|table|memory|global|elem)\b/.test(name) || /^"/.test(name))
    return "module structure (imports, exports, types, table)";
  const bare = name.replace(/^</, "").replace(/^core\[[0-9a-f]+\]/, "core").replace(/^alloc\[[0-9a-f]+\]/, "alloc");
  // Our code: `crate::module`, or the crate's root (a type or function there: `dni_client::Client`).
  const m = bare.match(/^(dni_core|dni_client)::([A-Za-z_0-9]+)/);
  if (m) return /^[A-Z]/.test(m[2]) || /^::h[0-9a-f]{16}$/.test(bare.slice(m[0].length)) ? `${m[1]} (crate root)` : `${m[1]}::${m[2]}`;
  if (/^(wasm_bindgen|web_sys|js_sys)/.test(bare) || /^__wbindgen|^__wbg/.test(bare)) return "wasm-bindgen and web-sys shims";
  if (/^(alloc|core|lol_alloc|memcmp|memcpy|memset|memmove|std)\b/.test(bare) || /^<\[u8\]>|^<str>/.test(name))
    return "Rust runtime (alloc, core, allocator)";
  if (/^[a-z_]+$/.test(name)) return "exported entry points";
  return "other";
}

const total = items.reduce((t, i) => t + i.shallow_size, 0);
const groups = new Map();
for (const i of items) {
  const g = home(i.name);
  const e = groups.get(g) || { bytes: 0, count: 0 };
  e.bytes += i.shallow_size;
  e.count += 1;
  groups.set(g, e);
}
const pct = (n) => `${((100 * n) / total).toFixed(1)} %`.padStart(7);
console.log(`browser module by home (raw bytes, names left out: ${total} in all)`);
console.log(`${"home".padEnd(52)}${"bytes".padStart(8)}${"share".padStart(8)}${"items".padStart(7)}`);
for (const [g, e] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes))
  console.log(`${g.padEnd(52)}${String(e.bytes).padStart(8)}${pct(e.bytes)}${String(e.count).padStart(7)}`);
console.log(`\nthe ${top} largest items`);
for (const i of items.slice(0, top)) {
  const name = i.name.replace(/::h[0-9a-f]{16}$/, "");
  console.log(`${String(i.shallow_size).padStart(6)}${pct(i.shallow_size)}  ${name.length > 90 ? name.slice(0, 87) + "..." : name}`);
}
