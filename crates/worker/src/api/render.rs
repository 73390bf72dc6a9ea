//! Each golden answer built from the fixtures' domain values through the API's types, as the
//! routes build it.

use dni_core::access::Viewer;
use dni_core::call::CallRecord;
use dni_core::phone::E164;
use dni_core::report::pool::{advice, Advice};
use dni_core::report::pool_history::Point;

use super::tests::Fixtures;
use super::{
    admin, calls, deliveries, history, keys, pool, qualification, reports, secrets, test_calls,
    text, text_as_declared, tokens,
};
use crate::protocol::StatsReply;

const TIME_ZONE: &str = "America/New_York";
/// The worker's origin in the answers that link to it.
pub(super) const ORIGIN: &str = "https://calls.example.com";
/// The secrets set in the secrets answer.
pub(super) const SECRETS_SET: [&str; 2] = ["ADMIN_TOKEN", "TWILIO_AUTH_TOKEN"];

fn secrets_answer() -> secrets::Secrets {
    let config = demo_config();
    let present: Vec<String> = SECRETS_SET.iter().map(|s| (*s).to_owned()).collect();
    secrets::Secrets {
        site: config.id.clone(),
        needed: dni_core::config::secrets::needed(&config)
            .iter()
            .map(|n| secrets::NeededSecret::of(n, present.contains(&n.name)))
            .collect(),
        present,
    }
}

fn present(record: &CallRecord, viewer: &Viewer) -> calls::Call {
    let mut call = calls::Call::from(record);
    call.caller = viewer.caller(&call.caller, 4);
    call
}

/// The advice for the fixtures' points, for a pool of ten numbers held 14 minutes (the demo's
/// cooldown and idle timeout), as `routes::pool_history::advice` computes it.
pub(super) fn pool_advice(points: &[Point]) -> Advice {
    advice(points, 10, 720_000 + 120_000)
}

fn pool_stats(shards: &[StatsReply], points: &[Point]) -> pool::PoolStats {
    let total = crate::routes::admin::sum(shards);
    pool::PoolStats::of(&total, &pool_advice(points), shards)
}

/// The import's body read as the route reads it.
pub(super) fn import(body: &str) -> Result<Vec<CallRecord>, String> {
    let calls: Vec<calls::Call> = serde_json::from_str(body).map_err(|e| e.to_string())?;
    calls.into_iter().map(calls::Call::into_record).collect()
}

