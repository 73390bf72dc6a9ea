// Calls handled the way the site owner configured them, end to end in workerd: routing rules in the
// site's time zone (after hours to voicemail, a fallback chain after no answer), the whisper and the
// press-1 screening on the business's leg, the dial result deciding answered or missed, recordings
// and transcripts stored once and served through the worker with the account's credentials, and
// Telnyx's Ed25519 webhooks, proven against Telnyx's own verifier: signed, tampered, replayed, stale.
// Twilio's webhooks are signed by Twilio's own helper library. Also: which line answered when
// several rang (each line's `answered` status callback, matched with the dial result's leg), the
// conversation's real-time transcript (utterances stored once, in order), Telnyx callback URLs
// sealed by the worker (a changed query is refused), and Telnyx recordings fetched by id through a
// local stand-in for Telnyx's API (their download links expire).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { generateKeyPairSync, sign as edSign } from "node:crypto";
import { createRequire } from "node:module";
import { startWorker, postTwilio, admin, ADMIN_TOKEN, TWILIO_AUTH_TOKEN } from "./harness.mjs";

const require = createRequire(import.meta.url);
const { TelnyxWebhook } = require("telnyx/lib/webhooks.js");

const TZ = "America/New_York";
const ACCOUNT_SID = "ACtest0000000000000000000000000000";
const XML = '<?xml version="1.0" encoding="UTF-8"?><Response>';

// Telnyx signs with the account's Ed25519 key; Telnyx's library verifies with its public key
// (32 raw bytes, base64), which is also what the worker is given.
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const TELNYX_PUBLIC_KEY = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("base64");

// A local stand-in for the provider's recording storage: records what it was asked.
const recordingRequests = [];
const recordings = createServer((req, res) => {
  recordingRequests.push({ url: req.url, authorization: req.headers.authorization });
  res.writeHead(200, { "Content-Type": "audio/x-wav" });
  res.end("RIFF-fake-recording");
});

// A local stand-in for Telnyx's API (`GET /v2/recordings/{id}`, Bearer API key) and for the
// pre-signed storage its answer links to.
const TELNYX_API_KEY = "KEYtelnyx-test-0000";
const telnyxRequests = [];
const telnyxApi = createServer((req, res) => {
  telnyxRequests.push({ url: req.url, authorization: req.headers.authorization });
  const port = telnyxApi.address().port;
  const api = req.url.match(/^\/v2\/recordings\/([^/?]+)$/);
  if (api && req.headers.authorization === `Bearer ${TELNYX_API_KEY}`) {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ data: { id: api[1], record_type: "recording", download_urls: { mp3: `http://127.0.0.1:${port}/media/${api[1]}.mp3?X-Signature=fresh` } } }));
  } else if (req.url.startsWith("/media/")) {
    res.writeHead(200, { "Content-Type": "audio/mpeg" });
    res.end("ID3-fake-telnyx-recording");
  } else {
    res.writeHead(401, { "Content-Type": "application/json" });
    res.end('{"errors":[{"code":"10009"}]}');
  }
});

