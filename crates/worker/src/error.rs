//! Errors as the caller sees them: a status and a JSON body `{"error": "...", "code": "..."}`. Bad
//! input is always a 4xx; internal failures are a 503 that names nothing internal.

use worker::{Response, Result};

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// Malformed or invalid input (400).
    BadRequest(String),
    /// No or wrong bearer token (401).
    Unauthorized,
    /// Not allowed: origin not listed, bad webhook signature, unset secret (403).
    Forbidden(&'static str),
    /// No such site, lease or endpoint (404).
    NotFound(&'static str),
    /// The endpoint exists, not for this method (405; the router adds `Allow`).
    MethodNotAllowed,
    /// The request is fine, the site's state does not allow it now (409).
    Conflict(&'static str),
    /// The lease ended; ask for a new one (410).
    Gone,
    /// The request body is too large (413).
    TooLarge,
    /// The request body's content type is not one the endpoint takes (415; the types it takes).
    UnsupportedType(String),
    /// Something behind the worker failed (503).
    Unavailable,
}

impl ApiError {
    fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::Unauthorized => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::Conflict(_) => 409,
            ApiError::Gone => 410,
            ApiError::TooLarge => 413,
            ApiError::UnsupportedType(_) => 415,
            ApiError::Unavailable => 503,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::Gone => "gone",
            ApiError::TooLarge => "too_large",
            ApiError::UnsupportedType(_) => "unsupported_media_type",
            ApiError::Unavailable => "unavailable",
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::BadRequest(m) => m.clone(),
            ApiError::Unauthorized => "a valid Authorization: Bearer token is required".to_owned(),
            ApiError::Forbidden(m) | ApiError::NotFound(m) | ApiError::Conflict(m) => {
                (*m).to_owned()
            }
            ApiError::MethodNotAllowed => {
                "method not allowed here; see the Allow header".to_owned()
            }
            ApiError::Gone => "this lease has ended; ask for a new one".to_owned(),
            ApiError::TooLarge => "request body too large".to_owned(),
            ApiError::UnsupportedType(types) => {
                ["the body's Content-Type must be one of: ", types].concat()
            }
            ApiError::Unavailable => "temporarily unavailable, try again".to_owned(),
        }
    }

    /// The answer's body.
    pub fn body(&self) -> crate::api::error::ErrorBody {
        crate::api::error::ErrorBody {
            error: self.message(),
            code: self.code(),
        }
    }

    /// The JSON response.
    pub fn response(&self) -> Result<Response> {
        let mut response = crate::api::json(&self.body())?.with_status(self.status());
        if *self == ApiError::Unauthorized {
            response.headers_mut().set("WWW-Authenticate", "Bearer")?;
        }
        Ok(response)
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        worker::console_error!("internal error: {e}");
        ApiError::Unavailable
    }
}

impl From<worker::kv::KvError> for ApiError {
    fn from(e: worker::kv::KvError) -> Self {
        worker::console_error!("kv error: {e}");
        ApiError::Unavailable
    }
}

/// A handler's result: a response, or an error answer.
pub type ApiResult<T> = std::result::Result<T, ApiError>;

/// Turns a handler's result into the platform's.
pub fn respond(result: ApiResult<Response>) -> Result<Response> {
    match result {
        Ok(response) => Ok(response),
        Err(e) => e.response(),
    }
}
