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
//! A number split over several elements within one block (`<b>(212)</b> 555-0100`,
//! `<span>212</span>.<span>555</span>.<span>0100</span>`) is found in the block's text and swapped
//! digit for digit in place, each text node keeping its own characters, so the markup is never
//! touched; when the replacement would change the text's length (another numbering plan), the
//! split number is left whole as the page wrote it, never half-swapped.

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::phone::{self, E164};
use wasm_bindgen::JsCast;
use web_sys::{Document, Node};

// Node properties are read through `js` (`Reflect.get`, one import for them all), not web-sys's
// getters: each of those is an import with its own glue on the page.
use crate::js::{get_node, get_str};

/// Text nodes in or at the context node, then the filter, then: outside the places a swap must
/// never touch.
const TEXT: &str = "descendant-or-self::text()";
const TEXT_OUTSIDE: &str =
    "[not(ancestor::script|ancestor::style|ancestor::noscript|ancestor::template\
|ancestor::textarea|ancestor::select|ancestor::*[@data-dni-noswap]|ancestor::*[@contenteditable])]";

/// Attributes that may hold a number: `tel:` links, `title`, `aria-label`, `data-dni-*`.
const ATTRS: &str =
    "descendant-or-self::*/@*[(name()='href' and starts-with(translate(.,'TEL','tel'),'tel:'))\
or name()='title' or name()='aria-label' or starts-with(name(),'data-dni-')]";
const ATTRS_OUTSIDE: &str = "[not(ancestor::*[@data-dni-noswap])]";

/// The filter that keeps the browser's XPath engine from handing over every text with digits (a
/// shop's prices, order numbers): the text, with full-width digits read as digits and without the
/// separators a number is written with (`dni_core::phone`'s), must contain the last four digits of
/// a number looked for. Every way of writing a number keeps them together once the separators are
/// gone. Empty when nothing is looked for.
fn filter(numbers: &[&E164]) -> String {
    let mut out = String::new();
    for n in numbers {
        // (A number listed twice only makes the expression longer.)
        let digits = n.digits();
        let Some(last4) = digits.get(digits.len().saturating_sub(4)..) else {
            continue;
        };
        out.push_str(if out.is_empty() { "[" } else { " or " });
        // (`translate` maps the full-width digits to the ten ASCII ones and drops the rest.)
        out.push_str("contains(translate(.,'\u{ff10}\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff15}\u{ff16}\u{ff17}\u{ff18}\u{ff19} -.()/\u{a0}\u{2010}\u{2011}\u{2012}\u{2013}\u{2009}\u{202f}\u{2212}\u{3000}\u{ff08}\u{ff09}\u{ff0d}','0123456789'),'");
        out.push_str(last4);
        out.push_str("')");
    }
    if !out.is_empty() {
        out.push(']');
    }
    out
}

/// `UNORDERED_NODE_SNAPSHOT_TYPE`, and `ORDERED_NODE_SNAPSHOT_TYPE` (document order).
const SNAPSHOT: u16 = 6;
const ORDERED: u16 = 7;

/// The elements a block's text runs through: a number split over them is one number.
const INLINE: &str = "A|ABBR|B|BDI|BDO|CITE|CODE|DFN|EM|FONT|I|KBD|MARK|Q|S|SAMP|SMALL|SPAN|STRONG|SUB|SUP|TIME|U|VAR";

/// `DOCUMENT_FRAGMENT_NODE`: a shadow root.
const FRAGMENT: u16 = 11;

/// Calls `each` with every node the XPath `expression` finds from `root`. (Snapshots do not
/// change when the nodes do, so `each` may set their values.)
fn query(root: &Node, expression: &str, kind: u16, each: &mut impl FnMut(&Node)) {
    // Only a document has no owner document.
    let document: Document = match get_node(root, "ownerDocument") {
        Some(d) => d.unchecked_into(),
        None => root.clone().unchecked_into(),
    };
    let Ok(result) = document.evaluate_with_opt_callback_and_type(expression, root, None, kind)
    else {
        return;
    };
    // Past the last node the snapshot answers null.
    let mut i = 0;
    while let Ok(Some(node)) = result.snapshot_item(i) {
        each(&node);
        i += 1;
    }
}

