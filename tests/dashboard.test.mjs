// The owner's dashboard in Chromium against a month of seeded history: sign-in with a report token
// (a wrong one refused), charts and totals equal to the API's, filters that change the table, the
// CSV download equal to the API's, a call's detail, a text conversation marked as one with its
// messages, and a phone's width. Screenshots go to
// tests/.artifacts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startWorker, admin, launchBrowser, newVisitor, postTwilio, ROOT } from "./harness.mjs";

const ARTIFACTS = join(ROOT, "tests", ".artifacts");
let worker, browser, token;

before(async () => {
  worker = await startWorker({ name: "dashboard" });
  browser = await launchBrowser();
  const history = execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "history", "sites/demo.json", "--calls", "400", "--days", "30"], { cwd: ROOT });
  const imported = await admin(worker.base, "/v1/sites/demo/calls/import", { method: "POST", body: history });
  assert.equal(imported.json.imported, 400);
  // A month of the pool's figures (the lease engine under simulated traffic), as the demo seeds it.
  const samples = execFileSync("cargo", ["run", "--quiet", "-p", "dni-cli", "--", "pool-history", "sites/demo.json", "--days", "30"], { cwd: ROOT });
  const pooled = await admin(worker.base, "/v1/sites/demo/pools/visitors/history/import", { method: "POST", body: samples });
  assert.ok(pooled.json.imported > 2800, `a month of quarter hours imported (${pooled.json.imported})`);
  token = (await admin(worker.base, "/v1/sites/demo/report-tokens", { method: "POST", body: '{"name":"dashboard test"}' })).json.token;
});
after(async () => {
  await browser?.close();
  await worker?.stop();
});

async function api(path) {
  const r = await fetch(worker.base + path, { headers: { Authorization: `Bearer ${token}` } });
  return r.headers.get("content-type").includes("json") ? r.json() : r.text();
}

async function signIn(page, t = token) {
  await page.goto(`${worker.base}/dashboard/`);
  await page.fill("#signin-site", "demo");
  await page.fill("#signin-token", t);
  await page.click("#signin-form button[type=submit]");
}

async function range(page) {
  return `from=${await page.inputValue("#f-from")}&to=${await page.inputValue("#f-to")}`;
}

test("the date fields show the window the totals are for, by the site's calendar, in any browser's time zone", async () => {
  // (The site's zone is America/New_York; Kiritimati's day is the next one from 05:00 to 24:00 in
  // New York: the fields used to show the browser's last 30 days while the totals were the API's.)
  const context = await browser.newContext({ timezoneId: "Pacific/Kiritimati" });
  const page = await context.newPage();
  await signIn(page);
  await page.waitForFunction(() => document.querySelector("#t-calls tbody tr"));
  const window = await api("/v1/sites/demo/reports/summary");
  assert.equal(await range(page), `from=${window.from}&to=${window.to}`);
  assert.equal((await page.textContent("#k-calls")).replace(/,/g, ""), String(window.rows[0].calls));
  await context.close();
});

