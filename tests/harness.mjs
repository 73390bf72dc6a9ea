// The end-to-end harness: the real worker in workerd (wrangler dev, local KV, SQLite Durable Objects,
// alarms), real pages in Debian's Chromium (playwright-core), webhooks signed by Twilio's own helper
// library. Each test file starts its own worker on free ports with a fresh state directory and a
// generated wrangler config, so the developer's .dev.vars and local state are never read or touched.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, createWriteStream, rmSync, cpSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const twilio = require("twilio");
const { chromium } = require("playwright-core");

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ADMIN_TOKEN = "test-admin-token";
export const TWILIO_AUTH_TOKEN = "test-twilio-auth-token";
/** The landing page of a visit from a Google Ads click, as the issue describes it. */
export const AD_QUERY = "/?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=plumber&gclid=TEST123";
/** A desktop Chrome user agent: tests that play a real visitor present themselves as one. */
export const VISITOR_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

let visitorCount = 0;
/**
 * A fresh client address for a visitor, each in a network (/24) of its own, as `CF-Connecting-IP`
 * (the header Cloudflare sets; wrangler dev passes it through, else says 127.0.0.1). The worker's
 * pool-drain limits count new leases by address and network, so visitors must not all be one.
 */
export function visitorAddress() {
  visitorCount++;
  return `10.${(visitorCount >> 8) & 255}.${visitorCount & 255}.7`;
}

/**
 * The headers a real browser's `fetch` sends with a lease request (user agent and fetch metadata),
 * from a fresh address (see `visitorAddress`), for tests that play a visitor with Node's fetch.
 */
export function visitorHeaders(address = visitorAddress()) {
  return {
    "User-Agent": VISITOR_UA,
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Dest": "empty",
    "CF-Connecting-IP": address,
  };
}

const ARTIFACTS = join(ROOT, "tests", ".artifacts");

async function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Polls `check` (sync or async) every `every` ms until it returns a truthy value, and returns that
 * value; fails naming `what` and the last value seen once `timeout` ms have passed. Tests wait for a
 * condition this way, never for a fixed time: quick when the machine is, patient when it is loaded.
 * A test that checks that something did not happen waits with it for a positive signal that it
 * would have happened by then (a later event, or the object's own counter), then checks.
 */
export async function until(what, check, { timeout = 10_000, every = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() >= deadline) throw new Error(`waited ${timeout} ms for ${what}; last: ${JSON.stringify(got)}`);
    await sleep(every);
  }
}

function wranglerEnv() {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
}

const wranglerBin = join(ROOT, "node_modules", ".bin", "wrangler");

/**
 * Starts the worker. `sites` are configuration files (seeded into local KV through `dni kv`, the
 * command operators use); `secrets` become the worker's variables (omit one to test it unset).
 */
