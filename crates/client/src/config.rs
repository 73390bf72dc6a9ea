//! Reading the worker's JSON answers with the browser's JSON parser (no serde in the page).

#[allow(unused_imports)]
use crate::prelude::*;

use dni_core::phone::E164;

use crate::js::{get, get_str, get_u64, parse_json};
use crate::Assigned;

/// The site's public configuration, as far as the browser needs it.
pub struct PublicConfig {
    /// The site's numbers to look for.
    pub targets: Vec<E164>,
    /// The site's own hosts.
    pub own_hosts: Vec<String>,
    /// The attribution lookback.
    pub lookback_ms: u64,
    /// GA4's session timeout.
    pub session_timeout_ms: u64,
}

fn strings(value: &wasm_bindgen::JsValue) -> Vec<String> {
    js_sys::Array::from(value)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

/// Reads `GET /v1/sites/{site}/public`.
pub fn parse(text: &str) -> Option<PublicConfig> {
    let json = parse_json(text)?;
    let targets: Vec<E164> = strings(&get(&json, "targets"))
        .iter()
        .filter_map(|t| E164::parse(t).ok())
        .collect();
    Some(PublicConfig {
        targets,
        own_hosts: strings(&get(&json, "own_hosts")),
        lookback_ms: get_u64(&json, "lookback_ms")?,
        session_timeout_ms: get_u64(&json, "session_timeout_ms")?,
    })
}

/// Reads a lease answer: the numbers, and the heartbeat interval.
pub fn parse_leases(text: &str) -> Option<(Vec<Assigned>, u64)> {
    let json = parse_json(text)?;
    let assigned = js_sys::Array::from(&get(&json, "numbers"))
        .iter()
        .filter_map(|entry| {
            Some(Assigned {
                target: E164::parse(&get_str(&entry, "target")?).ok()?,
                number: E164::parse(&get_str(&entry, "number")?).ok()?,
                lease: get_str(&entry, "lease"),
            })
        })
        .collect();
    Some((assigned, get_u64(&json, "heartbeat_ms")?))
}
