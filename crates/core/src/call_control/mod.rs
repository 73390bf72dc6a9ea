//! Call control: what a call does and the markup that says it, decided from the call's record, the
//! dialed number's route, the site's configuration and the time. Sans I/O, in the shape of the
//! lease engine: the worker reads KV, the pool and the call log, calls these functions, writes
//! what they return and answers with the markup they give.
//!
//! A call's life here:
//! 1. [`incoming`]: the incoming-call webhook, with what the worker could read of the number
//!    ([`Lookup`]). When it could not read enough, the call still goes somewhere ([`Fallback`]): an
//!    unrouted number rings the operator's fallback line or says it is not in service; a site
//!    whose configuration cannot be read rings the business line its number's route keeps; a
//!    number that routes to no target is not in service. Otherwise the call is [`Routed`]: its
//!    record, attributed already for a static number, and the pool shard to ask whose call it is.
//! 2. [`Routed::credit_pool`]: the pool's answer, credited.
//! 3. [`Routed::answer`]: the site's routing rule (first match, in the site's time zone), the
//!    record to write, and the first step's markup.
//! 4. [`dial_result`] and [`next_step`]: a forwarding step ended. The result to store; then, from
//!    the record the call log holds (the caller's attribution, for the whisper), the next step of
//!    the rule's action (the next line of a chain, the voicemail) or a hang-up.
//! 5. [`whisper`] and [`screen`]: the business's leg, before the caller is connected.
//!
//! A test call ([`test_call`]) takes the same steps, from events built in place of the
//! provider's webhooks, and carries the record's `test` mark ([`Routed::mark_test`]).
//!
//! What a step says is [`Handling::render`]: the whisper from the call's attribution on every
//! step, recording by the rule, else the target, else the site; the recording announcement and
//! the conversation's transcription with the first step only; each callback URL written (and, for
//! a provider that needs it, sealed) for this call.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::api::GaCookies;
use crate::attribution::Attribution;
use crate::call::{CallRecord, NumberKind, RoutingInfo};
use crate::civil::Zone;
use crate::config::{NumberRoute, PoolConfig, SiteConfig, Target};
use crate::lease;
use crate::phone::E164;
use crate::telephony::callback::Callback;
use crate::telephony::markup::{self, Dialect};
use crate::telephony::routing::{self, Action, Facts, Plan, Rule};
use crate::telephony::{whisper, DialCallback, DialResult, IncomingCall, Provider, RecordingKind};
use crate::Millis;

pub mod test_call;
#[cfg(test)]
mod tests;

/// What the caller hears when the number cannot be routed anywhere.
pub const NOT_IN_SERVICE: &str = "The number you have called is not in service.";

/// How an answer's callback URLs are written.
#[derive(Debug, Clone, Copy)]
pub struct Callbacks<'a> {
    /// The provider whose webhook is being answered.
    pub provider: Provider,
    /// The key callback URLs are sealed with (`CALLBACK_SECRET`), for a provider whose signature
    /// does not cover the URL.
    pub seal_key: &'a str,
    /// The worker's origin as the provider sees it, for the one callback a provider wants
    /// absolute (the real-time transcription's).
    pub origin: &'a str,
}

impl Callbacks<'_> {
    fn dialect(&self) -> Dialect {
        self.provider.dialect()
    }

    fn url(&self, callback: &Callback, call_id: &str) -> String {
        callback.url(self.provider, self.seal_key, call_id)
    }
}

/// What the worker could read about the dialed number.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    /// No route: the number is not ours (any more), or its route could not be read. The
    /// operator's fallback line (`FALLBACK_FORWARD_TO`), if set.
    Unrouted(Option<&'a E164>),
    /// The number's route, but not its site's configuration.
    SiteUnreadable(&'a NumberRoute),
    /// Both.
    Site(&'a NumberRoute, &'a SiteConfig),
}

impl<'a> Lookup<'a> {
    /// What the worker read: the number's route, if it could, and then the site's configuration,
    /// if it could; the operator's fallback line for a number without a route.
    pub fn of(
        route: Option<&'a NumberRoute>,
        config: Option<&'a SiteConfig>,
        fallback_line: Option<&'a E164>,
    ) -> Lookup<'a> {
        match (route, config) {
            (None, _) => Lookup::Unrouted(fallback_line),
            (Some(route), None) => Lookup::SiteUnreadable(route),
            (Some(route), Some(config)) => Lookup::Site(route, config),
        }
    }
}

