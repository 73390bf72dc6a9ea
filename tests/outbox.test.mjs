// The outbox end to end, in workerd: a visitor from an ad calls, the call completes, and GA4,
// Google Ads and the owner's webhook each receive exactly one correct message; receivers that fail
// (500, 429 with Retry-After, a timeout, down for a while) get the message once when they are back;
// a duplicate status callback sends nothing twice; a refused message is replayed by the operator;
// the Google Ads import file is served to its password; a call's start reaches the endpoints that
// asked for it, once, whatever the number of voice webhooks. The receivers are capture servers on
// 127.0.0.1 that check each request's documented shape; webhook signatures are verified with the
// official `standardwebhooks` library.
//
// Each test has a site of its own (its own call log, so its own outbox, token cache and
// conversions file), made when it starts, and counts only the requests the receivers got since it
// started: every test runs alone (`--test-name-pattern`) and in any order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { startWorker, postTwilio, admin, until, ADMIN_TOKEN, TWILIO_AUTH_TOKEN, VISITOR_UA, visitorHeaders, ROOT, AD_QUERY } from "./harness.mjs";
import { Capture, checkGa4, checkOAuth, checkGoogleAds, checkMicrosoftAds, checkWebhook, zoneOffsetMinutes } from "./capture.mjs";

const { Webhook } = createRequire(import.meta.url)("standardwebhooks");

