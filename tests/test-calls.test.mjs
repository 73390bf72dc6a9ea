// Test calls end to end, in workerd: `POST /v1/sites/{site}/test-calls` runs a synthetic call
// through the worker's own call handlers (incoming call, the pool's "whose call", the rule, the
// dial result, the final status). The record carries `test: true` and the attribution asked for
// (a channel leases a pool number for a synthetic visit); reports leave it out unless
// `?test=include`; GA4 and Google Ads (capture servers on 127.0.0.1, each checking what it gets)
// never receive it while a real call of the same run is delivered; an owner's endpoint gets it
// only when it lists `test` (signatures checked with the `standardwebhooks` library); bad input is
// a 4xx JSON error with nothing recorded; `dni test-call` places one against the worker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { startWorker, postTwilio, admin, ADMIN_TOKEN, TWILIO_AUTH_TOKEN, visitorHeaders, ROOT, AD_QUERY } from "./harness.mjs";
import { Capture, checkGa4, checkOAuth, checkGoogleAds, checkWebhook } from "./capture.mjs";

const WHSEC_CRM = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WHSEC_QA = "whsec_b3BzLWVuZHBvaW50LXNlY3JldC0wMDAx";
const CALLER = "+13105550177";
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

const cap = {};
let worker;

before(async () => {
  cap.ga4 = await new Capture("ga4", checkGa4({ measurementId: "G-TEST123", apiSecret: "ga4-secret" }), () => ({ status: 204, body: "" })).start();
  cap.oauth = await new Capture(
    "google oauth",
    checkOAuth({ clientId: "g-client", clientSecret: "g-secret", refreshToken: "g-refresh" }),
    () => ({ status: 200, body: JSON.stringify({ access_token: "ya29.test", expires_in: 3599, token_type: "Bearer" }) }),
  ).start();
  cap.ads = await new Capture(
    "google ads",
    checkGoogleAds({ customerId: "1234567890", conversionAction: "customers/1234567890/conversionActions/987654", developerToken: "g-dev", accessToken: "ya29.test", zone: "America/New_York" }),
    () => ({ status: 200, body: JSON.stringify({ results: [{ gclid: "x" }] }) }),
  ).start();
  cap.crm = await new Capture("crm (no test)", checkWebhook({ secret: WHSEC_CRM, types: ["call.completed"] }), () => ({ status: 200, body: "{}" })).start();
  cap.qa = await new Capture("qa (lists test)", checkWebhook({ secret: WHSEC_QA, types: ["call.started", "call.completed"] }), () => ({ status: 200, body: "{}" })).start();
  const site = JSON.parse(readFileSync(join(ROOT, "tests/sites/test-calls.json"), "utf8"));
  site.integrations.webhooks[0].url = `${cap.crm.url}/crm`;
  site.integrations.webhooks[1].url = `${cap.qa.url}/qa`;
  mkdirSync(join(ROOT, "tests/.artifacts"), { recursive: true });
  const siteFile = "tests/.artifacts/test-calls-site.json";
  writeFileSync(join(ROOT, siteFile), JSON.stringify(site));
  // A site whose pool has one number: taken by a visitor, there is none for a test call's visit.
  const small = {
    id: "tcall-small",
    origins: ["https://small.example"],
    targets: [{ number: "+14155550300", pool: "one" }],
    pools: [{ id: "one", numbers: ["+14155550301"] }],
  };
  const smallFile = "tests/.artifacts/test-calls-small-site.json";
  writeFileSync(join(ROOT, smallFile), JSON.stringify(small));
  worker = await startWorker({
    name: "test-calls",
    sites: [siteFile, smallFile],
    secrets: {
      ADMIN_TOKEN,
      TWILIO_AUTH_TOKEN,
      GA4_API_SECRET: "ga4-secret",
      GOOGLE_ADS_CLIENT_ID: "g-client",
      GOOGLE_ADS_CLIENT_SECRET: "g-secret",
      GOOGLE_ADS_REFRESH_TOKEN: "g-refresh",
      GOOGLE_ADS_DEVELOPER_TOKEN: "g-dev",
      WEBHOOK_SECRET_CRM: WHSEC_CRM,
      WEBHOOK_SECRET_QA: WHSEC_QA,
      GA4_ENDPOINT: cap.ga4.url,
      GOOGLE_OAUTH_TOKEN_URL: `${cap.oauth.url}/token`,
      GOOGLE_ADS_ENDPOINT: cap.ads.url,
      OUTBOX_RETRY_BASE_MS: "300",
      OUTBOX_TIMEOUT_MS: "1500",
    },
  });
});

