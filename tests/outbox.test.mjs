// The outbox end to end, in workerd: a visitor from an ad calls, the call completes, and GA4,
// Google Ads and the owner's webhook each receive exactly one correct message; receivers that fail
// (500, 429 with Retry-After, a timeout, down for a while) get the message once when they are back;
// a duplicate status callback sends nothing twice; a refused message is replayed by the operator;
// the Google Ads import file is served to its password. The receivers are capture servers on
// 127.0.0.1 that check each request's documented shape; webhook signatures are verified with the
// official `standardwebhooks` library.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startWorker, postTwilio, admin, ADMIN_TOKEN, TWILIO_AUTH_TOKEN, VISITOR_UA, visitorHeaders, ROOT, AD_QUERY } from "./harness.mjs";
import { Capture, checkGa4, checkOAuth, checkGoogleAds, checkMicrosoftAds, checkWebhook } from "./capture.mjs";

const CALLER = "+13105550199";
const CALLER_DIGITS = "3105550199";
const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const FEED_TOKEN = "feed-password-1";
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

const cap = {};
let worker;

before(async () => {
  cap.ga4 = await new Capture("ga4", checkGa4({ measurementId: "G-TEST123", apiSecret: "ga4-secret", callerDigits: CALLER_DIGITS }), () => ({ status: 204, body: "" })).start();
  cap.googleOAuth = await new Capture(
    "google oauth",
    checkOAuth({ clientId: "g-client", clientSecret: "g-secret", refreshToken: "g-refresh" }),
    () => ({ status: 200, body: JSON.stringify({ access_token: "ya29.test", expires_in: 3599, token_type: "Bearer" }) }),
  ).start();
  cap.googleAds = await new Capture(
    "google ads",
    checkGoogleAds({ customerId: "1234567890", conversionAction: "customers/1234567890/conversionActions/987654", developerToken: "g-dev", accessToken: "ya29.test", callerDigits: CALLER_DIGITS }),
    () => ({ status: 200, body: JSON.stringify({ results: [{ gclid: "x" }] }) }),
  ).start();
  cap.msOAuth = await new Capture(
    "microsoft oauth",
    checkOAuth({ clientId: "m-client", refreshToken: "m-refresh", scope: "https://ads.microsoft.com/msads.manage offline_access" }),
    () => ({ status: 200, body: JSON.stringify({ access_token: "ms.test", expires_in: 3600 }) }),
  ).start();
  cap.msAds = await new Capture(
    "microsoft ads",
    checkMicrosoftAds({ customerId: "1111", accountId: "2222", developerToken: "m-dev", accessToken: "ms.test" }),
    () => ({ status: 200, body: JSON.stringify({ PartialErrors: [] }) }),
  ).start();
  cap.hook = await new Capture("owner webhook", checkWebhook({ secret: WHSEC, callerDigits: CALLER_DIGITS }), () => ({ status: 200, body: "{}" })).start();

  // The site as the operator would configure it, its webhook pointing at the owner's endpoint
  // (here, the capture server), seeded before the worker starts.
  const site = JSON.parse(readFileSync(join(ROOT, "tests/sites/outbox.json"), "utf8"));
  site.integrations.webhooks[0].url = `${cap.hook.url}/hook`;
  mkdirSync(join(ROOT, "tests/.artifacts"), { recursive: true });
  const siteFile = "tests/.artifacts/outbox-site.json";
  writeFileSync(join(ROOT, siteFile), JSON.stringify(site));
  worker = await startWorker({
    name: "outbox",
    sites: [siteFile],
    secrets: {
      ADMIN_TOKEN,
      TWILIO_AUTH_TOKEN,
      GA4_API_SECRET: "ga4-secret",
      GOOGLE_ADS_CLIENT_ID: "g-client",
      GOOGLE_ADS_CLIENT_SECRET: "g-secret",
      GOOGLE_ADS_REFRESH_TOKEN: "g-refresh",
      GOOGLE_ADS_DEVELOPER_TOKEN: "g-dev",
      MICROSOFT_ADS_CLIENT_ID: "m-client",
      MICROSOFT_ADS_REFRESH_TOKEN: "m-refresh",
      MICROSOFT_ADS_DEVELOPER_TOKEN: "m-dev",
      WEBHOOK_SECRET_CRM: WHSEC,
      CONVERSION_FEED_TOKEN: FEED_TOKEN,
      GA4_ENDPOINT: cap.ga4.url,
      GOOGLE_OAUTH_TOKEN_URL: `${cap.googleOAuth.url}/token`,
      GOOGLE_ADS_ENDPOINT: cap.googleAds.url,
      MICROSOFT_OAUTH_TOKEN_URL: `${cap.msOAuth.url}/token`,
      MICROSOFT_ADS_ENDPOINT: cap.msAds.url,
      OUTBOX_RETRY_BASE_MS: "300",
      OUTBOX_TIMEOUT_MS: "1500",
    },
  });
});

