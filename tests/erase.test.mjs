// Erasing one caller's data on request: every call record from that number goes, nothing else.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, postTwilio, admin } from "./harness.mjs";

let worker;
before(async () => {
  worker = await startWorker({ name: "erase" });
});
after(async () => worker?.stop());

const voice = (sid, from) =>
  postTwilio(`${worker.base}/v1/twilio/voice`, { CallSid: sid, AccountSid: "AC1", From: from, To: "+12125550111", CallStatus: "ringing", Direction: "inbound" });
const sids = async () => (await admin(worker.base, "/v1/sites/demo/calls")).json.calls.map((c) => c.call_sid).sort();

test("DELETE /v1/sites/{site}/callers/{e164} deletes that caller's calls and only those", async () => {
  for (const [sid, from] of [["CAerase1", "+13105550100"], ["CAerase2", "+13105550100"], ["CAkeep1", "+13105550101"], ["CAkeep2", "anonymous"]]) {
    assert.equal((await voice(sid, from)).status, 200, sid);
  }
  assert.deepEqual(await sids(), ["CAerase1", "CAerase2", "CAkeep1", "CAkeep2"]);
  // (what, path, token, status, erased)
  const table = [
    ["no token", "/v1/sites/demo/callers/+13105550100", null, 401, null],
    ["not E.164", "/v1/sites/demo/callers/3105550100", "ok", 400, null],
    ["unknown site", "/v1/sites/nosuchsite/callers/+13105550100", "ok", 404, null],
    ["the caller", "/v1/sites/demo/callers/+13105550100", "ok", 200, 2],
    ["again: nothing left", "/v1/sites/demo/callers/%2B13105550100", "ok", 200, 0],
    ["a caller with no calls", "/v1/sites/demo/callers/+13105550177", "ok", 200, 0],
  ];
  for (const [what, path, token, status, erased] of table) {
    const r = token
      ? await admin(worker.base, path, { method: "DELETE" })
      : await fetch(worker.base + path, { method: "DELETE" }).then(async (x) => ({ status: x.status, json: await x.json() }));
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.json)}`);
    if (erased === null) assert.equal(typeof r.json.error, "string", what);
    else assert.deepEqual([r.json.site, r.json.caller, r.json.erased_calls], ["demo", path.endsWith("177") ? "+13105550177" : "+13105550100", erased], what);
  }
  assert.deepEqual(await sids(), ["CAkeep1", "CAkeep2"], "the other callers' calls stay");
});
