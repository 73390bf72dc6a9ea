//! The loader sends the first lease request before the module exists, so it writes some of
//! `dni_core::wire`'s names and limits in JavaScript. This runs the loader (`loader_request.mjs`:
//! the loader itself in a stand-in browser, with node) on a table of pages and parses what it sends
//! with the worker's own request type, which refuses unknown fields: a storage key, a body field or
//! a limit changed on one side only fails here. (The Chromium tests then prove the worker accepts
//! what the loader sends, end to end.)
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

use dni_core::api::{GaCookies, LeaseRequest, NumbersRequest, Page};
use dni_core::attribution::{Journey, RawTouch};
use dni_core::consent::{self, Tier};
use dni_core::{classify, wire};
use serde_json::{json, Value};

const NOW: u64 = 1_765_000_000_000;
const LEASES: &str = "https://worker.example/v1/sites/shop/leases";
const PUBLIC: &str = "https://worker.example/v1/sites/shop/public";
const NUMBERS: &str = "https://worker.example/v1/sites/shop/numbers";

/// One request the loader sent.
#[derive(Debug, serde::Deserialize)]
struct Sent {
    method: String,
    url: String,
    body: Option<String>,
}

/// What the stand-in prints: the requests the loader sent, and what it stored.
#[derive(Debug, serde::Deserialize)]
struct Ran {
    href: String,
    sent: Vec<Sent>,
    scans: Vec<String>,
    /// The texts the module was asked about (a text node's, or a block's for a split number).
    asked: Vec<String>,
    local: std::collections::BTreeMap<String, String>,
    /// How often the page read `document.cookie`.
    cookie_reads: u32,
}

/// Runs the loader on `page` and returns what it sent.
fn run(page: &Value) -> Vec<Sent> {
    ran(page).sent
}

/// Runs the loader on `page`: what it sent and stored.
fn ran(page: &Value) -> Ran {
    ran_all(std::slice::from_ref(page)).remove(0)
}

/// Runs the loader on each of `pages` (in one node process), in order.
fn ran_all(pages: &[Value]) -> Vec<Ran> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/loader_request.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(Value::from(pages.to_vec()).to_string())
        .output()
        .expect("node runs (the project's setup installs it)");
    assert!(
        out.status.success(),
        "the loader failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the stand-in prints JSON")
}

/// The one lease request `page` makes the loader send, read as the worker reads it.
fn lease_request(page: &Value) -> LeaseRequest {
    let sent = run(page);
    assert_eq!(sent.len(), 1, "one request: {sent:?}");
    assert_eq!(
        (sent[0].method.as_str(), sent[0].url.as_str()),
        ("POST", LEASES)
    );
    let body = sent[0].body.as_deref().expect("a body");
    assert!(body.len() <= wire::MAX_BODY);
    let request: LeaseRequest =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("the worker cannot read {body}: {e}"));
    if let Err(e) = request.validate() {
        panic!("the worker refuses {body}: {e:?}");
    }
    request
}

fn touch(landing: &str, referrer: &str, at: u64) -> RawTouch {
    RawTouch {
        landing: landing.into(),
        referrer: referrer.into(),
        at,
    }
}

/// A returning visitor's stored session, journey and leases, under the wire's keys.
fn storage(session_at: u64, journey: &str, leases: &Value) -> Value {
    json!({
        wire::SESSION_KEY: format!("returning_visitor_01|{session_at}"),
        wire::JOURNEY_KEY: journey,
        wire::LEASES_KEY: leases.to_string(),
    })
}

