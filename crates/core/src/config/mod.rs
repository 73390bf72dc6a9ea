//! A site's configuration, as the operator writes it and as KV stores it, and its validation.
//!
//! KV holds, per site, `site:<id>` (this document) and, per tracking number, `number:<e164>` (which
//! site and pool or static source it belongs to, so that a webhook finds its site in one read).
//! Lease state never lives in KV: KV is eventually consistent, the pool Durable Object is not.
//!
//! Four concerns, one file each: the document's shape ([`schema`]), what makes it valid
//! ([`validate`]), how a pool is split across Durable Objects ([`shards`]) and how it is laid out in
//! KV ([`kv`]).

pub mod kv;
pub mod schema;
pub mod shards;
pub mod validate;

pub use kv::{number_key, site_key, NumberRoute};
pub use schema::{PoolConfig, RecordingSettings, SiteConfig, StaticNumber, Target};
pub use shards::MAX_SHARDS_ASKED;
pub use validate::{valid_name, ConfigError, MAX_REDACT_PARAMS};

#[cfg(test)]
mod tests;