/// Looks at the text nodes and attributes under `root` that may hold a number: notes which of
/// `targets` appear (indices into `targets`, each once), and replaces each `(from, to)` of `swaps`
/// wherever it may. Returns the targets seen and how many places changed.
pub fn scan(root: &Node, targets: &[&E164], swaps: &[(&E164, &E164)]) -> (Vec<usize>, u32) {
    let mut seen = Vec::new();
    let mut changed = 0;
    // The blocks looked at for split numbers in this pass.
    let mut blocks: Vec<Node> = Vec::new();
    let mut each = |node: &Node| {
        let Some(text) = get_str(node, "nodeValue") else {
            return;
        };
        let found = phone::find_among(&text, targets);
        let new = phone::replace_among(&text, swaps);
        if found.is_empty() && new.is_none() && node.node_type() == TEXT_NODE {
            changed += split(node, targets, swaps, &mut seen, &mut blocks);
        }
        for found in &found {
            if !seen.contains(&found.target) {
                seen.push(found.target);
            }
        }
        if let Some(new) = new {
            // An attribute's node value is its value: one setter for text and attributes.
            node.set_node_value(Some(&new));
            changed += 1;
        }
    };
    let mut numbers: Vec<&E164> = Vec::with_capacity(targets.len() + swaps.len());
    numbers.extend_from_slice(targets);
    for (from, _) in swaps {
        numbers.push(from);
    }
    let filter = filter(&numbers);
    if filter.is_empty() {
        return (seen, changed);
    }
    let mut text = String::from(TEXT);
    text.push_str(&filter);
    text.push_str(TEXT_OUTSIDE);
    let mut attrs = String::from(ATTRS);
    attrs.push_str(&filter);
    attrs.push_str(ATTRS_OUTSIDE);
    if root.node_type() == FRAGMENT {
        // XPath does not start from a shadow root itself: query each of its children.
        let mut child = get_node(root, "firstChild");
        while let Some(c) = child {
            query(&c, &text, SNAPSHOT, &mut each);
            query(&c, &attrs, SNAPSHOT, &mut each);
            child = get_node(&c, "nextSibling");
        }
    } else {
        query(root, &text, SNAPSHOT, &mut each);
        query(root, &attrs, SNAPSHOT, &mut each);
    }
    (seen, changed)
}

/// `TEXT_NODE`.
const TEXT_NODE: u16 = 3;

/// A text node that holds the end of a number looked for but no whole one: the number may be split
/// over the inline elements of its block. Reads the block's text (its text nodes in document order,
/// outside the places never touched), notes the targets in it, and writes the replacement back
/// node by node, each keeping its own characters (digits change, nothing else does). Returns how
/// many nodes changed. `blocks` are those already looked at in this pass.
fn split(
    node: &Node,
    targets: &[&E164],
    swaps: &[(&E164, &E164)],
    seen: &mut Vec<usize>,
    blocks: &mut Vec<Node>,
) -> u32 {
    let mut block = get_node(node, "parentNode");
    while let Some(b) = &block {
        if !dni_core::text::one_of_ci(&get_str(b, "nodeName").unwrap_or_default(), INLINE) {
            break;
        }
        block = get_node(b, "parentNode");
    }
    let Some(block) = block else { return 0 };
    for b in blocks.iter() {
        if b.is_same_node(Some(&block)) {
            return 0;
        }
    }
    blocks.push(block.clone());
    let (mut nodes, mut text, mut ends) = (Vec::new(), String::new(), Vec::new());
    let mut expression = String::from("descendant::text()");
    expression.push_str(TEXT_OUTSIDE);
    query(&block, &expression, ORDERED, &mut |n: &Node| {
        if let Some(value) = get_str(n, "nodeValue") {
            text.push_str(&value);
            nodes.push(n.clone());
            ends.push(text.len());
        }
    });
    for found in &phone::find_among(&text, targets) {
        if !seen.contains(&found.target) {
            seen.push(found.target);
        }
    }
    let Some(new) = phone::replace_among(&text, swaps).filter(|n| n.len() == text.len()) else {
        return 0;
    };
    let (mut start, mut changed) = (0, 0);
    for (n, &end) in nodes.iter().zip(&ends) {
        if let (Some(old), Some(part)) = (text.get(start..end), new.get(start..end)) {
            if old != part {
                n.set_node_value(Some(part));
                changed += 1;
            }
        }
        start = end;
    }
    changed
}

