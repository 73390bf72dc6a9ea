//! A tiny JSON writer, for the browser module: it sends a few small request bodies, and serde would
//! weigh more than the rest of the module. The worker and the command line use serde.

#[allow(unused_imports)]
use crate::prelude::*;

/// Builds one JSON object, key by key.
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
    pub fn string(mut self, key: &str, value: &str) -> Object {
        self.key(key);
        push_string(&mut self.out, value);
        self
    }

    /// Adds a number member.
    pub fn number(mut self, key: &str, value: u64) -> Object {
        self.key(key);
        push_u64(&mut self.out, value);
        self
    }

    /// Adds a member whose value is already JSON (a nested object or array).
    pub fn raw(mut self, key: &str, json: &str) -> Object {
        self.key(key);
        self.out.push_str(json);
        self
    }

    /// Adds an array of strings.
    pub fn strings<'a>(mut self, key: &str, values: impl IntoIterator<Item = &'a str>) -> Object {
        self.key(key);
        self.out.push('[');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_string(&mut self.out, v);
        }
        self.out.push(']');
        self
    }

    /// The finished object.
    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Appends `value` as a JSON string literal.
pub fn push_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Other control characters, and the two line separators JavaScript once rejected.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let n = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(char::from(HEX[((n >> shift) & 0xF) as usize]));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a decimal number without the formatting machinery.
pub fn push_u64(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
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
                .strings("a", [s, "x"])
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
