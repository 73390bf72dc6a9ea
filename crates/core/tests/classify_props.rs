//! Properties of classification that must hold for any input: it never panics, it is deterministic,
//! and a few metamorphic relations (changing what GA4 ignores changes nothing).

use dni_core::attribution::{observe, observe_classified, Journey, RawTouch, Settings};
use dni_core::classify::{channel, classify, kind, Channel, Kind, Options};
use proptest::prelude::*;

/// URL-shaped strings: a scheme, a host from known and random sites, a path, and a query made of UTM
/// tags, click ids and junk, with values from marketing vocabulary and arbitrary text.
fn url_like() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("https://"),
        Just("http://"),
        Just("android-app://"),
        Just("HTTPS://"),
        Just(""),
        Just("//"),
        Just("ftp://"),
    ];
    let host = prop_oneof![
        Just("www.google.com".to_owned()),
        Just("www.google.co.uk".to_owned()),
        Just("l.facebook.com".to_owned()),
        Just("mail.google.com".to_owned()),
        Just("chatgpt.com".to_owned()),
        Just("www.example.com".to_owned()),
        Just("shop.example.com".to_owned()),
        Just("bücher.example".to_owned()),
        Just("[::1]:8080".to_owned()),
        Just("user:pw@host.org:99".to_owned()),
        "[a-zA-Z0-9.-]{0,30}",
        "\\PC{0,12}",
    ];
    let key = prop_oneof![
        Just("utm_source"),
        Just("utm_medium"),
        Just("utm_campaign"),
        Just("utm_term"),
        Just("utm_content"),
        Just("utm_id"),
        Just("gclid"),
        Just("fbclid"),
        Just("msclkid"),
        Just("mc_cid"),
        Just("utm%5Fsource"),
        Just("q"),
        Just(""),
    ];
    let value = prop_oneof![
        Just("google".to_owned()),
        Just("cpc".to_owned()),
        Just("email".to_owned()),
        Just("(direct)".to_owned()),
        Just("(none)".to_owned()),
        Just("spring_shop".to_owned()),
        Just("cross-network".to_owned()),
        Just("Summer Cross-Network".to_owned()),
        Just("display".to_owned()),
        Just(" Banner ".to_owned()),
        Just("CPM".to_owned()),
        Just("ppc".to_owned()),
        Just("paid_social".to_owned()),
        Just("retargeting".to_owned()),
        Just("organic".to_owned()),
        Just("referral".to_owned()),
        Just("(not set)".to_owned()),
        Just("%E2%82%AC".to_owned()),
        Just("%".to_owned()),
        Just("%zz%".to_owned()),
        "[ -~]{0,20}",
        "\\PC{0,20}",
    ];
    let pair = (key, value).prop_map(|(k, v)| format!("{k}={v}"));
    (
        scheme,
        host,
        "(/[a-z]{0,8}){0,3}",
        prop::collection::vec(pair, 0..6),
        prop::option::of("\\PC{0,10}"),
    )
        .prop_map(|(scheme, host, path, pairs, fragment)| {
            let mut url = format!("{scheme}{host}{path}");
            if !pairs.is_empty() {
                url.push('?');
                url.push_str(&pairs.join("&"));
            }
            if let Some(f) = fragment {
                url.push('#');
                url.push_str(&f);
            }
            url
        })
}

