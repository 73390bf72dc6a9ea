//! Automatic qualification: the site's rules (`"qualify"`), tried in order, each a set of
//! conditions on the call's facts (words spotted in its transcripts, talk time, first-time caller,
//! voicemail, the routing rule that handled it) and the tags, status and value it sets. The first
//! that matches qualifies the call, until an operator does: an operator's qualification is never
//! overwritten by a rule.
//!
//! And when a conversion that needs a qualification may be sent: once the qualification can no
//! longer change without an operator. A call whose voicemail's transcript has not arrived waits
//! for it while a rule spots words, up to the site's `transcript_wait_s` after the call's end.

#[allow(unused_imports)]
use crate::prelude::*;

use super::facts::CallFacts;
use super::settings::{Integrations, QualifyRule, Side, TRANSCRIPT_WAIT_S};
use crate::call::CallRecord;
use crate::qualification::{normalize_tags, spoken, Qualification, QualifiedBy};
use crate::{Millis, SECOND};

fn matches(rule: &QualifyRule, facts: &CallFacts) -> bool {
    if !rule.phrases.is_empty() {
        let said = &facts.said;
        let heard = |words: &[String]| rule.phrases.iter().any(|p| spoken(words, p));
        let found = match rule.side {
            Side::Caller => heard(&said.caller),
            Side::Business => heard(&said.business),
            Side::Either => heard(&said.caller) || heard(&said.business) || heard(&said.unknown),
        };
        if !found {
            return false;
        }
    }
    rule.min_talk_s.is_none_or(|m| facts.talk_s >= m)
        && rule.max_talk_s.is_none_or(|m| facts.talk_s <= m)
        && rule.answered.is_none_or(|a| facts.answered == a)
        && rule.first_time.is_none_or(|f| facts.first_time == Some(f))
        && rule.voicemail.is_none_or(|v| facts.voicemail == v)
        && rule
            .routing_rule
            .as_ref()
            .is_none_or(|name| facts.routing_rule.as_deref() == Some(name.as_str()))
}

/// The qualification the rules give an ended call (`None`: no rule matches, or the call has not
/// ended).
pub fn evaluate(facts: &CallFacts, rules: &[QualifyRule], now: Millis) -> Option<Qualification> {
    if !facts.ended {
        return None;
    }
    let (index, rule) = rules.iter().enumerate().find(|(_, r)| matches(r, facts))?;
    Some(Qualification {
        tags: normalize_tags(&rule.tags).unwrap_or_default(),
        status: rule.status,
        value: rule.value,
        by: QualifiedBy::Rule {
            index: u32::try_from(index).unwrap_or(u32::MAX),
        },
        at: now,
    })
}

/// Qualifies a record by the rules again (after its end, after a transcript arrives). An
/// operator's qualification stays. Returns whether the tags, status or value changed.
pub fn requalify(record: &mut CallRecord, rules: &[QualifyRule], now: Millis) -> bool {
    if matches!(
        record.qualification.as_ref().map(|q| &q.by),
        Some(QualifiedBy::Operator)
    ) {
        return false;
    }
    let facts = super::facts::facts_of(record);
    let next = evaluate(&facts, rules, now);
    let same = |a: &Qualification, b: &Qualification| {
        (&a.tags, a.status, a.value, &a.by) == (&b.tags, b.status, b.value, &b.by)
    };
    let changed = match (&record.qualification, &next) {
        (None, None) => false,
        (Some(a), Some(b)) => !same(a, b),
        _ => true,
    };
    if changed {
        record.qualification = next;
    }
    changed
}

/// What a delivery says while it waits for a voicemail's transcript (and how the call log finds
/// it, to send it as soon as the transcript arrives).
pub const WAITING: &str = "waiting for the voicemail's transcript to qualify the call";

