// The OpenAPI document is kept true: every route's real answers (good and bad requests) are checked
// against it, and schemathesis (from PyPI, installed by scripts/setup) sends the worker what the
// document allows and checks that nothing answers 5xx and every answer matches the document.
// A new route: add its path to www/v1/openapi.json and a row to ROUTES below; its answers' types
// (crates/worker/src/api/) get golden answers, which tests/openapi-golden.test.mjs holds to the
// document.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startWorker, admin, twilioSignature, ADMIN_TOKEN, ROOT } from "./harness.mjs";

let worker, token;
const AUTH = { Authorization: `Bearer ${ADMIN_TOKEN}` };

before(async () => {
  worker = await startWorker({ name: "openapi" });
  const history = execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "history", "sites/demo.json", "--calls", "40", "--days", "10"], { cwd: ROOT });
  await admin(worker.base, "/v1/sites/demo/calls/import", { method: "POST", body: history });
  token = (await admin(worker.base, "/v1/sites/demo/report-tokens", { method: "POST", body: "{}" })).json;
});
after(async () => {
  await worker?.stop();
});

const page = (s) => JSON.stringify({ session: "s".repeat(22), targets: ["+12125550100"], page: { url: `${s}/`, referrer: "" } });

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
// A provider webhook signed the way Twilio signs it (their library); `null`: unsigned.
const hook = (base, url, params, sign = true) => ({
  headers: sign ? { ...FORM, "X-Twilio-Signature": twilioSignature(base + url, params) } : FORM,
  body: new URLSearchParams(params).toString(),
});
const CALLER = "+13105550199";
const CALL = { CallSid: "CAopenapi1", From: CALLER, To: "+12125550111" };