after(async () => {
  await worker?.stop();
  for (const c of Object.values(cap)) await c.stop();
});

const place = (body, { site = "tcall", token = ADMIN_TOKEN, raw } = {}) =>
  fetch(`${worker.base}/v1/sites/${site}/test-calls`, {
    method: "POST",
    headers: token ? { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } : {},
    body: raw ?? JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, type: r.headers.get("content-type") ?? "", json: await r.json() }));

const callOf = async (sid) => (await admin(worker.base, `/v1/sites/tcall/calls/${sid}`)).json.call;
const deliveriesOf = async (sid) => (await admin(worker.base, `/v1/sites/tcall/calls/${sid}/deliveries`)).json.deliveries;
const keys = (ds) => ds.map((d) => (d.destination.kind === "webhook" ? `${d.destination.endpoint}.${d.destination.event}:${d.state}` : `${d.destination.kind}:${d.state}`)).sort();

/** Waits until the call has `n` deliveries and none is pending. */
async function settled(sid, n, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const ds = await deliveriesOf(sid);
    if (ds.length >= n && ds.every((d) => d.state !== "pending")) return ds;
    if (Date.now() > deadline) throw new Error(`deliveries of ${sid}: ${JSON.stringify(ds)}`);
    await sleep(100);
  }
}

test("a test call runs through call control: recorded with test: true and the attribution of the channel asked", async (t) => {
  const r = await place({ channel: "Paid Social" });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const b = r.json;
  assert.equal(b.test, true);
  assert.match(b.call_id, /^test-/);
  assert.ok(["+14155550201", "+14155550202", "+14155550203", "+14155550204"].includes(b.number), b.number);
  assert.deepEqual(
    [b.attribution.channel, b.attribution.source, b.attribution.medium, b.attribution.number_kind, b.attribution.confidence],
    ["Paid Social", "facebook", "cpc", "pool", 1],
  );
  assert.match(b.attribution.session, /^test-call-/);
  assert.equal(b.call, `${worker.base}/v1/sites/tcall/calls/${b.call_id}`);
  assert.equal(b.dashboard, `${worker.base}/dashboard/`);
  // The record as the call log holds it: the same steps as a real call (the rule's ring, the
  // dial result from the line that answered, the final status).
  const c = await callOf(b.call_id);
  assert.equal(c.test, true);
  assert.deepEqual([c.status, c.duration_s, c.dial?.status, c.dial?.duration_s, c.routing?.action], ["answered", 45, "completed", 42, "ring"]);
  assert.equal(c.forwarded_to, "+14155550299");
  assert.equal(c.landing_page, "https://tcall.example/?utm_source=facebook&utm_medium=cpc&utm_campaign=dni-test-call");
  // A static number: credited to its own channel. (How long a warm test call takes, end to end.)
  const started = performance.now();
  const s = await place({ number: "+14155550211", caller: "anonymous" });
  t.diagnostic(`a test call to a static number answered in ${Math.round(performance.now() - started)} ms`);
  assert.equal(s.status, 201, JSON.stringify(s.json));
  assert.deepEqual([s.json.number, s.json.caller, s.json.attribution.channel, s.json.attribution.number_kind], ["+14155550211", "anonymous", "Email", "static"]);
});

