//! The field names of TwiML-style webhooks (Twilio's, and Telnyx's TeXML, which uses Twilio's
//! names): how each webhook's form reads into the [event model](super::event). A provider's module
//! reads its webhooks with these unless it names a field otherwise (see [`super::Carrier`], whose
//! default methods are these).

#[allow(unused_imports)]
use crate::prelude::*;

use super::event::{
    AnsweredLeg, CallRef, CallStatus, DialCallStatus, DialCallback, IncomingCall, Recording,
    RecordingKind, StatusUpdate, Transcript,
};
use super::form::{FieldError, Form, MAX_FIELD, MAX_TRANSCRIPT, MAX_URL};

/// The incoming-call webhook.
pub fn incoming(form: &Form) -> Result<IncomingCall, FieldError> {
    Ok(IncomingCall {
        call_id: form.required("CallSid")?.to_owned(),
        from: form.text("From", MAX_FIELD).unwrap_or_default(),
        to: form.number("To")?,
    })
}

/// The call a callback is about (`CallSid`), with the caller and the dialed number when it says.
pub fn call(form: &Form) -> Result<CallRef, FieldError> {
    Ok(CallRef {
        call_id: form.required("CallSid")?.to_owned(),
        caller: form.text("From", MAX_FIELD).unwrap_or_default(),
        tracking_number: form.text("To", 32).unwrap_or_default(),
    })
}

/// The id of the caller's call for a request made on a forwarded leg (`ParentCallSid`).
pub fn parent_call(form: &Form) -> Option<&str> {
    form.get("ParentCallSid").filter(|v| !v.is_empty())
}

