// Capture servers on 127.0.0.1 standing in for what cannot run here: Google's OAuth and Ads API,
// GA4's Measurement Protocol, Microsoft's OAuth and Advertising API, and the site owner's webhook
// endpoint. Each records what it received, checks it against the documented shape (a list of
// problems per request, empty when the request is right), and can be told to answer 500, 429 with
// Retry-After, hang (a timeout for the sender), or go down (connection refused) and come back.
import { createServer } from "node:http";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Webhook } = require("standardwebhooks");

/** One receiver. `check(request)` returns the problems it finds in a request. */
export class Capture {
  constructor(name, check, answer = () => ({ status: 200, body: "{}" })) {
    this.name = name;
    this.check = check;
    this.answer = answer;
    this.requests = [];
    this.script = []; // answers to give before the normal one: "500", "429:<seconds>", "hang"
    this.sockets = new Set();
    this.server = null;
    this.port = 0;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    this.server = createServer((req, res) => this.#handle(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise((ok) => this.server.listen(this.port, "127.0.0.1", ok));
    this.port = this.server.address().port;
    return this;
  }

  /** Goes down: the port refuses connections until `start()` again. */
  async down() {
    for (const s of this.sockets) s.destroy();
    await new Promise((ok) => this.server.close(ok));
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString("utf8");
    const record = { method: req.method, url: req.url, headers: req.headers, body, at: Date.now() };
    const scripted = this.script.shift();
    record.answered = scripted ?? "normal";
    this.requests.push(record);
    if (scripted === "hang") return; // never answers: the sender times out
    if (scripted === "500") return void res.writeHead(500).end("internal");
    if (scripted?.startsWith("429")) {
      return void res.writeHead(429, { "Retry-After": scripted.split(":")[1] ?? "1" }).end("slow down");
    }
    const { status, body: out, headers = {} } = this.answer(record);
    record.status = status;
    res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(out);
  }

  /** The requests that were answered normally (the ones the receiver took). */
  taken() {
    return this.requests.filter((r) => r.answered === "normal");
  }

  problems(request) {
    return this.check(request);
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise((ok) => (this.server?.listening ? this.server.close(ok) : ok()));
  }
}

const isJson = (r) => /^application\/json/.test(r.headers["content-type"] ?? "");
const parse = (body) => {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
};

// GA4's documented limits (Measurement Protocol reference and "Event collection limits"): names
// of events and params are a letter, then letters, digits and "_", 40 at most, and not under a
// reserved prefix; at most 25 events a request and 25 params an event; string values 100
// characters at most; the body under 130 kB; `timestamp_micros` at most 72 hours back.
const GA4_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const GA4_RESERVED_PREFIX = /^(_|firebase_|ga_|google_|gtag\.)/;
const GA4_RESERVED_EVENTS = new Set([
  "ad_activeview", "ad_click", "ad_exposure", "ad_query", "ad_reward", "adunit_exposure", "app_background",
  "app_clear_data", "app_exception", "app_remove", "app_store_refund", "app_store_subscription_cancel",
  "app_store_subscription_convert", "app_store_subscription_renew", "app_update", "app_upgrade",
  "dynamic_link_app_open", "dynamic_link_app_update", "dynamic_link_first_open", "error", "first_open",
  "first_visit", "in_app_purchase", "notification_dismiss", "notification_foreground", "notification_open",
  "notification_receive", "os_update", "session_start", "session_start_with_rollout", "user_engagement",
]);
const GA4_BODY_KEYS = new Set(["client_id", "user_id", "timestamp_micros", "user_properties", "user_data", "consent", "non_personalized_ads", "events", "user_location", "device", "ip_override", "validation_behavior"]);

/** GA4 Measurement Protocol: /mp/collect?measurement_id&api_secret, one event with session params. */
export function checkGa4({ measurementId, apiSecret, eventName = "phone_call", callerDigits }) {
  return (r) => {
    const p = [];
    const url = new URL(r.url, "http://x");
    if (r.method !== "POST") p.push("not a POST");
    if (url.pathname !== "/mp/collect" && url.pathname !== "/debug/mp/collect") p.push(`path ${url.pathname}`);
    if (url.searchParams.get("measurement_id") !== measurementId) p.push("measurement_id");
    if (url.searchParams.get("api_secret") !== apiSecret) p.push("api_secret");
    if (Buffer.byteLength(r.body) >= 130_000) p.push("body over 130 kB");
    const b = parse(r.body);
    if (!b || typeof b !== "object" || Array.isArray(b)) return [...p, "body is not a JSON object"];
    for (const k of Object.keys(b)) if (!GA4_BODY_KEYS.has(k)) p.push(`unknown body field ${k}`);
    if (typeof b.client_id !== "string" || !/^\d+\.\d+$/.test(b.client_id)) p.push("client_id");
    if (!Number.isInteger(b.timestamp_micros)) p.push("timestamp_micros");
    else {
      const ageMicros = Date.now() * 1000 - b.timestamp_micros;
      if (ageMicros > 72 * 3600e6) p.push("timestamp older than 72 h");
      if (ageMicros < -60e6) p.push("timestamp in the future");
    }
    if (!Array.isArray(b.events) || b.events.length < 1 || b.events.length > 25) return [...p, "events: 1 to 25"];
    if (b.events.length !== 1) p.push("one event per call");
    const e = b.events[0];
    if (e.name !== eventName) p.push(`event name ${e.name}`);
    if (!GA4_NAME.test(e.name ?? "") || GA4_RESERVED_PREFIX.test(e.name ?? "") || GA4_RESERVED_EVENTS.has(e.name)) p.push("event name format or reserved");
    const params = e.params ?? {};
    if (Object.keys(params).length > 25) p.push("over 25 params");
    // (`session_id` only when the visitor's session cookie was there: the tests check it where it is.)
    // A text conversation's event carries its messages' count instead of a call's duration and answer.
    const required = e.name === "text_message" ? ["messages"] : ["duration", "answered"];
    for (const k of ["engagement_time_msec", "call_id", "channel", "tracking_number", ...required]) {
      if (!(k in params)) p.push(`param ${k}`);
    }
    if (!Number.isInteger(params.engagement_time_msec) || params.engagement_time_msec <= 0) p.push("engagement_time_msec must be a positive integer");
    for (const [k, v] of Object.entries(params)) {
      if (!GA4_NAME.test(k) || GA4_RESERVED_PREFIX.test(k)) p.push(`param name ${k}`);
      if (typeof v === "string" && v.length > 100) p.push(`param ${k} over 100 characters`);
      if (v === null || typeof v === "object") p.push(`param ${k} is not a string or number`);
    }
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent");
    return p;
  };
}

/** Google's OAuth token endpoint: a refresh-token grant. */
export function checkOAuth({ clientId, refreshToken, clientSecret, scope }) {
  return (r) => {
    const p = [];
    if (!/^application\/x-www-form-urlencoded/.test(r.headers["content-type"] ?? "")) p.push("content-type");
    const f = new URLSearchParams(r.body);
    if (f.get("grant_type") !== "refresh_token") p.push("grant_type");
    if (f.get("client_id") !== clientId) p.push("client_id");
    if (f.get("refresh_token") !== refreshToken) p.push("refresh_token");
    if (clientSecret !== undefined && f.get("client_secret") !== clientSecret) p.push("client_secret");
    if (scope !== undefined && f.get("scope") !== scope) p.push("scope");
    return p;
  };
}

// Google Ads' UploadClickConversionsRequest and ClickConversion in the REST API's JSON names:
// Google refuses a request with a field it does not know ("Unknown name"), so only these may appear.
const ADS_REQUEST_KEYS = new Set(["conversions", "partialFailure", "validateOnly", "debugEnabled", "jobId"]);
const ADS_CONVERSION_KEYS = new Set([
  "gclid", "gbraid", "wbraid", "conversionAction", "conversionDateTime", "conversionValue", "currencyCode",
  "orderId", "externalAttributionData", "cartData", "customVariables", "userIdentifiers", "conversionEnvironment",
  "consent", "sessionAttributesEncoded", "sessionAttributesKeyValuePairs", "userIpAddress",
]);

/** Google Ads UploadClickConversions (REST). `zone`: the IANA zone whose offset the time must carry. */
export function checkGoogleAds({ customerId, conversionAction, developerToken, accessToken, callerDigits, zone }) {
  return (r) => {
    const p = [];
    if (r.method !== "POST") p.push("not a POST");
    if (!new RegExp(`^/v\\d+/customers/${customerId}:uploadClickConversions$`).test(r.url)) p.push(`path ${r.url}`);
    if (r.headers.authorization !== `Bearer ${accessToken}`) p.push("authorization");
    if (r.headers["developer-token"] !== developerToken) p.push("developer-token");
    if ("login-customer-id" in r.headers && !/^\d{10}$/.test(r.headers["login-customer-id"])) p.push("login-customer-id: 10 digits");
    if (!isJson(r)) p.push("content-type");
    const b = parse(r.body);
    if (!b) return [...p, "body is not JSON"];
    for (const k of Object.keys(b)) if (!ADS_REQUEST_KEYS.has(k)) p.push(`unknown request field ${k}`);
    if (b.partialFailure !== true) p.push("partialFailure must be true");
    if (!Array.isArray(b.conversions) || b.conversions.length !== 1) return [...p, "conversions"];
    const c = b.conversions[0];
    for (const k of Object.keys(c)) if (!ADS_CONVERSION_KEYS.has(k)) p.push(`unknown conversion field ${k}`);
    const ids = ["gclid", "gbraid", "wbraid"].filter((k) => k in c);
    if (ids.length !== 1) p.push(`exactly one of gclid/gbraid/wbraid, got ${ids}`);
    if (c.conversionAction !== conversionAction) p.push("conversionAction");
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/.exec(c.conversionDateTime ?? "");
    if (!m) p.push("conversionDateTime format");
    else {
      const [, y, mo, d, h, mi, sec, sign, oh, om] = m;
      const offsetMin = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
      const at = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec) - offsetMin * 60_000;
      if (at > Date.now() + 60_000) p.push("conversionDateTime in the future");
      if (zone && offsetMin !== zoneOffsetMinutes(zone, at)) p.push(`conversionDateTime offset is not ${zone}'s at that instant`);
    }
    if (typeof c.conversionValue !== "number") p.push("conversionValue");
    if (!/^[A-Z]{3}$/.test(c.currencyCode ?? "")) p.push("currencyCode");
    if (typeof c.orderId !== "string" || c.orderId === "") p.push("orderId (the dedupe key)");
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent");
    return p;
  };
}

