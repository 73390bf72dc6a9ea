//! How fast the core classifies visits, natively, on one core.
//!
//! `cargo bench -p dni-core --bench classify` prints classifications per second over a mix of visits
//! shaped like a local business's traffic (direct and organic search first, then Google Ads, social,
//! email, referrals, AI assistants, internal navigation), and the same for a full attribution step
//! (classify the view, update the journey, pick the credited touch). `DNI_BENCH_SHORT=1` (or the
//! argument `--short`) runs a short round, for CI.

use std::hint::black_box;
use std::time::Instant;

use dni_core::attribution::{attribute, Journey, RawTouch, Settings};
use dni_core::classify::{classify, Options};

/// (landing URL, referrer, how many of every 40 visits look like this).
const MIX: &[(&str, &str, u32)] = &[
    ("https://www.example.com/", "", 8),
    ("https://www.example.com/contact", "", 2),
    ("https://www.example.com/services/plumbing", "https://www.google.com/", 7),
    ("https://www.example.com/", "https://www.google.co.uk/", 1),
    ("https://www.example.com/?gclid=Cj0KCQiA5rGuBhCnARIsAN11vgSE3kq&gad_source=1", "https://www.google.com/", 4),
    ("https://www.example.com/lp/emergency?utm_source=google&utm_medium=cpc&utm_campaign=spring_sale&utm_term=emergency+plumber&gclid=EAIaIQobChMI", "", 2),
    ("https://www.example.com/?gbraid=0AAAAAoY3Kd", "", 1),
    ("https://www.example.com/?msclkid=8a1b2c3d4e5f", "https://www.bing.com/", 1),
    ("https://www.example.com/", "https://www.bing.com/search?q=emergency+plumber+near+me", 1),
    ("https://www.example.com/?fbclid=IwAR2xYz", "https://l.facebook.com/", 2),
    ("https://www.example.com/offer?utm_source=facebook&utm_medium=paid_social&utm_campaign=retarget_q3&utm_content=video1", "", 1),
    ("https://www.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=june", "", 1),
    ("https://www.example.com/?mc_cid=abc123&mc_eid=def456", "https://mail.google.com/", 1),
    ("https://www.example.com/", "https://www.yelp.com/biz/example-plumbing", 1),
    ("https://www.example.com/?utm_source=googlemybusiness&utm_medium=organic", "", 1),
    ("https://www.example.com/blog/boilers", "https://blog.partner.org/best-plumbers-2024", 1),
    ("https://www.example.com/", "https://chatgpt.com/", 1),
    ("https://www.example.com/pricing", "https://www.example.com/", 3),
    ("https://www.example.com/about", "https://shop.example.com/cart", 1),
];

/// Referrers from the wider lists, one of each way the source tables match: a placeholder
/// (`images.yandex.{}`, `{}.search.yahoo.com`), a path, an engine that needs a term, a parent
/// domain (webmail clusters, social subdomains), a dereferrer, a conventional webmail name, and
/// hosts on no list (which try every step). Printed as its own line, so that the mix above stays
/// comparable with earlier runs.
const WIDE: &[&str] = &[
    "https://images.yandex.ru/yandsearch?text=cat&img_url=x",
    "https://uk.search.yahoo.com/search?p=roof+repair",
    "https://www.google.de/imgres?imgurl=x&q=bad",
    "https://www.cnn.com/search?query=x",
    "https://co106w.col106.mail.live.com/default.aspx",
    "https://deref-gmx.net/mail/client/abc/dereferrer/?redirectUrl=x",
    "https://lm.workplace.com/l.php?u=x",
    "https://mail01.orange.fr/appsuite/",
    "https://www.cnn.com/2026/12/01/article",
    "https://blog.partner.org/best-plumbers-2024",
];

fn main() {
    let short = std::env::var_os("DNI_BENCH_SHORT").is_some_and(|v| v != "0")
        || std::env::args().any(|a| a == "--short");
    let rounds: u32 = if short { 2_000 } else { 50_000 };
    let own = vec!["example.com".to_owned()];
    let options = Options { own_hosts: &own };

    let cases: Vec<(&str, &str)> = MIX
        .iter()
        .flat_map(|&(landing, referrer, weight)| (0..weight).map(move |_| (landing, referrer)))
        .collect();

    // Warm up, and check the mix classifies as intended (a benchmark of wrong answers is no figure).
    let channels: Vec<&str> = cases
        .iter()
        .map(|(l, r)| classify(l, r, options).channel.as_str())
        .collect();
    assert!(channels.contains(&"Paid Search") && channels.contains(&"Organic Search"));

    let start = Instant::now();
    let mut sink = 0_usize;
    for _ in 0..rounds {
        for (landing, referrer) in &cases {
            let touch = classify(black_box(landing), black_box(referrer), options);
            sink = sink.wrapping_add(touch.source.len());
        }
    }
    let elapsed = start.elapsed();
    black_box(sink);
    let n = u64::from(rounds) * cases.len() as u64;
    report(
        "classify",
        "classifications",
        n,
        cases.len(),
        rounds,
        elapsed.as_secs_f64(),
    );

    // The wider lists' referrers.
    let landing = "https://www.example.com/";
    let start = Instant::now();
    for _ in 0..rounds {
        for referrer in WIDE {
            let touch = classify(black_box(landing), black_box(referrer), options);
            sink = sink.wrapping_add(touch.source.len());
        }
    }
    let elapsed = start.elapsed();
    black_box(sink);
    report(
        "classify (wider lists' referrers)",
        "classifications",
        u64::from(rounds) * WIDE.len() as u64,
        WIDE.len(),
        rounds,
        elapsed.as_secs_f64(),
    );

    // A full attribution step per visit: what the browser does on every page load.
    let settings = Settings::default();
    let journey = Journey {
        first: Some(RawTouch {
            landing: "https://www.example.com/".to_owned(),
            referrer: "https://www.google.com/".to_owned(),
            at: 1_700_000_000_000,
        }),
        last: Some(RawTouch {
            landing: "https://www.example.com/?gclid=Cj0KCQiA".to_owned(),
            referrer: String::new(),
            at: 1_700_000_100_000,
        }),
    };
    let rounds = rounds / 4;
    let start = Instant::now();
    for _ in 0..rounds {
        for (landing, referrer) in &cases {
            let view = RawTouch {
                landing: (*landing).to_owned(),
                referrer: (*referrer).to_owned(),
                at: 1_700_000_200_000,
            };
            let a = attribute(black_box(&journey), view, &settings, options);
            sink = sink.wrapping_add(a.credited.touch.source.len());
        }
    }
    let elapsed = start.elapsed();
    black_box(sink);
    let n = u64::from(rounds) * cases.len() as u64;
    report(
        "attribute",
        "attributions",
        n,
        cases.len(),
        rounds,
        elapsed.as_secs_f64(),
    );
}

fn report(name: &str, what: &str, n: u64, cases: usize, rounds: u32, seconds: f64) {
    let per_second = n as f64 / seconds;
    println!(
        "{name}: {per_second:.0} {what}/s ({cases} cases x {rounds} rounds, {:.0} ns each)",
        seconds * 1e9 / n as f64
    );
}
