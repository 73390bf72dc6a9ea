//! Byte-level string helpers for the code the browser module runs.
//!
//! The standard library's searching, splitting and trimming are generic over patterns: each use
//! brings its searcher, UTF-8 decoding both ways and panic paths into the browser module. These do
//! the same on bytes, for ASCII separators and for Unicode white space, with no panicking path.
//! They behave exactly as their standard counterparts (the tests compare them).

// Plain loops rather than iterator adapters (`position`, `any`, `all`): at the browser module's
// optimisation level (`z`) the adapters are not inlined, and each use keeps its iterator's state
// in memory.

/// Hex digits, lower case (hashes, cursors, JSON escapes).
pub const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
/// Hex digits, upper case (percent-encoding).
pub const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `byte` as two hex digits of `digits` ([`HEX_LOWER`] or [`HEX_UPPER`]). The one hex
/// encoder of the crate.
pub fn push_hex(out: &mut alloc::string::String, byte: u8, digits: &[u8; 16]) {
    out.push(char::from(digits[usize::from(byte >> 4)]));
    out.push(char::from(digits[usize::from(byte & 15)]));
}

/// `bytes` as hex, lower case.
pub fn hex(bytes: &[u8]) -> alloc::string::String {
    let mut out = alloc::string::String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        push_hex(&mut out, b, HEX_LOWER);
    }
    out
}

/// The index of the first `b` in `s`.
pub fn find_byte(s: &str, b: u8) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut at = 0;
    while let Some(&c) = bytes.get(at) {
        if c == b {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// The index of the last `b` in `s`.
pub fn rfind_byte(s: &str, b: u8) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut at = bytes.len();
    while at > 0 {
        at -= 1;
        if bytes.get(at) == Some(&b) {
            return Some(at);
        }
    }
    None
}

/// Splits at the first `sep` (an ASCII byte), like `str::split_once(char)`.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = find_byte(s, sep)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// The part of `s` before the first `sep` (an ASCII byte), or all of it.
pub fn before(s: &str, sep: u8) -> &str {
    split_once(s, sep).map_or(s, |(head, _)| head)
}

/// The pieces of `s` between the `sep` bytes (an ASCII byte), like `str::split(char)`.
pub fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

/// See [`split`].
#[derive(Debug, Clone)]
pub struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once(rest, self.sep) {
            Some((piece, tail)) => {
                self.rest = Some(tail);
                Some(piece)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// The length of the white space (`char::is_whitespace`, Unicode's White_Space) `s` starts with,
/// one character's worth, or 0.
fn space_len(s: &[u8]) -> usize {
    match s {
        [0x09..=0x0D | 0x20, ..] => 1,
        // U+0085, U+00A0
        [0xC2, 0x85 | 0xA0, ..] => 2,
        // U+1680; U+2000..=U+200A, U+2028, U+2029, U+202F; U+205F; U+3000
        [0xE1, 0x9A, 0x80, ..]
        | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
        | [0xE2, 0x81, 0x9F, ..]
        | [0xE3, 0x80, 0x80, ..] => 3,
        _ => 0,
    }
}

/// `s` without leading white space, like `str::trim_start`.
pub fn trim_start(s: &str) -> &str {
    let mut start = 0;
    while let Some(rest) = s.as_bytes().get(start..) {
        match space_len(rest) {
            0 => break,
            n => start += n,
        }
    }
    s.get(start..).unwrap_or_default()
}

/// `s` without trailing white space, like `str::trim_end`.
pub fn trim_end(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut end = bytes.len();
    // Is the last character a space of one, two or three bytes? The first byte of each pattern
    // only ever starts a character, so a match is a whole character.
    let mut len = 1;
    while len <= 3 && len <= end {
        if space_len(bytes.get(end - len..end).unwrap_or_default()) == len {
            end -= len;
            len = 1;
        } else {
            len += 1;
        }
    }
    s.get(..end).unwrap_or_default()
}

/// `s` without leading and trailing white space, like `str::trim`.
pub fn trim(s: &str) -> &str {
    trim_end(trim_start(s))
}

/// `s` without the `b` bytes (an ASCII byte) at its end, like `str::trim_end_matches(char)`.
pub fn trim_end_byte(s: &str, b: u8) -> &str {
    let mut end = s.len();
    while end > 0 && s.as_bytes().get(end - 1) == Some(&b) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// Whether `hay` starts with the ASCII `needle`, ignoring ASCII case.
pub fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle))
}

/// Whether `hay` contains the ASCII `needle`, ignoring ASCII case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    let mut at = 0;
    while let Some(rest) = hay.as_bytes().get(at..) {
        if rest.is_empty() {
            return false;
        }
        if starts_with_ci(rest, needle.as_bytes()) {
            return true;
        }
        at += 1;
    }
    false
}

/// Whether `s` is one of the `|`-separated names in `list`, ignoring ASCII case. (Lists are written
/// as one string: in a table of strings each entry costs the browser module a pointer and a
/// length.)
pub fn one_of_ci(s: &str, list: &str) -> bool {
    one_of_ci_bytes(s.as_bytes(), list)
}

/// [`one_of_ci`] for bytes that need not be UTF-8 (percent-decoded text).
pub fn one_of_ci_bytes(s: &[u8], list: &str) -> bool {
    for name in split(list, b'|') {
        if name.as_bytes().eq_ignore_ascii_case(s) {
            return true;
        }
    }
    false
}

/// Whether `hay` contains the byte `b`.
pub fn has(hay: &str, b: u8) -> bool {
    find_byte(hay, b).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn knows_unicode_white_space() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(trim(&s).is_empty(), c.is_whitespace(), "{:?}", c);
            assert_eq!(trim_end(&s).is_empty(), c.is_whitespace(), "{:?}", c);
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_standard_library(
            s in "(\\PC|[ \t\n\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff};=&.]){0,16}",
            sep in prop::sample::select(vec![b';', b'=', b'&', b'.', b'a']),
        ) {
            let c = char::from(sep);
            prop_assert_eq!(trim(&s), s.trim());
            prop_assert_eq!(trim_start(&s), s.trim_start());
            prop_assert_eq!(trim_end(&s), s.trim_end());
            prop_assert_eq!(trim_end_byte(&s, sep), s.trim_end_matches(c));
            prop_assert_eq!(split_once(&s, sep), s.split_once(c));
            prop_assert_eq!(before(&s, sep), s.split(c).next().unwrap_or_default());
            prop_assert_eq!(split(&s, sep).collect::<Vec<_>>(), s.split(c).collect::<Vec<_>>());
            prop_assert_eq!(has(&s, sep), s.contains(c));
            prop_assert_eq!(find_byte(&s, sep), s.find(c));
            prop_assert_eq!(rfind_byte(&s, sep), s.rfind(c));
            prop_assert_eq!(
                one_of_ci(&s, "a|B;|"),
                ["a", "B;", ""].iter().any(|n| n.eq_ignore_ascii_case(&s))
            );
        }
    }
}
