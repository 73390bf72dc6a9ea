//! What was sent about a call: `GET /v1/sites/{site}/calls/{call}/deliveries`, the retry's answer,
//! and the `deliveries` of a call's detail. Converted from the outbox's
//! `dni_core::integrations::outbox::Delivery`.

use dni_core::integrations::outbox as core_outbox;
use dni_core::integrations::settings::WebhookEvent;
use dni_core::Millis;
use serde::Serialize;

/// One message about a call and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[allow(missing_docs)] // the fields are documented in www/v1/openapi.json (`Delivery`)
pub struct Delivery {
    pub id: String,
    pub call_id: String,
    pub destination: Destination,
    pub state: State,
    pub attempts: u32,
    pub created_at: Millis,
    pub next_at: Millis,
    pub last_attempt_at: Option<Millis>,
    pub delivered_at: Option<Millis>,
    pub answer: Option<String>,
    /// Google's Data Manager API request id, while its diagnostics are read back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Destination {
    Ga4,
    GoogleAds,
    /// Taking the Google Ads conversion back (a call qualified bad or spam after it was sent).
    GoogleAdsRetraction,
    MicrosoftAds,
    Meta,
    /// An endpoint told that the call's qualification changed at `at` (ms).
    Qualified {
        endpoint: String,
        at: dni_core::Millis,
    },
    Webhook {
        endpoint: String,
        /// `call.started`, `call.completed`, `conversion` or `call.qualified`.
        event: String,
    },
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum State {
    Pending,
    Delivered,
    Failed,
    Skipped,
}

/// `GET /v1/sites/{site}/calls/{call}/deliveries`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deliveries {
    /// The call's messages.
    pub deliveries: Vec<Delivery>,
}

/// `POST /v1/sites/{site}/deliveries/{id}/retry` (202).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retried {
    /// The message, due now.
    pub delivery: Delivery,
}

fn event_name(event: WebhookEvent) -> &'static str {
    match event {
        WebhookEvent::CallStarted => "call.started",
        WebhookEvent::CallCompleted => "call.completed",
        WebhookEvent::Conversion => "conversion",
        WebhookEvent::CallQualified => "call.qualified",
        WebhookEvent::TextReceived => "text.received",
        WebhookEvent::Test => "test",
    }
}

impl From<&core_outbox::Delivery> for Delivery {
    fn from(d: &core_outbox::Delivery) -> Self {
        let core_outbox::Delivery {
            id,
            call_id,
            destination,
            state,
            attempts,
            created_at,
            next_at,
            last_attempt_at,
            delivered_at,
            answer,
            request_id,
        } = d;
        Delivery {
            id: id.clone(),
            call_id: call_id.clone(),
            destination: match destination {
                core_outbox::Destination::Ga4 => Destination::Ga4,
                core_outbox::Destination::GoogleAds => Destination::GoogleAds,
                core_outbox::Destination::GoogleAdsRetraction => Destination::GoogleAdsRetraction,
                core_outbox::Destination::MicrosoftAds => Destination::MicrosoftAds,
                core_outbox::Destination::Meta => Destination::Meta,
                core_outbox::Destination::Qualified { endpoint, at } => Destination::Qualified {
                    endpoint: endpoint.clone(),
                    at: *at,
                },
                core_outbox::Destination::Webhook { endpoint, event } => Destination::Webhook {
                    endpoint: endpoint.clone(),
                    event: event_name(*event).to_owned(),
                },
            },
            state: match state {
                core_outbox::State::Pending => State::Pending,
                core_outbox::State::Delivered => State::Delivered,
                core_outbox::State::Failed => State::Failed,
                core_outbox::State::Skipped => State::Skipped,
            },
            attempts: *attempts,
            created_at: *created_at,
            next_at: *next_at,
            last_attempt_at: *last_attempt_at,
            delivered_at: *delivered_at,
            answer: answer.clone(),
            request_id: request_id.clone(),
        }
    }
}
