//! Every error's body: `{"error": "...", "code": "..."}` with a 4xx or 503 status
//! (`crate::error::ApiError` decides which).

use serde::Serialize;

/// An error's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// What is wrong, for a person; never an internal detail.
    pub error: String,
    /// For a program: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `method_not_allowed`, `gone`, `too_large`, `unsupported_media_type`, `unavailable`.
    pub code: &'static str,
}
