//! The call log's rows (`calls.record`): one call record each.
//!
//! This file is the one place where a call record meets its stored form. To add a field to
//! `dni_core::call::CallRecord` (always `#[serde(default)]` there):
//! 1. add it to [`CallV1`] with `#[serde(default)]` (and `skip_serializing_if` if it is an
//!    `Option` that is usually `None`), typed with plain types (`String`, numbers, `bool`,
//!    `Option`, `Vec`) or a row type of its own in this module for a core struct or enum (never the
//!    core's type itself: a later change to it would change the stored format);
//! 2. map it in `From<&CallRecord> for CallV1` and in `CallV1::into_domain` (both destructure
//!    every field, so the build fails until both are done);
//! 3. add a line to the `new_fields_default` test: a golden row without the field still reads.
//!
//! A field renamed or retyped is not such a change: it needs a new version.
//!
//! **Version 2: test calls.** A test call's row is version 2: version 1's fields and `test`.
//! Not an optional field of version 1, because a release that reads version 1 would drop it and
//! take the test call for a customer's (list it unmarked, count it, send it to GA4 and the ad
//! platforms); an older release refuses a version 2 row instead. Real calls are still written as
//! version 1, which every release reads.

use dni_core::call::{CallRecord, LeadKind, NumberKind, RoutingInfo, TextMessage};
use dni_core::consent::Tier;
use dni_core::qualification::{LeadStatus, Qualification, QualifiedBy};
use dni_core::telephony::CallStatus;
use dni_core::telephony::{
    AnsweredLeg, DialCallStatus, DialResult, Provider, Recording, RecordingKind, Speaker,
    Transcript, Utterance,
};
use dni_core::Millis;
use serde::{Deserialize, Serialize};

use super::attribution::{channel, AttributionV1, ClickIdV1};
use super::{e164, fields, open, seal, unknown_version, RowError};

const CALL: &str = "call";

/// A call row, version 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct CallV1 {
    pub call_sid: String,
    pub site: String,
    pub caller: String,
    pub tracking_number: String,
    /// E.164.
    pub forwarded_to: Option<String>,
    pub started_at: Millis,
    pub status: CallStatusV1,
    pub duration_s: Option<u32>,
    pub ended_at: Option<Millis>,
    pub number_kind: NumberKindV1,
    /// GA4's channel group name.
    pub channel: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
    pub gclid: Option<String>,
    pub click_id: Option<ClickIdV1>,
    pub landing_page: String,
    pub session: Option<String>,
    pub confidence: f64,
    pub candidates: Vec<String>,
    pub attribution: Option<AttributionV1>,
    pub ga_client_id: Option<String>,
    pub ga_session_id: Option<String>,
    /// `twilio` or `telnyx` (absent: Twilio, the only provider before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dial: Option<DialV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<RecordingV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voicemail: Option<RecordingV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<TranscriptV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_time: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answered_legs: Vec<LegV1>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversation: Vec<UtteranceV1>,
    /// `call` or `text` (absent: a call, the only kind before texts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<MessageV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_at: Option<Millis>,
    /// The visit's declared consent tier: `session` or `full` (absent: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<QualificationV1>,
}

/// A call's qualification, version 1. `status`: `good`, `bad`, `spam` (absent: none yet); `by`:
/// `operator` or `rule`, with the rule's position in `rule`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct QualificationV1 {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<u32>,
    pub at: Millis,
}

impl From<&Qualification> for QualificationV1 {
    fn from(q: &Qualification) -> Self {
        let (by, rule) = match q.by {
            QualifiedBy::Operator => ("operator", None),
            QualifiedBy::Rule { index } => ("rule", Some(index)),
        };
        QualificationV1 {
            tags: q.tags.clone(),
            status: q.status.map(|s| s.as_str().to_owned()),
            value: q.value,
            by: by.to_owned(),
            rule,
            at: q.at,
        }
    }
}

impl QualificationV1 {
    fn into_domain(self) -> Result<Qualification, RowError> {
        let by = match (self.by.as_str(), self.rule) {
            ("operator", None) => QualifiedBy::Operator,
            ("rule", Some(index)) => QualifiedBy::Rule { index },
            (by, _) => return Err(RowError::new(CALL, format!("unknown qualifier {by:?}"))),
        };
        let status = match self.status {
            None => None,
            Some(s) => Some(
                LeadStatus::parse(&s)
                    .ok_or_else(|| RowError::new(CALL, format!("unknown lead status {s:?}")))?,
            ),
        };
        Ok(Qualification {
            tags: self.tags,
            status,
            value: self.value,
            by,
            at: self.at,
        })
    }
}

// One text of a conversation, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct MessageV1 {
    pub id: String,
    pub at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default)]
    pub media: u32,
}

