// Every relative link in the documentation points at something that exists: README.md,
// ARCHITECTURE.md and docs/*.md, their links to files and, for `#anchor` links into a markdown file,
// to one of its headings, named the way GitHub names them. Reads files only: no worker, no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The documentation whose links are checked, as paths from the repository's root. */
export function documents(root = ROOT) {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", "ARCHITECTURE.md", ...docs];
}

/** The lines of a markdown text outside fenced code blocks (``` or ~~~), as [line number, text]. */
function proseLines(markdown) {
  const out = [];
  let fence = null;
  markdown.split("\n").forEach((line, i) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && !/\S/.test(line.slice(open[0].length))) fence = null;
    } else if (open) {
      fence = open[1];
    } else if (!/^( {4}|\t)/.test(line) || (out.length && out[out.length - 1][1] !== "")) {
      // An indented line after a blank line is an indented code block: skipped. (A list item's
      // indented continuation follows a line of text, so it is read.)
      out.push([i + 1, line]);
    } else {
      out.push([i + 1, ""]);
    }
  });
  return out;
}

/** Inline code spans blanked out, so that a `[x](y)` written as code is not read as a link. */
function withoutCode(line) {
  return line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, (span) => " ".repeat(span.length));
}

/**
 * The links of a markdown text: inline links and images `[text](target "title")` and reference
 * definitions `[id]: target`, outside code, as { line, target }.
 */
export function links(markdown) {
  const found = [];
  for (const [line, raw] of proseLines(markdown)) {
    const text = withoutCode(raw);
    for (const m of text.matchAll(/!?\[(?:[^\][]|\[[^\][]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
      found.push({ line, target: m[1].replace(/^<|>$/g, "") });
    }
    const def = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(text);
    if (def) found.push({ line, target: def[1].replace(/^<|>$/g, "") });
  }
  return found;
}

/** A heading's anchor as GitHub makes it: the rendered text, lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading) {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, "") // HTML tags
    .replace(/`/g, ""); // code spans keep their text
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a markdown text's headings, a repeated one numbered `-1`, `-2`, ... as GitHub does. */
export function anchors(markdown) {
  const seen = new Map();
  const out = new Set();
  for (const [, line] of proseLines(markdown)) {
    const h = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (!h) continue;
    const base = slug(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The broken relative links of one document (a path from `root`), as "path:line: target: why". */
export function brokenLinks(path, root = ROOT) {
  const source = join(root, path);
  const broken = [];
  for (const { line, target } of links(readFileSync(source, "utf8"))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue; // not relative
    const hash = target.indexOf("#");
    const file = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
    const resolved = file === "" ? source : join(dirname(source), file.replace(/\?.*$/, ""));
    const where = `${path}:${line}: ${target}`;
    if (!relative(root, resolved) || relative(root, resolved).startsWith("..")) {
      broken.push(`${where}: outside the repository`);
    } else if (!existsSync(resolved)) {
      broken.push(`${where}: no such file`);
    } else if (anchor !== null && resolved.endsWith(".md") && statSync(resolved).isFile()) {
      if (!anchors(readFileSync(resolved, "utf8")).has(anchor)) broken.push(`${where}: no heading with that anchor`);
    }
  }
  return broken;
}

test("headings' anchors follow GitHub's rules", () => {
  const table = [
    ["Privacy: what is redacted, and the data map", "privacy-what-is-redacted-and-the-data-map"],
    ["The `dni` command", "the-dni-command"],
    ["Erasing a caller's data", "erasing-a-callers-data"],
    ["Pool-drain protection", "pool-drain-protection"],
    ["From nothing to a first tracked call", "from-nothing-to-a-first-tracked-call"],
    ["Integrations: GA4, Google Ads, Microsoft Ads, webhooks", "integrations-ga4-google-ads-microsoft-ads-webhooks"],
    ["`retention_days` and *limits*", "retention_days-and-limits"],
    ["A [linked](other.md) heading", "a-linked-heading"],
    ["Before — after", "before--after"],
    ["Zürich 2026", "zürich-2026"],
  ];
  for (const [heading, expected] of table) assert.equal(slug(heading), expected, heading);
  assert.deepEqual(
    [...anchors("# Figures\n\n## Figures\n\n```sh\n# not a heading\n```\n\n## Figures ##\n")],
    ["figures", "figures-1", "figures-2"],
  );
});

test("links are read from prose, not from code", () => {
  const table = [
    ["see [the API](docs/api.md#errors).", ["docs/api.md#errors"]],
    ["![shot](docs/dashboard.png) and [`sites/demo.json`](sites/demo.json)", ["docs/dashboard.png", "sites/demo.json"]],
    ['[x](<a b.md> "title") [y](c.md \'t\')', ["a b.md", "c.md"]],
    ["[ref]: docs/figures.md", ["docs/figures.md"]],
    ["`[code](not-a-link.md)` and ``[nor](this.md)``", []],
    ["```md\n[fenced](not-a-link.md)\n```\n[after](after.md)", ["after.md"]],
    ["text\n\n    [indented code](not-a-link.md)\n", []],
    ["- item\n    [continued](kept.md)", ["kept.md"]],
    ["[a [nested] text](n.md)", ["n.md"]],
  ];
  for (const [markdown, expected] of table) {
    assert.deepEqual(links(markdown).map((l) => l.target), expected, markdown);
  }
});

test("every relative link in README.md, ARCHITECTURE.md and docs/*.md points at an existing file and heading", () => {
  const docs = documents();
  assert.ok(docs.includes("docs/privacy.md"), `the documentation read: ${docs.join(", ")}`);
  const broken = docs.flatMap((path) => brokenLinks(path));
  assert.deepEqual(broken, [], `broken links:\n${broken.join("\n")}`);
});
