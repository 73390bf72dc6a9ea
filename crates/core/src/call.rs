//! Call records: what a call report shows, and how provider callbacks complete a record exactly once,
//! whatever their order and however often they repeat.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::attribution::Attribution;
use crate::classify::Channel;
use crate::phone::E164;
use crate::Millis;

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// The call reached us and is being forwarded.
    Ringing,
    /// The business is talking to the caller.
    InProgress,
    /// It ended after the business answered.
    Answered,
    /// It ended without the business answering (busy, no answer, failed, hung up while ringing).
    Missed,
}

impl CallStatus {
    /// Answered and Missed are final: later callbacks change nothing.
    pub fn is_final(self) -> bool {
        matches!(self, CallStatus::Answered | CallStatus::Missed)
    }

    /// Reads Twilio's `CallStatus` (and `DialCallStatus`, which says whether the forwarded leg was
    /// answered, when Twilio sends it).
    pub fn from_twilio(call_status: &str, dial_status: Option<&str>) -> Option<CallStatus> {
        let dial_missed = matches!(
            dial_status,
            Some("busy" | "no-answer" | "failed" | "canceled")
        );
        match call_status {
            "queued" | "initiated" | "ringing" => Some(CallStatus::Ringing),
            "in-progress" => Some(CallStatus::InProgress),
            "completed" if dial_missed => Some(CallStatus::Missed),
            "completed" => Some(CallStatus::Answered),
            "busy" | "no-answer" | "failed" | "canceled" => Some(CallStatus::Missed),
            _ => None,
        }
    }
}

/// How the dialed number was known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    /// A pool number: the call belongs to a visitor session.
    Pool,
    /// A source-level number: the call belongs to a channel or offline campaign.
    Static,
    /// A number we have no record of (removed from the configuration, or the lookup failed).
    Unknown,
}

/// One call, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// The provider's call id (Twilio `CallSid`): the record's key.
    pub call_sid: String,
    /// The site.
    pub site: String,
    /// The caller's number as the provider gave it (may be `anonymous`).
    pub caller: String,
    /// The tracking number dialed.
    pub tracking_number: String,
    /// The business line it was forwarded to.
    pub forwarded_to: Option<E164>,
    /// When the call reached us.
    pub started_at: Millis,
    /// Where the call is in its life.
    pub status: CallStatus,
    /// Seconds, once the call has ended.
    pub duration_s: Option<u32>,
    /// When the final status arrived.
    pub ended_at: Option<Millis>,
    /// How the dialed number was known.
    pub number_kind: NumberKind,
    /// The credited channel (Direct when unknown).
    pub channel: Channel,
    /// Source of the credited touch.
    pub source: String,
    /// Medium of the credited touch.
    pub medium: String,
    /// Campaign of the credited touch.
    pub campaign: String,
    /// Keyword of the credited touch.
    pub term: String,
    /// Ad content of the credited touch.
    pub content: String,
    /// Google click id of the credited touch.
    pub gclid: Option<String>,
    /// The credited touch's click id, whatever its platform (`{"kind": "msclkid", "value": ...}`).
    pub click_id: Option<crate::classify::ClickId>,
    /// The landing page of the credited touch.
    pub landing_page: String,
    /// The visitor session, for a pool number.
    pub session: Option<String>,
    /// How sure the session is: 1.0 when one session held the number over the attribution window.
    pub confidence: f64,
    /// Every session that could have made the call, most likely first.
    pub candidates: Vec<String>,
    /// The model, both touches and the credited one.
    pub attribution: Option<Attribution>,
    /// GA4 client id of the visitor, when known.
    pub ga_client_id: Option<String>,
    /// GA4 session id of the visitor, when known.
    pub ga_session_id: Option<String>,
    /// What was sent about the call (GA4, ad platforms, the owner's webhooks), filled in from the
    /// outbox when the record is read; never stored with the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deliveries: Vec<crate::integrations::outbox::Delivery>,
}

impl CallRecord {
    /// A record with nothing attributed yet.
    pub fn new(
        call_sid: &str,
        site: &str,
        caller: &str,
        tracking_number: &str,
        now: Millis,
    ) -> CallRecord {
        CallRecord {
            call_sid: call_sid.to_owned(),
            site: site.to_owned(),
            caller: caller.to_owned(),
            tracking_number: tracking_number.to_owned(),
            forwarded_to: None,
            started_at: now,
            status: CallStatus::Ringing,
            duration_s: None,
            ended_at: None,
            number_kind: NumberKind::Unknown,
            channel: Channel::Direct,
            source: String::new(),
            medium: String::new(),
            campaign: String::new(),
            term: String::new(),
            content: String::new(),
            gclid: None,
            click_id: None,
            landing_page: String::new(),
            session: None,
            confidence: 0.0,
            candidates: Vec::new(),
            attribution: None,
            ga_client_id: None,
            ga_session_id: None,
            deliveries: Vec::new(),
        }
    }

