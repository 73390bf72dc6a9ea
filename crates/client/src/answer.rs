//! Reading the worker's JSON with the browser's own parser (no serde on the page).

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::phone::E164;

use crate::js::{get, get_str, get_u64, items, parse_json};
use wasm_bindgen::JsValue;

/// The site's public configuration, as far as the page needs it: the numbers to look for (the
/// worker classifies, so the page needs neither the site's hosts nor its attribution settings).
#[derive(Default)]
pub struct Config {
    /// The site's numbers to look for.
    pub targets: Vec<E164>,
    /// The names whose values the redaction replaces (`redact_params`: the core's defaults and the
    /// site's own), `|`-separated as `dni_core::privacy::redact_listed` takes them (a name never
    /// holds a `|`); those that are not strings are left out.
    pub redact: String,
}

/// Reads `GET /v1/sites/{site}/public`.
pub fn config(text: &str) -> Option<Config> {
    let json = parse_json(text)?;
    let mut targets = Vec::new();
    for target in items(&get(&json, "targets")) {
        if let Some(Ok(target)) = target.as_string().map(|t| E164::parse(&t)) {
            targets.push(target);
        }
    }
    let mut redact = String::new();
    for name in items(&get(&json, "redact_params")) {
        if let Some(name) = name.as_string() {
            if !redact.is_empty() {
                redact.push('|');
            }
            redact.push_str(&name);
        }
    }
    // (An object without targets is no configuration: the loader hands over what it has.)
    get(&json, "targets")
        .is_object()
        .then_some(Config { targets, redact })
}

/// One target's number in an answer.
pub struct Assigned {
    /// The site's number.
    pub target: E164,
    /// The number to show. Anything that is not E.164 is refused, so the page only ever shows a
    /// phone number.
    pub number: E164,
    /// The lease, for pool numbers.
    pub lease: Option<String>,
    /// When the lease ends without a heartbeat.
    pub expires_at: u64,
}

/// Reads a lease (or numbers) answer: calls `each` with each number, in order, and returns the
/// heartbeat interval; `None` when the answer is unreadable.
pub fn numbers(text: &str, mut each: impl FnMut(Assigned)) -> Option<u64> {
    let json = parse_json(text)?;
    for entry in items(&get(&json, "numbers")) {
        if let Some(a) = entry_of(&entry) {
            each(a);
        }
    }
    Some(get_u64(&json, "heartbeat_ms").unwrap_or(dni_core::wire::HEARTBEAT_MS))
}

/// One entry of an answer's `numbers` (also how leases are stored).
pub fn entry_of(entry: &JsValue) -> Option<Assigned> {
    Some(Assigned {
        target: E164::parse(&get_str(entry, "target")?).ok()?,
        number: E164::parse(&get_str(entry, "number")?).ok()?,
        lease: get_str(entry, "lease").filter(|l| l.len() <= 100),
        expires_at: get_u64(entry, "expires_at").unwrap_or(0),
    })
}
