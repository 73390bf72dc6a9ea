//! The operator's bearer token: reports and configuration need it.

#[allow(unused_imports)]
use crate::prelude::*;

/// Compares two secrets in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

/// Why a request is not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No token configured on the server: the endpoint is closed.
    NoSecret,
    /// No `Authorization: Bearer` header, or the wrong token.
    BadToken,
}

/// Checks an `Authorization` header against the configured token.
pub fn check_bearer(header: Option<&str>, secret: &str) -> Result<(), Denied> {
    if secret.is_empty() {
        return Err(Denied::NoSecret);
    }
    let token = header
        .and_then(|h| {
            let (scheme, token) = h.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then_some(token.trim())
        })
        .ok_or(Denied::BadToken)?;
    if constant_time_eq(token.as_bytes(), secret.as_bytes()) {
        Ok(())
    } else {
        Err(Denied::BadToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_bearer_tokens() {
        let table = [
            (Some("Bearer s3cret"), "s3cret", Ok(())),
            (Some("bearer   s3cret "), "s3cret", Ok(())),
            (Some("Bearer s3cre"), "s3cret", Err(Denied::BadToken)),
            (Some("Bearer s3cretX"), "s3cret", Err(Denied::BadToken)),
            (Some("Basic s3cret"), "s3cret", Err(Denied::BadToken)),
            (Some("s3cret"), "s3cret", Err(Denied::BadToken)),
            (None, "s3cret", Err(Denied::BadToken)),
            (Some("Bearer "), "", Err(Denied::NoSecret)),
        ];
        for (header, secret, want) in table {
            assert_eq!(check_bearer(header, secret), want, "{header:?}");
        }
    }
}
