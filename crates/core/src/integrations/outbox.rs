//! The outbox's messages: which deliveries an ended call gets, their ids (the idempotency keys),
//! and how each delivery's state moves (pending → delivered, failed with the receiver's answer, or
//! skipped with the reason). The worker stores them and sends them; every decision is here.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use super::retry::Next;
use super::settings::{Integrations, WebhookEvent};
use crate::Millis;

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// GA4 Measurement Protocol.
    Ga4,
    /// Google Ads click conversion upload.
    GoogleAds,
    /// Taking the call's Google Ads conversion back (`RETRACTION`, legacy API only), once the call
    /// is qualified bad or spam after the conversion was sent: see [`super::retraction`].
    GoogleAdsRetraction,
    /// Microsoft Advertising offline conversion.
    MicrosoftAds,
    /// Meta's Conversions API.
    Meta,
    /// One of the owner's endpoints, told that the call's qualification changed at `at` (one
    /// delivery per change, so that each has its own `webhook-id`).
    Qualified {
        /// The endpoint's id.
        endpoint: String,
        /// When the qualification was set.
        at: Millis,
    },
    /// One of the owner's endpoints, for one event.
    Webhook {
        /// The endpoint's id.
        endpoint: String,
        /// The event.
        event: WebhookEvent,
    },
}

impl Destination {
    /// A short name, unique per call: `ga4`, `google_ads`, `google_ads.retraction`,
    /// `microsoft_ads`, `meta`, `webhook.<id>.<event>`.
    pub fn key(&self) -> String {
        match self {
            Destination::Ga4 => "ga4".to_owned(),
            Destination::GoogleAds => "google_ads".to_owned(),
            Destination::GoogleAdsRetraction => "google_ads.retraction".to_owned(),
            Destination::MicrosoftAds => "microsoft_ads".to_owned(),
            Destination::Meta => "meta".to_owned(),
            Destination::Webhook { endpoint, event } => {
                ["webhook.", endpoint, ".", event.as_str()].concat()
            }
            Destination::Qualified { endpoint, at } => {
                ["webhook.", endpoint, ".call.qualified.", &at.to_string()].concat()
            }
        }
    }

    /// The destination whose delivery (of the same call) this one depends on: a retraction is
    /// decided by what became of the conversion it takes back.
    pub fn follows(&self) -> Option<Destination> {
        match self {
            Destination::GoogleAdsRetraction => Some(Destination::GoogleAds),
            _ => None,
        }
    }
}

/// When in a call's life its messages are queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// The provider's voice webhook: the call is ringing (only `call.started` webhooks).
    Started,
    /// The final status: everything else.
    Ended,
    /// A text conversation's first text: `text.received` webhooks, and the conversion it may be
    /// (GA4, the ad platforms, `conversion` webhooks), once per conversation.
    Text,
    /// The call's qualification changed, at that time (only `call.qualified` webhooks).
    Qualified(Millis),
}

/// The destinations a call is queued for at that moment, one delivery each. Whether an ended
/// call's destination really sends (is the call a conversion? is there a click id?) is decided
/// when it is sent, from the record as it is then, so that a callback arriving after the end still
/// counts. A test call (`test`) is queued only where [`takes_test_calls`] says.
pub fn plan(settings: &Integrations, moment: Moment, test: bool) -> Vec<Destination> {
    let events = |wanted: &dyn Fn(WebhookEvent) -> bool| {
        let mut hooks = Vec::new();
        for w in &settings.webhooks {
            for event in w.events.iter().filter(|e| wanted(**e)) {
                hooks.push(Destination::Webhook {
                    endpoint: w.id.clone(),
                    event: *event,
                });
            }
        }
        hooks
    };
    let mut out = Vec::new();
    match moment {
        Moment::Qualified(at) => {
            for w in &settings.webhooks {
                if w.events.contains(&WebhookEvent::CallQualified) {
                    out.push(Destination::Qualified {
                        endpoint: w.id.clone(),
                        at,
                    });
                }
            }
        }
        Moment::Started => out.extend(events(&|e| e == WebhookEvent::CallStarted)),
        Moment::Ended | Moment::Text => {
            if settings.ga4.is_some() {
                out.push(Destination::Ga4);
            }
            if settings.google_ads.is_some() {
                out.push(Destination::GoogleAds);
            }
            if settings.microsoft_ads.is_some() {
                out.push(Destination::MicrosoftAds);
            }
            if settings.meta.is_some() {
                out.push(Destination::Meta);
            }
            // `test` is no event of its own: it says which calls the others are about. A text
            // asks for every event but the calls' own; a call's end for every event but the
            // texts'. `call.qualified` is queued only when a qualification changes.
            let calls_only = [WebhookEvent::CallStarted, WebhookEvent::CallCompleted];
            out.extend(events(&|e| {
                e != WebhookEvent::Test
                    && e != WebhookEvent::CallQualified
                    && match moment {
                        Moment::Text => !calls_only.contains(&e),
                        _ => e != WebhookEvent::CallStarted && e != WebhookEvent::TextReceived,
                    }
            }));
        }
    }
    if test {
        out.retain(|d| takes_test_calls(settings, d));
    }
    out
}

