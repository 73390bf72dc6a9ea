// The ad platforms end to end, in workerd: calls from visitors who came from an ad reach Google
// through the Data Manager API (the default), each once, with the consent the page declared; a
// call without a click id goes with the caller's hashed number only where the site opted in and
// the visit's tier allowed it; Google's asynchronous diagnostics are read back onto the delivery.
// The capture servers on 127.0.0.1 refuse what the documented shape refuses; then every captured
// body is decoded by the platform's own library (tests/ads_check.py, PyPI pins in scripts/setup).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { startWorker, postTwilio, admin, ADMIN_TOKEN, TWILIO_AUTH_TOKEN, visitorHeaders, ROOT, AD_QUERY, launchBrowser, newVisitor, swappedText } from "./harness.mjs";
import { Capture, checkOAuth, checkDataManager, checkMeta, checkWebhook, checkGoogleAds, checkGoogleAdsAdjustment } from "./capture.mjs";

const CALLER = "+13105550142";
const CALLER_DIGITS = "3105550142";
const ZONE = "America/New_York";
const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

const cap = {};
let worker;
let requestIds = 0;
const statusOf = new Map(); // request id -> the answers requestStatus:retrieve gives, in turn

/** Google's answers: a request id for an ingest; diagnostics, in turn, for a retrieve. */
function dataManagerAnswer(r) {
  if (r.url.startsWith("/v1/requestStatus:retrieve")) {
    const id = new URL(r.url, "http://x").searchParams.get("requestId");
    const turns = statusOf.get(id) ?? [];
    const status = turns.length > 1 ? turns.shift() : turns[0] ?? "SUCCESS";
    const d = { requestStatus: status, destination: {} };
    if (status === "FAILED") d.errorInfo = { errorCounts: [{ recordCount: "1", reason: "INVALID_GCLID" }] };
    return { status: 200, body: JSON.stringify({ requestStatusPerDestination: [d] }) };
  }
  const body = JSON.parse(r.body);
  if (body.validateOnly) return { status: 200, body: "{}" };
  const id = `req-${++requestIds}`;
  const tx = body.events?.[0]?.transactionId ?? "";
  statusOf.set(id, tx.endsWith("bad") ? ["PROCESSING", "FAILED"] : ["PROCESSING", "SUCCESS"]);
  return { status: 200, body: JSON.stringify({ requestId: id }) };
}

