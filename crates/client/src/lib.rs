//! The browser module: the part of the call tracker that runs in every visitor's page, and that
//! the page needs the core for.
//!
//! The loader (`js/loader.js`, bundled with the glue into `/dni.js`) owns the page's state and
//! plumbing: the consent signals, what is remembered (session, journey and leases, in the storage
//! the tier allows), the requests to the worker and their answers (the browser's own JSON), the
//! heartbeats, the release on `pagehide`, watching the page for new content, and `window.dni`. This
//! module holds what must be the core's own code, so that the page and the worker decide alike:
//! finding the site's numbers in the page and swapping them digit for digit (`dom`, with
//! `dni_core::phone`), the consent tier (`dni_core::consent`), the redaction of every URL the page
//! keeps or sends (`dni_core::privacy`), the anonymous landing (`dni_core::classify`), whether a
//! view may be a touch (`dni_core::wire`), and what an E.164 number is.
//!
//! Its weight is on every page: see ARCHITECTURE.md for the rules that keep it small. (Before the
//! page's state moved to the loader, where the browser's JSON and storage are free, the module
//! carried it in Rust: about 7.8 KB of its 34 KB raw, `bench/size-profile.mjs`.)
//!
//! The page never breaks: every failure leaves the page's own numbers in place, and no path here
//! panics (the crate denies `unwrap`, `expect` and `panic`; in the browser a panic would be a trap).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// In the browser the module is `no_std`: the formatting machinery a standard panic carries would
// be a large part of the module.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
mod runtime {
    /// A small free-list allocator: the page's module is single-threaded and allocates little.
    #[global_allocator]
    static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
        // SAFETY: wasm32-unknown-unknown without the atomics feature runs on one thread.
        unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }
}

/// The `alloc` names the modules use, so that they read the same with and without `std`.
#[allow(unused_imports)]
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::string::String;
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

mod swap;

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::attribution::RawTouch;
use dni_core::consent::Tier;
use dni_core::phone::E164;

/// Whether a view may be a touch: the cheap test (`dni_core::wire::may_be_touch`), or, in the
/// size benchmark's variant, the full classifier (what the page would weigh if it decided itself).
#[cfg(not(feature = "tables"))]
use dni_core::wire::may_be_touch;
#[cfg(feature = "tables")]
fn may_be_touch(view: &RawTouch) -> bool {
    let options = dni_core::classify::Options::default();
    dni_core::classify::classify(&view.landing, &view.referrer, options).channel
        != dni_core::classify::Channel::Direct
}

/// The numbers in `text`, space-separated, each `None` when it is not E.164 (so that indices
/// stay those of the loader's list).
fn numbers(text: &str) -> Vec<Option<E164>> {
    let mut out = Vec::new();
    for n in text.split(' ') {
        if !n.is_empty() {
            out.push(E164::parse(n).ok());
        }
    }
    out
}

/// The pairs in `text` (`from to from to ...`): each `from` replaced by its `to`; a pair with a
/// part that is not E.164 is left out (the page only ever shows a phone number).
fn pairs(text: &str) -> Vec<(E164, E164)> {
    let list = numbers(text);
    let mut out = Vec::new();
    for pair in list.chunks(2) {
        if let [Some(from), Some(to)] = pair {
            out.push((from.clone(), to.clone()));
        }
    }
    out
}

/// The consent tier the signals allow, as a number the loader compares (0 none, 1 session, 2
/// full): the site's declared choice, Global Privacy Control, Google Consent Mode's
/// `analytics_storage` (empty when absent). See `dni_core::consent::tier`.
pub fn tier_of(site: &str, gpc: bool, consent_mode: &str) -> u8 {
    match dni_core::consent::tier(dni_core::consent::Signals {
        site: (!site.is_empty()).then_some(site),
        gpc,
        analytics_storage: (!consent_mode.is_empty()).then_some(consent_mode),
    }) {
        Tier::None => 0,
        Tier::Session => 1,
        Tier::Full => 2,
    }
}

/// Whether a view (its landing URL and referrer) may be a touch, which the page keeps for the
/// worker to classify.
pub fn is_touch(landing: &str, referrer: &str) -> bool {
    may_be_touch(&RawTouch {
        landing: landing.to_owned(),
        referrer: referrer.to_owned(),
        at: 0,
    })
}

/// The module's interface: free functions, each a plain question (wasm-bindgen wraps an exported
/// struct in a reference-counted cell with borrow checks and JavaScript errors in every method).
pub mod page {
    use super::*;
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsValue;

