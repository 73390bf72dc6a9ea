//! Meta's Conversions API: `POST {endpoint}/{version}/{dataset_id}/events?access_token=...`, one
//! server event per converting call, `action_source: "phone_call"`.
//!
//! - `event_name` is the site's (`Lead` by default; Meta defines `Contact` as a contact by phone),
//!   `event_time` the call's start in Unix seconds, `event_id` the call id (Meta deduplicates on
//!   it), `custom_data` the value and currency (lower case, as Meta's own SDK writes it).
//! - `user_data`: `fbc` from the visit's `fbclid` and the time the page first saw it
//!   (`fb.1.<ms>.<fbclid>`), `fbp` (the `_fbp` cookie, read by the page at the full consent tier
//!   only), and the caller's number hashed as Meta hashes it (`ph`: the digits with the country
//!   code, SHA-256) only where the site opts in and the page declared the full tier. Never the
//!   visitor's IP address or user agent: we do not keep them for that.
//! - Meta refuses a whole batch when one event is older than 7 days: such a call is skipped with
//!   that reason (and each request carries one event, so none is ever mixed into a batch).
//! - Meta cannot retract an event once received.

#[allow(unused_imports)]
use crate::prelude::*;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::facts::CallFacts;
use super::settings::{ConversionRule, MetaSettings};
use super::HttpRequest;
use crate::consent::Tier;
use crate::url::percent_encoded;
use crate::{Millis, DAY, SECOND};

/// The Graph API version in the path (the worker's `META_GRAPH_API_VERSION` overrides it).
pub const API_VERSION: &str = "v24.0";

/// The oldest event Meta takes.
pub const MAX_AGE: Millis = 7 * DAY;

/// Why no event is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaSkip {
    /// Nothing identifies the visitor to Meta: no fbclid, no `_fbp`, no hashed number allowed.
    NoIdentifier,
    /// Older than Meta's 7 days: it would make Meta refuse the whole batch.
    TooOld,
}

impl MetaSkip {
    /// A short reason for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MetaSkip::NoIdentifier => "nothing identifies the visitor to Meta (no fbclid or _fbp)",
            MetaSkip::TooOld => "older than Meta's 7 days (Meta would refuse the whole batch)",
        }
    }
}

/// `fb.1.<ms>.<fbclid>`: the click id and when the page first saw it.
pub fn fbc(fbclid: &str, first_seen: Millis) -> String {
    ["fb.1.", &first_seen.to_string(), ".", fbclid].concat()
}

/// The caller's number as Meta normalizes it before hashing (the digits, country code first, no
/// `+`), SHA-256, lower-case hex. `None`: no digits.
pub fn hashed_phone(e164: &str) -> Option<String> {
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return None;
    }
    Some(crate::text::hex(&Sha256::digest(digits.as_bytes())))
}

/// The event request for one call at `now`.
pub fn events_request(
    endpoint: &str,
    version: &str,
    settings: &MetaSettings,
    access_token: &str,
    facts: &CallFacts,
    conversion: &ConversionRule,
    now: Millis,
) -> Result<HttpRequest, MetaSkip> {
    if now.saturating_sub(facts.started_at) > MAX_AGE {
        return Err(MetaSkip::TooOld);
    }
    let full = facts.consent == Some(Tier::Full);
    let mut user = Map::new();
    if let Some((fbclid, at)) = &facts.fbclid {
        user.insert("fbc".into(), json!(fbc(fbclid, *at)));
    }
    if let Some(fbp) = facts.fbp.as_ref().filter(|_| full) {
        user.insert("fbp".into(), json!(fbp));
    }
    if settings.hashed_caller_number && full {
        if let Some(h) = facts.caller.as_deref().and_then(hashed_phone) {
            user.insert("ph".into(), json!([h]));
        }
    }
    if user.is_empty() {
        return Err(MetaSkip::NoIdentifier);
    }
    let mut event = Map::new();
    event.insert("event_name".into(), json!(settings.event_name));
    event.insert("event_time".into(), json!(facts.started_at / SECOND));
    event.insert("event_id".into(), json!(facts.call_id));
    event.insert("action_source".into(), json!("phone_call"));
    event.insert("user_data".into(), Value::Object(user));
    event.insert(
        "custom_data".into(),
        json!({ "value": conversion.value, "currency": conversion.currency.to_ascii_lowercase() }),
    );
    let mut body = Map::new();
    body.insert("data".into(), json!([Value::Object(event)]));
    if let Some(code) = settings.test_event_code.as_ref().filter(|c| !c.is_empty()) {
        body.insert("test_event_code".into(), json!(code));
    }
    let url = [
        endpoint.trim_end_matches('/'),
        "/",
        version,
        "/",
        &settings.dataset_id,
        "/events?access_token=",
        &percent_encoded(access_token),
    ]
    .concat();
    Ok(HttpRequest::json(url, Value::Object(body).to_string()))
}

