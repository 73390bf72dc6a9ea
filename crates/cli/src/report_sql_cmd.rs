//! `dni report-sql`: the call log's report schema and the report queries the worker runs, with
//! their parameters, as JSON, so that `bench/reports.py` times exactly these statements in
//! SQLite natively.

use std::io::Write;

use dni_core::civil::{parse_date, Zone};
use dni_core::report::fields;
use dni_core::report::query::{list_query, list_sql, report_query, report_sql, Dimension};

const USAGE: &str = "usage: dni report-sql --zone ZONE --from YYYY-MM-DD --to YYYY-MM-DD";

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let (mut zone, mut from, mut to) = ("UTC".to_owned(), None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().ok_or(USAGE)?.clone();
        match a.as_str() {
            "--zone" => zone = v,
            "--from" => from = Some(v),
            "--to" => to = Some(v),
            _ => return Err(USAGE.to_owned()),
        }
    }
    let zone = Zone::named(&zone).ok_or("unknown zone")?;
    let (from, to) = (from.ok_or(USAGE)?, to.ok_or(USAGE)?);
    let today = parse_date(&to).ok_or("bad --to")?;
    let range = vec![("from".to_owned(), from), ("to".to_owned(), to)];
    let mut queries = Vec::new();
    for (name, _) in Dimension::ALL {
        let q = report_query(name, &range, &zone, today).map_err(|e| e.0)?;
        let label = ["report ", name].concat();
        queries.push(serde_json::json!({ "name": label, "sql": report_sql(&q, &zone) }));
    }
    let mut filtered = range.clone();
    filtered.push(("channel".to_owned(), "Paid Search".to_owned()));
    filtered.push(("status".to_owned(), "missed".to_owned()));
    for (name, pairs) in [
        ("list page 1", &range),
        ("list page 1, channel + missed", &filtered),
    ] {
        let q = list_query(pairs, &zone, today).map_err(|e| e.0)?;
        queries.push(serde_json::json!({ "name": name, "sql": list_sql(&q) }));
    }
    // The report steps of the call log's migrations, in order: the columns and index, the lead's
    // kind, the test mark (which the queries read), then the lead status and tags, each with
    // the index rebuilt.
    let migration = [
        fields::MIGRATION,
        fields::KIND_MIGRATION,
        fields::TEST_MIGRATION,
        fields::LEAD_MIGRATION,
    ]
    .concat();
    let body = serde_json::json!({ "migration": migration, "queries": queries });
    serde_json::to_writer(&mut *out, &body).map_err(|e| e.to_string())?;
    writeln!(out).map_err(|e| e.to_string())
}
