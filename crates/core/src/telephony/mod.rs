//! Telephony, provider-neutral: what an incoming call, a status update, a dial result, a recording
//! and a transcript are, whichever carrier sent them; how each provider's webhooks are verified and
//! read into that model (`twilio`, `telnyx`); the call-control markup each provider reads (`markup`:
//! TwiML, and Telnyx's TeXML, which follows it); the routing rules that decide what a call does
//! (`routing`); and the whisper the answering team hears (`whisper`).
//!
//! A third provider is a new module here: its signature check, the names its webhooks give the
//! fields below, and its markup dialect, plus one variant of [`Provider`].

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::call::CallStatus;
use crate::phone::E164;

#[cfg(feature = "provider")]
pub mod callback;
pub mod markup;
pub mod routing;
#[cfg(feature = "provider")]
pub mod telnyx;
#[cfg(feature = "provider")]
pub mod twilio;
#[cfg(feature = "provider")]
pub mod whisper;

/// Which carrier owns a number and sends its webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Twilio: TwiML, `X-Twilio-Signature` (HMAC-SHA1 with the auth token).
    #[default]
    Twilio,
    /// Telnyx: TeXML, `telnyx-signature-ed25519` (Ed25519 with the account's public key).
    Telnyx,
}

impl Provider {
    /// The name in URLs (`/v1/{provider}/voice`) and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Twilio => "twilio",
            Provider::Telnyx => "telnyx",
        }
    }

    /// The provider a URL segment names.
    pub fn from_name(name: &str) -> Option<Provider> {
        match name {
            "twilio" => Some(Provider::Twilio),
            "telnyx" => Some(Provider::Telnyx),
            _ => None,
        }
    }

    /// The markup it reads.
    pub fn dialect(self) -> markup::Dialect {
        match self {
            Provider::Twilio => markup::Dialect::TwiML,
            Provider::Telnyx => markup::Dialect::TeXML,
        }
    }

    /// Whether the default value (for `skip_serializing_if`).
    pub fn is_default(&self) -> bool {
        *self == Provider::Twilio
    }

    /// Whether the provider's webhook signature covers the URL it was sent to, query included.
    /// When it does not, our callback URLs carry a seal of their own ([`callback`]).
    pub fn signs_url(self) -> bool {
        match self {
            Provider::Twilio => true,
            Provider::Telnyx => false,
        }
    }
}

/// Longest field value kept from a webhook.
pub const MAX_FIELD: usize = 128;
/// Longest URL kept from a webhook (recording links).
pub const MAX_URL: usize = 512;
/// Longest transcript kept.
pub const MAX_TRANSCRIPT: usize = 8 * 1024;
/// Longest utterance kept from a conversation's transcription.
pub const MAX_UTTERANCE: usize = 2 * 1024;

/// Why a webhook's fields cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// A required field is missing, empty or too long.
    Missing(&'static str),
    /// A field has a value we do not understand.
    Invalid(&'static str),
}

impl FieldError {
    /// A short, safe description for the error body.
    pub fn message(&self) -> String {
        match self {
            FieldError::Missing(name) => ["missing or oversize parameter ", name].concat(),
            FieldError::Invalid(name) => ["invalid parameter ", name].concat(),
        }
    }
}

/// A webhook's form parameters (after its signature was checked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A non-empty value of at most `MAX_FIELD` bytes.
    pub fn required(&self, name: &'static str) -> Result<&str, FieldError> {
        match self.get(name) {
            Some(v) if !v.is_empty() && v.len() <= MAX_FIELD => Ok(v),
            _ => Err(FieldError::Missing(name)),
        }
    }

    /// An optional value, cut to `max` characters.
    pub fn text(&self, name: &str, max: usize) -> Option<String> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .map(|v| v.chars().take(max).collect())
    }

    /// An optional count of seconds (or channels).
    pub fn seconds(&self, name: &'static str) -> Result<Option<u32>, FieldError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u32>()
                .map(Some)
                .map_err(|_| FieldError::Invalid(name)),
        }
    }

    /// A phone number field.
    pub fn number(&self, name: &'static str) -> Result<E164, FieldError> {
        E164::parse(self.required(name)?).map_err(|_| FieldError::Invalid(name))
    }
}

