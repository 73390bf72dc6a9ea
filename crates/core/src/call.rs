//! Call records: what a call report shows, and how provider callbacks complete a record exactly once,
//! whatever their order and however often they repeat.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::attribution::Attribution;
use crate::classify::Channel;
use crate::phone::E164;
use crate::telephony::{
    AnsweredLeg, CallStatus, DialResult, Provider, Recording, RecordingKind, Transcript, Utterance,
};
use crate::Millis;

/// Most answered legs a record keeps (a `<Dial>` rings at most ten lines; a chain a few steps).
pub const MAX_LEGS: usize = 20;
/// Most utterances a conversation transcript keeps.
pub const MAX_UTTERANCES: usize = 500;
/// Most characters of conversation transcript a record keeps.
pub const MAX_CONVERSATION: usize = 64 * 1024;

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
    /// The carrier that carried the call.
    #[serde(default)]
    pub provider: Provider,
    /// Which routing rule decided what the call did.
    #[serde(default)]
    pub routing: Option<RoutingInfo>,
    /// What happened on the business's side, from the `<Dial action>` callback: answered or
    /// missed comes from here, not from the caller's call.
    #[serde(default)]
    pub dial: Option<DialResult>,
    /// The conversation's recording (kept at the provider).
    #[serde(default)]
    pub recording: Option<Recording>,
    /// The message the caller left.
    #[serde(default)]
    pub voicemail: Option<Recording>,
    /// The provider's transcript of the voicemail.
    #[serde(default)]
    pub transcript: Option<Transcript>,
    /// Whether this caller had not called this site before (unknown for hidden numbers).
    #[serde(default)]
    pub first_time: Option<bool>,
    /// The forwarded legs that picked up, from each line's `answered` status callback (by leg
    /// id): the one the dial result names gives `dial.number`.
    #[serde(default)]
    pub answered_legs: Vec<AnsweredLeg>,
    /// The provider's real-time transcript of the conversation, utterance by utterance, in the
    /// provider's order (when it numbers them), each once.
    #[serde(default)]
    pub conversation: Vec<Utterance>,
    /// The consent tier the page declared for the visit credited with the call (`None`: unknown,
    /// e.g. a call to a source-level number, or a visit recorded before pages declared it). What
    /// the ad platforms are told about consent comes from it, never from a guess.
    #[serde(default)]
    pub consent: Option<crate::consent::Tier>,
    /// The visit's `_fbp` cookie (Meta's browser id), sent by the page at the full consent tier.
    #[serde(default)]
    pub fbp: Option<String>,
    /// What the lead was: an operator's qualification, or the site's automatic rules'.
    #[serde(default)]
    pub qualification: Option<crate::qualification::Qualification>,
    /// A call or a text conversation (records written before texts are calls).
    #[serde(default)]
    pub kind: LeadKind,
    /// A text conversation's messages, in the order they arrived, each once (by the provider's
    /// message id). `started_at` is the first one's time.
    #[serde(default)]
    pub messages: Vec<TextMessage>,
    /// When a text conversation's last message arrived.
    #[serde(default)]
    pub last_message_at: Option<Millis>,
    /// A test call, placed by the operator (`POST /v1/sites/{site}/test-calls`) through the same
    /// call control as a real one: listed with a mark, left out of report totals, never sent to
    /// GA4 or the ad platforms, and to an owner's webhook only when the endpoint lists `test`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub test: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What kind of lead a record is: someone called a tracking number, or texted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadKind {
    /// A phone call.
    #[default]
    Call,
    /// A conversation of text messages from one sender.
    Text,
}

impl LeadKind {
    /// The name in reports, filters and payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadKind::Call => "call",
            LeadKind::Text => "text",
        }
    }

    /// The kind a filter or a setting names.
    pub fn from_name(name: &str) -> Option<LeadKind> {
        match name {
            "call" => Some(LeadKind::Call),
            "text" => Some(LeadKind::Text),
            _ => None,
        }
    }
}

/// One text of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMessage {
    /// The provider's message id: a repeated delivery is kept once.
    pub id: String,
    /// When it reached us.
    pub at: Millis,
    /// The text, when the site keeps texts' bodies (`keep_text_bodies`); erased with the record.
    #[serde(default)]
    pub body: Option<String>,
    /// How many pictures or other media it carried (never kept: they stay at the provider).
    #[serde(default)]
    pub media: u32,
}