// Google Ads' UploadConversionAdjustmentsRequest and ConversionAdjustment in the REST API's JSON
// names (the same "Unknown name" refusal). A retraction carries no value: Google refuses one with an
// adjusted value or currency.
const ADJ_REQUEST_KEYS = new Set(["conversionAdjustments", "partialFailure", "validateOnly", "jobId"]);
const ADJ_KEYS = new Set([
  "gclidDateTimePair", "orderId", "conversionAction", "adjustmentDateTime", "adjustmentType",
  "restatementValue", "userIdentifiers", "userAgent",
]);
const ADJ_TYPES = new Set(["RETRACTION", "RESTATEMENT", "ENHANCEMENT"]);

/** Google Ads UploadConversionAdjustments (REST): one adjustment, identified by the order id the
 * upload set; `zone`: the IANA zone whose offset the adjustment's time must carry. */
export function checkGoogleAdsAdjustment({ customerId, conversionAction, developerToken, accessToken, callerDigits, zone }) {
  return (r) => {
    const p = [];
    if (r.method !== "POST") p.push("not a POST");
    if (!new RegExp(`^/v\\d+/customers/${customerId}:uploadConversionAdjustments$`).test(r.url)) p.push(`path ${r.url}`);
    if (r.headers.authorization !== `Bearer ${accessToken}`) p.push("authorization");
    if (r.headers["developer-token"] !== developerToken) p.push("developer-token");
    if (!isJson(r)) p.push("content-type");
    const b = parse(r.body);
    if (!b) return [...p, "body is not JSON"];
    for (const k of Object.keys(b)) if (!ADJ_REQUEST_KEYS.has(k)) p.push(`unknown request field ${k}`);
    if (b.partialFailure !== true) p.push("partialFailure must be true");
    if (!Array.isArray(b.conversionAdjustments) || b.conversionAdjustments.length !== 1) return [...p, "conversionAdjustments"];
    const a = b.conversionAdjustments[0];
    for (const k of Object.keys(a)) if (!ADJ_KEYS.has(k)) p.push(`unknown adjustment field ${k}`);
    if (!ADJ_TYPES.has(a.adjustmentType)) p.push(`adjustmentType ${a.adjustmentType}`);
    if (a.adjustmentType === "RETRACTION" && "restatementValue" in a) p.push("a retraction with a value");
    if (a.conversionAction !== conversionAction) p.push("conversionAction");
    if (typeof a.orderId !== "string" || a.orderId.length < 2) p.push("orderId (the conversion's)");
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/.exec(a.adjustmentDateTime ?? "");
    if (!m) p.push("adjustmentDateTime format");
    else {
      const [, y, mo, d, h, mi, sec, sign, oh, om] = m;
      const offsetMin = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
      const at = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec) - offsetMin * 60_000;
      if (at > Date.now() + 60_000) p.push("adjustmentDateTime in the future");
      if (zone && offsetMin !== zoneOffsetMinutes(zone, at)) p.push(`adjustmentDateTime offset is not ${zone}'s at that instant`);
    }
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent");
    return p;
  };
}

