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

/** GA4 Measurement Protocol: /mp/collect?measurement_id&api_secret, one event with session params. */
export function checkGa4({ measurementId, apiSecret, eventName = "phone_call", callerDigits }) {
  return (r) => {
    const p = [];
    const url = new URL(r.url, "http://x");
    if (r.method !== "POST") p.push("not a POST");
    if (url.pathname !== "/mp/collect" && url.pathname !== "/debug/mp/collect") p.push(`path ${url.pathname}`);
    if (url.searchParams.get("measurement_id") !== measurementId) p.push("measurement_id");
    if (url.searchParams.get("api_secret") !== apiSecret) p.push("api_secret");
    const b = parse(r.body);
    if (!b) return [...p, "body is not JSON"];
    if (typeof b.client_id !== "string" || !/^\d+\.\d+$/.test(b.client_id)) p.push("client_id");
    if (!Number.isInteger(b.timestamp_micros)) p.push("timestamp_micros");
    else if (Date.now() * 1000 - b.timestamp_micros > 72 * 3600e6) p.push("timestamp older than 72 h");
    if (!Array.isArray(b.events) || b.events.length !== 1) return [...p, "events"];
    const e = b.events[0];
    if (e.name !== eventName) p.push(`event name ${e.name}`);
    if (!/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(e.name ?? "")) p.push("event name format");
    for (const k of ["engagement_time_msec", "channel", "duration", "answered", "tracking_number"]) {
      if (!(k in (e.params ?? {}))) p.push(`param ${k}`);
    }
    for (const [k, v] of Object.entries(e.params ?? {})) {
      if (k.length > 40 || /^(google_|ga_|firebase_)/.test(k)) p.push(`param name ${k}`);
      if (typeof v === "string" && v.length > 100) p.push(`param ${k} over 100 characters`);
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

/** Google Ads UploadClickConversions (REST). */
export function checkGoogleAds({ customerId, conversionAction, developerToken, accessToken, callerDigits }) {
  return (r) => {
    const p = [];
    if (!new RegExp(`^/v\\d+/customers/${customerId}:uploadClickConversions$`).test(r.url)) p.push(`path ${r.url}`);
    if (r.headers.authorization !== `Bearer ${accessToken}`) p.push("authorization");
    if (r.headers["developer-token"] !== developerToken) p.push("developer-token");
    if (!isJson(r)) p.push("content-type");
    const b = parse(r.body);
    if (!b) return [...p, "body is not JSON"];
    if (b.partialFailure !== true) p.push("partialFailure must be true");
    if (!Array.isArray(b.conversions) || b.conversions.length !== 1) return [...p, "conversions"];
    const c = b.conversions[0];
    const ids = ["gclid", "gbraid", "wbraid"].filter((k) => k in c);
    if (ids.length !== 1) p.push(`exactly one of gclid/gbraid/wbraid, got ${ids}`);
    if (c.conversionAction !== conversionAction) p.push("conversionAction");
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/.test(c.conversionDateTime ?? "")) p.push("conversionDateTime format");
    if (typeof c.conversionValue !== "number") p.push("conversionValue");
    if (!/^[A-Z]{3}$/.test(c.currencyCode ?? "")) p.push("currencyCode");
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent");
    return p;
  };
}

/** Microsoft Advertising ApplyOfflineConversions (REST). */
export function checkMicrosoftAds({ customerId, accountId, developerToken, accessToken }) {
  return (r) => {
    const p = [];
    if (r.url !== "/CampaignManagement/v13/OfflineConversions/Apply") p.push(`path ${r.url}`);
    if (r.headers.authorization !== `Bearer ${accessToken}`) p.push("authorization");
    if (r.headers.developertoken !== developerToken) p.push("DeveloperToken");
    if (r.headers.customerid !== customerId || r.headers.customeraccountid !== accountId) p.push("customer headers");
    const b = parse(r.body);
    const c = b?.OfflineConversions?.[0];
    if (!c || b.OfflineConversions.length !== 1) return [...p, "OfflineConversions"];
    if (!c.MicrosoftClickId) p.push("MicrosoftClickId");
    if (!c.ConversionName) p.push("ConversionName");
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(c.ConversionTime ?? "")) p.push("ConversionTime");
    return p;
  };
}

/** The owner's endpoint: a Standard Webhooks signature, checked by the official library. */
export function checkWebhook({ secret, callerDigits }) {
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
    const b = parse(r.body);
    if (!b?.type || !b?.timestamp || !b?.data) p.push("type/timestamp/data");
    if (callerDigits && r.body.includes(callerDigits)) p.push("the caller's number was sent");
    return p;
  };
}