#[test]
fn the_loaders_first_request_is_what_the_worker_reads() {
    let first = touch("https://shop.example/?utm_source=news", "", NOW - 9_000);
    let views = [touch(
        "https://shop.example/b?gclid=7",
        "https://www.google.com/",
        NOW - 4_000,
    )];
    let journey = wire::journey_json(&Some(first.clone()), &views);
    // Every click id the core lists is kept as written; any other parameter is left out.
    let click_ids: Vec<String> = classify::CLICK_ID_NAMES
        .split('|')
        .map(|name| format!("{name}=c"))
        .collect();
    let query = format!(
        "utm_source=ads&email=a%40b.example&{}&ref=x",
        click_ids.join("&")
    );
    let page = json!({
        "now": NOW,
        // An "@" in the path (twice encoded) is the redaction's to decide: the first request sends "/".
        "href": format!("https://shop.example/u/a%2540b.example/?{query}"),
        "referrer": "https://www.google.com/search?q=shop",
        // Tails: the last TAIL_DIGITS digits of each long run, separators ignored, each once;
        // a run shorter than TAIL_DIGITS is no number; a stored live lease's number is not asked for.
        "text": ["Call +1 (555) 010-2345 or 555.010.2345", "fax 12345", "Sales 0800 555 0000"],
        "tel": ["tel:+15550109999", "tel:+15557654321"],
        "cookie": "other=1; _ga=GA1.1.11.22; _ga_ABC123=GS1.1.33; _fbp=fb.1.1765000000000.123456789",
        "storage": storage(
            NOW - wire::SESSION_IDLE_MS + 1_000,
            &journey,
            &json!([
                {"target": "+15557654321", "lease": "p.0.a", "expires_at": NOW + 60_000},
                // Expired: its number is asked for again.
                {"target": "+18005550000", "lease": "p.0.b", "expires_at": NOW - 1},
            ]),
        ),
    });
    let want = LeaseRequest {
        session: "returning_visitor_01".into(),
        targets: vec![],
        tails: vec!["0102345".into(), "5550000".into(), "0109999".into()],
        page: Page {
            url: format!(
                "https://shop.example/?utm_source=ads&{}",
                click_ids.join("&")
            ),
            referrer: "https://www.google.com/".into(),
        },
        journey: Journey {
            first: Some(first),
            last: None,
        },
        views: views.to_vec(),
        ga: Some(GaCookies {
            client: "GA1.1.11.22".into(),
            session: "GS1.1.33".into(),
        }),
        leases: vec![],
        // The tier the loader can tell (no signal, no Global Privacy Control): declared.
        consent: Some(dni_core::consent::Tier::Full),
        // Meta's browser id, at the full tier (which the worker keeps only with `consent: full`).
        fbp: Some("fb.1.1765000000000.123456789".into()),
    };
    assert_eq!(lease_request(&page), want);
}

/// The page's `i`th number, and its tail.
fn number(i: usize) -> (String, String) {
    let tail = format!("{:07}", 1_000_000 + i);
    (format!("+1555{tail}"), tail)
}

