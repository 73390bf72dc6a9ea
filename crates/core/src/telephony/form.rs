//! A webhook's form, as the provider posted it: the one reader every provider's module reads its
//! fields through, with the limits on what is kept. Field names are the provider modules' business
//! ([`super::twiml_form`], [`super::twilio`], [`super::telnyx`]); nothing outside them names one.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::phone::E164;

/// Longest field value kept from a webhook.
pub const MAX_FIELD: usize = 128;
/// Longest URL kept from a webhook (recording links).
pub const MAX_URL: usize = 512;
/// Longest transcript kept.
pub const MAX_TRANSCRIPT: usize = 8 * 1024;
/// Longest utterance kept from a conversation's transcription.
pub const MAX_UTTERANCE: usize = 2 * 1024;

/// Why a webhook's fields (or our callback URL's query) cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// A required field is missing, empty or too long.
    Missing(&'static str),
    /// A field has a value we do not understand.
    Invalid(&'static str),
    /// A field is longer than anything the provider sends.
    TooLong(&'static str),
}

impl FieldError {
    /// A short, safe description for the error body.
    pub fn message(&self) -> String {
        match self {
            FieldError::Missing(name) => ["missing or oversize parameter ", name].concat(),
            FieldError::Invalid(name) => ["invalid parameter ", name].concat(),
            FieldError::TooLong(name) => ["parameter ", name, " is too long"].concat(),
        }
    }
}

/// A webhook's form parameters (after its signature was checked), or a query's, in their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A non-empty value of at most `MAX_FIELD` bytes.
    pub fn required(&self, name: &'static str) -> Result<&str, FieldError> {
        match self.get(name) {
            Some(v) if !v.is_empty() && v.len() <= MAX_FIELD => Ok(v),
            _ => Err(FieldError::Missing(name)),
        }
    }

    /// An optional value, cut to `max` characters.
    pub fn text(&self, name: &str, max: usize) -> Option<String> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .map(|v| v.chars().take(max).collect())
    }

    /// An optional count of seconds (or channels).
    pub fn seconds(&self, name: &'static str) -> Result<Option<u32>, FieldError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u32>()
                .map(Some)
                .map_err(|_| FieldError::Invalid(name)),
        }
    }

    /// A phone number field.
    pub fn number(&self, name: &'static str) -> Result<E164, FieldError> {
        E164::parse(self.required(name)?).map_err(|_| FieldError::Invalid(name))
    }
}