test("a wrong token is refused; the right one opens the charts, whose totals are the API's", async () => {
  const { page, consoleErrors } = await newVisitor(browser);
  await signIn(page, "dni_rt_demo00000000_WrongTokenWrongTokenWrongToken00");
  await page.waitForFunction(() => document.querySelector("#signin-error").textContent.length > 0);
  assert.match(await page.textContent("#signin-error"), /refused/);
  assert.equal(await page.isVisible("#app"), false);

  await signIn(page);
  await page.waitForSelector("#chart-days canvas");
  await page.waitForFunction(() => document.querySelector("#t-calls tbody tr"));
  assert.ok(!page.url().includes(token), "the token is never in a URL");
  assert.equal(await page.evaluate(() => JSON.parse(sessionStorage.getItem("dni.dashboard")).site), "demo");
  const q = await range(page);
  const summary = (await api(`/v1/sites/demo/reports/summary?${q}`)).rows[0];
  assert.ok(summary.calls > 300, `most of the seeded calls are in the last 30 days (${summary.calls})`);
  assert.equal(Number(await page.getAttribute("#chart-days", "data-total")), summary.calls, "chart total = API");
  assert.equal(Number(await page.getAttribute("#chart-days", "data-days")), 30);
  assert.equal((await page.textContent("#k-calls")).replace(/,/g, ""), String(summary.calls));
  assert.equal((await page.textContent("#k-missed")).replace(/,/g, ""), String(summary.missed));
  const channels = (await api(`/v1/sites/demo/reports/channel?${q}&limit=20`)).rows;
  assert.equal(Number(await page.getAttribute("#t-breakdown", "data-total")), channels.reduce((t, r) => t + r.calls, 0));
  assert.equal(await page.locator("#t-breakdown tbody tr").count(), channels.length);
  await page.waitForSelector("#pool dl");
  assert.match(await page.textContent("#pool"), /numbers/);
  // The pool-drain figure, as the pool figures say it.
  const figures = await api("/v1/sites/demo/pools/visitors");
  assert.match(await page.textContent("#pool"), new RegExp(`Requests limited \\(pool-drain protection\\)${figures.limited}`));
  // The pool's chart draws the API's history of the same range: every point up to the last one
  // drawn (a quarter hour that starts after the page loaded may add a point to the API's answer).
  await page.waitForSelector("#chart-pool-visitors canvas");
  const chart = await page.$eval("#chart-pool-visitors", (f) => ({ ...f.dataset }));
  const history = (await api(`/v1/sites/demo/pools/visitors/history?${q}`)).points.filter((p) => p.at <= Number(chart.last));
  assert.ok(history.length > 2500, `most of the month's quarter hours are in the range (${history.length})`);
  assert.equal(Number(chart.points), history.length, "chart points = API");
  const events = history.reduce((t, p) => t + p.exhausted, 0);
  assert.ok(events > 0, "the seeded month has exhaustion events");
  assert.equal(Number(chart.exhausted), events, "chart exhaustion events = API");
  assert.equal(Number(chart.peak), Math.max(...history.map((p) => p.leased + p.cooling)), "chart peak = API");
  assert.ok(history.every((p) => p.free === p.size - p.leased - p.cooling));
  assert.match(await page.textContent("#pool-caption-visitors"), new RegExp(`${events.toLocaleString("en-US")} lease requests found the pool empty`));
  // The advice is the range's, for its busiest hours (the month ran dry), whatever the pool is
  // doing now; it names the command that adds what is missing, with the same figure.
  const advice = (await api(`/v1/sites/demo/pools/visitors/history?${q}`)).advice;
  assert.ok(advice.numbers > figures.size && advice.add === advice.numbers - figures.size, JSON.stringify(advice));
  assert.equal(advice.turned_away >= events, true);
  const said = await page.textContent("#pool .advice");
  assert.match(said, new RegExp(`You need about ${advice.numbers} numbers \\(you have ${figures.size}\\)`));
  assert.match(said, new RegExp(`dni numbers add http://127\\.0\\.0\\.1:\\d+ --site demo --pool visitors ${advice.add}\``));
  assert.equal(figures.advice.numbers, advice.numbers, "the pool figures' advice is the last 30 days'");
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-desktop.png"), fullPage: true });
  // The refused sign-in's 401 is the browser's own log line; nothing else may be logged.
  assert.deepEqual(consoleErrors.filter((e) => !/status of 401/.test(e)), []);
  await page.context().close();
});

test("filters change the table; the CSV download is the API's CSV; a call opens its detail", async () => {
  const { page } = await newVisitor(browser);
  await signIn(page);
  await page.waitForFunction(() => document.querySelector("#t-calls tbody tr"));
  await page.selectOption("#f-status", "missed");
  await page.selectOption("#f-channel", "Paid Search");
  await page.click("#apply");
  await page.waitForFunction(() => [...document.querySelectorAll("#t-calls tbody tr")].every((r) => r.cells[6].textContent === "missed"));
  const q = `${await range(page)}&channel=Paid+Search&status=missed`;
  const list = await api(`/v1/sites/demo/leads?${q}&limit=25`);
  assert.ok(list.leads.length > 0);
  const sids = await page.$$eval("#t-calls tbody tr", (rows) => rows.map((r) => r.dataset.sid));
  assert.deepEqual(sids, list.leads.map((c) => c.call_sid), "the table is the API's page");
  const channels = await page.$$eval("#t-calls tbody tr", (rows) => rows.map((r) => r.cells[2].textContent));
  assert.ok(channels.every((c) => c === "Paid Search"));
  // A missed call has no talk time (the call's own duration is not talk).
  const talk = await page.$$eval("#t-calls tbody tr", (rows) => rows.map((r) => r.cells[7].textContent));
  assert.ok(talk.every((t) => t === ""), `missed calls with a talk time: ${talk}`);
  assert.ok(list.leads.every((c) => c.talk_s === null), "the API says the same");

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#csv")]);
  const file = readFileSync(await download.path(), "utf8");
  assert.match(download.suggestedFilename(), /^leads-demo-.*\.csv$/);
  assert.equal(file, await api(`/v1/sites/demo/leads?${q}&format=csv`), "the download is the API's CSV");

  await page.click("#t-calls tbody tr");
  await page.waitForSelector("#detail[open]");
  assert.match(await page.textContent("#detail-body"), /Credited/);
  assert.match(await page.textContent("#detail-body"), /Paid Search/);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-detail.png") });
  // The close button is the dialog's first focusable element: the keyboard reaches it at once.
  assert.equal(await page.evaluate(() => document.activeElement?.className), "close");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#detail:not([open])", { state: "attached" });
  await page.context().close();
});

