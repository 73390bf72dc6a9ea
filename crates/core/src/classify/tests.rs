//! Classification cases, one per row: landing URL, referrer, and the expected channel, source and
//! medium. The full GA4 table lives in `tests/classification.txt` (run by `tests/classify_table.rs`).

use super::*;

const L: &str = "https://www.example.com/";

#[test]
fn classifies_the_basic_cases() {
    let own = ["example.com".to_owned()];
    // (landing, referrer, channel, source, medium)
    let table: &[(&str, &str, Channel, &str, &str)] = &[
        (L, "", Channel::Direct, "(direct)", "(none)"),
        ("https://www.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=plumber&gclid=TEST123", "", Channel::PaidSearch, "google", "cpc"),
        ("https://www.example.com/?gclid=abc", "https://www.google.com/", Channel::PaidSearch, "google", "cpc"),
        ("https://www.example.com/?msclkid=abc", "", Channel::PaidSearch, "bing", "cpc"),
        (L, "https://www.google.co.uk/", Channel::OrganicSearch, "google", "organic"),
        (L, "https://duckduckgo.com/", Channel::OrganicSearch, "duckduckgo", "organic"),
        (L, "https://m.facebook.com/", Channel::OrganicSocial, "facebook", "referral"),
        ("https://www.example.com/?fbclid=xyz", "https://l.facebook.com/", Channel::OrganicSocial, "facebook", "referral"),
        (L, "https://www.youtube.com/watch?v=1", Channel::OrganicVideo, "youtube", "referral"),
        (L, "https://mail.google.com/", Channel::Email, "gmail", "email"),
        (L, "https://chatgpt.com/", Channel::Referral, "chatgpt", "referral"),
        (L, "https://blog.partner.org/post", Channel::Referral, "blog.partner.org", "referral"),
        (L, "https://shop.example.com/cart", Channel::Direct, "(direct)", "(none)"),
        ("https://www.example.com/?utm_source=newsletter&utm_medium=email", "", Channel::Email, "newsletter", "email"),
        ("https://www.example.com/?utm_source=facebook&utm_medium=paid_social", "", Channel::PaidSocial, "facebook", "paid_social"),
        ("https://www.example.com/?utm_source=x&utm_medium=display", "", Channel::Display, "x", "display"),
        ("https://www.example.com/?utm_source=foo&utm_medium=cpc", "", Channel::PaidOther, "foo", "cpc"),
        ("https://www.example.com/?utm_source=foo&utm_medium=cpc&utm_campaign=pmax-cross-network", "", Channel::CrossNetwork, "foo", "cpc"),
        ("https://www.example.com/?utm_source=foo&utm_medium=ppc&utm_campaign=summer_shop", "", Channel::PaidShopping, "foo", "ppc"),
        ("https://www.example.com/?utm_source=partner&utm_medium=affiliate", "", Channel::Affiliates, "partner", "affiliate"),
        ("https://www.example.com/?utm_source=radio&utm_medium=audio", "", Channel::Audio, "radio", "audio"),
        ("https://www.example.com/?utm_source=sms&utm_medium=text", "", Channel::Sms, "sms", "text"),
        ("https://www.example.com/?utm_source=app&utm_medium=push", "", Channel::MobilePush, "app", "push"),
        ("https://www.example.com/?utm_source=foo&utm_medium=bar", "", Channel::Unassigned, "foo", "bar"),
        ("https://www.example.com/?utm_source=GOOGLE&utm_medium=CPC", "", Channel::PaidSearch, "GOOGLE", "CPC"),
        ("https://www.example.com/?utm_source=%20google%20&utm_medium=cpc+", "", Channel::PaidSearch, "google", "cpc"),
        ("https://www.example.com/?utm_source=google", "", Channel::OrganicSearch, "google", "(not set)"),
        ("not a url", "also not", Channel::Direct, "(direct)", "(none)"),
    ];
    for (landing, referrer, channel, source, medium) in table {
        let t = classify(landing, referrer, Options { own_hosts: &own });
        assert_eq!(
            (t.channel, t.source.as_str(), t.medium.as_str()),
            (*channel, *source, *medium),
            "landing {landing:?} referrer {referrer:?}"
        );
    }
}

#[test]
fn keeps_campaign_term_and_click_id() {
    let t = classify(
        "https://www.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=plumber&gclid=TEST123",
        "",
        Options::default(),
    );
    assert_eq!(
        (t.campaign.as_str(), t.term.as_str()),
        ("spring", "plumber")
    );
    assert_eq!(t.click("gclid"), Some("TEST123"));
}