/// A call reaching one of our numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingCall {
    /// The provider's call id (the record's key).
    pub call_id: String,
    /// The caller as the provider gave it (may be `anonymous`).
    pub from: String,
    /// The tracking number dialed.
    pub to: E164,
}

/// The parent call's progress (the status callback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The provider's call id.
    pub call_id: String,
    /// The caller.
    pub from: String,
    /// The tracking number dialed.
    pub to: E164,
    /// Where the call is.
    pub status: CallStatus,
    /// Seconds, once it ended.
    pub duration_s: Option<u32>,
}

/// What happened on the business's side of a forwarded call (`DialCallStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DialCallStatus {
    /// The business answered and the call ended normally.
    Completed,
    /// The business answered (some providers say this while it is still going on).
    Answered,
    /// The line was busy.
    Busy,
    /// Nobody answered within the timeout (or the screening was refused).
    NoAnswer,
    /// The forwarded call could not be placed.
    Failed,
    /// The caller hung up before the business answered.
    Canceled,
}

impl DialCallStatus {
    /// Reads the provider's value.
    pub fn parse(value: &str) -> Option<DialCallStatus> {
        Some(match value {
            "completed" => DialCallStatus::Completed,
            "answered" | "in-progress" => DialCallStatus::Answered,
            "busy" => DialCallStatus::Busy,
            "no-answer" => DialCallStatus::NoAnswer,
            "failed" => DialCallStatus::Failed,
            "canceled" | "cancelled" => DialCallStatus::Canceled,
            _ => return None,
        })
    }

    /// Whether the business picked up.
    pub fn answered(self) -> bool {
        matches!(self, DialCallStatus::Completed | DialCallStatus::Answered)
    }
}

/// The `<Dial action>` callback: how one forwarding step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialResult {
    /// What happened.
    pub status: DialCallStatus,
    /// Seconds the business talked to the caller (0 unless answered).
    #[serde(default)]
    pub duration_s: u32,
    /// The provider's id of the forwarded leg that answered (or was last tried).
    #[serde(default)]
    pub leg: Option<String>,
    /// The number that answered, when the step rang one number (for several at once, the
    /// provider says only the leg's id).
    #[serde(default)]
    pub number: Option<E164>,
    /// Which step of a fallback chain this was (0: the first).
    #[serde(default)]
    pub step: u32,
}

impl DialResult {
    /// Whether `self` says more than `other` about the same call, so that applying results in any
    /// order keeps the same one: an answer beats everything, then the later step, then the first
    /// seen.
    pub fn supersedes(&self, other: &DialResult) -> bool {
        match (self.status.answered(), other.status.answered()) {
            (true, false) => true,
            (false, true) => false,
            _ => self.step > other.step,
        }
    }
}

/// What a recording is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RecordingKind {
    /// The conversation (`record-from-answer-dual`).
    #[default]
    Call,
    /// A voicemail the caller left.
    Voicemail,
}

/// A recording kept at the provider (the report links it through the worker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// The provider's recording id.
    pub id: String,
    /// Where the provider serves it (fetched with the account's credentials, never shown).
    pub url: String,
    /// Its length in seconds.
    #[serde(default)]
    pub duration_s: u32,
    /// 1 (mono) or 2 (caller and business on their own channels).
    #[serde(default)]
    pub channels: u32,
    /// The call or a voicemail.
    #[serde(default)]
    pub kind: RecordingKind,
}

/// A transcript made by the provider's own transcription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// The provider's id.
    pub id: String,
    /// `completed` or `failed`.
    pub status: String,
    /// The text (empty when it failed).
    #[serde(default)]
    pub text: String,
}

/// One forwarded leg that picked up (the `answered` event of a `<Number statusCallback>`): which
/// line it was. When several lines ring at once, or a screened leg picked up and refused, only
/// the leg the dial result names took the call; its number is then the dial result's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnsweredLeg {
    /// The provider's id of the forwarded leg.
    pub leg: String,
    /// The line it rang.
    pub number: E164,
    /// Which step of a fallback chain rang it.
    #[serde(default)]
    pub step: u32,
}

