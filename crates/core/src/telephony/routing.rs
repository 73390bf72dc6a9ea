//! Routing rules: where a call goes, decided from the site's local time ([`LocalTime`], from
//! `crate::civil`), the call's attribution and the caller. Per target (a pool or a static number
//! may replace the list), an ordered list of rules; the first that matches decides. A pure
//! function of its arguments.
//!
//! A call always goes somewhere: with no rule matching, or when the rules cannot be evaluated (an
//! unknown time zone), it rings the target's business line ([`fallback`]).

#[allow(unused_imports)]
use crate::prelude::*;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use crate::civil::{LocalTime, Weekday};
use crate::classify::Channel;
use crate::phone::E164;

/// Seconds a line rings when a rule does not say.
pub const DEFAULT_TIMEOUT_S: u32 = 30;

/// One routing rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A name for reports ("after hours").
    #[serde(default)]
    pub name: String,
    /// When it applies (every condition given must hold; none given: always).
    #[serde(default)]
    pub when: Match,
    /// What the call does.
    pub then: Action,
    /// Record calls this rule forwards (overrides the site's and target's setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<bool>,
    /// What a text matching this rule does (overrides the target's `texts`). Unset: the target's,
    /// except under a `reject` rule (a blocked sender's text is only kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub texts: Option<TextAction>,
}

/// What a text to a tracking number does besides being recorded as a lead.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TextAction {
    /// Forward it to this (mobile) number, prefixed with its source ("From Paid Search/spring:
    /// ..."), from the tracking number.
    Forward(E164),
    /// Answer the sender with this text, from the tracking number.
    Reply(String),
    /// Only record it.
    #[default]
    Keep,
}

/// Longest automatic reply (a few SMS segments; the reply is the business's, not a letter).
pub const MAX_REPLY: usize = 480;

impl TextAction {
    /// Checks an automatic reply's text: 1 to [`MAX_REPLY`] characters.
    pub fn validate(&self) -> Result<(), &'static str> {
        match self {
            TextAction::Reply(text) if text.trim().is_empty() => Err("texts: the reply is empty"),
            TextAction::Reply(text) if text.chars().count() > MAX_REPLY => {
                Err("texts: the reply is longer than 480 characters")
            }
            _ => Ok(()),
        }
    }

    /// Whether only keeping (the default, for `skip_serializing_if`).
    pub fn is_keep(&self) -> bool {
        *self == TextAction::Keep
    }

    /// The name in a record's routing and in reports.
    pub fn kind(&self) -> &'static str {
        match self {
            TextAction::Forward(_) => "forward",
            TextAction::Reply(_) => "reply",
            TextAction::Keep => "keep",
        }
    }
}

/// A rule's conditions. Lists match when they contain the call's value; an empty list matches all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Local weekdays (`"mon"` ... `"sun"`). With `hours` that span midnight, the day the span
    /// starts on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Weekday>,
    /// Local time of day, `"09:00-17:00"`; `"22:00-06:00"` spans midnight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
    /// Local dates (`"2026-12-25"`): closures and holidays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<LocalDate>,
    /// The call's channel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// The call's source (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The call's campaign (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<String>,
    /// The pool whose number was dialed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<String>,
    /// The static (source-level) number dialed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub static_numbers: Vec<E164>,
    /// Callers: a whole number (`"+13105550199"`) or a prefix (`"+1900"`). A blocklist is a rule
    /// with these and `"then": "reject"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub callers: Vec<String>,
}

/// What a call does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Ring one line, or several at once (the first to answer takes the call).
    Ring(Step),
    /// Ring each step in turn, the next when the previous did not answer within its timeout (or
    /// was busy, or refused the screening); then a voicemail, if given.
    Chain {
        /// The steps, in order.
        steps: Vec<Step>,
        /// Where the chain ends.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voicemail: Option<Voicemail>,
    },
    /// Take a message.
    Voicemail(Voicemail),
    /// Refuse the call (blocked callers).
    Reject,
}

