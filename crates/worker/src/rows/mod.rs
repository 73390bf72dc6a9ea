//! Stored rows: the shapes this worker writes to storage, apart from the core's domain types.
//!
//! Everything the worker keeps (the pool object's slot and meta rows and the visits it remembers,
//! the call log's call records, both objects' retention rows, the KV values `site:<id>` and `number:<e164>`) is written and read
//! through the types of this module, never by serializing a domain type directly. The core's types
//! may then change from one release to the next while the rows written by the previous release
//! stay readable: a change to a domain type changes a conversion here, not the stored format.
//!
//! **Versions.** A row is a JSON object. Rows written before this module existed carry no version
//! and read as version 1; rows written now carry `"v": 1` beside their fields (the envelope). A
//! compatible change (a new optional field, `#[serde(default)]` in the `V1` type and in both
//! conversions) keeps the version. A real format change (a field renamed, retyped or given a new
//! meaning) is a new type `…V2`, a new arm in the reader's `match` on the version (with the
//! conversion from the older versions kept), and the writer moves to the new version.
//!
//! **A row that cannot be read is an error** ([`RowError`]): the operation that needed it stops
//! and answers 503 (the detail goes to the log, never to the caller). A row is never skipped and
//! never replaced by a default, since a skipped slot row would free a leased number for a
//! second visitor.
//!
//! The golden rows in `crates/worker/fixtures/rows/` were written by the release before this
//! module (by the running worker in workerd, and by `dni kv`); the tests below read every one of
//! them through these types. They are never edited: a later version adds fixtures of its own.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

pub mod attribution;
pub mod call;
pub mod kv;
pub mod operators;
pub mod pool;
pub mod retention;
pub mod visit;

#[cfg(test)]
mod tests;

/// The envelope's version field.
pub const VERSION_FIELD: &str = "v";

/// A stored row that cannot be read (or a value that cannot be written as one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// What kind of row (`slot`, `call`, `site`, ...).
    pub kind: &'static str,
    /// What is wrong with it.
    pub detail: String,
}

impl RowError {
    /// An error about a row of `kind`.
    pub fn new(kind: &'static str, detail: impl fmt::Display) -> RowError {
        RowError {
            kind,
            detail: detail.to_string(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unreadable {} row: {}", self.kind, self.detail)
    }
}

impl std::error::Error for RowError {}

/// Inside a Durable Object, an unreadable row fails the request: logged here, a 500 to the
/// worker, which answers its caller 503.
impl From<RowError> for worker::Error {
    fn from(e: RowError) -> Self {
        worker::console_error!("{e}");
        worker::Error::RustError(e.to_string())
    }
}

/// Opens a row's envelope: its version (1 when untagged) and its fields, without the tag.
pub fn open(kind: &'static str, text: &str) -> Result<(u64, Map<String, Value>), RowError> {
    let value: Value = serde_json::from_str(text).map_err(|e| RowError::new(kind, e))?;
    let Value::Object(mut fields) = value else {
        return Err(RowError::new(kind, "not a JSON object"));
    };
    let version = match fields.remove(VERSION_FIELD) {
        None => 1,
        Some(v) => v
            .as_u64()
            .filter(|&v| v >= 1)
            .ok_or_else(|| RowError::new(kind, format!("bad version tag {v}")))?,
    };
    Ok((version, fields))
}

/// Reads a row's fields as the type of its version.
pub fn fields<T: DeserializeOwned>(
    kind: &'static str,
    fields: Map<String, Value>,
) -> Result<T, RowError> {
    serde_json::from_value(Value::Object(fields)).map_err(|e| RowError::new(kind, e))
}

/// The error for a version this release does not know (written by a newer release).
pub fn unknown_version(kind: &'static str, version: u64) -> RowError {
    RowError::new(
        kind,
        format!("version {version} is newer than this release reads"),
    )
}

/// Writes a row in its envelope: its fields and `"v": version`.
pub fn seal<T: Serialize>(kind: &'static str, version: u64, row: &T) -> Result<String, RowError> {
    let value = serde_json::to_value(row).map_err(|e| RowError::new(kind, e))?;
    let Value::Object(mut fields) = value else {
        return Err(RowError::new(kind, "a row must be a JSON object"));
    };
    if fields.contains_key(VERSION_FIELD) {
        return Err(RowError::new(
            kind,
            "a row field is named like the version tag",
        ));
    }
    fields.insert(VERSION_FIELD.to_owned(), Value::from(version));
    serde_json::to_string(&Value::Object(fields)).map_err(|e| RowError::new(kind, e))
}

/// A phone number as stored (a string), read back as E.164.
pub(crate) fn e164(kind: &'static str, text: &str) -> Result<dni_core::phone::E164, RowError> {
    dni_core::phone::E164::parse(text).map_err(|e| RowError::new(kind, format!("{text:?}: {e}")))
}