test("never sent to GA4 or Google Ads while a real call of the same run is; webhooks only where the endpoint lists test", async () => {
  // A visitor from a Google Ads click holds a pool number, with GA cookies.
  const lease = await fetch(`${worker.base}/v1/sites/tcall/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({
      session: "tcall-session-ad-visitor-1",
      targets: ["+14155550200"],
      page: { url: worker.base + AD_QUERY, referrer: "" },
      ga: { client: "GA1.1.123456789.1772370000", session: "GS2.1.s1772370100$o1$g1$t1772370200" },
    }),
  });
  assert.equal(lease.status, 200);
  const number = (await lease.json()).numbers[0].number;
  // A test call to that very number (no channel): the pool credits the visitor, click id and GA
  // ids included, exactly as it would a real call; only the mark keeps it from GA4 and Ads.
  // From the caller who will call for real next: a test call makes nobody a returning caller.
  const t = await place({ number, caller: CALLER });
  assert.equal(t.status, 201, JSON.stringify(t.json));
  assert.deepEqual([t.json.number, t.json.attribution.channel, t.json.attribution.campaign], [number, "Paid Search", "spring"]);
  const tc = await callOf(t.json.call_id);
  assert.deepEqual([tc.gclid, tc.ga_client_id], ["TEST123", "123456789.1772370000"]);
  // A real call to the same number, through Twilio's signed webhooks.
  const voice = await postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: "CAtcall0001", From: CALLER, To: number, CallStatus: "ringing" });
  assert.equal(voice.status, 200);
  const status = await postTwilio(`${worker.base}/v1/twilio/status`, { CallSid: "CAtcall0001", From: CALLER, To: number, CallStatus: "completed", CallDuration: "42" });
  assert.equal(status.status, 204);

  assert.equal((await callOf("CAtcall0001")).first_time, true, "the test call from the same number does not count");
  const real = await settled("CAtcall0001", 5);
  assert.deepEqual(keys(real), ["crm.call.completed:delivered", "ga4:delivered", "google_ads:delivered", "qa.call.completed:delivered", "qa.call.started:delivered"]);
  const test_ = await settled(t.json.call_id, 2);
  assert.deepEqual(keys(test_), ["qa.call.completed:delivered", "qa.call.started:delivered"], "queued for the endpoint that lists test only");
  await sleep(1000); // anything sent late would arrive by now

  const carrying = (c, id) => c.requests.filter((r) => r.body.includes(id) || r.url.includes(id));
  assert.equal(carrying(cap.ga4, "CAtcall0001").length, 1, "the real call reached GA4");
  assert.equal(carrying(cap.ads, "CAtcall0001").length, 1, "the real call reached Google Ads");
  for (const c of [cap.ga4, cap.ads]) for (const r of c.requests) assert.deepEqual(c.problems(r), [], c.name);
  for (const c of [cap.ga4, cap.ads, cap.crm]) {
    assert.equal(carrying(c, t.json.call_id).length, 0, `${c.name} got the test call`);
    assert.equal(carrying(c, "test-").length, 0, `${c.name} got a test call`);
  }
  assert.equal(carrying(cap.crm, "CAtcall0001").length, 1);
  const qa = carrying(cap.qa, t.json.call_id);
  assert.equal(qa.length, 2);
  for (const r of qa) {
    assert.deepEqual(cap.qa.problems(r), [], "signature verified by standardwebhooks");
    assert.equal(JSON.parse(r.body).data.test, true);
  }
  const realQa = carrying(cap.qa, "CAtcall0001");
  assert.equal(realQa.length, 2);
  for (const r of realQa) assert.equal(JSON.parse(r.body).data.test, undefined, "a real call's payload has no mark");
});

test("report totals leave test calls out unless ?test=include; the list shows them, marked", async () => {
  const list = async (q = "") => (await admin(worker.base, `/v1/sites/tcall/calls${q}`)).json.calls;
  const total = async (q = "") => (await admin(worker.base, `/v1/sites/tcall/reports/summary${q}`)).json.rows[0].calls;
  const all = await list();
  const tests = all.filter((c) => c.test === true);
  const real = all.filter((c) => c.test === undefined);
  assert.ok(tests.length >= 3 && real.length >= 1, JSON.stringify(all.map((c) => [c.call_sid, c.test])));
  assert.ok(tests.every((c) => c.call_sid.startsWith("test-")));
  assert.equal(await total(), real.length, "totals without test calls");
  assert.equal(await total("?test=include"), all.length);
  assert.equal(await total("?test=only"), tests.length);
  assert.equal((await list("?test=exclude")).length, real.length);
  const channels = (await admin(worker.base, "/v1/sites/tcall/reports/channel")).json.rows.map((r) => r.key);
  assert.ok(!channels.includes("Paid Social"), `the test call's channel counts nowhere: ${channels}`);
  const csv = await fetch(`${worker.base}/v1/sites/tcall/calls?format=csv`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.text());
  assert.ok(!csv.includes("test-"), "an export leaves test calls out");
  assert.equal((await admin(worker.base, "/v1/sites/tcall/calls?test=maybe")).status, 400);
});

test("bad input: a 4xx with a JSON error, and nothing recorded", async () => {
  const count = async () => (await admin(worker.base, "/v1/sites/tcall/calls?test=only")).json.calls.length;
  const before_ = await count();
  // (request, status, what the error says)
  const table = [
    [{ site: "nosuchsite", body: {} }, 404, /site/],
    [{ body: { number: "+14155550999" } }, 400, /not one of the site's/],
    [{ body: { number: "415-555-0201" } }, 400, /E\.164/],
    [{ body: { channel: "Carrier Pigeon" } }, 400, /unknown channel/],
    [{ body: { number: "+14155550211", channel: "Email" } }, 400, /static number/],
    [{ body: { channel: "Paid Search", source: "facebook", medium: "social" } }, 400, /classify as Organic Social/],
    [{ body: { caller: "12" } }, 400, /caller/],
    [{ body: { numbr: "+14155550201" } }, 400, /unknown field/],
    [{ raw: "{not json" }, 400, /malformed JSON/],
    [{ body: {}, token: "wrong" }, 401, /Bearer/],
    [{ body: {}, token: null }, 401, /Bearer/],
  ];
  for (const [{ site, body, raw, token }, status, says] of table) {
    const r = await place(body, { site, raw, token: token === undefined ? ADMIN_TOKEN : token });
    const what = JSON.stringify({ site, body, raw, token });
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.json)}`);
    assert.match(r.type, /^application\/json/, what);
    assert.match(r.json.error, says, what);
  }
  assert.equal(await count(), before_, "no test call recorded");
});

test("no free pool number for a test call's visit: a 409 with a JSON error, nothing recorded", async () => {
  const lease = await fetch(`${worker.base}/v1/sites/tcall-small/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({ session: "tcall-small-visitor-0001", targets: ["+14155550300"], page: { url: `${worker.base}/`, referrer: "" } }),
  });
  assert.equal((await lease.json()).numbers[0].number, "+14155550301", "the visitor holds the pool's one number");
  const r = await place({ channel: "Email" }, { site: "tcall-small" });
  assert.equal(r.status, 409, JSON.stringify(r.json));
  assert.deepEqual([r.json.code, /no free number/.test(r.json.error)], ["conflict", true]);
  const listed = (await admin(worker.base, "/v1/sites/tcall-small/calls?test=only")).json.calls;
  assert.equal(listed.length, 0, "nothing recorded");
  // The visitor still holds the number: the refused test call took nothing from the pool.
  const held = await fetch(`${worker.base}/v1/sites/tcall-small/leases`, {
    method: "POST",
    headers: { Origin: worker.base, ...visitorHeaders(), "Content-Type": "text/plain" },
    body: JSON.stringify({ session: "tcall-small-visitor-0002", targets: ["+14155550300"], page: { url: `${worker.base}/`, referrer: "" } }),
  });
  assert.equal((await held.json()).numbers[0].kind, "original", "still none free for another visitor");
});

