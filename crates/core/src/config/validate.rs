//! What makes a configuration valid: ids, origins, pools and numbers that appear once, routing
//! rules, and the privacy settings.

#[allow(unused_imports)]
use crate::prelude::*;

use std::collections::BTreeSet;

use super::schema::SiteConfig;
use crate::phone::E164;
use crate::telephony::routing;

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
}
