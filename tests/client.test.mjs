// The browser module at product grade, in Chromium, through pages served by the worker: every
// number format, content that appears later, shadow DOM and frames, places never touched, markup
// injection, a slow or unreachable worker, bots, consent tiers, window.dni, anti-flicker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, launchBrowser, newVisitor, swappedText, until, VISITOR_UA } from "./harness.mjs";

let worker, browser;
before(async () => {
  worker = await startWorker({ name: "client", sites: ["sites/demo.json", "tests/sites/fast.json", "tests/sites/returning.json", "tests/sites/restore.json"] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await worker?.stop();
});

const ORIGINAL = "(212) 555-0100";
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const digits = (s) => s.replace(/\D/g, "");

/** A visitor whose requests to the worker's API are logged. */
async function visitor(options) {
  const v = await newVisitor(browser, options);
  v.requests = [];
  v.page.on("request", (r) => {
    if (r.url().includes("/v1/")) v.requests.push({ url: r.url(), method: r.method(), body: r.postData() ?? "" });
  });
  return v;
}

const apiCalls = (v, what) => v.requests.filter((r) => r.url.includes(what));

test("every format, tel: links and opted-in attributes are swapped; nothing else is touched", async () => {
  const { page, consoleErrors, context } = await visitor();
  await page.goto(`${worker.base}/t/formats.html?utm_source=google&utm_medium=cpc&gclid=F1`);
  const first = await swappedText(page, "#f1", ORIGINAL);
  assert.match(first, /^\(212\) 555-01(0[1-9]|10)$/);
  const n = digits(first).slice(-4); // the tracking number's last four digits
  // (selector, text after the swap)
  const texts = [
    ["#f2", `212.555.${n}`],
    ["#f3", `+1 212-555-${n}`],
    ["#f4", `1 (212) 555 ${n}`],
    ["#f5", `212 555 ${n}`],
    ["#f6", `+1212555${n}`],
    ["#split", `(212) 555-${n}`],
    ["#split2", `Office 212.555.${n}`],
    ["#ns", ORIGINAL],
    ["#ta", ORIGINAL],
    ["#wide", `２１２‐５５５‐${[...n].map((c) => String.fromCharCode(0xff10 + +c)).join("")}`],
    ["#slash", `212/555-${n}`],
    ["#ext", `(212) 555-${n}x12`],
    ["#markup", `<b>212-555-${n}</b>`],
    ["#glued", "Order 92125550100 and 2125550100xl"],
    ["noscript", "<p>212-555-0100</p>"],
    ["#sel option", "212-555-0100"],
    ["#ce", "212-555-0100"],
    ["#s3", `Call +1 212 555-${n} now`],
    ["#s4", "Order 2125550100"],
    ["#s5", `(212) 555-${n} x`],
  ];
  for (const [selector, want] of texts) assert.equal(await page.textContent(selector), want, selector);
  // (selector, attribute, value after the swap)
  const attrs = [
    ["#l1", "href", `tel:+1212555${n}`],
    ["#l2", "href", `tel:212-555-${n}`],
    ["#l3", "href", `TEL:1-212-555-${n}`],
    ["#l4", "href", `tel:(212)%20555-${n}`],
    ["#l5", "href", `tel:%2B1%20212%20555%20${n}`],
    ["#b1", "title", `Call (212) 555-${n}`],
    ["#b1", "aria-label", `Call 212 555 ${n}`],
    ["#b1", "data-dni-phone", `212555${n}`],
    ["#nl", "href", "tel:2125550100"],
    ["#nl", "title", "212-555-0100"],
    ["#wa", "href", "https://wa.me/12125550100"],
    ["#other", "data-other", "2125550100"],
    ["#other", "data-dni-number", `212555${n}`],
  ];
  for (const [selector, name, want] of attrs) assert.equal(await page.getAttribute(selector, name), want, `${selector} ${name}`);
  // A split number is swapped in place: the markup is the page's own.
  assert.equal(await page.innerHTML("#split"), `<b>(212)</b> 555-${n}`);
  assert.equal(await page.innerHTML("#split2"), `Office <span>212</span>.<span>555</span>.<span>${n}</span>`);
  assert.equal(await page.innerHTML("#s3"), `Call <a href="/c"><strong>+1</strong> 212 <em>555</em></a>-${n} now`);
  assert.equal(await page.innerHTML("#s5"), `<b>(212)</b> 555-${n} <span data-dni-noswap="">x</span>`);
  assert.equal(await page.$eval("#markup", (e) => e.childElementCount), 0, "markup in a text stays text");
  assert.equal(await page.inputValue("#in"), ORIGINAL, "input untouched");
  const scripts = await page.$$eval("script:not([src])", (s) => s.map((x) => x.textContent).join("\n"));
  assert.match(scripts, /\+1 \(212\) 555-0100/, "JSON-LD untouched");
  assert.match(scripts, /"\(212\) 555-0100"/, "inline script untouched");
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test("a number a single-page app renders two seconds after load, and text changed in place", async () => {
  const v = await visitor();
  await v.page.goto(`${worker.base}/t/spa.html`);
  // The page's first request is what the loader sends when it found no number (the configuration):
  // had it found one, the first would be a lease.
  const [first] = await until("the page's first request", () => v.requests.length && v.requests);
  assert.equal(`${first.method} ${new URL(first.url).pathname}`, "GET /v1/sites/demo/public", "no number on the page yet: no lease");
  // (The element first: swappedText takes a missing element for a changed one.)
  await v.page.waitForSelector("#late", { timeout: 6000 });
  const late = await swappedText(v.page, "#late", ORIGINAL, 6000);
  assert.match(late, /^\(212\) 555-01(0[1-9]|10)$/);
  assert.equal(await v.page.getAttribute("#late-link", "href"), `tel:+1${digits(late)}`);
  await v.page.waitForFunction(() => /^Office: 212-555-01(0[1-9]|10)$/.test(document.querySelector("#inplace").textContent), null, { timeout: 4000 });
  assert.equal(await v.page.textContent("#inplace"), `Office: 212-555-${digits(late).slice(-4)}`);
  await v.page.waitForFunction(() => document.getElementById("later-attr").dataset.dniPhone != "+1 212 555 0100", null, { timeout: 4000 });
  assert.equal(await v.page.getAttribute("#later-attr", "data-dni-phone"), `+1 212 555 ${digits(late).slice(-4)}`, "a data-dni-* attribute set later");
  assert.equal(apiCalls(v, "/leases").length, 1, "one lease for the page");
  assert.deepEqual(v.consoleErrors, []);
  await v.context.close();
});

test("open shadow roots (also attached later), same-origin frames, and dni.swap for closed ones", async () => {
  const v = await visitor();
  const swappedEvent = v.page.waitForEvent("console", { predicate: (m) => m.text().startsWith("swapped:"), timeout: 8000 }).catch(() => null);
  await v.page.addInitScript(() => {
    document.addEventListener("dni:swapped", (e) => console.log("swapped:" + JSON.stringify(e.detail)));
  });
  await v.page.goto(`${worker.base}/t/shadow.html`);
  const light = await swappedText(v.page, "#light", ORIGINAL);
  const n = digits(light).slice(-4);
  const numbers = await v.page.evaluate(() => window.dni.ready);
  assert.deepEqual(numbers, { "+12125550100": `+1${digits(light)}` }, "dni.ready resolves with the numbers");
  assert.ok(await swappedEvent, "a dni:swapped event was dispatched");
  const inShadow = (host, id) => v.page.evaluate(([h, i]) => document.getElementById(h).shadowRoot?.getElementById(i)?.textContent, [host, id]);
  await v.page.waitForFunction(() => document.getElementById("early").shadowRoot.textContent !== "212-555-0100");
  assert.equal(await inShadow("early", "in-early"), `212-555-${n}`);
  await v.page.waitForFunction(() => document.getElementById("card").shadowRoot?.textContent.includes("555-01") &&
    document.getElementById("card").shadowRoot.textContent !== "(212) 555-0100", null, { timeout: 5000 });
  assert.equal(await inShadow("card", "in-card"), `(212) 555-${n}`, "a shadow root attached a second after load");
  const frame = v.page.frameLocator("#frame");
  await v.page.waitForFunction(() => document.getElementById("frame").contentDocument?.body?.textContent.includes(`555.`) &&
    !document.getElementById("frame").contentDocument.body.textContent.includes("555.0100"), null, { timeout: 5000 });
  assert.equal(await frame.locator("#in-frame").textContent(), `Call 212.555.${n}`);
  // A closed shadow root is out of the observer's sight: the site hands it over.
  assert.equal(await v.page.evaluate(() => window.closedRoot.textContent), "212-555-0100");
  await v.page.evaluate(() => window.dni.swap(window.closedRoot));
  assert.equal(await v.page.evaluate(() => window.closedRoot.textContent), `212-555-${n}`);
  assert.deepEqual(v.consoleErrors, []);
  await v.context.close();
});

test("markup in a number from the worker is refused: the page keeps its number and no element appears", async () => {
  const v = await visitor();
  await v.page.route("**/v1/sites/demo/leases", (route) =>
    route.fulfill({
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({
        numbers: [{ target: "+12125550100", number: '<img src=x onerror="window.pwned=1">', kind: "pool" }],
        heartbeat_ms: 60000,
        config: { targets: ["+12125550100"], own_hosts: [], static_numbers: [], lookback_ms: 1e9, session_timeout_ms: 18e5 },
      }),
    }));
  await v.page.goto(`${worker.base}/t/plain.html`);
  await v.page.evaluate(() => window.dni.ready);
  assert.equal(await v.page.textContent("#phone"), ORIGINAL);
  assert.equal(await v.page.$$eval("img", (i) => i.length), 0);
  assert.equal(await v.page.evaluate(() => window.pwned), undefined);
  await v.context.close();
});

test("a slow worker: the page keeps its numbers after a bounded wait, with a clean console", async () => {
  const v = await visitor();
  await v.page.route("**/v1/sites/demo/leases", async (route) => {
    await sleep(4000);
    await route.continue().catch(() => {});
  });
  const started = Date.now();
  await v.page.goto(`${worker.base}/t/plain.html`);
  await v.page.evaluate(() => window.dni.ready);
  const waited = Date.now() - started;
  assert.ok(waited < 3000, `dni.ready within the bounded wait (took ${waited} ms)`);
  assert.equal(await v.page.textContent("#phone"), ORIGINAL);
  const hidden = await v.page.evaluate(() => document.documentElement.hasAttribute("data-dni-wait"));
  assert.equal(hidden, false, "anti-flicker released");
  assert.deepEqual(v.consoleErrors, [], "no console error");
  await v.context.close();
});

test("an unreachable worker: the page keeps its numbers and no script error is raised", async () => {
  const v = await visitor();
  await v.page.route("**/v1/**", (route) => route.abort("connectionrefused"));
  await v.page.goto(`${worker.base}/t/plain.html`);
  await v.page.evaluate(() => window.dni.ready);
  assert.equal(await v.page.textContent("#phone"), ORIGINAL);
  assert.equal(await v.page.getAttribute("#call", "href"), "tel:+12125550100");
  // The browser itself reports a refused connection; nothing else may appear.
  assert.deepEqual(v.consoleErrors.filter((m) => !m.startsWith("Failed to load resource")), []);
  await v.context.close();
});

test("a first request that fails is sent once more, and the number is swapped", async () => {
  // (On the "fast" site, whose numbers cool down for a second after their release: the demo
  // pool's ten numbers are for the other tests.)
  for (const fault of ["abort", "503"]) {
    const v = await visitor();
    let failed = 0;
    await v.page.route("**/v1/sites/fast/leases", (route) => {
      if (failed++) return route.continue();
      return fault == "abort" ? route.abort("connectionreset") : route.fulfill({ status: 503, body: "{}" });
    });
    await v.page.goto(`${worker.base}/t/fast.html?utm_source=google&utm_medium=cpc`);
    await swappedText(v.page, "#phone", "(312) 555-0100");
    const leases = apiCalls(v, "/leases");
    assert.equal(leases.length, 2, `${fault}: the first request and one more`);
    assert.equal(leases[1].body, leases[0].body, `${fault}: the same request again`);
    assert.ok(JSON.parse(leases[1].body).tails, `${fault}: before the module`);
    // Leaving releases the number.
    await v.page.goto("about:blank");
    await v.context.close();
    await sleep(1100);
  }
});

test("anti-flicker: marked elements are hidden only until the swap", async () => {
  const v = await visitor();
  await v.page.goto(`${worker.base}/t/plain.html?utm_source=bing&utm_medium=cpc`);
  await swappedText(v.page, "#phone", ORIGINAL);
  assert.equal(await v.page.evaluate(() => document.documentElement.hasAttribute("data-dni-wait")), false);
  assert.equal(await v.page.evaluate(() => getComputedStyle(document.getElementById("phone")).visibility), "visible");
  await v.context.close();
});

test("the page's client does not read back what it wrote: no pass over the page after the swap", async () => {
  const v = await visitor();
  // Every value of a node the page's client reads (it reads texts and attributes by nodeValue).
  // Its own writes, and the anti-flicker attribute it removes from <html>, are no change to look
  // at again: no value it wrote is ever read.
  await v.page.addInitScript(() => {
    const value = Object.getOwnPropertyDescriptor(Node.prototype, "nodeValue");
    window.reads = [];
    Object.defineProperty(Node.prototype, "nodeValue", {
      ...value,
      get() {
        const v = value.get.call(this);
        window.reads.push(v);
        return v;
      },
    });
  });
  // (The "fast" site's page, with anti-flicker and a tel: link: the demo pool's numbers are the
  // other tests'.)
  await v.page.goto(`${worker.base}/t/readback.html?utm_source=bing&utm_medium=cpc`);
  const swapped = await swappedText(v.page, "#phone", "(312) 555-0100");
  const n = digits(swapped).slice(-4);
  const reads = await v.page.evaluate(async () => {
    await window.dni.ready;
    for (let i = 0; i < 3; i++) await new Promise((done) => requestAnimationFrame(done));
    await new Promise((done) => setTimeout(done, 200));
    return window.reads;
  });
  assert.ok(reads.some((r) => digits(r).endsWith("3125550100")), "the page's numbers were read");
  assert.deepEqual(reads.filter((r) => digits(r).endsWith(n)), [], "no value written was read");
  // What the page changes afterwards is still looked at.
  await v.page.evaluate(() => { document.getElementById("phone").textContent = "(312) 555-0100"; });
  await v.page.waitForFunction((want) => document.getElementById("phone").textContent == want, swapped, { timeout: 4000 });
  await v.page.goto("about:blank");
  await v.context.close();
});

test("an XHTML page's CDATA sections count in the walk: a number after one is swapped", async () => {
  const v = await visitor();
  // (The "fast" site's page, served as application/xhtml+xml: the text before the number is a
  // CDATA section's, which the page's text joins, so a walk that skipped such sections would reach
  // the number's node with its offsets off by the section's length, and miss it.)
  await v.page.goto(`${worker.base}/t/cdata.xhtml?utm_source=bing&utm_medium=cpc`);
  const kind = await v.page.evaluate(() => [document.contentType, document.getElementById("note").firstChild.nodeType]);
  assert.deepEqual(kind, ["application/xhtml+xml", 4], "an XML document with a CDATA section (node type 4)");
  assert.match(await swappedText(v.page, "#phone", "(312) 555-0100"), /^\(312\) 555-01\d\d$/);
  await v.page.goto("about:blank");
  await v.context.close();
});

test("a page kept in the back/forward cache keeps its number, and beats again when shown from there", async () => {
  const cached = await launchBrowser({ backForwardCache: true });
  try {
    const { page, context } = await newVisitor(cached);
    const requests = [];
    page.on("request", (r) => { if (r.url().includes("/v1/")) requests.push(`${r.method()} ${new URL(r.url()).pathname}`); });
    const beats = [];
    page.on("response", (r) => { if (r.url().endsWith("/heartbeat")) beats.push(r.status()); });
    await page.addInitScript(() => addEventListener("pageshow", (e) => { window.restored = e.persisted; }));
    // (The "restore" site's pool: a heartbeat is due every 40 s, so one within seconds is the
    // page's own on being shown again.)
    await page.goto(`${worker.base}/t/restore.html?utm_source=google&utm_medium=cpc`);
    const number = await swappedText(page, "#phone", "(617) 555-0100");
    assert.deepEqual(requests, ["POST /v1/sites/restore/leases"]);
    await page.goto(`${worker.base}/v1/sites/restore/public`);
    await sleep(300);
    await page.goBack({ waitUntil: "commit" });
    assert.equal(await page.evaluate(() => window.restored), true, "shown from the back/forward cache");
    assert.equal(await page.textContent("#phone"), number);
    await until("a heartbeat", () => beats.length, { timeout: 3000 });
    await sleep(300);
    assert.deepEqual(beats, [200], "one heartbeat, and the lease was kept while the page was in the cache");
    assert.deepEqual(requests.filter((r) => !r.endsWith("/heartbeat") && !r.endsWith("/public")), ["POST /v1/sites/restore/leases"], "no release, no new lease");
    await context.close();
  } finally {
    await cached.close();
  }
});

test("bots and automated browsers never take a number from a pool", async () => {
  const bot = await visitor({ userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" });
  await bot.page.goto(`${worker.base}/t/plain.html`);
  await bot.page.evaluate(() => window.dni.ready);
  assert.equal(await bot.page.textContent("#phone"), ORIGINAL);
  // A crawler's user agent is the worker's to judge (the page carries no list of them): it may ask,
  // and is given the site's own number, never one from the pool.
  for (const call of apiCalls(bot, "/leases")) {
    const answer = await (await fetch(call.url, { method: "POST", body: call.body, headers: { Origin: worker.base, "User-Agent": "Googlebot/2.1" } })).json();
    assert.ok(answer.numbers.every((n) => n.kind != "pool"), JSON.stringify(answer));
  }
  await bot.context.close();

  const driven = await visitor();
  await driven.page.addInitScript(() => Object.defineProperty(navigator, "webdriver", { get: () => true }));
  await driven.page.goto(`${worker.base}/t/plain.html`);
  await driven.page.evaluate(() => window.dni.ready);
  assert.equal(await driven.page.textContent("#phone"), ORIGINAL);
  assert.equal(apiCalls(driven, "/leases").length, 0);
  await driven.context.close();
});

/** Both storages' dni keys. */
const storage = (page) =>
  page.evaluate(() => ({
    local: Object.keys(localStorage).filter((k) => k.startsWith("dni.")).sort(),
    session: Object.keys(sessionStorage).filter((k) => k.startsWith("dni.")).sort(),
  }));
const KEYS = ["dni.config", "dni.journey", "dni.leases", "dni.session"];
const GA = [
  { name: "_ga", value: "GA1.1.1234567890.1700000000" },
  { name: "_ga_TEST123", value: "GS2.1.s1700000123$o3$g1$t1700000456" },
];

test("consent, full (no signal): local storage, session and touches sent, GA ids sent", async () => {
  const v = await visitor();
  await v.context.addCookies(GA.map((c) => ({ ...c, url: worker.base })));
  await v.page.goto(`${worker.base}/t/plain.html?utm_source=google&utm_medium=cpc&gclid=G1`);
  await swappedText(v.page, "#phone", ORIGINAL);
  assert.deepEqual(await storage(v.page), { local: KEYS, session: [] });
  const body = JSON.parse(apiCalls(v, "/leases")[0].body);
  assert.ok(body.session && body.page.url.includes("gclid=G1"), "session and the landing page sent");
  assert.deepEqual(body.tails, ["5550100"], "the loader's first request: the page's digits' tails");
  assert.deepEqual(body.ga, { client: GA[0].value, session: GA[1].value });
  // The tier is declared, never left for the worker to guess (the ad platforms' consent).
  assert.equal(body.consent, "full");
  assert.ok(apiCalls(v, "/leases").every((c) => JSON.parse(c.body).consent === "full"), "every request, the module's too");
  await v.context.close();
});

test("consent, session (data-consent or Global Privacy Control): session storage only, no GA ids", async () => {
  for (const how of ["attribute", "gpc"]) {
    const v = await visitor();
    await v.context.addCookies(GA.map((c) => ({ ...c, url: worker.base })));
    if (how == "gpc") await v.page.addInitScript(() => Object.defineProperty(navigator, "globalPrivacyControl", { get: () => true }));
    const path = how == "gpc" ? "/t/plain.html" : "/t/consent-session.html";
    await v.page.goto(`${worker.base}${path}?utm_source=google&utm_medium=cpc`);
    await swappedText(v.page, "#phone", ORIGINAL);
    assert.deepEqual(await storage(v.page), { local: [], session: KEYS }, how);
    const body = JSON.parse(apiCalls(v, "/leases")[0].body);
    assert.ok(body.session, how);
    assert.equal(body.ga, undefined, `${how}: no GA ids`);
    // The loader can tell the tier allows a session: its first request leaves before the module.
    assert.ok(body.tails, `${how}: the early request`);
    assert.equal(apiCalls(v, "/public").length, 0, `${how}: no request for the configuration`);
    assert.ok(apiCalls(v, "/leases").every((c) => JSON.parse(c.body).consent === "session"), `${how}: the session tier, declared`);
    await v.context.close();
  }
});

test("consent, none (data-consent or Consent Mode denied): a source-level number, nothing stored, no identifiers", async () => {
  for (const path of ["/t/consent-none.html", "/t/consent-mode.html"]) {
    const v = await visitor();
    await v.context.addCookies(GA.map((c) => ({ ...c, url: worker.base })));
    await v.page.goto(`${worker.base}${path}?utm_source=google&utm_medium=cpc&gclid=SECRET42&user=7`);
    const shown = await swappedText(v.page, "#phone", ORIGINAL);
    assert.equal(shown, "(212) 555-0111", `${path}: the site's Paid Search number`);
    assert.deepEqual(await storage(v.page), { local: [], session: [] }, path);
    assert.equal(apiCalls(v, "/leases").length, 0, `${path}: no lease`);
    // The loader tells the tier itself: its first request leaves before the module, with the
    // tails of the page's digits, and brings the configuration (no request for it).
    assert.equal(apiCalls(v, "/numbers").length, 1, `${path}: one request`);
    assert.equal(apiCalls(v, "/public").length, 0, `${path}: no request for the configuration`);
    const [call] = apiCalls(v, "/numbers");
    const body = JSON.parse(call.body);
    assert.deepEqual(body.tails, ["5550100"], `${path}: the early request`);
    assert.equal(body.session, undefined);
    const host = new URL(worker.base).hostname;
    assert.equal(body.page.url, `http://${host}/?utm_source=google&utm_medium=cpc&gclid=1`, "reduced to what classification reads");
    assert.ok(!call.body.includes("SECRET42") && !call.body.includes("user=7") && !call.body.includes("GA1."), path);
    await v.context.close();
  }
});

test("consent given later through dni.consent: the visitor then gets a pool number", async () => {
  const v = await visitor();
  await v.page.goto(`${worker.base}/t/consent-none.html?utm_source=newsletter&utm_medium=email`);
  assert.equal(await swappedText(v.page, "#phone", ORIGINAL), "(212) 555-0112", "the Email number first");
  await v.page.evaluate(() => window.dni.consent("full"));
  await v.page.waitForFunction(() => !["(212) 555-0100", "(212) 555-0112"].includes(document.getElementById("phone").textContent));
  assert.match(await v.page.textContent("#phone"), /^\(212\) 555-01(0[1-9]|10)$/);
  assert.equal(apiCalls(v, "/leases").length, 1);
  assert.deepEqual((await storage(v.page)).local, KEYS);
  await v.context.close();
});

test("heartbeats go out while the page is visible, not while it is hidden", async () => {
  // The "fast" site's pool has a 2 s idle timeout: the worker asks for a heartbeat every 667 ms.
  for (const hidden of [false, true]) {
    const v = await visitor();
    // The loader's heartbeat timer (its one setInterval) counts its turns: the positive signal that
    // a heartbeat would have gone out by then.
    await v.page.addInitScript(() => {
      const every = window.setInterval;
      window.turns = 0;
      window.setInterval = (f, ms) => every(() => { window.turns++; f(); }, ms);
    });
    if (hidden) {
      await v.page.addInitScript(() => {
        Object.defineProperty(document, "hidden", { get: () => true });
        Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
      });
    }
    await v.page.goto(`${worker.base}/t/fast.html`);
    await swappedText(v.page, "#phone", "(312) 555-0100");
    await until("two turns of the heartbeat timer", () => v.page.evaluate(() => window.turns >= 2));
    if (hidden) assert.equal(apiCalls(v, "/heartbeat").length, 0, "no heartbeat while hidden");
    else await until("a heartbeat while visible", () => apiCalls(v, "/heartbeat").length >= 2);
    await v.context.close();
  }
});

test("a returning visitor with a live lease sees its number at once, before any network", async () => {
  const v = await visitor();
  await v.page.goto(`${worker.base}/t/plain.html?utm_source=google&utm_medium=cpc`);
  const number = await swappedText(v.page, "#phone", ORIGINAL);
  // Every answer from the worker now takes three seconds.
  await v.page.route("**/v1/**", async (route) => {
    await sleep(3000);
    await route.continue().catch(() => {});
  });
  const started = Date.now();
  await v.page.goto(`${worker.base}/t/plain.html`);
  await v.page.waitForFunction((n) => document.getElementById("phone").textContent == n, number, { timeout: 2500 });
  assert.ok(Date.now() - started < 2500, "shown before the worker answered");
  await v.context.close();
});

test("a returning visitor back from a new click sees its number at once; the new touch follows in the background", async () => {
  // (The "returning" site's pool, so that the demo pool's ten numbers are for the other tests.)
  const v = await visitor();
  await v.page.goto(`${worker.base}/t/returning.html?utm_source=google&utm_medium=cpc`);
  const number = await swappedText(v.page, "#phone", "(415) 555-0100");
  const before = v.requests.length;
  // The worker's answers are held until the page has been looked at.
  let release;
  const held = new Promise((ok) => (release = ok));
  await v.page.route("**/v1/**", async (route) => {
    await held;
    await route.continue().catch(() => {});
  });
  await v.page.goto(`${worker.base}/t/returning.html?utm_source=bing&utm_medium=cpc&msclkid=NEWCLICK`);
  await v.page.waitForFunction((n) => document.getElementById("phone").textContent == n, number, { timeout: 5000 });
  // The number came first; the request goes out after it (its answer is held, so it is still
  // the only one once it has been seen).
  const leases = () => v.requests.slice(before).filter((r) => r.url.endsWith("/leases"));
  await until("the background request", () => leases().length > 0, { timeout: 5000 });
  const asked = leases();
  assert.equal(asked.length, 1, "one request, in the background");
  const body = JSON.parse(asked[0].body);
  assert.ok(body.leases?.length, "it renews the lease it holds");
  assert.match(body.page.url, /msclkid=NEWCLICK/, "with the new touch");
  release();
  await sleep(500);
  assert.equal(await v.page.textContent("#phone"), number, "the same number after the answer");
  await v.context.close();
});

test("when the worker says a lease is gone, the page asks for a fresh one", async () => {
  const v = await visitor();
  let gone = 0;
  await v.page.route("**/heartbeat", (route) => {
    gone++;
    return route.fulfill({ status: 410, contentType: "application/json", body: '{"error":"gone","code":"gone"}' });
  });
  await v.page.goto(`${worker.base}/t/fast.html`);
  await swappedText(v.page, "#phone", "(312) 555-0100");
  await until("a fresh lease asked for", () => apiCalls(v, "/leases").filter((r) => !r.url.includes("/heartbeat")).length >= 2);
  assert.ok(gone >= 1, "a heartbeat was answered 410");
  assert.match(await v.page.textContent("#phone"), /^\(312\) 555-010[12]$/);
  await v.context.close();
});

test("a returning visitor: its number at once, no request to the worker, the module from the browser's cache", async () => {
  const v = await visitor();
  await v.page.goto(`${worker.base}/t/plain.html?utm_source=google&utm_medium=cpc`);
  const number = await swappedText(v.page, "#phone", ORIGINAL);
  const first = apiCalls(v, "/v1/").map((r) => new URL(r.url).pathname);
  assert.deepEqual(first, ["/v1/sites/demo/leases"], "a new visitor: one request, the lease (the configuration comes with it)");
  const module = await v.page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).find((n) => n.endsWith(".wasm")));
  assert.match(module, /\/dni\/dni_client_bg\.[0-9a-f]{16}\.wasm$/, "the module's name carries its hash");
  const headers = (await fetch(module)).headers;
  assert.equal(headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal((await fetch(`${worker.base}/dni.js`)).headers.get("cache-control"), "public, max-age=300, stale-while-revalidate=86400");
  v.requests = [];
  await v.page.goto(`${worker.base}/t/plain.html`);
  await v.page.waitForFunction((n) => document.getElementById("phone").textContent == n, number, { timeout: 2500 });
  await v.page.evaluate(() => window.dni.ready);
  assert.deepEqual(v.requests.filter((r) => !r.url.includes("/heartbeat")), [], "no request to the worker");
  const cached = await v.page.evaluate(() => performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"))?.transferSize);
  assert.equal(cached, 0, "the module from the browser's cache, not revalidated");
  await v.context.close();
});

test("the first request: the tails of the page's digits, a landing safe without redaction, and a lease released when the page does not show its number", async () => {
  // A page whose JSON-LD-free text shows a number that only shares the target's last seven digits.
  const v = await visitor();
  const answer = v.page.waitForResponse((r) => r.url().endsWith("/v1/sites/fast/leases"));
  await v.page.goto(`${worker.base}/t/lookalike.html?utm_source=newsletter&utm_medium=email&email=jane%40example.com&gclid=Abc-123`);
  const leased = await (await answer).json();
  assert.equal(leased.numbers[0]?.kind, "pool", JSON.stringify(leased));
  await v.page.evaluate(() => window.dni.ready);
  const [early] = apiCalls(v, "/leases");
  const body = JSON.parse(early.body);
  assert.deepEqual(body.tails, ["5550100"]);
  const url = new URL(body.page.url);
  assert.equal(url.searchParams.get("email"), null, "a parameter that is neither a UTM tag nor a click id is not sent");
  assert.equal(url.searchParams.get("gclid"), "Abc-123");
  assert.equal(url.searchParams.get("utm_source"), "newsletter");
  assert.ok(!early.body.includes("jane"), "no address leaves the page");
  const kept = await v.page.evaluate(() => JSON.stringify(localStorage));
  assert.ok(kept.includes("utm_source=newsletter") && !kept.includes("jane"), `no address kept: ${kept}`);
  // +1 212 555 0100 ends like the "fast" site's +1 312 555 0100: leased, not shown, released at once.
  await until("the lease the page did not take released", () => apiCalls(v, "/release").length);
  assert.equal(apiCalls(v, "/release").length, 1, "released once");
  assert.equal(await v.page.textContent("#other"), "(212) 555-0100");
  await v.context.close();
});
