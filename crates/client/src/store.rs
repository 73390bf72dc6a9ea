//! What the page remembers, in the storage its consent tier allows: `sessionStorage` for the session
//! tier, `localStorage` for the full tier, nothing at all without consent (and what an earlier,
//! wider consent left behind is erased).

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::attribution::RawTouch;
use dni_core::consent::Tier;
use dni_core::json::{push_u64, Object};
use dni_core::privacy::redact_listed;
use wasm_bindgen::JsValue;
use web_sys::Storage;

use crate::js::{get, get_str, get_u64, items, parse_json};
use crate::Slot;

// The keys, shared with the loader (which reads them for its first request): `dni_core::wire`.
// The site's public configuration as last received: a returning visitor's page starts from it (and
// its stored leases) before any network.
use dni_core::wire::{CONFIG_KEY, JOURNEY_KEY, LEASES_KEY, SESSION_IDLE_MS, SESSION_KEY};
const KEYS: [&str; 4] = [SESSION_KEY, JOURNEY_KEY, LEASES_KEY, CONFIG_KEY];

/// The storage of the page's consent tier.
pub struct Store(Option<Storage>);

impl Store {
    /// Opens the tier's storage, and erases what wider tiers left in the others. `local` and
    /// `session` are the page's `localStorage` and `sessionStorage` (`None` where the browser refuses
    /// them).
    pub fn open(tier: Tier, local: Option<Storage>, session: Option<Storage>) -> Store {
        match tier {
            Tier::Full => Store(local),
            Tier::Session => {
                erase(&local);
                Store(session)
            }
            Tier::None => {
                erase(&local);
                erase(&session);
                Store(None)
            }
        }
    }

    /// The item `key` (a named property of the storage, which is its `getItem`: the keys are
    /// `dni.*`, which no property of `Storage` shadows; read through [`get_str`] rather than
    /// web-sys's `get_item`, one import less on the page).
    fn read(&self, key: &str) -> Option<String> {
        get_str(self.0.as_ref()?, key)
    }

    fn write(&self, key: &str, value: &str) {
        if let Some(storage) = &self.0 {
            // Storage may be full or refused (private modes): the page goes on without it.
            let _ = storage.set_item(key, value);
        }
    }

    /// The visitor session id: kept while page views follow each other within the idle time,
    /// `fresh` (a new random id) otherwise, and on every page without storage.
    pub fn session(&self, at: u64, fresh: String) -> String {
        let stored = self.read(SESSION_KEY).and_then(|text| {
            let (id, seen) = dni_core::text::split_once(&text, b'|')?;
            let seen = parse_u64(seen)?;
            if at.saturating_sub(seen) < SESSION_IDLE_MS && dni_core::valid_id(id) {
                Some(id.to_owned())
            } else {
                None
            }
        });
        let id = stored.unwrap_or(fresh);
        if self.0.is_some() {
            let mut value = id.clone();
            value.push('|');
            push_u64(&mut value, at);
            self.write(SESSION_KEY, &value);
        }
        id
    }

    /// The stored journey: the first view and the later views that may be touches (empty when
    /// there is none or it is unreadable). The last touch an earlier release kept is a view. Each
    /// URL passes the core's redaction again, with the listed names `params` (`|`-separated): a
    /// journey stored by an older release, or before the site listed a name, is kept and sent
    /// redacted too (redacting twice changes nothing).
    pub fn journey(&self, params: &str) -> (Option<RawTouch>, Vec<RawTouch>) {
        let Some(json) = self.read(JOURNEY_KEY).and_then(|text| parse_json(&text)) else {
            return (None, Vec::new());
        };
        let mut views = Vec::new();
        for v in items(&get(&json, "views")) {
            if let Some(v) = touch_from(&v, params) {
                views.push(v);
            }
        }
        if let Some(last) = touch_from(&get(&json, "last"), params) {
            views.push(last);
        }
        (touch_from(&get(&json, "first"), params), views)
    }

    /// Stores the journey.
    pub fn save_journey(&self, first: &Option<RawTouch>, views: &[RawTouch]) {
        if self.0.is_some() {
            self.write(JOURNEY_KEY, &journey_json(first, views));
        }
    }

    /// Keeps the site's public configuration (nothing personal: the site's own numbers and hosts).
    pub fn save_config(&self, text: &str) {
        if self.read(CONFIG_KEY).as_deref() != Some(text) {
            self.write(CONFIG_KEY, text);
        }
    }

    /// The stored leases still live at `now`: the page shows them at once, before any network.
    pub fn leases(&self, now: u64) -> Vec<Slot> {
        let Some(json) = self.read(LEASES_KEY).and_then(|text| parse_json(&text)) else {
            return Vec::new();
        };
        let mut slots = Vec::new();
        for entry in items(&json) {
            if let Some(slot) = slot_of(&entry, now) {
                slots.push(slot);
            }
        }
        slots
    }

    /// Stores the slots' live leases.
    pub fn save_leases(&self, slots: &[Slot]) {
        if self.0.is_none() {
            return;
        }
        let mut json = String::from("[");
        for slot in slots {
            let (Some(number), Some(lease)) = (&slot.number, &slot.lease) else {
                continue;
            };
            if json.len() > 1 {
                json.push(',');
            }
            let entry = Object::new()
                .string("target", slot.target.as_str())
                .string("number", number.as_str())
                .string("lease", lease)
                .number("expires_at", slot.expires_at)
                .finish();
            json.push_str(&entry);
        }
        json.push(']');
        self.write(LEASES_KEY, &json);
    }
}

/// Erases what the module keeps in `storage`.
fn erase(storage: &Option<Storage>) {
    if let Some(s) = storage {
        for key in &KEYS {
            let _ = s.remove_item(key);
        }
    }
}