test("qualified leads: grouped by lead status and by tag, filtered by both, as the API counts them", async () => {
  const { page, consoleErrors } = await newVisitor(browser);
  await signIn(page);
  await page.waitForFunction(() => document.querySelector("#t-breakdown tbody tr"));
  const q = await range(page);
  const table = () => page.$$eval("#t-breakdown tbody tr", (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent.replace(/,/g, "")]));
  // (group by, the API's key as the table names it)
  const names = {
    lead_status: (k) => ({ good: "Good", bad: "Bad", spam: "Spam", none: "(not qualified)" })[k],
    tag: (k) => k || "(no tag)",
  };
  const summary = (await api(`/v1/sites/demo/reports/summary?${q}`)).rows[0];
  for (const by of ["lead_status", "tag"]) {
    await page.selectOption("#breakdown", by);
    await page.waitForFunction((b) => document.querySelector("#t-breakdown").dataset.by === b, by);
    const rows = (await api(`/v1/sites/demo/reports/${by}?${q}&limit=20`)).rows;
    assert.ok(rows.length >= 3, `${by}: several groups in the seeded month`);
    assert.deepEqual(await table(), rows.map((r) => [names[by](r.key), String(r.calls)]), `${by}: the table is the API's`);
    const total = Number(await page.getAttribute("#t-breakdown", "data-total"));
    if (by === "lead_status") assert.equal(total, summary.calls, "every call under one status");
    // Calls with two tags count under both: the table says so, its rows add up to more.
    else {
      assert.ok(total > summary.calls, `${total} tag rows for ${summary.calls} calls`);
      assert.match(await page.textContent("#t-breakdown caption"), /counts under each/);
    }
  }
  // The tag and lead filters: the totals and the groups are the API's for the same filters.
  await page.fill("#f-tag", "Booked");
  await page.selectOption("#f-lead-status", "good");
  await page.click("#apply");
  const filtered = (await api(`/v1/sites/demo/reports/summary?${q}&tag=booked&lead_status=good`)).rows[0];
  assert.ok(filtered.calls > 0 && filtered.calls < summary.calls, JSON.stringify(filtered));
  await page.waitForFunction((n) => document.querySelector("#k-calls").textContent.replace(/\D/g, "") === String(n), filtered.calls);
  const tags = (await api(`/v1/sites/demo/reports/tag?${q}&tag=booked&lead_status=good&limit=20`)).rows;
  const tagged = tags.reduce((t, r) => t + r.calls, 0);
  await page.waitForFunction((n) => document.querySelector("#t-breakdown").dataset.total === String(n), tagged);
  assert.deepEqual(await table(), tags.map((r) => [r.key, String(r.calls)]), "the good leads tagged booked, by tag");
  const leads = (await api(`/v1/sites/demo/leads?${q}&tag=booked&lead_status=good&limit=25`)).leads;
  const want = leads.map((c) => c.call_sid).join(" ");
  await page.waitForFunction((w) => [...document.querySelectorAll("#t-calls tbody tr")].map((r) => r.dataset.sid).join(" ") === w, want);
  await page.selectOption("#f-lead-status", "none");
  await page.fill("#f-tag", "");
  await page.selectOption("#breakdown", "lead_status");
  await page.click("#apply");
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#t-breakdown tbody tr")];
    return rows.length === 1 && rows[0].cells[0].textContent === "(not qualified)";
  });
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-leads.png"), fullPage: true });
  assert.deepEqual(consoleErrors, []);
  await page.context().close();
});

