//! The page: finding the site's numbers and swapping them, in text, `tel:` links and opted-in
//! attributes (`title`, `aria-label`, `data-dni-*`).
//!
//! The browser's XPath engine does the walking: one query finds the text nodes with seven digits or
//! more outside the places a swap must never touch, another the attributes; only those few nodes
//! cross into the module. Only text and attribute values are ever set, never HTML, so a number can
//! never inject markup.
//!
//! Never touched: scripts (JSON-LD included), styles, `noscript`, templates, form fields, editable
//! content, and anything inside a `data-dni-noswap` zone.
//!
//! A known limit: a number split over several elements (`<b>(212)</b> 555-0100`) is not found, and
//! so is left whole as the page wrote it, never half-swapped.

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::phone::{self, E164};
use wasm_bindgen::JsCast;
use web_sys::{Attr, Document, Node};

/// At least seven digits: anything shorter cannot hold a phone number.
const DIGITS: &str = "[string-length(.)-string-length(translate(.,'0123456789',''))>6]";

/// Text nodes that may hold a number, in or at the context node.
const TEXT: &str = "descendant-or-self::text()";
const TEXT_OUTSIDE: &str =
    "[not(ancestor::script|ancestor::style|ancestor::noscript|ancestor::template\
|ancestor::textarea|ancestor::select|ancestor::*[@data-dni-noswap]|ancestor::*[@contenteditable])]";

/// Attributes that may hold a number: `tel:` links, `title`, `aria-label`, `data-dni-*`.
const ATTRS: &str =
    "descendant-or-self::*/@*[(name()='href' and starts-with(translate(.,'TEL','tel'),'tel:'))\
or name()='title' or name()='aria-label' or starts-with(name(),'data-dni-')]";
const ATTRS_OUTSIDE: &str = "[not(ancestor::*[@data-dni-noswap])]";

/// `UNORDERED_NODE_SNAPSHOT_TYPE`.
const SNAPSHOT: u16 = 6;

/// The nodes an XPath query finds from `root`.
fn query(root: &Node, parts: [&str; 3]) -> Vec<Node> {
    // Node types, not `instanceof`: a frame's nodes belong to another realm, whose constructors
    // differ from this window's.
    let document = match root.owner_document() {
        Some(d) => d,
        None if root.node_type() == DOCUMENT => root.clone().unchecked_into::<Document>(),
        None => return Vec::new(),
    };
    let expression = parts.concat();
    let Ok(result) =
        document.evaluate_with_opt_callback_and_type(&expression, root, None, SNAPSHOT)
    else {
        return Vec::new();
    };
    let count = result.snapshot_length().unwrap_or(0);
    (0..count)
        .filter_map(|i| result.snapshot_item(i).ok().flatten())
        .collect()
}

/// `ATTRIBUTE_NODE`.
const ATTRIBUTE: u16 = 2;
/// `DOCUMENT_NODE`.
const DOCUMENT: u16 = 9;
/// `DOCUMENT_FRAGMENT_NODE`: a shadow root.
const FRAGMENT: u16 = 11;

/// Text nodes and attributes under `root` that may hold a number, with their text.
fn candidates(root: &Node) -> Vec<(Node, String)> {
    let mut nodes = Vec::new();
    if root.node_type() == FRAGMENT {
        // XPath does not start from a shadow root itself: query each of its children.
        let children = root.child_nodes();
        for i in 0..children.length() {
            if let Some(child) = children.item(i) {
                nodes.extend(query(&child, [TEXT, DIGITS, TEXT_OUTSIDE]));
                nodes.extend(query(&child, [ATTRS, DIGITS, ATTRS_OUTSIDE]));
            }
        }
    } else {
        nodes.extend(query(root, [TEXT, DIGITS, TEXT_OUTSIDE]));
        nodes.extend(query(root, [ATTRS, DIGITS, ATTRS_OUTSIDE]));
    }
    nodes
        .into_iter()
        .filter_map(|node| {
            let value = node.node_value()?;
            Some((node, value))
        })
        .collect()
}

/// Which of `targets` appear under `root` (indices into `targets`).
pub fn targets_in(root: &Node, targets: &[E164]) -> Vec<usize> {
    let mut seen = Vec::new();
    for (_, text) in candidates(root) {
        for found in phone::find(&text, targets) {
            if !seen.contains(&found.target) {
                seen.push(found.target);
            }
        }
    }
    seen
}