/// A call row, version 2: a test call (see the module's notes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallV2 {
    /// Every field of version 1.
    #[serde(flatten)]
    pub call: CallV1,
    /// Always `true` as written (a real call is written as version 1).
    pub test: bool,
}

/// A forwarded leg that picked up, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct LegV1 {
    pub leg: String,
    /// E.164.
    pub number: String,
    #[serde(default)]
    pub step: u32,
}

/// One utterance of a conversation transcript, version 1. `speaker` is `caller`, `business` or
/// `unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct UtteranceV1 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u32>,
    #[serde(default)]
    pub speaker: Option<String>,
    pub text: String,
}

impl From<&AnsweredLeg> for LegV1 {
    fn from(l: &AnsweredLeg) -> Self {
        LegV1 {
            leg: l.leg.clone(),
            number: l.number.as_str().to_owned(),
            step: l.step,
        }
    }
}

impl LegV1 {
    fn into_domain(self) -> Result<AnsweredLeg, RowError> {
        Ok(AnsweredLeg {
            leg: self.leg,
            number: e164(CALL, &self.number)?,
            step: self.step,
        })
    }
}

impl From<&Utterance> for UtteranceV1 {
    fn from(u: &Utterance) -> Self {
        UtteranceV1 {
            seq: u.seq,
            speaker: Some(
                match u.speaker {
                    Speaker::Caller => "caller",
                    Speaker::Business => "business",
                    Speaker::Unknown => "unknown",
                }
                .to_owned(),
            ),
            text: u.text.clone(),
        }
    }
}

impl UtteranceV1 {
    fn into_domain(self) -> Result<Utterance, RowError> {
        Ok(Utterance {
            seq: self.seq,
            speaker: match self.speaker.as_deref() {
                None | Some("unknown") => Speaker::Unknown,
                Some("caller") => Speaker::Caller,
                Some("business") => Speaker::Business,
                Some(other) => {
                    return Err(RowError::new(CALL, format!("unknown speaker {other:?}")))
                }
            },
            text: self.text,
        })
    }
}

/// Which routing rule decided a call, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct RoutingV1 {
    #[serde(default)]
    pub rule: Option<u32>,
    #[serde(default)]
    pub name: String,
    pub action: String,
    #[serde(default)]
    pub fallback: Option<String>,
}

/// A dial result, version 1. `status` is the provider's `DialCallStatus` word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct DialV1 {
    pub status: String,
    #[serde(default)]
    pub duration_s: u32,
    #[serde(default)]
    pub leg: Option<String>,
    /// E.164.
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub step: u32,
}

/// A recording, version 1. `kind` is `call` or `voicemail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct RecordingV1 {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub duration_s: u32,
    #[serde(default)]
    pub channels: u32,
    #[serde(default)]
    pub kind: Option<String>,
}

/// A transcript, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct TranscriptV1 {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub text: String,
}

fn dial_status_word(s: DialCallStatus) -> &'static str {
    match s {
        DialCallStatus::Completed => "completed",
        DialCallStatus::Answered => "answered",
        DialCallStatus::Busy => "busy",
        DialCallStatus::NoAnswer => "no-answer",
        DialCallStatus::Failed => "failed",
        DialCallStatus::Canceled => "canceled",
    }
}

/// Reads a stored dial status: the words `dial_status_word` writes, and the provider's other
/// spellings of the same ones, which the rows of earlier releases may hold.
fn dial_status_of_word(word: &str) -> Option<DialCallStatus> {
    Some(match word {
        "completed" => DialCallStatus::Completed,
        "answered" | "in-progress" => DialCallStatus::Answered,
        "busy" => DialCallStatus::Busy,
        "no-answer" => DialCallStatus::NoAnswer,
        "failed" => DialCallStatus::Failed,
        "canceled" | "cancelled" => DialCallStatus::Canceled,
        _ => return None,
    })
}

impl From<&Recording> for RecordingV1 {
    fn from(r: &Recording) -> Self {
        RecordingV1 {
            id: r.id.clone(),
            url: r.url.clone(),
            duration_s: r.duration_s,
            channels: r.channels,
            kind: Some(
                match r.kind {
                    RecordingKind::Call => "call",
                    RecordingKind::Voicemail => "voicemail",
                }
                .to_owned(),
            ),
        }
    }
}

impl RecordingV1 {
    fn into_domain(self) -> Result<Recording, RowError> {
        let kind = match self.kind.as_deref() {
            None | Some("call") => RecordingKind::Call,
            Some("voicemail") => RecordingKind::Voicemail,
            Some(other) => {
                return Err(RowError::new(
                    CALL,
                    format!("unknown recording kind {other:?}"),
                ))
            }
        };
        Ok(Recording {
            id: self.id,
            url: self.url,
            duration_s: self.duration_s,
            channels: self.channels,
            kind,
        })
    }
}

