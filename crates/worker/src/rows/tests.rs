//! The rows' tests: the envelope, every kind written and read back, what an unreadable row is, and
//! the golden rows of the formats written so far (`crates/worker/fixtures/rows/`), each read and
//! checked value by value.

use super::*;
use dni_core::consent::Tier;

#[test]
fn envelope_versions() {
    // (text, version or the error's start)
    let table: &[(&str, Result<u64, &str>)] = &[
        (r#"{"a":1}"#, Ok(1)),
        (r#"{"v":1,"a":1}"#, Ok(1)),
        (r#"{"a":1,"v":2}"#, Ok(2)),
        (
            r#"{"v":0,"a":1}"#,
            Err("unreadable slot row: bad version tag 0"),
        ),
        (r#"{"v":"1"}"#, Err("unreadable slot row: bad version tag")),
        (r#"{"v":-1}"#, Err("unreadable slot row: bad version tag")),
        ("[1,2]", Err("unreadable slot row: not a JSON object")),
        ("", Err("unreadable slot row: EOF")),
        (r#"{"a":"#, Err("unreadable slot row: EOF")),
    ];
    for (text, expected) in table {
        let got = open("slot", text);
        match (got, expected) {
            (Ok((v, fields)), Ok(want)) => {
                assert_eq!(v, *want, "{text}");
                assert!(!fields.contains_key(VERSION_FIELD), "{text}: tag removed");
            }
            (Err(e), Err(want)) => assert!(e.to_string().starts_with(want), "{text}: {e}"),
            (got, want) => panic!("{text}: {got:?}, expected {want:?}"),
        }
    }
}

#[test]
fn a_newer_version_is_an_error_not_a_guess() {
    type Reader = fn(&str) -> Option<RowError>;
    let readers: [(&str, Reader); 10] = [
        ("slot", |t| pool::read_slot(t).err()),
        ("refusals", |t| pool::read_refusals(t).err()),
        ("retention", |t| retention::read_retention(t).err()),
        ("pool sample", |t| pool::read_sample(t).err()),
        ("settings", |t| pool::read_settings(t).err()),
        ("counters", |t| pool::read_counters(t).err()),
        ("visit", |t| visit::read_visit(t).err()),
        ("call", |t| call::read_call(t).err()),
        ("site", |t| kv::read_site(t).err()),
        ("number route", |t| kv::read_route(t).err()),
    ];
    for (kind, read) in readers {
        // (A version no reader knows: calls have a version 2.)
        let e = read(r#"{"v":99}"#).unwrap_or_else(|| panic!("{kind}: a v99 row read"));
        assert_eq!(e.kind, kind);
        assert!(e.detail.contains("version 99 is newer"), "{kind}: {e}");
    }
}

#[test]
fn sealed_rows_carry_their_version() {
    let text = seal("x", 1, &serde_json::json!({"a": 1})).unwrap();
    assert_eq!(text, r#"{"a":1,"v":1}"#);
    assert!(seal("x", 1, &serde_json::json!({"v": 3})).is_err());
    assert!(seal("x", 1, &serde_json::json!([1])).is_err());
}

/// Reads a golden row (the exact stored text).
fn golden(name: &str) -> String {
    let path = [env!("CARGO_MANIFEST_DIR"), "/fixtures/rows/", name].concat();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn e(n: &str) -> dni_core::phone::E164 {
    dni_core::phone::E164::parse(n).unwrap()
}

const V1: &str = "v1-untagged/";

/// Every golden row of a kind, read through the row types; then written by this release and
/// read again: the same value (so what this release writes, the next reads like the golden rows).
#[test]
fn golden_slot_rows() {
    use dni_core::lease::{Holding, Lease, Slot};
    let lease = |id: &str, session: &str, target: &str, at: u64, ambiguous| Lease {
        id: id.to_owned(),
        session: session.to_owned(),
        target: e(target),
        started: at,
        last_seen: at,
        ambiguous,
    };
    // (file, the slot it holds)
    let table = [
        (
            "slot-leased.json",
            Slot {
                number: e("+12125550101"),
                lease: Some(lease(
                    "visitors.0.E2V1cUhIRcgNZYwyFxAahg",
                    "session-golden-ffffffff",
                    "+12125550100",
                    1796100691129,
                    false,
                )),
                free_since: 0,
                history: vec![],
                retired: false,
            },
        ),
        (
            "slot-never-leased.json",
            Slot {
                number: e("+12125550102"),
                lease: None,
                free_since: 0,
                history: vec![],
                retired: false,
            },
        ),
        (
            "slot-ambiguous-with-history.json",
            Slot {
                number: e("+15125550101"),
                lease: Some(lease(
                    "main.0.cM6sKqAPvGzNxtXALguMpQ",
                    "session-golden-cccccccc",
                    "+15125550100",
                    1796100690459,
                    true,
                )),
                free_since: 1796100690459,
                history: vec![Holding {
                    session: "session-golden-aaaaaaaa".to_owned(),
                    lease: "main.0.fZupoAwUDVeD9KGkh1vwXg".to_owned(),
                    target: e("+15125550100"),
                    from: 1796100690002,
                    to: 1796100690459,
                    ambiguous: true,
                }],
                retired: false,
            },
        ),
        (
            "slot-released.json",
            Slot {
                number: e("+15125550201"),
                lease: None,
                free_since: 1796100690940,
                history: vec![Holding {
                    session: "session-golden-dddddddd".to_owned(),
                    lease: "over.0.S03Abls0JtWsjFkHiLJMBQ".to_owned(),
                    target: e("+15125550200"),
                    from: 1796100690632,
                    to: 1796100690940,
                    ambiguous: false,
                }],
                retired: false,
            },
        ),
    ];
    for (file, expected) in table {
        let slot = pool::read_slot(&golden(&[V1, file].concat())).unwrap();
        assert_eq!(slot, expected, "{file}");
        let written = pool::write_slot(&slot).unwrap();
        assert!(written.contains(r#""v":1"#), "{file}: {written}");
        assert_eq!(
            pool::read_slot(&written).unwrap(),
            expected,
            "{file} rewritten"
        );
    }
}

#[test]
fn golden_meta_rows() {
    use dni_core::lease::{Counters, Exhausted, Settings};
    let settings = |idle, hold, cool, on_exhausted| Settings {
        idle_timeout: idle,
        max_hold: hold,
        cooldown: cool,
        on_exhausted,
    };
    let table = [
        (
            "settings-original.json",
            settings(120_000, 3_600_000, 720_000, Exhausted::Original),
        ),
        (
            "settings-reuse.json",
            settings(120_000, 3_600_000, 720_000, Exhausted::ReuseLeastRecent),
        ),
        (
            "settings-overflow.json",
            settings(
                60_000,
                600_000,
                300_000,
                Exhausted::Overflow(e("+15125550299")),
            ),
        ),
    ];
    for (file, expected) in table {
        let read = pool::read_settings(&golden(&[V1, file].concat())).unwrap();
        assert_eq!(read, expected, "{file}");
        let again = pool::read_settings(&pool::write_settings(&read).unwrap()).unwrap();
        assert_eq!(again, expected, "{file} rewritten");
    }
    let table = [
        (
            "counters-reuse.json",
            Counters {
                granted: 3,
                exhausted: 1,
                reused: 1,
                ..Counters::default()
            },
        ),
        (
            "counters-overflow.json",
            Counters {
                granted: 1,
                heartbeats: 1,
                released: 1,
                exhausted: 1,
                overflow: 1,
                ..Counters::default()
            },
        ),
    ];
    for (file, expected) in table {
        let read = pool::read_counters(&golden(&[V1, file].concat())).unwrap();
        assert_eq!(read, expected, "{file}");
        let again = pool::read_counters(&pool::write_counters(&read).unwrap()).unwrap();
        assert_eq!(again, expected, "{file} rewritten");
    }
}

const LANDING: &str = "http://127.0.0.1:34049/spring?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=plumber&gclid=GOLD1";

/// The credited touch of every golden visit and attributed call: a Google Ads click.
fn assert_ad_click(t: &dni_core::attribution::Classified, what: &str) {
    use dni_core::classify::{Category, Channel};
    let touch = &t.touch;
    assert_eq!(touch.channel, Channel::PaidSearch, "{what}");
    let fields = [&touch.source, &touch.medium, &touch.campaign, &touch.term];
    assert_eq!(fields, ["google", "cpc", "spring", "plumber"], "{what}");
    assert_eq!(touch.click("gclid"), Some("GOLD1"), "{what}");
    assert_eq!(touch.category, Some(Category::Search), "{what}");
    assert!(!touch.self_referral, "{what}");
    assert_eq!(t.landing, LANDING, "{what}");
}

#[test]
fn golden_visit_rows() {
    use dni_core::attribution::Model;
    use dni_core::classify::Channel;
    // (file, credited at, first touch's channel, GA client id)
    let table = [
        (
            "visit-journey-ga.json",
            1796100689797,
            Channel::Email,
            Some("GA1.1.111.222"),
        ),
        ("visit-plain.json", 1796100691049, Channel::PaidSearch, None),
    ];
    for (file, at, first_channel, ga_client) in table {
        let read = visit::read_visit(&golden(&[V1, file].concat())).unwrap();
        let a = &read.attribution;
        assert_eq!(a.model, Model::LastNonDirect, "{file}");
        assert_ad_click(&a.credited, file);
        assert_eq!(a.credited.at, at, "{file}");
        assert_eq!(
            a.first.as_ref().map(|t| t.touch.channel),
            Some(first_channel),
            "{file}"
        );
        assert_eq!(a.last.as_ref(), Some(&a.credited), "{file}");
        assert_eq!(read.page, LANDING, "{file}");
        assert_eq!(
            read.ga.as_ref().map(|g| g.client.as_str()),
            ga_client,
            "{file}"
        );
        let again = visit::read_visit(&visit::write_visit(&read).unwrap()).unwrap();
        assert_eq!(again, read, "{file} rewritten");
    }
    let journey = visit::read_visit(&golden(&[V1, "visit-journey-ga.json"].concat())).unwrap();
    let first = journey.attribution.first.clone().unwrap();
    assert_eq!(
        (first.touch.source.as_str(), first.at),
        ("newsletter", 1796014289541)
    );
    let ga = journey.ga.as_ref().unwrap();
    assert_eq!(ga.session, "GS1.1.1700000000.1.1.1700000000.0.0.0");
    // The declared consent tier: absent from the golden rows (unknown), written and read back when
    // set; an unknown name is an unreadable row.
    assert_eq!(journey.consent, None);
    for tier in [Tier::Session, Tier::Full] {
        let mut v = journey.clone();
        v.consent = Some(tier);
        let text = visit::write_visit(&v).unwrap();
        assert_eq!(visit::read_visit(&text).unwrap(), v, "{tier:?}");
        let bad = text.replace(r#""consent":""#, r#""consent":"x"#);
        assert!(visit::read_visit(&bad).is_err(), "{bad}");
    }
}

#[test]
fn golden_call_rows() {
    use dni_core::call::NumberKind;
    use dni_core::classify::Channel;
    use dni_core::telephony::CallStatus;
    // (file, call id, site, caller, status, duration, kind, channel, confidence, session)
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        CallStatus,
        Option<u32>,
        NumberKind,
        Channel,
        f64,
        Option<&'a str>,
    );
    let table: [Row; 4] = [
        (
            "call-attributed-answered.json",
            "CAgolden1",
            "golden",
            "+13105550199",
            CallStatus::Answered,
            Some(42),
            NumberKind::Pool,
            Channel::PaidSearch,
            0.5,
            Some("session-golden-cccccccc"),
        ),
        (
            "call-status-before-webhook.json",
            "CAgolden2",
            "golden",
            "+13105550142",
            CallStatus::InProgress,
            None,
            NumberKind::Unknown,
            Channel::Direct,
            0.0,
            None,
        ),
        (
            "call-static-missed.json",
            "CAgolden3",
            "golden",
            "anonymous",
            CallStatus::Missed,
            Some(0),
            NumberKind::Static,
            Channel::Email,
            1.0,
            None,
        ),
        (
            "call-pool-ringing.json",
            "CAgolden4",
            "demo",
            "+13105550123",
            CallStatus::Ringing,
            None,
            NumberKind::Pool,
            Channel::PaidSearch,
            1.0,
            Some("session-golden-ffffffff"),
        ),
    ];
    for (file, sid, site, caller, status, duration, kind, channel, confidence, session) in table {
        let r = call::read_call(&golden(&[V1, file].concat())).unwrap();
        assert_eq!(
            (r.call_sid.as_str(), r.site.as_str(), r.caller.as_str()),
            (sid, site, caller),
            "{file}"
        );
        assert_eq!(
            (r.status, r.duration_s, r.number_kind),
            (status, duration, kind),
            "{file}"
        );
        assert_eq!((r.channel, r.confidence), (channel, confidence), "{file}");
        assert_eq!(r.session.as_deref(), session, "{file}");
        if let Some(a) = &r.attribution {
            assert_ad_click(&a.credited, file);
            assert_eq!(r.gclid.as_deref(), Some("GOLD1"), "{file}");
            assert_eq!(r.landing_page, LANDING, "{file}");
        }
        let again = call::read_call(&call::write_call(&r).unwrap()).unwrap();
        assert_eq!(again, r, "{file} rewritten");
    }
    let answered =
        call::read_call(&golden(&[V1, "call-attributed-answered.json"].concat())).unwrap();
    assert_eq!(answered.forwarded_to, Some(e("+15125550199")));
    assert_eq!(
        answered.candidates,
        ["session-golden-cccccccc", "session-golden-aaaaaaaa"]
    );
    assert_eq!(
        (answered.started_at, answered.ended_at),
        (1796100691349, Some(1796100691823))
    );
    let fields = [
        &answered.source,
        &answered.medium,
        &answered.campaign,
        &answered.term,
    ];
    assert_eq!(fields, ["google", "cpc", "spring", "plumber"]);
    let static_call = call::read_call(&golden(&[V1, "call-static-missed.json"].concat())).unwrap();
    assert_eq!(
        (static_call.source.as_str(), static_call.campaign.as_str()),
        ("newsletter", "may")
    );
}

/// A test call's row is version 2 (an older release refuses it rather than take it for a
/// customer's call); a real call is still written as version 1.
#[test]
fn test_call_rows_are_version_2() {
    let row = golden("v2-test-call/call-test-answered.json");
    let test = call::read_call(&row).unwrap();
    assert!(test.test);
    let real = call::read_call(&golden(&[V1, "call-attributed-answered.json"].concat())).unwrap();
    assert!(!real.test);
    // The same call otherwise: version 2 is version 1's fields and the mark.
    let mut unmarked = test.clone();
    unmarked.test = false;
    unmarked.call_sid = real.call_sid.clone();
    assert_eq!(unmarked, real);
    // (record, the version it is written as)
    for (r, version) in [(&test, "\"v\":2"), (&real, "\"v\":1")] {
        let text = call::write_call(r).unwrap();
        assert!(text.contains(version), "{text}");
        assert_eq!(&call::read_call(&text).unwrap(), r);
    }
    // Version 2 without its mark does not read; nor does version 1 carrying one a reader of
    // version 1 would drop (this release reads the mark only in version 2).
    let unmarked_v2 = row.replace(",\"test\":true", "");
    assert!(call::read_call(&unmarked_v2).is_err());
    let v1_marked = row.replacen("\"v\":2", "\"v\":1", 1);
    assert!(!call::read_call(&v1_marked).unwrap().test);
}

#[test]
fn golden_kv_values() {
    use dni_core::lease::Exhausted;
    let demo = kv::read_site(&golden(&[V1, "kv-site-demo.json"].concat())).unwrap();
    assert_eq!(
        (demo.id.as_str(), demo.name.as_str()),
        ("demo", "Demo Plumbing Co.")
    );
    assert_eq!(demo.pools.len(), 1);
    assert_eq!(demo.pools[0].numbers.len(), 10);
    assert_eq!(demo.static_numbers.len(), 2);
    assert!(demo.validate().is_ok());
    let golden_site = kv::read_site(&golden(&[V1, "kv-site-golden.json"].concat())).unwrap();
    assert_eq!(golden_site.targets[0].forward_to, Some(e("+15125550199")));
    let policies: Vec<&Exhausted> = golden_site
        .pools
        .iter()
        .map(|p| &p.settings.on_exhausted)
        .collect();
    assert_eq!(
        policies,
        [
            &Exhausted::ReuseLeastRecent,
            &Exhausted::Overflow(e("+15125550299"))
        ]
    );
    assert!(golden_site.validate().is_ok());
    // A site written with the version tag reads the same.
    let tagged = golden(&[V1, "kv-site-demo.json"].concat()).replacen('{', r#"{"v":1,"#, 1);
    assert_eq!(kv::read_site(&tagged).unwrap(), demo);

    let route = kv::read_route(&golden(&[V1, "kv-number-pool.json"].concat())).unwrap();
    assert_eq!(
        (
            route.site.as_str(),
            route.pool.as_deref(),
            route.static_number
        ),
        ("golden", Some("main"), None)
    );
    let route = kv::read_route(&golden(&[V1, "kv-number-static.json"].concat())).unwrap();
    assert_eq!(
        (
            route.site.as_str(),
            route.pool.as_deref(),
            route.static_number
        ),
        ("golden", None, Some(0))
    );
}

/// A field added later (`#[serde(default)]`) is a compatible change: a row with a field this
/// release does not know still reads (a newer release's row, read by this one), and a row without
/// an optional field reads it as absent.
#[test]
fn unknown_and_missing_optional_fields_are_compatible() {
    let slot = golden(&[V1, "slot-leased.json"].concat());
    let newer = slot.replacen('{', r#"{"v":1,"weight":3,"#, 1);
    assert_eq!(
        pool::read_slot(&newer).unwrap(),
        pool::read_slot(&slot).unwrap()
    );
    let call_row = golden(&[V1, "call-status-before-webhook.json"].concat());
    let without = call_row.replace(r#""ga_session_id":null"#, r#""recording_url":"https://x""#);
    assert_eq!(call::read_call(&without).unwrap().ga_session_id, None);
}

/// A row that cannot be read is an error naming what is wrong, never a default.
#[test]
fn unreadable_rows_are_errors() {
    let slot = golden(&[V1, "slot-leased.json"].concat());
    let call_row = golden(&[V1, "call-attributed-answered.json"].concat());
    // (what, result)
    let table: Vec<(&str, Result<(), RowError>)> = vec![
        (
            "slot: truncated",
            pool::read_slot(&slot[..slot.len() / 2]).map(drop),
        ),
        (
            "slot: number not E.164",
            pool::read_slot(&slot.replacen("+12125550101", "2125550101", 1)).map(drop),
        ),
        (
            "slot: lease target not E.164",
            pool::read_slot(&slot.replace("+12125550100", "x")).map(drop),
        ),
        (
            "slot: required field missing",
            pool::read_slot(&slot.replace(r#","retired":false"#, "")).map(drop),
        ),
        (
            "slot: wrong type",
            pool::read_slot(&slot.replace(r#""free_since":0"#, r#""free_since":"0""#)).map(drop),
        ),
        (
            "settings: unknown policy",
            pool::read_settings(r#"{"on_exhausted":"panic"}"#).map(drop),
        ),
        (
            "counters: negative",
            pool::read_counters(r#"{"granted":-1}"#).map(drop),
        ),
        (
            "refusals: negative",
            pool::read_refusals(r#"{"address":-1}"#).map(drop),
        ),
        (
            "refusals: not an object",
            pool::read_refusals("[]").map(drop),
        ),
        (
            "retention: no days",
            retention::read_retention("{}").map(drop),
        ),
        (
            "retention: zero days",
            retention::read_retention(r#"{"v":1,"days":0}"#).map(drop),
        ),
        (
            "retention: past the longest",
            retention::read_retention(r#"{"v":1,"days":3651}"#).map(drop),
        ),
        (
            "pool sample: negative",
            pool::read_sample(
                r#"{"v":1,"at":0,"size":1,"leased":-1,"cooling":0,"exhausted":0,"limited":0}"#,
            )
            .map(drop),
        ),
        (
            "pool sample: field missing",
            pool::read_sample(r#"{"v":1,"at":0,"size":1,"leased":1,"cooling":0,"exhausted":0}"#)
                .map(drop),
        ),
        (
            "call: unknown channel",
            call::read_call(&call_row.replace("Paid Search", "Carrier Pigeon")).map(drop),
        ),
        (
            "call: unknown status",
            call::read_call(&call_row.replace(r#""answered""#, r#""on_hold""#)).map(drop),
        ),
        (
            "call: unknown category",
            call::read_call(&call_row.replacen(r#""search""#, r#""radio""#, 1)).map(drop),
        ),
        ("visit: not JSON", visit::read_visit("not json").map(drop)),
        (
            "route: no site",
            kv::read_route(r#"{"pool":"main"}"#).map(drop),
        ),
        (
            "site: unknown field",
            kv::read_site(r#"{"id":"x","targets":[],"bogus":1}"#).map(drop),
        ),
    ];
    for (what, result) in table {
        assert!(result.is_err(), "{what} read");
    }
}

/// The `refusals` meta row as the release that introduced the pool-drain limits wrote it: the
/// core's `Refusals` serialized as plain JSON, untagged (that release's code was
/// `serde_json::to_string(&ledger.refusals)`, so the golden row is checked to be exactly what
/// that serialization gives); read as version 1, then written tagged and read again.
#[test]
fn golden_refusals_row() {
    use dni_core::drain::Refusals;
    let text = golden("v1-untagged-refusals/refusals-drain.json");
    let expected = Refusals {
        address: 197,
        network: 2,
        pool: 0,
        automated: 5,
    };
    assert_eq!(text, serde_json::to_string(&expected).unwrap());
    assert_eq!(pool::read_refusals(&text).unwrap(), expected);
    let written = pool::write_refusals(&expected).unwrap();
    assert_eq!(
        written,
        r#"{"address":197,"automated":5,"network":2,"pool":0,"v":1}"#
    );
    assert_eq!(pool::read_refusals(&written).unwrap(), expected);
    // A count the row lacks reads as 0 (a reason added later).
    assert_eq!(
        pool::read_refusals(r#"{"v":1,"address":3}"#).unwrap(),
        Refusals {
            address: 3,
            ..Refusals::default()
        }
    );
}

#[test]
fn retention_rows() {
    // (stored text, days or error)
    let table: &[(&str, Option<u32>)] = &[
        (r#"{"days":30,"v":1}"#, Some(30)),
        (r#"{"days":400}"#, Some(400)),
        (r#"{"days":3650,"v":1}"#, Some(3650)),
        (r#"{"days":0,"v":1}"#, None),
        (r#"{"days":-1,"v":1}"#, None),
        (r#"{"days":"30","v":1}"#, None),
        (r#"{"v":1}"#, None),
    ];
    for &(text, want) in table {
        assert_eq!(retention::read_retention(text).ok(), want, "{text}");
    }
    for days in [1, 30, 400, 3650] {
        let text = retention::write_retention(days).unwrap();
        assert_eq!(text, format!(r#"{{"days":{days},"v":1}}"#));
        assert_eq!(retention::read_retention(&text).unwrap(), days);
    }
}

/// The call-handling fields (provider, routing, dial result, recordings, transcript, first-time
/// caller): absent from the golden rows (they read as their defaults, above), and written and read
/// back unchanged when set.
#[test]
fn call_handling_fields_round_trip() {
    use dni_core::call::{LeadKind, RoutingInfo, TextMessage};
    use dni_core::telephony::{
        AnsweredLeg, DialCallStatus, DialResult, Provider, Recording, RecordingKind, Speaker,
        Transcript, Utterance,
    };
    let golden_call =
        call::read_call(&golden(&[V1, "call-attributed-answered.json"].concat())).unwrap();
    assert_eq!(
        (
            golden_call.provider,
            golden_call.dial.is_none(),
            golden_call.first_time,
            golden_call.answered_legs.is_empty(),
            golden_call.conversation.is_empty(),
            golden_call.kind,
            golden_call.messages.is_empty(),
            golden_call.last_message_at,
        ),
        (
            Provider::Twilio,
            true,
            None,
            true,
            true,
            LeadKind::Call,
            true,
            None
        )
    );
    let mut r = golden_call;
    r.provider = Provider::Telnyx;
    r.routing = Some(RoutingInfo {
        rule: Some(2),
        name: "after hours".to_owned(),
        action: "voicemail".to_owned(),
        fallback: None,
    });
    r.dial = Some(DialResult {
        status: DialCallStatus::NoAnswer,
        duration_s: 0,
        leg: Some("CAleg".to_owned()),
        number: Some(e("+15125550100")),
        step: 1,
    });
    let recording = Recording {
        id: "RE1".to_owned(),
        url: "https://api.example/RE1".to_owned(),
        duration_s: 12,
        channels: 2,
        kind: RecordingKind::Call,
    };
    r.recording = Some(recording.clone());
    r.voicemail = Some(Recording {
        kind: RecordingKind::Voicemail,
        channels: 1,
        ..recording
    });
    r.transcript = Some(Transcript {
        id: "TR1".to_owned(),
        status: "completed".to_owned(),
        text: "Please call back".to_owned(),
    });
    r.first_time = Some(false);
    r.answered_legs = vec![AnsweredLeg {
        leg: "CAleg".to_owned(),
        number: e("+15125550100"),
        step: 1,
    }];
    r.conversation = vec![
        Utterance {
            seq: Some(1),
            speaker: Speaker::Caller,
            text: "Hello".to_owned(),
        },
        Utterance {
            seq: None,
            speaker: Speaker::Unknown,
            text: "Hi".to_owned(),
        },
    ];
    r.consent = Some(Tier::Session);
    let text = call::write_call(&r).unwrap();
    assert!(text.contains(r#""consent":"session""#), "{text}");
    assert!(text.contains(r#""status":"no-answer""#), "{text}");
    assert!(
        text.contains(r#""conversation":[{"seq":1,"speaker":"caller","text":"Hello"}"#),
        "{text}"
    );
    assert_eq!(call::read_call(&text).unwrap(), r);
    let row: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        row.get("kind"),
        None,
        "a call's row says nothing of its kind"
    );

    // A text conversation: its kind, its messages (a body only where the site keeps bodies).
    r.kind = LeadKind::Text;
    r.add_message(TextMessage {
        id: "SM1".to_owned(),
        at: 1_000,
        body: Some("Do you fix boilers?".to_owned()),
        media: 0,
    });
    r.add_message(TextMessage {
        id: "SM2".to_owned(),
        at: 2_000,
        body: None,
        media: 2,
    });
    let text = call::write_call(&r).unwrap();
    for part in [
        r#""kind":"text""#,
        r#""messages":[{"at":1000,"body":"Do you fix boilers?","id":"SM1","media":0},{"at":2000,"id":"SM2","media":2}]"#,
        r#""last_message_at":2000"#,
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    assert_eq!(call::read_call(&text).unwrap(), r);
    let unknown = text.replace(r#""kind":"text""#, r#""kind":"fax""#);
    assert!(
        call::read_call(&unknown).is_err(),
        "an unknown kind is an error"
    );
}

/// A sample row as this release writes it, exactly, and read back.
#[test]
fn sample_rows_round_trip() {
    let sample = dni_core::report::pool_history::Sample {
        at: 1_796_000_400_000,
        size: 12,
        leased: 5,
        cooling: 3,
        exhausted: 7,
        limited: 2,
    };
    let text = pool::write_sample(&sample).unwrap();
    assert_eq!(
        text,
        r#"{"at":1796000400000,"cooling":3,"exhausted":7,"leased":5,"limited":2,"size":12,"v":1}"#
    );
    assert_eq!(pool::read_sample(&text).unwrap(), sample);
}

/// The rows of the ad-platform release: a call's declared consent tier, Meta's `_fbp` and its
/// qualification (by an operator; by a rule), each read value by value and written back
/// unchanged; an unknown lead status or qualifier is an unreadable row.
#[test]
fn golden_qualified_call_rows() {
    use dni_core::qualification::{LeadStatus, QualifiedBy};
    // (file, tier, fbp, tags, status, value, by)
    type Row<'a> = (
        &'a str,
        Tier,
        Option<&'a str>,
        &'a [&'a str],
        LeadStatus,
        Option<f64>,
        QualifiedBy,
    );
    let table: [Row<'_>; 2] = [
        (
            "call-qualified-by-operator.json",
            Tier::Full,
            Some("fb.1.1796100600000.1234567890"),
            &["booked", "quote given"],
            LeadStatus::Good,
            Some(250.0),
            QualifiedBy::Operator,
        ),
        (
            "call-qualified-by-rule.json",
            Tier::Session,
            None,
            &["spam"],
            LeadStatus::Spam,
            None,
            QualifiedBy::Rule { index: 0 },
        ),
    ];
    for (file, tier, fbp, tags, status, value, by) in table {
        let text = golden(&["v1-ads/", file].concat());
        let r = call::read_call(&text).unwrap();
        let q = r.qualification.clone().unwrap();
        assert_eq!(r.consent, Some(tier), "{file}");
        assert_eq!(r.fbp.as_deref(), fbp, "{file}");
        assert_eq!(q.tags, tags, "{file}");
        assert_eq!(
            (q.status, q.value, q.by),
            (Some(status), value, by),
            "{file}"
        );
        assert_eq!(
            call::write_call(&r).unwrap(),
            text.trim_end(),
            "{file} rewritten"
        );
        for (from, to) in [
            (r#""status":"good""#, r#""status":"great""#),
            (r#""status":"spam""#, r#""status":"junk""#),
            (r#""by":"operator""#, r#""by":"robot""#),
            (r#""by":"rule""#, r#""by":"robot""#),
        ] {
            if text.contains(from) {
                let bad = text.replace(from, to);
                assert!(call::read_call(&bad).is_err(), "{file}: {to}");
            }
        }
    }
}

/// The lead's report columns (`r_lead_status`, `r_tags`: `json_extract` of the stored text at
/// `report::fields::LEAD_STATUS` and `TAGS`, added to existing logs by a migration that leaves
/// every row as it was) find in every golden call row what the row type reads: the status and
/// the tags of a qualified row, nothing in a row written before qualifications existed.
#[test]
fn golden_call_rows_fill_the_lead_columns() {
    use dni_core::report::fields::{LEAD_STATUS, TAGS};
    // (file, the lead status column, the tags column)
    type Row<'a> = (&'a str, Option<&'a str>, Option<&'a [&'a str]>);
    let table: &[Row<'_>] = &[
        ("v1-untagged/call-attributed-answered.json", None, None),
        ("v1-untagged/call-status-before-webhook.json", None, None),
        ("v1-untagged/call-static-missed.json", None, None),
        ("v1-texts/text-telnyx-static.json", None, None),
        ("v2-test-call/call-test-answered.json", None, None),
        (
            "v1-ads/call-qualified-by-operator.json",
            Some("good"),
            Some(&["booked", "quote given"]),
        ),
        (
            "v1-ads/call-qualified-by-rule.json",
            Some("spam"),
            Some(&["spam"]),
        ),
    ];
    for (file, status, tags) in table {
        let text = golden(file);
        let stored: serde_json::Value = serde_json::from_str(&text).unwrap();
        let column = |pointer: String| stored.pointer(&pointer).cloned();
        let read = call::read_call(&text).unwrap();
        let q = read.qualification.as_ref();
        assert_eq!(
            column(LEAD_STATUS.pointer())
                .as_ref()
                .and_then(|v| v.as_str()),
            *status,
            "{file}"
        );
        assert_eq!(
            q.and_then(|q| q.status).map(|s| s.as_str()),
            *status,
            "{file}"
        );
        let listed = column(TAGS.pointer()).map(|v| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        });
        let want = tags.map(|t| t.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>());
        assert_eq!(listed, want, "{file}");
        assert_eq!(q.map(|q| q.tags.clone()), want, "{file}");
    }
}

/// The outbox's settings row as the ad-platform release writes it: the Data Manager API's
/// settings (the default `api`, test mode, the opt-in hashed number), Meta's, the qualification
/// rules and a conversion that requires a qualification; read value by value and written back
/// unchanged.
#[test]
fn golden_ads_settings_row() {
    use dni_core::integrations::outbox::{read_send_settings, SendSettingsRow};
    use dni_core::integrations::settings::{GoogleAdsApi, Side};
    use dni_core::qualification::LeadStatus;
    let text = golden("v1-ads/outbox-settings-ads.json");
    let s = read_send_settings(&text).unwrap();
    let i = &s.integrations;
    i.validate().unwrap();
    let g = i.google_ads.as_ref().unwrap();
    assert_eq!(
        (g.api, g.validate_only, g.hashed_caller_number),
        (GoogleAdsApi::DataManager, true, true)
    );
    let m = i.meta.as_ref().unwrap();
    assert_eq!(
        (
            m.dataset_id.as_str(),
            m.event_name.as_str(),
            m.test_event_code.as_deref()
        ),
        ("1234567890", "Lead", Some("TEST123"))
    );
    assert_eq!(
        (i.qualify[0].side, i.qualify[0].status, i.qualify[0].value),
        (Side::Caller, Some(LeadStatus::Good), Some(200.0))
    );
    assert_eq!(
        (&i.conversions[0].tags_any, i.conversions[0].status),
        (&vec!["booked".to_owned()], Some(LeadStatus::Good))
    );
    assert_eq!(i.transcript_wait_s, Some(600));
    assert_eq!(
        serde_json::to_string(&SendSettingsRow::V2(s.clone())).unwrap(),
        text.trim_end()
    );
}

/// The outbox's delivery rows of a retraction (version 1 of `DeliveryRow`, the destination added
/// by the release that retracts Google Ads conversions): one sent through the legacy API, one
/// skipped on the Data Manager API with the reason; each read and written back unchanged.
#[test]
fn golden_retraction_delivery_rows() {
    use dni_core::integrations::outbox::{DeliveryRow, Destination, State};
    // (file, state, answer's start)
    let table = [
        (
            "delivery-google-ads-retraction.json",
            State::Delivered,
            "200",
        ),
        (
            "delivery-retraction-skipped.json",
            State::Skipped,
            "Google's Data Manager API cannot retract",
        ),
    ];
    for (file, state, answer) in table {
        let text = golden(&["v1-retraction/", file].concat());
        let row: DeliveryRow = serde_json::from_str(&text).unwrap();
        let d = row.clone().into_delivery();
        assert_eq!(d.destination, Destination::GoogleAdsRetraction, "{file}");
        assert_eq!(
            d.id,
            [d.call_id.as_str(), ".google_ads.retraction"].concat()
        );
        assert_eq!(d.state, state, "{file}");
        assert!(
            d.answer.as_deref().unwrap_or("").starts_with(answer),
            "{file}"
        );
        assert_eq!(
            serde_json::to_string(&row).unwrap(),
            text.trim_end(),
            "{file}"
        );
    }
}

/// The operators object's rows, version 1 (`v1-operators/`, written by hand in the writer's
/// format: keys sorted, tagged): keys and history entries read as the core's types; the rows
/// without a configuration are exactly what the writer writes; every one reads back the same
/// after a write. A configuration in a history row is the published configuration document, so
/// a history row stays readable as long as `PUT .../config` accepts what it holds.
#[test]
fn golden_operators_rows() {
    use super::operators::{read_entry, read_key, write_entry, write_key};
    use dni_core::access::Scope;
    use dni_core::history::Change;
    const DIR: &str = "v1-operators/";
    // (file, id, sites, scopes, revoked_at)
    type KeyRow<'a> = (&'a str, &'a str, &'a [&'a str], &'a [Scope], Option<u64>);
    let keys: [KeyRow; 2] = [
        (
            "key-live.json",
            "AbCdEf012345",
            &["client-x", "client-y"],
            &[Scope::Configure, Scope::Calls],
            None,
        ),
        (
            "key-revoked.json",
            "ZyXwVu987654",
            &["client-x"],
            &[],
            Some(1796100600000),
        ),
    ];
    for (file, id, sites, scopes, revoked_at) in keys {
        let text = golden(&[DIR, file].concat());
        let key = read_key(&text).unwrap();
        assert_eq!(key.id, id, "{file}");
        assert_eq!(key.sites, sites, "{file}");
        assert_eq!(key.scopes, scopes, "{file}");
        assert_eq!(key.revoked_at, revoked_at, "{file}");
        assert_eq!(key.hash.len(), 64, "{file}");
        assert_eq!(write_key(&key).unwrap(), text, "{file}");
    }
    // (file, version, by, change, the configuration's name when it has one)
    type EntryRow<'a> = (&'a str, u64, Option<&'a str>, &'a str, Option<&'a str>);
    let entries: [EntryRow; 5] = [
        ("history-found.json", 1, None, "found", Some("")),
        (
            "history-config.json",
            2,
            Some("key:AbCdEf012345"),
            "config",
            Some("Client X"),
        ),
        (
            "history-rollback.json",
            3,
            Some("admin"),
            "rollback",
            Some(""),
        ),
        (
            "history-key-created.json",
            4,
            Some("admin"),
            "key_created",
            None,
        ),
        (
            "history-key-revoked.json",
            5,
            Some("admin"),
            "key_revoked",
            None,
        ),
    ];
    for (file, version, by, change, config) in entries {
        let text = golden(&[DIR, file].concat());
        let entry = read_entry(&text).unwrap();
        assert_eq!(entry.site, "client-x", "{file}");
        assert_eq!(entry.version, version, "{file}");
        assert_eq!(entry.by.as_deref(), by, "{file}");
        assert_eq!(entry.change.name(), change, "{file}");
        // The API shows the row's shape, without its version tag.
        let shown = super::operators::shown(&entry).unwrap();
        assert_eq!(shown["change"], change, "{file}");
        assert_eq!(shown.get("v"), None, "{file}");
        assert_eq!(
            entry.change.config().map(|c| c.name.as_str()),
            config,
            "{file}"
        );
        let written = write_entry(&entry).unwrap();
        assert_eq!(read_entry(&written).unwrap(), entry, "{file}");
        if config.is_none() {
            assert_eq!(written, text, "{file}");
        }
        match &entry.change {
            Change::Rollback { from, .. } => assert_eq!(*from, 1),
            Change::KeyCreated { scopes, name, .. } => {
                assert_eq!(scopes, &[Scope::Configure, Scope::Calls]);
                assert_eq!(name, "Client X web agency");
            }
            _ => {}
        }
    }
    // Rows that do not read are errors, never defaults.
    let table = [
        r#"{"v":1,"id":"x","name":"","sites":[],"scopes":["root"],"hash":"","created_at":1,"created_by":"admin"}"#,
        r#"{"v":2,"id":"x"}"#,
        r#"{"v":1,"id":"x"}"#,
    ];
    for text in table {
        assert!(read_key(text).is_err(), "{text}");
    }
    let table = [
        r#"{"v":1,"site":"a","version":1,"at":1,"by":null,"change":"config"}"#,
        r#"{"v":1,"site":"a","version":1,"at":1,"by":null,"change":"rollback","config":{"id":"a","targets":[]}}"#,
        r#"{"v":1,"site":"a","version":1,"at":1,"by":null,"change":"teleport"}"#,
        r#"{"v":1,"site":"a","version":1,"at":1,"by":null,"change":"key_revoked"}"#,
    ];
    for text in table {
        assert!(read_entry(text).is_err(), "{text}");
    }
}

/// Text conversations as the release that introduced them stored them (copied from the call log's
/// SQLite after `tests/texts.test.mjs` ran): they read as texts, with their messages, and write
/// back to the same text.
#[test]
fn golden_text_rows() {
    use dni_core::call::{LeadKind, NumberKind};
    use dni_core::telephony::{CallStatus, Provider};
    // (file, provider, number kind, messages (id, media, body kept), forwarded to)
    type Row = (
        &'static str,
        Provider,
        NumberKind,
        &'static [(&'static str, u32, bool)],
        &'static str,
    );
    let table: &[Row] = &[
        (
            "text-pool-forwarded-two-messages.json",
            Provider::Twilio,
            NumberKind::Pool,
            &[("SM0001", 0, true), ("SM0002", 1, true)],
            "+12125550188",
        ),
        (
            "text-telnyx-static.json",
            Provider::Telnyx,
            NumberKind::Static,
            &[("msg-0001", 0, true)],
            "+12125550188",
        ),
    ];
    for (file, provider, number_kind, messages, forwarded) in table {
        let text = golden(&["v1-texts/", file].concat());
        let r = call::read_call(&text).unwrap();
        assert_eq!(r.kind, LeadKind::Text, "{file}");
        assert_eq!(r.status, CallStatus::Received, "{file}");
        assert_eq!(
            (r.provider, r.number_kind),
            (*provider, *number_kind),
            "{file}"
        );
        let got: Vec<(&str, u32, bool)> = r
            .messages
            .iter()
            .map(|m| (m.id.as_str(), m.media, m.body.is_some()))
            .collect();
        assert_eq!(got, *messages, "{file}");
        assert_eq!(r.last_message_at, r.messages.last().map(|m| m.at), "{file}");
        assert_eq!(
            r.forwarded_to.as_ref().map(|n| n.as_str()),
            Some(*forwarded)
        );
        let written: serde_json::Value =
            serde_json::from_str(&call::write_call(&r).unwrap()).unwrap();
        let stored: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(written, stored, "{file}: written back the same");
    }
}
