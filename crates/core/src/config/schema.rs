//! The configuration document's shape: the site, its targets, pools and static numbers, and the
//! look-ups that read it.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use super::kv::NumberRoute;
use crate::attribution;
use crate::classify::Channel;
use crate::lease;
use crate::phone::E164;
use crate::telephony::routing::Rule;
use crate::telephony::Provider;

/// A site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// `[a-z0-9-]`, 1 to 32 characters; the `data-site` of the script tag.
    pub id: String,
    /// A name for reports.
    #[serde(default)]
    pub name: String,
    /// Origins allowed to ask for numbers (`https://www.example.com`). The worker's own origin is
    /// always allowed (the demo page).
    #[serde(default)]
    pub origins: Vec<String>,
    /// The site's own hosts (subdomains included): never a source.
    #[serde(default)]
    pub own_hosts: Vec<String>,
    /// The numbers the page shows, and how each is tracked.
    pub targets: Vec<Target>,
    /// Number pools for per-visitor tracking.
    #[serde(default)]
    pub pools: Vec<PoolConfig>,
    /// Source-level numbers: one number per channel or offline campaign, no pool.
    #[serde(default)]
    pub static_numbers: Vec<StaticNumber>,
    /// The attribution model and windows.
    #[serde(default)]
    pub attribution: attribution::Settings,
    /// Query parameters whose values are redacted from every URL the page keeps or sends and the
    /// worker keeps, besides [`crate::privacy::DEFAULT_PARAMS`] (names, ignoring ASCII case). UTM
    /// tags and click ids cannot be listed: attribution reads them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redact_params: Vec<String>,
    /// How many of a caller's last digits read-only report tokens see (0 to 15; 15 shows every
    /// digit). The operator's admin token always sees the whole number.
    #[serde(
        default = "report_caller_digits",
        skip_serializing_if = "is_report_caller_digits"
    )]
    pub report_caller_digits: u8,
    /// The site's IANA time zone (`America/New_York`), for routing rules on days and hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Call recording for the whole site (a target or a rule may turn it on too).
    #[serde(default)]
    pub recording: RecordingSettings,
    /// Where its calls are sent when they end: conversion rules, GA4, Google Ads, Microsoft Ads,
    /// the owner's webhooks (see `integrations`).
    #[serde(default)]
    pub integrations: crate::integrations::settings::Integrations,
    /// Limits on new leases per client address, network and pool, and the bot signals read
    /// (pool-drain protection; see [`crate::drain`]).
    #[serde(default)]
    pub limits: crate::drain::Limits,
    /// How many days call records (with their deliveries and recordings' details) and visits are
    /// kept, from a call's start or a visit's last request; then the Durable Objects' alarms
    /// delete them (1 to 3650; default [`crate::retention::DEFAULT_DAYS`]).
    #[serde(default = "retention_days", skip_serializing_if = "is_retention_days")]
    pub retention_days: u32,
}

fn retention_days() -> u32 {
    crate::retention::DEFAULT_DAYS
}

fn is_retention_days(n: &u32) -> bool {
    *n == crate::retention::DEFAULT_DAYS
}

fn report_caller_digits() -> u8 {
    crate::privacy::REPORT_CALLER_DIGITS
}

fn is_report_caller_digits(n: &u8) -> bool {
    *n == crate::privacy::REPORT_CALLER_DIGITS
}

/// Call recording, site-wide.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingSettings {
    /// Record every forwarded call, from the answer, both parties on their own channel.
    #[serde(default)]
    pub record: bool,
    /// Said to the caller before a recorded call rings (consent laws), e.g. "This call may be
    /// recorded."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announcement: Option<String>,
    /// Ask the provider to transcribe voicemails, and store the transcript on the record.
    #[serde(default)]
    pub transcribe: bool,
}

