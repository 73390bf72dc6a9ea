//! Reports over a site's call log: the filters of the calls list and of the grouped reports as
//! SQL with bound parameters, the cursor of the list's pages, the CSV export, and days in the
//! site's time zone. Pure: the worker's call log object runs the SQL this module writes, where the
//! calls are (SQLite in the site's Durable Object), and hands the rows back to be shaped here.
//!
//! Every JSON path into a stored call record is in [`fields`], once.

#[allow(unused_imports)]
use crate::prelude::*;

pub mod csv;
pub mod cursor;
pub mod fields;
pub mod pool;
pub mod pool_history;
pub mod query;

/// A bound parameter of a query.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Param {
    /// An integer.
    Int(i64),
    /// A real.
    Real(f64),
    /// A text.
    Text(String),
}

/// A query with its bound parameters (one `?` per parameter, in order).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sql {
    /// The statement.
    pub text: String,
    /// Its parameters.
    pub params: Vec<Param>,
}

/// Why a report request is refused (a 400 with this message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl QueryError {
    fn new(parts: &[&str]) -> QueryError {
        QueryError(parts.concat())
    }
}