/// Whether a test call may go to `destination`: never to GA4 or an ad platform (a test call is
/// no customer's call, and a conversion uploaded there cannot be taken back), and to an owner's
/// endpoint (a `call.qualified` one too) only when it lists `test` among its events. Asked when a call is queued ([`plan`])
/// and again when a delivery is sent.
pub fn takes_test_calls(settings: &Integrations, destination: &Destination) -> bool {
    match destination {
        Destination::Ga4
        | Destination::GoogleAds
        | Destination::GoogleAdsRetraction
        | Destination::MicrosoftAds
        | Destination::Meta => false,
        Destination::Webhook { endpoint, .. } | Destination::Qualified { endpoint, .. } => settings
            .webhooks
            .iter()
            .any(|w| w.id == *endpoint && w.events.contains(&WebhookEvent::Test)),
    }
}

/// A delivery's id: `<call id>.<destination key>`. The same on every attempt and replay: it is the
/// `webhook-id` the owner's endpoint deduplicates on, and a second enqueue of it is a no-op.
pub fn delivery_id(call_id: &str, destination: &Destination) -> String {
    [call_id, ".", &destination.key()].concat()
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Waiting for its next attempt.
    Pending,
    /// The receiver took it.
    Delivered,
    /// The receiver refused it, or every attempt failed (`answer` says why); can be replayed.
    Failed,
    /// Nothing to send (not a conversion, no click id, no GA ids): `answer` says why.
    Skipped,
}

/// One message of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The idempotency key ([`delivery_id`]).
    pub id: String,
    /// The call.
    pub call_id: String,
    /// Where it goes.
    pub destination: Destination,
    /// Where it is.
    pub state: State,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it was queued.
    pub created_at: Millis,
    /// When the next attempt is due (pending only).
    pub next_at: Millis,
    /// The last attempt.
    pub last_attempt_at: Option<Millis>,
    /// When it was delivered.
    pub delivered_at: Option<Millis>,
    /// The receiver's last answer (status and the start of its body), or why it was skipped.
    pub answer: Option<String>,
    /// Google's Data Manager API took the request under this id and processes it later: while it
    /// is set and the delivery is pending, the next attempts read its diagnostics back
    /// (`requestStatus:retrieve`) instead of sending again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// How many times a request's diagnostics are read before the delivery stops asking (it was taken:
/// delivered, with "not final" said).
pub const MAX_CHECKS: u32 = 12;

/// Longest answer kept on a delivery.
pub const MAX_ANSWER: usize = 300;

impl Delivery {
    /// A new pending delivery, due at once.
    pub fn new(call_id: &str, destination: Destination, now: Millis) -> Delivery {
        Delivery {
            id: delivery_id(call_id, &destination),
            call_id: call_id.to_owned(),
            destination,
            state: State::Pending,
            attempts: 0,
            created_at: now,
            next_at: now,
            last_attempt_at: None,
            delivered_at: None,
            answer: None,
            request_id: None,
        }
    }

    /// Records an attempt and what the retry policy decided about it.
    pub fn attempted(&mut self, next: Next, answer: &str, now: Millis) {
        self.attempts += 1;
        self.last_attempt_at = Some(now);
        let mut answer = answer.to_owned();
        if answer.len() > MAX_ANSWER {
            let mut end = MAX_ANSWER;
            while !answer.is_char_boundary(end) {
                end -= 1;
            }
            answer.truncate(end);
        }
        self.answer = Some(answer);
        match next {
            Next::Delivered => {
                self.state = State::Delivered;
                self.delivered_at = Some(now);
            }
            Next::RetryAt(at) => {
                self.state = State::Pending;
                self.next_at = at;
            }
            Next::Failed => self.state = State::Failed,
        }
    }

