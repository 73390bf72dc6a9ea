// The browser module's weight: what every page that uses the product downloads. Prints raw, gzip
// and brotli sizes of the loader, the JavaScript glue and the wasm, and the total against the budget.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { sections } from "../scripts/wasm.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// 15.25 KB since issue 20's weight steps (15,467 bytes then: docs/figures.md); it was 17 KB once
// the page's state moved to the loader. The aim is 14,336 bytes (14 KB).
const BUDGET_GZIP = 15616;
// The module's name carries its hash (scripts/build): the one there is.
const wasm = readdirSync(join(root, "www/dni")).filter((f) => /^dni_client_bg\..*wasm$/.test(f));
if (wasm.length !== 1) throw new Error(`expected one module in www/dni, found ${wasm.join(", ") || "none"}`);
const files = ["www/dni.js", `www/dni/${wasm[0]}`];
const rows = files.map((f) => {
  const bytes = readFileSync(join(root, f));
  return {
    file: f,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
});
const total = rows.reduce((t, r) => ({ file: "total", raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const pad = (s, n) => String(s).padStart(n);
console.log(`${"file".padEnd(30)}${pad("raw", 9)}${pad("gzip", 9)}${pad("brotli", 9)}`);
for (const r of [...rows, total]) console.log(`${r.file.padEnd(30)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.brotli, 9)}`);
console.log(`budget: ${BUDGET_GZIP} bytes gzip in all; used ${(100 * total.gzip / BUDGET_GZIP).toFixed(0)} %`);
// What the full classifier would add if the page ran it (the page keeps its journey with the
// table-free part; the worker runs the full one): the module built with it by
// `scripts/build client-tables`, compared with the published one (their glue is the same), in all
// and split into its tables (the module's data section) and its code (the code section).
const tablesFile = join(root, "target/size/tables/dni_client_bg.wasm");
if (existsSync(tablesFile)) {
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const published = readFileSync(join(root, files[1]));
  const full = readFileSync(tablesFile);
  const [a, b] = [codeAndData(published), codeAndData(full)];
  console.log(`the full classifier, if the page carried it: +${full.length - published.length} raw, +${gz(full) - gz(published)} gzip in all;` +
    ` its tables (data) +${gz(b.data) - gz(a.data)} gzip, its code +${gz(b.code) - gz(a.code)} gzip (aim for the tables: under 4096; not shipped)`);
}

/** The code and data sections of a wasm module (ids 10 and 11). */
function codeAndData(wasm) {
  const part = (id) => {
    const s = sections(wasm).find((x) => x.id === id);
    return s ? wasm.subarray(s.body, s.end) : Buffer.alloc(0);
  };
  return { code: part(10), data: part(11) };
}
if (process.argv.includes("--enforce") && total.gzip > BUDGET_GZIP) {
  console.error(`over budget by ${total.gzip - BUDGET_GZIP} bytes gzip`);
  process.exit(1);
}
