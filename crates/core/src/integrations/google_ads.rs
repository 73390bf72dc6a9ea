//! Google Ads click conversions: the API's `UploadClickConversions` (REST:
//! `POST {endpoint}/{version}/customers/{id}:uploadClickConversions`), one conversion per call, with
//! partial failure on, as Google asks.
//!
//! Google deduplicates a click conversion by its click id, conversion action and
//! `conversion_date_time`, and by `order_id` when one is given: we send the call id as `order_id`
//! and the call's start as the time, so a retried upload never counts twice.
//!
//! A conversion is taken back with `ConversionAdjustmentUploadService.UploadConversionAdjustments`
//! (REST: `POST {endpoint}/{version}/customers/{id}:uploadConversionAdjustments`),
//! `adjustmentType: RETRACTION`: Google finds the conversion by the `orderId` the upload set (it
//! must be used when the conversion had one) and the conversion action. When a retraction is due
//! is [`super::retraction`]'s decision.

#[allow(unused_imports)]
use crate::prelude::*;

use serde_json::{json, Map, Value};

use super::facts::CallFacts;
use super::google_ads_ids::{conversion_action, customer_digits};
use super::settings::{ConversionRule, GoogleAdsSettings};
use super::HttpRequest;
use crate::civil;

/// The API version in the path (the worker's `GOOGLE_ADS_API_VERSION` overrides it).
pub const API_VERSION: &str = "v24";

/// Why no upload is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdsSkip {
    /// The visit had no click id of this platform.
    NoClick,
    /// The settings are unusable (validated configurations never are).
    BadSettings,
}

impl AdsSkip {
    /// A short reason for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            AdsSkip::NoClick => "no click id of this platform",
            AdsSkip::BadSettings => "unusable settings",
        }
    }
}

/// The secrets of an upload besides the access token.
#[derive(Debug, Clone, Default)]
pub struct Credentials<'a> {
    /// The `developer-token` header.
    pub developer_token: &'a str,
    /// The manager account, when the upload goes through one (`login-customer-id`).
    pub login_customer_id: &'a str,
}

/// The upload request.
#[allow(clippy::too_many_arguments)]
pub fn upload_request(
    endpoint: &str,
    version: &str,
    settings: &GoogleAdsSettings,
    credentials: &Credentials<'_>,
    access_token: &str,
    facts: &CallFacts,
    conversion: &ConversionRule,
    zone: &civil::Zone,
) -> Result<HttpRequest, AdsSkip> {
    let click = facts.google_click.as_ref().ok_or(AdsSkip::NoClick)?;
    let customer = customer_digits(&settings.customer_id).ok_or(AdsSkip::BadSettings)?;
    let action = conversion_action(&settings.customer_id, &settings.conversion_action)
        .ok_or(AdsSkip::BadSettings)?;
    let (field, value) = click.field();
    let mut c = Map::new();
    c.insert(field.into(), json!(value));
    c.insert("conversionAction".into(), json!(action));
    c.insert(
        "conversionDateTime".into(),
        json!(civil::google_ads_time(facts.started_at, zone)),
    );
    c.insert("conversionValue".into(), json!(conversion.value));
    c.insert("currencyCode".into(), json!(conversion.currency));
    c.insert("orderId".into(), json!(facts.call_id));
    let body = json!({ "conversions": [Value::Object(c)], "partialFailure": true });
    Ok(customer_request(
        endpoint,
        version,
        &customer,
        ":uploadClickConversions",
        &body,
        credentials,
        access_token,
    ))
}

/// A POST of `body` to one of the customer's methods (`:uploadClickConversions`, ...), with the
/// OAuth token, the developer token and the manager account's id when there is one.
fn customer_request(
    endpoint: &str,
    version: &str,
    customer: &str,
    method: &str,
    body: &Value,
    credentials: &Credentials<'_>,
    access_token: &str,
) -> HttpRequest {
    let url = [
        endpoint.trim_end_matches('/'),
        "/",
        version,
        "/customers/",
        customer,
        method,
    ]
    .concat();
    let mut request = HttpRequest::json(url, body.to_string());
    request.header("authorization", &["Bearer ", access_token].concat());
    request.header("developer-token", credentials.developer_token);
    if let Some(login) = customer_digits(credentials.login_customer_id) {
        request.header("login-customer-id", &login);
    }
    request
}

