//! The phone finder and rewriter: any text, no panic; occurrences are in order, on character
//! boundaries, and hold the target's digits (ASCII or full-width); swapping a number for itself
//! changes nothing.
#![no_main]

use dni_core::phone::{self, E164};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (Ok(us), Ok(uk)) = (E164::parse("+12125550100"), E164::parse("+442071234567")) else {
        return;
    };
    let _ = E164::parse(text);
    let targets = [us.clone(), uk.clone()];
    let found = phone::find(text, &targets);
    let mut last_end = 0;
    for f in &found {
        assert!(
            f.start >= last_end && f.start < f.end && f.end <= text.len(),
            "{found:?}"
        );
        let written = text
            .get(f.start..f.end)
            .expect("occurrences are on character boundaries");
        // `tel:` links may be percent-encoded (`%2B1%20212...`): their digits are the decoded ones.
        let decoded = dni_core::url::decode_component(written);
        // Full-width digits (`０３‐１２３４`) are digits too.
        let digits: String = decoded
            .chars()
            .filter_map(|c| match c {
                '0'..='9' => Some(c),
                '\u{ff10}'..='\u{ff19}' => char::from_u32(c as u32 - 0xFF10 + u32::from(b'0')),
                _ => None,
            })
            .collect();
        let target = &targets[f.target];
        assert!(
            digits.ends_with(target.national()),
            "{written:?} is not {target}"
        );
        last_end = f.end;
    }
    let same = phone::replace(text, &[(us.clone(), us.clone())]);
    assert!(
        same.as_deref().is_none_or(|s| s == text),
        "a swap for itself changed the text"
    );
    // Swapped for another number, the text holds that number where it held this one.
    let Ok(to) = E164::parse("+12125550199") else {
        return;
    };
    if let Some(swapped) = phone::replace(text, &[(us.clone(), to.clone())]) {
        // Counted among the same numbers the swap looks for: which runs of digits are numbers
        // depends on the numbers asked for (an adjacent other target splits a run), so an
        // occurrence found among both targets may, with this one alone, be part of a longer run
        // (found by this target: `+442071234567)))))))))))(212) 555-0100`).
        let before = phone::find(text, std::slice::from_ref(&us)).len();
        let after = phone::find(&swapped, &[to]).len();
        assert!(
            after >= before,
            "{before} occurrences swapped, {after} found after: {text:?} -> {swapped:?}"
        );
    }
});
