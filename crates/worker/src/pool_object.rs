//! The pool Durable Object: one per pool, the only writer of that pool's lease state.
//!
//! The object keeps the core's `Pool` in memory and every change in its SQLite storage: after each
//! request, the numbers the engine reports as changed are written (one row per number), in the same
//! synchronous turn, so the platform's output gate holds the answer until the writes are durable.
//! The alarm is set to the earliest of the engine's next deadline, the next visit the site's
//! retention makes due, and the next quarter hour's sample of the pool's figures (`pool_history`:
//! sampled while any number is leased or cooling); running it twice is harmless (expiry and the
//! sweeps are idempotent, a quarter hour is sampled once).
//! Nothing here decides anything: the engine does (which number, which lease ends, whose visit is
//! still needed: [`Pool::needs_visit`]), `dni_core::retention` which visits are past the site's
//! retention, `dni_core::drain` which client is refused, and `pool_history` when to sample; this
//! object stores what they say.

use std::cell::{Cell, RefCell};

use dni_core::lease::{Counters, Pool, Slot};
use dni_core::report::pool_history::{self, Sample};
use dni_core::Millis;
use serde::Deserialize;
use worker::{
    durable_object, wasm_bindgen, DurableObject, Env, Request, Response, Result, SqlStorage,
    SqlStorageValue, State,
};

use crate::clock;
use crate::drain_guard::{Entry, Ledger};
use crate::protocol::{AttributeReply, LeaseReply, PoolOp, PoolSpec, StatsReply, Visit};
use crate::retention::{self, VisitsDue};
use crate::rows;
use crate::sql::{migrate, millis};