/// `sites/demo.json` as the configuration reads it.
pub(super) fn demo_config() -> dni_core::config::SiteConfig {
    let path = [env!("CARGO_MANIFEST_DIR"), "/../../sites/demo.json"].concat();
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn t<T: serde::Serialize>(body: &T) -> String {
    text(body).unwrap()
}

pub(super) fn all(f: &Fixtures) -> Vec<(&'static str, String)> {
    let operator = Viewer::Operator;
    let list = |viewer: &Viewer, next: Option<&str>| {
        t(&calls::CallsPage {
            site: "demo".to_owned(),
            time_zone: TIME_ZONE.to_owned(),
            from: "2026-11-01".to_owned(),
            to: "2026-11-30".to_owned(),
            calls: f.calls.iter().map(|c| present(c, viewer)).collect(),
            next_cursor: next.map(str::to_owned),
        })
    };
    let sent: Vec<deliveries::Delivery> = f.deliveries.iter().map(Into::into).collect();
    let detail = |viewer: &Viewer| {
        t(&calls::CallDetail {
            site: "demo".to_owned(),
            time_zone: TIME_ZONE.to_owned(),
            call: calls::CallWithDeliveries {
                call: present(&f.calls[0], viewer),
                deliveries: sent.clone(),
            },
        })
    };
    let test_call = f.calls.iter().find(|c| c.test).unwrap();
    vec![
        (
            "leads-list.json",
            t(&calls::LeadsPage {
                site: "demo".to_owned(),
                time_zone: TIME_ZONE.to_owned(),
                from: "2026-11-01".to_owned(),
                to: "2026-11-30".to_owned(),
                leads: f
                    .texts
                    .iter()
                    .chain(&f.calls[..1])
                    .map(|c| present(c, &operator))
                    .collect(),
                next_cursor: None,
            }),
        ),
        (
            "test-call.json",
            t(&test_calls::TestCall::of(test_call, ORIGIN)),
        ),
        ("secrets.json", t(&secrets_answer())),
        (
            "calls-list.json",
            list(&operator, Some("MTc5NjEwMDAwMDAwMF9DQWZ1bGwx")),
        ),
        ("calls-list-report-token.json", list(&f.viewer, None)),
        ("call-detail.json", detail(&operator)),
        ("call-detail-report-token.json", detail(&f.viewer)),
        (
            "calls-import.json",
            // A body as `dni history` writes it: the records' own serialization.
            serde_json::to_string(&f.calls[..2]).unwrap(),
        ),
        (
            "calls-import-answer.json",
            t(&calls::Imported { imported: 2 }),
        ),
        ("pool-stats.json", t(&pool_stats(&f.shards[..1], &f.points))),
        (
            "pool-stats-split.json",
            t(&pool_stats(&f.shards, &f.points)),
        ),
        (
            "pools.json",
            t(&pool::Pools {
                site: "demo".to_owned(),
                pools: vec![
                    pool::PoolSummary {
                        id: "visitors".to_owned(),
                        size: 10,
                        shards: 1,
                    },
                    pool::PoolSummary {
                        id: "ads".to_owned(),
                        size: 40,
                        shards: 4,
                    },
                ],
            }),
        ),
        (
            "pool-history.json",
            t(&pool::PoolHistory {
                site: "demo".to_owned(),
                pool: "visitors".to_owned(),
                time_zone: TIME_ZONE.to_owned(),
                from: "2026-11-01".to_owned(),
                to: "2026-11-30".to_owned(),
                every_s: dni_core::report::pool_history::EVERY / 1000,
                advice: (&pool_advice(&f.points)).into(),
                points: f.points.iter().map(Into::into).collect(),
            }),
        ),
        (
            "pool-history-import-answer.json",
            t(&pool::SamplesImported { imported: 96 }),
        ),
        (
            "report.json",
            t(&reports::Report {
                site: "demo".to_owned(),
                time_zone: TIME_ZONE.to_owned(),
                report: "channel".to_owned(),
                from: "2026-11-01".to_owned(),
                to: "2026-11-30".to_owned(),
                rows: f.rows.iter().map(Into::into).collect(),
            }),
        ),
        (
            "deliveries.json",
            t(&deliveries::Deliveries {
                deliveries: sent.clone(),
            }),
        ),
        (
            "delivery-retried.json",
            t(&deliveries::Retried {
                delivery: sent[1].clone(),
            }),
        ),
        (
            "report-tokens.json",
            t(&tokens::Tokens {
                site: "demo".to_owned(),
                tokens: f.tokens.iter().map(Into::into).collect(),
            }),
        ),
        (
            "report-token-created.json",
            t(&tokens::Created::of(
                &f.tokens[0],
                "dni_rt_AAAAAAAAAAAA_abcdefghijklmnopqrstuvwxyz012345".to_owned(),
            )),
        ),
        (
            "report-token-revoked.json",
            t(&tokens::Revoked {
                ok: true,
                revoked: "AAAAAAAAAAAA".to_owned(),
            }),
        ),
        (
            "caller-erased.json",
            t(&admin::CallerErased::new(
                "demo",
                &E164::parse("+13105550199").unwrap(),
                3,
            )),
        ),
        (
            "config-stored.json",
            t(&admin::ConfigStored {
                ok: true,
                site: "demo".to_owned(),
                version: 2,
            }),
        ),
        (
            "operator-key-created.json",
            t(&keys::Created {
                shown: keys::Key::from(&f.keys[0]),
                key: "dni_ok_CCCCCCCCCCCC_abcdefghijklmnopqrstuvwxyz012345".to_owned(),
            }),
        ),
        (
            "operator-keys.json",
            t(&keys::Keys {
                keys: f.keys.iter().map(Into::into).collect(),
            }),
        ),
        (
            "operator-key-revoked.json",
            text_as_declared(&keys::Key::from(&f.keys[1])).unwrap(),
        ),
        (
            "config-history.json",
            t(&history::History {
                site: "demo".to_owned(),
                history: f.history.iter().map(Into::into).collect(),
            }),
        ),
        (
            "config-version-rollback.json",
            t(&history::Version::from(&f.history[2])),
        ),
        (
            "config-version-key-created.json",
            t(&history::Version::from(&f.history[1])),
        ),
        (
            "config-rolled-back.json",
            t(&history::RolledBack {
                ok: true,
                site: "demo".to_owned(),
                version: 3,
                restored: 1,
            }),
        ),
        ("health.json", t(&admin::Health { ok: true })),
        (
            "qualification.json",
            t(&qualification::Qualified {
                site: "demo".to_owned(),
                call_sid: f.calls[0].call_sid.clone(),
                qualification: f.calls[0]
                    .qualification
                    .as_ref()
                    .map(qualification::Qualification::from),
            }),
        ),
        (
            "deliveries-retraction.json",
            t(&deliveries::Deliveries {
                deliveries: f.retraction.iter().map(Into::into).collect(),
            }),
        ),
        (
            "error-not-found.json",
            t(&crate::error::ApiError::NotFound("unknown call").body()),
        ),
        (
            "error-bad-request.json",
            t(&crate::error::ApiError::BadRequest("malformed JSON: \"x\"".to_owned()).body()),
        ),
        (
            // The configuration document, as `GET .../config` writes it (the configuration's own
            // format, not an API type: its fields' order is the core's).
            "config.json",
            serde_json::to_string(&demo_config()).unwrap(),
        ),
    ]
}
