//! Phone numbers: E.164 validation, and finding a number in text in whatever format the page wrote
//! it, so that it can be replaced digit for digit, keeping the page's own punctuation.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

/// An E.164 number: `+`, a country code, and the national number; 8 to 15 digits in all, the first
/// not zero. Stored as written in canonical form (`+12125550100`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct E164(String);

/// Why a string is not an E.164 number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// It does not start with `+`.
    MissingPlus,
    /// Something other than digits follows the `+`.
    NotDigits,
    /// Fewer than 8 or more than 15 digits.
    Length,
    /// The country code starts with 0.
    LeadingZero,
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PhoneError::MissingPlus => "a phone number must start with + (E.164)",
            PhoneError::NotDigits => "a phone number must be + followed by digits only (E.164)",
            PhoneError::Length => "a phone number must have 8 to 15 digits (E.164)",
            PhoneError::LeadingZero => "a country code never starts with 0 (E.164)",
        })
    }
}

impl E164 {
    /// Accepts only the canonical form: `+` and 8..=15 ASCII digits, the first not `0`.
    pub fn parse(input: &str) -> Result<E164, PhoneError> {
        // Bytes, not `strip_prefix('+')`: a char pattern brings UTF-8 encoding into the browser
        // module (see ARCHITECTURE.md on its size).
        if input.as_bytes().first() != Some(&b'+') {
            return Err(PhoneError::MissingPlus);
        }
        let digits = input.get(1..).unwrap_or_default();
        for &b in digits.as_bytes() {
            if !b.is_ascii_digit() {
                return Err(PhoneError::NotDigits);
            }
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(PhoneError::Length);
        }
        if digits.as_bytes().first() == Some(&b'0') {
            return Err(PhoneError::LeadingZero);
        }
        Ok(E164(input.to_owned()))
    }

    /// The canonical form, `+12125550100`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without `+`.
    pub fn digits(&self) -> &str {
        self.0.get(1..).unwrap_or_default()
    }

    /// The country calling code (`1`, `44`, `353`, ...).
    pub fn country_code(&self) -> &str {
        let digits = self.digits();
        digits.get(..country_code_len(digits)).unwrap_or_default()
    }

    /// The national significant number: the digits after the country code.
    pub fn national(&self) -> &str {
        let digits = self.digits();
        digits.get(country_code_len(digits)..).unwrap_or_default()
    }

    /// The digits of this number written in `form` (see [`Form`]); none when the number is not
    /// written that way.
    fn form_digits(&self, form: Form) -> Digits {
        let (cc, national) = (self.country_code(), self.national());
        let parts = match form {
            Form::International | Form::InternationalNoPlus => [cc, national, ""],
            // North America has no "(0)" convention; "+1 (1)" is not a way to write a number.
            Form::InternationalTrunk if cc == "1" => ["", "", ""],
            Form::InternationalTrunk => [cc, "0", national],
            Form::InternationalPrefix00 => ["00", cc, national],
            Form::National => [national, "", ""],
            Form::NationalTrunk => [if cc == "1" { "1" } else { "0" }, national, ""],
        };
        let mut digits = Digits {
            bytes: [0; MAX_RUN_DIGITS],
            len: 0,
        };
        for part in parts {
            for b in part.bytes() {
                if let Some(slot) = digits.bytes.get_mut(digits.len) {
                    *slot = b;
                    digits.len += 1;
                }
            }
        }
        digits
    }
}

/// A number's digits in one of its forms, without allocating.
struct Digits {
    bytes: [u8; MAX_RUN_DIGITS],
    len: usize,
}

impl Digits {
    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for E164 {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        E164::parse(&value)
    }
}

impl From<E164> for String {
    fn from(value: E164) -> Self {
        value.0
    }
}