    /// Which of the site's numbers `targets` (space-separated E.164) `text` shows: bit `i` for
    /// the `i`-th (at most `dni_core::wire::MAX_TARGETS`). The loader hands over a text node's or
    /// an attribute's value, or a block's text for a number split over its inline elements.
    #[wasm_bindgen]
    pub fn find(text: &str, targets: &str) -> u32 {
        swap::found(text, &numbers(targets))
    }

    /// `text` with each pair of `swaps` (`from to from to ...`) replaced digit for digit, in the
    /// text's own format; `undefined` when nothing changes.
    #[wasm_bindgen]
    pub fn replace(text: &str, swaps: &str) -> JsValue {
        match swap::replaced(text, &pairs(swaps)) {
            Some(new) => JsValue::from_str(&new),
            None => JsValue::UNDEFINED,
        }
    }

    /// `url` after the core's redaction with the listed names (`|`-separated): what the page keeps
    /// or sends of any URL.
    #[wasm_bindgen]
    pub fn redact(url: &str, names: &str) -> JsValue {
        JsValue::from_str(&dni_core::privacy::redact_listed(url, names))
    }

    /// See [`tier_of`].
    #[wasm_bindgen]
    pub fn tier(site: &str, gpc: bool, consent_mode: &str) -> u8 {
        tier_of(site, gpc, consent_mode)
    }

    /// The landing URL reduced to what classification reads (`dni_core::classify::anonymous_landing`),
    /// for visitors who allow no identifiers.
    #[wasm_bindgen]
    pub fn anonymous(url: &str) -> JsValue {
        JsValue::from_str(&dni_core::classify::anonymous_landing(url))
    }

    /// See [`is_touch`].
    #[wasm_bindgen]
    pub fn touch(landing: &str, referrer: &str) -> bool {
        is_touch(landing, referrer)
    }

    /// Whether `number` is an E.164 number (the only thing the page shows in place of the site's).
    #[wasm_bindgen]
    pub fn valid(number: &str) -> bool {
        E164::parse(number).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_loaders_lists() {
        let n = numbers("+12125550100 nonsense  +13125550100");
        assert_eq!(n.len(), 3);
        assert!(n[0].is_some() && n[1].is_none() && n[2].is_some());
        // (from, to) pairs: a pair with a part that is not a number is left out.
        let p = pairs("+12125550100 +12125550107 +13125550100 <b>1</b> +14155550100");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].1.as_str(), "+12125550107");
    }

    #[test]
    fn the_tier_and_touches_are_the_cores() {
        // (site, gpc, consent mode, tier)
        let table = [
            ("", false, "", 2),
            ("full", true, "", 1),
            ("session", false, "", 1),
            ("none", false, "", 0),
            ("", false, "denied", 0),
            ("", false, "granted", 2),
        ];
        for (site, gpc, mode, want) in table {
            assert_eq!(tier_of(site, gpc, mode), want, "{site} {gpc} {mode}");
        }
        assert!(is_touch("https://ex.com/?gclid=1", ""));
        assert!(is_touch("https://ex.com/", "https://www.google.com/"));
        assert!(!is_touch("https://ex.com/", "https://ex.com/"));
        assert!(!is_touch("https://ex.com/a", ""));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::page;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_interface_finds_and_swaps_by_the_loaders_lists() {
        let text = "Call (212) 555-0100";
        let targets = "+13125550100 +12125550100";
        assert_eq!(page::find(text, targets), 0b10, "the second target seen");
        // A swap whose number is not E.164 is refused: the page keeps its number.
        assert!(page::replace(text, "+12125550100 <b>x</b>").is_undefined());
        let swapped = page::replace(text, "+12125550100 +12125550107");
        assert_eq!(swapped.as_string().unwrap(), "Call (212) 555-0107");
        // And back (the page starts again under another tier).
        let back = page::replace("Call (212) 555-0107", "+12125550107 +12125550100");
        assert_eq!(back.as_string().unwrap(), text);
        assert!(page::replace(text, "").is_undefined(), "nothing to swap");
        assert!(page::valid("+12125550107") && !page::valid("555-0107"));
        let redacted = page::redact(
            "https://ex.com/p/jane%40example.com?utm_source=x&ref_code=S7",
            "ref_code",
        )
        .as_string()
        .unwrap();
        assert_eq!(
            redacted,
            "https://ex.com/p/(redacted)?utm_source=x&ref_code=(redacted)"
        );
    }
}
