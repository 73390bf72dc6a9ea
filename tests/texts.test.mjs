// Texts to tracking numbers, end to end in workerd with Chromium: a visitor from an ad sees a
// number; a text to it (Twilio's Messaging webhook, signed by Twilio's own library) is attributed
// to the visit exactly as a call would be, forwarded to the business's mobile with its source
// (TwiML <Message>), and listed; a second text from the same person joins the same lead; a repeated
// delivery is kept and forwarded once; unsigned and tampered texts are refused; STOP and HELP are
// left to the provider (not kept, not forwarded, not answered); bad input is a 4xx that loses
// nothing. Telnyx's `message.received` event, signed with Ed25519 and judged by Telnyx's own
// library, is forwarded through a local stand-in for Telnyx's messaging API, and the request the
// worker sent is the one Telnyx's own client sends for the same text. Routing rules override the
// target's setting (a blocked sender's text only kept; an automatic reply, once per conversation).
// The owner's tools (/leads, /calls, reports by kind, the CSV), the integrations (text.received and
// the conversion to a Standard Webhooks capture, GA4 `text_message` in the visitor's session) and
// the erasure of the sender's number.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPairSync, sign as edSign } from "node:crypto";
import { createRequire } from "node:module";
import {
  startWorker, launchBrowser, newVisitor, swappedText, postTwilio, twilioSignature, admin,
  AD_QUERY, ADMIN_TOKEN, TWILIO_AUTH_TOKEN, ROOT,
} from "./harness.mjs";
import { Capture, checkGa4, checkWebhook, checkOAuth, checkGoogleAds } from "./capture.mjs";

const require = createRequire(import.meta.url);
const { TelnyxWebhook } = require("telnyx/lib/webhooks.js");
const Telnyx = require("telnyx").default ?? require("telnyx");

const MOBILE = "+12125550188";
const TELNYX_NUMBER = "+12125550113";
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const TELNYX_PUBLIC_KEY = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("base64");
const TELNYX_API_KEY = "KEYtelnyx-texts-0000";

// A local stand-in for Telnyx's messaging API: records every request.
const apiRequests = [];
const telnyxApi = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    apiRequests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, type: req.headers["content-type"], body });
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ data: { id: `out-${apiRequests.length}`, record_type: "message" } }));
  });
});

// The owner's webhook endpoint and GA4: capture servers that check what they receive
// (Standard Webhooks signatures with the `standardwebhooks` library, GA4's documented shape).
const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const cap = {};
const GA = [
  { name: "_ga", value: "GA1.1.1234567890.1700000000" },
  { name: "_ga_TEST123", value: "GS2.1.s1700000123$o3$g1$t1700000456" },
];

// The demo site, texting: forwarded to the business's mobile with the bodies kept; a Telnyx
// source-level number beside the pool; texts counted as conversions, sent to GA4 and to the
// owner's `text.received` and `conversion` webhooks.
const demo = JSON.parse(readFileSync(join(ROOT, "sites/demo.json"), "utf8"));
const SITE = {
  ...demo,
  keep_text_bodies: true,
  targets: [{
    ...demo.targets[0],
    texts: { forward: MOBILE },
    // The routing rules override the target's `texts`: a blocked sender's text is only kept; a text
    // to the newsletter's number gets an automatic reply instead of a forward.
    routing: [
      { name: "blocked", when: { callers: ["+1900"] }, then: "reject" },
      { name: "newsletter", when: { channels: ["Email"] }, then: { ring: { numbers: ["+12125550100"] } }, texts: { reply: "Thanks! We will text you back shortly." } },
    ],
  }],
  static_numbers: [
    ...demo.static_numbers,
    { number: TELNYX_NUMBER, target: "+12125550100", channel: "Organic Search", source: "bing", provider: "telnyx" },
  ],
};

