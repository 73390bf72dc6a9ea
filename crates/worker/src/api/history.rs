//! The history of a site's changes: the list (`GET /v1/sites/{site}/config/history`), one version
//! with the configuration it wrote (`.../history/{version}`), and a rollback's answer
//! (`PUT .../config`'s: `admin::ConfigStored`). Converted from the operators object's `dni_core::history::Entry`.

use dni_core::config::SiteConfig;
use dni_core::history::{Change, Entry};
use serde::{Deserialize, Serialize};

/// `POST /v1/sites/{site}/config/rollback`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollback {
    /// The version whose configuration to write again.
    pub version: u64,
}

/// `POST /v1/sites/{site}/config/rollback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolledBack {
    /// Always true.
    pub ok: bool,
    /// The site.
    pub site: String,
    /// The rollback's own version in the site's history.
    pub version: u64,
    /// The version whose configuration was written again.
    pub restored: u64,
}

fn scopes(s: &[dni_core::access::Scope]) -> Vec<String> {
    s.iter().map(|s| s.as_str().to_owned()).collect()
}

/// What changed, as the list shows it (the configuration itself is read one version at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ListedChange {
    /// The configuration the site had when the history first saw it.
    Found {},
    /// A configuration was written.
    Config {},
    /// An earlier version was restored.
    Rollback {
        /// The version restored.
        from: u64,
    },
    /// An operator key that opens the site was created.
    KeyCreated {
        /// The key's id.
        key: String,
        /// Its name.
        name: String,
        /// Its scopes.
        scopes: Vec<String>,
    },
    /// An operator key that opened the site was revoked.
    KeyRevoked {
        /// The key's id.
        key: String,
    },
}

/// One change in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// The site.
    pub site: String,
    /// Its number in the site's history, from 1.
    pub version: u64,
    /// When (milliseconds since the epoch).
    pub at: u64,
    /// `admin`, `key:<id>`; null for a `found` configuration.
    pub by: Option<String>,
    /// Whether the change wrote a configuration (`.../history/{version}` has it).
    pub config: bool,
    /// What changed.
    #[serde(flatten)]
    pub change: ListedChange,
}

impl From<&Entry> for Listed {
    fn from(e: &Entry) -> Self {
        let Entry {
            site,
            version,
            at,
            by,
            change,
        } = e;
        let listed = match change {
            Change::Found { .. } => ListedChange::Found {},
            Change::Config { .. } => ListedChange::Config {},
            Change::Rollback { from, .. } => ListedChange::Rollback { from: *from },
            Change::KeyCreated {
                key,
                name,
                scopes: s,
            } => ListedChange::KeyCreated {
                key: key.clone(),
                name: name.clone(),
                scopes: scopes(s),
            },
            Change::KeyRevoked { key } => ListedChange::KeyRevoked { key: key.clone() },
        };
        Listed {
            site: site.clone(),
            version: *version,
            at: *at,
            by: by.clone(),
            config: change.config().is_some(),
            change: listed,
        }
    }
}

/// `GET /v1/sites/{site}/config/history`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    /// The site.
    pub site: String,
    /// Its changes.
    pub history: Vec<Listed>,
}

/// What changed, with the configuration written: the configuration document's own format
/// (`docs/configuration.md`), as `GET .../config` answers it, not an API type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum VersionChange {
    /// The configuration the site had when the history first saw it.
    Found {
        /// That configuration.
        config: SiteConfig,
    },
    /// A configuration was written.
    Config {
        /// What was written.
        config: SiteConfig,
    },
    /// An earlier version was restored.
    Rollback {
        /// The version restored.
        from: u64,
        /// Its configuration.
        config: SiteConfig,
    },
    /// An operator key that opens the site was created.
    KeyCreated {
        /// The key's id.
        key: String,
        /// Its name.
        name: String,
        /// Its scopes.
        scopes: Vec<String>,
    },
    /// An operator key that opened the site was revoked.
    KeyRevoked {
        /// The key's id.
        key: String,
    },
}

/// `GET /v1/sites/{site}/config/history/{version}`. Written as every answer is, keys sorted (the
/// configuration inside too), as the stored row's flat shape was shown through a `Value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// The site.
    pub site: String,
    /// Its number in the site's history.
    pub version: u64,
    /// When (milliseconds since the epoch).
    pub at: u64,
    /// `admin`, `key:<id>`; null for a `found` configuration.
    pub by: Option<String>,
    /// What changed.
    #[serde(flatten)]
    pub change: VersionChange,
}

impl From<&Entry> for Version {
    fn from(e: &Entry) -> Self {
        let Entry {
            site,
            version,
            at,
            by,
            change,
        } = e;
        let change = match change {
            Change::Found { config } => VersionChange::Found {
                config: (**config).clone(),
            },
            Change::Config { config } => VersionChange::Config {
                config: (**config).clone(),
            },
            Change::Rollback { from, config } => VersionChange::Rollback {
                from: *from,
                config: (**config).clone(),
            },
            Change::KeyCreated {
                key,
                name,
                scopes: s,
            } => VersionChange::KeyCreated {
                key: key.clone(),
                name: name.clone(),
                scopes: scopes(s),
            },
            Change::KeyRevoked { key } => VersionChange::KeyRevoked { key: key.clone() },
        };
        Version {
            site: site.clone(),
            version: *version,
            at: *at,
            by: by.clone(),
            change,
        }
    }
}