/// A number shown on the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The number as the site shows it, in E.164.
    pub number: E164,
    /// The pool whose numbers replace it for visitors.
    #[serde(default)]
    pub pool: Option<String>,
    /// Where calls to its tracking numbers go (default: this number).
    #[serde(default)]
    pub forward_to: Option<E164>,
    /// Record forwarded calls.
    #[serde(default)]
    pub record: bool,
    /// Whisper the source to the business before connecting.
    #[serde(default)]
    pub whisper: bool,
    /// What the whisper says (`{channel}`, `{source}`, `{medium}`, `{campaign}`, `{keyword}`,
    /// `{number}`); default "Call from {channel}, {campaign}".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whisper_template: Option<String>,
    /// After the whisper, the answering party presses 1 to take the call; otherwise that line is
    /// released and a fallback chain goes on.
    #[serde(default)]
    pub screen: bool,
    /// Routing rules for calls to this target's tracking numbers, first match wins; none: ring
    /// `forward_to`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing: Vec<Rule>,
}

impl Target {
    /// The business line calls are forwarded to.
    pub fn forward_to(&self) -> &E164 {
        self.forward_to.as_ref().unwrap_or(&self.number)
    }
}

/// A pool of tracking numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfig {
    /// `[a-z0-9-]`, 1 to 32 characters, unique within the site.
    pub id: String,
    /// Its numbers.
    pub numbers: Vec<E164>,
    /// Timing and exhaustion policy (milliseconds).
    #[serde(default)]
    pub settings: lease::Settings,
    /// How many Durable Objects share the pool (1 to 64). A pool whose traffic outgrows one object
    /// is split by raising this: number `i` belongs to shard `i % shards`, a session to the shard its
    /// id hashes to. Each shard is a pool of its own (its own numbers, cool-downs and exhaustion).
    #[serde(default = "one_shard", skip_serializing_if = "is_one")]
    pub shards: u32,
    /// The carrier that owns these numbers (and sends their webhooks).
    #[serde(default, skip_serializing_if = "Provider::is_default")]
    pub provider: Provider,
    /// Routing rules for this pool's numbers, replacing the target's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<Vec<Rule>>,
}

fn one_shard() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// A source-level number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticNumber {
    /// The tracking number.
    pub number: E164,
    /// The target it stands in for (whose forwarding it uses).
    pub target: E164,
    /// The channel it reports.
    pub channel: Channel,
    /// Source, medium and campaign it reports.
    #[serde(default)]
    pub source: String,
    /// See `source`.
    #[serde(default)]
    pub medium: String,
    /// See `source`.
    #[serde(default)]
    pub campaign: String,
    /// The carrier that owns the number.
    #[serde(default, skip_serializing_if = "Provider::is_default")]
    pub provider: Provider,
    /// Routing rules for this number, replacing the target's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<Vec<Rule>>,
}

impl SiteConfig {
    /// The target a tracking number of `pool` stands in for.
    pub fn target_of_pool(&self, pool: &str) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.pool.as_deref() == Some(pool))
    }

    /// The target with this number.
    pub fn target(&self, number: &E164) -> Option<&Target> {
        self.targets.iter().find(|t| t.number == *number)
    }

    /// The routing rules for a tracking number: its pool's or static number's own, else its
    /// target's.
    pub fn rules_for(&self, route: &NumberRoute) -> &[Rule] {
        let own = match (&route.pool, route.static_number) {
            (Some(pool), _) => self.pool(pool).and_then(|p| p.routing.as_deref()),
            (None, Some(i)) => self
                .static_numbers
                .get(i)
                .and_then(|s| s.routing.as_deref()),
            (None, None) => None,
        };
        let target = match (&route.pool, route.static_number) {
            (Some(pool), _) => self.target_of_pool(pool),
            (None, Some(i)) => self
                .static_numbers
                .get(i)
                .and_then(|s| self.target(&s.target)),
            (None, None) => None,
        };
        own.or(target.map(|t| t.routing.as_slice()))
            .unwrap_or_default()
    }

    /// The pool with this id.
    pub fn pool(&self, id: &str) -> Option<&PoolConfig> {
        self.pools.iter().find(|p| p.id == id)
    }
}