let worker, browser;
before(async () => {
  await new Promise((ok) => telnyxApi.listen(0, "127.0.0.1", ok));
  cap.ga4 = await new Capture("ga4", checkGa4({ measurementId: "G-TEXTS1", apiSecret: "ga4-secret", eventName: "text_message", callerDigits: "3105550142" }), () => ({ status: 204, body: "" })).start();
  cap.googleOAuth = await new Capture(
    "google oauth",
    checkOAuth({ clientId: "g-client", clientSecret: "g-secret", refreshToken: "g-refresh" }),
    () => ({ status: 200, body: JSON.stringify({ access_token: "ya29.test", expires_in: 3599, token_type: "Bearer" }) }),
  ).start();
  cap.googleAds = await new Capture(
    "google ads",
    checkGoogleAds({ customerId: "1234567890", conversionAction: "customers/1234567890/conversionActions/987654", developerToken: "g-dev", accessToken: "ya29.test", callerDigits: "3105550142", zone: "America/New_York" }),
    () => ({ status: 200, body: JSON.stringify({ results: [{ gclid: "x" }] }) }),
  ).start();
  cap.hook = await new Capture("owner webhook", checkWebhook({ secret: WHSEC, callerDigits: "3105550142", types: ["text.received", "conversion"] })).start();
  SITE.integrations = {
    conversions: [{ name: "Text lead", kinds: ["text"], value: 10 }],
    ga4: { measurement_id: "G-TEXTS1" },
    google_ads: { customer_id: "123-456-7890", conversion_action: "987654", api: "google_ads_legacy" },
    webhooks: [{ id: "crm", url: `${cap.hook.url}/hook`, secret: "WEBHOOK_SECRET_CRM", events: ["text.received", "conversion"] }],
  };
  worker = await startWorker({
    name: "texts",
    secrets: {
      ADMIN_TOKEN,
      TWILIO_AUTH_TOKEN,
      TELNYX_PUBLIC_KEY,
      TELNYX_API_KEY,
      TELNYX_API_BASE: `http://127.0.0.1:${telnyxApi.address().port}`,
      GA4_API_SECRET: "ga4-secret",
      GA4_ENDPOINT: cap.ga4.url,
      WEBHOOK_SECRET_CRM: WHSEC,
      GOOGLE_ADS_CLIENT_ID: "g-client",
      GOOGLE_ADS_CLIENT_SECRET: "g-secret",
      GOOGLE_ADS_REFRESH_TOKEN: "g-refresh",
      GOOGLE_ADS_DEVELOPER_TOKEN: "g-dev",
      GOOGLE_OAUTH_TOKEN_URL: `${cap.googleOAuth.url}/token`,
      GOOGLE_ADS_ENDPOINT: cap.googleAds.url,
      OUTBOX_RETRY_BASE_MS: "300",
      OUTBOX_TIMEOUT_MS: "1500",
    },
  });
  const put = await admin(worker.base, "/v1/sites/demo/config", { method: "PUT", body: JSON.stringify(SITE) });
  assert.equal(put.status, 200, JSON.stringify(put.json));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await worker?.stop();
  telnyxApi.close();
  for (const c of Object.values(cap)) await c.stop();
});

const XML = '<?xml version="1.0" encoding="UTF-8"?><Response>';
const EMPTY = `${XML}</Response>`;
const SENDER = "+13105550142";
const state = {};
const sms = (params, options) => postTwilio(`${worker.base}/v1/twilio/sms`, params, options);
const text = (sid, body, extra = {}) => ({
  MessageSid: sid, SmsSid: sid, AccountSid: "ACtexts", From: SENDER, To: state.number, Body: body, NumMedia: "0",
  FromCity: "LOS ANGELES", ApiVersion: "2010-04-01", ...extra,
});
async function leads() {
  const { status, json } = await admin(worker.base, "/v1/sites/demo/leads?kind=text");
  assert.equal(status, 200, JSON.stringify(json));
  assert.ok(json.leads.every((l) => l.kind === "text"));
  return json.leads;
}

test("a visitor from a Google Ads click sees a tracking number", async () => {
  const { page, context } = await newVisitor(browser);
  await (context ?? page.context()).addCookies(GA.map((c) => ({ ...c, url: worker.base })));
  await page.goto(worker.base + AD_QUERY);
  const shown = await swappedText(page, "#phone-text", "(212) 555-0100");
  state.number = `+1${shown.replace(/\D/g, "")}`;
  assert.match(state.number, /^\+121255501(0[1-9]|10)$/);
});

test("unsigned and tampered texts are refused and leave nothing", async () => {
  const url = `${worker.base}/v1/twilio/sms`;
  const params = text("SMforged", "Hello");
  // (what, request options, params sent)
  const cases = [
    ["no signature", { signature: null }, params],
    ["signed with another token", { token: "not-the-token" }, params],
    ["the body changed after signing", { signature: twilioSignature(url, params) }, { ...params, Body: "Call me at once" }],
  ];
  for (const [why, options, sent] of cases) {
    const r = await sms(sent, options);
    assert.equal(r.status, 403, why);
    assert.match(r.type, /json/, why);
  }
  assert.deepEqual(await leads(), []);
});

