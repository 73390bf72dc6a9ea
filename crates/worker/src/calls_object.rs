//! The call log Durable Object: one per site, the record of every call to its numbers.
//!
//! A record is keyed by the provider's call id, so a repeated webhook finds the record it already
//! wrote and changes nothing; a status callback that arrives before its webhook creates the record,
//! and the webhook's attribution is merged in when it comes (the core decides how).

use std::cell::Cell;

use dni_core::integrations::outbox::Delivery;

use dni_core::call::CallRecord;
use serde::Deserialize;
use worker::{
    durable_object, wasm_bindgen, DurableObject, Env, Request, Response, Result, SqlStorage, State,
};

use crate::clock;
use crate::outbox::{self, Sender, Tuning};
use crate::protocol::{CallOp, StatusReply};
use crate::sql::{migrate, millis};

const MIGRATIONS: &[&[&str]] = &[&[
    "CREATE TABLE IF NOT EXISTS calls (call_sid TEXT PRIMARY KEY, started_at INTEGER NOT NULL, \
     webhook_seen INTEGER NOT NULL, record TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS calls_by_start ON calls (started_at)",
]];

/// Most calls one list request returns.
pub const MAX_LIST: u32 = 500;

/// A site's call log.
#[durable_object]
pub struct CallLog {
    sql: SqlStorage,
    migrated: Cell<bool>,
    /// The outbox's alarm and sender (see `outbox`).
    state: State,
    env: Env,
    sender: Sender,
}

#[derive(Deserialize)]
struct Row {
    record: String,
    webhook_seen: i64,
}

impl DurableObject for CallLog {
    fn new(state: State, env: Env) -> Self {
        CallLog {
            sql: state.storage().sql(),
            migrated: Cell::new(false),
            state,
            env,
            sender: Sender::default(),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let op: CallOp = match req.json().await {
            Ok(op) => op,
            Err(_) => return Response::error("bad call log request", 400),
        };
        self.ensure_migrated()?;
        match op {
            CallOp::Record { record } => Response::from_json(&self.record(*record)?),
            CallOp::Status {
                call_sid,
                site,
                caller,
                tracking_number,
                status,
                duration_s,
                integrations,
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
                if changed && status.is_final() {
                    if let Some(settings) = integrations {
                        self.queue_messages(&call_sid, &settings, now).await?;
                    }
                }
                Response::from_json(&StatusReply { changed })
            }
            CallOp::List { limit } => {
                let rows: Vec<Row> = self
                    .sql
                    .exec(
                        "SELECT record, webhook_seen FROM calls ORDER BY started_at DESC, call_sid LIMIT ?",
                        vec![i64::from(limit.min(MAX_LIST)).into()],
                    )?
                    .to_array()?;
                let mut calls: Vec<CallRecord> = rows
                    .iter()
                    .filter_map(|r| serde_json::from_str(&r.record).ok())
                    .collect();
                for call in &mut calls {
                    call.deliveries = outbox::list(&self.sql, &call.call_sid)?;
                }
                Response::from_json(&calls)
            }
            CallOp::Deliveries { call_sid } => {
                Response::from_json(&outbox::list(&self.sql, &call_sid)?)
            }
            CallOp::RetryDelivery { id } => {
                let found: Option<Delivery> = match outbox::get(&self.sql, &id)? {
                    Some(mut d) => {
                        d.replay(clock::now());
                        outbox::put(&self.sql, &d)?;
                        self.schedule().await?;
                        Some(d)
                    }
                    None => None,
                };
                Response::from_json(&found)
            }
        }
    }

    /// Sends what is due, records each answer, and sets the alarm for the next due message.
    async fn alarm(&self) -> Result<Response> {
        self.ensure_migrated()?;
        let tuning = Tuning::from_env(&self.env);
        let settings = outbox::load_settings(&self.sql)?.unwrap_or_default();
        let batch = outbox::due(&self.sql, clock::now(), tuning.batch)?;
        let mut work = Vec::with_capacity(batch.len());
        for d in batch {
            let record = self.get(&d.call_id)?.map(|(r, _)| r);
            work.push((d, record));
        }
        let sending = work.iter().map(|(d, record)| {
            self.sender
                .deliver(&self.env, &tuning, &settings, d, record.as_ref())
        });
        let outcomes = futures_util::future::join_all(sending).await;
        let now = clock::now();
        for ((mut d, _), outcome) in work.into_iter().zip(outcomes) {
            match outcome {
                outbox::Outcome::Skip(why) => d.skipped(&why, now),
                outbox::Outcome::Tried(next, answer) => d.attempted(next, &answer, now),
            }
            outbox::put(&self.sql, &d)?;
        }
        self.schedule().await?;
        Response::ok("")
    }
}

impl CallLog {
    fn ensure_migrated(&self) -> Result<()> {
        if !self.migrated.get() {
            migrate(&self.sql, MIGRATIONS)?;
            outbox::migrate(&self.sql)?;
            self.migrated.set(true);
        }
        Ok(())
    }

    /// Queues an ended call's messages (once) and makes sure the alarm will send them.
    async fn queue_messages(
        &self,
        call_sid: &str,
        settings: &dni_core::integrations::settings::Integrations,
        now: dni_core::Millis,
    ) -> Result<()> {
        outbox::save_settings(&self.sql, settings)?;
        let settle = Tuning::from_env(&self.env).settle;
        if outbox::enqueue(&self.sql, call_sid, settings, now + settle)? > 0 {
            self.schedule().await?;
        }
        Ok(())
    }

    /// Sets the alarm to the next due message, unless it is already set earlier.
    async fn schedule(&self) -> Result<()> {
        let Some(at) = outbox::next_due(&self.sql)? else {
            return Ok(());
        };
        let storage = self.state.storage();
        let current = storage.get_alarm().await?;
        if current.is_some_and(|c| u64::try_from(c).unwrap_or(0) <= at) {
            return Ok(());
        }
        let delay = at.saturating_sub(clock::now());
        storage
            .set_alarm(i64::try_from(delay).unwrap_or(i64::MAX))
            .await
    }

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