/// The retraction of the call's conversion (uploaded by [`upload_request`], which set the call id
/// as its `orderId` and `converted_at`, the call's start, as its time), as of `at` (when the call
/// was qualified bad or spam), in the site's zone with its offset. Google refuses an adjustment
/// that is not after its conversion, and compares whole seconds: a qualification within the
/// conversion's second is sent as the next second. Partial failure on, as Google asks for
/// adjustments too.
#[allow(clippy::too_many_arguments)]
pub fn retraction_request(
    endpoint: &str,
    version: &str,
    settings: &GoogleAdsSettings,
    credentials: &Credentials<'_>,
    access_token: &str,
    call_id: &str,
    converted_at: crate::Millis,
    at: crate::Millis,
    zone: &civil::Zone,
) -> Result<HttpRequest, AdsSkip> {
    let at = at.max(converted_at.saturating_add(crate::SECOND));
    let customer = customer_digits(&settings.customer_id).ok_or(AdsSkip::BadSettings)?;
    let action = conversion_action(&settings.customer_id, &settings.conversion_action)
        .ok_or(AdsSkip::BadSettings)?;
    let adjustment = json!({
        "conversionAction": action,
        "adjustmentType": "RETRACTION",
        "adjustmentDateTime": civil::google_ads_time(at, zone),
        "orderId": call_id,
    });
    let body = json!({ "conversionAdjustments": [adjustment], "partialFailure": true });
    Ok(customer_request(
        endpoint,
        version,
        &customer,
        ":uploadConversionAdjustments",
        &body,
        credentials,
        access_token,
    ))
}