/// The length of the country calling code at the start of `digits`. Country codes are prefix-free:
/// `1` and `7` are one digit, the two-digit codes are listed, every other code has three digits.
fn country_code_len(digits: &str) -> usize {
    /// The two-digit codes, as a set of the numbers 0..=99 (two words: 128-bit shifts would bring
    /// their runtime routines into the browser module).
    const TWO_DIGIT: [u64; 2] = set(&[
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55,
        56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ]);
    const fn set(codes: &[u8]) -> [u64; 2] {
        let (mut set, mut i) = ([0; 2], 0);
        while i < codes.len() {
            set[(codes[i] / 64) as usize] |= 1 << (codes[i] % 64);
            i += 1;
        }
        set
    }
    let listed = |n: u8| {
        TWO_DIGIT
            .get(usize::from(n / 64))
            .is_some_and(|w| w >> (n % 64) & 1 == 1)
    };
    match digits.as_bytes() {
        [b'1' | b'7', ..] => 1,
        [a @ b'0'..=b'9', b @ b'0'..=b'9', ..] if listed((a - b'0') * 10 + (b - b'0')) => 2,
        _ => 3,
    }
}

/// How a number is written on a page, which decides the digits a replacement keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `+1 212 555 0100`: `+`, country code, national number.
    International,
    /// `+44 (0)20 7946 0000`: the international form with the national trunk zero kept in brackets.
    InternationalTrunk,
    /// `1 212 555 0100` or `44 20 7946 0000` without the `+` (for `+1`, see `NationalTrunk`).
    InternationalNoPlus,
    /// `00 44 20 7946 0000`: the international dialling prefix.
    InternationalPrefix00,
    /// `(212) 555-0100`: the national significant number alone.
    National,
    /// `020 7946 0000` or `1-212-555-0100`: the trunk prefix (0, or 1 in North America) and the
    /// national number.
    NationalTrunk,
}

const FORMS: [Form; 6] = [
    Form::International,
    Form::InternationalTrunk,
    Form::InternationalNoPlus,
    Form::InternationalPrefix00,
    Form::National,
    Form::NationalTrunk,
];

/// One occurrence of a target number in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Byte offset where the occurrence starts (at `+`, `(` or the first digit).
    pub start: usize,
    /// Byte offset just after its last digit.
    pub end: usize,
    /// Index of the target in the slice given to [`find`].
    pub target: usize,
    /// How it was written.
    pub form: Form,
}

/// The length of the separator `text` starts with, or 0: the characters a page puts between the
/// digits of one phone number (space, `-`, `.`, brackets, `/` as in the German `030/12345678`,
/// no-break and thin spaces, hyphens and dashes, the minus sign, and the full-width hyphen,
/// brackets and space of Japanese pages).
fn separator_len(text: &[u8]) -> usize {
    match text {
        [b' ' | b'-' | b'.' | b'(' | b')' | b'/', ..] => 1,
        // U+00A0
        [0xC2, 0xA0, ..] => 2,
        // U+2009, U+202F, U+2010..=U+2013
        [0xE2, 0x80, 0x89 | 0xAF | 0x90..=0x93, ..] => 3,
        // U+2212 (minus sign), U+3000 (ideographic space), U+FF08, U+FF09, U+FF0D (full-width
        // brackets and hyphen-minus)
        [0xE2, 0x88, 0x92, ..] | [0xE3, 0x80, 0x80, ..] | [0xEF, 0xBC, 0x88 | 0x89 | 0x8D, ..] => 3,
        _ => percent_len(text),
    }
}

/// The digit `text` starts with, as an ASCII digit, and its length: `0`-`9`, or a full-width digit
/// (U+FF10..=U+FF19, as Japanese pages write numbers: `０３‐１２３４‐５６７８`).
fn digit_at(text: &[u8]) -> Option<(u8, usize)> {
    match text {
        [d @ b'0'..=b'9', ..] => Some((*d, 1)),
        [0xEF, 0xBC, d @ 0x90..=0x99, ..] => Some((d - 0x90 + b'0', 3)),
        _ => None,
    }
}

/// The full-width digits, in order (three bytes each).
const WIDE_DIGITS: &str =
    "\u{ff10}\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff15}\u{ff16}\u{ff17}\u{ff18}\u{ff19}";

/// Whether `bytes` end with a full-width digit (whose last byte alone reads as no digit).
fn ends_with_wide_digit(bytes: &[u8]) -> bool {
    matches!(bytes, [.., 0xEF, 0xBC, 0x90..=0x99])
}