/// Lines rung at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The lines.
    pub numbers: Vec<E164>,
    /// Seconds to ring (5 to 600).
    #[serde(default = "default_timeout")]
    pub timeout_s: u32,
}

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_S
}

/// A voicemail box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Voicemail {
    /// Said to the caller before the beep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    /// A recording played instead (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting_url: Option<String>,
    /// Longest message, seconds (default 120).
    #[serde(default = "default_max_length")]
    pub max_length_s: u32,
}

fn default_max_length() -> u32 {
    120
}

/// A span of local time of day, minutes since midnight, `start` included and `end` excluded. When
/// `end <= start` the span runs past midnight into the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hours {
    /// Minutes since midnight.
    pub start: u16,
    /// Minutes since midnight (`24:00` is 1440).
    pub end: u16,
}

fn minutes(hhmm: &str) -> Option<u16> {
    let (h, m) = hhmm.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

impl TryFrom<String> for Hours {
    type Error = String;
    fn try_from(s: String) -> Result<Hours, String> {
        let parsed = s
            .split_once('-')
            .and_then(|(a, b)| Some((minutes(a)?, minutes(b)?)));
        match parsed {
            Some((start, end)) if start != end && start < 24 * 60 => Ok(Hours { start, end }),
            _ => Err(format!(
                "hours {s:?} must be \"HH:MM-HH:MM\", start and end different"
            )),
        }
    }
}

impl From<Hours> for String {
    fn from(h: Hours) -> String {
        format!(
            "{:02}:{:02}-{:02}:{:02}",
            h.start / 60,
            h.start % 60,
            h.end / 60,
            h.end % 60
        )
    }
}

/// A local calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalDate(pub Date);

impl TryFrom<String> for LocalDate {
    type Error = String;
    fn try_from(s: String) -> Result<LocalDate, String> {
        match s.parse::<Date>() {
            Ok(d) if s.len() == 10 => Ok(LocalDate(d)),
            _ => Err(format!("date {s:?} must be \"YYYY-MM-DD\"")),
        }
    }
}

impl From<LocalDate> for String {
    fn from(d: LocalDate) -> String {
        d.0.to_string()
    }
}

/// What is known about a call when it is routed.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The caller's number as the provider gave it.
    pub caller: &'a str,
    /// The credited channel.
    pub channel: Channel,
    /// The credited source.
    pub source: &'a str,
    /// The credited campaign.
    pub campaign: &'a str,
    /// The pool of the dialed number.
    pub pool: Option<&'a str>,
    /// The static number dialed.
    pub static_number: Option<&'a E164>,
}

impl Match {
    /// Whether the call matches every condition given.
    pub fn matches(&self, facts: &Facts<'_>, local: &LocalTime) -> bool {
        let any = |list: &[String], value: &str| {
            list.is_empty() || list.iter().any(|v| v.eq_ignore_ascii_case(value))
        };
        let time_ok = match self.hours {
            None => self.days.is_empty() || self.days.contains(&local.weekday),
            Some(h) if h.start < h.end => {
                (self.days.is_empty() || self.days.contains(&local.weekday))
                    && (h.start..h.end).contains(&local.minute)
            }
            Some(h) => {
                // Past midnight: the evening part belongs to today, the morning part to the
                // day the span started on, yesterday.
                let day = |d: Weekday| self.days.is_empty() || self.days.contains(&d);
                (local.minute >= h.start && day(local.weekday))
                    || (local.minute < h.end && day(local.yesterday))
            }
        };
        time_ok
            && (self.dates.is_empty() || self.dates.iter().any(|d| d.0 == local.date))
            && (self.channels.is_empty() || self.channels.contains(&facts.channel))
            && any(&self.sources, facts.source)
            && any(&self.campaigns, facts.campaign)
            && (self.pools.is_empty()
                || facts
                    .pool
                    .is_some_and(|p| self.pools.iter().any(|q| q == p)))
            && (self.static_numbers.is_empty()
                || facts
                    .static_number
                    .is_some_and(|n| self.static_numbers.contains(n)))
            && (self.callers.is_empty()
                || self
                    .callers
                    .iter()
                    .any(|c| !c.is_empty() && facts.caller.starts_with(c.as_str())))
    }