/// Why a call was answered without its site's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// The number has no route.
    Unrouted,
    /// The site's configuration could not be read.
    SiteUnreadable,
    /// The number routes to the site, but to none of its targets.
    NoTarget,
}

impl Fallback {
    /// For the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::Unrouted => "unrouted number",
            Fallback::SiteUnreadable => "site configuration unreadable",
            Fallback::NoTarget => "number matches no target",
        }
    }
}

/// The first decision on an incoming call.
#[derive(Debug)]
pub enum Incoming<'a> {
    /// Answer at once with this markup; nothing is recorded.
    Answer {
        /// The markup.
        markup: String,
        /// Why.
        fallback: Fallback,
    },
    /// A call to route: ask whose it is (when [`Routed::pool_shard`] says), then answer.
    Route(Box<Routed<'a>>),
}

/// An incoming call to one of a site's targets, on its way to an answer.
#[derive(Debug)]
pub struct Routed<'a> {
    record: CallRecord,
    route: &'a NumberRoute,
    config: &'a SiteConfig,
    target: &'a Target,
    pool_shard: Option<(&'a PoolConfig, u32)>,
}

/// A lead to one of a site's numbers, attributed as a call to it is (see
/// [`Routed::into_attributed`]).
#[derive(Debug)]
pub struct Attributed<'a> {
    /// Its record, attributed.
    pub record: CallRecord,
    /// The number's route.
    pub route: &'a NumberRoute,
    /// The site.
    pub config: &'a SiteConfig,
    /// The target the number stands for.
    pub target: &'a Target,
}

/// What the pool remembers of the visit whose session held the number.
#[derive(Debug, Clone)]
pub struct Visit<'v> {
    /// The visit's attribution.
    pub attribution: Attribution,
    /// Its GA cookies, when the visitor allowed analytics storage.
    pub ga: Option<&'v GaCookies>,
    /// The consent tier its page declared.
    pub consent: Option<crate::consent::Tier>,
    /// Its `_fbp` cookie (full tier only).
    pub fbp: Option<&'v str>,
}

/// An incoming call's answer: the record to write before answering, and the markup.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The call's record, with its attribution and routing.
    pub record: CallRecord,
    /// The markup.
    pub markup: String,
    /// Why the site's rules were not evaluated, when they were not (for the log).
    pub rules_error: Option<String>,
}

/// An incoming call: answered at once when the number cannot be routed, else routed.
pub fn incoming<'a>(
    call: &IncomingCall,
    provider: Provider,
    lookup: Lookup<'a>,
    now: Millis,
) -> Incoming<'a> {
    let dialect = provider.dialect();
    let (route, config) = match lookup {
        Lookup::Unrouted(fallback_line) => {
            return Incoming::Answer {
                markup: match fallback_line {
                    Some(line) => plain_dial(dialect, line),
                    None => markup::say(dialect, NOT_IN_SERVICE),
                },
                fallback: Fallback::Unrouted,
            };
        }
        Lookup::SiteUnreadable(route) => {
            // The number's route still knows the business line.
            return Incoming::Answer {
                markup: match &route.forward_to {
                    Some(line) => plain_dial(dialect, line),
                    None => markup::say(dialect, NOT_IN_SERVICE),
                },
                fallback: Fallback::SiteUnreadable,
            };
        }
        Lookup::Site(route, config) => (route, config),
    };
    let Some(target) = target_of(route, config) else {
        return Incoming::Answer {
            markup: markup::say(dialect, NOT_IN_SERVICE),
            fallback: Fallback::NoTarget,
        };
    };
    let mut record = CallRecord::new(&call.call_id, &config.id, &call.from, call.to.as_str(), now);
    record.provider = provider;
    record.forwarded_to = Some(target.forward_to().clone());
    let mut pool_shard = None;
    if let Some(pool_id) = &route.pool {
        record.number_kind = NumberKind::Pool;
        pool_shard = config
            .pool(pool_id)
            .and_then(|p| Some((p, p.shard_of_number(&call.to)?)));
    } else if let Some(s) = route
        .static_number
        .and_then(|i| config.static_numbers.get(i))
    {
        record.number_kind = NumberKind::Static;
        record.channel = s.channel;
        record.source = s.source.clone();
        record.medium = s.medium.clone();
        record.campaign = s.campaign.clone();
        record.confidence = 1.0;
    }
    Incoming::Route(Box::new(Routed {
        record,
        route,
        config,
        target,
        pool_shard,
    }))
}

