//! Properties of the telephony parsers and the rule engine: whatever arrives, they answer without
//! panicking, and what they accept reads back the same.

use dni_core::classify::Channel;
use dni_core::telephony::routing::{self, Facts, Hours, Rule};
use dni_core::telephony::{telnyx, twiml_form, whisper, FieldError, Form, RecordingKind};
use proptest::prelude::*;

fn rules() -> Vec<Rule> {
    serde_json::from_str(
        r#"[
          {"when": {"days": ["fri"], "hours": "22:00-06:00"}, "then": "reject"},
          {"when": {"dates": ["2026-12-25"], "callers": ["+1900"]}, "then": {"voicemail": {}}},
          {"when": {"hours": "09:00-17:00"}, "then": {"ring": {"numbers": ["+12125550100"]}}}
        ]"#,
    )
    .unwrap()
}

/// A refusal names a field the form lacks (or holds empty or oversize), or one whose value it holds
/// but cannot read.
fn names_a_bad_field(form: &Form, e: &FieldError) -> bool {
    match *e {
        FieldError::Missing(name) => form.required(name).is_err(),
        FieldError::Invalid(name) => form.get(name).is_some(),
    }
}

proptest! {
    /// Any instant in any of these zones gets a decision or none, never a panic; a rule on hours
    /// alone matches exactly when the local minute is inside the span.
    #[test]
    fn rules_decide_at_any_time(now in 0u64..4_102_444_800_000, zone in 0usize..4, caller in "[+0-9a-z]{0,16}") {
        let tz = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"][zone];
        let local = dni_core::civil::Zone::named(tz).unwrap().local(now).unwrap();
        prop_assert!(local.minute < 24 * 60);
        let facts = Facts { caller: &caller, channel: Channel::Direct, source: "", campaign: "", pool: None, static_number: None };
        let rules = rules();
        let got = routing::decide(&rules, &facts, &local).map(|(i, _)| i);
        // Rule 2 (hours alone) matches exactly in office hours; rule 0 (Friday nights) never
        // then, and rule 1 only for its callers.
        let office = (9 * 60..17 * 60).contains(&local.minute);
        let night = local.minute >= 22 * 60 || local.minute < 6 * 60;
        match got {
            Some(0) => prop_assert!(night, "the night rule at minute {}", local.minute),
            Some(1) => prop_assert!(caller.starts_with("+1900")),
            Some(2) => prop_assert!(office, "the office rule at minute {}", local.minute),
            Some(i) => prop_assert!(false, "no rule {}", i),
            None => prop_assert!(!office, "no rule at minute {} in office hours", local.minute),
        }
    }

    /// Hours read back as written, for every valid span.
    #[test]
    fn hours_round_trip(a in 0u16..1440, b in 0u16..1441) {
        prop_assume!(a != b);
        let text = format!("\"{:02}:{:02}-{:02}:{:02}\"", a / 60, a % 60, b / 60, b % 60);
        let h: Hours = serde_json::from_str(&text).unwrap();
        prop_assert_eq!((h.start, h.end), (a, b));
        prop_assert_eq!(serde_json::to_string(&h).unwrap(), text);
    }

    /// Arbitrary headers and bodies are refused (or, never, accepted) without a panic.
    #[test]
    fn telnyx_checks_anything(sig in ".{0,100}", ts in ".{0,20}", body in ".{0,200}", now in any::<u64>()) {
        let key = "7Z8pkSKAp2Al1IDYuPHoqf2Sqr3X61HHN4a2LILp7uk=";
        prop_assert!(telnyx::verify(key, Some(&sig), Some(&ts), &body, now).is_err());
    }

    /// Webhook forms of any shape are read or refused, never panicking, and what is read comes
    /// from the form: a call id is the form's `CallSid`, a number is E.164, a recording has an
    /// http(s) link, and a form without the field a reader needs is refused naming that field.
    #[test]
    fn forms_are_read_or_refused(pairs in proptest::collection::vec(("(CallSid|From|To|CallStatus|DialCallStatus|DialCallDuration|RecordingUrl|RecordingSid|TranscriptionSid|[A-Za-z]{1,12})", ".{0,40}"), 0..12)) {
        let form = Form(pairs);
        let sid = form.get("CallSid").filter(|v| !v.is_empty() && v.len() <= 128);
        let to = form
            .get("To")
            .filter(|v| !v.is_empty() && v.len() <= 128)
            .and_then(|v| dni_core::phone::E164::parse(v).ok());
        match twiml_form::incoming(&form) {
            Ok(call) => {
                prop_assert_eq!(Some(call.call_id.as_str()), sid);
                prop_assert_eq!(Some(&call.to), to.as_ref());
            }
            Err(e) => {
                prop_assert!(names_a_bad_field(&form, &e), "refused {:?}", e);
                prop_assert!(sid.is_none() || to.is_none(), "refused {:?} with a CallSid and a To", e);
            }
        }
        match twiml_form::status(&form) {
            Ok(s) => {
                prop_assert_eq!(Some(s.call_id.as_str()), sid);
                prop_assert_eq!(Some(&s.to), to.as_ref());
                let duration = form.get("CallDuration").filter(|v| !v.is_empty()).map(|v| v.trim().parse::<u32>().unwrap());
                prop_assert_eq!(s.duration_s, duration);
            }
            Err(e) => prop_assert!(names_a_bad_field(&form, &e), "refused {:?}", e),
        }
        match twiml_form::dial(&form) {
            Ok(d) => {
                prop_assert_eq!(Some(d.call.call_id.as_str()), sid);
                prop_assert_eq!(Some(&d.to), to.as_ref());
                prop_assert!(d.status.answered() || d.duration_s.is_none(), "talk time only when answered");
            }
            Err(e) => prop_assert!(names_a_bad_field(&form, &e), "refused {:?}", e),
        }
        match twiml_form::recording(&form, RecordingKind::Call) {
            Ok(Some(r)) => prop_assert!(r.url.starts_with("http") && form.get("RecordingUrl") == Some(r.url.as_str())),
            Ok(None) => prop_assert!(form.get("RecordingStatus").is_some_and(|s| s != "completed")),
            Err(e) => prop_assert!(names_a_bad_field(&form, &e), "refused {:?}", e),
        }
        match twiml_form::transcript(&form) {
            Ok(t) => prop_assert!(Some(t.id.as_str()) == form.get("TranscriptionSid") || Some(t.id.as_str()) == form.get("RecordingSid")),
            Err(e) => {
                prop_assert!(names_a_bad_field(&form, &e), "refused {:?}", e);
                prop_assert!(form.required("TranscriptionSid").is_err());
            }
        }
    }

    /// A whisper is never longer than its limit and carries no control characters.
    #[test]
    fn whispers_stay_short_and_clean(template in ".{0,300}", campaign in ".{0,300}") {
        let out = whisper::render(&template, &whisper::Fields { campaign: &campaign, ..Default::default() });
        prop_assert!(out.len() <= whisper::MAX_WHISPER);
        prop_assert!(!out.chars().any(|c| c.is_control() && !template.contains(c)));
    }
}