#[cfg(all(test, target_arch = "wasm32"))]
pub(crate) mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
    use web_sys::Element;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Which of `targets` appear under `root` (indices into `targets`).
    fn targets_in(root: &Node, targets: &[E164]) -> Vec<usize> {
        scan(root, &targets.iter().collect::<Vec<_>>(), &[]).0
    }

    /// Replaces each `(from, to)` under `root` wherever it may; returns how many places changed.
    fn swap(root: &Node, swaps: &[(E164, E164)]) -> u32 {
        let swaps: Vec<_> = swaps.iter().map(|(from, to)| (from, to)).collect();
        scan(root, &[], &swaps).1
    }

    fn e(s: &str) -> E164 {
        E164::parse(s).unwrap()
    }

    /// Appends a fixture to the body (never replacing the body: the test runner's output lives there).
    pub(crate) fn fixture(html: &str) -> Element {
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
               <p id="g">２１２‐５５５‐０１００</p><p id="h">212/555-0100</p><p id="i">(212) 555-0100x12</p>
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
            // Full-width digits (the XPath filter reads them as digits), a slash, an extension.
            ("#g", "２１２‐５５５‐０１０７"),
            ("#h", "212/555-0107"),
            ("#i", "(212) 555-0107x12"),
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
        assert_eq!(changed, 14);
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
    fn a_number_split_over_elements_is_swapped_within_its_block() {
        let root = fixture(
            r#"<p id="s1"><b>(212)</b> 555-0100</p>
               <p id="s2"><span>212</span>.<span>555</span>.<span>0100</span></p>
               <p id="s3">Call <a href="/c"><strong>+1</strong> 212 <em>555</em></a>-0100 now</p>
               <div id="s4"><p>Order 212</p><p>5550100</p></div>
               <p id="s5"><b>(212)</b> 555-0100 <span data-dni-noswap>x</span></p>"#,
        );
        let targets = [e("+12125550100")];
        let seen = targets_in(&root.query_selector("#s2").unwrap().unwrap(), &targets);
        assert_eq!(seen, vec![0], "a split number is seen");
        swap(&root, &swaps());
        // (selector, text after the swap, the markup kept)
        let table = [
            ("#s1", "(212) 555-0107", "<b>(212)</b> 555-0107"),
            (
                "#s2",
                "212.555.0107",
                "<span>212</span>.<span>555</span>.<span>0107</span>",
            ),
            (
                "#s3",
                "Call +1 212 555-0107 now",
                r#"Call <a href="/c"><strong>+1</strong> 212 <em>555</em></a>-0107 now"#,
            ),
            ("#s4", "Order 2125550100", "<p>Order 212</p><p>5550100</p>"),
            (
                "#s5",
                "(212) 555-0107 x",
                r#"<b>(212)</b> 555-0107 <span data-dni-noswap="">x</span>"#,
            ),
        ];
        for (selector, want, markup) in table {
            assert_eq!(text(&root, selector), want, "{selector}");
            let html = root.query_selector(selector).unwrap().unwrap().inner_html();
            assert_eq!(html, markup, "{selector}");
        }
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
