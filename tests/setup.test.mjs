// `dni setup` from nothing to a live site, against a stand-in provider on 127.0.0.1 and the real
// worker in workerd (wrangler dev standing in for the deployed one: DNI_DEPLOY_COMMAND is a no-op and
// DNI_SECRET_COMMAND records each secret, which the test hands to the worker by restarting it as
// Cloudflare would serve them); then `dni doctor` all green, each of its checks seen failing on a
// setup broken on purpose, and bad input that changes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, mkdirSync, readFileSync, existsSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorker, ROOT, ADMIN_TOKEN, TWILIO_AUTH_TOKEN, visitorHeaders } from "./harness.mjs";
import { startStandin } from "./standin-provider.mjs";

const SHOP = `<!doctype html><title>Shop</title><p>Call <a href="tel:+12125550100">(212) 555-0100</a></p>
<script src="/dni.js" data-site="shop" async></script>`;
const NOTAG = `<!doctype html><title>Shop</title><p>Call (212) 555-0100</p>`;

let worker, standin, dir, secretsFile;
const bin = join(ROOT, "target", "debug", "dni");

function env(extra = {}) {
  return {
    ...process.env,
    ...standin.env,
    TWILIO_AUTH_TOKEN,
    DNI_ADMIN_TOKEN: ADMIN_TOKEN,
    DNI_DEPLOY_COMMAND: "true",
    DNI_SECRET_COMMAND: `node ${join(ROOT, "tests", "record-secret.mjs")}`,
    DNI_TEST_SECRETS_FILE: secretsFile,
    ...extra,
  };
}
// `dni` asynchronously (the stand-in answers from this process), from the operator's directory.
async function dni(args, extra) {
  try {
    const r = await promisify(execFile)(bin, args, { cwd: dir, env: env(extra), encoding: "utf8" });
    return { ok: true, ...r };
  } catch (e) {
    return { ok: false, stdout: e.stdout ?? "", stderr: e.stderr ?? String(e) };
  }
}
const recorded = () => Object.fromEntries(readFileSync(secretsFile, "utf8").trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));

