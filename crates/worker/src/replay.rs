//! Replay protection for providers whose signature covers a timestamp (Telnyx): the signature of
//! every verified webhook is kept until its tolerance window closes; the same signature again
//! within the window is a replay. After the window the timestamp check refuses it anyway, so old
//! entries are deleted as new ones arrive. Kept in a few Durable Objects of the call-log class,
//! one per first character of the signature, in a table of their own (`signatures_seen`).

use dni_core::Millis;
use serde::Deserialize;
use worker::{Result, SqlStorage};

use crate::sql::millis;

const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS signatures_seen (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)";

/// The prefix of those objects' names. It is what the first release named them ("deliveries",
/// before the outbox's messages took that word): the name of an object is stored state, and a new
/// name would forget the signatures seen just before an upgrade.
const OBJECT_PREFIX: &str = "deliveries-";

/// The object that keeps a signature.
pub fn object_name(key: &str) -> String {
    let shard = key
        .chars()
        .next()
        .filter(char::is_ascii_alphanumeric)
        .unwrap_or('_');
    [OBJECT_PREFIX, shard.encode_utf8(&mut [0; 4])].concat()
}

/// Records `key`; false when it was already there (a replay).
pub fn first_seen(sql: &SqlStorage, key: &str, expires_at: Millis, now: Millis) -> Result<bool> {
    #[derive(Deserialize)]
    struct Row {
        #[allow(dead_code)]
        key: String,
    }
    sql.exec(SCHEMA, None)?;
    sql.exec(
        "DELETE FROM signatures_seen WHERE expires_at < ?",
        vec![millis(now)],
    )?;
    let seen: Vec<Row> = sql
        .exec(
            "SELECT key FROM signatures_seen WHERE key = ?",
            vec![key.into()],
        )?
        .to_array()?;
    if !seen.is_empty() {
        return Ok(false);
    }
    sql.exec(
        "INSERT INTO signatures_seen (key, expires_at) VALUES (?, ?)",
        vec![key.into(), millis(expires_at)],
    )?;
    Ok(true)
}
