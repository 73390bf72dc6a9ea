//! The browser module: the part of the call tracker that runs in every visitor's page.
//!
//! The loader (`www/loader.js`, served as `/dni.js`) owns the page's event plumbing: it fetches the
//! site's public configuration while this module loads, reads the consent signals, calls the worker
//! with a bounded wait, sends heartbeats while the page is visible and a release on `pagehide`,
//! watches the page for new content, and publishes `window.dni`. This module owns everything else,
//! synchronously: what the page shows (`dom`: finding the site's numbers in text, `tel:` links and
//! opted-in attributes, and swapping them digit for digit), what is remembered (`store`: session,
//! touches and leases, in the storage the consent tier allows), and what is asked and understood
//! (`Client::request`, `Client::assign`).
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

mod answer;
mod dom;
mod js;
mod store;

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::attribution::{observe, Journey, RawTouch, Settings};
use dni_core::classify::Options;
use dni_core::consent::Tier;
use dni_core::json::Object;
use dni_core::phone::E164;
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::Node;

use crate::store::Store;

/// The consent tier (0 none, 1 session, 2 full) from the page's signals: the site's declared
/// choice (`data-consent` or `dni.consent()`), Global Privacy Control, and Google Consent Mode's
/// `analytics_storage`.
#[wasm_bindgen]
pub fn consent_tier(site: Option<String>, gpc: bool, analytics_storage: Option<String>) -> u8 {
    dni_core::consent::tier(dni_core::consent::Signals {
        site: site.as_deref(),
        gpc,
        analytics_storage: analytics_storage.as_deref(),
    })
    .as_u8()
}

/// One of the site's numbers, and what stands in for it on this page.
#[derive(Clone, Debug, PartialEq)]
struct Slot {
    /// The site's number.
    target: E164,
    /// Seen on the page.
    seen: bool,
    /// The number to show, when known (the target itself when the worker says to keep it).
    number: Option<E164>,
    /// The pool lease, for heartbeats and release.
    lease: Option<String>,
    /// When the lease ends without a heartbeat.
    expires_at: u64,
    /// Numbers this page showed for the target before (a new lease replaces them).
    shown: Vec<E164>,
}

/// The module's state for one page.
#[wasm_bindgen]
pub struct Client {
    slots: Vec<Slot>,
    tier: Tier,
    automated: bool,
    store: Store,
    session: String,
    journey: Journey,
    view: RawTouch,
    ga: (String, String),
    heartbeat_ms: u32,
}

#[wasm_bindgen]
impl Client {
    /// Starts on a page. `config` is the site's public configuration (JSON text); `tier` the
    /// consent tier (0 none, 1 session, 2 full); `webdriver` and `user_agent` tell an automated
    /// browser or a bot (no pool number then); `cookie` is `document.cookie` (full tier only).
    #[wasm_bindgen(constructor)]
    pub fn new(
        config: &str,
        tier: u8,
        webdriver: bool,
        user_agent: &str,
        href: String,
        referrer: String,
        cookie: &str,
    ) -> Client {
        let tier = Tier::from_u8(tier);
        let automated = webdriver || dni_core::bots::is_bot(user_agent);
        let config = answer::config(config).unwrap_or_default();
        let now = js::now();
        let store = Store::open(tier);
        let view = RawTouch {
            landing: href,
            referrer,
            at: now,
        };
        let settings = Settings {
            lookback: config.lookback_ms,
            session_timeout: config.session_timeout_ms,
            ..Settings::default()
        };
        let options = Options {
            own_hosts: &config.own_hosts,
        };
        let journey = observe(&store.journey(), view.clone(), &settings, options);
        store.save_journey(&journey);
        let session = store.session(now);
        let stored = store.leases(now);
        let slots = config
            .targets
            .into_iter()
            .map(|target| {
                let live = stored.iter().find(|s| s.target == target).cloned();
                live.unwrap_or(Slot {
                    target,
                    seen: false,
                    number: None,
                    lease: None,
                    expires_at: 0,
                    shown: Vec::new(),
                })
            })
            .collect();
        let ga = if tier == Tier::Full {
            dni_core::ga::cookies(cookie)
        } else {
            (String::new(), String::new())
        };
        Client {
            slots,
            tier,
            automated,
            store,
            session,
            journey,
            view,
            ga,
            heartbeat_ms: 60_000,
        }
    }

    /// Looks at `root` (the document, an added subtree, a shadow root, a frame's document): notes
    /// which of the site's numbers it shows and swaps those whose number is known. Returns true when
    /// the page shows a number that has none yet: the loader then asks the worker.
    pub fn scan(&mut self, root: &Node) -> bool {
        let targets: Vec<E164> = self.slots.iter().map(|s| s.target.clone()).collect();
        for found in dom::targets_in(root, &targets) {
            if let Some(slot) = self.slots.get_mut(found) {
                slot.seen = true;
            }
        }
        dom::swap(root, &self.swaps());
        self.slots.iter().any(|s| s.seen && s.number.is_none())
    }

