// Reading a wasm module's binary format, for the build scripts and the size benchmark: its sections,
// and the LEB128 integers and names inside them.

/** A reader over `bytes` from offset `at`: unsigned LEB128 integers and length-prefixed names. */
export function reader(bytes, at = 0) {
  const r = {
    at,
    u32() {
      let n = 0, shift = 0, b;
      do { b = bytes[r.at++]; n |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
      return n >>> 0;
    },
    name() {
      const len = r.u32();
      const s = bytes.subarray(r.at, r.at + len).toString();
      r.at += len;
      return s;
    },
  };
  return r;
}

/** The module's sections in order: `{ id, start, body, end }` (the section from `start` to `end`,
 * its contents from `body`). */
export function sections(bytes) {
  const out = [];
  const r = reader(bytes, 8); // after the magic number and the version
  while (r.at < bytes.length) {
    const start = r.at;
    const id = bytes[r.at++];
    const size = r.u32();
    out.push({ id, start, body: r.at, end: r.at + size });
    r.at += size;
  }
  return out;
}

/** `value` as unsigned LEB128. */
export function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}