#[test]
fn the_loaders_first_request_by_page() {
    // (name, page, what the request must say)
    type Check = fn(&LeaseRequest);
    let cases: [(&str, Value, Check); 8] = [
        (
            "a session idle longer than SESSION_IDLE_MS is a new one (22 random characters)",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"],
                   "storage": storage(NOW - wire::SESSION_IDLE_MS - 1, "{}", &json!([]))}),
            |r| {
                assert_ne!(r.session, "returning_visitor_01");
                assert_eq!(r.session.len(), 22);
                assert!(r.session.len() <= wire::MAX_SESSION);
            },
        ),
        (
            "a new visitor: no journey, no views, no GA cookies",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"]}),
            |r| {
                assert_eq!(r.journey, Journey::default());
                assert!(r.views.is_empty());
                assert_eq!(r.ga, None);
                assert_eq!(r.consent, Some(dni_core::consent::Tier::Full));
                assert_eq!(r.page.referrer, "");
            },
        ),
        (
            "Global Privacy Control: session storage, and no GA or Meta cookies",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"], "gpc": true,
                   "cookie": "_ga=GA1.1.11.22; _fbp=fb.1.2.3",
                   "storage": storage(NOW - 1, "{}", &json!([]))}),
            |r| {
                assert_eq!(r.session, "returning_visitor_01");
                assert_eq!(r.ga, None);
                assert_eq!(r.fbp, None);
                assert_eq!(r.consent, Some(dni_core::consent::Tier::Session));
            },
        ),
        (
            "a site that declares the session tier: asked early too, and no GA or Meta cookies",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"], "consent": "session",
                   "cookie": "_ga=GA1.1.11.22; _fbp=fb.1.2.3"}),
            |r| {
                assert_eq!(r.tails, vec!["0102345".to_string()]);
                assert_eq!(r.ga, None);
                assert_eq!(r.fbp, None);
            },
        ),
        (
            "at most MAX_TAILS tails",
            json!({"now": NOW, "href": "https://shop.example/",
                   "text": (0..wire::MAX_TAILS + 4).map(|i| number(i).0).collect::<Vec<_>>()}),
            |r| {
                let want: Vec<String> = (0..wire::MAX_TAILS).map(|i| number(i).1).collect();
                assert!(want.iter().all(|t| t.len() == wire::TAIL_DIGITS));
                assert_eq!(r.tails, want);
            },
        ),
        (
            "digits in the page's scripts are not read; the number in its text is",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["Call 555 010 2345"],
                   "scripts": ["fbq('init', '98765432109');", "{\"telephone\": \"+1 555 010 9999\"}"]}),
            |r| assert_eq!(r.tails, vec!["0102345".to_string()]),
        ),
        (
            "the Cookie Store API where the page has it: the same GA and Meta ids",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"], "cookieStore": true,
                   "cookie": "other=1; _ga=GA1.1.11.22; _ga_ABC123=GS1.1.33; _fbp=fb.1.2.3"}),
            |r| {
                assert_eq!(
                    r.ga,
                    Some(GaCookies {
                        client: "GA1.1.11.22".into(),
                        session: "GS1.1.33".into()
                    })
                );
                assert_eq!(r.fbp.as_deref(), Some("fb.1.2.3"));
            },
        ),
        (
            "a GA cookie longer than MAX_COOKIE is cut to it",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"],
                   "cookie": format!("_ga={}", "9".repeat(wire::MAX_COOKIE + 10))}),
            |r| {
                let ga = r.ga.as_ref().expect("the cookie is sent");
                assert_eq!(ga.client, "9".repeat(wire::MAX_COOKIE));
                assert_eq!(ga.session, "");
            },
        ),
    ];
    for (name, page, check) in cases {
        eprintln!("{name}");
        check(&lease_request(&page));
    }
}

#[test]
fn the_loaders_tails_name_every_number_the_core_finds() {
    // (what the page shows, in its text or as a tel: link; the site's number in it)
    let rows = [
        ("(212) 555-0100", "+12125550100"),
        ("212.555.0100", "+12125550100"),
        ("+1 212-555-0100", "+12125550100"),
        ("1 (212) 555 0100", "+12125550100"),
        ("Call +12125550100 now", "+12125550100"),
        ("212/555-0100", "+12125550100"),
        ("030/12345678", "+493012345678"),
        ("(212) 555-0100x12", "+12125550100"),
        ("\u{ff12}\u{ff11}\u{ff12}\u{2010}\u{ff15}\u{ff15}\u{ff15}\u{2010}\u{ff10}\u{ff11}\u{ff10}\u{ff10}", "+12125550100"),
        ("\u{ff10}\u{ff13}\u{ff0d}\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff0d}\u{ff15}\u{ff16}\u{ff17}\u{ff18}", "+81312345678"),
        ("tel:+12125550100", "+12125550100"),
        ("tel:%2B1%20212%20555%200100", "+12125550100"),
        ("tel:(212)%20555-0100", "+12125550100"),
    ];
    let pages: Vec<Value> = rows
        .iter()
        .map(|(shown, _)| match shown.strip_prefix("tel:") {
            Some(_) => json!({"now": NOW, "href": "https://shop.example/", "tel": [shown]}),
            None => json!({"now": NOW, "href": "https://shop.example/", "text": [shown]}),
        })
        .collect();
    for ((shown, number), ran) in rows.iter().zip(ran_all(&pages)) {
        let number = dni_core::phone::E164::parse(number).expect("a number");
        let found = dni_core::phone::find(
            shown.trim_start_matches("tel:"),
            std::slice::from_ref(&number),
        );
        assert!(!found.is_empty(), "the core finds {number:?} in {shown:?}");
        let body = ran
            .sent
            .first()
            .and_then(|s| s.body.as_deref())
            .unwrap_or("{}");
        let request: Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(
            request["tails"],
            json!([wire::tail(number.digits())]),
            "{shown:?}"
        );
    }
    // Runs of fewer digits are no number: nothing is asked.
    let short = ["fax 12345", "Item 12 costs $7.99", "0100", "555-010"];
    let pages: Vec<Value> = short
        .iter()
        .map(|text| json!({"now": NOW, "href": "https://shop.example/", "text": [text]}))
        .collect();
    for (text, ran) in short.iter().zip(ran_all(&pages)) {
        assert!(
            ran.sent.iter().all(|s| !s.url.ends_with("/leases")),
            "{text:?}: {:?}",
            ran.sent
        );
    }
}

