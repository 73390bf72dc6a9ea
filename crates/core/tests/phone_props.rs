//! Properties of the number finder, which reads every text and `tel:` link of every page: it never
//! panics and reports only well-formed spans on any input; a number written with any mix of the
//! separators is found; a swap changes digits only, and swapping back restores the page exactly.

use dni_core::phone::{find, replace, E164};
use proptest::prelude::*;

fn e(s: &str) -> E164 {
    E164::parse(s).unwrap()
}

/// Text made of what the finder reacts to: digits, every separator (plain, Unicode and
/// percent-encoded), `+`, letters, and anything else.
fn texty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[0-9]{1,4}",
        1 => Just("2125550100".to_owned()),
        1 => Just("212".to_owned()),
        1 => Just("555".to_owned()),
        1 => Just("0100".to_owned()),
        2 => prop_oneof![
            Just(" "), Just("-"), Just("."), Just("("), Just(")"), Just("+"), Just("+1 "),
            Just("\u{a0}"), Just("\u{2009}"), Just("\u{2011}"), Just("\u{202f}"),
            Just("%20"), Just("%2B"), Just("%2b"), Just("%28"), Just("%29"), Just("%2D"),
            Just("%"), Just("%2"), Just("tel:"), Just("x"), Just("_"),
        ]
        .prop_map(str::to_owned),
        1 => "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// The separators a page may put between two groups of digits.
fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(""),
        Just(" "),
        Just("-"),
        Just("."),
        Just("\u{a0}"),
        Just("\u{2011}"),
        Just("%20"),
        Just(" - "),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn finds_only_well_formed_spans(text in texty()) {
        let targets = [e("+12125550100"), e("+442079460000")];
        let found = find(&text, &targets);
        let mut last = 0;
        for f in &found {
            prop_assert!(last <= f.start && f.start < f.end && f.end <= text.len(), "{found:?} in {text:?}");
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            prop_assert!(f.target < targets.len());
            last = f.end;
        }
        prop_assert_eq!(found, find(&text, &targets), "deterministic");
    }

    #[test]
    fn a_swap_changes_digits_only_and_swapping_back_restores_the_text(text in texty()) {
        let (a, b) = (e("+12125550100"), e("+12125550107"));
        // Only where the page never showed the replacement: otherwise swapping back would
        // (rightly) change those too.
        prop_assume!(find(&text, std::slice::from_ref(&b)).is_empty());
        if let Some(swapped) = replace(&text, &[(a.clone(), b.clone())]) {
            prop_assert_eq!(swapped.len(), text.len());
            for (x, y) in text.bytes().zip(swapped.bytes()) {
                prop_assert!(x == y || (x.is_ascii_digit() && y.is_ascii_digit()), "{text:?} -> {swapped:?}");
            }
            prop_assert_eq!(replace(&swapped, &[(b, a)]), Some(text));
        }
    }

    #[test]
    fn a_number_is_found_with_any_separators(
        seps in prop::collection::vec(separator(), 3),
        prefix in prop_oneof![Just(""), Just("+1 "), Just("1 "), Just("%2B1%20"), Just("tel:"), Just("tel:+1-")],
        before in prop_oneof![Just(""), Just("Call "), Just("("), Just("x "), Just("%20")],
        after in prop_oneof![Just(""), Just(" today"), Just("."), Just(")"), Just("%20ext")],
    ) {
        let text = format!("{before}{prefix}212{}555{}01{}00{after}", seps[0], seps[1], seps[2]);
        let found = find(&text, &[e("+12125550100")]);
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        let swapped = replace(&text, &[(e("+12125550100"), e("+12125550107"))]);
        let want = format!("{before}{prefix}212{}555{}01{}07{after}", seps[0], seps[1], seps[2]);
        prop_assert_eq!(swapped, Some(want));
    }
}
