//! The browser module: the part of the call tracker that runs in every visitor's page.
//!
//! The loader (`js/loader.js`, bundled with the glue into `/dni.js`) owns the page's event plumbing:
//! it fetches the site's public configuration while this module loads, reads the consent signals,
//! calls the worker with a bounded wait, sends heartbeats while the page is visible and a release on
//! `pagehide`, watches the page for new content, and publishes `window.dni`. It hands this module
//! what it already has (the signals, the URL, the storages, the time, a random id) and drives the
//! page's one [`Client`] through a few free functions (`page`). This module owns everything else,
//! synchronously: what the page shows (`dom`: finding the site's numbers in text, `tel:` links and
//! opted-in attributes, and swapping them digit for digit), what is remembered (`store`: session,
//! touches and leases, in the storage the consent tier allows), and what is asked and understood
//! (`Client::request`, `Client::assign`).
//!
//! Its weight is on every page: see ARCHITECTURE.md for the rules that keep it small.
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
use dni_core::attribution::RawTouch;
use dni_core::consent::Tier;
use dni_core::json::Object;
use dni_core::phone::E164;
use dni_core::privacy::redact_listed as redact;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Node;

use crate::js::{get, get_str, get_u64};

use crate::store::Store;

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
pub struct Client {
    slots: Vec<Slot>,
    tier: Tier,
    automated: bool,
    store: Store,
    session: String,
    /// The visitor's first page view, and the later views that may be touches (the worker
    /// classifies them: the page carries no classifier).
    first: Option<RawTouch>,
    views: Vec<RawTouch>,
    view: RawTouch,
    ga: (String, String),
    heartbeat_ms: u32,
}

impl Client {
    /// Starts on a page. `page` holds what the loader read (missing or mistyped fields read as
    /// empty):
    /// - `config`: the site's public configuration (JSON text);
    /// - `consent`: the site's declared choice (`data-consent` or `dni.consent()`), `gpc`: 1 when
    ///   Global Privacy Control is on, `consent_mode`: Google Consent Mode's `analytics_storage`;
    ///   together the consent tier;
    /// - `webdriver`: 1 when the browser is automated: it asks for nothing (a bot's user agent is
    ///   the worker's to judge: it gives bots no pool number);
    /// - `href`: the page's URL as the browser gives it, `referrer`: `document.referrer`'s origin
    ///   (all that classification reads of it), which this module redacts before anything is kept
    ///   or sent, with the names the configuration lists (`redact_params`: the core's defaults and
    ///   the site's own); `ga`: the `_ga` and `_ga_<stream>` cookies' values as the loader read
    ///   them from `document.cookie` (sent in the full tier only);
    /// - `now`: the time (ms since the epoch); `id`: the session id the loader's first request used
    ///   (a fresh random one when there was none to keep: the module keeps the same one by the same
    ///   rule);
    /// - `local`, `session`: `localStorage` and `sessionStorage`, or `undefined` where the browser
    ///   refuses them.
    pub fn new(page: &JsValue) -> Client {
        let text = |key| get_str(page, key).unwrap_or_default();
        let consent = get_str(page, "consent");
        let consent_mode = get_str(page, "consent_mode");
        let tier = dni_core::consent::tier(dni_core::consent::Signals {
            site: consent.as_deref(),
            gpc: get_u64(page, "gpc") == Some(1),
            analytics_storage: consent_mode.as_deref(),
        });
        let automated = get_u64(page, "webdriver") == Some(1);
        let config_text = text("config");
        let config = answer::config(&config_text);
        let now = get_u64(page, "now").unwrap_or(0);
        let storage = |key| Some(get(page, key)).filter(|s| !s.is_undefined());
        let store = Store::open(
            tier,
            storage("local").map(JsCast::unchecked_into),
            storage("session").map(JsCast::unchecked_into),
        );
        if config.is_some() {
            store.save_config(&config_text);
        }
        let config = config.unwrap_or_default();
        // The journey: the first view, then the views the worker must see to classify, the last
        // few of them (each once). Every URL in it, and so every URL the module keeps or sends,
        // passes the core's redaction (which the worker runs again on what it receives) with
        // every listed name (`Config::redact`): this page's, and those an earlier page stored (kept by
        // an older release, or before the site listed more: redacting twice changes nothing).
        let params = &config.redact;
        let view = RawTouch {
            landing: redact(&text("href"), params),
            referrer: redact(&text("referrer"), params),
            at: now,
        };
        let (mut first, mut views) = store.journey(params);
        if first.is_none() {
            first = Some(view.clone());
        }
        if may_be_touch(&view) && views.last().map(|v| &v.landing) != Some(&view.landing) {
            views.push(view.clone());
        }
        // The last few: a slice that cannot panic rather than `Vec::remove`, whose bounds check
        // brought its panic message and a larger function onto the page.
        let keep = views.len().saturating_sub(dni_core::wire::MAX_VIEWS);
        let views = views.get(keep..).unwrap_or_default().to_vec();
        store.save_journey(&first, &views);
        let session = store.session(now, text("id"));
        let stored = store.leases(now);
        let mut slots = Vec::new();
        for target in &config.targets {
            let mut slot = Slot {
                target: target.clone(),
                seen: false,
                number: None,
                lease: None,
                expires_at: 0,
                shown: Vec::new(),
            };
            for live in &stored {
                if live.target == slot.target {
                    slot.number.clone_from(&live.number);
                    slot.lease.clone_from(&live.lease);
                    slot.expires_at = live.expires_at;
                    break;
                }
            }
            slots.push(slot);
        }
        let ga = get(page, "ga");
        let ga = if tier == Tier::Full {
            (
                get_str(&ga, "0").unwrap_or_default(),
                get_str(&ga, "1").unwrap_or_default(),
            )
        } else {
            (String::new(), String::new())
        };
        Client {
            slots,
            tier,
            automated,
            store,
            session,
            first,
            views,
            view,
            ga,
            heartbeat_ms: dni_core::wire::HEARTBEAT_MS as u32,
        }
    }

