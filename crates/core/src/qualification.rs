//! A call's qualification: what the owner (or the site's automatic rules) made of the lead. Tags,
//! a lead status (`good`, `bad`, `spam`, or none yet) and a value. Conversion rules may require
//! it, the ad platforms learn from it, reports filter and group by it.
//!
//! A leaf: the call record carries a [`Qualification`], and the rules that set one automatically
//! (`integrations::qualify`) read the record, so this module reads nothing of the crate's.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::Millis;

/// Most tags a call carries.
pub const MAX_TAGS: usize = 16;
/// Longest tag, in bytes.
pub const MAX_TAG: usize = 40;

/// What the lead was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// A real lead the owner wants more of.
    Good,
    /// A real caller but not a lead (wrong number, existing customer, a job not taken).
    Bad,
    /// Spam, robocalls, sales pitches.
    Spam,
}

impl LeadStatus {
    /// The status's name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Good => "good",
            LeadStatus::Bad => "bad",
            LeadStatus::Spam => "spam",
        }
    }

    /// A status from its name.
    pub fn parse(name: &str) -> Option<LeadStatus> {
        match name {
            "good" => Some(LeadStatus::Good),
            "bad" => Some(LeadStatus::Bad),
            "spam" => Some(LeadStatus::Spam),
            _ => None,
        }
    }

    /// Whether a conversion sent for the call should be taken back.
    pub fn retracts(self) -> bool {
        matches!(self, LeadStatus::Bad | LeadStatus::Spam)
    }
}

/// Who qualified the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QualifiedBy {
    /// The site's automatic rule at this position (0-based) in its list.
    Rule {
        /// Its position.
        index: u32,
    },
    /// An operator (or a report token allowed to qualify): the rules no longer change it.
    Operator,
}

/// A call's qualification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qualification {
    /// Tags, lower case, each once, in the order given.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The lead's status; `None`: not decided.
    #[serde(default)]
    pub status: Option<LeadStatus>,
    /// What the lead is worth, when known (replaces the conversion rule's value).
    #[serde(default)]
    pub value: Option<f64>,
    /// Who set it.
    pub by: QualifiedBy,
    /// When.
    pub at: Millis,
}

/// An operator's qualification as the API takes it (`PUT .../qualification`): every field is
/// replaced; an empty body clears tags, status and value.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `good`, `bad`, `spam`, or `null`.
    #[serde(default)]
    pub status: Option<LeadStatus>,
    /// A value >= 0, or `null`.
    #[serde(default)]
    pub value: Option<f64>,
}

impl Input {
    /// The operator's qualification at `now`, checked and normalized.
    pub fn qualification(&self, now: Millis) -> Result<Qualification, Invalid> {
        valid_value(self.value)?;
        Ok(Qualification {
            tags: normalize_tags(&self.tags)?,
            status: self.status,
            value: self.value,
            by: QualifiedBy::Operator,
            at: now,
        })
    }
}

/// Why a qualification is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

/// Tags as stored: trimmed, lower case, each once. Refused: more than [`MAX_TAGS`], an empty tag,
/// one longer than [`MAX_TAG`] bytes, or one with characters other than letters, digits, `-`,
/// `_` and spaces.
pub fn normalize_tags(tags: &[String]) -> Result<Vec<String>, Invalid> {
    if tags.len() > MAX_TAGS {
        return Err(Invalid("at most 16 tags"));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for t in tags {
        let t = crate::text::trim(t).to_lowercase();
        if t.is_empty() || t.len() > MAX_TAG {
            return Err(Invalid("a tag has 1 to 40 characters"));
        }
        if !t
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == ' ')
        {
            return Err(Invalid(
                "a tag has letters, digits, '-', '_' and spaces only",
            ));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// A value must be a finite number >= 0.
pub fn valid_value(value: Option<f64>) -> Result<(), Invalid> {
    match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err(Invalid("value must be a number >= 0")),
        _ => Ok(()),
    }
}

/// The words of a text, lower case: runs of letters and digits (an apostrophe inside a word is
/// dropped, so "don't" is "dont"). What phrase spotting compares.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if (c == '\'' || c == '\u{2019}') && !word.is_empty() {
            continue;
        } else if !word.is_empty() {
            out.push(core::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether `phrase` (one or more words) is said in `said` (a text's [`words`]): its words, in
/// order, next to each other. Whole words only: "book" is not in "facebook" nor in "booking"
/// (list each form the rule should catch). Deterministic: no stemming, no model.
pub fn spoken(said: &[String], phrase: &str) -> bool {
    let wanted = words(phrase);
    if wanted.is_empty() || wanted.len() > said.len() {
        return false;
    }
    said.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spots_whole_words_in_order() {
        // (said, phrase, spotted)
        let table = [
            ("I'd like to book an appointment", "book", true),
            ("I'd like to book an appointment", "appointment", true),
            ("Can I BOOK, please?", "book", true),
            ("found you on facebook", "book", false),
            ("booking for Tuesday", "book", false),
            ("booking for Tuesday", "booking", true),
            ("could you give me a quote", "a quote", true),
            ("a quote", "quote a", false),
            ("quote", "a quote", false),
            ("I don't want it", "dont want", true),
            ("I don’t want it", "dont want", true),
            ("Ich möchte einen Termin", "termin", true),
            ("Ich möchte einen Termin", "MÖCHTE", true),
            ("", "book", false),
            ("book", "", false),
            ("book", "   ", false),
            ("re-book", "book", true),
        ];
        for (said, phrase, want) in table {
            assert_eq!(spoken(&words(said), phrase), want, "{said:?} {phrase:?}");
        }
    }

    #[test]
    fn normalizes_tags_and_refuses_the_rest() {
        let s = |v: &[&str]| v.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            normalize_tags(&s(&[" Booked ", "booked", "quote given", "vip_1"])),
            Ok(s(&["booked", "quote given", "vip_1"]))
        );
        for bad in [
            s(&[""]),
            s(&["a;b"]),
            s(&[&"x".repeat(41)]),
            (0..17).map(|i| i.to_string()).collect(),
        ] {
            assert!(normalize_tags(&bad).is_err(), "{bad:?}");
        }
        assert!(valid_value(Some(f64::NAN)).is_err());
        assert!(valid_value(Some(-1.0)).is_err());
        assert!(valid_value(Some(0.0)).is_ok() && valid_value(None).is_ok());
        assert_eq!(LeadStatus::parse("spam"), Some(LeadStatus::Spam));
        // (body, accepted)
        let table = [
            (r#"{"tags":["Booked"],"status":"good","value":120}"#, true),
            (r#"{}"#, true),
            (r#"{"status":null,"value":null}"#, true),
            (r#"{"status":"maybe"}"#, false),
            (r#"{"value":-5}"#, false),
            (r#"{"tags":["a;b"]}"#, false),
            (r#"{"tag":["x"]}"#, false),
        ];
        for (body, ok) in table {
            let got = serde_json::from_str::<Input>(body)
                .ok()
                .and_then(|i| i.qualification(7).ok());
            assert_eq!(got.is_some(), ok, "{body}");
        }
        let q = serde_json::from_str::<Input>(r#"{"tags":["Booked"],"status":"good"}"#)
            .unwrap()
            .qualification(7)
            .unwrap();
        assert_eq!(
            (q.tags, q.status, q.by, q.at),
            (
                vec!["booked".to_owned()],
                Some(LeadStatus::Good),
                QualifiedBy::Operator,
                7
            )
        );
        assert!(LeadStatus::Spam.retracts() && !LeadStatus::Good.retracts());
    }
}
