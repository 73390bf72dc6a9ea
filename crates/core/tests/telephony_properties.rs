//! Properties of the telephony parsers and the rule engine: whatever arrives, they answer without
//! panicking, and what they accept reads back the same.

use dni_core::classify::Channel;
use dni_core::telephony::routing::{self, Facts, Hours, Rule};
use dni_core::telephony::{compat, telnyx, whisper, Form};
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

proptest! {
    /// Any instant in any of these zones gets a decision or none, never a panic; a rule on hours
    /// alone matches exactly when the local minute is inside the span.
    #[test]
    fn rules_decide_at_any_time(now in 0u64..4_102_444_800_000, zone in 0usize..4, caller in "[+0-9a-z]{0,16}") {
        let tz = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"][zone];
        let local = routing::local_time(tz, now).unwrap();
        prop_assert!(local.minute < 24 * 60);
        let facts = Facts { caller: &caller, channel: Channel::Direct, source: "", campaign: "", pool: None, static_number: None };
        let rules = rules();
        let got = routing::decide(&rules, &facts, &local).map(|(i, _)| i);
        let office = (9 * 60..17 * 60).contains(&local.minute);
        if got.is_none() {
            prop_assert!(!office);
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

    /// Webhook forms of any shape are read or refused without a panic.
    #[test]
    fn forms_are_read_or_refused(pairs in proptest::collection::vec(("[A-Za-z]{1,20}", ".{0,40}"), 0..12)) {
        let form = Form(pairs);
        let _ = compat::incoming(&form);
        let _ = compat::status(&form);
        let _ = compat::dial_result(&form, 0, &[]);
        let _ = compat::recording(&form, Default::default());
        let _ = compat::transcript(&form);
    }

    /// A whisper is never longer than its limit and carries no control characters.
    #[test]
    fn whispers_stay_short_and_clean(template in ".{0,300}", campaign in ".{0,300}") {
        let out = whisper::render(&template, &whisper::Fields { campaign: &campaign, ..Default::default() });
        prop_assert!(out.len() <= whisper::MAX_WHISPER);
        prop_assert!(!out.chars().any(|c| c.is_control() && !template.contains(c)));
    }
}