/** "HH:MM" in the site's zone, `minutes` from now. */
function localHHMM(minutes) {
  const t = new Date(Date.now() + minutes * 60_000);
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(t);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("hour")}:${get("minute")}`;
}

// Office hours that include now (from an hour ago to an hour from now) and hours that exclude it
// (from two hours from now to three): the rules are evaluated against the worker's own clock in
// the site's zone, so the test writes them around the present.
const OPEN_NOW = `${localHHMM(-60)}-${localHHMM(60)}`;
const CLOSED_NOW = `${localHHMM(120)}-${localHHMM(180)}`;

const SITE = {
  id: "calls",
  time_zone: TZ,
  recording: { announcement: "This call may be recorded.", transcribe: true },
  targets: [
    {
      number: "+13125550100",
      whisper: true,
      screen: true,
      record: true,
      routing: [
        { name: "blocked", when: { callers: ["+1900"] }, then: "reject" },
        {
          name: "office hours",
          when: { hours: OPEN_NOW },
          then: {
            chain: {
              steps: [
                { numbers: ["+13125550101"], timeout_s: 15 },
                { numbers: ["+13125550102", "+13125550103"], timeout_s: 20 },
              ],
              voicemail: { greeting: "Please leave a message." },
            },
          },
        },
        { name: "after hours", then: { voicemail: { greeting: "We are closed." } } },
      ],
    },
  ],
  static_numbers: [
    { number: "+13125550121", target: "+13125550100", channel: "Paid Search", source: "google", medium: "cpc", campaign: 'spring <sale> & "more"' },
    {
      number: "+13125550122",
      target: "+13125550100",
      channel: "Email",
      source: "newsletter",
      routing: [
        { name: "office hours", when: { hours: CLOSED_NOW }, then: { ring: { numbers: ["+13125550101"] } } },
        { name: "after hours", then: { voicemail: { greeting: "We are closed." } } },
      ],
    },
    { number: "+13125550123", target: "+13125550100", channel: "Organic Search", source: "bing", provider: "telnyx" },
  ],
};

let worker;
before(async () => {
  await new Promise((ok) => recordings.listen(0, "127.0.0.1", ok));
  await new Promise((ok) => telnyxApi.listen(0, "127.0.0.1", ok));
  worker = await startWorker({
    name: "calls",
    sites: [],
    secrets: {
      ADMIN_TOKEN,
      TWILIO_AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TELNYX_PUBLIC_KEY,
      TELNYX_API_KEY,
      TELNYX_API_BASE: `http://127.0.0.1:${telnyxApi.address().port}`,
      CALLBACK_SECRET: "calls-test-callback-secret",
      RECORDING_ORIGINS: `http://127.0.0.1:${recordings.address().port}`,
    },
  });
  const put = await admin(worker.base, "/v1/sites/calls/config", { method: "PUT", body: JSON.stringify(SITE) });
  assert.equal(put.status, 200, JSON.stringify(put.json));
});
after(async () => {
  await worker?.stop();
  recordings.close();
  telnyxApi.close();
});

const twilio = (path, params) => postTwilio(worker.base + path, params);
/** The attribute of the first element `tag` in markup, unescaped (a relative URL of ours). */
function attr(xml, tag, name) {
  const m = xml.match(new RegExp(`<${tag}[^>]*\\s${name}="([^"]*)"`));
  return m && m[1].replaceAll("&amp;", "&");
}
async function call(sid) {
  const { json } = await admin(worker.base, "/v1/sites/calls/calls");
  return json.calls.find((c) => c.call_sid === sid);
}