/// Whether a match that ends before `rest` is glued to what follows (a letter or a digit: part of
/// a longer number or a word), but for an extension glued on: `x` or `X` and a digit, as in
/// `555-0100x12`, where the number is swapped and the extension kept.
fn glued(rest: &[u8]) -> bool {
    match rest {
        [b'x' | b'X', next, ..] if next.is_ascii_digit() => false,
        [c, ..] => c.is_ascii_alphanumeric() || digit_at(rest).is_some(),
        [] => false,
    }
}

/// The length of a percent-encoded separator `text` starts with (`%20`, `%28`, `%29`, `%2D`,
/// `%2E`), or 0: a `tel:` link may be written `tel:(212)%20555-0100`. Its hex digits are never
/// read as the number's digits.
fn percent_len(text: &[u8]) -> usize {
    match text {
        [b'%', b'2', b'0' | b'8' | b'9' | b'D' | b'd' | b'E' | b'e', ..] => 3,
        _ => 0,
    }
}

/// What a number may start with besides a digit: its length, and whether it is a `+` (plain or
/// percent-encoded as `%2B`); `(` may be encoded as `%28`.
fn opener(text: &[u8]) -> Option<(usize, bool)> {
    match text {
        [b'+', ..] => Some((1, true)),
        [b'(', ..] => Some((1, false)),
        [b'%', b'2', b'B' | b'b', ..] => Some((3, true)),
        [b'%', b'2', b'8', ..] => Some((3, false)),
        _ => None,
    }
}

/// The longest digit string a form can have: `00`, a country code and 15 digits in all.
const MAX_RUN_DIGITS: usize = 17;

/// Finds every occurrence of the `targets` in `text`, in any of the written forms above, with any of
/// the usual separators between digits, never inside a longer run of digits or glued to a word.
pub fn find(text: &str, targets: &[E164]) -> Vec<Found> {
    find_among(text, &targets.iter().collect::<Vec<_>>())
}

/// [`find`] with the targets by reference.
pub fn find_among(text: &str, targets: &[&E164]) -> Vec<Found> {
    let mut found = Vec::new();
    if targets.is_empty() || text.len() < 7 {
        return found;
    }
    // Byte by byte: every character that starts, continues or ends a number is ASCII except the
    // separators, which are matched whole; other characters only ever count as "not a digit or a
    // letter", which their bytes are too.
    let bytes = text.as_bytes();
    let mut digits = [0u8; MAX_RUN_DIGITS + 1];
    let mut digit_ends = [0usize; MAX_RUN_DIGITS + 1];
    // The byte before `i` (none at the start).
    let mut prev = 0u8;
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        let rest = bytes.get(i..).unwrap_or_default();
        let open = opener(rest);
        let free = !(prev.is_ascii_alphanumeric() || prev == b'+' || prev == b'_');
        let digit = digit_at(rest);
        if !(free && (digit.is_some() || open.is_some())) {
            // An encoded separator is passed whole, so that its hex digits start nothing; a
            // full-width digit too, and it counts as a digit for what follows.
            let (len, last) = match digit {
                Some((d, len)) => (len, d),
                None if c == b'%' => (percent_len(rest).max(1), b' '),
                None => (1, c),
            };
            prev = if len > 1 && digit.is_none() {
                b' '
            } else {
                last
            };
            i += len;
            continue;
        }
        // Walk the run: digits with separators between them, `+` only first.
        let (open_len, plus) = open.unwrap_or((0, false));
        let mut n = 0;
        let mut j = i + open_len;
        loop {
            match digit_at(bytes.get(j..).unwrap_or_default()) {
                Some((d, len)) => {
                    if let (Some(digit), Some(end)) = (digits.get_mut(n), digit_ends.get_mut(n)) {
                        *digit = d;
                        *end = j + len;
                    }
                    n += 1;
                    j += len;
                }
                _ => match separator_len(bytes.get(j..).unwrap_or_default()) {
                    0 => break,
                    len => j += len,
                },
            }
            if n > MAX_RUN_DIGITS {
                break;
            }
        }
        let run = digits.get(..n).unwrap_or(&digits);
        let matched = best_match(run, plus, targets).and_then(|(target, form, len)| {
            let end = *digit_ends.get(len.checked_sub(1)?)?;
            // A digit right after the match means the match is part of a longer number.
            if glued(bytes.get(end..).unwrap_or_default()) {
                return None;
            }
            Some(Found {
                start: i,
                end,
                target,
                form,
            })
        });
        match matched {
            Some(m) => {
                found.push(m);
                // (A match ends with a digit.)
                prev = b'0';
                i = m.end;
            }
            None if plus => {
                // An international number that is not a target: skip all of it, so that the
                // national part of "+44 212 555 0100" is not read as a North American number.
                let before = bytes.get(..j).unwrap_or_default();
                prev = match before {
                    _ if ends_with_wide_digit(before) => b'0',
                    [.., last] => *last,
                    [] => 0,
                };
                i = j;
            }
            None => {
                // Retry from the next group of this run: "ext 5 212-555-0100" starts at "212".
                (prev, i) = match digit {
                    Some((d, len)) if open_len == 0 => (d, i + len),
                    _ => (c, i + open_len.max(1)),
                };
                while let Some((d, len)) = digit_at(bytes.get(i..).unwrap_or_default()) {
                    prev = d;
                    i += len;
                }
            }
        }
    }
    found
}

