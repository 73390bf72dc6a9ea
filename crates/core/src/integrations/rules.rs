//! Which calls are conversions: the site's rules, evaluated once per ended call, from its facts.

#[allow(unused_imports)]
use crate::prelude::*;

use super::facts::CallFacts;
use super::settings::ConversionRule;
use crate::call::LeadKind;

/// Why a call is not a conversion (kept on the delivery, so the owner sees why nothing was sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotConverted {
    /// The call has not ended.
    NotEnded,
    /// No rule covers the call's channel (or the site has no rules).
    NoRule,
    /// The business did not answer.
    Unanswered,
    /// Shorter than the minimum talk time.
    TooShort,
    /// Not a first-time caller (or not known to be one).
    NotFirstTime,
    /// The rule needs a qualification (tags, a status) the call does not have (yet: an operator
    /// or a transcript may still give it one, and the call is sent then).
    NotQualified,
    /// Qualified `bad` or `spam` (by an operator or a rule) before it was sent: never a
    /// conversion, whatever the rule asks (one sent before that is taken back where the platform
    /// can: `integrations::retraction`).
    Disqualified,
}

impl NotConverted {
    /// A short reason for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NotConverted::NotEnded => "call has not ended",
            NotConverted::NoRule => "no conversion rule for this channel and kind",
            NotConverted::Unanswered => "not answered",
            NotConverted::TooShort => "shorter than the minimum talk time",
            NotConverted::NotFirstTime => "not a first-time caller",
            NotConverted::NotQualified => "not qualified as the conversion requires",
            NotConverted::Disqualified => "qualified bad or spam",
        }
    }
}

/// The conversion a call is, under the first rule that covers its channel.
pub fn evaluate<'r>(
    facts: &CallFacts,
    rules: &'r [ConversionRule],
) -> Result<&'r ConversionRule, NotConverted> {
    if !facts.ended {
        return Err(NotConverted::NotEnded);
    }
    let rule = rules
        .iter()
        .find(|r| {
            r.kinds.contains(&facts.kind)
                && (r.channels.is_empty() || r.channels.contains(&facts.channel))
        })
        .ok_or(NotConverted::NoRule)?;
    let status = facts.qualification.as_ref().and_then(|q| q.status);
    if status.is_some_and(crate::qualification::LeadStatus::retracts) {
        return Err(NotConverted::Disqualified);
    }
    if facts.kind == LeadKind::Text {
        // Nobody answers a text: a rule that counts texts counts the conversation (once: it is
        // queued with the conversation's first text).
        if rule.first_time_only && facts.first_time != Some(true) {
            return Err(NotConverted::NotFirstTime);
        }
        return Ok(rule);
    }
    if rule.answered_only && !facts.answered {
        return Err(NotConverted::Unanswered);
    }
    if facts.talk_s < rule.min_talk_s {
        return Err(NotConverted::TooShort);
    }
    if rule.first_time_only && facts.first_time != Some(true) {
        return Err(NotConverted::NotFirstTime);
    }
    if rule.needs_qualification() {
        let q = facts.qualification.as_ref();
        let status_ok = rule
            .status
            .is_none_or(|s| q.and_then(|q| q.status) == Some(s));
        let tags_ok = rule.tags_any.is_empty()
            || q.is_some_and(|q| q.tags.iter().any(|t| rule.tags_any.contains(t)));
        if !(status_ok && tags_ok) {
            return Err(NotConverted::NotQualified);
        }
    }
    Ok(rule)
}

