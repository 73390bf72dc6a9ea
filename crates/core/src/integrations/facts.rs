//! The facts about a finished call that the integrations read: a small struct of our own, built
//! from the call record by one function ([`facts_of`]), so that the rules and the messages do not
//! depend on how the record is shaped or stored.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::call::{CallRecord, Outcome};
use crate::classify::Channel;
use crate::consent::Tier;
use crate::qualification::Qualification;
use crate::telephony::Speaker;
use crate::Millis;

/// A Google Ads click id: exactly one per conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoogleClick {
    /// A web click (`gclid`).
    Gclid(String),
    /// An iOS app-to-web click (`gbraid`).
    Gbraid(String),
    /// An iOS web-to-app click (`wbraid`).
    Wbraid(String),
}

impl GoogleClick {
    /// The field name in Google's API (`gclid`, `gbraid`, `wbraid`) and the value.
    pub fn field(&self) -> (&'static str, &str) {
        match self {
            GoogleClick::Gclid(v) => ("gclid", v),
            GoogleClick::Gbraid(v) => ("gbraid", v),
            GoogleClick::Wbraid(v) => ("wbraid", v),
        }
    }
}

/// The visitor's GA4 ids, from the `_ga` cookies the page sent with its lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaIds {
    /// `client_id` (`<random>.<seconds>`).
    pub client_id: String,
    /// The session's id, when the session cookie was there.
    pub session_id: Option<String>,
}

/// What the integrations know about one call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFacts {
    /// The provider's call id (never shown to the receivers as anything but an id).
    pub call_id: String,
    /// The site.
    pub site: String,
    /// Whether the call has ended (only ended calls are delivered).
    pub ended: bool,
    /// Whether the business answered.
    pub answered: bool,
    /// Seconds of talk (0 when unanswered).
    pub talk_s: u32,
    /// Whether the caller called for the first time, when known.
    pub first_time: Option<bool>,
    /// The credited channel.
    pub channel: Channel,
    /// Source, medium, campaign and keyword of the credited touch.
    pub source: String,
    /// See `source`.
    pub medium: String,
    /// See `source`.
    pub campaign: String,
    /// See `source`.
    pub term: String,
    /// The tracking number dialed (ours, never the caller's).
    pub tracking_number: String,
    /// The Google click that brought the visitor, if any.
    pub google_click: Option<GoogleClick>,
    /// The Microsoft click id, if any.
    pub msclkid: Option<String>,
    /// The visitor's GA ids, when they were allowed and sent.
    pub ga: Option<GaIds>,
    /// When the call reached us.
    pub started_at: Millis,
    /// When it ended.
    pub ended_at: Option<Millis>,
    /// A call or a text conversation.
    pub kind: crate::call::LeadKind,
    /// A text conversation's messages so far (0 for a call).
    pub messages: u32,
    /// A test call (the outbox sends it to no GA4 or ad platform, and to the owner's endpoints
    /// that list `test`; their payload says so).
    pub test: bool,
    /// The consent tier the visit's page declared (`None`: unknown, never guessed).
    pub consent: Option<Tier>,
    /// The caller's number when it is one (E.164; hidden numbers are `None`): sent, hashed, only
    /// where a site opts in and the consent tier allows ad data.
    pub caller: Option<String>,
    /// The visit's `fbclid` and when the page first saw it (the credited touch's time).
    pub fbclid: Option<(String, Millis)>,
    /// The `_fbp` cookie, when the page sent it (full consent tier only).
    pub fbp: Option<String>,
    /// The call's qualification (an operator's, or the site's rules').
    pub qualification: Option<Qualification>,
    /// Whether the caller left a voicemail.
    pub voicemail: bool,
    /// A voicemail whose transcript has not arrived yet.
    pub transcript_pending: bool,
    /// The routing rule that handled the call, by name.
    pub routing_rule: Option<String>,
    /// The words said, by side ([`crate::qualification::words`]): the caller's (with the
    /// voicemail's transcript), the business's, and those whose speaker is unknown.
    pub said: Said,
}

/// The words of a call's transcripts, by side.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Said {
    /// The caller's.
    pub caller: Vec<String>,
    /// The business's.
    pub business: Vec<String>,
    /// The speaker is not known.
    pub unknown: Vec<String>,
}