#[test]
fn the_loader_reads_cookies_only_at_full_and_without_blocking_where_it_can() {
    // document.cookie is a synchronous request to the browser's cookie store: where the page has
    // the Cookie Store API it is never read. At the full tier the cookies are read when the loader
    // starts and when the page's client does (GA may have set its cookie since); below it never.
    let config = json!({ "targets": ["+15550102345"] }).to_string();
    // (name, Cookie Store API: true, false or "rejects", consent declared, reads of document.cookie)
    let cases = [
        ("full, with the Cookie Store API", json!(true), "full", 0),
        (
            "full, without it: at the loader's start and the client's",
            json!(false),
            "full",
            2,
        ),
        (
            "full, the Cookie Store API refusing: document.cookie",
            json!("rejects"),
            "full",
            2,
        ),
        ("session: never", json!(false), "session", 0),
        ("none: never", json!(false), "none", 0),
    ];
    let pages: Vec<Value> = cases
        .iter()
        .map(|(_, store, consent, _)| {
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"],
                   "module": true, "cookieStore": store, "consent": consent,
                   "cookie": "_ga=GA1.1.11.22; _fbp=fb.1.2.3",
                   "storage": {wire::CONFIG_KEY: config}})
        })
        .collect();
    for ((name, _, consent, reads), ran) in cases.iter().zip(ran_all(&pages)) {
        assert_eq!(ran.cookie_reads, *reads, "{name}");
        assert_eq!(ran.sent.len(), 1, "{name}: the first request");
        // At full the GA id is sent however the cookies were read; below it never.
        let body = ran.sent[0].body.as_deref().unwrap_or_default();
        assert_eq!(
            body.contains("GA1.1.11.22"),
            *consent == "full",
            "{name}: {body}"
        );
    }
}

/// (name, page, what the loader sends: method and URL)
type Waits = (&'static str, Value, &'static [(&'static str, &'static str)]);

#[test]
fn the_loader_waits_for_the_module_when_it_has_nothing_to_ask() {
    let covered = json!([{"target": "+15550102345", "lease": "p.0.a", "expires_at": NOW + 60_000}]);
    let cases: [Waits; 4] = [
        (
            "no number on the page: the site's configuration",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["12345"]}),
            &[("GET", PUBLIC)],
        ),
        (
            "an automated browser",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"], "webdriver": true}),
            &[("GET", PUBLIC)],
        ),
        (
            "every number covered by a stored lease",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"],
                   "storage": storage(NOW - 1, "{}", &covered)}),
            &[("GET", PUBLIC)],
        ),
        (
            "covered, with the stored configuration: nothing to ask",
            json!({"now": NOW, "href": "https://shop.example/", "text": ["555 010 2345"],
                   "storage": {wire::LEASES_KEY: covered.to_string(), wire::CONFIG_KEY: "{}"}}),
            &[],
        ),
    ];
    for (name, page, want) in cases {
        let sent: Vec<(String, String)> =
            run(&page).into_iter().map(|s| (s.method, s.url)).collect();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(m, u)| ((*m).into(), (*u).into()))
            .collect();
        assert_eq!(sent, want, "{name}");
    }
}