    /// The receiver took the request under `request_id` and processes it later: the delivery waits
    /// until `check_at` to read the diagnostics back.
    pub fn accepted(&mut self, request_id: &str, check_at: Millis, now: Millis) {
        self.attempted(
            Next::RetryAt(check_at),
            &[
                "200: accepted as request ",
                request_id,
                "; diagnostics pending",
            ]
            .concat(),
            now,
        );
        self.request_id = Some(request_id.to_owned());
    }

    /// Not decided yet: due again at `until`, with the reason shown (no attempt is counted).
    pub fn waiting(&mut self, until: Millis, why: &str, now: Millis) {
        self.state = State::Pending;
        self.next_at = until;
        self.last_attempt_at = Some(now);
        self.answer = Some(why.to_owned());
    }

    /// Nothing to send, and why.
    pub fn skipped(&mut self, why: &str, now: Millis) {
        self.state = State::Skipped;
        self.last_attempt_at = Some(now);
        self.answer = Some(why.to_owned());
    }

    /// Queues it again, due now (the operator's replay). A delivered message is sent again too:
    /// the receivers deduplicate by its id, click id and time.
    pub fn replay(&mut self, now: Millis) {
        self.state = State::Pending;
        self.next_at = now;
        self.attempts = 0;
        self.request_id = None;
    }
}

/// A stored delivery, versioned: a row that does not read as one of these is an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "v")]
pub enum DeliveryRow {
    /// The first version.
    #[serde(rename = "1")]
    V1(Delivery),
}

impl DeliveryRow {
    /// The delivery.
    pub fn into_delivery(self) -> Delivery {
        match self {
            DeliveryRow::V1(d) => d,
        }
    }
}

/// What the alarm sends with: the site's integration settings and its IANA time zone (Google Ads'
/// local times), as of the latest call that queued messages.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SendSettings {
    /// The integrations.
    pub integrations: Integrations,
    /// The site's `time_zone`, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// The stored [`SendSettings`], versioned. Version 1 was the bare integration settings, with no
/// `"v"` and no zone: [`read_send_settings`] still reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "v")]
pub enum SendSettingsRow {
    /// Settings and zone.
    #[serde(rename = "2")]
    V2(SendSettings),
}