impl<'a> Routed<'a> {
    /// The pool and shard to ask whose call this is, for a pool number.
    pub fn pool_shard(&self) -> Option<(&'a PoolConfig, u32)> {
        self.pool_shard
    }

    /// The site's configuration.
    pub fn config(&self) -> &'a SiteConfig {
        self.config
    }

    /// The record as it stands.
    pub fn record(&self) -> &CallRecord {
        &self.record
    }

    /// The provider the site says owns the number, when it is not the one whose webhook this is
    /// (the call is still answered: the site's setting may simply be out of date).
    pub fn provider_mismatch(&self) -> Option<Provider> {
        (self.route.provider != self.record.provider).then_some(self.route.provider)
    }

    /// Marks the call as a test call ([`test_call`]): everything else about it is a real call's.
    pub fn mark_test(&mut self) {
        self.record.test = true;
    }

    /// Credits the pool's answer: who held the number, and the visit of the likeliest session.
    pub fn credit_pool(&mut self, who: &lease::Attribution, visit: Option<Visit<'_>>) {
        let r = &mut self.record;
        r.confidence = who.confidence;
        r.session = who.best.as_ref().map(|c| c.session.clone());
        r.candidates = who.candidates.iter().map(|c| c.session.clone()).collect();
        if let Some(visit) = visit {
            if let Some(cookies) = visit.ga {
                r.ga_client_id = crate::ga::client_id(&cookies.client);
                r.ga_session_id = crate::ga::session_id(&cookies.session);
            }
            r.consent = visit.consent;
            r.fbp = visit.fbp.map(str::to_owned);
            r.credit(visit.attribution);
        }
    }

    /// The lead, attributed, without a call's answer: what a text to the number needs (its record,
    /// the number's route, the site and the target the number stands for).
    pub fn into_attributed(self) -> Attributed<'a> {
        Attributed {
            record: self.record,
            route: self.route,
            config: self.config,
            target: self.target,
        }
    }

    /// Routes the call at `now`: the rule that matches, the record with its routing, and the
    /// first step's markup.
    pub fn answer(self, callbacks: &Callbacks<'_>, now: Millis) -> Answer {
        let mut record = self.record;
        let (handling, info, rules_error) =
            decide(self.config, self.route, self.target, &record, now);
        record.routing = Some(info);
        let markup = handling.render(&record, 0, callbacks);
        Answer {
            record,
            markup,
            rules_error,
        }
    }
}

/// How a call is handled: the site, the target its number stands for, its rules, the rule that
/// matched (`None`: none did, the business line rings) and what that rule does.
#[derive(Debug, Clone)]
pub struct Handling<'a> {
    config: &'a SiteConfig,
    target: &'a Target,
    rules: &'a [Rule],
    rule: Option<u32>,
    action: Action,
}

impl<'a> Handling<'a> {
    /// A call's handling re-read for one of its callbacks: the rule its URL names, in the site's
    /// configuration as it is now (a rule that is gone rings the business line). `None` when the
    /// number no longer stands for a target.
    pub fn of(route: &NumberRoute, config: &'a SiteConfig, rule: Option<u32>) -> Option<Self> {
        let target = target_of(route, config)?;
        let rules = config.rules_for(route);
        let action = match rule.and_then(|i| rules.get(i as usize)) {
            Some(r) => r.then.clone(),
            None => routing::fallback(target.forward_to()),
        };
        Some(Handling {
            config,
            target,
            rules,
            rule,
            action,
        })
    }

    /// The lines step `step` rings (none when it rings nobody).
    pub fn rang(&self, step: u32) -> &[E164] {
        match self.action.plan(step) {
            Plan::Ring { step: s, .. } => &s.numbers,
            _ => &[],
        }
    }

