// Renames the browser module's imports and exports in its JavaScript glue to the short names
// wasm-opt gave them in the module (`--minify-imports-and-exports-and-modules`).
//
//   node scripts/minify-names.mjs MAP WASM GLUE
//
// MAP is the mapping wasm-opt printed ({"imports": [[module, name, short]...], "exports": [[name,
// short]...]}), WASM the module it wrote, GLUE the glue wasm-bindgen wrote, rewritten in place. wasm-bindgen names its
// imports after their Rust paths with a hash (`__wbg_getItem_49556a3e59cfb688`): written twice, in
// the module and in the glue, and incompressible, they were about a twentieth of the module's
// weight. Every name must be found where the glue is expected to use it, or the build fails: a new
// wasm-bindgen that writes its glue differently stops here rather than shipping a broken module.
import { readFileSync, writeFileSync } from "node:fs";
import { reader, sections } from "./wasm.mjs";

const [mapFile, wasmFile, glueFile] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapFile, "utf8"));
let glue = readFileSync(glueFile, "utf8");

// The module's function imports, as [module, name] (wasm-opt does not print the new module name).
function imports(bytes) {
  const section = sections(bytes).find((s) => s.id === 2);
  if (!section) return [];
  const r = reader(bytes, section.body);
  const list = [];
  for (let count = r.u32(); count > 0; count--) {
    const entry = [r.name(), r.name()];
    if (bytes[r.at++] !== 0) throw new Error("minify-names: an import that is not a function");
    r.u32();
    list.push(entry);
  }
  return list;
}
const actual = imports(readFileSync(wasmFile));
const expected = new Set(map.imports.map(([, , short]) => short));
if (actual.length !== expected.size || actual.some(([m, n]) => m !== "a" || !expected.has(n))) {
  throw new Error(`minify-names: the module's imports are not the mapping's: ${JSON.stringify(actual)}`);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function rename(pattern, replacement, what, { atLeast = 1, atMost = Infinity } = {}) {
  const re = new RegExp(pattern, "g");
  const found = (glue.match(re) || []).length;
  if (found < atLeast || found > atMost) {
    throw new Error(`minify-names: ${what} found ${found} times in ${glueFile}`);
  }
  glue = glue.replace(re, replacement);
}

// Imports wasm-opt found unused are gone from the module: their functions go from the glue too.
// wasm-bindgen writes each as "        <name>: function(...) {" down to "        },".
const used = new Set(map.imports.map(([, name]) => name));
glue = glue.replace(/^ {8}([\w$]+): function[^\n]*\n(?:(?! {8}[\w$]+: function).*\n)*? {8}\},\n/gm, (all, name) =>
  name.startsWith("__wbg") && !used.has(name) ? "" : all);

// The imports: keys of the object __wbg_get_imports returns, under one module (all renamed to "a").
const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) throw new Error(`minify-names: expected one import module, got ${[...modules]}`);
for (const [, name, short] of map.imports) {
  rename(`(?<![\\w$])${escape(name)}(?=: function)`, short, `import ${name}`, { atMost: 1 });
}
rename(`"${escape([...modules][0])}": import0`, '"a": import0', "the import module", { atMost: 1 });

// The exports: read as `wasm.<name>` (some, such as exported globals, not at all), never any other
// way (`wasm[...]`, destructuring), which would miss the renaming.
if (/\bwasm\s*\[|\}\s*=\s*wasm\b/.test(glue)) throw new Error("minify-names: exports read other than as wasm.<name>");
for (const [name, short] of map.exports) {
  rename(`\\bwasm\\.${escape(name)}\\b`, `wasm.${short}`, `export ${name}`, { atLeast: 0 });
}

writeFileSync(glueFile, glue);
