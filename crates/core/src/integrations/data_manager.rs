//! Google Ads conversions through Google's Data Manager API, the default since Google closed the
//! Google Ads API's `UploadClickConversions` to new adopters (2026-06-15):
//! `POST {endpoint}/v1/events:ingest` with an access token of the
//! `https://www.googleapis.com/auth/datamanager` scope (no developer token), one event per call.
//!
//! - The destination: the operating account (the Google Ads customer), the manager as the login
//!   account when there is one, and the conversion action's id as the product destination.
//! - The event: exactly one click id (`adIdentifiers`), the call's start in the site's zone
//!   (RFC 3339 with its offset), the call id as `transactionId` (Google drops a repeat of it, so a
//!   retry never counts twice), value and currency, `eventSource: PHONE`, and the consent the
//!   visit's page declared: granted at the full tier, denied at the session tier, and not claimed
//!   at all when the tier is unknown.
//! - Enhanced conversions for leads, opt-in: a call without a click id is sent with the caller's
//!   number formatted as Google formats it (`+` and the digits) and SHA-256 hashed (hex), only at
//!   the full consent tier.
//! - Google answers with a `requestId` at once and processes the events later: the diagnostics
//!   (`GET /v1/requestStatus:retrieve`) are read back onto the delivery.
//!
//! The API adjusts an ingested conversion only by restating its value or adding user data (an
//! `events:ingest` with the same `transactionId`); it cannot retract one (Google's "Upgrade from
//! the Google Ads API" guide), so a call qualified bad or spam after it was sent here keeps its
//! conversion: `super::retraction` skips it with that reason.

#[allow(unused_imports)]
use crate::prelude::*;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::facts::CallFacts;
use super::google_ads::AdsSkip;
use super::google_ads_ids::{conversion_action, customer_digits};
use super::settings::{ConversionRule, GoogleAdsSettings};
use super::HttpRequest;
use crate::civil;
use crate::consent::Tier;
use crate::url::percent_encoded;

/// The OAuth scope a refresh token must carry.
pub const SCOPE: &str = "https://www.googleapis.com/auth/datamanager";

/// The caller's number as Google's formatting rules write it before hashing (white space and every
/// other non-digit removed, `+` in front), SHA-256, lower-case hex. `None`: no digits.
pub fn hashed_phone(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let formatted = ["+", &digits].concat();
    Some(crate::text::hex(&Sha256::digest(formatted.as_bytes())))
}

/// `adUserData` and `adPersonalization` from the visit's declared consent tier; `None` (unknown):
/// the event claims nothing.
fn consent(tier: Option<Tier>) -> Option<Value> {
    let status = match tier? {
        Tier::Full => "CONSENT_GRANTED",
        Tier::Session | Tier::None => "CONSENT_DENIED",
    };
    Some(json!({ "adUserData": status, "adPersonalization": status }))
}

/// The ingest request for one call.
pub fn ingest_request(
    endpoint: &str,
    settings: &GoogleAdsSettings,
    login_customer_id: &str,
    access_token: &str,
    facts: &CallFacts,
    conversion: &ConversionRule,
    zone: &civil::Zone,
) -> Result<HttpRequest, AdsSkip> {
    let customer = customer_digits(&settings.customer_id).ok_or(AdsSkip::BadSettings)?;
    let action = conversion_action(&settings.customer_id, &settings.conversion_action)
        .ok_or(AdsSkip::BadSettings)?;
    let action_id = action.rsplit('/').next().unwrap_or_default().to_owned();
    let mut event = Map::new();
    match &facts.google_click {
        Some(click) => {
            let (field, value) = click.field();
            event.insert("adIdentifiers".into(), json!({ field: value }));
        }
        None => {
            // Enhanced conversions for leads: opted in, and the visit allowed ad data.
            let allowed = settings.hashed_caller_number && facts.consent == Some(Tier::Full);
            let hashed = facts.caller.as_deref().and_then(hashed_phone);
            match (allowed, hashed) {
                (true, Some(h)) => {
                    event.insert(
                        "userData".into(),
                        json!({ "userIdentifiers": [{ "phoneNumber": h }] }),
                    );
                }
                _ => return Err(AdsSkip::NoClick),
            }
        }
    }
    event.insert(
        "eventTimestamp".into(),
        json!(civil::rfc3339(facts.started_at, zone)),
    );
    event.insert("transactionId".into(), json!(facts.call_id));
    event.insert("conversionValue".into(), json!(conversion.value));
    event.insert("currency".into(), json!(conversion.currency));
    event.insert("eventSource".into(), json!("PHONE"));
    if let Some(c) = consent(facts.consent) {
        event.insert("consent".into(), c);
    }
    let mut destination = Map::new();
    destination.insert(
        "operatingAccount".into(),
        json!({ "accountType": "GOOGLE_ADS", "accountId": customer }),
    );
    if let Some(login) = customer_digits(login_customer_id) {
        destination.insert(
            "loginAccount".into(),
            json!({ "accountType": "GOOGLE_ADS", "accountId": login }),
        );
    }
    destination.insert("productDestinationId".into(), json!(action_id));
    let mut body = Map::new();
    body.insert("destinations".into(), json!([Value::Object(destination)]));
    body.insert("events".into(), json!([Value::Object(event)]));
    if facts.google_click.is_none() {
        body.insert("encoding".into(), json!("HEX"));
    }
    if settings.validate_only {
        body.insert("validateOnly".into(), json!(true));
    }
    let url = [endpoint.trim_end_matches('/'), "/v1/events:ingest"].concat();
    let mut request = HttpRequest::json(url, Value::Object(body).to_string());
    request.header("authorization", &["Bearer ", access_token].concat());
    Ok(request)
}

