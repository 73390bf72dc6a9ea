use super::*;
use crate::phone::E164;

const DEMO: &str = r#"{
    "id": "demo",
    "origins": ["http://127.0.0.1:8787"],
    "targets": [{"number": "+12125550100", "pool": "visitors"}],
    "pools": [{"id": "visitors", "numbers": ["+12125550101", "+12125550102"]}],
    "static_numbers": [{"number": "+12125550199", "target": "+12125550100", "channel": "Email", "source": "signature"}]
}"#;

fn edited(from: &str, to: &str) -> String {
    assert!(DEMO.contains(from), "{from}");
    DEMO.replacen(from, to, 1)
}

#[test]
fn validates_configurations() {
    // (configuration, expected error's start, or "" when valid)
    let table: Vec<(String, &str)> = vec![
        (DEMO.to_owned(), ""),
        (edited(r#""id": "demo""#, r#""id": "Demo Site""#), "id must"),
        (
            edited("+12125550102", "+12125550101"),
            "number +12125550101 appears twice",
        ),
        (
            edited(r#""pool": "visitors""#, r#""pool": "nope""#),
            "target +12125550100 names an unknown pool",
        ),
        (edited("http://127.0.0.1:8787", "127.0.0.1"), "origin"),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "time_zone": "Mars/Olympus","#,
            ),
            "time_zone \"Mars/Olympus\" is not an IANA time zone",
        ),
        (
            edited(
                r#""numbers": ["+12125550101", "+12125550102"]"#,
                r#""numbers": []"#,
            ),
            "pool visitors has no numbers",
        ),
        (
            edited(r#""target": "+12125550100""#, r#""target": "+12125550111""#),
            "static number",
        ),
        (
            edited("+12125550199", "+12125550100"),
            "number +12125550100 appears twice",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "redact_params": ["ref_email", "Client-Name"],"#,
            ),
            "",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "redact_params": ["utm_source"],"#,
            ),
            "redact_params: \"utm_source\" is a UTM tag",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "redact_params": ["GCLID"],"#,
            ),
            "redact_params: \"GCLID\" is a UTM tag or a click id",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "redact_params": [""],"#,
            ),
            "redact_params: \"\" must be",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "redact_params": ["a&b"],"#,
            ),
            "redact_params: \"a&b\" must be",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "redact_params": ["a b"],"#,
            ),
            "redact_params: \"a b\" must be",
        ),
        (
            edited(
                r#""id": "demo","#,
                &format!(
                    r#""id": "demo", "redact_params": [{}"x"],"#,
                    r#""x","#.repeat(32)
                ),
            ),
            "redact_params lists at most 32",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "report_caller_digits": 15,"#,
            ),
            "",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "report_caller_digits": 16,"#,
            ),
            "report_caller_digits must be 0 to 15",
        ),
        (
            edited(r#""id": "demo","#, r#""id": "demo", "retention_days": 1,"#),
            "",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "retention_days": 3650,"#,
            ),
            "",
        ),
        (
            edited(r#""id": "demo","#, r#""id": "demo", "retention_days": 0,"#),
            "retention_days must be 1 to 3650",
        ),
        (
            edited(
                r#""id": "demo","#,
                r#""id": "demo", "retention_days": 3651,"#,
            ),
            "retention_days must be 1 to 3650",
        ),
    ];
    for (json, want) in table {
        let config: SiteConfig =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        match config.validate() {
            Ok(()) => assert_eq!(want, "", "{json}"),
            Err(ConfigError(m)) => {
                assert!(!want.is_empty() && m.starts_with(want), "{json}: {m}")
            }
        }
    }
}