/// The schema, one step per version.
const MIGRATIONS: &[&[&str]] = &[
    &[
        "CREATE TABLE IF NOT EXISTS slots (number TEXT PRIMARY KEY, slot TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS visits (session TEXT PRIMARY KEY, visit TEXT NOT NULL, updated_at INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    // The pool panel's history: one sample per quarter hour (see `pool_history`).
    &["CREATE TABLE IF NOT EXISTS samples (at INTEGER PRIMARY KEY, sample TEXT NOT NULL)"],
    // The pool-drain ledger: one row per new lease while it counts against its client's limits
    // (`drain_guard::Entry`), so that a restart forgets none of them.
    &[
        "CREATE TABLE IF NOT EXISTS drain (lease TEXT PRIMARY KEY, address TEXT, network TEXT, started INTEGER NOT NULL, until INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS drain_until ON drain (until)",
    ],
];

/// A pool of tracking numbers.
#[durable_object]
pub struct PoolObject {
    state: State,
    sql: SqlStorage,
    pool: RefCell<Option<Pool>>,
    spec: RefCell<Option<PoolSpec>>,
    /// The alarm time this object last set (`Some(None)`: known to be unset).
    alarm: Cell<Option<Option<Millis>>>,
    /// New leases by client, for the pool-drain limits (loaded with the pool).
    ledger: RefCell<Ledger>,
    /// The key of the ledger's client keys, to convert rows an earlier release kept in clear.
    ledger_key: Option<dni_core::drain::LedgerKey>,
    /// When the site's retention next makes a visit due (`retention`).
    visits_due: VisitsDue,
    /// The time of the latest stored sample (`None`: not read yet; `Some(None)`: there is none).
    sampled: Cell<Option<Option<Millis>>>,
}

#[derive(Deserialize)]
struct SlotRow {
    slot: String,
}

#[derive(Deserialize)]
struct ValueRow {
    value: String,
}

#[derive(Deserialize)]
struct VisitRow {
    visit: String,
}

#[derive(Deserialize)]
struct SessionRow {
    session: String,
}

/// A `drain` row: every column must read (a wrong type is an error, not a skipped row).
#[derive(Deserialize)]
struct DrainRow {
    lease: String,
    address: Option<String>,
    network: Option<String>,
    started: i64,
}

#[derive(Deserialize)]
struct DrainDueRow {
    lease: String,
    until: i64,
}

#[derive(Deserialize)]
struct LatestRow {
    at: Option<i64>,
}

#[derive(Deserialize)]
struct SampleRow {
    sample: String,
}

impl DurableObject for PoolObject {
    fn new(state: State, env: Env) -> Self {
        clock::follow(&env);
        let sql = state.storage().sql();
        PoolObject {
            state,
            sql,
            pool: RefCell::new(None),
            spec: RefCell::new(None),
            alarm: Cell::new(None),
            ledger: RefCell::new(Ledger::new(Default::default())),
            ledger_key: crate::drain_guard::ledger_key(&env),
            visits_due: VisitsDue::default(),
            sampled: Cell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let op: PoolOp = match req.json().await {
            Ok(op) => op,
            Err(_) => return Response::error("bad pool request", 400),
        };
        let now = clock::now();
        let (body, deadline) = self.apply(op, now)?;
        self.schedule(deadline).await?;
        Response::from_json(&body)
    }

    async fn alarm(&self) -> Result<Response> {
        let now = clock::now();
        let deadline = {
            let mut guard = self.pool.borrow_mut();
            if guard.is_none() {
                *guard = self.load_stored()?;
            }
            match guard.as_mut() {
                Some(pool) => {
                    pool.expire(now);
                    self.persist(pool)?;
                    self.prune_visits(pool, now)?;
                    let days = retention::days(&self.sql)?;
                    let due = retention::sweep_visits(&self.sql, now, days)?;
                    self.visits_due.set(due);
                    let sample = self.sample(pool, now)?;
                    let drain_due = self.prune_drain(pool, now)?;
                    dni_core::retention::earliest(&[
                        pool_history::next_wake(pool.next_deadline(), sample),
                        due,
                        drain_due,
                    ])
                }
                None => None,
            }
        };
        // The platform cleared the alarm that fired.
        self.alarm.set(Some(None));
        self.schedule(deadline).await?;
        Response::ok("ok")
    }
}

impl PoolObject {
    /// Applies one request to the pool, synchronously (no await: nothing can interleave), writes
    /// what changed, and returns the answer and the next deadline.
    fn apply(&self, op: PoolOp, now: Millis) -> Result<(serde_json::Value, Option<Millis>)> {
        let spec = match &op {
            PoolOp::Lease { pool, .. }
            | PoolOp::Heartbeat { pool, .. }
            | PoolOp::Release { pool, .. }
            | PoolOp::Attribute { pool, .. }
            | PoolOp::Stats { pool }
            | PoolOp::History { pool, .. }
            | PoolOp::ImportHistory { pool, .. } => pool.clone(),
        };
        let days = spec.retention_days;
        let mut guard = self.pool.borrow_mut();
        if guard.is_none() {
            *guard = self.load_stored()?;
        }
        let pool = guard.get_or_insert_with(|| Pool::new(spec.settings.clone(), &[]));
        self.reconcile(pool, spec)?;
        // When a ledger row written now may go (the alarm deletes it then).
        let mut drain_due = None;
        let body = match op {
            PoolOp::Lease {
                session,
                target,
                lease_id,
                visit,
                free_only,
                guard,
                ..
            } => {
                let mut ledger = self.ledger.borrow_mut();
                // Only the last shard asked applies the exhaustion policy; a refusal elsewhere lets
                // the worker ask the next shard, and is not the request's answer.
                let last = !free_only;
                let refused = guard
                    .as_ref()
                    .and_then(|g| ledger.check(pool, g, (&session, &target), last, now));
                let reply: LeaseReply = match refused {
                    Some(refusal) => {
                        if refusal.is_final(last) {
                            let text = rows::pool::write_refusals(&ledger.refusals)?;
                            self.put_meta("refusals", text)?;
                        }
                        Err(refusal)
                    }
                    None => {
                        let outcome = if free_only {
                            pool.lease_free(&session, &target, &lease_id, now)
                        } else {
                            Some(pool.lease(&session, &target, &lease_id, now))
                        };
                        if let Some(dni_core::lease::Outcome::Leased(granted)) = &outcome {
                            self.store_visit(&session, &visit, now)?;
                            self.visits_due.written(now, days);
                            if let (Some(g), false) = (&guard, granted.renewed) {
                                let entry = ledger.record(pool, g, &granted.lease, now);
                                drain_due = Some(self.store_drain(pool, &entry, &g.limits, now)?);
                            }
                        }
                        Ok(outcome)
                    }
                };
                to_json(&reply)?
            }
            PoolOp::Heartbeat { lease, .. } => to_json(&pool.heartbeat(&lease, now).ok())?,
            PoolOp::Release { lease, .. } => to_json(&pool.release(&lease, now).is_ok())?,
            PoolOp::Attribute { number, at, .. } => {
                pool.expire(now);
                let attribution = pool.attribute(&number, at);
                let visit = match &attribution.best {
                    Some(best) => self.load_visit(&best.session)?,
                    None => None,
                };
                to_json(&AttributeReply { attribution, visit })?
            }
            PoolOp::Stats { .. } => {
                // As the alarms left it: no expiry here, so the figures show the alarms at work.
                let (leased, cooling) = pool.usage(now);
                to_json(&StatsReply {
                    counters: pool.counters(),
                    size: pool.slots().iter().filter(|s| !s.retired).count(),
                    leased,
                    cooling,
                    next_deadline: pool.next_deadline(),
                    limited: self.ledger.borrow().refusals.total(),
                    refused: self.ledger.borrow().refusals,
                })?
            }
            PoolOp::History { from, to, .. } => to_json(&self.history(from, to)?)?,
            PoolOp::ImportHistory { samples, .. } => to_json(&self.import_history(&samples)?)?,
        };
        self.persist(pool)?;
        let visits_due = self.visits_due.get(&self.sql, days)?;
        let sample = self.sample(pool, now)?;
        Ok((
            body,
            dni_core::retention::earliest(&[
                pool_history::next_wake(pool.next_deadline(), sample),
                visits_due,
                drain_due,
            ]),
        ))
    }

    /// Writes the quarter hour's sample of the pool's figures when it has none yet, deletes the
    /// samples past keeping, and says when to sample next (see `pool_history`).
    fn sample(&self, pool: &Pool, now: Millis) -> Result<Option<Millis>> {
        let (leased, cooling) = pool.usage(now);
        let sample = Sample {
            at: pool_history::slot(now),
            size: pool.slots().iter().filter(|s| !s.retired).count() as u64,
            leased: leased as u64,
            cooling: cooling as u64,
            exhausted: pool.counters().exhausted,
            limited: self.ledger.borrow().refusals.total(),
        };
        let latest = match self.sampled.get() {
            Some(known) => known,
            None => {
                let rows: Vec<LatestRow> = self
                    .sql
                    .exec("SELECT max(at) AS at FROM samples", None)?
                    .to_array()?;
                rows.first()
                    .and_then(|r| r.at)
                    .map(|at| at.max(0) as Millis)
            }
        };
        if pool_history::due(latest, now) {
            self.sql.exec(
                "INSERT INTO samples (at, sample) VALUES (?, ?) ON CONFLICT(at) DO NOTHING",
                vec![millis(sample.at), rows::pool::write_sample(&sample)?.into()],
            )?;
            self.sql.exec(
                "DELETE FROM samples WHERE at < ?",
                vec![millis(pool_history::keep_from(now))],
            )?;
            self.sampled.set(Some(Some(sample.at)));
        } else {
            self.sampled.set(Some(latest));
        }
        Ok(pool_history::next_due(now, sample.busy()))
    }

    /// The samples of `[from, to)` and the one before, oldest first. Every row must read.
    fn history(&self, from: Millis, to: Millis) -> Result<Vec<Sample>> {
        let stored: Vec<SampleRow> = self
            .sql
            .exec(
                "SELECT sample FROM samples WHERE at >= coalesce((SELECT max(at) FROM samples WHERE at < ?), ?) \
                 AND at < ? ORDER BY at",
                vec![millis(from), millis(from), millis(to)],
            )?
            .to_array()?;
        let mut samples = Vec::with_capacity(stored.len());
        for row in stored {
            samples.push(rows::pool::read_sample(&row.sample)?);
        }
        Ok(samples)
    }

    /// Adds samples for quarter hours that have none; answers how many were added.
    fn import_history(&self, samples: &[Sample]) -> Result<usize> {
        let mut added = 0;
        for s in samples {
            let s = Sample {
                at: pool_history::slot(s.at),
                ..*s
            };
            let cursor = self.sql.exec(
                "INSERT INTO samples (at, sample) VALUES (?, ?) ON CONFLICT(at) DO NOTHING",
                vec![millis(s.at), rows::pool::write_sample(&s)?.into()],
            )?;
            added += cursor.rows_written();
        }
        // The latest sample may have moved.
        self.sampled.set(None);
        Ok(added)
    }

    /// Reads the pool as last written, if it was ever written.
    fn load_stored(&self) -> Result<Option<Pool>> {
        migrate(&self.sql, MIGRATIONS)?;
        retention::migrate_pool(&self.sql)?;
        let Some(settings) = self.meta("settings")? else {
            return Ok(None);
        };
        let settings = rows::pool::read_settings(&settings)?;
        let counters = match self.meta("counters")? {
            Some(text) => rows::pool::read_counters(&text)?,
            None => Counters::default(),
        };
        // The refusal counts (pool-drain protection), kept with the figures.
        let refusals = match self.meta("refusals")? {
            Some(text) => rows::pool::read_refusals(&text)?,
            None => Default::default(),
        };
        *self.ledger.borrow_mut() = Ledger::restore(refusals, self.load_drain()?);
        let stored: Vec<SlotRow> = self.sql.exec("SELECT slot FROM slots", None)?.to_array()?;
        // Every row must read: one skipped would bring its number back as free, while its lease
        // may still be live. An unreadable row fails the request (503), loudly, every time.
        let mut slots: Vec<Slot> = Vec::with_capacity(stored.len());
        for row in stored {
            slots.push(rows::pool::read_slot(&row.slot)?);
        }
        // Rows come back in no particular order; the engine's tie-breaks use slot order.
        slots.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(Some(Pool::restore(settings, slots, counters)))
    }

    /// Follows the configuration: settings and numbers (only when they changed).
    fn reconcile(&self, pool: &mut Pool, spec: PoolSpec) -> Result<()> {
        let mut known = self.spec.borrow_mut();
        if known.as_ref() == Some(&spec) {
            return Ok(());
        }
        if *pool.settings() != spec.settings {
            pool.set_settings(spec.settings.clone());
        }
        pool.set_numbers(&spec.numbers);
        self.put_meta("settings", rows::pool::write_settings(&spec.settings)?)?;
        if retention::keep(&self.sql, spec.retention_days)? {
            self.visits_due.forget();
        }
        *known = Some(spec);
        Ok(())
    }

    /// Writes the numbers the engine changed, and the counters.
    fn persist(&self, pool: &mut Pool) -> Result<()> {
        let changes = pool.take_changes();
        for number in &changes.upserted {
            if let Some(slot) = pool.slot(number) {
                self.sql.exec(
                    "INSERT INTO slots (number, slot) VALUES (?, ?) ON CONFLICT(number) DO UPDATE SET slot = excluded.slot",
                    vec![number.as_str().into(), rows::pool::write_slot(slot)?.into()],
                )?;
            }
        }
        for number in &changes.removed {
            self.sql.exec(
                "DELETE FROM slots WHERE number = ?",
                vec![number.as_str().into()],
            )?;
        }
        if !changes.upserted.is_empty() || !changes.removed.is_empty() {
            self.put_meta("counters", rows::pool::write_counters(&pool.counters())?)?;
        }
        Ok(())
    }

    /// Writes a new lease's ledger entry, kept until the longest window of its limits has passed
    /// (`drain::keep_until`), and deletes the entries that count against nothing any more, in the
    /// same turn as the lease. Answers until when the new entry is kept.
    fn store_drain(
        &self,
        pool: &Pool,
        entry: &Entry,
        limits: &dni_core::drain::Limits,
        now: Millis,
    ) -> Result<Millis> {
        let until = dni_core::drain::keep_until(entry.started, limits);
        self.sql.exec(
            "INSERT INTO drain (lease, address, network, started, until) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT(lease) DO UPDATE SET address = excluded.address, network = excluded.network, \
             started = excluded.started, until = excluded.until",
            vec![
                entry.lease.as_str().into(),
                entry
                    .address
                    .as_deref()
                    .map_or(SqlStorageValue::Null, Into::into),
                entry
                    .network
                    .as_deref()
                    .map_or(SqlStorageValue::Null, Into::into),
                millis(entry.started),
                millis(until),
            ],
        )?;
        self.prune_drain(pool, now)?;
        Ok(until)
    }

    /// Deletes the ledger entries past keeping whose lease is no longer live
    /// (`drain::forgotten`); answers when the next one will be past keeping. An entry of a live
    /// lease stays until the lease ends, which is one of the pool's own deadlines.
    fn prune_drain(&self, pool: &Pool, now: Millis) -> Result<Option<Millis>> {
        let due: Vec<DrainDueRow> = self
            .sql
            .exec(
                "SELECT lease, until FROM drain WHERE until <= ?",
                vec![millis(now)],
            )?
            .to_array()?;
        for row in due {
            let until = stored_millis(row.until)?;
            if dni_core::drain::forgotten(until, pool.lease_by_id(&row.lease).is_some(), now) {
                self.sql
                    .exec("DELETE FROM drain WHERE lease = ?", vec![row.lease.into()])?;
            }
        }
        let next: Vec<LatestRow> = self
            .sql
            .exec(
                "SELECT min(until) AS at FROM drain WHERE until > ?",
                vec![millis(now)],
            )?
            .to_array()?;
        Ok(next
            .first()
            .and_then(|r| r.at)
            .map(|at| at.max(0) as Millis))
    }

    /// The stored ledger entries. Every row must read: a skipped one would let its client take a
    /// number more than its limit. A row an earlier release wrote with the client's address in
    /// clear is keyed here (`drain::LedgerKey`) and written back, so no address outlives the load.
    fn load_drain(&self) -> Result<Vec<Entry>> {
        let stored: Vec<DrainRow> = self
            .sql
            .exec("SELECT lease, address, network, started FROM drain", None)?
            .to_array()?;
        let mut entries = Vec::with_capacity(stored.len());
        for row in stored {
            let clear = |k: &Option<String>| {
                k.as_ref()
                    .is_some_and(|k| !k.starts_with(dni_core::drain::KEYED_PREFIX))
            };
            let (address, network) = if clear(&row.address) || clear(&row.network) {
                let key = self.ledger_key.as_ref().ok_or_else(|| {
                    worker::Error::RustError("no key for the pool-drain ledger".into())
                })?;
                let keyed = |k: Option<String>| -> Result<Option<String>> {
                    k.map(|k| {
                        key.keyed(&k).ok_or_else(|| {
                            worker::Error::RustError("a ledger key does not hash".into())
                        })
                    })
                    .transpose()
                };
                let (address, network) = (keyed(row.address)?, keyed(row.network)?);
                self.sql.exec(
                    "UPDATE drain SET address = ?, network = ? WHERE lease = ?",
                    vec![
                        address.clone().into(),
                        network.clone().into(),
                        row.lease.clone().into(),
                    ],
                )?;
                (address, network)
            } else {
                (row.address, row.network)
            };
            entries.push(Entry {
                started: stored_millis(row.started)?,
                lease: row.lease,
                address,
                network,
            });
        }
        Ok(entries)
    }

    fn store_visit(&self, session: &str, visit: &Visit, now: Millis) -> Result<()> {
        self.sql.exec(
            "INSERT INTO visits (session, visit, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT(session) DO UPDATE SET visit = excluded.visit, updated_at = excluded.updated_at",
            vec![
                session.into(),
                rows::visit::write_visit(visit)?.into(),
                millis(now),
            ],
        )?;
        Ok(())
    }

    fn load_visit(&self, session: &str) -> Result<Option<Visit>> {
        let rows: Vec<VisitRow> = self
            .sql
            .exec(
                "SELECT visit FROM visits WHERE session = ?",
                vec![session.into()],
            )?
            .to_array()?;
        match rows.first() {
            Some(row) => Ok(Some(rows::visit::read_visit(&row.visit)?)),
            None => Ok(None),
        }
    }

    /// Forgets the visits the engine no longer needs ([`Pool::needs_visit`]) once they are a
    /// cool-down old (a visit is written when its session leases, so a younger one is always
    /// needed).
    fn prune_visits(&self, pool: &Pool, now: Millis) -> Result<()> {
        let horizon = pool.visit_horizon(now);
        let stale: Vec<SessionRow> = self
            .sql
            .exec(
                "SELECT session FROM visits WHERE updated_at < ?",
                vec![millis(horizon)],
            )?
            .to_array()?;
        for row in stale {
            if !pool.needs_visit(&row.session, now) {
                self.sql.exec(
                    "DELETE FROM visits WHERE session = ?",
                    vec![row.session.into()],
                )?;
            }
        }
        Ok(())
    }

    /// A meta row's stored text, if there is one.
    fn meta(&self, key: &str) -> Result<Option<String>> {
        let rows: Vec<ValueRow> = self
            .sql
            .exec("SELECT value FROM meta WHERE key = ?", vec![key.into()])?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| r.value))
    }

    fn put_meta(&self, key: &str, text: String) -> Result<()> {
        self.sql.exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            vec![key.into(), SqlStorageValue::String(text)],
        )?;
        Ok(())
    }

    /// Keeps an alarm set no later than the next deadline. An alarm that is already set earlier stays:
    /// it will find nothing to expire and move itself on; moving it on every heartbeat would cost a
    /// storage write per request. Without deadlines, an alarm left set is harmless and stays.
    async fn schedule(&self, deadline: Option<Millis>) -> Result<()> {
        let storage = self.state.storage();
        let current = match self.alarm.get() {
            Some(known) => known,
            None => storage
                .get_alarm()
                .await?
                .map(|ms| clock::from_platform(ms.max(0) as Millis)),
        };
        let set = match (current, deadline) {
            (_, None) => current,
            (Some(at), Some(due)) if at <= due => Some(at),
            (_, Some(due)) => {
                let at = clock::to_platform(due) as f64;
                let date = worker::js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at));
                storage.set_alarm(worker::ScheduledTime::new(date)).await?;
                Some(due)
            }
        };
        self.alarm.set(Some(set));
        Ok(())
    }
}

/// A stored time, which is never negative.
fn stored_millis(ms: i64) -> Result<Millis> {
    Millis::try_from(ms)
        .map_err(|_| worker::Error::RustError("a drain row's time does not read".into()))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| worker::Error::RustError(e.to_string()))
}