test("a signed text is attributed to the visit and forwarded with its source", async () => {
  const r = await sms(text("SM0001", "Do you fix boilers? <today> & tomorrow"));
  assert.equal(r.status, 200, r.body);
  assert.match(r.type, /text\/xml/);
  assert.equal(r.body, `${XML}<Message to="${MOBILE}">From Paid Search/spring: Do you fix boilers? &lt;today&gt; &amp; tomorrow</Message></Response>`);
  const [lead] = await leads();
  const expected = {
    kind: "text", caller: SENDER, tracking_number: state.number, channel: "Paid Search", source: "google",
    medium: "cpc", campaign: "spring", term: "plumber", gclid: "TEST123", confidence: 1, number_kind: "pool",
    status: "received", forwarded_to: MOBILE,
  };
  for (const [field, value] of Object.entries(expected)) assert.deepEqual(lead[field], value, field);
  state.lead = lead.call_sid;
});

test("a second text from the same person joins the same lead; a repeated delivery counts once", async () => {
  const second = text("SM0002", "", { NumMedia: "1", MediaUrl0: "https://api.twilio.com/m/1", MediaContentType0: "image/jpeg" });
  const r = await sms(second);
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, `${XML}<Message to="${MOBILE}">From Paid Search/spring: [1 attachment]</Message></Response>`);
  for (const again of [second, text("SM0001", "Do you fix boilers? <today> & tomorrow")]) {
    const rep = await sms(again);
    assert.equal(rep.status, 200);
    assert.equal(rep.body, EMPTY, "a repeated delivery is not forwarded again");
  }
  const all = await leads();
  assert.equal(all.length, 1, "one lead");
  const { json } = await admin(worker.base, `/v1/sites/demo/calls/${state.lead}`);
  const messages = json.call?.messages ?? json.messages;
  assert.deepEqual(
    messages.map((m) => [m.id, m.body ?? null, m.media]),
    [["SM0001", "Do you fix boilers? <today> & tomorrow", 0], ["SM0002", "", 1]],
  );
});

test("STOP, HELP and the other keywords are the provider's: not kept, forwarded or answered", async () => {
  for (const [i, body] of ["STOP", "stop.", "HELP", "Unsubscribe", "START"].entries()) {
    const r = await sms({ ...text(`SMkw${i}`, body), From: "+13105550143" });
    assert.equal(r.status, 200, body);
    assert.equal(r.body, EMPTY, `${body}: nothing sent`);
  }
  assert.equal((await leads()).length, 1);
});

test("bad input is a clear 4xx and loses nothing already recorded", async () => {
  const { From, ...noFrom } = text("SMbad1", "hi");
  // (what, params, status, error)
  const table = [
    ["no From", noFrom, 400, /From/],
    ["a sender that is not a number", { ...text("SMbad2", "hi"), From: "anonymous" }, 400, /From/],
    ["a body longer than any text", text("SMbad3", "x".repeat(1601)), 400, /Body is too long/],
    ["a body over the request limit", text("SMbad4", "x".repeat(40_000)), 413, /too large/],
    ["a media field NumMedia does not cover", text("SMbad5", "hi", { MediaUrl3: "https://x" }), 400, /NumMedia/],
    ["a NumMedia that is not a count", text("SMbad6", "hi", { NumMedia: "lots" }), 400, /NumMedia/],
  ];
  for (const [what, params, status, error] of table) {
    const r = await sms(params);
    assert.equal(r.status, status, `${what}: ${r.body}`);
    assert.match(JSON.parse(r.body).error, error, what);
  }
  const all = await leads();
  assert.equal(all.length, 1, "the lead is still there");
  const { json } = await admin(worker.base, `/v1/sites/demo/calls/${state.lead}`);
  assert.equal((json.call?.messages ?? json.messages).length, 2, "with its two messages");
});

// Telnyx: `message.received`, JSON, Ed25519 over "{timestamp}|{body}".
function telnyxEvent(id, body, { from = "+13105550177", to = TELNYX_NUMBER, ts = Math.floor(Date.now() / 1000), tamper = false } = {}) {
  const event = {
    data: {
      event_type: "message.received", id: `ev-${id}`, occurred_at: new Date().toISOString(), record_type: "event",
      payload: {
        id, record_type: "message", direction: "inbound", type: "SMS", text: body, media: [],
        from: { phone_number: from, carrier: "T-Mobile USA", line_type: "Wireless" },
        to: [{ phone_number: to, status: "webhook_delivered" }],
      },
    },
    meta: { attempt: 1, delivered_to: "https://example.com/v1/telnyx/sms" },
  };
  const raw = JSON.stringify(event);
  const signature = edSign(null, Buffer.from(`${ts}|${raw}`), privateKey).toString("base64");
  return { body: tamper ? raw.replace("+13105550177", "+13105550178") : raw, headers: { "telnyx-signature-ed25519": signature, "telnyx-timestamp": String(ts) } };
}
async function postTelnyx(delivery) {
  const r = await fetch(`${worker.base}/v1/telnyx/sms`, { method: "POST", headers: { "Content-Type": "application/json", ...delivery.headers }, body: delivery.body });
  return { status: r.status, body: await r.text() };
}
async function telnyxVerdict(delivery) {
  try {
    await new TelnyxWebhook(TELNYX_PUBLIC_KEY).verify(delivery.body, delivery.headers);
    return "accepted";
  } catch {
    return "refused";
  }
}