/// The longest (target, form, digit count) whose digits start the run.
fn best_match(run: &[u8], plus: bool, targets: &[&E164]) -> Option<(usize, Form, usize)> {
    let mut best: Option<(usize, Form, usize)> = None;
    for (t, number) in targets.iter().enumerate() {
        for &form in &FORMS {
            let want = number.form_digits(form);
            let allowed = want.len > 0
                && match form {
                    Form::International | Form::InternationalTrunk => plus,
                    _ => !plus,
                };
            if allowed
                && run.starts_with(want.as_bytes())
                && best.is_none_or(|(_, _, len)| want.len > len)
            {
                best = Some((t, form, want.len));
            }
        }
    }
    best
}

/// Replaces every occurrence of each `from` number with its `to` number, digit for digit, so that the
/// page's punctuation, spacing and prefix stay as written. Returns `None` when nothing matched, so
/// that callers leave untouched text alone (no DOM write at all).
///
/// When the two numbers' forms differ in length (a replacement from another numbering plan), the
/// occurrence is written in the replacement's canonical form for that kind of writing instead.
pub fn replace(text: &str, swaps: &[(E164, E164)]) -> Option<String> {
    replace_among(
        text,
        &swaps
            .iter()
            .map(|(from, to)| (from, to))
            .collect::<Vec<_>>(),
    )
}

/// Appends the ASCII digit `d` (a `&str` piece rather than `String::push(char)`, whose UTF-8
/// encoding would be on the page for nothing).
fn push_digit(out: &mut String, d: u8) {
    let i = usize::from(d.wrapping_sub(b'0'));
    out.push_str("0123456789".get(i..i + 1).unwrap_or_default());
}