export async function startWorker({
  name = "worker",
  sites = ["sites/demo.json"],
  secrets = { ADMIN_TOKEN, TWILIO_AUTH_TOKEN },
  pages = {},
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), "dni-e2e-"));
  const state = join(dir, "state");
  mkdirSync(ARTIFACTS, { recursive: true });
  // A config beside an empty directory: wrangler finds no .dev.vars there.
  // The worker serves the site's assets plus the test pages (tests/pages/, under /t/).
  const assets = join(dir, "assets");
  cpSync(join(ROOT, "www"), assets, { recursive: true });
  cpSync(join(ROOT, "tests", "pages"), join(assets, "t"), { recursive: true });
  for (const [file, html] of Object.entries(pages)) writeFileSync(join(assets, "t", file), html);
  const config = readFileSync(join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^main = ".*"$/m, `main = "${join(ROOT, "crates/worker/build/index.js")}"`)
    .replace(/^directory = ".*"$/m, `directory = "${assets}"`);
  writeFileSync(join(dir, "wrangler.toml"), config);
  for (const site of sites) {
    const entries = execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "kv", join(ROOT, site)], {
      cwd: ROOT,
    });
    const file = join(dir, "kv.json");
    writeFileSync(file, entries);
    execFileSync(wranglerBin, ["kv", "bulk", "put", file, "--binding", "CONFIG", "--local", "--persist-to", state, "-c", join(dir, "wrangler.toml")], {
      cwd: dir,
      env: wranglerEnv(),
      stdio: "ignore",
    });
  }
  let port = await freePort();
  // The worker's variables; `restart({ vars })` may change them (the test clock, for one).
  const variables = { ...secrets };
  const varArgs = () => Object.entries(variables).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const log = join(ARTIFACTS, `wrangler-${name}.log`);
  const out = createWriteStream(log);
  let base = `http://127.0.0.1:${port}`;
  // One run of the runtime on the state directory; `restart` starts another on the same state.
  // A free port is only free when it is asked for: another socket (a benchmark's thousands of
  // client connections, say) may take it before the runtime binds it. A start that lost that race
  // is tried again on new ports (a restart keeps its port, which the tests already hold).
  const launch = async ({ first = false } = {}) => {
    for (let attempt = 1; ; attempt++) {
      const inspector = await freePort();
      let said = "";
      const child = spawn(
        wranglerBin,
        ["dev", "-c", join(dir, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
          "--persist-to", state, "--show-interactive-dev-session=false", ...varArgs()],
        { cwd: dir, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true },
      );
      for (const stream of [child.stdout, child.stderr]) {
        stream.on("data", (chunk) => (said += chunk));
        stream.pipe(out, { end: false });
      }
      const deadline = Date.now() + 60_000;
      let lostRace = false;
      for (;;) {
        if (child.exitCode !== null) {
          // Let the last of its output arrive before reading it.
          await sleep(250);
          if (attempt < 4 && /Address already in use/.test(said)) {
            lostRace = true;
            break;
          }
          throw new Error(`wrangler dev exited early; see ${log}`);
        }
        try {
          const r = await fetch(`${base}/v1/health`);
          if (r.ok) return child;
        } catch {}
        if (Date.now() > deadline) throw new Error(`wrangler dev did not start within 60 s; see ${log}`);
        await sleep(250);
      }
      if (lostRace) {
        out.write(`\n==== a port was taken before the runtime bound it: trying again ====\n`);
        if (first) {
          port = await freePort();
          base = `http://127.0.0.1:${port}`;
        }
      }
    }
  };
  // Ends the runtime: wrangler and workerd (its own process group), politely or with SIGKILL.
  const halt = async (child, signal) => {
    const exited = new Promise((ok) => (child.exitCode !== null || child.signalCode !== null ? ok() : child.once("exit", ok)));
    try {
      process.kill(-child.pid, signal);
    } catch {}
    await exited;
    // workerd may outlive wrangler for a moment: wait until nothing answers on the port.
    for (let i = 0; i < 80; i++) {
      try {
        await fetch(`${base}/v1/health`, { signal: AbortSignal.timeout(250) });
      } catch {
        return;
      }
      await sleep(250);
    }
    throw new Error(`the runtime on ${base} did not stop`);
  };
  let child = await launch({ first: true });
  return {
    base,
    log,
    /** The state directory (`--persist-to`): KV and the Durable Objects' SQLite files. */
    state,
    /** The worker's copy of the assets (www/ and the test pages under t/), which a benchmark may change. */
    assets,
    /** The runtime's process group id (wrangler and the workerd it started). */
    get pid() {
      return child.pid;
    },
    /**
     * Stops the runtime and starts it again on the same state directory and port: `kill: true`
     * ends it with SIGKILL (nothing flushed, nothing closed), else with SIGTERM; `whileStopped(state)`
     * runs in between (to edit the stored state as an older or broken release would have left it);
     * `vars` change the worker's variables from then on (`DNI_TEST_CLOCK_SKEW_MS`: the test clock,
     * see `clockSkew`).
     */
    async restart({ kill = false, whileStopped, vars = {} } = {}) {
      await halt(child, kill ? "SIGKILL" : "SIGTERM");
      if (whileStopped) await whileStopped(state);
      Object.assign(variables, vars);
      out.write(`\n==== restarted (${kill ? "SIGKILL" : "SIGTERM"}) ====\n`);
      child = await launch();
    },
    async stop() {
      await halt(child, "SIGTERM").catch(() => {});
      out.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The test clock: the worker's variables that move its clock (and its Durable Objects' and their
 * alarms') `ms` ahead of the machine's, for `restart({ vars: clockSkew(ms) })`. Only tests set it.
 */
export const clockSkew = (ms) => ({ DNI_TEST_CLOCK_SKEW_MS: String(ms) });

/** Twilio's own signature for a request (the official helper library, not ours). */
export function twilioSignature(url, params, token = TWILIO_AUTH_TOKEN) {
  return twilio.getExpectedTwilioSignature(token, url, params);
}

/** Posts a form the way Twilio does; signs it unless `signature` is given (null: unsigned). */
export async function postTwilio(url, params, { signature, token } = {}) {
  const headers = { "Content-Type": "application/x-www-form-urlencoded" };
  const sig = signature === undefined ? twilioSignature(url, params, token) : signature;
  if (sig !== null) headers["X-Twilio-Signature"] = sig;
  const response = await fetch(url, { method: "POST", headers, body: new URLSearchParams(params).toString() });
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
}

/** An admin API request with the token. */
export async function admin(base, path, init = {}) {
  const response = await fetch(base + path, {
    ...init,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers ?? {}) },
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/**
 * Chromium. `visitor: true` (the default) plays a real visitor: no automation flag, so
 * `navigator.webdriver` is false, and a desktop Chrome user agent.
 */
export async function launchBrowser({ backForwardCache = false } = {}) {
  return chromium.launch(browserOptions({ backForwardCache }));
}

const browserOptions = ({ backForwardCache = false } = {}) => ({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-blink-features=AutomationControlled",
  ],
  // (`backForwardCache`: kept as a visitor's browser has it; the automation's default switches it off.)
  ignoreDefaultArgs: ["--enable-automation", ...(backForwardCache ? ["--disable-back-forward-cache"] : [])],
});

/**
 * A new visitor in a browser of its own, with a fresh profile on disk, as Lighthouse (and HTTP
 * Archive's runs of it) loads a page. A context of `newVisitor` keeps its storage in memory, so the
 * browser's storage is never opened from disk there: a first visit's storage costs differ.
 * Closing the context ends that browser and removes the profile.
 */
export async function newDiskVisitor({ userAgent = VISITOR_UA, address = visitorAddress() } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "dni-profile-"));
  const context = await chromium.launchPersistentContext(dir, { ...browserOptions(), userAgent, extraHTTPHeaders: { "CF-Connecting-IP": address } });
  // (Removed once the browser has exited: its close event comes while it still writes there.)
  const close = context.close.bind(context);
  context.close = async (options) => {
    await close(options);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/**
 * A new visitor: a fresh context (own storage), a real visitor's user agent, an address of its own
 * (`CF-Connecting-IP`, see `visitorAddress`), console collected.
 */
export async function newVisitor(browser, { userAgent = VISITOR_UA, address = visitorAddress() } = {}) {
  const context = await browser.newContext({ userAgent, extraHTTPHeaders: { "CF-Connecting-IP": address } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  return { context, page, consoleErrors };
}

/** Waits until the element's text is no longer `original`; returns the new text. */
export async function swappedText(page, selector, original, timeout = 10_000) {
  await page.waitForFunction(
    ([s, o]) => document.querySelector(s)?.textContent !== o,
    [selector, original],
    { timeout },
  );
  return page.textContent(selector);
}
