//! The call log Durable Object: one per site, the record of every call to its numbers.
//!
//! A record is keyed by the provider's call id, so a repeated webhook finds the record it already
//! wrote and changes nothing; a status callback that arrives before its webhook creates the record,
//! and the webhook's attribution is merged in when it comes (the core decides how).

use std::cell::Cell;

use dni_core::integrations::outbox::{
    delivery_id, plan, Delivery, Destination, Moment, SendSettings, State as DeliveryState,
};
use dni_core::integrations::rules::NotConverted;
use dni_core::integrations::{qualify, retraction};

use dni_core::call::CallRecord;
use dni_core::messaging::conversation;
use dni_core::report::query::GroupRow;
use dni_core::report::Param;
use serde::Deserialize;
use worker::{
    durable_object, wasm_bindgen, DurableObject, Env, Request, Response, Result, SqlStorage,
    SqlStorageValue, State,
};

use crate::clock;
use crate::outbox::{self, Sender, Tuning};
use crate::protocol::{
    Applied, CallOp, EraseReply, ImportReply, ListRow, SeenSignatureReply, StatusReply, TextReply,
    TokenRow,
};
use crate::retention;
use crate::rows::call::{read_call, write_call};
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
    // First-time or repeat caller (`called_before`) asks for the same caller's earlier calls on
    // every incoming call: an index on the expression that query uses (the same text, so the
    // planner matches it) turns a scan of every record's JSON into a lookup. No table rebuild:
    // the caller stays inside the record, the index is built once over the existing rows.
    &["CREATE INDEX IF NOT EXISTS calls_by_caller ON calls \
       (json_extract(record, '$.caller'), started_at)"],
    // Texts beside calls: the lead's kind, reported and filtered on (see `report::fields`).
    dni_core::report::fields::KIND_MIGRATION,
    // Test calls: their mark as a plain column (instant to add), and the report index rebuilt
    // with it last, so that reports leave test calls out from the index alone.
    dni_core::report::fields::TEST_MIGRATION,
    // Report tokens' scopes besides reading (`qualify`): existing tokens stay read-only.
    &["ALTER TABLE report_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT ''"],
    // Qualified leads in reports: the lead status and the tags as virtual columns read from each
    // record (existing rows unchanged), and the report index rebuilt with them last.
    dni_core::report::fields::LEAD_MIGRATION,
];

/// Most calls one [`CallOp::Recent`] request returns.
pub const MAX_RECENT: u32 = 500;

