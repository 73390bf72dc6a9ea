//! Small bridges to the JavaScript world: time, randomness, object fields, automation checks.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Reflect;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// Milliseconds since the epoch.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// A random id: 16 bytes from the browser's CSPRNG, base64url (22 characters).
pub fn random_id() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 16];
    get_random_values(&mut bytes);
    // 6 bits per character; 22 characters cover 128 bits (the last one carries 2).
    let mut bits: u128 = 0;
    for b in bytes {
        bits = bits << 8 | u128::from(b);
    }
    (0..22)
        .map(|i| {
            char::from(
                ALPHABET
                    .get(((bits >> (i * 6)) & 63) as usize)
                    .copied()
                    .unwrap_or(b'A'),
            )
        })
        .collect()
}

/// `object[key]`, or `undefined`.
pub fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key]` as a string, if it is one.
pub fn get_str(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

/// `object[key]` as a non-negative whole number, if it is a number.
pub fn get_u64(object: &JsValue, key: &str) -> Option<u64> {
    get(object, key)
        .as_f64()
        .filter(|n| *n >= 0.0)
        .map(|n| n as u64)
}

/// Parses JSON text with the browser's own parser.
pub fn parse_json(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

/// Automated browsers and known bots never take a number from a pool.
pub fn automated(window: &web_sys::Window) -> bool {
    let navigator = window.navigator();
    let webdriver = get(&navigator, "webdriver").as_bool().unwrap_or(false);
    webdriver || dni_core::bots::is_bot(&navigator.user_agent().unwrap_or_default())
}