// Google's Data Manager API (`events:ingest`) in its REST JSON names (google-ads-datamanager
// 0.9.4's IngestEventsRequest and Event): an unknown field is refused ("Unknown name"). The
// library's own decoding of every captured body is tests/ads_check.py.
const DM_REQUEST_KEYS = new Set(["destinations", "events", "consent", "validateOnly", "encoding", "encryptionInfo"]);
const DM_EVENT_KEYS = new Set([
  "destinationReferences", "transactionId", "eventTimestamp", "lastUpdatedTimestamp", "userData", "consent",
  "adIdentifiers", "currency", "conversionValue", "conversionCount", "eventSource", "eventDeviceInfo", "cartData",
  "customVariables", "experimentalFields", "userProperties", "eventName", "clientId", "userId",
  "additionalEventParameters", "thirdPartyUserData", "eventLocation", "appInstanceId",
]);
const CONSENT_STATUS = new Set(["CONSENT_GRANTED", "CONSENT_DENIED"]);

/** Google's Data Manager API: `POST /v1/events:ingest` and `GET /v1/requestStatus:retrieve`. */
export function checkDataManager({ customerId, conversionActionId, accessToken, callerDigits, zone }) {
  return (r) => {
    const p = [];
    if (r.headers.authorization !== `Bearer ${accessToken}`) p.push("authorization");
    if ("developer-token" in r.headers) p.push("a developer token (the Data Manager API has none)");
    if (r.url.startsWith("/v1/requestStatus:retrieve")) {
      if (r.method !== "GET") p.push("requestStatus:retrieve is a GET");
      if (!new URL(r.url, "http://x").searchParams.get("requestId")) p.push("requestId");
      return p;
    }
    if (r.method !== "POST") p.push("not a POST");
    if (r.url !== "/v1/events:ingest") p.push(`path ${r.url}`);
    if (!isJson(r)) p.push("content-type");
    const b = parse(r.body);
    if (!b) return [...p, "body is not JSON"];
    for (const k of Object.keys(b)) if (!DM_REQUEST_KEYS.has(k)) p.push(`unknown request field ${k}`);
    const d = b.destinations?.[0];
    if (!Array.isArray(b.destinations) || b.destinations.length !== 1) p.push("destinations");
    else {
      if (d.operatingAccount?.accountType !== "GOOGLE_ADS" || d.operatingAccount?.accountId !== customerId) p.push("operatingAccount");
      if ("loginAccount" in d && (d.loginAccount.accountType !== "GOOGLE_ADS" || !/^\d{10}$/.test(d.loginAccount.accountId))) p.push("loginAccount");
      if (d.productDestinationId !== conversionActionId) p.push("productDestinationId (the conversion action)");
    }
    if (!Array.isArray(b.events) || b.events.length !== 1) return [...p, "events"];
    const e = b.events[0];
    for (const k of Object.keys(e)) if (!DM_EVENT_KEYS.has(k)) p.push(`unknown event field ${k}`);
    const ids = ["gclid", "gbraid", "wbraid"].filter((k) => k in (e.adIdentifiers ?? {}));
    const hashed = e.userData?.userIdentifiers?.[0]?.phoneNumber;
    if (ids.length > 1) p.push(`at most one of gclid/gbraid/wbraid, got ${ids}`);
    if (ids.length === 0 && !hashed) p.push("neither a click id nor user data");
    if (hashed !== undefined) {
      if (!/^[0-9a-f]{64}$/.test(hashed)) p.push("phoneNumber: SHA-256, lower-case hex");
      if (b.encoding !== "HEX") p.push("encoding HEX with hashed user data");
      if (e.consent?.adUserData !== "CONSENT_GRANTED") p.push("user data without ad_user_data consent");
    }
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/.exec(e.eventTimestamp ?? "");
    if (!m) p.push("eventTimestamp: RFC 3339 with the zone's offset");
    else {
      const [, y, mo, dd, h, mi, sec, sign, oh, om] = m;
      const offsetMin = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
      const at = Date.UTC(+y, +mo - 1, +dd, +h, +mi, +sec) - offsetMin * 60_000;
      if (at > Date.now() + 60_000) p.push("eventTimestamp in the future");
      if (zone && offsetMin !== zoneOffsetMinutes(zone, at)) p.push(`eventTimestamp offset is not ${zone}'s at that instant`);
    }
    if (typeof e.transactionId !== "string" || e.transactionId === "") p.push("transactionId (the dedupe key)");
    if (typeof e.conversionValue !== "number") p.push("conversionValue");
    if (!/^[A-Z]{3}$/.test(e.currency ?? "")) p.push("currency");
    if (e.eventSource !== "PHONE") p.push("eventSource PHONE");
    if ("consent" in e) {
      for (const k of Object.keys(e.consent)) if (!["adUserData", "adPersonalization"].includes(k)) p.push(`unknown consent field ${k}`);
      for (const v of Object.values(e.consent)) if (!CONSENT_STATUS.has(v)) p.push(`consent value ${v}`);
    }
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent in clear");
    return p;
  };
}

