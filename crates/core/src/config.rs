//! A site's configuration, as the operator writes it and as KV stores it, and its validation.
//!
//! KV holds, per site, `site:<id>` (this document) and, per tracking number, `number:<e164>` (which
//! site and pool or static source it belongs to, so that a webhook finds its site in one read).
//! Lease state never lives in KV: KV is eventually consistent, the pool Durable Object is not.

#[allow(unused_imports)]
use crate::prelude::*;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::attribution;
use crate::classify::Channel;
use crate::lease;
use crate::phone::E164;
use crate::telephony::routing::{self, Rule};
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
    /// Keep the words of texts to its numbers on their records (off by default: a text's record
    /// then keeps its time and media count only). Kept bodies go with the record: deleted after
    /// `retention_days` and by the erasure of the sender's number, like a call's transcript.
    #[serde(default, skip_serializing_if = "is_false")]
    pub keep_text_bodies: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
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
    /// What a text to this target's tracking numbers does (forward it, answer it, or only keep
    /// it, the default); a matching routing rule's `texts` overrides it.
    #[serde(
        default,
        skip_serializing_if = "crate::telephony::routing::TextAction::is_keep"
    )]
    pub texts: crate::telephony::routing::TextAction,
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

/// The most shards one lease request asks: each is a round trip to a Durable Object, and a full
/// pool is when visitors arrive fastest, so a request asks a few shards rather than all of them.
pub const MAX_SHARDS_ASKED: usize = 4;

impl PoolConfig {
    /// The numbers of shard `k`.
    pub fn shard_numbers(&self, k: u32) -> Vec<E164> {
        let shards = self.shards.max(1) as usize;
        self.numbers
            .iter()
            .enumerate()
            .filter(|(i, _)| i % shards == k as usize)
            .map(|(_, n)| n.clone())
            .collect()
    }

    /// The shard a tracking number belongs to.
    pub fn shard_of_number(&self, number: &E164) -> Option<u32> {
        let i = self.numbers.iter().position(|n| n == number)?;
        u32::try_from(i % self.shards.max(1) as usize).ok()
    }

    /// The shard a visitor session belongs to: FNV-1a of its id, so it is stable and spread evenly.
    pub fn shard_of_session(&self, session: &str) -> u32 {
        let hash = session.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        hash % self.shards.max(1)
    }

    /// The shards to ask, in turn, for a session's number: the shard of a lease the page already
    /// holds from this pool (so that it keeps its number), then the session's own shard, then the
    /// others after it, [`MAX_SHARDS_ASKED`] at most. Each but the last is asked for a free number
    /// only; the last applies the exhaustion policy, so that a pool of up to that many shards runs
    /// dry only when every shard has.
    pub fn shard_order(&self, session: &str, leases: &[String]) -> Vec<u32> {
        let shards = self.shards.max(1);
        let held = leases
            .iter()
            .filter_map(|l| crate::api::lease_shard(l))
            .find(|&(pool, k)| pool == self.id && k < shards)
            .map(|(_, k)| k);
        let home = self.shard_of_session(session);
        let mut order = Vec::with_capacity(shards as usize);
        order.extend(held);
        for k in (0..shards).map(|i| (home + i) % shards) {
            if !order.contains(&k) {
                order.push(k);
            }
        }
        order.truncate(MAX_SHARDS_ASKED);
        order
    }
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

/// What `number:<e164>` in KV says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRoute {
    /// The site.
    pub site: String,
    /// The pool, for a pool number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// The static number's position, for a source-level number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_number: Option<usize>,
    /// The carrier that owns the number: a webhook from another is refused.
    #[serde(default, skip_serializing_if = "Provider::is_default")]
    pub provider: Provider,
    /// The business line, so that a call still reaches it when the site's configuration (and its
    /// rules) cannot be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_to: Option<E164>,
}

/// The most names a site's `redact_params` lists.
pub const MAX_REDACT_PARAMS: usize = 32;