/// The page's client, which the loader keeps once the module has arrived (the stand-in above stops
/// before): the views it keeps, the longest lease id it takes, the heartbeat's bounds, and the
/// stored leases' and the answers' fields, as the loader writes them. (The Chromium tests prove the
/// worker accepts the requests it sends.)
#[test]
fn the_loaders_client_uses_the_wire_formats_names_and_limits() {
    const LOADER: &str = include_str!("../js/loader.js");
    let mut want = vec![
        format!("views.slice(-{})", wire::MAX_VIEWS),
        format!("e.lease.length <= {}", wire::MAX_LEASE),
        // (`{:e}` writes 60000 as `6e4`, as the loader does.)
        format!(
            "Math.min(Math.max(num(answer.heartbeat_ms) === undefined ? {max:e} : num(answer.heartbeat_ms), {min:e}), {max:e})",
            max = wire::HEARTBEAT_MS as f64,
            min = wire::MIN_HEARTBEAT_MS as f64,
        ),
    ];
    for field in [
        "target: s.t, number: s.n, lease: s.l, expires_at: s.x",
        "e.target",
        "e.number",
        "e.expires_at",
        "answer.numbers",
        "parsed.redact_params",
        "parsed.targets",
        "[\"session\", \"journey\", \"leases\", \"config\"]",
    ] {
        want.push(field.into());
    }
    for w in &want {
        assert!(LOADER.contains(w.as_str()), "the loader does not use {w:?}");
    }
}

/// The page's digits, for a first request.
const SHOWN: &str = "555 010 2345";

#[test]
fn the_loaders_tier_is_the_cores() {
    // The site's signals the core reads, and some it does not (each as `data-consent`), with and
    // without Global Privacy Control and Google Consent Mode.
    let sites = [
        None,
        Some(""),
        Some("full"),
        Some(" Session "),
        Some("NONE"),
        Some("denied"),
        Some("granted"),
        Some("0"),
        Some("1"),
        Some("true"),
        Some("false"),
        Some("nonsense"),
        Some("\u{a0}none\u{3000}"),
        Some("\u{feff}none"),
    ];
    let modes = [None, Some("granted"), Some("denied"), Some("nonsense")];
    let mut signals = Vec::new();
    for site in sites {
        for gpc in [false, true] {
            for mode in modes {
                signals.push(consent::Signals {
                    site,
                    gpc,
                    analytics_storage: mode,
                });
            }
        }
    }
    let pages: Vec<Value> = signals
        .iter()
        .map(|s| {
            json!({"now": NOW, "href": "https://shop.example/", "text": [SHOWN],
                   "consent": s.site, "gpc": s.gpc, "consentMode": s.analytics_storage})
        })
        .collect();
    for (s, ran) in signals.iter().zip(ran_all(&pages)) {
        let want = consent::tier(*s);
        let what = format!(
            "{:?} gpc={} consent mode={:?}: {want:?}",
            s.site, s.gpc, s.analytics_storage
        );
        let sent = ran.sent;
        assert_eq!(sent.len(), 1, "{what}: one request, at once");
        let body = sent[0].body.as_deref().unwrap_or_default();
        match want {
            Tier::None => assert_eq!(sent[0].url, NUMBERS, "{what}"),
            tier => {
                assert_eq!(sent[0].url, LEASES, "{what}");
                let request: LeaseRequest = serde_json::from_str(body).expect("JSON");
                assert_eq!(request.consent, Some(tier), "{what}");
            }
        }
    }
}

