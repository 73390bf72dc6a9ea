// Privacy by default on the page (issue 15), in Chromium, at every consent tier: a visitor who
// lands from a tagged email with their address (or a phone number, or a value the site lists) in
// the URL or the referrer leaves no trace of it in the page's storage, in any request the page
// sends, in the visit or in the call record; the UTM tags survive everywhere.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startWorker, launchBrowser, newVisitor, swappedText, postTwilio, admin } from "./harness.mjs";

let worker, browser;
before(async () => {
  // One site for every landing (its pool holds a number for each visitor of the run), which lists
  // a parameter of its own to redact.
  worker = await startWorker({ name: "privacy-page", sites: ["tests/sites/private.json"] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await worker?.stop();
});

const ORIGINAL = "(212) 555-0100";
const UTM = "utm_source=newsletter&utm_medium=email&utm_campaign=june";
/** Every spelling of what must not survive: the address (plain, once or twice encoded), the
 * caller-like number of the phone variant, the site-listed value. */
const SECRET = /jane(@|%40|%2540)example\.com|310\D{0,3}555\D{0,3}0199|SECRETREF7/i;

/** (name, path and query and fragment after the origin, referrer) */
const LANDINGS = [
  ["address in a parameter", `/landing/?${UTM}&email=jane%40example.com`, ""],
  ["address in the path", `/landing/users/jane@example.com/?${UTM}`, ""],
  ["address in the fragment", `/landing/?${UTM}#contact=jane@example.com`, ""],
  ["address encoded twice", `/landing/?${UTM}&next=https%3A%2F%2Fa.com%2F%3Fe%3Djane%2540example.com`, ""],
  ["address in an unlisted parameter", `/landing/?${UTM}&subscriber=jane@example.com&gclid=G1`, ""],
  ["phone number in a parameter", `/landing/?${UTM}&caller=%2B1%20310%20555%200199`, ""],
  ["a parameter the site lists", `/landing/?${UTM}&ref_code=SECRETREF7`, ""],
  ["referrer carrying an address", `/landing/?${UTM}`, "https://mail.example.org/inbox/jane@example.com?u=jane%40example.com"],
];

/** The tiers, as a page declares them or the browser signals them. */
const TIERS = [
  { tier: "full", consent: null, gpc: false },
  { tier: "session", consent: "session", gpc: false },
  { tier: "session (Global Privacy Control)", consent: null, gpc: true },
  { tier: "none", consent: "none", gpc: false },
];

const page = (site, consent) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Landing</title></head>
<body><p>Call <span id="phone">${ORIGINAL}</span></p>
<script src="/dni.js" data-site="${site}"${consent ? ` data-consent="${consent}"` : ""} async></script></body></html>`;

/** Everything the page keeps: both storages (keys and values) and its cookies. */
const kept = (p) => p.evaluate(() => {
  const dump = (s) => Object.fromEntries(Object.keys(s).map((k) => [k, s.getItem(k)]));
  return JSON.stringify({ local: dump(localStorage), session: dump(sessionStorage), cookies: document.cookie });
});

/** Every file under the worker's state directory, as text. */
function stateFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...stateFiles(path));
    else out.push({ path, text: readFileSync(path).toString("latin1") });
  }
  return out;
}

let calls = 0;

for (const { tier, consent, gpc } of TIERS) {
  test(`consent ${tier}: no address, number or listed value survives in storage, requests, visit or call`, async () => {
    for (const [name, path, referrer] of LANDINGS) {
      const site = "private";
      const v = await newVisitor(browser);
      const sent = [];
      v.page.on("request", (r) => {
        if (r.url().startsWith(worker.base) && !r.url().includes("/landing/")) sent.push({ url: r.url(), body: r.postData() ?? "" });
      });
      // The landing page, at any path, is served by the test; the loader and the API by the worker.
      await v.page.route(`${worker.base}/landing/**`, (route) =>
        route.fulfill({ status: 200, contentType: "text/html", body: page(site, consent) }));
      if (gpc) await v.page.addInitScript(() => Object.defineProperty(navigator, "globalPrivacyControl", { get: () => true }));
      if (referrer) {
        // The visitor follows a link from a webmail page that sends its full URL as the referrer.
        await v.page.route(`${new URL(referrer).origin}/**`, (route) => route.fulfill({
          status: 200, contentType: "text/html",
          body: `<meta name="referrer" content="unsafe-url"><a id="go" href="${worker.base + path}">open</a>`,
        }));
        await v.page.goto(referrer);
        await Promise.all([v.page.waitForURL(`${worker.base}/landing/**`), v.page.click("#go")]);
        assert.equal(await v.page.evaluate(() => document.referrer), referrer, "the page saw the full referrer");
      } else await v.page.goto(worker.base + path);
      const shown = await swappedText(v.page, "#phone", ORIGINAL);
      await v.page.evaluate(() => window.dni.ready);
      const what = `${tier}, ${name}`;

      // The page's storage.
      const storage = await kept(v.page);
      assert.doesNotMatch(storage, SECRET, `${what}: storage ${storage}`);
      if (tier == "none") assert.equal(storage, JSON.stringify({ local: {}, session: {}, cookies: "" }), `${what}: nothing stored`);
      else assert.ok(storage.includes(UTM), `${what}: the journey keeps the UTM tags (${storage})`);

      // Every request the page sent to the worker (the loader's, the module's, heartbeats).
      assert.ok(sent.some((r) => r.body.includes("page")), `${what}: a lease or numbers request was sent`);
      for (const r of sent) {
        assert.doesNotMatch(r.url + r.body, SECRET, `${what}: ${r.url} ${r.body}`);
        if (r.body.includes('"page"')) assert.ok(JSON.parse(r.body).page.url.includes(UTM), `${what}: UTM tags sent (${r.body})`);
      }
      if (name.includes("unlisted")) assert.ok(sent.some((r) => r.body.includes("gclid=")), `${what}: the click id is sent`);

      // The call from the number the page shows: its record keeps the UTM tags, not the secret.
      const number = "+1" + shown.replace(/\D/g, "");
      const sid = `CApriv${++calls}`;
      const call = { CallSid: sid, AccountSid: "AC0001", From: "+13125550142", To: number, CallStatus: "ringing", Direction: "inbound" };
      assert.equal((await postTwilio(`${worker.base}/v1/twilio/voice`, call)).status, 200, what);
      assert.equal((await postTwilio(`${worker.base}/v1/twilio/status`, { ...call, CallStatus: "completed", CallDuration: "20" })).status, 204, what);
      const { json } = await admin(worker.base, `/v1/sites/${site}/calls`);
      const record = json.calls.find((c) => c.call_sid === sid);
      assert.ok(record, `${what}: the call is recorded`);
      assert.doesNotMatch(JSON.stringify(record), SECRET, `${what}: the call record`);
      if (tier != "none") {
        assert.equal(record.channel, "Email", `${what}: classified from the UTM tags`);
        assert.ok(record.landing_page.includes(UTM), `${what}: landing page ${record.landing_page}`);
        // The page's path and the worker's give the same landing: what the page sent is what the
        // worker kept (its own redaction changed nothing).
        const lease = sent.find((r) => r.url.endsWith("/leases"));
        assert.equal(record.landing_page, JSON.parse(lease.body).page.url, `${what}: the worker kept what the page sent`);
      }
      await v.context.close();
    }
  });
}

test("no stored file of the worker holds an address, a caller-like number from a URL, or a listed value", () => {
  const files = stateFiles(worker.state);
  const holding = files.filter((f) => SECRET.test(f.text)).map((f) => f.path);
  assert.deepEqual(holding, []);
  assert.ok(files.some((f) => f.text.includes(UTM)), "the stored visits keep the UTM tags (the test reads the right files)");
});