/// Reads a `200` answer: with partial failure on, a refused conversion comes back as
/// `partialFailureError` in a successful answer. `Err` carries Google's message.
pub fn read_answer(answer: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(answer).map_err(|_| "unreadable answer".to_owned())?;
    match v.get("partialFailureError") {
        Some(e) if !e.is_null() && e.as_object().is_some_and(|o| !o.is_empty()) => Err(e
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("partial failure")
            .to_owned()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallRecord;
    use crate::classify::ClickId;
    use crate::integrations::facts::{facts_of, GoogleClick};
    use crate::telephony::CallStatus;

    #[test]
    fn uploads_exactly_one_click_id() {
        let settings: GoogleAdsSettings =
            serde_json::from_str(r#"{"customer_id":"123-456-7890","conversion_action":"987"}"#)
                .unwrap();
        let rule: ConversionRule =
            serde_json::from_str(r#"{"name":"Call","value":50,"currency":"EUR"}"#).unwrap();
        let mut r = CallRecord::new(
            "CA9",
            "demo",
            "+13105550199",
            "+12125550101",
            1_772_370_309_000,
        );
        r.status = CallStatus::Answered;
        r.gclid = Some("G1".into());
        r.click_id = Some(ClickId {
            kind: "gclid".into(),
            value: "G1".into(),
        });
        let creds = Credentials {
            developer_token: "dev",
            login_customer_id: "111-222-3333",
        };
        let mut f = facts_of(&r);
        for (click, field) in [
            (GoogleClick::Gclid("G1".into()), "gclid"),
            (GoogleClick::Gbraid("B1".into()), "gbraid"),
            (GoogleClick::Wbraid("W1".into()), "wbraid"),
        ] {
            f.google_click = Some(click.clone());
            let req = upload_request(
                "https://googleads.googleapis.com",
                "v22",
                &settings,
                &creds,
                "ya29",
                &f,
                &rule,
                &civil::Zone::of(Some("America/New_York"), None),
            )
            .unwrap();
            assert_eq!(
                req.url,
                "https://googleads.googleapis.com/v22/customers/1234567890:uploadClickConversions"
            );
            let body: Value = serde_json::from_str(&req.body).unwrap();
            let c = &body["conversions"][0];
            let ids: Vec<&str> = ["gclid", "gbraid", "wbraid"]
                .into_iter()
                .filter(|k| c.get(*k).is_some())
                .collect();
            assert_eq!(ids, [field]);
            assert_eq!(
                c["conversionAction"],
                "customers/1234567890/conversionActions/987"
            );
            assert_eq!(c["conversionDateTime"], "2026-03-01 08:05:09-05:00");
            assert_eq!(
                (c["conversionValue"].as_f64(), c["currencyCode"].as_str()),
                (Some(50.0), Some("EUR"))
            );
            assert_eq!(c["orderId"], "CA9");
            assert_eq!(body["partialFailure"], true);
            assert!(req
                .headers
                .contains(&("authorization".into(), "Bearer ya29".into())));
            assert!(req
                .headers
                .contains(&("developer-token".into(), "dev".into())));
            assert!(req
                .headers
                .contains(&("login-customer-id".into(), "1112223333".into())));
        }
        f.google_click = None;
        assert_eq!(
            upload_request(
                "x",
                "v22",
                &settings,
                &creds,
                "t",
                &f,
                &rule,
                &civil::Zone::of(None, None)
            )
            .map(|_| ()),
            Err(AdsSkip::NoClick)
        );
    }

    #[test]
    fn retracts_by_the_order_id_the_upload_set() {
        let settings: GoogleAdsSettings = serde_json::from_str(
            r#"{"customer_id":"123-456-7890","conversion_action":"987","api":"google_ads_legacy"}"#,
        )
        .unwrap();
        let creds = Credentials {
            developer_token: "dev",
            login_customer_id: "",
        };
        // The conversion's time: the call's start.
        const START: u64 = 1_772_370_308_900;
        // (zone, qualified at, adjustmentDateTime)
        let table = [
            (
                Some("America/New_York"),
                1_772_370_309_000,
                "2026-03-01 08:05:09-05:00",
            ),
            (
                Some("America/New_York"),
                1_783_000_000_000,
                "2026-07-02 09:46:40-04:00",
            ),
            (None, 1_772_370_309_000, "2026-03-01 13:05:09+00:00"),
            // Qualified within the conversion's second (or before it, a clock's skew): the next
            // second, after the conversion's `2026-03-01 08:05:08`.
            (
                Some("America/New_York"),
                START + 50,
                "2026-03-01 08:05:09-05:00",
            ),
            (
                Some("America/New_York"),
                START - 5_000,
                "2026-03-01 08:05:09-05:00",
            ),
        ];
        for (zone, at, when) in table {
            let req = retraction_request(
                "https://googleads.googleapis.com/",
                "v24",
                &settings,
                &creds,
                "ya29",
                "CA9",
                START,
                at,
                &civil::Zone::of(zone, None),
            )
            .unwrap();
            assert_eq!(
                req.url,
                "https://googleads.googleapis.com/v24/customers/1234567890:uploadConversionAdjustments"
            );
            let body: Value = serde_json::from_str(&req.body).unwrap();
            assert_eq!(
                body,
                json!({"conversionAdjustments": [{
                    "conversionAction": "customers/1234567890/conversionActions/987",
                    "adjustmentType": "RETRACTION",
                    "adjustmentDateTime": when,
                    "orderId": "CA9"}],
                  "partialFailure": true}),
                "{zone:?}"
            );
            assert!(req
                .headers
                .contains(&("developer-token".into(), "dev".into())));
            assert!(!req.headers.iter().any(|(k, _)| k == "login-customer-id"));
        }
        let broken: GoogleAdsSettings =
            serde_json::from_str(r#"{"customer_id":"12","conversion_action":"987"}"#).unwrap();
        assert_eq!(
            retraction_request(
                "x",
                "v24",
                &broken,
                &creds,
                "t",
                "CA9",
                0,
                0,
                &civil::Zone::of(None, None)
            )
            .map(|_| ()),
            Err(AdsSkip::BadSettings)
        );
    }

    #[test]
    fn reads_partial_failures() {
        let table = [
            (r#"{"results":[{"gclid":"G1"}]}"#, Ok(())),
            (r#"{"partialFailureError":null,"results":[{}]}"#, Ok(())),
            (
                r#"{"partialFailureError":{"code":3,"message":"The click is too old"},"results":[{}]}"#,
                Err("The click is too old".to_owned()),
            ),
            ("<html>", Err("unreadable answer".to_owned())),
        ];
        for (answer, want) in table {
            assert_eq!(read_answer(answer), want, "{answer}");
        }
    }
}