#[test]
fn the_loaders_first_request_without_consent_is_anonymous() {
    // Every click id the core lists, with a value; the ids themselves never leave the page.
    let click_ids: Vec<String> = classify::CLICK_ID_NAMES
        .split('|')
        .map(|name| format!("{name}=SECRET"))
        .collect();
    let every = format!(
        "https://shop.example/p?{}&utm_source=a",
        click_ids.join("&")
    );
    let hrefs = [
        "https://shop.example/a/b?utm_source=news&utm_medium=email&gclid=SECRET&user=7#frag",
        "https://Shop.Example:8443/x?GCLID=SECRET&Utm_source=no&utm_campaign=&utm_term&fbclid=&msclkid=%20",
        "http://[::1]:8787/p?wbraid=SECRET&a=b=c&utm_content=a=b&&utm%5Fsource=x",
        "https://shop.example./?gad_source=SECRET",
        "https://shop.example/u/jane@example.com?email=jane%40example.com",
        "https://shop.example/?",
        "https://shop.example/",
        every.as_str(),
    ];
    let pages: Vec<Value> = hrefs
        .iter()
        .map(|href| {
            json!({"now": NOW, "href": href, "text": [SHOWN], "consent": "none",
                   "referrer": "https://www.google.com/search?q=shop",
                   "cookie": "_ga=GA1.1.11.22; _fbp=fb.1.2.3",
                   "storage": storage(NOW - 1, "{}", &json!([]))})
        })
        .collect();
    for (href, ran) in hrefs.iter().zip(ran_all(&pages)) {
        assert_eq!(ran.sent.len(), 1, "{href}");
        let sent = &ran.sent[0];
        assert_eq!((sent.method.as_str(), sent.url.as_str()), ("POST", NUMBERS));
        let body = sent.body.as_deref().expect("a body");
        let request: NumbersRequest = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("the worker cannot read {body}: {e}"));
        assert!(request.validate().is_ok(), "the worker refuses {body}");
        assert_eq!(request.tails, vec!["0102345".to_string()]);
        // The landing as the core reduces it for this tier, the referrer's origin.
        assert_eq!(
            request.page,
            Page {
                url: classify::anonymous_landing(&ran.href),
                referrer: "https://www.google.com/".into(),
            },
            "{href}"
        );
        for never in ["SECRET", "returning_visitor", "GA1", "fb.1", "jane"] {
            assert!(!body.contains(never), "{href}: {body}");
        }
    }
}

#[test]
fn the_views_the_loader_keeps_are_the_cores_touches() {
    // (landing, referrer): the page's client keeps the view for the worker when the core's
    // `wire::may_be_touch` says it may be a touch.
    let cases = [
        ("https://shop.example/", ""),
        ("https://shop.example/?x=1", ""),
        ("https://shop.example/?", ""),
        ("https://shop.example/a#at?x", ""),
        (
            "https://shop.example/a",
            "https://www.google.com/search?q=1",
        ),
        ("https://shop.example/a", "https://shop.example/b"),
        ("https://shop.example/a", "https://shop.example:8443/b"),
        ("https://shop.example/a", "http://shop.example/b"),
        ("https://shop.example/a", "https://sub.shop.example/"),
        ("https://shop.example./a", "https://shop.example/"),
        ("http://[::1]:8787/", "http://[::1]:9999/"),
    ];
    let config = json!({"targets": ["+15550102345"]}).to_string();
    let covered = json!([{"target": "+15550102345", "number": "+15550109999", "lease": "p.0.a", "expires_at": NOW + 60_000}]);
    let mut kept_some = false;
    let pages: Vec<Value> = cases
        .iter()
        .map(|(landing, referrer)| {
            json!({"now": NOW, "href": landing, "referrer": referrer, "text": [SHOWN],
                   "module": true,
                   "storage": {wire::CONFIG_KEY: config, wire::LEASES_KEY: covered.to_string()}})
        })
        .collect();
    for ((landing, referrer), ran) in cases.iter().zip(ran_all(&pages)) {
        assert!(
            ran.sent.is_empty(),
            "{landing}: a returning visitor's page asks nothing"
        );
        let journey: Value = serde_json::from_str(&ran.local[wire::JOURNEY_KEY]).expect("JSON");
        // The current view is the new visitor's first.
        let view: RawTouch = serde_json::from_value(journey["first"].clone()).expect("a view");
        let views: Vec<RawTouch> =
            serde_json::from_value(journey.get("views").cloned().unwrap_or(json!([])))
                .expect("views");
        let want = wire::may_be_touch(&view);
        assert_eq!(
            views == [view.clone()],
            want,
            "{landing} from {referrer:?}: {view:?}"
        );
        kept_some |= want;
    }
    assert!(kept_some);
}