    /// Looks at `root` (the document, an added subtree, a shadow root, a frame's document): notes
    /// which of the site's numbers it shows and swaps those whose number is known. Returns true when
    /// the page shows a number that has none yet: the loader then asks the worker.
    pub fn scan(&mut self, root: &Node) -> bool {
        let mut targets = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            targets.push(&slot.target);
        }
        let (seen, _) = dom::scan(root, &targets, &self.swaps());
        for &found in &seen {
            if let Some(slot) = self.slots.get_mut(found) {
                slot.seen = true;
            }
        }
        let mut ask = false;
        for slot in &self.slots {
            ask |= slot.seen && slot.number.is_none();
        }
        ask
    }

    /// Applies the worker's answer (JSON text) and swaps the page (`root`). Returns false when the
    /// answer is unreadable (the page keeps what it shows). Numbers for targets the page does not
    /// show are not taken (the loader's first request guessed them from digits: the loader
    /// releases the leases this leaves out of [`Client::state`]).
    pub fn assign(&mut self, answer: &str, root: &Node) -> bool {
        let mut changed = false;
        let slots = &mut self.slots;
        let Some(heartbeat_ms) = answer::numbers(answer, |a| {
            for slot in slots.iter_mut() {
                if slot.target != a.target || !slot.seen {
                    continue;
                }
                if let Some(old) = slot.number.take() {
                    if old != a.number && old != slot.target && !slot.shown.contains(&old) {
                        slot.shown.push(old);
                    }
                }
                changed |= slot.lease != a.lease;
                slot.number = Some(a.number);
                slot.lease = a.lease;
                slot.expires_at = a.expires_at;
                break;
            }
        }) else {
            return false;
        };
        self.heartbeat_ms = heartbeat_ms.clamp(
            dni_core::wire::MIN_HEARTBEAT_MS,
            dni_core::wire::HEARTBEAT_MS,
        ) as u32;
        if changed {
            self.store.save_leases(&self.slots);
        }
        dom::scan(root, &[], &self.swaps());
        true
    }

    /// A heartbeat's answer for `lease`: extended until `expires_at` (ms), or, without it, the
    /// lease has ended, and its target needs a number again (the page keeps showing the old one
    /// until the new one arrives).
    pub fn heartbeat(&mut self, lease: &str, expires_at: Option<f64>) {
        match expires_at {
            Some(at) => {
                for slot in &mut self.slots {
                    if slot.lease.as_deref() == Some(lease) {
                        slot.expires_at = at.max(0.0) as u64;
                        self.store.save_leases(&self.slots);
                        return;
                    }
                }
            }
            None => {
                for slot in &mut self.slots {
                    if slot.lease.as_deref() != Some(lease) {
                        continue;
                    }
                    slot.lease = None;
                    if let Some(old) = slot.number.take() {
                        if old != slot.target && !slot.shown.contains(&old) {
                            slot.shown.push(old);
                        }
                    }
                }
                self.store.save_leases(&self.slots);
            }
        }
    }

    /// The path to ask (`leases`, or `numbers` in the no-consent tier) and the request body, as
    /// `path body`; empty when there is nothing to ask.
    pub fn request(&self) -> String {
        let (mut seen, mut leases) = (Vec::new(), Vec::new());
        for slot in &self.slots {
            if slot.seen {
                seen.push(slot.target.as_str());
            }
            // The leases held, so that a split pool asks the shard that gave each one first.
            if let Some(lease) = slot.lease.as_deref().filter(|l| !l.is_empty()) {
                leases.push(lease);
            }
        }
        if seen.is_empty() || self.automated {
            return String::new();
        }
        // No consent: no identifiers. The landing page is reduced to what classification reads,
        // the referrer to its origin; no session, journey or analytics ids.
        let anonymous = self.tier == Tier::None;
        let (landing, referrer) = if anonymous {
            (
                dni_core::classify::anonymous_landing(&self.view.landing),
                dni_core::url::origin_of(&self.view.referrer),
            )
        } else {
            (self.view.landing.clone(), self.view.referrer.clone())
        };
        let (path, body) = dni_core::wire::Ask {
            session: (!anonymous).then_some(self.session.as_str()),
            targets: &seen,
            url: &landing,
            referrer: &referrer,
            journey: Some((&self.first, &self.views)),
            leases: &leases,
            ga: (&self.ga.0, &self.ga.1),
            full: self.tier == Tier::Full,
        }
        .build();
        let mut request = String::from(path);
        request.push(' ');
        request.push_str(&body);
        request
    }

    /// What the loader shows and keeps alive, as JSON: `numbers`, the numbers by target
    /// (`window.dni.numbers`); `leases`, the live leases' ids (for heartbeats and the release
    /// beacon); `heartbeat_ms`, how often to send heartbeats.
    pub fn state(&self) -> String {
        let mut numbers = Object::new();
        let mut leases = Vec::new();
        for slot in &self.slots {
            if slot.seen {
                let number = slot.number.as_ref().unwrap_or(&slot.target);
                numbers.string(slot.target.as_str(), number.as_str());
            }
            match slot.lease.as_deref() {
                Some(lease) if !lease.is_empty() => leases.push(lease),
                _ => {}
            }
        }
        Object::new()
            .raw("numbers", &numbers.finish())
            .strings("leases", &leases)
            .number("heartbeat_ms", u64::from(self.heartbeat_ms))
            .finish()
    }

    /// Puts the site's own numbers back under `root` (before the page starts again under another
    /// consent tier).
    pub fn revert(&self, root: &Node) {
        let mut swaps = Vec::new();
        for slot in &self.slots {
            for shown in slot.number.iter().chain(&slot.shown) {
                if *shown != slot.target {
                    swaps.push((shown, &slot.target));
                }
            }
        }
        dom::scan(root, &[], &swaps);
    }

    /// What to replace: each target by its number, and any number this page showed before for it
    /// (a new lease, or the site's own number again) by the current one.
    fn swaps(&self) -> Vec<(&E164, &E164)> {
        let mut swaps = Vec::new();
        for slot in &self.slots {
            let Some(number) = &slot.number else { continue };
            if *number != slot.target {
                swaps.push((&slot.target, number));
            }
            for shown in &slot.shown {
                if shown != number {
                    swaps.push((shown, number));
                }
            }
        }
        swaps
    }
}