/// Reads a `200` answer: `events_received` must count the one event. `Err` says what came back.
pub fn read_answer(answer: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(answer).map_err(|_| "unreadable answer".to_owned())?;
    match v.get("events_received").and_then(Value::as_u64) {
        Some(n) if n >= 1 => Ok(()),
        _ => Err(v
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("no event received")
            .to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallRecord;
    use crate::integrations::facts::facts_of;
    use crate::telephony::CallStatus;

    const T: Millis = 1_772_370_309_000;

    fn settings(extra: &str) -> MetaSettings {
        serde_json::from_str(&[r#"{"dataset_id":"1234567890""#, extra, "}"].concat()).unwrap()
    }

    fn facts(tier: Option<Tier>) -> CallFacts {
        let mut r = CallRecord::new("CA9", "demo", "+13105550199", "+12125550101", T);
        r.status = CallStatus::Answered;
        r.consent = tier;
        r.fbp = Some("fb.1.1772300000000.987654321".into());
        let mut f = facts_of(&r);
        f.fbclid = Some(("IwAR2xYz".into(), T - 3_600_000));
        f
    }

    fn rule() -> ConversionRule {
        serde_json::from_str(r#"{"name":"Call","value":50,"currency":"EUR"}"#).unwrap()
    }

    #[test]
    fn one_phone_call_event() {
        let req = events_request(
            "https://graph.facebook.com/",
            "v24.0",
            &settings(r#","test_event_code":"TEST123""#),
            "EAA b/c",
            &facts(Some(Tier::Full)),
            &rule(),
            T + 60_000,
        )
        .unwrap();
        assert_eq!(
            req.url,
            "https://graph.facebook.com/v24.0/1234567890/events?access_token=EAA%20b%2Fc"
        );
        let body: Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(
            fbc("IwAR2xYz", 1_772_366_709_000),
            "fb.1.1772366709000.IwAR2xYz"
        );
        assert_eq!(
            body,
            json!({
                "data": [{
                    "event_name": "Lead",
                    "event_time": T / 1000,
                    "event_id": "CA9",
                    "action_source": "phone_call",
                    "user_data": {
                        "fbc": fbc("IwAR2xYz", T - 3_600_000),
                        "fbp": "fb.1.1772300000000.987654321"
                    },
                    "custom_data": {"value": 50.0, "currency": "eur"}
                }],
                "test_event_code": "TEST123"
            })
        );
    }

    #[test]
    fn what_identifies_the_visitor_follows_consent_and_opt_in() {
        let ph = hashed_phone("+13105550199").unwrap();
        // (opt-in, tier, fbclid kept, user_data keys, or skipped)
        type Row = (
            bool,
            Option<Tier>,
            bool,
            Result<&'static [&'static str], MetaSkip>,
        );
        let table: [Row; 6] = [
            (false, Some(Tier::Full), true, Ok(&["fbc", "fbp"])),
            (true, Some(Tier::Full), true, Ok(&["fbc", "fbp", "ph"])),
            (true, Some(Tier::Session), true, Ok(&["fbc"])),
            (true, None, true, Ok(&["fbc"])),
            (true, Some(Tier::Full), false, Ok(&["fbp", "ph"])),
            (
                true,
                Some(Tier::Session),
                false,
                Err(MetaSkip::NoIdentifier),
            ),
        ];
        for (opt_in, tier, clicked, want) in table {
            let mut f = facts(tier);
            if !clicked {
                f.fbclid = None;
            }
            let s = settings(if opt_in {
                r#","hashed_caller_number":true"#
            } else {
                ""
            });
            let got = events_request("x", "v", &s, "t", &f, &rule(), T).map(|r| {
                let body: Value = serde_json::from_str(&r.body).unwrap();
                let user = body["data"][0]["user_data"].clone();
                if let Some(sent) = user.get("ph") {
                    assert_eq!(sent, &json!([ph]));
                }
                let mut keys: Vec<String> = user.as_object().unwrap().keys().cloned().collect();
                keys.sort();
                keys
            });
            let want = want.map(|k| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
            assert_eq!(got, want, "{opt_in} {tier:?} {clicked}");
        }
    }

    #[test]
    fn an_event_older_than_seven_days_is_skipped() {
        let f = facts(Some(Tier::Full));
        // (now, sent)
        let table = [(T + MAX_AGE, true), (T + MAX_AGE + 1, false), (T, true)];
        for (now, sent) in table {
            let got = events_request("x", "v", &settings(""), "t", &f, &rule(), now);
            assert_eq!(got.is_ok(), sent, "{now}");
            if !sent {
                assert_eq!(got.map(|_| ()), Err(MetaSkip::TooOld));
            }
        }
    }

    #[test]
    fn hashes_and_reads_answers() {
        // What Meta's SDK (facebook-business 26.0.3) makes of "+1 (310) 555-0199" and
        // "+13105550199": SHA-256 of "13105550199" (tests/ads_check.py compares every event).
        let want = "dfa2d6d41e2db570d1db08cdad67699d1d7f8dee503984cb4b4dcbd54d16a00b";
        assert_eq!(hashed_phone("+13105550199").as_deref(), Some(want));
        assert_eq!(hashed_phone("+"), None);
        let table = [
            (r#"{"events_received":1,"fbtrace_id":"x"}"#, Ok(())),
            (
                r#"{"events_received":0}"#,
                Err("no event received".to_owned()),
            ),
            (
                r#"{"error":{"message":"Invalid parameter","code":100}}"#,
                Err("Invalid parameter".to_owned()),
            ),
            ("<html>", Err("unreadable answer".to_owned())),
        ];
        for (answer, want) in table {
            assert_eq!(read_answer(answer), want, "{answer}");
        }
    }
}
