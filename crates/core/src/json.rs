//! A tiny JSON writer, for the browser module: it sends a few small request bodies, and serde would
//! weigh more than the rest of the module. The worker and the command line use serde.

#[allow(unused_imports)]
use crate::prelude::*;

/// Builds one JSON object, key by key: `Object::new().string("a", "b").finish()`. (The methods
/// borrow rather than move the builder: moving it through every call copies it each time.)
#[derive(Debug, Clone)]
pub struct Object {
    out: String,
    empty: bool,
}

impl Default for Object {
    fn default() -> Self {
        Self::new()
    }
}

impl Object {
    /// An empty object.
    pub fn new() -> Object {
        Object {
            out: String::from("{"),
            empty: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        push_string(&mut self.out, key);
        self.out.push(':');
    }

    /// Adds a string member.
    pub fn string(&mut self, key: &str, value: &str) -> &mut Object {
        self.key(key);
        push_string(&mut self.out, value);
        self
    }

    /// Adds a number member.
    pub fn number(&mut self, key: &str, value: u64) -> &mut Object {
        self.key(key);
        push_u64(&mut self.out, value);
        self
    }

    /// Adds a member whose value is already JSON (a nested object or array).
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Object {
        self.key(key);
        self.out.push_str(json);
        self
    }

    /// Adds an array of strings.
    pub fn strings(&mut self, key: &str, values: &[&str]) -> &mut Object {
        self.key(key);
        self.out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_string(&mut self.out, v);
        }
        self.out.push(']');
        self
    }

    /// The finished object (the builder is spent: it is left empty).
    pub fn finish(&mut self) -> String {
        self.out.push('}');
        core::mem::take(&mut self.out)
    }
}

/// Appends `value` as a JSON string literal.
pub fn push_string(out: &mut String, value: &str) {
    out.push('"');
    // Runs of characters that need no escape are copied whole. Every escaped character is ASCII, or
    // U+2028 or U+2029 (whose first byte only ever starts a character), so runs end on boundaries.
    let bytes = value.as_bytes();
    let (mut run, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        let code = match (b, bytes.get(i + 1..i + 3)) {
            // The two line separators JavaScript once rejected.
            (0xE2, Some(&[0x80, low @ (0xA8 | 0xA9)])) => 0x2000 + u32::from(low - 0x80),
            (b'"' | b'\\' | 0x00..=0x1F, _) => u32::from(b),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(value.get(run..i).unwrap_or_default());
        match code {
            0x22 => out.push_str("\\\""),
            0x5C => out.push_str("\\\\"),
            0x0A => out.push_str("\\n"),
            0x0D => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            // Other control characters and the separators.
            _ => {
                out.push_str("\\u");
                crate::text::push_hex(out, (code >> 8) as u8, crate::text::HEX_LOWER);
                crate::text::push_hex(out, code as u8, crate::text::HEX_LOWER);
            }
        }
        i += if code > 0xFF { 3 } else { 1 };
        run = i;
    }
    out.push_str(value.get(run..).unwrap_or_default());
    out.push('"');
}

/// Appends a decimal number without the formatting machinery.
pub fn push_u64(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    while let Some(digit) = i.checked_sub(1).and_then(|at| digits.get_mut(at)) {
        *digit = b'0' + (value % 10) as u8;
        i -= 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_objects_that_serde_reads_back() {
        let cases = [
            "",
            "plain",
            "quote \" and \\ backslash",
            "new\nline\ttab\r",
            "\u{1}\u{1f}",
            "€ ☎ 📞",
            "\u{2028}",
        ];
        for s in cases {
            let json = Object::new()
                .string("s", s)
                .number("n", u64::MAX)
                .strings("a", &[s, "x"])
                .finish();
            let back: serde_json::Value =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(back["s"], s);
            assert_eq!(back["n"], u64::MAX);
            assert_eq!(back["a"][0], s);
        }
        assert_eq!(Object::new().finish(), "{}");
        assert_eq!(
            Object::new().raw("o", "{}").number("z", 0).finish(),
            r#"{"o":{},"z":0}"#
        );
    }
}
