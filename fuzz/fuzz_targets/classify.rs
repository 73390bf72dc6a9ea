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
    // Nor has a browser's URL control characters or NULs in it (`location.href` escapes them): a
    // host like `sh\u{11}:\0\0` reads differently once reduced to its origin (found by this
    // target; the input is kept in the corpus).
    if landing.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return;
    }
    let anonymous = classify::anonymous_landing(landing);
    let again = classify::classify(&anonymous, referrer, options);
    assert_eq!(
        again.channel, touch.channel,
        "the reduced landing keeps the channel: {landing:?} -> {anonymous:?}"
    );
});