    /// The markup of step `step` for the call whose record this is.
    pub fn render(&self, record: &CallRecord, step: u32, callbacks: &Callbacks<'_>) -> String {
        let dialect = callbacks.dialect();
        let site = self.config.id.as_str();
        let call = record.call_sid.as_str();
        let url = |callback: Callback| callbacks.url(&callback, call);
        match self.action.plan(step) {
            Plan::Ring { step: s, .. } => {
                let record_call = self.records();
                let first = step == 0;
                let whisper_url = self.target.whisper.then(|| {
                    url(Callback::Whisper {
                        site: site.to_owned(),
                        say: self.whisper_text(record),
                        screen: self.target.screen,
                    })
                });
                let recording_callback = url(Callback::Recording {
                    site: site.to_owned(),
                    kind: RecordingKind::Call,
                });
                let action_url = url(Callback::Dial {
                    site: site.to_owned(),
                    rule: self.rule,
                    step,
                });
                // Which line picks up: each line's `answered` event, with the step that rang it.
                let leg_callback = url(Callback::Answered {
                    site: site.to_owned(),
                    step,
                });
                // The conversation's transcript: started once, with the first step, where the
                // site transcribes and this call is recorded (the recording notice covers both).
                // Absolute: Twilio's real-time transcription does not resolve a relative URL.
                let transcription_callback =
                    (record_call && first && self.config.recording.transcribe).then(|| {
                        let relative = url(Callback::Transcript {
                            site: site.to_owned(),
                            conversation: true,
                        });
                        [callbacks.origin, &relative].concat()
                    });
                markup::dial(
                    dialect,
                    &markup::Dial {
                        to: &s.numbers,
                        timeout_s: s.timeout_s,
                        record: record_call,
                        announcement: if record_call && first {
                            self.config.recording.announcement.as_deref()
                        } else {
                            None
                        },
                        recording_callback: record_call.then_some(recording_callback.as_str()),
                        whisper_url: whisper_url.as_deref(),
                        action_url: Some(&action_url),
                        leg_callback: Some(&leg_callback),
                        transcription_callback: transcription_callback.as_deref(),
                    },
                )
            }
            Plan::Voicemail(vm) => {
                let recording_callback = url(Callback::Recording {
                    site: site.to_owned(),
                    kind: RecordingKind::Voicemail,
                });
                let transcript_callback = url(Callback::Transcript {
                    site: site.to_owned(),
                    conversation: false,
                });
                markup::voicemail(
                    dialect,
                    &markup::Voicemail {
                        greeting: vm.greeting.as_deref(),
                        greeting_url: vm.greeting_url.as_deref(),
                        max_length_s: vm.max_length_s,
                        recording_callback: &recording_callback,
                        transcript_callback: self
                            .config
                            .recording
                            .transcribe
                            .then_some(transcript_callback.as_str()),
                    },
                )
            }
            Plan::Reject => markup::reject(dialect),
            Plan::Hangup => markup::hangup(dialect),
        }
    }

    /// Whether the call is recorded: as its rule says, else as its target or the site does.
    fn records(&self) -> bool {
        self.rule
            .and_then(|i| self.rules.get(i as usize))
            .and_then(|r| r.record)
            .unwrap_or(self.target.record || self.config.recording.record)
    }

    /// What the business hears, from the call's attribution.
    fn whisper_text(&self, record: &CallRecord) -> String {
        let template = self
            .target
            .whisper_template
            .as_deref()
            .unwrap_or(whisper::DEFAULT_TEMPLATE);
        whisper::render(
            template,
            &whisper::Fields {
                channel: record.channel.as_str(),
                source: &record.source,
                medium: &record.medium,
                campaign: &record.campaign,
                keyword: &record.term,
                number: &record.tracking_number,
            },
        )
    }
}

/// The routing decision for a call: how it is handled, what its record says of it, and why the
/// rules were not evaluated if they were not (the business line rings then).
fn decide<'a>(
    config: &'a SiteConfig,
    route: &NumberRoute,
    target: &'a Target,
    record: &CallRecord,
    at: Millis,
) -> (Handling<'a>, RoutingInfo, Option<String>) {
    let rules = config.rules_for(route);
    let handling = |rule: Option<usize>| {
        let matched = rule.and_then(|i| Some((u32::try_from(i).ok()?, rules.get(i)?)));
        Handling {
            config,
            target,
            rules,
            rule: matched.map(|(i, _)| i),
            action: match matched {
                Some((_, r)) => r.then.clone(),
                None => routing::fallback(target.forward_to()),
            },
        }
    };
    let info = |h: &Handling<'_>, fallback: Option<String>| RoutingInfo {
        rule: h.rule,
        name: h
            .rule
            .and_then(|i| rules.get(i as usize))
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        action: h.action.kind().to_owned(),
        fallback,
    };
    match matching_rule(config, route, record, at) {
        Ok(rule) => {
            let h = handling(rule);
            let fallback =
                (h.rule.is_none() && !rules.is_empty()).then(|| "no rule matched".to_owned());
            let i = info(&h, fallback);
            (h, i, None)
        }
        Err(why) => {
            let h = handling(None);
            let i = info(&h, Some(why.clone()));
            (h, i, Some(why))
        }
    }
}

