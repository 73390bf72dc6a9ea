//! The owner's webhooks, signed as the Standard Webhooks specification says: headers `webhook-id`,
//! `webhook-timestamp` (seconds) and `webhook-signature` (`v1,` + base64 of HMAC-SHA256 over
//! `{id}.{timestamp}.{body}`), keyed with the endpoint's `whsec_` secret (base64 after the prefix).
//! While a secret is rotated the endpoint has several, and the header carries one signature per
//! secret, space-separated: receivers accept a message when any one matches.

#[allow(unused_imports)]
use crate::call::LeadKind;
use crate::prelude::*;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::facts::CallFacts;
use super::settings::{ConversionRule, WebhookEvent};
use super::HttpRequest;
use crate::civil;
use crate::Millis;

type HmacSha256 = Hmac<Sha256>;

/// How far a signed timestamp may be from the receiver's clock (the specification's default).
pub const TOLERANCE_S: u64 = 5 * 60;

/// Why a secret cannot sign, or a signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No secret, or one that is not `whsec_` + base64.
    BadSecret,
    /// No `v1,` signature in the header matches.
    Mismatch,
    /// The timestamp is too far from now.
    Stale,
}

fn keys(secrets: &str) -> Result<Vec<Vec<u8>>, SignatureError> {
    let keys: Result<Vec<Vec<u8>>, SignatureError> = secrets
        .split_ascii_whitespace()
        .map(|s| {
            let b64 = s.strip_prefix("whsec_").unwrap_or(s);
            STANDARD.decode(b64).map_err(|_| SignatureError::BadSecret)
        })
        .collect();
    let keys = keys?;
    if keys.is_empty() || keys.iter().any(Vec::is_empty) {
        return Err(SignatureError::BadSecret);
    }
    Ok(keys)
}

fn mac(key: &[u8], id: &str, timestamp_s: u64, body: &str) -> Result<Vec<u8>, SignatureError> {
    let mut mac = HmacSha256::new_from_slice(key).map_err(|_| SignatureError::BadSecret)?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_s.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Ok(mac.finalize().into_bytes().to_vec())
}

/// The `webhook-signature` header: one `v1,<base64>` per secret (space-separated `whsec_` secrets).
pub fn sign(
    secrets: &str,
    id: &str,
    timestamp_s: u64,
    body: &str,
) -> Result<String, SignatureError> {
    let mut out = Vec::new();
    for key in keys(secrets)? {
        out.push(["v1,", &STANDARD.encode(mac(&key, id, timestamp_s, body)?)].concat());
    }
    Ok(out.join(" "))
}

/// Checks a signed message as a receiver would (for tests, and for owners who want Rust).
pub fn verify(
    secret: &str,
    id: &str,
    timestamp_s: u64,
    body: &str,
    header: &str,
    now_s: u64,
) -> Result<(), SignatureError> {
    if now_s.abs_diff(timestamp_s) > TOLERANCE_S {
        return Err(SignatureError::Stale);
    }
    for key in keys(secret)? {
        let mut m = HmacSha256::new_from_slice(&key).map_err(|_| SignatureError::BadSecret)?;
        m.update(
            [id, ".", &timestamp_s.to_string(), ".", body]
                .concat()
                .as_bytes(),
        );
        for sig in header.split(' ') {
            let Some(b64) = sig.strip_prefix("v1,") else {
                continue;
            };
            let Ok(bytes) = STANDARD.decode(b64) else {
                continue;
            };
            if m.clone().verify_slice(&bytes).is_ok() {
                return Ok(());
            }
        }
    }
    Err(SignatureError::Mismatch)
}

/// The payload: `{"type", "timestamp", "data"}` as the specification suggests. Its shape is part of
/// the public contract (the OpenAPI document describes it): a type, so that a change to it is a
/// change to this declaration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payload<'a> {
    /// The event (`call.started`, `call.completed`, `conversion`, `call.qualified`).
    #[serde(rename = "type")]
    pub event: &'static str,
    /// When the message was built, UTC.
    pub timestamp: String,
    /// The call.
    pub data: CallData<'a>,
}

