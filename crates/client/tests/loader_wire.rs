//! The loader sends the first lease request before the module exists, so it writes some of
//! `dni_core::wire`'s names and limits in JavaScript. This holds it to them: a key, a field or a
//! limit changed on one side only fails here. (The Chromium tests then prove the worker accepts
//! what the loader sends.)

use dni_core::wire;

const LOADER: &str = include_str!("../js/loader.js");

#[test]
fn the_loader_uses_the_wire_formats_names_and_limits() {
    let mut want: Vec<String> = Vec::new();
    // Storage keys: the loader reads them as `get("<name>")` under the `dni.` prefix.
    for key in [
        wire::SESSION_KEY,
        wire::JOURNEY_KEY,
        wire::LEASES_KEY,
        wire::CONFIG_KEY,
    ] {
        let name = key
            .strip_prefix("dni.")
            .expect("every key has the dni. prefix");
        want.push(format!("get(\"{name}\")"));
    }
    want.push("\"dni.\" + key".into());
    // The session rule: idle time, and the id's alphabet and length.
    want.push(format!("/^[\\w-]{{16,{}}}$/", wire::MAX_SESSION));
    // The tails: how many digits, how many at most.
    let d = wire::TAIL_DIGITS;
    want.push(format!("\\d{{{d},}}"));
    want.push(format!("run.slice(-{d})"));
    want.push(format!("l.target.slice(-{d})"));
    want.push(format!("tails.length < {}", wire::MAX_TAILS));
    // The parameters the page keeps besides the UTM tags: the click ids, as the core lists them
    // (`privacy::is_exempt`: never redacted).
    want.push(format!("/^({})(=|$)/i", dni_core::classify::CLICK_ID_NAMES));
    // The GA cookies' longest value.
    want.push(format!("{{1,{}}}", wire::MAX_COOKIE));
    // The request's fields (dni_core::api::LeaseRequest).
    for field in [
        "session,",
        "tails",
        // (The page's URL as the first request may send it, before the module can redact it.)
        "page: { url: early(location), referrer }",
        "journey:",
        "ga:",
        "client:",
        "consent:",
    ] {
        want.push(field.into());
    }
    // The session's idle time, as the loader writes it (`18e5`).
    let idle = LOADER
        .split("now - s[1] < ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<f64>().ok());
    assert_eq!(
        idle,
        Some(wire::SESSION_IDLE_MS as f64),
        "the session's idle time"
    );
    for w in &want {
        assert!(LOADER.contains(w.as_str()), "the loader does not use {w:?}");
    }
}