    /// Fills the report fields from an attribution.
    pub fn credit(&mut self, attribution: Attribution) {
        let t = &attribution.credited.touch;
        self.channel = t.channel;
        self.source = t.source.clone();
        self.medium = t.medium.clone();
        self.campaign = t.campaign.clone();
        self.term = t.term.clone();
        self.content = t.content.clone();
        self.gclid = t.click("gclid").map(str::to_owned);
        self.click_id = t.click_id.clone();
        self.landing_page = attribution.credited.landing.clone();
        self.attribution = Some(attribution);
    }

    /// Applies a status callback. Returns whether anything changed: once final, nothing does.
    pub fn apply_status(
        &mut self,
        status: CallStatus,
        duration_s: Option<u32>,
        now: Millis,
    ) -> bool {
        if self.status.is_final() || (self.status == status && duration_s.is_none()) {
            return false;
        }
        if self.status == CallStatus::InProgress && status == CallStatus::Ringing {
            return false; // out of order: never go back.
        }
        self.status = status;
        if status.is_final() {
            self.duration_s = duration_s.or(Some(0));
            self.ended_at = Some(now);
        }
        true
    }

    /// Combines the record written by the incoming-call webhook with one a status callback created
    /// before it (callbacks may arrive out of order): attribution from the webhook, status from
    /// whichever is further along.
    pub fn merge(webhook: CallRecord, earlier: &CallRecord) -> CallRecord {
        let mut merged = webhook;
        merged.started_at = merged.started_at.min(earlier.started_at);
        if earlier.status.is_final() || merged.status == CallStatus::Ringing {
            merged.status = earlier.status;
            merged.duration_s = earlier.duration_s;
            merged.ended_at = earlier.ended_at;
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_twilio_statuses() {
        let table = [
            ("ringing", None, Some(CallStatus::Ringing)),
            ("in-progress", None, Some(CallStatus::InProgress)),
            ("completed", None, Some(CallStatus::Answered)),
            ("completed", Some("completed"), Some(CallStatus::Answered)),
            ("completed", Some("no-answer"), Some(CallStatus::Missed)),
            ("busy", None, Some(CallStatus::Missed)),
            ("no-answer", None, Some(CallStatus::Missed)),
            ("canceled", None, Some(CallStatus::Missed)),
            ("bogus", None, None),
        ];
        for (status, dial, want) in table {
            assert_eq!(
                CallStatus::from_twilio(status, dial),
                want,
                "{status} {dial:?}"
            );
        }
    }

    #[test]
    fn completes_once_whatever_the_order() {
        use CallStatus::*;
        // (callbacks in arrival order, whether each changed the record, final status, duration)
        type Row = (
            &'static [(CallStatus, Option<u32>)],
            &'static [bool],
            CallStatus,
            Option<u32>,
        );
        let table: &[Row] = &[
            (&[(Answered, Some(42))], &[true], Answered, Some(42)),
            (
                &[
                    (Answered, Some(42)),
                    (Answered, Some(42)),
                    (Answered, Some(99)),
                ],
                &[true, false, false],
                Answered,
                Some(42),
            ),
            (
                &[(InProgress, None), (Answered, Some(42)), (InProgress, None)],
                &[true, true, false],
                Answered,
                Some(42),
            ),
            (
                &[(Missed, Some(0)), (Answered, Some(42))],
                &[true, false],
                Missed,
                Some(0),
            ),
            (
                &[(InProgress, None), (Ringing, None)],
                &[true, false],
                InProgress,
                None,
            ),
            (
                &[(Ringing, None), (Ringing, None)],
                &[false, false],
                Ringing,
                None,
            ),
        ];
        for (callbacks, changes, status, duration) in table {
            let mut r = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 1);
            let changed: Vec<bool> = callbacks
                .iter()
                .map(|(s, d)| r.apply_status(*s, *d, 2))
                .collect();
            assert_eq!(
                (changed.as_slice(), r.status, r.duration_s),
                (*changes, *status, *duration),
                "{callbacks:?}"
            );
        }
    }

    #[test]
    fn a_late_webhook_keeps_the_earlier_final_status() {
        let mut early = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 5);
        early.apply_status(CallStatus::Answered, Some(42), 6);
        let mut webhook = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 4);
        webhook.number_kind = NumberKind::Pool;
        let merged = CallRecord::merge(webhook, &early);
        assert_eq!(
            (merged.status, merged.duration_s, merged.started_at),
            (CallStatus::Answered, Some(42), 4)
        );
        assert_eq!(merged.number_kind, NumberKind::Pool);
    }
}
