//! The URL and form reader: any text, no panic; what it returns comes from its input.
#![no_main]

use dni_core::url;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(u) = url::Url::parse(input) {
        // The pieces are slices of the input; the host is normalised (lower case, ASCII).
        for piece in [u.scheme, u.path, u.query, u.fragment] {
            assert!(input.contains(piece));
        }
        let _ = u.param("utm_source");
        assert_eq!(
            url::normalize_host(&u.host),
            u.host,
            "normalising is idempotent"
        );
    }
    if let Some((scheme, host, rest)) = url::parts(input) {
        for piece in [scheme, host, rest] {
            assert!(input.contains(piece));
        }
    }
    if let Some(host) = url::host_of(input) {
        assert!(input.contains(host));
    }
    let origin = url::origin_of(input);
    assert!(origin.len() <= input.len() + 8);
    assert!(url::query_of(input).len() <= input.len());
    let _ = url::ascii_host(input);
    let _ = url::lower_host(input);
    for (name, value) in url::form_pairs(input) {
        assert!(name.len() <= input.len() && value.len() <= input.len());
    }
    let _ = url::param(input, "gclid");
    assert!(url::decode_component(input).len() <= input.len() * 3);
});
