//! The operators object's rows: operator keys (`keys.row`) and the history of each site's
//! configuration and keys (`history.row`). Both are version 1, tagged from the start.
//!
//! A history row's configuration is the site's configuration document as `PUT .../config`
//! accepts it (the published input format, as the KV `site:<id>` value; see `rows::kv`): stored as
//! that document, read back through the core's `SiteConfig`, which only ever gains optional fields.

use dni_core::access::{OperatorKey, Scope};
use dni_core::config::SiteConfig;
use dni_core::history::{Change, Entry};
use dni_core::Millis;
use serde::{Deserialize, Serialize};

use super::{fields, open, seal, unknown_version, RowError};

const KEY: &str = "operator key";
const ENTRY: &str = "history";

/// An operator key, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyV1 {
    /// Its id.
    pub id: String,
    /// Its label.
    pub name: String,
    /// The sites it opens.
    pub sites: Vec<String>,
    /// Its scopes, by name (`configure`, `calls`, `recordings`, `qualify`, `erase`).
    pub scopes: Vec<String>,
    /// SHA-256 of its secret, hex.
    pub hash: String,
    /// When it was created.
    pub created_at: Millis,
    /// Who created it.
    pub created_by: String,
    /// When it was revoked.
    #[serde(default)]
    pub revoked_at: Option<Millis>,
    /// Who revoked it.
    #[serde(default)]
    pub revoked_by: Option<String>,
}

fn scope(name: &str) -> Result<Scope, RowError> {
    Scope::ALL
        .into_iter()
        .find(|s| s.as_str() == name)
        .ok_or_else(|| RowError::new(KEY, format!("unknown scope {name:?}")))
}

/// Reads a key row.
pub fn read_key(text: &str) -> Result<OperatorKey, RowError> {
    match open(KEY, text)? {
        (1, f) => {
            let KeyV1 {
                id,
                name,
                sites,
                scopes,
                hash,
                created_at,
                created_by,
                revoked_at,
                revoked_by,
            } = fields(KEY, f)?;
            Ok(OperatorKey {
                id,
                name,
                sites,
                scopes: scopes.iter().map(|s| scope(s)).collect::<Result<_, _>>()?,
                hash,
                created_at,
                created_by,
                revoked_at,
                revoked_by,
            })
        }
        (v, _) => Err(unknown_version(KEY, v)),
    }
}

/// Writes a key row.
pub fn write_key(key: &OperatorKey) -> Result<String, RowError> {
    let row = KeyV1 {
        id: key.id.clone(),
        name: key.name.clone(),
        sites: key.sites.clone(),
        scopes: key.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        hash: key.hash.clone(),
        created_at: key.created_at,
        created_by: key.created_by.clone(),
        revoked_at: key.revoked_at,
        revoked_by: key.revoked_by.clone(),
    };
    seal(KEY, 1, &row)
}

/// A history entry, version 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryV1 {
    /// The site.
    pub site: String,
    /// Its number in the site's history.
    pub version: u64,
    /// When.
    pub at: Millis,
    /// Who (`admin`, `key:<id>`), or nobody known.
    pub by: Option<String>,
    /// `found`, `config`, `rollback`, `key_created`, `key_revoked`.
    pub change: String,
    /// The configuration written (`found`, `config`, `rollback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<SiteConfig>,
    /// The version restored (`rollback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<u64>,
    /// The key (`key_created`, `key_revoked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The key's name (`key_created`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The key's scopes (`key_created`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

fn missing(what: &str) -> RowError {
    RowError::new(ENTRY, format!("{what} is missing"))
}

/// Reads a history row.
pub fn read_entry(text: &str) -> Result<Entry, RowError> {
    match open(ENTRY, text)? {
        (1, f) => {
            let row: EntryV1 = fields(ENTRY, f)?;
            let config = || {
                row.config
                    .clone()
                    .map(Box::new)
                    .ok_or_else(|| missing("config"))
            };
            let key = || row.key.clone().ok_or_else(|| missing("key"));
            let change = match row.change.as_str() {
                "found" => Change::Found { config: config()? },
                "config" => Change::Config { config: config()? },
                "rollback" => Change::Rollback {
                    from: row.from.ok_or_else(|| missing("from"))?,
                    config: config()?,
                },
                "key_created" => Change::KeyCreated {
                    key: key()?,
                    name: row.name.clone().unwrap_or_default(),
                    scopes: row
                        .scopes
                        .iter()
                        .flatten()
                        .map(|s| scope(s).map_err(|e| RowError::new(ENTRY, e.detail)))
                        .collect::<Result<_, _>>()?,
                },
                "key_revoked" => Change::KeyRevoked { key: key()? },
                other => return Err(RowError::new(ENTRY, format!("unknown change {other:?}"))),
            };
            Ok(Entry {
                site: row.site,
                version: row.version,
                at: row.at,
                by: row.by,
                change,
            })
        }
        (v, _) => Err(unknown_version(ENTRY, v)),
    }
}

/// Writes a history row.
pub fn write_entry(entry: &Entry) -> Result<String, RowError> {
    let mut row = EntryV1 {
        site: entry.site.clone(),
        version: entry.version,
        at: entry.at,
        by: entry.by.clone(),
        change: String::new(),
        config: None,
        from: None,
        key: None,
        name: None,
        scopes: None,
    };
    match &entry.change {
        Change::Found { config } => {
            row.change = "found".into();
            row.config = Some((**config).clone());
        }
        Change::Config { config } => {
            row.change = "config".into();
            row.config = Some((**config).clone());
        }
        Change::Rollback { from, config } => {
            row.change = "rollback".into();
            row.from = Some(*from);
            row.config = Some((**config).clone());
        }
        Change::KeyCreated { key, name, scopes } => {
            row.change = "key_created".into();
            row.key = Some(key.clone());
            row.name = Some(name.clone());
            row.scopes = Some(scopes.iter().map(|s| s.as_str().to_owned()).collect());
        }
        Change::KeyRevoked { key } => {
            row.change = "key_revoked".into();
            row.key = Some(key.clone());
        }
    }
    seal(ENTRY, 1, &row)
}
