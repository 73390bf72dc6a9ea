//! Test calls: a call the operator places on a site (`POST /v1/sites/{site}/test-calls`, `dni
//! test-call`) to see the whole chain work before a customer calls. It is not a second path: the
//! worker runs it through the same call control as a real call (the incoming call, the pool's
//! "whose call", the routing rule, the dial result, the final status), from the events built
//! here in place of the provider's webhooks. What differs is only the record's `test` mark
//! (set by [`super::Routed::mark_test`]), which the reports and the outbox read.
//!
//! Which number is called, and what the call is credited to:
//! - a static number is called as it is: its call is credited to its own channel;
//! - with a channel (or a source, medium or campaign), a pool number is leased for a synthetic
//!   visit from a landing URL tagged so that the site's own classifier gives that channel
//!   ([`landing_tags`]), and that number is called: the attribution is the pool's, as for a
//!   visitor's call;
//! - a pool number without a channel is called as it is: whoever holds it is credited (usually
//!   nobody: Direct).

#[allow(unused_imports)]
use crate::prelude::*;

use serde::Deserialize;

use crate::attribution::{attribute, Attribution, Journey, RawTouch};
use crate::classify::{Channel, Options};
use crate::config::{PoolConfig, SiteConfig};
use crate::phone::E164;
use crate::telephony::{
    CallRef, CallStatus, DialCallStatus, DialCallback, IncomingCall, StatusUpdate,
};
use crate::Millis;

/// The caller a test call comes from when the request names none (a fictional number: 555-01xx).
pub const DEFAULT_CALLER: &str = "+12025550123";
/// Seconds the business "talks" on a test call that a line answers.
pub const TALK_S: u32 = 42;
/// Seconds a test call "rings" before the line answers.
pub const RING_S: u32 = 3;
/// The campaign a synthetic visit's landing URL carries unless the request names one.
pub const DEFAULT_CAMPAIGN: &str = "dni-test-call";
/// Longest source, medium or campaign accepted.
pub const MAX_FIELD: usize = 100;
/// The prefix of a test call's id (a provider's ids never start so: Twilio's are `CA…`, Telnyx's
/// `v3:…` or a UUID), so a test call can never take a real call's record.
pub const ID_PREFIX: &str = "test-";

/// The request's body (every field optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCallRequest {
    /// The tracking number to call (a pool or static number of the site); default: the first
    /// pool's first number, else the first static number. With a channel, any number of the pool
    /// to lease from.
    #[serde(default)]
    pub number: Option<String>,
    /// The GA4 channel to credit the call to, through a synthetic visit (pool numbers only).
    #[serde(default)]
    pub channel: Option<String>,
    /// The synthetic visit's `utm_source` (default: the channel's, [`landing_tags`]).
    #[serde(default)]
    pub source: Option<String>,
    /// Its `utm_medium`.
    #[serde(default)]
    pub medium: Option<String>,
    /// Its `utm_campaign` (default [`DEFAULT_CAMPAIGN`], or the channel's).
    #[serde(default)]
    pub campaign: Option<String>,
    /// The caller, E.164 or `anonymous` (default [`DEFAULT_CALLER`]).
    #[serde(default)]
    pub caller: Option<String>,
}

/// Why a test call cannot be placed (each a 4xx: nothing is recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestCallError {
    /// The site has no tracking number at all.
    NoNumbers,
    /// `number` is not E.164.
    BadNumber,
    /// `number` is none of the site's pool or static numbers.
    UnknownNumber,
    /// `channel` is not a GA4 channel name.
    UnknownChannel,
    /// A channel (or source, medium, campaign) was asked of a static number.
    StaticNumberHasItsChannel,
    /// The pool has no target that shows its numbers.
    PoolWithoutTarget,
    /// A source, medium or campaign is empty or too long.
    BadField(&'static str),
    /// `caller` is neither E.164 nor `anonymous`.
    BadCaller,
    /// The source and medium given classify as another channel than the one asked.
    ChannelMismatch {
        /// The channel asked.
        asked: Channel,
        /// The channel the site's classifier gives the synthetic visit.
        got: Channel,
    },
}

