//! Schema migrations for the Durable Objects' SQLite storage.

use worker::{SqlStorage, SqlStorageValue};

/// Brings the schema up to date: runs each migration step whose number is above the stored version,
/// in order, then records the new version. Steps are lists of statements.
pub fn migrate(sql: &SqlStorage, steps: &[&[&str]]) -> worker::Result<()> {
    sql.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
        None,
    )?;
    #[derive(serde::Deserialize)]
    struct Row {
        version: i64,
    }
    let rows: Vec<Row> = sql
        .exec("SELECT version FROM schema_version", None)?
        .to_array()?;
    let current = rows.first().map_or(0, |r| r.version);
    for (i, statements) in steps.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current {
            continue;
        }
        for statement in statements.iter() {
            sql.exec(statement, None)?;
        }
        sql.exec("DELETE FROM schema_version", None)?;
        sql.exec(
            "INSERT INTO schema_version (version) VALUES (?)",
            vec![SqlStorageValue::Integer(version)],
        )?;
    }
    Ok(())
}

/// A timestamp as an SQL integer (timestamps are far inside JavaScript's safe integer range).
pub fn millis(ms: dni_core::Millis) -> SqlStorageValue {
    SqlStorageValue::Integer(i64::try_from(ms).unwrap_or(i64::MAX))
}