/// Why a configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

/// Whether `id` is a valid site or pool id: 1 to 32 characters of `[a-z0-9-]`.
pub fn valid_name(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The KV key of a site's configuration.
pub fn site_key(site: &str) -> String {
    ["site:", site].concat()
}

/// The KV key of a tracking number's route.
pub fn number_key(number: &E164) -> String {
    ["number:", number.as_str()].concat()
}

impl SiteConfig {
    /// Checks the configuration as a whole.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |m: String| Err(ConfigError(m));
        if !valid_name(&self.id) {
            return err("id must be 1 to 32 characters of a-z 0-9 -".into());
        }
        if self.targets.is_empty() {
            return err("targets must list at least one number".into());
        }
        if let Some(tz) = &self.time_zone {
            if crate::civil::Zone::named(tz).is_none() {
                return err(format!("time_zone {tz:?} is not an IANA time zone"));
            }
        }
        if let Err(e) = self.integrations.validate() {
            return err(e.0);
        }
        for origin in &self.origins {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin.trim_end_matches('/').contains(['?', '#'])
                && origin
                    .split("://")
                    .nth(1)
                    .is_some_and(|h| !h.is_empty() && !h.contains('/'));
            if !ok {
                return err(format!("origin {origin:?} must be scheme://host[:port]"));
            }
        }
        self.limits.validate().map_err(ConfigError)?;
        crate::retention::validate(self.retention_days).map_err(ConfigError)?;
        let mut seen: BTreeSet<&E164> = BTreeSet::new();
        let mut pool_ids: BTreeSet<&str> = BTreeSet::new();
        for pool in &self.pools {
            if !valid_name(&pool.id) || !pool_ids.insert(&pool.id) {
                return err(format!(
                    "pool id {:?} must be unique, 1 to 32 characters of a-z 0-9 -",
                    pool.id
                ));
            }
            if pool.numbers.is_empty() {
                return err(format!("pool {} has no numbers", pool.id));
            }
            if !(1..=64).contains(&pool.shards) || pool.numbers.len() < pool.shards as usize {
                return err(format!(
                    "pool {}: shards must be 1 to 64, and no more than its numbers",
                    pool.id
                ));
            }
            let s = &pool.settings;
            if s.idle_timeout == 0 || s.max_hold < s.idle_timeout || s.cooldown == 0 {
                return err(format!(
                    "pool {}: idle_timeout and cooldown must be positive and max_hold at least idle_timeout",
                    pool.id
                ));
            }
            for n in &pool.numbers {
                if !seen.insert(n) {
                    return err(format!("number {n} appears twice"));
                }
            }
        }
        let mut targets: BTreeSet<&E164> = BTreeSet::new();
        for t in &self.targets {
            if !targets.insert(&t.number) {
                return err(format!("target {} appears twice", t.number));
            }
            if seen.contains(&t.number) {
                return err(format!("target {} is also a tracking number", t.number));
            }
            if let Some(pool) = &t.pool {
                if !pool_ids.contains(pool.as_str()) {
                    return err(format!("target {} names an unknown pool {pool}", t.number));
                }
            }
        }
        let tz = self.time_zone.as_deref();
        for t in &self.targets {
            routing::validate(&t.routing, tz.is_some()).map_err(ConfigError)?;
            t.texts
                .validate()
                .map_err(|m| ConfigError(format!("target {}: {m}", t.number)))?;
            if t.whisper_template.as_ref().is_some_and(|w| w.len() > 200) {
                return err(format!(
                    "target {}: whisper_template longer than 200 bytes",
                    t.number
                ));
            }
        }
        for p in &self.pools {
            routing::validate(p.routing.as_deref().unwrap_or_default(), tz.is_some())
                .map_err(|e| ConfigError(format!("pool {}: {e}", p.id)))?;
        }
        for s in &self.static_numbers {
            routing::validate(s.routing.as_deref().unwrap_or_default(), tz.is_some())
                .map_err(|e| ConfigError(format!("static number {}: {e}", s.number)))?;
        }
        if self
            .recording
            .announcement
            .as_ref()
            .is_some_and(|a| a.len() > 300)
        {
            return err("recording.announcement longer than 300 bytes".into());
        }
        for s in &self.static_numbers {
            if !seen.insert(&s.number) || targets.contains(&s.number) {
                return err(format!("number {} appears twice", s.number));
            }
            if !targets.contains(&s.target) {
                return err(format!(
                    "static number {} names an unknown target {}",
                    s.number, s.target
                ));
            }
        }
        self.validate_privacy()
    }

    /// Checks the privacy settings: `report_caller_digits` is 0 to 15; `redact_params` lists at most [`MAX_REDACT_PARAMS`] names of
    /// 1 to 64 printable ASCII characters that do not separate a query, none of them a UTM tag or
    /// a click id.
    fn validate_privacy(&self) -> Result<(), ConfigError> {
        if self.report_caller_digits > 15 {
            return Err(ConfigError(
                "report_caller_digits must be 0 to 15 (15 shows every digit)".into(),
            ));
        }
        if self.redact_params.len() > MAX_REDACT_PARAMS {
            return Err(ConfigError(format!(
                "redact_params lists at most {MAX_REDACT_PARAMS} names"
            )));
        }
        for name in &self.redact_params {
            let printable = name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'&' | b'=' | b'#' | b'?' | b'|'));
            if !(1..=64).contains(&name.len()) || !printable {
                return Err(ConfigError(format!(
                    "redact_params: {name:?} must be 1 to 64 printable characters other than & = # ? |"
                )));
            }
            if crate::privacy::is_exempt(name.as_bytes()) {
                return Err(ConfigError(format!(
                    "redact_params: {name:?} is a UTM tag or a click id, which attribution reads and which are never redacted"
                )));
            }
        }
        Ok(())
    }

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

    /// Every tracking number's route.
    pub fn routes(&self) -> Vec<(E164, NumberRoute)> {
        let mut routes = Vec::new();
        for pool in &self.pools {
            for n in &pool.numbers {
                let route = NumberRoute {
                    site: self.id.clone(),
                    pool: Some(pool.id.clone()),
                    static_number: None,
                    provider: pool.provider,
                    forward_to: self
                        .target_of_pool(&pool.id)
                        .map(|t| t.forward_to().clone()),
                };
                routes.push((n.clone(), route));
            }
        }
        for (i, s) in self.static_numbers.iter().enumerate() {
            let route = NumberRoute {
                site: self.id.clone(),
                pool: None,
                static_number: Some(i),
                provider: s.provider,
                forward_to: self.target(&s.target).map(|t| t.forward_to().clone()),
            };
            routes.push((s.number.clone(), route));
        }
        routes
    }

    /// The KV entries that store this configuration: the site and every number's route.
    pub fn kv_entries(&self) -> Result<Vec<(String, String)>, ConfigError> {
        let encoded = |r: serde_json::Result<String>| {
            r.map_err(|_| ConfigError("cannot encode configuration".into()))
        };
        let mut entries = vec![(site_key(&self.id), encoded(serde_json::to_string(self))?)];
        for (number, route) in self.routes() {
            entries.push((number_key(&number), encoded(serde_json::to_string(&route))?));
        }
        Ok(entries)
    }

    /// The number keys `previous` had that this configuration no longer has.
    pub fn stale_number_keys(&self, previous: &SiteConfig) -> Vec<String> {
        let now: BTreeSet<E164> = self.routes().into_iter().map(|(n, _)| n).collect();
        previous
            .routes()
            .into_iter()
            .filter(|(n, _)| !now.contains(n))
            .map(|(n, _)| number_key(&n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = r#"{
        "id": "demo",
        "origins": ["http://127.0.0.1:8787"],
        "targets": [{"number": "+12125550100", "pool": "visitors"}],
        "pools": [{"id": "visitors", "numbers": ["+12125550101", "+12125550102"]}],
        "static_numbers": [{"number": "+12125550199", "target": "+12125550100", "channel": "Email", "source": "signature"}]
    }"#;

    fn edited(from: &str, to: &str) -> String {
        assert!(DEMO.contains(from), "{from}");
        DEMO.replacen(from, to, 1)
    }

    #[test]
    fn validates_configurations() {
        // (configuration, expected error's start, or "" when valid)
        let table: Vec<(String, &str)> = vec![
            (DEMO.to_owned(), ""),
            (edited(r#""id": "demo""#, r#""id": "Demo Site""#), "id must"),
            (
                edited("+12125550102", "+12125550101"),
                "number +12125550101 appears twice",
            ),
            (
                edited(r#""pool": "visitors""#, r#""pool": "nope""#),
                "target +12125550100 names an unknown pool",
            ),
            (edited("http://127.0.0.1:8787", "127.0.0.1"), "origin"),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "time_zone": "Mars/Olympus","#,
                ),
                "time_zone \"Mars/Olympus\" is not an IANA time zone",
            ),
            (
                edited(
                    r#""numbers": ["+12125550101", "+12125550102"]"#,
                    r#""numbers": []"#,
                ),
                "pool visitors has no numbers",
            ),
            (
                edited(r#""target": "+12125550100""#, r#""target": "+12125550111""#),
                "static number",
            ),
            (
                edited("+12125550199", "+12125550100"),
                "number +12125550100 appears twice",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "redact_params": ["ref_email", "Client-Name"],"#,
                ),
                "",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "redact_params": ["utm_source"],"#,
                ),
                "redact_params: \"utm_source\" is a UTM tag",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "redact_params": ["GCLID"],"#,
                ),
                "redact_params: \"GCLID\" is a UTM tag or a click id",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "redact_params": [""],"#,
                ),
                "redact_params: \"\" must be",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "redact_params": ["a&b"],"#,
                ),
                "redact_params: \"a&b\" must be",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "redact_params": ["a b"],"#,
                ),
                "redact_params: \"a b\" must be",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    &format!(
                        r#""id": "demo", "redact_params": [{}"x"],"#,
                        r#""x","#.repeat(32)
                    ),
                ),
                "redact_params lists at most 32",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "report_caller_digits": 15,"#,
                ),
                "",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "report_caller_digits": 16,"#,
                ),
                "report_caller_digits must be 0 to 15",
            ),
            (
                edited(r#""id": "demo","#, r#""id": "demo", "retention_days": 1,"#),
                "",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "retention_days": 3650,"#,
                ),
                "",
            ),
            (
                edited(r#""id": "demo","#, r#""id": "demo", "retention_days": 0,"#),
                "retention_days must be 1 to 3650",
            ),
            (
                edited(
                    r#""id": "demo","#,
                    r#""id": "demo", "retention_days": 3651,"#,
                ),
                "retention_days must be 1 to 3650",
            ),
        ];
        for (json, want) in table {
            let config: SiteConfig =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            match config.validate() {
                Ok(()) => assert_eq!(want, "", "{json}"),
                Err(ConfigError(m)) => {
                    assert!(!want.is_empty() && m.starts_with(want), "{json}: {m}")
                }
            }
        }
    }

    #[test]
    fn splits_a_pool_into_shards() {
        let json = edited(
            r#""id": "visitors", "#,
            r#""id": "visitors", "shards": 2, "#,
        );
        let config: SiteConfig = serde_json::from_str(&json).unwrap();
        let pool = config.pool("visitors").unwrap();
        let n = |s: &str| E164::parse(s).unwrap();
        assert_eq!(pool.shard_numbers(0), vec![n("+12125550101")]);
        assert_eq!(pool.shard_numbers(1), vec![n("+12125550102")]);
        assert_eq!(pool.shard_of_number(&n("+12125550102")), Some(1));
        assert_eq!(pool.shard_of_number(&n("+12125550199")), None);
        // Sessions spread over both shards, each always to the same one.
        let shards: Vec<u32> = (0..100)
            .map(|i| pool.shard_of_session(&format!("session-{i:04}-abcdefgh")))
            .collect();
        assert!(
            shards.iter().filter(|s| **s == 0).count() > 30
                && shards.iter().filter(|s| **s == 1).count() > 30
        );
        assert_eq!(pool.shard_of_session("session-0001-abcdefgh"), shards[1]);
    }

    #[test]
    fn orders_the_shards_to_ask() {
        let json = edited(
            r#""id": "visitors", "#,
            r#""id": "visitors", "shards": 3, "#,
        )
        .replace(r#""+12125550102""#, r#""+12125550102", "+12125550103""#);
        let config: SiteConfig = serde_json::from_str(&json).unwrap();
        let pool = config.pool("visitors").unwrap();
        let session = "session-0001-abcdefgh";
        let home = pool.shard_of_session(session);
        let next = |k: u32| (home + k) % 3;
        let token = "abcdefghijklmnopqrstuv";
        // (leases the page holds, shards to ask in turn)
        let table: Vec<(Vec<String>, Vec<u32>)> = vec![
            (vec![], vec![home, next(1), next(2)]),
            (
                vec![format!("visitors.{}.{token}", next(2))],
                vec![next(2), home, next(1)],
            ),
            (
                vec![format!("visitors.{home}.{token}")],
                vec![home, next(1), next(2)],
            ),
            // Another pool's lease, a shard the pool does not have, a malformed id: ignored.
            (
                vec![format!("other.{}.{token}", next(1))],
                vec![home, next(1), next(2)],
            ),
            (
                vec![format!("visitors.7.{token}")],
                vec![home, next(1), next(2)],
            ),
            (vec!["visitors.1".to_owned()], vec![home, next(1), next(2)]),
        ];
        for (leases, want) in table {
            assert_eq!(pool.shard_order(session, &leases), want, "{leases:?}");
        }
        // A pool of many shards: four asked at most, the session's own first.
        let many = edited(r#""id": "visitors", "#, r#""id": "visitors", "shards": 8, "#).replace(
            r#""+12125550102""#,
            r#""+12125550102", "+12125550103", "+12125550104", "+12125550105", "+12125550106", "+12125550107", "+12125550108""#,
        );
        let config: SiteConfig = serde_json::from_str(&many).unwrap();
        let pool = config.pool("visitors").unwrap();
        let home = pool.shard_of_session(session);
        let want: Vec<u32> = (0..4).map(|i| (home + i) % 8).collect();
        assert_eq!(pool.shard_order(session, &[]), want);
        let single = edited("", "");
        let config: SiteConfig = serde_json::from_str(&single).unwrap();
        let pool = config.pool("visitors").unwrap();
        assert_eq!(
            pool.shard_order(session, &[format!("visitors.0.{token}")]),
            vec![0]
        );
    }

    #[test]
    fn rejects_bad_numbers_when_reading() {
        let bad = edited("+12125550101", "212-555-0101");
        assert!(serde_json::from_str::<SiteConfig>(&bad).is_err());
    }

    #[test]
    fn writes_kv_entries_and_finds_stale_ones() {
        let config: SiteConfig = serde_json::from_str(DEMO).unwrap();
        let keys: Vec<String> = config
            .kv_entries()
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            [
                "site:demo",
                "number:+12125550101",
                "number:+12125550102",
                "number:+12125550199"
            ]
        );
        let smaller: SiteConfig = serde_json::from_str(&edited(r#", "+12125550102""#, "")).unwrap();
        assert!(
            !config.kv_entries().unwrap()[0].1.contains("shards"),
            "the default is not written"
        );
        assert_eq!(smaller.stale_number_keys(&config), ["number:+12125550102"]);
    }
}