#[test]
fn marks_self_referrals() {
    let own = ["example.com".to_owned()];
    let t = classify(
        L,
        "https://www.example.com/other",
        Options { own_hosts: &own },
    );
    assert!(t.self_referral && t.is_direct());
    let t = classify(L, "https://notexample.com/", Options { own_hosts: &own });
    assert!(!t.self_referral);
    assert_eq!(t.channel, Channel::Referral);
}

#[test]
fn reads_the_search_term_where_the_engine_sends_one() {
    let t = classify(
        L,
        "https://www.bing.com/search?q=emergency+plumber",
        Options::default(),
    );
    assert_eq!(
        (t.channel, t.term.as_str()),
        (Channel::OrganicSearch, "emergency plumber")
    );
}

#[test]
fn shopping_campaign_pattern_follows_ga4() {
    for (campaign, shopping) in [
        ("shop", true),
        ("eshop", true),
        ("e-shop", true),
        ("bishop", false),
        ("myshopping", true),
        ("workshop", false),
    ] {
        assert_eq!(is_shopping_campaign(campaign), shopping, "{campaign}");
    }
}

#[test]
fn clips_long_values_at_a_character_boundary() {
    let long = "é".repeat(200); // 400 bytes
    let landing = format!("https://www.example.com/?utm_source=x&utm_medium=y&utm_campaign={long}");
    let t = classify(&landing, "", Options::default());
    assert!(t.campaign.len() <= MAX_FIELD);
    assert_eq!(t.campaign.chars().count(), MAX_FIELD / 2);
}

#[test]
fn channel_reads_reported_values_in_any_case() {
    assert_eq!(channel(" Google ", "CPC", "", None), Channel::PaidSearch);
    assert_eq!(
        channel("newsletter", "cpc", "", Some(Category::Search)),
        Channel::PaidSearch
    );
    assert_eq!(channel("(direct)", "(none)", "", None), Channel::Direct);
    assert_eq!(
        channel("chatgpt.com", "(not set)", "", None),
        Channel::Referral
    );
    assert_eq!(channel("foo", "bar", "", None), Channel::Unassigned);
}

#[test]
fn every_channel_has_a_name_that_parses_back() {
    for c in Channel::ALL {
        assert_eq!(Channel::parse(c.as_str()), Some(c));
        assert_eq!(Channel::parse(&c.as_str().to_uppercase()), Some(c));
    }
    assert_eq!(Channel::parse("Nowhere"), None);
}

#[test]
fn reduces_a_landing_page_to_what_classification_reads() {
    let table = [
        (
            "https://shop.example.com/account/42?utm_source=google&utm_medium=cpc&gclid=SECRET&user=7#x",
            "https://shop.example.com/?utm_source=google&utm_medium=cpc&gclid=1",
        ),
        ("https://example.com/?fbclid=abc", "https://example.com/?fbclid=1"),
        (
            "https://example.com/?utm_source=a/&utm_medium=b",
            "https://example.com/?utm_source=a/&utm_medium=b",
        ),
        ("https://example.com/path", "https://example.com/"),
        ("https://example.com/?gclid=", "https://example.com/"),
        // Blank once decoded (found by the fuzz target): the name is kept, as the classifier
        // reads it (the platform, no id).
        ("https://lm/?fbclid=++", "https://lm/?fbclid=1"),
        ("garbage", ""),
    ];
    for (landing, want) in table {
        assert_eq!(anonymous_landing(landing), want, "{landing}");
    }
    // The reduced URL classifies as the full one does.
    let full =
        "https://example.com/a/b?utm_source=newsletter&utm_medium=email&utm_campaign=june&id=9";
    let reduced = anonymous_landing(full);
    let (a, b) = (
        classify(full, "", Options::default()),
        classify(&reduced, "", Options::default()),
    );
    assert_eq!(
        (a.channel, a.source, a.campaign),
        (b.channel, b.source, b.campaign)
    );
}

#[test]
fn the_browsers_click_id_lists_match_the_table() {
    for (row, (name, _, medium)) in CLICK_IDS.iter().enumerate() {
        assert_eq!(click_id(name), Some(row), "{name}");
        assert_eq!(click_id(&name.to_ascii_uppercase()), Some(row), "{name}");
        assert_eq!(click_id_medium(row), *medium, "{name}");
    }
    assert_eq!(text::split(CLICK_ID_NAMES, b'|').count(), CLICK_IDS.len());
    assert_eq!(text::split(CLICK_ID_MEDIUMS, b'|').count(), CLICK_IDS.len());
    assert_eq!(click_id("utm_source"), None);
    assert_eq!(click_id(""), None);
}