/// Replaces each `(from, to)` under `root` wherever it may; returns how many places changed.
pub fn swap(root: &Node, swaps: &[(E164, E164)]) -> u32 {
    if swaps.is_empty() {
        return 0;
    }
    let mut changed = 0;
    for (node, text) in candidates(root) {
        let Some(new) = phone::replace(&text, swaps) else {
            continue;
        };
        if node.node_type() == ATTRIBUTE {
            node.unchecked_ref::<Attr>().set_value(&new);
        } else {
            node.set_node_value(Some(&new));
        }
        changed += 1;
    }
    changed
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
    use web_sys::Element;

    wasm_bindgen_test_configure!(run_in_browser);

    fn e(s: &str) -> E164 {
        E164::parse(s).unwrap()
    }

    /// Appends a fixture to the body (never replacing the body: the test runner's output lives there).
    fn fixture(html: &str) -> Element {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        root.set_inner_html(html);
        document.body().unwrap().append_child(&root).unwrap();
        root
    }

    fn text(root: &Element, selector: &str) -> String {
        root.query_selector(selector)
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    }

    fn attr(root: &Element, selector: &str, name: &str) -> String {
        root.query_selector(selector)
            .unwrap()
            .unwrap()
            .get_attribute(name)
            .unwrap()
    }

    const SWAP: [(&str, &str); 1] = [("+12125550100", "+12125550107")];

    fn swaps() -> Vec<(E164, E164)> {
        SWAP.iter().map(|(a, b)| (e(a), e(b))).collect()
    }

    #[wasm_bindgen_test]
    fn swaps_text_links_and_opted_in_attributes_in_the_pages_own_format() {
        let root = fixture(
            r#"<p id="a">(212) 555-0100</p><p id="b">212.555.0100</p><p id="c">+1 212-555-0100</p>
               <p id="d">1 (212) 555 0100</p><p id="e">212 555 0100</p><p id="f">+12125550100</p>
               <a id="t1" href="tel:+12125550100">x</a><a id="t2" href="TEL:212-555-0100">y</a>
               <button id="b1" title="Call 212-555-0100" aria-label="Call (212) 555-0100" data-dni-number="2125550100"
                 data-other="2125550100">z</button>"#,
        );
        let changed = swap(&root, &swaps());
        // (selector, text after the swap)
        let table = [
            ("#a", "(212) 555-0107"),
            ("#b", "212.555.0107"),
            ("#c", "+1 212-555-0107"),
            ("#d", "1 (212) 555 0107"),
            ("#e", "212 555 0107"),
            ("#f", "+12125550107"),
        ];
        for (selector, want) in table {
            assert_eq!(text(&root, selector), want, "{selector}");
        }
        // (selector, attribute, value after the swap)
        let attrs = [
            ("#t1", "href", "tel:+12125550107"),
            ("#t2", "href", "TEL:212-555-0107"),
            ("#b1", "title", "Call 212-555-0107"),
            ("#b1", "aria-label", "Call (212) 555-0107"),
            ("#b1", "data-dni-number", "2125550107"),
            ("#b1", "data-other", "2125550100"),
        ];
        for (selector, name, want) in attrs {
            assert_eq!(attr(&root, selector, name), want, "{selector} {name}");
        }
        assert_eq!(changed, 11);
        root.remove();
    }

    #[wasm_bindgen_test]
    fn never_touches_scripts_fields_or_no_swap_zones() {
        let root = fixture(
            r#"<script type="application/ld+json">{"telephone": "+1 212 555 0100"}</script>
               <style>/* 212-555-0100 */</style><noscript>212-555-0100</noscript><textarea id="ta">212-555-0100</textarea>
               <input id="in" value="212-555-0100"><select><option>212-555-0100</option></select>
               <div data-dni-noswap><p id="ns">212-555-0100</p><a id="nl" href="tel:2125550100" title="212-555-0100">z</a></div>
               <div contenteditable><p id="ce">212-555-0100</p></div><a id="wa" href="https://wa.me/12125550100">w</a>
               <p id="ok">212-555-0100</p>"#,
        );
        swap(&root, &swaps());
        assert!(
            text(&root, "script").contains("555 0100"),
            "JSON-LD untouched"
        );
        assert!(text(&root, "style").contains("555-0100"), "style untouched");
        assert_eq!(text(&root, "#ta"), "212-555-0100");
        assert_eq!(attr(&root, "#in", "value"), "212-555-0100");
        assert_eq!(text(&root, "option"), "212-555-0100");
        assert_eq!(text(&root, "#ns"), "212-555-0100");
        assert_eq!(attr(&root, "#nl", "href"), "tel:2125550100");
        assert_eq!(attr(&root, "#nl", "title"), "212-555-0100");
        assert_eq!(text(&root, "#ce"), "212-555-0100");
        assert_eq!(
            attr(&root, "#wa", "href"),
            "https://wa.me/12125550100",
            "only tel: links"
        );
        assert_eq!(text(&root, "#ok"), "212-555-0107", "the control is swapped");
        root.remove();
    }

    #[wasm_bindgen_test]
    fn markup_in_text_stays_text() {
        let root = fixture(r#"<p id="m">&lt;b&gt;212-555-0100&lt;/b&gt;</p>"#);
        swap(&root, &swaps());
        let p = root.query_selector("#m").unwrap().unwrap();
        assert_eq!(p.text_content().unwrap(), "<b>212-555-0107</b>");
        assert_eq!(p.child_element_count(), 0, "no element was created");
        root.remove();
    }

    #[wasm_bindgen_test]
    fn a_number_split_over_elements_is_left_whole() {
        let root = fixture(r#"<p id="s"><b>(212)</b> 555-0100</p>"#);
        assert_eq!(swap(&root, &swaps()), 0);
        assert_eq!(text(&root, "#s"), "(212) 555-0100");
        root.remove();
    }

    #[wasm_bindgen_test]
    fn works_on_a_text_node_and_in_a_shadow_root() {
        let root = fixture(r#"<p id="t">Call 212-555-0100</p><div id="host"></div>"#);
        let node = root
            .query_selector("#t")
            .unwrap()
            .unwrap()
            .first_child()
            .unwrap();
        assert_eq!(swap(&node, &swaps()), 1, "a text node as the root");
        let host = root.query_selector("#host").unwrap().unwrap();
        let shadow = host
            .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .unwrap();
        shadow.set_inner_html(r#"<span>212-555-0100</span>"#);
        assert_eq!(targets_in(&shadow, &[e("+12125550100")]), vec![0]);
        assert_eq!(swap(&shadow, &swaps()), 1);
        assert_eq!(shadow.text_content().unwrap(), "212-555-0107");
        root.remove();
    }

    #[wasm_bindgen_test]
    fn finds_which_targets_the_page_shows() {
        let root = fixture(r#"<p>Call (212) 555-0100</p><a href="tel:+13125550100">x</a>"#);
        let targets = [e("+12125550100"), e("+13125550100"), e("+14155550100")];
        let mut found = targets_in(&root, &targets);
        found.sort();
        assert_eq!(found, vec![0, 1]);
        root.remove();
    }
}
