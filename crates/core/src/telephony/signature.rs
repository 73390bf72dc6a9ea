//! A webhook as it arrived, for its signature check, and the check's verdict: what every
//! provider's check reads (the URL, the raw body, the form, a few headers) and answers (refused,
//! or genuine with the key that a replay of it would carry again).

#[allow(unused_imports)]
use crate::prelude::*;

use super::form::Form;

/// The request headers a signature check may read, names in lower case.
#[derive(Debug, Clone, Default)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    /// A header's value, by its lower-case name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook as it arrived, for its signature check.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// The full URL the provider requested (query included).
    pub url: &'a str,
    /// The raw body.
    pub body: &'a str,
    /// The body's form parameters.
    pub form: &'a Form,
    /// The headers.
    pub headers: &'a Headers,
}

/// Why a webhook's signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookError {
    /// No signature (or no timestamp) header.
    Missing,
    /// A header that is not what the provider sends.
    Malformed,
    /// The signature does not match: tampered, or signed with another key or for another URL.
    Mismatch,
    /// The timestamp is outside the tolerance (a stale or replayed webhook).
    Stale,
    /// The secret or key is unset: nothing can be verified.
    NoSecret,
}

impl WebhookError {
    /// A short, safe description for the error body.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookError::Missing => "missing webhook signature",
            WebhookError::Malformed => "malformed webhook signature",
            WebhookError::Mismatch => "invalid webhook signature",
            WebhookError::Stale => "webhook timestamp outside the tolerance",
            WebhookError::NoSecret => "webhooks are disabled: the provider's secret is not set",
        }
    }
}

/// What a replay of a genuine webhook would carry again, for a provider whose signature covers a
/// timestamp: the same signature seen twice before `expires_at` is a replay (the worker keeps the
/// signatures seen that long; after it the timestamp check refuses the webhook anyway). A provider
/// whose signature covers no timestamp gives none: a repeated webhook is applied once by call id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// What identifies this webhook (its signature).
    pub key: String,
    /// When the tolerance window of the webhook closes.
    pub expires_at: crate::Millis,
}
