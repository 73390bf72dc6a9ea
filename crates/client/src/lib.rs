//! The browser module: the thin shell around `dni-core` that touches the page.
//!
//! The loader (`www/dni.js`) fetches the site's public configuration while this module loads, then
//! calls [`start`]. From there: find which of the site's numbers the page shows, remember where the
//! visitor came from (raw touches in storage, classified by the core), ask the worker for tracking
//! numbers, swap them in (text and `tel:` links, digit for digit), keep the leases alive while the
//! page is visible and release them when it is hidden for good.
//!
//! The page never breaks: every failure ends quietly with the page's own numbers in place, and no
//! path here panics (the crate denies `unwrap`, `expect` and `panic`).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// In the browser the module is `no_std`: a panic (which no path should reach) is a plain trap, and
// the formatting machinery a standard panic would carry (about half the module) is left out.
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

mod config;
mod dom;
mod js;
mod net;
mod store;

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::attribution::{observe, RawTouch, Settings};
use dni_core::classify::Options;
use dni_core::json::Object;
use dni_core::phone::E164;
use wasm_bindgen::prelude::wasm_bindgen;

/// How long the browser waits for the worker before it gives up and leaves the page as it is.
const LEASE_TIMEOUT_MS: u32 = 1500;

/// Starts the module for `site`, with the worker at `base` and the site's public configuration
/// (JSON text, as `GET /v1/sites/{site}/public` returned it).
#[wasm_bindgen]
pub fn start(site: String, base: String, config: String) {
    wasm_bindgen_futures::spawn_local(async move {
        let _ = run(&site, &base, &config).await;
    });
}

/// One swap target's current number.
#[derive(Clone)]
pub(crate) struct Assigned {
    target: E164,
    number: E164,
    lease: Option<String>,
}

async fn run(site: &str, base: &str, config_text: &str) -> Option<()> {
    let window = web_sys::window()?;
    let document = window.document()?;
    let config = config::parse(config_text)?;
    let present = dom::targets_present(&document, &config.targets);
    if present.is_empty() || js::automated(&window) {
        return None;
    }
    let now = js::now();
    let storage = window.local_storage().ok().flatten();
    let session = store::session(storage.as_ref(), now);
    let settings = Settings {
        lookback: config.lookback_ms,
        session_timeout: config.session_timeout_ms,
        ..Settings::default()
    };
    let view = RawTouch {
        landing: window.location().href().ok()?,
        referrer: document.referrer(),
        at: now,
    };
    let journey = observe(
        &store::journey(storage.as_ref()),
        view.clone(),
        &settings,
        Options {
            own_hosts: &config.own_hosts,
        },
    );
    store::save_journey(storage.as_ref(), &journey);

    let page = Object::new()
        .string("url", &view.landing)
        .string("referrer", &view.referrer)
        .finish();
    let body = Object::new()
        .string("session", &session)
        .strings("targets", present.iter().map(E164::as_str))
        .raw("page", &page)
        .raw("journey", &store::journey_json(&journey))
        .finish();
    let leases_url = [base, "/v1/sites/", site, "/leases"].concat();
    let answer = net::post(&window, &leases_url, &body, LEASE_TIMEOUT_MS)
        .await?
        .ok()?;
    let (assigned, heartbeat_ms) = config::parse_leases(&answer)?;
    dom::swap(&document, &swaps_from(&present, &assigned));
    let lease = net::Leasing {
        window,
        document,
        leases_url,
        body,
        heartbeat_ms,
    };
    lease.keep_alive(assigned).await;
    Some(())
}

/// The replacements that take the page from what it shows (`shown`) to what was assigned.
pub(crate) fn swaps_from(shown: &[E164], assigned: &[Assigned]) -> Vec<(E164, E164)> {
    assigned
        .iter()
        .filter_map(|a| {
            let shown = shown
                .iter()
                .find(|s| **s == a.target || Some(*s) == Some(&a.number))?;
            (*shown != a.number).then(|| (shown.clone(), a.number.clone()))
        })
        .collect()
}
