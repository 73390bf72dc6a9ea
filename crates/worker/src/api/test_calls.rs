//! `POST /v1/sites/{site}/test-calls`: its body (every field optional) and its answer, the test
//! call's record in short (what was dialed, how it was attributed and routed) with the links to
//! the call and the dashboard. Converted from `dni_core::call::CallRecord`; the body becomes the
//! core's `call_control::test_call::TestCallRequest`, which checks it.

use dni_core::call::CallRecord;
use dni_core::call_control::test_call::TestCallRequest;
use serde::{Deserialize, Serialize};

use super::calls::{CallStatus, NumberKind};

/// The body of `POST /v1/sites/{site}/test-calls` (an empty body is all defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)] // documented in www/v1/openapi.json (`TestCallRequest`)
pub struct NewTestCall {
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub medium: Option<String>,
    #[serde(default)]
    pub campaign: Option<String>,
    #[serde(default)]
    pub caller: Option<String>,
}

impl From<NewTestCall> for TestCallRequest {
    fn from(r: NewTestCall) -> Self {
        let NewTestCall {
            number,
            channel,
            source,
            medium,
            campaign,
            caller,
        } = r;
        TestCallRequest {
            number,
            channel,
            source,
            medium,
            campaign,
            caller,
        }
    }
}

/// How the test call was attributed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[allow(missing_docs)] // documented in www/v1/openapi.json (`TestCall`)
pub struct TestAttribution {
    /// GA4's channel group name.
    pub channel: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub number_kind: NumberKind,
    pub confidence: f64,
    pub session: Option<String>,
}

/// The routing rule the test call followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub struct TestRouting {
    pub rule: Option<u32>,
    pub name: String,
    pub action: String,
}

/// The answer (201).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestCall {
    /// The call's id (`test-…`).
    pub call_id: String,
    /// The site.
    pub site: String,
    /// Always true.
    pub test: bool,
    /// The tracking number called.
    pub number: String,
    /// The caller.
    pub caller: String,
    /// Where the call ended.
    pub status: CallStatus,
    /// How it was attributed.
    pub attribution: TestAttribution,
    /// The routing rule followed, or null.
    pub routing: Option<TestRouting>,
    /// The call's URL in the API.
    pub call: String,
    /// The dashboard's URL.
    pub dashboard: String,
}

impl TestCall {
    /// The answer for the test call's `record`, placed through the worker at `origin`.
    pub fn of(record: &CallRecord, origin: &str) -> Self {
        TestCall {
            call_id: record.call_sid.clone(),
            site: record.site.clone(),
            test: record.test,
            number: record.tracking_number.clone(),
            caller: record.caller.clone(),
            status: record.status.into(),
            attribution: TestAttribution {
                channel: record.channel.as_str().to_owned(),
                source: record.source.clone(),
                medium: record.medium.clone(),
                campaign: record.campaign.clone(),
                number_kind: record.number_kind.into(),
                confidence: record.confidence,
                session: record.session.clone(),
            },
            routing: record.routing.as_ref().map(|r| TestRouting {
                rule: r.rule,
                name: r.name.clone(),
                action: r.action.clone(),
            }),
            call: [
                origin,
                "/v1/sites/",
                &record.site,
                "/calls/",
                &record.call_sid,
            ]
            .concat(),
            dashboard: [origin, "/dashboard/"].concat(),
        }
    }
}
