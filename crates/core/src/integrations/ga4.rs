//! GA4 Measurement Protocol: one event per converting call, in the visitor's own GA4 session.
//!
//! GA4 credits an event to a session, and so to the session's source, when the event carries the
//! session's `session_id` (and `engagement_time_msec`) and arrives within GA4's session window; a
//! Measurement Protocol event may be up to 72 hours old (`timestamp_micros`), and older ones are
//! refused by GA4, so we do not send them.
//!
//! GA4 drops a repeated event only for `purchase` events with the same `transaction_id`; a phone
//! call is a custom event, with no key GA4 honours. Each event carries the call's id (`call_id`)
//! for the owner to drop repeats in the BigQuery export, and the outbox retries a GA4 message only
//! when it surely did not land (`retry::next_without_dedupe`).

#[allow(unused_imports)]
use crate::call::LeadKind;
use crate::prelude::*;

use serde_json::{json, Map, Value};

use super::facts::CallFacts;
use super::settings::{ConversionRule, Ga4Settings};
use super::HttpRequest;
use crate::url::percent_encoded;
use crate::{Millis, HOUR};

/// How far back GA4 accepts an event's time.
pub const MAX_AGE: Millis = 72 * HOUR;

/// Why no GA4 event is sent for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ga4Skip {
    /// The call has no GA ids and the site did not opt in to sending such calls.
    NoGaIds,
    /// The call started more than 72 hours ago.
    TooOld,
}

impl Ga4Skip {
    /// A short reason for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Ga4Skip::NoGaIds => "no GA ids (the site does not send such calls)",
            Ga4Skip::TooOld => "older than GA4's 72 hours",
        }
    }
}

/// The event a text conversation sends (a call sends the site's `event_name`, `phone_call` by
/// default), with the conversation's `messages` instead of a call's `duration` and `answered`.
pub const TEXT_EVENT: &str = "text_message";

/// The request: `POST {endpoint}/mp/collect?measurement_id=..&api_secret=..` (or `/debug/mp/collect`
/// in test mode). `fresh_client_id` is used only for a call without GA ids when the site sends
/// those (`<random digits>.<seconds>`, made by the shell); such an event never joins a visitor.
pub fn request(
    endpoint: &str,
    settings: &Ga4Settings,
    api_secret: &str,
    facts: &CallFacts,
    conversion: &ConversionRule,
    fresh_client_id: &str,
    now: Millis,
) -> Result<HttpRequest, Ga4Skip> {
    if now.saturating_sub(facts.started_at) > MAX_AGE {
        return Err(Ga4Skip::TooOld);
    }
    let mut params = Map::new();
    let client_id = match &facts.ga {
        Some(ga) => {
            if let Some(session) = &ga.session_id {
                params.insert("session_id".into(), json!(session));
            }
            ga.client_id.clone()
        }
        None if settings.send_without_ga_ids => fresh_client_id.to_owned(),
        None => return Err(Ga4Skip::NoGaIds),
    };
    params.insert("engagement_time_msec".into(), json!(100));
    // GA4 deduplicates only `purchase` events (by `transaction_id`); a `phone_call` has no key it
    // honours. The call's id, the same on every attempt, lets the owner drop a repeat themselves
    // (BigQuery export, explorations). GA4 keeps a param value to 100 characters.
    params.insert(
        "call_id".into(),
        json!(facts.call_id.chars().take(100).collect::<String>()),
    );
    for (name, value) in [
        ("channel", facts.channel.as_str()),
        ("source", &facts.source),
        ("medium", &facts.medium),
        ("campaign", &facts.campaign),
        ("term", &facts.term),
        ("tracking_number", &facts.tracking_number),
    ] {
        if !value.is_empty() {
            params.insert(name.into(), json!(value));
        }
    }
    let name = match facts.kind {
        LeadKind::Call => {
            params.insert("duration".into(), json!(facts.talk_s));
            params.insert("answered".into(), json!(if facts.answered { 1 } else { 0 }));
            settings.event_name.as_str()
        }
        LeadKind::Text => {
            params.insert("messages".into(), json!(facts.messages));
            TEXT_EVENT
        }
    };
    params.insert("value".into(), json!(conversion.value));
    params.insert("currency".into(), json!(conversion.currency));
    let body = json!({
        "client_id": client_id,
        "timestamp_micros": facts.started_at.saturating_mul(1000),
        "events": [{ "name": name, "params": Value::Object(params) }],
    });
    let path = if settings.validate_only {
        "/debug/mp/collect"
    } else {
        "/mp/collect"
    };
    let url = [
        endpoint.trim_end_matches('/'),
        path,
        "?measurement_id=",
        &percent_encoded(&settings.measurement_id),
        "&api_secret=",
        &percent_encoded(api_secret),
    ]
    .concat();
    Ok(HttpRequest::json(url, body.to_string()))
}

