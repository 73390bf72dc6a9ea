//! Small bridges to the JavaScript world: time, randomness, JSON and object fields.

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
    let mut bytes = [0u8; 17];
    get_random_values(&mut bytes[..16]);
    // Three bytes make four characters; the seventeenth byte only pads the last group.
    let mut id = String::with_capacity(24);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for shift in [18, 12, 6, 0] {
            id.push(char::from(
                ALPHABET
                    .get((n >> shift & 63) as usize)
                    .copied()
                    .unwrap_or(b'A'),
            ));
        }
    }
    id.truncate(22);
    id
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

/// The strings of a JSON array.
pub fn strings(value: &JsValue) -> Vec<String> {
    js_sys::Array::from(value)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}