/// The conversion as sent: the rule, with the value the call's qualification gives, when it
/// gives one.
pub fn as_sent(facts: &CallFacts, rule: &ConversionRule) -> ConversionRule {
    let mut sent = rule.clone();
    if let Some(v) = facts.qualification.as_ref().and_then(|q| q.value) {
        sent.value = v;
    }
    sent
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallRecord;
    use crate::classify::Channel;
    use crate::integrations::facts::facts_of;

    fn rule(
        name: &str,
        channels: &[Channel],
        answered_only: bool,
        min: u32,
        first: bool,
    ) -> ConversionRule {
        ConversionRule {
            channels: channels.to_vec(),
            answered_only,
            min_talk_s: min,
            first_time_only: first,
            kinds: vec![LeadKind::Call],
            tags_any: Vec::new(),
            status: None,
            name: name.to_owned(),
            value: 1.0,
            currency: "USD".to_owned(),
        }
    }

    #[test]
    fn first_matching_rule_decides() {
        use Channel::*;
        use NotConverted::*;
        let rules = [
            rule("paid", &[PaidSearch, PaidSocial], true, 30, false),
            rule("new organic", &[OrganicSearch], true, 0, true),
            rule("any", &[], false, 0, false),
        ];
        // (channel, ended, answered, talk, first time, expected)
        type Row = (
            Channel,
            bool,
            bool,
            u32,
            Option<bool>,
            Result<&'static str, NotConverted>,
        );
        let table: &[Row] = &[
            (PaidSearch, true, true, 30, None, Ok("paid")),
            (PaidSearch, true, true, 29, None, Err(TooShort)),
            (PaidSocial, true, false, 0, None, Err(Unanswered)),
            (PaidSearch, false, true, 90, None, Err(NotEnded)),
            (OrganicSearch, true, true, 1, Some(true), Ok("new organic")),
            (
                OrganicSearch,
                true,
                true,
                100,
                Some(false),
                Err(NotFirstTime),
            ),
            (OrganicSearch, true, true, 100, None, Err(NotFirstTime)),
            (Direct, true, false, 0, None, Ok("any")),
        ];
        for (channel, ended, answered, talk, first, want) in table {
            let mut f = facts_of(&CallRecord::new("CA1", "demo", "+1", "+12125550101", 1));
            (f.channel, f.ended, f.answered, f.talk_s, f.first_time) =
                (*channel, *ended, *answered, *talk, *first);
            let got = evaluate(&f, &rules).map(|r| r.name.as_str());
            assert_eq!(
                got, *want,
                "{channel:?} {ended} {answered} {talk} {first:?}"
            );
        }
        let f = facts_of(&CallRecord::new("CA1", "demo", "+1", "+12125550101", 1));
        assert_eq!(evaluate(&f, &rules[..1]).map(|_| ()), Err(NotEnded));
        let mut ended = f.clone();
        ended.ended = true;
        assert_eq!(evaluate(&ended, &rules[..1]).map(|_| ()), Err(NoRule));
        assert_eq!(evaluate(&ended, &[]).map(|_| ()), Err(NoRule));
    }

    /// Texts count only under a rule whose `kinds` lists them; answered and talk time concern
    /// calls only.
    #[test]
    fn texts_count_where_a_rule_says() {
        use Channel::*;
        use NotConverted::*;
        let mut texts = rule("texts", &[PaidSearch], true, 60, false);
        texts.kinds = vec![LeadKind::Call, LeadKind::Text];
        let mut new_texts = rule("new texts", &[], true, 0, true);
        new_texts.kinds = vec![LeadKind::Text];
        let rules = [rule("calls", &[], true, 0, false), texts, new_texts];
        // (kind, channel, first time, expected)
        type Row = (
            LeadKind,
            Channel,
            Option<bool>,
            Result<&'static str, NotConverted>,
        );
        let table: &[Row] = &[
            (LeadKind::Text, PaidSearch, None, Ok("texts")),
            (LeadKind::Text, Email, Some(true), Ok("new texts")),
            (LeadKind::Text, Email, Some(false), Err(NotFirstTime)),
            (LeadKind::Call, Email, None, Err(Unanswered)),
        ];
        for (kind, channel, first, want) in table {
            let mut r = CallRecord::new("SM1", "demo", "+13105550199", "+12125550101", 1);
            r.kind = *kind;
            r.status = crate::telephony::CallStatus::Received;
            if *kind == LeadKind::Call {
                r.status = crate::telephony::CallStatus::Missed;
            }
            let mut f = facts_of(&r);
            (f.channel, f.first_time) = (*channel, *first);
            assert!(f.ended);
            assert_eq!(
                evaluate(&f, &rules).map(|r| r.name.as_str()),
                *want,
                "{kind:?} {channel:?}"
            );
        }
        let json = r#"{"name": "t", "kinds": ["call", "text"]}"#;
        let parsed: ConversionRule = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.kinds, [LeadKind::Call, LeadKind::Text]);
        let default: ConversionRule = serde_json::from_str(r#"{"name": "c"}"#).unwrap();
        assert_eq!(default.kinds, [LeadKind::Call]);
        assert!(!serde_json::to_string(&default).unwrap().contains("kinds"));
    }

    #[test]
    fn a_rule_may_require_a_qualification() {
        use crate::qualification::{LeadStatus, Qualification, QualifiedBy};
        let mut booked = rule("booked", &[], false, 0, false);
        booked.tags_any = vec!["booked".into(), "quote".into()];
        let mut good = rule("good", &[], false, 0, false);
        good.status = Some(LeadStatus::Good);
        let any = rule("any", &[], false, 0, false);
        let q = |tags: &[&str], status, value| {
            Some(Qualification {
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                status,
                value,
                by: QualifiedBy::Operator,
                at: 1,
            })
        };
        // (rule, qualification, converted, value sent)
        let table = [
            (&booked, None, Err(NotConverted::NotQualified), 0.0),
            (&booked, q(&["quote"], None, None), Ok(()), 1.0),
            (
                &booked,
                q(&["spam"], Some(LeadStatus::Good), None),
                Err(NotConverted::NotQualified),
                0.0,
            ),
            (
                &good,
                q(&[], Some(LeadStatus::Good), Some(250.0)),
                Ok(()),
                250.0,
            ),
            (
                &good,
                q(&["booked"], Some(LeadStatus::Spam), None),
                Err(NotConverted::Disqualified),
                0.0,
            ),
            // A rule that asks for no qualification still never counts a bad or spam call.
            (&any, q(&[], None, Some(40.0)), Ok(()), 40.0),
            (
                &any,
                q(&[], Some(LeadStatus::Bad), Some(40.0)),
                Err(NotConverted::Disqualified),
                0.0,
            ),
            (
                &booked,
                q(&["booked"], Some(LeadStatus::Spam), None),
                Err(NotConverted::Disqualified),
                0.0,
            ),
            (
                &good,
                q(&[], None, None),
                Err(NotConverted::NotQualified),
                0.0,
            ),
        ];
        for (rule, qualification, want, value) in table {
            let mut f = facts_of(&CallRecord::new("CA1", "demo", "+1", "+12125550101", 1));
            f.ended = true;
            f.qualification = qualification.clone();
            let got = evaluate(&f, core::slice::from_ref(rule));
            assert_eq!(got.map(|_| ()), want, "{} {qualification:?}", rule.name);
            if let Ok(r) = got {
                assert_eq!(as_sent(&f, r).value, value);
            }
        }
    }
}