/// Who is speaking in a conversation transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The caller (the call's inbound track).
    Caller,
    /// The business (the track the caller hears).
    Business,
    /// The provider did not say.
    #[default]
    Unknown,
}

/// One final utterance of the provider's real-time transcription of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utterance {
    /// Its place in the transcription, when the provider numbers them (Twilio's `SequenceId`);
    /// a repeated number is the same utterance delivered again.
    #[serde(default)]
    pub seq: Option<u32>,
    /// Who said it.
    #[serde(default)]
    pub speaker: Speaker,
    /// What was said.
    pub text: String,
}

/// The field names shared by TwiML-compatible providers (Twilio, and Telnyx's TeXML, which uses
/// Twilio's names): each provider module reads its webhooks with these unless it names them
/// otherwise.
pub mod compat {
    use super::*;

    /// The incoming-call webhook.
    pub fn incoming(form: &Form) -> Result<IncomingCall, FieldError> {
        Ok(IncomingCall {
            call_id: form.required("CallSid")?.to_owned(),
            from: form.text("From", MAX_FIELD).unwrap_or_default(),
            to: form.number("To")?,
        })
    }

    /// The parent call's status callback.
    pub fn status(form: &Form) -> Result<StatusUpdate, FieldError> {
        let status =
            CallStatus::from_twilio(form.required("CallStatus")?, form.get("DialCallStatus"))
                .ok_or(FieldError::Invalid("CallStatus"))?;
        Ok(StatusUpdate {
            call_id: form.required("CallSid")?.to_owned(),
            from: form.text("From", MAX_FIELD).unwrap_or_default(),
            to: form.number("To")?,
            status,
            duration_s: form.seconds("CallDuration")?,
        })
    }

    /// The `<Dial action>` callback. `rang` is what the step dialed (from the action URL we wrote).
    pub fn dial_result(form: &Form, step: u32, rang: &[E164]) -> Result<DialResult, FieldError> {
        let status = DialCallStatus::parse(form.required("DialCallStatus")?)
            .ok_or(FieldError::Invalid("DialCallStatus"))?;
        let number = match rang {
            [one] if status.answered() => Some(one.clone()),
            _ => None,
        };
        Ok(DialResult {
            status,
            duration_s: if status.answered() {
                form.seconds("DialCallDuration")?.unwrap_or(0)
            } else {
                0
            },
            leg: form.text("DialCallSid", MAX_FIELD),
            number,
            step,
        })
    }

    /// The `recordingStatusCallback`. Only a completed recording is kept.
    pub fn recording(form: &Form, kind: RecordingKind) -> Result<Option<Recording>, FieldError> {
        match form.get("RecordingStatus") {
            None | Some("completed") => {}
            Some(_) => return Ok(None),
        }
        let url = form
            .get("RecordingUrl")
            .filter(|u| !u.is_empty() && u.len() <= MAX_URL && u.starts_with("http"))
            .ok_or(FieldError::Missing("RecordingUrl"))?;
        Ok(Some(Recording {
            id: form.required("RecordingSid")?.to_owned(),
            url: url.to_owned(),
            duration_s: form.seconds("RecordingDuration")?.unwrap_or(0),
            channels: form.seconds("RecordingChannels")?.unwrap_or(1),
            kind,
        }))
    }

    /// A forwarded leg's status callback (`<Number statusCallbackEvent="answered">`): the parent
    /// call's id and the leg, when the leg picked up; `None` for any other event.
    pub fn answered_leg(
        form: &Form,
        step: u32,
    ) -> Result<Option<(String, AnsweredLeg)>, FieldError> {
        match form.get("CallStatus") {
            Some("in-progress" | "answered") => {}
            _ => return Ok(None),
        }
        let parent = form.required("ParentCallSid")?.to_owned();
        Ok(Some((
            parent,
            AnsweredLeg {
                leg: form.required("CallSid")?.to_owned(),
                number: form.number("To")?,
                step,
            },
        )))
    }