/// The facts of a call record, as today's record says them: answered is `status == Answered`, talk
/// time is `duration_s` (the whole call's duration until the dial result is recorded apart), and
/// whether the caller is new is not known yet. This is the one place to change when the record
/// carries the dial result and the first-time flag.
pub fn facts_of(record: &CallRecord) -> CallFacts {
    // Answered or missed, and the talk time, from the dial result (the business's side).
    let (answered, talk_s) = match record.outcome() {
        Outcome::Answered { talk_s } => (true, talk_s),
        Outcome::Missed | Outcome::Pending | Outcome::Received => (false, 0),
    };
    let click = record.click_id.as_ref();
    let click_of = |kind: &str| {
        click
            .filter(|c| c.kind == kind && !c.value.is_empty())
            .map(|c| c.value.clone())
    };
    let google_click = record
        .gclid
        .clone()
        .filter(|g| !g.is_empty())
        .or_else(|| click_of("gclid"))
        .map(GoogleClick::Gclid)
        .or_else(|| click_of("gbraid").map(GoogleClick::Gbraid))
        .or_else(|| click_of("wbraid").map(GoogleClick::Wbraid));
    let ga = record
        .ga_client_id
        .as_ref()
        .filter(|c| !c.is_empty())
        .map(|client_id| GaIds {
            client_id: client_id.clone(),
            session_id: record.ga_session_id.clone().filter(|s| !s.is_empty()),
        });
    CallFacts {
        call_id: record.call_sid.clone(),
        site: record.site.clone(),
        ended: record.status.is_final(),
        answered,
        talk_s,
        first_time: record.first_time,
        channel: record.channel,
        source: record.source.clone(),
        medium: record.medium.clone(),
        campaign: record.campaign.clone(),
        term: record.term.clone(),
        tracking_number: record.tracking_number.clone(),
        google_click,
        msclkid: click_of("msclkid"),
        ga,
        started_at: record.started_at,
        ended_at: record.ended_at,
        kind: record.kind,
        messages: u32::try_from(record.messages.len()).unwrap_or(u32::MAX),
        test: record.test,
        consent: record.consent,
        caller: crate::phone::E164::parse(&record.caller)
            .ok()
            .map(|n| n.as_str().to_owned()),
        fbclid: click_of("fbclid").map(|id| {
            let at = record
                .attribution
                .as_ref()
                .map_or(record.started_at, |a| a.credited.at);
            (id, at)
        }),
        fbp: record.fbp.clone().filter(|f| !f.is_empty()),
        qualification: record.qualification.clone(),
        voicemail: record.voicemail.is_some(),
        transcript_pending: record.voicemail.is_some()
            && record.transcript.as_ref().is_none_or(|t| t.text.is_empty()),
        routing_rule: record
            .routing
            .as_ref()
            .filter(|r| r.rule.is_some())
            .map(|r| r.name.clone()),
        said: said_in(record),
    }
}

/// The words of the conversation's utterances, by speaker, and of the voicemail's transcript (the
/// caller's).
fn said_in(record: &CallRecord) -> Said {
    let mut said = Said::default();
    for u in &record.conversation {
        let side = match u.speaker {
            Speaker::Caller => &mut said.caller,
            Speaker::Business => &mut said.business,
            Speaker::Unknown => &mut said.unknown,
        };
        // An utterance boundary is a word boundary too: a phrase never spans two of them.
        side.push(String::new());
        side.extend(crate::qualification::words(&u.text));
    }
    if let Some(t) = &record.transcript {
        said.caller.push(String::new());
        said.caller.extend(crate::qualification::words(&t.text));
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ClickId;
    use crate::telephony::CallStatus;

    #[test]
    fn reads_the_record() {
        let click = |kind: &str, value: &str| {
            Some(ClickId {
                kind: kind.to_owned(),
                value: value.to_owned(),
            })
        };
        // (status, duration, gclid field, click id, answered, talk, google click, msclkid)
        let table = [
            (
                CallStatus::Answered,
                Some(42),
                Some("G1"),
                click("gclid", "G1"),
                true,
                42,
                Some(GoogleClick::Gclid("G1".into())),
                None,
            ),
            (
                CallStatus::Missed,
                Some(12),
                None,
                click("gbraid", "B1"),
                false,
                0,
                Some(GoogleClick::Gbraid("B1".into())),
                None,
            ),
            (
                CallStatus::Answered,
                None,
                None,
                click("wbraid", "W1"),
                true,
                0,
                Some(GoogleClick::Wbraid("W1".into())),
                None,
            ),
            (
                CallStatus::Answered,
                Some(5),
                None,
                click("msclkid", "M1"),
                true,
                5,
                None,
                Some("M1".to_owned()),
            ),
            (
                CallStatus::InProgress,
                None,
                Some(""),
                None,
                false,
                0,
                None,
                None,
            ),
        ];
        for (status, duration, gclid, click_id, answered, talk, google, ms) in table {
            let mut r = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 7);
            r.status = status;
            r.duration_s = duration;
            r.gclid = gclid.map(str::to_owned);
            r.click_id = click_id;
            let f = facts_of(&r);
            assert_eq!(
                (f.answered, f.talk_s, f.google_click, f.msclkid, f.ended),
                (answered, talk, google, ms, status.is_final()),
                "{status:?}"
            );
        }
    }

    #[test]
    fn talk_time_and_first_time_come_from_the_call_handling() {
        use crate::telephony::{DialCallStatus, DialResult};
        // The caller's call lasted 60 s, of which 35 s with the business (the dial result).
        let mut r = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 7);
        r.status = CallStatus::Answered;
        r.duration_s = Some(60);
        r.first_time = Some(true);
        r.dial = Some(DialResult {
            status: DialCallStatus::Completed,
            duration_s: 35,
            leg: None,
            number: None,
            step: 0,
        });
        let f = facts_of(&r);
        assert_eq!((f.answered, f.talk_s, f.first_time), (true, 35, Some(true)));
    }

    #[test]
    fn ga_ids_only_with_a_client_id() {
        let mut r = CallRecord::new("CA1", "demo", "+13105550199", "+12125550101", 7);
        r.ga_session_id = Some("99".into());
        assert_eq!(facts_of(&r).ga, None);
        r.ga_client_id = Some("1.2".into());
        assert_eq!(
            facts_of(&r).ga,
            Some(GaIds {
                client_id: "1.2".into(),
                session_id: Some("99".into())
            })
        );
    }
}
