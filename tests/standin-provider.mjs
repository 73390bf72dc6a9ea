// A stand-in for Twilio's and Telnyx's REST APIs on 127.0.0.1: it records every request (method,
// path, query, form or JSON body, authorization) and answers in each provider's shapes, from a
// small account state the test sets. Nothing here checks a request: the tests compare what it
// recorded from `dni` with what the providers' own libraries sent for the same operation.
import { createServer } from "node:http";

export const SID = "AC00000000000000000000000000000001";
export const TOKEN = "standin-twilio-token";
export const TELNYX_KEY = "KEYstandin";

export async function startStandin() {
  const state = {
    requests: [],
    // Numbers available to buy, by area code (Twilio and Telnyx alike); "800" for toll-free.
    available: { "212": ["+12125550181", "+12125550182", "+12125550183"], "800": ["+18005550101"] },
    // The account's numbers: { sid, id, phone_number, friendly_name, voice_url, status_callback, connection_id, customer_reference }.
    owned: [],
    apps: [],
    // A purchase refusal to answer with (Twilio's or Telnyx's error), or null.
    refuse: null,
    // Refuse purchases after this many more (an interrupted run), or null.
    refuseAfter: null,
  };
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const url = new URL(req.url, "http://standin");
    const type = (req.headers["content-type"] ?? "").split(";")[0];
    const record = {
      method: req.method,
      path: url.pathname,
      query: [...url.searchParams].sort(),
      form: type === "application/x-www-form-urlencoded" ? [...new URLSearchParams(text)].sort() : [],
      json: type === "application/json" && text ? JSON.parse(text) : null,
      authorization: req.headers.authorization ?? "",
    };
    state.requests.push(record);
    const send = (status, body) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    const p = url.pathname;
    const twilio = `/2010-04-01/Accounts/${SID}`;
    const twilioNumber = (n) => ({ sid: n.sid, account_sid: SID, phone_number: n.phone_number, friendly_name: n.friendly_name, voice_url: n.voice_url, voice_method: "POST", status_callback: n.status_callback, status_callback_method: "POST" });
    const form = Object.fromEntries(record.form);
    const available = (area, tollFree) => (tollFree ? state.available["800"] : state.available[area] ?? [])
      .filter((n) => !state.owned.some((o) => o.phone_number === n));
    // Twilio
    let m;
    if ((m = p.match(/^\/2010-04-01\/Accounts\/[^/]+\/AvailablePhoneNumbers\/US\/(Local|TollFree)\.json$/))) {
      const found = available(url.searchParams.get("AreaCode"), m[1] === "TollFree").slice(0, Number(url.searchParams.get("PageSize") ?? 50));
      return send(200, { available_phone_numbers: found.map((n) => ({ phone_number: n, friendly_name: n })), uri: p, end: found.length, page: 0, page_size: found.length, start: 0, next_page_uri: null });
    }
    if (p === `${twilio}/IncomingPhoneNumbers.json` && req.method === "GET") {
      return send(200, { incoming_phone_numbers: state.owned.map(twilioNumber), next_page_uri: null, page: 0, page_size: 1000, start: 0, end: state.owned.length, uri: p, first_page_uri: p, previous_page_uri: null });
    }
    if (p === `${twilio}/IncomingPhoneNumbers.json` && req.method === "POST") {
      if (state.refuseAfter === 0) return send(400, { code: 20500, message: "Internal error (the run is cut here)", status: 500 });
      if (state.refuseAfter) state.refuseAfter--;
      if (state.refuse) return send(400, state.refuse);
      const n = { sid: `PN${state.owned.length + 1}`, id: String(state.owned.length + 1), phone_number: form.PhoneNumber, friendly_name: form.FriendlyName, voice_url: form.VoiceUrl, status_callback: form.StatusCallback };
      state.owned.push(n);
      return send(201, twilioNumber(n));
    }
    if ((m = p.match(/^\/2010-04-01\/Accounts\/[^/]+\/IncomingPhoneNumbers\/([^/]+)\.json$/))) {
      const n = state.owned.find((o) => o.sid === m[1]);
      if (!n) return send(404, { code: 20404, message: "The requested resource was not found", status: 404 });
      if (req.method === "DELETE") {
        state.owned = state.owned.filter((o) => o !== n);
        return send(204);
      }
      Object.assign(n, { friendly_name: form.FriendlyName ?? n.friendly_name, voice_url: form.VoiceUrl ?? n.voice_url, status_callback: form.StatusCallback ?? n.status_callback });
      return send(200, twilioNumber(n));
    }
    // Telnyx
    const page = (data) => ({ data, meta: { total_pages: 1, total_results: data.length, page_number: 1, page_size: 250 } });
    if (p === "/v2/available_phone_numbers") {
      const tollFree = url.searchParams.get("filter[phone_number_type]") === "toll_free";
      const found = available(url.searchParams.get("filter[national_destination_code]"), tollFree).slice(0, Number(url.searchParams.get("filter[limit]") ?? 50));
      return send(200, { data: found.map((n) => ({ phone_number: n, record_type: "available_phone_number" })), meta: { total_results: found.length } });
    }
    if (p === "/v2/texml_applications" && req.method === "GET") return send(200, page(state.apps));
    if (p === "/v2/texml_applications" && req.method === "POST") {
      const app = { id: `app${state.apps.length + 1}`, record_type: "texml_application", ...record.json };
      state.apps.push(app);
      return send(201, { data: app });
    }
    if ((m = p.match(/^\/v2\/texml_applications\/([^/]+)$/))) {
      const app = state.apps.find((a) => a.id === m[1]);
      if (!app) return send(404, { errors: [{ code: "10005", title: "Resource not found" }] });
      Object.assign(app, record.json);
      return send(200, { data: app });
    }
    if (p === "/v2/number_orders" && req.method === "POST") {
      if (state.refuse) return send(422, state.refuse);
      const bought = record.json.phone_numbers.map((x) => {
        const n = { id: String(1000 + state.owned.length), phone_number: x.phone_number, connection_id: record.json.connection_id, customer_reference: record.json.customer_reference };
        state.owned.push(n);
        return { id: `o${n.id}`, phone_number: n.phone_number, status: "success" };
      });
      return send(200, { data: { id: "order1", status: "success", phone_numbers: bought, customer_reference: record.json.customer_reference, connection_id: record.json.connection_id } });
    }
    if (p === "/v2/phone_numbers" && req.method === "GET") {
      return send(200, page(state.owned.map((n) => ({ id: n.id, record_type: "phone_number", phone_number: n.phone_number, connection_id: n.connection_id ?? null, customer_reference: n.customer_reference ?? null }))));
    }
    if ((m = p.match(/^\/v2\/phone_numbers\/([^/]+)$/))) {
      const n = state.owned.find((o) => o.id === m[1]);
      if (!n) return send(404, { errors: [{ code: "10005", title: "Resource not found" }] });
      if (req.method === "DELETE") {
        state.owned = state.owned.filter((o) => o !== n);
        return send(200, { data: { id: n.id, phone_number: n.phone_number } });
      }
      Object.assign(n, record.json);
      return send(200, { data: { id: n.id, phone_number: n.phone_number, connection_id: n.connection_id, customer_reference: n.customer_reference } });
    }
    send(404, { message: `the stand-in has no ${req.method} ${p}` });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    state,
    /** The environment that sends `dni`'s provider calls here. */
    env: { DNI_TWILIO_API_BASE: base, DNI_TELNYX_API_BASE: base, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TELNYX_API_KEY: TELNYX_KEY },
    take() {
      const r = state.requests;
      state.requests = [];
      return r;
    },
    stop: () => new Promise((ok) => server.close(ok)),
  };
}