    /// The transcription callback.
    pub fn transcript(form: &Form) -> Result<Transcript, FieldError> {
        Ok(Transcript {
            id: form
                .required("TranscriptionSid")
                .or_else(|_| form.required("RecordingSid"))?
                .to_owned(),
            status: form
                .text("TranscriptionStatus", 32)
                .unwrap_or_else(|| "completed".to_owned()),
            text: form
                .text("TranscriptionText", MAX_TRANSCRIPT)
                .unwrap_or_default(),
        })
    }
}

/// The request headers a signature check may read, names in lower case.
#[derive(Debug, Clone, Default)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    /// A header's value, by its lower-case name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook as it arrived, for its signature check.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// The full URL the provider requested (query included).
    pub url: &'a str,
    /// The raw body.
    pub body: &'a str,
    /// The body's form parameters.
    pub form: &'a Form,
    /// The headers.
    pub headers: &'a Headers,
}

/// Why a webhook's signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookError {
    /// No signature (or no timestamp) header.
    Missing,
    /// A header that is not what the provider sends.
    Malformed,
    /// The signature does not match: tampered, or signed with another key or for another URL.
    Mismatch,
    /// The timestamp is outside the tolerance (a stale or replayed delivery).
    Stale,
    /// The secret or key is unset: nothing can be verified.
    NoSecret,
}

impl WebhookError {
    /// A short, safe description for the error body.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookError::Missing => "missing webhook signature",
            WebhookError::Malformed => "malformed webhook signature",
            WebhookError::Mismatch => "invalid webhook signature",
            WebhookError::Stale => "webhook timestamp outside the tolerance",
            WebhookError::NoSecret => "webhooks are disabled: the provider's secret is not set",
        }
    }
}

/// A verified delivery. `replay_key` is set for providers whose signature covers a timestamp: the
/// same key seen twice before `expires_at` is a replay (the worker keeps the keys that long; after
/// it the timestamp check refuses the delivery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// What identifies this delivery (the signature).
    pub replay_key: Option<String>,
    /// When the tolerance window of the delivery closes.
    pub expires_at: crate::Millis,
}

#[cfg(feature = "provider")]
impl Provider {
    /// Checks a webhook's signature with the provider's secret (Twilio: the auth token; Telnyx: the
    /// account's public key, base64).
    pub fn verify(
        self,
        secret: &str,
        req: &Signed<'_>,
        now: crate::Millis,
    ) -> Result<Delivery, WebhookError> {
        match self {
            Provider::Twilio => twilio::verify_webhook(secret, req, now),
            Provider::Telnyx => telnyx::verify_webhook(secret, req, now),
        }
    }

    /// Reads an incoming-call webhook.
    pub fn incoming(self, form: &Form) -> Result<IncomingCall, FieldError> {
        match self {
            Provider::Twilio | Provider::Telnyx => compat::incoming(form),
        }
    }

    /// Reads a status callback.
    pub fn status(self, form: &Form) -> Result<StatusUpdate, FieldError> {
        match self {
            Provider::Twilio | Provider::Telnyx => compat::status(form),
        }
    }

    /// Reads a `<Dial action>` callback.
    pub fn dial_result(
        self,
        form: &Form,
        step: u32,
        rang: &[E164],
    ) -> Result<DialResult, FieldError> {
        match self {
            Provider::Twilio | Provider::Telnyx => compat::dial_result(form, step, rang),
        }
    }

    /// Reads a recording status callback.
    pub fn recording(
        self,
        form: &Form,
        kind: RecordingKind,
    ) -> Result<Option<Recording>, FieldError> {
        match self {
            Provider::Twilio | Provider::Telnyx => compat::recording(form, kind),
        }
    }

    /// Reads a transcription callback.
    pub fn transcript(self, form: &Form) -> Result<Transcript, FieldError> {
        match self {
            Provider::Twilio => compat::transcript(form),
            Provider::Telnyx => telnyx::transcript(form),
        }
    }

