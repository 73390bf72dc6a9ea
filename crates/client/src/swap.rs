//! The page's texts: which of the site's numbers a text shows, and the text with numbers swapped,
//! digit for digit in the page's own format (`dni_core::phone`).
//!
//! The loader walks the page (the browser's tree walker and selector engine, with a cheap test on
//! the last four digits of the numbers looked for) and hands over only the texts and attribute
//! values that may hold one, as strings: the module reads no DOM, so it carries no DOM bindings.
//! Where a text goes back (a node's value, never HTML) and what is never touched (scripts, form
//! fields, editable content, no-swap zones) is the loader's to keep.

#[allow(unused_imports)]
use crate::prelude::*;
use dni_core::phone::{self, E164};

/// Which of `targets` `text` shows: bit `i` for the target with index `i` (its place in the
/// loader's list, where an entry that is not E.164 was left out and kept its index).
pub fn found(text: &str, targets: &[(usize, E164)]) -> u32 {
    let mut look = Vec::new();
    for (_, t) in targets {
        look.push(t);
    }
    let mut bits = 0u32;
    for found in phone::find_among(text, &look) {
        if let Some((i, _)) = targets.get(found.target) {
            bits |= 1u32.checked_shl(*i as u32).unwrap_or(0);
        }
    }
    bits
}

/// `text` with each `(from, to)` of `swaps` replaced wherever it appears; `None` when nothing
/// changes.
pub fn replaced(text: &str, swaps: &[(E164, E164)]) -> Option<String> {
    let mut by_ref = Vec::new();
    for (from, to) in swaps {
        by_ref.push((from, to));
    }
    phone::replace_among(text, &by_ref)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> E164 {
        E164::parse(s).unwrap()
    }

    #[test]
    fn swaps_every_format_in_the_pages_own() {
        let swaps = [(e("+12125550100"), e("+12125550107"))];
        // (text, after the swap; None: unchanged)
        let table = [
            ("(212) 555-0100", Some("(212) 555-0107")),
            ("212.555.0100", Some("212.555.0107")),
            ("+1 212-555-0100", Some("+1 212-555-0107")),
            ("1 (212) 555 0100", Some("1 (212) 555 0107")),
            ("212 555 0100", Some("212 555 0107")),
            ("+12125550100", Some("+12125550107")),
            ("2125550100", Some("2125550107")),
            // Full-width digits stay full-width; a slash; an extension kept.
            ("２１２‐５５５‐０１００", Some("２１２‐５５５‐０１０７")),
            ("212/555-0100", Some("212/555-0107")),
            ("(212) 555-0100x12", Some("(212) 555-0107x12")),
            // tel: links, percent-encoded separators kept.
            ("tel:+12125550100", Some("tel:+12125550107")),
            ("TEL:212-555-0100", Some("TEL:212-555-0107")),
            (
                "tel:%2B1%20212%20555%200100",
                Some("tel:%2B1%20212%20555%200107"),
            ),
            (
                "Call 212-555-0100 or 212-555-0100",
                Some("Call 212-555-0107 or 212-555-0107"),
            ),
            // Markup in a text is text: only digits change.
            ("<b>212-555-0100</b>", Some("<b>212-555-0107</b>")),
            // Never inside a longer run of digits or glued to a word; another number; no number.
            ("92125550100", None),
            ("2125550100xl", None),
            ("(212) 555-0199", None),
            ("Item 5550100 costs $12.99", None),
            ("", None),
        ];
        for (text, want) in table {
            assert_eq!(replaced(text, &swaps).as_deref(), want, "{text}");
        }
        assert_eq!(replaced("212-555-0100", &[]), None, "nothing to swap");
    }

    #[test]
    fn finds_which_targets_a_text_shows_by_their_place_in_the_list() {
        // (The second entry of the loader's list was not E.164: left out, its index kept.)
        let list = [
            (0, e("+12125550100")),
            (2, e("+13125550100")),
            (3, e("+14155550100")),
        ];
        // (text, bits: each target's place in the loader's list)
        let table = [
            ("Call (212) 555-0100", 0b0001),
            ("tel:+13125550100", 0b0100),
            ("(212) 555-0100 or (415) 555-0100", 0b1001),
            ("Order 2125550100123", 0),
            ("no number", 0),
        ];
        for (text, want) in table {
            assert_eq!(found(text, &list), want, "{text}");
        }
        assert_eq!(found("Call (212) 555-0100", &[]), 0, "nothing looked for");
    }
}
