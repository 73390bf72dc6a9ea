//! The HTTP API's own request and response types, one file per resource.
//!
//! A route answers with a type from here, never with a core domain type, a stored row or a
//! Durable Object's reply: each type here is converted from the domain (`From<&Domain>`, every
//! field named, enums matched exhaustively), so a refactor of the core cannot change the public
//! JSON silently: it fails to build here, or fails the golden answers in `tests` (the exact bytes
//! in `crates/worker/fixtures/api/`), which `tests/openapi-golden.test.mjs` checks against their
//! schemas in `www/v1/openapi.json`. A new route: its types in the file of its resource (or a new
//! file), a golden answer (a fixture, a line in `render.rs` and in that test's table), its schema
//! in the document.
//!
//! Not here: the page's own endpoints (`/leases`, `/numbers`, `/public`, heartbeats), whose bodies
//! are the page-worker wire format, `dni_core::api` and `dni_core::wire`, which the browser module
//! shares; and the site configuration (`GET`/`PUT .../config`'s body, and the configuration in
//! one version of the history), which is the configuration document's own format
//! (`docs/configuration.md`), held to its bytes by a golden answer.
//!
//! Bodies are written by [`json`]: through `serde_json::Value`, whose objects keep their keys
//! sorted, as almost every answer of this API always had them; the one that never was sorted
//! (a revoked operator key) by [`json_as_declared`].

pub mod admin;
pub mod calls;
pub mod deliveries;
pub mod error;
pub mod history;
pub mod keys;
pub mod pool;
pub mod qualification;
pub mod reports;
pub mod secrets;
pub mod test_calls;
pub mod tokens;

use serde::Serialize;
use worker::Response;

/// A JSON answer (200 unless changed), keys sorted.
pub fn json<T: Serialize>(body: &T) -> worker::Result<Response> {
    let value = value(body).map_err(|e| worker::Error::RustError(e.to_string()))?;
    Response::from_json(&value)
}

/// A JSON answer (200 unless changed) with the fields in the order the type declares them (the
/// order of a flattened part where it is), not sorted: for the two answers that always were
/// written so, a revoked operator key (`keys::Key`). (One version of a site's history was too,
/// until it was shown in the stored row's flat shape through a `Value`: now sorted.)
pub fn json_as_declared<T: Serialize>(body: &T) -> worker::Result<Response> {
    Response::from_json(body)
}

/// The body as [`json`] writes it (`Response::from_json` writes the value with
/// `serde_json::to_string`), for the golden answers.
#[cfg(test)]
pub fn text<T: Serialize>(body: &T) -> serde_json::Result<String> {
    serde_json::to_string(&value(body)?)
}

/// The body as [`json_as_declared`] writes it.
#[cfg(test)]
pub fn text_as_declared<T: Serialize>(body: &T) -> serde_json::Result<String> {
    serde_json::to_string(body)
}

fn value<T: Serialize>(body: &T) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(body)
}

#[cfg(test)]
mod render;
#[cfg(test)]
mod tests;