    /// Reads a forwarded leg's status callback: the parent call and the leg, if it picked up.
    pub fn answered_leg(
        self,
        form: &Form,
        step: u32,
    ) -> Result<Option<(String, AnsweredLeg)>, FieldError> {
        match self {
            Provider::Twilio | Provider::Telnyx => compat::answered_leg(form, step),
        }
    }

    /// Reads a real-time transcription callback of the conversation: one final utterance, or
    /// `None` for what is not one (started and stopped events, interim results, empty text).
    pub fn utterance(self, form: &Form) -> Result<Option<Utterance>, FieldError> {
        match self {
            Provider::Twilio => twilio::utterance(form),
            Provider::Telnyx => telnyx::utterance(form),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn reads_dial_results() {
        let one = [E164::parse("+12125550100").unwrap()];
        // (DialCallStatus, DialCallDuration, numbers rung, status, talk seconds, number known)
        let table = [
            (
                "completed",
                "42",
                &one[..],
                Some(DialCallStatus::Completed),
                42,
                true,
            ),
            (
                "answered",
                "7",
                &one[..],
                Some(DialCallStatus::Answered),
                7,
                true,
            ),
            (
                "no-answer",
                "0",
                &one[..],
                Some(DialCallStatus::NoAnswer),
                0,
                false,
            ),
            ("busy", "", &one[..], Some(DialCallStatus::Busy), 0, false),
            (
                "failed",
                "",
                &one[..],
                Some(DialCallStatus::Failed),
                0,
                false,
            ),
            (
                "canceled",
                "",
                &one[..],
                Some(DialCallStatus::Canceled),
                0,
                false,
            ),
            (
                "completed",
                "42",
                &[][..],
                Some(DialCallStatus::Completed),
                42,
                false,
            ),
            ("bogus", "", &one[..], None, 0, false),
        ];
        for (status, duration, rang, want, talk, known) in table {
            let f = form(&[
                ("DialCallStatus", status),
                ("DialCallDuration", duration),
                ("DialCallSid", "CAleg"),
            ]);
            let got = compat::dial_result(&f, 0, rang);
            match want {
                Some(want) => {
                    let got = got.unwrap();
                    assert_eq!(
                        (got.status, got.duration_s, got.number.is_some()),
                        (want, talk, known),
                        "{status}"
                    );
                }
                None => assert_eq!(got, Err(FieldError::Invalid("DialCallStatus"))),
            }
        }
    }

    #[test]
    fn reads_answered_legs() {
        let leg = |status: &str, parent: &str, to: &str| {
            form(&[
                ("CallSid", "CAleg"),
                ("ParentCallSid", parent),
                ("To", to),
                ("CallStatus", status),
            ])
        };
        // (form, parent and number, or error)
        let table = [
            (
                leg("in-progress", "CAparent", "+12125550103"),
                Ok(Some(("CAparent", "+12125550103"))),
            ),
            (
                leg("answered", "CAparent", "+12125550103"),
                Ok(Some(("CAparent", "+12125550103"))),
            ),
            (leg("ringing", "CAparent", "+12125550103"), Ok(None)),
            (leg("completed", "CAparent", "+12125550103"), Ok(None)),
            (
                leg("in-progress", "", "+12125550103"),
                Err(FieldError::Missing("ParentCallSid")),
            ),
            (
                leg("in-progress", "CAparent", "sip:desk@example.com"),
                Err(FieldError::Invalid("To")),
            ),
        ];
        for (f, want) in table {
            let got = compat::answered_leg(&f, 2).map(|o| {
                o.map(|(p, l)| {
                    assert_eq!((l.leg.as_str(), l.step), ("CAleg", 2));
                    (p, l.number)
                })
            });
            let want =
                want.map(|o| o.map(|(p, n): (&str, &str)| (p.to_owned(), E164::parse(n).unwrap())));
            assert_eq!(got, want, "{f:?}");
        }
    }

    #[test]
    fn reads_utterances() {
        let twilio_form = |event: &str, fin: &str, data: &str, track: &str| {
            form(&[
                ("TranscriptionEvent", event),
                ("Final", fin),
                ("TranscriptionData", data),
                ("Track", track),
                ("SequenceId", "4"),
            ])
        };
        let said = |seq, speaker, text: &str| {
            Some(Utterance {
                seq,
                speaker,
                text: text.into(),
            })
        };
        // (provider, form, utterance or error)
        let table = [
            (
                Provider::Twilio,
                twilio_form(
                    "transcription-content",
                    "true",
                    r#"{"transcript":" Hello, I have a leak. ","confidence":0.93}"#,
                    "inbound_track",
                ),
                Ok(said(Some(4), Speaker::Caller, "Hello, I have a leak.")),
            ),
            (
                Provider::Twilio,
                twilio_form(
                    "transcription-content",
                    "true",
                    r#"{"transcript":"Plumbing, how can I help?"}"#,
                    "outbound_track",
                ),
                Ok(said(
                    Some(4),
                    Speaker::Business,
                    "Plumbing, how can I help?",
                )),
            ),
            (
                Provider::Twilio,
                twilio_form(
                    "transcription-content",
                    "false",
                    r#"{"transcript":"Hel"}"#,
                    "inbound_track",
                ),
                Ok(None),
            ),
            (
                Provider::Twilio,
                twilio_form("transcription-started", "", "", ""),
                Ok(None),
            ),
            (
                Provider::Twilio,
                twilio_form(
                    "transcription-content",
                    "true",
                    r#"{"transcript":"  "}"#,
                    "inbound_track",
                ),
                Ok(None),
            ),
            (
                Provider::Twilio,
                twilio_form("transcription-content", "true", "not json", "inbound_track"),
                Err(FieldError::Invalid("TranscriptionData")),
            ),
            (
                Provider::Telnyx,
                form(&[
                    ("CallSid", "v3:x"),
                    ("Transcript", "Hello there"),
                    ("IsFinal", "true"),
                ]),
                Ok(said(None, Speaker::Unknown, "Hello there")),
            ),
            (
                Provider::Telnyx,
                form(&[("CallSid", "v3:x"), ("Transcript", "Hello there")]),
                Ok(said(None, Speaker::Unknown, "Hello there")),
            ),
            (
                Provider::Telnyx,
                form(&[
                    ("CallSid", "v3:x"),
                    ("Transcript", "Hel"),
                    ("IsFinal", "false"),
                ]),
                Ok(None),
            ),
        ];
        for (provider, f, want) in table {
            assert_eq!(provider.utterance(&f), want, "{provider:?} {f:?}");
        }
    }

    #[test]
    fn keeps_only_completed_recordings_with_a_link() {
        let ok = form(&[
            ("RecordingSid", "RE1"),
            ("RecordingUrl", "https://api.twilio.com/rec/RE1"),
            ("RecordingDuration", "31"),
            ("RecordingChannels", "2"),
            ("RecordingStatus", "completed"),
        ]);
        let r = compat::recording(&ok, RecordingKind::Call)
            .unwrap()
            .unwrap();
        assert_eq!((r.id.as_str(), r.duration_s, r.channels), ("RE1", 31, 2));
        let mut pending = ok.clone();
        pending.0[4].1 = "in-progress".into();
        assert_eq!(compat::recording(&pending, RecordingKind::Call), Ok(None));
        let mut bad = ok.clone();
        bad.0[1].1 = "javascript:alert(1)".into();
        assert_eq!(
            compat::recording(&bad, RecordingKind::Call),
            Err(FieldError::Missing("RecordingUrl"))
        );
    }

    #[test]
    fn an_answer_supersedes_and_later_steps_win() {
        let r = |status, step| DialResult {
            status,
            duration_s: 0,
            leg: None,
            number: None,
            step,
        };
        use DialCallStatus::*;
        let table = [
            (r(Completed, 0), r(NoAnswer, 1), true),
            (r(NoAnswer, 1), r(Completed, 0), false),
            (r(NoAnswer, 1), r(NoAnswer, 0), true),
            (r(NoAnswer, 0), r(NoAnswer, 0), false),
            (r(Busy, 0), r(NoAnswer, 0), false),
        ];
        for (a, b, want) in table {
            assert_eq!(a.supersedes(&b), want, "{a:?} over {b:?}");
        }
    }
}