after(async () => {
  await worker?.stop();
  for (const c of Object.values(cap)) await c.stop();
});

let sessions = 0;
/** A visit leased through a plain fetch with the page's lease body; returns the tracking number. */
async function visit(query, ga) {
  const session = `outbox-session-${++sessions}-abcdefgh`;
  const body = { session, targets: ["+14155550100"], page: { url: worker.base + query, referrer: "" } };
  if (ga) body.ga = ga;
  const r = await fetch(`${worker.base}/v1/sites/outbox/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200);
  const n = (await r.json()).numbers[0];
  assert.equal(n.kind, "pool");
  return n.number;
}

/** Twilio's two webhooks for a call: incoming, then the final status (signed with Twilio's library). */
async function call(sid, to, { duration = "42", status = "completed" } = {}) {
  const voice = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: sid, From: CALLER, To: to, CallStatus: "ringing" });
  assert.equal(voice.status, 200);
  return completed(sid, to, { duration, status });
}

async function completed(sid, to, { duration = "42", status = "completed" } = {}) {
  const r = await postTwilio(`${worker.base}/v1/twilio/status`, { CallSid: sid, From: CALLER, To: to, CallStatus: status, CallDuration: duration });
  assert.equal(r.status, 204);
  return Date.now();
}

const deliveriesOf = async (sid) => (await admin(worker.base, `/v1/sites/outbox/calls/${sid}/deliveries`)).json.deliveries;

/** Waits until none of the call's deliveries is pending. */
async function settled(sid, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const ds = await deliveriesOf(sid);
    if (ds.length > 0 && ds.every((d) => d.state !== "pending")) return ds;
    if (Date.now() > deadline) throw new Error(`deliveries of ${sid} still pending: ${JSON.stringify(ds)}`);
    await sleep(100);
  }
}

const forCall = (capture, sid, field) =>
  capture.requests.filter((r) => (field ? r.body.includes(field) : true) && r.body.includes(sid));
const state = (ds) => Object.fromEntries(ds.map((d) => [d.destination.kind === "webhook" ? `webhook.${d.destination.endpoint}` : d.destination.kind, d.state]));

test("a visitor from a Google Ads click calls: GA4, Google Ads and the webhook each get exactly one correct message", async () => {
  const number = await visit(AD_QUERY, { client: "GA1.1.123456789.1772370000", session: "GS2.1.s1772370100$o1$g1$t1772370200" });
  await call("CAout0001", number);
  // The same final callback again, twice: nothing is queued or sent twice.
  await completed("CAout0001", number);
  await completed("CAout0001", number, { duration: "99" });
  const ds = await settled("CAout0001");
  await sleep(1500); // anything sent twice would arrive by now
  assert.deepEqual(state(ds), { ga4: "delivered", google_ads: "delivered", microsoft_ads: "skipped", "webhook.crm": "delivered" });
  assert.equal(ds.find((d) => d.destination.kind === "microsoft_ads").answer, "no click id of this platform");

  const ga = cap.ga4.requests;
  assert.equal(ga.length, 1, "one GA4 event");
  assert.deepEqual(cap.ga4.problems(ga[0]), []);
  const event = JSON.parse(ga[0].body);
  assert.equal(event.client_id, "123456789.1772370000", "the visitor's own client id");
  assert.equal(event.events[0].params.session_id, "1772370100", "in the visitor's own session");
  assert.deepEqual(
    [event.events[0].params.channel, event.events[0].params.source, event.events[0].params.medium, event.events[0].params.campaign, event.events[0].params.term, event.events[0].params.duration, event.events[0].params.answered, event.events[0].params.tracking_number],
    ["Paid Search", "google", "cpc", "spring", "plumber", 42, 1, number],
  );

  assert.equal(cap.googleOAuth.requests.length, 1, "one token refresh");
  assert.deepEqual(cap.googleOAuth.problems(cap.googleOAuth.requests[0]), []);
  assert.equal(cap.googleAds.requests.length, 1, "one Google Ads upload");
  assert.deepEqual(cap.googleAds.problems(cap.googleAds.requests[0]), []);
  const upload = JSON.parse(cap.googleAds.requests[0].body).conversions[0];
  assert.equal(upload.gclid, "TEST123");
  assert.equal(upload.orderId, "CAout0001", "the call id deduplicates at Google");
  assert.match(upload.conversionDateTime, /-05:00$/, "in the site's time zone");

  assert.equal(cap.hook.requests.length, 1, "one webhook");
  assert.deepEqual(cap.hook.problems(cap.hook.requests[0]), [], "signature verified by standardwebhooks");
  assert.equal(cap.hook.requests[0].headers["webhook-id"], "CAout0001.webhook.crm.conversion");
  const hook = JSON.parse(cap.hook.requests[0].body);
  assert.equal(hook.type, "conversion");
  assert.deepEqual([hook.data.call_id, hook.data.click_id, hook.data.conversion.name], ["CAout0001", "TEST123", "Phone call"]);

  assert.equal(cap.msAds.requests.length, 0, "no msclkid, nothing to Microsoft");
  // The deliveries show on the call record.
  const detail = (await admin(worker.base, "/v1/sites/outbox/calls/CAout0001")).json.call;
  assert.equal(detail.deliveries.length, 4);
});

test("a call that is not a conversion sends nothing to GA4 or the ad platforms, and says why", async () => {
  const number = await visit(AD_QUERY, { client: "GA1.1.5.6" });
  await call("CAout0002", number, { duration: "12" }); // under the 30 s minimum
  const ds = await settled("CAout0002");
  assert.deepEqual(state(ds), { ga4: "skipped", google_ads: "skipped", microsoft_ads: "skipped", "webhook.crm": "skipped" });
  assert.ok(ds.every((d) => d.answer === "shorter than the minimum talk time"), JSON.stringify(ds));
  assert.equal(forCall(cap.hook, "CAout0002").length, 0);
});

test("a Microsoft Ads click: one offline conversion by msclkid, after one token refresh", async () => {
  const number = await visit("/?utm_source=bing&utm_medium=cpc&utm_campaign=brand&msclkid=MSCLK42", null);
  await call("CAout0003", number);
  const ds = await settled("CAout0003");
  assert.deepEqual(state(ds), { ga4: "skipped", google_ads: "skipped", microsoft_ads: "delivered", "webhook.crm": "delivered" });
  assert.equal(ds.find((d) => d.destination.kind === "ga4").answer, "no GA ids (the site does not send such calls)");
  assert.equal(cap.msOAuth.requests.length, 1);
  assert.deepEqual(cap.msOAuth.problems(cap.msOAuth.requests[0]), []);
  assert.equal(cap.msAds.requests.length, 1);
  assert.deepEqual(cap.msAds.problems(cap.msAds.requests[0]), []);
  assert.equal(JSON.parse(cap.msAds.requests[0].body).OfflineConversions[0].MicrosoftClickId, "MSCLK42");
});

test("500, 429 with Retry-After and a timeout are retried; the message is taken once", async () => {
  cap.ga4.script.push("500", "429:1", "hang");
  const before = cap.ga4.requests.length;
  const number = await visit(AD_QUERY, { client: "GA1.1.77.88" });
  await call("CAout0004", number);
  const ds = await settled("CAout0004", 30_000);
  await sleep(1000);
  const got = cap.ga4.requests.slice(before);
  assert.deepEqual(got.map((r) => r.answered), ["500", "429:1", "hang", "normal"]);
  assert.ok(got[2].at - got[1].at >= 950, `Retry-After honoured (${got[2].at - got[1].at} ms)`);
  const d = ds.find((x) => x.destination.kind === "ga4");
  assert.deepEqual([d.state, d.attempts], ["delivered", 4]);
  for (const r of got) assert.deepEqual(cap.ga4.problems(r), []);
});

test("a receiver down, then up, receives the message once", async () => {
  await cap.hook.down();
  const number = await visit(AD_QUERY, { client: "GA1.1.9.9" });
  await call("CAout0005", number);
  await sleep(2500);
  const pending = (await deliveriesOf("CAout0005")).find((d) => d.destination.kind === "webhook");
  assert.equal(pending.state, "pending");
  assert.ok(pending.attempts >= 2, `tried while down (${pending.attempts})`);
  assert.match(pending.answer, /^unreachable/);
  await cap.hook.start();
  const ds = await settled("CAout0005", 30_000);
  await sleep(1000);
  assert.equal(ds.find((d) => d.destination.kind === "webhook").state, "delivered");
  const got = forCall(cap.hook, "CAout0005");
  assert.equal(got.length, 1, "once");
  assert.deepEqual(cap.hook.problems(got[0]), []);
});

test("a 4xx is never retried; the operator replays it once the receiver is fixed", async () => {
  const normal = cap.hook.answer;
  cap.hook.answer = () => ({ status: 400, body: '{"error":"bad"}' });
  const number = await visit(AD_QUERY, { client: "GA1.1.3.4" });
  await call("CAout0006", number);
  const ds = await settled("CAout0006");
  const d = ds.find((x) => x.destination.kind === "webhook");
  assert.deepEqual([d.state, d.attempts, d.answer], ["failed", 1, '400: {"error":"bad"}']);
  await sleep(1000);
  assert.equal(forCall(cap.hook, "CAout0006").length, 1, "no retry after a 400");

  cap.hook.answer = normal;
  const path = `/v1/sites/outbox/deliveries/${d.id}/retry`;
  assert.equal((await fetch(worker.base + path, { method: "POST" })).status, 401, "replay needs the token");
  assert.equal((await admin(worker.base, "/v1/sites/outbox/deliveries/nope/retry", { method: "POST" })).status, 404);
  const replay = await admin(worker.base, path, { method: "POST" });
  assert.equal(replay.status, 202);
  const after = await settled("CAout0006");
  assert.equal(after.find((x) => x.destination.kind === "webhook").state, "delivered");
  const got = forCall(cap.hook, "CAout0006");
  assert.equal(got.length, 2);
  assert.equal(got[0].headers["webhook-id"], got[1].headers["webhook-id"], "the same id: the owner can drop a repeat");
});

test("the Google Ads import file: Google's format, behind a password", async () => {
  const url = `${worker.base}/v1/sites/outbox/conversions.csv`;
  assert.equal((await fetch(url)).status, 401);
  const wrong = Buffer.from("google:nope").toString("base64");
  assert.equal((await fetch(url, { headers: { Authorization: `Basic ${wrong}` } })).status, 401);
  const basic = Buffer.from(`google:${FEED_TOKEN}`).toString("base64");
  const r = await fetch(url, { headers: { Authorization: `Basic ${basic}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /text\/csv/);
  const lines = (await r.text()).split("\r\n");
  assert.equal(lines[0], "Parameters:TimeZone=-0500");
  assert.equal(lines[1], "Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency");
  const rows = lines.slice(2).filter(Boolean);
  // The converting calls with a gclid (not the 12-second call, not the Microsoft click).
  assert.equal(rows.length, 4, lines.join("\n"));
  for (const row of rows) assert.match(row, /^TEST123,Phone call,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},50,USD$/);
  assert.ok(!lines.join("").includes(CALLER_DIGITS));
});