before(async () => {
  execFileSync("cargo", ["build", "--quiet", "-p", "dni-cli"], { cwd: ROOT });
  standin = await startStandin();
  worker = await startWorker({ name: "setup", sites: [], pages: { "shop.html": SHOP, "notag.html": NOTAG } });
  dir = mkdtempSync(join(tmpdir(), "dni-setup-"));
  mkdirSync(join(dir, "sites"));
  secretsFile = join(dir, "secrets.txt");
  writeFileSync(secretsFile, "");
});
after(async () => {
  await worker?.stop();
  await standin?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const setupArgs = (site, extra = []) => ["setup", "--yes", "--site", site, "--origin", worker.base, "--business-number", "+12125550100",
  "--provider", "twilio", "--numbers-count", "3", "--worker-url", worker.base, ...extra];

test("dni setup: bad input changes nothing (unknown area code, a refused purchase)", async () => {
  const r = await dni(setupArgs("early", ["--area-code", "999"]));
  assert.equal(r.ok, false, r.stdout);
  assert.match(r.stderr, /twilio has 0 numbers in area code 999 available, 3 needed: nothing bought/);
  assert.match(r.stderr, /run the same dni setup command again/);
  assert.deepEqual(standin.state.owned, []);
  assert.equal(existsSync(join(dir, "sites", "early.json")), false);
  standin.state.refuse = { code: 21631, message: "Insufficient funds", status: 400 };
  const refused = await dni(setupArgs("early"));
  standin.state.refuse = null;
  assert.equal(refused.ok, false, refused.stdout);
  assert.match(refused.stderr, /Twilio refused to buy \+12125550181 \(HTTP 400, error 21631\): Insufficient funds\nnothing bought/);
  assert.deepEqual(standin.state.owned, []);
  assert.equal(existsSync(join(dir, "sites", "early.json")), false);
  // The worker has no configuration for it.
  assert.equal((await fetch(`${worker.base}/v1/sites/early/config`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 404);
});

test("dni setup from nothing; dni doctor all green once the secrets arrive; numbers list", async () => {
  const started = performance.now();
  const r = await dni(setupArgs("shop"));
  assert.ok(r.ok, r.stderr);
  // Three numbers bought in the business number's area code, marked for the site's pool, pointing here.
  assert.deepEqual(standin.state.owned.map((n) => [n.phone_number, n.friendly_name, n.voice_url, n.status_callback]), ["81", "82", "83"].map((x) =>
    [`+121255501${x}`, "dni:shop:visitors", `${worker.base}/v1/twilio/voice`, `${worker.base}/v1/twilio/status`]));
  const file = JSON.parse(readFileSync(join(dir, "sites", "shop.json"), "utf8"));
  assert.deepEqual(file.pools[0].numbers, ["+12125550181", "+12125550182", "+12125550183"]);
  const stored = await (await fetch(`${worker.base}/v1/sites/shop/config`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  assert.deepEqual(stored, file);
  assert.match(r.stdout, new RegExp(`<script src="${worker.base}/dni.js" data-site="shop" async></script>`));
  assert.match(r.stdout, /report token dni_rt_\S+/);
  assert.match(r.stdout, /Changes reach every location within a minute/);
  // The generated callback secret and the provider's went through the secret command, on stdin.
  const secrets = recorded();
  assert.match(secrets.CALLBACK_SECRET, /^[0-9a-f]{64}$/);
  assert.equal(secrets.TWILIO_AUTH_TOKEN, TWILIO_AUTH_TOKEN);
  assert.ok(!("ADMIN_TOKEN" in secrets), "an existing admin token is kept");
  // A site added to a running worker gets its own operator key, shown once, for this site only.
  const key = r.stdout.match(/the site's operator key \(shown once; it opens shop only, every scope\): (dni_ok_\S+)/)?.[1];
  assert.ok(key, r.stdout);
  const asKey = (site) => fetch(`${worker.base}/v1/sites/${site}/config`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal((await asKey("shop")).status, 200);
  assert.equal((await asKey("other")).status, 401);

  const page = `${worker.base}/t/shop.html`;
  await worker.restart({ vars: secrets });
  const doctor = await dni(["doctor", worker.base, "--site", "shop", "--page", page]);
  const seconds = (performance.now() - started) / 1000;
  assert.ok(doctor.ok, doctor.stdout + doctor.stderr);
  assert.doesNotMatch(doctor.stdout, /FAIL/);
  for (const line of [/ok {4}the worker answers/, /ok {4}the configuration of shop is valid/, /ok {4}every secret the configuration needs is set/,
    /ok {4}all 3 twilio numbers' voice and status URLs point at this worker/, /carries the tag for shop/, /shows \+12125550100/,
    /is one of the site's origins/, /ok {4}a test call went through and was recorded test-/]) {
    assert.match(doctor.stdout, line);
  }
  console.log(`figure: dni setup to dni doctor all green, its test call recorded (stand-ins, local worker, build excluded): ${seconds.toFixed(1)} s`);
  const list = await dni(["numbers", "list", worker.base, "--site", "shop"]);
  assert.ok(list.ok, list.stderr);
  assert.equal(list.stdout.split("\n").filter((l) => / yes /.test(l) && /pool visitors/.test(l)).length, 3, list.stdout);
});

test("a second run changes nothing; an interrupted run resumes without buying twice", async () => {
  const before = structuredClone(standin.state.owned);
  const again = await dni(setupArgs("shop"));
  assert.ok(again.ok, again.stderr);
  assert.match(again.stdout, /the site's operator key exists \(\w+; its secret was shown when it was made\)/);
  assert.deepEqual(standin.state.owned, before, "nothing bought again");
  // A run that stops after buying one of two numbers, then the same command again.
  standin.state.available["212"].push("+12125550184", "+12125550185");
  standin.state.refuseAfter = 1;
  const cut = await dni(setupArgs("cut", ["--numbers-count", "2"]));
  assert.equal(cut.ok, false);
  assert.match(cut.stderr, /bought or found so far: \+12125550184/);
  assert.equal(existsSync(join(dir, "sites", "cut.json")), false);
  standin.state.refuseAfter = null;
  standin.state.refuse = null;
  const resumed = await dni(setupArgs("cut", ["--numbers-count", "2"]));
  assert.ok(resumed.ok, resumed.stderr);
  assert.match(resumed.stdout, /found \+12125550184 \(bought earlier for dni:cut:visitors\): not bought again/);
  const cutNumbers = standin.state.owned.filter((n) => n.friendly_name === "dni:cut:visitors").map((n) => n.phone_number);
  assert.deepEqual(cutNumbers, ["+12125550184", "+12125550185"]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "sites", "cut.json"), "utf8")).pools[0].numbers, cutNumbers);
});

test("each doctor check fails on a setup broken on purpose, and says how to fix it", async () => {
  const doctor = (page = `${worker.base}/t/shop.html`) => dni(["doctor", worker.base, "--site", "shop", "--page", page]);
  // A number pointed elsewhere.
  const n = standin.state.owned.find((o) => o.phone_number === "+12125550182");
  const saved = n.voice_url;
  n.voice_url = "https://old-tracker.example.com/voice";
  let r = await doctor();
  assert.equal(r.ok, false);
  assert.match(r.stdout, /FAIL {2}calls to these numbers do not reach this worker: \+12125550182 \(pool visitors\) points at https:\/\/old-tracker\.example\.com\/voice\n {6}fix: dni numbers attach/);
  // Attaching it back refuses a number attached to another worker without --force, and changes nothing.
  const refused = await dni(["numbers", "attach", worker.base, "--site", "shop", "--pool", "visitors", "+12125550182"]);
  assert.equal(refused.ok, false);
  assert.match(refused.stderr, /attached to another worker \(https:\/\/old-tracker\.example\.com\/voice\): nothing changed/);
  assert.equal(n.voice_url, "https://old-tracker.example.com/voice");
  const forced = await dni(["numbers", "attach", worker.base, "--site", "shop", "--pool", "visitors", "+12125550182", "--force"]);
  assert.ok(forced.ok, forced.stderr);
  assert.equal(n.voice_url, saved);
  // A page without the tag.
  r = await doctor(`${worker.base}/t/notag.html`);
  assert.match(r.stdout, /FAIL {2}\S+notag\.html does not carry the tag for shop\n {6}fix: paste <script/);
  // A page whose origin is not in the configuration (the same page, by another host name).
  r = await doctor(worker.base.replace("127.0.0.1", "localhost") + "/t/shop.html");
  assert.match(r.stdout, /FAIL {2}http:\/\/localhost:\d+ is not one of the site's origins: the worker refuses its visitors\n {6}fix: add "http:\/\/localhost:\d+" to origins/);
  // A missing secret: the worker without the provider's token.
  await worker.restart({ vars: { TWILIO_AUTH_TOKEN: "" } });
  r = await doctor();
  assert.match(r.stdout, /FAIL {2}secrets not set: TWILIO_AUTH_TOKEN \(Twilio's webhooks are refused/);
  await worker.restart({ vars: { TWILIO_AUTH_TOKEN } });
  r = await doctor();
  assert.ok(r.ok, r.stdout);
});

test("dni numbers add takes the advice's figure or N; release gives back only numbers nothing needs", async () => {
  const config = async () => (await (await fetch(`${worker.base}/v1/sites/shop/config`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()).pools[0].numbers;
  // No history yet: the advice adds nothing.
  let r = await dni(["numbers", "add", worker.base, "--site", "shop", "--pool", "visitors"]);
  assert.ok(r.ok, r.stderr);
  assert.match(r.stdout, /the pool's advice \(last 30 days' busiest hours\): add 0\nnothing to add/);
  standin.state.available["212"].push("+12125550186", "+12125550187");
  r = await dni(["numbers", "add", worker.base, "--site", "shop", "--pool", "visitors", "1"]);
  assert.ok(r.ok, r.stderr);
  assert.match(r.stdout, /bought \+12125550186 \(dni:shop:visitors\)/);
  assert.match(r.stdout, /pool visitors has 4 numbers; changes reach every location within a minute/);
  assert.deepEqual(await config(), ["+12125550181", "+12125550182", "+12125550183", "+12125550186"]);
  // An idle pool: the number leaves the pool and the account.
  r = await dni(["numbers", "release", worker.base, "--site", "shop", "+12125550186"]);
  assert.ok(r.ok, r.stderr);
  assert.match(r.stdout, /released \+12125550186/);
  assert.deepEqual(await config(), ["+12125550181", "+12125550182", "+12125550183"]);
  assert.ok(!standin.state.owned.some((n) => n.phone_number === "+12125550186"));
  // A visitor holds a number: that one is not released (it says when to come back), another is.
  const lease = await fetch(`${worker.base}/v1/sites/shop/leases`, {
    method: "POST",
    headers: { ...visitorHeaders(), Origin: worker.base, "Content-Type": "text/plain" },
    body: JSON.stringify({ session: "r".repeat(22), targets: ["+12125550100"], page: { url: `${worker.base}/t/shop.html`, referrer: "" } }),
  });
  assert.equal(lease.status, 200, await lease.clone().text());
  const held = (await lease.json()).numbers[0].number;
  const figures = await (await fetch(`${worker.base}/v1/sites/shop/pools/visitors`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  assert.deepEqual(figures.needed.map((x) => x.number), [held]);
  r = await dni(["numbers", "release", worker.base, "--site", "shop", held]);
  assert.equal(r.ok, false);
  assert.match(r.stderr, new RegExp(`\\${held} is still needed by a visitor's lease, its cool-down or an open attribution window: nothing changed\\. It is free in about 1[34] minutes at the earliest; run this again then\\.`));
  assert.ok((await config()).includes(held));
  assert.ok(standin.state.owned.some((n) => n.phone_number === held));
  const other = (await config()).find((x) => x !== held);
  r = await dni(["numbers", "release", worker.base, "--site", "shop", other]);
  assert.ok(r.ok, r.stderr);
  assert.ok(!(await config()).includes(other));
  assert.ok(!standin.state.owned.some((n) => n.phone_number === other));
});

test("dni setup with Telnyx: a TeXML application carries the worker's URLs; the doctor reads them back", async () => {
  const r = await dni(["setup", "--yes", "--site", "tshop", "--origin", worker.base, "--business-number", "+12125550100",
    "--provider", "telnyx", "--numbers-count", "1", "--worker-url", worker.base], { TELNYX_PUBLIC_KEY: "standin-public-key" });
  assert.ok(r.ok, r.stderr);
  const app = standin.state.apps.find((a) => a.voice_url === `${worker.base}/v1/telnyx/voice`);
  assert.equal(app?.status_callback, `${worker.base}/v1/telnyx/status`);
  const bought = standin.state.owned.filter((o) => o.customer_reference === "dni:tshop:visitors");
  assert.equal(bought.length, 1);
  assert.equal(bought[0].connection_id, app.id);
  const file = JSON.parse(readFileSync(join(dir, "sites", "tshop.json"), "utf8"));
  assert.deepEqual([file.pools[0].provider, file.pools[0].numbers], ["telnyx", [bought[0].phone_number]]);
  const secrets = recorded();
  assert.equal(secrets.TELNYX_PUBLIC_KEY, "standin-public-key");
  // Before the secrets reach the worker, the doctor says which are missing and how to set them.
  const early = await dni(["doctor", worker.base, "--site", "tshop"]);
  assert.equal(early.ok, false);
  assert.match(early.stdout, /FAIL {2}secrets not set: TELNYX_PUBLIC_KEY \(Telnyx's webhooks are refused without it: calls are not recorded\)\n {6}fix: npx wrangler secret put TELNYX_PUBLIC_KEY/);
  await worker.restart({ vars: { TELNYX_PUBLIC_KEY: secrets.TELNYX_PUBLIC_KEY } });
  const doctor = await dni(["doctor", worker.base, "--site", "tshop"]);
  assert.ok(doctor.ok, doctor.stdout + doctor.stderr);
  assert.match(doctor.stdout, /ok {4}all 1 telnyx numbers' voice and status URLs point at this worker/);
});

test("dni setup --numbers attaches owned numbers: one attached to another worker needs --force; the answers may come from the terminal", async () => {
  standin.state.owned.push({ sid: "PN90", id: "90", phone_number: "+12125550190", friendly_name: "old", voice_url: "https://old-tracker.example.com/voice", status_callback: "" });
  const args = ["setup", "--yes", "--site", "mine", "--origin", worker.base, "--business-number", "+12125550100", "--provider", "twilio", "--numbers", "+12125550190", "--worker-url", worker.base];
  let r = await dni(args);
  assert.equal(r.ok, false);
  assert.match(r.stdout, /\+12125550190 points at https:\/\/old-tracker\.example\.com\/voice now/);
  assert.match(r.stderr, /\+12125550190 is attached to another worker \(https:\/\/old-tracker\.example\.com\/voice\): repoint it anyway with --force/);
  assert.equal(standin.state.owned.at(-1).voice_url, "https://old-tracker.example.com/voice");
  assert.equal(existsSync(join(dir, "sites", "mine.json")), false);
  r = await dni([...args, "--force"]);
  assert.ok(r.ok, r.stderr);
  assert.equal(standin.state.owned.at(-1).voice_url, `${worker.base}/v1/twilio/voice`);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "sites", "mine.json"), "utf8")).pools[0].numbers, ["+12125550190"]);
  // Interactive: each answer on its own line, defaults taken on an empty one (dry run).
  standin.state.available["310"] = ["+13105550111"];
  const child = spawn(bin, ["setup", "--dry-run", "--worker-url", worker.base], { cwd: dir, env: env() });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stdin.end(`ask\n${worker.base}\n+13105550100\n\n1\n\n`);
  const code = await new Promise((ok) => child.on("close", ok));
  assert.equal(code, 0, out);
  assert.match(out, /provider \(twilio or telnyx\) \[twilio\]: /);
  assert.match(out, /for 100 visitors an hour at the busiest hour, the sizing model suggests \d+ numbers/);
  assert.match(out, /area code \[310\]: /);
  assert.match(out, /"id": "ask"/);
  assert.match(out, /"\+13105550111"/);
});

test("dni setup --dry-run prints every call and changes nothing", async () => {
  const owned = structuredClone(standin.state.owned);
  const r = await dni(setupArgs("dry", ["--dry-run", "--toll-free", "--numbers-count", "1"]));
  assert.ok(r.ok, r.stderr);
  assert.match(r.stdout, /would run: true/);
  assert.match(r.stdout, /would run: node \S+record-secret\.mjs CALLBACK_SECRET \(value on stdin\)/);
  assert.match(r.stderr, /would POST \/2010-04-01\/Accounts\/\w+\/IncomingPhoneNumbers\.json/);
  assert.match(r.stdout, /would write sites\/dry\.json and PUT/);
  assert.deepEqual(standin.state.owned, owned);
  assert.equal(existsSync(join(dir, "sites", "dry.json")), false);
});
