//! The history of a site's configuration and of the operator keys that open it: every change, who
//! made it (`admin` or `key:<id>`, [`crate::access::Viewer::who`]) and when, numbered from 1 per
//! site. A configuration change keeps the whole configuration it wrote, so that any version can be
//! read back and restored ([`rollback`]).
//!
//! The first change the history sees of a site that already had a configuration (written by
//! `dni kv`, or before the history existed) is preceded by that configuration, as version 1
//! `found` ([`first_entries`]), so the very first change can be rolled back too.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::access::Scope;
use crate::config::SiteConfig;
use crate::Millis;

/// What changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// The configuration the site had when the history first saw it.
    Found {
        /// That configuration.
        config: Box<SiteConfig>,
    },
    /// A configuration was written (`PUT .../config`).
    Config {
        /// What was written.
        config: Box<SiteConfig>,
    },
    /// An earlier version was restored (`POST .../config/rollback`).
    Rollback {
        /// The version restored.
        from: u64,
        /// Its configuration, now the site's.
        config: Box<SiteConfig>,
    },
    /// An operator key that opens the site was created.
    KeyCreated {
        /// The key's id.
        key: String,
        /// Its name.
        name: String,
        /// Its scopes.
        scopes: Vec<Scope>,
    },
    /// An operator key that opened the site was revoked.
    KeyRevoked {
        /// The key's id.
        key: String,
    },
}

impl Change {
    /// The configuration this change left the site with, if it wrote one.
    pub fn config(&self) -> Option<&SiteConfig> {
        match self {
            Change::Found { config }
            | Change::Config { config }
            | Change::Rollback { config, .. } => Some(config),
            Change::KeyCreated { .. } | Change::KeyRevoked { .. } => None,
        }
    }
}

/// One change, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The site.
    pub site: String,
    /// Its number in the site's history, from 1.
    pub version: u64,
    /// When (milliseconds since the epoch).
    pub at: Millis,
    /// Who: `admin`, `key:<id>`; `null` for a `found` configuration (nobody known).
    pub by: Option<String>,
    /// What.
    #[serde(flatten)]
    pub change: Change,
}

/// The entries to add for `change` to a site whose history holds `count` entries and whose
/// configuration before the change was `previous`: the change, numbered after the last, preceded
/// by the previous configuration as `found` when the history is empty and there was one.
pub fn first_entries(
    site: &str,
    count: u64,
    previous: Option<SiteConfig>,
    change: Change,
    by: &str,
    at: Millis,
) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut next = count + 1;
    if count == 0 {
        if let Some(config) = previous {
            out.push(Entry {
                site: site.to_owned(),
                version: next,
                at,
                by: None,
                change: Change::Found {
                    config: Box::new(config),
                },
            });
            next += 1;
        }
    }
    out.push(Entry {
        site: site.to_owned(),
        version: next,
        at,
        by: Some(by.to_owned()),
        change,
    });
    out
}

/// Entries kept per site: the newest thousand changes (each may hold a configuration of up to
/// 256 KB). An older version can no longer be read or restored.
pub const MAX_KEPT: u64 = 1000;

/// The oldest version a site whose newest is `latest` keeps ([`MAX_KEPT`] of them).
pub fn oldest_kept(latest: u64) -> u64 {
    latest.saturating_sub(MAX_KEPT - 1).max(1)
}

/// Why a version cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackError {
    /// No such version in the site's history.
    NoSuchVersion,
    /// The version is a change of keys, not of the configuration.
    NotAConfiguration,
}

/// The configuration a rollback to `version` writes, from that version's entry.
pub fn rollback(entry: Option<&Entry>) -> Result<&SiteConfig, RollbackError> {
    let entry = entry.ok_or(RollbackError::NoSuchVersion)?;
    entry
        .change
        .config()
        .ok_or(RollbackError::NotAConfiguration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(name: &str) -> SiteConfig {
        let mut c: SiteConfig = serde_json::from_str(
            r#"{"id":"a","targets":[{"number":"+12125550100"}],"static_numbers":[]}"#,
        )
        .unwrap();
        c.name = name.to_owned();
        c
    }

    #[test]
    fn the_first_change_keeps_what_was_there() {
        let change = || Change::Config {
            config: Box::new(config("new")),
        };
        // (entries so far, previous configuration, the versions and changes added)
        type Row<'a> = (
            u64,
            Option<SiteConfig>,
            &'a [(u64, &'a str, Option<&'a str>)],
        );
        let table: &[Row] = &[
            (
                0,
                Some(config("old")),
                &[(1, "found", None), (2, "config", Some("admin"))],
            ),
            (0, None, &[(1, "config", Some("admin"))]),
            (3, Some(config("old")), &[(4, "config", Some("admin"))]),
        ];
        for (count, previous, want) in table {
            let got = first_entries("a", *count, previous.clone(), change(), "admin", 7);
            let got: Vec<(u64, String, Option<&str>)> = got
                .iter()
                .map(|e| {
                    let json = serde_json::to_value(e).unwrap();
                    (
                        e.version,
                        json["change"].as_str().unwrap().to_owned(),
                        e.by.as_deref(),
                    )
                })
                .collect();
            let want: Vec<(u64, String, Option<&str>)> = want
                .iter()
                .map(|(v, c, b)| (*v, c.to_string(), *b))
                .collect();
            assert_eq!(got, want, "{count} {}", previous.is_some());
        }
    }

    #[test]
    fn keeps_the_newest_thousand() {
        // (latest version, oldest kept)
        let table = [(0, 1), (1, 1), (999, 1), (1000, 1), (1001, 2), (5000, 4001)];
        for (latest, want) in table {
            assert_eq!(oldest_kept(latest), want, "{latest}");
            if latest >= MAX_KEPT {
                assert_eq!(latest - oldest_kept(latest) + 1, MAX_KEPT);
            }
        }
    }

    #[test]
    fn a_rollback_restores_a_configuration_version_only() {
        let entry = |change| Entry {
            site: "a".into(),
            version: 1,
            at: 1,
            by: Some("admin".into()),
            change,
        };
        let written = entry(Change::Config {
            config: Box::new(config("v1")),
        });
        let restored = entry(Change::Rollback {
            from: 1,
            config: Box::new(config("v1 again")),
        });
        let found = entry(Change::Found {
            config: Box::new(config("found")),
        });
        let key = entry(Change::KeyRevoked { key: "k".into() });
        let table: &[(Option<&Entry>, Result<&str, RollbackError>)] = &[
            (Some(&written), Ok("v1")),
            (Some(&restored), Ok("v1 again")),
            (Some(&found), Ok("found")),
            (Some(&key), Err(RollbackError::NotAConfiguration)),
            (None, Err(RollbackError::NoSuchVersion)),
        ];
        for (e, want) in table {
            assert_eq!(
                rollback(*e).map(|c| c.name.as_str()),
                *want,
                "{:?}",
                e.map(|e| &e.change)
            );
        }
    }
}