    /// The path to ask (`leases`, or `numbers` in the no-consent tier) and the request body, as
    /// `path body`; empty when there is nothing to ask.
    pub fn request(&self) -> String {
        let seen: Vec<&str> = self
            .slots
            .iter()
            .filter(|s| s.seen)
            .map(|s| s.target.as_str())
            .collect();
        if seen.is_empty() || self.automated {
            return String::new();
        }
        if self.tier == Tier::None {
            // No identifiers: the landing page reduced to what classification reads, the referrer
            // to its origin, no session.
            let page = Object::new()
                .string(
                    "url",
                    &dni_core::classify::anonymous_landing(&self.view.landing),
                )
                .string("referrer", &dni_core::url::origin_of(&self.view.referrer))
                .finish();
            let body = Object::new()
                .strings("targets", seen)
                .raw("page", &page)
                .finish();
            return ["numbers ", &body].concat();
        }
        let page = Object::new()
            .string("url", &self.view.landing)
            .string("referrer", &self.view.referrer)
            .finish();
        let mut body = Object::new()
            .string("session", &self.session)
            .strings("targets", seen)
            .raw("page", &page)
            .raw("journey", &store::journey_json(&self.journey));
        if self.tier == Tier::Full && !(self.ga.0.is_empty() && self.ga.1.is_empty()) {
            body = body.raw(
                "ga",
                &Object::new()
                    .string("client", &self.ga.0)
                    .string("session", &self.ga.1)
                    .finish(),
            );
        }
        ["leases ", &body.finish()].concat()
    }

    /// Applies the worker's answer (JSON text) and swaps the page (`root`). Returns false when the
    /// answer is unreadable (the page keeps what it shows).
    pub fn assign(&mut self, answer: &str, root: &Node) -> bool {
        let Some((assigned, heartbeat_ms)) = answer::numbers(answer) else {
            return false;
        };
        self.heartbeat_ms = heartbeat_ms.clamp(5_000, 600_000) as u32;
        let mut changed = false;
        for a in assigned {
            let Some(slot) = self.slots.iter_mut().find(|s| s.target == a.target) else {
                continue;
            };
            if let Some(old) = slot.number.take() {
                if old != a.number && old != slot.target && !slot.shown.contains(&old) {
                    slot.shown.push(old);
                }
            }
            changed |= slot.lease != a.lease;
            slot.number = Some(a.number);
            slot.lease = a.lease;
            slot.expires_at = a.expires_at;
        }
        if changed {
            self.store.save_leases(&self.slots);
        }
        dom::swap(root, &self.swaps());
        true
    }

    /// The live leases' ids, space-separated (for heartbeats and the release beacon).
    pub fn leases(&self) -> String {
        let ids: Vec<&str> = self
            .slots
            .iter()
            .filter_map(|s| s.lease.as_deref())
            .collect();
        ids.join(" ")
    }

    /// How often to send heartbeats.
    pub fn heartbeat_ms(&self) -> u32 {
        self.heartbeat_ms
    }

    /// A heartbeat extended `lease` until `expires_at` (ms).
    pub fn extended(&mut self, lease: &str, expires_at: f64) {
        if let Some(slot) = self
            .slots
            .iter_mut()
            .find(|s| s.lease.as_deref() == Some(lease))
        {
            slot.expires_at = expires_at.max(0.0) as u64;
            self.store.save_leases(&self.slots);
        }
    }

    /// The worker says `lease` has ended: its target needs a number again (the page keeps showing
    /// the old one until the new one arrives).
    pub fn gone(&mut self, lease: &str) {
        for slot in self
            .slots
            .iter_mut()
            .filter(|s| s.lease.as_deref() == Some(lease))
        {
            slot.lease = None;
            if let Some(old) = slot.number.take() {
                if old != slot.target && !slot.shown.contains(&old) {
                    slot.shown.push(old);
                }
            }
        }
        self.store.save_leases(&self.slots);
    }

    /// Puts the site's own numbers back under `root` (before the page starts again under another
    /// consent tier).
    pub fn revert(&self, root: &Node) {
        let mut swaps = Vec::new();
        for slot in &self.slots {
            for shown in slot.number.iter().chain(&slot.shown) {
                if *shown != slot.target {
                    swaps.push((shown.clone(), slot.target.clone()));
                }
            }
        }
        dom::swap(root, &swaps);
    }

    /// The numbers by target, as JSON (`window.dni.numbers`).
    pub fn numbers(&self) -> String {
        let mut object = Object::new();
        for slot in self.slots.iter().filter(|s| s.seen) {
            let number = slot.number.as_ref().unwrap_or(&slot.target);
            object = object.string(slot.target.as_str(), number.as_str());
        }
        object.finish()
    }
}

impl Client {
    /// What to replace: each target by its number, and any number this page showed before for it
    /// (a new lease, or the site's own number again) by the current one.
    fn swaps(&self) -> Vec<(E164, E164)> {
        let mut swaps = Vec::new();
        for slot in &self.slots {
            let Some(number) = &slot.number else { continue };
            if *number != slot.target {
                swaps.push((slot.target.clone(), number.clone()));
            }
            swaps.extend(
                slot.shown
                    .iter()
                    .filter(|s| *s != number)
                    .map(|s| (s.clone(), number.clone())),
            );
        }
        swaps
    }
}
