// Privacy by default (issue 15), through the real worker: a page that did not redact its URLs
// (an older loader, or a script of its own) still leaves no address in the visit or the call record.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startWorker, postTwilio, admin, VISITOR_UA, visitorHeaders } from "./harness.mjs";

let worker;
before(async () => {
  worker = await startWorker({ name: "privacy" });
});
after(async () => worker?.stop());

/** The landing page of the issue: a mailing tool appended the subscriber's address. */
const EMAIL_QUERY = "/?utm_source=newsletter&utm_medium=email&utm_campaign=june&email=jane%40example.com";
const UTM = "utm_source=newsletter&utm_medium=email&utm_campaign=june";
/** Every spelling of the address a store could hold. */
const ADDRESS = /jane(@|%40|%2540)example\.com/i;

/** Every file under a directory, with its bytes as text (SQLite keeps text as it is). */
function stateFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...stateFiles(path));
    else out.push({ path, text: readFileSync(path).toString("latin1") });
  }
  return out;
}

test("an unredacted lease request and a call leave no address in the visit or the call record", async () => {
  const landing = worker.base + EMAIL_QUERY;
  const touch = { landing, referrer: "https://mail.example/inbox/jane@example.com", at: Date.now() };
  // What a page that redacts nothing would send: the page's own body shape.
  const r = await fetch(`${worker.base}/v1/sites/demo/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({
      session: "privacy-session-0000001",
      targets: ["+12125550100"],
      page: { url: landing, referrer: touch.referrer },
      journey: { first: touch, last: touch },
    }),
  });
  assert.equal(r.status, 200);
  const [assigned] = (await r.json()).numbers;
  assert.equal(assigned.kind, "pool", "a pool number was leased");

  const call = { CallSid: "CAprivacy1", AccountSid: "AC0001", From: "+13105550199", To: assigned.number, CallStatus: "ringing", Direction: "inbound" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/voice`, call)).status, 200);
  const done = { ...call, CallStatus: "completed", CallDuration: "30" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/status`, done)).status, 204);

  const { json } = await admin(worker.base, "/v1/sites/demo/calls");
  const record = json.calls.find((c) => c.call_sid === "CAprivacy1");
  assert.ok(record, "the call is recorded");
  assert.equal(record.landing_page, `${worker.base}/?${UTM}&email=(redacted)`, "the landing page keeps its UTM tags, not the address");
  assert.equal(record.channel, "Email");
  assert.deepEqual([record.source, record.medium, record.campaign], ["newsletter", "email", "june"]);
  assert.doesNotMatch(JSON.stringify(record), ADDRESS, "no address anywhere in the record");

  // The stores themselves: the pool's visit, the call log, KV (SQLite files, their journals, blobs).
  const files = stateFiles(worker.state);
  const holding = files.filter((f) => ADDRESS.test(f.text)).map((f) => f.path);
  assert.deepEqual(holding, [], "no stored file holds the address");
  assert.ok(files.some((f) => f.text.includes(UTM)), "the stored visit keeps the UTM tags (the test reads the right files)");
});

test("the no-consent numbers request, redacted by the worker, still classifies by its UTM tags", async () => {
  const r = await fetch(`${worker.base}/v1/sites/demo/numbers`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({ targets: ["+12125550100"], page: { url: worker.base + EMAIL_QUERY, referrer: "" } }),
  });
  assert.equal(r.status, 200);
  const [assigned] = (await r.json()).numbers;
  assert.deepEqual([assigned.kind, assigned.number], ["static", "+12125550112"], "still classified as Email from its UTM tags");
});
