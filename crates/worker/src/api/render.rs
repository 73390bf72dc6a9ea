//! Each golden answer built as its route builds it (the test's one adapter to the routes' code).

use dni_core::access::Viewer;
use dni_core::call::CallRecord;
use dni_core::report::pool::advice;
use serde_json::{json, Value};

use super::tests::Fixtures;
use crate::protocol::{ImportReply, StatsReply};

const TIME_ZONE: &str = "America/New_York";

fn present(record: &CallRecord, viewer: &Viewer) -> Value {
    let mut record = serde_json::to_value(record).unwrap();
    if let Some(caller) = record.get_mut("caller") {
        if let Some(text) = caller.as_str() {
            *caller = Value::String(viewer.caller(text, 4));
        }
    }
    record
}

fn pool_stats(shards: &[StatsReply]) -> String {
    let total = crate::routes::admin::sum(shards);
    let mut body = serde_json::to_value(&total).unwrap();
    let a = advice(
        total.size,
        total.leased + total.cooling,
        total.counters.granted,
        total.counters.exhausted,
    );
    body["advice"] = serde_json::to_value(&a).unwrap();
    if shards.len() > 1 {
        body["shards"] = serde_json::to_value(shards).unwrap();
    }
    body.to_string()
}

pub(super) fn import(body: &str) -> Result<Vec<CallRecord>, String> {
    serde_json::from_str(body).map_err(|e| e.to_string())
}

pub(super) fn all(f: &Fixtures) -> Vec<(&'static str, String)> {
    let operator = Viewer::Operator;
    let list = |viewer: &Viewer, next: Option<&str>| {
        json!({
            "site": "demo",
            "time_zone": TIME_ZONE,
            "from": "2026-11-01",
            "to": "2026-11-30",
            "calls": f.calls.iter().map(|c| present(c, viewer)).collect::<Vec<_>>(),
            "next_cursor": next,
        })
        .to_string()
    };
    let detail = |viewer: &Viewer| {
        let mut record = present(&f.calls[0], viewer);
        record["deliveries"] = serde_json::to_value(&f.deliveries).unwrap();
        json!({ "site": "demo", "time_zone": TIME_ZONE, "call": record }).to_string()
    };
    vec![
        (
            "calls-list.json",
            list(&operator, Some("MTc5NjEwMDAwMDAwMF9DQWZ1bGwx")),
        ),
        ("calls-list-report-token.json", list(&f.viewer, None)),
        ("call-detail.json", detail(&operator)),
        ("call-detail-report-token.json", detail(&f.viewer)),
        (
            "calls-import.json",
            serde_json::to_string(&f.calls[..2]).unwrap(),
        ),
        (
            "calls-import-answer.json",
            serde_json::to_string(&ImportReply { imported: 2 }).unwrap(),
        ),
        ("pool-stats.json", pool_stats(&f.shards[..1])),
        ("pool-stats-split.json", pool_stats(&f.shards)),
        (
            "pools.json",
            json!({ "site": "demo", "pools": [
                json!({ "id": "visitors", "size": 10, "shards": 1 }),
                json!({ "id": "ads", "size": 40, "shards": 4 }),
            ] })
            .to_string(),
        ),
        (
            "pool-history.json",
            json!({
                "site": "demo",
                "pool": "visitors",
                "time_zone": TIME_ZONE,
                "from": "2026-11-01",
                "to": "2026-11-30",
                "every_s": dni_core::report::pool_history::EVERY / 1000,
                "points": f.points,
            })
            .to_string(),
        ),
        (
            "pool-history-import-answer.json",
            json!({ "imported": 96 }).to_string(),
        ),
        (
            "report.json",
            json!({
                "site": "demo",
                "time_zone": TIME_ZONE,
                "report": "channel",
                "from": "2026-11-01",
                "to": "2026-11-30",
                "rows": f.rows,
            })
            .to_string(),
        ),
        (
            "deliveries.json",
            json!({ "deliveries": f.deliveries }).to_string(),
        ),
        (
            "delivery-retried.json",
            json!({ "delivery": f.deliveries[1] }).to_string(),
        ),
        (
            "report-tokens.json",
            json!({ "site": "demo", "tokens": f.tokens }).to_string(),
        ),
        (
            "report-token-created.json",
            json!({
                "id": f.tokens[0].id,
                "site": "demo",
                "name": f.tokens[0].name,
                "created_at": f.tokens[0].created_at,
                "token": "dni_rt_AAAAAAAAAAAA_abcdefghijklmnopqrstuvwxyz012345",
            })
            .to_string(),
        ),
        (
            "report-token-revoked.json",
            json!({ "ok": true, "revoked": "AAAAAAAAAAAA" }).to_string(),
        ),
        (
            "caller-erased.json",
            json!({
                "site": "demo",
                "caller": dni_core::phone::E164::parse("+13105550199").unwrap(),
                "erased_calls": 3,
            })
            .to_string(),
        ),
        (
            "config-stored.json",
            json!({ "ok": true, "site": "demo" }).to_string(),
        ),
        ("health.json", json!({ "ok": true }).to_string()),
    ]
}