const CALLER = "+13105550199";
const CALLER_DIGITS = "3105550199";
const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WHSEC_OPS = "whsec_b3BzLWVuZHBvaW50LXNlY3JldC0wMDAx";
const ZONE = "America/New_York"; // the test site's time_zone
const FEED_TOKEN = "feed-password-1";

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
    checkGoogleAds({ customerId: "1234567890", conversionAction: "customers/1234567890/conversionActions/987654", developerToken: "g-dev", accessToken: "ya29.test", callerDigits: CALLER_DIGITS, zone: ZONE }),
    () => ({ status: 200, body: JSON.stringify({ results: [{ gclid: "x" }] }) }),
  ).start();
  cap.msOAuth = await new Capture(
    "microsoft oauth",
    checkOAuth({ clientId: "m-client", refreshToken: "m-refresh", scope: "https://ads.microsoft.com/msads.manage offline_access" }),
    () => ({ status: 200, body: JSON.stringify({ access_token: "ms.test", expires_in: 3600 }) }),
  ).start();
  cap.msAds = await new Capture(
    "microsoft ads",
    checkMicrosoftAds({ customerId: "1111", accountId: "2222", developerToken: "m-dev", accessToken: "ms.test", callerDigits: CALLER_DIGITS }),
    () => ({ status: 200, body: JSON.stringify({ PartialErrors: [] }) }),
  ).start();
  cap.hook = await new Capture("owner webhook", checkWebhook({ secret: WHSEC, callerDigits: CALLER_DIGITS, types: ["conversion"] }), () => ({ status: 200, body: "{}" })).start();
  cap.started = await new Capture("owner's call.started endpoint", checkWebhook({ secret: WHSEC_OPS, callerDigits: CALLER_DIGITS, types: ["call.started"] }), () => ({ status: 204, body: "" })).start();

  worker = await startWorker({
    name: "outbox",
    sites: [],
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
      WEBHOOK_SECRET_OPS: WHSEC_OPS,
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

let sites = 0;
/**
 * A site of the test's own, `outbox-<name>`: tests/sites/outbox.json as the operator would
 * configure it, with pool numbers no other test's site routes and its webhooks pointing at the
 * owner's endpoints (here, the capture servers), stored through the operator API. Returns its id.
 */
async function siteFor(name) {
  const site = JSON.parse(readFileSync(join(ROOT, "tests/sites/outbox.json"), "utf8"));
  const k = ++sites;
  site.id = `outbox-${name}`;
  site.pools[0].numbers = [1, 2, 3, 4].map((i) => `+1415555${1000 + 10 * k + i}`);
  site.integrations.webhooks[0].url = `${cap.hook.url}/hook`;
  site.integrations.webhooks[1].url = `${cap.started.url}/started`;
  const r = await admin(worker.base, `/v1/sites/${site.id}/config`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(site) });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return site.id;
}

/** How many requests each receiver has had so far; `since(mark, name)`: those it got after. */
const mark = () => Object.fromEntries(Object.entries(cap).map(([name, c]) => [name, c.requests.length]));
const since = (m, name) => cap[name].requests.slice(m[name]);

let sessions = 0;
/** A visit to `site` leased through a plain fetch with the page's lease body; returns the tracking number. */
async function visit(site, query, ga) {
  const session = `outbox-session-${++sessions}-abcdefgh`;
  const body = { session, targets: ["+14155550100"], page: { url: worker.base + query, referrer: "" } };
  if (ga) body.ga = ga;
  const r = await fetch(`${worker.base}/v1/sites/${site}/leases`, {
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

const deliveriesOf = async (site, sid) => (await admin(worker.base, `/v1/sites/${site}/calls/${sid}/deliveries`)).json.deliveries;

/**
 * Waits until none of the call's deliveries is pending. A delivery is marked delivered or refused
 * only after its receiver answered, and the capture servers record a request when it arrives: once
 * settled, every message sent for the call has been captured, and each delivery's `attempts` says
 * how many times it was sent. So "nothing was sent twice" is checked from these, without waiting.
 */
const settled = (site, sid, timeout = 20_000) =>
  until(`the deliveries of ${sid} to settle`, async () => {
    const ds = await deliveriesOf(site, sid);
    return ds.length > 0 && ds.every((d) => d.state !== "pending") && ds;
  }, { timeout, every: 100 });

const forCall = (capture, sid, field) =>
  capture.requests.filter((r) => (field ? r.body.includes(field) : true) && r.body.includes(sid));
const state = (ds) => Object.fromEntries(ds.map((d) => [d.destination.kind === "webhook" ? `webhook.${d.destination.endpoint}` : d.destination.kind, d.state]));
const hookOf = (ds, endpoint = "crm") => ds.find((d) => d.destination.kind === "webhook" && d.destination.endpoint === endpoint);

test("a visitor from a Google Ads click calls: GA4, Google Ads and the webhook each get exactly one correct message", async () => {
  const site = await siteFor("ads");
  const m = mark();
  const number = await visit(site, AD_QUERY, { client: "GA1.1.123456789.1772370000", session: "GS2.1.s1772370100$o1$g1$t1772370200" });
  await call("CAout0001", number);
  // The same final callback again, twice: nothing is queued or sent twice.
  await completed("CAout0001", number);
  await completed("CAout0001", number, { duration: "99" });
  const ds = await settled(site, "CAout0001");
  // Nothing queued twice (one delivery per destination), nothing sent twice (each delivered once).
  assert.equal(ds.length, 5, JSON.stringify(ds));
  for (const d of ds.filter((d) => d.state === "delivered")) assert.equal(d.attempts, 1, JSON.stringify(d));
  assert.deepEqual(state(ds), { ga4: "delivered", google_ads: "delivered", microsoft_ads: "skipped", "webhook.crm": "delivered", "webhook.ops": "delivered" });
  assert.equal(ds.find((d) => d.destination.kind === "microsoft_ads").answer, "no click id of this platform");

  const ga = since(m, "ga4");
  assert.equal(ga.length, 1, "one GA4 event");
  assert.deepEqual(cap.ga4.problems(ga[0]), []);
  const event = JSON.parse(ga[0].body);
  assert.equal(event.client_id, "123456789.1772370000", "the visitor's own client id");
  assert.equal(event.events[0].params.session_id, "1772370100", "in the visitor's own session");
  assert.equal(event.events[0].params.call_id, "CAout0001", "the owner's dedupe key");
  assert.deepEqual(
    [event.events[0].params.channel, event.events[0].params.source, event.events[0].params.medium, event.events[0].params.campaign, event.events[0].params.term, event.events[0].params.duration, event.events[0].params.answered, event.events[0].params.tracking_number],
    ["Paid Search", "google", "cpc", "spring", "plumber", 42, 1, number],
  );

  const [oauth, ads] = [since(m, "googleOAuth"), since(m, "googleAds")];
  assert.equal(oauth.length, 1, "one token refresh");
  assert.deepEqual(cap.googleOAuth.problems(oauth[0]), []);
  assert.equal(ads.length, 1, "one Google Ads upload");
  assert.deepEqual(cap.googleAds.problems(ads[0]), []);
  const upload = JSON.parse(ads[0].body).conversions[0];
  assert.equal(upload.gclid, "TEST123");
  assert.equal(upload.orderId, "CAout0001", "the call id deduplicates at Google");
  // In the site's time_zone (America/New_York, not the legacy utc_offset_minutes of +60): the
  // offset New York had at the call's start (the capture check recomputes it from the instant).
  const off = zoneOffsetMinutes(ZONE, ads[0].at);
  assert.ok(upload.conversionDateTime.endsWith(`-0${-off / 60}:00`), `${upload.conversionDateTime} (offset ${off})`);

  const hooks = since(m, "hook");
  assert.equal(hooks.length, 1, "one webhook");
  assert.deepEqual(cap.hook.problems(hooks[0]), [], "signature verified by standardwebhooks");
  assert.equal(hooks[0].headers["webhook-id"], "CAout0001.webhook.crm.conversion");
  const hook = JSON.parse(hooks[0].body);
  assert.equal(hook.type, "conversion");
  assert.deepEqual([hook.data.call_id, hook.data.click_id, hook.data.conversion.name], ["CAout0001", "TEST123", "Phone call"]);

  assert.equal(since(m, "msAds").length, 0, "no msclkid, nothing to Microsoft");
  // The deliveries show on the call record.
  const detail = (await admin(worker.base, `/v1/sites/${site}/calls/CAout0001`)).json.call;
  assert.equal(detail.deliveries.length, 5);
});

test("a call that is not a conversion sends nothing to GA4 or the ad platforms, and says why", async () => {
  const site = await siteFor("short");
  const number = await visit(site, AD_QUERY, { client: "GA1.1.5.6" });
  await call("CAout0002", number, { duration: "12" }); // under the 30 s minimum
  const ds = await settled(site, "CAout0002");
  assert.deepEqual(state(ds), { ga4: "skipped", google_ads: "skipped", microsoft_ads: "skipped", "webhook.crm": "skipped", "webhook.ops": "delivered" });
  const ended = ds.filter((d) => d.destination.event !== "call.started");
  assert.ok(ended.every((d) => d.answer === "shorter than the minimum talk time"), JSON.stringify(ds));
  assert.equal(forCall(cap.hook, "CAout0002").length, 0);
});

test("a Microsoft Ads click: one offline conversion by msclkid, after one token refresh", async () => {
  const site = await siteFor("microsoft");
  const m = mark();
  const number = await visit(site, "/?utm_source=bing&utm_medium=cpc&utm_campaign=brand&msclkid=MSCLK42", null);
  await call("CAout0003", number);
  const ds = await settled(site, "CAout0003");
  assert.deepEqual(state(ds), { ga4: "skipped", google_ads: "skipped", microsoft_ads: "delivered", "webhook.crm": "delivered", "webhook.ops": "delivered" });
  assert.equal(ds.find((d) => d.destination.kind === "ga4").answer, "no GA ids (the site does not send such calls)");
  const [oauth, ms] = [since(m, "msOAuth"), since(m, "msAds")];
  assert.equal(oauth.length, 1);
  assert.deepEqual(cap.msOAuth.problems(oauth[0]), []);
  assert.equal(ms.length, 1);
  assert.deepEqual(cap.msAds.problems(ms[0]), []);
  assert.equal(JSON.parse(ms[0].body).OfflineConversions[0].MicrosoftClickId, "MSCLK42");
});

test("500, 429 with Retry-After and a timeout are retried; the message is taken once", async () => {
  const site = await siteFor("retry");
  cap.ga4.script.push("500", "429:1");
  cap.googleAds.script.push("hang");
  const m = mark();
  const number = await visit(site, AD_QUERY, { client: "GA1.1.77.88" });
  await call("CAout0004", number);
  const ds = await settled(site, "CAout0004", 30_000);
  const ga = since(m, "ga4");
  assert.deepEqual(ga.map((r) => r.answered), ["500", "429:1", "normal"]);
  assert.ok(ga[2].at - ga[1].at >= 950, `Retry-After honoured (${ga[2].at - ga[1].at} ms)`);
  const d = ds.find((x) => x.destination.kind === "ga4");
  assert.deepEqual([d.state, d.attempts], ["delivered", 3]);
  for (const r of ga) assert.deepEqual(cap.ga4.problems(r), []);
  // Google Ads times out once and is tried again: it drops a repeat by its order id (the call id).
  const ads = since(m, "googleAds");
  assert.deepEqual(ads.map((r) => r.answered), ["hang", "normal"]);
  assert.equal(JSON.parse(ads[0].body).conversions[0].orderId, JSON.parse(ads[1].body).conversions[0].orderId);
  assert.deepEqual(ds.find((x) => x.destination.kind === "google_ads").state, "delivered");
});

test("GA4 is not retried after a timeout (it may have counted it, and has no dedupe key): the delivery says so", async () => {
  const site = await siteFor("ga4-timeout");
  cap.ga4.script.push("hang");
  const m = mark();
  const number = await visit(site, AD_QUERY, { client: "GA1.1.55.66" });
  await call("CAout0008", number);
  const ds = await settled(site, "CAout0008", 30_000);
  // Failed is final: the delivery's own count says it was sent once, and the receiver saw that one.
  const d = ds.find((x) => x.destination.kind === "ga4");
  assert.deepEqual([d.state, d.attempts], ["failed", 1]);
  const ga = since(m, "ga4");
  assert.deepEqual(ga.map((r) => r.answered), ["hang"]);
  assert.match(d.answer, /^timeout: not retried, GA4 may have recorded it/);
  assert.equal(JSON.parse(ga[0].body).events[0].params.call_id, "CAout0008");
});

test("a receiver down, then up, receives the message once", async () => {
  const site = await siteFor("down");
  await cap.hook.down();
  let pending;
  try {
    const number = await visit(site, AD_QUERY, { client: "GA1.1.9.9" });
    await call("CAout0005", number);
    pending = await until("two attempts while the receiver is down", async () => {
      const d = hookOf(await deliveriesOf(site, "CAout0005"));
      return d?.attempts >= 2 && d;
    });
  } finally {
    await cap.hook.start();
  }
  assert.equal(pending.state, "pending");
  assert.match(pending.answer, /^unreachable/);
  const ds = await settled(site, "CAout0005", 30_000);
  assert.equal(hookOf(ds).state, "delivered");
  const got = forCall(cap.hook, "CAout0005");
  assert.equal(got.length, 1, "once");
  assert.deepEqual(cap.hook.problems(got[0]), []);
});

test("a 4xx is never retried; the operator replays it once the receiver is fixed", async () => {
  const site = await siteFor("replay");
  const normal = cap.hook.answer;
  cap.hook.answer = () => ({ status: 400, body: '{"error":"bad"}' });
  let ds;
  try {
    const number = await visit(site, AD_QUERY, { client: "GA1.1.3.4" });
    await call("CAout0006", number);
    ds = await settled(site, "CAout0006");
  } finally {
    cap.hook.answer = normal;
  }
  const d = hookOf(ds);
  // Failed is final, after one attempt: the receiver saw that one.
  assert.deepEqual([d.state, d.attempts, d.answer], ["failed", 1, '400: {"error":"bad"}']);
  assert.equal(forCall(cap.hook, "CAout0006").length, 1, "no retry after a 400");

  const path = `/v1/sites/${site}/deliveries/${d.id}/retry`;
  assert.equal((await fetch(worker.base + path, { method: "POST" })).status, 401, "replay needs the token");
  assert.equal((await admin(worker.base, `/v1/sites/${site}/deliveries/nope/retry`, { method: "POST" })).status, 404);
  const replay = await admin(worker.base, path, { method: "POST" });
  assert.equal(replay.status, 202);
  const after = await settled(site, "CAout0006");
  assert.equal(hookOf(after).state, "delivered");
  const got = forCall(cap.hook, "CAout0006");
  assert.equal(got.length, 2);
  assert.equal(got[0].headers["webhook-id"], got[1].headers["webhook-id"], "the same id: the owner can drop a repeat");
});

test("the Google Ads import file: Google's format, behind a password", async () => {
  const site = await siteFor("feed");
  // Two converting calls from a Google Ads click, one too short to convert, and one from a
  // Microsoft Ads click (no gclid).
  for (const [sid, query, duration] of [
    ["CAout0010", AD_QUERY, "42"],
    ["CAout0011", AD_QUERY, "95"],
    ["CAout0012", AD_QUERY, "12"],
    ["CAout0013", "/?utm_source=bing&utm_medium=cpc&utm_campaign=brand&msclkid=MSCLK43", "42"],
  ]) {
    await call(sid, await visit(site, query, { client: "GA1.1.10.20" }), { duration });
    await settled(site, sid);
  }
  const url = `${worker.base}/v1/sites/${site}/conversions.csv`;
  assert.equal((await fetch(url)).status, 401);
  const wrong = Buffer.from("google:nope").toString("base64");
  assert.equal((await fetch(url, { headers: { Authorization: `Basic ${wrong}` } })).status, 401);
  const basic = Buffer.from(`google:${FEED_TOKEN}`).toString("base64");
  const r = await fetch(url, { headers: { Authorization: `Basic ${basic}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /text\/csv/);
  const lines = (await r.text()).split("\r\n");
  assert.equal(lines[0], `Parameters:TimeZone=${ZONE}`, "the site's IANA zone, not the legacy offset");
  assert.equal(lines[1], "Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency");
  const rows = lines.slice(2).filter(Boolean);
  // The converting calls with a gclid (not the 12-second call, not the Microsoft click).
  assert.equal(rows.length, 2, lines.join("\n"));
  for (const row of rows) assert.match(row, /^TEST123,Phone call,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},50,USD$/);
  assert.ok(!lines.join("").includes(CALLER_DIGITS));
});

test("a call's start reaches the endpoints that asked for it once, signed, without the caller's number", async () => {
  const site = await siteFor("started");
  const number = await visit(site, AD_QUERY, { client: "GA1.1.11.22" });
  const before = cap.started.requests.length;
  const form = { CallSid: "CAout0009", From: CALLER, To: number, CallStatus: "ringing" };
  const t0 = Date.now();
  const voice = await postTwilio(`${worker.base}/v1/twilio/voice`, form);
  const answered = Date.now() - t0;
  assert.equal(voice.status, 200);
  assert.match(voice.body, /<Dial/);
  // The provider retries its webhook: the same call, again.
  assert.equal((await postTwilio(`${worker.base}/v1/twilio/voice`, form)).status, 200);
  await until("the call's start at the receiver", () => forCall(cap.started, "CAout0009").length);
  const arrived = Date.now() - t0;
  // The call ends, and all its deliveries settle: a second start message, queued by the second
  // voice webhook, would be among them, sent, by then.
  await completed("CAout0009", number);
  const ds = await settled(site, "CAout0009");
  const starts = ds.filter((d) => d.destination.event === "call.started");
  assert.equal(starts.length, 1, `one start message queued: ${JSON.stringify(starts)}`);
  assert.deepEqual([hookOf(ds, "ops").state, hookOf(ds, "ops").attempts], ["delivered", 1]);
  const got = forCall(cap.started, "CAout0009");
  assert.equal(got.length, 1, "once, though the voice webhook came twice");
  assert.equal(cap.started.requests.length - before, 1, "nothing else to this endpoint, the call's end neither");
  assert.deepEqual(cap.started.problems(got[0]), [], "verified by standardwebhooks, shape per the specification");
  assert.equal(got[0].headers["webhook-id"], "CAout0009.webhook.ops.call.started");
  const body = JSON.parse(got[0].body);
  assert.equal(body.type, "call.started");
  assert.deepEqual(Object.keys(body.data).sort(), ["call_id", "campaign", "channel", "click_id", "click_id_kind", "first_time", "medium", "site", "source", "started_at", "term", "tracking_number"]);
  assert.deepEqual(
    [body.data.call_id, body.data.tracking_number, body.data.channel, body.data.source, body.data.click_id_kind, body.data.click_id],
    ["CAout0009", number, "Paid Search", "google", "gclid", "TEST123"],
  );
  assert.ok(!got[0].body.includes(CALLER_DIGITS));
  assert.equal(state(ds)["webhook.crm"], "delivered");
  console.log(`call.started: voice answer in ${answered} ms, the message at the receiver ${arrived} ms after the webhook was sent`);
});

test("the capture servers refuse what the documented shapes refuse", () => {
  const ok = {
    ga4: { method: "POST", url: "/mp/collect?measurement_id=G-TEST123&api_secret=ga4-secret", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: "1.2", timestamp_micros: Date.now() * 1000 - 1e6, events: [{ name: "phone_call", params: { engagement_time_msec: 100, call_id: "CA1", channel: "Direct", duration: 5, answered: 1, tracking_number: "+14155550101" } }] }) },
    googleAds: { method: "POST", url: "/v24/customers/1234567890:uploadClickConversions", headers: { "content-type": "application/json", authorization: "Bearer ya29.test", "developer-token": "g-dev" }, body: JSON.stringify({ conversions: [{ gclid: "G", conversionAction: "customers/1234567890/conversionActions/987654", conversionDateTime: "2026-07-04 12:00:00-04:00", conversionValue: 1, currencyCode: "USD", orderId: "CA1" }], partialFailure: true }) },
    msAds: { method: "POST", url: "/CampaignManagement/v13/OfflineConversions/Apply", headers: { "content-type": "application/json", authorization: "Bearer ms.test", developertoken: "m-dev", customerid: "1111", customeraccountid: "2222" }, body: JSON.stringify({ OfflineConversions: [{ MicrosoftClickId: "M", ConversionName: "Call", ConversionTime: new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, "Z") }] }) },
  };
  const edit = (r, f) => {
    const b = JSON.parse(r.body);
    f(b);
    return { ...r, body: JSON.stringify(b) };
  };
  for (const [name, r] of Object.entries(ok)) assert.deepEqual(cap[name].problems(r), [], name);
  // (receiver, broken request, a problem it must report)
  const table = [
    ["ga4", edit(ok.ga4, (b) => (b.events[0].name = "session_start")), "event name format or reserved"],
    ["ga4", edit(ok.ga4, (b) => (b.events[0].params.google_x = 1)), "param name google_x"],
    ["ga4", edit(ok.ga4, (b) => (b.events[0].params.term = "x".repeat(101))), "param term over 100 characters"],
    ["ga4", edit(ok.ga4, (b) => delete b.events[0].params.call_id), "param call_id"],
    ["ga4", edit(ok.ga4, (b) => (b.timestamp_micros = Date.now() * 1000 - 73 * 3600e6)), "timestamp older than 72 h"],
    ["ga4", edit(ok.ga4, (b) => (b.clientId = b.client_id)), "unknown body field clientId"],
    ["googleAds", edit(ok.googleAds, (b) => (b.conversions[0].wbraid = "W")), "exactly one of gclid/gbraid/wbraid, got gclid,wbraid"],
    ["googleAds", edit(ok.googleAds, (b) => (b.conversions[0].conversionDateTime = "2026-07-04 12:00:00-05:00")), "conversionDateTime offset is not America/New_York's at that instant"],
    ["googleAds", edit(ok.googleAds, (b) => (b.conversions[0].conversionDateTime = "2026-07-04T12:00:00Z")), "conversionDateTime format"],
    ["googleAds", edit(ok.googleAds, (b) => (b.conversions[0].order_id = "x")), "unknown conversion field order_id"],
    ["googleAds", edit(ok.googleAds, (b) => delete b.conversions[0].orderId), "orderId (the dedupe key)"],
    ["googleAds", edit(ok.googleAds, (b) => (b.partialFailure = false)), "partialFailure must be true"],
    ["msAds", edit(ok.msAds, (b) => (b.OfflineConversions[0].ConversionTime = "2026-07-04T12:00:00-04:00")), "ConversionTime (UTC)"],
    ["msAds", edit(ok.msAds, (b) => delete b.OfflineConversions[0].ConversionName), "ConversionName"],
    ["msAds", edit(ok.msAds, (b) => (b.OfflineConversions[0].ConversionTime = "2020-01-01T00:00:00Z")), "ConversionTime outside the last 90 days"],
  ];
  for (const [name, r, want] of table) assert.ok(cap[name].problems(r).includes(want), `${name}: ${want} in ${JSON.stringify(cap[name].problems(r))}`);
  // A webhook signed with another secret, a stale one, and one with the wrong type.
  const body = JSON.stringify({ type: "call.started", timestamp: new Date().toISOString(), data: {} });
  const sign = (secret, ts) => new Webhook(secret).sign("msg_1", new Date(ts * 1000), body);
  const now = Math.floor(Date.now() / 1000);
  const hook = (sig, ts, b = body) => ({ method: "POST", url: "/started", headers: { "content-type": "application/json", "webhook-id": "msg_1", "webhook-timestamp": String(ts), "webhook-signature": sig }, body: b });
  assert.deepEqual(cap.started.problems(hook(sign(WHSEC_OPS, now), now)), []);
  assert.match(cap.started.problems(hook(sign(WHSEC, now), now)).join(), /standardwebhooks/);
  assert.match(cap.started.problems(hook(sign(WHSEC_OPS, now - 600), now - 600)).join(), /standardwebhooks/);
  assert.ok(cap.hook.problems(hook(new Webhook(WHSEC).sign("msg_1", new Date(now * 1000), body), now)).includes("type call.started not subscribed"));
});