#[test]
fn the_loader_hands_the_module_every_text_that_may_show_a_number() {
    // The page's client finds the texts that may show one of the site's numbers in the root's
    // text as one string, then the text nodes those places start in. (the page's text nodes,
    // those the module is asked about)
    let rows: [(&[&str], &[&str]); 6] = [
        (&["Call 555 010 0100"], &["Call 555 010 0100"]),
        (
            &["Call 555 010 0100", " or ", "555 010 0100"],
            &["Call 555 010 0100", "555 010 0100"],
        ),
        (&["0100 and again 0100"], &["0100 and again 0100"]),
        // A match that begins in one node (whose own text shows none) runs into the next, whose
        // own text shows one from its first character: that one is still asked about.
        (&["x 010", "0 100"], &["0 100"]),
        // The end of a number split over two nodes: neither shows it (as before).
        (&["0 1", "00"], &[]),
        (&["price 12.99", "item 4711"], &[]),
    ];
    let config = json!({ "targets": ["+15550100100"] }).to_string();
    let pages: Vec<Value> = rows
        .iter()
        .map(|(texts, _)| {
            json!({"now": NOW, "href": "https://shop.example/", "text": texts, "module": true,
                   "storage": {wire::CONFIG_KEY: config}})
        })
        .collect();
    for ((texts, want), ran) in rows.iter().zip(ran_all(&pages)) {
        // (Not the blocks' texts a text that shows no whole number is then read with.)
        let mut asked: Vec<&str> = ran
            .asked
            .iter()
            .map(String::as_str)
            .filter(|a| texts.contains(a))
            .collect();
        asked.dedup();
        assert_eq!(asked, *want, "{texts:?}");
    }
}

#[test]
fn the_numbers_the_loader_takes_are_the_cores_e164() {
    // The site's targets as its configuration lists them: the page's client looks only for those
    // that are E.164 (`dni_core::phone::E164::parse`), and takes from an answer only such numbers.
    let candidates = [
        "+12125550100",
        "+1212555010",
        "+121255501",
        "+123456789012345",
        "+1234567890123456",
        "+02125550100",
        "12125550100",
        "+1 212 555 0100",
        "+1212555010x",
        "+１２１２５５５０１００",
        "+12125550100\n",
        "",
        "+",
        "<b>+12125550100</b>",
        "+442079460000",
    ];
    let mut targets: Vec<Value> = candidates.iter().map(|c| json!(c)).collect();
    targets.push(json!(12125550100u64));
    targets.push(json!(null));
    targets.push(json!(["+12125550100"]));
    let config = json!({ "targets": targets }).to_string();
    // (A text that may show one of them: the module is asked about it with the targets.)
    let page = json!({"now": NOW, "href": "https://shop.example/", "module": true,
                      "text": ["Call +1 212 555 0100"],
                      "storage": {wire::CONFIG_KEY: config}});
    let ran = ran(&page);
    let want: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| dni_core::phone::E164::parse(c).is_ok())
        .collect();
    assert_eq!(want.len(), 5, "the table holds numbers of both kinds");
    assert_eq!(
        ran.scans.first().map(String::as_str),
        Some(want.join(" ").as_str())
    );
}