    fn uses_time(&self) -> bool {
        !self.days.is_empty() || self.hours.is_some() || !self.dates.is_empty()
    }
}

/// The first rule that matches, and its position.
pub fn decide<'r>(
    rules: &'r [Rule],
    facts: &Facts<'_>,
    local: &LocalTime,
) -> Option<(usize, &'r Rule)> {
    rules
        .iter()
        .enumerate()
        .find(|(_, r)| r.when.matches(facts, local))
}

/// What the call does when no rule matches, or the rules cannot be evaluated: ring the business.
pub fn fallback(business_line: &E164) -> Action {
    Action::Ring(Step {
        numbers: vec![business_line.clone()],
        timeout_s: DEFAULT_TIMEOUT_S,
    })
}

/// One step of an action, as the call reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan<'a> {
    /// Ring these lines; `last` when no step follows if nobody answers.
    Ring {
        /// The lines and timeout.
        step: &'a Step,
        /// Whether this is the action's last step.
        last: bool,
    },
    /// Take a message.
    Voicemail(&'a Voicemail),
    /// Refuse the call.
    Reject,
    /// Nothing more to do: hang up.
    Hangup,
}

impl Action {
    /// The `step`-th thing the action does (0 first; the next one after a step was not answered).
    pub fn plan(&self, step: u32) -> Plan<'_> {
        let i = step as usize;
        match self {
            Action::Ring(s) if i == 0 => Plan::Ring {
                step: s,
                last: true,
            },
            Action::Chain { steps, voicemail } => match (steps.get(i), voicemail) {
                (Some(s), vm) => Plan::Ring {
                    step: s,
                    last: i + 1 == steps.len() && vm.is_none(),
                },
                (None, Some(vm)) if i == steps.len() => Plan::Voicemail(vm),
                _ => Plan::Hangup,
            },
            Action::Voicemail(vm) if i == 0 => Plan::Voicemail(vm),
            Action::Reject if i == 0 => Plan::Reject,
            _ => Plan::Hangup,
        }
    }

    /// A short name for reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Ring(s) if s.numbers.len() > 1 => "ring_all",
            Action::Ring(_) => "ring",
            Action::Chain { .. } => "chain",
            Action::Voicemail(_) => "voicemail",
            Action::Reject => "reject",
        }
    }
}