test("after hours: the caller reaches voicemail; message and transcript are stored once; the call is missed", async () => {
  const voice = { CallSid: "CAnight", From: "+13105550199", To: "+13125550122", CallStatus: "ringing" };
  const r = await twilio("/v1/twilio/voice", voice);
  assert.equal(r.status, 200);
  assert.equal(
    r.body,
    XML +
      "<Say>We are closed.</Say>" +
      '<Record playBeep="true" maxLength="120" recordingStatusCallback="/v1/twilio/recording?site=calls&amp;kind=voicemail" recordingStatusCallbackEvent="completed" transcribe="true" transcribeCallback="/v1/twilio/transcript?site=calls"/>' +
      "<Hangup/></Response>",
  );
  const rec = { CallSid: "CAnight", RecordingSid: "REvm1", RecordingUrl: `http://127.0.0.1:${recordings.address().port}/rec/REvm1`, RecordingDuration: "14", RecordingChannels: "1", RecordingStatus: "completed" };
  for (const attempt of ["first", "repeated"]) {
    assert.equal((await twilio("/v1/twilio/recording?site=calls&kind=voicemail", rec)).status, 204, attempt);
  }
  await twilio("/v1/twilio/recording?site=calls&kind=voicemail", { ...rec, RecordingSid: "REother" });
  const transcript = { CallSid: "CAnight", RecordingSid: "REvm1", TranscriptionSid: "TR1", TranscriptionStatus: "completed", TranscriptionText: "Please call me back about the leak." };
  assert.equal((await twilio("/v1/twilio/transcript?site=calls", transcript)).status, 204);
  assert.equal((await twilio("/v1/twilio/status", { ...voice, CallStatus: "completed", CallDuration: "25" })).status, 204);

  const c = await call("CAnight");
  assert.equal(c.status, "missed", "the caller's call completed, but nobody at the business answered");
  assert.deepEqual(c.routing, { rule: 1, name: "after hours", action: "voicemail", fallback: null });
  assert.equal(c.voicemail.id, "REvm1", "the first recording, once");
  assert.equal(c.voicemail.duration_s, 14);
  assert.equal(c.transcript.text, "Please call me back about the leak.");
  assert.equal(c.first_time, true);
  assert.equal(c.channel, "Email");
  const vm = await fetch(`${worker.base}/v1/sites/calls/calls/CAnight/recording?kind=voicemail`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(vm.status, 200);
  assert.equal(await vm.text(), "RIFF-fake-recording");
  // The same caller again: not a first-time caller any more.
  assert.equal((await twilio("/v1/twilio/voice", { ...voice, CallSid: "CAnight2" })).status, 200);
  assert.equal((await call("CAnight2")).first_time, false, "the same caller called this site before");
});

/**
 * A new call in office hours to the Paid Search number (the two-step chain, screened, recorded,
 * transcribed), from a caller of its own: each test that reads such a call makes its own. Returns
 * the markup and the URLs it names (relative to the worker).
 */
async function dayCall(sid, from) {
  const voice = { CallSid: sid, From: from, To: "+13125550121", CallStatus: "ringing" };
  const r = await twilio("/v1/twilio/voice", voice);
  assert.equal(r.status, 200, r.body);
  return {
    voice,
    body: r.body,
    transcript: attr(r.body, "Transcription", "statusCallbackUrl")?.slice(worker.base.length),
    whisper: attr(r.body, "Number", "url"),
    action0: attr(r.body, "Dial", "action"),
  };
}

test("in office hours: announcement, transcription, whisper with screening, recording, and a dial action per step", async () => {
  const { body } = await dayCall("CAday", "+13105550111");
  const r = { body };
  assert.match(
    r.body,
    /^<\?xml[^>]*><Response><Say>This call may be recorded\.<\/Say><Start><Transcription track="both_tracks" statusCallbackUrl="[^"]*"\/><\/Start><Dial answerOnBridge="true" timeout="15" record="record-from-answer-dual" /,
  );
  // Absolute: Twilio's real-time transcription does not resolve a relative callback URL.
  assert.equal(attr(r.body, "Transcription", "statusCallbackUrl"), `${worker.base}/v1/twilio/transcript?site=calls&kind=call`);
  assert.equal(attr(r.body, "Dial", "recordingStatusCallback"), "/v1/twilio/recording?site=calls&kind=call");
  assert.equal(attr(r.body, "Dial", "action"), "/v1/twilio/dial?site=calls&rule=1&step=0");
  assert.equal(attr(r.body, "Number", "statusCallback"), "/v1/twilio/answered?site=calls&step=0");
  assert.equal(attr(r.body, "Number", "statusCallbackEvent"), "answered");
  assert.deepEqual([...r.body.matchAll(/<Number[^>]*>([^<]*)<\/Number>/g)].map((m) => m[1]), ["+13125550101"]);
  assert.match(attr(r.body, "Number", "url"), /^\/v1\/twilio\/whisper\?site=calls&say=.*&screen=1$/);
});

test("the whisper is fetched and spoken to the business, the campaign escaped", async () => {
  const { whisper } = await dayCall("CAwhisper1", "+13105550112");
  // Twilio fetches the <Number url> on the business's leg, signed like every webhook.
  const r = await twilio(whisper, { CallSid: "CAwhisper1-leg", ParentCallSid: "CAwhisper1", To: "+13125550101", From: "+13105550112" });
  assert.equal(r.status, 200);
  assert.equal(
    r.body,
    XML +
      '<Gather numDigits="1" timeout="5" action="/v1/twilio/screen?site=calls">' +
      "<Say>Call from Paid Search, spring &lt;sale&gt; &amp; &quot;more&quot;</Say><Say>Press 1 to accept the call.</Say>" +
      "</Gather><Hangup/></Response>",
  );
  const unsigned = await postTwilio(worker.base + whisper, { CallSid: "CAwhisper1-leg" }, { signature: null });
  assert.equal(unsigned.status, 403, "the whisper URL is signed like every webhook");
});

test("screening: a key other than 1 (or none) hangs up the business's leg; 1 connects", async () => {
  await dayCall("CAscreen", "+13105550113");
  // (digits, answer)
  const table = [
    ["2", XML + "<Hangup/></Response>"],
    ["", XML + "<Hangup/></Response>"],
    ["1", XML + "</Response>"],
  ];
  for (const [digits, want] of table) {
    const r = await twilio("/v1/twilio/screen?site=calls", { CallSid: "CAscreen-leg", ParentCallSid: "CAscreen", Digits: digits });
    assert.equal(r.body, want, `Digits=${digits}`);
  }
});

