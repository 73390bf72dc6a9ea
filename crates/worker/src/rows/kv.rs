//! The KV values: `site:<id>` (a site's configuration) and `number:<e164>` (a tracking number's
//! route).
//!
//! Both are written by `dni kv` (which operators run) and by the configuration endpoint, through
//! the core's `SiteConfig::kv_entries`, untagged: version 1. A later version is tagged.
//!
//! A site's version 1 *is* the configuration document operators write by hand (`sites/*.json`,
//! `PUT /v1/sites/{site}/config`): a published input format, whose type is the core's
//! `SiteConfig`, changed only by additive `#[serde(default)]` fields, so that every document that
//! was ever accepted still is. It is therefore not mirrored field by field here (the golden rows
//! hold it to that); a change that breaks a stored document becomes `SiteV2` with a conversion.

use dni_core::config::{NumberRoute, SiteConfig};
use dni_core::telephony::Provider;
use serde::{Deserialize, Serialize};

use super::{fields, open, unknown_version, RowError};

const SITE: &str = "site";
const ROUTE: &str = "number route";

/// A number route, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteV1 {
    /// The site.
    pub site: String,
    /// The pool, for a pool number.
    #[serde(default)]
    pub pool: Option<String>,
    /// The static number's position, for a source-level number.
    #[serde(default)]
    pub static_number: Option<usize>,
    /// The carrier that owns the number (`twilio` when absent).
    #[serde(default)]
    pub provider: Option<String>,
    /// The business line (E.164), so that a call still reaches it when the site's configuration
    /// cannot be read.
    #[serde(default)]
    pub forward_to: Option<String>,
}

/// Reads a `site:<id>` value.
pub fn read_site(text: &str) -> Result<SiteConfig, RowError> {
    match open(SITE, text)? {
        (1, f) => fields::<SiteConfig>(SITE, f),
        (v, _) => Err(unknown_version(SITE, v)),
    }
}

/// Reads a `number:<e164>` value.
pub fn read_route(text: &str) -> Result<NumberRoute, RowError> {
    match open(ROUTE, text)? {
        (1, f) => {
            let RouteV1 {
                site,
                pool,
                static_number,
                provider,
                forward_to,
            } = fields(ROUTE, f)?;
            let provider = match provider.as_deref() {
                None => Provider::default(),
                Some(name) => Provider::from_name(name)
                    .ok_or_else(|| RowError::new(ROUTE, format!("unknown provider {name:?}")))?,
            };
            Ok(NumberRoute {
                site,
                pool,
                static_number,
                provider,
                forward_to: forward_to.map(|n| super::e164(ROUTE, &n)).transpose()?,
            })
        }
        (v, _) => Err(unknown_version(ROUTE, v)),
    }
}