/// Checks a list of rules (when the configuration is written). `has_time_zone`: whether the site
/// names its time zone (rules on time need one).
pub fn validate(rules: &[Rule], has_time_zone: bool) -> Result<(), String> {
    if rules.len() > 50 {
        return Err("at most 50 routing rules".into());
    }
    for (i, rule) in rules.iter().enumerate() {
        let at = |m: &str| format!("routing rule {i} ({:?}): {m}", rule.name);
        if rule.name.len() > 64 {
            return Err(at("name longer than 64 bytes"));
        }
        if rule.when.uses_time() && !has_time_zone {
            return Err(at("days, hours and dates need the site's time_zone"));
        }
        for c in &rule.when.callers {
            let ok = c.len() >= 2
                && c.len() <= 16
                && c.starts_with('+')
                && c[1..].bytes().all(|b| b.is_ascii_digit());
            if !ok {
                return Err(at("callers must be E.164 numbers or prefixes (\"+1900\")"));
            }
        }
        if let Some(texts) = &rule.texts {
            texts.validate().map_err(&at)?;
        }
        let steps: &[Step] = match &rule.then {
            Action::Ring(s) => core::slice::from_ref(s),
            Action::Chain { steps, .. } if steps.is_empty() || steps.len() > 10 => {
                return Err(at("a chain has 1 to 10 steps"));
            }
            Action::Chain { steps, .. } => steps,
            _ => &[],
        };
        for s in steps {
            if s.numbers.is_empty() || s.numbers.len() > 10 {
                return Err(at("each step rings 1 to 10 numbers"));
            }
            if !(5..=600).contains(&s.timeout_s) {
                return Err(at("timeout_s must be 5 to 600"));
            }
        }
        let vm = match &rule.then {
            Action::Voicemail(vm) => Some(vm),
            Action::Chain { voicemail, .. } => voicemail.as_ref(),
            _ => None,
        };
        if let Some(vm) = vm {
            if vm.greeting.as_ref().is_some_and(|g| g.len() > 500) {
                return Err(at("greeting longer than 500 bytes"));
            }
            if vm
                .greeting_url
                .as_ref()
                .is_some_and(|u| !u.starts_with("https://") || u.len() > 512)
            {
                return Err(at("greeting_url must be an https URL"));
            }
            if !(5..=3600).contains(&vm.max_length_s) {
                return Err(at("max_length_s must be 5 to 3600"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::civil::Zone;
    use crate::Millis;

    fn at(utc: &str) -> Millis {
        utc.parse::<jiff::Timestamp>().unwrap().as_millisecond() as Millis
    }

    fn local_time(tz: &str, at: Millis) -> LocalTime {
        Zone::named(tz).unwrap().local(at).unwrap()
    }

    fn n(s: &str) -> E164 {
        E164::parse(s).unwrap()
    }

    /// The rules of the table: a blocklist, a closure day, office hours on weekdays, a night line
    /// from Friday 22:00 to Saturday 06:00, paid search to the sales line; else voicemail.
    fn rules() -> Vec<Rule> {
        serde_json::from_str(
            r#"[
              {"name": "blocked", "when": {"callers": ["+1900", "+13105550666"]}, "then": "reject"},
              {"name": "closed", "when": {"dates": ["2026-12-25"]}, "then": {"voicemail": {"greeting": "Merry Christmas"}}},
              {"name": "office", "when": {"days": ["mon","tue","wed","thu","fri"], "hours": "09:00-17:00"},
               "then": {"ring": {"numbers": ["+12125550100"]}}},
              {"name": "night", "when": {"days": ["fri"], "hours": "22:00-06:00"},
               "then": {"ring": {"numbers": ["+12125550177"]}}},
              {"name": "ads", "when": {"channels": ["Paid Search"], "campaigns": ["SPRING"]},
               "then": {"chain": {"steps": [{"numbers": ["+12125550133", "+12125550134"], "timeout_s": 15}],
                                   "voicemail": {}}}},
              {"name": "after hours", "then": {"voicemail": {"greeting": "We are closed"}}}
            ]"#,
        )
        .unwrap()
    }

    #[test]
    fn first_match_wins_in_local_time() {
        let rules = rules();
        let facts = |caller| Facts {
            caller,
            channel: Channel::Direct,
            source: "",
            campaign: "",
            pool: Some("visitors"),
            static_number: None,
        };
        let ads = Facts {
            channel: Channel::PaidSearch,
            campaign: "spring",
            ..facts("+13105550199")
        };
        let me = facts("+13105550199");
        // (time zone, UTC instant, facts, rule expected, why)
        let table: &[(&str, &str, Facts<'_>, &str, &str)] = &[
            // America/New_York: EST (UTC-5) until Sun 8 March 2026 02:00, then EDT (UTC-4).
            (
                "America/New_York",
                "2026-03-06T13:30:00Z",
                me,
                "after hours",
                "Fri 08:30 EST: not yet open",
            ),
            (
                "America/New_York",
                "2026-03-06T14:30:00Z",
                me,
                "office",
                "Fri 09:30 EST",
            ),
            (
                "America/New_York",
                "2026-03-09T13:30:00Z",
                me,
                "office",
                "Mon 09:30 EDT: the same UTC time is open after the change",
            ),
            (
                "America/New_York",
                "2026-03-09T21:30:00Z",
                me,
                "after hours",
                "Mon 17:30 EDT",
            ),
            (
                "America/New_York",
                "2026-03-08T06:59:00Z",
                me,
                "after hours",
                "Sun 01:59 EST, a minute before the change",
            ),
            // EDT until Sun 1 November 2026 02:00, then EST.
            (
                "America/New_York",
                "2026-10-30T13:30:00Z",
                me,
                "office",
                "Fri 09:30 EDT",
            ),
            (
                "America/New_York",
                "2026-11-02T13:30:00Z",
                me,
                "after hours",
                "Mon 08:30 EST: the same UTC time is closed after the change",
            ),
            (
                "America/New_York",
                "2026-11-02T14:00:00Z",
                me,
                "office",
                "Mon 09:00 EST",
            ),
            // Europe/Berlin: CET (UTC+1) until Sun 29 March 2026 02:00, then CEST (UTC+2).
            (
                "Europe/Berlin",
                "2026-03-27T07:30:00Z",
                me,
                "after hours",
                "Fri 08:30 CET",
            ),
            (
                "Europe/Berlin",
                "2026-03-30T07:30:00Z",
                me,
                "office",
                "Mon 09:30 CEST",
            ),
            // CEST until Sun 25 October 2026 03:00, then CET.
            (
                "Europe/Berlin",
                "2026-10-23T07:30:00Z",
                me,
                "office",
                "Fri 09:30 CEST",
            ),
            (
                "Europe/Berlin",
                "2026-10-26T07:30:00Z",
                me,
                "after hours",
                "Mon 08:30 CET",
            ),
            (
                "Europe/Berlin",
                "2026-10-26T15:59:00Z",
                me,
                "office",
                "Mon 16:59 CET",
            ),
            // Spanning midnight: Friday 22:00 to Saturday 06:00 in New York.
            (
                "America/New_York",
                "2026-03-07T03:30:00Z",
                me,
                "night",
                "Fri 22:30 EST",
            ),
            (
                "America/New_York",
                "2026-03-07T10:59:00Z",
                me,
                "night",
                "Sat 05:59 EST",
            ),
            (
                "America/New_York",
                "2026-03-07T11:00:00Z",
                me,
                "after hours",
                "Sat 06:00 EST: over",
            ),
            (
                "America/New_York",
                "2026-03-08T03:30:00Z",
                me,
                "after hours",
                "Sat 22:30: not Friday",
            ),
            (
                "America/New_York",
                "2026-03-06T10:30:00Z",
                me,
                "after hours",
                "Fri 05:30: that night began on Thursday",
            ),
            // A closure day: Friday 25 December 2026, 10:00 in New York, is not office hours.
            (
                "America/New_York",
                "2026-12-25T15:00:00Z",
                me,
                "closed",
                "Christmas",
            ),
            (
                "America/New_York",
                "2026-12-24T15:00:00Z",
                me,
                "office",
                "the day before",
            ),
            (
                "America/New_York",
                "2026-12-26T04:30:00Z",
                me,
                "closed",
                "Fri 23:30 local is still the 25th",
            ),
            // Attribution and caller.
            (
                "America/New_York",
                "2026-03-07T16:00:00Z",
                ads,
                "ads",
                "Saturday, Paid Search, spring (any case)",
            ),
            (
                "America/New_York",
                "2026-03-06T15:00:00Z",
                facts("+19005550100"),
                "blocked",
                "a blocked prefix, in office hours",
            ),
            (
                "America/New_York",
                "2026-03-06T15:00:00Z",
                facts("+13105550666"),
                "blocked",
                "a blocked number",
            ),
        ];
        for (tz, utc, facts, want, why) in table {
            let local = local_time(tz, at(utc));
            let got = decide(&rules, facts, &local).map(|(_, r)| r.name.as_str());
            assert_eq!(got, Some(*want), "{tz} {utc}: {why}");
        }
    }

    #[test]
    fn an_unknown_zone_is_an_error_the_shell_routes_around() {
        assert!(Zone::named("Mars/Olympus").is_none());
        assert_eq!(
            fallback(&n("+12125550100")).plan(0),
            Plan::Ring {
                step: &Step {
                    numbers: vec![n("+12125550100")],
                    timeout_s: 30
                },
                last: true
            }
        );
    }

    #[test]
    fn a_chain_goes_step_by_step_then_to_voicemail() {
        let a = Step {
            numbers: vec![n("+12125550100")],
            timeout_s: 15,
        };
        let b = Step {
            numbers: vec![n("+12125550101"), n("+12125550102")],
            timeout_s: 20,
        };
        let vm = Voicemail::default();
        let chain = Action::Chain {
            steps: vec![a.clone(), b.clone()],
            voicemail: Some(vm.clone()),
        };
        let bare = Action::Chain {
            steps: vec![a.clone()],
            voicemail: None,
        };
        // (action, step, plan)
        let table = [
            (
                &chain,
                0,
                Plan::Ring {
                    step: &a,
                    last: false,
                },
            ),
            (
                &chain,
                1,
                Plan::Ring {
                    step: &b,
                    last: false,
                },
            ),
            (&chain, 2, Plan::Voicemail(&vm)),
            (&chain, 3, Plan::Hangup),
            (
                &bare,
                0,
                Plan::Ring {
                    step: &a,
                    last: true,
                },
            ),
            (&bare, 1, Plan::Hangup),
        ];
        for (action, step, want) in table {
            assert_eq!(action.plan(step), want, "step {step}");
        }
        assert_eq!(Action::Reject.plan(0), Plan::Reject);
        assert_eq!(Action::Reject.plan(1), Plan::Hangup);
    }

    #[test]
    fn refuses_rules_it_could_not_follow() {
        // (rules JSON, has time zone, error contains)
        let table = [
            (
                r#"[{"when": {"hours": "09:00-17:00"}, "then": "reject"}]"#,
                false,
                Some("time_zone"),
            ),
            (
                r#"[{"when": {"hours": "09:00-17:00"}, "then": "reject"}]"#,
                true,
                None,
            ),
            (
                r#"[{"when": {"callers": ["1900"]}, "then": "reject"}]"#,
                true,
                Some("callers"),
            ),
            (
                r#"[{"then": {"chain": {"steps": []}}}]"#,
                true,
                Some("1 to 10 steps"),
            ),
            (
                r#"[{"then": {"ring": {"numbers": ["+12125550100"], "timeout_s": 2}}}]"#,
                true,
                Some("timeout_s"),
            ),
            (
                r#"[{"then": {"voicemail": {"greeting_url": "http://x"}}}]"#,
                true,
                Some("https"),
            ),
        ];
        for (json, tz, want) in table {
            let rules: Vec<Rule> = serde_json::from_str(json).unwrap();
            let got = validate(&rules, tz);
            match want {
                None => assert_eq!(got, Ok(()), "{json}"),
                Some(w) => assert!(
                    got.as_ref().is_err_and(|e| e.contains(w)),
                    "{json}: {got:?}"
                ),
            }
        }
        // Malformed times are refused when the configuration is read.
        for bad in [
            r#""9-17""#,
            r#""09:00-09:00""#,
            r#""25:00-26:00""#,
            r#""09:60-10:00""#,
        ] {
            assert!(serde_json::from_str::<Hours>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<LocalDate>(r#""2026-13-01""#).is_err());
        assert_eq!(
            serde_json::to_string(&serde_json::from_str::<Hours>(r#""22:00-06:00""#).unwrap())
                .unwrap(),
            r#""22:00-06:00""#
        );
    }
}