/// The `requestId` of a `200` answer to an ingest (Google's handle on the asynchronous
/// processing). A test-mode answer (`validateOnly`) has none: `Ok(None)`.
pub fn read_ingest_answer(answer: &str) -> Result<Option<String>, String> {
    let v: Value = serde_json::from_str(answer).map_err(|_| "unreadable answer".to_owned())?;
    if !v.is_object() {
        return Err("unreadable answer".to_owned());
    }
    Ok(v.get("requestId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned))
}

/// The diagnostics request for an ingest: `GET {endpoint}/v1/requestStatus:retrieve?requestId=`.
pub fn status_request(endpoint: &str, request_id: &str, access_token: &str) -> HttpRequest {
    let url = [
        endpoint.trim_end_matches('/'),
        "/v1/requestStatus:retrieve?requestId=",
        &percent_encoded(request_id),
    ]
    .concat();
    let mut request = HttpRequest::get(url);
    request.header("authorization", &["Bearer ", access_token].concat());
    request
}

/// What Google's diagnostics say about an ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostics {
    /// Still being processed: ask again later.
    Processing,
    /// Every event of the request was taken.
    Success(String),
    /// Some or all were refused: the reasons and their counts.
    Refused(String),
}

/// Reads `requestStatus:retrieve`'s answer: the worst status over the destinations, with the
/// error and warning reasons and counts as one short line for the delivery.
pub fn read_status(answer: &str) -> Result<Diagnostics, String> {
    let v: Value = serde_json::from_str(answer).map_err(|_| "unreadable answer".to_owned())?;
    let per = v
        .get("requestStatusPerDestination")
        .and_then(Value::as_array)
        .ok_or_else(|| "no requestStatusPerDestination".to_owned())?;
    let mut processing = false;
    let mut refused = false;
    let mut parts: Vec<String> = Vec::new();
    for d in per {
        let status = d
            .get("requestStatus")
            .and_then(Value::as_str)
            .unwrap_or("REQUEST_STATUS_UNKNOWN");
        match status {
            "SUCCESS" => {}
            "PROCESSING" | "REQUEST_STATUS_UNKNOWN" => processing = true,
            _ => refused = true,
        }
        parts.push(status.to_owned());
        for (info, list) in [
            ("errorInfo", "errorCounts"),
            ("warningInfo", "warningCounts"),
        ] {
            let counts = d
                .get(info)
                .and_then(|i| i.get(list))
                .and_then(Value::as_array);
            for c in counts.into_iter().flatten() {
                let reason = c.get("reason").and_then(Value::as_str).unwrap_or("?");
                let count = match c.get("recordCount") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => "?".to_owned(),
                };
                parts.push([reason, " x", &count].concat());
            }
        }
    }
    let text = parts.join(", ");
    Ok(if refused {
        Diagnostics::Refused(text)
    } else if processing || per.is_empty() {
        Diagnostics::Processing
    } else {
        Diagnostics::Success(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallRecord;
    use crate::integrations::facts::{facts_of, GoogleClick};
    use crate::telephony::CallStatus;

    fn settings(extra: &str) -> GoogleAdsSettings {
        serde_json::from_str(
            &[
                r#"{"customer_id":"123-456-7890","conversion_action":"987""#,
                extra,
                "}",
            ]
            .concat(),
        )
        .unwrap()
    }

    fn facts(consent: Option<Tier>, click: Option<GoogleClick>) -> CallFacts {
        let mut r = CallRecord::new(
            "CA9",
            "demo",
            "+1 (310) 555-0199",
            "+12125550101",
            1_772_370_309_000,
        );
        r.caller = "+13105550199".into();
        r.status = CallStatus::Answered;
        r.consent = consent;
        let mut f = facts_of(&r);
        f.google_click = click;
        f
    }

    fn rule() -> ConversionRule {
        serde_json::from_str(r#"{"name":"Call","value":50,"currency":"EUR"}"#).unwrap()
    }

    fn body(req: &HttpRequest) -> Value {
        serde_json::from_str(&req.body).unwrap()
    }

    #[test]
    fn one_event_per_call_with_its_click_id() {
        let ny = civil::Zone::of(Some("America/New_York"), None);
        for (click, field, value) in [
            (GoogleClick::Gclid("G1".into()), "gclid", "G1"),
            (GoogleClick::Gbraid("B1".into()), "gbraid", "B1"),
            (GoogleClick::Wbraid("W1".into()), "wbraid", "W1"),
        ] {
            let f = facts(Some(Tier::Full), Some(click));
            let req = ingest_request(
                "https://datamanager.googleapis.com/",
                &settings(""),
                "111-222-3333",
                "ya29",
                &f,
                &rule(),
                &ny,
            )
            .unwrap();
            assert_eq!(
                req.url,
                "https://datamanager.googleapis.com/v1/events:ingest"
            );
            assert_eq!(req.method, super::super::Method::Post);
            assert!(req
                .headers
                .contains(&("authorization".into(), "Bearer ya29".into())));
            assert!(
                !req.headers.iter().any(|(k, _)| k == "developer-token"),
                "no developer token"
            );
            let b = body(&req);
            assert_eq!(
                b["destinations"],
                json!([{
                    "operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": "1234567890"},
                    "loginAccount": {"accountType": "GOOGLE_ADS", "accountId": "1112223333"},
                    "productDestinationId": "987"
                }])
            );
            let e = &b["events"][0];
            assert_eq!(e["adIdentifiers"], json!({ field: value }));
            assert_eq!(e["eventTimestamp"], "2026-03-01T08:05:09-05:00");
            assert_eq!(e["transactionId"], "CA9");
            assert_eq!(
                (e["conversionValue"].as_f64(), e["currency"].as_str()),
                (Some(50.0), Some("EUR"))
            );
            assert_eq!(e["eventSource"], "PHONE");
            assert!(e.get("userData").is_none());
            assert!(b.get("validateOnly").is_none() && b.get("encoding").is_none());
        }
    }

    #[test]
    fn consent_comes_from_the_declared_tier_only() {
        // (tier, consent sent)
        let table = [
            (
                Some(Tier::Full),
                Some(
                    json!({"adUserData": "CONSENT_GRANTED", "adPersonalization": "CONSENT_GRANTED"}),
                ),
            ),
            (
                Some(Tier::Session),
                Some(
                    json!({"adUserData": "CONSENT_DENIED", "adPersonalization": "CONSENT_DENIED"}),
                ),
            ),
            (None, None),
        ];
        for (tier, want) in table {
            let f = facts(tier, Some(GoogleClick::Gclid("G1".into())));
            let req = ingest_request(
                "x",
                &settings(""),
                "",
                "t",
                &f,
                &rule(),
                &civil::Zone::utc(),
            )
            .unwrap();
            let b = body(&req);
            assert_eq!(b["events"][0].get("consent").cloned(), want, "{tier:?}");
            assert!(b["destinations"][0].get("loginAccount").is_none());
        }
    }

    #[test]
    fn the_caller_number_only_where_opted_in_and_allowed() {
        let hashed = hashed_phone("+13105550199").unwrap();
        // (opt-in, tier, sent: Some(hash) / None: skipped for want of a click id)
        let table = [
            (true, Some(Tier::Full), Some(hashed.as_str())),
            (true, Some(Tier::Session), None),
            (true, None, None),
            (false, Some(Tier::Full), None),
        ];
        for (opt_in, tier, want) in table {
            let s = settings(if opt_in {
                r#","hashed_caller_number":true,"validate_only":true"#
            } else {
                ""
            });
            let got = ingest_request(
                "x",
                &s,
                "",
                "t",
                &facts(tier, None),
                &rule(),
                &civil::Zone::utc(),
            );
            match want {
                Some(h) => {
                    let b = body(&got.unwrap());
                    assert_eq!(
                        b["events"][0]["userData"],
                        json!({"userIdentifiers": [{"phoneNumber": h}]})
                    );
                    assert!(b["events"][0].get("adIdentifiers").is_none());
                    assert_eq!(
                        (&b["encoding"], &b["validateOnly"]),
                        (&json!("HEX"), &json!(true))
                    );
                }
                None => assert_eq!(got.map(|_| ()), Err(AdsSkip::NoClick), "{opt_in} {tier:?}"),
            }
        }
        let mut hidden = facts(Some(Tier::Full), None);
        hidden.caller = None;
        let s = settings(r#","hashed_caller_number":true"#);
        assert_eq!(
            ingest_request("x", &s, "", "t", &hidden, &rule(), &civil::Zone::utc()).map(|_| ()),
            Err(AdsSkip::NoClick)
        );
    }

    #[test]
    fn hashes_numbers_as_google_formats_them() {
        // The table is shared with tests/ads_check.py, which recomputes each row with Google's
        // google-ads-datamanager-util.
        let table = include_str!("../../data/phone-hashes.tsv");
        let mut rows = 0;
        for line in table
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (written, want) = line.split_once('\t').unwrap();
            assert_eq!(hashed_phone(written).as_deref(), Some(want), "{written:?}");
            rows += 1;
        }
        assert!(rows >= 10, "{rows} rows");
        assert_eq!(hashed_phone("anonymous"), None);
    }

    #[test]
    fn reads_answers_and_diagnostics() {
        assert_eq!(
            read_ingest_answer(r#"{"requestId":"r-1"}"#),
            Ok(Some("r-1".into()))
        );
        assert_eq!(read_ingest_answer("{}"), Ok(None));
        assert!(read_ingest_answer("<html>").is_err());
        let req = status_request("https://dm.example/", "r 1/2", "tok");
        assert_eq!(
            (req.url.as_str(), req.method, req.body.as_str()),
            (
                "https://dm.example/v1/requestStatus:retrieve?requestId=r%201%2F2",
                super::super::Method::Get,
                ""
            )
        );
        // (answer, diagnostics)
        let table = [
            (
                r#"{"requestStatusPerDestination":[{"requestStatus":"PROCESSING"}]}"#,
                Ok(Diagnostics::Processing),
            ),
            (
                r#"{"requestStatusPerDestination":[{"requestStatus":"SUCCESS","eventsIngestionStatus":{"recordCount":"1"}}]}"#,
                Ok(Diagnostics::Success("SUCCESS".into())),
            ),
            (
                r#"{"requestStatusPerDestination":[{"requestStatus":"FAILED","errorInfo":{"errorCounts":[{"recordCount":"1","reason":"INVALID_GCLID"}]}}]}"#,
                Ok(Diagnostics::Refused("FAILED, INVALID_GCLID x1".into())),
            ),
            (
                r#"{"requestStatusPerDestination":[{"requestStatus":"PARTIAL_SUCCESS","warningInfo":{"warningCounts":[{"recordCount":2,"reason":"PROCESSING_WARNING_REASON_UNSPECIFIED"}]}}]}"#,
                Ok(Diagnostics::Refused(
                    "PARTIAL_SUCCESS, PROCESSING_WARNING_REASON_UNSPECIFIED x2".into(),
                )),
            ),
            (
                r#"{"requestStatusPerDestination":[]}"#,
                Ok(Diagnostics::Processing),
            ),
            ("{}", Err("no requestStatusPerDestination".to_owned())),
        ];
        for (answer, want) in table {
            assert_eq!(read_status(answer), want, "{answer}");
        }
    }
}
