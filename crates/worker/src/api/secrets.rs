//! `GET /v1/sites/{site}/secrets`: the worker secrets set (names only) and the ones the site's
//! configuration needs. Converted from `dni_core::config::secrets::Need`.

use dni_core::config::secrets::Need;
use serde::Serialize;

/// A secret the site's configuration needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeededSecret {
    /// The worker secret's name.
    pub name: String,
    /// What stops working without it.
    pub why: String,
    /// Whether it is set.
    pub present: bool,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Secrets {
    /// The site.
    pub site: String,
    /// The names of the secrets set that this worker has a use for.
    pub present: Vec<String>,
    /// The secrets the site's configuration needs.
    pub needed: Vec<NeededSecret>,
}

impl NeededSecret {
    /// The need, and whether it is met.
    pub fn of(need: &Need, present: bool) -> Self {
        let Need { name, why } = need;
        NeededSecret {
            name: name.clone(),
            why: why.clone(),
            present,
        }
    }
}
