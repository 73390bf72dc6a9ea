//! What the browser remembers (in `localStorage`): the visitor session and the raw touches.

#[allow(unused_imports)]
use crate::prelude::*;

use dni_core::attribution::{Journey, RawTouch};
use dni_core::json::Object;
use web_sys::Storage;

use crate::js::{get, get_str, get_u64, now, parse_json, random_id};

const SESSION_KEY: &str = "dni.session";
const JOURNEY_KEY: &str = "dni.journey";
/// A session ends after this long without a page view (GA4's session timeout).
const SESSION_IDLE_MS: u64 = 30 * 60 * 1000;

fn read(storage: Option<&Storage>, key: &str) -> Option<String> {
    storage?.get_item(key).ok().flatten()
}

fn write(storage: Option<&Storage>, key: &str, value: &str) {
    if let Some(storage) = storage {
        // Storage may be full or refused (private modes): the page goes on without it.
        let _ = storage.set_item(key, value);
    }
}

/// The visitor session id: kept while page views follow each other within the idle time, new
/// otherwise (or when storage is unavailable).
pub fn session(storage: Option<&Storage>, at: u64) -> String {
    let stored = read(storage, SESSION_KEY).and_then(|text| {
        let (id, seen) = text.split_once('|')?;
        let seen: u64 = seen.parse().ok()?;
        (at.saturating_sub(seen) < SESSION_IDLE_MS && dni_core::valid_id(id)).then(|| id.to_owned())
    });
    let id = stored.unwrap_or_else(random_id);
    let mut value = id.clone();
    value.push('|');
    dni_core::json::push_u64(&mut value, at.max(now()));
    write(storage, SESSION_KEY, &value);
    id
}

fn touch_json(t: &RawTouch) -> String {
    Object::new()
        .string("landing", &t.landing)
        .string("referrer", &t.referrer)
        .number("at", t.at)
        .finish()
}

fn touch_from(value: &wasm_bindgen::JsValue) -> Option<RawTouch> {
    Some(RawTouch {
        landing: get_str(value, "landing")?,
        referrer: get_str(value, "referrer").unwrap_or_default(),
        at: get_u64(value, "at")?,
    })
}

/// The journey as JSON (what is stored and sent).
pub fn journey_json(journey: &Journey) -> String {
    let mut object = Object::new();
    if let Some(first) = &journey.first {
        object = object.raw("first", &touch_json(first));
    }
    if let Some(last) = &journey.last {
        object = object.raw("last", &touch_json(last));
    }
    object.finish()
}

/// The stored journey (empty when there is none or it is unreadable).
pub fn journey(storage: Option<&Storage>) -> Journey {
    let Some(json) = read(storage, JOURNEY_KEY).and_then(|text| parse_json(&text)) else {
        return Journey::default();
    };
    Journey {
        first: touch_from(&get(&json, "first")),
        last: touch_from(&get(&json, "last")),
    }
}

/// Stores the journey.
pub fn save_journey(storage: Option<&Storage>, journey: &Journey) {
    write(storage, JOURNEY_KEY, &journey_json(journey));
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn storage() -> Storage {
        web_sys::window().unwrap().local_storage().unwrap().unwrap()
    }

    #[wasm_bindgen_test]
    fn keeps_the_session_within_the_idle_time() {
        let s = storage();
        s.clear().unwrap();
        let t = now();
        let first = session(Some(&s), t);
        assert!(dni_core::valid_id(&first), "{first}");
        assert_eq!(
            session(Some(&s), t + 60_000),
            first,
            "a minute later: same session"
        );
        s.set_item(SESSION_KEY, &[first.as_str(), "|1"].concat())
            .unwrap();
        assert_ne!(session(Some(&s), t), first, "long idle: a new session");
        assert_ne!(
            session(None, t),
            session(None, t),
            "no storage: a fresh id each time"
        );
    }

    #[wasm_bindgen_test]
    fn stores_and_reads_the_journey() {
        let s = storage();
        s.clear().unwrap();
        assert_eq!(journey(Some(&s)), Journey::default());
        let touch = |landing: &str, at| RawTouch {
            landing: landing.into(),
            referrer: "https://x.org/\"q\"".into(),
            at,
        };
        let j = Journey {
            first: Some(touch("https://a.com/?utm_source=x", 1)),
            last: Some(touch("https://a.com/?gclid=é", 2)),
        };
        save_journey(Some(&s), &j);
        assert_eq!(journey(Some(&s)), j);
        s.set_item(JOURNEY_KEY, "{corrupt").unwrap();
        assert_eq!(
            journey(Some(&s)),
            Journey::default(),
            "unreadable storage is an empty journey"
        );
    }
}
