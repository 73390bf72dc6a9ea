//! The call log Durable Object: one per site, the record of every call to its numbers.
//!
//! A record is keyed by the provider's call id, so a repeated webhook finds the record it already
//! wrote and changes nothing; a status callback that arrives before its webhook creates the record,
//! and the webhook's attribution is merged in when it comes (the core decides how).

use std::cell::Cell;

use dni_core::call::CallRecord;
use dni_core::report::query::GroupRow;
use dni_core::report::Param;
use serde::Deserialize;
use worker::{
    durable_object, wasm_bindgen, DurableObject, Env, Request, Response, Result, SqlStorage,
    SqlStorageValue, State,
};

use crate::clock;
use crate::protocol::{CallOp, ImportReply, ListRow, StatusReply, TokenRow};
use crate::sql::{migrate, millis};

const MIGRATIONS: &[&[&str]] = &[
    &[
        "CREATE TABLE IF NOT EXISTS calls (call_sid TEXT PRIMARY KEY, started_at INTEGER NOT NULL, \
         webhook_seen INTEGER NOT NULL, record TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS calls_by_start ON calls (started_at)",
    ],
    // The reported fields as generated columns, and the report index (see `report::fields`).
    dni_core::report::fields::MIGRATION,
    // Report tokens: the hash of each token's secret, never the token (see `dni_core::access`).
    // They live here, in the site's own object, rather than in KV: a revoked token must stop
    // working at once (KV is eventually consistent and cached at the edge), and a token of one
    // site cannot be found in another site's object at all.
    &["CREATE TABLE IF NOT EXISTS report_tokens (id TEXT PRIMARY KEY, site TEXT NOT NULL, \
       name TEXT NOT NULL, hash TEXT NOT NULL, created_at INTEGER NOT NULL)"],
];

/// Most calls one import request adds.
pub const MAX_IMPORT: usize = 1000;

/// A site's call log.
#[durable_object]
pub struct CallLog {
    sql: SqlStorage,
    migrated: Cell<bool>,
}

#[derive(Deserialize)]
struct Row {
    record: String,
    webhook_seen: i64,
}

impl DurableObject for CallLog {
    fn new(state: State, _env: Env) -> Self {
        CallLog {
            sql: state.storage().sql(),
            migrated: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let op: CallOp = match req.json().await {
            Ok(op) => op,
            Err(_) => return Response::error("bad call log request", 400),
        };
        if !self.migrated.get() {
            migrate(&self.sql, MIGRATIONS)?;
            self.migrated.set(true);
        }
        match op {
            CallOp::Record { record } => Response::from_json(&self.record(*record)?),
            CallOp::Status {
                call_sid,
                site,
                caller,
                tracking_number,
                status,
                duration_s,
            } => {
                let now = clock::now();
                let changed = match self.get(&call_sid)? {
                    Some((mut record, seen)) => {
                        let changed = record.apply_status(status, duration_s, now);
                        if changed {
                            self.put(&record, seen)?;
                        }
                        changed
                    }
                    None => {
                        let mut record =
                            CallRecord::new(&call_sid, &site, &caller, &tracking_number, now);
                        record.apply_status(status, duration_s, now);
                        self.put(&record, false)?;
                        true
                    }
                };
                Response::from_json(&StatusReply { changed })
            }
            CallOp::List { sql } => {
                let rows: Vec<ListRow> =
                    self.sql.exec(&sql.text, params(sql.params))?.to_array()?;
                Response::from_json(&rows)
            }
            CallOp::Report { sql } => {
                let rows: Vec<GroupRow> =
                    self.sql.exec(&sql.text, params(sql.params))?.to_array()?;
                Response::from_json(&rows)
            }
            CallOp::Get { call_sid } => {
                let rows: Vec<ListRow> = self
                    .sql
                    .exec(
                        "SELECT call_sid, started_at, record FROM calls WHERE call_sid = ?",
                        vec![call_sid.into()],
                    )?
                    .to_array()?;
                Response::from_json(&rows.into_iter().next())
            }
            CallOp::Import { records } => {
                let mut imported = 0;
                for record in records.iter().take(MAX_IMPORT) {
                    if self.get(&record.call_sid)?.is_none() {
                        self.put(record, true)?;
                        imported += 1;
                    }
                }
                Response::from_json(&ImportReply { imported })
            }
            CallOp::TokenCreate { token } => {
                self.sql.exec(
                    "INSERT OR REPLACE INTO report_tokens (id, site, name, hash, created_at) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        token.id.into(),
                        token.site.into(),
                        token.name.into(),
                        token.hash.into(),
                        SqlStorageValue::Integer(token.created_at),
                    ],
                )?;
                Response::from_json(&true)
            }
            CallOp::TokenList => {
                let rows: Vec<TokenRow> = self
                    .sql
                    .exec(
                        "SELECT id, site, name, '' AS hash, created_at FROM report_tokens ORDER BY created_at, id",
                        None,
                    )?
                    .to_array()?;
                Response::from_json(&rows)
            }
            CallOp::TokenGet { id } => {
                let rows: Vec<TokenRow> = self
                    .sql
                    .exec(
                        "SELECT id, site, name, hash, created_at FROM report_tokens WHERE id = ?",
                        vec![id.into()],
                    )?
                    .to_array()?;
                Response::from_json(&rows.into_iter().next())
            }
            CallOp::TokenRevoke { id } => {
                let gone = self
                    .sql
                    .exec("DELETE FROM report_tokens WHERE id = ?", vec![id.into()])?
                    .rows_written()
                    > 0;
                Response::from_json(&gone)
            }
        }
    }
}

impl CallLog {
    /// Writes the webhook's record once; a repeat returns what was written the first time.
    fn record(&self, record: CallRecord) -> Result<CallRecord> {
        match self.get(&record.call_sid)? {
            Some((existing, true)) => Ok(existing),
            Some((earlier, false)) => {
                let merged = CallRecord::merge(record, &earlier);
                self.put(&merged, true)?;
                Ok(merged)
            }
            None => {
                self.put(&record, true)?;
                Ok(record)
            }
        }
    }

    fn get(&self, call_sid: &str) -> Result<Option<(CallRecord, bool)>> {
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT record, webhook_seen FROM calls WHERE call_sid = ?",
                vec![call_sid.into()],
            )?
            .to_array()?;
        Ok(rows.first().and_then(|r| {
            serde_json::from_str(&r.record)
                .ok()
                .map(|rec| (rec, r.webhook_seen != 0))
        }))
    }

    fn put(&self, record: &CallRecord, webhook_seen: bool) -> Result<()> {
        let text =
            serde_json::to_string(record).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.sql.exec(
            "INSERT INTO calls (call_sid, started_at, webhook_seen, record) VALUES (?, ?, ?, ?) \
             ON CONFLICT(call_sid) DO UPDATE SET started_at = excluded.started_at, \
             webhook_seen = excluded.webhook_seen, record = excluded.record",
            vec![
                record.call_sid.as_str().into(),
                millis(record.started_at),
                i64::from(webhook_seen).into(),
                text.into(),
            ],
        )?;
        Ok(())
    }
}

/// The core's query parameters as the platform's.
fn params(params: Vec<Param>) -> Vec<SqlStorageValue> {
    params
        .into_iter()
        .map(|p| match p {
            Param::Int(i) => SqlStorageValue::Integer(i),
            Param::Real(f) => SqlStorageValue::Float(f),
            Param::Text(t) => SqlStorageValue::String(t),
        })
        .collect()
}
