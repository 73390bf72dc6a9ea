// The owner's dashboard: signs in with a report token (kept in sessionStorage, sent only in the
// Authorization header, never in a URL), reads the reporting API and draws it. Charts by uPlot.
import uPlot from "uplot";

const KEY = "dni.dashboard";
const CHANNELS = ["Direct", "Cross-network", "Paid Shopping", "Paid Search", "Paid Social", "Paid Video", "Display",
  "Paid Other", "Organic Shopping", "Organic Social", "Organic Video", "Organic Search", "Email", "Affiliates",
  "Referral", "Audio", "SMS", "Mobile Push Notifications", "Unassigned"];
const $ = (id) => document.getElementById(id);
const state = { session: null, timeZone: null, filters: new URLSearchParams(), cursors: [null], page: 0, chart: null, nextCursor: null, poolCharts: [] };

function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? "null");
  } catch {
    return null;
  }
}

class Refused extends Error {}

async function api(path, { raw = false, method = "GET", body } = {}) {
  const s = state.session;
  const response = await fetch(`/v1/sites/${encodeURIComponent(s.site)}${path}`, {
    method,
    body,
    headers: { Authorization: `Bearer ${s.token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
  });
  if (response.status === 401) throw new Refused("refused");
  if (!response.ok) {
    let message = `error ${response.status}`;
    try {
      message = (await response.json()).error ?? message;
    } catch {}
    throw new Error(message);
  }
  return raw ? response : response.json();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
}

const fmtInt = (n) => Number(n).toLocaleString("en-US");
const fmtPct = (r) => `${(r * 100).toFixed(1)} %`;
const fmtSecs = (s) => (s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

function setStatus(text) {
  $("status").textContent = text;
}

// --- sign-in -------------------------------------------------------------------------------

async function signIn(site, token) {
  state.session = { site, token };
  try {
    // (The site's time zone comes with it: the dates the owner sees are the site's days.)
    state.timeZone = (await api("/reports/summary")).time_zone;
  } catch (e) {
    state.session = null;
    $("signin-error").textContent = e instanceof Refused
      ? "That token was refused for this site. Check both, or ask your operator for a new token."
      : `Could not sign in: ${e.message}`;
    return false;
  }
  sessionStorage.setItem(KEY, JSON.stringify({ site, token }));
  $("signin").hidden = true;
  $("app").hidden = false;
  $("sign-out").hidden = false;
  $("site-name").textContent = `· ${site}`;
  preset(30);
  readFilters();
  await loadAll();
  return true;
}

function signOut(message = "") {
  sessionStorage.removeItem(KEY);
  state.session = null;
  $("app").hidden = true;
  $("sign-out").hidden = true;
  $("signin").hidden = false;
  $("site-name").textContent = "";
  $("signin-error").textContent = message;
  $("signin-token").value = "";
  $("signin-token").focus();
}

// --- filters ---------------------------------------------------------------------------------

// Today's date, "YYYY-MM-DD", by the site's calendar once it is known: the reports' `from` and `to`
// are the site's days (the browser's today is another day for part of each day when its time zone
// is not the site's).
function today() {
  if (state.timeZone) {
    try {
      // (From the parts: a locale's own order of them has changed between browser versions.)
      const parts = new Intl.DateTimeFormat("en-US", { timeZone: state.timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
      const part = (type) => parts.find((p) => p.type == type).value;
      return `${part("year")}-${part("month")}-${part("day")}`;
    } catch {
      // (A zone this browser does not know: its own calendar, below.)
    }
  }
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

// The last `days` days, today included (calendar days, whatever the clocks did between).
function preset(days) {
  const to = today();
  const [y, m, d] = to.split("-").map(Number);
  $("f-from").value = new Date(Date.UTC(y, m - 1, d - (days - 1))).toISOString().slice(0, 10);
  $("f-to").value = to;
}

function readFilters() {
  const params = new URLSearchParams();
  for (const node of $("filters").elements) {
    if (node.name && node.value.trim()) params.set(node.name, node.value.trim());
  }
  state.filters = params;
}

function query(extra = {}) {
  const params = new URLSearchParams(state.filters);
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}

// --- loading ---------------------------------------------------------------------------------

async function loadAll() {
  setStatus("Loading…");
  state.cursors = [null];
  state.page = 0;
  try {
    const [summary, days] = await Promise.all([api(`/reports/summary${query()}`), api(`/reports/day${query()}`)]);
    drawSummary(summary);
    drawDays(days);
    await Promise.all([drawBreakdown(), loadCalls(), drawPools()]);
    setStatus(`${summary.from} to ${summary.to}, ${summary.time_zone}`);
  } catch (e) {
    if (e instanceof Refused) return signOut("Your token is no longer accepted. Sign in again.");
    setStatus(`Could not load the reports: ${e.message}`);
  }
}

function drawSummary(summary) {
  const s = summary.rows[0];
  $("k-calls").textContent = fmtInt(s.calls);
  $("k-answered").textContent = fmtInt(s.answered);
  $("k-missed").textContent = fmtInt(s.missed);
  $("k-rate").textContent = s.answered + s.missed ? fmtPct(s.answered_rate) : "–";
  $("k-talk").textContent = s.answered ? fmtSecs(s.avg_talk_s) : "–";
  $("kpis").dataset.calls = s.calls;
  const empty = s.calls === 0;
  $("empty").hidden = !empty;
  if (empty) {
    const origin = location.origin;
    $("empty-tag").textContent = `<script src="${origin}/dni.js" data-site="${state.session.site}" async></script>`;
    $("empty-voice").textContent = `${origin}/v1/twilio/voice`;
    $("empty-status").textContent = `${origin}/v1/twilio/status`;
  }
}

function drawDays(report) {
  const rows = report.rows;
  const xs = rows.map((r) => Date.parse(`${r.key}T12:00:00Z`) / 1000);
  const answered = rows.map((r) => r.answered);
  const missed = rows.map((r) => r.missed);
  const box = $("chart-days");
  box.dataset.total = rows.reduce((t, r) => t + r.calls, 0);
  box.dataset.days = rows.length;
  const width = Math.max(280, box.clientWidth || 600);
  const bars = uPlot.paths.bars({ size: [0.7, 40] });
  const opts = {
    width,
    height: 240,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "UTC"),
    scales: { x: { time: true } },
    axes: [{ stroke: "#4a5560" }, { stroke: "#4a5560", label: "calls" }],
    series: [
      {},
      { label: "Answered", stroke: "#1a7f37", fill: "rgba(26,127,55,0.45)", paths: bars, points: { show: false } },
      { label: "Missed", stroke: "#b3261e", fill: "rgba(179,38,30,0.45)", paths: bars, points: { show: false } },
    ],
  };
  state.chart?.destroy();
  box.textContent = "";
  state.chart = new uPlot(opts, [xs, answered, missed], box);
  $("days-caption").textContent = `${fmtInt(box.dataset.total)} calls over ${rows.length} days: answered in green, missed in red.`;
  const t = $("t-days");
  t.textContent = "";
  t.append(el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Day"), el("th", { scope: "col", class: "num" }, "Calls"),
    el("th", { scope: "col", class: "num" }, "Answered"), el("th", { scope: "col", class: "num" }, "Missed"))));
  const body = el("tbody");
  for (const r of rows) body.append(el("tr", {}, el("td", {}, r.key), el("td", { class: "num" }, fmtInt(r.calls)),
    el("td", { class: "num" }, fmtInt(r.answered)), el("td", { class: "num" }, fmtInt(r.missed))));
  t.append(body);
}

async function drawBreakdown() {
  const by = $("breakdown").value;
  const report = await api(`/reports/${by}${query({ limit: 20 })}`);
  const t = $("t-breakdown");
  t.textContent = "";
  t.dataset.by = by;
  t.dataset.total = report.rows.reduce((s, r) => s + r.calls, 0);
  const max = Math.max(1, ...report.rows.map((r) => r.calls));
  // A call with two tags is in both tags' rows: say so where the rows may add up to more.
  t.append(el("caption", { class: "caption" }, by === "tag"
    ? `Top ${report.rows.length} by calls. A call with several tags counts under each, so the rows can add up to more than the calls.`
    : `Top ${report.rows.length} by calls`));
  t.append(el("thead", {}, el("tr", {}, el("th", { scope: "col" }, $("breakdown").selectedOptions[0].textContent),
    el("th", { scope: "col", class: "num" }, "Calls"), el("th", { scope: "col", class: "num" }, "Answered rate"),
    el("th", { scope: "col", class: "num" }, "Avg talk"), el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Share")))));
  const body = el("tbody");
  for (const r of report.rows) {
    const bar = el("span", { style: `width:${(100 * r.calls) / max}%` });
    body.append(el("tr", {}, el("td", {}, groupName(by, r.key)), el("td", { class: "num" }, fmtInt(r.calls)),
      el("td", { class: "num" }, r.answered + r.missed ? fmtPct(r.answered_rate) : "–"),
      el("td", { class: "num" }, r.answered ? fmtSecs(r.avg_talk_s) : "–"), el("td", { class: "bar", "aria-hidden": "true" }, bar)));
  }
  t.append(body);
}

// A group's name as the table shows it: the calls without a value get words, not a blank.
function groupName(by, key) {
  if (by === "lead_status") return { good: "Good", bad: "Bad", spam: "Spam", none: "(not qualified)" }[key] ?? key;
  if (by === "tag") return key || "(no tag)";
  return key || "(none)";
}

async function loadCalls() {
  const cursor = state.cursors[state.page];
  // Only the newest request draws: an older one answering late (a filter applied while the first
  // load was still in flight) must not put back the rows of the filters before it.
  const asked = (state.callsAsked = (state.callsAsked || 0) + 1);
  // Leads: calls and texts (the `kind` filter picks one).
  const page = await api(`/leads${query({ limit: 25, cursor })}`);
  if (asked !== state.callsAsked) return;
  state.nextCursor = page.next_cursor;
  $("prev").disabled = state.page === 0;
  $("next").disabled = !page.next_cursor;
  const t = $("t-calls");
  t.textContent = "";
  t.dataset.rows = page.leads.length;
  t.append(el("caption", { class: "caption" }, `Page ${state.page + 1}, newest first (${page.time_zone}). Select a call for its detail.`));
  t.append(el("thead", {}, el("tr", {}, ...["Started", "Caller", "Channel", "Source / medium", "Campaign", "Keyword", "Outcome", "Talk"]
    .map((h, i) => el("th", { scope: "col", class: [3, 4, 5].includes(i) ? "wide" : i === 7 ? "num" : "" }, h)))));
  const body = el("tbody");
  const time = new Intl.DateTimeFormat("en-US", { timeZone: page.time_zone, dateStyle: "medium", timeStyle: "short" });
  for (const c of page.leads) {
    const open = () => showDetail(c.call_sid);
    const row = el("tr", { tabindex: "0", "data-sid": c.call_sid, onclick: open,
      onkeydown: (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), open()) },
      el("td", {}, time.format(new Date(c.started_at)), c.test ? testMark() : ""), el("td", {}, c.caller), el("td", {}, c.channel),
      el("td", { class: "wide" }, `${c.source || "(none)"} / ${c.medium || "(none)"}`), el("td", { class: "wide" }, c.campaign),
      el("td", { class: "wide" }, c.term), outcomeCell(c),
      // Talk time is the worker's (from the dial result): a missed call or a text has none.
      el("td", { class: "num" }, c.talk_s == null || c.kind === "text" ? "" : fmtSecs(c.talk_s)));
    body.append(row);
  }
  t.append(body);
}

/** A call's outcome; a text's own mark and its count of messages. */
function outcomeCell(c) {
  if (c.kind !== "text") return el("td", { class: c.status }, c.status);
  const n = c.messages?.length ?? 0;
  return el("td", { class: "text", "data-kind": "text" }, `✉ text, ${n} message${n === 1 ? "" : "s"}`);
}

// A test call (`POST /test-calls`, `dni test-call`): listed, marked, left out of the totals.
function testMark() {
  return el("span", { class: "test-mark", title: "A test call: left out of the totals, never sent to GA4 or the ad platforms" }, "test");
}

async function downloadCsv() {
  setStatus("Preparing the CSV…");
  try {
    const response = await api(`/leads${query({ format: "csv" })}`, { raw: true });
    const blob = await response.blob();
    const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "leads.csv";
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus(`Downloaded ${name}`);
  } catch (e) {
    setStatus(`Could not download: ${e.message}`);
  }
}

// --- a call's detail -------------------------------------------------------------------------


/** A delivery's destination in the owner's words (the API's `destination.kind`). */
function destinationName(d) {
  const names = {
    ga4: "GA4", google_ads: "Google Ads", google_ads_retraction: "Google Ads retraction",
    microsoft_ads: "Microsoft Ads", meta: "Meta",
  };
  if (d?.kind === "webhook") return `webhook ${d.endpoint} (${d.event})`;
  if (d?.kind === "qualified") return `webhook ${d.endpoint} (call.qualified)`;
  return names[d?.kind] ?? d?.kind ?? "delivery";
}

function touchItems(label, t) {
  if (!t) return [];
  return [el("dt", {}, label), el("dd", {}, `${t.channel} · ${t.source || "(none)"} / ${t.medium || "(none)"}`,
    t.campaign ? ` · ${t.campaign}` : "", t.term ? ` · “${t.term}”` : "", el("br"), t.landing, el("br"),
    new Date(t.at).toLocaleString())];
}

async function showDetail(sid) {
  const { call: c, time_zone } = await api(`/calls/${encodeURIComponent(sid)}`);
  const time = new Intl.DateTimeFormat("en-US", { timeZone: time_zone, dateStyle: "full", timeStyle: "medium" });
  const items = [
    ...(c.test ? [el("dt", {}, "Test call"), el("dd", {}, testMark(), " placed by the operator: counted in no total, sent to no ad platform")] : []),
    el("dt", {}, "Started"), el("dd", {}, time.format(new Date(c.started_at))),
    el("dt", {}, "Caller"), el("dd", {}, c.caller),
    el("dt", {}, "Tracking number"), el("dd", {}, `${c.tracking_number} (${c.number_kind})`),
    el("dt", {}, "Outcome"), el("dd", { class: c.status }, `${c.status}${c.talk_s != null ? `, talked ${fmtSecs(c.talk_s)}` : ""}${c.duration_s != null ? ` (call ${fmtSecs(c.duration_s)})` : ""}`),
    el("dt", {}, "Credited"), el("dd", {}, `${c.channel} · ${c.source || "(none)"} / ${c.medium || "(none)"}${c.campaign ? ` · ${c.campaign}` : ""}`),
    el("dt", {}, "Confidence"), el("dd", {}, String(c.confidence)),
    ...touchItems("First touch", c.attribution?.first),
    ...touchItems("Last non-direct touch", c.attribution?.last),
  ];
  if (c.kind === "text") {
    items[6] = el("dt", {}, "Outcome");
    items[7] = el("dd", { class: "text" }, `text conversation, last message ${time.format(new Date(c.last_message_at ?? c.started_at))}`);
    items.push(el("dt", {}, "Messages"), el("dd", {}, el("ol", { class: "messages" }, ...(c.messages ?? []).map((m) =>
      el("li", {}, el("time", {}, time.format(new Date(m.at))), " ", m.body == null ? el("em", {}, "(the site keeps no text bodies)") : m.body,
        m.media ? ` [${m.media} attachment${m.media === 1 ? "" : "s"}]` : "")))));
  }
  if (c.routing) items.push(el("dt", {}, "Routing"), el("dd", {}, JSON.stringify(c.routing)));
  if (c.dial) items.push(el("dt", {}, "Dial result"), el("dd", {}, c.dial.status ?? JSON.stringify(c.dial)));
  const recording = c.recording?.url ?? (typeof c.recording === "string" ? c.recording : null);
  if (recording) items.push(el("dt", {}, "Recording"), el("dd", {}, el("audio", { controls: "", preload: "none", src: recording })));
  const transcript = c.transcript?.url ?? c.transcript?.text;
  if (transcript) items.push(el("dt", {}, "Transcript"), el("dd", {}, transcript));
  if (Array.isArray(c.deliveries) && c.deliveries.length) {
    items.push(el("dt", {}, "Sent to"), el("dd", {}, el("ul", {}, ...c.deliveries.map((d) =>
      el("li", {}, `${destinationName(d.destination)}: ${d.state}${d.answer ? ` (${d.answer})` : ""}`)))));
  }
  $("detail-title").textContent = `${c.kind === "text" ? "Text conversation" : "Call"} ${c.call_sid}`;
  const body = $("detail-body");
  body.textContent = "";
  body.append(el("dl", {}, ...items), qualifyForm(c));
  $("detail").showModal();
}

// The call's qualification: shown, and set by whoever may (the operator, or a report token with
// the qualify scope; the worker answers 403 to a read-only one).
function qualifyForm(c) {
  const q = c.qualification ?? {};
  const tags = el("input", { name: "tags", value: (q.tags ?? []).join(", "), "aria-label": "Tags, comma-separated" });
  const status = el("select", { name: "status", "aria-label": "Lead status" },
    ...["", "good", "bad", "spam"].map((s) => el("option", { value: s, ...(q.status === s || (!q.status && !s) ? { selected: "" } : {}) }, s || "(none)")));
  const value = el("input", { name: "value", type: "number", min: "0", step: "any", value: q.value ?? "", "aria-label": "Value" });
  const said = el("output", { id: "qualify-status" });
  const by = q.by ? ` (by ${q.by.kind === "rule" ? `rule ${q.by.index + 1}` : "an operator"})` : "";
  const form = el("form", { id: "qualify", onsubmit: async (e) => {
    e.preventDefault();
    const v = value.value.trim();
    const input = { tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean), status: status.value || null, value: v === "" ? null : Number(v) };
    try {
      const answer = await api(`/calls/${encodeURIComponent(c.call_sid)}/qualification`, { method: "PUT", body: JSON.stringify(input) });
      said.textContent = `Saved: ${answer.qualification.tags.join(", ") || "no tags"}, ${answer.qualification.status ?? "no status"}`;
    } catch (err) {
      said.textContent = `Not saved: ${err.message}`;
    }
  } },
  el("fieldset", {}, el("legend", {}, `Qualification${by}`), tags, status, value, el("button", { type: "submit" }, "Save"), said));
  return form;
}

// --- the pool panel --------------------------------------------------------------------------

async function drawPools() {
  const { pools } = await api("/pools");
  const box = $("pool");
  for (const c of state.poolCharts) c.destroy();
  state.poolCharts = [];
  box.textContent = "";
  if (!pools.length) {
    box.append(el("p", {}, "This site uses source-level numbers only: no visitor pool to size."));
    return;
  }
  // The pool's history follows the date range only: the call filters do not apply to a pool.
  const range = new URLSearchParams();
  for (const k of ["from", "to"]) if (state.filters.get(k)) range.set(k, state.filters.get(k));
  const rangeQuery = range.toString() ? `?${range}` : "";
  for (const p of pools) {
    const id = encodeURIComponent(p.id);
    const [s, history] = await Promise.all([api(`/pools/${id}`), api(`/pools/${id}/history${rangeQuery}`)]);
    // The advice is the range's: sized for its busiest hours, not for this moment.
    const a = history.advice;
    const when = a.busiest_at ? new Date(a.busiest_at).toLocaleString([], { timeZone: history.time_zone, dateStyle: "medium", timeStyle: "short" }) : "";
    const advice = a.numbers == null
      ? "No samples in this range yet: the advice needs the pool's history."
      : a.add > 0
        ? `You need about ${a.numbers} numbers (you have ${s.size}): run \`dni numbers add ${location.origin} --site ${state.session.site} --pool ${p.id} ${a.add}\`.`
        : `${s.size} numbers are enough for this range's busiest hours (about ${a.numbers} needed).`;
    const why = a.numbers == null ? "" :
      `Erlang-B for at most 1 % of visitors without a number at the load of the range's ${Math.min(3, a.hours)} busiest hours (from ${when}): ${a.busy.toFixed(1)} numbers busy, plus ${fmtPct(a.exhausted_share)} turned away, ${a.load.toFixed(1)} in all; ${fmtInt(a.turned_away)} visitors turned away over the range.`;
    box.append(el("h3", {}, `Pool “${p.id}”`), el("dl", { class: "pool" },
      el("dt", {}, "Numbers"), el("dd", {}, fmtInt(s.size)),
      el("dt", {}, "Leased now"), el("dd", {}, fmtInt(s.leased)),
      el("dt", {}, "Cooling down now"), el("dd", {}, fmtInt(s.cooling)),
      el("dt", {}, "Leases granted"), el("dd", {}, fmtInt(s.counters.granted)),
      el("dt", {}, "Visitors without a number (pool ran dry)"), el("dd", {}, fmtInt(s.counters.exhausted)),
      el("dt", {}, "Requests limited (pool-drain protection)"), el("dd", {}, fmtInt(s.limited ?? 0))),
      el("p", { class: "advice" }, advice, " ", el("small", {}, why)));
    drawPoolHistory(box, p.id, history);
  }
}

// Numbers leased and cooling down per quarter hour (stepped: a figure holds until the next
// sample; a gap is an idle pool), the pool's size, and exhaustion events as bars.
function drawPoolHistory(box, id, history) {
  const points = history.points;
  const events = points.reduce((t, q) => t + q.exhausted, 0);
  const peak = points.reduce((m, q) => Math.max(m, q.leased + q.cooling), 0);
  const figure = el("figure", { class: "chart pool-chart", id: `chart-pool-${id}`, "aria-describedby": `pool-caption-${id}`,
    "data-points": points.length, "data-exhausted": events, "data-peak": peak, "data-last": points.at(-1)?.at ?? "" });
  const caption = el("p", { class: "caption", id: `pool-caption-${id}` });
  box.append(el("h4", {}, "Over the range"), figure, caption);
  if (!points.length) {
    figure.classList.add("empty");
    figure.append(el("p", {}, "No samples in this range yet. The pool samples itself every quarter hour while visitors hold its numbers: open the site with the tag to start."));
    caption.textContent = "";
    return;
  }
  const xs = points.map((q) => q.at / 1000);
  const stepped = uPlot.paths.stepped({ align: 1 });
  const opts = {
    width: Math.max(280, box.clientWidth || 600),
    height: 220,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), history.time_zone),
    scales: { x: { time: true }, n: { range: (u, min, max) => [0, Math.max(1, max)] }, ev: { range: (u, min, max) => [0, Math.max(1, max) * 2] } },
    axes: [{ stroke: "#4a5560" }, { stroke: "#4a5560", scale: "n", label: "numbers" },
      { stroke: "#8a3b00", scale: "ev", side: 1, label: "turned away", grid: { show: false } }],
    series: [
      {},
      { label: "Leased", scale: "n", stroke: "#1f5fa8", fill: "rgba(31,95,168,0.35)", paths: stepped, points: { show: false } },
      { label: "Cooling down", scale: "n", stroke: "#6d5cae", paths: stepped, points: { show: false } },
      { label: "Numbers", scale: "n", stroke: "#4a5560", dash: [6, 4], paths: stepped, points: { show: false } },
      { label: "Turned away", scale: "ev", stroke: "#8a3b00", fill: "rgba(138,59,0,0.6)", paths: uPlot.paths.bars({ size: [0.9, 6] }), points: { show: false } },
    ],
  };
  const data = [xs, points.map((q) => q.leased), points.map((q) => q.cooling), points.map((q) => q.size), points.map((q) => q.exhausted || null)];
  state.poolCharts.push(new uPlot(opts, data, figure));
  const hours = Math.round((points.length * history.every_s) / 3600);
  caption.textContent = `${fmtInt(points.length)} quarter hours sampled (about ${fmtInt(hours)} hours) from ${history.from} to ${history.to}: `
    + `at most ${fmtInt(peak)} of ${fmtInt(points.at(-1).size)} numbers leased or cooling down at once; `
    + `${fmtInt(events)} lease requests found the pool empty (bars).`;
}