test("Telnyx: a signed text is forwarded through the messaging API as Telnyx's own client sends it", async () => {
  const genuine = telnyxEvent("msg-0001", "Is Saturday OK?");
  // (what, delivery, Telnyx's library, worker status)
  const table = [
    ["tampered after signing", telnyxEvent("msg-0001", "Is Saturday OK?", { tamper: true }), "refused", 403],
    ["unsigned", { body: genuine.body, headers: {} }, "refused", 403],
    ["stale: 330 s old", telnyxEvent("msg-0001", "Is Saturday OK?", { ts: Math.floor(Date.now() / 1000) - 330 }), "refused", 403],
    ["signed", genuine, "accepted", 204],
    ["replayed", genuine, "accepted", 403],
  ];
  for (const [what, delivery, library, status] of table) {
    assert.equal(await telnyxVerdict(delivery), library, `Telnyx's library: ${what}`);
    const r = await postTelnyx(delivery);
    assert.equal(r.status, status, `worker: ${what}: ${r.body}`);
  }
  assert.equal(apiRequests.length, 1, "one text sent");
  const ours = apiRequests[0];
  // The same text through Telnyx's own client, at the same stand-in.
  const client = new Telnyx({ apiKey: TELNYX_API_KEY, baseURL: `http://127.0.0.1:${telnyxApi.address().port}/v2`, maxRetries: 0 });
  await client.messages.send({ from: TELNYX_NUMBER, to: MOBILE, text: "From Organic Search/bing: Is Saturday OK?" });
  const theirs = apiRequests[1];
  assert.deepEqual(
    [ours.method, ours.url, ours.authorization, ours.type.split(";")[0], JSON.parse(ours.body)],
    [theirs.method, theirs.url, theirs.authorization, theirs.type.split(";")[0], JSON.parse(theirs.body)],
  );
  const lead = (await leads()).find((l) => l.tracking_number === TELNYX_NUMBER);
  assert.equal(lead.provider, "telnyx");
  assert.equal(lead.channel, "Organic Search");
  // A delivery report of the text we sent is not a text to us.
  const report = JSON.stringify({ data: { event_type: "message.finalized", id: "ev-x", payload: { id: "out-1" } } });
  const ts = Math.floor(Date.now() / 1000);
  const sig = edSign(null, Buffer.from(`${ts}|${report}`), privateKey).toString("base64");
  const r = await postTelnyx({ body: report, headers: { "telnyx-signature-ed25519": sig, "telnyx-timestamp": String(ts) } });
  assert.equal(r.status, 204);
  assert.equal((await leads()).length, 2);
});