/// A stored lease still live at `now` (stored as an answer's entry, with a lease).
fn slot_of(entry: &JsValue, now: u64) -> Option<Slot> {
    let expires_at = get_u64(entry, "expires_at")?;
    if expires_at <= now {
        return None;
    }
    let lease = get_str(entry, "lease")?;
    let a = crate::answer::entry_of(entry)?;
    Some(Slot {
        target: a.target,
        seen: false,
        number: Some(a.number),
        lease: Some(lease),
        expires_at,
        shown: Vec::new(),
    })
}

/// A decimal number as `u64::from_str` reads it (an optional `+`, then digits), without its
/// generic machinery.
fn parse_u64(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

fn touch_from(value: &JsValue, params: &str) -> Option<RawTouch> {
    Some(RawTouch {
        landing: redact_listed(&get_str(value, "landing")?, params),
        referrer: redact_listed(&get_str(value, "referrer").unwrap_or_default(), params),
        at: get_u64(value, "at")?,
    })
}

use dni_core::wire::journey_json;

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use dni_core::phone::E164;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn open(tier: Tier) -> Store {
        let (local, session) = storages();
        Store::open(tier, Some(local), Some(session))
    }

    fn storages() -> (Storage, Storage) {
        let w = web_sys::window().unwrap();
        (
            w.local_storage().unwrap().unwrap(),
            w.session_storage().unwrap().unwrap(),
        )
    }

    #[wasm_bindgen_test]
    fn keeps_the_session_within_the_idle_time() {
        let (local, _) = storages();
        local.clear().unwrap();
        let store = open(Tier::Full);
        let t = js_sys::Date::now() as u64;
        let (a, b) = ("a".repeat(22), "b".repeat(22));
        let first = store.session(t, a.clone());
        assert_eq!(first, a, "no session yet: the fresh one");
        assert_eq!(
            store.session(t + 60_000, b.clone()),
            first,
            "a minute later: same session"
        );
        local
            .set_item(SESSION_KEY, &[first.as_str(), "|1"].concat())
            .unwrap();
        assert_eq!(store.session(t, b.clone()), b, "long idle: a new session");
        local
            .set_item(SESSION_KEY, &["not valid", "|", &t.to_string()].concat())
            .unwrap();
        assert_eq!(
            store.session(t, a.clone()),
            a,
            "an unreadable session: a new one"
        );
        let none = open(Tier::None);
        assert_eq!(none.session(t, b.clone()), b, "no storage: the fresh id");
    }

    #[wasm_bindgen_test]
    fn each_tier_uses_its_storage_and_erases_the_wider_ones() {
        let (local, session) = storages();
        local.clear().unwrap();
        session.clear().unwrap();
        let first = Some(RawTouch {
            landing: "https://a.com/?gclid=é".into(),
            referrer: "\"q\"".into(),
            at: 1,
        });
        let views = vec![RawTouch {
            landing: "https://a.com/?utm_source=x".into(),
            referrer: String::new(),
            at: 2,
        }];
        let j = (first.clone(), views.clone());
        open(Tier::Full).save_journey(&first, &views);
        assert_eq!(open(Tier::Full).journey(""), j);
        // A journey an earlier release stored: its last touch is a view.
        local
            .set_item(JOURNEY_KEY, r#"{"first":{"landing":"https://a.com/","at":1},"last":{"landing":"https://a.com/?utm_source=x","at":2}}"#)
            .unwrap();
        assert_eq!(
            open(Tier::Full).journey("").1[0].landing,
            "https://a.com/?utm_source=x"
        );
        open(Tier::Full).save_journey(&first, &views);
        assert!(local.get_item(JOURNEY_KEY).unwrap().is_some());
        // Session tier: local storage is erased, session storage used.
        let s = open(Tier::Session);
        assert!(local.get_item(JOURNEY_KEY).unwrap().is_none());
        s.save_journey(&first, &views);
        assert_eq!(open(Tier::Session).journey(""), j);
        assert!(session.get_item(JOURNEY_KEY).unwrap().is_some());
        // No consent: nothing kept anywhere, nothing written.
        let n = open(Tier::None);
        n.save_journey(&first, &views);
        n.session(1, "c".repeat(22));
        assert_eq!((local.length().unwrap(), session.length().unwrap()), (0, 0));
        assert_eq!(n.journey(""), (None, Vec::new()));
    }

    #[wasm_bindgen_test]
    fn reads_numbers_as_the_standard_parser_does() {
        for text in [
            "0",
            "1700000000000",
            "+12",
            "18446744073709551615",
            "18446744073709551616",
            "",
            "+",
            "-1",
            "1 ",
            "1e3",
            "١",
        ] {
            assert_eq!(parse_u64(text), text.parse::<u64>().ok(), "{text:?}");
        }
    }

    #[wasm_bindgen_test]
    fn stored_leases_come_back_only_while_live() {
        let (local, _) = storages();
        local.clear().unwrap();
        let store = open(Tier::Full);
        let slot = |lease: &str, expires_at| Slot {
            target: E164::parse("+12125550100").unwrap(),
            seen: true,
            number: Some(E164::parse("+12125550107").unwrap()),
            lease: Some(lease.into()),
            expires_at,
            shown: Vec::new(),
        };
        store.save_leases(&[slot("visitors.abc", 5_000)]);
        let back = store.leases(4_000);
        assert_eq!(back.len(), 1);
        assert_eq!(
            (back[0].lease.as_deref(), back[0].expires_at),
            (Some("visitors.abc"), 5_000)
        );
        assert!(store.leases(5_000).is_empty(), "expired");
        local.set_item(LEASES_KEY, "{corrupt").unwrap();
        assert!(store.leases(0).is_empty(), "unreadable storage is no lease");
    }
}