// Meta's Conversions API server event (facebook-business 26.0.3's Event, UserData, CustomData);
// the SDK's own build of the same event is compared field by field in tests/ads_check.py.
const META_REQUEST_KEYS = new Set(["data", "test_event_code", "partner_agent", "namespace_id", "upload_id", "upload_tag", "upload_source"]);
const META_EVENT_KEYS = new Set(["event_name", "event_time", "event_id", "action_source", "user_data", "custom_data", "event_source_url", "opt_out", "data_processing_options", "data_processing_options_country", "data_processing_options_state", "referrer_url"]);
// What we may send about a visitor: never its IP address or user agent.
const META_USER_KEYS = new Set(["fbc", "fbp", "ph"]);

/** Meta's Conversions API: `POST /{version}/{dataset}/events?access_token=`. */
export function checkMeta({ datasetId, accessToken, callerDigits }) {
  return (r) => {
    const p = [];
    if (r.method !== "POST") p.push("not a POST");
    const url = new URL(r.url, "http://x");
    if (!new RegExp(`^/v\\d+\\.\\d+/${datasetId}/events$`).test(url.pathname)) p.push(`path ${url.pathname}`);
    if (url.searchParams.get("access_token") !== accessToken) p.push("access_token");
    if (!isJson(r)) p.push("content-type");
    const b = parse(r.body);
    if (!b) return [...p, "body is not JSON"];
    for (const k of Object.keys(b)) if (!META_REQUEST_KEYS.has(k)) p.push(`unknown request field ${k}`);
    if (!Array.isArray(b.data) || b.data.length !== 1) return [...p, "data: one event"];
    const e = b.data[0];
    for (const k of Object.keys(e)) if (!META_EVENT_KEYS.has(k)) p.push(`unknown event field ${k}`);
    if (e.action_source !== "phone_call") p.push("action_source phone_call");
    if (typeof e.event_name !== "string" || !e.event_name) p.push("event_name");
    if (!Number.isInteger(e.event_time)) p.push("event_time: Unix seconds");
    else if (Date.now() / 1000 - e.event_time > 7 * 86400) p.push("event_time older than 7 days (Meta refuses the batch)");
    else if (e.event_time > Date.now() / 1000 + 60) p.push("event_time in the future");
    if (typeof e.event_id !== "string" || !e.event_id) p.push("event_id (the dedupe key)");
    const u = e.user_data ?? {};
    for (const k of Object.keys(u)) if (!META_USER_KEYS.has(k)) p.push(`user_data.${k} is not ours to send`);
    if (Object.keys(u).length === 0) p.push("user_data: nothing identifies the visitor");
    if ("fbc" in u && !/^fb\.1\.\d{13}\.[\w-]+$/.test(u.fbc)) p.push("fbc: fb.1.<ms>.<fbclid>");
    if ("ph" in u && !(Array.isArray(u.ph) && u.ph.every((h) => /^[0-9a-f]{64}$/.test(h)))) p.push("ph: SHA-256 hex");
    if (typeof e.custom_data?.value !== "number" || !/^[a-z]{3}$/.test(e.custom_data?.currency ?? "")) p.push("custom_data value and currency");
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent in clear");
    return p;
  };
}