/// Most calls one import request adds.
pub const MAX_IMPORT: usize = 1000;

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
        clock::follow(&env);
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
            CallOp::Record {
                record,
                retention_days,
                integrations,
                time_zone,
            } => {
                let written = self.record(*record)?;
                self.keep_for(retention_days).await?;
                if let Some(settings) = integrations {
                    let call = (written.call_sid.as_str(), written.test);
                    let (moment, now) = (Moment::Started, clock::now());
                    self.queue_messages(call, *settings, time_zone, moment, now)
                        .await?;
                }
                Response::from_json(&written)
            }
            CallOp::Text {
                record,
                window,
                retention_days,
                integrations,
                time_zone,
            } => {
                let reply = self.text(*record, window)?;
                self.keep_for(retention_days).await?;
                if reply.new {
                    if let Some(settings) = integrations {
                        let call = (reply.record.call_sid.as_str(), reply.record.test);
                        self.queue_messages(call, *settings, time_zone, Moment::Text, clock::now())
                            .await?;
                    }
                }
                Response::from_json(&reply)
            }
            CallOp::Status {
                call_sid,
                site,
                caller,
                tracking_number,
                status,
                duration_s,
                integrations,
                time_zone,
            } => {
                let now = clock::now();
                let rules = integrations.as_ref().map(|i| i.qualify.as_slice());
                let (changed, test) = match self.get(&call_sid)? {
                    Some((mut record, seen)) => {
                        let changed = record.apply_status(status, duration_s, now);
                        if changed {
                            if let Some(rules) = rules.filter(|_| status.is_final()) {
                                qualify::requalify(&mut record, rules, now);
                            }
                            self.put(&record, seen)?;
                        }
                        (changed, record.test)
                    }
                    None => {
                        // Before its webhook: a provider's callback, so a real call.
                        let mut record =
                            CallRecord::new(&call_sid, &site, &caller, &tracking_number, now);
                        record.apply_status(status, duration_s, now);
                        if let Some(rules) = rules.filter(|_| status.is_final()) {
                            qualify::requalify(&mut record, rules, now);
                        }
                        self.put(&record, false)?;
                        (true, false)
                    }
                };
                if changed && status.is_final() {
                    if let Some(settings) = integrations {
                        let call = (call_sid.as_str(), test);
                        self.queue_messages(call, *settings, time_zone, Moment::Ended, now)
                            .await?;
                    }
                }
                Response::from_json(&StatusReply { changed })
            }
            CallOp::EraseCaller { caller } => Response::from_json(&EraseReply {
                erased: self.erase_caller(caller.as_str())?,
            }),
            CallOp::Apply {
                call_sid,
                site,
                caller,
                tracking_number,
                update,
            } => {
                let now = clock::now();
                let (record, changed) = match self.get(&call_sid)? {
                    Some((mut record, seen)) => {
                        let changed = record.apply(update);
                        if changed {
                            // A transcript or a dial result may qualify an ended call anew.
                            let mut requalified = false;
                            if record.status.is_final() {
                                if let Some(s) = outbox::load_settings(&self.sql)? {
                                    requalified = qualify::requalify(
                                        &mut record,
                                        &s.integrations.qualify,
                                        now,
                                    );
                                }
                            }
                            self.put(&record, seen)?;
                            if record.status.is_final() {
                                self.requeue(&record.call_sid, requalified, now).await?;
                            }
                        }
                        (record, changed)
                    }
                    None => {
                        let mut record =
                            CallRecord::new(&call_sid, &site, &caller, &tracking_number, now);
                        record.apply(update);
                        self.put(&record, false)?;
                        (record, true)
                    }
                };
                Response::from_json(&Applied { changed, record })
            }
            CallOp::Get { call_sid } => {
                Response::from_json(&self.get(&call_sid)?.map(|(record, _)| record))
            }
            CallOp::SeenSignature { key, expires_at } => {
                let first = crate::replay::first_seen(&self.sql, &key, expires_at, clock::now())?;
                Response::from_json(&SeenSignatureReply { first })
            }
            CallOp::List { sql } => {
                let rows: Vec<ListRow> =
                    self.sql.exec(&sql.text, params(sql.params))?.to_array()?;
                Response::from_json(&rows)
            }
            CallOp::Recent { limit } => {
                #[derive(Deserialize)]
                struct Text {
                    record: String,
                }
                let rows: Vec<Text> = self
                    .sql
                    .exec(
                        "SELECT record FROM calls ORDER BY started_at DESC, call_sid LIMIT ?",
                        vec![i64::from(limit.min(MAX_RECENT)).into()],
                    )?
                    .to_array()?;
                // Every row must read: a feed that silently leaves out a call is worse than none.
                let mut calls = Vec::with_capacity(rows.len());
                for row in rows {
                    calls.push(read_call(&row.record)?);
                }
                Response::from_json(&calls)
            }
            CallOp::Report { sql } => {
                let rows: Vec<GroupRow> =
                    self.sql.exec(&sql.text, params(sql.params))?.to_array()?;
                Response::from_json(&rows)
            }
            CallOp::GetRow { call_sid } => {
                let rows: Vec<ListRow> = self
                    .sql
                    .exec(
                        "SELECT call_sid, started_at, record FROM calls WHERE call_sid = ?",
                        vec![call_sid.into()],
                    )?
                    .to_array()?;
                Response::from_json(&rows.into_iter().next())
            }
            CallOp::Import {
                records,
                retention_days,
            } => {
                let mut imported = 0;
                for record in records.iter().take(MAX_IMPORT) {
                    if self.get(&record.call_sid)?.is_none() {
                        self.put(record, true)?;
                        imported += 1;
                    }
                }
                self.keep_for(retention_days).await?;
                Response::from_json(&ImportReply { imported })
            }
            CallOp::TokenCreate { token } => {
                self.sql.exec(
                    "INSERT OR REPLACE INTO report_tokens (id, site, name, hash, created_at, scopes) VALUES (?, ?, ?, ?, ?, ?)",
                    vec![
                        token.id.into(),
                        token.site.into(),
                        token.name.into(),
                        token.hash.into(),
                        SqlStorageValue::Integer(token.created_at),
                        token.scopes.into(),
                    ],
                )?;
                Response::from_json(&true)
            }
            CallOp::TokenList => {
                let rows: Vec<TokenRow> = self
                    .sql
                    .exec(
                        "SELECT id, site, name, '' AS hash, created_at, scopes FROM report_tokens ORDER BY created_at, id",
                        None,
                    )?
                    .to_array()?;
                Response::from_json(&rows)
            }
            CallOp::TokenGet { id } => {
                let rows: Vec<TokenRow> = self
                    .sql
                    .exec(
                        "SELECT id, site, name, hash, created_at, scopes FROM report_tokens WHERE id = ?",
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
            CallOp::Qualify {
                call_sid,
                qualification,
            } => {
                let now = clock::now();
                let Some((mut record, seen)) = self.get(&call_sid)? else {
                    return Response::from_json(&None::<CallRecord>);
                };
                record.qualification = Some(qualification);
                self.put(&record, seen)?;
                self.requeue(&call_sid, true, now).await?;
                Response::from_json(&Some(record))
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

    /// Deletes what the site's retention makes due, sends what is due, records each answer, and
    /// sets the alarm for the earliest of the next due message and the next deletion.
    async fn alarm(&self) -> Result<Response> {
        self.ensure_migrated()?;
        let days = retention::days(&self.sql)?;
        let gone = retention::sweep_calls(&self.sql, clock::now(), days)?;
        if gone > 0 {
            worker::console_log!("retention: {gone} calls older than {days} days deleted");
        }
        let tuning = Tuning::from_env(&self.env);
        let settings = outbox::load_settings(&self.sql)?.unwrap_or_default();
        let batch = outbox::due(&self.sql, clock::now(), tuning.batch)?;
        let mut work = Vec::with_capacity(batch.len());
        for d in batch {
            let record = self.get(&d.call_id)?.map(|(r, _)| r);
            let follows = match d.destination.follows() {
                Some(first) => outbox::get(&self.sql, &delivery_id(&d.call_id, &first))?,
                None => None,
            };
            work.push((d, record, follows));
        }
        let sending = work.iter().map(|(d, record, follows)| {
            self.sender.deliver(
                &self.env,
                &tuning,
                &settings,
                d,
                record.as_ref(),
                follows.as_ref(),
            )
        });
        let outcomes = futures_util::future::join_all(sending).await;
        let now = clock::now();
        for ((mut d, _, _), outcome) in work.into_iter().zip(outcomes) {
            match outcome {
                outbox::Outcome::Skip(why) => d.skipped(&why, now),
                outbox::Outcome::Tried(next, answer) => d.attempted(next, &answer, now),
                outbox::Outcome::Accepted(request_id, at) => d.accepted(&request_id, at, now),
                outbox::Outcome::Waiting(until, why) => d.waiting(until, &why, now),
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
            retention::migrate(&self.sql)?;
            self.migrated.set(true);
        }
        Ok(())
    }

    /// Queues a call's messages for that moment of its life (once: a repeated webhook or callback
    /// finds them queued) and makes sure the alarm will send them. Nothing is written when the
    /// site sends nothing at that moment. `call` is the call's id and whether it is a test call
    /// (which the core's plan sends only where it may).
    async fn queue_messages(
        &self,
        (call_sid, test): (&str, bool),
        integrations: dni_core::integrations::settings::Integrations,
        time_zone: Option<String>,
        moment: Moment,
        now: dni_core::Millis,
    ) -> Result<()> {
        let destinations = plan(&integrations, moment, test);
        if destinations.is_empty() && moment != Moment::Ended {
            return Ok(());
        }
        outbox::save_settings(
            &self.sql,
            SendSettings {
                integrations,
                time_zone,
            },
        )?;
        // An ended call's messages may wait for late callbacks; a started call's go at once.
        let due = match moment {
            Moment::Ended => now + Tuning::from_env(&self.env).settle,
            Moment::Started | Moment::Text | Moment::Qualified(_) => now,
        };
        if outbox::enqueue(&self.sql, call_sid, destinations, due)? > 0 {
            self.schedule().await?;
        }
        Ok(())
    }

    /// After a call's qualification may have changed: its messages that waited for a transcript
    /// are due now, and (when it changed) those skipped for want of a qualification (or for a bad
    /// or spam one) are queued again, so a call that qualifies later is sent then, once (a
    /// delivered message is never queued again here). A call qualified bad or spam after its
    /// Google Ads conversion was sent gets its one retraction (`retraction::queue`).
    async fn requeue(&self, call_sid: &str, qualified: bool, now: dni_core::Millis) -> Result<()> {
        let record = self.get(call_sid)?.map(|(r, _)| r);
        let status = record
            .as_ref()
            .and_then(|r| r.qualification.as_ref())
            .and_then(|q| q.status);
        // The owner's endpoints that listen for it hear of the new qualification.
        if qualified {
            if let Some(s) = outbox::load_settings(&self.sql)? {
                let (at, test) = record.as_ref().map_or((now, false), |r| {
                    (r.qualification.as_ref().map_or(now, |q| q.at), r.test)
                });
                let conversion =
                    outbox::get(&self.sql, &delivery_id(call_sid, &Destination::GoogleAds))?
                        .map(|d| d.state);
                let retract = retraction::queue(&s.integrations, status, test, conversion);
                // A test call's qualification goes only to the endpoints that list `test`.
                self.queue_messages(
                    (call_sid, test),
                    s.integrations,
                    s.time_zone,
                    Moment::Qualified(at),
                    now,
                )
                .await?;
                if let Some(destination) = retract {
                    if outbox::enqueue(&self.sql, call_sid, vec![destination], now)? > 0 {
                        self.schedule().await?;
                    }
                }
            }
        }
        let not_qualified = NotConverted::NotQualified.as_str();
        let disqualified = NotConverted::Disqualified.as_str();
        let mut again = 0;
        for mut d in outbox::list(&self.sql, call_sid)? {
            let answer = d.answer.as_deref();
            let waiting = d.state == DeliveryState::Pending && answer == Some(qualify::WAITING);
            let skipped = qualified
                && d.state == DeliveryState::Skipped
                && match d.destination {
                    Destination::GoogleAdsRetraction => retraction::again(answer, status),
                    _ => answer == Some(not_qualified) || answer == Some(disqualified),
                };
            if waiting || skipped {
                d.replay(now);
                outbox::put(&self.sql, &d)?;
                again += 1;
            }
        }
        if again > 0 {
            self.schedule().await?;
        }
        Ok(())
    }

    /// Stores the site's retention as the configuration gives it, and sets the alarm for the next
    /// deletion (a new call may be the first, or the period may have changed).
    async fn keep_for(&self, retention_days: Option<u32>) -> Result<()> {
        if let Some(days) = retention_days {
            retention::keep(&self.sql, days)?;
        }
        self.schedule().await
    }

    /// Sets the alarm to the earliest of the next due message and the next deletion the site's
    /// retention makes due, unless it is already set earlier (one alarm serves both).
    async fn schedule(&self) -> Result<()> {
        let deletion = retention::next_call_due(&self.sql, retention::days(&self.sql)?)?;
        let Some(at) = dni_core::retention::earliest(&[outbox::next_due(&self.sql)?, deletion])
        else {
            return Ok(());
        };
        let storage = self.state.storage();
        let current = storage.get_alarm().await?;
        if current.is_some_and(|c| clock::from_platform(u64::try_from(c).unwrap_or(0)) <= at) {
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
                let mut merged = CallRecord::merge(record, &earlier);
                merged.set_caller_history(self.called_before(&merged)?);
                self.put(&merged, true)?;
                Ok(merged)
            }
            None => {
                let mut record = record;
                record.set_caller_history(self.called_before(&record)?);
                self.put(&record, true)?;
                Ok(record)
            }
        }
    }

    /// Keeps a text: added to the sender's open conversation to the same number, or kept as a new
    /// one (see `dni_core::messaging::conversation`); once, by message id.
    fn text(&self, lead: CallRecord, window: dni_core::Millis) -> Result<TextReply> {
        let Some(message) = lead.messages.first().cloned() else {
            return Err(worker::Error::RustError(
                "a text lead without its message".into(),
            ));
        };
        if let Some((first, _)) = self.get(&lead.call_sid)? {
            // The conversation's first text, delivered again.
            return Ok(TextReply {
                record: first,
                new: false,
                added: false,
            });
        }
        // The sender's records since the window began (the caller index), each through its row
        // type: an unreadable one stops the text rather than splitting a conversation.
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT record, webhook_seen FROM calls WHERE json_extract(record, '$.caller') = ? \
                 AND started_at >= ?",
                vec![
                    lead.caller.as_str().into(),
                    millis(conversation::earliest_start(lead.started_at, window)),
                ],
            )?
            .to_array()?;
        let records = rows
            .iter()
            .map(|r| read_call(&r.record))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if let Some(r) = records
            .iter()
            .find(|r| r.messages.iter().any(|m| m.id == message.id))
        {
            return Ok(TextReply {
                record: r.clone(),
                new: false,
                added: false,
            });
        }
        if let Some(open) = conversation::open(&records, &lead, window) {
            let mut record = open.clone();
            let added = record.add_message(message);
            if added {
                self.put(&record, true)?;
            }
            return Ok(TextReply {
                record,
                new: false,
                added,
            });
        }
        let mut record = lead;
        record.set_caller_history(self.called_before(&record)?);
        self.put(&record, true)?;
        Ok(TextReply {
            record,
            new: true,
            added: true,
        })
    }

    /// Deletes every record of this caller's calls. Each row is read through its row type (the
    /// caller is inside the record), so an unreadable row stops the erasure rather than hiding a
    /// call of the caller's from it.
    fn erase_caller(&self, caller: &str) -> Result<u32> {
        #[derive(Deserialize)]
        struct Keyed {
            call_sid: String,
            record: String,
        }
        let rows: Vec<Keyed> = self
            .sql
            .exec("SELECT call_sid, record FROM calls", None)?
            .to_array()?;
        let mut doomed = Vec::new();
        for row in rows {
            if read_call(&row.record)?.caller == caller {
                doomed.push(row.call_sid);
            }
        }
        for call_sid in &doomed {
            self.sql.exec(
                "DELETE FROM calls WHERE call_sid = ?",
                vec![call_sid.as_str().into()],
            )?;
            // What hangs off the call goes with it: its outbox deliveries.
            self.sql.exec(
                "DELETE FROM deliveries WHERE call_sid = ?",
                vec![call_sid.as_str().into()],
            )?;
        }
        Ok(u32::try_from(doomed.len()).unwrap_or(u32::MAX))
    }

    /// Whether the same caller called this site before this call started (first-time or repeat
    /// caller). Reads the caller from the stored JSON (no new column, so the row format is
    /// unchanged) through the `calls_by_caller` index on that very expression. A test call is
    /// nobody's earlier call: an operator who tests from their own phone stays a new caller.
    fn called_before(&self, record: &CallRecord) -> Result<bool> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let rows: Vec<Count> = self
            .sql
            .exec(
                "SELECT COUNT(*) AS n FROM calls WHERE call_sid != ? AND started_at < ? \
                 AND json_extract(record, '$.caller') = ? AND test = 0",
                vec![
                    record.call_sid.as_str().into(),
                    millis(record.started_at),
                    record.caller.as_str().into(),
                ],
            )?
            .to_array()?;
        Ok(rows.first().is_some_and(|c| c.n > 0))
    }

    fn get(&self, call_sid: &str) -> Result<Option<(CallRecord, bool)>> {
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT record, webhook_seen FROM calls WHERE call_sid = ?",
                vec![call_sid.into()],
            )?
            .to_array()?;
        match rows.first() {
            Some(r) => Ok(Some((read_call(&r.record)?, r.webhook_seen != 0))),
            None => Ok(None),
        }
    }

    fn put(&self, record: &CallRecord, webhook_seen: bool) -> Result<()> {
        let text = write_call(record)?;
        // The test mark's column (`report::fields::TEST`) is written here, with the record that
        // holds it: the one place a record is written.
        self.sql.exec(
            "INSERT INTO calls (call_sid, started_at, webhook_seen, record, test) \
             VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT(call_sid) DO UPDATE SET started_at = excluded.started_at, \
             webhook_seen = excluded.webhook_seen, record = excluded.record, test = excluded.test",
            vec![
                record.call_sid.as_str().into(),
                millis(record.started_at),
                i64::from(webhook_seen).into(),
                text.into(),
                i64::from(record.test).into(),
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
