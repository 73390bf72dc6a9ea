//! The operators Durable Object: one for the worker (named [`NAME`]), holding the operator keys and
//! the history of every site's configuration and keys.
//!
//! Why a Durable Object and not KV: a revoked key must stop working on its very next request, in
//! every location, and KV is eventually consistent (a minute to reach other locations, and cached
//! at the edge); the object is strongly consistent, and it writes a key and the history entries
//! that record it in one turn, so neither exists without the other. Why one object rather than one
//! per site (like the call logs): a key may open several sites, and its row must be one row, found
//! by its id alone. The cost is one object request per request made with an operator key (the
//! `ADMIN_TOKEN` and report tokens do not reach it), and every configuration change goes through
//! it; both are operator traffic, a few requests a second at most, far below what one object
//! serves.

use dni_core::access::OperatorKey;
use dni_core::history::{first_entries, Change, Entry};
use serde::Deserialize;
use worker::{
    durable_object, wasm_bindgen, DurableObject, Env, Request, Response, Result, SqlStorage,
    SqlStorageValue, State,
};

use crate::clock;
use crate::protocol::OperatorsOp;
use crate::rows::operators::{read_entry, read_key, write_entry, write_key};
use crate::sql::{migrate, millis};

/// The one object's name.
pub const NAME: &str = "operators";

const MIGRATIONS: &[&[&str]] = &[&[
    "CREATE TABLE IF NOT EXISTS keys (id TEXT PRIMARY KEY, row TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS history (site TEXT NOT NULL, version INTEGER NOT NULL, \
     at INTEGER NOT NULL, row TEXT NOT NULL, PRIMARY KEY (site, version))",
]];

/// Operator keys and the history of changes.
#[durable_object]
pub struct Operators {
    sql: SqlStorage,
}

#[derive(Deserialize)]
struct RowText {
    row: String,
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

impl DurableObject for Operators {
    fn new(state: State, env: Env) -> Self {
        clock::follow(&env);
        Operators {
            sql: state.storage().sql(),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let op: OperatorsOp = match req.json().await {
            Ok(op) => op,
            Err(_) => return Response::error("bad operators request", 400),
        };
        migrate(&self.sql, MIGRATIONS)?;
        match op {
            OperatorsOp::KeyCreate { key } => {
                if self.key(&key.id)?.is_some() {
                    return Response::from_json(&Vec::<Entry>::new());
                }
                self.put_key(&key)?;
                let mut added = Vec::new();
                for site in &key.sites {
                    let change = Change::KeyCreated {
                        key: key.id.clone(),
                        name: key.name.clone(),
                        scopes: key.scopes.clone(),
                    };
                    added.extend(self.record(
                        site,
                        None,
                        change,
                        &key.created_by,
                        key.created_at,
                    )?);
                }
                Response::from_json(&added)
            }
            OperatorsOp::KeyGet { id } => Response::from_json(&self.key(&id)?),
            OperatorsOp::KeyList => {
                let rows: Vec<RowText> = self
                    .sql
                    .exec("SELECT row FROM keys ORDER BY id", None)?
                    .to_array()?;
                let keys = rows
                    .iter()
                    .map(|r| read_key(&r.row))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Response::from_json(&keys)
            }
            OperatorsOp::KeyRevoke { id, by, at } => {
                let Some(mut key) = self.key(&id)? else {
                    return Response::from_json(&None::<OperatorKey>);
                };
                if key.revoked_at.is_none() {
                    key.revoked_at = Some(at);
                    key.revoked_by = Some(by.clone());
                    self.put_key(&key)?;
                    for site in &key.sites {
                        let change = Change::KeyRevoked { key: id.clone() };
                        self.record(site, None, change, &by, at)?;
                    }
                }
                Response::from_json(&Some(key))
            }
            OperatorsOp::Record {
                site,
                previous,
                change,
                by,
                at,
            } => Response::from_json(&self.record(&site, previous.map(|p| *p), change, &by, at)?),
            OperatorsOp::History { site, limit } => {
                let rows: Vec<RowText> = self
                    .sql
                    .exec(
                        "SELECT row FROM history WHERE site = ? ORDER BY version DESC LIMIT ?",
                        vec![site.into(), SqlStorageValue::Integer(i64::from(limit))],
                    )?
                    .to_array()?;
                let entries = rows
                    .iter()
                    .map(|r| read_entry(&r.row))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Response::from_json(&entries)
            }
            OperatorsOp::Version { site, version } => {
                let version = i64::try_from(version).unwrap_or(i64::MAX);
                let rows: Vec<RowText> = self
                    .sql
                    .exec(
                        "SELECT row FROM history WHERE site = ? AND version = ?",
                        vec![site.into(), SqlStorageValue::Integer(version)],
                    )?
                    .to_array()?;
                let entry = rows.first().map(|r| read_entry(&r.row)).transpose()?;
                Response::from_json(&entry)
            }
        }
    }
}

impl Operators {
    fn key(&self, id: &str) -> Result<Option<OperatorKey>> {
        let rows: Vec<RowText> = self
            .sql
            .exec("SELECT row FROM keys WHERE id = ?", vec![id.into()])?
            .to_array()?;
        Ok(rows.first().map(|r| read_key(&r.row)).transpose()?)
    }

    fn put_key(&self, key: &OperatorKey) -> Result<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO keys (id, row) VALUES (?, ?)",
            vec![key.id.clone().into(), write_key(key)?.into()],
        )?;
        Ok(())
    }

    /// Adds a change to `site`'s history, numbered after its last entry; the entries added.
    fn record(
        &self,
        site: &str,
        previous: Option<dni_core::config::SiteConfig>,
        change: Change,
        by: &str,
        at: dni_core::Millis,
    ) -> Result<Vec<Entry>> {
        let counted: Vec<Count> = self
            .sql
            .exec(
                "SELECT coalesce(max(version), 0) AS n FROM history WHERE site = ?",
                vec![site.into()],
            )?
            .to_array()?;
        let count = counted.first().map_or(0, |c| c.n.max(0) as u64);
        let entries = first_entries(site, count, previous, change, by, at);
        for entry in &entries {
            self.sql.exec(
                "INSERT INTO history (site, version, at, row) VALUES (?, ?, ?, ?)",
                vec![
                    site.into(),
                    SqlStorageValue::Integer(i64::try_from(entry.version).unwrap_or(i64::MAX)),
                    millis(entry.at),
                    write_entry(entry)?.into(),
                ],
            )?;
        }
        if let Some(latest) = entries.last() {
            let oldest = dni_core::history::oldest_kept(latest.version);
            self.sql.exec(
                "DELETE FROM history WHERE site = ? AND version < ?",
                vec![
                    site.into(),
                    SqlStorageValue::Integer(i64::try_from(oldest).unwrap_or(i64::MAX)),
                ],
            )?;
        }
        Ok(entries)
    }
}