test("dni test-call places one against the worker and says what it was credited to and where to see it", async () => {
  const dni = (args, env = { DNI_ADMIN_TOKEN: ADMIN_TOKEN }) => {
    try {
      const out = execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "test-call", ...args], {
        cwd: ROOT,
        env: { ...process.env, DNI_ADMIN_TOKEN: "", ...env },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      return { code: 0, out };
    } catch (e) {
      return { code: e.status, out: e.stdout, err: e.stderr };
    }
  };
  const r = dni([worker.base, "--site", "tcall", "--channel", "Organic Search"]);
  assert.equal(r.code, 0, r.err);
  const id = r.out.match(/test call (test-\S+) placed on site tcall/)?.[1];
  assert.ok(id, r.out);
  assert.match(r.out, /credited {2}Organic Search \(google \/ organic, campaign dni-test-call\), confidence 1/);
  assert.ok(r.out.includes(`${worker.base}/dashboard/`), r.out);
  assert.ok(r.out.includes(`${worker.base}/v1/sites/tcall/calls/${id}`), r.out);
  const c = await callOf(id);
  assert.deepEqual([c.test, c.channel, c.status], [true, "Organic Search", "answered"]);
  // Refusals say why, with the worker's words; a worker without the route says so.
  // (arguments, environment, what it says)
  const table = [
    [[worker.base, "--site", "tcall", "--channel", "Television"], undefined, /400: unknown channel/],
    [[worker.base, "--site", "nosuchsite"], undefined, /404: unknown site/],
    [[worker.base, "--site", "tcall"], { DNI_ADMIN_TOKEN: "wrong" }, /refused the admin token/],
    [[`${worker.base}/older-release`, "--site", "tcall"], undefined, /no test-call route/],
    [["https://worker.example", "--site", "tcall"], { DNI_ADMIN_TOKEN: "" }, /set DNI_ADMIN_TOKEN/],
  ];
  for (const [args, env, says] of table) {
    const f = dni(args, env);
    assert.equal(f.code, 2, `${args}: ${f.out}`);
    assert.match(f.err, says, args.join(" "));
  }
});
