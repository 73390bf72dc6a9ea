//! A small bridge to the JavaScript world: object fields.
//!
//! Each import costs glue in the loader and a shim in the module, so there are few of them, and the
//! readers are lenient: a field that is missing or of another type is `None`, never an exception.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Node;

#[wasm_bindgen]
extern "C" {
    /// `Reflect.get(target, key)`; it throws when `target` is not an object.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get(target: &JsValue, key: &str) -> Result<JsValue, JsValue>;
}

/// `object[key]`, or `undefined` (also when `object` is not an object).
pub fn get(object: &JsValue, key: &str) -> JsValue {
    reflect_get(object, key).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key]` as a string, if it is one.
pub fn get_str(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

/// `object[key]` as a DOM node, if it is one (`ownerDocument`, `parentNode`, ...; `None` for
/// `null`): the same property read as web-sys's getter, whose glue does `object.key` too, without
/// one more import and its glue on the page.
pub fn get_node(object: &JsValue, key: &str) -> Option<Node> {
    let value = get(object, key);
    value.is_object().then(|| value.unchecked_into())
}
