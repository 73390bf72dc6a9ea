// Removes one feature from a wasm module's `target_features` section.
//
//   node scripts/drop-feature.mjs FEATURE IN OUT
//
// The browser module is built without reference types (scripts/build): wasm-bindgen then keeps JS
// values in its JS heap instead of an externref table, which weighs less on the page. But the
// standard library comes precompiled with reference types, and the linker lists the feature for
// the whole module; wasm-bindgen, reading that, would take the externref route the crate was not
// compiled for and fail. No code in the module uses reference types (the table it would need is
// wasm-bindgen's own), so the section is corrected before wasm-bindgen reads it.
import { readFileSync, writeFileSync } from "node:fs";
import { leb, reader, sections } from "./wasm.mjs";

const [feature, input, output] = process.argv.slice(2);
const bytes = readFileSync(input);

const parts = [bytes.subarray(0, 8)];
let dropped = false;
for (const { id, start, body, end } of sections(bytes)) {
  const r = reader(bytes, body);
  if (id === 0 && r.name() === "target_features") {
    const kept = [];
    for (let count = r.u32(); count > 0; count--) {
      const prefix = bytes[r.at++];
      const feat = r.name();
      if (feat === feature) dropped = true;
      else kept.push(Buffer.concat([Buffer.from([prefix]), leb(feat.length), Buffer.from(feat)]));
    }
    const title = Buffer.from("target_features");
    const contents = Buffer.concat([leb(title.length), title, leb(kept.length), ...kept]);
    parts.push(Buffer.from([0]), leb(contents.length), contents);
  } else {
    parts.push(bytes.subarray(start, end));
  }
}
if (!dropped) console.error(`drop-feature: ${input} does not list ${feature} (nothing to do)`);
writeFileSync(output, Buffer.concat(parts));
