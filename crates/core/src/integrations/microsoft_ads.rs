//! Microsoft Advertising offline conversions by `msclkid`: the Campaign Management API's
//! `ApplyOfflineConversions` (v13, REST: `POST {endpoint}/CampaignManagement/v13/OfflineConversions/Apply`).
//!
//! Microsoft ignores a second conversion with the same click id and `ConversionTime`; the time is
//! the call's start, so a retry never counts twice. Its reference says `ConversionTime` must be in
//! UTC (unlike its web upload, which takes a time zone), so the site's zone plays no part here.

#[allow(unused_imports)]
use crate::prelude::*;

use serde_json::{json, Value};

use super::facts::CallFacts;
use super::google_ads::AdsSkip;
use super::settings::{ConversionRule, MicrosoftAdsSettings};
use super::HttpRequest;
use crate::civil;

/// The OAuth scope of the Microsoft Advertising API.
pub const SCOPE: &str = "https://ads.microsoft.com/msads.manage offline_access";

/// The request.
pub fn apply_request(
    endpoint: &str,
    settings: &MicrosoftAdsSettings,
    developer_token: &str,
    access_token: &str,
    facts: &CallFacts,
    conversion: &ConversionRule,
) -> Result<HttpRequest, AdsSkip> {
    let click = facts.msclkid.as_ref().ok_or(AdsSkip::NoClick)?;
    let body = json!({
        "OfflineConversions": [{
            "ConversionCurrencyCode": conversion.currency,
            "ConversionName": conversion.name,
            "ConversionTime": civil::iso_utc(facts.started_at),
            "ConversionValue": conversion.value,
            "MicrosoftClickId": click,
        }]
    });
    let url = [
        endpoint.trim_end_matches('/'),
        "/CampaignManagement/v13/OfflineConversions/Apply",
    ]
    .concat();
    let mut request = HttpRequest::json(url, body.to_string());
    request.header("authorization", &["Bearer ", access_token].concat());
    request.header("developertoken", developer_token);
    request.header("customerid", &settings.customer_id);
    request.header("customeraccountid", &settings.account_id);
    Ok(request)
}

/// Reads a `200` answer: refused conversions come back in `PartialErrors`.
pub fn read_answer(answer: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(answer).map_err(|_| "unreadable answer".to_owned())?;
    match v.get("PartialErrors").and_then(Value::as_array) {
        Some(errors) if errors.iter().any(|e| !e.is_null()) => Err(errors
            .iter()
            .find_map(|e| e.get("Message").and_then(Value::as_str))
            .unwrap_or("partial error")
            .to_owned()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallRecord;
    use crate::classify::ClickId;
    use crate::integrations::facts::facts_of;

    #[test]
    fn applies_by_msclkid() {
        let settings: MicrosoftAdsSettings =
            serde_json::from_str(r#"{"customer_id":"111","account_id":"222"}"#).unwrap();
        let rule: ConversionRule =
            serde_json::from_str(r#"{"name":"Phone call","value":20}"#).unwrap();
        let mut r = CallRecord::new(
            "CA1",
            "demo",
            "+13105550199",
            "+12125550101",
            1_772_370_309_000,
        );
        r.click_id = Some(ClickId {
            kind: "msclkid".into(),
            value: "M1".into(),
        });
        let req = apply_request(
            "https://campaign.api.bingads.microsoft.com",
            &settings,
            "dev",
            "tok",
            &facts_of(&r),
            &rule,
        )
        .unwrap();
        assert_eq!(req.url, "https://campaign.api.bingads.microsoft.com/CampaignManagement/v13/OfflineConversions/Apply");
        let body: Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(
            body,
            json!({"OfflineConversions": [{"ConversionCurrencyCode": "USD", "ConversionName": "Phone call",
            "ConversionTime": "2026-03-01T13:05:09Z", "ConversionValue": 20.0, "MicrosoftClickId": "M1"}]})
        );
        for h in [
            ("customerid", "111"),
            ("customeraccountid", "222"),
            ("developertoken", "dev"),
            ("authorization", "Bearer tok"),
        ] {
            assert!(
                req.headers.contains(&(h.0.to_owned(), h.1.to_owned())),
                "{h:?}"
            );
        }
        r.click_id = None;
        assert_eq!(
            apply_request("x", &settings, "d", "t", &facts_of(&r), &rule).map(|_| ()),
            Err(AdsSkip::NoClick)
        );
    }

    #[test]
    fn reads_partial_errors() {
        let table = [
            (r#"{"PartialErrors":[]}"#, Ok(())),
            (r#"{"PartialErrors":null}"#, Ok(())),
            (
                r#"{"PartialErrors":[{"Code":1,"Message":"Click id not found"}]}"#,
                Err("Click id not found".to_owned()),
            ),
            ("x", Err("unreadable answer".to_owned())),
        ];
        for (answer, want) in table {
            assert_eq!(read_answer(answer), want, "{answer}");
        }
    }
}