/// [`replace`] with the numbers by reference.
pub fn replace_among(text: &str, swaps: &[(&E164, &E164)]) -> Option<String> {
    let found = find_among(text, &{
        let mut froms = Vec::with_capacity(swaps.len());
        for (from, _) in swaps {
            froms.push(*from);
        }
        froms
    });
    if found.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut last = 0;
    for m in &found {
        let (from, to) = swaps.get(m.target)?;
        out.push_str(text.get(last..m.start)?);
        let span = text.get(m.start..m.end)?;
        let (old, new) = (from.form_digits(m.form), to.form_digits(m.form));
        let mut replacement = new.as_bytes().iter();
        if old.len == new.len {
            // Each digit in turn; what lies between digits (an encoded separator too) is copied
            // as it is.
            // A full-width digit is replaced by a full-width one.
            let bytes = span.as_bytes();
            let mut copied = 0;
            let mut k = 0;
            while let Some(&b) = bytes.get(k) {
                if b == b'%' {
                    k += 3;
                } else if let Some((d, len)) = digit_at(bytes.get(k..).unwrap_or_default()) {
                    out.push_str(span.get(copied..k)?);
                    let new = *replacement.next().unwrap_or(&d);
                    if len == 3 {
                        let at = 3 * usize::from(new.wrapping_sub(b'0'));
                        out.push_str(WIDE_DIGITS.get(at..at + 3)?);
                    } else {
                        push_digit(&mut out, new);
                    }
                    copied = k + len;
                    k += len;
                } else {
                    k += 1;
                }
            }
            out.push_str(span.get(copied..)?);
        } else {
            if matches!(m.form, Form::International | Form::InternationalTrunk) {
                out.push_str(if span.as_bytes().first() == Some(&b'%') {
                    "%2B"
                } else {
                    "+"
                });
            }
            for &digit in replacement {
                push_digit(&mut out, digit);
            }
        }
        last = m.end;
    }
    out.push_str(text.get(last..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> E164 {
        E164::parse(s).unwrap()
    }

    #[test]
    fn validates_e164() {
        let table: &[(&str, Result<(), PhoneError>)] = &[
            ("+12125550100", Ok(())),
            ("+442079460000", Ok(())),
            ("+35312345678", Ok(())),
            ("+123456789012345", Ok(())),
            ("12125550100", Err(PhoneError::MissingPlus)),
            ("+1 212 555 0100", Err(PhoneError::NotDigits)),
            ("+1212555010a", Err(PhoneError::NotDigits)),
            ("+1234567", Err(PhoneError::Length)),
            ("+1234567890123456", Err(PhoneError::Length)),
            ("+0123456789", Err(PhoneError::LeadingZero)),
            ("", Err(PhoneError::MissingPlus)),
            ("+", Err(PhoneError::Length)),
            ("+１２１２５５５０１００", Err(PhoneError::NotDigits)),
        ];
        for (input, want) in table {
            assert_eq!(E164::parse(input).map(|_| ()), *want, "{input:?}");
        }
    }

    #[test]
    fn splits_country_code_and_national_number() {
        let table = [
            ("+12125550100", "1", "2125550100"),
            ("+74951234567", "7", "4951234567"),
            ("+442079460000", "44", "2079460000"),
            ("+35312345678", "353", "12345678"),
            ("+8613812345678", "86", "13812345678"),
            ("+97143334444", "971", "43334444"),
        ];
        for (input, cc, national) in table {
            let n = e(input);
            assert_eq!((n.country_code(), n.national()), (cc, national), "{input}");
        }
    }

    #[test]
    fn replaces_every_format_digit_for_digit() {
        let swaps = [(e("+12125550100"), e("+12125550107"))];
        // (page text, text after the swap)
        let table = [
            ("(212) 555-0100", "(212) 555-0107"),
            ("212.555.0100", "212.555.0107"),
            ("+1 212-555-0100", "+1 212-555-0107"),
            ("1 (212) 555 0100", "1 (212) 555 0107"),
            ("212 555 0100", "212 555 0107"),
            ("+12125550100", "+12125550107"),
            ("2125550100", "2125550107"),
            ("1-212-555-0100", "1-212-555-0107"),
            ("tel:+12125550100", "tel:+12125550107"),
            ("tel:212-555-0100", "tel:212-555-0107"),
            ("Call (212) 555-0100 today!", "Call (212) 555-0107 today!"),
            (
                "Call\u{a0}212\u{a0}555\u{a0}0100.",
                "Call\u{a0}212\u{a0}555\u{a0}0107.",
            ),
            (
                "212-555-0100 or 212.555.0100",
                "212-555-0107 or 212.555.0107",
            ),
            ("ext 5 212-555-0100", "ext 5 212-555-0107"),
            ("(212)555-0100/(212)555-0100", "(212)555-0107/(212)555-0107"),
            // Percent-encoded `tel:` links: the encoding's hex digits are never the number's.
            ("tel:(212)%20555-0100", "tel:(212)%20555-0107"),
            ("tel:%2B1%20212%20555%200100", "tel:%2B1%20212%20555%200107"),
            ("tel:%2b1-212-555-0100", "tel:%2b1-212-555-0107"),
            ("tel:%28212%29%20555%2D0100", "tel:%28212%29%20555%2D0107"),
            ("tel:%20212.555.0100", "tel:%20212.555.0107"),
            ("tel:1%20212%20555%200100", "tel:1%20212%20555%200107"),
            // An extension glued on: the number is swapped, the extension kept.
            (
                "555-0100x12 or (212) 555-0100x12",
                "555-0100x12 or (212) 555-0107x12",
            ),
            ("212-555-0100X7", "212-555-0107X7"),
            ("212/555-0100", "212/555-0107"),
        ];
        for (text, want) in table {
            assert_eq!(replace(text, &swaps).as_deref(), Some(want), "{text:?}");
        }
    }

    #[test]
    fn leaves_lookalikes_alone() {
        let swaps = [(e("+12125550100"), e("+12125550107"))];
        let table = [
            "21255501001",            // a longer number
            "92125550100",            // glued to a digit in front
            "Order A2125550100",      // glued to a word
            "212-555-0199",           // another number
            "555-0100",               // a part of it
            "+44 212 555 0100",       // another country
            "+1 212-555-010",         // too short
            "%2B44 212 555 0100",     // another country, encoded
            "tel:212%2555-0100",      // not a separator the encoding has
            "SKU 2125550100x",        // glued to a word after
            "2125550100xl",           // glued to a word after, not an extension
            "２１２５５５０１００１", // full-width: a longer number
            "９２１２５５５０１００", // full-width: glued to a digit in front
            "",
        ];
        for text in table {
            assert_eq!(replace(text, &swaps), None, "{text:?}");
        }
    }

    #[test]
    fn handles_other_numbering_plans() {
        let swaps = [(e("+442079460000"), e("+442079460123"))];
        let table = [
            ("020 7946 0000", "020 7946 0123"),
            ("+44 20 7946 0000", "+44 20 7946 0123"),
            ("+44 (0)20 7946 0000", "+44 (0)20 7946 0123"),
            ("0044 20 7946 0000", "0044 20 7946 0123"),
        ];
        for (text, want) in table {
            assert_eq!(replace(text, &swaps).as_deref(), Some(want), "{text:?}");
        }
        // German pages write the area code apart with a slash.
        let swaps = [(e("+493012345678"), e("+493012345699"))];
        let table = [
            ("030/12345678", "030/12345699"),
            ("Tel. 030 / 123 456 78", "Tel. 030 / 123 456 99"),
            ("+49 (0)30/12345678", "+49 (0)30/12345699"),
        ];
        for (text, want) in table {
            assert_eq!(replace(text, &swaps).as_deref(), Some(want), "{text:?}");
        }
        // Japanese pages write numbers in full-width digits, with full-width or other hyphens
        // and brackets; the replacement keeps the width of each digit.
        let swaps = [(e("+81312345678"), e("+81312349999"))];
        let table = [
            ("０３‐１２３４‐５６７８", "０３‐１２３４‐９９９９"),
            ("０３－１２３４－５６７８", "０３－１２３４－９９９９"),
            ("（０３）１２３４−５６７８", "（０３）１２３４−９９９９"),
            (
                "電話：０３　１２３４　５６７８まで",
                "電話：０３　１２３４　９９９９まで",
            ),
            ("03-1234-5678", "03-1234-9999"),
            ("+81 3-1234-5678", "+81 3-1234-9999"),
        ];
        for (text, want) in table {
            assert_eq!(replace(text, &swaps).as_deref(), Some(want), "{text:?}");
        }
    }

    #[test]
    fn a_replacement_of_another_length_is_written_canonically() {
        let swaps = [(e("+12125550100"), e("+442079460123"))];
        assert_eq!(
            replace("Call +1 212 555 0100", &swaps).as_deref(),
            Some("Call +442079460123")
        );
    }

    #[test]
    fn reports_where_and_which_target() {
        let targets = [e("+12125550100"), e("+12125550199")];
        let found = find("a (212) 555-0199 b 212.555.0100", &targets);
        assert_eq!(
            found,
            vec![
                Found {
                    start: 2,
                    end: 16,
                    target: 1,
                    form: Form::National
                },
                Found {
                    start: 19,
                    end: 31,
                    target: 0,
                    form: Form::National
                },
            ]
        );
    }
}
