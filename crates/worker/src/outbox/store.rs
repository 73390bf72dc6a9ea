//! The outbox's tables in the call log's SQLite storage: `deliveries` (one row per message, the
//! versioned [`DeliveryRow`] as JSON plus the columns the alarm selects on) and
//! `outbox_settings` (the site's integration settings and time zone as of its latest call that
//! queued messages, which the alarm sends with).

use dni_core::integrations::outbox::{
    read_send_settings, Delivery, DeliveryRow, Destination, SendSettings, SendSettingsRow, State,
};
use dni_core::Millis;
use serde::Deserialize;
use worker::SqlStorage;

use crate::sql::millis;

/// The outbox's own schema (its tables are new; the call log's migrations do not know them).
const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, call_sid TEXT NOT NULL, \
     state TEXT NOT NULL, next_at INTEGER NOT NULL, row TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at)",
    "CREATE INDEX IF NOT EXISTS deliveries_by_call ON deliveries (call_sid)",
    "CREATE TABLE IF NOT EXISTS outbox_settings (id INTEGER PRIMARY KEY CHECK (id = 1), \
     settings TEXT NOT NULL)",
];

/// A stored row that does not read: a loud error, never skipped.
#[derive(Debug)]
pub struct StoredError(pub String);

impl From<StoredError> for worker::Error {
    fn from(e: StoredError) -> Self {
        worker::Error::RustError(e.0)
    }
}

/// Creates the tables when missing.
pub fn migrate(sql: &SqlStorage) -> worker::Result<()> {
    for statement in SCHEMA {
        sql.exec(statement, None)?;
    }
    Ok(())
}

fn state_name(state: State) -> &'static str {
    match state {
        State::Pending => "pending",
        State::Delivered => "delivered",
        State::Failed => "failed",
        State::Skipped => "skipped",
    }
}

#[derive(Deserialize)]
struct Row {
    row: String,
}

fn read(rows: Vec<Row>) -> worker::Result<Vec<Delivery>> {
    rows.into_iter()
        .map(|r| {
            serde_json::from_str::<DeliveryRow>(&r.row)
                .map(DeliveryRow::into_delivery)
                .map_err(|e| {
                    StoredError(["unreadable delivery row: ", &e.to_string()].concat()).into()
                })
        })
        .collect()
}

/// Writes a delivery.
pub fn put(sql: &SqlStorage, d: &Delivery) -> worker::Result<()> {
    let row = serde_json::to_string(&DeliveryRow::V1(d.clone()))
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    sql.exec(
        "INSERT INTO deliveries (id, call_sid, state, next_at, row) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, next_at = excluded.next_at, row = excluded.row",
        vec![
            d.id.as_str().into(),
            d.call_id.as_str().into(),
            state_name(d.state).into(),
            millis(d.next_at),
            row.into(),
        ],
    )?;
    Ok(())
}

/// Queues a call's messages, once: a delivery that exists already is left as it is (a repeated
/// webhook or callback queues nothing). Returns how many were new.
pub fn enqueue(
    sql: &SqlStorage,
    call_sid: &str,
    destinations: Vec<Destination>,
    due: Millis,
) -> worker::Result<usize> {
    let mut added = 0;
    for destination in destinations {
        let d = Delivery::new(call_sid, destination, due);
        if get(sql, &d.id)?.is_none() {
            put(sql, &d)?;
            added += 1;
        }
    }
    Ok(added)
}

/// One delivery.
pub fn get(sql: &SqlStorage, id: &str) -> worker::Result<Option<Delivery>> {
    let rows: Vec<Row> = sql
        .exec("SELECT row FROM deliveries WHERE id = ?", vec![id.into()])?
        .to_array()?;
    Ok(read(rows)?.into_iter().next())
}

/// A call's deliveries.
pub fn list(sql: &SqlStorage, call_sid: &str) -> worker::Result<Vec<Delivery>> {
    let rows: Vec<Row> = sql
        .exec(
            "SELECT row FROM deliveries WHERE call_sid = ? ORDER BY id",
            vec![call_sid.into()],
        )?
        .to_array()?;
    read(rows)
}

/// Pending deliveries due by `now`, the oldest first.
pub fn due(sql: &SqlStorage, now: Millis, limit: u32) -> worker::Result<Vec<Delivery>> {
    let rows: Vec<Row> = sql
        .exec(
            "SELECT row FROM deliveries WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?",
            vec![millis(now), i64::from(limit).into()],
        )?
        .to_array()?;
    read(rows)
}

/// When the next pending delivery is due.
pub fn next_due(sql: &SqlStorage) -> worker::Result<Option<Millis>> {
    #[derive(Deserialize)]
    struct Next {
        next_at: Option<i64>,
    }
    let rows: Vec<Next> = sql
        .exec(
            "SELECT MIN(next_at) AS next_at FROM deliveries WHERE state = 'pending'",
            None,
        )?
        .to_array()?;
    Ok(rows
        .first()
        .and_then(|r| r.next_at)
        .map(|n| u64::try_from(n).unwrap_or(0)))
}

/// Keeps the site's settings and zone for the alarm.
pub fn save_settings(sql: &SqlStorage, settings: SendSettings) -> worker::Result<()> {
    let text = serde_json::to_string(&SendSettingsRow::V2(settings))
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    sql.exec(
        "INSERT INTO outbox_settings (id, settings) VALUES (1, ?) \
         ON CONFLICT(id) DO UPDATE SET settings = excluded.settings",
        vec![text.into()],
    )?;
    Ok(())
}

/// The site's settings as last saved (none: nothing was ever queued). Rows of the first version
/// (bare settings, no zone) still read.
pub fn load_settings(sql: &SqlStorage) -> worker::Result<Option<SendSettings>> {
    #[derive(Deserialize)]
    struct S {
        settings: String,
    }
    let rows: Vec<S> = sql
        .exec("SELECT settings FROM outbox_settings WHERE id = 1", None)?
        .to_array()?;
    rows.first()
        .map(|r| {
            read_send_settings(&r.settings).map_err(|e| {
                StoredError(["unreadable outbox settings: ", &e.to_string()].concat()).into()
            })
        })
        .transpose()
}
