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

const [feature, input, output] = process.argv.slice(2);
const bytes = readFileSync(input);

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

let at = 8;
const u32 = () => {
  let n = 0, shift = 0, b;
  do { b = bytes[at++]; n |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
  return n >>> 0;
};
const name = () => { const len = u32(); const s = bytes.subarray(at, at + len).toString(); at += len; return s; };

const parts = [bytes.subarray(0, 8)];
let dropped = false;
while (at < bytes.length) {
  const start = at;
  const id = bytes[at++];
  const size = u32();
  const end = at + size;
  if (id === 0 && name() === "target_features") {
    const kept = [];
    for (let count = u32(); count > 0; count--) {
      const prefix = bytes[at++];
      const feat = name();
      if (feat === feature) dropped = true;
      else kept.push(Buffer.concat([Buffer.from([prefix]), leb(feat.length), Buffer.from(feat)]));
    }
    const title = Buffer.from("target_features");
    const body = Buffer.concat([leb(title.length), title, leb(kept.length), ...kept]);
    parts.push(Buffer.from([0]), leb(body.length), body);
  } else {
    parts.push(bytes.subarray(start, end));
  }
  at = end;
}
if (!dropped) console.error(`drop-feature: ${input} does not list ${feature} (nothing to do)`);
writeFileSync(output, Buffer.concat(parts));
