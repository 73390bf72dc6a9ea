//! What a provider's webhooks say, whichever carrier sent them: an incoming call, the caller's
//! call's progress, how a forwarding step ended, which line picked up, a recording, a transcript,
//! an utterance of the conversation. Each provider's module reads its forms into these; call
//! control and the call record read nothing else.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::phone::E164;

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

/// Which call a callback is about, as far as its form says: the id always, the caller and the
/// dialed number when the callback carries them (a recording's does not), for a record that a
/// callback has to create because the incoming call's record is not there yet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallRef {
    /// The provider's call id.
    pub call_id: String,
    /// The caller, or empty.
    pub caller: String,
    /// The tracking number dialed, or empty.
    pub tracking_number: String,
}

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
    /// A text conversation: received; there is nothing to answer or miss.
    Received,
}

impl CallStatus {
    /// Answered and Missed are final: later callbacks change nothing.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CallStatus::Answered | CallStatus::Missed | CallStatus::Received
        )
    }
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
    /// Whether the business picked up.
    pub fn answered(self) -> bool {
        matches!(self, DialCallStatus::Completed | DialCallStatus::Answered)
    }
}

/// The `<Dial action>` callback as the provider sends it, before call control knows which step
/// of which rule it ends (that is in the callback's URL, ours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialCallback {
    /// The caller's call (the callback is about it, not about the forwarded leg).
    pub call: CallRef,
    /// The tracking number dialed (the route is looked up by it).
    pub to: E164,
    /// What happened.
    pub status: DialCallStatus,
    /// Seconds the business talked to the caller, when the provider says.
    pub duration_s: Option<u32>,
    /// The provider's id of the forwarded leg that answered (or was last tried).
    pub leg: Option<String>,
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
    /// The result of step `step`, which rang `rang`: the talk time counts only when the business
    /// answered, and the number that answered is known when the step rang one line.
    pub fn of(callback: &DialCallback, step: u32, rang: &[E164]) -> DialResult {
        let answered = callback.status.answered();
        DialResult {
            status: callback.status,
            duration_s: if answered {
                callback.duration_s.unwrap_or(0)
            } else {
                0
            },
            leg: callback.leg.clone(),
            number: match rang {
                [one] if answered => Some(one.clone()),
                _ => None,
            },
            step,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> E164 {
        E164::parse(s).unwrap()
    }

    #[test]
    fn a_dial_result_keeps_talk_time_and_line_only_when_answered() {
        use DialCallStatus::*;
        let one = [n("+12125550100")];
        let two = [n("+12125550100"), n("+12125550101")];
        // (status, duration given, lines rung, talk seconds, number known)
        type Row<'a> = (DialCallStatus, Option<u32>, &'a [E164], u32, bool);
        let table: [Row<'_>; 6] = [
            (Completed, Some(42), &one, 42, true),
            (Answered, Some(7), &one, 7, true),
            (Completed, None, &one, 0, true),
            (Completed, Some(42), &two, 42, false),
            (NoAnswer, Some(9), &one, 0, false),
            (Busy, None, &one, 0, false),
        ];
        for (status, duration_s, rang, talk, known) in table {
            let cb = DialCallback {
                call: CallRef::default(),
                to: n("+12125550199"),
                status,
                duration_s,
                leg: Some("CAleg".into()),
            };
            let r = DialResult::of(&cb, 3, rang);
            assert_eq!(
                (r.duration_s, r.number.is_some(), r.step, r.leg.as_deref()),
                (talk, known, 3, Some("CAleg")),
                "{status:?} {rang:?}"
            );
        }
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