/// The module's interface: the page's one client, which the loader starts (again when the consent
/// changes), and what it asks of it. Free functions on one client rather than an exported struct:
/// wasm-bindgen wraps an exported struct in a reference-counted cell with borrow checks and
/// JavaScript errors in every method, which weighed more than all of this.
#[cfg(target_arch = "wasm32")]
mod page {
    use super::*;
    use core::cell::RefCell;
    use wasm_bindgen::prelude::wasm_bindgen;

    struct Page(RefCell<Option<Client>>);

    // SAFETY: wasm32-unknown-unknown without the atomics feature runs on one thread, so the page's
    // client is never shared between threads (the reasoning of the allocator's
    // `AssumeSingleThreaded`). Every access borrows through `RefCell`, which refuses (rather than
    // allows) a reentrant use.
    unsafe impl Sync for Page {}

    static PAGE: Page = Page(RefCell::new(None));

    /// Runs `f` on the page's client, if there is one (and it is not in use).
    fn with<R>(f: impl FnOnce(&mut Client) -> R) -> Option<R> {
        PAGE.0.try_borrow_mut().ok()?.as_mut().map(f)
    }

    /// Starts on a page, replacing the client there was: see [`Client::new`].
    #[wasm_bindgen]
    pub fn start(page: &JsValue) {
        let client = Client::new(page);
        if let Ok(mut slot) = PAGE.0.try_borrow_mut() {
            *slot = Some(client);
        }
    }