/// Most messages a conversation's record keeps (later ones are counted in no record: a sender
/// this talkative is one lead already).
pub const MAX_MESSAGES: usize = 200;

/// Which routing rule decided, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingInfo {
    /// The rule's position in its list; `None`: no rule matched, or the rules could not be
    /// evaluated (then `fallback` says why), and the business line rang.
    #[serde(default)]
    pub rule: Option<u32>,
    /// The rule's name.
    #[serde(default)]
    pub name: String,
    /// `ring`, `ring_all`, `chain`, `voicemail` or `reject`.
    pub action: String,
    /// Why the rules were not followed, if they were not.
    #[serde(default)]
    pub fallback: Option<String>,
}

/// A callback that completes part of a record, applied once whatever the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallUpdate {
    /// A `<Dial action>` callback.
    Dial(DialResult),
    /// A completed recording (of the call, or a voicemail).
    Recording(Recording),
    /// A transcript.
    Transcript(Transcript),
    /// A forwarded leg picked up.
    Answered(AnsweredLeg),
    /// One utterance of the conversation's transcript.
    Utterance(Utterance),
}

/// Answered or missed, as conversion rules and reports need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// The call has not ended yet.
    Pending,
    /// The business answered and talked this long.
    Answered {
        /// Seconds of conversation with the business.
        talk_s: u32,
    },
    /// Nobody at the business answered (voicemail, busy, no answer, rejected, caller hung up).
    Missed,
    /// A text conversation: nothing to answer.
    Received,
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
            provider: Provider::Twilio,
            routing: None,
            dial: None,
            recording: None,
            voicemail: None,
            transcript: None,
            first_time: None,
            answered_legs: Vec::new(),
            conversation: Vec::new(),
            consent: None,
            fbp: None,
            qualification: None,
            kind: LeadKind::Call,
            messages: Vec::new(),
            last_message_at: None,
            test: false,
        }
    }

    /// Adds a text to the conversation once (a message id seen before changes nothing), in time
    /// order. Returns whether it was added.
    pub fn add_message(&mut self, message: TextMessage) -> bool {
        if self.messages.len() >= MAX_MESSAGES || self.messages.iter().any(|m| m.id == message.id) {
            return false;
        }
        let at = self.messages.partition_point(|m| m.at <= message.at);
        self.last_message_at = Some(self.last_message_at.unwrap_or(0).max(message.at));
        self.messages.insert(at, message);
        true
    }

    /// Answered or missed, and the talk time: from the dial result when there is one (the
    /// business's side), never from the caller's call alone once the call was routed.
    pub fn outcome(&self) -> Outcome {
        match self.status {
            CallStatus::Answered => Outcome::Answered {
                talk_s: match &self.dial {
                    Some(d) => d.duration_s,
                    None => self.duration_s.unwrap_or(0),
                },
            },
            CallStatus::Missed => Outcome::Missed,
            CallStatus::Received => Outcome::Received,
            CallStatus::Ringing | CallStatus::InProgress => Outcome::Pending,
        }
    }

    /// Sets whether the caller is new to the site: `seen_before` is whether an earlier call from
    /// the same number exists. Hidden numbers (`anonymous`) stay unknown.
    pub fn set_caller_history(&mut self, seen_before: bool) {
        self.first_time = self.caller.starts_with('+').then_some(!seen_before);
    }

    /// Applies a dial result, recording or transcript. Returns whether anything changed: a
    /// repeated callback changes nothing, and the result is the same in any order.
    pub fn apply(&mut self, update: CallUpdate) -> bool {
        let changed = match update {
            CallUpdate::Dial(result) => match &self.dial {
                Some(existing) if !result.supersedes(existing) => false,
                _ => {
                    self.dial = Some(result);
                    true
                }
            },
            CallUpdate::Recording(r) => {
                let slot = match r.kind {
                    RecordingKind::Call => &mut self.recording,
                    RecordingKind::Voicemail => &mut self.voicemail,
                };
                match slot {
                    Some(_) => false,
                    None => {
                        *slot = Some(r);
                        true
                    }
                }
            }
            CallUpdate::Transcript(t) => match &self.transcript {
                Some(existing) if existing.status == "completed" || t.status != "completed" => {
                    false
                }
                _ => {
                    self.transcript = Some(t);
                    true
                }
            },
            CallUpdate::Answered(leg) => {
                if self.answered_legs.len() >= MAX_LEGS
                    || self.answered_legs.iter().any(|l| l.leg == leg.leg)
                {
                    false
                } else {
                    // Kept by leg id: the same record whatever the order of arrival.
                    let at = self.answered_legs.partition_point(|l| l.leg < leg.leg);
                    self.answered_legs.insert(at, leg);
                    true
                }
            }
            CallUpdate::Utterance(u) => self.add_utterance(u),
        };
        let linked = self.link_answer();
        self.settle();
        changed || linked
    }

    /// Adds an utterance once: the same sequence number again (or, where the provider numbers
    /// none, the same words from the same speaker again) is a repeated delivery. Numbered
    /// utterances are kept in their order whatever the order they arrive in.
    fn add_utterance(&mut self, u: Utterance) -> bool {
        let repeated = self.conversation.iter().any(|x| match (x.seq, u.seq) {
            (Some(a), Some(b)) => a == b,
            (None, None) => x.speaker == u.speaker && x.text == u.text,
            _ => false,
        });
        let size: usize = self.conversation.iter().map(|x| x.text.len()).sum();
        if repeated
            || self.conversation.len() >= MAX_UTTERANCES
            || size + u.text.len() > MAX_CONVERSATION
        {
            return false;
        }
        let at = match u.seq {
            Some(seq) => self
                .conversation
                .partition_point(|x| x.seq.is_some_and(|s| s < seq)),
            None => self.conversation.len(),
        };
        self.conversation.insert(at, u);
        true
    }

    /// Which line answered: when the dial result says a leg took the call and that leg's
    /// `answered` callback named its line, the dial result carries that line. Returns whether it
    /// changed.
    fn link_answer(&mut self) -> bool {
        let Some(dial) = self.dial.as_mut() else {
            return false;
        };
        if !dial.status.answered() {
            return false;
        }
        let Some(leg) = dial.leg.as_deref() else {
            return false;
        };
        match self.answered_legs.iter().find(|l| l.leg == leg) {
            Some(l) if dial.number.as_ref() != Some(&l.number) => {
                dial.number = Some(l.number.clone());
                true
            }
            _ => false,
        }
    }

    /// Once the call has ended, answered or missed follows the business's side: the dial result
    /// when there is one; a call routed to voicemail or rejected, with none, was missed. A call
    /// that rang the business and whose dial result has not arrived (yet) keeps the caller's call
    /// status until it does.
    fn settle(&mut self) {
        if !self.status.is_final() {
            return;
        }
        let never_rang = self
            .routing
            .as_ref()
            .is_some_and(|r| matches!(r.action.as_str(), "voicemail" | "reject"));
        self.status = match &self.dial {
            Some(d) if d.status.answered() => CallStatus::Answered,
            Some(_) => CallStatus::Missed,
            None if never_rang => CallStatus::Missed,
            None => self.status,
        };
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
        self.settle();
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
        merged.dial = merged.dial.or_else(|| earlier.dial.clone());
        merged.recording = merged.recording.or_else(|| earlier.recording.clone());
        merged.voicemail = merged.voicemail.or_else(|| earlier.voicemail.clone());
        merged.transcript = merged.transcript.or_else(|| earlier.transcript.clone());
        if merged.answered_legs.is_empty() {
            merged.answered_legs = earlier.answered_legs.clone();
        }
        if merged.conversation.is_empty() {
            merged.conversation = earlier.conversation.clone();
        }
        merged.link_answer();
        merged.settle();
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Every order of the callbacks of a routed call ends in the same record.
    #[test]
    fn answered_or_missed_comes_from_the_dial_result_in_any_order() {
        use crate::telephony::DialCallStatus as D;
        let dial = |status, step, duration_s| {
            CallUpdate::Dial(DialResult {
                status,
                duration_s,
                leg: None,
                number: None,
                step,
            })
        };
        let rec = CallUpdate::Recording(Recording {
            id: "RE1".into(),
            url: "https://api.twilio.com/RE1".into(),
            duration_s: 30,
            channels: 2,
            kind: RecordingKind::Call,
        });
        #[derive(Clone, Debug)]
        enum Cb {
            Webhook(&'static str),
            Parent(CallStatus, u32),
            Up(CallUpdate),
        }
        // (callbacks, outcome whatever their order)
        let table: Vec<(Vec<Cb>, Outcome)> = vec![
            (
                vec![
                    Cb::Webhook("chain"),
                    Cb::Up(dial(D::Completed, 0, 40)),
                    Cb::Parent(CallStatus::Answered, 55),
                    Cb::Up(rec.clone()),
                ],
                Outcome::Answered { talk_s: 40 },
            ),
            (
                vec![
                    Cb::Webhook("chain"),
                    Cb::Up(dial(D::NoAnswer, 0, 0)),
                    Cb::Parent(CallStatus::Answered, 20),
                ],
                Outcome::Missed,
            ),
            (
                vec![
                    Cb::Webhook("chain"),
                    Cb::Up(dial(D::NoAnswer, 0, 0)),
                    Cb::Up(dial(D::Completed, 1, 12)),
                    Cb::Parent(CallStatus::Answered, 40),
                ],
                Outcome::Answered { talk_s: 12 },
            ),
            (
                // After hours, straight to voicemail: the caller's call "completed", nobody answered.
                vec![
                    Cb::Webhook("voicemail"),
                    Cb::Parent(CallStatus::Answered, 30),
                ],
                Outcome::Missed,
            ),
            (
                // The dial result never came: the caller's call is all there is.
                vec![Cb::Webhook("ring"), Cb::Parent(CallStatus::Answered, 30)],
                Outcome::Answered { talk_s: 30 },
            ),
            (
                vec![
                    Cb::Webhook("chain"),
                    Cb::Up(dial(D::Busy, 0, 0)),
                    Cb::Up(dial(D::Canceled, 1, 0)),
                    Cb::Parent(CallStatus::Missed, 9),
                ],
                Outcome::Missed,
            ),
        ];
        fn permutations(items: &[Cb]) -> Vec<Vec<Cb>> {
            if items.len() <= 1 {
                return vec![items.to_vec()];
            }
            let mut out = Vec::new();
            for i in 0..items.len() {
                let mut rest = items.to_vec();
                let first = rest.remove(i);
                for mut p in permutations(&rest) {
                    p.insert(0, first.clone());
                    out.push(p);
                }
            }
            out
        }
        for (callbacks, want) in table {
            let mut finals = Vec::new();
            for order in permutations(&callbacks) {
                // The log's behaviour: a callback before the webhook creates the record, the
                // webhook's record is merged in; each callback is applied twice (a repeat).
                let mut r: Option<CallRecord> = None;
                let mut webhook_seen = false;
                for cb in order.iter().chain(order.iter()) {
                    let base = || CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 1);
                    match cb {
                        Cb::Webhook(action) if !webhook_seen => {
                            webhook_seen = true;
                            let mut w = base();
                            w.routing = Some(RoutingInfo {
                                rule: Some(0),
                                name: "office".into(),
                                action: (*action).into(),
                                fallback: None,
                            });
                            r = Some(match &r {
                                Some(earlier) => CallRecord::merge(w, earlier),
                                None => w,
                            });
                        }
                        Cb::Webhook(_) => {}
                        Cb::Parent(s, d) => {
                            r.get_or_insert_with(base).apply_status(*s, Some(*d), 2);
                        }
                        Cb::Up(u) => {
                            r.get_or_insert_with(base).apply(u.clone());
                        }
                    }
                }
                let r = r.unwrap();
                assert_eq!(r.outcome(), want, "{order:?}");
                finals.push(r);
            }
            assert!(
                finals.windows(2).all(|w| w[0] == w[1]),
                "same record in every order"
            );
        }
    }

    #[test]
    fn the_line_that_answered_and_the_conversation_whatever_the_order() {
        use crate::telephony::{DialCallStatus, Speaker};
        let n = |s: &str| E164::parse(s).unwrap();
        let leg = |id: &str, number: &str, step| {
            CallUpdate::Answered(AnsweredLeg {
                leg: id.into(),
                number: n(number),
                step,
            })
        };
        let said = |seq: Option<u32>, speaker, text: &str| {
            CallUpdate::Utterance(Utterance {
                seq,
                speaker,
                text: text.into(),
            })
        };
        let updates = [
            // Two lines rang at once: the first picked up and refused the screening, the
            // second took the call; the dial result names the second.
            leg("CAleg2", "+12125550102", 1),
            leg("CAleg3", "+12125550103", 1),
            CallUpdate::Dial(DialResult {
                status: DialCallStatus::Completed,
                duration_s: 33,
                leg: Some("CAleg3".into()),
                number: None,
                step: 1,
            }),
            said(Some(2), Speaker::Business, "How can I help?"),
            said(Some(1), Speaker::Caller, "Hello"),
            said(Some(3), Speaker::Caller, "A leak in the kitchen."),
        ];
        fn orders(n: usize) -> Vec<Vec<usize>> {
            if n == 0 {
                return vec![Vec::new()];
            }
            let mut out = Vec::new();
            for p in orders(n - 1) {
                for i in 0..=p.len() {
                    let mut q = p.clone();
                    q.insert(i, n - 1);
                    out.push(q);
                }
            }
            out
        }
        let mut first: Option<CallRecord> = None;
        for order in orders(updates.len()) {
            let mut r = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 1);
            for &i in order.iter().chain(order.iter()) {
                r.apply(updates[i].clone());
            }
            assert_eq!(
                r.dial.as_ref().and_then(|d| d.number.clone()),
                Some(n("+12125550103")),
                "{order:?}"
            );
            let words: Vec<&str> = r.conversation.iter().map(|u| u.text.as_str()).collect();
            assert_eq!(
                words,
                ["Hello", "How can I help?", "A leak in the kitchen."],
                "{order:?}"
            );
            match &first {
                Some(f) => assert_eq!(&r, f, "same record in every order"),
                None => first = Some(r),
            }
        }
        // A leg that picked up but did not take the call is not the answer.
        let mut r = CallRecord::new("CA2", "demo", "+13105550199", "+12125550101", 1);
        r.apply(leg("CAleg2", "+12125550102", 0));
        r.apply(CallUpdate::Dial(DialResult {
            status: DialCallStatus::NoAnswer,
            duration_s: 0,
            leg: Some("CAleg2".into()),
            number: None,
            step: 0,
        }));
        assert_eq!(r.dial.as_ref().and_then(|d| d.number.clone()), None);
        // Unnumbered utterances (TeXML): a repeated delivery is kept once, in arrival order.
        let table = [
            (said(None, Speaker::Unknown, "Hi"), true),
            (said(None, Speaker::Unknown, "Hi"), false),
            (said(None, Speaker::Unknown, "Bye"), true),
        ];
        for (u, changed) in table {
            assert_eq!(r.apply(u.clone()), changed, "{u:?}");
        }
        let words: Vec<&str> = r.conversation.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(words, ["Hi", "Bye"]);
    }

    #[test]
    fn recordings_and_transcripts_are_kept_once() {
        let mut r = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 1);
        let rec = |id: &str, kind| {
            CallUpdate::Recording(Recording {
                id: id.into(),
                url: "https://api.twilio.com/x".into(),
                duration_s: 3,
                channels: 1,
                kind,
            })
        };
        let tr = |status: &str, text: &str| {
            CallUpdate::Transcript(Transcript {
                id: "TR1".into(),
                status: status.into(),
                text: text.into(),
            })
        };
        // (update, changed)
        let table = [
            (rec("RE1", RecordingKind::Call), true),
            (rec("RE2", RecordingKind::Call), false),
            (rec("RE3", RecordingKind::Voicemail), true),
            (rec("RE3", RecordingKind::Voicemail), false),
            (tr("failed", ""), true),
            (tr("completed", "hello"), true),
            (tr("completed", "hello again"), false),
        ];
        for (update, changed) in table {
            assert_eq!(r.apply(update.clone()), changed, "{update:?}");
        }
        assert_eq!(r.recording.as_ref().map(|x| x.id.as_str()), Some("RE1"));
        assert_eq!(r.voicemail.as_ref().map(|x| x.id.as_str()), Some("RE3"));
        assert_eq!(
            r.transcript.as_ref().map(|x| x.text.as_str()),
            Some("hello")
        );
    }

    #[test]
    fn first_time_callers() {
        let table = [
            ("+13105550199", false, Some(true)),
            ("+13105550199", true, Some(false)),
            ("anonymous", false, None),
        ];
        for (caller, seen, want) in table {
            let mut r = CallRecord::new("CA1", "demo", caller, "+12125550101", 1);
            r.set_caller_history(seen);
            assert_eq!(r.first_time, want, "{caller}");
        }
    }

    #[test]
    fn reads_records_written_before_these_fields() {
        let mut old = serde_json::to_value(CallRecord::new("CA1", "demo", "+1", "+2", 1)).unwrap();
        for field in [
            "provider",
            "routing",
            "dial",
            "recording",
            "voicemail",
            "transcript",
            "first_time",
        ] {
            old.as_object_mut().unwrap().remove(field);
        }
        let r: CallRecord = serde_json::from_value(old).unwrap();
        assert_eq!(
            (r.provider, r.dial, r.first_time),
            (Provider::Twilio, None, None)
        );
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
