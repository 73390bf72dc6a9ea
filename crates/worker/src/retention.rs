//! Per-site retention, the shell's part: the objects' `DELETE`s of what is older than the site's
//! retention, the stored period, and the next time a deletion is due, for their alarms.
//!
//! Which rows are due and when the next deletion falls is `dni_core::retention`'s to say, from the
//! time; this module runs the statements. The call log deletes call records (with what they hold:
//! recordings' and voicemails' details, transcripts, attribution, the caller's number) and their
//! outbox deliveries, by the call's start; a caller whose earlier calls are gone is a first-time
//! caller again, since nothing of those calls is left. The pool object deletes visits by their
//! last request, even a visit whose session still holds a number (a page left open longer than
//! the retention): the period is a limit, not a hint.
//!
//! Both objects keep the period the configuration last gave them (a row of their own), since an
//! alarm comes with no request and so with no configuration; before any was given, the default.

use std::cell::Cell;

use dni_core::retention;
use dni_core::Millis;
use serde::Deserialize;
use worker::{Result, SqlStorage};

use crate::rows::retention::{read_retention, write_retention};
use crate::sql::millis;

/// The retention row's table, in both objects (new tables: the objects' migrations do not list
/// them, like the outbox's).
const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS retention (id INTEGER PRIMARY KEY \
     CHECK (id = 1), row TEXT NOT NULL)",
];

/// The pool object's visits by age, for the sweep and the next due time.
const POOL_SCHEMA: &[&str] =
    &["CREATE INDEX IF NOT EXISTS visits_by_update ON visits (updated_at)"];

#[derive(Deserialize)]
struct Row {
    row: String,
}

#[derive(Deserialize)]
struct Oldest {
    at: Option<i64>,
}

/// Creates the retention table (the call log).
pub fn migrate(sql: &SqlStorage) -> Result<()> {
    for statement in SCHEMA {
        sql.exec(statement, None)?;
    }
    Ok(())
}

/// Creates the retention table and the visits' index (the pool object, after its migrations).
pub fn migrate_pool(sql: &SqlStorage) -> Result<()> {
    migrate(sql)?;
    for statement in POOL_SCHEMA {
        sql.exec(statement, None)?;
    }
    Ok(())
}

/// The period this object keeps its data, in days: as last stored, else the default. A stored row
/// that does not read is an error (deleting on a guessed period cannot be undone).
pub fn days(sql: &SqlStorage) -> Result<u32> {
    let rows: Vec<Row> = sql
        .exec("SELECT row FROM retention WHERE id = 1", None)?
        .to_array()?;
    match rows.first() {
        Some(r) => Ok(read_retention(&r.row)?),
        None => Ok(retention::DEFAULT_DAYS),
    }
}

/// Stores the period the configuration gives now; `true` when it changed (the next deletion's
/// time changes with it).
pub fn keep(sql: &SqlStorage, days: u32) -> Result<bool> {
    if retention::validate(days).is_err() || self::days(sql)? == days {
        // A period the configuration's validation would refuse never comes from a stored site;
        // the stored one (or the default) stays.
        return Ok(false);
    }
    sql.exec(
        "INSERT INTO retention (id, row) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET row = excluded.row",
        vec![write_retention(days)?.into()],
    )?;
    Ok(true)
}

fn oldest(sql: &SqlStorage, statement: &str) -> Result<Option<Millis>> {
    let rows: Vec<Oldest> = sql.exec(statement, None)?.to_array()?;
    Ok(rows
        .first()
        .and_then(|r| r.at)
        .map(|at| Millis::try_from(at).unwrap_or(0)))
}

/// When the call log's next deletion is due: its oldest call's start plus the period.
pub fn next_call_due(sql: &SqlStorage, days: u32) -> Result<Option<Millis>> {
    let at = oldest(sql, "SELECT MIN(started_at) AS at FROM calls")?;
    Ok(retention::next_due(at, days))
}

/// Deletes the calls the period makes due at `now`, and their deliveries; how many calls.
pub fn sweep_calls(sql: &SqlStorage, now: Millis, days: u32) -> Result<usize> {
    let Some(cutoff) = retention::cutoff(now, days) else {
        return Ok(0);
    };
    sql.exec(
        "DELETE FROM deliveries WHERE call_sid IN (SELECT call_sid FROM calls WHERE started_at <= ?)",
        vec![millis(cutoff)],
    )?;
    let gone = sql
        .exec(
            "DELETE FROM calls WHERE started_at <= ?",
            vec![millis(cutoff)],
        )?
        .rows_written();
    Ok(gone)
}

/// Deletes the visits the period makes due at `now`; when the next deletion is due.
pub fn sweep_visits(sql: &SqlStorage, now: Millis, days: u32) -> Result<Option<Millis>> {
    if let Some(cutoff) = retention::cutoff(now, days) {
        sql.exec(
            "DELETE FROM visits WHERE updated_at <= ?",
            vec![millis(cutoff)],
        )?;
    }
    next_visit_due(sql, days)
}

fn next_visit_due(sql: &SqlStorage, days: u32) -> Result<Option<Millis>> {
    let at = oldest(sql, "SELECT MIN(updated_at) AS at FROM visits")?;
    Ok(retention::next_due(at, days))
}

/// The pool object's next visit deletion, kept in memory so that a lease request asks its storage
/// nothing more: read once, moved by the visits written and by the alarm's sweep.
#[derive(Debug, Default)]
pub struct VisitsDue(Cell<Option<Option<Millis>>>);

impl VisitsDue {
    /// The next deletion (read from storage the first time, or after [`VisitsDue::forget`]).
    pub fn get(&self, sql: &SqlStorage, days: u32) -> Result<Option<Millis>> {
        match self.0.get() {
            Some(due) => Ok(due),
            None => {
                let due = next_visit_due(sql, days)?;
                self.0.set(Some(due));
                Ok(due)
            }
        }
    }

    /// A visit was written at `at`: when there was none, its age sets the next deletion (an older
    /// one already set it earlier; a rewritten visit only makes the alarm early, which is harmless).
    pub fn written(&self, at: Millis, days: u32) {
        if self.0.get() == Some(None) {
            self.0.set(Some(retention::next_due(Some(at), days)));
        }
    }

    /// The sweep's answer.
    pub fn set(&self, due: Option<Millis>) {
        self.0.set(Some(due));
    }

    /// Unknown again (the period changed): read at the next request.
    pub fn forget(&self) {
        self.0.set(None);
    }
}