/// What every event says of the call, and what its moment adds. Never the caller's number (no
/// event carries it, whatever the site's report settings: the owner's endpoints see what GA4 and
/// the ad platforms see, and the number stays in the call log).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallData<'a> {
    /// The provider's call id.
    pub call_id: &'a str,
    /// The site.
    pub site: &'a str,
    /// The tracking number dialed.
    pub tracking_number: &'a str,
    /// When the call reached us, UTC.
    pub started_at: String,
    /// The credited channel.
    pub channel: &'static str,
    /// Source, medium, campaign and keyword of the credited touch.
    pub source: &'a str,
    /// See `source`.
    pub medium: &'a str,
    /// See `source`.
    pub campaign: &'a str,
    /// See `source`.
    pub term: &'a str,
    /// The click id's parameter (`gclid`, `gbraid`, `wbraid`, `msclkid`), when the visit had one.
    pub click_id_kind: Option<&'a str>,
    /// Its value.
    pub click_id: Option<&'a str>,
    /// `text` for a text conversation (absent for a call, as before texts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// The call's qualification, once it has one (every event after it was set; always on
    /// `call.qualified`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualification: Option<QualificationData<'a>>,
    /// What the event's moment adds.
    #[serde(flatten)]
    pub moment: Moment<'a>,
    /// `true` for a test call (only to an endpoint that lists `test`); absent for a real one.
    #[serde(skip_serializing_if = "is_false")]
    pub test: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A call's qualification as the owner's endpoints see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualificationData<'a> {
    /// Tags.
    pub tags: &'a [String],
    /// `good`, `bad`, `spam`, or `null`.
    pub status: Option<&'static str>,
    /// The lead's value, when set.
    pub value: Option<f64>,
    /// `operator` or `rule`.
    pub qualified_by: &'static str,
    /// When, UTC.
    pub qualified_at: String,
}

/// What a call's moment adds to its data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Moment<'a> {
    /// `call.started`: no end, answer, talk time or conversion yet.
    Started {
        /// Whether the caller called the site for the first time, when known.
        first_time: Option<bool>,
    },
    /// `text.received`: a text conversation's first text (never the sender's number, nor the
    /// words).
    Text {
        /// Whether the sender had not called or texted the site before, when known.
        first_time: Option<bool>,
        /// The conversation's messages so far.
        messages: u32,
    },
    /// `call.completed` and `conversion`.
    Ended {
        /// When the call ended, UTC.
        ended_at: Option<String>,
        /// Whether the business answered.
        answered: bool,
        /// Seconds of conversation with the business.
        talk_seconds: u32,
        /// The conversion rule the call met (`conversion` events).
        conversion: Option<Conversion<'a>>,
    },
}

/// The conversion a `conversion` event reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion<'a> {
    /// The rule's name.
    pub name: &'a str,
    /// Its value.
    pub value: f64,
    /// Its currency.
    pub currency: &'a str,
}

impl<'a> Payload<'a> {
    /// The payload of `event` about the call `facts` describe, built at `now`.
    pub fn of(
        event: WebhookEvent,
        facts: &'a CallFacts,
        conversion: Option<&'a ConversionRule>,
        now: Millis,
    ) -> Payload<'a> {
        let (click_id_kind, click_id) = match (&facts.google_click, &facts.msclkid) {
            (Some(g), _) => {
                let (k, v) = g.field();
                (Some(k), Some(v))
            }
            (None, Some(m)) => (Some("msclkid"), Some(m.as_str())),
            (None, None) => (None, None),
        };
        let moment = if event == WebhookEvent::CallStarted {
            Moment::Started {
                first_time: facts.first_time,
            }
        } else if event == WebhookEvent::TextReceived {
            Moment::Text {
                first_time: facts.first_time,
                messages: facts.messages,
            }
        } else {
            Moment::Ended {
                ended_at: facts.ended_at.map(civil::iso_utc),
                answered: facts.answered,
                talk_seconds: facts.talk_s,
                conversion: conversion.map(|c| Conversion {
                    name: &c.name,
                    value: c.value,
                    currency: &c.currency,
                }),
            }
        };
        Payload {
            event: event.as_str(),
            timestamp: civil::iso_utc(now),
            data: CallData {
                call_id: &facts.call_id,
                site: &facts.site,
                tracking_number: &facts.tracking_number,
                started_at: civil::iso_utc(facts.started_at),
                channel: facts.channel.as_str(),
                source: &facts.source,
                medium: &facts.medium,
                campaign: &facts.campaign,
                term: &facts.term,
                click_id_kind,
                click_id,
                kind: (facts.kind == LeadKind::Text).then_some("text"),
                qualification: facts.qualification.as_ref().map(|q| QualificationData {
                    tags: &q.tags,
                    status: q.status.map(crate::qualification::LeadStatus::as_str),
                    value: q.value,
                    qualified_by: match q.by {
                        crate::qualification::QualifiedBy::Operator => "operator",
                        crate::qualification::QualifiedBy::Rule { .. } => "rule",
                    },
                    qualified_at: civil::iso_utc(q.at),
                }),
                moment,
                test: facts.test,
            },
        }
    }
}

