// Every request `dni` sends to a provider's number API is the one the provider's own library sends
// for the same operation: Twilio's (`twilio` from npm, through its `httpClient` option) and Telnyx's
// (`telnyx` from npm, through its base URL), both pointed at one stand-in on 127.0.0.1 that records
// method, path, query, form or JSON body and authorization. One table row per operation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { createRequire } from "node:module";
import { ROOT } from "./harness.mjs";
import { startStandin, SID, TOKEN, TELNYX_KEY } from "./standin-provider.mjs";

const require = createRequire(import.meta.url);
const twilio = require("twilio");
const Telnyx = require("telnyx");

const WORKER = "https://dni.example.workers.dev";
const MARK = "dni:demo:visitors";
let standin, dni;
const run = (args, env = {}) => promisify(execFile)(join("target", "debug", "dni"), args, { cwd: ROOT, env: { ...process.env, ...standin.env, ...env }, encoding: "utf8" });

before(async () => {
  standin = await startStandin();
  execFileSync("cargo", ["build", "--quiet", "-p", "dni-cli"], { cwd: ROOT });
  // Asynchronously: the stand-in answers from this process's event loop.
  dni = async (...args) => (await run(args)).stdout;
});
after(async () => standin?.stop());

// Twilio's library, its requests sent to the stand-in (same path and query, same form).
function twilioClient() {
  const httpClient = {
    async request(opts) {
      const u = new URL(opts.uri);
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.params ?? {})) if (v !== undefined) query.append(k, String(v));
      const headers = { ...opts.headers, Authorization: `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString("base64")}` };
      let body;
      if (opts.data && Object.keys(opts.data).length) {
        body = new URLSearchParams(Object.entries(opts.data).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString();
        headers["Content-Type"] = "application/x-www-form-urlencoded";
      }
      const r = await fetch(`${standin.base}${u.pathname}${query.size ? `?${query}` : ""}`, { method: opts.method.toUpperCase(), headers, body });
      return { statusCode: r.status, body: await r.text(), headers: Object.fromEntries(r.headers) };
    },
  };
  return twilio(SID, TOKEN, { httpClient });
}

const telnyx = () => new Telnyx({ apiKey: TELNYX_KEY, baseURL: `${standin.base}/v2`, maxRetries: 0 });

const hooks = (p) => ({ voice: `${WORKER}/v1/${p}/voice`, status: `${WORKER}/v1/${p}/status` });
const owned = (extra) => [{ sid: "PN7", id: "77", phone_number: "+12125550177", friendly_name: "old", voice_url: "https://old.example.com/voice", status_callback: "", ...extra }];
const app = (extra) => ({ id: "app9", friendly_name: "dni dni.example.workers.dev", voice_url: `${WORKER}/v1/telnyx/voice`, status_callback: `${WORKER}/v1/telnyx/status`, ...extra });