/// Reads a stored settings row of either version (a bare settings object never has a `"v"`: its
/// fields are closed).
pub fn read_send_settings(text: &str) -> Result<SendSettings, serde_json::Error> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    if value.get("v").is_some() {
        let SendSettingsRow::V2(s) = serde_json::from_value(value)?;
        Ok(s)
    } else {
        Ok(SendSettings {
            integrations: serde_json::from_value(value)?,
            time_zone: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_one_delivery_per_destination() {
        let settings: Integrations = serde_json::from_str(
            r#"{"ga4":{"measurement_id":"G-1"},"google_ads":{"customer_id":"1234567890","conversion_action":"1"},
                "webhooks":[{"id":"crm","url":"https://x","secret":"S","events":["conversion"]},
                            {"id":"log","url":"https://y","secret":"S"}]}"#,
        )
        .unwrap();
        let keys: Vec<String> = plan(&settings, Moment::Ended, false)
            .iter()
            .map(|d| delivery_id("CA1", d))
            .collect();
        assert_eq!(
            keys,
            [
                "CA1.ga4",
                "CA1.google_ads",
                "CA1.webhook.crm.conversion",
                "CA1.webhook.log.call.completed",
                "CA1.webhook.log.conversion"
            ]
        );
        assert!(plan(&Integrations::default(), Moment::Ended, false).is_empty());
        assert!(
            plan(&settings, Moment::Started, false).is_empty(),
            "nobody asked"
        );
    }

    /// A text conversation's first text: `text.received` where asked, and the conversion it may
    /// be; never `call.completed` or `call.started`; a call's end never sends `text.received`.
    #[test]
    fn texts_go_where_asked() {
        let settings: Integrations = serde_json::from_str(
            r#"{"ga4":{"measurement_id":"G-1"},
                "webhooks":[{"id":"crm","url":"https://x","secret":"S","events":["call.started","text.received","conversion"]},
                            {"id":"log","url":"https://y","secret":"S"}]}"#,
        )
        .unwrap();
        // (moment, delivery ids)
        let table = [
            (
                Moment::Text,
                vec![
                    "SM1.ga4",
                    "SM1.webhook.crm.text.received",
                    "SM1.webhook.crm.conversion",
                    "SM1.webhook.log.conversion",
                ],
            ),
            (
                Moment::Ended,
                vec![
                    "SM1.ga4",
                    "SM1.webhook.crm.conversion",
                    "SM1.webhook.log.call.completed",
                    "SM1.webhook.log.conversion",
                ],
            ),
            (Moment::Started, vec!["SM1.webhook.crm.call.started"]),
        ];
        for (moment, want) in table {
            let got: Vec<String> = plan(&settings, moment, false)
                .iter()
                .map(|d| delivery_id("SM1", d))
                .collect();
            assert_eq!(got, want, "{moment:?}");
        }
    }

    #[test]
    fn started_calls_go_only_to_the_endpoints_that_ask() {
        let settings: Integrations = serde_json::from_str(
            r#"{"ga4":{"measurement_id":"G-1"},
                "webhooks":[{"id":"crm","url":"https://x","secret":"S","events":["call.started","conversion","call.qualified"]},
                            {"id":"log","url":"https://y","secret":"S"}]}"#,
        )
        .unwrap();
        // (moment, delivery ids)
        let table = [
            (Moment::Started, vec!["CA1.webhook.crm.call.started"]),
            (
                Moment::Qualified(1_772_370_309_000),
                vec!["CA1.webhook.crm.call.qualified.1772370309000"],
            ),
            (
                Moment::Ended,
                vec![
                    "CA1.ga4",
                    "CA1.webhook.crm.conversion",
                    "CA1.webhook.log.call.completed",
                    "CA1.webhook.log.conversion",
                ],
            ),
        ];
        for (moment, want) in table {
            let got: Vec<String> = plan(&settings, moment, false)
                .iter()
                .map(|d| delivery_id("CA1", d))
                .collect();
            assert_eq!(got, want, "{moment:?}");
        }
    }

    /// A test call goes to no GA4 or ad platform, whatever the settings, and to an owner's
    /// endpoint only when it lists `test`; a real call is planned as before.
    #[test]
    fn test_calls_go_only_to_the_endpoints_that_list_them() {
        let settings: Integrations = serde_json::from_str(
            r#"{"ga4":{"measurement_id":"G-1"},
                "google_ads":{"customer_id":"123-456-7890","conversion_action":"987"},
                "microsoft_ads":{"customer_id":"1","account_id":"2"},
                "meta":{"dataset_id":"1234567890"},
                "webhooks":[{"id":"crm","url":"https://x","secret":"S","events":["call.started","call.completed","call.qualified","test"]},
                            {"id":"log","url":"https://y","secret":"S","events":["call.completed","call.qualified","conversion"]}]}"#,
        )
        .unwrap();
        assert_eq!(settings.validate(), Ok(()));
        // (moment, test call, delivery ids)
        let table = [
            (Moment::Started, true, vec!["CA1.webhook.crm.call.started"]),
            (Moment::Ended, true, vec!["CA1.webhook.crm.call.completed"]),
            (
                Moment::Qualified(7),
                true,
                vec!["CA1.webhook.crm.call.qualified.7"],
            ),
            (
                Moment::Qualified(7),
                false,
                vec![
                    "CA1.webhook.crm.call.qualified.7",
                    "CA1.webhook.log.call.qualified.7",
                ],
            ),
            (Moment::Started, false, vec!["CA1.webhook.crm.call.started"]),
            (
                Moment::Ended,
                false,
                vec![
                    "CA1.ga4",
                    "CA1.google_ads",
                    "CA1.microsoft_ads",
                    "CA1.meta",
                    "CA1.webhook.crm.call.completed",
                    "CA1.webhook.log.call.completed",
                    "CA1.webhook.log.conversion",
                ],
            ),
        ];
        for (moment, test, want) in table {
            let got: Vec<String> = plan(&settings, moment, test)
                .iter()
                .map(|d| delivery_id("CA1", d))
                .collect();
            assert_eq!(got, want, "{moment:?} test={test}");
        }
        // The same decision where a delivery is sent (a replay, settings changed since).
        let hook = |endpoint: &str, event| Destination::Webhook {
            endpoint: endpoint.to_owned(),
            event,
        };
        let table = [
            (Destination::Ga4, false),
            (Destination::GoogleAds, false),
            (Destination::GoogleAdsRetraction, false),
            (Destination::MicrosoftAds, false),
            (Destination::Meta, false),
            (
                Destination::Qualified {
                    endpoint: "crm".into(),
                    at: 7,
                },
                true,
            ),
            (
                Destination::Qualified {
                    endpoint: "log".into(),
                    at: 7,
                },
                false,
            ),
            (hook("crm", WebhookEvent::Conversion), true),
            (hook("log", WebhookEvent::CallCompleted), false),
            (hook("gone", WebhookEvent::CallCompleted), false),
        ];
        for (d, want) in table {
            assert_eq!(takes_test_calls(&settings, &d), want, "{d:?}");
        }
        // Nothing at all when no endpoint lists `test`.
        let plain: Integrations = serde_json::from_str(
            r#"{"ga4":{"measurement_id":"G-1"},
                "webhooks":[{"id":"log","url":"https://y","secret":"S","events":["call.started","call.completed"]}]}"#,
        )
        .unwrap();
        for moment in [Moment::Started, Moment::Ended, Moment::Qualified(7)] {
            assert!(plan(&plain, moment, true).is_empty(), "{moment:?}");
        }
    }

    #[test]
    fn reads_both_versions_of_the_settings_row() {
        let zoned = SendSettings {
            integrations: serde_json::from_str(r#"{"utc_offset_minutes":-300}"#).unwrap(),
            time_zone: Some("Europe/Berlin".into()),
        };
        let row = serde_json::to_string(&SendSettingsRow::V2(zoned.clone())).unwrap();
        // (stored text, what it reads as)
        let table = [
            (row.as_str(), Some(zoned.clone())),
            (
                r#"{"utc_offset_minutes":-300}"#,
                Some(SendSettings {
                    time_zone: None,
                    ..zoned.clone()
                }),
            ),
            (r#"{"v":"9","integrations":{}}"#, None),
            (r#"{"webhooks":7}"#, None),
            ("7", None),
        ];
        for (text, want) in table {
            assert_eq!(read_send_settings(text).ok(), want, "{text}");
        }
        assert!(row.starts_with(r#"{"v":"2","#), "{row}");
    }

    #[test]
    fn moves_through_its_states() {
        let mut d = Delivery::new("CA1", Destination::Ga4, 10);
        // (decision, answer, state, attempts, next_at, delivered_at)
        let table = [
            (Next::RetryAt(50), "503: down", State::Pending, 1, 50, None),
            (Next::RetryAt(90), "timeout", State::Pending, 2, 90, None),
            (Next::Delivered, "204", State::Delivered, 3, 90, Some(100)),
        ];
        for (next, answer, state, attempts, next_at, delivered) in table {
            d.attempted(next, answer, 100);
            assert_eq!(
                (
                    d.state,
                    d.attempts,
                    d.next_at,
                    d.delivered_at,
                    d.answer.as_deref()
                ),
                (state, attempts, next_at, delivered, Some(answer))
            );
        }
        d.attempted(Next::Failed, &"x".repeat(1000), 200);
        assert_eq!(
            (d.state, d.answer.as_ref().map(String::len)),
            (State::Failed, Some(MAX_ANSWER))
        );
        d.accepted("req-1", 250, 200);
        assert_eq!(
            (d.state, d.next_at, d.request_id.as_deref()),
            (State::Pending, 250, Some("req-1"))
        );
        d.replay(300);
        assert_eq!(
            (d.state, d.next_at, d.attempts, d.request_id.as_deref()),
            (State::Pending, 300, 0, None)
        );
        let row = serde_json::to_string(&DeliveryRow::V1(d.clone())).unwrap();
        assert!(row.starts_with(r#"{"v":"1","#), "{row}");
        assert_eq!(
            serde_json::from_str::<DeliveryRow>(&row)
                .unwrap()
                .into_delivery(),
            d
        );
        assert!(serde_json::from_str::<DeliveryRow>(r#"{"v":"9","id":"x"}"#).is_err());
    }
}
