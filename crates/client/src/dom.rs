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

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn e(s: &str) -> E164 {
        E164::parse(s).unwrap()
    }

    /// Appends a fixture to the body (never replacing the body: the test runner's output lives there).
    fn fixture(html: &str) -> (Document, Element) {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        root.set_inner_html(html);
        document.body().unwrap().append_child(&root).unwrap();
        (document, root)
    }

    #[wasm_bindgen_test]
    fn swaps_text_and_links_in_the_pages_own_format() {
        let (document, root) = fixture(
            r#"<p id="a">(212) 555-0100</p><p id="b">212.555.0100</p><p id="c">+1 212-555-0100</p>
               <p id="d">1 (212) 555 0100</p><p id="e">212 555 0100</p><p id="f">+12125550100</p>
               <a id="t1" href="tel:+12125550100">x</a><a id="t2" href="TEL:212-555-0100">y</a>"#,
        );
        let changed = swap(&document, &[(e("+12125550100"), e("+12125550107"))]);
        // (element, text or href after the swap)
        let table = [
            ("a", "(212) 555-0107"),
            ("b", "212.555.0107"),
            ("c", "+1 212-555-0107"),
            ("d", "1 (212) 555 0107"),
            ("e", "212 555 0107"),
            ("f", "+12125550107"),
        ];
        for (id, want) in table {
            let got = document
                .get_element_by_id(id)
                .unwrap()
                .text_content()
                .unwrap();
            assert_eq!(got, want, "#{id}");
        }
        let href = |id: &str| {
            document
                .get_element_by_id(id)
                .unwrap()
                .get_attribute("href")
                .unwrap()
        };
        assert_eq!(href("t1"), "tel:+12125550107");
        assert_eq!(href("t2"), "TEL:212-555-0107");
        assert!(changed >= 8);
        root.remove();
    }

    #[wasm_bindgen_test]
    fn never_touches_scripts_fields_or_no_swap_zones() {
        let (document, root) = fixture(
            r#"<script type="application/ld+json">{"telephone": "+1 212 555 0100"}</script>
               <style>/* 212-555-0100 */</style><textarea id="ta">212-555-0100</textarea>
               <input id="in" value="212-555-0100"><div data-dni-noswap><p id="ns">212-555-0100</p>
               <a id="nl" href="tel:2125550100">z</a></div><p id="ok">212-555-0100</p>"#,
        );
        swap(&document, &[(e("+12125550100"), e("+12125550107"))]);
        let text = |selector: &str| {
            root.query_selector(selector)
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        };
        assert!(text("script").contains("555 0100"), "JSON-LD untouched");
        assert!(text("style").contains("555-0100"), "style untouched");
        assert_eq!(text("#ta"), "212-555-0100");
        assert_eq!(
            root.query_selector("#in")
                .unwrap()
                .unwrap()
                .get_attribute("value")
                .unwrap(),
            "212-555-0100"
        );
        assert_eq!(text("#ns"), "212-555-0100");
        assert_eq!(
            root.query_selector("#nl")
                .unwrap()
                .unwrap()
                .get_attribute("href")
                .unwrap(),
            "tel:2125550100"
        );
        assert_eq!(text("#ok"), "212-555-0107", "the control is swapped");
        root.remove();
    }

    #[wasm_bindgen_test]
    fn markup_in_text_stays_text() {
        let (document, root) = fixture(r#"<p id="m">&lt;b&gt;212-555-0100&lt;/b&gt;</p>"#);
        swap(&document, &[(e("+12125550100"), e("+12125550107"))]);
        let p = root.query_selector("#m").unwrap().unwrap();
        assert_eq!(p.text_content().unwrap(), "<b>212-555-0107</b>");
        assert_eq!(p.child_element_count(), 0, "no element was created");
        root.remove();
    }

    #[wasm_bindgen_test]
    fn finds_which_targets_the_page_shows() {
        let (document, root) =
            fixture(r#"<p>Call (212) 555-0100</p><a href="tel:+13125550100">x</a>"#);
        let targets = [e("+12125550100"), e("+13125550100"), e("+14155550100")];
        assert_eq!(
            targets_present(&document, &targets),
            vec![e("+12125550100"), e("+13125550100")]
        );
        root.remove();
    }
}