// (operation, the account before, dni's command, the library's call; the requests compared are
// every request each side sent)
const ROWS = [
  ["Twilio: search local numbers by area code", {}, ["provider", "twilio", "search", "--area-code", "212", "--count", "2"],
    () => twilioClient().availablePhoneNumbers("US").local.page({ areaCode: 212, pageSize: 2 })],
  ["Twilio: search toll-free numbers", {}, ["provider", "twilio", "search", "--toll-free", "--count", "1"],
    () => twilioClient().availablePhoneNumbers("US").tollFree.page({ pageSize: 1 })],
  ["Twilio: buy a number with its webhooks", {}, ["provider", "twilio", "buy", "--number", "+12125550181", "--worker", WORKER, "--marker", MARK],
    () => twilioClient().incomingPhoneNumbers.create({ phoneNumber: "+12125550181", voiceUrl: hooks("twilio").voice, voiceMethod: "POST", statusCallback: hooks("twilio").status, statusCallbackMethod: "POST", friendlyName: MARK })],
  ["Twilio: list the account's numbers", { owned: owned() }, ["provider", "twilio", "list"],
    () => twilioClient().incomingPhoneNumbers.page({ pageSize: 1000 })],
  ["Twilio: update a number's webhooks", { owned: owned() }, ["provider", "twilio", "point", "--id", "PN7", "--number", "+12125550177", "--worker", WORKER, "--marker", MARK],
    () => twilioClient().incomingPhoneNumbers("PN7").update({ voiceUrl: hooks("twilio").voice, voiceMethod: "POST", statusCallback: hooks("twilio").status, statusCallbackMethod: "POST", friendlyName: MARK })],
  ["Twilio: release a number", { owned: owned() }, ["provider", "twilio", "release", "--id", "PN7", "--number", "+12125550177"],
    () => twilioClient().incomingPhoneNumbers("PN7").remove()],
  ["Telnyx: search local numbers by area code", {}, ["provider", "telnyx", "search", "--area-code", "212", "--count", "2"],
    () => telnyx().availablePhoneNumbers.list({ filter: { country_code: "US", phone_number_type: "local", national_destination_code: "212", limit: 2 } })],
  ["Telnyx: search toll-free numbers", {}, ["provider", "telnyx", "search", "--toll-free", "--count", "1"],
    () => telnyx().availablePhoneNumbers.list({ filter: { country_code: "US", phone_number_type: "toll_free", limit: 1 } })],
  ["Telnyx: buy (a TeXML application carrying the URLs, then a number order)", {}, ["provider", "telnyx", "buy", "--number", "+12125550181", "--worker", WORKER, "--marker", MARK],
    async () => {
      const t = telnyx();
      await t.texmlApplications.list({ "page[number]": 1, "page[size]": 250 });
      const created = await t.texmlApplications.create({ friendly_name: "dni dni.example.workers.dev", voice_url: hooks("telnyx").voice, voice_method: "post", status_callback: hooks("telnyx").status, status_callback_method: "post" });
      await t.numberOrders.create({ phone_numbers: [{ phone_number: "+12125550181" }], connection_id: created.data.id, customer_reference: MARK });
    }],
  ["Telnyx: buy with the application already there (found by its name)", { apps: [app()] }, ["provider", "telnyx", "buy", "--number", "+12125550181", "--worker", WORKER, "--marker", MARK],
    async () => {
      const t = telnyx();
      await t.texmlApplications.list({ "page[number]": 1, "page[size]": 250 });
      await t.numberOrders.create({ phone_numbers: [{ phone_number: "+12125550181" }], connection_id: "app9", customer_reference: MARK });
    }],
  ["Telnyx: list the account's numbers (and the applications they point at)", { owned: owned(), apps: [app()] }, ["provider", "telnyx", "list"],
    async () => {
      const t = telnyx();
      await t.texmlApplications.list({ "page[number]": 1, "page[size]": 250 });
      await t.phoneNumbers.list({ "page[number]": 1, "page[size]": 250 });
    }],
  ["Telnyx: update a number (the application repointed at this worker, the number to it)", { owned: owned(), apps: [app({ voice_url: "https://old.example.com/voice" })] },
    ["provider", "telnyx", "point", "--id", "77", "--number", "+12125550177", "--worker", WORKER, "--marker", MARK],
    async () => {
      const t = telnyx();
      await t.texmlApplications.list({ "page[number]": 1, "page[size]": 250 });
      await t.texmlApplications.update("app9", { friendly_name: "dni dni.example.workers.dev", voice_url: hooks("telnyx").voice, voice_method: "post", status_callback: hooks("telnyx").status, status_callback_method: "post" });
      await t.phoneNumbers.update("77", { connection_id: "app9", customer_reference: MARK });
    }],
  ["Telnyx: release a number", { owned: owned() }, ["provider", "telnyx", "release", "--id", "77", "--number", "+12125550177"],
    () => telnyx().phoneNumbers.delete("77")],
];

function reset(account) {
  standin.state.owned = structuredClone(account.owned ?? []);
  standin.state.apps = structuredClone(account.apps ?? []);
  standin.state.refuse = null;
  standin.take();
}

for (const [name, account, args, library] of ROWS) {
  test(name, async () => {
    reset(account);
    await dni(...args);
    const ours = standin.take();
    reset(account);
    await library();
    const theirs = standin.take();
    assert.ok(theirs.length > 0);
    assert.deepEqual(ours, theirs);
  });
}

test("a refusal is the provider's message; a non-loopback API base is refused before any call", async () => {
  reset({});
  standin.state.refuse = { code: 21631, message: "Insufficient funds to buy this number", status: 400 };
  await assert.rejects(dni("provider", "twilio", "buy", "--number", "+12125550181", "--worker", WORKER, "--marker", MARK),
    (e) => /Twilio refused to buy \+12125550181 \(HTTP 400, error 21631\): Insufficient funds/.test(e.stderr));
  standin.state.refuse = { errors: [{ code: "10010", title: "Insufficient funds", detail: "Your balance is too low" }] };
  standin.state.apps = [app()];
  await assert.rejects(dni("provider", "telnyx", "buy", "--number", "+12125550181", "--worker", WORKER, "--marker", MARK),
    (e) => /Telnyx refused to buy \+12125550181 \(HTTP 422, error 10010\): Your balance is too low/.test(e.stderr));
  standin.take();
  await assert.rejects(run(["provider", "twilio", "list"], { DNI_TWILIO_API_BASE: "http://evil.example.com" }),
    (e) => /local stand-in/.test(e.stderr));
  assert.deepEqual(standin.take(), []);
});

test("--dry-run prints the calls that change something and sends none of them", async () => {
  reset({});
  const r = await run(["provider", "twilio", "buy", "--number", "+12125550181", "--worker", WORKER, "--marker", MARK, "--dry-run"]);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /would POST \/2010-04-01\/Accounts\/AC0+1\/IncomingPhoneNumbers\.json\n {4}PhoneNumber=\+12125550181\n {4}VoiceUrl=https:\/\/dni\.example\.workers\.dev\/v1\/twilio\/voice/);
  assert.deepEqual(standin.take(), []);
  assert.deepEqual(standin.state.owned, []);
});