test("no answer: the chain rings the next lines, then the answer, the line and talk time come from the dial result", async () => {
  const { action0 } = await dayCall("CAchain", "+13105550114");
  const base = { CallSid: "CAchain", From: "+13105550114", To: "+13125550121", DialCallSid: "CAchain-leg1" };
  const next = await twilio(action0, { ...base, DialCallStatus: "no-answer", DialCallDuration: "0" });
  assert.equal(next.status, 200);
  assert.equal(attr(next.body, "Dial", "action"), "/v1/twilio/dial?site=calls&rule=1&step=1");
  assert.equal(attr(next.body, "Dial", "timeout"), "20");
  assert.deepEqual([...next.body.matchAll(/<Number[^>]*>([^<]*)<\/Number>/g)].map((m) => m[1]), ["+13125550102", "+13125550103"]);
  assert.doesNotMatch(next.body, /<Say>This call may be recorded/, "the announcement is said once");
  assert.doesNotMatch(next.body, /<Transcription/, "the transcription is started once");
  const legUrl = attr(next.body, "Number", "statusCallback");
  assert.equal(legUrl, "/v1/twilio/answered?site=calls&step=1");

  // Both lines ring at once. Each leg's status callback comes from Twilio, signed; only the
  // `answered` event counts. The first line picks up and refuses the screening (its leg hangs
  // up), the second takes the call: the dial result names its leg.
  const leg = (sid, to, status) => ({ CallSid: sid, ParentCallSid: "CAchain", From: "+13105550114", To: to, CallStatus: status, Direction: "outbound-dial" });
  // (callback, status)
  const before = [
    [leg("CAleg2", "+13125550102", "ringing"), 204],
    [leg("CAleg2", "+13125550102", "in-progress"), 204],
    [leg("CAleg3", "+13125550103", "ringing"), 204],
  ];
  for (const [params, status] of before) {
    assert.equal((await twilio(legUrl, params)).status, status, `${params.CallSid} ${params.CallStatus}`);
  }
  const done = await twilio("/v1/twilio/dial?site=calls&rule=1&step=1", { ...base, DialCallSid: "CAleg3", DialCallStatus: "completed", DialCallDuration: "33" });
  assert.equal(done.body, XML + "<Hangup/></Response>");
  // The answering leg's own callback arrives after the dial result, and again (a retry).
  for (const attempt of ["first", "repeated"]) {
    assert.equal((await twilio(legUrl, leg("CAleg3", "+13125550103", "in-progress"))).status, 204, attempt);
  }
  const forged = await postTwilio(worker.base + legUrl, leg("CAleg9", "+13125550199", "in-progress"), { token: "not-the-auth-token" });
  assert.equal(forged.status, 403, "a leg callback is signed like every webhook");
  // The caller's own call ends later; a repeat of the first step's result changes nothing.
  await twilio(action0, { ...base, DialCallStatus: "no-answer", DialCallDuration: "0" });
  assert.equal((await twilio("/v1/twilio/status", { ...base, CallStatus: "completed", CallDuration: "61" })).status, 204);

  const c = await call("CAchain");
  assert.equal(c.status, "answered");
  assert.deepEqual(c.dial, { status: "completed", duration_s: 33, leg: "CAleg3", number: "+13125550103", step: 1 }, "the line that took the call");
  assert.deepEqual(
    c.answered_legs,
    [
      { leg: "CAleg2", number: "+13125550102", step: 1 },
      { leg: "CAleg3", number: "+13125550103", step: 1 },
    ],
    "both lines picked up; one refused",
  );
  assert.equal(c.duration_s, 61, "the caller's call, ringing included");
  assert.equal(c.routing.name, "office hours");
  assert.equal(c.first_time, true, "this caller's first call");
});

test("a chain's later steps whisper the caller's channel and campaign, as the first step does", async () => {
  // A call of its own: a Paid Search number, in office hours (the two-step chain, screened).
  const voice = { CallSid: "CAwhisper2", From: "+13105550144", To: "+13125550121", CallStatus: "ringing" };
  const first = await twilio("/v1/twilio/voice", voice);
  assert.equal(first.status, 200, first.body);
  const said = async (markup) => {
    // What Twilio fetches for the business's leg when it picks up, signed like every webhook.
    const url = attr(markup, "Number", "url");
    const r = await twilio(url, { CallSid: "CAwhisper2-leg", ParentCallSid: "CAwhisper2", To: "+13125550101", From: voice.From });
    assert.equal(r.status, 200, r.body);
    return r.body.match(/<Say>([^<]*)<\/Say>/)[1];
  };
  const want = "Call from Paid Search, spring &lt;sale&gt; &amp; &quot;more&quot;";
  assert.equal(await said(first.body), want, "step 1");
  // Nobody answered step 1: step 2 rings the next lines, and whispers the same.
  const action = attr(first.body, "Dial", "action");
  const second = await twilio(action, { ...voice, DialCallSid: "CAwhisper2-leg", DialCallStatus: "no-answer", DialCallDuration: "0" });
  assert.equal(second.status, 200, second.body);
  assert.deepEqual([...second.body.matchAll(/<Number[^>]*>([^<]*)<\/Number>/g)].map((m) => m[1]), ["+13125550102", "+13125550103"]);
  assert.equal(await said(second.body), want, "step 2");
  // And once that step is not answered either, the voicemail.
  const third = await twilio(attr(second.body, "Dial", "action"), { ...voice, DialCallSid: "CAwhisper2-leg2", DialCallStatus: "busy" });
  assert.match(third.body, /<Say>Please leave a message\.<\/Say><Record /);
});