/// Until when a conversion that needs a qualification waits before it is decided: while a
/// voicemail's transcript is awaited and a rule spots words, up to `transcript_wait_s` after the
/// call's end. `None`: decide now.
pub fn wait_until(facts: &CallFacts, settings: &Integrations, now: Millis) -> Option<Millis> {
    let needed = settings
        .conversions
        .iter()
        .any(super::settings::ConversionRule::needs_qualification);
    let spots = settings.qualify.iter().any(|r| !r.phrases.is_empty());
    let operator = matches!(
        facts.qualification.as_ref().map(|q| &q.by),
        Some(QualifiedBy::Operator)
    );
    if !(needed && spots && facts.transcript_pending) || operator {
        return None;
    }
    let wait = u64::from(settings.transcript_wait_s.unwrap_or(TRANSCRIPT_WAIT_S)) * SECOND;
    let until = facts.ended_at.unwrap_or(facts.started_at) + wait;
    (now < until).then_some(until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::RoutingInfo;
    use crate::qualification::LeadStatus;
    use crate::telephony::{
        CallStatus, DialCallStatus, DialResult, Recording, RecordingKind, Speaker, Transcript,
        Utterance,
    };

    const T: Millis = 1_772_370_309_000;

    fn rules() -> Vec<QualifyRule> {
        serde_json::from_str(
            r#"[
            {"phrases":["not interested","remove me"],"side":"caller","status":"spam","tags":["spam"]},
            {"phrases":["book","appointment"],"side":"caller","tags":["booked"],"status":"good","value":120},
            {"phrases":["quote"],"tags":["quote"],"status":"good"},
            {"voicemail":true,"tags":["voicemail"]},
            {"routing_rule":"after hours","answered":false,"tags":["after hours"]},
            {"max_talk_s":5,"answered":true,"status":"bad","tags":["short"]},
            {"first_time":true,"min_talk_s":60,"tags":["new long"],"status":"good"}
        ]"#,
        )
        .unwrap()
    }

    fn call() -> CallRecord {
        let mut r = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", T);
        r.status = CallStatus::Answered;
        r.ended_at = Some(T + 90 * SECOND);
        r.dial = Some(DialResult {
            status: DialCallStatus::Completed,
            duration_s: 40,
            leg: None,
            number: None,
            step: 0,
        });
        r
    }

    fn say(r: &mut CallRecord, speaker: Speaker, text: &str) {
        r.conversation.push(Utterance {
            seq: None,
            speaker,
            text: text.to_owned(),
        });
    }

    #[test]
    fn the_first_matching_rule_qualifies() {
        type Edit = fn(&mut CallRecord);
        type Row<'a> = (
            &'a str,
            Edit,
            &'a [&'a str],
            Option<LeadStatus>,
            Option<f64>,
        );
        // (what the call has, tags, status, value)
        let table: &[Row<'_>] = &[
            ("nothing matches", |_| {}, &[], None, None),
            (
                "the caller books",
                |r| say(r, Speaker::Caller, "Can I book an Appointment?"),
                &["booked"],
                Some(LeadStatus::Good),
                Some(120.0),
            ),
            (
                "the business says book: the caller side only",
                |r| say(r, Speaker::Business, "you can book online"),
                &[],
                None,
                None,
            ),
            (
                "quote, either side, speaker unknown",
                |r| say(r, Speaker::Unknown, "I'll send a quote"),
                &["quote"],
                Some(LeadStatus::Good),
                None,
            ),
            (
                "spam wins over booked: earlier in the list",
                |r| {
                    say(r, Speaker::Caller, "I want to book");
                    say(r, Speaker::Caller, "actually not interested");
                },
                &["spam"],
                Some(LeadStatus::Spam),
                None,
            ),
            (
                "a phrase never spans two utterances",
                |r| {
                    say(r, Speaker::Caller, "I am not");
                    say(r, Speaker::Caller, "interested in waiting");
                },
                &[],
                None,
                None,
            ),
            (
                "the voicemail's transcript is the caller's",
                |r| {
                    r.status = CallStatus::Missed;
                    r.dial = None;
                    r.voicemail = Some(Recording {
                        id: "RE1".into(),
                        url: "https://x/RE1".into(),
                        duration_s: 20,
                        channels: 1,
                        kind: RecordingKind::Voicemail,
                    });
                    r.transcript = Some(Transcript {
                        id: "TR1".into(),
                        status: "completed".into(),
                        text: "Hi, I'd like an appointment".into(),
                    });
                },
                &["booked"],
                Some(LeadStatus::Good),
                Some(120.0),
            ),
            (
                "a voicemail without words",
                |r| {
                    r.status = CallStatus::Missed;
                    r.dial = None;
                    r.voicemail = Some(Recording {
                        id: "RE1".into(),
                        url: "https://x/RE1".into(),
                        duration_s: 20,
                        channels: 1,
                        kind: RecordingKind::Voicemail,
                    });
                },
                &["voicemail"],
                None,
                None,
            ),
            (
                "the routing rule that answered",
                |r| {
                    r.status = CallStatus::Missed;
                    r.dial = None;
                    r.routing = Some(RoutingInfo {
                        rule: Some(1),
                        name: "after hours".into(),
                        action: "voicemail".into(),
                        fallback: None,
                    });
                },
                &["after hours"],
                None,
                None,
            ),
            (
                "talk time: short",
                |r| r.dial.as_mut().unwrap().duration_s = 3,
                &["short"],
                Some(LeadStatus::Bad),
                None,
            ),
            (
                "first-time caller and long",
                |r| {
                    r.first_time = Some(true);
                    r.dial.as_mut().unwrap().duration_s = 75;
                },
                &["new long"],
                Some(LeadStatus::Good),
                None,
            ),
            (
                "long but not known to be new",
                |r| r.dial.as_mut().unwrap().duration_s = 75,
                &[],
                None,
                None,
            ),
        ];
        for (why, edit, tags, status, value) in table {
            let mut r = call();
            edit(&mut r);
            let q = evaluate(&super::super::facts::facts_of(&r), &rules(), T);
            let got = q
                .as_ref()
                .map(|q| (q.tags.clone(), q.status, q.value))
                .unwrap_or_default();
            let want: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
            assert_eq!(got, (want, *status, *value), "{why}");
        }
        let mut ringing = call();
        ringing.status = CallStatus::Ringing;
        say(&mut ringing, Speaker::Caller, "book");
        assert_eq!(
            evaluate(&super::super::facts::facts_of(&ringing), &rules(), T),
            None
        );
    }

    #[test]
    fn an_operator_qualification_stays() {
        let mut r = call();
        say(&mut r, Speaker::Caller, "I'd like to book");
        assert!(requalify(&mut r, &rules(), T));
        assert!(!requalify(&mut r, &rules(), T + 1), "nothing new");
        let q = r.qualification.clone().unwrap();
        assert_eq!(q.by, QualifiedBy::Rule { index: 1 });
        r.qualification = Some(Qualification {
            tags: vec!["wrong number".into()],
            status: Some(LeadStatus::Bad),
            value: None,
            by: QualifiedBy::Operator,
            at: T + 2,
        });
        say(&mut r, Speaker::Caller, "not interested");
        assert!(!requalify(&mut r, &rules(), T + 3));
        assert_eq!(r.qualification.unwrap().status, Some(LeadStatus::Bad));
    }

    #[test]
    fn a_conversion_waits_for_the_voicemail_transcript() {
        let settings = |needs: bool, spots: bool| -> Integrations {
            let mut s: Integrations = serde_json::from_str(
                r#"{"conversions":[{"name":"Lead","answered_only":false}],"transcript_wait_s":600}"#,
            )
            .unwrap();
            if needs {
                s.conversions[0].status = Some(LeadStatus::Good);
            }
            s.qualify = rules();
            if !spots {
                s.qualify.retain(|r| r.phrases.is_empty());
            }
            s
        };
        let mut r = call();
        r.status = CallStatus::Missed;
        r.voicemail = Some(Recording {
            id: "RE1".into(),
            url: "https://x/RE1".into(),
            duration_s: 20,
            channels: 1,
            kind: RecordingKind::Voicemail,
        });
        let ended = r.ended_at.unwrap();
        let pending = super::super::facts::facts_of(&r);
        // (needs a qualification, a rule spots words, now, waits until)
        let table = [
            (true, true, ended + SECOND, Some(ended + 600 * SECOND)),
            (true, true, ended + 600 * SECOND, None),
            (false, true, ended + SECOND, None),
            (true, false, ended + SECOND, None),
        ];
        for (needs, spots, now, want) in table {
            assert_eq!(
                wait_until(&pending, &settings(needs, spots), now),
                want,
                "{needs} {spots} {now}"
            );
        }
        r.transcript = Some(Transcript {
            id: "TR1".into(),
            status: "completed".into(),
            text: "call me".into(),
        });
        let arrived = super::super::facts::facts_of(&r);
        assert_eq!(
            wait_until(&arrived, &settings(true, true), ended + SECOND),
            None
        );
    }
}