/// The position of the rule (of those the number's route follows) that matches the lead whose
/// record this is at `at`, in the site's time zone: `Ok(None)` when none does (or there are
/// none), `Err(why)` when the rules cannot be evaluated (an unknown time zone). A call and a text
/// to the same number read the same rules.
pub fn matching_rule(
    config: &SiteConfig,
    route: &NumberRoute,
    record: &CallRecord,
    at: Millis,
) -> Result<Option<usize>, String> {
    let rules = config.rules_for(route);
    if rules.is_empty() {
        return Ok(None);
    }
    let static_number = route
        .static_number
        .and_then(|i| config.static_numbers.get(i))
        .map(|s| &s.number);
    let facts = Facts {
        caller: &record.caller,
        channel: record.channel,
        source: &record.source,
        campaign: &record.campaign,
        pool: route.pool.as_deref(),
        static_number,
    };
    let tz = config.time_zone.as_deref().unwrap_or("UTC");
    let local = match Zone::named(tz) {
        Some(zone) => zone
            .local(at)
            .ok_or_else(|| "time out of range".to_owned())?,
        None => return Err(["unknown time zone \"", tz, "\""].concat()),
    };
    Ok(routing::decide(rules, &facts, &local).map(|(i, _)| i))
}

/// The result to store for a `<Dial action>` callback that ended step `step` of the call's
/// handling (`None` when the number no longer routes: the lines it rang are then unknown).
pub fn dial_result(
    callback: &DialCallback,
    step: u32,
    handling: Option<&Handling<'_>>,
) -> DialResult {
    DialResult::of(callback, step, handling.map_or(&[], |h| h.rang(step)))
}

/// What the call does once a step ended with `result`, from its record as the call log holds it
/// after the result: nothing more when the business answered or the handling is unknown (hang
/// up), else the handling's next step.
pub fn next_step(
    handling: Option<&Handling<'_>>,
    record: &CallRecord,
    result: &DialResult,
    callbacks: &Callbacks<'_>,
) -> String {
    match handling {
        Some(h) if !result.status.answered() => h.render(record, result.step + 1, callbacks),
        _ => markup::hangup(callbacks.dialect()),
    }
}

/// The record a next step is rendered from when the call log could not be asked for the call's:
/// only what the callback says (no attribution, so the whisper says what a call of unknown source
/// is). The call still rings the next step.
pub fn unstored(dialed: &DialCallback, site: &str) -> CallRecord {
    CallRecord::new(
        &dialed.call.call_id,
        site,
        &dialed.call.caller,
        dialed.to.as_str(),
        0,
    )
}

/// The whisper leg's markup: what the business hears (cut to the whisper's length), and with
/// `screen` the press-1 prompt whose answer goes to the screening callback, written for the
/// caller's call `call_id`.
pub fn whisper(
    callbacks: &Callbacks<'_>,
    site: &str,
    say: &str,
    screen: bool,
    call_id: &str,
) -> String {
    let text: String = say.chars().take(whisper::MAX_WHISPER).collect();
    let screen_url = screen.then(|| {
        callbacks.url(
            &Callback::Screen {
                site: site.to_owned(),
            },
            call_id,
        )
    });
    markup::whisper(callbacks.dialect(), &text, screen_url.as_deref())
}

/// The screening's answer: connect the caller when the business accepted, else hang up this leg
/// (the step then ends unanswered, and a chain goes on).
pub fn screen(provider: Provider, accepted: bool) -> String {
    if accepted {
        markup::accept(provider.dialect())
    } else {
        markup::hangup(provider.dialect())
    }
}

/// The business line, rung for 30 seconds, nothing else (when nothing more is known).
fn plain_dial(dialect: Dialect, to: &E164) -> String {
    markup::dial(
        dialect,
        &markup::Dial {
            to: core::slice::from_ref(to),
            timeout_s: routing::DEFAULT_TIMEOUT_S,
            record: false,
            announcement: None,
            recording_callback: None,
            whisper_url: None,
            action_url: None,
            leg_callback: None,
            transcription_callback: None,
        },
    )
}

/// The target a number's route stands for.
fn target_of<'c>(route: &NumberRoute, config: &'c SiteConfig) -> Option<&'c Target> {
    match (&route.pool, route.static_number) {
        (Some(pool), _) => config.target_of_pool(pool),
        (None, Some(i)) => config
            .static_numbers
            .get(i)
            .and_then(|s| config.target(&s.target)),
        (None, None) => None,
    }
}