/** The offset from UTC, in minutes, of an IANA zone at an instant (Node's ICU time zone data). */
export function zoneOffsetMinutes(zone, at) {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(new Date(at))
    .find((x) => x.type === "timeZoneName").value; // "GMT-05:00", or "GMT" at UTC
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

// Microsoft's OfflineConversion: MicrosoftClickId, ConversionName and ConversionTime required (the
// time in UTC, within the last 90 days); value and currency optional; at most 1,000 a request.
const MS_CONVERSION_KEYS = new Set(["ConversionCurrencyCode", "ConversionName", "ConversionTime", "ConversionValue", "ExternalAttributionCredit", "ExternalAttributionModel", "MicrosoftClickId", "HashedEmailAddress", "HashedPhoneNumber"]);

/** Microsoft Advertising ApplyOfflineConversions (REST). */
export function checkMicrosoftAds({ customerId, accountId, developerToken, accessToken, callerDigits }) {
  return (r) => {
    const p = [];
    if (r.method !== "POST") p.push("not a POST");
    if (r.url !== "/CampaignManagement/v13/OfflineConversions/Apply") p.push(`path ${r.url}`);
    if (r.headers.authorization !== `Bearer ${accessToken}`) p.push("authorization");
    if (r.headers.developertoken !== developerToken) p.push("DeveloperToken");
    if (r.headers.customerid !== customerId || r.headers.customeraccountid !== accountId) p.push("customer headers");
    if (!isJson(r)) p.push("content-type");
    const b = parse(r.body);
    const c = b?.OfflineConversions?.[0];
    if (!c || b.OfflineConversions.length !== 1) return [...p, "OfflineConversions"];
    for (const k of Object.keys(b)) if (k !== "OfflineConversions") p.push(`unknown request field ${k}`);
    for (const k of Object.keys(c)) if (!MS_CONVERSION_KEYS.has(k)) p.push(`unknown conversion field ${k}`);
    if (typeof c.MicrosoftClickId !== "string" || !c.MicrosoftClickId) p.push("MicrosoftClickId");
    if (typeof c.ConversionName !== "string" || !c.ConversionName) p.push("ConversionName");
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(c.ConversionTime ?? "")) p.push("ConversionTime (UTC)");
    else {
      const at = Date.parse(c.ConversionTime);
      if (at > Date.now() + 60_000 || Date.now() - at > 90 * 86_400_000) p.push("ConversionTime outside the last 90 days");
    }
    if ("ConversionValue" in c && typeof c.ConversionValue !== "number") p.push("ConversionValue");
    if ("ConversionCurrencyCode" in c && !/^[A-Z]{3}$/.test(c.ConversionCurrencyCode)) p.push("ConversionCurrencyCode");
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent");
    return p;
  };
}

