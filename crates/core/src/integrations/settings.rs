//! A site's integration settings, as the operator writes them in the site's configuration
//! (`"integrations": {...}`). Secrets are never here: the settings name the worker secrets that
//! hold them (`wrangler secret put NAME`), so a configuration can be shown and stored freely.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::call::LeadKind;

use crate::classify::Channel;
use crate::qualification::{normalize_tags, valid_value, LeadStatus};

/// Everything a site sends out when its calls end.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integrations {
    /// Which calls are conversions, first match wins (by channel); none: no call is a conversion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversions: Vec<ConversionRule>,
    /// Deprecated: the site's time zone as a fixed offset from UTC, in minutes, from before sites
    /// had an IANA `time_zone`. Still read, and used for Google Ads' times and the import file only
    /// when the site has no `time_zone` (a fixed offset is an hour off for half the year wherever
    /// the clocks change); a site with a `time_zone` ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
    /// GA4 Measurement Protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ga4: Option<Ga4Settings>,
    /// Google Ads click conversions (API upload; the CSV feed needs only `conversions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_ads: Option<GoogleAdsSettings>,
    /// Microsoft Advertising offline conversions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_ads: Option<MicrosoftAdsSettings>,
    /// Meta's Conversions API (Facebook and Instagram ads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<MetaSettings>,
    /// The owner's webhook endpoints (Standard Webhooks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<WebhookEndpoint>,
    /// Automatic qualification, tried in order: the first rule that matches qualifies the call
    /// (until an operator does).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qualify: Vec<QualifyRule>,
    /// How long a conversion that needs a qualification waits, after the call's end, for a
    /// voicemail's transcript when a rule spots words (seconds; default 900). After that it is
    /// decided on what the call has, and the delivery says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_wait_s: Option<u32>,
}

/// The default of [`Integrations::transcript_wait_s`].
pub const TRANSCRIPT_WAIT_S: u32 = 900;

/// Whose words a rule listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Either side's (and utterances whose speaker is unknown).
    #[default]
    Either,
    /// The caller's (and the voicemail's transcript).
    Caller,
    /// The business's.
    Business,
}

/// An automatic qualification rule: every condition it names must hold; it then sets the tags,
/// status and value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualifyRule {
    /// Any of these words or phrases, said on `side` (whole words, in order, any case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Whose words.
    #[serde(default)]
    pub side: Side,
    /// At least this many seconds of talk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_talk_s: Option<u32>,
    /// At most this many seconds of talk (e.g. spam hangs up fast).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_talk_s: Option<u32>,
    /// Whether the business answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
    /// Whether the caller is calling for the first time (unknown matches neither).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_time: Option<bool>,
    /// Whether the caller left a voicemail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voicemail: Option<bool>,
    /// The routing rule that handled the call, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_rule: Option<String>,
    /// The tags it sets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The status it sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LeadStatus>,
    /// The value it sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// When a call counts as a conversion, and what it is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversionRule {
    /// The channels it applies to; empty: every channel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// Only calls the business answered (default true).
    #[serde(default = "yes")]
    pub answered_only: bool,
    /// At least this many seconds of talk.
    #[serde(default)]
    pub min_talk_s: u32,
    /// Only callers calling for the first time (a call whose first-time fact is unknown does not
    /// count under this rule).
    #[serde(default)]
    pub first_time_only: bool,
    /// The kinds of lead it counts (`["call"]` by default; `["call", "text"]` counts a text
    /// conversation too, once). `answered_only` and `min_talk_s` concern calls only: a text has
    /// nobody to answer.
    #[serde(default = "calls_only", skip_serializing_if = "is_calls_only")]
    pub kinds: Vec<LeadKind>,
    /// The conversion's name (Google Ads' import name, Microsoft's goal name, the webhook's label).
    pub name: String,
    /// Its value.
    #[serde(default)]
    pub value: f64,
    /// ISO 4217 currency (default USD).
    #[serde(default = "usd")]
    pub currency: String,
    /// Only calls qualified with one of these tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags_any: Vec<String>,
    /// Only calls qualified with this lead status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LeadStatus>,
}

