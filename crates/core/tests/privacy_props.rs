//! Properties of redaction that must hold for any input: it never panics, redacting twice changes
//! nothing, UTM tags and click ids come out exactly as they went in, and no address survives.

use dni_core::classify::CLICK_IDS;
use dni_core::privacy::{redact, MARKER};
use proptest::prelude::*;

/// A query value: marketing words, addresses (plain and encoded), numbers written many ways, and
/// arbitrary text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("newsletter".to_owned()),
        Just("jane@example.com".to_owned()),
        Just("jane%40example.com".to_owned()),
        Just("Jane.Doe%2Bnews%2540mail.example.org".to_owned()),
        Just("+12125550100".to_owned()),
        Just("(212)%20555-0100".to_owned()),
        Just("212-555-0100".to_owned()),
        Just(MARKER.to_owned()),
        "[a-z0-9@%.+()-]{0,16}",
        "[0-9 +.()-]{0,18}",
        "[^&#?=]{0,12}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    let click = prop::sample::select(CLICK_IDS.iter().map(|(name, ..)| *name).collect::<Vec<_>>());
    prop_oneof![
        Just("utm_source".to_owned()),
        Just("utm_content".to_owned()),
        Just("utm%5Fterm".to_owned()),
        click.prop_map(str::to_owned),
        Just("email".to_owned()),
        Just("Name".to_owned()),
        Just("phone".to_owned()),
        Just("ref".to_owned()),
        "[a-z_%0-9]{0,8}",
        "[^&#?=]{0,6}",
    ]
}

/// URL-shaped strings: a scheme and host (or none), a path, a query of pairs, a fragment.
fn url_like() -> impl Strategy<Value = (String, Vec<(String, String)>)> {
    let head = prop_oneof![
        Just("https://www.example.com"),
        Just("http://user:pw@example.org:8080"),
        Just("https://jane@example.com"),
        Just(""),
        Just("mailto:"),
    ];
    let path = prop_oneof![
        Just("/".to_owned()),
        Just("/users/jane@example.com/".to_owned()),
        Just("/u/jane%40example.com".to_owned()),
        "(/[a-z0-9@%.+-]{0,10}){0,3}",
        "[^&#?=]{0,10}",
    ];
    let fragment = prop_oneof![
        Just(String::new()),
        Just("#x".to_owned()),
        Just("#/thanks?email=jane%40example.com".to_owned()),
        "#\\PC{0,10}",
    ];
    (
        head,
        path,
        prop::collection::vec((key(), value()), 0..6),
        fragment,
    )
        .prop_map(|(head, path, pairs, fragment)| {
            let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let url = format!("{head}{path}?{}{fragment}", query.join("&"));
            (url, pairs)
        })
}

fn exempt(key: &str) -> bool {
    let name = dni_core::url::decode_component(key);
    name.starts_with("utm_")
        || CLICK_IDS
            .iter()
            .any(|(c, ..)| c.eq_ignore_ascii_case(&name))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn is_idempotent_and_never_panics(s in "\\PC{0,40}", site in prop::collection::vec("[a-z_]{1,8}", 0..3)) {
        let once = redact(&s, &site);
        prop_assert_eq!(redact(&once, &site), once);
    }

    #[test]
    fn is_idempotent_on_urls((url, _) in url_like()) {
        let once = redact(&url, &[]);
        prop_assert_eq!(redact(&once, &[]), once.clone(), "{}", url);
    }

    #[test]
    fn never_touches_utm_tags_or_click_ids((url, pairs) in url_like()) {
        let out = redact(&url, &["utm_source".to_owned(), "gclid".to_owned()]);
        let query = out.split_once('?').map(|(_, q)| q).unwrap_or_default();
        // The generator's random parts hold no `&`, `#`, `?` or `=`, so each pair it wrote is
        // one pair of the query.
        for (k, v) in &pairs {
            if exempt(k) {
                let pair = format!("{k}={v}");
                prop_assert!(
                    query.split(['&', '#']).any(|p| p == pair),
                    "{} lost {} in {}", url, pair, out
                );
            }
        }
    }

    #[test]
    fn leaves_no_address_outside_utm_tags_and_click_ids((url, pairs) in url_like()) {
        let out = redact(&url, &[]);
        let has_exempt_address = pairs.iter().any(|(k, v)| exempt(k) && v.contains("example.com"));
        if !has_exempt_address && !url.starts_with("https://jane@") {
            prop_assert!(!out.contains("jane@example.com"), "{}", out);
            prop_assert!(!out.contains("jane%40example.com"), "{}", out);
        }
    }
}

/// Whether a path holds an `@` once or twice percent-decoded: the loader then keeps no path.
fn path_has_at(path: &str) -> bool {
    let once = dni_core::url::decode_bytes(path.as_bytes());
    once.contains(&b'@') || dni_core::url::decode_bytes(&once).contains(&b'@')
}

/// What the page keeps and sends of a landing (the loader's `early` in `js/loader.js`): the
/// origin, the path unless it holds an `@`, the UTM tags and click ids as written, no fragment.
fn as_the_page_keeps_it(path: &str, pairs: &[(String, String)]) -> String {
    let mut url = "https://www.example.com".to_owned();
    url.push_str(if path_has_at(path) { "/" } else { path });
    let mut separator = '?';
    for (k, v) in pairs {
        let raw_exempt =
            k.starts_with("utm_") || CLICK_IDS.iter().any(|(c, ..)| c.eq_ignore_ascii_case(k));
        if raw_exempt {
            url.push(separator);
            separator = '&';
            url.push_str(&format!("{k}={v}"));
        }
    }
    url
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The page's path and the worker's give the same URL: what the page keeps and sends is
    /// left exactly as it is by the redaction the worker runs, whatever the site lists.
    #[test]
    fn the_worker_keeps_what_the_page_sends(
        path in prop_oneof![
            Just("/".to_owned()),
            Just("/users/jane@example.com/".to_owned()),
            Just("/u/jane%2540example.com".to_owned()),
            Just("/%%340x/a@b.co".to_owned()),
            "(/[a-z0-9@%.+;=-]{0,10}){0,3}",
        ],
        pairs in prop::collection::vec((key(), value()), 0..6),
        site in prop::collection::vec("[a-z_]{1,8}", 0..3),
    ) {
        let page = as_the_page_keeps_it(&path, &pairs);
        prop_assert_eq!(redact(&page, &site), page.clone());
        prop_assert!(!page.contains("jane@example.com") || pairs.iter().any(|(k, v)| exempt(k) && v.contains("jane")), "{}", page);
    }

    /// The worker's entry and the page-ready one (the site's names in one `|`-separated string)
    /// are one function.
    #[test]
    fn one_function_for_both_entries((url, _) in url_like(), site in prop::collection::vec("[a-z_]{1,8}", 0..3)) {
        prop_assert_eq!(redact(&url, &site), dni_core::privacy::redact_listed(&url, &dni_core::privacy::listed(&site).join("|")));
    }
}
