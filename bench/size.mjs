// The browser module's weight: what every page that uses the product downloads. Prints raw, gzip
// and brotli sizes of the loader, the JavaScript glue and the wasm, and the total against the budget.
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUDGET_GZIP = 20 * 1024;
const files = ["www/dni.js", "www/dni/dni_client_bg.wasm"];
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
if (process.argv.includes("--enforce") && total.gzip > BUDGET_GZIP) {
  console.error(`over budget by ${total.gzip - BUDGET_GZIP} bytes gzip`);
  process.exit(1);
}
