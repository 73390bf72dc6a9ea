//! The page: finding the site's numbers and swapping them, in text and in `tel:` links.
//!
//! Only text and attributes are ever set, never HTML, so a number cannot inject markup. Places a
//! swap must never touch: scripts (JSON-LD included), styles, templates, form fields, editable
//! content, and anything inside a `data-dni-noswap` zone.

#[allow(unused_imports)]
use crate::prelude::*;

use dni_core::phone::{self, E164};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node};

/// Elements whose content is never swapped.
const NO_SWAP: &str =
    "script,style,noscript,template,textarea,input,select,option,[contenteditable],[data-dni-noswap]";

/// `whatToShow` for text nodes only.
const SHOW_TEXT: u32 = 4;

fn swappable(element: Option<Element>) -> bool {
    element.is_some_and(|e| e.closest(NO_SWAP).ok().flatten().is_none())
}

/// Calls `f` with each swappable text node and its text.
fn each_text(document: &Document, mut f: impl FnMut(&Node, &str)) {
    let Some(body) = document.body() else { return };
    let Ok(walker) = document.create_tree_walker_with_what_to_show(&body, SHOW_TEXT) else {
        return;
    };
    while let Ok(Some(node)) = walker.next_node() {
        if let Some(text) = node.node_value() {
            // Seven digits at least, or it cannot hold a phone number: most text nodes stop here.
            if text.bytes().filter(u8::is_ascii_digit).count() >= 7 {
                f(&node, &text);
            }
        }
    }
}

/// Calls `f` with each swappable `tel:` link and its `href`.
fn each_tel_link(document: &Document, mut f: impl FnMut(&Element, &str)) {
    let Ok(links) = document.query_selector_all("a[href^='tel:' i]") else {
        return;
    };
    for i in 0..links.length() {
        let Some(link) = links.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        if let Some(href) = link.get_attribute("href") {
            f(&link, &href);
        }
    }
}

/// The site's numbers that appear on the page (in swappable text or in `tel:` links).
pub fn targets_present(document: &Document, targets: &[E164]) -> Vec<E164> {
    let mut seen = vec![false; targets.len()];
    let mut mark = |text: &str, ok: bool| {
        if ok {
            for found in phone::find(text, targets) {
                if let Some(s) = seen.get_mut(found.target) {
                    *s = true;
                }
            }
        }
    };
    each_text(document, |node, text| {
        mark(text, swappable(node.parent_element()))
    });
    each_tel_link(document, |link, href| {
        mark(href, swappable(Some(link.clone())))
    });
    targets
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(t, _)| t.clone())
        .collect()
}

/// Replaces each `(from, to)` everywhere it may be replaced; returns how many places changed.
pub fn swap(document: &Document, swaps: &[(E164, E164)]) -> usize {
    if swaps.is_empty() {
        return 0;
    }
    let mut changed = 0;
    each_text(document, |node, text| {
        if let Some(new) = phone::replace(text, swaps) {
            if swappable(node.parent_element()) {
                node.set_node_value(Some(&new));
                changed += 1;
            }
        }
    });
    each_tel_link(document, |link, href| {
        if let Some(new) = phone::replace(href, swaps) {
            if swappable(Some(link.clone())) && link.set_attribute("href", &new).is_ok() {
                changed += 1;
            }
        }
    });
    changed
}
