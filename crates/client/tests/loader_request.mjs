// Runs the loader (crates/client/js/loader.js) as the page would, in a stand-in browser, and prints
// the requests it sends before the module arrives and what it stored, as JSON:
// {href, sent: [{method, url, body}], scans: [targets], asked: [text], local: {key: value},
// session: {key: value}}.
//
//   node crates/client/tests/loader_request.mjs '<page as JSON>'
//   node crates/client/tests/loader_request.mjs '[<page>, <page>, ...]'   (an array of the above)
//
// The page: {now, href, referrer, text: [..], scripts: [..], tel: [..], cookie, cookieStore,
// storage: {key: value}, gpc, webdriver, consent, consentMode (Google Consent Mode's
// analytics_storage), module}: `scripts` are the texts of the page's scripts (in its text too, as
// in a browser's textContent); with `cookieStore` the page has the Cookie Store API, and a read of
// document.cookie is counted in the output's `cookie_reads` (`cookieStore: "rejects"`: the API is
// there and refuses). Unless
// `module` is set, the module never arrives (its `init` never resolves), so what is printed is
// exactly what the loader writes by itself; with `module`, a stand-in module arrives (it finds no
// number and redacts nothing; the targets it is asked to look for are printed) and the page's
// client starts from the
// stored configuration, for what it keeps (the journey's views). `loader_wire.rs` parses it with the worker's
// own request types (`dni_core::api::LeaseRequest`, which refuses unknown fields).
import { readFileSync } from "node:fs";
import vm from "node:vm";

const input = JSON.parse(process.argv[2]);
const source = readFileSync(new URL("../js/loader.js", import.meta.url), "utf8");
// The module's glue is imported by the bundle; here the import becomes the stand-in below.
const IMPORT = /^import init, \* as module from "[^"]+";$/m;
if (!IMPORT.test(source)) throw new Error("the loader's module import changed: update this stand-in");
const script = source.replace(IMPORT, "");

/** Runs the loader on one page, in a context of its own. */
async function run(page) {
  const sent = [];
  // The targets the page's client asked the module to look for in a text that may show one.
  const scans = [], asked = [];
  const never = new Promise(() => {});
  const location = new URL(page.href);
  const storage = (entries) => {
    const map = new Map(Object.entries(entries || {}));
    return {
      map,
      getItem: (key) => (map.has(key) ? map.get(key) : null),
      setItem: (k, v) => map.set(k, String(v)),
      removeItem: (k) => map.delete(k),
    };
  };
  const walk = (texts) => {
    const nodes = texts.map((data) => ({ data, nodeValue: data, length: data.length, parentNode: { nodeName: "P" } }));
    let i = 0;
    return { nextNode: () => nodes[i++] || null };
  };
  // (The text of the page, as the browser concatenates its text nodes, for the loader's and the
  // page's client's first looks.)
  const scripts = (page.scripts || []).map((textContent) => ({ textContent }));
  const element = { getAttribute: () => null, removeAttribute: () => {}, textContent: (page.text || []).concat(page.scripts || []).join("") };
  let cookieReads = 0;
  const document = {
    nodeType: 9,
    currentScript: {
      src: "https://worker.example/dni.js",
      getAttribute: (name) => (name == "data-site" ? "shop" : name == "data-consent" ? (page.consent ?? null) : null),
    },
    documentElement: element,
    body: {
      textContent: element.textContent,
      getElementsByTagName: (tag) => {
        if (!["script", "style", "noscript", "textarea"].includes(tag)) throw new Error("unexpected tag " + tag);
        return tag == "script" ? scripts : [];
      },
    },
    referrer: page.referrer || "",
    get cookie() {
      cookieReads++;
      return page.cookie || "";
    },
    hidden: false,
    evaluate: () => ({ snapshotLength: 0 }),
    createTreeWalker: () => walk(page.text || []),
    querySelectorAll: (selector) => {
      // (The page's client, once the stand-in module has arrived, looks for shadow roots, frames
      // and the attributes a number may be in.)
      if (selector == "*" || selector == "iframe" || selector == "[href^='tel:' i],[title],[aria-label]") return [];
      if (selector != "[href^='tel:' i]") throw new Error("unexpected selector " + selector);
      return (page.tel || []).map((href) => ({ getAttribute: () => href }));
    },
    addEventListener: () => {},
    dispatchEvent: () => {},
  };
  const context = vm.createContext({
    document,
    location,
    navigator: { globalPrivacyControl: !!page.gpc, webdriver: !!page.webdriver, sendBeacon: () => true },
    localStorage: storage(page.gpc ? {} : page.storage),
    sessionStorage: storage(page.gpc ? page.storage : {}),
    fetch: (url, init) => {
      sent.push({ method: init.method, url, body: init.body ?? null });
      return never;
    },
    MutationObserver: class { observe() {} },
    Element: { prototype: { attachShadow() {} } },
    AbortController,
    URL,
    btoa,
    crypto,
    CustomEvent: class {},
    performance: { mark: () => {}, measure: () => {}, now: () => 0 },
    // Timers never fire: the anti-flicker reveal and the request's abort are not what is checked.
    setTimeout: () => 0,
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
    requestAnimationFrame: () => 0,
    MODULE: "dni/dni_client_bg.test.wasm",
    init: () => (page.module ? Promise.resolve() : never),
    module: { find: (text, targets) => (scans.push(targets), asked.push(text), 0), replace: () => undefined, redact: (url) => url },
    addEventListener: () => {},
    // ("rejects": a store that refuses, as in a sandboxed frame.)
    cookieStore: page.cookieStore
      ? {
          getAll: async () => {
            if (page.cookieStore == "rejects") throw new Error("refused");
            return (page.cookie || "").split("; ").filter((c) => c).map((c) => ({ name: c.slice(0, c.indexOf("=")), value: c.slice(c.indexOf("=") + 1) }));
          },
        }
      : undefined,
    dataLayer: page.consentMode == null ? undefined : [["consent", "default", { analytics_storage: page.consentMode }]],
  });
  context.window = context;
  vm.runInContext(`Date.now = () => ${Number(page.now)};`, context);
  vm.runInContext(script, context, { filename: "loader.js" });
  // (What the module's arrival starts settles in a few promise turns.)
  await new Promise((done) => setTimeout(done, 10));
  return {
    // The page's URL as the browser writes it (what the loader reads).
    href: location.href,
    sent,
    scans,
    asked,
    local: Object.fromEntries(context.localStorage.map),
    session: Object.fromEntries(context.sessionStorage.map),
    cookie_reads: cookieReads,
  };
}

// (One process for a table of pages: a node start-up each would be most of the test's time.)
const out = [];
for (const page of Array.isArray(input) ? input : [input]) out.push(await run(page));
process.stdout.write(JSON.stringify(Array.isArray(input) ? out : out[0]));