test("the recording callback is stored once, and the report fetches it with the account's credentials", async () => {
  await dayCall("CArec", "+13105550115");
  const rec = { CallSid: "CArec", RecordingSid: "REcall1", RecordingUrl: `http://127.0.0.1:${recordings.address().port}/rec/REcall1`, RecordingDuration: "33", RecordingChannels: "2", RecordingStatus: "completed" };
  for (const attempt of ["first", "repeated"]) {
    assert.equal((await twilio("/v1/twilio/recording?site=calls&kind=call", rec)).status, 204, attempt);
  }
  const c = await call("CArec");
  assert.deepEqual(c.recording, { id: "REcall1", url: rec.RecordingUrl, duration_s: 33, channels: 2, kind: "call" });

  const open = await fetch(`${worker.base}/v1/sites/calls/calls/CArec/recording`);
  assert.equal(open.status, 401, "the recording needs the operator's token");
  const asked = recordingRequests.length;
  const r = await fetch(`${worker.base}/v1/sites/calls/calls/CArec/recording`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "audio/x-wav");
  const body = await r.text();
  assert.equal(body, "RIFF-fake-recording");
  assert.ok(!body.includes(TWILIO_AUTH_TOKEN));
  assert.deepEqual(recordingRequests.slice(asked), [
    { url: "/rec/REcall1", authorization: "Basic " + Buffer.from(`${ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString("base64") },
  ]);
  const none = await admin(worker.base, "/v1/sites/calls/calls/CAnope/recording");
  assert.equal(none.status, 404);
});

test("the conversation's transcript: final utterances stored once, in order, whatever the order they arrive in", async () => {
  const { transcript } = await dayCall("CAtalk", "+13105550116");
  // A recording first: the transcript's callbacks leave it as it is.
  const rec = { CallSid: "CAtalk", RecordingSid: "REtalk1", RecordingUrl: `http://127.0.0.1:${recordings.address().port}/rec/REtalk1`, RecordingDuration: "20", RecordingChannels: "2", RecordingStatus: "completed" };
  assert.equal((await twilio("/v1/twilio/recording?site=calls&kind=call", rec)).status, 204);
  // Twilio's real-time transcription callbacks (`<Start><Transcription statusCallbackUrl>`).
  const event = (fields) => ({ AccountSid: ACCOUNT_SID, CallSid: "CAtalk", TranscriptionSid: "GT1", Timestamp: new Date().toISOString(), ...fields });
  const content = (seq, track, text, final = "true") =>
    event({ TranscriptionEvent: "transcription-content", SequenceId: String(seq), Track: track, Final: final, TranscriptionData: JSON.stringify({ transcript: text, confidence: 0.91 }), LanguageCode: "en-US" });
  // (callback, status)
  const table = [
    [event({ TranscriptionEvent: "transcription-started", SequenceId: "1" }), 204],
    [content(3, "outbound_track", "Plumbing, how can I help?"), 204],
    [content(2, "inbound_track", "Hello, I have a leak <in the kitchen>."), 204],
    [content(4, "inbound_track", "Can someone co", "false"), 204],
    [content(2, "inbound_track", "Hello, I have a leak <in the kitchen>."), 204],
    [content(5, "inbound_track", "Can someone come today?"), 204],
    [event({ TranscriptionEvent: "transcription-stopped", SequenceId: "6" }), 204],
    [content(7, "inbound_track", "not json", "true"), 204],
  ];
  table[7][0].TranscriptionData = "{not json";
  table[7][1] = 400;
  for (const [params, status] of table) {
    const r = await twilio(transcript, params);
    assert.equal(r.status, status, `${params.TranscriptionEvent} ${params.SequenceId}: ${r.body}`);
  }
  const c = await call("CAtalk");
  assert.deepEqual(c.conversation, [
    { seq: 2, speaker: "caller", text: "Hello, I have a leak <in the kitchen>." },
    { seq: 3, speaker: "business", text: "Plumbing, how can I help?" },
    { seq: 5, speaker: "caller", text: "Can someone come today?" },
  ]);
  assert.equal(c.recording.id, "REtalk1", "the other callbacks' fields are untouched");
  assert.equal(c.transcript, null, "the voicemail transcript is another field");
});

test("a blocked caller is rejected", async () => {
  const r = await twilio("/v1/twilio/voice", { CallSid: "CAspam", From: "+19005550100", To: "+13125550121", CallStatus: "ringing" });
  assert.equal(r.body, XML + '<Reject reason="busy"/></Response>');
  assert.equal((await call("CAspam")).routing.name, "blocked");
});

// Telnyx: TeXML webhooks signed with Ed25519 over "{timestamp}|{body}".
function telnyxSigned(params, { ts = Math.floor(Date.now() / 1000), tamper = false, key = privateKey } = {}) {
  const body = new URLSearchParams(params).toString();
  const signature = edSign(null, Buffer.from(`${ts}|${body}`), key).toString("base64");
  const sent = tamper ? body.replace("%2B13105550177", "%2B13105550178") : body;
  return { body: sent, headers: { "telnyx-signature-ed25519": signature, "telnyx-timestamp": String(ts) } };
}
async function telnyxVerdict(delivery) {
  try {
    await new TelnyxWebhook(TELNYX_PUBLIC_KEY).verify(delivery.body, delivery.headers);
    return "accepted";
  } catch {
    return "refused";
  }
}
async function postTelnyx(path, delivery) {
  const r = await fetch(worker.base + path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...delivery.headers },
    body: delivery.body,
  });
  return { status: r.status, body: await r.text() };
}

/** Telnyx's callback URLs in an answer, each sealed by the worker, relative to it. */
function telnyxUrlsOf(markup) {
  const urls = {};
  for (const [tag, name] of [["Dial", "action"], ["Dial", "recordingStatusCallback"], ["Number", "statusCallback"], ["Transcription", "transcriptionCallback"]]) {
    urls[name] = attr(markup, tag, name)?.replace(worker.base, "");
  }
  return urls;
}

/** A new call to the Telnyx number, from a caller of its own; returns its params and callback URLs. */
async function telnyxCall(sid, from) {
  const params = { CallSid: sid, AccountSid: "acc", From: from, To: "+13125550123", CallStatus: "ringing" };
  const r = await postTelnyx("/v1/telnyx/voice", telnyxSigned(params));
  assert.equal(r.status, 200, r.body);
  return { params, urls: telnyxUrlsOf(r.body) };
}

test("Telnyx: signed, tampered, replayed and stale webhooks, judged like Telnyx's own library", async () => {
  const params = { CallSid: "v3:telnyx-call-1", AccountSid: "acc", From: "+13105550177", To: "+13125550123", CallStatus: "ringing" };
  const now = Math.floor(Date.now() / 1000);
  const genuine = telnyxSigned(params, { ts: now });
  const other = generateKeyPairSync("ed25519").privateKey;
  // (what, delivery, Telnyx's library, worker status)
  const table = [
    ["signed", genuine, "accepted", 200],
    ["replayed: the same delivery again", genuine, "accepted", 403],
    ["tampered after signing", telnyxSigned(params, { ts: now, tamper: true }), "refused", 403],
    ["signed with another key", telnyxSigned(params, { key: other }), "refused", 403],
    ["stale: 330 s old (the 301 s edge is in the core's table; a second ticking here must not flip a row)", telnyxSigned(params, { ts: now - 330 }), "refused", 403],
    ["from the future: 330 s ahead", telnyxSigned(params, { ts: now + 330 }), "refused", 403],
    ["unsigned", { body: genuine.body, headers: {} }, "refused", 403],
  ];
  let genuineAnswer;
  for (const [what, delivery, library, status] of table) {
    assert.equal(await telnyxVerdict(delivery), library, `Telnyx's library: ${what}`);
    const r = await postTelnyx("/v1/telnyx/voice", delivery);
    assert.equal(r.status, status, `worker: ${what}: ${r.body}`);
    if (status === 200) {
      genuineAnswer = r.body;
      assert.match(r.body, /<Dial answerOnBridge="true" timeout="15" record="record-from-answer" recordingChannels="dual"/, "TeXML");
      // Telnyx's signature does not cover the URL: every callback URL carries the worker's seal.
      for (const [tag, name, path] of [
        ["Dial", "action", "/v1/telnyx/dial?site=calls&rule=1&step=0&seal="],
        ["Dial", "recordingStatusCallback", "/v1/telnyx/recording?site=calls&kind=call&seal="],
        ["Number", "statusCallback", "/v1/telnyx/answered?site=calls&step=0&seal="],
        ["Transcription", "transcriptionCallback", `${worker.base}/v1/telnyx/transcript?site=calls&kind=call&seal=`],
      ]) {
        const url = attr(r.body, tag, name);
        assert.ok(url?.startsWith(path), `${tag} ${name}: ${url}`);
      }
    } else {
      assert.ok(JSON.parse(r.body).error, what);
    }
  }
  // The library does not remember deliveries, the worker does: that is the only row where they differ.
  const c = await call("v3:telnyx-call-1");
  assert.equal(c.provider, "telnyx");
  assert.equal(c.channel, "Organic Search");
  const calls = (await admin(worker.base, "/v1/sites/calls/calls")).json.calls;
  assert.equal(calls.filter((x) => x.call_sid === "v3:telnyx-call-1").length, 1);

  // The dial result through Telnyx completes the record too.
  const dial = telnyxSigned({ ...params, DialCallStatus: "completed", DialCallDuration: "9", DialCallSid: "v3:leg" });
  const d = await postTelnyx(telnyxUrlsOf(genuineAnswer).action, dial);
  assert.equal(d.status, 200, d.body);
  const st = await postTelnyx("/v1/telnyx/status", telnyxSigned({ ...params, CallStatus: "completed", CallDuration: "20" }));
  assert.equal(st.status, 204, st.body);
  const done = await call("v3:telnyx-call-1");
  assert.equal(done.status, "answered");
  assert.equal(done.dial.duration_s, 9);
});

test("Telnyx: a genuine delivery sent to a callback URL with a changed query is refused", async () => {
  const { params: ringing, urls } = await telnyxCall("v3:telnyx-query", "+13105550178");
  const { CallStatus: _, ...call } = ringing;
  const params = { ...call, DialCallStatus: "no-answer", DialCallSid: "v3:leg0" };
  const sealed = urls.action;
  const seal = sealed.slice(sealed.indexOf("&seal="));
  // One signed delivery, sent first to tampered URLs (Telnyx's signature covers only the body, so
  // its library accepts it), then to the URL the worker wrote.
  const delivery = telnyxSigned(params);
  assert.equal(await telnyxVerdict(delivery), "accepted", "Telnyx's library cannot see the query");
  // (what, path, worker status)
  const table = [
    ["another step, the same seal", "/v1/telnyx/dial?site=calls&rule=1&step=1" + seal, 403],
    ["another rule", "/v1/telnyx/dial?site=calls&rule=0&step=0" + seal, 403],
    ["another site", "/v1/telnyx/dial?site=demo&rule=1&step=0" + seal, 403],
    ["the seal taken off", "/v1/telnyx/dial?site=calls&rule=1&step=0", 403],
    ["a parameter added after the seal", sealed + "&step=1", 403],
    ["another action, the same query", sealed.replace("/dial?", "/recording?"), 403],
    // Refused before the delivery was remembered: the genuine one is not used up by the forgeries.
    ["as written", sealed, 200],
    ["as written, again", sealed, 403],
  ];
  for (const [what, path, status] of table) {
    const r = await postTelnyx(path, delivery);
    assert.equal(r.status, status, `${what}: ${r.body}`);
    if (status === 403 && what !== "as written, again") assert.equal(JSON.parse(r.body).error, "callback URL not written by this worker", what);
  }
  // The webhooks the owner configures at Telnyx (voice, status) read no query: none needs a seal.
  const st = await postTelnyx("/v1/telnyx/status?from=portal", telnyxSigned({ ...params, CallStatus: "completed", CallDuration: "20" }));
  assert.equal(st.status, 204, st.body);
});

test("Telnyx: a callback URL sealed for one call refuses another call's genuine webhook", async () => {
  // Two calls of their own, A and B, to the Telnyx number.
  const a = { CallSid: "v3:telnyx-seal-a", AccountSid: "acc", From: "+13105550181", To: "+13125550123", CallStatus: "ringing" };
  const b = { ...a, CallSid: "v3:telnyx-seal-b", From: "+13105550182" };
  const answers = {};
  for (const call of [a, b]) {
    const r = await postTelnyx("/v1/telnyx/voice", telnyxSigned(call));
    assert.equal(r.status, 200, r.body);
    answers[call.CallSid] = { dial: attr(r.body, "Dial", "action"), leg: attr(r.body, "Number", "statusCallback") };
  }
  assert.notEqual(answers[a.CallSid].dial, answers[b.CallSid].dial, "each call's URLs carry a seal of their own");
  const dialOf = (call) => telnyxSigned({ ...call, DialCallStatus: "no-answer", DialCallSid: `${call.CallSid}-leg` });
  const legOf = (call) => telnyxSigned({ CallSid: `${call.CallSid}-leg`, ParentCallSid: call.CallSid, AccountSid: "acc", From: call.From, To: "+13125550101", CallStatus: "in-progress" });
  // (what, URL, genuine webhook, Telnyx's library, worker status)
  const table = [
    ["A's dial URL, B's dial result", answers[a.CallSid].dial, dialOf(b), "accepted", 403],
    ["A's line URL, a line of B's", answers[a.CallSid].leg, legOf(b), "accepted", 403],
    ["A's dial URL, A's dial result", answers[a.CallSid].dial, dialOf(a), "accepted", 200],
    ["A's line URL, a line of A's", answers[a.CallSid].leg, legOf(a), "accepted", 204],
  ];
  for (const [what, url, delivery, library, status] of table) {
    assert.equal(await telnyxVerdict(delivery), library, `Telnyx's library: ${what}`);
    const r = await postTelnyx(url, delivery);
    assert.equal(r.status, status, `${what}: ${r.body}`);
    if (status === 403) assert.equal(JSON.parse(r.body).error, "callback URL not written by this worker", what);
  }
  assert.equal((await call(b.CallSid)).dial, null, "B's record was not touched by what was sent to A's URLs");
  assert.equal((await call(a.CallSid)).dial.status, "no-answer");
});

test("Telnyx: the answering line, the conversation's transcript, and the recording fetched by id", async () => {
  const { urls: telnyxUrls } = await telnyxCall("v3:telnyx-line", "+13105550179");
  const call1 = { CallSid: "v3:telnyx-line", AccountSid: "acc" };
  const leg = telnyxSigned({ ...call1, CallSid: "v3:telnyx-line-leg", ParentCallSid: "v3:telnyx-line", From: "+13105550179", To: "+13125550101", CallStatus: "in-progress", CallbackSource: "call-progress-events" });
  assert.equal((await postTelnyx(telnyxUrls.statusCallback, leg)).status, 204);
  // The dial result names that leg: the answering line is its number.
  const dial = telnyxSigned({ ...call1, From: "+13105550179", To: "+13125550123", DialCallStatus: "completed", DialCallDuration: "9", DialCallSid: "v3:telnyx-line-leg" });
  assert.equal((await postTelnyx(telnyxUrls.action, dial)).status, 200);
  // TeXML's transcription callback: `Transcript`, `IsFinal` (interim results are not kept).
  for (const [fields, status] of [
    [{ Transcript: "Hi, is this the plumber?", IsFinal: "true", Confidence: "0.9" }, 204],
    [{ Transcript: "Yes spea", IsFinal: "false" }, 204],
    [{ Transcript: "Yes, speaking.", IsFinal: "true" }, 204],
  ]) {
    assert.equal((await postTelnyx(telnyxUrls.transcriptionCallback, telnyxSigned({ ...call1, ...fields }))).status, status);
  }
  const id = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
  const rec = telnyxSigned({ ...call1, RecordingSid: id, RecordingUrl: "https://api.telnyx.com/expired/link.mp3", RecordingDuration: "9", RecordingChannels: "2", RecordingStatus: "completed" });
  assert.equal((await postTelnyx(telnyxUrls.recordingStatusCallback, rec)).status, 204);

  const c = await call("v3:telnyx-line");
  assert.equal(c.dial.number, "+13125550101");
  assert.deepEqual(c.conversation.map((u) => u.text), ["Hi, is this the plumber?", "Yes, speaking."]);
  assert.equal(c.recording.id, id);

  const asked = telnyxRequests.length;
  const r = await fetch(`${worker.base}/v1/sites/calls/calls/v3:telnyx-line/recording`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "audio/mpeg");
  assert.equal(r.headers.get("cache-control"), "private, no-store");
  assert.equal(await r.text(), "ID3-fake-telnyx-recording");
  // The link in the webhook was never used: the recording was looked up by id with the API key,
  // and the fresh link fetched without it.
  assert.deepEqual(telnyxRequests.slice(asked), [
    { url: `/v2/recordings/${id}`, authorization: `Bearer ${TELNYX_API_KEY}` },
    { url: `/media/${id}.mp3?X-Signature=fresh`, authorization: undefined },
  ]);
});
