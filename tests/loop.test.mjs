// Steps 3-6 of the loop, for real: a visitor from an ad sees a tracking number, a second visitor
// another; the number is called (Twilio's webhook, signed by Twilio's library), the call is forwarded
// and completed once, and the report shows it attributed to the ad.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, launchBrowser, newVisitor, swappedText, postTwilio, admin, AD_QUERY } from "./harness.mjs";

let worker, browser;
before(async () => {
  worker = await startWorker({ name: "loop" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await worker?.stop();
});

const ORIGINAL_TEXT = "(212) 555-0100";
const POOL = /^\(212\) 555-01(0[1-9]|10)$/;

/**
 * A new visitor on the page at `query`, shown a pool number; returns its page, the text shown and
 * the number in E.164. Each test that needs a visit makes its own (the pool has ten numbers, and
 * pages stay open until the browser closes, so no number is handed out twice in this file).
 */
async function visitor(query = AD_QUERY) {
  const { page, consoleErrors } = await newVisitor(browser);
  await page.goto(worker.base + query);
  const text = await swappedText(page, "#phone-text", ORIGINAL_TEXT);
  assert.match(text, POOL, "the text shows a pool number, formatted as the page wrote it");
  return { page, consoleErrors, text, number: `+1${text.replace(/\D/g, "")}` };
}

/** The report's rows of one call. */
const rowsOf = async (sid) => (await admin(worker.base, "/v1/sites/demo/calls")).json.calls.filter((c) => c.call_sid === sid);

test("a visitor from a Google Ads click sees a tracking number in the page's own format", async () => {
  const { page, consoleErrors, text } = await visitor();
  assert.equal(await page.textContent("#phone"), text, "every occurrence is swapped");
  const digits = text.replace(/\D/g, "");
  assert.equal(await page.getAttribute("#call", "href"), `tel:+1${digits}`, "the tel: link dials the same number");
  // Places a swap must not touch.
  assert.equal(await page.textContent("footer [data-dni-noswap]"), ORIGINAL_TEXT, "no-swap zone untouched");
  const jsonLd = await page.textContent('script[type="application/ld+json"]');
  assert.match(jsonLd, /\+1-212-555-0100/, "JSON-LD untouched");
  assert.deepEqual(consoleErrors, [], "the console stays clean");
});

test("a second visitor at the same time gets a different number", async () => {
  const first = await visitor();
  const second = await visitor("/?utm_source=bing&utm_medium=cpc&msclkid=M1");
  assert.notEqual(second.number, first.number);
});

test("the same visitor reloading keeps its number", async () => {
  const { page, number } = await visitor();
  await page.reload();
  const text = await swappedText(page, "#phone-text", ORIGINAL_TEXT);
  assert.equal(`+1${text.replace(/\D/g, "")}`, number);
});

test("unsigned and tampered webhooks get 403 and leave no record", async () => {
  const url = `${worker.base}/v1/twilio/voice`;
  // (A pool number: the webhook is refused before anything reads it.)
  const params = { CallSid: "CAforged", From: "+13105550199", To: "+12125550101", CallStatus: "ringing" };
  // (what is wrong, request options, params sent)
  const cases = [
    ["no signature", { signature: null }, params],
    ["signed with another token", { token: "not-the-token" }, params],
    ["a parameter changed after signing", { signature: (await import("./harness.mjs")).twilioSignature(url, params) }, { ...params, To: "+12125550102" }],
    ["garbage signature", { signature: "AAAA" }, params],
  ];
  for (const [why, options, sent] of cases) {
    const r = await postTwilio(url, sent, options);
    assert.equal(r.status, 403, why);
    assert.match(r.type, /json/, why);
    assert.ok(JSON.parse(r.body).error, why);
  }
  assert.deepEqual(await rowsOf("CAforged"), [], "nothing was recorded");
});

/** A call to `to` whose webhooks each arrive more than once, as providers retry them. */
async function repeatedCall(sid, to) {
  const voice = { CallSid: sid, AccountSid: "AC0001", From: "+13105550199", To: to, CallStatus: "ringing", Direction: "inbound" };
  const answers = [];
  for (const attempt of ["first", "repeated"]) answers.push([attempt, await postTwilio(`${worker.base}/v1/twilio/voice`, voice)]);
  const status = { CallSid: sid, AccountSid: "AC0001", From: "+13105550199", To: to, CallStatus: "completed", CallDuration: "42" };
  for (const attempt of ["first", "repeated", "again"]) {
    const r = await postTwilio(`${worker.base}/v1/twilio/status`, status);
    assert.equal(r.status, 204, attempt);
  }
  // A later, different duration for the same call changes nothing.
  await postTwilio(`${worker.base}/v1/twilio/status`, { ...status, CallDuration: "99" });
  return answers;
}

test("the call is forwarded at once, recorded against the visit, and completed once", async () => {
  const { number } = await visitor();
  const forward =
    '<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="30" action="/v1/twilio/dial?site=demo&amp;rule=-&amp;step=0"><Number statusCallbackEvent="answered" statusCallback="/v1/twilio/answered?site=demo&amp;step=0">+12125550100</Number></Dial></Response>';
  for (const [attempt, r] of await repeatedCall("CA0001", number)) {
    assert.equal(r.status, 200, attempt);
    assert.match(r.type, /text\/xml/, attempt);
    assert.equal(r.body, forward, `${attempt}: TwiML forwards to the business line`);
  }
  const rows = await rowsOf("CA0001");
  assert.equal(rows.length, 1, "one record, however often the webhooks repeated");
  assert.deepEqual([rows[0].tracking_number, rows[0].status, rows[0].duration_s], [number, "answered", 42]);
});

test("the report shows the call attributed to the ad, and needs the token", async () => {
  const open = await fetch(`${worker.base}/v1/sites/demo/calls`);
  assert.equal(open.status, 401);
  assert.match((await open.json()).error, /Bearer/);
  const wrong = await fetch(`${worker.base}/v1/sites/demo/calls`, { headers: { Authorization: "Bearer nope" } });
  assert.equal(wrong.status, 401);

  const { number } = await visitor();
  await repeatedCall("CA0003", number);
  const { status, json } = await admin(worker.base, "/v1/sites/demo/calls");
  assert.equal(status, 200);
  const rows = json.calls.filter((c) => c.call_sid === "CA0003");
  assert.equal(rows.length, 1, "one call, however often the webhooks repeated");
  const call = rows[0];
  const expected = {
    caller: "+13105550199",
    tracking_number: number,
    channel: "Paid Search",
    source: "google",
    medium: "cpc",
    campaign: "spring",
    term: "plumber",
    gclid: "TEST123",
    duration_s: 42,
    status: "answered",
    confidence: 1,
    number_kind: "pool",
    forwarded_to: "+12125550100",
  };
  for (const [field, value] of Object.entries(expected)) {
    assert.deepEqual(call[field], value, field);
  }
  assert.equal(call.landing_page, worker.base + AD_QUERY);
  assert.ok(Math.abs(call.started_at - Date.now()) < 120_000, "start time is now");
  assert.equal(call.attribution.model, "last_non_direct");
  assert.equal(call.attribution.first.channel, "Paid Search");
});

test("callbacks out of order: a status before its webhook, then the webhook, make one whole record", async () => {
  const { number: to } = await visitor();
  const status = { CallSid: "CA0002", From: "+13105550142", To: to, CallStatus: "completed", CallDuration: "7" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/status`, status)).status, 204);
  const voice = { CallSid: "CA0002", From: "+13105550142", To: to, CallStatus: "ringing" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/voice`, voice)).status, 200);
  const rows = await rowsOf("CA0002");
  assert.equal(rows.length, 1, "one record");
  const [call] = rows;
  assert.deepEqual(
    [call.site, call.status, call.duration_s, call.channel, call.gclid, call.number_kind, call.tracking_number],
    ["demo", "answered", 7, "Paid Search", "TEST123", "pool", to],
  );
});
