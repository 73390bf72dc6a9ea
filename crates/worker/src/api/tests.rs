//! The API's golden answers: each response type, built from fixed domain values, must write
//! exactly the bytes in `crates/worker/fixtures/api/` (what the API answered before it had types of
//! its own). A change of a core type that would change the public JSON fails here.

use dni_core::access::{OperatorKey, Scope, Viewer};
use dni_core::attribution::{Attribution, Classified, Model};
use dni_core::call::{CallRecord, NumberKind, RoutingInfo};
use dni_core::classify::{Category, Channel, ClickId, Touch};
use dni_core::drain::Refusals;
use dni_core::history::{Change, Entry};
use dni_core::integrations::outbox::{Delivery, Destination, State};
use dni_core::integrations::settings::WebhookEvent;
use dni_core::lease::Counters;
use dni_core::phone::E164;
use dni_core::report::pool_history::Point;
use dni_core::report::query::ReportRow;
use dni_core::telephony::{
    AnsweredLeg, CallStatus, DialCallStatus, DialResult, Provider, Recording, RecordingKind,
    Speaker, Transcript, Utterance,
};

use crate::protocol::{StatsReply, TokenRow};

fn e(n: &str) -> E164 {
    E164::parse(n).unwrap()
}

/// Reads a golden answer (the exact bytes), without the file's final newline.
fn golden(name: &str) -> String {
    let path = [env!("CARGO_MANIFEST_DIR"), "/fixtures/api/", name].concat();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

fn touch(channel: Channel, source: &str, medium: &str, click: Option<(&str, &str)>) -> Touch {
    Touch {
        channel,
        source: source.to_owned(),
        medium: medium.to_owned(),
        campaign: "spring".to_owned(),
        term: "plumber".to_owned(),
        content: "ad-1".to_owned(),
        campaign_id: "c-7".to_owned(),
        click_id: click.map(|(kind, value)| ClickId {
            kind: kind.to_owned(),
            value: value.to_owned(),
        }),
        category: Some(Category::Search),
        self_referral: false,
    }
}

/// A call with every field the record has set: attribution with both touches, routing, the dial
/// result, both recordings, a transcript, answered legs and a conversation.
pub(super) fn full_call() -> CallRecord {
    let mut r = CallRecord::new(
        "CAfull1",
        "demo",
        "+13105550199",
        "+12125550111",
        1_796_100_000_000,
    );
    let paid = touch(Channel::PaidSearch, "google", "cpc", Some(("gclid", "G-1")));
    let mut organic = touch(Channel::OrganicSearch, "bing", "organic", None);
    organic.category = None;
    organic.self_referral = true;
    r.forwarded_to = Some(e("+12125550100"));
    r.status = CallStatus::Answered;
    r.duration_s = Some(95);
    r.ended_at = Some(1_796_100_095_000);
    r.number_kind = NumberKind::Pool;
    r.channel = Channel::PaidSearch;
    r.source = "google".to_owned();
    r.medium = "cpc".to_owned();
    r.campaign = "spring".to_owned();
    r.term = "plumber".to_owned();
    r.content = "ad-1".to_owned();
    r.gclid = Some("G-1".to_owned());
    r.click_id = paid.click_id.clone();
    r.landing_page = "https://example.com/spring?gclid=G-1".to_owned();
    r.session = Some("session-aaaaaaaaaaaaaa".to_owned());
    r.confidence = 0.75;
    r.candidates = vec![
        "session-aaaaaaaaaaaaaa".to_owned(),
        "session-bbbbbbbbbbbbbb".to_owned(),
    ];
    r.attribution = Some(Attribution {
        model: Model::LastNonDirect,
        credited: Classified {
            touch: paid.clone(),
            landing: "https://example.com/spring?gclid=G-1".to_owned(),
            at: 1_796_099_000_000,
        },
        first: Some(Classified {
            touch: organic,
            landing: "https://example.com/".to_owned(),
            at: 1_796_000_000_000,
        }),
        last: Some(Classified {
            touch: paid,
            landing: "https://example.com/spring?gclid=G-1".to_owned(),
            at: 1_796_099_000_000,
        }),
    });
    r.ga_client_id = Some("123.456".to_owned());
    r.ga_session_id = Some("1796099000".to_owned());
    r.provider = Provider::Telnyx;
    r.routing = Some(RoutingInfo {
        rule: Some(1),
        name: "office hours".to_owned(),
        action: "chain".to_owned(),
        fallback: None,
    });
    r.dial = Some(DialResult {
        status: DialCallStatus::Completed,
        duration_s: 90,
        leg: Some("CAleg2".to_owned()),
        number: Some(e("+12125550100")),
        step: 1,
    });
    r.recording = Some(Recording {
        id: "RE1".to_owned(),
        url: "https://api.example/Recordings/RE1".to_owned(),
        duration_s: 90,
        channels: 2,
        kind: RecordingKind::Call,
    });
    r.voicemail = Some(Recording {
        id: "RE2".to_owned(),
        url: "https://api.example/Recordings/RE2".to_owned(),
        duration_s: 12,
        channels: 1,
        kind: RecordingKind::Voicemail,
    });
    r.transcript = Some(Transcript {
        id: "TR1".to_owned(),
        status: "completed".to_owned(),
        text: "Please call back".to_owned(),
    });
    r.first_time = Some(true);
    r.consent = Some(dni_core::consent::Tier::Full);
    r.fbp = Some("fb.1.1796099000000.1234567890".to_owned());
    r.qualification = Some(dni_core::qualification::Qualification {
        tags: vec!["booked".to_owned()],
        status: Some(dni_core::qualification::LeadStatus::Good),
        value: Some(120.0),
        by: dni_core::qualification::QualifiedBy::Operator,
        at: 1_796_100_200_000,
    });
    r.answered_legs = vec![
        AnsweredLeg {
            leg: "CAleg1".to_owned(),
            number: e("+12125550101"),
            step: 0,
        },
        AnsweredLeg {
            leg: "CAleg2".to_owned(),
            number: e("+12125550100"),
            step: 1,
        },
    ];
    r.conversation = vec![
        Utterance {
            seq: Some(1),
            speaker: Speaker::Caller,
            text: "Hello".to_owned(),
        },
        Utterance {
            seq: None,
            speaker: Speaker::Business,
            text: "Hi, how can we help?".to_owned(),
        },
        Utterance {
            seq: Some(3),
            speaker: Speaker::Unknown,
            text: "...".to_owned(),
        },
    ];
    r
}

/// Calls as a list shows them: the full one, and the golden stored rows (real records written
/// by an earlier release in workerd).
fn listed_calls() -> Vec<CallRecord> {
    let mut calls = vec![full_call()];
    for name in [
        "call-attributed-answered.json",
        "call-static-missed.json",
        "call-pool-ringing.json",
    ] {
        let path = [
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/rows/v1-untagged/",
            name,
        ]
        .concat();
        let text = std::fs::read_to_string(&path).unwrap();
        calls.push(crate::rows::call::read_call(&text).unwrap());
    }
    calls.push(stored_row("v2-test-call/call-test-answered.json"));
    calls
}

/// A stored row of `fixtures/rows/` (real records written in workerd), read.
fn stored_row(name: &str) -> CallRecord {
    let path = [env!("CARGO_MANIFEST_DIR"), "/fixtures/rows/", name].concat();
    let text = std::fs::read_to_string(&path).unwrap();
    crate::rows::call::read_call(&text).unwrap()
}

/// Text conversations as the leads list shows them (golden stored rows).
fn texts() -> Vec<CallRecord> {
    vec![
        stored_row("v1-texts/text-pool-forwarded-two-messages.json"),
        stored_row("v1-texts/text-telnyx-static.json"),
    ]
}

fn deliveries() -> Vec<Delivery> {
    vec![
        Delivery {
            id: "CAfull1.ga4".to_owned(),
            call_id: "CAfull1".to_owned(),
            destination: Destination::Ga4,
            state: State::Delivered,
            attempts: 1,
            created_at: 1_796_100_095_000,
            next_at: 1_796_100_095_000,
            last_attempt_at: Some(1_796_100_095_200),
            delivered_at: Some(1_796_100_095_300),
            answer: Some("204".to_owned()),
            request_id: None,
        },
        Delivery {
            id: "CAfull1.webhook.crm.conversion".to_owned(),
            call_id: "CAfull1".to_owned(),
            destination: Destination::Webhook {
                endpoint: "crm".to_owned(),
                event: WebhookEvent::Conversion,
            },
            state: State::Failed,
            attempts: 40,
            created_at: 1_796_100_095_000,
            next_at: 1_796_130_000_000,
            last_attempt_at: Some(1_796_129_000_000),
            delivered_at: None,
            answer: Some("500 upstream down".to_owned()),
            request_id: None,
        },
        Delivery {
            id: "CAfull1.google_ads".to_owned(),
            call_id: "CAfull1".to_owned(),
            destination: Destination::GoogleAds,
            state: State::Pending,
            attempts: 0,
            created_at: 1_796_100_095_000,
            next_at: 1_796_100_095_000,
            last_attempt_at: None,
            delivered_at: None,
            answer: None,
            request_id: None,
        },
        Delivery {
            id: "CAfull1.microsoft_ads".to_owned(),
            call_id: "CAfull1".to_owned(),
            destination: Destination::MicrosoftAds,
            state: State::Skipped,
            attempts: 0,
            created_at: 1_796_100_095_000,
            next_at: 1_796_100_095_000,
            last_attempt_at: None,
            delivered_at: None,
            answer: Some("no click id".to_owned()),
            request_id: None,
        },
        Delivery {
            id: "CAfull1.meta".to_owned(),
            call_id: "CAfull1".to_owned(),
            destination: Destination::Meta,
            state: State::Pending,
            attempts: 1,
            created_at: 1_796_100_095_000,
            next_at: 1_796_100_395_000,
            last_attempt_at: Some(1_796_100_095_200),
            delivered_at: None,
            answer: Some("200".to_owned()),
            request_id: Some("req-1".to_owned()),
        },
        Delivery {
            id: "CAfull1.webhook.crm.call.qualified.1796100200000".to_owned(),
            call_id: "CAfull1".to_owned(),
            destination: Destination::Qualified {
                endpoint: "crm".to_owned(),
                at: 1_796_100_200_000,
            },
            state: State::Delivered,
            attempts: 1,
            created_at: 1_796_100_200_000,
            next_at: 1_796_100_200_000,
            last_attempt_at: Some(1_796_100_200_100),
            delivered_at: Some(1_796_100_200_200),
            answer: Some("204".to_owned()),
            request_id: None,
        },
    ]
}

/// A call on the legacy Google Ads API whose conversion was sent, then retracted when an operator
/// marked it spam.
fn retraction() -> Vec<Delivery> {
    let sent = Delivery {
        id: "CAlegacy1.google_ads".to_owned(),
        call_id: "CAlegacy1".to_owned(),
        destination: Destination::GoogleAds,
        state: State::Delivered,
        attempts: 1,
        created_at: 1_796_100_095_000,
        next_at: 1_796_100_095_000,
        last_attempt_at: Some(1_796_100_095_200),
        delivered_at: Some(1_796_100_095_300),
        answer: Some("200".to_owned()),
        request_id: None,
    };
    let retracted = Delivery {
        id: "CAlegacy1.google_ads.retraction".to_owned(),
        destination: Destination::GoogleAdsRetraction,
        created_at: 1_796_100_200_000,
        next_at: 1_796_100_200_000,
        last_attempt_at: Some(1_796_100_200_100),
        delivered_at: Some(1_796_100_200_200),
        ..sent.clone()
    };
    vec![sent, retracted]
}

fn stats(k: u64) -> StatsReply {
    StatsReply {
        counters: Counters {
            granted: 100 + k,
            renewed: 20 + k,
            heartbeats: 300 + k,
            released: 50 + k,
            expired: 40 + k,
            exhausted: 5 + k,
            overflow: 1 + k,
            original: 2 + k,
            reused: 2,
        },
        size: 10,
        leased: 4 + k as usize,
        cooling: 2,
        next_deadline: if k == 0 {
            Some(1_796_100_200_000)
        } else {
            None
        },
        limited: 3 + k,
        refused: Refusals {
            address: 1 + k,
            network: 1,
            pool: 0,
            automated: 1,
        },
        needed: vec![crate::protocol::Needed {
            number: e(if k == 0 {
                "+12125550101"
            } else {
                "+12125550102"
            }),
            until: 1_796_100_800_000 + k,
        }],
    }
}

fn report_rows() -> Vec<ReportRow> {
    vec![
        ReportRow {
            key: "Paid Search".to_owned(),
            calls: 12,
            answered: 9,
            missed: 3,
            answered_rate: 0.75,
            talk_s: 1_234,
            avg_talk_s: 137.11111111111111,
            texts: 4,
        },
        ReportRow {
            key: String::new(),
            calls: 0,
            answered: 0,
            missed: 0,
            answered_rate: 0.0,
            talk_s: 0,
            avg_talk_s: 0.0,
            texts: 0,
        },
    ]
}

fn points() -> Vec<Point> {
    vec![
        Point {
            at: 1_796_100_000_000,
            size: 10,
            leased: 4,
            cooling: 2,
            free: 4,
            exhausted: 1,
            limited: 0,
        },
        Point {
            at: 1_796_100_900_000,
            size: 10,
            leased: 0,
            cooling: 0,
            free: 10,
            exhausted: 0,
            limited: 2,
        },
    ]
}

fn tokens() -> Vec<TokenRow> {
    vec![
        TokenRow {
            id: "AAAAAAAAAAAA".to_owned(),
            site: "demo".to_owned(),
            name: "Client X".to_owned(),
            hash: String::new(),
            created_at: 1_796_100_000_000,
            scopes: String::new(),
        },
        TokenRow {
            id: "BBBBBBBBBBBB".to_owned(),
            site: "demo".to_owned(),
            name: String::new(),
            hash: String::new(),
            created_at: 1_796_100_000_001,
            scopes: "qualify".to_owned(),
        },
    ]
}

fn operator_keys() -> Vec<OperatorKey> {
    let key = |id: &str, revoked: bool| OperatorKey {
        id: id.to_owned(),
        name: "Client X web agency".to_owned(),
        sites: vec!["demo".to_owned(), "client-x".to_owned()],
        scopes: vec![Scope::Configure, Scope::Calls],
        hash: "0".repeat(64),
        created_at: 1_796_100_000_000,
        created_by: "admin".to_owned(),
        revoked_at: revoked.then_some(1_796_100_600_000),
        revoked_by: revoked.then(|| "admin".to_owned()),
    };
    vec![key("CCCCCCCCCCCC", false), key("DDDDDDDDDDDD", true)]
}

/// A site's history with one change of each kind, newest first (as the list answers it).
pub(super) fn history_entries() -> Vec<Entry> {
    let config = Box::new(super::render::demo_config());
    let entry = |version: u64, by: Option<&str>, change: Change| Entry {
        site: "demo".to_owned(),
        version,
        at: 1_796_100_000_000 + version * 60_000,
        by: by.map(str::to_owned),
        change,
    };
    vec![
        entry(
            5,
            Some("admin"),
            Change::KeyRevoked {
                key: "DDDDDDDDDDDD".to_owned(),
            },
        ),
        entry(
            4,
            Some("admin"),
            Change::KeyCreated {
                key: "DDDDDDDDDDDD".to_owned(),
                name: "Client X web agency".to_owned(),
                scopes: vec![Scope::Configure, Scope::Calls],
            },
        ),
        entry(
            3,
            Some("key:CCCCCCCCCCCC"),
            Change::Rollback {
                from: 1,
                config: config.clone(),
            },
        ),
        entry(
            2,
            Some("admin"),
            Change::Config {
                config: config.clone(),
            },
        ),
        entry(1, None, Change::Found { config }),
    ]
}

fn report_viewer() -> Viewer {
    Viewer::Report {
        site: "demo".to_owned(),
        token_id: "AAAAAAAAAAAA".to_owned(),
        qualify: false,
    }
}

/// Each answer as the route writes it today, by the fixture's name.
fn answers() -> Vec<(&'static str, String)> {
    super::render::all(&Fixtures {
        calls: listed_calls(),
        texts: texts(),
        deliveries: deliveries(),
        retraction: retraction(),
        shards: vec![stats(0), stats(1)],
        rows: report_rows(),
        points: points(),
        tokens: tokens(),
        viewer: report_viewer(),
        keys: operator_keys(),
        history: history_entries(),
    })
}

/// The domain values every golden answer is made from.
pub(super) struct Fixtures {
    pub(super) calls: Vec<CallRecord>,
    pub(super) texts: Vec<CallRecord>,
    pub(super) deliveries: Vec<Delivery>,
    pub(super) retraction: Vec<Delivery>,
    pub(super) shards: Vec<StatsReply>,
    pub(super) rows: Vec<ReportRow>,
    pub(super) points: Vec<Point>,
    pub(super) tokens: Vec<TokenRow>,
    pub(super) viewer: Viewer,
    pub(super) keys: Vec<OperatorKey>,
    pub(super) history: Vec<Entry>,
}

#[test]
fn every_answer_is_its_golden_bytes() {
    let mut failed = Vec::new();
    for (name, got) in answers() {
        if golden(name) != got {
            failed.push(format!(
                "{name}:\n  golden: {}\n  now:    {got}",
                golden(name)
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// The request bodies the API takes with types of its own read as the core's requests: a
/// qualification (`PUT .../qualification`) and a new operator key (`POST /v1/operator-keys`); a
/// field the API does not know is refused.
#[test]
fn the_request_bodies_read_as_the_cores() {
    use super::{keys, qualification};
    let body = golden("qualification-request.json");
    let read: qualification::Input = serde_json::from_str(&body).unwrap();
    assert_eq!(
        dni_core::qualification::Input::from(read),
        dni_core::qualification::Input {
            tags: vec!["booked".to_owned(), "repeat".to_owned()],
            status: Some(dni_core::qualification::LeadStatus::Good),
            value: Some(310.0),
        }
    );
    let body = golden("operator-key-request.json");
    let read: keys::NewKey = serde_json::from_str(&body).unwrap();
    assert_eq!(
        dni_core::access::NewKey::from(read),
        dni_core::access::NewKey {
            name: "agency".to_owned(),
            sites: vec!["demo".to_owned(), "shop".to_owned()],
            scopes: vec![Scope::Calls, Scope::Qualify],
        }
    );
    // (body, read by which type)
    let refused = [
        (r#"{"tags":[],"stage":"won"}"#, "qualification"),
        (r#"{"status":"maybe"}"#, "qualification"),
        (r#"{"sites":["demo"],"role":"admin"}"#, "key"),
        (r#"{"sites":["demo"],"scopes":["everything"]}"#, "key"),
    ];
    for (body, what) in refused {
        let err = match what {
            "qualification" => serde_json::from_str::<qualification::Input>(body).is_err(),
            _ => serde_json::from_str::<keys::NewKey>(body).is_err(),
        };
        assert!(err, "{body}");
    }
}

/// The import body `dni history` writes (the full record's JSON, as the records' own
/// serialization wrote it) reads as the same records.
#[test]
fn the_import_body_reads_as_the_records() {
    let body = golden("calls-import.json");
    let read = super::render::import(&body).unwrap();
    let mut want = listed_calls();
    want.truncate(2);
    assert_eq!(read, want);
}

/// An imported call: the fields that default may be left out; a number that is not E.164 or a
/// channel that is not GA4's is refused, naming the record and the field.
#[test]
fn an_imported_call_reads_or_is_refused_by_name() {
    let minimal = serde_json::json!({
        "call_sid": "CAmin", "site": "demo", "caller": "+13105550199",
        "tracking_number": "+12125550111", "started_at": 1, "status": "missed",
        "number_kind": "static", "channel": "Direct", "source": "(direct)", "medium": "(none)",
        "campaign": "", "term": "", "content": "", "landing_page": "", "confidence": 1.0,
        "candidates": [],
    });
    let read = super::render::import(&serde_json::json!([minimal]).to_string()).unwrap();
    let mut want = CallRecord::new("CAmin", "demo", "+13105550199", "+12125550111", 1);
    want.status = CallStatus::Missed;
    want.number_kind = NumberKind::Static;
    want.source = "(direct)".to_owned();
    want.medium = "(none)".to_owned();
    want.confidence = 1.0;
    assert_eq!(read, vec![want]);

    let full = serde_json::to_value(full_call()).unwrap();
    // (a change to the full call, the error's start; "" reads)
    type Change = fn(&mut serde_json::Value);
    let table: [(Change, &str); 7] = [
        (|_| {}, ""),
        (
            |v| v["forwarded_to"] = "12".into(),
            "record CAfull1: forwarded_to is not an E.164 number: 12",
        ),
        (
            |v| v["channel"] = "Carrier Pigeon".into(),
            "record CAfull1: channel is not a GA4 channel group: Carrier Pigeon",
        ),
        (
            |v| v["attribution"]["first"]["channel"] = "Nope".into(),
            "record CAfull1: attribution's channel is not a GA4 channel group: Nope",
        ),
        (
            |v| v["dial"]["number"] = "x".into(),
            "record CAfull1: dial.number is not an E.164 number: x",
        ),
        (
            |v| v["answered_legs"][1]["number"] = "+1".into(),
            "record CAfull1: answered_legs' number is not an E.164 number: +1",
        ),
        (
            |v| v["status"] = "exploded".into(),
            "unknown variant `exploded`",
        ),
    ];
    for (change, want) in table {
        let mut call = full.clone();
        change(&mut call);
        let got = super::render::import(&serde_json::json!([call]).to_string());
        match got {
            Ok(records) => assert_eq!((records, want), (vec![full_call()], "")),
            Err(e) => assert!(!want.is_empty() && e.starts_with(want), "{e} / {want}"),
        }
    }
}