// (method, the document's path, the request's path, init)
function routes(base) {
  const origin = { Origin: base, "Content-Type": "text/plain" };
  const provider = (action) => `/v1/{provider}/${action}`;
  return [
    ["get", "/v1/health", "/v1/health", {}],
    ["get", "/v1/openapi.json", "/v1/openapi.json", {}],
    ["get", "/v1/sites/{site}/secrets", "/v1/sites/demo/secrets", { headers: AUTH }],
    ["get", "/v1/sites/{site}/secrets", "/v1/sites/demo/secrets", {}],
    ["get", "/v1/sites/{site}/public", "/v1/sites/demo/public", {}],
    ["get", "/v1/sites/{site}/public", "/v1/sites/nope/public", {}],
    ["options", "/v1/sites/{site}/leases", "/v1/sites/demo/leases", { headers: { Origin: base } }],
    ["post", "/v1/sites/{site}/leases", "/v1/sites/demo/leases", { headers: origin, body: page(base) }],
    ["post", "/v1/sites/{site}/leases", "/v1/sites/demo/leases", { headers: origin, body: "{" }],
    ["post", "/v1/sites/{site}/numbers", "/v1/sites/demo/numbers", { headers: origin, body: JSON.stringify({ targets: ["+12125550100"], page: { url: `${base}/`, referrer: "" } }) }],
    ["post", "/v1/sites/{site}/leases/{lease}/heartbeat", "/v1/sites/demo/leases/visitors.0.AAAAAAAAAAAAAAAAAAAAAA/heartbeat", { headers: origin }],
    ["post", "/v1/sites/{site}/leases/{lease}/release", "/v1/sites/demo/leases/visitors.0.AAAAAAAAAAAAAAAAAAAAAA/release", { headers: origin }],
    ["post", provider("voice"), "/v1/twilio/voice", hook(base, "/v1/twilio/voice", { CallSid: "CA1" }, false)],
    ["post", provider("voice"), "/v1/telnyx/voice", hook(base, "/v1/telnyx/voice", { CallSid: "CA1" }, false)],
    ["post", provider("voice"), "/v1/twilio/voice", hook(base, "/v1/twilio/voice", CALL)],
    ["post", provider("sms"), "/v1/twilio/sms", hook(base, "/v1/twilio/sms", { MessageSid: "SMopenapi1", From: "+13105550199", To: "+12125550111", Body: "Hello", NumMedia: "0" })],
    ["post", provider("sms"), "/v1/twilio/sms", hook(base, "/v1/twilio/sms", { MessageSid: "SMopenapi2", To: "+12125550111", Body: "Hello" })],
    ["post", provider("sms"), "/v1/twilio/sms", hook(base, "/v1/twilio/sms", { MessageSid: "SMopenapi3", From: "+13105550199" }, false)],
    ["post", provider("status"), "/v1/twilio/status", hook(base, "/v1/twilio/status", { CallSid: "CA1" }, false)],
    ["post", provider("status"), "/v1/twilio/status", hook(base, "/v1/twilio/status", { ...CALL, CallStatus: "completed", CallDuration: "30" })],
    ["post", provider("status"), "/v1/twilio/status", hook(base, "/v1/twilio/status", { ...CALL, CallStatus: "exploded" })],
    ["post", provider("dial"), "/v1/twilio/dial?site=demo&rule=0&step=0", hook(base, "/v1/twilio/dial?site=demo&rule=0&step=0", { ...CALL, DialCallStatus: "no-answer" })],
    ["post", provider("dial"), "/v1/twilio/dial?site=demo&step=x", hook(base, "/v1/twilio/dial?site=demo&step=x", CALL)],
    ["post", provider("recording"), "/v1/twilio/recording?site=demo", hook(base, "/v1/twilio/recording?site=demo", { ...CALL, RecordingSid: "RE1", RecordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", RecordingDuration: "12", RecordingStatus: "completed" })],
    ["post", provider("recording"), "/v1/twilio/recording", hook(base, "/v1/twilio/recording", CALL)],
    ["post", provider("transcript"), "/v1/twilio/transcript?site=demo", hook(base, "/v1/twilio/transcript?site=demo", { ...CALL, TranscriptionSid: "TR1", TranscriptionText: "Please call back", TranscriptionStatus: "completed" })],
    ["post", provider("transcript"), "/v1/twilio/transcript?site=demo", hook(base, "/v1/twilio/transcript?site=demo", CALL)],
    ["post", provider("whisper"), "/v1/twilio/whisper?site=demo&say=Call%20from%20Google&screen=1", hook(base, "/v1/twilio/whisper?site=demo&say=Call%20from%20Google&screen=1", CALL)],
    ["post", provider("screen"), "/v1/twilio/screen?site=demo", hook(base, "/v1/twilio/screen?site=demo", { ...CALL, Digits: "1" })],
    ["post", provider("screen"), "/v1/twilio/screen?site=demo", hook(base, "/v1/twilio/screen?site=demo", { ...CALL, Digits: "2" })],
    ["post", provider("answered"), "/v1/twilio/answered?site=demo&step=0", hook(base, "/v1/twilio/answered?site=demo&step=0", { CallSid: "CAleg1", ParentCallSid: "CAopenapi1", To: "+12125550100", CallStatus: "in-progress" })],
    ["post", provider("answered"), "/v1/twilio/answered?site=demo&step=0", hook(base, "/v1/twilio/answered?site=demo&step=0", { CallSid: "CAleg1", To: "+12125550100", CallStatus: "in-progress" })],
    ["post", provider("transcript"), "/v1/twilio/transcript?site=demo&kind=call", hook(base, "/v1/twilio/transcript?site=demo&kind=call", { CallSid: "CAopenapi1", TranscriptionEvent: "transcription-content", Final: "true", SequenceId: "1", Track: "inbound_track", TranscriptionData: '{"transcript":"Hello"}' })],
    ["post", provider("dial"), "/v1/telnyx/dial?site=demo&rule=0&step=0", { headers: { ...FORM, "telnyx-signature-ed25519": "AAAA", "telnyx-timestamp": "1" }, body: "CallSid=x" }],
    ["get", "/v1/sites/{site}/calls/{call}/recording", "/v1/sites/demo/calls/CAopenapi1/recording", { headers: AUTH }],
    ["get", "/v1/sites/{site}/calls/{call}/recording", "/v1/sites/demo/calls/CAnone/recording?kind=voicemail", { headers: AUTH }],
    ["get", "/v1/sites/{site}/calls/{call}/recording", "/v1/sites/demo/calls/CAopenapi1/recording", {}],
    ["get", "/v1/sites/{site}/calls/{call}/deliveries", "/v1/sites/demo/calls/CAopenapi1/deliveries", { headers: AUTH }],
    ["get", "/v1/sites/{site}/calls/{call}/deliveries", "/v1/sites/demo/calls/CAopenapi1/deliveries", {}],
    ["put", "/v1/sites/{site}/calls/{call}/qualification", "/v1/sites/demo/calls/CAopenapi1/qualification", { headers: AUTH, body: '{"tags":["Booked"],"status":"good","value":120}' }],
    ["put", "/v1/sites/{site}/calls/{call}/qualification", "/v1/sites/demo/calls/CAopenapi1/qualification", { headers: AUTH, body: '{"status":"maybe"}' }],
    ["put", "/v1/sites/{site}/calls/{call}/qualification", "/v1/sites/demo/calls/CAnone/qualification", { headers: AUTH, body: "{}" }],
    ["post", "/v1/sites/{site}/deliveries/{id}/retry", "/v1/sites/demo/deliveries/CAnone.ga4/retry", { headers: AUTH }],
    ["get", "/v1/sites/{site}/conversions.csv", "/v1/sites/demo/conversions.csv", { headers: AUTH }],
    ["get", "/v1/sites/{site}/conversions.csv", "/v1/sites/demo/conversions.csv", { headers: { Authorization: "Basic " + Buffer.from("google:wrong").toString("base64") } }],
    ["delete", "/v1/sites/{site}/callers/{caller}", `/v1/sites/demo/callers/${encodeURIComponent(CALLER)}`, { headers: AUTH }],
    ["delete", "/v1/sites/{site}/callers/{caller}", "/v1/sites/demo/callers/not-a-number", { headers: AUTH }],
    ["get", "/v1/sites/{site}/config", "/v1/sites/demo/config", { headers: AUTH }],
    ["get", "/v1/sites/{site}/config", "/v1/sites/demo/config", {}],
    ["put", "/v1/sites/{site}/config", "/v1/sites/demo/config", { method: "PUT", headers: AUTH, body: readFileSync(join(ROOT, "sites/demo.json")) }],
    ["put", "/v1/sites/{site}/config", "/v1/sites/demo/config", { method: "PUT", headers: AUTH, body: "{}" }],
    ["get", "/v1/sites/{site}/pools", "/v1/sites/demo/pools", { headers: AUTH }],
    ["get", "/v1/sites/{site}/pools/{pool}", "/v1/sites/demo/pools/visitors", { headers: AUTH }],
    ["get", "/v1/sites/{site}/pools/{pool}", "/v1/sites/demo/pools/nope", { headers: AUTH }],
    ["post", "/v1/sites/{site}/pools/{pool}/history/import", "/v1/sites/demo/pools/visitors/history/import", { headers: AUTH, body: JSON.stringify([{ at: Date.now() - 3_600_000, size: 10, leased: 4, cooling: 2, exhausted: 1, limited: 0 }]) }],
    ["post", "/v1/sites/{site}/pools/{pool}/history/import", "/v1/sites/demo/pools/visitors/history/import", { headers: AUTH, body: "[{}]" }],
    ["post", "/v1/sites/{site}/pools/{pool}/history/import", "/v1/sites/demo/pools/visitors/history/import", { body: "[]" }],
    ["get", "/v1/sites/{site}/pools/{pool}/history", "/v1/sites/demo/pools/visitors/history", { headers: AUTH }],
    ["get", "/v1/sites/{site}/pools/{pool}/history", "/v1/sites/demo/pools/visitors/history?channel=Direct", { headers: AUTH }],
    ["get", "/v1/sites/{site}/pools/{pool}/history", "/v1/sites/demo/pools/nope/history", { headers: AUTH }],
    ["get", "/v1/sites/{site}/calls", "/v1/sites/demo/calls?limit=3", { headers: AUTH }],
    ["get", "/v1/sites/{site}/calls", "/v1/sites/demo/calls?format=csv", { headers: AUTH }],
    ["get", "/v1/sites/{site}/calls", "/v1/sites/demo/calls?status=maybe", { headers: AUTH }],
    ["get", "/v1/sites/{site}/leads", "/v1/sites/demo/leads?limit=3", { headers: AUTH }],
    ["get", "/v1/sites/{site}/leads", "/v1/sites/demo/leads?kind=text&format=csv", { headers: AUTH }],
    ["get", "/v1/sites/{site}/leads", "/v1/sites/demo/leads?kind=fax", { headers: AUTH }],
    ["get", "/v1/sites/{site}/calls/{call}", "/v1/sites/demo/calls/CAdemo000100000001", { headers: AUTH }],
    ["get", "/v1/sites/{site}/calls/{call}", "/v1/sites/demo/calls/CAnone", { headers: AUTH }],
    ["post", "/v1/sites/{site}/calls/import", "/v1/sites/demo/calls/import", { headers: AUTH, body: "[]" }],
    ["post", "/v1/sites/{site}/calls/import", "/v1/sites/demo/calls/import", { headers: AUTH, body: "[{}]" }],
    ["post", "/v1/sites/{site}/test-calls", "/v1/sites/demo/test-calls", { headers: AUTH, body: JSON.stringify({ channel: "Paid Search" }) }],
    ["post", "/v1/sites/{site}/test-calls", "/v1/sites/demo/test-calls", { headers: AUTH, body: "" }],
    ["post", "/v1/sites/{site}/test-calls", "/v1/sites/demo/test-calls", { headers: AUTH, body: JSON.stringify({ channel: "Television" }) }],
    ["post", "/v1/sites/{site}/test-calls", "/v1/sites/nope/test-calls", { headers: AUTH, body: "{}" }],
    ["post", "/v1/sites/{site}/test-calls", "/v1/sites/demo/test-calls", { body: "{}" }],
    ["get", "/v1/sites/{site}/calls", "/v1/sites/demo/calls?test=only", { headers: AUTH }],
    ["get", "/v1/sites/{site}/reports/{by}", "/v1/sites/demo/reports/summary?test=include", { headers: AUTH }],
    ...["summary", "day", "channel", "source_medium", "campaign", "keyword", "landing_page", "tracking_number", "confidence"].map((by) =>
      ["get", "/v1/sites/{site}/reports/{by}", `/v1/sites/demo/reports/${by}`, { headers: AUTH }]),
    ["get", "/v1/sites/{site}/reports/{by}", "/v1/sites/demo/reports/weather", { headers: AUTH }],
    ["get", "/v1/sites/{site}/report-tokens", "/v1/sites/demo/report-tokens", { headers: AUTH }],
    ["post", "/v1/sites/{site}/report-tokens", "/v1/sites/demo/report-tokens", { headers: AUTH, body: '{"name":"openapi"}' }],
    ["post", "/v1/sites/{site}/report-tokens", "/v1/sites/demo/report-tokens", { headers: AUTH, body: '{"colour":"red"}' }],
    ["delete", "/v1/sites/{site}/report-tokens/{id}", "/v1/sites/demo/report-tokens/AAAAAAAAAAAA", { headers: AUTH }],
    ["get", "/v1/sites/{site}/config/history", "/v1/sites/demo/config/history", { headers: AUTH }],
    ["get", "/v1/sites/{site}/config/history", "/v1/sites/demo/config/history", {}],
    ["get", "/v1/sites/{site}/config/history/{version}", "/v1/sites/demo/config/history/1", { headers: AUTH }],
    ["get", "/v1/sites/{site}/config/history/{version}", "/v1/sites/demo/config/history/999", { headers: AUTH }],
    ["post", "/v1/sites/{site}/config/rollback", "/v1/sites/demo/config/rollback", { headers: AUTH, body: '{"version":1}' }],
    ["post", "/v1/sites/{site}/config/rollback", "/v1/sites/demo/config/rollback", { headers: AUTH, body: '{"version":999}' }],
    ["post", "/v1/operator-keys", "/v1/operator-keys", { headers: AUTH, body: '{"name":"openapi","sites":["demo"],"scopes":["calls"]}' }],
    ["post", "/v1/operator-keys", "/v1/operator-keys", { headers: AUTH, body: '{"sites":[]}' }],
    ["get", "/v1/operator-keys", "/v1/operator-keys", { headers: AUTH }],
    ["get", "/v1/operator-keys", "/v1/operator-keys", {}],
    ["delete", "/v1/operator-keys/{id}", "/v1/operator-keys/AAAAAAAAAAAA", { headers: AUTH }],
  ];
}

test("every route's real answers match the OpenAPI document", async () => {
  const answers = [];
  const table = routes(worker.base);
  table.push(["delete", "/v1/sites/{site}/report-tokens/{id}", `/v1/sites/demo/report-tokens/${token.id}`, { headers: AUTH }]);
  for (const [method, path, url, init] of table) {
    const r = await fetch(worker.base + url, { method: method.toUpperCase(), ...init });
    answers.push({ method, path, status: r.status, type: r.headers.get("content-type"), body: await r.text() });
  }
  const file = join(tmpdir(), `dni-openapi-answers-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(answers));
  const check = spawnSync("python3", [join(ROOT, "tests/openapi_check.py"), join(ROOT, "www/v1/openapi.json"), file], { encoding: "utf8" });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const documented = Object.keys(JSON.parse(readFileSync(join(ROOT, "www/v1/openapi.json"), "utf8")).paths);
  const exercised = new Set(table.map((r) => r[1]));
  assert.deepEqual(documented.filter((p) => !exercised.has(p)), [], "every documented route is exercised here");
});

// The worker's one routing table (`routes()` in lib.rs, one `route_table!` line per route): every
// route in it is in the document, so the two cannot drift apart.
test("every route of the worker's routing table is in the document", () => {
  const lib = readFileSync(join(ROOT, "crates/worker/src/lib.rs"), "utf8");
  const table = [...lib.matchAll(/^\s*(Get|Post|Put|Delete|Options|Patch)\s+"([^"]+)"(?:\s*\[[^\]]*\])?\s*=>/gm)]
    .map(([, method, pattern]) => [method.toLowerCase(), pattern.replace(/:([A-Za-z_]+)/g, "{$1}")]);
  assert.ok(table.length >= 30, `the routing table was read (${table.length} routes)`);
  const paths = JSON.parse(readFileSync(join(ROOT, "www/v1/openapi.json"), "utf8")).paths;
  const missing = table.filter(([method, path]) => !paths[path]?.[method]).map(([m, p]) => `${m.toUpperCase()} ${p}`);
  assert.deepEqual(missing, [], "routes of lib.rs missing from www/v1/openapi.json");
});

test("schemathesis: no 5xx, and every answer matches the document", { timeout: 600_000 }, async () => {
  const st = join(ROOT, ".venv", "bin", "schemathesis");
  assert.ok(existsSync(st), "schemathesis is missing: run scripts/setup");
  const run = spawnSync(st, [
    "run", `${worker.base}/v1/openapi.json`, "--url", worker.base,
    "--header", `Authorization: Bearer ${ADMIN_TOKEN}`,
    "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
    "--max-examples", process.env.DNI_BENCH_SHORT ? "5" : "15", "--seed", "1", "--no-color", "--workers", "1",
  ], { encoding: "utf8", timeout: 580_000, env: { ...process.env, SCHEMATHESIS_HOOKS: "" } });
  writeFileSync(join(ROOT, "tests", ".artifacts", "schemathesis.txt"), run.stdout + run.stderr);
  assert.equal(run.status, 0, (run.stdout + run.stderr).slice(-4000));
});