impl ConversionRule {
    /// Whether the rule needs a qualification (tags or a status).
    pub fn needs_qualification(&self) -> bool {
        !self.tags_any.is_empty() || self.status.is_some()
    }
}

fn calls_only() -> Vec<LeadKind> {
    vec![LeadKind::Call]
}

fn is_calls_only(kinds: &[LeadKind]) -> bool {
    kinds == [LeadKind::Call]
}

fn yes() -> bool {
    true
}

fn usd() -> String {
    "USD".to_owned()
}

fn phone_call() -> String {
    "phone_call".to_owned()
}

/// GA4 Measurement Protocol settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ga4Settings {
    /// The web stream's measurement id (`G-XXXXXXX`).
    pub measurement_id: String,
    /// The worker secret holding the stream's Measurement Protocol API secret.
    #[serde(default = "ga4_secret")]
    pub api_secret: String,
    /// The event name (default `phone_call`; mark it as a key event in GA4).
    #[serde(default = "phone_call")]
    pub event_name: String,
    /// Send converting calls without the visitor's GA ids (no consent, static numbers) with a fresh
    /// client id, never joined to a visitor. Off by default.
    #[serde(default)]
    pub send_without_ga_ids: bool,
    /// Test mode: send to the validation endpoint (`/debug/mp/collect`), which records nothing and
    /// answers with its validation messages (kept on the delivery).
    #[serde(default)]
    pub validate_only: bool,
}

fn ga4_secret() -> String {
    "GA4_API_SECRET".to_owned()
}

/// Google Ads settings; the OAuth client and refresh token are worker secrets named
/// `<secrets>_CLIENT_ID`, `_CLIENT_SECRET`, `_REFRESH_TOKEN`, and (for a manager account)
/// `_LOGIN_CUSTOMER_ID`; the legacy API also needs `_DEVELOPER_TOKEN`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoogleAdsSettings {
    /// The account that owns the conversion action (digits; dashes allowed).
    pub customer_id: String,
    /// The conversion action: its resource name `customers/<id>/conversionActions/<id>` or its id.
    pub conversion_action: String,
    /// The prefix of the secrets' names (default `GOOGLE_ADS`).
    #[serde(default = "google_prefix")]
    pub secrets: String,
    /// Which API uploads: Google's Data Manager API (the default), or the Google Ads API's
    /// `UploadClickConversions`, which Google closed to new adopters on 2026-06-15 (only developer
    /// tokens that imported offline conversions between December 2025 and May 2026 may still use it).
    #[serde(default, skip_serializing_if = "GoogleAdsApi::is_default")]
    pub api: GoogleAdsApi,
    /// Test mode (Data Manager API): Google validates each request and records nothing.
    #[serde(default, skip_serializing_if = "is_false")]
    pub validate_only: bool,
    /// Enhanced conversions for leads (Data Manager API): a call without a Google click id is sent
    /// with the caller's number, normalized to E.164 and SHA-256 hashed, when its visit's consent
    /// tier allowed ad data (full). Personal data sent to Google: off unless the owner turns it on.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hashed_caller_number: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Which Google API a site's conversions go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoogleAdsApi {
    /// `POST https://datamanager.googleapis.com/v1/events:ingest`.
    #[default]
    DataManager,
    /// `UploadClickConversions`, for allowlisted developer tokens.
    GoogleAdsLegacy,
}

impl GoogleAdsApi {
    fn is_default(&self) -> bool {
        *self == GoogleAdsApi::DataManager
    }
}

fn google_prefix() -> String {
    "GOOGLE_ADS".to_owned()
}

/// Meta Conversions API settings; the access token (a system user's, with the dataset's
/// permission) is the worker secret named by `access_token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaSettings {
    /// The dataset (pixel) id.
    pub dataset_id: String,
    /// The worker secret holding the access token (default `META_ACCESS_TOKEN`).
    #[serde(default = "meta_token")]
    pub access_token: String,
    /// The standard event sent (default `Lead`; `Contact` is Meta's contact by phone).
    #[serde(default = "lead")]
    pub event_name: String,
    /// Test mode: Meta's Test Events code; the events show under Test Events only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_event_code: Option<String>,
    /// Send the caller's number hashed (`ph`) for visits at the full consent tier. Personal data
    /// sent to Meta: off unless the owner turns it on.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hashed_caller_number: bool,
}

