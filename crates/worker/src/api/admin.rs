//! The operator's small answers: a configuration stored, a caller's data erased, the health check.

use dni_core::phone::E164;
use serde::Serialize;

/// `PUT /v1/sites/{site}/config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigStored {
    /// Always true.
    pub ok: bool,
    /// The site.
    pub site: String,
    /// The change's version in the site's history (`history`).
    pub version: u64,
}

/// `DELETE /v1/sites/{site}/callers/{e164}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallerErased {
    /// The site.
    pub site: String,
    /// The caller, E.164.
    pub caller: String,
    /// Call records deleted.
    pub erased_calls: u64,
}

impl CallerErased {
    /// The answer for `caller` of `site`.
    pub fn new(site: &str, caller: &E164, erased_calls: u64) -> Self {
        CallerErased {
            site: site.to_owned(),
            caller: caller.as_str().to_owned(),
            erased_calls,
        }
    }
}

/// `GET /v1/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Health {
    /// Always true: the worker answers.
    pub ok: bool,
}