fn own_hosts() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            Just("example.com".to_owned()),
            Just("www.example.com".to_owned()),
            Just("bücher.example".to_owned()),
            Just("https://example.com:8080/".to_owned()),
            Just(String::new()),
            "\\PC{0,16}",
        ],
        0..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any text at all: never panics, same answer twice, and an answer GA4 could show.
    #[test]
    fn never_panics_on_arbitrary_text(landing in "\\PC*", referrer in "\\PC*", own in own_hosts()) {
        let options = Options { own_hosts: &own };
        let a = classify(&landing, &referrer, options);
        let b = classify(&landing, &referrer, options);
        prop_assert_eq!(&a, &b);
        prop_assert!(Channel::ALL.contains(&a.channel));
        prop_assert!(!a.source.is_empty() && !a.medium.is_empty());
    }

    /// URL-shaped inputs reach deep into the rules: same properties.
    #[test]
    fn never_panics_on_url_shaped_text(landing in url_like(), referrer in url_like(), own in own_hosts()) {
        let options = Options { own_hosts: &own };
        let a = classify(&landing, &referrer, options);
        prop_assert_eq!(&a, &classify(&landing, &referrer, options));
        // A self-referral is always Direct: it never replaces a known source.
        prop_assert!(!a.self_referral || a.is_direct());
        // Every field is clipped.
        for field in [&a.campaign, &a.term, &a.content, &a.campaign_id] {
            prop_assert!(field.len() <= dni_core::classify::MAX_FIELD);
        }
    }

    /// The browser's table-free reading of a page view agrees with the full classification, on any
    /// URL-shaped input: Direct, paid or other, exactly as `classify` says.
    #[test]
    fn the_table_free_kind_agrees_with_classify(landing in url_like(), referrer in url_like(), own in own_hosts()) {
        let options = Options { own_hosts: &own };
        prop_assert_eq!(kind(&landing, &referrer, options), Kind::of(&classify(&landing, &referrer, options)));
    }

    /// The same on arbitrary text.
    #[test]
    fn the_table_free_kind_agrees_on_arbitrary_text(landing in "\\PC*", referrer in "\\PC*") {
        prop_assert_eq!(kind(&landing, &referrer, Options::default()), Kind::of(&classify(&landing, &referrer, Options::default())));
    }

    /// GA4 ignores case: upper-casing the tags' values keeps the channel.
    #[test]
    fn case_of_tag_values_does_not_change_the_channel(
        source in "[a-z._ -]{0,12}|google|facebook|youtube|amazon|sms|firebase|email|chatgpt\\.com",
        medium in "[a-z_ -]{0,12}|cpc|ppc|paid_social|display|organic|email|referral|push|audio|sms",
        campaign in "[a-z_ -]{0,16}|spring_shop|eshop|workshop|pmax-cross-network",
        referrer in url_like(),
    ) {
        let landing = |s: &str, m: &str, c: &str| {
            format!("https://www.example.com/?utm_source={s}&utm_medium={m}&utm_campaign={c}")
        };
        let lower = classify(&landing(&source, &medium, &campaign), &referrer, Options::default());
        let upper = classify(
            &landing(&source.to_uppercase(), &medium.to_uppercase(), &campaign.to_uppercase()),
            &referrer,
            Options::default(),
        );
        prop_assert_eq!(lower.channel, upper.channel);
        prop_assert_eq!(
            channel(&source, &medium, &campaign, None),
            channel(&source.to_uppercase(), &medium.to_uppercase(), &campaign.to_uppercase(), None)
        );
    }

    /// Spaces around the tags' values change nothing at all.
    #[test]
    fn spaces_around_tag_values_change_nothing(
        source in "[a-z]{1,10}|google|facebook",
        medium in "[a-z]{1,10}|cpc|email",
        pad in "(%20|\\+){1,3}",
    ) {
        let plain = format!("https://www.example.com/?utm_source={source}&utm_medium={medium}");
        let padded = format!("https://www.example.com/?utm_source={pad}{source}{pad}&utm_medium={medium}{pad}");
        prop_assert_eq!(
            classify(&plain, "", Options::default()),
            classify(&padded, "", Options::default())
        );
    }

    /// A Direct visit never changes the last non-direct touch, whatever came before.
    #[test]
    fn direct_visits_never_replace_a_known_source(
        landing in url_like(), referrer in url_like(), later in 0_u64..(200 * dni_core::DAY),
    ) {
        let settings = Settings::default();
        let options = Options::default();
        let t0 = 1_700_000_000_000;
        let journey = observe(
            &Journey::default(),
            RawTouch { landing, referrer, at: t0 },
            &settings,
            options,
        );
        let direct = RawTouch { landing: "https://www.example.com/".to_owned(), referrer: String::new(), at: t0 + later };
        let after = observe(&journey, direct, &settings, options);
        if later <= settings.lookback {
            prop_assert_eq!(&after.last, &journey.last);
        } else {
            prop_assert_eq!(after.last, None);
        }
    }

    /// The page keeps its journey with the table-free part; the same views kept with the full
    /// classifier give the same journey.
    #[test]
    fn the_page_keeps_the_journey_the_full_classifier_would(
        views in prop::collection::vec((url_like(), url_like(), 0_u64..(40 * dni_core::DAY)), 1..6),
    ) {
        let settings = Settings::default();
        let own = ["www.example.com".to_owned()];
        let options = Options { own_hosts: &own };
        let (mut page, mut full) = (Journey::default(), Journey::default());
        let mut at = 1_700_000_000_000;
        for (landing, referrer, gap) in views {
            at += gap;
            let view = RawTouch { landing, referrer, at };
            page = observe(&page, view.clone(), &settings, options);
            full = observe_classified(&full, view, &settings, options);
            prop_assert_eq!(&page, &full);
        }
    }
}