before(async () => {
  cap.googleOAuth = await new Capture(
    "google oauth",
    checkOAuth({ clientId: "g-client", clientSecret: "g-secret", refreshToken: "g-refresh" }),
    () => ({ status: 200, body: JSON.stringify({ access_token: "ya29.dm", expires_in: 3599, token_type: "Bearer" }) }),
  ).start();
  cap.dm = await new Capture(
    "data manager",
    checkDataManager({ customerId: "1234567890", conversionActionId: "987654", accessToken: "ya29.dm", callerDigits: CALLER_DIGITS, zone: ZONE }),
    dataManagerAnswer,
  ).start();
  cap.meta = await new Capture(
    "meta graph",
    checkMeta({ datasetId: "1234567890", accessToken: "EAA.meta", callerDigits: CALLER_DIGITS }),
    () => ({ status: 200, body: JSON.stringify({ events_received: 1, messages: [], fbtrace_id: "AbC" }) }),
  ).start();
  // The legacy Google Ads API (an allowlisted developer token): the upload and the adjustments.
  const legacy = { customerId: "1234567890", conversionAction: "customers/1234567890/conversionActions/987654", developerToken: "g-dev", accessToken: "ya29.dm", callerDigits: CALLER_DIGITS, zone: ZONE };
  const [upload, adjust] = [checkGoogleAds(legacy), checkGoogleAdsAdjustment(legacy)];
  cap.ads = await new Capture(
    "google ads (legacy)",
    (r) => (r.url.endsWith(":uploadConversionAdjustments") ? adjust(r) : upload(r)),
    (r) => ({ status: 200, body: JSON.stringify(r.url.endsWith(":uploadConversionAdjustments") ? { results: [{ orderId: "x" }] } : { results: [{ gclid: "TEST123" }] }) }),
  ).start();
  cap.hook = await new Capture("owner webhook", checkWebhook({ secret: WHSEC, callerDigits: CALLER_DIGITS, types: ["call.qualified"] }), () => ({ status: 204, body: "" })).start();
  // The qualified site's webhook points at the capture server (seeded before the worker starts).
  const qualified = JSON.parse(readFileSync(join(ROOT, "tests/sites/ads-qualified.json"), "utf8"));
  qualified.integrations.webhooks[0].url = `${cap.hook.url}/hook`;
  const qualifiedFile = "tests/.artifacts/ads-qualified-site.json";
  mkdirSync(join(ROOT, "tests/.artifacts"), { recursive: true });
  writeFileSync(join(ROOT, qualifiedFile), JSON.stringify(qualified));
  worker = await startWorker({
    name: "ads",
    sites: ["tests/sites/ads.json", qualifiedFile, "tests/sites/ads-legacy.json"],
    // The ads site's tag on a page, at the full tier (no signal) and at the session tier.
    pages: { "ads.html": adsPage(""), "ads-session.html": adsPage(' data-consent="session"') },
    secrets: {
      ADMIN_TOKEN,
      TWILIO_AUTH_TOKEN,
      GOOGLE_ADS_CLIENT_ID: "g-client",
      GOOGLE_ADS_CLIENT_SECRET: "g-secret",
      GOOGLE_ADS_REFRESH_TOKEN: "g-refresh",
      GOOGLE_ADS_LOGIN_CUSTOMER_ID: "111-222-3333",
      GOOGLE_OAUTH_TOKEN_URL: `${cap.googleOAuth.url}/token`,
      GOOGLE_DATA_MANAGER_ENDPOINT: cap.dm.url,
      GOOGLE_ADS_ENDPOINT: cap.ads.url,
      GOOGLE_ADS_DEVELOPER_TOKEN: "g-dev",
      META_ACCESS_TOKEN: "EAA.meta",
      WEBHOOK_SECRET_CRM: WHSEC,
      META_GRAPH_ENDPOINT: cap.meta.url,
      OUTBOX_RETRY_BASE_MS: "200",
      OUTBOX_TIMEOUT_MS: "1500",
    },
  });
});

after(async () => {
  await browser?.close();
  await worker?.stop();
  for (const c of Object.values(cap)) await c.stop();
});

let browser;
/** A page of the ads site showing its number, with the tag's attributes `attrs`. */
function adsPage(attrs) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Ads</title></head>
<body><p>Call <span id="phone">(415) 555-0200</span></p><script src="/dni.js" data-site="ads"${attrs} async></script></body></html>`;
}

let sessions = 0;
/** A visit leased with the page's lease body at a declared consent tier; returns the number.
 * `firstSeen`: the landing was an earlier view of the page's, at that time (ms), and this page
 * view is a later one of the same visit (no query). */
async function visit(query, consent, site = "ads", target = "+14155550200", fbp, firstSeen) {
  const session = `ads-session-${++sessions}-abcdefghij`;
  const body = { session, targets: [target], page: { url: worker.base + query, referrer: "" } };
  if (firstSeen) {
    body.page.url = `${worker.base}/contact`;
    body.views = [{ landing: worker.base + query, referrer: "", at: firstSeen }];
  }
  if (consent) body.consent = consent;
  if (fbp) body.fbp = fbp;
  const r = await fetch(`${worker.base}/v1/sites/${site}/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, await r.clone().text());
  const n = (await r.json()).numbers[0];
  assert.equal(n.kind, "pool");
  return n.number;
}

async function call(sid, to, duration = "64") {
  const voice = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: sid, From: CALLER, To: to, CallStatus: "ringing" });
  assert.equal(voice.status, 200);
  const r = await postTwilio(`${worker.base}/v1/twilio/status`, { CallSid: sid, From: CALLER, To: to, CallStatus: "completed", CallDuration: duration });
  assert.equal(r.status, 204);
}