impl TestCallError {
    /// What the operator is told.
    pub fn message(&self) -> String {
        match self {
            TestCallError::NoNumbers => "the site has no tracking number to call".to_owned(),
            TestCallError::BadNumber => "number must be E.164, such as +12125550101".to_owned(),
            TestCallError::UnknownNumber => {
                "number is not one of the site's pool or static numbers".to_owned()
            }
            TestCallError::UnknownChannel => [
                "unknown channel; one of: ",
                &Channel::ALL.map(Channel::as_str).join(", "),
            ]
            .concat(),
            TestCallError::StaticNumberHasItsChannel => {
                "a static number's calls are credited to its own channel: leave out channel, \
                 source, medium and campaign, or call a pool number"
                    .to_owned()
            }
            TestCallError::PoolWithoutTarget => {
                "no target of the site shows this pool's numbers".to_owned()
            }
            TestCallError::BadField(name) => [name, " must be 1 to 100 characters"].concat(),
            TestCallError::BadCaller => {
                "caller must be E.164, such as +12025550123, or anonymous".to_owned()
            }
            TestCallError::ChannelMismatch { asked, got } => [
                "this source and medium classify as ",
                got.as_str(),
                ", not ",
                asked.as_str(),
            ]
            .concat(),
        }
    }
}

/// What number a test call dials.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement<'a> {
    /// This number, as it is.
    Number(E164),
    /// A number of this pool, leased for a synthetic visit first.
    Visit {
        /// The pool to lease from.
        pool: &'a PoolConfig,
        /// The site's number the pool's numbers stand for (the lease's target).
        target: E164,
        /// The visit: its landing page and attribution, as the lease route would compute them
        /// from a page with that URL.
        page: String,
        /// See `page`.
        attribution: Box<Attribution>,
    },
}

/// A test call, planned.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan<'a> {
    /// What it dials.
    pub placement: Placement<'a>,
    /// Who calls.
    pub caller: String,
}

/// The `utm_source`, `utm_medium` and `utm_campaign` of a landing URL that GA4's rules (and so
/// the site's classifier) put in each channel. Direct has none: a visit without tags or referrer.
/// A table test holds every row to the classifier.
pub fn landing_tags(channel: Channel) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match channel {
        Channel::Direct => return None,
        Channel::CrossNetwork => ("google", "cpc", "dni-test-call cross-network"),
        Channel::PaidShopping => ("google", "cpc", "dni-test-call shopping"),
        Channel::PaidSearch => ("google", "cpc", DEFAULT_CAMPAIGN),
        Channel::PaidSocial => ("facebook", "cpc", DEFAULT_CAMPAIGN),
        Channel::PaidVideo => ("youtube", "cpc", DEFAULT_CAMPAIGN),
        Channel::Display => ("google", "display", DEFAULT_CAMPAIGN),
        Channel::PaidOther => ("dni-test", "cpc", DEFAULT_CAMPAIGN),
        Channel::OrganicShopping => ("dni-test", "referral", "dni-test-call shopping"),
        Channel::OrganicSocial => ("facebook", "social", DEFAULT_CAMPAIGN),
        Channel::OrganicVideo => ("youtube", "video", DEFAULT_CAMPAIGN),
        Channel::OrganicSearch => ("google", "organic", DEFAULT_CAMPAIGN),
        Channel::Email => ("newsletter", "email", DEFAULT_CAMPAIGN),
        Channel::Affiliates => ("dni-test", "affiliate", DEFAULT_CAMPAIGN),
        Channel::Referral => ("dni-test", "referral", DEFAULT_CAMPAIGN),
        Channel::Audio => ("dni-test", "audio", DEFAULT_CAMPAIGN),
        Channel::Sms => ("dni-test", "sms", DEFAULT_CAMPAIGN),
        Channel::MobilePush => ("dni-test", "push", DEFAULT_CAMPAIGN),
        Channel::Unassigned => ("dni-test", "dni-test", DEFAULT_CAMPAIGN),
    })
}