impl From<&DialResult> for DialV1 {
    fn from(d: &DialResult) -> Self {
        DialV1 {
            status: dial_status_word(d.status).to_owned(),
            duration_s: d.duration_s,
            leg: d.leg.clone(),
            number: d.number.as_ref().map(|n| n.as_str().to_owned()),
            step: d.step,
        }
    }
}

impl DialV1 {
    fn into_domain(self) -> Result<DialResult, RowError> {
        Ok(DialResult {
            status: dial_status_of_word(&self.status).ok_or_else(|| {
                RowError::new(CALL, format!("unknown dial status {:?}", self.status))
            })?,
            duration_s: self.duration_s,
            leg: self.leg,
            number: self.number.map(|n| e164(CALL, &n)).transpose()?,
            step: self.step,
        })
    }
}

/// A call's status, version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CallStatusV1 {
    Ringing,
    InProgress,
    Answered,
    Missed,
    Received,
}

/// How the dialed number was known, version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum NumberKindV1 {
    Pool,
    Static,
    Unknown,
}

/// Reads a call row.
pub fn read_call(text: &str) -> Result<CallRecord, RowError> {
    match open(CALL, text)? {
        (1, f) => fields::<CallV1>(CALL, f)?.into_domain(),
        (2, f) => {
            let CallV2 { call, test } = fields::<CallV2>(CALL, f)?;
            let mut record = call.into_domain()?;
            record.test = test;
            Ok(record)
        }
        (v, _) => Err(unknown_version(CALL, v)),
    }
}

/// A consent tier's stored name.
pub(super) fn tier_name(tier: Tier) -> String {
    match tier {
        Tier::None => "none",
        Tier::Session => "session",
        Tier::Full => "full",
    }
    .to_owned()
}

/// A stored consent tier (only the three names: anything else is an unreadable row).
pub(super) fn tier(row: &'static str, name: &str) -> Result<Tier, RowError> {
    match name {
        "none" => Ok(Tier::None),
        "session" => Ok(Tier::Session),
        "full" => Ok(Tier::Full),
        _ => Err(RowError::new(row, format!("unknown consent tier {name:?}"))),
    }
}

/// Writes a call row: version 2 for a test call, else version 1.
pub fn write_call(record: &CallRecord) -> Result<String, RowError> {
    let call = CallV1::from(record);
    if record.test {
        seal(CALL, 2, &CallV2 { call, test: true })
    } else {
        seal(CALL, 1, &call)
    }
}

impl From<&CallRecord> for CallV1 {
    fn from(r: &CallRecord) -> Self {
        let CallRecord {
            call_sid,
            site,
            caller,
            tracking_number,
            forwarded_to,
            started_at,
            status,
            duration_s,
            ended_at,
            number_kind,
            channel,
            source,
            medium,
            campaign,
            term,
            content,
            gclid,
            click_id,
            landing_page,
            session,
            confidence,
            candidates,
            attribution,
            ga_client_id,
            ga_session_id,
            provider,
            routing,
            dial,
            recording,
            voicemail,
            transcript,
            first_time,
            answered_legs,
            conversation,
            kind,
            messages,
            last_message_at,
            // Written by the version (`write_call`).
            test: _,
            consent,
            fbp,
            qualification,
        } = r;
        CallV1 {
            call_sid: call_sid.clone(),
            site: site.clone(),
            caller: caller.clone(),
            tracking_number: tracking_number.clone(),
            forwarded_to: forwarded_to.as_ref().map(|n| n.as_str().to_owned()),
            started_at: *started_at,
            status: match status {
                CallStatus::Ringing => CallStatusV1::Ringing,
                CallStatus::InProgress => CallStatusV1::InProgress,
                CallStatus::Answered => CallStatusV1::Answered,
                CallStatus::Missed => CallStatusV1::Missed,
                CallStatus::Received => CallStatusV1::Received,
            },
            duration_s: *duration_s,
            ended_at: *ended_at,
            number_kind: match number_kind {
                NumberKind::Pool => NumberKindV1::Pool,
                NumberKind::Static => NumberKindV1::Static,
                NumberKind::Unknown => NumberKindV1::Unknown,
            },
            channel: channel.as_str().to_owned(),
            source: source.clone(),
            medium: medium.clone(),
            campaign: campaign.clone(),
            term: term.clone(),
            content: content.clone(),
            gclid: gclid.clone(),
            click_id: click_id.as_ref().map(ClickIdV1::from),
            landing_page: landing_page.clone(),
            session: session.clone(),
            confidence: *confidence,
            candidates: candidates.clone(),
            attribution: attribution.as_ref().map(AttributionV1::from),
            ga_client_id: ga_client_id.clone(),
            ga_session_id: ga_session_id.clone(),
            provider: (!provider.is_default()).then(|| provider.as_str().to_owned()),
            routing: routing.as_ref().map(|r| RoutingV1 {
                rule: r.rule,
                name: r.name.clone(),
                action: r.action.clone(),
                fallback: r.fallback.clone(),
            }),
            dial: dial.as_ref().map(DialV1::from),
            recording: recording.as_ref().map(RecordingV1::from),
            voicemail: voicemail.as_ref().map(RecordingV1::from),
            transcript: transcript.as_ref().map(|t| TranscriptV1 {
                id: t.id.clone(),
                status: t.status.clone(),
                text: t.text.clone(),
            }),
            first_time: *first_time,
            answered_legs: answered_legs.iter().map(LegV1::from).collect(),
            conversation: conversation.iter().map(UtteranceV1::from).collect(),
            kind: (*kind != LeadKind::Call).then(|| kind.as_str().to_owned()),
            messages: messages
                .iter()
                .map(|m| MessageV1 {
                    id: m.id.clone(),
                    at: m.at,
                    body: m.body.clone(),
                    media: m.media,
                })
                .collect(),
            last_message_at: *last_message_at,
            consent: consent.map(tier_name),
            fbp: fbp.clone(),
            qualification: qualification.as_ref().map(QualificationV1::from),
        }
    }
}

