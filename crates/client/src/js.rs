//! Small bridges to the JavaScript world: JSON and object fields.
//!
//! Each import costs glue in the loader and a shim in the module, so there are few of them, and the
//! readers are lenient: a field that is missing or of another type is `None`, never an exception.

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::json::push_u64;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Node;

#[wasm_bindgen]
extern "C" {
    /// `Reflect.get(target, key)`; it throws when `target` is not an object.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get(target: &JsValue, key: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;
}

/// `object[key]`, or `undefined` (also when `object` is not an object).
pub fn get(object: &JsValue, key: &str) -> JsValue {
    reflect_get(object, key).unwrap_or(JsValue::UNDEFINED)
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

/// `object[key]` as a DOM node, if it is one (`ownerDocument`, `parentNode`, ...; `None` for
/// `null`): the same property read as web-sys's getter, whose glue does `object.key` too, without
/// one more import and its glue on the page.
pub fn get_node(object: &JsValue, key: &str) -> Option<Node> {
    let value = get(object, key);
    value.is_object().then(|| value.unchecked_into())
}

/// Parses JSON text with the browser's own parser.
pub fn parse_json(text: &str) -> Option<JsValue> {
    json_parse(text).ok()
}

/// The items of a JSON array, in order (none when `value` is not an array).
pub fn items(value: &JsValue) -> Items<'_> {
    Items {
        array: value,
        next: 0,
    }
}

/// See [`items`].
pub struct Items<'a> {
    array: &'a JsValue,
    next: u64,
}

impl Iterator for Items<'_> {
    type Item = JsValue;

    fn next(&mut self) -> Option<JsValue> {
        let mut index = String::new();
        push_u64(&mut index, self.next);
        let item = get(self.array, &index);
        if item.is_undefined() {
            return None;
        }
        self.next += 1;
        Some(item)
    }
}