fn meta_token() -> String {
    "META_ACCESS_TOKEN".to_owned()
}

fn lead() -> String {
    "Lead".to_owned()
}

/// Microsoft Advertising settings; secrets `<secrets>_CLIENT_ID`, `_CLIENT_SECRET` (optional),
/// `_REFRESH_TOKEN`, `_DEVELOPER_TOKEN`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicrosoftAdsSettings {
    /// The customer (manager) id.
    pub customer_id: String,
    /// The ad account id.
    pub account_id: String,
    /// The prefix of the secrets' names (default `MICROSOFT_ADS`).
    #[serde(default = "microsoft_prefix")]
    pub secrets: String,
}

fn microsoft_prefix() -> String {
    "MICROSOFT_ADS".to_owned()
}

/// What an owner's endpoint is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WebhookEvent {
    /// Every call, as it starts: when the provider's voice webhook reaches us, before the call is
    /// answered (not sent unless an endpoint lists it).
    #[serde(rename = "call.started")]
    CallStarted,
    /// Every call, once it has ended.
    #[serde(rename = "call.completed")]
    CallCompleted,
    /// Calls that are conversions under the site's rules.
    #[serde(rename = "conversion")]
    Conversion,
    /// Every text conversation, when its first text arrives (never the sender's number).
    #[serde(rename = "text.received")]
    TextReceived,
    /// Not an event of its own: listed beside the others, it asks for them about test calls too
    /// (`POST /v1/sites/{site}/test-calls`), which an endpoint that does not list it never gets.
    #[serde(rename = "test")]
    Test,
    /// A call's qualification changed (an operator's, or the site's rules' once a transcript
    /// arrived): each time, with the call's qualification then (not sent unless an endpoint lists
    /// it). A conversion already sent to GA4 or Meta cannot be taken back there: this is how the
    /// owner's systems learn that a lead was bad or spam.
    #[serde(rename = "call.qualified")]
    CallQualified,
}

impl WebhookEvent {
    /// The event's `type` in the payload.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::CallStarted => "call.started",
            WebhookEvent::CallCompleted => "call.completed",
            WebhookEvent::Conversion => "conversion",
            WebhookEvent::TextReceived => "text.received",
            WebhookEvent::Test => "test",
            WebhookEvent::CallQualified => "call.qualified",
        }
    }
}

/// One of the owner's endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    /// `[a-z0-9-]`, 1 to 32: names the endpoint in delivery ids.
    pub id: String,
    /// Where to post (HTTPS in production).
    pub url: String,
    /// The worker secret holding the endpoint's `whsec_...` secret; several, space-separated,
    /// while one is being rotated (each signs).
    pub secret: String,
    /// The events it wants (default: `call.completed` and `conversion`; `call.started` only when
    /// listed; with `test` listed too, about test calls as well).
    #[serde(default = "all_events")]
    pub events: Vec<WebhookEvent>,
}

fn all_events() -> Vec<WebhookEvent> {
    vec![WebhookEvent::CallCompleted, WebhookEvent::Conversion]
}

/// Why settings are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(pub String);

fn is_secret_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn fail(what: &str) -> Result<(), SettingsError> {
    Err(SettingsError(["integrations: ", what].concat()))
}