/// What the validation endpoint said: its `validationMessages` (empty: valid). `None` when the
/// answer is not the validation endpoint's JSON.
pub fn validation_messages(answer: &str) -> Option<Vec<String>> {
    let v: Value = serde_json::from_str(answer).ok()?;
    let messages = v.get("validationMessages")?.as_array()?;
    Some(
        messages
            .iter()
            .map(|m| {
                m.get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("invalid")
                    .to_owned()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallRecord;
    use crate::classify::{Channel, ClickId};
    use crate::integrations::facts::facts_of;
    use crate::telephony::CallStatus;

    fn facts() -> CallFacts {
        let mut r = CallRecord::new(
            "CA1",
            "demo",
            "+13105550199",
            "+12125550101",
            1_772_370_309_000,
        );
        r.status = CallStatus::Answered;
        r.duration_s = Some(42);
        r.channel = Channel::PaidSearch;
        (r.source, r.medium, r.campaign, r.term) = (
            "google".into(),
            "cpc".into(),
            "spring".into(),
            "plumber".into(),
        );
        r.click_id = Some(ClickId {
            kind: "gclid".into(),
            value: "G1".into(),
        });
        r.ga_client_id = Some("111.222".into());
        r.ga_session_id = Some("1772370000".into());
        facts_of(&r)
    }

    fn settings() -> Ga4Settings {
        serde_json::from_str(r#"{"measurement_id":"G-ABC123"}"#).unwrap()
    }

    fn rule() -> ConversionRule {
        serde_json::from_str(r#"{"name":"Call","value":50}"#).unwrap()
    }

    /// A text conversation sends `text_message` in the visitor's session, with its messages'
    /// count instead of a call's duration and answer.
    #[test]
    fn a_text_is_a_text_message() {
        let mut f = facts();
        f.kind = LeadKind::Text;
        f.messages = 2;
        let r = request(
            "https://ga",
            &settings(),
            "s",
            &f,
            &rule(),
            "9.9",
            f.started_at + 1,
        )
        .unwrap();
        let body: Value = serde_json::from_str(&r.body).unwrap();
        let event = &body["events"][0];
        assert_eq!(event["name"], TEXT_EVENT);
        assert_eq!(event["params"]["session_id"], "1772370000");
        assert_eq!(event["params"]["messages"], 2);
        assert_eq!(event["params"].get("duration"), None);
        assert_eq!(body["client_id"], "111.222");
    }

    #[test]
    fn the_event_joins_the_visitors_session() {
        let f = facts();
        let now = f.started_at + 60_000;
        let r = request(
            "https://www.google-analytics.com",
            &settings(),
            "s3cr/t",
            &f,
            &rule(),
            "9.9",
            now,
        )
        .unwrap();
        assert_eq!(r.url, "https://www.google-analytics.com/mp/collect?measurement_id=G-ABC123&api_secret=s3cr%2Ft");
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            body,
            json!({
                "client_id": "111.222",
                "timestamp_micros": 1_772_370_309_000_000u64,
                "events": [{"name": "phone_call", "params": {
                    "session_id": "1772370000", "engagement_time_msec": 100, "call_id": "CA1",
                    "channel": "Paid Search", "source": "google", "medium": "cpc",
                    "campaign": "spring", "term": "plumber", "tracking_number": "+12125550101",
                    "duration": 42, "answered": 1, "value": 50.0, "currency": "USD"}}]
            })
        );
        assert!(!r.body.contains("3105550199"), "never the caller's number");
    }

    #[test]
    fn calls_without_ids_and_old_calls() {
        let mut f = facts();
        f.ga = None;
        let now = f.started_at + 1000;
        // (opt in, now, expected client id or skip)
        let table = [
            (false, now, Err(Ga4Skip::NoGaIds)),
            (true, now, Ok("fresh.1")),
            (true, f.started_at + MAX_AGE + 1, Err(Ga4Skip::TooOld)),
        ];
        for (opt_in, at, want) in table {
            let mut s = settings();
            s.send_without_ga_ids = opt_in;
            let got = request("http://127.0.0.1:1", &s, "k", &f, &rule(), "fresh.1", at).map(|r| {
                let body: Value = serde_json::from_str(&r.body).unwrap();
                assert!(body["events"][0]["params"].get("session_id").is_none());
                body["client_id"].as_str().unwrap().to_owned()
            });
            assert_eq!(got.as_deref().map_err(|e| *e), want, "{opt_in}");
        }
        let mut s = settings();
        s.validate_only = true;
        let r = request("http://127.0.0.1:1/", &s, "k", &facts(), &rule(), "", now).unwrap();
        assert!(r.url.starts_with("http://127.0.0.1:1/debug/mp/collect?"));
    }

    #[test]
    fn reads_validation_answers() {
        let table = [
            (r#"{"validationMessages":[]}"#, Some(vec![])),
            (
                r#"{"validationMessages":[{"fieldPath":"events","description":"Event name is reserved","validationCode":"NAME_RESERVED"}]}"#,
                Some(vec!["Event name is reserved".to_owned()]),
            ),
            ("", None),
        ];
        for (answer, want) in table {
            assert_eq!(validation_messages(answer), want, "{answer}");
        }
    }
}
