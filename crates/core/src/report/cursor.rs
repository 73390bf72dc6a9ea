//! The calls list's page cursor: where the last page ended (its last call's start and id, the
//! list's sort key), opaque to the caller (hex), checked when read back.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::Millis;

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last call's start.
    pub started_at: Millis,
    /// The last call's id.
    pub call_sid: String,
}

/// Longest call id a cursor carries.
const MAX_SID: usize = 128;

impl Cursor {
    /// The cursor as the API shows it.
    pub fn encode(&self) -> String {
        let plain = [self.started_at.to_string().as_str(), ".", &self.call_sid].concat();
        crate::text::hex(plain.as_bytes())
    }

    /// Reads a cursor back; `None` when it is not one this API wrote.
    pub fn decode(s: &str) -> Option<Cursor> {
        if !s.len().is_multiple_of(2) || s.len() > 2 * (20 + 1 + MAX_SID) {
            return None;
        }
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let bytes = s
            .as_bytes()
            .chunks(2)
            .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
            .collect::<Option<Vec<u8>>>()?;
        let plain = String::from_utf8(bytes).ok()?;
        let (at, sid) = plain.split_once('.')?;
        if sid.is_empty() || at.is_empty() || !at.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Cursor {
            started_at: at.parse().ok()?,
            call_sid: sid.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_what_it_did_not_write() {
        let table = ["", "0", "zz", "2e", "31", "2e4341", "312e", "ff2e41"];
        for s in table {
            assert_eq!(Cursor::decode(s), None, "{s}");
        }
        let c = Cursor {
            started_at: 1_764_000_000_000,
            call_sid: "CA0123".into(),
        };
        assert_eq!(c.encode(), "313736343030303030303030302e434130313233");
    }

    proptest! {
        #[test]
        fn round_trips(at in any::<u64>(), sid in "[A-Za-z0-9._-]{1,64}") {
            let c = Cursor { started_at: at, call_sid: sid };
            prop_assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }

        #[test]
        fn never_panics_on_garbage(s in ".{0,80}") {
            let _ = Cursor::decode(&s);
        }
    }
}
