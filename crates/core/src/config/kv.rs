//! The configuration's layout in KV: the site's document under `site:<id>` and each tracking
//! number's route under `number:<e164>`.

#[allow(unused_imports)]
use crate::prelude::*;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::schema::SiteConfig;
use super::validate::ConfigError;
use crate::phone::E164;
use crate::telephony::Provider;

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

/// The KV key of a site's configuration.
pub fn site_key(site: &str) -> String {
    ["site:", site].concat()
}

/// The KV key of a tracking number's route.
pub fn number_key(number: &E164) -> String {
    ["number:", number.as_str()].concat()
}

impl SiteConfig {
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