/// Reads `CallStatus` (and `DialCallStatus`, which says whether the forwarded leg was answered,
/// when the provider sends it with the caller's call's status).
pub fn call_status(call_status: &str, dial_status: Option<&str>) -> Option<CallStatus> {
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

/// The parent call's status callback.
pub fn status(form: &Form) -> Result<StatusUpdate, FieldError> {
    let status = call_status(form.required("CallStatus")?, form.get("DialCallStatus"))
        .ok_or(FieldError::Invalid("CallStatus"))?;
    Ok(StatusUpdate {
        call_id: form.required("CallSid")?.to_owned(),
        from: form.text("From", MAX_FIELD).unwrap_or_default(),
        to: form.number("To")?,
        status,
        duration_s: form.seconds("CallDuration")?,
    })
}

/// Reads `DialCallStatus`.
pub fn dial_status(value: &str) -> Option<DialCallStatus> {
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

/// The `<Dial action>` callback. The talk time is read only when the business answered (it means
/// nothing otherwise, and some providers send a ringing time there).
pub fn dial(form: &Form) -> Result<DialCallback, FieldError> {
    let call = call(form)?;
    let to = form.number("To")?;
    let status = dial_status(form.required("DialCallStatus")?)
        .ok_or(FieldError::Invalid("DialCallStatus"))?;
    let duration_s = if status.answered() {
        form.seconds("DialCallDuration")?
    } else {
        None
    };
    Ok(DialCallback {
        call,
        to,
        status,
        duration_s,
        leg: form.text("DialCallSid", MAX_FIELD),
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
        .filter(|u| !u.is_empty() && u.len() <= MAX_URL)
        .ok_or(FieldError::Missing("RecordingUrl"))?;
    // (Only a link the worker may fetch: never another scheme.)
    if !url.starts_with("http") {
        return Err(FieldError::Invalid("RecordingUrl"));
    }
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
pub fn answered_leg(form: &Form, step: u32) -> Result<Option<(String, AnsweredLeg)>, FieldError> {
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

/// Whether the answering party pressed 1 at the screening (`<Gather>`'s `Digits`).
pub fn screen_accepted(form: &Form) -> bool {
    form.get("Digits") == Some("1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::E164;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn reads_call_statuses() {
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
            assert_eq!(call_status(status, dial), want, "{status} {dial:?}");
        }
    }

    #[test]
    fn reads_dial_callbacks() {
        // (DialCallStatus, DialCallDuration, status, talk seconds read, or the error)
        let table = [
            ("completed", "42", Ok((DialCallStatus::Completed, Some(42)))),
            ("answered", "7", Ok((DialCallStatus::Answered, Some(7)))),
            ("in-progress", "", Ok((DialCallStatus::Answered, None))),
            ("no-answer", "0", Ok((DialCallStatus::NoAnswer, None))),
            (
                "no-answer",
                "not read",
                Ok((DialCallStatus::NoAnswer, None)),
            ),
            ("busy", "", Ok((DialCallStatus::Busy, None))),
            ("failed", "", Ok((DialCallStatus::Failed, None))),
            ("canceled", "", Ok((DialCallStatus::Canceled, None))),
            ("cancelled", "", Ok((DialCallStatus::Canceled, None))),
            (
                "completed",
                "forty",
                Err(FieldError::Invalid("DialCallDuration")),
            ),
            ("bogus", "", Err(FieldError::Invalid("DialCallStatus"))),
            ("", "", Err(FieldError::Missing("DialCallStatus"))),
        ];
        for (status, duration, want) in table {
            let f = form(&[
                ("CallSid", "CA1"),
                ("From", "+13105550199"),
                ("To", "+12125550101"),
                ("DialCallStatus", status),
                ("DialCallDuration", duration),
                ("DialCallSid", "CAleg"),
            ]);
            let got = dial(&f).map(|d| {
                assert_eq!(
                    (
                        d.call.call_id.as_str(),
                        d.call.caller.as_str(),
                        d.to.as_str()
                    ),
                    ("CA1", "+13105550199", "+12125550101")
                );
                assert_eq!(d.leg.as_deref(), Some("CAleg"));
                (d.status, d.duration_s)
            });
            assert_eq!(got, want, "{status} {duration}");
        }
        assert_eq!(
            dial(&form(&[("CallSid", "CA1"), ("DialCallStatus", "busy")])),
            Err(FieldError::Missing("To"))
        );
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
            let got = answered_leg(&f, 2).map(|o| {
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
    fn keeps_only_completed_recordings_with_a_link() {
        let ok = form(&[
            ("RecordingSid", "RE1"),
            ("RecordingUrl", "https://api.twilio.com/rec/RE1"),
            ("RecordingDuration", "31"),
            ("RecordingChannels", "2"),
            ("RecordingStatus", "completed"),
        ]);
        let r = recording(&ok, RecordingKind::Call).unwrap().unwrap();
        assert_eq!((r.id.as_str(), r.duration_s, r.channels), ("RE1", 31, 2));
        let mut pending = ok.clone();
        pending.0[4].1 = "in-progress".into();
        assert_eq!(recording(&pending, RecordingKind::Call), Ok(None));
        let mut bad = ok.clone();
        bad.0[1].1 = "javascript:alert(1)".into();
        assert_eq!(
            recording(&bad, RecordingKind::Call),
            Err(FieldError::Invalid("RecordingUrl"))
        );
        bad.0[1].1 = String::new();
        assert_eq!(
            recording(&bad, RecordingKind::Call),
            Err(FieldError::Missing("RecordingUrl"))
        );
    }

    #[test]
    fn the_callbacks_call_and_the_screening_key() {
        // (form, call id or error, parent call)
        let table = [
            (
                form(&[("CallSid", "CA1"), ("From", "+13105550199")]),
                Ok("CA1"),
                None,
            ),
            (
                form(&[("CallSid", "CAleg"), ("ParentCallSid", "CA1")]),
                Ok("CAleg"),
                Some("CA1"),
            ),
            (
                form(&[("CallSid", ""), ("ParentCallSid", "")]),
                Err(FieldError::Missing("CallSid")),
                None,
            ),
        ];
        for (f, id, parent) in table {
            assert_eq!(call(&f).map(|c| c.call_id), id.map(str::to_owned), "{f:?}");
            assert_eq!(parent_call(&f), parent, "{f:?}");
        }
        for (digits, accepted) in [("1", true), ("2", false), ("", false), ("11", false)] {
            assert_eq!(screen_accepted(&form(&[("Digits", digits)])), accepted);
        }
        assert!(!screen_accepted(&form(&[])));
    }
}