/// The payload's JSON text.
pub fn payload(
    event: WebhookEvent,
    facts: &CallFacts,
    conversion: Option<&ConversionRule>,
    now: Millis,
) -> String {
    // A struct of strings, numbers and options: serializing it cannot fail.
    serde_json::to_string(&Payload::of(event, facts, conversion, now)).unwrap_or_default()
}

/// The signed request. `id` is the delivery's idempotency key: the same on every retry, so the
/// receiver can drop a message it has already seen.
pub fn request(
    url: &str,
    secrets: &str,
    id: &str,
    body: String,
    now: Millis,
) -> Result<HttpRequest, SignatureError> {
    let timestamp = now / 1000;
    let signature = sign(secrets, id, timestamp, &body)?;
    let mut request = HttpRequest::json(url.to_owned(), body);
    request.header("webhook-id", id);
    request.header("webhook-timestamp", &timestamp.to_string());
    request.header("webhook-signature", &signature);
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    // The specification's own example (standard-webhooks, spec/standard-webhooks.md).
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: u64 = 1_614_265_330;
    const BODY: &str = r#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signs_like_the_specification() {
        assert_eq!(sign(SECRET, ID, TS, BODY), Ok(SIG.to_owned()));
        // Rotation: both secrets sign; either verifies.
        let other = "whsec_c2VjcmV0LXR3bw==";
        let both = sign(&[other, " ", SECRET].concat(), ID, TS, BODY).unwrap();
        assert_eq!(both.split(' ').count(), 2);
        assert!(both.ends_with(SIG));
        assert_eq!(verify(SECRET, ID, TS, BODY, &both, TS), Ok(()));
        assert_eq!(verify(other, ID, TS, BODY, &both, TS), Ok(()));
    }

    #[test]
    fn verifies() {
        use SignatureError::*;
        let table = [
            (SECRET, ID, TS, BODY, SIG, TS + 10, Ok(())),
            (SECRET, ID, TS, BODY, SIG, TS + TOLERANCE_S + 1, Err(Stale)),
            (SECRET, "msg_other", TS, BODY, SIG, TS, Err(Mismatch)),
            (SECRET, ID, TS, "{}", SIG, TS, Err(Mismatch)),
            (
                SECRET,
                ID,
                TS,
                BODY,
                "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                TS,
                Err(Mismatch),
            ),
            (SECRET, ID, TS, BODY, "v1,@@@", TS, Err(Mismatch)),
            ("whsec_not base64!", ID, TS, BODY, SIG, TS, Err(BadSecret)),
            ("", ID, TS, BODY, SIG, TS, Err(BadSecret)),
        ];
        for (secret, id, ts, body, header, now, want) in table {
            assert_eq!(
                verify(secret, id, ts, body, header, now),
                want,
                "{secret} {id} {body} {header}"
            );
        }
    }

    #[test]
    fn a_conversion_payload_as_receivers_read_it() {
        use crate::call::CallRecord;
        use crate::integrations::facts::facts_of;
        use crate::telephony::CallStatus;
        let mut r = CallRecord::new(
            "CA8",
            "demo",
            "+13105550199",
            "+12125550101",
            1_772_370_309_000,
        );
        r.source = "google".into();
        r.medium = "cpc".into();
        r.gclid = Some("Cj0abc".into());
        r.apply_status(CallStatus::Answered, Some(75), 1_772_370_400_000);
        let rule: ConversionRule =
            serde_json::from_str(r#"{"name":"Call","value":5,"currency":"EUR"}"#).unwrap();
        let body = payload(
            WebhookEvent::Conversion,
            &facts_of(&r),
            Some(&rule),
            1_772_370_410_000,
        );
        let got: Value = serde_json::from_str(&body).unwrap();
        let want = serde_json::json!({
            "type": "conversion",
            "timestamp": "2026-03-01T13:06:50Z",
            "data": {
                "call_id": "CA8",
                "site": "demo",
                "tracking_number": "+12125550101",
                "started_at": "2026-03-01T13:05:09Z",
                "channel": "Direct",
                "source": "google",
                "medium": "cpc",
                "campaign": "",
                "term": "",
                "click_id_kind": "gclid",
                "click_id": "Cj0abc",
                "ended_at": "2026-03-01T13:06:40Z",
                "answered": true,
                "talk_seconds": 75,
                "conversion": { "name": "Call", "value": 5.0, "currency": "EUR" }
            }
        });
        assert_eq!(got, want, "{body}");
    }

    #[test]
    fn payloads_by_event_never_carry_the_caller() {
        use crate::call::CallRecord;
        use crate::integrations::facts::facts_of;
        let mut r = CallRecord::new(
            "CA7",
            "demo",
            "+13105550199",
            "+12125550101",
            1_772_370_309_000,
        );
        r.source = "google".into();
        let facts = facts_of(&r);
        let rule: ConversionRule = serde_json::from_str(r#"{"name":"Call","value":5}"#).unwrap();
        // (event, conversion, the data's keys)
        let started = "call_id,campaign,channel,click_id,click_id_kind,first_time,medium,site,source,started_at,term,tracking_number";
        let ended = "answered,call_id,campaign,channel,click_id,click_id_kind,conversion,ended_at,medium,site,source,started_at,talk_seconds,term,tracking_number";
        let table = [
            (WebhookEvent::CallStarted, None, started),
            (WebhookEvent::CallCompleted, None, ended),
            (WebhookEvent::Conversion, Some(&rule), ended),
        ];
        for (event, conversion, keys) in table {
            let body = payload(event, &facts, conversion, 1_772_370_310_000);
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["type"], event.as_str());
            assert_eq!(v["timestamp"], "2026-03-01T13:05:10Z");
            let mut got: Vec<&str> = v["data"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            got.sort_unstable();
            assert_eq!(got.join(","), keys, "{event:?}");
            assert_eq!(v["data"]["source"], "google");
            assert!(!body.contains("3105550199"), "{body}");
        }
        // A text conversation: `text.received` says how many messages, never the sender or the
        // words; its conversion says it is a text.
        let mut t = r.clone();
        t.kind = crate::call::LeadKind::Text;
        t.status = crate::telephony::CallStatus::Received;
        t.add_message(crate::call::TextMessage {
            id: "SM1".into(),
            at: 1_772_370_309_000,
            body: Some("Please call 310 555 0199".into()),
            media: 0,
        });
        let facts = facts_of(&t);
        let text = "call_id,campaign,channel,click_id,click_id_kind,first_time,kind,medium,messages,site,source,started_at,term,tracking_number";
        let converted = "answered,call_id,campaign,channel,click_id,click_id_kind,conversion,ended_at,kind,medium,site,source,started_at,talk_seconds,term,tracking_number";
        for (event, conversion, keys) in [
            (WebhookEvent::TextReceived, None, text),
            (WebhookEvent::Conversion, Some(&rule), converted),
        ] {
            let body = payload(event, &facts, conversion, 1_772_370_310_000);
            let v: Value = serde_json::from_str(&body).unwrap();
            let mut got: Vec<&str> = v["data"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            got.sort_unstable();
            assert_eq!(got.join(","), keys, "{event:?}");
            assert_eq!(v["data"]["kind"], "text");
            assert!(
                !body.contains("3105550199") && !body.contains("Please"),
                "{body}"
            );
        }
    }

    #[test]
    fn the_request_carries_the_three_headers() {
        let r = request(
            "https://crm.example/h",
            SECRET,
            ID,
            BODY.to_owned(),
            TS * 1000 + 999,
        )
        .unwrap();
        let get = |n: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            (
                get("webhook-id"),
                get("webhook-timestamp"),
                get("webhook-signature")
            ),
            (Some(ID), Some("1614265330"), Some(SIG))
        );
        assert_eq!(
            request("x", "", ID, String::new(), 0).map(|_| ()),
            Err(SignatureError::BadSecret)
        );
    }
}