impl CallV1 {
    /// The domain record.
    pub fn into_domain(self) -> Result<CallRecord, RowError> {
        let CallV1 {
            call_sid,
            site,
            caller,
            tracking_number,
            forwarded_to,
            started_at,
            status,
            duration_s,
            ended_at,
            number_kind,
            channel: channel_name,
            source,
            medium,
            campaign,
            term,
            content,
            gclid,
            click_id,
            landing_page,
            session,
            confidence,
            candidates,
            attribution,
            ga_client_id,
            ga_session_id,
            provider,
            routing,
            dial,
            recording,
            voicemail,
            transcript,
            first_time,
            answered_legs,
            conversation,
            kind,
            messages,
            last_message_at,
            consent,
            fbp,
            qualification,
        } = self;
        Ok(CallRecord {
            call_sid,
            site,
            caller,
            tracking_number,
            forwarded_to: forwarded_to.map(|n| e164(CALL, &n)).transpose()?,
            started_at,
            status: match status {
                CallStatusV1::Ringing => CallStatus::Ringing,
                CallStatusV1::InProgress => CallStatus::InProgress,
                CallStatusV1::Answered => CallStatus::Answered,
                CallStatusV1::Missed => CallStatus::Missed,
                CallStatusV1::Received => CallStatus::Received,
            },
            duration_s,
            ended_at,
            number_kind: match number_kind {
                NumberKindV1::Pool => NumberKind::Pool,
                NumberKindV1::Static => NumberKind::Static,
                NumberKindV1::Unknown => NumberKind::Unknown,
            },
            channel: channel(CALL, &channel_name)?,
            source,
            medium,
            campaign,
            term,
            content,
            gclid,
            click_id: click_id.map(Into::into),
            landing_page,
            session,
            confidence,
            candidates,
            attribution: attribution.map(|a| a.into_domain(CALL)).transpose()?,
            ga_client_id,
            ga_session_id,
            provider: match provider.as_deref() {
                None => Provider::default(),
                Some(name) => Provider::from_name(name)
                    .ok_or_else(|| RowError::new(CALL, format!("unknown provider {name:?}")))?,
            },
            routing: routing.map(|r| RoutingInfo {
                rule: r.rule,
                name: r.name,
                action: r.action,
                fallback: r.fallback,
            }),
            dial: dial.map(DialV1::into_domain).transpose()?,
            recording: recording.map(RecordingV1::into_domain).transpose()?,
            voicemail: voicemail.map(RecordingV1::into_domain).transpose()?,
            transcript: transcript.map(|t| Transcript {
                id: t.id,
                status: t.status,
                text: t.text,
            }),
            first_time,
            answered_legs: answered_legs
                .into_iter()
                .map(LegV1::into_domain)
                .collect::<Result<_, _>>()?,
            conversation: conversation
                .into_iter()
                .map(UtteranceV1::into_domain)
                .collect::<Result<_, _>>()?,
            kind: match kind.as_deref() {
                None => LeadKind::Call,
                Some(name) => LeadKind::from_name(name)
                    .ok_or_else(|| RowError::new(CALL, format!("unknown kind {name:?}")))?,
            },
            messages: messages
                .into_iter()
                .map(|m| TextMessage {
                    id: m.id,
                    at: m.at,
                    body: m.body,
                    media: m.media,
                })
                .collect(),
            last_message_at,
            test: false,
            consent: consent.map(|t| tier(CALL, &t)).transpose()?,
            fbp,
            qualification: qualification
                .map(QualificationV1::into_domain)
                .transpose()?,
        })
    }
}