#[test]
fn splits_a_pool_into_shards() {
    let json = edited(
        r#""id": "visitors", "#,
        r#""id": "visitors", "shards": 2, "#,
    );
    let config: SiteConfig = serde_json::from_str(&json).unwrap();
    let pool = config.pool("visitors").unwrap();
    let n = |s: &str| E164::parse(s).unwrap();
    assert_eq!(pool.shard_numbers(0), vec![n("+12125550101")]);
    assert_eq!(pool.shard_numbers(1), vec![n("+12125550102")]);
    assert_eq!(pool.shard_of_number(&n("+12125550102")), Some(1));
    assert_eq!(pool.shard_of_number(&n("+12125550199")), None);
    // Sessions spread over both shards, each always to the same one.
    let shards: Vec<u32> = (0..100)
        .map(|i| pool.shard_of_session(&format!("session-{i:04}-abcdefgh")))
        .collect();
    assert!(
        shards.iter().filter(|s| **s == 0).count() > 30
            && shards.iter().filter(|s| **s == 1).count() > 30
    );
    assert_eq!(pool.shard_of_session("session-0001-abcdefgh"), shards[1]);
}

#[test]
fn orders_the_shards_to_ask() {
    let json = edited(
        r#""id": "visitors", "#,
        r#""id": "visitors", "shards": 3, "#,
    )
    .replace(r#""+12125550102""#, r#""+12125550102", "+12125550103""#);
    let config: SiteConfig = serde_json::from_str(&json).unwrap();
    let pool = config.pool("visitors").unwrap();
    let session = "session-0001-abcdefgh";
    let home = pool.shard_of_session(session);
    let next = |k: u32| (home + k) % 3;
    let token = "abcdefghijklmnopqrstuv";
    // (leases the page holds, shards to ask in turn)
    let table: Vec<(Vec<String>, Vec<u32>)> = vec![
        (vec![], vec![home, next(1), next(2)]),
        (
            vec![format!("visitors.{}.{token}", next(2))],
            vec![next(2), home, next(1)],
        ),
        (
            vec![format!("visitors.{home}.{token}")],
            vec![home, next(1), next(2)],
        ),
        // Another pool's lease, a shard the pool does not have, a malformed id: ignored.
        (
            vec![format!("other.{}.{token}", next(1))],
            vec![home, next(1), next(2)],
        ),
        (
            vec![format!("visitors.7.{token}")],
            vec![home, next(1), next(2)],
        ),
        (vec!["visitors.1".to_owned()], vec![home, next(1), next(2)]),
    ];
    for (leases, want) in table {
        assert_eq!(pool.shard_order(session, &leases), want, "{leases:?}");
    }
    // A pool of many shards: four asked at most, the session's own first.
    let many = edited(r#""id": "visitors", "#, r#""id": "visitors", "shards": 8, "#).replace(
        r#""+12125550102""#,
        r#""+12125550102", "+12125550103", "+12125550104", "+12125550105", "+12125550106", "+12125550107", "+12125550108""#,
    );
    let config: SiteConfig = serde_json::from_str(&many).unwrap();
    let pool = config.pool("visitors").unwrap();
    let home = pool.shard_of_session(session);
    let want: Vec<u32> = (0..4).map(|i| (home + i) % 8).collect();
    assert_eq!(pool.shard_order(session, &[]), want);
    let single = edited("", "");
    let config: SiteConfig = serde_json::from_str(&single).unwrap();
    let pool = config.pool("visitors").unwrap();
    assert_eq!(
        pool.shard_order(session, &[format!("visitors.0.{token}")]),
        vec![0]
    );
}

#[test]
fn rejects_bad_numbers_when_reading() {
    let bad = edited("+12125550101", "212-555-0101");
    assert!(serde_json::from_str::<SiteConfig>(&bad).is_err());
}

#[test]
fn writes_kv_entries_and_finds_stale_ones() {
    let config: SiteConfig = serde_json::from_str(DEMO).unwrap();
    let keys: Vec<String> = config
        .kv_entries()
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        keys,
        [
            "site:demo",
            "number:+12125550101",
            "number:+12125550102",
            "number:+12125550199"
        ]
    );
    let smaller: SiteConfig = serde_json::from_str(&edited(r#", "+12125550102""#, "")).unwrap();
    assert!(
        !config.kv_entries().unwrap()[0].1.contains("shards"),
        "the default is not written"
    );
    assert_eq!(smaller.stale_number_keys(&config), ["number:+12125550102"]);
}