fn field(name: &'static str, v: &Option<String>) -> Result<Option<String>, TestCallError> {
    match v.as_deref().map(str::trim) {
        None => Ok(None),
        Some(s) if s.is_empty() || s.len() > MAX_FIELD => Err(TestCallError::BadField(name)),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// Plans a test call on `config`: which number it dials and who calls. `origin` is where the
/// synthetic visit lands (the site's first origin, else the worker's own), `now` its time.
pub fn plan<'a>(
    request: &TestCallRequest,
    config: &'a SiteConfig,
    origin: &str,
    now: Millis,
) -> Result<Plan<'a>, TestCallError> {
    let caller = match request.caller.as_deref().map(str::trim) {
        None => DEFAULT_CALLER.to_owned(),
        Some("anonymous") => "anonymous".to_owned(),
        Some(c) => E164::parse(c)
            .map_err(|_| TestCallError::BadCaller)?
            .as_str()
            .to_owned(),
    };
    let channel = match request.channel.as_deref() {
        None => None,
        Some(name) => Some(Channel::parse(name).ok_or(TestCallError::UnknownChannel)?),
    };
    let source = field("source", &request.source)?;
    let medium = field("medium", &request.medium)?;
    let campaign = field("campaign", &request.campaign)?;
    let visit_asked =
        channel.is_some() || source.is_some() || medium.is_some() || campaign.is_some();

    // The number: the one named, else the first pool's first, else the first static one.
    let number = match request.number.as_deref() {
        Some(n) => Some(E164::parse(n.trim()).map_err(|_| TestCallError::BadNumber)?),
        None => None,
    };
    let pool_of = |n: &E164| config.pools.iter().find(|p| p.numbers.contains(n));
    let is_static = |n: &E164| config.static_numbers.iter().any(|s| s.number == *n);
    let pool = match &number {
        Some(n) if is_static(n) => {
            if visit_asked {
                return Err(TestCallError::StaticNumberHasItsChannel);
            }
            return Ok(Plan {
                placement: Placement::Number(n.clone()),
                caller,
            });
        }
        Some(n) => pool_of(n).ok_or(TestCallError::UnknownNumber)?,
        None => match config.pools.iter().find(|p| !p.numbers.is_empty()) {
            Some(p) => p,
            None => {
                if visit_asked {
                    // Only a pool number can be leased for a visit.
                    return Err(TestCallError::StaticNumberHasItsChannel);
                }
                let first = config
                    .static_numbers
                    .first()
                    .ok_or(TestCallError::NoNumbers)?;
                return Ok(Plan {
                    placement: Placement::Number(first.number.clone()),
                    caller,
                });
            }
        },
    };
    if !visit_asked {
        let n = match number {
            Some(n) => n,
            None => pool
                .numbers
                .first()
                .cloned()
                .ok_or(TestCallError::NoNumbers)?,
        };
        return Ok(Plan {
            placement: Placement::Number(n),
            caller,
        });
    }
    let target = config
        .target_of_pool(&pool.id)
        .ok_or(TestCallError::PoolWithoutTarget)?
        .number
        .clone();
    let tags = channel.and_then(landing_tags);
    let (source, medium, campaign) = match tags {
        Some((s, m, c)) => (
            source.unwrap_or_else(|| s.to_owned()),
            medium.unwrap_or_else(|| m.to_owned()),
            campaign.unwrap_or_else(|| c.to_owned()),
        ),
        None => (
            source.unwrap_or_default(),
            medium.unwrap_or_default(),
            campaign.unwrap_or_else(|| {
                if channel == Some(Channel::Direct) {
                    String::new()
                } else {
                    DEFAULT_CAMPAIGN.to_owned()
                }
            }),
        ),
    };
    let page = landing(origin, &source, &medium, &campaign);
    let touch = RawTouch {
        landing: page.clone(),
        referrer: String::new(),
        at: now,
    };
    let options = Options {
        own_hosts: &config.own_hosts,
    };
    let attribution = attribute(&Journey::default(), touch, &config.attribution, options);
    if let Some(asked) = channel {
        let got = attribution.credited.touch.channel;
        if got != asked {
            return Err(TestCallError::ChannelMismatch { asked, got });
        }
    }
    Ok(Plan {
        placement: Placement::Visit {
            pool,
            target,
            page,
            attribution: Box::new(attribution),
        },
        caller,
    })
}

/// The synthetic visit's landing URL: `origin` with the tags that are set.
fn landing(origin: &str, source: &str, medium: &str, campaign: &str) -> String {
    let mut url = String::from(origin.trim_end_matches('/'));
    url.push('/');
    let mut sep = '?';
    for (name, value) in [
        ("utm_source", source),
        ("utm_medium", medium),
        ("utm_campaign", campaign),
    ] {
        if !value.is_empty() {
            url.push(sep);
            url.push_str(name);
            url.push('=');
            crate::url::push_percent_encoded(&mut url, value);
            sep = '&';
        }
    }
    url
}