test("at a phone's width nothing overflows sideways; a new site's empty state says what to do", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page);
  await page.waitForSelector("#chart-days canvas");
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `page ${widths[0]} px wide in a ${widths[1]} px screen`);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-phone.png"), fullPage: true });
  // A range before the history: the empty state.
  await page.fill("#f-from", "2020-01-01");
  await page.fill("#f-to", "2020-01-31");
  await page.click("#apply");
  await page.waitForSelector("#empty:not([hidden])");
  assert.match(await page.textContent("#empty"), /v1\/twilio\/voice/);
  assert.match(await page.textContent("#empty-tag"), /data-site="demo"/);
  await context.close();
});

test("texts: marked in the leads table, their messages in the detail (no words: the demo keeps none)", async () => {
  for (const [sid, body] of [["SMdash1", "Do you fix boilers?"], ["SMdash2", "Saturday?"]]) {
    const r = await postTwilio(`${worker.base}/v1/twilio/sms`, { MessageSid: sid, From: "+13105550177", To: "+12125550111", Body: body, NumMedia: "0" });
    assert.equal(r.status, 200, r.body);
  }
  const { page, consoleErrors } = await newVisitor(browser);
  await signIn(page);
  await page.waitForFunction(() => document.querySelector("#t-calls tbody tr"));
  await page.selectOption("#f-lead", "text");
  await page.click("#apply");
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#t-calls tbody tr")];
    return rows.length === 1 && rows[0].dataset.sid === "SMdash1";
  });
  assert.equal(await page.textContent("#t-calls tbody tr td[data-kind=text]"), "✉ text, 2 messages");
  await page.selectOption("#breakdown", "kind");
  await page.waitForFunction(() => [...document.querySelectorAll("#t-breakdown tbody tr")].some((r) => r.cells[0].textContent === "text"));
  const kinds = await page.$$eval("#t-breakdown tbody tr", (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  assert.deepEqual(kinds, [["text", "1"]], "the leads by kind, under the texts filter: one conversation");
  await page.click("#t-calls tbody tr");
  await page.waitForSelector("#detail[open]");
  assert.match(await page.textContent("#detail-title"), /^Text conversation SMdash1$/);
  const messages = await page.$$eval("#detail-body ol.messages li", (li) => li.map((l) => l.textContent));
  assert.equal(messages.length, 2);
  assert.ok(messages.every((m) => m.includes("(the site keeps no text bodies)")), messages.join(" | "));
  assert.ok(!(await page.textContent("#detail-body")).includes("boilers"), "no words kept, none shown");
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-text.png") });
  assert.deepEqual(consoleErrors, []);
  await page.context().close();
});

test("a test call is at the top of the calls, marked, and counts in no total", async () => {
  const before_ = (await api("/v1/sites/demo/reports/summary")).rows[0].calls;
  const placed = await admin(worker.base, "/v1/sites/demo/test-calls", { method: "POST", body: JSON.stringify({ channel: "Paid Search" }) });
  assert.equal(placed.status, 201, JSON.stringify(placed.json));
  const { page } = await newVisitor(browser);
  await signIn(page);
  await page.waitForFunction(() => document.querySelector("#t-calls tbody tr"));
  const first = await page.$eval("#t-calls tbody tr", (r) => ({ sid: r.dataset.sid, mark: r.querySelector(".test-mark")?.textContent }));
  assert.deepEqual(first, { sid: placed.json.call_id, mark: "test" });
  const marked = await page.$$eval("#t-calls tbody tr .test-mark", (m) => m.length);
  assert.equal(marked, 1, "only the test call is marked");
  assert.equal((await api("/v1/sites/demo/reports/summary")).rows[0].calls, before_, "the totals leave it out");
  // (The dashboard's total is for the dates it shows, which are the browser's: the API's default
  // range is the last 30 days in the site's time zone, a day apart from them for some hours of
  // every day. So the total is asked for those dates.)
  const range = await page.evaluate(() => `?from=${document.getElementById("f-from").value}&to=${document.getElementById("f-to").value}`);
  const shown = (await api(`/v1/sites/demo/reports/summary${range}`)).rows[0].calls;
  await page.waitForFunction((n) => document.querySelector("#k-calls").textContent.replace(/\D/g, "") === String(n), shown);
  await page.click("#t-calls tbody tr");
  await page.waitForSelector("#detail[open]");
  assert.match(await page.textContent("#detail-body"), /Test call/);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-test-call.png") });
  await page.context().close();
});
