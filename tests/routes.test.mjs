// Every answer is JSON: each route with every method, unknown routes, oversize bodies and bodies
// of the wrong type, against the real worker in workerd.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, ADMIN_TOKEN } from "./harness.mjs";

let worker;
before(async () => {
  worker = await startWorker({ name: "routes" });
});
after(async () => worker?.stop());

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

// (path, the methods it takes: its Allow header)
const ROUTES = [
  ["/v1/health", ["GET"]],
  ["/v1/sites/demo/public", ["GET"]],
  ["/v1/sites/demo/leases", ["OPTIONS", "POST"]],
  ["/v1/sites/demo/numbers", ["OPTIONS", "POST"]],
  ["/v1/sites/demo/leases/visitors.0.abcdefghijklmnop/heartbeat", ["OPTIONS", "POST"]],
  ["/v1/sites/demo/leases/visitors.0.abcdefghijklmnop/release", ["OPTIONS", "POST"]],
  ["/v1/twilio/voice", ["POST"]],
  ["/v1/twilio/status", ["POST"]],
  ["/v1/twilio/dial", ["POST"]],
  ["/v1/twilio/recording", ["POST"]],
  ["/v1/twilio/transcript", ["POST"]],
  ["/v1/twilio/whisper", ["POST"]],
  ["/v1/twilio/screen", ["POST"]],
  ["/v1/twilio/answered", ["POST"]],
  ["/v1/telnyx/voice", ["POST"]],
  ["/v1/telnyx/status", ["POST"]],
  ["/v1/sites/demo/calls", ["GET"]],
  ["/v1/sites/demo/calls/CA1", ["GET"]],
  ["/v1/sites/demo/calls/import", ["GET", "POST"]],
  ["/v1/sites/demo/calls/CA1/recording", ["GET"]],
  ["/v1/sites/demo/calls/CA1/deliveries", ["GET"]],
  ["/v1/sites/demo/reports/day", ["GET"]],
  ["/v1/sites/demo/report-tokens", ["GET", "POST"]],
  ["/v1/sites/demo/report-tokens/abc", ["DELETE"]],
  ["/v1/sites/demo/pools", ["GET"]],
  ["/v1/sites/demo/deliveries/CA1.webhook-0/retry", ["POST"]],
  ["/v1/sites/demo/conversions.csv", ["GET"]],
  ["/v1/sites/demo/config", ["GET", "PUT"]],
  ["/v1/sites/demo/config/history", ["GET"]],
  ["/v1/sites/demo/config/history/1", ["GET"]],
  ["/v1/sites/demo/config/rollback", ["POST"]],
  ["/v1/operator-keys", ["GET", "POST"]],
  ["/v1/operator-keys/abc", ["DELETE"]],
  ["/v1/sites/demo/pools/visitors", ["GET"]],
  ["/v1/sites/demo/callers/+13105550199", ["DELETE"]],
];

async function call(method, path, { headers = {}, body } = {}) {
  const r = await fetch(worker.base + path, { method, headers, body });
  const text = await r.text();
  return { status: r.status, type: r.headers.get("content-type") ?? "", allow: r.headers.get("allow"), text };
}

function assertJsonError(r, status, code, what) {
  assert.equal(r.status, status, `${what}: ${r.text}`);
  assert.match(r.type, /^application\/json/, what);
  const json = JSON.parse(r.text);
  assert.equal(typeof json.error, "string", what);
  assert.equal(json.code, code, what);
}

test("every route answers every method: its own methods reach it, the others are a JSON 405 with Allow", async () => {
  let checked = 0;
  for (const [path, allowed] of ROUTES) {
    for (const method of METHODS) {
      const what = `${method} ${path}`;
      // No credentials, no origin, no body: whatever the handler says, it is not the router's 405.
      const r = await call(method, path);
      if (allowed.includes(method)) {
        assert.notEqual(r.status, 405, what);
        assert.ok(r.status < 500, `${what}: ${r.status} ${r.text}`);
        if (r.text) assert.match(r.type, /^application\/json/, `${what}: ${r.text}`);
      } else {
        assert.equal(r.status, 405, `${what}: ${r.text}`);
        assert.equal(r.allow, allowed.join(", "), what);
        if (method !== "HEAD") assertJsonError(r, 405, "method_not_allowed", what);
      }
      checked++;
    }
  }
  assert.equal(checked, ROUTES.length * METHODS.length);
});

test("the issue's examples: DELETE on the lease route and PATCH anywhere are JSON 405s", async () => {
  const del = await call("DELETE", "/v1/sites/demo/leases");
  assertJsonError(del, 405, "method_not_allowed", "DELETE /leases");
  assert.equal(del.allow, "OPTIONS, POST");
  const patch = await call("PATCH", "/v1/sites/demo/config", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assertJsonError(patch, 405, "method_not_allowed", "PATCH /config");
  assert.equal(patch.allow, "GET, PUT");
});

test("unknown routes are JSON 404s, whatever the method", async () => {
  const paths = [
    "/v1/nope",
    "/v1/sites/demo",
    "/v1/sites/demo/",
    "/v1/sites//public",
    "/v1/sites/demo/public/extra",
    "/v1/sites/demo/leases/visitors.0.abcdefghijklmnop/renew",
    "/v1/sites/demo/callers",
    "/v2/sites/demo/leases",
  ];
  for (const path of paths) {
    for (const method of ["GET", "POST", "DELETE", "PATCH"]) {
      assertJsonError(await call(method, path), 404, "not_found", `${method} ${path}`);
    }
  }
});

test("bodies too large are JSON 413s; a webhook body that is not a form is a JSON 415", async () => {
  const big = "x".repeat(300 * 1024);
  // (what, method, path, headers, body, status, code)
  const table = [
    ["lease body over its limit", "POST", "/v1/sites/demo/leases", { Origin: worker.base, "Content-Type": "text/plain" }, big, 413, "too_large"],
    ["configuration over its limit", "PUT", "/v1/sites/demo/config", { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" }, big, 413, "too_large"],
    ["webhook form over its limit", "POST", "/v1/twilio/voice", { "Content-Type": "application/x-www-form-urlencoded" }, `CallSid=${big}`, 413, "too_large"],
    ["webhook as JSON", "POST", "/v1/twilio/voice", { "Content-Type": "application/json" }, '{"CallSid":"CA1"}', 415, "unsupported_media_type"],
    ["webhook without a type", "POST", "/v1/twilio/status", {}, undefined, 415, "unsupported_media_type"],
    ["status callback as text", "POST", "/v1/twilio/status", { "Content-Type": "text/plain" }, "CallSid=CA1", 415, "unsupported_media_type"],
  ];
  for (const [what, method, path, headers, body, status, code] of table) {
    assertJsonError(await call(method, path, { headers, body }), status, code, what);
  }
});