    /// See [`Client::scan`].
    #[wasm_bindgen]
    pub fn scan(root: &Node) -> bool {
        with(|c| c.scan(root)).unwrap_or(false)
    }

    /// See [`Client::request`] (a JavaScript string: returning a Rust one costs more glue).
    #[wasm_bindgen]
    pub fn request() -> JsValue {
        JsValue::from_str(&with(|c| c.request()).unwrap_or_default())
    }

    /// See [`Client::assign`].
    #[wasm_bindgen]
    pub fn assign(answer: &str, root: &Node) -> bool {
        with(|c| c.assign(answer, root)).unwrap_or(false)
    }

    /// See [`Client::state`].
    #[wasm_bindgen]
    pub fn state() -> JsValue {
        JsValue::from_str(&with(|c| c.state()).unwrap_or_default())
    }

    /// See [`Client::revert`].
    #[wasm_bindgen]
    pub fn revert(root: &Node) {
        with(|c| c.revert(root));
    }

    /// See [`Client::heartbeat`].
    #[wasm_bindgen]
    pub fn heartbeat(lease: &str, expires_at: Option<f64>) {
        with(|c| c.heartbeat(lease, expires_at));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::dom::tests::fixture;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    const CONFIG: &str = r#"{"targets":["+12125550100","+13125550100"],"own_hosts":["ex.com"],"lookback_ms":7776000000,"session_timeout_ms":1800000}"#;
    const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

    /// What the loader hands the module, with `changes` applied.
    fn page(changes: &[(&str, JsValue)]) -> JsValue {
        let window = web_sys::window().unwrap();
        let page = js_sys::Object::new();
        let fields: [(&str, JsValue); 11] = [
            ("config", CONFIG.into()),
            ("user_agent", UA.into()),
            (
                "href",
                "https://ex.com/?utm_source=google&utm_medium=cpc&gclid=G1".into(),
            ),
            ("referrer", "https://www.google.com/".into()),
            (
                "ga",
                js_sys::Array::of2(&"GA1.1.1.2".into(), &"GS2.1.s9$o1".into()).into(),
            ),
            ("now", js_sys::Date::now().into()),
            ("id", "Abcdefghijklmnopqrstu0".into()),
            ("local", window.local_storage().unwrap().unwrap().into()),
            ("session", window.session_storage().unwrap().unwrap().into()),
            ("gpc", 0.into()),
            ("webdriver", 0.into()),
        ];
        for (key, value) in fields.iter().chain(changes) {
            js_sys::Reflect::set(&page, &(*key).into(), value).unwrap();
        }
        page.into()
    }

    fn clear() {
        let window = web_sys::window().unwrap();
        window.local_storage().unwrap().unwrap().clear().unwrap();
        window.session_storage().unwrap().unwrap().clear().unwrap();
    }

    #[wasm_bindgen_test]
    fn asks_for_the_numbers_the_page_shows_and_swaps_them() {
        clear();
        let root = fixture(r#"<p id="n">Call (212) 555-0100</p>"#);
        let mut client = Client::new(&page(&[]));
        assert_eq!(client.request(), "", "nothing seen yet: nothing to ask");
        assert!(client.scan(&root), "a target without a number: ask");
        let request = client.request();
        let body = request.strip_prefix("leases ").unwrap();
        let json = js_sys::JSON::parse(body).unwrap();
        let field = |path: &[&str]| {
            path.iter().fold(json.clone(), |v, k| {
                js_sys::Reflect::get(&v, &(*k).into()).unwrap()
            })
        };
        assert_eq!(
            field(&["session"]).as_string().unwrap(),
            "Abcdefghijklmnopqrstu0"
        );
        assert_eq!(
            js_sys::JSON::stringify(&field(&["targets"])).unwrap(),
            r#"["+12125550100"]"#
        );
        assert_eq!(
            field(&["page", "referrer"]).as_string().unwrap(),
            "https://www.google.com/"
        );
        assert_eq!(field(&["ga", "client"]).as_string().unwrap(), "GA1.1.1.2");
        assert_eq!(
            field(&["ga", "session"]).as_string().unwrap(),
            "GS2.1.s9$o1"
        );
        // The first view, and the view kept for the worker to classify.
        assert!(field(&["journey", "first", "landing"])
            .as_string()
            .unwrap()
            .contains("gclid=G1"));
        assert!(field(&["views", "0", "landing"])
            .as_string()
            .unwrap()
            .contains("gclid=G1"));

        let far = js_sys::Date::now() as u64 + 60_000;
        let answer = [
            r#"{"numbers":[{"target":"+12125550100","number":"+12125550107","lease":"visitors.abc","expires_at":"#,
            &far.to_string(),
            r#"}],"heartbeat_ms":30000}"#,
        ]
        .concat();
        assert!(client.assign(&answer, &root));
        assert_eq!(root.text_content().unwrap(), "Call (212) 555-0107");
        assert_eq!(
            client.state(),
            r#"{"numbers":{"+12125550100":"+12125550107"},"leases":["visitors.abc"],"heartbeat_ms":30000}"#
        );
        assert!(!client.scan(&root), "every number shown has one");
        assert!(!client.assign("{not json", &root));

        // A reload shows the stored lease at once, before any network.
        let root2 = fixture(r#"<p>Call 212.555.0100</p>"#);
        let mut again = Client::new(&page(&[]));
        assert!(!again.scan(&root2));
        assert_eq!(root2.text_content().unwrap(), "Call 212.555.0107");

        // A heartbeat extends the lease; a gone lease needs a number again, and the page keeps the
        // old one until then.
        client.heartbeat("visitors.abc", Some((far + 1) as f64));
        assert_eq!(
            Store::open(Tier::Full, storage(), None).leases(far)[0].expires_at,
            far + 1
        );
        client.heartbeat("visitors.abc", None);
        assert_eq!(
            client.state(),
            r#"{"numbers":{"+12125550100":"+12125550100"},"leases":[],"heartbeat_ms":30000}"#
        );
        assert!(client.scan(&root));
        assert_eq!(root.text_content().unwrap(), "Call (212) 555-0107");
        assert!(Store::open(Tier::Full, storage(), None)
            .leases(0)
            .is_empty());
        root.remove();
        root2.remove();
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window().unwrap().local_storage().unwrap()
    }

    #[wasm_bindgen_test]
    fn the_interface_drives_the_pages_one_client() {
        clear();
        let root = fixture(r#"<p>Call (212) 555-0100</p>"#);
        assert_eq!(page::request().as_string().unwrap(), "", "no client yet");
        assert!(!page::scan(&root));
        page::start(&page(&[]));
        assert!(page::scan(&root));
        assert!(page::request().as_string().unwrap().starts_with("leases "));
        let far = js_sys::Date::now() as u64 + 60_000;
        let answer = [
            r#"{"numbers":[{"target":"+12125550100","number":"+12125550107","lease":"visitors.xyz","expires_at":"#,
            &far.to_string(),
            r#"}]}"#,
        ]
        .concat();
        assert!(page::assign(&answer, &root));
        assert_eq!(root.text_content().unwrap(), "Call (212) 555-0107");
        page::heartbeat("visitors.xyz", None);
        assert_eq!(
            page::state().as_string().unwrap(),
            r#"{"numbers":{"+12125550100":"+12125550100"},"leases":[],"heartbeat_ms":60000}"#
        );
        // A new start (the consent changed) replaces the client.
        page::start(&page(&[("consent", "none".into())]));
        assert_eq!(
            page::state().as_string().unwrap(),
            r#"{"numbers":{},"leases":[],"heartbeat_ms":60000}"#
        );
        root.remove();
    }

    #[wasm_bindgen_test]
    fn redacts_every_url_it_keeps_or_sends() {
        clear();
        // A journey an earlier page stored unredacted (an older release).
        storage()
            .unwrap()
            .set_item(
                dni_core::wire::JOURNEY_KEY,
                r#"{"first":{"landing":"https://ex.com/?name=Jane","referrer":"https://mail.example/u/jane@example.com","at":1}}"#,
            )
            .unwrap();
        let root = fixture(r#"<p>Call (212) 555-0100</p>"#);
        let href = "https://ex.com/p/jane%40example.com?utm_source=newsletter&gclid=G1&ref_code=SECRET7&caller=%2B1%20310%20555%200199#to=jane@example.com";
        let page = |consent: &str| {
            page(&[
                ("href", href.into()),
                (
                    "referrer",
                    "https://mail.example/?u=jane%40example.com".into(),
                ),
                (
                    "config",
                    r#"{"targets":["+12125550100"],"redact_params":["name","email","ref_code"]}"#
                        .into(),
                ),
                ("consent", consent.into()),
            ])
        };
        let mut client = Client::new(&page("full"));
        assert!(client.scan(&root));
        let request = client.request();
        let kept = storage()
            .unwrap()
            .get_item(dni_core::wire::JOURNEY_KEY)
            .unwrap()
            .unwrap();
        for text in [&request, &kept] {
            for secret in ["jane", "Jane", "SECRET7", "0199"] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
        assert!(request.contains(
            r#""url":"https://ex.com/p/(redacted)?utm_source=newsletter&gclid=G1&ref_code=(redacted)&caller=(redacted)#to=(redacted)""#
        ), "{request}");
        assert!(kept.contains("https://ex.com/?name=(redacted)"), "{kept}");
        // Without consent, what is sent is reduced from the redacted URL.
        let mut none = Client::new(&page("none"));
        assert!(none.scan(&root));
        assert!(!none.request().contains("jane"), "{}", none.request());
        root.remove();
    }

    #[wasm_bindgen_test]
    fn follows_consent_and_leaves_robots_alone() {
        clear();
        let root = fixture(r#"<p>Call (212) 555-0100</p>"#);
        // No consent: no session, the landing page and referrer reduced, nothing stored.
        let mut none = Client::new(&page(&[("consent", "none".into())]));
        assert!(none.scan(&root));
        assert_eq!(
            none.request(),
            r#"numbers {"targets":["+12125550100"],"page":{"url":"https://ex.com/?utm_source=google&utm_medium=cpc&gclid=1","referrer":"https://www.google.com/"}}"#
        );
        assert_eq!(storage().unwrap().length().unwrap(), 0);
        // Consent Mode's denial and Global Privacy Control lower the tier.
        let mut denied = Client::new(&page(&[("consent_mode", "denied".into())]));
        assert!(denied.scan(&root));
        assert!(denied.request().starts_with("numbers "));
        let mut gpc = Client::new(&page(&[("gpc", 1.into())]));
        assert!(gpc.scan(&root));
        assert!(!gpc.request().contains(r#""ga""#), "no analytics ids");
        assert_eq!(
            storage().unwrap().length().unwrap(),
            0,
            "session storage only"
        );
        // An automated browser sees the page's own numbers and asks for nothing (a crawler's user
        // agent is the worker's to judge).
        let mut robot = Client::new(&page(&[("webdriver", 1.into())]));
        assert!(robot.scan(&root));
        assert_eq!(robot.request(), "");
        // A page without storage still works.
        let mut bare = Client::new(&page(&[
            ("local", JsValue::UNDEFINED),
            ("session", JsValue::UNDEFINED),
        ]));
        assert!(bare.scan(&root));
        assert!(bare.request().starts_with("leases "));
        root.remove();
    }
}