// --- wiring ----------------------------------------------------------------------------------

function start() {
  const channel = $("f-channel");
  for (const c of CHANNELS) channel.append(el("option", { value: c }, c));
  $("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    $("signin-error").textContent = "";
    signIn($("signin-site").value.trim(), $("signin-token").value.trim());
  });
  $("sign-out").addEventListener("click", () => signOut());
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    readFilters();
    loadAll();
  });
  for (const b of document.querySelectorAll("[data-days]")) {
    b.addEventListener("click", () => {
      preset(Number(b.dataset.days));
      readFilters();
      loadAll();
    });
  }
  $("breakdown").addEventListener("change", () => drawBreakdown().catch((e) => setStatus(e.message)));
  $("next").addEventListener("click", () => {
    state.cursors[state.page + 1] = state.nextCursor;
    state.page += 1;
    loadCalls().catch((e) => setStatus(e.message));
  });
  $("prev").addEventListener("click", () => {
    state.page = Math.max(0, state.page - 1);
    loadCalls().catch((e) => setStatus(e.message));
  });
  $("csv").addEventListener("click", downloadCsv);
  addEventListener("resize", () => {
    state.chart?.setSize({ width: Math.max(280, $("chart-days").clientWidth), height: 240 });
    for (const c of state.poolCharts) c.setSize({ width: Math.max(280, $("pool").clientWidth), height: 220 });
  });
  // (The dates and filters are read at sign-in, once the site's time zone is known.)
  const saved = session();
  if (saved?.site && saved?.token) {
    $("signin-site").value = saved.site;
    signIn(saved.site, saved.token);
  }
}

start();