async function settled(sid, timeout = 20_000, site = "ads") {
  const deadline = Date.now() + timeout;
  for (;;) {
    const ds = (await admin(worker.base, `/v1/sites/${site}/calls/${sid}/deliveries`)).json.deliveries;
    if (ds.length > 0 && ds.every((d) => d.state !== "pending")) return ds;
    if (Date.now() > deadline) throw new Error(`deliveries of ${sid} still pending: ${JSON.stringify(ds)}`);
    await sleep(100);
  }
}

const ingestsOf = (sid) => cap.dm.requests.filter((r) => r.method === "POST" && r.body.includes(`"${sid}"`));
const googleOf = (ds) => ds.find((d) => d.destination.kind === "google_ads");

test("a call from a Google Ads click goes through the Data Manager API once, with the declared consent, and its diagnostics are read back", async () => {
  // (call id, landing query, declared tier, delivery state, consent sent, what the delivery says)
  const table = [
    ["CAdm0001", AD_QUERY, "full", "delivered", "CONSENT_GRANTED", /^request req-\d+: SUCCESS$/],
    ["CAdm0002", AD_QUERY, "session", "delivered", "CONSENT_DENIED", /^request req-\d+: SUCCESS$/],
    ["CAdm0003", AD_QUERY, undefined, "delivered", undefined, /^request req-\d+: SUCCESS$/],
    ["CAdm0004bad", AD_QUERY, "full", "failed", "CONSENT_GRANTED", /^request req-\d+: FAILED, INVALID_GCLID x1$/],
  ];
  for (const [sid, query, tier] of table) await call(sid, await visit(query, tier));
  for (const [sid, , tier, state, consent, says] of table) {
    const ds = await settled(sid);
    const g = googleOf(ds);
    assert.equal(g.state, state, `${sid}: ${JSON.stringify(g)}`);
    assert.match(g.answer, says, sid);
    const sent = ingestsOf(sid);
    assert.equal(sent.length, 1, `${sid}: one ingest`);
    assert.deepEqual(cap.dm.problems(sent[0]), [], sid);
    const body = JSON.parse(sent[0].body);
    const e = body.events[0];
    assert.deepEqual(e.adIdentifiers, { gclid: "TEST123" }, sid);
    assert.equal(e.transactionId, sid);
    assert.equal(e.conversionValue, 75);
    assert.deepEqual(body.destinations[0].loginAccount, { accountType: "GOOGLE_ADS", accountId: "1112223333" });
    assert.equal(e.consent?.adUserData, consent, `${sid} (${tier})`);
    assert.equal(e.consent?.adPersonalization, consent, `${sid} (${tier})`);
    assert.equal(e.userData, undefined, `${sid}: a click id, no user data`);
  }
  // Each request's diagnostics were asked for until final (PROCESSING, then the answer).
  const retrieves = cap.dm.requests.filter((r) => r.method === "GET");
  assert.ok(retrieves.length >= 2 * table.length, `${retrieves.length} retrieves`);
  for (const r of retrieves) assert.deepEqual(cap.dm.problems(r), []);
  assert.equal(cap.googleOAuth.requests.length, 1, "one token for every request");
});

test("a call without a click id: the hashed number only where the site opted in and the full tier allowed it", async () => {
  // (call id, declared tier, delivery state, skip reason)
  const table = [
    ["CAdm0101", "full", "delivered", null],
    ["CAdm0102", "session", "skipped", "no click id of this platform"],
    ["CAdm0103", undefined, "skipped", "no click id of this platform"],
  ];
  for (const [sid, tier] of table) await call(sid, await visit("/?utm_source=newsletter&utm_medium=email", tier));
  for (const [sid, , state, why] of table) {
    const g = googleOf(await settled(sid));
    assert.equal(g.state, state, `${sid}: ${JSON.stringify(g)}`);
    const sent = ingestsOf(sid);
    if (why) {
      assert.equal(g.answer, why);
      assert.equal(sent.length, 0, `${sid}: nothing sent`);
      continue;
    }
    assert.equal(sent.length, 1);
    assert.deepEqual(cap.dm.problems(sent[0]), [], sid);
    const e = JSON.parse(sent[0].body).events[0];
    assert.equal(e.adIdentifiers, undefined);
    assert.match(e.userData.userIdentifiers[0].phoneNumber, /^[0-9a-f]{64}$/);
  }
});