test("the owner's tools: /leads lists calls and texts, /calls calls only, reports group by kind, the CSV says which", async () => {
  const call = { CallSid: "CAtexts1", From: "+13105550199", To: state.number, CallStatus: "ringing" };
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/voice`, call)).status, 200);
  const all = (await admin(worker.base, "/v1/sites/demo/leads")).json.leads;
  assert.deepEqual(all.map((l) => l.kind).sort(), ["call", "text", "text"]);
  const calls = (await admin(worker.base, "/v1/sites/demo/calls")).json.calls;
  assert.deepEqual(calls.map((l) => [l.call_sid, l.kind]), [["CAtexts1", "call"]], "/calls keeps listing calls");
  const texts = (await admin(worker.base, "/v1/sites/demo/calls?kind=text")).json.calls;
  assert.equal(texts.length, 2, "/calls with kind=text");
  const byKind = (await admin(worker.base, "/v1/sites/demo/reports/kind")).json.rows;
  assert.deepEqual(byKind.map((r) => [r.key, r.calls, r.texts]).sort(), [["call", 1, 0], ["text", 2, 2]]);
  const summary = (await admin(worker.base, "/v1/sites/demo/reports/summary?kind=text")).json.rows[0];
  assert.equal(summary.calls, 2);
  const r = await fetch(`${worker.base}/v1/sites/demo/leads?format=csv`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.match(r.headers.get("content-disposition"), /leads-demo-/);
  const lines = (await r.text()).trim().split("\r\n");
  assert.equal(lines[0].split(",")[2], "kind");
  assert.deepEqual(lines.slice(1).map((l) => l.split(",")[2]).sort(), ["call", "text", "text"]);
});

/** Waits until `capture` has received what `pick` finds, or fails. */
async function received(capture, pick, what) {
  for (let i = 0; i < 100; i++) {
    const found = capture.requests.filter(pick);
    if (found.length) return found;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`${what}: nothing received`);
}

test("integrations: text.received and the conversion to the owner's webhook, text_message to GA4 in the visitor's session, the conversion to Google Ads, once per conversation", async () => {
  await received(cap.googleAds, (r) => r.body.includes(state.lead), "Google Ads");
  const hooks = await received(cap.hook, (r) => r.body.includes(state.lead), "webhooks");
  await received(cap.hook, (r) => r.body.includes(state.lead) && r.body.includes('"conversion"'), "the conversion");
  const ga = await received(cap.ga4, (r) => r.body.includes(state.lead), "GA4");
  // Wait a little longer: nothing more may come for the second text or the repeats.
  await new Promise((ok) => setTimeout(ok, 1500));
  const ofLead = (c) => c.requests.filter((r) => r.body.includes(state.lead));
  for (const c of Object.values(cap)) {
    for (const r of c.requests) assert.deepEqual(c.check(r), [], `${c.name}: ${r.body}`);
  }
  const types = ofLead(cap.hook).map((r) => JSON.parse(r.body).type).sort();
  assert.deepEqual(types, ["conversion", "text.received"], "once each per conversation");
  const event = JSON.parse(hooks.find((r) => JSON.parse(r.body).type === "text.received").body);
  assert.equal(event.data.kind, "text");
  assert.equal(event.data.channel, "Paid Search");
  assert.ok(!JSON.stringify(event).includes("3105550142"), "never the sender's number");
  assert.ok(!JSON.stringify(event).includes("boilers"), "nor the words");
  assert.equal(ofLead(cap.ga4).length, 1);
  const uploads = ofLead(cap.googleAds);
  assert.equal(uploads.length, 1, "one Google Ads upload for the conversation");
  const upload = JSON.parse(uploads[0].body).conversions[0];
  assert.deepEqual([upload.gclid, upload.orderId, upload.conversionValue], ["TEST123", state.lead, 10]);
  const body = JSON.parse(ga[0].body);
  assert.equal(body.events[0].name, "text_message");
  assert.equal(body.client_id, "1234567890.1700000000", "the visitor's own client id");
  assert.equal(body.events[0].params.session_id, "1700000123", "in the visitor's session");
});

test("erasing the sender's number deletes their texts with their words", async () => {
  const r = await admin(worker.base, `/v1/sites/demo/callers/${encodeURIComponent(SENDER)}`, { method: "DELETE" });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.erased_calls, 1, "the one conversation");
  assert.ok(!(await leads()).some((l) => l.caller === SENDER));
});

test("routing rules decide what a text does: a blocked sender's is only kept; the newsletter's number answers the first text once", async () => {
  // (what, from, to, body, answer)
  const reply = `${XML}<Message to="+13105550144">Thanks! We will text you back shortly.</Message></Response>`;
  const table = [
    ["a blocked sender", "+19005550100", state.number, "cheap loans", EMPTY],
    ["a first text to the newsletter's number", "+13105550144", "+12125550112", "Hi, about the offer", reply],
    ["the same conversation again: no second reply", "+13105550144", "+12125550112", "Still there?", EMPTY],
  ];
  for (const [i, [what, from, to, body, answer]] of table.entries()) {
    const r = await sms({ ...text(`SMrule${i}`, body), From: from, To: to });
    assert.equal(r.status, 200, what);
    assert.equal(r.body, answer, what);
  }
  const all = await leads();
  const blocked = all.find((l) => l.caller === "+19005550100");
  assert.deepEqual([blocked.routing.name, blocked.routing.action, blocked.forwarded_to], ["blocked", "keep", null]);
  const newsletter = all.find((l) => l.caller === "+13105550144");
  assert.deepEqual([newsletter.channel, newsletter.routing.name, newsletter.routing.action], ["Email", "newsletter", "reply"]);
  assert.equal(newsletter.messages.length, 2, "one conversation");
});