/// A test call's id from a random part: [`ID_PREFIX`] and it.
pub fn call_id(random: &str) -> String {
    [ID_PREFIX, random].concat()
}

/// The visitor session a synthetic visit leases under.
pub fn session_id(random: &str) -> String {
    ["test-call-", random].concat()
}

/// The incoming call, as a provider's voice webhook would give it.
pub fn incoming(call_id: &str, caller: &str, to: &E164) -> IncomingCall {
    IncomingCall {
        call_id: call_id.to_owned(),
        from: caller.to_owned(),
        to: to.clone(),
    }
}

/// The first step's `<Dial action>` callback: the first line answered and talked [`TALK_S`].
pub fn answered(call_id: &str, caller: &str, to: &E164) -> DialCallback {
    DialCallback {
        call: CallRef {
            call_id: call_id.to_owned(),
            caller: caller.to_owned(),
            tracking_number: to.as_str().to_owned(),
        },
        to: to.clone(),
        status: DialCallStatus::Completed,
        duration_s: Some(TALK_S),
        leg: Some([call_id, "-leg-0"].concat()),
    }
}

/// The final status callback: answered when a line answered (talk and ring time), else missed.
pub fn ended(call_id: &str, caller: &str, to: &E164, answered: bool) -> StatusUpdate {
    StatusUpdate {
        call_id: call_id.to_owned(),
        from: caller.to_owned(),
        to: to.clone(),
        status: if answered {
            CallStatus::Answered
        } else {
            CallStatus::Missed
        },
        duration_s: Some(if answered { TALK_S + RING_S } else { RING_S }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::config as site;

    const SITE: &str = r#"{
      "id": "tc",
      "origins": ["https://tc.example"],
      "targets": [{ "number": "+13125550100", "pool": "visitors" }],
      "pools": [{ "id": "visitors", "numbers": ["+13125550111", "+13125550112"] }],
      "static_numbers": [
        { "number": "+13125550121", "target": "+13125550100", "channel": "Email",
          "source": "newsletter" }
      ]
    }"#;

    fn request(json: &str) -> TestCallRequest {
        serde_json::from_str(json).unwrap()
    }

    /// Every channel's tags land, through the site's own classifier, in that channel.
    #[test]
    fn every_channel_has_tags_that_classify_as_it() {
        let config = site(SITE);
        for channel in Channel::ALL {
            let body = ["{\"channel\": \"", channel.as_str(), "\"}"].concat();
            let plan = plan(&request(&body), &config, "https://tc.example", 1_000)
                .unwrap_or_else(|e| panic!("{}: {}", channel.as_str(), e.message()));
            let Placement::Visit {
                attribution,
                page,
                pool,
                target,
            } = plan.placement
            else {
                panic!("{}: not a visit", channel.as_str());
            };
            assert_eq!(attribution.credited.touch.channel, channel, "{page}");
            assert_eq!(
                (pool.id.as_str(), target.as_str()),
                ("visitors", "+13125550100")
            );
            assert!(page.starts_with("https://tc.example/"), "{page}");
        }
    }

    /// What each request dials, or why it is refused.
    #[test]
    fn plans_the_number_or_refuses() {
        let config = site(SITE);
        let only_static = site(
            r#"{"id": "st", "targets": [{ "number": "+13125550100" }],
                "static_numbers": [{ "number": "+13125550121", "target": "+13125550100",
                  "channel": "Email" }]}"#,
        );
        let none = site(r#"{"id": "none", "targets": [{ "number": "+13125550100" }]}"#);
        use TestCallError::*;
        // (site, body, the number dialed ("visit:<pool>" for a leased one) and caller, or the error)
        type Row<'a> = (
            &'a SiteConfig,
            &'a str,
            Result<(&'a str, &'a str), TestCallError>,
        );
        let table: &[Row] = &[
            (&config, "{}", Ok(("+13125550111", DEFAULT_CALLER))),
            (
                &config,
                r#"{"number": "+13125550112"}"#,
                Ok(("+13125550112", DEFAULT_CALLER)),
            ),
            (
                &config,
                r#"{"number": "+13125550121"}"#,
                Ok(("+13125550121", DEFAULT_CALLER)),
            ),
            (
                &config,
                r#"{"caller": "anonymous"}"#,
                Ok(("+13125550111", "anonymous")),
            ),
            (
                &config,
                r#"{"caller": "+14155550123"}"#,
                Ok(("+13125550111", "+14155550123")),
            ),
            (
                &config,
                r#"{"channel": "paid search"}"#,
                Ok(("visit:visitors", DEFAULT_CALLER)),
            ),
            (
                &config,
                r#"{"number": "+13125550112", "channel": "Email"}"#,
                Ok(("visit:visitors", DEFAULT_CALLER)),
            ),
            (
                &config,
                r#"{"source": "bing", "medium": "cpc"}"#,
                Ok(("visit:visitors", DEFAULT_CALLER)),
            ),
            (&only_static, "{}", Ok(("+13125550121", DEFAULT_CALLER))),
            (&none, "{}", Err(NoNumbers)),
            (
                &only_static,
                r#"{"channel": "Email"}"#,
                Err(StaticNumberHasItsChannel),
            ),
            (&config, r#"{"number": "+13125550199"}"#, Err(UnknownNumber)),
            (&config, r#"{"number": "+13125550100"}"#, Err(UnknownNumber)),
            (&config, r#"{"number": "312-555-0111"}"#, Err(BadNumber)),
            (
                &config,
                r#"{"channel": "Carrier Pigeon"}"#,
                Err(UnknownChannel),
            ),
            (
                &config,
                r#"{"number": "+13125550121", "channel": "Email"}"#,
                Err(StaticNumberHasItsChannel),
            ),
            (
                &config,
                r#"{"number": "+13125550121", "source": "x"}"#,
                Err(StaticNumberHasItsChannel),
            ),
            (&config, r#"{"caller": "12345"}"#, Err(BadCaller)),
            (&config, r#"{"source": ""}"#, Err(BadField("source"))),
            (
                &config,
                r#"{"channel": "Paid Search", "source": "facebook", "medium": "social"}"#,
                Err(ChannelMismatch {
                    asked: Channel::PaidSearch,
                    got: Channel::OrganicSocial,
                }),
            ),
        ];
        for (config, body, expected) in table {
            let got = plan(&request(body), config, "https://tc.example", 1_000).map(|p| {
                let dialed = match &p.placement {
                    Placement::Number(n) => n.as_str().to_owned(),
                    Placement::Visit { pool, .. } => ["visit:", &pool.id].concat(),
                };
                (dialed, p.caller)
            });
            let expected = expected.clone().map(|(d, c)| (d.to_owned(), c.to_owned()));
            assert_eq!(got, expected, "{body}");
            if let Err(e) = &got {
                assert!(!e.message().is_empty());
            }
        }
        assert!(serde_json::from_str::<TestCallRequest>(r#"{"nmber": "+1"}"#).is_err());
    }

    /// A visit asked with a source and no channel keeps the tags given, and the campaign default.
    #[test]
    fn the_visit_carries_the_tags_asked() {
        let config = site(SITE);
        let p = plan(
            &request(r#"{"source": "bing", "medium": "cpc", "campaign": "spring sale"}"#),
            &config,
            "https://tc.example/",
            1_000,
        )
        .unwrap();
        let Placement::Visit {
            page, attribution, ..
        } = p.placement
        else {
            panic!("not a visit");
        };
        assert_eq!(
            page,
            "https://tc.example/?utm_source=bing&utm_medium=cpc&utm_campaign=spring%20sale"
        );
        let t = &attribution.credited.touch;
        assert_eq!(
            (t.channel, t.source.as_str(), t.campaign.as_str()),
            (Channel::PaidSearch, "bing", "spring sale")
        );
    }

    /// The events stand for a call that the first line answered, or that nobody did.
    #[test]
    fn events_of_a_test_call() {
        let to = E164::parse("+13125550111").unwrap();
        let id = call_id("abc");
        assert_eq!(id, "test-abc");
        assert_eq!(incoming(&id, DEFAULT_CALLER, &to).to, to);
        let dialed = answered(&id, DEFAULT_CALLER, &to);
        assert!(dialed.status.answered());
        assert_eq!(dialed.duration_s, Some(TALK_S));
        let end = ended(&id, DEFAULT_CALLER, &to, true);
        assert_eq!(
            (end.status, end.duration_s),
            (CallStatus::Answered, Some(TALK_S + RING_S))
        );
        let missed = ended(&id, DEFAULT_CALLER, &to, false);
        assert_eq!(missed.status, CallStatus::Missed);
    }
}