/**
 * The owner's endpoint: a Standard Webhooks message. The signature is checked by the official
 * library (which also refuses a timestamp more than five minutes off); the rest by the
 * specification: `webhook-id` present, `webhook-timestamp` integer seconds, every signature
 * `v1,<base64>`, a JSON body `{type, timestamp, data}` with a full-stop-delimited type and an RFC
 * 3339 timestamp. `types`: the event types this endpoint may receive.
 */
export function checkWebhook({ secret, callerDigits, types }) {
  const wh = new Webhook(secret);
  return (r) => {
    const p = [];
    try {
      wh.verify(r.body, {
        "webhook-id": r.headers["webhook-id"],
        "webhook-timestamp": r.headers["webhook-timestamp"],
        "webhook-signature": r.headers["webhook-signature"],
      });
    } catch (e) {
      p.push(`standardwebhooks: ${e.message}`);
    }
    if (r.method !== "POST") p.push("not a POST");
    if (!r.headers["webhook-id"]) p.push("webhook-id");
    if (!/^\d+$/.test(r.headers["webhook-timestamp"] ?? "")) p.push("webhook-timestamp: integer seconds");
    const sigs = (r.headers["webhook-signature"] ?? "").split(" ");
    if (!sigs.every((s) => /^v1,[A-Za-z0-9+/]+={0,2}$/.test(s))) p.push("webhook-signature: v1,<base64> list");
    if (!isJson(r)) p.push("content-type");
    const b = parse(r.body);
    if (!b?.type || !b?.timestamp || !b?.data) p.push("type/timestamp/data");
    else {
      if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/i.test(b.type)) p.push("type: full-stop delimited");
      if (types && !types.includes(b.type)) p.push(`type ${b.type} not subscribed`);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(b.timestamp) || Number.isNaN(Date.parse(b.timestamp))) p.push("timestamp: RFC 3339");
      if (typeof b.data !== "object" || Array.isArray(b.data)) p.push("data: an object");
    }
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent");
    return p;
  };
}