impl Integrations {
    /// Checks what can be checked without the secrets.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.utc_offset_minutes.is_some_and(|m| m.abs() > 14 * 60) {
            return fail("utc_offset_minutes must be within ±840");
        }
        for rule in &self.conversions {
            if rule.name.is_empty() || rule.name.len() > 100 {
                return fail("a conversion needs a name of 1 to 100 characters");
            }
            if !(rule.value.is_finite() && rule.value >= 0.0) {
                return fail("a conversion's value must be a number >= 0");
            }
            if rule.currency.len() != 3 || !rule.currency.bytes().all(|b| b.is_ascii_uppercase()) {
                return fail("currency must be an ISO 4217 code such as USD");
            }
            if normalize_tags(&rule.tags_any).ok().as_ref() != Some(&rule.tags_any) {
                return fail("a conversion's tags_any: lower-case tags, each once (letters, digits, '-', '_', spaces)");
            }
        }
        for rule in &self.qualify {
            if rule.phrases.len() > 50
                || rule
                    .phrases
                    .iter()
                    .any(|p| crate::qualification::words(p).is_empty() || p.len() > 100)
            {
                return fail(
                    "qualify: at most 50 phrases of 1 to 100 characters, each with a word",
                );
            }
            if normalize_tags(&rule.tags).is_err() || valid_value(rule.value).is_err() {
                return fail("qualify: tags (at most 16, letters, digits, '-', '_', spaces) and a value >= 0");
            }
            if rule.tags.is_empty() && rule.status.is_none() && rule.value.is_none() {
                return fail("qualify: a rule sets tags, a status or a value");
            }
        }
        if self.transcript_wait_s.is_some_and(|s| s > 86_400) {
            return fail("transcript_wait_s is at most 86400 (a day)");
        }
        if let Some(ga4) = &self.ga4 {
            let id_ok = ga4.measurement_id.starts_with("G-")
                && ga4.measurement_id.len() <= 32
                && ga4
                    .measurement_id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !id_ok {
                return fail("ga4.measurement_id must look like G-XXXXXXX");
            }
            if !is_secret_name(&ga4.api_secret) {
                return fail("ga4.api_secret names a worker secret (A-Z, 0-9, _)");
            }
            let name = ga4.event_name.as_bytes();
            let name_ok = !name.is_empty()
                && name.len() <= 40
                && name.first().is_some_and(u8::is_ascii_alphabetic)
                && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
            if !name_ok {
                return fail("ga4.event_name: letters, digits, _; 40 at most; a letter first");
            }
        }
        if let Some(g) = &self.google_ads {
            if super::google_ads_ids::customer_digits(&g.customer_id).is_none() {
                return fail("google_ads.customer_id must be 10 digits (dashes allowed)");
            }
            if super::google_ads_ids::conversion_action(&g.customer_id, &g.conversion_action)
                .is_none()
            {
                return fail("google_ads.conversion_action must be an id or customers/<id>/conversionActions/<id>");
            }
            if !is_secret_name(&g.secrets) {
                return fail("google_ads.secrets is a secret-name prefix (A-Z, 0-9, _)");
            }
            if g.api == GoogleAdsApi::GoogleAdsLegacy && (g.validate_only || g.hashed_caller_number)
            {
                return fail("google_ads: validate_only and hashed_caller_number need the Data Manager API (no \"api\")");
            }
        }
        if let Some(m) = &self.microsoft_ads {
            let digits =
                |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(&m.customer_id) || !digits(&m.account_id) {
                return fail("microsoft_ads.customer_id and account_id are digits");
            }
            if !is_secret_name(&m.secrets) {
                return fail("microsoft_ads.secrets is a secret-name prefix (A-Z, 0-9, _)");
            }
        }
        if let Some(m) = &self.meta {
            let id_ok = !m.dataset_id.is_empty()
                && m.dataset_id.len() <= 20
                && m.dataset_id.bytes().all(|b| b.is_ascii_digit());
            if !id_ok {
                return fail("meta.dataset_id is the dataset's (pixel's) digits");
            }
            if !is_secret_name(&m.access_token) {
                return fail("meta.access_token names a worker secret (A-Z, 0-9, _)");
            }
            let name = m.event_name.as_bytes();
            if name.is_empty()
                || name.len() > 50
                || !name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                return fail("meta.event_name: letters, digits, _ (Lead, Contact, ...)");
            }
            if m.test_event_code
                .as_ref()
                .is_some_and(|c| c.len() > 40 || !c.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                return fail("meta.test_event_code: letters and digits (TEST12345)");
            }
        }
        let mut ids: Vec<&str> = Vec::new();
        for w in &self.webhooks {
            let id_ok = !w.id.is_empty()
                && w.id.len() <= 32
                && w.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !id_ok || ids.contains(&w.id.as_str()) {
                return fail("webhooks need unique ids of [a-z0-9-], 1 to 32");
            }
            ids.push(&w.id);
            if !(w.url.starts_with("https://") || w.url.starts_with("http://")) || w.url.len() > 512
            {
                return fail("a webhook url must be http(s) and at most 512 characters");
            }
            if !is_secret_name(&w.secret) {
                return fail("a webhook's secret names a worker secret (A-Z, 0-9, _)");
            }
            if w.events.iter().all(|e| *e == WebhookEvent::Test) {
                return fail(
                    "a webhook needs at least one event (test only adds test calls to the others)",
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_cannot_work() {
        let ok = r#"{"conversions":[{"name":"Call","value":50,"min_talk_s":30}],
            "utc_offset_minutes":-300,
            "ga4":{"measurement_id":"G-ABC123"},
            "google_ads":{"customer_id":"123-456-7890","conversion_action":"987"},
            "microsoft_ads":{"customer_id":"111","account_id":"222"},
            "webhooks":[{"id":"crm","url":"https://crm.example/hook","secret":"WEBHOOK_SECRET_CRM"}],
            "qualify":[{"phrases":["book","appointment"],"side":"caller","tags":["booked"],"status":"good"}],
            "meta":{"dataset_id":"1234567890","test_event_code":"TEST123"}}"#;
        let base: Integrations = serde_json::from_str(ok).unwrap();
        assert_eq!(base.validate(), Ok(()));
        assert_eq!(base.ga4.as_ref().unwrap().event_name, "phone_call");
        assert_eq!(base.webhooks[0].events.len(), 2);
        type Edit = fn(&mut Integrations);
        let table: &[(&str, Edit)] = &[
            ("offset", |i| i.utc_offset_minutes = Some(900)),
            ("name", |i| i.conversions[0].name.clear()),
            ("value", |i| i.conversions[0].value = f64::NAN),
            ("currency", |i| i.conversions[0].currency = "usd".into()),
            ("measurement", |i| {
                i.ga4.as_mut().unwrap().measurement_id = "UA-1".into()
            }),
            ("secret name", |i| {
                i.ga4.as_mut().unwrap().api_secret = "lower".into()
            }),
            ("event", |i| {
                i.ga4.as_mut().unwrap().event_name = "1call".into()
            }),
            ("customer", |i| {
                i.google_ads.as_mut().unwrap().customer_id = "12".into()
            }),
            ("action", |i| {
                i.google_ads.as_mut().unwrap().conversion_action = "customers/1/x/2".into()
            }),
            ("legacy test mode", |i| {
                let g = i.google_ads.as_mut().unwrap();
                g.api = GoogleAdsApi::GoogleAdsLegacy;
                g.validate_only = true;
            }),
            ("ms account", |i| {
                i.microsoft_ads.as_mut().unwrap().account_id = "a".into()
            }),
            ("hook id", |i| i.webhooks[0].id = "CRM".into()),
            ("dataset", |i| {
                i.meta.as_mut().unwrap().dataset_id = "px-1".into()
            }),
            ("meta event", |i| {
                i.meta.as_mut().unwrap().event_name = "a lead".into()
            }),
            ("tags_any", |i| {
                i.conversions[0].tags_any = vec!["Booked".into()]
            }),
            ("rule sets nothing", |i| {
                i.qualify[0].tags.clear();
                i.qualify[0].status = None;
            }),
            ("empty phrase", |i| i.qualify[0].phrases = vec![" ,".into()]),
            ("rule value", |i| i.qualify[0].value = Some(-1.0)),
            ("wait", |i| i.transcript_wait_s = Some(100_000)),
            ("hook url", |i| i.webhooks[0].url = "ftp://x".into()),
            ("hook events", |i| i.webhooks[0].events.clear()),
            ("hook test only", |i| {
                i.webhooks[0].events = vec![WebhookEvent::Test]
            }),
            ("hook twice", |i| {
                let again = i.webhooks[0].clone();
                i.webhooks.push(again)
            }),
        ];
        for (why, edit) in table {
            let mut bad = base.clone();
            edit(&mut bad);
            assert!(bad.validate().is_err(), "{why}");
        }
        assert!(serde_json::from_str::<Integrations>(r#"{"gaa4":{}}"#).is_err());
    }
}