test("a conversion that requires a qualification is sent once the call is tagged, by an operator or a report token allowed to qualify", async () => {
  const site = "ads-qualified";
  const qualify = (sid, body, auth) =>
    fetch(`${worker.base}/v1/sites/${site}/calls/${sid}/qualification`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${auth}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  await call("CAq0001", await visit(AD_QUERY, "full", site, "+14155550300"));
  let g = googleOf(await settled("CAq0001", 20_000, site));
  assert.equal(g.state, "skipped");
  assert.equal(g.answer, "not qualified as the conversion requires");
  assert.equal(ingestsOf("CAq0001").length, 0, "nothing sent before the call is qualified");

  // Report tokens: read-only ones may not qualify; one given the qualify scope may.
  const token = async (scopes) => (await admin(worker.base, `/v1/sites/${site}/report-tokens`, { method: "POST", body: JSON.stringify({ name: "agency client", scopes }) })).json.token;
  const [readOnly, qualifier] = [await token([]), await token(["qualify"])];
  const refused = await qualify("CAq0001", { tags: ["booked"] }, readOnly);
  assert.equal(refused.status, 401, await refused.text());
  const bad = await qualify("CAq0001", { tags: ["booked"], status: "maybe" }, qualifier);
  assert.equal(bad.status, 400);
  const ok = await qualify("CAq0001", { tags: ["Booked", "repeat"], status: "good", value: 310 }, qualifier);
  assert.equal(ok.status, 200, await ok.clone().text());
  const q = (await ok.json()).qualification;
  assert.deepEqual([q.tags, q.status, q.value, q.by], [["booked", "repeat"], "good", 310, { kind: "operator" }]);
  g = googleOf(await settled("CAq0001", 20_000, site));
  assert.equal(g.state, "delivered", JSON.stringify(g));
  const sent = ingestsOf("CAq0001");
  assert.equal(sent.length, 1, "sent once, when qualified");
  assert.deepEqual(cap.dm.problems(sent[0]), []);
  assert.equal(JSON.parse(sent[0].body).events[0].conversionValue, 310, "the qualification's value");

  // Qualified again, as spam: nothing is sent to Google twice (the Data Manager API cannot retract
  // it); the owner's endpoint hears of each qualification, signed, with its own webhook-id.
  assert.equal((await qualify("CAq0001", { tags: ["booked"], status: "spam" }, ADMIN_TOKEN)).status, 200);
  const deadline = Date.now() + 10_000;
  while (cap.hook.requests.length < 2 && Date.now() < deadline) await sleep(100);
  assert.equal(ingestsOf("CAq0001").length, 1);
  const hooks = cap.hook.requests;
  assert.equal(hooks.length, 2, "one call.qualified per qualification");
  for (const h of hooks) assert.deepEqual(cap.hook.problems(h), []);
  assert.notEqual(hooks[0].headers["webhook-id"], hooks[1].headers["webhook-id"]);
  const last = JSON.parse(hooks[1].body);
  assert.equal(last.type, "call.qualified");
  assert.deepEqual([last.data.call_id, last.data.qualification.tags, last.data.qualification.status, last.data.qualification.qualified_by], ["CAq0001", ["booked"], "spam", "operator"]);
  assert.ok(!hooks.some((h) => h.body.includes(CALLER_DIGITS)));
  // The call's detail carries its qualification; an unknown call is a 404.
  const detail = (await admin(worker.base, `/v1/sites/${site}/calls/CAq0001`)).json.call;
  assert.deepEqual(detail.qualification.tags, ["booked"]);
  // The Data Manager API cannot retract: the call's deliveries say so, once.
  const retraction = (await settled("CAq0001", 20_000, site)).filter((d) => d.destination.kind === "google_ads_retraction");
  assert.equal(retraction.length, 1, JSON.stringify(retraction));
  assert.equal(retraction[0].state, "skipped");
  assert.match(retraction[0].answer, /^Google's Data Manager API cannot retract a conversion/);
  assert.equal((await qualify("CAnope", {}, ADMIN_TOKEN)).status, 404);

  // A short call: the rules qualify it as bad at its end; it is never sent.
  await call("CAq0002", await visit(AD_QUERY, "full", site, "+14155550300"), "3");
  g = googleOf(await settled("CAq0002", 20_000, site));
  assert.equal(g.state, "skipped");
  const short = (await admin(worker.base, `/v1/sites/${site}/calls/CAq0002`)).json.call.qualification;
  assert.deepEqual([short.tags, short.status, short.by], [["short"], "bad", { kind: "rule", index: 1 }]);

  // The caller says "appointment" (Twilio's real-time transcription, the caller's track): the
  // rules qualify the call as booked at its end, and it is sent at once, with the rule's value.
  const to = await visit(AD_QUERY, "full", site, "+14155550300");
  const voice = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: "CAq0003", From: CALLER, To: to, CallStatus: "ringing" });
  assert.equal(voice.status, 200);
  const said = await postTwilio(`${worker.base}/v1/twilio/transcript?site=${site}&kind=call`, {
    CallSid: "CAq0003", TranscriptionSid: "GT1", TranscriptionEvent: "transcription-content", SequenceId: "2",
    Track: "inbound_track", Final: "true", TranscriptionData: JSON.stringify({ transcript: "Hi, could I get an appointment on Friday?" }),
  });
  assert.equal(said.status, 204, said.body);
  const end = await postTwilio(`${worker.base}/v1/twilio/status`, { CallSid: "CAq0003", From: CALLER, To: to, CallStatus: "completed", CallDuration: "64" });
  assert.equal(end.status, 204);
  g = googleOf(await settled("CAq0003", 20_000, site));
  assert.equal(g.state, "delivered", JSON.stringify(g));
  const byRule = (await admin(worker.base, `/v1/sites/${site}/calls/CAq0003`)).json.call.qualification;
  assert.deepEqual([byRule.tags, byRule.status, byRule.by], [["booked"], "good", { kind: "rule", index: 0 }]);
  assert.equal(JSON.parse(ingestsOf("CAq0003")[0].body).events[0].conversionValue, 200, "the rule's value");

  // The calls list, the reports and the CSV filter by lead status and tag.
  const listed = async (q) => (await admin(worker.base, `/v1/sites/${site}/calls?${q}`)).json.calls.map((c) => c.call_sid).sort();
  // (filter, calls)
  const filters = [
    ["lead_status=good&tag=booked", ["CAq0003"]],
    ["lead_status=spam", ["CAq0001"]],
    ["tag=Booked", ["CAq0001", "CAq0003"]],
    ["lead_status=bad&tag=short", ["CAq0002"]],
    ["tag=quote", []],
  ];
  for (const [q, want] of filters) assert.deepEqual(await listed(q), want, q);
  const summary = (await admin(worker.base, `/v1/sites/${site}/reports/summary?tag=booked`)).json.rows[0];
  assert.equal(summary.calls, 2);
  const csv = await fetch(`${worker.base}/v1/sites/${site}/calls?format=csv&lead_status=spam`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  const lines = (await csv.text()).split("\r\n").filter(Boolean);
  assert.equal(lines.length, 2);
  assert.ok(lines[0].endsWith(",lead_status,tags,lead_value") && lines[1].endsWith(",spam,booked,"), lines.join("\n"));
});

test("legacy API: a call qualified spam after its conversion was sent is retracted once; none is sent for a call that was never sent", async () => {
  const site = "ads-legacy";
  const qualify = async (sid, body) => {
    const r = await fetch(`${worker.base}/v1/sites/${site}/calls/${sid}/qualification`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()).qualification;
  };
  const uploadsOf = (sid) => cap.ads.requests.filter((r) => r.url.endsWith(":uploadClickConversions") && r.body.includes(`"${sid}"`));
  const adjustmentsOf = (sid) => cap.ads.requests.filter((r) => r.url.endsWith(":uploadConversionAdjustments") && r.body.includes(`"${sid}"`));
  const kinds = (ds) => Object.fromEntries(ds.map((d) => [d.destination.kind, d.state]));
  // (call id, talk seconds: 64 converts, 3 does not)
  await call("CAlg0001", await visit(AD_QUERY, "full", site, "+14155550400"), "64");
  await call("CAlg0002", await visit(AD_QUERY, "full", site, "+14155550400"), "3");
  assert.deepEqual(kinds(await settled("CAlg0001", 20_000, site)), { google_ads: "delivered" });
  assert.deepEqual(kinds(await settled("CAlg0002", 20_000, site)), { google_ads: "skipped" });
  assert.equal(uploadsOf("CAlg0001").length, 1);
  assert.deepEqual(cap.ads.problems(uploadsOf("CAlg0001")[0]), []);
  assert.equal(uploadsOf("CAlg0002").length, 0);

  // Marked spam: the conversion is taken back, identified by the order id the upload set.
  const q = await qualify("CAlg0001", { status: "spam", tags: ["robocall"] });
  let ds = await settled("CAlg0001", 20_000, site);
  assert.deepEqual(kinds(ds), { google_ads: "delivered", google_ads_retraction: "delivered" }, JSON.stringify(ds));
  const sent = adjustmentsOf("CAlg0001");
  assert.equal(sent.length, 1);
  assert.deepEqual(cap.ads.problems(sent[0]), []);
  const adj = JSON.parse(sent[0].body).conversionAdjustments[0];
  assert.deepEqual([adj.adjustmentType, adj.orderId, adj.conversionAction], ["RETRACTION", "CAlg0001", "customers/1234567890/conversionActions/987654"]);
  const upload = JSON.parse(uploadsOf("CAlg0001")[0].body).conversions[0];
  assert.equal(upload.orderId, adj.orderId, "the order id the upload set");
  const at = (t) => { const [d, h] = t.split(" "); return Date.parse(`${d}T${h}`); };
  assert.ok(at(adj.adjustmentDateTime) > at(upload.conversionDateTime), "after the conversion");
  // At the qualification's time, whole seconds; here within the conversion's own second, so the
  // next one (Google refuses an adjustment that is not after its conversion).
  assert.ok(Math.abs(at(adj.adjustmentDateTime) - q.at) < 2000, "at the qualification's time");

  // Qualified again (spam again, then bad, then good and spam once more): never a second retraction.
  for (const body of [{ status: "spam" }, { status: "bad" }, { status: "good" }, { status: "spam" }]) await qualify("CAlg0001", body);
  await sleep(1500);
  ds = await settled("CAlg0001", 20_000, site);
  assert.equal(adjustmentsOf("CAlg0001").length, 1, "sent once");
  assert.equal(ds.filter((d) => d.destination.kind === "google_ads_retraction").length, 1);
  assert.equal(uploadsOf("CAlg0001").length, 1, "the conversion is not sent again either");

  // A call whose conversion was never sent: marking it spam queues nothing for Google.
  await qualify("CAlg0002", { status: "spam" });
  await sleep(1000);
  assert.deepEqual(kinds(await settled("CAlg0002", 20_000, site)), { google_ads: "skipped" });
  assert.equal(adjustmentsOf("CAlg0002").length, 0);
});

const FBCLID = "IwAR2xYz_test";
const FB_QUERY = `/?utm_source=facebook&utm_medium=paid_social&utm_campaign=fall&fbclid=${FBCLID}`;
const metaSetUp = new Map(); // call id -> when the test's visit first saw the fbclid
const FBP = "fb.1.1772300000000.987654321";
const metaOf = (sid) => cap.meta.requests.filter((r) => r.body.includes(`"${sid}"`));

test("a call from a Facebook ad reaches Meta's Conversions API once: fbc from the fbclid, _fbp and the hashed number only at the full tier", async () => {
  // (call id, declared tier, fbp the page sent, state, user_data keys sent)
  const table = [
    ["CAmeta001", "full", FBP, "delivered", ["fbc", "fbp", "ph"]],
    ["CAmeta002", "session", FBP, "delivered", ["fbc"]],
    ["CAmeta003", undefined, FBP, "delivered", ["fbc"]],
  ];
  // The visit landed from the ad an hour ago: fbc carries that time, when the page first saw the fbclid.
  const firstSeen = Date.now() - 3_600_000;
  for (const [sid, tier, fbp] of table) await call(sid, await visit(FB_QUERY, tier, "ads", "+14155550200", fbp, firstSeen));
  for (const [sid, , , state, keys] of table) {
    const m = (await settled(sid)).find((d) => d.destination.kind === "meta");
    assert.equal(m.state, state, `${sid}: ${JSON.stringify(m)}`);
    const sent = metaOf(sid);
    assert.equal(sent.length, 1, `${sid}: one event`);
    assert.deepEqual(cap.meta.problems(sent[0]), [], sid);
    const body = JSON.parse(sent[0].body);
    const e = body.data[0];
    assert.deepEqual(Object.keys(e.user_data).sort(), keys, sid);
    assert.equal(e.user_data.fbc, `fb.1.${firstSeen}.${FBCLID}`, "fbc: the fbclid and when the page first saw it");
    metaSetUp.set(sid, firstSeen);
    assert.deepEqual([e.event_name, e.event_id, e.action_source, body.test_event_code], ["Lead", sid, "phone_call", "TEST123"]);
    assert.deepEqual(e.custom_data, { value: 75, currency: "usd" });
  }
  // A Google click at the session tier: nothing identifies the visitor to Meta.
  const g = (await settled("CAdm0002")).find((d) => d.destination.kind === "meta");
  assert.deepEqual([g.state, g.answer], ["skipped", "nothing identifies the visitor to Meta (no fbclid or _fbp)"]);
});

test("in Chromium, a full-tier page's _fbp cookie reaches Meta's event as fbp; a session-tier page's does not", async () => {
  browser = await launchBrowser();
  // (call id, page, what the page's lease requests carry, user_data keys sent to Meta)
  const table = [
    ["CAmetapage1", "ads.html", FBP, ["fbc", "fbp", "ph"]],
    ["CAmetapage2", "ads-session.html", undefined, ["fbc"]],
  ];
  for (const [sid, page, fbp, keys] of table) {
    const v = await newVisitor(browser);
    await v.context.addCookies([{ name: "_fbp", value: FBP, url: worker.base }]);
    const leases = [];
    v.page.on("request", (r) => { if (r.url().includes("/leases")) leases.push(JSON.parse(r.postData() ?? "{}")); });
    await v.page.goto(`${worker.base}/t/${page}${FB_QUERY.slice(1)}`);
    const shown = await swappedText(v.page, "#phone", "(415) 555-0200");
    await v.context.close();
    assert.ok(leases.length > 0, `${sid}: the page leased`);
    assert.ok(leases.every((b) => b.fbp === fbp), `${sid}: ${JSON.stringify(leases)}`);
    await call(sid, `+1${shown.replace(/\D/g, "")}`);
    const m = (await settled(sid)).find((d) => d.destination.kind === "meta");
    assert.equal(m.state, "delivered", `${sid}: ${JSON.stringify(m)}`);
    const [sent] = metaOf(sid);
    assert.deepEqual(cap.meta.problems(sent), [], sid);
    const e = JSON.parse(sent.body).data[0];
    assert.deepEqual(Object.keys(e.user_data).sort(), keys, sid);
    assert.equal(e.user_data.fbp, fbp, `${sid}: the page's _fbp, unhashed, as Meta asks`);
    // The page chose when it first saw the fbclid: the visit's stored credited touch says when,
    // for the libraries' check below (which rebuilds fbc from it, not from the Meta body).
    const detail = (await admin(worker.base, `/v1/sites/ads/calls/${sid}`)).json.call;
    metaSetUp.set(sid, detail.attribution.credited.at);
  }
});

test("the capture server refuses what the documented shape refuses", () => {
  const ok = cap.dm.requests.find((r) => r.method === "POST");
  const edit = (f) => {
    const b = JSON.parse(ok.body);
    f(b);
    return { ...ok, body: JSON.stringify(b) };
  };
  // (edited request, the problem named)
  const table = [
    [edit((b) => (b.events[0].transaction_id = "x")), "unknown event field transaction_id"],
    [edit((b) => delete b.events[0].transactionId), "transactionId (the dedupe key)"],
    [edit((b) => (b.events[0].eventTimestamp = "2026-07-04 12:00:00-04:00")), "eventTimestamp: RFC 3339 with the zone's offset"],
    [edit((b) => (b.events[0].eventSource = "WEB")), "eventSource PHONE"],
    [edit((b) => (b.events[0].adIdentifiers.gbraid = "B")), "at most one of gclid/gbraid/wbraid, got gclid,gbraid"],
    [edit((b) => (b.destinations[0].productDestinationId = "1")), "productDestinationId (the conversion action)"],
    [edit((b) => (b.partialFailure = true)), "unknown request field partialFailure"],
    [{ ...ok, headers: { ...ok.headers, "developer-token": "x" } }, "a developer token (the Data Manager API has none)"],
  ];
  for (const [request, problem] of table) assert.ok(cap.dm.problems(request).includes(problem), `${problem}: ${cap.dm.problems(request)}`);
  const meta = cap.meta.requests[0];
  const metaEdit = (f) => {
    const b = JSON.parse(meta.body);
    f(b.data[0], b);
    return { ...meta, body: JSON.stringify(b) };
  };
  const metaTable = [
    [metaEdit((e) => (e.user_data.client_ip_address = "203.0.113.9")), "user_data.client_ip_address is not ours to send"],
    [metaEdit((e) => (e.user_data.client_user_agent = "Mozilla/5.0")), "user_data.client_user_agent is not ours to send"],
    [metaEdit((e) => (e.event_time -= 8 * 86400)), "event_time older than 7 days (Meta refuses the batch)"],
    [metaEdit((e) => (e.action_source = "website")), "action_source phone_call"],
    [metaEdit((e) => delete e.event_id), "event_id (the dedupe key)"],
    [metaEdit((e, b) => b.data.push(e)), "data: one event"],
  ];
  for (const [request, problem] of metaTable) assert.ok(cap.meta.problems(request).includes(problem), `${problem}: ${cap.meta.problems(request)}`);
});

test("every captured request is what the platforms' own libraries decode and build", () => {
  const data_manager = cap.dm.requests.filter((r) => r.method === "POST").map((r) => ({ body: r.body, caller: CALLER }));
  // What the test set up, never what we sent: the fbclid and when the visit first saw it (the
  // checker builds fbc from them itself); a Meta event of a visit without an fbclid has none.
  const meta = cap.meta.requests.map((r) => {
    const id = JSON.parse(r.body).data[0].event_id;
    const seen = metaSetUp.get(id);
    return { body: r.body, caller: CALLER, fbclid: seen ? FBCLID : null, first_seen: seen ?? null, fbp: FBP, value: 75, currency: "USD", dataset: "1234567890" };
  });
  const adjustments = cap.ads.requests.filter((r) => r.url.endsWith(":uploadConversionAdjustments")).map((r) => ({ url: r.url, body: r.body, order_id: "CAlg0001" }));
  assert.equal(adjustments.length, 1, "one retraction to decode");
  assert.ok(meta.length >= 4, `${meta.length} Meta events`);
  const file = join(ROOT, "tests/.artifacts/ads-captured.json");
  writeFileSync(file, JSON.stringify({ data_manager, meta, adjustments }));
  const run = spawnSync(join(ROOT, ".venv/bin/python"), [join(ROOT, "tests/ads_check.py"), file], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /decoded by IngestEventsRequest/);
  assert.match(run.stdout, /equal to the SDK's event \(fbc, fbp, ph\)/);
  assert.match(run.stdout, /adjustment: 1 RETRACTION decoded by UploadConversionAdjustmentsRequest/);
});
