//! The browser module: the part of the call tracker that runs in every visitor's page, and that
//! the page needs the core for.
//!
//! The loader (`js/loader.js`, bundled with the glue into `/dni.js`) owns the page's state and
//! plumbing: the consent signals, what is remembered (session, journey and leases, in the storage
//! the tier allows), the requests to the worker and their answers (the browser's own JSON), the
//! heartbeats, the release on `pagehide`, watching the page for new content, and `window.dni`. This
//! module holds what must be the core's own code, so that the page and the worker decide alike:
//! finding the site's numbers in the page and swapping them digit for digit (`dom`, with
//! `dni_core::phone`), the redaction of every URL the page keeps or sends (`dni_core::privacy`),
//! and what an E.164 number is. What the loader needs before the module exists it decides itself,
//! in a few lines of JavaScript that the client crate's tests hold to the core's functions: the
//! consent tier (`dni_core::consent::tier`), the anonymous landing
//! (`dni_core::classify::anonymous_landing`) and whether a view may be a touch
//! (`dni_core::wire::may_be_touch`) (`tests/loader_wire.rs`).
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

mod dom;
mod js;

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::phone::E164;

/// The E.164 numbers of a space-separated list, each with its index in the list (an entry that is
/// not E.164 is left out and keeps its index, so that indices stay those of the loader's list).
/// Plain loops over `text::split` (see ARCHITECTURE.md on what keeps the module small).
fn numbers(text: &str) -> Vec<(usize, E164)> {
    let mut out = Vec::new();
    let mut i = 0;
    for n in dni_core::text::split(text, b' ') {
        if n.is_empty() {
            continue;
        }
        if let Ok(number) = E164::parse(n) {
            out.push((i, number));
        }
        i += 1;
    }
    out
}

/// The pairs in `text` (`from to from to ...`): each `from` replaced by its `to`; a pair with a
/// part that is not E.164 is left out (the page only ever shows a phone number).
fn pairs(text: &str) -> Vec<(E164, E164)> {
    let list = numbers(text);
    let mut out = Vec::new();
    let mut k = 0;
    while let (Some((i, from)), Some((j, to))) = (list.get(k), list.get(k + 1)) {
        if i % 2 == 0 && *j == i + 1 {
            out.push((from.clone(), to.clone()));
            k += 2;
        } else {
            k += 1;
        }
    }
    out
}

/// The module's interface: free functions, each a plain question (wasm-bindgen wraps an exported
/// struct in a reference-counted cell with borrow checks and JavaScript errors in every method).
pub mod page {
    use super::*;
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsValue;
    use web_sys::Node;

    /// Looks at `root` (the document, an added subtree, a shadow root, a frame's document) for the
    /// site's numbers `targets` (space-separated E.164) and replaces each pair of `swaps`
    /// (`from to from to ...`) wherever it may. Returns which targets it saw, bit `i` for the
    /// `i`-th (at most `dni_core::wire::MAX_TARGETS`).
    #[wasm_bindgen]
    pub fn scan(root: &Node, targets: &str, swaps: &str) -> u32 {
        let targets = numbers(targets);
        let swaps = pairs(swaps);
        let mut look = Vec::new();
        for (_, t) in &targets {
            look.push(t);
        }
        let mut by_ref = Vec::new();
        for (from, to) in &swaps {
            by_ref.push((from, to));
        }
        let (seen, _) = dom::scan(root, &look, &by_ref);
        let mut bits = 0u32;
        for found in seen {
            if let Some((i, _)) = targets.get(found) {
                bits |= 1u32.checked_shl(*i as u32).unwrap_or(0);
            }
        }
        bits
    }

    /// `url` after the core's redaction with the listed names (`|`-separated): what the page keeps
    /// or sends of any URL.
    #[wasm_bindgen]
    pub fn redact(url: &str, names: &str) -> JsValue {
        JsValue::from_str(&dni_core::privacy::redact_listed(url, names))
    }

    /// Whether a view (its landing URL and referrer) may be a touch, by the full, table-driven
    /// classifier: never published; what the page would weigh if it classified
    /// (`scripts/build client-tables`, `bench/size.mjs`). The page keeps every view that may be
    /// one by `dni_core::wire::may_be_touch`, in the loader, and the worker classifies them.
    #[cfg(feature = "tables")]
    #[wasm_bindgen]
    pub fn touch(landing: &str, referrer: &str) -> bool {
        let options = dni_core::classify::Options::default();
        dni_core::classify::classify(landing, referrer, options).channel
            != dni_core::classify::Channel::Direct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_loaders_lists() {
        let n = numbers("+12125550100 nonsense  +13125550100");
        let indices: Vec<usize> = n.iter().map(|(i, _)| *i).collect();
        assert_eq!(
            indices,
            [0, 2],
            "an entry that is not E.164 keeps its index"
        );
        assert_eq!(n[1].1.as_str(), "+13125550100");
        // (from, to) pairs: a pair with a part that is not a number is left out, and the pairs
        // after it stay pairs.
        let table = [
            (
                "+12125550100 +12125550107",
                vec![("+12125550100", "+12125550107")],
            ),
            (
                "+12125550100 +12125550107 +13125550100 <b>1</b> +14155550100",
                vec![("+12125550100", "+12125550107")],
            ),
            (
                "x +12125550107 +13125550100 +13125550101",
                vec![("+13125550100", "+13125550101")],
            ),
            (
                "+12125550100 +12125550107 +13125550100",
                vec![("+12125550100", "+12125550107")],
            ),
            ("", vec![]),
        ];
        for (text, want) in table {
            let got = pairs(text);
            let got: Vec<(&str, &str)> =
                got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            assert_eq!(got, want, "{text}");
        }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::page;
    use crate::dom::tests::fixture;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_interface_finds_and_swaps_by_the_loaders_lists() {
        let root = fixture(r#"<p>Call (212) 555-0100</p>"#);
        let targets = "+13125550100 +12125550100";
        assert_eq!(
            page::scan(&root, targets, ""),
            0b10,
            "the second target seen"
        );
        assert_eq!(root.text_content().unwrap(), "Call (212) 555-0100");
        // A swap whose number is not E.164 is refused: the page keeps its number.
        assert_eq!(page::scan(&root, targets, "+12125550100 <b>x</b>"), 0b10);
        assert_eq!(root.text_content().unwrap(), "Call (212) 555-0100");
        page::scan(&root, targets, "+12125550100 +12125550107");
        assert_eq!(root.text_content().unwrap(), "Call (212) 555-0107");
        // And back (the page starts again under another tier).
        page::scan(&root, "", "+12125550107 +12125550100");
        assert_eq!(root.text_content().unwrap(), "Call (212) 555-0100");
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
        root.remove();
    }
}
